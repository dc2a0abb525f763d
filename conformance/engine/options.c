/*
 * options.c - a script's `--name=value` lines and `//! profile` header,
 * judged before a run.
 *
 * packetdrill's options a synack run can honour are applied
 * (tolerance_usecs, tolerance_percent, ip_version=ipv4, ignore=options,win,
 * local_ip / remote_ip / bind_port / connect_port; the run's --local-ip
 * and --remote-ip win over the script's, as packetdrill's command line
 * does); the ones that only
 * describe the host packetdrill runs on are accepted and have no effect
 * here (strict_segments: synack always matches segment by segment; speed,
 * verbose, tcp_ts_tick_usecs: synack never checks the DUT's TS val ...).
 * The ones that change what a run means and that synack cannot honour
 * (mtu other than 1500, mss but on an adapter with inbound GSO, non_fatal,
 * nplab's udp_encapsulation and tcp_md5_secret ...) are accepted here and
 * make the run unsupported,
 * naming the option and its line (engine_option_unsupported). Anything
 * else is an input error with its line: `file:line: unknown option --foo`,
 * which the CLI turns into exit status 2. Counter names are checked here
 * too (counters.c), for the same reason: before any run, on any DUT.
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

void engine_options_defaults(struct engine_options *o)
{
	memset(o, 0, sizeof *o);
	o->profile = DUT_PROFILE_RFC5961;
	o->seed = 1;
	o->tolerance_ns = -1;
	o->tolerance_pct = -1;
}

const char *engine_verdict_name(enum engine_verdict v)
{
	switch (v) {
	case ENGINE_PASS:
		return "pass";
	case ENGINE_FAIL:
		return "fail";
	case ENGINE_UNSUPPORTED:
		return "unsupported";
	case ENGINE_SKIPPED:
		return "skipped";
	case ENGINE_ERROR:
		return "error";
	}
	return "?";
}

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
	"strict_segments", "speed", "verbose", "tcp_ts_tick_usecs", "tcp_ts_ecr_scaled",
	"persistent_tun_dev", "no_cleanup", "dry_run", "gateway_ip", "netmask_ip",
	"init_scripts", "tun_dev", "send_omit_free", "debug", "code_command", "code_format",
	"code_sockopt",
};

/* packetdrill's (and nplab's) options that change what a run checks and
 * that synack does not honour: the run is unsupported, with the reason. */
static const struct {
	const char *name;
	const char *why;
} UNSUPPORTED[] = {
	{"mss", "inbound segments coalesced into GSO packets of that size"},
	{"non_fatal", "going on past a failing line (it stops at the first)"},
	{"is_anyip", "an AnyIP local address"},
	{"psp_udp_port", "PSP encapsulation"},
	{"udp_encapsulation", "TCP over UDP encapsulation"},
	{"tcp_md5_secret", "TCP MD5 signatures computed from a key"},
	{"so_filename", "a user-space stack loaded by packetdrill"},
	{"so_flags", "a user-space stack loaded by packetdrill"},
	{"wire_client", "packetdrill's two-machine wire mode"},
	{"wire_server", "packetdrill's two-machine wire mode"},
	{"wire_server_ip", "packetdrill's two-machine wire mode"},
	{"wire_server_at", "packetdrill's two-machine wire mode"},
	{"wire_server_port", "packetdrill's two-machine wire mode"},
	{"wire_client_dev", "packetdrill's two-machine wire mode"},
	{"wire_server_dev", "packetdrill's two-machine wire mode"},
};

const char *engine_option_unsupported(const struct script *s, const struct dut_ops *ops, int *line, char *buf,
				      size_t cap)
{
	for (const struct script_option *op = s->options; op; op = op->next) {
		if (op->is_define)
			continue;
		/* packetdrill's --mss: every inbound TCP datagram is written
		 * to its tun device with a virtio header asking for GSO
		 * segments of that size (its netdev.c); an adapter that writes
		 * the same header honours it. */
		if (strcmp(op->name, "mss") == 0 && ops != NULL && ops->inbound_gso)
			continue;
		*line = op->loc.line;
		if (strcmp(op->name, "mtu") == 0 && op->value != NULL && strcmp(op->value, "1500") != 0) {
			/* packetdrill's tun device has 1500 (TUN_DRIVER_DEFAULT_MTU) */
			snprintf(buf, cap, "--mtu=%s: the DUT's link MTU is 1500", op->value);
			return buf;
		}
		for (size_t i = 0; i < sizeof UNSUPPORTED / sizeof UNSUPPORTED[0]; i++) {
			if (strcmp(op->name, UNSUPPORTED[i].name) == 0) {
				snprintf(buf, cap, "--%s%s%s: synack does not support %s", op->name, op->value ? "=" : "",
					 op->value ? op->value : "", UNSUPPORTED[i].why);
				return buf;
			}
		}
	}
	return NULL;
}

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
			/* what a run can carry is decided before it (support.c) */
			if (v == NULL || (strcmp(v, "ipv4") != 0 && strcmp(v, "ipv6") != 0 &&
					  strcmp(v, "ipv4-mapped-ipv6") != 0))
				goto bad_value;
		} else if (strcmp(name, "mss") == 0) {
			if (!parse_uint(v, 65535, &n) || n == 0)
				goto bad_value;
			o->gso_mss = (uint16_t)n;
		} else if (strcmp(name, "mtu") == 0) {
			if (!parse_uint(v, 65535, &n) || n < 68) /* RFC 791: every host takes 68 */
				goto bad_value;
		} else if (strcmp(name, "ignore") == 0) {
			if (!engine_parse_ignore(v, &o->ignore_options, &o->ignore_win))
				goto bad_value;
		} else if (strcmp(name, "local_ip") == 0 || strcmp(name, "remote_ip") == 0) {
			/* An IPv6 address is an IPv6 run's (runner.c); the
			 * caller's own address comes first. */
			uint8_t a6[16];
			if (v != NULL && inet_pton(AF_INET6, v, a6) == 1) {
				bool *has = name[0] == 'l' ? &o->has_dut_ip6 : &o->has_peer_ip6;
				if (!*has) {
					memcpy(name[0] == 'l' ? o->dut_ip6 : o->peer_ip6, a6, 16);
					*has = true;
				}
				continue;
			}
			if (!parse_ip(v, name[0] == 'l' ? &o->dut_ip : &o->peer_ip))
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
			for (size_t i = 0; i < sizeof UNSUPPORTED / sizeof UNSUPPORTED[0]; i++)
				inert |= strcmp(name, UNSUPPORTED[i].name) == 0;
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
	/* packetdrill reads the script's option lines first and its command
	 * line after them ("Command line options overwrite options in
	 * script"), so an address given to the run wins over the script's.
	 * An IPv6 one is an IPv6 run's address, over the script's too. */
	const char *cli[2] = {o->cli_local_ip, o->cli_remote_ip};
	for (int i = 0; i < 2; i++) {
		uint8_t a6[16];
		if (cli[i] == NULL)
			continue;
		if (inet_pton(AF_INET6, cli[i], a6) == 1) {
			memcpy(i == 0 ? o->dut_ip6 : o->peer_ip6, a6, 16);
			*(i == 0 ? &o->has_dut_ip6 : &o->has_peer_ip6) = true;
			continue;
		}
		if (!parse_ip(cli[i], i == 0 ? &o->dut_ip : &o->peer_ip)) {
			snprintf(err, errcap, "--%s-ip: bad value '%s'", i == 0 ? "local" : "remote", cli[i]);
			return false;
		}
	}
	return true;
}

/* A behaviour profile value, "rfc5961=on,rfc1337=off,timewait-recycle=on"
 * (commas or spaces between items), applied on top of *prof. An empty value
 * changes nothing and is accepted; callers that want a value check first. */
bool engine_parse_profile(const char *v, uint8_t *prof)
{
	char buf[128];
	if (strlen(v) >= sizeof buf)
		return false;
	strcpy(buf, v);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(tok, '=');
		if (eq == NULL)
			return false;
		*eq = '\0';
		uint8_t bit;
		if (strcmp(tok, "rfc5961") == 0)
			bit = DUT_PROFILE_RFC5961;
		else if (strcmp(tok, "rfc1337") == 0)
			bit = DUT_PROFILE_RFC1337;
		else if (strcmp(tok, "timewait-recycle") == 0)
			bit = DUT_PROFILE_TW_RECYCLE;
		else
			return false;
		if (strcmp(eq + 1, "on") == 0)
			*prof = (uint8_t)(*prof | bit);
		else if (strcmp(eq + 1, "off") == 0)
			*prof = (uint8_t)(*prof & ~bit);
		else
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
