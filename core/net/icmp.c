/*
 * icmp.c - ICMPv4 (RFC 792, RFC 1122 §3.2.2): echo replies, and the two
 * destination-unreachable errors the stack generates (protocol unreachable
 * for an IPv4 protocol we do not serve, port unreachable for UDP to a
 * closed port).
 *
 * Called by ipv4.c (icmp_input, icmp_send_unreach) and udp.c
 * (icmp_send_unreach). Replies go back to the link address the request came
 * from, so answering never waits for ARP. The echo payload is copied from
 * the received frame to the transmit frame through a 32-byte buffer; the
 * reply checksum is the request's, adjusted for the changed type (RFC 1624).
 * No error is ever sent about a broadcast/multicast datagram (MUST-57,
 * RFC 1122 §3.2.2). Errors received (destination unreachable, time
 * exceeded, parameter problem) go to tcp_icmp.c, which finds the
 * connection they name; Source Quench is discarded (RFC 6633).
 */
#include <string.h>

#include "net_internal.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

void icmp_input(struct net_stack *s, const struct net_rx *rx)
{
	uint8_t h[ICMP_HDR_LEN], buf[32];
	struct wire_csum c;
	uint16_t off, left, csum;
	uint32_t sum;
	enum net_stat_id why;

	NET_INC(s, ICMP_RX);
	if (rx->l4_len < ICMP_HDR_LEN) {
		why = NET_STAT_ICMP_MALFORMED;
		goto drop;
	}
	wire_csum_init(&c);
	net_rx_csum(s, &c, rx->l4_off, rx->l4_len);
	if (wire_csum_fold(&c) != 0) {
		why = NET_STAT_ICMP_MALFORMED;
		goto drop;
	}
	net_rx_read(s, rx->l4_off, h, ICMP_HDR_LEN);
#if NET_TCP_ICMP
	/* Errors about a datagram we sent: to its connection (tcp_icmp.c).
	 * One sent to a broadcast or multicast address is not about ours. */
	if (!rx->mcast && (h[0] == ICMP_DEST_UNREACH || h[0] == ICMP_TIME_EXCEEDED || h[0] == ICMP_PARAM_PROBLEM)) {
		why = tcp_icmp_error(s, rx, h[0], h[1]);
		goto drop;
	}
#endif
	if (h[0] != ICMP_ECHO_REQUEST || h[1] != 0) {
		why = NET_STAT_ICMP_UNHANDLED;
		goto drop;
	}
	if (rx->mcast) {
		why = NET_STAT_ICMP_BCAST;
		goto drop;
	}
	if (ip_output_begin(s, rx->src, rx->src_mac, IPV4_PROTO_ICMP, rx->l4_len) != 0)
		return; /* counted by ipv4.c */
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m = 0x0800 -> m' = 0x0000.
	 * Two 16-bit terms: one end-around carry folds their sum (at most
	 * 0x1FFFE) back into 16 bits. */
	sum = (uint32_t)(uint16_t)~wire_get16(h + 2) + (uint16_t)~((uint16_t)ICMP_ECHO_REQUEST << 8);
	csum = (uint16_t)~(uint16_t)(sum + (sum >> 16));
	h[0] = ICMP_ECHO_REPLY;
	wire_put16(h + 2, csum);
	net_tx_write(s, h, ICMP_HDR_LEN);
	off = (uint16_t)(rx->l4_off + ICMP_HDR_LEN);
	left = (uint16_t)(rx->l4_len - ICMP_HDR_LEN);
	while (left) {
		uint16_t k = left < sizeof(buf) ? left : (uint16_t)sizeof(buf);

		net_rx_read(s, off, buf, k);
		net_tx_write(s, buf, k);
		off = (uint16_t)(off + k);
		left = (uint16_t)(left - k);
	}
	ip_output_end(s);
	NET_INC(s, ICMP_ECHO_REPLIES);
	return;
drop:
	if (why != NET_STAT_COUNT)
		net_count(s, why);
}

#if NET_ICMP_ERRORS
/* Destination unreachable quoting the offending IP header and the first 8
 * bytes of its payload (RFC 792). */
void icmp_send_unreach(struct net_stack *s, const struct net_rx *rx, uint8_t code)
{
	uint8_t m[ICMP_HDR_LEN + 60u + 8u];
	uint16_t q = (uint16_t)(rx->ip_hlen + (rx->l4_len < 8u ? rx->l4_len : 8u));

	if (rx->mcast) {
		NET_INC(s, ICMP_ERR_SUPPRESSED);
		return;
	}
	memset(m, 0, ICMP_HDR_LEN);
	m[0] = ICMP_DEST_UNREACH;
	m[1] = code;
	net_rx_read(s, rx->ip_off, m + ICMP_HDR_LEN, q);
	wire_put16(m + 2, wire_checksum(m, (size_t)ICMP_HDR_LEN + q));
	if (ip_output_begin(s, rx->src, rx->src_mac, IPV4_PROTO_ICMP, (uint16_t)(ICMP_HDR_LEN + q)) != 0)
		return;
	net_tx_write(s, m, (uint16_t)(ICMP_HDR_LEN + q));
	ip_output_end(s);
	NET_INC(s, ICMP_UNREACH_SENT);
}
#endif
