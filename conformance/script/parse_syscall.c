/*
 * parse_syscall.c - strace-style system calls and their argument
 * expressions, called from parser.c when a word is followed by '('.
 *
 *   syscall := NAME '(' [expr {',' expr}] ')' '=' result [ERRNO] ['(' note ')']
 *              ERRNO is one of Linux's errno names (ERRNO_NAMES below)
 *   expr    := primary {'|' primary}
 *   primary := '...' | INT | STRING {STRING} ['...'] | '[' list ']' |
 *              '{' list '}' | WORD ['(' list ')'] ['=' expr]
 *
 * Expressions stay generic (packetdrill has one grammar rule per C struct;
 * here `{sa_family=AF_INET, sin_port=htons(8080)}` is a STRUCT of ASSIGNs
 * whose values are words, numbers or calls) so that the runner, not the
 * parser, decides which calls and structures a DUT adapter understands.
 * Nesting and list length are bounded (SCRIPT_MAX_NESTING, SCRIPT_MAX_LIST).
 */
#include <stdlib.h>
#include <string.h>

#include "script_internal.h"

static struct script_expr *parse_expr(struct script_parser *p, bool calls);

static struct script_expr *new_expr(struct script_parser *p,
				    enum script_expr_kind kind)
{
	struct script_expr *e = script_alloc(p->ctx, sizeof(*e));
	e->kind = kind;
	e->loc = p->tok[0].loc;
	return e;
}

/* Items up to `close`, separated by commas; the opener is consumed already.
 * When the list is not closed the error points at the opener. */
static void parse_items(struct script_parser *p, struct script_expr *parent,
			char close, struct script_loc open)
{
	struct script_expr **tail = &parent->child;
	if (script_p_is_punct(p, 0, close)) {
		script_p_advance(p);
		return;
	}
	for (;;) {
		if (parent->n_children == SCRIPT_MAX_LIST)
			script_fail(p->ctx, p->tok[0].loc, "more than %u items in a list",
				    SCRIPT_MAX_LIST);
		struct script_expr *e = parse_expr(p, true);
		*tail = e;
		tail = &e->next;
		parent->n_children++;
		if (script_p_is_punct(p, 0, ',')) {
			script_p_advance(p);
			continue;
		}
		if (script_p_is_punct(p, 0, close)) {
			script_p_advance(p);
			return;
		}
		if (p->tok[0].kind == TOK_EOF || p->tok[0].loc.line > p->prev_end_line)
			script_fail(p->ctx, open, "unclosed '%c' (no matching '%c')",
				    close == ')' ? '(' : close == ']' ? '[' : '{', close);
		char what[32];
		snprintf(what, sizeof(what), "',' or '%c'", close);
		script_p_unexpected(p, what);
	}
}

static void enter(struct script_parser *p)
{
	if (++p->depth > (int)SCRIPT_MAX_NESTING)
		script_fail(p->ctx, p->tok[0].loc, "expression nested deeper than %u",
			    SCRIPT_MAX_NESTING);
}

static bool is_member(const struct script_expr *c, const char *name)
{
	return c != NULL && c->kind == SCRIPT_EXPR_ASSIGN && c->lhs != NULL && c->lhs->text != NULL &&
	       strcmp(c->lhs->text, name) == 0;
}

/* packetdrill's scm_timestamping data has one form only,
 * {scm_sec=INTEGER,scm_nsec=INTEGER} (its parser.y): anything else that
 * names either member is an input error here, as it is there. */
static void check_scm_timestamping(struct script_parser *p, const struct script_expr *e)
{
	bool named = false;
	for (const struct script_expr *c = e->child; c; c = c->next)
		named |= is_member(c, "scm_sec") || is_member(c, "scm_nsec");
	if (!named)
		return;
	const struct script_expr *a = e->child, *b = a ? a->next : NULL;
	bool ok = e->n_children == 2 && is_member(a, "scm_sec") && is_member(b, "scm_nsec") &&
		  a->rhs->kind == SCRIPT_EXPR_INT && b->rhs->kind == SCRIPT_EXPR_INT && a->rhs->num >= 0 &&
		  b->rhs->num >= 0 && b->rhs->num < 1000000000;
	if (!ok)
		script_fail(p->ctx, e->loc, "scm_timestamping: expected {scm_sec=SECONDS,scm_nsec=NANOSECONDS} "
			    "(integers, nanoseconds below 1000000000)");
}

static struct script_expr *parse_primary(struct script_parser *p, bool calls)
{
	const struct script_token *t = &p->tok[0];
	struct script_expr *e;
	switch (t->kind) {
	case TOK_ELLIPSIS:
		e = new_expr(p, SCRIPT_EXPR_ELLIPSIS);
		script_p_advance(p);
		return e;
	case TOK_INT:
		e = new_expr(p, SCRIPT_EXPR_INT);
		e->num = t->num;
		e->hex = t->hex;
		script_p_advance(p);
		return e;
	case TOK_STRING: {
		/* Adjacent strings concatenate, as in C and packetdrill. */
		e = new_expr(p, SCRIPT_EXPR_STRING);
		/* Capacity doubles, so the arena holds O(total) bytes. */
		char *text = script_alloc(p->ctx, 16);
		size_t have = 0, cap = 16;
		while (p->tok[0].kind == TOK_STRING) {
			size_t add = strlen(p->tok[0].text);
			if (have + add + 1 > cap) {
				while (have + add + 1 > cap)
					cap *= 2;
				char *grown = script_alloc(p->ctx, cap);
				memcpy(grown, text, have);
				text = grown;
			}
			memcpy(text + have, p->tok[0].text, add + 1);
			have += add;
			script_p_advance(p);
		}
		e->text = text;
		if (p->tok[0].kind == TOK_ELLIPSIS) {
			e->with_ellipsis = true;
			script_p_advance(p);
		}
		return e;
	}
	case TOK_PUNCT:
		if (t->ch == '[' || t->ch == '{') {
			char close = t->ch == '[' ? ']' : '}';
			e = new_expr(p, close == ']' ? SCRIPT_EXPR_LIST : SCRIPT_EXPR_STRUCT);
			enter(p);
			script_p_advance(p);
			parse_items(p, e, close, e->loc);
			p->depth--;
			if (close == '}')
				check_scm_timestamping(p, e);
			return e;
		}
		break;
	case TOK_WORD:
		e = new_expr(p, SCRIPT_EXPR_WORD);
		e->text = t->text;
		script_p_advance(p);
		if (calls && script_p_is_punct(p, 0, '(')) {
			e->kind = SCRIPT_EXPR_CALL;
			struct script_loc open = p->tok[0].loc;
			enter(p);
			script_p_advance(p);
			parse_items(p, e, ')', open);
			p->depth--;
		}
		if (calls && script_p_is_punct(p, 0, '=')) {
			struct script_expr *a = new_expr(p, SCRIPT_EXPR_ASSIGN);
			a->loc = e->loc;
			script_p_advance(p);
			a->lhs = e;
			enter(p);
			a->rhs = parse_expr(p, true);
			p->depth--;
			return a;
		}
		return e;
	case TOK_EOF:
	case TOK_DECIMAL:
	case TOK_BACKQUOTE:
	case TOK_CODE:
	case TOK_OPTION:
	case TOK_HEADER:
	case TOK_ADDR:
	case TOK_EQEQ:
	case TOK_NE:
	case TOK_LE:
	case TOK_GE:
		break;
	}
	script_p_unexpected(p, "an expression (number, name, \"string\", ..., [list] "
			    "or {struct})");
}

static struct script_expr *parse_expr(struct script_parser *p, bool calls)
{
	struct script_expr *e = parse_primary(p, calls);
	while (script_p_is_punct(p, 0, '|')) {
		struct script_expr *o = new_expr(p, SCRIPT_EXPR_OR);
		o->loc = e->loc;
		script_p_advance(p);
		o->lhs = e;
		o->rhs = parse_primary(p, calls);
		e = o;
	}
	return e;
}

/* The errno names an strace line can show after the result: Linux's
 * (include/uapi/asm-generic/errno-base.h and errno.h), with the aliases
 * glibc defines (EWOULDBLOCK, EDEADLOCK, ENOTSUP). Sorted for bsearch. */
static const char *const ERRNO_NAMES[] = {
	"E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EADV", "EAFNOSUPPORT", "EAGAIN", "EALREADY",
	"EBADE", "EBADF", "EBADFD", "EBADMSG", "EBADR", "EBADRQC", "EBADSLT", "EBFONT", "EBUSY",
	"ECANCELED", "ECHILD", "ECHRNG", "ECOMM", "ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDEADLK",
	"EDEADLOCK", "EDESTADDRREQ", "EDOM", "EDOTDOT", "EDQUOT", "EEXIST", "EFAULT", "EFBIG",
	"EHOSTDOWN", "EHOSTUNREACH", "EHWPOISON", "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL",
	"EIO", "EISCONN", "EISDIR", "EISNAM", "EKEYEXPIRED", "EKEYREJECTED", "EKEYREVOKED", "EL2HLT",
	"EL2NSYNC", "EL3HLT", "EL3RST", "ELIBACC", "ELIBBAD", "ELIBEXEC", "ELIBMAX", "ELIBSCN", "ELNRNG",
	"ELOOP", "EMEDIUMTYPE", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP", "ENAMETOOLONG", "ENAVAIL",
	"ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOANO", "ENOBUFS", "ENOCSI", "ENODATA",
	"ENODEV", "ENOENT", "ENOEXEC", "ENOKEY", "ENOLCK", "ENOLINK", "ENOMEDIUM", "ENOMEM", "ENOMSG",
	"ENONET", "ENOPKG", "ENOPROTOOPT", "ENOSPC", "ENOSR", "ENOSTR", "ENOSYS", "ENOTBLK", "ENOTCONN",
	"ENOTDIR", "ENOTEMPTY", "ENOTNAM", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP", "ENOTTY",
	"ENOTUNIQ", "ENXIO", "EOPNOTSUPP", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPFNOSUPPORT", "EPIPE",
	"EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EREMCHG", "EREMOTE", "EREMOTEIO",
	"ERESTART", "ERFKILL", "EROFS", "ESHUTDOWN", "ESOCKTNOSUPPORT", "ESPIPE", "ESRCH", "ESRMNT",
	"ESTALE", "ESTRPIPE", "ETIME", "ETIMEDOUT", "ETOOMANYREFS", "ETXTBSY", "EUCLEAN", "EUNATCH",
	"EUSERS", "EWOULDBLOCK", "EXDEV", "EXFULL",
};

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool script_errno_known(const char *name)
{
	return bsearch(name, ERRNO_NAMES, sizeof(ERRNO_NAMES) / sizeof(ERRNO_NAMES[0]),
		       sizeof(ERRNO_NAMES[0]), cmp_name) != NULL;
}

void script_parse_syscall(struct script_parser *p, struct script_event *ev)
{
	struct script_syscall *sc = &ev->u.syscall;
	ev->kind = SCRIPT_EV_SYSCALL;
	sc->name = p->tok[0].text;
	script_p_advance(p);
	struct script_expr args = {.kind = SCRIPT_EXPR_CALL};
	struct script_loc open = p->tok[0].loc;
	p->depth = 1;
	script_p_advance(p); /* '(' */
	parse_items(p, &args, ')', open);
	p->depth = 0;
	sc->args = args.child;
	sc->n_args = args.n_children;

	if (!script_p_is_punct(p, 0, '=') || !script_p_same_line(p)) {
		char what[96];
		snprintf(what, sizeof(what), "'=' and the expected return value after "
			 "'%.32s(...)'", sc->name);
		script_p_unexpected(p, what);
	}
	script_p_advance(p);
	if (!script_p_same_line(p))
		script_p_unexpected(p, "the expected return value after '='");
	sc->result = parse_expr(p, false);

	if (p->tok[0].kind == TOK_WORD && script_p_same_line(p)) {
		if (!script_errno_known(p->tok[0].text))
			script_fail(p->ctx, p->tok[0].loc, "unknown errno name '%.32s' (expected a "
				    "Linux name such as ECONNREFUSED or EINPROGRESS)", p->tok[0].text);
		sc->errno_name = p->tok[0].text;
		script_p_advance(p);
	}
	if (script_p_is_punct(p, 0, '(') && script_p_same_line(p)) {
		/* The note is free text; keep it as written. */
		struct script_loc at = p->tok[0].loc;
		script_p_advance(p);
		const char *from = p->tok[0].start, *to = from;
		int level = 0;
		while (level > 0 || !script_p_is_punct(p, 0, ')')) {
			if (p->tok[0].kind == TOK_EOF || p->tok[0].loc.line != at.line)
				script_fail(p->ctx, at, "unclosed '(' in the note after "
					    "the return value");
			if (script_p_is_punct(p, 0, '('))
				level++;
			else if (script_p_is_punct(p, 0, ')'))
				level--;
			to = p->tok[0].start + p->tok[0].len;
			script_p_advance(p);
		}
		script_p_advance(p);
		sc->note = script_strndup(p->ctx, from, (size_t)(to - from));
	}
}
