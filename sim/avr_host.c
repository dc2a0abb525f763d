/*
 * avr_host.c - an AVR image in simavr with the ENC28J60 model on its pins
 * (see avr_host.h for the wiring, the clock and the SPI timing).
 *
 * Call chains:
 *   sim_avr_run_until -> run_cpu(next event) -> avr_run (simavr, one
 *     instruction + its cycle timers) ... -> model_advance / sim_run_until
 *   firmware writes SPDR -> spdr_write -> cycle timer spi_done (8 x divisor
 *     cycles) -> model_spi_xfer -> SPI_IRQ_INPUT (SPDR = reply, SPIF)
 *   firmware drives PB2 -> cs_changed -> model_spi_select
 *   model INT -> int_changed -> PD2 level (external pull + pin IRQ) -> INT0
 *   model TX -> tx_frame -> sim_link_send;  link -> wire_in -> model_wire_rx
 *   firmware writes UDR0 -> uart_byte -> cycle timer uart_due -> cfg.uart_out
 *   host -> sim_avr_uart_send -> queue -> UART_IRQ_INPUT while there is room
 *
 * simavr has process-wide state only in its logger, which is replaced once
 * with one that keeps a host's error messages (for sim_avr_error) and
 * prints nothing.
 */
#include "avr_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avr_ioport.h>
#include <avr_spi.h>
#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_cycle_timers.h>
#include <sim_interrupts.h>
#include <sim_io.h>
#include <sim_irq.h>

#ifndef SYNACK_SIMAVR_VERSION
#define SYNACK_SIMAVR_VERSION "1.6"
#endif

/* ATmega328P register addresses (data space) the host reads directly. */
#define R_UCSR0A 0xC0u
#define R_UBRR0L 0xC4u
#define R_UBRR0H 0xC5u
#define U2X0_MASK 0x02u
#define SPSR_WCOL 0x40u
#define CS_PIN 2   /* PB2 */
#define INT_PIN 2  /* PD2 */
#define UART_QCAP 65536u
#define UART_OUTQ 16u
#define ERRCAP 512u

struct uart_pending {
	uint8_t byte;
	avr_cycle_count_t due;
};

struct sim_avr {
	struct sim *sim;
	struct sim_avr_config cfg;
	avr_t *avr;
	avr_spi_t *spi;
	avr_irq_t *spi_in, *int_pin, *uart_in;
	struct enc_model *model;
	void *model_mem;
	struct model_ops mops;
	struct sim_port *port;
	uint64_t t0;                 /* simulation time of cycle 0 */
	uint32_t f;
	bool stop, dead;
	/* While the CPU runs (run_cpu): the cycle it runs to, and that time
	 * in ns; pulled in when the CPU's own SPI traffic gives the model an
	 * earlier deadline or the link an earlier event (pull_in). */
	bool in_cpu;
	avr_cycle_count_t target;
	uint64_t horizon;
	/* SPI: the byte in flight */
	bool spi_busy;
	uint8_t spi_out;
	bool cs_high;
	bool int_low;
	/* UART towards the host: bytes written, delivered at their stop bit */
	struct uart_pending outq[UART_OUTQ];
	unsigned out_head, out_len;
	/* UART from the host */
	uint8_t *inq;
	size_t in_head, in_len;
	bool in_full;                /* simavr's receive FIFO said XOFF */
	struct sim_avr_stats stats;
	char err[ERRCAP];
	struct sim_avr *next_host;   /* for the logger */
};

/* ---- simavr's logger ---- */

static struct sim_avr *hosts;
static bool logger_set;

static void host_logger(avr_t *avr, const int level, const char *fmt, va_list ap)
{
	if (avr == NULL || level > LOG_ERROR)
		return;
	for (struct sim_avr *a = hosts; a != NULL; a = a->next_host) {
		if (a->avr != avr)
			continue;
		size_t n = strlen(a->err);
		if (level == LOG_ERROR && n + 1 < sizeof a->err) {
			vsnprintf(a->err + n, sizeof a->err - n, fmt, ap);
			/* one line per message */
			for (char *p = a->err + n; *p; p++)
				if (*p == '\n')
					*p = ' ';
		}
		return;
	}
}

/* ---- time ---- */

static uint64_t cycles_to_ns(const struct sim_avr *a, avr_cycle_count_t c)
{
	return (uint64_t)(c / a->f) * 1000000000u + (uint64_t)(c % a->f) * 1000000000u / a->f;
}

/* The first cycle at or after simulation time t. */
static avr_cycle_count_t ns_to_cycle(const struct sim_avr *a, uint64_t t)
{
	if (t <= a->t0)
		return 0;
	uint64_t ns = t - a->t0;
	uint64_t c = (ns / 1000000000u) * a->f;
	uint64_t rem = (ns % 1000000000u) * a->f;
	return c + rem / 1000000000u + (rem % 1000000000u != 0);
}

static uint64_t now_ns(const struct sim_avr *a, avr_cycle_count_t c)
{
	return a->t0 + cycles_to_ns(a, c);
}

uint64_t sim_avr_now(const struct sim_avr *a)
{
	return now_ns(a, a->avr->cycle);
}

/* ---- keeping the CPU from sleeping past an event ---- */

static avr_cycle_count_t sync_point(avr_t *avr, avr_cycle_count_t when, void *param);

/* After the CPU touched the model (SPI, CS) or the link (a frame out): a
 * deadline earlier than the one the CPU is running to (a transmission
 * that completes in 60 us, an ARP reply on its way) moves the run's end,
 * so a CPU that goes to sleep right after does not sleep past it. */
static void pull_in(struct sim_avr *a)
{
	if (!a->in_cpu)
		return;
	uint64_t md = model_next_deadline(a->model), ev = sim_next_event(a->sim);
	uint64_t t = md < ev ? md : ev;
	if (t >= a->horizon)
		return;
	avr_cycle_count_t c = ns_to_cycle(a, t);
	if (c <= a->avr->cycle)
		c = a->avr->cycle + 1;
	a->horizon = t;
	a->target = c;
	avr_cycle_timer_register(a->avr, c - a->avr->cycle, sync_point, a);
}

/* ---- SPI: the byte time SPCR/SPSR select ---- */

static avr_cycle_count_t spi_done(avr_t *avr, avr_cycle_count_t when, void *param)
{
	struct sim_avr *a = param;
	(void)avr;
	a->spi_busy = false;
	a->stats.spi_bytes++;
	uint8_t miso = model_spi_xfer(a->model, a->spi_out, now_ns(a, when));
	/* The SPI module's own input: SPDR reads back `miso`, SPIF is set
	 * and the SPI interrupt raised if enabled. */
	avr_raise_irq(a->spi_in, miso);
	pull_in(a);
	return 0;
}

static void spdr_write(avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
	struct sim_avr *a = param;
	avr_spi_t *p = a->spi;
	if (!avr_regbit_get(avr, p->spe) || !avr_regbit_get(avr, p->mstr)) {
		avr->data[addr] = v; /* no master clock: nothing moves */
		return;
	}
	if (a->spi_busy) {
		/* ATmega328P datasheet 19.5.2: a write during a transfer sets
		 * WCOL and is ignored. */
		avr->data[p->r_spsr] |= SPSR_WCOL;
		return;
	}
	/* SPIF is cleared by the SPDR access that follows reading SPSR;
	 * simavr's read handler does it on reads, this on writes. */
	avr_regbit_clear(avr, p->spi.raised);
	avr->data[addr] = v;
	a->spi_out = v;
	a->spi_busy = true;
	/* SCK = fosc / {4, 16, 64, 128}[SPR1:0], doubled by SPI2X: 8 clocks a byte. */
	static const uint8_t div[4] = {4, 16, 64, 128};
	unsigned d = div[avr_regbit_get(avr, p->spr[0]) | avr_regbit_get(avr, p->spr[1]) << 1];
	if (avr_regbit_get(avr, p->spr[2]))
		d /= 2;
	avr_cycle_timer_register(avr, 8u * d, spi_done, a);
}

static void cs_changed(struct avr_irq_t *irq, uint32_t value, void *param)
{
	struct sim_avr *a = param;
	(void)irq;
	bool high = value != 0;
	if (high == a->cs_high)
		return; /* simavr raises the pin on every PORTB write */
	a->cs_high = high;
	if (!high)
		a->stats.spi_selects++;
	model_spi_select(a->model, !high, sim_avr_now(a));
	pull_in(a);
}

/* ---- INT: the model drives PD2 ---- */

static void set_int_pin(struct sim_avr *a, bool low)
{
	/* As an external driver: the level wins over the pin's pull-up when
	 * the firmware writes PORTD (simavr's "external" pull), and the pin
	 * IRQ feeds INT0's edge detector. */
	avr_ioport_external_t e = {.name = 'D', .mask = 1u << INT_PIN, .value = low ? 0u : 1u << INT_PIN};
	avr_ioctl(a->avr, AVR_IOCTL_IOPORT_SET_EXTERNAL('D'), &e);
	avr_raise_irq(a->int_pin, low ? 0 : 1);
}

static void int_changed(void *ctx, bool asserted, uint64_t now)
{
	struct sim_avr *a = ctx;
	(void)now;
	if (asserted == a->int_low)
		return;
	a->int_low = asserted;
	if (asserted)
		a->stats.int_edges++;
	set_int_pin(a, asserted);
}

/* ---- the wire ---- */

static void tx_frame(void *ctx, const uint8_t *frame, size_t len, uint64_t start, uint64_t now)
{
	struct sim_avr *a = ctx;
	a->stats.frames_out++;
	if (a->port)
		sim_link_send(a->port, frame, len, start, now);
	pull_in(a);
}

static void wire_in(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct sim_avr *a = ctx;
	a->stats.frames_in++;
	(void)model_wire_rx(a->model, frame, len, now);
}

/* ---- UART ---- */

static avr_cycle_count_t uart_cycles_per_byte(const struct sim_avr *a)
{
	const uint8_t *d = a->avr->data;
	unsigned ubrr = d[R_UBRR0L] | (unsigned)(d[R_UBRR0H] & 0x0Fu) << 8;
	unsigned per_bit = (ubrr + 1u) * ((d[R_UCSR0A] & U2X0_MASK) ? 8u : 16u);
	return (avr_cycle_count_t)per_bit * 10u; /* start, 8 data, stop */
}

static avr_cycle_count_t uart_due(avr_t *avr, avr_cycle_count_t when, void *param)
{
	struct sim_avr *a = param;
	(void)avr;
	while (a->out_len > 0 && a->outq[a->out_head].due <= when) {
		uint8_t b = a->outq[a->out_head].byte;
		a->out_head = (a->out_head + 1) % UART_OUTQ;
		a->out_len--;
		a->stats.uart_out++;
		if (a->cfg.uart_out)
			a->cfg.uart_out(a->cfg.ctx, b, now_ns(a, when));
	}
	return a->out_len > 0 ? a->outq[a->out_head].due : 0;
}

static void uart_byte(struct avr_irq_t *irq, uint32_t value, void *param)
{
	struct sim_avr *a = param;
	(void)irq;
	avr_cycle_count_t due = a->avr->cycle + uart_cycles_per_byte(a);
	if (a->out_len == UART_OUTQ) {
		/* The UART holds two bytes (UDR and the shift register); more
		 * than this many in flight means a broken baud setting. */
		snprintf(a->err, sizeof a->err, "UART: more than %u bytes in flight", UART_OUTQ);
		a->dead = a->stop = true;
		return;
	}
	struct uart_pending *p = &a->outq[(a->out_head + a->out_len++) % UART_OUTQ];
	p->byte = (uint8_t)value;
	p->due = due;
	if (a->out_len == 1)
		avr_cycle_timer_register(a->avr, due - a->avr->cycle, uart_due, a);
}

/* Hands queued host bytes to simavr's receive FIFO while it has room. */
static void feed_uart(struct sim_avr *a)
{
	while (a->in_len > 0 && !a->in_full) {
		uint8_t b = a->inq[a->in_head];
		a->in_head = (a->in_head + 1) % UART_QCAP;
		a->in_len--;
		a->stats.uart_in++;
		avr_raise_irq(a->uart_in, b);
	}
}

static void uart_xoff(struct avr_irq_t *irq, uint32_t value, void *param)
{
	struct sim_avr *a = param;
	(void)irq;
	a->in_full = value != 0;
}

static void uart_xon(struct avr_irq_t *irq, uint32_t value, void *param)
{
	struct sim_avr *a = param;
	(void)irq;
	if (value) {
		a->in_full = false;
		feed_uart(a);
	}
}

int sim_avr_uart_send(struct sim_avr *a, const uint8_t *p, size_t n)
{
	if (n > UART_QCAP - a->in_len)
		return -1;
	for (size_t i = 0; i < n; i++)
		a->inq[(a->in_head + a->in_len++) % UART_QCAP] = p[i];
	feed_uart(a);
	return 0;
}

/* ---- running ---- */

/* The AVR never sleeps past a sync point: simavr sleeps until its next
 * cycle timer, and this one is due there. */
static avr_cycle_count_t sync_point(avr_t *avr, avr_cycle_count_t when, void *param)
{
	(void)avr;
	(void)when;
	(void)param;
	return 0;
}

/* Sleep without the wall clock (simavr's default usleep()s to keep pace
 * with real time). */
static void sleep_virtual(avr_t *avr, avr_cycle_count_t how_long)
{
	(void)avr;
	(void)how_long;
}

static void check_state(struct sim_avr *a, int st)
{
	if (st != cpu_Done && st != cpu_Crashed && st != cpu_Stopped)
		return;
	a->dead = a->stop = true;
	size_t n = strlen(a->err);
	snprintf(a->err + n, sizeof a->err - n, "%sthe CPU %s at pc 0x%05x, cycle %llu", n ? "; " : "",
		 st == cpu_Done ? "stopped (SLEEP with interrupts off)" : st == cpu_Crashed ? "crashed" : "stopped",
		 (unsigned)a->avr->pc, (unsigned long long)a->avr->cycle);
}

static void run_cpu(struct sim_avr *a, avr_cycle_count_t target, uint64_t horizon)
{
	avr_t *avr = a->avr;
	if (avr->cycle >= target)
		return;
	a->target = target;
	a->horizon = horizon;
	a->in_cpu = true;
	avr_cycle_timer_register(avr, target - avr->cycle, sync_point, a);
	while (avr->cycle < a->target && !a->stop) {
		avr_cycle_count_t c0 = avr->cycle;
		bool sleeping = avr->state == cpu_Sleeping;
		int st = avr_run(avr);
		/* simavr jumps over a sleep in the same step as SLEEP itself
		 * (one cycle for the instruction) or in a later one. */
		if (sleeping)
			a->stats.sleep_cycles += avr->cycle - c0;
		else if (avr->state == cpu_Sleeping && avr->cycle - c0 > 1)
			a->stats.sleep_cycles += avr->cycle - c0 - 1;
		if (!sleeping)
			a->stats.instructions++;
		check_state(a, st);
	}
	a->in_cpu = false;
	avr_cycle_timer_cancel(avr, sync_point, a);
	a->stats.cycles = avr->cycle;
}

int sim_avr_run_until(struct sim_avr *a, uint64_t until)
{
	a->stop = false;
	while (!a->dead) {
		uint64_t now = sim_avr_now(a);
		if (model_next_deadline(a->model) <= now)
			model_advance(a->model, now);
		if (sim_next_event(a->sim) <= now)
			sim_run_until(a->sim, now, 0);
		if (now >= until || a->stop)
			break;
		uint64_t next = until;
		uint64_t ev = sim_next_event(a->sim), md = model_next_deadline(a->model);
		if (ev < next)
			next = ev;
		if (md < next)
			next = md;
		/* A deadline the model reports as passed would spin here: run
		 * at least one cycle. */
		avr_cycle_count_t c = ns_to_cycle(a, next);
		run_cpu(a, c > a->avr->cycle ? c : a->avr->cycle + 1, next);
	}
	/* The kernel's clock follows the CPU's (never backwards). */
	if (!a->dead)
		sim_run_until(a->sim, sim_avr_now(a), 0);
	return a->dead ? -1 : 0;
}

void sim_avr_stop(struct sim_avr *a)
{
	a->stop = true;
}

/* ---- setup ---- */

static avr_spi_t *find_spi(avr_t *avr)
{
	for (avr_io_t *io = avr->io_port; io != NULL; io = io->next)
		if (strcmp(io->kind, "spi") == 0)
			return (avr_spi_t *)io; /* avr_io_t is its first member */
	return NULL;
}

void sim_avr_free(struct sim_avr *a)
{
	if (a == NULL)
		return;
	for (struct sim_avr **p = &hosts; *p != NULL; p = &(*p)->next_host)
		if (*p == a) {
			*p = a->next_host;
			break;
		}
	if (a->avr) {
		avr_t *avr = a->avr;
		avr_terminate(avr);
		/* simavr 1.6's avr_terminate() frees the peripherals' IRQs but
		 * not the interrupt table's and vectors' (their names and hooks),
		 * the per-register IRQs (avr_iomem_getirq) nor the IRQ pool's
		 * array: free them here, or every board leaks some 5 KB
		 * (LeakSanitizer in the asan preset says so). */
		for (int i = 0; i < MAX_IOs; i++)
			if (avr->io[i].irq != NULL) {
				avr_free_irq(avr->io[i].irq, AVR_IOMEM_IRQ_ALL + 1); /* frees the array too */
				avr->io[i].irq = NULL;
			}
		avr_free_irq(avr->interrupts.irq, AVR_INT_IRQ_COUNT);
		for (int i = 0; i < avr->interrupts.vector_count; i++)
			if (avr->interrupts.vector[i] != NULL)
				avr_free_irq(avr->interrupts.vector[i]->irq, AVR_INT_IRQ_COUNT);
		free(avr->irq_pool.irq);
		free(avr);
	}
	free(a->model_mem);
	free(a->inq);
	free(a);
}

struct sim_avr *sim_avr_new(struct sim *s, const struct fw_image *img, const struct sim_avr_config *cfg,
			    char *err, size_t errcap)
{
	if (img->machine != FW_EM_AVR) {
		snprintf(err, errcap, "not an AVR image (ELF machine %u, AVR is %u)", img->machine, FW_EM_AVR);
		return NULL;
	}
	struct sim_avr *a = calloc(1, sizeof *a);
	if (a == NULL || (a->inq = malloc(UART_QCAP)) == NULL ||
	    (a->model_mem = calloc(1, model_sizeof())) == NULL) {
		snprintf(err, errcap, "out of memory");
		sim_avr_free(a);
		return NULL;
	}
	a->sim = s;
	if (cfg)
		a->cfg = *cfg;
	if (a->cfg.name == NULL)
		a->cfg.name = "avr";
	a->f = a->cfg.f_cpu ? a->cfg.f_cpu : SIM_AVR_F_CPU;
	a->t0 = sim_now(s);
	a->cs_high = true;
	if (!logger_set) {
		avr_global_logger_set(host_logger);
		logger_set = true;
	}
	a->avr = avr_make_mcu_by_name(SIM_AVR_MCU);
	if (a->avr == NULL) {
		snprintf(err, errcap, "simavr has no %s core", SIM_AVR_MCU);
		sim_avr_free(a);
		return NULL;
	}
	a->next_host = hosts;
	hosts = a;
	avr_init(a->avr);
	a->avr->log = LOG_ERROR;
	a->avr->frequency = a->f;
	a->avr->sleep = sleep_virtual;
	if (img->base != 0 || (uint64_t)img->size > (uint64_t)a->avr->flashend + 1) {
		snprintf(err, errcap, "the image (0x%x bytes at 0x%x) does not fit the %s's %u bytes of flash",
			 img->size, img->base, SIM_AVR_MCU, (unsigned)a->avr->flashend + 1);
		sim_avr_free(a);
		return NULL;
	}
	avr_loadcode(a->avr, img->data, img->size, 0);
	a->avr->codeend = a->avr->flashend;

	/* Power-up SRAM noise from the run's seed. */
	char stream[96];
	struct sim_rng r;
	snprintf(stream, sizeof stream, "%s.sram", a->cfg.name);
	sim_rng_stream(s, &r, stream);
	for (uint32_t i = a->avr->ioend + 1; i <= a->avr->ramend; i += 8) {
		uint64_t v = sim_rng_next(&r);
		for (uint32_t k = 0; k < 8 && i + k <= a->avr->ramend; k++)
			a->avr->data[i + k] = (uint8_t)(v >> (8 * k));
	}

	/* The chip. */
	if (a->cfg.model.seed == 0) {
		uint64_t x = s->seed ^ sim_hash_name(a->cfg.name);
		a->cfg.model.seed = sim_splitmix64(&x);
	}
	a->mops.int_changed = int_changed;
	a->mops.tx_frame = tx_frame;
	a->mops.ctx = a;
	a->model = model_init(a->model_mem, &a->cfg.model, &a->mops, a->t0);

	/* SPI: take SPDR writes over from simavr's module. */
	a->spi = find_spi(a->avr);
	if (a->spi == NULL || a->model == NULL) {
		snprintf(err, errcap, a->spi ? "the chip model did not start" : "simavr's %s has no SPI", SIM_AVR_MCU);
		sim_avr_free(a);
		return NULL;
	}
	avr_io_addr_t io = AVR_DATA_TO_IO(a->spi->r_spdr);
	a->avr->io[io].w.c = spdr_write;
	a->avr->io[io].w.param = a;
	a->spi_in = avr_io_getirq(a->avr, AVR_IOCTL_SPI_GETIRQ(0), SPI_IRQ_INPUT);
	avr_irq_register_notify(avr_io_getirq(a->avr, AVR_IOCTL_IOPORT_GETIRQ('B'), CS_PIN), cs_changed, a);
	a->int_pin = avr_io_getirq(a->avr, AVR_IOCTL_IOPORT_GETIRQ('D'), INT_PIN);
	set_int_pin(a, false);

	/* UART: no console echo, no usleep() while the firmware polls. */
	uint32_t flags = 0;
	avr_ioctl(a->avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
	avr_irq_register_notify(avr_io_getirq(a->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_byte, a);
	avr_irq_register_notify(avr_io_getirq(a->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), uart_xoff, a);
	avr_irq_register_notify(avr_io_getirq(a->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), uart_xon, a);
	a->uart_in = avr_io_getirq(a->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
	if (a->spi_in == NULL || a->int_pin == NULL || a->uart_in == NULL) {
		snprintf(err, errcap, "simavr's %s lacks an SPI, port or UART IRQ", SIM_AVR_MCU);
		sim_avr_free(a);
		return NULL;
	}
	return a;
}

int sim_avr_connect(struct sim_avr *a, struct sim_link *l)
{
	a->port = sim_link_attach(l, wire_in, a);
	return a->port ? 0 : -1;
}

struct sim_port *sim_avr_port(struct sim_avr *a)
{
	return a->port;
}

struct enc_model *sim_avr_model(struct sim_avr *a)
{
	return a->model;
}

const struct sim_avr_stats *sim_avr_get_stats(const struct sim_avr *a)
{
	return &a->stats;
}

const char *sim_avr_error(const struct sim_avr *a)
{
	return a->err;
}

const char *sim_avr_simavr_version(void)
{
	return SYNACK_SIMAVR_VERSION;
}
