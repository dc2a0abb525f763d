/*
 * node.h - a simulated board running our own driver and stack: the
 * ENC28J60 model on the board's SPI bus, core/enc28j60 on top of it, the
 * netdev adapter, and one struct net_stack. The application (an echo
 * server, the conformance engine's DUT actions, a benchmark) attaches
 * through an on_boot hook and through sim_node_exec().
 *
 *   sim ──> board ──SPI──> model        (sim/board.h)
 *             └── firmware pass: enc_poll/net_poll(now) ──> app callbacks
 *
 * Each firmware pass runs net_poll() at the board's CPU time and asks to
 * run again at the deadline net_poll() returns, or on INT.
 */
#ifndef SIM_NODE_H
#define SIM_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "enc28j60.h"
#include "enc28j60_netdev.h"
#include "net.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sim_node;
typedef void (*sim_node_fn)(struct sim_node *n, void *ctx);

struct sim_node_config {
	const char *name;
	struct enc_config enc;          /* MAC etc. */
	struct net_config net;          /* filled by sim_node_config_defaults(); edit after */
	struct sim_board_config board;
	sim_node_fn on_boot;            /* after enc_init + net_init succeed: e.g. tcp_listen */
	void *app_ctx;
};

struct sim_node {
	struct sim_board board;
	struct enc_dev enc;
	struct netdev nd;
	struct net_config ncfg;
	struct net_stack stack;
	struct sim_node_config cfg;
	int init_rc;                    /* enc_init() result; nonzero = dead board */
	bool booted;
	uint64_t exec_skipped;          /* sim_node_exec() calls with no stack to run on */
};

/* Defaults: full duplex, MAC 02:00:00:00:00:<index>, 10.0.0.<index>/24, ISN
 * key drawn from the run's seed (stream named after `name`: "<name>.isn"),
 * PHY link up at power on (the first pass sends a gratuitous ARP). */
void sim_node_config_defaults(struct sim_node_config *c, struct sim *s, const char *name, uint8_t index);
/* The stack keeps a pointer to n->ncfg (a copy of cfg->net): after init,
 * edit n->ncfg. */
int sim_node_init(struct sim_node *n, struct sim *s, const struct sim_node_config *cfg);
/* Connect to a link and boot at virtual time `at`. */
int sim_node_start(struct sim_node *n, struct sim_link *l, uint64_t at);
/* After sim_free(): the kernel's queue may still name the board's timer. */
void sim_node_free(struct sim_node *n);
/* Run fn inside a firmware pass at the simulation's current time, so stack
 * calls made from outside (tcp_connect, tcp_send ...) reach the chip with a
 * proper CPU time cursor; then poll the stack once. The pass polls the
 * stack before fn too, as a main loop would: the stack's API takes its time
 * from the last poll, which on a sleeping board may be long past (timers
 * armed by fn would then fire at once). Called from inside a
 * pass (a stack callback, on_boot), fn runs at once and nothing is polled
 * (net_poll() is not re-entrant). Before boot or on a dead board fn is not
 * called (exec_skipped counts it). */
void sim_node_exec(struct sim_node *n, sim_node_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* SIM_NODE_H */
