/*
 * cli_verify.c - `synack verify IMAGE.elf`: run the conformance suites
 * against a firmware image and write a verification record beside it,
 * which `synack flash` (cli_flash.c) checks before it programs a board.
 *
 *   IMAGE.elf -> sim/fw_image.h: its SHA-256, its flash bytes' SHA-256, the
 *     commit in its .synack_build note; IMAGE.hex/.bin beside it: their
 *     SHA-256 and whether they hold the same flash bytes
 *   AVR:   synack run --dut avr:IMAGE.elf --json     (the image itself, in simavr)
 *   STM32: synack run --dut sim --json               (no STM32 emulator here: the host
 *          build of core/; its commit must be the image's, the record says so)
 *   -> then each profile combination the first run's summary names for the
 *      same adapter (the scripts it skipped for their profile)
 *   -> <stem>.verify.json, complete or absent (sim/outfile.h)
 *
 * The runs are this executable started again (`run` with --json), read
 * back line by line with json_read.h, so verify sees exactly what `synack
 * run` reports. The record holds no wall-clock time: the same image, tree
 * and seed give the same record.
 *
 * Exit status: 0 the image passed (record written), 1 it failed (record
 * written, flash will refuse it), 2 bad usage or input (no record written).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "fw_image.h"
#include "json_read.h"
#include "outfile.h"
#include "synack_git_info.h"
#ifdef SYNACK_HAVE_AVR
#include "avr_host.h"
#endif

#define VERB "verify"
#ifndef SYNACK_VERSION
#define SYNACK_VERSION "unknown"
#endif
#define DEFAULT_PROFILE "rfc5961=on,rfc1337=off"
#define MAX_RUNS 16

void cli_verify_help(FILE *out)
{
	fprintf(out,
		"usage: synack verify IMAGE.elf [SCRIPT|DIR|SUITE]... [options]\n"
		"\n"
		"Runs the conformance suites (default: all) against a firmware image and\n"
		"writes a verification record beside it, IMAGE.verify.json, which\n"
		"'synack flash' checks before it programs a board:\n"
		"  AVR (ATmega328P): the image itself runs in simavr with the ENC28J60\n"
		"    model on its SPI pins (--dut avr:IMAGE.elf);\n"
		"  STM32: there is no emulator here, so the suites run against the host\n"
		"    build of the same core/ commit (--dut sim); the record says so, and\n"
		"    the image must have been built from the commit this synack was.\n"
		"The suites run under the default profile and then under every other\n"
		"profile combination their headers ask for. The record holds the image's\n"
		"SHA-256 (and its .hex and .bin beside it), each script's verdict per\n"
		"profile, the commit the image and synack were built from and whether\n"
		"their trees were dirty, and the tool versions.\n"
		"\n"
		"options:\n"
		"  -j, --jobs N   run in N worker processes\n"
		"  --seed N       run seed (default 1)\n"
		"  -h, --help     this help\n"
		"\n"
		"exit status: 0 the image passed; 1 it failed (the record says why);\n"
		"2 bad usage or input, no record written.\n");
}

/* ---- what the runs reported ---- */

struct vresult {
	char *script;
	char *profile;
	char *verdict;
	char *first_message;
};

struct vrun {
	char *profile;
	char *command;
	unsigned passed, failed, unsupported, skipped, errors;
};

struct verify {
	const char *image;
	char target[8];
	char dut[1100];
	uint64_t seed;
	unsigned jobs;
	char **inputs;
	size_t n_inputs;
	struct vresult *res;
	size_t n_res, cap_res;
	struct vrun runs[MAX_RUNS];
	size_t n_runs;
	char **reruns;                 /* commands of the first run's summary */
	size_t n_reruns;
};

static char *dup_s(const char *s)
{
	return strdup(s ? s : "");
}

static int add_result(struct verify *v, const char *script, const char *profile, const char *verdict,
		      const char *msg)
{
	if (v->n_res == v->cap_res) {
		size_t cap = v->cap_res ? v->cap_res * 2 : 512;
		struct vresult *n = realloc(v->res, cap * sizeof *n);
		if (n == NULL)
			return -1;
		v->res = n;
		v->cap_res = cap;
	}
	struct vresult *r = &v->res[v->n_res++];
	r->script = dup_s(script);
	r->profile = dup_s(profile);
	r->verdict = dup_s(verdict);
	r->first_message = dup_s(msg);
	return 0;
}

/* ---- running `synack run` ---- */

static int self_path(char *buf, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Runs argv with stdout into *out; returns its exit status, or -1. */
static int run_child(char *const argv[], char **out, size_t *outlen)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	fflush(stdout);
	pid_t pid = cli_signals_fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (buf != NULL && n + 4096 > cap) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
			} else {
				buf = nb;
				cap *= 2;
			}
		}
		char sink[4096];
		ssize_t k = buf ? read(fd[0], buf + n, cap - n - 1) : read(fd[0], sink, sizeof sink);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (buf)
			n += (size_t)k;
	}
	close(fd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	cli_signals_reaped(pid);
	if (buf == NULL)
		return -1;
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The value after `flag` in a command's words, or NULL. */
static const char *word_after(char **w, size_t n, const char *flag)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(w[i], flag) == 0)
			return w[i + 1];
	return NULL;
}

/* Splits a command the run summary printed (words, 'single quoted'). */
static size_t split_words(const char *cmd, char **w, size_t cap, char *store, size_t storecap)
{
	size_t n = 0, used = 0;
	const char *p = cmd;
	while (*p && n < cap) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w[n++] = store + used;
		while (*p && *p != ' ' && used + 1 < storecap) {
			if (*p == '\'') {
				for (p++; *p && *p != '\'' && used + 1 < storecap; p++)
					store[used++] = *p;
				if (*p == '\'')
					p++;
				/* '\'' is quote, backslash-quote, quote: the backslash part */
				if (p[0] == '\\' && p[1] == '\'') {
					store[used++] = '\'';
					p += 2;
				}
				continue;
			}
			store[used++] = *p++;
		}
		store[used++] = '\0';
	}
	return n;
}

/* One `synack run`: its script verdicts go into v->res under `profile`,
 * its summary into v->runs; the first run's rerun commands are kept.
 * Returns 0, or -1 after reporting. */
static int one_run(struct verify *v, char **words, size_t nw, const char *profile, const char *shown)
{
	char self[4096], jobs[16], seed[32];
	if (self_path(self, sizeof self) != 0) {
		cli_error(VERB, "cannot find this executable (/proc/self/exe)");
		return -1;
	}
	snprintf(jobs, sizeof jobs, "%u", v->jobs);
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)v->seed);
	char **argv = calloc(nw + 8, sizeof *argv);
	if (argv == NULL || v->n_runs == MAX_RUNS)
		return -1;
	size_t a = 0;
	argv[a++] = self;
	for (size_t i = 1; i < nw; i++)
		argv[a++] = words[i];
	argv[a++] = (char *)"--json";
	argv[a++] = (char *)"-j";
	argv[a++] = jobs;
	argv[a++] = (char *)"--seed";
	argv[a++] = seed;
	argv[a] = NULL;
	char *out = NULL;
	size_t len = 0;
	int rc = run_child(argv, &out, &len);
	free(argv);
	if (rc != 0 && rc != 1) {
		cli_error(VERB, "'%s' exited with status %d (its message is above)", shown, rc);
		free(out);
		return -1;
	}
	struct vrun *r = &v->runs[v->n_runs++];
	memset(r, 0, sizeof *r);
	r->profile = dup_s(profile);
	r->command = dup_s(shown);
	bool first = v->n_runs == 1, summary = false;
	for (char *line = out, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (line[0] != '{')
			continue;
		char err[128];
		struct json_value *j = json_parse(line, strlen(line), err, sizeof err);
		if (j == NULL)
			continue;
		const struct json_value *sum = json_get(j, "summary");
		if (sum != NULL) {
			summary = true;
			r->passed = (unsigned)json_number(json_get(sum, "passed"), 0);
			r->failed = (unsigned)json_number(json_get(sum, "failed"), 0);
			r->unsupported = (unsigned)json_number(json_get(sum, "unsupported"), 0);
			r->skipped = (unsigned)json_number(json_get(sum, "skipped"), 0);
			r->errors = (unsigned)json_number(json_get(sum, "errors"), 0);
			const struct json_value *rr = json_get(sum, "rerun");
			for (const struct json_value *e = rr ? rr->child : NULL; first && e; e = e->next) {
				const char *c = json_string(json_get(e, "command"));
				char **n = realloc(v->reruns, (v->n_reruns + 1) * sizeof *n);
				if (n == NULL)
					break;
				v->reruns = n;
				v->reruns[v->n_reruns++] = dup_s(c ? c : "");
			}
		} else if (json_string(json_get(j, "script")) != NULL) {
			const struct json_value *m = json_get(j, "messages");
			add_result(v, json_string(json_get(j, "script")), profile, json_string(json_get(j, "verdict")),
				   m && m->child ? json_string(m->child) : "");
		}
		json_free(j);
	}
	free(out);
	if (!summary) {
		cli_error(VERB, "'%s' printed no summary", shown);
		return -1;
	}
	printf("  %-60s %4u passed, %u failed, %u unsupported, %u skipped, %u errors\n", shown, r->passed, r->failed,
	       r->unsupported, r->skipped, r->errors);
	return 0;
}

/* ---- the record ---- */

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

bool cli_record_path(const char *image, char *out, size_t cap)
{
	size_t n = strlen(image);
	static const char *const EXT[] = {".elf", ".hex", ".ihex", ".bin"};
	for (size_t i = 0; i < sizeof EXT / sizeof EXT[0]; i++) {
		size_t k = strlen(EXT[i]);
		if (n > k && strcmp(image + n - k, EXT[i]) == 0) {
			int w = snprintf(out, cap, "%.*s.verify.json", (int)(n - k), image);
			return w > 0 && (size_t)w < cap;
		}
	}
	return false;
}

/* A file beside the image with another extension, if it exists. */
static bool sibling(const char *image, const char *ext, char *out, size_t cap)
{
	size_t n = strlen(image);
	if (n < 4)
		return false;
	int w = snprintf(out, cap, "%.*s%s", (int)(n - 4), image, ext);
	return w > 0 && (size_t)w < cap && access(out, R_OK) == 0;
}

struct image_facts {
	struct fw_image img;
	char sha[65], flash_sha[65];
	char commit[64], dirty[8];
};

static void write_files(FILE *f, const struct verify *v, const struct image_facts *im)
{
	static const char *const EXT[] = {".hex", ".bin"};
	bool any = false;
	fputs("  \"files\": [", f);
	for (size_t i = 0; i < 2; i++) {
		char path[4096], sha[65], err[512];
		struct fw_image other;
		if (!sibling(v->image, EXT[i], path, sizeof path) || fw_sha256_file(path, sha, err, sizeof err) != 0)
			continue;
		bool same = fw_image_read(path, im->img.base, &other, err, sizeof err) == 0 &&
			    fw_image_same_flash(&im->img, &other, i == 1);
		if (other.data)
			fw_image_free(&other);
		fprintf(f, "%s\n    {\"file\": ", any ? "," : "");
		jstr(f, base_name(path));
		fputs(", \"sha256\": ", f);
		jstr(f, sha);
		fprintf(f, ", \"same_flash_as_elf\": %s}", same ? "true" : "false");
		any = true;
	}
	fputs(any ? "\n  ],\n" : "],\n", f);
}

/* Why a script never ran: the skip message that names a behaviour
 * profile (the reason no profile of this adapter runs it), else the
 * first run's. */
static const char *not_run_reason(const struct verify *v, const char *script, const char *dflt)
{
	for (size_t i = 0; i < v->n_res; i++)
		if (strcmp(v->res[i].script, script) == 0 && strstr(v->res[i].first_message, "needs profile") != NULL)
			return v->res[i].first_message;
	return dflt;
}

/* Whether a script ran (not skipped) under some profile. */
static bool ran(const struct verify *v, const char *script)
{
	for (size_t i = 0; i < v->n_res; i++)
		if (strcmp(v->res[i].script, script) == 0 && strcmp(v->res[i].verdict, "skipped") != 0)
			return true;
	return false;
}

static int write_record(const struct verify *v, const struct image_facts *im, bool passed, const char *reason,
			const char *ran_on, const char *path)
{
	struct sim_outfile o;
	char err[512];
	if (sim_outfile_open(&o, path, err, sizeof err) != 0) {
		cli_error(VERB, "%s", err);
		return -1;
	}
	FILE *f = o.f;
	fprintf(f, "{\n  \"format\": \"synack-verification 1\",\n  \"passed\": %s,\n  \"reason\": ", passed ? "true" : "false");
	jstr(f, reason);
	fputs(",\n  \"target\": ", f);
	jstr(f, v->target);
	fputs(",\n  \"image\": {\"file\": ", f);
	jstr(f, base_name(v->image));
	fputs(", \"sha256\": ", f);
	jstr(f, im->sha);
	fprintf(f, ", \"flash_sha256\": \"%s\", \"flash_base\": %u, \"flash_size\": %u,\n            \"built_from\": {\"commit\": ",
		im->flash_sha, im->img.base, im->img.size);
	jstr(f, im->commit);
	fprintf(f, ", \"dirty\": %s}, \"compiler\": ", strcmp(im->dirty, "0") == 0 ? "false" : "true");
	jstr(f, im->img.comment);
	fputs("},\n", f);
	write_files(f, v, im);
	fputs("  \"suites_ran_on\": ", f);
	jstr(f, ran_on);
	fputs(",\n  \"harness\": {\"synack\": ", f);
	jstr(f, SYNACK_VERSION);
	fputs(", \"commit\": ", f);
	jstr(f, SYNACK_GIT_COMMIT);
	fprintf(f, ", \"dirty\": %s, \"host_compiler\": ", SYNACK_GIT_DIRTY ? "true" : "false");
	jstr(f, "gcc " __VERSION__);
#ifdef SYNACK_HAVE_AVR
	fputs(", \"simavr\": ", f);
	jstr(f, sim_avr_simavr_version());
#endif
	fprintf(f, "},\n  \"seed\": %llu,\n  \"inputs\": [", (unsigned long long)v->seed);
	for (size_t i = 0; i < v->n_inputs; i++) {
		fputs(i ? ", " : "", f);
		jstr(f, v->inputs[i]);
	}
	fputs("],\n  \"runs\": [", f);
	for (size_t i = 0; i < v->n_runs; i++) {
		const struct vrun *r = &v->runs[i];
		fputs(i ? ",\n    {\"command\": " : "\n    {\"command\": ", f);
		jstr(f, r->command);
		fputs(", \"profile\": ", f);
		jstr(f, r->profile);
		fprintf(f, ", \"passed\": %u, \"failed\": %u, \"unsupported\": %u, \"skipped\": %u, \"errors\": %u}",
			r->passed, r->failed, r->unsupported, r->skipped, r->errors);
	}
	fputs("\n  ],\n  \"scripts\": [", f);
	bool first = true;
	for (size_t i = 0; i < v->n_res; i++) {
		const struct vresult *r = &v->res[i];
		if (strcmp(r->verdict, "skipped") == 0)
			continue;
		fputs(first ? "\n    {\"script\": " : ",\n    {\"script\": ", f);
		first = false;
		jstr(f, r->script);
		fputs(", \"profile\": ", f);
		jstr(f, r->profile);
		fputs(", \"verdict\": ", f);
		jstr(f, r->verdict);
		if (strcmp(r->verdict, "pass") != 0) {
			fputs(", \"message\": ", f);
			jstr(f, r->first_message);
		}
		fputs("}", f);
	}
	fputs("\n  ],\n  \"not_run\": [", f);
	first = true;
	for (size_t i = 0; i < v->n_res; i++) {
		const struct vresult *r = &v->res[i];
		if (v->n_runs == 0 || strcmp(r->profile, v->runs[0].profile) != 0 || ran(v, r->script))
			continue;
		fputs(first ? "\n    {\"script\": " : ",\n    {\"script\": ", f);
		first = false;
		jstr(f, r->script);
		fputs(", \"reason\": ", f);
		jstr(f, not_run_reason(v, r->script, r->first_message));
		fputs("}", f);
	}
	fputs("\n  ]\n}\n", f);
	if (sim_outfile_commit(&o, err, sizeof err) != 0) {
		cli_error(VERB, "%s", err);
		return -1;
	}
	return 0;
}

/* ---- the verb ---- */

static void free_verify(struct verify *v)
{
	for (size_t i = 0; i < v->n_res; i++) {
		free(v->res[i].script);
		free(v->res[i].profile);
		free(v->res[i].verdict);
		free(v->res[i].first_message);
	}
	free(v->res);
	for (size_t i = 0; i < v->n_runs; i++) {
		free(v->runs[i].profile);
		free(v->runs[i].command);
	}
	for (size_t i = 0; i < v->n_reruns; i++)
		free(v->reruns[i]);
	free(v->reruns);
}

static int parse_args(struct verify *v, int argc, char **argv, bool *help)
{
	struct cli_args a;
	const char *flag, *val;
	bool bad = false;
	uint64_t n;
	cli_args_init(&a, VERB, argc, argv);
	for (;;) {
		if (a.i < a.argc && a.argv[a.i][0] != '-') {
			if (v->image == NULL)
				v->image = a.argv[a.i++];
			else
				v->inputs[v->n_inputs++] = a.argv[a.i++];
			continue;
		}
		if (a.i < a.argc && strncmp(a.argv[a.i], "-j", 2) == 0) {
			const char *jv = a.argv[a.i][2] ? a.argv[a.i] + 2 : (a.i + 1 < a.argc ? a.argv[a.i + 1] : NULL);
			a.i += a.argv[a.i][2] ? 1 : 2;
			if (jv == NULL) {
				cli_error(VERB, "-j: missing value");
				return CLI_USAGE;
			}
			if (!cli_parse_u64(VERB, "-j", jv, 1, 256, "a number of jobs (1..256)", &n))
				return CLI_USAGE;
			v->jobs = (unsigned)n;
			continue;
		}
		if ((flag = cli_args_next(&a, &bad)) == NULL)
			break;
		if (strcmp(flag, "--help") == 0) {
			*help = true;
		} else if (strcmp(flag, "--jobs") == 0) {
			if ((val = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, "-j", val, 1, 256, "a number of jobs (1..256)", &n))
				return CLI_USAGE;
			v->jobs = (unsigned)n;
		} else if (strcmp(flag, "--seed") == 0) {
			if ((val = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, val, 0, UINT64_MAX, "a non-negative integer", &v->seed))
				return CLI_USAGE;
		} else {
			cli_error(VERB, "unknown option '%s' (see 'synack help verify')", flag);
			return CLI_USAGE;
		}
	}
	if (bad)
		return CLI_USAGE;
	if (*help)
		return CLI_OK;
	if (v->image == NULL) {
		cli_error(VERB, "expected IMAGE.elf (see 'synack help verify')");
		return CLI_USAGE;
	}
	return CLI_OK;
}

/* The image's facts: hashes, target, the commit it was built from. */
static int read_image(struct verify *v, struct image_facts *im)
{
	char err[1200];
	size_t n = strlen(v->image);
	if (n < 5 || strcmp(v->image + n - 4, ".elf") != 0) {
		cli_error(VERB, "%s: expected the image's .elf (the .hex and .bin beside it are checked against it)",
			  v->image);
		return -1;
	}
	if (fw_image_read_elf(v->image, &im->img, err, sizeof err) != 0 ||
	    fw_sha256_file(v->image, im->sha, err, sizeof err) != 0) {
		cli_error(VERB, "%s", err);
		return -1;
	}
	fw_sha256_hex(im->img.data, im->img.size, im->flash_sha);
	if (im->img.machine == FW_EM_AVR) {
		snprintf(v->target, sizeof v->target, "avr");
	} else if (im->img.machine == FW_EM_ARM) {
		snprintf(v->target, sizeof v->target, "stm32");
	} else {
		cli_error(VERB, "%s: an ELF for machine %u: synack verifies AVR (%u) and STM32 (ARM, %u) images",
			  v->image, im->img.machine, FW_EM_AVR, FW_EM_ARM);
		return -1;
	}
	if (!fw_image_build_field(&im->img, "commit", im->commit, sizeof im->commit))
		snprintf(im->commit, sizeof im->commit, "unknown");
	if (!fw_image_build_field(&im->img, "dirty", im->dirty, sizeof im->dirty))
		snprintf(im->dirty, sizeof im->dirty, "1");
	return 0;
}

int cli_verify_main(int argc, char **argv)
{
	struct verify v;
	struct image_facts im;
	bool help = false;
	memset(&v, 0, sizeof v);
	memset(&im, 0, sizeof im);
	v.seed = 1;
	v.jobs = 1;
	v.inputs = calloc((size_t)argc + 1, sizeof *v.inputs);
	if (v.inputs == NULL)
		return CLI_USAGE;
	int rc = parse_args(&v, argc, argv, &help);
	if (rc != CLI_OK || help) {
		if (help)
			cli_verify_help(stdout);
		free(v.inputs);
		return rc;
	}
	cli_signals_install();
	char record[4200], ran_on[1400], reason[1600];
	rc = CLI_USAGE;
	if (read_image(&v, &im) != 0)
		goto out;
	if (!cli_record_path(v.image, record, sizeof record)) {
		cli_error(VERB, "%s: the record's name would be too long", v.image);
		goto out;
	}
	bool stm32 = strcmp(v.target, "stm32") == 0;
	if (stm32) {
		snprintf(v.dut, sizeof v.dut, "sim");
		snprintf(ran_on, sizeof ran_on,
			 "sim: the host build of core/ at commit %s%s (there is no STM32 emulator here; the image was "
			 "built from commit %s%s)",
			 SYNACK_GIT_COMMIT, SYNACK_GIT_DIRTY ? " with uncommitted changes" : "", im.commit,
			 strcmp(im.dirty, "0") == 0 ? "" : " with uncommitted changes");
	} else {
#ifndef SYNACK_HAVE_AVR
		cli_error(VERB, "%s: this synack was built without simavr, so it cannot run AVR images "
				"(install libsimavr-dev and rebuild)", v.image);
		goto out;
#else
		snprintf(v.dut, sizeof v.dut, "avr:%s", v.image);
		snprintf(ran_on, sizeof ran_on, "avr:%s: the image itself, in simavr %s with the ENC28J60 model",
			 base_name(v.image), sim_avr_simavr_version());
#endif
	}
	printf("verify: %s (%s, sha256 %s)\n", v.image, v.target, im.sha);

	/* The first run: the default profile; its summary names the rest. */
	{
		char **w = calloc(v.n_inputs + 4, sizeof *w);
		char shown[2048];
		if (w == NULL)
			goto out;
		size_t nw = 0;
		w[nw++] = (char *)"synack";
		w[nw++] = (char *)"run";
		if (!stm32) {
			w[nw++] = (char *)"--dut";
			w[nw++] = v.dut;
		}
		for (size_t i = 0; i < v.n_inputs; i++)
			w[nw++] = v.inputs[i];
		snprintf(shown, sizeof shown, "synack run%s%s", stm32 ? "" : " --dut ", stm32 ? "" : v.dut);
		int r = one_run(&v, w, nw, DEFAULT_PROFILE, shown);
		free(w);
		if (r != 0)
			goto out;
	}
	for (size_t i = 0; i < v.n_reruns; i++) {
		char store[4096], *w[64];
		size_t nw = split_words(v.reruns[i], w, 64, store, sizeof store);
		const char *d = word_after(w, nw, "--dut");
		bool ours = nw >= 2 && strcmp(w[1], "run") == 0 &&
			    (stm32 ? d == NULL : (d != NULL && strcmp(d, v.dut) == 0));
		if (!ours)
			continue; /* another adapter's (tap): listed under not_run */
		const char *prof = word_after(w, nw, "--profile");
		if (one_run(&v, w, nw, prof ? prof : DEFAULT_PROFILE, v.reruns[i]) != 0)
			goto out;
	}

	/* Scripts written against Linux's wire (linux-wire) run on sim, and
	 * so here, with options and window not compared, as the skip message
	 * of the first run says. */
	{
		size_t nw = 0, cap = 8;
		char **w = malloc(cap * sizeof *w);
		char shown[2200];
		bool any = false;
		if (w == NULL)
			goto out;
		w[nw++] = (char *)"synack";
		w[nw++] = (char *)"run";
		if (!stm32) {
			w[nw++] = (char *)"--dut";
			w[nw++] = v.dut;
		}
		w[nw++] = (char *)"--ignore=options,win";
		size_t first_n = v.n_res;
		for (size_t i = 0; i < first_n; i++) {
			const struct vresult *r = &v.res[i];
			if (strcmp(r->profile, DEFAULT_PROFILE) != 0 || strcmp(r->verdict, "skipped") != 0 ||
			    strstr(r->first_message, "--ignore=options,win") == NULL)
				continue;
			if (nw + 1 >= cap) {
				char **nv = realloc(w, cap * 2 * sizeof *nv);
				if (nv == NULL)
					break;
				w = nv;
				cap *= 2;
			}
			w[nw++] = r->script;
			any = true;
		}
		snprintf(shown, sizeof shown, "synack run%s%s --ignore=options,win (the linux-wire scripts)",
			 stm32 ? "" : " --dut ", stm32 ? "" : v.dut);
		int r = any ? one_run(&v, w, nw, DEFAULT_PROFILE " options,win not compared", shown) : 0;
		free(w);
		if (r != 0)
			goto out;
	}

	unsigned failed = 0, errors = 0, passed_n = 0;
	for (size_t i = 0; i < v.n_runs; i++) {
		failed += v.runs[i].failed;
		errors += v.runs[i].errors;
		passed_n += v.runs[i].passed;
	}
	bool passed = failed == 0 && errors == 0 && passed_n > 0;
	if (!passed)
		snprintf(reason, sizeof reason, "%u script runs failed and %u had errors", failed, errors);
	else
		snprintf(reason, sizeof reason, "%u script runs passed in %zu runs, none failed", passed_n, v.n_runs);
	if (stm32 && passed && strcmp(im.commit, SYNACK_GIT_COMMIT) != 0) {
		passed = false;
		snprintf(reason, sizeof reason,
			 "the suites ran on the host build of core/ at commit %s, but the image was built from commit %s: "
			 "they say nothing about it (build the image and synack from the same commit)",
			 SYNACK_GIT_COMMIT, im.commit);
	}
	if (write_record(&v, &im, passed, reason, ran_on, record) != 0)
		goto out;
	printf("verify: %s: %s (%s)\n", record, passed ? "PASSED" : "FAILED", reason);
	rc = passed ? CLI_OK : CLI_FAIL;
out:
	if (im.img.data)
		fw_image_free(&im.img);
	free_verify(&v);
	free(v.inputs);
	return rc;
}
