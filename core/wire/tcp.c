/*
 * tcp.c - TCP header and options codec (RFC 9293 §3.1; options from
 * RFC 9293 §3.2 (MSS), RFC 7323 (window scale, timestamps) and RFC 2018
 * (SACK)). The stack's input path calls tcp_verify() then tcp_parse() and
 * hands the repr to the state machine; its output path fills a repr, calls
 * tcp_emit(), places the payload and calls tcp_checksum(). The conformance
 * engine and the pcap tools use the same functions to build and check
 * segments. Segments are the IPv4 payload: callers pass total_len - hdr_len,
 * never the Ethernet frame length (it may carry pad bytes).
 *
 * Option layout on emit is the one Linux uses (tcp_options_write()), so a
 * segment built here looks like one from a Linux peer in a capture. Every
 * option group is a multiple of 4 bytes, so no trailing padding is needed:
 *
 *   MSS              02 04 mm mm
 *   TS + SACK_PERM   04 02 08 0a <val> <ecr>     ("sackOK,TS", 12 bytes)
 *   TS alone         01 01 08 0a <val> <ecr>     (12 bytes)
 *   SACK_PERM alone  01 01 04 02                 (4 bytes, when no TS)
 *   WS               01 03 03 ws                 (4 bytes)
 *   SACK blocks      01 01 05 nn <l,r>...        (4 + 8n bytes)
 *
 * The seed capture's SYN is MSS, sackOK+TS, NOP+WS: 20 bytes, doff 10.
 */
#include <string.h>
#include "tcp.h"
#include "ipv4.h"

/* wire_get16, out of line: six reads here, each inline copy 4 B more on
 * AVR than a call. */
static __attribute__((noinline)) uint16_t get16(const uint8_t *p)
{
	return wire_get16(p);
}

#define TCP_OPTLEN_MSS 4u
#define TCP_OPTLEN_WSCALE 3u
#define TCP_OPTLEN_SACK_PERM 2u
#define TCP_OPTLEN_TS 10u
#define TCP_OPTLEN_SACK_BASE 2u
#define TCP_OPTLEN_SACK_BLOCK 8u

/* Reads one known option whose kind and length byte are at p[0], p[1] and
 * whose olen bytes are inside the header. */
static int parse_known(const uint8_t *p, uint8_t olen, struct tcp_options *o)
{
	uint8_t i, n;

	switch (p[0]) {
	case TCP_OPT_MSS:
		if (olen != TCP_OPTLEN_MSS)
			return WIRE_ERR_MALFORMED;
		o->mss = get16(p + 2);
		o->present |= TCP_OPTF_MSS;
		return WIRE_OK;
	case TCP_OPT_WSCALE:
		if (olen != TCP_OPTLEN_WSCALE)
			return WIRE_ERR_MALFORMED;
		o->wscale = p[2]; /* raw: RFC 7323 §2.3 clamping to 14 is the stack's */
		o->present |= TCP_OPTF_WSCALE;
		return WIRE_OK;
	case TCP_OPT_SACK_PERM:
		if (olen != TCP_OPTLEN_SACK_PERM)
			return WIRE_ERR_MALFORMED;
		o->present |= TCP_OPTF_SACK_PERM;
		return WIRE_OK;
	case TCP_OPT_TS:
		if (olen != TCP_OPTLEN_TS)
			return WIRE_ERR_MALFORMED;
		o->ts_val = wire_get32(p + 2);
		o->ts_ecr = wire_get32(p + 6);
		o->present |= TCP_OPTF_TS;
		return WIRE_OK;
	case TCP_OPT_SACK:
		/* 2 + 8n, n >= 1; n <= 4 follows from the 40-byte option space. */
		n = (uint8_t)(olen - TCP_OPTLEN_SACK_BASE); /* 8 bits: olen >= 2 */
		if (olen < TCP_OPTLEN_SACK_BASE + TCP_OPTLEN_SACK_BLOCK || n % TCP_OPTLEN_SACK_BLOCK != 0u)
			return WIRE_ERR_MALFORMED;
		n = (uint8_t)(n / TCP_OPTLEN_SACK_BLOCK);
		for (i = 0; i < n && i < TCP_MAX_SACK_BLOCKS; i++) {
			o->sack[i][0] = wire_get32(p + 2 + 8u * i);
			o->sack[i][1] = wire_get32(p + 6 + 8u * i);
		}
		o->sack_blocks = i;
		o->present |= TCP_OPTF_SACK;
		return WIRE_OK;
	default:
		o->unknown++;
		return WIRE_OK;
	}
}

/* Walks the options in p[0..n) (the bytes between the fixed header and the
 * data offset). EOL ends the list; NOP is one byte; every other option has
 * a length byte that must be >= 2 and stay inside the header. */
static int parse_options(const uint8_t *p, uint8_t n, struct tcp_options *o)
{
	uint8_t i = 0, olen, room;
	int e;

	while (i < n) {
		if (p[i] == TCP_OPT_EOL)
			break;
		if (p[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		room = (uint8_t)(n - i); /* header bytes left, in 8 bits */
		if (room < 2u)
			return WIRE_ERR_MALFORMED; /* no room for the length byte */
		olen = p[i + 1];
		if (olen < 2u || olen > room)
			return WIRE_ERR_MALFORMED;
		e = parse_known(p + i, olen, o);
		if (e != WIRE_OK)
			return e;
		i = (uint8_t)(i + olen);
	}
	return WIRE_OK;
}

/* Parses header and options of the segment in buf[0..len). Errors:
 * fewer than 20 bytes (TRUNCATED), data offset < 5 (MALFORMED), data offset
 * past len (TRUNCATED), any option error (MALFORMED, see parse_options).
 * The four reserved bits of byte 12 are not kept. The checksum is stored as
 * found, not verified: see tcp_verify(). On an options error the fixed
 * fields are already filled, for the caller's diagnostics. */
int tcp_parse(const uint8_t *buf, size_t len, struct tcp_repr *r)
{
	uint8_t hl;

	if (len < TCP_HDR_MIN)
		return WIRE_ERR_TRUNCATED;
	hl = (uint8_t)((buf[TCP_OFF_DOFF] >> 4) * 4u);
	if (hl < TCP_HDR_MIN)
		return WIRE_ERR_MALFORMED;
	if (hl > len)
		return WIRE_ERR_TRUNCATED;

	r->src_port = get16(buf + TCP_OFF_SPORT);
	r->dst_port = get16(buf + TCP_OFF_DPORT);
	r->seq = wire_get32(buf + TCP_OFF_SEQ);
	r->ack = wire_get32(buf + TCP_OFF_ACK);
	r->flags = buf[TCP_OFF_FLAGS];
	r->window = get16(buf + TCP_OFF_WIN);
	r->checksum = get16(buf + TCP_OFF_CSUM);
	r->urg = get16(buf + TCP_OFF_URG);
	r->hdr_len = hl;
	memset(&r->opt, 0, sizeof(r->opt));
	return parse_options(buf + TCP_HDR_MIN, (uint8_t)(hl - TCP_HDR_MIN), &r->opt);
}

/* Folded sum of the pseudo-header and seg[0..len), len <= 65535. */
static uint16_t seg_csum(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	struct wire_csum c;

	wire_csum_init(&c);
	ipv4_pseudo_csum(&c, src, dst, IPV4_PROTO_TCP, (uint16_t)len);
	wire_csum_add(&c, seg, len);
	return wire_csum_fold(&c);
}

/* Checks the checksum of the segment in seg[0..len) against the
 * pseudo-header. Returns WIRE_OK, WIRE_ERR_CHECKSUM, WIRE_ERR_TRUNCATED
 * (fewer than 20 bytes) or WIRE_ERR_MALFORMED (len over 65535). */
int tcp_verify(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	if (len < TCP_HDR_MIN)
		return WIRE_ERR_TRUNCATED;
	if (len > 0xFFFFu)
		return WIRE_ERR_MALFORMED;
	return seg_csum(seg, len, src, dst) == 0 ? WIRE_OK : WIRE_ERR_CHECKSUM;
}

/* SACK blocks emit writes: at most TCP_MAX_SACK_BLOCKS, none unless the
 * SACK bit is present. */
static uint8_t sack_blocks(const struct tcp_options *o)
{
	if (!(o->present & TCP_OPTF_SACK))
		return 0;
	return o->sack_blocks < TCP_MAX_SACK_BLOCKS ? o->sack_blocks : (uint8_t)TCP_MAX_SACK_BLOCKS;
}

/* Bytes of options tcp_emit() writes for o, in the layout at the top of this
 * file: always a multiple of 4. A result above 40 (everything at once) does
 * not fit a TCP header; tcp_emit() then refuses with WIRE_ERR_MALFORMED.
 * `unknown` is not emitted. */
uint8_t tcp_options_len(const struct tcp_options *o)
{
	uint8_t n = 0, b = sack_blocks(o);

	if (o->present & TCP_OPTF_MSS)
		n = (uint8_t)(n + 4u);
	if (o->present & TCP_OPTF_TS)
		n = (uint8_t)(n + 12u); /* SACK_PERM, if any, rides in its NOPs */
	else if (o->present & TCP_OPTF_SACK_PERM)
		n = (uint8_t)(n + 4u);
	if (o->present & TCP_OPTF_WSCALE)
		n = (uint8_t)(n + 4u);
	if (b)
		n = (uint8_t)(n + 4u + 8u * b);
	return n;
}

#if !WIRE_TCP_EMIT_MSS_ONLY
/* Writes the options block for o at p; returns the bytes written. */
static uint8_t write_options(const struct tcp_options *o, uint8_t *p)
{
	uint8_t *q = p, b = sack_blocks(o), i;

	if (o->present & TCP_OPTF_MSS) {
		q[0] = TCP_OPT_MSS;
		q[1] = TCP_OPTLEN_MSS;
		wire_put16(q + 2, o->mss);
		q += 4;
	}
	if (o->present & TCP_OPTF_TS) {
		if (o->present & TCP_OPTF_SACK_PERM) {
			q[0] = TCP_OPT_SACK_PERM;
			q[1] = TCP_OPTLEN_SACK_PERM;
		} else {
			q[0] = TCP_OPT_NOP;
			q[1] = TCP_OPT_NOP;
		}
		q[2] = TCP_OPT_TS;
		q[3] = TCP_OPTLEN_TS;
		wire_put32(q + 4, o->ts_val);
		wire_put32(q + 8, o->ts_ecr);
		q += 12;
	} else if (o->present & TCP_OPTF_SACK_PERM) {
		q[0] = TCP_OPT_NOP;
		q[1] = TCP_OPT_NOP;
		q[2] = TCP_OPT_SACK_PERM;
		q[3] = TCP_OPTLEN_SACK_PERM;
		q += 4;
	}
	if (o->present & TCP_OPTF_WSCALE) {
		q[0] = TCP_OPT_NOP;
		q[1] = TCP_OPT_WSCALE;
		q[2] = TCP_OPTLEN_WSCALE;
		q[3] = o->wscale;
		q += 4;
	}
	if (b) {
		q[0] = TCP_OPT_NOP;
		q[1] = TCP_OPT_NOP;
		q[2] = TCP_OPT_SACK;
		q[3] = (uint8_t)(TCP_OPTLEN_SACK_BASE + TCP_OPTLEN_SACK_BLOCK * b);
		q += 4;
		for (i = 0; i < b; i++) {
			wire_put32(q, o->sack[i][0]);
			wire_put32(q + 4, o->sack[i][1]);
			q += 8;
		}
	}
	return (uint8_t)(q - p);
}
#endif

/* Writes the header and options; returns the header length (20 +
 * tcp_options_len(), which replaces r->hdr_len) or WIRE_ERR_TRUNCATED /
 * WIRE_ERR_MALFORMED (options over 40 bytes or sack_blocks over
 * TCP_MAX_SACK_BLOCKS). The checksum field is written as 0; the caller
 * places the payload and calls tcp_checksum(). */
int tcp_emit(const struct tcp_repr *r, uint8_t *buf, size_t cap)
{
#if WIRE_TCP_EMIT_MSS_ONLY
	uint8_t hl = (r->opt.present & TCP_OPTF_MSS) ? TCP_HDR_MIN + TCP_OPTLEN_MSS : TCP_HDR_MIN;

	if (r->opt.present & (uint8_t)~TCP_OPTF_MSS)
		return WIRE_ERR_UNSUPPORTED;
#else
	uint8_t ol = tcp_options_len(&r->opt), hl;

	if ((r->opt.present & TCP_OPTF_SACK) && r->opt.sack_blocks > TCP_MAX_SACK_BLOCKS)
		return WIRE_ERR_MALFORMED;
	if (ol > TCP_HDR_MAX - TCP_HDR_MIN)
		return WIRE_ERR_MALFORMED;
	hl = (uint8_t)(TCP_HDR_MIN + ol);
#endif
	if (cap < hl)
		return WIRE_ERR_TRUNCATED;
	wire_put16(buf + TCP_OFF_SPORT, r->src_port);
	wire_put16(buf + TCP_OFF_DPORT, r->dst_port);
	wire_put32(buf + TCP_OFF_SEQ, r->seq);
	wire_put32(buf + TCP_OFF_ACK, r->ack);
	buf[TCP_OFF_DOFF] = (uint8_t)((hl / 4u) << 4);
	buf[TCP_OFF_FLAGS] = r->flags;
	wire_put16(buf + TCP_OFF_WIN, r->window);
	wire_put16(buf + TCP_OFF_CSUM, 0);
	wire_put16(buf + TCP_OFF_URG, r->urg);
#if WIRE_TCP_EMIT_MSS_ONLY
	if (hl > TCP_HDR_MIN) {
		buf[TCP_HDR_MIN] = TCP_OPT_MSS;
		buf[TCP_HDR_MIN + 1] = TCP_OPTLEN_MSS;
		wire_put16(buf + TCP_HDR_MIN + 2, r->opt.mss);
	}
#else
	write_options(&r->opt, buf + TCP_HDR_MIN);
#endif
	return hl;
}

/* Computes and writes the checksum of the complete segment seg[0..len)
 * (header, options and payload) over the pseudo-header. len must be at
 * least TCP_HDR_MIN and at most 65535; shorter calls do nothing. */
void tcp_checksum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	if (len < TCP_HDR_MIN || len > 0xFFFFu)
		return;
	wire_put16(seg + TCP_OFF_CSUM, 0);
	wire_put16(seg + TCP_OFF_CSUM, seg_csum(seg, len, src, dst));
}

/* SEG.LEN (RFC 9293 §3.4): payload octets plus one each for SYN and FIN,
 * which occupy sequence space. */
uint32_t tcp_seg_len(uint8_t flags, uint32_t payload_len)
{
	return payload_len + ((flags & TCP_SYN) ? 1u : 0u) + ((flags & TCP_FIN) ? 1u : 0u);
}
