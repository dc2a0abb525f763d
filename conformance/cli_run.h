/*
 * cli_run.h - what `synack run` (cli_run.c) and its report writers
 * (cli_run_report.c) share: one record per script, in sorted order.
 */
#ifndef CLI_RUN_H
#define CLI_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct dut_ops;

/* Verdicts, as engine_verdict plus input errors. */
enum cli_run_verdict {
	CLI_RUN_PASS = 0,
	CLI_RUN_FAIL,
	CLI_RUN_UNSUPPORTED,
	CLI_RUN_SKIPPED,
	CLI_RUN_ERROR,     /* malformed script, bad option, DUT would not start */
	CLI_RUN_NVERDICTS,
};

struct cli_run_item {
	char *path;
	char *suite;           /* the script's directory name */
	enum cli_run_verdict verdict;
	int line;
	uint64_t virtual_ns;
	char *messages;        /* "file:line: ..." lines */
	char *detail;          /* ladder and file names (failures) */
	char *pcap;            /* failure capture written, or NULL */
	bool dry_run;          /* parsed and checked only */
	char *diagnostics;     /* the chip model checker's lines, or NULL (no model) */
	bool write_failed;     /* a --pcap-dir file could not be written (detail says why) */
};

/* What the summary needs to know about the run itself, to say which
 * command runs the scripts it skipped. */
struct cli_run_context {
	const struct dut_ops *dut;     /* --dut (possibly a --mutate wrapper) */
	const char *dut_spec;          /* --dut as given, or NULL (for a board: its path) */
	uint8_t profile;               /* DUT_PROFILE_* of --profile */
	int64_t tolerance_ns;          /* --tolerance-usecs, or -1 */
	char *const *inputs;           /* the SCRIPT|DIR|SUITE arguments */
	size_t n_inputs;
};

const char *cli_run_verdict_name(enum cli_run_verdict v);
/* clock: "virtual" or "real time", after each duration. */
void cli_run_text(FILE *out, const struct cli_run_item *it, const char *clock);
void cli_run_json(FILE *out, const struct cli_run_item *it);
/* The per-suite table (or the JSON summary line), then, when scripts were
 * skipped, how many and the command(s) that run them. */
void cli_run_summary(FILE *out, const struct cli_run_item *items, size_t n, bool json,
		     const struct cli_run_context *ctx);
/* Writes the JUnit XML whole (sim/outfile.h): 0, or -1 with err naming the
 * file; the file is then absent (an older one is left as it was). */
int cli_run_junit(const char *path, const struct cli_run_item *items, size_t n, char *err, size_t errcap);

#endif /* CLI_RUN_H */
