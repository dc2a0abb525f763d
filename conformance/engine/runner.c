/*
 * runner.c - the conformance engine's event loop: one parsed script against
 * one DUT adapter (packetdrill's run.c, STYLE.md 9).
 *
 *   engine_run
 *     prescan (runner_shell.c): shell / python / unmappable system calls ->
 *       unsupported, nothing runs
 *     open the adapter (dut.h) with addresses from the header or defaults
 *     for each event, in file order, at its scripted time:
 *       <  build (packet.c), inject                 >  wait, time check, verify.c
 *       > nothing: nothing queued by then          app actions -> dut->ops->app
 *       event X: an application event in the window state / counter: query
 *       system calls -> runner_sys.c       sysctl shell lines -> runner_shell.c
 *     end: a segment the DUT sent before the last event and no line matched
 *     is a failure
 *
 * Time: each event has a scripted window [lo, hi] (relative times count from
 * the previous event's scripted time, or from when a `*` / windowed event was
 * observed). What the DUT sends is queued as it appears, so a segment sent
 * early is still matched by the next `>` line and judged by its timestamp.
 * A virtual-time DUT is never allowed early and is allowed late by the
 * tolerance (its frames take real, modelled time through SPI and the wire);
 * a real-time DUT gets packetdrill's symmetric tolerance,
 * max(tolerance_usecs, tolerance_percent of the gap). Times counted from an
 * observation (the chain of relative times after a `*` or windowed line)
 * are the DUT's moments, not the script's: every DUT gets the symmetric
 * tolerance there, so an application event may come before the segment
 * the same step put on the wire (conformance/README.md "Time").
 *
 * The first failing event stops the run (all its field differences are
 * reported); every datagram in and out is logged for the ladder and pcap.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

/* ---- messages ---------------------------------------------------------- */

static void vreport(struct engine_run *e, enum engine_verdict v, const struct script_event *ev,
		    const char *fmt, va_list ap)
{
	if (ev != NULL && ev->loc.line > 0)
		fprintf(e->msgs, "%s:%d: ", e->s->path, ev->loc.line);
	else
		fprintf(e->msgs, "%s: ", e->s->path);
	vfprintf(e->msgs, fmt, ap);
	fputc('\n', e->msgs);
	if (e->r->verdict == ENGINE_PASS) {
		e->r->verdict = v;
		e->r->line = ev ? ev->loc.line : 0;
	}
	e->stop = true;
}

void engine_fail(struct engine_run *e, const struct script_event *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(e, ENGINE_FAIL, ev, fmt, ap);
	va_end(ap);
}

void engine_unsupported(struct engine_run *e, const struct script_event *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(e, ENGINE_UNSUPPORTED, ev, fmt, ap);
	va_end(ap);
}

static void fmt_time(uint64_t ns, char out[32])
{
	snprintf(out, 32, "%" PRIu64 ".%06" PRIu64, ns / 1000000000u, (ns % 1000000000u) / 1000u);
}

/* ---- the exchange log --------------------------------------------------- */

static size_t log_add(struct engine_run *e, uint64_t t, bool outbound, int line, int conn, const uint8_t *d,
		      size_t len)
{
	struct engine_result *r = e->r;
	if (r->n_log == r->cap_log) {
		size_t cap = r->cap_log ? r->cap_log * 2 : 32;
		struct engine_log_entry *n = realloc(r->log, cap * sizeof *n);
		if (n == NULL)
			return SIZE_MAX;
		r->log = n;
		r->cap_log = cap;
	}
	struct engine_log_entry *le = &r->log[r->n_log];
	memset(le, 0, sizeof *le);
	le->t = t;
	le->outbound = outbound;
	le->line = line;
	le->conn = conn;
	le->data = malloc(len ? len : 1);
	if (le->data == NULL)
		return SIZE_MAX;
	memcpy(le->data, d, len);
	le->len = len;
	return r->n_log++;
}

static void log_mark(struct engine_run *e, size_t idx, int line, const char *mark)
{
	if (idx >= e->r->n_log || mark == NULL || mark[0] == '\0')
		return;
	struct engine_log_entry *le = &e->r->log[idx];
	if (line)
		le->line = line;
	size_t old = le->mark ? strlen(le->mark) : 0, add = strlen(mark);
	char *m = realloc(le->mark, old + add + 1);
	if (m == NULL)
		return;
	memcpy(m + old, mark, add + 1);
	le->mark = m;
}

/* ---- the DUT ------------------------------------------------------------- */

static uint64_t dnow(struct engine_run *e)
{
	return e->dut.ops->now(&e->dut);
}

static void drain_events(struct engine_run *e)
{
	enum dut_app_event ev;
	while ((ev = e->dut.ops->app_event(&e->dut)) != DUT_EV_NONE) {
		if (ev == DUT_EV_DATA)
			continue; /* no script line waits for it: recv reads */
		if (e->n_ev == ENGINE_EVQ) {
			memmove(e->evq, e->evq + 1, (ENGINE_EVQ - 1) * sizeof e->evq[0]);
			e->n_ev--;
		}
		e->evq[e->n_ev].ev = ev;
		e->evq[e->n_ev].t = dnow(e);
		e->evq[e->n_ev].handle = ev == DUT_EV_ACCEPTED ? e->handles++ : -1;
		e->n_ev++;
	}
	if (e->pending.active && !e->in_poll)
		engine_sys_poll(e, false);
}

static void enqueue(struct engine_run *e, const struct dut_packet *p)
{
	struct engine_seg seg;
	engine_parse_seg(p->data, p->len, &seg);
	size_t idx = log_add(e, p->t, true, 0, engine_conn_of(e, &seg), p->data, p->len);
	if (e->q_len == ENGINE_QLEN && e->real_sys) {
		/* packetdrill leaves what no line sniffs in its socket: the
		 * oldest goes, the verdict is the lines'. */
		e->q_head = (e->q_head + 1) % ENGINE_QLEN;
		e->q_len--;
	}
	if (e->q_len == ENGINE_QLEN) {
		engine_fail(e, NULL, "the DUT sent more than %u segments no line expected", ENGINE_QLEN);
		return;
	}
	struct engine_qpkt *q = &e->q[(e->q_head + e->q_len++) % ENGINE_QLEN];
	q->pkt = *p;
	q->log_index = idx;
}

/* One advance step; returns 1 when a datagram was queued, 0 otherwise, -1
 * on an adapter error (reported). */
static int step(struct engine_run *e, uint64_t until)
{
	struct dut_packet p;
	int rc = e->dut.ops->advance(&e->dut, until, &p);
	drain_events(e);
	if (rc < 0) {
		engine_fail(e, NULL, "DUT adapter '%s' failed while running (%d)", e->dut.ops->name, rc);
		return -1;
	}
	if (rc == 1)
		enqueue(e, &p);
	return rc;
}

void engine_advance_to(struct engine_run *e, uint64_t t)
{
	while (!e->stop && dnow(e) < t)
		if (step(e, t) < 0)
			return;
}

/* Where the calls are real, a segment that is not the socket under
 * test's is passed over when a line looks for one, as packetdrill's sniff
 * does (runner_conn.c engine_sut_segment). */
static void drop_not_sut(struct engine_run *e)
{
	while (e->real_sys && e->q_len > 0) {
		struct engine_qpkt *qp = &e->q[e->q_head];
		struct engine_seg seg;
		engine_parse_seg(qp->pkt.data, qp->pkt.len, &seg);
		if (engine_sut_segment(e, &seg))
			return;
		log_mark(e, qp->log_index, 0, "(not the socket under test: passed over, as on packetdrill)\n");
		e->q_head = (e->q_head + 1) % ENGINE_QLEN;
		e->q_len--;
	}
}

static bool wait_packet(struct engine_run *e, uint64_t limit)
{
	drop_not_sut(e);
	while (!e->stop && e->q_len == 0) {
		if (step(e, limit) < 0)
			return false;
		drop_not_sut(e);
		if (e->q_len == 0 && dnow(e) >= limit)
			return false;
	}
	return e->q_len > 0;
}

bool engine_take_event(struct engine_run *e, enum dut_app_event ev, uint64_t until, uint64_t *t)
{
	for (;;) {
		for (size_t i = 0; i < e->n_ev; i++) {
			if (e->evq[i].ev != ev)
				continue;
			*t = e->evq[i].t;
			e->taken_handle = e->evq[i].handle;
			memmove(e->evq + i, e->evq + i + 1, (e->n_ev - i - 1) * sizeof e->evq[0]);
			e->n_ev--;
			return true;
		}
		if (e->stop || dnow(e) >= until)
			return false;
		if (step(e, until) < 0)
			return false;
	}
}

void engine_wait_pending(struct engine_run *e, uint64_t limit)
{
	while (e->pending.active && !e->stop && dnow(e) < limit)
		if (step(e, limit) < 0)
			return;
}

uint64_t engine_tolerance(const struct engine_run *e, uint64_t gap)
{
	uint64_t t = (uint64_t)e->tol_ns;
	uint64_t p = gap / 1000u * (uint64_t)e->tol_permille;
	return p > t ? p : t;
}

int engine_app(struct engine_run *e, const struct script_event *ev, const struct dut_app_cmd *cmd)
{
	char err[DUT_ERR_LEN] = "";
	int rc = e->dut.ops->app(&e->dut, cmd, err);
	drain_events(e);
	(void)ev;
	return rc;
}

/* ---- events --------------------------------------------------------------- */

struct window {
	uint64_t lo, hi;
	bool observed; /* `*` or a window: the next relative time counts from the observation */
	bool any;
	bool derived;  /* relative to an observed moment: the DUT's, not the script's */
};

static bool is_inbound(const struct script_event *ev)
{
	return ev->kind == SCRIPT_EV_PACKET && ev->u.packet.dir == SCRIPT_INBOUND;
}

static struct window window_of(struct engine_run *e, const struct script_event *ev)
{
	uint64_t base = e->prev_t;
	const struct script_time *t = &ev->time;
	/* packetdrill (run.c adjust_relative_event_times): a relative time
	 * counts from now, when the line is reached, except from an inbound
	 * segment to the next inbound segment, which keep the script's gap. */
	if (e->real_sys && e->dut_open &&
	    (t->kind == SCRIPT_TIME_REL || t->kind == SCRIPT_TIME_REL_RANGE || t->kind == SCRIPT_TIME_ANY) &&
	    !(e->prev_inbound && is_inbound(ev))) {
		uint64_t now = dnow(e);
		if (now > base)
			base = now;
	}
	struct window w = {base, base, false, false, false};
	w.derived = e->prev_observed && (t->kind == SCRIPT_TIME_REL || t->kind == SCRIPT_TIME_REL_RANGE);
	switch (t->kind) {
	case SCRIPT_TIME_NONE:
		break;
	case SCRIPT_TIME_ABS:
		w.lo = w.hi = (uint64_t)t->lo_ns;
		break;
	case SCRIPT_TIME_REL:
		w.lo = w.hi = base + (uint64_t)t->lo_ns;
		break;
	case SCRIPT_TIME_ANY:
		w.hi = base + (uint64_t)ENGINE_ANY_HORIZON_NS;
		w.observed = w.any = true;
		break;
	case SCRIPT_TIME_ABS_RANGE:
		w.lo = (uint64_t)t->lo_ns;
		w.hi = (uint64_t)t->hi_ns;
		w.observed = true;
		break;
	case SCRIPT_TIME_REL_RANGE:
		w.lo = base + (uint64_t)t->lo_ns;
		w.hi = base + (uint64_t)t->hi_ns;
		w.observed = true;
		break;
	}
	return w;
}

/* The accepted interval for something observed in window w. */
static void accept_interval(const struct engine_run *e, const struct window *w, uint64_t *early, uint64_t *late)
{
	if (w->any) {
		*early = 0;
		*late = w->hi;
		return;
	}
	uint64_t tol = engine_tolerance(e, w->lo > e->prev_t ? w->lo - e->prev_t : 0);
	*late = w->hi + tol;
	if (e->dut.ops->virtual_time && !w->derived)
		*early = w->lo;
	else
		*early = w->lo > tol ? w->lo - tol : 0;
}

static void quote(const struct script_event *ev, char *buf, size_t cap)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	buf[0] = '\0';
	if (f == NULL)
		return;
	script_dump_event(ev, f);
	fclose(f);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	snprintf(buf, cap, "%s", s);
	free(s);
}

static void do_inbound(struct engine_run *e, const struct script_event *ev, const struct window *w)
{
	const struct script_packet *p = &ev->u.packet;
	size_t cap = e->dut.ops->max_pkt ? e->dut.ops->max_pkt : DUT_MAX_PKT;
	char err[160];
	engine_advance_to(e, w->lo);
	if (e->stop)
		return;
	uint8_t *buf = malloc(cap);
	if (buf == NULL) {
		engine_fail(e, ev, "out of memory for an inbound segment");
		return;
	}
	struct engine_map m;
	if (e->real_sys && (p->flags & TCP_SYN) && !(p->flags & TCP_ACK) && !p->ip.has_ports && e->sut_listening) {
		engine_conn_new_child(e);
		e->sut_listening = false;
	}
	int conn = engine_conn_inbound(e, p);
	engine_conn_map(e, conn, &m);
	if (e->real_sys && (p->flags & TCP_SYN))
		m.peer_isn_known = false; /* a SYN's number is its ISN, as written */
	if (e->real_sys && (p->flags & TCP_SYN) && !(p->flags & TCP_ACK))
		engine_sut_set(e, m.dut_port, m.peer_ip, m.peer_port);
	int len = engine_build_inbound(p, &m, e->ip_id++, buf, cap, err, sizeof err);
	if (len < 0) {
		free(buf);
		engine_unsupported(e, ev, "%s", err);
		return;
	}
	/* TS ecr onto the DUT's TS val (runner_ts.c); packetdrill's error
	 * when there is none only where its calls are real. */
	if (e->dut.ops->syscall_start != NULL && !engine_ts_inbound(e, conn, buf, (size_t)len, err, sizeof err) &&
	    e->real_sys) {
		free(buf);
		engine_fail(e, ev, "%s", err);
		return;
	}
	log_add(e, dnow(e), false, ev->loc.line, conn, buf, (size_t)len);
	int rc = e->dut.ops->inject(&e->dut, buf, (size_t)len);
	free(buf);
	drain_events(e);
	if (rc < 0)
		engine_fail(e, ev, "the DUT adapter could not inject the segment (%d)", rc);
	e->prev_t = w->lo;
}

/* packetdrill's sniff loop (runner_agg.c): less payload than the line
 * expects takes the segments that follow on the same connection, until
 * the length is reached; one of another connection starts afresh. */
static void aggregate(struct engine_run *e, struct engine_qpkt *qp, struct engine_seg *seg,
		      const struct script_packet *p, uint64_t limit)
{
	if (seg->err != 0 || p->seq_mode == SCRIPT_SEQ_IGNORE)
		return;
	uint32_t got = seg->payload_len;
	struct engine_seg prev = *seg, cur;
	while (got < p->len && !e->stop) {
		if (!wait_packet(e, limit))
			return;
		struct engine_qpkt *nx = &e->q[e->q_head];
		engine_parse_seg(nx->pkt.data, nx->pkt.len, &cur);
		if (cur.err != 0)
			return;
		if (!engine_agg_same_tuple(&prev, &cur)) {
			*qp = *nx;
			got = cur.payload_len;
		} else if (!engine_agg_compatible(&prev, &cur, prev.payload_len, cur.payload_len >= p->len - got) ||
			   !engine_agg_join(&qp->pkt, &nx->pkt)) {
			return; /* the verifier reports the first one's length */
		} else {
			got += cur.payload_len;
		}
		e->q_head = (e->q_head + 1) % ENGINE_QLEN;
		e->q_len--;
		prev = cur;
	}
	engine_parse_seg(qp->pkt.data, qp->pkt.len, seg);
}

static void do_outbound(struct engine_run *e, const struct script_event *ev, const struct window *w)
{
	const struct script_packet *p = &ev->u.packet;
	uint64_t early, late;
	char q[256], t1[32], t2[32], t3[32];
	accept_interval(e, w, &early, &late);
	/* A segment that comes too late is still waited for a while, so the
	 * report says when it came instead of "nothing". */
	if (!wait_packet(e, late) && !wait_packet(e, late + ENGINE_LATE_GRACE_NS)) {
		if (e->stop)
			return;
		quote(ev, q, sizeof q);
		fmt_time(late, t1);
		engine_fail(e, ev, "expected '%s' but the DUT sent nothing by %s s", q, t1);
		return;
	}
	static _Thread_local struct engine_qpkt qp;
	qp = e->q[e->q_head];
	e->q_head = (e->q_head + 1) % ENGINE_QLEN;
	e->q_len--;
	struct engine_seg seg;
	struct engine_map m;
	engine_parse_seg(qp.pkt.data, qp.pkt.len, &seg);
	if (e->real_sys)
		aggregate(e, &qp, &seg, p, late + ENGINE_LATE_GRACE_NS);
	int conn = engine_conn_outbound(e, &seg, p);
	engine_conn_map(e, conn, &m);
	if (e->real_sys && seg.err == 0 && (seg.tcp.flags & TCP_SYN) && p->seq_mode == SCRIPT_SEQ_RELATIVE) {
		/* packetdrill (its socket.h offsets): a SYN's own number is the
		 * DUT's ISN whatever the script calls it, later numbers count
		 * from it, and a SYN's ack is the peer's number as written. */
		m.dut_isn_known = true;
		m.dut_isn = seg.tcp.seq - p->seq_start;
		m.peer_isn_known = false;
		if (conn >= 0)
			e->conns[conn].dut_isn = seg.tcp.seq;
	}
	if (qp.log_index < e->r->n_log)
		e->r->log[qp.log_index].conn = conn;
	char *marks = NULL;
	size_t mlen = 0;
	FILE *mf = open_memstream(&marks, &mlen);
	if (mf == NULL)
		return;
	int nd = 0;
	if (qp.pkt.t < early || qp.pkt.t > late) {
		char when[80], t4[32];
		fmt_time(w->lo, t1);
		fmt_time(qp.pkt.t, t2);
		fmt_time(late - w->hi, t3);
		fmt_time(w->hi, t4);
		if (w->any || w->hi != w->lo)
			snprintf(when, sizeof when, "between %s and %s s", t1, w->any ? "any" : t4);
		else
			snprintf(when, sizeof when, "at %s s", t1);
		fprintf(e->msgs, "%s:%d: timing error: expected the segment %s (tolerance %s s) but it was sent at %s s\n",
			e->s->path, ev->loc.line, when, t3, t2);
		fprintf(mf, "^^^ time: expected %s s vs %s s\n", t1, t2);
		nd++;
	}
	nd += engine_verify(e->s, ev, &seg, &m, &e->vcfg, e->msgs, mf);
	fclose(mf);
	if (qp.log_index < e->r->n_log)
		e->r->log[qp.log_index].line = ev->loc.line;
	log_mark(e, qp.log_index, ev->loc.line, marks);
	free(marks);
	if (nd > 0) {
		if (e->r->verdict == ENGINE_PASS) {
			e->r->verdict = ENGINE_FAIL;
			e->r->line = ev->loc.line;
		}
		e->stop = true;
		return;
	}
	engine_ts_outbound(e, conn, p, &seg);
	e->prev_t = w->observed ? qp.pkt.t : w->lo;
}

/* For showing a segment no line matched: a SYN before the DUT's ISN is
 * known is shown relative to itself, as the script would write it. */
static void describe_unmatched(const struct engine_run *e, const struct engine_seg *seg, char *buf, size_t cap)
{
	struct engine_map m;
	engine_conn_map(e, engine_conn_of(e, seg), &m);
	if (!m.dut_isn_known && seg->err == 0 && (seg->tcp.flags & TCP_SYN)) {
		m.dut_isn_known = true;
		m.dut_isn = seg->tcp.seq;
	}
	engine_describe(seg, &m, true, buf, cap);
}

static void do_nothing(struct engine_run *e, const struct script_event *ev, const struct window *w)
{
	char desc[256], t1[32], t2[32];
	engine_advance_to(e, w->lo);
	if (e->stop)
		return;
	e->prev_t = w->lo;
	if (e->q_len == 0)
		return;
	fmt_time(w->lo, t1);
	for (size_t i = 0; i < e->q_len; i++) {
		struct engine_qpkt *qp = &e->q[(e->q_head + i) % ENGINE_QLEN];
		struct engine_seg seg;
		engine_parse_seg(qp->pkt.data, qp->pkt.len, &seg);
		describe_unmatched(e, &seg, desc, sizeof desc);
		fmt_time(qp->pkt.t, t2);
		fprintf(e->msgs, "%s:%d: unexpected packet: expected nothing until %s s but the DUT sent '> %s' at %s s\n",
			e->s->path, ev->loc.line, t1, desc, t2);
		log_mark(e, qp->log_index, ev->loc.line, "^^^ unexpected: the script expects nothing here\n");
	}
	e->q_len = 0;
	if (e->r->verdict == ENGINE_PASS) {
		e->r->verdict = ENGINE_FAIL;
		e->r->line = ev->loc.line;
	}
	e->stop = true;
}

static void do_app(struct engine_run *e, const struct script_event *ev, const struct window *w)
{
	const struct script_app_action *a = &ev->u.app;
	struct dut_app_cmd cmd;
	memset(&cmd, 0, sizeof cmd);
	cmd.conn = -1;
	engine_advance_to(e, w->lo);
	if (e->stop)
		return;
	e->prev_t = w->lo;
	switch (a->op) {
	case SCRIPT_APP_LISTEN:
		cmd.kind = DUT_APP_LISTEN;
		cmd.port = a->has_port ? a->port : e->map.dut_port;
		e->map.dut_port = cmd.port;
		break;
	case SCRIPT_APP_CONNECT:
		cmd.kind = DUT_APP_CONNECT;
		cmd.ip = a->has_addr ? a->addr : e->map.peer_ip;
		cmd.port = a->has_port ? a->port : e->map.peer_port;
		e->map.peer_ip = cmd.ip;
		e->map.peer_port = cmd.port;
		engine_conn_connecting(e);
		break;
	case SCRIPT_APP_SEND:
		cmd.kind = DUT_APP_SEND;
		cmd.n = a->bytes;
		break;
	case SCRIPT_APP_RECV:
		cmd.kind = DUT_APP_RECV;
		/* >=N reads what is there (a read as large as a socket buffer). */
		cmd.n = a->bytes_cmp == SCRIPT_CMP_GE && a->bytes < ENGINE_RECV_ALL ? ENGINE_RECV_ALL : a->bytes;
		break;
	case SCRIPT_APP_CLOSE:
		cmd.kind = DUT_APP_CLOSE;
		break;
	case SCRIPT_APP_ABORT:
		cmd.kind = DUT_APP_ABORT;
		break;
	case SCRIPT_APP_RCVBUF:
		cmd.kind = DUT_APP_RCVBUF;
		cmd.n = a->bytes;
		break;
	case SCRIPT_APP_SHUTDOWN:
		/* SHUT_RDWR is SHUT_RD and then SHUT_WR: as in Linux's
		 * tcp_shutdown, only the sending side puts anything on the wire. */
		cmd.kind = (a->shut & SCRIPT_SHUT_RD) ? DUT_APP_SHUTDOWN_RD : DUT_APP_SHUTDOWN_WR;
		if (cmd.kind == DUT_APP_SHUTDOWN_RD && (a->shut & SCRIPT_SHUT_WR)) {
			int r0 = engine_app(e, ev, &cmd);
			if (r0 < 0) {
				engine_fail(e, ev, "shutdown: the DUT refused: %s", strerror(-r0));
				return;
			}
			cmd.kind = DUT_APP_SHUTDOWN_WR;
		}
		break;
	}
	int rc = engine_app(e, ev, &cmd);
	if (rc >= 0 && (a->op == SCRIPT_APP_LISTEN || a->op == SCRIPT_APP_CONNECT))
		e->handles++;
	if (rc == -EAGAIN && a->op == SCRIPT_APP_RECV)
		rc = 0; /* nothing there yet: 0 bytes read */
	if (rc < 0) {
		engine_fail(e, ev, "%s: the DUT refused: %s", script_app_op_name(a->op), strerror(-rc));
		return;
	}
	if (a->op != SCRIPT_APP_RECV)
		return;
	uint32_t got = (uint32_t)rc;
	switch (a->bytes_cmp) {
	case SCRIPT_CMP_LE:
		if (got == 0 || got > a->bytes)
			engine_fail(e, ev, "recv: expected 1 to %u bytes vs actual %d", a->bytes, rc);
		break;
	case SCRIPT_CMP_GE:
		if (got < a->bytes)
			engine_fail(e, ev, "recv: expected at least %u bytes vs actual %d", a->bytes, rc);
		break;
	case SCRIPT_CMP_EQ:
	case SCRIPT_CMP_NE:
	case SCRIPT_CMP_LT:
	case SCRIPT_CMP_GT:
		if (got != a->bytes)
			engine_fail(e, ev, "recv: expected %u bytes vs actual %d", a->bytes, rc);
		break;
	}
}

enum dut_app_event engine_dut_event(enum script_app_event ev)
{
	switch (ev) {
	case SCRIPT_APPEV_CONNECTED:
		return DUT_EV_CONNECTED;
	case SCRIPT_APPEV_ACCEPTED:
		return DUT_EV_ACCEPTED;
	case SCRIPT_APPEV_REFUSED:
		return DUT_EV_REFUSED;
	case SCRIPT_APPEV_RESET:
		return DUT_EV_RESET;
	case SCRIPT_APPEV_CLOSED:
		return DUT_EV_CLOSED;
	case SCRIPT_APPEV_TIMEOUT:
		return DUT_EV_TIMEOUT;
	case SCRIPT_APPEV_EOF:
		return DUT_EV_EOF;
	case SCRIPT_APPEV_URGENT:
		return DUT_EV_URGENT;
	}
	return DUT_EV_NONE;
}

static void do_event(struct engine_run *e, const struct script_event *ev, const struct window *w)
{
	uint64_t early, late, t;
	char t1[32], t2[32];
	accept_interval(e, w, &early, &late);
	const char *name = script_app_event_name(ev->u.app_event);
	if (!engine_take_event(e, engine_dut_event(ev->u.app_event), late, &t)) {
		if (e->stop)
			return;
		fmt_time(late, t1);
		engine_fail(e, ev, "event %s: expected by %s s but it did not happen", name, t1);
		return;
	}
	if (t < early || t > late) {
		fmt_time(w->lo, t1);
		fmt_time(t, t2);
		engine_fail(e, ev, "timing error: event %s expected at %s s but it happened at %s s", name, t1, t2);
		return;
	}
	e->prev_t = w->observed ? t : w->lo;
}

static void do_state(struct engine_run *e, const struct script_event *ev, const struct window *w)
{
	const char *actual = NULL;
	engine_advance_to(e, w->lo);
	if (e->stop)
		return;
	e->prev_t = w->lo;
	if (e->dut.ops->tcp_state == NULL) {
		engine_unsupported(e, ev, "the %s DUT cannot report its TCP state", e->dut.ops->name);
		return;
	}
	if (e->dut.ops->tcp_state(&e->dut, &actual) != 0 || actual == NULL) {
		engine_fail(e, ev, "tcp state: the DUT could not report it");
		return;
	}
	const char *want = script_state_name(ev->u.state);
	if (strcmp(want, actual) != 0)
		engine_fail(e, ev, "tcp state: expected %s vs actual %s", want, actual);
}

static bool cmp_ok(enum script_cmp c, uint64_t a, uint64_t b)
{
	switch (c) {
	case SCRIPT_CMP_EQ:
		return a == b;
	case SCRIPT_CMP_NE:
		return a != b;
	case SCRIPT_CMP_LT:
		return a < b;
	case SCRIPT_CMP_LE:
		return a <= b;
	case SCRIPT_CMP_GT:
		return a > b;
	case SCRIPT_CMP_GE:
		return a >= b;
	}
	return false;
}

static void do_counter(struct engine_run *e, const struct script_event *ev, const struct window *w)
{
	const struct script_counter_assert *c = &ev->u.counter;
	uint64_t v = 0;
	engine_advance_to(e, w->lo);
	if (e->stop)
		return;
	e->prev_t = w->lo;
	if (e->dut.ops->counter == NULL) {
		engine_unsupported(e, ev, "the %s DUT has no counters", e->dut.ops->name);
		return;
	}
	int rc = e->dut.ops->counter(&e->dut, c->name, &v);
	if (rc == -ENOENT) {
		engine_fail(e, ev, "counter %s: the %s DUT has no such counter", c->name, e->dut.ops->name);
		return;
	}
	if (rc != 0) {
		engine_fail(e, ev, "counter %s: ambiguous or unreadable name", c->name);
		return;
	}
	if (!cmp_ok(c->cmp, v, c->value))
		engine_fail(e, ev, "counter %s: expected %s %u vs actual %" PRIu64, c->name, script_cmp_name(c->cmp),
			    c->value, v);
}

static void run_event(struct engine_run *e, const struct script_event *ev)
{
	struct window w = window_of(e, ev);
	e->now_derived = w.derived;
	switch (ev->kind) {
	case SCRIPT_EV_PACKET:
		if (ev->u.packet.dir == SCRIPT_INBOUND)
			do_inbound(e, ev, &w);
		else
			do_outbound(e, ev, &w);
		break;
	case SCRIPT_EV_NOTHING:
		do_nothing(e, ev, &w);
		break;
	case SCRIPT_EV_APP_ACTION:
		do_app(e, ev, &w);
		break;
	case SCRIPT_EV_APP_EVENT:
		do_event(e, ev, &w);
		break;
	case SCRIPT_EV_STATE:
		do_state(e, ev, &w);
		break;
	case SCRIPT_EV_COUNTER:
		do_counter(e, ev, &w);
		break;
	case SCRIPT_EV_SYSCALL:
		engine_sys_run(e, ev, w.lo);
		if (!e->stop)
			e->prev_t = w.lo;
		break;
	case SCRIPT_EV_SHELL:
		engine_advance_to(e, w.lo);
		engine_shell_run(e, ev);
		e->prev_t = w.lo;
		break;
	case SCRIPT_EV_CODE:
		if (e->real_sys) {
			engine_code_event(e, ev, w.lo);
			e->prev_t = w.lo;
		} else {
			engine_unsupported(e, ev, "cannot run on the %s DUT", e->dut.ops->name);
		}
		break;
	}
	/* A moment the DUT chose (an observation) carries over to the lines
	 * timed relative to it, until an absolute time. */
	e->prev_observed = w.observed || w.derived;
	e->prev_inbound = is_inbound(ev);
}

static void finish_unexpected(struct engine_run *e, const struct script_event *last)
{
	char desc[256], t1[32];
	uint64_t last_t = e->prev_t;
	size_t n = 0;
	for (size_t i = 0; i < e->q_len; i++) {
		struct engine_qpkt *qp = &e->q[(e->q_head + i) % ENGINE_QLEN];
		if (qp->pkt.t > last_t)
			continue;
		struct engine_seg seg;
		engine_parse_seg(qp->pkt.data, qp->pkt.len, &seg);
		describe_unmatched(e, &seg, desc, sizeof desc);
		fmt_time(qp->pkt.t, t1);
		fprintf(e->msgs, "%s:%d: unexpected packet: the DUT sent '> %s' at %s s and no line expected it\n",
			e->s->path, last ? last->loc.line : 0, desc, t1);
		log_mark(e, qp->log_index, 0, "^^^ unexpected: no line expects this segment\n");
		n++;
	}
	if (n > 0 && e->r->verdict == ENGINE_PASS) {
		e->r->verdict = ENGINE_FAIL;
		e->r->line = last ? last->loc.line : 0;
	}
}

/* The checker's diagnostics, read before the adapter discards its model. */
static void keep_diagnostics(struct engine_run *e)
{
	enum { DIAG_CAP = 16384 };
	if (e->dut.ops->diagnostics == NULL || e->r->diagnostics != NULL)
		return;
	char *buf = malloc(DIAG_CAP);
	if (buf == NULL)
		return;
	e->dut.ops->diagnostics(&e->dut, buf, DIAG_CAP);
	e->r->diagnostics = buf;
}

/* Each connection's ISNs for the ladder; the first one's also in the
 * fields older callers read. */
static void keep_conns(struct engine_run *e)
{
	struct engine_result *r = e->r;
	r->conns = calloc(e->n_conns ? e->n_conns : 1, sizeof *r->conns);
	if (r->conns == NULL)
		return;
	r->n_conns = e->n_conns;
	for (size_t i = 0; i < e->n_conns; i++) {
		r->conns[i].dut_isn_known = e->conns[i].dut_isn_known;
		r->conns[i].dut_isn = e->conns[i].dut_isn;
		r->conns[i].peer_isn_known = e->conns[i].peer_isn_known;
		r->conns[i].peer_isn = e->conns[i].peer_isn;
	}
	if (e->n_conns > 0) {
		r->dut_isn_known = r->conns[0].dut_isn_known;
		r->dut_isn = r->conns[0].dut_isn;
		r->peer_isn = r->conns[0].peer_isn_known ? r->conns[0].peer_isn : 0;
	}
}

static uint32_t or_default32(uint32_t a, uint32_t b, uint32_t c)
{
	return a ? a : b ? b : c;
}

static uint16_t or_default16(uint16_t a, uint16_t b, uint16_t c)
{
	return (uint16_t)(a ? a : b ? b : c);
}

void engine_run(const struct script *s, const struct engine_options *o, struct engine_result *r)
{
	struct engine_run e;
	memset(r, 0, sizeof *r);
	memset(&e, 0, sizeof e);
	e.s = s;
	e.o = o;
	e.r = r;
	e.vcfg.ignore_options = o->ignore_options;
	e.vcfg.ignore_win = o->ignore_win;
	e.tol_ns = o->tolerance_ns >= 0 ? o->tolerance_ns : ENGINE_DEFAULT_TOLERANCE_NS;
	if (o->tolerance_ns < 0 && o->dut_ops->tolerance_ns > 0)
		e.tol_ns = o->dut_ops->tolerance_ns; /* the DUT's own default (dut.h) */
	e.tol_permille = 10 * (o->tolerance_pct >= 0 ? o->tolerance_pct : ENGINE_DEFAULT_TOLERANCE_PCT);
	e.listen_fd = e.conn_fd = -1;
	e.ip_id = 1;
	e.msgs = open_memstream(&e.msgbuf, &e.msglen);
	e.q = calloc(ENGINE_QLEN, sizeof *e.q);
	if (e.msgs == NULL || e.q == NULL) {
		r->verdict = ENGINE_ERROR;
		goto out;
	}
	const struct script_header *h = &s->header;
	e.map.dut_ip = or_default32(o->dut_ip, h->local_addr, ENGINE_DEFAULT_DUT_IP);
	e.map.peer_ip = or_default32(o->peer_ip, h->remote_addr, ENGINE_DEFAULT_PEER_IP);
	e.map.dut_port = or_default16(o->dut_port, h->local_port, ENGINE_DEFAULT_DUT_PORT);
	e.map.peer_port = or_default16(o->peer_port, h->remote_port, ENGINE_DEFAULT_PEER_PORT);
	char why[600];
	int why_line;
	if (engine_construct_unsupported(s, o, &why_line, why, sizeof why) != NULL) {
		fprintf(e.msgs, "%s\n", why);
		r->verdict = ENGINE_UNSUPPORTED;
		r->line = why_line;
		goto out;
	}
	e.real_sys = engine_real_mode(s, o->dut_ops);
	if (!engine_ipv6_runs(&e))
		goto out;
	/* packetdrill's own default where its scripts run for real: 12.5%,
	 * the timer wheel's worst case (its config.c). */
	if (e.real_sys && o->tolerance_pct < 0)
		e.tol_permille = 125;
	if (!engine_prescan(&e))
		goto out;

	struct dut_config cfg;
	char err[DUT_ERR_LEN] = "";
	memset(&cfg, 0, sizeof cfg);
	cfg.dut_ip = e.map.dut_ip;
	cfg.peer_ip = e.map.peer_ip;
	cfg.dut_port = e.map.dut_port;
	cfg.peer_port = e.map.peer_port;
	cfg.profile = o->profile;
	cfg.seed = o->seed;
	cfg.pcap_path = o->adapter_pcap;
	cfg.fresh_sysctls = e.real_sys && engine_script_has_shell(s);
	cfg.gso_mss = o->gso_mss;
	engine_run_ip_version(&e, &cfg);
	e.dut.ops = o->dut_ops;
	if (o->dut_ops->open(&e.dut, &cfg, err) != 0) {
		fprintf(e.msgs, "%s: the %s DUT did not start: %s\n", s->path, o->dut_ops->name, err);
		r->verdict = ENGINE_ERROR;
		keep_diagnostics(&e);
		o->dut_ops->close(&e.dut);
		goto out;
	}
	e.dut_open = true;
	if (s->init_command)
		engine_shell_run(&e, s->init_command);
	const struct script_event *last = NULL;
	for (const struct script_event *ev = s->events; ev && !e.stop; ev = ev->next) {
		if (e.pending.active) {
			/* A blocking call must have returned before a later line. */
			struct window w = window_of(&e, ev);
			uint64_t late = engine_pending_late(&e);
			if (w.lo > late) {
				engine_advance_to(&e, late);
				engine_sys_poll(&e, true);
				if (e.stop)
					break;
			}
		}
		run_event(&e, ev);
		last = ev;
	}
	if (!e.stop && e.pending.active) {
		engine_advance_to(&e, engine_pending_late(&e));
		engine_sys_poll(&e, true);
	}
	if (!e.stop && !e.real_sys)
		finish_unexpected(&e, last);
	if (e.real_sys)
		engine_real_finish(&e);
	r->virtual_ns = dnow(&e);
	keep_diagnostics(&e);
	o->dut_ops->close(&e.dut);
out:
	keep_conns(&e);
	engine_shell_note(&e);
	if (e.msgs)
		fclose(e.msgs);
	r->messages = e.msgbuf ? e.msgbuf : calloc(1, 1);
	free(e.q);
}

void engine_result_free(struct engine_result *r)
{
	for (size_t i = 0; i < r->n_log; i++) {
		free(r->log[i].data);
		free(r->log[i].mark);
	}
	free(r->log);
	free(r->conns);
	free(r->messages);
	free(r->diagnostics);
	memset(r, 0, sizeof *r);
}
