/*
 * dut_board.c - the `board:PATH.so` DUT adapter: a user's firmware (their
 * own ENC28J60 driver and TCP/IP stack), built as a shared object against
 * sim/synack_board.h, running on a simulated board with the chip model.
 *
 *   synack run --dut board:PATH.so
 *     dut_board_load: dlopen, dlsym("synack_board_entry"), check the ABI
 *     per scenario (open .. close):
 *       runner ──inject──> peer port ──Ethernet+FCS──> link ──> model ──SPI──> firmware
 *       runner <─advance── peer port <─────────────── link <── model <──────── firmware
 *
 * The board is sim/board.h's: the firmware's boot() and run(now) are a
 * struct sim_firmware, its SPI calls land in the model at the board's CPU
 * time, and the model's checker records every rule the driver breaks (the
 * diagnostics hook hands them to the report). The peer port plays the
 * runner's side below IP, as in dut_sim.c: it answers ARP for the peer's
 * address, frames the runner's datagrams for the DUT's MAC (learnt from
 * what the DUT sends, in case the firmware ignored the one it was given)
 * and unwraps what the DUT sends, checking the FCS.
 *
 * Time 0 of a script is a board whose firmware has booted and enabled
 * reception (ECON1.RXEN). Application actions go to the firmware's optional
 * struct synack_board_app inside a firmware pass (sim_board_exec), followed
 * by a run() pass; what the firmware lacks is reported before the script
 * runs (app_unsupported / event_unsupported), so such scripts are
 * unsupported, not failed.
 *
 * One firmware per process (the CLI picks one --dut); each scenario gets a
 * fresh instance from create() and a fresh board, so scenarios are
 * independent and a run depends only on its seed.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "board.h"
#include "dut_sockerr.h"
#include "engine.h"
#include "link.h"
#include "pcap_tap.h"
#include "sim.h"
#include "synack_board.h"
#include "wire/arp.h"
#include "wire/eth.h"

#define QLEN 32u
#define EVLEN 64u
/* What `send` offers the firmware in one call: as much as a stack can take
 * at once (tcp_write's 16-bit length), so the firmware, not the harness,
 * decides how the bytes are cut into segments, as on the sim DUT. */
#define SEND_CHUNK 65535u
#define RECV_CHUNK 512u
#define BOOT_LIMIT_NS 2000000000ull   /* a board not receiving after 2 s is broken */
#define SETTLE_NS 10000000ull         /* after RXEN: let the firmware finish (gratuitous ARP ...) */
#define INJECT_LIMIT_NS 10000000ull   /* a frame not taken in 10 ms stays in the chip */
#define DIAG_LINE 320u
#define EPHEMERAL_LO 32768u           /* Linux's net.ipv4.ip_local_port_range */
#define EPHEMERAL_HI 60999u

/* The loaded firmware and the ops it gets (one per process). */
static struct {
	void *handle;
	const struct synack_board_firmware *fw;
	char path[1024];
	char file[48];                 /* the library's file name, for messages */
	char name[64];                 /* "board:<file>", the adapter's name */
	struct dut_ops ops;
} g_board;

struct board_dut {
	struct sim sim;
	struct sim_link link;
	struct sim_board board;
	bool board_up;
	struct sim_port *peer;
	struct sim_pcap pcap;
	bool pcap_on;
	struct dut_config cfg;
	const struct synack_board_firmware *fw;
	struct synack_board_env env;
	void *fw_ctx;
	uint8_t peer_mac[6], dut_mac[6];
	uint64_t t0;
	struct dut_packet *q;
	size_t q_head, q_len;
	enum dut_app_event ev[EVLEN];
	size_t ev_head, ev_len;
	uint32_t send_pending;         /* bytes `send` asked for, not yet taken */
	uint32_t send_seq;             /* pattern counter */
	uint8_t chunk[SEND_CHUNK];     /* the bytes offered to the firmware's send() */
	struct dut_sockerr sock;       /* the current connection's socket error (no sockets here) */
	const struct dut_app_cmd *cmd; /* the action running in a pass */
	int result;
};

/* ---- what the firmware calls ---- */

static uint64_t env_now(void *ctx)
{
	struct board_dut *d = ctx;
	return sim_board_now(&d->board);
}

/* The firmware's events concern its current connection: they reach its
 * socket error too, and an accepted connection is a new socket. */
static void push_event(struct board_dut *d, enum dut_app_event ev)
{
	if (ev == DUT_EV_ACCEPTED)
		dut_sockerr_open(&d->sock);
	dut_sockerr_event(&d->sock, ev);
	if (d->ev_len == EVLEN)
		return;
	d->ev[(d->ev_head + d->ev_len++) % EVLEN] = ev;
}

static void env_event(void *ctx, enum synack_board_event ev)
{
	struct board_dut *d = ctx;
	switch (ev) {
	case SYNACK_BOARD_EV_ACCEPTED:
		push_event(d, DUT_EV_ACCEPTED);
		return;
	case SYNACK_BOARD_EV_CONNECTED:
		push_event(d, DUT_EV_CONNECTED);
		return;
	case SYNACK_BOARD_EV_EOF:
		push_event(d, DUT_EV_EOF);
		return;
	case SYNACK_BOARD_EV_RESET:
		push_event(d, DUT_EV_RESET);
		return;
	case SYNACK_BOARD_EV_REFUSED:
		push_event(d, DUT_EV_REFUSED);
		return;
	case SYNACK_BOARD_EV_CLOSED:
		push_event(d, DUT_EV_CLOSED);
		return;
	case SYNACK_BOARD_EV_TIMEOUT:
		push_event(d, DUT_EV_TIMEOUT);
		return;
	}
	/* An out-of-range value from the firmware is ignored. */
}

/* ---- the firmware on the board ---- */

/* Offers what `send` still holds; the firmware takes what fits. */
static void push_send(struct board_dut *d, uint64_t now)
{
	uint8_t *chunk = d->chunk;
	const struct synack_board_app *app = d->fw->app;
	while (d->send_pending > 0 && app != NULL && app->send != NULL) {
		uint32_t n = d->send_pending < SEND_CHUNK ? d->send_pending : SEND_CHUNK;
		for (uint32_t i = 0; i < n; i++)
			chunk[i] = d->cfg.send_zeros ? 0 : (uint8_t)('a' + (d->send_seq + i) % 26u);
		int took = app->send(d->fw_ctx, now, chunk, n);
		if (took <= 0)
			break;
		if ((uint32_t)took > n)
			took = (int)n;
		d->send_seq += (uint32_t)took;
		d->send_pending -= (uint32_t)took;
		if ((uint32_t)took < n)
			break;
	}
}

static void fw_boot(void *ctx, struct sim_board *b)
{
	struct board_dut *d = ctx;
	d->fw->boot(d->fw_ctx, sim_board_now(b));
}

static uint64_t fw_run(void *ctx, struct sim_board *b, uint64_t now)
{
	struct board_dut *d = ctx;
	uint64_t next = d->fw->run(d->fw_ctx, now);
	if (d->send_pending > 0) {
		push_send(d, sim_board_now(b));
		uint64_t again = d->fw->run(d->fw_ctx, sim_board_now(b));
		next = again < next ? again : next;
	}
	return next;
}

static const struct sim_firmware BOARD_FW = {fw_boot, fw_run};

/* ---- the peer port ---- */

static void answer_arp(struct board_dut *d, const uint8_t *body, size_t blen, uint64_t now)
{
	struct arp_repr a, r;
	if (arp_parse(body, blen, &a) != WIRE_OK || a.op != ARP_OP_REQUEST || a.tpa != d->cfg.peer_ip)
		return;
	memset(&r, 0, sizeof r);
	r.op = ARP_OP_REPLY;
	memcpy(r.sha, d->peer_mac, 6);
	r.spa = d->cfg.peer_ip;
	memcpy(r.tha, a.sha, 6);
	r.tpa = a.spa;
	uint8_t out[60];
	memset(out, 0, sizeof out);
	struct eth_repr e;
	memcpy(e.dst, a.sha, 6);
	memcpy(e.src, d->peer_mac, 6);
	e.ethertype = ETH_TYPE_ARP;
	eth_emit(&e, out, sizeof out);
	arp_emit(&r, out + ETH_HDR_LEN, sizeof out - ETH_HDR_LEN);
	sim_link_send_nofcs(d->peer, out, sizeof out, now);
}

static void peer_deliver(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct board_dut *d = ctx;
	struct eth_repr eth;
	if (len < 4 || !sim_frame_fcs_ok(frame, len))
		return;
	len -= 4;
	if (eth_parse(frame, len, &eth) != WIRE_OK)
		return;
	const uint8_t *body = frame + ETH_HDR_LEN;
	size_t blen = len - ETH_HDR_LEN;
	if (!(eth.src[0] & 1u))
		memcpy(d->dut_mac, eth.src, 6); /* where the DUT really is */
	if (eth.ethertype == ETH_TYPE_ARP) {
		answer_arp(d, body, blen, now);
		return;
	}
	if (eth.ethertype != ETH_TYPE_IPV4 || memcmp(eth.dst, d->peer_mac, 6) != 0)
		return;
	if (d->q_len == QLEN || blen > DUT_MAX_PKT || blen < 20)
		return;
	size_t tl = (size_t)wire_get16(body + 2); /* trim Ethernet padding */
	if (tl >= 20 && tl < blen)
		blen = tl;
	struct dut_packet *p = &d->q[(d->q_head + d->q_len++) % QLEN];
	uint64_t start = now - sim_link_wire_ns(len + 4); /* first bit, as the pcap */
	p->t = start > d->t0 ? start - d->t0 : 0;
	p->len = blen;
	memcpy(p->data, body, blen);
}

/* ---- dut_ops ---- */

static void board_close(struct dut *dd)
{
	struct board_dut *d = dd->priv;
	if (d == NULL)
		return;
	if (d->pcap_on) {
		char err[128];
		sim_pcap_close(&d->pcap, err, sizeof err);
	}
	sim_free(&d->sim);
	if (d->fw_ctx != NULL)
		d->fw->destroy(d->fw_ctx);
	if (d->board_up)
		sim_board_free(&d->board);
	sim_link_free(&d->link);
	free(d->q);
	free(d);
	dd->priv = NULL;
}

static bool rx_enabled(struct board_dut *d)
{
	return (model_peek_reg(sim_board_model(&d->board), 0, ENC_REG_ADDR(ECON1)) & ECON1_RXEN) != 0;
}

static int board_open(struct dut *dd, const struct dut_config *cfg, char err[DUT_ERR_LEN])
{
	struct board_dut *d = calloc(1, sizeof *d);
	dd->priv = d;
	if (d == NULL || (d->q = calloc(QLEN, sizeof *d->q)) == NULL) {
		snprintf(err, DUT_ERR_LEN, "out of memory");
		return -1;
	}
	d->cfg = *cfg;
	d->fw = g_board.fw;
	static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
	static const uint8_t dut_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	memcpy(d->peer_mac, peer_mac, 6);
	memcpy(d->dut_mac, dut_mac, 6);
	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	lc.name = "dut-link";
	if (sim_init(&d->sim, cfg->seed, 256) != 0 || sim_link_init(&d->link, &d->sim, &lc) != 0) {
		snprintf(err, DUT_ERR_LEN, "cannot set up the simulation");
		return -1;
	}
	if (cfg->pcap_path != NULL) {
		if (sim_pcap_open(&d->pcap, cfg->pcap_path, err, DUT_ERR_LEN) != 0)
			return -1;
		d->pcap_on = true;
		sim_pcap_attach(&d->pcap, &d->link);
	}
	struct sim_board_config bc;
	memset(&bc, 0, sizeof bc);
	bc.name = "dut";
	bc.model.link_up = true;
	if (sim_board_init(&d->board, &d->sim, &bc) != 0) {
		snprintf(err, DUT_ERR_LEN, "cannot set up the board");
		return -1;
	}
	d->board_up = true;
	d->env.abi_version = SYNACK_BOARD_ABI_VERSION;
	d->env.spi = sim_board_hal(&d->board);
	memcpy(d->env.mac, dut_mac, 6);
	d->env.ip = cfg->dut_ip;
	d->env.netmask = 0; /* every address on-link: the peer answers ARP */
	d->env.gateway = 0;
	d->env.profile = (uint32_t)(((cfg->profile & DUT_PROFILE_RFC5961) ? SYNACK_BOARD_PROFILE_RFC5961 : 0u) |
				    ((cfg->profile & DUT_PROFILE_RFC1337) ? SYNACK_BOARD_PROFILE_RFC1337 : 0u));
	d->env.seed = cfg->seed;
	d->env.now = env_now;
	d->env.event = env_event;
	d->env.ctx = d;
	if ((d->fw_ctx = d->fw->create(&d->env)) == NULL) {
		snprintf(err, DUT_ERR_LEN, "the firmware's create() returned NULL");
		return -1;
	}
	d->peer = sim_link_attach(&d->link, peer_deliver, d);
	if (d->peer == NULL || sim_board_connect(&d->board, &d->link) != 0 ||
	    sim_board_start(&d->board, &BOARD_FW, d, 0) != 0) {
		snprintf(err, DUT_ERR_LEN, "cannot attach to the link");
		return -1;
	}
	while (!rx_enabled(d) && sim_now(&d->sim) < BOOT_LIMIT_NS) {
		uint64_t next = sim_next_event(&d->sim);
		if (next == SIM_NEVER || next > BOOT_LIMIT_NS)
			break;
		sim_run_until(&d->sim, next, 0);
	}
	if (!rx_enabled(d)) {
		snprintf(err, DUT_ERR_LEN,
			 "the firmware did not enable reception (ECON1.RXEN) within 2 s of boot "
			 "(the checker's diagnostics say what the driver did)");
		return -1;
	}
	sim_run_until(&d->sim, sim_now(&d->sim) + SETTLE_NS, 0);
	d->t0 = sim_now(&d->sim);
	d->q_len = 0;
	d->ev_len = 0;
	return 0;
}

static uint64_t board_now(struct dut *dd)
{
	struct board_dut *d = dd->priv;
	return sim_now(&d->sim) - d->t0;
}

static uint8_t epktcnt(struct board_dut *d)
{
	return model_peek_reg(sim_board_model(&d->board), 1, ENC_REG_ADDR(EPKTCNT));
}

static int board_inject(struct dut *dd, const uint8_t *ip, size_t len)
{
	struct board_dut *d = dd->priv;
	uint8_t frame[DUT_MAX_PKT + ETH_HDR_LEN];
	if (len > DUT_MAX_PKT - ETH_HDR_LEN)
		return -EMSGSIZE;
	struct eth_repr e;
	memcpy(e.dst, d->dut_mac, 6);
	memcpy(e.src, d->peer_mac, 6);
	e.ethertype = ETH_TYPE_IPV4;
	eth_emit(&e, frame, sizeof frame);
	memcpy(frame + ETH_HDR_LEN, ip, len);
	size_t flen = ETH_HDR_LEN + len;
	if (flen < 60) {
		memset(frame + flen, 0, 60 - flen);
		flen = 60;
	}
	uint64_t in0 = d->board.stats.frames_in;
	uint32_t stored0 = model_get_stats(sim_board_model(&d->board))->rx_frames_stored;
	sim_link_send_nofcs(d->peer, frame, flen, sim_now(&d->sim));
	/* As on sim: return once the firmware has taken the frame out of the
	 * chip (EPKTCNT back to 0), so a `state` line right after sees its
	 * effect. A frame the chip dropped, or a firmware that leaves it in the
	 * ring, ends the wait at the limit. */
	uint64_t limit = sim_now(&d->sim) + INJECT_LIMIT_NS;
	for (;;) {
		bool arrived = d->board.stats.frames_in != in0;
		bool stored = model_get_stats(sim_board_model(&d->board))->rx_frames_stored != stored0;
		if (arrived && (!stored || epktcnt(d) == 0))
			break;
		uint64_t next = sim_next_event(&d->sim);
		if (next == SIM_NEVER || next > limit)
			break;
		sim_run_until(&d->sim, next, 0);
	}
	return 0;
}

static int board_advance(struct dut *dd, uint64_t until, struct dut_packet *out)
{
	struct board_dut *d = dd->priv;
	uint64_t abs_until = until + d->t0;
	size_t ev0 = d->ev_len;
	for (;;) {
		if (d->q_len > 0) {
			*out = d->q[d->q_head];
			d->q_head = (d->q_head + 1) % QLEN;
			d->q_len--;
			return 1;
		}
		if (d->ev_len > ev0)
			return 0;
		uint64_t next = sim_next_event(&d->sim);
		if (next == SIM_NEVER || next > abs_until) {
			sim_run_until(&d->sim, abs_until, 0);
			return 0;
		}
		sim_run_until(&d->sim, next, 0);
	}
}

/* One application action as a firmware pass: the call, then run(). */
static uint64_t exec_app(void *ctx, struct sim_board *b, uint64_t now)
{
	struct board_dut *d = ctx;
	const struct synack_board_app *app = d->fw->app;
	const struct dut_app_cmd *c = d->cmd;
	uint8_t buf[RECV_CHUNK];
	d->result = -EOPNOTSUPP;
	switch (c->kind) {
	case DUT_APP_LISTEN:
		if (app->listen == NULL || c->conn == DUT_CONN_LISTENER)
			break;
		if (c->port != 0) {
			d->result = app->listen(d->fw_ctx, now, c->port);
			break;
		}
		/* A socket never bound: the first port of Linux's ephemeral
		 * range the firmware takes, as on sim. */
		for (uint32_t p = EPHEMERAL_LO; p <= EPHEMERAL_HI; p++) {
			d->result = app->listen(d->fw_ctx, now, (uint16_t)p);
			if (d->result != -EADDRINUSE) {
				d->result = d->result == 0 ? (int)p : d->result;
				break;
			}
		}
		break;
	case DUT_APP_CONNECT:
		if (app->connect != NULL)
			d->result = app->connect(d->fw_ctx, now, c->ip, c->port);
		if (d->result == 0)
			dut_sockerr_open(&d->sock);
		break;
	case DUT_APP_SEND:
		if (app->send != NULL && (d->result = dut_sockerr_send(&d->sock)) == 0) {
			d->send_pending += c->n;
			push_send(d, now);
			d->result = (int)c->n;
		}
		break;
	case DUT_APP_RECV: {
		if (app->recv == NULL)
			break;
		uint32_t want = c->n, got = 0;
		while (got < want) {
			size_t n = want - got < sizeof buf ? want - got : sizeof buf;
			int k = app->recv(d->fw_ctx, now, buf, n);
			if (k < 0) {
				got = 0;
				d->result = k;
				break;
			}
			got += (uint32_t)k;
			if ((size_t)k < n)
				break;
		}
		if (d->result == -EOPNOTSUPP)
			d->result = dut_sockerr_recv(&d->sock, (int)got);
		break;
	}
	case DUT_APP_CLOSE:
		if (app->close != NULL && c->conn != DUT_CONN_LISTENER) {
			d->result = app->close(d->fw_ctx, now);
			dut_sockerr_shutdown(&d->sock);
		}
		break;
	case DUT_APP_ABORT:
		if (app->abort != NULL)
			d->result = app->abort(d->fw_ctx, now);
		if (d->result == 0)
			dut_sockerr_event(&d->sock, DUT_EV_CLOSED);
		break;
	case DUT_APP_SHUTDOWN_WR:
		if (app->shutdown != NULL && c->conn != DUT_CONN_LISTENER)
			d->result = app->shutdown(d->fw_ctx, now);
		break;
	case DUT_APP_SHUTDOWN_RD:
		/* The board ABI has no receive-side shutdown (nor RFC 9293):
		 * the application just reads no more; nothing on the wire. */
		d->result = 0;
		break;
	case DUT_APP_RCVBUF:
		break;
	}
	return d->fw->run(d->fw_ctx, sim_board_now(b));
}

static int board_app(struct dut *dd, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN])
{
	struct board_dut *d = dd->priv;
	if (d->fw->app == NULL) {
		snprintf(err, DUT_ERR_LEN, "the firmware has no application interface");
		return -EOPNOTSUPP;
	}
	d->cmd = cmd;
	sim_board_exec(&d->board, exec_app, d);
	if (d->result < 0)
		snprintf(err, DUT_ERR_LEN, "%s", strerror(-d->result));
	return d->result;
}

static int board_so_error(struct dut *dd, int conn)
{
	struct board_dut *d = dd->priv;
	(void)conn; /* the firmware's current connection */
	return dut_sockerr_pop(&d->sock);
}

static enum dut_app_event board_app_event(struct dut *dd)
{
	struct board_dut *d = dd->priv;
	if (d->ev_len == 0)
		return DUT_EV_NONE;
	enum dut_app_event ev = d->ev[d->ev_head];
	d->ev_head = (d->ev_head + 1) % EVLEN;
	d->ev_len--;
	return ev;
}

static int board_tcp_state(struct dut *dd, const char **name)
{
	struct board_dut *d = dd->priv;
	*name = d->fw->app->tcp_state(d->fw_ctx);
	return *name != NULL ? 0 : -EIO;
}

static size_t board_diagnostics(struct dut *dd, char *buf, size_t cap)
{
	struct board_dut *d = dd->priv;
	if (d == NULL || !d->board_up)
		return 0;
	return engine_model_diagnostics(sim_board_model(&d->board), buf, cap);
}

/* ---- what the firmware cannot do, asked before a script runs ---- */

static const char *const APP_FIELD[] = {
	[DUT_APP_LISTEN] = "listen",   [DUT_APP_CONNECT] = "connect", [DUT_APP_SEND] = "send",
	[DUT_APP_RECV] = "recv",       [DUT_APP_CLOSE] = "close",     [DUT_APP_ABORT] = "abort",
	[DUT_APP_SHUTDOWN_WR] = "shutdown", [DUT_APP_RCVBUF] = "rcvbuf", [DUT_APP_SHUTDOWN_RD] = "shutdown",
};

static const char *no_app(char *buf, size_t cap)
{
	snprintf(buf, cap,
		 "the firmware %s exports no application interface (synack_board_firmware.app is NULL; "
		 "see synack_board.h)",
		 g_board.file);
	return buf;
}

static const char *board_app_unsupported(enum dut_app_kind kind, char *buf, size_t cap)
{
	const struct synack_board_app *app = g_board.fw->app;
	if (app == NULL)
		return no_app(buf, cap);
	bool have = false;
	switch (kind) {
	case DUT_APP_LISTEN:
		have = app->listen != NULL;
		break;
	case DUT_APP_CONNECT:
		have = app->connect != NULL;
		break;
	case DUT_APP_SEND:
		have = app->send != NULL;
		break;
	case DUT_APP_RECV:
		have = app->recv != NULL;
		break;
	case DUT_APP_CLOSE:
		have = app->close != NULL;
		break;
	case DUT_APP_ABORT:
		have = app->abort != NULL;
		break;
	case DUT_APP_SHUTDOWN_WR:
		have = app->shutdown != NULL;
		break;
	case DUT_APP_SHUTDOWN_RD:
		have = true;
		break;
	case DUT_APP_RCVBUF:
		snprintf(buf, cap,
			 "the board ABI (version %u) cannot size the firmware's receive buffer or window (rcvbuf)",
			 SYNACK_BOARD_ABI_VERSION);
		return buf;
	}
	if (have)
		return NULL;
	snprintf(buf, cap, "the firmware %s does not implement %s (synack_board_app.%s is NULL)", g_board.file,
		 APP_FIELD[kind], APP_FIELD[kind]);
	return buf;
}

static const char *board_event_unsupported(enum dut_app_event ev, char *buf, size_t cap)
{
	if (g_board.fw->app == NULL)
		return no_app(buf, cap);
	if (ev == DUT_EV_URGENT) {
		snprintf(buf, cap, "the board ABI (version %u) reports no urgent data (synack_board_event has no such event)",
			 SYNACK_BOARD_ABI_VERSION);
		return buf;
	}
	return NULL;
}

/* ---- loading ---- */

static const struct dut_ops BOARD_OPS = {
	.name = "board",
	.profiles_supported = DUT_PROFILE_RFC5961 | DUT_PROFILE_RFC1337,
	.virtual_time = true,
	.open = board_open,
	.close = board_close,
	.now = board_now,
	.inject = board_inject,
	.advance = board_advance,
	.app = board_app,
	.app_event = board_app_event,
	.app_unsupported = board_app_unsupported,
	.event_unsupported = board_event_unsupported,
	.diagnostics = board_diagnostics,
	.so_error = board_so_error,
};

/* Forgets a half-loaded firmware; returns NULL for the caller's error path. */
static const struct dut_ops *unload(void)
{
	if (g_board.handle != NULL)
		dlclose(g_board.handle);
	memset(&g_board, 0, sizeof g_board);
	return NULL;
}

/* Loads the firmware at `path` and returns the adapter running it, or NULL
 * with the reason in err (no such file, not a shared object, no entry
 * point, another ABI version, missing functions). One per process: a second
 * call replaces the first. */
const struct dut_ops *dut_board_load(const char *path, char *err, size_t errcap)
{
	struct stat st;
	/* The run's report looks the adapter up again by its name,
	 * "board:<file>", which lives in g_board: unloading first would wipe
	 * the name being looked up (and the ops the caller holds). */
	if (g_board.fw != NULL && strcmp(path, g_board.file) == 0)
		return &g_board.ops;
	unload();
	if (path[0] == '\0') {
		snprintf(err, errcap, "board: expected board:PATH.so (a firmware built as a shared object)");
		return NULL;
	}
	if (stat(path, &st) != 0) {
		snprintf(err, errcap, "board:%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errcap, "board:%s: not a regular file", path);
		return NULL;
	}
	/* dlopen searches the library path for a name without a slash; a
	 * user means the file. */
	snprintf(g_board.path, sizeof g_board.path, "%s%s", strchr(path, '/') ? "" : "./", path);
	dlerror();
	g_board.handle = dlopen(g_board.path, RTLD_NOW | RTLD_LOCAL);
	if (g_board.handle == NULL) {
		const char *why = dlerror();
		snprintf(err, errcap, "board:%s: cannot load: %s", path, why ? why : "dlopen failed");
		return unload();
	}
	union {
		void *obj;
		synack_board_entry_fn fn;
	} entry;
	dlerror();
	entry.obj = dlsym(g_board.handle, SYNACK_BOARD_ENTRY_NAME);
	if (entry.obj == NULL) {
		snprintf(err, errcap, "board:%s: the library has no entry point %s() (export it; see synack_board.h)",
			 path, SYNACK_BOARD_ENTRY_NAME);
		return unload();
	}
	const struct synack_board_firmware *fw = entry.fn();
	if (fw == NULL) {
		snprintf(err, errcap, "board:%s: %s() returned NULL", path, SYNACK_BOARD_ENTRY_NAME);
		return unload();
	}
	if (fw->abi_version != SYNACK_BOARD_ABI_VERSION) {
		snprintf(err, errcap,
			 "board:%s: the firmware was built for board ABI version %u, this synack speaks version %u "
			 "(rebuild it against this synack's synack_board.h)",
			 path, (unsigned)fw->abi_version, SYNACK_BOARD_ABI_VERSION);
		return unload();
	}
	if (fw->create == NULL || fw->boot == NULL || fw->run == NULL || fw->destroy == NULL) {
		snprintf(err, errcap, "board:%s: the firmware lacks one of create, boot, run, destroy (all are required)",
			 path);
		return unload();
	}
	g_board.fw = fw;
	const char *base = strrchr(path, '/');
	snprintf(g_board.file, sizeof g_board.file, "%s", base ? base + 1 : path);
	snprintf(g_board.name, sizeof g_board.name, "board:%s", g_board.file);
	g_board.ops = BOARD_OPS;
	g_board.ops.name = g_board.name;
	g_board.ops.behaviours = fw->behaviours;
	if (fw->app != NULL && fw->app->tcp_state != NULL)
		g_board.ops.tcp_state = board_tcp_state;
	return &g_board.ops;
}

const struct synack_board_firmware *dut_board_firmware(void)
{
	return g_board.fw;
}

const struct dut_ops *dut_board_loaded(const char *name)
{
	return g_board.fw != NULL && strcmp(g_board.name, name) == 0 ? &g_board.ops : NULL;
}
