/*
 * inject.c - blind injection against our stack (sim/inject.h): an off-path
 * attacker floods an established connection with RSTs, SYNs and data
 * segments of random sequence numbers, with RFC 5961 on and off. Prints
 * successes against the theory (inject.c derives it) and the challenge
 * ACK rate under the flood. Figures only; sim/tests/test_inject.c asserts
 * the bounds.
 *
 * usage: inject [--blind N]   N blind (2^32) RSTs and SYNs per profile with
 *        a 65535-byte window (default 2000000); the scaled runs are fixed.
 */
#define _POSIX_C_SOURCE 199309L

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inject.h"

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *kind_name(enum inject_kind k)
{
	return k == INJECT_RST ? "RST" : k == INJECT_SYN ? "SYN" : "data";
}

static int one(const char *label, struct inject_config c)
{
	struct inject_result r;
	double t0 = wall();
	bool ok = inject_run(&c, &r);
	double w = wall() - t0;
	double expect = r.theory * (double)r.reached;
	printf("%-34s %-5s %-9s %2u bits %9" PRIu64 " sent %9" PRIu64 " reached %6" PRIu64
	       " hits  rate %.3g  theory %.3g (expect %.1f +- %.1f)\n",
	       label, kind_name(c.kind), c.rfc5961 ? "RFC 5961" : "RFC 793", c.space_bits ? c.space_bits : 32u, r.sent,
	       r.reached, r.successes, r.reached ? (double)r.successes / (double)r.reached : 0.0, r.theory, expect,
	       sqrt(expect));
	printf("%34s challenge ACKs %" PRIu64 " (limited %" PRIu64 "), most in any 1 s: %u (limit %u per %u ms); "
	       "victim segments out %" PRIu64 " over %.1f s; healthy after: %s; wall %.2f s\n",
	       "", r.challenge_acks, r.challenge_limited, r.chack_max_1s, r.chack_limit, r.chack_interval_ms, r.acks_out,
	       r.seconds, r.healthy_after ? "yes" : "NO", w);
	if (!ok)
		printf("%34s error: %s\n", "", r.error);
	fflush(stdout);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint64_t blind = 2000000;
	if (argc == 3 && strcmp(argv[1], "--blind") == 0) {
		char *end;
		blind = strtoull(argv[2], &end, 10);
		if (*end || blind == 0) {
			fprintf(stderr, "inject: --blind takes a positive number: %s\n", argv[2]);
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: inject [--blind N]\n");
		return 2;
	}
	int rc = 0;
	printf("inject: off-path attacker, 4-tuple known, SEQ/ACK random; victim window W as shown\n\n");
	for (int p = 0; p < 2; p++) {
		bool on = p == 1;
		struct inject_config c = {0};
		c.seed = 7;
		c.rfc5961 = on;
		/* Blind: the real 2^32 space, the largest window. */
		c.count = blind;
		c.rate = 2000;
		c.rcv_wnd = 65535;
		c.kind = INJECT_RST;
		rc |= one("blind, W 65535", c);
		c.kind = INJECT_SYN;
		rc |= one("blind, W 65535", c);
		c.kind = INJECT_DATA;
		c.data_len = 1460;
		c.rate = 500; /* a 1514-byte frame takes 1.2 ms at 10 Mbit/s */
		c.count = blind / 4u; /* theory ~2e-7 either way; full-size frames cost */
		rc |= one("blind, W 65535, 1460-byte data", c);
		/* Scaled: 2^20 values around RCV.NXT, a 1024-byte window (the
		 * AVR image's; the host default is larger). */
		memset(&c, 0, sizeof c);
		c.seed = 8;
		c.rcv_wnd = 1024;
		c.rfc5961 = on;
		c.count = 200000;
		c.rate = 2000;
		c.space_bits = 20;
		c.kind = INJECT_RST;
		rc |= one("scaled 2^20, W 1024", c);
		c.kind = INJECT_SYN;
		rc |= one("scaled 2^20, W 1024", c);
		c.kind = INJECT_DATA;
		c.space_bits = 14;
		c.data_len = 64;
		rc |= one("scaled 2^14 SEQ and ACK, 64 B", c);
		/* Flood of in-window RSTs: the challenge ACK limit. */
		memset(&c, 0, sizeof c);
		c.seed = 9;
		c.rfc5961 = on;
		c.count = 20000;
		c.rate = 2000;
		c.kind = INJECT_RST;
		c.in_window_only = true;
		rc |= one("in-window flood, 2000/s for 10 s", c);
		printf("\n");
	}
	return rc;
}
