/*
 * runner_ts.c - packetdrill's mapping of TCP timestamps between script
 * and wire (its run_packet.c: set_outbound_ts_val_mapping and the inbound
 * TS ecr rewrite).
 *
 * A script writes the DUT's TS vals in its own numbers (`> S. ... <TS val
 * 700 ecr 100>`), and an inbound segment echoes one of them (`< . ... <TS
 * val 110 ecr 700>`). The real DUT chose its own clock, and a Linux
 * kernel drops an ACK whose ecr echoes nothing it sent (Linux 6.18). So
 * each `>` line that matched records script val -> wire val for its
 * connection, and each inbound segment with ACK set carrying a TS option
 * has its ecr replaced by the wire val recorded for that script number,
 * as packetdrill does. Only with ACK: RFC 7323 §3.2, "The TSecr field is
 * valid if the ACK bit is set in the TCP header." (tests/e2e/tap_real/
 * ts-ecr.pkt fails without the mapping). An ecr with no recorded val is packetdrill's error
 * "unable to infer live TS ecr" (only where the calls are real: tap
 * running a packetdrill-language script), unless the script sets
 * --tcp_ts_ecr_scaled: then, as packetdrill does, it is moved by the
 * offset between the connection's first recorded script and wire vals.
 */
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

/* Offset of the TS option's value in a TCP option list, or -1. */
static int ts_offset(const uint8_t *opt, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (opt[i] == TCP_OPT_EOL)
			return -1;
		if (opt[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || opt[i + 1] < 2 || i + opt[i + 1] > n)
			return -1;
		if (opt[i] == TCP_OPT_TS && opt[i + 1] == 10)
			return (int)i + 2;
		i += opt[i + 1];
	}
	return -1;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const struct script_tcp_option *script_ts(const struct script_packet *p)
{
	if (p->options_any)
		return NULL;
	for (uint8_t i = 0; i < p->n_options; i++)
		if (p->options[i].kind == SCRIPT_OPT_TIMESTAMP)
			return &p->options[i];
	return NULL;
}

void engine_ts_outbound(struct engine_run *e, int conn, const struct script_packet *p, const struct engine_seg *seg)
{
	const struct script_tcp_option *o = script_ts(p);
	if (conn < 0 || o == NULL || seg->err != 0)
		return;
	int off = ts_offset(seg->opt, seg->opt_len);
	if (off < 0)
		return;
	struct engine_conn *c = &e->conns[conn];
	uint32_t live = get32(seg->opt + off);
	if (!c->ts_first_known) {
		c->ts_first_known = true;
		c->ts_first_script = o->u.ts.val;
		c->ts_first_live = live;
	}
	for (unsigned i = 0; i < c->ts_n; i++)
		if (c->ts_script[i] == o->u.ts.val) {
			c->ts_live[i] = live;
			return;
		}
	c->ts_script[c->ts_next] = o->u.ts.val;
	c->ts_live[c->ts_next] = live;
	c->ts_next = (c->ts_next + 1) % ENGINE_TS_MAP;
	if (c->ts_n < ENGINE_TS_MAP)
		c->ts_n++;
}

static bool ts_ecr_scaled(const struct script *s)
{
	for (const struct script_option *op = s->options; op; op = op->next)
		if (!op->is_define && strcmp(op->name, "tcp_ts_ecr_scaled") == 0)
			return true;
	return false;
}

bool engine_ts_inbound(struct engine_run *e, int conn, uint8_t *d, size_t len, char *err, size_t cap)
{
	if (len < 20 || (d[0] >> 4) != 4)
		return true;
	size_t ihl = (size_t)(d[0] & 0x0fu) * 4u;
	if (len < ihl + 20)
		return true;
	uint8_t *tcp = d + ihl;
	size_t doff = (size_t)(tcp[12] >> 4) * 4u;
	if (!(tcp[13] & TCP_ACK) || doff < 20 || ihl + doff > len)
		return true;
	int off = ts_offset(tcp + 20, doff - 20);
	if (off < 0)
		return true;
	uint8_t *ecr = tcp + 20 + off + 4;
	uint32_t want = get32(ecr);
	const struct engine_conn *c = conn >= 0 ? &e->conns[conn] : NULL;
	bool found = false;
	uint32_t live = 0;
	for (unsigned i = 0; c && i < c->ts_n && !found; i++)
		if (c->ts_script[i] == want) {
			live = c->ts_live[i];
			found = true;
		}
	/* packetdrill's --tcp_ts_ecr_scaled: an ecr that names no val is
	 * moved by the offset between the connection's first script and
	 * wire TS vals (an ecr the DUT never sent, which it must reject,
	 * stays one). */
	if (!found && c && c->ts_first_known && ts_ecr_scaled(e->s)) {
		live = want - c->ts_first_script + c->ts_first_live;
		found = true;
	}
	if (found) {
		put32(ecr, live);
		uint32_t src = get32(d + 12), dst = get32(d + 16);
		tcp[16] = tcp[17] = 0;
		tcp_checksum(tcp, len - ihl, src, dst);
		return true;
	}
	snprintf(err, cap, "unable to infer live TS ecr for script TS ecr %u; no matching or preceding outbound TS val",
		 want);
	return false;
}
