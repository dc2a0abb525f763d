/*
 * parser.c - recursive-descent parser for scripts: the top level (header,
 * option lines, init/cleanup commands, events), event times, and synack's
 * own statements. Packets are parsed in parse_packet.c, system calls and
 * their expressions in parse_syscall.c.
 *
 * Call chain: script_parse_file() (script.c) -> script_parse_string() ->
 * parse_script() -> parse_event() -> parse_time() + one statement parser.
 * Grammar functions only build events (STYLE.md 9); the few semantic checks
 * made here are the ones packetdrill's parser makes too (time ranges
 * backwards, `*` only where an observation is expected, seq:end(len)
 * consistent) plus bounds. The first problem ends the parse with
 * `file:line:col: message`.
 *
 * Events need not end at a newline in packetdrill's grammar (system calls
 * may span lines), but no event may share its last line with the next one:
 * that catches trailing garbage at the place it is written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "script_internal.h"

/* ---- token helpers shared with parse_packet.c / parse_syscall.c -------- */

/* A number of more than 63 bits is a hex blob after md5 / FO / FOEXP
 * (packetdrill passes the digits on as text), and nothing else. */
static void check_big(struct script_parser *p, const struct script_token *prev)
{
	const struct script_token *t = &p->tok[0];
	if (!t->big)
		return;
	if (prev != NULL && prev->kind == TOK_WORD &&
	    (strcmp(prev->text, "FO") == 0 || strcmp(prev->text, "FOEXP") == 0 ||
	     strcmp(prev->text, "md5") == 0))
		return;
	script_fail(p->ctx, t->loc, "number too large");
}

void script_p_advance(struct script_parser *p)
{
	struct script_token prev = p->tok[0];
	p->prev_end_line = p->tok[0].end_line;
	p->tok[0] = p->tok[1];
	p->tok[1] = p->tok[2];
	script_lex_next(&p->lx, &p->tok[2]);
	check_big(p, &prev);
}

bool script_p_is_punct(const struct script_parser *p, int k, char c)
{
	return p->tok[k].kind == TOK_PUNCT && p->tok[k].ch == c;
}

bool script_p_is_word(const struct script_parser *p, int k, const char *w)
{
	return p->tok[k].kind == TOK_WORD && strcmp(p->tok[k].text, w) == 0;
}

_Noreturn void script_p_unexpected(struct script_parser *p, const char *what)
{
	char buf[64];
	script_fail(p->ctx, p->tok[0].loc, "expected %s, got %s", what,
		    script_tok_describe(&p->tok[0], buf, sizeof(buf)));
}

void script_p_expect_punct(struct script_parser *p, char c, const char *what)
{
	if (!script_p_is_punct(p, 0, c))
		script_p_unexpected(p, what);
	script_p_advance(p);
}

/* An unsigned integer token no larger than max; consumes it. */
uint64_t script_p_uint(struct script_parser *p, uint64_t max, const char *what)
{
	const struct script_token *t = &p->tok[0];
	if (t->kind != TOK_INT)
		script_p_unexpected(p, what);
	if (t->num < 0 || (uint64_t)t->num > max)
		script_fail(p->ctx, t->loc, "%s %lld out of range (0..%llu)", what,
			    (long long)t->num, (unsigned long long)max);
	uint64_t v = (uint64_t)t->num;
	script_p_advance(p);
	return v;
}

/* True when the current token starts on the line the previous one ended. */
bool script_p_same_line(const struct script_parser *p)
{
	return p->tok[0].kind != TOK_EOF && p->tok[0].loc.line == p->prev_end_line;
}

/* ---- time ------------------------------------------------------------- */

/* Seconds as written ("1", "0.100", ".04") to nanoseconds, exactly. */
static int64_t time_value(struct script_parser *p)
{
	const struct script_token *t = &p->tok[0];
	int64_t ns;
	if (t->kind == TOK_INT && !t->hex) {
		if (t->num < 0)
			script_fail(p->ctx, t->loc, "negative time");
		if (t->num >= SCRIPT_MAX_TIME_S)
			script_fail(p->ctx, t->loc, "time too large");
		ns = t->num * 1000000000LL;
	} else if (t->kind == TOK_DECIMAL) {
		const char *s = t->start, *end = t->start + t->len;
		if (*s == '-')
			script_fail(p->ctx, t->loc, "negative time");
		int64_t whole = 0, frac = 0;
		while (s < end && *s != '.') {
			whole = whole * 10 + (*s++ - '0');
			if (whole >= SCRIPT_MAX_TIME_S)
				script_fail(p->ctx, t->loc, "time too large");
		}
		s++; /* '.' */
		int digits = 0;
		for (; s < end; s++, digits++) {
			if (digits == 9)
				script_fail(p->ctx, t->loc,
					    "time has more than 9 decimal places");
			frac = frac * 10 + (*s - '0');
		}
		for (; digits < 9; digits++)
			frac *= 10;
		ns = whole * 1000000000LL + frac;
	} else {
		script_p_unexpected(p, "a time in seconds");
	}
	script_p_advance(p);
	return ns;
}

static bool starts_time(const struct script_parser *p)
{
	const struct script_token *t = &p->tok[0];
	return (t->kind == TOK_INT && !t->hex) || t->kind == TOK_DECIMAL ||
	       script_p_is_punct(p, 0, '+') || script_p_is_punct(p, 0, '*');
}

/* 0.1 | +0.1 | * | 0.9~1.1 | +0~+0.04 */
static struct script_time parse_time(struct script_parser *p)
{
	struct script_time t = {SCRIPT_TIME_ABS, 0, 0};
	if (script_p_is_punct(p, 0, '*')) {
		script_p_advance(p);
		t.kind = SCRIPT_TIME_ANY;
		return t;
	}
	bool rel = script_p_is_punct(p, 0, '+');
	if (rel)
		script_p_advance(p);
	t.kind = rel ? SCRIPT_TIME_REL : SCRIPT_TIME_ABS;
	t.lo_ns = t.hi_ns = time_value(p);
	if (script_p_is_punct(p, 0, '~')) {
		struct script_loc tilde = p->tok[0].loc;
		script_p_advance(p);
		bool rel2 = script_p_is_punct(p, 0, '+');
		if (rel2 != rel)
			script_fail(p->ctx, p->tok[0].loc, rel ?
				    "a relative time range needs '+' on both ends (+lo~+hi)" :
				    "an absolute time range cannot have a '+' end (lo~hi)");
		if (rel2)
			script_p_advance(p);
		t.hi_ns = time_value(p);
		if (t.hi_ns < t.lo_ns)
			script_fail(p->ctx, tilde,
				    "time range is backwards (low end after high end)");
		t.kind = rel ? SCRIPT_TIME_REL_RANGE : SCRIPT_TIME_ABS_RANGE;
	}
	return t;
}

/* ---- header: //! key: value -------------------------------------------- */

/* Fails at `at`, a place inside the header token's text. */
static _Noreturn void header_fail(struct script_parser *p,
				  const struct script_token *t, const char *at,
				  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static _Noreturn void header_fail(struct script_parser *p,
				  const struct script_token *t, const char *at,
				  const char *fmt, ...)
{
	struct script_loc loc = t->loc;
	loc.col += 3 + (int)(at - t->text);
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	script_fail(p->ctx, loc, "%s", msg);
}

static const char *skip_sp(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* a.b.c.d[:port] or port */
static void header_endpoint(struct script_parser *p, const struct script_token *t,
			    const char *v, uint32_t *addr, uint16_t *port)
{
	unsigned a, b, c, d, pt = 0;
	int used = 0;
	size_t n = strlen(v);
	*addr = 0;
	*port = 0;
	if (sscanf(v, "%3u.%3u.%3u.%3u:%5u%n", &a, &b, &c, &d, &pt, &used) == 5 &&
	    (size_t)used == n && pt >= 1 && pt <= 65535) {
	} else if (used = 0, sscanf(v, "%3u.%3u.%3u.%3u%n", &a, &b, &c, &d,
				    &used) == 4 && (size_t)used == n) {
	} else if (used = 0, sscanf(v, "%5u%n", &pt, &used) == 1 &&
		   (size_t)used == n && pt >= 1 && pt <= 65535) {
		*port = (uint16_t)pt;
		return;
	} else {
		header_fail(p, t, v, "malformed endpoint '%s' (expected a.b.c.d[:port] or port)", v);
	}
	if (a > 255 || b > 255 || c > 255 || d > 255)
		header_fail(p, t, v, "malformed endpoint '%s' (expected a.b.c.d[:port] or port)", v);
	*addr = (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
	*port = (uint16_t)pt;
}

static void header_profile(struct script_parser *p, const struct script_token *t,
			   const char *v)
{
	struct script_header *h = &p->script->header;
	char item[64];
	while (*(v = skip_sp(v)) != '\0') {
		const char *start = v;
		size_t n = 0;
		while (*v != '\0' && *v != ' ' && *v != '\t' && *v != ',')
			v++;
		n = (size_t)(v - start);
		if (*v == ',')
			v++;
		if (n >= sizeof(item))
			n = sizeof(item) - 1;
		memcpy(item, start, n);
		item[n] = '\0';
		char *eq = strchr(item, '=');
		const char *val = "on";
		if (eq != NULL) {
			*eq = '\0';
			val = eq + 1;
		}
		enum script_profile_value *slot;
		int beh;
		if (strcmp(item, "rfc5961") == 0)
			slot = &h->rfc5961;
		else if (strcmp(item, "rfc1337") == 0)
			slot = &h->rfc1337;
		else if (strcmp(item, "timewait-recycle") == 0)
			slot = &h->timewait_recycle;
		else if ((beh = script_behaviour_find(item)) >= 0)
			slot = &h->behaviour[beh];
		else
			header_fail(p, t, start,
				    "unknown profile '%s' (known: rfc5961, rfc1337, timewait-recycle, "
				    "synack-params, rfc9293-strict, linux-wire, linux-params, linux-right-edge)",
				    item);
		if (eq == NULL && slot == &h->rfc5961)
			header_fail(p, t, start, "profile item '%s' needs name=on|off", item);
		if (eq == NULL && (slot == &h->rfc1337 || slot == &h->timewait_recycle))
			header_fail(p, t, start, "profile item '%s' needs name=on|off", item);
		if (*slot != SCRIPT_PROFILE_ANY)
			header_fail(p, t, start, "profile '%s' given twice", item);
		if (strcmp(val, "on") == 0)
			*slot = SCRIPT_PROFILE_ON;
		else if (strcmp(val, "off") == 0)
			*slot = SCRIPT_PROFILE_OFF;
		else
			header_fail(p, t, start + (val - item),
				    "profile value '%s' must be 'on' or 'off'", val);
	}
}

static void parse_header_line(struct script_parser *p)
{
	const struct script_token *t = &p->tok[0];
	struct script_header *h = &p->script->header;
	if (p->script->events != NULL)
		script_fail(p->ctx, t->loc,
			    "'//!' header lines must come before the first event");
	if (h->loc.line == 0)
		h->loc = t->loc;
	const char *s = skip_sp(t->text), *key = s;
	while ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')
		s++;
	size_t klen = (size_t)(s - key);
	const char *colon = skip_sp(s);
	if (klen == 0 || *colon != ':')
		header_fail(p, t, colon, "%s", "header line needs 'key: value'");
	const char *v = skip_sp(colon + 1);
	char k[16];
	snprintf(k, sizeof(k), "%.*s", (int)(klen < 15 ? klen : 15), key);
	if (*v == '\0')
		header_fail(p, t, v, "header '%s' has no value", k);
	if (strcmp(k, "rfc") == 0 && klen == 3) {
		if (h->n_rfc == sizeof(h->rfc) / sizeof(h->rfc[0]))
			header_fail(p, t, key, "%s", "too many 'rfc' header lines (limit 8)");
		h->rfc[h->n_rfc++] = v;
	} else if (strcmp(k, "title") == 0 && klen == 5) {
		if (h->title != NULL)
			header_fail(p, t, key, "%s", "'title' given twice");
		h->title = v;
	} else if (strcmp(k, "profile") == 0 && klen == 7) {
		header_profile(p, t, v);
	} else if (strcmp(k, "local") == 0 && klen == 5) {
		if (h->has_local)
			header_fail(p, t, key, "%s", "'local' given twice");
		h->has_local = true;
		header_endpoint(p, t, v, &h->local_addr, &h->local_port);
	} else if (strcmp(k, "remote") == 0 && klen == 6) {
		if (h->has_remote)
			header_fail(p, t, key, "%s", "'remote' given twice");
		h->has_remote = true;
		header_endpoint(p, t, v, &h->remote_addr, &h->remote_port);
	} else {
		char name[40];
		snprintf(name, sizeof(name), "%.*s", (int)(klen < 32 ? klen : 32), key);
		header_fail(p, t, key,
			    "unknown header key '%s' (known: rfc, title, profile, local, remote)",
			    name);
	}
	script_p_advance(p);
}

/* ---- option lines ------------------------------------------------------ */

static void parse_option(struct script_parser *p)
{
	const struct script_token *t = &p->tok[0];
	struct script *s = p->script;
	if (s->events != NULL || s->init_command != NULL)
		script_fail(p->ctx, t->loc,
			    "option lines must come before the first event");
	struct script_option *o = script_alloc(p->ctx, sizeof(*o));
	o->loc = t->loc;
	o->name = t->text;
	o->value = t->value;
	if (strcmp(t->text, "define") == 0) {
		/* --define=NAME=VALUE or -D NAME=VALUE */
		const char *v = t->value ? t->value : "";
		const char *eq = strchr(v, '=');
		bool ok = eq != NULL && eq != v && eq[1] != '\0';
		for (const char *c = v; ok && c < eq; c++)
			ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			     *c == '_' || (c > v && *c >= '0' && *c <= '9');
		if (!ok)
			script_fail(p->ctx, t->loc, "a define needs NAME=VALUE");
		o->is_define = true;
		o->name = script_strndup(p->ctx, v, (size_t)(eq - v));
		o->value = eq + 1;
	}
	struct script_option **tail = &s->options;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = o;
	s->n_options++;
	script_p_advance(p);
}

/* ---- synack statements ------------------------------------------------- */

static void parse_app_action(struct script_parser *p, struct script_event *ev,
			     enum script_app_op op)
{
	struct script_app_action *a = &ev->u.app;
	ev->kind = SCRIPT_EV_APP_ACTION;
	a->op = op;
	const char *name = p->tok[0].text;
	script_p_advance(p);
	switch (op) {
	case SCRIPT_APP_LISTEN:
	case SCRIPT_APP_CONNECT:
		if (!script_p_same_line(p))
			break;
		if (op == SCRIPT_APP_CONNECT && p->tok[0].kind == TOK_ADDR && !p->tok[0].v6) {
			a->has_addr = true;
			a->addr = (uint32_t)p->tok[0].num;
			script_p_advance(p);
			if (!script_p_is_punct(p, 0, ':'))
				break;
			script_p_advance(p);
		} else if (p->tok[0].kind != TOK_INT) {
			break;
		}
		a->has_port = true;
		if (p->tok[0].kind == TOK_INT && p->tok[0].num == 0)
			script_fail(p->ctx, p->tok[0].loc, "port 0 out of range (1..65535)");
		a->port = (uint16_t)script_p_uint(p, 65535, "port");
		break;
	case SCRIPT_APP_SEND:
	case SCRIPT_APP_RECV:
	case SCRIPT_APP_RCVBUF:
		/* recv <=N (1 to N bytes, what arrived) and recv >=N (at least
		 * N): what real reads return (conformance/README.md). */
		if (op == SCRIPT_APP_RECV && script_p_same_line(p) &&
		    (p->tok[0].kind == TOK_LE || p->tok[0].kind == TOK_GE)) {
			a->bytes_cmp = p->tok[0].kind == TOK_LE ? SCRIPT_CMP_LE : SCRIPT_CMP_GE;
			script_p_advance(p);
		}
		if (!script_p_same_line(p) || p->tok[0].kind != TOK_INT) {
			char what[48];
			snprintf(what, sizeof(what), "a byte count after '%s'", name);
			script_p_unexpected(p, what);
		}
		if (a->bytes_cmp == SCRIPT_CMP_LE && p->tok[0].num == 0)
			script_fail(p->ctx, p->tok[0].loc, "recv <=0 reads nothing (write recv 0)");
		a->bytes = (uint32_t)script_p_uint(p, UINT32_MAX, "byte count");
		break;
	case SCRIPT_APP_SHUTDOWN:
		a->shut = SCRIPT_SHUT_WR;
		if (script_p_same_line(p) && p->tok[0].kind == TOK_WORD) {
			const char *w = p->tok[0].text;
			if (strcmp(w, "wr") == 0)
				a->shut = SCRIPT_SHUT_WR;
			else if (strcmp(w, "rd") == 0)
				a->shut = SCRIPT_SHUT_RD;
			else if (strcmp(w, "rdwr") == 0)
				a->shut = SCRIPT_SHUT_RD | SCRIPT_SHUT_WR;
			else
				script_fail(p->ctx, p->tok[0].loc, "shutdown: expected wr, rd or rdwr, not '%.32s'", w);
			script_p_advance(p);
		}
		break;
	case SCRIPT_APP_CLOSE:
	case SCRIPT_APP_ABORT:
		break;
	}
}

static void parse_app_event(struct script_parser *p, struct script_event *ev)
{
	static const char *const names[] = {
		[SCRIPT_APPEV_CONNECTED] = "connected", [SCRIPT_APPEV_ACCEPTED] = "accepted",
		[SCRIPT_APPEV_REFUSED] = "refused", [SCRIPT_APPEV_RESET] = "reset",
		[SCRIPT_APPEV_CLOSED] = "closed", [SCRIPT_APPEV_TIMEOUT] = "timeout",
		[SCRIPT_APPEV_EOF] = "eof", [SCRIPT_APPEV_URGENT] = "urgent",
	};
	ev->kind = SCRIPT_EV_APP_EVENT;
	script_p_advance(p);
	if (p->tok[0].kind != TOK_WORD || !script_p_same_line(p))
		script_p_unexpected(p, "an application event name after 'event'");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i], p->tok[0].text) == 0) {
			ev->u.app_event = (enum script_app_event)i;
			script_p_advance(p);
			return;
		}
	}
	script_fail(p->ctx, p->tok[0].loc,
		    "unknown application event '%.32s' (expected connected, accepted, "
		    "refused, reset, closed, timeout, eof or urgent)", p->tok[0].text);
}

static void parse_state(struct script_parser *p, struct script_event *ev)
{
	ev->kind = SCRIPT_EV_STATE;
	script_p_advance(p);
	if (p->tok[0].kind != TOK_WORD || !script_p_same_line(p))
		script_p_unexpected(p, "a TCP state name after 'state'");
	for (int i = SCRIPT_STATE_CLOSED; i <= SCRIPT_STATE_TIME_WAIT; i++) {
		if (strcmp(script_state_name((enum script_tcp_state)i),
			   p->tok[0].text) == 0) {
			ev->u.state = (enum script_tcp_state)i;
			script_p_advance(p);
			return;
		}
	}
	script_fail(p->ctx, p->tok[0].loc,
		    "unknown TCP state '%.32s' (RFC 9293 names such as SYN-RECEIVED)",
		    p->tok[0].text);
}

static void parse_counter(struct script_parser *p, struct script_event *ev)
{
	struct script_counter_assert *c = &ev->u.counter;
	ev->kind = SCRIPT_EV_COUNTER;
	script_p_advance(p);
	if (p->tok[0].kind != TOK_WORD || !script_p_same_line(p))
		script_p_unexpected(p, "a counter name after 'counter'");
	/* A name may be dotted ("tcp.rst_sent", "TcpExt.TCPChallengeACK"),
	 * written without blanks: the words and dots are joined. */
	const char *from = p->tok[0].start;
	size_t len = p->tok[0].len;
	c->name_loc = p->tok[0].loc;
	script_p_advance(p);
	while (script_p_is_punct(p, 0, '.') && p->tok[0].start == from + len &&
	       p->tok[1].kind == TOK_WORD && p->tok[1].start == p->tok[0].start + 1) {
		len += 1 + p->tok[1].len;
		script_p_advance(p);
		script_p_advance(p);
	}
	c->name = script_strndup(p->ctx, from, len);
	const struct script_token *t = &p->tok[0];
	if (t->kind == TOK_EQEQ)
		c->cmp = SCRIPT_CMP_EQ;
	else if (t->kind == TOK_NE)
		c->cmp = SCRIPT_CMP_NE;
	else if (t->kind == TOK_LE)
		c->cmp = SCRIPT_CMP_LE;
	else if (t->kind == TOK_GE)
		c->cmp = SCRIPT_CMP_GE;
	else if (script_p_is_punct(p, 0, '<'))
		c->cmp = SCRIPT_CMP_LT;
	else if (script_p_is_punct(p, 0, '>'))
		c->cmp = SCRIPT_CMP_GT;
	else
		script_p_unexpected(p, "a comparison (==, !=, <, <=, >, >=)");
	script_p_advance(p);
	c->value = (uint32_t)script_p_uint(p, UINT32_MAX, "counter value");
}

/* ---- events ------------------------------------------------------------ */

/* "a" or "an" before an event kind's name ("an application action"). */
static const char *article(const char *noun)
{
	return noun[0] != '\0' && strchr("aeiou", noun[0]) != NULL ? "an" : "a";
}

static bool time_is_observation(const struct script_event *ev)
{
	return (ev->kind == SCRIPT_EV_PACKET &&
		ev->u.packet.dir == SCRIPT_OUTBOUND) ||
	       ev->kind == SCRIPT_EV_APP_EVENT;
}

static void append_event(struct script_parser *p, struct script_event *ev)
{
	if (p->last_event == NULL)
		p->script->events = ev;
	else
		p->last_event->next = ev;
	p->last_event = ev;
	p->script->n_events++;
}

static void parse_statement(struct script_parser *p, struct script_event *ev)
{
	const struct script_token *t = &p->tok[0];
	if (script_p_is_punct(p, 0, '<')) {
		script_p_advance(p);
		if (script_p_is_word(p, 0, "nothing"))
			script_fail(p->ctx, p->tok[0].loc, "'nothing' follows '>' "
				    "(the DUT sends nothing), not '<'");
		script_parse_packet(p, ev, SCRIPT_INBOUND);
	} else if (script_p_is_punct(p, 0, '>')) {
		script_p_advance(p);
		if (script_p_is_word(p, 0, "nothing")) {
			ev->kind = SCRIPT_EV_NOTHING;
			script_p_advance(p);
		} else {
			script_parse_packet(p, ev, SCRIPT_OUTBOUND);
		}
	} else if (t->kind == TOK_BACKQUOTE) {
		ev->kind = SCRIPT_EV_SHELL;
		ev->u.shell = t->text;
		script_p_advance(p);
	} else if (t->kind == TOK_CODE) {
		ev->kind = SCRIPT_EV_CODE;
		ev->u.code = t->text;
		script_p_advance(p);
	} else if (t->kind == TOK_WORD && script_p_is_punct(p, 1, '(')) {
		script_parse_syscall(p, ev);
	} else if (t->kind == TOK_WORD) {
		static const char *const ops[] = {
			[SCRIPT_APP_LISTEN] = "listen", [SCRIPT_APP_CONNECT] = "connect",
			[SCRIPT_APP_SEND] = "send", [SCRIPT_APP_RECV] = "recv",
			[SCRIPT_APP_CLOSE] = "close", [SCRIPT_APP_ABORT] = "abort",
			[SCRIPT_APP_RCVBUF] = "rcvbuf", [SCRIPT_APP_SHUTDOWN] = "shutdown",
		};
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			if (strcmp(ops[i], t->text) == 0) {
				parse_app_action(p, ev, (enum script_app_op)i);
				return;
			}
		}
		if (strcmp(t->text, "event") == 0)
			parse_app_event(p, ev);
		else if (strcmp(t->text, "state") == 0)
			parse_state(p, ev);
		else if (strcmp(t->text, "counter") == 0)
			parse_counter(p, ev);
		else
			script_fail(p->ctx, t->loc,
				    "unknown statement '%.32s' (not a system call: no '(')",
				    t->text);
	} else {
		script_p_unexpected(p, "a packet, system call, command or statement "
				    "after the time");
	}
}

static void parse_event(struct script_parser *p, int64_t *now_lo)
{
	struct script_event *ev = script_alloc(p->ctx, sizeof(*ev));
	ev->loc = p->tok[0].loc;
	ev->time = parse_time(p);

	/* Times may not run backwards: a lower bound of "now" is kept. */
	if (ev->time.kind == SCRIPT_TIME_ABS || ev->time.kind == SCRIPT_TIME_ABS_RANGE) {
		if (ev->time.lo_ns < *now_lo)
			script_fail(p->ctx, ev->loc,
				    "time goes backwards (earlier than the previous event)");
		*now_lo = ev->time.lo_ns;
	} else if (ev->time.kind == SCRIPT_TIME_REL ||
		   ev->time.kind == SCRIPT_TIME_REL_RANGE) {
		/* Each time is below 10^9 s; so is their sum, or a long enough
		 * run of relative times would overflow 64 bits. */
		if (ev->time.lo_ns >= SCRIPT_MAX_TIME_S * 1000000000LL - *now_lo)
			script_fail(p->ctx, ev->loc, "time too large: the events add up "
				    "to 10^9 s or more");
		*now_lo += ev->time.lo_ns;
	}

	bool has_end = false;
	struct script_loc end_loc = p->tok[0].loc;
	int64_t end_ns = 0;
	if (p->tok[0].kind == TOK_ELLIPSIS) {
		script_p_advance(p);
		has_end = true;
		end_ns = time_value(p);
	}
	parse_statement(p, ev);

	if (has_end) {
		if (ev->kind != SCRIPT_EV_SYSCALL)
			script_fail(p->ctx, end_loc,
				    "'...' end time is allowed only on system calls");
		if (end_ns < ev->time.lo_ns)
			script_fail(p->ctx, end_loc, "end time is before the start time");
		ev->u.syscall.blocking = true;
		ev->u.syscall.end_ns = end_ns;
	}
	const char *kind = script_event_kind_name(ev->kind);
	if (ev->time.kind == SCRIPT_TIME_ANY && !time_is_observation(ev))
		script_fail(p->ctx, ev->loc, "time '*' is allowed only on outbound "
			    "packets and expected events, not on %s %s", article(kind), kind);
	if ((ev->time.kind == SCRIPT_TIME_ABS_RANGE ||
	     ev->time.kind == SCRIPT_TIME_REL_RANGE) && !time_is_observation(ev))
		script_fail(p->ctx, ev->loc, "a time range is allowed only on outbound "
			    "packets and expected events, not on %s %s", article(kind), kind);
	if (p->tok[0].kind != TOK_EOF && p->tok[0].loc.line == p->prev_end_line) {
		char buf[64];
		script_fail(p->ctx, p->tok[0].loc, "unexpected %s after the end of the %s",
			    script_tok_describe(&p->tok[0], buf, sizeof(buf)),
			    script_event_kind_name(ev->kind));
	}
	append_event(p, ev);
}

static void parse_script(struct script_parser *p)
{
	struct script *s = p->script;
	int64_t now_lo = 0;
	for (;;) {
		const struct script_token *t = &p->tok[0];
		if (t->kind == TOK_EOF)
			break;
		if (t->kind == TOK_HEADER) {
			parse_header_line(p);
		} else if (t->kind == TOK_OPTION) {
			parse_option(p);
		} else if (t->kind == TOK_BACKQUOTE) {
			/* A command without a time: packetdrill's init command
			 * (before the events) or cleanup command (after them). */
			struct script_event *ev = script_alloc(p->ctx, sizeof(*ev));
			ev->kind = SCRIPT_EV_SHELL;
			ev->loc = t->loc;
			ev->time.kind = SCRIPT_TIME_NONE;
			ev->u.shell = t->text;
			script_p_advance(p);
			if (s->events == NULL && s->init_command == NULL) {
				s->init_command = ev;
			} else if (s->events != NULL && p->tok[0].kind == TOK_EOF) {
				s->cleanup_command = ev;
			} else {
				script_fail(p->ctx, ev->loc,
					    "a command without a time may only be the "
					    "first (init) or last (cleanup) statement");
			}
		} else if (starts_time(p)) {
			parse_event(p, &now_lo);
		} else {
			script_p_unexpected(p, "a time ('0.1', '+0.1', '*') at the start "
					    "of an event");
		}
	}
	if (s->events == NULL)
		script_fail(p->ctx, p->tok[0].loc, "script has no events");
}

/* Checks the raw bytes before lexing: size, NUL bytes, line length. */
static void check_text(struct script_ctx *ctx, const char *text, size_t len)
{
	if (len > SCRIPT_MAX_BYTES)
		script_fail(ctx, (struct script_loc){1, 1},
			    "script larger than %u bytes", SCRIPT_MAX_BYTES);
	int line = 1;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] == '\0')
			script_fail(ctx, (struct script_loc){line, (int)(i - start) + 1},
				    "NUL byte in script");
		if (i - start > SCRIPT_MAX_LINE)
			script_fail(ctx, (struct script_loc){line, SCRIPT_MAX_LINE + 1},
				    "line longer than %u characters", SCRIPT_MAX_LINE);
		if (i < len && text[i] == '\n') {
			line++;
			start = i + 1;
		}
	}
}

/* Holds the setjmp; everything it touches lives in the caller's frame, so
 * nothing read after a longjmp is a local modified since the setjmp. */
static enum script_status parse_guarded(struct script_ctx *ctx,
					struct script_parser *p,
					const char *text, size_t len,
					const struct script_parse_config *cfg)
{
	if (setjmp(ctx->jmp) != 0)
		return ctx->status;
	check_text(ctx, text, len);
	p->script = script_alloc(ctx, sizeof(struct script));
	p->script->arena_ = ctx->arena;
	p->script->path = script_strndup(ctx, ctx->path, strlen(ctx->path));
	script_lex_init(&p->lx, ctx, text, len);
	if (cfg != NULL) {
		p->lx.cfg_defs = cfg->defines;
		p->lx.n_cfg_defs = cfg->n_defines;
		p->lx.ip_version = cfg->ip_version;
	}
	for (int i = 0; i < 3; i++)
		script_lex_next(&p->lx, &p->tok[i]);
	check_big(p, NULL);
	parse_script(p);
	return SCRIPT_OK;
}

/* Parses `len` bytes of `text`; `path` names it in messages. On success
 * *out owns the script (free with script_free); on failure *out is NULL and
 * err->text reads "path:line:col: message". */
enum script_status script_parse_string(const char *path, const char *text,
				       size_t len, struct script **out,
				       struct script_error *err)
{
	return script_parse_string_cfg(path, text, len, NULL, out, err);
}

enum script_status script_parse_string_cfg(const char *path, const char *text, size_t len,
					   const struct script_parse_config *cfg,
					   struct script **out, struct script_error *err)
{
	struct script_error local;
	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	*out = NULL;
	struct script_ctx ctx = {.path = path, .err = err};
	ctx.arena = script_arena_new();
	if (ctx.arena == NULL) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		snprintf(err->text, sizeof(err->text), "%s: out of memory", path);
		return SCRIPT_ERR_NOMEM;
	}
	struct script_parser p = {.ctx = &ctx};
	enum script_status st = parse_guarded(&ctx, &p, text, len, cfg);
	if (st != SCRIPT_OK) {
		script_arena_free(ctx.arena);
		return st;
	}
	*out = p.script;
	return SCRIPT_OK;
}
