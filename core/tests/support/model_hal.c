/*
 * model_hal.c - the SPI HAL over the chip model in virtual time, and the
 * back-to-back wire between two boards. See model_hal.h.
 */
#include "model_hal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void advance_peer(struct model_board *b)
{
	if (b->peer != NULL)
		model_advance(b->peer->m, b->clk->now);
}

static void hal_select(void *ctx)
{
	struct model_board *b = ctx;

	advance_peer(b);
	if (b->on_select != NULL)
		b->on_select(b);
	b->clk->now += MODEL_HAL_CS_NS;
	b->selected = true;
	model_spi_select(b->m, true, b->clk->now);
}

static void hal_deselect(void *ctx)
{
	struct model_board *b = ctx;

	b->clk->now += MODEL_HAL_CS_NS;
	b->selected = false;
	model_spi_select(b->m, false, b->clk->now);
}

static uint8_t hal_xfer(void *ctx, uint8_t out)
{
	struct model_board *b = ctx;

	b->clk->now += MODEL_HAL_BYTE_NS;
	return model_spi_xfer(b->m, out, b->clk->now);
}

static void hal_read_burst(void *ctx, uint8_t *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		in[i] = hal_xfer(ctx, 0x00u);
}

static void hal_write_burst(void *ctx, const uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		(void)hal_xfer(ctx, out[i]);
}

static void hal_delay_us(void *ctx, uint32_t us)
{
	struct model_board *b = ctx;

	b->clk->now += (uint64_t)us * 1000u;
}

static void on_int(void *ctx, bool asserted, uint64_t now)
{
	struct model_board *b = ctx;

	(void)now;
	b->int_asserted = asserted;
}

static void on_tx_frame(void *ctx, const uint8_t *frame, size_t len, uint64_t start, uint64_t now)
{
	struct model_board *b = ctx;

	(void)start;
	b->wire_tx++;
	b->last_tx_len = len < MODEL_HAL_FRAME_MAX ? len : MODEL_HAL_FRAME_MAX;
	memcpy(b->last_tx, frame, b->last_tx_len);
	if (b->peer != NULL && model_wire_rx(b->peer->m, frame, len, now))
		b->wire_delivered++;
}

void model_hal_init(struct model_board *b, struct model_clock *clk,
                    const struct model_config *cfg, bool bursts)
{
	struct model_ops ops;

	memset(b, 0, sizeof(*b));
	b->clk = clk;
	if (model_sizeof() > sizeof b->mem)
		abort(); /* raise MODEL_HAL_MODEL_MEM */
	ops.int_changed = on_int;
	ops.tx_frame = on_tx_frame;
	ops.ctx = b;
	b->m = model_init(b->mem, cfg, &ops, clk->now);
	b->hal.select = hal_select;
	b->hal.deselect = hal_deselect;
	b->hal.xfer = hal_xfer;
	b->hal.read_burst = bursts ? hal_read_burst : NULL;
	b->hal.write_burst = bursts ? hal_write_burst : NULL;
	b->hal.delay_us = hal_delay_us;
	b->hal.ctx = b;
}

void model_hal_free(struct model_board *b)
{
	b->m = NULL;
}

void model_hal_connect(struct model_board *a, struct model_board *b)
{
	a->peer = b;
	b->peer = a;
}

void model_hal_run(struct model_board *b, uint64_t ns)
{
	b->clk->now += ns;
	model_advance(b->m, b->clk->now);
	advance_peer(b);
	/* The peer may have answered at once; let b hear it. */
	model_advance(b->m, b->clk->now);
}

unsigned model_hal_dump_diags(const struct model_board *b, const char *who)
{
	unsigned i, n = model_diag_count(b->m);
	char line[200];

	for (i = 0; i < n; i++) {
		const struct model_diag *dg = model_diag_get(b->m, i);

		if (dg == NULL)
			break;
		model_diag_format(dg, line, sizeof(line));
		fprintf(stderr, "%s: %s\n", who, line);
	}
	return n;
}
