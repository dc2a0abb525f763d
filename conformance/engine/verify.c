/*
 * verify.c - the per-field verifier: one outbound segment the DUT sent
 * against the `>` line that expected it (packetdrill's verify_outbound_*
 * in run_packet.c, STYLE.md 9).
 *
 * Every difference is reported, one line each, so a single run shows all
 * that is wrong with a segment:
 *
 *   seed.pkt:5: tcp ack: expected 1 (abs 1240744645) vs actual 3054222652 (abs 0)
 *
 * Sequence fields print the script-space value and the wire value. What is
 * compared: flags (all eight), seq (unless `...`), ack (when the script has
 * one), win (when written and not --ignore=win), urg (when written), options
 * (unless `<...>` or --ignore=options; the DUT's TS val is never checked,
 * as in packetdrill without --tcp_ts_tick_usecs), payload length, explicit
 * addresses, ports and IP fields, and both checksums. The runner calls it
 * after the timing check; it learns the DUT's ISN before comparing a SYN.
 */
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

struct vctx {
	const struct script *s;
	const struct script_event *ev;
	FILE *msgs, *marks;
	int n;
};

static void diff(struct vctx *v, const char *field, const char *exp, const char *act, const char *short_exp,
		 const char *short_act)
{
	fprintf(v->msgs, "%s:%d: %s: expected %s vs actual %s\n", v->s->path, v->ev->loc.line, field, exp, act);
	const char *f = strchr(field, ' ');
	fprintf(v->marks, "^^^ %s: expected %s vs %s\n", f ? f + 1 : field, short_exp, short_act);
	v->n++;
}

static void diff_num(struct vctx *v, const char *field, uint32_t exp, uint32_t act)
{
	char e[16], a[16];
	snprintf(e, sizeof e, "%u", exp);
	snprintf(a, sizeof a, "%u", act);
	diff(v, field, e, a, e, a);
}

/* A sequence-space field: script value and wire value on both sides. */
static void check_seq(struct vctx *v, const char *field, uint32_t exp_script, uint32_t exp_wire,
		      uint32_t act_wire, uint32_t off)
{
	if (exp_wire == act_wire)
		return;
	char e[40], a[40], es[16], as[16];
	uint32_t act_script = act_wire - off;
	snprintf(e, sizeof e, "%u (abs %u)", exp_script, exp_wire);
	snprintf(a, sizeof a, "%u (abs %u)", act_script, act_wire);
	snprintf(es, sizeof es, "%u", exp_script);
	snprintf(as, sizeof as, "%u", act_script);
	diff(v, field, e, a, es, as);
}

static void ip_str(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xffu, (ip >> 8) & 0xffu, ip & 0xffu);
}

/* Options compared as bytes with trailing EOL padding removed and the
 * DUT's TS val copied over the expected one. */
static void check_options(struct vctx *v, const struct script_packet *p, const struct engine_seg *seg,
			  const struct engine_map *m)
{
	uint8_t exp[SCRIPT_MAX_TCP_OPTIONS];
	int el = engine_encode_options(p, m, false, exp);
	if (el < 0) {
		fprintf(v->msgs, "%s:%d: tcp options: a digest or cookie given by name cannot be compared\n",
			v->s->path, v->ev->loc.line);
		v->n++;
		return;
	}
	size_t en = engine_options_used(exp, (size_t)el), an = engine_options_used(seg->opt, seg->opt_len);
	/* Copy the TS val over: walk the expected list to find a TS option at
	 * the same offset as in the actual one. */
	for (size_t i = 0; i + 10 <= en && i + 10 <= an;) {
		if (exp[i] == TCP_OPT_NOP || exp[i] == TCP_OPT_EOL) {
			i++;
			continue;
		}
		if (exp[i] == TCP_OPT_TS && seg->opt[i] == TCP_OPT_TS && exp[i + 1] == 10)
			memcpy(exp + i + 2, seg->opt + i + 2, 4);
		if (exp[i + 1] < 2)
			break;
		i += exp[i + 1];
	}
	if (en == an && memcmp(exp, seg->opt, en) == 0)
		return;
	char e[200], a[200];
	engine_options_str(exp, en, e, sizeof e);
	engine_options_str(seg->opt, an, a, sizeof a);
	diff(v, "tcp options", e[0] ? e : "none", a[0] ? a : "none", e[0] ? e : "none", a[0] ? a : "none");
}

static const char *proto_name(unsigned proto)
{
	return proto == IPV4_PROTO_TCP ? "tcp" : proto == IPV4_PROTO_UDP ? "udp" :
	       proto == IPV4_PROTO_ICMP ? "icmp" : "?";
}

static void check_ip_fields(struct vctx *v, const struct script_packet *p, const struct engine_seg *seg);

/* udp lines: payload length, ports when written (packetdrill's
 * verify_outbound_live_packet compares the same), the checksum. */
static int verify_udp(struct vctx *v, const struct script_packet *p, const struct engine_seg *seg)
{
	if (p->len != seg->payload_len)
		diff_num(v, "udp payload length", p->len, seg->payload_len);
	if (p->ip.has_ports) {
		if (p->ip.src_port != seg->udp.src_port)
			diff_num(v, "udp source port", p->ip.src_port, seg->udp.src_port);
		if (p->ip.dst_port != seg->udp.dst_port)
			diff_num(v, "udp destination port", p->ip.dst_port, seg->udp.dst_port);
	}
	check_ip_fields(v, p, seg);
	if (!seg->tcp_csum_ok)
		diff(v, "udp checksum", "valid", "invalid", "valid", "invalid");
	return v->n;
}

/* icmp lines: type and code, as packetdrill's verify_icmpv4(), and the
 * checksum. */
static int verify_icmp(struct vctx *v, const struct script_packet *p, const struct engine_seg *seg)
{
	if (p->icmp.type != seg->icmp.type)
		diff_num(v, "icmp type", p->icmp.type, seg->icmp.type);
	if (p->icmp.code != seg->icmp.code)
		diff_num(v, "icmp code", p->icmp.code, seg->icmp.code);
	check_ip_fields(v, p, seg);
	if (!seg->tcp_csum_ok)
		diff(v, "icmp checksum", "valid", "invalid", "valid", "invalid");
	return v->n;
}

int engine_verify(const struct script *s, const struct script_event *ev, const struct engine_seg *seg,
		  const struct engine_map *m, const struct engine_verify_cfg *cfg, FILE *msgs, FILE *marks)
{
	struct vctx v = {s, ev, msgs, marks, 0};
	const struct script_packet *p = &ev->u.packet;
	char e[40], a[40];

	if (seg->err) {
		fprintf(msgs, "%s:%d: the DUT sent a datagram that is not IPv4 TCP, UDP or ICMP (error %d)\n",
			s->path, ev->loc.line, seg->err);
		fprintf(marks, "^^^ not an IPv4 TCP, UDP or ICMP datagram\n");
		return 1;
	}
	unsigned want = p->proto == SCRIPT_PROTO_UDP ? IPV4_PROTO_UDP :
			p->proto == SCRIPT_PROTO_ICMP ? IPV4_PROTO_ICMP : IPV4_PROTO_TCP;
	if (want != seg->ip.proto) {
		diff(&v, "ip protocol", proto_name(want), proto_name(seg->ip.proto), proto_name(want),
		     proto_name(seg->ip.proto));
		return v.n;
	}
	if (p->proto == SCRIPT_PROTO_UDP)
		return verify_udp(&v, p, seg);
	if (p->proto == SCRIPT_PROTO_ICMP)
		return verify_icmp(&v, p, seg);
	if (p->flags != seg->tcp.flags) {
		engine_flags_str(p->flags, e);
		engine_flags_str(seg->tcp.flags, a);
		diff(&v, "tcp flags", e, a, e, a);
	}
	uint32_t dut_off = m->dut_isn_known ? m->dut_isn : 0;
	uint32_t peer_off = m->peer_isn_known ? m->peer_isn : 0;
	switch (p->seq_mode) {
	case SCRIPT_SEQ_RELATIVE:
		check_seq(&v, "tcp seq", p->seq_start, p->seq_start + dut_off, seg->tcp.seq, dut_off);
		break;
	case SCRIPT_SEQ_ABSOLUTE:
		check_seq(&v, "tcp seq", p->seq_start - dut_off, p->seq_start, seg->tcp.seq, dut_off);
		break;
	case SCRIPT_SEQ_IGNORE:
		break;
	}
	if (p->has_ack) {
		uint32_t wire = p->ack_absolute ? p->ack : p->ack + peer_off;
		check_seq(&v, "tcp ack", wire - peer_off, wire, seg->tcp.ack, peer_off);
	}
	if (p->has_win && !cfg->ignore_win && p->win != seg->tcp.window)
		diff_num(&v, "tcp win", p->win, seg->tcp.window);
	if (p->has_urg && p->urg != seg->tcp.urg)
		diff_num(&v, "tcp urg", p->urg, seg->tcp.urg);
	if (!p->options_any && !cfg->ignore_options)
		check_options(&v, p, seg, m);
	if (p->len != seg->payload_len)
		diff_num(&v, "tcp payload length", p->len, seg->payload_len);
	if (p->ip.has_ports) {
		if (p->ip.src_port != seg->tcp.src_port)
			diff_num(&v, "tcp source port", p->ip.src_port, seg->tcp.src_port);
		if (p->ip.dst_port != seg->tcp.dst_port)
			diff_num(&v, "tcp destination port", p->ip.dst_port, seg->tcp.dst_port);
	}
	check_ip_fields(&v, p, seg);
	if (!seg->tcp_csum_ok)
		diff(&v, "tcp checksum", "valid", "invalid", "valid", "invalid");
	return v.n;
}

/* Explicit addresses, ttl, tos, the ECN codepoint, the IPv4 checksum. */
static void check_ip_fields(struct vctx *vp, const struct script_packet *p, const struct engine_seg *seg)
{
	struct vctx v = *vp;
	char e[40], a[40];
	if (p->ip.has_addrs) {
		if (p->ip.src_addr != seg->ip.src) {
			ip_str(p->ip.src_addr, e);
			ip_str(seg->ip.src, a);
			diff(&v, "ipv4 source", e, a, e, a);
		}
		if (p->ip.dst_addr != seg->ip.dst) {
			ip_str(p->ip.dst_addr, e);
			ip_str(seg->ip.dst, a);
			diff(&v, "ipv4 destination", e, a, e, a);
		}
	}
	if (p->ip.has_ttl && p->ip.ttl != seg->ip.ttl)
		diff_num(&v, "ipv4 ttl", p->ip.ttl, seg->ip.ttl);
	if (p->ip.has_tos && (p->ip.tos & ~3u) != (seg->ip.tos & ~3u))
		diff_num(&v, "ipv4 tos", p->ip.tos, seg->ip.tos);
	unsigned ecn = seg->ip.tos & 3u;
	bool ecn_ok = true;
	switch (p->ip.ecn) {
	case SCRIPT_ECN_UNCHECKED:
		break;
	case SCRIPT_ECN_NOT_ECT:
		ecn_ok = ecn == 0;
		break;
	case SCRIPT_ECN_ECT1:
		ecn_ok = ecn == 1;
		break;
	case SCRIPT_ECN_ECT0:
		ecn_ok = ecn == 2;
		break;
	case SCRIPT_ECN_CE:
		ecn_ok = ecn == 3;
		break;
	case SCRIPT_ECN_ECT01:
		ecn_ok = ecn == 1 || ecn == 2;
		break;
	}
	if (!ecn_ok) {
		static const char *const names[4] = {"noecn", "ect1", "ect0", "ce"};
		diff(&v, "ipv4 ecn", "as scripted", names[ecn], "as scripted", names[ecn]);
	}
	if (!seg->ip_csum_ok)
		diff(&v, "ipv4 checksum", "valid", "invalid", "valid", "invalid");
	vp->n = v.n;
}
