/*
 * test_script_parse.c - valid scripts parse into the expected AST.
 *
 * Every feature of the language (packetdrill subset and synack extensions)
 * has a test that asserts the fields the runner will read; the example
 * scripts in data/ (written in the style of google/packetdrill gtests/net/tcp)
 * must parse, and every script must survive parse -> dump -> parse -> dump
 * with identical text.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

static struct script *parse_ok(const char *text)
{
	struct script *s = NULL;
	struct script_error e;
	enum script_status st = script_parse_string("t.pkt", text, strlen(text), &s, &e);
	ck_assert_msg(st == SCRIPT_OK, "unexpected error: %s", e.text);
	ck_assert_ptr_nonnull(s);
	return s;
}

static const struct script_event *nth(const struct script *s, size_t n)
{
	const struct script_event *ev = s->events;
	for (size_t i = 0; i < n && ev != NULL; i++)
		ev = ev->next;
	ck_assert_ptr_nonnull(ev);
	return ev;
}

/* parse(dump(s)) dumps to the same text. */
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
	ck_assert_uint_eq(s->n_events, s2->n_events);
	free(d1);
	free(d2);
	script_free(s2);
}

START_TEST(test_time_forms)
{
	struct script *s = parse_ok(
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		"0.100 bind(3, ..., ...) = 0\n"
		"+0.2 listen(3, 1) = 0\n"
		"+.04 < S 0:0(0) win 1000\n"
		"* > S. 0:0(0) ack 1 <...>\n"
		"0.9~1.1 > . 1:1(0) ack 1\n"
		"+0~+.04 > . 1:1(0) ack 1\n"
		"+0...0.300 accept(3, ..., ...) = 4\n"
		"2.000000001 close(4) = 0\n");
	ck_assert_int_eq(nth(s, 0)->time.kind, SCRIPT_TIME_ABS);
	ck_assert_int_eq(nth(s, 0)->time.lo_ns, 0);
	ck_assert_int_eq(nth(s, 1)->time.kind, SCRIPT_TIME_ABS);
	ck_assert_int_eq(nth(s, 1)->time.lo_ns, 100000000);
	ck_assert_int_eq(nth(s, 2)->time.kind, SCRIPT_TIME_REL);
	ck_assert_int_eq(nth(s, 2)->time.lo_ns, 200000000);
	ck_assert_int_eq(nth(s, 3)->time.lo_ns, 40000000);
	ck_assert_int_eq(nth(s, 4)->time.kind, SCRIPT_TIME_ANY);
	ck_assert_int_eq(nth(s, 5)->time.kind, SCRIPT_TIME_ABS_RANGE);
	ck_assert_int_eq(nth(s, 5)->time.lo_ns, 900000000);
	ck_assert_int_eq(nth(s, 5)->time.hi_ns, 1100000000);
	ck_assert_int_eq(nth(s, 6)->time.kind, SCRIPT_TIME_REL_RANGE);
	ck_assert_int_eq(nth(s, 6)->time.lo_ns, 0);
	ck_assert_int_eq(nth(s, 6)->time.hi_ns, 40000000);
	const struct script_event *acc = nth(s, 7);
	ck_assert(acc->u.syscall.blocking);
	ck_assert_int_eq(acc->u.syscall.end_ns, 300000000);
	ck_assert(!nth(s, 0)->u.syscall.blocking);
	ck_assert_int_eq(nth(s, 8)->time.lo_ns, 2000000001);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_packet_inbound_fields)
{
	struct script *s = parse_ok(
		"0 < S 0:0(0) win 32792 urg 7 <mss 1460,sackOK,TS val 100 ecr 0,"
		"nop,wscale 7,eol>\n");
	const struct script_event *ev = nth(s, 0);
	ck_assert_int_eq(ev->kind, SCRIPT_EV_PACKET);
	const struct script_packet *pk = &ev->u.packet;
	ck_assert_int_eq(pk->dir, SCRIPT_INBOUND);
	ck_assert_uint_eq(pk->flags, SCRIPT_TCP_SYN);
	ck_assert_int_eq(pk->seq_mode, SCRIPT_SEQ_RELATIVE);
	ck_assert_uint_eq(pk->seq_start, 0);
	ck_assert_uint_eq(pk->seq_end, 0);
	ck_assert_uint_eq(pk->len, 0);
	ck_assert(!pk->has_ack);
	ck_assert(pk->has_win);
	ck_assert_uint_eq(pk->win, 32792);
	ck_assert(pk->has_urg);
	ck_assert_uint_eq(pk->urg, 7);
	ck_assert(!pk->options_any);
	ck_assert_uint_eq(pk->n_options, 6);
	ck_assert_int_eq(pk->options[0].kind, SCRIPT_OPT_MSS);
	ck_assert_uint_eq(pk->options[0].u.mss, 1460);
	ck_assert_int_eq(pk->options[1].kind, SCRIPT_OPT_SACK_PERMITTED);
	ck_assert_int_eq(pk->options[2].kind, SCRIPT_OPT_TIMESTAMP);
	ck_assert_uint_eq(pk->options[2].u.ts.val, 100);
	ck_assert_uint_eq(pk->options[2].u.ts.ecr, 0);
	ck_assert_int_eq(pk->options[3].kind, SCRIPT_OPT_NOP);
	ck_assert_int_eq(pk->options[4].kind, SCRIPT_OPT_WSCALE);
	ck_assert_uint_eq(pk->options[4].u.wscale, 7);
	ck_assert_int_eq(pk->options[5].kind, SCRIPT_OPT_EOL);
	ck_assert_int_eq(pk->options[0].loc.col, 31);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_packet_forty_nops)
{
	char text[256] = "0 < S 0:0(0) win 1 <nop";
	for (int i = 1; i < 40; i++)
		strcat(text, ",nop");
	strcat(text, ">\n");
	struct script *s = parse_ok(text);
	ck_assert_uint_eq(nth(s, 0)->u.packet.n_options, 40);
	ck_assert_int_eq(nth(s, 0)->u.packet.options[39].kind, SCRIPT_OPT_NOP);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_packet_flags)
{
	struct script *s = parse_ok(
		"0 < S. 0:0(0) ack 1 win 1\n"
		"+0 < R. 0:0(0) ack 1 win 1\n"
		"+0 < F. 0:0(0) ack 1 win 1\n"
		"+0 < P. 0:10(10) ack 1 win 1\n"
		"+0 < - 0:0(0) win 1\n"
		"+0 < . 0:0(0) ack 1 win 1\n"
		"+0 < SEW 0:0(0) win 1\n"
		"+0 < FP. 0:5(5) ack 1 win 1\n"
		"+0 < SR 0:0(0) win 1\n"
		"+0 < U. 0:0(0) ack 1 win 1 urg 1\n");
	const uint8_t want[] = {
		SCRIPT_TCP_SYN | SCRIPT_TCP_ACK, SCRIPT_TCP_RST | SCRIPT_TCP_ACK,
		SCRIPT_TCP_FIN | SCRIPT_TCP_ACK, SCRIPT_TCP_PSH | SCRIPT_TCP_ACK, 0,
		SCRIPT_TCP_ACK, SCRIPT_TCP_SYN | SCRIPT_TCP_ECE | SCRIPT_TCP_CWR,
		SCRIPT_TCP_FIN | SCRIPT_TCP_PSH | SCRIPT_TCP_ACK,
		SCRIPT_TCP_SYN | SCRIPT_TCP_RST, SCRIPT_TCP_URG | SCRIPT_TCP_ACK,
	};
	for (size_t i = 0; i < sizeof(want); i++)
		ck_assert_uint_eq(nth(s, i)->u.packet.flags, want[i]);
	ck_assert_uint_eq(nth(s, 3)->u.packet.len, 10);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_packet_seq_modes)
{
	struct script *s = parse_ok(
		"0 < R 1234567:1234567(0)! win 0\n"
		"+0 < . 1:1(0) ack 4294967295! win 10\n"
		"+0 > P. ...(100) ack 1\n"
		"+0 < P. 4294967295:999(1000) ack 1 win 10\n"
		"+0 > R 34:34(0)\n");
	const struct script_packet *a = &nth(s, 0)->u.packet;
	ck_assert_int_eq(a->seq_mode, SCRIPT_SEQ_ABSOLUTE);
	ck_assert_uint_eq(a->seq_start, 1234567);
	const struct script_packet *b = &nth(s, 1)->u.packet;
	ck_assert_int_eq(b->seq_mode, SCRIPT_SEQ_RELATIVE);
	ck_assert(b->has_ack && b->ack_absolute);
	ck_assert_uint_eq(b->ack, 4294967295u);
	const struct script_packet *c = &nth(s, 2)->u.packet;
	ck_assert_int_eq(c->seq_mode, SCRIPT_SEQ_IGNORE);
	ck_assert_uint_eq(c->len, 100);
	ck_assert_int_eq(c->dir, SCRIPT_OUTBOUND);
	const struct script_packet *d = &nth(s, 3)->u.packet;
	ck_assert_uint_eq(d->seq_start, 4294967295u); /* wraps mod 2^32 */
	ck_assert_uint_eq(d->seq_end, 999);
	const struct script_packet *e = &nth(s, 4)->u.packet;
	ck_assert(!e->has_ack && !e->has_win && e->n_options == 0 && !e->options_any);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_packet_options_sack_md5_fo)
{
	struct script *s = parse_ok(
		"0 > . 1:1(0) ack 1 <nop,nop,sack 1001:2001 3001:4001>\n"
		"+0 < . 1:1(0) ack 1 win 10 <md5 000102030405060708090a0b0c0d0e0f>\n"
		"+0 < S 0:0(0) win 10 <FO abcd,nop,nop>\n"
		"+0 > S. 0:0(0) ack 1 <...>\n"
		"+0 < S 0:10(10) win 32792 <mss 1460,nop,nop,FOEXP TFO_COOKIE>\n");
	const struct script_tcp_option *o = &nth(s, 0)->u.packet.options[2];
	ck_assert_int_eq(o->kind, SCRIPT_OPT_SACK);
	ck_assert_uint_eq(o->u.sack.n, 2);
	ck_assert_uint_eq(o->u.sack.block[1].left, 3001);
	ck_assert_uint_eq(o->u.sack.block[1].right, 4001);
	const struct script_tcp_option *m = &nth(s, 1)->u.packet.options[0];
	ck_assert_int_eq(m->kind, SCRIPT_OPT_MD5);
	ck_assert_uint_eq(m->u.blob.len, 16);
	ck_assert_uint_eq(m->u.blob.bytes[15], 0x0f);
	const struct script_tcp_option *f = &nth(s, 2)->u.packet.options[0];
	ck_assert_int_eq(f->kind, SCRIPT_OPT_FASTOPEN);
	ck_assert_uint_eq(f->u.blob.len, 2);
	ck_assert_uint_eq(f->u.blob.bytes[0], 0xab);
	ck_assert(nth(s, 3)->u.packet.options_any);
	const struct script_tcp_option *x = &nth(s, 4)->u.packet.options[3];
	ck_assert_int_eq(x->kind, SCRIPT_OPT_FASTOPEN_EXP);
	ck_assert_str_eq(x->blob_name, "TFO_COOKIE");
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_packet_ip_info)
{
	struct script *s = parse_ok(
		"0 < (tos 0x10, ttl 64) S 0:0(0) win 10\n"
		"+0 > [ect0] S. 0:0(0) ack 1\n"
		"+0 < ipv4 192.0.2.1 > 192.168.0.1: S 0:0(0) win 10\n"
		"+0 < 54321>8080 S 0:0(0) win 10\n"
		"+0 > [ect01] . 1:1(0) ack 1\n");
	const struct script_ip_info *a = &nth(s, 0)->u.packet.ip;
	ck_assert(a->has_tos && a->has_ttl);
	ck_assert_uint_eq(a->tos, 0x10);
	ck_assert_uint_eq(a->ttl, 64);
	ck_assert_int_eq(nth(s, 1)->u.packet.ip.ecn, SCRIPT_ECN_ECT0);
	const struct script_ip_info *c = &nth(s, 2)->u.packet.ip;
	ck_assert(c->has_addrs);
	ck_assert_uint_eq(c->src_addr, 0xc0000201u);
	ck_assert_uint_eq(c->dst_addr, 0xc0a80001u);
	const struct script_ip_info *d = &nth(s, 3)->u.packet.ip;
	ck_assert(d->has_ports);
	ck_assert_uint_eq(d->src_port, 54321);
	ck_assert_uint_eq(d->dst_port, 8080);
	ck_assert_int_eq(nth(s, 4)->u.packet.ip.ecn, SCRIPT_ECN_ECT01);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_syscall_basic)
{
	struct script *s = parse_ok(
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		"+0 listen(3, 1) = 0\n"
		"+0 close(4) = 0\n"
		"+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
		"+0 getpid() = ...\n");
	const struct script_syscall *sc = &nth(s, 0)->u.syscall;
	ck_assert_str_eq(sc->name, "socket");
	ck_assert_uint_eq(sc->n_args, 3);
	ck_assert_int_eq(sc->args->kind, SCRIPT_EXPR_ELLIPSIS);
	ck_assert_int_eq(sc->args->next->kind, SCRIPT_EXPR_WORD);
	ck_assert_str_eq(sc->args->next->text, "SOCK_STREAM");
	ck_assert_str_eq(sc->args->next->next->text, "IPPROTO_TCP");
	ck_assert_int_eq(sc->result->kind, SCRIPT_EXPR_INT);
	ck_assert_int_eq(sc->result->num, 3);
	ck_assert_ptr_null(sc->errno_name);
	ck_assert_ptr_null(sc->note);
	const struct script_expr *flags = nth(s, 3)->u.syscall.args->next->next;
	ck_assert_int_eq(flags->kind, SCRIPT_EXPR_OR);
	ck_assert_str_eq(flags->lhs->text, "O_RDWR");
	ck_assert_str_eq(flags->rhs->text, "O_NONBLOCK");
	ck_assert_uint_eq(nth(s, 4)->u.syscall.n_args, 0);
	ck_assert_int_eq(nth(s, 4)->u.syscall.result->kind, SCRIPT_EXPR_ELLIPSIS);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_syscall_errno_note)
{
	struct script *s = parse_ok(
		"0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
		"+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n"
		"+0 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)\n"
		"+0 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)\n");
	const struct script_syscall *c = &nth(s, 0)->u.syscall;
	ck_assert_int_eq(c->result->num, -1);
	ck_assert_str_eq(c->errno_name, "EINPROGRESS");
	ck_assert_str_eq(c->note, "Operation now in progress");
	const struct script_expr *lst = nth(s, 1)->u.syscall.args->next->next->next;
	ck_assert_int_eq(lst->kind, SCRIPT_EXPR_LIST);
	ck_assert_uint_eq(lst->n_children, 1);
	ck_assert_str_eq(lst->child->text, "ECONNREFUSED");
	const struct script_syscall *f = &nth(s, 3)->u.syscall;
	ck_assert(f->result->hex);
	ck_assert_int_eq(f->result->num, 0x802);
	ck_assert_ptr_null(f->errno_name);
	ck_assert_str_eq(f->note, "flags O_RDWR|O_NONBLOCK");
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_syscall_structs)
{
	struct script *s = parse_ok(
		"0 connect(3, {sa_family=AF_INET, sin_port=htons(8080),\n"
		"              sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0\n"
		"+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
		"+0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, 0) = 1000\n"
		"+0 write(4, \"hello\" \" world\"..., 11) = 11\n"
		"+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_state=TCP_ESTABLISHED, ...}, [...]) = 0\n");
	const struct script_event *ev = nth(s, 0);
	ck_assert_int_eq(ev->loc.line, 1);
	const struct script_expr *sa = ev->u.syscall.args->next;
	ck_assert_int_eq(sa->kind, SCRIPT_EXPR_STRUCT);
	ck_assert_uint_eq(sa->n_children, 3);
	const struct script_expr *port = sa->child->next;
	ck_assert_int_eq(port->kind, SCRIPT_EXPR_ASSIGN);
	ck_assert_str_eq(port->lhs->text, "sin_port");
	ck_assert_int_eq(port->rhs->kind, SCRIPT_EXPR_CALL);
	ck_assert_str_eq(port->rhs->text, "htons");
	ck_assert_int_eq(port->rhs->child->num, 8080);
	const struct script_expr *addr = port->next;
	ck_assert_int_eq(addr->loc.line, 2);
	ck_assert_int_eq(addr->loc.col, 15);
	ck_assert_str_eq(addr->rhs->child->text, "192.0.2.1");
	const struct script_expr *lg = nth(s, 1)->u.syscall.args->next->next->next;
	ck_assert_str_eq(lg->child->lhs->text, "l_onoff");
	ck_assert_int_eq(lg->child->rhs->num, 1);
	const struct script_expr *msg = nth(s, 2)->u.syscall.args->next;
	ck_assert_int_eq(msg->child->lhs->kind, SCRIPT_EXPR_CALL);
	ck_assert_int_eq(msg->child->rhs->kind, SCRIPT_EXPR_ELLIPSIS);
	const struct script_expr *str = nth(s, 3)->u.syscall.args->next;
	ck_assert_str_eq(str->text, "hello world");
	ck_assert(str->with_ellipsis);
	const struct script_expr *info = nth(s, 4)->u.syscall.args->next->next->next;
	ck_assert_int_eq(info->kind, SCRIPT_EXPR_STRUCT);
	ck_assert_str_eq(info->child->rhs->text, "TCP_ESTABLISHED");
	ck_assert_int_eq(info->child->next->kind, SCRIPT_EXPR_ELLIPSIS);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_shell_code_init_cleanup)
{
	struct script *s = parse_ok(
		"`../common/defaults.sh\n ../common/set_sysctls.py x=1\n`\n"
		"0 `sysctl -q net.ipv4.tcp_rfc1337=1`\n"
		"+0 %{ assert tcpi_state == 1, tcpi_state }%\n"
		"+0.1 %{\nprint(1)\n}%\n"
		"+0 close(3) = 0\n"
		"`echo done`\n");
	ck_assert_ptr_nonnull(s->init_command);
	ck_assert_int_eq(s->init_command->time.kind, SCRIPT_TIME_NONE);
	ck_assert_str_eq(s->init_command->u.shell,
			 "../common/defaults.sh\n ../common/set_sysctls.py x=1\n");
	ck_assert_int_eq(nth(s, 0)->kind, SCRIPT_EV_SHELL);
	ck_assert_str_eq(nth(s, 0)->u.shell, "sysctl -q net.ipv4.tcp_rfc1337=1");
	ck_assert_int_eq(nth(s, 0)->loc.line, 4);
	ck_assert_int_eq(nth(s, 1)->kind, SCRIPT_EV_CODE);
	ck_assert_str_eq(nth(s, 1)->u.code, "assert tcpi_state == 1, tcpi_state");
	ck_assert_str_eq(nth(s, 2)->u.code, "\nprint(1)\n");
	ck_assert_int_eq(nth(s, 3)->loc.line, 9);
	ck_assert_ptr_nonnull(s->cleanup_command);
	ck_assert_str_eq(s->cleanup_command->u.shell, "echo done");
	ck_assert_uint_eq(s->n_events, 4);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_options_and_defines)
{
	struct script *s = parse_ok(
		"--tolerance_usecs=10000\n"
		"--ip_version=ipv4\n"
		"--local_ip=192.168.0.1\n"
		"--strict_segments\n"
		"-D PORT=8080\n"
		"--define=CC=\"reno\"\n"
		"0 close(3) = 0\n");
	ck_assert_uint_eq(s->n_options, 6);
	const struct script_option *o = s->options;
	ck_assert_str_eq(o->name, "tolerance_usecs");
	ck_assert_str_eq(o->value, "10000");
	ck_assert(!o->is_define);
	ck_assert_int_eq(o->loc.line, 1);
	o = o->next;
	ck_assert_str_eq(o->value, "ipv4");
	o = o->next;
	ck_assert_str_eq(o->value, "192.168.0.1");
	o = o->next;
	ck_assert_str_eq(o->name, "strict_segments");
	ck_assert_ptr_null(o->value);
	o = o->next;
	ck_assert(o->is_define);
	ck_assert_str_eq(o->name, "PORT");
	ck_assert_str_eq(o->value, "8080");
	ck_assert_int_eq(o->loc.line, 5);
	o = o->next;
	ck_assert(o->is_define);
	ck_assert_str_eq(o->name, "CC");
	ck_assert_str_eq(o->value, "\"reno\"");
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_header)
{
	struct script *s = parse_ok(
		"//! title: RST in SYN-RECEIVED\n"
		"//! rfc: RFC 9293 §3.10.7.3\n"
		"//!rfc:RFC 5961 §3.2\n"
		"//! profile: rfc5961=on rfc1337=off\n"
		"//! local: 192.168.0.1:8080\n"
		"//! remote: 54321\n"
		"// rfc: an ordinary comment, not a header line\n"
		"0 listen 8080\n");
	const struct script_header *h = &s->header;
	ck_assert_str_eq(h->title, "RST in SYN-RECEIVED");
	ck_assert_uint_eq(h->n_rfc, 2);
	ck_assert_str_eq(h->rfc[0], "RFC 9293 §3.10.7.3");
	ck_assert_str_eq(h->rfc[1], "RFC 5961 §3.2");
	ck_assert_int_eq(h->rfc5961, SCRIPT_PROFILE_ON);
	ck_assert_int_eq(h->rfc1337, SCRIPT_PROFILE_OFF);
	ck_assert(h->has_local && h->has_remote);
	ck_assert_uint_eq(h->local_addr, 0xc0a80001u);
	ck_assert_uint_eq(h->local_port, 8080);
	ck_assert_uint_eq(h->remote_addr, 0);
	ck_assert_uint_eq(h->remote_port, 54321);
	ck_assert_int_eq(h->loc.line, 1);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_header_behaviour_profiles)
{
	struct script *s = parse_ok(
		"//! profile: rfc5961=on, synack-params rfc9293-strict=on,linux-wire=off timewait-recycle=on\n"
		"0 listen 8080\n");
	const struct script_header *h = &s->header;
	ck_assert_int_eq(h->rfc5961, SCRIPT_PROFILE_ON);
	ck_assert_int_eq(h->rfc1337, SCRIPT_PROFILE_ANY);
	ck_assert_int_eq(h->timewait_recycle, SCRIPT_PROFILE_ON);
	ck_assert_int_eq(h->behaviour[SCRIPT_BEH_SYNACK_PARAMS], SCRIPT_PROFILE_ON);
	ck_assert_int_eq(h->behaviour[SCRIPT_BEH_RFC9293_STRICT], SCRIPT_PROFILE_ON);
	ck_assert_int_eq(h->behaviour[SCRIPT_BEH_LINUX_WIRE], SCRIPT_PROFILE_OFF);
	ck_assert_int_eq(script_behaviour_find("linux-wire"), SCRIPT_BEH_LINUX_WIRE);
	ck_assert_int_eq(script_behaviour_find("linux"), -1);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_header_linux_profiles)
{
	struct script *s = parse_ok("//! profile: rfc5961=on linux-params linux-right-edge rfc9293-strict=off\n"
				    "0 listen 8080\n");
	const struct script_header *h = &s->header;
	ck_assert_int_eq(h->behaviour[SCRIPT_BEH_LINUX_PARAMS], SCRIPT_PROFILE_ON);
	ck_assert_int_eq(h->behaviour[SCRIPT_BEH_LINUX_RIGHT_EDGE], SCRIPT_PROFILE_ON);
	ck_assert_int_eq(h->behaviour[SCRIPT_BEH_RFC9293_STRICT], SCRIPT_PROFILE_OFF);
	ck_assert_int_eq(h->behaviour[SCRIPT_BEH_SYNACK_PARAMS], SCRIPT_PROFILE_ANY);
	ck_assert_int_eq(script_behaviour_find("linux-params"), SCRIPT_BEH_LINUX_PARAMS);
	ck_assert_int_eq(script_behaviour_find("linux-right-edge"), SCRIPT_BEH_LINUX_RIGHT_EDGE);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_header_defaults)
{
	struct script *s = parse_ok("0 close(3) = 0\n");
	ck_assert_int_eq(s->header.rfc5961, SCRIPT_PROFILE_ANY);
	ck_assert_int_eq(s->header.rfc1337, SCRIPT_PROFILE_ANY);
	ck_assert_int_eq(s->header.timewait_recycle, SCRIPT_PROFILE_ANY);
	for (size_t i = 0; i < SCRIPT_BEH_COUNT; i++)
		ck_assert_int_eq(s->header.behaviour[i], SCRIPT_PROFILE_ANY);
	ck_assert_ptr_null(s->header.title);
	ck_assert(!s->header.has_local);
	ck_assert_ptr_null(s->options);
	ck_assert_ptr_null(s->init_command);
	script_free(s);
}
END_TEST

START_TEST(test_extensions)
{
	struct script *s = parse_ok(
		"0 listen 8080\n"
		"+0 listen\n"
		"+0 connect 192.0.2.1:80\n"
		"+0 connect 80\n"
		"+0 connect\n"
		"+0 send 1000\n"
		"+0 recv 0\n"
		"+0 close\n"
		"+0 abort\n"
		"+0.5 > nothing\n"
		"* event connected\n"
		"+0~+1 event refused\n"
		"+0 state SYN-RECEIVED\n"
		"+0 state FIN-WAIT-2\n"
		"+0 counter rst_out_of_window == 1\n"
		"+0 counter challenge_acks >= 2\n"
		"+0 counter drops < 3\n"
		"+0 recv <=100\n"
		"+0 recv >= 1\n"
		"+0 rcvbuf 100\n");
	ck_assert_int_eq(nth(s, 19)->u.app.op, SCRIPT_APP_RCVBUF);
	ck_assert_uint_eq(nth(s, 19)->u.app.bytes, 100);
	ck_assert_int_eq(nth(s, 6)->u.app.bytes_cmp, SCRIPT_CMP_EQ);
	ck_assert_int_eq(nth(s, 17)->u.app.op, SCRIPT_APP_RECV);
	ck_assert_int_eq(nth(s, 17)->u.app.bytes_cmp, SCRIPT_CMP_LE);
	ck_assert_uint_eq(nth(s, 17)->u.app.bytes, 100);
	ck_assert_int_eq(nth(s, 18)->u.app.bytes_cmp, SCRIPT_CMP_GE);
	ck_assert_uint_eq(nth(s, 18)->u.app.bytes, 1);
	char *dump = script_dump(s);
	ck_assert_ptr_nonnull(strstr(dump, "+0 recv <=100\n+0 recv >=1\n+0 rcvbuf 100\n"));
	free(dump);
	const struct script_app_action *a = &nth(s, 0)->u.app;
	ck_assert_int_eq(nth(s, 0)->kind, SCRIPT_EV_APP_ACTION);
	ck_assert_int_eq(a->op, SCRIPT_APP_LISTEN);
	ck_assert(a->has_port);
	ck_assert_uint_eq(a->port, 8080);
	ck_assert(!nth(s, 1)->u.app.has_port);
	const struct script_app_action *c = &nth(s, 2)->u.app;
	ck_assert_int_eq(c->op, SCRIPT_APP_CONNECT);
	ck_assert(c->has_addr && c->has_port);
	ck_assert_uint_eq(c->addr, 0xc0000201u);
	ck_assert_uint_eq(c->port, 80);
	ck_assert(!nth(s, 3)->u.app.has_addr && nth(s, 3)->u.app.has_port);
	ck_assert(!nth(s, 4)->u.app.has_port);
	ck_assert_int_eq(nth(s, 5)->u.app.op, SCRIPT_APP_SEND);
	ck_assert_uint_eq(nth(s, 5)->u.app.bytes, 1000);
	ck_assert_int_eq(nth(s, 6)->u.app.op, SCRIPT_APP_RECV);
	ck_assert_int_eq(nth(s, 7)->u.app.op, SCRIPT_APP_CLOSE);
	ck_assert_int_eq(nth(s, 8)->u.app.op, SCRIPT_APP_ABORT);
	ck_assert_int_eq(nth(s, 9)->kind, SCRIPT_EV_NOTHING);
	ck_assert_int_eq(nth(s, 9)->time.lo_ns, 500000000);
	ck_assert_int_eq(nth(s, 10)->kind, SCRIPT_EV_APP_EVENT);
	ck_assert_int_eq(nth(s, 10)->u.app_event, SCRIPT_APPEV_CONNECTED);
	ck_assert_int_eq(nth(s, 10)->time.kind, SCRIPT_TIME_ANY);
	ck_assert_int_eq(nth(s, 11)->u.app_event, SCRIPT_APPEV_REFUSED);
	ck_assert_int_eq(nth(s, 12)->kind, SCRIPT_EV_STATE);
	ck_assert_int_eq(nth(s, 12)->u.state, SCRIPT_STATE_SYN_RECEIVED);
	ck_assert_int_eq(nth(s, 13)->u.state, SCRIPT_STATE_FIN_WAIT_2);
	const struct script_counter_assert *k = &nth(s, 14)->u.counter;
	ck_assert_int_eq(nth(s, 14)->kind, SCRIPT_EV_COUNTER);
	ck_assert_str_eq(k->name, "rst_out_of_window");
	ck_assert_int_eq(k->cmp, SCRIPT_CMP_EQ);
	ck_assert_uint_eq(k->value, 1);
	ck_assert_int_eq(nth(s, 15)->u.counter.cmp, SCRIPT_CMP_GE);
	ck_assert_int_eq(nth(s, 16)->u.counter.cmp, SCRIPT_CMP_LT);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_all_states_and_events_roundtrip)
{
	char text[2048] = "";
	for (int i = SCRIPT_STATE_CLOSED; i <= SCRIPT_STATE_TIME_WAIT; i++) {
		strcat(text, "+0 state ");
		strcat(text, script_state_name((enum script_tcp_state)i));
		strcat(text, "\n");
	}
	for (int i = SCRIPT_APPEV_CONNECTED; i <= SCRIPT_APPEV_URGENT; i++) {
		strcat(text, "+0 event ");
		strcat(text, script_app_event_name((enum script_app_event)i));
		strcat(text, "\n");
	}
	struct script *s = parse_ok(text);
	ck_assert_uint_eq(s->n_events, 19);
	for (int i = SCRIPT_STATE_CLOSED; i <= SCRIPT_STATE_TIME_WAIT; i++)
		ck_assert_int_eq(nth(s, (size_t)i)->u.state, i);
	ck_assert_int_eq(nth(s, 17)->u.app_event, SCRIPT_APPEV_EOF);
	ck_assert_int_eq(nth(s, 18)->u.app_event, SCRIPT_APPEV_URGENT);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

START_TEST(test_comments_and_layout)
{
	struct script *s = parse_ok(
		"/* a block comment\n   over two lines */\n"
		"// a line comment\n"
		"0 < S 0:0(0) /* inline */ win 10 // trailing\n"
		"\t+0 > S. 0:0(0) ack 1 <...>\r\n"
		"+0 bind(3,\n   ...,\n   ...) = 0\n");
	ck_assert_uint_eq(s->n_events, 3);
	ck_assert_int_eq(nth(s, 0)->loc.line, 4);
	ck_assert_int_eq(nth(s, 0)->loc.col, 1);
	ck_assert(nth(s, 0)->u.packet.has_win);
	ck_assert_int_eq(nth(s, 1)->loc.line, 5);
	ck_assert_int_eq(nth(s, 1)->loc.col, 2);
	ck_assert_uint_eq(nth(s, 2)->u.syscall.n_args, 3);
	script_free(s);
}
END_TEST

START_TEST(test_dump_canonical)
{
	struct script *s = parse_ok(
		"--tolerance_usecs=10000\n"
		"0.000 < S 0:0(0) win 1000 <mss 1460, nop>\n"
		"+.100 > S. 0:0(0) ack 1 <...>\n"
		"+0...1.5 read(4, ..., 10) = 10\n");
	char *d = script_dump(s);
	ck_assert_str_eq(d, "--tolerance_usecs=10000\n"
			 "0 < S 0:0(0) win 1000 <mss 1460,nop>\n"
			 "+0.1 > S. 0:0(0) ack 1 <...>\n"
			 "+0...1.5 read(4, ..., 10) = 10\n");
	free(d);
	script_free(s);
}
END_TEST

static const char *const data_files[] = {
	"passive_open.pkt", "active_connect.pkt", "close_fin.pkt",
	"rst_in_window.pkt", "synack_ext.pkt", "timing.pkt",
};
static const size_t data_events[] = {14, 11, 14, 19, 26, 11};

START_TEST(test_data_files)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", SCRIPT_TEST_DATA, data_files[_i]);
	struct script *s = NULL;
	struct script_error e;
	enum script_status st = script_parse_file(path, &s, &e);
	ck_assert_msg(st == SCRIPT_OK, "%s", e.text);
	ck_assert_uint_eq(s->n_events, data_events[_i]);
	ck_assert_str_eq(s->path, path);
	assert_roundtrip(s);
	script_free(s);
}
END_TEST

/* Counter names may be dotted; script_check_counters() asks the caller
 * about each and reports the first it refuses at the name. */
static const char *refuse_bogus(const char *name, char *buf, size_t cap, void *ctx)
{
	(*(int *)ctx)++;
	if (strncmp(name, "bogus", 5) != 0)
		return NULL;
	snprintf(buf, cap, "unknown counter '%s'", name);
	return buf;
}

START_TEST(test_counter_names_checked_by_caller)
{
	struct script *s = parse_ok("0 counter TcpExt.TCPChallengeACK >= 1\n"
				    "+0 counter tcp.rst_sent==2\n"
				    "+0   counter bogus.x < 3\n"
				    "+0 counter bogus == 0\n");
	ck_assert_str_eq(nth(s, 0)->u.counter.name, "TcpExt.TCPChallengeACK");
	ck_assert_int_eq(nth(s, 0)->u.counter.name_loc.col, 11);
	ck_assert_str_eq(nth(s, 1)->u.counter.name, "tcp.rst_sent");
	ck_assert_int_eq(nth(s, 1)->u.counter.cmp, SCRIPT_CMP_EQ);
	struct script_error e;
	int calls = 0;
	ck_assert_int_eq(script_check_counters(s, refuse_bogus, &calls, &e), SCRIPT_ERR_PARSE);
	ck_assert_int_eq(calls, 3);
	ck_assert_str_eq(e.text, "t.pkt:3:14: unknown counter 'bogus.x'");
	assert_roundtrip(s);
	script_free(s);
	/* A blank ends the name: "tcp. rst" is not one. */
	struct script *bad = NULL;
	const char *t = "0 counter tcp. rst == 1";
	ck_assert_int_eq(script_parse_string("t.pkt", t, strlen(t), &bad, &e), SCRIPT_ERR_PARSE);
	ck_assert_str_eq(e.text, "t.pkt:1:14: expected a comparison (==, !=, <, <=, >, >=), got '.'");
}
END_TEST

/* shutdown [wr|rd|rdwr]: the sides closed (wr by default); dumped and
 * parsed back the same; any other word is an error naming it. */
START_TEST(test_app_shutdown)
{
	struct script *s = parse_ok("0 shutdown\n+0 shutdown wr\n+0 shutdown rd\n+0 shutdown rdwr\n");
	ck_assert_int_eq(nth(s, 0)->u.app.op, SCRIPT_APP_SHUTDOWN);
	ck_assert_uint_eq(nth(s, 0)->u.app.shut, SCRIPT_SHUT_WR);
	ck_assert_uint_eq(nth(s, 1)->u.app.shut, SCRIPT_SHUT_WR);
	ck_assert_uint_eq(nth(s, 2)->u.app.shut, SCRIPT_SHUT_RD);
	ck_assert_uint_eq(nth(s, 3)->u.app.shut, SCRIPT_SHUT_RD | SCRIPT_SHUT_WR);
	char *dump = script_dump(s);
	ck_assert_ptr_nonnull(strstr(dump, "shutdown rd\n+0 shutdown rdwr\n"));
	free(dump);
	assert_roundtrip(s);
	script_free(s);
	struct script *bad = NULL;
	struct script_error e;
	const char *t = "0 shutdown both";
	ck_assert_int_eq(script_parse_string("t.pkt", t, strlen(t), &bad, &e), SCRIPT_ERR_PARSE);
	ck_assert_str_eq(e.text, "t.pkt:1:12: shutdown: expected wr, rd or rdwr, not 'both'");
}
END_TEST

/* Linux's errno names, first and last in order and the glibc aliases,
 * are accepted after a result. */
START_TEST(test_errno_names)
{
	static const char *const names[] = {"E2BIG", "EXFULL", "EAGAIN", "EWOULDBLOCK", "EDEADLK",
					    "EDEADLOCK", "EOPNOTSUPP", "ENOTSUP", "ECONNRESET", "EPIPE"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char text[64];
		snprintf(text, sizeof text, "0 read(3, ..., 1) = -1 %s", names[i]);
		struct script *s = parse_ok(text);
		ck_assert_str_eq(s->events->u.syscall.errno_name, names[i]);
		script_free(s);
		ck_assert(script_errno_known(names[i]));
	}
	ck_assert(!script_errno_known("EFROB"));
	ck_assert(!script_errno_known(""));
}
END_TEST

START_TEST(test_parse_file_missing)
{
	struct script dummy;
	struct script *s = &dummy;
	struct script_error e;
	ck_assert_int_eq(script_parse_file("/nonexistent/x.pkt", &s, &e), SCRIPT_ERR_IO);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(e.text, "/nonexistent/x.pkt: cannot open: No such file or directory");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("script_parse");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_time_forms);
	tcase_add_test(tc, test_app_shutdown);
	tcase_add_test(tc, test_packet_inbound_fields);
	tcase_add_test(tc, test_packet_forty_nops);
	tcase_add_test(tc, test_packet_flags);
	tcase_add_test(tc, test_packet_seq_modes);
	tcase_add_test(tc, test_packet_options_sack_md5_fo);
	tcase_add_test(tc, test_packet_ip_info);
	tcase_add_test(tc, test_syscall_basic);
	tcase_add_test(tc, test_syscall_errno_note);
	tcase_add_test(tc, test_syscall_structs);
	tcase_add_test(tc, test_shell_code_init_cleanup);
	tcase_add_test(tc, test_options_and_defines);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_header_behaviour_profiles);
	tcase_add_test(tc, test_header_linux_profiles);
	tcase_add_test(tc, test_header_defaults);
	tcase_add_test(tc, test_extensions);
	tcase_add_test(tc, test_all_states_and_events_roundtrip);
	tcase_add_test(tc, test_comments_and_layout);
	tcase_add_test(tc, test_dump_canonical);
	tcase_add_loop_test(tc, test_data_files, 0,
			    (int)(sizeof(data_files) / sizeof(data_files[0])));
	tcase_add_test(tc, test_errno_names);
	tcase_add_test(tc, test_counter_names_checked_by_caller);
	tcase_add_test(tc, test_parse_file_missing);
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
