/*
 * time32_clock.c - what only the 32-bit microsecond clock has
 * (NET_TIME_BITS 32, the AVR default; built as test_stack_time32 against
 * synack_core_time32, see CMakeLists.txt): net_poll never returns "never"
 * but a deadline at most NET_TIME_MAX_MS ahead, so the caller's next time
 * comes before the clock wraps; the stack's milliseconds and the RFC 6528
 * ISN clock run on exactly across the wrap. The harness starts 5 s before
 * the wrap. The TCP suites run against the same library as *_time32.
 */
#include "tcp_harness.h"

#if NET_TIME_BITS != 32
#error "time32_clock.c is built with NET_TIME_BITS=32"
#endif

/* Idle, the deadline is the cap; with an ARP entry to age, that entry's
 * expiry, reached across the wrap. */
START_TEST(test_time32_idle_deadline_capped)
{
	uint8_t b[1514];
	net_time_t next = 0;
	unsigned i;

	for (i = 0; i < 8; i++) {
		next = h_next_deadline();
		ck_assert_uint_ne(next, NET_TIME_NEVER);
		ck_assert(NET_TIME_BEFORE(H.now, next));
		ck_assert_uint_le(next - H.now, NET_MS(NET_TIME_MAX_MS));
		if (next - H.now == NET_MS(NET_TIME_MAX_MS))
			break;
		H.now = next;
		while (h_pop_frame(b))
			;
	}
	ck_assert_uint_eq(next - H.now, NET_MS(NET_TIME_MAX_MS));
	/* Past the wrap now (the ARP entry alone takes 300 s). */
	ck_assert_uint_lt(H.now, NET_MS(4289967u));
	ck_assert_uint_eq(arp_entries_in_use(&H.st), 0);
}
END_TEST

/* RFC 9293 §3.4.1 (MUST-8): "the generator is bound to a (possibly
 * fictitious) 32-bit clock whose low-order bit is incremented roughly every
 * 4 microseconds". With 32-bit microseconds it is the milliseconds times
 * 250 plus the microseconds since over 4 (tcp_isn.c): 10 s across the wrap
 * of the microseconds advance it by exactly 2,500,000, and again after a
 * poll 30 min later (several wraps of the low bits, none of the ms). */
START_TEST(test_time32_isn_clock_across_wrap)
{
	uint32_t a, b, c;

	a = tcp_isn(&H.st, H_PEER_IP, 8888, 51486);
	h_advance(NET_S(10));
	ck_assert_uint_lt(H.now, NET_S(10)); /* wrapped */
	b = tcp_isn(&H.st, H_PEER_IP, 8888, 51486);
	ck_assert_uint_eq(b - a, 2500000u);
	h_advance(NET_US(1003)); /* into a millisecond */
	c = tcp_isn(&H.st, H_PEER_IP, 8888, 51486);
	ck_assert_uint_eq(c - b, 250u);
	h_advance(NET_MS(NET_TIME_MAX_MS));
	ck_assert_uint_eq(tcp_isn(&H.st, H_PEER_IP, 8888, 51486) - c, NET_TIME_MAX_MS * 250u);
}
END_TEST

/* The retransmission timer set 0.5 s before the wrap fires 1 s later (RFC
 * 6298 §2.1's initial RTO of 1 s), not at once and not 71 minutes on. */
START_TEST(test_time32_rto_across_wrap)
{
	net_time_t next;

	h_to_established();
	h_advance(NET_MS(4294967u) - NET_MS(500) - H.now); /* 0.5 s before the wrap */
	tcp_send(&H.st, H.conn, "abc", 3);
	h_poll(); /* the main loop polls after acting (tcp.h, Time) */
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	next = h_next_deadline();
	ck_assert(NET_TIME_BEFORE(H.now, next));
	ck_assert_uint_eq(next - H.now, NET_MS(1000));
	h_advance(NET_MS(999));
	ck_assert_uint_lt(H.now, NET_S(1)); /* wrapped */
	OUT_NOTHING();
	h_advance(NET_MS(1));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	IN(TCP_ACK, 1, 4);
	EVENT(TCP_EV_SENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack_time32");
	TCase *t = tcase_create("time32");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, h_setup, h_teardown);
	tcase_add_test(t, test_time32_idle_deadline_capped);
	tcase_add_test(t, test_time32_isn_clock_across_wrap);
	tcase_add_test(t, test_time32_rto_across_wrap);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
