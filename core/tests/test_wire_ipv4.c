/*
 * test_wire_ipv4.c - IPv4 header codec (core/wire/ipv4.c) on frames scapy
 * built (wire_frames.h): every field both ways into a 0xA5 buffer, the
 * seed SYN-ACK whose frame is longer than its datagram (Ethernet padding),
 * a header with options, fragments, the pseudo-header sum, and every
 * rejection with its precise code.
 */
#include <check.h>

#include "wire/ipv4.h"
#include "wire_check.h"
#include "wire_frames.h"

/* Copies the IPv4 part of frame f into b (cap bytes) and returns its length. */
static size_t ip_of(const uint8_t *f, size_t n, uint8_t *b, size_t cap)
{
	ck_assert_uint_le(n - WC_ETH, cap);
	memcpy(b, f + WC_ETH, n - WC_ETH);
	return n - WC_ETH;
}

/* Rewrites the header checksum after a test patched a field, so the error
 * seen is the field's, not the checksum's. */
static void fix_csum(uint8_t *b)
{
	size_t hl = (size_t)(b[0] & 0x0F) * 4u;

	b[IPV4_OFF_CSUM] = b[IPV4_OFF_CSUM + 1] = 0;
	wire_put16(b + IPV4_OFF_CSUM, wire_checksum(b, hl));
}

/* Emits r into a 0xA5 buffer and compares with the 20-byte header want. */
static void check_emit(const struct ipv4_repr *r, const uint8_t *want)
{
	uint8_t out[IPV4_HDR_MIN + 8];

	wc_fill(out, sizeof out);
	ck_assert_int_eq(ipv4_emit(r, out, sizeof out), (int)IPV4_HDR_MIN);
	ck_assert_mem_eq(out, want, IPV4_HDR_MIN);
	wc_untouched(out, IPV4_HDR_MIN, sizeof out);
}

START_TEST(test_seed_syn_both_ways)
{
	const uint8_t *b = wf_seed_syn + WC_ETH;
	struct ipv4_repr r;

	memset(&r, 0x5a, sizeof r);
	ck_assert_int_eq(ipv4_parse(b, sizeof wf_seed_syn - WC_ETH, &r), WIRE_OK);
	ck_assert_uint_eq(r.src, WF_HOST_IP);
	ck_assert_uint_eq(r.dst, WF_DEV_IP);
	ck_assert_uint_eq(r.proto, IPV4_PROTO_TCP);
	ck_assert_uint_eq(r.ttl, 64);
	ck_assert_uint_eq(r.tos, 0);
	ck_assert_uint_eq(r.id, 0x4e2b);
	ck_assert_uint_eq(r.frag, IPV4_FLAG_DF);
	ck_assert_uint_eq(r.hdr_len, 20);
	ck_assert_uint_eq(r.total_len, 60);
	ck_assert(!ipv4_is_fragment(&r));
	check_emit(&r, b);
}
END_TEST

START_TEST(test_seed_synack_total_len_from_header_not_frame)
{
	/* 60-byte Ethernet frame, 46 bytes after Ethernet, but a 40-byte
	 * datagram: the 6 trailing zeros are padding, not TCP. */
	const uint8_t *b = wf_seed_synack + WC_ETH;
	struct ipv4_repr r;

	ck_assert_uint_eq(sizeof wf_seed_synack - WC_ETH, 46);
	ck_assert_int_eq(ipv4_parse(b, 46, &r), WIRE_OK);
	ck_assert_uint_eq(r.total_len, 40);
	ck_assert_uint_eq(r.hdr_len, 20);
	ck_assert_uint_eq(r.src, WF_DEV_IP);
	ck_assert_uint_eq(r.dst, WF_HOST_IP);
	ck_assert_uint_eq(r.id, 1);
	ck_assert_uint_eq(r.frag, 0);
	ck_assert_uint_eq(r.proto, IPV4_PROTO_TCP);
	check_emit(&r, b);
	/* the exact datagram length parses too */
	ck_assert_int_eq(ipv4_parse(b, 40, &r), WIRE_OK);
}
END_TEST

START_TEST(test_seed_rst_both_ways)
{
	const uint8_t *b = wf_seed_rst + WC_ETH;
	struct ipv4_repr r;

	ck_assert_int_eq(ipv4_parse(b, sizeof wf_seed_rst - WC_ETH, &r), WIRE_OK);
	ck_assert_uint_eq(r.total_len, 40);
	ck_assert_uint_eq(r.id, 0);
	ck_assert_uint_eq(r.frag, IPV4_FLAG_DF);
	check_emit(&r, b);
}
END_TEST

START_TEST(test_options_skipped_hdr_len_reports_them)
{
	/* IHL 6: Router Alert (94 04 00 00), tos 0xb8, ICMP after 24 bytes. */
	const uint8_t *b = wf_ipv4_opt_icmp + WC_ETH;
	struct ipv4_repr r, back;
	uint8_t out[IPV4_HDR_MIN];

	ck_assert_int_eq(ipv4_parse(b, sizeof wf_ipv4_opt_icmp - WC_ETH, &r), WIRE_OK);
	ck_assert_uint_eq(r.hdr_len, 24);
	ck_assert_uint_eq(r.total_len, 39);
	ck_assert_uint_eq(r.tos, 0xb8);
	ck_assert_uint_eq(r.proto, IPV4_PROTO_ICMP);
	ck_assert_uint_eq(b[r.hdr_len], 8); /* ICMP echo request type */
	/* emit drops the options: 20-byte header, same fields otherwise */
	wc_fill(out, sizeof out);
	ck_assert_int_eq(ipv4_emit(&r, out, sizeof out), (int)IPV4_HDR_MIN);
	ck_assert_uint_eq(out[0], 0x45);
	ck_assert_mem_eq(out + 1, b + 1, 9);             /* tos .. proto */
	ck_assert_mem_eq(out + 12, b + 12, 8);           /* addresses */
	r.total_len = 20; /* parse back needs a consistent length */
	ck_assert_int_eq(ipv4_emit(&r, out, sizeof out), (int)IPV4_HDR_MIN);
	ck_assert_int_eq(ipv4_parse(out, sizeof out, &back), WIRE_OK);
	ck_assert_uint_eq(back.hdr_len, 20);
	ck_assert_uint_eq(back.tos, 0xb8);
	ck_assert_uint_eq(back.id, 0x99);
}
END_TEST

START_TEST(test_fragments)
{
	const uint8_t *b = wf_ipv4_frag + WC_ETH;
	struct ipv4_repr r;

	ck_assert_int_eq(ipv4_parse(b, sizeof wf_ipv4_frag - WC_ETH, &r), WIRE_OK);
	ck_assert_uint_eq(r.frag, IPV4_FLAG_MF);
	ck_assert(ipv4_is_fragment(&r));
	check_emit(&r, b);
	r.frag = 0x0010;                    /* last fragment: offset only */
	ck_assert(ipv4_is_fragment(&r));
	r.frag = IPV4_FLAG_DF | 0x0001;
	ck_assert(ipv4_is_fragment(&r));
	r.frag = IPV4_FLAG_DF;
	ck_assert(!ipv4_is_fragment(&r));
	r.frag = 0;
	ck_assert(!ipv4_is_fragment(&r));
}
END_TEST

START_TEST(test_truncated_header)
{
	struct ipv4_repr r;
	size_t n;

	for (n = 0; n < IPV4_HDR_MIN; n++)
		ck_assert_int_eq(ipv4_parse(wf_seed_syn + WC_ETH, n, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_bad_version_malformed)
{
	uint8_t b[64];
	size_t n = ip_of(wf_seed_syn, sizeof wf_seed_syn, b, sizeof b);
	struct ipv4_repr r;

	b[0] = 0x65;
	fix_csum(b);
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_ERR_MALFORMED);
	b[0] = 0x05;
	fix_csum(b);
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_ERR_MALFORMED);
}
END_TEST

START_TEST(test_ihl_below_five_malformed)
{
	uint8_t b[64];
	size_t n = ip_of(wf_seed_syn, sizeof wf_seed_syn, b, sizeof b);
	struct ipv4_repr r;
	uint8_t ihl;

	for (ihl = 0; ihl < 5; ihl++) {
		b[0] = (uint8_t)(0x40 | ihl);
		ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_ERR_MALFORMED);
	}
}
END_TEST

START_TEST(test_ihl_past_buffer_truncated)
{
	uint8_t b[64];
	struct ipv4_repr r;

	ip_of(wf_seed_synack, sizeof wf_seed_synack, b, sizeof b);
	b[0] = 0x46; /* 24-byte header in a 20-byte buffer */
	ck_assert_int_eq(ipv4_parse(b, 20, &r), WIRE_ERR_TRUNCATED);
	b[0] = 0x4F; /* 60-byte header in the 46-byte frame remainder */
	ck_assert_int_eq(ipv4_parse(b, 46, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_total_len_past_buffer_truncated)
{
	uint8_t b[64];
	size_t n = ip_of(wf_seed_syn, sizeof wf_seed_syn, b, sizeof b);
	struct ipv4_repr r;

	/* the datagram is cut short: header intact, payload missing */
	ck_assert_int_eq(ipv4_parse(b, n - 1, &r), WIRE_ERR_TRUNCATED);
	ck_assert_int_eq(ipv4_parse(b, 20, &r), WIRE_ERR_TRUNCATED);
	wire_put16(b + IPV4_OFF_LEN, 0xFFFF);
	fix_csum(b);
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_ERR_TRUNCATED);
	wire_put16(b + IPV4_OFF_LEN, (uint16_t)(n + 1));
	fix_csum(b);
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_total_len_below_header_malformed)
{
	uint8_t b[64];
	size_t n = ip_of(wf_ipv4_opt_icmp, sizeof wf_ipv4_opt_icmp, b, sizeof b);
	struct ipv4_repr r;

	wire_put16(b + IPV4_OFF_LEN, 23); /* header is 24 */
	fix_csum(b);
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_ERR_MALFORMED);
	wire_put16(b + IPV4_OFF_LEN, 0);
	fix_csum(b);
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_ERR_MALFORMED);
	wire_put16(b + IPV4_OFF_LEN, 24); /* header only: valid */
	fix_csum(b);
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_OK);
}
END_TEST

START_TEST(test_bad_checksum)
{
	uint8_t b[64];
	size_t n = ip_of(wf_seed_syn, sizeof wf_seed_syn, b, sizeof b);
	struct ipv4_repr r;

	b[IPV4_OFF_CSUM + 1] ^= 0x01;
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_ERR_CHECKSUM);
}
END_TEST

START_TEST(test_every_single_bit_flip_rejected)
{
	/* A one-bit error always changes the one's-complement sum; flips in
	 * version/IHL/length may be caught by an earlier check instead. */
	uint8_t b[64];
	size_t n = ip_of(wf_ipv4_opt_icmp, sizeof wf_ipv4_opt_icmp, b, sizeof b);
	struct ipv4_repr r;
	unsigned bit;

	for (bit = 0; bit < 24 * 8; bit++) {
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_msg(ipv4_parse(b, n, &r) != WIRE_OK, "bit %u", bit);
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	ck_assert_int_eq(ipv4_parse(b, n, &r), WIRE_OK);
}
END_TEST

START_TEST(test_emit_small_cap_writes_nothing)
{
	struct ipv4_repr r;
	uint8_t out[IPV4_HDR_MIN];

	ck_assert_int_eq(ipv4_parse(wf_seed_syn + WC_ETH, 60, &r), WIRE_OK);
	wc_fill(out, sizeof out);
	ck_assert_int_eq(ipv4_emit(&r, out, IPV4_HDR_MIN - 1), WIRE_ERR_TRUNCATED);
	wc_untouched(out, 0, sizeof out);
}
END_TEST

START_TEST(test_pseudo_header_sum)
{
	/* RFC 9293 §3.1: src, dst, zero, proto, TCP length - as 12 bytes. */
	static const uint8_t ph[12] = { 0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0xc8,
					0x00, 0x06, 0x00, 0x28 };
	static const uint8_t one = 0x77;
	struct wire_csum a, b;

	wire_csum_init(&a);
	wire_csum_add(&a, ph, sizeof ph);
	wire_csum_init(&b);
	ipv4_pseudo_csum(&b, WF_HOST_IP, WF_DEV_IP, IPV4_PROTO_TCP, 40);
	ck_assert_uint_eq(wire_csum_fold(&a), wire_csum_fold(&b));
	/* after an odd number of bytes too */
	wire_csum_init(&a);
	wire_csum_add(&a, &one, 1);
	wire_csum_add(&a, ph, sizeof ph);
	wire_csum_init(&b);
	wire_csum_add(&b, &one, 1);
	ipv4_pseudo_csum(&b, WF_HOST_IP, WF_DEV_IP, IPV4_PROTO_TCP, 40);
	ck_assert_uint_eq(wire_csum_fold(&a), wire_csum_fold(&b));
}
END_TEST

static Suite *ipv4_suite(void)
{
	Suite *s = suite_create("wire_ipv4");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_seed_syn_both_ways);
	tcase_add_test(tc, test_seed_synack_total_len_from_header_not_frame);
	tcase_add_test(tc, test_seed_rst_both_ways);
	tcase_add_test(tc, test_options_skipped_hdr_len_reports_them);
	tcase_add_test(tc, test_fragments);
	tcase_add_test(tc, test_truncated_header);
	tcase_add_test(tc, test_bad_version_malformed);
	tcase_add_test(tc, test_ihl_below_five_malformed);
	tcase_add_test(tc, test_ihl_past_buffer_truncated);
	tcase_add_test(tc, test_total_len_past_buffer_truncated);
	tcase_add_test(tc, test_total_len_below_header_malformed);
	tcase_add_test(tc, test_bad_checksum);
	tcase_add_test(tc, test_every_single_bit_flip_rejected);
	tcase_add_test(tc, test_emit_small_cap_writes_nothing);
	tcase_add_test(tc, test_pseudo_header_sum);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wc_run(ipv4_suite());
}
