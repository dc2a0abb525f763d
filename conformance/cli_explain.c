/*
 * cli_explain.c - `synack explain CAPTURE`: why did each RST, challenge ACK
 * and answer to an unacceptable segment happen, by rule and arithmetic.
 *
 *   capture/reader.c (libpcap) ──> capture/observe.c ──> report_text | report_json
 *                                                    └──> report_html (--html FILE)
 *
 * Exit: 0 the capture was read to its end and explained; 2 bad usage or a
 * bad capture (the message names the frame; whatever was explained before
 * it is still printed, and --html still writes the page for it).
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "explain.h"
#include "outfile.h"
#include "report.h"

#define VERB "explain"

void cli_explain_help(FILE *out)
{
	fprintf(out,
		"usage: synack explain CAPTURE [--json] [--html FILE]\n"
		"       synack explain --rules\n"
		"\n"
		"Follows every TCP conversation in a capture (pcap or pcapng; Ethernet, Linux\n"
		"cooked v1/v2, raw IP, BSD loopback; IPv4 and IPv6) as a passive observer of\n"
		"both ends, and explains every RST, challenge ACK and ACK answering an\n"
		"unacceptable segment: which frame caused it, the state of its sender, the\n"
		"rule (RFC 9293 §3.10.7.3, RFC 5961 §3.2, RFC 793 reset generation group 2,\n"
		"...) and the arithmetic modulo 2^32 with the capture's numbers. Also: RSTs\n"
		"ignored outside the window, SYNs in synchronized states, ACKs of data never\n"
		"sent, zero windows, bad checksums, retransmissions. A RST that fits no rule\n"
		"is reported as unexplained. Frames are numbered from 1, as in Wireshark.\n"
		"\n"
		"options:\n"
		"  --json        JSON Lines: one object per explained segment, one per\n"
		"                conversation, a summary last (schema: conformance/capture/README.md)\n"
		"  --html FILE   also write one self-contained page with an SVG ladder\n"
		"  --rules       list the rules (id, kind, references, meaning) and exit\n"
		"  -h, --help    this help\n"
		"\n"
		"exit status: 0 explained; 2 bad usage or a bad capture (the frame is named)\n");
}

int cli_explain_main(int argc, char **argv)
{
	struct cli_args a;
	const char *flag, *path = NULL, *html = NULL;
	bool json = false, bad = false;
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
		if (strcmp(flag, "--help") == 0) {
			cli_explain_help(stdout);
			return CLI_OK;
		} else if (strcmp(flag, "--json") == 0) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			json = true;
		} else if (strcmp(flag, "--rules") == 0) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			size_t n;
			const struct xp_rule *r = xp_rules(&n);
			for (size_t i = 0; i < n; i++) {
				printf("%s\t%s\t", r[i].id, r[i].kind);
				for (int k = 0; k < XP_MAX_REFS && r[i].refs[k]; k++)
					printf("%s%s", k ? "; " : "", r[i].refs[k]);
				printf("\t%s\n", r[i].title);
			}
			return CLI_OK;
		} else if (strcmp(flag, "--html") == 0) {
			if ((html = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else {
			cli_error(VERB, "unknown option '%s' (see 'synack help explain')", flag);
			return CLI_USAGE;
		}
	}
	if (bad)
		return CLI_USAGE;
	if (path == NULL) {
		cli_error(VERB, "expected a capture file (see 'synack help explain')");
		return CLI_USAGE;
	}
	if (html != NULL && sim_same_file(html, path)) {
		cli_error(VERB, "--html: '%s' is the capture itself; refusing to overwrite it", html);
		return CLI_USAGE;
	}

	cli_signals_install(); /* ^C removes the temporary output files */
	struct cap_reader *r;
	struct cap_error err;
	if (cap_open(&r, path, &err) != 0) {
		fprintf(stderr, "synack explain: %s\n", err.msg);
		return CLI_USAGE;
	}
	struct report_file rf = {path, cap_format(r), cap_linktype_desc(r), cap_file_nanoseconds(r), 0, false};
	struct cap_pkt p;
	memset(&p, 0, sizeof p);
	/* The first frame sets time 0 for every report, as Wireshark does. */
	int rc = cap_next(r, &p, &err);
	if (rc == 1) {
		rf.t0_ns = p.ts_ns;
		rf.have_t0 = true;
	}
	struct report_text *rt = NULL;
	struct report_json *rj = NULL;
	struct report_html *rh = NULL;
	struct report_fanout fan;
	memset(&fan, 0, sizeof fan);
	if (json) {
		rj = report_json_new(stdout, &rf);
		fan.sink[fan.n] = report_json_sink();
		fan.ctx[fan.n++] = rj;
	} else {
		rt = report_text_new(stdout, &rf);
		fan.sink[fan.n] = report_text_sink();
		fan.ctx[fan.n++] = rt;
	}
	if (html) {
		rh = report_html_new(&rf);
		fan.sink[fan.n] = report_html_sink();
		fan.ctx[fan.n++] = rh;
	}
	struct explain *x = xp_new(report_fanout_sink(), &fan);
	if (x == NULL || (json && rj == NULL) || (!json && rt == NULL) || (html && rh == NULL)) {
		cli_error(VERB, "out of memory");
		cap_close(r);
		return CLI_USAGE;
	}
	while (rc == 1) {
		xp_packet(x, &p);
		rc = cap_next(r, &p, &err);
	}
	xp_finish(x);
	const char *stop = rc < 0 ? err.msg : NULL;
	const struct xp_summary *sum = xp_summary(x);
	if (rj)
		report_json_finish(rj, sum, stop);
	if (rt)
		report_text_finish(rt, sum, stop);
	int status = rc < 0 ? CLI_USAGE : CLI_OK;
	if (rh) {
		char e[400];
		if (report_html_write(rh, html, sum, stop, e, sizeof e) != 0) {
			cli_error(VERB, "--html: %s", e);
			status = CLI_USAGE;
		}
	}
	if (rc < 0)
		fprintf(stderr, "synack explain: %s\n", err.msg);
	xp_free(x);
	report_text_free(rt);
	report_json_free(rj);
	report_html_free(rh);
	cap_close(r);
	return status;
}
