/* ipv6.h - IPv6 header codec (RFC 8200): the fixed header, the extension
 * header chain up to the upper-layer header, and the pseudo-header sum for
 * TCP/UDP checksums (RFC 8200 §8.1). Parse only: the stack is IPv4, the
 * capture tools follow TCP over either version. */
#ifndef WIRE_IPV6_H
#define WIRE_IPV6_H

#include <stdbool.h>
#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPV6_HDR_LEN 40u
#define IPV6_ADDR_LEN 16u
#define IPV6_OFF_VTF 0u   /* version, traffic class, flow label */
#define IPV6_OFF_PLEN 4u
#define IPV6_OFF_NEXT 6u
#define IPV6_OFF_HLIM 7u
#define IPV6_OFF_SRC 8u
#define IPV6_OFF_DST 24u

#define IPV6_NH_HOPOPTS 0u
#define IPV6_NH_TCP 6u
#define IPV6_NH_UDP 17u
#define IPV6_NH_ROUTING 43u
#define IPV6_NH_FRAGMENT 44u
#define IPV6_NH_AH 51u
#define IPV6_NH_ICMPV6 58u
#define IPV6_NH_NONE 59u
#define IPV6_NH_DSTOPTS 60u

struct ipv6_repr {
	uint8_t src[IPV6_ADDR_LEN], dst[IPV6_ADDR_LEN];
	uint8_t traffic_class;
	uint32_t flow_label;
	uint8_t hop_limit;
	uint16_t payload_len;  /* from the header: bytes after the fixed 40 */
	uint8_t proto;         /* the upper-layer protocol after the chain */
	uint16_t hdr_len;      /* 40 + every extension header skipped */
	bool fragment;         /* a Fragment header with offset != 0 or M set */
};

/* Checks version 6 and 40 + payload_len <= len, then walks hop-by-hop,
 * routing, destination options, AH and fragment headers (each must fit in
 * the payload) to the first other header. Codes: len < 40 TRUNCATED;
 * version != 6 MALFORMED; payload past len TRUNCATED; payload_len 0 (a
 * jumbogram, RFC 2675) UNSUPPORTED; an extension header running past the
 * payload MALFORMED. `len` may exceed 40 + payload_len (Ethernet padding). */
int ipv6_parse(const uint8_t *buf, size_t len, struct ipv6_repr *r);
/* Adds the upper-layer pseudo-header: source, destination, 32-bit
 * upper-layer length, three zero bytes and the next header value. */
void ipv6_pseudo_csum(struct wire_csum *c, const uint8_t src[IPV6_ADDR_LEN], const uint8_t dst[IPV6_ADDR_LEN],
		      uint8_t proto, uint32_t l4_len);

#ifdef __cplusplus
}
#endif

#endif
