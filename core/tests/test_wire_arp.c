/*
 * test_wire_arp.c - ARP codec (core/wire/arp.c) on the request and reply
 * scapy built (wire_frames.h): every field, emit into a 0xA5 buffer byte
 * for byte, Ethernet padding ignored, and each rejected header field.
 */
#include <check.h>

#include "wire/arp.h"
#include "wire_check.h"
#include "wire_frames.h"

static const uint8_t host_mac[6] = { 0x3c, 0x97, 0x0e, 0x12, 0x34, 0x56 };
static const uint8_t dev_mac[6] = { 0x00, 0x04, 0xa3, 0x01, 0x02, 0x03 };
static const uint8_t zero_mac[6] = { 0 };

static void check_emit(const struct arp_repr *r, const uint8_t *want)
{
	uint8_t out[ARP_LEN + 8];

	wc_fill(out, sizeof out);
	ck_assert_int_eq(arp_emit(r, out, sizeof out), (int)ARP_LEN);
	ck_assert_mem_eq(out, want, ARP_LEN);
	wc_untouched(out, ARP_LEN, sizeof out);
}

START_TEST(test_request_both_ways)
{
	/* 60-byte frame: 28-byte body plus 18 pad bytes, which are ignored. */
	const uint8_t *b = wf_arp_request + WC_ETH;
	struct arp_repr r;

	memset(&r, 0x5a, sizeof r);
	ck_assert_int_eq(arp_parse(b, sizeof wf_arp_request - WC_ETH, &r), WIRE_OK);
	ck_assert_uint_eq(r.op, ARP_OP_REQUEST);
	ck_assert_mem_eq(r.sha, host_mac, 6);
	ck_assert_uint_eq(r.spa, WF_HOST_IP);
	ck_assert_mem_eq(r.tha, zero_mac, 6);
	ck_assert_uint_eq(r.tpa, WF_DEV_IP);
	check_emit(&r, b);
}
END_TEST

START_TEST(test_reply_both_ways)
{
	const uint8_t *b = wf_arp_reply + WC_ETH;
	struct arp_repr r;

	ck_assert_uint_eq(sizeof wf_arp_reply - WC_ETH, ARP_LEN);
	ck_assert_int_eq(arp_parse(b, ARP_LEN, &r), WIRE_OK);
	ck_assert_uint_eq(r.op, ARP_OP_REPLY);
	ck_assert_mem_eq(r.sha, dev_mac, 6);
	ck_assert_uint_eq(r.spa, WF_DEV_IP);
	ck_assert_mem_eq(r.tha, host_mac, 6);
	ck_assert_uint_eq(r.tpa, WF_HOST_IP);
	check_emit(&r, b);
}
END_TEST

START_TEST(test_truncated)
{
	struct arp_repr r;
	size_t n;

	for (n = 0; n < ARP_LEN; n++)
		ck_assert_int_eq(arp_parse(wf_arp_reply + WC_ETH, n, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

/* Copies the reply body, patches byte off to v, and parses it. */
static int parse_patched(size_t off, uint8_t v)
{
	uint8_t b[ARP_LEN];
	struct arp_repr r;

	memcpy(b, wf_arp_reply + WC_ETH, ARP_LEN);
	b[off] = v;
	return arp_parse(b, sizeof b, &r);
}

START_TEST(test_other_hardware_or_protocol_unsupported)
{
	ck_assert_int_eq(parse_patched(1, 6), WIRE_ERR_UNSUPPORTED);     /* htype IEEE 802 */
	ck_assert_int_eq(parse_patched(0, 1), WIRE_ERR_UNSUPPORTED);     /* htype 0x0101 */
	ck_assert_int_eq(parse_patched(2, 0x86), WIRE_ERR_UNSUPPORTED);  /* ptype 0x8600 */
	ck_assert_int_eq(parse_patched(3, 0x06), WIRE_ERR_UNSUPPORTED);  /* ptype 0x0806 */
}
END_TEST

START_TEST(test_bad_address_lengths_malformed)
{
	ck_assert_int_eq(parse_patched(4, 8), WIRE_ERR_MALFORMED);  /* hlen */
	ck_assert_int_eq(parse_patched(4, 0), WIRE_ERR_MALFORMED);
	ck_assert_int_eq(parse_patched(5, 16), WIRE_ERR_MALFORMED); /* plen (IPv6) */
	ck_assert_int_eq(parse_patched(5, 0), WIRE_ERR_MALFORMED);
}
END_TEST

START_TEST(test_unknown_op_reported_as_found)
{
	struct arp_repr r;
	uint8_t b[ARP_LEN];

	memcpy(b, wf_arp_reply + WC_ETH, ARP_LEN);
	b[7] = 9; /* InARP reply: the stack drops it, the codec just reports it */
	ck_assert_int_eq(arp_parse(b, sizeof b, &r), WIRE_OK);
	ck_assert_uint_eq(r.op, 9);
}
END_TEST

START_TEST(test_emit_small_cap_writes_nothing)
{
	struct arp_repr r;
	uint8_t out[ARP_LEN];

	ck_assert_int_eq(arp_parse(wf_arp_reply + WC_ETH, ARP_LEN, &r), WIRE_OK);
	wc_fill(out, sizeof out);
	ck_assert_int_eq(arp_emit(&r, out, ARP_LEN - 1), WIRE_ERR_TRUNCATED);
	wc_untouched(out, 0, sizeof out);
}
END_TEST

static Suite *arp_suite(void)
{
	Suite *s = suite_create("wire_arp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_request_both_ways);
	tcase_add_test(tc, test_reply_both_ways);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_other_hardware_or_protocol_unsupported);
	tcase_add_test(tc, test_bad_address_lengths_malformed);
	tcase_add_test(tc, test_unknown_op_reported_as_found);
	tcase_add_test(tc, test_emit_small_cap_writes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wc_run(arp_suite());
}
