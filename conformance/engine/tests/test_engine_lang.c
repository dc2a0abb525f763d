/*
 * test_engine_lang.c - udp and icmp lines, packetdrill's option lines and
 * the constructs the engine cannot carry, run on the sim DUT through
 * engine_run() (the datagrams the engine built are read back from the
 * result's log).
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The Internet checksum of n bytes sums to 0xffff when it is right. */
static bool csum_ok(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Our stack answers a datagram to a closed UDP port with an ICMP port
 * unreachable (RFC 1122 §4.1.3.1) quoting it: the udp line is built, the
 * icmp line verified. */
START_TEST(test_udp_in_icmp_out)
{
	struct run x;
	run_text(&x, "0 < udp 5000>9 (10)\n"
		     "+0 > icmp unreachable port_unreachable [udp (10)]\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	ck_assert_uint_eq(x.r.n_log, 2);
	const uint8_t *d = x.r.log[0].data;
	ck_assert_uint_eq(x.r.log[0].len, 20 + 8 + 10);
	ck_assert_uint_eq(d[9], 17);               /* UDP */
	ck_assert_uint_eq(get16(d + 20), 5000);
	ck_assert_uint_eq(get16(d + 22), 9);
	ck_assert_uint_eq(get16(d + 24), 18);      /* header + payload */
	ck_assert_uint_ne(get16(d + 26), 0);       /* a checksum is sent */
	run_free(&x);

	/* The type and code are compared, as packetdrill compares them. */
	run_text(&x, "0 < udp 5000>9 (10)\n+0 > icmp unreachable host_unreachable\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_FAIL);
	ck_assert_ptr_nonnull(strstr(x.r.messages, "t.pkt:2: icmp code: expected 1 vs actual 3\n"));
	run_free(&x);
	run_text(&x, "0 < udp 5000>9 (10)\n+0 > udp (10)\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_FAIL);
	ck_assert_ptr_nonnull(strstr(x.r.messages, "t.pkt:2: ip protocol: expected udp vs actual icmp\n"));
	run_free(&x);
}
END_TEST

/* An echo request is built with its identifier; RFC 792: the reply
 * carries the same identifier and data. */
START_TEST(test_icmp_echo)
{
	struct run x;
	run_text(&x, "0 < icmp echo_request id 7 [raw (16)]\n+0 > icmp echo_reply\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	const uint8_t *d = x.r.log[0].data;
	ck_assert_uint_eq(x.r.log[0].len, 20 + 16);
	ck_assert_uint_eq(d[9], 1);
	ck_assert_uint_eq(d[20], 8);
	ck_assert_uint_eq(get16(d + 24), 7);
	ck_assert(csum_ok(d + 20, 16));
	ck_assert_uint_eq(x.r.log[1].data[20], 0);
	ck_assert_uint_eq(get16(x.r.log[1].data + 24), 7);
	run_free(&x);
	run_text(&x, "0 < icmp echo_request id 7 [raw (16)]\n+0 > icmp unreachable\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_FAIL);
	ck_assert_ptr_nonnull(strstr(x.r.messages, "t.pkt:2: icmp type: expected 3 vs actual 0\n"));
	run_free(&x);
}
END_TEST

/* An inbound ICMP error quotes the DUT's own segment: its IPv4 header
 * (DUT -> peer, TCP) and first 8 bytes, the ports of the connection and
 * the script's sequence number on the DUT's ISN (packetdrill's
 * map_inbound_icmp_tcp_packet); RFC 1191 §4: the next-hop MTU in the low
 * 16 bits of the second word. */
START_TEST(test_icmp_quotes_the_connection)
{
	struct run x;
	run_text(&x, "0 listen 8080\n"
		     "+0 < S 0:0(0) win 8192 <mss 536>\n"
		     "+0 > S. 0:0(0) ack 1 <...>\n"
		     "+.01 < . 1:1(0) ack 1 win 8192\n"
		     "+0 event accepted\n"
		     "+0 send 100\n"
		     "+0 > P. 1:101(100) ack 1 <...>\n"
		     "+0 < icmp unreachable frag_needed mtu 576 [1:101(100)]\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	ck_assert(x.r.dut_isn_known);
	const struct engine_log_entry *le = &x.r.log[x.r.n_log - 1];
	ck_assert(!le->outbound);
	ck_assert_int_eq(le->line, 8);
	const uint8_t *d = le->data, *icmp = d + 20, *q = icmp + 8;
	ck_assert_uint_eq(le->len, 20 + 8 + 20 + 8);
	ck_assert_uint_eq(d[9], 1);
	ck_assert_uint_eq(get32(d + 12), 0xC0000201u); /* from the peer */
	ck_assert_uint_eq(icmp[0], 3);
	ck_assert_uint_eq(icmp[1], 4);
	ck_assert_uint_eq(get16(icmp + 6), 576);
	ck_assert(csum_ok(icmp, 8 + 28));
	ck_assert_uint_eq(q[0], 0x45);
	ck_assert_uint_eq(q[9], 6);
	ck_assert_uint_eq(get16(q + 2), 20 + 20 + 100);
	ck_assert_uint_eq(get32(q + 12), 0xC0A80001u);  /* the DUT's address */
	ck_assert_uint_eq(get32(q + 16), 0xC0000201u);
	ck_assert_uint_eq(get16(q + 20), 8080);
	ck_assert_uint_eq(get16(q + 22), 54321);
	ck_assert_uint_eq(get32(q + 24), x.r.dut_isn + 1u);
	run_free(&x);
	/* From a router: the outer source is the router, the quote still the
	 * DUT's datagram to its peer. */
	run_text(&x, "0 listen 8080\n"
		     "+0 < S 0:0(0) win 8192 <mss 536>\n"
		     "+0 > S. 0:0(0) ack 1 <...>\n"
		     "+0 < ipv4 10.0.0.254 > 192.168.0.1: icmp unreachable host_unreachable [1:1(0)]\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	le = &x.r.log[x.r.n_log - 1];
	ck_assert_uint_eq(get32(le->data + 12), 0x0A0000FEu);
	ck_assert_uint_eq(get32(le->data + 28 + 16), 0xC0000201u);
	run_free(&x);
}
END_TEST

/* packetdrill's option lines: honoured, accepted, unsupported (with the
 * option and its line, at run time) or an input error. */
START_TEST(test_option_lines_support)
{
	struct run x;
	run_text(&x, "--ip_version=ipv4-mapped-ipv6\n--mtu=1500\n--strict_segments\n"
		     "0 < udp 5000>9 (10)\n+0 > icmp unreachable port_unreachable\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
	run_text(&x, "// a comment\n--ip_version=ipv6\n0 < udp 5000>9 (10)\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_int_eq(x.r.line, 2);
	ck_assert_str_eq(x.r.messages, "t.pkt:2: --ip_version=ipv6: the sim DUT runs IPv4 only (its stack has no "
		  "IPv6; the tap DUT runs IPv6)\n");
	run_free(&x);
	run_text(&x, "--tolerance_usecs=10000\n--mtu=9000\n0 < udp 5000>9 (10)\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_str_eq(x.r.messages, "t.pkt:2: --mtu=9000: the DUT's link MTU is 1500\n");
	run_free(&x);
	run_text(&x, "--non_fatal=syscall\n0 < udp 5000>9 (10)\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_str_eq(x.r.messages, "t.pkt:1: --non_fatal=syscall: synack does not support going on "
		  "past a failing line (it stops at the first)\n");
	run_free(&x);
	run_text(&x, "0 < udp 5000>9 (10)\n+0 > S. 0:0(0) ack 1 <FO TFO_COOKIE>\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_str_eq(x.r.messages, "t.pkt:2: FO TFO_COOKIE: no define gives 'TFO_COOKIE' a value "
		  "(-D TFO_COOKIE=HEX, as packetdrill's run_all.py does)\n");
	run_free(&x);
	run_text(&x, "0 < udp 5000>9 (10)\n+0 < S 0:0(0) win 1/udp(1 > 9811)\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_int_eq(x.r.line, 2);
	ck_assert_str_eq(x.r.messages, "t.pkt:2: TCP over UDP ('/udp(SRC > DST)') is not supported\n");
	run_free(&x);

	struct script *s;
	struct script_error err;
	struct engine_options o;
	char msg[256];
	static const struct {
		const char *text, *error;
	} bad[] = {
		{"--ip_version=ipv7\n0 listen 8080\n", "t.pkt:1: --ip_version: bad value 'ipv7'"},
		{"--mtu=40\n0 listen 8080\n", "t.pkt:1: --mtu: bad value '40'"},
		{"--local_ip=fd::1::2\n0 listen 8080\n", "t.pkt:1: --local_ip: bad value 'fd::1::2'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert(script_parse_string("t.pkt", bad[i].text, strlen(bad[i].text), &s, &err) == SCRIPT_OK);
		engine_options_defaults(&o);
		ck_assert(!engine_check_options(s, &o, msg, sizeof msg));
		ck_assert_str_eq(msg, bad[i].error);
		script_free(s);
	}
	const char *v6 = "--ip_version=ipv6\n--local_ip=fd3d:a0b:17d6::1\n0 listen 8080\n";
	ck_assert(script_parse_string("t.pkt", v6, strlen(v6), &s, &err) == SCRIPT_OK);
	engine_options_defaults(&o);
	ck_assert_msg(engine_check_options(s, &o, msg, sizeof msg), "%s", msg);
	script_free(s);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("engine_lang");
	TCase *tc = tcase_create("sim");
	tcase_add_test(tc, test_udp_in_icmp_out);
	tcase_add_test(tc, test_icmp_echo);
	tcase_add_test(tc, test_icmp_quotes_the_connection);
	tcase_add_test(tc, test_option_lines_support);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
