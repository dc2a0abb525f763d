/*
 * model_hal.h - test support: the driver's SPI HAL over the chip model, in
 * virtual time, and two boards wired back to back.
 *
 * A board is one chip model plus the struct enc_spi_hal the driver uses.
 * Boards share a virtual clock (struct model_clock): every SPI byte costs
 * MODEL_HAL_BYTE_NS (8 MHz SPI), a select or deselect MODEL_HAL_CS_NS, and
 * delay_us() moves the cursor on. Whenever a board selects its chip, the
 * peer's model is advanced to the same time first, so a frame the peer
 * finished sending has arrived (A's tx_frame -> B's model_wire_rx, with
 * the time the last bit left).
 *
 * The model lives inside struct model_board: nothing is allocated.
 */
#ifndef TEST_MODEL_HAL_H
#define TEST_MODEL_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60_model.h"
#include "hal.h"

#define MODEL_HAL_BYTE_NS 1000u
#define MODEL_HAL_CS_NS 50u
#define MODEL_HAL_FRAME_MAX 1600u

struct model_clock {
	uint64_t now;
};

/* Room for one model instance (model_sizeof() is about 19.6 KB today);
 * model_hal_init() aborts if the model outgrows it. Kept inside the board
 * so core/ test support allocates nothing, like core/ itself. */
#define MODEL_HAL_MODEL_MEM 24576u

struct model_board {
	struct enc_model *m;
	_Alignas(max_align_t) unsigned char mem[MODEL_HAL_MODEL_MEM];
	struct model_clock *clk;
	struct enc_spi_hal hal;
	struct model_board *peer;    /* receives what this board transmits */
	bool selected;
	bool int_asserted;
	/* Wire log, for tests that look at what left the chip. */
	uint32_t wire_tx;            /* frames this chip put on the wire */
	uint32_t wire_delivered;     /* ... that the peer stored */
	uint8_t last_tx[MODEL_HAL_FRAME_MAX];
	size_t last_tx_len;          /* including the FCS */
	/* Optional test hook, called at every chip select before the chip
	 * sees it (e.g. to re-arm a fault at a precise moment). */
	void (*on_select)(struct model_board *b);
};

/* Power the model on at clk->now. bursts selects whether the HAL offers
 * read_burst/write_burst (the driver must work both ways). */
void model_hal_init(struct model_board *b, struct model_clock *clk,
                    const struct model_config *cfg, bool bursts);
void model_hal_free(struct model_board *b);
/* Wire a's transmitter to b's receiver and b's to a's. */
void model_hal_connect(struct model_board *a, struct model_board *b);
/* Let time pass: move the clock on by ns and advance the board's model and
 * its peer's (in that order and back, so a frame crossing is delivered). */
void model_hal_run(struct model_board *b, uint64_t ns);
/* Print every checker diagnostic of the board to stderr; returns the count. */
unsigned model_hal_dump_diags(const struct model_board *b, const char *who);

#endif /* TEST_MODEL_HAL_H */
