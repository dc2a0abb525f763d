/*
 * support.c - what in a parsed script the engine cannot carry, found before
 * a run so the verdict is "unsupported" with the construct and its line,
 * and only the scripts that use it are affected.
 *
 * The engine builds and verifies IPv4 datagrams (TCP, UDP, ICMP) on every
 * DUT; an adapter with dut_ops.ipv6 (tap) carries them as IPv6 on its wire
 * (dut.h, dut_tap_v6.c). It does not carry:
 *   - IPv6 runs (--ip_version=ipv6) on a DUT without dut_ops.ipv6 (sim,
 *     board, avr: IPv4 stacks);
 *   - an `ipv6 A > B:` prefix: addresses of the script's own on any DUT;
 *   - nplab's TCP over UDP (`/udp(SRC > DST)` after a segment or inside an
 *     ICMP quote), and `md5 valid` (a digest from --tcp_md5_secret);
 *   - an md5 digest or Fast Open cookie written as a name no define gave
 *     a value (packetdrill's run_all.py passes -D TFO_COOKIE=...);
 *   - the option lines engine_option_unsupported() names.
 * --ip_version=ipv4-mapped-ipv6 puts IPv4 on the wire (packetdrill's
 * AF_INET6 sockets with v4-mapped addresses): every DUT runs it, tap with
 * AF_INET6 sockets, the others with their IPv4 sockets.
 */
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

static const char *packet_problem(const struct script_packet *p, char *buf, size_t cap)
{
	for (uint8_t i = 0; i < p->n_options; i++) {
		const struct script_tcp_option *o = &p->options[i];
		if (o->blob_name == NULL || p->md5_valid)
			continue;
		const char *kind = o->kind == SCRIPT_OPT_MD5 ? "md5" : o->kind == SCRIPT_OPT_FASTOPEN ? "FO" : "FOEXP";
		snprintf(buf, cap, "%s %s: no define gives '%s' a value (-D %s=HEX, as packetdrill's run_all.py "
			 "does)", kind, o->blob_name, o->blob_name, o->blob_name);
		return buf;
	}
	if (p->ipv6)
		return "an IPv6 packet with its own addresses ('ipv6 A > B:'): the engine runs IPv6 only between "
		       "the run's two addresses (--ip-version ipv6)";
	if (p->udp_encap)
		return "TCP over UDP ('/udp(SRC > DST)') is not supported";
	if (p->proto == SCRIPT_PROTO_ICMP && p->icmp.echoed_encap)
		return "an ICMP quote of TCP over UDP ('/udp(SRC > DST)') is not supported";
	if (p->md5_valid)
		return "'md5 valid' needs a digest from --tcp_md5_secret, which the engine does not compute";
	return NULL;
}

const char *engine_construct_unsupported(const struct script *s, const struct engine_options *o, int *at,
					 char *buf, size_t cap)
{
	char why[200];
	int line = 0;
	*at = 0;
	const char *v = o->ip_version != NULL ? o->ip_version : script_ip_version(s);
	if (strcmp(v, "ipv6") == 0 && (o->dut_ops == NULL || !o->dut_ops->ipv6)) {
		for (const struct script_option *op = s->options; op; op = op->next)
			if (!op->is_define && strcmp(op->name, "ip_version") == 0)
				line = op->loc.line;
		if (o->ip_version != NULL)
			line = 0;
		*at = line;
		const char *dut = o->dut_ops != NULL ? o->dut_ops->name : "this";
		if (line > 0)
			snprintf(buf, cap, "%s:%d: --ip_version=ipv6: the %s DUT runs IPv4 only (its stack has no "
				 "IPv6; the tap DUT runs IPv6)", s->path, line, dut);
		else
			snprintf(buf, cap, "%s: --ip-version ipv6: the %s DUT runs IPv4 only (its stack has no "
				 "IPv6; the tap DUT runs IPv6)", s->path, dut);
		return buf;
	}
	if (engine_option_unsupported(s, o->dut_ops, &line, why, sizeof why) != NULL) {
		snprintf(buf, cap, "%s:%d: %s", s->path, line, why);
		*at = line;
		return buf;
	}
	for (const struct script_event *ev = s->events; ev; ev = ev->next) {
		if (ev->kind != SCRIPT_EV_PACKET)
			continue;
		const char *p = packet_problem(&ev->u.packet, why, sizeof why);
		if (p != NULL) {
			snprintf(buf, cap, "%s:%d: %s", s->path, ev->loc.line, p);
			*at = ev->loc.line;
			return buf;
		}
	}
	return NULL;
}
