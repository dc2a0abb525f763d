/*
 * tcp_timer.c - TCP timers: retransmission (RFC 6298), zero-window probing
 * (RFC 9293 §3.8.6.1), TIME-WAIT (2*MSL, MUST-13), and the RTT estimator.
 *
 * Each connection has one timer slot with a purpose (STYLE 4): TT_RTX
 * covers SYN / SYN-ACK / data / FIN retransmission and, when the peer's
 * window is zero, the persist (probe) timer; TT_TIMEWAIT the 2*MSL wait;
 * TT_FINWAIT2 how long we wait for the FIN of a peer that acked ours.
 * net_poll() calls tcp_timers(now), which fires what is due and returns the
 * earliest deadline. Deadlines, RTO and the RTT estimator are 32-bit
 * milliseconds of the stack's clock (s->ms, set by net_poll): 64-bit
 * arithmetic is what costs most on an 8-bit AVR.
 *
 * Called by net.c (tcp_timers), tcp_out.c (tcp_arm_rtx), tcp_in.c
 * (tcp_rtt_sample, tcp_arm_rtx) and arp.c (tcp_arp_resolved).
 */
#include "net_internal.h"

void tcp_arm_rtx(struct net_stack *s, struct tcp_pcb *c)
{
#if NET_TCP_DELACK
	if (c->timer == TT_DELACK)
		c->flags |= TF_ACK_NOW; /* the slot is taken: the delayed ACK goes with this output */
#endif
	c->timer = TT_RTX;
	c->deadline = net_deadline(s, c->rto);
	if (!s->in_poll)
		c->flags |= TF_REBASE_RTX; /* s->ms is stale: see tcp_rebase() */
}

/* FIN-WAIT-2, our FIN acknowledged: a peer that never closes must not hold
 * the block forever (there are NET_TCP_CONNS of them), so give up after
 * cfg->fin_wait2_timeout_ms - but only once the application has let go
 * (tcp_close). RFC 9293 §3.10.4: after CLOSE the user may go on RECEIVING
 * until the peer closes, and RFC 9293 sets no FIN-WAIT-2 timer; an
 * application that half-closed with tcp_shutdown() and still holds the
 * connection (TF_HELD) waits for the peer's FIN as long as it takes (Linux's
 * tcp_fin_timeout likewise applies to orphaned sockets only). */
void tcp_arm_finwait2(struct net_stack *s, struct tcp_pcb *c)
{
	uint32_t t = s->cfg->fin_wait2_timeout_ms;

	if (t && !(c->flags & TF_HELD)) {
		c->timer = TT_FINWAIT2;
		c->deadline = net_deadline(s, t);
	}
}

/* Outside net_poll() the clock is that of the last poll: a board that
 * slept 10 s and then calls tcp_connect() would see its SYN "expire" at
 * once and its RTO doubled. Timers and RTT starts set by such calls are
 * marked (TF_REBASE_*) and re-based here, at the start of the next
 * net_poll(), on its clock: never early, and an RTT sample never longer
 * than the real round trip. */
void tcp_rebase(struct net_stack *s)
{
	struct tcp_pcb *c;

	for (c = s->tcp; c < s->tcp + NET_TCP_CONNS; c++) {
		if ((c->flags & TF_REBASE_RTX) && c->timer == TT_RTX)
			c->deadline = net_deadline(s, c->rto);
		if (c->flags & TF_REBASE_RTT)
			c->rtt_start = s->ms;
		c->flags &= (uint8_t)~(TF_REBASE_RTX | TF_REBASE_RTT);
	}
}

/* RFC 6298 §2.2/2.3 with alpha 1/8, beta 1/4, K 4; RTO clamped to
 * [rto_min, rto_max] (§2.4, §2.5). A fresh sample also undoes any backoff. */
void tcp_rtt_sample(struct net_stack *s, struct tcp_pcb *c, uint32_t ack)
{
	const struct net_config *cfg = s->cfg;
	uint32_t r, srtt, rttvar, rto;

	/* Only while a segment is timed (TF_RTT) and once the ACK covers it:
	 * the test both callers made, kept here once. */
	if (!(c->flags & TF_RTT) || seq_lt(ack, c->rtt_seq))
		return;
	c->flags &= (uint8_t)~TF_RTT;
	r = s->ms - c->rtt_start;
	srtt = c->srtt;
	if (r == 0)
		r = 1; /* clock granularity G */
	if (srtt == 0) {
		srtt = r;
		rttvar = r >> 1;
	} else {
		uint32_t d = srtt > r ? srtt - r : r - srtt;

		rttvar = (3u * c->rttvar + d) >> 2;
		srtt = (7u * srtt + r) >> 3;
	}
	c->srtt = srtt;
	c->rttvar = rttvar;
	rto = srtt + 4u * rttvar;
	if (rto < cfg->rto_min_ms)
		rto = cfg->rto_min_ms;
	if (rto > cfg->rto_max_ms)
		rto = cfg->rto_max_ms;
	c->rto = rto;
}

/* The retransmission timer fired (RFC 6298 §5.4-5.6): back off, collapse
 * cwnd (RFC 5681 §3.1), go back to SND.UNA and send one segment. With a
 * zero window the same path sends a one-byte probe. */
static NET_NOINLINE void rtx_expired(struct net_stack *s, struct tcp_pcb *c)
{
	const struct net_config *cfg = s->cfg;
	bool syn = c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED;
	bool probe = !syn && c->snd_wnd == 0;
	uint8_t limit;
	uint32_t rto;

	if (c->snd_una == c->snd_max && !(probe && c->buf_len)) {
		c->timer = TT_NONE; /* everything acknowledged meanwhile */
		return;
	}
	limit = cfg->max_retries;
	if (syn)
		limit = (c->flags & TF_PASSIVE) ? cfg->synack_retries : cfg->syn_retries;
	if (++c->retries > limit) {
		NET_INC(s, TCP_TIMEOUTS);
		if (!syn)
			tcp_send_rst_pcb(s, c);
		else if (c->flags & TF_PASSIVE) {
			tcp_pcb_free(s, c); /* the application never saw it */
			return;
		}
		tcp_finish(s, c, TCP_EV_TIMEOUT);
		return;
	}
#if NET_TCP_FAST_RTX
	/* A timeout ends fast recovery. RFC 6582 §3.2: "After a retransmit
	 * timeout, record the highest sequence number transmitted in the
	 * variable recover": the duplicates our go-back-N resending draws
	 * from the receiver must not start a fast retransmit. */
	c->dupacks = 0;
	c->recover = c->snd_max;
#endif
	rto = c->rto << 1;
	if (rto > cfg->rto_max_ms)
		rto = cfg->rto_max_ms;
	c->rto = rto;
	if (!probe) {
		/* FlightSize: SND.MAX - SND.UNA fits in 16 bits (tcp_out.c output_seg) */
		uint16_t half = (uint16_t)(c->snd_max - c->snd_una) / 2u;

		c->ssthresh = half > 2u * c->mss ? half : (uint16_t)(2u * c->mss);
		if (c->cwnd)
			c->cwnd = c->mss; /* 0 stays: SYN unacknowledged (tcp.h) */
		NET_INC(s, TCP_RETRANSMITS);
	}
	tcp_arm_rtx(s, c);
	tcp_resend(s, c, probe);
}


/* A timer of c is due: fire it. */
static void timer_fire(struct net_stack *s, struct tcp_pcb *c)
{
	if (c->timer == TT_TIMEWAIT) {
		tcp_pcb_free(s, c); /* 2*MSL over: TIME-WAIT -> CLOSED */
		return;
	}
	if (c->timer == TT_FINWAIT2) {
		NET_INC(s, TCP_TIMEOUTS); /* the peer never sent its FIN */
		tcp_finish(s, c, TCP_EV_TIMEOUT);
		return;
	}
	if (c->timer == TT_SWS) {
		/* RFC 9293 §3.8.6.2.1 (4): the SWS override timeout: send
		 * what the window takes. */
		c->timer = TT_NONE;
		tcp_output_override(s, c);
		return;
	}
#if NET_TCP_DELACK
	if (c->timer == TT_DELACK) {
		/* No second segment came: the ACK goes now (MUST-40). */
		c->timer = TT_NONE;
		NET_INC(s, TCP_DELACK_TIMEOUTS);
		tcp_send_ack(s, c);
		return;
	}
#endif
	rtx_expired(s, c);
}

/* Milliseconds until c's timer is due (0: due), NET_MS_NEVER when it has
 * none running. */
static NET_NOINLINE uint32_t timer_left(const struct net_stack *s, const struct tcp_pcb *c)
{
	if (c->state == TCP_CLOSED || c->timer == TT_NONE)
		return NET_MS_NEVER;
	return ms_left(s->ms, c->deadline);
}

uint32_t tcp_timers(struct net_stack *s)
{
	uint32_t next = NET_MS_NEVER;
	struct tcp_pcb *c;

	for (c = s->tcp; c < s->tcp + NET_TCP_CONNS; c++) {
		uint32_t left = timer_left(s, c);

		if (left == 0) {
			timer_fire(s, c);
			left = timer_left(s, c); /* re-armed, or none left */
		}
		if (left < next)
			next = left;
	}
	return next;
}

/* ARP answered for next_hop: rebuild and send what was dropped while it was
 * unresolved, from connection state (arp.c explains why TCP holds nothing). */
void tcp_arp_resolved(struct net_stack *s, uint32_t next_hop)
{
	struct tcp_pcb *c;

	for (c = s->tcp; c < s->tcp + NET_TCP_CONNS; c++)
		if (c->state != TCP_CLOSED && (c->flags & TF_ARP_WAIT) && ip_next_hop(s, c->rip) == next_hop)
			tcp_resend(s, c, false);
}
