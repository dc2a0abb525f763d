/*
 * script_internal.h - what the lexer, the parsers and the printer share, and
 * nothing a consumer of script.h needs.
 *
 * Error handling: a parse is one setjmp in script_parse_string(); every
 * error (syntax, range, allocation) is reported once through script_fail(),
 * which formats `file:line:col: message` and longjmps back. Because every
 * node lives in the script's arena, the unwinding frees everything by
 * dropping the arena, and no grammar function needs a cleanup path.
 */
#ifndef SYNACK_SCRIPT_INTERNAL_H
#define SYNACK_SCRIPT_INTERNAL_H

#include <setjmp.h>
#include <stdarg.h>

#include "script.h"

/* ---- arena ------------------------------------------------------------ */

struct script_arena;
struct script_arena *script_arena_new(void);
void script_arena_free(struct script_arena *arena);
void *script_arena_alloc(struct script_arena *arena, size_t size); /* zeroed */

/* ---- parse context ---------------------------------------------------- */

struct script_ctx {
	jmp_buf jmp;
	const char *path;
	struct script_error *err;
	struct script_arena *arena;
	enum script_status status;
};

_Noreturn void script_fail(struct script_ctx *ctx, struct script_loc loc,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void script_fail_nomem(struct script_ctx *ctx);
void *script_alloc(struct script_ctx *ctx, size_t size);
char *script_strndup(struct script_ctx *ctx, const char *s, size_t n);

/* ---- tokens ----------------------------------------------------------- */

enum script_tok {
	TOK_EOF,
	TOK_INT,        /* 12, -1, 0x1f: value in .num */
	TOK_DECIMAL,    /* 0.100, .04: text only (times) */
	TOK_WORD,       /* [A-Za-z_][A-Za-z0-9_]*, inner '-' allowed (SYN-SENT) */
	TOK_STRING,     /* "..." unescaped into .text */
	TOK_BACKQUOTE,  /* `...` content in .text */
	TOK_CODE,       /* %{ ... }% trimmed content in .text */
	TOK_OPTION,     /* --name[=value] or -D NAME=VALUE at line start */
	TOK_HEADER,     /* //! ... content in .text */
	TOK_ADDR,       /* a.b.c.d: value in .num; with .v6 an IPv6 address in .addr6 */
	TOK_ELLIPSIS,   /* ... */
	TOK_EQEQ,       /* == */
	TOK_NE,         /* != */
	TOK_LE,         /* <= */
	TOK_GE,         /* >= */
	TOK_PUNCT,      /* one character in .ch */
};

struct script_token {
	enum script_tok kind;
	struct script_loc loc;
	int end_line;        /* line of the token's last character */
	const char *start;   /* span in the source */
	size_t len;
	int64_t num;
	bool hex;
	char ch;
	const char *text;    /* arena copy for STRING/BACKQUOTE/CODE/HEADER/OPTION */
	const char *value;   /* OPTION: text after '=' or NULL */
	bool short_define;   /* OPTION written as -D */
	bool big;            /* INT: decimal digits past 63 bits (a hex blob only) */
	bool subst;          /* WORD/INT/STRING/BACKQUOTE: a define's value */
	bool v6;             /* ADDR: an IPv6 address */
	uint8_t addr6[16];   /* ADDR with v6 */
};

struct script_lexer {
	struct script_ctx *ctx;
	const char *src;
	size_t len;
	size_t pos;
	int line;
	size_t line_start;
	/* Defines: the caller's (they win), then the script's own --define
	 * lines, registered as the lexer meets them. */
	const struct script_define *cfg_defs;
	size_t n_cfg_defs;
	struct script_define *own_defs;
	size_t n_own_defs, cap_own_defs;
	struct script_loc ifdef_at;  /* line of an open #ifdef, {0,0} when none */
	const char *ip_version;      /* the caller's, or NULL */
};

/* The value of define `name` (the caller's first): true when defined,
 * *value NULL when defined without a value. */
bool script_lex_defined(const struct script_lexer *lx, const char *name, size_t n,
			const char **value);

void script_lex_init(struct script_lexer *lx, struct script_ctx *ctx,
		     const char *src, size_t len);
void script_lex_next(struct script_lexer *lx, struct script_token *tok);
const char *script_tok_describe(const struct script_token *tok, char *buf,
				size_t size);

/* ---- parser state ----------------------------------------------------- */

struct script_parser {
	struct script_ctx *ctx;
	struct script_lexer lx;
	struct script_token tok[3];  /* tok[0] current, then lookahead */
	int prev_end_line;           /* last line of the last consumed token */
	struct script *script;
	struct script_event *last_event;
	int depth;                   /* expression nesting */
};

void script_p_advance(struct script_parser *p);
bool script_p_is_punct(const struct script_parser *p, int k, char c);
bool script_p_is_word(const struct script_parser *p, int k, const char *w);
void script_p_expect_punct(struct script_parser *p, char c, const char *what);
_Noreturn void script_p_unexpected(struct script_parser *p, const char *what);
uint64_t script_p_uint(struct script_parser *p, uint64_t max,
		       const char *what);
bool script_p_same_line(const struct script_parser *p);

/* parse_packet.c: after the direction token has been consumed. */
void script_parse_packet(struct script_parser *p, struct script_event *ev,
			 enum script_direction dir);
/* parse_syscall.c: at the call's name. */
void script_parse_syscall(struct script_parser *p, struct script_event *ev);

/* ---- printing --------------------------------------------------------- */

struct script_buf {
	char *data;
	size_t len, cap;
	bool failed;
	bool wrap;   /* one item per line: an event too long for one line */
};

void script_buf_printf(struct script_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void script_buf_dump_event(struct script_buf *b, const struct script_event *ev);

#endif /* SYNACK_SCRIPT_INTERNAL_H */
