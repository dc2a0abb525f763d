/*
 * cli_replay.c - `synack replay CAPTURE`: play the other side of a
 * captured conversation against a DUT and say, frame by frame, where the
 * DUT departs from the capture (capture/replay.c). Any adapter `synack run`
 * has works, --mutate too.
 *
 * Exit: 0 reproduced, 1 the DUT departs (the frame is printed), 2 bad
 * usage, a bad capture, or a DUT that cannot run the replay.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "outfile.h"
#include "replay.h"

#define VERB "replay"

void cli_replay_help(FILE *out)
{
	fprintf(out,
		"usage: synack replay CAPTURE [--dut NAME] [--dut-side IP:PORT] [--conversation N]\n"
		"                     [--strict] [--json] [--mutate KIND] [--seed N]\n"
		"                     [--profile SPEC] [--tolerance-usecs N] [--pcap FILE] [--script FILE]\n"
		"\n"
		"Plays one side of a captured TCP conversation against a device under test:\n"
		"the other side's frames are injected at the capture's relative times\n"
		"(virtual time on sim, real time on tap), and the DUT's segments are\n"
		"compared with the captured ones, ISNs remapped and sequence numbers\n"
		"relative. Windows and options are compared only with --strict. The report\n"
		"goes frame by frame and stops where the conversation can no longer follow,\n"
		"with what `synack explain` says of the captured frame and of the DUT's.\n"
		"\n"
		"options:\n"
		"  --dut NAME          adapter, as for synack run: %s (default sim)\n"
		"  --dut-side IP:PORT  the end the DUT plays (default: the end that received the\n"
		"                      SYN, i.e. the server); either end can be the DUT\n"
		"  --conversation N    which conversation, numbered as explain prints them\n"
		"  --strict            compare windows and options too\n"
		"  --json              JSON Lines: one object per frame, a result object last\n"
		"  --mutate KIND       wrap the DUT (%s)\n"
		"  --seed N            run seed (default 1)\n"
		"  --profile SPEC      e.g. rfc5961=on,rfc1337=off\n"
		"  --tolerance-usecs N timing tolerance for real-time DUTs\n"
		"  --pcap FILE         write the replayed exchange (raw IP, ns timestamps)\n"
		"  --script FILE       write the script the replay ran\n"
		"  -h, --help          this help\n"
		"\n"
		"exit status: 0 the DUT reproduces the capture; 1 it departs (the first\n"
		"departing frame is printed); 2 bad usage or input\n",
		engine_dut_names(), engine_mutations());
}

int cli_replay_main(int argc, char **argv)
{
	struct cli_args a;
	const char *flag, *path = NULL, *v, *mutate = NULL;
	bool bad = false;
	uint64_t n;
	struct rp_options o;
	memset(&o, 0, sizeof o);
	o.dut = engine_find_dut("sim");
	o.profile = DUT_PROFILE_RFC5961;
	o.seed = 1;
	o.tolerance_ns = -1;
	cli_args_init(&a, VERB, argc, argv);
	for (;;) {
		if (a.i < a.argc && (a.argv[a.i][0] != '-' || strcmp(a.argv[a.i], "-") == 0)) {
			if (path != NULL) {
				cli_error(VERB, "one capture at a time: got '%s' and '%s'", path, a.argv[a.i]);
				return CLI_USAGE;
			}
			path = a.argv[a.i++];
			continue;
		}
		if ((flag = cli_args_next(&a, &bad)) == NULL)
			break;
		int k = cli_xs_option(&a, flag, &o.xs);
		if (k < 0)
			return CLI_USAGE;
		if (k > 0) {
			if (o.xs.as_captured) {
				cli_error(VERB, "--as-captured: a replay always compares with the capture as it is");
				return CLI_USAGE;
			}
			continue;
		}
		if (strcmp(flag, "--help") == 0) {
			cli_replay_help(stdout);
			return CLI_OK;
		} else if (strcmp(flag, "--json") == 0) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			o.json = true;
		} else if (strcmp(flag, "--dut") == 0) {
			if ((v = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
			char derr[400];
			if ((o.dut = engine_dut_lookup(v, derr, sizeof derr)) == NULL) {
				cli_error(VERB, "--dut: %s", derr);
				return CLI_USAGE;
			}
		} else if (strcmp(flag, "--mutate") == 0) {
			if ((mutate = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else if (strcmp(flag, "--seed") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, v, 0, UINT64_MAX, "a non-negative integer", &o.seed))
				return CLI_USAGE;
		} else if (strcmp(flag, "--profile") == 0) {
			if ((v = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
			if (!engine_parse_profile(v, &o.profile)) {
				cli_error(VERB, "--profile: expected e.g. rfc5961=on,rfc1337=off, got '%s'", v);
				return CLI_USAGE;
			}
		} else if (strcmp(flag, "--tolerance-usecs") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, v, 0, 1000000000, "microseconds", &n))
				return CLI_USAGE;
			o.tolerance_ns = (int64_t)n * 1000;
		} else if (strcmp(flag, "--pcap") == 0) {
			if ((o.pcap = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else if (strcmp(flag, "--script") == 0) {
			if ((o.script_out = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else {
			cli_error(VERB, "unknown option '%s' (see 'synack help replay')", flag);
			return CLI_USAGE;
		}
	}
	if (bad)
		return CLI_USAGE;
	if (path == NULL) {
		cli_error(VERB, "expected a capture file (see 'synack help replay')");
		return CLI_USAGE;
	}
	const char *outs[2] = {o.pcap, o.script_out};
	for (int i = 0; i < 2; i++)
		if (outs[i] && sim_same_file(outs[i], path)) {
			cli_error(VERB, "'%s' is the capture itself; refusing to overwrite it", outs[i]);
			return CLI_USAGE;
		}
	if (mutate != NULL) {
		char err[200];
		if ((o.dut = dut_mutate_wrap(o.dut, mutate, err, sizeof err)) == NULL) {
			cli_error(VERB, "--mutate: %s", err);
			return CLI_USAGE;
		}
	}
	uint8_t badp = (uint8_t)((o.profile & ~o.dut->profiles_supported) | (o.dut->profiles_fixed & ~o.profile));
	if (badp) {
		cli_error(VERB, "--profile: the %s DUT cannot run %s", o.dut->name, cli_profile_item(badp, o.profile));
		return CLI_USAGE;
	}
	cli_signals_install(); /* ^C removes the temporary output files */
	return rp_run(path, &o, stdout);
}
