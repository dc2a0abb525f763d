/*
 * tcp_in.c - TCP input: RFC 9293 §3.10.7 "SEGMENT ARRIVES", with the
 * RFC 5961 hardening (run-time profile) and the reset rules of §3.5.2-3.
 *
 * Call chain: net_poll() -> eth_input() -> ip_input() -> tcp_input().
 * tcp_input() drops what is not for a connection (MUST-57 broadcast,
 * malformed header or options, checksum), finds the connection block, or
 * the listener, or answers as CLOSED; segment_arrives() then walks the
 * RFC's steps. Every discarded segment leaves through the one drop exit of
 * tcp_input() with a named counter (STYLE 11); NET_STAT_COUNT stands for
 * "accepted".
 *
 * The payload is never copied into the stack: on TCP_EV_DATA the
 * application reads it from the received frame with tcp_recv(), and only
 * what it reads is acknowledged. There is no reassembly queue: a segment
 * beyond RCV.NXT is dropped and a duplicate ACK sent.
 */
#include "net_internal.h"
#include "wire/ipv4.h"

#define ACCEPT NET_STAT_COUNT

/* SND.UNA < SEG.ACK =< SND.MAX: the ACK of something sent and not yet
 * acknowledged, the SYN-SENT and SYN-RECEIVED test. One out-of-line copy
 * of the two 32-bit comparisons (AVR flash): seq_in_range_open_closed on
 * offsets from SND.UNA, d = SEG.ACK - SND.UNA > 0 and d - (SND.MAX -
 * SND.UNA) = SEG.ACK - SND.MAX =< 0 (the same modulo 2^32), one
 * subtraction shared. */
static NET_NOINLINE bool ack_in_flight(const struct tcp_pcb *c, const struct tcp_repr *seg)
{
	uint32_t una = c->snd_una;
	uint32_t d = seg->ack - una; /* SEG.ACK - SND.UNA */

	return seq_diff(d, 0) > 0 && seq_diff(d, c->snd_max - una) <= 0;
}

/* RFC 9293 §3.10.7.4 first check, the four cases of the acceptability
 * table. A zero window accepts only SEG.SEQ = RCV.NXT; a segment with data
 * there is let through so its ACK (and RST) is still processed (§3.10.7.4:
 * "special allowance ... valid ACKs, URGs, and RSTs", MUST-66); its data is
 * then trimmed to the zero window. */
static NET_NOINLINE bool acceptable(const struct tcp_pcb *c, uint32_t seq, uint32_t len)
{
	/* Both ends of the segment as offsets from RCV.NXT, modulo 2^32:
	 * seq_in_window's test with the subtraction done once. */
	uint32_t d = seq - c->rcv_nxt;
	uint16_t wnd = c->rcv_wnd;

	if (wnd == 0)
		return d == 0;
	if (d < wnd)
		return true; /* the first octet is in the window */
	return len != 0 && (uint32_t)(d + len - 1u) < wnd; /* the last one is */
}

/* Tells the application ev (tcp_event); false if it freed the block from
 * its callback (s->rx_pcb is cleared then). One copy of the check. */
static NET_NOINLINE bool notify(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n)
{
	tcp_event(s, c, ev, n);
	return s->rx_pcb == c;
}

/* The peer's SYN, in LISTEN or SYN-SENT: RCV.NXT <- IRS + 1, the send
 * window from the segment (establish() sets it again when the SYN also
 * acknowledges ours), and the send MSS: the peer's option (536 without
 * one, RFC 9293 MUST-15), bounded by our segment size and our send ring.
 * Text or FIN on the SYN is dropped and counted (listen_input and syn_sent
 * say why). */
static void peer_syn(struct net_stack *s, struct tcp_pcb *c, const struct tcp_repr *seg, uint16_t plen)
{
	uint16_t m = (seg->opt.present & TCP_OPTF_MSS) && seg->opt.mss ? seg->opt.mss : 536u;

	c->rcv_nxt = seg->seq + 1; /* IRS + 1 */
	c->snd_wnd = seg->window;
	if (m > NET_TCP_MSS)
		m = NET_TCP_MSS;
	if (m > s->snd_buf && s->snd_buf)
		m = s->snd_buf;
	c->mss = m;
	if (plen || (seg->flags & TCP_FIN))
		NET_INC(s, TCP_SYN_DATA_IGNORED);
}

/* Entering ESTABLISHED, our SYN acknowledged: no retries pending, send
 * window from the segment (RFC 9293 §3.10.7.3 and .4 "SND.WND <- SEG.WND,
 * SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK") and the initial congestion
 * window (RFC 5681 §3.1). */
static NET_NOINLINE void establish(struct tcp_pcb *c, const struct tcp_repr *seg)
{
	uint32_t iw = 4u * c->mss;

	if (iw > 4380u)
		iw = 2u * c->mss > 4380u ? 2u * c->mss : 4380u;
	c->state = TCP_ESTABLISHED;
	c->retries = 0;
	c->snd_wnd = c->max_snd_wnd = seg->window;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	c->rcv_up = c->rcv_nxt; /* no urgent data pending */
#if NET_TCP_FAST_RTX
	c->recover = c->snd_una; /* RFC 6582: recover starts at the ISS (ours: one past it) */
#endif
	c->cwnd = iw > 0xFFFFu ? 0xFFFFu : (uint16_t)iw;
}

/* (Re)starts the 2*MSL wait of TIME-WAIT: on entry, and on each
 * retransmitted FIN (RFC 9293 §3.10.7.4 eighth, TIME-WAIT: "Restart the
 * 2 MSL time-wait timeout"). */
static NET_NOINLINE void tw_restart(struct net_stack *s, struct tcp_pcb *c)
{
	c->deadline = net_deadline(s, s->cfg->time_wait_ms);
}

/* 2*MSL wait (MUST-13). The application is told CLOSED now and detached:
 * the block lingers only to answer a retransmitted FIN. `ack` is true when
 * the peer's FIN brought us here (FIN-WAIT-1/2, §3.10.7.4 eighth check): it
 * must be acknowledged. From CLOSING a pure ACK of our FIN brings us here
 * and gets no answer (fifth check: "enter TIME-WAIT, otherwise ignore"). */
static void enter_time_wait(struct net_stack *s, struct tcp_pcb *c, bool ack)
{
	tcp_event_fn cb = c->cb;
	void *ctx = c->ctx;

	c->state = TCP_TIME_WAIT;
	c->timer = TT_TIMEWAIT;
	tw_restart(s, c);
	c->cb = NULL;
	if (ack)
		tcp_send_ack(s, c);
	if (cb)
		cb(s, c, TCP_EV_CLOSED, 0, ctx);
}

/* LISTEN (RFC 9293 §3.10.7.2): waits for a SYN. A RST is ignored, any ACK
 * is unacceptable and answered <SEQ=SEG.ACK><CTL=RST>, a SYN creates a block
 * in SYN-RECEIVED that remembers it came from LISTEN (MUST-11) and sends
 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> - acknowledging SEG.SEQ+1, the seed's
 * bug being an ACK field of 0.
 * Decision: text (and a FIN) on the SYN is not "queued for processing
 * later" as the third check suggests (a lower-case should, no SHLD
 * number). The stack has no receive buffer - the application reads from
 * the frame - and no application is attached before the handshake ends.
 * Not acknowledged, nothing is lost: the peer sends it again, and Linux
 * without TCP Fast Open does the same (tcp.syn_data_ignored counts it). */
static enum net_stat_id listen_input(struct net_stack *s, const struct tcp_listener *l, const struct net_rx *rx,
				     const struct tcp_repr *seg, uint16_t plen)
{
	struct tcp_pcb *c;

	if (seg->flags & TCP_RST)
		return NET_STAT_TCP_LISTEN_RST;
	if (seg->flags & TCP_ACK) {
		tcp_send_rst_reply(s, rx, seg, plen);
		return NET_STAT_TCP_LISTEN_ACK;
	}
	if (!(seg->flags & TCP_SYN))
		return NET_STAT_TCP_LISTEN_NOSYN;
	c = tcp_pcb_alloc(s);
	if (!c)
		return NET_STAT_TCP_LISTEN_FULL; /* no RST: the peer's SYN retry may find room */
	tcp_pcb_init(s, c, rx->src, seg->dst_port, seg->src_port, l->cb, l->ctx);
	c->flags = TF_PASSIVE;
	c->state = TCP_SYN_RECEIVED;
	peer_syn(s, c, seg, plen);
	tcp_output(s, c);
	return ACCEPT;
}

/* SYN-SENT (RFC 9293 §3.10.7.3). First the ACK: acceptable only if
 * ISS < SEG.ACK =< SND.NXT, otherwise <SEQ=SEG.ACK><CTL=RST> (unless it is
 * itself a RST) - the rule that made Linux answer the seed's SYN-ACK (ack 0)
 * with RST seq 0. Then a RST counts only with an acceptable ACK (RFC 5961
 * §3.2 for SYN-SENT) and means "refused". Then the SYN: with our SYN acked
 * we are ESTABLISHED; a bare SYN is a simultaneous open (MUST-10).
 * Decision: the fourth check's "If there are other controls or text in
 * the segment, then continue processing at the sixth step" is not
 * followed. Text, FIN and URG on a SYN-ACK are dropped unacknowledged
 * (tcp.syn_data_ignored): the peer must send them again, so nothing is
 * lost, and Linux (tcp_rcv_synsent_state_process) does the same. Taking
 * them would make the text path skip the SYN's sequence number, flash the
 * AVR image would spend on a segment peers seldom send. */
static enum net_stat_id syn_sent(struct net_stack *s, struct tcp_pcb *c, const struct net_rx *rx,
				 const struct tcp_repr *seg, uint16_t plen)
{
	bool ack_ok = false;

	if (seg->flags & TCP_ACK) {
		if (!ack_in_flight(c, seg)) {
			tcp_send_rst_reply(s, rx, seg, plen);
			return NET_STAT_TCP_SYNSENT_BAD_ACK;
		}
		ack_ok = true;
	}
	if (seg->flags & TCP_RST) {
		if (!ack_ok)
			return NET_STAT_TCP_SYNSENT_RST_IGNORED;
		NET_INC(s, TCP_RST_ACCEPTED);
		tcp_finish(s, c, TCP_EV_REFUSED);
		return ACCEPT;
	}
	if (!(seg->flags & TCP_SYN))
		return NET_STAT_TCP_SYNSENT_NOSYN;
	peer_syn(s, c, seg, plen);
	if (ack_ok) {
		c->snd_una = seg->ack;
		tcp_rtt_sample(s, c, seg->ack);
		c->timer = TT_NONE;
		establish(c, seg);
		c->flags |= TF_ACK_NOW;
		if (notify(s, c, TCP_EV_CONNECTED, 0))
			tcp_output(s, c); /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, maybe with data */
		return ACCEPT;
	}
	/* Simultaneous open: SYN-RECEIVED, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. */
	c->state = TCP_SYN_RECEIVED;
	c->snd_nxt = c->snd_una;
	c->flags &= (uint8_t)~TF_RTT;
	tcp_output(s, c);
	return ACCEPT;
}

/* RST in SYN-RECEIVED or a synchronized state (RFC 9293 §3.10.7.4 second
 * check, RFC 5961 §3.2). Only SEG.SEQ is looked at, so it works with a zero
 * window (MUST-66) and with data on the RST (SHLD-2). passive_synrcvd:
 * SYN-RECEIVED entered from LISTEN (segment_arrives computed it). */
static enum net_stat_id rst_arrives(struct net_stack *s, struct tcp_pcb *c, const struct tcp_repr *seg,
				    bool passive_synrcvd)
{
	/* SEG.SEQ - RCV.NXT: 0 is the exact match, below RCV.WND in the
	 * window (seq_in_window with the subtraction done once). */
	uint32_t d = seg->seq - c->rcv_nxt;

	if (c->state == TCP_TIME_WAIT && (s->profile & NET_PROFILE_RFC1337))
		return NET_STAT_TCP_TW_RST_IGNORED; /* RFC 1337 F1: TIME-WAIT assassination */
	if (d != 0 && d >= c->rcv_wnd)
		return NET_STAT_TCP_RST_OUT_OF_WINDOW;
	if (d != 0 && (s->profile & NET_PROFILE_RFC5961)) {
		tcp_challenge_ack(s, c);
		return NET_STAT_TCP_RST_IN_WINDOW;
	}
	NET_INC(s, TCP_RST_ACCEPTED);
	if (passive_synrcvd) {
		/* MUST-11: back to LISTEN. The listener never left; the
		 * half-open block goes, and the application never saw it. */
		NET_INC(s, TCP_RETURN_LISTEN);
		tcp_pcb_free(s, c);
	} else {
		tcp_finish(s, c, c->state == TCP_SYN_RECEIVED ? TCP_EV_REFUSED : TCP_EV_RESET);
	}
	return ACCEPT;
}

/* Fifth check for the synchronized states: RFC 5961 §5.2 ACK window
 * (MAY-12) or RFC 793's "ACK of something not yet sent", then SND.UNA and
 * the send window (RFC 9293 §3.10.7.4 fifth, ESTABLISHED). Returns the data
 * bytes newly acknowledged through *sent (left as it is, the caller's 0,
 * when there are none). */
static NET_NOINLINE enum net_stat_id ack_arrives(struct net_stack *s, struct tcp_pcb *c, const struct tcp_repr *seg,
				    uint16_t *sent)
{
	bool rfc5961 = s->profile & NET_PROFILE_RFC5961;
	uint32_t ack = seg->ack; /* SEG.ACK, loaded once */
	int32_t wl1;

	if (seq_gt(ack, c->snd_max) ||
	    (rfc5961 && seq_lt(ack, c->snd_una - c->max_snd_wnd))) {
		if (rfc5961)
			tcp_challenge_ack(s, c);
		else
			tcp_send_ack(s, c);
		return NET_STAT_TCP_ACK_UNACCEPTABLE;
	}
	if (seq_gt(ack, c->snd_una)) {
		/* 0 < acked < 2^31 here, so SEG.ACK > SND.UNA + buf_len
		 * (seq_gt) is acked > buf_len: the ACK covers our FIN. */
		uint32_t acked = ack - c->snd_una;
		uint16_t data = (uint16_t)acked;
		uint32_t grow;

		if ((c->flags & TF_FIN_QUEUED) && acked > c->buf_len) {
			data--;
			c->flags |= TF_FIN_ACKED;
		}
		c->buf_head = (uint16_t)(c->buf_head + data);
		if (c->buf_head >= s->snd_buf)
			c->buf_head = (uint16_t)(c->buf_head - s->snd_buf);
		c->buf_len = (uint16_t)(c->buf_len - data);
		c->snd_una = ack;
		if (seq_lt(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		tcp_rtt_sample(s, c, ack);
		c->retries = 0;
		/* RFC 5681 §3.1: slow start below ssthresh, else ~1 MSS per RTT. */
		grow = c->cwnd < c->ssthresh ? (data < c->mss ? data : c->mss)
					     : ((uint32_t)c->mss * c->mss / (c->cwnd ? c->cwnd : 1u));
		grow += c->cwnd;
		c->cwnd = grow > 0xFFFFu ? 0xFFFFu : (uint16_t)(grow ? grow : 1u);
		if (c->snd_una == c->snd_max)
			c->timer = TT_NONE; /* RFC 6298 §5.2 */
		else
			tcp_arm_rtx(s, c); /* §5.3 */
		*sent = data;
	}
	/* "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be
	 * updated" (the upper bound was checked above; SND.UNA is already
	 * SEG.ACK if it moved, and SEG.ACK =< SND.UNA if it did not, so
	 * SND.UNA =< SEG.ACK is SEG.ACK = SND.UNA). The WL1/WL2 test alone
	 * lets through a segment whose SEG.SEQ is newer than SND.WL1 but whose
	 * SEG.ACK is older than SND.UNA (stale or forged): its window, 0,
	 * would stall our sending for an RTO and then leak it out as 1-byte
	 * probes. WL1 < SEG.SEQ or (WL1 = SEG.SEQ and WL2 =< SEG.ACK). */
	wl1 = seq_diff(c->snd_wl1, seg->seq);
	if (ack == c->snd_una && (wl1 < 0 || (wl1 == 0 && seq_le(c->snd_wl2, ack)))) {
		c->snd_wnd = seg->window;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = ack;
		if (seg->window > c->max_snd_wnd)
			c->max_snd_wnd = seg->window;
		if (seg->window == 0)
			c->retries = 0; /* the peer answers our probes: keep probing */
	}
	return ACCEPT;
}

/* Sixth step, URG (RFC 9293 §3.10.7.4, in ESTABLISHED and the FIN-WAITs;
 * after the peer's FIN it is ignored): RCV.UP <- max(RCV.UP, SEG.UP), and
 * the application is told, TCP_EV_URGENT with the urgent bytes ahead,
 * when the pointer is ahead of what it has read and either no urgent data
 * was pending or the pointer advanced (MUST-32) - not again for the same
 * pointer (a retransmission). The urgent bytes stay in-line: the seventh
 * step delivers them as any text. Returns false if the application freed
 * the block from its callback. */
static bool urgent_arrives(struct net_stack *s, struct tcp_pcb *c, const struct tcp_repr *seg)
{
	uint32_t up = seg->seq + seg->urg;
	uint32_t ahead = up - c->rcv_nxt - 1u;          /* bytes ahead, minus 1 */
	uint32_t pending = c->rcv_up - c->rcv_nxt - 1u; /* as tcp_urgent_left() */

	if (ahead >= TCP_URG_AHEAD - 1u)
		return true; /* at or behind RCV.NXT: read already */
	if (pending < TCP_URG_AHEAD - 1u && ahead <= pending)
		return true; /* signalled already */
	c->rcv_up = up;
	ahead++;
	return notify(s, c, TCP_EV_URGENT, (uint16_t)(ahead > 0xFFFFu ? 0xFFFFu : ahead));
}

#if NET_TCP_DELACK
/* Delayed ACK. RFC 9293 §3.8.6.3: "A TCP SHOULD implement a delayed ACK
 * (SHLD-18), but an ACK should not be excessively delayed; in particular,
 * the delay MUST be less than 0.5 seconds (MUST-40). An ACK SHOULD be
 * generated for at least every second full-sized segment or 2*RMSS bytes
 * of new data ... (SHLD-19)." (RFC 1122 §4.2.3.2 says the same.) The ACK
 * an in-order data segment earned in ESTABLISHED waits in the connection's
 * timer slot (TT_DELACK) for cfg->delack_ms; the next data segment finds
 * it waiting and is acknowledged at once, with the first: an ACK for every
 * second segment whatever its size, which is at least as often as SHLD-19
 * asks. Any segment we send carries the ACK and ends the wait (tcp_out.c
 * xmit); so does a timer that needs the slot (tcp_arm_rtx). Only when the
 * slot is free: with our own data in flight (TT_RTX) the ACK goes now.
 * Out-of-order segments, duplicates, FINs and window updates are never
 * delayed (RFC 5681 §4.2: out-of-order data "SHOULD be acknowledged
 * immediately"). */
static void delay_ack(struct net_stack *s, struct tcp_pcb *c)
{
	uint16_t ms = s->cfg->delack_ms;

	if (ms == 0 || c->state != TCP_ESTABLISHED || !(c->flags & TF_ACK_NOW))
		return;
	if (c->timer != TT_NONE)
		return; /* TT_DELACK: the second segment (SHLD-19); else the slot is busy: ACK now */
	c->timer = TT_DELACK;
	c->deadline = net_deadline(s, ms < 500u ? ms : 499u); /* MUST-40 */
	c->flags &= (uint8_t)~TF_ACK_NOW;
	NET_INC(s, TCP_DELACKED);
}
#endif

/* Seventh step, segment text: hand the in-order part to the application
 * (ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2). Returns false if the application
 * freed the block from its callback. */
static bool text_arrives(struct net_stack *s, struct tcp_pcb *c, const struct net_rx *rx,
			 const struct tcp_repr *seg, uint16_t plen)
{
	uint32_t skip = c->rcv_nxt - seg->seq;
	uint16_t avail;

	c->flags |= TF_ACK_NOW;
	if (skip >= plen)
		return true; /* all old (or a zero-window probe trimmed away) */
	avail = (uint16_t)(plen - skip);
	if (avail > c->rcv_wnd) {
		NET_INC(s, TCP_UNREAD); /* beyond the window: not accepted */
		avail = c->rcv_wnd;
	}
	if (avail == 0)
		return true;
	s->rx_off = (uint16_t)(rx->l4_off + seg->hdr_len + skip);
	s->rx_left = avail;
	if (!notify(s, c, TCP_EV_DATA, avail))
		return false;
	if (s->rx_left)
		NET_INC(s, TCP_UNREAD); /* not read, not acknowledged: comes again */
#if NET_TCP_DELACK
	else if (skip == 0 && !(seg->flags & TCP_FIN))
		delay_ack(s, c); /* all of it new and read */
#endif
	s->rx_left = 0;
	return true;
}

/* Eighth step, FIN (RFC 9293 §3.10.7.4 eighth), once everything before it
 * has been taken; the caller has set TF_ACK_NOW. Returns false if the
 * block is gone. */
static bool fin_arrives(struct net_stack *s, struct tcp_pcb *c)
{
	c->rcv_nxt++; /* TF_ACK_NOW is set already */
	switch ((enum tcp_state)c->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		c->state = TCP_CLOSE_WAIT;
		return notify(s, c, TCP_EV_PEER_CLOSED, 0);
	case TCP_FIN_WAIT_1:
		if (c->flags & TF_FIN_ACKED) {
			enter_time_wait(s, c, true);
			return false;
		}
		c->state = TCP_CLOSING;
		return notify(s, c, TCP_EV_PEER_CLOSED, 0);
	case TCP_FIN_WAIT_2:
		enter_time_wait(s, c, true);
		return false;
	case TCP_TIME_WAIT:
		tw_restart(s, c);
		break;
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
	case TCP_CLOSED:
	case TCP_LISTEN:
	case TCP_SYN_SENT:
		break;
	}
	return true; /* no callback ran */
}

#if NET_TCP_FAST_RTX
/* How many duplicate ACKs mean a loss. RFC 5681 §3.2: "The fast
 * retransmit algorithm uses the arrival of 3 duplicate ACKs ... as an
 * indication that a segment has been lost." With fewer than four segments
 * outstanding three never come, so RFC 5827 (early retransmit) §3.1
 * lowers it: "If the connection has fewer than four outstanding segments
 * (oseg < 4) and ... no new segments can be sent ..., the threshold ... is
 * oseg - 1". 0: never (one segment out). 16-bit arithmetic: the flight
 * never exceeds the send ring (AVR: 32-bit costs flash). */
static uint8_t dupthresh(const struct tcp_pcb *c, uint16_t out)
{
	uint16_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
	uint16_t m = c->mss;

	if (out > 3u * m || (c->buf_len > out && out < wnd))
		return 3u;
	return (uint8_t)(out > 2u * m ? 2u : out > m ? 1u : 0u);
}

/* Fast retransmit and fast recovery, after the fifth check took a segment
 * (segment_arrives, below). RFC 5681 §2 defines the duplicate ACK: "(a)
 * the receiver of the ACK has outstanding data, (b) the incoming
 * acknowledgment carries no data, (c) the SYN and FIN bits are both off,
 * (d) the acknowledgment number is equal to the greatest acknowledgment
 * received on the given connection (TCP.UNA from [RFC793]) and (e) the
 * advertised window in the incoming acknowledgment equals the advertised
 * window in the last incoming acknowledgment." §3.2: "The TCP sender
 * SHOULD use the "fast retransmit" algorithm to detect and repair loss":
 * on the threshold's duplicate ACK, ssthresh = max(FlightSize / 2,
 * 2*SMSS) (equation (4)) and the lost segment is sent again at once.
 * Decision, the repair: go back to SND.UNA and resend what cwnd = ssthresh
 * allows, as the timer does but without waiting for it and without
 * collapsing cwnd to one segment. A receiver that keeps no out-of-order
 * segments - ours, and many small stacks - has dropped every segment after
 * the lost one, and RFC 5681's single retransmission with cwnd inflated by
 * the duplicates would spend one round trip per dropped segment, each new
 * segment it lets out landing behind the hole and dropped again (measured:
 * bench_tcp at 1% loss). A receiver that kept them acknowledges the lot
 * after the first and the rest is not resent. Recovery lasts until SND.UNA
 * reaches "recover" (SND.MAX when it began, RFC 6582 §3.2): the duplicates
 * the dropped segments still draw meanwhile, and those our resending
 * draws, start nothing (RFC 6582 step 2: only an ACK that "covers more
 * than recover"). */
static void ack_recovery(struct net_stack *s, struct tcp_pcb *c, const struct tcp_repr *seg, uint16_t plen,
			 uint32_t una0, uint16_t wnd0)
{
	uint16_t flight;
	uint8_t th;

	if (!s->cfg->fast_rtx || c->cwnd == 0) {
		c->dupacks = 0;
		return;
	}
	if (c->snd_una != una0) {
		/* New data acknowledged (the fifth check only moves SND.UNA
		 * forward): the count starts again; recovery ends with the ACK
		 * of everything sent before it (RFC 6582 step 6: cwnd =
		 * ssthresh, which it already is unless the ACKs since grew it). */
		if (!(c->dupacks & TCP_DUPACK_RECOVERY) || !seq_lt(c->snd_una, c->recover))
			c->dupacks = 0;
		return;
	}
	flight = (uint16_t)(c->snd_max - c->snd_una);
	if (flight == 0 || plen != 0 || (seg->flags & (TCP_SYN | TCP_FIN)) || seg->ack != c->snd_una ||
	    seg->window != wnd0 || (c->dupacks & TCP_DUPACK_RECOVERY))
		return; /* not a duplicate, or one of the window being repaired */
	if (c->dupacks < 0x7Fu)
		c->dupacks++;
	th = dupthresh(c, flight);
	if (th == 0 || c->dupacks != th || seq_lt(c->snd_una, c->recover))
		return;
	flight /= 2u;
	c->ssthresh = c->cwnd = flight > 2u * c->mss ? flight : (uint16_t)(2u * c->mss);
	c->recover = c->snd_max;
	c->dupacks = TCP_DUPACK_RECOVERY;
	NET_INC(s, TCP_FAST_RETRANSMITS);
	tcp_resend(s, c, false);
}
#endif

/* SEGMENT ARRIVES for a block in SYN-RECEIVED or a synchronized state. */
static enum net_stat_id segment_arrives(struct net_stack *s, struct tcp_pcb *c, const struct net_rx *rx,
					const struct tcp_repr *seg, uint16_t plen)
{
	bool rfc5961 = s->profile & NET_PROFILE_RFC5961;
	bool passive_synrcvd = c->state == TCP_SYN_RECEIVED && (c->flags & TF_PASSIVE);
	enum net_stat_id why;
	uint16_t sent = 0;
#if NET_TCP_FAST_RTX
	uint32_t una0;
	uint16_t wnd0;
#endif

	if (seg->flags & TCP_RST)
		return rst_arrives(s, c, seg, passive_synrcvd);
	/* RFC 5961 §4.2: a SYN in a synchronized state gets a challenge ACK
	 * whatever its sequence number. (SYN-RECEIVED goes through the
	 * sequence check first: a simultaneous open's SYN-ACK lands there.) */
	if ((seg->flags & TCP_SYN) && rfc5961 && c->state != TCP_SYN_RECEIVED) {
		tcp_challenge_ack(s, c);
		return NET_STAT_TCP_SYN_IN_SYNC;
	}
	if (!acceptable(c, seg->seq, tcp_seg_len(seg->flags, plen))) {
		if (passive_synrcvd && (seg->flags & TCP_SYN) && !(seg->flags & TCP_ACK) &&
		    seg->seq == c->rcv_nxt - 1) {
			/* The peer repeats its SYN: our SYN-ACK was lost. Send it
			 * again rather than a bare ACK (cf. picoTCP #148). */
			tcp_resend(s, c, false);
		} else {
			if (c->state == TCP_TIME_WAIT && (seg->flags & TCP_FIN))
				tw_restart(s, c); /* retransmitted FIN */
			tcp_send_ack(s, c);
		}
		return NET_STAT_TCP_SEQ_REJECT;
	}
	if (seg->flags & TCP_SYN) {
		if (passive_synrcvd) {
			/* §3.10.7.4 fourth: passive SYN-RECEIVED returns to LISTEN. */
			NET_INC(s, TCP_RETURN_LISTEN);
			tcp_pcb_free(s, c);
			return NET_STAT_TCP_SYNRCVD_SYN;
		}
		if (rfc5961) {
			tcp_challenge_ack(s, c); /* active SYN-RECEIVED: as synchronized */
			return NET_STAT_TCP_SYN_IN_SYNC;
		}
		/* RFC 793 profile: an in-window SYN is an error: reset. */
		tcp_send_rst_reply(s, rx, seg, plen);
		tcp_finish(s, c, c->state == TCP_SYN_RECEIVED ? TCP_EV_REFUSED : TCP_EV_RESET);
		return NET_STAT_TCP_SYN_IN_SYNC;
	}
	if (!(seg->flags & TCP_ACK))
		return NET_STAT_TCP_NO_ACK;

	/* Fifth check, the ACK field: what each state waits for. */
	if (c->cwnd == 0) {
		/* Our SYN is unacknowledged (tcp.h): SYN-RECEIVED, or FIN-WAIT-1
		 * after a CLOSE there. SND.UNA < SEG.ACK =< SND.MAX takes the SYN
		 * (and maybe our FIN, below), any other ACK earns
		 * <SEQ=SEG.ACK><CTL=RST> and the state stays (§3.10.7.4 fifth;
		 * §3.5.2 group 2). */
		uint8_t st = c->state;

		if (!ack_in_flight(c, seg)) {
			tcp_send_rst_reply(s, rx, seg, plen);
			return NET_STAT_TCP_SYNRCVD_BAD_ACK;
		}
		c->snd_una++;
		establish(c, seg);
		if (st == TCP_SYN_RECEIVED) {
			c->timer = TT_NONE;
			if (!notify(s, c, TCP_EV_CONNECTED, 0))
				return ACCEPT;
		} else {
			c->state = st;
		}
	}
#if NET_TCP_FAST_RTX
	una0 = c->snd_una;
	wnd0 = c->snd_wnd;
#endif
	/* Every state from ESTABLISHED to LAST-ACK takes the ACK the same way
	 * (ack_arrives: SND.UNA and the send window; it leaves the state as it
	 * is), then the ACK of our FIN moves FIN-WAIT-1, CLOSING and LAST-ACK
	 * on. One call for all of them, not one per state (AVR flash). */
	switch ((enum tcp_state)c->state) {
	case TCP_TIME_WAIT:
		/* Waits out 2*MSL; only a retransmitted FIN is expected (handled
		 * as unacceptable above, or below if it is the next in order). */
		break;
	case TCP_SYN_RECEIVED: /* not reached: established above */
	case TCP_CLOSED:
	case TCP_LISTEN:
	case TCP_SYN_SENT:
		return NET_STAT_TCP_NO_CONN; /* not reached: dispatched earlier */
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		why = ack_arrives(s, c, seg, &sent);
		if (why != ACCEPT)
			return why;
		if (!(c->flags & TF_FIN_ACKED))
			break;
		if (c->state == TCP_FIN_WAIT_1) {
			/* Our FIN is queued or sent; its ACK moves us to
			 * FIN-WAIT-2, where we still accept the peer's data. */
			c->state = TCP_FIN_WAIT_2;
			tcp_arm_finwait2(s, c);
		} else if (c->state == TCP_CLOSING) {
			/* Both FINs sent, the peer's received: the ACK of ours
			 * leads to TIME-WAIT. */
			enter_time_wait(s, c, false);
			return ACCEPT;
		} else if (c->state == TCP_LAST_ACK) {
			/* The peer closed first and so did we: the ACK of our FIN
			 * ends the connection normally (MUST-12: CLOSED, not
			 * RESET). */
			tcp_finish(s, c, TCP_EV_CLOSED);
			return ACCEPT;
		}
		break;
	}
#if NET_TCP_FAST_RTX
	ack_recovery(s, c, seg, plen, una0, wnd0); /* duplicate ACKs; TIME-WAIT has nothing out */
#endif
	if (sent) {
		/* Full segments already in the send ring go out before the
		 * application hears of the freed space: it may spend a while
		 * writing more (SPI), and that then overlaps the wire and the
		 * peer. Only on a pure ACK, so what goes out carries the same
		 * ACK field, and only full segments (tcp_output_full), so the
		 * segments are cut where tcp_output() would cut them after the
		 * callback. */
		if (plen == 0 && !(seg->flags & TCP_FIN))
			tcp_output_full(s, c);
		if (!notify(s, c, TCP_EV_SENT, sent))
			return ACCEPT;
	}

	/* Sixth: URG, where the peer can still send data (ESTABLISHED,
	 * FIN-WAIT-1, FIN-WAIT-2: the states from here on run ESTABLISHED
	 * to TIME-WAIT in enum order). */
	if ((seg->flags & TCP_URG) && c->state <= TCP_FIN_WAIT_2 && !urgent_arrives(s, c, seg))
		return ACCEPT;
	/* Seventh: segment text, in order only (no reassembly queue). */
	if (plen) {
		if (seq_gt(seg->seq, c->rcv_nxt)) {
			c->flags |= TF_ACK_NOW;
			tcp_output(s, c);
			return NET_STAT_TCP_OOO;
		}
		if (c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2) {
			if (!text_arrives(s, c, rx, seg, plen))
				return ACCEPT;
		} else {
			NET_INC(s, TCP_DATA_IGNORED); /* after the peer's FIN */
		}
	}
	/* Eighth: FIN, once everything before it has been taken; acknowledged
	 * at once either way. */
	if (seg->flags & TCP_FIN) {
		c->flags |= TF_ACK_NOW;
		if (seg->seq + plen == c->rcv_nxt && !fin_arrives(s, c))
			return ACCEPT;
	}
	tcp_output(s, c);
	return ACCEPT;
}

/* A checked, parsed segment to its connection block, its listener, or the
 * CLOSED rules. Out of line: tcp_input()'s frame holds the header scratch
 * and the repr, and the state machine's spills would land past the 63
 * bytes an AVR load reaches. */
static NET_NOINLINE enum net_stat_id dispatch(struct net_stack *s, const struct net_rx *rx,
					       const struct tcp_repr *seg, uint16_t plen)
{
	struct tcp_pcb *c = tcp_pcb_find(s, rx->src, seg->dst_port, seg->src_port);
	struct tcp_listener *l;
	enum net_stat_id why = NET_STAT_TCP_NO_CONN;

	if (!c) {
		l = tcp_listener_find(s, seg->dst_port);
		if (l) {
			why = listen_input(s, l, rx, seg, plen);
		} else if (seg->flags & TCP_RST) {
			why = NET_STAT_TCP_RST_NO_CONN; /* never answer a RST */
		} else {
			/* CLOSED (RFC 9293 §3.10.7.1, §3.5.2 group 1). */
			tcp_send_rst_reply(s, rx, seg, plen);
			why = NET_STAT_TCP_NO_CONN;
		}
		return why;
	}
	s->rx_pcb = c; /* cleared if a callback frees the block */
	s->rx_left = 0;
	switch ((enum tcp_state)c->state) {
	case TCP_SYN_SENT:
		/* Our SYN is out; we wait for a SYN-ACK acknowledging it,
		 * or a SYN (simultaneous open). §3.10.7.3. */
		why = syn_sent(s, c, rx, seg, plen);
		break;
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
	case TCP_TIME_WAIT:
		/* Handshake half done or synchronized: sequence, RST, SYN,
		 * ACK, text, FIN checks in RFC order. §3.10.7.4. */
		why = segment_arrives(s, c, rx, seg, plen);
		break;
	case TCP_CLOSED:
	case TCP_LISTEN:
		why = NET_STAT_TCP_NO_CONN; /* not reached: free blocks and listeners are never found here */
		break;
	}
	s->rx_pcb = NULL;
	s->rx_left = 0;
	return why;
}

void tcp_input(struct net_stack *s, const struct net_rx *rx)
{
	/* One frame object, in this order: the checksum state and the header
	 * scratch, used most, first, within the 63 bytes an AVR frame-pointer
	 * offset reaches in one instruction (the repr is only passed on). */
	struct {
		struct wire_csum cs;
		uint8_t h[NET_SCRATCH];
		struct tcp_repr seg;
	} f;
	uint16_t len = rx->l4_len;                            /* from IPv4 */
	uint16_t opts = (uint16_t)(rx->l4_off + TCP_HDR_MIN); /* options' frame offset */
	enum net_stat_id why;
	uint8_t hl;

	NET_INC(s, TCP_RX);
	if (rx->mcast) {
		why = NET_STAT_TCP_BCAST; /* MUST-57: never answered, never a connection */
		goto drop;
	}
	if (len < TCP_HDR_MIN) {
		why = NET_STAT_TCP_SHORT;
		goto drop;
	}
	net_rx_read(s, rx->l4_off, f.h, TCP_HDR_MIN);
	hl = (uint8_t)((f.h[TCP_OFF_DOFF] >> 4) * 4u);
	if (hl < TCP_HDR_MIN || hl > len) {
		why = NET_STAT_TCP_BAD_OFFSET;
		goto drop;
	}
	/* The fixed header is summed from the bytes just read; only the rest
	 * (options and text) is read or summed by the device again. */
	wire_csum_init(&f.cs);
	ipv4_pseudo_csum(&f.cs, rx->src, rx->dst, IPV4_PROTO_TCP, len);
	wire_csum_add(&f.cs, f.h, TCP_HDR_MIN);
	net_rx_csum(s, &f.cs, opts, (uint16_t)(len - TCP_HDR_MIN));
	if (wire_csum_fold(&f.cs) != 0) {
		why = NET_STAT_TCP_CHECKSUM;
		goto drop;
	}
	if (hl > TCP_HDR_MIN)
		net_rx_read(s, opts, f.h + TCP_HDR_MIN, (uint16_t)(hl - TCP_HDR_MIN));
	if (tcp_parse(f.h, hl, &f.seg) != WIRE_OK) {
		why = NET_STAT_TCP_BAD_OPTION; /* the fixed header was checked above */
		goto drop;
	}
	why = dispatch(s, rx, &f.seg, (uint16_t)(len - hl));
	if (why == ACCEPT)
		return;
drop:
	net_count(s, why);
}
