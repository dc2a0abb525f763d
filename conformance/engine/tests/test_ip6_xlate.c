/*
 * test_ip6_xlate.c - the IPv6 runs' translation (ip6_xlate.h): the
 * runner's IPv4 datagrams as IPv6 on the wire and back. Each check names
 * the rule it holds: the stand-in addresses, the pseudo-header checksums
 * (RFC 8200 8.1, RFC 4443 2.3), the quoted header of an ICMPv6 error and
 * the 32-bit MTU of a Packet Too Big (RFC 4443 3.2).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ip6_xlate.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"

static struct ip6_map map(void)
{
	struct ip6_map m;
	memset(&m, 0, sizeof m);
	m.dut_ip = 0xC0A80001u;  /* 192.168.0.1 */
	m.peer_ip = 0xC0000201u; /* 192.0.2.1 */
	ck_assert_int_eq(inet_pton(AF_INET6, "fd3d:a0b:17d6::1", m.dut_ip6), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "fd3d:fa7b:d17d::1", m.peer_ip6), 1);
	return m;
}

/* A TCP segment from the peer to the DUT: 20 bytes header, 4 payload. */
static size_t tcp4(uint8_t *d, uint32_t src, uint32_t dst, uint8_t tos)
{
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = src;
	ip.dst = dst;
	ip.proto = IPV4_PROTO_TCP;
	ip.ttl = 61;
	ip.tos = tos;
	ip.total_len = IPV4_HDR_MIN + TCP_HDR_MIN + 4;
	ck_assert_int_eq(ipv4_emit(&ip, d, IPV4_HDR_MIN), (int)IPV4_HDR_MIN);
	struct tcp_repr t;
	memset(&t, 0, sizeof t);
	t.src_port = 54321;
	t.dst_port = 8080;
	t.seq = 1000;
	t.ack = 77;
	t.flags = TCP_ACK | TCP_PSH;
	t.window = 500;
	uint8_t *seg = d + IPV4_HDR_MIN;
	ck_assert_int_eq(tcp_emit(&t, seg, TCP_HDR_MIN + 4), (int)TCP_HDR_MIN);
	memcpy(seg + TCP_HDR_MIN, "abcd", 4);
	tcp_checksum(seg, TCP_HDR_MIN + 4, src, dst);
	return ip.total_len;
}

START_TEST(test_tcp_both_ways)
{
	struct ip6_map m = map();
	uint8_t d4[128], d6[128], back[128];
	size_t n4 = tcp4(d4, m.peer_ip, m.dut_ip, 0x02); /* ECT(0) */
	int n6 = ip6_xlate_to6(&m, d4, n4, d6, sizeof d6);
	ck_assert_int_eq(n6, (int)(n4 + 20));
	struct ipv6_repr r;
	ck_assert_int_eq(ipv6_parse(d6, (size_t)n6, &r), WIRE_OK);
	/* The stand-ins become the run's addresses. */
	ck_assert_mem_eq(r.src, m.peer_ip6, 16);
	ck_assert_mem_eq(r.dst, m.dut_ip6, 16);
	ck_assert_uint_eq(r.proto, IPV6_NH_TCP);
	ck_assert_uint_eq(r.hop_limit, 61);
	ck_assert_uint_eq(r.traffic_class, 0x02); /* the ECN codepoint travels */
	/* RFC 8200 8.1: the TCP checksum covers IPv6's pseudo-header. */
	ck_assert_uint_eq(ip6_xlate_csum(r.src, r.dst, IPV6_NH_TCP, d6 + 40, (size_t)n6 - 40), 0);
	/* And back: the same segment, its IPv4 checksums valid. */
	int b = ip6_xlate_to4(&m, d6, (size_t)n6, back, sizeof back);
	ck_assert_int_eq(b, (int)n4);
	struct ipv4_repr ip;
	ck_assert_int_eq(ipv4_parse(back, (size_t)b, &ip), WIRE_OK);
	ck_assert_uint_eq(ip.src, m.peer_ip);
	ck_assert_uint_eq(ip.dst, m.dut_ip);
	ck_assert_uint_eq(ip.tos, 0x02);
	ck_assert_int_eq(tcp_verify(back + 20, (size_t)b - 20, ip.src, ip.dst), WIRE_OK);
	ck_assert_mem_eq(back + 20, d4 + 20, n4 - 20);
}
END_TEST

START_TEST(test_bad_checksum_stays_bad)
{
	struct ip6_map m = map();
	uint8_t d4[128], d6[128], back[128];
	size_t n4 = tcp4(d4, m.dut_ip, m.peer_ip, 0);
	int n6 = ip6_xlate_to6(&m, d4, n4, d6, sizeof d6);
	d6[40 + 16] ^= 0x40; /* the DUT got its checksum wrong */
	int b = ip6_xlate_to4(&m, d6, (size_t)n6, back, sizeof back);
	ck_assert_int_eq(b, (int)n4);
	ck_assert_int_ne(tcp_verify(back + 20, (size_t)b - 20, m.dut_ip, m.peer_ip), WIRE_OK);
}
END_TEST

START_TEST(test_udp_from_the_dut)
{
	/* A UDP datagram the DUT sends over IPv6 comes back to the runner as
	 * IPv4 with its checksum over IPv4's pseudo-header (RFC 768), checked
	 * by the UDP codec; one whose IPv6 checksum was wrong stays wrong. */
	struct ip6_map m = map();
	uint8_t d6[128], back[128];
	uint8_t *u = d6 + 40;
	memset(u, 0, UDP_HDR_LEN);
	u[0] = 0x1f, u[1] = 0x90; /* 8080 */
	u[2] = 0xd4, u[3] = 0x31; /* 54321 */
	u[4] = 0, u[5] = UDP_HDR_LEN + 5;
	memcpy(u + UDP_HDR_LEN, "hello", 5);
	size_t n = UDP_HDR_LEN + 5;
	ip6_xlate_header(d6, 0, (uint16_t)n, IPV6_NH_UDP, 64, m.dut_ip6, m.peer_ip6);
	uint16_t c = ip6_xlate_csum(m.dut_ip6, m.peer_ip6, IPV6_NH_UDP, u, n);
	u[6] = (uint8_t)(c >> 8), u[7] = (uint8_t)c;
	ck_assert_uint_eq(ip6_xlate_csum(m.dut_ip6, m.peer_ip6, IPV6_NH_UDP, u, n), 0);
	int b = ip6_xlate_to4(&m, d6, 40 + n, back, sizeof back);
	ck_assert_int_eq(b, (int)(IPV4_HDR_MIN + n));
	ck_assert_int_eq(udp_verify(back + IPV4_HDR_MIN, n, m.dut_ip, m.peer_ip), WIRE_OK);
	ck_assert_mem_eq(back + IPV4_HDR_MIN + UDP_HDR_LEN, "hello", 5);
	u[6] ^= 0x10;
	b = ip6_xlate_to4(&m, d6, 40 + n, back, sizeof back);
	ck_assert_int_eq(b, (int)(IPV4_HDR_MIN + n));
	ck_assert_int_ne(udp_verify(back + IPV4_HDR_MIN, n, m.dut_ip, m.peer_ip), WIRE_OK);
}
END_TEST

START_TEST(test_other_addresses)
{
	struct ip6_map m = map();
	uint8_t d4[128], d6[128], back[128];
	/* An address other than the two stands for peer_ip6's /96 and it. */
	size_t n4 = tcp4(d4, 0x0A000005u, m.dut_ip, 0);
	int n6 = ip6_xlate_to6(&m, d4, n4, d6, sizeof d6);
	ck_assert_int_gt(n6, 0);
	ck_assert_mem_eq(d6 + IPV6_OFF_SRC, m.peer_ip6, 12);
	ck_assert_uint_eq(wire_get32(d6 + IPV6_OFF_SRC + 12), 0x0A000005u);
	ck_assert_int_eq(ip6_xlate_to4(&m, d6, (size_t)n6, back, sizeof back), (int)n4);
	ck_assert_uint_eq(wire_get32(back + IPV4_OFF_SRC), 0x0A000005u);
	/* An address outside the run has no IPv4 form. */
	d6[IPV6_OFF_SRC] ^= 0x01;
	ck_assert_int_eq(ip6_xlate_to4(&m, d6, (size_t)n6, back, sizeof back), 0);
	/* Not IPv4 at all. */
	ck_assert_int_lt(ip6_xlate_to6(&m, d6, (size_t)n6, back, sizeof back), 0);
}
END_TEST

START_TEST(test_icmpv6_packet_too_big)
{
	struct ip6_map m = map();
	uint8_t d4[256], d6[256], back[256];
	/* The runner's ICMP message for `icmp packet_too_big mtu 1280` in an
	 * IPv6 run: ICMPv6's type 2, the MTU in the low half of the 32-bit
	 * field, then the quoted IPv4 header and 8 bytes of the DUT's segment. */
	uint8_t quote[28];
	size_t q = tcp4(d4, m.dut_ip, m.peer_ip, 0);
	(void)q;
	memcpy(quote, d4, 20);
	wire_put16(quote + IPV4_OFF_LEN, 20 + 20 + 1000);
	memcpy(quote + 20, d4 + 20, 8);
	struct icmp_repr ic;
	memset(&ic, 0, sizeof ic);
	ic.type = 2;
	ic.seq = 1280;
	ic.data = quote;
	ic.data_len = sizeof quote;
	ck_assert_int_eq(icmp_emit(&ic, d4 + 20, sizeof d4 - 20), 8 + (int)sizeof quote);
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = m.peer_ip;
	ip.dst = m.dut_ip;
	ip.proto = IPV4_PROTO_ICMP;
	ip.ttl = 64;
	ip.total_len = (uint16_t)(20 + 8 + sizeof quote);
	ck_assert_int_eq(ipv4_emit(&ip, d4, 20), 20);
	int n6 = ip6_xlate_to6(&m, d4, ip.total_len, d6, sizeof d6);
	/* ICMPv6 header, the quoted IPv6 header (40), 8 bytes of TCP. */
	ck_assert_int_eq(n6, 40 + 8 + 40 + 8);
	ck_assert_uint_eq(d6[IPV6_OFF_NEXT], IPV6_NH_ICMPV6);
	const uint8_t *i6 = d6 + 40;
	ck_assert_uint_eq(i6[0], 2);
	ck_assert_uint_eq(wire_get32(i6 + 4), 1280); /* RFC 4443 3.2: a 32-bit MTU */
	/* RFC 4443 2.3: the checksum covers the IPv6 pseudo-header. */
	ck_assert_uint_eq(ip6_xlate_csum(d6 + IPV6_OFF_SRC, d6 + IPV6_OFF_DST, IPV6_NH_ICMPV6, i6, 56), 0);
	/* The quote is the DUT's datagram as it went out in IPv6. */
	const uint8_t *qh = i6 + 8;
	ck_assert_uint_eq(qh[0] >> 4, 6);
	ck_assert_mem_eq(qh + IPV6_OFF_SRC, m.dut_ip6, 16);
	ck_assert_mem_eq(qh + IPV6_OFF_DST, m.peer_ip6, 16);
	ck_assert_uint_eq(wire_get16(qh + IPV6_OFF_PLEN), 20 + 1000);
	ck_assert_uint_eq(qh[IPV6_OFF_NEXT], IPV6_NH_TCP);
	ck_assert_mem_eq(qh + 40, d4 + 20 + 8 + 20, 8);
	/* Back: an ICMP message with a valid checksum and an IPv4 quote. */
	int b = ip6_xlate_to4(&m, d6, (size_t)n6, back, sizeof back);
	ck_assert_int_eq(b, (int)ip.total_len);
	ck_assert_uint_eq(back[IPV4_OFF_PROTO], IPV4_PROTO_ICMP);
	ck_assert_uint_eq(wire_checksum(back + 20, (size_t)b - 20), 0);
	ck_assert_uint_eq(back[28] >> 4, 4);
	ck_assert_uint_eq(wire_get32(back + 28 + IPV4_OFF_SRC), m.dut_ip);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ip6_xlate");
	TCase *tc = tcase_create("xlate");
	tcase_add_test(tc, test_tcp_both_ways);
	tcase_add_test(tc, test_bad_checksum_stays_bad);
	tcase_add_test(tc, test_other_addresses);
	tcase_add_test(tc, test_udp_from_the_dut);
	tcase_add_test(tc, test_icmpv6_packet_too_big);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
