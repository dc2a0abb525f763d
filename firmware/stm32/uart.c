/*
 * uart.c - USART1 at 115200 baud 8N1 on PA9 (TX) / PA10 (RX), interrupt
 * driven as on the AVR image: received bytes go into a small ring the agent
 * reads, transmitted ones come from a ring the TXE interrupt drains, and a
 * byte arriving wakes the CPU from WFI (main.c).
 *
 * Single-producer single-consumer rings with 8-bit indices: neither side
 * needs to mask interrupts to read the other's index.
 */
#include "board.h"
#include "stm32f103.h"

#define UART_BAUD 115200u
#define RX_SIZE 32u /* powers of two */
#define TX_SIZE 64u

static volatile uint8_t rx_buf[RX_SIZE], tx_buf[TX_SIZE];
static volatile uint8_t rx_head, rx_tail, tx_head, tx_tail;

void USART1_IRQHandler(void)
{
	uint32_t sr = USART1_SR;

	if (sr & (USART_SR_RXNE | USART_SR_ORE)) {
		/* Reading DR clears RXNE, and ORE after the SR read above. */
		uint8_t c = (uint8_t)USART1_DR;
		uint8_t next = (uint8_t)((rx_head + 1u) & (RX_SIZE - 1u));

		if (next != rx_tail) {
			rx_buf[rx_head] = c;
			rx_head = next;
		}
	}
	if ((sr & USART_SR_TXE) && (USART1_CR1 & USART_CR1_TXEIE)) {
		if (tx_tail == tx_head) {
			USART1_CR1 &= ~USART_CR1_TXEIE;
		} else {
			USART1_DR = tx_buf[tx_tail];
			tx_tail = (uint8_t)((tx_tail + 1u) & (TX_SIZE - 1u));
		}
	}
}

void stm32_uart_init(void)
{
	uint32_t crh;

	RCC_APB2ENR |= RCC_APB2ENR_IOPAEN | RCC_APB2ENR_USART1EN;
	crh = GPIOA_CRH & ~((0xFu << GPIO_CFG_SHIFT(9u)) | (0xFu << GPIO_CFG_SHIFT(10u)));
	GPIOA_CRH = crh | (GPIO_CFG_AF_PP_50MHZ << GPIO_CFG_SHIFT(9u)) | /* TX */
		    (GPIO_CFG_IN_PULL << GPIO_CFG_SHIFT(10u));         /* RX, pulled up */
	GPIOA_BSRR = 1u << 10;
	/* BRR is fPCLK2 / baud in 1/16ths: 64e6 / 115200 = 555.6 -> 556. */
	USART1_BRR = (BOARD_SYSCLK_HZ + UART_BAUD / 2u) / UART_BAUD;
	USART1_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
	NVIC_ISER1 = 1u << (IRQ_USART1 - 32u);
}

void stm32_uart_putc(char c)
{
	uint8_t next = (uint8_t)((tx_head + 1u) & (TX_SIZE - 1u));

	while (next == tx_tail) {
		/* full: the TXE interrupt makes room */
	}
	tx_buf[tx_head] = (uint8_t)c;
	tx_head = next;
	USART1_CR1 |= USART_CR1_TXEIE;
}

int stm32_uart_getc(void)
{
	uint8_t c;

	if (rx_tail == rx_head)
		return -1;
	c = rx_buf[rx_tail];
	rx_tail = (uint8_t)((rx_tail + 1u) & (RX_SIZE - 1u));
	return c;
}

bool stm32_uart_rx_ready(void)
{
	return rx_tail != rx_head;
}
