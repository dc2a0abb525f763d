/*
 * inject.c - the off-path attacker (see inject.h).
 *
 * Theory, for a segment with a uniform SEQ over S = 2^space_bits values,
 * receive window W, payload L (what the stack's rules in core/net/tcp_in.c
 * accept):
 *   RST, RFC 793:  any SEQ in [RCV.NXT, RCV.NXT + W) resets      W / S
 *   RST, RFC 5961: only SEQ = RCV.NXT resets (§3.2; the rest of the
 *                  window draws a challenge ACK)                   1 / S
 *   SYN, RFC 793:  a SYN in the window resets                      W / S
 *   SYN, RFC 5961: never (§4.2: always a challenge ACK)            0
 *   data:          the segment must be acceptable (SEQ in
 *                  [RCV.NXT - L + 1, RCV.NXT + W)), and since the stack
 *                  keeps no out-of-order data, only the L values with
 *                  SEQ <= RCV.NXT < SEQ + L hand bytes over        L / S
 *                  times the chance the ACK is accepted: RFC 793 only
 *                  refuses ACK > SND.NXT (about half of all values);
 *                  RFC 5961 §5.2 wants SND.UNA - MAX.SND.WND <= ACK <= SND.NXT,
 *                  (MAX.SND.WND + 1) / S_ack.
 * A stack with a reassembly queue would take data anywhere in the window:
 * W / S for the SEQ, the figure usually quoted.
 */
#include "inject.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "node.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define IP_A 0x0A000001u
#define IP_B 0x0A000002u
#define PORT 7002u

static const uint8_t MAC_ATTACKER[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x66};

struct inj {
	const struct inject_config *cfg;
	struct inject_result *r;
	struct sim sim;
	struct sim_link link;
	struct sim_node a, b;
	struct sim_port *evil;
	struct sim_rng rng;
	struct tcp_pcb *ca, *cb;
	bool b_hit;            /* the victim was reset or handed injected data */
	uint32_t b_got;        /* legitimate bytes at B (health check) */
	uint32_t a_got;
	uint64_t *chack_t;     /* challenge ACK times (ring, for the sliding window) */
	size_t chack_cap, chack_head, chack_len;
};

static void a_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct inj *k = ctx;
	uint8_t buf[1600];
	switch (ev) {
	case TCP_EV_DATA:
		k->a_got += tcp_recv(s, c, buf, n < sizeof buf ? n : (uint16_t)sizeof buf);
		break;
	case TCP_EV_CLOSED:
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		k->ca = NULL;
		break;
	case TCP_EV_CONNECTED:
	case TCP_EV_SENT:
	case TCP_EV_PEER_CLOSED:
	case TCP_EV_URGENT:
		break;
	}
}

static void b_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct inj *k = ctx;
	uint8_t buf[1600];
	switch (ev) {
	case TCP_EV_CONNECTED:
		k->cb = c;
		break;
	case TCP_EV_DATA: {
		uint16_t got = tcp_recv(s, c, buf, n < sizeof buf ? n : (uint16_t)sizeof buf);
		/* The attacker's bytes are 0xEE; the health check sends 0x11. */
		if (got && buf[0] == 0xEE)
			k->b_hit = true;
		else
			k->b_got += got;
		break;
	}
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
		k->b_hit = true;
		k->cb = NULL;
		break;
	case TCP_EV_CLOSED:
	case TCP_EV_TIMEOUT:
		k->cb = NULL;
		break;
	case TCP_EV_SENT:
	case TCP_EV_PEER_CLOSED:
	case TCP_EV_URGENT:
		break;
	}
}

static void boot_b(struct sim_node *n, void *ctx)
{
	(void)tcp_listen(&n->stack, PORT, b_cb, ctx);
}

static void do_connect(struct sim_node *n, void *ctx)
{
	struct inj *k = ctx;
	k->ca = tcp_connect(&n->stack, IP_B, PORT, a_cb, k);
}

static void abort_a(struct sim_node *n, void *ctx)
{
	struct inj *k = ctx;
	if (k->ca)
		tcp_abort(&n->stack, k->ca);
	k->ca = NULL;
}

static void abort_b(struct sim_node *n, void *ctx)
{
	struct inj *k = ctx;
	if (k->cb)
		tcp_abort(&n->stack, k->cb);
	k->cb = NULL;
}

static void send_100(struct sim_node *n, struct tcp_pcb *c)
{
	uint8_t buf[100];
	memset(buf, 0x11, sizeof buf);
	if (c)
		(void)tcp_send(&n->stack, c, buf, sizeof buf);
}

static void send_a(struct sim_node *n, void *ctx)
{
	send_100(n, ((struct inj *)ctx)->ca);
}

static void send_b(struct sim_node *n, void *ctx)
{
	send_100(n, ((struct inj *)ctx)->cb);
}

static void ignore(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	(void)ctx;
	(void)frame;
	(void)len;
	(void)now; /* off path: the attacker reads nothing */
}

static void run_for(struct inj *k, uint64_t ns)
{
	sim_run_until(&k->sim, sim_now(&k->sim) + ns, 0);
}

/* (Re)open the connection A -> B; true when both ends are established. */
static bool open_conn(struct inj *k)
{
	sim_node_exec(&k->a, abort_a, k);
	sim_node_exec(&k->b, abort_b, k);
	run_for(k, NET_MS(5));
	sim_node_exec(&k->a, do_connect, k);
	for (int i = 0; i < 100 && !(k->ca && k->cb && tcp_state(k->ca) == TCP_ESTABLISHED); i++)
		run_for(k, NET_MS(10));
	k->b_hit = false;
	return k->ca && k->cb && tcp_state(k->ca) == TCP_ESTABLISHED && tcp_state(k->cb) == TCP_ESTABLISHED;
}

/* A segment from "A" (spoofed) to B's connection. */
static void send_forged(struct inj *k, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t plen)
{
	uint8_t f[14 + 20 + 20 + 1460];
	struct eth_repr e;
	struct ipv4_repr ip;
	struct tcp_repr t;
	memcpy(e.dst, k->b.ncfg.mac, 6);
	memcpy(e.src, MAC_ATTACKER, 6);
	e.ethertype = ETH_TYPE_IPV4;
	memset(&ip, 0, sizeof ip);
	ip.src = IP_A;
	ip.dst = IP_B;
	ip.proto = IPV4_PROTO_TCP;
	ip.ttl = 64;
	ip.total_len = (uint16_t)(20u + 20u + plen);
	memset(&t, 0, sizeof t);
	t.src_port = k->ca ? k->ca->lport : 0;
	t.dst_port = PORT;
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.window = 1024;
	eth_emit(&e, f, sizeof f);
	ipv4_emit(&ip, f + 14, 20);
	tcp_emit(&t, f + 34, 20);
	memset(f + 54, 0xEE, plen);
	tcp_checksum(f + 34, 20u + plen, IP_A, IP_B);
	size_t len = 54u + plen;
	if (len < 60)
		memset(f + len, 0, 60 - len), len = 60;
	sim_link_send_nofcs(k->evil, f, len, sim_now(&k->sim));
}

static uint32_t draw(struct inj *k, uint32_t centre, unsigned bits)
{
	if (bits >= 32)
		return (uint32_t)sim_rng_next(&k->rng);
	uint32_t span = 1u << bits;
	return centre - span / 2u + (uint32_t)sim_rng_below(&k->rng, span);
}

static void note_chacks(struct inj *k, uint64_t n, uint64_t now)
{
	for (uint64_t i = 0; i < n; i++) {
		if (k->chack_len == k->chack_cap) {
			size_t cap = k->chack_cap ? 2 * k->chack_cap : 1024;
			uint64_t *t = malloc(cap * sizeof *t);
			if (!t)
				return;
			for (size_t j = 0; j < k->chack_len; j++)
				t[j] = k->chack_t[(k->chack_head + j) % k->chack_cap];
			free(k->chack_t);
			k->chack_t = t;
			k->chack_cap = cap;
			k->chack_head = 0;
		}
		k->chack_t[(k->chack_head + k->chack_len) % k->chack_cap] = now;
		k->chack_len++;
	}
	/* Keep only the last second. */
	while (k->chack_len && k->chack_t[k->chack_head] + NET_S(1) <= now) {
		k->chack_head = (k->chack_head + 1) % k->chack_cap;
		k->chack_len--;
	}
	if (k->chack_len > k->r->chack_max_1s)
		k->r->chack_max_1s = (uint32_t)k->chack_len;
}

static double theory(const struct inject_config *c, uint16_t w, uint16_t l, uint16_t max_snd_wnd)
{
	double S = (double)(1ull << (c->space_bits ? c->space_bits : 32));
	switch (c->kind) {
	case INJECT_RST:
		if (c->in_window_only)
			return c->rfc5961 ? 0.0 : 1.0;
		return c->rfc5961 ? 1.0 / S : w / S;
	case INJECT_SYN:
		if (c->rfc5961)
			return 0.0;
		return c->in_window_only ? 1.0 : w / S;
	case INJECT_DATA:
		return (double)l / S * (c->rfc5961 ? (max_snd_wnd + 1.0) / S : (S / 2.0 + 1.0) / S);
	}
	return 0.0;
}

bool inject_run(const struct inject_config *cfg, struct inject_result *r)
{
	struct inj *k = calloc(1, sizeof *k);
	bool ok = true;
	memset(r, 0, sizeof *r);
	if (!k) {
		snprintf(r->error, sizeof r->error, "out of memory");
		return false;
	}
	k->cfg = cfg;
	k->r = r;
	unsigned bits = cfg->space_bits && cfg->space_bits < 32 ? cfg->space_bits : 32;
	uint32_t rate = cfg->rate ? cfg->rate : 1000u;
	uint16_t plen = cfg->data_len ? cfg->data_len : 64u;
	if (plen > 1460)
		plen = 1460;

	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	lc.name = "inject";
	struct sim_node_config ca, cb;
	if (sim_init(&k->sim, cfg->seed, 256) != 0 || sim_link_init(&k->link, &k->sim, &lc) != 0) {
		snprintf(r->error, sizeof r->error, "out of memory");
		free(k);
		return false;
	}
	sim_rng_stream(&k->sim, &k->rng, "inject.attacker");
	sim_node_config_defaults(&ca, &k->sim, "inject-a", 1);
	sim_node_config_defaults(&cb, &k->sim, "inject-b", 2);
	if (cfg->rcv_wnd)
		cb.net.rcv_wnd = cfg->rcv_wnd;
	cb.net.profile = cfg->rfc5961 ? NET_PROFILE_RFC5961 : 0;
	cb.on_boot = boot_b;
	cb.app_ctx = k;
	r->chack_limit = cb.net.challenge_ack_limit;
	r->chack_interval_ms = cb.net.challenge_ack_interval_ms;
	if (sim_node_init(&k->a, &k->sim, &ca) != 0 || sim_node_init(&k->b, &k->sim, &cb) != 0 ||
	    sim_node_start(&k->b, &k->link, 0) != 0 || sim_node_start(&k->a, &k->link, NET_US(1)) != 0 ||
	    (k->evil = sim_link_attach(&k->link, ignore, k)) == NULL) {
		snprintf(r->error, sizeof r->error, "setting up the nodes failed");
		ok = false;
	}
	if (ok) {
		run_for(k, NET_MS(20));
		ok = open_conn(k);
		if (!ok)
			snprintf(r->error, sizeof r->error, "the connection did not open");
	}
	uint16_t w = k->cb ? k->cb->rcv_wnd : 0, msw = k->cb ? k->cb->max_snd_wnd : 0;
	r->theory = theory(cfg, w, plen, msw);
	uint64_t ch0 = net_stat(&k->b.stack, NET_STAT_TCP_CHALLENGE_ACKS);
	uint64_t lim0 = net_stat(&k->b.stack, NET_STAT_TCP_CHALLENGE_LIMITED);
	uint64_t out0 = net_stat(&k->b.stack, NET_STAT_TCP_SEGS_SENT);
	uint64_t rx0 = net_stat(&k->b.stack, NET_STAT_TCP_RX), extra_rx = 0;
	uint64_t t0 = sim_now(&k->sim), gap = NET_S(1) / rate;
	uint64_t extra_out = 0, ch_seen = ch0;
	for (uint64_t i = 0; ok && i < cfg->count; i++) {
		struct tcp_pcb *v = k->cb;
		uint32_t seq, ack = 0;
		uint8_t flags;
		uint16_t len = 0;
		switch (cfg->kind) {
		case INJECT_RST:
		case INJECT_SYN:
			flags = cfg->kind == INJECT_RST ? TCP_RST : TCP_SYN;
			if (cfg->in_window_only && v->rcv_wnd > 1u)
				seq = v->rcv_nxt + 1u + (uint32_t)sim_rng_below(&k->rng, v->rcv_wnd - 1u);
			else
				seq = draw(k, v->rcv_nxt, bits);
			break;
		case INJECT_DATA:
		default:
			flags = TCP_ACK | TCP_PSH;
			seq = draw(k, v->rcv_nxt, bits);
			ack = draw(k, v->snd_nxt, bits);
			len = plen;
			break;
		}
		send_forged(k, flags, seq, ack, len);
		r->sent++;
		run_for(k, gap);
		uint64_t ch = net_stat(&k->b.stack, NET_STAT_TCP_CHALLENGE_ACKS);
		note_chacks(k, ch - ch_seen, sim_now(&k->sim));
		ch_seen = ch;
		if (k->b_hit || !k->cb) {
			r->successes += k->b_hit;
			/* Counters survive the reopen; its own segments are not the flood's. */
			uint64_t o1 = net_stat(&k->b.stack, NET_STAT_TCP_SEGS_SENT);
			uint64_t x1 = net_stat(&k->b.stack, NET_STAT_TCP_RX);
			r->reconnects++;
			if (!open_conn(k)) {
				snprintf(r->error, sizeof r->error, "the connection did not reopen after success %" PRIu64,
					 r->successes);
				ok = false;
			}
			extra_out += net_stat(&k->b.stack, NET_STAT_TCP_SEGS_SENT) - o1;
			extra_rx += net_stat(&k->b.stack, NET_STAT_TCP_RX) - x1;
			ch_seen = net_stat(&k->b.stack, NET_STAT_TCP_CHALLENGE_ACKS);
		}
	}
	r->seconds = (double)(sim_now(&k->sim) - t0) * 1e-9;
	r->challenge_acks = net_stat(&k->b.stack, NET_STAT_TCP_CHALLENGE_ACKS) - ch0;
	r->challenge_limited = net_stat(&k->b.stack, NET_STAT_TCP_CHALLENGE_LIMITED) - lim0;
	r->acks_out = net_stat(&k->b.stack, NET_STAT_TCP_SEGS_SENT) - out0 - extra_out;
	r->reached = net_stat(&k->b.stack, NET_STAT_TCP_RX) - rx0 - extra_rx;
	if (ok) {
		/* Still a working connection: 100 bytes each way. */
		if (!k->cb || !k->ca || tcp_state(k->ca) != TCP_ESTABLISHED)
			(void)open_conn(k);
		run_for(k, NET_S(2)); /* past the challenge ACK interval */
		k->a_got = k->b_got = 0;
		sim_node_exec(&k->a, send_a, k);
		sim_node_exec(&k->b, send_b, k);
		run_for(k, NET_S(1));
		r->healthy_after = k->a_got == 100 && k->b_got == 100 && !k->b_hit;
	}
	sim_free(&k->sim);
	sim_link_free(&k->link);
	sim_node_free(&k->a);
	sim_node_free(&k->b);
	free(k->chack_t);
	free(k);
	return ok;
}
