/*
 * uart.c - USART0 at 115200 baud 8N1 (U2X, UBRR 16: 2.1 % error, the usual
 * Arduino setting at 16 MHz), driven by interrupts so the main loop never
 * waits for the wire: received bytes go into a small ring the agent reads
 * (avr_uart_getc), transmitted ones come from a ring the data-register-empty
 * interrupt drains. A byte arriving wakes the CPU from its idle sleep
 * (main.c), as a frame on the ENC28J60's INT does.
 *
 * The rings are single-producer single-consumer with 8-bit indices, so
 * neither side needs to block interrupts to read the other's index.
 */
#include <avr/interrupt.h>
#include <avr/io.h>

#include "board.h"

#define UART_BAUD 115200UL
#define UART_UBRR ((F_CPU + 4UL * UART_BAUD) / (8UL * UART_BAUD) - 1UL) /* U2X */
#define RX_SIZE 32u /* powers of two */
#define TX_SIZE 64u

static volatile uint8_t rx_buf[RX_SIZE], tx_buf[TX_SIZE];
static volatile uint8_t rx_head, rx_tail, tx_head, tx_tail;

ISR(USART_RX_vect)
{
	uint8_t c = UDR0;
	uint8_t next = (uint8_t)((rx_head + 1u) & (RX_SIZE - 1u));

	if (next != rx_tail) { /* full: the byte is lost, the agent sees a bad line */
		rx_buf[rx_head] = c;
		rx_head = next;
	}
}

ISR(USART_UDRE_vect)
{
	if (tx_tail == tx_head) {
		UCSR0B = (uint8_t)(UCSR0B & (uint8_t)~_BV(UDRIE0));
		return;
	}
	UDR0 = tx_buf[tx_tail];
	tx_tail = (uint8_t)((tx_tail + 1u) & (TX_SIZE - 1u));
}

void avr_uart_init(void)
{
	/* U2X before the divisor: the silicon does not care, but simavr
	 * derives its character time when UBRR0L is written. */
	UCSR0A = (uint8_t)_BV(U2X0);
	UBRR0 = (uint16_t)UART_UBRR;
	UCSR0C = (uint8_t)(_BV(UCSZ01) | _BV(UCSZ00)); /* 8N1 */
	UCSR0B = (uint8_t)(_BV(TXEN0) | _BV(RXEN0) | _BV(RXCIE0));
}

void avr_uart_putc(char c)
{
	uint8_t next = (uint8_t)((tx_head + 1u) & (TX_SIZE - 1u));

	while (next == tx_tail) {
		/* Full: the interrupt makes room (interrupts are on after
		 * main()'s sei(), before anything is printed). */
	}
	tx_buf[tx_head] = (uint8_t)c;
	tx_head = next;
	UCSR0B = (uint8_t)(UCSR0B | _BV(UDRIE0));
}

int avr_uart_getc(void)
{
	uint8_t c;

	if (rx_tail == rx_head)
		return -1;
	c = rx_buf[rx_tail];
	rx_tail = (uint8_t)((rx_tail + 1u) & (RX_SIZE - 1u));
	return c;
}

bool avr_uart_rx_ready(void)
{
	return rx_tail != rx_head;
}
