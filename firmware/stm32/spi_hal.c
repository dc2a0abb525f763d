/*
 * spi_hal.c - struct enc_spi_hal on the STM32F103's SPI1: the only path
 * from the driver in core/ to the ENC28J60 on this board.
 *
 * Master, mode 0, MSB first, 8-bit frames, 64 MHz / 8 = 8 MHz (the same
 * clock as the AVR image; the ENC28J60 allows 20 MHz, but the lower rate
 * keeps signal integrity on jumper-wired modules). Chip select is a plain
 * GPIO (PA4) driven by software (SSM/SSI), because the driver frames every
 * command with its own select/deselect pair. Delays count DWT cycles.
 */
#include "board.h"
#include "stm32f103.h"

#define CS_PIN 4u

static void spi_select(void *ctx)
{
	(void)ctx;
	GPIOA_BRR = 1u << CS_PIN;
}

static void spi_deselect(void *ctx)
{
	(void)ctx;
	/* RXNE for the last byte can come before SCK has finished its last
	 * half-cycle: wait for BSY to clear so CS never rises mid-byte. */
	while (SPI1_SR & SPI_SR_BSY) {
	}
	GPIOA_BSRR = 1u << CS_PIN;
}

static uint8_t spi_xfer(void *ctx, uint8_t out)
{
	(void)ctx;
	while (!(SPI1_SR & SPI_SR_TXE)) {
	}
	SPI1_DR = out;
	while (!(SPI1_SR & SPI_SR_RXNE)) {
	}
	return (uint8_t)SPI1_DR;
}

static void spi_read_burst(void *ctx, uint8_t *in, size_t n)
{
	while (n--) {
		*in++ = spi_xfer(ctx, 0x00);
	}
}

static void spi_write_burst(void *ctx, const uint8_t *out, size_t n)
{
	while (n--) {
		(void)spi_xfer(ctx, *out++);
	}
}

static void spi_delay_us(void *ctx, uint32_t us)
{
	(void)ctx;
	/* Millisecond steps keep the cycle count far from 2^32 whatever `us`
	 * is asked for; the unsigned difference survives CYCCNT wrapping. */
	while (us > 0u) {
		uint32_t step = us > 1000u ? 1000u : us;
		uint32_t cycles = step * (BOARD_SYSCLK_HZ / 1000000u);
		uint32_t start = DWT_CYCCNT;

		while (DWT_CYCCNT - start < cycles) {
		}
		us -= step;
	}
}

static const struct enc_spi_hal stm32_spi_hal = {
	.select = spi_select,
	.deselect = spi_deselect,
	.xfer = spi_xfer,
	.read_burst = spi_read_burst,
	.write_burst = spi_write_burst,
	.delay_us = spi_delay_us,
	.ctx = 0,
};

const struct enc_spi_hal *stm32_spi_init(void)
{
	uint32_t crl;

	RCC_APB2ENR |= RCC_APB2ENR_IOPAEN | RCC_APB2ENR_AFIOEN | RCC_APB2ENR_SPI1EN;
	/* CS high before the pin becomes an output: no spurious select. */
	GPIOA_BSRR = 1u << CS_PIN;
	crl = GPIOA_CRL;
	crl &= ~((0xFu << GPIO_CFG_SHIFT(4u)) | (0xFu << GPIO_CFG_SHIFT(5u)) |
		 (0xFu << GPIO_CFG_SHIFT(6u)) | (0xFu << GPIO_CFG_SHIFT(7u)));
	crl |= (GPIO_CFG_OUT_PP_50MHZ << GPIO_CFG_SHIFT(4u)) | /* CS */
	       (GPIO_CFG_AF_PP_50MHZ << GPIO_CFG_SHIFT(5u)) |  /* SCK */
	       (GPIO_CFG_IN_FLOATING << GPIO_CFG_SHIFT(6u)) |  /* MISO */
	       (GPIO_CFG_AF_PP_50MHZ << GPIO_CFG_SHIFT(7u));   /* MOSI */
	GPIOA_CRL = crl;
	/* Software NSS held high (SSM+SSI), or the SPI drops out of master
	 * mode (MODF) since PA4 is ours, not the SPI's. */
	SPI1_CR1 = SPI_CR1_MSTR | SPI_CR1_BR(2u) | SPI_CR1_SSM | SPI_CR1_SSI;
	SPI1_CR1 |= SPI_CR1_SPE;

	DEMCR |= DEMCR_TRCENA;
	DWT_CYCCNT = 0;
	DWT_CTRL |= DWT_CTRL_CYCCNTENA;
	return &stm32_spi_hal;
}
