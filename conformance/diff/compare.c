/*
 * compare.c - two normalised traces of one scenario: agree, a named
 * profile difference, or a divergence.
 *
 * Epoch by epoch (trace.c), the keys of A and B are compared as sets;
 * numbers are relative to each DUT's ISN, so an ISN is never a
 * difference, nor (for a SYN or SYN-ACK) the ISN of a new connection.
 * Two more things are normalised here, because they need both traces;
 * each is taken out and the comparison goes on:
 *
 *   ack-ratelimit   a pure ACK one DUT sent and the other did not, where
 *                   the other had sent a pure ACK with the same numbers
 *                   less than 0.55 s before: RFC 5961 §7 and RFC 9293
 *                   §3.10.7.4 let a stack limit such ACKs (Linux:
 *                   tcp_invalid_ratelimit, 500 ms per socket);
 *   ack-piggyback   data or a FIN followed by a pure ACK with a newer
 *                   ack, against the same segment carrying that ack.
 *
 * At the first epoch that still differs, the step before it is matched
 * against the known profile differences (KNOWN.md, the same names); a
 * match ends the comparison as "explained" (what follows is a
 * consequence), otherwise it is a divergence, reported with both sides'
 * keys and a signature (the step's shape, edges and the model's state)
 * that groups divergences of one cause.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diff.h"

const char *const diff_profiles[] = {
	"window-size",
	"rcvbuf-window",
	"linux-right-edge",
	"linux-ack-below-bytes-acked",
	"linux-orphan-rst",
	"linux-orphan-syn",
	"linux-timewait-syn",
	"linux-straddle-after-fin",
	"linux-noack-dropped",
	"linux-after-fin-silent",
	"linux-synfin-listen",
	"linux-shut-rd",
	"realtime-unstable",
	"linux-abort-last-ack",
	"linux-timewait-data-ack",
	"linux-full-close",
	"linux-orphan-abort",
	"zero-window-probe",
	"nagle-cwnd",
	"send-buffer",
	"ooo-queue",
	"linux-synrecv-ack-first",
	"linux-rst-left-edge",
	"linux-ack-seq-window-edge",
	"linux-orphan-ack",
	"linux-rst-after-fin",
	"linux-synrecv-syn-rst",
	"linux-wnd-update-ack",
	"linux-synrecv-synfin-dup",
	NULL,
};

static bool key_eq(const struct dkey *a, const struct dkey *b)
{
	if (a->err[0] != '\0' || b->err[0] != '\0')
		return strcmp(a->err, b->err) == 0;
	if (a->flags != b->flags || a->ack != b->ack || a->len != b->len)
		return false;
	return (a->flags & SCRIPT_TCP_SYN) || a->seq == b->seq;
}

static bool has_key(const struct depoch *e, const struct dkey *k)
{
	for (size_t i = 0; i < e->n; i++)
		if (key_eq(&e->k[i], k))
			return true;
	return false;
}

static bool pure_ack(const struct dkey *k)
{
	return k->err[0] == '\0' && k->flags == SCRIPT_TCP_ACK && k->len == 0;
}

/* Did trace t send a pure ACK equal to k within 0.55 s before k.t? (Linux
 * holds one for 500 ms; the plain gap between steps is 0.3 s, two 0.6 s.) */
static bool recent_same_ack(const struct dtrace *t, size_t upto, const struct dkey *k, uint64_t when)
{
	for (size_t ep = 0; ep <= upto && ep < t->n_epochs; ep++)
		for (size_t i = 0; i < t->e[ep].n; i++) {
			const struct dkey *p = &t->e[ep].k[i];
			if (pure_ack(p) && p->seq == k->seq && p->ack == k->ack && p->t <= when &&
			    when - p->t < 550000000ull)
				return true;
		}
	return false;
}

/* Removes from x the pure ACKs y lacks because y's rate limit held them. */
static void absorb_ratelimit(struct depoch *x, const struct dtrace *ty, size_t ep)
{
	const struct depoch *y = &ty->e[ep];
	size_t w = 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct dkey *k = &x->k[i];
		bool drop = pure_ack(k) && !has_key(y, k) && recent_same_ack(ty, ep, k, k->t + 1000000ull);
		if (!drop)
			x->k[w++] = *k;
	}
	x->n = w;
}

/* ack-piggyback: x sent data or a FIN and then a pure ACK with a newer
 * ack; y sent the same segment carrying that ack. When the DUT answers
 * the peer's segment and when it sends queued data is its own timing
 * (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2): x's pair becomes y's one. */
static void absorb_piggyback(struct depoch *x, const struct depoch *y)
{
	for (size_t i = 0; i < x->n; i++) {
		const struct dkey *p = &x->k[i];
		if (!pure_ack(p) || has_key(y, p))
			continue;
		for (size_t j = 0; j < x->n; j++) {
			struct dkey *d = &x->k[j];
			if (j == i || d->err[0] != '\0' || (d->len == 0 && !(d->flags & SCRIPT_TCP_FIN)) || d->ack == p->ack)
				continue;
			struct dkey want = *d;
			want.ack = p->ack;
			if (!has_key(y, &want) || has_key(y, d))
				continue;
			d->ack = p->ack;
			x->k[i] = x->k[--x->n];
			i--;
			break;
		}
	}
}

static bool sets_equal(const struct depoch *a, const struct depoch *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!has_key(b, &a->k[i]))
			return false;
	for (size_t i = 0; i < b->n; i++)
		if (!has_key(a, &b->k[i]))
			return false;
	return true;
}

static void keys_str(const struct depoch *e, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	if (e->n == 0) {
		snprintf(out, cap, "nothing");
		return;
	}
	for (size_t i = 0; i < e->n && n + 1 < cap; i++) {
		const struct dkey *k = &e->k[i];
		int w;
		if (k->err[0] != '\0') {
			w = snprintf(out + n, cap - n, "%s[%s]", i ? ", " : "", k->err);
		} else {
			char fl[8];
			size_t f = 0;
			if (k->flags & SCRIPT_TCP_SYN)
				fl[f++] = 'S';
			if (k->flags & SCRIPT_TCP_FIN)
				fl[f++] = 'F';
			if (k->flags & SCRIPT_TCP_RST)
				fl[f++] = 'R';
			if (k->flags & SCRIPT_TCP_ACK)
				fl[f++] = '.';
			fl[f] = '\0';
			if (k->flags & SCRIPT_TCP_ACK)
				w = snprintf(out + n, cap - n, "%s%s %" PRIu32 ":%" PRIu32 "(%" PRIu32 ") ack %" PRIu32,
					     i ? ", " : "", fl, k->seq, k->seq + k->len, k->len, k->ack);
			else
				w = snprintf(out + n, cap - n, "%s%s %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")", i ? ", " : "",
					     fl, k->seq, k->seq + k->len, k->len);
		}
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static bool any_rst(const struct depoch *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->k[i].err[0] == '\0' && (e->k[i].flags & SCRIPT_TCP_RST))
			return true;
	return false;
}

/* Both sent a RST with the same flags and ack, at different seqs. */
static bool rst_seq_differs(const struct depoch *a, const struct depoch *b)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++) {
			const struct dkey *x = &a->k[i], *y = &b->k[j];
			if (x->err[0] == '\0' && y->err[0] == '\0' && (x->flags & SCRIPT_TCP_RST) && x->flags == y->flags &&
			    x->ack == y->ack && x->seq != y->seq)
				return true;
		}
	return false;
}

static bool any_err(const struct depoch *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->k[i].err[0] != '\0')
			return true;
	return false;
}

/* A RST, a SYN or a failed action one sent and the other did not. */
static bool rst_syn_err_differs(const struct depoch *a, const struct depoch *b)
{
	for (int pass = 0; pass < 2; pass++) {
		const struct depoch *x = pass ? b : a, *y = pass ? a : b;
		for (size_t k = 0; k < x->n; k++)
			if (!has_key(y, &x->k[k]) &&
			    (x->k[k].err[0] != '\0' || (x->k[k].flags & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN))))
				return true;
	}
	return false;
}

/* Both refused an action, with different errors. */
static bool err_differs(const struct depoch *a, const struct depoch *b)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (a->k[i].err[0] != '\0' && b->k[j].err[0] != '\0' && strcmp(a->k[i].err, b->k[j].err) != 0)
				return true;
	return false;
}

static bool any_data(const struct depoch *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->k[i].err[0] == '\0' && (e->k[i].len > 0 || (e->k[i].flags & SCRIPT_TCP_FIN)))
			return true;
	return false;
}

/* The epochs differ only in segments carrying new data or a FIN. */
static bool only_data_differs(const struct depoch *a, const struct depoch *b)
{
	for (int pass = 0; pass < 2; pass++) {
		const struct depoch *x = pass ? b : a, *y = pass ? a : b;
		for (size_t i = 0; i < x->n; i++)
			if (!has_key(y, &x->k[i]) &&
			    (x->k[i].err[0] != '\0' || (x->k[i].len == 0 && !(x->k[i].flags & SCRIPT_TCP_FIN)) ||
			     (x->k[i].flags & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN))))
				return false;
	}
	return true;
}

/* A data segment of a and one of b start at the same place and end at
 * different ones. */
static bool cut_short(const struct depoch *a, const struct depoch *b)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++) {
			const struct dkey *x = &a->k[i], *y = &b->k[j];
			if (x->err[0] == '\0' && y->err[0] == '\0' && x->len > 0 && y->len > 0 && x->seq == y->seq &&
			    x->len != y->len)
				return true;
		}
	return false;
}

static bool state_is(const char *s, const char *a, const char *b)
{
	return strcmp(s, a) == 0 || (b != NULL && strcmp(s, b) == 0);
}

/* The smaller of the two DUTs' receive windows. */
static uint32_t win_min(const struct dscen *sc)
{
	return sc->win_a < sc->win_b ? sc->win_a : sc->win_b;
}

/* Out-of-order text or FIN before step i: kept by one stack for later,
 * dropped by the other; or a receive buffer set: the DUTs' windows
 * follow their own rules from there (dut.h DUT_APP_RCVBUF). The causes
 * looked for last, since they may lie many steps back. */
static const char *rcvbuf_before(const struct dscen *sc, const struct dresolved *rs, size_t i,
				 const struct depoch *a, const struct depoch *b)
{
	/* Only a difference in what was acknowledged or sent: a RST, a SYN
	 * or a failed action is not a window's doing. */
	for (int pass = 0; pass < 2; pass++) {
		const struct depoch *x = pass ? b : a, *y = pass ? a : b;
		for (size_t k = 0; k < x->n; k++)
			if (!has_key(y, &x->k[k]) &&
			    (x->k[k].err[0] != '\0' || (x->k[k].flags & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN))))
				return NULL;
	}
	for (size_t j = 0; j < i; j++) {
		const struct dstep *o = &sc->s[j];
		if (o->kind == D_SEG && (o->len > 0 || (o->flags & SCRIPT_TCP_FIN)) && (o->flags & SCRIPT_TCP_ACK) &&
		    !(o->flags & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN)) && (int32_t)(rs[j].seq - rs[j].rcv_nxt) > 0 &&
		    (int32_t)(rs[j].seq - rs[j].rcv_nxt) < (int32_t)win_min(sc))
			return "ooo-queue";
	}
	/* ... or text or a FIN from the smaller window's right edge to below
	 * the larger's: outside one window (dropped) and held above a hole in
	 * the other, acknowledged once the hole is filled (seed 1402,
	 * scenario 47997). */
	uint32_t wmin = win_min(sc), wmax = sc->win_a < sc->win_b ? sc->win_b : sc->win_a;
	for (size_t j = 0; j < i && wmin != wmax; j++) {
		const struct dstep *o = &sc->s[j];
		int32_t d = (int32_t)(rs[j].seq - rs[j].rcv_nxt);
		if (o->kind == D_SEG && (o->len > 0 || (o->flags & SCRIPT_TCP_FIN)) && (o->flags & SCRIPT_TCP_ACK) &&
		    !(o->flags & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN)) && d >= (int32_t)wmin && d < (int32_t)wmax)
			return "window-size";
	}
	for (size_t j = 0; j < i; j++)
		if (sc->s[j].kind == D_RCVBUF)
			return "rcvbuf-window";
	return NULL;
}

/* The known difference step `i` (the one before the differing epoch)
 * shows, or NULL. */
static bool has_synack(const struct depoch *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->k[i].err[0] == '\0' && (e->k[i].flags & (SCRIPT_TCP_SYN | SCRIPT_TCP_ACK)) ==
						       (SCRIPT_TCP_SYN | SCRIPT_TCP_ACK))
			return true;
	return false;
}

/* A pure ACK one side sent and the other did not. */
static bool pure_ack_missing(const struct depoch *a, const struct depoch *b)
{
	for (int pass = 0; pass < 2; pass++) {
		const struct depoch *x = pass ? b : a, *y = pass ? a : b;
		for (size_t i = 0; i < x->n; i++)
			if (pure_ack(&x->k[i]) && !has_key(y, &x->k[i]))
				return true;
	}
	return false;
}

/* A send before step i with no segment from the peer since: its data
 * is unacknowledged whatever the model guessed (seed 1402, scenario
 * 1865: the model took a segment for out of window that was not). */
static bool send_unacked_before(const struct dscen *sc, size_t i)
{
	for (size_t j = i; j-- > 0;) {
		if (sc->s[j].kind == D_SEG)
			return false;
		if (sc->s[j].kind == D_SEND)
			return true;
	}
	return false;
}

/* An ACK before step i in a segment past our stack's right edge and up to
 * Linux's (its window is larger, `window-size`, and its edge inclusive,
 * linux-right-edge): Linux takes the ACK, our stack and the model do not.
 * ANY_ADVANCE: any ACK that advances SND.UNA, so an ACK of our FIN puts
 * Linux in FIN-WAIT-2 where the model says FIN-WAIT-1; else only an ACK
 * of exactly SND.NXT after our FIN was asked for (it covers the FIN). */
enum { FIN_ACK_EXACT = 0, FIN_ACK_ANY_ADVANCE = 1 };
static bool fin_acked_at_linux_edge(const struct dscen *sc, const struct dresolved *rs, size_t i, unsigned allow,
				    int how)
{
	uint32_t ours = (allow & DIFF_LINUX_IS_B) ? sc->win_a : sc->win_b;
	uint32_t linux_w = (allow & DIFF_LINUX_IS_B) ? sc->win_b : sc->win_a;
	for (size_t j = 0; j < i; j++) {
		int32_t d = (int32_t)(rs[j].seq - rs[j].rcv_nxt);
		if (sc->s[j].kind != D_SEG || !(sc->s[j].flags & SCRIPT_TCP_ACK) ||
		    (sc->s[j].flags & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN)) || d < 0 || (uint32_t)d < ours ||
		    (uint32_t)d > linux_w)
			continue;
		if (how == FIN_ACK_ANY_ADVANCE ? (int32_t)(rs[j].ack - rs[j].snd_una) > 0
					       : rs[j].shut_wr && rs[j].ack == rs[j].snd_nxt && rs[j].snd_una != rs[j].snd_nxt)
			return true;
	}
	return false;
}

/* SYN+FIN at the IRS of a connection made anew before step i (both DUTs
 * sent a SYN-ACK to a SYN): linux-synrecv-synfin-dup below. */
static bool synfin_at_new_irs(const struct dscen *sc, const struct dresolved *rs, size_t i, size_t ep,
			      const struct dtrace *ta, const struct dtrace *tb)
{
	const uint8_t mask = SCRIPT_TCP_SYN | SCRIPT_TCP_FIN | SCRIPT_TCP_ACK | SCRIPT_TCP_RST;
	for (size_t e = 1; e < ep && e < ta->n_epochs && e < tb->n_epochs; e++) {
		if (!has_synack(&ta->e[e]) || !has_synack(&tb->e[e]) || sc->s[e - 1].kind != D_SEG ||
		    !(sc->s[e - 1].flags & SCRIPT_TCP_SYN))
			continue;
		for (size_t k = e; k < i; k++)
			if (sc->s[k].kind == D_SEG && (sc->s[k].flags & mask) == (SCRIPT_TCP_SYN | SCRIPT_TCP_FIN) &&
			    rs[k].seq == rs[e - 1].seq)
				return true;
	}
	return false;
}

static const char *classify(const struct dscen *sc, const struct dresolved *rs, size_t ep, const struct depoch *a,
			    const struct depoch *b, const struct dtrace *ta, const struct dtrace *tb, unsigned allow)
{
	if (ep == 0 || !(allow & DIFF_ALLOW_STACKS))
		return NULL;
	size_t i = ep - 1;
	const struct dstep *st = &sc->s[i];
	const struct dresolved *r = &rs[i];
	/* Both sent new data from the same place, one less of it: what fits
	 * in each stack's send buffer (sim 2048 B, the AVR image 1024 B,
	 * core/net/net_opts.h; Linux's is its own). */
	if (only_data_differs(a, b) && cut_short(a, b))
		return "send-buffer";
	bool zero_wnd = false;
	for (size_t j = 0; j <= i; j++)
		if (sc->s[j].kind == D_SEG && sc->s[j].win == 0)
			zero_wnd = true;
	if (zero_wnd && (any_data(a) || any_data(b)))
		return "zero-window-probe";

	/* New data or a FIN held back while earlier data is unacknowledged
	 * (Nagle; the congestion window after a timeout). */
	if ((st->kind == D_SEND || st->kind == D_SEG || st->kind == D_CLOSE || st->kind == D_SHUT_WR ||
	     st->kind == D_SHUT_RDWR) &&
	    (r->snd_una != r->snd_nxt || send_unacked_before(sc, i)) && only_data_differs(a, b))
		return "nagle-cwnd";
	/* Exactly at the Linux DUT's own right edge. */
	if (st->kind == D_SEG && (allow & DIFF_ALLOW_LINUX) && st->seq_off == 0 &&
	    st->seq_edge == ((allow & DIFF_LINUX_IS_B) ? E_RCV_RIGHT_B : E_RCV_RIGHT_A) &&
	    (st->flags & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN)))
		return "linux-right-edge";
	if (st->kind == D_SEG) {
		bool edge = st->seq_edge == E_RCV_RIGHT_A || st->seq_edge == E_RCV_RIGHT_B;
		if (edge && sc->win_a != sc->win_b)
			return "window-size";
		/* A segment whose last octet lies past the smaller window:
		 * SEG.LEN counts the SYN and the FIN (RFC 9293 §3.4), so
		 * data up to the edge with a FIN on it is outside the smaller
		 * window, and one that starts below RCV.NXT is then not
		 * acceptable at all (§3.10.7.4: neither its start nor its
		 * end in the window; seed 1402, scenario 70092). */
		uint32_t wmin = win_min(sc);
		uint32_t seg_len = st->len + !!(st->flags & SCRIPT_TCP_SYN) + !!(st->flags & SCRIPT_TCP_FIN);
		if (sc->win_a != sc->win_b && seg_len > 0 &&
		    (int32_t)(r->seq + seg_len - (r->rcv_nxt + wmin)) > 0)
			return "window-size";
	}
	if (!(allow & DIFF_ALLOW_LINUX))
		return rcvbuf_before(sc, rs, i, a, b);
	if (st->kind == D_ABORT && r->closed)
		return "linux-orphan-abort";
	/* ABORT (or close with unread data, which the adapters make an
	 * ABORT) once our FIN is out and the peer's taken: Linux resets, RFC
	 * 9293 §3.10.5 deletes the TCB silently (seed 1402, scenarios 2210,
	 * 18715). */
	if ((st->kind == D_ABORT || st->kind == D_CLOSE) && !r->closed && state_is(r->state, "LAST-ACK", "CLOSING") &&
	    any_rst(a) != any_rst(b))
		return "linux-abort-last-ack";
	/* The same rule for Linux's RST (tcp_send_active_reset uses
	 * tcp_acceptable_seq too): SEQ = SND.UNA + SND.WND once the peer's
	 * window is below what was sent; found: seed 1402, scenario 1054,
	 * `abort` after a `win 0` inside Linux's window only. */
	for (size_t j = 0; j <= i && rst_seq_differs(a, b); j++)
		if (sc->s[j].kind == D_SEG && (sc->s[j].flags & SCRIPT_TCP_ACK) &&
		    (sc->s[j].win == 0 || sc->s[j].win < rs[j].snd_nxt - rs[j].snd_una))
			return "linux-ack-seq-window-edge";
	/* A RST one stack took and the other did not shows at the next
	 * segment or action: one answers it with RST or an error (the
	 * connection is gone), the other with an ACK or data. */
	/* (Or answers nothing at all: a segment with RST to the listener
	 * that is left; seed 1402, scenario 14491.) */
	/* (Or, in CLOSING or LAST-ACK, both refuse a `send`: Linux with
	 * ECONNRESET, reset; ours with EPIPE, RFC 9293 §3.10.2 "connection
	 * closing": seed 1402, scenarios 24182, 98780. Or Linux's listener
	 * answers the next SYN with a SYN-ACK, a new connection, where ours
	 * sends a challenge ACK: scenario 20286, RST+SYN at the FIN's
	 * number.) */
	for (size_t j = i + 1; j-- > 0 && (any_rst(a) != any_rst(b) || any_err(a) != any_err(b) ||
					 (a->n == 0) != (b->n == 0) || err_differs(a, b) ||
					 has_synack(a) != has_synack(b));) {
		const struct dstep *o = &sc->s[j];
		if (o->kind != D_SEG || !(o->flags & SCRIPT_TCP_RST))
			continue;
		if (rs[j].peer_fin && rs[j].seq == rs[j].rcv_nxt - 1)
			return "linux-rst-after-fin";
		if (rs[j].closed && state_is(rs[j].state, "FIN-WAIT-2", "TIME-WAIT"))
			return "linux-orphan-rst";
		/* An in-window RST for Linux's orphan in FIN-WAIT-2: the model
		 * says FIN-WAIT-1, but our FIN's ACK came before in a segment
		 * inside Linux's window only (seed 1402, scenario 59065). */
		if (rs[j].closed && state_is(rs[j].state, "FIN-WAIT-1", NULL) && fin_acked_at_linux_edge(sc, rs, j, allow, FIN_ACK_EXACT))
			return "linux-orphan-rst";
	}
	/* Our FIN's ACK came in a segment outside our stack's window and
	 * inside Linux's (larger, inclusive): Linux took it, our stack and
	 * the model did not, so the model's FIN-WAIT-1, CLOSING or LAST-ACK
	 * is Linux's FIN-WAIT-2, TIME-WAIT or CLOSED from there on; the
	 * difference shows at the first step the states answer differently
	 * (seed 1402, scenarios 39316 and 49277). */
	if (r->shut_wr && state_is(r->state, "CLOSING", "LAST-ACK") && fin_acked_at_linux_edge(sc, rs, i, allow, FIN_ACK_EXACT))
		return "window-size";
	if (st->kind != D_SEG)
		return rcvbuf_before(sc, rs, i, a, b);
	uint8_t f = st->flags;
	/* An ACK that advances SND.UNA with SEG.SEQ below SND.WL1 (an
	 * earlier acceptable segment had a higher seq): RFC 9293 keeps the
	 * old window, Linux takes the new one (tcp_may_update_window), so
	 * one sends more new data (seed 1402, scenario 37476). */
	if ((f & SCRIPT_TCP_ACK) && !(f & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN)) && (int32_t)(r->ack - r->snd_una) > 0 &&
	    (any_data(a) || any_data(b)) && !rst_syn_err_differs(a, b))
		for (size_t j = 0; j < i; j++) {
			int32_t d = (int32_t)(rs[j].seq - rs[j].rcv_nxt);
			if (sc->s[j].kind == D_SEG && (sc->s[j].flags & SCRIPT_TCP_ACK) &&
			    !(sc->s[j].flags & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN)) && d >= 0 && (uint32_t)d < win_min(sc) &&
			    (int32_t)(rs[j].seq - r->seq) > 0 && sc->s[j].win != st->win)
				return "linux-wnd-update-ack";
		}
	/* A new connection after a reset (both sent a SYN-ACK), then SYN+FIN
	 * at its IRS: Linux's request socket leaves the FIN out of its flag
	 * check and takes a retransmitted SYN (resends its SYN-ACK); RFC 9293
	 * finds the segment acceptable (SEG.LEN counts SYN and FIN: its last
	 * octet is RCV.NXT) and returns to LISTEN (fourth check). It shows at
	 * the next SYN: ours opens anew, Linux's request socket is still
	 * there (seed 1402, scenario 1407). */
	if ((f & SCRIPT_TCP_SYN) && !(f & (SCRIPT_TCP_ACK | SCRIPT_TCP_RST)) && has_synack(a) != has_synack(b) &&
	    synfin_at_new_irs(sc, rs, i, ep, ta, tb))
		return "linux-synrecv-synfin-dup";
	/* A step before made a new connection (both sent a SYN-ACK; the
	 * peer's numbers still count from the old one, so it stays in
	 * SYN-RECEIVED): a Linux request socket checks the ACK first and
	 * resets. */
	for (size_t e = 1; e < ep && any_rst(a) != any_rst(b); e++)
		if (has_synack(&ta->e[e]) && has_synack(&tb->e[e])) {
			if (f & SCRIPT_TCP_ACK)
				return "linux-synrecv-ack-first";
			if (f & SCRIPT_TCP_SYN)
				return "linux-synrecv-syn-rst";
		}
	/* RST with a SYN or FIN at RCV.NXT-1: Linux counts the flag. */
	if ((f & SCRIPT_TCP_RST) && (f & (SCRIPT_TCP_FIN | SCRIPT_TCP_SYN)) && r->seq == r->rcv_nxt - 1)
		return "linux-rst-left-edge";
	/* The peer's window below what is in flight: Linux's ACKs carry
	 * SEQ = SND.UNA + SND.WND (tcp_acceptable_seq), taken for probes. */
	for (size_t j = 0; j <= i && pure_ack_missing(a, b); j++)
		if (sc->s[j].kind == D_SEG && (sc->s[j].flags & SCRIPT_TCP_ACK) &&
		    (sc->s[j].win == 0 || sc->s[j].win < rs[j].snd_nxt - rs[j].snd_una))
			return "linux-ack-seq-window-edge";
	/* An orphaned FIN-WAIT-2 or TIME-WAIT is a time-wait socket in
	 * Linux: a pure ACK beyond SND.NXT is dropped without an answer. */
	if ((f & (SCRIPT_TCP_ACK | SCRIPT_TCP_FIN | SCRIPT_TCP_SYN | SCRIPT_TCP_RST)) == SCRIPT_TCP_ACK && st->len == 0 &&
	    r->closed && state_is(r->state, "FIN-WAIT-2", "TIME-WAIT") && (int32_t)(r->ack - r->snd_nxt) > 0)
		return "linux-orphan-ack";
	/* ... and takes a FIN whatever its ACK (seed 1402, scenario 16308). */
	if ((f & (SCRIPT_TCP_ACK | SCRIPT_TCP_FIN | SCRIPT_TCP_SYN | SCRIPT_TCP_RST)) == (SCRIPT_TCP_ACK | SCRIPT_TCP_FIN) &&
	    r->closed && state_is(r->state, "FIN-WAIT-2", NULL) && (int32_t)(r->ack - r->snd_nxt) > 0)
		return "linux-orphan-ack";
	bool right = st->seq_edge == E_RCV_RIGHT_A || st->seq_edge == E_RCV_RIGHT_B;
	if (right && st->seq_off == 0 && (f & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN)))
		return "linux-right-edge";
	if ((f & SCRIPT_TCP_SYN) && (f & SCRIPT_TCP_FIN) && strcmp(r->state, "CLOSED") == 0 && !sc->active)
		return "linux-synfin-listen";
	if ((f & SCRIPT_TCP_RST) && state_is(r->state, "FIN-WAIT-2", "TIME-WAIT"))
		return "linux-orphan-rst";
	/* The model says FIN-WAIT-1, but an ACK of our FIN came before at
	 * exactly Linux's right edge, which Linux takes (its inclusive edge):
	 * its orphan is in FIN-WAIT-2, a time-wait socket (seed 1402,
	 * scenarios 11471 and 17165). */
	if ((f & SCRIPT_TCP_RST) && r->closed && state_is(r->state, "FIN-WAIT-1", NULL) &&
	    fin_acked_at_linux_edge(sc, rs, i, allow, FIN_ACK_ANY_ADVANCE))
		return "linux-orphan-rst";
	if ((f & (SCRIPT_TCP_ACK | SCRIPT_TCP_FIN | SCRIPT_TCP_SYN | SCRIPT_TCP_RST)) == SCRIPT_TCP_ACK && st->len == 0 &&
	    r->closed && state_is(r->state, "FIN-WAIT-1", NULL) && (int32_t)(r->ack - r->snd_nxt) > 0 &&
	    fin_acked_at_linux_edge(sc, rs, i, allow, FIN_ACK_ANY_ADVANCE))
		return "linux-orphan-ack"; /* seed 1402, scenario 14423 */
	/* ... and a FIN there, which Linux's orphan takes whatever its ACK
	 * (seed 1402, scenario 19830). */
	if ((f & (SCRIPT_TCP_ACK | SCRIPT_TCP_FIN | SCRIPT_TCP_SYN | SCRIPT_TCP_RST)) == (SCRIPT_TCP_ACK | SCRIPT_TCP_FIN) &&
	    r->closed && state_is(r->state, "FIN-WAIT-1", NULL) && (int32_t)(r->ack - r->snd_nxt) > 0 &&
	    fin_acked_at_linux_edge(sc, rs, i, allow, FIN_ACK_EXACT))
		return "linux-orphan-ack";
	if ((f & SCRIPT_TCP_SYN) && state_is(r->state, "TIME-WAIT", NULL))
		return "linux-timewait-syn";
	if ((f & SCRIPT_TCP_SYN) && r->closed)
		return "linux-orphan-syn";
	/* Text (or a FIN) that starts below RCV.NXT and reaches past it,
	 * after the peer's FIN: Linux resets (tcp_rcv_state_process). */
	if ((st->len > 0 || (f & SCRIPT_TCP_FIN)) && r->peer_fin && (int32_t)(r->seq - r->rcv_nxt) < 0 &&
	    (int32_t)(r->seq + st->len + ((f & SCRIPT_TCP_FIN) ? 1u : 0u) - r->rcv_nxt) > 0)
		return "linux-straddle-after-fin";
	if ((f & SCRIPT_TCP_FIN) && (int32_t)(r->seq - r->rcv_nxt) < 0 && state_is(r->state, "CLOSING", "LAST-ACK"))
		return "linux-straddle-after-fin";
	if (!(f & (SCRIPT_TCP_ACK | SCRIPT_TCP_SYN | SCRIPT_TCP_RST)))
		return "linux-noack-dropped";
	if (st->len > 0 && state_is(r->state, "TIME-WAIT", NULL))
		return "linux-timewait-data-ack";
	/* Linux's TIME-WAIT takes only a segment at RCV.NXT as in its
	 * window and acknowledges any other; a pure ACK above RCV.NXT is
	 * acceptable to RFC 9293 and needs no answer (seed 1402, scenario
	 * 26390). */
	if ((f & (SCRIPT_TCP_ACK | SCRIPT_TCP_FIN | SCRIPT_TCP_SYN | SCRIPT_TCP_RST)) == SCRIPT_TCP_ACK && st->len == 0 &&
	    state_is(r->state, "TIME-WAIT", NULL) && r->seq != r->rcv_nxt && pure_ack_missing(a, b))
		return "linux-timewait-data-ack";
	/* Text or a FIN again after the peer's FIN, at or above RCV.NXT. */
	if ((st->len > 0 || (f & SCRIPT_TCP_FIN)) && r->peer_fin && (int32_t)(r->seq - r->rcv_nxt) >= 0)
		return "linux-after-fin-silent";
	if ((st->len > 0 || ((f & SCRIPT_TCP_FIN) && (int32_t)(r->seq - r->rcv_nxt) > 0)) && r->closed &&
	    any_rst(a) != any_rst(b))
		return "linux-full-close";
	/* The same after shutdown(SHUT_RD) once the FIN is asked for
	 * (SHUT_RDWR, or SHUT_RD and SHUT_WR): the socket cannot receive. */
	if ((st->len > 0 || ((f & SCRIPT_TCP_FIN) && (int32_t)(r->seq - r->rcv_nxt) > 0)) && r->shut_rd &&
	    r->shut_wr && any_rst(a) != any_rst(b))
		return "linux-shut-rd";
	if ((f & SCRIPT_TCP_ACK) && !(f & (SCRIPT_TCP_RST | SCRIPT_TCP_SYN)) && (int32_t)(r->ack - r->snd_una) < 0)
		return "linux-ack-below-bytes-acked";
	return rcvbuf_before(sc, rs, i, a, b);
}

static void signature(const struct dscen *sc, const struct dresolved *rs, size_t ep, char *out, size_t cap)
{
	if (ep == 0) {
		snprintf(out, cap, "%s open", sc->active ? "active" : "passive");
		return;
	}
	const struct dstep *st = &sc->s[ep - 1];
	const struct dresolved *r = &rs[ep - 1];
	static const char *const kinds[] = {"seg",    "send",        "recv",        "close",
					    "abort",  "rcvbuf",      "shutdown-rd", "shutdown-wr",
					    "shutdown-rdwr"};
	if (st->kind != D_SEG) {
		snprintf(out, cap, "%s in %s", kinds[st->kind], r->state);
		return;
	}
	char fl[8];
	size_t f = 0;
	if (st->flags & SCRIPT_TCP_SYN)
		fl[f++] = 'S';
	if (st->flags & SCRIPT_TCP_FIN)
		fl[f++] = 'F';
	if (st->flags & SCRIPT_TCP_RST)
		fl[f++] = 'R';
	if (st->flags & SCRIPT_TCP_PSH)
		fl[f++] = 'P';
	if (st->flags & SCRIPT_TCP_ACK)
		fl[f++] = '.';
	fl[f] = '\0';
	snprintf(out, cap, "%s%s seq %s%+d ack %s%+d in %s", fl, st->len ? " data" : "",
		 diff_edge_name((enum dedge)st->seq_edge), (int)st->seq_off,
		 (st->flags & SCRIPT_TCP_ACK) ? diff_edge_name((enum dedge)st->ack_edge) : "-",
		 (st->flags & SCRIPT_TCP_ACK) ? (int)st->ack_off : 0, r->state);
}

void diff_compare(const struct dscen *sc, const struct dtrace *ta, const struct dtrace *tb, unsigned allow,
		  struct dcompare *out)
{
	memset(out, 0, sizeof *out);
	if (!ta->ok || !tb->ok) {
		out->v = DV_ERROR;
		diff_copy(out->what, sizeof out->what, !ta->ok ? ta->error : tb->error);
		snprintf(out->sig, sizeof out->sig, "error");
		return;
	}
	struct dresolved rs[DIFF_MAX_STEPS];
	diff_resolve(sc, rs);
	size_t n = ta->n_epochs < tb->n_epochs ? ta->n_epochs : tb->n_epochs;
	for (size_t ep = 0; ep < n; ep++) {
		struct depoch a = ta->e[ep], b = tb->e[ep];
		absorb_ratelimit(&a, tb, ep);
		absorb_ratelimit(&b, ta, ep);
		absorb_piggyback(&a, &b);
		absorb_piggyback(&b, &a);
		if (sets_equal(&a, &b))
			continue;
		out->epoch = ep;
		char sa[180], sb[180];
		keys_str(&a, sa, sizeof sa);
		keys_str(&b, sb, sizeof sb);
		signature(sc, rs, ep, out->sig, sizeof out->sig);
		snprintf(out->what, sizeof out->what, "after %s: A sent %s; B sent %s", out->sig, sa, sb);
		const char *p = classify(sc, rs, ep, &a, &b, ta, tb, allow);
		out->v = p ? DV_EXPLAINED : DV_DIVERGED;
		out->profile = p;
		return;
	}
	out->v = DV_AGREE;
}

/* The open missed its time on a real-time DUT (the only `>` lines of a
 * recording are the open's): the host was late, not the stack (seen at
 * -j 64 on 2 shared cores: a SYN-ACK 50 ms, a SYN 400 ms late). */
static bool open_late(const struct dtrace *t)
{
	for (size_t i = 0; t->ok && t->n_epochs > 0 && i < t->e[0].n; i++)
		if (strncmp(t->e[0].k[i].err, "timing error", 12) == 0)
			return true;
	/* A resend timer out of its bounds (trace.c check_rtx) on a real-time
	 * DUT: the times are when we read the frames, and a loaded host reads
	 * some late (seen: 0.9 s, seed 1402, scenario 429 at -j 128). A
	 * stack's own timer fault shows on every run. */
	for (size_t e = 1; t->ok && e < t->n_epochs; e++)
		for (size_t i = 0; i < t->e[e].n; i++)
			if (strncmp(t->e[e].k[i].err, "rtx timer", 9) == 0)
				return true;
	return false;
}

/* Runs the scenario on one DUT; a real-time DUT whose open came late is
 * run again, up to DIFF_LATE_RETRIES times. */
#define DIFF_LATE_RETRIES 3
static void trace_on(const struct dconfig *c, const struct dut_ops *d, const struct dscen *sc, struct dtrace *t)
{
	diff_trace(c, d, sc, t);
	for (int k = 0; k < DIFF_LATE_RETRIES && !d->virtual_time && open_late(t); k++)
		diff_trace(c, d, sc, t);
}

void diff_one(const struct dconfig *c, const struct dscen *sc, struct dtrace *ta, struct dtrace *tb,
	      struct dcompare *out)
{
	trace_on(c, c->a, sc, ta);
	trace_on(c, c->b, sc, tb);
	diff_compare(sc, ta, tb, diff_allowed(c), out);
}

static bool follows(const struct dut_ops *d, const char *name)
{
	for (const char *const *b = d->behaviours; b != NULL && *b != NULL; b++)
		if (strcmp(*b, name) == 0)
			return true;
	return false;
}

unsigned diff_allowed(const struct dconfig *c)
{
	unsigned allow = 0;
	bool same = strcmp(c->a->name, c->b->name) == 0;
	for (const char *const *b = c->a->behaviours; same && b != NULL && *b != NULL; b++)
		same = follows(c->b, *b);
	for (const char *const *b = c->b->behaviours; same && b != NULL && *b != NULL; b++)
		same = follows(c->a, *b);
	if (!same)
		allow |= DIFF_ALLOW_STACKS;
	if (!same && follows(c->a, "linux-wire") != follows(c->b, "linux-wire"))
		allow |= DIFF_ALLOW_LINUX | (follows(c->b, "linux-wire") ? DIFF_LINUX_IS_B : 0u);
	return allow;
}
