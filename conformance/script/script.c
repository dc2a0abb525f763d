/*
 * script.c - memory and error plumbing for the script engine, reading a
 * script from a file, freeing it, and the names of the AST's enums.
 *
 * A parsed script lives in one arena (a list of chunks): the parser
 * allocates nodes from it with script_alloc(), script_free() drops it whole.
 * script_fail() is the single exit for every parse error: it formats
 * `file:line:col: message` into the caller's script_error and longjmps to
 * the setjmp in script_parse_string() (parser.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_internal.h"

#define CHUNK_MIN 16384u

struct chunk {
	struct chunk *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

struct script_arena {
	struct chunk *head;
};

struct script_arena *script_arena_new(void)
{
	return calloc(1, sizeof(struct script_arena));
}

void script_arena_free(struct script_arena *arena)
{
	if (arena == NULL)
		return;
	struct chunk *c = arena->head;
	while (c != NULL) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(arena);
}

/* Returns zeroed memory aligned for any type, or NULL when out of memory. */
void *script_arena_alloc(struct script_arena *arena, size_t size)
{
	const size_t align = sizeof(max_align_t);
	size = (size + align - 1) / align * align;
	struct chunk *c = arena->head;
	if (c == NULL || c->cap - c->used < size) {
		size_t cap = size > CHUNK_MIN ? size : CHUNK_MIN;
		c = malloc(sizeof(struct chunk) + cap);
		if (c == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = arena->head;
		arena->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

/* Records the first error of a parse and unwinds to script_parse_string(). */
_Noreturn void script_fail(struct script_ctx *ctx, struct script_loc loc,
			   const char *fmt, ...)
{
	struct script_error *e = ctx->err;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	e->loc = loc;
	snprintf(e->text, sizeof(e->text), "%s:%d:%d: %s", ctx->path, loc.line,
		 loc.col, e->message);
	if (ctx->status == SCRIPT_OK)
		ctx->status = SCRIPT_ERR_PARSE;
	longjmp(ctx->jmp, 1);
}

_Noreturn void script_fail_nomem(struct script_ctx *ctx)
{
	ctx->status = SCRIPT_ERR_NOMEM;
	script_fail(ctx, (struct script_loc){0, 0}, "out of memory");
}

void *script_alloc(struct script_ctx *ctx, size_t size)
{
	void *p = script_arena_alloc(ctx->arena, size);
	if (p == NULL)
		script_fail_nomem(ctx);
	return p;
}

char *script_strndup(struct script_ctx *ctx, const char *s, size_t n)
{
	char *d = script_alloc(ctx, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void script_free(struct script *script)
{
	if (script != NULL)
		script_arena_free(script->arena_);
}

static void io_error(struct script_error *err, const char *path,
		     const char *what)
{
	err->loc = (struct script_loc){0, 0};
	snprintf(err->message, sizeof(err->message), "%s", what);
	snprintf(err->text, sizeof(err->text), "%s: %s", path, what);
}

/* Reads the whole file (bounded by SCRIPT_MAX_BYTES) and parses it. */
enum script_status script_parse_file(const char *path, struct script **out,
				     struct script_error *err)
{
	return script_parse_file_cfg(path, NULL, out, err);
}

const char *script_ip_version(const struct script *s)
{
	const char *v = "ipv4";
	for (const struct script_option *o = s->options; o != NULL; o = o->next)
		if (!o->is_define && strcmp(o->name, "ip_version") == 0 && o->value != NULL)
			v = o->value;
	return v;
}

enum script_status script_parse_file_cfg(const char *path, const struct script_parse_config *cfg,
					 struct script **out, struct script_error *err)
{
	*out = NULL;
	memset(err, 0, sizeof(*err));
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		char msg[200];
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
		io_error(err, path, msg);
		return SCRIPT_ERR_IO;
	}
	char *buf = malloc(SCRIPT_MAX_BYTES + 1);
	if (buf == NULL) {
		fclose(f);
		io_error(err, path, "out of memory");
		return SCRIPT_ERR_NOMEM;
	}
	size_t n = fread(buf, 1, SCRIPT_MAX_BYTES + 1, f);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad) {
		free(buf);
		io_error(err, path, "read error");
		return SCRIPT_ERR_IO;
	}
	enum script_status st = script_parse_string_cfg(path, buf, n, cfg, out, err);
	free(buf);
	return st;
}

const char *script_event_kind_name(enum script_event_kind kind)
{
	switch (kind) {
	case SCRIPT_EV_PACKET: return "packet";
	case SCRIPT_EV_SYSCALL: return "system call";
	case SCRIPT_EV_SHELL: return "shell command";
	case SCRIPT_EV_CODE: return "code block";
	case SCRIPT_EV_NOTHING: return "nothing assertion";
	case SCRIPT_EV_APP_ACTION: return "application action";
	case SCRIPT_EV_APP_EVENT: return "application event";
	case SCRIPT_EV_STATE: return "state assertion";
	case SCRIPT_EV_COUNTER: return "counter assertion";
	}
	return "?";
}

const char *script_state_name(enum script_tcp_state state)
{
	switch (state) {
	case SCRIPT_STATE_CLOSED: return "CLOSED";
	case SCRIPT_STATE_LISTEN: return "LISTEN";
	case SCRIPT_STATE_SYN_SENT: return "SYN-SENT";
	case SCRIPT_STATE_SYN_RECEIVED: return "SYN-RECEIVED";
	case SCRIPT_STATE_ESTABLISHED: return "ESTABLISHED";
	case SCRIPT_STATE_FIN_WAIT_1: return "FIN-WAIT-1";
	case SCRIPT_STATE_FIN_WAIT_2: return "FIN-WAIT-2";
	case SCRIPT_STATE_CLOSE_WAIT: return "CLOSE-WAIT";
	case SCRIPT_STATE_CLOSING: return "CLOSING";
	case SCRIPT_STATE_LAST_ACK: return "LAST-ACK";
	case SCRIPT_STATE_TIME_WAIT: return "TIME-WAIT";
	}
	return "?";
}

const char *script_app_op_name(enum script_app_op op)
{
	switch (op) {
	case SCRIPT_APP_LISTEN: return "listen";
	case SCRIPT_APP_CONNECT: return "connect";
	case SCRIPT_APP_SEND: return "send";
	case SCRIPT_APP_RECV: return "recv";
	case SCRIPT_APP_CLOSE: return "close";
	case SCRIPT_APP_ABORT: return "abort";
	case SCRIPT_APP_RCVBUF: return "rcvbuf";
	case SCRIPT_APP_SHUTDOWN: return "shutdown";
	}
	return "?";
}

const char *script_app_event_name(enum script_app_event ev)
{
	switch (ev) {
	case SCRIPT_APPEV_CONNECTED: return "connected";
	case SCRIPT_APPEV_ACCEPTED: return "accepted";
	case SCRIPT_APPEV_REFUSED: return "refused";
	case SCRIPT_APPEV_RESET: return "reset";
	case SCRIPT_APPEV_CLOSED: return "closed";
	case SCRIPT_APPEV_TIMEOUT: return "timeout";
	case SCRIPT_APPEV_EOF: return "eof";
	case SCRIPT_APPEV_URGENT: return "urgent";
	}
	return "?";
}

const char *script_cmp_name(enum script_cmp cmp)
{
	switch (cmp) {
	case SCRIPT_CMP_EQ: return "==";
	case SCRIPT_CMP_NE: return "!=";
	case SCRIPT_CMP_LT: return "<";
	case SCRIPT_CMP_LE: return "<=";
	case SCRIPT_CMP_GT: return ">";
	case SCRIPT_CMP_GE: return ">=";
	}
	return "?";
}

const char *const script_behaviour_names[SCRIPT_BEH_COUNT] = {
	[SCRIPT_BEH_SYNACK_PARAMS] = "synack-params",
	[SCRIPT_BEH_RFC9293_STRICT] = "rfc9293-strict",
	[SCRIPT_BEH_LINUX_WIRE] = "linux-wire",
	[SCRIPT_BEH_LINUX_PARAMS] = "linux-params",
	[SCRIPT_BEH_LINUX_RIGHT_EDGE] = "linux-right-edge",
};

const char *const script_behaviour_reasons[SCRIPT_BEH_COUNT] = {
	[SCRIPT_BEH_SYNACK_PARAMS] = "numbers from our stack's configuration: RCV.WND 1024, RTO 1 s, "
				     "2 MSL 60 s, challenge-ACK limit, its SYN options",
	[SCRIPT_BEH_RFC9293_STRICT] = "RFC 9293 behaviour where Linux deviates",
	[SCRIPT_BEH_LINUX_WIRE] = "Linux's exact SYN options and window",
	[SCRIPT_BEH_LINUX_PARAMS] = "numbers from Linux's configuration: RCV.WND 64240 for the suites' peer, 1152 with the smallest receive buffer",
	/* RFC 9293 §3.10.7.4: a segment of no length is acceptable if
	 * RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND; Linux's tcp_sequence() and
	 * tcp_in_window() also accept SEG.SEQ = RCV.NXT+RCV.WND. */
	[SCRIPT_BEH_LINUX_RIGHT_EDGE] = "Linux takes a segment of no length at RCV.NXT+RCV.WND as inside the window",
};

int script_behaviour_find(const char *name)
{
	for (int i = 0; i < (int)SCRIPT_BEH_COUNT; i++)
		if (strcmp(name, script_behaviour_names[i]) == 0)
			return i;
	return -1;
}
