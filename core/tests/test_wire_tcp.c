/*
 * test_wire_tcp.c - TCP header and options codec (core/wire/tcp.c).
 * Segments scapy built (wire_frames.h; tcpdump decodes them the same way):
 * the seed capture's SYN, SYN-ACK acking 0 in a padded 60-byte frame and
 * RST seq 0, a data segment with timestamps, a SACK, a SYN without
 * timestamps near ISN 2^32, FIN with every flag. Each is parsed field by
 * field, re-emitted into a 0xA5 buffer and compared byte for byte after
 * tcp_checksum(). Then every option-length rule and the emit layout table.
 */
#include <check.h>

#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire_check.h"
#include "wire_frames.h"

/* Points at the TCP segment inside frame f; its length comes from the IPv4
 * header (total_len - hdr_len), never from the frame. */
static size_t seg_of(const uint8_t *f, size_t n, const uint8_t **seg, struct ipv4_repr *ip)
{
	ck_assert_int_eq(ipv4_parse(f + WC_ETH, n - WC_ETH, ip), WIRE_OK);
	ck_assert_uint_eq(ip->proto, IPV4_PROTO_TCP);
	*seg = f + WC_ETH + ip->hdr_len;
	return (size_t)ip->total_len - ip->hdr_len;
}

/* Parses the segment of frame f into r, checking the checksum first as
 * the stack does; returns the segment length. */
static size_t parse_frame(const uint8_t *f, size_t n, const uint8_t **seg, struct ipv4_repr *ip,
			  struct tcp_repr *r)
{
	size_t len = seg_of(f, n, seg, ip);

	ck_assert_int_eq(tcp_verify(*seg, len, ip->src, ip->dst), WIRE_OK);
	memset(r, 0x5a, sizeof *r);
	ck_assert_int_eq(tcp_parse(*seg, len, r), WIRE_OK);
	return len;
}

/* Re-emits r into a 0xA5 buffer, checks the checksum field is 0, copies
 * the payload, checksums, and compares with the original segment. */
static void check_emit(const struct tcp_repr *r, const uint8_t *seg, size_t len, const struct ipv4_repr *ip)
{
	uint8_t out[128];
	size_t hl = r->hdr_len;

	ck_assert_uint_le(len + 8, sizeof out);
	ck_assert_uint_eq(tcp_options_len(&r->opt), hl - TCP_HDR_MIN);
	wc_fill(out, sizeof out);
	ck_assert_int_eq(tcp_emit(r, out, len), (int)hl);
	ck_assert_uint_eq(wire_get16(out + TCP_OFF_CSUM), 0);
	wc_untouched(out, hl, sizeof out);
	ck_assert_mem_eq(out, seg, TCP_OFF_CSUM);
	ck_assert_mem_eq(out + TCP_OFF_URG, seg + TCP_OFF_URG, hl - TCP_OFF_URG);
	memcpy(out + hl, seg + hl, len - hl);
	tcp_checksum(out, len, ip->src, ip->dst);
	ck_assert_mem_eq(out, seg, len);
	wc_untouched(out, len, sizeof out);
}

START_TEST(test_seed_syn_both_ways)
{
	/* 51486 > 8888 [S] seq 1240744644 win 64240
	 * <mss 1460,sackOK,TS val 2095798637 ecr 0,nop,wscale 7> */
	const uint8_t *s;
	struct ipv4_repr ip;
	struct tcp_repr r;
	size_t len = parse_frame(wf_seed_syn, sizeof wf_seed_syn, &s, &ip, &r);

	ck_assert_uint_eq(len, 40);
	ck_assert_uint_eq(r.src_port, 51486);
	ck_assert_uint_eq(r.dst_port, 8888);
	ck_assert_uint_eq(r.seq, 1240744644u);
	ck_assert_uint_eq(r.ack, 0);
	ck_assert_uint_eq(r.flags, TCP_SYN);
	ck_assert_uint_eq(r.window, 64240);
	ck_assert_uint_eq(r.checksum, 0x7a04);
	ck_assert_uint_eq(r.urg, 0);
	ck_assert_uint_eq(r.hdr_len, 40);
	ck_assert_uint_eq(r.opt.present, TCP_OPTF_MSS | TCP_OPTF_SACK_PERM | TCP_OPTF_TS | TCP_OPTF_WSCALE);
	ck_assert_uint_eq(r.opt.mss, 1460);
	ck_assert_uint_eq(r.opt.wscale, 7);
	ck_assert_uint_eq(r.opt.ts_val, 2095798637u);
	ck_assert_uint_eq(r.opt.ts_ecr, 0);
	ck_assert_uint_eq(r.opt.sack_blocks, 0);
	ck_assert_uint_eq(r.opt.unknown, 0);
	ck_assert_uint_eq(tcp_seg_len(r.flags, (uint32_t)(len - r.hdr_len)), 1);
	check_emit(&r, s, len, &ip);
}
END_TEST

START_TEST(test_seed_synack_acking_zero_in_padded_frame)
{
	/* 8888 > 51486 [S.] seq 4039242319 ack 0 win 64240, 6 pad bytes */
	const uint8_t *s;
	struct ipv4_repr ip;
	struct tcp_repr r;
	size_t len = parse_frame(wf_seed_synack, sizeof wf_seed_synack, &s, &ip, &r);

	ck_assert_uint_eq(len, 20); /* not 26: the pad is not TCP */
	ck_assert_uint_eq(r.src_port, 8888);
	ck_assert_uint_eq(r.dst_port, 51486);
	ck_assert_uint_eq(r.seq, 4039242319u);
	ck_assert_uint_eq(r.ack, 0);
	ck_assert_uint_eq(r.flags, TCP_SYN | TCP_ACK);
	ck_assert_uint_eq(r.window, 64240);
	ck_assert_uint_eq(r.hdr_len, 20);
	ck_assert_uint_eq(r.opt.present, 0);
	ck_assert_uint_eq(tcp_seg_len(r.flags, 0), 1);
	check_emit(&r, s, len, &ip);
	/* Taking the frame length instead puts 26 in the pseudo-header and the
	 * pad in the sum: the checksum no longer verifies. */
	ck_assert_int_eq(tcp_verify(s, 26, ip.src, ip.dst), WIRE_ERR_CHECKSUM);
}
END_TEST

START_TEST(test_seed_rst_seq_zero)
{
	const uint8_t *s;
	struct ipv4_repr ip;
	struct tcp_repr r;
	size_t len = parse_frame(wf_seed_rst, sizeof wf_seed_rst, &s, &ip, &r);

	ck_assert_uint_eq(len, 20);
	ck_assert_uint_eq(r.src_port, 51486);
	ck_assert_uint_eq(r.dst_port, 8888);
	ck_assert_uint_eq(r.seq, 0);
	ck_assert_uint_eq(r.ack, 0);
	ck_assert_uint_eq(r.flags, TCP_RST);
	ck_assert_uint_eq(r.window, 0);
	ck_assert_uint_eq(tcp_seg_len(r.flags, 0), 0);
	check_emit(&r, s, len, &ip);
}
END_TEST

START_TEST(test_data_with_timestamps_odd_payload)
{
	const uint8_t *s;
	struct ipv4_repr ip;
	struct tcp_repr r;
	size_t len = parse_frame(wf_tcp_data_ts, sizeof wf_tcp_data_ts, &s, &ip, &r);

	ck_assert_uint_eq(len, 51);
	ck_assert_uint_eq(r.hdr_len, 32);
	ck_assert_uint_eq(r.flags, TCP_PSH | TCP_ACK);
	ck_assert_uint_eq(r.seq, 1240744645u);
	ck_assert_uint_eq(r.ack, 4039242320u);
	ck_assert_uint_eq(r.window, 502);
	ck_assert_uint_eq(r.opt.present, TCP_OPTF_TS);
	ck_assert_uint_eq(r.opt.ts_val, 2095798650u);
	ck_assert_uint_eq(r.opt.ts_ecr, 1000);
	ck_assert_mem_eq(s + r.hdr_len, "GET / HTTP/1.0\r\n\r\nX", 19);
	ck_assert_uint_eq(tcp_seg_len(r.flags, (uint32_t)(len - r.hdr_len)), 19);
	check_emit(&r, s, len, &ip);
}
END_TEST

START_TEST(test_sack_blocks)
{
	const uint8_t *s;
	struct ipv4_repr ip;
	struct tcp_repr r;
	size_t len = parse_frame(wf_tcp_sack, sizeof wf_tcp_sack, &s, &ip, &r);

	ck_assert_uint_eq(r.hdr_len, 52);
	ck_assert_uint_eq(r.flags, TCP_ACK);
	ck_assert_uint_eq(r.opt.present, TCP_OPTF_TS | TCP_OPTF_SACK);
	ck_assert_uint_eq(r.opt.ts_val, 2095798700u);
	ck_assert_uint_eq(r.opt.ts_ecr, 1050);
	ck_assert_uint_eq(r.opt.sack_blocks, 2);
	ck_assert_uint_eq(r.opt.sack[0][0], 4039245240u);
	ck_assert_uint_eq(r.opt.sack[0][1], 4039246700u);
	ck_assert_uint_eq(r.opt.sack[1][0], 4039248160u);
	ck_assert_uint_eq(r.opt.sack[1][1], 4039249620u);
	check_emit(&r, s, len, &ip);
}
END_TEST

START_TEST(test_syn_without_timestamps_near_wrap)
{
	/* <mss 1460,nop,nop,sackOK,nop,wscale 14>: Linux with TS off */
	const uint8_t *s;
	struct ipv4_repr ip;
	struct tcp_repr r;
	size_t len = parse_frame(wf_tcp_syn_nots, sizeof wf_tcp_syn_nots, &s, &ip, &r);

	ck_assert_uint_eq(r.hdr_len, 32);
	ck_assert_uint_eq(r.seq, 0xFFFFFFF0u);
	ck_assert_uint_eq(r.opt.present, TCP_OPTF_MSS | TCP_OPTF_SACK_PERM | TCP_OPTF_WSCALE);
	ck_assert_uint_eq(r.opt.wscale, 14);
	ck_assert_uint_eq(r.opt.mss, 1460);
	check_emit(&r, s, len, &ip);
}
END_TEST

START_TEST(test_fin_with_every_flag_and_urgent)
{
	const uint8_t *s;
	struct ipv4_repr ip;
	struct tcp_repr r;
	size_t len = parse_frame(wf_tcp_finack_urg, sizeof wf_tcp_finack_urg, &s, &ip, &r);

	ck_assert_uint_eq(r.flags, TCP_FIN | TCP_ACK | TCP_URG | TCP_PSH | TCP_ECE | TCP_CWR);
	ck_assert_uint_eq(r.urg, 3);
	ck_assert_uint_eq(r.window, 1024);
	ck_assert_uint_eq(tcp_seg_len(r.flags, (uint32_t)(len - r.hdr_len)), 4);
	check_emit(&r, s, len, &ip);
}
END_TEST

START_TEST(test_seg_len_counts_syn_and_fin)
{
	ck_assert_uint_eq(tcp_seg_len(0, 0), 0);
	ck_assert_uint_eq(tcp_seg_len(TCP_ACK, 1460), 1460);
	ck_assert_uint_eq(tcp_seg_len(TCP_SYN, 0), 1);
	ck_assert_uint_eq(tcp_seg_len(TCP_FIN | TCP_ACK, 0), 1);
	ck_assert_uint_eq(tcp_seg_len(TCP_SYN | TCP_FIN, 10), 12);
	ck_assert_uint_eq(tcp_seg_len(TCP_RST | TCP_PSH | TCP_URG, 5), 5);
}
END_TEST

START_TEST(test_verify_rejects)
{
	const uint8_t *s;
	struct ipv4_repr ip;
	size_t len = seg_of(wf_tcp_data_ts, sizeof wf_tcp_data_ts, &s, &ip);
	uint8_t b[64];
	size_t i;

	ck_assert_int_eq(tcp_verify(s, len, ip.src + 1, ip.dst), WIRE_ERR_CHECKSUM);
	ck_assert_int_eq(tcp_verify(s, len - 1, ip.src, ip.dst), WIRE_ERR_CHECKSUM);
	for (i = 0; i < TCP_HDR_MIN; i++)
		ck_assert_int_eq(tcp_verify(s, i, ip.src, ip.dst), WIRE_ERR_TRUNCATED);
	memcpy(b, s, len);
	for (i = 0; i < len * 8; i++) {
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
		ck_assert_int_eq(tcp_verify(b, len, ip.src, ip.dst), WIRE_ERR_CHECKSUM);
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	ck_assert_int_eq(tcp_verify(b, len, ip.src, ip.dst), WIRE_OK);
}
END_TEST

/* --- malformed headers and options ------------------------------------ */

/* Builds a header with data offset doff and the given option bytes in b
 * (cap 64) and parses buf[0..len). */
static int parse_opts(const uint8_t *opt, size_t olen, uint8_t doff, size_t len, struct tcp_repr *r)
{
	uint8_t b[64];

	ck_assert_uint_le(len, sizeof b);
	memset(b, 0, sizeof b);
	memcpy(b, wf_seed_rst + WC_ETH + 20, 20);
	b[TCP_OFF_DOFF] = (uint8_t)(doff << 4);
	if (olen)
		memcpy(b + TCP_HDR_MIN, opt, olen);
	return tcp_parse(b, len, r);
}

#define OPTS(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
/* parse a header whose options are exactly the listed bytes (len % 4 == 0) */
#define PARSE(r, ...) parse_opts(OPTS(__VA_ARGS__), \
	(uint8_t)(5 + sizeof((const uint8_t[]){ __VA_ARGS__ }) / 4), \
	20 + sizeof((const uint8_t[]){ __VA_ARGS__ }), (r))

START_TEST(test_truncated_fixed_header)
{
	struct tcp_repr r;
	size_t n;

	for (n = 0; n < TCP_HDR_MIN; n++)
		ck_assert_int_eq(tcp_parse(wf_seed_syn + 34, n, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_data_offset_below_five_malformed)
{
	struct tcp_repr r;
	uint8_t d;

	for (d = 0; d < 5; d++)
		ck_assert_int_eq(parse_opts(NULL, 0, d, 40, &r), WIRE_ERR_MALFORMED);
	ck_assert_int_eq(parse_opts(NULL, 0, 5, 20, &r), WIRE_OK);
}
END_TEST

START_TEST(test_data_offset_past_end_truncated)
{
	struct tcp_repr r;

	ck_assert_int_eq(parse_opts(NULL, 0, 6, 20, &r), WIRE_ERR_TRUNCATED);
	ck_assert_int_eq(parse_opts(NULL, 0, 6, 23, &r), WIRE_ERR_TRUNCATED);
	ck_assert_int_eq(parse_opts(NULL, 0, 15, 59, &r), WIRE_ERR_TRUNCATED);
	ck_assert_int_eq(parse_opts(NULL, 0, 15, 60, &r), WIRE_OK); /* 40 EOLs */
	/* the seed SYN cut inside its options */
	ck_assert_int_eq(tcp_parse(wf_seed_syn + 34, 39, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_known_option_wrong_length_malformed)
{
	struct tcp_repr r;

	ck_assert_int_eq(PARSE(&r, 2, 3, 5, 1), WIRE_ERR_MALFORMED);               /* MSS 3 */
	ck_assert_int_eq(PARSE(&r, 2, 5, 5, 180, 0, 1, 1, 1), WIRE_ERR_MALFORMED); /* MSS 5 */
	ck_assert_int_eq(PARSE(&r, 3, 2, 1, 1), WIRE_ERR_MALFORMED);               /* WS 2 */
	ck_assert_int_eq(PARSE(&r, 3, 4, 7, 0), WIRE_ERR_MALFORMED);               /* WS 4 */
	ck_assert_int_eq(PARSE(&r, 4, 3, 0, 1), WIRE_ERR_MALFORMED);               /* SACK_PERM 3 */
	ck_assert_int_eq(PARSE(&r, 4, 4, 0, 0), WIRE_ERR_MALFORMED);               /* SACK_PERM 4 */
	ck_assert_int_eq(PARSE(&r, 8, 8, 0, 0, 0, 1, 0, 0), WIRE_ERR_MALFORMED);   /* TS 8 */
	ck_assert_int_eq(PARSE(&r, 8, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0), WIRE_ERR_MALFORMED); /* TS 12 */
	ck_assert_int_eq(PARSE(&r, 1, 1, 5, 2), WIRE_ERR_MALFORMED);               /* SACK n=0 */
	ck_assert_int_eq(PARSE(&r, 5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0), WIRE_ERR_MALFORMED); /* SACK 9 */
	ck_assert_int_eq(PARSE(&r, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0), WIRE_ERR_MALFORMED); /* SACK 11 */
	ck_assert_int_eq(PARSE(&r, 5, 17, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0),
			 WIRE_ERR_MALFORMED); /* SACK 17 */
	/* the right lengths, for contrast */
	ck_assert_int_eq(PARSE(&r, 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2), WIRE_OK);
	ck_assert_uint_eq(r.opt.sack_blocks, 1);
	ck_assert_uint_eq(r.opt.sack[0][0], 1);
	ck_assert_uint_eq(r.opt.sack[0][1], 2);
}
END_TEST

START_TEST(test_length_zero_or_one_malformed)
{
	struct tcp_repr r;

	ck_assert_int_eq(PARSE(&r, 2, 0, 1, 1), WIRE_ERR_MALFORMED);  /* MSS len 0 */
	ck_assert_int_eq(PARSE(&r, 2, 1, 1, 1), WIRE_ERR_MALFORMED);  /* MSS len 1 */
	ck_assert_int_eq(PARSE(&r, 30, 0, 1, 1), WIRE_ERR_MALFORMED); /* unknown len 0: would loop */
	ck_assert_int_eq(PARSE(&r, 30, 1, 1, 1), WIRE_ERR_MALFORMED); /* unknown len 1 */
}
END_TEST

START_TEST(test_option_running_past_header_malformed)
{
	struct tcp_repr r;
	/* TS (10 bytes) in a 4-byte option area, with payload bytes behind it
	 * in the buffer: the header ends at the data offset, not the buffer */
	static const uint8_t ts[] = { 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0 };

	ck_assert_int_eq(parse_opts(ts, sizeof ts, 6, 40, &r), WIRE_ERR_MALFORMED);
	ck_assert_int_eq(PARSE(&r, 1, 1, 2, 4), WIRE_ERR_MALFORMED);       /* MSS needs 4, has 2 */
	ck_assert_int_eq(PARSE(&r, 1, 1, 1, 2), WIRE_ERR_MALFORMED);       /* kind, no length byte */
	ck_assert_int_eq(PARSE(&r, 1, 1, 1, 30), WIRE_ERR_MALFORMED);      /* unknown, no length */
	{
		/* the same in a buffer that ends with the header: the parser must
		 * not read the missing length byte (ASan checks this one) */
		uint8_t exact[24];

		memcpy(exact, wf_seed_rst + WC_ETH + 20, 20);
		exact[TCP_OFF_DOFF] = 6 << 4;
		exact[20] = exact[21] = exact[22] = TCP_OPT_NOP;
		exact[23] = TCP_OPT_MSS;
		ck_assert_int_eq(tcp_parse(exact, sizeof exact, &r), WIRE_ERR_MALFORMED);
	}
	ck_assert_int_eq(PARSE(&r, 1, 1, 30, 8), WIRE_ERR_MALFORMED);      /* unknown 8 > 2 left */
	ck_assert_int_eq(PARSE(&r, 30, 255, 0, 0), WIRE_ERR_MALFORMED);
	ck_assert_int_eq(PARSE(&r, 1, 1, 30, 3), WIRE_ERR_MALFORMED);      /* 3 > 2 left */
}
END_TEST

START_TEST(test_unknown_options_skipped_and_counted)
{
	struct tcp_repr r;

	/* MD5 (19, len 18) is unknown here; then MSS; then experimental 254 */
	ck_assert_int_eq(PARSE(&r, 19, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			       2, 4, 2, 0x18, 254, 2, 1, 1, 1, 1), WIRE_OK);
	ck_assert_uint_eq(r.opt.unknown, 2);
	ck_assert_uint_eq(r.opt.present, TCP_OPTF_MSS);
	ck_assert_uint_eq(r.opt.mss, 536);
	ck_assert_uint_eq(r.hdr_len, 48);
	ck_assert_int_eq(PARSE(&r, 30, 4, 0xff, 0xff), WIRE_OK); /* exactly to the end */
	ck_assert_uint_eq(r.opt.unknown, 1);
	ck_assert_uint_eq(r.opt.present, 0);
}
END_TEST

START_TEST(test_eol_stops_nop_skips)
{
	struct tcp_repr r;

	/* after EOL the rest is padding, even if it looks like a bad option */
	ck_assert_int_eq(PARSE(&r, 2, 4, 5, 0xb4, 0, 2, 0, 8), WIRE_OK);
	ck_assert_uint_eq(r.opt.present, TCP_OPTF_MSS);
	ck_assert_uint_eq(r.opt.mss, 1460);
	ck_assert_int_eq(PARSE(&r, 1, 1, 1, 1), WIRE_OK);
	ck_assert_uint_eq(r.opt.present, 0);
	ck_assert_uint_eq(r.opt.unknown, 0);
	ck_assert_int_eq(PARSE(&r, 1, 3, 3, 7), WIRE_OK);
	ck_assert_uint_eq(r.opt.present, TCP_OPTF_WSCALE);
	ck_assert_uint_eq(r.opt.wscale, 7);
}
END_TEST

START_TEST(test_options_error_leaves_fixed_fields)
{
	struct tcp_repr r;

	ck_assert_int_eq(PARSE(&r, 2, 0, 0, 0), WIRE_ERR_MALFORMED);
	ck_assert_uint_eq(r.src_port, 51486);
	ck_assert_uint_eq(r.flags, TCP_RST);
	ck_assert_uint_eq(r.hdr_len, 24);
}
END_TEST

/* --- emit layout ------------------------------------------------------- */

/* Emits a bare header with options o into a 0xA5 buffer and compares the
 * option bytes with want[0..n). */
static void check_layout(const struct tcp_options *o, const uint8_t *want, size_t n)
{
	struct tcp_repr r;
	uint8_t out[TCP_HDR_MAX + 4];

	memset(&r, 0, sizeof r);
	r.opt = *o;
	ck_assert_uint_eq(tcp_options_len(o), n);
	wc_fill(out, sizeof out);
	ck_assert_int_eq(tcp_emit(&r, out, sizeof out), (int)(TCP_HDR_MIN + n));
	ck_assert_uint_eq(out[TCP_OFF_DOFF], (uint8_t)(((TCP_HDR_MIN + n) / 4) << 4));
	ck_assert_mem_eq(out + TCP_HDR_MIN, want, n);
	wc_untouched(out, TCP_HDR_MIN + n, sizeof out);
}

#define LAYOUT(o, ...) check_layout((o), OPTS(__VA_ARGS__))

START_TEST(test_emit_layout_like_linux)
{
	struct tcp_options o;

	memset(&o, 0, sizeof o);
	o.mss = 1460;
	o.wscale = 7;
	o.ts_val = 0x01020304;
	o.ts_ecr = 0x05060708;
	o.sack[0][0] = 0x11111111;
	o.sack[0][1] = 0x22222222;

	o.present = TCP_OPTF_MSS;
	LAYOUT(&o, 2, 4, 5, 0xb4);
	o.present = TCP_OPTF_TS;
	LAYOUT(&o, 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8);
	o.present = TCP_OPTF_SACK_PERM;
	LAYOUT(&o, 1, 1, 4, 2);
	o.present = TCP_OPTF_WSCALE;
	LAYOUT(&o, 1, 3, 3, 7);
	o.present = TCP_OPTF_SACK_PERM | TCP_OPTF_TS;
	LAYOUT(&o, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8);
	o.present = TCP_OPTF_MSS | TCP_OPTF_SACK_PERM | TCP_OPTF_WSCALE;
	LAYOUT(&o, 2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7);
	o.present = TCP_OPTF_MSS | TCP_OPTF_SACK_PERM | TCP_OPTF_TS | TCP_OPTF_WSCALE;
	LAYOUT(&o, 2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 3, 7);
	o.present = TCP_OPTF_SACK;
	o.sack_blocks = 1;
	LAYOUT(&o, 1, 1, 5, 10, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22);
	o.sack_blocks = 0; /* SACK bit with no blocks: nothing */
	check_layout(&o, (const uint8_t *)"", 0);
}
END_TEST

START_TEST(test_every_option_combination_round_trips)
{
	/* 32 presence sets x 0..4 SACK blocks: options_len matches emit, is a
	 * multiple of 4, and parse gets back what went in; sets over 40 bytes
	 * are refused. */
	unsigned p, b, i, fit = 0, refused = 0;

	for (p = 0; p < 32; p++) {
		for (b = 0; b <= TCP_MAX_SACK_BLOCKS; b++) {
			struct tcp_repr r, back;
			uint8_t out[TCP_HDR_MAX + 4];
			uint8_t ol;
			int n;

			memset(&r, 0, sizeof r);
			r.seq = 0xFFFFFFFFu;
			r.flags = TCP_SYN | TCP_ACK;
			r.opt.present = (uint8_t)p;
			r.opt.mss = 536;
			r.opt.wscale = 14;
			r.opt.ts_val = 0xFFFFFFFEu;
			r.opt.ts_ecr = 1;
			r.opt.sack_blocks = (uint8_t)b;
			for (i = 0; i < b; i++) {
				r.opt.sack[i][0] = 1000u * i;
				r.opt.sack[i][1] = 1000u * i + 500u;
			}
			if ((p & TCP_OPTF_SACK) && b == 0)
				continue; /* covered in the layout test */
			ol = tcp_options_len(&r.opt);
			ck_assert_uint_eq(ol % 4, 0);
			wc_fill(out, sizeof out);
			n = tcp_emit(&r, out, sizeof out);
			if (ol > TCP_HDR_MAX - TCP_HDR_MIN) {
				ck_assert_int_eq(n, WIRE_ERR_MALFORMED);
				wc_untouched(out, 0, sizeof out);
				refused++;
				continue;
			}
			fit++;
			ck_assert_int_eq(n, TCP_HDR_MIN + ol);
			wc_untouched(out, (size_t)n, sizeof out);
			ck_assert_int_eq(tcp_parse(out, (size_t)n, &back), WIRE_OK);
			ck_assert_int_eq(back.hdr_len, n);
			ck_assert_uint_eq(back.opt.present, p);
			ck_assert_uint_eq(back.opt.unknown, 0);
			if (p & TCP_OPTF_MSS)
				ck_assert_uint_eq(back.opt.mss, 536);
			if (p & TCP_OPTF_WSCALE)
				ck_assert_uint_eq(back.opt.wscale, 14);
			if (p & TCP_OPTF_TS) {
				ck_assert_uint_eq(back.opt.ts_val, 0xFFFFFFFEu);
				ck_assert_uint_eq(back.opt.ts_ecr, 1);
			}
			if (p & TCP_OPTF_SACK) {
				ck_assert_uint_eq(back.opt.sack_blocks, b);
				for (i = 0; i < b; i++) {
					ck_assert_uint_eq(back.opt.sack[i][0], 1000u * i);
					ck_assert_uint_eq(back.opt.sack[i][1], 1000u * i + 500u);
				}
			}
		}
	}
	ck_assert_uint_gt(fit, 0);
	ck_assert_uint_gt(refused, 0);
}
END_TEST

START_TEST(test_emit_refusals_write_nothing)
{
	struct tcp_repr r;
	uint8_t out[TCP_HDR_MAX];

	memset(&r, 0, sizeof r);
	r.opt.present = TCP_OPTF_MSS;
	wc_fill(out, sizeof out);
	ck_assert_int_eq(tcp_emit(&r, out, 23), WIRE_ERR_TRUNCATED);
	ck_assert_int_eq(tcp_emit(&r, out, 0), WIRE_ERR_TRUNCATED);
	r.opt.present = TCP_OPTF_SACK;
	r.opt.sack_blocks = TCP_MAX_SACK_BLOCKS + 1;
	ck_assert_int_eq(tcp_emit(&r, out, sizeof out), WIRE_ERR_MALFORMED);
	r.opt.present = TCP_OPTF_SACK | TCP_OPTF_TS;
	r.opt.sack_blocks = 4; /* 12 + 36 > 40 */
	ck_assert_int_eq(tcp_emit(&r, out, sizeof out), WIRE_ERR_MALFORMED);
	wc_untouched(out, 0, sizeof out);
	r.opt.sack_blocks = 3; /* 12 + 28 = 40 fits exactly */
	ck_assert_int_eq(tcp_emit(&r, out, sizeof out), (int)TCP_HDR_MAX);
}
END_TEST

START_TEST(test_checksum_ignores_old_field_and_short_calls)
{
	const uint8_t *s;
	struct ipv4_repr ip;
	size_t len = seg_of(wf_tcp_data_ts, sizeof wf_tcp_data_ts, &s, &ip);
	uint8_t b[64];

	memcpy(b, s, len);
	b[TCP_OFF_CSUM] = 0x12;
	b[TCP_OFF_CSUM + 1] = 0x34;
	tcp_checksum(b, len, ip.src, ip.dst);
	ck_assert_mem_eq(b, s, len);
	wc_fill(b, sizeof b);
	tcp_checksum(b, TCP_HDR_MIN - 1, ip.src, ip.dst); /* too short: no write */
	wc_untouched(b, 0, sizeof b);
}
END_TEST

static Suite *tcp_suite(void)
{
	Suite *s = suite_create("wire_tcp");
	TCase *real = tcase_create("real_segments");
	TCase *bad = tcase_create("malformed");
	TCase *emit = tcase_create("emit");

	tcase_add_test(real, test_seed_syn_both_ways);
	tcase_add_test(real, test_seed_synack_acking_zero_in_padded_frame);
	tcase_add_test(real, test_seed_rst_seq_zero);
	tcase_add_test(real, test_data_with_timestamps_odd_payload);
	tcase_add_test(real, test_sack_blocks);
	tcase_add_test(real, test_syn_without_timestamps_near_wrap);
	tcase_add_test(real, test_fin_with_every_flag_and_urgent);
	tcase_add_test(real, test_seg_len_counts_syn_and_fin);
	tcase_add_test(real, test_verify_rejects);
	suite_add_tcase(s, real);

	tcase_add_test(bad, test_truncated_fixed_header);
	tcase_add_test(bad, test_data_offset_below_five_malformed);
	tcase_add_test(bad, test_data_offset_past_end_truncated);
	tcase_add_test(bad, test_known_option_wrong_length_malformed);
	tcase_add_test(bad, test_length_zero_or_one_malformed);
	tcase_add_test(bad, test_option_running_past_header_malformed);
	tcase_add_test(bad, test_unknown_options_skipped_and_counted);
	tcase_add_test(bad, test_eol_stops_nop_skips);
	tcase_add_test(bad, test_options_error_leaves_fixed_fields);
	suite_add_tcase(s, bad);

	tcase_add_test(emit, test_emit_layout_like_linux);
	tcase_add_test(emit, test_every_option_combination_round_trips);
	tcase_add_test(emit, test_emit_refusals_write_nothing);
	tcase_add_test(emit, test_checksum_ignores_old_field_and_short_calls);
	suite_add_tcase(s, emit);
	return s;
}

int main(void)
{
	return wc_run(tcp_suite());
}
