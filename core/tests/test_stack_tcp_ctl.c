/*
 * test_stack_tcp_ctl.c - controls and text the stack acts on beyond the
 * ordinary flow, or deliberately does not (each decision is documented at
 * its place in core/ and in docs/architecture.md):
 *   - URG (RFC 9293 §3.8.5, sixth step of §3.10.7.4): the application is
 *     told of a new or advanced urgent pointer (MUST-32) and can ask how
 *     much urgent data remains (MUST-33); the bytes stay in-line;
 *   - text and FIN on a SYN-ACK in SYN-SENT, text on a SYN in LISTEN: not
 *     taken, not acknowledged, so the peer sends them again.
 * Sequence numbers are relative (tcp_harness.h).
 */
#include "tcp_harness.h"

#include <string.h>

static const struct tcp_options syn_opts = {.present = TCP_OPTF_MSS, .mss = 1460};

/* ---------- urgent data ---------- */

/* An urgent pointer 5 bytes into a 10-byte segment: URGENT (n 5) before
 * DATA, the bytes in-line, acknowledged as any; tcp_urgent_left() counts
 * down as the application reads and is 0 past the pointer. */
START_TEST(test_established_urgent_signalled_before_data)
{
	h_to_established();
	ck_assert_uint_eq(tcp_urgent_left(H.conn), 0);
	H.policy = H_READ_LIMIT;
	H.read_limit = 3;
	H.peer_urg = 5;
	IN_DATA(TCP_ACK | TCP_PSH | TCP_URG, 1, 1, "urgentdata", 10);
	OUT(TCP_ACK, 1, 4);
	EVENT(TCP_EV_URGENT);
	ck_assert_uint_eq(H.ev_n[H.ev_read - 1], 5);
	EVENT(TCP_EV_DATA);
	NO_EVENT();
	ck_assert_uint_eq(tcp_urgent_left(H.conn), 2); /* 3 of the 5 read */
	H.policy = H_READ_ALL;
	IN_DATA(TCP_ACK | TCP_PSH, 4, 1, "entdata", 7); /* the rest, URG no longer set */
	OUT(TCP_ACK, 1, 11);
	EVENT(TCP_EV_DATA);
	NO_EVENT();
	ck_assert_mem_eq(H.rx, "urgentdata", 10);
	ck_assert_uint_eq(tcp_urgent_left(H.conn), 0);
}
END_TEST

/* MUST-32: told again only when the pointer advances, not for the same
 * pointer on the next segment, nor for one the application has read past
 * (a retransmission). A pure ACK may carry the pointer ahead of the data. */
START_TEST(test_established_urgent_signalled_once_per_pointer)
{
	h_to_established();
	H.peer_urg = 20; /* pointer at 21: beyond the data yet */
	IN(TCP_ACK | TCP_URG, 1, 1);
	EVENT(TCP_EV_URGENT);
	ck_assert_uint_eq(H.ev_n[H.ev_read - 1], 20);
	OUT_NOTHING();
	H.peer_urg = 10; /* 11 + 10 = 21: the same pointer */
	IN_DATA(TCP_ACK | TCP_PSH | TCP_URG, 1, 1, "0123456789", 10);
	OUT(TCP_ACK, 1, 11);
	EVENT(TCP_EV_DATA);
	NO_EVENT();
	ck_assert_uint_eq(tcp_urgent_left(H.conn), 10);
	H.peer_urg = 20; /* 11 + 20 = 31: advanced */
	IN_DATA(TCP_ACK | TCP_PSH | TCP_URG, 11, 1, "abcdefghijklmnopqrst", 20);
	OUT(TCP_ACK, 1, 31);
	EVENT(TCP_EV_URGENT);
	ck_assert_uint_eq(H.ev_n[H.ev_read - 1], 20);
	EVENT(TCP_EV_DATA);
	ck_assert_uint_eq(tcp_urgent_left(H.conn), 0);
	IN_DATA(TCP_ACK | TCP_PSH | TCP_URG, 11, 1, "abcdefghijklmnopqrst", 20); /* retransmitted */
	OUT(TCP_ACK, 1, 31);
	NO_EVENT();
}
END_TEST

/* MUST-31: urgent data of any length; the count saturates at 65535. The
 * sequence space wraps under the pointer (peer ISN just below 2^32). */
START_TEST(test_established_urgent_long_and_wrapping)
{
	H.peer_iss = 0xFFFFFFF0u;
	h_to_established();
	H.peer_urg = 0xFFFFu; /* pointer 1 + 65535 from RCV.NXT's segment */
	IN_DATA(TCP_ACK | TCP_PSH | TCP_URG, 1, 1, "abcdefghijklmnopqrstuvwxyz", 26);
	OUT(TCP_ACK, 1, 27);
	EVENT(TCP_EV_URGENT);
	ck_assert_uint_eq(H.ev_n[H.ev_read - 1], 0xFFFFu);
	EVENT(TCP_EV_DATA);
	ck_assert_uint_eq(tcp_urgent_left(H.conn), 0xFFFFu - 26u);
}
END_TEST

/* FIN-WAIT-2 still receives text, so URG counts there; after the peer's
 * FIN (CLOSE-WAIT) "This should not occur ... Ignore the URG". */
START_TEST(test_fin_wait_2_urgent_signalled)
{
	h_to_fin_wait_2();
	H.peer_urg = 2;
	IN_DATA(TCP_ACK | TCP_PSH | TCP_URG, 1, 2, "late", 4);
	OUT(TCP_ACK, 2, 5);
	EVENT(TCP_EV_URGENT);
	EVENT(TCP_EV_DATA);
}
END_TEST

START_TEST(test_close_wait_urgent_ignored)
{
	h_to_close_wait();
	H.peer_urg = 5;
	IN(TCP_ACK | TCP_URG, 2, 1);
	OUT_NOTHING();
	NO_EVENT();
	ck_assert_uint_eq(tcp_urgent_left(H.conn), 0);
}
END_TEST

/* ---------- text and FIN on a SYN ---------- */

/* RFC 9293 §3.10.7.3 would go on to the sixth step with the rest of a
 * SYN-ACK; the stack (as Linux) acknowledges the SYN only and drops the
 * text, the FIN and the URG: nothing is lost, the peer sends them again. */
START_TEST(test_syn_sent_synack_text_fin_not_taken)
{
	h_to_syn_sent();
	H.peer_urg = 1;
	h_seg_in(TCP_SYN | TCP_ACK | TCP_FIN | TCP_URG, H.peer_iss, H.our_iss + 1, H.peer_win, &syn_opts, "abc", 3);
	OUT(TCP_ACK, 1, 1);
	EVENT(TCP_EV_CONNECTED);
	NO_EVENT();
	STATE_IS(TCP_ESTABLISHED);
	ck_assert_uint_eq(STAT(TCP_SYN_DATA_IGNORED), 1);
	ck_assert_uint_eq(H.rx_len, 0);
	IN_DATA(TCP_FIN | TCP_ACK | TCP_PSH, 1, 1, "abc", 3); /* sent again */
	OUT(TCP_ACK, 1, 5);
	EVENT(TCP_EV_DATA);
	EVENT(TCP_EV_PEER_CLOSED);
	STATE_IS(TCP_CLOSE_WAIT);
	ck_assert_mem_eq(H.rx, "abc", 3);
}
END_TEST

/* LISTEN, third check: "any other control or text should be queued for
 * processing later" - not here: there is no receive buffer and no
 * application yet. The SYN-ACK acknowledges the SYN only; the text, sent
 * again after the handshake, is delivered then. */
START_TEST(test_listen_syn_text_not_queued)
{
	h_listen();
	h_seg_in(TCP_SYN, H.peer_iss, 0, H.peer_win, &syn_opts, "hello", 5);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	ck_assert_uint_eq(STAT(TCP_SYN_DATA_IGNORED), 1);
	IN(TCP_ACK, 1, 1);
	OUT_NOTHING();
	EVENT(TCP_EV_CONNECTED);
	NO_EVENT();
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "hello", 5);
	OUT(TCP_ACK, 1, 6);
	EVENT(TCP_EV_DATA);
	ck_assert_mem_eq(H.rx, "hello", 5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack_tcp_ctl");
	TCase *t = tcase_create("ctl");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, h_setup, h_teardown);
	tcase_add_test(t, test_established_urgent_signalled_before_data);
	tcase_add_test(t, test_established_urgent_signalled_once_per_pointer);
	tcase_add_test(t, test_established_urgent_long_and_wrapping);
	tcase_add_test(t, test_fin_wait_2_urgent_signalled);
	tcase_add_test(t, test_close_wait_urgent_ignored);
	tcase_add_test(t, test_syn_sent_synack_text_fin_not_taken);
	tcase_add_test(t, test_listen_syn_text_not_queued);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
