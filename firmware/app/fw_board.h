/*
 * fw_board.h - what a firmware board gives the shared application
 * (firmware/app/): the SPI HAL wired to its ENC28J60, a clock, a way to
 * sleep until something happens, the UART and a few bytes of boot entropy.
 * Each board's main.c brings its clocks and peripherals up, fills one of
 * these and hands it to fw_app_run(), so the AVR and STM32 images run the
 * same application code over the same core/ sources the host tests.
 *
 *   main.c -> fw_app_run(board) -> loop { net_poll(now) ; agent ; sleep_until(next) }
 */
#ifndef FIRMWARE_FW_BOARD_H
#define FIRMWARE_FW_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"

/* A string literal kept in flash only. On AVR, plain literals are copied
 * to RAM at start-up (the CPU reads flash with a separate instruction), and
 * 2 KB of RAM is worth more than the status texts; elsewhere const data
 * already stays in flash. */
#ifdef __AVR__
#include <avr/pgmspace.h>
#define FW_ROM(s) PSTR(s)
#define FW_ROM_BYTE(p) pgm_read_byte(p)
#else
#define FW_ROM(s) (s)
#define FW_ROM_BYTE(p) (*(const uint8_t *)(p))
#endif

struct fw_board {
	const char *name;               /* printed in the status line */
	const struct enc_spi_hal *spi;  /* ENC28J60 on this board's SPI */
	/* Time since reset from the board's timer, as net_time_t: 64-bit
	 * nanoseconds that never wrap, or 32-bit microseconds that wrap
	 * (NET_TIME_BITS 32, the AVR's; compare with NET_TIME_BEFORE).
	 * core/ takes time as an input and never reads a clock. */
	net_time_t (*now)(void);
	/* Sleep (CPU idle, peripherals running) until the ENC28J60's INT pin
	 * is asserted, a byte arrives on the UART, or `deadline` (a now()
	 * value; NET_TIME_NEVER = none). Returns at once if one of them is
	 * already true, so a main loop cannot miss a wake-up between its last
	 * look and the sleep. */
	void (*sleep_until)(net_time_t deadline);
	/* Whether the ENC28J60's INT pin is asserted (low) now. */
	bool (*chip_int)(void);
	/* The UART, interrupt driven. putc queues one byte and blocks only
	 * while the transmit buffer is full; getc returns the next received
	 * byte or -1. */
	void (*putc)(char c);
	int (*getc)(void);
	/* Boot entropy for the stack's ISN key (RFC 6528 secret). Weak on
	 * parts without an RNG; see each board's main.c for its source. */
	uint8_t isn_key[16];
};

/* Runs the application forever: bring the ENC28J60 up, then serve. */
void fw_app_run(const struct fw_board *b);

#endif /* FIRMWARE_FW_BOARD_H */
