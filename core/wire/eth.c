/*
 * eth.c - Ethernet II header codec. The ENC28J60 appends and strips the FCS,
 * so frames here start at the destination address and end at the last
 * payload (or pad) byte. Called by the stack's input dispatch (ethertype ->
 * arp/ipv4), its output path, and the conformance engine and pcap tools.
 */
#include <string.h>
#include "eth.h"

/* Reads the 14-byte header. The ethertype is reported as found: a value of
 * 1500 or less is an IEEE 802.3 length, which callers drop as an unknown
 * type. Returns WIRE_OK or WIRE_ERR_TRUNCATED. */
int eth_parse(const uint8_t *buf, size_t len, struct eth_repr *r)
{
	if (len < ETH_HDR_LEN)
		return WIRE_ERR_TRUNCATED;
	memcpy(r->dst, buf + ETH_OFF_DST, ETH_ADDR_LEN);
	memcpy(r->src, buf + ETH_OFF_SRC, ETH_ADDR_LEN);
	r->ethertype = wire_get16(buf + ETH_OFF_TYPE);
	return WIRE_OK;
}

/* Writes the 14-byte header; returns ETH_HDR_LEN or WIRE_ERR_TRUNCATED. */
int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t cap)
{
	if (cap < ETH_HDR_LEN)
		return WIRE_ERR_TRUNCATED;
	memcpy(buf + ETH_OFF_DST, r->dst, ETH_ADDR_LEN);
	memcpy(buf + ETH_OFF_SRC, r->src, ETH_ADDR_LEN);
	wire_put16(buf + ETH_OFF_TYPE, r->ethertype);
	return (int)ETH_HDR_LEN;
}

/* True for ff:ff:ff:ff:ff:ff. */
bool eth_is_broadcast(const uint8_t a[ETH_ADDR_LEN])
{
	uint8_t all = 0xFF;
	size_t i;

	for (i = 0; i < ETH_ADDR_LEN; i++)
		all &= a[i];
	return all == 0xFF;
}

/* True when the I/G (group) bit, the first bit on the wire, is set. */
bool eth_is_multicast(const uint8_t a[ETH_ADDR_LEN])
{
	return (a[0] & 0x01u) != 0;
}
