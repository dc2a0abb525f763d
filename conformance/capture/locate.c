/*
 * locate.c - where was the capture taken? Three kinds of evidence, best
 * first:
 *   1. a Linux cooked header's packet type: frames a host sent are marked
 *      "outgoing" when the capture ran on that host;
 *   2. handshake timing: the end next to the capture point answers within
 *      microseconds (its answer does not cross the network before it is
 *      seen), the far end takes a round trip;
 *   3. TTLs: a TTL still at a usual initial value (32, 64, 128, 255) has
 *      crossed no router before the capture point.
 * The first conversation with a complete handshake supplies 2 and 3.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <string.h>

#include "observe.h"

void xp_locate_packet(struct explain *x, const struct cap_pkt *p)
{
	if (p->dir == CAP_DIR_UNKNOWN || p->kind == CAP_NON_IP || p->kind == CAP_ARP)
		return;
	x->dir_frames++;
	if (p->dir != CAP_DIR_OUT)
		return;
	for (unsigned i = 0; i < x->n_out; i++)
		if (cap_addr_eq(&x->out_addr[i], &p->src)) {
			x->out_frames[i]++;
			return;
		}
	if (x->n_out < sizeof x->out_addr / sizeof x->out_addr[0]) {
		x->out_addr[x->n_out] = p->src;
		x->out_frames[x->n_out++] = 1;
	}
}

static bool initial_ttl(uint8_t t)
{
	return t == 32 || t == 64 || t == 128 || t == 255;
}

static void fmt_dt(uint64_t ns, char *buf, size_t cap)
{
	if (ns >= 1000000u)
		snprintf(buf, cap, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, cap, "%" PRIu64 " us", (ns + 500u) / 1000u);
}

void xp_locate(struct explain *x)
{
	char *b = x->sum.capture_point;
	size_t cap = sizeof x->sum.capture_point, w = 0;
	const struct xp_locate_ev *e = &x->loc;
	b[0] = '\0';
	if (x->n_out > 0) {
		char a[64];
		cap_addr_str(&x->out_addr[0], a, sizeof a);
		if (x->n_out == 1)
			w = (size_t)snprintf(b, cap, "on %s: the Linux cooked header marks the %" PRIu64
					     " IP frames it sent as outgoing",
					     a, x->out_frames[0]);
		else
			w = (size_t)snprintf(b, cap, "on a host with %u addresses (%s and others): the Linux cooked "
					     "header marks their frames as outgoing",
					     x->n_out, a);
	} else if (x->dir_frames > 0) {
		w = (size_t)snprintf(b, cap, "on a host that sent none of the IP frames (the Linux cooked header "
				     "marks them all as incoming)");
	}
	if (e->have && w < cap) {
		char t0[32], t1[32];
		int near = -1;
		uint64_t lo = e->resp[0] < e->resp[1] ? e->resp[0] : e->resp[1];
		uint64_t hi = e->resp[0] < e->resp[1] ? e->resp[1] : e->resp[0];
		if (lo < 1000000u && hi >= 10u * lo)
			near = e->resp[0] < e->resp[1] ? 0 : 1;
		fmt_dt(e->resp[0] - 1u, t0, sizeof t0);
		fmt_dt(e->resp[1] - 1u, t1, sizeof t1);
		if (near >= 0)
			w += (size_t)snprintf(b + w, cap - w, "%snext to %s: in the handshake it answered in %s, %s "
					      "in %s",
					      w ? "; the handshake timing agrees, the capture point is " : "", e->name[near],
					      near == 0 ? t0 : t1, e->name[1 - near], near == 0 ? t1 : t0);
		else if (w == 0 && hi < 1000000u)
			w += (size_t)snprintf(b + w, cap - w, "close to both %s and %s (on their link, or on one of "
					      "them): they answered in %s and %s",
					      e->name[0], e->name[1], t0, t1);
		else if (w == 0)
			w += (size_t)snprintf(b + w, cap - w, "on the path between %s and %s: they answered in %s and "
					      "%s",
					      e->name[0], e->name[1], t0, t1);
	}
	if (e->have && w < cap) {
		bool i0 = initial_ttl(e->ttl[0]), i1 = initial_ttl(e->ttl[1]);
		if (i0 && i1)
			w += (size_t)snprintf(b + w, cap - w, "%sboth ends' TTLs (%u, %u) are initial values: no "
					      "router lies between them and the capture point",
					      w ? "; " : "", e->ttl[0], e->ttl[1]);
		else if (i0 != i1)
			w += (size_t)snprintf(b + w, cap - w, "%s%s's TTL %u is an initial value and %s's %u is not: "
					      "a router lies between the capture point and %s",
					      w ? "; " : "", e->name[i0 ? 0 : 1], i0 ? e->ttl[0] : e->ttl[1],
					      e->name[i0 ? 1 : 0], i0 ? e->ttl[1] : e->ttl[0], e->name[i0 ? 1 : 0]);
	}
	if (w == 0)
		snprintf(b, cap, "unknown: the capture has no direction information and no complete handshake");
}
