/*
 * arp.c - ARP codec for Ethernet/IPv4 (RFC 826): the 28-byte body that
 * follows an Ethernet header with type 0x0806. Only htype 1 / ptype 0x0800
 * is understood. Called by the stack's ARP module (requests, replies, cache
 * updates) and by the conformance engine to build and check ARP frames.
 */
#include <string.h>
#include "arp.h"

#define ARP_OFF_HTYPE 0u
#define ARP_OFF_PTYPE 2u
#define ARP_OFF_HLEN 4u
#define ARP_OFF_PLEN 5u
#define ARP_OFF_OP 6u
#define ARP_OFF_SHA 8u
#define ARP_OFF_SPA 14u
#define ARP_OFF_THA 18u
#define ARP_OFF_TPA 24u
#define ARP_HTYPE_ETHER 1u
#define ARP_PTYPE_IPV4 0x0800u

/* Parses the body. A hardware or protocol type other than Ethernet/IPv4 is
 * WIRE_ERR_UNSUPPORTED; Ethernet/IPv4 with hlen != 6 or plen != 4 is
 * WIRE_ERR_MALFORMED. The opcode is reported as found (the caller acts on
 * ARP_OP_REQUEST / ARP_OP_REPLY and drops the rest). Bytes past 28 are
 * Ethernet padding and ignored. */
int arp_parse(const uint8_t *buf, size_t len, struct arp_repr *r)
{
	if (len < ARP_LEN)
		return WIRE_ERR_TRUNCATED;
	if (wire_get16(buf + ARP_OFF_HTYPE) != ARP_HTYPE_ETHER ||
	    wire_get16(buf + ARP_OFF_PTYPE) != ARP_PTYPE_IPV4)
		return WIRE_ERR_UNSUPPORTED;
	if (buf[ARP_OFF_HLEN] != 6u || buf[ARP_OFF_PLEN] != 4u)
		return WIRE_ERR_MALFORMED;
	r->op = wire_get16(buf + ARP_OFF_OP);
	memcpy(r->sha, buf + ARP_OFF_SHA, 6);
	r->spa = wire_get32(buf + ARP_OFF_SPA);
	memcpy(r->tha, buf + ARP_OFF_THA, 6);
	r->tpa = wire_get32(buf + ARP_OFF_TPA);
	return WIRE_OK;
}

/* Writes the 28-byte body; returns ARP_LEN or WIRE_ERR_TRUNCATED. */
int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t cap)
{
	if (cap < ARP_LEN)
		return WIRE_ERR_TRUNCATED;
	wire_put16(buf + ARP_OFF_HTYPE, ARP_HTYPE_ETHER);
	wire_put16(buf + ARP_OFF_PTYPE, ARP_PTYPE_IPV4);
	buf[ARP_OFF_HLEN] = 6;
	buf[ARP_OFF_PLEN] = 4;
	wire_put16(buf + ARP_OFF_OP, r->op);
	memcpy(buf + ARP_OFF_SHA, r->sha, 6);
	wire_put32(buf + ARP_OFF_SPA, r->spa);
	memcpy(buf + ARP_OFF_THA, r->tha, 6);
	wire_put32(buf + ARP_OFF_TPA, r->tpa);
	return (int)ARP_LEN;
}
