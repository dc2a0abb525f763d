/*
 * test_script_errors.c - malformed scripts fail with the exact
 * `file:line:col: message`, a parse status, and no script; none crashes.
 *
 * The table covers the lexer (unterminated comment/string/command/code,
 * stray characters, numbers), the event grammar (times, packets, options,
 * system calls, synack statements), the header and option sections, and the
 * bounds (line length, nesting, 32-bit and 16-bit fields). The robustness
 * tests then cut and corrupt the valid example scripts at every byte and
 * require a clean OK or a located error each time (run them under ASan).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

struct bad {
	const char *text;
	const char *error;
};

#define NOP10 "nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,"

static const struct bad bad_scripts[] = {
	/* lexer */
	{"0 < S 0:0(0) win 10 /* never closed",
	 "t.pkt:1:21: unterminated /* comment"},
	{"0 < S 0:0(0) win 10\n0.1 %{ print(1)",
	 "t.pkt:2:5: unterminated %{ code block (no closing }%)"},
	{"`sysctl -q net.ipv4.tcp_rfc1337=1\n0 close(3) = 0",
	 "t.pkt:1:1: unterminated `command` (no closing backquote)"},
	{"0 write(4, \"abc) = 3",
	 "t.pkt:1:12: unterminated string"},
	{"# comment\n0 close(3) = 0",
	 "t.pkt:1:1: '#' does not start a comment in scripts; use // or /* */ "
	 "(only #ifdef NAME and #endif are read)"},
	{"#endif\n0 close(3) = 0", "t.pkt:1:1: #endif without an #ifdef"},
	{"#ifdef X\n0 close(3) = 0\n", "t.pkt:1:1: #ifdef without an #endif"},
	{"-D X=1\n#ifdef X\n#ifdef Y\n#endif\n0 close(3) = 0\n",
	 "t.pkt:3:1: #ifdef inside the #ifdef of line 2 (#ifdef blocks do not nest)"},
	{"-D X=1\n#ifdef X\n0 close(3) = 0\n", "t.pkt:2:1: #ifdef without an #endif"},
	{"#ifdef 3\n#endif\n0 close(3) = 0", "t.pkt:1:8: #ifdef needs a name"},
	{"0 close(123456789012345678901234567890) = 0", "t.pkt:1:9: number too large"},
	{"0 < S 0:0(0) win 1 <FO 012345678901234567890>",
	 "t.pkt:1:24: fast open cookie has an odd number of hex digits"},
	{"0 < S 0:0(0) win 1 <FO 010203040506070809101112131415161718192021222324252627282930313233343536373839>",
	 "t.pkt:1:24: fast open cookie longer than 38 bytes"},
	{"0 < S 0:0(0) win 1 <FOEXP 01020304050607080910111213141516171819202122232425262728293031323334353637>",
	 "t.pkt:1:27: fast open cookie longer than 36 bytes"},
	{"0 close(3) = 0 $",
	 "t.pkt:1:16: unexpected character '$'"},
	/* packetdrill's one form of scm_timestamping data */
	{"0 recvmsg(3, {msg_control=[{cmsg_data={scm_nsec=5,scm_sec=0}}]}, 0) = 0",
	 "t.pkt:1:39: scm_timestamping: expected {scm_sec=SECONDS,scm_nsec=NANOSECONDS} "
	 "(integers, nanoseconds below 1000000000)"},
	{"0 recvmsg(3, {msg_control=[{cmsg_data={scm_sec=0,scm_nsec=1000000000}}]}, 0) = 0",
	 "t.pkt:1:39: scm_timestamping: expected {scm_sec=SECONDS,scm_nsec=NANOSECONDS} "
	 "(integers, nanoseconds below 1000000000)"},
	{"0 < S 0:0(0) win 99999999999999999999",
	 "t.pkt:1:18: number too large"},
	{"0 < S 0:0(0) win 10ms",
	 "t.pkt:1:18: expected window, got '10ms'"},
	{"0 < S 0:0(0) win 1.5x",
	 "t.pkt:1:18: malformed number '1.5x'"},
	{"0 connect 300.1.2.3:80",
	 "t.pkt:1:11: malformed IPv4 address '300.1.2.3'"},
	/* times */
	{"-1 close(3) = 0", "t.pkt:1:1: negative time"},
	{"0.1234567891 close(3) = 0",
	 "t.pkt:1:1: time has more than 9 decimal places"},
	{"1.1~0.9 > S 0:0(0)",
	 "t.pkt:1:4: time range is backwards (low end after high end)"},
	{"+0~1 > S 0:0(0)",
	 "t.pkt:1:4: a relative time range needs '+' on both ends (+lo~+hi)"},
	{"* < S 0:0(0) win 1",
	 "t.pkt:1:1: time '*' is allowed only on outbound packets and expected "
	 "events, not on a packet"},
	{"* listen",
	 "t.pkt:1:1: time '*' is allowed only on outbound packets and expected "
	 "events, not on an application action"},
	{"0 listen\n+0~+1 close",
	 "t.pkt:2:1: a time range is allowed only on outbound packets and expected "
	 "events, not on an application action"},
	{"0~1 close(3) = 0",
	 "t.pkt:1:1: a time range is allowed only on outbound packets and expected "
	 "events, not on a system call"},
	{"1 close(3) = 0\n0.5 close(4) = 0",
	 "t.pkt:2:1: time goes backwards (earlier than the previous event)"},
	{"0...0.1 < S 0:0(0) win 1",
	 "t.pkt:1:2: '...' end time is allowed only on system calls"},
	{"1...0.5 read(4, ..., 1) = 1",
	 "t.pkt:1:2: end time is before the start time"},
	{"99999999999 close(3) = 0", "t.pkt:1:1: time too large"},
	{"0 close\n+999999999 close\n+1 close",
	 "t.pkt:3:1: time too large: the events add up to 10^9 s or more"},
	{"0.5 close\n+999999999.5 close",
	 "t.pkt:2:1: time too large: the events add up to 10^9 s or more"},
	/* ten times 10^9 - 1 s would wrap a 64-bit nanosecond total */
	{"0 close\n+999999999 close\n+999999999 close\n+999999999 close\n"
	 "+999999999 close\n+999999999 close\n+999999999 close\n+999999999 close\n"
	 "+999999999 close\n+999999999 close\n+999999999 close\n+999999999 close",
	 "t.pkt:3:1: time too large: the events add up to 10^9 s or more"},
	{"< S 0:0(0)",
	 "t.pkt:1:1: expected a time ('0.1', '+0.1', '*') at the start of an event, "
	 "got '<'"},
	/* packets */
	{"0 < X 0:0(0) win 1",
	 "t.pkt:1:5: unknown TCP flag 'X' (flags are S F R P E W U, '.' for ACK, "
	 "'-' for none)"},
	{"0 < SS 0:0(0)", "t.pkt:1:6: TCP flag 'S' given twice"},
	{"0 < S 0:10(5) win 1",
	 "t.pkt:1:7: inconsistent sequence numbers: 0:10 is not 5 bytes long"},
	{"0 < S 4294967296:0(0)",
	 "t.pkt:1:7: start sequence number 4294967296 out of range (0..4294967295)"},
	{"0 < . 1:1(0) ack 4294967296 win 1",
	 "t.pkt:1:18: ack number 4294967296 out of range (0..4294967295)"},
	{"0 < S 0:0(0) win 70000",
	 "t.pkt:1:18: window 70000 out of range (0..65535)"},
	{"0 < P. 1:70001(70000) ack 1",
	 "t.pkt:1:16: payload length 70000 out of range (0..65535)"},
	{"0 < S 0:0 win 1",
	 "t.pkt:1:11: expected '(' and the payload length, got 'win'"},
	{"0 < S win 1",
	 "t.pkt:1:7: expected sequence numbers 'start:end(length)', got 'win'"},
	{"0 < S 0:0(0) win 1 ack 1",
	 "t.pkt:1:20: 'ack' repeated or out of order (the order is ack, win, urg, "
	 "<options>)"},
	{"0 < S 0:0(0) 5", "t.pkt:1:14: unexpected '5' after the end of the packet"},
	{"0 < . ...(10) ack 1 win 1",
	 "t.pkt:1:7: '...' (unchecked sequence number) is allowed only on outbound "
	 "packets"},
	{"0 < udp (10", "t.pkt:1:12: expected ')' after the UDP payload length, got end of file"},
	{"0 < udp (70000)", "t.pkt:1:10: UDP payload length 70000 out of range (0..65507)"},
	{"0 < [ect0] udp (10)", "t.pkt:1:12: ECN codepoints are for TCP packets, not udp"},
	{"0 < icmp bogus [1:1(0)]", "t.pkt:1:10: unknown ICMP type 'bogus'"},
	{"0 < icmp unreachable bogus", "t.pkt:1:22: unknown ICMP code 'bogus' for type unreachable"},
	{"0 < icmp unreachable port_unreachable mtu 1200",
	 "t.pkt:1:39: an ICMP mtu belongs to unreachable frag_needed"},
	{"--ip_version=ipv6\n0 < icmp unreachable frag_needed",
	 "t.pkt:2:22: unknown ICMPv6 code 'frag_needed' for type unreachable"},
	{"0 < icmp unreachable frag_needed mtu 1200 [1:1461(1000)]",
	 "t.pkt:1:44: inconsistent sequence numbers: 1:1461 is not 1000 bytes long"},
	{"0 < icmp unreachable frag_needed [sctp(1)]",
	 "t.pkt:1:35: sctp is not a protocol synack carries"},
	{"0 < icmp type_256", "t.pkt:1:10: unknown ICMP type 'type_256'"},
	{"0 < ipv6 1.2.3.4 > ::1: S 0:0(0) win 1",
	 "t.pkt:1:10: expected the source IPv6 address after 'ipv6', got '1.2.3.4'"},
	{"0 < ipv4 ::1 > 1.2.3.4: S 0:0(0) win 1",
	 "t.pkt:1:10: expected the source IPv4 address after 'ipv4', got '::1'"},
	{"0 < (tos 0x10, ttl 64, flowlabel 0x100000) S 0:0(0)",
	 "t.pkt:1:34: flowlabel 1048576 out of range (0..1048575)"},
	{"0 < S 0:0(0) win 1/tcp(1 > 2)",
	 "t.pkt:1:20: expected 'udp' after '/' (TCP over UDP: /udp(SRC > DST)), got 'tcp'"},
	{"0 < [ect01] S 0:0(0) win 1",
	 "t.pkt:1:6: [ect01] is allowed only on outbound packets"},
	{"0 < nothing", "t.pkt:1:5: 'nothing' follows '>' (the DUT sends nothing), not '<'"},
	/* TCP options */
	{"0 < S 0:0(0) <mss 1460,foo 3>",
	 "t.pkt:1:24: unknown TCP option 'foo' (expected nop, eol, mss, wscale, "
	 "sackOK, sack, TS, md5, FO or FOEXP)"},
	{"0 < S 0:0(0) win 1 <...>",
	 "t.pkt:1:20: '<...>' (unchecked options) is allowed only on outbound "
	 "packets"},
	{"0 < S 0:0(0) <>", "t.pkt:1:14: empty TCP option list '<>'"},
	{"0 < S 0:0(0) <mss 70000>",
	 "t.pkt:1:19: mss value 70000 out of range (0..65535)"},
	{"0 < S 0:0(0) <sack 1:2 3:4 5:6 7:8 9:10>",
	 "t.pkt:1:36: more than 4 SACK blocks"},
	{"0 < S 0:0(0) <TS val 1 ecr 2,TS val 1 ecr 2,TS val 1 ecr 2,TS val 1 ecr 2,nop>",
	 "t.pkt:1:75: TCP options longer than 40 bytes"},
	{"0 < S 0:0(0) <" NOP10 NOP10 NOP10 NOP10 "nop>",
	 "t.pkt:1:175: TCP options longer than 40 bytes"},
	{"0 < S 0:0(0) <TS val 1>",
	 "t.pkt:1:23: expected 'ecr' after the TS value, got '>'"},
	{"0 < S 0:0(0) win 1 <mss 1460",
	 "t.pkt:1:29: expected ',' or '>' in the TCP option list, got end of file"},
	{"0 < S 0:0(0) <md5 abc>",
	 "t.pkt:1:19: md5 digest has an odd number of hex digits"},
	/* system calls */
	{"0 close(3) 0",
	 "t.pkt:1:12: expected '=' and the expected return value after 'close(...)', "
	 "got '0'"},
	{"0 close(3)\n+0 close(4) = 0",
	 "t.pkt:2:1: expected '=' and the expected return value after 'close(...)', "
	 "got '+'"},
	{"0 bind(3, ..., ...\n+0 listen(3, 1) = 0",
	 "t.pkt:1:7: unclosed '(' (no matching ')')"},
	{"0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1 l_linger=0}, 8) = 0",
	 "t.pkt:1:51: expected ',' or '}', got 'l_linger'"},
	{"0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now",
	 "t.pkt:1:41: unclosed '(' in the note after the return value"},
	{"0 getsockopt(3, [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], 4) = 0",
	 "t.pkt:1:48: expression nested deeper than 32"},
	{"0 connect(3, ..., ...) = -1 EFROB",
	 "t.pkt:1:29: unknown errno name 'EFROB' (expected a Linux name such as ECONNREFUSED "
	 "or EINPROGRESS)"},
	{"0 read(3, ..., 1) = -1 eagain (lower case)",
	 "t.pkt:1:24: unknown errno name 'eagain' (expected a Linux name such as ECONNREFUSED "
	 "or EINPROGRESS)"},
	{"0 write(4, 1.5, 1) = 1",
	 "t.pkt:1:12: expected an expression (number, name, \"string\", ..., [list] "
	 "or {struct}), got '1.5'"},
	/* synack statements */
	{"0 > nothing extra",
	 "t.pkt:1:13: unexpected 'extra' after the end of the nothing assertion"},
	{"0 state SYN-RECIEVED",
	 "t.pkt:1:9: unknown TCP state 'SYN-RECIEVED' (RFC 9293 names such as "
	 "SYN-RECEIVED)"},
	{"0 event connectd",
	 "t.pkt:1:9: unknown application event 'connectd' (expected connected, "
	 "accepted, refused, reset, closed, timeout, eof or urgent)"},
	{"0 counter x = 1",
	 "t.pkt:1:13: expected a comparison (==, !=, <, <=, >, >=), got '='"},
	{"0 counter x == 4294967296",
	 "t.pkt:1:16: counter value 4294967296 out of range (0..4294967295)"},
	{"0 send", "t.pkt:1:7: expected a byte count after 'send', got end of file"},
	{"0 send <=10", "t.pkt:1:8: expected a byte count after 'send', got '<='"},
	{"0 recv >=", "t.pkt:1:10: expected a byte count after 'recv', got end of file"},
	{"0 recv <=0", "t.pkt:1:10: recv <=0 reads nothing (write recv 0)"},
	{"0 rcvbuf", "t.pkt:1:9: expected a byte count after 'rcvbuf', got end of file"},
	{"0 rcvbuf >=1", "t.pkt:1:10: expected a byte count after 'rcvbuf', got '>='"},
	{"0 listen 0", "t.pkt:1:10: port 0 out of range (1..65535)"},
	{"0 frobnicate 3",
	 "t.pkt:1:3: unknown statement 'frobnicate' (not a system call: no '(')"},
	{"0 close 5", "t.pkt:1:9: unexpected '5' after the end of the application action"},
	{"0 state", "t.pkt:1:8: expected a TCP state name after 'state', got end of file"},
	/* header, options, structure */
	{"//! profile: rfc5961=maybe\n0 close",
	 "t.pkt:1:22: profile value 'maybe' must be 'on' or 'off'"},
	{"//! profile: rfc793=on\n0 close",
	 "t.pkt:1:14: unknown profile 'rfc793' (known: rfc5961, rfc1337, timewait-recycle, "
	 "synack-params, rfc9293-strict, linux-wire, linux-params, linux-right-edge)"},
	{"//! profile: synack-params linux-wired\n0 close",
	 "t.pkt:1:28: unknown profile 'linux-wired' (known: rfc5961, rfc1337, timewait-recycle, "
	 "synack-params, rfc9293-strict, linux-wire, linux-params, linux-right-edge)"},
	{"//! profile: rfc1337\n0 close",
	 "t.pkt:1:14: profile item 'rfc1337' needs name=on|off"},
	{"//! profile: rfc5961=on timewait-recycle\n0 close",
	 "t.pkt:1:25: profile item 'timewait-recycle' needs name=on|off"},
	{"//! profile: timewait-recycle=off timewait-recycle=on\n0 close",
	 "t.pkt:1:35: profile 'timewait-recycle' given twice"},
	{"//! profile: rfc9293-strict=yes\n0 close",
	 "t.pkt:1:29: profile value 'yes' must be 'on' or 'off'"},
	{"//! profile: linux-wire, linux-wire=on\n0 close",
	 "t.pkt:1:26: profile 'linux-wire' given twice"},
	{"//! colour: red\n0 close",
	 "t.pkt:1:5: unknown header key 'colour' (known: rfc, title, profile, local, "
	 "remote)"},
	{"//! remote: 192.0.2.1:99999\n0 close",
	 "t.pkt:1:13: malformed endpoint '192.0.2.1:99999' (expected a.b.c.d[:port] "
	 "or port)"},
	{"//! just text\n0 close", "t.pkt:1:10: header line needs 'key: value'"},
	{"0 close\n//! rfc: late",
	 "t.pkt:2:1: '//!' header lines must come before the first event"},
	{"0 close\n--tolerance_usecs=1",
	 "t.pkt:2:1: option lines must come before the first event"},
	{"-D FOO\n0 close", "t.pkt:1:1: a define needs NAME=VALUE"},
	{"--tolerance_usecs= 0 close",
	 "t.pkt:1:19: option 'tolerance_usecs' has an empty value"},
	{"", "t.pkt:1:1: script has no events"},
	{"// only a comment\n--mtu=1500\n", "t.pkt:3:1: script has no events"},
	{"0 x(1) = 0\n0 `a`\n`b`\n0 y(1) = 0",
	 "t.pkt:3:1: a command without a time may only be the first (init) or last "
	 "(cleanup) statement"},
};

START_TEST(test_bad_script)
{
	const struct bad *b = &bad_scripts[_i];
	struct script dummy;
	struct script *s = &dummy;
	struct script_error e;
	enum script_status st = script_parse_string("t.pkt", b->text, strlen(b->text),
						    &s, &e);
	ck_assert_msg(st == SCRIPT_ERR_PARSE, "case %d parsed: %s", _i, b->text);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(e.text, b->error);
	ck_assert_int_ge(e.loc.line, 1);
	ck_assert_int_ge(e.loc.col, 1);
}
END_TEST

static void expect_error(const char *text, size_t len, const char *want)
{
	struct script *s = NULL;
	struct script_error e;
	ck_assert_int_eq(script_parse_string("t.pkt", text, len, &s, &e),
			 SCRIPT_ERR_PARSE);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(e.text, want);
}

START_TEST(test_nul_byte)
{
	static const char text[] = "0 close(3) = 0\n+0 cl\0se(4) = 0\n";
	expect_error(text, sizeof(text) - 1, "t.pkt:2:6: NUL byte in script");
}
END_TEST

START_TEST(test_line_too_long)
{
	size_t n = SCRIPT_MAX_LINE + 100;
	char *text = malloc(n + 32);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "0 close(3) = 0\n// ");
	size_t at = strlen(text);
	memset(text + at, 'x', n);
	text[at + n] = '\0';
	expect_error(text, strlen(text), "t.pkt:2:4097: line longer than 4096 characters");
	free(text);
}
END_TEST

START_TEST(test_script_too_large)
{
	size_t n = SCRIPT_MAX_BYTES + 1;
	char *text = malloc(n);
	ck_assert_ptr_nonnull(text);
	memset(text, '\n', n);
	expect_error(text, n, "t.pkt:1:1: script larger than 1048576 bytes");
	free(text);
}
END_TEST

START_TEST(test_list_too_long)
{
	char *text = malloc(8 * SCRIPT_MAX_LIST + 64);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "0 f(");
	for (unsigned i = 0; i <= SCRIPT_MAX_LIST; i++)
		strcat(text, i ? ",\n1" : "1");
	strcat(text, ") = 0");
	expect_error(text, strlen(text), "t.pkt:257:1: more than 256 items in a list");
	free(text);
}
END_TEST

static char *read_data(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", SCRIPT_TEST_DATA, name);
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = malloc(65536);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

static void parse_any(const char *text, size_t len)
{
	struct script *s = NULL;
	struct script_error e;
	enum script_status st = script_parse_string("t.pkt", text, len, &s, &e);
	if (st == SCRIPT_OK) {
		ck_assert_ptr_nonnull(s);
		char *d = script_dump(s);
		ck_assert_ptr_nonnull(d);
		free(d);
		script_free(s);
	} else {
		ck_assert_int_eq(st, SCRIPT_ERR_PARSE);
		ck_assert_ptr_null(s);
		ck_assert_msg(strncmp(e.text, "t.pkt:", 6) == 0 && e.loc.line >= 1 &&
			      e.loc.col >= 1, "unlocated error: %s", e.text);
	}
}

static const char *const data_files[] = {
	"passive_open.pkt", "active_connect.pkt", "close_fin.pkt",
	"rst_in_window.pkt", "synack_ext.pkt", "timing.pkt",
};

/* Every prefix of every example either parses or fails with a location. */
START_TEST(test_truncations)
{
	size_t len;
	char *text = read_data(data_files[_i], &len);
	for (size_t n = 0; n <= len; n++)
		parse_any(text, n);
	free(text);
}
END_TEST

/* Every byte replaced by characters that matter to the grammar. */
START_TEST(test_corruptions)
{
	static const char subst[] = "(<>)[]{}`%\"!*+~.:,=|-9x/\n";
	size_t len;
	char *text = read_data(data_files[_i], &len);
	for (size_t i = 0; i < len; i++) {
		char keep = text[i];
		for (const char *c = subst; *c != '\0'; c++) {
			text[i] = *c;
			parse_any(text, len);
		}
		text[i] = keep;
	}
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("script_errors");
	TCase *tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_script, 0,
			    (int)(sizeof(bad_scripts) / sizeof(bad_scripts[0])));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_script_too_large);
	tcase_add_test(tc, test_list_too_long);
	suite_add_tcase(s, tc);
	TCase *rb = tcase_create("robustness");
	tcase_set_timeout(rb, 120);
	tcase_add_loop_test(rb, test_truncations, 0,
			    (int)(sizeof(data_files) / sizeof(data_files[0])));
	tcase_add_loop_test(rb, test_corruptions, 0,
			    (int)(sizeof(data_files) / sizeof(data_files[0])));
	suite_add_tcase(s, rb);
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
