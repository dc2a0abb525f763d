/*
 * test_script_lang.c - the parts of packetdrill's language added for its
 * own test suites (google/packetdrill gtests/net/tcp and nplab's dialect in
 * freebsd-net/tcp-testsuite): defines, #ifdef, Fast Open cookies of any
 * length, udp and icmp packets, IPv6 addresses and fields, TCP over UDP.
 * Each test asserts the fields the engine reads and that the canonical
 * dump parses back to the same text.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

static struct script *parse_cfg(const char *text, const struct script_define *d, size_t n)
{
	struct script *s = NULL;
	struct script_error e;
	struct script_parse_config cfg = {d, n, NULL};
	enum script_status st = script_parse_string_cfg("t.pkt", text, strlen(text), &cfg, &s, &e);
	ck_assert_msg(st == SCRIPT_OK, "unexpected error: %s", e.text);
	return s;
}

static struct script *parse_ok(const char *text)
{
	return parse_cfg(text, NULL, 0);
}

static const char *parse_err(const char *text, const struct script_define *d, size_t n)
{
	static struct script_error e;
	struct script *s = NULL;
	struct script_parse_config cfg = {d, n, NULL};
	ck_assert_int_eq(script_parse_string_cfg("t.pkt", text, strlen(text), &cfg, &s, &e),
			 SCRIPT_ERR_PARSE);
	return e.text;
}

static const struct script_event *nth(const struct script *s, size_t n)
{
	const struct script_event *ev = s->events;
	for (size_t i = 0; i < n && ev != NULL; i++)
		ev = ev->next;
	ck_assert_ptr_nonnull(ev);
	return ev;
}

static void assert_roundtrip(const struct script *s)
{
	char *d1 = script_dump(s);
	ck_assert_ptr_nonnull(d1);
	struct script *s2 = NULL;
	struct script_error e;
	ck_assert_msg(script_parse_string("dump", d1, strlen(d1), &s2, &e) == SCRIPT_OK,
		      "dump does not parse: %s\n%s", e.text, d1);
	char *d2 = script_dump(s2);
	ck_assert_str_eq(d1, d2);
	free(d1);
	free(d2);
	script_free(s2);
}

static const struct script_tcp_option *opt(const struct script *s, size_t ev, size_t i)
{
	const struct script_packet *pk = &nth(s, ev)->u.packet;
	ck_assert_uint_gt(pk->n_options, i);
	return &pk->options[i];
}

START_TEST(test_fastopen_cookie_lengths)
{
	/* 18 bytes (google's valid-cookie-format.pkt), 11 bytes written as
	 * decimal digits only (FreeBSD's cookie-of-length-11), the longest
	 * the option holds (38), an empty one. */
	struct script *s = parse_ok(
		"0 < S. 0:0(0) ack 1 win 5840 <FO 00112233445566778899aabbccddeeff0011>\n"
		"+0 < S. 0:0(0) ack 1 win 65535 <mss 1460,FO 0203040506070809101112,eol>\n"
		"+0 < S. 0:0(0) ack 1 win 1 <FO 0102030405060708091011121314151617181920212223242526272829303132333435363738>\n"
		"+0 < S. 0:0(0) ack 1 win 1 <FOEXP 010203040506070809101112131415161718192021222324252627282930313233343536>\n"
		"+0 > S 0:0(0) <FO,nop,nop>\n");
	const struct script_tcp_option *o = opt(s, 0, 0);
	ck_assert_int_eq(o->kind, SCRIPT_OPT_FASTOPEN);
	ck_assert_uint_eq(o->u.blob.len, 18);
	ck_assert_uint_eq(o->u.blob.bytes[0], 0x00);
	ck_assert_uint_eq(o->u.blob.bytes[10], 0xaa);
	ck_assert_uint_eq(o->u.blob.bytes[17], 0x11);
	o = opt(s, 1, 1);
	ck_assert_uint_eq(o->u.blob.len, 11);
	ck_assert_uint_eq(o->u.blob.bytes[0], 0x02);
	ck_assert_uint_eq(o->u.blob.bytes[10], 0x12);
	ck_assert_uint_eq(opt(s, 2, 0)->u.blob.len, 38);
	ck_assert_uint_eq(opt(s, 3, 0)->u.blob.len, 36);
	ck_assert_int_eq(opt(s, 3, 0)->kind, SCRIPT_OPT_FASTOPEN_EXP);
	ck_assert_uint_eq(opt(s, 4, 0)->u.blob.len, 0);
	assert_roundtrip(s);
	script_free(s);
	/* A long digit run is a cookie only after FO / FOEXP / md5. */
	ck_assert_str_eq(parse_err("0 < S 0:0(0) win 0203040506070809101112\n", NULL, 0),
			 "t.pkt:1:18: number too large");
}
END_TEST

START_TEST(test_defines_substitute_words)
{
	/* packetdrill's lexer: a define's value typed by its first character. */
	const struct script_define d[] = {
		{"TFO_COOKIE", "3021b9d889017eeb"},
		{"CODE", "host_unreachable"},
		{"FD", "3"},
		{"HEXV", "0x10"},
		{"MSG", "\"hi\""},
		{"ack", "7"},   /* a keyword: never substituted */
		{"ONLY_IFDEF", NULL},
	};
	struct script *s = parse_cfg(
		"0 close(FD) = 0\n"
		"+0 write(FD, MSG, 2) = HEXV\n"
		"+0 < S. 0:0(0) ack 1 win 1 <FO TFO_COOKIE>\n"
		"+0 < icmp unreachable CODE\n"
		"+0 getsockopt(FD, SOL_SOCKET, ONLY_IFDEF, [0], [4]) = 0\n",
		d, sizeof d / sizeof d[0]);
	const struct script_syscall *c = &nth(s, 0)->u.syscall;
	ck_assert_int_eq(c->args->kind, SCRIPT_EXPR_INT);
	ck_assert_int_eq(c->args->num, 3);
	c = &nth(s, 1)->u.syscall;
	ck_assert_int_eq(c->args->next->kind, SCRIPT_EXPR_STRING);
	ck_assert_str_eq(c->args->next->text, "hi");
	ck_assert_int_eq(c->result->num, 16);
	ck_assert(c->result->hex);
	const struct script_packet *pk = &nth(s, 2)->u.packet;
	ck_assert(pk->has_ack);
	ck_assert_uint_eq(pk->ack, 1);
	ck_assert_ptr_null(pk->options[0].blob_name);
	ck_assert_uint_eq(pk->options[0].u.blob.len, 8);
	ck_assert_uint_eq(pk->options[0].u.blob.bytes[0], 0x30);
	ck_assert_uint_eq(pk->options[0].u.blob.bytes[7], 0xeb);
	ck_assert_uint_eq(nth(s, 3)->u.packet.icmp.code, 1);
	/* defined without a value: the word stays */
	ck_assert_str_eq(nth(s, 4)->u.syscall.args->next->next->text, "ONLY_IFDEF");
	assert_roundtrip(s);
	script_free(s);

	/* A script's own --define holds for the lines after it; the caller's
	 * define of the same name wins, as packetdrill's command line does. */
	s = parse_ok("--define=N=4\n-D M=\"x\"\n0 close(N) = 0\n+0 write(N, M, 1) = 1\n");
	ck_assert_int_eq(nth(s, 0)->u.syscall.args->num, 4);
	ck_assert_str_eq(nth(s, 1)->u.syscall.args->next->text, "x");
	script_free(s);
	const struct script_define over[] = {{"N", "9"}};
	s = parse_cfg("--define=N=4\n0 close(N) = 0\n", over, 1);
	ck_assert_int_eq(nth(s, 0)->u.syscall.args->num, 9);
	script_free(s);
	/* An undefined name stays a word: the cookie is then named, not given. */
	s = parse_ok("0 < S. 0:0(0) ack 1 win 1 <FO TFO_COOKIE>\n");
	ck_assert_str_eq(nth(s, 0)->u.packet.options[0].blob_name, "TFO_COOKIE");
	script_free(s);
}
END_TEST

START_TEST(test_ifdef_blocks)
{
	const char *text =
		"0 close(3) = 0\n"
		"#ifdef FreeBSD\n"
		"+0 `sockstat -4 | grep -c TIME_WAIT` # not read at all {\n"
		"#endif\n"
		"#ifdef STANDARD\n"
		"+0 close(4) = 0\n"
		"#endif\n"
		"+0 close(5) = 0\n";
	struct script *s = parse_ok(text);
	ck_assert_uint_eq(s->n_events, 2);
	ck_assert_int_eq(nth(s, 1)->u.syscall.args->num, 5);
	ck_assert_int_eq(nth(s, 1)->loc.line, 8);
	script_free(s);
	const struct script_define d[] = {{"STANDARD", NULL}};
	s = parse_cfg(text, d, 1);
	ck_assert_uint_eq(s->n_events, 3);
	ck_assert_int_eq(nth(s, 1)->u.syscall.args->num, 4);
	ck_assert_int_eq(nth(s, 1)->loc.line, 6);
	script_free(s);
	/* A define from the script's own option lines counts. */
	s = parse_ok("--define=STANDARD=1\n0 close(3) = 0\n#ifdef STANDARD\n+0 close(4) = 0\n#endif\n");
	ck_assert_uint_eq(s->n_events, 2);
	script_free(s);
}
END_TEST

START_TEST(test_icmp_packets)
{
	struct script *s = parse_ok(
		"0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]\n"
		"+0 < icmp unreachable port_unreachable [udp (1472)]\n"
		"+0 > icmp echo_reply id 7\n"
		"+0 < icmp type_5 code_1 [raw (8)]\n"
		"+0 < (tos 0x10) icmp time_exceeded ttl_exceeded_in_transit [0:0(0)/udp(9811 > 1)]\n");
	const struct script_packet *pk = &nth(s, 0)->u.packet;
	ck_assert_int_eq(pk->proto, SCRIPT_PROTO_ICMP);
	ck_assert_uint_eq(pk->icmp.type, 3);
	ck_assert_uint_eq(pk->icmp.code, 4);
	ck_assert(pk->icmp.has_mtu);
	ck_assert_uint_eq(pk->icmp.mtu, 1200);
	ck_assert_int_eq(pk->icmp.echoed, SCRIPT_ICMP_ECHO_TCP);
	ck_assert_uint_eq(pk->icmp.echoed_seq, 1);
	ck_assert_uint_eq(pk->icmp.echoed_len, 1460);
	pk = &nth(s, 1)->u.packet;
	ck_assert_uint_eq(pk->icmp.code, 3);
	ck_assert_int_eq(pk->icmp.echoed, SCRIPT_ICMP_ECHO_UDP);
	ck_assert_uint_eq(pk->icmp.echoed_len, 1472);
	pk = &nth(s, 2)->u.packet;
	ck_assert_int_eq(pk->dir, SCRIPT_OUTBOUND);
	ck_assert_uint_eq(pk->icmp.type, 0);
	ck_assert(pk->icmp.has_id);
	ck_assert_uint_eq(pk->icmp.id, 7);
	ck_assert(!pk->icmp.echoed_given);
	pk = &nth(s, 3)->u.packet;
	ck_assert_uint_eq(pk->icmp.type, 5);
	ck_assert_uint_eq(pk->icmp.code, 1);
	ck_assert_int_eq(pk->icmp.echoed, SCRIPT_ICMP_ECHO_RAW);
	pk = &nth(s, 4)->u.packet;
	ck_assert_uint_eq(pk->icmp.type, 11);
	ck_assert(pk->ip.has_tos);
	ck_assert(pk->icmp.echoed_encap);
	ck_assert_uint_eq(pk->icmp.echoed_encap_src, 9811);
	assert_roundtrip(s);
	script_free(s);
	/* ICMPv6's table under --ip_version=ipv6 (RFC 4443 numbers). */
	s = parse_ok("--ip_version=ipv6\n"
		     "0 < icmp packet_too_big mtu 1280 [1:1(0)]\n"
		     "+0 < icmp unreachable port_unreachable\n"
		     "+0 < icmp parameter_problem unknown_option\n");
	pk = &nth(s, 0)->u.packet;
	ck_assert(pk->icmp.v6);
	ck_assert_uint_eq(pk->icmp.type, 2);
	ck_assert_uint_eq(pk->icmp.mtu, 1280);
	ck_assert_uint_eq(nth(s, 1)->u.packet.icmp.type, 1);
	ck_assert_uint_eq(nth(s, 1)->u.packet.icmp.code, 4);
	ck_assert_uint_eq(nth(s, 2)->u.packet.icmp.code, 2);
	script_free(s);
}
END_TEST

START_TEST(test_udp_packets_and_encap)
{
	struct script *s = parse_ok(
		"0 > udp (1472)\n"
		"+0 < udp 53>1234 (100)\n"
		"+0 < F. 1:1(0) ack 1 win 32767 <nop,nop,md5 valid>/udp(1 > 9811)\n"
		"+0 > R 1:1(0) win 0/udp(9811 > 1)\n");
	const struct script_packet *pk = &nth(s, 0)->u.packet;
	ck_assert_int_eq(pk->proto, SCRIPT_PROTO_UDP);
	ck_assert_uint_eq(pk->len, 1472);
	ck_assert(!pk->ip.has_ports);
	pk = &nth(s, 1)->u.packet;
	ck_assert(pk->ip.has_ports);
	ck_assert_uint_eq(pk->ip.src_port, 53);
	ck_assert_uint_eq(pk->ip.dst_port, 1234);
	pk = &nth(s, 2)->u.packet;
	ck_assert_int_eq(pk->proto, SCRIPT_PROTO_TCP);
	ck_assert(pk->md5_valid);
	ck_assert(pk->udp_encap);
	ck_assert_uint_eq(pk->encap_src_port, 1);
	ck_assert_uint_eq(pk->encap_dst_port, 9811);
	ck_assert(nth(s, 3)->u.packet.udp_encap);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_ipv6_addresses_and_fields)
{
	struct script *s = parse_ok(
		"--ip_version=ipv6\n"
		"--local_ip=fd3d:0a0b:17d6::1\n"
		"0 < ipv6 fd3d:fa7b:d17d::1 > fd3d:a0b:17d6::1: S 0:0(0) win 1\n"
		"+0 < (hlim 3) . 1:1(0) ack 1 win 32767\n"
		"+0 > (class 0x20, flowlabel 0x12345) . 1:1(0) ack 1\n"
		"+0 < ipv6 ::ffff:192.0.2.1 > 1:2:3:4:5:6:7:8: S 0:0(0) win 1\n");
	ck_assert_str_eq(script_ip_version(s), "ipv6");
	const struct script_packet *pk = &nth(s, 0)->u.packet;
	ck_assert(pk->ipv6);
	ck_assert_uint_eq(pk->src6[0], 0xfd);
	ck_assert_uint_eq(pk->src6[15], 0x01);
	ck_assert_uint_eq(pk->dst6[3], 0x0b);
	pk = &nth(s, 1)->u.packet;
	ck_assert(pk->ip.has_ttl);
	ck_assert_uint_eq(pk->ip.ttl, 3);
	pk = &nth(s, 2)->u.packet;
	ck_assert(pk->ip.has_tos);
	ck_assert_uint_eq(pk->ip.tos, 0x20);
	ck_assert(pk->has_flowlabel);
	ck_assert_uint_eq(pk->flowlabel, 0x12345);
	pk = &nth(s, 3)->u.packet;
	ck_assert_uint_eq(pk->src6[10], 0xff);
	ck_assert_uint_eq(pk->src6[12], 192);
	ck_assert_uint_eq(pk->dst6[15], 8);
	assert_roundtrip(s);
	script_free(s);
	/* A sequence range that looks like the start of an address stays one. */
	s = parse_ok("0 < . 1:1001(1000) ack 1 win 1 <sack 1:2 3:4>\n");
	ck_assert_uint_eq(nth(s, 0)->u.packet.seq_end, 1001);
	ck_assert_str_eq(script_ip_version(s), "ipv4");
	script_free(s);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("script_lang");
	TCase *tc = tcase_create("lang");
	tcase_add_test(tc, test_fastopen_cookie_lengths);
	tcase_add_test(tc, test_defines_substitute_words);
	tcase_add_test(tc, test_ifdef_blocks);
	tcase_add_test(tc, test_icmp_packets);
	tcase_add_test(tc, test_udp_packets_and_encap);
	tcase_add_test(tc, test_ipv6_addresses_and_fields);
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
