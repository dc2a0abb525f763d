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
 * well EIR.LINKIF. MICMD.MIISCAN repeats a read without a timer event per
 * read (see "computed lazily" below).
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

/* ---- MICMD.MIISCAN, computed lazily ----
 *
 * A scan re-reads one PHY register every mii_busy_ns (DS 3.3.3). One timer
 * event per read would cost the simulation an event per 10.24 us of virtual
 * time, for reads that almost always return what the last one did. So
 * between reads the scan is a formula: the read in progress ends at
 * scan_next, the next ones every mii_busy_ns after it. A read that repeats
 * the last one changes nothing but MIRD, so those are caught up only when
 * someone could tell (model_mii_sync): when MIRD or MISTAT is read, before
 * the PHY state or MIREGADR or MICMD changes, and on model_advance(). A
 * timer event is armed only for a read that does more (scan_rearm): the
 * first one (NVALID), one with a side effect (PHIR read clears a pending
 * link interrupt, and with it EIR.LINKIF and maybe INT; PHSTAT1 read
 * re-arms LLSTAT), the first with a new MIREGADR, and the last one after
 * MIISCAN is cleared. Every register value and INT edge is where the
 * read-by-read scan would put it, at the same virtual time. */

/* Would reading PHY register r change PHY state? */
static bool read_has_effect(const struct enc_model *m, uint8_t r)
{
	switch (r) {
	case PHIR:
		return m->phy[PHIR] != 0;
	case PHSTAT1:
		return m->link_up && !(m->phy[PHSTAT1] & PHSTAT1_LLSTAT);
	default:
		return false;
	}
}

/* Arm TMR_MII for the read in progress only if it is not a plain repeat. */
static void scan_rearm(struct enc_model *m)
{
	if (!m->scan_lazy)
		return;
	bool event = !(reg_get(m, MICMD) & MICMD_MIISCAN) ||
		     (reg_get(m, MIREGADR) & 0x1Fu) != m->mii_reg || read_has_effect(m, m->mii_reg);
	model_set_timer(m, TMR_MII, event ? m->scan_next : MODEL_TIME_NEVER);
}

void model_mii_rearm(struct enc_model *m)
{
	scan_rearm(m);
}

/* Complete the plain repeats of a lazy scan due by time t: MIRD then holds
 * what the last of them read (the register has not changed since the last
 * sync, or the change would have synced first). */
void model_mii_sync(struct enc_model *m, uint64_t t)
{
	if (!m->scan_lazy || t < m->scan_next || m->deadline[TMR_MII] != MODEL_TIME_NEVER)
		return; /* nothing due, or the due read is an event of its own */
	uint64_t k = (t - m->scan_next) / m->mii_busy_ns + 1u;
	reg_set16(m, MIRDL, m->phy[m->mii_reg]);
	m->scan_next += k * m->mii_busy_ns;
}

/* A scan read is done at t and MIISCAN is still set: the next one starts
 * now, lazily. */
static void scan_continue(struct enc_model *m, uint64_t t)
{
	m->mii_op = MII_READ;
	m->mii_reg = reg_get(m, MIREGADR) & 0x1Fu;
	*reg_ptr(m, MISTAT) |= MISTAT_BUSY;
	m->scan_lazy = true;
	m->scan_next = t + m->mii_busy_ns;
	scan_rearm(m);
}

static void mii_begin(struct enc_model *m, enum mii_op op, uint64_t now)
{
	/* A new operation replaces a scan's read in progress
	 * (mii-while-busy); the reads before it are done. */
	model_mii_sync(m, now);
	m->scan_lazy = false;
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
	m->scan_lazy = false;
	uint8_t *mistat = reg_ptr(m, MISTAT);
	*mistat &= (uint8_t)~MISTAT_BUSY;
	switch (op) {
	case MII_READ:
		reg_set16(m, MIRDL, phy_read(m, m->mii_reg, t));
		if (*mistat & MISTAT_SCAN) {
			*mistat &= (uint8_t)~MISTAT_NVALID;
			if (reg_get(m, MICMD) & MICMD_MIISCAN)
				scan_continue(m, t);
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
	model_mii_sync(m, t); /* a scan's reads so far saw the old link */
	m->link_up = up;
	if (!up)
		m->phy[PHSTAT1] &= (uint16_t)~PHSTAT1_LLSTAT;
	phy_status(m);
	m->phy[PHIR] |= PHIR_PLNKIF;
	phy_irq(m, t);
	scan_rearm(m);
}

void model_set_link(struct enc_model *m, bool up, uint64_t now)
{
	model_tick(m, now);
	model_phy_link(m, up, m->now);
}
