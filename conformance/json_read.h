/*
 * json_read.h - a small JSON reader for the CLI's own files: the
 * verification records `synack verify` writes and `synack flash` checks,
 * and the JSON lines `synack run --json` prints, which verify reads back.
 *
 *   struct json_value *v = json_parse(text, len, err, sizeof err);
 *   json_get(v, "passed") -> json_bool(...) ... json_free(v);
 *
 * RFC 8259 values: objects, arrays, strings (with \u escapes, UTF-8 out),
 * numbers (kept as double and as the text), true, false, null. Nesting is
 * bounded (64) and every error names the byte offset, so a damaged record
 * is an error with a place, never a crash.
 */
#ifndef CLI_JSON_READ_H
#define CLI_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	bool b;
	double num;
	char *str;                 /* JSON_STRING: the text; JSON_NUMBER: as written */
	char *key;                 /* the member's name when inside an object */
	struct json_value *child;  /* first element / member */
	struct json_value *next;   /* next sibling */
};

/* Parses exactly one value (surrounding white space allowed). Returns NULL
 * with "offset N: what" in err. */
struct json_value *json_parse(const char *text, size_t len, char *err, size_t errcap);
void json_free(struct json_value *v);

/* Object member by name, NULL if v is not an object or has none. */
const struct json_value *json_get(const struct json_value *v, const char *key);
/* The string of a JSON_STRING (NULL otherwise). */
const char *json_string(const struct json_value *v);
/* true only for a JSON_BOOL true. */
bool json_true(const struct json_value *v);
/* A JSON_NUMBER's value, or `dflt`. */
double json_number(const struct json_value *v, double dflt);

#endif /* CLI_JSON_READ_H */
