/*
 * board.h - the ATmega328P board's peripherals as main.c sees them: the
 * hardware-SPI HAL for the ENC28J60 (spi_hal.c) and the pin map. Arduino
 * Uno/Nano wiring: CS on D10 (PB2, which is also the SPI SS pin and must be
 * an output for the SPI to stay master), MOSI D11 (PB3), MISO D12 (PB4),
 * SCK D13 (PB5).
 */
#ifndef FIRMWARE_AVR_BOARD_H
#define FIRMWARE_AVR_BOARD_H

#include "hal.h"

/* Configures the pins and the SPI master (mode 0, fosc/2 = 8 MHz at
 * 16 MHz) and returns the HAL the driver calls. */
const struct enc_spi_hal *avr_spi_init(void);

#endif /* FIRMWARE_AVR_BOARD_H */
