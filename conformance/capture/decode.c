/*
 * decode.c - one capture record to a struct cap_pkt: the link header
 * (Ethernet with VLAN tags, Linux cooked v1/v2, raw IP, BSD loopback),
 * then IPv4 or IPv6, then TCP, each with the core/wire codec. Other IP
 * protocols, ARP and non-IP frames are classified and counted by the
 * caller, never decoded further.
 *
 * What is an error (the file or the frame is corrupt, exit status 2) and
 * what is an observation (explained to the user):
 *   error        a link header or IP header that does not fit or makes no
 *                sense; an IP length beyond the record when the record was
 *                not cut at the snapshot length; a TCP header or option
 *                that runs past its bounds or has an impossible length
 *   observation  a bad IPv4 header or TCP checksum (the receiver drops the
 *                segment); trailing bytes after the datagram (padding)
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "engine.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86DDu
#define ETHERTYPE_ARP 0x0806u
#define ETHERTYPE_VLAN 0x8100u
#define ETHERTYPE_QINQ 0x88A8u
#define ETHERTYPE_QINQ_OLD 0x9100u

#define SLL_HDR_LEN 16u
#define SLL2_HDR_LEN 20u
#define SLL_OUTGOING 4u
#define SLL_OTHERHOST 3u

/* BSD loopback address families: AF_INET is 2 everywhere; AF_INET6 is 24
 * (NetBSD, OpenBSD), 28 (FreeBSD, DragonFly), 30 (macOS) and 10 (Linux). */
#define BSD_AF_INET 2u

static int fail(struct cap_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct cap_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static enum cap_dir sll_dir(unsigned pkttype)
{
	if (pkttype == SLL_OUTGOING)
		return CAP_DIR_OUT;
	if (pkttype == SLL_OTHERHOST)
		return CAP_DIR_OTHERHOST;
	return pkttype <= 2 ? CAP_DIR_IN : CAP_DIR_UNKNOWN;
}

/* Finds where the network layer starts; sets *ethertype (0 = look at the IP
 * version nibble). */
static int link_header(int dlt, const uint8_t *d, uint32_t n, struct cap_pkt *p, uint32_t *off,
		       uint16_t *ethertype, struct cap_error *err)
{
	switch (dlt) {
	case DLT_EN10MB: {
		uint32_t o = 12;
		if (n < 14)
			return fail(err, "Ethernet header needs 14 bytes, the record has %u", n);
		uint16_t t = wire_get16(d + o);
		while (t == ETHERTYPE_VLAN || t == ETHERTYPE_QINQ || t == ETHERTYPE_QINQ_OLD) {
			o += 4;
			if (o + 2 > n)
				return fail(err, "802.1Q tag runs past the record's %u bytes", n);
			t = wire_get16(d + o);
		}
		*ethertype = t;
		*off = o + 2;
		return 0;
	}
	case DLT_LINUX_SLL:
		if (n < SLL_HDR_LEN)
			return fail(err, "Linux cooked header needs 16 bytes, the record has %u", n);
		p->dir = sll_dir(wire_get16(d));
		*ethertype = wire_get16(d + 14);
		*off = SLL_HDR_LEN;
		return 0;
	case DLT_LINUX_SLL2:
		if (n < SLL2_HDR_LEN)
			return fail(err, "Linux cooked v2 header needs 20 bytes, the record has %u", n);
		p->dir = sll_dir(d[10]);
		*ethertype = wire_get16(d);
		*off = SLL2_HDR_LEN;
		return 0;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		*ethertype = 0;
		*off = 0;
		return 0;
	case DLT_NULL:
	case DLT_LOOP: {
		if (n < 4)
			return fail(err, "loopback header needs 4 bytes, the record has %u", n);
		uint32_t af = wire_get32(d);
		if (dlt == DLT_NULL && af > 0xFFFFu) /* written little-endian */
			af = ((af & 0xFFu) << 24) | ((af & 0xFF00u) << 8) | ((af >> 8) & 0xFF00u) | (af >> 24);
		*ethertype = af == BSD_AF_INET ? ETHERTYPE_IPV4
			     : (af == 24 || af == 28 || af == 30 || af == 10) ? ETHERTYPE_IPV6
									      : 0xFFFFu;
		*off = 4;
		return 0;
	}
	default:
		return fail(err, "link type %u is not supported", (unsigned)dlt);
	}
}

/* Points at the option that makes tcp_parse() reject the header, for the
 * message: its offset in the header and its kind and length. */
static void bad_option(const uint8_t *opt, uint32_t n, struct cap_error *err)
{
	uint32_t i = 0;
	while (i < n) {
		uint8_t k = opt[i];
		if (k == TCP_OPT_EOL)
			break;
		if (k == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n) {
			snprintf(err->msg, sizeof err->msg,
				 "TCP option kind %u at header offset %u has no length byte", k, 20 + i);
			return;
		}
		uint8_t l = opt[i + 1];
		if (l < 2 || l > n - i) {
			snprintf(err->msg, sizeof err->msg,
				 "TCP option kind %u at header offset %u has length %u (%s)", k, 20 + i, l,
				 l < 2 ? "an option's length counts its kind and length bytes, so it is at least 2"
				       : "it runs past the end of the TCP header");
			return;
		}
		i += l;
		/* A known option with the wrong length is rejected too. */
		if ((k == TCP_OPT_MSS && l != 4) || (k == TCP_OPT_WSCALE && l != 3) ||
		    (k == TCP_OPT_SACK_PERM && l != 2) || (k == TCP_OPT_TS && l != 10) ||
		    (k == TCP_OPT_SACK && (l < 10 || (l - 2) % 8 != 0))) {
			snprintf(err->msg, sizeof err->msg, "TCP option kind %u at header offset %u has length %u, "
				 "which that option cannot have", k, 20 + i - l, l);
			return;
		}
	}
	snprintf(err->msg, sizeof err->msg, "malformed TCP options");
}

static int decode_tcp(struct cap_pkt *p, const uint8_t *seg, uint32_t seg_len, uint32_t avail,
		      struct cap_error *err)
{
	/* The header must be in the record even when the payload was snapped. */
	if (avail < TCP_HDR_MIN)
		return fail(err, "TCP header needs 20 bytes, %u were captured", avail);
	if (seg_len < TCP_HDR_MIN)
		return fail(err, "IP length leaves %u bytes for a TCP header of at least 20", seg_len);
	uint32_t hl = (uint32_t)(seg[TCP_OFF_DOFF] >> 4) * 4u;
	if (hl < TCP_HDR_MIN)
		return fail(err, "TCP data offset %u words is below the minimum of 5", hl / 4u);
	if (hl > seg_len)
		return fail(err, "TCP data offset %u bytes runs past the %u-byte segment", hl, seg_len);
	if (hl > avail)
		return fail(err, "TCP header of %u bytes runs past the %u bytes captured", hl, avail);
	int rc = tcp_parse(seg, hl, &p->tcp);
	if (rc != WIRE_OK) {
		bad_option(seg + TCP_HDR_MIN, hl - TCP_HDR_MIN, err);
		return -1;
	}
	p->kind = CAP_TCP;
	p->tcp_opt = seg + TCP_HDR_MIN;
	p->payload_len = seg_len - hl;
	p->tcp_csum_known = avail >= seg_len;
	if (!p->tcp_csum_known)
		return 0;
	struct wire_csum c;
	wire_csum_init(&c);
	if (p->src.v == 4) {
		p->tcp_csum_ok = tcp_verify(seg, seg_len, wire_get32(p->src.a), wire_get32(p->dst.a)) == WIRE_OK;
		ipv4_pseudo_csum(&c, wire_get32(p->src.a), wire_get32(p->dst.a), IPV4_PROTO_TCP, (uint16_t)seg_len);
	} else {
		struct wire_csum full;
		wire_csum_init(&full);
		ipv6_pseudo_csum(&full, p->src.a, p->dst.a, IPV6_NH_TCP, seg_len);
		wire_csum_add(&full, seg, seg_len);
		p->tcp_csum_ok = wire_csum_fold(&full) == 0;
		ipv6_pseudo_csum(&c, p->src.a, p->dst.a, IPV6_NH_TCP, seg_len);
	}
	/* Offload leaves the folded pseudo-header sum in the field for the
	 * card to finish (Linux's CHECKSUM_PARTIAL): ~fold is what
	 * wire_csum_fold returns, so the field is its complement. */
	uint16_t pseudo = (uint16_t)~wire_csum_fold(&c);
	p->tcp_csum_partial = !p->tcp_csum_ok && wire_get16(seg + TCP_OFF_CSUM) == pseudo;
	return 0;
}

static void classify(struct cap_pkt *p, uint8_t proto)
{
	p->ip_proto = proto;
	if (proto == IPV4_PROTO_UDP)
		p->kind = CAP_UDP;
	else if (proto == IPV4_PROTO_ICMP || proto == IPV6_NH_ICMPV6)
		p->kind = CAP_ICMP;
	else if (proto == IPV4_PROTO_TCP)
		p->kind = CAP_TCP;
	else
		p->kind = CAP_IP_OTHER;
}

static int decode_ipv4(struct cap_pkt *p, const uint8_t *ip, uint32_t avail, bool snapped, struct cap_error *err)
{
	struct ipv4_repr r;
	if (avail < IPV4_HDR_MIN)
		return fail(err, "IPv4 header needs 20 bytes, %u were captured", avail);
	uint32_t hl = (uint32_t)(ip[IPV4_OFF_VHL] & 0x0Fu) * 4u;
	uint32_t tl = wire_get16(ip + IPV4_OFF_LEN);
	if ((ip[IPV4_OFF_VHL] >> 4) != 4)
		return fail(err, "IP version %u in an IPv4 frame", ip[IPV4_OFF_VHL] >> 4);
	if (hl < IPV4_HDR_MIN)
		return fail(err, "IPv4 header length %u is below the minimum of 20", hl);
	if (hl > avail)
		return fail(err, "IPv4 header length %u runs past the %u bytes captured", hl, avail);
	if (tl < hl)
		return fail(err, "IPv4 total length %u is shorter than its %u-byte header", tl, hl);
	if (tl > avail && !snapped)
		return fail(err, "IPv4 total length %u exceeds the %u bytes captured", tl, avail);
	/* The codec checks in this order too; a bad header checksum is an
	 * observation, so parse a copy whose checksum is fixed. */
	uint8_t hdr[60];
	memcpy(hdr, ip, hl);
	p->ip_csum_ok = wire_checksum(hdr, hl) == 0;
	/* Parse the header alone: its length says so, and its checksum is
	 * made right (ipv4_parse checks both). */
	wire_put16(hdr + IPV4_OFF_LEN, (uint16_t)hl);
	wire_put16(hdr + IPV4_OFF_CSUM, 0);
	wire_put16(hdr + IPV4_OFF_CSUM, wire_checksum(hdr, hl));
	if (ipv4_parse(hdr, hl, &r) != WIRE_OK)
		return fail(err, "malformed IPv4 header");
	p->src.v = p->dst.v = 4;
	wire_put32(p->src.a, r.src);
	wire_put32(p->dst.a, r.dst);
	p->ttl = r.ttl;
	p->ip = ip;
	p->ip_len = tl;
	p->ip_hdr_len = hl;
	p->trailer = avail > tl ? avail - tl : 0;
	p->snapped = tl > avail;
	classify(p, r.proto);
	r.total_len = (uint16_t)tl;
	if (ipv4_is_fragment(&r)) {
		p->kind = CAP_FRAGMENT;
		return 0;
	}
	if (p->kind != CAP_TCP)
		return 0;
	uint32_t have = (tl < avail ? tl : avail) - hl;
	return decode_tcp(p, ip + hl, tl - hl, have, err);
}

static int decode_ipv6(struct cap_pkt *p, const uint8_t *ip, uint32_t avail, bool snapped, struct cap_error *err)
{
	struct ipv6_repr r;
	if (avail < IPV6_HDR_LEN)
		return fail(err, "IPv6 header needs 40 bytes, %u were captured", avail);
	if ((ip[0] >> 4) != 6)
		return fail(err, "IP version %u in an IPv6 frame", ip[0] >> 4);
	uint32_t tl = IPV6_HDR_LEN + wire_get16(ip + IPV6_OFF_PLEN);
	if (tl > avail && !snapped)
		return fail(err, "IPv6 payload length %u exceeds the %u bytes captured after the header",
			    tl - IPV6_HDR_LEN, avail - IPV6_HDR_LEN);
	int rc;
	if (tl <= avail) {
		rc = ipv6_parse(ip, avail, &r);
	} else {
		/* A snapped record: only the fixed header and what was captured
		 * of the chain can be read; require the TCP header inside. */
		uint8_t tmp[IPV6_HDR_LEN + 128];
		uint32_t k = avail < sizeof tmp ? avail : (uint32_t)sizeof tmp;
		memcpy(tmp, ip, k);
		wire_put16(tmp + IPV6_OFF_PLEN, (uint16_t)(k - IPV6_HDR_LEN));
		rc = ipv6_parse(tmp, k, &r);
		r.payload_len = (uint16_t)(tl - IPV6_HDR_LEN);
	}
	if (rc == WIRE_ERR_UNSUPPORTED)
		return fail(err, "IPv6 jumbograms (payload length 0) are not supported");
	if (rc != WIRE_OK)
		return fail(err, "IPv6 extension headers run past the %u-byte payload", tl - IPV6_HDR_LEN);
	p->src.v = p->dst.v = 6;
	memcpy(p->src.a, r.src, 16);
	memcpy(p->dst.a, r.dst, 16);
	p->ttl = r.hop_limit;
	p->ip_csum_ok = true;
	p->ip = ip;
	p->ip_len = tl;
	p->ip_hdr_len = r.hdr_len;
	p->trailer = avail > tl ? avail - tl : 0;
	p->snapped = tl > avail;
	classify(p, r.proto);
	if (r.fragment) {
		p->kind = CAP_FRAGMENT;
		return 0;
	}
	if (p->kind != CAP_TCP)
		return 0;
	if (r.hdr_len > avail)
		return fail(err, "IPv6 extension headers run past the %u bytes captured", avail);
	uint32_t have = (tl < avail ? tl : avail) - r.hdr_len;
	return decode_tcp(p, ip + r.hdr_len, tl - r.hdr_len, have, err);
}

int cap_decode(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, struct cap_pkt *p,
	       struct cap_error *err)
{
	uint32_t off = 0;
	uint16_t et = 0;
	uint64_t frame = p->frame, ts = p->ts_ns;
	memset(p, 0, sizeof *p);
	p->frame = frame;
	p->ts_ns = ts;
	p->caplen = caplen;
	p->wirelen = wirelen;
	if (link_header(dlt, data, caplen, p, &off, &et, err) != 0)
		return -1;
	p->ethertype = et;
	const uint8_t *ip = data + off;
	uint32_t avail = caplen - off;
	bool snapped = caplen < wirelen;
	if (et == 0) {
		if (avail == 0)
			return fail(err, "raw IP record is empty");
		et = (ip[0] >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
		if (dlt == DLT_IPV6)
			et = ETHERTYPE_IPV6;
		else if (dlt == DLT_IPV4)
			et = ETHERTYPE_IPV4;
	}
	switch (et) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(p, ip, avail, snapped, err);
	case ETHERTYPE_IPV6:
		return decode_ipv6(p, ip, avail, snapped, err);
	case ETHERTYPE_ARP:
		p->kind = CAP_ARP;
		return 0;
	default:
		p->kind = CAP_NON_IP;
		return 0;
	}
}

void cap_addr_str(const struct cap_addr *a, char *buf, size_t cap)
{
	if (inet_ntop(a->v == 6 ? AF_INET6 : AF_INET, a->a, buf, (socklen_t)cap) == NULL && cap > 0)
		buf[0] = '\0';
}

void cap_endpoint_str(const struct cap_addr *a, uint16_t port, char *buf, size_t cap)
{
	char s[64];
	cap_addr_str(a, s, sizeof s);
	snprintf(buf, cap, a->v == 6 ? "[%s]:%u" : "%s:%u", s, port);
}

bool cap_endpoint_parse(const char *s, struct cap_addr *a, uint16_t *port)
{
	char host[64];
	const char *colon;
	memset(a, 0, sizeof *a);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
			return false;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		colon = close + 1;
		a->v = 6;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || (size_t)(colon - s) >= sizeof host)
			return false;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		a->v = 4;
	}
	if (inet_pton(a->v == 6 ? AF_INET6 : AF_INET, host, a->a) != 1)
		return false;
	unsigned long v = 0;
	const char *q = colon + 1;
	if (*q == '\0')
		return false;
	for (; *q; q++) {
		if (*q < '0' || *q > '9')
			return false;
		v = v * 10u + (unsigned long)(*q - '0');
		if (v > 65535u)
			return false;
	}
	*port = (uint16_t)v;
	return true;
}

bool cap_addr_eq(const struct cap_addr *x, const struct cap_addr *y)
{
	return x->v == y->v && memcmp(x->a, y->a, x->v == 6 ? 16u : 4u) == 0;
}

void cap_describe(const struct cap_pkt *p, char *buf, size_t cap)
{
	char fl[12], opts[240];
	engine_flags_str(p->tcp.flags, fl);
	size_t w = (size_t)snprintf(buf, cap, "%s %u:%u(%u)", fl, p->tcp.seq, p->tcp.seq + p->payload_len,
				    p->payload_len);
	if ((p->tcp.flags & TCP_ACK) && w < cap)
		w += (size_t)snprintf(buf + w, cap - w, " ack %u", p->tcp.ack);
	if (w < cap)
		w += (size_t)snprintf(buf + w, cap - w, " win %u", p->tcp.window);
	if ((p->tcp.flags & TCP_URG) && w < cap)
		w += (size_t)snprintf(buf + w, cap - w, " urg %u", p->tcp.urg);
	engine_options_str(p->tcp_opt, (size_t)p->tcp.hdr_len - TCP_HDR_MIN, opts, sizeof opts);
	if (opts[0] && w < cap)
		snprintf(buf + w, cap - w, " %s", opts);
}
