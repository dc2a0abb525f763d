/*
 * enc28j60.c - bringing the ENC28J60 up, servicing it, following the link.
 *
 * enc_init() is the datasheet's initialisation sequence (DS 6.0) with the
 * silicon errata folded in: out of power save (erratum 19), soft reset and
 * the CLKRDY wait (erratum 2), a revision check, the memory plan of
 * enc28j60.h (receive ring at 0, erratum 5; transmit buffer after it),
 * receive filters, the MAC (duplex, padding, CRC, gaps, maximum frame), the
 * PHY (duplex, HDLDIS for erratum 9, LEDs, link interrupt) and finally
 * receive enable.
 *
 * enc_poll() is the cheap service routine the main loop (or the INT handler)
 * calls: it collects a finished transmission (enc28j60_tx.c), counts and
 * clears receive overflows, follows link changes through PHIR, and reports
 * whether EPKTCNT says a frame is waiting (erratum 6: not PKTIF).
 *
 * Everything goes through the register layer in enc28j60_spi.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_priv.h"

#ifndef ENC_RESET_WAIT_US
#define ENC_RESET_WAIT_US 1000u /* erratum 2: at least 1 ms after SRC */
#endif
#ifndef ENC_CLKRDY_POLL_MAX
#define ENC_CLKRDY_POLL_MAX 100u /* then poll CLKRDY this many times ... */
#endif
#define CLKRDY_POLL_STEP_US 100u /* ... this far apart (10 ms in all) */
#define ENC_WAKE_WAIT_US 300u /* oscillator start-up after PWRSV clears */

/* Inter-packet gaps (DS 6.5): back-to-back 0x15 in full duplex, 0x12 in
 * half; non-back-to-back 0x12, plus MAIPGH 0x0C in half duplex. */
#define MABBIPG_FULL 0x15u
#define MABBIPG_HALF 0x12u
#define MAIPGL_VALUE 0x12u
#define MAIPGH_HALF 0x0Cu

/* PHLCON: reserved bits 13:12 written as 1; LED A shows link status
 * (LACFG 0100), LED B transmit and receive activity (LBCFG 0111), pulses
 * stretched (LFRQ 01 = 73 ms, STRCH). */
#define PHLCON_RESERVED 0x3000u
#define PHLCON_LACFG_LINK 0x0400u
#define PHLCON_LBCFG_TXRX 0x0070u
#define PHLCON_LFRQ_73MS 0x0004u
#define PHLCON_STRCH 0x0002u
#define PHLCON_VALUE (PHLCON_RESERVED | PHLCON_LACFG_LINK | PHLCON_LBCFG_TXRX | \
                      PHLCON_LFRQ_73MS | PHLCON_STRCH)

/* The ring must hold at least one largest frame with its header. */
#define RX_RING_MIN (ENC_RXHDR_LEN + ENC_ETH_MAX_FRAME + 1u)

/* Erratum 2 (DS80349): after SRC, CLKRDY may read set before the chip is
 * ready. Wait at least 1 ms regardless, then poll CLKRDY, bounded. */
static int erratum2_wait_clkrdy(struct enc_dev *d)
{
	unsigned i;

	enc_delay_us(d, ENC_RESET_WAIT_US);
	for (i = 0; i < ENC_CLKRDY_POLL_MAX; i++) {
		if ((enc_read_reg(d, ESTAT) & ESTAT_CLKRDY) != 0u)
			return ENC_OK;
		enc_delay_us(d, CLKRDY_POLL_STEP_US);
	}
	return ENC_ERR_TIMEOUT;
}

/* Erratum 19 (DS80349): SRC is ignored in power save. Our driver never
 * enters it, but the MCU may have been reset while a previous program had
 * the chip asleep: wake it and give the oscillator time before the reset. */
static void erratum19_leave_power_save(struct enc_dev *d)
{
	if ((enc_read_reg(d, ECON2) & ECON2_PWRSV) == 0u)
		return;
	enc_bit_clear(d, ECON2, ECON2_PWRSV);
	enc_delay_us(d, ENC_WAKE_WAIT_US);
}

/* A missing chip leaves MISO floating high or pulled low. */
static bool revid_absent(uint8_t revid)
{
	return revid == 0x00u || revid == 0xFFu;
}

/* MAC address in datasheet order: MAADR1 holds the first octet on the
 * wire, and it lives at bank 3 address 0x04, not 0x00. */
static void write_mac(struct enc_dev *d, const uint8_t mac[6])
{
	uint8_t i;

	/* Octet pairs run down the bank: MAADR1/2 at 0x04/0x05, MAADR3/4
	 * at 0x02/0x03, MAADR5/6 at 0x00/0x01 (a loop: less flash on AVR). */
	for (i = 0; i < 6u; i++)
		enc_write_reg(d, (uint8_t)(MAADR1 - (i & 6u) + (i & 1u)), mac[i]);
}

/* Receive filters, OR mode. Unicast to us, broadcast, and only frames with
 * a good FCS. ARP needs no filter of its own: requests arrive as broadcast
 * (BCEN) and replies as unicast (UCEN). The EtherCard-style pattern match
 * for "ARP broadcast" would only narrow BCEN, and erratum 18 says the
 * pattern filter lets extra frames through anyway, so the stack drops
 * unwanted broadcasts itself, with a counter. No multicast: the stack
 * joins no groups. Promiscuous keeps only the CRC check. */
static void setup_filters(struct enc_dev *d, const struct enc_config *cfg)
{
	uint8_t f = ERXFCON_CRCEN;

	if (!cfg->promiscuous)
		f = (uint8_t)(f | ERXFCON_UCEN | ERXFCON_BCEN);
	enc_write_reg(d, ERXFCON, f);
}

/* MAC registers are written whole (WCR), never with BFS/BFC, which the
 * datasheet allows on ETH registers only. */
static void setup_mac(struct enc_dev *d, const struct enc_config *cfg)
{
	const bool fd = cfg->full_duplex; /* read once: each reload costs flash */
	uint8_t macon1 = MACON1_MARXEN;
	uint8_t macon3 = MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN;

	if (fd) {
		/* Pause frames only make sense in full duplex. */
		macon1 = (uint8_t)(macon1 | MACON1_TXPAUS | MACON1_RXPAUS);
		macon3 = (uint8_t)(macon3 | MACON3_FULDPX);
	}
	enc_write_reg(d, MACON1, macon1);
	enc_write_reg(d, MACON3, macon3);
	/* DEFER (wait for the medium forever) matters in half duplex only. */
	enc_write_reg(d, MACON4, fd ? 0x00u : MACON4_DEFER);
	enc_write_reg16(d, MAMXFLL, ENC_ETH_MAX_FRAME);
	enc_write_reg(d, MABBIPG, fd ? MABBIPG_FULL : MABBIPG_HALF);
	enc_write_reg(d, MAIPGL, MAIPGL_VALUE);
	enc_write_reg(d, MAIPGH, fd ? 0x00u : MAIPGH_HALF);
	write_mac(d, cfg->mac);
}

/* Erratum 9 (DS80349): the PHY's internal loopback misbehaves in half
 * duplex; PHCON2.HDLDIS turns it off. Harmless in full duplex, so it is
 * always set. */
static int erratum9_hdldis(struct enc_dev *d)
{
	return enc_phy_write(d, PHCON2, PHCON2_HDLDIS);
}

/* PHIR (reading it clears PLNKIF, and EIR.LINKIF with it) into *phir,
 * then the live link state from PHSTAT2.LSTAT. *phir is left alone if
 * PHIR can't be read, link_up if PHSTAT2 can't. */
static int read_link(struct enc_dev *d, uint16_t *phir)
{
	uint16_t st;
	int rc;

	rc = enc_phy_read(d, PHIR, phir);
	if (rc != ENC_OK)
		return rc;
	rc = enc_phy_read(d, PHSTAT2, &st);
	if (rc == ENC_OK)
		d->link_up = (st & PHSTAT2_LSTAT) != 0u;
	return rc;
}

/* PHY duplex must match MACON3.FULDPX; then LEDs and the link interrupt
 * (PHIE.PGEIE|PLNKIE makes a link change raise EIR.LINKIF). Reading PHIR
 * clears anything latched before we were listening. */
static int setup_phy(struct enc_dev *d, const struct enc_config *cfg)
{
	uint16_t v;
	int rc;

	rc = enc_phy_write(d, PHCON1, cfg->full_duplex ? PHCON1_PDPXMD : 0x0000u);
	if (rc == ENC_OK)
		rc = erratum9_hdldis(d);
	if (rc == ENC_OK)
		rc = enc_phy_write(d, PHLCON, PHLCON_VALUE);
	if (rc == ENC_OK)
		rc = enc_phy_write(d, PHIE, PHIE_PGEIE | PHIE_PLNKIE);
	if (rc == ENC_OK)
		rc = read_link(d, &v);
	return rc;
}

static bool rx_end_valid(uint16_t rx_end)
{
	return (rx_end & 1u) != 0u && rx_end >= RX_RING_MIN - 1u &&
	       rx_end <= ENC_BUFFER_LAST - ENC_TX_AREA_LEN;
}

/* Bring the chip up: soft reset, wait out CLKRDY (erratum 2), receive ring at
 * 0 (erratum 5), MAC address, filters, duplex, LEDs, then enable receive.
 * rx_end must be odd (so ERXRDPT = ERXND is odd, erratum 14) and leave room
 * for the transmit buffer. Returns ENC_OK, ENC_ERR_ARG, ENC_ERR_NOCHIP or
 * ENC_ERR_TIMEOUT. */
int enc_init(struct enc_dev *d, const struct enc_spi_hal *hal, const struct enc_config *cfg)
{
	uint16_t rx_end;
	int rc;

	if (d == NULL || hal == NULL || cfg == NULL || hal->select == NULL ||
	    hal->deselect == NULL || hal->xfer == NULL || hal->delay_us == NULL)
		return ENC_ERR_ARG;
	rx_end = cfg->rx_end != 0u ? cfg->rx_end : ENC_RX_END_DEFAULT;
	if (!rx_end_valid(rx_end))
		return ENC_ERR_ARG;

	memset(d, 0, sizeof(*d));
	d->hal = hal;
	d->rx_end = rx_end;
	d->tx_start = (uint16_t)(rx_end + 1u);

	d->bank = ENC_BANK_UNKNOWN;
	erratum19_leave_power_save(d);
	enc_soft_reset(d);
	rc = erratum2_wait_clkrdy(d);
	d->revid = enc_read_reg(d, EREVID);
	if (revid_absent(d->revid))
		return ENC_ERR_NOCHIP;
	if (rc != ENC_OK)
		return rc;

	/* Memory plan: ring 0..rx_end, transmit buffer after it. AUTOINC is
	 * set by reset; set it again in case a debugger cleared it. */
	enc_bit_set(d, ECON2, ECON2_AUTOINC);
	enc_rx_ring_init(d);
	enc_write_reg16(d, ETXSTL, d->tx_start);
	enc_write_reg16(d, ETXNDL, d->tx_start);

	setup_filters(d, cfg);
	setup_mac(d, cfg);
	rc = setup_phy(d, cfg);
	if (rc != ENC_OK)
		return rc;

	/* Interrupt sources for boards that use the INT pin (EIR is clear
	 * after reset, and enc_poll() clears each flag it handles). Then start
	 * receiving. */
	enc_write_reg(d, EIE, EIE_INTIE | EIE_PKTIE | EIE_LINKIE | EIE_TXIE |
	                      EIE_TXERIE | EIE_RXERIE);
	enc_bit_set(d, ECON1, ECON1_RXEN);
	return ENC_OK;
}

/* A link change latched in PHIR.PLNKIF: reading PHIR clears it (and
 * EIR.LINKIF with it); PHSTAT2.LSTAT is the live state. */
static void follow_link(struct enc_dev *d)
{
	uint16_t phir = 0; /* stays 0 if PHIR can't be read */

	(void)read_link(d, &phir);
	if ((phir & PHIR_PLNKIF) != 0u)
		enc_count(&d->stats.link_changes);
}

/* Service the chip: collect transmit completion, clear RXERIF, follow the
 * link. Cheap; call it from the main loop or on INT. Returns true when a
 * frame is waiting (EPKTCNT > 0; erratum 6 says PKTIF can't be trusted). */
bool enc_poll(struct enc_dev *d)
{
	uint8_t eir = 0xFFu; /* not read: EIR bit 7 reads 0 */

	/* A completion just collected read EIR an instant ago: its other
	 * flags (RXERIF, LINKIF) are sticky, so one raised since is seen by
	 * the next poll (INT stays asserted until it is cleared). */
	if (d->tx_pending)
		(void)enc_tx_collect(d, false, &eir);
	if (eir == 0xFFu)
		eir = enc_read_reg(d, EIR);
	if ((eir & EIR_RXERIF) != 0u) {
		/* The chip dropped at least one frame: ring full or EPKTCNT
		 * at 255. Nothing to repair; count it and keep going. */
		enc_count(&d->stats.rx_overflows);
		enc_bit_clear(d, EIR, EIR_RXERIF);
		enc_bit_clear(d, ESTAT, ESTAT_BUFER);
	}
	if ((eir & EIR_LINKIF) != 0u)
		follow_link(d);
	return enc_rx_pending(d) != 0u;
}

/* Link state as of the last enc_init() or link interrupt seen by
 * enc_poll(). */
bool enc_link_is_up(const struct enc_dev *d)
{
	return d->link_up;
}
