/*
 * report_html.c - `synack explain --html FILE`: one self-contained page
 * (inline CSS, inline SVG, no script, no external resource) with, per
 * conversation, a ladder diagram drawn in SVG: the two ends as lifelines,
 * one arrow per segment with its fields written along it, the offending
 * field highlighted, and each explanation in a box next to its arrow.
 * The page is well-formed XML as well as HTML, so tests parse it with an
 * XML parser.
 *
 * Rows are kept in memory until the page is written; past HTML_ROWS in all
 * only explained segments are kept, with the count of those left out.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "report.h"

#define HTML_ROWS 20000u
#define NOTE_WRAP 78u
#define LEFT_X 260
#define RIGHT_X 760
#define NOTE_X 800
#define ROW_H 46
#define LINE_H 15

struct hrow {
	uint64_t frame, t;
	int from;                 /* -1: a gap marker */
	char *desc, *tag;
	char *note;               /* "kind rule: text" lines, or NULL */
	char *field;              /* the offending field, or NULL */
	char *mark;
	bool provisional;         /* over the budget: dropped unless explained */
};

struct hconv {
	uint32_t id;
	char name[2][96];
	char title[300];
	char *unknowns;
	struct hrow *rows;
	size_t n, cap;
	uint64_t gap;
	bool ended;
};

struct report_html {
	struct report_file f;
	struct hconv **conv;      /* in order of first frame */
	size_t n, cap;
	size_t rows_total;
};

static struct hconv *find(struct report_html *h, uint32_t id)
{
	for (size_t i = h->n; i > 0; i--)
		if (h->conv[i - 1]->id == id)
			return h->conv[i - 1];
	return NULL;
}

static void h_begin(void *ctx, const struct xp_conv_info *c)
{
	struct report_html *h = ctx;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct hconv **n = realloc(h->conv, cap * sizeof *n);
		if (n == NULL)
			return;
		h->conv = n;
		h->cap = cap;
	}
	struct hconv *v = calloc(1, sizeof *v);
	if (v == NULL)
		return;
	v->id = c->id;
	for (int i = 0; i < 2; i++)
		snprintf(v->name[i], sizeof v->name[i], "%s%s", c->name[i],
			 c->client == i ? " (client)" : c->client == 1 - i ? " (server)" : "");
	h->conv[h->n++] = v;
}

static bool grow(struct hconv *v)
{
	if (v->n < v->cap)
		return true;
	size_t cap = v->cap ? v->cap * 2 : 16;
	struct hrow *n = realloc(v->rows, cap * sizeof *n);
	if (n == NULL)
		return false;
	v->rows = n;
	v->cap = cap;
	return true;
}

static void add_gap(struct hconv *v)
{
	if (v->gap == 0 || !grow(v))
		return;
	struct hrow *g = &v->rows[v->n++];
	memset(g, 0, sizeof *g);
	g->from = -1;
	if (asprintf(&g->desc, "... %" PRIu64 " segment%s not shown ...", v->gap, v->gap == 1 ? "" : "s") < 0)
		g->desc = NULL;
	v->gap = 0;
}

static void row_free(struct hrow *r)
{
	free(r->desc);
	free(r->tag);
	free(r->note);
	free(r->field);
	free(r->mark);
	memset(r, 0, sizeof *r);
}

static void h_row(void *ctx, const struct xp_conv_info *c, const struct xp_row *r)
{
	struct report_html *h = ctx;
	struct hconv *v = find(h, c->id);
	if (v == NULL)
		return;
	/* Over the budget a row is kept only if a note comes for it: the
	 * previous provisional row without one is dropped and counted. */
	if (v->n > 0 && v->rows[v->n - 1].provisional && v->rows[v->n - 1].note == NULL) {
		row_free(&v->rows[--v->n]);
		h->rows_total--;
		v->gap++;
	}
	add_gap(v);
	if (!grow(v))
		return;
	struct hrow *w = &v->rows[v->n++];
	memset(w, 0, sizeof *w);
	w->provisional = h->rows_total >= HTML_ROWS;
	w->frame = r->frame;
	w->t = h->f.have_t0 && r->ts_ns >= h->f.t0_ns ? r->ts_ns - h->f.t0_ns : r->ts_ns;
	w->from = r->from;
	w->desc = strdup(r->desc);
	if (asprintf(&w->tag, "%s | %s", r->state_after[0], r->state_after[1]) < 0)
		w->tag = NULL;
	h->rows_total++;
}

static void appendf(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void appendf(char **s, const char *fmt, ...)
{
	char *add = NULL;
	va_list ap;
	va_start(ap, fmt);
	int k = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	if (*s == NULL) {
		*s = add;
		return;
	}
	char *n = NULL;
	if (asprintf(&n, "%s\n%s", *s, add) >= 0) {
		free(*s);
		*s = n;
	}
	free(add);
}

static void h_note(void *ctx, const struct xp_conv_info *c, const struct xp_note *n)
{
	struct report_html *h = ctx;
	struct hconv *v = find(h, c->id);
	if (v == NULL || v->n == 0 || v->rows[v->n - 1].frame != n->frame)
		return;
	struct hrow *w = &v->rows[v->n - 1];
	if (n->caused_by)
		appendf(&w->note, "%s, %s (%s; caused by frame %" PRIu64 "): %s", n->rule->kind, n->rule->id,
			n->rule->refs[0], n->caused_by, n->text);
	else
		appendf(&w->note, "%s, %s (%s): %s", n->rule->kind, n->rule->id, n->rule->refs[0], n->text);
	for (size_t i = 0; i < n->n_also; i++)
		appendf(&w->note, "also %s, %s (%s): %s", n->also[i].rule->kind, n->also[i].rule->id,
			n->also[i].rule->refs[0], n->also[i].text);
	if (n->field && w->field == NULL)
		w->field = strdup(n->field);
	if (n->mark && w->mark == NULL)
		w->mark = strdup(n->mark);
}

static void h_end(void *ctx, const struct xp_conv_info *c)
{
	struct report_html *h = ctx;
	struct hconv *v = find(h, c->id);
	if (v == NULL)
		return;
	add_gap(v);
	v->ended = true;
	snprintf(v->title, sizeof v->title, "frames %" PRIu64 "-%" PRIu64 ", %" PRIu64 " segments; at the end %s, %s",
		 c->first_frame, c->last_frame, c->frames, xp_state_name(c->state[0]), xp_state_name(c->state[1]));
	if (c->unknowns)
		v->unknowns = strdup(c->unknowns);
}

static const struct xp_sink HTML_SINK = {h_begin, h_row, h_note, h_end};

const struct xp_sink *report_html_sink(void)
{
	return &HTML_SINK;
}

struct report_html *report_html_new(const struct report_file *f)
{
	struct report_html *h = calloc(1, sizeof *h);
	if (h)
		h->f = *f;
	return h;
}

/* ---- writing ---- */

static void esc(FILE *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		switch (s[i]) {
		case '&':
			fputs("&amp;", o);
			break;
		case '<':
			fputs("&lt;", o);
			break;
		case '>':
			fputs("&gt;", o);
			break;
		case '"':
			fputs("&quot;", o);
			break;
		default:
			fputc(s[i], o);
		}
	}
}

static void escs(FILE *o, const char *s)
{
	esc(o, s ? s : "", SIZE_MAX);
}

/* Where the offending field is in a row's description: "ack 0" for
 * "ack", the SEQ:END(LEN) part for "seq", the flags for "flags". */
static void field_span(const char *desc, const char *field, size_t *at, size_t *len)
{
	*at = *len = 0;
	if (field == NULL || desc == NULL)
		return;
	if (strcmp(field, "flags") == 0) {
		const char *sp = strchr(desc, ' ');
		*len = sp ? (size_t)(sp - desc) : strlen(desc);
		return;
	}
	if (strcmp(field, "seq") == 0) {
		const char *sp = strchr(desc, ' ');
		if (sp == NULL)
			return;
		const char *e = strchr(sp + 1, ' ');
		*at = (size_t)(sp + 1 - desc);
		*len = e ? (size_t)(e - sp - 1) : strlen(sp + 1);
		return;
	}
	char key[16];
	snprintf(key, sizeof key, " %s ", field);
	const char *k = strstr(desc, key);
	if (k == NULL)
		return;
	const char *e = strchr(k + strlen(key), ' ');
	*at = (size_t)(k + 1 - desc);
	*len = e ? (size_t)(e - k - 1) : strlen(k + 1);
}

/* Number of wrapped lines of s at NOTE_WRAP columns; with o, writes them
 * as <tspan> lines starting at (x, y). */
static int wrap_lines(FILE *o, const char *s, int x, int y)
{
	int lines = 0;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t seg = nl ? (size_t)(nl - s) : strlen(s);
		size_t pos = 0;
		while (pos < seg || (seg == 0 && pos == 0)) {
			size_t take = seg - pos;
			if (take > NOTE_WRAP) {
				take = NOTE_WRAP;
				while (take > 20 && s[pos + take] != ' ')
					take--;
			}
			if (o) {
				fprintf(o, "<tspan x=\"%d\" y=\"%d\">", x, y + lines * LINE_H);
				esc(o, s + pos, take);
				fputs("</tspan>", o);
			}
			lines++;
			pos += take;
			while (pos < seg && s[pos] == ' ')
				pos++;
			if (seg == 0)
				break;
		}
		s += seg + (nl ? 1 : 0);
	}
	return lines;
}

static void svg(FILE *o, const struct hconv *v)
{
	int height = 70;
	for (size_t i = 0; i < v->n; i++) {
		int lines = v->rows[i].note ? wrap_lines(NULL, v->rows[i].note, 0, 0) : 0;
		int h = lines * LINE_H + 16;
		height += h > ROW_H ? h : ROW_H;
	}
	int width = NOTE_X + (int)NOTE_WRAP * 7 + 40;
	fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\">\n",
		width, height, width, height);
	fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
	      "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>\n",
	      o);
	for (int i = 0; i < 2; i++) {
		int x = i ? RIGHT_X : LEFT_X;
		fprintf(o, "<text class=\"end\" x=\"%d\" y=\"20\" text-anchor=\"middle\">", x);
		escs(o, v->name[i]);
		fprintf(o, "</text>\n<line class=\"life\" x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\"/>\n", x, x, height - 10);
	}
	fputs("<text class=\"hdr\" x=\"10\" y=\"20\">frame / time (s)</text>\n", o);
	int y = 60;
	for (size_t i = 0; i < v->n; i++) {
		const struct hrow *r = &v->rows[i];
		int lines = r->note ? wrap_lines(NULL, r->note, 0, 0) : 0;
		int h = lines * LINE_H + 16 > ROW_H ? lines * LINE_H + 16 : ROW_H;
		if (r->from < 0) {
			fprintf(o, "<text class=\"gap\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (LEFT_X + RIGHT_X) / 2,
				y);
			escs(o, r->desc);
			fputs("</text>\n", o);
			y += ROW_H;
			continue;
		}
		char t[32];
		report_time(r->t, t, sizeof t);
		fprintf(o, "<g class=\"seg%s\" id=\"frame-%" PRIu64 "\">\n", r->note ? " explained" : "", r->frame);
		fprintf(o, "<text class=\"frame\" x=\"10\" y=\"%d\">%" PRIu64 "</text>", y + 4, r->frame);
		fprintf(o, "<text class=\"time\" x=\"60\" y=\"%d\">%s</text>\n", y + 4, t);
		int x1 = r->from == 0 ? LEFT_X : RIGHT_X, x2 = r->from == 0 ? RIGHT_X : LEFT_X;
		fprintf(o, "<line class=\"arrow\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" marker-end=\"url(#arrow)\"/>\n",
			x1, y + 10, x2, y + 10);
		size_t at, len;
		field_span(r->desc, r->field, &at, &len);
		fprintf(o, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (LEFT_X + RIGHT_X) / 2,
			y + 4);
		/* Long descriptions are cut to the space between the lifelines;
		 * the full text is in the title. */
		const char *d = r->desc ? r->desc : "";
		size_t dl = strlen(d), max = 68;
		if (len) {
			esc(o, d, at);
			fputs("<tspan class=\"bad\">", o);
			esc(o, d + at, len);
			fputs("</tspan>", o);
			esc(o, d + at + len, dl - at - len > max ? max : dl - at - len);
		} else {
			esc(o, d, dl > max ? max : dl);
			if (dl > max)
				fputs("...", o);
		}
		fputs("<title>", o);
		escs(o, d);
		fputs("</title></text>\n", o);
		if (r->tag) {
			fprintf(o, "<text class=\"state\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (LEFT_X + RIGHT_X) / 2,
				y + 26);
			escs(o, r->tag);
			fputs("</text>\n", o);
		}
		if (r->note) {
			fprintf(o, "<rect class=\"note\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/>\n",
				NOTE_X - 6, y - 8, (int)NOTE_WRAP * 7 + 20, lines * LINE_H + 8);
			fprintf(o, "<text class=\"note\">");
			wrap_lines(o, r->note, NOTE_X, y + 4);
			fputs("</text>\n", o);
		}
		fputs("</g>\n", o);
		y += h;
	}
	fputs("</svg>\n", o);
}

int report_html_write(struct report_html *h, const char *path, const struct xp_summary *s, const char *error,
		      char *err, size_t errcap)
{
	struct sim_outfile out;
	if (sim_outfile_open(&out, path, err, errcap) != 0)
		return -1;
	FILE *o = out.f;
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n<title>synack explain: ",
	      o);
	escs(o, h->f.path);
	fputs("</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
	      "h1{font-size:1.3em}h2{font-size:1.1em;margin-top:2em}\n"
	      "svg.ladder{font-family:monospace;font-size:12px;background:#fcfcfc;border:1px solid #ddd}\n"
	      ".life{stroke:#555;stroke-width:2}.arrow{stroke:#333;stroke-width:1.2}\n"
	      ".explained .arrow{stroke:#b00;stroke-width:2}\n"
	      ".label{fill:#000}.bad{fill:#c00;font-weight:bold;text-decoration:underline}\n"
	      ".state{fill:#777;font-size:10px}.frame{fill:#06c}.time{fill:#555}\n"
	      ".note{fill:#fff6e0;stroke:#e0b050}text.note{fill:#333;stroke:none;font-family:sans-serif;font-size:12px}\n"
	      ".gap{fill:#888;font-style:italic}.end{font-weight:bold}\n"
	      "p.meta{color:#444}\n"
	      "</style>\n</head>\n<body>\n<h1>synack explain: ",
	      o);
	escs(o, h->f.path);
	fputs("</h1>\n<p class=\"meta\">", o);
	fprintf(o, "%s, %s, %s timestamps; %" PRIu64 " frames, %" PRIu64 " TCP in %" PRIu64 " conversations, %" PRIu64
		" explained.</p>\n<p class=\"meta\">Capture point: ",
		h->f.format, h->f.linktype, h->f.nanoseconds ? "nanosecond" : "microsecond", s->frames, s->tcp,
		s->conversations, s->notes);
	escs(o, s->capture_point);
	fputs("</p>\n", o);
	if (error) {
		fputs("<p class=\"meta\"><strong>Stopped:</strong> ", o);
		escs(o, error);
		fputs("</p>\n", o);
	}
	for (size_t i = 0; i < h->n; i++) {
		const struct hconv *v = h->conv[i];
		fprintf(o, "<section id=\"conversation-%u\">\n<h2>Conversation %u: ", v->id, v->id);
		escs(o, v->name[0]);
		fputs(" and ", o);
		escs(o, v->name[1]);
		fputs("</h2>\n<p class=\"meta\">", o);
		escs(o, v->title);
		if (v->unknowns) {
			fputs(". Unknown: ", o);
			escs(o, v->unknowns);
		}
		fputs("</p>\n", o);
		svg(o, v);
		fputs("</section>\n", o);
	}
	fputs("</body>\n</html>\n", o);
	return sim_outfile_commit(&out, err, errcap);
}

void report_html_free(struct report_html *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		struct hconv *v = h->conv[i];
		for (size_t k = 0; k < v->n; k++)
			row_free(&v->rows[k]);
		free(v->rows);
		free(v->unknowns);
		free(v);
	}
	free(h->conv);
	free(h);
}
