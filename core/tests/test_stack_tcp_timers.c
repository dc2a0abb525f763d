/*
 * test_stack_tcp_timers.c - TCP's timers and the ends of a connection:
 * retransmission (RFC 6298 backoff and Karn), SYN and SYN-ACK retries,
 * zero-window probes and the send-window update (old ACKs leave it alone),
 * closing (TIME-WAIT, FIN-WAIT-2 timeout, simultaneous open and close),
 * the ISN (RFC 6528) and the connection pool when it is full.
 * Data transfer itself is in test_stack_tcp_data.c.
 */
#include "tcp_harness.h"

/* ---------- retransmission ---------- */

/* RFC 6298: RTO doubles on each timeout (1, 2, 4 s) and a retransmitted
 * segment gives no RTT sample (Karn); the next fresh one does. */
START_TEST(test_established_rto_backoff_and_karn)
{
	struct tcp_pcb *c;

	H.cfg.rto_min_ms = 10;
	h_to_established();
	c = H.conn;
	tcp_send(&H.st, c, "abc", 3);
	h_poll(); /* the main loop polls after acting (tcp.h, Time) */
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	h_advance(NET_MS(999));
	OUT_NOTHING();
	h_advance(NET_MS(1));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	h_advance(NET_MS(1999));
	OUT_NOTHING();
	h_advance(NET_MS(1));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	h_advance(NET_MS(3999));
	OUT_NOTHING();
	h_advance(NET_MS(1));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	ck_assert_uint_eq(STAT(TCP_RETRANSMITS), 3);
	h_advance(NET_MS(10));
	IN(TCP_ACK, 1, 4);
	EVENT(TCP_EV_SENT);
	ck_assert_uint_eq(c->srtt, 0); /* Karn: no sample from a retransmission */
	ck_assert_uint_eq(c->rto, 8000); /* backoff kept until a fresh sample */
	tcp_send(&H.st, c, "de", 2);
	h_poll(); /* the main loop polls after acting (tcp.h, Time) */
	OUT_DATA(TCP_ACK | TCP_PSH, 4, 1, 2);
	h_advance(NET_MS(50));
	IN(TCP_ACK, 1, 6);
	EVENT(TCP_EV_SENT);
	ck_assert_uint_eq(c->srtt, 50);
	/* RTO = SRTT + 4 * RTTVAR = 50 + 4 * 25 ms */
	ck_assert_uint_eq(c->rto, 150);
}
END_TEST

START_TEST(test_syn_sent_timeout_after_syn_retries)
{
	net_time_t t0;
	unsigned i;

	H.cfg.syn_retries = 3;
	h_to_syn_sent();
	t0 = H.now;
	for (i = 0; i < 3; i++) {
		H.now = t0 + NET_S((1u << (i + 1)) - 1); /* 1, 3, 7 s */
		h_poll();
		OUT(TCP_SYN, 0, 0);
		ck_assert_uint_eq(H.last.tcp.opt.mss, TEST_OUR_MSS);
	}
	H.now = t0 + NET_S(15);
	h_poll();
	OUT_NOTHING(); /* no RST for a connection that never existed */
	EVENT(TCP_EV_TIMEOUT);
	STATE_IS(TCP_CLOSED);
}
END_TEST

/* RFC 9293 §3.8.3 MUST-23: with the default configuration an unanswered
 * SYN is retransmitted for at least 3 minutes (RTO 1 s doubling, capped at
 * 60 s: 1, 3, 7, 15, 31, 63, 123 s) and the open fails only after 180 s. */
START_TEST(test_syn_sent_retransmits_for_3_minutes)
{
	static const unsigned at[] = {1, 3, 7, 15, 31, 63, 123};
	net_time_t t0;
	unsigned i;

	h_to_syn_sent();
	t0 = H.now;
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		H.now = t0 + NET_S(at[i]) - NET_MS(1);
		h_poll();
		OUT_NOTHING();
		H.now = t0 + NET_S(at[i]);
		h_poll();
		OUT(TCP_SYN, 0, 0);
	}
	H.now = t0 + NET_S(180);
	h_poll();
	OUT_NOTHING();
	NO_EVENT();
	STATE_IS(TCP_SYN_SENT);
	H.now = t0 + NET_S(183);
	h_poll();
	OUT_NOTHING();
	EVENT(TCP_EV_TIMEOUT);
	STATE_IS(TCP_CLOSED);
}
END_TEST

/* A passive half-open block is not held as long: SYN-ACKs at 1, 3, 7, 15,
 * 31 s (synack_retries 5), dropped silently at 63 s. */
START_TEST(test_syn_received_passive_dropped_after_synack_retries)
{
	net_time_t t0;
	unsigned i;

	h_to_syn_received();
	t0 = H.now;
	for (i = 0; i < 5; i++) {
		H.now = t0 + NET_S((1u << (i + 1)) - 1);
		h_poll();
		OUT(TCP_SYN | TCP_ACK, 0, 1);
	}
	H.now = t0 + NET_S(63);
	h_poll();
	OUT_NOTHING();
	NO_EVENT();
	ck_assert_uint_eq(tcp_pcbs_in_use(&H.st), 0);
}
END_TEST

/* An API call made after a long idle (no net_poll for 10 s) must not
 * start its timer on the stale clock of the last poll: the SYN is not
 * retransmitted at once on the next poll, the RTO is not doubled. */
START_TEST(test_closed_connect_after_idle_no_early_retransmission)
{
	net_time_t t0;

	H.now += NET_S(10); /* the board slept: no net_poll */
	t0 = H.now;
	h_to_syn_sent();
	h_poll();
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_RETRANSMITS), 0);
	ck_assert_uint_eq(h_pcb()->rto, 1000);
	H.now = t0 + NET_MS(999);
	h_poll();
	OUT_NOTHING();
	H.now = t0 + NET_S(1);
	h_poll();
	OUT(TCP_SYN, 0, 0);
	H.now = t0 + NET_S(3) - NET_MS(1);
	h_poll();
	OUT_NOTHING();
	H.now = t0 + NET_S(3);
	h_poll();
	OUT(TCP_SYN, 0, 0);
}
END_TEST

/* Same for data: the RTT sample of a segment sent after an idle period
 * measures the round trip, not the idle time. */
START_TEST(test_established_send_after_idle_rtt_from_send)
{
	struct tcp_pcb *c;

	H.cfg.rto_min_ms = 10;
	h_to_established();
	c = H.conn;
	H.now += NET_S(10);
	tcp_send(&H.st, c, "abc", 3);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	h_poll();
	OUT_NOTHING();
	h_advance(NET_MS(50));
	IN(TCP_ACK, 1, 4);
	EVENT(TCP_EV_SENT);
	ck_assert_uint_eq(c->srtt, 50);
	ck_assert_uint_eq(STAT(TCP_RETRANSMITS), 0);
}
END_TEST

START_TEST(test_established_timeout_sends_rst)
{
	H.cfg.max_retries = 1;
	h_to_established();
	tcp_send(&H.st, H.conn, "x", 1);
	h_poll(); /* the main loop polls after acting (tcp.h, Time) */
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 1);
	h_advance(NET_S(1));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 1);
	h_advance(NET_S(2));
	OUT(TCP_RST | TCP_ACK, 2, 1);
	EVENT(TCP_EV_TIMEOUT);
	STATE_IS(TCP_CLOSED);
	ck_assert_uint_eq(STAT(TCP_TIMEOUTS), 1);
}
END_TEST

/* Zero window: the retransmission timer becomes the persist timer and
 * sends one-byte probes with backoff; an opening window resumes. */
START_TEST(test_established_zero_window_probe)
{
	h_to_established();
	IN_WIN(TCP_ACK, 1, 1, 0);
	ck_assert_uint_eq(tcp_send(&H.st, H.conn, "abcd", 4), 4);
	h_poll(); /* the main loop polls after acting (tcp.h, Time) */
	OUT_NOTHING();
	h_advance(NET_S(1));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 1);
	IN_WIN(TCP_ACK, 1, 1, 0); /* probe refused */
	OUT_NOTHING();
	h_advance(NET_MS(1999));
	OUT_NOTHING();
	h_advance(NET_MS(1));
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 1);
	ck_assert_uint_eq(STAT(TCP_PROBES), 2);
	IN_WIN(TCP_ACK, 1, 2, 1000); /* probe byte taken, window open */
	EVENT(TCP_EV_SENT);
	OUT_DATA(TCP_ACK | TCP_PSH, 2, 1, 3);
	ck_assert_mem_eq(H.last.payload, "bcd", 3);
	IN(TCP_ACK, 1, 5);
	EVENT(TCP_EV_SENT);
	STATE_IS(TCP_ESTABLISHED);
}
END_TEST

/* RFC 9293 §3.10.7.4 ESTABLISHED, fifth check: "If SND.UNA =< SEG.ACK =<
 * SND.NXT, the send window should be updated." A segment with newer text
 * (SEG.SEQ > SND.WL1) but an ACK older than SND.UNA passes the WL1/WL2
 * test; its window of 0 must not stop new data. */
START_TEST(test_established_old_ack_zero_window_ignored)
{
	h_to_established();
	ck_assert_uint_eq(tcp_send(&H.st, H.conn, "abc", 3), 3);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	IN_DATA(TCP_ACK | TCP_PSH, 1, 4, "xyz", 3); /* SND.UNA 4, SND.WL1 1, SND.WL2 4 */
	OUT(TCP_ACK, 4, 4);
	EVENT(TCP_EV_SENT);
	EVENT(TCP_EV_DATA);
	h_seg_in(TCP_ACK | TCP_PSH, H.peer_iss + 4, H.our_iss + 1, 0, NULL, "uvw", 3); /* stale ACK 1, window 0 */
	OUT(TCP_ACK, 4, 7); /* its text is still taken */
	EVENT(TCP_EV_DATA);
	ck_assert_uint_eq(tcp_send(&H.st, H.conn, "def", 3), 3);
	OUT_DATA(TCP_ACK | TCP_PSH, 4, 7, 3); /* at once: SND.WND is still the peer's */
	ck_assert_uint_eq(STAT(TCP_PROBES), 0);
	IN(TCP_ACK, 7, 7);
	EVENT(TCP_EV_SENT);
	NO_EVENT();
}
END_TEST

/* ---------- closing ---------- */

START_TEST(test_time_wait_expires_after_2msl)
{
	H.cfg.time_wait_ms = 30000;
	h_to_time_wait();
	h_advance(NET_S(30) - 1);
	STATE_IS(TCP_TIME_WAIT);
	IN(TCP_FIN | TCP_ACK, 1, 2); /* retransmitted FIN: ACK, restart 2MSL */
	OUT(TCP_ACK, 2, 2);
	/* Restarted 1 ns before a millisecond boundary: timers round up to
	 * whole milliseconds, never down, so 2*MSL ends at the next one. */
	h_advance(NET_S(30));
	STATE_IS(TCP_TIME_WAIT);
	h_advance(1);
	STATE_IS(TCP_CLOSED);
	ck_assert_uint_eq(tcp_pcbs_in_use(&H.st), 0);
}
END_TEST

START_TEST(test_last_ack_ack_closes)
{
	h_to_last_ack();
	IN(TCP_ACK, 2, 2);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	EVENT(TCP_EV_CLOSED);
}
END_TEST

/* RFC 9293 §3.10.7.4 CLOSING, fifth check: the ACK of our FIN enters
 * TIME-WAIT and is not answered (only the peer's FIN earns an ACK); a
 * retransmission of the peer's FIN in TIME-WAIT still does. */
START_TEST(test_closing_ack_enters_time_wait_without_ack)
{
	h_to_closing();
	IN(TCP_ACK, 2, 2);
	OUT_NOTHING();
	STATE_IS(TCP_TIME_WAIT);
	EVENT(TCP_EV_CLOSED);
	IN(TCP_FIN | TCP_ACK, 1, 2);
	OUT(TCP_ACK, 2, 2);
	STATE_IS(TCP_TIME_WAIT);
}
END_TEST

START_TEST(test_fin_wait_1_finack_enters_time_wait)
{
	h_to_fin_wait_1();
	IN(TCP_FIN | TCP_ACK, 1, 2);
	OUT(TCP_ACK, 2, 2);
	STATE_IS(TCP_TIME_WAIT);
	EVENT(TCP_EV_CLOSED);
}
END_TEST

START_TEST(test_fin_wait_2_data_still_delivered)
{
	h_to_fin_wait_2();
	IN_DATA(TCP_ACK | TCP_PSH, 1, 2, "late", 4);
	OUT(TCP_ACK, 2, 5);
	EVENT(TCP_EV_DATA);
	ck_assert_mem_eq(H.rx, "late", 4);
}
END_TEST

START_TEST(test_established_close_sends_fin_after_data)
{
	h_to_established();
	tcp_send(&H.st, H.conn, "bye", 3);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 1, 3);
	tcp_close(&H.st, H.conn);
	OUT(TCP_FIN | TCP_ACK, 4, 1);
	IN(TCP_ACK, 1, 3); /* partial ack: FIN still out */
	EVENT(TCP_EV_SENT);
	STATE_IS(TCP_FIN_WAIT_1);
	h_advance(NET_S(1)); /* timeout: data and FIN again */
	OUT_DATA(TCP_ACK | TCP_PSH | TCP_FIN, 3, 1, 1);
	IN(TCP_ACK, 1, 5);
	EVENT(TCP_EV_SENT);
	STATE_IS(TCP_FIN_WAIT_2);
}
END_TEST

/* RFC 9293 §3.10.4: CLOSE in SYN-RECEIVED (simultaneous open; nothing
 * sent yet) sends FIN at ISS+1 and enters FIN-WAIT-1, not RST. An ACK of
 * both SYN and FIN leads to FIN-WAIT-2, the peer's FIN to TIME-WAIT. */
START_TEST(test_syn_received_close_sends_fin)
{
	h_to_syn_sent();
	IN(TCP_SYN, 0, 0); /* simultaneous open */
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	STATE_IS(TCP_SYN_RECEIVED);
	ck_assert_int_eq(tcp_close(&H.st, H.conn), TCP_OK);
	h_poll();
	OUT(TCP_FIN | TCP_ACK, 1, 1);
	OUT_NOTHING();
	STATE_IS(TCP_FIN_WAIT_1);
	ck_assert_uint_eq(STAT(TCP_RST_SENT), 0);
	IN(TCP_ACK, 1, 2); /* acks SYN and FIN */
	OUT_NOTHING();
	STATE_IS(TCP_FIN_WAIT_2);
	IN(TCP_FIN | TCP_ACK, 1, 2);
	OUT(TCP_ACK, 2, 2);
	STATE_IS(TCP_TIME_WAIT);
	EVENT(TCP_EV_CLOSED);
}
END_TEST

/* Same, with the SYN acked first (FIN still out), then a timeout: the FIN
 * alone goes again; its ACK completes the close. */
START_TEST(test_syn_received_close_syn_acked_then_fin)
{
	h_to_syn_sent();
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	tcp_close(&H.st, H.conn);
	h_poll();
	OUT(TCP_FIN | TCP_ACK, 1, 1);
	IN(TCP_ACK, 1, 1); /* acks the SYN only */
	OUT_NOTHING();
	STATE_IS(TCP_FIN_WAIT_1);
	h_advance(NET_S(60)); /* RTO: the FIN again, and only it */
	OUT(TCP_FIN | TCP_ACK, 1, 1);
	OUT_NOTHING();
	IN(TCP_ACK, 1, 2);
	STATE_IS(TCP_FIN_WAIT_2);
	NO_EVENT();
}
END_TEST

/* Nothing acked before the RTO: SYN-ACK (ISS) and FIN (ISS+1) again; a
 * bad ACK earns the SYN-RECEIVED RST <SEQ=SEG.ACK> and changes nothing. */
START_TEST(test_syn_received_close_timeout_resends_synack_and_fin)
{
	h_to_syn_sent();
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	tcp_close(&H.st, H.conn);
	h_poll();
	OUT(TCP_FIN | TCP_ACK, 1, 1);
	h_advance(NET_S(60));
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	ck_assert_uint_eq(H.last.tcp.opt.present, TCP_OPTF_MSS);
	OUT(TCP_FIN | TCP_ACK, 1, 1);
	OUT_NOTHING();
	IN(TCP_ACK, 1, 5);
	OUT(TCP_RST, 5, 0);
	STATE_IS(TCP_FIN_WAIT_1);
	IN(TCP_FIN | TCP_ACK, 1, 2); /* both acked, and the peer's FIN */
	OUT(TCP_ACK, 2, 2);
	STATE_IS(TCP_TIME_WAIT);
	EVENT(TCP_EV_CLOSED);
}
END_TEST

/* MUST-10: simultaneous open. */
START_TEST(test_syn_sent_simultaneous_open)
{
	h_to_syn_sent();
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	STATE_IS(TCP_SYN_RECEIVED);
	IN(TCP_SYN | TCP_ACK, 0, 1); /* the peer's crossing SYN-ACK: seq is old */
	OUT(TCP_ACK, 1, 1);
	STATE_IS(TCP_SYN_RECEIVED);
	IN(TCP_ACK, 1, 1);
	EVENT(TCP_EV_CONNECTED);
	STATE_IS(TCP_ESTABLISHED);
}
END_TEST

/* Simultaneous close: FIN-WAIT-1 -> CLOSING -> TIME-WAIT. */
START_TEST(test_established_simultaneous_close)
{
	h_to_closing();
	IN(TCP_FIN | TCP_ACK, 1, 1); /* its FIN again: old, ACK it */
	OUT(TCP_ACK, 2, 2);
	IN(TCP_ACK, 2, 2);
	OUT_NOTHING(); /* the ACK of our FIN is not answered */
	STATE_IS(TCP_TIME_WAIT);
	EVENT(TCP_EV_CLOSED);
}
END_TEST


START_TEST(test_fin_wait_2_times_out_without_peer_fin)
{
	H.cfg.fin_wait2_timeout_ms = 20000;
	h_to_fin_wait_2();
	h_advance(NET_S(20) - 1);
	STATE_IS(TCP_FIN_WAIT_2);
	h_advance(1);
	OUT_NOTHING();
	STATE_IS(TCP_CLOSED);
	EVENT(TCP_EV_TIMEOUT);
}
END_TEST

/* ---------- ISN and ephemeral ports (RFC 6528) ---------- */

/* The SipHash-2-4 reference vector (Aumasson & Bernstein, appendix A). */
START_TEST(test_isn_siphash_reference_vector)
{
	uint8_t key[16], msg[15];
	unsigned i;

	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	ck_assert(net_siphash(key, msg, 15) == 0xa129ca6149be45e5ull);
	/* HalfSipHash-2-4, 32-bit output, key 00..07 (vectors_hsip32) */
	ck_assert_uint_eq(net_halfsiphash(key, msg, 0), 0x5b9f35a9u);
	ck_assert_uint_eq(net_halfsiphash(key, msg, 1), 0xb85a4727u);
	ck_assert_uint_eq(net_halfsiphash(key, msg, 15), 0x972bfe74u);
}
END_TEST

/* ISNs and ports are a keyed function of the 4-tuple: the same key and
 * time give the same values (replayable), another key other values, and
 * the ISN clock advances every 4.096 us. */
START_TEST(test_isn_keyed_and_clocked)
{
	uint32_t a, b, c2, d;
	uint16_t p1, p2;

	a = tcp_isn(&H.st, H_PEER_IP, 8888, 51486);
	b = tcp_isn(&H.st, H_PEER_IP, 8888, 51486);
	ck_assert_uint_eq(a, b);
	c2 = tcp_isn(&H.st, H_PEER_IP, 8888, 51487);
	ck_assert_uint_ne(a, c2);
	H.st.now += NET_US(4096) / 1000u * 1000u; /* 1000 ticks of 4.096 us */
	d = tcp_isn(&H.st, H_PEER_IP, 8888, 51486);
	ck_assert_uint_eq(d - a, 1000u);
	p1 = tcp_ephemeral_port(&H.st, H_PEER_IP, 80);
	ck_assert_uint_ge(p1, 49152u);
	H.cfg.isn_key[0] ^= 1;
	ck_assert_uint_ne(tcp_isn(&H.st, H_PEER_IP, 8888, 51486), d);
	H.st.port_seq = 0;
	p2 = tcp_ephemeral_port(&H.st, H_PEER_IP, 80);
	ck_assert_uint_ge(p2, 49152u);
	ck_assert_uint_ne(p1, p2);
}
END_TEST

/* ---------- the connection pool ---------- */

/* A SYN-RECEIVED for another port pair, so the pool fills up. */
static void half_open_from(uint16_t rport)
{
	H.rport = rport;
	H.iss_known = false;
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
}

START_TEST(test_listen_pool_full_syn_dropped)
{
	h_to_established();
	half_open_from(H_CLIENT_PORT + 1);
	H.rport = H_CLIENT_PORT + 2;
	IN(TCP_SYN, 0, 0);
	OUT_NOTHING(); /* no RST: the peer's SYN retry may find room */
	ck_assert_uint_eq(STAT(TCP_LISTEN_FULL), 1);
	ck_assert_uint_eq(tcp_pcbs_in_use(&H.st), NET_TCP_CONNS);
}
END_TEST

/* Default: MUST-13 holds under pool pressure. The SYN that finds every
 * block taken is dropped unanswered (the peer's retry may find room), the
 * TIME-WAIT block lingers and still acknowledges the peer's retransmitted
 * FIN, and tcp_connect() has no block either. */
START_TEST(test_time_wait_kept_when_pool_full)
{
	uint32_t iss;

	h_to_time_wait();
	iss = H.our_iss;
	half_open_from(H_CLIENT_PORT + 1);
	H.rport = H_CLIENT_PORT + 2;
	IN(TCP_SYN, 0, 0);
	OUT_NOTHING();
	ck_assert_uint_eq(STAT(TCP_LISTEN_FULL), 1);
	ck_assert_ptr_null(tcp_connect(&H.st, H.peer_ip, 80, h_cb, &H));
	ck_assert_uint_eq(STAT(TCP_TW_RECYCLED), 0);
	H.rport = H_CLIENT_PORT; /* back to the first connection */
	H.our_iss = iss;
	STATE_IS(TCP_TIME_WAIT);
	IN(TCP_FIN | TCP_ACK, 1, 2); /* our last ACK was lost */
	OUT(TCP_ACK, 2, 2);
	STATE_IS(TCP_TIME_WAIT);
}
END_TEST

/* NET_PROFILE_TW_RECYCLE: the oldest TIME-WAIT block serves the new SYN,
 * counted; the first connection's retransmitted FIN then meets CLOSED. */
START_TEST(test_time_wait_recycled_when_pool_full)
{
	uint32_t iss;

	net_set_profile(&H.st, NET_PROFILE_RFC5961 | NET_PROFILE_TW_RECYCLE);
	h_to_time_wait();
	iss = H.our_iss;
	half_open_from(H_CLIENT_PORT + 1);
	half_open_from(H_CLIENT_PORT + 2); /* takes the TIME-WAIT block */
	ck_assert_uint_eq(STAT(TCP_TW_RECYCLED), 1);
	ck_assert_uint_eq(STAT(TCP_LISTEN_FULL), 0);
	H.rport = H_CLIENT_PORT; /* back to the first connection */
	H.our_iss = iss;
	STATE_IS(TCP_CLOSED);
	IN(TCP_FIN | TCP_ACK, 1, 2); /* our last ACK was lost */
	OUT(TCP_RST, 2, 0); /* the listener's answer: <SEQ=SEG.ACK><CTL=RST> */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack_tcp_timers");
	TCase *t = tcase_create("timers");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, h_setup, h_teardown);
	tcase_add_test(t, test_established_rto_backoff_and_karn);
	tcase_add_test(t, test_syn_sent_timeout_after_syn_retries);
	tcase_add_test(t, test_syn_sent_retransmits_for_3_minutes);
	tcase_add_test(t, test_closed_connect_after_idle_no_early_retransmission);
	tcase_add_test(t, test_established_send_after_idle_rtt_from_send);
	tcase_add_test(t, test_syn_received_passive_dropped_after_synack_retries);
	tcase_add_test(t, test_established_timeout_sends_rst);
	tcase_add_test(t, test_established_zero_window_probe);
	tcase_add_test(t, test_established_old_ack_zero_window_ignored);
	tcase_add_test(t, test_time_wait_expires_after_2msl);
	tcase_add_test(t, test_last_ack_ack_closes);
	tcase_add_test(t, test_closing_ack_enters_time_wait_without_ack);
	tcase_add_test(t, test_fin_wait_1_finack_enters_time_wait);
	tcase_add_test(t, test_fin_wait_2_data_still_delivered);
	tcase_add_test(t, test_established_close_sends_fin_after_data);
	tcase_add_test(t, test_syn_received_close_sends_fin);
	tcase_add_test(t, test_syn_received_close_syn_acked_then_fin);
	tcase_add_test(t, test_syn_received_close_timeout_resends_synack_and_fin);
	tcase_add_test(t, test_syn_sent_simultaneous_open);
	tcase_add_test(t, test_established_simultaneous_close);
	tcase_add_test(t, test_fin_wait_2_times_out_without_peer_fin);
	tcase_add_test(t, test_isn_siphash_reference_vector);
	tcase_add_test(t, test_isn_keyed_and_clocked);
	tcase_add_test(t, test_listen_pool_full_syn_dropped);
	tcase_add_test(t, test_time_wait_kept_when_pool_full);
	tcase_add_test(t, test_time_wait_recycled_when_pool_full);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
