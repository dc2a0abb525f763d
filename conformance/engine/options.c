/*
 * options.c - a script's `--name=value` lines and `//! profile` header,
 * judged before a run.
 *
 * packetdrill's options a synack run can honour are applied
 * (tolerance_usecs, tolerance_percent, ip_version=ipv4, ignore=options,win,
 * local_ip / remote_ip / bind_port / connect_port); the ones that only
 * describe the host packetdrill runs on are accepted and have no effect
 * here (mss, mtu, strict_segments, non_fatal, speed, verbose...). Anything
 * else is an input error with its line: `file:line: unknown option --foo`,
 * which the CLI turns into exit status 2. Counter names are checked here
 * too (counters.c), for the same reason: before any run, on any DUT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static bool parse_uint(const char *v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	if (v == NULL || *v == '\0')
		return false;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10u + (uint64_t)(*p - '0');
		if (n > max)
			return false;
	}
	*out = n;
	return true;
}

static bool parse_ip(const char *v, uint32_t *out)
{
	unsigned a, b, c, d;
	char tail;
	if (v == NULL || sscanf(v, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255)
		return false;
	*out = (a << 24) | (b << 16) | (c << 8) | d;
	return true;
}

/* --ignore=options,win: the fields a Linux-written script may disagree
 * with our stack on. */
bool engine_parse_ignore(const char *v, bool *options, bool *win)
{
	char buf[64];
	if (v == NULL || strlen(v) >= sizeof buf)
		return false;
	strcpy(buf, v);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		if (strcmp(tok, "options") == 0)
			*options = true;
		else if (strcmp(tok, "win") == 0)
			*win = true;
		else
			return false;
	}
	return true;
}

static const char *const INERT[] = {
	"mss", "mtu", "strict_segments", "non_fatal", "speed", "verbose", "tcp_ts_tick_usecs",
	"tcp_ts_ecr_scaled", "persistent_tun_dev", "no_cleanup", "so_filename", "dry_run",
	"gateway_ip", "netmask_ip", "init_scripts", "wire_client", "tun_dev",
};

static const char *counter_problem(const char *name, char *buf, size_t cap, void *ctx)
{
	(void)ctx;
	return engine_counter_problem(name, buf, cap);
}

bool engine_check_options(const struct script *s, struct engine_options *o, char *err, size_t errcap)
{
	uint64_t n;
	struct script_error se;
	if (script_check_counters(s, counter_problem, NULL, &se) != SCRIPT_OK) {
		snprintf(err, errcap, "%s", se.text);
		return false;
	}
	for (const struct script_option *op = s->options; op; op = op->next) {
		const char *name = op->name, *v = op->value;
		int line = op->loc.line;
		if (op->is_define)
			continue;
		if (strcmp(name, "tolerance_usecs") == 0) {
			if (!parse_uint(v, 1000000000u, &n))
				goto bad_value;
			if (o->tolerance_ns < 0)
				o->tolerance_ns = (int64_t)n * 1000;
		} else if (strcmp(name, "tolerance_percent") == 0) {
			if (!parse_uint(v, 100, &n))
				goto bad_value;
			if (o->tolerance_pct < 0)
				o->tolerance_pct = (int)n;
		} else if (strcmp(name, "ip_version") == 0) {
			if (v && (strcmp(v, "ipv6") == 0 || strcmp(v, "ipv4-mapped-ipv6") == 0)) {
				snprintf(err, errcap, "%s:%d: --ip_version=%s: synack runs TCP over IPv4 only", s->path,
					 line, v);
				return false;
			}
			if (v == NULL || strcmp(v, "ipv4") != 0)
				goto bad_value;
		} else if (strcmp(name, "ignore") == 0) {
			if (!engine_parse_ignore(v, &o->ignore_options, &o->ignore_win))
				goto bad_value;
		} else if (strcmp(name, "local_ip") == 0) {
			if (!parse_ip(v, &o->dut_ip))
				goto bad_value;
		} else if (strcmp(name, "remote_ip") == 0) {
			if (!parse_ip(v, &o->peer_ip))
				goto bad_value;
		} else if (strcmp(name, "bind_port") == 0) {
			if (!parse_uint(v, 65535, &n) || n == 0)
				goto bad_value;
			o->dut_port = (uint16_t)n;
		} else if (strcmp(name, "connect_port") == 0) {
			if (!parse_uint(v, 65535, &n) || n == 0)
				goto bad_value;
			o->peer_port = (uint16_t)n;
		} else {
			bool inert = false;
			for (size_t i = 0; i < sizeof INERT / sizeof INERT[0]; i++)
				inert |= strcmp(name, INERT[i]) == 0;
			if (!inert) {
				snprintf(err, errcap, "%s:%d: unknown option --%s", s->path, line, name);
				return false;
			}
		}
		continue;
bad_value:
		snprintf(err, errcap, "%s:%d: --%s: bad value '%s'", s->path, line, name, v ? v : "");
		return false;
	}
	return true;
}

const char *engine_profile_conflict(const struct script *s, uint8_t profile, char *buf, size_t cap)
{
	struct {
		enum script_profile_value want;
		uint8_t bit;
		const char *name;
	} p[3] = {
		{s->header.rfc5961, DUT_PROFILE_RFC5961, "rfc5961"},
		{s->header.rfc1337, DUT_PROFILE_RFC1337, "rfc1337"},
		{s->header.timewait_recycle, DUT_PROFILE_TW_RECYCLE, "timewait-recycle"},
	};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		if (p[i].want == SCRIPT_PROFILE_ANY)
			continue;
		bool on = (profile & p[i].bit) != 0;
		if (on != (p[i].want == SCRIPT_PROFILE_ON)) {
			snprintf(buf, cap, "profile %s=%s, the DUT runs %s=%s", p[i].name,
				 p[i].want == SCRIPT_PROFILE_ON ? "on" : "off", p[i].name, on ? "on" : "off");
			return buf;
		}
	}
	return NULL;
}

bool engine_dut_follows(const struct engine_options *o, int beh)
{
	if (beh == SCRIPT_BEH_LINUX_WIRE && o->ignore_options && o->ignore_win)
		return true;
	const char *const *b = o->dut_ops ? o->dut_ops->behaviours : NULL;
	for (; b != NULL && *b != NULL; b++)
		if (strcmp(*b, script_behaviour_names[beh]) == 0)
			return true;
	return false;
}

const char *engine_skip_reason(const struct script *s, const struct engine_options *o, char *buf, size_t cap)
{
	if (engine_profile_conflict(s, o->profile, buf, cap) != NULL)
		return buf;
	const char *dut = o->dut_ops ? o->dut_ops->name : "the";
	for (int i = 0; i < (int)SCRIPT_BEH_COUNT; i++) {
		enum script_profile_value want = s->header.behaviour[i];
		if (want == SCRIPT_PROFILE_ANY)
			continue;
		bool follows = engine_dut_follows(o, i);
		if (want == SCRIPT_PROFILE_ON && !follows) {
			snprintf(buf, cap, "needs profile %s (%s); %s does not follow it%s", script_behaviour_names[i],
				 script_behaviour_reasons[i], dut,
				 i == SCRIPT_BEH_LINUX_WIRE ? " (run with --ignore=options,win to compare the rest)" : "");
			return buf;
		}
		if (want == SCRIPT_PROFILE_OFF && follows) {
			snprintf(buf, cap, "profile %s=off (%s); %s follows it", script_behaviour_names[i],
				 script_behaviour_reasons[i], dut);
			return buf;
		}
	}
	return NULL;
}
