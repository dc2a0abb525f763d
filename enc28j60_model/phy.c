/*
 * phy.c - the PHY registers and the MII management interface that reaches
 * them (DS39662E 3.3, 11.0, 12.1.5; Table 3-3).
 *
 * The host writes MIREGADR, then sets MICMD.MIIRD (read) or writes MIWRL and
 * MIWRH (write; MIWRH starts it). MISTAT.BUSY is then held for mii_busy_ns
 * (10.24 us by default) of virtual time; the PHY register is read or written
 * when BUSY clears. Read side effects happen then: PHIR clears (and with it
 * EIR.LINKIF), PHSTAT1.LLSTAT re-latches the current link. A link change
 * sets PHIR.PLNKIF; with PHIE.PLNKIE that makes PGIF, and with PHIE.PGEIE as
 * well EIR.LINKIF.
 */
#include "model_internal.h"

#define PHY_RO 0x100u /* diag reg tag for PHY addresses */

static void phy_irq(struct enc_model *m, uint64_t t)
{
	uint16_t ie = m->phy[PHIE];
	if ((m->phy[PHIR] & PHIR_PLNKIF) && (ie & PHIE_PLNKIE))
		m->phy[PHIR] |= PHIR_PGIF;
	if ((m->phy[PHIR] & PHIR_PGIF) && (ie & PHIE_PGEIE)) {
		*reg_ptr(m, EIR) |= EIR_LINKIF;
		model_irq_update(m, t);
	}
}

static void phy_status(struct enc_model *m)
{
	uint16_t s2 = 0;
	if (m->link_up)
		s2 |= PHSTAT2_LSTAT;
	if (m->phy[PHCON1] & PHCON1_PDPXMD)
		s2 |= PHSTAT2_DPXSTAT;
	m->phy[PHSTAT2] = s2;
}

void model_phy_reset(struct enc_model *m)
{
	for (unsigned i = 0; i < 32; i++)
		m->phy[i] = 0;
	/* DS39662E Table 3-3: PHSTAT1 resets to 0x1800 with the latching
	 * LLSTAT at 0, whatever the link; the first read re-arms it (phy_read),
	 * so that read says 0x1800 and the next 0x1804 (IEEE 802.3
	 * 22.2.4.2.13: a latching-low bit stays clear until read). */
	m->phy[PHSTAT1] = ENC_RESET_PHSTAT1;
	m->phy[PHID1] = ENC_RESET_PHID1;
	m->phy[PHID2] = ENC_RESET_PHID2;
	m->phy[PHLCON] = ENC_RESET_PHLCON;
	m->duplex_flagged = false;
	phy_status(m);
}

static uint16_t phy_read(struct enc_model *m, uint8_t r, uint64_t t)
{
	uint16_t v = m->phy[r];
	switch (r) {
	case PHSTAT1:
		/* LLSTAT latches low; reading re-arms it with the current link. */
		if (m->link_up)
			m->phy[PHSTAT1] |= PHSTAT1_LLSTAT;
		break;
	case PHIR:
		m->phy[PHIR] = 0; /* read clears, and EIR.LINKIF with it */
		*reg_ptr(m, EIR) &= (uint8_t)~EIR_LINKIF;
		model_irq_update(m, t);
		break;
	default:
		break;
	}
	return v;
}

static void phy_write(struct enc_model *m, uint8_t r, uint16_t v, uint64_t t)
{
	switch (r) {
	case PHCON1:
		if (v & PHCON1_PRST) {
			model_phy_reset(m); /* PRST self-clears */
			break;
		}
		m->phy[PHCON1] = v & (PHCON1_PLOOPBK | PHCON1_PPWRSV | PHCON1_PDPXMD);
		m->duplex_flagged = false; /* a new duplex setting, checked afresh */
		phy_status(m);
		break;
	case PHCON2:
		m->phy[PHCON2] = v & (PHCON2_FRCLNK | PHCON2_TXDIS | PHCON2_JABBER | PHCON2_HDLDIS);
		break;
	case PHIE:
		m->phy[PHIE] = v & (PHIE_PLNKIE | PHIE_PGEIE);
		phy_irq(m, t);
		break;
	case PHLCON:
		m->phy[PHLCON] = v & 0x3FFFu;
		break;
	case PHSTAT1:
	case PHSTAT2:
	case PHID1:
	case PHID2:
	case PHIR:
		model_diag(m, MODEL_RULE_READ_ONLY_WRITE, (uint16_t)(PHY_RO | r), v);
		break;
	default:
		break; /* unimplemented PHY addresses ignore writes */
	}
}

static void mii_begin(struct enc_model *m, enum mii_op op, uint64_t now)
{
	m->mii_op = (uint8_t)op;
	m->mii_reg = reg_get(m, MIREGADR) & 0x1Fu;
	*reg_ptr(m, MISTAT) |= MISTAT_BUSY;
	model_set_timer(m, TMR_MII, now + m->mii_busy_ns);
}

void model_mii_start_read(struct enc_model *m, uint64_t now)
{
	mii_begin(m, MII_READ, now);
}

void model_mii_start_write(struct enc_model *m, uint64_t now)
{
	m->mii_wdata = reg_get16(m, MIWRL);
	mii_begin(m, MII_WRITE, now);
}

/* DS 3.3.3: MICMD.MIISCAN reads MIREGADR again and again, one MII read
 * time apart, keeping BUSY and SCAN set; NVALID clears once MIRD holds the
 * first result. Clearing MIISCAN ends it after the read in progress. */
void model_mii_start_scan(struct enc_model *m, uint64_t now)
{
	*reg_ptr(m, MISTAT) |= MISTAT_SCAN | MISTAT_NVALID;
	mii_begin(m, MII_READ, now);
}

void model_mii_complete(struct enc_model *m, uint64_t t)
{
	enum mii_op op = (enum mii_op)m->mii_op;
	m->mii_op = MII_IDLE;
	uint8_t *mistat = reg_ptr(m, MISTAT);
	*mistat &= (uint8_t)~MISTAT_BUSY;
	switch (op) {
	case MII_READ:
		reg_set16(m, MIRDL, phy_read(m, m->mii_reg, t));
		if (*mistat & MISTAT_SCAN) {
			*mistat &= (uint8_t)~MISTAT_NVALID;
			if (reg_get(m, MICMD) & MICMD_MIISCAN)
				mii_begin(m, MII_READ, t);
			else
				*mistat &= (uint8_t)~MISTAT_SCAN;
		}
		break;
	case MII_WRITE:
		phy_write(m, m->mii_reg, m->mii_wdata, t);
		break;
	case MII_IDLE:
		break;
	}
}

void model_phy_link(struct enc_model *m, bool up, uint64_t t)
{
	if (up == m->link_up)
		return;
	m->link_up = up;
	if (!up)
		m->phy[PHSTAT1] &= (uint16_t)~PHSTAT1_LLSTAT;
	phy_status(m);
	m->phy[PHIR] |= PHIR_PLNKIF;
	phy_irq(m, t);
}

void model_set_link(struct enc_model *m, bool up, uint64_t now)
{
	model_tick(m, now);
	model_phy_link(m, up, m->now);
}
