/*
 * spi.c - the SPI port: chip-select framing and the seven opcodes
 * (DS39662E 4.2, Table 4-1).
 *
 * Called by the driver's HAL for every byte, so this is the hot path: one
 * time comparison (model_tick), one switch on the decoder state, and for the
 * buffer commands a memory access. A command starts with the first byte after
 * CS falls; RBM/WBM stream until CS rises; a WCR/BFS/BFC takes one data byte;
 * after an SRC, and for the unused opcode 110, bytes are ignored until CS
 * rises. MISO carries 0x00 during the opcode byte and 0xFF while deselected.
 *
 * Buffer memory through RBM/WBM (DS 3.2.3, 4.2.2, 4.2.4): with
 * ECON2.AUTOINC set, a read of the byte at ERXND moves ERDPT to ERXST (the
 * receive ring) and a read at 0x1FFF elsewhere moves it to 0; EWRPT wraps
 * only 0x1FFF -> 0 and never follows the ring. One call per streamed byte,
 * so no loops. The ring helpers here are shared with rx.c and dma.c.
 */
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

void model_spi_select(struct enc_model *m, bool selected, uint64_t now)
{
	model_tick(m, now);
	if (m->reset_held)
		return;
	if (selected) {
		if (m->spi_state == SPI_DESELECTED)
			m->spi_state = SPI_OPCODE;
	} else {
		m->spi_state = SPI_DESELECTED;
		m->wbm_flagged = false;
	}
}

static uint8_t decode(struct enc_model *m, uint8_t op)
{
	uint8_t arg = op & ENC_ARG_MASK;
	uint8_t bank = reg_get(m, ECON1) & ECON1_BSEL_MASK;
	m->spi_bank = bank;
	m->spi_addr = arg;
	switch (op & ENC_OP_MASK) {
	case 0x00: /* RCR */
		m->spi_state = model_reg_is_macmii(bank, arg) ? SPI_RCR_DUMMY : SPI_RCR;
		break;
	case 0x20: /* RBM is 001 11010; other arguments are unused */
		m->spi_state = arg == (ENC_OP_RBM & ENC_ARG_MASK) ? SPI_RBM : SPI_IGNORE;
		break;
	case 0x40:
		m->spi_state = SPI_WCR;
		break;
	case 0x60:
		m->spi_state = arg == (ENC_OP_WBM & ENC_ARG_MASK) ? SPI_WBM : SPI_IGNORE;
		break;
	case 0x80:
		m->spi_state = SPI_BFS;
		break;
	case 0xA0:
		m->spi_state = SPI_BFC;
		break;
	case 0xE0:
		if (op == ENC_OP_SRC && !(reg_get(m, ECON2) & ECON2_PWRSV)) {
			/* DS 11.2; erratum 19: SRC is ignored in power save. */
			model_chip_reset(m, RESET_SRC, m->now);
		}
		m->spi_state = SPI_IGNORE;
		break;
	default: /* 110: unused opcode */
		m->spi_state = SPI_IGNORE;
		break;
	}
	return 0x00;
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
		return 0xFF;
	case SPI_IGNORE:
		return 0x00;
	}
	return 0x00;
}
