/* icmp.h - ICMPv4 codec (RFC 792): echo and destination unreachable. */
#ifndef WIRE_ICMP_H
#define WIRE_ICMP_H

#include "wire.h"

#define ICMP_HDR_LEN 8u
#define ICMP_ECHO_REPLY 0u
#define ICMP_DEST_UNREACH 3u
#define ICMP_ECHO_REQUEST 8u
#define ICMP_UNREACH_PROTO 2u
#define ICMP_UNREACH_PORT 3u

struct icmp_repr {
	uint8_t type, code;
	uint16_t ident, seq;     /* echo */
	const uint8_t *data;     /* echo payload, or the quoted datagram */
	uint16_t data_len;
};

/* Verifies the checksum over the whole message. data points into buf. */
int icmp_parse(const uint8_t *buf, size_t len, struct icmp_repr *r);
/* Emits header + data with checksum; returns the length written. */
int icmp_emit(const struct icmp_repr *r, uint8_t *buf, size_t cap);

#endif
