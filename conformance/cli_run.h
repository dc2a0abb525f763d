/*
 * cli_run.h - what `synack run`'s three files share: its flags and script
 * list (cli_run.c), running them (cli_run_exec.c) and reporting the
 * records, one per script in sorted order (cli_run_report.c).
 */
#ifndef CLI_RUN_H
#define CLI_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "script.h"

struct dut_ops;

/* The parsed flags of one `synack run` (cli_run.c). */
struct cli_run_opts {
	const struct dut_ops *dut;
	const char *dut_spec;      /* --dut as given (a board's path), or NULL */
	uint8_t profile;
	uint64_t seed;
	unsigned jobs;
	unsigned shard_i, shard_n;
	const char *junit;
	bool json;
	const char *pcap_dir;
	bool ignore_options, ignore_win;
	bool skip_shell;           /* --skip-shell */
	int64_t tolerance_ns;
	const char *mutate;
	bool dry_run;
	bool help;
	/* -D / --define, in order; a later one of the same name wins. */
	struct script_define defines[64];
	size_t n_defines;
	const char *ip_version;    /* --ip-version, or NULL */
	const char *local_ip, *remote_ip; /* --local-ip / --remote-ip, or NULL */
};

/* A growable list of script paths. */
struct cli_run_paths {
	char **v;
	size_t n, cap;
};

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

/* cli_run_exec.c: the record of one script run in this process (verdict,
 * messages, a failure's capture and ladder under --pcap-dir). */
void cli_run_one(const struct cli_run_opts *o, const char *path, struct cli_run_item *it);
void cli_run_item_free(struct cli_run_item *it);
/* The script's suite name for the summary (malloc'd). */
char *cli_run_suite_of(const char *path);
/* -j N: runs the scripts in N forked workers and fills items[] in the
 * scripts' order; 0, or -1 when a worker failed. */
int cli_run_parallel(const struct cli_run_opts *o, struct cli_run_paths *scripts, struct cli_run_item *items);

#endif /* CLI_RUN_H */
