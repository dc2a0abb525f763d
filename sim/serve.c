/*
 * serve.c - the serve loop (see serve.h): one simulation, one link, the
 * board, one bridge, an optional capture, and the wire counters.
 *
 *   serve_open:  sim_init -> link -> capture tap -> serve_board_open ->
 *                bridge_slirp_new (+ forwards, guest forwards, pacing) |
 *                bridge_tap_new
 *   serve_boot:  virtual time until ECON1.RXEN + 10 ms; the client starts
 *   serve_run:   run_virtual() | run_wall()
 *   serve_close_capture: sim_pcap_close (complete or absent); serve_free
 *
 * Wall clock. v = v0 + (CLOCK_MONOTONIC - wall0): before sleeping, every
 * event up to v runs; the sleep (ppoll) ends at the next event, slirp's
 * deadline, a readable descriptor or a signal; after it the events that
 * fell due run first, then the bridge takes its input at the new v, so a
 * frame from outside enters the simulation at the virtual time it was
 * read. When the simulation is slower than the wall clock, events run
 * late (max_late_ns says by how much) and virtual time still follows the
 * wall clock.
 *
 * Capture timestamps: virtual time, plus (wall clock only) the real time
 * at which virtual time 0 was taken, so tcpdump prints wall-clock times.
 * With --deterministic no wall time enters the capture or the summary.
 */
#define _GNU_SOURCE
#include "serve.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge_tap.h"
#include "pcap_tap.h"

#define BOOT_LIMIT_NS 2000000000ull
#define SETTLE_NS 10000000ull
#define DRAIN_NS 1000000000ull    /* after the client finishes: its last segments */
#define LIVE_NS 500000000ull      /* the counter line, twice a second */
#define SEEN 256u                 /* recent connection starts, for counting */

static const uint8_t DEVICE_MAC[6] = {0x02, 0x53, 0x59, 0x4e, 0x00, 0x01};

struct serve {
	struct serve_config cfg;
	struct sim sim;
	bool sim_up;
	struct sim_link link;
	bool link_up;
	struct serve_board *board;
	struct bridge_slirp *slirp;
	struct bridge_tap *tap;
	struct sim_pcap pcap;
	bool pcap_on;
	bool pcap_done;             /* closed, complete, under its name */
	uint64_t pcap_offset;       /* ns added to capture timestamps */
	unsigned board_port;
	/* wire counters */
	uint64_t frames_to_dev, frames_from_dev;
	uint64_t conns, rst_from_dev, rst_to_dev;
	struct {
		uint64_t key;
		uint32_t iss;
	} seen[SEEN];
	unsigned seen_next;
	/* clocks */
	bool booted;
	uint64_t v_boot;            /* virtual time serving began */
	uint64_t wall0;             /* CLOCK_MONOTONIC at v_boot */
	uint64_t wall_ns, busy_ns, max_late_ns;
	uint64_t last_live;
	int live_len;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the wire tap: capture and counters ---- */

/* A connection start is the device's SYN (active open) or SYN-ACK (passive)
 * with an initial sequence number not seen for those ports: retransmitted
 * SYNs and SYN-ACKs repeat theirs. */
static void count_start(struct serve *s, const struct bridge_tcp *t)
{
	uint64_t key = (uint64_t)t->src ^ ((uint64_t)t->dst << 32) ^ ((uint64_t)t->tcp.src_port << 16) ^
		       ((uint64_t)t->tcp.dst_port << 48);
	for (unsigned i = 0; i < SEEN; i++)
		if (s->seen[i].key == key && s->seen[i].iss == t->tcp.seq)
			return;
	s->seen[s->seen_next].key = key;
	s->seen[s->seen_next].iss = t->tcp.seq;
	s->seen_next = (s->seen_next + 1) % SEEN;
	s->conns++;
}

static void on_frame(void *ctx, const uint8_t *frame, size_t len, uint64_t start, unsigned port)
{
	struct serve *s = ctx;
	if (s->pcap_on)
		sim_pcap_write(&s->pcap, frame, len, start + s->pcap_offset);
	if (len < 4)
		return;
	bool from_dev = port == s->board_port;
	if (from_dev)
		s->frames_from_dev++;
	else
		s->frames_to_dev++;
	struct bridge_tcp t;
	if (!bridge_frame_tcp(frame, len - 4, &t))
		return;
	if (t.tcp.flags & TCP_RST) {
		if (from_dev)
			s->rst_from_dev++;
		else
			s->rst_to_dev++;
	} else if (from_dev && (t.tcp.flags & TCP_SYN)) {
		count_start(s, &t);
	}
}

/* ---- set-up ---- */

static unsigned pace_cb(void *ctx)
{
	return serve_board_free_conns(ctx);
}

static struct serve *fail(struct serve *s)
{
	serve_free(s);
	return NULL;
}

/* Last, so that no failure before it leaves a capture behind. */
static struct serve *open_capture(struct serve *s, char *err, size_t errcap)
{
	if (s->cfg.pcap_path == NULL)
		return s;
	char msg[400];
	if (sim_pcap_open(&s->pcap, s->cfg.pcap_path, msg, sizeof msg) != 0) {
		snprintf(err, errcap, "--pcap: %s", msg);
		return fail(s);
	}
	s->pcap_on = true;
	return s;
}

/* The combinations that cannot work, as the user's error. */
static const char *bad_combination(const struct serve_config *c)
{
	bool slirp = c->net == SERVE_NET_SLIRP;
	if (c->deterministic && !slirp)
		return "--deterministic needs --net slirp (the kernel behind a TAP keeps the wall clock's time)";
	if (c->deterministic && c->nfwd > 0)
		return "--forward needs host sockets, and --deterministic uses none (a guest forward, --guestfwd, "
		       "is served inside the process)";
	if (c->deterministic && !c->connect && c->duration_ns == 0)
		return "--deterministic runs as fast as the simulation goes: give --connect (it stops when the "
		       "client is done) or --duration";
	if (!slirp && c->nfwd > 0)
		return "--forward is for --net slirp; with --net tap, processes in the namespace reach the device "
		       "directly";
	if (!slirp && c->ngfwd > 0)
		return "--guestfwd is for --net slirp";
	if (!slirp && c->restricted)
		return "--restrict is for --net slirp";
	if (slirp && c->netns != NULL)
		return "--netns is for --net tap";
	return NULL;
}

struct serve *serve_open(const struct serve_config *cfg, char *err, size_t errcap)
{
	const char *bad = bad_combination(cfg);
	if (bad != NULL) {
		snprintf(err, errcap, "%s", bad);
		return NULL;
	}
	struct serve *s = calloc(1, sizeof *s);
	if (s == NULL) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	struct serve_board_config *bc = &s->cfg.board;
	memcpy(bc->mac, DEVICE_MAC, 6);
	bc->ip = BRIDGE_DEVICE;
	bc->netmask = BRIDGE_NETMASK;
	bc->gateway = BRIDGE_GATEWAY;
	bc->seed = cfg->seed;
	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	lc.name = "serve-link";
	if (sim_init(&s->sim, cfg->seed, 1024) != 0) {
		snprintf(err, errcap, "cannot set up the simulation");
		return fail(s);
	}
	s->sim_up = true;
	if (sim_link_init(&s->link, &s->sim, &lc) != 0) {
		snprintf(err, errcap, "cannot set up the link");
		return fail(s);
	}
	s->link_up = true;
	sim_link_add_tap(&s->link, on_frame, s);
	s->board = serve_board_open(&s->sim, &s->link, bc, err, errcap);
	if (s->board == NULL)
		return fail(s);
	s->board_port = serve_board_port(s->board);
	char why[256];
	if (cfg->connect && serve_board_client_unsupported(s->board, why, sizeof why) != NULL) {
		snprintf(err, errcap, "--connect: %s", why);
		return fail(s);
	}
	if (cfg->net == SERVE_NET_TAP) {
		struct bridge_tap_config tc = {cfg->netns, BRIDGE_GATEWAY, BRIDGE_NETMASK};
		s->tap = bridge_tap_new(&s->sim, &s->link, &tc, err, errcap);
		if (s->tap == NULL)
			return fail(s);
		return open_capture(s, err, errcap);
	}
	struct bridge_slirp_config sc = {cfg->deterministic, cfg->restricted};
	s->slirp = bridge_slirp_new(&s->sim, &s->link, &sc, err, errcap);
	if (s->slirp == NULL)
		return fail(s);
	for (unsigned i = 0; i < cfg->nfwd; i++) {
		const struct serve_forward *f = &cfg->fwd[i];
		char msg[200];
		if (bridge_slirp_forward(s->slirp, f->udp, f->host_ip, f->host_port,
					 f->guest_ip ? f->guest_ip : BRIDGE_DEVICE, f->guest_port, msg, sizeof msg) != 0) {
			snprintf(err, errcap, "--forward: %s", msg);
			return fail(s);
		}
	}
	for (unsigned i = 0; i < cfg->ngfwd; i++) {
		const struct serve_guestfwd *g = &cfg->gfwd[i];
		char msg[240];
		if (bridge_slirp_guestfwd(s->slirp, g->ip, g->port, g->svc, msg, sizeof msg) != 0) {
			snprintf(err, errcap, "--guestfwd: %s", msg);
			return fail(s);
		}
	}
	bridge_slirp_pace(s->slirp, pace_cb, s->board);
	return open_capture(s, err, errcap);
}

bool serve_boot(struct serve *s)
{
	if (!s->cfg.deterministic)
		s->pcap_offset = real_ns(); /* virtual 0 ~ now: boot takes microseconds of wall time */
	while (!serve_board_receiving(s->board)) {
		uint64_t next = serve_board_next_event(s->board);
		if (next == SIM_NEVER || next > BOOT_LIMIT_NS || serve_board_run_until(s->board, next) != 0)
			return false;
	}
	if (serve_board_run_until(s->board, sim_now(&s->sim) + SETTLE_NS) != 0)
		return false;
	s->booted = true;
	s->v_boot = sim_now(&s->sim);
	if (s->cfg.connect)
		serve_board_client_start(s->board, s->cfg.connect_ip, s->cfg.connect_port, s->cfg.send_bytes);
	return true;
}

/* ---- describing ---- */

static const char *svc_name(enum bridge_slirp_service v)
{
	return v == BRIDGE_SLIRP_ECHO ? "echo" : "discard";
}

void serve_describe(struct serve *s, FILE *out)
{
	char ip[16], ip2[16];
	const struct serve_config *c = &s->cfg;
	uint8_t mac[6];
	serve_board_mac(s->board, mac);
	fprintf(out, "synack serve: %s at %s, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", serve_board_label(s->board),
		bridge_ip_str(BRIDGE_DEVICE, ip), mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (s->tap != NULL) {
		const char *path = bridge_tap_netns_path(s->tap);
		fprintf(out, "  network: TAP %s (the kernel, %s/24) in a network namespace of its own\n",
			BRIDGE_TAP_IFNAME, bridge_ip_str(BRIDGE_GATEWAY, ip));
		fprintf(out, "  enter it: nsenter -t %ld -n COMMAND   e.g. nsenter -t %ld -n curl http://%s/\n",
			(long)getpid(), (long)getpid(), bridge_ip_str(BRIDGE_DEVICE, ip2));
		if (path != NULL)
			fprintf(out, "        or: ip netns exec %s COMMAND   (%s)\n", c->netns, path);
		fprintf(out, "  time: virtual time follows the wall clock\n");
	} else {
		fprintf(out, "  network: libslirp %s, 10.0.2.0/24, gateway %s, DNS %s%s\n", bridge_slirp_version(),
			bridge_ip_str(BRIDGE_GATEWAY, ip), bridge_ip_str(BRIDGE_DNS, ip2),
			c->deterministic || c->restricted ? " (restricted: no NAT beyond these)" : "");
		for (unsigned i = 0; i < c->nfwd; i++) {
			const struct serve_forward *f = &c->fwd[i];
			fprintf(out, "  forward: %s %s:%u -> %s:%u\n", f->udp ? "udp" : "tcp", bridge_ip_str(f->host_ip, ip),
				(unsigned)f->host_port, bridge_ip_str(f->guest_ip ? f->guest_ip : BRIDGE_DEVICE, ip2),
				(unsigned)f->guest_port);
		}
		for (unsigned i = 0; i < c->ngfwd; i++)
			fprintf(out, "  guest forward: %s:%u -> %s (inside synack)\n", bridge_ip_str(c->gfwd[i].ip, ip),
				(unsigned)c->gfwd[i].port, svc_name(c->gfwd[i].svc));
		fprintf(out, "  time: %s\n",
			c->deterministic ? "virtual, run as fast as it goes (deterministic: no host sockets)"
					 : "virtual time follows the wall clock");
	}
	if (c->connect)
		fprintf(out, "  client: connects to %s:%u and sends %" PRIu64 " bytes\n", bridge_ip_str(c->connect_ip, ip),
			(unsigned)c->connect_port, c->send_bytes);
	if (c->pcap_path != NULL)
		fprintf(out, "  capture: %s (written when serve stops)\n", c->pcap_path);
	fprintf(out, "synack serve: ready%s\n", c->deterministic ? "" : " (stop with ^C)");
	fflush(out);
}

/* ---- counters ---- */

struct drops {
	uint64_t link, chip, bridge;
};

static struct drops drops_now(struct serve *s)
{
	struct drops d;
	const struct sim_link_stats *l = &s->link.stats;
	const struct model_stats *m = model_get_stats(serve_board_model(s->board));
	d.link = l->dropped_loss + l->dropped_oversize + l->dropped_no_slot;
	d.chip = (uint64_t)m->rx_dropped_full + m->rx_dropped_toolong + m->rx_dropped_crc + m->rx_dropped_disabled +
		 m->rx_dropped_runt;
	const struct bridge_stats *b = s->tap ? bridge_tap_stats(s->tap) : &bridge_slirp_stats(s->slirp)->wire;
	d.bridge = b->dropped_in + b->dropped_out;
	return d;
}

static unsigned diag_count(struct serve *s)
{
	return model_diag_count(serve_board_model(s->board));
}

static uint64_t served_ns(struct serve *s)
{
	return s->booted ? sim_now(&s->sim) - s->v_boot : 0;
}

static void live_line(struct serve *s, FILE *live, bool force)
{
	if (live == NULL)
		return;
	uint64_t now = mono_ns();
	if (!force && now - s->last_live < LIVE_NS)
		return;
	s->last_live = now;
	struct drops d = drops_now(s);
	uint64_t t = served_ns(s);
	int n = fprintf(live,
			"\r%" PRIu64 ".%01" PRIu64 " s  frames %" PRIu64 " in, %" PRIu64 " out  tcp %" PRIu64
			" conns, resets %" PRIu64 " sent, %" PRIu64 " received  drops %" PRIu64 "  checker %u",
			t / 1000000000u, t / 100000000u % 10u, s->frames_to_dev, s->frames_from_dev, s->conns,
			s->rst_from_dev, s->rst_to_dev, d.link + d.chip + d.bridge, diag_count(s));
	/* Blank what a longer previous line left. */
	if (n > 0 && n < s->live_len)
		fprintf(live, "%*s", s->live_len - n, "");
	if (n > 0)
		s->live_len = n;
	fflush(live);
}

/* ---- running ---- */

/* Stop conditions shared by both clocks; *drain_at is when the client's
 * last segments have had their second. */
static bool stop_now(struct serve *s, volatile sig_atomic_t *stop, uint64_t *drain_at, enum serve_stop *why)
{
	uint64_t now = sim_now(&s->sim);
	if (*stop) {
		*why = SERVE_STOP_SIGNAL;
		return true;
	}
	if (serve_board_stopped(s->board) != NULL) {
		*why = SERVE_STOP_BOARD;
		return true;
	}
	if (s->cfg.duration_ns && now - s->v_boot >= s->cfg.duration_ns) {
		*why = SERVE_STOP_DURATION;
		return true;
	}
	if (s->cfg.connect && serve_board_client_poll(s->board)) {
		if (*drain_at == SIM_NEVER)
			*drain_at = now + DRAIN_NS;
		if (now >= *drain_at) {
			*why = SERVE_STOP_CLIENT;
			return true;
		}
	}
	return false;
}

static uint64_t end_at(struct serve *s, uint64_t drain_at)
{
	uint64_t e = s->cfg.duration_ns ? s->v_boot + s->cfg.duration_ns : SIM_NEVER;
	return drain_at < e ? drain_at : e;
}

static enum serve_stop run_virtual(struct serve *s, volatile sig_atomic_t *stop, FILE *live)
{
	uint64_t drain_at = SIM_NEVER;
	enum serve_stop why = SERVE_STOP_DURATION;
	uint64_t w0 = mono_ns();
	while (!stop_now(s, stop, &drain_at, &why)) {
		uint64_t next = serve_board_next_event(s->board), e = end_at(s, drain_at);
		uint64_t until = next < e ? next : e;
		if (until == SIM_NEVER) /* nothing can happen any more */
			break;
		serve_board_run_until(s->board, until); /* a board that stopped: stop_now says so */
		live_line(s, live, false);
	}
	s->wall_ns = s->busy_ns = mono_ns() - w0;
	return why;
}

/* Virtual time now, on the wall clock. */
static uint64_t wall_v(const struct serve *s, uint64_t mono)
{
	return s->v_boot + (mono - s->wall0);
}

/* Run every event due by the wall clock; notes how late the first ran. */
static void catch_up(struct serve *s, uint64_t mono)
{
	uint64_t v = wall_v(s, mono), next = sim_next_event(&s->sim);
	if (next != SIM_NEVER && next < v && v - next > s->max_late_ns)
		s->max_late_ns = v - next;
	serve_board_run_until(s->board, v);
}

static enum serve_stop run_wall(struct serve *s, volatile sig_atomic_t *stop, FILE *live)
{
	uint64_t drain_at = SIM_NEVER;
	enum serve_stop why = SERVE_STOP_SIGNAL;
	struct pollfd tapfd;
	/* The stop signals are let in only while ppoll() sleeps, so one that
	 * comes after *stop was checked still ends the sleep at once. */
	sigset_t stops, old, sleeping;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &old);
	sleeping = old;
	sigdelset(&sleeping, SIGINT);
	sigdelset(&sleeping, SIGTERM);
	sigdelset(&sleeping, SIGHUP);
	s->wall0 = mono_ns();
	for (;;) {
		uint64_t t0 = mono_ns();
		catch_up(s, t0);
		if (stop_now(s, stop, &drain_at, &why))
			break;
		struct pollfd *fds;
		size_t nfds;
		uint64_t wait;
		if (s->tap != NULL) {
			tapfd.fd = bridge_tap_fd(s->tap);
			tapfd.events = POLLIN;
			tapfd.revents = 0;
			fds = &tapfd;
			nfds = 1;
			wait = LIVE_NS;
		} else {
			nfds = bridge_slirp_fill(s->slirp, &fds, &wait);
		}
		uint64_t v = sim_now(&s->sim), next = serve_board_next_event(s->board), e = end_at(s, drain_at);
		if (next < e)
			e = next;
		if (e != SIM_NEVER && e - v < wait)
			wait = e > v ? e - v : 0;
		if (live != NULL && wait > LIVE_NS)
			wait = LIVE_NS;
		struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
		uint64_t t1 = mono_ns();
		s->busy_ns += t1 - t0;
		int rc = ppoll(fds, (nfds_t)nfds, &ts, &sleeping);
		bool poll_error = rc < 0 && errno != EINTR;
		if (rc < 0)
			for (size_t i = 0; i < nfds; i++)
				fds[i].revents = 0;
		uint64_t t2 = mono_ns();
		catch_up(s, t2);
		if (s->tap != NULL) {
			if ((rc > 0 && (tapfd.revents & (POLLERR | POLLHUP | POLLNVAL))) || poll_error ||
			    (rc > 0 && bridge_tap_read(s->tap) != 0)) {
				why = SERVE_STOP_BRIDGE;
				s->busy_ns += mono_ns() - t2;
				break;
			}
		} else {
			bridge_slirp_poll(s->slirp, poll_error);
		}
		s->busy_ns += mono_ns() - t2;
		live_line(s, live, false);
	}
	s->wall_ns = mono_ns() - s->wall0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return why;
}

enum serve_stop serve_run(struct serve *s, volatile sig_atomic_t *stop, FILE *live)
{
	enum serve_stop why = s->cfg.deterministic ? run_virtual(s, stop, live) : run_wall(s, stop, live);
	if (live != NULL) {
		live_line(s, live, true);
		fputc('\n', live);
		fflush(live);
	}
	return why;
}

/* ---- results ---- */

/* One line per rule the driver broke: its first occurrence as the checker
 * words it, and how often (as the conformance report does). */
static void print_diags(struct serve *s, FILE *out)
{
	struct enc_model *m = serve_board_model(s->board);
	unsigned nd = model_diag_count(m);
	bool shown[MODEL_RULE_COUNT] = {false};
	char line[320];
	fprintf(out, "  checker: %u diagnostics\n", nd);
	for (unsigned i = 0; i < nd; i++) {
		const struct model_diag *dg = model_diag_get(m, i);
		if (dg == NULL)
			break; /* only counted from here on: their rules are counted below */
		if ((unsigned)dg->rule >= MODEL_RULE_COUNT || shown[dg->rule])
			continue;
		shown[dg->rule] = true;
		model_diag_format(dg, line, sizeof line);
		fprintf(out, "    %s (%u times)\n", line, model_diag_count_rule(m, dg->rule));
	}
}

static void print_secs(FILE *out, uint64_t ns)
{
	fprintf(out, "%" PRIu64 ".%03" PRIu64 " s", ns / 1000000000u, ns / 1000000u % 1000u);
}

static const char *stop_text(enum serve_stop why)
{
	switch (why) {
	case SERVE_STOP_SIGNAL:
		return "stopped by a signal";
	case SERVE_STOP_DURATION:
		return "the duration passed";
	case SERVE_STOP_CLIENT:
		return "the client finished";
	case SERVE_STOP_BRIDGE:
		return "the TAP device went away";
	case SERVE_STOP_BOOT:
		return "the firmware did not enable reception (ECON1.RXEN) within 2 s of boot";
	case SERVE_STOP_BOARD:
		return "the board stopped";
	}
	return "?";
}

static void client_summary(struct serve *s, FILE *out)
{
	const struct serve_client *c = serve_board_client(s->board);
	char ip[16];
	fprintf(out, "  client: %s:%u: sent %" PRIu64 " of %" PRIu64 ", received %" PRIu64, bridge_ip_str(c->ip, ip),
		(unsigned)c->port, c->sent, c->total, c->received);
	if (c->mismatch_at != UINT64_MAX)
		fprintf(out, ", differs from what was sent at byte %" PRIu64, c->mismatch_at);
	else if (c->received == c->total)
		fprintf(out, ", the same bytes");
	switch (c->state) {
	case SERVE_CLIENT_DONE:
		if (c->received >= c->total) {
			fprintf(out, " in ");
			print_secs(out, c->all_back_at - c->started_at);
		}
		fprintf(out, "; %s\n", c->half_open ? "our FIN acknowledged, the peer's side left open" : "closed");
		return;
	case SERVE_CLIENT_FAILED:
		fprintf(out, "; FAILED: %s\n", c->why);
		return;
	case SERVE_CLIENT_NONE:
	case SERVE_CLIENT_CONNECTING:
	case SERVE_CLIENT_OPEN:
	case SERVE_CLIENT_CLOSING:
		fprintf(out, "; not finished\n");
		return;
	}
}

void serve_summary(struct serve *s, enum serve_stop why, FILE *out)
{
	struct drops d = drops_now(s);
	fprintf(out, "synack serve: %s after ", stop_text(why));
	print_secs(out, served_ns(s));
	fprintf(out, " of serving\n");
	if (serve_board_stopped(s->board) != NULL)
		fprintf(out, "  board: %s\n", serve_board_stopped(s->board));
	fprintf(out, "  wire: %" PRIu64 " frames to the device, %" PRIu64 " from it; tcp: %" PRIu64
		" connections, resets %" PRIu64 " sent by the device, %" PRIu64 " received\n",
		s->frames_to_dev, s->frames_from_dev, s->conns, s->rst_from_dev, s->rst_to_dev);
	const struct model_stats *ms = model_get_stats(serve_board_model(s->board));
	fprintf(out, "  drops: link %" PRIu64 ", chip %" PRIu64 " (receive ring full %" PRIu32 "), bridge %" PRIu64 "\n",
		d.link, d.chip, ms->rx_dropped_full, d.bridge);
	struct serve_ours_counters oc;
	if (serve_board_ours_counters(s->board, &oc))
		fprintf(out, "  our stack: echo %" PRIu32 " connections, %" PRIu32 " bytes; http %" PRIu32
			" pages; blocks in use %" PRIu32 " of %u; SYNs dropped with every block taken %" PRIu32
			"; TIME-WAIT recycled %" PRIu32 "; retransmissions %" PRIu32 "\n",
			oc.echo_accepted, oc.echo_bytes, oc.http_served, oc.conns_in_use, SERVE_OURS_TCP_CONNS,
			oc.listen_full, oc.timewait_recycled, oc.retransmits);
	if (s->slirp != NULL) {
		const struct bridge_slirp_stats *b = bridge_slirp_stats(s->slirp);
		fprintf(out, "  slirp: accepts paused for the device %" PRIu64
			" times; complaints about the device's frames %" PRIu64 "%s%s%s\n",
			b->accept_pauses, b->guest_errors, b->guest_errors ? " (last: " : "",
			b->guest_errors ? b->last_guest_error : "", b->guest_errors ? ")" : "");
	}
	if (s->cfg.connect)
		client_summary(s, out);
	print_diags(s, out);
	if (s->pcap_done)
		fprintf(out, "  capture: %s (%" PRIu64 " frames)\n", s->cfg.pcap_path, s->pcap.frames);
	if (s->cfg.deterministic) {
		fprintf(out, "  time: virtual ");
		print_secs(out, sim_now(&s->sim));
		fprintf(out, " (deterministic: no wall time entered the run)\n");
	} else if (s->wall_ns > 0) {
		uint64_t v = served_ns(s);
		fprintf(out, "  time: virtual ");
		print_secs(out, v);
		fprintf(out, " in ");
		print_secs(out, s->wall_ns);
		fprintf(out, " of wall time (virtual/wall %.4f); the simulation was busy %.2f%% of it; events ran at "
			"most %.3f ms late\n",
			(double)v / (double)s->wall_ns, 100.0 * (double)s->busy_ns / (double)s->wall_ns,
			(double)s->max_late_ns / 1e6);
	}
}

bool serve_ok(struct serve *s, enum serve_stop why)
{
	if (why == SERVE_STOP_BOOT || why == SERVE_STOP_BRIDGE || why == SERVE_STOP_BOARD)
		return false;
	if (!s->cfg.connect)
		return true;
	const struct serve_client *c = serve_board_client(s->board);
	/* What came back is what was sent: all of it (an echo), or nothing (a
	 * discard service, closed after 2 s of quiet). */
	return c->state == SERVE_CLIENT_DONE && c->mismatch_at == UINT64_MAX &&
	       (c->received == c->total || c->received == 0);
}

int serve_close_capture(struct serve *s, char *err, size_t errcap)
{
	if (!s->pcap_on)
		return 0;
	s->pcap_on = false;
	if (sim_pcap_close(&s->pcap, err, errcap) != 0)
		return -1;
	s->pcap_done = true;
	return 0;
}

void serve_free(struct serve *s)
{
	if (s == NULL)
		return;
	if (s->pcap_on) {
		char ignored[8];
		serve_close_capture(s, ignored, sizeof ignored);
	}
	if (s->sim_up)
		sim_free(&s->sim);
	/* After sim_free(): the queue may still name their timers. */
	bridge_slirp_free(s->slirp);
	bridge_tap_free(s->tap);
	serve_board_free(s->board);
	if (s->link_up)
		sim_link_free(&s->link);
	free(s);
}

void serve_emergency_cleanup(void)
{
	bridge_tap_emergency_cleanup();
}
