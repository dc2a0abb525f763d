/*
 * node.c - a simulated board running our own driver and stack (see node.h).
 *
 * The node is a struct sim_firmware on a struct sim_board:
 *   boot: enc_init -> enc_netdev_bind -> net_init -> cfg.on_boot (the app)
 *   run:  net_poll(stack, cpu time) -> next deadline
 * net_poll() services the chip itself (the netdev's rx_begin calls
 * enc_poll(), which collects TX completion, clears RXERIF and follows the
 * link), so INT is cleared by the pass it wakes. The stack samples the link
 * state *before* that service, so a pass that sees the driver's link state
 * change asks to run again at once: the next pass announces the node with a
 * gratuitous ARP (net.c) without waiting for an unrelated event.
 *
 * sim_node_exec() lets code outside the event loop (tests, the conformance
 * engine's DUT actions, benchmarks) act as the application: its function
 * runs inside a firmware pass (sim_board_exec) so the SPI cursor is valid,
 * between two polls of the stack - the first brings the stack's clock to
 * now, the second sends whatever the call queued.
 *
 * Call chains:
 *   kernel -> board wake -> node_run -> net_poll -> netdev -> driver -> SPI -> model
 *   test -> sim_node_exec -> sim_board_exec -> exec_pass -> net_poll, fn, net_poll
 */
#include "node.h"

#include <stdio.h>
#include <string.h>

static uint64_t poll_stack(struct sim_node *n, uint64_t now)
{
	uint64_t next = net_poll(&n->stack, now);
	/* The stack compares the link state it saw at the start of this poll
	 * with the one before; a change the driver noticed during the poll is
	 * acted on by the next one. */
	if (enc_link_is_up(&n->enc) != n->stack.link_up && next > now)
		next = now;
	return next;
}

static void node_boot(void *fw, struct sim_board *b)
{
	struct sim_node *n = fw;
	n->init_rc = enc_init(&n->enc, sim_board_hal(b), &n->cfg.enc);
	if (n->init_rc != ENC_OK)
		return; /* a dead board: never runs again (init_rc says why) */
	enc_netdev_bind(&n->nd, &n->enc);
	net_init(&n->stack, &n->ncfg, &n->nd, sim_board_now(b));
	n->booted = true;
	if (n->cfg.on_boot)
		n->cfg.on_boot(n, n->cfg.app_ctx);
}

static uint64_t node_run(void *fw, struct sim_board *b, uint64_t now)
{
	struct sim_node *n = fw;
	(void)b;
	if (!n->booted)
		return SIM_NEVER;
	return poll_stack(n, now);
}

static const struct sim_firmware NODE_FW = {node_boot, node_run};

/* Defaults (see node.h). The ISN key comes from the run's seed through the
 * random stream "<name>.isn", so it depends only on the seed and the name. */
void sim_node_config_defaults(struct sim_node_config *c, struct sim *s, const char *name, uint8_t index)
{
	static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00};
	memset(c, 0, sizeof *c);
	c->name = name;
	memcpy(c->enc.mac, mac, 6);
	c->enc.mac[5] = index;
	c->enc.full_duplex = true;
	net_config_defaults(&c->net);
	memcpy(c->net.mac, c->enc.mac, 6);
	c->net.ip = 0x0A000000u | index; /* 10.0.0.<index> */
	c->net.netmask = 0xFFFFFF00u;
	char stream[96];
	snprintf(stream, sizeof stream, "%s.isn", name ? name : "node");
	struct sim_rng r;
	sim_rng_stream(s, &r, stream);
	for (unsigned i = 0; i < sizeof c->net.isn_key; i += 8) {
		uint64_t v = sim_rng_next(&r);
		for (unsigned k = 0; k < 8; k++)
			c->net.isn_key[i + k] = (uint8_t)(v >> (8u * k));
	}
	c->board.name = name;
	c->board.model.link_up = true;
}

/* Set up the board (and its chip model) for cfg; nothing runs until
 * sim_node_start(). The stack keeps a pointer to n->ncfg, a copy of
 * cfg->net: edit n->ncfg, not cfg, after this. Returns 0 or -1. */
int sim_node_init(struct sim_node *n, struct sim *s, const struct sim_node_config *cfg)
{
	memset(n, 0, sizeof *n);
	n->cfg = *cfg;
	n->ncfg = cfg->net;
	if (n->cfg.board.name == NULL)
		n->cfg.board.name = n->cfg.name;
	return sim_board_init(&n->board, s, &n->cfg.board);
}

/* Connect to link l and boot at virtual time `at`. Returns 0 or -1 (the
 * link has no port left, or the event queue could not grow). */
int sim_node_start(struct sim_node *n, struct sim_link *l, uint64_t at)
{
	if (sim_board_connect(&n->board, l) != 0)
		return -1;
	return sim_board_start(&n->board, &NODE_FW, n, at);
}

/* Free the board. Like the board, call it after sim_free(): the kernel's
 * queue may still name the board's timer. */
void sim_node_free(struct sim_node *n)
{
	sim_board_free(&n->board);
}

struct exec_call {
	struct sim_node *n;
	sim_node_fn fn;
	void *ctx;
};

/* A main-loop iteration in which the application acts: poll, act, poll.
 * The first poll is not optional: the stack's API calls take their time
 * from the last net_poll(), and a board that has slept (nothing due) would
 * otherwise arm timers in the past - a tcp_connect() after 10 idle seconds
 * retransmitted its SYN at once. The second sends what fn queued. */
static uint64_t exec_pass(void *ctx, struct sim_board *b, uint64_t now)
{
	struct exec_call *x = ctx;
	uint64_t first = poll_stack(x->n, now);
	x->fn(x->n, x->ctx);
	uint64_t next = poll_stack(x->n, sim_board_now(b));
	return first < next ? first : next;
}

/* Run fn inside a firmware pass (see node.h). From inside a pass (an event
 * callback of the stack, on_boot) fn runs at once and the stack is not
 * polled again: net_poll() is not re-entrant, and the running pass
 * computes the deadline when it ends. Before boot, or on a board whose
 * enc_init() failed, there is no stack to act on: fn is not called and
 * exec_skipped counts it. */
void sim_node_exec(struct sim_node *n, sim_node_fn fn, void *ctx)
{
	if (!n->booted) {
		n->exec_skipped++;
		return;
	}
	if (n->board.running) {
		fn(n, ctx);
		return;
	}
	struct exec_call x = {n, fn, ctx};
	sim_board_exec(&n->board, exec_pass, &x);
}
