/*
 * test_pdso.c - libsynack_packetdrill.so loaded and driven as packetdrill
 * drives it, without packetdrill: dlopen with packetdrill's flags, dlsym
 * of packetdrill_interface_init, then only the function table.
 *
 *   test -> dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE | RTLD_DEEPBIND)
 *        -> init(so_flags, &table) -> table.socket(...), table.netdev_send(...)
 *
 * Scenarios: a passive handshake with data both ways (and the address
 * translation packetdrill's random --local_ip needs), resets (a closed
 * port, a refused connect, a RST at RCV.NXT, a RST inside the window drawing
 * a challenge ACK), timers in virtual time (the SYN retransmission backoff,
 * a blocking connect that times out after 183 s, a poll timeout), the two
 * threads (a blocking accept on a second thread sleeps, and its end time
 * is the time its connection completed, however far the driver jumps
 * next), and the failure paths (unsupported calls fail with ENOSYS and say
 * so, a packet that never comes ends the process with a message, bad
 * --so_flags exit 2). The board:PATH.so DUT runs the same handshake.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "packetdrill_abi.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#ifndef PDSO_LIB
#error "PDSO_LIB: the path of libsynack_packetdrill.so"
#endif

/* packetdrill's so_testing.c flags. ASan refuses RTLD_DEEPBIND (its
 * interceptors must see every call), so the sanitizer build drops it. */
#if defined(__SANITIZE_ADDRESS__)
#define DLOPEN_FLAGS (RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)
#else
#define DLOPEN_FLAGS (RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE | RTLD_DEEPBIND)
#endif

#define PEER_IP 0xC0000201u /* 192.0.2.1, packetdrill's --remote_ip */
#define DUT_IP 0xC0A80001u  /* 192.168.0.1 */
#define PEER_PORT 47000u
#define DUT_PORT 8080u
#define PEER_ISN 1000u

static struct packetdrill_interface T;
static void *U;

static void load(const char *flags)
{
	void *h = dlopen(PDSO_LIB, DLOPEN_FLAGS);
	ck_assert_msg(h != NULL, "dlopen: %s", dlerror());
	dlerror();
	packetdrill_interface_init_t init = (packetdrill_interface_init_t)dlsym(h, PDSO_INIT_SYMBOL);
	ck_assert_msg(init != NULL, "dlsym: %s", dlerror());
	memset(&T, 0, sizeof T);
	init(flags, &T);
	U = T.userdata;
}

static void unload(void)
{
	T.free(U);
}

static uint64_t now_us(void)
{
	struct timeval tv;
	ck_assert_int_eq(T.gettimeofday(U, &tv, NULL), 0);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

/* An inbound segment from the peer, as packetdrill builds it. */
static uint16_t g_sport = PEER_PORT;
static void send_seg(uint32_t dst, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, size_t len, bool mss)
{
	uint8_t pkt[1600];
	memset(pkt, 0, sizeof pkt);
	struct tcp_repr t;
	memset(&t, 0, sizeof t);
	t.src_port = g_sport;
	t.dst_port = dport;
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.window = 8192;
	if (mss) {
		t.opt.present = TCP_OPTF_MSS;
		t.opt.mss = 1000;
	}
	int hl = tcp_emit(&t, pkt + 20, sizeof pkt - 20);
	ck_assert_int_gt(hl, 0);
	size_t l4 = (size_t)hl + len;
	tcp_checksum(pkt + 20, l4, PEER_IP, dst);
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = PEER_IP;
	ip.dst = dst;
	ip.proto = IPV4_PROTO_TCP;
	ip.ttl = 64;
	ip.total_len = (uint16_t)(20 + l4);
	ck_assert_int_gt(ipv4_emit(&ip, pkt, 20), 0);
	ck_assert_int_eq(T.netdev_send(U, pkt, 20 + l4), 0);
}

struct out {
	struct ipv4_repr ip;
	struct tcp_repr tcp;
	size_t payload;
	const uint8_t *data;
	uint64_t t_us;
	uint8_t buf[1600];
};

/* The next datagram the DUT sends; checks its checksums as the peer would. */
static void recv_seg(struct out *o)
{
	size_t n = sizeof o->buf;
	long long t = 0;
	ck_assert_int_eq(T.netdev_receive(U, o->buf, &n, &t), 0);
	ck_assert_int_eq(ipv4_parse(o->buf, n, &o->ip), 0);
	ck_assert_uint_eq(o->ip.proto, IPV4_PROTO_TCP);
	size_t l4 = o->ip.total_len - o->ip.hdr_len;
	ck_assert_msg(tcp_verify(o->buf + o->ip.hdr_len, l4, o->ip.src, o->ip.dst) == 0, "bad TCP checksum");
	ck_assert_int_eq(tcp_parse(o->buf + o->ip.hdr_len, l4, &o->tcp), 0);
	o->payload = l4 - o->tcp.hdr_len;
	o->data = o->buf + o->ip.hdr_len + o->tcp.hdr_len;
	o->t_us = (uint64_t)t;
}

static int listener(uint32_t ip)
{
	int fd = T.socket(U, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	ck_assert_int_ge(fd, 0);
	int one = 1;
	ck_assert_int_eq(T.setsockopt(U, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(DUT_PORT), .sin_addr = {htonl(ip)}};
	ck_assert_int_eq(T.bind(U, fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(T.listen(U, fd, 1), 0);
	return fd;
}

/* SYN in, SYN-ACK out, ACK in; returns the DUT's ISS. */
static uint32_t handshake(uint32_t dst)
{
	struct out o;
	send_seg(dst, DUT_PORT, TCP_SYN, PEER_ISN, 0, 0, true);
	recv_seg(&o);
	ck_assert_uint_eq(o.tcp.flags, TCP_SYN | TCP_ACK);
	ck_assert_uint_eq(o.tcp.ack, PEER_ISN + 1);
	ck_assert_uint_eq(o.ip.src, dst);
	ck_assert_uint_eq(o.ip.dst, PEER_IP);
	send_seg(dst, DUT_PORT, TCP_ACK, PEER_ISN + 1, o.tcp.seq + 1, 0, false);
	return o.tcp.seq;
}

/* ---- stderr capture (the library's messages) ---- */

static int saved_stderr = -1;
static FILE *cap_file;

static void capture_begin(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	ck_assert_ptr_nonnull(cap_file);
	saved_stderr = dup(2);
	dup2(fileno(cap_file), 2);
}

static char *capture_end(void)
{
	static char text[8192];
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(cap_file);
	size_t n = fread(text, 1, sizeof text - 1, cap_file);
	text[n] = '\0';
	fclose(cap_file);
	return text;
}

/* ---- the table ---- */

START_TEST(test_table_matches_packetdrill_order_and_is_full)
{
	/* packetdrill.h at 2c4001c: userdata, then these 32, in this order. */
	static const size_t off[] = {
		offsetof(struct packetdrill_interface, free),        offsetof(struct packetdrill_interface, socket),
		offsetof(struct packetdrill_interface, bind),        offsetof(struct packetdrill_interface, listen),
		offsetof(struct packetdrill_interface, accept),      offsetof(struct packetdrill_interface, connect),
		offsetof(struct packetdrill_interface, read),        offsetof(struct packetdrill_interface, readv),
		offsetof(struct packetdrill_interface, recv),        offsetof(struct packetdrill_interface, recvfrom),
		offsetof(struct packetdrill_interface, recvmsg),     offsetof(struct packetdrill_interface, write),
		offsetof(struct packetdrill_interface, writev),      offsetof(struct packetdrill_interface, send),
		offsetof(struct packetdrill_interface, sendto),      offsetof(struct packetdrill_interface, sendmsg),
		offsetof(struct packetdrill_interface, fcntl),       offsetof(struct packetdrill_interface, ioctl),
		offsetof(struct packetdrill_interface, close),       offsetof(struct packetdrill_interface, shutdown),
		offsetof(struct packetdrill_interface, getsockopt),  offsetof(struct packetdrill_interface, setsockopt),
		offsetof(struct packetdrill_interface, poll),        offsetof(struct packetdrill_interface, netdev_send),
		offsetof(struct packetdrill_interface, netdev_receive), offsetof(struct packetdrill_interface, usleep),
		offsetof(struct packetdrill_interface, gettimeofday), offsetof(struct packetdrill_interface, epoll_create),
		offsetof(struct packetdrill_interface, epoll_ctl),   offsetof(struct packetdrill_interface, epoll_wait),
		offsetof(struct packetdrill_interface, pipe),        offsetof(struct packetdrill_interface, splice),
	};
	ck_assert_uint_eq(PDSO_IFACE_FUNCTIONS, 32);
	ck_assert_uint_eq(sizeof off / sizeof off[0], 32);
	ck_assert_uint_eq(offsetof(struct packetdrill_interface, userdata), 0);
	for (size_t i = 0; i < 32; i++)
		ck_assert_uint_eq(off[i], (i + 1) * sizeof(void *));
	load(NULL);
	void *fns[33];
	memcpy(fns, &T, sizeof fns);
	ck_assert_ptr_nonnull(fns[0]);
	for (size_t i = 1; i < 33; i++)
		ck_assert_msg(fns[i] != NULL, "function %zu of the table is NULL", i);
	unload();
}
END_TEST

START_TEST(test_only_the_entry_point_is_exported)
{
	void *h = dlopen(PDSO_LIB, DLOPEN_FLAGS);
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(dlsym(h, PDSO_INIT_SYMBOL));
	/* The simulator and stack inside stay private. */
	ck_assert_ptr_null(dlsym(h, "net_poll"));
	ck_assert_ptr_null(dlsym(h, "sim_init"));
	ck_assert_ptr_null(dlsym(h, "engine_dut_lookup"));
}
END_TEST

START_TEST(test_every_clock_read_moves_the_clock_one_tick)
{
	load("tick=250");
	uint64_t a = now_us();
	/* packetdrill's wait for events under 20 us: spin on the clock. */
	int reads = 0;
	while (now_us() < a + 20)
		reads++;
	ck_assert_int_eq(reads, 79); /* the 80th read, 20 us later in 250 ns ticks, ends it */
	unload();
}
END_TEST

/* ---- handshake ---- */

START_TEST(test_handshake_then_read_and_write)
{
	load("seed=3");
	int l = listener(DUT_IP);
	uint32_t iss = handshake(DUT_IP);
	struct sockaddr_in peer;
	socklen_t plen = sizeof peer;
	int fd = T.accept(U, l, (struct sockaddr *)&peer, &plen);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD), FD_CLOEXEC); /* a real descriptor */
	ck_assert_uint_eq(plen, sizeof peer);
	ck_assert_uint_eq(ntohl(peer.sin_addr.s_addr), PEER_IP);
	ck_assert_uint_eq(ntohs(peer.sin_port), PEER_PORT);

	/* 100 bytes in: acknowledged, then read as 100 (zero) bytes. */
	send_seg(DUT_IP, DUT_PORT, TCP_ACK | TCP_PSH, PEER_ISN + 1, iss + 1, 100, false);
	struct out o;
	recv_seg(&o);
	ck_assert_uint_eq(o.tcp.flags, TCP_ACK);
	ck_assert_uint_eq(o.tcp.ack, PEER_ISN + 101);
	char buf[200];
	memset(buf, 'x', sizeof buf);
	ck_assert_int_eq(T.read(U, fd, buf, sizeof buf), 100);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_int_eq(buf[99], 0);
	errno = 0;
	ck_assert_int_eq(T.recv(U, fd, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);

	/* 50 zero bytes out, as packetdrill writes them. */
	char zeros[50] = {0};
	uint64_t t0 = now_us();
	ck_assert_int_eq(T.write(U, fd, zeros, sizeof zeros), 50);
	recv_seg(&o);
	ck_assert_uint_eq(o.tcp.seq, iss + 1);
	ck_assert_uint_eq(o.payload, 50);
	for (size_t i = 0; i < o.payload; i++)
		ck_assert_uint_eq(o.data[i], 0);
	/* The DUT answered within a millisecond of virtual time. */
	ck_assert_uint_lt(o.t_us - t0, 1000);
	ck_assert_int_eq(T.close(U, fd), 0);
	recv_seg(&o);
	ck_assert(o.tcp.flags & TCP_FIN);
	unload();
}
END_TEST

START_TEST(test_a_descriptor_packetdrill_closed_and_reused_is_left_alone)
{
	load(NULL);
	int fd = T.socket(U, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	/* packetdrill's socket_close(): the kernel's close() on our number. */
	ck_assert_int_eq(close(fd), 0);
	int mine = open("/dev/zero", O_RDONLY);
	ck_assert_int_eq(mine, fd); /* the lowest free number again */
	unload();
	ck_assert_int_ne(fcntl(mine, F_GETFD), -1); /* still open: free() did not close it */
	close(mine);
}
END_TEST

START_TEST(test_packetdrills_random_local_address_is_translated)
{
	const uint32_t pd_local = 0xC0A8210Bu; /* 192.168.33.11, as packetdrill picks one */
	load(NULL);
	int l = listener(pd_local);
	uint32_t iss = handshake(pd_local); /* asserts the SYN-ACK's source and checksum */
	int fd = T.accept(U, l, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	char z[10] = {0};
	ck_assert_int_eq(T.write(U, fd, z, sizeof z), 10);
	struct out o;
	recv_seg(&o);
	ck_assert_uint_eq(o.ip.src, pd_local);
	ck_assert_uint_eq(o.tcp.seq, iss + 1);
	unload();
}
END_TEST

START_TEST(test_same_seed_same_isn)
{
	uint32_t iss[3];
	const char *flags[3] = {"seed=11", "seed=11", "seed=12"};
	for (int i = 0; i < 3; i++) {
		load(flags[i]);
		listener(DUT_IP);
		iss[i] = handshake(DUT_IP);
		unload();
	}
	ck_assert_uint_eq(iss[0], iss[1]);
	ck_assert_uint_ne(iss[0], iss[2]);
}
END_TEST

START_TEST(test_mutate_flag_rewrites_what_the_dut_sends)
{
	load("mutate=synack-ack0"); /* synack run --mutate's power check */
	listener(DUT_IP);
	struct out o;
	send_seg(DUT_IP, DUT_PORT, TCP_SYN, PEER_ISN, 0, 0, true);
	recv_seg(&o);
	ck_assert_uint_eq(o.tcp.flags, TCP_SYN | TCP_ACK);
	ck_assert_uint_eq(o.tcp.ack, 0); /* the seed's bug, as the wrapper makes it */
	unload();
}
END_TEST

/* ---- resets ---- */

START_TEST(test_closed_port_answers_rst_ack)
{
	load(NULL);
	struct out o;
	send_seg(DUT_IP, 9, TCP_SYN, PEER_ISN, 0, 0, true);
	recv_seg(&o);
	/* RFC 9293 §3.10.7.1: no ACK bit -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
	ck_assert_uint_eq(o.tcp.flags, TCP_RST | TCP_ACK);
	ck_assert_uint_eq(o.tcp.seq, 0);
	ck_assert_uint_eq(o.tcp.ack, PEER_ISN + 1);
	unload();
}
END_TEST

START_TEST(test_refused_connect_reports_econnrefused)
{
	load(NULL);
	int fd = T.socket(U, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080), .sin_addr = {htonl(PEER_IP)}};
	errno = 0;
	ck_assert_int_eq(T.connect(U, fd, (struct sockaddr *)&a, sizeof a), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	struct out o;
	recv_seg(&o);
	ck_assert_uint_eq(o.tcp.flags, TCP_SYN);
	struct pollfd pf = {fd, POLLIN | POLLOUT, 0};
	ck_assert_int_eq(T.poll(U, &pf, 1, 0), 0); /* SYN-SENT: nothing yet */
	g_sport = 8080; /* from the port connected to */
	send_seg(o.ip.src, o.tcp.src_port, TCP_RST | TCP_ACK, 0, o.tcp.seq + 1, 0, false);
	ck_assert_int_eq(T.poll(U, &pf, 1, 0), 1);
	/* Linux's tcp_poll for a refused socket: closed, both ways shut, error. */
	ck_assert_int_eq(pf.revents, POLLIN | POLLOUT | POLLERR | POLLHUP);
	int e = -1;
	socklen_t el = sizeof e;
	ck_assert_int_eq(T.getsockopt(U, fd, SOL_SOCKET, SO_ERROR, &e, &el), 0);
	ck_assert_int_eq(e, ECONNREFUSED);
	ck_assert_int_eq(T.getsockopt(U, fd, SOL_SOCKET, SO_ERROR, &e, &el), 0);
	ck_assert_int_eq(e, 0); /* read and cleared */
	unload();
}
END_TEST

START_TEST(test_rst_at_rcv_nxt_resets_the_connection)
{
	load(NULL);
	int l = listener(DUT_IP);
	uint32_t iss = handshake(DUT_IP);
	int fd = T.accept(U, l, NULL, NULL);
	send_seg(DUT_IP, DUT_PORT, TCP_RST, PEER_ISN + 1, 0, 0, false);
	char b[10];
	errno = 0;
	ck_assert_int_eq(T.read(U, fd, b, sizeof b), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(T.read(U, fd, b, sizeof b), 0); /* then end of file, as Linux */
	errno = 0;
	ck_assert_int_eq(T.write(U, fd, b, 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	(void)iss;
	unload();
}
END_TEST

START_TEST(test_rst_inside_window_draws_a_challenge_ack)
{
	load("profile=rfc5961=on");
	int l = listener(DUT_IP);
	uint32_t iss = handshake(DUT_IP);
	int fd = T.accept(U, l, NULL, NULL);
	/* RFC 5961 §3.2: in the window but not RCV.NXT -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	send_seg(DUT_IP, DUT_PORT, TCP_RST, PEER_ISN + 1 + 100, 0, 0, false);
	struct out o;
	recv_seg(&o);
	ck_assert_uint_eq(o.tcp.flags, TCP_ACK);
	ck_assert_uint_eq(o.tcp.seq, iss + 1);
	ck_assert_uint_eq(o.tcp.ack, PEER_ISN + 1);
	struct pollfd pf = {fd, POLLIN | POLLOUT, 0};
	ck_assert_int_eq(T.poll(U, &pf, 1, 0), 1);
	ck_assert_int_eq(pf.revents, POLLOUT); /* still established */
	unload();
}
END_TEST

/* packetdrill's RST at the end of a script run with
 * --ip_version=ipv4-mapped-ipv6: an IPv6 header whose address fields hold
 * the IPv4 addresses (mapped, or followed by zeros, as packetdrill writes
 * them); the TCP checksum is the IPv4 one (the pseudo-header sums agree). */
static void send_rst_in_ipv6(uint32_t dst, uint32_t seq, bool mapped)
{
	uint8_t pkt[60];
	memset(pkt, 0, sizeof pkt);
	struct tcp_repr t;
	memset(&t, 0, sizeof t);
	t.src_port = PEER_PORT;
	t.dst_port = DUT_PORT;
	t.seq = seq;
	t.flags = TCP_RST;
	int hl = tcp_emit(&t, pkt + 40, sizeof pkt - 40);
	ck_assert_int_eq(hl, 20);
	tcp_checksum(pkt + 40, 20, PEER_IP, dst);
	pkt[0] = 0x60;
	pkt[5] = 20; /* payload length */
	pkt[6] = 6;  /* next header: TCP */
	pkt[7] = 64;
	uint8_t *src6 = pkt + 8, *dst6 = pkt + 24;
	if (mapped) {
		src6[10] = src6[11] = dst6[10] = dst6[11] = 0xff;
		src6 += 12;
		dst6 += 12;
	}
	wire_put32(src6, PEER_IP);
	wire_put32(dst6, dst);
	ck_assert_int_eq(T.netdev_send(U, pkt, 60), 0);
}

START_TEST(test_ipv6_between_ipv4_addresses_arrives_as_ipv4)
{
	for (int mapped = 0; mapped < 2; mapped++) {
		load(NULL);
		int l = listener(DUT_IP);
		handshake(DUT_IP);
		int fd = T.accept(U, l, NULL, NULL);
		send_rst_in_ipv6(DUT_IP, PEER_ISN + 1, mapped != 0);
		char b[4];
		errno = 0;
		ck_assert_int_eq(T.read(U, fd, b, sizeof b), -1);
		ck_assert_int_eq(errno, ECONNRESET); /* the RST arrived, checksum and all */
		unload();
	}
}
END_TEST

/* ---- timers ---- */

START_TEST(test_syn_retransmissions_back_off_in_virtual_time)
{
	load(NULL);
	int fd = T.socket(U, AF_INET, SOCK_STREAM, 0);
	int fl = T.fcntl(U, fd, F_GETFL);
	ck_assert_int_eq(T.fcntl(U, fd, F_SETFL, fl | O_NONBLOCK), 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080), .sin_addr = {htonl(PEER_IP)}};
	ck_assert_int_eq(T.connect(U, fd, (struct sockaddr *)&a, sizeof a), -1);
	struct out o;
	recv_seg(&o);
	uint64_t t0 = o.t_us;
	uint64_t want[] = {1000000, 3000000, 7000000, 15000000}; /* RFC 6298 §2.1, §5.5: 1 s, doubling */
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		recv_seg(&o);
		ck_assert_uint_eq(o.tcp.flags, TCP_SYN);
		uint64_t dt = o.t_us - t0;
		ck_assert_msg(dt >= want[i] && dt < want[i] + 5000, "SYN %zu at +%llu us, wanted +%llu", i + 2,
			      (unsigned long long)dt, (unsigned long long)want[i]);
	}
	unload();
}
END_TEST

START_TEST(test_blocking_connect_on_the_driver_times_out_after_183_s)
{
	load(NULL);
	int fd = T.socket(U, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080), .sin_addr = {htonl(PEER_IP)}};
	uint64_t t0 = now_us();
	errno = 0;
	ck_assert_int_eq(T.connect(U, fd, (struct sockaddr *)&a, sizeof a), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	uint64_t dt = now_us() - t0;
	/* net.h: SYNs at 0, 1, 3, 7, 15, 31, 63, 123 s, given up at 183 s (MUST-23). */
	ck_assert_msg(dt >= 183000000u && dt < 184000000u, "gave up after %llu us", (unsigned long long)dt);
	int n = 0;
	struct out o;
	for (; n < 8; n++)
		recv_seg(&o); /* the eight SYNs wait in the queue */
	unload();
}
END_TEST

START_TEST(test_poll_timeout_and_usleep_move_virtual_time)
{
	load(NULL);
	int l = listener(DUT_IP);
	struct pollfd pf = {l, POLLIN, 0};
	uint64_t t0 = now_us();
	ck_assert_int_eq(T.poll(U, &pf, 1, 250), 0);
	uint64_t t1 = now_us();
	ck_assert_uint_ge(t1 - t0, 250000);
	ck_assert_uint_lt(t1 - t0, 250100);
	ck_assert_int_eq(T.usleep(U, 3600u * 1000000u), 0); /* an hour */
	ck_assert_uint_ge(now_us() - t1, 3600000000ull);
	int s = T.socket(U, AF_INET, SOCK_STREAM, 0);
	struct pollfd ps = {s, POLLIN | POLLOUT, 0};
	ck_assert_int_eq(T.poll(U, &ps, 1, 0), 1);
	ck_assert_int_eq(ps.revents, POLLOUT | POLLHUP); /* Linux: a socket never connected */
	unload();
}
END_TEST

/* ---- two threads ---- */

struct blocked {
	int listen_fd;
	int fd;
	uint64_t returned_us;
	pid_t tid;
};

static void *accept_thread(void *arg)
{
	struct blocked *b = arg;
	__atomic_store_n(&b->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	b->fd = T.accept(U, b->listen_fd, NULL, NULL);
	/* A thread the scheduler wakes late: the driver must not move the
	 * clock on meanwhile (the hand-over). */
	struct timespec late = {0, 50000000};
	nanosleep(&late, NULL);
	b->returned_us = now_us(); /* what packetdrill's end_syscall() does next */
	return NULL;
}

/* packetdrill's test: the thread's state in /proc is 'S'. */
static bool sleeping(pid_t tid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	bool s = fgets(line, sizeof line, f) != NULL && strchr(line, ')') != NULL && strchr(line, ')')[2] == 'S';
	fclose(f);
	return s;
}

START_TEST(test_blocking_accept_on_another_thread_sleeps_and_gets_its_time)
{
	load(NULL);
	struct blocked b = {listener(DUT_IP), -2, 0, 0};
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, accept_thread, &b), 0);
	/* Wait as packetdrill does until the call sleeps (bounded, not timed). */
	for (int i = 0; i < 100000 && !(__atomic_load_n(&b.tid, __ATOMIC_SEQ_CST) != 0 && sleeping(b.tid)); i++)
		sched_yield();
	ck_assert(sleeping(b.tid));
	ck_assert_int_eq(T.usleep(U, 100000), 0);
	struct out o;
	send_seg(DUT_IP, DUT_PORT, TCP_SYN, PEER_ISN, 0, 0, true);
	recv_seg(&o);
	ck_assert_int_eq(T.usleep(U, 100000), 0);
	ck_assert(sleeping(b.tid)); /* still blocked: no ACK yet */
	uint64_t t_ack = now_us();
	send_seg(DUT_IP, DUT_PORT, TCP_ACK, PEER_ISN + 1, o.tcp.seq + 1, 0, false);
	/* The driver jumps on at once; the woken accept must still see the
	 * time its connection completed. */
	ck_assert_int_eq(T.usleep(U, 5000000), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_ge(b.fd, 0);
	ck_assert_msg(b.returned_us >= t_ack && b.returned_us < t_ack + 2000, "accept returned %lld us after the ACK",
		      (long long)(b.returned_us - t_ack));
	unload();
}
END_TEST

/* ---- what cannot be done ---- */

START_TEST(test_unsupported_calls_fail_with_enosys_and_say_so)
{
	load(NULL);
	capture_begin();
	int fds[2];
	errno = 0;
	ck_assert_int_eq(T.epoll_create(U, 1), -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(T.epoll_ctl(U, 3, 1, 4, NULL), -1);
	ck_assert_int_eq(T.epoll_wait(U, 3, NULL, 1, 0), -1);
	ck_assert_int_eq(T.pipe(U, fds), -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(T.splice(U, 3, NULL, 4, NULL, 10, 0), -1);
	errno = 0;
	ck_assert_int_eq(T.socket(U, AF_INET, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	int fd = T.socket(U, AF_INET, SOCK_STREAM, 0);
	int v = 4096;
	errno = 0;
	ck_assert_int_eq(T.setsockopt(U, fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v), -1);
	ck_assert_int_eq(errno, ENOSYS);
	char info[232];
	socklen_t il = sizeof info;
	ck_assert_int_eq(T.getsockopt(U, fd, IPPROTO_TCP, TCP_INFO, info, &il), -1);
	ck_assert_int_eq(errno, ENOSYS);
	uint8_t v6[40] = {0x60};
	ck_assert_int_eq(T.netdev_send(U, v6, sizeof v6), -1);
	ck_assert_int_eq(T.ioctl(U, fd, 0x5411ul /* TIOCOUTQ */, &v), -1);
	ck_assert_int_eq(errno, ENOSYS);
	char *text = capture_end();
	ck_assert_ptr_nonnull(strstr(text, "synack-packetdrill: unsupported: epoll_create(): "));
	ck_assert_ptr_nonnull(strstr(text, "unsupported: pipe(): the DUT has no pipes (on sim; the call fails with ENOSYS)"));
	ck_assert_ptr_nonnull(strstr(text, "unsupported: setsockopt(SO_RCVBUF): the sim DUT cannot set it"));
	ck_assert_ptr_nonnull(strstr(text, "unsupported: getsockopt(TCP_INFO)"));
	ck_assert_ptr_nonnull(strstr(text, "unsupported: an inbound IPv6 datagram"));
	unload();
}
END_TEST

/* Runs fn in a child with stderr captured; returns its exit status. */
static int in_child(void (*fn)(void), char *msg, size_t cap)
{
	char path[] = "/tmp/test_pdso_XXXXXX";
	int tfd = mkstemp(path);
	ck_assert_int_ge(tfd, 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(tfd, 2);
		fn();
		_exit(0);
	}
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ssize_t n = pread(tfd, msg, cap - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	close(tfd);
	unlink(path);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void wait_for_nothing(void)
{
	load("timeout=30");
	listener(DUT_IP);
	char b[1600];
	size_t n = sizeof b;
	long long t;
	T.netdev_receive(U, b, &n, &t);
}

START_TEST(test_a_packet_that_never_comes_ends_with_a_message)
{
	char msg[2048];
	ck_assert_int_eq(in_child(wait_for_nothing, msg, sizeof msg), 1);
	ck_assert_msg(strstr(msg, "synack-packetdrill: timeout: the script waits for a packet the sim DUT did not "
				  "send: nothing came for 30.000 s of virtual time") != NULL,
		      "%s", msg);
	ck_assert_ptr_nonnull(strstr(msg, "the DUT's connection is LISTEN"));
}
END_TEST

static void accept_on_the_driver(void)
{
	load("timeout=10");
	T.accept(U, listener(DUT_IP), NULL, NULL);
}

START_TEST(test_a_call_blocking_the_driver_forever_ends_with_a_message)
{
	char msg[2048];
	ck_assert_int_eq(in_child(accept_on_the_driver, msg, sizeof msg), 1);
	ck_assert_msg(strstr(msg, "synack-packetdrill: timeout: accept() blocked packetdrill's main thread for 10.000 s "
				  "of virtual time") != NULL,
		      "%s", msg);
}
END_TEST

static void bad_key(void) { load("seed=1 bogus=2"); }
static void bad_seed(void) { load("seed=-4"); }
static void tap_dut(void) { load("dut=tap"); }
static void avr_dut(void) { load("dut=avr:fw.elf"); }
static void missing_board(void) { load("dut=board:/nonexistent/libfw.so"); }
static void bad_profile(void) { load("profile=rfc1234=on"); }
static void bad_mutation(void) { load("mutate=flip-everything"); }

START_TEST(test_bad_so_flags_exit_2_naming_the_key)
{
	char msg[2048];
	ck_assert_int_eq(in_child(bad_key, msg, sizeof msg), 2);
	ck_assert_ptr_nonnull(strstr(msg, "synack-packetdrill: --so_flags: unknown key 'bogus' (expected dut, seed,"));
	ck_assert_int_eq(in_child(bad_seed, msg, sizeof msg), 2);
	ck_assert_ptr_nonnull(strstr(msg, "seed=: expected a non-negative integer, got '-4'"));
	ck_assert_int_eq(in_child(tap_dut, msg, sizeof msg), 2);
	ck_assert_ptr_nonnull(strstr(msg, "dut=tap: not a virtual-time DUT"));
	ck_assert_int_eq(in_child(avr_dut, msg, sizeof msg), 2);
	ck_assert_ptr_nonnull(strstr(msg, "--so_flags: dut=avr:fw.elf: "));
	ck_assert_int_eq(in_child(missing_board, msg, sizeof msg), 2);
	ck_assert_ptr_nonnull(strstr(msg, "board:/nonexistent/libfw.so: No such file or directory"));
	ck_assert_int_eq(in_child(bad_profile, msg, sizeof msg), 2);
	ck_assert_ptr_nonnull(strstr(msg, "profile=: expected e.g. rfc5961=on"));
	ck_assert_int_eq(in_child(bad_mutation, msg, sizeof msg), 2);
	ck_assert_ptr_nonnull(strstr(msg, "--so_flags: mutate=flip-everything: "));
}
END_TEST

START_TEST(test_pcap_flag_writes_the_link)
{
	char path[] = "/tmp/test_pdso_pcap_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	char flags[128];
	snprintf(flags, sizeof flags, "pcap=%s", path);
	load(flags);
	listener(DUT_IP);
	handshake(DUT_IP);
	unload();
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	uint8_t hdr[24];
	ck_assert_uint_eq(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	unlink(path);
	uint32_t magic = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
	ck_assert_uint_eq(magic, 0xa1b23c4du); /* nanosecond pcap */
	ck_assert_int_gt(size, 24 + 3 * (16 + 54));  /* ARP, SYN, SYN-ACK, ACK at least */
}
END_TEST

#ifdef BOARD_FW_OURS
START_TEST(test_board_dut_runs_the_same_handshake)
{
	load("dut=board:" BOARD_FW_OURS);
	int l = listener(DUT_IP);
	uint32_t iss = handshake(DUT_IP);
	int fd = T.accept(U, l, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	send_seg(DUT_IP, DUT_PORT, TCP_ACK | TCP_PSH, PEER_ISN + 1, iss + 1, 20, false);
	struct out o;
	recv_seg(&o);
	ck_assert_uint_eq(o.tcp.ack, PEER_ISN + 21);
	char b[64];
	ck_assert_int_eq(T.read(U, fd, b, sizeof b), 20);
	unload();
}
END_TEST
#endif

/* ---- the AVR image (run as its own CTest: `test_pdso avr ELF`) ---- */

static const char *g_avr_elf;

START_TEST(test_avr_dut_runs_the_same_handshake)
{
	char flags[1200];
	snprintf(flags, sizeof flags, "dut=avr:%s seed=3", g_avr_elf);
	load(flags);
	int l = listener(DUT_IP);
	uint32_t iss = handshake(DUT_IP);
	int fd = T.accept(U, l, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	send_seg(DUT_IP, DUT_PORT, TCP_ACK | TCP_PSH, PEER_ISN + 1, iss + 1, 20, false);
	struct out o;
	recv_seg(&o);
	ck_assert_uint_eq(o.tcp.ack, PEER_ISN + 21);
	char b[64];
	ck_assert_int_eq(T.read(U, fd, b, sizeof b), 20);
	/* An exact RST ends it; the image's socket reports the reset. */
	send_seg(DUT_IP, DUT_PORT, TCP_RST, PEER_ISN + 21, 0, 0, false);
	errno = 0;
	for (int i = 0; i < 100 && T.read(U, fd, b, sizeof b) == -1 && errno == EAGAIN; i++)
		T.usleep(U, 1000);
	ck_assert_int_eq(errno, ECONNRESET);
	unload();
}
END_TEST

static void missing_avr_image(void) { load("dut=avr:/nonexistent/fw.elf"); }

START_TEST(test_a_missing_avr_image_is_named)
{
	char msg[2048];
	ck_assert_int_eq(in_child(missing_avr_image, msg, sizeof msg), 2);
	ck_assert_msg(strstr(msg, "--so_flags: dut=avr:/nonexistent/fw.elf: ") != NULL &&
			      strstr(msg, "/nonexistent/fw.elf") != NULL && strstr(msg, "no AVR") == NULL,
		      "%s", msg);
}
END_TEST

static Suite *avr_suite(void)
{
	Suite *s = suite_create("packetdrill_so_avr");
	TCase *tc = tcase_create("avr");
	tcase_add_test(tc, test_avr_dut_runs_the_same_handshake);
	tcase_add_test(tc, test_a_missing_avr_image_is_named);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *pdso_suite(void)
{
	Suite *s = suite_create("packetdrill_so");
	TCase *tc = tcase_create("pdso");
	tcase_add_test(tc, test_table_matches_packetdrill_order_and_is_full);
	tcase_add_test(tc, test_only_the_entry_point_is_exported);
	tcase_add_test(tc, test_every_clock_read_moves_the_clock_one_tick);
	tcase_add_test(tc, test_handshake_then_read_and_write);
	tcase_add_test(tc, test_a_descriptor_packetdrill_closed_and_reused_is_left_alone);
	tcase_add_test(tc, test_packetdrills_random_local_address_is_translated);
	tcase_add_test(tc, test_same_seed_same_isn);
	tcase_add_test(tc, test_mutate_flag_rewrites_what_the_dut_sends);
	tcase_add_test(tc, test_closed_port_answers_rst_ack);
	tcase_add_test(tc, test_refused_connect_reports_econnrefused);
	tcase_add_test(tc, test_rst_at_rcv_nxt_resets_the_connection);
	tcase_add_test(tc, test_rst_inside_window_draws_a_challenge_ack);
	tcase_add_test(tc, test_ipv6_between_ipv4_addresses_arrives_as_ipv4);
	tcase_add_test(tc, test_syn_retransmissions_back_off_in_virtual_time);
	tcase_add_test(tc, test_blocking_connect_on_the_driver_times_out_after_183_s);
	tcase_add_test(tc, test_poll_timeout_and_usleep_move_virtual_time);
	tcase_add_test(tc, test_blocking_accept_on_another_thread_sleeps_and_gets_its_time);
	tcase_add_test(tc, test_unsupported_calls_fail_with_enosys_and_say_so);
	tcase_add_test(tc, test_a_packet_that_never_comes_ends_with_a_message);
	tcase_add_test(tc, test_a_call_blocking_the_driver_forever_ends_with_a_message);
	tcase_add_test(tc, test_bad_so_flags_exit_2_naming_the_key);
	tcase_add_test(tc, test_pcap_flag_writes_the_link);
#ifdef BOARD_FW_OURS
	tcase_add_test(tc, test_board_dut_runs_the_same_handshake);
#endif
	suite_add_tcase(s, tc);
	return s;
}

/* `test_pdso` runs the library's suite; `test_pdso avr ELF` the AVR image
 * through it, and exits 77 (CTest's skip) when there is no image. */
int main(int argc, char **argv)
{
	Suite *suite;
	if (argc == 3 && strcmp(argv[1], "avr") == 0) {
		if (access(argv[2], R_OK) != 0) {
			printf("skipped: no AVR image at %s (cmake --preset avr && cmake --build --preset avr)\n", argv[2]);
			return 77;
		}
		g_avr_elf = argv[2];
		suite = avr_suite();
	} else {
		suite = pdso_suite();
	}
	SRunner *sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
