/*
 * cli_run_report.c - how `synack run` reports: a text block per script, a
 * JSON line per script (--json), a per-suite summary table and JUnit XML
 * (--junit FILE). After the table, when scripts were skipped, how many and
 * the command that runs each group of them: the adapter and profile their
 * headers ask for (read again from the skipped files), with the run's own
 * arguments. Everything printed here is a function of the records, the
 * skipped scripts' headers and the run's flags (no wall clock, no
 * pointers), so the same suite and seed give the same bytes. The JUnit file
 * is complete or absent (sim/outfile.h).
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "engine.h"
#include "outfile.h"
#include "script.h"

/* The tolerance the suites' README and tests/e2e give a real-time DUT
 * (Linux's timer wheel on a loaded machine), for a suggested command. */
#define REAL_TIME_TOLERANCE_US 50000

const char *cli_run_verdict_name(enum cli_run_verdict v)
{
	switch (v) {
	case CLI_RUN_PASS:
		return "pass";
	case CLI_RUN_FAIL:
		return "fail";
	case CLI_RUN_UNSUPPORTED:
		return "unsupported";
	case CLI_RUN_SKIPPED:
		return "skipped";
	case CLI_RUN_ERROR:
		return "error";
	case CLI_RUN_NVERDICTS:
		break;
	}
	return "?";
}

static void indent(FILE *out, const char *text, const char *pfx)
{
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(out, "%s%.*s\n", pfx, (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

static void fmt_s(uint64_t ns, char out[32])
{
	snprintf(out, 32, "%" PRIu64 ".%06" PRIu64, ns / 1000000000u, (ns % 1000000000u) / 1000u);
}

/* The checker's diagnostics under a script's result: one line per rule the
 * driver broke, with its datasheet or errata reference. */
static void diagnostics_text(FILE *out, const struct cli_run_item *it)
{
	indent(out, it->diagnostics, "    checker: ");
}

void cli_run_text(FILE *out, const struct cli_run_item *it, const char *clock)
{
	char t[32];
	static const char *const TAG[CLI_RUN_NVERDICTS] = {"PASS", "FAIL", "UNSUPPORTED", "SKIP", "ERROR"};
	fmt_s(it->virtual_ns, t);
	switch (it->verdict) {
	case CLI_RUN_PASS:
		if (it->dry_run)
			fprintf(out, "%-11s %s\n", "PARSED", it->path);
		else
			fprintf(out, "%-11s %s  (%s s %s)\n", TAG[it->verdict], it->path, t, clock);
		indent(out, it->messages, "    "); /* notes (--skip-shell); empty otherwise */
		break;
	case CLI_RUN_FAIL:
		fprintf(out, "%-11s %s  (%s s %s)\n", TAG[it->verdict], it->path, t, clock);
		indent(out, it->messages, "    ");
		indent(out, it->detail, "    ");
		break;
	case CLI_RUN_UNSUPPORTED:
	case CLI_RUN_SKIPPED:
	case CLI_RUN_ERROR:
		fprintf(out, "%-11s %s\n", TAG[it->verdict], it->path);
		indent(out, it->messages, "    ");
		break;
	case CLI_RUN_NVERDICTS:
		return;
	}
	diagnostics_text(out, it);
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* Lines of text as a JSON array of strings. */
static void json_lines(FILE *out, const char *p)
{
	bool first = true;
	fputc('[', out);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char buf[1024];
		snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), p);
		if (!first)
			fputc(',', out);
		json_str(out, buf);
		first = false;
		p += n + (nl ? 1 : 0);
	}
	fputc(']', out);
}

/* A script's messages as a JSON array, one string per message: each
 * message starts with "PATH:" (the engine writes "file:line: ..."), and a
 * line that does not is the rest of the message before it (a shell
 * command or Python block quoted over several lines), kept in the same
 * string with its newline. */
static void json_messages(FILE *out, const char *p, const char *path)
{
	size_t plen = strlen(path);
	bool first = true;
	fputc('[', out);
	while (p && *p) {
		const char *end = p;
		for (;;) {
			const char *nl = strchr(end, '\n');
			if (nl == NULL) {
				end += strlen(end);
				break;
			}
			end = nl;
			const char *next = nl + 1;
			if (*next == '\0' || (strncmp(next, path, plen) == 0 && next[plen] == ':'))
				break;
			end = next;
		}
		char *msg = strndup(p, (size_t)(end - p));
		if (!first)
			fputc(',', out);
		json_str(out, msg ? msg : "");
		free(msg);
		first = false;
		p = *end == '\n' ? end + 1 : end;
	}
	fputc(']', out);
}

void cli_run_json(FILE *out, const struct cli_run_item *it)
{
	fputs("{\"script\":", out);
	json_str(out, it->path);
	fputs(",\"suite\":", out);
	json_str(out, it->suite);
	fprintf(out, ",\"verdict\":\"%s\",\"line\":%d,\"virtual_ns\":%" PRIu64 ",\"messages\":",
		cli_run_verdict_name(it->verdict), it->line, it->virtual_ns);
	json_messages(out, it->messages, it->path);
	/* Present when the DUT has a chip model (sim, board:), even if empty. */
	if (it->diagnostics != NULL) {
		fputs(",\"diagnostics\":", out);
		json_lines(out, it->diagnostics);
	}
	if (it->pcap) {
		fputs(",\"pcap\":", out);
		json_str(out, it->pcap);
	}
	fputs("}\n", out);
}

struct tally {
	const char *suite;
	unsigned n[CLI_RUN_NVERDICTS];
	uint64_t ns;
};

static size_t tally(const struct cli_run_item *items, size_t n, struct tally *t, struct tally *total)
{
	size_t k = 0;
	memset(total, 0, sizeof *total);
	total->suite = "total";
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < k && strcmp(t[j].suite, items[i].suite) != 0)
			j++;
		if (j == k) {
			memset(&t[k], 0, sizeof t[k]);
			t[k++].suite = items[i].suite;
		}
		t[j].n[items[i].verdict]++;
		t[j].ns += items[i].virtual_ns;
		total->n[items[i].verdict]++;
		total->ns += items[i].virtual_ns;
	}
	return k;
}

static void row(FILE *out, const struct tally *t, int w)
{
	char s[32];
	fmt_s(t->ns, s);
	fprintf(out, "%-*s %7u %7u %12u %8u %6u %14s\n", w, t->suite, t->n[CLI_RUN_PASS], t->n[CLI_RUN_FAIL],
		t->n[CLI_RUN_UNSUPPORTED], t->n[CLI_RUN_SKIPPED], t->n[CLI_RUN_ERROR], s);
}

/* ---- which command runs the skipped scripts ---- */

static bool follows(const struct dut_ops *d, int beh)
{
	for (const char *const *b = d->behaviours; b != NULL && *b != NULL; b++)
		if (strcmp(*b, script_behaviour_names[beh]) == 0)
			return true;
	return false;
}

/* Whether adapter d, run with profile bits *prof, runs a script with header
 * h (the same rules as engine_skip_reason, without --ignore). A profile the
 * header does not name is moved to a value d can run (the script holds
 * either way). */
static bool runs(const struct dut_ops *d, uint8_t *prof, const struct script_header *h)
{
	uint8_t open = (uint8_t)((h->rfc5961 == SCRIPT_PROFILE_ANY ? DUT_PROFILE_RFC5961 : 0) |
				 (h->rfc1337 == SCRIPT_PROFILE_ANY ? DUT_PROFILE_RFC1337 : 0));
	uint8_t p = (uint8_t)((*prof | (d->profiles_fixed & open)) & ~(open & ~d->profiles_supported));
	if ((p & ~d->profiles_supported) != 0 || (d->profiles_fixed & ~p) != 0)
		return false;
	for (int i = 0; i < (int)SCRIPT_BEH_COUNT; i++) {
		if (h->behaviour[i] == SCRIPT_PROFILE_ON && !follows(d, i))
			return false;
		if (h->behaviour[i] == SCRIPT_PROFILE_OFF && follows(d, i))
			return false;
	}
	*prof = p;
	return true;
}

static uint8_t with(uint8_t prof, enum script_profile_value want, uint8_t bit)
{
	if (want == SCRIPT_PROFILE_ON)
		return (uint8_t)(prof | bit);
	if (want == SCRIPT_PROFILE_OFF)
		return (uint8_t)(prof & ~bit);
	return prof;
}

static void add(char *buf, size_t cap, const char *s)
{
	size_t used = strlen(buf);
	if (used + 1 < cap)
		snprintf(buf + used, cap - used, "%s", s);
}

/* An argument as a shell would need it: as it is, or in single quotes. */
static void add_arg(char *buf, size_t cap, const char *arg)
{
	bool plain = *arg != '\0';
	for (const char *p = arg; *p; p++)
		plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=,:+-@%", *p) !=
			 NULL;
	add(buf, cap, " ");
	if (plain) {
		add(buf, cap, arg);
		return;
	}
	add(buf, cap, "'");
	for (const char *p = arg; *p; p++) {
		char c[2] = {*p, '\0'};
		add(buf, cap, *p == '\'' ? "'\\''" : c);
	}
	add(buf, cap, "'");
}

/* The command that runs a skipped script: `synack run` on the first adapter
 * (the run's own first, then the registry's order) that follows what the
 * header asks for, with the RFC profiles it names (the run's where it names
 * none) and the run's script arguments. Empty when no adapter here can. */
static void rerun_command(const struct cli_run_context *ctx, const char *path, char *buf, size_t cap)
{
	struct script *s = NULL;
	struct script_error err;
	buf[0] = '\0';
	if (script_parse_file(path, &s, &err) != SCRIPT_OK)
		return;
	uint8_t prof = with(ctx->profile, s->header.rfc5961, DUT_PROFILE_RFC5961);
	prof = with(prof, s->header.rfc1337, DUT_PROFILE_RFC1337);
	prof = with(prof, s->header.timewait_recycle, DUT_PROFILE_TW_RECYCLE);
	/* The run's own adapter, unwrapped from --mutate by name; a loaded
	 * image (board:FILE.so, avr:FILE.elf) is the adapter itself (looking
	 * it up again would load it again, over the one in use). */
	const struct dut_ops *own = NULL, *d = NULL;
	if (ctx->dut != NULL)
		own = strncmp(ctx->dut->name, "board:", 6) == 0 || strncmp(ctx->dut->name, "avr:", 4) == 0
			      ? ctx->dut
			      : engine_find_dut(ctx->dut->name);
	uint8_t p = prof;
	if (own != NULL && runs(own, &p, &s->header))
		d = own;
	for (size_t i = 0; d == NULL && engine_dut_at(i) != NULL; i++)
		if (runs(engine_dut_at(i), (p = prof, &p), &s->header))
			d = engine_dut_at(i);
	prof = p;
	script_free(s);
	if (d == NULL)
		return;
	char part[96];
	snprintf(buf, cap, "synack run");
	if (strcmp(d->name, "sim") != 0) {
		add(buf, cap, " --dut");
		add_arg(buf, cap, d == own && ctx->dut_spec ? ctx->dut_spec : d->name);
	}
	snprintf(part, sizeof part, " --profile rfc5961=%s,rfc1337=%s", (prof & DUT_PROFILE_RFC5961) ? "on" : "off",
		 (prof & DUT_PROFILE_RFC1337) ? "on" : "off");
	add(buf, cap, part);
	if (prof & DUT_PROFILE_TW_RECYCLE) /* off is the default: named only when on */
		add(buf, cap, ",timewait-recycle=on");
	if (!d->virtual_time) {
		int64_t us = own == d && ctx->tolerance_ns >= 0 ? ctx->tolerance_ns / 1000 : REAL_TIME_TOLERANCE_US;
		snprintf(part, sizeof part, " --tolerance-usecs %" PRId64, us);
		add(buf, cap, part);
	}
	for (size_t i = 0; i < ctx->n_inputs; i++)
		add_arg(buf, cap, ctx->inputs[i]);
}

struct rerun {
	char cmd[1024];
	unsigned n;
};

/* The run's own adapter first, then by command. */
static int cmp_rerun(const void *a, const void *b)
{
	const struct rerun *x = a, *y = b;
	bool xd = strstr(x->cmd, " --dut ") != NULL, yd = strstr(y->cmd, " --dut ") != NULL;
	if (x->cmd[0] == '\0' || y->cmd[0] == '\0')
		return (x->cmd[0] == '\0') - (y->cmd[0] == '\0');
	if (xd != yd)
		return xd ? 1 : -1;
	return strcmp(x->cmd, y->cmd);
}

/* Groups the skipped scripts by the command that runs them; returns the
 * number of groups (0 when nothing was skipped). */
static size_t reruns(const struct cli_run_item *items, size_t n, const struct cli_run_context *ctx,
		     struct rerun *g)
{
	size_t k = 0;
	char cmd[sizeof g->cmd];
	for (size_t i = 0; ctx != NULL && i < n; i++) {
		if (items[i].verdict != CLI_RUN_SKIPPED)
			continue;
		rerun_command(ctx, items[i].path, cmd, sizeof cmd);
		size_t j = 0;
		while (j < k && strcmp(g[j].cmd, cmd) != 0)
			j++;
		if (j == k) {
			memcpy(g[k].cmd, cmd, sizeof cmd);
			g[k++].n = 0;
		}
		g[j].n++;
	}
	qsort(g, k, sizeof *g, cmp_rerun);
	return k;
}

void cli_run_summary(FILE *out, const struct cli_run_item *items, size_t n, bool json,
		     const struct cli_run_context *ctx)
{
	struct tally total, *t = calloc(n ? n : 1, sizeof *t);
	struct rerun *g = calloc(n ? n : 1, sizeof *g);
	if (t == NULL || g == NULL) {
		free(t);
		free(g);
		return;
	}
	size_t k = tally(items, n, t, &total);
	size_t nr = reruns(items, n, ctx, g);
	if (json) {
		fprintf(out,
			"{\"summary\":{\"scripts\":%zu,\"passed\":%u,\"failed\":%u,\"unsupported\":%u,"
			"\"skipped\":%u,\"errors\":%u,\"virtual_ns\":%" PRIu64 ",\"rerun\":[",
			n, total.n[CLI_RUN_PASS], total.n[CLI_RUN_FAIL], total.n[CLI_RUN_UNSUPPORTED],
			total.n[CLI_RUN_SKIPPED], total.n[CLI_RUN_ERROR], total.ns);
		for (size_t i = 0; i < nr; i++) {
			fprintf(out, "%s{\"scripts\":%u,\"command\":", i ? "," : "", g[i].n);
			if (g[i].cmd[0])
				json_str(out, g[i].cmd);
			else
				fputs("null", out);
			fputs("}", out);
		}
		fputs("]}}\n", out);
		free(t);
		free(g);
		return;
	}
	int w = 24;
	for (size_t i = 0; i < k; i++)
		if ((int)strlen(t[i].suite) > w)
			w = (int)strlen(t[i].suite);
	fprintf(out, "\n%-*s %7s %7s %12s %8s %6s %14s\n", w, "suite", "passed", "failed", "unsupported", "skipped",
		"errors", "DUT time (s)");
	for (size_t i = 0; i < k; i++)
		row(out, &t[i], w);
	row(out, &total, w);
	if (nr > 0)
		fprintf(out, "\nskipped %u of %zu scripts (the reason is under each); these commands run them:\n",
			total.n[CLI_RUN_SKIPPED], n);
	for (size_t i = 0; i < nr; i++)
		fprintf(out, "  %5u  %s\n", g[i].n, g[i].cmd[0] ? g[i].cmd : "(no adapter here runs them)");
	free(t);
	free(g);
}

static void xml_str(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			if (*p < 0x20 && *p != '\n' && *p != '\t')
				fputc('?', out);
			else
				fputc(*p, out);
		}
	}
}

static const char *first_line(const char *s, char *buf, size_t cap)
{
	const char *nl = s ? strchr(s, '\n') : NULL;
	size_t n = s ? (nl ? (size_t)(nl - s) : strlen(s)) : 0;
	snprintf(buf, cap, "%.*s", (int)(n < cap - 1 ? n : cap - 1), s ? s : "");
	return buf;
}

static int junit_to(FILE *f, const struct cli_run_item *items, size_t n)
{
	struct tally total, *t = calloc(n ? n : 1, sizeof *t);
	if (t == NULL)
		return -1;
	size_t k = tally(items, n, t, &total);
	char s[32], msg[512];
	fmt_s(total.ns, s);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"synack\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%s\">\n",
		n, total.n[CLI_RUN_FAIL], total.n[CLI_RUN_ERROR],
		total.n[CLI_RUN_SKIPPED] + total.n[CLI_RUN_UNSUPPORTED], s);
	for (size_t j = 0; j < k; j++) {
		unsigned tests = 0;
		for (int v = 0; v < CLI_RUN_NVERDICTS; v++)
			tests += t[j].n[v];
		fmt_s(t[j].ns, s);
		fprintf(f, "  <testsuite name=\"");
		xml_str(f, t[j].suite);
		fprintf(f, "\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%s\">\n", tests,
			t[j].n[CLI_RUN_FAIL], t[j].n[CLI_RUN_ERROR],
			t[j].n[CLI_RUN_SKIPPED] + t[j].n[CLI_RUN_UNSUPPORTED], s);
		for (size_t i = 0; i < n; i++) {
			const struct cli_run_item *it = &items[i];
			if (strcmp(it->suite, t[j].suite) != 0)
				continue;
			fmt_s(it->virtual_ns, s);
			fprintf(f, "    <testcase classname=\"");
			xml_str(f, it->suite);
			fprintf(f, "\" name=\"");
			xml_str(f, it->path);
			fprintf(f, "\" time=\"%s\"", s);
			const char *tag = NULL;
			switch (it->verdict) {
			case CLI_RUN_PASS:
				break;
			case CLI_RUN_FAIL:
				tag = "failure";
				break;
			case CLI_RUN_UNSUPPORTED:
			case CLI_RUN_SKIPPED:
				tag = "skipped";
				break;
			case CLI_RUN_ERROR:
				tag = "error";
				break;
			case CLI_RUN_NVERDICTS:
				break;
			}
			if (tag == NULL) {
				fprintf(f, "/>\n");
				continue;
			}
			fprintf(f, ">\n      <%s message=\"", tag);
			xml_str(f, first_line(it->messages, msg, sizeof msg));
			fprintf(f, "\">");
			xml_str(f, it->messages);
			xml_str(f, it->detail);
			fprintf(f, "</%s>\n    </testcase>\n", tag);
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	free(t);
	return 0;
}

int cli_run_junit(const char *path, const struct cli_run_item *items, size_t n, char *err, size_t errcap)
{
	/* Built in memory, then written in one checked write to a temporary
	 * file that only a clean commit renames over `path`. */
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m == NULL || junit_to(m, items, n) != 0 || fclose(m) != 0 || text == NULL) {
		snprintf(err, errcap, "%s: out of memory", path);
		free(text);
		return -1;
	}
	struct sim_outfile o;
	int rc = sim_outfile_open(&o, path, err, errcap);
	if (rc == 0) {
		errno = 0;
		if (fwrite(text, 1, len, o.f) != len)
			sim_outfile_ok(&o);
		rc = sim_outfile_commit(&o, err, errcap);
	}
	free(text);
	return rc;
}
