/*
 * test_stack_badinput.c - the stack's own bad-input paths: malformed
 * Ethernet, IPv4, TCP and ARP frames built by hand and fed through the
 * netdev. Each one must be dropped silently, counted under exactly one
 * named reason (and no other drop counter may move), and leave the
 * listener as it was: a good SYN afterwards is still answered.
 *
 * The rules:
 *   RFC 1122 §3.2.1.1: "A datagram whose version number is not 4 MUST be
 *     silently discarded."                                  ip.bad_version
 *   RFC 791 §3.1: "Internet Header Length is the length of the internet
 *     header in 32 bit words [...] the minimum value for a correct header
 *     is 5."                                                  ip.bad_ihl
 *   RFC 791 §3.1: "Total Length is the length of the datagram, measured in
 *     octets, including internet header and data" - below the header or
 *     past the frame it is a lie, and so is a header (IHL) longer than
 *     the frame.                                             ip.bad_length
 *   RFC 1122 §3.2.1.2: "A host MUST verify the IP header checksum on every
 *     received datagram and silently discard every datagram that has a bad
 *     checksum."                                             ip.bad_checksum
 *   Fragments are not reassembled (DESIGN; the stack's MSS keeps peers
 *     from fragmenting): each is dropped.                    ip.fragment
 *   RFC 1122 §3.2.1.8: options the host does not implement are ignored -
 *     an unknown or garbled IP option does not drop the datagram.
 *   RFC 9293 §3.1: "Data Offset: 4 bits. The number of 32-bit words in the
 *     TCP header." A segment shorter than 20 bytes has no header (tcp.short);
 *     an offset below 5 or past the segment is impossible (tcp.bad_offset).
 *   RFC 9293 §3.1 (MUST-7): "a TCP implementation MUST be prepared to
 *     handle an illegal option length (e.g., zero)"            tcp.bad_option
 *   RFC 9293 §3.1: the checksum covers pseudo-header, header and data.
 *                                                          tcp.bad_checksum
 *   RFC 826: "?Am I the target protocol address? [...] If not, drop"
 *                                                          arp.not_for_us
 *     and a hardware/protocol type or length we do not speak. arp.malformed
 */
#include "tcp_harness.h"

#include <stdlib.h>
#include <string.h>

#include "wire/arp.h"
#include "wire/eth.h"

static NET_STAT_T before[NET_STAT_COUNT];

static void snapshot(void)
{
	for (unsigned i = 0; i < NET_STAT_COUNT; i++)
		before[i] = net_stat(&H.st, (enum net_stat_id)i);
}

/* Counters that count arrivals, not drops: they may move. */
static bool arrival(enum net_stat_id id)
{
	return id == NET_STAT_ETH_RX || id == NET_STAT_IP_RX || id == NET_STAT_TCP_RX || id == NET_STAT_ARP_RX;
}

/* Exactly `id` went up by one among the drop counters; nothing was sent. */
static void assert_dropped_as(const char *file, int line, enum net_stat_id id)
{
	for (unsigned i = 0; i < NET_STAT_COUNT; i++) {
		NET_STAT_T d = (NET_STAT_T)(net_stat(&H.st, (enum net_stat_id)i) - before[i]);
		if (i == (unsigned)id)
			ck_assert_msg(d == 1, "%s:%d: %s moved by %u, expected 1", file, line, net_stat_name(id),
				      (unsigned)d);
		else if (!arrival((enum net_stat_id)i))
			ck_assert_msg(d == 0, "%s:%d: %s moved by %u (expected only %s)", file, line,
				      net_stat_name((enum net_stat_id)i), (unsigned)d, net_stat_name(id));
	}
	h_expect_nothing(file, line);
	ck_assert_uint_eq(tcp_pcbs_in_use(&H.st), 0);
}
#define DROPPED_AS(id) assert_dropped_as(__FILE__, __LINE__, NET_STAT_##id)

/* A SYN to our listener: TCP header (20 + olen bytes) with checksum. */
static uint16_t syn(uint8_t *seg, const uint8_t *opts, uint8_t olen)
{
	struct tcp_repr r;

	memset(&r, 0, sizeof(r));
	r.src_port = H_CLIENT_PORT;
	r.dst_port = H_SERVER_PORT;
	r.seq = H.peer_iss;
	r.flags = TCP_SYN;
	r.window = 64240;
	tcp_emit(&r, seg, 20);
	if (olen)
		memcpy(seg + 20, opts, olen);
	seg[TCP_OFF_DOFF] = (uint8_t)(((20u + olen) / 4u) << 4);
	tcp_checksum(seg, 20u + olen, H_PEER_IP, H_OUR_IP);
	return (uint16_t)(20u + olen);
}

static void ip_fix_csum(uint8_t *f, uint8_t ihl_bytes)
{
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, 0);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, wire_checksum(f + ETH_HDR_LEN, ihl_bytes));
}

/* A good SYN is answered: the drop left nothing behind. */
static void still_listening(void)
{
	uint8_t seg[20], f[100];

	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn(seg, NULL, 0)));
	OUT(TCP_SYN | TCP_ACK, 0, 1);
}

static void setup(void)
{
	h_setup();
	h_listen();
	snapshot();
}

/* ---------- Ethernet ---------- */

START_TEST(test_eth_runt_and_unknown_type)
{
	uint8_t f[60] = {0};

	memcpy(f, H.our_mac, 6);
	memcpy(f + 6, H.peer_mac, 6);
	fake_inject_raw(&H.dev, f, 10); /* not even a header */
	h_poll();
	DROPPED_AS(ETH_RUNT);
	snapshot();
	f[12] = 0x88;
	f[13] = 0xB5; /* IEEE local experimental */
	h_inject(f, 60);
	DROPPED_AS(ETH_TYPE);
	still_listening();
}
END_TEST

/* ---------- IPv4 ---------- */

START_TEST(test_ip_version_not_4)
{
	uint8_t seg[20], f[100];
	uint16_t n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn(seg, NULL, 0));

	f[ETH_HDR_LEN] = 0x65; /* version 6, IHL 5 */
	ip_fix_csum(f, 20);
	h_inject(f, n);
	DROPPED_AS(IP_BAD_VERSION);
	still_listening();
}
END_TEST

START_TEST(test_ip_ihl_below_5)
{
	uint8_t seg[20], f[100];
	uint16_t n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn(seg, NULL, 0));

	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		snapshot();
		f[ETH_HDR_LEN] = (uint8_t)(0x40 | ihl);
		ip_fix_csum(f, 20);
		h_inject(f, n);
		DROPPED_AS(IP_BAD_IHL);
	}
	still_listening();
}
END_TEST

/* IHL 15 claims a 60-byte header; the frame holds 46 bytes of IPv4: a
 * length that does not fit the frame. */
START_TEST(test_ip_ihl_past_frame)
{
	uint8_t seg[20], f[100];
	uint16_t n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn(seg, NULL, 0));

	f[ETH_HDR_LEN] = 0x4F;
	ip_fix_csum(f, 20);
	h_inject(f, n);
	DROPPED_AS(IP_BAD_LENGTH);
	still_listening();
}
END_TEST

START_TEST(test_ip_total_length_past_frame_or_below_header)
{
	uint8_t seg[20], f[100];
	uint16_t n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn(seg, NULL, 0));
	static const uint16_t bad[] = {47, 200, 0xFFFF, 19, 0};

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snapshot();
		wire_put16(f + ETH_HDR_LEN + IPV4_OFF_LEN, bad[i]);
		ip_fix_csum(f, 20);
		h_inject(f, n); /* padded to 60: 46 bytes of IPv4 */
		DROPPED_AS(IP_BAD_LENGTH);
	}
	still_listening();
}
END_TEST

START_TEST(test_ip_bad_header_checksum)
{
	uint8_t seg[20], f[100];
	uint16_t n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn(seg, NULL, 0));

	f[ETH_HDR_LEN + IPV4_OFF_TTL] ^= 0x01; /* checksum no longer matches */
	h_inject(f, n);
	DROPPED_AS(IP_CHECKSUM);
	still_listening();
}
END_TEST

START_TEST(test_ip_fragments)
{
	uint8_t seg[20], f[100];
	uint16_t n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn(seg, NULL, 0));
	static const uint16_t frag[] = {IPV4_FLAG_MF, 1, IPV4_FLAG_MF | 185, 0x1FFF};

	for (unsigned i = 0; i < sizeof frag / sizeof frag[0]; i++) {
		snapshot();
		wire_put16(f + ETH_HDR_LEN + IPV4_OFF_FRAG, frag[i]);
		ip_fix_csum(f, 20);
		h_inject(f, n);
		DROPPED_AS(IP_FRAGMENT);
	}
	still_listening();
}
END_TEST

/* Options are skipped, not parsed: a garbled one (length 0 record route,
 * then an unknown type) does not drop the datagram. */
START_TEST(test_ip_garbled_options_ignored)
{
	uint8_t seg[20], f[100];
	uint16_t n;

	syn(seg, NULL, 0);
	n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, 20);
	memmove(f + ETH_HDR_LEN + 28, f + ETH_HDR_LEN + 20, 20);
	static const uint8_t opts[8] = {0x07, 0x00, 0xEE, 0x9F, 0x03, 0xFF, 0x00, 0x00};
	memcpy(f + ETH_HDR_LEN + 20, opts, 8);
	f[ETH_HDR_LEN] = 0x47;
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_LEN, 48);
	ip_fix_csum(f, 28);
	h_inject(f, (uint16_t)(n + 8));
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	for (unsigned i = 0; i < NET_STAT_COUNT; i++)
		if (!arrival((enum net_stat_id)i) && i != NET_STAT_TCP_SEGS_SENT && i != NET_STAT_IP_TX)
			ck_assert_msg(net_stat(&H.st, (enum net_stat_id)i) == before[i], "%s moved",
				      net_stat_name((enum net_stat_id)i));
}
END_TEST

/* ---------- TCP ---------- */

START_TEST(test_tcp_shorter_than_header)
{
	uint8_t seg[20], f[100];

	syn(seg, NULL, 0);
	for (uint16_t len = 0; len < 20; len += 4) {
		snapshot();
		h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, len));
		DROPPED_AS(TCP_SHORT);
	}
	still_listening();
}
END_TEST

START_TEST(test_tcp_data_offset_below_5_or_past_segment)
{
	uint8_t seg[40], f[100];
	static const struct {
		uint8_t doff;
		uint8_t len;
	} bad[] = {{0, 20}, {4, 20}, {6, 20}, {15, 20}, {15, 40}, {11, 40}};

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snapshot();
		memset(seg, 0, sizeof seg);
		syn(seg, NULL, 0);
		seg[TCP_OFF_DOFF] = (uint8_t)(bad[i].doff << 4);
		tcp_checksum(seg, bad[i].len, H_PEER_IP, H_OUR_IP);
		h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, bad[i].len));
		DROPPED_AS(TCP_BAD_OFFSET);
	}
	still_listening();
}
END_TEST

START_TEST(test_tcp_option_lengths)
{
	uint8_t seg[60], f[120];
	static const uint8_t bad[][8] = {
		{0x22, 0, 0, 0, 0, 0, 0, 0},                 /* unknown kind, length 0 */
		{0x22, 1, 0, 0, 0, 0, 0, 0},                 /* length 1 */
		{TCP_OPT_MSS, 0, 0, 0, 0, 0, 0, 0},          /* MSS, length 0 */
		{TCP_OPT_NOP, TCP_OPT_NOP, 0x22, 7, 0, 0, 0, 0}, /* runs past the header */
		{TCP_OPT_MSS, 4, 5, 180, 0x22, 9, 0, 0},     /* second option overruns */
		{TCP_OPT_MSS, 3, 5, 0, 0, 0, 0, 0},          /* MSS, length 3 */
	};

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snapshot();
		uint16_t l = syn(seg, bad[i], 8);
		h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, l));
		DROPPED_AS(TCP_BAD_OPTION);
	}
	still_listening();
}
END_TEST

START_TEST(test_tcp_bad_checksum)
{
	uint8_t seg[20], f[100];

	syn(seg, NULL, 0);
	seg[TCP_OFF_SEQ] ^= 0x80;
	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, 20));
	DROPPED_AS(TCP_CHECKSUM);
	still_listening();
}
END_TEST

/* ---------- ARP ---------- */

static void arp_frame(uint8_t *f, uint16_t op, uint32_t tpa)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x20};
	struct eth_repr e;
	struct arp_repr a;

	memcpy(e.dst, bcast, 6);
	memcpy(e.src, other, 6);
	e.ethertype = ETH_TYPE_ARP;
	memset(&a, 0, sizeof a);
	a.op = op;
	memcpy(a.sha, other, 6);
	a.spa = 0xC0A80114u;
	a.tpa = tpa;
	eth_emit(&e, f, ETH_HDR_LEN);
	arp_emit(&a, f + ETH_HDR_LEN, ARP_LEN);
}

START_TEST(test_arp_for_other_hosts)
{
	uint8_t f[60] = {0};
	static const uint32_t others[] = {0xC0A80163u, H_PEER_IP, 0xC0A801FFu, 0};

	for (unsigned i = 0; i < sizeof others / sizeof others[0]; i++) {
		snapshot();
		arp_frame(f, ARP_OP_REQUEST, others[i]);
		h_inject(f, 60);
		DROPPED_AS(ARP_NOT_US);
	}
	ck_assert_uint_eq(arp_entries_in_use(&H.st), 1); /* only the peer, from setup */
	still_listening();
}
END_TEST

START_TEST(test_arp_not_ethernet_ipv4)
{
	uint8_t f[60] = {0};
	static const struct {
		uint8_t off, val;
	} bad[] = {{1, 6}, {2, 0x86}, {4, 8}, {5, 16}, {4, 0}};

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snapshot();
		arp_frame(f, ARP_OP_REQUEST, H_OUR_IP);
		f[ETH_HDR_LEN + bad[i].off] = bad[i].val;
		h_inject(f, 60);
		DROPPED_AS(ARP_MALFORMED);
	}
	still_listening();
}
END_TEST

static Suite *badinput_suite(void)
{
	Suite *s = suite_create("stack_badinput");
	TCase *t = tcase_create("drops");
	tcase_add_checked_fixture(t, setup, h_teardown);
	tcase_add_test(t, test_eth_runt_and_unknown_type);
	tcase_add_test(t, test_ip_version_not_4);
	tcase_add_test(t, test_ip_ihl_below_5);
	tcase_add_test(t, test_ip_ihl_past_frame);
	tcase_add_test(t, test_ip_total_length_past_frame_or_below_header);
	tcase_add_test(t, test_ip_bad_header_checksum);
	tcase_add_test(t, test_ip_fragments);
	tcase_add_test(t, test_ip_garbled_options_ignored);
	tcase_add_test(t, test_tcp_shorter_than_header);
	tcase_add_test(t, test_tcp_data_offset_below_5_or_past_segment);
	tcase_add_test(t, test_tcp_option_lengths);
	tcase_add_test(t, test_tcp_bad_checksum);
	tcase_add_test(t, test_arp_for_other_hosts);
	tcase_add_test(t, test_arp_not_ethernet_ipv4);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(badinput_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
