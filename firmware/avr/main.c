/*
 * main.c - the ATmega328P image: the clock, the sleep, the UART and the SPI
 * (board.h has the pin map), then hand over to the shared application
 * (firmware/app/), which runs the ENC28J60 driver and the stack in core/.
 *
 * Startup (vector table, .data copy, .bss clear) is avr-libc's crt.
 *
 * Time is Timer1 counting clk/256 = 62.5 kHz (16 us a tick) from reset;
 * its overflow (every 1.048576 s) is counted in an interrupt. The stack
 * takes 32-bit microseconds (NET_TIME_BITS 32), which wrap every 71.6
 * minutes; it compares them wrap-safe and never asks to sleep longer
 * than 30 minutes.
 *
 * Sleep: the main loop calls avr_sleep_until(deadline) whenever the stack
 * has nothing to do before `deadline`. The CPU then idles (SLEEP, idle
 * mode: timers, SPI and USART keep running) until one of
 *   - the ENC28J60's INT (PD2, INT0 on the falling edge),
 *   - a byte on the UART (RX complete),
 *   - the deadline (Timer1 compare A, armed when the deadline falls within
 *     one timer period; otherwise the next overflow wakes it to look again).
 * The edge-triggered INT0 alone could miss a chip that is still asserting
 * INT from before, so the pin's level is checked with interrupts off right
 * before sleeping: SEI's one-instruction delay makes "sei; sleep" atomic, an
 * interrupt raised in between wakes the SLEEP at once.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>

#include "board.h"
#include "fw_board.h"

#define TICK_US 16u       /* clk/256 at 16 MHz */
#define INT_BIT _BV(PD2)  /* ENC28J60 INT, active low */

#if NET_TIME_BITS != 32
#error "avr_now() and avr_sleep_until() take 32-bit microseconds (NET_TIME_BITS 32)"
#endif
#if F_CPU != 16000000UL
#error "TICK_US assumes a 16 MHz clock"
#endif

static volatile uint32_t t1_overflows;

/* Whatever SRAM held at power-up: not cleared by the crt, so it keeps the
 * cells' random start-up state. Weak entropy, but the ATmega328P has no
 * RNG and the key only needs to differ between boots and boards. */
static uint8_t boot_noise[32] __attribute__((section(".noinit")));

ISR(TIMER1_OVF_vect)
{
	t1_overflows++;
}

/* Both only wake the CPU; the main loop looks at what changed. */
EMPTY_INTERRUPT(TIMER1_COMPA_vect);
EMPTY_INTERRUPT(INT0_vect);

static void clock_init(void)
{
	TCCR1A = 0;
	TCCR1B = (uint8_t)_BV(CS12); /* clk/256, normal mode */
	TIMSK1 = (uint8_t)_BV(TOIE1);
}

/* Ticks since reset as overflows (hi) and TCNT1 (lo). An overflow the
 * interrupt has not counted yet (TOV1 set while interrupts are off) is
 * added when TCNT1 has already wrapped. */
static void ticks_split(uint32_t *hi, uint16_t *lo)
{
	uint8_t sreg = SREG;

	cli();
	*lo = TCNT1;
	*hi = t1_overflows;
	if ((TIFR1 & _BV(TOV1)) && *lo < 0x8000u)
		(*hi)++;
	SREG = sreg;
}

/* Ticks since reset, mod 2^32 (wraps after 19 hours; the stack's
 * microseconds, 16 to a tick, wrap with it every 71.6 minutes). */
static uint32_t ticks(void)
{
	uint32_t hi;
	uint16_t lo;

	ticks_split(&hi, &lo);
	return (hi << 16) | lo;
}

/* Microseconds since reset, mod 2^32: net_time_t with NET_TIME_BITS 32
 * (core/net/net_time.h, the AVR default), a shift of the ticks. */
static net_time_t avr_now(void)
{
	return ticks() * TICK_US;
}

static void int_init(void)
{
	DDRD = (uint8_t)(DDRD & (uint8_t)~INT_BIT);
	PORTD = (uint8_t)(PORTD | INT_BIT); /* pull-up: no spurious wake with no module */
	EICRA = (uint8_t)_BV(ISC01);         /* falling edge */
	EIFR = (uint8_t)_BV(INTF0);
	EIMSK = (uint8_t)_BV(INT0);
}

static bool avr_chip_int(void)
{
	return !(PIND & INT_BIT);
}

static void avr_sleep_until(net_time_t deadline)
{
	bool armed = false;

	if (deadline != NET_TIME_NEVER) {
		uint32_t t = ticks(), left;
		/* Microseconds to go, signed: the stack's deadlines are at most
		 * NET_TIME_MAX_MS ahead, well inside half the wrap. */
		int32_t us = (int32_t)(deadline - t * TICK_US);

		if (us <= (int32_t)TICK_US)
			return; /* due (or too close to arm a compare safely) */
		left = ((uint32_t)us + TICK_US - 1u) / TICK_US; /* ticks, rounded up */
		if (left < 0xFF00) {
			OCR1A = (uint16_t)(t + (uint32_t)left);
			TIFR1 = (uint8_t)_BV(OCF1A);
			TIMSK1 = (uint8_t)(TIMSK1 | _BV(OCIE1A));
			armed = true;
		}
	}
	cli();
	if (!(PIND & INT_BIT) || avr_uart_rx_ready() || (armed && (TIFR1 & _BV(OCF1A)))) {
		sei();
	} else {
		SMCR = (uint8_t)_BV(SE); /* SM2:0 = 000: idle */
		sei();
		sleep_cpu();
		SMCR = 0;
	}
	TIMSK1 = (uint8_t)(TIMSK1 & (uint8_t)~_BV(OCIE1A));
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
		.now = avr_now,
		.sleep_until = avr_sleep_until,
		.chip_int = avr_chip_int,
		.putc = avr_uart_putc,
		.getc = avr_uart_getc,
	};

	boot_key(board.isn_key);
	clock_init();
	avr_uart_init();
	int_init();
	board.spi = avr_spi_init();
	sei();
	fw_app_run(&board);
	return 0;
}
