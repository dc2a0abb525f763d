/*
 * serve_board.h - the board `synack serve` puts on the wire: which
 * firmware runs on the simulated MCU, and the one application connection
 * serve can drive on it (--connect).
 *
 *   serve.c -> serve_board_open(kind) -> a struct sim_board (MCU + ENC28J60
 *              model) on the link, running one of:
 *     SERVE_BOARD_OURS      our driver and stack, serving build (serve_ours.h)
 *     SERVE_BOARD_LIBRARY   a user's firmware, board:PATH.so (synack_board.h),
 *                           loaded by the caller (dut_board_load)
 *     SERVE_BOARD_AVR       an AVR image in simavr (--firmware): the exact ELF
 *                           on sim/avr_host.h, its agent given serve's address
 *                           (serve_avr.h)
 *
 * The first two are firmwares behind the board ABI and share one adapter
 * (serve_board.c): the env the harness gives (address, gateway, seed, the
 * board's clock, events), boot() and run() as a struct sim_firmware, and a
 * client on the firmware's application interface. An AVR image is not a
 * struct sim_firmware: simavr runs its CPU, so it brings its own chip model
 * and runs the simulation itself (sim_avr_run_until). serve therefore moves
 * time only through serve_board_run_until() and serve_board_next_event(),
 * and reads the chip through serve_board_model(), so everything above this
 * header - bridges, capture, counters - is the same for every kind.
 *
 * The client (--connect IP:PORT, --send N): once the board receives, it
 * connects, sends N bytes of the pattern 'a'..'z', reads what comes back
 * and compares it with what it sent, and closes when it has the N bytes
 * back, when the peer closes, or when everything was sent and nothing
 * came back for 2 s (a discard service). It finishes when the connection is closed,
 * or 1 s after its FIN was acknowledged (a slirp guest forward never closes
 * its side), and fails on a reset, a refusal or a timeout.
 */
#ifndef SIM_SERVE_BOARD_H
#define SIM_SERVE_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "link.h"
#include "serve_ours.h"
#include "sim.h"
#include "synack_board.h"

#ifdef __cplusplus
extern "C" {
#endif

enum serve_board_kind {
	SERVE_BOARD_OURS = 0,
	SERVE_BOARD_LIBRARY,
	SERVE_BOARD_AVR,
};

struct serve_board_config {
	enum serve_board_kind kind;
	const struct synack_board_firmware *fw; /* LIBRARY: the loaded firmware */
	const char *label;                      /* LIBRARY: "board:libx.so"; AVR: the image path */
	uint8_t mac[6];
	uint32_t ip, netmask, gateway;          /* host order */
	uint64_t seed;
};

enum serve_client_state {
	SERVE_CLIENT_NONE = 0,   /* no --connect */
	SERVE_CLIENT_CONNECTING,
	SERVE_CLIENT_OPEN,       /* sending and reading the echo */
	SERVE_CLIENT_CLOSING,    /* our FIN sent */
	SERVE_CLIENT_DONE,
	SERVE_CLIENT_FAILED,
};

struct serve_client {
	enum serve_client_state state;
	uint32_t ip;
	uint16_t port;
	uint64_t total;          /* bytes to send */
	uint64_t sent;           /* taken by the firmware */
	uint64_t received;
	uint64_t mismatch_at;    /* offset of the first byte back that differs; UINT64_MAX = none */
	bool peer_closed;
	bool half_open;          /* DONE by the 1 s rule: the peer kept its side open */
	uint64_t closed_at;      /* virtual time close() was called */
	uint64_t started_at, finished_at;
	uint64_t all_back_at;    /* virtual time the last byte came back */
	uint64_t last_activity;  /* the last byte sent or received */
	char why[128];           /* FAILED: the reason */
};

struct serve_board;

/* Build the board on link l of simulation s and boot it at virtual time 0.
 * Returns NULL with the reason in err (AVR: not an AVR ELF, or this synack
 * built without simavr; create() returned NULL; no port left on the link). */
struct serve_board *serve_board_open(struct sim *s, struct sim_link *l, const struct serve_board_config *cfg,
				     char *err, size_t errcap);
void serve_board_free(struct serve_board *b); /* after sim_free() */

/* The firmware has set ECON1.RXEN: the chip receives. */
bool serve_board_receiving(struct serve_board *b);
/* "our stack", "board:libx.so", ... */
const char *serve_board_label(const struct serve_board *b);
/* The board's ENC28J60 model, and its port index on the link. */
struct enc_model *serve_board_model(struct serve_board *b);
unsigned serve_board_port(struct serve_board *b);
/* The MAC the device uses (an AVR image's is its own build option). */
void serve_board_mac(struct serve_board *b, uint8_t mac[6]);
/* Run the board and the simulation to absolute time `until`; -1 when the
 * board stopped for good (serve_board_stopped says why). */
int serve_board_run_until(struct serve_board *b, uint64_t until);
/* The next time something may happen on the board (SIM_NEVER: nothing). */
uint64_t serve_board_next_event(struct serve_board *b);
/* Why the board stopped (an AVR CPU that crashed), or NULL. */
const char *serve_board_stopped(const struct serve_board *b);
/* Connection blocks a new passive open could take now; UINT32_MAX when the
 * firmware does not say (a user's firmware). */
unsigned serve_board_free_conns(struct serve_board *b);
/* Our stack's own counters; false for other firmware. */
bool serve_board_ours_counters(struct serve_board *b, struct serve_ours_counters *c);

/* Why the firmware cannot run the client (NULL = it can). */
const char *serve_board_client_unsupported(const struct serve_board *b, char *buf, size_t cap);
/* Start the client now (inside a firmware pass). */
void serve_board_client_start(struct serve_board *b, uint32_t ip, uint16_t port, uint64_t bytes);
const struct serve_client *serve_board_client(const struct serve_board *b);
/* Call from the loop, outside a pass: applies the rules that need time to
 * pass (the idle close, the 1 s after our FIN) at the simulation's current
 * time; true once the client is DONE or FAILED. */
bool serve_board_client_poll(struct serve_board *b);

#ifdef __cplusplus
}
#endif
#endif /* SIM_SERVE_BOARD_H */
