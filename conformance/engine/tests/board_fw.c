/*
 * board_fw.c - test firmwares for the board:PATH.so adapter
 * (test_dut_board.c), built as shared objects from this one file:
 *
 *   board_fw_ours     our driver and stack (core/) behind the board ABI,
 *                     with the whole application interface: the same
 *                     scripts must pass on it as on the sim DUT
 *   board_fw_bare     the same without an application interface, listening
 *                     on 8080 from boot, and with a driver blemish the
 *                     checker must report: an even ERXRDPT written at power
 *                     on (DS80349 erratum 14)
 *   board_fw_badabi   claims ABI version SYNACK_BOARD_ABI_VERSION + 1
 *   board_fw_noentry  exports no synack_board_entry
 *
 *   synack -> synack_board_entry -> create / boot (enc_init, net_init)
 *          -> run: net_poll(now) -> next deadline
 *          -> app: tcp_listen / tcp_connect / tcp_send ... inside a pass
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_netdev.h"
#include "net.h"
#include "synack_board.h"

#define RXBUF 65536u

struct fw {
	const struct synack_board_env *env;
	struct enc_dev enc;
	struct netdev nd;
	struct net_config ncfg;
	struct net_stack stack;
	bool up;
	struct tcp_pcb *conn;
	uint8_t rx[RXBUF];
	size_t rx_len;
};

static void emit(struct fw *f, enum synack_board_event ev)
{
	f->env->event(f->env->ctx, ev);
}

static void on_tcp(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct fw *f = ctx;
	switch (ev) {
	case TCP_EV_CONNECTED:
		emit(f, f->conn == c ? SYNACK_BOARD_EV_CONNECTED : SYNACK_BOARD_EV_ACCEPTED);
		f->conn = c;
		break;
	case TCP_EV_DATA: {
		size_t room = RXBUF - f->rx_len;
		f->rx_len += tcp_recv(s, c, f->rx + f->rx_len, (uint16_t)(n < room ? n : room));
		break;
	}
	case TCP_EV_SENT:
	case TCP_EV_URGENT: /* the bytes stay in-line; nothing to tell the engine */
		break;
	case TCP_EV_PEER_CLOSED:
		emit(f, SYNACK_BOARD_EV_EOF);
		break;
	case TCP_EV_CLOSED:
		emit(f, SYNACK_BOARD_EV_CLOSED);
		f->conn = f->conn == c ? NULL : f->conn;
		break;
	case TCP_EV_RESET:
		emit(f, SYNACK_BOARD_EV_RESET);
		f->conn = f->conn == c ? NULL : f->conn;
		break;
	case TCP_EV_REFUSED:
		emit(f, SYNACK_BOARD_EV_REFUSED);
		f->conn = f->conn == c ? NULL : f->conn;
		break;
	case TCP_EV_TIMEOUT:
		emit(f, SYNACK_BOARD_EV_TIMEOUT);
		f->conn = f->conn == c ? NULL : f->conn;
		break;
	}
}

static void *fw_create(const struct synack_board_env *env)
{
	struct fw *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	f->env = env;
	net_config_defaults(&f->ncfg);
	f->ncfg.rcv_wnd = 1024; /* the DUT profile the scripts encode (dut_sim.c) */
	f->ncfg.rcv_mss = 0;
	f->ncfg.delack_ms = 0;
	memcpy(f->ncfg.mac, env->mac, 6);
	f->ncfg.ip = env->ip;
	f->ncfg.netmask = env->netmask;
	f->ncfg.gateway = env->gateway;
	f->ncfg.profile = (uint8_t)(((env->profile & SYNACK_BOARD_PROFILE_RFC5961) ? NET_PROFILE_RFC5961 : 0u) |
				    ((env->profile & SYNACK_BOARD_PROFILE_RFC1337) ? NET_PROFILE_RFC1337 : 0u));
	for (unsigned i = 0; i < sizeof f->ncfg.isn_key; i++)
		f->ncfg.isn_key[i] = (uint8_t)(env->seed >> (8u * (i % 8u)));
	return f;
}

#ifdef FW_EVEN_ERXRDPT
/* The blemish: ERXRDPT = 0 (even) with raw SPI before the driver starts. */
static void wcr(const struct enc_spi_hal *h, enc_reg_t reg, uint8_t v)
{
	h->select(h->ctx);
	h->xfer(h->ctx, (uint8_t)(ENC_OP_WCR | ENC_REG_ADDR(reg)));
	h->xfer(h->ctx, v);
	h->deselect(h->ctx);
}
#endif

static void fw_boot(void *fw, uint64_t now)
{
	struct fw *f = fw;
	struct enc_config ec;
	memset(&ec, 0, sizeof ec);
	memcpy(ec.mac, f->env->mac, 6);
	ec.full_duplex = true;
#ifdef FW_EVEN_ERXRDPT
	wcr(f->env->spi, ERXRDPTL, 0x00); /* bank 0 at power on */
	wcr(f->env->spi, ERXRDPTH, 0x00);
#endif
	if (enc_init(&f->enc, f->env->spi, &ec) != ENC_OK)
		return;
	enc_netdev_bind(&f->nd, &f->enc);
	net_init(&f->stack, &f->ncfg, &f->nd, f->env->now(f->env->ctx));
	(void)now;
	f->up = true;
#ifdef FW_NO_APP
	tcp_listen(&f->stack, 8080, on_tcp, f);
#endif
}

static uint64_t fw_run(void *fw, uint64_t now)
{
	struct fw *f = fw;
	if (!f->up)
		return SYNACK_BOARD_NEVER;
	uint64_t next = net_poll(&f->stack, now);
	/* A link change seen during the poll is acted on by the next one. */
	if (enc_link_is_up(&f->enc) != f->stack.link_up)
		next = f->env->now(f->env->ctx);
	return next;
}

static void fw_destroy(void *fw)
{
	free(fw);
}

#ifndef FW_NO_APP
static int app_listen(void *fw, uint64_t now, uint16_t port)
{
	struct fw *f = fw;
	net_poll(&f->stack, now);
	return tcp_listen(&f->stack, port, on_tcp, f) == TCP_OK ? 0 : -EADDRINUSE;
}

static int app_connect(void *fw, uint64_t now, uint32_t ip, uint16_t port)
{
	struct fw *f = fw;
	net_poll(&f->stack, now);
	f->conn = tcp_connect(&f->stack, ip, port, on_tcp, f);
	return f->conn != NULL ? 0 : -ENOBUFS;
}

static int app_send(void *fw, uint64_t now, const uint8_t *data, size_t n)
{
	struct fw *f = fw;
	net_poll(&f->stack, now);
	if (f->conn == NULL)
		return -ENOTCONN;
	uint16_t took = tcp_write(&f->stack, f->conn, data, (uint16_t)(n > 0xFFFFu ? 0xFFFFu : n));
	tcp_flush(&f->stack, f->conn);
	return took;
}

static int app_recv(void *fw, uint64_t now, uint8_t *buf, size_t n)
{
	struct fw *f = fw;
	(void)now;
	size_t k = n < f->rx_len ? n : f->rx_len;
	memcpy(buf, f->rx, k);
	memmove(f->rx, f->rx + k, f->rx_len - k);
	f->rx_len -= k;
	return (int)k;
}

static int app_close(void *fw, uint64_t now)
{
	struct fw *f = fw;
	net_poll(&f->stack, now);
	if (f->conn == NULL)
		return -ENOTCONN;
	if (f->rx_len > 0) {
		/* As the sim DUT: closing with data the application never read
		 * loses it, so reset (RFC 9293 SHLD-3). */
		tcp_abort(&f->stack, f->conn);
		f->conn = NULL;
		f->rx_len = 0;
		return 0;
	}
	return tcp_close(&f->stack, f->conn) == TCP_OK ? 0 : -EINVAL;
}

static int app_abort(void *fw, uint64_t now)
{
	struct fw *f = fw;
	net_poll(&f->stack, now);
	if (f->conn == NULL)
		return -ENOTCONN;
	tcp_abort(&f->stack, f->conn);
	f->conn = NULL;
	return 0;
}

/* Half close: FIN now, receiving goes on (no reset for unread data). */
static int app_shutdown(void *fw, uint64_t now)
{
	struct fw *f = fw;
	net_poll(&f->stack, now);
	if (f->conn == NULL)
		return -ENOTCONN;
	return tcp_shutdown(&f->stack, f->conn) == TCP_OK ? 0 : -EINVAL;
}

/* The current connection, else the block talking to anyone, else the
 * listener. */
static const char *app_state(void *fw)
{
	struct fw *f = fw;
	if (f->conn != NULL && tcp_state(f->conn) != TCP_CLOSED)
		return tcp_state_name(tcp_state(f->conn));
	for (unsigned i = 0; i < NET_TCP_CONNS; i++)
		if (f->stack.tcp[i].state != TCP_CLOSED)
			return tcp_state_name(tcp_state(&f->stack.tcp[i]));
	for (unsigned i = 0; i < NET_TCP_LISTENERS; i++)
		if (f->stack.listeners[i].port != 0)
			return "LISTEN";
	return "CLOSED";
}

static const struct synack_board_app APP = {
	app_listen, app_connect, app_send, app_recv, app_close, app_abort, app_state, app_shutdown,
};
#define FW_APP (&APP)
#else
#define FW_APP NULL
#endif

static const char *const BEHAVIOURS[] = {"synack-params", "rfc9293-strict", NULL};

#ifdef FW_BAD_ABI
#define FW_ABI (SYNACK_BOARD_ABI_VERSION + 1u)
#else
#define FW_ABI SYNACK_BOARD_ABI_VERSION
#endif

static const struct synack_board_firmware FIRMWARE = {
	FW_ABI, "synack-core", fw_create, fw_boot, fw_run, fw_destroy, FW_APP, BEHAVIOURS,
};

#ifndef FW_NO_ENTRY
SYNACK_BOARD_EXPORT const struct synack_board_firmware *synack_board_entry(void)
{
	return &FIRMWARE;
}
#else
/* Something to export, so the library loads and only the entry is missing. */
SYNACK_BOARD_EXPORT const void *board_fw_something(void);
SYNACK_BOARD_EXPORT const void *board_fw_something(void)
{
	return &FIRMWARE;
}
#endif
