/*
 * test_script_roundtrip.c - the canonical dump is a fixed point: for every
 * script that parses, parse -> dump -> parse -> dump gives the same text
 * twice, and the second parse succeeds.
 *
 * Three sources of scripts: every .pkt under conformance/suites/ (they must
 * also parse); scripts generated from the grammar with odd spellings
 * (missing and extra blanks, comments between tokens, tabs, every form of
 * time, packet field, option, expression, errno note and synack statement);
 * and byte-level corruptions of the suite scripts and of generated ones.
 * Generated inputs that do not parse are skipped; those that do must round
 * trip. The generator is a fixed-seed PRNG, so a failure names an input
 * that can be reproduced.
 */
#define _DEFAULT_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "script.h"

/* Check's messages have a size limit: long inputs are shown cut. */
#define SHOW 1500

/* Returns true when `text` parsed (and then round-tripped). */
static bool roundtrip(const char *name, const char *text, size_t len)
{
	struct script *s = NULL, *s2 = NULL;
	struct script_error e;
	if (script_parse_string(name, text, len, &s, &e) != SCRIPT_OK)
		return false;
	char *d1 = script_dump(s);
	ck_assert_ptr_nonnull(d1);
	int show = (int)(len < SHOW ? len : SHOW);
	ck_assert_msg(script_parse_string("dump", d1, strlen(d1), &s2, &e) == SCRIPT_OK,
		      "%s: the dump does not parse: %s\n--- input:\n%.*s\n--- dump:\n%.*s", name, e.text, show,
		      text, SHOW, d1);
	char *d2 = script_dump(s2);
	ck_assert_ptr_nonnull(d2);
	ck_assert_msg(strcmp(d1, d2) == 0,
		      "%s: dump is not a fixed point\n--- input:\n%.*s\n--- dump 1:\n%.*s--- dump 2:\n%.*s", name,
		      show, text, SHOW, d1, SHOW, d2);
	ck_assert_uint_eq(s->n_events, s2->n_events);
	ck_assert_uint_eq(s->n_options, s2->n_options);
	free(d1);
	free(d2);
	script_free(s);
	script_free(s2);
	return true;
}

/* ---- the suites ------------------------------------------------------- */

struct files {
	char **path;
	size_t n, cap;
};

static void find_pkts(const char *dir, struct files *out)
{
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char p[1024];
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		struct stat st;
		ck_assert_int_eq(stat(p, &st), 0);
		size_t n = strlen(p);
		if (S_ISDIR(st.st_mode)) {
			find_pkts(p, out);
		} else if (n > 4 && strcmp(p + n - 4, ".pkt") == 0) {
			if (out->n == out->cap) {
				out->cap = out->cap ? 2 * out->cap : 256;
				out->path = realloc(out->path, out->cap * sizeof *out->path);
				ck_assert_ptr_nonnull(out->path);
			}
			out->path[out->n++] = strdup(p);
		}
	}
	closedir(d);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = malloc(SCRIPT_MAX_BYTES + 1);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, SCRIPT_MAX_BYTES, f);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* ---- a fixed-seed generator ------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

#define PICK(a) ((a)[rnd(sizeof(a) / sizeof((a)[0]))])

struct gen {
	char buf[8192];
	size_t len;
};

static void put(struct gen *g, const char *s)
{
	size_t n = strlen(s);
	if (g->len + n < sizeof g->buf) {
		memcpy(g->buf + g->len, s, n);
		g->len += n;
		g->buf[g->len] = '\0';
	}
}

/* Between two tokens: often nothing, sometimes more than a blank. */
static void sep(struct gen *g)
{
	static const char *const seps[] = {"", "", " ", " ", " ", "\t", "   ", " /* c */ ", "/**/", "\n"};
	put(g, PICK(seps));
}

static void sep1(struct gen *g) /* at least one blank */
{
	static const char *const seps[] = {" ", " ", "\t", "  ", " /* ) */ "};
	put(g, PICK(seps));
}

static void gen_time(struct gen *g)
{
	static const char *const times[] = {
		"0", "+0", "+.1", "0.5", "1.000000001", "+0~+0.25", "0.9~1.1", "*", "+999999999",
		"+0.000000001", "2", "+1.5", "+0 ", "0.250",
	};
	put(g, PICK(times));
	sep1(g);
}

static void gen_packet(struct gen *g)
{
	static const char *const dirs[] = {"<", ">"};
	static const char *const ipv4[] = {"", "", "", "ipv4 1.2.3.4 > 5.6.7.8:", "ipv4 (ttl 1) 0.0.0.0>255.255.255.255 :"};
	static const char *const ipinfo[] = {"", "", "", "(tos 0x10, ttl 64, ect0)", "[noecn]", "[ect01]",
					     "(ce,tos 0)", "[ttl 255]"};
	static const char *const ports[] = {"", "", "1>2", "65535 > 0"};
	static const char *const flags[] = {"S", "S.", ".", "-", "F.", "R", "R.", "P.", "SEWU", "FP.", "W"};
	static const char *const seqs[] = {"0:0(0)", "1:11(10)!", "...(5)", "4294967295:9(10)", "0 : 0 ( 0 )",
					   "...( 0)"};
	static const char *const acks[] = {"", "", "ack 1", "ack 5!", "ack 0 !", "ack 4294967295"};
	static const char *const wins[] = {"", "", "win 0", "win 65535"};
	static const char *const urgs[] = {"", "", "", "urg 3"};
	static const char *const opts[] = {
		"", "", "<...>", "<mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>", "<sack 1:2 3:4>",
		"<md5 00ff>", "<FO>", "<FO abcd,nop>", "<FOEXP KEY>", "<eol>", "< nop , nop >",
		"<md5 0123456789abcdef0123456789ABCDEF>", "<FO 01>", "<FO 12ab>", "<sack 0:4294967295>",
	};
	put(g, PICK(dirs));
	sep(g);
	put(g, PICK(ipv4));
	sep(g);
	put(g, PICK(ipinfo));
	sep(g);
	put(g, PICK(ports));
	sep1(g);
	put(g, PICK(flags));
	sep1(g);
	put(g, PICK(seqs));
	sep1(g);
	put(g, PICK(acks));
	sep1(g);
	put(g, PICK(wins));
	sep1(g);
	put(g, PICK(urgs));
	sep(g);
	put(g, PICK(opts));
}

static void gen_expr(struct gen *g, int depth)
{
	static const char *const atoms[] = {
		"...", "0", "-1", "0x10", "-0x10", "007", "AF_INET", "\"s\"", "\"a\\\"b\"", "\"\"", "\"x\"...",
		"\"a\" \"b\"", "\"a\\\\\"", "SO-ERR", "x1", "9223372036854775807", "\"(\"", "\")\"",
	};
	unsigned k = depth > 2 ? 0 : rnd(9);
	switch (k) {
	case 0: case 1: case 2:
		put(g, PICK(atoms));
		return;
	case 3: {
		bool list = rnd(2) != 0;
		put(g, list ? "[" : "{");
		sep(g);
		for (unsigned i = 0, n = rnd(3); i < n; i++) {
			if (i) {
				put(g, ",");
				sep(g);
			}
			gen_expr(g, depth + 1);
			sep(g);
		}
		put(g, list ? "]" : "}");
		return;
	}
	case 4:
		put(g, "f(");
		for (unsigned i = 0, n = rnd(3); i < n; i++) {
			if (i)
				put(g, ",");
			sep(g);
			gen_expr(g, depth + 1);
		}
		put(g, ")");
		return;
	case 5:
		put(g, PICK(((const char *const[]){"w", "sin_port", "htons(1)", "f()"})));
		sep(g);
		put(g, "=");
		sep(g);
		gen_expr(g, depth + 1);
		return;
	case 6:
		gen_expr(g, depth + 1);
		sep(g);
		put(g, "|");
		sep(g);
		gen_expr(g, depth + 1);
		return;
	default:
		put(g, PICK(atoms));
		return;
	}
}

/* A note: free text kept as written, the place where raw tokens meet. */
static void gen_note(struct gen *g)
{
	static const char *const words[] = {
		"Operation", "now", "in", "progress", "--t==", "--x=1", "--y", "a", "1", "1.5", "\"q)\"", "...",
		"/* c */", "=", "==", "<=", "!", "-", ".", ",", "1.2.3.4", "0x1f", "%{ c }%", "`b`", "--", "a--t=x",
		"--q=\"a b\"", "*", "~", "+", ":", ";", "/", "|", "[", "]", "{", "}", "<", ">",
	};
	put(g, "(");
	sep(g);
	int open = 0;
	for (unsigned i = 0, n = rnd(5); i < n; i++) {
		unsigned k = rnd(10);
		if (k == 0) {
			put(g, "(");
			open++;
		} else if (k == 1 && open > 0) {
			put(g, ")");
			open--;
		} else {
			put(g, PICK(words));
		}
		sep(g);
	}
	while (open-- > 0)
		put(g, ")");
	sep(g);
	put(g, ")");
}

static void gen_syscall(struct gen *g)
{
	static const char *const names[] = {"t", "socket", "connect", "read", "setsockopt", "x"};
	static const char *const results[] = {"0", "-1", "...", "[1]", "S", "\"abc\"", "{a=1}", "0x7f", "-0x1",
					      "E|F"};
	static const char *const errnos[] = {"", "", "EINPROGRESS", "EAGAIN", "ECONNRESET"};
	put(g, PICK(names));
	sep(g);
	put(g, "(");
	for (unsigned i = 0, n = rnd(4); i < n; i++) {
		if (i)
			put(g, ",");
		sep(g);
		gen_expr(g, 1);
	}
	sep(g);
	put(g, ")");
	sep(g);
	put(g, "=");
	sep(g);
	put(g, PICK(results));
	const char *en = PICK(errnos);
	if (*en) {
		sep1(g);
		put(g, en);
	}
	if (rnd(2)) {
		sep(g);
		gen_note(g);
	}
}

static void gen_statement(struct gen *g)
{
	static const char *const simple[] = {
		"`cmd`", "`a\\`b`", "`\n`", "%{ x }%", "%{}%", "%{\nassert 1\n}%", "> nothing", ">nothing",
		"listen", "listen 80", "connect", "connect 1.2.3.4:80", "connect 1.2.3.4", "connect 65535",
		"send 10", "recv 0", "recv <=1", "recv >=0", "recv >= 4294967295", "send 4294967295", "rcvbuf 0", "rcvbuf 100", "event urgent", "close", "abort", "event eof", "event\tconnected",
		"state SYN-SENT", "state TIME-WAIT", "counter x == 1", "counter tcp.rst_sent<=2", "counter a>3",
		"counter a<3", "counter a!=0", "counter a>=0", "counter b == 4294967295",
	};
	switch (rnd(4)) {
	case 0:
		gen_packet(g);
		break;
	case 1:
		gen_syscall(g);
		break;
	default:
		put(g, PICK(simple));
		break;
	}
}

static void gen_script(struct gen *g)
{
	static const char *const headers[] = {
		"//! title: x y ", "//! rfc: RFC 9293 §3", "//!profile: rfc5961=on,linux-wire",
		"//! profile: synack-params=off rfc1337=off", "//! local: 0.0.0.0", "//! local: 10.0.0.1:80",
		"//! remote: 8080", "//!   title:\tt", "//! remote: 0.0.0.0:1",
	};
	static const char *const options[] = {
		"--tolerance_usecs=1", "-D FOO=1", "--define=BAR=\"a b\"", "--flag", "--x-y=z", "  -D  Q=1",
	};
	g->len = 0;
	g->buf[0] = '\0';
	for (unsigned i = 0, n = rnd(3); i < n; i++) {
		put(g, PICK(headers));
		put(g, "\n");
	}
	for (unsigned i = 0, n = rnd(3); i < n; i++) {
		put(g, PICK(options));
		put(g, "\n");
	}
	if (rnd(4) == 0)
		put(g, "`init cmd`\n");
	for (unsigned i = 0, n = 1 + rnd(5); i < n; i++) {
		gen_time(g);
		gen_statement(g);
		put(g, rnd(8) ? "\n" : " // trailing\n");
	}
	if (rnd(4) == 0)
		put(g, "`cleanup`\n");
}

/* Overwrites, inserts or deletes a few bytes with ones the grammar cares
 * about. */
static size_t corrupt(char *text, size_t len, size_t cap)
{
	static const char bytes[] = "(<>)[]{}`%\"!*+~.:,=|-9x/ \t\n";
	for (unsigned k = 0, n = 1 + rnd(3); k < n && len > 0; k++) {
		size_t at = rnd((unsigned)len);
		switch (rnd(3)) {
		case 0:
			text[at] = bytes[rnd(sizeof bytes - 1)];
			break;
		case 1:
			if (len + 1 < cap) {
				memmove(text + at + 1, text + at, len - at);
				text[at] = bytes[rnd(sizeof bytes - 1)];
				len++;
			}
			break;
		default:
			memmove(text + at, text + at + 1, len - at - 1);
			len--;
			break;
		}
	}
	return len;
}

/* ---- tests ------------------------------------------------------------ */

START_TEST(test_suites_roundtrip)
{
	struct files f = {0};
	find_pkts(SCRIPT_SUITES_DIR, &f);
	ck_assert_uint_gt(f.n, 100);
	for (size_t i = 0; i < f.n; i++) {
		size_t len;
		char *text = slurp(f.path[i], &len);
		ck_assert_msg(roundtrip(f.path[i], text, len), "%s does not parse", f.path[i]);
		free(text);
		free(f.path[i]);
	}
	free(f.path);
}
END_TEST

/* The review's example: a note ending in an option-like token. */
START_TEST(test_note_option_roundtrip)
{
	static const char *const cases[] = {
		"0 t()=S(--t== )", "0 t() = S (--x=1 )", "0 t() = 0 (a--t=x )", "0 t() = 0 (--q=\"a b\" )",
		"0 t() = 0 (--y)", "0 t() = 0 ()", "//! local: 0.0.0.0\n0 close",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(roundtrip("t.pkt", cases[i], strlen(cases[i])), "does not parse: %s", cases[i]);
}
END_TEST

/* Lines the dump must not join past the parser's line limit: adjacent
 * strings and long lists spanning lines, escapes at every cut, a long
 * define. */
static char *repeat(const char *head, const char *unit, size_t n, const char *joint, const char *tail)
{
	size_t cap = strlen(head) + n * (strlen(unit) + strlen(joint)) + strlen(tail) + 1;
	char *t = malloc(cap);
	ck_assert_ptr_nonnull(t);
	strcpy(t, head);
	for (size_t i = 0; i < n; i++) {
		strcat(t, unit);
		if (i + 1 < n)
			strcat(t, joint);
	}
	strcat(t, tail);
	return t;
}

START_TEST(test_long_lines_roundtrip)
{
	char *cases[7];
	char *a = repeat("\"", "a", 3000, "", "\"");
	char *bs = repeat("\"", "\\\"", 1500, "", "\"");
	size_t n = 3 * (strlen(a) + strlen(bs)) + 64;
	cases[0] = malloc(n);
	snprintf(cases[0], n, "0 write(4, %s\n%s\n%s, 6000) = 6000 (ok)", a, a, a);
	cases[1] = malloc(2 * n);
	snprintf(cases[1], 2 * n, "0 write(4, %s\n%s...) = -1 EAGAIN", bs, bs);
	cases[2] = repeat("0 f(", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", 256, ",\n", ") = 0");
	cases[3] = repeat("0 f([", "{a=1, b=[\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\", ...]}", 200, ",\n", "]) = [1]");
	cases[4] = repeat("0 f(", "A|B|C_DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD", 150, ",\n", ") = 0");
	cases[5] = repeat("-D X=", "v", 4090, "", "\n0 close");
	cases[6] = repeat("0 read(3, ..., 10) = ", "\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"", 200, "\n", " (note)");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(roundtrip("long.pkt", cases[i], strlen(cases[i])), "case %zu does not parse", i);
		free(cases[i]);
	}
	free(a);
	free(bs);
}
END_TEST

START_TEST(test_generated_roundtrip)
{
	struct gen g;
	unsigned parsed = 0;
	rng = 0x9e3779b97f4a7c15u + (uint64_t)_i;
	for (int i = 0; i < 20000; i++) {
		gen_script(&g);
		char name[32];
		snprintf(name, sizeof name, "gen-%d-%d.pkt", _i, i);
		parsed += roundtrip(name, g.buf, g.len);
		size_t len = corrupt(g.buf, g.len, sizeof g.buf);
		snprintf(name, sizeof name, "gen-%d-%d-corrupt.pkt", _i, i);
		roundtrip(name, g.buf, len);
	}
	/* The generator mostly writes valid scripts; if it stopped doing so
	 * this test would check nothing. */
	ck_assert_uint_gt(parsed, 5000);
}
END_TEST

START_TEST(test_corrupted_suites_roundtrip)
{
	struct files f = {0};
	find_pkts(SCRIPT_SUITES_DIR, &f);
	rng = 0x2545f4914f6cdd1du;
	for (size_t i = 0; i < f.n; i++) {
		size_t len;
		char *text = slurp(f.path[i], &len);
		char *work = malloc(len + 64);
		ck_assert_ptr_nonnull(work);
		for (int k = 0; k < 40; k++) {
			memcpy(work, text, len);
			size_t n = corrupt(work, len, len + 64);
			roundtrip(f.path[i], work, n);
		}
		free(work);
		free(text);
		free(f.path[i]);
	}
	free(f.path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("script_roundtrip");
	TCase *tc = tcase_create("roundtrip");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_suites_roundtrip);
	tcase_add_test(tc, test_note_option_roundtrip);
	tcase_add_test(tc, test_long_lines_roundtrip);
	tcase_add_loop_test(tc, test_generated_roundtrip, 0, 4);
	tcase_add_test(tc, test_corrupted_suites_roundtrip);
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
