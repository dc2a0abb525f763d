/*
 * test_stack_tcp_reset.c - RFC 9293 reset generation (§3.5.2 groups 1-3)
 * and reset processing (§3.5.3, §3.10.7, RFC 5961), the MUST-11/MUST-66/
 * SHLD-2/SHLD-3 items, ABORT in every state (§3.10.5), the challenge-ACK
 * rate limit and the RFC 5961 / RFC 1337 profiles. Sequence numbers are
 * relative (tcp_harness.h).
 */
#include "tcp_harness.h"

/* ---------- Group 1: CLOSED ---------- */

START_TEST(test_closed_syn_rst_ack_seq_zero)
{
	H.lport = 9999; /* nobody listens */
	H.rport = H_CLIENT_PORT;
	IN(TCP_SYN, 0, 0);
	OUT_ABS(TCP_RST | TCP_ACK, 0, H.peer_iss + 1);
	ck_assert_uint_eq(STAT(TCP_NO_CONN), 1);
}
END_TEST

START_TEST(test_closed_ack_rst_seq_from_ack)
{
	H.lport = 9999;
	H.rport = H_CLIENT_PORT;
	IN_ABS(TCP_ACK, 100, 34);
	OUT_ABS(TCP_RST, 34, 0);
	ck_assert_uint_eq(H.last.tcp.ack, 0);
	ck_assert_uint_eq(H.last.tcp.window, 0);
}
END_TEST

/* SEG.LEN counts data, and FIN as one. */
START_TEST(test_closed_fin_data_rst_ack_covers_len)
{
	H.lport = 9999;
	H.rport = H_CLIENT_PORT;
	IN_DATA(TCP_FIN, 10, 0, "abc", 3);
	OUT_ABS(TCP_RST | TCP_ACK, 0, H.peer_iss + 10 + 3 + 1);
}
END_TEST

START_TEST(test_closed_rst_not_answered)
{
	H.lport = 9999;
	H.rport = H_CLIENT_PORT;
	IN_ABS(TCP_RST, 5, 0);
	IN_ABS(TCP_RST | TCP_ACK, 5, 7);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_RST_NO_CONN), 2);
}
END_TEST

/* MUST-57: a segment to a broadcast address never gets a RST. */
START_TEST(test_closed_broadcast_syn_no_rst)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t seg[20], f[80];
	struct tcp_repr r;

	memset(&r, 0, sizeof(r));
	r.src_port = H_CLIENT_PORT;
	r.dst_port = 9999;
	r.seq = 1;
	r.flags = TCP_SYN;
	r.window = 1000;
	tcp_emit(&r, seg, sizeof(seg));
	tcp_checksum(seg, 20, H_PEER_IP, H_OUR_IP);
	h_inject(f, h_build_ip(f, bcast, H_PEER_IP, H_OUR_IP, IPV4_PROTO_TCP, seg, 20));
	tcp_checksum(seg, 20, H_PEER_IP, 0xC0A801FFu);
	h_inject(f, h_build_ip(f, NULL, H_PEER_IP, 0xC0A801FFu, IPV4_PROTO_TCP, seg, 20));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_BCAST), 2);
	ck_assert_uint_eq(STAT(TCP_RST_SENT), 0);
}
END_TEST

/* ---------- Group 2: LISTEN, SYN-SENT, SYN-RECEIVED ---------- */

START_TEST(test_listen_ack_rst_seq_from_ack)
{
	h_listen();
	IN_ABS(TCP_ACK, 100, 34);
	OUT_ABS(TCP_RST, 34, 0);
	ck_assert_uint_eq(STAT(TCP_LISTEN_ACK), 1);
	ck_assert_uint_eq(tcp_pcbs_in_use(&H.st), 0);
}
END_TEST

START_TEST(test_listen_synack_rst_seq_from_ack)
{
	h_listen();
	IN_ABS(TCP_SYN | TCP_ACK, 100, 77);
	OUT_ABS(TCP_RST, 77, 0);
}
END_TEST

START_TEST(test_listen_rst_ignored)
{
	h_listen();
	IN_ABS(TCP_RST, 100, 0);
	IN_ABS(TCP_RST | TCP_ACK, 100, 5);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_LISTEN_RST), 2);
}
END_TEST

START_TEST(test_listen_fin_dropped)
{
	h_listen();
	IN(TCP_FIN, 0, 0);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_LISTEN_NOSYN), 1);
}
END_TEST

/* ACK =< ISS or > SND.NXT is unacceptable: <SEQ=SEG.ACK><CTL=RST>. */
START_TEST(test_syn_sent_bad_ack_rst_state_kept)
{
	h_to_syn_sent();
	IN(TCP_ACK, 0, 5);
	OUT(TCP_RST, 5, 0);
	IN(TCP_SYN | TCP_ACK, 0, 0); /* SEG.ACK = ISS */
	OUT(TCP_RST, 0, 0);
	STATE_IS(TCP_SYN_SENT);
	NO_EVENT();
}
END_TEST

START_TEST(test_syn_sent_rst_bad_ack_dropped)
{
	h_to_syn_sent();
	IN(TCP_RST | TCP_ACK, 0, 5);
	OUT_NOTHING(); /* never answer a RST */
	STATE_IS(TCP_SYN_SENT);
	ck_assert_uint_eq(STAT(TCP_SYNSENT_BAD_ACK), 1);
}
END_TEST

START_TEST(test_syn_sent_rst_without_ack_ignored)
{
	h_to_syn_sent();
	IN(TCP_RST, 0, 0);
	OUT_NOTHING();
	STATE_IS(TCP_SYN_SENT);
	ck_assert_uint_eq(STAT(TCP_SYNSENT_RST_IGNORED), 1);
}
END_TEST

START_TEST(test_syn_sent_rst_acking_syn_refused)
{
	h_to_syn_sent();
	IN(TCP_RST | TCP_ACK, 0, 1);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	EVENT(TCP_EV_REFUSED);
}
END_TEST

START_TEST(test_syn_received_bad_ack_rst_state_kept)
{
	h_to_syn_received();
	IN(TCP_ACK, 1, 5);
	OUT(TCP_RST, 5, 0);
	STATE_IS(TCP_SYN_RECEIVED);
	IN(TCP_ACK, 1, 1);
	EVENT(TCP_EV_CONNECTED);
	STATE_IS(TCP_ESTABLISHED);
}
END_TEST

/* The peer repeats its SYN (our SYN-ACK was lost): same SYN-ACK again. */
START_TEST(test_syn_received_dup_syn_resends_synack)
{
	struct tcp_options o = {.present = TCP_OPTF_MSS, .mss = 1460};
	uint16_t mss;

	h_to_syn_received();
	mss = H.last.tcp.opt.mss;
	h_seg_in(TCP_SYN, H.peer_iss, 0, H.peer_win, &o, NULL, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	ck_assert_uint_eq(H.last.tcp.opt.mss, mss);
	STATE_IS(TCP_SYN_RECEIVED);
}
END_TEST

/* SYN-ACK retransmitted on RTO with identical options. */
START_TEST(test_syn_received_timeout_resends_synack)
{
	h_to_syn_received();
	h_advance(NET_S(1));
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	ck_assert_uint_eq(H.last.tcp.opt.present, TCP_OPTF_MSS);
	ck_assert_uint_eq(H.last.tcp.opt.mss, TEST_OUR_MSS);
}
END_TEST

/* The seed from the server's side: Linux's RST seq=0 lands outside
 * SYN-RECEIVED's window and is dropped (RFC 5961), no state change. */
START_TEST(test_syn_received_rst_seq_zero_dropped)
{
	h_to_syn_received();
	IN_ABS(TCP_RST, 0, 0);
	OUT_NOTHING();
	STATE_IS(TCP_SYN_RECEIVED);
	ck_assert_uint_eq(STAT(TCP_RST_OUT_OF_WINDOW), 1);
}
END_TEST

/* ---------- MUST-11 ---------- */

START_TEST(test_syn_received_rst_returns_to_listen)
{
	h_to_syn_received();
	IN(TCP_RST, 1, 0);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	NO_EVENT();
	ck_assert_uint_eq(STAT(TCP_RETURN_LISTEN), 1);
	ck_assert_uint_eq(tcp_pcbs_in_use(&H.st), 0);
	/* still listening */
	H.iss_known = false;
	H.peer_iss += 1000;
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
}
END_TEST

START_TEST(test_syn_received_active_rst_refused)
{
	h_to_syn_sent();
	IN(TCP_SYN, 0, 0); /* simultaneous open */
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	STATE_IS(TCP_SYN_RECEIVED);
	IN(TCP_RST, 1, 0);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	EVENT(TCP_EV_REFUSED);
}
END_TEST

START_TEST(test_syn_received_passive_syn_in_window_returns_to_listen)
{
	h_to_syn_received();
	IN(TCP_SYN, 5, 0);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	ck_assert_uint_eq(STAT(TCP_SYNRCVD_SYN), 1);
}
END_TEST

/* ---------- Group 3 and RST processing in every synchronized state ---------- */

struct sync_case {
	void (*build)(void);
	enum tcp_state st;
	uint32_t snd; /* SND.NXT, relative */
	uint32_t rcv; /* RCV.NXT, relative */
	bool attached; /* the application still hears about it */
	bool abort_rst; /* ABORT sends RST (RFC 9293 §3.10.5) */
};

static const struct sync_case sync_cases[] = {
	{h_to_established, TCP_ESTABLISHED, 1, 1, true, true},
	{h_to_fin_wait_1, TCP_FIN_WAIT_1, 2, 1, true, true},
	{h_to_fin_wait_2, TCP_FIN_WAIT_2, 2, 1, true, true},
	{h_to_close_wait, TCP_CLOSE_WAIT, 1, 2, true, true},
	{h_to_closing, TCP_CLOSING, 2, 2, true, false},
	{h_to_last_ack, TCP_LAST_ACK, 2, 2, true, false},
	{h_to_time_wait, TCP_TIME_WAIT, 2, 2, false, false},
};
#define NSYNC ((int)(sizeof(sync_cases) / sizeof(sync_cases[0])))

static const struct sync_case *sync_build(int i)
{
	const struct sync_case *k = &sync_cases[i];

	k->build();
	STATE_IS(k->st);
	return k;
}

START_TEST(test_sync_rst_exact_resets)
{
	const struct sync_case *k = sync_build(_i);

	IN(TCP_RST, k->rcv, 0);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	if (k->attached)
		EVENT(TCP_EV_RESET);
	NO_EVENT();
	ck_assert_uint_eq(STAT(TCP_RST_ACCEPTED), 1);
}
END_TEST

START_TEST(test_sync_rst_in_window_challenge_ack)
{
	const struct sync_case *k = sync_build(_i);

	IN(TCP_RST, k->rcv + 100, 0);
	OUT(TCP_ACK, k->snd, k->rcv);
	STATE_IS(k->st);
	IN(TCP_RST, k->rcv + NET_TCP_RCV_WND - 1, 0); /* right edge */
	OUT(TCP_ACK, k->snd, k->rcv);
	STATE_IS(k->st);
	ck_assert_uint_eq(STAT(TCP_RST_IN_WINDOW), 2);
	ck_assert_uint_eq(STAT(TCP_CHALLENGE_ACKS), 2);
}
END_TEST

START_TEST(test_sync_rst_out_of_window_dropped)
{
	const struct sync_case *k = sync_build(_i);

	IN(TCP_RST, k->rcv + NET_TCP_RCV_WND, 0); /* outside right */
	IN(TCP_RST, k->rcv - 1, 0);               /* outside left */
	OUT_NOTHING();
	STATE_IS(k->st);
	ck_assert_uint_eq(STAT(TCP_RST_OUT_OF_WINDOW), 2);
}
END_TEST

START_TEST(test_sync_syn_challenge_ack)
{
	const struct sync_case *k = sync_build(_i);

	IN(TCP_SYN, k->rcv + 5, 0);
	OUT(TCP_ACK, k->snd, k->rcv);
	IN(TCP_SYN, k->rcv + 100000, 0); /* irrespective of the sequence number */
	OUT(TCP_ACK, k->snd, k->rcv);
	STATE_IS(k->st);
	ck_assert_uint_eq(STAT(TCP_SYN_IN_SYNC), 2);
}
END_TEST

/* Group 3: an unacceptable segment gets <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
START_TEST(test_sync_unacceptable_seq_empty_ack)
{
	const struct sync_case *k = sync_build(_i);

	IN_DATA(TCP_ACK | TCP_PSH, k->rcv + NET_TCP_RCV_WND + 10, k->snd, "zz", 2);
	OUT(TCP_ACK, k->snd, k->rcv);
	IN(TCP_ACK, k->rcv - 10, k->snd);
	OUT(TCP_ACK, k->snd, k->rcv);
	STATE_IS(k->st);
	ck_assert_uint_eq(STAT(TCP_SEQ_REJECT), 2);
}
END_TEST

/* ABORT (RFC 9293 §3.10.5): <SEQ=SND.NXT><CTL=RST> from SYN-RECEIVED to
 * CLOSE-WAIT; in CLOSING, LAST-ACK and TIME-WAIT "Respond with "ok" and
 * delete the TCB": nothing is sent. Either way the block is gone, no event
 * is raised, and the peer's next segment meets CLOSED. (In TIME-WAIT the
 * application was already told CLOSED; the block is aborted the way the
 * stack itself would.) */
START_TEST(test_sync_abort)
{
	const struct sync_case *k = sync_build(_i);

	tcp_abort(&H.st, h_pcb());
	H.conn = NULL;
	if (k->abort_rst)
		OUT(TCP_RST | TCP_ACK, k->snd, k->rcv);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	NO_EVENT();
	ck_assert_uint_eq(STAT(TCP_RST_SENT), k->abort_rst ? 1u : 0u);
	IN(TCP_ACK, k->rcv, k->snd);
	OUT(TCP_RST, k->snd, 0);
}
END_TEST

START_TEST(test_syn_received_abort_sends_rst)
{
	h_to_syn_received();
	tcp_abort(&H.st, h_pcb());
	OUT(TCP_RST | TCP_ACK, 1, 1);
	STATE_IS(TCP_CLOSED);
	NO_EVENT();
}
END_TEST

/* SYN-SENT: the peer has no connection to reset. */
START_TEST(test_syn_sent_abort_sends_nothing)
{
	h_to_syn_sent();
	tcp_abort(&H.st, H.conn);
	H.conn = NULL;
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	NO_EVENT();
}
END_TEST

/* RFC 793 profile (5961 off): any in-window RST resets. */
START_TEST(test_sync_rfc793_rst_in_window_resets)
{
	const struct sync_case *k;

	net_set_profile(&H.st, 0);
	k = sync_build(_i);
	IN(TCP_RST, k->rcv + 100, 0);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	if (k->attached)
		EVENT(TCP_EV_RESET);
}
END_TEST

/* RFC 793 profile: an in-window SYN is answered with RST and resets. */
START_TEST(test_sync_rfc793_syn_in_window_rst)
{
	const struct sync_case *k;

	net_set_profile(&H.st, 0);
	k = sync_build(_i);
	IN(TCP_SYN, k->rcv + 5, 0);
	OUT_ABS(TCP_RST | TCP_ACK, 0, H.peer_iss + k->rcv + 6);
	STATE_IS(TCP_CLOSED);
	if (k->attached)
		EVENT(TCP_EV_RESET);
}
END_TEST

/* MUST-66: a RST is processed with a zero receive window. */
START_TEST(test_established_zero_window_rst_resets)
{
	h_to_established();
	tcp_set_rcv_wnd(&H.st, H.conn, 0);
	IN(TCP_RST, 1, 0);
	STATE_IS(TCP_CLOSED);
	EVENT(TCP_EV_RESET);
}
END_TEST

START_TEST(test_established_zero_window_rst_inexact_dropped)
{
	h_to_established();
	tcp_set_rcv_wnd(&H.st, H.conn, 0);
	IN(TCP_RST, 2, 0);
	OUT_NOTHING();
	STATE_IS(TCP_ESTABLISHED);
}
END_TEST

/* SHLD-2: a RST carrying data is accepted. */
START_TEST(test_established_rst_with_data_resets)
{
	h_to_established();
	IN_DATA(TCP_RST | TCP_ACK, 1, 1, "diag", 4);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	EVENT(TCP_EV_RESET);
	ck_assert_uint_eq(H.rx_len, 0);
}
END_TEST

/* SHLD-3: closing with received data unread sends RST. */
START_TEST(test_established_close_unread_sends_rst)
{
	h_to_established();
	H.policy = H_CLOSE_UNREAD;
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "hello", 5);
	OUT(TCP_RST | TCP_ACK, 1, 1);
	STATE_IS(TCP_CLOSED);
	EVENT(TCP_EV_DATA);
	NO_EVENT();
	ck_assert_uint_eq(STAT(TCP_CLOSE_UNREAD_RST), 1);
}
END_TEST

/* RFC 1337 profile: RST in TIME-WAIT is ignored. */
START_TEST(test_time_wait_rst_ignored_rfc1337)
{
	net_set_profile(&H.st, NET_PROFILE_RFC5961 | NET_PROFILE_RFC1337);
	h_to_time_wait();
	IN(TCP_RST, 2, 0);
	OUT_NOTHING();
	STATE_IS(TCP_TIME_WAIT);
	ck_assert_uint_eq(STAT(TCP_TW_RST_IGNORED), 1);
}
END_TEST

/* Challenge ACKs are rate limited (RFC 5961 §7), per configured interval. */
START_TEST(test_established_challenge_ack_rate_limited)
{
	H.cfg.challenge_ack_limit = 2;
	H.cfg.challenge_ack_interval_ms = 500;
	h_to_established();
	IN(TCP_RST, 10, 0);
	OUT(TCP_ACK, 1, 1);
	IN(TCP_SYN, 20, 0);
	OUT(TCP_ACK, 1, 1);
	IN(TCP_RST, 30, 0);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_CHALLENGE_LIMITED), 1);
	h_advance(NET_MS(500));
	IN(TCP_RST, 40, 0);
	OUT(TCP_ACK, 1, 1);
	STATE_IS(TCP_ESTABLISHED);
}
END_TEST

/* RFC 5961 §5 (MAY-12): ACK beyond SND.NXT or older than SND.UNA-MAX.SND.WND. */
START_TEST(test_established_ack_unacceptable_challenge_ack)
{
	h_to_established();
	IN(TCP_ACK, 1, 100);
	OUT(TCP_ACK, 1, 1);
	IN(TCP_ACK, 1, 1 - H_PEER_WIN - 10);
	OUT(TCP_ACK, 1, 1);
	ck_assert_uint_eq(STAT(TCP_ACK_UNACCEPTABLE), 2);
	IN(TCP_ACK, 1, 1 - 100); /* old but inside MAX.SND.WND: a duplicate */
	OUT_NOTHING();
	STATE_IS(TCP_ESTABLISHED);
}
END_TEST

START_TEST(test_established_rfc793_old_ack_ignored)
{
	net_set_profile(&H.st, 0);
	h_to_established();
	IN(TCP_ACK, 1, 1 - H_PEER_WIN - 10);
	OUT_NOTHING();
	IN(TCP_ACK, 1, 100); /* acks something not yet sent: ACK, drop */
	OUT(TCP_ACK, 1, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack_tcp_reset");
	TCase *g = tcase_create("generation");
	TCase *p = tcase_create("processing");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(g, h_setup, h_teardown);
	tcase_add_test(g, test_closed_syn_rst_ack_seq_zero);
	tcase_add_test(g, test_closed_ack_rst_seq_from_ack);
	tcase_add_test(g, test_closed_fin_data_rst_ack_covers_len);
	tcase_add_test(g, test_closed_rst_not_answered);
	tcase_add_test(g, test_closed_broadcast_syn_no_rst);
	tcase_add_test(g, test_listen_ack_rst_seq_from_ack);
	tcase_add_test(g, test_listen_synack_rst_seq_from_ack);
	tcase_add_test(g, test_listen_rst_ignored);
	tcase_add_test(g, test_listen_fin_dropped);
	tcase_add_test(g, test_syn_sent_bad_ack_rst_state_kept);
	tcase_add_test(g, test_syn_sent_rst_bad_ack_dropped);
	tcase_add_test(g, test_syn_sent_rst_without_ack_ignored);
	tcase_add_test(g, test_syn_sent_rst_acking_syn_refused);
	tcase_add_test(g, test_syn_received_bad_ack_rst_state_kept);
	tcase_add_test(g, test_syn_received_dup_syn_resends_synack);
	tcase_add_test(g, test_syn_received_timeout_resends_synack);
	tcase_add_test(g, test_syn_received_rst_seq_zero_dropped);
	suite_add_tcase(s, g);

	tcase_add_checked_fixture(p, h_setup, h_teardown);
	tcase_add_test(p, test_syn_received_rst_returns_to_listen);
	tcase_add_test(p, test_syn_received_active_rst_refused);
	tcase_add_test(p, test_syn_received_passive_syn_in_window_returns_to_listen);
	tcase_add_loop_test(p, test_sync_rst_exact_resets, 0, NSYNC);
	tcase_add_loop_test(p, test_sync_rst_in_window_challenge_ack, 0, NSYNC);
	tcase_add_loop_test(p, test_sync_rst_out_of_window_dropped, 0, NSYNC);
	tcase_add_loop_test(p, test_sync_syn_challenge_ack, 0, NSYNC);
	tcase_add_loop_test(p, test_sync_unacceptable_seq_empty_ack, 0, NSYNC);
	tcase_add_loop_test(p, test_sync_abort, 0, NSYNC);
	tcase_add_test(p, test_syn_received_abort_sends_rst);
	tcase_add_test(p, test_syn_sent_abort_sends_nothing);
	tcase_add_loop_test(p, test_sync_rfc793_rst_in_window_resets, 0, NSYNC);
	tcase_add_loop_test(p, test_sync_rfc793_syn_in_window_rst, 0, NSYNC);
	tcase_add_test(p, test_established_zero_window_rst_resets);
	tcase_add_test(p, test_established_zero_window_rst_inexact_dropped);
	tcase_add_test(p, test_established_rst_with_data_resets);
	tcase_add_test(p, test_established_close_unread_sends_rst);
	tcase_add_test(p, test_time_wait_rst_ignored_rfc1337);
	tcase_add_test(p, test_established_challenge_ack_rate_limited);
	tcase_add_test(p, test_established_ack_unacceptable_challenge_ack);
	tcase_add_test(p, test_established_rfc793_old_ack_ignored);
	suite_add_tcase(s, p);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
