/*
 * test_dut_tap.c - the tap DUT adapter against the real Linux kernel in a
 * private network namespace: open/close hygiene, the passive open, the
 * seed's client-side RST (a SYN-ACK acknowledging 0 to a connecting
 * socket), RSTs to a closed port, an RFC 5961 challenge ACK, sockopts,
 * sysctls, counters and the capture.
 *
 * Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) and /dev/net/tun. Without them
 * the binary prints why and exits 77, which CTest reports as skipped
 * (SKIP_RETURN_CODE 77 in tests/CMakeLists.txt).
 */
#define _GNU_SOURCE

#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dut_tap.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define PEER_IP 0xc0000201u  /* 192.0.2.1, packetdrill's remote address */
#define DUT_IP 0xc0a80001u   /* 192.168.0.1 */
#define DUT_PORT 8080u
#define PEER_PORT 40000u
#define MS 1000000ull

struct seg {
	struct ipv4_repr ip;
	struct tcp_repr tcp;
	size_t payload;
};

static struct dut_config test_cfg(void)
{
	struct dut_config c;
	memset(&c, 0, sizeof c);
	c.dut_ip = DUT_IP;
	c.peer_ip = PEER_IP;
	c.dut_port = DUT_PORT;
	c.peer_port = PEER_PORT;
	c.profile = DUT_PROFILE_RFC5961;
	return c;
}

static void open_dut(struct dut *d, const struct dut_config *cfg)
{
	char err[DUT_ERR_LEN] = "";
	d->ops = &dut_tap_ops;
	int rc = d->ops->open(d, cfg, err);
	ck_assert_msg(rc == 0, "open: %s", err);
}

/* Inject a TCP segment from `src`, with an MSS option on SYNs. */
static void inject_from(struct dut *d, uint32_t src, uint16_t sport, uint16_t dport, uint32_t seq,
			uint32_t ack, uint8_t flags, size_t payload)
{
	uint8_t pkt[DUT_MAX_PKT];
	memset(pkt, 0, sizeof pkt);
	struct tcp_repr t;
	memset(&t, 0, sizeof t);
	t.src_port = sport;
	t.dst_port = dport;
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.window = 65535;
	if (flags & TCP_SYN) {
		t.opt.present = TCP_OPTF_MSS;
		t.opt.mss = 1460;
	}
	int hl = tcp_emit(&t, pkt + IPV4_HDR_MIN, sizeof pkt - IPV4_HDR_MIN);
	ck_assert_int_gt(hl, 0);
	size_t l4 = (size_t)hl + payload;
	tcp_checksum(pkt + IPV4_HDR_MIN, l4, src, DUT_IP);
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = src;
	ip.dst = DUT_IP;
	ip.proto = IPV4_PROTO_TCP;
	ip.ttl = 64;
	ip.total_len = (uint16_t)(IPV4_HDR_MIN + l4);
	ck_assert_int_eq(ipv4_emit(&ip, pkt, sizeof pkt), (int)IPV4_HDR_MIN);
	ck_assert_int_eq(d->ops->inject(d, pkt, ip.total_len), 0);
}

static void inject(struct dut *d, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		   uint8_t flags, size_t payload)
{
	inject_from(d, PEER_IP, sport, dport, seq, ack, flags, payload);
}

/* The next TCP segment Linux sends within `wait` ns: 1, or 0 if none. */
static int next_seg(struct dut *d, uint64_t wait, struct seg *s)
{
	static struct dut_packet p;
	uint64_t until = d->ops->now(d) + wait;
	for (;;) {
		int rc = d->ops->advance(d, until, &p);
		ck_assert_int_ge(rc, 0);
		if (rc == 0)
			return 0;
		if (ipv4_parse(p.data, p.len, &s->ip) != WIRE_OK || s->ip.proto != IPV4_PROTO_TCP)
			continue;
		size_t l4 = s->ip.total_len - s->ip.hdr_len;
		ck_assert_int_eq(tcp_parse(p.data + s->ip.hdr_len, l4, &s->tcp), WIRE_OK);
		ck_assert_int_eq(tcp_verify(p.data + s->ip.hdr_len, l4, s->ip.src, s->ip.dst), 0);
		s->payload = l4 - s->tcp.hdr_len;
		fprintf(stderr, "  linux > %u:%u %s%s%s%s%s seq %u ack %u win %u len %zu\n",
			s->tcp.src_port, s->tcp.dst_port, s->tcp.flags & TCP_SYN ? "S" : "",
			s->tcp.flags & TCP_FIN ? "F" : "", s->tcp.flags & TCP_RST ? "R" : "",
			s->tcp.flags & TCP_PSH ? "P" : "", s->tcp.flags & TCP_ACK ? "." : "",
			s->tcp.seq, s->tcp.ack, s->tcp.window, s->payload);
		return 1;
	}
}

static enum dut_app_event wait_event(struct dut *d, uint64_t wait)
{
	static struct dut_packet p;
	uint64_t until = d->ops->now(d) + wait;
	for (;;) {
		enum dut_app_event ev = d->ops->app_event(d);
		if (ev != DUT_EV_NONE || d->ops->now(d) >= until)
			return ev;
		(void)d->ops->advance(d, d->ops->now(d) + MS, &p);
	}
}

static const char *state(struct dut *d)
{
	const char *name = "?";
	ck_assert_int_eq(d->ops->tcp_state(d, &name), 0);
	return name;
}

static void app(struct dut *d, enum dut_app_kind kind, uint32_t n)
{
	struct dut_app_cmd c;
	memset(&c, 0, sizeof c);
	c.kind = kind;
	c.n = n;
	c.conn = -1;
	c.port = kind == DUT_APP_LISTEN ? DUT_PORT : 0;
	char err[DUT_ERR_LEN] = "";
	int rc = d->ops->app(d, &c, err);
	ck_assert_msg(rc >= 0, "app %d: %s", (int)kind, err);
}

static int count_fds(void)
{
	int n = 0;
	DIR *dir = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(dir);
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

static ino_t netns_inode(void)
{
	struct stat st;
	ck_assert_int_eq(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

/* Passive open up to ESTABLISHED; returns the DUT's ISS. */
static uint32_t establish_passive(struct dut *d)
{
	struct seg s;
	app(d, DUT_APP_LISTEN, 0);
	ck_assert_str_eq(state(d), "LISTEN");
	inject(d, PEER_PORT, DUT_PORT, 0, 0, TCP_SYN, 0);
	ck_assert_int_eq(next_seg(d, 500 * MS, &s), 1);
	ck_assert_uint_eq(s.tcp.flags, TCP_SYN | TCP_ACK);
	uint32_t iss = s.tcp.seq;
	inject(d, PEER_PORT, DUT_PORT, 1, iss + 1, TCP_ACK, 0);
	ck_assert_int_eq(wait_event(d, 500 * MS), DUT_EV_ACCEPTED);
	return iss;
}

START_TEST(test_open_close_leaves_no_namespace_or_device)
{
	ino_t ns = netns_inode();
	int fds = count_fds();
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	ck_assert_uint_eq(netns_inode(), ns);       /* the thread came back */
	ck_assert_uint_eq(if_nametoindex("synack0"), 0); /* device is elsewhere */
	ck_assert_uint_gt(d.ops->now(&d), 0);
	ck_assert(!d.ops->virtual_time);
	app(&d, DUT_APP_LISTEN, 0);
	ck_assert_str_eq(state(&d), "LISTEN");
	struct dut_app_cmd c = {.kind = DUT_APP_CLOSE, .conn = DUT_CONN_LISTENER, .port = DUT_PORT};
	char err[DUT_ERR_LEN] = "";
	ck_assert_int_eq(d.ops->app(&d, &c, err), 0);
	ck_assert_str_eq(state(&d), "CLOSED");
	app(&d, DUT_APP_LISTEN, 0);
	d.ops->close(&d);
	/* Every fd that held the namespace (ns, TAP, sockets) is gone, so the
	 * kernel destroys it and the TAP device with it. */
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_uint_eq(netns_inode(), ns);
	ck_assert_uint_eq(if_nametoindex("synack0"), 0);
	ck_assert_ptr_null(d.priv);
}
END_TEST

START_TEST(test_open_refuses_profile_without_rfc5961)
{
	struct dut d = {&dut_tap_ops, NULL};
	struct dut_config cfg = test_cfg();
	cfg.profile = 0;
	char err[DUT_ERR_LEN] = "";
	ck_assert_int_lt(d.ops->open(&d, &cfg, err), 0);
	ck_assert_ptr_nonnull(strstr(err, "RFC 5961"));
	ck_assert(dut_tap_ops.profiles_fixed & DUT_PROFILE_RFC5961);
	ck_assert(dut_tap_ops.profiles_supported & DUT_PROFILE_RFC1337);
}
END_TEST

/* The seed's server side done right: the SYN-ACK acknowledges IRS+1. */
START_TEST(test_listen_syn_synack_acks_irs_plus_one)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	struct seg s;
	app(&d, DUT_APP_LISTEN, 0);
	inject(&d, PEER_PORT, DUT_PORT, 1000, 0, TCP_SYN, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &s), 1);
	ck_assert_uint_eq(s.ip.src, DUT_IP);
	ck_assert_uint_eq(s.ip.dst, PEER_IP);
	ck_assert_uint_eq(s.tcp.src_port, DUT_PORT);
	ck_assert_uint_eq(s.tcp.dst_port, PEER_PORT);
	ck_assert_uint_eq(s.tcp.flags, TCP_SYN | TCP_ACK);
	ck_assert_uint_eq(s.tcp.ack, 1001);
	ck_assert(s.tcp.opt.present & TCP_OPTF_MSS);
	ck_assert_str_eq(state(&d), "SYN-RECEIVED");
	ck_assert_int_eq(d.ops->app_event(&d), DUT_EV_NONE);
	inject(&d, PEER_PORT, DUT_PORT, 1001, s.tcp.seq + 1, TCP_ACK, 0);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_ACCEPTED);
	ck_assert_str_eq(state(&d), "ESTABLISHED");

	/* Data both ways, then the peer's FIN. */
	inject(&d, PEER_PORT, DUT_PORT, 1001, s.tcp.seq + 1, TCP_ACK | TCP_PSH, 10);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_DATA);
	app(&d, DUT_APP_RECV, 100);
	app(&d, DUT_APP_SEND, 5);
	struct seg r;
	do
		ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	while (r.payload == 0);
	ck_assert_uint_eq(r.payload, 5);
	ck_assert_uint_eq(r.tcp.ack, 1011);
	inject(&d, PEER_PORT, DUT_PORT, 1011, s.tcp.seq + 6, TCP_ACK | TCP_FIN, 0);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_EOF);
	ck_assert_str_eq(state(&d), "CLOSE-WAIT");
	app(&d, DUT_APP_CLOSE, 0);
	do
		ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	while (!(r.tcp.flags & TCP_FIN));
	ck_assert_str_eq(state(&d), "LAST-ACK");
	inject(&d, PEER_PORT, DUT_PORT, 1012, r.tcp.seq + 1, TCP_ACK, 0);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_CLOSED);
	ck_assert_str_eq(state(&d), "LISTEN");
	d.ops->close(&d);
}
END_TEST

/* The seed's client side, with the real kernel: a SYN-ACK that acks 0 is
 * unacceptable in SYN-SENT (RFC 9293 §3.10.7.3), so Linux answers
 * <SEQ=SEG.ACK><CTL=RST> - seq 0, no ACK - and stays in SYN-SENT. */
START_TEST(test_syn_sent_synack_ack_zero_gets_rst_seq_zero)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	struct seg s, r;
	app(&d, DUT_APP_CONNECT, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &s), 1);
	ck_assert_uint_eq(s.tcp.flags, TCP_SYN);
	ck_assert_uint_eq(s.tcp.dst_port, PEER_PORT);
	ck_assert_uint_eq(s.tcp.src_port, DUT_PORT);
	ck_assert_str_eq(state(&d), "SYN-SENT");
	ck_assert_uint_ne(s.tcp.seq + 1, 0); /* else ack 0 would be acceptable */
	inject(&d, PEER_PORT, s.tcp.src_port, 0x12345678u, 0, TCP_SYN | TCP_ACK, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags, TCP_RST);
	ck_assert_uint_eq(r.tcp.seq, 0);
	ck_assert_uint_eq(r.tcp.ack, 0);
	ck_assert_str_eq(state(&d), "SYN-SENT");
	ck_assert_int_eq(d.ops->app_event(&d), DUT_EV_NONE);

	/* A proper SYN-ACK now completes the handshake. */
	inject(&d, PEER_PORT, s.tcp.src_port, 0x12345678u, s.tcp.seq + 1, TCP_SYN | TCP_ACK, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags, TCP_ACK);
	ck_assert_uint_eq(r.tcp.ack, 0x12345679u);
	ck_assert_int_eq(wait_event(&d, 200 * MS), DUT_EV_CONNECTED);
	ck_assert_str_eq(state(&d), "ESTABLISHED");
	d.ops->close(&d);
}
END_TEST

static int recv_rc(struct dut *d)
{
	struct dut_app_cmd c = {.kind = DUT_APP_RECV, .n = 100, .conn = -1};
	char err[DUT_ERR_LEN] = "";
	return d->ops->app(d, &c, err);
}

/* The socket's error is the kernel's: the adapter recognises the reset
 * without reading SO_ERROR, so the application's getsockopt gets what
 * Linux set, EPIPE for a RST in CLOSE-WAIT, once. */
START_TEST(test_rst_in_close_wait_leaves_the_kernel_epipe)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	uint32_t iss = establish_passive(&d);
	struct seg r;
	ck_assert_int_eq(recv_rc(&d), -EAGAIN);
	inject(&d, PEER_PORT, DUT_PORT, 1, iss + 1, TCP_ACK | TCP_FIN, 0);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_EOF);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1); /* the ACK of the FIN */
	ck_assert_int_eq(recv_rc(&d), 0);
	inject(&d, PEER_PORT, DUT_PORT, 2, 0, TCP_RST, 0);
	ck_assert_int_eq(d.ops->app_event(&d), DUT_EV_RESET); /* seen at the injection */
	ck_assert_int_eq(d.ops->so_error(&d, -1), EPIPE);
	ck_assert_int_eq(d.ops->so_error(&d, -1), 0);
	ck_assert_int_eq(recv_rc(&d), 0);
	d.ops->close(&d);
}
END_TEST

static int app_rc(struct dut *d, enum dut_app_kind kind)
{
	struct dut_app_cmd c = {.kind = kind, .conn = -1};
	char err[DUT_ERR_LEN] = "";
	return d->ops->app(d, &c, err);
}

/* ABORT after CLOSE reaches the connection the kernel still runs (the
 * application's descriptor is gone): RST <SEQ=SND.NXT>, as RFC 9293
 * §3.10.5 says for FIN-WAIT-1 and as the sim DUT does. */
START_TEST(test_abort_after_close_resets_fin_wait_1)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	uint32_t iss = establish_passive(&d);
	struct seg r;
	app(&d, DUT_APP_CLOSE, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags, TCP_FIN | TCP_ACK);
	ck_assert_str_eq(state(&d), "FIN-WAIT-1");
	ck_assert_int_eq(app_rc(&d, DUT_APP_ABORT), 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags & TCP_RST, TCP_RST);
	ck_assert_uint_eq(r.tcp.seq, iss + 2);
	ck_assert_str_eq(state(&d), "LISTEN");
	ck_assert_int_eq(app_rc(&d, DUT_APP_ABORT), -ENOTCONN);
	d.ops->close(&d);
}
END_TEST

/* Both FINs through: the application is told CLOSED when the kernel
 * moves the connection to TIME-WAIT (as the sim DUT's stack does), not
 * when TIME-WAIT ends, and ABORT then says the connection does not exist. */
START_TEST(test_closed_when_time_wait_starts)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	uint32_t iss = establish_passive(&d);
	struct seg r;
	app(&d, DUT_APP_CLOSE, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	inject(&d, PEER_PORT, DUT_PORT, 1, iss + 2, TCP_ACK | TCP_FIN, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.ack, 2);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_CLOSED);
	ck_assert_str_eq(state(&d), "TIME-WAIT");
	ck_assert_int_eq(app_rc(&d, DUT_APP_ABORT), -ENOTCONN);
	ck_assert_str_eq(state(&d), "TIME-WAIT");
	d.ops->close(&d);
}
END_TEST

/* Linux's urgent signal (SIGURG to the socket's owner) is the adapter's
 * URGENT event, as soon as the pointer arrives. */
START_TEST(test_urgent_pointer_is_an_event)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	uint32_t iss = establish_passive(&d);
	struct seg r;
	uint8_t pkt[DUT_MAX_PKT];
	memset(pkt, 0, sizeof pkt);
	struct tcp_repr t;
	memset(&t, 0, sizeof t);
	t.src_port = PEER_PORT;
	t.dst_port = DUT_PORT;
	t.seq = 1;
	t.ack = iss + 1;
	t.flags = TCP_ACK | TCP_URG | TCP_PSH;
	t.window = 65535;
	t.urg = 5;
	int hl = tcp_emit(&t, pkt + IPV4_HDR_MIN, sizeof pkt - IPV4_HDR_MIN);
	size_t l4 = (size_t)hl + 10;
	tcp_checksum(pkt + IPV4_HDR_MIN, l4, PEER_IP, DUT_IP);
	struct ipv4_repr ip = {.src = PEER_IP, .dst = DUT_IP, .proto = IPV4_PROTO_TCP, .ttl = 64,
			       .total_len = (uint16_t)(IPV4_HDR_MIN + l4)};
	ck_assert_int_eq(ipv4_emit(&ip, pkt, sizeof pkt), (int)IPV4_HDR_MIN);
	ck_assert_int_eq(d.ops->inject(&d, pkt, ip.total_len), 0);
	enum dut_app_event ev;
	do
		ev = wait_event(&d, 500 * MS);
	while (ev == DUT_EV_DATA);
	ck_assert_int_eq(ev, DUT_EV_URGENT);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	d.ops->close(&d);
}
END_TEST

START_TEST(test_syn_sent_rst_ack_is_refused)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	struct seg s;
	app(&d, DUT_APP_CONNECT, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &s), 1);
	inject(&d, PEER_PORT, s.tcp.src_port, 0, s.tcp.seq + 1, TCP_RST | TCP_ACK, 0);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_REFUSED);
	ck_assert_str_eq(state(&d), "CLOSED");
	d.ops->close(&d);
}
END_TEST

/* RFC 9293 §3.10.7.1: to a closed port, a segment without ACK gets
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, one with ACK <SEQ=SEG.ACK><CTL=RST>. */
START_TEST(test_closed_port_rst_formulas)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	struct seg r;
	inject(&d, PEER_PORT, 9, 100, 0, TCP_SYN, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags, TCP_RST | TCP_ACK);
	ck_assert_uint_eq(r.tcp.seq, 0);
	ck_assert_uint_eq(r.tcp.ack, 101);
	ck_assert_uint_eq(r.tcp.src_port, 9);

	inject(&d, PEER_PORT, 9, 5, 1000, TCP_ACK, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags, TCP_RST);
	ck_assert_uint_eq(r.tcp.seq, 1000);

	/* A RST to a closed port is never answered. */
	inject(&d, PEER_PORT, 9, 5, 0, TCP_RST, 0);
	ck_assert_int_eq(next_seg(&d, 100 * MS, &r), 0);
	uint64_t v = 0;
	ck_assert_int_eq(d.ops->counter(&d, "Tcp.OutRsts", &v), 0);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(d.ops->counter(&d, "tap.frames_in", &v), 0);
	ck_assert_uint_eq(v, 3);
	d.ops->close(&d);
}
END_TEST

/* RFC 5961 §3.2: an in-window RST that is not exactly RCV.NXT gets a
 * challenge ACK and the connection survives. */
START_TEST(test_established_inwindow_rst_gets_challenge_ack)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	uint32_t iss = establish_passive(&d);
	struct seg r;
	inject(&d, PEER_PORT, DUT_PORT, 1 + 100, 0, TCP_RST, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags, TCP_ACK);
	ck_assert_uint_eq(r.tcp.seq, iss + 1);
	ck_assert_uint_eq(r.tcp.ack, 1);
	ck_assert_str_eq(state(&d), "ESTABLISHED");
	uint64_t v = 0;
	ck_assert_int_eq(d.ops->counter(&d, "TCPChallengeACK", &v), 0);
	ck_assert_uint_eq(v, 1);
	/* The exact RST resets it. */
	inject(&d, PEER_PORT, DUT_PORT, 1, 0, TCP_RST, 0);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_RESET);
	d.ops->close(&d);
}
END_TEST

START_TEST(test_sockopt_sysctl_and_abort)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	cfg.profile = DUT_PROFILE_RFC5961 | DUT_PROFILE_RFC1337;
	open_dut(&d, &cfg);
	char err[DUT_ERR_LEN] = "";
	/* Before any socket: kept for the next one. */
	struct dut_sockopt o = {-1, "TCP_MAXSEG", true, 536};
	ck_assert_int_eq(d.ops->sockopt(&d, &o, err), 0);
	ck_assert_int_eq(d.ops->sysctl(&d, "net.ipv4.tcp_timestamps", "0", err), 0);
	ck_assert_int_eq(d.ops->sysctl(&d, "kernel.hostname", "x", err), -EPERM);
	o = (struct dut_sockopt){-1, "NO_SUCH_OPT", true, 1};
	ck_assert_int_eq(d.ops->sockopt(&d, &o, err), -ENOPROTOOPT);
	struct seg s, r;
	app(&d, DUT_APP_CONNECT, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &s), 1);
	ck_assert_uint_eq(s.tcp.opt.mss, 536);
	ck_assert(!(s.tcp.opt.present & TCP_OPTF_TS));
	o = (struct dut_sockopt){-1, "SO_ERROR", false, -5};
	ck_assert_int_eq(d.ops->sockopt(&d, &o, err), 0);
	ck_assert_int_eq(o.val, 0);
	inject(&d, PEER_PORT, s.tcp.src_port, 77, s.tcp.seq + 1, TCP_SYN | TCP_ACK, 0);
	ck_assert_int_eq(wait_event(&d, 500 * MS), DUT_EV_CONNECTED);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1); /* the ACK */
	app(&d, DUT_APP_ABORT, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags & TCP_RST, TCP_RST);
	ck_assert_uint_eq(r.tcp.seq, s.tcp.seq + 1);
	d.ops->close(&d);
}
END_TEST

START_TEST(test_pcap_records_both_directions)
{
	char path[] = "/tmp/test_dut_tap_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct dut d;
	struct dut_config cfg = test_cfg();
	cfg.pcap_path = path;
	open_dut(&d, &cfg);
	struct seg r;
	inject(&d, PEER_PORT, 9, 100, 0, TCP_SYN, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	d.ops->close(&d);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	/* pcap header 24 + two records (16 + 14 + 44, 16 + 14 + 40). */
	ck_assert_int_eq(st.st_size, 24 + 16 + 58 + 16 + 54);
	unlink(path);
}
END_TEST

/* The configured peer has a permanent ARP entry; any other address Linux
 * must resolve, and the adapter answers for it. Idle, Linux sends nothing
 * else (IPv6 is off on the TAP). */
START_TEST(test_other_source_is_arp_resolved_and_no_noise)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	open_dut(&d, &cfg);
	struct seg r;
	ck_assert_int_eq(next_seg(&d, 300 * MS, &r), 0);
	inject_from(&d, 0xc0000263u, PEER_PORT, 9, 100, 0, TCP_SYN, 0); /* 192.0.2.99 */
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.ip.dst, 0xc0000263u);
	ck_assert_uint_eq(r.tcp.flags, TCP_RST | TCP_ACK);
	uint64_t v = 0;
	ck_assert_int_eq(d.ops->counter(&d, "tap.arp_replies", &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(d.ops->counter(&d, "tap.noise_dropped", &v), 0);
	ck_assert_uint_eq(v, 0);
	d.ops->close(&d);
}
END_TEST

/* Active close into TIME-WAIT, then a RST at RCV.NXT: the state after. */
static const char *timewait_rst(uint8_t profile)
{
	struct dut d;
	struct dut_config cfg = test_cfg();
	cfg.profile = profile;
	open_dut(&d, &cfg);
	uint32_t iss = establish_passive(&d);
	struct seg r;
	app(&d, DUT_APP_CLOSE, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.flags, TCP_FIN | TCP_ACK);
	ck_assert_str_eq(state(&d), "FIN-WAIT-1");
	inject(&d, PEER_PORT, DUT_PORT, 1, iss + 2, TCP_FIN | TCP_ACK, 0);
	ck_assert_int_eq(next_seg(&d, 500 * MS, &r), 1);
	ck_assert_uint_eq(r.tcp.ack, 2);
	ck_assert_str_eq(state(&d), "TIME-WAIT");
	inject(&d, PEER_PORT, DUT_PORT, 2, 0, TCP_RST, 0);
	ck_assert_int_eq(next_seg(&d, 100 * MS, &r), 0);
	const char *st = state(&d);
	d.ops->close(&d);
	return st; /* a string literal from the adapter's table */
}

/* RFC 1337 (TIME-WAIT assassination): net.ipv4.tcp_rfc1337 per profile. */
START_TEST(test_timewait_rst_follows_rfc1337_profile)
{
	ck_assert_str_eq(timewait_rst(DUT_PROFILE_RFC5961), "LISTEN");
	ck_assert_str_eq(timewait_rst(DUT_PROFILE_RFC5961 | DUT_PROFILE_RFC1337), "TIME-WAIT");
}
END_TEST

static Suite *dut_tap_suite(void)
{
	Suite *s = suite_create("dut_tap");
	TCase *tc = tcase_create("linux");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_close_leaves_no_namespace_or_device);
	tcase_add_test(tc, test_open_refuses_profile_without_rfc5961);
	tcase_add_test(tc, test_listen_syn_synack_acks_irs_plus_one);
	tcase_add_test(tc, test_rst_in_close_wait_leaves_the_kernel_epipe);
	tcase_add_test(tc, test_abort_after_close_resets_fin_wait_1);
	tcase_add_test(tc, test_closed_when_time_wait_starts);
	tcase_add_test(tc, test_urgent_pointer_is_an_event);
	tcase_add_test(tc, test_syn_sent_synack_ack_zero_gets_rst_seq_zero);
	tcase_add_test(tc, test_syn_sent_rst_ack_is_refused);
	tcase_add_test(tc, test_closed_port_rst_formulas);
	tcase_add_test(tc, test_established_inwindow_rst_gets_challenge_ack);
	tcase_add_test(tc, test_sockopt_sysctl_and_abort);
	tcase_add_test(tc, test_pcap_records_both_directions);
	tcase_add_test(tc, test_other_source_is_arp_resolved_and_no_noise);
	tcase_add_test(tc, test_timewait_rst_follows_rfc1337_profile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Probe once: no root or no /dev/net/tun means skip, not fail. */
	struct dut d = {&dut_tap_ops, NULL};
	struct dut_config cfg = test_cfg();
	char err[DUT_ERR_LEN] = "";
	if (d.ops->open(&d, &cfg, err) < 0) {
		printf("SKIP test_dut_tap: %s\n", err);
		return 77;
	}
	d.ops->close(&d);

	SRunner *sr = srunner_create(dut_tap_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
