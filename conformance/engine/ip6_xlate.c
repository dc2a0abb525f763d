/*
 * ip6_xlate.c - IPv6 runs (packetdrill's --ip_version=ipv6): the
 * translation between the runner's IPv4 datagrams and the IPv6 ones on
 * the wire. The tap DUT translates what it injects and reads
 * (dut_tap_v6.c); the failure pcap translates its log (pcap_out.c).
 *
 * The runner builds and checks IPv4 datagrams whose addresses stand for
 * the run's IPv6 ones (dut.h: dut_ip <-> dut_ip6, peer_ip <-> peer_ip6; any
 * other IPv4 address X <-> peer_ip6's first 96 bits followed by X). Each
 * datagram is translated the way a stateless IP/ICMP translator does it
 * (RFC 7915, with the address mapping above instead of its prefixes):
 *   - IPv4 TOS <-> IPv6 traffic class (ECN bits included), TTL <-> hop
 *     limit; IPv4's identification and DF do not exist in IPv6 (RFC 8200
 *     has no in-path fragmentation);
 *   - TCP and UDP checksums are recomputed over the IPv6 pseudo-header
 *     (RFC 8200 8.1: "Any transport or other upper-layer protocol that
 *     includes the addresses from the IP header in its checksum
 *     computation must be modified for use over IPv6"); a datagram from the
 *     DUT whose IPv6 checksum is wrong keeps a wrong IPv4 one, so the
 *     runner still reports it;
 *   - ICMP: packetdrill's `icmp` lines in an IPv6 script name ICMPv6 types
 *     and codes (script.h: icmp.v6), so the runner's ICMP message already
 *     carries ICMPv6 numbers: it goes out as ICMPv6 (next header 58,
 *     RFC 4443 2.3's checksum over the pseudo-header), its quoted IPv4
 *     header becomes the quoted IPv6 header of the DUT's datagram
 *     (RFC 4443 3.1: "As much of invoking packet as possible"); the MTU of
 *     a Packet Too Big is the 32-bit field after the checksum (RFC 4443
 *     3.2), which the runner writes as identifier 0 and sequence MTU. Back
 *     from the DUT, the same in reverse.
 */
#include "ip6_xlate.h"

#include <errno.h>
#include <string.h>

#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* IPv4 stand-in -> IPv6 address of the run. */
static void map_to6(const struct ip6_map *t, uint32_t a, uint8_t out[16])
{
	if (a == t->dut_ip) {
		memcpy(out, t->dut_ip6, 16);
	} else if (a == t->peer_ip) {
		memcpy(out, t->peer_ip6, 16);
	} else {
		memcpy(out, t->peer_ip6, 12);
		wire_put32(out + 12, a);
	}
}

/* IPv6 address -> its IPv4 stand-in; false: none. */
static bool map_to4(const struct ip6_map *t, const uint8_t a[16], uint32_t *out)
{
	if (memcmp(a, t->dut_ip6, 16) == 0)
		*out = t->dut_ip;
	else if (memcmp(a, t->peer_ip6, 16) == 0)
		*out = t->peer_ip;
	else if (memcmp(a, t->peer_ip6, 12) == 0)
		*out = wire_get32(a + 12);
	else
		return false;
	return true;
}

uint16_t ip6_xlate_csum(const uint8_t src[16], const uint8_t dst[16], uint8_t proto, const uint8_t *l4, size_t n)
{
	struct wire_csum c;
	wire_csum_init(&c);
	ipv6_pseudo_csum(&c, src, dst, proto, (uint32_t)n);
	wire_csum_add(&c, l4, n);
	return wire_csum_fold(&c);
}

/* The checksum field of an upper-layer header, or -1. */
static int csum_at(uint8_t proto)
{
	return proto == IPV4_PROTO_TCP ? 16 : proto == IPV4_PROTO_UDP ? 6 : proto == IPV6_NH_ICMPV6 ? 2 : -1;
}

void ip6_xlate_header(uint8_t *o, uint8_t tc, uint16_t plen, uint8_t next, uint8_t hlim, const uint8_t src[16],
			const uint8_t dst[16])
{
	wire_put32(o, 0x60000000u | (uint32_t)tc << 20);
	wire_put16(o + IPV6_OFF_PLEN, plen);
	o[IPV6_OFF_NEXT] = next;
	o[IPV6_OFF_HLIM] = hlim;
	memcpy(o + IPV6_OFF_SRC, src, 16);
	memcpy(o + IPV6_OFF_DST, dst, 16);
}

int ip6_xlate_to6(const struct ip6_map *t, const uint8_t *d, size_t len, uint8_t *out, size_t cap)
{
	if (len < IPV4_HDR_MIN || (d[0] >> 4) != 4u)
		return -EINVAL;
	size_t ihl = (size_t)(d[0] & 0x0fu) * 4u, total = wire_get16(d + IPV4_OFF_LEN);
	if (ihl < IPV4_HDR_MIN || total < ihl || total > len)
		return -EINVAL;
	const uint8_t *l4 = d + ihl;
	size_t n = total - ihl;
	uint8_t proto = d[IPV4_OFF_PROTO];
	uint8_t src[16], dst[16];
	map_to6(t, wire_get32(d + IPV4_OFF_SRC), src);
	map_to6(t, wire_get32(d + IPV4_OFF_DST), dst);
	uint8_t *o = out + IPV6_HDR_LEN;
	size_t m = n;
	if (proto == IPV4_PROTO_ICMP) {
		proto = IPV6_NH_ICMPV6;
		const uint8_t *q = l4 + ICMP_HDR_LEN;
		size_t qn = n >= ICMP_HDR_LEN ? n - ICMP_HDR_LEN : 0;
		size_t qihl = qn >= IPV4_HDR_MIN ? (size_t)(q[0] & 0x0fu) * 4u : 0;
		if (qn >= IPV4_HDR_MIN + 8u && (q[0] >> 4) == 4u && qihl >= IPV4_HDR_MIN && qihl + 8u <= qn) {
			/* The quoted datagram: its IPv6 header, then what followed
			 * the IPv4 one. */
			m = ICMP_HDR_LEN + IPV6_HDR_LEN + (qn - qihl);
			if (IPV6_HDR_LEN + m > cap)
				return -EMSGSIZE;
			uint8_t qs[16], qd[16];
			map_to6(t, wire_get32(q + IPV4_OFF_SRC), qs);
			map_to6(t, wire_get32(q + IPV4_OFF_DST), qd);
			size_t qtotal = wire_get16(q + IPV4_OFF_LEN);
			memcpy(o, l4, ICMP_HDR_LEN);
			ip6_xlate_header(o + ICMP_HDR_LEN, q[IPV4_OFF_TOS], (uint16_t)(qtotal > qihl ? qtotal - qihl : 0),
				    q[IPV4_OFF_PROTO], q[IPV4_OFF_TTL], qs, qd);
			memcpy(o + ICMP_HDR_LEN + IPV6_HDR_LEN, q + qihl, qn - qihl);
		} else {
			if (IPV6_HDR_LEN + m > cap)
				return -EMSGSIZE;
			memcpy(o, l4, n);
		}
	} else {
		if (IPV6_HDR_LEN + m > cap)
			return -EMSGSIZE;
		memcpy(o, l4, n);
	}
	if (m > 0xffffu)
		return -EMSGSIZE;
	ip6_xlate_header(out, d[IPV4_OFF_TOS], (uint16_t)m, proto, d[IPV4_OFF_TTL], src, dst);
	int at = csum_at(proto);
	if (at >= 0 && (size_t)at + 2u <= m) {
		wire_put16(o + at, 0);
		wire_put16(o + at, ip6_xlate_csum(src, dst, proto, o, m));
	}
	return (int)(IPV6_HDR_LEN + m);
}

static void put4_header(uint8_t *o, uint8_t tos, size_t total, uint8_t proto, uint8_t ttl, uint32_t src,
			uint32_t dst)
{
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = src;
	ip.dst = dst;
	ip.proto = proto;
	ip.ttl = ttl;
	ip.tos = tos;
	ip.frag = IPV4_FLAG_DF;
	ip.total_len = (uint16_t)total;
	(void)ipv4_emit(&ip, o, IPV4_HDR_MIN);
}

static uint8_t tclass(const uint8_t *h)
{
	return (uint8_t)(wire_get32(h) >> 20);
}

int ip6_xlate_to4(const struct ip6_map *t, const uint8_t *d, size_t len, uint8_t *out, size_t cap)
{
	struct ipv6_repr r;
	if (ipv6_parse(d, len, &r) != WIRE_OK || r.fragment)
		return 0;
	uint32_t src, dst;
	if (!map_to4(t, r.src, &src) || !map_to4(t, r.dst, &dst))
		return 0;
	const uint8_t *l4 = d + r.hdr_len;
	size_t n = (size_t)IPV6_HDR_LEN + r.payload_len - r.hdr_len;
	int at = csum_at(r.proto);
	bool ok = at < 0 || (size_t)at + 2u > n || ip6_xlate_csum(r.src, r.dst, r.proto, l4, n) == 0;
	uint8_t *o = out + IPV4_HDR_MIN;
	size_t m = n;
	uint8_t proto = r.proto;
	if (r.proto == IPV6_NH_ICMPV6) {
		proto = IPV4_PROTO_ICMP;
		const uint8_t *q = l4 + ICMP_HDR_LEN;
		size_t qn = n >= ICMP_HDR_LEN ? n - ICMP_HDR_LEN : 0;
		uint32_t qs, qd;
		if (qn >= IPV6_HDR_LEN + 8u && (q[0] >> 4) == 6u && map_to4(t, q + IPV6_OFF_SRC, &qs) &&
		    map_to4(t, q + IPV6_OFF_DST, &qd)) {
			m = ICMP_HDR_LEN + IPV4_HDR_MIN + (qn - IPV6_HDR_LEN);
			if (IPV4_HDR_MIN + m > cap || IPV4_HDR_MIN + m > 0xffffu)
				return 0;
			memcpy(o, l4, ICMP_HDR_LEN);
			put4_header(o + ICMP_HDR_LEN, tclass(q), IPV4_HDR_MIN + (size_t)wire_get16(q + IPV6_OFF_PLEN),
				    q[IPV6_OFF_NEXT], q[IPV6_OFF_HLIM], qs, qd);
			memcpy(o + ICMP_HDR_LEN + IPV4_HDR_MIN, q + IPV6_HDR_LEN, qn - IPV6_HDR_LEN);
		} else {
			if (IPV4_HDR_MIN + m > cap)
				return 0;
			memcpy(o, l4, n);
		}
		if (m >= ICMP_HDR_LEN) {
			wire_put16(o + 2, 0);
			wire_put16(o + 2, wire_checksum(o, m));
			if (!ok)
				o[3] ^= 1u;
		}
	} else {
		if (IPV4_HDR_MIN + m > cap || IPV4_HDR_MIN + m > 0xffffu)
			return 0;
		memcpy(o, l4, n);
		if (proto == IPV4_PROTO_TCP && m >= TCP_HDR_MIN) {
			tcp_checksum(o, m, src, dst);
			if (!ok)
				o[17] ^= 1u;
		} else if (proto == IPV4_PROTO_UDP && m >= UDP_HDR_LEN) {
			struct wire_csum c;
			wire_csum_init(&c);
			wire_put16(o + 6, 0);
			ipv4_pseudo_csum(&c, src, dst, IPV4_PROTO_UDP, (uint16_t)m);
			wire_csum_add(&c, o, m);
			uint16_t v = wire_csum_fold(&c);
			wire_put16(o + 6, v == 0 ? 0xffffu : v);
			if (!ok)
				o[7] ^= 1u;
		}
	}
	put4_header(out, tclass(d), IPV4_HDR_MIN + m, proto, r.hop_limit, src, dst);
	return (int)(IPV4_HDR_MIN + m);
}

