/*
 * serve_fw_ours.c - our ENC28J60 driver and TCP/IP stack as the default
 * board of `synack serve`: the demo echo server (8888) and HTTP status page
 * (80) listening from boot, plus the board ABI's application interface for
 * one connection of the user's own (--connect).
 *
 *   serve_board.c -> serve_ours_entry()->fw
 *     create(env): net_config from env (address, gateway, seed -> ISN key)
 *     boot:  enc_init -> enc_netdev_bind -> net_init -> echo + HTTP listeners
 *     run:   net_poll(now) -> next deadline
 *     app:   tcp_connect / tcp_write / received bytes / tcp_close ...
 *
 * Built apart from synack_core, with SERVE_OURS_TCP_CONNS connection
 * blocks (serve_ours.h says why) and its symbols made local to one object
 * (sim/CMakeLists.txt), so the same sources serve here with a serving pool
 * while the conformance DUTs keep the default one.
 *
 * Serving profile: RFC 5961 on as everywhere, and NET_PROFILE_TW_RECYCLE
 * on, because the HTTP page closes first and so leaves its block in
 * TIME-WAIT for 2 MSL (60 s): without recycling, a browser reloading the
 * page would fill the pool within a minute and then see its SYNs dropped
 * (net.h spells out what recycling costs).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apps/echo_server.h"
#include "enc28j60.h"
#include "enc28j60_netdev.h"
#include "apps/http_status.h"
#include "net.h"
#include "serve_ours.h"

#if NET_TCP_CONNS != SERVE_OURS_TCP_CONNS || NET_TCP_LISTENERS != SERVE_OURS_TCP_LISTENERS || \
	NET_TCP_RCV_WND != SERVE_OURS_RCV_WND || NET_TCP_MSS != SERVE_OURS_MSS
#error "serve_fw_ours.c must be built with the serving pool (sim/CMakeLists.txt)"
#endif

#define RXBUF 16384u /* the --connect client's received bytes, until serve reads them */

struct ours {
	const struct synack_board_env *env;
	struct enc_dev enc;
	struct netdev nd;
	struct net_config ncfg;
	struct net_stack stack;
	struct echo_server echo;
	struct http_status http;
	bool up;
	struct tcp_pcb *conn; /* the application's connection (--connect) */
	uint8_t rx[RXBUF];
	size_t rx_len;
};

static void emit(struct ours *f, enum synack_board_event ev)
{
	f->env->event(f->env->ctx, ev);
}

static void forget(struct ours *f, struct tcp_pcb *c)
{
	if (f->conn == c)
		f->conn = NULL;
}

/* Offer the peer no more than the receive buffer can hold, so nothing the
 * stack acknowledges is ever dropped here. */
static void set_window(struct ours *f, struct tcp_pcb *c)
{
	size_t room = RXBUF - f->rx_len;
	uint16_t def = f->ncfg.rcv_wnd;
	tcp_set_rcv_wnd(&f->stack, c, room < def ? (uint16_t)room : def);
}

/* Events of the application's own connections (not the demo servers'). */
static void on_app(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct ours *f = ctx;
	switch (ev) {
	case TCP_EV_CONNECTED:
		emit(f, f->conn == c ? SYNACK_BOARD_EV_CONNECTED : SYNACK_BOARD_EV_ACCEPTED);
		f->conn = c;
		set_window(f, c);
		break;
	case TCP_EV_DATA: {
		size_t room = RXBUF - f->rx_len;
		f->rx_len += tcp_recv(s, c, f->rx + f->rx_len, (uint16_t)(n < room ? n : room));
		set_window(f, c);
		break;
	}
	case TCP_EV_SENT:
	case TCP_EV_URGENT: /* urgent bytes stay in-line */
		break;
	case TCP_EV_PEER_CLOSED:
		emit(f, SYNACK_BOARD_EV_EOF);
		break;
	case TCP_EV_CLOSED:
		emit(f, SYNACK_BOARD_EV_CLOSED);
		forget(f, c);
		break;
	case TCP_EV_RESET:
		emit(f, SYNACK_BOARD_EV_RESET);
		forget(f, c);
		break;
	case TCP_EV_REFUSED:
		emit(f, SYNACK_BOARD_EV_REFUSED);
		forget(f, c);
		break;
	case TCP_EV_TIMEOUT:
		emit(f, SYNACK_BOARD_EV_TIMEOUT);
		forget(f, c);
		break;
	}
}

/* splitmix64: spreads the run's seed over the 16-byte RFC 6528 key. */
static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void *fw_create(const struct synack_board_env *env)
{
	struct ours *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	f->env = env;
	net_config_defaults(&f->ncfg);
	memcpy(f->ncfg.mac, env->mac, 6);
	f->ncfg.ip = env->ip;
	f->ncfg.netmask = env->netmask;
	f->ncfg.gateway = env->gateway;
	f->ncfg.profile = (uint8_t)(NET_PROFILE_TW_RECYCLE |
				    ((env->profile & SYNACK_BOARD_PROFILE_RFC5961) ? NET_PROFILE_RFC5961 : 0u) |
				    ((env->profile & SYNACK_BOARD_PROFILE_RFC1337) ? NET_PROFILE_RFC1337 : 0u));
	uint64_t x = env->seed;
	for (unsigned i = 0; i < sizeof f->ncfg.isn_key; i += 8) {
		uint64_t v = mix(&x);
		for (unsigned k = 0; k < 8; k++)
			f->ncfg.isn_key[i + k] = (uint8_t)(v >> (8u * k));
	}
	return f;
}

static void fw_boot(void *fw, uint64_t now)
{
	struct ours *f = fw;
	struct enc_config ec;
	memset(&ec, 0, sizeof ec);
	memcpy(ec.mac, f->env->mac, 6);
	ec.full_duplex = true;
	(void)now;
	if (enc_init(&f->enc, f->env->spi, &ec) != ENC_OK)
		return; /* a dead board: reception never starts, and serve says so */
	enc_netdev_bind(&f->nd, &f->enc);
	net_init(&f->stack, &f->ncfg, &f->nd, f->env->now(f->env->ctx));
	echo_server_start(&f->echo, &f->stack, SERVE_OURS_ECHO_PORT);
	http_status_start(&f->http, &f->stack, SERVE_OURS_HTTP_PORT);
	f->up = true;
}

static uint64_t fw_run(void *fw, uint64_t now)
{
	struct ours *f = fw;
	if (!f->up)
		return SYNACK_BOARD_NEVER;
	uint64_t next = net_poll(&f->stack, now);
	/* A link change the driver saw during the poll is acted on by the next
	 * one (as sim/node.c does). */
	if (enc_link_is_up(&f->enc) != f->stack.link_up)
		next = f->env->now(f->env->ctx);
	return next;
}

static void fw_destroy(void *fw)
{
	free(fw);
}

/* ---- the application interface (synack_board.h), for --connect ---- */

static int app_listen(void *fw, uint64_t now, uint16_t port)
{
	struct ours *f = fw;
	net_poll(&f->stack, now);
	int rc = tcp_listen(&f->stack, port, on_app, f);
	return rc == TCP_OK ? 0 : rc == TCP_ERR_INUSE ? -EADDRINUSE : -ENOBUFS;
}

static int app_connect(void *fw, uint64_t now, uint32_t ip, uint16_t port)
{
	struct ours *f = fw;
	net_poll(&f->stack, now);
	f->conn = tcp_connect(&f->stack, ip, port, on_app, f);
	return f->conn != NULL ? 0 : -ENOBUFS;
}

static int app_send(void *fw, uint64_t now, const uint8_t *data, size_t n)
{
	struct ours *f = fw;
	net_poll(&f->stack, now);
	if (f->conn == NULL)
		return -ENOTCONN;
	uint16_t took = tcp_write(&f->stack, f->conn, data, (uint16_t)(n > 0xFFFFu ? 0xFFFFu : n));
	tcp_flush(&f->stack, f->conn);
	return took;
}

static int app_recv(void *fw, uint64_t now, uint8_t *buf, size_t n)
{
	struct ours *f = fw;
	(void)now;
	size_t k = n < f->rx_len ? n : f->rx_len;
	memcpy(buf, f->rx, k);
	memmove(f->rx, f->rx + k, f->rx_len - k);
	f->rx_len -= k;
	if (k > 0 && f->conn != NULL) {
		/* The window reopens: say so now rather than with the next
		 * segment, or a peer that filled it would wait for its persist
		 * timer. */
		net_poll(&f->stack, now);
		set_window(f, f->conn);
		tcp_flush(&f->stack, f->conn);
	}
	return (int)k;
}

static int app_close(void *fw, uint64_t now)
{
	struct ours *f = fw;
	net_poll(&f->stack, now);
	if (f->conn == NULL)
		return -ENOTCONN;
	return tcp_close(&f->stack, f->conn) == TCP_OK ? 0 : -EINVAL;
}

static int app_abort(void *fw, uint64_t now)
{
	struct ours *f = fw;
	net_poll(&f->stack, now);
	if (f->conn == NULL)
		return -ENOTCONN;
	tcp_abort(&f->stack, f->conn);
	f->conn = NULL;
	return 0;
}

static const char *app_state(void *fw)
{
	struct ours *f = fw;
	if (f->conn != NULL)
		return tcp_state_name(tcp_state(f->conn));
	return "CLOSED";
}

static const struct synack_board_app APP = {
	app_listen, app_connect, app_send, app_recv, app_close, app_abort, app_state, NULL, /* no half close */
};

static const struct synack_board_firmware FIRMWARE = {
	SYNACK_BOARD_ABI_VERSION, "synack (our stack)", fw_create, fw_boot, fw_run, fw_destroy, &APP, NULL,
};

static unsigned free_conns(void *fw)
{
	struct ours *f = fw;
	unsigned n = 0;
	if (!f->up)
		return 0;
	for (unsigned i = 0; i < NET_TCP_CONNS; i++) {
		enum tcp_state st = tcp_state(&f->stack.tcp[i]);
		if (st == TCP_CLOSED || st == TCP_TIME_WAIT)
			n++;
	}
	return n;
}

static void counters(void *fw, struct serve_ours_counters *c)
{
	struct ours *f = fw;
	memset(c, 0, sizeof *c);
	if (!f->up)
		return;
	c->echo_accepted = f->echo.accepted;
	c->echo_bytes = f->echo.bytes;
	c->http_served = f->http.served;
	c->conns_in_use = tcp_pcbs_in_use(&f->stack);
	c->listen_full = net_stat(&f->stack, NET_STAT_TCP_LISTEN_FULL);
	c->rst_sent = net_stat(&f->stack, NET_STAT_TCP_RST_SENT);
	c->retransmits = net_stat(&f->stack, NET_STAT_TCP_RETRANSMITS);
	c->timewait_recycled = net_stat(&f->stack, NET_STAT_TCP_TW_RECYCLED);
}

static const struct serve_ours OURS = {&FIRMWARE, free_conns, counters};

/* The one global symbol of the serving build (serve_ours.h). */
const struct serve_ours *serve_ours_entry(void)
{
	return &OURS;
}
