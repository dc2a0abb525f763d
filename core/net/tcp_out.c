/*
 * tcp_out.c - TCP output: segments built from connection state, the send
 * ring, resets and (challenge) ACKs.
 *
 * Callers: tcp.c (tcp_send, tcp_close, tcp_connect -> tcp_output), tcp_in.c
 * (ACKs, resets, output after an ACK opened the window), tcp_timer.c
 * (tcp_resend on timeout and when ARP resolves).
 *
 * Where unacknowledged data lives: in the send ring of each connection.
 * With a netdev that has device memory (the ENC28J60's spare buffer RAM,
 * netdev mem_*), the ring is there and a segment's payload is appended to
 * the frame by tx_copy_from_mem (the chip's DMA), so the MCU keeps no copy;
 * its checksum is computed by the device (netdev mem_csum, the chip's DMA
 * checksum) when it can, else by reading the ring back through a 32-byte
 * buffer. Without device memory the ring is c->ram (NET_TCP_RAM_SND_BUF).
 * Either way every (re)transmission is rebuilt from the TCB and the ring:
 * nothing is kept per segment, which is also how a TCP frame waiting for ARP
 * is "held" (arp.c; only other protocols use the ARP pending-frame slot).
 *
 * Every segment goes through xmit(): header via the codec (tcp_emit), MSS
 * option on SYNs only (so a retransmitted SYN carries identical options),
 * checksum over pseudo-header + header + payload, then ip_output_begin().
 */
#include <string.h>

#include "net_internal.h"
#include "wire/ipv4.h"

/* Where c's ring starts in device memory: its index in s->tcp times
 * snd_buf, summed up rather than divided out of the pointer difference (a
 * multiply by the inverse of sizeof *c on AVR). */
static NET_NOINLINE uint16_t ring_base(const struct net_stack *s, const struct tcp_pcb *c)
{
	const struct tcp_pcb *p;
	uint16_t base = 0;

	for (p = s->tcp; p != c; p++)
		base = (uint16_t)(base + s->snd_buf);
	return base;
}

/* Ring position of the byte `off` bytes after SND.UNA, and how many bytes
 * follow it before the ring wraps. */
static uint16_t ring_pos(const struct net_stack *s, const struct tcp_pcb *c, uint16_t off, uint16_t *run)
{
	uint16_t pos = (uint16_t)(c->buf_head + off);

	if (pos >= s->snd_buf)
		pos = (uint16_t)(pos - s->snd_buf);
	*run = (uint16_t)(s->snd_buf - pos);
	return pos;
}

/* What ring_walk does with each contiguous run of the ring, and what it
 * does it with: one argument for the two pointers, as a seventh argument
 * would cost every caller register saves on AVR. */
enum ring_op { RING_WRITE, RING_CSUM, RING_EMIT };
union ring_arg {
	const uint8_t *src;   /* RING_WRITE: the bytes to store */
	struct wire_csum *cs; /* RING_CSUM: the sum to add to */
};

/* The `n` ring bytes from `off` after SND.UNA, run by run (at most two:
 * the ring wraps once), written from a.src, summed into a.cs, or appended
 * to the open frame. One walker for the three, not three copies of the walk
 * (AVR flash). */
static NET_NOINLINE void ring_walk(struct net_stack *s, struct tcp_pcb *c, enum ring_op op, uint16_t off, uint16_t n,
				   union ring_arg a)
{
	while (n) {
		uint16_t run, pos = ring_pos(s, c, off, &run);
		uint16_t k = n < run ? n : run;

		if (s->use_devmem) {
			uint16_t at = (uint16_t)(ring_base(s, c) + pos);

			if (op == RING_WRITE) {
				s->dev.ops->mem_write(s->dev.dev, at, a.src, k);
				a.src += k;
			} else if (op == RING_EMIT) {
				s->dev.ops->tx_copy_from_mem(s->dev.dev, at, k);
			} else {
				uint8_t b[32];
#if NET_HW_CSUM
				uint16_t sum;

				if (k >= NET_HW_CSUM_MIN && s->dev.ops->mem_csum &&
				    s->dev.ops->mem_csum(s->dev.dev, at, k, &sum)) {
					net_csum_add_partial(a.cs, sum, k);
					off = (uint16_t)(off + k);
					n = (uint16_t)(n - k);
					continue;
				}
#endif
				if (k > sizeof(b))
					k = sizeof(b);
				s->dev.ops->mem_read(s->dev.dev, at, b, k);
				wire_csum_add(a.cs, b, k);
			}
		}
#if NET_TCP_RAM_SND_BUF
		else if (op == RING_WRITE) {
			memcpy(c->ram + pos, a.src, k);
			a.src += k;
		} else if (op == RING_EMIT) {
			net_tx_write(s, c->ram + pos, k);
		} else {
			wire_csum_add(a.cs, c->ram + pos, k);
		}
#endif
		off = (uint16_t)(off + k);
		n = (uint16_t)(n - k);
	}
}

void tcp_ring_write(struct net_stack *s, struct tcp_pcb *c, uint16_t off, const uint8_t *p, uint16_t n)
{
	ring_walk(s, c, RING_WRITE, off, n, (union ring_arg){.src = p});
}

/* The MSS we advertise: what one segment may hand the application
 * (cfg->rcv_mss, else the whole default window), bounded by the window and
 * the Ethernet MTU (NET_TCP_MSS). Constant per stack, so every SYN and
 * SYN-ACK (and their retransmissions) carry the same option. */
static uint16_t our_mss(const struct net_stack *s)
{
	uint16_t w = tcp_rcv_wnd_default(s);
#if NET_TCP_RCV_MSS
	uint16_t m = s->cfg->rcv_mss;

	if (m == 0 || (w != 0 && m > w))
		m = w;
#else
	uint16_t m = w; /* NET_TCP_RCV_MSS 0 (AVR): rcv_mss is not consulted, flash */
#endif
	return (m != 0 && m < NET_TCP_MSS) ? m : (uint16_t)NET_TCP_MSS;
}

/* Writes a 20-byte (or 24 with MSS) header for the given fields, checksums
 * it with `len` ring bytes from `off` (c may be NULL for len 0) and sends.
 * Returns 0, or nonzero if nothing was sent. */
static int send_segment(struct net_stack *s, struct tcp_pcb *c, uint32_t rip, const uint8_t *dst_mac,
			const struct tcp_repr *r, uint16_t off, uint16_t len)
{
	uint8_t h[TCP_HDR_MIN + 4];
	struct wire_csum cs;
	int hl = tcp_emit(r, h, sizeof(h));

	if (hl < 0)
		return -1;
	wire_csum_init(&cs);
	ipv4_pseudo_csum(&cs, s->cfg->ip, rip, IPV4_PROTO_TCP, (uint16_t)((uint16_t)hl + len));
	wire_csum_add(&cs, h, (size_t)hl);
	ring_walk(s, c, RING_CSUM, off, len, (union ring_arg){.cs = &cs}); /* nothing (and no c) for len 0 */
	wire_put16(h + TCP_OFF_CSUM, wire_csum_fold(&cs));
	if (ip_output_begin(s, rip, dst_mac, IPV4_PROTO_TCP, (uint16_t)((uint16_t)hl + len)) != 0)
		return -1;
	net_tx_write(s, h, (uint16_t)hl);
	ring_walk(s, c, RING_EMIT, off, len, (union ring_arg){.src = NULL});
	ip_output_end(s);
	NET_INC(s, TCP_SEGS_SENT);
	return 0;
}

/* One segment of connection c, at SND.NXT (every segment we send from a
 * TCB starts there: tcp_resend moves SND.NXT back for a retransmission),
 * carrying the `len` ring bytes from there. */
static void xmit(struct net_stack *s, struct tcp_pcb *c, uint8_t flags, uint16_t len)
{
	struct tcp_repr r;

	memset(&r, 0, sizeof(r));
	r.src_port = c->lport;
	r.dst_port = c->rport;
	r.seq = c->snd_nxt;
	if (flags & TCP_ACK)
		r.ack = c->rcv_nxt;
	r.flags = flags;
	if (!(flags & TCP_RST))
		r.window = c->rcv_wnd;
	if (flags & TCP_SYN) {
		r.opt.present = TCP_OPTF_MSS;
		r.opt.mss = our_mss(s);
	}
	if (send_segment(s, c, c->rip, NULL, &r, (uint16_t)(c->snd_nxt - c->snd_una), len) != 0) {
		c->flags |= TF_ARP_WAIT; /* rebuilt from the TCB once ARP resolves */
		return;
	}
	if (flags & TCP_ACK) {
		c->flags &= (uint8_t)~TF_ACK_NOW;
#if NET_TCP_DELACK
		if (c->timer == TT_DELACK)
			c->timer = TT_NONE; /* this segment carries the delayed ACK */
#endif
	}
}

void tcp_send_ack(struct net_stack *s, struct tcp_pcb *c)
{
	xmit(s, c, TCP_ACK, 0);
}

/* RFC 5961 §3.2/§4.2/§5.2 challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>,
 * built from our TCB, never from the offending segment (FreeRTOS+TCP #1235),
 * and limited to cfg->challenge_ack_limit per interval, stack-wide (§7). */
bool tcp_challenge_ack(struct net_stack *s, struct tcp_pcb *c)
{
	if ((uint32_t)(s->ms - s->chack_start) >= s->cfg->challenge_ack_interval_ms) {
		s->chack_start = s->ms;
		s->chack_count = 0;
	}
	if (s->chack_count >= s->cfg->challenge_ack_limit) {
		NET_INC(s, TCP_CHALLENGE_LIMITED);
		return false;
	}
	s->chack_count++;
	NET_INC(s, TCP_CHALLENGE_ACKS);
	tcp_send_ack(s, c);
	return true;
}

void tcp_send_rst_reply(struct net_stack *s, const struct net_rx *rx, const struct tcp_repr *seg,
			uint16_t payload_len)
{
	struct tcp_repr r;

	if ((seg->flags & TCP_RST) || rx->mcast)
		return; /* never answer a RST; never a broadcast (MUST-57) */
	memset(&r, 0, sizeof(r));
	r.src_port = seg->dst_port;
	r.dst_port = seg->src_port;
	if (seg->flags & TCP_ACK) {
		r.seq = seg->ack;
		r.flags = TCP_RST;
	} else {
		r.seq = 0;
		r.ack = seg->seq + tcp_seg_len(seg->flags, payload_len);
		r.flags = TCP_RST | TCP_ACK;
	}
	if (send_segment(s, NULL, rx->src, rx->src_mac, &r, 0, 0) == 0)
		NET_INC(s, TCP_RST_SENT);
}

void tcp_send_rst_pcb(struct net_stack *s, struct tcp_pcb *c)
{
	xmit(s, c, TCP_RST | TCP_ACK, 0);
	NET_INC(s, TCP_RST_SENT);
}

/* RFC 6298 §5.1: "if the timer is not running, start it running so that
 * it will expire after RTO seconds". One copy of the test for output's
 * three places. */
static NET_NOINLINE void arm_rtx_idle(struct net_stack *s, struct tcp_pcb *c)
{
	if (c->timer != TT_RTX)
		tcp_arm_rtx(s, c);
}

/* Sender-side silly window syndrome avoidance (RFC 9293 §3.8.6.2.1,
 * MUST-38: a TCP sender must avoid the SWS; RFC 1122 §4.2.3.4). New data is
 * sent when (1) a full segment fits, min(D, U) >= Eff.snd.MSS, or (2) all
 * queued data fits, D <= U (our data is always pushed; Nagle, SHLD-7, and so
 * the RFC's bracketed SND.NXT = SND.UNA conditions are not implemented:
 * `nagle-cwnd`), or (3) at least Fs = 1/2 of the largest window the peer
 * offered fits, min(D, U) >= Max(SND.WND) / 2; else (4) it waits for the
 * override timeout (TT_SWS, NET_TCP_SWS_OVERRIDE_MS, in the SHLD range
 * 0.1-1.0 s). D is the unsent data, U = SND.UNA + SND.WND - SND.NXT the
 * usable window; with U > D or U >= MSS it sends, so the test below is the
 * negation. U = 0 is the zero-window probe's business (§3.8.6.1), and data
 * already sent once (SND.NXT < SND.MAX: a retransmission) is not held. */
static bool sws_hold(const struct tcp_pcb *c, uint16_t unsent, uint16_t inflight, bool fresh)
{
	uint16_t u = inflight < c->snd_wnd ? (uint16_t)(c->snd_wnd - inflight) : 0;

	return u != 0 && u < unsent && u < c->mss && u < (uint16_t)(c->max_snd_wnd / 2u) && fresh;
}

/* SND.NXT moves past the `n` sequence numbers just sent, SND.MAX with it
 * when they were new. */
static NET_NOINLINE void advance(struct tcp_pcb *c, uint16_t n)
{
	c->snd_nxt += n;
	if (seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
}

/* Our SYN is unacknowledged (tcp.h): SYN-SENT, SYN-RECEIVED, or FIN-WAIT-1
 * after a CLOSE in SYN-RECEIVED, where <FIN,ACK> at ISS+1 follows the
 * <SYN,ACK>. No data is sent before the SYN is acknowledged, so SND.MAX
 * is ISS+1 or ISS+2 here: advance() puts it where SND.NXT goes. */
static void output_syn(struct net_stack *s, struct tcp_pcb *c)
{
	if (c->snd_nxt == c->snd_una) {
		xmit(s, c, (uint8_t)(c->state == TCP_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK), 0);
		advance(c, 1);
		arm_rtx_idle(s, c);
	}
	if (c->state == TCP_FIN_WAIT_1 && c->snd_nxt == c->snd_una + 1u) {
		xmit(s, c, TCP_FIN | TCP_ACK, 0);
		advance(c, 1);
	}
}

/* snd_buf (net.c) is at most one of these: output_seg's offsets from
 * SND.UNA, up to snd_buf + 1, fit in 16 bits. */
_Static_assert(NET_TCP_SND_BUF < 0xFFFFu && NET_TCP_RAM_SND_BUF < 0xFFFFu, "send ring offsets are 16-bit");

/* output()'s modes. OUT_PROBE lets one byte go past a zero window (RFC 9293
 * §3.8.6.1); OUT_FULL only sends full segments (tcp_output_full);
 * OUT_OVERRIDE: the SWS override timeout expired, send what the window
 * takes. */
#define OUT_PROBE 1u
#define OUT_FULL 2u
#define OUT_OVERRIDE 4u

/* The next data segment of output(), if the windows and sws_hold() let
 * one go; true when another may follow. A function of its own, called in
 * a loop, so the pointer to c stays in a register (AVR flash). */
static NET_NOINLINE bool output_seg(struct net_stack *s, struct tcp_pcb *c, uint8_t mode)
{
	/* Offsets from SND.UNA, where the data ends buf_len bytes later.
	 * Once our SYN is acknowledged SND.UNA <= SND.NXT <= SND.MAX <=
	 * SND.UNA + buf_len + 1 (the FIN), and buf_len is at most snd_buf <
	 * 0xFFFF (below), so these distances are 16-bit numbers and compare
	 * as the sequence numbers do (AVR flash). */
	uint16_t inflight = (uint16_t)(c->snd_nxt - c->snd_una);
	uint16_t unsent = inflight < c->buf_len ? (uint16_t)(c->buf_len - inflight) : 0;
	uint16_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
	uint16_t can = inflight < wnd ? (uint16_t)(wnd - inflight) : 0;
	bool fresh = inflight >= (uint16_t)(c->snd_max - c->snd_una); /* SND.NXT >= SND.MAX */
	uint16_t n;
	bool fin;

	if ((mode & OUT_FULL) && unsent < c->mss)
		return false; /* a short tail waits: the caller may add to it */
	if ((mode & OUT_PROBE) && can == 0)
		can = 1;
	if (!(mode & (OUT_PROBE | OUT_OVERRIDE)) && sws_hold(c, unsent, inflight, fresh)) {
		/* Held: the override timer takes the slot unless data in
		 * flight keeps the retransmission timer running (its ACK
		 * or its timeout brings output back here). A delayed ACK
		 * in the slot goes with this output (as tcp_arm_rtx). */
		if (c->timer != TT_SWS && !(c->timer == TT_RTX && inflight)) {
#if NET_TCP_DELACK
			if (c->timer == TT_DELACK)
				c->flags |= TF_ACK_NOW;
#endif
			c->timer = TT_SWS;
			c->deadline = net_deadline(s, NET_TCP_SWS_OVERRIDE_MS);
		}
		return false;
	}
	n = unsent < can ? unsent : can;
	if (n > c->mss)
		n = c->mss;
	fin = (c->flags & (TF_FIN_QUEUED | TF_FIN_ACKED)) == TF_FIN_QUEUED && (uint16_t)(inflight + n) == c->buf_len;
	if (n == 0 && !fin)
		return false;
	xmit(s, c, (uint8_t)(TCP_ACK | (n ? TCP_PSH : 0) | (fin ? TCP_FIN : 0)), n);
	advance(c, (uint16_t)(n + (fin ? 1u : 0u)));
	if (fresh && !(c->flags & TF_RTT)) {
		/* RFC 6298 §3: time one segment at a time, never a
		 * retransmitted one (Karn). */
		c->flags |= TF_RTT;
		c->rtt_seq = c->snd_nxt;
		c->rtt_start = s->ms;
		if (!s->in_poll)
			c->flags |= TF_REBASE_RTT;
	}
	arm_rtx_idle(s, c);
	if (mode & OUT_PROBE) {
		NET_INC(s, TCP_PROBES);
		return false;
	}
	if (fin)
		return false;
	return true;
}

/* Sends SYN / SYN-ACK if not yet in flight, then data and FIN as the
 * windows allow (min of the peer's window and cwnd, RFC 5681), one MSS per
 * segment, short segments only as sws_hold() permits. */
static void output(struct net_stack *s, struct tcp_pcb *c, uint8_t mode)
{
	if (c->cwnd == 0 && c->state != TCP_CLOSED) {
		output_syn(s, c);
		return;
	}
	switch ((enum tcp_state)c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		break;
	case TCP_FIN_WAIT_2:
	case TCP_TIME_WAIT:
		if (c->flags & TF_ACK_NOW)
			tcp_send_ack(s, c);
		return;
	case TCP_SYN_SENT:     /* above: cwnd is 0 */
	case TCP_SYN_RECEIVED:
	case TCP_CLOSED:
	case TCP_LISTEN:
		return;
	}
	while (output_seg(s, c, mode))
		;
	/* Data waits behind a zero window with nothing in flight: the
	 * retransmission timer doubles as the persist timer. */
	if ((uint16_t)(c->snd_nxt - c->snd_una) == 0 && c->buf_len && c->snd_wnd == 0) /* 16 bits: see output_seg */
		arm_rtx_idle(s, c);
	if ((c->flags & TF_ACK_NOW) && !(mode & OUT_FULL))
		tcp_send_ack(s, c);
}

void tcp_output(struct net_stack *s, struct tcp_pcb *c)
{
	output(s, c, 0);
}

/* The SWS override timeout expired (tcp_timer.c): what the window takes
 * goes now, however short (RFC 9293 §3.8.6.2.1, case 4). */
void tcp_output_override(struct net_stack *s, struct tcp_pcb *c)
{
	output(s, c, OUT_OVERRIDE);
}

/* Sends only full-sized segments of data already in the ring (no short
 * tail, no pure ACK): what tcp_output() would send first anyway, cut at
 * the same places, whatever the application writes next. */
void tcp_output_full(struct net_stack *s, struct tcp_pcb *c)
{
	output(s, c, OUT_FULL);
}

void tcp_resend(struct net_stack *s, struct tcp_pcb *c, bool probe)
{
	c->snd_nxt = c->snd_una;
	c->flags &= (uint8_t)~(TF_RTT | TF_ARP_WAIT);
	output(s, c, probe ? OUT_PROBE : 0);
}
