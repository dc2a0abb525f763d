/*
 * board.c - the seed stack as a synack board firmware (synack_board.h):
 * what main() and the SPI peripheral would be on the real MCU.
 *
 *   synack --dut board:libseed_stack.so
 *     synack_board_entry -> FIRMWARE: create / boot / run / destroy
 *     run(now): on INT (a packet waits), seed_net_poll()
 *     app: listen, send, recv, close, abort and the state name, so the
 *          conformance scripts can drive it; no connect (a server only)
 */
#include <stdlib.h>

#include "net.h"
#include "synack_board.h"

struct seed_board {
	const struct synack_board_env *env;
	struct seed_net net;
};

static void on_event(void *ctx, enum seed_event ev)
{
	struct seed_board *b = ctx;
	static const enum synack_board_event map[] = {
		[SEED_EV_ACCEPTED] = SYNACK_BOARD_EV_ACCEPTED,
		[SEED_EV_EOF] = SYNACK_BOARD_EV_EOF,
		[SEED_EV_RESET] = SYNACK_BOARD_EV_RESET,
		[SEED_EV_CLOSED] = SYNACK_BOARD_EV_CLOSED,
	};
	b->env->event(b->env->ctx, map[ev]);
}

static void *fw_create(const struct synack_board_env *env)
{
	struct seed_board *b = calloc(1, sizeof *b);
	if (b == NULL)
		return NULL;
	b->env = env;
	b->net.event = on_event;
	b->net.event_ctx = b;
	return b;
}

static void fw_boot(void *fw, uint64_t now)
{
	struct seed_board *b = fw;
	(void)now;
	seed_net_init(&b->net, b->env->spi, b->env->mac, b->env->ip);
}

static uint64_t fw_run(void *fw, uint64_t now)
{
	struct seed_board *b = fw;
	(void)now;
	seed_net_poll(&b->net);
	return SYNACK_BOARD_NEVER; /* wake me on INT */
}

static void fw_destroy(void *fw)
{
	free(fw);
}

static int app_listen(void *fw, uint64_t now, uint16_t port)
{
	struct seed_board *b = fw;
	(void)now;
	seed_net_listen(&b->net, port);
	return 0;
}

static int app_send(void *fw, uint64_t now, const uint8_t *data, size_t n)
{
	struct seed_board *b = fw;
	(void)now;
	return seed_net_send(&b->net, data, (uint16_t)(n > 0xFFFF ? 0xFFFF : n));
}

static int app_recv(void *fw, uint64_t now, uint8_t *buf, size_t n)
{
	struct seed_board *b = fw;
	(void)now;
	return seed_net_recv(&b->net, buf, (uint16_t)(n > 0xFFFF ? 0xFFFF : n));
}

static int app_close(void *fw, uint64_t now)
{
	struct seed_board *b = fw;
	(void)now;
	return seed_net_close(&b->net) == 0 ? 0 : -107; /* ENOTCONN */
}

static int app_abort(void *fw, uint64_t now)
{
	struct seed_board *b = fw;
	(void)now;
	return seed_net_abort(&b->net) == 0 ? 0 : -107;
}

static const char *app_state(void *fw)
{
	struct seed_board *b = fw;
	return seed_net_state_name(&b->net);
}

static const struct synack_board_app APP = {
	.listen = app_listen,
	.connect = NULL, /* the seed stack only serves */
	.send = app_send,
	.recv = app_recv,
	.close = app_close,
	.abort = app_abort,
	.tcp_state = app_state,
};

static const struct synack_board_firmware FIRMWARE = {
	.abi_version = SYNACK_BOARD_ABI_VERSION,
	.name = "seed-stack",
	.create = fw_create,
	.boot = fw_boot,
	.run = fw_run,
	.destroy = fw_destroy,
	.app = &APP,
	.behaviours = NULL,
};

SYNACK_BOARD_EXPORT const struct synack_board_firmware *synack_board_entry(void)
{
	return &FIRMWARE;
}
