/* eth.h - Ethernet II header codec (no FCS: the chip adds and strips it). */
#ifndef WIRE_ETH_H
#define WIRE_ETH_H

#include <stdbool.h>
#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETH_HDR_LEN 14u
#define ETH_ADDR_LEN 6u
#define ETH_OFF_DST 0u
#define ETH_OFF_SRC 6u
#define ETH_OFF_TYPE 12u
#define ETH_TYPE_IPV4 0x0800u
#define ETH_TYPE_ARP 0x0806u

struct eth_repr {
	uint8_t dst[ETH_ADDR_LEN];
	uint8_t src[ETH_ADDR_LEN];
	uint16_t ethertype;
};

int eth_parse(const uint8_t *buf, size_t len, struct eth_repr *r);
/* Writes ETH_HDR_LEN bytes; returns ETH_HDR_LEN or WIRE_ERR_TRUNCATED. */
int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t cap);
bool eth_is_broadcast(const uint8_t a[ETH_ADDR_LEN]);
bool eth_is_multicast(const uint8_t a[ETH_ADDR_LEN]); /* group bit, incl. broadcast */

#ifdef __cplusplus
}
#endif
#endif
