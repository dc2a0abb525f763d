/*
 * report.h - the reports `synack explain` writes from the observer's
 * stream (explain.h): human text with a ladder per conversation, JSON
 * Lines, and one self-contained HTML page with an SVG ladder.
 *
 *   observer ──xp_sink──> report_text  (stdout; conversations buffered up
 *                          to a budget, then streamed)
 *                    ├──> report_json  (stdout; one line per explained
 *                          segment as it happens, a line per conversation
 *                          as it ends, a summary line last)
 *                    └──> report_html  (a page kept in memory, written to a
 *                          temporary file and renamed at the end)
 *
 * The CLI may attach several: a fan-out sink calls each in turn.
 */
#ifndef CAPTURE_REPORT_H
#define CAPTURE_REPORT_H

#include <stdio.h>

#include "explain.h"

/* What every report says about the file itself. */
struct report_file {
	const char *path;
	const char *format;      /* "pcap", "pcapng" */
	const char *linktype;    /* "Linux cooked v1 (113)" */
	bool nanoseconds;
	uint64_t t0_ns;          /* the first frame's time: times print relative to it */
	bool have_t0;
};

struct report_text;
struct report_text *report_text_new(FILE *out, const struct report_file *f);
const struct xp_sink *report_text_sink(void);
/* After xp_finish(): the summary (and whatever was still buffered).
 * `error` (or NULL) is printed last: what stopped the reading. */
void report_text_finish(struct report_text *t, const struct xp_summary *s, const char *error);
void report_text_free(struct report_text *t);

struct report_json;
struct report_json *report_json_new(FILE *out, const struct report_file *f);
const struct xp_sink *report_json_sink(void);
void report_json_finish(struct report_json *j, const struct xp_summary *s, const char *error);
void report_json_free(struct report_json *j);
/* Writes s as a JSON string literal (quotes included). */
void report_json_str(FILE *out, const char *s);

struct report_html;
struct report_html *report_html_new(const struct report_file *f);
const struct xp_sink *report_html_sink(void);
/* Writes the page to `path` (temporary file, then rename). Returns 0, or
 * -1 with a message in err. */
int report_html_write(struct report_html *h, const char *path, const struct xp_summary *s, const char *error,
		      char *err, size_t errcap);
void report_html_free(struct report_html *h);

/* Up to four sinks behind one. */
struct report_fanout {
	const struct xp_sink *sink[4];
	void *ctx[4];
	int n;
};
const struct xp_sink *report_fanout_sink(void);

/* Writes s word-wrapped at `width` columns: the first line after `first`,
 * the others after `next`. */
void report_wrap(FILE *o, const char *s, const char *first, const char *next, size_t width);

/* "24.627320274" from a time relative to the capture's first frame. */
void report_time(uint64_t rel_ns, char *buf, size_t cap);

#endif /* CAPTURE_REPORT_H */
