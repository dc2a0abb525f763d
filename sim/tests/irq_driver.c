/*
 * irq_driver.c - the second ENC28J60 driver (see irq_driver.h): register
 * access with a bank switch per access, bring-up, the interrupt handler,
 * receive and transmit. Only spi_select/spi_transfer/spi_transfer_buf/
 * spi_deselect/delay_us reach the chip. Register names and bits come from
 * core/enc28j60/enc28j60_hw.h, the datasheet's names.
 *
 * Call chains: irqdrv_init -> reset, ring, MAC, PHY, interrupts;
 * irqdrv_isr -> EIR loop -> recv_one (while EPKTCNT) / TX flags / PHIR;
 * irqdrv_send -> WBM at IRQDRV_TX_START -> TXRTS.
 */
#include "irq_driver.h"

#include <string.h>

#include "enc28j60_hw.h"

#define POLL_MAX 1000u

/* ---- Registers: bank switched on every access (BFC then BFS) ---- */

static void op(uint8_t opcode, uint8_t arg)
{
	spi_select();
	(void)spi_transfer(opcode);
	(void)spi_transfer(arg);
	spi_deselect();
}

static void bank(enc_reg_t r)
{
	if (ENC_REG_IS_COMMON(r))
		return;
	op((uint8_t)(ENC_OP_BFC | ENC_REG_ADDR(ECON1)), ECON1_BSEL_MASK);
	if (ENC_REG_BANK(r) != 0u)
		op((uint8_t)(ENC_OP_BFS | ENC_REG_ADDR(ECON1)), ENC_REG_BANK(r));
}

static uint8_t rcr(enc_reg_t r)
{
	uint8_t v;
	bank(r);
	spi_select();
	(void)spi_transfer((uint8_t)(ENC_OP_RCR | ENC_REG_ADDR(r)));
	if (ENC_REG_IS_MACMII(r))
		(void)spi_transfer(0x00); /* MAC/MII registers: a dummy byte first */
	v = spi_transfer(0x00);
	spi_deselect();
	return v;
}

static void wcr(enc_reg_t r, uint8_t v)
{
	bank(r);
	op((uint8_t)(ENC_OP_WCR | ENC_REG_ADDR(r)), v);
}

/* BFS/BFC: ETH registers only (DS39662E 4.2.5). */
static void bfs(enc_reg_t r, uint8_t mask)
{
	bank(r);
	op((uint8_t)(ENC_OP_BFS | ENC_REG_ADDR(r)), mask);
}

static void bfc(enc_reg_t r, uint8_t mask)
{
	bank(r);
	op((uint8_t)(ENC_OP_BFC | ENC_REG_ADDR(r)), mask);
}

static void wcr16(enc_reg_t lo, uint16_t v)
{
	wcr(lo, (uint8_t)v);
	wcr((enc_reg_t)(lo + 1u), (uint8_t)(v >> 8));
}

static int mii_wait(void)
{
	for (unsigned i = 0; i < POLL_MAX; i++) {
		delay_us(1);
		if ((rcr(MISTAT) & MISTAT_BUSY) == 0u)
			return 0;
	}
	return -1;
}

static uint16_t phy_read(uint8_t reg)
{
	wcr(MIREGADR, reg);
	wcr(MICMD, MICMD_MIIRD);
	(void)mii_wait();
	wcr(MICMD, 0x00);
	return (uint16_t)(rcr(MIRDL) | (rcr(MIRDH) << 8));
}

static void phy_write(uint8_t reg, uint16_t v)
{
	wcr(MIREGADR, reg);
	wcr(MIWRL, (uint8_t)v);
	wcr(MIWRH, (uint8_t)(v >> 8));
	(void)mii_wait();
}

static void rbm(uint16_t at, uint8_t *p, uint16_t n)
{
	wcr16(ERDPTL, at);
	spi_select();
	(void)spi_transfer(ENC_OP_RBM);
	spi_transfer_buf(NULL, p, n);
	spi_deselect();
}

/* ---- Bring-up ---- */

int irqdrv_init(struct irqdrv *d, const uint8_t mac[6])
{
	unsigned i;

	d->next = 0;
	d->tx_busy = false;
	memcpy(d->mac, mac, 6);
	spi_select();
	(void)spi_transfer(ENC_OP_SRC);
	spi_deselect();
	delay_us(2000); /* erratum 2: CLKRDY may be early; wait, then check */
	for (i = 0; i < POLL_MAX && (rcr(ESTAT) & ESTAT_CLKRDY) == 0u; i++)
		delay_us(10);
	if (i == POLL_MAX)
		return -1;
	/* Ring at 0 (erratum 5), ERXRDPT odd (erratum 14). */
	wcr16(ERXSTL, 0x0000);
	wcr16(ERXNDL, IRQDRV_RX_END);
	wcr16(ERXRDPTL, IRQDRV_RX_END);
	wcr16(ETXSTL, IRQDRV_TX_START);
	wcr(ERXFCON, ERXFCON_UCEN | ERXFCON_CRCEN | ERXFCON_BCEN);
	/* MAC and PHY both full duplex (DS39662E 6.6). */
	wcr(MACON1, MACON1_MARXEN | MACON1_TXPAUS | MACON1_RXPAUS);
	wcr(MACON3, MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN | MACON3_FULDPX);
	wcr(MABBIPG, 0x15);
	wcr(MAIPGL, 0x12);
	wcr16(MAMXFLL, ENC_ETH_MAX_FRAME);
	wcr(MAADR1, mac[0]);
	wcr(MAADR2, mac[1]);
	wcr(MAADR3, mac[2]);
	wcr(MAADR4, mac[3]);
	wcr(MAADR5, mac[4]);
	wcr(MAADR6, mac[5]);
	phy_write(PHCON1, PHCON1_PDPXMD);
	phy_write(PHIE, PHIE_PGEIE | PHIE_PLNKIE);
	(void)phy_read(PHIR);
	bfc(EIR, EIR_PKTIF | EIR_DMAIF | EIR_LINKIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF);
	bfs(EIE, EIE_INTIE | EIE_PKTIE | EIE_LINKIE | EIE_TXIE | EIE_TXERIE | EIE_RXERIE);
	bfs(ECON1, ECON1_RXEN);
	return 0;
}

/* ---- Receive ---- */

/* The packet at d->next: header, frame, release (ERXRDPT odd, PKTDEC). */
static void recv_one(struct irqdrv *d)
{
	uint8_t hdr[ENC_RXHDR_LEN];
	uint16_t count, status, len;

	rbm(d->next, hdr, ENC_RXHDR_LEN);
	d->next = (uint16_t)(hdr[ENC_RXHDR_NEXT] | (hdr[ENC_RXHDR_NEXT + 1] << 8));
	count = (uint16_t)(hdr[ENC_RXHDR_COUNT] | (hdr[ENC_RXHDR_COUNT + 1] << 8));
	status = (uint16_t)(hdr[ENC_RXHDR_STATUS] | (hdr[ENC_RXHDR_STATUS + 1] << 8));
	len = count >= 4u ? (uint16_t)(count - 4u) : 0u;
	if ((status & ENC_RSV_RXOK) == 0u || len > IRQDRV_MAX_FRAME) {
		d->rx_bad++;
	} else {
		spi_select();
		(void)spi_transfer(ENC_OP_RBM); /* ERDPT is right after the header */
		spi_transfer_buf(NULL, d->buf, len);
		spi_deselect();
		d->rx_frames++;
		if (d->on_frame != NULL)
			d->on_frame(d, d->buf, len);
	}
	wcr16(ERXRDPTL, d->next == 0u ? (uint16_t)IRQDRV_RX_END : (uint16_t)(d->next - 1u));
	bfs(ECON2, ECON2_PKTDEC);
}

void irqdrv_poll_rx(struct irqdrv *d)
{
	while (rcr(EPKTCNT) > 0u)
		recv_one(d);
}

/* ---- Interrupts ---- */

void irqdrv_isr(struct irqdrv *d)
{
	uint8_t eir;

	d->isr_runs++;
	bfc(EIE, EIE_INTIE); /* INT high while we work; set again at the end */
	eir = rcr(EIR);
	while (eir != 0u) {
		if ((eir & EIR_LINKIF) != 0u) {
			(void)phy_read(PHIR); /* reading PHIR clears LINKIF */
			d->link_changes++;
		}
		if ((eir & EIR_PKTIF) != 0u) {
			/* PKTIF says frames are waiting: drain them. */
			do
				recv_one(d);
			while (rcr(EPKTCNT) > 0u);
		}
		if ((eir & EIR_RXERIF) != 0u) {
			d->rx_overflows++;
			bfc(EIR, EIR_RXERIF);
		}
		if ((eir & EIR_TXIF) != 0u) {
			d->tx_done++;
			d->tx_busy = false;
			bfc(EIR, EIR_TXIF);
		}
		if ((eir & EIR_TXERIF) != 0u) {
			d->tx_errors++;
			d->tx_busy = false;
			bfc(EIR, EIR_TXERIF);
			bfs(ECON1, ECON1_TXRST); /* erratum 12: reset after an abort */
			bfc(ECON1, ECON1_TXRST);
		}
		eir = rcr(EIR);
	}
	bfs(EIE, EIE_INTIE);
}

/* ---- Transmit ---- */

int irqdrv_send(struct irqdrv *d, const uint8_t *frame, uint16_t len)
{
	const uint8_t ctrl = 0x00; /* MACON3 decides padding and CRC */

	if (d->tx_busy || len == 0u || len > IRQDRV_MAX_FRAME) {
		d->tx_refused++;
		return -1;
	}
	wcr16(EWRPTL, IRQDRV_TX_START);
	spi_select();
	(void)spi_transfer(ENC_OP_WBM);
	spi_transfer_buf(&ctrl, NULL, 1);
	spi_transfer_buf(frame, NULL, len);
	spi_deselect();
	wcr16(ETXSTL, IRQDRV_TX_START);
	wcr16(ETXNDL, (uint16_t)(IRQDRV_TX_START + len));
	bfs(ECON1, ECON1_TXRTS);
	d->tx_busy = true;
	return 0;
}
