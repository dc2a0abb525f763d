/*
 * link_pcap.c - runs scripts on the sim DUT as `synack run` does and keeps
 * each run's whole-link capture (Ethernet, both directions): the source of
 * the stack and capture harnesses' seeds (fuzz/gen_seeds.py). Not a test,
 * not installed: `cmake --build build --target fuzz_link_pcap`.
 *
 *   fuzz_link_pcap OUT_DIR SCRIPT...   writes OUT_DIR/<n>.pcap per script
 *                                      (n: its position) and prints
 *                                      "<n> <verdict> <script>"
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "script.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fuzz_link_pcap OUT_DIR SCRIPT...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		struct script *s;
		struct script_error e;
		if (script_parse_file(argv[i], &s, &e) != SCRIPT_OK) {
			fprintf(stderr, "%s\n", e.text);
			return 2;
		}
		char out[4096], err[600];
		snprintf(out, sizeof out, "%s/%d.pcap", argv[1], i - 1);
		struct engine_options o;
		engine_options_defaults(&o);
		o.dut_ops = engine_find_dut("sim");
		o.adapter_pcap = out;
		if (!engine_check_options(s, &o, err, sizeof err) || engine_skip_reason(s, &o, err, sizeof err)) {
			printf("%d skipped %s\n", i - 1, argv[i]);
			script_free(s);
			continue;
		}
		struct engine_result r;
		engine_run(s, &o, &r);
		printf("%d %s %s\n", i - 1, engine_verdict_name(r.verdict), argv[i]);
		engine_result_free(&r);
		script_free(s);
	}
	return 0;
}
