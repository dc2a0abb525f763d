/* arp.h - ARP for Ethernet/IPv4 (RFC 826), 28-byte body after Ethernet. */
#ifndef WIRE_ARP_H
#define WIRE_ARP_H

#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ARP_LEN 28u
#define ARP_OP_REQUEST 1u
#define ARP_OP_REPLY 2u

struct arp_repr {
	uint16_t op;
	uint8_t sha[6];
	uint32_t spa; /* host order */
	uint8_t tha[6];
	uint32_t tpa;
};

/* Rejects anything but htype 1, ptype 0x0800, hlen 6, plen 4 (MALFORMED /
 * UNSUPPORTED). `op` is reported as found: the caller drops ops other than
 * ARP_OP_REQUEST / ARP_OP_REPLY. Bytes past 28 (Ethernet padding) are ignored.
 * arp_emit returns ARP_LEN or WIRE_ERR_TRUNCATED. */
int arp_parse(const uint8_t *buf, size_t len, struct arp_repr *r);
int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
