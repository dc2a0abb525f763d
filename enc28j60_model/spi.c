/*
 * spi.c - the SPI port: chip-select framing and the seven opcodes
 * (DS39662E 4.2, Table 4-1).
 *
 * Called by the driver's HAL for every byte, so this is the hot path: one
 * time comparison (model_tick), one switch on the decoder state, and for the
 * buffer commands a memory access. A command starts with the first byte after
 * CS falls; RBM/WBM stream until CS rises; a WCR/BFS/BFC takes one data byte;
 * after an SRC, and for an opcode that is not one of the seven, bytes are
 * ignored until CS rises. MISO carries 0x00 during the opcode byte and 0xFF
 * while deselected.
 *
 * Malformed streams are ignored as silicon ignores them, and recorded
 * (checker.c): an unknown opcode, a command cut short by CS rising
 * (spi_deselect_check, once per command), bytes other than 0xFF after an
 * SRC, bytes clocked with CS high or while RESET is held. The checks sit on
 * cold paths (the deselected and after-SRC states, an unknown opcode); a
 * well-formed stream pays one range check per CS rise and one store per RCR
 * data byte (SPI_RCR -> SPI_RCR_AGAIN, to tell a complete read from a cut
 * one).
 *
 * Buffer memory through RBM/WBM (DS 3.2.3, 4.2.2, 4.2.4): with
 * ECON2.AUTOINC set, a read of the byte at ERXND moves ERDPT to ERXST (the
 * receive ring) and a read at 0x1FFF elsewhere moves it to 0; EWRPT wraps
 * only 0x1FFF -> 0 and never follows the ring. One call per streamed byte,
 * so no loops. The ring helpers here are shared with rx.c and dma.c.
 */
#include <string.h>

#include "model_internal.h"

uint16_t model_ring_next(const struct enc_model *m, uint16_t a)
{
	if (a == reg_get16(m, ERXNDL))
		return reg_get16(m, ERXSTL);
	return (uint16_t)((a + 1u) & ENC_PTR_MASK);
}

bool model_in_rx_ring(const struct enc_model *m, uint16_t a)
{
	uint16_t st = reg_get16(m, ERXSTL), nd = reg_get16(m, ERXNDL);
	if (st <= nd)
		return a >= st && a <= nd;
	return a >= st || a <= nd; /* a misprogrammed ring that wraps 0x1FFF */
}

uint8_t model_buf_read(struct enc_model *m)
{
	uint16_t a = reg_get16(m, ERDPTL);
	uint8_t v = m->mem[a];
	if (reg_get(m, ECON2) & ECON2_AUTOINC)
		reg_set16(m, ERDPTL, model_ring_next(m, a));
	return v;
}

void model_buf_write(struct enc_model *m, uint8_t v)
{
	uint16_t a = reg_get16(m, EWRPTL);
	if (!m->wbm_flagged && (reg_get(m, ECON1) & ECON1_RXEN) && model_in_rx_ring(m, a)) {
		/* The receive hardware owns ERXST..ERXND while RXEN is set; a
		 * host write there races incoming frames (DS 3.2.1, 6.1). One
		 * diagnostic per WBM command. */
		m->wbm_flagged = true;
		model_diag(m, MODEL_RULE_TX_WRITE_INTO_RX, a, v);
	}
	m->mem[a] = v;
	if (reg_get(m, ECON2) & ECON2_AUTOINC)
		reg_set16(m, EWRPTL, (uint16_t)((a + 1u) & ENC_PTR_MASK));
}

/* CS rose in the middle of a command: RCR before its data byte (and, for a
 * MAC/MII register, before or right after the dummy byte), WCR/BFS/BFC
 * before the data/mask byte. Nothing was read or written: the write happens
 * only when the data byte is complete, so a truncated write changes no
 * register. RBM/WBM with no data bytes move nothing and are legal (no
 * diagnostic); a CS pulse with no byte at all is harmless. */
static void spi_deselect_check(struct enc_model *m)
{
	unsigned after;
	switch ((enum spi_state)m->spi_state) {
	case SPI_RCR_DUMMY:
	case SPI_WCR:
	case SPI_BFS:
	case SPI_BFC:
		after = 0;
		break;
	case SPI_RCR:
		/* ETH register: nothing after the opcode; MAC/MII: the dummy only. */
		after = model_reg_is_macmii(m->spi_bank, m->spi_addr) ? 1u : 0u;
		break;
	case SPI_DESELECTED:
	case SPI_OPCODE:
	case SPI_RCR_AGAIN:
	case SPI_RBM:
	case SPI_WBM:
	case SPI_IGNORE:
	case SPI_AFTER_SRC:
	default:
		return;
	}
	uint8_t bank = m->spi_addr >= ENC_COMMON_FIRST ? 0u : m->spi_bank;
	unsigned flags = model_reg_is_macmii(m->spi_bank, m->spi_addr) ? ENC_REG_MACMII : 0u;
	uint16_t reg = (uint16_t)((m->spi_addr & ENC_REG_ADDR_MASK) | ((unsigned)bank << ENC_REG_BANK_SHIFT) | flags);
	model_diag_spi(m, MODEL_RULE_SPI_TRUNCATED, m->spi_op, reg, (uint16_t)after);
}

void model_spi_select(struct enc_model *m, bool selected, uint64_t now)
{
	model_tick(m, now);
	if (m->reset_held) {
		m->cs_low = selected;
		return;
	}
	if (selected) {
		m->cs_low = true;
		if (m->spi_state == SPI_DESELECTED)
			m->spi_state = SPI_OPCODE;
	} else {
		/* One range check; the states are ordered for it. */
		if ((unsigned)(m->spi_state - SPI_RCR_DUMMY) <= (unsigned)(SPI_BFC - SPI_RCR_DUMMY))
			spi_deselect_check(m);
		m->spi_state = SPI_DESELECTED;
		m->cs_low = false;
		m->wbm_flagged = false;
		m->spi_nosel_flagged = false;
	}
}

/* An opcode that is not one of the seven commands of Table 4-1: 110 aaaaa,
 * 001 aaaaa and 011 aaaaa with an argument other than 11010, 111 aaaaa
 * other than 11111. The chip ignores it and the rest of the frame. */
static void spi_unknown(struct enc_model *m, uint8_t op)
{
	model_diag_spi(m, MODEL_RULE_SPI_UNKNOWN_OPCODE, op, 0, 0);
	m->spi_state = SPI_IGNORE;
}

static uint8_t decode(struct enc_model *m, uint8_t op)
{
	uint8_t arg = op & ENC_ARG_MASK;
	uint8_t bank = reg_get(m, ECON1) & ECON1_BSEL_MASK;
	m->spi_bank = bank;
	m->spi_addr = arg;
	m->spi_op = op;
	switch (op & ENC_OP_MASK) {
	case 0x00: /* RCR */
		m->spi_state = model_reg_is_macmii(bank, arg) ? SPI_RCR_DUMMY : SPI_RCR;
		break;
	case 0x20: /* RBM is 001 11010; other arguments are unused */
		if (arg == (ENC_OP_RBM & ENC_ARG_MASK))
			m->spi_state = SPI_RBM;
		else
			spi_unknown(m, op);
		break;
	case 0x40:
		m->spi_state = SPI_WCR;
		break;
	case 0x60:
		if (arg == (ENC_OP_WBM & ENC_ARG_MASK))
			m->spi_state = SPI_WBM;
		else
			spi_unknown(m, op);
		break;
	case 0x80:
		m->spi_state = SPI_BFS;
		break;
	case 0xA0:
		m->spi_state = SPI_BFC;
		break;
	case 0xE0:
		if (op != ENC_OP_SRC) {
			spi_unknown(m, op);
			break;
		}
		if (!(reg_get(m, ECON2) & ECON2_PWRSV)) {
			/* DS 11.2; erratum 19: SRC is ignored in power save. */
			model_chip_reset(m, RESET_SRC, m->now);
		}
		m->spi_state = SPI_AFTER_SRC;
		m->spi_src_flagged = false;
		break;
	default: /* 110: unused opcode */
		spi_unknown(m, op);
		break;
	}
	return 0x00;
}

/* Cold paths of model_spi_xfer, kept out of the switch's hot cases. */
static uint8_t spi_deselected_byte(struct enc_model *m, uint8_t mosi)
{
	if (m->reset_held) {
		/* DS 11.0: held in reset the chip does nothing; once per hold. */
		if (!m->spi_reset_flagged) {
			m->spi_reset_flagged = true;
			model_diag_spi(m, MODEL_RULE_SPI_IN_RESET, 0, 0, mosi);
		}
	} else if (!m->cs_low && !m->spi_nosel_flagged) {
		/* DS 4.1: CS must be low for any operation. Once per CS-high
		 * period (until the next deselect). (CS low but the decoder idle
		 * means the chip was reset mid-frame: it waits for a new CS
		 * falling edge, silently, as silicon does.) */
		m->spi_nosel_flagged = true;
		model_diag_spi(m, MODEL_RULE_SPI_NOT_SELECTED, 0, 0, mosi);
	}
	return 0xFF;
}

static void spi_after_src_byte(struct enc_model *m, uint8_t mosi)
{
	/* SRC is a one-byte command (DS 4.2.7). Linux sends it as a two-byte
	 * write op, 0xFF 0xFF: a repeated SRC byte is benign (the chip is
	 * already resetting) and not flagged; anything else is, once per
	 * frame. */
	if (mosi != ENC_OP_SRC && !m->spi_src_flagged) {
		m->spi_src_flagged = true;
		model_diag_spi(m, MODEL_RULE_SPI_BYTES_AFTER_SRC, ENC_OP_SRC, 0, mosi);
	}
}

/* Bursts. A run of RBM/WBM bytes that no deadline falls inside, that does
 * not reach ERXND (the read pointer's ring wrap) or 0x1FFF (the 13-bit
 * wrap) and, for a write, does not touch the receive ring (the diagnostic
 * names the byte's time), is one memcpy and one pointer update: exactly
 * what the byte-by-byte path would leave, model_tick at the last byte's
 * time included. Anything else takes the byte-by-byte path. */
static bool burst_clear(const struct enc_model *m, uint64_t t_end)
{
	return m->next_deadline > t_end && !m->reset_held && (reg_get(m, ECON2) & ECON2_AUTOINC);
}

uint64_t model_spi_read_burst(struct enc_model *m, uint8_t *in, size_t n, uint64_t t0, uint64_t ns_per_byte)
{
	uint64_t t_end = t0 + ns_per_byte * n;
	if (n > 0 && m->spi_state == SPI_RBM && burst_clear(m, t_end)) {
		uint16_t a = reg_get16(m, ERDPTL), nd = reg_get16(m, ERXNDL);
		size_t last = (size_t)a + n - 1u;
		if (last <= ENC_BUFFER_LAST && !(a <= nd && last >= nd)) {
			memcpy(in, m->mem + a, n);
			reg_set16(m, ERDPTL, (uint16_t)((last + 1u) & ENC_PTR_MASK));
			m->stats.spi_bytes += (uint32_t)n;
			model_tick(m, t_end);
			return t_end;
		}
	}
	uint64_t t = t0;
	for (size_t i = 0; i < n; i++) {
		t += ns_per_byte;
		in[i] = model_spi_xfer(m, 0x00, t);
	}
	return t;
}

uint64_t model_spi_write_burst(struct enc_model *m, const uint8_t *out, size_t n, uint64_t t0,
			       uint64_t ns_per_byte)
{
	uint64_t t_end = t0 + ns_per_byte * n;
	if (n > 0 && m->spi_state == SPI_WBM && burst_clear(m, t_end)) {
		uint16_t a = reg_get16(m, EWRPTL);
		size_t last = (size_t)a + n - 1u;
		bool ring = (reg_get(m, ECON1) & ECON1_RXEN) && !m->wbm_flagged;
		uint16_t st = reg_get16(m, ERXSTL), nd = reg_get16(m, ERXNDL);
		if (last <= ENC_BUFFER_LAST && (!ring || (st <= nd && (last < st || a > nd)))) {
			memcpy(m->mem + a, out, n);
			reg_set16(m, EWRPTL, (uint16_t)((last + 1u) & ENC_PTR_MASK));
			m->stats.spi_bytes += (uint32_t)n;
			model_tick(m, t_end);
			return t_end;
		}
	}
	uint64_t t = t0;
	for (size_t i = 0; i < n; i++) {
		t += ns_per_byte;
		(void)model_spi_xfer(m, out[i], t);
	}
	return t;
}

uint8_t model_spi_xfer(struct enc_model *m, uint8_t mosi, uint64_t now)
{
	model_tick(m, now);
	m->stats.spi_bytes++;
	switch ((enum spi_state)m->spi_state) {
	case SPI_RBM:
		return model_buf_read(m);
	case SPI_WBM:
		model_buf_write(m, mosi);
		return 0x00;
	case SPI_OPCODE:
		return decode(m, mosi);
	case SPI_RCR_DUMMY:
		/* MAC/MII registers and MISTAT shift out a dummy byte first
		 * (DS Figure 4-4). */
		m->spi_state = SPI_RCR;
		return 0x00;
	case SPI_RCR:
		m->spi_state = SPI_RCR_AGAIN;
		return model_reg_read(m, m->spi_bank, m->spi_addr);
	case SPI_RCR_AGAIN:
		/* Clocking on re-reads the same register. */
		return model_reg_read(m, m->spi_bank, m->spi_addr);
	case SPI_WCR:
	case SPI_BFS:
	case SPI_BFC:
		model_reg_write(m, m->spi_bank, m->spi_addr, mosi, (enum spi_state)m->spi_state);
		/* SRC via a write cannot happen, but a write may reset the
		 * decoder (RESET pin from a callback); only move on if not. */
		if (m->spi_state != SPI_DESELECTED)
			m->spi_state = SPI_IGNORE;
		return 0x00;
	case SPI_DESELECTED:
		return spi_deselected_byte(m, mosi);
	case SPI_IGNORE:
		return 0x00;
	case SPI_AFTER_SRC:
		spi_after_src_byte(m, mosi);
		return 0x00;
	}
	return 0x00;
}
