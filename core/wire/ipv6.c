/*
 * ipv6.c - IPv6 header codec (RFC 8200 §3, §4). The capture tools call it
 * for frames carrying IPv6 (Ethernet type 0x86DD, a Linux cooked header
 * with that protocol, raw IP with version 6, BSD loopback AF_INET6) and
 * then hand the upper-layer bytes to tcp_parse(); the TCP rules they check
 * do not depend on the IP version. The datagram length comes from the
 * Payload Length field, never from the frame length.
 */
#include "ipv6.h"

#include <string.h>

#define IPV6_VERSION 6u
#define FRAG_HDR_LEN 8u
#define FRAG_OFF_MASK 0xFFF8u
#define FRAG_M 0x0001u

/* Length in bytes of the extension header at p (8-byte units plus one,
 * except AH which counts 4-byte units plus two: RFC 4302 §2.2). */
static size_t ext_len(uint8_t nh, const uint8_t *p)
{
	if (nh == IPV6_NH_FRAGMENT)
		return FRAG_HDR_LEN;
	if (nh == IPV6_NH_AH)
		return ((size_t)p[1] + 2u) * 4u;
	return ((size_t)p[1] + 1u) * 8u;
}

static bool is_ext(uint8_t nh)
{
	return nh == IPV6_NH_HOPOPTS || nh == IPV6_NH_ROUTING || nh == IPV6_NH_FRAGMENT || nh == IPV6_NH_AH ||
	       nh == IPV6_NH_DSTOPTS;
}

int ipv6_parse(const uint8_t *buf, size_t len, struct ipv6_repr *r)
{
	if (len < IPV6_HDR_LEN)
		return WIRE_ERR_TRUNCATED;
	if ((buf[IPV6_OFF_VTF] >> 4) != IPV6_VERSION)
		return WIRE_ERR_MALFORMED;
	uint16_t plen = wire_get16(buf + IPV6_OFF_PLEN);
	if ((size_t)IPV6_HDR_LEN + plen > len)
		return WIRE_ERR_TRUNCATED;
	if (plen == 0 && buf[IPV6_OFF_NEXT] == IPV6_NH_HOPOPTS)
		return WIRE_ERR_UNSUPPORTED; /* a jumbogram's length is in an option */

	uint32_t vtf = wire_get32(buf + IPV6_OFF_VTF);
	r->traffic_class = (uint8_t)(vtf >> 20);
	r->flow_label = vtf & 0xFFFFFu;
	r->payload_len = plen;
	r->hop_limit = buf[IPV6_OFF_HLIM];
	memcpy(r->src, buf + IPV6_OFF_SRC, IPV6_ADDR_LEN);
	memcpy(r->dst, buf + IPV6_OFF_DST, IPV6_ADDR_LEN);
	r->fragment = false;

	size_t end = (size_t)IPV6_HDR_LEN + plen, off = IPV6_HDR_LEN;
	uint8_t nh = buf[IPV6_OFF_NEXT];
	while (is_ext(nh)) {
		if (off + 2u > end)
			return WIRE_ERR_MALFORMED;
		size_t n = ext_len(nh, buf + off);
		if (off + n > end)
			return WIRE_ERR_MALFORMED;
		if (nh == IPV6_NH_FRAGMENT && (wire_get16(buf + off + 2u) & (FRAG_OFF_MASK | FRAG_M)) != 0)
			r->fragment = true;
		nh = buf[off];
		off += n;
	}
	r->proto = nh;
	r->hdr_len = (uint16_t)off;
	return WIRE_OK;
}

void ipv6_pseudo_csum(struct wire_csum *c, const uint8_t src[IPV6_ADDR_LEN], const uint8_t dst[IPV6_ADDR_LEN],
		      uint8_t proto, uint32_t l4_len)
{
	wire_csum_add(c, src, IPV6_ADDR_LEN);
	wire_csum_add(c, dst, IPV6_ADDR_LEN);
	wire_csum_add16(c, (uint16_t)(l4_len >> 16));
	wire_csum_add16(c, (uint16_t)l4_len);
	wire_csum_add16(c, 0);
	wire_csum_add16(c, proto);
}
