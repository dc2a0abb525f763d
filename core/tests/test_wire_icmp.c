/*
 * test_wire_icmp.c - ICMPv4 codec (core/wire/icmp.c) on messages scapy
 * built (wire_frames.h): echo request/reply with Linux ping's 56 bytes, an
 * odd-length echo, a port unreachable quoting a UDP datagram; emit into a
 * 0xA5 buffer byte for byte, the in-place echo reply, and rejections.
 */
#include <check.h>

#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire_check.h"
#include "wire_frames.h"

/* Points at the ICMP message inside frame f and returns its length, taken
 * from the IPv4 header as the stack does. */
static size_t icmp_of(const uint8_t *f, size_t n, const uint8_t **msg)
{
	struct ipv4_repr ip;

	ck_assert_int_eq(ipv4_parse(f + WC_ETH, n - WC_ETH, &ip), WIRE_OK);
	ck_assert_uint_eq(ip.proto, IPV4_PROTO_ICMP);
	*msg = f + WC_ETH + ip.hdr_len;
	return (size_t)ip.total_len - ip.hdr_len;
}

static void check_emit(const struct icmp_repr *r, const uint8_t *want, size_t n)
{
	uint8_t out[128];

	ck_assert_uint_le(n + 8, sizeof out);
	wc_fill(out, sizeof out);
	ck_assert_int_eq(icmp_emit(r, out, n + 8), (int)n);
	ck_assert_mem_eq(out, want, n);
	wc_untouched(out, n, sizeof out);
}

START_TEST(test_echo_request_both_ways)
{
	const uint8_t *m;
	size_t n = icmp_of(wf_icmp_echo_req, sizeof wf_icmp_echo_req, &m);
	struct icmp_repr r;

	ck_assert_uint_eq(n, 64);
	memset(&r, 0x5a, sizeof r);
	ck_assert_int_eq(icmp_parse(m, n, &r), WIRE_OK);
	ck_assert_uint_eq(r.type, ICMP_ECHO_REQUEST);
	ck_assert_uint_eq(r.code, 0);
	ck_assert_uint_eq(r.ident, 0x0d2f);
	ck_assert_uint_eq(r.seq, 1);
	ck_assert_ptr_eq(r.data, m + ICMP_HDR_LEN);
	ck_assert_uint_eq(r.data_len, 56);
	check_emit(&r, m, n);
}
END_TEST

START_TEST(test_echo_reply_both_ways)
{
	const uint8_t *m;
	size_t n = icmp_of(wf_icmp_echo_reply, sizeof wf_icmp_echo_reply, &m);
	struct icmp_repr r;

	ck_assert_int_eq(icmp_parse(m, n, &r), WIRE_OK);
	ck_assert_uint_eq(r.type, ICMP_ECHO_REPLY);
	ck_assert_uint_eq(r.ident, 0x0d2f);
	ck_assert_uint_eq(r.seq, 1);
	ck_assert_uint_eq(r.data_len, 56);
	check_emit(&r, m, n);
}
END_TEST

START_TEST(test_echo_reply_built_in_request_buffer)
{
	/* The stack answers a ping in the buffer it arrived in: data already
	 * sits at buf + 8. The result must equal scapy's reply. */
	const uint8_t *req, *rep;
	size_t n = icmp_of(wf_icmp_echo_req, sizeof wf_icmp_echo_req, &req);
	size_t rn = icmp_of(wf_icmp_echo_reply, sizeof wf_icmp_echo_reply, &rep);
	uint8_t buf[64];
	struct icmp_repr r;

	ck_assert_uint_eq(n, rn);
	memcpy(buf, req, n);
	ck_assert_int_eq(icmp_parse(buf, n, &r), WIRE_OK);
	r.type = ICMP_ECHO_REPLY;
	ck_assert_int_eq(icmp_emit(&r, buf, sizeof buf), (int)n);
	ck_assert_mem_eq(buf, rep, n);
}
END_TEST

START_TEST(test_overlapping_data_moved)
{
	/* data overlapping the destination (4 bytes earlier) is moved intact */
	uint8_t buf[32], want[16];
	struct icmp_repr r;
	size_t i;

	for (i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)i;
	memcpy(want, buf + 4, sizeof want);
	memset(&r, 0, sizeof r);
	r.type = ICMP_ECHO_REQUEST;
	r.data = buf + 4;
	r.data_len = sizeof want;
	ck_assert_int_eq(icmp_emit(&r, buf, sizeof buf), 24);
	ck_assert_mem_eq(buf + 8, want, sizeof want);
	ck_assert_int_eq(icmp_parse(buf, 24, &r), WIRE_OK);
}
END_TEST

START_TEST(test_odd_length_echo_behind_ip_options)
{
	const uint8_t *m;
	size_t n = icmp_of(wf_ipv4_opt_icmp, sizeof wf_ipv4_opt_icmp, &m);
	struct icmp_repr r;

	ck_assert_uint_eq(n, 15);
	ck_assert_int_eq(icmp_parse(m, n, &r), WIRE_OK);
	ck_assert_uint_eq(r.ident, 0x1d2c);
	ck_assert_uint_eq(r.seq, 2);
	ck_assert_uint_eq(r.data_len, 7);
	ck_assert_mem_eq(r.data, "abcdefg", 7);
	check_emit(&r, m, n);
}
END_TEST

START_TEST(test_port_unreachable_both_ways)
{
	const uint8_t *m;
	size_t n = icmp_of(wf_icmp_port_unreach, sizeof wf_icmp_port_unreach, &m);
	struct icmp_repr r;
	struct ipv4_repr q;

	ck_assert_int_eq(icmp_parse(m, n, &r), WIRE_OK);
	ck_assert_uint_eq(r.type, ICMP_DEST_UNREACH);
	ck_assert_uint_eq(r.code, ICMP_UNREACH_PORT);
	ck_assert_uint_eq(r.ident, 0); /* "unused" */
	ck_assert_uint_eq(r.seq, 0);
	ck_assert_uint_eq(r.data_len, 28); /* quoted IP header + 8 bytes */
	/* the quote is a datagram header: its total_len (32) exceeds the quote */
	ck_assert_int_eq(ipv4_parse(r.data, 20, &q), WIRE_ERR_TRUNCATED);
	ck_assert_uint_eq(wire_get16(r.data + 20), 33000);
	ck_assert_uint_eq(wire_get16(r.data + 22), 9);
	check_emit(&r, m, n);
}
END_TEST

START_TEST(test_truncated)
{
	const uint8_t *m;
	struct icmp_repr r;
	size_t n;

	icmp_of(wf_icmp_echo_req, sizeof wf_icmp_echo_req, &m);
	for (n = 0; n < ICMP_HDR_LEN; n++)
		ck_assert_int_eq(icmp_parse(m, n, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_bad_checksum)
{
	const uint8_t *m;
	size_t n = icmp_of(wf_icmp_echo_req, sizeof wf_icmp_echo_req, &m);
	uint8_t b[64];
	struct icmp_repr r;
	size_t i;

	memcpy(b, m, n);
	b[n - 1] ^= 0x80; /* last payload byte */
	ck_assert_int_eq(icmp_parse(b, n, &r), WIRE_ERR_CHECKSUM);
	b[n - 1] ^= 0x80;
	/* a message cut short by the caller no longer verifies */
	ck_assert_int_eq(icmp_parse(b, n - 1, &r), WIRE_ERR_CHECKSUM);
	for (i = 0; i < n * 8; i++) {
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
		ck_assert_int_eq(icmp_parse(b, n, &r), WIRE_ERR_CHECKSUM);
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
}
END_TEST

START_TEST(test_emit_small_cap_writes_nothing)
{
	const uint8_t *m;
	size_t n = icmp_of(wf_icmp_echo_req, sizeof wf_icmp_echo_req, &m);
	struct icmp_repr r;
	uint8_t out[64];

	ck_assert_int_eq(icmp_parse(m, n, &r), WIRE_OK);
	wc_fill(out, sizeof out);
	ck_assert_int_eq(icmp_emit(&r, out, n - 1), WIRE_ERR_TRUNCATED);
	ck_assert_int_eq(icmp_emit(&r, out, ICMP_HDR_LEN - 1), WIRE_ERR_TRUNCATED);
	wc_untouched(out, 0, sizeof out);
}
END_TEST

static Suite *icmp_suite(void)
{
	Suite *s = suite_create("wire_icmp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_echo_request_both_ways);
	tcase_add_test(tc, test_echo_reply_both_ways);
	tcase_add_test(tc, test_echo_reply_built_in_request_buffer);
	tcase_add_test(tc, test_overlapping_data_moved);
	tcase_add_test(tc, test_odd_length_echo_behind_ip_options);
	tcase_add_test(tc, test_port_unreachable_both_ways);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_bad_checksum);
	tcase_add_test(tc, test_emit_small_cap_writes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wc_run(icmp_suite());
}
