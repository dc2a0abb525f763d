/*
 * cli_args.c - flag scanning and value parsing shared by the verbs.
 *
 * Flags are long options, "--name value" or "--name=value", plus -h. Every
 * bad flag or value is reported on stderr as
 *   synack <verb>: --flag: expected <what>, got '<value>'
 * and the verb exits 2. Numbers are parsed by hand: strtoull() accepts
 * leading blanks, signs and overflow silently, none of which a user means.
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *verb, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "synack %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_args_init(struct cli_args *a, const char *verb, int argc, char **argv)
{
	memset(a, 0, sizeof *a);
	a->verb = verb;
	a->argc = argc;
	a->argv = argv;
	a->i = 1;
}

const char *cli_args_next(struct cli_args *a, bool *bad)
{
	*bad = false;
	a->inline_value = NULL;
	if (a->i >= a->argc)
		return NULL;
	const char *arg = a->argv[a->i++];
	if (strcmp(arg, "-h") == 0) {
		a->flag = "--help";
		return a->flag;
	}
	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
		cli_error(a->verb, "unexpected argument '%s' (see 'synack help %s')", arg, a->verb);
		*bad = true;
		return NULL;
	}
	const char *eq = strchr(arg, '=');
	if (eq == NULL) {
		a->flag = arg;
		return arg;
	}
	size_t n = (size_t)(eq - arg);
	if (n >= sizeof a->flagbuf)
		n = sizeof a->flagbuf - 1;
	memcpy(a->flagbuf, arg, n);
	a->flagbuf[n] = '\0';
	a->flag = a->flagbuf;
	a->inline_value = eq + 1;
	return a->flag;
}

const char *cli_args_value(struct cli_args *a)
{
	if (a->inline_value)
		return a->inline_value;
	if (a->i >= a->argc) {
		cli_error(a->verb, "%s: missing value", a->flag);
		return NULL;
	}
	return a->argv[a->i++];
}

bool cli_args_no_value(struct cli_args *a)
{
	if (a->inline_value == NULL)
		return true;
	cli_error(a->verb, "%s: takes no value, got '%s'", a->flag, a->inline_value);
	return false;
}

/* The first `len` bytes of s as a decimal with up to `decimals` fractional
 * digits, scaled by 10^decimals; false on anything else or on overflow. */
static bool scan_fixed(const char *s, size_t len, unsigned decimals, uint64_t *out)
{
	uint64_t v = 0;
	unsigned frac = 0;
	bool digits = false, dot = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (dot && ++frac > decimals)
				return false;
			unsigned d = (unsigned)(c - '0');
			if (v > (UINT64_MAX - d) / 10u)
				return false;
			v = v * 10u + d;
			digits = true;
		} else if (c == '.' && !dot && decimals > 0) {
			dot = true;
		} else {
			return false;
		}
	}
	for (; frac < decimals; frac++) {
		if (v > UINT64_MAX / 10u)
			return false;
		v *= 10u;
	}
	*out = v;
	return digits;
}

bool cli_parse_fixed(const char *verb, const char *flag, const char *s, unsigned decimals, uint64_t min,
		     uint64_t max, const char *what, uint64_t *out)
{
	uint64_t v;
	if (!scan_fixed(s, strlen(s), decimals, &v) || v < min || v > max) {
		cli_error(verb, "%s: expected %s, got '%s'", flag, what, s);
		return false;
	}
	*out = v;
	return true;
}

bool cli_parse_fraction(const char *verb, const char *flag, const char *s, uint64_t max, const char *what,
			uint64_t *i, uint64_t *n)
{
	const char *slash = strchr(s, '/');
	uint64_t a, b;
	if (slash == NULL || !scan_fixed(s, (size_t)(slash - s), 0, &a) ||
	    !scan_fixed(slash + 1, strlen(slash + 1), 0, &b) || a < 1 || a > b || b > max) {
		cli_error(verb, "%s: expected %s, got '%s'", flag, what, s);
		return false;
	}
	*i = a;
	*n = b;
	return true;
}

bool cli_parse_u64(const char *verb, const char *flag, const char *s, uint64_t min, uint64_t max,
		   const char *what, uint64_t *out)
{
	return cli_parse_fixed(verb, flag, s, 0, min, max, what, out);
}
