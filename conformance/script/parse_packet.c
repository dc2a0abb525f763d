/*
 * parse_packet.c - the packet half of the grammar: everything after a `<`
 * (inject) or `>` (expect) direction, called from parser.c.
 *
 *   packet  := ['ipv4' [ip] ADDR '>' ADDR ':'] [ip] [PORT '>' PORT]
 *              flags seq ['ack' N['!']] ['win' N] ['urg' N] [options]
 *   ip      := '(' ipitem {',' ipitem} ')' | '[' ... ']'
 *   flags   := WORD ['.'] | '.' | '-'        letters S F R P E W U
 *   seq     := N ':' N '(' N ')' ['!'] | '...' '(' N ')'
 *   options := '<' '...' '>' | '<' opt {',' opt} '>'
 *
 * As in packetdrill, sequence and ack numbers are relative to the sender's
 * ISN unless marked absolute with a trailing `!` (nplab's notation), `...`
 * in place of start:end leaves an outbound sequence number unchecked, an
 * omitted `win` is not checked, and `<...>` leaves outbound options
 * unchecked. Only TCP over IPv4 is accepted; `udp`, `icmp` and `ipv6`
 * packets are refused by name.
 */
#include <string.h>

#include "script_internal.h"

static void parse_ip_info(struct script_parser *p, struct script_packet *pk)
{
	char close = script_p_is_punct(p, 0, '(') ? ')' : ']';
	script_p_advance(p);
	struct script_ip_info *ip = &pk->ip;
	for (;;) {
		const struct script_token *t = &p->tok[0];
		if (t->kind != TOK_WORD)
			script_p_unexpected(p, "an IP field (tos, ttl, noecn, ect0, ect1, ce, ect01)");
		const char *w = t->text;
		struct script_loc at = t->loc;
		if (strcmp(w, "tos") == 0) {
			script_p_advance(p);
			ip->has_tos = true;
			ip->tos = (uint8_t)script_p_uint(p, 255, "tos");
		} else if (strcmp(w, "ttl") == 0) {
			script_p_advance(p);
			ip->has_ttl = true;
			ip->ttl = (uint8_t)script_p_uint(p, 255, "ttl");
		} else {
			static const struct { const char *name; enum script_ecn ecn; } ecns[] = {
				{"noecn", SCRIPT_ECN_NOT_ECT}, {"ect0", SCRIPT_ECN_ECT0},
				{"ect1", SCRIPT_ECN_ECT1}, {"ce", SCRIPT_ECN_CE},
				{"ect01", SCRIPT_ECN_ECT01},
			};
			enum script_ecn ecn = SCRIPT_ECN_UNCHECKED;
			for (size_t i = 0; i < sizeof(ecns) / sizeof(ecns[0]); i++)
				if (strcmp(ecns[i].name, w) == 0)
					ecn = ecns[i].ecn;
			if (ecn == SCRIPT_ECN_UNCHECKED && strcmp(w, "flowlabel") == 0)
				script_fail(p->ctx, at, "flowlabel is an IPv6 field; "
					    "synack scripts are IPv4");
			if (ecn == SCRIPT_ECN_UNCHECKED)
				script_fail(p->ctx, at, "unknown IP field '%.32s' (expected tos, "
					    "ttl, noecn, ect0, ect1, ce or ect01)", w);
			if (ecn == SCRIPT_ECN_ECT01 && pk->dir != SCRIPT_OUTBOUND)
				script_fail(p->ctx, at, "[ect01] is allowed only on outbound packets");
			if (ip->ecn != SCRIPT_ECN_UNCHECKED)
				script_fail(p->ctx, at, "ECN codepoint given twice");
			ip->ecn = ecn;
			script_p_advance(p);
		}
		if (script_p_is_punct(p, 0, ','))
			script_p_advance(p);
		else if (script_p_is_punct(p, 0, close))
			break;
		else
			script_p_unexpected(p, close == ')' ? "',' or ')' in the IP fields" :
					    "',' or ']' in the IP fields");
	}
	script_p_advance(p);
}

static void parse_flags(struct script_parser *p, struct script_packet *pk)
{
	const struct script_token *t = &p->tok[0];
	if (script_p_is_punct(p, 0, '.')) {
		pk->flags = SCRIPT_TCP_ACK;
		script_p_advance(p);
		return;
	}
	if (script_p_is_punct(p, 0, '-')) {
		pk->flags = 0;
		script_p_advance(p);
		return;
	}
	if (t->kind != TOK_WORD)
		script_p_unexpected(p, "TCP flags (letters S F R P E W U, '.' for ACK, "
				    "'-' for none)");
	static const char letters[] = "FSRP.UEW"; /* bit i is letters[i] */
	unsigned flags = 0;
	for (size_t i = 0; t->text[i] != '\0'; i++) {
		char c = t->text[i];
		unsigned bit = 0;
		for (unsigned k = 0; k < 8; k++)
			if (letters[k] == c && c != '.')
				bit = 1u << k;
		struct script_loc at = t->loc;
		at.col += (int)i;
		if (bit == 0)
			script_fail(p->ctx, at, "unknown TCP flag '%c' (flags are S F R P "
				    "E W U, '.' for ACK, '-' for none)", c);
		if (flags & bit)
			script_fail(p->ctx, at, "TCP flag '%c' given twice", c);
		flags |= bit;
	}
	script_p_advance(p);
	if (script_p_is_punct(p, 0, '.')) {
		flags |= SCRIPT_TCP_ACK;
		script_p_advance(p);
	}
	pk->flags = (uint8_t)flags;
}

static void parse_seq(struct script_parser *p, struct script_packet *pk)
{
	const struct script_token *t = &p->tok[0];
	struct script_loc at = t->loc;
	if (t->kind == TOK_ELLIPSIS) {
		if (pk->dir != SCRIPT_OUTBOUND)
			script_fail(p->ctx, at, "'...' (unchecked sequence number) is "
				    "allowed only on outbound packets");
		script_p_advance(p);
		pk->seq_mode = SCRIPT_SEQ_IGNORE;
		script_p_expect_punct(p, '(', "'(' and the payload length after '...'");
		pk->len = (uint16_t)script_p_uint(p, 65535, "payload length");
		script_p_expect_punct(p, ')', "')' after the payload length");
		return;
	}
	if (t->kind != TOK_INT)
		script_p_unexpected(p, "sequence numbers 'start:end(length)'");
	uint64_t start = script_p_uint(p, UINT32_MAX, "start sequence number");
	script_p_expect_punct(p, ':', "':' between start and end sequence numbers");
	uint64_t end = script_p_uint(p, UINT32_MAX, "end sequence number");
	script_p_expect_punct(p, '(', "'(' and the payload length");
	uint64_t len = script_p_uint(p, 65535, "payload length");
	script_p_expect_punct(p, ')', "')' after the payload length");
	if ((uint32_t)(start + len) != (uint32_t)end)
		script_fail(p->ctx, at, "inconsistent sequence numbers: %llu:%llu "
			    "is not %llu bytes long",
			    (unsigned long long)start, (unsigned long long)end,
			    (unsigned long long)len);
	pk->seq_start = (uint32_t)start;
	pk->seq_end = (uint32_t)end;
	pk->len = (uint16_t)len;
	pk->seq_mode = SCRIPT_SEQ_RELATIVE;
	if (script_p_is_punct(p, 0, '!') && script_p_same_line(p)) {
		pk->seq_mode = SCRIPT_SEQ_ABSOLUTE;
		script_p_advance(p);
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* md5 digest / fast open cookie: an even number of hex digits. */
static void parse_blob(struct script_parser *p, struct script_tcp_option *o,
		       unsigned max, const char *what)
{
	const struct script_token *t = &p->tok[0];
	if (t->kind != TOK_WORD && !(t->kind == TOK_INT && !t->hex))
		script_p_unexpected(p, "hex digits");
	size_t n = t->len;
	bool all_hex = true;
	for (size_t i = 0; i < n; i++)
		all_hex = all_hex && hex_digit(t->start[i]) >= 0;
	if (!all_hex && t->kind == TOK_WORD) {
		/* A name, e.g. a cookie passed with -D; the runner resolves it. */
		o->blob_name = t->text;
		script_p_advance(p);
		return;
	}
	if (n % 2 != 0)
		script_fail(p->ctx, t->loc, "%s has an odd number of hex digits", what);
	if (n / 2 > max)
		script_fail(p->ctx, t->loc, "%s longer than %u bytes", what, max);
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(t->start[i]), lo = hex_digit(t->start[i + 1]);
		if (hi < 0 || lo < 0)
			script_fail(p->ctx, t->loc, "%s is not a hex string", what);
		o->u.blob.bytes[i / 2] = (uint8_t)((unsigned)hi << 4 | (unsigned)lo);
	}
	o->u.blob.len = (uint8_t)(n / 2);
	script_p_advance(p);
}

/* One option; returns its size on the wire. */
static unsigned parse_option(struct script_parser *p, struct script_tcp_option *o)
{
	const struct script_token *t = &p->tok[0];
	if (t->kind != TOK_WORD)
		script_p_unexpected(p, "a TCP option name");
	const char *w = t->text;
	o->loc = t->loc;
	script_p_advance(p);
	if (strcmp(w, "nop") == 0) {
		o->kind = SCRIPT_OPT_NOP;
		return 1;
	}
	if (strcmp(w, "eol") == 0) {
		o->kind = SCRIPT_OPT_EOL;
		return 1;
	}
	if (strcmp(w, "mss") == 0) {
		o->kind = SCRIPT_OPT_MSS;
		o->u.mss = (uint16_t)script_p_uint(p, 65535, "mss value");
		return 4;
	}
	if (strcmp(w, "wscale") == 0) {
		o->kind = SCRIPT_OPT_WSCALE;
		o->u.wscale = (uint8_t)script_p_uint(p, 255, "window scale shift count");
		return 3;
	}
	if (strcmp(w, "sackOK") == 0) {
		o->kind = SCRIPT_OPT_SACK_PERMITTED;
		return 2;
	}
	if (strcmp(w, "sack") == 0) {
		o->kind = SCRIPT_OPT_SACK;
		do {
			if (o->u.sack.n == SCRIPT_MAX_SACK_BLOCKS)
				script_fail(p->ctx, p->tok[0].loc,
					    "more than %u SACK blocks", SCRIPT_MAX_SACK_BLOCKS);
			struct script_sack_block *b = &o->u.sack.block[o->u.sack.n++];
			b->left = (uint32_t)script_p_uint(p, UINT32_MAX, "SACK left edge");
			script_p_expect_punct(p, ':', "':' in the SACK block left:right");
			b->right = (uint32_t)script_p_uint(p, UINT32_MAX, "SACK right edge");
		} while (p->tok[0].kind == TOK_INT);
		return 2 + 8u * o->u.sack.n;
	}
	if (strcmp(w, "TS") == 0) {
		o->kind = SCRIPT_OPT_TIMESTAMP;
		if (!script_p_is_word(p, 0, "val"))
			script_p_unexpected(p, "'val' after 'TS'");
		script_p_advance(p);
		o->u.ts.val = (uint32_t)script_p_uint(p, UINT32_MAX, "TS val");
		if (!script_p_is_word(p, 0, "ecr"))
			script_p_unexpected(p, "'ecr' after the TS value");
		script_p_advance(p);
		o->u.ts.ecr = (uint32_t)script_p_uint(p, UINT32_MAX, "TS ecr");
		return 10;
	}
	if (strcmp(w, "md5") == 0) {
		o->kind = SCRIPT_OPT_MD5;
		parse_blob(p, o, 16, "md5 digest");
		return 18;
	}
	if (strcmp(w, "FO") == 0 || strcmp(w, "FOEXP") == 0) {
		bool exp = w[2] != '\0';
		o->kind = exp ? SCRIPT_OPT_FASTOPEN_EXP : SCRIPT_OPT_FASTOPEN;
		if (!script_p_is_punct(p, 0, ',') && !script_p_is_punct(p, 0, '>'))
			parse_blob(p, o, 16, "fast open cookie");
		return (exp ? 4u : 2u) + o->u.blob.len;
	}
	script_fail(p->ctx, o->loc, "unknown TCP option '%.32s' (expected nop, eol, "
		    "mss, wscale, sackOK, sack, TS, md5, FO or FOEXP)", w);
}

static void parse_options(struct script_parser *p, struct script_packet *pk)
{
	struct script_loc open = p->tok[0].loc;
	script_p_advance(p);
	if (p->tok[0].kind == TOK_ELLIPSIS) {
		if (pk->dir != SCRIPT_OUTBOUND)
			script_fail(p->ctx, open, "'<...>' (unchecked options) is allowed "
				    "only on outbound packets");
		script_p_advance(p);
		script_p_expect_punct(p, '>', "'>' after '<...'");
		pk->options_any = true;
		return;
	}
	if (script_p_is_punct(p, 0, '>'))
		script_fail(p->ctx, open, "empty TCP option list '<>'");
	/* Every option takes at least one byte, so the byte limit bounds the
	 * count; the list is copied to the arena at its exact size. */
	struct script_tcp_option opts[SCRIPT_MAX_TCP_OPTIONS + 1];
	unsigned bytes = 0, n = 0;
	for (;;) {
		struct script_tcp_option *o = &opts[n];
		memset(o, 0, sizeof(*o));
		unsigned size = parse_option(p, o);
		if (bytes + size > SCRIPT_MAX_TCP_OPTIONS)
			script_fail(p->ctx, o->loc, "TCP options longer than %u bytes",
				    SCRIPT_MAX_TCP_OPTIONS);
		bytes += size;
		n++;
		if (script_p_is_punct(p, 0, ','))
			script_p_advance(p);
		else if (script_p_is_punct(p, 0, '>'))
			break;
		else
			script_p_unexpected(p, "',' or '>' in the TCP option list");
	}
	script_p_advance(p);
	pk->options = script_alloc(p->ctx, n * sizeof(*pk->options));
	memcpy(pk->options, opts, n * sizeof(*pk->options));
	pk->n_options = (uint8_t)n;
}

void script_parse_packet(struct script_parser *p, struct script_event *ev,
			 enum script_direction dir)
{
	struct script_packet *pk = &ev->u.packet;
	ev->kind = SCRIPT_EV_PACKET;
	pk->dir = dir;

	const struct script_token *t = &p->tok[0];
	if (t->kind == TOK_WORD && (strcmp(t->text, "udp") == 0 ||
				    strcmp(t->text, "icmp") == 0 ||
				    strcmp(t->text, "ipv6") == 0))
		script_fail(p->ctx, t->loc, "'%s' packets are not supported: synack "
			    "scripts carry TCP over IPv4", t->text);
	if (script_p_is_word(p, 0, "ipv4")) {
		script_p_advance(p);
		if (script_p_is_punct(p, 0, '(') || script_p_is_punct(p, 0, '['))
			parse_ip_info(p, pk);
		if (p->tok[0].kind != TOK_ADDR)
			script_p_unexpected(p, "the source IPv4 address after 'ipv4'");
		pk->ip.has_addrs = true;
		pk->ip.src_addr = (uint32_t)p->tok[0].num;
		script_p_advance(p);
		script_p_expect_punct(p, '>', "'>' between the IPv4 addresses");
		if (p->tok[0].kind != TOK_ADDR)
			script_p_unexpected(p, "the destination IPv4 address");
		pk->ip.dst_addr = (uint32_t)p->tok[0].num;
		script_p_advance(p);
		script_p_expect_punct(p, ':', "':' after the IPv4 addresses");
	}
	if (script_p_is_punct(p, 0, '(') || script_p_is_punct(p, 0, '['))
		parse_ip_info(p, pk);
	if (p->tok[0].kind == TOK_INT && script_p_is_punct(p, 1, '>')) {
		pk->ip.has_ports = true;
		pk->ip.src_port = (uint16_t)script_p_uint(p, 65535, "source port");
		script_p_advance(p);
		pk->ip.dst_port = (uint16_t)script_p_uint(p, 65535, "destination port");
	}
	parse_flags(p, pk);
	parse_seq(p, pk);

	/* ack, win, urg in this order, each at most once, as in packetdrill. */
	static const char *const fields[] = {"ack", "win", "urg"};
	int last = -1;
	for (;;) {
		int i = 0;
		while (i < 3 && !script_p_is_word(p, 0, fields[i]))
			i++;
		if (i == 3)
			break;
		if (i <= last)
			script_fail(p->ctx, p->tok[0].loc, "'%s' repeated or out of order "
				    "(the order is ack, win, urg, <options>)", fields[i]);
		last = i;
		script_p_advance(p);
		if (i == 0) {
			pk->has_ack = true;
			pk->ack = (uint32_t)script_p_uint(p, UINT32_MAX, "ack number");
			if (script_p_is_punct(p, 0, '!') && script_p_same_line(p)) {
				pk->ack_absolute = true;
				script_p_advance(p);
			}
		} else if (i == 1) {
			pk->has_win = true;
			pk->win = (uint16_t)script_p_uint(p, 65535, "window");
		} else {
			pk->has_urg = true;
			pk->urg = (uint16_t)script_p_uint(p, 65535, "urgent pointer");
		}
	}
	if (script_p_is_punct(p, 0, '<') && script_p_same_line(p))
		parse_options(p, pk);
}
