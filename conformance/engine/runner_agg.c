/*
 * runner_agg.c - packetdrill's aggregation of outbound segments (its
 * run_packet.c sniff loop and packet.c aggregate_packets): when the DUT
 * sends less payload than a `>` line expects, the segments that follow
 * on the same connection are joined onto it until the line's length is
 * reached, so a script written for a TSO super-segment (`> P. 1:10001
 * (10000)`) matches a kernel whose TSO autosizing cut it in smaller ones.
 * The joined segment has the last one's headers (flags, window, options,
 * time) with the first one's sequence number and CWR bit, as packetdrill
 * builds it. Used where the calls are real (tap running a packetdrill
 * script), as packetdrill does outside --strict_segments.
 */
#include <string.h>

#include "engine_internal.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t ip_sum(const uint8_t *h, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += get16(h + i);
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)~s;
}

bool engine_agg_compatible(const struct engine_seg *prev, const struct engine_seg *next, uint16_t prev_len,
			   bool last)
{
	uint8_t must = TCP_SYN | TCP_RST | TCP_ACK | TCP_URG | TCP_ECE;
	if (next->tcp.seq != prev->tcp.seq + prev_len || next->tcp.ack != prev->tcp.ack ||
	    (next->tcp.flags & must) != (prev->tcp.flags & must) || next->tcp.window != prev->tcp.window)
		return false;
	/* Every fragment but the last is as long as the one before it. */
	return last || next->payload_len == prev_len;
}

bool engine_agg_same_tuple(const struct engine_seg *a, const struct engine_seg *b)
{
	return a->ip.src == b->ip.src && a->ip.dst == b->ip.dst && a->tcp.src_port == b->tcp.src_port &&
	       a->tcp.dst_port == b->tcp.dst_port;
}

bool engine_agg_join(struct dut_packet *acc, const struct dut_packet *next)
{
	const uint8_t *a = acc->data, *n = next->data;
	size_t a_ihl = (size_t)(a[0] & 0x0fu) * 4u, n_ihl = (size_t)(n[0] & 0x0fu) * 4u;
	size_t a_doff = (size_t)(a[a_ihl + 12] >> 4) * 4u, n_doff = (size_t)(n[n_ihl + 12] >> 4) * 4u;
	size_t a_tot = get16(a + 2), n_tot = get16(n + 2);
	if (a_tot > acc->len || n_tot > next->len || a_ihl + a_doff > a_tot || n_ihl + n_doff > n_tot)
		return false;
	size_t a_pay = a_tot - a_ihl - a_doff, n_pay = n_tot - n_ihl - n_doff;
	size_t total = n_ihl + n_doff + a_pay + n_pay;
	if (total > 65535u || total > sizeof acc->data)
		return false;
	static _Thread_local uint8_t out[DUT_MAX_SUPER_PKT];
	memcpy(out, n, n_ihl + n_doff);
	memcpy(out + n_ihl + n_doff, a + a_ihl + a_doff, a_pay);
	memcpy(out + n_ihl + n_doff + a_pay, n + n_ihl + n_doff, n_pay);
	uint8_t *tcp = out + n_ihl;
	memcpy(tcp + 4, a + a_ihl + 4, 4); /* the first one's seq */
	tcp[13] = (uint8_t)((tcp[13] & ~TCP_CWR) | (a[a_ihl + 13] & TCP_CWR));
	put16(out + 2, (uint16_t)total);
	out[10] = out[11] = 0;
	put16(out + 10, ip_sum(out, n_ihl));
	uint32_t src = (uint32_t)out[12] << 24 | (uint32_t)out[13] << 16 | (uint32_t)out[14] << 8 | out[15];
	uint32_t dst = (uint32_t)out[16] << 24 | (uint32_t)out[17] << 16 | (uint32_t)out[18] << 8 | out[19];
	tcp[16] = tcp[17] = 0;
	tcp_checksum(tcp, total - n_ihl, src, dst);
	memcpy(acc->data, out, total);
	acc->len = total;
	acc->t = next->t;
	return true;
}
