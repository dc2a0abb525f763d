/*
 * test_wire_ipv6.c - IPv6 header codec (core/wire/ipv6.c) on frames scapy
 * built (wire_frames.h): the fixed header's fields, the extension-header
 * chain (hop-by-hop and destination options before TCP), a fragment, the
 * pseudo-header sum checked against scapy's TCP checksum, and every
 * rejection with its code.
 */
#include <check.h>

#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire_check.h"
#include "wire_frames.h"

static const uint8_t HOST6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
static const uint8_t DEV6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc8};

/* TCP checksum over the IPv6 pseudo-header: 0 when scapy's value is right. */
static uint16_t tcp6_sum(const struct ipv6_repr *r, const uint8_t *seg, size_t n)
{
	struct wire_csum c;
	wire_csum_init(&c);
	ipv6_pseudo_csum(&c, r->src, r->dst, IPV6_NH_TCP, (uint32_t)n);
	wire_csum_add(&c, seg, n);
	return wire_csum_fold(&c);
}

START_TEST(test_syn_fields_and_checksum)
{
	const uint8_t *b = wf_ipv6_tcp_syn + WC_ETH;
	size_t n = sizeof wf_ipv6_tcp_syn - WC_ETH;
	struct ipv6_repr r;
	memset(&r, 0x5a, sizeof r);
	ck_assert_int_eq(ipv6_parse(b, n, &r), WIRE_OK);
	ck_assert_mem_eq(r.src, HOST6, 16);
	ck_assert_mem_eq(r.dst, DEV6, 16);
	ck_assert_uint_eq(r.hop_limit, 64);
	ck_assert_uint_eq(r.flow_label, 0x12345);
	ck_assert_uint_eq(r.traffic_class, 0);
	ck_assert_uint_eq(r.proto, IPV6_NH_TCP);
	ck_assert_uint_eq(r.hdr_len, 40);
	ck_assert_uint_eq(r.payload_len, 28); /* 20 + MSS 4 + SAckOK 2 + 2 EOL padding */
	ck_assert(!r.fragment);
	struct tcp_repr t;
	ck_assert_int_eq(tcp_parse(b + r.hdr_len, r.payload_len, &t), WIRE_OK);
	ck_assert_uint_eq(t.seq, 1240744644u);
	ck_assert_uint_eq(t.opt.mss, 1440);
	ck_assert_uint_eq(tcp6_sum(&r, b + r.hdr_len, r.payload_len), 0);
	/* One bit off in the pseudo-header (the destination) breaks it. */
	r.dst[15] ^= 1;
	ck_assert_uint_ne(tcp6_sum(&r, b + r.hdr_len, r.payload_len), 0);
}
END_TEST

START_TEST(test_extension_chain_is_skipped)
{
	const uint8_t *b = wf_ipv6_ext_rst + WC_ETH;
	struct ipv6_repr r;
	ck_assert_int_eq(ipv6_parse(b, sizeof wf_ipv6_ext_rst - WC_ETH, &r), WIRE_OK);
	ck_assert_uint_eq(r.proto, IPV6_NH_TCP);
	ck_assert_uint_eq(r.hdr_len, 40 + 8 + 8);
	ck_assert_uint_eq(r.hop_limit, 255);
	struct tcp_repr t;
	size_t l4 = (size_t)IPV6_HDR_LEN + r.payload_len - r.hdr_len;
	ck_assert_int_eq(tcp_parse(b + r.hdr_len, l4, &t), WIRE_OK);
	ck_assert_uint_eq(t.flags, TCP_RST | TCP_ACK);
	ck_assert_uint_eq(t.ack, 1240744645u);
	ck_assert_uint_eq(tcp6_sum(&r, b + r.hdr_len, l4), 0);
}
END_TEST

START_TEST(test_fragment_is_flagged)
{
	struct ipv6_repr r;
	ck_assert_int_eq(ipv6_parse(wf_ipv6_frag + WC_ETH, sizeof wf_ipv6_frag - WC_ETH, &r), WIRE_OK);
	ck_assert(r.fragment);
	ck_assert_uint_eq(r.proto, IPV6_NH_TCP);
	ck_assert_uint_eq(r.hdr_len, 48);
}
END_TEST

START_TEST(test_rejections)
{
	uint8_t b[128];
	size_t n = sizeof wf_ipv6_ext_rst - WC_ETH;
	struct ipv6_repr r;
	memcpy(b, wf_ipv6_ext_rst + WC_ETH, n);
	ck_assert_int_eq(ipv6_parse(b, 39, &r), WIRE_ERR_TRUNCATED);
	/* The datagram is longer than the bytes given: a frame cut short. */
	ck_assert_int_eq(ipv6_parse(b, n - 1, &r), WIRE_ERR_TRUNCATED);
	/* Trailing bytes after the datagram are fine (Ethernet padding). */
	memset(b + n, 0, 6);
	ck_assert_int_eq(ipv6_parse(b, n + 6, &r), WIRE_OK);
	/* Version 4 in an IPv6 frame. */
	b[0] = (uint8_t)((b[0] & 0x0F) | 0x40);
	ck_assert_int_eq(ipv6_parse(b, n, &r), WIRE_ERR_MALFORMED);
	b[0] = (uint8_t)((b[0] & 0x0F) | 0x60);
	/* A destination-options header claiming more than the payload. */
	b[40 + 8 + 1] = 40;
	ck_assert_int_eq(ipv6_parse(b, n, &r), WIRE_ERR_MALFORMED);
	/* A jumbogram (payload length 0, hop-by-hop first) is not handled. */
	memcpy(b, wf_ipv6_ext_rst + WC_ETH, n);
	b[4] = b[5] = 0;
	ck_assert_int_eq(ipv6_parse(b, n, &r), WIRE_ERR_UNSUPPORTED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wire_ipv6");
	TCase *tc = tcase_create("codec");
	tcase_add_test(tc, test_syn_fields_and_checksum);
	tcase_add_test(tc, test_extension_chain_is_skipped);
	tcase_add_test(tc, test_fragment_is_flagged);
	tcase_add_test(tc, test_rejections);
	suite_add_tcase(s, tc);
	return wc_run(s);
}
