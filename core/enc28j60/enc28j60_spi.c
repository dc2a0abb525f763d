/*
 * enc28j60_spi.c - the driver's lower layers, everything that touches the
 * SPI HAL.
 *
 * Access is built in layers, each using only the one below it:
 *
 *   SPI op (one CS-framed command: RCR, WCR, BFS, BFC, SRC, RBM, WBM)
 *     -> bank select, cached in d->bank, skipped for the common registers
 *       -> 8-bit register, 16-bit pair (low byte first), bit set/clear
 *         -> PHY over MII, with a bounded MISTAT.BUSY poll
 *         -> buffer memory (RBM/WBM, bursts when the HAL offers them)
 *
 * Callers: enc28j60.c (init, poll), enc28j60_rx.c, enc28j60_tx.c, and users
 * who want raw register access. Nothing here knows about frames.
 */
#include <stddef.h>
#include <stdint.h>

#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_priv.h"

/* MII transactions take 10.24 us (DS 3.3); wait that long before the first
 * MISTAT.BUSY read, then poll at 1 us steps, ENC_MII_POLL_MAX times. */
#define MII_FIRST_WAIT_US 11u
#define MII_POLL_STEP_US 1u

/* ---- SPI ops ---- */

static void spi_begin(struct enc_dev *d)
{
	d->hal->select(d->hal->ctx);
}

static void spi_end(struct enc_dev *d)
{
	d->hal->deselect(d->hal->ctx);
}

static uint8_t spi_byte(struct enc_dev *d, uint8_t out)
{
	return d->hal->xfer(d->hal->ctx, out);
}

/* One CS-framed two-byte command: the opcode byte, then data (a filler
 * for reads), after a dummy byte when one is due (MAC/MII reads); returns
 * the byte clocked in last. */
static uint8_t spi_cmd(struct enc_dev *d, uint8_t op, bool dummy, uint8_t data)
{
	uint8_t v;

	spi_begin(d);
	(void)spi_byte(d, op);
	if (dummy)
		(void)spi_byte(d, 0x00u);
	v = spi_byte(d, data);
	spi_end(d);
	return v;
}

/* WCR, BFS or BFC: opcode | 5-bit address, then one data byte. */
static void op_write(struct enc_dev *d, uint8_t op, uint8_t addr, uint8_t data)
{
	(void)spi_cmd(d, (uint8_t)(op | (addr & ENC_ARG_MASK)), false, data);
}

/* RCR: a MAC/MII register (and MISTAT) answers with a dummy byte first. */
static uint8_t op_read(struct enc_dev *d, uint8_t reg)
{
	return spi_cmd(d, (uint8_t)(ENC_OP_RCR | ENC_REG_ADDR(reg)), ENC_REG_IS_MACMII(reg), 0x00u);
}

void enc_count(ENC_STAT_T *counter)
{
	(*counter)++;
}

void enc_delay_us(struct enc_dev *d, uint16_t us)
{
	d->hal->delay_us(d->hal->ctx, us);
}

/* SRC resets every register, so the bank cache and the pointer caches no
 * longer describe the chip. */
void enc_soft_reset(struct enc_dev *d)
{
	spi_begin(d);
	(void)spi_byte(d, ENC_OP_SRC);
	spi_end(d);
	d->bank = ENC_BANK_UNKNOWN;
	d->erdpt = ENC_PTR_UNKNOWN;
	d->ewrpt = ENC_PTR_UNKNOWN;
	d->etxnd = ENC_PTR_UNKNOWN;
	d->rx_known = 0;
	d->tx_reset_due = true;
}

/* ---- Bank select ---- */

/* Switch ECON1.BSEL to the register's bank with BFC/BFS on ECON1 (an ETH
 * register, so bit operations are in spec). Only the BSEL bits that differ
 * are touched; the rest of ECON1 (RXEN, TXRTS ...) is never rewritten. */
static void select_bank(struct enc_dev *d, uint8_t reg)
{
	uint8_t want, have, clear, set;

	if (ENC_REG_IS_COMMON(reg))
		return;
	have = (uint8_t)(reg & ENC_REG_BANK_MASK); /* ENC_REG_BANK, in 8 bits */
	want = (uint8_t)(have >> ENC_REG_BANK_SHIFT);
	have = d->bank;
	if (want == have)
		return;
	/* Unknown: take every BSEL bit for the opposite of the one wanted,
	 * so each gets written. */
	if (have == ENC_BANK_UNKNOWN)
		have = (uint8_t)(ECON1_BSEL_MASK & (uint8_t)~want);
	clear = (uint8_t)(have & (uint8_t)~want);
	set = (uint8_t)(want & (uint8_t)~have);
	if (clear != 0u)
		op_write(d, ENC_OP_BFC, ENC_REG_ADDR(ECON1), clear);
	if (set != 0u)
		op_write(d, ENC_OP_BFS, ENC_REG_ADDR(ECON1), set);
	d->bank = want;
}

/* ---- Registers ---- */

/* A user writing ECON1.BSEL or the buffer pointers through the public
 * register calls must not leave the caches lying. */
static void forget_cached(struct enc_dev *d, uint8_t reg, uint8_t bsel_mask)
{
	uint16_t *ptr;

	if (reg == ECON1) {
		if (bsel_mask != 0u)
			d->bank = ENC_BANK_UNKNOWN;
		return;
	}
	if (reg > ETXNDH) /* ERDPT, EWRPT, ETXST, ETXND are bank 0, 0x00..0x07 */
		return;
	if (reg <= ERDPTH)
		ptr = &d->erdpt;
	else if (reg <= EWRPTH)
		ptr = &d->ewrpt;
	else
		ptr = &d->etxnd; /* ETXST, ETXND */
	*ptr = ENC_PTR_UNKNOWN;
}

/* Read one control register (any bank; the dummy byte is handled). */
uint8_t enc_read_reg(struct enc_dev *d, uint8_t reg)
{
	select_bank(d, reg);
	return op_read(d, reg);
}

/* WCR, BFS or BFC on a register of any bank, then the caches it spoils. */
__attribute__((noinline)) static void reg_op(struct enc_dev *d, uint8_t op, uint8_t reg, uint8_t val, uint8_t bsel_mask)
{
	select_bank(d, reg);
	op_write(d, op, reg, val);
	forget_cached(d, reg, bsel_mask);
}

/* Write one control register (any bank). */
void enc_write_reg(struct enc_dev *d, uint8_t reg, uint8_t val)
{
	reg_op(d, ENC_OP_WCR, reg, val, ECON1_BSEL_MASK);
}

/* Set (BFS) or clear (BFC) bits. Bit operations are specified for ETH
 * registers only (DS Table 4-1), so a MAC/MII register gets a
 * read-modify-write instead (no cache describes one). */
static void bit_op(struct enc_dev *d, uint8_t op, uint8_t reg, uint8_t mask)
{
	uint8_t v;

	if (ENC_REG_IS_MACMII(reg)) {
		v = enc_read_reg(d, reg);
		enc_write_reg(d, reg, op == ENC_OP_BFS ? (uint8_t)(v | mask) : (uint8_t)(v & (uint8_t)~mask));
		return;
	}
	reg_op(d, op, reg, mask, (uint8_t)(mask & ECON1_BSEL_MASK));
}

void enc_bit_set(struct enc_dev *d, uint8_t reg, uint8_t mask)
{
	bit_op(d, ENC_OP_BFS, reg, mask);
}

void enc_bit_clear(struct enc_dev *d, uint8_t reg, uint8_t mask)
{
	bit_op(d, ENC_OP_BFC, reg, mask);
}

uint16_t enc_read_reg16(struct enc_dev *d, uint8_t reg_low)
{
	uint8_t lo = enc_read_reg(d, reg_low);
	uint8_t hi = enc_read_reg(d, (uint8_t)(reg_low + 1u));

	return (uint16_t)(lo | ((uint16_t)hi << 8));
}

void enc_write_reg16(struct enc_dev *d, uint8_t reg_low, uint16_t val)
{
	enc_write_reg(d, reg_low, (uint8_t)(val & 0xFFu));
	enc_write_reg(d, (uint8_t)(reg_low + 1u), (uint8_t)(val >> 8));
}

/* ---- PHY over MII ---- */

/* Wait for MISTAT.BUSY to clear, bounded: a PHY that never answers must
 * not hang the MCU (most drivers spin here forever). */
static int mii_wait(struct enc_dev *d)
{
	unsigned i;

	enc_delay_us(d, MII_FIRST_WAIT_US);
	for (i = 0; i < ENC_MII_POLL_MAX; i++) {
		if ((enc_read_reg(d, MISTAT) & MISTAT_BUSY) == 0u)
			return ENC_OK;
		enc_delay_us(d, MII_POLL_STEP_US);
	}
	return ENC_ERR_TIMEOUT;
}

/* Read a 16-bit PHY register: MIREGADR, MICMD.MIIRD, wait BUSY, clear
 * MIIRD, then MIRDL/MIRDH (never while BUSY: DS 3.3.1). */
int enc_phy_read(struct enc_dev *d, uint8_t phreg, uint16_t *val)
{
	int rc;

	enc_write_reg(d, MIREGADR, phreg);
	enc_write_reg(d, MICMD, MICMD_MIIRD);
	rc = mii_wait(d);
	enc_write_reg(d, MICMD, 0x00u);
	if (rc != ENC_OK)
		return rc;
	*val = enc_read_reg16(d, MIRDL);
	return ENC_OK;
}

/* Write a 16-bit PHY register: MIREGADR, MIWRL, then MIWRH starts the MII
 * transaction; wait for it so the next MII access finds BUSY clear. */
int enc_phy_write(struct enc_dev *d, uint8_t phreg, uint16_t val)
{
	enc_write_reg(d, MIREGADR, phreg);
	enc_write_reg16(d, MIWRL, val);
	return mii_wait(d);
}

/* ---- Buffer memory ---- */

/* Where ERDPT stands after an auto-incremented read of n bytes at addr:
 * reading the byte at ERXND wraps it to ERXST, and the pointer is 13 bits. */
static uint16_t rdpt_after(const struct enc_dev *d, uint16_t addr, uint16_t n)
{
	uint16_t last = (uint16_t)(addr + n - 1u);

	if (addr <= d->rx_end && last >= d->rx_end)
		return last == d->rx_end ? ENC_RX_START : ENC_PTR_UNKNOWN;
	return (uint16_t)((last + 1u) & ENC_PTR_MASK);
}

/* RBM n bytes from addr. ERDPT is only rewritten when the cache says it
 * is elsewhere, so sequential header reads cost no pointer traffic. */
void enc_buf_read(struct enc_dev *d, uint16_t addr, uint8_t *p, uint16_t n)
{
	uint16_t i;

	if (n == 0u)
		return;
	if (d->erdpt != addr)
		enc_write_reg16(d, ERDPTL, addr);
	spi_begin(d);
	(void)spi_byte(d, ENC_OP_RBM);
	if (d->hal->read_burst != NULL) {
		d->hal->read_burst(d->hal->ctx, p, n);
	} else {
		for (i = 0; i < n; i++)
			p[i] = spi_byte(d, 0x00u);
	}
	spi_end(d);
	d->erdpt = rdpt_after(d, addr, n);
}

/* WBM n bytes at addr. EWRPT wraps only at the end of memory. */
void enc_buf_write(struct enc_dev *d, uint16_t addr, const uint8_t *p, uint16_t n)
{
	uint16_t i;

	if (n == 0u)
		return;
	if (d->ewrpt != addr)
		enc_write_reg16(d, EWRPTL, addr);
	spi_begin(d);
	(void)spi_byte(d, ENC_OP_WBM);
	if (d->hal->write_burst != NULL) {
		d->hal->write_burst(d->hal->ctx, p, n);
	} else {
		for (i = 0; i < n; i++)
			(void)spi_byte(d, p[i]);
	}
	spi_end(d);
	d->ewrpt = (uint16_t)((addr + n) & ENC_PTR_MASK);
}
