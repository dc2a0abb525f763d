/*
 * board.h - the ATmega328P board's peripherals as main.c sees them, with
 * the pin map of an Arduino Uno/Nano and the usual ENC28J60 module:
 *   CS   D10 PB2  (also the SPI SS pin: it must stay an output for the SPI
 *                  to stay master)
 *   MOSI D11 PB3, MISO D12 PB4, SCK D13 PB5   hardware SPI, fosc/2 = 8 MHz
 *   INT  D2  PD2  INT0, falling edge (the chip's INT is active low)
 *   UART D0 PD0 RXD, D1 PD1 TXD   USART0, 115200 8N1
 */
#ifndef FIRMWARE_AVR_BOARD_H
#define FIRMWARE_AVR_BOARD_H

#include <stdbool.h>

#include "hal.h"

/* Configures the pins and the SPI master (mode 0, fosc/2 = 8 MHz at
 * 16 MHz) and returns the HAL the driver calls. */
const struct enc_spi_hal *avr_spi_init(void);

/* Interrupt-driven USART0 (uart.c). */
void avr_uart_init(void);
void avr_uart_putc(char c);
int avr_uart_getc(void);
bool avr_uart_rx_ready(void);

#endif /* FIRMWARE_AVR_BOARD_H */
