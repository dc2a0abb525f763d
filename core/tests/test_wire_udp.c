/*
 * test_wire_udp.c - UDP codec (core/wire/udp.c) on datagrams scapy built
 * (wire_frames.h): odd-length payload with checksum, checksum 0 (none) in
 * a padded frame, a first fragment; emit into a 0xA5 buffer byte for byte,
 * the 0 -> 0xFFFF rule, and rejections.
 */
#include <check.h>

#include "wire/ipv4.h"
#include "wire/udp.h"
#include "wire_check.h"
#include "wire_frames.h"

/* Points at the UDP datagram inside frame f; returns the IPv4 payload
 * length and the addresses. */
static size_t udp_of(const uint8_t *f, size_t n, const uint8_t **dg, struct ipv4_repr *ip)
{
	ck_assert_int_eq(ipv4_parse(f + WC_ETH, n - WC_ETH, ip), WIRE_OK);
	ck_assert_uint_eq(ip->proto, IPV4_PROTO_UDP);
	*dg = f + WC_ETH + ip->hdr_len;
	return (size_t)ip->total_len - ip->hdr_len;
}

START_TEST(test_odd_length_both_ways)
{
	const uint8_t *d;
	struct ipv4_repr ip;
	size_t n = udp_of(wf_udp_odd, sizeof wf_udp_odd, &d, &ip);
	struct udp_repr r;
	uint8_t out[32];

	ck_assert_uint_eq(n, 13);
	memset(&r, 0x5a, sizeof r);
	ck_assert_int_eq(udp_parse(d, n, &r), WIRE_OK);
	ck_assert_uint_eq(r.src_port, 33000);
	ck_assert_uint_eq(r.dst_port, 7);
	ck_assert_uint_eq(r.len, 13);
	ck_assert_uint_eq(r.checksum, wire_get16(d + 6));
	ck_assert_uint_ne(r.checksum, 0);
	ck_assert_int_eq(udp_verify(d, n, ip.src, ip.dst), WIRE_OK);

	/* computed checksum: payload placed first, then the header */
	wc_fill(out, sizeof out);
	memcpy(out + UDP_HDR_LEN, d + UDP_HDR_LEN, n - UDP_HDR_LEN);
	ck_assert_int_eq(udp_emit(&r, out, n, ip.src, ip.dst), (int)UDP_HDR_LEN);
	ck_assert_mem_eq(out, d, n);
	wc_untouched(out, n, sizeof out);

	/* no addresses: the checksum is written as found */
	wc_fill(out, sizeof out);
	ck_assert_int_eq(udp_emit(&r, out, sizeof out, 0, 0), (int)UDP_HDR_LEN);
	ck_assert_mem_eq(out, d, UDP_HDR_LEN);
	wc_untouched(out, UDP_HDR_LEN, sizeof out);
}
END_TEST

START_TEST(test_no_checksum_in_padded_frame)
{
	/* 60-byte frame, 32-byte datagram, checksum 0 = none */
	const uint8_t *d;
	struct ipv4_repr ip;
	size_t n = udp_of(wf_udp_nocsum, sizeof wf_udp_nocsum, &d, &ip);
	struct udp_repr r;
	uint8_t out[UDP_HDR_LEN + 4];

	ck_assert_uint_eq(n, 12);
	ck_assert_int_eq(udp_parse(d, n, &r), WIRE_OK);
	ck_assert_uint_eq(r.src_port, 68);
	ck_assert_uint_eq(r.dst_port, 67);
	ck_assert_uint_eq(r.len, 12);
	ck_assert_uint_eq(r.checksum, 0);
	ck_assert_int_eq(udp_verify(d, n, ip.src, ip.dst), WIRE_OK);
	ck_assert_int_eq(udp_verify(d, n, 1, 2), WIRE_OK); /* nothing to check */
	wc_fill(out, sizeof out);
	ck_assert_int_eq(udp_emit(&r, out, sizeof out, 0, 0), (int)UDP_HDR_LEN);
	ck_assert_mem_eq(out, d, UDP_HDR_LEN);
	wc_untouched(out, UDP_HDR_LEN, sizeof out);
}
END_TEST

START_TEST(test_length_field_bounds_datagram)
{
	/* IP payload longer than the UDP length: the extra byte is not summed */
	const uint8_t *d;
	struct ipv4_repr ip;
	size_t n = udp_of(wf_udp_odd, sizeof wf_udp_odd, &d, &ip);
	uint8_t b[20];
	struct udp_repr r;

	memcpy(b, d, n);
	b[n] = 0xEE;
	ck_assert_int_eq(udp_parse(b, n + 1, &r), WIRE_OK);
	ck_assert_uint_eq(r.len, 13);
	ck_assert_int_eq(udp_verify(b, n + 1, ip.src, ip.dst), WIRE_OK);
}
END_TEST

START_TEST(test_computed_zero_sent_as_ffff)
{
	/* Choose two payload bytes so the sum is 0xffff: the computed checksum
	 * is then 0, which RFC 768 says to send as all ones. */
	uint8_t b[UDP_HDR_LEN + 2];
	struct udp_repr r = { .src_port = 1234, .dst_port = 5678, .len = sizeof b, .checksum = 0 };
	uint16_t c;

	b[8] = b[9] = 0;
	ck_assert_int_eq(udp_emit(&r, b, sizeof b, WF_HOST_IP, WF_DEV_IP), (int)UDP_HDR_LEN);
	c = wire_get16(b + 6);
	ck_assert_uint_ne(c, 0);
	wire_put16(b + 8, c); /* payload word = old checksum: sum becomes -0 */
	ck_assert_int_eq(udp_emit(&r, b, sizeof b, WF_HOST_IP, WF_DEV_IP), (int)UDP_HDR_LEN);
	ck_assert_uint_eq(wire_get16(b + 6), 0xFFFF);
	ck_assert_int_eq(udp_verify(b, sizeof b, WF_HOST_IP, WF_DEV_IP), WIRE_OK);
}
END_TEST

START_TEST(test_bad_checksum)
{
	const uint8_t *d;
	struct ipv4_repr ip;
	size_t n = udp_of(wf_udp_odd, sizeof wf_udp_odd, &d, &ip);
	uint8_t b[16];

	ck_assert_int_eq(udp_verify(d, n, ip.src, ip.dst + 1), WIRE_ERR_CHECKSUM);
	ck_assert_int_eq(udp_verify(d, n, ip.dst, ip.src), WIRE_OK); /* sum is symmetric */
	memcpy(b, d, n);
	b[12] ^= 0x01;
	ck_assert_int_eq(udp_verify(b, n, ip.src, ip.dst), WIRE_ERR_CHECKSUM);
}
END_TEST

START_TEST(test_truncated_and_malformed)
{
	const uint8_t *d;
	struct ipv4_repr ip;
	size_t n = udp_of(wf_udp_odd, sizeof wf_udp_odd, &d, &ip);
	uint8_t b[16];
	struct udp_repr r;
	size_t k;

	for (k = 0; k < UDP_HDR_LEN; k++) {
		ck_assert_int_eq(udp_parse(d, k, &r), WIRE_ERR_TRUNCATED);
		ck_assert_int_eq(udp_verify(d, k, ip.src, ip.dst), WIRE_ERR_TRUNCATED);
	}
	ck_assert_int_eq(udp_parse(d, n - 1, &r), WIRE_ERR_TRUNCATED); /* len 13 > 12 */
	memcpy(b, d, n);
	wire_put16(b + 4, 7);
	ck_assert_int_eq(udp_parse(b, n, &r), WIRE_ERR_MALFORMED);
	ck_assert_int_eq(udp_verify(b, n, ip.src, ip.dst), WIRE_ERR_MALFORMED);
	wire_put16(b + 4, 0);
	ck_assert_int_eq(udp_parse(b, n, &r), WIRE_ERR_MALFORMED);
	wire_put16(b + 4, 0xFFFF);
	ck_assert_int_eq(udp_parse(b, n, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_first_fragment_is_truncated)
{
	/* UDP length 100 but only 32 bytes in this fragment: the codec refuses,
	 * the stack must reassemble (or drop) fragments first. */
	const uint8_t *d;
	struct ipv4_repr ip;
	size_t n = udp_of(wf_ipv4_frag, sizeof wf_ipv4_frag, &d, &ip);
	struct udp_repr r;

	ck_assert(ipv4_is_fragment(&ip));
	ck_assert_int_eq(udp_parse(d, n, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_emit_small_cap_writes_nothing)
{
	struct udp_repr r = { .src_port = 1, .dst_port = 2, .len = 20, .checksum = 0 };
	uint8_t out[20];

	wc_fill(out, sizeof out);
	ck_assert_int_eq(udp_emit(&r, out, UDP_HDR_LEN - 1, 0, 0), WIRE_ERR_TRUNCATED);
	ck_assert_int_eq(udp_emit(&r, out, 19, WF_HOST_IP, WF_DEV_IP), WIRE_ERR_TRUNCATED);
	wc_untouched(out, 0, sizeof out);
}
END_TEST

static Suite *udp_suite(void)
{
	Suite *s = suite_create("wire_udp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_odd_length_both_ways);
	tcase_add_test(tc, test_no_checksum_in_padded_frame);
	tcase_add_test(tc, test_length_field_bounds_datagram);
	tcase_add_test(tc, test_computed_zero_sent_as_ffff);
	tcase_add_test(tc, test_bad_checksum);
	tcase_add_test(tc, test_truncated_and_malformed);
	tcase_add_test(tc, test_first_fragment_is_truncated);
	tcase_add_test(tc, test_emit_small_cap_writes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wc_run(udp_suite());
}
