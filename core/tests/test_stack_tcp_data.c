/*
 * test_stack_tcp_data.c - TCP data in both directions: delivery and the
 * ACKs for it (delayed ACKs, duplicate ACKs, fast retransmit), the receive
 * window (trimming, a zero window), sending by the peer's MSS and the MSS
 * a SYN-ACK offers, the send ring in device memory vs the RAM fallback,
 * sequence wrap-around, and malformed options and checksums.
 * Timers, retransmission and closing are in test_stack_tcp_timers.c.
 */
#include "tcp_harness.h"

#include <string.h>

/* ---------- receive ---------- */

START_TEST(test_established_data_delivered_and_acked)
{
	h_to_established();
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "hello", 5);
	OUT(TCP_ACK, 1, 6);
	EVENT(TCP_EV_DATA);
	ck_assert_uint_eq(H.rx_len, 5);
	ck_assert_mem_eq(H.rx, "hello", 5);
	/* a retransmission of the same bytes is acknowledged, not delivered */
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "hello", 5);
	OUT(TCP_ACK, 1, 6);
	NO_EVENT();
	/* partly old, partly new: only the new part is delivered */
	IN_DATA(TCP_ACK | TCP_PSH, 3, 1, "llo, you", 8);
	OUT(TCP_ACK, 1, 11);
	EVENT(TCP_EV_DATA);
	ck_assert_mem_eq(H.rx, "hello, you", 10);
}
END_TEST

/* What the application does not read is not acknowledged. */
START_TEST(test_established_unread_data_not_acked)
{
	h_to_established();
	H.policy = H_READ_LIMIT;
	H.read_limit = 2;
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "hello", 5);
	OUT(TCP_ACK, 1, 3);
	EVENT(TCP_EV_DATA);
	ck_assert_uint_eq(STAT(TCP_UNREAD), 1);
	H.policy = H_READ_ALL;
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "hello", 5);
	OUT(TCP_ACK, 1, 6);
	ck_assert_mem_eq(H.rx, "hello", 5);
}
END_TEST

#if NET_TCP_FAST_RTX
/* A full send ring in two segments, 1460 and the rest. */
static uint16_t two_segments_out(void)
{
	static uint8_t data[4096];
	uint16_t n;

	h_to_established();
	n = H.st.snd_buf;
	ck_assert_uint_gt(n, 1460);
	ck_assert_uint_le(n, 2920);
	ck_assert_uint_eq(H.conn->mss, 1460);
	ck_assert_uint_eq(tcp_send(&H.st, H.conn, data, n), n);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 1460);
	OUT_DATA(TCP_ACK | TCP_PSH, 1461, 1, n - 1460);
	return n;
}

/* RFC 5827 early retransmit: with two segments out, three duplicates can
 * never come; one (oseg - 1) means the first was lost. Recovery goes back
 * to SND.UNA (tcp_in.c) and further duplicates of the same window start
 * nothing (RFC 6582 "recover"). */
START_TEST(test_fast_retransmit_early_threshold)
{
	uint16_t n = two_segments_out();

	IN(TCP_ACK, 1, 1);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 1460);
	OUT_DATA(TCP_ACK | TCP_PSH, 1461, 1, n - 1460);
	ck_assert_uint_eq(STAT(TCP_FAST_RETRANSMITS), 1);
	ck_assert_uint_eq(H.conn->ssthresh, 2920); /* max(FlightSize / 2, 2 * SMSS) */
	IN(TCP_ACK, 1, 1);
	IN(TCP_ACK, 1, 1);
	OUT_NOTHING();
	IN(TCP_ACK, 1, 1u + n);
	OUT_NOTHING();
	EVENT(TCP_EV_SENT);
	ck_assert_uint_eq(STAT(TCP_RETRANSMITS), 0);
}
END_TEST

/* A duplicate is only one with no data, no SYN/FIN, ACK = SND.UNA and an
 * unchanged window (RFC 5681 §2): a window change is not. */
START_TEST(test_fast_retransmit_needs_a_true_duplicate)
{
	(void)two_segments_out();
	IN_WIN(TCP_ACK, 1, 1, (uint16_t)(H.peer_win - 1));
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_FAST_RETRANSMITS), 0);
}
END_TEST

/* fast_rtx 0: only the timer repairs (bench_tcp's RTO-only runs). */
START_TEST(test_fast_retransmit_off)
{
	H.cfg.fast_rtx = 0;
	(void)two_segments_out();
	IN(TCP_ACK, 1, 1);
	IN(TCP_ACK, 1, 1);
	IN(TCP_ACK, 1, 1);
	OUT_NOTHING();
	h_advance(NET_S(1));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 1460);
	ck_assert_uint_eq(STAT(TCP_RETRANSMITS), 1);
}
END_TEST
#endif

#if NET_TCP_DELACK
/* Delayed ACK (RFC 9293 §3.8.6.3, SHLD-18/19): with delack_ms set, the
 * first in-order segment's ACK waits, the second segment is acknowledged
 * at once together with it. */
START_TEST(test_delayed_ack_every_second_segment)
{
	H.cfg.delack_ms = 100;
	h_to_established();
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "ab", 2);
	EVENT(TCP_EV_DATA);
	OUT_NOTHING();
	IN_DATA(TCP_ACK | TCP_PSH, 3, 1, "cd", 2);
	OUT(TCP_ACK, 1, 5);
	EVENT(TCP_EV_DATA);
	ck_assert_uint_eq(STAT(TCP_DELACKED), 1);
	ck_assert_uint_eq(STAT(TCP_DELACK_TIMEOUTS), 0);
}
END_TEST

/* MUST-40: a lone segment's ACK goes when the delay runs out; a delay of
 * 0.5 s or more is cut to 499 ms. */
START_TEST(test_delayed_ack_timer_below_half_a_second)
{
	H.cfg.delack_ms = 2000;
	h_to_established();
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "ab", 2);
	OUT_NOTHING();
	ck_assert_uint_le(h_next_deadline() - H.now, NET_MS(499));
	h_advance(NET_MS(498));
	OUT_NOTHING();
	h_advance(NET_MS(1));
	OUT(TCP_ACK, 1, 3);
	ck_assert_uint_eq(STAT(TCP_DELACK_TIMEOUTS), 1);
	h_advance(NET_S(1));
	OUT_NOTHING();
}
END_TEST

/* Data of ours carries the delayed ACK; a segment out of order, a
 * duplicate and a FIN are acknowledged at once (RFC 5681 §4.2). */
START_TEST(test_delayed_ack_rides_on_data_and_exceptions)
{
	H.cfg.delack_ms = 100;
	h_to_established();
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "ab", 2);
	OUT_NOTHING();
	ck_assert_uint_eq(tcp_send(&H.st, H.conn, "xyz", 3), 3);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 3, 3);
	IN(TCP_ACK, 3, 4);
	EVENT(TCP_EV_DATA);
	EVENT(TCP_EV_SENT);
	h_advance(NET_MS(200));
	OUT_NOTHING(); /* nothing was left owed */
	IN_DATA(TCP_ACK | TCP_PSH, 10, 4, "later", 5);
	OUT(TCP_ACK, 4, 3); /* out of order: at once */
	IN_DATA(TCP_ACK | TCP_PSH, 1, 4, "ab", 2);
	OUT(TCP_ACK, 4, 3); /* duplicate: at once */
	IN_DATA(TCP_ACK | TCP_PSH | TCP_FIN, 3, 4, "cd", 2);
	OUT(TCP_ACK, 4, 6); /* text and FIN: at once */
}
END_TEST

/* Without delack_ms (the default) every segment is acknowledged at once. */
START_TEST(test_delayed_ack_off_by_default)
{
	struct net_config d;

	net_config_defaults(&d);
	ck_assert_uint_eq(d.delack_ms, 0);
	H.cfg.delack_ms = d.delack_ms;
	h_to_established();
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "ab", 2);
	OUT(TCP_ACK, 1, 3);
	ck_assert_uint_eq(STAT(TCP_DELACKED), 0);
}
END_TEST
#endif

START_TEST(test_established_out_of_order_dup_ack)
{
	h_to_established();
	IN_DATA(TCP_ACK | TCP_PSH, 10, 1, "later", 5);
	OUT(TCP_ACK, 1, 1);
	NO_EVENT();
	ck_assert_uint_eq(STAT(TCP_OOO), 1);
}
END_TEST

/* Data beyond the receive window is trimmed (not delivered, not acked). */
START_TEST(test_established_data_trimmed_to_window)
{
	h_to_established();
	tcp_set_rcv_wnd(&H.st, H.conn, 3);
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "hello", 5);
	OUT(TCP_ACK, 1, 4);
	ck_assert_uint_eq(H.rx_len, 3);
}
END_TEST

/* A zero window still processes the ACK field of a segment at RCV.NXT. */
START_TEST(test_established_zero_window_ack_processed)
{
	h_to_established();
	tcp_set_rcv_wnd(&H.st, H.conn, 0);
	ck_assert_uint_eq(tcp_send(&H.st, H.conn, "ab", 2), 2);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 2);
	ck_assert_uint_eq(H.last.tcp.window, 0);
	IN_DATA(TCP_ACK | TCP_PSH, 1, 3, "xy", 2);
	OUT(TCP_ACK, 3, 1);
	EVENT(TCP_EV_SENT);
	NO_EVENT();
	tcp_set_rcv_wnd(&H.st, H.conn, 100); /* window update */
	OUT(TCP_ACK, 3, 1);
	ck_assert_uint_eq(H.last.tcp.window, 100);
}
END_TEST

/* ---------- send ---------- */

static void send_and_ack(bool devmem)
{
	uint32_t copies = H.dev.mem_copies;

	h_to_established();
	ck_assert_uint_eq(tcp_send(&H.st, H.conn, "abc", 3), 3);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	ck_assert_mem_eq(H.last.payload, "abc", 3);
	ck_assert_uint_eq(H.dev.mem_copies > copies, devmem);
	IN(TCP_ACK, 1, 4);
	OUT_NOTHING();
	EVENT(TCP_EV_SENT);
	ck_assert_uint_eq(H.ev_n[H.ev_read - 1], 3);
	ck_assert_uint_eq(tcp_send_space(&H.st, H.conn), H.st.snd_buf);
}

START_TEST(test_established_send_from_device_memory)
{
	ck_assert(H.st.use_devmem);
	send_and_ack(true);
}
END_TEST

START_TEST(test_established_send_from_ram_fallback)
{
	ck_assert(!H.st.use_devmem);
	ck_assert_uint_eq(H.st.snd_buf, NET_TCP_RAM_SND_BUF);
	send_and_ack(false);
}
END_TEST

/* Segments follow the peer's MSS; the ring wraps. */
START_TEST(test_established_send_segments_by_peer_mss)
{
	struct tcp_options o = {.present = TCP_OPTF_MSS, .mss = 100};
	uint8_t data[1024];
	unsigned i, round;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	h_listen();
	h_seg_in(TCP_SYN, H.peer_iss, 0, H.peer_win, &o, NULL, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	IN(TCP_ACK, 1, 1);
	EVENT(TCP_EV_CONNECTED);
	for (round = 0; round < 3; round++) {
		uint32_t base = 1 + round * 250;

		ck_assert_uint_eq(tcp_send(&H.st, H.conn, data + round * 250, 250), 250);
		OUT_DATA(TCP_ACK | TCP_PSH, base, 1, 100);
		ck_assert_mem_eq(H.last.payload, data + round * 250, 100);
		OUT_DATA(TCP_ACK | TCP_PSH, base + 100, 1, 100);
		OUT_DATA(TCP_ACK | TCP_PSH, base + 200, 1, 50);
		ck_assert_mem_eq(H.last.payload, data + round * 250 + 200, 50);
		IN(TCP_ACK, 1, base + 250);
		EVENT(TCP_EV_SENT);
	}
}
END_TEST

START_TEST(test_listen_syn_without_mss_uses_536)
{
	uint8_t data[600] = {0};

	h_listen();
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	IN(TCP_ACK, 1, 1);
	EVENT(TCP_EV_CONNECTED);
	tcp_send(&H.st, H.conn, data, sizeof(data));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 536);
	OUT_DATA(TCP_ACK | TCP_PSH, 537, 1, 64);
	IN(TCP_ACK, 1, 601);
	EVENT(TCP_EV_SENT);
}
END_TEST

/* Our MSS comes from our buffers: with rcv_mss 0, min(1460, receive
 * window). */
START_TEST(test_listen_synack_mss_from_buffers)
{
	H.cfg.rcv_mss = 0;
	H.cfg.rcv_wnd = 1024;
	h_to_syn_received();
	ck_assert_uint_eq(H.last.tcp.opt.present, TCP_OPTF_MSS);
	ck_assert_uint_eq(H.last.tcp.opt.mss, 1024);
}
END_TEST

/* The defaults: rcv_mss, a third of the window outside AVR, so three
 * segments fit the window (net_opts.h). */
START_TEST(test_listen_synack_mss_default)
{
	h_to_syn_received();
	ck_assert_uint_eq(H.last.tcp.opt.mss, TEST_OUR_MSS);
	ck_assert_uint_eq(H.last.tcp.window, NET_TCP_RCV_WND);
}
END_TEST

/* rcv_mss is capped by the window and by NET_TCP_MSS. */
START_TEST(test_listen_synack_mss_capped)
{
	H.cfg.rcv_mss = 4000;
	H.cfg.rcv_wnd = 3000;
	h_to_syn_received();
	ck_assert_uint_eq(H.last.tcp.opt.mss, 1460);
}
END_TEST

START_TEST(test_listen_synack_mss_capped_by_window)
{
	H.cfg.rcv_mss = 900;
	H.cfg.rcv_wnd = 800;
	h_to_syn_received();
	ck_assert_uint_eq(H.last.tcp.opt.mss, 800);
}
END_TEST

/* ---------- wrap-around ---------- */

/* Both ISNs just below 2^32: data crosses the wrap both ways. */
START_TEST(test_established_sequence_wraps)
{
	uint8_t buf[40];
	unsigned i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	H.force_iss = true;
	H.forced_iss = 0xFFFFFFF0u;
	H.peer_iss = 0xFFFFFFFAu;
	h_poll();
	h_to_established();
	ck_assert_uint_eq(H.our_iss, 0xFFFFFFF0u);
	tcp_send(&H.st, H.conn, buf, sizeof(buf));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 40);
	IN(TCP_ACK, 1, 21); /* partial, across the wrap */
	EVENT(TCP_EV_SENT);
	ck_assert_uint_eq(H.ev_n[H.ev_read - 1], 20);
	IN(TCP_ACK, 1, 41);
	EVENT(TCP_EV_SENT);
	IN_DATA(TCP_ACK | TCP_PSH, 1, 41, buf, 20);
	OUT(TCP_ACK, 41, 21);
	ck_assert_uint_eq(H.last.tcp.ack, 15u); /* 0xFFFFFFFA + 21 mod 2^32 */
	IN(TCP_RST, 21, 0); /* exact, after the wrap */
	STATE_IS(TCP_CLOSED);
	EVENT(TCP_EV_DATA);
	EVENT(TCP_EV_RESET);
}
END_TEST

/* ---------- malformed options ---------- */

static void inject_raw_opts(const uint8_t *opts, uint8_t olen)
{
	uint8_t seg[60], f[120];
	struct tcp_repr r;

	memset(&r, 0, sizeof(r));
	r.src_port = H.rport;
	r.dst_port = H.lport;
	r.seq = H.peer_iss;
	r.flags = TCP_SYN;
	r.window = 1000;
	tcp_emit(&r, seg, sizeof(seg));
	memcpy(seg + 20, opts, olen);
	seg[TCP_OFF_DOFF] = (uint8_t)(((20u + olen) / 4u) << 4);
	tcp_checksum(seg, 20u + olen, H.peer_ip, H_OUR_IP);
	h_inject(f, h_build_ip(f, NULL, H.peer_ip, H_OUR_IP, IPV4_PROTO_TCP, seg, (uint16_t)(20u + olen)));
}

START_TEST(test_listen_syn_zero_option_length_counted)
{
	static const uint8_t zero_len[4] = {TCP_OPT_MSS, 0, 0, 0};
	static const uint8_t overlong[4] = {TCP_OPT_NOP, 0x22, 8, 0};
	static const uint8_t unknown_ok[4] = {0x22, 4, 0, 0};

	h_listen();
	inject_raw_opts(zero_len, 4);
	inject_raw_opts(overlong, 4);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_BAD_OPTION), 2);
	STATE_IS(TCP_CLOSED);
	inject_raw_opts(unknown_ok, 4); /* unknown but well-formed: skipped */
	OUT(TCP_SYN | TCP_ACK, 0, 1);
}
END_TEST

START_TEST(test_established_bad_checksum_counted)
{
	uint8_t seg[20], f[80];
	struct tcp_repr r;

	h_to_established();
	memset(&r, 0, sizeof(r));
	r.src_port = H.rport;
	r.dst_port = H.lport;
	r.seq = H.peer_iss + 1;
	r.flags = TCP_RST;
	tcp_emit(&r, seg, sizeof(seg));
	tcp_checksum(seg, 20, H.peer_ip, H_OUR_IP);
	seg[17] ^= 1;
	h_inject(f, h_build_ip(f, NULL, H.peer_ip, H_OUR_IP, IPV4_PROTO_TCP, seg, 20));
	STATE_IS(TCP_ESTABLISHED);
	ck_assert_uint_eq(STAT(TCP_CHECKSUM), 1);
}
END_TEST

/* The echo demo's behaviour in a callback: echoed data goes out carrying
 * the ACK for what was read. */
START_TEST(test_established_echo_piggybacks_ack)
{
	h_to_established();
	H.policy = H_ECHO;
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "ping", 4);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 5, 4);
	ck_assert_mem_eq(H.last.payload, "ping", 4);
	OUT_NOTHING();
	IN(TCP_ACK, 5, 5);
	EVENT(TCP_EV_DATA);
	EVENT(TCP_EV_SENT);
}
END_TEST


int main(void)
{
	Suite *s = suite_create("stack_tcp_data");
	TCase *t = tcase_create("data");
	TCase *r = tcase_create("ram");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, h_setup, h_teardown);
	tcase_add_test(t, test_established_data_delivered_and_acked);
	tcase_add_test(t, test_established_unread_data_not_acked);
	tcase_add_test(t, test_established_out_of_order_dup_ack);
#if NET_TCP_FAST_RTX
	tcase_add_test(t, test_fast_retransmit_early_threshold);
	tcase_add_test(t, test_fast_retransmit_needs_a_true_duplicate);
	tcase_add_test(t, test_fast_retransmit_off);
#endif
#if NET_TCP_DELACK
	tcase_add_test(t, test_delayed_ack_every_second_segment);
	tcase_add_test(t, test_delayed_ack_timer_below_half_a_second);
	tcase_add_test(t, test_delayed_ack_rides_on_data_and_exceptions);
	tcase_add_test(t, test_delayed_ack_off_by_default);
#endif
	tcase_add_test(t, test_established_data_trimmed_to_window);
	tcase_add_test(t, test_established_zero_window_ack_processed);
	tcase_add_test(t, test_established_send_from_device_memory);
	tcase_add_test(t, test_established_send_segments_by_peer_mss);
	tcase_add_test(t, test_listen_syn_without_mss_uses_536);
	tcase_add_test(t, test_listen_synack_mss_from_buffers);
	tcase_add_test(t, test_listen_synack_mss_default);
	tcase_add_test(t, test_listen_synack_mss_capped);
	tcase_add_test(t, test_listen_synack_mss_capped_by_window);
	tcase_add_test(t, test_established_sequence_wraps);
	tcase_add_test(t, test_listen_syn_zero_option_length_counted);
	tcase_add_test(t, test_established_bad_checksum_counted);
	tcase_add_test(t, test_established_echo_piggybacks_ack);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(r, h_setup_nomem, h_teardown);
	tcase_add_test(r, test_established_send_from_ram_fallback);
	tcase_add_test(r, test_established_sequence_wraps);
	suite_add_tcase(s, r);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
