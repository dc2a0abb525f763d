/* tcp.h - TCP header and options codec (RFC 9293 §3.1, RFC 7323, RFC 2018). */
#ifndef WIRE_TCP_H
#define WIRE_TCP_H

#include <stdbool.h>
#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TCP_HDR_MIN 20u
#define TCP_HDR_MAX 60u
#define TCP_OFF_SPORT 0u
#define TCP_OFF_DPORT 2u
#define TCP_OFF_SEQ 4u
#define TCP_OFF_ACK 8u
#define TCP_OFF_DOFF 12u
#define TCP_OFF_FLAGS 13u
#define TCP_OFF_WIN 14u
#define TCP_OFF_CSUM 16u
#define TCP_OFF_URG 18u

#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_URG 0x20u
#define TCP_ECE 0x40u
#define TCP_CWR 0x80u

#define TCP_OPT_EOL 0u
#define TCP_OPT_NOP 1u
#define TCP_OPT_MSS 2u
#define TCP_OPT_WSCALE 3u
#define TCP_OPT_SACK_PERM 4u
#define TCP_OPT_SACK 5u
#define TCP_OPT_TS 8u

#define TCP_MAX_SACK_BLOCKS 4u

/* Parsed options. `present` bits say which were seen. */
#define TCP_OPTF_MSS 0x01u
#define TCP_OPTF_WSCALE 0x02u
#define TCP_OPTF_SACK_PERM 0x04u
#define TCP_OPTF_TS 0x08u
#define TCP_OPTF_SACK 0x10u
struct tcp_options {
	uint8_t present;
	uint16_t mss;
	uint8_t wscale;
	uint32_t ts_val, ts_ecr;
	uint8_t sack_blocks;
	uint32_t sack[TCP_MAX_SACK_BLOCKS][2];
	uint8_t unknown;     /* count of unknown options skipped */
};

struct tcp_repr {
	uint16_t src_port, dst_port;
	uint32_t seq, ack;
	uint8_t flags;       /* TCP_FIN ... TCP_CWR */
	uint16_t window;     /* raw field, unscaled */
	uint16_t checksum;   /* as found */
	uint16_t urg;
	uint8_t hdr_len;     /* data offset * 4 */
	struct tcp_options opt;
};

/* Parses header and options. Option parsing is bounds-checked: unknown
 * options are skipped by their length; a length of 0 or 1 for a
 * multi-byte option, or one running past the header, is WIRE_ERR_MALFORMED.
 * So is a known option with the wrong length (MSS 4, WS 3, SACK_PERM 2,
 * TS 10, SACK 2+8n with n >= 1). EOL ends the list. len < 20 or data offset
 * past len: TRUNCATED; data offset < 5: MALFORMED. len is the IPv4 payload
 * (total_len - hdr_len), never the frame length. The 4 reserved bits of
 * byte 12 are not kept.
 * Checksum is not verified here (needs the pseudo-header): tcp_verify(). */
int tcp_parse(const uint8_t *buf, size_t len, struct tcp_repr *r);
int tcp_verify(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst);
/* Length of the options block emit would write for these options (padded to
 * a multiple of 4). Emit order: MSS, SACK-permitted, timestamps, window scale
 * with NOP padding as Linux does, then SACK blocks:
 *   02 04 mss | 04 02 08 0a val ecr (or 01 01 08 0a ..., or 01 01 04 02
 *   without TS) | 01 03 03 ws | 01 01 05 len blocks.
 * Over 40 means it does not fit, and tcp_emit refuses. */
uint8_t tcp_options_len(const struct tcp_options *o);
/* WIRE_TCP_EMIT_MSS_ONLY (default 1 on AVR, 0 elsewhere): tcp_emit() writes
 * the MSS option and no other, and refuses a repr asking for more with
 * WIRE_ERR_UNSUPPORTED. The stack never sends another option; the Linux
 * style layout writer below costs ~0.3 KB of AVR flash. Parsing is not
 * affected: every option is still checked and stored. */
#ifndef WIRE_TCP_EMIT_MSS_ONLY
#if defined(__AVR__)
#define WIRE_TCP_EMIT_MSS_ONLY 1
#else
#define WIRE_TCP_EMIT_MSS_ONLY 0
#endif
#endif
/* Emits the header with options; returns the header length (20 +
 * tcp_options_len; r->hdr_len is ignored), WIRE_ERR_TRUNCATED, or
 * WIRE_ERR_MALFORMED (options over 40 bytes). The checksum field is written
 * as 0: the caller computes it over pseudo-header, header
 * and payload (see tcp_checksum()). */
int tcp_emit(const struct tcp_repr *r, uint8_t *buf, size_t cap);
/* Fills in the checksum of a complete segment in buf[0..len). */
void tcp_checksum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst);
/* SEG.LEN: payload length plus one each for SYN and FIN. */
uint32_t tcp_seg_len(uint8_t flags, uint32_t payload_len);

#ifdef __cplusplus
}
#endif
#endif
