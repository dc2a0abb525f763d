/*
 * trace.c - run a scenario on one DUT through the engine and read back,
 * normalised, what the DUT sent.
 *
 *   scenario -> render.c (recording script: no `>` after the open)
 *            -> script_parse_string -> engine_run (options and windows
 *               ignored; the DUT's own tolerance)
 *            -> the exchange log: each segment the DUT sent goes to the
 *               epoch of the last scripted moment at or before it
 *               (epoch 0 the open, epoch i+1 what followed step i)
 *            -> a failed application action (the engine's message
 *               without its file:line) is a key of its step's epoch; the
 *               engine's "unexpected packet" at the end is expected
 *               (nothing after the open is asserted) and ignored
 *
 * Normalised here, because the RFCs leave it to the stack: PSH; a
 * retransmission (SYN, FIN or data the DUT sent before: how often and
 * when depends on its RTO, RFC 6298) and the data part already sent of a
 * resent range; a zero-window probe or keep-alive (a pure ACK at
 * SND.NXT-1, RFC 9293 §3.8.6.1 / RFC 1122 §4.2.3.6); how new data is cut
 * into segments (consecutive ranges in an epoch merge); a pure ACK
 * repeated in one epoch.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct seg {
	uint8_t flags;
	uint32_t seq, ack, len;
	uint16_t win;
};

static bool parse(const uint8_t *d, size_t n, struct seg *s)
{
	if (n < 20 || (d[0] >> 4) != 4 || d[9] != 6)
		return false;
	size_t ihl = (size_t)(d[0] & 0xF) * 4, tot = (size_t)d[2] << 8 | d[3];
	if (tot > n)
		tot = n;
	if (ihl < 20 || tot < ihl + 20)
		return false;
	const uint8_t *t = d + ihl;
	size_t doff = (size_t)(t[12] >> 4) * 4;
	if (doff < 20 || ihl + doff > tot)
		return false;
	s->seq = rd32(t + 4);
	s->ack = rd32(t + 8);
	s->flags = t[13] & 0x3F;
	s->win = (uint16_t)(t[14] << 8 | t[15]);
	s->len = (uint32_t)(tot - ihl - doff);
	return true;
}

static void add_key(struct depoch *e, const struct dkey *k)
{
	if (e->n == DIFF_MAX_KEYS) {
		e->overflow = true;
		return;
	}
	e->k[e->n++] = *k;
}

/* The epoch of DUT time t: the last boundary at or before it. */
static size_t epoch_of(uint64_t t, const uint64_t *bound, size_t n_bound)
{
	size_t ep = 0;
	for (size_t i = 0; i < n_bound; i++)
		if (bound[i] <= t)
			ep = i + 1;
	return ep;
}

static void strip_location(const char *msg, char *out, size_t cap)
{
	/* "path:line: text" -> "text" (the path and line differ between the
	 * two DUTs' scripts: a real-time one has a tolerance line more). */
	const char *text = msg;
	const char *p = strstr(msg, ": ");
	if (p != NULL) {
		const char *d = p;
		while (d > msg && d[-1] >= '0' && d[-1] <= '9')
			d--;
		if (d < p && d > msg && d[-1] == ':')
			text = p + 2;
	}
	size_t n = strcspn(text, "\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, text, n);
	out[n] = '\0';
}

/* ---- retransmission timing, within stated bounds ---------------------
 *
 * Retransmissions are taken out of the comparison (each stack has its
 * own RTO: ours starts at 1 s, RFC 6298 §2.4; Linux's at about 200 ms),
 * but their timing is checked against bounds both must keep. Within one
 * epoch the peer is silent, so every resend of a segment (data, FIN or
 * SYN, by where it starts) comes from a timer. The first interval of an
 * epoch says little (a tail loss probe, RFC 8985 §7: Linux's comes at
 * about 200 ms and its RTO, re-armed, up to 2.3 times that later; or a
 * timer backed off in an earlier epoch), so from the second on, I(k)
 * being the k-th interval of the epoch and k >= 3:
 *   - the interval never shrinks: I(k) >= I(k-1) - slack (RFC 6298 §5.5,
 *     "back off the timer"; a new RTT sample needs an ACK, and none came);
 *   - it at most doubles: I(k) <= 2 I(k-1) + slack (§5.5 doubles it; the
 *     maximum, §2.5, only caps it);
 *   - it goes on: with I(k-1) known, a segment not resent by the end of
 *     the epoch although 2 I(k-1) + slack have passed is reported, unless
 *     2 I(k-1) passes 60 s (the cap may lie anywhere above, §2.5), the
 *     segment has been resent RTX_GIVE_UP times (a stack may give up,
 *     RFC 9293 §3.8.3 R2), or the peer's window was ever below 65535
 *     (a zero-window probe may stand in for the resend, §3.8.6.1).
 * slack: 20 % of I(k-1) and twice the timing tolerance below, 30 % and
 * three times above (Linux's timer wheel fires a timer of seconds up to
 * 12.5 % late, and a loaded host reads the frame later still: seed 400,
 * scenario 93, a FIN resent 8.3 s and then 17.9 s later). A breach is a
 * key of its epoch, so the other DUT's trace, which has none, differs. */
#define RTX_GIVE_UP 6u

static void rtx_breach(struct dtrace *tr, size_t ep, uint64_t t, const char *what, uint32_t seq, uint64_t got,
		       uint64_t lo, uint64_t hi)
{
	struct dkey k;
	memset(&k, 0, sizeof k);
	k.t = t;
	char m[200];
	snprintf(m, sizeof m, "rtx timer: %s %" PRIu32 " after %" PRIu64 " ms, bounds %" PRIu64 "..%" PRIu64
		 " ms (RFC 6298 5.5)", what, seq, got / 1000000u, lo / 1000000u, hi / 1000000u);
	diff_copy(k.err, sizeof k.err, m);
	add_key(&tr->e[ep], &k);
}

static void check_rtx(struct dtrace *tr, const struct dscen *sc, const uint64_t *bound, uint64_t end,
		      int64_t tol_ns)
{
	if (tr->n_raw == sizeof tr->raw / sizeof tr->raw[0])
		return; /* the raw record was cut short */
	uint64_t slack_abs = 2u * (uint64_t)(tol_ns > 0 ? tol_ns : 0) + 5000000u;
	bool small_wnd = false;
	for (size_t ep = 1; ep <= sc->n; ep++) {
		const struct dstep *st = &sc->s[ep - 1];
		if (st->kind == D_SEG && st->win < 65535)
			small_wnd = true;
		uint64_t stop = ep < sc->n ? bound[ep] : end;
		bool used[sizeof tr->raw / sizeof tr->raw[0]] = {false};
		for (size_t i = 0; i < tr->n_raw; i++) {
			const struct draw *a = &tr->raw[i];
			bool carries = a->len > 0 || (a->flags & (SCRIPT_TCP_SYN | SCRIPT_TCP_FIN));
			if (a->epoch != ep || used[i] || !carries || (a->flags & SCRIPT_TCP_RST))
				continue;
			/* The series of sends starting where this one does. */
			uint64_t t[24];
			size_t n = 0;
			bool reset = false;
			for (size_t j = i; j < tr->n_raw && tr->raw[j].epoch == ep; j++) {
				const struct draw *b = &tr->raw[j];
				/* A RST ends the connection; a SYN that is not this one
				 * again starts a new one. */
				if (j > i && ((b->flags & SCRIPT_TCP_RST) ||
					      ((b->flags & SCRIPT_TCP_SYN) && !((a->flags & SCRIPT_TCP_SYN) && b->seq == a->seq)))) {
					reset = true;
					break;
				}
				if (used[j] || b->seq != a->seq || (b->flags & SCRIPT_TCP_SYN) != (a->flags & SCRIPT_TCP_SYN) ||
				    !(b->len > 0 || (b->flags & SCRIPT_TCP_FIN)) != !carries)
					continue;
				used[j] = true;
				if (n < sizeof t / sizeof t[0])
					t[n++] = b->t;
			}
			const char *what = (a->flags & SCRIPT_TCP_SYN) ? "SYN" : a->len > 0 ? "data at" : "FIN at";
			for (size_t k = 3; k < n; k++) {
				uint64_t prev = t[k - 1] - t[k - 2], cur = t[k] - t[k - 1];
				uint64_t slack = prev / 5u + slack_abs;
				uint64_t lo = prev > slack ? prev - slack : 0, hi = 2u * prev + 3u * slack / 2u;
				if (cur < lo || cur > hi) {
					rtx_breach(tr, ep, t[k], what, a->seq, cur, lo, hi);
					break;
				}
			}
			if (n >= 3 && n < RTX_GIVE_UP && !small_wnd && !reset) {
				uint64_t prev = t[n - 1] - t[n - 2];
				uint64_t hi = 2u * prev + 3u * (prev / 5u + slack_abs) / 2u;
				if (2u * prev <= 60000000000ull && stop > t[n - 1] && stop - t[n - 1] > hi)
					rtx_breach(tr, ep, stop, "not resent:", a->seq, stop - t[n - 1], 0, hi);
			}
		}
	}
}

void diff_trace(const struct dconfig *c, const struct dut_ops *dut, const struct dscen *sc, struct dtrace *tr)
{
	memset(tr, 0, sizeof *tr);
	tr->n_epochs = sc->n + 1;
	char *text = diff_render(sc, NULL, NULL, !dut->virtual_time);
	if (text == NULL) {
		snprintf(tr->error, sizeof tr->error, "out of memory");
		return;
	}
	struct script *s = NULL;
	struct script_error se;
	if (script_parse_string("scenario.pkt", text, strlen(text), &s, &se) != SCRIPT_OK) {
		char m[sizeof tr->error + 64];
		snprintf(m, sizeof m, "the generated script does not parse: line %d: %.200s", se.loc.line, se.message);
		diff_copy(tr->error, sizeof tr->error, m);
		free(text);
		return;
	}
	/* The steps are the script's last lines. */
	int lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	free(text);
	int first_step_line = lines - (int)sc->n; /* then the final `> nothing` */

	struct engine_options o;
	engine_options_defaults(&o);
	o.dut_ops = dut;
	o.profile = c->profile;
	o.seed = c->seed ^ sc->seed;
	o.ignore_options = o.ignore_win = true;
	if (!dut->virtual_time)
		o.tolerance_ns = c->tolerance_ns;
	char err[512];
	if (!engine_check_options(s, &o, err, sizeof err)) {
		diff_copy(tr->error, sizeof tr->error, err);
		script_free(s);
		return;
	}
	struct engine_result r;
	engine_run(s, &o, &r);
	script_free(s);
	if (r.verdict == ENGINE_ERROR || r.verdict == ENGINE_UNSUPPORTED || r.verdict == ENGINE_SKIPPED) {
		strip_location(r.messages ? r.messages : "", tr->error, sizeof tr->error);
		if (tr->error[0] == '\0')
			diff_copy(tr->error, sizeof tr->error, engine_verdict_name(r.verdict));
		engine_result_free(&r);
		return;
	}
	tr->ok = true;

	uint64_t bound[DIFF_MAX_STEPS], t_open;
	diff_step_times(sc, bound, &t_open);

	uint32_t hi = 0;          /* the end of what the DUT sent, relative */
	bool hi_known = false, fin_sent = false, syn_seen = false;
	uint32_t fin_seq = 0, base = 0;
	for (size_t i = 0; i < r.n_log; i++) {
		const struct engine_log_entry *le = &r.log[i];
		struct seg g;
		if (!le->outbound || !parse(le->data, le->len, &g))
			continue;
		uint32_t disn = 0, pisn = 0;
		if (le->conn >= 0 && (size_t)le->conn < r.n_conns) {
			if (r.conns[le->conn].dut_isn_known)
				disn = r.conns[le->conn].dut_isn;
			if (r.conns[le->conn].peer_isn_known)
				pisn = r.conns[le->conn].peer_isn;
		}
		struct dkey k;
		memset(&k, 0, sizeof k);
		k.flags = g.flags & (uint8_t)~SCRIPT_TCP_PSH;
		k.seq = g.seq - disn;
		k.ack = (g.flags & SCRIPT_TCP_ACK) ? g.ack - pisn : 0;
		k.len = g.len;
		k.t = le->t;
		size_t ep = epoch_of(le->t, bound, sc->n);
		bool abs0 = (g.flags & SCRIPT_TCP_RST) && g.seq == 0;
		if (tr->n_raw < sizeof tr->raw / sizeof tr->raw[0])
			tr->raw[tr->n_raw++] = (struct draw){.t = le->t, .flags = g.flags, .seq = abs0 ? 0 : k.seq,
							     .ack = k.ack, .len = g.len, .epoch = ep, .abs_seq = abs0};
		/* <SEQ=SEG.ACK><CTL=RST> echoes the peer's number: no base. */
		if ((g.flags & (SCRIPT_TCP_RST | SCRIPT_TCP_ACK)) != SCRIPT_TCP_RST)
			k.seq -= base;
		if (g.flags & SCRIPT_TCP_SYN) {
			if (!syn_seen)
				tr->win = g.win;
			if (syn_seen && k.seq == 0)
				continue; /* SYN or SYN-ACK again: a retransmission */
			if (syn_seen) {
				/* A new connection on the tuple (a SYN after a reset,
				 * or Linux reopening TIME-WAIT): its own ISN, the
				 * numbers after it count from there. */
				base += k.seq;
				k.seq = 0;
				fin_sent = false;
			}
			syn_seen = true;
			hi = 1;
			hi_known = true;
		} else if (g.flags & SCRIPT_TCP_RST) {
			/* <SEQ=0><CTL=RST,ACK>, the answer of a closed port: 0 on
			 * the wire, not relative to anything. */
			if (g.seq == 0)
				k.seq = 0;
		} else {
			uint32_t end = k.seq + k.len + ((g.flags & SCRIPT_TCP_FIN) ? 1u : 0u);
			if (hi_known && k.len == 0 && !(g.flags & SCRIPT_TCP_FIN) && k.seq == hi - 1)
				continue; /* zero-window probe / keep-alive */
			if ((g.flags & SCRIPT_TCP_FIN) && fin_sent && k.seq + k.len == fin_seq)
				continue; /* FIN again */
			if (k.len > 0 && hi_known && (int32_t)(end - hi) <= 0 && !(g.flags & SCRIPT_TCP_FIN))
				continue; /* data sent before */
			if (k.len > 0 && hi_known && (int32_t)(k.seq - hi) < 0) {
				uint32_t cut = hi - k.seq; /* keep the new part only */
				k.seq = hi;
				k.len = cut < k.len ? k.len - cut : 0;
			}
			if (g.flags & SCRIPT_TCP_FIN) {
				fin_sent = true;
				fin_seq = k.seq + k.len;
			}
			if (!hi_known || (int32_t)(end - hi) > 0) {
				hi = end;
				hi_known = true;
			}
		}
		struct depoch *e = &tr->e[ep];
		bool dup = false;
		for (size_t j = 0; j < e->n; j++) {
			struct dkey *p = &e->k[j];
			if (p->err[0] != '\0')
				continue;
			if (p->flags == k.flags && p->seq == k.seq && p->ack == k.ack && p->len == k.len)
				dup = true;
			else if (k.len > 0 && p->len > 0 && p->flags == SCRIPT_TCP_ACK && p->ack == k.ack &&
				 p->seq + p->len == k.seq && !(p->flags & SCRIPT_TCP_FIN)) {
				p->len += k.len; /* one range, however it was cut */
				p->flags = k.flags;
				dup = true;
			}
			if (dup)
				break;
		}
		if (!dup)
			add_key(e, &k);
	}
	check_rtx(tr, sc, bound, diff_end_time(sc), dut->virtual_time ? 0 : c->tolerance_ns);
	/* A failed action or a failed open assertion. */
	if (r.verdict == ENGINE_FAIL && r.messages != NULL && strstr(r.messages, "unexpected packet") == NULL) {
		struct dkey k;
		memset(&k, 0, sizeof k);
		strip_location(r.messages, k.err, sizeof k.err);
		size_t ep = 0;
		if (r.line >= first_step_line && r.line < first_step_line + (int)sc->n)
			ep = (size_t)(r.line - first_step_line) + 1;
		k.t = ep > 0 ? bound[ep - 1] : 0;
		add_key(&tr->e[ep], &k);
	}
	engine_result_free(&r);
}
