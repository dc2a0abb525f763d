/*
 * model.c - instance life cycle, resets, virtual time and inspection.
 *
 * model_init() places the instance in caller memory and applies a power-on
 * reset. The three resets (power-on, RESET pin, SRC) share
 * model_chip_reset(); they differ in what survives (DS39662E 11.0: the PHY
 * and ECOCON keep their values across an SRC). Time only moves forward:
 * every entry point clamps `now` to the latest value seen, then fires due
 * timer slots in deadline order, each at its own deadline, so callbacks see
 * the time the event really happened in silicon.
 *
 * The INT pin (DS 12.0, Figure 12-1) lives here too: it is driven low while
 * EIE.INTIE is set and some EIR flag has its enable bit set; ESTAT.INT
 * mirrors it, and every change of level goes to ops.int_changed. A driver
 * that clears INTIE on entry to its handler and sets it again on exit
 * (Linux enc28j60) thus sees a fresh falling edge when flags are pending.
 */
#include <string.h>

#include "model_internal.h"

size_t model_sizeof(void)
{
	return sizeof(struct enc_model);
}

/* Power-on reset into caller memory. */
struct enc_model *model_init(void *mem, const struct model_config *cfg, const struct model_ops *ops,
			     uint64_t now)
{
	struct enc_model *m = mem;
	memset(m, 0, sizeof(*m));
	if (cfg)
		m->cfg = *cfg;
	if (ops)
		m->ops = *ops;
	if (m->cfg.revid == 0)
		m->cfg.revid = ENC_EREVID_B7;
	m->clkrdy_ns = m->cfg.clkrdy_ns ? m->cfg.clkrdy_ns : MODEL_DEFAULT_CLKRDY_NS;
	m->mii_busy_ns = m->cfg.mii_busy_ns ? m->cfg.mii_busy_ns : MODEL_DEFAULT_MII_BUSY_NS;
	/* splitmix64 state; any seed (including 0) gives a usable stream. */
	m->rng = m->cfg.seed ^ 0x5EED5EED5EED5EEDull;
	m->link_up = m->cfg.link_up;
	m->now = now;
	for (unsigned i = 0; i < TMR_COUNT; i++)
		m->deadline[i] = MODEL_TIME_NEVER;
	m->next_deadline = MODEL_TIME_NEVER;
	m->t_event = MODEL_TIME_NEVER;
	model_chip_reset(m, RESET_POR, now);
	return m;
}

void model_set_timer(struct enc_model *m, enum model_timer t, uint64_t when)
{
	m->deadline[t] = when;
	uint64_t next = MODEL_TIME_NEVER;
	for (unsigned i = 0; i < TMR_COUNT; i++)
		if (m->deadline[i] < next)
			next = m->deadline[i];
	m->next_deadline = next;
}

/* Fire every slot due at m->now, earliest first. A handler may arm another
 * slot (TX waiting for DMA), so re-scan after each. */
void model_run_timers(struct enc_model *m)
{
	while (m->next_deadline <= m->now) {
		unsigned slot = 0;
		for (unsigned i = 1; i < TMR_COUNT; i++)
			if (m->deadline[i] < m->deadline[slot])
				slot = i;
		uint64_t t = m->deadline[slot];
		model_set_timer(m, (enum model_timer)slot, MODEL_TIME_NEVER);
		m->t_event = t;
		switch ((enum model_timer)slot) {
		case TMR_CLKRDY:
			m->ready = true;
			m->clkrdy_diag_done = false;
			*reg_ptr(m, ESTAT) |= ESTAT_CLKRDY;
			break;
		case TMR_MII:
			model_mii_complete(m, t);
			break;
		case TMR_TX:
			model_tx_complete(m, t);
			break;
		case TMR_BIST:
			model_bist_complete(m, t);
			break;
		case TMR_DMA:
			model_dma_complete(m, t);
			break;
		case TMR_LINK_DOWN:
			model_phy_link(m, false, t);
			break;
		case TMR_LINK_UP:
			model_phy_link(m, true, t);
			break;
		case TMR_COUNT:
			break;
		}
		m->t_event = MODEL_TIME_NEVER;
	}
}

/* The oscillator stops (reset, power save): CLKRDY clears and MAC/MII/PHY
 * become unusable until model_clock_start()'s timer expires. */
void model_clock_stop(struct enc_model *m)
{
	m->ready = false;
	m->clkrdy_diag_done = false;
	*reg_ptr(m, ESTAT) &= (uint8_t)~ESTAT_CLKRDY;
	model_set_timer(m, TMR_CLKRDY, MODEL_TIME_NEVER);
}

void model_clock_start(struct enc_model *m, uint64_t now)
{
	model_set_timer(m, TMR_CLKRDY, now + m->clkrdy_ns);
}

void model_chip_reset(struct enc_model *m, enum reset_kind kind, uint64_t now)
{
	bool clkrdy_was = (reg_get(m, ESTAT) & ESTAT_CLKRDY) != 0;
	model_set_timer(m, TMR_MII, MODEL_TIME_NEVER);
	model_set_timer(m, TMR_TX, MODEL_TIME_NEVER);
	model_set_timer(m, TMR_DMA, MODEL_TIME_NEVER);
	model_set_timer(m, TMR_BIST, MODEL_TIME_NEVER);
	model_regs_reset(m, kind);
	if (kind != RESET_SRC)
		model_phy_reset(m);
	m->spi_state = SPI_AFTER_SRC; /* SRC: ignore the rest until CS rises */
	if (kind != RESET_SRC)
		m->spi_state = SPI_DESELECTED;
	m->wbm_flagged = false;
	m->spi_src_flagged = false; /* SRC frames also clear it in decode() */
	m->erxrdptl_latch = (uint8_t)ENC_RESET_ERXRDPT;
	m->pktif_suppressed = false;
	m->rx_drop_event = false;
	m->duplex_flagged = false;
	m->mii_op = MII_IDLE;
	m->scan_lazy = false;
	m->tx_active = false;
	m->tx_stalled = false;
	m->tx_abort_since_rst = false;
	m->tx_free_at = 0;
	m->dma_active = false;
	model_clock_stop(m);
	if (kind == RESET_SRC && clkrdy_was && (m->cfg.errata & MODEL_ERRATUM_CLKRDY_EARLY)) {
		/* DS80349 erratum 2: after an SRC, CLKRDY is not cleared although
		 * the clock is stopped; polling it proves nothing. */
		*reg_ptr(m, ESTAT) |= ESTAT_CLKRDY;
	}
	if (!m->reset_held)
		model_clock_start(m, now);
	model_irq_update(m, now);
}

void model_reset_pin(struct enc_model *m, bool asserted, uint64_t now)
{
	model_tick(m, now);
	if (asserted == m->reset_held)
		return;
	m->reset_held = asserted;
	if (asserted)
		m->spi_reset_flagged = false; /* one SPI_IN_RESET per hold */
	/* Held in reset: everything is at its reset value and the OST does not
	 * run; released: the OST starts (DS 11.1). */
	model_chip_reset(m, RESET_PIN, m->now);
}

uint64_t model_next_deadline(const struct enc_model *m)
{
	return m->next_deadline;
}

void model_advance(struct enc_model *m, uint64_t now)
{
	model_tick(m, now);
	model_mii_sync(m, m->now); /* MIRD current for model_peek_reg() */
}

bool model_int_asserted(const struct enc_model *m)
{
	return m->int_asserted;
}

const struct model_stats *model_get_stats(const struct enc_model *m)
{
	return &m->stats;
}

uint8_t model_peek_reg(const struct enc_model *m, uint8_t bank, uint8_t addr)
{
	addr &= ENC_REG_ADDR_MASK;
	return m->regs[addr >= ENC_COMMON_FIRST ? 0 : (bank & 3u)][addr];
}

uint16_t model_peek_phy(const struct enc_model *m, uint8_t phreg)
{
	return m->phy[phreg & 0x1Fu];
}

uint8_t model_peek_mem(const struct enc_model *m, uint16_t addr)
{
	return m->mem[addr & ENC_PTR_MASK];
}

void model_poke_mem(struct enc_model *m, uint16_t addr, uint8_t v)
{
	m->mem[addr & ENC_PTR_MASK] = v;
}

void model_irq_update(struct enc_model *m, uint64_t t)
{
	uint8_t eie = reg_get(m, EIE);
	uint8_t eir = reg_get(m, EIR);
	bool level = (eie & EIE_INTIE) && (eie & eir & 0x7Bu);
	uint8_t *estat = reg_ptr(m, ESTAT);
	*estat = level ? (uint8_t)(*estat | ESTAT_INT) : (uint8_t)(*estat & ~ESTAT_INT);
	if (level == m->int_asserted)
		return;
	m->int_asserted = level;
	if (m->ops.int_changed)
		m->ops.int_changed(m->ops.ctx, level, t);
}
