/*
 * dump.c - prints a parsed script back as text in one canonical form.
 *
 * Used by `synack run --dry_run`, by runner messages that quote an event,
 * and by the tests: parsing the dump of a script gives the same AST, and
 * dumping that again gives the same text (the round-trip the tests check).
 * Canonical means: one event per line, times in seconds with trailing zeros
 * dropped, flags in the order S F R P U E W then '.', options spelled as
 * packetdrill spells them, header lines first, then options, then events.
 * Two exceptions keep the dump within what the parser reads back: a system
 * call longer than a line (SCRIPT_MAX_LINE) is written with one argument or
 * list item per line and long strings as adjacent pieces, and a note that
 * could hold an option-like token ("--x=1") gets a blank before its ')'.
 * conformance/script/tests/test_script_roundtrip.c checks the fixed point
 * over the suites and over generated and corrupted scripts.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "script_internal.h"

void script_buf_printf(struct script_buf *b, const char *fmt, ...)
{
	if (b->failed)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = b->cap - b->len;
		int n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap - b->len <= (size_t)n)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (d == NULL) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
}

static void put_seconds(struct script_buf *b, int64_t ns)
{
	int64_t whole = ns / 1000000000LL, frac = ns % 1000000000LL;
	if (frac == 0) {
		script_buf_printf(b, "%" PRId64, whole);
		return;
	}
	int digits = 9;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	script_buf_printf(b, "%" PRId64 ".%0*" PRId64, whole, digits, frac);
}

static void put_time(struct script_buf *b, const struct script_time *t)
{
	switch (t->kind) {
	case SCRIPT_TIME_NONE:
		return;
	case SCRIPT_TIME_ANY:
		script_buf_printf(b, "*");
		break;
	case SCRIPT_TIME_ABS:
	case SCRIPT_TIME_REL:
		script_buf_printf(b, "%s", t->kind == SCRIPT_TIME_REL ? "+" : "");
		put_seconds(b, t->lo_ns);
		break;
	case SCRIPT_TIME_ABS_RANGE:
	case SCRIPT_TIME_REL_RANGE: {
		const char *plus = t->kind == SCRIPT_TIME_REL_RANGE ? "+" : "";
		script_buf_printf(b, "%s", plus);
		put_seconds(b, t->lo_ns);
		script_buf_printf(b, "~%s", plus);
		put_seconds(b, t->hi_ns);
		break;
	}
	}
	script_buf_printf(b, " ");
}

static void put_addr(struct script_buf *b, uint32_t a)
{
	script_buf_printf(b, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255u,
			  (a >> 8) & 255u, a & 255u);
}

static void put_blob(struct script_buf *b, const struct script_tcp_option *o)
{
	if (o->blob_name != NULL) {
		script_buf_printf(b, "%s", o->blob_name);
		return;
	}
	for (unsigned i = 0; i < o->u.blob.len; i++)
		script_buf_printf(b, "%02x", o->u.blob.bytes[i]);
}

static void put_option(struct script_buf *b, const struct script_tcp_option *o)
{
	switch (o->kind) {
	case SCRIPT_OPT_EOL: script_buf_printf(b, "eol"); break;
	case SCRIPT_OPT_NOP: script_buf_printf(b, "nop"); break;
	case SCRIPT_OPT_MSS: script_buf_printf(b, "mss %u", o->u.mss); break;
	case SCRIPT_OPT_WSCALE: script_buf_printf(b, "wscale %u", o->u.wscale); break;
	case SCRIPT_OPT_SACK_PERMITTED: script_buf_printf(b, "sackOK"); break;
	case SCRIPT_OPT_SACK:
		script_buf_printf(b, "sack");
		for (unsigned i = 0; i < o->u.sack.n; i++)
			script_buf_printf(b, " %" PRIu32 ":%" PRIu32,
					  o->u.sack.block[i].left,
					  o->u.sack.block[i].right);
		break;
	case SCRIPT_OPT_TIMESTAMP:
		script_buf_printf(b, "TS val %" PRIu32 " ecr %" PRIu32, o->u.ts.val,
				  o->u.ts.ecr);
		break;
	case SCRIPT_OPT_MD5:
		script_buf_printf(b, "md5 ");
		put_blob(b, o);
		break;
	case SCRIPT_OPT_FASTOPEN:
	case SCRIPT_OPT_FASTOPEN_EXP:
		script_buf_printf(b, "%s", o->kind == SCRIPT_OPT_FASTOPEN ? "FO" : "FOEXP");
		if (o->u.blob.len > 0 || o->blob_name != NULL) {
			script_buf_printf(b, " ");
			put_blob(b, o);
		}
		break;
	}
}

static const char *ecn_name(enum script_ecn e)
{
	switch (e) {
	case SCRIPT_ECN_UNCHECKED: return "";
	case SCRIPT_ECN_NOT_ECT: return "noecn";
	case SCRIPT_ECN_ECT1: return "ect1";
	case SCRIPT_ECN_ECT0: return "ect0";
	case SCRIPT_ECN_CE: return "ce";
	case SCRIPT_ECN_ECT01: return "ect01";
	}
	return "";
}

static void put_addr6(struct script_buf *b, const uint8_t a[16])
{
	char text[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, a, text, sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "::");
	script_buf_printf(b, "%s", text);
}

static void put_icmp(struct script_buf *b, const struct script_packet *pk)
{
	const struct script_icmp *ic = &pk->icmp;
	script_buf_printf(b, "icmp %s", ic->type_name);
	if (ic->code_name != NULL)
		script_buf_printf(b, " %s", ic->code_name);
	if (ic->has_mtu)
		script_buf_printf(b, " mtu %" PRIu32, ic->mtu);
	if (ic->has_id)
		script_buf_printf(b, " id %u", ic->id);
	if (!ic->echoed_given)
		return;
	switch (ic->echoed) {
	case SCRIPT_ICMP_ECHO_UDP:
		script_buf_printf(b, " [udp (%u)]", ic->echoed_len);
		break;
	case SCRIPT_ICMP_ECHO_RAW:
		script_buf_printf(b, " [raw (%u)]", ic->echoed_len);
		break;
	case SCRIPT_ICMP_ECHO_TCP:
		script_buf_printf(b, " [%" PRIu32 ":%" PRIu32 "(%u)", ic->echoed_seq,
				  ic->echoed_seq + ic->echoed_len, ic->echoed_len);
		if (ic->echoed_encap)
			script_buf_printf(b, "/udp(%u > %u)", ic->echoed_encap_src, ic->echoed_encap_dst);
		script_buf_printf(b, "]");
		break;
	}
}

static void put_packet(struct script_buf *b, const struct script_packet *pk)
{
	const struct script_ip_info *ip = &pk->ip;
	script_buf_printf(b, "%c ", pk->dir == SCRIPT_INBOUND ? '<' : '>');
	if (pk->ipv6) {
		script_buf_printf(b, "ipv6 ");
		put_addr6(b, pk->src6);
		script_buf_printf(b, " > ");
		put_addr6(b, pk->dst6);
		script_buf_printf(b, ": ");
	}
	if (ip->has_addrs) {
		script_buf_printf(b, "ipv4 ");
		put_addr(b, ip->src_addr);
		script_buf_printf(b, " > ");
		put_addr(b, ip->dst_addr);
		script_buf_printf(b, ": ");
	}
	if (ip->has_tos || ip->has_ttl || ip->ecn != SCRIPT_ECN_UNCHECKED || pk->has_flowlabel) {
		const char *sep = "";
		script_buf_printf(b, "(");
		if (pk->has_flowlabel) {
			script_buf_printf(b, "flowlabel 0x%05" PRIx32, pk->flowlabel);
			sep = ", ";
		}
		if (ip->has_tos) {
			script_buf_printf(b, "%stos 0x%02x", sep, ip->tos);
			sep = ", ";
		}
		if (ip->has_ttl) {
			script_buf_printf(b, "%sttl %u", sep, ip->ttl);
			sep = ", ";
		}
		if (ip->ecn != SCRIPT_ECN_UNCHECKED)
			script_buf_printf(b, "%s%s", sep, ecn_name(ip->ecn));
		script_buf_printf(b, ") ");
	}
	if (pk->proto == SCRIPT_PROTO_ICMP) {
		put_icmp(b, pk);
		return;
	}
	if (pk->proto == SCRIPT_PROTO_UDP) {
		script_buf_printf(b, "udp ");
		if (ip->has_ports)
			script_buf_printf(b, "%u>%u ", ip->src_port, ip->dst_port);
		script_buf_printf(b, "(%u)", pk->len);
		return;
	}
	if (ip->has_ports)
		script_buf_printf(b, "%u>%u ", ip->src_port, ip->dst_port);
	static const struct { uint8_t bit; char c; } order[] = {
		{SCRIPT_TCP_SYN, 'S'}, {SCRIPT_TCP_FIN, 'F'}, {SCRIPT_TCP_RST, 'R'},
		{SCRIPT_TCP_PSH, 'P'}, {SCRIPT_TCP_URG, 'U'}, {SCRIPT_TCP_ECE, 'E'},
		{SCRIPT_TCP_CWR, 'W'}, {SCRIPT_TCP_ACK, '.'},
	};
	if (pk->flags == 0)
		script_buf_printf(b, "-");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (pk->flags & order[i].bit)
			script_buf_printf(b, "%c", order[i].c);
	switch (pk->seq_mode) {
	case SCRIPT_SEQ_IGNORE:
		script_buf_printf(b, " ...(%u)", pk->len);
		break;
	case SCRIPT_SEQ_RELATIVE:
	case SCRIPT_SEQ_ABSOLUTE:
		script_buf_printf(b, " %" PRIu32 ":%" PRIu32 "(%u)%s", pk->seq_start,
				  pk->seq_end, pk->len,
				  pk->seq_mode == SCRIPT_SEQ_ABSOLUTE ? "!" : "");
		break;
	}
	if (pk->has_ack)
		script_buf_printf(b, " ack %" PRIu32 "%s", pk->ack,
				  pk->ack_absolute ? "!" : "");
	if (pk->has_win)
		script_buf_printf(b, " win %u", pk->win);
	if (pk->has_urg)
		script_buf_printf(b, " urg %u", pk->urg);
	if (pk->options_any) {
		script_buf_printf(b, " <...>");
	} else if (pk->n_options > 0) {
		script_buf_printf(b, " <");
		for (unsigned i = 0; i < pk->n_options; i++) {
			if (i > 0)
				script_buf_printf(b, ",");
			put_option(b, &pk->options[i]);
		}
		script_buf_printf(b, ">");
	}
	if (pk->udp_encap)
		script_buf_printf(b, "/udp(%u > %u)", pk->encap_src_port, pk->encap_dst_port);
}

static void put_expr(struct script_buf *b, const struct script_expr *e);

/* Items between open and close; in wrap mode each on its own line (a
 * newline may follow an opener or a comma and precede a closer). */
static void put_children(struct script_buf *b, const struct script_expr *e,
			 const char *open, const char *close)
{
	script_buf_printf(b, "%s%s", open, b->wrap && e->child ? "\n" : "");
	for (const struct script_expr *c = e->child; c != NULL; c = c->next) {
		put_expr(b, c);
		script_buf_printf(b, "%s", c->next ? (b->wrap ? ",\n" : ", ") :
				  b->wrap ? "\n" : "");
	}
	script_buf_printf(b, "%s", close);
}

/* In wrap mode a string is written as adjacent pieces, one per line (they
 * concatenate back to the same text); a piece never ends inside an escape
 * sequence. */
#define WRAP_PIECE 64

static void put_string(struct script_buf *b, const struct script_expr *e)
{
	const char *t = e->text;
	size_t n = strlen(t);
	if (!b->wrap || n <= WRAP_PIECE) {
		script_buf_printf(b, "\"%s\"%s", t, e->with_ellipsis ? "..." : "");
		return;
	}
	size_t at = 0;
	while (at < n) {
		size_t end = at + WRAP_PIECE < n ? at + WRAP_PIECE : n;
		size_t bs = 0; /* backslashes right before the cut */
		while (end - bs > at && t[end - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 1 && end < n)
			end++; /* keep "\x" together */
		script_buf_printf(b, "%s\"%.*s\"", at ? "\n" : "", (int)(end - at), t + at);
		at = end;
	}
	script_buf_printf(b, "%s", e->with_ellipsis ? "..." : "");
}

static void put_expr(struct script_buf *b, const struct script_expr *e)
{
	switch (e->kind) {
	case SCRIPT_EXPR_ELLIPSIS:
		script_buf_printf(b, "...");
		break;
	case SCRIPT_EXPR_INT:
		if (e->hex)
			script_buf_printf(b, "%s0x%" PRIx64, e->num < 0 ? "-" : "",
					  e->num < 0 ? (uint64_t)0 - (uint64_t)e->num :
					  (uint64_t)e->num);
		else
			script_buf_printf(b, "%" PRId64, e->num);
		break;
	case SCRIPT_EXPR_WORD:
		script_buf_printf(b, "%s", e->text);
		break;
	case SCRIPT_EXPR_STRING:
		put_string(b, e);
		break;
	case SCRIPT_EXPR_LIST:
		put_children(b, e, "[", "]");
		break;
	case SCRIPT_EXPR_STRUCT:
		put_children(b, e, "{", "}");
		break;
	case SCRIPT_EXPR_CALL:
		script_buf_printf(b, "%s", e->text);
		put_children(b, e, "(", ")");
		break;
	case SCRIPT_EXPR_OR:
		put_expr(b, e->lhs);
		script_buf_printf(b, "|%s", b->wrap ? "\n" : "");
		put_expr(b, e->rhs);
		break;
	case SCRIPT_EXPR_ASSIGN:
		put_expr(b, e->lhs);
		script_buf_printf(b, "=");
		put_expr(b, e->rhs);
		break;
	}
}

static void put_syscall(struct script_buf *b, const struct script_syscall *sc)
{
	if (sc->blocking) {
		/* put_time already wrote "start "; the end joins it as "...end". */
		if (b->len > 0 && b->data[b->len - 1] == ' ')
			b->len--;
		script_buf_printf(b, "...");
		put_seconds(b, sc->end_ns);
		script_buf_printf(b, " ");
	}
	script_buf_printf(b, "%s(%s", sc->name, b->wrap && sc->args ? "\n" : "");
	for (const struct script_expr *a = sc->args; a != NULL; a = a->next) {
		put_expr(b, a);
		script_buf_printf(b, "%s", a->next ? (b->wrap ? ",\n" : ", ") :
				  b->wrap ? "\n" : "");
	}
	script_buf_printf(b, ") = ");
	put_expr(b, sc->result);
	if (sc->errno_name)
		script_buf_printf(b, " %s", sc->errno_name);
	/* The note is kept as written, and an option-like token in it
	 * ("--t==") runs to the next blank when lexed: a ')' right after it
	 * would become part of it. A blank before the ')' keeps the note
	 * closed; only a note holding "--" can start such a token. */
	if (sc->note)
		script_buf_printf(b, " (%s%s)", sc->note, strstr(sc->note, "--") ? " " : "");
}

static void put_app(struct script_buf *b, const struct script_app_action *a)
{
	script_buf_printf(b, "%s", script_app_op_name(a->op));
	switch (a->op) {
	case SCRIPT_APP_LISTEN:
	case SCRIPT_APP_CONNECT:
		if (a->has_addr) {
			script_buf_printf(b, " ");
			put_addr(b, a->addr);
			if (a->has_port)
				script_buf_printf(b, ":%u", a->port);
		} else if (a->has_port) {
			script_buf_printf(b, " %u", a->port);
		}
		break;
	case SCRIPT_APP_SEND:
	case SCRIPT_APP_RECV:
	case SCRIPT_APP_RCVBUF:
		script_buf_printf(b, " %s%" PRIu32,
				  a->bytes_cmp == SCRIPT_CMP_LE   ? "<="
				  : a->bytes_cmp == SCRIPT_CMP_GE ? ">="
								  : "",
				  a->bytes);
		break;
	case SCRIPT_APP_SHUTDOWN:
		script_buf_printf(b, " %s", a->shut == SCRIPT_SHUT_RD ? "rd" : a->shut == SCRIPT_SHUT_WR ? "wr" : "rdwr");
		break;
	case SCRIPT_APP_CLOSE:
	case SCRIPT_APP_ABORT:
		break;
	}
}

static void dump_event(struct script_buf *b, const struct script_event *ev)
{
	put_time(b, &ev->time);
	switch (ev->kind) {
	case SCRIPT_EV_PACKET:
		put_packet(b, &ev->u.packet);
		break;
	case SCRIPT_EV_SYSCALL:
		put_syscall(b, &ev->u.syscall);
		break;
	case SCRIPT_EV_SHELL:
		script_buf_printf(b, "`%s`", ev->u.shell);
		break;
	case SCRIPT_EV_CODE:
		script_buf_printf(b, "%%{ %s }%%", ev->u.code);
		break;
	case SCRIPT_EV_NOTHING:
		script_buf_printf(b, "> nothing");
		break;
	case SCRIPT_EV_APP_ACTION:
		put_app(b, &ev->u.app);
		break;
	case SCRIPT_EV_APP_EVENT:
		script_buf_printf(b, "event %s", script_app_event_name(ev->u.app_event));
		break;
	case SCRIPT_EV_STATE:
		script_buf_printf(b, "state %s", script_state_name(ev->u.state));
		break;
	case SCRIPT_EV_COUNTER:
		script_buf_printf(b, "counter %s %s %" PRIu32, ev->u.counter.name,
				  script_cmp_name(ev->u.counter.cmp), ev->u.counter.value);
		break;
	}
}

/* Longest line in b->data[from..]. */
static size_t longest_line(const struct script_buf *b, size_t from)
{
	size_t best = 0, run = 0;
	for (size_t i = from; i < b->len; i++) {
		run = b->data[i] == '\n' ? 0 : run + 1;
		if (run > best)
			best = run;
	}
	return best;
}

/* One event; a system call that would not fit on one line (the parser's
 * SCRIPT_MAX_LINE, e.g. adjacent strings or a long list that spanned lines
 * in the script) is written again with one item per line. */
void script_buf_dump_event(struct script_buf *b, const struct script_event *ev)
{
	size_t from = b->len;
	size_t col = 0; /* what the line already holds */
	while (col < from && b->data[from - col - 1] != '\n')
		col++;
	dump_event(b, ev);
	if (b->failed || b->wrap || col + longest_line(b, from) <= SCRIPT_MAX_LINE)
		return;
	b->len = from;
	b->wrap = true;
	dump_event(b, ev);
	b->wrap = false;
}

static void put_endpoint(struct script_buf *b, const char *key, uint32_t addr,
			 uint16_t port)
{
	script_buf_printf(b, "//! %s: ", key);
	/* A bare port is written as the port; 0.0.0.0 alone (no port) must
	 * stay an address, as port 0 is not a valid endpoint. */
	if (addr != 0 || port == 0) {
		put_addr(b, addr);
		if (port != 0)
			script_buf_printf(b, ":%u", port);
	} else {
		script_buf_printf(b, "%u", port);
	}
	script_buf_printf(b, "\n");
}

static void put_header(struct script_buf *b, const struct script_header *h)
{
	if (h->title)
		script_buf_printf(b, "//! title: %s\n", h->title);
	for (size_t i = 0; i < h->n_rfc; i++)
		script_buf_printf(b, "//! rfc: %s\n", h->rfc[i]);
	bool any = h->rfc5961 != SCRIPT_PROFILE_ANY || h->rfc1337 != SCRIPT_PROFILE_ANY ||
		   h->timewait_recycle != SCRIPT_PROFILE_ANY;
	for (size_t i = 0; i < SCRIPT_BEH_COUNT; i++)
		any |= h->behaviour[i] != SCRIPT_PROFILE_ANY;
	if (any) {
		script_buf_printf(b, "//! profile:");
		if (h->rfc5961 != SCRIPT_PROFILE_ANY)
			script_buf_printf(b, " rfc5961=%s",
					  h->rfc5961 == SCRIPT_PROFILE_ON ? "on" : "off");
		if (h->rfc1337 != SCRIPT_PROFILE_ANY)
			script_buf_printf(b, " rfc1337=%s",
					  h->rfc1337 == SCRIPT_PROFILE_ON ? "on" : "off");
		if (h->timewait_recycle != SCRIPT_PROFILE_ANY)
			script_buf_printf(b, " timewait-recycle=%s",
					  h->timewait_recycle == SCRIPT_PROFILE_ON ? "on" : "off");
		for (size_t i = 0; i < SCRIPT_BEH_COUNT; i++)
			if (h->behaviour[i] == SCRIPT_PROFILE_ON)
				script_buf_printf(b, " %s", script_behaviour_names[i]);
			else if (h->behaviour[i] == SCRIPT_PROFILE_OFF)
				script_buf_printf(b, " %s=off", script_behaviour_names[i]);
		script_buf_printf(b, "\n");
	}
	if (h->has_local)
		put_endpoint(b, "local", h->local_addr, h->local_port);
	if (h->has_remote)
		put_endpoint(b, "remote", h->remote_addr, h->remote_port);
}

/* The whole script as canonical text; the caller frees it. */
char *script_dump(const struct script *s)
{
	struct script_buf b = {0};
	put_header(&b, &s->header);
	for (const struct script_option *o = s->options; o != NULL; o = o->next) {
		/* -D is the shorter spelling: used when --define= would make
		 * the line longer than the parser accepts. */
		if (o->is_define)
			script_buf_printf(&b, "%s%s=%s\n",
					  strlen(o->name) + strlen(o->value) + 10 > SCRIPT_MAX_LINE ?
					  "-D " : "--define=", o->name, o->value);
		else if (o->value)
			script_buf_printf(&b, "--%s=%s\n", o->name, o->value);
		else
			script_buf_printf(&b, "--%s\n", o->name);
	}
	if (s->init_command)
		script_buf_printf(&b, "`%s`\n", s->init_command->u.shell);
	for (const struct script_event *ev = s->events; ev != NULL; ev = ev->next) {
		script_buf_dump_event(&b, ev);
		script_buf_printf(&b, "\n");
	}
	if (s->cleanup_command)
		script_buf_printf(&b, "`%s`\n", s->cleanup_command->u.shell);
	if (b.failed || b.data == NULL) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

int script_dump_file(const struct script *s, FILE *f)
{
	char *text = script_dump(s);
	if (text == NULL)
		return -1;
	int rc = fputs(text, f) < 0 ? -1 : 0;
	free(text);
	return rc;
}

/* One event as it would appear in the dump, without a newline. */
void script_dump_event(const struct script_event *ev, FILE *f)
{
	struct script_buf b = {0};
	script_buf_dump_event(&b, ev);
	if (!b.failed && b.data != NULL)
		fputs(b.data, f);
	free(b.data);
}
