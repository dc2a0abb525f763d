/*
 * ipv4.c - IPv4 input and output (RFC 791, RFC 1122 §3.2).
 *
 * Input (from net.c): reads the header (options included, at most 60
 * bytes) into a scratch buffer, lets the codec check version, IHL, header
 * checksum and total length, then hands the layer-4 payload to ICMP, UDP
 * or TCP. The datagram length is the header's total length, never the
 * frame length: the ENC28J60 (and every Ethernet) pads short frames to 60
 * bytes, and the seed capture's SYN-ACK carries 6 trailing pad bytes.
 * IP options are skipped by the header length, never interpreted.
 * Fragments are dropped and counted (no reassembly on a 2 KB MCU).
 * Datagrams to a broadcast or multicast address, at link or IP level, are
 * flagged so no layer answers them with a RST or an ICMP error (MUST-57).
 *
 * Output (from tcp_out.c, icmp.c, udp.c): ip_output_begin() resolves the
 * next hop (arp.c), starts the device frame and writes Ethernet + IPv4
 * headers; the caller appends its layer-4 bytes; ip_output_end() sends.
 */
#include <string.h>

#include "net_internal.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

bool ip_is_bcast_or_mcast(const struct net_stack *s, uint32_t ip)
{
	uint32_t host = ~s->cfg->netmask;

	if (ip == 0xFFFFFFFFu || (uint8_t)((uint8_t)(ip >> 24) & 0xF0u) == 0xE0u)
		return true; /* limited broadcast, class D */
	/* Directed broadcast of our subnet: our network, every host bit set
	 * (one comparison with our address ORed with the host bits). */
	return host != 0 && host != 0xFFFFFFFFu && ip == (s->cfg->ip | host);
}

uint32_t ip_next_hop(const struct net_stack *s, uint32_t dst)
{
	const struct net_config *c = s->cfg;

	/* Off our subnet (the bits where dst and our address differ, under
	 * the mask) and a gateway to send it to. */
	if (((dst ^ c->ip) & c->netmask) != 0 && c->gateway != 0)
		return c->gateway;
	return dst;
}

void ip_input(struct net_stack *s, struct net_rx *rx)
{
	/* One object, the repr first: on AVR its fields then sit within the
	 * 63-byte reach of a frame-pointer load, not past the header bytes. */
	struct {
		struct ipv4_repr ip;
		uint8_t h[NET_SCRATCH];
	} f;
	uint16_t avail;
	uint8_t hl;
	enum net_stat_id why;

	NET_INC(s, IP_RX);
	if (rx->frame_len < ETH_HDR_LEN + IPV4_HDR_MIN) {
		why = NET_STAT_ETH_RUNT;
		goto drop;
	}
	avail = (uint16_t)(rx->frame_len - ETH_HDR_LEN);
	net_rx_read(s, ETH_HDR_LEN, f.h, IPV4_HDR_MIN);
	hl = (uint8_t)((f.h[IPV4_OFF_VHL] & 0x0Fu) * 4u);
	if (hl > IPV4_HDR_MIN && hl <= avail)
		net_rx_read(s, ETH_HDR_LEN + IPV4_HDR_MIN, f.h + IPV4_HDR_MIN, (uint16_t)(hl - IPV4_HDR_MIN));
	/* The codec reads only the hl header bytes held in h; `avail` is what
	 * total_len is checked against. */
	switch (ipv4_parse(f.h, avail, &f.ip)) {
	case WIRE_OK:
		break;
	case WIRE_ERR_CHECKSUM:
		why = NET_STAT_IP_CHECKSUM;
		goto drop;
	case WIRE_ERR_TRUNCATED:
	case WIRE_ERR_MALFORMED:
	case WIRE_ERR_UNSUPPORTED:
		/* One reason per check, in ipv4_parse()'s order: version, IHL
		 * below 5, then lengths (a header or total length past the
		 * frame, a total length below the header). Read from the first
		 * byte again: on AVR that is 90 B of flash cheaper than keeping
		 * hl and avail live across the parse. */
		why = NET_STAT_IP_BAD_LENGTH;
		if ((f.h[IPV4_OFF_VHL] & 0x0Fu) < IPV4_HDR_MIN / 4u)
			why = NET_STAT_IP_BAD_IHL;
		if ((f.h[IPV4_OFF_VHL] & 0xF0u) != 0x40u)
			why = NET_STAT_IP_BAD_VERSION;
		goto drop;
	}
	if (ipv4_is_fragment(&f.ip)) {
		why = NET_STAT_IP_FRAGMENT;
		goto drop;
	}
	if (ip_is_bcast_or_mcast(s, f.ip.src) || f.ip.src == 0) {
		why = NET_STAT_IP_BAD_SRC;
		goto drop;
	}
	if (ip_is_bcast_or_mcast(s, f.ip.dst))
		rx->mcast = true;
	else if (f.ip.dst != s->cfg->ip) {
		why = NET_STAT_IP_NOT_US;
		goto drop;
	}
	rx->src = f.ip.src;
	rx->dst = f.ip.dst;
	rx->ip_hlen = f.ip.hdr_len;
	rx->l4_off = (uint16_t)(ETH_HDR_LEN + f.ip.hdr_len);
	rx->l4_len = (uint16_t)(f.ip.total_len - f.ip.hdr_len);
	switch (f.ip.proto) {
	case IPV4_PROTO_ICMP:
		icmp_input(s, rx);
		return;
	case IPV4_PROTO_UDP:
		udp_input(s, rx);
		return;
	case IPV4_PROTO_TCP:
		tcp_input(s, rx);
		return;
	default:
		icmp_send_unreach(s, rx, ICMP_UNREACH_PROTO);
		why = NET_STAT_IP_PROTO;
		goto drop;
	}
drop:
	net_count(s, why);
}

int ip_output_begin(struct net_stack *s, uint32_t dst, const uint8_t *dst_mac, uint8_t proto, uint16_t l4_len)
{
	const struct netdev_ops *o = s->dev.ops;
	uint8_t f[ETH_HDR_LEN + IPV4_HDR_MIN];
	struct ipv4_repr ip;

	/* dst_mac NULL after this block: the Ethernet broadcast address
	 * (net_eth_header). */
	if (!dst_mac) {
		if (ip_is_bcast_or_mcast(s, dst)) {
			/* only UDP sends here; multicast MACs not mapped */
		} else {
			uint32_t hop = ip_next_hop(s, dst);

			dst_mac = arp_resolve(s, hop);
			if (!dst_mac) {
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
				/* TCP rebuilds from its TCB (arp.c); others are held,
				 * the link address filled in on the reply. */
				if (proto != IPV4_PROTO_TCP &&
				    arp_hold_begin(s, hop, (uint16_t)(ETH_HDR_LEN + IPV4_HDR_MIN + l4_len))) {
					/* broadcast until the reply fills it in */
				} else
#endif
				{
					NET_INC(s, ARP_PENDING_DROP);
					return -1;
				}
			}
		}
	}
	memset(&ip, 0, sizeof(ip));
	ip.src = s->cfg->ip;
	ip.dst = dst;
	ip.proto = proto;
	ip.ttl = 64;
	ip.id = s->ip_id++;
	ip.frag = IPV4_FLAG_DF;
	ip.total_len = (uint16_t)(IPV4_HDR_MIN + l4_len);
	net_eth_header(s, f, dst_mac, ETH_TYPE_IPV4);
	ipv4_emit(&ip, f + ETH_HDR_LEN, IPV4_HDR_MIN);
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
	if (s->hold) {
		arp_hold_write(s, f, sizeof(f));
		return 0;
	}
#endif
	if (o->tx_begin(s->dev.dev) != 0) {
		NET_INC(s, IP_TX_FAIL);
		return -2;
	}
	o->tx_write(s->dev.dev, f, sizeof(f));
	return 0;
}

void ip_output_end(struct net_stack *s)
{
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
	if (s->hold) {
		arp_hold_end(s);
		return;
	}
#endif
	if (s->dev.ops->tx_send(s->dev.dev) != 0)
		NET_INC(s, IP_TX_FAIL);
	else
		NET_INC(s, IP_TX);
}
