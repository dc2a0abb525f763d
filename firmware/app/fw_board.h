/*
 * fw_board.h - what a firmware board gives the shared application
 * (firmware/app/fw_app.c): the SPI HAL wired to its ENC28J60, a monotonic
 * clock, a status UART and a few bytes of boot entropy. Each board's main.c
 * brings its clocks and peripherals up, fills one of these and hands it to
 * fw_app_run(), so the AVR and STM32 images run the same application code
 * over the same core/ sources the host tests.
 */
#ifndef FIRMWARE_FW_BOARD_H
#define FIRMWARE_FW_BOARD_H

#include <stdint.h>

#include "hal.h"

/* A string literal kept in flash only. On AVR, plain literals are copied
 * to RAM at start-up (the CPU reads flash with a separate instruction), and
 * 2 KB of RAM is worth more than the status texts; elsewhere const data
 * already stays in flash. */
#ifdef __AVR__
#include <avr/pgmspace.h>
#define FW_ROM(s) PSTR(s)
#else
#define FW_ROM(s) (s)
#endif

struct fw_board {
	const char *name;               /* printed in the status line */
	const struct enc_spi_hal *spi;  /* ENC28J60 on this board's SPI */
	/* Milliseconds since reset from the board's tick; wraps after 49 days.
	 * The app widens it to net_time_t (fw_now()): core/ takes time as an
	 * input and never reads a clock itself. */
	uint32_t (*millis)(void);
	/* Blocking write of a NUL-terminated string to the status UART: from
	 * RAM (puts), or a FW_ROM() literal (puts_rom). */
	void (*puts)(const char *s);
	void (*puts_rom)(const char *s);
	/* Boot entropy for the stack's ISN key (RFC 6528 secret). Weak on
	 * parts without an RNG; see each board's main.c for its source. */
	uint8_t isn_key[16];
};

/* The board's time as the stack wants it: nanoseconds since reset, 64-bit
 * so it never wraps. Call at least once per 49 days (the main loop does):
 * it counts the wraps of millis() it sees. */
net_time_t fw_now(const struct fw_board *b);

/* Runs the application forever: bring the ENC28J60 up, then poll. */
void fw_app_run(const struct fw_board *b);

#endif /* FIRMWARE_FW_BOARD_H */
