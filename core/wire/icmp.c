/*
 * icmp.c - ICMPv4 codec (RFC 792). The stack uses it to answer echo
 * requests and to read destination-unreachable messages; the conformance
 * engine uses it to build pings and check port-unreachable replies. The
 * message is the IPv4 payload: callers pass total_len - hdr_len, not the
 * Ethernet frame length.
 */
#include <string.h>
#include "icmp.h"

#define ICMP_OFF_TYPE 0u
#define ICMP_OFF_CODE 1u
#define ICMP_OFF_CSUM 2u
#define ICMP_OFF_IDENT 4u
#define ICMP_OFF_SEQ 6u
/* Largest message emit handles: its length must fit the int it returns,
 * which is 16 bits on AVR. */
#define ICMP_EMIT_MAX ((size_t)INT16_MAX)

/* Verifies the checksum over buf[0..len) and fills the repr. ident/seq are
 * bytes 4-7 for every type (for echo the identifier and sequence number; for
 * unreachable "unused", or the next-hop MTU in seq for code 4), so any
 * message re-emits unchanged. data points into buf. */
int icmp_parse(const uint8_t *buf, size_t len, struct icmp_repr *r)
{
	if (len < ICMP_HDR_LEN)
		return WIRE_ERR_TRUNCATED;
	if (len > 0xFFFFu)
		return WIRE_ERR_MALFORMED; /* larger than any IPv4 datagram */
	if (wire_checksum(buf, len) != 0)
		return WIRE_ERR_CHECKSUM;
	r->type = buf[ICMP_OFF_TYPE];
	r->code = buf[ICMP_OFF_CODE];
	r->ident = wire_get16(buf + ICMP_OFF_IDENT);
	r->seq = wire_get16(buf + ICMP_OFF_SEQ);
	r->data = buf + ICMP_HDR_LEN;
	r->data_len = (uint16_t)(len - ICMP_HDR_LEN);
	return WIRE_OK;
}

/* Writes header and data, then the checksum. r->data may already sit at
 * buf + ICMP_HDR_LEN (an echo reply built in the request's buffer) or
 * overlap it: it is moved, not copied. Returns ICMP_HDR_LEN + data_len,
 * WIRE_ERR_TRUNCATED if that exceeds cap, or WIRE_ERR_MALFORMED if it
 * exceeds INT16_MAX. */
int icmp_emit(const struct icmp_repr *r, uint8_t *buf, size_t cap)
{
	size_t n = (size_t)ICMP_HDR_LEN + r->data_len;

	if (n > ICMP_EMIT_MAX)
		return WIRE_ERR_MALFORMED;
	if (n > cap)
		return WIRE_ERR_TRUNCATED;
	if (r->data_len && r->data != buf + ICMP_HDR_LEN)
		memmove(buf + ICMP_HDR_LEN, r->data, r->data_len);
	buf[ICMP_OFF_TYPE] = r->type;
	buf[ICMP_OFF_CODE] = r->code;
	wire_put16(buf + ICMP_OFF_CSUM, 0);
	wire_put16(buf + ICMP_OFF_IDENT, r->ident);
	wire_put16(buf + ICMP_OFF_SEQ, r->seq);
	wire_put16(buf + ICMP_OFF_CSUM, wire_checksum(buf, n));
	return (int)n;
}
