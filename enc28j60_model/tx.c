/*
 * tx.c - transmission (DS39662E 7.1, Figure 7-1/7-2, Table 7-1; Register 6-2).
 *
 * Setting ECON1.TXRTS (regs.c) calls model_tx_request(): the frame is
 * ETXST+1..ETXND behind its per-packet control byte at ETXST; padding and CRC
 * come from MACON3 (PADCFG, TXCRCEN) unless the control byte has POVERRIDE.
 * The frame then occupies the wire for (bytes + preamble/SFD + IFG) at
 * 10 Mbit/s; at that deadline model_tx_complete() writes the 7-byte TSV at
 * ETXND+1, clears TXRTS, sets TXIF (or TXERIF and ESTAT.TXABRT when it was
 * aborted) and hands the frame to ops.tx_frame with `start` = when the
 * preamble began and `now` = when the IFG after it ended. Aborted frames are
 * not delivered to the link.
 *
 * Errata: #12 (after an abort the next TXRTS never completes unless TXRST was
 * pulsed), #13 (false late collision, half duplex only; see
 * erratum13_false_latecol).
 */
#include <string.h>

#include "model_internal.h"

struct tx_plan {
	uint16_t st;     /* ETXST: control byte */
	uint16_t n;      /* frame bytes in memory */
	uint16_t pad_to; /* 0, 60 or 64 */
	bool crc;        /* chip appends the FCS */
	bool huge;       /* longer than MAMXFL allowed */
	uint32_t out;    /* bytes on the wire excluding preamble/IFG */
};

static uint8_t mem_at(const struct enc_model *m, uint32_t a)
{
	return m->mem[a & ENC_PTR_MASK];
}

static void plan(const struct enc_model *m, struct tx_plan *p)
{
	p->st = reg_get16(m, ETXSTL);
	p->n = (uint16_t)((reg_get16(m, ETXNDL) - p->st) & ENC_PTR_MASK);
	uint8_t ctrl = m->mem[p->st];
	uint8_t macon3 = reg_get(m, MACON3);
	if (ctrl & ENC_TXCTRL_POVERRIDE) {
		p->pad_to = (ctrl & ENC_TXCTRL_PPADEN) ? 60u : 0u;
		p->crc = (ctrl & ENC_TXCTRL_PCRCEN) != 0;
		p->huge = (ctrl & ENC_TXCTRL_PHUGEEN) != 0;
	} else {
		unsigned padcfg = (macon3 & MACON3_PADCFG_MASK) >> 5;
		if (!(padcfg & 1u)) {
			p->pad_to = 0; /* x00, x10: no padding */
		} else if (padcfg == 5u) {
			/* 101: 64 for VLAN-tagged frames (type 0x8100), else 60 */
			bool vlan = mem_at(m, p->st + 13u) == 0x81 && mem_at(m, p->st + 14u) == 0x00;
			p->pad_to = vlan ? 64u : 60u;
		} else {
			p->pad_to = padcfg == 1u ? 60u : 64u; /* 001: 60; 011, 111: 64 */
		}
		/* Padding modes append a valid CRC (Register 6-2). */
		p->crc = (macon3 & MACON3_TXCRCEN) || p->pad_to != 0;
		p->huge = (macon3 & MACON3_HFRMEN) != 0;
	}
	p->out = (p->n > p->pad_to ? p->n : p->pad_to) + (p->crc ? ENC_ETH_FCS_LEN : 0u);
}

void model_tx_request(struct enc_model *m, uint64_t now)
{
	if (m->tx_active || m->tx_stalled || (reg_get(m, ECON1) & ECON1_TXRST))
		return;
	if (m->tx_abort_since_rst)
		model_diag(m, MODEL_RULE_TX_WITHOUT_TXRST, ECON1, reg_get(m, ECON1));
	if (m->tx_fault_stall ||
	    (m->tx_abort_since_rst && (m->cfg.errata & MODEL_ERRATUM_TX_ABORT_STALL))) {
		/* TXRTS stays set, nothing happens until TXRST (erratum 12). */
		m->tx_fault_stall = false;
		m->tx_stalled = true;
		return;
	}
	struct tx_plan p;
	plan(m, &p);
	uint64_t start = now;
	if (m->dma_active && m->deadline[TMR_DMA] > start)
		start = m->deadline[TMR_DMA]; /* DS 7.1: TX waits for a running DMA */
	m->tx_start = start;
	m->tx_active = true;
	if (start == MODEL_TIME_NEVER)
		return; /* behind a DMA that never ends: waits with it */
	model_set_timer(m, TMR_TX,
			start + (uint64_t)(p.out + MODEL_WIRE_OVERHEAD_BYTES) * MODEL_WIRE_NS_PER_BYTE);
}

static void write_tsv(struct enc_model *m, const struct tx_plan *p, const uint8_t *f, enum tx_abort why)
{
	uint8_t tsv[ENC_TSV_LEN] = {0};
	uint32_t out = why == TXA_CANCEL || why == TXA_GIANT ? 0u : p->out;
	tsv[0] = (uint8_t)out;
	tsv[1] = (uint8_t)(out >> 8);
	tsv[4] = (uint8_t)out;
	tsv[5] = (uint8_t)(out >> 8);
	if (why == TXA_NONE)
		tsv[2] |= ENC_TSV_B2_DONE;
	if (p->n >= 14u) {
		unsigned type = (unsigned)(f[12] << 8 | f[13]);
		if ((f[0] & f[1] & f[2] & f[3] & f[4] & f[5]) == 0xFFu)
			tsv[3] |= ENC_TSV_B3_BROADCAST;
		else if (f[0] & 1u)
			tsv[3] |= ENC_TSV_B3_MULTICAST;
		/* Same length checks as on receive (Table 7-1, bits 21/22). */
		uint32_t body = p->crc ? p->out - ENC_ETH_FCS_LEN : (p->n >= 18u ? p->n - 4u : p->n);
		uint32_t data = body >= 14u ? body - 14u : 0u;
		if (type > 1500u)
			tsv[2] |= ENC_TSV_B2_LENOUTRANGE;
		else if (type != data && !(data == 46u && type < 46u))
			tsv[2] |= ENC_TSV_B2_LENCHKERR;
		if (type == 0x8808u) {
			tsv[6] |= ENC_TSV_B6_CONTROL;
			if (p->n >= 16u && f[14] == 0 && f[15] == 1)
				tsv[6] |= ENC_TSV_B6_PAUSE;
		}
		if (type == 0x8100u)
			tsv[6] |= ENC_TSV_B6_VLAN;
	}
	if (!p->crc && p->n >= 4u) {
		/* The host supplied the FCS: the MAC checks it. */
		uint32_t c = model_crc32(f, p->n - 4u);
		const uint8_t *q = f + p->n - 4u;
		uint32_t got = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
		if (c != got)
			tsv[2] |= ENC_TSV_B2_CRCERR;
	}
	if (p->out > reg_get16(m, MAMXFLL))
		tsv[3] |= ENC_TSV_B3_GIANT;
	switch (why) {
	case TXA_EXCOLL:
		tsv[2] |= 0x0Fu; /* 15 retries, then excessive collisions */
		tsv[3] |= ENC_TSV_B3_EXCOLL;
		break;
	case TXA_LATECOL:
		tsv[3] |= ENC_TSV_B3_LATECOL;
		break;
	case TXA_GIANT:
	case TXA_CANCEL:
	case TXA_NONE:
		break;
	}
	uint16_t a = (uint16_t)(reg_get16(m, ETXNDL) + 1u);
	for (unsigned i = 0; i < ENC_TSV_LEN; i++)
		m->mem[(a + i) & ENC_PTR_MASK] = tsv[i];
}

/* Frame as it goes on the wire, into m->frame. */
static void assemble(struct enc_model *m, const struct tx_plan *p)
{
	uint32_t a = p->st + 1u;
	if (a + p->n <= ENC_BUFFER_SIZE) {
		memcpy(m->frame, &m->mem[a], p->n);
	} else {
		for (uint32_t i = 0; i < p->n; i++)
			m->frame[i] = mem_at(m, a + i);
	}
	uint32_t len = p->n;
	if (len < p->pad_to) {
		memset(m->frame + len, 0, p->pad_to - len);
		len = p->pad_to;
	}
	if (p->crc) {
		uint32_t c = model_crc32(m->frame, len);
		m->frame[len] = (uint8_t)c;
		m->frame[len + 1] = (uint8_t)(c >> 8);
		m->frame[len + 2] = (uint8_t)(c >> 16);
		m->frame[len + 3] = (uint8_t)(c >> 24);
	}
}

/* Normal link pulses come every 16 ms (+-8 ms) from an idle link partner
 * (IEEE 802.3 14.2.1.1); the slot time is 512 bits, the first 64 bytes. */
#define NLP_PERIOD_NS 16000000u
#define SLOT_BYTES 64u

/* DS80349 erratum 13 (B5, B7): in half duplex, a link pulse received while
 * the chip transmits is taken for a collision; past the first 64 bytes it is
 * a late collision and the frame is aborted. In full duplex the MAC ignores
 * collisions (MACON3.FULDPX) and the PHY reports none (PHCON1.PDPXMD), so
 * the erratum needs both in half duplex. The chance of an attempt being hit
 * is the time the frame spends on the wire after its first 64 bytes over the
 * pulse period: 7.3 % for a 1518-byte frame, 0.7 % for 200 bytes, none for a
 * minimum-size frame. fault_tx_latecol_ppm, when set, replaces it with a
 * fixed rate per attempt. Seeded either way. */
static bool erratum13_false_latecol(struct enc_model *m, const struct tx_plan *p)
{
	if (!(m->cfg.errata & MODEL_ERRATUM_FALSE_LATECOL))
		return false;
	if ((reg_get(m, MACON3) & MACON3_FULDPX) || (m->phy[PHCON1] & PHCON1_PDPXMD))
		return false;
	if (m->cfg.fault_tx_latecol_ppm)
		return model_chance_ppm(m, m->cfg.fault_tx_latecol_ppm);
	if (p->out <= SLOT_BYTES)
		return false;
	uint64_t exposed_ns = (uint64_t)(p->out - SLOT_BYTES) * MODEL_WIRE_NS_PER_BYTE;
	return model_chance_ppm(m, (uint32_t)(exposed_ns * 1000000u / NLP_PERIOD_NS));
}

void model_tx_complete(struct enc_model *m, uint64_t t)
{
	struct tx_plan p;
	plan(m, &p);
	m->tx_active = false;
	assemble(m, &p);
	enum tx_abort why = TXA_NONE;
	if (p.out > reg_get16(m, MAMXFLL) && !p.huge) {
		why = TXA_GIANT;
	} else if (m->tx_fault_abort) {
		m->tx_fault_abort--;
		why = TXA_EXCOLL;
	} else if (erratum13_false_latecol(m, &p)) {
		why = TXA_LATECOL;
	}
	write_tsv(m, &p, m->frame, why);
	*reg_ptr(m, ECON1) &= (uint8_t)~ECON1_TXRTS;
	if (why == TXA_NONE) {
		*reg_ptr(m, EIR) |= EIR_TXIF;
		m->stats.tx_frames++;
	} else {
		*reg_ptr(m, EIR) |= EIR_TXERIF;
		*reg_ptr(m, ESTAT) |= ESTAT_TXABRT;
		if (why == TXA_LATECOL)
			*reg_ptr(m, ESTAT) |= ESTAT_LATECOL;
		m->tx_abort_since_rst = true;
		m->stats.tx_aborted++;
	}
	model_irq_update(m, t);
	if (why == TXA_NONE && m->ops.tx_frame)
		m->ops.tx_frame(m->ops.ctx, m->frame, p.out, m->tx_start, t);
}

/* The host cleared TXRTS while a frame was pending: cancelled (DS 7.1). The
 * TSV is written without "done", ESTAT.TXABRT set; no TXIF/TXERIF. */
void model_tx_cancel(struct enc_model *m, uint64_t now)
{
	(void)now;
	if (!m->tx_active && !m->tx_stalled)
		return;
	struct tx_plan p;
	plan(m, &p);
	assemble(m, &p);
	write_tsv(m, &p, m->frame, TXA_CANCEL);
	m->tx_active = false;
	m->tx_stalled = false;
	model_set_timer(m, TMR_TX, MODEL_TIME_NEVER);
	*reg_ptr(m, ESTAT) |= ESTAT_TXABRT;
	m->tx_abort_since_rst = true;
	m->stats.tx_aborted++;
}

/* ECON1.TXRST: the transmit logic restarts; a pending frame is dropped
 * without a TSV and erratum 12's stall is cleared. */
void model_tx_reset(struct enc_model *m)
{
	m->tx_active = false;
	m->tx_stalled = false;
	m->tx_abort_since_rst = false;
	model_set_timer(m, TMR_TX, MODEL_TIME_NEVER);
	*reg_ptr(m, ECON1) &= (uint8_t)~ECON1_TXRTS;
}
