/*
 * cli_main.c - `synack`: the entry point and the verb dispatch table.
 *
 *   synack --help | -h          list the verbs
 *   synack --version            print the version
 *   synack help <verb>          a verb's usage
 *   synack <verb> [flags]       run a verb (see cli.h for exit statuses)
 *
 * Adding a verb: write cli_<verb>.c with cli_<verb>_main/_help, declare them
 * in cli.h and add one line to VERBS below. A write error on stdout, in any
 * verb, ends with a message and exit status 2 (check_stdout).
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

#ifndef SYNACK_VERSION
#define SYNACK_VERSION "unknown"
#endif

static const struct cli_verb VERBS[] = {
	{"pair", "two simulated ENC28J60 boards echo frames over a virtual link", cli_pair_main,
	 cli_pair_help},
	{"run", "run conformance scripts against a device under test", cli_run_main, cli_run_help},
	{"explain", "explain every RST and challenge ACK in a capture, by rule and arithmetic", cli_explain_main,
	 cli_explain_help},
	{"replay", "replay one side of a captured conversation against a DUT", cli_replay_main, cli_replay_help},
	{"pcap2script", "turn a captured conversation into a regression script", cli_pcap2script_main,
	 cli_pcap2script_help},
	{"serve", "serve the simulated board to real clients (libslirp) or the kernel (TAP)", cli_serve_main,
	 cli_serve_help},
	{"verify", "run the suites against a firmware image and record the verdict beside it", cli_verify_main,
	 cli_verify_help},
	{"diff", "random scenarios against two DUTs; divergences shrunk to minimal scripts", cli_diff_main,
	 cli_diff_help},
	{"flash", "program a board with a firmware image, only if its verification record passed", cli_flash_main,
	 cli_flash_help},
};
#define NVERBS (sizeof VERBS / sizeof VERBS[0])

static void usage(FILE *out)
{
	fprintf(out,
		"usage: synack <command> [options]\n"
		"       synack help <command>\n"
		"       synack --version\n"
		"\n"
		"Deterministic simulation and conformance harness for TCP/IP stacks on the\n"
		"Microchip ENC28J60.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(out, "  %-10s %s\n", VERBS[i].name, VERBS[i].summary);
	fprintf(out,
		"\n"
		"exit status: 0 success, 1 a failure was found, 2 usage or input error\n");
}

static const struct cli_verb *find_verb(const char *name)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(VERBS[i].name, name) == 0)
			return &VERBS[i];
	return NULL;
}

static int unknown(const char *name)
{
	fprintf(stderr, "synack: unknown command '%s' (see 'synack --help')\n", name);
	return CLI_USAGE;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("synack %s\n", SYNACK_VERSION);
		return CLI_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc == 2) {
			usage(stdout);
			return CLI_OK;
		}
		if (argc > 3) {
			fprintf(stderr, "synack help: expected one command, got %d\n", argc - 2);
			return CLI_USAGE;
		}
		const struct cli_verb *v = find_verb(argv[2]);
		if (v == NULL)
			return unknown(argv[2]);
		v->help(stdout);
		return CLI_OK;
	}
	if (cmd[0] == '-') {
		fprintf(stderr, "synack: unknown option '%s' (see 'synack --help')\n", cmd);
		return CLI_USAGE;
	}
	const struct cli_verb *v = find_verb(cmd);
	if (v == NULL)
		return unknown(cmd);
	return v->main(argc - 1, argv + 1);
}

/* Whatever a verb found, output that did not reach stdout (a full disk,
 * a closed descriptor) is an output error: reported, exit status 2. The
 * stream is closed here so that an error only close(2) sees counts too. */
static int check_stdout(int rc)
{
	errno = 0;
	bool bad = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;
	if (fclose(stdout) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (!bad)
		return rc;
	fprintf(stderr, "synack: error writing standard output: %s\n", strerror(e ? e : EIO));
	return CLI_USAGE;
}

int main(int argc, char **argv)
{
	return check_stdout(dispatch(argc, argv));
}
