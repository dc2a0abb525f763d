/*
 * lexer.c - turns script text into tokens for the parser (parser.c).
 *
 * The token set follows packetdrill's lexer.l, written by hand: whitespace
 * including newlines separates tokens (an event may span lines), comments are
 * `//` to end of line and `/ * ... * /` (there is no `#` comment in
 * packetdrill), `...` is one token, numbers are decimal, hex or decimal
 * fractions (times), `a.b.c.d` is an IPv4 address, backquoted commands and
 * `%{ }%` code blocks may span lines. synack adds `//!` header lines (a
 * comment to packetdrill) and the comparison operators of counter asserts.
 *
 * Defines work as in packetdrill's lexer: a word that names a define
 * (script_lex_defined) and is not one of packetdrill's keywords becomes the
 * define's value, typed by its first character. `#ifdef NAME` / `#endif`
 * are nplab packetdrill's (the dialect of freebsd-net/tcp-testsuite): the
 * text between them is read when NAME is defined and skipped unread
 * otherwise; they do not nest. An IPv6 address (one with "::" or eight
 * groups) is one token, so `1:1001` stays a sequence range. A run of more
 * decimal digits than 63 bits hold is kept for the parser, which accepts it
 * only as a hex blob (a Fast Open cookie "0102030405060708091011").
 *
 * The lexer never interprets words: `ack`, `close` or `nothing` are WORD
 * tokens and their meaning depends on where the parser meets them.
 * Malformed input (unterminated comment, string, command or code block,
 * stray characters, numbers that do not fit 63 bits) ends the parse with a
 * located message through script_fail().
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_internal.h"

void script_lex_init(struct script_lexer *lx, struct script_ctx *ctx,
		     const char *src, size_t len)
{
	lx->ctx = ctx;
	lx->src = src;
	lx->len = len;
	lx->pos = 0;
	lx->line = 1;
	lx->line_start = 0;
}

static int peek(const struct script_lexer *lx, size_t ahead)
{
	size_t i = lx->pos + ahead;
	return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

static void adv(struct script_lexer *lx)
{
	if (lx->pos < lx->len && lx->src[lx->pos] == '\n') {
		lx->line++;
		lx->line_start = lx->pos + 1;
	}
	lx->pos++;
}

static struct script_loc here(const struct script_lexer *lx)
{
	return (struct script_loc){lx->line, (int)(lx->pos - lx->line_start) + 1};
}

static bool is_word_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_word_char(int c)
{
	return is_word_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_word_char_at(const struct script_lexer *lx, size_t ahead)
{
	return is_word_char(peek(lx, ahead));
}

/* packetdrill's reserved words (its lexer.l): a define of one of these
 * names is never substituted, since packetdrill's lexer matches the
 * keyword first. */
static const char *const KEYWORDS[] = {
	"sa_family", "sin_port", "sin_addr", "msg_name", "msg_iov", "msg_flags",
	"msg_control", "cmsg_data", "cmsg_level", "cmsg_type", "ee_errno", "ee_origin",
	"ee_type", "ee_code", "ee_info", "ee_data", "scm_sec", "scm_nsec", "fd", "u32",
	"u64", "ptr", "events", "revents", "onoff", "linger", "htons", "ipv4", "ipv6",
	"icmp", "udp", "GREv0", "gre", "raw", "sum", "off", "key", "seq", "none",
	"checksum", "present", "encap", "psp", "spi", "mpls", "label", "tc", "ttl",
	"inet_addr", "inet6_addr", "ack", "eol", "ecr", "mss", "mtu", "nop", "sack",
	"sackOK", "md5", "TS", "FO", "FOEXP", "ECN", "e0b", "e1b", "ceb", "tos",
	"flowlabel", "flags", "Flags", "val", "win", "urg", "wscale", "ect01", "ect0",
	"ect1", "noecn", "ce", "id",
};

static bool is_keyword(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof(KEYWORDS) / sizeof(KEYWORDS[0]); i++)
		if (strlen(KEYWORDS[i]) == n && memcmp(KEYWORDS[i], w, n) == 0)
			return true;
	return false;
}

bool script_lex_defined(const struct script_lexer *lx, const char *name, size_t n,
			const char **value)
{
	for (size_t i = 0; i < lx->n_cfg_defs; i++) {
		const struct script_define *d = &lx->cfg_defs[i];
		if (strlen(d->name) == n && memcmp(d->name, name, n) == 0) {
			*value = d->value;
			return true;
		}
	}
	for (size_t i = lx->n_own_defs; i-- > 0;) {
		const struct script_define *d = &lx->own_defs[i];
		if (strlen(d->name) == n && memcmp(d->name, name, n) == 0) {
			*value = d->value;
			return true;
		}
	}
	return false;
}

/* A --define=NAME=VALUE / -D NAME=VALUE line: its define holds for the
 * words after it (packetdrill reads option lines before the events). A
 * malformed one is left for the parser to report. */
static void register_define(struct script_lexer *lx, const char *v)
{
	const char *eq = v != NULL ? strchr(v, '=') : NULL;
	if (eq == NULL || eq == v)
		return;
	if (lx->n_own_defs == lx->cap_own_defs) {
		size_t cap = lx->cap_own_defs ? lx->cap_own_defs * 2 : 8;
		struct script_define *n = script_alloc(lx->ctx, cap * sizeof(*n));
		if (lx->n_own_defs)
			memcpy(n, lx->own_defs, lx->n_own_defs * sizeof(*n));
		lx->own_defs = n;
		lx->cap_own_defs = cap;
	}
	struct script_define *d = &lx->own_defs[lx->n_own_defs++];
	d->name = script_strndup(lx->ctx, v, (size_t)(eq - v));
	d->value = eq + 1;
}

static bool starts_with_word(const struct script_lexer *lx, const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i < n; i++)
		if (peek(lx, i) != (unsigned char)w[i])
			return false;
	return !is_word_char_at(lx, n);
}

/* At "#ifdef" or "#endif" (nplab's packetdrill): reads the directive; a
 * false #ifdef skips, unread, to its #endif. */
static void lex_directive(struct script_lexer *lx)
{
	struct script_loc at = here(lx);
	if (starts_with_word(lx, "#endif")) {
		if (lx->ifdef_at.line == 0)
			script_fail(lx->ctx, at, "#endif without an #ifdef");
		lx->ifdef_at = (struct script_loc){0, 0};
		for (int i = 0; i < 6; i++)
			adv(lx);
		return;
	}
	if (lx->ifdef_at.line != 0)
		script_fail(lx->ctx, at, "#ifdef inside the #ifdef of line %d "
			    "(#ifdef blocks do not nest)", lx->ifdef_at.line);
	for (int i = 0; i < 6; i++)
		adv(lx);
	while (peek(lx, 0) == ' ' || peek(lx, 0) == '\t' || peek(lx, 0) == '\n' ||
	       peek(lx, 0) == '\r')
		adv(lx);
	size_t from = lx->pos;
	if (!is_word_start(peek(lx, 0)))
		script_fail(lx->ctx, here(lx), "#ifdef needs a name");
	while (is_word_char(peek(lx, 0)))
		adv(lx);
	const char *value;
	if (script_lex_defined(lx, lx->src + from, lx->pos - from, &value)) {
		lx->ifdef_at = at;
		return;
	}
	/* Not defined: everything up to the #endif is skipped unread. */
	for (;;) {
		if (peek(lx, 0) == -1)
			script_fail(lx->ctx, at, "#ifdef without an #endif");
		if (peek(lx, 0) == '#' && starts_with_word(lx, "#endif"))
			break;
		adv(lx);
	}
	for (int i = 0; i < 6; i++)
		adv(lx);
}

/* True when only blanks precede the current position on its line. */
static bool at_line_start(const struct script_lexer *lx)
{
	for (size_t i = lx->line_start; i < lx->pos; i++)
		if (lx->src[i] != ' ' && lx->src[i] != '\t' && lx->src[i] != '\r')
			return false;
	return true;
}

/* Skips blanks and comments; returns a HEADER token's start when a `//!`
 * line is met (true), else false at the next real character. */
static bool skip_blank(struct script_lexer *lx, struct script_token *tok)
{
	for (;;) {
		int c = peek(lx, 0);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		    c == '\v') {
			adv(lx);
		} else if (c == '/' && peek(lx, 1) == '/') {
			if (peek(lx, 2) == '!') {
				tok->kind = TOK_HEADER;
				return true;
			}
			while (peek(lx, 0) != -1 && peek(lx, 0) != '\n')
				adv(lx);
		} else if (c == '#' && (starts_with_word(lx, "#ifdef") ||
					starts_with_word(lx, "#endif"))) {
			lex_directive(lx);
		} else if (c == '/' && peek(lx, 1) == '*') {
			struct script_loc at = here(lx);
			adv(lx);
			adv(lx);
			for (;;) {
				if (peek(lx, 0) == -1)
					script_fail(lx->ctx, at,
						    "unterminated /* comment");
				if (peek(lx, 0) == '*' && peek(lx, 1) == '/')
					break;
				adv(lx);
			}
			adv(lx);
			adv(lx);
		} else {
			return false;
		}
	}
}

/* Copies src[from..to) into the arena. */
static const char *copy(struct script_lexer *lx, size_t from, size_t to)
{
	return script_strndup(lx->ctx, lx->src + from, to - from);
}

/* Scans up to the closing delimiter `close` (one or two characters). */
static size_t scan_until(struct script_lexer *lx, const char *close,
			 bool escapes, bool multiline, struct script_loc at,
			 const char *what)
{
	size_t n = strlen(close);
	for (;;) {
		int c = peek(lx, 0);
		if (c == -1 || (c == '\n' && !multiline))
			script_fail(lx->ctx, at, "unterminated %s", what);
		if (c == close[0] && (n == 1 || peek(lx, 1) == close[1]))
			return lx->pos;
		if (escapes && c == '\\' && peek(lx, 1) != -1)
			adv(lx);
		adv(lx);
	}
}

static void lex_number(struct script_lexer *lx, struct script_token *tok,
		       bool negative)
{
	size_t begin = lx->pos;
	if (peek(lx, 0) == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X')) {
		adv(lx);
		adv(lx);
		uint64_t v = 0;
		int digits = 0;
		while (isxdigit(peek(lx, 0))) {
			int c = peek(lx, 0);
			int d = is_digit(c) ? c - '0' : (tolower(c) - 'a' + 10);
			if (v > (uint64_t)INT64_MAX >> 4)
				script_fail(lx->ctx, tok->loc, "number too large");
			v = v << 4 | (uint64_t)d;
			digits++;
			adv(lx);
		}
		if (digits == 0)
			script_fail(lx->ctx, tok->loc, "malformed hex number");
		tok->kind = TOK_INT;
		tok->hex = true;
		tok->num = negative ? -(int64_t)v : (int64_t)v;
	} else {
		uint64_t v = 0;
		bool big = false;
		while (is_digit(peek(lx, 0))) {
			uint64_t d = (uint64_t)(peek(lx, 0) - '0');
			if (v > ((uint64_t)INT64_MAX - d) / 10)
				big = true;
			else
				v = v * 10 + d;
			adv(lx);
		}
		tok->kind = TOK_INT;
		tok->num = negative ? -(int64_t)v : (int64_t)v;
		if (big) {
			/* Only a hex blob may be this long (the parser says). */
			if (negative || peek(lx, 0) == '.')
				script_fail(lx->ctx, tok->loc, "number too large");
			tok->big = true;
			tok->num = INT64_MAX;
		}
		if (peek(lx, 0) == '.' && is_digit(peek(lx, 1))) {
			adv(lx);
			while (is_digit(peek(lx, 0)))
				adv(lx);
			tok->kind = TOK_DECIMAL;
			if (peek(lx, 0) == '.' && is_digit(peek(lx, 1)) &&
			    !negative) {
				/* a.b.c.d: an IPv4 address */
				const char *s = lx->src + begin;
				while (peek(lx, 0) == '.' || is_digit(peek(lx, 0)))
					adv(lx);
				unsigned part[4] = {0, 0, 0, 0};
				int used = 0, got = 0;
				char tail = 0;
				char buf[32];
				size_t n = lx->pos - begin;
				if (n < sizeof(buf)) {
					memcpy(buf, s, n);
					buf[n] = '\0';
					got = sscanf(buf, "%3u.%3u.%3u.%3u%n%c",
						     &part[0], &part[1], &part[2],
						     &part[3], &used, &tail);
				}
				if (got != 4 || (size_t)used != n || part[0] > 255 ||
				    part[1] > 255 || part[2] > 255 || part[3] > 255)
					script_fail(lx->ctx, tok->loc,
						    "malformed IPv4 address '%.*s'",
						    (int)(n > 40 ? 40 : n), s);
				tok->kind = TOK_ADDR;
				tok->num = (int64_t)((uint64_t)part[0] << 24 |
						     part[1] << 16 | part[2] << 8 |
						     part[3]);
			}
		}
	}
	if (is_word_char(peek(lx, 0))) {
		while (is_word_char(peek(lx, 0)))
			adv(lx);
		size_t n = (size_t)(lx->src + lx->pos - tok->start);
		script_fail(lx->ctx, tok->loc, "malformed number '%.*s'",
			    (int)(n > 40 ? 40 : n), tok->start);
	}
}

/* Like flex's longest match in packetdrill's lexer: a run of letters and
 * digits that starts with a digit is a word (an md5 digest, a fast open
 * cookie) unless it is all digits or a 0x hex number. */
static bool digit_word(const struct script_lexer *lx)
{
	size_t i = 0;
	bool digits = true, hex = peek(lx, 0) == '0' &&
		(peek(lx, 1) == 'x' || peek(lx, 1) == 'X') && isxdigit(peek(lx, 2));
	for (; is_word_char(peek(lx, i)); i++) {
		int c = peek(lx, i);
		digits = digits && is_digit(c);
		hex = hex && (i < 2 || isxdigit(c));
	}
	return !digits && !hex;
}

/* --name[=value] (anywhere) or -D NAME=VALUE (first on its line). The value
 * runs to the next blank; a double-quoted part may hold blanks. */
static void lex_option(struct script_lexer *lx, struct script_token *tok,
		       bool short_define)
{
	tok->kind = TOK_OPTION;
	tok->short_define = short_define;
	adv(lx);
	adv(lx);
	if (short_define) {
		while (peek(lx, 0) == ' ' || peek(lx, 0) == '\t')
			adv(lx);
		tok->text = "define";
	} else {
		size_t from = lx->pos;
		while (is_word_char(peek(lx, 0)) || peek(lx, 0) == '-')
			adv(lx);
		tok->text = copy(lx, from, lx->pos);
		if (peek(lx, 0) != '=')
			return;
		adv(lx);
	}
	size_t from = lx->pos;
	for (;;) {
		int c = peek(lx, 0);
		if (c == -1 || c == ' ' || c == '\t' || c == '\n' || c == '\r')
			break;
		if (c == '"') {
			struct script_loc at = here(lx);
			adv(lx);
			scan_until(lx, "\"", true, false, at, "string");
		}
		adv(lx);
	}
	if (lx->pos == from)
		script_fail(lx->ctx, here(lx), "option '%s' has an empty value",
			    tok->text);
	tok->value = copy(lx, from, lx->pos);
	if (strcmp(tok->text, "define") == 0)
		register_define(lx, tok->value);
}

/* An IPv6 address at the current place ("fd3d:fa7b:d17d::1",
 * "::ffff:192.0.2.1"): a run of hex digits, ':' and '.' with "::" or
 * seven colons that inet_pton() takes. Consumes it and returns true. */
static bool lex_addr6(struct script_lexer *lx, struct script_token *tok)
{
	size_t i = 0, colons = 0;
	bool dcolon = false;
	char buf[48];
	for (;; i++) {
		int c = peek(lx, i);
		if (c == ':') {
			colons++;
			dcolon = dcolon || peek(lx, i + 1) == ':';
		} else if (!isxdigit(c) && c != '.') {
			break;
		}
	}
	if (i >= sizeof(buf) || is_word_char_at(lx, i))
		return false;
	/* "ipv6 A > B:" - the colon after B ends the prefix, not B. */
	if (i > 2 && peek(lx, i - 1) == ':' && peek(lx, i - 2) != ':') {
		i--;
		colons--;
	}
	if (!dcolon && colons != 7)
		return false;
	memcpy(buf, lx->src + lx->pos, i);
	buf[i] = '\0';
	if (inet_pton(AF_INET6, buf, tok->addr6) != 1)
		return false;
	for (size_t k = 0; k < i; k++)
		adv(lx);
	tok->kind = TOK_ADDR;
	tok->v6 = true;
	return true;
}

/* A define's value in place of its name, typed as packetdrill types it. */
static void substitute(struct script_lexer *lx, struct script_token *tok, const char *v)
{
	size_t n = strlen(v);
	tok->subst = true;
	if (n >= 2 && (v[0] == '"' || v[0] == '`') && v[n - 1] == v[0]) {
		tok->kind = v[0] == '"' ? TOK_STRING : TOK_BACKQUOTE;
		tok->text = script_strndup(lx->ctx, v + 1, n - 2);
		return;
	}
	char *end = NULL;
	errno = 0;
	long long iv = n > 0 ? strtoll(v, &end, 0) : 0;
	if (n > 0 && end != NULL && *end == '\0' && errno == 0 && (isdigit((unsigned char)v[0]) ||
	    (v[0] == '-' && isdigit((unsigned char)v[1])))) {
		tok->kind = TOK_INT;
		tok->num = iv;
		tok->hex = strstr(v, "0x") != NULL || strstr(v, "0X") != NULL;
		tok->text = v;
		return;
	}
	tok->kind = TOK_WORD;
	tok->text = v;
}

/* Produces the next token; at the end of input a TOK_EOF at the last place. */
void script_lex_next(struct script_lexer *lx, struct script_token *tok)
{
	memset(tok, 0, sizeof(*tok));
	bool header = skip_blank(lx, tok);
	tok->loc = here(lx);
	tok->start = lx->src + lx->pos;
	size_t begin = lx->pos;
	int c = peek(lx, 0);

	if (header) {
		adv(lx);
		adv(lx);
		adv(lx);
		size_t from = lx->pos;
		while (peek(lx, 0) != -1 && peek(lx, 0) != '\n')
			adv(lx);
		size_t to = lx->pos;
		while (to > from && (lx->src[to - 1] == '\r' ||
				     lx->src[to - 1] == ' ' || lx->src[to - 1] == '\t'))
			to--;
		tok->text = copy(lx, from, to);
	} else if (c == -1) {
		if (lx->ifdef_at.line != 0)
			script_fail(lx->ctx, lx->ifdef_at, "#ifdef without an #endif");
		tok->kind = TOK_EOF;
	} else if ((isxdigit(c) || c == ':') && lex_addr6(lx, tok)) {
		/* tok filled */
	} else if (is_digit(c) && !digit_word(lx)) {
		lex_number(lx, tok, false);
	} else if (c == '-' && is_digit(peek(lx, 1))) {
		adv(lx);
		lex_number(lx, tok, true);
	} else if (c == '.' && is_digit(peek(lx, 1))) {
		adv(lx);
		while (is_digit(peek(lx, 0)))
			adv(lx);
		tok->kind = TOK_DECIMAL;
	} else if (c == '.' && peek(lx, 1) == '.' && peek(lx, 2) == '.') {
		adv(lx);
		adv(lx);
		adv(lx);
		tok->kind = TOK_ELLIPSIS;
	} else if (is_word_start(c) || is_digit(c)) {
		/* A '-' joins two word parts so RFC state names like
		 * FIN-WAIT-1 are one word. */
		for (;;) {
			while (is_word_char(peek(lx, 0)))
				adv(lx);
			if (peek(lx, 0) == '-' && is_word_char(peek(lx, 1)))
				adv(lx);
			else
				break;
		}
		tok->kind = TOK_WORD;
		tok->text = copy(lx, begin, lx->pos);
		const char *value = NULL;
		size_t wn = lx->pos - begin;
		if (!is_keyword(lx->src + begin, wn) &&
		    script_lex_defined(lx, lx->src + begin, wn, &value) && value != NULL)
			substitute(lx, tok, value);
	} else if (c == '-' && peek(lx, 1) == '-' && is_word_start(peek(lx, 2))) {
		lex_option(lx, tok, false);
	} else if (c == '-' && peek(lx, 1) == 'D' && at_line_start(lx)) {
		lex_option(lx, tok, true);
	} else if (c == '"') {
		adv(lx);
		size_t end = scan_until(lx, "\"", true, false, tok->loc, "string");
		tok->kind = TOK_STRING;
		tok->text = copy(lx, begin + 1, end);
		adv(lx);
	} else if (c == '`') {
		adv(lx);
		size_t end = scan_until(lx, "`", true, true, tok->loc,
					"`command` (no closing backquote)");
		tok->kind = TOK_BACKQUOTE;
		tok->text = copy(lx, begin + 1, end);
		adv(lx);
	} else if (c == '%' && peek(lx, 1) == '{') {
		adv(lx);
		adv(lx);
		size_t end = scan_until(lx, "}%", false, true, tok->loc,
					"%{ code block (no closing }%)");
		size_t from = begin + 2, to = end;
		while (from < to && (lx->src[from] == ' ' || lx->src[from] == '\t'))
			from++;
		while (to > from && (lx->src[to - 1] == ' ' || lx->src[to - 1] == '\t'))
			to--;
		tok->kind = TOK_CODE;
		tok->text = copy(lx, from, to);
		adv(lx);
		adv(lx);
	} else if ((c == '=' || c == '!' || c == '<' || c == '>') &&
		   peek(lx, 1) == '=') {
		tok->kind = c == '=' ? TOK_EQEQ : c == '!' ? TOK_NE :
			    c == '<' ? TOK_LE : TOK_GE;
		adv(lx);
		adv(lx);
	} else if (c == '#') {
		script_fail(lx->ctx, tok->loc,
			    "'#' does not start a comment in scripts; use // or /* */ "
			    "(only #ifdef NAME and #endif are read)");
	} else if (c != 0 && strchr("<>()[]{},:=|+*~!.-;/", c) != NULL) {
		tok->kind = TOK_PUNCT;
		tok->ch = (char)c;
		adv(lx);
	} else if (c >= 0x21 && c < 0x7f) {
		script_fail(lx->ctx, tok->loc, "unexpected character '%c'", c);
	} else {
		script_fail(lx->ctx, tok->loc, "unexpected byte 0x%02x", c);
	}
	tok->len = lx->pos - begin;
	tok->end_line = lx->line; /* no token ends with a newline */
}

/* A short quoted form of a token for messages: 'foo', end of file, ... */
const char *script_tok_describe(const struct script_token *tok, char *buf,
				size_t size)
{
	switch (tok->kind) {
	case TOK_EOF:
		snprintf(buf, size, "end of file");
		break;
	case TOK_BACKQUOTE:
		snprintf(buf, size, "`command`");
		break;
	case TOK_CODE:
		snprintf(buf, size, "%%{ code }%%");
		break;
	case TOK_HEADER:
		snprintf(buf, size, "//! header line");
		break;
	case TOK_STRING:
		snprintf(buf, size, "string \"%.24s\"", tok->text);
		break;
	case TOK_INT:
	case TOK_DECIMAL:
	case TOK_WORD:
	case TOK_OPTION:
	case TOK_ADDR:
	case TOK_ELLIPSIS:
	case TOK_EQEQ:
	case TOK_NE:
	case TOK_LE:
	case TOK_GE:
	case TOK_PUNCT: {
		size_t n = tok->len;
		if (n > 32)
			n = 32;
		snprintf(buf, size, "'%.*s'", (int)n, tok->start);
		break;
	}
	}
	return buf;
}
