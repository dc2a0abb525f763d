/*
 * board.h - the STM32F103 board as main.c sees it ("blue pill" class part,
 * 64 KB flash, 20 KB RAM). SYSCLK is 64 MHz from the internal HSI through
 * the PLL (HSI/2 x 16): no dependency on a crystal being fitted, and the
 * highest HSI-based clock. APB2 (SPI1, USART1) runs at 64 MHz, APB1 at
 * 32 MHz (its timers at 64 MHz).
 *   ENC28J60 on SPI1: CS PA4, SCK PA5, MISO PA6, MOSI PA7
 *   ENC28J60 INT:     PA3 (EXTI3, falling edge), beside CS on the header
 *   USART1:           TX PA9, RX PA10, 115200 8N1
 */
#ifndef FIRMWARE_STM32_BOARD_H
#define FIRMWARE_STM32_BOARD_H

#include <stdbool.h>

#include "hal.h"

#define BOARD_SYSCLK_HZ 64000000u

/* Configures PA4-PA7 and SPI1 (master, mode 0, 64 MHz / 8 = 8 MHz) and
 * the DWT cycle counter delay_us() uses; returns the driver's HAL. */
const struct enc_spi_hal *stm32_spi_init(void);

/* Interrupt-driven USART1 (uart.c). */
void stm32_uart_init(void);
void stm32_uart_putc(char c);
int stm32_uart_getc(void);
bool stm32_uart_rx_ready(void);

/* Interrupt handlers, named in the vector table (startup.c). */
void TIM2_IRQHandler(void);
void EXTI3_IRQHandler(void);
void USART1_IRQHandler(void);

#endif /* FIRMWARE_STM32_BOARD_H */
