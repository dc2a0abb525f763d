/*
 * soak.c - the TCP soak (see soak.h).
 *
 * The bound. Both stacks run with RTO initial = min = 1 s and max = 60 s
 * (RFC 6298 §2.1, §2.4, §2.5) and R = 16 retransmissions for SYN, SYN-ACK,
 * data and FIN. The retransmission counter is reset by every ACK that
 * advances SND.UNA (tcp_in.c), and a side gives up at the (R+1)-th expiry
 * with no progress; each wait is at most rto_max (the backed-off RTO is
 * kept until a new sample, RFC 6298 §5.7), so a side goes at most
 *
 *   G = (R + 1) * rto_max = 17 * 60 s = 1020 s
 *
 * without progress before it reaches a final state (TCP_EV_TIMEOUT). Each
 * direction of a connection makes at most three steps of progress: its
 * SYN acknowledged, its data acknowledged (max_bytes <= the receive
 * window, written in one call: one segment, acknowledged whole, since the
 * receiver reads all it is given and keeps no out-of-order data), its FIN
 * acknowledged. The six steps may all be serial (B's FIN waits for A's
 * FIN when B closes second), so both applications see a final event within
 *
 *   bound = 6 * G = 6120 s
 *
 * of tcp_connect(). The FIN-WAIT-2 timeout only shortens this: it turns a
 * wait for the peer's FIN into TCP_EV_TIMEOUT.
 *
 * TIME-WAIT. With RFC 9293's 2*MSL shorter than the peer's FIN
 * retransmission span, a FIN whose ACK was lost can arrive after the
 * TIME-WAIT block is gone; RFC 9293 §3.10.7.1 then makes us answer it with
 * a RST, and the peer sees TCP_EV_RESET. That is correct behaviour for
 * that configuration (at 15 % loss with a 2 s TIME-WAIT it happens), so a
 * soak with it would test the configuration, not the stack. The soak's
 * TIME-WAIT is longer than the whole span in which the peer can still
 * retransmit its FIN (G, all attempts lost but the last): G + rto_max =
 * 1080 s. Every retransmitted FIN then meets TIME-WAIT (which ACKs it and
 * restarts 2*MSL), and a RESET in the soak is a stack bug. Every block is
 * free again within release bound = TIME-WAIT + G after the last final
 * event.
 *
 * FIN-WAIT-2. The same holds for the stack's FIN-WAIT-2 timeout (default
 * 60 s, not an RFC timer): a peer whose FIN is being retransmitted with a
 * backed-off RTO of up to 60 s may have it all lost for longer than that;
 * our side then gives up (TCP_EV_TIMEOUT) and the FIN that finally arrives
 * draws a RST (the soak met this at 15 %: FIN-WAIT-2 entered at t, the
 * peer's FINs at t+32 s lost, t+92 s answered with RST). Correct for that
 * setting, so the soak waits as long as TIME-WAIT: G + rto_max.
 *
 * Retries. With the default R = 8, at 15 % of each impairment one round
 * trip fails with probability ~0.45 and nine in a row with ~8e-4: a few
 * connections in 2,000 would time out by configuration. R = 16 makes that
 * ~1.5e-6 per step.
 *
 * Virtual time is free (sim.h): an 18-minute TIME-WAIT costs two events.
 * Only two blocks exist per stack (NET_TCP_CONNS), so a connection starts
 * when both stacks have a free block; the soak does not test a full pool.
 */
#include "soak.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "node.h"
#include "pcap_tap.h"

#define IP_B 0x0A000002u
#define PORT 7001u
#define RETRIES 16u
#define RTO_INIT_MS 1000u
#define RTO_MAX_MS 60000u
#define FW2_MS (TW_MS)
#define DEFAULT_MAX_BYTES 1024u
#define STEPS 6u
#define STALL_MS ((RETRIES + 1u) * RTO_MAX_MS)
#define TW_MS (STALL_MS + RTO_MAX_MS)

enum { EV_NONE = -1 };

struct side {
	struct tcp_pcb *c;
	uint64_t key;           /* data generator key */
	uint32_t len, queued;   /* bytes to send, bytes written so far */
	uint64_t want_hash;     /* of what the peer sends */
	uint32_t want_len;
	uint64_t hash;          /* of what arrived */
	uint32_t got;
	bool close_early;       /* close as soon as the data is queued */
	bool closed, peer_closed, connected;
	int final;              /* enum tcp_event, EV_NONE */
};

struct soak {
	const struct soak_config *cfg;
	struct soak_result *r;
	struct sim sim;
	struct sim_link link;
	struct sim_node a, b;
	struct side sa, sb;
	uint32_t id;
	uint16_t a_lport;
	bool active;
	uint64_t t_start, t_last_final;
	struct sim_rng rng;
	uint32_t max_bytes;
};

static uint64_t fnv_init(void) { return 0xcbf29ce484222325ull; }
static uint64_t fnv_byte(uint64_t h, uint8_t b) { return (h ^ b) * 0x100000001b3ull; }

/* Byte k of a side's data: stateless, so a short tcp_write() costs
 * nothing to redo. */
static uint8_t data_byte(uint64_t key, uint32_t k)
{
	uint64_t x = key + (uint64_t)(k >> 3) * 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	return (uint8_t)(x >> (8u * (k & 7u)));
}

static uint64_t data_hash(uint64_t key, uint32_t len)
{
	uint64_t h = fnv_init();
	for (uint32_t k = 0; k < len; k++)
		h = fnv_byte(h, data_byte(key, k));
	return h;
}

static void fail(struct soak *k, const char *what, const char *detail)
{
	if (k->r->first_failure[0] == '\0')
		snprintf(k->r->first_failure, sizeof k->r->first_failure, "connection %u at %.3f s: %s%s%s", k->id,
			 (double)sim_now(&k->sim) * 1e-9, what, detail ? ": " : "", detail ? detail : "");
}

static void pump(struct soak *k, struct net_stack *s, struct side *d)
{
	uint8_t buf[256];
	while (d->c && d->queued < d->len) {
		uint32_t left = d->len - d->queued;
		uint16_t n = (uint16_t)(left < sizeof buf ? left : sizeof buf);
		for (uint16_t i = 0; i < n; i++)
			buf[i] = data_byte(d->key, d->queued + i);
		uint16_t took = tcp_write(s, d->c, buf, n);
		d->queued += took;
		if (took < n)
			break;
	}
	if (!d->c)
		return;
	if (d->queued == d->len && !d->closed && (d->close_early || d->peer_closed)) {
		d->closed = true;
		if (tcp_close(s, d->c) != TCP_OK)
			fail(k, "tcp_close refused", NULL);
	} else {
		tcp_flush(s, d->c);
	}
}

static void on_event(struct soak *k, struct side *d, struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev,
		     uint16_t n)
{
	switch (ev) {
	case TCP_EV_CONNECTED:
		d->c = c;
		d->connected = true;
		pump(k, s, d);
		break;
	case TCP_EV_SENT:
		pump(k, s, d);
		break;
	case TCP_EV_DATA: {
		uint8_t buf[1600];
		uint16_t got = tcp_recv(s, c, buf, n < sizeof buf ? n : (uint16_t)sizeof buf);
		for (uint16_t i = 0; i < got; i++)
			d->hash = fnv_byte(d->hash, buf[i]);
		d->got += got;
		break;
	}
	case TCP_EV_URGENT:
		break;
	case TCP_EV_PEER_CLOSED:
		d->peer_closed = true;
		pump(k, s, d);
		break;
	case TCP_EV_CLOSED:
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		d->c = NULL;
		if (d->final == EV_NONE) {
			d->final = (int)ev;
			k->t_last_final = sim_now(&k->sim);
		}
		break;
	}
}

static void a_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct soak *k = ctx;
	on_event(k, &k->sa, s, c, ev, n);
}

/* B's listener: every accepted connection's events come here. Only the
 * current connection's 4-tuple belongs to the soak; anything else (an old
 * duplicate SYN that completed a handshake) is a stray and is aborted. */
static void b_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct soak *k = ctx;
	if (ev == TCP_EV_CONNECTED && (!k->active || c->rport != k->a_lport || k->sb.connected)) {
		k->r->stray++;
		fail(k, "stray connection accepted by B", NULL);
		tcp_abort(s, c);
		return;
	}
	if (k->sb.c != c && ev != TCP_EV_CONNECTED)
		return;
	on_event(k, &k->sb, s, c, ev, n);
}

static void boot_b(struct sim_node *n, void *ctx)
{
	(void)tcp_listen(&n->stack, PORT, b_cb, ctx);
}

static void do_connect(struct sim_node *n, void *ctx)
{
	struct soak *k = ctx;
	k->sa.c = tcp_connect(&n->stack, IP_B, PORT, a_cb, k);
	if (k->sa.c)
		k->a_lport = k->sa.c->lport;
}

static void do_abort(struct sim_node *n, void *ctx)
{
	struct side *d = ctx;
	if (d->c)
		tcp_abort(&n->stack, d->c);
	d->c = NULL;
}

void soak_bounds(struct soak_bounds *b)
{
	memset(b, 0, sizeof *b);
	b->rto_initial_ms = RTO_INIT_MS;
	b->rto_max_ms = RTO_MAX_MS;
	b->retries = RETRIES;
	b->stall_ms = STALL_MS;
	b->time_wait_ms = TW_MS;
	b->fin_wait2_ms = FW2_MS;
	b->bound_ms = (uint64_t)STEPS * b->stall_ms;
	b->release_bound_ms = (uint64_t)b->time_wait_ms + b->stall_ms;
}

static void node_cfg(struct soak *k, struct sim_node_config *c, const char *name, uint8_t idx)
{
	struct soak_bounds bd;
	soak_bounds(&bd);
	sim_node_config_defaults(c, &k->sim, name, idx);
	c->net.rto_initial_ms = c->net.rto_min_ms = bd.rto_initial_ms;
	c->net.rto_max_ms = bd.rto_max_ms;
	c->net.max_retries = c->net.syn_retries = c->net.synack_retries = (uint8_t)bd.retries;
	c->net.time_wait_ms = k->cfg->time_wait_ms ? k->cfg->time_wait_ms : bd.time_wait_ms;
	c->net.fin_wait2_timeout_ms = k->cfg->fin_wait2_ms ? k->cfg->fin_wait2_ms : bd.fin_wait2_ms;
	if (k->cfg->chip_faults) {
		uint32_t f = k->cfg->fault_ppm ? k->cfg->fault_ppm : 10000u;
		c->enc.full_duplex = false; /* erratum 13 only bites in half duplex */
		c->board.model.errata = MODEL_ERRATUM_PKTIF_UNRELIABLE | MODEL_ERRATUM_FALSE_LATECOL |
					MODEL_ERRATUM_TX_ABORT_STALL | MODEL_ERRATUM_EVEN_ERXRDPT |
					MODEL_ERRATUM_CLKRDY_EARLY;
		c->board.model.fault_rx_overflow_ppm = f;
		c->board.model.fault_rx_crc_ppm = f;
		c->board.model.fault_tx_latecol_ppm = f;
	}
}

static void nop(struct sim_node *n, void *ctx)
{
	(void)n;
	(void)ctx;
}

/* Run until no frame is on the link or waiting in a ring, so that the
 * counters taken next see every frame either sent and received or not
 * sent yet (at most 1 s). */
static void settle(struct soak *k)
{
	for (int i = 0; i < 1000; i++) {
		const struct sim_link_stats *ls = &k->link.stats;
		uint64_t stored = 0, read = 0;
		struct sim_node *n[2] = {&k->a, &k->b};
		for (int j = 0; j < 2; j++) {
			stored += model_get_stats(n[j]->board.model)->rx_frames_stored;
			read += n[j]->enc.stats.rx_frames + n[j]->enc.stats.rx_bad_status;
		}
		if (ls->frames_sent + ls->duplicated == ls->frames_delivered + ls->dropped_loss + ls->dropped_no_slot &&
		    stored == read)
			return;
		/* A frame whose PKTIF erratum 6 hid waits for a pass. */
		sim_node_exec(&k->a, nop, NULL);
		sim_node_exec(&k->b, nop, NULL);
		sim_run_until(&k->sim, sim_now(&k->sim) + NET_MS(1), 0);
	}
}

/* Counters at the start of the measured part (after both boots). */
struct snap {
	uint64_t sent, dup, lost, corrupt, noslot, oversize;
	uint64_t rx[2], crc[2], crcinj[2], fault[2], disabled[2], other[2], stored[2], bad[2];
	uint64_t txab[2];
};

static void take(struct soak *k, struct snap *p)
{
	memset(p, 0, sizeof *p);
	const struct sim_link_stats *ls = &k->link.stats;
	p->sent = ls->frames_sent;
	p->dup = ls->duplicated;
	p->lost = ls->dropped_loss;
	p->corrupt = ls->corrupted;
	p->noslot = ls->dropped_no_slot;
	p->oversize = ls->dropped_oversize;
	struct sim_node *n[2] = {&k->a, &k->b};
	for (int i = 0; i < 2; i++) {
		const struct model_stats *m = model_get_stats(n[i]->board.model);
		const struct enc_stats *e = &n[i]->enc.stats;
		p->rx[i] = net_stat(&n[i]->stack, NET_STAT_ETH_RX);
		p->crc[i] = m->rx_dropped_crc;
		p->crcinj[i] = m->rx_fault_crc;
		p->fault[i] = m->rx_dropped_fault;
		p->disabled[i] = m->rx_dropped_disabled;
		p->other[i] = (uint64_t)m->rx_dropped_full + m->rx_dropped_filter + m->rx_dropped_toolong +
			      m->rx_dropped_runt + m->rx_dropped_control + e->rx_bad_status + e->rx_bad_length +
			      e->rx_truncated;
		p->txab[i] = m->tx_aborted;
	}
}

static void account(struct soak *k, const struct snap *s0, const struct snap *s1, uint64_t flaps)
{
	struct soak_frames *f = &k->r->frames;
	f->sent = s1->sent - s0->sent;
	f->duplicated = s1->dup - s0->dup;
	f->link_lost = s1->lost - s0->lost;
	f->link_corrupt = s1->corrupt - s0->corrupt;
	f->unexplained = (s1->noslot - s0->noslot) + (s1->oversize - s0->oversize);
	for (int i = 0; i < 2; i++) {
		f->received += s1->rx[i] - s0->rx[i];
		f->chip_crc_drops += s1->crc[i] - s0->crc[i];
		f->chip_crc_injected += s1->crcinj[i] - s0->crcinj[i];
		f->chip_overflow += s1->fault[i] - s0->fault[i];
		f->chip_link_down += s1->disabled[i] - s0->disabled[i];
		f->unexplained += s1->other[i] - s0->other[i];
		f->tx_aborts_injected += s1->txab[i] - s0->txab[i];
	}
	struct sim_node *n[2] = {&k->a, &k->b};
	for (int i = 0; i < 2; i++) {
		f->tx_latecol_retries += n[i]->enc.stats.tx_latecol_retries;
		f->tx_aborts += n[i]->enc.stats.tx_aborts;
		f->tx_stalls += n[i]->enc.stats.tx_stalls;
		f->diagnostics += model_diag_count(n[i]->board.model);
	}
	f->flaps = flaps;
	uint64_t lost = f->sent + f->duplicated - f->received;
	/* Every corrupted copy fails the FCS check (one byte changed: CRC-32
	 * catches it), and so does every injected FCS fault (counted only on
	 * frames that were good). A corrupted copy that arrives while an
	 * injected flap holds the link down is dropped for that instead. */
	f->balanced = lost == f->link_lost + f->chip_crc_drops + f->chip_overflow + f->chip_link_down &&
		      f->chip_crc_drops <= f->link_corrupt + f->chip_crc_injected &&
		      f->chip_crc_drops + f->chip_link_down >= f->link_corrupt + f->chip_crc_injected &&
		      f->unexplained == 0 &&
		      (flaps > 0 || f->chip_link_down == 0) && f->diagnostics == 0;
}

/* Erratum 6 (PKTIF may stay clear, DS80349): a frame then raises no
 * INT, and a board that sleeps until its next timer leaves it in the ring
 * (the soak saw the ring fill up behind two such frames). The workaround
 * the errata sheet gives is to poll EPKTCNT; a main loop does that on
 * every pass, so with the errata on, while a connection is open, each
 * board runs a pass every TICK (enc_poll() inside net_poll() reads
 * EPKTCNT). */
#define TICK_NS NET_MS(10)

static void tick(void *ctx, uint64_t now)
{
	struct soak *k = ctx;
	(void)now;
	if (!k->active)
		return;
	sim_node_exec(&k->a, nop, NULL);
	sim_node_exec(&k->b, nop, NULL);
	(void)sim_after(&k->sim, TICK_NS, tick, k);
}

/* Run until `until` or until done(k) holds; returns done(k). */
static bool run_while(struct soak *k, uint64_t until, bool (*done)(struct soak *))
{
	while (!done(k)) {
		uint64_t nx = sim_next_event(&k->sim);
		if (nx == SIM_NEVER || nx > until)
			return false;
		sim_run_until(&k->sim, nx, 0);
	}
	return true;
}

static bool pools_free(struct soak *k)
{
	return tcp_pcbs_in_use(&k->a.stack) < NET_TCP_CONNS && tcp_pcbs_in_use(&k->b.stack) < NET_TCP_CONNS;
}

static bool pools_empty(struct soak *k)
{
	return tcp_pcbs_in_use(&k->a.stack) == 0 && tcp_pcbs_in_use(&k->b.stack) == 0;
}

static bool conn_done(struct soak *k)
{
	/* B never saw the connection if A's SYN (or the handshake's end)
	 * never got through before A gave up. */
	return k->sa.final != EV_NONE && (k->sb.final != EV_NONE || (!k->sb.connected && !k->sa.connected));
}

static void setup_side(struct side *d, uint64_t key, uint32_t len)
{
	memset(d, 0, sizeof *d);
	d->key = key;
	d->len = len;
	d->hash = fnv_init();
	d->final = EV_NONE;
}

/* Arm one of the explicit chip faults on a random board. */
static uint64_t chip_fault(struct soak *k)
{
	struct sim_node *n = sim_rng_below(&k->rng, 2) ? &k->a : &k->b;
	struct enc_model *m = n->board.model;
	uint64_t flaps = 0;
	switch (sim_rng_below(&k->rng, 16)) {
	case 0:
		model_fault_tx_abort(m, 1);
		break;
	case 1:
		model_fault_tx_stall(m);
		break;
	case 2: {
		uint64_t t = sim_now(&k->sim) + NET_MS(1 + sim_rng_below(&k->rng, 50));
		model_fault_link_flap(m, t, t + NET_MS(1 + sim_rng_below(&k->rng, 200)));
		flaps = 1;
		break;
	}
	default:
		return 0;
	}
	sim_board_model_changed(&n->board);
	return flaps;
}

bool soak_run(const struct soak_config *cfg, struct soak_result *r)
{
	struct soak *k = calloc(1, sizeof *k);
	struct soak_bounds bd;
	bool ok = true;
	uint64_t flaps = 0;

	memset(r, 0, sizeof *r);
	soak_bounds(&bd);
	r->bound_ns = NET_MS(bd.bound_ms);
	r->release_bound_ns = NET_MS(bd.release_bound_ms);
	if (!k) {
		snprintf(r->first_failure, sizeof r->first_failure, "out of memory");
		return false;
	}
	k->cfg = cfg;
	k->r = r;
	k->max_bytes = cfg->max_bytes ? cfg->max_bytes : DEFAULT_MAX_BYTES;

	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	lc.name = "soak";
	lc.loss_ppm = lc.dup_ppm = lc.reorder_ppm = lc.corrupt_ppm = cfg->impair_ppm;
	struct sim_node_config ca, cb;
	if (sim_init(&k->sim, cfg->seed, 256) != 0 || sim_link_init(&k->link, &k->sim, &lc) != 0) {
		snprintf(r->first_failure, sizeof r->first_failure, "out of memory");
		free(k);
		return false;
	}
	sim_rng_stream(&k->sim, &k->rng, "soak.app");
	struct sim_pcap pcap;
	bool have_pcap = false;
	if (cfg->pcap_path) {
		char err[200];
		if (sim_pcap_open(&pcap, cfg->pcap_path, err, sizeof err) != 0 || sim_pcap_attach(&pcap, &k->link) != 0) {
			snprintf(r->first_failure, sizeof r->first_failure, "%s", err);
			ok = false;
		} else {
			have_pcap = true;
		}
	}
	node_cfg(k, &ca, "soak-a", 1);
	node_cfg(k, &cb, "soak-b", 2);
	cb.on_boot = boot_b;
	cb.app_ctx = k;
	if (k->max_bytes > cb.net.rcv_wnd) {
		/* The bound counts one data segment per direction (soak.c). */
		snprintf(r->first_failure, sizeof r->first_failure, "max_bytes %u above the receive window %u",
			 k->max_bytes, cb.net.rcv_wnd);
		ok = false;
	}
	if (ok && (sim_node_init(&k->a, &k->sim, &ca) != 0 || sim_node_init(&k->b, &k->sim, &cb) != 0 ||
		   sim_node_start(&k->b, &k->link, 0) != 0 || sim_node_start(&k->a, &k->link, NET_US(1)) != 0)) {
		snprintf(r->first_failure, sizeof r->first_failure, "setting up the nodes failed");
		ok = false;
	}
	struct snap s0, s1;
	if (ok) {
		sim_run_until(&k->sim, NET_MS(20), 0);
		if (!k->a.booted || !k->b.booted) {
			snprintf(r->first_failure, sizeof r->first_failure, "a node did not boot (enc_init %d, %d)",
				 k->a.init_rc, k->b.init_rc);
			ok = false;
		}
	}
	if (ok)
		settle(k);
	if (ok)
		take(k, &s0);
	for (uint32_t i = 0; ok && i < cfg->connections; i++) {
		k->id = i;
		if (!run_while(k, sim_now(&k->sim) + r->release_bound_ns, pools_free)) {
			fail(k, "no free connection block within the release bound (leak)", NULL);
			r->leaked = tcp_pcbs_in_use(&k->a.stack) + tcp_pcbs_in_use(&k->b.stack);
			ok = false;
			break;
		}
		uint64_t base = cfg->seed * 0x100000001b3ull + i * 2654435761ull;
		uint32_t la = (uint32_t)sim_rng_below(&k->rng, k->max_bytes + 1u);
		uint32_t lb = (uint32_t)sim_rng_below(&k->rng, k->max_bytes + 1u);
		unsigned mode = (unsigned)sim_rng_below(&k->rng, 3);
		setup_side(&k->sa, base ^ 0xA, la);
		setup_side(&k->sb, base ^ 0xB, lb);
		k->sa.want_len = lb;
		k->sa.want_hash = data_hash(k->sb.key, lb);
		k->sb.want_len = la;
		k->sb.want_hash = data_hash(k->sa.key, la);
		k->sa.close_early = mode != 1;
		k->sb.close_early = mode != 0;
		if (cfg->chip_faults)
			flaps += chip_fault(k);
		k->active = true;
		k->t_start = sim_now(&k->sim);
		r->started++;
		sim_node_exec(&k->a, do_connect, k);
		if (cfg->chip_faults)
			(void)sim_after(&k->sim, TICK_NS, tick, k);
		if (!k->sa.c) {
			fail(k, "tcp_connect returned NULL with a free block", NULL);
			ok = false;
			break;
		}
		bool done = run_while(k, k->t_start + r->bound_ns, conn_done);
		uint64_t took = sim_now(&k->sim) - k->t_start;
		k->active = false;
		if (!done) {
			char st[96];
			snprintf(st, sizeof st, "A %s, B %s after %.1f s (bound %.0f s)",
				 k->sa.c ? tcp_state_name(tcp_state(k->sa.c)) : "-",
				 k->sb.c ? tcp_state_name(tcp_state(k->sb.c)) : "-", (double)took * 1e-9,
				 (double)r->bound_ns * 1e-9);
			r->wedged++;
			fail(k, "wedged", st);
			sim_node_exec(&k->a, do_abort, &k->sa);
			sim_node_exec(&k->b, do_abort, &k->sb);
			continue;
		}
		if (took > r->worst_ns)
			r->worst_ns = took;
		/* After both final events a stack may hold only TIME-WAIT blocks
		 * (and, at B, a half-open block an old duplicate SYN made: it
		 * times out unseen). Anything else is a leak. */
		struct sim_node *nodes[2] = {&k->a, &k->b};
		for (int j = 0; j < 2; j++)
			for (unsigned q = 0; q < NET_TCP_CONNS; q++) {
				const struct tcp_pcb *p = &nodes[j]->stack.tcp[q];
				if (p->state != TCP_CLOSED && p->state != TCP_TIME_WAIT &&
				    !(p->state == TCP_SYN_RECEIVED && (p->flags & TF_PASSIVE))) {
					r->leaked++;
					fail(k, "block left behind after both final events",
					     tcp_state_name((enum tcp_state)p->state));
				}
			}
		int fa = k->sa.final, fb = k->sb.final;
		if (fa == TCP_EV_RESET || fb == TCP_EV_RESET)
			r->reset++, fail(k, "reset", NULL);
		else if (fa == TCP_EV_TIMEOUT || fb == TCP_EV_TIMEOUT)
			r->timeout++, fail(k, "timed out", NULL);
		else if (fa == TCP_EV_REFUSED || fb == TCP_EV_REFUSED)
			r->refused++, fail(k, "refused", NULL);
		else if (k->sa.got != k->sa.want_len || k->sa.hash != k->sa.want_hash || k->sb.got != k->sb.want_len ||
			 k->sb.hash != k->sb.want_hash)
			r->bad_data++, fail(k, "bytes lost or altered", NULL);
		else {
			r->passed++;
			r->bytes += (uint64_t)la + lb;
		}
		if (cfg->stop_after && r->first_failure[0])
			break;
	}
	if (ok) {
		/* Every block must come back: TIME-WAIT ends, nothing leaks. */
		uint64_t from = k->t_last_final;
		run_while(k, from + r->release_bound_ns, pools_empty);
		r->leaked += tcp_pcbs_in_use(&k->a.stack) + tcp_pcbs_in_use(&k->b.stack);
		if (r->leaked == 0) {
			r->release_ns = sim_now(&k->sim) - from;
		} else {
			fail(k, "connection blocks still in use after the release bound", NULL);
		}
		/* Let what is still in flight land (ARP, the last ACKs). */
		settle(k);
		take(k, &s1);
		account(k, &s0, &s1, flaps);
		if (!r->frames.balanced)
			fail(k, "frame accounting does not balance", NULL);
	}
	r->virtual_ns = sim_now(&k->sim);
	r->retransmits = net_stat(&k->a.stack, NET_STAT_TCP_RETRANSMITS) + net_stat(&k->b.stack, NET_STAT_TCP_RETRANSMITS);
	r->challenge_acks =
		net_stat(&k->a.stack, NET_STAT_TCP_CHALLENGE_ACKS) + net_stat(&k->b.stack, NET_STAT_TCP_CHALLENGE_ACKS);
	if (have_pcap) {
		char err[200];
		(void)sim_pcap_close(&pcap, err, sizeof err);
	}
	ok = ok && r->passed == cfg->connections && r->leaked == 0 && r->frames.balanced && r->stray == 0;
	sim_free(&k->sim);
	sim_link_free(&k->link);
	sim_node_free(&k->a);
	sim_node_free(&k->b);
	free(k);
	return ok;
}
