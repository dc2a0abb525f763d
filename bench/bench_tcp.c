/*
 * bench_tcp.c - bulk TCP goodput between two of our stacks on the chip
 * model (sim/node.h), with an 8 MHz SPI bus modelled (1000 ns per SPI byte).
 *
 * Node A connects to node B and sends N bytes (default 1 MiB) of a pattern;
 * B reads everything in its DATA callback and checks it; A closes when all
 * is queued. For each configuration (receive window, MSS, send ring) it
 * prints wall time, virtual time, virtual/wall ratio, goodput in virtual
 * time and goodput as a fraction of what the SPI bus allows, and a profile
 * of where the virtual time goes (SPI bytes per payload byte, how busy
 * each MCU is, segments per round trip, retransmissions).
 *
 * The SPI bound. A payload byte must cross SPI twice: into the sender's
 * chip (written to its buffer memory) and out of the receiver's chip (read
 * from its receive ring). Each segment also carries H = 54 header bytes
 * (Ethernet 14 + IPv4 20 + TCP 20) that cross both buses. At 8 Mbit/s
 * (1 byte per spi_ns) and with segments of MSS payload bytes:
 *
 *   serial bound    = (1e9 / spi_ns) * MSS / (2 * (MSS + H))   bytes/s
 *                     (both crossings back to back, one bus at a time)
 *   pipelined bound = (1e9 / spi_ns) * MSS / (MSS + H)         bytes/s
 *                     (each board's bus carries each byte once, the two
 *                      buses working at the same time)
 *
 * Command/opcode bytes, register polling and ACK frames are not in the
 * bound: they are overheads the profile shows. The pipelined bound is the
 * real limit and the headline (issue 15: goodput >= 80% of it); the serial
 * one is printed as a reference only. This program prints, it never gates.
 *
 * usage: bench_tcp [bytes [pcap]]   (default 1048576; pcap: capture the
 *        first configuration's link there, for a timeline)
 */
#define _POSIX_C_SOURCE 199309L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node.h"
#include "pcap_tap.h"

#define IP_B 0x0A000002u
#define PORT 5001u
#define HDR_BYTES 54u
#define SPI_NS 1000u

struct bench_cfg {
	const char *name;
	uint16_t rcv_wnd;       /* B's receive window (and so its advertised MSS, capped at 1460) */
	uint16_t snd_buf;       /* A's send ring; 0 = the stack's default (NET_TCP_SND_BUF) */
	uint16_t a_rx_end;      /* A's receive ring end (0 = driver default, 2.5 KB outside AVR) */
	uint16_t b_rx_end;      /* B's receive ring end (0 = driver default): must hold B's window */
	const char *note;
	uint16_t delack_ms;     /* delayed ACK on both (net_config.delack_ms); 0 = the default */
	bool mss_is_wnd;        /* B advertises its window as MSS (rcv_mss 0, the rule before issue 15) */
	uint32_t loss_ppm;      /* seeded loss on the link, both directions */
	bool rto_only;          /* fast retransmit off on both (net_config.fast_rtx 0) */
};

struct sender {
	struct tcp_pcb *c;
	uint32_t total, sent;
	bool closed;
	uint32_t ev_bad;
	uint64_t t_connected;
	struct sim *sim;
	uint16_t snd_buf;
	uint16_t mss;           /* the connection's send MSS, at CONNECTED */
};

struct sink {
	uint32_t rcvd, bad;
	uint64_t t_last;
	uint32_t data_events;
	uint16_t max_data;      /* largest DATA event */
	bool closed;
	uint32_t ev_bad;
	uint16_t rcv_wnd;
	struct sim *sim;
};

static uint8_t pattern(uint32_t k)
{
	return (uint8_t)((k * 2654435761u) >> 24);
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The application writes whole segments: it waits until the send ring
 * has room for at least one full MSS (or for all that is left), so the
 * stack, which sends what it is given at once (no Nagle), never cuts a
 * short segment in the middle of the stream. */
static void fill(struct net_stack *s, struct sender *a)
{
	uint8_t buf[512];
	uint32_t room = a->c ? tcp_send_space(s, a->c) : 0;
	uint32_t want = a->total - a->sent;
	if (room < want && a->mss)
		room -= room % a->mss;
	if (room < want)
		want = room;
	while (a->c && want > 0) {
		uint16_t k = (uint16_t)(want < sizeof buf ? want : sizeof buf);
		for (uint16_t i = 0; i < k; i++)
			buf[i] = pattern(a->sent + i);
		uint16_t took = tcp_write(s, a->c, buf, k);
		a->sent += took;
		want -= took;
		if (took < k)
			break;
	}
	if (!a->c)
		return;
	if (a->sent == a->total && !a->closed) {
		a->closed = true;
		(void)tcp_close(s, a->c); /* FIN follows the data */
	} else {
		tcp_flush(s, a->c);
	}
}

static void sender_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct sender *a = ctx;
	(void)n;
	switch (ev) {
	case TCP_EV_CONNECTED:
		a->t_connected = sim_now(a->sim);
		a->mss = c->mss;
		fill(s, a);
		break;
	case TCP_EV_SENT:
		fill(s, a);
		break;
	case TCP_EV_DATA:
	case TCP_EV_PEER_CLOSED:
	case TCP_EV_URGENT:
		break;
	case TCP_EV_CLOSED:
		a->c = NULL;
		break;
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		a->ev_bad++;
		a->c = NULL;
		break;
	}
}

static void sink_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct sink *b = ctx;
	switch (ev) {
	case TCP_EV_CONNECTED:
	case TCP_EV_SENT:
	case TCP_EV_URGENT:
		break;
	case TCP_EV_DATA: {
		uint8_t buf[1600];
		uint16_t got = tcp_recv(s, c, buf, n < sizeof buf ? n : (uint16_t)sizeof buf);
		for (uint16_t i = 0; i < got; i++)
			b->bad += buf[i] != pattern(b->rcvd + i);
		b->rcvd += got;
		b->data_events++;
		if (n > b->max_data)
			b->max_data = n;
		b->t_last = sim_now(b->sim);
		break;
	}
	case TCP_EV_PEER_CLOSED:
		(void)tcp_close(s, c);
		break;
	case TCP_EV_CLOSED:
		b->closed = true;
		break;
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		b->ev_bad++;
		break;
	}
}

static void boot_sink(struct sim_node *n, void *ctx)
{
	struct sink *b = ctx;
	n->ncfg.rcv_wnd = b->rcv_wnd;
	(void)tcp_listen(&n->stack, PORT, sink_cb, ctx);
}

/* The send ring override stands for building the stack with
 * -DNET_TCP_SND_BUF=<n>: net_init() takes min(device memory share,
 * NET_TCP_SND_BUF), and the bench cannot rebuild core/ per configuration.
 * It is only applied when the device memory share allows it. */
static void boot_sender(struct sim_node *n, void *ctx)
{
	struct sender *a = ctx;
	uint16_t share = (uint16_t)(n->nd.ops->mem_size(n->nd.dev) / NET_TCP_CONNS);
	if (a->snd_buf && a->snd_buf <= share)
		n->stack.snd_buf = a->snd_buf;
	a->snd_buf = n->stack.snd_buf;
}

static void do_connect(struct sim_node *n, void *ctx)
{
	struct sender *a = ctx;
	a->c = tcp_connect(&n->stack, IP_B, PORT, sender_cb, a);
}

static int run(const struct bench_cfg *bc, uint32_t total, const char *pcap_path)
{
	struct sim *sim = calloc(1, sizeof *sim);
	struct sim_link *link = calloc(1, sizeof *link);
	struct sim_node *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	struct sender snd;
	struct sink snk;
	if (!sim || !link || !a || !b)
		return 1;
	memset(&snd, 0, sizeof snd);
	memset(&snk, 0, sizeof snk);
	snd.total = total;
	snd.snd_buf = bc->snd_buf;
	snk.rcv_wnd = bc->rcv_wnd;
	snd.sim = snk.sim = sim;

	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	lc.name = "link0";
	lc.loss_ppm = bc->loss_ppm;
	struct sim_node_config ca, cb;
	if (sim_init(sim, 1, 256) != 0 || sim_link_init(link, sim, &lc) != 0)
		return 1;
	struct sim_pcap pcap;
	memset(&pcap, 0, sizeof pcap);
	char err[256];
	if (pcap_path && (sim_pcap_open(&pcap, pcap_path, err, sizeof err) != 0 || sim_pcap_attach(&pcap, link) != 0)) {
		fprintf(stderr, "bench_tcp: %s\n", err);
		return 1;
	}
	sim_node_config_defaults(&ca, sim, "node-a", 1);
	sim_node_config_defaults(&cb, sim, "node-b", 2);
	ca.board.spi_ns_per_byte = cb.board.spi_ns_per_byte = SPI_NS;
	ca.enc.rx_end = bc->a_rx_end;
	cb.enc.rx_end = bc->b_rx_end;
	ca.net.time_wait_ms = cb.net.time_wait_ms = 1000;
	cb.net.rcv_wnd = bc->rcv_wnd;
	if (bc->delack_ms)
		ca.net.delack_ms = cb.net.delack_ms = bc->delack_ms;
	if (bc->mss_is_wnd)
		cb.net.rcv_mss = 0;
	if (bc->rto_only)
		ca.net.fast_rtx = cb.net.fast_rtx = 0;
	ca.on_boot = boot_sender;
	ca.app_ctx = &snd;
	cb.on_boot = boot_sink;
	cb.app_ctx = &snk;
	if (sim_node_init(a, sim, &ca) != 0 || sim_node_init(b, sim, &cb) != 0 || sim_node_start(b, link, 0) != 0 ||
	    sim_node_start(a, link, NET_US(1)) != 0)
		return 1;

	double t0 = wall();
	sim_run_until(sim, NET_MS(1), 0);
	sim_node_exec(a, do_connect, &snd);
	/* Until the data is in and both closed (TIME-WAIT and ARP ageing
	 * are left in the queue: they cost nothing but are not the transfer). */
	while (!(snk.closed && snd.c == NULL) && sim_next_event(sim) != SIM_NEVER && sim_now(sim) < NET_S(36000))
		sim_run_until(sim, sim_now(sim) + NET_MS(100), 0);
	double secs = wall() - t0;

	uint64_t vt = snk.t_last - snd.t_connected;
	double vsecs = (double)vt * 1e-9;
	double goodput = (double)snk.rcvd / vsecs; /* bytes per virtual second */
	uint16_t mss = snd.mss;
	double bps = 1e9 / SPI_NS;
	double serial = bps * mss / (2.0 * (mss + HDR_BYTES));
	double pipelined = bps * mss / (double)(mss + HDR_BYTES);
	const struct sim_board_stats *sa = &a->board.stats, *sb = &b->board.stats;
	uint32_t segs_a = net_stat(&a->stack, NET_STAT_TCP_SEGS_SENT);
	uint32_t segs_b = net_stat(&b->stack, NET_STAT_TCP_SEGS_SENT);
	double busy_a = (double)(sa->spi_bytes * SPI_NS + sa->delay_ns) / (double)sim_now(sim);
	double busy_b = (double)(sb->spi_bytes * SPI_NS + sb->delay_ns) / (double)sim_now(sim);
	uint64_t end = sim_now(sim);

	printf("\n[%s] rcv_wnd %u, send ring %u, MSS %u (largest segment seen %u)%s%s\n", bc->name, bc->rcv_wnd,
	       snd.snd_buf, mss, snk.max_data, bc->note ? "  -- " : "", bc->note ? bc->note : "");
	printf("  transfer: %" PRIu32 " bytes %s (%" PRIu32 " bad), sender errors %u, sink errors %u\n", snk.rcvd,
	       snk.rcvd == total && snk.bad == 0 ? "delivered and checked" : "INCOMPLETE", snk.bad, snd.ev_bad,
	       snk.ev_bad);
	printf("  wall %.3f s; virtual %.3f s (connect to last byte; %.3f s simulated in all); %.1f virtual s per wall s\n",
	       secs, vsecs, (double)end * 1e-9, (double)end * 1e-9 / secs);
	printf("  goodput %.1f KB/s = %.3f Mbit/s (virtual time)\n", goodput / 1e3, goodput * 8 / 1e6);
	printf("  SPI bound, pipelined (8 Mbit/s * MSS / (MSS + 54))       = %.3f Mbit/s -> goodput is %.1f%% of it (goal >= 80%%)\n",
	       pipelined * 8 / 1e6, 100.0 * goodput / pipelined);
	printf("  reference: serial bound (8 Mbit/s * MSS / (2 * (MSS + 54))) = %.3f Mbit/s -> %.1f%%\n",
	       serial * 8 / 1e6, 100.0 * goodput / serial);
	printf("  profile: SPI bytes per payload byte: sender %.2f, receiver %.2f (ideal 1 + 54/MSS = %.2f each)\n",
	       (double)sa->spi_bytes / snk.rcvd, (double)sb->spi_bytes / snk.rcvd, 1.0 + (double)HDR_BYTES / mss);
	printf("           SPI transactions (CS cycles) per data segment: sender %.1f, receiver %.1f\n",
	       (double)sa->spi_selects / segs_a, (double)sb->spi_selects / segs_a);
	{
		static const char *const ops[8] = {"RCR", "RBM", "WCR", "WBM", "BFS", "BFC", "?", "SRC"};
		for (int side = 0; side < 2; side++) {
			const struct sim_board_stats *st = side ? sb : sa;
			printf("           %s SPI by command (bytes per payload byte / transactions per data segment):",
			       side ? "receiver" : "sender  ");
			for (unsigned k = 0; k < 8; k++)
				if (st->spi_op_txns[k])
					printf(" %s %.3f/%.1f", ops[k], (double)st->spi_op_bytes[k] / snk.rcvd,
					       (double)st->spi_op_txns[k] / segs_a);
			printf("\n");
		}
	}
	printf("           MCU busy (SPI + delays): sender %.1f%%, receiver %.1f%% of virtual time; the rest is waiting\n",
	       100.0 * busy_a, 100.0 * busy_b);
	{
		double xa = (double)(sa->spi_bytes * SPI_NS + sa->delay_ns) / segs_a / 1e3;
		double xb = (double)(sb->spi_bytes * SPI_NS + sb->delay_ns) / segs_a / 1e3;
		double xw = (double)(link->stats.bytes_sent + (uint64_t)link->stats.frames_sent * SIM_LINK_OVERHEAD_BYTES) *
			    SIM_LINK_NS_PER_BYTE / segs_a / 1e3;
		double cyc = (double)vt / 1e3 / segs_a;
		printf("           per data segment: sender MCU %.0f us + receiver MCU %.0f us + wire %.0f us (data and ACK)"
		       " = %.0f us of work in a %.0f us cycle (overlap %.2fx)\n",
		       xa, xb, xw, xa + xb + xw, cyc, (xa + xb + xw) / cyc);
	}
	printf("           segments: sender %" PRIu32 " (%.0f payload bytes each), receiver %" PRIu32
	       " (ACKs); %.1f us per sender segment\n",
	       segs_a, (double)snk.rcvd / segs_a, segs_b, (double)vt / 1e3 / segs_a);
	printf("           passes: sender %" PRIu64 " (%" PRIu64 " on INT), receiver %" PRIu64 " (%" PRIu64
	       " on INT); rtx %u, out-of-order %u, unread %u; link frames %" PRIu64 ", tx deferred %" PRIu64 "\n",
	       sa->runs, sa->runs_int, sb->runs, sb->runs_int, net_stat(&a->stack, NET_STAT_TCP_RETRANSMITS),
	       net_stat(&b->stack, NET_STAT_TCP_OOO), net_stat(&b->stack, NET_STAT_TCP_UNREAD),
	       link->stats.frames_sent, link->stats.tx_deferred);
	printf("           loss: %" PRIu64 " frames dropped by the link; sender fast retransmits %u, timeouts %u\n",
	       link->stats.dropped_loss, net_stat(&a->stack, NET_STAT_TCP_FAST_RETRANSMITS),
	       net_stat(&a->stack, NET_STAT_TCP_RETRANSMITS));
	printf("           delayed ACKs: receiver %u (%u sent when the delay ran out)\n",
	       net_stat(&b->stack, NET_STAT_TCP_DELACKED), net_stat(&b->stack, NET_STAT_TCP_DELACK_TIMEOUTS));
	printf("           checker diagnostics: %u\n",
	       model_diag_count(a->board.model) + model_diag_count(b->board.model));

	if (pcap_path && sim_pcap_close(&pcap, err, sizeof err) != 0)
		fprintf(stderr, "bench_tcp: %s\n", err);
	sim_free(sim);
	sim_link_free(link);
	sim_node_free(a);
	sim_node_free(b);
	free(sim);
	free(link);
	free(a);
	free(b);
	return snk.rcvd == total && snk.bad == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint32_t total = 1u << 20;
	if (argc > 1)
		total = (uint32_t)strtoul(argv[1], NULL, 10);
	static const struct bench_cfg cfgs[] = {
		{"default", NET_TCP_RCV_WND, 0, 0, 0, "stack defaults", 0, false, 0, false},
		{"loss-1%", NET_TCP_RCV_WND, 0, 0, 0, "the defaults, 1% of frames lost (seeded)", 0, false, 10000, false},
		{"loss-1%/rto-only", NET_TCP_RCV_WND, 0, 0, 0, "the same loss, fast retransmit off: the timer repairs", 0,
		 false, 10000, true},
		{"loss-5%", NET_TCP_RCV_WND, 0, 0, 0, "the defaults, 5% of frames lost (seeded)", 0, false, 50000, false},
		{"loss-5%/rto-only", NET_TCP_RCV_WND, 0, 0, 0, "the same loss, fast retransmit off: the timer repairs", 0,
		 false, 50000, true},
		{"delack-40", NET_TCP_RCV_WND, 0, 0, 0, "the defaults with a 40 ms delayed ACK (RFC 9293 SHLD-18)", 40, false,
		 0, false},
		{"before-15", 1024, 0, 0, 0, "the defaults before issue 15: window 1024 in one segment (the DUT profile)", 0,
		 true, 0, false},
		{"old-split", 1024, 1024, 0x0FFF, 0x0FFF,
		 "older defaults: 4 KB receive rings, 1 KB send ring (stop-and-wait)", 0, true, 0, false},
		{"small-window", 512, 0, 0, 0, NULL, 0, true, 0, false},
		{"wnd-1460", 1460, 0, 0, 0, NULL, 0, true, 0, false},
		{"wnd-2048/ring-2311", 2048, 2311, 0x07FF, 0x0FFF,
		 "experiment: sender RX ring 2 KB, send ring as if NET_TCP_SND_BUF=2311; receiver RX ring 4 KB", 0, true, 0, false},
		{"wnd-2920/ring-2311", 2920, 2311, 0x07FF, 0x0FFF,
		 "experiment: two full segments offered, ring-limited in flight; receiver RX ring 4 KB", 0, true, 0, false},
	};
	printf("bench_tcp: %" PRIu32 " bytes A -> B per configuration, SPI %u ns/byte (8 MHz), seed 1\n", total,
	       SPI_NS);
	int rc = 0;
	for (size_t i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++)
		rc |= run(&cfgs[i], total, i == 0 && argc > 2 ? argv[2] : NULL);
	return rc;
}
