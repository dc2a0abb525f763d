/*
 * board.h - a simulated board: an MCU running firmware, an ENC28J60 model on
 * its SPI bus, the chip's INT line and its link port.
 *
 *   firmware --(struct enc_spi_hal)--> board --model_spi_*()--> enc_model
 *       ^                                 |                         |
 *       +---- run() on INT / deadline ----+<--- int_changed --------+
 *                                                tx_frame --> link port
 *
 * The board keeps a local CPU time cursor. A firmware pass starts at the
 * event's virtual time; every SPI byte costs spi_ns_per_byte (8 MHz SPI:
 * 1000 ns) and delay_us() advances the cursor, and the model sees that cursor
 * as `now`. So a driver polling a busy bit spends exactly the virtual time
 * it would on silicon. While a pass runs, the rest of the simulation waits
 * at the pass's start time (temporal decoupling, as in SystemC loosely timed
 * models): the board's frames are stamped with the cursor, and a frame that
 * reaches the board mid-pass is stored by the model at the cursor time.
 *
 * "Firmware" is anything that drives the HAL: our driver and stack, a user's
 * own, or (later) an AVR image in simavr. It plugs in through struct
 * sim_firmware:
 *   boot(fw, board)        once, at the board's start time (e.g. enc_init);
 *   run(fw, board, now)    one main-loop pass; returns the absolute virtual
 *                          time it wants to run again (SIM_NEVER = only on
 *                          INT).
 * The board runs the firmware when INT is asserted (level-triggered: the
 * firmware clears the source, as on silicon), at the firmware's deadline,
 * and right after boot. The model's own deadlines (TX done, PHY BUSY ...)
 * are served by model_advance() without running the firmware.
 *
 * Code outside the event loop (a test, the conformance engine) that must
 * act as the firmware - call the stack, which then talks SPI - does so with
 * sim_board_exec(): an extra pass at the simulation's current time.
 */
#ifndef SIM_BOARD_H
#define SIM_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60_model.h"
#include "hal.h"
#include "link.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sim_board;

struct sim_firmware {
	void (*boot)(void *fw, struct sim_board *b);
	uint64_t (*run)(void *fw, struct sim_board *b, uint64_t now);
};

struct sim_board_config {
	const char *name;            /* for messages and random stream names */
	uint32_t spi_ns_per_byte;    /* 0 = 1000 (8 MHz SPI) */
	uint32_t cs_ns;              /* cost of a select/deselect; default 0 */
	struct model_config model;   /* the chip (seed 0 = derived from the run seed) */
	void *model_mem;             /* model_sizeof() bytes, or NULL to allocate */
	/* A pass that leaves INT asserted is run again at once; after this
	 * many such passes in a row the board stops waking on INT until it
	 * deasserts (int_storms counts it). 0 = 1000. */
	uint32_t int_storm_limit;
};

struct sim_board_stats {
	uint64_t boots;
	uint64_t runs;
	uint64_t runs_int;        /* passes started because INT was asserted */
	uint64_t runs_deadline;   /* passes started at the firmware's deadline */
	uint64_t model_advances;  /* model deadlines served */
	uint64_t spi_bytes;
	uint64_t spi_selects;
	uint64_t delay_ns;        /* virtual time spent in delay_us() */
	uint64_t frames_out;
	uint64_t frames_in;
	uint64_t int_storms;
	uint64_t execs;           /* passes run through sim_board_exec() */
	/* SPI traffic by command (first byte of a transaction >> 5, DS 4.2:
	 * 0 RCR, 1 RBM, 2 WCR, 3 WBM, 4 BFS, 5 BFC, 7 SRC): bytes including
	 * the opcode byte, and transactions. For profiles (bench_tcp). */
	uint64_t spi_op_bytes[8];
	uint64_t spi_op_txns[8];
};

struct sim_board {
	struct sim *sim;
	struct sim_board_config cfg;
	struct enc_model *model;
	void *model_alloc;            /* model memory we own */
	struct model_ops mops;        /* kept here: the model may hold the pointer */
	struct enc_spi_hal hal;
	uint64_t cpu_now;             /* the MCU's time cursor */
	uint32_t spi_ns;
	uint8_t spi_op;               /* command class of the open transaction; 0xFF = none yet */
	const struct sim_firmware *fw;
	void *fw_ctx;
	uint64_t fw_deadline;
	bool started;
	bool running;                 /* inside boot()/run() */
	bool int_level;               /* INT asserted (pin low) */
	bool int_masked;              /* storm guard tripped */
	uint32_t int_streak;
	uint64_t exec_deadline;       /* earliest deadline of nested sim_board_exec() calls */
	struct sim_timer wake;
	struct sim_port *port;
	struct sim_board_stats stats;
};

/* Set up a board on simulation s (allocates the model unless
 * cfg->model_mem is given). Returns 0 or -1. */
int sim_board_init(struct sim_board *b, struct sim *s, const struct sim_board_config *cfg);
void sim_board_free(struct sim_board *b);
/* Attach the board's wire to a link. Returns 0 or -1 (link full). */
int sim_board_connect(struct sim_board *b, struct sim_link *l);
/* Boot firmware fw (state fw_ctx) at virtual time `at`. */
int sim_board_start(struct sim_board *b, const struct sim_firmware *fw, void *fw_ctx, uint64_t at);

/* Run fn(ctx, b, now) as a firmware pass at the simulation's current time
 * (or when the CPU is free, if an earlier pass is still running on its
 * cursor), with the SPI HAL's time cursor valid. fn returns the time it
 * wants the firmware to run again (SIM_NEVER = no opinion); the earlier of
 * that and the pending deadline is kept. Called while a pass is already
 * running (from inside boot(), run() or another exec), fn just runs there,
 * on the running pass's cursor. */
typedef uint64_t (*sim_board_exec_fn)(void *ctx, struct sim_board *b, uint64_t now);
void sim_board_exec(struct sim_board *b, sim_board_exec_fn fn, void *ctx);
/* Call after acting on the chip model directly from outside a pass (e.g.
 * model_fault_link_flap(), model_set_link()): the board re-reads the
 * model's next deadline and INT line, which it otherwise learns only from
 * its own events. */
void sim_board_model_changed(struct sim_board *b);

/* For the firmware. */
const struct enc_spi_hal *sim_board_hal(struct sim_board *b);
static inline uint64_t sim_board_now(const struct sim_board *b) { return b->cpu_now; }
static inline struct enc_model *sim_board_model(struct sim_board *b) { return b->model; }
/* Spend CPU time (e.g. the cost of processing a frame). */
static inline void sim_board_spend(struct sim_board *b, uint64_t ns) { b->cpu_now += ns; }

#ifdef __cplusplus
}
#endif
#endif /* SIM_BOARD_H */
