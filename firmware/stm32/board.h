/*
 * board.h - the STM32F103 board as main.c sees it ("blue pill" class part,
 * 64 KB flash, 20 KB RAM). SYSCLK is 64 MHz from the internal HSI through
 * the PLL (HSI/2 x 16): no dependency on a crystal being fitted, and the
 * highest HSI-based clock. APB2 (SPI1, USART1) runs at 64 MHz.
 * ENC28J60 on SPI1: CS PA4, SCK PA5, MISO PA6, MOSI PA7. Status UART on
 * USART1 TX PA9.
 */
#ifndef FIRMWARE_STM32_BOARD_H
#define FIRMWARE_STM32_BOARD_H

#include "hal.h"

#define BOARD_SYSCLK_HZ 64000000u

/* Configures PA4-PA7 and SPI1 (master, mode 0, 64 MHz / 8 = 8 MHz) and
 * the DWT cycle counter delay_us() uses; returns the driver's HAL. */
const struct enc_spi_hal *stm32_spi_init(void);

/* Called from the vector table (startup.c); defined in main.c. */
void SysTick_Handler(void);

#endif /* FIRMWARE_STM32_BOARD_H */
