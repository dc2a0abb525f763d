/*
 * net.h - the synack TCP/IP stack instance: configuration, pools, counters
 * and the one main-loop call.
 *
 *   struct net_stack st;  struct net_config cfg;
 *   net_config_defaults(&cfg);  ...mac, ip, netmask, gateway, isn_key...
 *   net_init(&st, &cfg, &netdev, now);
 *   tcp_listen(&st, 8888, my_cb, my_ctx);
 *   for (;;) { net_time_t next = net_poll(&st, now()); sleep_until(next or IRQ); }
 *
 * Everything lives in struct net_stack (no hidden state, STYLE 3): several
 * stacks run side by side in one simulator process. Nothing here reads a
 * clock (the caller passes `now`) or draws random numbers (ISNs and
 * ephemeral ports are a keyed hash of cfg->isn_key, RFC 6528).
 */
#ifndef CORE_NET_H
#define CORE_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "net_opts.h"
#include "net_stats.h"
#include "net_time.h"
#include "netdev.h"
#include "tcp.h"
#include "udp_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Run-time profiles (where RFCs and stacks legitimately differ). */
#define NET_PROFILE_RFC5961 0x01u /* challenge ACKs; off = RFC 793 RST/SYN rules */
#define NET_PROFILE_RFC1337 0x02u /* ignore RST in TIME-WAIT */
/* With every connection block in use, a new connection (a SYN to a
 * listener, tcp_connect) takes the TIME-WAIT block closest to its end,
 * cutting its 2*MSL short (counted: tcp.timewait_recycled), as lwIP and
 * uIP do. Off (the default), TIME-WAIT lingers its full 2*MSL (RFC 9293
 * MUST-13) and the SYN is dropped unanswered (tcp.listen_full; the peer's
 * retry may find room) or tcp_connect() returns NULL. Costs of "on": the
 * peer's retransmitted FIN (our last ACK lost) draws a RST instead of an
 * ACK, and an old duplicate of the ended connection can reach a new one
 * with the same addresses and ports (RFC 1337 §2, H1). Worth it only for
 * an application that closes first (and so holds TIME-WAIT) on a pool too
 * small for its connection rate: without it such an application serves at
 * most NET_TCP_CONNS connections per 2*MSL. */
#define NET_PROFILE_TW_RECYCLE 0x04u

/* Optional ISN hook: return the ISS for a new connection (tests force
 * 0xFFFFFFFF to exercise wrap-around). NULL = SipHash-2-4 (RFC 6528). */
typedef uint32_t (*net_isn_fn)(void *ctx, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport);

struct net_config {
	uint8_t mac[6];
	uint32_t ip, netmask, gateway; /* host byte order; gateway 0 = none */
	uint8_t isn_key[NET_ISN_KEY_LEN]; /* RFC 6528 secret: from the HAL / the run's seed */
	net_isn_fn isn_hook;
	void *isn_ctx;
	uint8_t profile;               /* NET_PROFILE_* at start-up */
	uint8_t max_retries;           /* data/FIN retransmissions before TIMEOUT */
	/* SYN retransmissions of an active open (SYN-SENT, and SYN-RECEIVED
	 * reached by a simultaneous open). RFC 9293 §3.8.3 MUST-23: R2 for a
	 * SYN must allow retransmission for at least 3 minutes; the default 7
	 * with RTO 1 s doubling and the 60 s cap sends SYNs at 0, 1, 3, 7, 15,
	 * 31, 63 and 123 s and gives up at 183 s. A smaller rto_max_ms needs
	 * more retries. */
	uint8_t syn_retries;
	/* SYN-ACK retransmissions of a passive open (from LISTEN): 5, as
	 * Linux's tcp_synack_retries, drops a half-open block after 63 s - it
	 * holds one of NET_TCP_CONNS blocks and the application never saw it
	 * (the peer's own SYN retransmission still finds the listener). */
	uint8_t synack_retries;
	uint8_t challenge_ack_limit;   /* challenge ACKs per interval (stack-wide) */
	/* Durations in milliseconds (the stack's internal clock, see
	 * net_poll()); each must stay below 2^31 ms. */
	uint32_t challenge_ack_interval_ms;
	uint32_t rto_initial_ms, rto_min_ms, rto_max_ms; /* RFC 6298 */
	uint32_t time_wait_ms;         /* 2*MSL (RFC 9293 MUST-13) */
	uint32_t fin_wait2_timeout_ms; /* give up on a peer that never sends FIN; 0 = wait forever */
	uint32_t arp_max_age_ms;       /* resolved entries are forgotten after this */
	uint32_t arp_retry_ms;         /* request interval while unresolved */
	uint16_t rcv_wnd;              /* initial receive window per connection */
	/* MSS option we send; 0 = rcv_wnd (at most NET_TCP_MSS). Either way
	 * it is capped by NET_TCP_MSS and by rcv_wnd. Consulted only when
	 * the stack is built with a nonzero NET_TCP_RCV_MSS (not on AVR). */
	uint16_t rcv_mss;
	/* Delayed ACK (NET_TCP_DELACK): an in-order data segment's ACK waits
	 * up to this long for a second segment (or data of ours to ride on);
	 * 0 = acknowledge every segment at once. Values of 500 or more are
	 * taken as 499 (MUST-40: less than 0.5 seconds). */
	uint16_t delack_ms;
	/* Fast retransmit on duplicate ACKs (NET_TCP_FAST_RTX); 0 = only the
	 * retransmission timer repairs a loss. */
	uint8_t fast_rtx;
};

#define ARP_FREE 0u
#define ARP_PENDING 1u
#define ARP_VALID 2u

struct arp_entry {
	uint32_t ip;
	uint8_t mac[6];
	uint8_t state; /* ARP_* */
	uint8_t tries; /* requests sent while pending */
	uint32_t expires; /* ms clock; VALID: forget; PENDING: next request */
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
	uint16_t held;    /* PENDING: length of the held frame, 0 = none */
#endif
};

struct net_stack {
	const struct net_config *cfg;
	struct netdev dev;
	/* The internal clock: now in whole milliseconds (mod 2^32; compared
	 * wrap-safe). Timers are 32-bit milliseconds: 64-bit arithmetic costs
	 * several KB on AVR. (Fields used on every frame come first: an AVR
	 * load reaches 63 bytes past a pointer.) */
	uint32_t ms;
	uint8_t ms_frac;       /* 1 when now is past the start of ms */
	uint8_t profile;       /* NET_PROFILE_*, may change at run time */
	bool link_up;
	bool in_poll;          /* inside net_poll(): s->ms is current (see tcp.h, Time) */
	bool use_devmem;       /* send rings in device memory */
	uint16_t snd_buf;      /* send ring size per connection */
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
	uint8_t hold;          /* 1 + index of the ARP entry output is held for, 0 = none */
	uint16_t hold_off;     /* bytes written into that entry's slot so far */
	uint16_t hold_base;    /* device memory address of the ARP slots, 0 = in RAM */
#endif
	uint16_t ip_id;
	uint16_t port_seq;     /* ephemeral port attempt counter */
	uint8_t chack_count;   /* challenge ACKs in the current interval */
	uint32_t chack_start;  /* ms */
	/* The frame being processed: tcp_recv()/udp_recv() read from here. */
	struct tcp_pcb *rx_pcb;
	uint16_t rx_off, rx_left;
	net_time_t now;        /* time of the current / last net_poll() */
	net_time_t ms_base;    /* net_time_t of the start of ms */
	struct arp_entry arp[NET_ARP_ENTRIES];
	struct tcp_listener listeners[NET_TCP_LISTENERS];
	struct tcp_pcb tcp[NET_TCP_CONNS];
#if NET_UDP_PORTS
	struct udp_binding udp[NET_UDP_PORTS];
#endif
#if NET_ARP_HOLD_RAM
	uint8_t hold_ram[NET_ARP_ENTRIES][NET_ARP_HOLD_RAM]; /* ARP slots without device memory */
#endif
	NET_STAT_T stats[NET_STAT_COUNT];
};

/* Fills cfg with the defaults (RFC 5961 on, RFC 1337 off, TIME-WAIT kept
 * when the pool is full (NET_PROFILE_TW_RECYCLE off), RTO 1 s initial,
 * 1 s min, 60 s max, 2*MSL 60 s, FIN-WAIT-2 60 s, ARP age 5 min); addresses
 * and key zero. */
void net_config_defaults(struct net_config *cfg);
/* Binds the stack to a device and a configuration (kept by pointer). */
void net_init(struct net_stack *s, const struct net_config *cfg, const struct netdev *dev, net_time_t now);
/* Processes received frames (at most NET_POLL_BUDGET) and expired timers;
 * returns the next time it needs to run (NET_TIME_NEVER if none; `now` if
 * frames may still be waiting). Call it again on that time or when the
 * device signals a frame. Timers run on whole milliseconds of `now`: one
 * due at millisecond m fires on the first call with now >= m * 1 ms.
 * Timers started by tcp_* calls made between two net_poll() calls count
 * from the second one (the stack's clock is only set here). */
net_time_t net_poll(struct net_stack *s, net_time_t now);
void net_set_profile(struct net_stack *s, uint8_t profile);
NET_STAT_T net_stat(const struct net_stack *s, enum net_stat_id id);
const char *net_stat_name(enum net_stat_id id);
/* ARP entries in use (valid or pending). */
unsigned arp_entries_in_use(const struct net_stack *s);
/* Forget every ARP entry (e.g. on a topology change; tests). */
void arp_flush(struct net_stack *s);

#ifdef __cplusplus
}
#endif
#endif /* CORE_NET_H */
