/*
 * test_stack_isn.c - initial sequence numbers and ephemeral ports are not
 * predictable (RFC 6528, RFC 6056), seen from the wire: the ISNs are read
 * from our SYN-ACKs (passive opens) and the ports from our SYNs (active
 * opens), through the public API and the fake netdev only.
 *
 * RFC 6528 §3: "ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey) where M is the 4 microsecond timer, and F() is a pseudorandom
 * function (PRF) of the connection-id. F() MUST NOT be computable from the
 * outside". So for one 4-tuple consecutive ISNs follow the clock (that is
 * the point: old duplicates of the same connection stay behind), and
 * across 4-tuples they are unrelated. The tests check both halves:
 *   - same 4-tuple: ISN - M is one constant, whatever happened in between
 *     (a counter per connection would show the other connections);
 *   - different 4-tuples at one instant: the differences are not constant,
 *     no affine recurrence X[i+1] = a X[i] + c (mod 2^32) predicts the next
 *     value, every bit is balanced and the top 8 bits pass a chi-square
 *     test both ways (not skewed, and not too even as a counter would be).
 * RFC 6056 §2.1: "ephemeral port selection algorithms [...] should obfuscate
 * the resulting ephemeral port": consecutive ports towards one endpoint are
 * not sequential and fill the range evenly.
 *
 * Bounds are five standard deviations wide and the key is fixed, so each
 * case is deterministic; a counter, a clock alone (no F) or a hash of
 * anything but the key and 4-tuple fails them.
 */
#include "tcp_harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/eth.h"

#define N_TUPLES 4096u

/* SYNACK_ISN_STATS=1 prints the figures the assertions are about. */
static bool verbose(void)
{
	return getenv("SYNACK_ISN_STATS") != NULL;
}

/* Our next frame as a TCP segment. */
static void pop_tcp(struct tcp_repr *t)
{
	uint8_t b[1514];
	uint16_t n = h_pop_frame(b);
	struct eth_repr e;
	struct ipv4_repr ip;

	ck_assert_msg(n > 0, "expected a segment, nothing sent");
	ck_assert_int_eq(eth_parse(b, n, &e), WIRE_OK);
	ck_assert_int_eq(ipv4_parse(b + ETH_HDR_LEN, (size_t)(n - ETH_HDR_LEN), &ip), WIRE_OK);
	ck_assert_int_eq(tcp_parse(b + ETH_HDR_LEN + ip.hdr_len, (size_t)(ip.total_len - ip.hdr_len), t), WIRE_OK);
}

/* A SYN from the peer's port rport to our listener; returns our ISN from
 * the SYN-ACK, then resets the half-open block away (back to LISTEN). */
static uint32_t passive_isn(uint16_t rport)
{
	struct tcp_repr t;
	uint32_t peer_iss = 1000u + rport;

	H.rport = rport;
	h_seg_in(TCP_SYN, peer_iss, 0, H.peer_win, NULL, NULL, 0);
	pop_tcp(&t);
	ck_assert_uint_eq(t.flags, TCP_SYN | TCP_ACK);
	ck_assert_uint_eq(t.dst_port, rport);
	h_seg_in(TCP_RST, peer_iss + 1u, 0, H.peer_win, NULL, NULL, 0);
	ck_assert_uint_eq(tcp_pcbs_in_use(&H.st), 0);
	return t.seq;
}

/* Our SYN towards the peer's port 80; returns its source port, then
 * aborts the attempt (nothing is sent in SYN-SENT). */
static uint16_t active_port(void)
{
	struct tcp_repr t;
	struct tcp_pcb *c = tcp_connect(&H.st, H_PEER_IP, 80, h_cb, &H);

	ck_assert_ptr_nonnull(c);
	h_poll();
	pop_tcp(&t);
	ck_assert_uint_eq(t.flags, TCP_SYN);
	tcp_abort(&H.st, c);
	h_poll();
	OUT_NOTHING();
	return t.src_port;
}

static uint32_t inv32(uint32_t d) /* d odd */
{
	uint32_t x = d;
	for (int i = 0; i < 5; i++)
		x *= 2u - d * x;
	return x;
}

/* Windows of four values where X1 - X0 is odd determine a and c of an
 * affine recurrence from the first three; count those that predict the
 * fourth. Returns the number of windows tested through *tested. */
static unsigned affine_predictions(const uint32_t *x, unsigned n, unsigned *tested)
{
	unsigned hits = 0;

	*tested = 0;
	for (unsigned i = 0; i + 3 < n; i++) {
		uint32_t d = x[i + 1] - x[i];
		if ((d & 1u) == 0)
			continue;
		uint32_t a = (x[i + 2] - x[i + 1]) * inv32(d);
		uint32_t c = x[i + 1] - a * x[i];
		(*tested)++;
		hits += a * x[i + 2] + c == x[i + 3];
	}
	return hits;
}

/* Chi-square of the top `bits` bits over 2^bits bins. */
static double chi_square_top(const uint32_t *x, unsigned n, unsigned bits)
{
	unsigned bins = 1u << bits, count[256] = {0};
	double e = (double)n / bins, chi = 0;

	for (unsigned i = 0; i < n; i++)
		count[x[i] >> (32u - bits)]++;
	for (unsigned b = 0; b < bins; b++)
		chi += ((double)count[b] - e) * ((double)count[b] - e) / e;
	return chi;
}

static void assert_bits_balanced(const uint32_t *x, unsigned n, unsigned nbits)
{
	double sd = sqrt(n / 4.0), worst = 0;
	for (unsigned b = 0; b < nbits; b++) {
		unsigned ones = 0;
		for (unsigned i = 0; i < n; i++)
			ones += (x[i] >> b) & 1u;
		if (fabs((double)ones - n / 2.0) / sd > worst)
			worst = fabs((double)ones - n / 2.0) / sd;
		if (verbose() && b + 1 == nbits)
			printf("  bit balance over %u values, %u bits: worst bit %.2f sd from n/2\n", n, nbits, worst);
		ck_assert_msg(fabs((double)ones - n / 2.0) < 5 * sd, "bit %u set in %u of %u", b, ones, n);
	}
}

static void assert_chi_square(const uint32_t *x, unsigned n, unsigned bits)
{
	double df = (double)((1u << bits) - 1u), sd = sqrt(2 * df), chi = chi_square_top(x, n, bits);
	if (verbose())
		printf("  chi-square, top %u bits of %u values: %.1f (df %.0f, sd %.1f)\n", bits, n, chi, df, sd);
	ck_assert_msg(chi > df - 5 * sd && chi < df + 5 * sd, "chi-square %.1f over %u bins (expected %.0f +- %.1f)", chi,
		      1u << bits, df, sd);
}

/* ISNs of 4096 different 4-tuples (peer ports) at one instant. */
START_TEST(test_isn_across_tuples_unpredictable)
{
	static uint32_t x[N_TUPLES];
	unsigned tested, same_diff = 0;

	h_listen();
	for (unsigned i = 0; i < N_TUPLES; i++)
		x[i] = passive_isn((uint16_t)(1024u + i));
	for (unsigned i = 0; i + 2 < N_TUPLES; i++)
		same_diff += x[i + 2] - x[i + 1] == x[i + 1] - x[i];
	unsigned hits = affine_predictions(x, N_TUPLES, &tested);
	if (verbose())
		printf("ISN, %u 4-tuples at one instant: equal consecutive differences %u; affine recurrence "
		       "predicted %u of %u windows\n", N_TUPLES, same_diff, hits, tested);
	ck_assert_uint_le(same_diff, 1);
	ck_assert_uint_eq(hits, 0);
	ck_assert_uint_gt(tested, N_TUPLES / 3u);
	assert_bits_balanced(x, N_TUPLES, 32);
	assert_chi_square(x, N_TUPLES, 8);
}
END_TEST

/* One 4-tuple at irregular times, with other tuples' connections in
 * between: ISN - M stays one constant (M = now / 4.096 us), so the ISN is
 * the clock plus a secret offset, never a count of connections. */
START_TEST(test_isn_same_tuple_follows_clock_not_count)
{
	uint32_t off = 0;
	unsigned others = 0;

	h_listen();
	for (unsigned i = 0; i < 200; i++) {
		uint32_t isn = passive_isn(40000);
		uint32_t m = (uint32_t)(H.now >> 12);
		if (i == 0)
			off = isn - m;
		ck_assert_uint_eq(isn - m, off);
		if (verbose() && i == 199)
			printf("ISN, one 4-tuple, 200 opens at irregular times with %u other opens between: ISN - M constant "
			       "(0x%08x)\n", others, off);
		for (unsigned j = 0; j < i % 7u; j++)
			(void)passive_isn((uint16_t)(41000u + i * 7u + j)), others++; /* other tuples */
		h_advance(NET_US(1) * (1u + (i * 7919u) % 5000u)); /* irregular gaps */
	}
	/* The offset is the secret part: another tuple at the same time does
	 * not share it. */
	ck_assert_uint_ne(passive_isn(40001) - (uint32_t)(H.now >> 12), off);
}
END_TEST

/* The ISNs depend on the key (cfg.isn_key, from the HAL or the run's
 * seed): another key gives unrelated ISNs for the same tuples and time. */
START_TEST(test_isn_depends_on_key)
{
	static uint32_t a[256], d[256];

	h_listen();
	for (unsigned i = 0; i < 256; i++)
		a[i] = passive_isn((uint16_t)(2000u + i));
	H.cfg.isn_key[5] ^= 0x20; /* one key bit */
	for (unsigned i = 0; i < 256; i++)
		d[i] = passive_isn((uint16_t)(2000u + i)) ^ a[i];
	/* A one-bit key change flips about half of every ISN's bits. */
	unsigned flipped = 0;
	for (unsigned i = 0; i < 256; i++)
		flipped += (unsigned)__builtin_popcount(d[i]);
	if (verbose())
		printf("ISN, one key bit changed: %u of 8192 ISN bits flipped\n", flipped);
	ck_assert_msg(flipped > 256u * 16u - 5u * 64u && flipped < 256u * 16u + 5u * 64u, "%u of 8192 bits flipped",
		      flipped);
}
END_TEST

static double chi_ports(const unsigned *bins, double e)
{
	double chi = 0;
	for (unsigned b = 0; b < 64; b++)
		chi += (bins[b] - e) * (bins[b] - e) / e;
	return chi;
}

/* 2000 active opens to one endpoint: ports in 49152..65535, never the
 * previous one plus a constant, spread evenly over the range. */
START_TEST(test_ephemeral_ports_not_sequential)
{
	static uint32_t p[2000];
	unsigned n = 2000, seq_like = 0, same_step = 0, bins[64] = {0};
	double chi, e = n / 64.0;

	for (unsigned i = 0; i < n; i++) {
		p[i] = active_port();
		ck_assert_uint_ge(p[i], 49152u);
		bins[(p[i] - 49152u) >> 8]++;
	}
	for (unsigned i = 0; i + 1 < n; i++)
		seq_like += p[i + 1] == p[i] + 1u;
	for (unsigned i = 0; i + 2 < n; i++)
		same_step += p[i + 2] - p[i + 1] == p[i + 1] - p[i];
	if (verbose())
		printf("ports, %u active opens to one endpoint: next = previous + 1: %u; equal steps %u; chi-square over 64 "
		       "bins %.1f (df 63)\n", n, seq_like, same_step, 0.0 + chi_ports(bins, e));
	ck_assert_uint_le(seq_like, 3);
	ck_assert_uint_le(same_step, 3);
	chi = chi_ports(bins, e);
	ck_assert_msg(chi > 63 - 5 * sqrt(126.0) && chi < 63 + 5 * sqrt(126.0), "port chi-square %.1f (63 expected)", chi);
	/* The 14 bits below the range's fixed top two are balanced. */
	assert_bits_balanced(p, n, 14);
}
END_TEST

/* The AVR build's F (NET_ISN_HALFSIPHASH: HalfSipHash-2-4, 32-bit words,
 * the first 8 key bytes) over the same message layout as tcp_isn.c - our
 * address, the remote address, the ports and a zero word - passes the same
 * statistics as the host's SipHash-2-4. (The host stack is built with
 * SipHash, so this calls the function directly.) */
START_TEST(test_halfsiphash_f_statistics)
{
	static uint32_t x[N_TUPLES];
	unsigned tested;

	for (unsigned i = 0; i < N_TUPLES; i++) {
		uint8_t m[14];
		wire_put32(m, H_OUR_IP);
		wire_put32(m + 4, H_PEER_IP);
		wire_put16(m + 8, H_SERVER_PORT);
		wire_put16(m + 10, (uint16_t)(1024u + i));
		wire_put16(m + 12, 0);
		x[i] = net_halfsiphash(H.cfg.isn_key, m, sizeof m);
	}
	unsigned hits = affine_predictions(x, N_TUPLES, &tested);
	if (verbose())
		printf("HalfSipHash F, %u 4-tuples: affine recurrence predicted %u of %u windows\n", N_TUPLES, hits,
		       tested);
	ck_assert_uint_eq(hits, 0);
	assert_bits_balanced(x, N_TUPLES, 32);
	assert_chi_square(x, N_TUPLES, 8);
}
END_TEST

static Suite *isn_suite(void)
{
	Suite *s = suite_create("stack_isn");
	TCase *t = tcase_create("rfc6528");
	tcase_add_checked_fixture(t, h_setup, h_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_isn_across_tuples_unpredictable);
	tcase_add_test(t, test_isn_same_tuple_follows_clock_not_count);
	tcase_add_test(t, test_isn_depends_on_key);
	tcase_add_test(t, test_ephemeral_ports_not_sequential);
	tcase_add_test(t, test_halfsiphash_f_statistics);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(isn_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
