/*
 * test_node.c - our driver and stack on simulated boards (sim/node.h), end
 * to end on a link: boot and gratuitous ARP (and again after a link flap),
 * ARP between two stacks, ICMP echo answered to a raw probe port, a TCP
 * handshake, and the requirement: two stacks handshake, echo
 * 100 KB (clean link, and 5% seeded loss), close cleanly, and leave every
 * pool empty with every driver and stack counter explained and both chip
 * checkers silent. The same seed twice gives identical event counts, link
 * bytes and capture.
 *
 * The probe port speaks raw frames built with core/wire codecs (as the
 * conformance engine does), so ARP and ICMP answers are checked from the
 * wire, not from the stack's own counters alone.
 */
#define _DEFAULT_SOURCE /* getpid() under -std=c11 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"
#include "pcap_tap.h"
#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

#define IP_A 0x0A000001u
#define IP_B 0x0A000002u
#define IP_PROBE 0x0A000009u
#define ECHO_PORT 7u
#define ECHO_TOTAL (100u * 1024u)

/* ---- A world: one link, two nodes, an optional probe port and capture ---- */

struct probe {
	struct sim_port *port;
	struct sim_link *link;
	uint8_t mac[6];
	uint32_t arp_replies_seen;    /* replies to our requests */
	uint8_t learned_mac[6];
	uint32_t echo_replies_seen;
	uint16_t last_echo_seq;
	uint32_t arp_requests_answered;
	uint32_t frames_seen;
	uint64_t last_rx_at;          /* when the last frame reached the probe */
	size_t last_rx_len;
	uint64_t last_tap_start;      /* wire start of the last frame tapped */
};

struct world {
	struct sim sim;
	struct sim_link link;
	struct sim_node a, b;
	struct probe probe;
	struct sim_pcap pcap;
	bool have_pcap;
};

struct world_opts {
	uint64_t seed;
	uint32_t loss_ppm;
	const char *pcap_path;
	sim_node_fn boot_a, boot_b;
	void *ctx_a, *ctx_b;
	bool probe;
	bool no_start_a;
};

static void probe_deliver(void *ctx, const uint8_t *frame, size_t len, uint64_t now);

static void probe_tap(void *ctx, const uint8_t *frame, size_t len, uint64_t start, unsigned port)
{
	struct probe *p = ctx;
	(void)frame;
	(void)len;
	(void)port;
	p->last_tap_start = start;
}

static struct world *world_new(const struct world_opts *o)
{
	struct world *w = calloc(1, sizeof *w);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(sim_init(&w->sim, o->seed, 256), 0);
	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	lc.loss_ppm = o->loss_ppm;
	lc.latency_ns = NET_US(5);
	lc.name = "link0";
	ck_assert_int_eq(sim_link_init(&w->link, &w->sim, &lc), 0);
	struct sim_node_config ca, cb;
	sim_node_config_defaults(&ca, &w->sim, "node-a", 1);
	sim_node_config_defaults(&cb, &w->sim, "node-b", 2);
	/* Virtual time is free, but keep 2*MSL short so the leak check
	 * after TIME-WAIT does not wait on ARP ageing alone. */
	ca.net.time_wait_ms = cb.net.time_wait_ms = 2000;
	ca.on_boot = o->boot_a;
	ca.app_ctx = o->ctx_a;
	cb.on_boot = o->boot_b;
	cb.app_ctx = o->ctx_b;
	ck_assert_int_eq(sim_node_init(&w->a, &w->sim, &ca), 0);
	ck_assert_int_eq(sim_node_init(&w->b, &w->sim, &cb), 0);
	if (o->pcap_path) {
		char err[256];
		ck_assert_msg(sim_pcap_open(&w->pcap, o->pcap_path, err, sizeof err) == 0, "%s", err);
		ck_assert_int_eq(sim_pcap_attach(&w->pcap, &w->link), 0);
		w->have_pcap = true;
	}
	if (o->probe) {
		static const uint8_t pm[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
		memcpy(w->probe.mac, pm, 6);
		w->probe.link = &w->link;
		w->probe.port = sim_link_attach(&w->link, probe_deliver, &w->probe);
		ck_assert_ptr_nonnull(w->probe.port);
		ck_assert_int_eq(sim_link_add_tap(&w->link, probe_tap, &w->probe), 0);
	}
	/* B (the server) first; A 1 us later. Both wait out CLKRDY. */
	ck_assert_int_eq(sim_node_start(&w->b, &w->link, 0), 0);
	if (!o->no_start_a)
		ck_assert_int_eq(sim_node_start(&w->a, &w->link, NET_US(1)), 0);
	return w;
}

static void world_free(struct world *w)
{
	if (w->have_pcap) {
		char err[256];
		ck_assert_msg(sim_pcap_close(&w->pcap, err, sizeof err) == 0, "%s", err);
	}
	sim_free(&w->sim); /* first: the queue names the boards' timers */
	sim_link_free(&w->link);
	sim_node_free(&w->a);
	sim_node_free(&w->b);
	free(w);
}

static void run_for(struct world *w, uint64_t ns)
{
	sim_run_until(&w->sim, sim_now(&w->sim) + ns, 0);
}

static unsigned diag_count(const struct world *w)
{
	return model_diag_count(w->a.board.model) + model_diag_count(w->b.board.model);
}

static void print_diags(const struct sim_node *n)
{
	unsigned k = model_diag_count(n->board.model);
	for (unsigned i = 0; i < k && i < MODEL_DIAG_MAX; i++) {
		char buf[200];
		model_diag_format(model_diag_get(n->board.model, i), buf, sizeof buf);
		fprintf(stderr, "%s: %s\n", n->cfg.name, buf);
	}
}

/* Driver counters that mean something went wrong that no link impairment
 * in these tests explains (no corruption, no faults injected). */
static void assert_driver_clean(const struct sim_node *n)
{
	const struct enc_stats *st = &n->enc.stats;
	ck_assert_int_eq(n->init_rc, ENC_OK);
	ck_assert_uint_eq(st->rx_bad_status, 0);
	ck_assert_uint_eq(st->rx_bad_length, 0);
	ck_assert_uint_eq(st->rx_overflows, 0);
	ck_assert_uint_eq(st->rx_resets, 0);
	ck_assert_uint_eq(st->rx_truncated, 0);
	ck_assert_uint_eq(st->tx_aborts, 0);
	ck_assert_uint_eq(st->tx_stalls, 0);
	const struct model_stats *ms = model_get_stats(n->board.model);
	ck_assert_uint_eq(ms->rx_dropped_full, 0);
	ck_assert_uint_eq(ms->rx_dropped_crc, 0);
	ck_assert_uint_eq(n->board.stats.int_storms, 0);
	ck_assert_uint_eq(net_stat(&n->stack, NET_STAT_IP_TX_FAIL), 0);
	ck_assert_uint_eq(net_stat(&n->stack, NET_STAT_TCP_CHECKSUM), 0);
	ck_assert_uint_eq(net_stat(&n->stack, NET_STAT_IP_CHECKSUM), 0);
	ck_assert_uint_eq(net_stat(&n->stack, NET_STAT_TCP_TIMEOUTS), 0);
}

/* ---- Probe port: raw frames, answers ARP for IP_PROBE ---- */

static void probe_send(struct probe *p, const uint8_t *f, size_t len)
{
	uint8_t buf[SIM_LINK_MAX_FRAME];
	memcpy(buf, f, len);
	if (len < 60) {
		memset(buf + len, 0, 60 - len);
		len = 60;
	}
	sim_link_send_nofcs(p->port, buf, len, p->link->sim->now);
}

static size_t build_arp(uint8_t *f, const struct probe *p, uint16_t op, const uint8_t *dst_mac, uint32_t tpa)
{
	struct eth_repr e;
	struct arp_repr a;
	memset(&e, 0, sizeof e);
	memset(&a, 0, sizeof a);
	memcpy(e.dst, dst_mac, 6);
	memcpy(e.src, p->mac, 6);
	e.ethertype = ETH_TYPE_ARP;
	a.op = op;
	memcpy(a.sha, p->mac, 6);
	a.spa = IP_PROBE;
	if (op == ARP_OP_REPLY)
		memcpy(a.tha, dst_mac, 6);
	a.tpa = tpa;
	eth_emit(&e, f, ETH_HDR_LEN);
	arp_emit(&a, f + ETH_HDR_LEN, ARP_LEN);
	return ETH_HDR_LEN + ARP_LEN;
}

static size_t build_ping(uint8_t *f, const struct probe *p, const uint8_t *dst_mac, uint32_t dst, uint16_t seq)
{
	static const uint8_t data[32] = "synack probe ping payload 012345";
	struct eth_repr e;
	memcpy(e.dst, dst_mac, 6);
	memcpy(e.src, p->mac, 6);
	e.ethertype = ETH_TYPE_IPV4;
	eth_emit(&e, f, ETH_HDR_LEN);
	struct icmp_repr ic = {.type = ICMP_ECHO_REQUEST, .ident = 0x5a5a, .seq = seq, .data = data,
			       .data_len = sizeof data};
	int il = icmp_emit(&ic, f + ETH_HDR_LEN + IPV4_HDR_MIN, 200);
	ck_assert_int_gt(il, 0);
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = IP_PROBE;
	ip.dst = dst;
	ip.proto = IPV4_PROTO_ICMP;
	ip.ttl = 64;
	ip.id = seq;
	ip.total_len = (uint16_t)(IPV4_HDR_MIN + (unsigned)il);
	ipv4_emit(&ip, f + ETH_HDR_LEN, IPV4_HDR_MIN);
	return ETH_HDR_LEN + IPV4_HDR_MIN + (size_t)il;
}

static void probe_deliver(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct probe *p = ctx;
	ck_assert(sim_frame_fcs_ok(frame, len));
	p->last_rx_at = now;
	p->last_rx_len = len;
	len -= 4;
	struct eth_repr e;
	if (eth_parse(frame, len, &e) < 0)
		return;
	if (memcmp(e.dst, p->mac, 6) != 0 && !eth_is_broadcast(e.dst))
		return;
	p->frames_seen++;
	if (e.ethertype == ETH_TYPE_ARP) {
		struct arp_repr a;
		if (arp_parse(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, &a) < 0)
			return;
		if (a.op == ARP_OP_REPLY && a.tpa == IP_PROBE) {
			p->arp_replies_seen++;
			memcpy(p->learned_mac, a.sha, 6);
		} else if (a.op == ARP_OP_REQUEST && a.tpa == IP_PROBE) {
			uint8_t f[64];
			size_t n = build_arp(f, p, ARP_OP_REPLY, a.sha, a.spa);
			/* build_arp fills tpa from the argument: the asker. */
			p->arp_requests_answered++;
			probe_send(p, f, n);
		}
		return;
	}
	if (e.ethertype != ETH_TYPE_IPV4)
		return;
	struct ipv4_repr ip;
	if (ipv4_parse(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, &ip) < 0 || ip.proto != IPV4_PROTO_ICMP ||
	    ip.dst != IP_PROBE)
		return;
	struct icmp_repr ic;
	if (icmp_parse(frame + ETH_HDR_LEN + ip.hdr_len, (size_t)(ip.total_len - ip.hdr_len), &ic) < 0)
		return;
	if (ic.type == ICMP_ECHO_REPLY && ic.ident == 0x5a5a && ic.data_len == 32 &&
	    memcmp(ic.data, "synack probe ping payload 012345", 32) == 0) {
		p->echo_replies_seen++;
		p->last_echo_seq = ic.seq;
	}
}

/* ---- Boot, gratuitous ARP, link flap ---- */

START_TEST(test_node_boot_announces_with_gratuitous_arp)
{
	struct world_opts o = {.seed = 1};
	struct world *w = world_new(&o);
	run_for(w, NET_MS(10));
	ck_assert(w->a.booted && w->b.booted);
	ck_assert_int_eq(w->a.init_rc, ENC_OK);
	ck_assert(w->a.stack.link_up && w->b.stack.link_up);
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_ARP_GRATUITOUS), 1);
	ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_ARP_GRATUITOUS), 1);
	ck_assert_uint_eq(w->link.stats.frames_sent, 2);
	/* Each saw the other's announcement (broadcast). */
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_ARP_RX), 1);
	ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_ARP_RX), 1);
	ck_assert_uint_eq(diag_count(w), 0);
	/* Nothing to do: both boards sleep until INT (only ARP ageing, if
	 * anything, is left in the queue). */
	uint64_t runs = w->a.board.stats.runs;
	run_for(w, NET_S(1));
	ck_assert_uint_eq(w->a.board.stats.runs, runs);
	world_free(w);
}
END_TEST

START_TEST(test_node_link_flap_announces_again)
{
	struct world_opts o = {.seed = 2};
	struct world *w = world_new(&o);
	run_for(w, NET_MS(10));
	model_fault_link_flap(w->a.board.model, sim_now(&w->sim) + NET_MS(1), sim_now(&w->sim) + NET_MS(50));
	sim_board_model_changed(&w->a.board);
	run_for(w, NET_MS(20));
	ck_assert(!w->a.stack.link_up);
	run_for(w, NET_MS(100));
	ck_assert(w->a.stack.link_up);
	ck_assert_uint_eq(w->a.enc.stats.link_changes, 2);
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_ARP_GRATUITOUS), 2);
	ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_ARP_GRATUITOUS), 1);
	ck_assert_uint_eq(diag_count(w), 0);
	world_free(w);
}
END_TEST

/* ---- ARP and ICMP from the probe ---- */

START_TEST(test_node_answers_arp_and_ping_from_the_wire)
{
	struct world_opts o = {.seed = 3, .probe = true};
	struct world *w = world_new(&o);
	run_for(w, NET_MS(10));
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t f[128];
	size_t n = build_arp(f, &w->probe, ARP_OP_REQUEST, bcast, IP_B);
	probe_send(&w->probe, f, n);
	run_for(w, NET_MS(5));
	ck_assert_uint_eq(w->probe.arp_replies_seen, 1);
	ck_assert_mem_eq(w->probe.learned_mac, w->b.cfg.enc.mac, 6);
	/* The reply reached us one frame time (with preamble and gap, as
	 * the chip reports it) plus latency after its first bit left. */
	ck_assert_uint_eq(w->probe.last_rx_at - w->probe.last_tap_start,
			  sim_link_wire_ns(w->probe.last_rx_len + SIM_LINK_OVERHEAD_BYTES) + NET_US(5));
	ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_ARP_REPLIES), 1);
	/* A saw the request too (broadcast), as it saw B's announcement. */
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_ARP_NOT_US), 2);

	for (uint16_t seq = 1; seq <= 3; seq++) {
		n = build_ping(f, &w->probe, w->probe.learned_mac, IP_B, seq);
		probe_send(&w->probe, f, n);
		run_for(w, NET_MS(5));
	}
	/* The first reply may wait for B to resolve the probe's address
	 * (the stack drops it and counts arp.pending_drop unless it learnt
	 * the address from our request); every later one comes back. */
	uint32_t dropped = net_stat(&w->b.stack, NET_STAT_ARP_PENDING_DROP);
	ck_assert_uint_eq(w->probe.echo_replies_seen + dropped, 3);
	ck_assert_uint_ge(w->probe.echo_replies_seen, 2);
	ck_assert_uint_eq(w->probe.last_echo_seq, 3);
	ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_ICMP_ECHO_REPLIES), w->probe.echo_replies_seen);
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_ICMP_RX), 0);
	assert_driver_clean(&w->a);
	assert_driver_clean(&w->b);
	ck_assert_uint_eq(diag_count(w), 0);
	world_free(w);
}
END_TEST

/* ---- TCP apps ---- */

struct app {
	/* Client */
	struct tcp_pcb *c;
	uint32_t total;       /* bytes to send (client) */
	uint32_t sent;        /* bytes handed to tcp_write */
	uint32_t rcvd;        /* bytes received back (client) / echoed (server) */
	uint32_t bad;         /* bytes that did not match the pattern */
	bool echo;            /* server: echo what arrives */
	bool close_when_done; /* client: close once everything came back */
	uint32_t ev[TCP_EV_COUNT]; /* events seen, by enum tcp_event */
	uint8_t state_at_close;
	uint8_t peer_state_at_close;
	struct sim_node *peer;
	uint64_t t_connected, t_closed;
	struct sim *sim;
};

static uint8_t pattern(uint32_t k)
{
	return (uint8_t)((k * 2654435761u) >> 24);
}

static void client_fill(struct net_stack *s, struct app *a)
{
	uint8_t buf[256];
	while (a->c && a->sent < a->total) {
		uint32_t left = a->total - a->sent;
		uint16_t k = (uint16_t)(left < sizeof buf ? left : sizeof buf);
		for (uint16_t i = 0; i < k; i++)
			buf[i] = pattern(a->sent + i);
		uint16_t took = tcp_write(s, a->c, buf, k);
		a->sent += took;
		if (took < k)
			break;
	}
	if (a->c)
		tcp_flush(s, a->c);
}

static void client_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct app *a = ctx;
	a->ev[ev]++;
	switch (ev) {
	case TCP_EV_CONNECTED:
		a->t_connected = sim_now(a->sim);
		client_fill(s, a);
		break;
	case TCP_EV_SENT:
		client_fill(s, a);
		break;
	case TCP_EV_DATA: {
		uint8_t buf[1600];
		uint16_t got = tcp_recv(s, c, buf, n < sizeof buf ? n : (uint16_t)sizeof buf);
		for (uint16_t i = 0; i < got; i++)
			a->bad += buf[i] != pattern(a->rcvd + i);
		a->rcvd += got;
		if (a->close_when_done && a->rcvd == a->total)
			ck_assert_int_eq(tcp_close(s, c), TCP_OK);
		break;
	}
	case TCP_EV_PEER_CLOSED:
	case TCP_EV_URGENT:
		break;
	case TCP_EV_CLOSED:
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		a->state_at_close = c->state; /* TIME-WAIT (block lingers) or CLOSED */
		a->t_closed = sim_now(a->sim);
		a->c = NULL;
		break;
	}
}

static void server_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct app *a = ctx;
	a->ev[ev]++;
	switch (ev) {
	case TCP_EV_CONNECTED:
		a->c = c;
		/* Flow control without a buffer of our own: offer exactly
		 * the send ring space we can echo into. */
		tcp_set_rcv_wnd(s, c, tcp_send_space(s, c));
		break;
	case TCP_EV_DATA: {
		uint8_t buf[1600];
		uint16_t space = tcp_send_space(s, c);
		uint16_t k = n < space ? n : space;
		if (k > sizeof buf)
			k = sizeof buf;
		uint16_t got = tcp_recv(s, c, buf, k);
		ck_assert_uint_eq(tcp_write(s, c, buf, got), got);
		a->rcvd += got;
		tcp_set_rcv_wnd(s, c, tcp_send_space(s, c));
		break;
	}
	case TCP_EV_SENT:
		tcp_set_rcv_wnd(s, c, tcp_send_space(s, c));
		break;
	case TCP_EV_PEER_CLOSED:
		ck_assert_int_eq(tcp_close(s, c), TCP_OK);
		break;
	case TCP_EV_URGENT:
		break;
	case TCP_EV_CLOSED:
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		a->state_at_close = c->state;
		a->t_closed = sim_now(a->sim);
		a->c = NULL;
		break;
	}
}

static void boot_server(struct sim_node *n, void *ctx)
{
	ck_assert_int_eq(tcp_listen(&n->stack, ECHO_PORT, server_cb, ctx), TCP_OK);
}

static void do_connect(struct sim_node *n, void *ctx)
{
	struct app *a = ctx;
	a->c = tcp_connect(&n->stack, IP_B, ECHO_PORT, client_cb, a);
	ck_assert_ptr_nonnull(a->c);
}

START_TEST(test_node_arp_then_tcp_handshake)
{
	struct app cli, srv;
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	struct world_opts o = {.seed = 4, .boot_b = boot_server, .ctx_b = &srv};
	struct world *w = world_new(&o);
	cli.sim = srv.sim = &w->sim;
	run_for(w, NET_MS(10));
	ck_assert_uint_eq(arp_entries_in_use(&w->a.stack), 0);
	sim_node_exec(&w->a, do_connect, &cli);
	ck_assert_uint_eq(w->a.board.stats.execs, 1);
	ck_assert_int_eq(tcp_state(cli.c), TCP_SYN_SENT);
	run_for(w, NET_MS(10));
	/* A asked for B's address once; B answered; then SYN, SYN-ACK, ACK. */
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_ARP_REQUESTS), 1);
	ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_ARP_REPLIES), 1);
	ck_assert_uint_eq(arp_entries_in_use(&w->a.stack), 1);
	ck_assert_uint_eq(w->a.stack.arp[0].state, ARP_VALID);
	ck_assert_mem_eq(w->a.stack.arp[0].mac, w->b.cfg.enc.mac, 6);
	ck_assert_uint_eq(cli.ev[TCP_EV_CONNECTED], 1);
	ck_assert_uint_eq(srv.ev[TCP_EV_CONNECTED], 1);
	ck_assert_int_eq(tcp_state(cli.c), TCP_ESTABLISHED);
	ck_assert_int_eq(tcp_state(srv.c), TCP_ESTABLISHED);
	ck_assert_uint_eq(cli.c->snd_una, srv.c->rcv_nxt);
	ck_assert_uint_eq(srv.c->snd_una, cli.c->rcv_nxt);
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_TCP_RETRANSMITS), 0);
	ck_assert_uint_eq(diag_count(w), 0);
	assert_driver_clean(&w->a);
	assert_driver_clean(&w->b);
	world_free(w);
}
END_TEST

static void do_listen(struct sim_node *n, void *ctx)
{
	ck_assert_int_eq(tcp_listen(&n->stack, ECHO_PORT, server_cb, ctx), TCP_OK);
}

static void boot_server_via_exec(struct sim_node *n, void *ctx)
{
	/* Inside the boot pass: exec must run fn right here, on the running
	 * pass's cursor, without a nested pass or poll. */
	sim_node_exec(n, do_listen, ctx);
	ck_assert_uint_eq(n->board.stats.execs, 0);
	ck_assert_ptr_nonnull(n->stack.listeners[0].cb);
}

START_TEST(test_node_exec_inside_a_pass_runs_in_place)
{
	struct app cli, srv;
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	struct world_opts o = {.seed = 6, .boot_b = boot_server_via_exec, .ctx_b = &srv};
	struct world *w = world_new(&o);
	cli.sim = srv.sim = &w->sim;
	run_for(w, NET_MS(10));
	ck_assert_uint_eq(w->b.stack.listeners[0].port, ECHO_PORT);
	sim_node_exec(&w->a, do_connect, &cli);
	run_for(w, NET_MS(10));
	ck_assert_uint_eq(cli.ev[TCP_EV_CONNECTED], 1);
	ck_assert_uint_eq(srv.ev[TCP_EV_CONNECTED], 1);
	ck_assert_uint_eq(w->b.board.stats.execs, 0);
	ck_assert_uint_eq(diag_count(w), 0);
	world_free(w);
}
END_TEST

/* An application call on a board that has been idle for a long time: the
 * stack's clock is that of its last poll, so whatever the call arms must
 * not fire at once (no SYN retransmitted in the same instant). */
START_TEST(test_node_connect_after_long_idle_does_not_retransmit)
{
	struct app cli, srv;
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	struct world_opts o = {.seed = 7, .boot_b = boot_server, .ctx_b = &srv};
	struct world *w = world_new(&o);
	cli.sim = srv.sim = &w->sim;
	run_for(w, NET_S(10));
	sim_node_exec(&w->a, do_connect, &cli);
	run_for(w, NET_MS(10));
	ck_assert_uint_eq(cli.ev[TCP_EV_CONNECTED], 1);
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_TCP_RETRANSMITS), 0);
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_TCP_SEGS_SENT), 2); /* SYN, ACK */
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_ARP_REQUESTS), 1);
	world_free(w);
}
END_TEST

START_TEST(test_node_exec_before_boot_is_skipped)
{
	struct app cli;
	memset(&cli, 0, sizeof cli);
	struct world_opts o = {.seed = 5, .no_start_a = true};
	struct world *w = world_new(&o);
	sim_node_exec(&w->a, do_connect, &cli);
	ck_assert_ptr_null(cli.c);
	ck_assert_uint_eq(w->a.exec_skipped, 1);
	ck_assert_uint_eq(w->a.board.stats.execs, 0);
	world_free(w);
}
END_TEST

/* ---- The end-to-end requirement ---- */

struct echo_result {
	uint64_t events_run;
	uint64_t link_bytes;
	uint64_t link_frames;
	uint64_t dropped_loss;
	uint64_t end_time;
	uint64_t spi_a, spi_b;
};

static void echo_run(uint64_t seed, uint32_t loss_ppm, const char *pcap, struct echo_result *res)
{
	struct app cli, srv;
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	cli.total = ECHO_TOTAL;
	cli.close_when_done = true;
	srv.echo = true;
	struct world_opts o = {.seed = seed, .loss_ppm = loss_ppm, .pcap_path = pcap, .boot_b = boot_server,
			       .ctx_b = &srv};
	struct world *w = world_new(&o);
	cli.sim = srv.sim = &w->sim;
	run_for(w, NET_MS(1));
	sim_node_exec(&w->a, do_connect, &cli);
	/* Runs until every timer has fired: TIME-WAIT (2 s here) and the ARP
	 * entries' ageing (5 min). An hour of virtual time is the limit. */
	enum sim_idle_result end = sim_run_until_idle(&w->sim, NET_S(3600), 0);
	ck_assert_int_eq(end, SIM_IDLE);

	if (diag_count(w)) {
		print_diags(&w->a);
		print_diags(&w->b);
	}
	ck_assert_uint_eq(diag_count(w), 0);
	/* The data: every byte sent, echoed and checked. */
	ck_assert_uint_eq(cli.sent, ECHO_TOTAL);
	ck_assert_uint_eq(srv.rcvd, ECHO_TOTAL);
	ck_assert_uint_eq(cli.rcvd, ECHO_TOTAL);
	ck_assert_uint_eq(cli.bad, 0);
	/* A clean close on both sides: the client closed first and went
	 * through TIME-WAIT; the server ended in CLOSED (LAST-ACK acked) and
	 * still listens. */
	ck_assert_uint_eq(cli.ev[TCP_EV_CONNECTED], 1);
	ck_assert_uint_eq(cli.ev[TCP_EV_CLOSED], 1);
	/* FIN-WAIT-2 -> TIME-WAIT reports CLOSED only (PEER_CLOSED is the
	 * CLOSE-WAIT signal of the side that did not close first). */
	ck_assert_uint_eq(cli.ev[TCP_EV_PEER_CLOSED], 0);
	ck_assert_uint_eq(srv.ev[TCP_EV_PEER_CLOSED], 1);
	ck_assert_uint_eq(cli.ev[TCP_EV_RESET] + cli.ev[TCP_EV_TIMEOUT] + cli.ev[TCP_EV_REFUSED], 0);
	ck_assert_uint_eq(srv.ev[TCP_EV_CLOSED], 1);
	ck_assert_uint_eq(srv.ev[TCP_EV_RESET] + srv.ev[TCP_EV_TIMEOUT] + srv.ev[TCP_EV_REFUSED], 0);
	ck_assert_int_eq(cli.state_at_close, TCP_TIME_WAIT);
	ck_assert(srv.state_at_close == TCP_CLOSED || srv.state_at_close == TCP_TIME_WAIT);
	/* Pools: no connection block left once TIME-WAIT expired; the
	 * listener stays; ARP entries aged out. */
	ck_assert_uint_eq(tcp_pcbs_in_use(&w->a.stack), 0);
	ck_assert_uint_eq(tcp_pcbs_in_use(&w->b.stack), 0);
	ck_assert_uint_eq(w->b.stack.listeners[0].port, ECHO_PORT);
	ck_assert_uint_eq(arp_entries_in_use(&w->a.stack), 0);
	ck_assert_uint_eq(arp_entries_in_use(&w->b.stack), 0);
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_ARP_EXPIRED), 1);
	ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_ARP_EXPIRED), 1);
	/* Every frame accounted for: driver and model clean, no RST. */
	assert_driver_clean(&w->a);
	assert_driver_clean(&w->b);
	ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_TCP_RST_SENT), 0);
	ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_TCP_RST_SENT), 0);
	ck_assert_uint_eq(w->link.stats.dropped_no_slot, 0);
	uint32_t rtx = net_stat(&w->a.stack, NET_STAT_TCP_RETRANSMITS) + net_stat(&w->b.stack, NET_STAT_TCP_RETRANSMITS);
	uint32_t ooo = net_stat(&w->a.stack, NET_STAT_TCP_OOO) + net_stat(&w->b.stack, NET_STAT_TCP_OOO);
	if (loss_ppm == 0) {
		ck_assert_uint_eq(w->link.stats.dropped_loss, 0);
		ck_assert_uint_eq(rtx, 0);
		ck_assert_uint_eq(ooo, 0);
		ck_assert_uint_eq(net_stat(&w->a.stack, NET_STAT_TCP_UNREAD), 0);
		ck_assert_uint_eq(net_stat(&w->b.stack, NET_STAT_TCP_UNREAD), 0);
	} else {
		/* Losses happened, and recovery came from retransmission. */
		ck_assert_uint_gt(w->link.stats.dropped_loss, 0);
		ck_assert_uint_gt(rtx, 0);
	}
	ck_assert_uint_eq(w->link.stats.frames_sent,
			  w->link.stats.frames_delivered + w->link.stats.dropped_loss);
	res->events_run = w->sim.events_run;
	res->link_bytes = w->link.stats.bytes_sent;
	res->link_frames = w->link.stats.frames_sent;
	res->dropped_loss = w->link.stats.dropped_loss;
	res->end_time = cli.t_closed;
	res->spi_a = w->a.board.stats.spi_bytes;
	res->spi_b = w->b.board.stats.spi_bytes;
	fprintf(stderr,
		"echo seed %llu loss %u ppm: closed at %.3f s virtual, %llu frames (%llu lost), rtx %u, ooo %u, "
		"events %llu\n",
		(unsigned long long)seed, loss_ppm, (double)cli.t_closed / 1e9,
		(unsigned long long)res->link_frames, (unsigned long long)res->dropped_loss, rtx, ooo,
		(unsigned long long)res->events_run);
	world_free(w);
}

START_TEST(test_node_echo_100k_clean_link_closes_cleanly)
{
	struct echo_result r;
	echo_run(11, 0, NULL, &r);
}
END_TEST

START_TEST(test_node_echo_100k_with_5pct_loss_closes_cleanly)
{
	struct echo_result r;
	echo_run(12, 50000, NULL, &r);
}
END_TEST

static size_t slurp(const char *path, unsigned char **out)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	ck_assert_int_gt(n, 24);
	*out = malloc((size_t)n);
	ck_assert_ptr_nonnull(*out);
	ck_assert_uint_eq(fread(*out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return (size_t)n;
}

START_TEST(test_node_echo_same_seed_identical_run)
{
	char p1[128], p2[128], p3[128];
	snprintf(p1, sizeof p1, "/tmp/synack-test-node-%ld-1.pcap", (long)getpid());
	snprintf(p2, sizeof p2, "/tmp/synack-test-node-%ld-2.pcap", (long)getpid());
	snprintf(p3, sizeof p3, "/tmp/synack-test-node-%ld-3.pcap", (long)getpid());
	struct echo_result r1, r2, r3;
	echo_run(21, 50000, p1, &r1);
	echo_run(21, 50000, p2, &r2);
	echo_run(22, 50000, p3, &r3);
	ck_assert_uint_eq(r1.events_run, r2.events_run);
	ck_assert_uint_eq(r1.link_bytes, r2.link_bytes);
	ck_assert_uint_eq(r1.link_frames, r2.link_frames);
	ck_assert_uint_eq(r1.end_time, r2.end_time);
	ck_assert_uint_eq(r1.spi_a, r2.spi_a);
	ck_assert_uint_eq(r1.spi_b, r2.spi_b);
	unsigned char *b1, *b2, *b3;
	size_t n1 = slurp(p1, &b1), n2 = slurp(p2, &b2), n3 = slurp(p3, &b3);
	ck_assert_uint_eq(n1, n2);
	ck_assert(memcmp(b1, b2, n1) == 0);
	ck_assert(n1 != n3 || memcmp(b1, b3, n1) != 0);
	free(b1);
	free(b2);
	free(b3);
	unlink(p1);
	unlink(p2);
	unlink(p3);
}
END_TEST

static Suite *node_suite(void)
{
	Suite *s = suite_create("sim_node");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_node_boot_announces_with_gratuitous_arp);
	tcase_add_test(tc, test_node_link_flap_announces_again);
	tcase_add_test(tc, test_node_answers_arp_and_ping_from_the_wire);
	tcase_add_test(tc, test_node_arp_then_tcp_handshake);
	tcase_add_test(tc, test_node_exec_inside_a_pass_runs_in_place);
	tcase_add_test(tc, test_node_connect_after_long_idle_does_not_retransmit);
	tcase_add_test(tc, test_node_exec_before_boot_is_skipped);
	tcase_add_test(tc, test_node_echo_100k_clean_link_closes_cleanly);
	tcase_add_test(tc, test_node_echo_100k_with_5pct_loss_closes_cleanly);
	tcase_add_test(tc, test_node_echo_same_seed_identical_run);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(node_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
