/*
 * report_text.c - `synack explain`'s human report: the file and where it
 * was taken, then per conversation a ladder (engine_ladder_rows, the
 * engine's own renderer) with the offending field marked, and the
 * explanation of every segment that needs one.
 *
 * A conversation is printed when it ends. Up to TEXT_ROWS segments are
 * all shown; past that only the segments around an explanation are (three
 * before, three after), with the number left out in between, so a long
 * transfer costs a few rows. Blocks are kept until the end so the summary
 * comes first, up to TEXT_BUDGET bytes; past that they are streamed and
 * the summary comes last.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "report.h"

#define TEXT_ROWS 400u
#define TEXT_CONTEXT 3u
#define TEXT_BUDGET (8u << 20)
#define WRAP 100u

struct trow {
	uint64_t frame, t;
	int from;
	char *desc, *tag, *marks;
};

struct tconv {
	uint32_t id;
	struct trow *rows;
	size_t n, cap, seen;
	struct trow ring[TEXT_CONTEXT];
	size_t ring_n;
	uint64_t omitted;                 /* rows dropped since the last stored one */
	unsigned after;                   /* rows still to keep after a note */
	char *notes;                      /* rendered explanations */
	size_t notes_len;
	FILE *nf;
};

struct report_text {
	FILE *out;
	struct report_file f;
	struct tconv **conv;              /* by id */
	size_t nconv;
	char *blocks;                     /* finished conversations, not yet printed */
	size_t blocks_len;
	FILE *bf;
	bool streaming;
	bool header_done;
};

void report_time(uint64_t rel_ns, char *buf, size_t cap)
{
	snprintf(buf, cap, "%" PRIu64 ".%09" PRIu64, rel_ns / 1000000000u, rel_ns % 1000000000u);
}

static uint64_t rel(const struct report_text *t, uint64_t ns)
{
	return t->f.have_t0 && ns >= t->f.t0_ns ? ns - t->f.t0_ns : ns;
}

static struct tconv *tc_get(struct report_text *t, uint32_t id)
{
	if (id >= t->nconv) {
		size_t n = t->nconv ? t->nconv : 64;
		while (n <= id)
			n *= 2;
		struct tconv **c = realloc(t->conv, n * sizeof *c);
		if (c == NULL)
			return NULL;
		memset(c + t->nconv, 0, (n - t->nconv) * sizeof *c);
		t->conv = c;
		t->nconv = n;
	}
	if (t->conv[id] == NULL) {
		struct tconv *c = calloc(1, sizeof *c);
		if (c == NULL)
			return NULL;
		c->id = id;
		c->nf = open_memstream(&c->notes, &c->notes_len);
		t->conv[id] = c;
	}
	return t->conv[id];
}

static void row_free(struct trow *r)
{
	free(r->desc);
	free(r->tag);
	free(r->marks);
	memset(r, 0, sizeof *r);
}

static bool room(struct tconv *c)
{
	if (c->n < c->cap)
		return true;
	size_t cap = c->cap ? c->cap * 2 : 16;
	struct trow *n = realloc(c->rows, cap * sizeof *n);
	if (n == NULL)
		return false;
	c->rows = n;
	c->cap = cap;
	return true;
}

/* A row without an arrow saying how many segments were left out. */
static void flush_gap(struct tconv *c)
{
	if (c->omitted == 0 || !room(c))
		return;
	struct trow *g = &c->rows[c->n++];
	memset(g, 0, sizeof *g);
	g->from = -1;
	if (asprintf(&g->desc, "... %" PRIu64 " segment%s not shown ...", c->omitted, c->omitted == 1 ? "" : "s") < 0)
		g->desc = NULL;
	c->omitted = 0;
}

static void store(struct tconv *c, struct trow *r)
{
	flush_gap(c);
	if (!room(c)) {
		row_free(r);
		return;
	}
	c->rows[c->n++] = *r;
}

static void t_row(void *ctx, const struct xp_conv_info *ci, const struct xp_row *r)
{
	struct report_text *t = ctx;
	struct tconv *c = tc_get(t, ci->id);
	if (c == NULL)
		return;
	struct trow row;
	memset(&row, 0, sizeof row);
	row.frame = r->frame;
	row.t = rel(t, r->ts_ns);
	row.from = r->from;
	row.desc = strdup(r->desc);
	char tag[160];
	int k = snprintf(tag, sizeof tag, "frame %" PRIu64 "  %s | %s", r->frame, r->state_after[0], r->state_after[1]);
	if (r->trailer && k > 0 && (size_t)k < sizeof tag)
		snprintf(tag + k, sizeof tag - (size_t)k, "  (+%u bytes after the datagram)", r->trailer);
	row.tag = strdup(tag);
	c->seen++;
	if (c->seen <= TEXT_ROWS || c->after > 0) {
		if (c->after > 0)
			c->after--;
		/* Rows held back for context go first. */
		for (size_t i = 0; i < c->ring_n; i++)
			store(c, &c->ring[i]);
		c->ring_n = 0;
		store(c, &row);
		return;
	}
	if (c->ring_n == TEXT_CONTEXT) {
		row_free(&c->ring[0]);
		memmove(c->ring, c->ring + 1, (TEXT_CONTEXT - 1) * sizeof c->ring[0]);
		c->ring_n--;
		c->omitted++;
	}
	c->ring[c->ring_n++] = row;
}

/* Word-wraps s at WRAP columns with the given indent. */
void report_wrap(FILE *o, const char *s, const char *first, const char *next, size_t width)
{
	size_t col = strlen(first), il = col;
	fputs(first, o);
	while (*s) {
		const char *sp = strchr(s, ' ');
		size_t w = sp ? (size_t)(sp - s) : strlen(s);
		if (col > il && col + 1 + w > width) {
			fputc('\n', o);
			fputs(next, o);
			col = il = strlen(next);
		} else if (col > il) {
			fputc(' ', o);
			col++;
		}
		fwrite(s, 1, w, o);
		col += w;
		s += w;
		while (*s == ' ')
			s++;
	}
	fputc('\n', o);
}

static void wrap(FILE *o, const char *s, const char *indent)
{
	report_wrap(o, s, indent, indent, WRAP);
}

static void refs_str(const struct xp_rule *r, char *buf, size_t cap)
{
	size_t w = 0;
	buf[0] = '\0';
	for (int i = 0; i < XP_MAX_REFS && r->refs[i] && w < cap; i++)
		w += (size_t)snprintf(buf + w, cap - w, "%s%s", i ? "; " : "", r->refs[i]);
}

static void t_note(void *ctx, const struct xp_conv_info *ci, const struct xp_note *n)
{
	struct report_text *t = ctx;
	struct tconv *c = tc_get(t, ci->id);
	if (c == NULL || c->nf == NULL)
		return;
	/* The segment's row, and the rows around it, stay in the ladder. */
	if (c->ring_n > 0) {
		for (size_t i = 0; i < c->ring_n; i++)
			store(c, &c->ring[i]);
		c->ring_n = 0;
	}
	c->after = TEXT_CONTEXT;
	char mark[256];
	snprintf(mark, sizeof mark, "%s", n->mark ? n->mark : "");
	if (!n->mark)
		snprintf(mark, sizeof mark, "^^^ %s: %s", n->rule->kind, n->rule->id);
	if (c->n > 0 && c->rows[c->n - 1].frame == n->frame) {
		struct trow *r = &c->rows[c->n - 1];
		free(r->marks);
		r->marks = strdup(mark);
	}
	char rs[300], cause[64] = "";
	refs_str(n->rule, rs, sizeof rs);
	if (n->caused_by)
		snprintf(cause, sizeof cause, ", caused by frame %" PRIu64, n->caused_by);
	fprintf(c->nf, "  frame %" PRIu64 "  %s  %s  (%s)\n", n->frame, n->rule->kind, n->rule->id, rs);
	fprintf(c->nf, "    sent by %s in %s%s\n", n->sender, n->state, cause);
	wrap(c->nf, n->text, "    ");
	for (size_t i = 0; i < n->n_also; i++) {
		const struct xp_note *a = &n->also[i];
		refs_str(a->rule, rs, sizeof rs);
		fprintf(c->nf, "    also: %s  %s  (%s)\n", a->rule->kind, a->rule->id, rs);
		wrap(c->nf, a->text, "      ");
	}
}

static void header(struct report_text *t, const struct xp_summary *s)
{
	FILE *o = t->out;
	if (t->header_done)
		return;
	t->header_done = true;
	fprintf(o, "synack explain: %s\n", t->f.path);
	fprintf(o, "  %s, %s, %s timestamps\n", t->f.format, t->f.linktype,
		t->f.nanoseconds ? "nanosecond" : "microsecond");
	if (s == NULL)
		return;
	char d[32];
	report_time(s->last_ns > s->first_ns ? s->last_ns - s->first_ns : 0, d, sizeof d);
	fprintf(o, "  %" PRIu64 " frames over %s s: %" PRIu64 " TCP in %" PRIu64 " conversation%s", s->frames, d,
		s->tcp, s->conversations, s->conversations == 1 ? "" : "s");
	uint64_t other = s->arp + s->udp + s->icmp + s->fragments + s->ip_other + s->non_ip;
	if (other)
		fprintf(o, "; other traffic: %" PRIu64 " ARP, %" PRIu64 " UDP, %" PRIu64 " ICMP, %" PRIu64
			" IP fragments, %" PRIu64 " other IP, %" PRIu64 " not IP",
			s->arp, s->udp, s->icmp, s->fragments, s->ip_other, s->non_ip);
	fprintf(o, "\n  capture point: %s\n", s->capture_point);
	if (s->csum_offload)
		fprintf(o, "  checksum offload: %" PRIu64 " TCP checksums were left for the sender's network card to "
			"fill in (captured before it did); taken as valid\n",
			s->csum_offload);
	fprintf(o, "  explained: %" PRIu64 " segment%s\n", s->notes, s->notes == 1 ? "" : "s");
}

static void t_conv_end(void *ctx, const struct xp_conv_info *ci)
{
	struct report_text *t = ctx;
	struct tconv *c = ci->id < t->nconv ? t->conv[ci->id] : NULL;
	if (c == NULL)
		return;
	c->omitted += c->ring_n;
	for (size_t i = 0; i < c->ring_n; i++)
		row_free(&c->ring[i]);
	c->ring_n = 0;
	flush_gap(c);
	if (c->nf)
		fclose(c->nf);
	c->nf = NULL;
	if (t->bf == NULL && !t->streaming)
		t->bf = open_memstream(&t->blocks, &t->blocks_len);
	FILE *o = t->streaming ? t->out : t->bf;
	if (o == NULL)
		o = t->out;
	char left[96], right[96];
	int cl = ci->client;
	snprintf(left, sizeof left, "%s%s", ci->name[0], cl == 0 ? " (client)" : cl == 1 ? " (server)" : "");
	snprintf(right, sizeof right, "%s%s", ci->name[1], cl == 1 ? " (client)" : cl == 0 ? " (server)" : "");
	fprintf(o, "\nconversation %u: %s and %s, frames %" PRIu64 "-%" PRIu64 " (%" PRIu64 " segments)\n", ci->id,
		left, right, ci->first_frame, ci->last_frame, ci->frames);
	fprintf(o, "  at the end: %s in %s, %s in %s\n", ci->name[0], xp_state_name(ci->state[0]), ci->name[1],
		xp_state_name(ci->state[1]));
	if (ci->unknowns)
		wrap(o, ci->unknowns, "  unknown: ");
	struct engine_ladder_row *rows = calloc(c->n ? c->n : 1, sizeof *rows);
	if (rows != NULL) {
		for (size_t i = 0; i < c->n; i++) {
			rows[i].t = c->rows[i].t;
			rows[i].right = c->rows[i].from == 1;
			rows[i].plain = c->rows[i].from < 0;
			rows[i].desc = c->rows[i].desc ? c->rows[i].desc : "";
			rows[i].tag = c->rows[i].tag;
			rows[i].marks = c->rows[i].marks;
		}
		fputc('\n', o);
		engine_ladder_rows(o, left, right, rows, c->n);
		free(rows);
	}
	if (c->notes_len)
		fprintf(o, "\n%s", c->notes);
	for (size_t i = 0; i < c->n; i++)
		row_free(&c->rows[i]);
	free(c->rows);
	free(c->notes);
	free(c);
	t->conv[ci->id] = NULL;
	if (!t->streaming && t->bf != NULL) {
		fflush(t->bf);
		if (t->blocks_len > TEXT_BUDGET) {
			/* Too much to hold: print what we have, stream the rest. */
			header(t, NULL);
			fclose(t->bf);
			t->bf = NULL;
			fwrite(t->blocks, 1, t->blocks_len, t->out);
			free(t->blocks);
			t->blocks = NULL;
			t->blocks_len = 0;
			t->streaming = true;
		}
	}
}

static const struct xp_sink TEXT_SINK = {NULL, t_row, t_note, t_conv_end};

const struct xp_sink *report_text_sink(void)
{
	return &TEXT_SINK;
}

struct report_text *report_text_new(FILE *out, const struct report_file *f)
{
	struct report_text *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->out = out;
	t->f = *f;
	return t;
}

void report_text_finish(struct report_text *t, const struct xp_summary *s, const char *error)
{
	if (t->streaming) {
		fprintf(t->out, "\nsummary\n");
		t->header_done = false;
	}
	header(t, s);
	if (t->bf != NULL) {
		fclose(t->bf);
		t->bf = NULL;
		if (t->blocks_len)
			fwrite(t->blocks, 1, t->blocks_len, t->out);
		free(t->blocks);
		t->blocks = NULL;
	}
	if (error)
		fprintf(t->out, "\nstopped: %s\n", error);
}

void report_text_free(struct report_text *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nconv; i++)
		if (t->conv[i]) {
			struct tconv *c = t->conv[i];
			for (size_t k = 0; k < c->n; k++)
				row_free(&c->rows[k]);
			for (size_t k = 0; k < c->ring_n; k++)
				row_free(&c->ring[k]);
			if (c->nf)
				fclose(c->nf);
			free(c->rows);
			free(c->notes);
			free(c);
		}
	free(t->conv);
	if (t->bf)
		fclose(t->bf);
	free(t->blocks);
	free(t);
}

/* ---- fan-out ---- */

static void f_begin(void *ctx, const struct xp_conv_info *c)
{
	struct report_fanout *f = ctx;
	for (int i = 0; i < f->n; i++)
		if (f->sink[i]->conv_begin)
			f->sink[i]->conv_begin(f->ctx[i], c);
}

static void f_row(void *ctx, const struct xp_conv_info *c, const struct xp_row *r)
{
	struct report_fanout *f = ctx;
	for (int i = 0; i < f->n; i++)
		if (f->sink[i]->row)
			f->sink[i]->row(f->ctx[i], c, r);
}

static void f_note(void *ctx, const struct xp_conv_info *c, const struct xp_note *n)
{
	struct report_fanout *f = ctx;
	for (int i = 0; i < f->n; i++)
		if (f->sink[i]->note)
			f->sink[i]->note(f->ctx[i], c, n);
}

static void f_end(void *ctx, const struct xp_conv_info *c)
{
	struct report_fanout *f = ctx;
	for (int i = 0; i < f->n; i++)
		if (f->sink[i]->conv_end)
			f->sink[i]->conv_end(f->ctx[i], c);
}

static const struct xp_sink FANOUT_SINK = {f_begin, f_row, f_note, f_end};

const struct xp_sink *report_fanout_sink(void)
{
	return &FANOUT_SINK;
}
