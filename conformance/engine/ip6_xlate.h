/*
 * ip6_xlate.h - the runner's IPv4 datagrams <-> IPv6 (ip6_xlate.c), for
 * IPv6 runs: the stand-in IPv4 addresses and the IPv6 ones they stand for.
 */
#ifndef CONFORMANCE_IP6_XLATE_H
#define CONFORMANCE_IP6_XLATE_H

#include <stddef.h>
#include <stdint.h>

struct ip6_map {
	uint32_t dut_ip, peer_ip;          /* the runner's, host order */
	uint8_t dut_ip6[16], peer_ip6[16]; /* on the wire */
};

/* An IPv4 datagram as IPv6: its length, or -EINVAL (not IPv4) /
 * -EMSGSIZE (does not fit cap, or IPv6's 16-bit payload length). */
int ip6_xlate_to6(const struct ip6_map *m, const uint8_t *ip4, size_t len, uint8_t *out, size_t cap);
/* An IPv6 datagram as IPv4: its length, or 0 when it has none (an address
 * the map does not cover, a fragment, too long). */
int ip6_xlate_to4(const struct ip6_map *m, const uint8_t *ip6, size_t len, uint8_t *out, size_t cap);
/* The Internet checksum of an upper-layer message over IPv6's
 * pseudo-header (RFC 8200 8.1), as the value to store. */
uint16_t ip6_xlate_csum(const uint8_t src[16], const uint8_t dst[16], uint8_t proto, const uint8_t *l4, size_t n);
/* Writes a 40-byte IPv6 header. */
void ip6_xlate_header(uint8_t *o, uint8_t tc, uint16_t plen, uint8_t next, uint8_t hlim, const uint8_t src[16],
		      const uint8_t dst[16]);

#endif /* CONFORMANCE_IP6_XLATE_H */
