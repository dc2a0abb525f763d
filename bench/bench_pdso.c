/*
 * bench_pdso.c - what libsynack_packetdrill.so itself costs per scenario,
 * without packetdrill's fixed start-up (it waits ten 10 ms clock ticks
 * before a script's first event): the library loaded as packetdrill loads
 * it, one instance per scenario (init, the scenario through the table,
 * free), as packetdrill makes one per script.
 *
 *   build/bench/bench_pdso [LIB.so] [RUNS]
 *
 *   handshake  SYN in, SYN-ACK out, ACK in, accept()
 *   reset      SYN to a closed port, RST,ACK out
 *   rto        connect() to a silent peer: 8 SYNs over 183 s of virtual time, ETIMEDOUT
 *
 * Prints the median wall time of each (and of init + free alone) over RUNS
 * (default 200) and the virtual time each covered. Figures only: it never
 * passes or fails on time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "packetdrill_abi.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define PEER_IP 0xC0000201u
#define DUT_IP 0xC0A80001u

static struct packetdrill_interface T;
static void *U;
static packetdrill_interface_init_t init_fn;

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t vnow_us(void)
{
	struct timeval tv;
	T.gettimeofday(U, &tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static void inject(uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	uint8_t pkt[64];
	memset(pkt, 0, sizeof pkt);
	struct tcp_repr t;
	memset(&t, 0, sizeof t);
	t.src_port = 47000;
	t.dst_port = dport;
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.window = 8192;
	int hl = tcp_emit(&t, pkt + 20, sizeof pkt - 20);
	tcp_checksum(pkt + 20, (size_t)hl, PEER_IP, DUT_IP);
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = PEER_IP;
	ip.dst = DUT_IP;
	ip.proto = IPV4_PROTO_TCP;
	ip.ttl = 64;
	ip.total_len = (uint16_t)(20 + hl);
	ipv4_emit(&ip, pkt, 20);
	T.netdev_send(U, pkt, ip.total_len);
}

static struct tcp_repr receive(void)
{
	uint8_t b[1600];
	size_t n = sizeof b;
	long long t;
	struct tcp_repr r;
	memset(&r, 0, sizeof r);
	if (T.netdev_receive(U, b, &n, &t) == 0 && n > 20)
		tcp_parse(b + 20, n - 20, &r);
	return r;
}

static void s_none(void) {}

static void s_handshake(void)
{
	int l = T.socket(U, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080), .sin_addr = {htonl(DUT_IP)}};
	T.bind(U, l, (struct sockaddr *)&a, sizeof a);
	T.listen(U, l, 1);
	inject(8080, TCP_SYN, 1000, 0);
	struct tcp_repr sa = receive();
	inject(8080, TCP_ACK, 1001, sa.seq + 1);
	if (T.accept(U, l, NULL, NULL) < 0 || sa.flags != (TCP_SYN | TCP_ACK)) {
		fprintf(stderr, "bench_pdso: the handshake failed\n");
		exit(1);
	}
}

static void s_reset(void)
{
	inject(9, TCP_SYN, 1000, 0);
	if (receive().flags != (TCP_RST | TCP_ACK)) {
		fprintf(stderr, "bench_pdso: no RST from the closed port\n");
		exit(1);
	}
}

static void s_rto(void)
{
	int fd = T.socket(U, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080), .sin_addr = {htonl(PEER_IP)}};
	if (T.connect(U, fd, (struct sockaddr *)&a, sizeof a) != -1 || errno != ETIMEDOUT) {
		fprintf(stderr, "bench_pdso: connect() did not time out\n");
		exit(1);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *lib = argc > 1 ? argv[1] : PDSO_LIB;
	int runs = argc > 2 ? atoi(argv[2]) : 200;
	if (runs < 1)
		runs = 1;
#if defined(__SANITIZE_ADDRESS__)
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE); /* ASan refuses RTLD_DEEPBIND */
#else
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE | RTLD_DEEPBIND); /* as packetdrill */
#endif
	if (h == NULL || (init_fn = (packetdrill_interface_init_t)dlsym(h, PDSO_INIT_SYMBOL)) == NULL) {
		fprintf(stderr, "bench_pdso: %s: %s\n", lib, dlerror());
		return 2;
	}
	static const struct {
		const char *name;
		void (*fn)(void);
	} S[] = {{"init + free", s_none}, {"handshake", s_handshake}, {"reset", s_reset}, {"rto (SYN give-up)", s_rto}};
	double *w = calloc((size_t)runs, sizeof *w);
	printf("libsynack_packetdrill.so on dut=sim, %d runs each, one instance per run (median wall time)\n\n", runs);
	printf("%-20s %12s %16s\n", "scenario", "wall", "virtual time");
	for (size_t s = 0; s < sizeof S / sizeof S[0]; s++) {
		uint64_t virt = 0;
		for (int i = 0; i < runs; i++) {
			double t0 = wall();
			init_fn(NULL, &T);
			U = T.userdata;
			uint64_t v0 = vnow_us();
			S[s].fn();
			virt = vnow_us() - v0;
			T.free(U);
			w[i] = wall() - t0;
		}
		qsort(w, (size_t)runs, sizeof *w, cmp);
		printf("%-20s %9.3f ms %13.6f s\n", S[s].name, w[runs / 2] * 1e3, (double)virt / 1e6);
	}
	free(w);
	return 0;
}
