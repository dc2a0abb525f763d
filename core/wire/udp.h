/* udp.h - UDP codec (RFC 768). */
#ifndef WIRE_UDP_H
#define WIRE_UDP_H

#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UDP_HDR_LEN 8u

struct udp_repr {
	uint16_t src_port, dst_port;
	uint16_t len;        /* header + payload, from the header */
	uint16_t checksum;   /* as found; 0 = none */
};

/* Checks len >= 8 and len <= buffer. Checksum verification needs the IP
 * addresses: see udp_verify(). */
int udp_parse(const uint8_t *buf, size_t len, struct udp_repr *r);
int udp_verify(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst);
/* Emits the header; checksum filled over buf[0..len) (header+payload already
 * placed after it) when src/dst given, i.e. not both 0; a computed 0 is sent
 * as 0xFFFF. With src == dst == 0, r->checksum is written as is. Returns
 * UDP_HDR_LEN or WIRE_ERR_TRUNCATED (cap < 8, or < len when summing). */
int udp_emit(const struct udp_repr *r, uint8_t *buf, size_t cap, uint32_t src, uint32_t dst);

#ifdef __cplusplus
}
#endif
#endif
