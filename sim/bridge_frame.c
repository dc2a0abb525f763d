/*
 * bridge_frame.c - the frame helpers the bridges and serve's counters
 * share (bridge.h): a TCP segment found in an Ethernet frame through the
 * core/wire codecs, Ethernet's minimum length, dotted addresses.
 */
#include "bridge.h"

#include <stdio.h>
#include <string.h>

#include "wire/eth.h"
#include "wire/ipv4.h"

bool bridge_frame_tcp(const uint8_t *frame, size_t len, struct bridge_tcp *out)
{
	struct eth_repr e;
	struct ipv4_repr ip;
	if (eth_parse(frame, len, &e) != WIRE_OK || e.ethertype != ETH_TYPE_IPV4)
		return false;
	const uint8_t *p = frame + ETH_HDR_LEN;
	if (ipv4_parse(p, len - ETH_HDR_LEN, &ip) != WIRE_OK || ip.proto != IPV4_PROTO_TCP || ipv4_is_fragment(&ip))
		return false;
	size_t tl = (size_t)ip.total_len - ip.hdr_len;
	if (tcp_parse(p + ip.hdr_len, tl, &out->tcp) != WIRE_OK)
		return false;
	out->src = ip.src;
	out->dst = ip.dst;
	out->payload = (uint32_t)(tl - out->tcp.hdr_len);
	return true;
}

size_t bridge_pad(uint8_t *buf, size_t len)
{
	if (len >= BRIDGE_MIN_FRAME)
		return len;
	memset(buf + len, 0, BRIDGE_MIN_FRAME - len);
	return BRIDGE_MIN_FRAME;
}

const char *bridge_ip_str(uint32_t ip, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(ip >> 24), (unsigned)(ip >> 16 & 0xFFu),
		 (unsigned)(ip >> 8 & 0xFFu), (unsigned)(ip & 0xFFu));
	return buf;
}
