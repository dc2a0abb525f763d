/*
 * avr_host.h - an ATmega328P firmware image (the exact ELF) running in
 * simavr (libsimavr 1.6) on a simulated board: the ENC28J60 model on its
 * hardware SPI pins and chip select, the chip's INT on PD2, its wire on a
 * sim_link, its UART to the host. The conformance engine's
 * `--dut avr:IMAGE.elf` adapter and `synack serve --firmware` build on it.
 *
 *   sim_link <──frames──> enc_model <──SPI (SPDR, PB2 = CS)── simavr core
 *                            └──INT──> PD2 (INT0)               │
 *   host <──UART bytes (USART0, at the baud rate the image sets)┘
 *
 * Time. The AVR's cycle counter is the board's clock: a byte of SPI, an
 * instruction, a sleep all take the cycles they take on silicon at
 * f_cpu (16 MHz), and the ENC28J60 model sees the cycle time of each access
 * as `now`. sim_avr_run_until() co-simulates the AVR and the discrete-event
 * kernel (sim.h): it runs the AVR up to the next kernel event or model
 * deadline, delivers what is due (frames from the link, TX completion,
 * INT), and repeats; the AVR never sleeps past an event, and a sleeping
 * AVR costs no instructions, so an idle two-minute TIME-WAIT takes
 * milliseconds of wall time. Nothing reads a wall clock: the same image,
 * seed and inputs give the same cycles, frames and bytes.
 *
 * SPI timing. simavr 1.6 completes every SPI byte 100 us after the SPDR
 * write, whatever SPCR/SPSR say (its avr_spi.c: "should be speed
 * dependent"): 1,600 cycles a byte instead of 16 at fosc/2. The host takes
 * SPDR writes over from simavr's SPI module and completes each byte after
 * 8 x the divisor SPCR.SPR1:0 and SPSR.SPI2X select (16 cycles at fosc/2),
 * handing the byte to the model then and raising SPIF with the model's
 * reply in SPDR through the module's own input (reads and the SPI
 * interrupt stay simavr's).
 *
 * Power-up. SRAM starts with bytes drawn from the run's seed (random
 * stream "<name>.sram"), as silicon starts with noise: the image's ISN key
 * comes from it (firmware/avr/main.c), so a seed picks the ISNs.
 *
 * One host per board; several may share a simulation. Free a host after
 * sim_free(), as a sim_board (the link's queue may name its port).
 */
#ifndef SIM_AVR_HOST_H
#define SIM_AVR_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60_model.h"
#include "fw_image.h"
#include "link.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_AVR_MCU "atmega328p"
#define SIM_AVR_F_CPU 16000000u

struct sim_avr_config {
	const char *name;            /* random stream names; NULL = "avr" */
	struct model_config model;   /* the chip (seed 0 = derived from the run seed) */
	uint32_t f_cpu;              /* 0 = SIM_AVR_F_CPU */
	/* A byte the image sent on its UART, at the time its stop bit ended. */
	void (*uart_out)(void *ctx, uint8_t byte, uint64_t now);
	void *ctx;
};

struct sim_avr_stats {
	uint64_t cycles;          /* since power-on */
	uint64_t instructions;    /* simavr steps while running */
	uint64_t sleep_cycles;    /* cycles spent in SLEEP */
	uint64_t spi_bytes;
	uint64_t spi_selects;     /* CS falling edges */
	uint64_t int_edges;       /* INT asserted (PD2 falling) */
	uint64_t uart_in, uart_out;
	uint64_t frames_in, frames_out;
};

struct sim_avr;

/* Power on `img` (an AVR ELF, fw_image_read_elf) at the simulation's
 * current time. Returns NULL with the reason in err (not an AVR image,
 * larger than the part's flash, out of memory). */
struct sim_avr *sim_avr_new(struct sim *s, const struct fw_image *img, const struct sim_avr_config *cfg,
			    char *err, size_t errcap);
void sim_avr_free(struct sim_avr *a);
/* Attach the chip's wire to a link. Returns 0, or -1 (link full). */
int sim_avr_connect(struct sim_avr *a, struct sim_link *l);

/* Run the AVR and the simulation until absolute time `until` (ns), or
 * until a callback calls sim_avr_stop(). Returns 0, or -1 when the CPU
 * stopped (crashed, or slept with interrupts off): sim_avr_error() says
 * why, and the host stays stopped. */
int sim_avr_run_until(struct sim_avr *a, uint64_t until);
/* From a callback (uart_out, a link port): return from sim_avr_run_until()
 * after the current instruction. */
void sim_avr_stop(struct sim_avr *a);

/* Bytes into the image's UART receiver; they arrive one per character
 * time at the baud rate the image configured. Returns 0, or -1 when the
 * host's queue (64 KB) is full. */
int sim_avr_uart_send(struct sim_avr *a, const uint8_t *p, size_t n);

/* The AVR's clock (absolute ns, on the simulation's time base). */
uint64_t sim_avr_now(const struct sim_avr *a);
struct enc_model *sim_avr_model(struct sim_avr *a);
/* The chip's port on the link (NULL before sim_avr_connect). */
struct sim_port *sim_avr_port(struct sim_avr *a);
const struct sim_avr_stats *sim_avr_get_stats(const struct sim_avr *a);
/* Why the CPU stopped ("" while it runs). */
const char *sim_avr_error(const struct sim_avr *a);
/* The installed simavr's version (the Debian package's, else "1.6"). */
const char *sim_avr_simavr_version(void);

#ifdef __cplusplus
}
#endif
#endif /* SIM_AVR_HOST_H */
