/*
 * test_stack_seed.c - the motivating bug (seed 000_648aa07549c524ab), both
 * ways. A homemade stack answered a Linux SYN with a SYN-ACK acknowledging
 * 0; Linux (SYN-SENT, RFC 9293 §3.10.7.3) answered RST seq=0, no ACK bit.
 */
#include "tcp_harness.h"

/* As a server our SYN-ACK acknowledges IRS+1, never 0. */
START_TEST(test_listen_syn_synack_acks_irs_plus_one)
{
	h_listen();
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	ck_assert_uint_eq(H.last.tcp.ack, 1240744645u);
	ck_assert_uint_ne(H.last.tcp.ack, 0u);
	ck_assert(H.last.tcp.opt.present & TCP_OPTF_MSS);
	STATE_IS(TCP_SYN_RECEIVED);
}
END_TEST

/* As a client, the seed's bad SYN-ACK (ack 0) gets <SEQ=0><CTL=RST>; our
 * SYN is retransmitted with identical options after the RTO; a correct
 * SYN-ACK then completes the connection. */
START_TEST(test_syn_sent_synack_ack_zero_rst_seq_zero_then_completes)
{
	struct tcp_options o1, o2;
	uint32_t iss;

	h_to_syn_sent();
	o1 = H.last.tcp.opt;
	iss = H.our_iss;
	ck_assert_uint_ne(iss, 0xFFFFFFFFu); /* else ack 0 would be right */
	IN_ABS(TCP_SYN | TCP_ACK, 4039242319u, 0);
	OUT_ABS(TCP_RST, 0, 0);
	ck_assert_uint_eq(H.last.tcp.flags, TCP_RST); /* no ACK bit */
	ck_assert_uint_eq(STAT(TCP_SYNSENT_BAD_ACK), 1);
	STATE_IS(TCP_SYN_SENT);
	NO_EVENT();
	h_advance(NET_MS(999));
	OUT_NOTHING();
	h_advance(NET_MS(1));
	OUT(TCP_SYN, 0, 0);
	o2 = H.last.tcp.opt;
	ck_assert_uint_eq(o1.present, o2.present);
	ck_assert_uint_eq(o1.mss, o2.mss);
	ck_assert_uint_eq(H.last.tcp.window, NET_TCP_RCV_WND);
	IN(TCP_SYN | TCP_ACK, 0, 1);
	OUT(TCP_ACK, 1, 1);
	EVENT(TCP_EV_CONNECTED);
	STATE_IS(TCP_ESTABLISHED);
}
END_TEST

/* With ISS = 0xFFFFFFFF the ack the seed's server sent (0) is exactly
 * ISS+1 mod 2^32: correct, accepted. */
START_TEST(test_syn_sent_iss_wraps_synack_ack_zero_accepted)
{
	H.force_iss = true;
	H.forced_iss = 0xFFFFFFFFu;
	h_poll();
	h_to_syn_sent();
	ck_assert_uint_eq(H.our_iss, 0xFFFFFFFFu);
	IN_ABS(TCP_SYN | TCP_ACK, H.peer_iss, 0);
	OUT(TCP_ACK, 1, 1);
	ck_assert_uint_eq(H.last.tcp.seq, 0u);
	EVENT(TCP_EV_CONNECTED);
	STATE_IS(TCP_ESTABLISHED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack_seed");
	TCase *tc = tcase_create("seed");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, h_setup, h_teardown);
	tcase_add_test(tc, test_listen_syn_synack_acks_irs_plus_one);
	tcase_add_test(tc, test_syn_sent_synack_ack_zero_rst_seq_zero_then_completes);
	tcase_add_test(tc, test_syn_sent_iss_wraps_synack_ack_zero_accepted);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
