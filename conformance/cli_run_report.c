/*
 * cli_run_report.c - how `synack run` reports: a text block per script, a
 * JSON line per script (--json), a per-suite summary table and JUnit XML
 * (--junit FILE). Everything printed here is a function of the records
 * alone (no wall clock, no pointers), so the same suite and seed give the
 * same bytes. The JUnit file is complete or absent (sim/outfile.h).
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "outfile.h"

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
		return;
	case CLI_RUN_FAIL:
		fprintf(out, "%-11s %s  (%s s %s)\n", TAG[it->verdict], it->path, t, clock);
		indent(out, it->messages, "    ");
		indent(out, it->detail, "    ");
		return;
	case CLI_RUN_UNSUPPORTED:
	case CLI_RUN_SKIPPED:
	case CLI_RUN_ERROR:
		fprintf(out, "%-11s %s\n", TAG[it->verdict], it->path);
		indent(out, it->messages, "    ");
		return;
	case CLI_RUN_NVERDICTS:
		break;
	}
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

void cli_run_json(FILE *out, const struct cli_run_item *it)
{
	fputs("{\"script\":", out);
	json_str(out, it->path);
	fputs(",\"suite\":", out);
	json_str(out, it->suite);
	fprintf(out, ",\"verdict\":\"%s\",\"line\":%d,\"virtual_ns\":%" PRIu64 ",\"messages\":[",
		cli_run_verdict_name(it->verdict), it->line, it->virtual_ns);
	const char *p = it->messages;
	bool first = true;
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
	fputs("]", out);
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

void cli_run_summary(FILE *out, const struct cli_run_item *items, size_t n, bool json)
{
	struct tally total, *t = calloc(n ? n : 1, sizeof *t);
	if (t == NULL)
		return;
	size_t k = tally(items, n, t, &total);
	if (json) {
		fprintf(out,
			"{\"summary\":{\"scripts\":%zu,\"passed\":%u,\"failed\":%u,\"unsupported\":%u,"
			"\"skipped\":%u,\"errors\":%u,\"virtual_ns\":%" PRIu64 "}}\n",
			n, total.n[CLI_RUN_PASS], total.n[CLI_RUN_FAIL], total.n[CLI_RUN_UNSUPPORTED],
			total.n[CLI_RUN_SKIPPED], total.n[CLI_RUN_ERROR], total.ns);
		free(t);
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
	free(t);
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
