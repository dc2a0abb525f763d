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
	if (s->cfg->fin_wait2_timeout_ms && !(c->flags & TF_HELD)) {
		c->timer = TT_FINWAIT2;
		c->deadline = net_deadline(s, s->cfg->fin_wait2_timeout_ms);
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
	uint8_t i;

	for (i = 0; i < NET_TCP_CONNS; i++) {
		struct tcp_pcb *c = &s->tcp[i];

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
	uint32_t r = s->ms - c->rtt_start, rto;

	/* Only while a segment is timed (TF_RTT) and once the ACK covers it:
	 * the test both callers made, kept here once. */
	if (!(c->flags & TF_RTT) || seq_lt(ack, c->rtt_seq))
		return;

	if (r == 0)
		r = 1; /* clock granularity G */
	if (c->srtt == 0) {
		c->srtt = r;
		c->rttvar = r >> 1;
	} else {
		uint32_t d = c->srtt > r ? c->srtt - r : r - c->srtt;

		c->rttvar = (3u * c->rttvar + d) >> 2;
		c->srtt = (7u * c->srtt + r) >> 3;
	}
	rto = c->srtt + 4u * c->rttvar;
	if (rto < s->cfg->rto_min_ms)
		rto = s->cfg->rto_min_ms;
	if (rto > s->cfg->rto_max_ms)
		rto = s->cfg->rto_max_ms;
	c->rto = rto;
	c->flags &= (uint8_t)~TF_RTT;
}

/* The retransmission timer fired (RFC 6298 §5.4-5.6): back off, collapse
 * cwnd (RFC 5681 §3.1), go back to SND.UNA and send one segment. With a
 * zero window the same path sends a one-byte probe. */
static void rtx_expired(struct net_stack *s, struct tcp_pcb *c)
{
	bool syn = c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED;
	bool probe = !syn && c->snd_wnd == 0;
	uint32_t inflight = c->snd_max - c->snd_una;

	uint8_t limit = !syn                       ? s->cfg->max_retries
			: (c->flags & TF_PASSIVE) ? s->cfg->synack_retries
						  : s->cfg->syn_retries;

	if (c->snd_una == c->snd_max && !(probe && c->buf_len)) {
		c->timer = TT_NONE; /* everything acknowledged meanwhile */
		return;
	}
	if (++c->retries > limit) {
		NET_INC(s, TCP_TIMEOUTS);
		if (syn && (c->flags & TF_PASSIVE)) {
			tcp_pcb_free(s, c); /* the application never saw it */
			return;
		}
		if (!syn)
			tcp_send_rst_pcb(s, c);
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
	c->rto <<= 1;
	if (c->rto > s->cfg->rto_max_ms)
		c->rto = s->cfg->rto_max_ms;
	if (!probe) {
		uint16_t half = (uint16_t)(inflight / 2u);

		c->ssthresh = half > 2u * c->mss ? half : (uint16_t)(2u * c->mss);
		if (c->cwnd)
			c->cwnd = c->mss; /* 0 stays: SYN unacknowledged (tcp.h) */
		NET_INC(s, TCP_RETRANSMITS);
	}
	tcp_arm_rtx(s, c);
	tcp_resend(s, c, probe);
}


uint32_t tcp_timers(struct net_stack *s)
{
	uint32_t next = NET_MS_NEVER, left;
	uint8_t i;

	for (i = 0; i < NET_TCP_CONNS; i++) {
		struct tcp_pcb *c = &s->tcp[i];

		if (c->state == TCP_CLOSED || c->timer == TT_NONE)
			continue;
		if (ms_due(s->ms, c->deadline)) {
			if (c->timer == TT_TIMEWAIT) {
				tcp_pcb_free(s, c); /* 2*MSL over: TIME-WAIT -> CLOSED */
				continue;
			}
			if (c->timer == TT_FINWAIT2) {
				NET_INC(s, TCP_TIMEOUTS); /* the peer never sent its FIN */
				tcp_finish(s, c, TCP_EV_TIMEOUT);
				continue;
			}
			if (c->timer == TT_SWS) {
				/* RFC 9293 §3.8.6.2.1 (4): the SWS override
				 * timeout: send what the window takes. */
				c->timer = TT_NONE;
				tcp_output_override(s, c);
			} else {
#if NET_TCP_DELACK
				if (c->timer == TT_DELACK) {
					/* No second segment came: the ACK goes now (MUST-40). */
					c->timer = TT_NONE;
					NET_INC(s, TCP_DELACK_TIMEOUTS);
					tcp_send_ack(s, c);
					continue;
				}
#endif
				rtx_expired(s, c);
			}
			if (c->state == TCP_CLOSED || c->timer == TT_NONE)
				continue;
		}
		left = ms_left(s->ms, c->deadline);
		if (left < next)
			next = left;
	}
	return next;
}

/* ARP answered for next_hop: rebuild and send what was dropped while it was
 * unresolved, from connection state (arp.c explains why TCP holds nothing). */
void tcp_arp_resolved(struct net_stack *s, uint32_t next_hop)
{
	uint8_t i;

	for (i = 0; i < NET_TCP_CONNS; i++) {
		struct tcp_pcb *c = &s->tcp[i];

		if (c->state != TCP_CLOSED && (c->flags & TF_ARP_WAIT) && ip_next_hop(s, c->rip) == next_hop)
			tcp_resend(s, c, false);
	}
}
