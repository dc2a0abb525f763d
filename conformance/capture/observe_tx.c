/*
 * observe_tx.c - the sender's side: for segment P from end S, what S's own
 * segment shows. Whether P is an answer S owed (a RST, an empty ACK or a
 * SYN-ACK matched against S's expectations, struct xp_expect, else the
 * abort / unexplained rules for a RST), whether it is a retransmission or
 * reaches into a zero window, and how S's variables and state move with
 * it. observe.c calls these in order for every TCP segment, before
 * observe_rx.c has the receiver R process P.
 *
 *   xp_sender_rst             a RST: owed (exact or challenge), abort, or unexplained
 *   xp_sender_synack          a SYN-ACK S owed
 *   xp_sender_ack             an empty ACK S owed
 *   xp_sender_retransmission  P repeats sequence space S sent before
 *   xp_sender_window          P probes or overruns the receiver's zero window
 *   xp_update_sender          ISS, SND.NXT, RCV.NXT, the window and S's state
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "observe.h"

static void consume_group(struct xp_end *e, uint32_t group)
{
	for (int i = 0; i < XP_EXPECT; i++)
		if (e->exp[i].used && e->exp[i].group == group)
			xp_exp_clear(&e->exp[i]);
}

/* The newest expectation of `kind` that fits test(). */
static struct xp_expect *find_exp(struct xp_end *e, enum xp_exp_kind kind, bool (*test)(const struct xp_expect *,
											const struct cap_pkt *),
				  const struct cap_pkt *p)
{
	struct xp_expect *best = NULL;
	for (int i = 0; i < XP_EXPECT; i++) {
		struct xp_expect *x = &e->exp[i];
		if (x->used && x->kind == kind && (test == NULL || test(x, p)) && (best == NULL || x->frame > best->frame))
			best = x;
	}
	return best;
}

static bool rst_fits(const struct xp_expect *x, const struct cap_pkt *p)
{
	uint8_t f = p->tcp.flags & (TCP_RST | TCP_ACK);
	if (x->seq_any)
		return true;
	if (p->tcp.seq != x->seq)
		return false;
	if (x->flags & TCP_ACK)
		return f == (TCP_RST | TCP_ACK) && p->tcp.ack == x->ack;
	return true; /* <SEQ=SEG.ACK><CTL=RST>: an ACK bit on it does no harm */
}

/* ---- the sender's side ------------------------------------------------------ */

static const char *seq_rel(uint32_t v, const struct xp_end *e, char *buf, size_t cap)
{
	if (!e->iss_known)
		snprintf(buf, cap, "%u", v);
	else if (v == e->iss)
		snprintf(buf, cap, "%u (ISS)", v);
	else if (seq_gt(v, e->iss) && v - e->iss < 0x40000000u)
		snprintf(buf, cap, "%u (ISS+%u)", v, v - e->iss);
	else
		snprintf(buf, cap, "%u", v);
	return buf;
}

void xp_sender_rst(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	char who[96], b1[48];
	xp_end_label(k, k->s, who, sizeof who);
	bool has_ack = (p->tcp.flags & TCP_ACK) != 0;
	struct xp_expect *x = find_exp(s, EXP_RST, rst_fits, p);
	if (x != NULL) {
		struct xp_pending_note *n =
			xp_note_add(k, x->rule->id, k->s, x->frame, "%s In %s %s", x->why ? x->why : "",
				    xp_state_name(x->st_before), who);
		if (x->seq_any)
			xp_note_append(n, " answers with a reset; frame %" PRIu64 " is that reset (seq %u%s).",
				       p->frame, p->tcp.seq, has_ack ? "" : ", no ACK bit");
		else if (x->flags & TCP_ACK)
			xp_note_append(n, " must answer <SEQ=%u><ACK=%u><CTL=RST,ACK>, and frame %" PRIu64
				       " is exactly that, which confirms it.",
				       x->seq, x->ack, p->frame);
		else
			xp_note_append(n, " must answer <SEQ=SEG.ACK><CTL=RST> = <SEQ=%u><CTL=RST>; frame %" PRIu64
				       "'s seq %u equals frame %" PRIu64 "'s ACK%s, which confirms it.",
				       x->seq, p->frame, p->tcp.seq, x->frame, has_ack ? "" : " and it has no ACK bit");
		if (x->st_after == x->st_before && x->st_before != XP_ST_CLOSED && x->st_before != XP_ST_LISTEN &&
		    x->st_before != XP_ST_UNKNOWN)
			xp_note_append(n, " The reset leaves %s in %s (RFC 9293 §3.5.2: in a non-synchronized state "
				       "an unacceptable ACK draws a reset and the state does not change).",
				       who, xp_state_name(x->st_before));
		n->n.field = "seq";
		if (x->flags & TCP_ACK)
			snprintf(n->mark, sizeof n->mark, "^^^ RST seq %u ack %u: <SEQ=0><ACK=SEG.SEQ+SEG.LEN> for frame %" PRIu64,
				 p->tcp.seq, p->tcp.ack, x->frame);
		else if (!x->seq_any)
			snprintf(n->mark, sizeof n->mark, "^^^ RST seq %u = frame %" PRIu64 "'s ACK: <SEQ=SEG.ACK><CTL=RST>",
				 p->tcp.seq, x->frame);
		s->st = x->st_after;
		if (x->if_no_tcb && k->c->info.midstream) {
			/* Not mid-stream after all: the end had no connection. */
			k->c->info.midstream = false;
			free(k->c->unknowns);
			k->c->unknowns = NULL;
			if (asprintf(&k->c->unknowns, "the conversation's first segment (frame %" PRIu64 ") is not a SYN, "
				     "and %s answered it with a reset: it had no connection for it",
				     k->c->info.first_frame, k->c->info.name[k->s]) < 0)
				k->c->unknowns = NULL;
		}
		if (strcmp(x->rule->id, "closed.no-listener") == 0)
			xp_port_set(k->x, &k->c->info.addr[k->s], k->c->info.port[k->s], XP_PORT_CLOSED);
		consume_group(s, x->group);
		return;
	}
	/* A reset no received segment calls for. */
	struct xp_expect *near = find_exp(s, EXP_RST, NULL, p);
	bool synced = s->st == XP_ST_ESTABLISHED || s->st == XP_ST_FIN_WAIT_1 || s->st == XP_ST_FIN_WAIT_2 ||
		      s->st == XP_ST_CLOSE_WAIT || s->st == XP_ST_CLOSING || s->st == XP_ST_LAST_ACK ||
		      s->st == XP_ST_SYN_RECEIVED || s->st == XP_ST_SYN_SENT ||
		      (s->st == XP_ST_UNKNOWN && k->c->info.midstream);
	bool at_nxt = s->nxt_known && (p->tcp.seq == s->snd_nxt ||
				       (s->una_known && seq_ge(p->tcp.seq, s->snd_una) && seq_le(p->tcp.seq, s->snd_nxt)));
	if (near == NULL && synced && at_nxt) {
		struct xp_pending_note *n = xp_note_add(
			k, "abort", k->s, 0,
			"No segment %s received calls for this reset: %s sends it from %s with seq %s%s, as an abort "
			"does (RFC 9293 §3.10.5: ABORT sends <SEQ=SND.NXT><CTL=RST>). The application aborted the "
			"connection (close() with SO_LINGER on and a linger time of 0), or closed it with received "
			"data it had not read (RFC 9293 §3.6.1, SHLD-3; RFC 2525 §2.17); on the wire the two look "
			"the same.",
			who, who, xp_state_name(s->st), seq_rel(p->tcp.seq, s, b1, sizeof b1),
			s->nxt_known && p->tcp.seq == s->snd_nxt ? " = SND.NXT" : "");
		if (s->bytes_rcvd > 0)
			xp_note_append(n, " %s had received %" PRIu64 " bytes (the last in frame %" PRIu64
				       "); if the application had not read them all, close() resets.",
				       who, s->bytes_rcvd, s->last_rcvd_data_frame);
		/* A bare RST right after the peer's segment, at its ACK: an end
		 * that lost the connection (a reboot, a TCB timed out) answers
		 * the same way. */
		const struct xp_end *r = &k->c->e[k->r];
		if (!has_ack && r->last_frame && (r->last_seg_ack == p->tcp.seq) && p->ts_ns >= r->last_ns &&
		    p->ts_ns - r->last_ns < 1000000000ull)
			xp_note_append(n, " It also matches an end that has lost the connection (it rebooted, or its "
				       "connection timed out) answering frame %" PRIu64 " as an end without one must, "
				       "<SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.1): the same reset.",
				       r->last_frame);
		s->st = XP_ST_CLOSED;
		return;
	}
	struct xp_pending_note *n = xp_note_add(k, "unexplained", k->s, near ? near->frame : 0,
						"Unexplained: no rule accounts for this reset from %s (state %s, seq "
						"%u%s).",
						who, xp_state_name(s->st), p->tcp.seq, has_ack ? "" : ", no ACK bit");
	if (!s->spoke)
		xp_note_append(n, " The capture shows nothing %s sent before it, so neither an abort nor an "
			       "answer to a segment can be told apart from a reset injected by a third party.",
			       who);
	if (near != NULL) {
		if (near->seq_any || !(near->flags & TCP_ACK))
			xp_note_append(n, " The nearest rule, %s (answering frame %" PRIu64 "), gives seq %u, not %u.",
				       near->rule->id, near->frame, near->seq, p->tcp.seq);
		else
			xp_note_append(n, " The nearest rule, %s (answering frame %" PRIu64
				       "), gives <SEQ=%u><ACK=%u><CTL=RST,ACK>, not seq %u ack %u.",
				       near->rule->id, near->frame, near->seq, near->ack, p->tcp.seq, p->tcp.ack);
		n->n.field = "seq";
	} else if (s->nxt_known) {
		xp_note_append(n, " An abort would carry SND.NXT = %u.", s->snd_nxt);
		n->n.field = "seq";
	}
	/* Whose reset was it? If the end keeps sending, not its own; if it
	 * then answers like an end with no connection, it was. */
	s->maybe_closed = true;
	s->maybe_closed_frame = p->frame;
}

/* An empty ACK: does it answer an unacceptable segment? Only when its ack
 * does not move past what this end acknowledged before (a fresh ACK of new
 * data is just an ACK). */
void xp_sender_ack(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	struct xp_expect *x = find_exp(s, EXP_ACK, NULL, p);
	if (x == NULL)
		return;
	if (s->rcv_known && seq_gt(p->tcp.ack, s->last_ack) && x->rule && strcmp(x->rule->id, "time-wait.fin") != 0)
		return;
	char who[96];
	xp_end_label(k, k->s, who, sizeof who);
	struct xp_pending_note *n = xp_note_add(k, x->rule->id, k->s, x->frame, "%s", x->why ? x->why : "");
	xp_note_append(n, " %s answers <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>: frame %" PRIu64 " carries seq %u, ack %u.",
		       who, p->frame, p->tcp.seq, p->tcp.ack);
	consume_group(s, x->group);
}

/* A SYN-ACK: the answer to the other end's SYN. Its ack must be IRS+1. */
void xp_sender_synack(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	struct xp_expect *x = find_exp(s, EXP_SYNACK, NULL, p);
	if (x == NULL)
		return;
	if (p->tcp.ack != x->ack) {
		k->fault_ack = true;
		k->fault_exp_ack = x->ack;
	}
	consume_group(s, x->group);
}

static void sent_ring_add(struct xp_end *e, const struct cap_pkt *p, uint32_t seglen)
{
	struct xp_sent *r = &e->sent[e->sent_head++ % XP_SENT_RING];
	r->seq = p->tcp.seq;
	r->end = p->tcp.seq + seglen;
	r->frame = p->frame;
	r->ts_ns = p->ts_ns;
	r->flags = p->tcp.flags;
}

static const struct xp_sent *sent_find(const struct xp_end *e, uint32_t seq, uint32_t end)
{
	const struct xp_sent *best = NULL;
	for (unsigned i = 0; i < XP_SENT_RING; i++) {
		const struct xp_sent *r = &e->sent[i];
		if (r->frame == 0 || r->seq == r->end)
			continue;
		bool overlap = seq_lt(seq, r->end) && seq_lt(r->seq, end);
		if (overlap && (best == NULL || r->frame < best->frame))
			best = r;
	}
	return best;
}

static void fmt_dt(uint64_t ns, char *buf, size_t cap)
{
	if (ns >= 1000000000u)
		snprintf(buf, cap, "%.3f s", (double)ns / 1e9);
	else if (ns >= 1000000u)
		snprintf(buf, cap, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, cap, "%" PRIu64 " us", ns / 1000u);
}

void xp_sender_retransmission(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	uint8_t f = p->tcp.flags;
	if (k->seglen == 0 || !s->nxt_known || !seq_lt(p->tcp.seq, s->snd_nxt) || (f & TCP_RST))
		return;
	/* A keep-alive probe (SND.NXT-1, at most one byte) is not a
	 * retransmission; the receiver's side explains it. */
	if (!(f & (TCP_SYN | TCP_FIN)) && p->payload_len <= 1 && p->tcp.seq + 1u == s->snd_nxt)
		return;
	char who[96], dt[32];
	xp_end_label(k, k->s, who, sizeof who);
	uint32_t end = p->tcp.seq + k->seglen;
	const struct xp_sent *o = sent_find(s, p->tcp.seq, end);
	uint64_t ofr = o ? o->frame : 0;
	fmt_dt(o ? p->ts_ns - o->ts_ns : 0, dt, sizeof dt);
	if ((f & TCP_SYN) && !(f & TCP_ACK)) {
		if (s->bad_synack_frame) {
			xp_note_add(k, "retransmission.syn-after-bad-synack", k->s, s->bad_synack_frame,
				    "%s sends its SYN (seq %u) again, %s after frame %" PRIu64 ": the SYN-ACK of frame %" PRIu64
				    " was unacceptable and discarded, so the SYN is still unacknowledged and the "
				    "retransmission timer fires (RFC 9293 §3.10.7.3, RFC 6298 §5).",
				    who, p->tcp.seq, dt, ofr, s->bad_synack_frame);
		} else {
			xp_note_add(k, "retransmission.syn", k->s, 0,
				    "%s sends its SYN (seq %u) again, %s after frame %" PRIu64
				    ": no acceptable SYN-ACK arrived in time.",
				    who, p->tcp.seq, dt, ofr);
		}
		return;
	}
	if ((f & TCP_SYN) && (f & TCP_ACK)) {
		struct xp_pending_note *n = xp_note_add(k, "retransmission.synack", k->s, s->ignored_rst_frame,
							"%s sends its SYN-ACK again, %s after frame %" PRIu64
							": the handshake's ACK has not arrived.",
							who, dt, ofr);
		if (s->ignored_rst_frame)
			xp_note_append(n, " The RST of frame %" PRIu64 " was outside the window and dropped, so %s is "
				       "still in SYN-RECEIVED.",
				       s->ignored_rst_frame, who);
		return;
	}
	if (p->payload_len == 0 && (f & TCP_FIN)) {
		xp_note_add(k, "retransmission.fin", k->s, 0, "%s sends its FIN (seq %u) again, %s after frame %" PRIu64
			    ": it has not been acknowledged.",
			    who, p->tcp.seq, dt, ofr);
		return;
	}
	bool partial = seq_gt(end, s->snd_nxt);
	struct xp_pending_note *n =
		xp_note_add(k, "retransmission.data", k->s, 0,
			    "%s sends bytes %u..%u again%s%s", who, p->tcp.seq, end - 1, partial ? " (in part)" : "",
			    ofr ? "" : ".");
	if (ofr)
		xp_note_append(n, ": first sent in frame %" PRIu64 ", %s earlier%s.", ofr, dt,
			       s->dupacks >= 3 ? ", after three duplicate ACKs (fast retransmit, RFC 5681 §3.2)"
					       : ", without an ACK covering them in between (a retransmission timeout)");
}

void xp_sender_window(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	if (p->tcp.flags & (TCP_RST | TCP_SYN))
		return;
	if (p->tcp.window != 0) {
		s->zero_win = false;
		return;
	}
	if (s->zero_win)
		return;
	s->zero_win = true;
	char who[96], other[96];
	xp_end_label(k, k->s, who, sizeof who);
	xp_end_label(k, k->r, other, sizeof other);
	xp_note_add(k, "window.zero", k->s, 0,
		    "%s advertises a zero window at ack %u: its receive buffer is full. %s must stop sending new "
		    "data and probe the window until it opens (RFC 9293 §3.8.6.1, MUST-36); a zero window does "
		    "not close the connection (MUST-37), and ACKs, RSTs and URG are still processed (MUST-66).",
		    who, p->tcp.ack, other);
}

/* The sender's variables and state, from its own segment. */
void xp_update_sender(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_conv *c = k->c;
	struct xp_end *s = &c->e[k->s];
	uint8_t f = p->tcp.flags;
	uint32_t end = p->tcp.seq + k->seglen;
	s->spoke = true;
	s->last_frame = p->frame;
	s->last_ns = p->ts_ns;
	s->last_seg_ack = (f & TCP_ACK) ? p->tcp.ack : 0;
	if (!s->ttl_known) {
		s->ttl = p->ttl;
		s->ttl_known = true;
	}
	/* A SYN belongs to this end's handshake only before it is
	 * synchronized; a SYN later is a stray the receiver deals with. */
	bool fresh = (s->st == XP_ST_UNKNOWN && !c->info.midstream) || s->st == XP_ST_CLOSED ||
		     s->st == XP_ST_LISTEN;
	bool in_handshake = fresh || s->st == XP_ST_SYN_SENT || s->st == XP_ST_SYN_RECEIVED;
	if ((f & TCP_SYN) && in_handshake) {
		if (!s->iss_known || p->tcp.seq != s->iss) {
			s->iss = p->tcp.seq;
			s->iss_known = true;
			s->snd_una = s->iss;
			s->una_known = true;
			s->snd_nxt = end;
			s->nxt_known = true;
			s->syn_frame = p->frame;
			s->syn_ns = p->ts_ns;
			s->syn_ackfield = p->tcp.ack;
		}
		s->ws_offered = (p->tcp.opt.present & TCP_OPTF_WSCALE) != 0;
		s->ws = p->tcp.opt.wscale > 14 ? 14 : p->tcp.opt.wscale; /* RFC 7323 §2.3 */
		s->mss = (p->tcp.opt.present & TCP_OPTF_MSS) ? p->tcp.opt.mss : 0;
		if (!(f & TCP_ACK)) {
			if (fresh)
				s->st = XP_ST_SYN_SENT;
		} else if (s->st == XP_ST_SYN_SENT) {
			s->st = XP_ST_SYN_RECEIVED; /* simultaneous open */
			s->passive = false;
		} else if (fresh) {
			s->st = XP_ST_SYN_RECEIVED;
			s->passive = true;
			xp_port_set(k->x, &c->info.addr[k->s], c->info.port[k->s], XP_PORT_LISTENS);
		}
		c->ws_on = c->e[0].ws_offered && c->e[1].ws_offered;
	}
	/* SND.NXT moves with what the end sends, but not for a segment that
	 * could not be its own: one past anything the other end's window
	 * allows (a blind injection, a stray SYN) is left to the receiver's
	 * checks. */
	const struct xp_end *peer = &c->e[k->r];
	uint32_t reach = (peer->max_wnd > 65535u ? peer->max_wnd : 65535u) + 1u;
	if (!s->nxt_known) {
		s->snd_nxt = end;
		s->nxt_known = true;
	} else if (seq_gt(end, s->snd_nxt) && end - s->snd_nxt <= reach && !((f & TCP_SYN) && !in_handshake)) {
		s->snd_nxt = end;
	}
	if (k->seglen > 0)
		sent_ring_add(s, p, k->seglen);
	if (f & TCP_RST)
		return; /* xp_sender_rst() set the state; its ack and window mean nothing */
	/* It has the connection after all: the "no connection" answers go. */
	s->maybe_closed = false;
	for (int i = 0; i < XP_EXPECT; i++)
		if (s->exp[i].used && s->exp[i].if_no_tcb)
			xp_exp_clear(&s->exp[i]);
	if (f & TCP_ACK) {
		/* Its ACK is its RCV.NXT, unless it is the seed's fault (a
		 * SYN-ACK acknowledging something else): keep the model's. */
		if (!k->fault_ack) {
			s->rcv_nxt = p->tcp.ack;
			s->rcv_known = true;
		}
		s->last_ack = p->tcp.ack;
	}
	uint32_t w = p->tcp.window;
	if (!(f & TCP_SYN) && c->ws_on)
		w <<= s->ws; /* RFC 7323 §2.2: never scaled on a SYN */
	s->rcv_wnd = w;
	s->wnd_known = !(c->info.midstream && !(f & TCP_SYN)) || w == 0;
	if (w > s->max_wnd)
		s->max_wnd = w;
	if ((f & TCP_FIN) && !s->fin_sent) {
		s->fin_sent = true;
		s->fin_seq = p->tcp.seq + p->payload_len + ((f & TCP_SYN) ? 1u : 0u);
		if (s->st == XP_ST_ESTABLISHED || s->st == XP_ST_SYN_RECEIVED || s->st == XP_ST_UNKNOWN)
			s->st = XP_ST_FIN_WAIT_1;
		else if (s->st == XP_ST_CLOSE_WAIT)
			s->st = XP_ST_LAST_ACK;
	}
	if (c->info.midstream && s->st == XP_ST_UNKNOWN)
		s->st = XP_ST_ESTABLISHED;
}
