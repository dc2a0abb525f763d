/*
 * test_engine_run.c - the runner and verifier against the sim DUT, with
 * small inline scripts: a passive open passes; the seed scenario as server
 * (the SYN-ACK must acknowledge IRS+1, IRS taken from the capture); a wrong
 * expectation fails with the exact verifier message and a marked ladder;
 * `> nothing` and the end-of-script check catch an unwanted segment;
 * shell, python and unknown system calls make a script unsupported at the
 * right line; option lines are judged; two runs give the same report,
 * ladder and pcap bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

extern const struct dut_ops dut_sim_ops;

struct run {
	struct script *s;
	struct engine_result r;
};

static void run_text(struct run *x, const char *text)
{
	struct script_error err;
	enum script_status st = script_parse_string("t.pkt", text, strlen(text), &x->s, &err);
	ck_assert_msg(st == SCRIPT_OK, "parse: %s", err.text);
	struct engine_options o;
	engine_options_defaults(&o);
	o.dut_ops = &dut_sim_ops;
	char msg[256];
	ck_assert_msg(engine_check_options(x->s, &o, msg, sizeof msg), "%s", msg);
	engine_run(x->s, &o, &x->r);
}

static void run_free(struct run *x)
{
	engine_result_free(&x->r);
	script_free(x->s);
}

static char *ladder_of(struct run *x)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	ck_assert_ptr_nonnull(f);
	engine_ladder(&x->r, x->s, f);
	fclose(f);
	return buf;
}

#define HANDSHAKE                                                       \
	"0     listen 8080\n"                                            \
	"+0    < S 0:0(0) win 8192 <mss 536>\n"                          \
	"+0    > S. 0:0(0) ack 1 <...>\n"                                \
	"+0    state SYN-RECEIVED\n"                                     \
	"+.01  < . 1:1(0) ack 1 win 8192\n"                              \
	"+0    event accepted\n"                                         \
	"+0    state ESTABLISHED\n"

START_TEST(test_passive_open_passes)
{
	struct run x;
	run_text(&x, HANDSHAKE "+0 counter rst_sent == 0\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	ck_assert_str_eq(x.r.messages, "");
	ck_assert(x.r.dut_isn_known);
	ck_assert_uint_eq(x.r.n_log, 3);
	ck_assert_uint_ge(x.r.virtual_ns, 10000000u);
	run_free(&x);
}
END_TEST

/* The seed: a Linux client's SYN with ISN 1240744644. The SYN-ACK must
 * acknowledge 1240744645; relative numbers count from the absolute SYN. */
#define SEED_SERVER                                                                      \
	"//! local: 192.168.0.1:8888\n"                                                  \
	"//! remote: 192.0.2.1:51486\n"                                                  \
	"0  listen 8888\n"                                                               \
	"+0 < S 1240744644:1240744644(0)! win 64240 <mss 1460,sackOK,TS val 2095798637 " \
	"ecr 0,nop,wscale 7>\n"

START_TEST(test_seed_server_acks_irs_plus_one)
{
	struct run x;
	run_text(&x, SEED_SERVER "+0 > S. 0:0(0) ack 1 <...>\n"
				 "+.01 < . 1:1(0) ack 1 win 502\n"
				 "+0 event accepted\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	ck_assert_uint_eq(x.r.peer_isn, 1240744644u);
	run_free(&x);
}
END_TEST

START_TEST(test_wrong_ack_reports_exact_message)
{
	struct run x;
	run_text(&x, SEED_SERVER "+0 > S. 0:0(0) ack 2 win 1024 <...>\n");
	ck_assert(x.r.verdict == ENGINE_FAIL);
	ck_assert_int_eq(x.r.line, 5);
	ck_assert_str_eq(x.r.messages, "t.pkt:5: tcp ack: expected 2 (abs 1240744646) vs actual 1 (abs 1240744645)\n");
	char *l = ladder_of(&x);
	ck_assert_msg(strstr(l, "^^^ ack: expected 2 vs 1") != NULL, "%s", l);
	ck_assert_msg(strstr(l, "S. 0:0(0) ack 1 win 1024 <mss 1024>") != NULL, "%s", l);
	free(l);
	run_free(&x);
}
END_TEST

START_TEST(test_every_field_difference_reported)
{
	struct run x;
	run_text(&x, "0 listen 8080\n"
		     "+0 < S 0:0(0) win 8192\n"
		     "+0 > F 0:0(0) win 7 <mss 1460>\n"); /* the SYN sets the DUT's ISN */
	ck_assert(x.r.verdict == ENGINE_FAIL);
	ck_assert_str_eq(x.r.messages, "t.pkt:3: tcp flags: expected F vs actual S.\n"
				       "t.pkt:3: tcp win: expected 7 vs actual 1024\n"
				       "t.pkt:3: tcp options: expected <mss 1460> vs actual <mss 1024>\n");
	run_free(&x);
}
END_TEST

START_TEST(test_nothing_catches_unwanted_segment)
{
	struct run x;
	run_text(&x, "0 listen 8080\n"
		     "+0 < S 0:0(0) win 8192\n"
		     "+.1 > nothing\n");
	ck_assert(x.r.verdict == ENGINE_FAIL);
	ck_assert_int_eq(x.r.line, 3);
	ck_assert_msg(strstr(x.r.messages, "t.pkt:3: unexpected packet: expected nothing until 0.100000 s but the "
					   "DUT sent '> S. 0:0(0) ack 1 win 1024 <mss 1024>'") != NULL,
		      "%s", x.r.messages);
	char *l = ladder_of(&x);
	ck_assert_msg(strstr(l, "^^^ unexpected") != NULL, "%s", l);
	free(l);
	run_free(&x);
}
END_TEST

START_TEST(test_unmatched_segment_at_end_fails)
{
	struct run x;
	run_text(&x, "0 listen 8080\n"
		     "+0 < S 0:0(0) win 8192\n"
		     "+.1 state SYN-RECEIVED\n");
	ck_assert(x.r.verdict == ENGINE_FAIL);
	ck_assert_msg(strstr(x.r.messages, "t.pkt:3: unexpected packet: the DUT sent '> S. 0:0(0) ack 1") != NULL,
		      "%s", x.r.messages);
	run_free(&x);
}
END_TEST

START_TEST(test_silence_passes)
{
	struct run x;
	/* An out-of-window RST in SYN-RECEIVED is dropped without a reply. */
	run_text(&x, "//! profile: rfc5961=on\n"
		     "0 listen 8080\n"
		     "+0 < S 0:0(0) win 8192\n"
		     "+0 > S. 0:0(0) ack 1 <...>\n"
		     "+.1 < R 70000:70000(0) win 0\n"
		     "+.5 > nothing\n"
		     "+0 state SYN-RECEIVED\n"
		     "+0 counter rst_out_of_window == 1\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
}
END_TEST

START_TEST(test_state_and_counter_mismatch)
{
	struct run x;
	run_text(&x, "0 listen 8080\n+0 state ESTABLISHED\n");
	ck_assert(x.r.verdict == ENGINE_FAIL);
	ck_assert_str_eq(x.r.messages, "t.pkt:2: tcp state: expected ESTABLISHED vs actual LISTEN\n");
	run_free(&x);
	/* A name the language knows (the tap adapter's) that sim lacks. */
	run_text(&x, "0 listen 8080\n+0 counter tap.frames_in == 0\n");
	ck_assert(x.r.verdict == ENGINE_FAIL);
	ck_assert_str_eq(x.r.messages, "t.pkt:2: counter tap.frames_in: the sim DUT has no such counter\n");
	run_free(&x);
}
END_TEST

START_TEST(test_unsupported_lines)
{
	struct run x;
	run_text(&x, "0 listen 8080\n+0 `sysctl -q net.ipv4.tcp_rfc1337=1`\n+0 state CLOSED\n");
	ck_assert(x.r.verdict == ENGINE_UNSUPPORTED);
	ck_assert_int_eq(x.r.line, 2);
	ck_assert_str_eq(x.r.messages,
			 "t.pkt:2: shell command `sysctl -q net.ipv4.tcp_rfc1337=1` cannot run on the sim DUT\n");
	run_free(&x);
	/* Unsupported even though an earlier line would fail: never "failed". */
	run_text(&x, "0 listen 8080\n+0 state ESTABLISHED\n+0 %{ assert tcpi_state == 1 }%\n");
	ck_assert(x.r.verdict == ENGINE_UNSUPPORTED);
	ck_assert_int_eq(x.r.line, 3);
	run_free(&x);
	run_text(&x, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 poll([{fd=3, events=POLLIN}], 1, 0) = 0\n");
	ck_assert(x.r.verdict == ENGINE_UNSUPPORTED);
	ck_assert_str_eq(x.r.messages, "t.pkt:2: system call poll() cannot be emulated on a DUT without sockets\n");
	run_free(&x);
}
END_TEST

START_TEST(test_socket_calls)
{
	struct run x;
	run_text(&x, "--ignore=options,win\n"
		     "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		     "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
		     "+0 bind(3, ..., ...) = 0\n"
		     "+0 listen(3, 1) = 0\n"
		     "+0 < S 0:0(0) win 32792 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"
		     "+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 7>\n"
		     "+.02 < . 1:1(0) ack 1 win 257\n"
		     "+0 accept(3, ..., ...) = 4\n"
		     "+0 < P. 1:101(100) ack 1 win 257\n"
		     "+0 > . 1:1(0) ack 101\n"
		     "+0 read(4, ..., 1000) = 100\n"
		     "+0 write(4, ..., 50) = 50\n"
		     "+0 > P. 1:51(50) ack 101\n"
		     "+.01 < . 101:101(0) ack 51 win 257\n"
		     "+0 close(4) = 0\n"
		     "+0 > F. 51:51(0) ack 101\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
}
END_TEST

/* listen() on a socket never bound: Linux binds it to an ephemeral port
 * first, so it succeeds, and 8080 stays with the socket bound to it; the
 * runner leaves the port to the adapter (sim: the lowest free one of
 * Linux's range). */
START_TEST(test_listen_unbound_socket_autobinds)
{
	struct run x;
	run_text(&x, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		     "+0 bind(3, ..., ...) = 0\n"
		     "+0 listen(3, 1) = 0\n"
		     "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n"
		     "+0 listen(4, 1) = 0\n"
		     "+0 < S 0:0(0) win 8192 <mss 536>\n"
		     "+0 > S. 0:0(0) ack 1 <...>\n"
		     "+.01 < . 1:1(0) ack 1 win 8192\n"
		     "+0 accept(3, ..., ...) = 5\n"
		     "+0 < 40000>32768 S 0:0(0) win 8192 <mss 536>\n"
		     "+0 > 32768>40000 S. ...(0) ack 1 <...>\n"
		     "+0 close(4) = 0\n"
		     "+0 < 40001>32768 S 0:0(0) win 8192 <mss 536>\n"
		     "+0 > 32768>40001 R. 0:0(0)! ack 1 win 0\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
}
END_TEST

/* Numbers are relative per connection (a 4-tuple): the second client's
 * SYN-ACK is 0:0(0) against its own ISS, in the verifier and in the
 * ladder, while the first connection keeps its own. */
START_TEST(test_second_connection_has_its_own_iss)
{
	struct run x;
	run_text(&x, HANDSHAKE "+0 < 40001>8080 S 5000:5000(0) win 8192 <mss 536>\n"
			       "+0 > 8080>40001 S. 0:0(0) ack 5001 <...>\n"
			       "+.01 < 40001>8080 . 5001:5001(0) ack 1 win 8192\n"
			       "+0 < P. 1:11(10) ack 1 win 8192\n"
			       "+0 > . 1:1(0) ack 12\n");
	ck_assert(x.r.verdict == ENGINE_FAIL);
	ck_assert_str_eq(x.r.messages, "t.pkt:12: tcp ack: expected 12 (abs 12) vs actual 11 (abs 11)\n");
	ck_assert_uint_eq(x.r.n_conns, 2);
	ck_assert(x.r.conns[0].dut_isn != x.r.conns[1].dut_isn);
	char *l = ladder_of(&x);
	ck_assert_msg(strstr(l, "S. 0:0(0) ack 5001 win 1024 <mss 1024>") != NULL, "%s", l);
	ck_assert_msg(strstr(l, ". 5001:5001(0) ack 1 win 8192") != NULL, "%s", l);
	ck_assert_msg(strstr(l, ". 1:1(0) ack 11 win 1024") != NULL, "%s", l);
	free(l);
	run_free(&x);
}
END_TEST

/* The sim DUT tells the application of the FIN before its ACK has left
 * the modelled wire; counted from the observed ACK, the event is on time. */
START_TEST(test_event_after_windowed_segment)
{
	struct run x;
	run_text(&x, HANDSHAKE "+.05 < F. 1:1(0) ack 1 win 8192\n"
			       "+0~+0.25 > . 1:1(0) ack 2\n"
			       "+0 event eof\n"
			       "+0 state CLOSE-WAIT\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
}
END_TEST

/* recv N is exact; recv <=N takes 1 to N bytes, recv >=N at least N. */
START_TEST(test_recv_up_to_and_at_least)
{
	struct run x;
	const char *data = HANDSHAKE "+.01 < P. 1:11(10) ack 1 win 8192\n"
				     "+0 > . 1:1(0) ack 11\n"
				     "+.01 < P. 11:31(20) ack 1 win 8192\n"
				     "+0 > . 1:1(0) ack 31\n";
	char text[1024];
	snprintf(text, sizeof text, "%s+0 recv <=5\n+0 recv >=25\n", data);
	run_text(&x, text);
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
	/* Only 10 bytes there: a read of 25 returns 10. */
	run_text(&x, HANDSHAKE "+.01 < P. 1:11(10) ack 1 win 8192\n+0 > . 1:1(0) ack 11\n+0 recv 25\n");
	ck_assert_str_eq(x.r.messages, "t.pkt:10: recv: expected 25 bytes vs actual 10\n");
	run_free(&x);
	run_text(&x, HANDSHAKE "+.01 < P. 1:11(10) ack 1 win 8192\n+0 > . 1:1(0) ack 11\n+0 recv <=25\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
	snprintf(text, sizeof text, "%s+0 recv >=31\n", data);
	run_text(&x, text);
	ck_assert_str_eq(x.r.messages, "t.pkt:12: recv: expected at least 31 bytes vs actual 30\n");
	run_free(&x);
	snprintf(text, sizeof text, "%s+0 recv >=30\n+0 recv <=10\n", data);
	run_text(&x, text);
	ck_assert_str_eq(x.r.messages, "t.pkt:13: recv: expected 1 to 10 bytes vs actual 0\n");
	run_free(&x);
}
END_TEST

/* rcvbuf: the application's buffer; unread data closes the window, a
 * read opens it again (sim: exactly the room left). setsockopt(SO_RCVBUF)
 * means the same on a DUT without sockets. */
START_TEST(test_rcvbuf_closes_the_window)
{
	struct run x;
	run_text(&x, "0 rcvbuf 100\n" HANDSHAKE
		     "+.01 < P. 1:61(60) ack 1 win 8192\n"
		     "+0 > . 1:1(0) ack 61 win 40\n"
		     "+.01 < P. 61:111(50) ack 1 win 8192\n" /* 10 bytes past the window */
		     "+0 > . 1:1(0) ack 101 win 0\n"
		     "+0 recv 100\n"
		     "+0 > . 1:1(0) ack 101 win 100\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
	run_text(&x, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		     "+0 setsockopt(3, SOL_SOCKET, SO_RCVBUF, [100], 4) = 0\n"
		     "+0 bind(3, ..., ...) = 0\n"
		     "+0 listen(3, 1) = 0\n"
		     "+0 < S 0:0(0) win 8192 <mss 536>\n"
		     "+0 > S. 0:0(0) ack 1 win 100 <...>\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
}
END_TEST

START_TEST(test_option_lines)
{
	struct script *s;
	struct script_error err;
	struct engine_options o;
	char msg[256];
	const char *t = "--tolerance_usecs=10000\n--frobnicate=1\n0 listen 8080\n";
	ck_assert(script_parse_string("t.pkt", t, strlen(t), &s, &err) == SCRIPT_OK);
	engine_options_defaults(&o);
	ck_assert(!engine_check_options(s, &o, msg, sizeof msg));
	ck_assert_str_eq(msg, "t.pkt:2: unknown option --frobnicate");
	ck_assert_int_eq(o.tolerance_ns, 10000000);
	script_free(s);
	/* An IPv6 run is a script the engine cannot carry, not a bad one
	 * (test_engine_lang.c: it is unsupported with the option's line). */
	t = "--ip_version=ipv6\n0 listen 8080\n";
	ck_assert(script_parse_string("t.pkt", t, strlen(t), &s, &err) == SCRIPT_OK);
	engine_options_defaults(&o);
	ck_assert(engine_check_options(s, &o, msg, sizeof msg));
	int line;
	ck_assert_ptr_nonnull(engine_construct_unsupported(s, &o, &line, msg, sizeof msg));
	ck_assert_int_eq(line, 1);
	script_free(s);
	t = "//! profile: rfc1337=on\n0 listen 8080\n";
	ck_assert(script_parse_string("t.pkt", t, strlen(t), &s, &err) == SCRIPT_OK);
	ck_assert_ptr_nonnull(engine_profile_conflict(s, DUT_PROFILE_RFC5961, msg, sizeof msg));
	ck_assert_str_eq(msg, "profile rfc1337=on, the DUT runs rfc1337=off");
	ck_assert_ptr_null(engine_profile_conflict(s, DUT_PROFILE_RFC1337, msg, sizeof msg));
	script_free(s);
	t = "//! profile: timewait-recycle=on\n0 listen 8080\n";
	ck_assert(script_parse_string("t.pkt", t, strlen(t), &s, &err) == SCRIPT_OK);
	ck_assert_ptr_nonnull(engine_profile_conflict(s, DUT_PROFILE_RFC5961, msg, sizeof msg));
	ck_assert_str_eq(msg, "profile timewait-recycle=on, the DUT runs timewait-recycle=off");
	ck_assert_ptr_null(engine_profile_conflict(s, DUT_PROFILE_RFC5961 | DUT_PROFILE_TW_RECYCLE, msg, sizeof msg));
	script_free(s);
}
END_TEST

/* Counter names are checked before any run, whatever the DUT: our
 * stack's (full, or the unambiguous part after the dot), the tap
 * adapter's, Linux MIB names; anything else is an input error at the
 * name, with the nearest name when there is one. */
START_TEST(test_counter_names)
{
	static const struct {
		const char *name, *error;
	} cases[] = {
		{"tcp.rst_out_of_window", NULL},
		{"rst_out_of_window", NULL},
		{"challenge_acks", NULL},
		{"tap.noise_dropped", NULL},
		{"TcpExt.TCPChallengeACK", NULL},
		{"TCPChallengeACK", NULL},
		{"rst_out_of_windw", "t.pkt:2:12: unknown counter 'rst_out_of_windw' (did you mean 'rst_out_of_window'?)"},
		{"tcp.rst_sentt", "t.pkt:2:12: unknown counter 'tcp.rst_sentt' (did you mean 'tcp.rst_sent'?)"},
		{"rx", "t.pkt:2:12: counter 'rx' is ambiguous: write one of eth.rx arp.rx ip.rx icmp.rx udp.rx tcp.rx"},
		{"zzzzzzzz", "t.pkt:2:12: unknown counter 'zzzzzzzz' (names: core/net/net_stats.h, tap.*, or a Linux "
			     "MIB name such as TcpExt.TCPChallengeACK)"},
		{"Tcp.In-Segs", "t.pkt:2:12: unknown counter 'Tcp.In-Segs' (names: core/net/net_stats.h, tap.*, or a "
				"Linux MIB name such as TcpExt.TCPChallengeACK)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[128], msg[512];
		struct script *s;
		struct script_error err;
		struct engine_options o;
		snprintf(text, sizeof text, "0 listen 8080\n+0 counter %s == 0\n", cases[i].name);
		ck_assert(script_parse_string("t.pkt", text, strlen(text), &s, &err) == SCRIPT_OK);
		engine_options_defaults(&o);
		bool ok = engine_check_options(s, &o, msg, sizeof msg);
		if (cases[i].error == NULL)
			ck_assert_msg(ok, "%s: %s", cases[i].name, msg);
		else
			ck_assert_msg(!ok && strcmp(msg, cases[i].error) == 0, "%s: %s", cases[i].name,
				      ok ? "accepted" : msg);
		script_free(s);
	}
}
END_TEST

/* Behaviour profiles: sim follows synack-params and rfc9293-strict, tap
 * linux-wire; linux-wire is honoured on sim when options and win are
 * ignored; the skip names the profile, its reason and the DUT. */
START_TEST(test_behaviour_profiles)
{
	extern const struct dut_ops dut_tap_ops;
	struct script *s;
	struct script_error err;
	struct engine_options o;
	char msg[400];
	const char *t = "//! profile: synack-params\n0 listen 8080\n";
	ck_assert(script_parse_string("t.pkt", t, strlen(t), &s, &err) == SCRIPT_OK);
	engine_options_defaults(&o);
	o.dut_ops = &dut_sim_ops;
	ck_assert_ptr_null(engine_skip_reason(s, &o, msg, sizeof msg));
	o.dut_ops = &dut_tap_ops;
	ck_assert_ptr_nonnull(engine_skip_reason(s, &o, msg, sizeof msg));
	ck_assert_str_eq(msg, "needs profile synack-params (numbers from our stack's configuration: RCV.WND "
			      "1024, RTO 1 s, 2 MSL 60 s, challenge-ACK limit, its SYN options); tap does not "
			      "follow it");
	script_free(s);
	t = "//! profile: linux-wire\n0 listen 8080\n";
	ck_assert(script_parse_string("t.pkt", t, strlen(t), &s, &err) == SCRIPT_OK);
	ck_assert_ptr_null(engine_skip_reason(s, &o, msg, sizeof msg));
	o.dut_ops = &dut_sim_ops;
	ck_assert_ptr_nonnull(engine_skip_reason(s, &o, msg, sizeof msg));
	ck_assert_ptr_nonnull(strstr(msg, "needs profile linux-wire"));
	ck_assert_ptr_nonnull(strstr(msg, "sim does not follow it"));
	o.ignore_options = true;
	ck_assert_ptr_nonnull(engine_skip_reason(s, &o, msg, sizeof msg));
	o.ignore_win = true;
	ck_assert_ptr_null(engine_skip_reason(s, &o, msg, sizeof msg));
	script_free(s);
	t = "//! profile: rfc9293-strict=off\n0 listen 8080\n";
	ck_assert(script_parse_string("t.pkt", t, strlen(t), &s, &err) == SCRIPT_OK);
	ck_assert_ptr_nonnull(engine_skip_reason(s, &o, msg, sizeof msg));
	ck_assert_str_eq(msg, "profile rfc9293-strict=off (RFC 9293 behaviour where Linux deviates); sim follows it");
	o.dut_ops = &dut_tap_ops;
	ck_assert_ptr_null(engine_skip_reason(s, &o, msg, sizeof msg));
	script_free(s);
}
END_TEST

/* The mutation adapter rewrites what the DUT emits: the SYN-ACK's ack is 0,
 * and the verifier names the field. */
START_TEST(test_mutation_synack_ack0)
{
	char err[128];
	const struct dut_ops *m = dut_mutate_wrap(&dut_sim_ops, "nope", err, sizeof err);
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err, "unknown mutation 'nope' (known: synack-ack0, rst-seq+1, rtx-stop)");
	m = dut_mutate_wrap(&dut_sim_ops, "synack-ack0", err, sizeof err);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->name, "sim");
	struct script *s;
	struct script_error perr;
	ck_assert(script_parse_string("t.pkt", HANDSHAKE, strlen(HANDSHAKE), &s, &perr) == SCRIPT_OK);
	struct engine_options o;
	struct engine_result r;
	engine_options_defaults(&o);
	o.dut_ops = m;
	engine_run(s, &o, &r);
	ck_assert_int_eq(r.verdict, ENGINE_FAIL);
	ck_assert_ptr_nonnull(strstr(r.messages, "t.pkt:3: tcp ack: expected 1 (abs 1) vs actual 0 (abs 0)"));
	engine_result_free(&r);
	m = dut_mutate_wrap(&dut_sim_ops, "rst-seq+1", err, sizeof err);
	o.dut_ops = m;
	engine_run(s, &o, &r); /* no RST in a clean handshake: passes */
	ck_assert_int_eq(r.verdict, ENGINE_PASS);
	engine_result_free(&r);
	script_free(s);
}
END_TEST

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = malloc(1 << 20);
	*n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

START_TEST(test_deterministic_report_and_pcap)
{
	char path[2][64], *text[2], *pcap[2];
	size_t plen[2];
	for (int i = 0; i < 2; i++) {
		struct run x;
		run_text(&x, HANDSHAKE "+0 < P. 1:101(100) ack 1 win 8192\n"
				       "+0 > . 1:1(0) ack 99\n");
		ck_assert(x.r.verdict == ENGINE_FAIL);
		char *l = ladder_of(&x);
		size_t n = strlen(x.r.messages) + strlen(l) + 1;
		text[i] = malloc(n);
		snprintf(text[i], n, "%s%s", x.r.messages, l);
		free(l);
		snprintf(path[i], sizeof path[i], "/tmp/test_engine_run_%d_%d.pcap", (int)getpid(), i);
		char err[256];
		ck_assert_int_eq(engine_write_pcap(&x.r, path[i], err, sizeof err), 0);
		pcap[i] = slurp(path[i], &plen[i]);
		unlink(path[i]);
		run_free(&x);
	}
	ck_assert_str_eq(text[0], text[1]);
	ck_assert_uint_eq(plen[0], plen[1]);
	ck_assert_uint_gt(plen[0], 24 + 5 * 16);
	ck_assert(memcmp(pcap[0], pcap[1], plen[0]) == 0);
	for (int i = 0; i < 2; i++) {
		free(text[i]);
		free(pcap[i]);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("engine_run");
	TCase *tc = tcase_create("sim");
	tcase_add_test(tc, test_passive_open_passes);
	tcase_add_test(tc, test_seed_server_acks_irs_plus_one);
	tcase_add_test(tc, test_wrong_ack_reports_exact_message);
	tcase_add_test(tc, test_every_field_difference_reported);
	tcase_add_test(tc, test_nothing_catches_unwanted_segment);
	tcase_add_test(tc, test_unmatched_segment_at_end_fails);
	tcase_add_test(tc, test_silence_passes);
	tcase_add_test(tc, test_state_and_counter_mismatch);
	tcase_add_test(tc, test_unsupported_lines);
	tcase_add_test(tc, test_socket_calls);
	tcase_add_test(tc, test_listen_unbound_socket_autobinds);
	tcase_add_test(tc, test_second_connection_has_its_own_iss);
	tcase_add_test(tc, test_event_after_windowed_segment);
	tcase_add_test(tc, test_recv_up_to_and_at_least);
	tcase_add_test(tc, test_rcvbuf_closes_the_window);
	tcase_add_test(tc, test_option_lines);
	tcase_add_test(tc, test_counter_names);
	tcase_add_test(tc, test_deterministic_report_and_pcap);
	tcase_add_test(tc, test_behaviour_profiles);
	tcase_add_test(tc, test_mutation_synack_ack0);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
