/*
 * main.c - the ATmega328P image: bring up the clock tick, the status UART
 * and the SPI, then hand over to the shared application (firmware/app/),
 * which runs the ENC28J60 driver and, when present, the stack in core/.
 *
 * Startup (vector table, .data copy, .bss clear) is avr-libc's crt. Time is
 * Timer0 in CTC mode interrupting every millisecond; the status line goes
 * out on USART0 at 115200 baud (U2X, UBRR 16: 2.1 % error, the usual
 * Arduino setting at 16 MHz).
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <util/atomic.h>

#include "board.h"
#include "fw_board.h"

#define UART_BAUD 115200UL
#define UART_UBRR ((F_CPU + 4UL * UART_BAUD) / (8UL * UART_BAUD) - 1UL) /* U2X */

static volatile uint32_t tick_ms;

/* Whatever SRAM held at power-up: not cleared by the crt, so it keeps the
 * cells' random start-up state. Weak entropy, but the ATmega328P has no
 * RNG and the key only needs to differ between boots and boards. */
static uint8_t boot_noise[32] __attribute__((section(".noinit")));

ISR(TIMER0_COMPA_vect)
{
	tick_ms++;
}

static void tick_init(void)
{
	/* 16 MHz / 64 = 250 kHz; CTC at 250 counts = 1 kHz. */
	TCCR0A = (uint8_t)_BV(WGM01);
	TCCR0B = (uint8_t)(_BV(CS01) | _BV(CS00));
	OCR0A = 249;
	TIMSK0 = (uint8_t)_BV(OCIE0A);
}

static uint32_t avr_millis(void)
{
	uint32_t ms;
	/* A 32-bit read is four loads: keep the tick ISR out of the middle. */
	ATOMIC_BLOCK(ATOMIC_RESTORESTATE)
	{
		ms = tick_ms;
	}
	return ms;
}

static void uart_init(void)
{
	UBRR0 = (uint16_t)UART_UBRR;
	UCSR0A = (uint8_t)_BV(U2X0);
	UCSR0B = (uint8_t)_BV(TXEN0);
	UCSR0C = (uint8_t)(_BV(UCSZ01) | _BV(UCSZ00)); /* 8N1 */
}

static void uart_puts(const char *s)
{
	while (*s) {
		while (!(UCSR0A & _BV(UDRE0))) {
		}
		UDR0 = (uint8_t)*s++;
	}
}

static void uart_puts_rom(const char *s)
{
	char c;

	while ((c = (char)pgm_read_byte(s++)) != '\0') {
		while (!(UCSR0A & _BV(UDRE0))) {
		}
		UDR0 = (uint8_t)c;
	}
}

static void boot_key(uint8_t key[16])
{
	/* Fold the 32 power-up bytes into the key; the stack's SipHash does
	 * the mixing. */
	for (uint8_t i = 0; i < 16u; i++) {
		key[i] = (uint8_t)(boot_noise[i] ^ boot_noise[i + 16u]);
	}
	/* A reset that keeps power keeps SRAM too: step the noise so the next
	 * boot's key differs, or its ISNs (the clock restarts at 0) would
	 * repeat this boot's. */
	boot_noise[0]++;
}

int main(void)
{
	struct fw_board board = {
		.name = "avr",
		.millis = avr_millis,
		.puts = uart_puts,
		.puts_rom = uart_puts_rom,
	};

	boot_key(board.isn_key);
	tick_init();
	uart_init();
	board.spi = avr_spi_init();
	sei();
	fw_app_run(&board);
	return 0;
}
