/*
 * dut_tap_v6.c - IPv6 runs of the tap DUT (packetdrill's --ip_version=ipv6):
 * the namespace's IPv6 set-up, and the translation between the runner's
 * IPv4 datagrams and the IPv6 ones on tun0.
 *
 * The runner builds and checks IPv4 datagrams whose addresses stand for
 * the run's IPv6 ones (dut.h: dut_ip <-> dut_ip6, peer_ip <-> peer_ip6; any
 * other IPv4 address X <-> peer_ip6's first 96 bits followed by X). Each
 * datagram is translated here, the way a stateless IP/ICMP translator
 * does it (RFC 7915, with the address mapping above instead of its
 * prefixes):
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
 *     RFC 4443's checksum over the pseudo-header), its quoted IPv4 header
 *     becomes the quoted IPv6 header of the DUT's datagram (RFC 4443 3.1:
 *     "As much of invoking packet as possible"); the MTU of a Packet Too
 *     Big is the 32-bit field after the checksum (RFC 4443 3.2), which the
 *     runner writes as identifier 0 and sequence MTU. Back from the DUT, the
 *     same in reverse.
 * Neighbour Discovery is answered here, as ARP is for IPv4 (dut_tap.c):
 * a Neighbor Solicitation for any address but the DUT's gets a solicited
 * Neighbor Advertisement with the peer's MAC (RFC 4861 7.2.4); it and the
 * DUT's other ND and MLD messages never reach the runner.
 */
#define _GNU_SOURCE

#include "dut_tap_v6.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"

#define ICMP6_PKT_TOO_BIG 2u
#define ICMP6_NS 135u
#define ICMP6_NA 136u
#define ND_OPT_TARGET_LLA 2u

/* struct in6_ifreq (linux/ipv6.h, which clashes with netinet/in.h). */
struct v6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

/* IPv4 stand-in -> IPv6 address of the run. */
static void map_to6(const struct dut_tap *t, uint32_t a, uint8_t out[16])
{
	if (a == t->cfg.dut_ip) {
		memcpy(out, t->cfg.dut_ip6, 16);
	} else if (a == t->cfg.peer_ip) {
		memcpy(out, t->cfg.peer_ip6, 16);
	} else {
		memcpy(out, t->cfg.peer_ip6, 12);
		wire_put32(out + 12, a);
	}
}

/* IPv6 address -> its IPv4 stand-in; false: none. */
static bool map_to4(const struct dut_tap *t, const uint8_t a[16], uint32_t *out)
{
	if (memcmp(a, t->cfg.dut_ip6, 16) == 0)
		*out = t->cfg.dut_ip;
	else if (memcmp(a, t->cfg.peer_ip6, 16) == 0)
		*out = t->cfg.peer_ip;
	else if (memcmp(a, t->cfg.peer_ip6, 12) == 0)
		*out = wire_get32(a + 12);
	else
		return false;
	return true;
}

static uint16_t csum6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto, const uint8_t *l4, size_t n)
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

static void put6_header(uint8_t *o, uint8_t tc, uint16_t plen, uint8_t next, uint8_t hlim, const uint8_t src[16],
			const uint8_t dst[16])
{
	wire_put32(o, 0x60000000u | (uint32_t)tc << 20);
	wire_put16(o + IPV6_OFF_PLEN, plen);
	o[IPV6_OFF_NEXT] = next;
	o[IPV6_OFF_HLIM] = hlim;
	memcpy(o + IPV6_OFF_SRC, src, 16);
	memcpy(o + IPV6_OFF_DST, dst, 16);
}

int dut_tap_v6_in(const struct dut_tap *t, const uint8_t *d, size_t len, uint8_t *out, size_t cap)
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
			put6_header(o + ICMP_HDR_LEN, q[IPV4_OFF_TOS], (uint16_t)(qtotal > qihl ? qtotal - qihl : 0),
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
	put6_header(out, d[IPV4_OFF_TOS], (uint16_t)m, proto, d[IPV4_OFF_TTL], src, dst);
	int at = csum_at(proto);
	if (at >= 0 && (size_t)at + 2u <= m) {
		wire_put16(o + at, 0);
		wire_put16(o + at, csum6(src, dst, proto, o, m));
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

int dut_tap_v6_out(const struct dut_tap *t, const uint8_t *d, size_t len, uint8_t *out, size_t cap)
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
	bool ok = at < 0 || (size_t)at + 2u > n || csum6(r.src, r.dst, r.proto, l4, n) == 0;
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
			uint8_t ph[12];
			wire_put32(ph, src);
			wire_put32(ph + 4, dst);
			ph[8] = 0;
			ph[9] = IPV4_PROTO_UDP;
			wire_put16(ph + 10, (uint16_t)m);
			wire_csum_add(&c, ph, sizeof ph);
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

/* A Neighbor Solicitation in an Ethernet frame: answered with an
 * advertisement (RFC 4861 4.4, 7.2.4: solicited, override, the target
 * link-layer address option) unless it asks for the DUT's own address. */
static void answer_ns(struct dut_tap *t, const uint8_t *frame, size_t len, const struct ipv6_repr *r)
{
	const uint8_t *ns = frame + ETH_HDR_LEN + r->hdr_len;
	size_t n = (size_t)IPV6_HDR_LEN + r->payload_len - r->hdr_len;
	static const uint8_t unspec[16];
	if (n < 24u || r->hop_limit != 255u || memcmp(ns + 8, t->cfg.dut_ip6, 16) == 0 ||
	    memcmp(r->src, unspec, 16) == 0 || len < ETH_HDR_LEN + IPV6_HDR_LEN) {
		t->noise_dropped++;
		return;
	}
	uint8_t buf[VNET_HDR_LEN + ETH_HDR_LEN + IPV6_HDR_LEN + 32];
	memset(buf, 0, sizeof buf);
	uint8_t *e = buf + VNET_HDR_LEN, *ip = e + ETH_HDR_LEN, *na = ip + IPV6_HDR_LEN;
	memcpy(e, frame + 6, 6);
	memcpy(e + 6, t->peer_mac, 6);
	wire_put16(e + 12, ETH_TYPE_IPV6);
	na[0] = ICMP6_NA;
	wire_put32(na + 4, 0x60000000u); /* S and O */
	memcpy(na + 8, ns + 8, 16);
	na[24] = ND_OPT_TARGET_LLA;
	na[25] = 1;
	memcpy(na + 26, t->peer_mac, 6);
	put6_header(ip, 0, 32, IPV6_NH_ICMPV6, 255, ns + 8, r->src);
	wire_put16(na + 2, csum6(ns + 8, r->src, IPV6_NH_ICMPV6, na, 32));
	dut_tap_capture(t, e, sizeof buf - VNET_HDR_LEN);
	if (write(t->tap_fd, buf, sizeof buf) > 0)
		t->nd_replies++;
}

int dut_tap_v6_frame(struct dut_tap *t, const uint8_t *frame, size_t len, struct dut_packet *out)
{
	struct ipv6_repr r;
	if (len < ETH_HDR_LEN || ipv6_parse(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, &r) != WIRE_OK) {
		t->noise_dropped++;
		return 0;
	}
	const uint8_t *l4 = frame + ETH_HDR_LEN + r.hdr_len;
	bool has_type = r.proto == IPV6_NH_ICMPV6 && (size_t)IPV6_HDR_LEN + r.payload_len > r.hdr_len;
	if (has_type && l4[0] == ICMP6_NS) {
		answer_ns(t, frame, len, &r);
		return 0;
	}
	/* Router and neighbour discovery (133..137), MLD (130..132, 143),
	 * and anything multicast: the DUT's own housekeeping. */
	if ((has_type && ((l4[0] >= 130u && l4[0] <= 137u) || l4[0] == 143u)) || r.dst[0] == 0xffu ||
	    (frame[0] & 1u)) {
		t->noise_dropped++;
		return 0;
	}
	int k = dut_tap_v6_out(t, frame + ETH_HDR_LEN, len - ETH_HDR_LEN, out->data, sizeof out->data);
	if (k <= 0) {
		t->noise_dropped++;
		return 0;
	}
	out->len = (size_t)k;
	return 1;
}

int dut_tap_v6_setup_pre(struct dut_tap *t, const char **step)
{
	(void)t;
	/* Before tun0 exists, so it inherits them: no DAD (the address is
	 * usable at once, RFC 4862 5.4: DupAddrDetectTransmits 0), no router
	 * solicitations and no router advertisements taken, no link-local
	 * address (addr_gen_mode 1), as none of them belongs to a script. */
	static const char *const names[][2] = {
		{"net.ipv6.conf.default.disable_ipv6", "0"}, {"net.ipv6.conf.all.disable_ipv6", "0"},
		{"net.ipv6.conf.default.accept_dad", "0"}, {"net.ipv6.conf.all.accept_dad", "0"},
		{"net.ipv6.conf.default.dad_transmits", "0"}, {"net.ipv6.conf.default.router_solicitations", "0"},
		{"net.ipv6.conf.default.accept_ra", "0"}, {"net.ipv6.conf.default.addr_gen_mode", "1"},
	};
	*step = "set up IPv6 (net.ipv6.conf.default.*)";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int rc = dut_tap_write_sysctl_in_ns(names[i][0], names[i][1]);
		if (rc < 0 && i < 2)
			return rc == -ENOENT ? -EAFNOSUPPORT : rc;
	}
	return 0;
}

int dut_tap_v6_setup(struct dut_tap *t, const char **step)
{
	int rc = 0;
	*step = "create an IPv6 control socket";
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	*step = "assign the DUT's IPv6 address";
	struct v6_ifreq ifr6;
	memset(&ifr6, 0, sizeof ifr6);
	memcpy(&ifr6.addr, t->cfg.dut_ip6, 16);
	ifr6.prefixlen = 64;
	ifr6.ifindex = t->ifindex;
	if (ioctl(fd, SIOCSIFADDR, &ifr6) < 0)
		goto fail;
	/* A default route out of tun0, no gateway: the peer is on-link, its
	 * neighbour solicitations are answered in dut_tap_v6_frame(). */
	*step = "add the IPv6 default route";
	struct in6_rtmsg rt;
	memset(&rt, 0, sizeof rt);
	rt.rtmsg_dst_len = 0;
	rt.rtmsg_flags = RTF_UP;
	rt.rtmsg_metric = 1;
	rt.rtmsg_ifindex = t->ifindex;
	if (ioctl(fd, SIOCADDRT, &rt) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	rc = -errno;
	close(fd);
	return rc;
}
