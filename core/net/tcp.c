/*
 * tcp.c - the TCP application interface and connection-block pool.
 *
 * Applications call tcp_listen / tcp_connect / tcp_send / tcp_recv /
 * tcp_close / tcp_abort (declared in tcp.h); the input path (tcp_in.c) and
 * the timers (tcp_timer.c) allocate, find and free blocks here and report
 * events through tcp_event() / tcp_finish(). The pool is the fixed array
 * s->tcp[NET_TCP_CONNS]; a block in CLOSED is free. A block in TIME-WAIT
 * is taken for a new connection only under NET_PROFILE_TW_RECYCLE (net.h
 * says what that costs); by default it lingers its 2*MSL (MUST-13).
 *
 * Calls made from inside an event callback act at once (a tcp_send() in a
 * DATA callback goes out carrying the ACK for the data just read); the
 * input path notices a block freed by the callback through s->rx_pcb.
 */
#include <string.h>

#include "net_internal.h"

struct tcp_pcb *tcp_pcb_find(struct net_stack *s, uint32_t rip, uint16_t lport, uint16_t rport)
{
	uint8_t i;

	for (i = 0; i < NET_TCP_CONNS; i++) {
		struct tcp_pcb *c = &s->tcp[i];

		if (c->state != TCP_CLOSED && c->rip == rip && c->lport == lport && c->rport == rport)
			return c;
	}
	return NULL;
}

struct tcp_listener *tcp_listener_find(struct net_stack *s, uint16_t port)
{
	uint8_t i;

	for (i = 0; i < NET_TCP_LISTENERS; i++) {
		struct tcp_listener *l = &s->listeners[i];

		if (l->port != 0 && l->port == port)
			return l;
	}
	return NULL;
}

struct tcp_pcb *tcp_pcb_alloc(struct net_stack *s)
{
	struct tcp_pcb *tw = NULL;
	uint8_t i;

	for (i = 0; i < NET_TCP_CONNS; i++) {
		struct tcp_pcb *c = &s->tcp[i];

		if (c->state == TCP_CLOSED)
			return c;
		if (c->state == TCP_TIME_WAIT && (!tw || ms_before(c->deadline, tw->deadline)))
			tw = c;
	}
	if (!tw || !(s->profile & NET_PROFILE_TW_RECYCLE))
		return NULL; /* MUST-13: TIME-WAIT lingers 2*MSL */
	NET_INC(s, TCP_TW_RECYCLED);
	tcp_pcb_free(s, tw);
	return tw;
}

void tcp_pcb_free(struct net_stack *s, struct tcp_pcb *c)
{
	if (s->rx_pcb == c)
		s->rx_pcb = NULL;
	memset(c, 0, offsetof(struct tcp_pcb, rcv_up) + sizeof(c->rcv_up)); /* all but the ram ring */
}

uint16_t tcp_rcv_wnd_default(const struct net_stack *s)
{
	return s->cfg->rcv_wnd;
}

void tcp_pcb_init(struct net_stack *s, struct tcp_pcb *c, uint32_t rip, uint16_t lport, uint16_t rport,
		  tcp_event_fn cb, void *ctx)
{
	tcp_pcb_free(s, c);
	c->rip = rip;
	c->lport = lport;
	c->rport = rport;
	c->cb = cb;
	c->ctx = ctx;
	c->snd_una = c->snd_nxt = c->snd_max = tcp_isn(s, rip, lport, rport);
	c->rto = s->cfg->rto_initial_ms;
	c->rcv_wnd = tcp_rcv_wnd_default(s);
	c->mss = 536; /* RFC 9293 MUST-15 default until the peer's SYN says more */
	c->ssthresh = 0xFFFFu;
}

void tcp_event(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n)
{
	if (c->cb)
		c->cb(s, c, ev, n, c->ctx);
}

void tcp_finish(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev)
{
	tcp_event_fn cb = c->cb;
	void *ctx = c->ctx;

	tcp_pcb_free(s, c);
	if (cb)
		cb(s, c, ev, 0, ctx);
}

int tcp_listen(struct net_stack *s, uint16_t port, tcp_event_fn cb, void *ctx)
{
	struct tcp_listener *free = NULL;
	uint8_t i;

	if (port == 0 || !cb)
		return TCP_ERR_ARG;
	/* One pass: the port in use anywhere, else the first free slot. */
	for (i = 0; i < NET_TCP_LISTENERS; i++) {
		struct tcp_listener *l = &s->listeners[i];

		if (l->port == port)
			return TCP_ERR_INUSE;
		if (l->port == 0 && !free)
			free = l;
	}
	if (!free)
		return TCP_ERR_FULL;
	free->port = port;
	free->cb = cb;
	free->ctx = ctx;
	return TCP_OK;
}

int tcp_unlisten(struct net_stack *s, uint16_t port)
{
	struct tcp_listener *l = tcp_listener_find(s, port);

	if (!l)
		return TCP_ERR_ARG;
	memset(l, 0, sizeof(*l));
	return TCP_OK;
}

/* Active open (RFC 9293 §3.10.1): choose ISS and an ephemeral port, send
 * <SEQ=ISS><CTL=SYN>, enter SYN-SENT. Returns NULL if no block is free. */
struct tcp_pcb *tcp_connect(struct net_stack *s, uint32_t ip, uint16_t port, tcp_event_fn cb, void *ctx)
{
	struct tcp_pcb *c;
	uint16_t lport;

	if (ip == 0 || port == 0 || !cb || ip_is_bcast_or_mcast(s, ip))
		return NULL;
	lport = tcp_ephemeral_port(s, ip, port);
	if (lport == 0)
		return NULL;
	c = tcp_pcb_alloc(s);
	if (!c)
		return NULL;
	tcp_pcb_init(s, c, ip, lport, port, cb, ctx);
	c->state = TCP_SYN_SENT;
	tcp_output(s, c);
	return c;
}

uint16_t tcp_send_space(const struct net_stack *s, const struct tcp_pcb *c)
{
	if ((c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT) || (c->flags & TF_FIN_QUEUED))
		return 0;
	return (uint16_t)(s->snd_buf - c->buf_len);
}

/* Copies up to len bytes into the send ring (device memory when present)
 * without sending; returns the bytes taken. Inside an event callback the
 * stack sends them when the callback returns (with the ACK it owes), so
 * several writes become one segment. */
uint16_t tcp_write(struct net_stack *s, struct tcp_pcb *c, const void *data, uint16_t len)
{
	uint16_t k = tcp_send_space(s, c);

	if (len < k)
		k = len;
	if (k == 0)
		return 0;
	tcp_ring_write(s, c, c->buf_len, data, k);
	c->buf_len = (uint16_t)(c->buf_len + k);
	return k;
}

/* Sends what the windows allow now. */
void tcp_flush(struct net_stack *s, struct tcp_pcb *c)
{
	tcp_output(s, c);
}

/* tcp_write() + tcp_flush(). Returns the bytes taken. */
uint16_t tcp_send(struct net_stack *s, struct tcp_pcb *c, const void *data, uint16_t len)
{
	uint16_t k = tcp_write(s, c, data, len);

	if (k)
		tcp_output(s, c);
	return k;
}

/* Reads payload of the segment being delivered (inside TCP_EV_DATA only).
 * What is read is acknowledged; what is not read is not. */
uint16_t tcp_recv(struct net_stack *s, struct tcp_pcb *c, void *buf, uint16_t len)
{
	uint16_t k = len < s->rx_left ? len : s->rx_left;

	if (s->rx_pcb != c || k == 0)
		return 0;
	net_rx_read(s, s->rx_off, buf, k);
	s->rx_off = (uint16_t)(s->rx_off + k);
	s->rx_left = (uint16_t)(s->rx_left - k);
	c->rcv_nxt += k;
	c->flags |= TF_ACK_NOW;
	return k;
}

/* CLOSE (RFC 9293 §3.10.4) for tcp_close (held false) and tcp_shutdown
 * (held true). Closing while received data is still unread (inside a DATA
 * callback that did not read everything) loses that data: send RST instead
 * of FIN (SHLD-3). */
static NET_NOINLINE int close_common(struct net_stack *s, struct tcp_pcb *c, bool held)
{
	if (!held && (c->flags & TF_HELD) && (c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2)) {
		/* tcp_close after tcp_shutdown: the application lets go of the
		 * half-closed connection; from now on FIN-WAIT-2 may time out. */
		c->flags &= (uint8_t)~TF_HELD;
		if (c->state == TCP_FIN_WAIT_2)
			tcp_arm_finwait2(s, c);
		return TCP_OK;
	}
	if (!held && s->rx_pcb == c && s->rx_left > 0) {
		NET_INC(s, TCP_CLOSE_UNREAD_RST);
		tcp_send_rst_pcb(s, c);
		tcp_pcb_free(s, c);
		return TCP_OK;
	}
	/* Tests, not a switch: its jump table costs AVR flash. */
	if (c->state == TCP_SYN_SENT) {
		/* No SYN answered yet: just forget the connection. */
		tcp_pcb_free(s, c);
		return TCP_OK;
	}
	if (c->state == TCP_SYN_RECEIVED || c->state == TCP_ESTABLISHED) {
		/* SYN-RECEIVED, RFC 9293 §3.10.4: no SEND can have been issued
		 * (tcp_send_space is 0 before ESTABLISHED), so the FIN goes now,
		 * SEQ=ISS+1 after our SYN, and we are in FIN-WAIT-1 with the SYN
		 * still unacknowledged (cwnd 0 says so, tcp.h; tcp_out.c,
		 * tcp_in.c). */
		c->state = TCP_FIN_WAIT_1;
	} else if (c->state == TCP_CLOSE_WAIT) {
		c->state = TCP_LAST_ACK;
	} else {
		return TCP_ERR_ARG; /* CLOSED, LISTEN, or closing already */
	}
	c->flags = (uint8_t)((c->flags & ~TF_HELD) | TF_FIN_QUEUED | (held ? TF_HELD : 0u));
	tcp_output(s, c);
	return TCP_OK;
}

/* CLOSE, and the application lets go: it expects the connection's last
 * event (CLOSED, RESET, TIMEOUT) and nothing more of it; in FIN-WAIT-2 the
 * stack gives up after cfg->fin_wait2_timeout_ms on a peer that never
 * sends its FIN. After tcp_shutdown() (FIN-WAIT-1/-2) it only lets go. */
int tcp_close(struct net_stack *s, struct tcp_pcb *c)
{
	return close_common(s, c, false);
}

/* CLOSE as a half close (shutdown(SHUT_WR)): the FIN follows the data and
 * the application keeps the connection to RECEIVE until the peer's FIN
 * (RFC 9293 §3.10.4), however long that takes: no FIN-WAIT-2 timeout until
 * it lets go with tcp_close(). Unread data in a DATA callback is not lost
 * here (the application may read on), so no RST. */
int tcp_shutdown(struct net_stack *s, struct tcp_pcb *c)
{
	return close_common(s, c, true);
}

/* ABORT (RFC 9293 §3.10.5), then forget the connection. No event: the
 * caller knows. <SEQ=SND.NXT><CTL=RST> only from SYN-RECEIVED through
 * CLOSE-WAIT (a contiguous run of enum tcp_state). SYN-SENT: the peer has
 * no connection yet. CLOSING, LAST-ACK, TIME-WAIT: "Respond with "ok" and
 * delete the TCB, enter CLOSED state, and return" - both FINs are out, no
 * data can be lost, and Linux sends nothing there either. */
void tcp_abort(struct net_stack *s, struct tcp_pcb *c)
{
	if (c->state >= TCP_SYN_RECEIVED && c->state <= TCP_CLOSE_WAIT)
		tcp_send_rst_pcb(s, c);
	tcp_pcb_free(s, c);
}

void tcp_set_callback(struct tcp_pcb *c, tcp_event_fn cb, void *ctx)
{
	c->cb = cb;
	c->ctx = ctx;
}

/* Sets the advertised receive window: how much the application will take
 * next. An application that cannot read everything (no buffer of its own)
 * keeps the peer from sending more than it can take by lowering it. A
 * window opening from zero, or by at least one MSS, is announced at once
 * (window update; receiver-side SWS avoidance, RFC 9293 §3.8.6.2.2). The
 * right edge never moves left if the application lowers the window by no
 * more than it has just read. */
void tcp_set_rcv_wnd(struct net_stack *s, struct tcp_pcb *c, uint16_t wnd)
{
	bool update = (c->rcv_wnd == 0 && wnd != 0) || (wnd > c->rcv_wnd && wnd - c->rcv_wnd >= c->mss);

	c->rcv_wnd = wnd;
	if (update && c->state >= TCP_ESTABLISHED && c->state != TCP_TIME_WAIT) {
		if (s->rx_pcb == c)
			c->flags |= TF_ACK_NOW; /* inside a callback: sent on return */
		else
			tcp_send_ack(s, c);
	}
}

/* MUST-33: urgent bytes not yet read (0 once the application has read up
 * to the urgent pointer). A pointer still ahead of RCV.NXT lies less than
 * 2^17 bytes ahead (SEG.SEQ within the window, plus SEG.UP); anything else
 * is one the application has read past. */
uint16_t tcp_urgent_left(const struct tcp_pcb *c)
{
	uint32_t ahead = c->rcv_up - c->rcv_nxt;

	return ahead < TCP_URG_AHEAD ? (uint16_t)(ahead > 0xFFFFu ? 0xFFFFu : ahead) : 0;
}

enum tcp_state tcp_state(const struct tcp_pcb *c)
{
	return (enum tcp_state)c->state;
}

const char *tcp_state_name(enum tcp_state st)
{
#if NET_NAMES
	static const char *const names[TCP_STATE_COUNT] = {
		"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
		"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
	};
	return (unsigned)st < TCP_STATE_COUNT ? names[st] : "?";
#else
	(void)st;
	return "?";
#endif
}

const char *tcp_event_name(enum tcp_event ev)
{
#if NET_NAMES
	static const char *const names[] = {
		"connected", "data", "sent", "peer-closed", "closed", "reset", "refused", "timeout", "urgent",
	};
	return (unsigned)ev < sizeof(names) / sizeof(names[0]) ? names[ev] : "?";
#else
	(void)ev;
	return "?";
#endif
}

unsigned tcp_pcbs_in_use(const struct net_stack *s)
{
	unsigned n = 0;
	uint8_t i;

	for (i = 0; i < NET_TCP_CONNS; i++)
		n += s->tcp[i].state != TCP_CLOSED;
	return n;
}
