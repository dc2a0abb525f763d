/*
 * observe_rx.c - the receiver's side: for segment P from end S, what RFC
 * 9293 §3.10.7 has end R do in the state the observer has it in. Each
 * answer R owes becomes an expectation (observe.h) that R's next segments
 * are matched against (observe_tx.c); each segment R must reject gets a note
 * with the arithmetic; R's state and variables move as the RFC says.
 *
 *   xp_receive
 *     R has no connection (CLOSED, LISTEN, or a passive end that has not
 *       answered yet)                        §3.10.7.1, §3.10.7.2   rx_no_tcb
 *     R in SYN-SENT                          §3.10.7.3              rx_syn_sent
 *     R in SYN-RECEIVED or synchronized      §3.10.7.4              rx_synced
 *       first   sequence acceptability (Table 6), out of window: ACK
 *       second  RST: exact -> reset, in window -> challenge ACK (RFC 5961 §3.2)
 *       fourth  SYN -> challenge ACK (RFC 5961 §4.2)
 *       fifth   ACK: SYN-RECEIVED range, SEG.ACK > SND.NXT, RFC 5961 §5.2
 *       seventh text, eighth FIN: RCV.NXT and the state move
 * (The third check, security and compartment, has nothing to observe.)
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <string.h>

#include "observe.h"

static const char *st(const struct xp_end *e)
{
	return xp_state_name(e->st);
}

/* The label as the subject starting a sentence. */
static char *cap1(char *s)
{
	if (s[0] >= 'a' && s[0] <= 'z')
		s[0] = (char)(s[0] - 'a' + 'A');
	return s;
}

/* The note already made for this segment by the sender's side, if it is
 * about the same RST (so the receiver's reaction is told in the same
 * breath). */
static struct xp_pending_note *rst_note(struct xp_pkt_ctx *k)
{
	for (int i = 0; i < k->n_notes; i++) {
		const char *kind = k->notes[i].n.rule ? k->notes[i].n.rule->kind : "";
		if (strcmp(kind, "rst") == 0 || strcmp(kind, "unexplained") == 0)
			return &k->notes[i];
	}
	return NULL;
}

/* Hints at what a stack got wrong when its SYN-ACK does not acknowledge
 * IRS+1 (the seed's fault, seed/000_648aa07549c524ab.txt). */
static void fault_hint(char *buf, size_t cap, uint32_t irs, uint32_t synackfield, uint32_t ack, uint32_t own_seq)
{
	uint32_t want = irs + 1u;
	uint32_t swapped = (want >> 24) | ((want >> 8) & 0xFF00u) | ((want << 8) & 0xFF0000u) | (want << 24);
	if (ack == irs)
		snprintf(buf, cap, "it acknowledged IRS itself, not IRS+1: the SYN occupies one sequence number "
			 "(RFC 9293 §3.4)");
	else if (ack == synackfield)
		snprintf(buf, cap, "it may have used the SYN's ACK field, which is %u", synackfield);
	else if (ack == swapped)
		snprintf(buf, cap, "its ACK is IRS+1 with the bytes reversed: a missing host-to-network "
			 "conversion (htonl)");
	else if (ack == (want & 0xFFFFu) || ack == (want >> 16))
		snprintf(buf, cap, "its ACK is half of IRS+1: the value went through a 16-bit variable");
	else if (ack == own_seq || ack == own_seq + 1u)
		snprintf(buf, cap, "it acknowledged its own sequence number instead of the client's");
	else
		snprintf(buf, cap, "the ACK field holds a value unrelated to IRS");
}

/* ---- no connection: CLOSED, LISTEN --------------------------------------- */

static const char *no_tcb_where(struct xp_pkt_ctx *k, bool *listen, bool *closed)
{
	struct xp_end *r = &k->c->e[k->r];
	/* What the capture showed of this port elsewhere decides LISTEN or
	 * CLOSED for an end that has not answered yet. */
	enum xp_port_state ps = xp_port_get(k->x, &k->c->info.addr[k->r], k->c->info.port[k->r]);
	bool unknown = r->st == XP_ST_UNKNOWN;
	*listen = r->st == XP_ST_LISTEN || (unknown && ps == XP_PORT_LISTENS);
	*closed = r->st == XP_ST_CLOSED || (unknown && ps == XP_PORT_CLOSED);
	return *listen && unknown ? "in LISTEN (it accepted connections on this port earlier in the capture)"
	       : *listen	  ? "in LISTEN"
	       : *closed	  ? "in CLOSED (it has no connection for it)"
				  : "with no connection for this 4-tuple (in LISTEN or CLOSED: the capture does not show "
				    "which, and the rule is the same)";
}

/* The reset an end with no connection owes for a segment that is not a
 * RST or a SYN. `maybe`: the end may well have the connection (the
 * capture started mid-stream); the answer is expected only if it resets. */
static void no_tcb_answer(struct xp_pkt_ctx *k, bool maybe)
{
	char why_maybe[200];
	const struct cap_pkt *p = k->p;
	uint8_t f = p->tcp.flags;
	bool listen, closed;
	char who[96];
	xp_end_label(k, k->r, who, sizeof who);
	const char *where = no_tcb_where(k, &listen, &closed);
	if (maybe && k->c->e[k->r].maybe_closed) {
		snprintf(why_maybe, sizeof why_maybe,
			 "which may have no connection any more: it sent a RST no rule explains (frame %" PRIu64 ")",
			 k->c->e[k->r].maybe_closed_frame);
		where = why_maybe;
	} else if (maybe) {
		where = "with no connection for this 4-tuple (the capture starts after any handshake; if the "
			"end has none, it is in LISTEN or CLOSED)";
	}
	if (f & TCP_ACK) {
		const char *rule = listen ? "listen.ack" : "closed.ack";
		struct xp_expect *x = xp_expect_add(k, k->r, EXP_RST, rule, 0);
		x->flags = TCP_RST;
		x->seq = p->tcp.ack;
		x->if_no_tcb = maybe;
		x->st_before = x->st_after = listen ? XP_ST_LISTEN : XP_ST_CLOSED;
		xp_expect_why(x,
			      "Frame %" PRIu64 " (an ACK-bearing segment, ack %u) reaches %s %s. %s an arriving ACK "
			      "draws <SEQ=SEG.ACK><CTL=RST> (RFC 9293 %s).",
			      p->frame, p->tcp.ack, who, where, listen ? "In LISTEN any acknowledgment is bad:" : "There",
			      listen ? "§3.10.7.2, second check" : "§3.10.7.1 and §3.10.7.2");
		if (maybe)
			return;
		struct xp_pending_note *n = xp_note_add(
			k, "segment.ack-in-listen", k->s, 0,
			"%s receives this ACK-bearing segment %s: it must answer <SEQ=SEG.ACK><CTL=RST> = <SEQ=%u><CTL=RST> "
			"(RFC 9293 §3.10.7.1, §3.10.7.2) and stay as it is.",
			who, where, p->tcp.ack);
		if (n)
			n->n.field = "ack";
		return;
	}
	if (listen && !maybe) {
		xp_note_add(k, "syn-sent.no-syn", k->s, 0,
			    "%s is in LISTEN and this segment has neither SYN, ACK nor RST: it is dropped "
			    "(RFC 9293 §3.10.7.2, fourth).",
			    who);
		return;
	}
	struct xp_expect *x = xp_expect_add(k, k->r, EXP_RST, "closed.no-ack", 0);
	x->flags = TCP_RST | TCP_ACK;
	x->seq = 0;
	x->ack = p->tcp.seq + k->seglen;
	x->if_no_tcb = maybe;
	x->st_before = x->st_after = XP_ST_CLOSED;
	xp_expect_why(x,
		      "Frame %" PRIu64 " (seq %u, %u octets of sequence space, no ACK bit) reaches %s %s: a "
		      "segment without ACK draws <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> = <SEQ=0><ACK=%u> "
		      "(RFC 9293 §3.10.7.1).",
		      p->frame, p->tcp.seq, k->seglen, who, where, x->ack);
	if (!maybe)
		xp_note_add(k, "segment.no-connection", k->s, 0,
			    "%s has no connection for this segment (%s): it must answer <SEQ=0><ACK=%u><CTL=RST,ACK> "
			    "(RFC 9293 §3.10.7.1).",
			    who, where, x->ack);
}

static void rx_no_tcb(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *r = &k->c->e[k->r];
	uint8_t f = p->tcp.flags;
	char who[96];
	xp_end_label(k, k->r, who, sizeof who);
	bool listen, closed;
	const char *where = no_tcb_where(k, &listen, &closed);
	if (f & TCP_RST) {
		struct xp_pending_note *n = rst_note(k);
		const char *rule = listen ? "rst.in-listen" : "rst.no-connection";
		if (n)
			xp_note_append(n, " %s receives it %s and discards it without answering (RFC 9293 %s).", cap1(who),
				       where, listen ? "§3.10.7.2, first check" : "§3.10.7.1");
		else
			xp_note_add(k, rule, k->s, 0,
				    "%s receives this RST %s and discards it without answering (RFC 9293 %s).", who, where,
				    listen ? "§3.10.7.2, first check" : "§3.10.7.1");
		return;
	}
	if (f & TCP_ACK) {
		no_tcb_answer(k, false);
		return;
	}
	if (f & TCP_SYN) {
		uint32_t g = ++r->next_group;
		struct xp_expect *sa = xp_expect_add(k, k->r, EXP_SYNACK, "synack.bad-ack", g);
		sa->ack = p->tcp.seq + 1u;
		struct xp_expect *x = xp_expect_add(k, k->r, EXP_RST, "closed.no-listener", g);
		x->flags = TCP_RST | TCP_ACK;
		x->seq = 0;
		x->ack = p->tcp.seq + k->seglen;
		x->st_before = x->st_after = XP_ST_CLOSED;
		xp_expect_why(x,
			      "Frame %" PRIu64 " is a SYN (seq %u) to port %u, where %s has no listener: connection "
			      "refused. In CLOSED a segment without ACK draws <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, "
			      "here SEG.LEN = %u (the SYN counts one), so <SEQ=0><ACK=%u> (RFC 9293 §3.10.7.1).",
			      p->frame, p->tcp.seq, p->tcp.dst_port, who, k->seglen, x->ack);
		/* If it listens it answers with a SYN-ACK; RCV.NXT = SEG.SEQ+1. */
		r->rcv_nxt = p->tcp.seq + 1u;
		r->rcv_known = true;
		return;
	}
	if (listen) {
		xp_note_add(k, "syn-sent.no-syn", k->s, 0,
			    "%s is in LISTEN and this segment has neither SYN, ACK nor RST: it is dropped "
			    "(RFC 9293 §3.10.7.2, fourth).",
			    who);
		return;
	}
	no_tcb_answer(k, false);
}

/* ---- SYN-SENT --------------------------------------------------------------- */

static void rx_syn_sent(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_conv *c = k->c;
	struct xp_end *r = &c->e[k->r];
	uint8_t f = p->tcp.flags;
	char who[96], peer[96], hint[200];
	xp_end_label(k, k->r, who, sizeof who);
	xp_end_label(k, k->s, peer, sizeof peer);
	uint32_t iss = r->iss, nxt = r->snd_nxt, ack = p->tcp.ack;
	if (f & TCP_ACK) {
		bool ok = seq_gt(ack, iss) && seq_le(ack, nxt);
		if (!ok) {
			if (f & TCP_RST) {
				struct xp_pending_note *n = rst_note(k);
				const char *txt = "%s is in SYN-SENT (ISS %u, SND.NXT %u); this RST's ACK %u does not "
						  "acknowledge the SYN, so the RST is dropped (RFC 9293 §3.10.7.3, first "
						  "check).";
				if (n) {
					xp_note_append(n, " ");
					xp_note_append(n, txt, cap1(who), iss, nxt, ack);
				}
				else
					xp_note_add(k, "rst.syn-sent-bad-ack", k->s, 0, txt, who, iss, nxt, ack);
				return;
			}
			struct xp_expect *x = xp_expect_add(k, k->r, EXP_RST, "syn-sent.unacceptable-ack", 0);
			x->flags = TCP_RST;
			x->seq = ack;
			x->st_after = XP_ST_SYN_SENT;
			bool synack = (f & TCP_SYN) != 0;
			char only[64], rposs[96], sposs[96];
			xp_end_poss(k, k->r, rposs, sizeof rposs);
			xp_end_poss(k, k->s, sposs, sizeof sposs);
			if (nxt == iss + 1u)
				snprintf(only, sizeof only, "the only acceptable ACK was %u", iss + 1u);
			else
				snprintf(only, sizeof only, "an acceptable ACK lies in (%u, %u]", iss, nxt);
			if (synack)
				fault_hint(hint, sizeof hint, iss, r->syn_ackfield, ack, p->tcp.seq);
			xp_expect_why(x,
				      "Frame %" PRIu64 "'s %s acknowledges %u, but %s ISS is %u (frame %" PRIu64
				      "), so %s: in SYN-SENT an ACK is acceptable only if ISS < SEG.ACK =< SND.NXT, that "
				      "is %u < SEG.ACK =< %u, and %u is not (%u - %u = %u modulo 2^32, against "
				      "SND.NXT - ISS = %u).%s%s%s%s%s",
				      p->frame, synack ? "SYN-ACK" : "segment", ack, rposs, iss, r->syn_frame, only, iss, nxt,
				      ack, ack, iss, ack - iss, nxt - iss, synack ? " The likely fault is that " : "",
				      synack ? sposs : "", synack ? " stack did not set ACK = IRS+1 (" : "",
				      synack ? hint : "", synack ? ")." : "");
			if (synack) {
				struct xp_pending_note *n = xp_note_add(
					k, "synack.bad-ack", k->s, r->syn_frame,
					"Frame %" PRIu64 " answers the SYN of frame %" PRIu64 " (seq %u), and RFC 9293 "
					"§3.10.7.2 has the answer be <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with RCV.NXT = "
					"SEG.SEQ+1 = %u. %s In SYN-SENT %s must answer with a reset "
					"<SEQ=SEG.ACK><CTL=RST> = <SEQ=%u><CTL=RST>, discard the SYN-ACK and stay in SYN-SENT "
					"(RFC 9293 §3.10.7.3).",
					p->frame, r->syn_frame, iss, iss + 1u, x->why, who, ack);
				if (n) {
					n->n.field = "ack";
					n->n.has_expected = true;
					n->n.exp_flags = f;
					n->n.exp_seq = p->tcp.seq;
					n->n.exp_ack = iss + 1u;
					snprintf(n->mark, sizeof n->mark, "^^^ ack %u: only %u (ISS+1) is acceptable", ack,
						 iss + 1u);
				}
				r->bad_synack_frame = p->frame;
			} else {
				struct xp_pending_note *n = xp_note_add(k, "segment.bad-ack", k->s, 0,
									"%s %s must answer <SEQ=%u><CTL=RST>.", x->why,
									who, ack);
				if (n)
					n->n.field = "ack";
			}
			return;
		}
	}
	if (f & TCP_RST) {
		struct xp_pending_note *n = rst_note(k);
		if (f & TCP_ACK) {
			if (n)
				xp_note_append(n, " %s, in SYN-SENT, accepts it (its ACK %u acknowledges the SYN): the "
					       "connection is refused and connect() fails with ECONNREFUSED (RFC 9293 "
					       "§3.10.7.3, second check).",
					       cap1(who), ack);
			r->st = XP_ST_CLOSED;
		} else {
			const char *txt = "%s is in SYN-SENT and this RST has no ACK bit, so it cannot be checked "
					  "against the SYN: it is dropped (RFC 9293 §3.10.7.3, second check).";
			if (n) {
				xp_note_append(n, " ");
				xp_note_append(n, txt, cap1(who));
			} else {
				xp_note_add(k, "rst.syn-sent-no-ack", k->s, 0, txt, who);
			}
		}
		return;
	}
	if (f & TCP_SYN) {
		r->rcv_nxt = p->tcp.seq + 1u;
		r->rcv_known = true;
		if (f & TCP_ACK) {
			r->snd_una = ack;
			r->una_known = true;
			r->st = XP_ST_ESTABLISHED;
		} else {
			/* Simultaneous open (RFC 9293 §3.5, MUST-10): it answers with a
			 * SYN-ACK acknowledging the peer's SYN. */
			r->st = XP_ST_SYN_RECEIVED;
			r->passive = false;
			struct xp_expect *sa = xp_expect_add(k, k->r, EXP_SYNACK, "synack.bad-ack", 0);
			sa->ack = p->tcp.seq + 1u;
		}
		return;
	}
	xp_note_add(k, "syn-sent.no-syn", k->s, 0,
		    "%s is in SYN-SENT and this segment has neither SYN nor RST: it is dropped (RFC 9293 §3.10.7.3, "
		    "fifth).",
		    who);
}

/* ---- SYN-RECEIVED and the synchronized states ------------------------------ */

enum accept { ACC_NO, ACC_YES, ACC_UNKNOWN };

/* RFC 9293 §3.10.7.4 Table 6. `wnd_max` bounds the window when the scale
 * is unknown (mid-stream): a sequence number outside even that is out. */
static enum accept acceptable(uint32_t seq, uint32_t len, uint32_t nxt, uint32_t wnd, bool wnd_known)
{
	if (!wnd_known) {
		uint32_t max = 1u << 30; /* RFC 7323: the window is at most 2^30 */
		if (seq - nxt < max || (len > 0 && seq + len - 1u - nxt < max))
			return ACC_UNKNOWN;
		return ACC_NO;
	}
	if (len == 0)
		return wnd == 0 ? (seq == nxt ? ACC_YES : ACC_NO) : (seq - nxt < wnd ? ACC_YES : ACC_NO);
	if (wnd == 0)
		return ACC_NO;
	return (seq - nxt < wnd || seq + len - 1u - nxt < wnd) ? ACC_YES : ACC_NO;
}

static void where_str(uint32_t seq, uint32_t nxt, uint32_t wnd, char *buf, size_t cap)
{
	if (seq_lt(seq, nxt))
		snprintf(buf, cap, "%u below RCV.NXT", nxt - seq);
	else if (seq == nxt + wnd)
		snprintf(buf, cap, "exactly at the right edge RCV.NXT+RCV.WND, which is outside");
	else
		snprintf(buf, cap, "%u beyond the right edge RCV.NXT+RCV.WND", seq - (nxt + wnd));
}

static void rx_fin_text(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *r = &k->c->e[k->r];
	uint8_t f = p->tcp.flags;
	uint32_t seq = p->tcp.seq + ((f & TCP_SYN) ? 1u : 0u);
	uint32_t plen = p->payload_len;
	if (!r->rcv_known) {
		r->rcv_nxt = seq + plen + ((f & TCP_FIN) ? 1u : 0u);
		r->rcv_known = true;
		return;
	}
	if (plen > 0) {
		switch (r->st) {
		case XP_ST_CLOSE_WAIT:
		case XP_ST_CLOSING:
		case XP_ST_LAST_ACK:
		case XP_ST_TIME_WAIT:
			if (seq_gt(seq + plen, r->rcv_nxt)) {
				char who[96];
				xp_end_label(k, k->r, who, sizeof who);
				xp_note_add(k, "text.after-fin", k->s, 0,
					    "%s is in %s: its peer already sent a FIN, so data after it is ignored "
					    "(RFC 9293 §3.10.7.4, seventh).",
					    who, st(r));
			}
			return;
		case XP_ST_UNKNOWN:
		case XP_ST_CLOSED:
		case XP_ST_LISTEN:
		case XP_ST_SYN_SENT:
		case XP_ST_SYN_RECEIVED:
		case XP_ST_ESTABLISHED:
		case XP_ST_FIN_WAIT_1:
		case XP_ST_FIN_WAIT_2:
			break;
		}
		if (seq_le(seq, r->rcv_nxt) && seq_gt(seq + plen, r->rcv_nxt)) {
			r->bytes_rcvd += (uint32_t)(seq + plen - r->rcv_nxt);
			r->rcv_nxt = seq + plen;
			r->last_rcvd_data_frame = p->frame;
			if ((r->st == XP_ST_FIN_WAIT_1 || r->st == XP_ST_FIN_WAIT_2) && !(f & TCP_RST)) {
				/* Data after this end's FIN: fine after shutdown(SHUT_WR),
				 * a reset after close() (SHLD-3). */
				char who[96];
				xp_end_label(k, k->r, who, sizeof who);
				struct xp_expect *x = xp_expect_add(k, k->r, EXP_RST, "data-after-close", 0);
				x->flags = TCP_RST;
				x->seq = p->tcp.ack;
				x->st_after = XP_ST_CLOSED;
				xp_expect_why(x,
					      "Frame %" PRIu64 " carries %u bytes to %s after it sent its FIN: its "
					      "application has closed the connection, so the data cannot be delivered and "
					      "is answered by a reset (RFC 9293 §3.6.1, SHLD-3; RFC 2525 §2.17), formed "
					      "from the segment's ACK as <SEQ=SEG.ACK><CTL=RST> = <SEQ=%u>.",
					      p->frame, plen, who, p->tcp.ack);
			}
		}
	}
	if ((f & TCP_FIN) && seq + plen == r->rcv_nxt) {
		r->rcv_nxt++;
		r->fin_rcvd = true;
		switch (r->st) {
		case XP_ST_SYN_RECEIVED:
		case XP_ST_ESTABLISHED:
			r->st = XP_ST_CLOSE_WAIT;
			break;
		case XP_ST_FIN_WAIT_1:
			r->st = r->fin_acked ? XP_ST_TIME_WAIT : XP_ST_CLOSING;
			break;
		case XP_ST_FIN_WAIT_2:
			r->st = XP_ST_TIME_WAIT;
			break;
		case XP_ST_UNKNOWN:
			r->st = XP_ST_CLOSE_WAIT;
			break;
		case XP_ST_CLOSED:
		case XP_ST_LISTEN:
		case XP_ST_SYN_SENT:
		case XP_ST_CLOSE_WAIT:
		case XP_ST_CLOSING:
		case XP_ST_LAST_ACK:
		case XP_ST_TIME_WAIT:
			break;
		}
	}
}

/* The ACK field (fifth check). Returns false when the segment is dropped. */
static bool rx_ack(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_conv *c = k->c;
	struct xp_end *r = &c->e[k->r], *s = &c->e[k->s];
	uint32_t ack = p->tcp.ack;
	char who[96];
	xp_end_label(k, k->r, who, sizeof who);
	if (r->st == XP_ST_SYN_RECEIVED) {
		if (!(seq_gt(ack, r->snd_una) && seq_le(ack, r->snd_nxt))) {
			struct xp_expect *x = xp_expect_add(k, k->r, EXP_RST, "syn-received.unacceptable-ack", 0);
			x->flags = TCP_RST;
			x->seq = ack;
			xp_expect_why(x,
				      "Frame %" PRIu64 " acknowledges %u, but in SYN-RECEIVED an ACK is acceptable only if "
				      "SND.UNA < SEG.ACK =< SND.NXT, that is %u < SEG.ACK =< %u (RFC 9293 §3.10.7.4, "
				      "fifth check).",
				      p->frame, ack, r->snd_una, r->snd_nxt);
			struct xp_pending_note *n = xp_note_add(k, "segment.bad-ack", k->s, 0,
								"%s %s must answer <SEQ=SEG.ACK><CTL=RST> = <SEQ=%u><CTL=RST>.",
								x->why, who, ack);
			if (n)
				n->n.field = "ack";
			return false;
		}
		r->st = XP_ST_ESTABLISHED;
		r->snd_una = ack;
		return true;
	}
	if (r->nxt_known && seq_gt(ack, r->snd_nxt)) {
		struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "ack.unsent", 0);
		xp_expect_why(x,
			      "Frame %" PRIu64 " acknowledges %u, but %s has sent only up to SND.NXT = %u: it acknowledges "
			      "%u octets never sent (or sent and not captured). RFC 9293 §3.10.7.4 (fifth check) has "
			      "the receiver send an ACK and drop the segment.",
			      p->frame, ack, who, r->snd_nxt, ack - r->snd_nxt);
		struct xp_pending_note *n = xp_note_add(k, "segment.ack-unsent", k->s, 0,
							"%s It must answer <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.", x->why);
		if (n)
			n->n.field = "ack";
		return false;
	}
	if (r->una_known && s->max_wnd > 0 && seq_lt(ack, r->snd_una - s->max_wnd)) {
		struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "ack.too-old", 0);
		xp_expect_why(x,
			      "Frame %" PRIu64 " acknowledges %u, below SND.UNA - MAX.SND.WND = %u - %u = %u: RFC 5961 "
			      "§5.2 has the receiver discard it and send an ACK.",
			      p->frame, ack, r->snd_una, s->max_wnd, r->snd_una - s->max_wnd);
		struct xp_pending_note *n = xp_note_add(k, "segment.ack-too-old", k->s, 0, "%s", x->why);
		if (n)
			n->n.field = "ack";
		return false;
	}
	if (!r->una_known || seq_gt(ack, r->snd_una)) {
		r->snd_una = ack;
		r->una_known = true;
	}
	if (r->fin_sent && !r->fin_acked && seq_ge(ack, r->fin_seq + 1u)) {
		r->fin_acked = true;
		if (r->st == XP_ST_FIN_WAIT_1)
			r->st = XP_ST_FIN_WAIT_2;
		else if (r->st == XP_ST_CLOSING)
			r->st = XP_ST_TIME_WAIT;
		else if (r->st == XP_ST_LAST_ACK)
			r->st = XP_ST_CLOSED;
	}
	return true;
}

static void rx_synced(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_conv *c = k->c;
	struct xp_end *r = &c->e[k->r];
	uint8_t f = p->tcp.flags;
	uint32_t seq = p->tcp.seq, nxt = r->rcv_nxt, wnd = r->rcv_wnd;
	char who[96], wh[96], poss[96];
	xp_end_label(k, k->r, who, sizeof who);
	xp_end_poss(k, k->r, poss, sizeof poss);
	if (!r->rcv_known) {
		/* Mid-stream, and nothing from R yet: R may have the connection
		 * (it began before the capture) or none at all, in which case it
		 * resets as RFC 9293 §3.10.7.1/§3.10.7.2 say. */
		if (k->c->info.midstream && !r->spoke && !(f & TCP_RST))
			no_tcb_answer(k, true);
		rx_fin_text(k); /* learn RCV.NXT */
		return;
	}
	/* A retransmitted SYN in SYN-RECEIVED (seq = IRS = RCV.NXT-1). */
	if (r->st == XP_ST_SYN_RECEIVED && (f & TCP_SYN) && !(f & TCP_ACK) && seq + 1u == nxt) {
		uint32_t g = ++r->next_group;
		struct xp_expect *a = xp_expect_add(k, k->r, EXP_ACK, "seq.old-duplicate", g);
		xp_expect_why(a, "Frame %" PRIu64 " repeats the SYN (seq %u = RCV.NXT-1), which lies before the window "
			      "(RFC 9293 §3.10.7.4, first check).",
			      p->frame, seq);
		struct xp_expect *sa = xp_expect_add(k, k->r, EXP_SYNACK, "synack.bad-ack", g);
		sa->ack = nxt;
		return;
	}
	enum accept acc = acceptable(seq, (f & TCP_RST) ? p->payload_len : k->seglen, nxt, wnd, r->wnd_known);
	if (acc == ACC_NO && !(f & TCP_SYN)) {
		if (f & TCP_RST) {
			where_str(seq, nxt, wnd, wh, sizeof wh);
			struct xp_pending_note *n = rst_note(k);
			const char *txt = "%s, in %s with RCV.NXT = %u and RCV.WND = %u, drops this RST silently: SEG.SEQ = %u "
					  "lies outside [RCV.NXT, RCV.NXT+RCV.WND) = [%u, %u): it is %s (RFC 5961 §3.2; "
					  "RFC 9293 §3.10.7.4, second check).";
			if (!r->wnd_known) {
				txt = "%s, in %s with RCV.NXT = %u (window scale unknown, raw window %u), drops this RST "
				      "silently: SEG.SEQ = %u lies outside any window RCV.NXT could have (at most 2^30 "
				      "from [%u, %u) and more): it is %s (RFC 5961 §3.2; RFC 9293 §3.10.7.4, second check).";
			}
			struct xp_pending_note *m =
				xp_note_add(k, "rst.out-of-window", k->s, n ? n->n.caused_by : 0, txt, who, st(r), nxt,
					    wnd, seq, nxt, nxt + wnd, wh);
			if (m)
				m->n.field = "seq";
			if (r->st == XP_ST_SYN_RECEIVED && c->e[k->s].bad_synack_frame && m)
				xp_note_append(m, " (A stack that really holds the RCV.NXT its wrong ACK showed would take "
					       "it as a reset instead.)");
			r->ignored_rst_frame = p->frame;
			return;
		}
		/* A keep-alive probe: SEG.SEQ = SND.NXT-1 with no data or one
		 * garbage byte, sent to draw an ACK (RFC 9293 §3.8.4). */
		if (!(f & TCP_FIN) && p->payload_len <= 1 && seq + 1u == nxt) {
			struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "keepalive.ack", 0);
			xp_expect_why(x,
				      "Frame %" PRIu64 " is a keep-alive probe (seq %u = RCV.NXT-1, %u byte%s): it lies just "
				      "before %s window, so it is not acceptable and draws an ACK (RFC 9293 §3.8.4, "
				      "§3.10.7.4 first check), which tells the prober the connection is alive.",
				      p->frame, seq, p->payload_len, p->payload_len == 1 ? "" : "s", poss);
			xp_note_add(k, "segment.keepalive", k->s, 0, "%s", x->why);
			return;
		}
		/* A zero-window probe: data at RCV.NXT while the window is 0. */
		if (r->wnd_known && wnd == 0 && seq == nxt && p->payload_len > 0) {
			struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "window.probe-ack", 0);
			xp_expect_why(x,
				      "Frame %" PRIu64 " probes %s zero window (%u byte%s at RCV.NXT = %u): with RCV.WND = 0 "
				      "no data is acceptable, so %s answers with an ACK that carries its window, open or "
				      "still closed (RFC 9293 §3.8.6.1, MUST-36; §3.10.7.4 first check).",
				      p->frame, poss, p->payload_len, p->payload_len == 1 ? "" : "s", nxt, who);
			xp_note_add(k, "segment.window-probe", k->s, 0, "%s", x->why);
			return;
		}
		if (r->st == XP_ST_TIME_WAIT && (f & TCP_FIN) && seq + k->seglen == nxt) {
			struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "time-wait.fin", 0);
			xp_expect_why(x, "Frame %" PRIu64 " retransmits the FIN %s already acknowledged; in TIME-WAIT the "
				      "only thing that can arrive is that retransmission, and it is acknowledged again "
				      "(RFC 9293 §3.10.7.4, fifth check).",
				      p->frame, who);
			return;
		}
		if (k->seglen > 0 && seq_le(seq + k->seglen, nxt)) {
			struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "seq.old-duplicate", 0);
			xp_expect_why(x,
				      "Frame %" PRIu64 " repeats sequence numbers %u..%u, all below RCV.NXT = %u (already "
				      "received): the segment is not acceptable, so %s answers with an ACK and drops it "
				      "(RFC 9293 §3.10.7.4, first check).",
				      p->frame, seq, seq + k->seglen - 1u, nxt, who);
			return;
		}
		where_str(seq, nxt, wnd, wh, sizeof wh);
		struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "seq.unacceptable", 0);
		xp_expect_why(x,
			      "Frame %" PRIu64 " (seq %u, SEG.LEN %u) is outside %s window: RCV.NXT = %u, RCV.WND = %u, "
			      "so an acceptable segment must start or end in [%u, %u), and it lies %s. An unacceptable "
			      "segment draws <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and is dropped (RFC 9293 §3.10.7.4, "
			      "first check).",
			      p->frame, seq, k->seglen, poss, nxt, wnd, nxt, nxt + wnd, wh);
		struct xp_pending_note *n = xp_note_add(k, "segment.out-of-window", k->s, 0, "%s", x->why);
		if (n)
			n->n.field = "seq";
		return;
	}
	if (f & TCP_RST) {
		struct xp_pending_note *n = rst_note(k);
		if (seq == nxt) {
			enum xp_state to = (r->st == XP_ST_SYN_RECEIVED && r->passive) ? XP_ST_LISTEN : XP_ST_CLOSED;
			const char *txt = "SEG.SEQ = RCV.NXT = %u, so %s, in %s, accepts the reset (RFC 9293 §3.10.7.4, "
					  "second check) and goes to %s%s.";
			const char *tail = to == XP_ST_LISTEN ? " (it came from LISTEN, MUST-11)"
				       : r->st == XP_ST_SYN_RECEIVED ? ": connection refused"
								      : ": the application sees ECONNRESET";
			if (n) {
				xp_note_append(n, " ");
				xp_note_append(n, txt, nxt, who, st(r), xp_state_name(to), tail);
			}
			r->st = to;
			return;
		}
		if (acc == ACC_YES) {
			struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "rst.in-window", 0);
			xp_expect_why(x,
				      "Frame %" PRIu64 " is a RST with seq %u, inside %s window [%u, %u) but not at "
				      "RCV.NXT = %u (%u past it): RFC 5961 §3.2 (RFC 9293 §3.10.7.4, second check) has "
				      "the receiver send a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT> and drop the RST.",
				      p->frame, seq, poss, nxt, nxt + wnd, nxt, seq - nxt);
			struct xp_pending_note *m = xp_note_add(
				k, "segment.rst-in-window", k->s, n ? n->n.caused_by : 0,
				"%s %s must answer with a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> = "
				"<SEQ=%u><ACK=%u><CTL=ACK>. A stack without RFC 5961 takes any in-window RST as a reset "
				"(RFC 793).",
				x->why, who, r->snd_nxt, nxt);
			if (m)
				m->n.field = "seq";
			return;
		}
		if (n)
			xp_note_append(n, " Without the window scale (not in the capture) it cannot be told whether "
				       "seq %u is in %s window; RCV.NXT is %u.",
				       seq, poss, nxt);
		return;
	}
	if (f & TCP_SYN) {
		uint32_t g = ++r->next_group;
		struct xp_expect *x = xp_expect_add(k, k->r, EXP_ACK, "syn.synchronized", g);
		xp_expect_why(x,
			      "Frame %" PRIu64 " is a SYN (seq %u) for a connection %s has synchronized (%s, RCV.NXT = "
			      "%u): RFC 5961 §4.2 and RFC 9293 §3.10.7.4 (fourth check) have it send a challenge ACK "
			      "<SEQ=SND.NXT><ACK=RCV.NXT> = <SEQ=%u><ACK=%u>, whatever the sequence number, and drop "
			      "the SYN.",
			      p->frame, seq, who, st(r), nxt, r->snd_nxt, nxt);
		struct xp_expect *y = xp_expect_add(k, k->r, EXP_RST, "synchronized.syn-rfc793", g);
		y->seq_any = true;
		y->flags = TCP_RST;
		y->st_after = XP_ST_CLOSED;
		xp_expect_why(y, "Frame %" PRIu64 " is a SYN (seq %u) inside the window of a connection %s has "
			      "synchronized (%s): without RFC 5961, RFC 793 calls that an error and resets the "
			      "connection.",
			      p->frame, seq, who, st(r));
		struct xp_pending_note *n = xp_note_add(k, "segment.syn-in-synchronized", k->s, 0, "%s", x->why);
		if (n)
			n->n.field = "flags";
		return;
	}
	if (!(f & TCP_ACK)) {
		xp_note_add(k, "segment.no-ack", k->s, 0,
			    "This segment has no ACK bit; in %s %s drops it (RFC 9293 §3.10.7.4, fifth check).", st(r),
			    who);
		return;
	}
	if (!rx_ack(k))
		return;
	rx_fin_text(k);
}

void xp_receive(struct xp_pkt_ctx *k)
{
	struct xp_end *r = &k->c->e[k->r];
	if (r->maybe_closed && !(k->p->tcp.flags & (TCP_RST | TCP_SYN)))
		no_tcb_answer(k, true);
	switch (r->st) {
	case XP_ST_UNKNOWN:
		if (k->c->info.midstream)
			rx_synced(k);
		else
			rx_no_tcb(k);
		break;
	case XP_ST_CLOSED:
	case XP_ST_LISTEN:
		rx_no_tcb(k);
		break;
	case XP_ST_SYN_SENT:
		rx_syn_sent(k);
		break;
	case XP_ST_SYN_RECEIVED:
	case XP_ST_ESTABLISHED:
	case XP_ST_FIN_WAIT_1:
	case XP_ST_FIN_WAIT_2:
	case XP_ST_CLOSE_WAIT:
	case XP_ST_CLOSING:
	case XP_ST_LAST_ACK:
	case XP_ST_TIME_WAIT:
		rx_synced(k);
		break;
	}
}
