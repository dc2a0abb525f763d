/*
 * test_inject.c - blind injection (RFC 5961) against our stack, through
 * sim/inject.h: an off-path attacker floods an established connection.
 *
 * Rates like W / 2^32 cannot be measured in a test, so most cases scale
 * the space the attacker draws from (inject.h, space_bits): the success
 * probabilities grow by the same factor for both profiles, and a fixed
 * seed makes each count exact and repeatable. The bounds are set around
 * the theory (inject.c) so that each case fails if the rule it is about is
 * missing: with RFC 5961's exact-RST rule gone, the "on" RST case sees the
 * RFC 793 count (~100, bound 2); with its SYN rule gone, the SYN case sees
 * ~100 (bound 0); with its ACK window gone, the data case sees ~39 (bound
 * 14). The RFC 793 cases check that the experiment can succeed at all.
 *
 * RFC 5961 §3.2: "If the RST bit is set and the sequence number exactly
 * matches the next expected sequence number (RCV.NXT), then TCP MUST
 * reset the connection." ... "If the RST bit is set and the sequence
 * number does not exactly match the next expected sequence value, yet is
 * within the current receive window, TCP MUST send an acknowledgment
 * (challenge ACK)".
 * RFC 5961 §4.2: "If the SYN bit is set, irrespective of the sequence
 * number, TCP MUST send an ACK (also referred to as challenge ACK) to the
 * remote peer".
 * RFC 5961 §5.2: the ACK value is acceptable only if it is in the range
 * of ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT).
 * RFC 5961 §7: "An implementation SHOULD include an ACK throttling
 * mechanism".
 */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>

#include "inject.h"

static struct inject_result flood(enum inject_kind kind, bool rfc5961, uint64_t count, unsigned bits, bool in_window)
{
	struct inject_config c = {0};
	struct inject_result r;
	c.seed = 5961;
	c.kind = kind;
	c.rfc5961 = rfc5961;
	c.count = count;
	c.space_bits = bits;
	c.rate = 2000;
	c.data_len = 64;
	c.in_window_only = in_window;
	c.rcv_wnd = 1024; /* the window the theories below assume, whatever the stack's default */
	ck_assert_msg(inject_run(&c, &r), "experiment broke: %s", r.error);
	ck_assert_uint_eq(r.sent, count);
	ck_assert_uint_eq(r.reached, count); /* the victim kept up: every segment was judged */
	ck_assert_msg(r.healthy_after, "the connection no longer carries data after the flood");
	return r;
}

/* The stack-wide throttle: at most `limit` challenge ACKs per interval, so
 * over T seconds at most limit * (T / interval + 1). */
static void assert_throttled(const struct inject_result *r)
{
	double intervals = r->seconds * 1000.0 / r->chack_interval_ms + 1.0;
	ck_assert_msg((double)r->challenge_acks <= r->chack_limit * intervals,
		      "%" PRIu64 " challenge ACKs in %.1f s, limit %u per %u ms", r->challenge_acks, r->seconds,
		      r->chack_limit, r->chack_interval_ms);
	/* A fixed interval lets two bursts meet across its edge, never more. */
	ck_assert_uint_le(r->chack_max_1s, 2u * r->chack_limit);
}

/* In-window RSTs (never RCV.NXT): RFC 793 resets on each, RFC 5961 on none,
 * and answers with challenge ACKs the throttle holds to its limit. */
START_TEST(test_in_window_rst_flood)
{
	struct inject_result off = flood(INJECT_RST, false, 200, 32, true);
	ck_assert_uint_eq(off.successes, 200);
	struct inject_result on = flood(INJECT_RST, true, 10000, 32, true);
	ck_assert_uint_eq(on.successes, 0);
	ck_assert_uint_gt(on.challenge_acks, 0);
	ck_assert_uint_gt(on.challenge_limited, on.challenge_acks); /* the flood outran the limit */
	ck_assert_uint_eq(on.challenge_acks + on.challenge_limited, on.reached);
	assert_throttled(&on);
}
END_TEST

/* Random RSTs over 2^16 values, window 1024: theory W/S = 1/64 (RFC 793,
 * ~100 of 6400) and 1/S (RFC 5961, ~0.1 of 6400). */
START_TEST(test_random_rst_scaled)
{
	struct inject_result off = flood(INJECT_RST, false, 6400, 16, false);
	ck_assert_msg(off.successes >= 60 && off.successes <= 140, "RFC 793: %" PRIu64 " resets of 6400 (theory 100)",
		      off.successes);
	struct inject_result on = flood(INJECT_RST, true, 6400, 16, false);
	ck_assert_msg(on.successes <= 2, "RFC 5961: %" PRIu64 " resets of 6400 (theory 0.1)", on.successes);
	assert_throttled(&on);
}
END_TEST

/* Random SYNs over 2^16 values: RFC 793 resets on an in-window SYN (~100
 * of 6400), RFC 5961 never. */
START_TEST(test_random_syn_scaled)
{
	struct inject_result off = flood(INJECT_SYN, false, 6400, 16, false);
	ck_assert_msg(off.successes >= 60 && off.successes <= 140, "RFC 793: %" PRIu64 " resets of 6400 (theory 100)",
		      off.successes);
	struct inject_result on = flood(INJECT_SYN, true, 6400, 16, false);
	ck_assert_uint_eq(on.successes, 0);
	ck_assert_uint_eq(on.challenge_acks + on.challenge_limited, on.reached);
	assert_throttled(&on);
}
END_TEST

/* Data with SEQ and ACK over 2^14 values, 64 bytes: the SEQ lands with
 * L/S = 1/256; RFC 793 takes about half the ACKs (~39 of 20000), RFC 5961
 * only (MAX.SND.WND + 1)/S = 1025/16384 of them (~4.9). */
START_TEST(test_random_data_scaled)
{
	struct inject_result off = flood(INJECT_DATA, false, 20000, 14, false);
	ck_assert_msg(off.successes >= 20 && off.successes <= 60, "RFC 793: %" PRIu64 " of 20000 (theory 39)",
		      off.successes);
	struct inject_result on = flood(INJECT_DATA, true, 20000, 14, false);
	ck_assert_msg(on.successes <= 14, "RFC 5961: %" PRIu64 " of 20000 (theory 4.9)", on.successes);
	assert_throttled(&on);
}
END_TEST

/* The real blind attack on the largest window: no success with RFC 5961
 * (theory 20000 / 2^32 = 5e-6 expected). */
START_TEST(test_blind_rst_and_syn)
{
	struct inject_result r = flood(INJECT_RST, true, 20000, 32, false);
	ck_assert_uint_eq(r.successes, 0);
	r = flood(INJECT_SYN, true, 20000, 32, false);
	ck_assert_uint_eq(r.successes, 0);
	assert_throttled(&r);
}
END_TEST

static Suite *inject_suite(void)
{
	Suite *s = suite_create("sim_inject");
	TCase *tc = tcase_create("rfc5961");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_in_window_rst_flood);
	tcase_add_test(tc, test_random_rst_scaled);
	tcase_add_test(tc, test_random_syn_scaled);
	tcase_add_test(tc, test_random_data_scaled);
	tcase_add_test(tc, test_blind_rst_and_syn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inject_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
