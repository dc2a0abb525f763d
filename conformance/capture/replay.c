/*
 * replay.c - `synack replay` (see replay.h): the capture becomes a script
 * with the DUT's segments as captured (to_script.c), the engine runs it
 * against the chosen adapter, and the result is told frame by frame.
 *
 * Both sides are explained where the DUT departs: the captured frame by
 * what `synack explain` said of it in the capture, and the DUT's own
 * segment by running the same observer over the exchange the engine
 * logged (the peer's segments as injected, the DUT's as sent).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "replay.h"
#include "report.h"
#include "script.h"

/* ---- the observer over the replayed exchange --------------------------- */

struct live_note {
	uint64_t frame;           /* index in the engine's log, from 1 */
	char *text;
	const struct xp_rule *rule;
};

struct live {
	struct live_note *v;
	size_t n, cap;
};

static void live_note(void *ctx, const struct xp_conv_info *c, const struct xp_note *n)
{
	struct live *l = ctx;
	(void)c;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct live_note *v = realloc(l->v, cap * sizeof *v);
		if (v == NULL)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].frame = n->frame;
	l->v[l->n].rule = n->rule;
	l->v[l->n].text = strdup(n->text);
	l->n++;
}

static const struct xp_sink LIVE_SINK = {NULL, NULL, live_note, NULL};

static void observe_log(const struct engine_result *er, struct live *l)
{
	struct explain *x = xp_new(&LIVE_SINK, l);
	if (x == NULL)
		return;
	for (size_t i = 0; i < er->n_log; i++) {
		struct cap_pkt p;
		struct cap_error e;
		memset(&p, 0, sizeof p);
		p.frame = i + 1;
		p.ts_ns = er->log[i].t;
		if (cap_decode(DLT_RAW, er->log[i].data, (uint32_t)er->log[i].len, (uint32_t)er->log[i].len, &p, &e) == 0)
			xp_packet(x, &p);
	}
	xp_finish(x);
	xp_free(x);
}

static const struct live_note *live_find(const struct live *l, uint64_t frame)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].frame == frame)
			return &l->v[i];
	return NULL;
}

/* ---- reporting ------------------------------------------------------------ */

enum status { ST_INJECTED, ST_MATCHED, ST_DEPARTS, ST_NOT_REPLAYED, ST_SKIPPED };

static const char *status_name(enum status s)
{
	switch (s) {
	case ST_INJECTED:
		return "injected";
	case ST_MATCHED:
		return "matched";
	case ST_DEPARTS:
		return "departs";
	case ST_NOT_REPLAYED:
		return "not-replayed";
	case ST_SKIPPED:
		return "skipped";
	}
	return "?";
}

/* The engine's "file:line: " prefix off a message line. */
static const char *strip_loc(const char *m, int line)
{
	char pre[32];
	snprintf(pre, sizeof pre, ":%d: ", line);
	const char *p = strstr(m, pre);
	return p ? p + strlen(pre) : m;
}

/* The datagram a log entry holds, decoded; false if it is not TCP. */
static bool decode_log(const struct engine_log_entry *le, struct cap_pkt *p)
{
	struct cap_error e;
	memset(p, 0, sizeof *p);
	return cap_decode(DLT_RAW, le->data, (uint32_t)le->len, (uint32_t)le->len, p, &e) == 0 && p->kind == CAP_TCP;
}

/* Writes s word-wrapped at 100 columns, indented under the frame. */
static void wrap(FILE *o, const char *s)
{
	report_wrap(o, s, "                         ", "                           ", 100);
}

static void jstr_field(FILE *o, const char *name, const char *v)
{
	fprintf(o, ",\"%s\":", name);
	if (v)
		report_json_str(o, v);
	else
		fputs("null", o);
}

int rp_run(const char *capture, const struct rp_options *o, FILE *out)
{
	struct xs_options xo = o->xs;
	xo.as_captured = true;
	struct xs_result xr;
	struct cap_error err;
	if (xs_build(capture, &xo, &xr, &err) != 0) {
		fprintf(stderr, "synack replay: %s\n", err.msg);
		xs_result_free(&xr);
		return 2;
	}
	char name[600];
	snprintf(name, sizeof name, "%s (conversation %u)", capture, xr.conv.id);
	if (o->script_out) {
		struct sim_outfile f;
		char e[400];
		if (sim_outfile_open(&f, o->script_out, e, sizeof e) == 0) {
			fputs(xr.script, f.f);
			if (sim_outfile_commit(&f, e, sizeof e) != 0)
				fprintf(stderr, "synack replay: --script: %s\n", e);
		} else {
			fprintf(stderr, "synack replay: --script: %s\n", e);
		}
	}
	struct script *s = NULL;
	struct script_error se;
	if (script_parse_string(name, xr.script, strlen(xr.script), &s, &se) != SCRIPT_OK) {
		fprintf(stderr, "synack replay: internal error, the replay script does not parse: %s\n", se.text);
		xs_result_free(&xr);
		return 2;
	}
	struct engine_options eo;
	engine_options_defaults(&eo);
	eo.dut_ops = o->dut;
	eo.profile = o->profile;
	eo.seed = o->seed;
	eo.tolerance_ns = o->tolerance_ns;
	eo.ignore_options = !o->xs.strict;
	eo.ignore_win = !o->xs.strict;
	char e2[600];
	if (!engine_check_options(s, &eo, e2, sizeof e2)) {
		fprintf(stderr, "synack replay: %s\n", e2);
		script_free(s);
		xs_result_free(&xr);
		return 2;
	}
	struct engine_result er;
	engine_run(s, &eo, &er);
	if (o->pcap && engine_write_pcap(&er, o->pcap, e2, sizeof e2) != 0)
		fprintf(stderr, "synack replay: --pcap: %s\n", e2);

	int rc = 0;
	int fail_line = 0;
	bool unexpected_at_end = false;
	if (er.verdict == ENGINE_FAIL) {
		rc = 1;
		fail_line = er.line;
		unexpected_at_end = strstr(er.messages, "no line expected it") != NULL;
	} else if (er.verdict != ENGINE_PASS) {
		fprintf(stderr, "synack replay: the %s DUT cannot run this replay (%s):\n%s", o->dut->name,
			engine_verdict_name(er.verdict), er.messages);
		engine_result_free(&er);
		script_free(s);
		xs_result_free(&xr);
		return 2;
	}
	/* The frame the failing line stands for: its own, or (an action that
	 * failed) the first frame after it. */
	const struct xs_frame *dep = NULL;
	if (rc == 1 && !unexpected_at_end) {
		for (size_t i = 0; i < xr.n_frames && dep == NULL; i++)
			if (xr.frames[i].line >= fail_line && xr.frames[i].line > 0)
				dep = &xr.frames[i];
	}
	struct live live;
	memset(&live, 0, sizeof live);
	observe_log(&er, &live);

	const char *dut_name = xr.conv.name[xr.dut], *peer_name = xr.conv.name[1 - xr.dut];
	if (!o->json) {
		fprintf(out, "synack replay: %s, conversation %u (frames %" PRIu64 "-%" PRIu64 ")\n", capture, xr.conv.id,
			xr.conv.first_frame, xr.conv.last_frame);
		fprintf(out, "  DUT: %s as %s (%s); the script plays %s\n", o->dut->name, dut_name, xr.why_dut, peer_name);
		if (xr.v6_mapped)
			fprintf(out, "  (IPv6 replayed over IPv4: the rules do not depend on the IP version)\n");
	}
	bool past = false;
	for (size_t i = 0; i < xr.n_frames; i++) {
		const struct xs_frame *f = &xr.frames[i];
		enum status st;
		if (f->fate == XS_SKIPPED)
			st = ST_SKIPPED;
		else if (past)
			st = ST_NOT_REPLAYED;
		else if (f == dep)
			st = ST_DEPARTS;
		else
			st = f->from_dut ? ST_MATCHED : ST_INJECTED;
		/* What the DUT sent for this frame's line. */
		const struct engine_log_entry *le = NULL;
		size_t le_i = 0;
		for (size_t k = 0; k < er.n_log && f->line > 0; k++)
			if (er.log[k].outbound && er.log[k].line == f->line) {
				le = &er.log[k];
				le_i = k;
			}
		char dut_desc[400] = "";
		struct cap_pkt dp;
		bool dut_tcp = le && decode_log(le, &dp);
		if (dut_tcp)
			cap_describe(&dp, dut_desc, sizeof dut_desc);
		else if (le)
			snprintf(dut_desc, sizeof dut_desc, "(not a TCP segment)");
		const struct live_note *ln = le ? live_find(&live, le_i + 1) : NULL;
		/* The engine's differences for the departing line. */
		char *diffs = NULL;
		size_t dlen = 0;
		FILE *df = open_memstream(&diffs, &dlen);
		if (st == ST_DEPARTS && df) {
			char pre[32];
			snprintf(pre, sizeof pre, ":%d: ", fail_line);
			const char *m = er.messages;
			while (m && *m) {
				const char *nl = strchr(m, '\n');
				size_t n = nl ? (size_t)(nl - m) : strlen(m);
				char one[700];
				snprintf(one, sizeof one, "%.*s", (int)n, m);
				/* In a replay what is expected is what the capture shows. */
				const char *m1 = strip_loc(one, fail_line);
				const char *ex = strstr(m1, ": expected ");
				const char *vs = ex ? strstr(ex, " vs actual ") : NULL;
				if (ex && vs)
					fprintf(df, "%.*s: captured %.*s vs DUT %s\n", (int)(ex - m1), m1,
						(int)(vs - ex - 11), ex + 11, vs + 11);
				else
					fprintf(df, "%s\n", m1);
				m += n + (nl ? 1 : 0);
			}
		}
		if (df)
			fclose(df);
		char why[900] = "";
		if (st == ST_NOT_REPLAYED) {
			if (dep && f->caused_by == dep->frame && f->rule)
				snprintf(why, sizeof why,
					 "it answered frame %" PRIu64 " (%s); the DUT's frame %" PRIu64
					 " differs, so this answer would not come: the conversation cannot follow from here",
					 dep->frame, f->rule->id, dep->frame);
			else
				snprintf(why, sizeof why, "the replay stops at the first departure");
		} else if (st == ST_DEPARTS && dep->has_expected && le) {
			snprintf(why, sizeof why, "the capture's segment is a fault (%s): the RFC requires ack %u, and the DUT %s",
				 dep->rule ? dep->rule->id : "?", dep->exp_ack,
				 dut_tcp && (dp.tcp.flags & TCP_ACK) && dp.tcp.ack == dep->exp_ack ? "sends exactly that"
												: "does not send it either");
		} else if (st == ST_DEPARTS && !le) {
			snprintf(why, sizeof why, "the DUT sent nothing for it");
		}
		if (o->json) {
			fprintf(out, "{\"record\":\"frame\",\"frame\":%" PRIu64 ",\"from\":\"%s\",\"status\":\"%s\"", f->frame,
				f->from_dut ? "dut" : "peer", status_name(st));
			jstr_field(out, "captured", f->desc);
			jstr_field(out, "dut", le ? dut_desc : NULL);
			jstr_field(out, "differences", diffs && diffs[0] ? diffs : NULL);
			jstr_field(out, "capture_rule", f->rule ? f->rule->id : NULL);
			jstr_field(out, "capture_explanation", f->note);
			jstr_field(out, "dut_rule", ln ? ln->rule->id : NULL);
			jstr_field(out, "dut_explanation", ln ? ln->text : NULL);
			jstr_field(out, "text", why[0] ? why : NULL);
			fputs("}\n", out);
		} else {
			const char *tag = st == ST_DEPARTS ? "DEPARTS" : status_name(st);
			fprintf(out, "  frame %" PRIu64 "  %-12s %s %s\n", f->frame, tag, f->from_dut ? "DUT " : "peer", f->desc);
			if (st == ST_DEPARTS || (st == ST_MATCHED && o->xs.strict)) {
				if (le)
					fprintf(out, "%24s DUT sent %s\n", "", dut_desc);
				const char *d = diffs;
				while (d && *d) {
					const char *nl = strchr(d, '\n');
					size_t n = nl ? (size_t)(nl - d) : strlen(d);
					fprintf(out, "%24s %.*s\n", "", (int)n, d);
					d += n + (nl ? 1 : 0);
				}
				if (f->note) {
					char *t = NULL;
					if (asprintf(&t, "capture: %s", f->note) >= 0)
						wrap(out, t);
					free(t);
				}
				if (ln) {
					char *t = NULL;
					if (asprintf(&t, "DUT: %s (%s): %s", ln->rule->id, ln->rule->kind, ln->text) >= 0)
						wrap(out, t);
					free(t);
				} else if (le) {
					wrap(out, "DUT: its segment breaks no rule the observer checks");
				}
			}
			if (why[0])
				wrap(out, why);
		}
		free(diffs);
		if (st == ST_DEPARTS)
			past = true;
	}
	if (unexpected_at_end) {
		const char *m = strstr(er.messages, "unexpected packet");
		if (o->json) {
			fputs("{\"record\":\"frame\",\"frame\":null,\"from\":\"dut\",\"status\":\"departs\"", out);
			jstr_field(out, "text", m);
			fputs("}\n", out);
		} else {
			fprintf(out, "  after frame %" PRIu64 "  DEPARTS  %s", xr.conv.last_frame, m ? m : er.messages);
		}
	}
	uint64_t first = dep ? dep->frame : 0;
	if (o->json) {
		fprintf(out, "{\"record\":\"result\",\"reproduced\":%s,\"first_departure\":", rc == 0 ? "true" : "false");
		if (first)
			fprintf(out, "%" PRIu64, first);
		else if (unexpected_at_end)
			fprintf(out, "\"after %" PRIu64 "\"", xr.conv.last_frame);
		else
			fputs("null", out);
		fprintf(out, ",\"conversation\":%u", xr.conv.id);
		jstr_field(out, "dut", o->dut->name);
		jstr_field(out, "dut_side", dut_name);
		fputs("}\n", out);
	} else if (rc == 0) {
		fprintf(out, "result: reproduced: the DUT behaves as captured (%zu frames)\n", xr.n_frames);
	} else if (first) {
		fprintf(out, "result: the DUT departs from the capture at frame %" PRIu64 "\n", first);
	} else {
		fprintf(out, "result: the DUT departs from the capture after frame %" PRIu64 "\n", xr.conv.last_frame);
	}
	for (size_t i = 0; i < live.n; i++)
		free(live.v[i].text);
	free(live.v);
	engine_result_free(&er);
	script_free(s);
	xs_result_free(&xr);
	return rc;
}
