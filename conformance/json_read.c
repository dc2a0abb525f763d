/*
 * json_read.c - the recursive-descent JSON reader (json_read.h).
 *
 *   json_parse -> value -> object | array | string | number | literal
 *
 * Each node is one allocation plus its string; json_free walks the tree.
 */
#include "json_read.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct parser {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errcap;
	bool failed;
};

static void fail(struct parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errcap, "offset %zu: %s", p->pos, what);
	p->failed = true;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) != NULL && p->s[p->pos] != '\0')
		p->pos++;
}

static struct json_value *node(struct parser *p, enum json_type t)
{
	struct json_value *v = calloc(1, sizeof *v);
	if (v == NULL)
		fail(p, "out of memory");
	else
		v->type = t;
	return v;
}

static int hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		if (p->pos >= p->len) {
			fail(p, "unterminated \\u escape");
			return -1;
		}
		char c = p->s[p->pos++];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0) {
			fail(p, "bad \\u escape");
			return -1;
		}
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xC0 | cp >> 6);
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xE0 | cp >> 12);
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*n)++] = (char)(0xF0 | cp >> 18);
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

/* A string at p->pos (the opening quote); returns it allocated. */
static char *string(struct parser *p)
{
	size_t start = ++p->pos, n = 0;
	/* Escapes only shrink (\uXXXX is 6 bytes for at most 4), so the raw
	 * length bounds the result. */
	size_t end = start;
	while (end < p->len && p->s[end] != '"') {
		if (p->s[end] == '\\')
			end++;
		end++;
	}
	if (end >= p->len) {
		fail(p, "unterminated string");
		return NULL;
	}
	char *out = malloc(end - start + 1);
	if (out == NULL) {
		fail(p, "out of memory");
		return NULL;
	}
	while (p->pos < end) {
		unsigned char c = (unsigned char)p->s[p->pos++];
		if (c < 0x20) {
			fail(p, "control character in a string");
			free(out);
			return NULL;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		char e = p->s[p->pos++];
		unsigned cp;
		switch (e) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			if (hex4(p, &cp) != 0) {
				free(out);
				return NULL;
			}
			if (cp >= 0xD800 && cp < 0xDC00 && p->pos + 6 <= end && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
				unsigned lo;
				p->pos += 2;
				if (hex4(p, &lo) != 0) {
					free(out);
					return NULL;
				}
				cp = lo >= 0xDC00 && lo < 0xE000 ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) : 0xFFFD;
			} else if (cp >= 0xD800 && cp < 0xE000) {
				cp = 0xFFFD;
			}
			put_utf8(out, &n, cp);
			break;
		default:
			fail(p, "bad escape in a string");
			free(out);
			return NULL;
		}
	}
	p->pos = end + 1;
	out[n] = '\0';
	return out;
}

static struct json_value *value(struct parser *p, int depth);

static struct json_value *container(struct parser *p, int depth, bool object)
{
	struct json_value *v = node(p, object ? JSON_OBJECT : JSON_ARRAY), **tail;
	if (v == NULL)
		return NULL;
	tail = &v->child;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == (object ? '}' : ']')) {
		p->pos++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				fail(p, "expected a member name");
				break;
			}
			if ((key = string(p)) == NULL)
				break;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				fail(p, "expected ':'");
				break;
			}
			p->pos++;
		}
		struct json_value *e = value(p, depth + 1);
		if (e == NULL) {
			free(key);
			break;
		}
		e->key = key;
		*tail = e;
		tail = &e->next;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == (object ? '}' : ']')) {
			p->pos++;
			return v;
		}
		fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	json_free(v);
	return NULL;
}

static struct json_value *number(struct parser *p)
{
	size_t start = p->pos;
	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	size_t digits = p->pos;
	while (p->pos < p->len && strchr("0123456789", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
	if (p->pos == digits) {
		fail(p, "unexpected character");
		return NULL;
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		while (p->pos < p->len && strchr("0123456789", p->s[p->pos]) && p->s[p->pos])
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		while (p->pos < p->len && strchr("0123456789", p->s[p->pos]) && p->s[p->pos])
			p->pos++;
	}
	struct json_value *v = node(p, JSON_NUMBER);
	if (v == NULL)
		return NULL;
	v->str = malloc(p->pos - start + 1);
	if (v->str == NULL) {
		free(v);
		fail(p, "out of memory");
		return NULL;
	}
	memcpy(v->str, p->s + start, p->pos - start);
	v->str[p->pos - start] = '\0';
	v->num = strtod(v->str, NULL);
	return v;
}

static struct json_value *value(struct parser *p, int depth)
{
	skip_ws(p);
	if (depth > MAX_DEPTH) {
		fail(p, "nested too deeply");
		return NULL;
	}
	if (p->pos >= p->len) {
		fail(p, "unexpected end of input");
		return NULL;
	}
	char c = p->s[p->pos];
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		char *s = string(p);
		struct json_value *v = s ? node(p, JSON_STRING) : NULL;
		if (v == NULL)
			free(s);
		else
			v->str = s;
		return v;
	}
	static const struct {
		const char *w;
		enum json_type t;
		bool b;
	} LIT[] = {{"true", JSON_BOOL, true}, {"false", JSON_BOOL, false}, {"null", JSON_NULL, false}};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(LIT[i].w);
		if (p->len - p->pos >= n && memcmp(p->s + p->pos, LIT[i].w, n) == 0) {
			p->pos += n;
			struct json_value *v = node(p, LIT[i].t);
			if (v)
				v->b = LIT[i].b;
			return v;
		}
	}
	return number(p);
}

struct json_value *json_parse(const char *text, size_t len, char *err, size_t errcap)
{
	struct parser p = {text, len, 0, err, errcap, false};
	struct json_value *v = value(&p, 0);
	if (v != NULL) {
		skip_ws(&p);
		if (p.pos != len) {
			fail(&p, "trailing characters after the value");
			json_free(v);
			v = NULL;
		}
	}
	return v;
}

void json_free(struct json_value *v)
{
	while (v != NULL) {
		struct json_value *next = v->next;
		json_free(v->child);
		free(v->str);
		free(v->key);
		free(v);
		v = next;
	}
}

const struct json_value *json_get(const struct json_value *v, const char *key)
{
	if (v == NULL || v->type != JSON_OBJECT)
		return NULL;
	for (const struct json_value *m = v->child; m != NULL; m = m->next)
		if (m->key != NULL && strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const char *json_string(const struct json_value *v)
{
	return v != NULL && v->type == JSON_STRING ? v->str : NULL;
}

bool json_true(const struct json_value *v)
{
	return v != NULL && v->type == JSON_BOOL && v->b;
}

double json_number(const struct json_value *v, double dflt)
{
	return v != NULL && v->type == JSON_NUMBER ? v->num : dflt;
}
