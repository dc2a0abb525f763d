/*
 * regs.c - control register semantics: which addresses exist in each bank,
 * which bits are writable, reset values, and the side effects of a write
 * (DS39662E 3.1, Table 3-1 and 3-2; Registers 3-1, 3-2, 12-1..12-3).
 *
 * Reached from spi.c for RCR/WCR/BFS/BFC. A read is a table lookup plus the
 * checker; a write masks the value to the implemented bits, then a switch on
 * the register does what silicon does (start TX, DMA, an MII transaction,
 * release a packet ...). BFS/BFC are applied to MAC/MII registers too:
 * EtherCard and UIPEthernet set MACON3 bits that way and rely on it.
 */
#include "model_internal.h"

#define BIT(a) (1u << (a))

/* Reserved/unimplemented addresses per bank (DS Table 3-1). */
static const uint32_t reserved_map[4] = {
	BIT(0x18) | BIT(0x19) | BIT(0x1A),
	BIT(0x12) | BIT(0x13) | BIT(0x16) | BIT(0x17) | BIT(0x1A),
	BIT(0x01) | BIT(0x05) | BIT(0x0C) | BIT(0x0D) | BIT(0x0E) | BIT(0x0F) | BIT(0x10) | BIT(0x11) |
		BIT(0x13) | BIT(0x15) | BIT(0x1A),
	BIT(0x0B) | BIT(0x0C) | BIT(0x0D) | BIT(0x0E) | BIT(0x0F) | BIT(0x10) | BIT(0x11) | BIT(0x13) |
		BIT(0x14) | BIT(0x16) | BIT(0x1A),
};

/* Registers that shift out a dummy byte on RCR: all of bank 2, MAADR1..6
 * and MISTAT in bank 3 (DS 4.2.1). */
static const uint32_t macmii_map[4] = {
	0u,
	0u,
	0x03FFFFFFu & ~(BIT(0x01) | BIT(0x05) | 0x3F000u | BIT(0x13) | BIT(0x15)),
	BIT(0x00) | BIT(0x01) | BIT(0x02) | BIT(0x03) | BIT(0x04) | BIT(0x05) | BIT(0x0A),
};

/* Read-only registers: a write is ignored and flagged. */
static const uint32_t readonly_map[4] = {
	BIT(0x0E) | BIT(0x0F), /* ERXWRPT */
	BIT(0x19),             /* EPKTCNT */
	BIT(0x18) | BIT(0x19), /* MIRD */
	BIT(0x0A) | BIT(0x12), /* MISTAT, EREVID */
};

/* Writable bits of each register; 0 for reserved and read-only ones. The
 * common registers (0x1B..0x1F) are handled in bank 0. Pointer high bytes
 * are 5 bits wide (13-bit buffer addresses). */
static const uint8_t wmask[4][32] = {
	{
		0xFF, 0x1F, 0xFF, 0x1F, 0xFF, 0x1F, 0xFF, 0x1F, /* ERDPT EWRPT ETXST ETXND */
		0xFF, 0x1F, 0xFF, 0x1F, 0xFF, 0x1F, 0x00, 0x00, /* ERXST ERXND ERXRDPT ERXWRPT */
		0xFF, 0x1F, 0xFF, 0x1F, 0xFF, 0x1F, 0xFF, 0xFF, /* EDMAST EDMAND EDMADST EDMACS */
		0x00, 0x00, 0x00, 0xFB, 0x2B, 0x52, 0xE8, 0xFF, /* EIE EIR ESTAT ECON2 ECON1 */
	},
	{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* EHT0..7 */
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* EPMM0..7 */
		0xFF, 0xFF, 0x00, 0x00, 0xFF, 0x1F, 0x00, 0x00, /* EPMCS EPMO */
		0xFF, 0x00, 0x00, 0, 0, 0, 0, 0,                 /* ERXFCON EPKTCNT */
	},
	{
		0x1F, 0x00, 0xFF, 0x73, 0x7F, 0x00, 0x7F, 0x7F, /* MACON1 MACON3 MACON4 MABBIPG MAIPG */
		0x0F, 0x3F, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, /* MACLCON1/2 MAMXFL */
		0x00, 0x00, 0x03, 0x00, 0x1F, 0x00, 0xFF, 0xFF, /* MICMD MIREGADR MIWR */
		0x00, 0x00, 0x00, 0, 0, 0, 0, 0,                 /* MIRD */
	},
	{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* MAADR5 6 3 4 1 2, EBSTSD EBSTCON */
		0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* EBSTCS MISTAT */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x07, /* EREVID ECOCON EFLOCON */
		0xFF, 0xFF, 0x00, 0, 0, 0, 0, 0,                 /* EPAUS */
	},
};

/* ENC_REG() for a bank and address known only at run time. */
static enc_reg_t packed(uint8_t addr, uint8_t bank, unsigned flags)
{
	return (enc_reg_t)((addr & ENC_REG_ADDR_MASK) | ((unsigned)bank << ENC_REG_BANK_SHIFT) | flags);
}

/* Key of a register for the switch: bank and address, no MAC/MII flag. */
#define KEY(r) ((unsigned)((r) & (ENC_REG_BANK_MASK | ENC_REG_ADDR_MASK)))

bool model_reg_is_macmii(uint8_t bank, uint8_t addr)
{
	return addr < ENC_COMMON_FIRST && (macmii_map[bank & 3u] & BIT(addr)) != 0;
}

void model_regs_reset(struct enc_model *m, enum reset_kind kind)
{
	uint8_t ecocon = reg_get(m, ECOCON);
	for (unsigned b = 0; b < 4; b++)
		for (unsigned a = 0; a < 32; a++)
			m->regs[b][a] = 0;
	*reg_ptr(m, ECON2) = ENC_RESET_ECON2;
	reg_set16(m, ERDPTL, ENC_RESET_ERDPT);
	reg_set16(m, ERXSTL, ENC_RESET_ERXST);
	reg_set16(m, ERXNDL, ENC_RESET_ERXND);
	reg_set16(m, ERXRDPTL, ENC_RESET_ERXRDPT);
	*reg_ptr(m, ERXFCON) = ENC_RESET_ERXFCON;
	*reg_ptr(m, MACLCON1) = ENC_RESET_MACLCON1;
	*reg_ptr(m, MACLCON2) = ENC_RESET_MACLCON2;
	reg_set16(m, MAMXFLL, ENC_RESET_MAMXFL);
	reg_set16(m, EPAUSL, ENC_RESET_EPAUS);
	*reg_ptr(m, EREVID) = (uint8_t)(m->cfg.revid & 0x1Fu);
	/* ECOCON keeps its value except on power-on (DS Table 3-2 note). */
	*reg_ptr(m, ECOCON) = kind == RESET_POR ? ENC_RESET_ECOCON : ecocon;
}

/* MAC/MII registers (and TX/RX enables) are unusable before the oscillator
 * start-up timer expires (DS 2.2). One diagnostic per not-ready period. */
static bool not_ready(struct enc_model *m, uint16_t reg, uint16_t value)
{
	if (m->ready)
		return false;
	if (!m->clkrdy_diag_done) {
		m->clkrdy_diag_done = true;
		model_diag(m, MODEL_RULE_ACCESS_BEFORE_CLKRDY, reg, value);
	}
	return true;
}

uint8_t model_reg_read(struct enc_model *m, uint8_t bank, uint8_t addr)
{
	if (addr >= ENC_COMMON_FIRST)
		return m->regs[0][addr];
	uint32_t bit = BIT(addr);
	if (reserved_map[bank] & bit) {
		model_diag(m, MODEL_RULE_RESERVED_ADDRESS, packed(addr, bank, 0), 0);
		return 0;
	}
	if (macmii_map[bank] & bit) {
		if (not_ready(m, packed(addr, bank, ENC_REG_MACMII), 0))
			return 0;
		if (m->scan_lazy)
			model_mii_sync(m, m->now); /* MIRD and MISTAT as the scan has them now */
		if (bank == 2 && (addr == ENC_REG_ADDR(MIRDL) || addr == ENC_REG_ADDR(MIRDH)) &&
		    (reg_get(m, MISTAT) & (MISTAT_BUSY | MISTAT_SCAN)) == MISTAT_BUSY) {
			/* DS 3.3.1: MIRD is valid only once BUSY has cleared (while
			 * scanning, DS 3.3.3, MIRD is refreshed and may be read). */
			model_diag(m, MODEL_RULE_MIRD_WHILE_BUSY, packed(addr, bank, ENC_REG_MACMII), 0);
		}
	}
	return m->regs[bank][addr];
}

static void write_econ1(struct enc_model *m, uint8_t old, uint8_t v)
{
	uint8_t set = (uint8_t)(v & ~old), clr = (uint8_t)(old & ~v);
	*reg_ptr(m, ECON1) = v;
	uint64_t now = m->now;
	if (set & ECON1_TXRST)
		model_tx_reset(m);
	if (set & ECON1_RXRST)
		model_rx_reset(m);
	if (set & ECON1_RXEN) {
		if (reg_get16(m, ERXSTL) != 0) {
			/* DS80349 erratum 5: the receive buffer must start at 0. */
			model_diag(m, MODEL_RULE_RXST_NOT_ZERO, ERXSTL, reg_get16(m, ERXSTL));
		}
		not_ready(m, ECON1, v);
		model_rx_check_rdpt(m);
		model_check_duplex(m);
	}
	if (clr & ECON1_DMAST)
		model_dma_abort(m);
	if (set & ECON1_DMAST)
		model_dma_start(m, now);
	if (clr & ECON1_TXRTS)
		model_tx_cancel(m, now);
	if (set & ECON1_TXRTS) {
		not_ready(m, ECON1, v);
		model_check_duplex(m);
		if (v & ECON1_RXEN)
			model_check_tx_span(m);
		model_tx_request(m, now);
	}
}

static void write_econ2(struct enc_model *m, uint8_t old, uint8_t v)
{
	*reg_ptr(m, ECON2) = (uint8_t)(v & ~ECON2_PKTDEC); /* PKTDEC reads 0 */
	if (v & ECON2_PKTDEC)
		model_rx_pktdec(m);
	if ((v & ECON2_PWRSV) && !(old & ECON2_PWRSV))
		model_clock_stop(m); /* DS 16.3: power save stops the oscillator */
	if (!(v & ECON2_PWRSV) && (old & ECON2_PWRSV))
		model_clock_start(m, m->now);
}

/* DS39662E 3.3.1-3.3.3: a new MII read, write or scan may start only once
 * MISTAT.BUSY has cleared (after a scan, once MIISCAN is clear and the read
 * in progress is done). The model lets the new one replace the old. */
static void mii_busy_check(struct enc_model *m, enc_reg_t reg, uint8_t v)
{
	if (reg_get(m, MISTAT) & MISTAT_BUSY)
		model_diag(m, MODEL_RULE_MII_WHILE_BUSY, reg, v);
}

void model_reg_write(struct enc_model *m, uint8_t bank, uint8_t addr, uint8_t v, enum spi_state op)
{
	if (addr >= ENC_COMMON_FIRST)
		bank = 0;
	uint32_t bit = BIT(addr);
	enc_reg_t reg = packed(addr, bank, 0);
	if (reserved_map[bank] & bit) {
		model_diag(m, MODEL_RULE_RESERVED_ADDRESS, reg, v);
		return;
	}
	bool macmii = (macmii_map[bank] & bit) != 0;
	if (macmii) {
		reg = (enc_reg_t)(reg | ENC_REG_MACMII);
		if (op != SPI_WCR)
			model_diag(m, MODEL_RULE_BITOP_ON_MACMII, reg, v);
		if (not_ready(m, reg, v))
			return;
	}
	if (readonly_map[bank] & bit) {
		model_diag(m, MODEL_RULE_READ_ONLY_WRITE, reg, v);
		return;
	}
	uint8_t *p = &m->regs[bank][addr];
	uint8_t old = *p;
	/* BFS/BFC work on the current value (DS 4.2.5, 4.2.6). */
	uint8_t nv = op == SPI_BFS ? (uint8_t)(old | v) : op == SPI_BFC ? (uint8_t)(old & ~v) : v;
	uint8_t mask = wmask[bank][addr];
	nv = (uint8_t)((old & ~mask) | (nv & mask));

	switch (KEY(reg)) {
	case KEY(ECON1):
		write_econ1(m, old, nv);
		return;
	case KEY(ECON2):
		write_econ2(m, old, nv);
		return;
	case KEY(EIE):
		*p = nv;
		model_irq_update(m, m->now);
		return;
	case KEY(EIR): {
		/* Only DMAIF, TXIF, TXERIF and RXERIF are host-writable; PKTIF
		 * follows EPKTCNT and LINKIF clears by reading PHIR. */
		uint8_t w = EIR_DMAIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF;
		*p = (uint8_t)((old & ~w) | (nv & w));
		model_irq_update(m, m->now);
		return;
	}
	case KEY(ESTAT): {
		/* BUFER, LATECOL and TXABRT can only be cleared by the host. */
		uint8_t c = ESTAT_BUFER | ESTAT_LATECOL | ESTAT_TXABRT;
		*p = (uint8_t)(old & (nv | ~c));
		return;
	}
	case KEY(ERXSTL):
	case KEY(ERXSTH):
	case KEY(ERXNDL):
	case KEY(ERXNDH):
		*p = nv;
		if (reg_get(m, ECON1) & ECON1_RXEN) {
			/* DS 6.1: program the ring only while RXEN is clear. */
			model_diag(m, MODEL_RULE_RX_CONFIG_WHILE_RXEN, reg, nv);
		} else {
			/* DS 6.1 and DS80349 erratum 5: writing ERXST (or ERXND)
			 * reloads the hardware write pointer with ERXST. */
			reg_set16(m, ERXWRPTL, reg_get16(m, ERXSTL));
		}
		return;
	case KEY(ERXRDPTL):
		/* DS 7.2.4: the low byte is buffered until the high byte arrives. */
		m->erxrdptl_latch = nv;
		return;
	case KEY(ERXRDPTH): {
		uint16_t rd = (uint16_t)(m->erxrdptl_latch | (nv << 8));
		reg_set16(m, ERXRDPTL, rd);
		if ((rd & 1u) == 0) {
			/* DS80349 erratum 14: an even ERXRDPT may corrupt the ring;
			 * write NextPacketPtr - 1 (or ERXND) instead. */
			model_diag(m, MODEL_RULE_ERXRDPT_EVEN, ERXRDPTH, rd);
		}
		if (reg_get(m, ECON1) & ECON1_RXEN)
			model_rx_check_rdpt(m);
		return;
	}
	case KEY(MICMD):
		model_mii_sync(m, m->now);
		*p = nv;
		if ((nv & MICMD_MIIRD) && !(old & MICMD_MIIRD)) {
			mii_busy_check(m, reg, nv);
			model_mii_start_read(m, m->now);
		}
		if ((nv & MICMD_MIISCAN) && !(old & MICMD_MIISCAN)) {
			mii_busy_check(m, reg, nv);
			model_mii_start_scan(m, m->now);
		}
		model_mii_rearm(m); /* MIISCAN cleared: the read in progress is the last */
		return;
	case KEY(MIREGADR):
		model_mii_sync(m, m->now); /* reads so far used the old address */
		*p = nv;
		model_mii_rearm(m);
		return;
	case KEY(MIWRH):
		*p = nv;
		mii_busy_check(m, reg, nv);
		model_mii_start_write(m, m->now);
		return;
	case KEY(EBSTCON):
		/* DS 15.0: BISTST starts a test in test mode (TME) and clears
		 * when it is done (bist.c); clearing it by hand stops one. */
		if (!(nv & EBSTCON_TME) && !(old & EBSTCON_BISTST))
			nv &= (uint8_t)~EBSTCON_BISTST;
		*p = nv;
		if ((nv & EBSTCON_BISTST) && !(old & EBSTCON_BISTST))
			model_bist_start(m, m->now);
		else if (!(nv & EBSTCON_BISTST) && (old & EBSTCON_BISTST))
			model_bist_stop(m);
		return;
	case KEY(MACON3):
		*p = nv;
		m->duplex_flagged = false; /* a new duplex setting, checked afresh */
		return;
	default:
		*p = nv;
		return;
	}
}
