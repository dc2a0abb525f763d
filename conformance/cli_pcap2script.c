/*
 * cli_pcap2script.c - `synack pcap2script CAPTURE -o FILE`: keep a
 * captured conversation as a regression script (capture/to_script.c).
 * The script is parsed back before it is written, so what lands in FILE
 * always runs with `synack run`; FILE is written to a temporary file and
 * renamed.
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "outfile.h"
#include "script.h"
#include "to_script.h"

#define VERB "pcap2script"

void cli_pcap2script_help(FILE *out)
{
	fprintf(out,
		"usage: synack pcap2script CAPTURE [-o FILE] [--dut-side IP:PORT] [--conversation N]\n"
		"                          [--as-captured] [--strict]\n"
		"\n"
		"Writes one TCP conversation of a capture as a conformance script that\n"
		"`synack run` replays against any DUT: the other end's segments are injected\n"
		"at the capture's times, the DUT's are expected, with sequence numbers\n"
		"relative to the DUT's ISN. Comments carry the frame numbers and what\n"
		"`synack explain` says about each frame. Where the capture shows a fault of\n"
		"the DUT's stack (the seed's SYN-ACK acknowledging 0), the script expects\n"
		"what the RFC requires instead and stops there.\n"
		"\n"
		"options:\n"
		"  -o, --output FILE   where to write the script (default: standard output)\n"
		"  --dut-side IP:PORT  the end that is the device under test (default: the end\n"
		"                      that listens, i.e. received the SYN)\n"
		"  --conversation N    which conversation, numbered as explain prints them\n"
		"                      (default: the first with a RST, else the first)\n"
		"  --as-captured       expect the DUT's segments as captured, faults included\n"
		"  --strict            compare windows and options too\n"
		"  -h, --help          this help\n"
		"\n"
		"exit status: 0 written; 2 bad usage, a bad capture, or a conversation that\n"
		"cannot be replayed (e.g. the capture starts after its handshake)\n");
}

/* Shared with cli_replay.c: the options both verbs take. Returns 1 when
 * `flag` was one of them, 0 when not, -1 after reporting an error. */
int cli_xs_option(struct cli_args *a, const char *flag, struct xs_options *o)
{
	const char *v;
	uint64_t n;
	if (strcmp(flag, "--dut-side") == 0) {
		if ((v = cli_args_value(a)) == NULL)
			return -1;
		o->dut_side = v;
		return 1;
	}
	if (strcmp(flag, "--conversation") == 0) {
		if ((v = cli_args_value(a)) == NULL ||
		    !cli_parse_u64(a->verb, flag, v, 1, UINT32_MAX, "a conversation number (1, 2, ...)", &n))
			return -1;
		o->conversation = (uint32_t)n;
		return 1;
	}
	if (strcmp(flag, "--as-captured") == 0 || strcmp(flag, "--strict") == 0) {
		if (!cli_args_no_value(a))
			return -1;
		if (flag[2] == 'a')
			o->as_captured = true;
		else
			o->strict = true;
		return 1;
	}
	return 0;
}

int cli_pcap2script_main(int argc, char **argv)
{
	struct cli_args a;
	const char *flag, *path = NULL, *out = NULL;
	bool bad = false;
	struct xs_options o;
	memset(&o, 0, sizeof o);
	cli_args_init(&a, VERB, argc, argv);
	for (;;) {
		if (a.i < a.argc && strcmp(a.argv[a.i], "-o") == 0) {
			a.i++;
			if (a.i >= a.argc) {
				cli_error(VERB, "-o: missing value");
				return CLI_USAGE;
			}
			out = a.argv[a.i++];
			continue;
		}
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
		int k = cli_xs_option(&a, flag, &o);
		if (k < 0)
			return CLI_USAGE;
		if (k > 0)
			continue;
		if (strcmp(flag, "--help") == 0) {
			cli_pcap2script_help(stdout);
			return CLI_OK;
		} else if (strcmp(flag, "--output") == 0) {
			if ((out = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else {
			cli_error(VERB, "unknown option '%s' (see 'synack help pcap2script')", flag);
			return CLI_USAGE;
		}
	}
	if (bad)
		return CLI_USAGE;
	if (path == NULL) {
		cli_error(VERB, "expected a capture file (see 'synack help pcap2script')");
		return CLI_USAGE;
	}
	if (out != NULL && sim_same_file(out, path)) {
		cli_error(VERB, "-o: '%s' is the capture itself; refusing to overwrite it", out);
		return CLI_USAGE;
	}
	cli_signals_install(); /* ^C removes the temporary output files */
	struct xs_result r;
	struct cap_error err;
	if (xs_build(path, &o, &r, &err) != 0) {
		fprintf(stderr, "synack pcap2script: %s\n", err.msg);
		xs_result_free(&r);
		return CLI_USAGE;
	}
	/* What we write must parse: check before anything lands on disk. */
	struct script *s = NULL;
	struct script_error se;
	if (script_parse_string(out ? out : "<stdout>", r.script, strlen(r.script), &s, &se) != SCRIPT_OK) {
		fprintf(stderr, "synack pcap2script: internal error, the script does not parse: %s\n", se.text);
		xs_result_free(&r);
		return CLI_USAGE;
	}
	script_free(s);
	int status = CLI_OK;
	if (out == NULL || strcmp(out, "-") == 0) {
		fputs(r.script, stdout);
	} else {
		struct sim_outfile f;
		char e[400];
		if (sim_outfile_open(&f, out, e, sizeof e) != 0) {
			cli_error(VERB, "%s", e);
			status = CLI_USAGE;
		} else {
			fputs(r.script, f.f);
			if (sim_outfile_commit(&f, e, sizeof e) != 0) {
				cli_error(VERB, "%s", e);
				status = CLI_USAGE;
			} else {
				fprintf(stderr, "synack pcap2script: wrote %s (conversation %u, %s as the DUT%s%s)\n", out,
					r.conv.id, r.conv.name[r.dut], r.stop_frame ? "; " : "",
					r.stop_frame ? "stops at a corrected fault" : "");
			}
		}
	}
	xs_result_free(&r);
	return status;
}
