/*
 * counters.c - the counter names a script may assert, whatever DUT runs
 * it, so that a misspelt name is an input error (exit 2) before any run
 * instead of a failure on one adapter only.
 *
 *   engine_check_options() -> script_check_counters(s, engine_counter_problem)
 *
 * Three namespaces, each owned by a stack:
 *   - our stack's counters, by their core/net/net_stats.h name
 *     ("tcp.rst_in_window") or by the part after the dot when that part is
 *     unambiguous ("rst_in_window"), exactly as the sim adapter reads them;
 *   - the tap adapter's own counters ("tap.frames_in", ...; the list in
 *     dut_tap_counter(), conformance/engine/dut_tap_sock.c);
 *   - the Linux kernel's MIB counters as nstat names them
 *     ("TcpExt.TCPChallengeACK", or the bare "TCPChallengeACK"): they start
 *     with a capital letter, and only the kernel knows the full set, so the
 *     tap adapter checks them when it reads them.
 * A DUT that lacks a known counter still fails that line at run time
 * ("the sim DUT has no such counter").
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "net.h"

static const char *const TAP_COUNTERS[] = {
	"tap.frames_in", "tap.frames_out", "tap.arp_replies", "tap.nd_replies", "tap.noise_dropped", "tap.events_lost",
};

static const char *after_dot(const char *n)
{
	const char *dot = strchr(n, '.');
	return dot ? dot + 1 : n;
}

/* How many of our stack's names end in ".name". */
static size_t short_matches(const char *name)
{
	size_t k = 0;
	for (int i = 0; i < (int)NET_STAT_COUNT; i++)
		k += strcmp(after_dot(net_stat_name((enum net_stat_id)i)), name) == 0;
	return k;
}

/* Kernel MIB names: Group.Field or Field, letters and digits, capital
 * first letter (Tcp.InSegs, TcpExt.TCPChallengeACK, IpExt.InOctets). */
static bool kernel_mib_name(const char *n)
{
	if (!(n[0] >= 'A' && n[0] <= 'Z'))
		return false;
	int dots = 0;
	for (const char *p = n; *p; p++) {
		if (*p == '.') {
			if (++dots > 1 || p[1] == '\0' || p == n)
				return false;
		} else if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
			return false;
		}
	}
	return true;
}

/* Edit distance, for "did you mean"; names are short, so O(n*m) is fine. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *engine_counter_problem(const char *name, char *buf, size_t cap)
{
	for (int i = 0; i < (int)NET_STAT_COUNT; i++)
		if (strcmp(net_stat_name((enum net_stat_id)i), name) == 0)
			return NULL;
	size_t shorts = short_matches(name);
	if (shorts == 1)
		return NULL;
	for (size_t i = 0; i < sizeof TAP_COUNTERS / sizeof TAP_COUNTERS[0]; i++)
		if (strcmp(TAP_COUNTERS[i], name) == 0)
			return NULL;
	if (kernel_mib_name(name))
		return NULL;
	if (shorts > 1) {
		size_t k = (size_t)snprintf(buf, cap, "counter '%.32s' is ambiguous: write one of", name);
		for (int i = 0; i < (int)NET_STAT_COUNT && k < cap; i++) {
			const char *n = net_stat_name((enum net_stat_id)i);
			if (strcmp(after_dot(n), name) == 0)
				k += (size_t)snprintf(buf + k, cap - k, " %s", n);
		}
		return buf;
	}
	/* The nearest name a script could have meant. */
	const char *best = NULL;
	size_t best_d = 4;
	for (int i = 0; i < (int)NET_STAT_COUNT; i++) {
		const char *n = net_stat_name((enum net_stat_id)i);
		const char *cand[2] = {n, after_dot(n)};
		for (int c = 0; c < 2; c++) {
			size_t d = distance(name, cand[c]);
			if (d < best_d && (c == 0 || short_matches(cand[c]) == 1)) {
				best_d = d;
				best = cand[c];
			}
		}
	}
	for (size_t i = 0; i < sizeof TAP_COUNTERS / sizeof TAP_COUNTERS[0]; i++) {
		size_t d = distance(name, TAP_COUNTERS[i]);
		if (d < best_d) {
			best_d = d;
			best = TAP_COUNTERS[i];
		}
	}
	if (best != NULL)
		snprintf(buf, cap, "unknown counter '%.32s' (did you mean '%s'?)", name, best);
	else
		snprintf(buf, cap, "unknown counter '%.32s' (names: core/net/net_stats.h, tap.*, or a Linux MIB "
			 "name such as TcpExt.TCPChallengeACK)", name);
	return buf;
}
