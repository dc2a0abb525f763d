/*
 * cli.h - the `synack` command line: the verb table's entry type and the
 * helpers every verb shares for parsing flags and reporting errors.
 *
 * One file per verb (cli_<verb>.c) provides cli_<verb>_main() and
 * cli_<verb>_help(); cli_main.c lists them in its dispatch table. Exit
 * statuses are the same for every verb: 0 success, 1 a failure was found
 * (a test failed, a rule was broken), 2 bad usage or bad input.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum cli_status {
	CLI_OK = 0,
	CLI_FAIL = 1,
	CLI_USAGE = 2,
};

struct cli_verb {
	const char *name;
	const char *summary;
	/* argv[0] is the verb's name; the rest are its arguments. */
	int (*main)(int argc, char **argv);
	void (*help)(FILE *out);
};

/* Verbs. */
int cli_pair_main(int argc, char **argv);
void cli_pair_help(FILE *out);
int cli_run_main(int argc, char **argv);
void cli_run_help(FILE *out);
int cli_explain_main(int argc, char **argv);
void cli_explain_help(FILE *out);
int cli_pcap2script_main(int argc, char **argv);
void cli_pcap2script_help(FILE *out);
int cli_replay_main(int argc, char **argv);
void cli_replay_help(FILE *out);
int cli_serve_main(int argc, char **argv);
void cli_serve_help(FILE *out);
int cli_verify_main(int argc, char **argv);
void cli_verify_help(FILE *out);
int cli_flash_main(int argc, char **argv);
void cli_flash_help(FILE *out);
int cli_diff_main(int argc, char **argv);
void cli_diff_help(FILE *out);

/* cli_verify.c: the verification record of a firmware image,
 * "<stem>.verify.json" for IMAGE.elf, .hex, .ihex or .bin (false for any
 * other name or when it does not fit). `synack flash` looks there. */
bool cli_record_path(const char *image, char *out, size_t cap);

/* ---- Argument scanning shared by verbs (cli_args.c) ---- */
struct cli_args {
	const char *verb;  /* for messages: "synack <verb>: ..." */
	int argc;
	char **argv;
	int i;             /* next argument */
	const char *flag;  /* current flag, without "=value" */
	char flagbuf[64];
	const char *inline_value; /* value given as --flag=value */
};

void cli_args_init(struct cli_args *a, const char *verb, int argc, char **argv);
/* Next flag, or NULL when the arguments are used up. Positional arguments
 * and a lone "-" are errors here (no verb takes them yet): they are
 * reported and *bad is set. */
const char *cli_args_next(struct cli_args *a, bool *bad);
/* The current flag's value (from --flag=value or the next argument), or
 * NULL after reporting "missing value". */
const char *cli_args_value(struct cli_args *a);
/* Reject a value given to a flag that takes none. Returns false (after
 * reporting) when one was given. */
bool cli_args_no_value(struct cli_args *a);

/* Report "synack <verb>: <message>" on stderr. */
void cli_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a decimal integer in [min, max]. On error reports
 * "synack <verb>: <flag>: expected <what>, got '<s>'" and returns false. */
bool cli_parse_u64(const char *verb, const char *flag, const char *s, uint64_t min, uint64_t max,
		   const char *what, uint64_t *out);
/* Parse a decimal with up to `decimals` fractional digits, scaled by
 * 10^decimals (e.g. "2.5" with 3 decimals -> 2500), in [min, max] of the
 * scaled value. */
bool cli_parse_fixed(const char *verb, const char *flag, const char *s, unsigned decimals, uint64_t min,
		     uint64_t max, const char *what, uint64_t *out);
/* Parse "I/N", both decimal integers as above, 1 <= I <= N <= max. */
bool cli_parse_fraction(const char *verb, const char *flag, const char *s, uint64_t max, const char *what,
			uint64_t *i, uint64_t *n);

/* ---- Signals (cli_signal.c) ---- */
/* SIGINT / SIGTERM / SIGHUP: stop the workers, remove temporary output
 * files (sim/outfile.h), exit 128 + signal. For verbs that write files. */
void cli_signals_install(void);
/* fork() for a worker process: the parent tracks the child for the
 * handler, the child is killed if the parent dies (PR_SET_PDEATHSIG). */
pid_t cli_signals_fork(void);
/* The parent reaped `pid`: stop tracking it. */
void cli_signals_reaped(pid_t pid);

/* cli_run.c: the name of a profile setting for messages ("--profile"
 * values are parsed by engine_parse_profile, engine.h). */
const char *cli_profile_item(uint8_t bits, uint8_t prof);

/* cli_pcap2script.c: --dut-side, --conversation, --as-captured, --strict,
 * shared by pcap2script and replay. 1 = taken, 0 = not one of them, -1 =
 * reported error. */
struct xs_options;
int cli_xs_option(struct cli_args *a, const char *flag, struct xs_options *o);

#endif /* CLI_H */
