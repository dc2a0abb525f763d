/*
 * net_internal.h - what the stack's modules call in each other. Not for
 * applications (they use net.h, tcp.h, udp_api.h).
 *
 * Input call chain (all from net_poll() in net.c, one frame at a time):
 *   net.c eth dispatch -> arp_input()            (arp.c)
 *                      -> ip_input() (ipv4.c) -> icmp_input()  (icmp.c)
 *                                             -> udp_input()   (udp.c)
 *                                             -> tcp_input()   (tcp_in.c)
 * Output: tcp_out.c / icmp.c / udp.c -> ip_output_begin() (ipv4.c, resolves
 * the next hop through arp.c) -> tx_write of the layer-4 bytes ->
 * ip_output_end(). Timers: net_poll() -> arp_timers(), tcp_timers().
 */
#ifndef CORE_NET_INTERNAL_H
#define CORE_NET_INTERNAL_H

#include "net.h"
#include "tcp_seq.h"
#include "wire/tcp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Keeps a helper out of line (gcc and clang, every supported compiler).
 * Used where inlining would put a big local frame under the caller's
 * spills: an AVR frame access past 63 bytes costs 10 bytes of code. */
#define NET_NOINLINE __attribute__((noinline))

/* Counting is a call, not an inline increment: on AVR an increment at a
 * large offset into the instance costs twice the bytes of a call. */
void net_count(struct net_stack *s, enum net_stat_id id);
#define NET_INC(s, id) net_count((s), NET_STAT_##id)

/* Millisecond clock comparisons, modulo 2^32 (as sequence numbers). */
static inline bool ms_due(uint32_t now, uint32_t deadline) { return (int32_t)(now - deadline) >= 0; }
static inline bool ms_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
/* Milliseconds from now until deadline (0 if due). */
static inline uint32_t ms_left(uint32_t now, uint32_t deadline)
{
	return ms_due(now, deadline) ? 0u : deadline - now;
}
#define NET_MS_NEVER UINT32_MAX
/* How far ahead of RCV.NXT an urgent pointer can lie: SEG.SEQ is within
 * 64 KB of it (the window) and SEG.UP adds at most 64 KB (tcp_urgent_left). */
#define TCP_URG_AHEAD 0x20000u
/* The ms clock value at which a timer of `delay` ms started now is due:
 * rounded up, so it never fires before now + delay. */
uint32_t net_deadline(const struct net_stack *s, uint32_t delay);

/* The frame being processed, filled layer by layer on the C stack (so the
 * stack instance carries no per-frame state but the app reader). */
struct net_rx {
	uint16_t frame_len;
	uint8_t src_mac[6];
	bool mcast;      /* link or IP destination broadcast/multicast (MUST-57) */
	uint32_t src, dst;
	uint16_t ip_off; /* frame offset of the IPv4 header */
	uint8_t ip_hlen;
	uint16_t l4_off; /* frame offset of the layer-4 header */
	uint16_t l4_len; /* from IPv4 total length, not the frame length */
};

/* Frame access through the netdev. Calls, not inlines, for the same reason
 * as net_count(): each inline indirect call costs ~20 bytes of AVR code. */
void net_rx_read(struct net_stack *s, uint16_t off, uint8_t *buf, uint16_t n);
void net_tx_write(struct net_stack *s, const uint8_t *p, uint16_t n);
/* Writes the Ethernet header (to dst, or ff:ff:ff:ff:ff:ff when dst is
 * NULL, from our address, ethertype) into f[0..14), as eth_emit() lays
 * it out: the one copy for ARP and IPv4 output. */
void net_eth_header(const struct net_stack *s, uint8_t *f, const uint8_t *dst, uint16_t ethertype);
/* Adds frame bytes [off, off+n) to a checksum: by the device when it can
 * (netdev rx_csum), else read through a small buffer. */
void net_rx_csum(struct net_stack *s, struct wire_csum *c, uint16_t off, uint16_t n);
/* Adds a device-computed partial sum of n bytes (see netdev.h) at the
 * checksum's current byte position. */
void net_csum_add_partial(struct wire_csum *c, uint16_t sum, uint16_t n);

/* arp.c */
void arp_input(struct net_stack *s, const struct net_rx *rx);
const uint8_t *arp_resolve(struct net_stack *s, uint32_t next_hop);
/* Timers return the milliseconds until their next deadline, NET_MS_NEVER
 * for none. */
uint32_t arp_timers(struct net_stack *s);
void arp_gratuitous(struct net_stack *s);
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
/* Output of a frame of len bytes to the unresolved next_hop goes into its
 * entry's slot instead of the device (true), replacing a held one; false
 * when there is no slot for it. */
bool arp_hold_begin(struct net_stack *s, uint32_t next_hop, uint16_t len);
void arp_hold_write(struct net_stack *s, const uint8_t *p, uint16_t n);
void arp_hold_end(struct net_stack *s);
#endif

/* ipv4.c */
void ip_input(struct net_stack *s, struct net_rx *rx);
bool ip_is_bcast_or_mcast(const struct net_stack *s, uint32_t ip);
/* Starts a frame to dst carrying l4_len bytes of proto: resolves the link
 * address (or uses dst_mac when given: replies go back to the frame's
 * sender), begins the device frame and writes Ethernet + IPv4 headers.
 * Returns 0 (also when the next hop is being resolved and the
 * frame goes into its ARP entry's pending-frame slot instead, arp.c); -1
 * when it is being resolved and the frame is not held (TCP, or no slot:
 * counted, nothing sent); -2 when the device refused. */
int ip_output_begin(struct net_stack *s, uint32_t dst, const uint8_t *dst_mac, uint8_t proto, uint16_t l4_len);
void ip_output_end(struct net_stack *s);

/* icmp.c */
void icmp_input(struct net_stack *s, const struct net_rx *rx);
/* tcp_icmp.c: an ICMP error (type 3, 11 or 12, code) about one of our
 * segments, acted on; returns the drop counter, or NET_STAT_COUNT when a
 * connection took it. */
enum net_stat_id tcp_icmp_error(struct net_stack *s, const struct net_rx *rx, uint8_t type, uint8_t code);
#if NET_ICMP_ERRORS
void icmp_send_unreach(struct net_stack *s, const struct net_rx *rx, uint8_t code);
#else
#define icmp_send_unreach(s, rx, code) ((void)(s), (void)(rx), (void)(code))
#endif

/* udp.c */
void udp_input(struct net_stack *s, const struct net_rx *rx);

/* tcp_in.c */
void tcp_input(struct net_stack *s, const struct net_rx *rx);

/* tcp_out.c */
void tcp_output(struct net_stack *s, struct tcp_pcb *c);
void tcp_output_full(struct net_stack *s, struct tcp_pcb *c);
void tcp_output_override(struct net_stack *s, struct tcp_pcb *c);
void tcp_send_ack(struct net_stack *s, struct tcp_pcb *c);
bool tcp_challenge_ack(struct net_stack *s, struct tcp_pcb *c);
/* Reset generation, RFC 9293 §3.5.2 groups 1 and 2, built from the
 * offending segment: ACK set -> <SEQ=SEG.ACK><CTL=RST>, else
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Never answers a RST. */
void tcp_send_rst_reply(struct net_stack *s, const struct net_rx *rx, const struct tcp_repr *seg,
			uint16_t payload_len);
/* RST for our own connection: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>. */
void tcp_send_rst_pcb(struct net_stack *s, struct tcp_pcb *c);
/* Go back to SND.UNA and send again (timeout, ARP resolved). */
void tcp_resend(struct net_stack *s, struct tcp_pcb *c, bool probe);
void tcp_ring_write(struct net_stack *s, struct tcp_pcb *c, uint16_t off, const uint8_t *p, uint16_t n);

/* tcp_timer.c */
uint32_t tcp_timers(struct net_stack *s);
void tcp_arm_rtx(struct net_stack *s, struct tcp_pcb *c);
void tcp_arm_finwait2(struct net_stack *s, struct tcp_pcb *c);
void tcp_rebase(struct net_stack *s);
/* Takes an RTT sample if one is being timed and ack covers it. */
void tcp_rtt_sample(struct net_stack *s, struct tcp_pcb *c, uint32_t ack);
void tcp_arp_resolved(struct net_stack *s, uint32_t next_hop);
uint32_t ip_next_hop(const struct net_stack *s, uint32_t dst);

/* tcp_isn.c */
uint64_t net_siphash(const uint8_t key[16], const uint8_t *msg, uint8_t len);
uint32_t net_halfsiphash(const uint8_t key[8], const uint8_t *msg, uint8_t len);
uint32_t tcp_isn(struct net_stack *s, uint32_t rip, uint16_t lport, uint16_t rport);
uint16_t tcp_ephemeral_port(struct net_stack *s, uint32_t rip, uint16_t rport);

/* tcp.c */
struct tcp_pcb *tcp_pcb_alloc(struct net_stack *s);
struct tcp_pcb *tcp_pcb_find(struct net_stack *s, uint32_t rip, uint16_t lport, uint16_t rport);
struct tcp_listener *tcp_listener_find(struct net_stack *s, uint16_t port);
/* A fresh block for rip:rport <-> lport with the application's callback,
 * its defaults, and SND.UNA = SND.NXT = SND.MAX = the ISS (tcp_isn). */
void tcp_pcb_init(struct net_stack *s, struct tcp_pcb *c, uint32_t rip, uint16_t lport, uint16_t rport,
		  tcp_event_fn cb, void *ctx);
/* Tells the application (if attached). */
void tcp_event(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n);
/* Frees the block, then tells the application ev (its handle is dead). */
void tcp_finish(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev);
/* Frees the block without an event. */
void tcp_pcb_free(struct net_stack *s, struct tcp_pcb *c);
uint16_t tcp_rcv_wnd_default(const struct net_stack *s);

#ifdef __cplusplus
}
#endif
#endif /* CORE_NET_INTERNAL_H */
