/*
 * dut_sim.c - the `sim` DUT adapter: our stack and ENC28J60 driver on the
 * register-level chip model, in virtual time.
 *
 *   runner ──inject──> peer port ──Ethernet+FCS──> link ──> model ──SPI──> driver ──> stack
 *   runner <─advance── peer port <─────────────── link <── model <──────── driver <── stack
 *
 * One sim, one link, one sim_node (the DUT) and a peer port the adapter
 * plays: it wraps the runner's IPv4 datagrams in Ethernet, answers ARP for
 * the peer's address, and unwraps what the DUT sends (checking the FCS).
 * The scenario's clock starts once the node has booted and announced its
 * link, so time 0 of a script is a ready board.
 *
 * Application actions run inside a firmware pass (sim_node_exec) and map
 * onto core/net/tcp.h; the stack's callbacks become dut_app_events. The
 * adapter plays a greedy application: received data is read at once into a
 * buffer `recv N` takes from (so the DUT acknowledges it, as a kernel with a
 * socket buffer would), and `send N` bytes that do not fit the send ring are
 * pushed as acknowledgments free it. That buffer is the socket receive
 * buffer this DUT lacks, so `close` with bytes still in it aborts (RST), as
 * RFC 9293 SHLD-3 and Linux do. The socket's pending error is emulated
 * too (dut_sockerr.c): a reset reaches `recv` and `send` as Linux reports
 * it, ECONNRESET once, then the end of the stream and EPIPE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dut.h"
#include "dut_sockerr.h"
#include "engine.h"
#include "link.h"
#include "node.h"
#include "pcap_tap.h"
#include "sim.h"
#include "wire/arp.h"
#include "wire/eth.h"

#define QLEN 32u
#define EVLEN 64u
#define RXBUF 65536u
#define BOOT_LIMIT_NS 2000000000ull /* a board not up after 2 s is broken */
#define INJECT_LIMIT_NS 10000000ull /* a frame not taken in 10 ms was dropped */
#define EPHEMERAL_LO 32768u         /* Linux's net.ipv4.ip_local_port_range */
#define EPHEMERAL_HI 60999u

struct sim_dut {
	struct sim sim;
	struct sim_link link;
	struct sim_node node;
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
	struct tcp_pcb *conn;          /* the current connection */
	uint8_t *rx;                   /* data read, not yet taken by `recv` */
	size_t rx_len;
	size_t rx_cap;                 /* the application's buffer (`rcvbuf`; RXBUF) */
	bool rcvbuf_set;               /* `rcvbuf` given: the window follows the room left */
	uint16_t dflt_wnd;             /* the stack's own receive window */
	uint32_t send_pending;         /* bytes `send` asked for, not yet in the ring */
	uint32_t send_seq;             /* pattern counter */
	struct dut_sockerr sock;       /* the current connection's socket error (no sockets here) */
	/* argument / result of the action running in a firmware pass */
	const struct dut_app_cmd *cmd;
	int result;
};

static void push_event(struct sim_dut *d, enum dut_app_event ev)
{
	if (d->ev_len == EVLEN)
		return;
	d->ev[(d->ev_head + d->ev_len++) % EVLEN] = ev;
}

static void push_send(struct sim_dut *d)
{
	uint8_t chunk[512];
	while (d->send_pending > 0 && d->conn != NULL) {
		uint16_t n = (uint16_t)(d->send_pending < sizeof chunk ? d->send_pending : sizeof chunk);
		for (uint16_t i = 0; i < n; i++)
			chunk[i] = d->cfg.send_zeros ? 0 : (uint8_t)('a' + (d->send_seq + i) % 26u);
		uint16_t took = tcp_write(&d->node.stack, d->conn, chunk, n);
		d->send_seq += took;
		d->send_pending -= took;
		if (took < n)
			break;
	}
	if (d->conn != NULL)
		tcp_flush(&d->node.stack, d->conn);
}

/* An event of connection c; the current connection's also reaches its
 * socket error, and one that ends it lets it go (the handle is dead). */
static void conn_event(struct sim_dut *d, struct tcp_pcb *c, enum dut_app_event ev)
{
	push_event(d, ev);
	if (d->conn != c)
		return;
	dut_sockerr_event(&d->sock, ev);
	if (ev != DUT_EV_EOF)
		d->conn = NULL;
}

/* After `rcvbuf`: the window is the room left in the application's
 * buffer, at most the stack's own, so unread data closes it to zero
 * (RFC 9293 §3.8.6.2.2: the window is what the receiver can take). It is
 * never pulled in below the right edge already offered (SHLD-14): after
 * `taken` bytes were accepted, at least the old window less those. */
static void set_window(struct sim_dut *d, struct tcp_pcb *c, uint16_t taken)
{
	if (!d->rcvbuf_set || c == NULL)
		return;
	size_t room = d->rx_cap > d->rx_len ? d->rx_cap - d->rx_len : 0;
	uint32_t want = room < d->dflt_wnd ? (uint32_t)room : d->dflt_wnd;
	uint32_t keep = c->rcv_wnd > taken ? (uint32_t)(c->rcv_wnd - taken) : 0;
	if (want < keep)
		want = keep;
	if (want != c->rcv_wnd)
		tcp_set_rcv_wnd(&d->node.stack, c, (uint16_t)want);
}

static void on_tcp(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct sim_dut *d = ctx;
	switch (ev) {
	case TCP_EV_CONNECTED:
		if (d->conn == NULL || d->conn == c) {
			push_event(d, d->conn == c ? DUT_EV_CONNECTED : DUT_EV_ACCEPTED);
			if (d->conn == NULL)
				dut_sockerr_open(&d->sock); /* accepted: a new socket */
			d->conn = c;
			push_send(d);
		}
		break;
	case TCP_EV_DATA: {
		size_t room = d->rx_cap > d->rx_len ? d->rx_cap - d->rx_len : 0;
		uint16_t want = (uint16_t)(n < room ? n : room);
		uint16_t took = tcp_recv(s, c, d->rx + d->rx_len, want);
		d->rx_len += took;
		set_window(d, c, took);
		push_event(d, DUT_EV_DATA);
		break;
	}
	case TCP_EV_SENT:
		push_send(d);
		break;
	case TCP_EV_URGENT:
		/* Told, as MUST-32 asks; the greedy application then reads the
		 * urgent bytes in-line with the rest. */
		push_event(d, DUT_EV_URGENT);
		break;
	case TCP_EV_PEER_CLOSED:
		conn_event(d, c, DUT_EV_EOF);
		break;
	case TCP_EV_CLOSED:
		conn_event(d, c, DUT_EV_CLOSED);
		break;
	case TCP_EV_RESET:
		conn_event(d, c, DUT_EV_RESET);
		break;
	case TCP_EV_REFUSED:
		conn_event(d, c, DUT_EV_REFUSED);
		break;
	case TCP_EV_TIMEOUT:
		conn_event(d, c, DUT_EV_TIMEOUT);
		break;
	}
}

/* The peer port: ARP replies for the peer's address, IPv4 from the DUT
 * into the queue. */
static void peer_deliver(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct sim_dut *d = ctx;
	struct eth_repr eth;
	if (len < 4 || !sim_frame_fcs_ok(frame, len))
		return;
	len -= 4;
	if (eth_parse(frame, len, &eth) != WIRE_OK)
		return;
	const uint8_t *body = frame + ETH_HDR_LEN;
	size_t blen = len - ETH_HDR_LEN;
	if (eth.ethertype == ETH_TYPE_ARP) {
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
		return;
	}
	if (eth.ethertype != ETH_TYPE_IPV4 || memcmp(eth.dst, d->peer_mac, 6) != 0)
		return;
	if (d->q_len == QLEN || blen > DUT_MAX_PKT || blen < 20)
		return;
	/* Trim Ethernet padding: the datagram is total_len long. */
	size_t tl = (size_t)wire_get16(body + 2);
	if (tl >= 20 && tl < blen)
		blen = tl;
	struct dut_packet *p = &d->q[(d->q_head + d->q_len++) % QLEN];
	/* Stamp with the time its first bit left the DUT, as the pcap does. */
	uint64_t start = now - sim_link_wire_ns(len + 4);
	p->t = start > d->t0 ? start - d->t0 : 0;
	p->len = blen;
	memcpy(p->data, body, blen);
}

static void sim_close(struct dut *dd)
{
	struct sim_dut *d = dd->priv;
	if (d == NULL)
		return;
	if (d->pcap_on) {
		char err[128];
		sim_pcap_close(&d->pcap, err, sizeof err);
	}
	sim_free(&d->sim);
	sim_node_free(&d->node);
	sim_link_free(&d->link);
	free(d->q);
	free(d->rx);
	free(d);
	dd->priv = NULL;
}

static int sim_open(struct dut *dd, const struct dut_config *cfg, char err[DUT_ERR_LEN])
{
	struct sim_dut *d = calloc(1, sizeof *d);
	dd->priv = d;
	if (d == NULL || (d->q = calloc(QLEN, sizeof *d->q)) == NULL || (d->rx = malloc(RXBUF)) == NULL) {
		snprintf(err, DUT_ERR_LEN, "out of memory");
		return -1;
	}
	d->cfg = *cfg;
	static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
	memcpy(d->peer_mac, peer_mac, 6);
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
	struct sim_node_config nc;
	sim_node_config_defaults(&nc, &d->sim, "dut", 1);
	nc.net.ip = cfg->dut_ip;
	nc.net.netmask = 0; /* every address on-link: the peer answers ARP */
	nc.net.gateway = 0;
	nc.net.profile = (uint8_t)(((cfg->profile & DUT_PROFILE_RFC5961) ? NET_PROFILE_RFC5961 : 0u) |
				   ((cfg->profile & DUT_PROFILE_RFC1337) ? NET_PROFILE_RFC1337 : 0u) |
				   ((cfg->profile & DUT_PROFILE_TW_RECYCLE) ? NET_PROFILE_TW_RECYCLE : 0u));
	/* The DUT profile: the wire behaviour the suites' scripts encode,
	 * which is also the AVR image's (verify runs the same scripts on it):
	 * a 1024-byte window in one segment (MSS 1024) and every segment
	 * acknowledged at once (no delayed ACK). The host defaults (net_opts.h) are tuned for
	 * goodput instead (bench_tcp): a 2048-byte window in 682-byte
	 * segments. */
	nc.net.rcv_wnd = 1024;
	nc.net.rcv_mss = 0;
	nc.net.delack_ms = 0;
	memcpy(d->dut_mac, nc.enc.mac, 6);
	if (sim_node_init(&d->node, &d->sim, &nc) != 0) {
		snprintf(err, DUT_ERR_LEN, "cannot set up the DUT board");
		return -1;
	}
	d->peer = sim_link_attach(&d->link, peer_deliver, d);
	if (d->peer == NULL || sim_node_start(&d->node, &d->link, 0) != 0) {
		snprintf(err, DUT_ERR_LEN, "cannot attach to the link");
		return -1;
	}
	/* Boot, then let the gratuitous ARP go out: time 0 is a ready board. */
	while (!(d->node.booted && d->node.stack.link_up) && sim_now(&d->sim) < BOOT_LIMIT_NS) {
		uint64_t next = sim_next_event(&d->sim);
		if (next == SIM_NEVER || next > BOOT_LIMIT_NS)
			break;
		sim_run_until(&d->sim, next, 0);
	}
	if (!d->node.booted || !d->node.stack.link_up) {
		snprintf(err, DUT_ERR_LEN, "the DUT board did not come up (enc_init %d)", d->node.init_rc);
		return -1;
	}
	sim_run_until(&d->sim, sim_now(&d->sim) + 1000000u, 0); /* 1 ms settle */
	d->t0 = sim_now(&d->sim);
	d->q_len = 0;
	d->rx_cap = RXBUF;
	d->dflt_wnd = d->node.ncfg.rcv_wnd;
	return 0;
}

static uint64_t sim_dnow(struct dut *dd)
{
	struct sim_dut *d = dd->priv;
	return sim_now(&d->sim) - d->t0;
}

static int sim_inject(struct dut *dd, const uint8_t *ip, size_t len)
{
	struct sim_dut *d = dd->priv;
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
	sim_link_send_nofcs(d->peer, frame, flen, sim_now(&d->sim));
	/* Like a write to a TUN device, the injection returns once the stack
	 * has taken the frame (its firmware pass has run), so a `state` or
	 * `counter` line right after it sees the effect. What the DUT sends
	 * meanwhile waits in the queue for advance(). */
	NET_STAT_T rx0 = net_stat(&d->node.stack, NET_STAT_ETH_RX);
	uint64_t limit = sim_now(&d->sim) + INJECT_LIMIT_NS;
	while (net_stat(&d->node.stack, NET_STAT_ETH_RX) == rx0) {
		uint64_t next = sim_next_event(&d->sim);
		if (next == SIM_NEVER || next > limit)
			break;
		sim_run_until(&d->sim, next, 0);
	}
	return 0;
}

/* Runs event by event so it can stop at the first datagram or the first
 * application event (returning 0 early: dut_now() says when). */
static int sim_advance(struct dut *dd, uint64_t until, struct dut_packet *out)
{
	struct sim_dut *d = dd->priv;
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

static int listen_result(int rc, uint16_t port)
{
	return rc == TCP_OK ? port : rc == TCP_ERR_INUSE ? -EADDRINUSE : rc == TCP_ERR_FULL ? -ENOBUFS : -EINVAL;
}

/* listen() on a socket never bound: Linux binds it to a free port of its
 * ephemeral range first (inet_autobind); here the lowest free one, so a
 * run stays deterministic. Returns the port, or a negative errno. */
static int listen_ephemeral(struct sim_dut *d, struct net_stack *s)
{
	for (uint32_t p = EPHEMERAL_LO; p <= EPHEMERAL_HI; p++) {
		bool taken = false;
		for (unsigned i = 0; i < NET_TCP_CONNS; i++)
			taken |= s->tcp[i].state != TCP_CLOSED && s->tcp[i].lport == p;
		if (taken)
			continue;
		int rc = tcp_listen(s, (uint16_t)p, on_tcp, d);
		if (rc != TCP_ERR_INUSE)
			return listen_result(rc, (uint16_t)p);
	}
	return -EADDRINUSE;
}

static void exec_app(struct sim_node *n, void *ctx)
{
	struct sim_dut *d = ctx;
	struct net_stack *s = &n->stack;
	const struct dut_app_cmd *c = d->cmd;
	d->result = 0;
	/* A main loop polls before it runs application code, so the stack's
	 * notion of now (timers started by the call) is the current time. */
	net_poll(s, sim_board_now(&n->board));
	switch (c->kind) {
	case DUT_APP_SHUTDOWN_RD:
		/* Our stack has no receive-side shutdown (RFC 9293 has none):
		 * the application reads no more, what comes is still taken, as
		 * Linux takes it; nothing on the wire. ENOTCONN without a
		 * connection, as shutdown(2). */
		d->result = d->conn != NULL ? 0 : -ENOTCONN;
		break;
	case DUT_APP_LISTEN:
		if (c->conn == DUT_CONN_LISTENER) {
			d->result = tcp_unlisten(s, c->port) == TCP_OK ? 0 : -EINVAL;
			break;
		}
		d->result = c->port != 0 ? listen_result(tcp_listen(s, c->port, on_tcp, d), 0)
					 : listen_ephemeral(d, s);
		break;
	case DUT_APP_CONNECT:
		d->conn = tcp_connect(s, c->ip, c->port, on_tcp, d);
		d->result = d->conn ? 0 : -ENOBUFS;
		if (d->conn != NULL)
			dut_sockerr_open(&d->sock);
		break;
	case DUT_APP_SEND:
		d->result = dut_sockerr_send(&d->sock);
		if (d->result == 0 && d->conn == NULL)
			d->result = -EPIPE;
		if (d->result < 0)
			break;
		d->send_pending += c->n;
		push_send(d);
		d->result = (int)c->n;
		break;
	case DUT_APP_RECV: {
		size_t k = c->n < d->rx_len ? c->n : d->rx_len;
		memmove(d->rx, d->rx + k, d->rx_len - k);
		d->rx_len -= k;
		set_window(d, d->conn, 0);
		d->result = dut_sockerr_recv(&d->sock, (int)k);
		break;
	}
	case DUT_APP_RCVBUF:
		/* For the connections to come, from their SYN or SYN-ACK on (the
		 * stack keeps a pointer to ncfg, node.h); the current one's
		 * window follows as data fills the buffer. */
		d->rx_cap = c->n < RXBUF ? c->n : RXBUF;
		d->rcvbuf_set = true;
		d->node.ncfg.rcv_wnd = (uint16_t)(d->rx_cap < d->dflt_wnd ? d->rx_cap : d->dflt_wnd);
		set_window(d, d->conn, 0);
		break;
	case DUT_APP_CLOSE:
	case DUT_APP_SHUTDOWN_WR:
		if (c->conn == DUT_CONN_LISTENER) {
			d->result = tcp_unlisten(s, c->port) == TCP_OK ? 0 : -EINVAL;
			break;
		}
		if (d->conn == NULL) {
			d->result = -ENOTCONN;
			break;
		}
		if (d->sock.shut_wr && !(c->kind == DUT_APP_CLOSE && d->rx_len > 0)) {
			/* shutdown(SHUT_WR) again, or close after it: the socket
			 * calls succeed (Linux returns 0); the stack's CLOSE is not
			 * asked twice (RFC 9293 §3.10.4 would answer "connection
			 * closing"). close lets go of the half-closed connection
			 * (tcp_close after tcp_shutdown: FIN-WAIT-2 may now time
			 * out, as Linux's orphan); its answer is not the socket's. */
			if (c->kind == DUT_APP_CLOSE)
				(void)tcp_close(s, d->conn);
			break;
		}
		dut_sockerr_shutdown(&d->sock);
		if (c->kind == DUT_APP_CLOSE && d->rx_len > 0) {
			/* The adapter's buffer is this DUT's socket receive buffer (the
			 * stack keeps none): closing with data the application never
			 * took loses it, so reset (RFC 9293 SHLD-3, as Linux does). */
			tcp_abort(s, d->conn);
			d->conn = NULL;
			d->rx_len = 0;
			break;
		}
		/* close(2) lets go of the connection; shutdown(SHUT_WR) keeps it
		 * (no FIN-WAIT-2 timeout while held, tcp_shutdown). */
		d->result = (c->kind == DUT_APP_CLOSE ? tcp_close(s, d->conn) : tcp_shutdown(s, d->conn)) == TCP_OK
				    ? 0
				    : -EINVAL;
		break;
	case DUT_APP_ABORT:
		if (d->conn == NULL) {
			d->result = -ENOTCONN;
			break;
		}
		tcp_abort(s, d->conn);
		d->conn = NULL;
		dut_sockerr_event(&d->sock, DUT_EV_CLOSED);
		break;
	}
}

static int sim_app(struct dut *dd, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN])
{
	struct sim_dut *d = dd->priv;
	d->cmd = cmd;
	d->result = -EIO;
	sim_node_exec(&d->node, exec_app, d);
	if (d->result < 0)
		snprintf(err, DUT_ERR_LEN, "%s", strerror(-d->result));
	return d->result;
}

static int sim_so_error(struct dut *dd, int conn)
{
	struct sim_dut *d = dd->priv;
	(void)conn; /* one connection at a time: the current one */
	return dut_sockerr_pop(&d->sock);
}

static enum dut_app_event sim_app_event(struct dut *dd)
{
	struct sim_dut *d = dd->priv;
	if (d->ev_len == 0)
		return DUT_EV_NONE;
	enum dut_app_event ev = d->ev[d->ev_head];
	d->ev_head = (d->ev_head + 1) % EVLEN;
	d->ev_len--;
	return ev;
}

/* The current connection's state; before the application has one (a
 * passive open still in SYN-RECEIVED) the block talking to the peer. */
static int sim_tcp_state(struct dut *dd, const char **name)
{
	struct sim_dut *d = dd->priv;
	struct net_stack *s = &d->node.stack;
	if (d->conn != NULL && tcp_state(d->conn) != TCP_CLOSED) {
		*name = tcp_state_name(tcp_state(d->conn));
		return 0;
	}
	for (unsigned i = 0; i < NET_TCP_CONNS; i++) {
		const struct tcp_pcb *c = &s->tcp[i];
		if (c->state != TCP_CLOSED && c->rip == d->cfg.peer_ip) {
			*name = tcp_state_name(tcp_state(c));
			return 0;
		}
	}
	bool listening = false;
	for (unsigned i = 0; i < NET_TCP_LISTENERS; i++)
		listening |= s->listeners[i].port != 0;
	*name = listening ? "LISTEN" : "CLOSED";
	return 0;
}

/* Counters by their net_stat_name() ("tcp.rst_in_window") or by the part
 * after the dot when that is unambiguous ("rst_in_window"). */
static int sim_counter(struct dut *dd, const char *name, uint64_t *val)
{
	struct sim_dut *d = dd->priv;
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
	*val = (uint64_t)net_stat(&d->node.stack, (enum net_stat_id)found);
	return 0;
}

static size_t sim_diagnostics(struct dut *dd, char *buf, size_t cap)
{
	struct sim_dut *d = dd->priv;
	/* engine_model_diagnostics() writes "" for a board never set up. */
	return engine_model_diagnostics(d != NULL ? d->node.board.model : NULL, buf, cap);
}

/* Our stack: its own numbers, and RFC 9293 where Linux deviates. Not
 * Linux's wire (the engine counts linux-wire as followed when the run
 * ignores options and win). */
static const char *const SIM_BEHAVIOURS[] = {"synack-params", "rfc9293-strict", NULL};

const struct dut_ops dut_sim_ops = {
	.name = "sim",
	.behaviours = SIM_BEHAVIOURS,
	.profiles_supported = DUT_PROFILE_RFC5961 | DUT_PROFILE_RFC1337 | DUT_PROFILE_TW_RECYCLE,
	.virtual_time = true,
	.open = sim_open,
	.close = sim_close,
	.now = sim_dnow,
	.inject = sim_inject,
	.advance = sim_advance,
	.app = sim_app,
	.app_event = sim_app_event,
	.tcp_state = sim_tcp_state,
	.counter = sim_counter,
	.diagnostics = sim_diagnostics,
	.so_error = sim_so_error,
};
