/*
 * test_soak.c - the short soak (sim/soak.h) CI runs: TCP connections
 * between two of our stacks on links with 1 % and 15 % of each impairment
 * (loss, duplication, reordering, corruption), then the same with every
 * ENC28J60 erratum switch and fault injection on. Fixed seeds: the runs
 * are deterministic and take well under a second each. The full soak is
 * build/bench/soak (10,000 connections per mode).
 *
 * Every connection must close normally on both sides with both
 * directions' bytes intact (length and FNV-1a hash), within the bound
 * soak.c derives; no block may leak; every frame lost must be one the link
 * or a chip was told to lose.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "soak.h"

static void run(uint64_t seed, uint32_t conns, uint32_t ppm, bool faults, struct soak_result *r)
{
	struct soak_config c = {0};
	c.seed = seed;
	c.connections = conns;
	c.impair_ppm = ppm;
	c.chip_faults = faults;
	bool ok = soak_run(&c, r);
	ck_assert_msg(ok, "soak seed %" PRIu64 " at %u ppm%s: %u/%u passed, %u wedged, %u reset, %u timeout, %u bad data, "
			  "%u leaked, frames %s; first failure: %s",
		      seed, ppm, faults ? " with chip faults" : "", r->passed, r->started, r->wedged, r->reset, r->timeout,
		      r->bad_data, r->leaked, r->frames.balanced ? "balanced" : "NOT balanced", r->first_failure);
	ck_assert_uint_eq(r->passed, conns);
	ck_assert_uint_le(r->worst_ns, r->bound_ns);
	ck_assert_uint_le(r->release_ns, r->release_bound_ns);
	ck_assert_uint_eq(r->leaked, 0);
	ck_assert_uint_eq(r->frames.unexplained, 0);
}

/* The bound is the derivation soak.c states: G = (R + 1) * rto_max, six
 * steps, TIME-WAIT longer than the peer's FIN retransmission span. */
START_TEST(test_bound_derivation)
{
	struct soak_bounds b;
	soak_bounds(&b);
	ck_assert_uint_eq(b.stall_ms, (b.retries + 1u) * b.rto_max_ms);
	ck_assert_uint_eq(b.bound_ms, 6u * (uint64_t)b.stall_ms);
	ck_assert_uint_gt(b.time_wait_ms, b.stall_ms);
	ck_assert_uint_gt(b.fin_wait2_ms, b.stall_ms);
	ck_assert_uint_eq(b.release_bound_ms, (uint64_t)b.time_wait_ms + b.stall_ms);
}
END_TEST

START_TEST(test_soak_light_impairment)
{
	struct soak_result r;
	run(11, 300, 10000, false, &r);
	ck_assert_uint_gt(r.frames.link_lost, 0);
}
END_TEST

/* At 15 % the impairments must actually bite: retransmissions, every kind
 * of link loss, and still every byte delivered. */
START_TEST(test_soak_heavy_impairment)
{
	struct soak_result r;
	run(15, 600, 150000, false, &r);
	ck_assert_uint_gt(r.retransmits, 300);
	ck_assert_uint_gt(r.frames.link_lost, 300);
	ck_assert_uint_gt(r.frames.link_corrupt, 300);
	ck_assert_uint_gt(r.frames.duplicated, 300);
	ck_assert_uint_gt(r.bytes, 300u * 1024u / 2u);
}
END_TEST

/* The same with every erratum switch and fault injection on: each kind
 * of injected fault must have happened, and the drivers must have
 * recovered from every stalled and aborted transmission. */
START_TEST(test_soak_chip_faults)
{
	struct soak_result r;
	run(16, 600, 150000, true, &r);
	ck_assert_uint_gt(r.frames.chip_crc_injected, 0);
	ck_assert_uint_gt(r.frames.chip_overflow, 0);
	ck_assert_uint_gt(r.frames.chip_link_down, 0);
	ck_assert_uint_gt(r.frames.tx_latecol_retries, 0);
	ck_assert_uint_gt(r.frames.tx_stalls, 0);
	ck_assert_uint_gt(r.frames.tx_aborts_injected, 0);
	ck_assert_uint_eq(r.frames.diagnostics, 0);
}
END_TEST

START_TEST(test_soak_chip_faults_light)
{
	struct soak_result r;
	run(17, 300, 10000, true, &r);
}
END_TEST

/* The soak can fail, and the TIME-WAIT it derives matters: with a 2 s
 * TIME-WAIT at 15 % a FIN retransmitted after our ACK of it was lost can
 * arrive when the block is gone, and RFC 9293 §3.10.7.1 answers it with a
 * RST (correct for that setting) - the peer's application sees a reset. */
START_TEST(test_soak_short_time_wait_draws_rst)
{
	struct soak_config c = {0};
	struct soak_result r;
	c.seed = 15;
	c.connections = 300;
	c.impair_ppm = 150000;
	c.time_wait_ms = 2000;
	ck_assert(!soak_run(&c, &r));
	ck_assert_uint_gt(r.reset, 0);
	ck_assert_uint_eq(r.wedged, 0);
	ck_assert_uint_eq(r.bad_data, 0);
	ck_assert_uint_eq(r.leaked, 0);
}
END_TEST

static Suite *soak_suite(void)
{
	Suite *s = suite_create("sim_soak");
	TCase *tc = tcase_create("soak");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bound_derivation);
	tcase_add_test(tc, test_soak_light_impairment);
	tcase_add_test(tc, test_soak_heavy_impairment);
	tcase_add_test(tc, test_soak_chip_faults);
	tcase_add_test(tc, test_soak_chip_faults_light);
	tcase_add_test(tc, test_soak_short_time_wait_draws_rst);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(soak_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
