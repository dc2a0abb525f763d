/*
 * tcp_harness.h - packet-in/packet-out harness for the stack tests
 * (STYLE 18: smoltcp's send!/recv!/recv_nothing! with templates, lwIP's
 * tcp_create_rx_segment with sequence offsets).
 *
 * One stack ("us", 192.168.1.2) on a fake netdev, one scripted peer
 * (192.168.1.10). Sequence numbers in IN/OUT are relative: the peer's
 * offsets count from H.peer_iss, ours from H.our_iss, which the harness
 * learns from our first SYN or SYN-ACK (packetdrill's model). *_ABS
 * variants take absolute numbers (the seed's "ack 0").
 *
 *   IN(TCP_SYN, 0, 0);                 peer sends SYN seq=peer_iss
 *   OUT(TCP_SYN | TCP_ACK, 0, 1);      we answer seq=our_iss ack=peer_iss+1
 *   OUT_NOTHING();                     and nothing else is queued
 *
 * Helpers h_to_<state>() build a connection in each RFC 9293 state.
 * h_teardown() is the leak check (lwIP lwip_check_ensure_no_alloc): no
 * unexpected frame left, every connection the application holds aborted,
 * then time runs until every timer is done and every pool must be empty.
 */
#ifndef TCP_HARNESS_H
#define TCP_HARNESS_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "fake_netdev.h"
#include "net.h"
#include "net_internal.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define H_OUR_IP 0xC0A80102u  /* 192.168.1.2 */
#define H_PEER_IP 0xC0A8010Au /* 192.168.1.10 */
#define H_GW_IP 0xC0A80101u   /* 192.168.1.1 */
#define H_SERVER_PORT 8888u   /* the seed's port */
#define H_CLIENT_PORT 51486u  /* the seed's client port */
#define H_PEER_WIN 64240u

enum h_policy {
	H_READ_ALL,     /* read everything offered */
	H_READ_NONE,    /* read nothing */
	H_READ_LIMIT,   /* read at most H.read_limit per event */
	H_CLOSE_UNREAD, /* call tcp_close() without reading (SHLD-3) */
	H_ECHO,         /* read and send it back */
};

struct h_seg {
	uint8_t eth_dst[6], eth_src[6];
	uint16_t ethertype;
	struct ipv4_repr ip;
	struct tcp_repr tcp;
	uint16_t plen;
	uint8_t payload[1500];
};

#define H_MAX_EVENTS 64u

struct harness {
	struct fake_netdev dev;
	struct net_stack st;
	struct net_config cfg;
	net_time_t now;
	uint8_t our_mac[6], peer_mac[6];
	uint32_t peer_ip;
	uint16_t lport, rport;
	uint32_t our_iss, peer_iss;
	bool iss_known;
	uint16_t peer_win;
	uint16_t peer_urg; /* urgent field of injected segments with URG set */
	uint32_t forced_iss;
	bool force_iss;
	/* the application */
	struct tcp_pcb *conn;
	enum tcp_event ev[H_MAX_EVENTS];
	uint16_t ev_n[H_MAX_EVENTS];
	unsigned ev_count, ev_read;
	enum h_policy policy;
	uint16_t read_limit;
	uint8_t rx[16384];
	unsigned rx_len;
	struct h_seg last; /* the last segment OUT() matched */
};

extern struct harness H;

/* Stack up, link up, gratuitous ARP consumed, the peer's MAC learned from
 * an ARP request it sent (our reply consumed). */
void h_setup(void);
void h_setup_nomem(void); /* same, netdev without device memory */
/* Stack initialised only: nothing polled, nothing consumed. */
void h_setup_bare(bool devmem);
void h_teardown(void);

void h_poll(void);
void h_advance(net_time_t dt);
net_time_t h_next_deadline(void);

/* Inject a TCP segment from the peer (absolute numbers), then poll. */
void h_seg_in(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, const struct tcp_options *opt,
	      const void *data, uint16_t len);
#define IN(fl, s, a) h_seg_in((fl), H.peer_iss + (uint32_t)(s), H.our_iss + (uint32_t)(a), H.peer_win, NULL, NULL, 0)
#define IN_DATA(fl, s, a, d, n) \
	h_seg_in((fl), H.peer_iss + (uint32_t)(s), H.our_iss + (uint32_t)(a), H.peer_win, NULL, (d), (n))
#define IN_WIN(fl, s, a, w) h_seg_in((fl), H.peer_iss + (uint32_t)(s), H.our_iss + (uint32_t)(a), (w), NULL, NULL, 0)
#define IN_ABS(fl, s, a) h_seg_in((fl), (s), (a), H.peer_win, NULL, NULL, 0)

/* Pop the next frame as a TCP segment and check flags, seq, ack (ack only
 * when ACK is expected), payload length. */
enum h_mode { H_REL, H_ABS };
void h_expect_seg(const char *file, int line, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t plen,
		  enum h_mode mode);
void h_expect_nothing(const char *file, int line);
#define OUT(fl, s, a) h_expect_seg(__FILE__, __LINE__, (fl), (uint32_t)(s), (uint32_t)(a), 0, H_REL)
#define OUT_DATA(fl, s, a, n) h_expect_seg(__FILE__, __LINE__, (fl), (uint32_t)(s), (uint32_t)(a), (n), H_REL)
#define OUT_ABS(fl, s, a) h_expect_seg(__FILE__, __LINE__, (fl), (s), (a), 0, H_ABS)
#define OUT_NOTHING() h_expect_nothing(__FILE__, __LINE__)

/* Raw frames for ARP / IP / ICMP / UDP tests. */
uint16_t h_pop_frame(uint8_t *buf);
uint16_t h_build_ip(uint8_t *f, const uint8_t *eth_dst, uint32_t src, uint32_t dst, uint8_t proto,
		    const uint8_t *l4, uint16_t l4len);
void h_inject(const uint8_t *f, uint16_t len); /* padded to 60, then poll */

/* Application events. */
void h_expect_event(const char *file, int line, enum tcp_event ev);
void h_expect_no_event(const char *file, int line);
#define EVENT(e) h_expect_event(__FILE__, __LINE__, (e))
#define NO_EVENT() h_expect_no_event(__FILE__, __LINE__)
void h_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx);

/* The connection between us and the peer (NULL if none) and its state. */
struct tcp_pcb *h_pcb(void);
enum tcp_state h_state(void);
#define STATE_IS(st) \
	ck_assert_msg(h_state() == (st), "state: expected %s vs actual %s", tcp_state_name(st), \
		      tcp_state_name(h_state()))
#define STAT(id) net_stat(&H.st, NET_STAT_##id)

/* Build a connection in each state (passive: we listen on 8888 and the
 * peer connects from 51486; active: we connect to the peer's 8888). After
 * each: our next seq is our_iss+1 (+1 more once our FIN is sent), the
 * next expected from the peer peer_iss+1 (+1 after its FIN). */
void h_listen(void);
void h_to_syn_received(void);
void h_to_established(void); /* passive */
void h_to_syn_sent(void);
void h_to_established_active(void);
void h_to_fin_wait_1(void);
void h_to_fin_wait_2(void);
void h_to_close_wait(void);
void h_to_last_ack(void);
void h_to_closing(void);
void h_to_time_wait(void);

/* The MSS option the default configuration advertises (net_opts.h). */
#define TEST_OUR_MSS                                                                                   \
	(NET_TCP_RCV_MSS != 0u ? (NET_TCP_RCV_MSS < NET_TCP_RCV_WND ? NET_TCP_RCV_MSS : NET_TCP_RCV_WND)     \
			       : (NET_TCP_RCV_WND < 1460u ? NET_TCP_RCV_WND : 1460u))

#endif
