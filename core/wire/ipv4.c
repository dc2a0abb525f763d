/*
 * ipv4.c - IPv4 header codec (RFC 791). Parsing validates what a receiver
 * must check before trusting any length (RFC 1122 §3.2.1.1-2): version,
 * header length, header checksum and total length; options are skipped
 * (hdr_len says where the payload starts). Emission writes a 20-byte header
 * without options. Called by the stack's IP input/output, by icmp/udp/tcp
 * users for the pseudo-header, and by the conformance engine and pcap tools.
 */
#include "ipv4.h"

#define IPV4_VERSION 4u

/* Checks, in the order Linux ip_rcv() does: 20 bytes present (TRUNCATED),
 * version 4 and IHL >= 5 (MALFORMED), the whole header present (TRUNCATED),
 * header checksum (CHECKSUM), total_len >= header length (MALFORMED) and
 * total_len <= len (TRUNCATED). On success every repr field is filled. */
int ipv4_parse(const uint8_t *buf, size_t len, struct ipv4_repr *r)
{
	uint16_t hl, tl;

	if (len < IPV4_HDR_MIN)
		return WIRE_ERR_TRUNCATED;
	if ((buf[IPV4_OFF_VHL] >> 4) != IPV4_VERSION)
		return WIRE_ERR_MALFORMED;
	hl = (uint16_t)((buf[IPV4_OFF_VHL] & 0x0Fu) * 4u);
	if (hl < IPV4_HDR_MIN)
		return WIRE_ERR_MALFORMED;
	if (hl > len)
		return WIRE_ERR_TRUNCATED;
	if (wire_checksum(buf, hl) != 0)
		return WIRE_ERR_CHECKSUM;
	tl = wire_get16(buf + IPV4_OFF_LEN);
	if (tl < hl)
		return WIRE_ERR_MALFORMED;
	if (tl > len)
		return WIRE_ERR_TRUNCATED;

	r->tos = buf[IPV4_OFF_TOS];
	r->total_len = tl;
	r->id = wire_get16(buf + IPV4_OFF_ID);
	r->frag = wire_get16(buf + IPV4_OFF_FRAG);
	r->ttl = buf[IPV4_OFF_TTL];
	r->proto = buf[IPV4_OFF_PROTO];
	r->src = wire_get32(buf + IPV4_OFF_SRC);
	r->dst = wire_get32(buf + IPV4_OFF_DST);
	r->hdr_len = (uint8_t)hl;
	return WIRE_OK;
}

/* Writes a 20-byte header from the repr (hdr_len ignored; total_len written
 * as given, so the conformance engine can also build bad ones) and fills in
 * the header checksum. Returns IPV4_HDR_MIN or WIRE_ERR_TRUNCATED. */
int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t cap)
{
	if (cap < IPV4_HDR_MIN)
		return WIRE_ERR_TRUNCATED;
	buf[IPV4_OFF_VHL] = (uint8_t)((IPV4_VERSION << 4) | (IPV4_HDR_MIN / 4u));
	buf[IPV4_OFF_TOS] = r->tos;
	wire_put16(buf + IPV4_OFF_LEN, r->total_len);
	wire_put16(buf + IPV4_OFF_ID, r->id);
	wire_put16(buf + IPV4_OFF_FRAG, r->frag);
	buf[IPV4_OFF_TTL] = r->ttl;
	buf[IPV4_OFF_PROTO] = r->proto;
	wire_put16(buf + IPV4_OFF_CSUM, 0);
	wire_put32(buf + IPV4_OFF_SRC, r->src);
	wire_put32(buf + IPV4_OFF_DST, r->dst);
	wire_put16(buf + IPV4_OFF_CSUM, wire_checksum(buf, IPV4_HDR_MIN));
	return (int)IPV4_HDR_MIN;
}

/* True for any piece of a fragmented datagram: MF set or a nonzero offset
 * (the first fragment has MF, the last a nonzero offset). */
bool ipv4_is_fragment(const struct ipv4_repr *r)
{
	return (r->frag & (IPV4_FLAG_MF | IPV4_FRAG_OFF_MASK)) != 0;
}

/* Adds the TCP/UDP pseudo-header (RFC 9293 §3.1, RFC 768): source,
 * destination, zero, protocol, and the layer-4 length. */
void ipv4_pseudo_csum(struct wire_csum *c, uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len)
{
	/* The 12 bytes as they stand on the wire, summed in one call (the
	 * same one's-complement sum as six 16-bit adds; AVR flash). */
	uint8_t b[12];

	wire_put32(b, src);
	wire_put32(b + 4, dst);
	b[8] = 0;
	b[9] = proto;
	wire_put16(b + 10, l4_len);
	wire_csum_add(c, b, sizeof b);
}
