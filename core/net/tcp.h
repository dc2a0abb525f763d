/*
 * tcp.h - TCP (RFC 9293) for the synack stack: connection blocks, states,
 * application events and the non-blocking, malloc-free API.
 *
 * The application never blocks and never owns a buffer the stack keeps:
 *   - tcp_listen(port, cb) / tcp_connect(ip, port, cb) register a callback;
 *   - the callback receives events (enum tcp_event) from inside net_poll()
 *     (or from the API call that caused them);
 *   - on TCP_EV_DATA the callback reads the payload straight from the
 *     received frame with tcp_recv(); bytes it does not read are not
 *     acknowledged, so the peer sends them again (flow control without a
 *     receive buffer);
 *   - tcp_send() copies into the connection's send ring, which lives in the
 *     netdev's device memory (the ENC28J60's spare 8 KB buffer) when it has
 *     one, else in a small RAM ring; data stays there until acknowledged.
 *
 * Time: the stack reads no clock; it knows only the `now` of the last
 * net_poll(). An API call made outside net_poll() (not from a callback)
 * starts its timers on the next net_poll()'s clock instead (TF_REBASE_*),
 * so call net_poll() soon after such a call, as a main loop does anyway.
 *
 * After TCP_EV_CLOSED, TCP_EV_RESET, TCP_EV_REFUSED or TCP_EV_TIMEOUT the
 * connection pointer is dead: the block may already be reused.
 */
#ifndef CORE_TCP_H
#define CORE_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_opts.h"

#ifdef __cplusplus
extern "C" {
#endif

struct net_stack;
struct tcp_pcb;

/* RFC 9293 §3.3.2. CLOSED is 0 so a zeroed block is free. */
enum tcp_state {
	TCP_CLOSED = 0,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};
#define TCP_STATE_COUNT 11

/* What the application is told (RFC 9293 §3.9.1 "signals to the user").
 * RESET (aborted by the peer) and CLOSED (normal close) are distinct
 * (MUST-12). `n` is the byte count for DATA (available) and SENT (acked). */
enum tcp_event {
	TCP_EV_CONNECTED,   /* handshake complete (accepted or connected) */
	TCP_EV_DATA,        /* n bytes readable now with tcp_recv() */
	TCP_EV_SENT,        /* n bytes acknowledged: send ring space freed */
	TCP_EV_PEER_CLOSED, /* peer sent FIN: no more data will arrive */
	TCP_EV_CLOSED,      /* both directions closed normally; handle dead */
	TCP_EV_RESET,       /* connection reset by peer; handle dead */
	TCP_EV_REFUSED,     /* connect refused (RST in SYN-SENT / SYN-RECEIVED); handle dead */
	TCP_EV_TIMEOUT,     /* retransmissions exhausted; handle dead */
	/* The peer's urgent pointer is new or has advanced (RFC 9293 §3.8.5
	 * MUST-32): n urgent bytes (at most 65535) lie ahead, from the next
	 * byte tcp_recv() returns. Raised before the DATA event of the same
	 * segment. The urgent bytes are ordinary in-line data: read them with
	 * tcp_recv(); tcp_urgent_left() says how many remain (MUST-33). */
	TCP_EV_URGENT,
};
#define TCP_EV_COUNT (TCP_EV_URGENT + 1)

typedef void (*tcp_event_fn)(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n,
			     void *ctx);

/* Connection flags (tcp_pcb.flags). */
#define TF_PASSIVE 0x01u   /* SYN-RECEIVED came from LISTEN (MUST-11) */
/* The application half-closed with tcp_shutdown() and still holds the
 * connection: no FIN-WAIT-2 timeout (tcp_arm_finwait2). Shares TF_PASSIVE's
 * bit (RAM): TF_PASSIVE is read only in SYN-SENT and SYN-RECEIVED, and
 * every CLOSE (tcp.c close_common) leaves those states and sets or clears
 * the bit for its new meaning. */
#define TF_HELD TF_PASSIVE
#define TF_FIN_QUEUED 0x02u /* application closed: FIN follows the data */
#define TF_ACK_NOW 0x04u   /* an ACK is owed */
#define TF_ARP_WAIT 0x08u  /* last output waited for ARP: resend on resolution */
#define TF_RTT 0x10u       /* timing one segment (RFC 6298, Karn) */
#define TF_FIN_ACKED 0x20u /* our FIN has been acknowledged */
/* Set by an API call made outside net_poll() (the clock, s->ms, is that of
 * the last net_poll and may be seconds old): the retransmission deadline
 * (TF_REBASE_RTX) and the RTT sample start (TF_REBASE_RTT) are re-based on
 * the next net_poll()'s clock before it looks at frames or timers, so a
 * timer never fires early and a sample never starts before its segment
 * left (it may start a little after: the sample errs short, by at most the
 * delay until that net_poll, and RTO stays >= rto_min). */
#define TF_REBASE_RTX 0x40u
#define TF_REBASE_RTT 0x80u

/* tcp_pcb.dupacks: the count in the low bits, this bit while in fast
 * recovery (tcp_in.c ack_recovery). */
#define TCP_DUPACK_RECOVERY 0x80u

/* Timer purpose: one timer slot per connection (STYLE 4). */
enum tcp_timer { TT_NONE = 0, TT_RTX, TT_TIMEWAIT, TT_FINWAIT2, TT_DELACK, TT_SWS };

/* One connection block (TCB, RFC 9293 §3.3.1). Sequence variables follow
 * the RFC names; snd_max is the highest sequence sent (after a timeout
 * snd_nxt goes back to snd_una, go-back-N, and ACKs up to snd_max stay
 * acceptable). */
struct tcp_pcb {
	/* Ordered by use: an AVR load reaches 63 bytes past a pointer, and a
	 * field beyond that costs a pointer adjustment at every access, so the
	 * fields input, output and timers touch on every segment come first
	 * and the RTT estimator last. */
	uint8_t state;   /* enum tcp_state */
	uint8_t flags;   /* TF_* */
	uint8_t timer;   /* enum tcp_timer */
	uint8_t retries; /* consecutive timeouts */
#if NET_TCP_FAST_RTX
	uint8_t dupacks; /* duplicate ACKs in a row (RFC 5681 §2); TCP_DUPACK_RECOVERY: in fast recovery */
#endif
	tcp_event_fn cb;
	void *ctx;
	uint32_t rip;    /* remote address; the local one is the stack's */
	uint16_t lport, rport;
	uint32_t snd_una, snd_nxt, snd_max;
	uint32_t rcv_nxt;
	uint16_t rcv_wnd;
	uint16_t buf_head; /* ring offset of the byte at snd_una */
	uint16_t buf_len;  /* bytes in the ring (acked ones are removed) */
	uint16_t snd_wnd;
	uint16_t mss;    /* effective send MSS */
	uint16_t cwnd;   /* 0 until our SYN is acknowledged: also marks FIN-WAIT-1
			  * entered by a CLOSE in SYN-RECEIVED (SYN and FIN in flight) */
	uint32_t deadline; /* ms clock */
	uint32_t snd_wl1, snd_wl2;
	uint16_t max_snd_wnd, ssthresh;
	uint32_t rto;      /* ms */
	uint32_t rtt_seq;  /* timing ends when this is acked */
	uint32_t rtt_start; /* ms clock */
	uint32_t srtt, rttvar; /* RFC 6298, ms */
#if NET_TCP_FAST_RTX
	uint32_t recover;  /* SND.MAX when fast recovery began (RFC 6582 "recover") */
#endif
	uint32_t rcv_up;   /* RCV.UP, the peer's urgent pointer (§3.8.5); stays the last field before ram (tcp_pcb_free) */
#if NET_TCP_RAM_SND_BUF
	uint8_t ram[NET_TCP_RAM_SND_BUF]; /* send ring when no device memory */
#endif
};

struct tcp_listener {
	uint16_t port; /* 0 = free */
	tcp_event_fn cb;
	void *ctx;
};

/* Error codes of the API (argument errors; drops are counters). */
enum tcp_err {
	TCP_OK = 0,
	TCP_ERR_ARG = -1,   /* bad argument or wrong state for the call */
	TCP_ERR_FULL = -2,  /* no free listener / connection slot */
	TCP_ERR_INUSE = -3, /* port already listening */
};

/* ---- Application interface (tcp.c) ---- */
int tcp_listen(struct net_stack *s, uint16_t port, tcp_event_fn cb, void *ctx);
int tcp_unlisten(struct net_stack *s, uint16_t port);
struct tcp_pcb *tcp_connect(struct net_stack *s, uint32_t ip, uint16_t port, tcp_event_fn cb, void *ctx);
uint16_t tcp_send(struct net_stack *s, struct tcp_pcb *c, const void *data, uint16_t len);
uint16_t tcp_write(struct net_stack *s, struct tcp_pcb *c, const void *data, uint16_t len);
void tcp_flush(struct net_stack *s, struct tcp_pcb *c);
uint16_t tcp_send_space(const struct net_stack *s, const struct tcp_pcb *c);
uint16_t tcp_recv(struct net_stack *s, struct tcp_pcb *c, void *buf, uint16_t len);
int tcp_close(struct net_stack *s, struct tcp_pcb *c);
int tcp_shutdown(struct net_stack *s, struct tcp_pcb *c);
void tcp_abort(struct net_stack *s, struct tcp_pcb *c);
void tcp_set_callback(struct tcp_pcb *c, tcp_event_fn cb, void *ctx);
void tcp_set_rcv_wnd(struct net_stack *s, struct tcp_pcb *c, uint16_t wnd);
uint16_t tcp_urgent_left(const struct tcp_pcb *c);
enum tcp_state tcp_state(const struct tcp_pcb *c);
const char *tcp_state_name(enum tcp_state st);
const char *tcp_event_name(enum tcp_event ev);
/* Blocks in use (any state but CLOSED): the tests' leak check. */
unsigned tcp_pcbs_in_use(const struct net_stack *s);

#ifdef __cplusplus
}
#endif
#endif /* CORE_TCP_H */
