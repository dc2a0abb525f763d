/*
 * udp.c - UDP codec (RFC 768). The stack uses it for the port-unreachable
 * path and small services; the conformance engine builds and checks
 * datagrams with it. Callers pass the IPv4 payload (total_len - hdr_len);
 * the UDP length field then bounds the datagram inside it.
 */
#include "udp.h"
#include "ipv4.h"

#define UDP_OFF_SPORT 0u
#define UDP_OFF_DPORT 2u
#define UDP_OFF_LEN 4u
#define UDP_OFF_CSUM 6u

/* Checks 8 bytes present (TRUNCATED), length field >= 8 (MALFORMED) and
 * <= len (TRUNCATED); fills the repr. The checksum is not verified. */
int udp_parse(const uint8_t *buf, size_t len, struct udp_repr *r)
{
	uint16_t ul;

	if (len < UDP_HDR_LEN)
		return WIRE_ERR_TRUNCATED;
	ul = wire_get16(buf + UDP_OFF_LEN);
	if (ul < UDP_HDR_LEN)
		return WIRE_ERR_MALFORMED;
	if (ul > len)
		return WIRE_ERR_TRUNCATED;
	r->src_port = wire_get16(buf + UDP_OFF_SPORT);
	r->dst_port = wire_get16(buf + UDP_OFF_DPORT);
	r->len = ul;
	r->checksum = wire_get16(buf + UDP_OFF_CSUM);
	return WIRE_OK;
}

/* Folded sum of the pseudo-header and buf[0..ul). */
static uint16_t dg_csum(const uint8_t *buf, uint16_t ul, uint32_t src, uint32_t dst)
{
	struct wire_csum c;

	wire_csum_init(&c);
	ipv4_pseudo_csum(&c, src, dst, IPV4_PROTO_UDP, ul);
	wire_csum_add(&c, buf, ul);
	return wire_csum_fold(&c);
}

/* Verifies the checksum over the pseudo-header and buf[0..UDP length).
 * A checksum field of 0 means none was sent: WIRE_OK. Length errors as
 * udp_parse(). */
int udp_verify(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst)
{
	struct udp_repr r;
	int e = udp_parse(buf, len, &r);

	if (e != WIRE_OK)
		return e;
	if (r.checksum == 0)
		return WIRE_OK;
	return dg_csum(buf, r.len, src, dst) == 0 ? WIRE_OK : WIRE_ERR_CHECKSUM;
}

/* Writes the 8-byte header; returns UDP_HDR_LEN or WIRE_ERR_TRUNCATED.
 * When src and dst are both 0, r->checksum is written as given (0 = none,
 * or a value the caller computed; a parsed repr re-emits unchanged).
 * Otherwise the checksum is computed over the pseudo-header and
 * buf[0..r->len), with the payload already in place after the header, and
 * a result of 0 is sent as 0xFFFF (RFC 768); r->len must then fit in cap. */
int udp_emit(const struct udp_repr *r, uint8_t *buf, size_t cap, uint32_t src, uint32_t dst)
{
	bool sum = src != 0 || dst != 0;
	uint16_t v;

	if (cap < UDP_HDR_LEN || (sum && r->len > cap))
		return WIRE_ERR_TRUNCATED;
	wire_put16(buf + UDP_OFF_SPORT, r->src_port);
	wire_put16(buf + UDP_OFF_DPORT, r->dst_port);
	wire_put16(buf + UDP_OFF_LEN, r->len);
	wire_put16(buf + UDP_OFF_CSUM, sum ? 0 : r->checksum);
	if (sum) {
		v = dg_csum(buf, r->len, src, dst);
		wire_put16(buf + UDP_OFF_CSUM, v == 0 ? 0xFFFFu : v);
	}
	return (int)UDP_HDR_LEN;
}
