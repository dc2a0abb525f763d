/*
 * cli_diff.c - `synack diff`: differential testing of two DUT adapters.
 *
 *   DUT_A, DUT_B (engine registry: sim, tap, board:PATH.so, avr:IMAGE.elf)
 *   -> a probe open on each: their receive windows (the generator's edges)
 *   -> scenario i of the campaign: diff_generate(seed, i) (conformance/diff)
 *      -> traced on A and on B through the engine, compared, classified
 *      -> a divergence: shrunk, written as OUT/div-<i>.pkt (the DUT A's
 *         segments as `>` lines), replayed on both to show the difference
 *   -> -j N: a pool of N forked workers, one scenario each, each writing
 *      its record to an unnamed temporary file; the parent takes them in
 *      index order
 *   -> every 16 scenarios taken OUT/state (the counts so far) is replaced,
 *      so a stopped campaign (SIGINT) resumes with --resume where it stood
 *
 * Same seed, DUTs and count: byte-identical stdout and files on virtual-time
 * DUTs. Progress goes to stderr, only on a terminal.
 * Exit: 0 no divergence, 1 a divergence (or a scenario a DUT could not
 * run), 2 bad usage, a DUT that does not open, an unusable --out.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "diff.h"
#include "engine.h"
#include "outfile.h"

#define VERB "diff"
#define MAX_JOBS 256u
#define MAX_TALLY 256u

void cli_diff_help(FILE *out)
{
	fprintf(out,
		"usage: synack diff [options] DUT_A DUT_B\n"
		"\n"
		"Runs random scenarios (an open, then segments with seq/ack on every edge,\n"
		"application actions, time jumps across the retransmission, zero-window and\n"
		"TIME-WAIT timers) against two devices under test and compares what they\n"
		"send, normalised (options, windows, retransmission timing, ACK rate limits).\n"
		"A difference listed in conformance/diff/KNOWN.md is counted under its\n"
		"profile name; any other is shrunk to a minimal script, written to\n"
		"OUT/div-<scenario>.pkt, that `synack run --dut DUT_A` passes and\n"
		"`synack run --dut DUT_B` fails.\n"
		"\n"
		"DUTs: %s\n"
		"\n"
		"options:\n"
		"  --seed N              campaign seed (default 1): the same seed gives the\n"
		"                        same scenarios (and, on sim, the same output)\n"
		"  -n, --count N         scenarios (default 100)\n"
		"  -j, --jobs N          run in N worker processes (each tap run in its own\n"
		"                        network namespace; output order unchanged)\n"
		"  --out DIR             state, summary and divergence scripts (default\n"
		"                        synack-diff)\n"
		"  --resume              continue the campaign recorded in DIR\n"
		"  --profile SPEC        RFC profiles for both DUTs (as synack run)\n"
		"  --mutate NAME         rewrite what DUT_B emits (%s): a\n"
		"                        power check, the campaign must find it\n"
		"  --shrink-tries N      runs the shrinker may spend per divergence (default 60)\n"
		"  --tolerance-usecs N   timing tolerance for real-time DUTs (default 50000)\n"
		"  -v, --verbose         also a line for each scenario a profile explains\n"
		"  --print I             print scenario I of the campaign as a script, run nothing\n"
		"  --only I              run scenario I of the campaign alone (its divergence\n"
		"                        script goes to DIR; no state is kept)\n"
		"  -h, --help            this help\n"
		"\n"
		"exit status: 0 no divergence; 1 a divergence was found, or a DUT could not\n"
		"run a scenario; 2 bad usage, a DUT that does not open, an unusable DIR;\n"
		"128 + the signal after SIGINT/SIGTERM (DIR/state: the last 16 taken).\n",
		engine_dut_names(), engine_mutations());
}

struct opts {
	uint64_t seed, count, jobs, shrink;
	const char *out, *mutate, *a, *b;
	bool resume, verbose, print, only;
	uint64_t print_idx;
	uint8_t profile;
	int64_t tol_ns;
};

/* ---- counts ---------------------------------------------------------- */

struct tally {
	char kind;      /* 'a' agree, 'e' explained, 'd' diverged, 'x' error */
	char name[160]; /* profile or signature */
	uint64_t count, first;
	char file[64];
};

struct campaign {
	uint64_t done, agree, explained, diverged, errors;
	size_t n;
	struct tally t[MAX_TALLY];
};

static struct tally *tally_find(struct campaign *cp, char kind, const char *name, bool *fresh)
{
	*fresh = false;
	for (size_t i = 0; i < cp->n; i++)
		if (cp->t[i].kind == kind && strcmp(cp->t[i].name, name) == 0)
			return &cp->t[i];
	if (cp->n == MAX_TALLY)
		return NULL;
	struct tally *t = &cp->t[cp->n++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	diff_copy(t->name, sizeof t->name, name);
	*fresh = true;
	return t;
}

/* ---- one scenario --------------------------------------------------------- */

struct record {
	uint64_t idx;
	int v;
	char profile[64];
	char sig[160];
	char what[560];
	char *repro;     /* divergences: the script */
};

static uint64_t scenario_seed(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9E3779B97F4A7C15ull + i * 0xD1B54A32D192ED03ull + 1;
	z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9ull;
	return z ^ (z >> 29);
}

/* Replays the reproducer on one DUT: "pass" or "fail (line: message)". */
static void replay(const struct dconfig *c, const struct dut_ops *d, uint64_t seed, const char *text, char *out,
		   size_t cap)
{
	struct script *s = NULL;
	struct script_error se;
	if (script_parse_string("repro.pkt", text, strlen(text), &s, &se) != SCRIPT_OK) {
		snprintf(out, cap, "does not parse: line %d: %s", se.loc.line, se.message);
		return;
	}
	struct engine_options o;
	engine_options_defaults(&o);
	o.dut_ops = d;
	o.profile = c->profile;
	o.seed = seed; /* the trace's (trace.c): the same ISNs */
	char err[300];
	if (!engine_check_options(s, &o, err, sizeof err)) {
		snprintf(out, cap, "%s", err);
		script_free(s);
		return;
	}
	struct engine_result r;
	engine_run(s, &o, &r);
	script_free(s);
	if (r.verdict == ENGINE_PASS) {
		snprintf(out, cap, "pass");
	} else {
		const char *m = r.messages ? r.messages : "";
		size_t n = strcspn(m, "\n");
		snprintf(out, cap, "%s: %.*s", engine_verdict_name(r.verdict), (int)(n > 300 ? 300 : n), m);
	}
	engine_result_free(&r);
}

static void keys_comment(FILE *f, const char *who, const struct dtrace *t)
{
	for (size_t i = 0; i < t->n_raw; i++) {
		const struct draw *r = &t->raw[i];
		char fl[12];
		engine_flags_str(r->flags, fl);
		fprintf(f, "//   %s %" PRIu64 ".%06" PRIu64 " > %s %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")", who,
			r->t / 1000000000u, (r->t % 1000000000u) / 1000u, fl, r->seq, r->seq + r->len, r->len);
		if (r->flags & 0x10u)
			fprintf(f, " ack %" PRIu32, r->ack);
		fputc('\n', f);
	}
}

static void run_scenario(const struct opts *o, const struct dconfig *c, uint32_t wa, uint32_t wb, uint64_t idx,
			 struct record *rec)
{
	memset(rec, 0, sizeof *rec);
	rec->idx = idx;
	struct dscen sc;
	diff_generate(scenario_seed(o->seed, idx), wa, wb, diff_lacking(c->a) | diff_lacking(c->b), &sc);
	struct dtrace *ta = malloc(sizeof *ta), *tb = malloc(sizeof *tb);
	if (ta == NULL || tb == NULL) {
		free(ta);
		free(tb);
		rec->v = DV_ERROR;
		snprintf(rec->what, sizeof rec->what, "out of memory");
		return;
	}
	struct dcompare cmp;
	diff_one(c, &sc, ta, tb, &cmp);
	rec->v = (int)cmp.v;
	diff_copy(rec->sig, sizeof rec->sig, cmp.sig);
	diff_copy(rec->what, sizeof rec->what, cmp.what);
	if (cmp.profile)
		diff_copy(rec->profile, sizeof rec->profile, cmp.profile);
	if (cmp.v == DV_DIVERGED && (!c->a->virtual_time || !c->b->virtual_time)) {
		/* Against a real-time DUT a divergence must show again: one that
		 * a second run of the scenario does not show came from the host
		 * (a frame read late under load), not from a stack. Counted
		 * under its own name (KNOWN.md), never hidden. */
		struct dcompare again;
		diff_one(c, &sc, ta, tb, &again);
		if (again.v != DV_DIVERGED) {
			rec->v = DV_EXPLAINED;
			diff_copy(rec->profile, sizeof rec->profile, "realtime-unstable");
			cmp.v = DV_EXPLAINED;
		}
	}
	if (cmp.v == DV_DIVERGED) {
		size_t steps = sc.n;
		unsigned used = diff_shrink(c, &sc, (unsigned)o->shrink);
		struct dcompare s2;
		diff_one(c, &sc, ta, tb, &s2);
		if (s2.v == DV_DIVERGED) {
			diff_copy(rec->sig, sizeof rec->sig, s2.sig);
			diff_copy(rec->what, sizeof rec->what, s2.what);
		}
		char *hdr = NULL;
		size_t hl = 0;
		FILE *f = open_memstream(&hdr, &hl);
		if (f != NULL) {
			fprintf(f, "// synack diff --seed %" PRIu64 " %s %s: scenario %" PRIu64
				   ", shrunk from %zu to %zu steps in %u runs\n",
				o->seed, o->a, o->b, idx, steps, sc.n, used);
			fprintf(f, "// A = %s%s, B = %s%s\n", o->a, "", o->b, o->mutate ? " (mutated)" : "");
			fprintf(f, "// divergence %s\n", rec->what);
			fprintf(f, "// The > lines are what A sent: `synack run --dut %s` passes, B fails where it differs.\n",
				o->a);
			fprintf(f, "// What B sent:\n");
			keys_comment(f, "B", tb);
			fclose(f);
		}
		bool rt = !c->a->virtual_time || !c->b->virtual_time;
		char *text = diff_render(&sc, ta, hdr, rt);
		free(hdr);
		if (text != NULL) {
			char ra[400], rb[400];
			replay(c, c->a, c->seed ^ sc.seed, text, ra, sizeof ra);
			replay(c, c->b, c->seed ^ sc.seed, text, rb, sizeof rb);
			char *full = NULL;
			size_t fl = 0;
			FILE *g = open_memstream(&full, &fl);
			if (g != NULL) {
				/* The replay verdicts go after the title line. */
				const char *nl = strchr(text, '\n');
				size_t head = nl ? (size_t)(nl - text) + 1 : 0;
				fwrite(text, 1, head, g);
				fprintf(g, "// replayed on A: %s\n// replayed on B: %s\n", ra, rb);
				fputs(text + head, g);
				fclose(g);
			}
			free(text);
			rec->repro = full;
		}
	}
	free(ta);
	free(tb);
}

/* ---- records through files (workers) ---------------------------------- */

static void put_str(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	fprintf(f, "%zu\n", n);
	if (n)
		fwrite(s, 1, n, f);
}

static bool get_str(FILE *f, char *buf, size_t cap, char **dyn)
{
	size_t n;
	if (fscanf(f, "%zu", &n) != 1 || fgetc(f) != '\n')
		return false;
	char *s = malloc(n + 1);
	if (s == NULL || fread(s, 1, n, f) != n) {
		free(s);
		return false;
	}
	s[n] = '\0';
	if (dyn != NULL) {
		*dyn = n ? s : NULL;
		if (!n)
			free(s);
	} else {
		snprintf(buf, cap, "%s", s);
		free(s);
	}
	return true;
}

static void put_record(FILE *f, const struct record *r)
{
	fprintf(f, "%" PRIu64 " %d\n", r->idx, r->v);
	put_str(f, r->profile);
	put_str(f, r->sig);
	put_str(f, r->what);
	put_str(f, r->repro);
}

static bool get_record(FILE *f, struct record *r)
{
	memset(r, 0, sizeof *r);
	if (fscanf(f, "%" SCNu64 " %d", &r->idx, &r->v) != 2 || fgetc(f) != '\n')
		return false;
	return get_str(f, r->profile, sizeof r->profile, NULL) && get_str(f, r->sig, sizeof r->sig, NULL) &&
	       get_str(f, r->what, sizeof r->what, NULL) && get_str(f, NULL, 0, &r->repro);
}

/* ---- the state file --------------------------------------------------- */

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static int write_state(const struct opts *o, const struct campaign *cp)
{
	char path[4096], err[512];
	path_in(path, sizeof path, o->out, "state");
	struct sim_outfile of;
	if (sim_outfile_open(&of, path, err, sizeof err) != 0) {
		cli_error(VERB, "%s", err);
		return -1;
	}
	fprintf(of.f, "synack-diff-state 1\nseed %" PRIu64 "\na %s\nb %s\nmutate %s\nprofile %u\ncount %" PRIu64
		      "\ndone %" PRIu64 "\n",
		o->seed, o->a, o->b, o->mutate ? o->mutate : "-", (unsigned)o->profile, o->count, cp->done);
	fprintf(of.f, "totals %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", cp->agree, cp->explained,
		cp->diverged, cp->errors);
	for (size_t i = 0; i < cp->n; i++)
		fprintf(of.f, "tally %c %" PRIu64 " %" PRIu64 " %s\t%s\n", cp->t[i].kind, cp->t[i].count, cp->t[i].first,
			cp->t[i].file[0] ? cp->t[i].file : "-", cp->t[i].name);
	if (sim_outfile_commit(&of, err, sizeof err) != 0) {
		cli_error(VERB, "%s", err);
		return -1;
	}
	return 0;
}

/* Returns 0 with *cp filled, 1 when there is no state, -1 on a bad one. */
static int read_state(const struct opts *o, struct campaign *cp, uint64_t *count)
{
	char path[4096];
	path_in(path, sizeof path, o->out, "state");
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 1 : -1;
	memset(cp, 0, sizeof *cp);
	char line[600], a[300] = "", b[300] = "", mut[100] = "";
	uint64_t seed = 0;
	unsigned prof = 0;
	bool bad = fgets(line, sizeof line, f) == NULL || strcmp(line, "synack-diff-state 1\n") != 0;
	while (!bad && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "seed %" SCNu64, &seed) == 1 || sscanf(line, "a %299s", a) == 1 ||
		    sscanf(line, "b %299s", b) == 1 || sscanf(line, "mutate %99s", mut) == 1 ||
		    sscanf(line, "profile %u", &prof) == 1 || sscanf(line, "count %" SCNu64, count) == 1 ||
		    sscanf(line, "done %" SCNu64, &cp->done) == 1 ||
		    sscanf(line, "totals %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &cp->agree, &cp->explained,
			   &cp->diverged, &cp->errors) == 4)
			continue;
		struct tally t;
		memset(&t, 0, sizeof t);
		char file[64];
		int pos = 0;
		if (cp->n < MAX_TALLY &&
		    sscanf(line, "tally %c %" SCNu64 " %" SCNu64 " %63s%n", &t.kind, &t.count, &t.first, file, &pos) == 4 &&
		    line[pos] == '\t') {
			diff_copy(t.name, sizeof t.name, line + pos + 1);
			if (strcmp(file, "-") != 0)
				diff_copy(t.file, sizeof t.file, file);
			cp->t[cp->n++] = t;
			continue;
		}
		bad = true;
	}
	fclose(f);
	if (bad) {
		cli_error(VERB, "%s: not a synack diff state file", path);
		errno = 0; /* said: the caller adds nothing */
		return -1;
	}
	if (seed != o->seed || strcmp(a, o->a) != 0 || strcmp(b, o->b) != 0 ||
	    strcmp(mut, o->mutate ? o->mutate : "-") != 0 || prof != o->profile) {
		cli_error(VERB, "%s: the campaign there is 'synack diff --seed %" PRIu64 " %s %s' (mutate %s); "
				"resume it with the same seed, DUTs, --mutate and --profile",
			  path, seed, a, b, mut);
		errno = 0; /* said: the caller adds nothing */
		return -1;
	}
	return 0;
}

static int write_text(const char *path, const char *text)
{
	char err[512];
	struct sim_outfile of;
	if (sim_outfile_open(&of, path, err, sizeof err) != 0) {
		cli_error(VERB, "%s", err);
		return -1;
	}
	fputs(text, of.f);
	if (sim_outfile_commit(&of, err, sizeof err) != 0) {
		cli_error(VERB, "%s", err);
		return -1;
	}
	return 0;
}

/* ---- the campaign ------------------------------------------------------ */

static int take(const struct opts *o, struct campaign *cp, struct record *r)
{
	bool fresh;
	cp->done++;
	struct tally *t;
	switch (r->v) {
	case DV_AGREE:
		cp->agree++;
		return 0;
	case DV_EXPLAINED:
		cp->explained++;
		if (o->verbose)
			printf("scenario %" PRIu64 ": %s: %s\n", r->idx, r->profile, r->what);
		if ((t = tally_find(cp, 'e', r->profile, &fresh)) != NULL) {
			if (fresh)
				t->first = r->idx;
			t->count++;
		}
		return 0;
	case DV_ERROR:
		cp->errors++;
		printf("scenario %" PRIu64 ": a DUT could not run it: %s\n", r->idx, r->what);
		if ((t = tally_find(cp, 'x', r->what, &fresh)) != NULL) {
			if (fresh)
				t->first = r->idx;
			t->count++;
		}
		return 0;
	default:
		break;
	}
	cp->diverged++;
	if ((t = tally_find(cp, 'd', r->sig, &fresh)) == NULL)
		return 0;
	t->count++;
	if (!fresh) {
		printf("scenario %" PRIu64 ": diverged, like scenario %" PRIu64 " (%s)\n", r->idx, t->first, r->sig);
		return 0;
	}
	t->first = r->idx;
	snprintf(t->file, sizeof t->file, "div-%06" PRIu64 ".pkt", r->idx);
	char path[4096];
	path_in(path, sizeof path, o->out, t->file);
	printf("scenario %" PRIu64 ": diverged %s\n  -> %s\n", r->idx, r->what, path);
	return r->repro ? write_text(path, r->repro) : 0;
}

static void summary(FILE *f, const struct opts *o, const struct campaign *cp)
{
	fprintf(f, "synack diff --seed %" PRIu64 " %s %s%s%s: %" PRIu64 " scenarios\n", o->seed, o->a, o->b,
		o->mutate ? " --mutate " : "", o->mutate ? o->mutate : "", cp->done);
	fprintf(f, "  agree       %" PRIu64 "\n  explained   %" PRIu64 "\n  diverged    %" PRIu64 "\n  errors      %" PRIu64
		   "\n",
		cp->agree, cp->explained, cp->diverged, cp->errors);
	for (int pass = 0; pass < 3; pass++) {
		char kind = "edx"[pass];
		for (size_t i = 0; i < cp->n; i++) {
			const struct tally *t = &cp->t[i];
			if (t->kind != kind)
				continue;
			if (kind == 'e')
				fprintf(f, "  profile %-30s %6" PRIu64 "  (first: scenario %" PRIu64 ")\n", t->name, t->count,
					t->first);
			else if (kind == 'd')
				fprintf(f, "  divergence %6" PRIu64 "x  %s  (%s/%s)\n", t->count, t->name, o->out, t->file);
			else
				fprintf(f, "  error %6" PRIu64 "x  %s\n", t->count, t->name);
		}
	}
}

static void progress(const struct opts *o, const struct campaign *cp)
{
	if (isatty(STDERR_FILENO) == 1)
		fprintf(stderr, "\rsynack diff: %" PRIu64 "/%" PRIu64 "  agree %" PRIu64 "  explained %" PRIu64
				"  diverged %" PRIu64 "  errors %" PRIu64 " ",
			cp->done, o->count, cp->agree, cp->explained, cp->diverged, cp->errors);
}

/* The state after every STATE_EVERY scenarios taken (and at the end). */
#define STATE_EVERY 16u
/* How far ahead of the oldest unfinished scenario workers may run. */
#define POOL_AHEAD 8192u

/* One process: scenarios in order. */
static int run_inline(const struct opts *o, const struct dconfig *c, uint32_t wa, uint32_t wb,
		      struct campaign *cp)
{
	while (cp->done < o->count) {
		struct record r;
		run_scenario(o, c, wa, wb, cp->done, &r);
		int rc = take(o, cp, &r);
		free(r.repro);
		if (rc != 0)
			return -1;
		if (cp->done % STATE_EVERY == 0 || cp->done == o->count) {
			fflush(stdout);
			if (write_state(o, cp) != 0)
				return -1;
			progress(o, cp);
		}
	}
	return 0;
}

/* -j N: a pool of N worker processes, one scenario each (a tap scenario
 * takes its scripted time, from 1 s to over a minute, and a shrink many
 * runs: no worker waits for another). Each writes its record to a file
 * with no name (tmpfile), so nothing is left behind whatever stops the
 * campaign; the parent takes the records in index order, and the state
 * counts only those. */
static int run_pool(const struct opts *o, const struct dconfig *c, uint32_t wa, uint32_t wb, struct campaign *cp)
{
	struct slot {
		pid_t pid;
		FILE *f;
		uint64_t idx;
	} slots[MAX_JOBS];
	struct record *ready = calloc(POOL_AHEAD, sizeof *ready);
	bool *have = calloc(POOL_AHEAD, sizeof *have);
	if (ready == NULL || have == NULL) {
		free(ready);
		free(have);
		cli_error(VERB, "out of memory");
		return -1;
	}
	size_t running = 0;
	uint64_t next = cp->done, last_state = cp->done;
	int rc = 0;
	while (rc == 0 && cp->done < o->count) {
		while (rc == 0 && running < o->jobs && next < o->count && next - cp->done < POOL_AHEAD) {
			struct slot *sl = &slots[running];
			if ((sl->f = tmpfile()) == NULL) {
				cli_error(VERB, "cannot create a temporary file: %s", strerror(errno));
				rc = -1;
				break;
			}
			fflush(NULL);
			pid_t p = cli_signals_fork();
			if (p < 0) {
				cli_error(VERB, "fork: %s", strerror(errno));
				fclose(sl->f);
				rc = -1;
				break;
			}
			if (p == 0) {
				struct record r;
				run_scenario(o, c, wa, wb, next, &r);
				put_record(sl->f, &r);
				_exit(fflush(sl->f) == 0 && !ferror(sl->f) ? 0 : 3);
			}
			sl->pid = p;
			sl->idx = next++;
			running++;
		}
		if (running == 0)
			break;
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, 0)) < 0 && errno == EINTR)
			;
		if (p < 0) {
			cli_error(VERB, "waitpid: %s", strerror(errno));
			rc = -1;
			break;
		}
		size_t k = 0;
		while (k < running && slots[k].pid != p)
			k++;
		if (k == running)
			continue; /* not one of ours */
		cli_signals_reaped(p);
		struct slot done = slots[k];
		slots[k] = slots[--running];
		rewind(done.f);
		struct record r;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !get_record(done.f, &r) || r.idx != done.idx) {
			cli_error(VERB, "the worker of scenario %" PRIu64 " failed", done.idx);
			fclose(done.f);
			rc = -1;
			break;
		}
		fclose(done.f);
		ready[done.idx % POOL_AHEAD] = r;
		have[done.idx % POOL_AHEAD] = true;
		while (rc == 0 && have[cp->done % POOL_AHEAD]) {
			size_t at = cp->done % POOL_AHEAD;
			have[at] = false;
			rc = take(o, cp, &ready[at]);
			free(ready[at].repro);
		}
		if (rc == 0 && (cp->done - last_state >= STATE_EVERY || cp->done == o->count)) {
			fflush(stdout);
			if (write_state(o, cp) != 0)
				rc = -1;
			last_state = cp->done;
			progress(o, cp);
		}
	}
	/* On an error: stop the others (their records are not taken). */
	for (size_t k = 0; k < running; k++) {
		kill(slots[k].pid, SIGTERM);
		while (waitpid(slots[k].pid, NULL, 0) < 0 && errno == EINTR)
			;
		cli_signals_reaped(slots[k].pid);
		fclose(slots[k].f);
	}
	for (size_t i = 0; i < POOL_AHEAD; i++)
		if (have[i])
			free(ready[i].repro);
	free(ready);
	free(have);
	return rc;
}

static bool parse_args(int argc, char **argv, struct opts *o, bool *help)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->count = 100;
	o->jobs = 1;
	o->shrink = 60;
	o->out = "synack-diff";
	o->profile = DUT_PROFILE_RFC5961;
	o->tol_ns = 50000000;
	*help = false;
	const char *pos[3];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = NULL;
		char flag[64];
		if (arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (npos == 2) {
				cli_error(VERB, "unexpected argument '%s': give two DUTs (see 'synack help diff')", arg);
				return false;
			}
			pos[npos++] = arg;
			continue;
		}
		const char *eq = strchr(arg, '=');
		size_t fl = eq ? (size_t)(eq - arg) : strlen(arg);
		if (fl >= sizeof flag) {
			cli_error(VERB, "unknown option '%s' (see 'synack help diff')", arg);
			return false;
		}
		memcpy(flag, arg, fl);
		flag[fl] = '\0';
		if (strncmp(flag, "-j", 2) == 0 && flag[2] != '\0' && flag[2] != '-' && eq == NULL) {
			val = arg + 2;
			snprintf(flag, sizeof flag, "-j");
		} else if (strncmp(flag, "-n", 2) == 0 && flag[2] != '\0' && eq == NULL) {
			val = arg + 2;
			snprintf(flag, sizeof flag, "-n");
		}
		bool needs = strcmp(flag, "--resume") != 0 && strcmp(flag, "-h") != 0 && strcmp(flag, "--help") != 0 &&
			     strcmp(flag, "-v") != 0 && strcmp(flag, "--verbose") != 0;
		if (needs && val == NULL) {
			if (eq != NULL)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				cli_error(VERB, "%s: missing value", flag);
				return false;
			}
		} else if (!needs && eq != NULL) {
			cli_error(VERB, "%s: takes no value, got '%s'", flag, eq + 1);
			return false;
		}
		uint64_t v;
		if (strcmp(flag, "-h") == 0 || strcmp(flag, "--help") == 0) {
			*help = true;
			return true;
		} else if (strcmp(flag, "--seed") == 0) {
			if (!cli_parse_u64(VERB, flag, val, 0, UINT64_MAX, "a number", &o->seed))
				return false;
		} else if (strcmp(flag, "-n") == 0 || strcmp(flag, "--count") == 0) {
			if (!cli_parse_u64(VERB, flag, val, 1, 100000000, "a count from 1 to 100000000", &o->count))
				return false;
		} else if (strcmp(flag, "-j") == 0 || strcmp(flag, "--jobs") == 0) {
			if (!cli_parse_u64(VERB, flag, val, 1, MAX_JOBS, "a number of jobs from 1 to 256", &o->jobs))
				return false;
		} else if (strcmp(flag, "--out") == 0) {
			if (val[0] == '\0') {
				cli_error(VERB, "--out: expected a directory, got ''");
				return false;
			}
			o->out = val;
		} else if (strcmp(flag, "--resume") == 0) {
			o->resume = true;
		} else if (strcmp(flag, "-v") == 0 || strcmp(flag, "--verbose") == 0) {
			o->verbose = true;
		} else if (strcmp(flag, "--profile") == 0) {
			if (!engine_parse_profile(val, &o->profile)) {
				cli_error(VERB, "--profile: expected e.g. rfc5961=on,rfc1337=off, got '%s'", val);
				return false;
			}
		} else if (strcmp(flag, "--mutate") == 0) {
			o->mutate = val;
		} else if (strcmp(flag, "--print") == 0 || strcmp(flag, "--only") == 0) {
			if (!cli_parse_u64(VERB, flag, val, 0, UINT64_MAX - 1, "a scenario number", &o->print_idx))
				return false;
			if (strcmp(flag, "--print") == 0)
				o->print = true;
			else
				o->only = true;
		} else if (strcmp(flag, "--shrink-tries") == 0) {
			if (!cli_parse_u64(VERB, flag, val, 0, 10000, "a number from 0 to 10000", &o->shrink))
				return false;
		} else if (strcmp(flag, "--tolerance-usecs") == 0) {
			if (!cli_parse_u64(VERB, flag, val, 0, 10000000, "microseconds up to 10000000", &v))
				return false;
			o->tol_ns = (int64_t)v * 1000;
		} else {
			cli_error(VERB, "unknown option '%s' (see 'synack help diff')", arg);
			return false;
		}
	}
	if (npos != 2) {
		cli_error(VERB, "expected two DUTs, DUT_A DUT_B, got %d (see 'synack help diff')", npos);
		return false;
	}
	o->a = pos[0];
	o->b = pos[1];
	return true;
}

int cli_diff_main(int argc, char **argv)
{
	struct opts o;
	bool help;
	if (!parse_args(argc, argv, &o, &help))
		return CLI_USAGE;
	if (help) {
		cli_diff_help(stdout);
		return CLI_OK;
	}
	char err[512];
	struct dconfig c;
	memset(&c, 0, sizeof c);
	if ((c.a = engine_dut_lookup(o.a, err, sizeof err)) == NULL) {
		cli_error(VERB, "DUT_A '%s': %s", o.a, err);
		return CLI_USAGE;
	}
	if ((c.b = engine_dut_lookup(o.b, err, sizeof err)) == NULL) {
		cli_error(VERB, "DUT_B '%s': %s", o.b, err);
		return CLI_USAGE;
	}
	if (o.mutate != NULL && (c.b = dut_mutate_wrap(c.b, o.mutate, err, sizeof err)) == NULL) {
		cli_error(VERB, "--mutate: %s", err);
		return CLI_USAGE;
	}
	c.a_name = o.a;
	c.b_name = o.b;
	c.profile = o.profile;
	c.seed = o.seed;
	c.tolerance_ns = o.tol_ns;
	if (!o.print && mkdir(o.out, 0777) != 0 && errno != EEXIST) {
		cli_error(VERB, "--out %s: cannot create: %s", o.out, strerror(errno));
		return CLI_USAGE;
	}
	struct campaign *cp = calloc(1, sizeof *cp);
	if (cp == NULL) {
		cli_error(VERB, "out of memory");
		return CLI_USAGE;
	}
	uint64_t old_count = 0;
	int st = o.print || o.only ? 1 : read_state(&o, cp, &old_count);
	if (st < 0) {
		if (errno != 0 && errno != ENOENT && cp->done == 0 && cp->n == 0)
			cli_error(VERB, "%s/state: cannot read: %s", o.out, strerror(errno));
		free(cp);
		return CLI_USAGE;
	}
	if (o.resume && st == 1 && !o.print && !o.only) {
		cli_error(VERB, "--resume: %s/state: no campaign to resume", o.out);
		free(cp);
		return CLI_USAGE;
	}
	if (!o.resume && st == 0) {
		cli_error(VERB, "%s holds a campaign already: --resume to continue it, or another --out", o.out);
		free(cp);
		return CLI_USAGE;
	}
	if (!o.resume)
		memset(cp, 0, sizeof *cp);
	cli_signals_install();

	/* The windows each DUT offers: where the generator's right edges are. */
	struct dscen probe;
	memset(&probe, 0, sizeof probe);
	struct dtrace *tp = malloc(sizeof *tp);
	if (tp == NULL) {
		free(cp);
		return CLI_USAGE;
	}
	uint32_t win[2];
	for (int k = 0; k < 2; k++) {
		diff_trace(&c, k ? c.b : c.a, &probe, tp);
		if (!tp->ok) {
			cli_error(VERB, "%s '%s' cannot run a scenario: %s", k ? "DUT_B" : "DUT_A", k ? o.b : o.a, tp->error);
			free(tp);
			free(cp);
			return CLI_USAGE;
		}
		win[k] = tp->win ? tp->win : 1024;
	}
	free(tp);

	if (o.print) {
		struct dscen sc;
		diff_generate(scenario_seed(o.seed, o.print_idx), win[0], win[1], diff_lacking(c.a) | diff_lacking(c.b),
			      &sc);
		char *text = diff_render(&sc, NULL, NULL, !c.a->virtual_time || !c.b->virtual_time);
		if (text != NULL)
			fputs(text, stdout);
		free(text);
		free(cp);
		return text != NULL ? CLI_OK : CLI_USAGE;
	}
	if (o.only) {
		struct record r;
		run_scenario(&o, &c, win[0], win[1], o.print_idx, &r);
		int orc = take(&o, cp, &r);
		if (r.v == DV_EXPLAINED)
			printf("scenario %" PRIu64 ": %s: %s\n", r.idx, r.profile, r.what);
		else if (r.v == DV_AGREE)
			printf("scenario %" PRIu64 ": agree\n", r.idx);
		free(r.repro);
		free(cp);
		return orc != 0 ? CLI_USAGE : (r.v == DV_DIVERGED || r.v == DV_ERROR) ? CLI_FAIL : CLI_OK;
	}
	bool tty = isatty(STDERR_FILENO) == 1;
	int rc = cp->done >= o.count ? write_state(&o, cp)
		 : o.jobs > 1	      ? run_pool(&o, &c, win[0], win[1], cp)
					      : run_inline(&o, &c, win[0], win[1], cp);
	if (tty)
		fputc('\n', stderr);
	if (rc != 0) {
		free(cp);
		return CLI_USAGE;
	}
	summary(stdout, &o, cp);
	char *sum = NULL;
	size_t sl = 0;
	FILE *sf = open_memstream(&sum, &sl);
	if (sf != NULL) {
		summary(sf, &o, cp);
		fclose(sf);
		char path[4096];
		path_in(path, sizeof path, o.out, "summary.txt");
		if (write_text(path, sum) != 0)
			rc = -1;
		free(sum);
	}
	int out = rc != 0 ? CLI_USAGE : (cp->diverged || cp->errors) ? CLI_FAIL : CLI_OK;
	free(cp);
	return out;
}
