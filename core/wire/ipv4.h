/* ipv4.h - IPv4 header codec (RFC 791). Options are skipped, not kept. */
#ifndef WIRE_IPV4_H
#define WIRE_IPV4_H

#include <stdbool.h>
#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPV4_HDR_MIN 20u
#define IPV4_OFF_VHL 0u
#define IPV4_OFF_TOS 1u
#define IPV4_OFF_LEN 2u
#define IPV4_OFF_ID 4u
#define IPV4_OFF_FRAG 6u
#define IPV4_OFF_TTL 8u
#define IPV4_OFF_PROTO 9u
#define IPV4_OFF_CSUM 10u
#define IPV4_OFF_SRC 12u
#define IPV4_OFF_DST 16u
#define IPV4_FLAG_DF 0x4000u
#define IPV4_FLAG_MF 0x2000u
#define IPV4_FRAG_OFF_MASK 0x1FFFu
#define IPV4_PROTO_ICMP 1u
#define IPV4_PROTO_TCP 6u
#define IPV4_PROTO_UDP 17u

struct ipv4_repr {
	uint32_t src, dst;   /* host order */
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
	uint16_t id;
	uint16_t frag;       /* flags + offset field as on the wire */
	uint8_t hdr_len;     /* bytes, including options */
	uint16_t total_len;  /* from the header, NOT the frame length */
};

/* Checks version 4, IHL >= 5, IHL*4 <= total_len <= len, and the header
 * checksum (WIRE_ERR_CHECKSUM). `len` may exceed total_len: Ethernet pads
 * short frames (the seed capture's SYN-ACK has 6 trailing bytes). Codes, in
 * check order: len < 20 TRUNCATED; version != 4 or IHL < 5 MALFORMED;
 * IHL*4 > len TRUNCATED; CHECKSUM; total_len < IHL*4 MALFORMED;
 * total_len > len TRUNCATED. */
int ipv4_parse(const uint8_t *buf, size_t len, struct ipv4_repr *r);
/* Emits a 20-byte header (no options) with checksum; hdr_len is ignored,
 * total_len written as given. Returns IPV4_HDR_MIN or WIRE_ERR_TRUNCATED. */
int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t cap);
bool ipv4_is_fragment(const struct ipv4_repr *r);
/* Pseudo-header sum for TCP/UDP checksums (any offset in the sum). */
void ipv4_pseudo_csum(struct wire_csum *c, uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len);

#ifdef __cplusplus
}
#endif
#endif
