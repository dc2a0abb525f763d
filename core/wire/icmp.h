/* icmp.h - ICMPv4 codec (RFC 792): echo and destination unreachable. */
#ifndef WIRE_ICMP_H
#define WIRE_ICMP_H

#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ICMP_HDR_LEN 8u
#define ICMP_ECHO_REPLY 0u
#define ICMP_DEST_UNREACH 3u
#define ICMP_ECHO_REQUEST 8u
#define ICMP_TIME_EXCEEDED 11u
#define ICMP_PARAM_PROBLEM 12u
#define ICMP_UNREACH_PROTO 2u
#define ICMP_UNREACH_PORT 3u

struct icmp_repr {
	uint8_t type, code;
	uint16_t ident, seq;     /* bytes 4-7, any type (echo: id, seq) */
	const uint8_t *data;     /* echo payload, or the quoted datagram */
	uint16_t data_len;
};

/* Verifies the checksum over the whole message. data points into buf. len
 * is the IPv4 payload (total_len - hdr_len), not the frame length. */
int icmp_parse(const uint8_t *buf, size_t len, struct icmp_repr *r);
/* Emits header + data with checksum; returns the length written. data may
 * already sit at buf + 8 (reply built in place) or overlap it. Errors:
 * TRUNCATED (cap), MALFORMED (8 + data_len > INT16_MAX). */
int icmp_emit(const struct icmp_repr *r, uint8_t *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
