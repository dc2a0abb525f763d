/*
 * spi_hal.c - struct enc_spi_hal on the ATmega328P hardware SPI: the only
 * path from the driver in core/ to the ENC28J60 on this board.
 *
 * SPI mode 0 (the ENC28J60 samples on the rising edge), MSB first, master,
 * SCK = fosc/2 = 8 MHz with a 16 MHz crystal. One byte then takes 16 CPU
 * cycles, so polling SPIF is cheaper than an interrupt. Chip select is PB2
 * (D10): it is also the SPI SS pin, which must stay an output or a low level
 * on it would drop the SPI out of master mode.
 */
#include <avr/io.h>
#include <util/delay.h>

#include "board.h"

#define CS_BIT _BV(PB2)
#define MOSI_BIT _BV(PB3)
#define MISO_BIT _BV(PB4)
#define SCK_BIT _BV(PB5)

static void spi_select(void *ctx)
{
	(void)ctx;
	PORTB = (uint8_t)(PORTB & (uint8_t)~CS_BIT);
}

static void spi_deselect(void *ctx)
{
	(void)ctx;
	/* SPIF was seen for the last byte, so SCK is idle: the ENC28J60's CS
	 * hold time (210 ns after the last edge for MAC/MII reads) is covered by
	 * the call's own cycles at 16 MHz. */
	PORTB = (uint8_t)(PORTB | CS_BIT);
}

static uint8_t spi_xfer(void *ctx, uint8_t out)
{
	(void)ctx;
	SPDR = out;
	while (!(SPSR & _BV(SPIF))) {
	}
	return SPDR;
}

/* Bursts save a call through the function table per byte: buffer memory
 * reads and writes are most of the SPI traffic of a frame. */
static void spi_read_burst(void *ctx, uint8_t *in, size_t n)
{
	(void)ctx;
	while (n--) {
		SPDR = 0x00;
		while (!(SPSR & _BV(SPIF))) {
		}
		*in++ = SPDR;
	}
}

static void spi_write_burst(void *ctx, const uint8_t *out, size_t n)
{
	(void)ctx;
	while (n--) {
		SPDR = *out++;
		while (!(SPSR & _BV(SPIF))) {
		}
		(void)SPDR; /* reading SPDR after SPIF clears the flag */
	}
}

static void spi_delay_us(void *ctx, uint32_t us)
{
	(void)ctx;
	/* _delay_us() needs a constant argument; loop over fixed steps. The
	 * loop's own overhead only lengthens the wait, and the contract is
	 * "at least". */
	while (us >= 1000u) {
		_delay_ms(1);
		us -= 1000u;
	}
	while (us--) {
		_delay_us(1);
	}
}

static const struct enc_spi_hal avr_spi_hal = {
	.select = spi_select,
	.deselect = spi_deselect,
	.xfer = spi_xfer,
	.read_burst = spi_read_burst,
	.write_burst = spi_write_burst,
	.delay_us = spi_delay_us,
	.ctx = 0,
};

const struct enc_spi_hal *avr_spi_init(void)
{
	/* CS high before it becomes an output, so the chip never sees a
	 * spurious select. */
	PORTB = (uint8_t)(PORTB | CS_BIT);
	DDRB = (uint8_t)(DDRB | CS_BIT | MOSI_BIT | SCK_BIT);
	DDRB = (uint8_t)(DDRB & (uint8_t)~MISO_BIT);
	SPCR = (uint8_t)(_BV(SPE) | _BV(MSTR)); /* mode 0, MSB first, fosc/4 */
	SPSR = (uint8_t)_BV(SPI2X);              /* ... doubled: fosc/2 */
	return &avr_spi_hal;
}
