/*
 * enc.c - the ENC28J60 driver of the seed stack (see enc.h).
 *
 * Memory plan: receive ring 0x0000..0x0BFF, transmit buffer from 0x0C00.
 * Registers are reached with the SPI opcodes of DS39662E Table 4-1 after
 * selecting their bank in ECON1; MAC and MII registers clock out a dummy
 * byte before the data. The register names come from synack's
 * enc28j60_hw.h, which packs address, bank and the dummy-byte flag.
 *
 * This is the seed author's kind of driver, and it has their kind of
 * blemish: after each frame it frees the ring by writing ERXRDPT = the
 * next packet pointer, which is always even. Erratum 14 of DS80349 says
 * ERXRDPT must be odd (NextPacketPtr - 1). It works most of the time,
 * which is why nobody notices; synack's chip model notices, and every run
 * prints the checker's line for it.
 */
#include "enc.h"

#include "enc28j60_hw.h"

#define RXSTART 0x0000u
#define RXSTOP 0x0BFFu
#define TXSTART 0x0C00u
#define MAX_FRAMELEN 1518u

static void cs_low(struct seed_enc *e) { e->spi->select(e->spi->ctx); }
static void cs_high(struct seed_enc *e) { e->spi->deselect(e->spi->ctx); }
static uint8_t spi(struct seed_enc *e, uint8_t b) { return e->spi->xfer(e->spi->ctx, b); }

static uint8_t read_op(struct seed_enc *e, uint8_t op, uint8_t reg)
{
	cs_low(e);
	spi(e, (uint8_t)(op | ENC_REG_ADDR(reg)));
	if (ENC_REG_IS_MACMII(reg))
		spi(e, 0); /* dummy byte */
	uint8_t v = spi(e, 0);
	cs_high(e);
	return v;
}

static void write_op(struct seed_enc *e, uint8_t op, uint8_t reg, uint8_t data)
{
	cs_low(e);
	spi(e, (uint8_t)(op | ENC_REG_ADDR(reg)));
	spi(e, data);
	cs_high(e);
}

static void set_bank(struct seed_enc *e, uint8_t reg)
{
	if (ENC_REG_IS_COMMON(reg) || ENC_REG_BANK(reg) == e->bank)
		return;
	write_op(e, ENC_OP_BFC, ECON1, ECON1_BSEL1 | ECON1_BSEL0);
	write_op(e, ENC_OP_BFS, ECON1, ENC_REG_BANK(reg));
	e->bank = ENC_REG_BANK(reg);
}

static uint8_t read_reg(struct seed_enc *e, uint8_t reg)
{
	set_bank(e, reg);
	return read_op(e, ENC_OP_RCR, reg);
}

static void write_reg(struct seed_enc *e, uint8_t reg, uint8_t v)
{
	set_bank(e, reg);
	write_op(e, ENC_OP_WCR, reg, v);
}

/* Low byte first: the chip latches some pointers on the high byte. */
static void write_reg16(struct seed_enc *e, uint8_t reg_l, uint16_t v)
{
	write_reg(e, reg_l, (uint8_t)(v & 0xFF));
	write_reg(e, (uint8_t)(reg_l + 1), (uint8_t)(v >> 8));
}

static void phy_write(struct seed_enc *e, uint8_t addr, uint16_t v)
{
	write_reg(e, MIREGADR, addr);
	write_reg(e, MIWRL, (uint8_t)(v & 0xFF));
	write_reg(e, MIWRH, (uint8_t)(v >> 8));
	while (read_reg(e, MISTAT) & MISTAT_BUSY)
		e->spi->delay_us(e->spi->ctx, 15);
}

static void read_buffer(struct seed_enc *e, uint8_t *p, uint16_t n)
{
	cs_low(e);
	spi(e, ENC_OP_RBM);
	while (n--)
		*p++ = spi(e, 0);
	cs_high(e);
}

static void write_buffer(struct seed_enc *e, const uint8_t *p, uint16_t n)
{
	cs_low(e);
	spi(e, ENC_OP_WBM);
	while (n--)
		spi(e, *p++);
	cs_high(e);
}

int seed_enc_init(struct seed_enc *e, const struct enc_spi_hal *spi_hal, const uint8_t mac[6])
{
	e->spi = spi_hal;
	e->bank = 0xFF;

	/* Soft reset, then wait for the oscillator. */
	cs_low(e);
	spi(e, ENC_OP_SRC);
	cs_high(e);
	e->spi->delay_us(e->spi->ctx, 1000);
	int tries = 1000;
	while (!(read_reg(e, ESTAT) & ESTAT_CLKRDY)) {
		if (--tries == 0)
			return -1;
		e->spi->delay_us(e->spi->ctx, 10);
	}
	e->bank = 0xFF; /* the reset cleared BSEL */

	/* Receive ring and transmit start. */
	e->next_packet = RXSTART;
	write_reg16(e, ERXSTL, RXSTART);
	write_reg16(e, ERXRDPTL, RXSTART);
	write_reg16(e, ERXNDL, RXSTOP);
	write_reg16(e, ETXSTL, TXSTART);

	/* Unicast to us, broadcast (ARP), good CRC only. */
	write_reg(e, ERXFCON, ERXFCON_UCEN | ERXFCON_CRCEN | ERXFCON_BCEN);

	/* MAC: receive on, pad to 60 bytes and add the CRC, full duplex. */
	write_reg(e, MACON1, MACON1_MARXEN | MACON1_TXPAUS | MACON1_RXPAUS);
	write_reg(e, MACON3, MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN | MACON3_FULDPX);
	write_reg16(e, MAMXFLL, MAX_FRAMELEN);
	write_reg(e, MABBIPG, 0x15);
	write_reg(e, MAIPGL, 0x12);

	/* MAADR1 is the first byte on the wire. */
	write_reg(e, MAADR1, mac[0]);
	write_reg(e, MAADR2, mac[1]);
	write_reg(e, MAADR3, mac[2]);
	write_reg(e, MAADR4, mac[3]);
	write_reg(e, MAADR5, mac[4]);
	write_reg(e, MAADR6, mac[5]);

	phy_write(e, PHCON1, PHCON1_PDPXMD);
	phy_write(e, PHCON2, PHCON2_HDLDIS);

	/* Interrupt on a received packet, then start receiving. */
	write_reg(e, EIE, EIE_INTIE | EIE_PKTIE);
	write_op(e, ENC_OP_BFS, ECON1, ECON1_RXEN);
	return 0;
}

uint16_t seed_enc_receive(struct seed_enc *e, uint8_t *buf, uint16_t max)
{
	uint8_t hdr[6];
	if (read_reg(e, EPKTCNT) == 0)
		return 0;
	write_reg16(e, ERDPTL, e->next_packet);
	read_buffer(e, hdr, sizeof hdr);
	e->next_packet = (uint16_t)(hdr[0] | (hdr[1] << 8));
	uint16_t len = (uint16_t)((hdr[2] | (hdr[3] << 8)) - 4); /* without the CRC */
	uint16_t status = (uint16_t)(hdr[4] | (hdr[5] << 8));
	if (len > max)
		len = max;
	if (!(status & ENC_RSV_RXOK))
		len = 0;
	else
		read_buffer(e, buf, len);
	/* Free the space up to the next packet. */
	write_reg16(e, ERXRDPTL, e->next_packet);
	write_op(e, ENC_OP_BFS, ECON2, ECON2_PKTDEC);
	return len;
}

void seed_enc_send(struct seed_enc *e, const uint8_t *frame, uint16_t len)
{
	static const uint8_t control = 0x00; /* per-packet control: use MACON3 */
	while (read_reg(e, ECON1) & ECON1_TXRTS)
		; /* the previous frame is still going out */
	write_reg16(e, EWRPTL, TXSTART);
	write_buffer(e, &control, 1);
	write_buffer(e, frame, len);
	write_reg16(e, ETXNDL, (uint16_t)(TXSTART + len));
	write_op(e, ENC_OP_BFS, ECON1, ECON1_TXRTS);
}
