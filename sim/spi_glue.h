/*
 * spi_glue.h - run a third-party ENC28J60 driver, unchanged, on a simulated
 * board.
 *
 * A driver written for some other platform reaches its chip through a few
 * platform calls: drive CS low, clock a byte (or a buffer) and read what
 * comes back, drive CS high, busy-wait; some also read a clock, and
 * interrupt-driven ones are told when the INT pin falls. This header maps
 * calls of that shape onto a struct sim_board (board.h):
 *
 *   driver: spi_select() spi_transfer(b) spi_deselect() delay_us(n) ...
 *              |              |               |             |
 *   glue:   sim_spi_glue_select/transfer/deselect/delay_us (this header)
 *              |
 *   board:  the SPI HAL (sim_board_hal): each byte costs virtual time
 *              |                         (8 MHz: 1 us), so does each delay
 *   model:  model_spi_select / model_spi_xfer -> registers, buffer, checker
 *
 * so every byte and every delay costs the virtual time it would on silicon,
 * a driver polling a busy bit sees it clear when silicon would clear it,
 * and the model's checker (model_diag_*) says which datasheet or errata
 * rule the driver broke.
 *
 * Two ways in:
 *   - drivers that pass a context (a device struct, a bus handle) call the
 *     sim_spi_glue_* functions with a struct sim_spi_glue the user keeps in
 *     that context;
 *   - drivers that call free functions with fixed names get them from
 *     SIM_SPI_GLUE_DEFINE(prefix, glue), placed in one .c file of the
 *     user's: it defines prefix##spi_select(void), prefix##spi_deselect(void),
 *     prefix##spi_transfer(uint8_t), prefix##spi_transfer_buf(const uint8_t *,
 *     uint8_t *, size_t), prefix##delay_us(uint32_t), prefix##delay_ms(uint32_t)
 *     and prefix##micros(void), each bound to the glue expression `glue`
 *     (a struct sim_spi_glue * the user owns, e.g. a file-scope pointer in
 *     the test). A driver whose calls are named or shaped differently
 *     (RIOT's spi_transfer_byte(bus, cs, cont, out), Arduino's
 *     digitalWrite(cs) + SPI.transfer()) needs one line of its own per call,
 *     calling these.
 *
 * The driver's code runs inside a firmware pass (struct sim_firmware,
 * board.h): boot() once, then run() whenever INT is asserted or the
 * deadline run() returned comes. An interrupt handler is called from run()
 * while sim_spi_glue_int_asserted() is true (INT is level-triggered on the
 * board: the handler must clear the chip's flag or mask EIE.INTIE, as on
 * silicon). A driver that polls returns its poll period from run(). The
 * glue calls are only valid inside a pass (or sim_board_exec()), where the
 * board's CPU time cursor is running.
 *
 * Header only: everything is static inline. No state of its own besides the
 * struct the user owns. See docs/architecture.md, "Plugging in your own
 * driver", and sim/tests/test_spi_glue.c for a driver run through it.
 */
#ifndef SIM_SPI_GLUE_H
#define SIM_SPI_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "enc28j60_model.h"
#include "hal.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sim_spi_glue {
	struct sim_board *board;
	const struct enc_spi_hal *hal;
};

/* Bind to a board (sim_board_init() done). */
static inline void sim_spi_glue_init(struct sim_spi_glue *g, struct sim_board *b)
{
	g->board = b;
	g->hal = sim_board_hal(b);
}

/* CS low: the start of one SPI command (DS39662E 4.1). */
static inline void sim_spi_glue_select(struct sim_spi_glue *g)
{
	g->hal->select(g->hal->ctx);
}

/* CS high: the end of the command. */
static inline void sim_spi_glue_deselect(struct sim_spi_glue *g)
{
	g->hal->deselect(g->hal->ctx);
}

/* Clock one byte out on MOSI; returns the byte clocked in on MISO. */
static inline uint8_t sim_spi_glue_transfer(struct sim_spi_glue *g, uint8_t out)
{
	return g->hal->xfer(g->hal->ctx, out);
}

/* Clock n bytes: out (NULL = send 0x00 filler) and in (NULL = discard what
 * comes back), as a buffer transfer of a platform SPI API does. */
static inline void sim_spi_glue_transfer_buf(struct sim_spi_glue *g, const uint8_t *out, uint8_t *in,
					     size_t n)
{
	const struct enc_spi_hal *h = g->hal;
	if (out == NULL && in != NULL && h->read_burst != NULL) {
		h->read_burst(h->ctx, in, n);
		return;
	}
	if (out != NULL && in == NULL && h->write_burst != NULL) {
		h->write_burst(h->ctx, out, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t v = h->xfer(h->ctx, out != NULL ? out[i] : 0x00u);
		if (in != NULL)
			in[i] = v;
	}
}

/* Busy-wait: the board's CPU time moves on by that much virtual time. */
static inline void sim_spi_glue_delay_us(struct sim_spi_glue *g, uint32_t us)
{
	g->hal->delay_us(g->hal->ctx, us);
}

static inline void sim_spi_glue_delay_ms(struct sim_spi_glue *g, uint32_t ms)
{
	for (uint32_t i = 0; i < ms; i++)
		g->hal->delay_us(g->hal->ctx, 1000u);
}

/* The board's CPU time, in virtual microseconds (for micros()/millis()
 * and driver timeouts). */
static inline uint64_t sim_spi_glue_micros(const struct sim_spi_glue *g)
{
	return sim_board_now(g->board) / 1000u;
}

/* The INT pin: true while the chip drives it low (an interrupt is
 * pending, DS39662E 12.0). */
static inline bool sim_spi_glue_int_asserted(const struct sim_spi_glue *g)
{
	return model_int_asserted(sim_board_model(g->board));
}

/* The context-free calls a driver with fixed names expects, bound to the
 * glue expression `glue`. Use once, in one .c file. */
#define SIM_SPI_GLUE_DEFINE(prefix, glue)                                                          \
	void prefix##spi_select(void);                                                             \
	void prefix##spi_select(void) { sim_spi_glue_select(glue); }                               \
	void prefix##spi_deselect(void);                                                           \
	void prefix##spi_deselect(void) { sim_spi_glue_deselect(glue); }                           \
	uint8_t prefix##spi_transfer(uint8_t out);                                                 \
	uint8_t prefix##spi_transfer(uint8_t out) { return sim_spi_glue_transfer(glue, out); }     \
	void prefix##spi_transfer_buf(const uint8_t *out, uint8_t *in, size_t n);                  \
	void prefix##spi_transfer_buf(const uint8_t *out, uint8_t *in, size_t n)                   \
	{                                                                                          \
		sim_spi_glue_transfer_buf(glue, out, in, n);                                       \
	}                                                                                          \
	void prefix##delay_us(uint32_t us);                                                        \
	void prefix##delay_us(uint32_t us) { sim_spi_glue_delay_us(glue, us); }                    \
	void prefix##delay_ms(uint32_t ms);                                                        \
	void prefix##delay_ms(uint32_t ms) { sim_spi_glue_delay_ms(glue, ms); }                    \
	uint64_t prefix##micros(void);                                                             \
	uint64_t prefix##micros(void) { return sim_spi_glue_micros(glue); }

#ifdef __cplusplus
}
#endif
#endif /* SIM_SPI_GLUE_H */
