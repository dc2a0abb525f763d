/*
 * udp.c - the minimum of UDP (RFC 768) for a small service such as echo:
 * bound ports with a callback, the payload read straight from the received
 * frame (udp_recv inside the callback), udp_sendto from RAM, and ICMP port
 * unreachable for closed ports (never for broadcast/multicast, MUST-57).
 *
 * Called by ipv4.c (udp_input) and by applications (udp_bind, udp_recv,
 * udp_sendto). The checksum of a received datagram is verified by streaming
 * the frame through the sum, so no datagram buffer is needed.
 */
#include <string.h>

#include "net_internal.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

/* c starts as the pseudo-header's sum (RFC 768) for len bytes of UDP. Out
 * of line: the codec call's five arguments would otherwise occupy the
 * registers udp_input must save. */
static NET_NOINLINE void pseudo_header(struct wire_csum *c, const struct net_rx *rx, uint16_t len)
{
	wire_csum_init(c);
	ipv4_pseudo_csum(c, rx->src, rx->dst, IPV4_PROTO_UDP, len);
}

void udp_input(struct net_stack *s, const struct net_rx *rx)
{
	uint8_t h[UDP_HDR_LEN];
	struct udp_repr u;
	enum net_stat_id why;
#if NET_UDP_PORTS
	uint8_t i;
#endif

	NET_INC(s, UDP_RX);
	if (rx->l4_len < UDP_HDR_LEN) {
		why = NET_STAT_UDP_MALFORMED;
		goto drop;
	}
	net_rx_read(s, rx->l4_off, h, UDP_HDR_LEN);
	if (udp_parse(h, rx->l4_len, &u) != WIRE_OK) {
		why = NET_STAT_UDP_MALFORMED;
		goto drop;
	}
	if (u.checksum != 0) {
		struct wire_csum c;

		pseudo_header(&c, rx, u.len);
		net_rx_csum(s, &c, rx->l4_off, u.len);
		if (wire_csum_fold(&c) != 0) {
			why = NET_STAT_UDP_CHECKSUM;
			goto drop;
		}
	}
#if NET_UDP_PORTS
	for (i = 0; i < NET_UDP_PORTS; i++) {
		struct udp_binding *b = &s->udp[i];

		if (b->port != 0 && b->port == u.dst_port) {
			struct udp_dgram d;

			d.src_ip = rx->src;
			d.src_port = u.src_port;
			d.dst_port = u.dst_port;
			d.len = (uint16_t)(u.len - UDP_HDR_LEN);
			s->rx_pcb = NULL;
			s->rx_off = (uint16_t)(rx->l4_off + UDP_HDR_LEN);
			s->rx_left = d.len;
			NET_INC(s, UDP_DELIVERED);
			b->cb(s, &d, b->ctx);
			s->rx_left = 0;
			return;
		}
	}
#endif
	icmp_send_unreach(s, rx, ICMP_UNREACH_PORT);
	why = NET_STAT_UDP_NO_PORT;
drop:
	net_count(s, why);
}

int udp_bind(struct net_stack *s, uint16_t port, udp_recv_fn cb, void *ctx)
{
#if NET_UDP_PORTS
	uint8_t i;

	if (port == 0 || !cb)
		return -1;
	for (i = 0; i < NET_UDP_PORTS; i++) {
		if (s->udp[i].port == 0) {
			s->udp[i].port = port;
			s->udp[i].cb = cb;
			s->udp[i].ctx = ctx;
			return 0;
		}
	}
#else
	(void)s; (void)port; (void)cb; (void)ctx;
#endif
	return -2;
}

int udp_unbind(struct net_stack *s, uint16_t port)
{
#if NET_UDP_PORTS
	uint8_t i;

	for (i = 0; i < NET_UDP_PORTS; i++) {
		if (s->udp[i].port == port) {
			memset(&s->udp[i], 0, sizeof(s->udp[i]));
			return 0;
		}
	}
#else
	(void)s; (void)port;
#endif
	return -1;
}

uint16_t udp_recv(struct net_stack *s, void *buf, uint16_t len)
{
	uint16_t k = len < s->rx_left ? len : s->rx_left;

	if (s->rx_pcb || k == 0)
		return 0;
	net_rx_read(s, s->rx_off, buf, k);
	s->rx_off = (uint16_t)(s->rx_off + k);
	s->rx_left = (uint16_t)(s->rx_left - k);
	return k;
}

int udp_sendto(struct net_stack *s, uint16_t sport, uint32_t dst, uint16_t dport, const void *data, uint16_t len)
{
	uint8_t h[UDP_HDR_LEN];
	struct wire_csum c;
	uint16_t ul = (uint16_t)(UDP_HDR_LEN + len), v;
	int e;

	wire_put16(h, sport);
	wire_put16(h + 2, dport);
	wire_put16(h + 4, ul);
	wire_put16(h + 6, 0);
	wire_csum_init(&c);
	ipv4_pseudo_csum(&c, s->cfg->ip, dst, IPV4_PROTO_UDP, ul);
	wire_csum_add(&c, h, UDP_HDR_LEN);
	wire_csum_add(&c, data, len);
	v = wire_csum_fold(&c);
	wire_put16(h + 6, v == 0 ? 0xFFFFu : v);
	e = ip_output_begin(s, dst, NULL, IPV4_PROTO_UDP, ul);
	if (e != 0)
		return e;
	net_tx_write(s, h, UDP_HDR_LEN);
	if (len)
		net_tx_write(s, data, len);
	ip_output_end(s);
	return 0;
}
