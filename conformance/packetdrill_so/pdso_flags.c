/*
 * pdso_flags.c - packetdrill's --so_flags for synack's library: which DUT,
 * the seed, the RFC profiles, a capture, and the library's own limits.
 *
 *   --so_flags="dut=board:./libfw.so seed=7 profile=rfc5961=off,rfc1337=on pcap=run.pcap"
 *
 * Space-separated key=value items (values cannot hold spaces). Called by
 * packetdrill_interface_init (pdso_init.c), which exits 2 with the message
 * for anything it does not accept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "pdso.h"

#define DEFAULT_TIMEOUT_S 600u /* as a `*` wait in synack run (ENGINE_ANY_HORIZON_NS) */
#define DEFAULT_TICK_NS 1000u  /* one microsecond, gettimeofday's resolution */

void pdso_flags_defaults(struct pdso_flags *f)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dut, "sim");
	f->seed = 1;                          /* synack run's default */
	f->profile = DUT_PROFILE_RFC5961;     /* synack run's default */
	f->timeout_ns = DEFAULT_TIMEOUT_S * 1000000000ull;
	f->tick_ns = DEFAULT_TICK_NS;
	f->dut_ip = ENGINE_DEFAULT_DUT_IP;    /* 192.168.0.1 */
	f->peer_ip = ENGINE_DEFAULT_PEER_IP;  /* 192.0.2.1, packetdrill's --remote_ip */
}

const char *pdso_flags_keys(void)
{
	return "dut, seed, profile, pcap, mutate, timeout, tick, local_ip, remote_ip, verbose";
}

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

static bool parse_u64(const char *v, uint64_t *out)
{
	char *end;
	if (*v == '\0' || *v == '-')
		return false;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = n;
	return true;
}

/* Seconds with up to 9 decimals ("2.5") into ns. */
static bool parse_seconds(const char *v, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0, scale = 1000000000ull;
	const char *p = v;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 1000000000ull)
			return false;
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
	if (*p != '\0')
		return false;
	*ns = whole * 1000000000ull + frac;
	return *ns > 0;
}

static bool parse_ipv4(const char *v, uint32_t *ip)
{
	unsigned b[4];
	char tail;
	if (sscanf(v, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (b[i] > 255)
			return false;
	*ip = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
	return *ip != 0;
}

static int set_string(char *dst, size_t cap, const char *key, const char *v, char *err, size_t ecap)
{
	if (*v == '\0')
		return fail(err, ecap, "--so_flags: %s= needs a value", key);
	if (strlen(v) >= cap)
		return fail(err, ecap, "--so_flags: %s=: longer than %zu characters", key, cap - 1);
	strcpy(dst, v);
	return 0;
}

static int one(struct pdso_flags *f, const char *key, const char *v, char *err, size_t cap)
{
	uint64_t n;
	if (strcmp(key, "dut") == 0)
		return set_string(f->dut, sizeof f->dut, key, v, err, cap);
	if (strcmp(key, "pcap") == 0)
		return set_string(f->pcap, sizeof f->pcap, key, v, err, cap);
	if (strcmp(key, "mutate") == 0)
		return set_string(f->mutate, sizeof f->mutate, key, v, err, cap);
	if (strcmp(key, "seed") == 0) {
		if (!parse_u64(v, &f->seed))
			return fail(err, cap, "--so_flags: seed=: expected a non-negative integer, got '%s'", v);
		return 0;
	}
	if (strcmp(key, "profile") == 0) {
		/* Unlike synack run --profile, an empty profile= is a mistake here.
		 * Items cannot hold spaces, so only commas separate them. */
		if (*v == '\0' || !engine_parse_profile(v, &f->profile))
			return fail(err, cap,
				    "--so_flags: profile=: expected e.g. rfc5961=on,rfc1337=off,timewait-recycle=off, "
				    "got '%s'",
				    v);
		return 0;
	}
	if (strcmp(key, "timeout") == 0) {
		if (!parse_seconds(v, &f->timeout_ns))
			return fail(err, cap, "--so_flags: timeout=: expected seconds of virtual time > 0 (e.g. 60 or 2.5), got '%s'", v);
		return 0;
	}
	if (strcmp(key, "tick") == 0) {
		if (!parse_u64(v, &n) || n == 0 || n > 1000000)
			return fail(err, cap, "--so_flags: tick=: expected nanoseconds from 1 to 1000000, got '%s'", v);
		f->tick_ns = n;
		return 0;
	}
	if (strcmp(key, "local_ip") == 0 || strcmp(key, "remote_ip") == 0) {
		uint32_t *ip = key[0] == 'l' ? &f->dut_ip : &f->peer_ip;
		if (!parse_ipv4(v, ip))
			return fail(err, cap, "--so_flags: %s=: expected an IPv4 address such as 192.168.0.1, got '%s'", key, v);
		return 0;
	}
	if (strcmp(key, "verbose") == 0) {
		if (strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
			f->verbose = true;
		else if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
			f->verbose = false;
		else
			return fail(err, cap, "--so_flags: verbose=: expected on or off, got '%s'", v);
		return 0;
	}
	return fail(err, cap, "--so_flags: unknown key '%s' (expected %s)", key, pdso_flags_keys());
}

int pdso_flags_parse(const char *s, struct pdso_flags *f, char *err, size_t cap)
{
	if (s == NULL)
		return 0;
	char *buf = strdup(s);
	if (buf == NULL)
		return fail(err, cap, "--so_flags: out of memory");
	int rc = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, " \t\n", &save); tok && rc == 0; tok = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(tok, '=');
		if (strcmp(tok, "verbose") == 0) {
			f->verbose = true;
			continue;
		}
		if (eq == NULL || eq == tok) {
			rc = fail(err, cap, "--so_flags: expected key=value, got '%s' (keys: %s)", tok, pdso_flags_keys());
			break;
		}
		*eq = '\0';
		rc = one(f, tok, eq + 1, err, cap);
	}
	free(buf);
	if (rc == 0 && f->dut_ip == f->peer_ip)
		rc = fail(err, cap, "--so_flags: local_ip and remote_ip must differ");
	return rc;
}
