/*
 * enc.h - a small ENC28J60 driver, written from the datasheet the way a
 * hobby project does it: one receive ring, one transmit buffer, polled
 * SPI opcodes, no DMA, no errata workarounds.
 *
 * It talks to the chip only through struct enc_spi_hal (synack's hal.h),
 * which is what the MCU's SPI peripheral would be on a real board.
 */
#ifndef SEED_ENC_H
#define SEED_ENC_H

#include <stdint.h>

#include "hal.h"

struct seed_enc {
	const struct enc_spi_hal *spi;
	uint8_t bank;          /* the bank ECON1.BSEL selects, 0xFF = unknown */
	uint16_t next_packet;  /* where the next received frame starts */
};

/* Reset and configure the chip; returns 0, or -1 if CLKRDY never came. */
int seed_enc_init(struct seed_enc *e, const struct enc_spi_hal *spi, const uint8_t mac[6]);
/* Copy the next received frame (without its CRC) into buf; returns its
 * length, or 0 when none is waiting. */
uint16_t seed_enc_receive(struct seed_enc *e, uint8_t *buf, uint16_t max);
/* Send one Ethernet frame (the chip pads it and appends the CRC). */
void seed_enc_send(struct seed_enc *e, const uint8_t *frame, uint16_t len);

#endif
