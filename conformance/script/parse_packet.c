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
 * unchecked.
 *
 * Besides TCP, packetdrill's other packets:
 *
 *   udp     := 'udp' [PORT '>' PORT] '(' LEN ')'
 *   icmp    := 'icmp' TYPE [CODE] ['mtu' N] ['id' N] ['[' echoed ']']
 *   echoed  := seq ['/' 'udp' '(' PORT '>' PORT ')'] | 'udp' '(' LEN ')'
 *            | 'raw' '(' LEN ')'
 *
 * TYPE and CODE are packetdrill's names (icmp_packet.c: "unreachable",
 * "frag_needed", ...) or "type_N" / "code_N", looked up in the ICMPv4 or
 * ICMPv6 table by the script's --ip_version (an "ipv6 A > B:" prefix
 * means ICMPv6). An `ipv6 A > B:` prefix, the IPv6 fields (flowlabel,
 * hlim, class) and nplab's TCP-over-UDP suffix `/udp(SRC > DST)` and
 * `md5 valid` are parsed; which DUT can carry them is the engine's call.
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
			script_p_unexpected(p, "an IP field (tos, ttl, hlim, class, flowlabel, noecn, "
					    "ect0, ect1, ce, ect01)");
		const char *w = t->text;
		struct script_loc at = t->loc;
		if (strcmp(w, "tos") == 0) {
			script_p_advance(p);
			ip->has_tos = true;
			ip->tos = (uint8_t)script_p_uint(p, 255, "tos");
		} else if (strcmp(w, "ttl") == 0 || strcmp(w, "hlim") == 0) {
			/* hlim: IPv6's hop limit, the same field (nplab) */
			script_p_advance(p);
			ip->has_ttl = true;
			ip->ttl = (uint8_t)script_p_uint(p, 255, w);
		} else if (strcmp(w, "class") == 0) {
			/* IPv6's traffic class, where IPv4 has its tos (nplab) */
			script_p_advance(p);
			ip->has_tos = true;
			ip->tos = (uint8_t)script_p_uint(p, 255, "class");
		} else if (strcmp(w, "flowlabel") == 0) {
			script_p_advance(p);
			pk->has_flowlabel = true;
			pk->flowlabel = (uint32_t)script_p_uint(p, 0xfffff, "flowlabel");
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
			if (ecn == SCRIPT_ECN_UNCHECKED)
				script_fail(p->ctx, at, "unknown IP field '%.32s' (expected tos, "
					    "ttl, hlim, class, flowlabel, noecn, ect0, ect1, ce or ect01)", w);
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
	/* The digits as written (a define's value when substituted). */
	const char *digits = t->subst ? t->text : t->start;
	size_t n = t->subst ? strlen(t->text) : t->len;
	bool all_hex = true;
	for (size_t i = 0; i < n; i++)
		all_hex = all_hex && hex_digit(digits[i]) >= 0;
	if (!all_hex && t->kind == TOK_WORD) {
		/* A name no define gave a value (the lexer substitutes defined ones):
		 * kept, so the run can say which define is missing. */
		o->blob_name = t->text;
		script_p_advance(p);
		return;
	}
	if (n % 2 != 0)
		script_fail(p->ctx, t->loc, "%s has an odd number of hex digits", what);
	if (n / 2 > max)
		script_fail(p->ctx, t->loc, "%s longer than %u bytes", what, max);
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(digits[i]), lo = hex_digit(digits[i + 1]);
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
		if (script_p_is_word(p, 0, "valid")) {
			/* nplab: the digest the DUT's key gives (--tcp_md5_secret) */
			o->blob_name = "valid";
			script_p_advance(p);
			return 18;
		}
		parse_blob(p, o, 16, "md5 digest");
		return 18;
	}
	if (strcmp(w, "FO") == 0 || strcmp(w, "FOEXP") == 0) {
		/* Any cookie the option can hold, as packetdrill takes it
		 * (RFC 7413 §4.1.1 asks for 4 to 16 bytes; scripts test others). */
		bool exp = w[2] != '\0';
		o->kind = exp ? SCRIPT_OPT_FASTOPEN_EXP : SCRIPT_OPT_FASTOPEN;
		if (!script_p_is_punct(p, 0, ',') && !script_p_is_punct(p, 0, '>'))
			parse_blob(p, o, exp ? SCRIPT_MAX_TCP_OPTIONS - 4u : SCRIPT_MAX_TCP_OPTIONS - 2u,
				   "fast open cookie");
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

/* ---- ICMP type and code names (packetdrill's icmp_packet.c tables, with
 * nplab's additions; values from RFC 792 and RFC 4443) ---- */

struct icmp_name {
	const char *name;
	uint8_t value;
};

static const struct icmp_name V4_UNREACH[] = {
	{"net_unreachable", 0}, {"host_unreachable", 1}, {"protocol_unreachable", 2},
	{"port_unreachable", 3}, {"frag_needed", 4}, {"source_route_failed", 5},
	{"net_unknown", 6}, {"host_unknown", 7}, {"source_host_isolated", 8},
	{"net_prohibited", 9}, {"host_prohibited", 10}, {"net_unreachable_for_tos", 11},
	{"host_unreachable_for_tos", 12}, {"packet_filtered", 13},
	{"precedence_violation", 14}, {"precedence_cutoff", 15}, {NULL, 0},
};
static const struct icmp_name V4_TIME_EXCEEDED[] = {
	{"ttl_exceeded_in_transit", 0}, {"frag_reass_exceeded", 1}, {NULL, 0},
};
static const struct icmp_name V6_UNREACH[] = {
	{"no_route", 0}, {"net_unreachable", 0}, {"admin_prohibited", 1},
	{"not_neighbour", 2}, {"address_unreachable", 3}, {"port_unreachable", 4},
	{NULL, 0},
};
static const struct icmp_name V6_TIME_EXCEEDED[] = {
	{"exceeded_hop_limit", 0}, {"exceeded_frag_time", 1}, {NULL, 0},
};
static const struct icmp_name V6_PARAMPROB[] = {
	{"header_field", 0}, {"unknown_next_header", 1}, {"unknown_option", 2}, {NULL, 0},
};

static const struct icmp_type_name {
	const char *name;
	uint8_t value;
	const struct icmp_name *codes;
} V4_TYPES[] = {
	{"echo_reply", 0, NULL}, {"unreachable", 3, V4_UNREACH}, {"source_quench", 4, NULL},
	{"redirect", 5, NULL}, {"echo_request", 8, NULL},
	{"time_exceeded", 11, V4_TIME_EXCEEDED}, {"parameter_problem", 12, NULL},
	{"timestamp_request", 13, NULL}, {"timestamp_reply", 14, NULL},
	{"information_request", 15, NULL}, {"information_reply", 16, NULL},
	{"address_mask_request", 17, NULL}, {"address_mask_reply", 18, NULL},
	{NULL, 0, NULL},
}, V6_TYPES[] = {
	{"unreachable", 1, V6_UNREACH}, {"packet_too_big", 2, NULL},
	{"time_exceeded", 3, V6_TIME_EXCEEDED}, {"parameter_problem", 4, V6_PARAMPROB},
	{"echo_request", 128, NULL}, {"echo_reply", 129, NULL},
	{"router_advertisement", 134, NULL}, {NULL, 0, NULL},
};

const char *script_icmp_type_name(bool v6, uint8_t type)
{
	for (const struct icmp_type_name *t = v6 ? V6_TYPES : V4_TYPES; t->name; t++)
		if (t->value == type)
			return t->name;
	return NULL;
}

const char *script_icmp_code_name(bool v6, uint8_t type, uint8_t code)
{
	for (const struct icmp_type_name *t = v6 ? V6_TYPES : V4_TYPES; t->name; t++)
		if (t->value == type)
			for (const struct icmp_name *c = t->codes; c != NULL && c->name; c++)
				if (c->value == code)
					return c->name;
	return NULL;
}

/* "type_N" / "code_N" (tcpdump's notation): N in 0..255. */
static bool numbered(const char *w, const char *prefix, uint8_t *out)
{
	size_t n = strlen(prefix);
	if (strncmp(w, prefix, n) != 0 || w[n] == '\0')
		return false;
	unsigned v = 0;
	for (const char *c = w + n; *c; c++) {
		if (*c < '0' || *c > '9' || (v = v * 10u + (unsigned)(*c - '0')) > 255u)
			return false;
	}
	*out = (uint8_t)v;
	return true;
}

/* True when the script asks for packetdrill's IPv6 (not ipv4-mapped-ipv6):
 * its ICMP is ICMPv6. */
static bool script_is_ipv6(const struct script_parser *p)
{
	const char *v = p->lx.ip_version;
	for (const struct script_option *o = p->script->options; v == NULL && o != NULL; o = o->next)
		if (!o->is_define && strcmp(o->name, "ip_version") == 0 && o->value != NULL)
			v = o->value;
	return v != NULL && strcmp(v, "ipv6") == 0;
}

static void parse_icmp(struct script_parser *p, struct script_packet *pk)
{
	struct script_icmp *ic = &pk->icmp;
	pk->proto = SCRIPT_PROTO_ICMP;
	if (pk->ip.ecn != SCRIPT_ECN_UNCHECKED && pk->ip.ecn != SCRIPT_ECN_ECT01)
		script_fail(p->ctx, p->tok[0].loc, "ECN codepoints are for TCP packets, not icmp");
	script_p_advance(p); /* icmp */
	ic->v6 = pk->ipv6 || script_is_ipv6(p);
	if (p->tok[0].kind != TOK_WORD || !script_p_same_line(p))
		script_p_unexpected(p, "an ICMP type after 'icmp' (unreachable, time_exceeded, type_N ...)");
	struct script_loc type_at = p->tok[0].loc;
	ic->type_name = p->tok[0].text;
	script_p_advance(p);
	const struct icmp_name *codes = NULL;
	bool found = numbered(ic->type_name, "type_", &ic->type);
	for (const struct icmp_type_name *t = ic->v6 ? V6_TYPES : V4_TYPES; !found && t->name; t++) {
		if (strcmp(t->name, ic->type_name) == 0) {
			ic->type = t->value;
			codes = t->codes;
			found = true;
		}
	}
	if (!found)
		script_fail(p->ctx, type_at, "unknown ICMP%s type '%.40s'", ic->v6 ? "v6" : "",
			    ic->type_name);
	if (p->tok[0].kind == TOK_WORD && script_p_same_line(p) &&
	    !script_p_is_word(p, 0, "mtu") && !script_p_is_word(p, 0, "id")) {
		struct script_loc code_at = p->tok[0].loc;
		ic->code_name = p->tok[0].text;
		script_p_advance(p);
		found = numbered(ic->code_name, "code_", &ic->code);
		for (const struct icmp_name *c = codes; !found && c != NULL && c->name; c++) {
			if (strcmp(c->name, ic->code_name) == 0) {
				ic->code = c->value;
				found = true;
			}
		}
		if (!found)
			script_fail(p->ctx, code_at, "unknown ICMP%s code '%.40s' for type %s",
				    ic->v6 ? "v6" : "", ic->code_name, ic->type_name);
	}
	if (script_p_is_word(p, 0, "mtu")) {
		struct script_loc at = p->tok[0].loc;
		script_p_advance(p);
		/* RFC 1191 §4: the next-hop MTU of a "fragmentation needed";
		 * RFC 4443 §3.2: the MTU of a Packet Too Big. */
		bool ok = ic->v6 ? ic->type == 2 && ic->code == 0 : ic->type == 3 && ic->code == 4;
		if (!ok)
			script_fail(p->ctx, at, ic->v6 ? "an ICMPv6 mtu belongs to packet_too_big" :
				    "an ICMP mtu belongs to unreachable frag_needed");
		ic->has_mtu = true;
		ic->mtu = (uint32_t)script_p_uint(p, ic->v6 ? UINT32_MAX : 65535, "ICMP mtu");
	}
	if (script_p_is_word(p, 0, "id")) {
		script_p_advance(p);
		ic->has_id = true;
		ic->id = (uint16_t)script_p_uint(p, 65535, "ICMP echo id");
	}
	if (!script_p_is_punct(p, 0, '[') || !script_p_same_line(p))
		return;
	script_p_advance(p);
	ic->echoed_given = true;
	if (script_p_is_word(p, 0, "udp") || script_p_is_word(p, 0, "raw")) {
		ic->echoed = script_p_is_word(p, 0, "udp") ? SCRIPT_ICMP_ECHO_UDP : SCRIPT_ICMP_ECHO_RAW;
		script_p_advance(p);
		script_p_expect_punct(p, '(', "'(' and a length");
		struct script_loc at = p->tok[0].loc;
		ic->echoed_len = (uint16_t)script_p_uint(p, 65535, "length");
		script_p_expect_punct(p, ')', "')' after the length");
		/* raw (N): the whole ICMP message is N bytes, header included */
		if (ic->echoed == SCRIPT_ICMP_ECHO_RAW && ic->echoed_len < 8)
			script_fail(p->ctx, at, "raw ICMP message of %u bytes is shorter than "
				    "its 8-byte header", ic->echoed_len);
	} else if (script_p_is_word(p, 0, "sctp")) {
		script_fail(p->ctx, p->tok[0].loc, "sctp is not a protocol synack carries");
	} else {
		struct script_loc at = p->tok[0].loc;
		uint64_t start = script_p_uint(p, UINT32_MAX, "quoted start sequence number");
		script_p_expect_punct(p, ':', "':' between start and end sequence numbers");
		uint64_t end = script_p_uint(p, UINT32_MAX, "quoted end sequence number");
		script_p_expect_punct(p, '(', "'(' and the payload length");
		uint64_t len = script_p_uint(p, 65535, "payload length");
		script_p_expect_punct(p, ')', "')' after the payload length");
		if ((uint32_t)(start + len) != (uint32_t)end)
			script_fail(p->ctx, at, "inconsistent sequence numbers: %llu:%llu "
				    "is not %llu bytes long", (unsigned long long)start,
				    (unsigned long long)end, (unsigned long long)len);
		ic->echoed_seq = (uint32_t)start;
		ic->echoed_len = (uint16_t)len;
		if (script_p_is_punct(p, 0, '/')) {
			script_p_advance(p);
			if (!script_p_is_word(p, 0, "udp"))
				script_p_unexpected(p, "'udp' after '/'");
			script_p_advance(p);
			script_p_expect_punct(p, '(', "'(' and the UDP ports");
			ic->echoed_encap = true;
			ic->echoed_encap_src = (uint16_t)script_p_uint(p, 65535, "UDP source port");
			script_p_expect_punct(p, '>', "'>' between the UDP ports");
			ic->echoed_encap_dst = (uint16_t)script_p_uint(p, 65535, "UDP destination port");
			script_p_expect_punct(p, ')', "')' after the UDP ports");
		}
	}
	script_p_expect_punct(p, ']', "']' after the quoted packet");
}

static void parse_udp(struct script_parser *p, struct script_packet *pk)
{
	pk->proto = SCRIPT_PROTO_UDP;
	if (pk->ip.ecn != SCRIPT_ECN_UNCHECKED)
		script_fail(p->ctx, p->tok[0].loc, "ECN codepoints are for TCP packets, not udp");
	script_p_advance(p); /* udp */
	if (p->tok[0].kind == TOK_INT && script_p_is_punct(p, 1, '>')) {
		pk->ip.has_ports = true;
		pk->ip.src_port = (uint16_t)script_p_uint(p, 65535, "source port");
		script_p_advance(p);
		pk->ip.dst_port = (uint16_t)script_p_uint(p, 65535, "destination port");
	}
	script_p_expect_punct(p, '(', "'(' and the UDP payload length");
	/* 65507: what fits in an IPv4 datagram after the headers (RFC 768). */
	pk->len = (uint16_t)script_p_uint(p, 65507, "UDP payload length");
	script_p_expect_punct(p, ')', "')' after the UDP payload length");
	pk->seq_mode = SCRIPT_SEQ_IGNORE;
	pk->options_any = false;
}

/* nplab: "/udp(SRC > DST)" after a TCP segment, TCP carried over UDP. */
static void parse_udp_encap(struct script_parser *p, struct script_packet *pk)
{
	script_p_advance(p); /* '/' */
	if (!script_p_is_word(p, 0, "udp"))
		script_p_unexpected(p, "'udp' after '/' (TCP over UDP: /udp(SRC > DST))");
	script_p_advance(p);
	script_p_expect_punct(p, '(', "'(' and the UDP ports");
	pk->udp_encap = true;
	pk->encap_src_port = (uint16_t)script_p_uint(p, 65535, "UDP source port");
	script_p_expect_punct(p, '>', "'>' between the UDP ports");
	pk->encap_dst_port = (uint16_t)script_p_uint(p, 65535, "UDP destination port");
	script_p_expect_punct(p, ')', "')' after the UDP ports");
}

void script_parse_packet(struct script_parser *p, struct script_event *ev,
			 enum script_direction dir)
{
	struct script_packet *pk = &ev->u.packet;
	ev->kind = SCRIPT_EV_PACKET;
	pk->dir = dir;

	if (script_p_is_word(p, 0, "ipv6")) {
		script_p_advance(p);
		if (script_p_is_punct(p, 0, '(') || script_p_is_punct(p, 0, '['))
			parse_ip_info(p, pk);
		if (p->tok[0].kind != TOK_ADDR || !p->tok[0].v6)
			script_p_unexpected(p, "the source IPv6 address after 'ipv6'");
		pk->ipv6 = true;
		memcpy(pk->src6, p->tok[0].addr6, 16);
		script_p_advance(p);
		script_p_expect_punct(p, '>', "'>' between the IPv6 addresses");
		if (p->tok[0].kind != TOK_ADDR || !p->tok[0].v6)
			script_p_unexpected(p, "the destination IPv6 address");
		memcpy(pk->dst6, p->tok[0].addr6, 16);
		script_p_advance(p);
		script_p_expect_punct(p, ':', "':' after the IPv6 addresses");
	} else if (script_p_is_word(p, 0, "ipv4")) {
		script_p_advance(p);
		if (script_p_is_punct(p, 0, '(') || script_p_is_punct(p, 0, '['))
			parse_ip_info(p, pk);
		if (p->tok[0].kind != TOK_ADDR || p->tok[0].v6)
			script_p_unexpected(p, "the source IPv4 address after 'ipv4'");
		pk->ip.has_addrs = true;
		pk->ip.src_addr = (uint32_t)p->tok[0].num;
		script_p_advance(p);
		script_p_expect_punct(p, '>', "'>' between the IPv4 addresses");
		if (p->tok[0].kind != TOK_ADDR || p->tok[0].v6)
			script_p_unexpected(p, "the destination IPv4 address");
		pk->ip.dst_addr = (uint32_t)p->tok[0].num;
		script_p_advance(p);
		script_p_expect_punct(p, ':', "':' after the IPv4 addresses");
	}
	if (script_p_is_punct(p, 0, '(') || script_p_is_punct(p, 0, '['))
		parse_ip_info(p, pk);
	if (script_p_is_word(p, 0, "udp")) {
		parse_udp(p, pk);
		return;
	}
	if (script_p_is_word(p, 0, "icmp")) {
		parse_icmp(p, pk);
		return;
	}
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
	for (uint8_t i = 0; i < pk->n_options; i++)
		if (pk->options[i].kind == SCRIPT_OPT_MD5 && pk->options[i].blob_name != NULL &&
		    strcmp(pk->options[i].blob_name, "valid") == 0)
			pk->md5_valid = true;
	if (script_p_is_punct(p, 0, '/') && script_p_same_line(p))
		parse_udp_encap(p, pk);
}
