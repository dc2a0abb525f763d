/*
 * test_stack_ip.c - ARP (answer, ignore, ageing, pending next hop,
 * gratuitous), IPv4 input checks (header checksum, version/IHL/length,
 * padded frames, options, fragments, MUST-57), ICMP (echo, protocol and
 * port unreachable) and the minimal UDP (echo service).
 */
#include "tcp_harness.h"

#include <string.h>

#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/udp.h"

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x20};
#define OTHER_IP 0xC0A80114u /* 192.168.1.20 */

static void arp_in(uint16_t op, const uint8_t *sha, uint32_t spa, uint32_t tpa)
{
	uint8_t f[ETH_HDR_LEN + ARP_LEN];
	struct eth_repr e;
	struct arp_repr a;

	memcpy(e.dst, op == ARP_OP_REQUEST ? bcast : H.our_mac, 6);
	memcpy(e.src, sha, 6);
	e.ethertype = ETH_TYPE_ARP;
	a.op = op;
	memcpy(a.sha, sha, 6);
	a.spa = spa;
	memcpy(a.tha, op == ARP_OP_REQUEST ? (const uint8_t[6]){0} : H.our_mac, 6);
	a.tpa = tpa;
	eth_emit(&e, f, sizeof(f));
	arp_emit(&a, f + ETH_HDR_LEN, ARP_LEN);
	h_inject(f, sizeof(f));
}

static void pop_arp(struct eth_repr *e, struct arp_repr *a)
{
	uint8_t b[1514];
	uint16_t n = h_pop_frame(b);

	ck_assert_msg(n > 0, "expected an ARP frame, nothing sent");
	ck_assert_int_eq(eth_parse(b, n, e), WIRE_OK);
	ck_assert_uint_eq(e->ethertype, ETH_TYPE_ARP);
	ck_assert_int_eq(arp_parse(b + ETH_HDR_LEN, (size_t)(n - ETH_HDR_LEN), a), WIRE_OK);
}

/* Pops an IPv4 frame; copies its layer-4 bytes into l4. */
static uint16_t pop_ip(struct ipv4_repr *ip, uint8_t *l4, uint8_t *eth_dst)
{
	uint8_t b[1514];
	uint16_t n = h_pop_frame(b), l;
	struct eth_repr e;

	ck_assert_msg(n > 0, "expected an IPv4 frame, nothing sent");
	ck_assert_int_eq(eth_parse(b, n, &e), WIRE_OK);
	ck_assert_uint_eq(e.ethertype, ETH_TYPE_IPV4);
	if (eth_dst)
		memcpy(eth_dst, e.dst, 6);
	ck_assert_int_eq(ipv4_parse(b + ETH_HDR_LEN, (size_t)(n - ETH_HDR_LEN), ip), WIRE_OK);
	l = (uint16_t)(ip->total_len - ip->hdr_len);
	memcpy(l4, b + ETH_HDR_LEN + ip->hdr_len, l);
	return l;
}

/* ---------- ARP ---------- */

START_TEST(test_arp_request_for_us_answered)
{
	struct eth_repr e;
	struct arp_repr a;

	arp_in(ARP_OP_REQUEST, other_mac, OTHER_IP, H_OUR_IP);
	pop_arp(&e, &a);
	ck_assert_mem_eq(e.dst, other_mac, 6);
	ck_assert_uint_eq(a.op, ARP_OP_REPLY);
	ck_assert_mem_eq(a.sha, H.our_mac, 6);
	ck_assert_uint_eq(a.spa, H_OUR_IP);
	ck_assert_mem_eq(a.tha, other_mac, 6);
	ck_assert_uint_eq(a.tpa, OTHER_IP);
	ck_assert_uint_eq(arp_entries_in_use(&H.st), 2);
}
END_TEST

START_TEST(test_arp_request_for_other_ignored)
{
	arp_in(ARP_OP_REQUEST, other_mac, OTHER_IP, 0xC0A80163u);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ARP_NOT_US), 1);
	ck_assert_uint_eq(arp_entries_in_use(&H.st), 1);
}
END_TEST

/* A next hop with no entry: ARP request, the SYN is rebuilt from the TCB
 * as soon as the reply arrives (nothing held in RAM). */
START_TEST(test_arp_pending_connect_sends_syn_on_reply)
{
	struct eth_repr e;
	struct arp_repr a;

	arp_flush(&H.st);
	H.rport = H_SERVER_PORT;
	H.conn = tcp_connect(&H.st, H_PEER_IP, H_SERVER_PORT, h_cb, &H);
	pop_arp(&e, &a);
	ck_assert_mem_eq(e.dst, bcast, 6);
	ck_assert_uint_eq(a.op, ARP_OP_REQUEST);
	ck_assert_uint_eq(a.tpa, H_PEER_IP);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ARP_PENDING_DROP), 1);
	arp_in(ARP_OP_REPLY, H.peer_mac, H_PEER_IP, H_OUR_IP);
	OUT(TCP_SYN, 0, 0);
	ck_assert_uint_eq(STAT(TCP_RETRANSMITS), 0);
	IN(TCP_SYN | TCP_ACK, 0, 1);
	OUT(TCP_ACK, 1, 1);
	EVENT(TCP_EV_CONNECTED);
}
END_TEST

START_TEST(test_arp_entry_ages_out)
{
	struct eth_repr e;
	struct arp_repr a;

	ck_assert_uint_eq(arp_entries_in_use(&H.st), 1);
	h_advance(NET_MS(H.cfg.arp_max_age_ms) - 1);
	ck_assert_uint_eq(arp_entries_in_use(&H.st), 1);
	h_advance(1);
	ck_assert_uint_eq(arp_entries_in_use(&H.st), 0);
	ck_assert_uint_eq(STAT(ARP_EXPIRED), 1);
	ck_assert_int_eq(udp_sendto(&H.st, 7, H_PEER_IP, 7, "x", 1), 0); /* held */
	pop_arp(&e, &a);
	ck_assert_uint_eq(a.tpa, H_PEER_IP);
}
END_TEST

START_TEST(test_arp_pending_retries_then_gives_up)
{
	struct eth_repr e;
	struct arp_repr a;
	int i;

	arp_flush(&H.st);
	udp_sendto(&H.st, 7, OTHER_IP, 7, "x", 1);
	pop_arp(&e, &a);
	for (i = 0; i < 2; i++) {
		h_advance(NET_S(1));
		pop_arp(&e, &a);
		ck_assert_uint_eq(a.tpa, OTHER_IP);
	}
	h_advance(NET_S(1));
	OUT_NOTHING();
	ck_assert_uint_eq(arp_entries_in_use(&H.st), 0);
	ck_assert_uint_eq(STAT(ARP_REQUESTS), 3);
}
END_TEST

START_TEST(test_arp_off_subnet_resolves_gateway)
{
	struct eth_repr e;
	struct arp_repr a;

	ck_assert_int_eq(udp_sendto(&H.st, 7, 0x0A000005u, 7, "x", 1), 0); /* held */
	pop_arp(&e, &a);
	ck_assert_uint_eq(a.tpa, H_GW_IP);
}
END_TEST

/* ---------- ARP pending frame (one held per unresolved next hop) ---------- */

/* Pops a UDP frame: Ethernet destination, IPv4 destination, payload. */
static void expect_udp(const uint8_t *eth_dst, uint32_t ip_dst, const char *data)
{
	struct ipv4_repr ip;
	uint8_t l4[1500], mac[6];
	uint16_t n = pop_ip(&ip, l4, mac);

	ck_assert_mem_eq(mac, eth_dst, 6);
	ck_assert_uint_eq(ip.dst, ip_dst);
	ck_assert_uint_eq(ip.proto, IPV4_PROTO_UDP);
	ck_assert_uint_eq(n, UDP_HDR_LEN + strlen(data));
	ck_assert_mem_eq(l4 + UDP_HDR_LEN, data, strlen(data));
}

/* A UDP datagram to a flushed next hop waits in the entry's slot and goes
 * out exactly once, to the learned address, when the reply arrives. */
static void held_sent_once(void)
{
	struct eth_repr e;
	struct arp_repr a;

	arp_flush(&H.st);
	ck_assert_int_eq(udp_sendto(&H.st, 7, H_PEER_IP, 9, "held", 4), 0);
	pop_arp(&e, &a);
	ck_assert_uint_eq(a.tpa, H_PEER_IP);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ARP_PENDING_DROP), 0);
	arp_in(ARP_OP_REPLY, H.peer_mac, H_PEER_IP, H_OUR_IP);
	expect_udp(H.peer_mac, H_PEER_IP, "held");
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ARP_HOLD_SENT), 1);
	arp_in(ARP_OP_REPLY, H.peer_mac, H_PEER_IP, H_OUR_IP); /* again: nothing */
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ARP_HOLD_SENT), 1);
}

/* Slots in device memory (written by mem_write, sent by tx_copy_from_mem).
 * The fake's 3 KB all go to the two send rings here (net_init then keeps
 * the slots in RAM), so the test gives the slots the top of the second
 * ring, unused: no connection is open. */
START_TEST(test_arp_pending_udp_held_sent_once_on_reply)
{
	ck_assert_uint_eq(H.st.hold_base, 0);
	H.st.hold_base = (uint16_t)(FAKE_MEM_SIZE - NET_ARP_ENTRIES * NET_ARP_HOLD);
	held_sent_once();
}
END_TEST

/* Without device memory the slot is in RAM: same behaviour. */
START_TEST(test_arp_pending_udp_held_in_ram_sent_once_on_reply)
{
	ck_assert(!H.st.use_devmem);
	held_sent_once();
}
END_TEST

/* A second datagram replaces the first (counted); only it goes out. Via
 * the gateway: the held frame keeps its off-subnet IPv4 destination. */
START_TEST(test_arp_pending_second_frame_replaces_first)
{
	struct eth_repr e;
	struct arp_repr a;
	const uint8_t gw_mac[6] = {0x02, 0, 0, 0, 0, 0x01};

	ck_assert_int_eq(udp_sendto(&H.st, 7, 0x0A000005u, 9, "first", 5), 0);
	pop_arp(&e, &a);
	ck_assert_uint_eq(a.tpa, H_GW_IP);
	ck_assert_int_eq(udp_sendto(&H.st, 7, 0x0A000006u, 9, "second", 6), 0);
	OUT_NOTHING(); /* request already in flight */
	ck_assert_uint_eq(STAT(ARP_HOLD_REPLACED), 1);
	arp_in(ARP_OP_REPLY, gw_mac, H_GW_IP, H_OUR_IP);
	expect_udp(gw_mac, 0x0A000006u, "second");
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ARP_HOLD_SENT), 1);
}
END_TEST

/* No reply after ARP_MAX_TRIES requests: the entry and its held frame go
 * (counted); a late reply sends nothing. */
START_TEST(test_arp_pending_expiry_drops_held_frame)
{
	struct eth_repr e;
	struct arp_repr a;
	int i;

	ck_assert_int_eq(udp_sendto(&H.st, 7, OTHER_IP, 9, "lost", 4), 0);
	pop_arp(&e, &a);
	for (i = 0; i < 2; i++) {
		h_advance(NET_S(1));
		pop_arp(&e, &a);
	}
	ck_assert_uint_eq(STAT(ARP_HOLD_EXPIRED), 0);
	h_advance(NET_S(1));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ARP_HOLD_EXPIRED), 1);
	arp_in(ARP_OP_REPLY, other_mac, OTHER_IP, H_OUR_IP);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ARP_HOLD_SENT), 0);
}
END_TEST

/* A frame bigger than its slot is not held: dropped and counted. */
START_TEST(test_arp_pending_frame_too_big_dropped)
{
	static uint8_t big[NET_ARP_HOLD];

	arp_flush(&H.st);
	ck_assert_int_lt(udp_sendto(&H.st, 7, H_PEER_IP, 9, big, sizeof(big)), 0);
	ck_assert_uint_eq(STAT(ARP_PENDING_DROP), 1);
	h_pop_frame(big); /* the request */
	OUT_NOTHING();
}
END_TEST

START_TEST(test_arp_gratuitous_on_link_up)
{
	struct eth_repr e;
	struct arp_repr a;

	H.dev.link = false;
	h_poll();
	OUT_NOTHING();
	H.dev.link = true;
	h_poll();
	pop_arp(&e, &a);
	ck_assert_mem_eq(e.dst, bcast, 6);
	ck_assert_uint_eq(a.op, ARP_OP_REQUEST);
	ck_assert_uint_eq(a.spa, H_OUR_IP);
	ck_assert_uint_eq(a.tpa, H_OUR_IP);
	ck_assert_uint_eq(STAT(ARP_GRATUITOUS), 2);
}
END_TEST

/* ---------- IPv4 ---------- */

static uint16_t syn_segment(uint8_t *seg, uint32_t dst)
{
	struct tcp_repr r;

	memset(&r, 0, sizeof(r));
	r.src_port = H_CLIENT_PORT;
	r.dst_port = H_SERVER_PORT;
	r.seq = H.peer_iss;
	r.flags = TCP_SYN;
	r.window = 64240;
	tcp_emit(&r, seg, 20);
	tcp_checksum(seg, 20, H_PEER_IP, dst);
	return 20;
}

/* The datagram length is the IPv4 total length: the 54-byte SYN arrives
 * padded to 60 (as in the seed) plus trailing junk, and still verifies. */
START_TEST(test_ip_padded_frame_uses_total_length)
{
	uint8_t seg[20], f[100];
	uint16_t n;

	h_listen();
	n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn_segment(seg, H_OUR_IP));
	memset(f + n, 0xEE, 12);
	fake_inject_raw(&H.dev, f, (uint16_t)(n + 12));
	h_poll();
	OUT(TCP_SYN | TCP_ACK, 0, 1);
}
END_TEST

START_TEST(test_ip_options_skipped)
{
	uint8_t seg[20], f[100], l4[20];
	uint16_t n;

	h_listen();
	syn_segment(seg, H_OUR_IP);
	n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, 20);
	/* rebuild with IHL 6: one word of NOP options */
	memcpy(l4, f + ETH_HDR_LEN + 20, 20);
	memset(f + ETH_HDR_LEN + 20, 0x01 /* IP option NOP */, 4);
	memcpy(f + ETH_HDR_LEN + 24, l4, 20);
	f[ETH_HDR_LEN] = 0x46;
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_LEN, 44);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, 0);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, wire_checksum(f + ETH_HDR_LEN, 24));
	h_inject(f, (uint16_t)(n + 4));
	OUT(TCP_SYN | TCP_ACK, 0, 1);
}
END_TEST

START_TEST(test_ip_bad_header_dropped_and_counted)
{
	uint8_t seg[20], f[100];
	uint16_t n;

	h_listen();
	n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn_segment(seg, H_OUR_IP));
	f[ETH_HDR_LEN + IPV4_OFF_CSUM] ^= 0x40; /* header checksum */
	h_inject(f, n);
	f[ETH_HDR_LEN + IPV4_OFF_CSUM] ^= 0x40;
	f[ETH_HDR_LEN] = 0x65; /* version 6 */
	h_inject(f, n);
	f[ETH_HDR_LEN] = 0x44; /* IHL 4 */
	h_inject(f, n);
	f[ETH_HDR_LEN] = 0x45;
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_LEN, 200); /* longer than the frame */
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, 0);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, wire_checksum(f + ETH_HDR_LEN, 20));
	h_inject(f, n);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(IP_CHECKSUM), 1);
	ck_assert_uint_eq(STAT(IP_BAD_VERSION), 1);
	ck_assert_uint_eq(STAT(IP_BAD_IHL), 1);
	ck_assert_uint_eq(STAT(IP_BAD_LENGTH), 1);
}
END_TEST

START_TEST(test_ip_fragments_dropped_and_counted)
{
	uint8_t seg[20], f[100];
	uint16_t n;

	h_listen();
	n = h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, syn_segment(seg, H_OUR_IP));
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_FRAG, IPV4_FLAG_MF);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, 0);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, wire_checksum(f + ETH_HDR_LEN, 20));
	h_inject(f, n);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_FRAG, 10);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, 0);
	wire_put16(f + ETH_HDR_LEN + IPV4_OFF_CSUM, wire_checksum(f + ETH_HDR_LEN, 20));
	h_inject(f, n);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(IP_FRAGMENT), 2);
}
END_TEST

START_TEST(test_ip_not_for_us_dropped)
{
	uint8_t seg[20], f[100];

	h_listen();
	syn_segment(seg, 0xC0A80163u);
	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, 0xC0A80163u, IPV4_PROTO_TCP, seg, 20));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(IP_NOT_US), 1);
}
END_TEST

START_TEST(test_ip_unknown_proto_unreachable)
{
	uint8_t f[100], l4[100], dst[6];
	static const uint8_t body[12] = "0123456789a";
	struct ipv4_repr ip;
	struct icmp_repr m;
	uint16_t n;

	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, 99, body, sizeof(body)));
	n = pop_ip(&ip, l4, dst);
	ck_assert_mem_eq(dst, H.peer_mac, 6);
	ck_assert_uint_eq(ip.proto, IPV4_PROTO_ICMP);
	ck_assert_uint_eq(ip.dst, H_PEER_IP);
	ck_assert_int_eq(icmp_parse(l4, n, &m), WIRE_OK);
	ck_assert_uint_eq(m.type, ICMP_DEST_UNREACH);
	ck_assert_uint_eq(m.code, ICMP_UNREACH_PROTO);
	ck_assert_uint_eq(m.data_len, 20 + 8); /* IP header + 8 bytes */
	ck_assert_mem_eq(m.data, f + ETH_HDR_LEN, 28);
	ck_assert_uint_eq(STAT(IP_PROTO), 1);
	/* MUST-57: not for a broadcast datagram */
	h_inject(f, h_build_ip(f, bcast, H_PEER_IP, H_OUR_IP, 99, body, sizeof(body)));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ICMP_ERR_SUPPRESSED), 1);
}
END_TEST

/* ---------- ICMP ---------- */

static uint16_t echo_request(uint8_t *m, uint16_t len)
{
	uint8_t data[200];
	struct icmp_repr r;
	uint16_t i;

	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(i + 3);
	r.type = ICMP_ECHO_REQUEST;
	r.code = 0;
	r.ident = 0xBEEF;
	r.seq = 7;
	r.data = data;
	r.data_len = len;
	return (uint16_t)icmp_emit(&r, m, 300);
}

START_TEST(test_icmp_echo_reply)
{
	uint8_t m[300], f[400], l4[400];
	struct ipv4_repr ip;
	struct icmp_repr q, p;
	uint16_t n = echo_request(m, 157), k;

	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_ICMP, m, n));
	k = pop_ip(&ip, l4, NULL);
	ck_assert_uint_eq(k, n);
	ck_assert_uint_eq(ip.src, H_OUR_IP);
	ck_assert_uint_eq(ip.dst, H_PEER_IP);
	ck_assert_int_eq(icmp_parse(l4, k, &p), WIRE_OK); /* checksum verifies */
	ck_assert_int_eq(icmp_parse(m, n, &q), WIRE_OK);
	ck_assert_uint_eq(p.type, ICMP_ECHO_REPLY);
	ck_assert_uint_eq(p.ident, 0xBEEF);
	ck_assert_uint_eq(p.seq, 7);
	ck_assert_uint_eq(p.data_len, 157);
	ck_assert_mem_eq(p.data, q.data, 157);
	ck_assert_uint_eq(STAT(ICMP_ECHO_REPLIES), 1);
}
END_TEST

START_TEST(test_icmp_echo_to_broadcast_not_answered)
{
	uint8_t m[300], f[400];
	uint16_t n = echo_request(m, 8);

	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, 0xFFFFFFFFu, IPV4_PROTO_ICMP, m, n));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ICMP_BCAST), 1);
}
END_TEST

START_TEST(test_icmp_bad_checksum_dropped)
{
	uint8_t m[300], f[400];
	uint16_t n = echo_request(m, 8);

	m[10] ^= 1;
	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_ICMP, m, n));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(ICMP_MALFORMED), 1);
}
END_TEST

/* ---------- UDP ---------- */

static void echo_cb(struct net_stack *s, const struct udp_dgram *d, void *ctx)
{
	uint8_t buf[64];
	uint16_t n = udp_recv(s, buf, sizeof(buf));

	(void)ctx;
	udp_sendto(s, d->dst_port, d->src_ip, d->src_port, buf, n);
}

static uint16_t udp_dgram(uint8_t *u, uint16_t dport, uint32_t dst, const char *data, uint16_t len)
{
	struct udp_repr r;

	r.src_port = 40000;
	r.dst_port = dport;
	r.len = (uint16_t)(UDP_HDR_LEN + len);
	r.checksum = 0;
	memcpy(u + UDP_HDR_LEN, data, len);
	udp_emit(&r, u, 200, H_PEER_IP, dst);
	return r.len;
}

START_TEST(test_udp_echo)
{
	uint8_t u[200], f[300], l4[300];
	struct ipv4_repr ip;
	struct udp_repr r;
	uint16_t n;

	ck_assert_int_eq(udp_bind(&H.st, 7, echo_cb, NULL), 0);
	n = udp_dgram(u, 7, H_OUR_IP, "echo me", 7);
	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_UDP, u, n));
	n = pop_ip(&ip, l4, NULL);
	ck_assert_uint_eq(ip.proto, IPV4_PROTO_UDP);
	ck_assert_int_eq(udp_verify(l4, n, ip.src, ip.dst), WIRE_OK);
	ck_assert_int_eq(udp_parse(l4, n, &r), WIRE_OK);
	ck_assert_uint_eq(r.src_port, 7);
	ck_assert_uint_eq(r.dst_port, 40000);
	ck_assert_uint_eq(r.len, UDP_HDR_LEN + 7);
	ck_assert_mem_eq(l4 + UDP_HDR_LEN, "echo me", 7);
	ck_assert_uint_eq(STAT(UDP_DELIVERED), 1);
}
END_TEST

START_TEST(test_udp_closed_port_unreachable)
{
	uint8_t u[200], f[300], l4[300];
	struct ipv4_repr ip;
	struct icmp_repr m;
	uint16_t n;

	n = udp_dgram(u, 9, H_OUR_IP, "nobody", 6);
	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_UDP, u, n));
	n = pop_ip(&ip, l4, NULL);
	ck_assert_int_eq(icmp_parse(l4, n, &m), WIRE_OK);
	ck_assert_uint_eq(m.type, ICMP_DEST_UNREACH);
	ck_assert_uint_eq(m.code, ICMP_UNREACH_PORT);
	ck_assert_mem_eq(m.data, f + ETH_HDR_LEN, 28);
	/* to the subnet broadcast address: silence (MUST-57) */
	n = udp_dgram(u, 9, 0xC0A801FFu, "nobody", 6);
	h_inject(f, h_build_ip(f, bcast, H_PEER_IP, 0xC0A801FFu, IPV4_PROTO_UDP, u, n));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(UDP_NO_PORT), 2);
}
END_TEST

START_TEST(test_udp_bad_checksum_dropped)
{
	uint8_t u[200], f[300];
	uint16_t n;

	udp_bind(&H.st, 7, echo_cb, NULL);
	n = udp_dgram(u, 7, H_OUR_IP, "echo me", 7);
	u[UDP_HDR_LEN] ^= 1;
	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, H_OUR_IP, IPV4_PROTO_UDP, u, n));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(UDP_CHECKSUM), 1);
}
END_TEST

#if NET_HW_CSUM
/* A device-computed partial sum (netdev rx_csum / mem_csum: as if the run
 * started on an even byte) joins a running checksum at any byte position:
 * a buffer cut into runs of odd and even lengths, some summed in software
 * and some as partials, gives the one-shot checksum. */
START_TEST(test_csum_partial_sums_at_odd_offsets)
{
	static const uint16_t cuts[] = {1, 3, 2, 64, 65, 7, 100, 33, 0};
	uint8_t buf[400];
	struct wire_csum c;
	uint16_t i, off = 0;
	unsigned k;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37u + 11u);
	wire_csum_init(&c);
	for (k = 0; off < sizeof(buf); k++) {
		uint16_t n = cuts[k % (sizeof(cuts) / sizeof(cuts[0]))];
		uint32_t sum = 0;

		if (n == 0 || n > sizeof(buf) - off)
			n = (uint16_t)(sizeof(buf) - off);
		if (k & 1u) {
			wire_csum_add(&c, buf + off, n);
		} else {
			for (i = 0; i + 1u < n; i += 2u)
				sum += (uint32_t)((buf[off + i] << 8) | buf[off + i + 1u]);
			if (n & 1u)
				sum += (uint32_t)buf[off + n - 1u] << 8;
			while (sum >> 16)
				sum = (sum & 0xFFFFu) + (sum >> 16);
			net_csum_add_partial(&c, (uint16_t)sum, n);
		}
		off = (uint16_t)(off + n);
	}
	ck_assert_uint_eq(wire_csum_fold(&c), wire_checksum(buf, sizeof(buf)));
}
END_TEST
#endif

int main(void)
{
	Suite *s = suite_create("stack_ip");
	TCase *t = tcase_create("ip");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, h_setup, h_teardown);
	tcase_add_test(t, test_arp_request_for_us_answered);
	tcase_add_test(t, test_arp_request_for_other_ignored);
	tcase_add_test(t, test_arp_pending_connect_sends_syn_on_reply);
	tcase_add_test(t, test_arp_entry_ages_out);
	tcase_add_test(t, test_arp_pending_retries_then_gives_up);
	tcase_add_test(t, test_arp_off_subnet_resolves_gateway);
	tcase_add_test(t, test_arp_pending_udp_held_sent_once_on_reply);
	tcase_add_test(t, test_arp_pending_second_frame_replaces_first);
	tcase_add_test(t, test_arp_pending_expiry_drops_held_frame);
	tcase_add_test(t, test_arp_pending_frame_too_big_dropped);
	tcase_add_test(t, test_arp_gratuitous_on_link_up);
	tcase_add_test(t, test_ip_padded_frame_uses_total_length);
	tcase_add_test(t, test_ip_options_skipped);
	tcase_add_test(t, test_ip_bad_header_dropped_and_counted);
	tcase_add_test(t, test_ip_fragments_dropped_and_counted);
	tcase_add_test(t, test_ip_not_for_us_dropped);
	tcase_add_test(t, test_ip_unknown_proto_unreachable);
	tcase_add_test(t, test_icmp_echo_reply);
	tcase_add_test(t, test_icmp_echo_to_broadcast_not_answered);
	tcase_add_test(t, test_icmp_bad_checksum_dropped);
	tcase_add_test(t, test_udp_echo);
	tcase_add_test(t, test_udp_closed_port_unreachable);
	tcase_add_test(t, test_udp_bad_checksum_dropped);
#if NET_HW_CSUM
	tcase_add_test(t, test_csum_partial_sums_at_odd_offsets);
#endif
	suite_add_tcase(s, t);
	t = tcase_create("ip_nomem");
	tcase_add_checked_fixture(t, h_setup_nomem, h_teardown);
	tcase_add_test(t, test_arp_pending_udp_held_in_ram_sent_once_on_reply);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
