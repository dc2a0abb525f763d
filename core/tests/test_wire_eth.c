/*
 * test_wire_eth.c - Ethernet II header codec (core/wire/eth.c) on frames
 * scapy built (wire_frames.h): parse every field, emit into a 0xA5 buffer
 * and compare byte for byte, truncation, and the address class helpers.
 */
#include <check.h>

#include "wire/eth.h"
#include "wire_check.h"
#include "wire_frames.h"

static const uint8_t host_mac[6] = { 0x3c, 0x97, 0x0e, 0x12, 0x34, 0x56 };
static const uint8_t dev_mac[6] = { 0x00, 0x04, 0xa3, 0x01, 0x02, 0x03 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Parses f, checks the fields, and re-emits it into a 0xA5 buffer. */
static void round_trip(const uint8_t *f, size_t n, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	struct eth_repr r;
	uint8_t out[ETH_HDR_LEN + 8];

	memset(&r, 0x5a, sizeof r);
	ck_assert_int_eq(eth_parse(f, n, &r), WIRE_OK);
	ck_assert_mem_eq(r.dst, dst, 6);
	ck_assert_mem_eq(r.src, src, 6);
	ck_assert_uint_eq(r.ethertype, type);

	wc_fill(out, sizeof out);
	ck_assert_int_eq(eth_emit(&r, out, sizeof out), (int)ETH_HDR_LEN);
	ck_assert_mem_eq(out, f, ETH_HDR_LEN);
	wc_untouched(out, ETH_HDR_LEN, sizeof out);
}

START_TEST(test_seed_syn_header_both_ways)
{
	round_trip(wf_seed_syn, sizeof wf_seed_syn, dev_mac, host_mac, ETH_TYPE_IPV4);
}
END_TEST

START_TEST(test_seed_synack_padded_frame_both_ways)
{
	round_trip(wf_seed_synack, sizeof wf_seed_synack, host_mac, dev_mac, ETH_TYPE_IPV4);
}
END_TEST

START_TEST(test_arp_broadcast_both_ways)
{
	round_trip(wf_arp_request, sizeof wf_arp_request, bcast, host_mac, ETH_TYPE_ARP);
	round_trip(wf_arp_reply, sizeof wf_arp_reply, host_mac, dev_mac, ETH_TYPE_ARP);
}
END_TEST

START_TEST(test_exactly_header_len_parses)
{
	struct eth_repr r;

	ck_assert_int_eq(eth_parse(wf_seed_rst, ETH_HDR_LEN, &r), WIRE_OK);
	ck_assert_uint_eq(r.ethertype, ETH_TYPE_IPV4);
}
END_TEST

START_TEST(test_truncated_header_rejected)
{
	struct eth_repr r;
	size_t n;

	for (n = 0; n < ETH_HDR_LEN; n++)
		ck_assert_int_eq(eth_parse(wf_seed_syn, n, &r), WIRE_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_emit_small_cap_writes_nothing)
{
	struct eth_repr r;
	uint8_t out[ETH_HDR_LEN];

	ck_assert_int_eq(eth_parse(wf_seed_syn, sizeof wf_seed_syn, &r), WIRE_OK);
	wc_fill(out, sizeof out);
	ck_assert_int_eq(eth_emit(&r, out, ETH_HDR_LEN - 1), WIRE_ERR_TRUNCATED);
	wc_untouched(out, 0, sizeof out);
}
END_TEST

START_TEST(test_address_classes)
{
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t almost[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	static const uint8_t local_uc[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

	ck_assert(eth_is_broadcast(bcast));
	ck_assert(eth_is_multicast(bcast));
	ck_assert(!eth_is_broadcast(mcast));
	ck_assert(eth_is_multicast(mcast));
	ck_assert(!eth_is_broadcast(almost));
	ck_assert(eth_is_multicast(almost));
	ck_assert(!eth_is_broadcast(dev_mac));
	ck_assert(!eth_is_multicast(dev_mac));
	ck_assert(!eth_is_multicast(local_uc));
}
END_TEST

static Suite *eth_suite(void)
{
	Suite *s = suite_create("wire_eth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_seed_syn_header_both_ways);
	tcase_add_test(tc, test_seed_synack_padded_frame_both_ways);
	tcase_add_test(tc, test_arp_broadcast_both_ways);
	tcase_add_test(tc, test_exactly_header_len_parses);
	tcase_add_test(tc, test_truncated_header_rejected);
	tcase_add_test(tc, test_emit_small_cap_writes_nothing);
	tcase_add_test(tc, test_address_classes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wc_run(eth_suite());
}
