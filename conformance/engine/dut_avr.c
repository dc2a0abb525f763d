/*
 * dut_avr.c - the `avr:IMAGE.elf` DUT adapter: the exact firmware ELF
 * (firmware/avr/, ATmega328P) in simavr with the ENC28J60 model on its
 * SPI pins (sim/avr_host.h), driven through the image's UART test agent
 * (firmware/app/fw_agent.h, protocol in firmware/README.md).
 *
 *   synack run --dut avr:IMAGE.elf
 *     dut_avr_load: read the ELF once (sim/fw_image.h), check it is AVR
 *     per scenario (open .. close):
 *       runner ──inject──> peer port ──Ethernet+FCS──> link ──> model ──SPI──> AVR image
 *       runner <─advance── peer port <─────────────── link <── model <──────── AVR image
 *       runner ──app──> "listen 8080\n" ──UART──> agent ──> "ok\n" ──> result
 *
 * Time is the AVR's cycle counter (16 MHz): a script's virtual time is
 * cycles, so the same seed gives the same bytes, frames and pcap. The
 * image's CPU time is real in that clock: an ATmega328P takes about 1.5 ms
 * to answer a segment (SPI at 8 MHz and 8-bit arithmetic), some 10 ms to
 * send 1,000 bytes, and each retransmission lands up to 1.5 ms later than
 * the one before (the stack's millisecond timers round up, and the
 * segment is rebuilt). The agent's UART is part of that time too: an
 * application action costs its command and reply at 115200 baud (about
 * 90 us a character, a `connect` some 2.5 ms), and an application event
 * reaches the runner when its "! event" line has come in. So the adapter's
 * default late tolerance (dut_ops.tolerance_ns) is 20 ms, not the 4 ms
 * sim gets: the suite's worst case, ten segments injected back to back,
 * is answered 15.8 ms late. A segment is still never allowed early. Time 0 of a script is a board whose agent said "! ready" and took
 * the scenario's setup (services off, the script's address, the profile).
 *
 * As on sim and board:, a peer port plays the runner's side below IP: it
 * answers ARP for the peer's address, frames the runner's datagrams for the
 * DUT's MAC (learnt from what the image sends: the MAC is a build option)
 * and unwraps what the image sends, checking the FCS. The chip model's
 * checker lines are the diagnostics, with the CPU's fate if it stopped.
 *
 * One image per process (the CLI picks one --dut); each scenario boots it
 * afresh on a fresh simulation, so scenarios are independent.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "avr_host.h"
#include "dut_sockerr.h"
#include "engine.h"
#include "fw_image.h"
#include "link.h"
#include "net.h"
#include "pcap_tap.h"
#include "sim.h"
#include "tcp.h"
#include "wire/arp.h"
#include "wire/eth.h"

#define QLEN 32u
#define EVLEN 64u
#define LINE_MAX 640u
#define BOOT_LIMIT_NS 2000000000ull   /* "! ready" within 2 s of power-on */
#define REPLY_LIMIT_NS 1000000000ull  /* an agent that does not answer in 1 s is hung */
#define INJECT_LIMIT_NS 10000000ull   /* a frame not taken in 10 ms stays in the chip */
#define INJECT_SLICE_NS 50000ull      /* how often inject looks at the chip */
#define AGENT_VERSION "2"
#define TOLERANCE_NS 20000000ll       /* see above */
#define EPHEMERAL_LO 32768u           /* Linux's net.ipv4.ip_local_port_range */
#define EPHEMERAL_TRIES 8u

/* The loaded image (one per process). */
static struct {
	struct fw_image img;
	bool loaded;
	char name[1100];               /* "avr:<path>", the adapter's name */
	struct dut_ops ops;
} g_avr;

struct avr_dut {
	struct sim sim;
	struct sim_link link;
	struct sim_avr *avr;
	struct sim_port *peer;
	struct sim_pcap pcap;
	bool pcap_on;
	struct dut_config cfg;
	uint8_t peer_mac[6], dut_mac[6];
	uint64_t t0;
	struct dut_packet *q;
	size_t q_head, q_len;
	enum dut_app_event ev[EVLEN];
	size_t ev_head, ev_len;
	struct dut_sockerr sock;       /* the current connection's socket error (the agent has no sockets) */
	/* the agent's UART */
	char line[LINE_MAX];
	size_t line_len;
	bool line_long;
	bool ready;
	unsigned fw_stats;             /* NET_STAT_COUNT the image was built with */
	bool want_reply, got_reply;
	char reply[LINE_MAX];
};

static struct avr_dut *dut_of(struct dut *dd)
{
	return dd->priv;
}

/* ---- the agent's lines ---- */

/* The agent's events concern its current connection: they reach its
 * socket error too, and an accepted connection is a new socket. */
static void push_event(struct avr_dut *d, enum dut_app_event ev)
{
	if (ev == DUT_EV_ACCEPTED)
		dut_sockerr_open(&d->sock);
	dut_sockerr_event(&d->sock, ev);
	if (d->ev_len == EVLEN)
		return;
	d->ev[(d->ev_head + d->ev_len++) % EVLEN] = ev;
	sim_avr_stop(d->avr);
}

static const struct {
	const char *name;
	enum dut_app_event ev;
} EVENTS[] = {
	{"accepted", DUT_EV_ACCEPTED}, {"connected", DUT_EV_CONNECTED}, {"eof", DUT_EV_EOF},
	{"closed", DUT_EV_CLOSED},     {"reset", DUT_EV_RESET},         {"refused", DUT_EV_REFUSED},
	{"timeout", DUT_EV_TIMEOUT},   {"urgent", DUT_EV_URGENT},
};

static void agent_line(struct avr_dut *d, const char *l)
{
	if (strncmp(l, "! ", 2) == 0) {
		const char *what = l + 2;
		if (strncmp(what, "ready ", 6) == 0) {
			unsigned n = 0;
			char ver[8] = "", board[16] = "";
			if (sscanf(what + 6, "%7s %15s %u", ver, board, &n) == 3 && strcmp(ver, AGENT_VERSION) == 0) {
				d->ready = true;
				d->fw_stats = n;
			}
			sim_avr_stop(d->avr);
			return;
		}
		for (size_t i = 0; i < sizeof EVENTS / sizeof EVENTS[0]; i++)
			if (strcmp(what, EVENTS[i].name) == 0)
				push_event(d, EVENTS[i].ev);
		return;
	}
	if (d->want_reply && (strncmp(l, "ok", 2) == 0 || strncmp(l, "err", 3) == 0)) {
		snprintf(d->reply, sizeof d->reply, "%s", l);
		d->got_reply = true;
		d->want_reply = false;
		sim_avr_stop(d->avr);
	}
	/* Anything else (the boot banner, status lines) is for people. */
}

static void uart_out(void *ctx, uint8_t b, uint64_t now)
{
	struct avr_dut *d = ctx;
	(void)now;
	if (b == '\r')
		return;
	if (b != '\n') {
		if (d->line_len < sizeof d->line - 1)
			d->line[d->line_len++] = (char)b;
		else
			d->line_long = true;
		return;
	}
	d->line[d->line_len] = '\0';
	if (!d->line_long)
		agent_line(d, d->line);
	d->line_len = 0;
	d->line_long = false;
}

/* errno names the agent replies with (fw_agent.c). */
static int errno_of(const char *name)
{
	static const struct {
		const char *n;
		int e;
	} T[] = {{"EINVAL", EINVAL},   {"ENOTCONN", ENOTCONN}, {"EADDRINUSE", EADDRINUSE}, {"ENOBUFS", ENOBUFS},
		 {"ENOENT", ENOENT},   {"ENOSYS", ENOSYS},     {"E2BIG", E2BIG}};
	for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
		if (strncmp(name, T[i].n, strlen(T[i].n)) == 0 && (name[strlen(T[i].n)] == ' ' || name[strlen(T[i].n)] == '\0'))
			return T[i].e;
	return EIO;
}

/* Sends one command line and runs the board until its reply. Returns 0
 * with the reply's values in d->reply ("ok ..."), a negative errno for an
 * "err" reply, or -EIO when no reply came (err says why). */
static int agent_cmd(struct avr_dut *d, const char *cmd, char err[DUT_ERR_LEN])
{
	char buf[96];
	int n = snprintf(buf, sizeof buf, "%s\n", cmd);
	d->want_reply = true;
	d->got_reply = false;
	if (n < 0 || (size_t)n >= sizeof buf || sim_avr_uart_send(d->avr, (const uint8_t *)buf, (size_t)n) != 0) {
		snprintf(err, DUT_ERR_LEN, "cannot send '%s' to the agent", cmd);
		return -EIO;
	}
	uint64_t limit = sim_avr_now(d->avr) + REPLY_LIMIT_NS;
	while (!d->got_reply && sim_avr_now(d->avr) < limit)
		if (sim_avr_run_until(d->avr, limit) != 0)
			break;
	d->want_reply = false;
	if (!d->got_reply) {
		if (sim_avr_error(d->avr)[0])
			snprintf(err, DUT_ERR_LEN, "the image stopped: %s", sim_avr_error(d->avr));
		else
			snprintf(err, DUT_ERR_LEN, "the agent did not answer '%s' within 1 s", cmd);
		return -EIO;
	}
	if (strncmp(d->reply, "err", 3) == 0) {
		snprintf(err, DUT_ERR_LEN, "agent: %.200s", d->reply);
		return -errno_of(d->reply + (d->reply[3] == ' ' ? 4 : 3));
	}
	return 0;
}

/* The first number after "ok". */
static int reply_value(const struct avr_dut *d, unsigned long *v)
{
	char *end;
	const char *p = d->reply + 2;
	if (*p != ' ')
		return -EIO;
	*v = strtoul(p + 1, &end, 10);
	return end == p + 1 ? -EIO : 0;
}

/* ---- the peer port (as dut_board.c's) ---- */

static void answer_arp(struct avr_dut *d, const uint8_t *body, size_t blen, uint64_t now)
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
	struct avr_dut *d = ctx;
	struct eth_repr eth;
	if (len < 4 || !sim_frame_fcs_ok(frame, len))
		return;
	len -= 4;
	if (eth_parse(frame, len, &eth) != WIRE_OK)
		return;
	const uint8_t *body = frame + ETH_HDR_LEN;
	size_t blen = len - ETH_HDR_LEN;
	if (!(eth.src[0] & 1u))
		memcpy(d->dut_mac, eth.src, 6); /* the image's MAC is a build option */
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
	sim_avr_stop(d->avr);
}

/* ---- dut_ops ---- */

static void avr_close(struct dut *dd)
{
	struct avr_dut *d = dut_of(dd);
	if (d == NULL)
		return;
	if (d->pcap_on) {
		char err[128];
		sim_pcap_close(&d->pcap, err, sizeof err);
	}
	sim_free(&d->sim);
	sim_avr_free(d->avr);
	sim_link_free(&d->link);
	free(d->q);
	free(d);
	dd->priv = NULL;
}

static void ip_str(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255u, (ip >> 8) & 255u, ip & 255u);
}

static int avr_open(struct dut *dd, const struct dut_config *cfg, char err[DUT_ERR_LEN])
{
	struct avr_dut *d = calloc(1, sizeof *d);
	dd->priv = d;
	if (d == NULL || (d->q = calloc(QLEN, sizeof *d->q)) == NULL) {
		snprintf(err, DUT_ERR_LEN, "out of memory");
		return -1;
	}
	d->cfg = *cfg;
	static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
	static const uint8_t fw_mac[6] = {0x02, 0x53, 0x4e, 0x41, 0x43, 0x4b}; /* until the image speaks */
	memcpy(d->peer_mac, peer_mac, 6);
	memcpy(d->dut_mac, fw_mac, 6);
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
	struct sim_avr_config ac;
	memset(&ac, 0, sizeof ac);
	ac.name = "dut";
	ac.model.link_up = true;
	ac.uart_out = uart_out;
	ac.ctx = d;
	char why[256];
	d->avr = sim_avr_new(&d->sim, &g_avr.img, &ac, why, sizeof why);
	if (d->avr == NULL) {
		snprintf(err, DUT_ERR_LEN, "%s", why);
		return -1;
	}
	d->peer = sim_link_attach(&d->link, peer_deliver, d);
	if (d->peer == NULL || sim_avr_connect(d->avr, &d->link) != 0) {
		snprintf(err, DUT_ERR_LEN, "cannot attach to the link");
		return -1;
	}
	while (!d->ready && sim_avr_now(d->avr) < BOOT_LIMIT_NS)
		if (sim_avr_run_until(d->avr, BOOT_LIMIT_NS) != 0)
			break;
	if (!d->ready) {
		snprintf(err, DUT_ERR_LEN, "the image's agent did not say '! ready %s ...' within 2 s of power-on%s%s",
			 AGENT_VERSION, sim_avr_error(d->avr)[0] ? ": " : " (the checker's diagnostics say what the driver did)",
			 sim_avr_error(d->avr));
		return -1;
	}
	if (d->fw_stats != NET_STAT_COUNT) {
		snprintf(err, DUT_ERR_LEN,
			 "the image counts %u stack counters, this synack %u: it was built from another core/ "
			 "(rebuild it from this tree)",
			 d->fw_stats, (unsigned)NET_STAT_COUNT);
		return -1;
	}
	/* The scenario's setup: no services of its own (the sim DUT has
	 * none), the script's address on-link, the profile. */
	char cmd[96], ip[16];
	ip_str(cfg->dut_ip, ip);
	snprintf(cmd, sizeof cmd, "ip %s 0.0.0.0 0.0.0.0", ip);
	if (agent_cmd(d, "services 0", err) != 0 || agent_cmd(d, cmd, err) != 0)
		return -1;
	uint8_t prof = (uint8_t)(((cfg->profile & DUT_PROFILE_RFC5961) ? NET_PROFILE_RFC5961 : 0u) |
				 ((cfg->profile & DUT_PROFILE_RFC1337) ? NET_PROFILE_RFC1337 : 0u) |
				 ((cfg->profile & DUT_PROFILE_TW_RECYCLE) ? NET_PROFILE_TW_RECYCLE : 0u));
	snprintf(cmd, sizeof cmd, "profile %u", prof);
	if (agent_cmd(d, cmd, err) != 0)
		return -1;
	d->t0 = sim_avr_now(d->avr);
	d->q_len = 0;
	d->ev_len = 0;
	return 0;
}

static uint64_t avr_now(struct dut *dd)
{
	struct avr_dut *d = dut_of(dd);
	return sim_avr_now(d->avr) - d->t0;
}

static int avr_inject(struct dut *dd, const uint8_t *ip, size_t len)
{
	struct avr_dut *d = dut_of(dd);
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
	struct enc_model *m = sim_avr_model(d->avr);
	uint64_t in0 = sim_avr_get_stats(d->avr)->frames_in;
	uint32_t stored0 = model_get_stats(m)->rx_frames_stored;
	sim_link_send_nofcs(d->peer, frame, flen, sim_avr_now(d->avr));
	/* As on sim and board: return once the image has taken the frame out
	 * of the chip (EPKTCNT back to 0), so a `state` line right after sees
	 * its effect; a frame the chip dropped ends the wait at once. */
	uint64_t limit = sim_avr_now(d->avr) + INJECT_LIMIT_NS;
	while (sim_avr_now(d->avr) < limit) {
		bool arrived = sim_avr_get_stats(d->avr)->frames_in != in0;
		bool stored = model_get_stats(m)->rx_frames_stored != stored0;
		if (arrived && (!stored || model_peek_reg(m, 1, ENC_REG_ADDR(EPKTCNT)) == 0))
			break;
		uint64_t step = sim_avr_now(d->avr) + INJECT_SLICE_NS;
		if (sim_avr_run_until(d->avr, step < limit ? step : limit) != 0)
			return -EIO;
	}
	return 0;
}

static int avr_advance(struct dut *dd, uint64_t until, struct dut_packet *out)
{
	struct avr_dut *d = dut_of(dd);
	uint64_t abs_until = until + d->t0;
	/* Events come in on the UART whenever the image sends them, also while
	 * a `state` or `counter` command waits for its reply: one already
	 * here is returned at once, for the runner to take. */
	size_t ev0 = 0;
	for (;;) {
		if (d->q_len > 0) {
			*out = d->q[d->q_head];
			d->q_head = (d->q_head + 1) % QLEN;
			d->q_len--;
			return 1;
		}
		if (d->ev_len > ev0)
			return 0;
		if (sim_avr_now(d->avr) >= abs_until)
			return 0;
		if (sim_avr_run_until(d->avr, abs_until) != 0)
			return -EIO;
	}
}

/* listen() on a socket never bound: the first port of Linux's ephemeral
 * range the image takes, as on sim and board. The agent answers
 * EADDRINUSE for a taken port and for a full listener table alike, so a
 * few ports are tried, not the whole range over the UART. */
static int listen_ephemeral(struct avr_dut *d, char err[DUT_ERR_LEN])
{
	char cmd[32];
	int rc = -EADDRINUSE;
	for (unsigned p = EPHEMERAL_LO; p < EPHEMERAL_LO + EPHEMERAL_TRIES && rc == -EADDRINUSE; p++) {
		snprintf(cmd, sizeof cmd, "listen %u", p);
		rc = agent_cmd(d, cmd, err);
		if (rc == 0)
			return (int)p;
	}
	return rc;
}

static int avr_app(struct dut *dd, const struct dut_app_cmd *c, char err[DUT_ERR_LEN])
{
	struct avr_dut *d = dut_of(dd);
	char cmd[96], ip[16];
	bool value = false;
	switch (c->kind) {
	case DUT_APP_SHUTDOWN_RD:
		/* Our stack has no receive-side shutdown (RFC 9293 has none):
		 * the application just reads no more; nothing on the wire. */
		return 0;
	case DUT_APP_LISTEN:
		if (c->port == 0 && c->conn != DUT_CONN_LISTENER)
			return listen_ephemeral(d, err);
		snprintf(cmd, sizeof cmd, "%s %u", c->conn == DUT_CONN_LISTENER ? "unlisten" : "listen", c->port);
		break;
	case DUT_APP_CONNECT:
		ip_str(c->ip, ip);
		snprintf(cmd, sizeof cmd, "connect %s %u", ip, c->port);
		break;
	case DUT_APP_SEND: {
		int se = dut_sockerr_send(&d->sock);
		if (se != 0) {
			snprintf(err, DUT_ERR_LEN, "%s", strerror(-se));
			return se;
		}
		snprintf(cmd, sizeof cmd, "send %u", c->n);
		value = true;
		break;
	}
	case DUT_APP_RECV:
		snprintf(cmd, sizeof cmd, "recv %u", c->n);
		value = true;
		break;
	case DUT_APP_CLOSE:
	case DUT_APP_SHUTDOWN_WR:
		if (c->conn == DUT_CONN_LISTENER) {
			snprintf(cmd, sizeof cmd, "unlisten %u", c->port);
		} else {
			snprintf(cmd, sizeof cmd, "%s", c->kind == DUT_APP_CLOSE ? "close" : "shutdown");
			dut_sockerr_shutdown(&d->sock);
		}
		break;
	case DUT_APP_ABORT:
		snprintf(cmd, sizeof cmd, "abort");
		dut_sockerr_event(&d->sock, DUT_EV_CLOSED);
		break;
	case DUT_APP_RCVBUF:
		if (c->n > 65535u) {
			/* The agent's buffer is 16 bits; past the stack's window the
			 * size changes nothing the wire shows. */
			snprintf(cmd, sizeof cmd, "rcvbuf 65535");
		} else {
			snprintf(cmd, sizeof cmd, "rcvbuf %u", c->n);
		}
		break;
	default:
		snprintf(err, DUT_ERR_LEN, "unknown application action %d", (int)c->kind);
		return -EINVAL;
	}
	int rc = agent_cmd(d, cmd, err);
	if (rc == 0 && c->kind == DUT_APP_CONNECT)
		dut_sockerr_open(&d->sock);
	if (rc == -ENOTCONN && c->kind == DUT_APP_SEND) {
		/* The event line the agent sent before this reply (a reset, a
		 * refusal) reached the socket while the command waited. */
		int se = dut_sockerr_send(&d->sock);
		if (se != 0) {
			snprintf(err, DUT_ERR_LEN, "%s", strerror(-se));
			return se;
		}
	}
	if (rc != 0 || !value)
		return rc;
	unsigned long v;
	if (reply_value(d, &v) != 0 || v > 0x7fffffffu) {
		snprintf(err, DUT_ERR_LEN, "agent: '%.60s' answered '%.120s'", cmd, d->reply);
		return -EIO;
	}
	if (c->kind == DUT_APP_RECV) {
		/* "recv" answers the bytes it took, 0 when none: the socket
		 * says whether that is the end, an error or "nothing yet". */
		rc = dut_sockerr_recv(&d->sock, (int)v);
		if (rc < 0)
			snprintf(err, DUT_ERR_LEN, "%s", strerror(-rc));
		return rc;
	}
	return (int)v;
}

static int avr_so_error(struct dut *dd, int conn)
{
	(void)conn; /* the agent's current connection */
	return dut_sockerr_pop(&dut_of(dd)->sock);
}

static enum dut_app_event avr_app_event(struct dut *dd)
{
	struct avr_dut *d = dut_of(dd);
	if (d->ev_len == 0)
		return DUT_EV_NONE;
	enum dut_app_event ev = d->ev[d->ev_head];
	d->ev_head = (d->ev_head + 1) % EVLEN;
	d->ev_len--;
	return ev;
}

static int avr_tcp_state(struct dut *dd, const char **name)
{
	struct avr_dut *d = dut_of(dd);
	char err[DUT_ERR_LEN];
	unsigned long v;
	if (agent_cmd(d, "state", err) != 0 || reply_value(d, &v) != 0 || v >= TCP_STATE_COUNT)
		return -EIO;
	*name = tcp_state_name((enum tcp_state)v);
	return 0;
}

/* Counters by their net_stat_name(), or the part after the dot when that
 * is unambiguous, as on sim; read from the image by index. */
static int avr_counter(struct dut *dd, const char *name, uint64_t *val)
{
	struct avr_dut *d = dut_of(dd);
	int found = -1, matches = 0;
	for (int i = 0; i < (int)NET_STAT_COUNT; i++) {
		const char *n = net_stat_name((enum net_stat_id)i);
		const char *dot = strchr(n, '.');
		if (strcmp(n, name) == 0) {
			found = i;
			matches = 1;
			break;
		}
		if (dot && strcmp(dot + 1, name) == 0) {
			found = i;
			matches++;
		}
	}
	if (found < 0 || matches != 1)
		return found < 0 ? -ENOENT : -EINVAL;
	char cmd[32], err[DUT_ERR_LEN];
	unsigned long v;
	snprintf(cmd, sizeof cmd, "counter %d", found);
	if (agent_cmd(d, cmd, err) != 0 || reply_value(d, &v) != 0)
		return -EIO;
	*val = v;
	return 0;
}

static size_t avr_diagnostics(struct dut *dd, char *buf, size_t cap)
{
	struct avr_dut *d = dut_of(dd);
	if (d == NULL || d->avr == NULL) {
		if (cap > 0)
			buf[0] = '\0';
		return 0;
	}
	size_t n = engine_model_diagnostics(sim_avr_model(d->avr), buf, cap);
	const char *why = sim_avr_error(d->avr);
	if (why[0] != '\0' && n + 1 < cap) {
		int k = snprintf(buf + n, cap - n, "cpu: %s\n", why);
		if (k > 0)
			n = (size_t)k < cap - n ? n + (size_t)k : cap - 1;
	}
	return n;
}

/* What the image's UART agent (firmware/README.md) has no command for:
 * asked before a script runs, so such a script is unsupported, not failed. */
/* The same stack as sim, so the same behaviour profiles. */
static const char *const AVR_BEHAVIOURS[] = {"synack-params", "rfc9293-strict", NULL};

static const struct dut_ops AVR_OPS = {
	.name = "avr",
	.behaviours = AVR_BEHAVIOURS,
	.profiles_supported = DUT_PROFILE_RFC5961 | DUT_PROFILE_RFC1337 | DUT_PROFILE_TW_RECYCLE,
	.virtual_time = true,
	.open = avr_open,
	.close = avr_close,
	.now = avr_now,
	.inject = avr_inject,
	.advance = avr_advance,
	.app = avr_app,
	.app_event = avr_app_event,
	.so_error = avr_so_error,
	.tcp_state = avr_tcp_state,
	.counter = avr_counter,
	.diagnostics = avr_diagnostics,
	.tolerance_ns = TOLERANCE_NS,
};

const struct dut_ops *dut_avr_load(const char *spec_path, char *err, size_t errcap)
{
	struct stat st;
	char path[sizeof g_avr.name - 4];
	/* The report looks the adapter up again by its name (which lives in
	 * g_avr): the same image is the same adapter. */
	if (g_avr.loaded && strcmp(g_avr.name + 4, spec_path) == 0)
		return &g_avr.ops;
	snprintf(path, sizeof path, "%s", spec_path);
	if (g_avr.loaded)
		fw_image_free(&g_avr.img);
	memset(&g_avr, 0, sizeof g_avr);
	if (path[0] == '\0') {
		snprintf(err, errcap, "avr: expected avr:IMAGE.elf (the firmware's ELF, firmware/avr/)");
		return NULL;
	}
	if (stat(path, &st) != 0) {
		snprintf(err, errcap, "avr:%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errcap, "avr:%s: not a regular file", path);
		return NULL;
	}
	char why[600];
	if (fw_image_read_elf(path, &g_avr.img, why, sizeof why) != 0) {
		snprintf(err, errcap, "avr:%s", why);
		return NULL;
	}
	if (g_avr.img.machine != FW_EM_AVR) {
		snprintf(err, errcap, "avr:%s: an ELF for machine %u, not AVR (%u)", path, g_avr.img.machine, FW_EM_AVR);
		fw_image_free(&g_avr.img);
		return NULL;
	}
	g_avr.loaded = true;
	snprintf(g_avr.name, sizeof g_avr.name, "avr:%s", path);
	g_avr.ops = AVR_OPS;
	g_avr.ops.name = g_avr.name;
	return &g_avr.ops;
}
