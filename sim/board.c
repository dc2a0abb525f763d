/*
 * board.c - a simulated board (see board.h): the SPI HAL that lands in the
 * chip model, the INT line, the link port, and the scheduling of firmware
 * passes and model deadlines on the kernel's clock.
 *
 * Call chains:
 *   driver -> hal.xfer -> spi_xfer -> model_spi_xfer(cursor)
 *   model -> ops.int_changed -> int_changed -> reschedule
 *   model -> ops.tx_frame -> tx_frame -> sim_link_send
 *   link -> port deliver -> wire_in -> model_wire_rx -> reschedule
 *   kernel -> wake -> model_advance and/or fw->run -> reschedule
 *   test/engine -> sim_board_exec -> fn (as a pass) -> reschedule
 *
 * One timer per board: it is armed at the earliest of the model's next
 * deadline and the firmware's next pass (its deadline, or the moment the CPU
 * is free if INT is asserted).
 */
#include "board.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_SPI_NS 1000u
#define DEFAULT_STORM_LIMIT 1000u

/* ---- SPI HAL: each byte costs spi_ns of CPU time ---- */

static void spi_select(void *ctx)
{
	struct sim_board *b = ctx;
	b->cpu_now += b->cfg.cs_ns;
	b->stats.spi_selects++;
	b->spi_op = 0xFF;
	model_spi_select(b->model, true, b->cpu_now);
}

/* Attribute n bytes to the open transaction's command (the first byte
 * after select names it). */
static void count_op(struct sim_board *b, uint8_t first, size_t n)
{
	if (b->spi_op == 0xFF) {
		b->spi_op = (uint8_t)(first >> 5);
		b->stats.spi_op_txns[b->spi_op]++;
	}
	b->stats.spi_op_bytes[b->spi_op] += n;
}

static void spi_deselect(void *ctx)
{
	struct sim_board *b = ctx;
	b->cpu_now += b->cfg.cs_ns;
	model_spi_select(b->model, false, b->cpu_now);
}

static uint8_t spi_xfer(void *ctx, uint8_t out)
{
	struct sim_board *b = ctx;
	b->cpu_now += b->spi_ns;
	b->stats.spi_bytes++;
	count_op(b, out, 1);
	return model_spi_xfer(b->model, out, b->cpu_now);
}

/* Bursts loop here rather than in the driver: one indirect call per burst,
 * not per byte. */
static void spi_read_burst(void *ctx, uint8_t *in, size_t n)
{
	struct sim_board *b = ctx;
	b->cpu_now = model_spi_read_burst(b->model, in, n, b->cpu_now, b->spi_ns);
	b->stats.spi_bytes += n;
	count_op(b, 0x00, n);
}

static void spi_write_burst(void *ctx, const uint8_t *out, size_t n)
{
	struct sim_board *b = ctx;
	b->cpu_now = model_spi_write_burst(b->model, out, n, b->cpu_now, b->spi_ns);
	b->stats.spi_bytes += n;
	if (n > 0)
		count_op(b, out[0], n);
}

static void spi_delay_us(void *ctx, uint32_t us)
{
	struct sim_board *b = ctx;
	uint64_t ns = (uint64_t)us * 1000u;
	b->cpu_now += ns;
	b->stats.delay_ns += ns;
}

/* ---- Scheduling ---- */

static bool int_pending(const struct sim_board *b)
{
	return b->int_level && !b->int_masked;
}

static void reschedule(struct sim_board *b)
{
	if (!b->started || b->running)
		return;
	uint64_t fw = b->fw_deadline;
	if (int_pending(b))
		fw = 0;
	if (fw != SIM_NEVER && fw < b->cpu_now)
		fw = b->cpu_now; /* the CPU is still busy with its last pass */
	uint64_t md = model_next_deadline(b->model);
	uint64_t next = md < fw ? md : fw;
	sim_timer_arm(b->sim, &b->wake, next);
}

static void run_pass(struct sim_board *b, uint64_t t)
{
	if (b->cpu_now < t)
		b->cpu_now = t;
	b->stats.runs++;
	if (int_pending(b))
		b->stats.runs_int++;
	else
		b->stats.runs_deadline++;
	b->running = true;
	b->exec_deadline = SIM_NEVER;
	b->fw_deadline = b->fw->run(b->fw_ctx, b, b->cpu_now);
	b->running = false;
	if (b->exec_deadline < b->fw_deadline)
		b->fw_deadline = b->exec_deadline;
	/* Level-triggered INT: a pass that leaves it asserted runs again, but
	 * a firmware that never clears its source must not spin forever. */
	if (b->int_level) {
		if (++b->int_streak >= b->cfg.int_storm_limit && !b->int_masked) {
			b->int_masked = true;
			b->stats.int_storms++;
		}
	} else {
		b->int_streak = 0;
	}
}

static void wake(void *ctx, uint64_t now)
{
	struct sim_board *b = ctx;
	if (model_next_deadline(b->model) <= now) {
		b->stats.model_advances++;
		model_advance(b->model, now);
	}
	if (now >= b->cpu_now && (int_pending(b) || b->fw_deadline <= now))
		run_pass(b, now);
	reschedule(b);
	/* A model that reports a deadline it has already passed would spin
	 * here; re-arm no earlier than one nanosecond later. */
	if (b->wake.when == now && !int_pending(b) && b->fw_deadline > now)
		sim_timer_arm(b->sim, &b->wake, now + 1);
}

static void boot(void *ctx, uint64_t now)
{
	struct sim_board *b = ctx;
	if (b->cpu_now < now)
		b->cpu_now = now;
	b->started = true;
	b->stats.boots++;
	b->running = true;
	b->exec_deadline = SIM_NEVER;
	if (b->fw->boot)
		b->fw->boot(b->fw_ctx, b);
	b->running = false;
	b->fw_deadline = b->cpu_now; /* first pass right after boot */
	reschedule(b);
}

/* ---- Model ports ---- */

static void int_changed(void *ctx, bool asserted, uint64_t now)
{
	struct sim_board *b = ctx;
	(void)now;
	b->int_level = asserted;
	if (!asserted) {
		b->int_masked = false;
		b->int_streak = 0;
	}
	reschedule(b);
}

static void tx_frame(void *ctx, const uint8_t *frame, size_t len, uint64_t start, uint64_t now)
{
	struct sim_board *b = ctx;
	b->stats.frames_out++;
	if (b->port)
		sim_link_send(b->port, frame, len, start, now);
}

static void wire_in(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct sim_board *b = ctx;
	b->stats.frames_in++;
	(void)model_wire_rx(b->model, frame, len, now);
	reschedule(b);
}

/* ---- Setup ---- */

int sim_board_init(struct sim_board *b, struct sim *s, const struct sim_board_config *cfg)
{
	memset(b, 0, sizeof *b);
	b->sim = s;
	if (cfg)
		b->cfg = *cfg;
	if (b->cfg.name == NULL)
		b->cfg.name = "board";
	b->spi_ns = b->cfg.spi_ns_per_byte ? b->cfg.spi_ns_per_byte : DEFAULT_SPI_NS;
	if (b->cfg.int_storm_limit == 0)
		b->cfg.int_storm_limit = DEFAULT_STORM_LIMIT;
	if (b->cfg.model.seed == 0) {
		uint64_t x = s->seed ^ sim_hash_name(b->cfg.name);
		b->cfg.model.seed = sim_splitmix64(&x);
	}
	void *mem = b->cfg.model_mem;
	if (mem == NULL) {
		mem = b->model_alloc = calloc(1, model_sizeof());
		if (mem == NULL)
			return -1;
	}
	b->hal.select = spi_select;
	b->hal.deselect = spi_deselect;
	b->hal.xfer = spi_xfer;
	b->hal.read_burst = spi_read_burst;
	b->hal.write_burst = spi_write_burst;
	b->hal.delay_us = spi_delay_us;
	b->hal.ctx = b;
	b->mops.int_changed = int_changed;
	b->mops.tx_frame = tx_frame;
	b->mops.ctx = b;
	b->fw_deadline = SIM_NEVER;
	b->exec_deadline = SIM_NEVER;
	b->spi_op = 0xFF;
	sim_timer_init(&b->wake, wake, b);
	b->model = model_init(mem, &b->cfg.model, &b->mops, sim_now(s));
	if (b->model == NULL) {
		sim_board_free(b);
		return -1;
	}
	return 0;
}

void sim_board_free(struct sim_board *b)
{
	if (b->sim)
		sim_timer_cancel(b->sim, &b->wake);
	free(b->model_alloc);
	b->model_alloc = NULL;
	b->model = NULL;
}

int sim_board_connect(struct sim_board *b, struct sim_link *l)
{
	b->port = sim_link_attach(l, wire_in, b);
	return b->port ? 0 : -1;
}

int sim_board_start(struct sim_board *b, const struct sim_firmware *fw, void *fw_ctx, uint64_t at)
{
	b->fw = fw;
	b->fw_ctx = fw_ctx;
	return sim_at(b->sim, at, boot, b);
}

void sim_board_exec(struct sim_board *b, sim_board_exec_fn fn, void *ctx)
{
	uint64_t d;
	if (b->running) {
		/* Already in firmware context: the running pass owns the
		 * cursor and merges this deadline into its own when it ends. */
		d = fn(ctx, b, b->cpu_now);
		if (d < b->exec_deadline)
			b->exec_deadline = d;
		return;
	}
	if (b->cpu_now < sim_now(b->sim))
		b->cpu_now = sim_now(b->sim);
	b->stats.execs++;
	b->running = true;
	b->exec_deadline = SIM_NEVER;
	d = fn(ctx, b, b->cpu_now);
	b->running = false;
	if (b->exec_deadline < d)
		d = b->exec_deadline;
	/* The earlier deadline wins: a stale one costs a spare pass, a lost
	 * one a hung firmware. */
	if (d < b->fw_deadline)
		b->fw_deadline = d;
	reschedule(b);
}

void sim_board_model_changed(struct sim_board *b)
{
	b->int_level = model_int_asserted(b->model);
	reschedule(b);
}

const struct enc_spi_hal *sim_board_hal(struct sim_board *b)
{
	return &b->hal;
}
