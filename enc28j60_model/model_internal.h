/*
 * model_internal.h - the state of one ENC28J60 model instance and the
 * functions the model's files share.
 *
 * The register file regs[bank][addr] is the single source of truth for every
 * control register: hardware-maintained bits (EIR.PKTIF, ESTAT.CLKRDY/INT,
 * MISTAT.BUSY, ERXWRPT, EPKTCNT ...) are written into it at the moment they
 * change, so an RCR is a table lookup. The five common registers 0x1B..0x1F
 * live in bank 0 only. Everything that takes time in silicon is a deadline in
 * one of a few timer slots; next_deadline caches the earliest so the SPI hot
 * path pays one comparison per byte (DESIGN.md "time is an input").
 *
 * Files: model.c (instance, resets, time, INT pin, inspection), spi.c
 * (opcodes, RBM/WBM), regs.c (register semantics), rx.c (receive ring),
 * filter.c (ERXFCON filters, CRC), tx.c, dma.c, bist.c (self-test), phy.c (MII + PHY),
 * checker.c (datasheet/errata rules), fault.c (PRNG, injection).
 */
#ifndef MODEL_INTERNAL_H
#define MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60_model.h"

/* Timer slots, each at most one pending deadline. */
enum model_timer {
	TMR_CLKRDY,    /* oscillator start-up timer expires (DS 2.2) */
	TMR_MII,       /* MII read/write finishes, MISTAT.BUSY clears (DS 3.3) */
	TMR_TX,        /* last bit of the frame plus IFG leaves (DS 7.1) */
	TMR_BIST,      /* self-test done, BISTST clears (DS 15.0); before DMA on a tie */
	TMR_DMA,       /* DMA copy/checksum finished (DS 13) */
	TMR_LINK_DOWN, /* injected link flap */
	TMR_LINK_UP,
	TMR_COUNT
};

/* SPI command decoder state (DS 4.2). */
enum spi_state {
	SPI_DESELECTED, /* CS high: bytes ignored */
	SPI_OPCODE,     /* next byte is an opcode */
	SPI_RCR_DUMMY,  /* MAC/MII read: the next byte out is the dummy */
	SPI_RCR,        /* next byte out is the register */
	SPI_WCR,
	SPI_BFS,
	SPI_BFC,        /* RCR_DUMMY..BFC: CS rising here truncates the command */
	SPI_RCR_AGAIN,  /* register shifted out; clocking on re-reads it */
	SPI_RBM,
	SPI_WBM,
	SPI_IGNORE,    /* after a WCR/BFS/BFC data byte, after an unknown opcode */
	SPI_AFTER_SRC  /* after SRC: 0xFF repeats are benign, other bytes flagged once */
};

enum reset_kind { RESET_POR, RESET_PIN, RESET_SRC };

enum mii_op { MII_IDLE, MII_READ, MII_WRITE };

/* Why a transmission ended without success (written into the TSV). */
enum tx_abort {
	TXA_NONE,
	TXA_GIANT,   /* longer than MAMXFL without huge-frame enable */
	TXA_EXCOLL,  /* injected: excessive collisions */
	TXA_LATECOL, /* erratum 13: false late collision */
	TXA_CANCEL,  /* host cleared TXRTS */
};

struct enc_model {
	struct model_config cfg;
	struct model_ops ops;
	uint64_t clkrdy_ns;
	uint64_t mii_busy_ns;

	/* Time. */
	uint64_t now; /* latest time seen */
	uint64_t next_deadline;
	uint64_t deadline[TMR_COUNT];
	uint64_t t_event; /* time of the timer event being handled, else NEVER */

	/* Registers and memories. */
	uint8_t regs[4][32];
	uint16_t phy[32];
	uint8_t mem[ENC_BUFFER_SIZE];

	/* SPI. */
	/* The first four are reset together when CS rises (kept adjacent so
	 * the stores merge: model_spi_select is on the hot path). */
	uint8_t spi_state;  /* enum spi_state */
	bool cs_low;        /* the host's CS level, also while in reset */
	bool wbm_flagged;   /* one TX_WRITE_INTO_RX diagnostic per WBM */
	bool spi_nosel_flagged;  /* one SPI_NOT_SELECTED per CS-high period */
	uint8_t spi_bank;   /* bank latched with the opcode */
	uint8_t spi_addr;   /* register argument of the opcode */
	uint8_t spi_op;     /* the command byte, for spi-truncated */
	bool spi_src_flagged;    /* one SPI_BYTES_AFTER_SRC per SRC frame */
	bool spi_reset_flagged;  /* one SPI_IN_RESET per reset hold */
	bool reset_held;    /* RESET pin asserted */

	/* Chip state that is not a register bit. */
	bool ready;               /* OST expired: MAC/MII/PHY usable */
	bool clkrdy_diag_done;    /* one ACCESS_BEFORE_CLKRDY per not-ready period */
	uint8_t erxrdptl_latch;   /* ERXRDPTL waits for ERXRDPTH (DS 7.2.4) */
	bool int_asserted;        /* INT pin level (true = driven low) */
	bool pktif_suppressed;    /* erratum 6 */
	bool rx_drop_event;       /* a frame was dropped since the last store: RSV bit 16 */
	bool link_up;
	bool duplex_flagged;      /* one DUPLEX_MISMATCH until MACON3 or PHCON1 changes */

	/* MII. */
	uint8_t mii_op; /* enum mii_op */
	uint8_t mii_reg;
	uint16_t mii_wdata;
	bool scan_lazy;     /* MIISCAN read in progress without its own event (phy.c) */
	uint64_t scan_next; /* ... and when it ends */

	/* TX. */
	bool tx_active;          /* TMR_TX armed */
	bool tx_stalled;         /* TXRTS set but the frame will never go */
	bool tx_abort_since_rst; /* an abort happened and TXRST has not been pulsed */
	bool tx_fault_stall;     /* model_fault_tx_stall armed */
	unsigned tx_fault_abort; /* abort the next n */
	uint64_t tx_start;       /* first bit (preamble) on the wire */
	uint64_t tx_free_at;     /* memory port busy until (TX waits for DMA) */

	/* DMA and BIST. */
	bool dma_active;
	uint8_t bist_seed;       /* EBSTSD latched when the test started */

	/* Faults. */
	unsigned rx_fault_overflow;
	unsigned rx_fault_crc;
	uint64_t rng;

	/* Checker. */
	struct model_diag diag[MODEL_DIAG_MAX];
	unsigned diag_total;
	unsigned rule_count[MODEL_RULE_COUNT];

	struct model_stats stats;

	/* Scratch for a frame being padded (RX) or assembled (TX). */
	uint8_t frame[ENC_BUFFER_SIZE + 64u];
};

/* Register access inside the model. r is a packed enc_reg_t from
 * enc28j60_hw.h; common registers are stored in bank 0. */
static inline uint8_t *reg_ptr(struct enc_model *m, enc_reg_t r)
{
	return &m->regs[ENC_REG_IS_COMMON(r) ? 0 : ENC_REG_BANK(r)][ENC_REG_ADDR(r)];
}
static inline uint8_t reg_get(const struct enc_model *m, enc_reg_t r)
{
	return m->regs[ENC_REG_IS_COMMON(r) ? 0 : ENC_REG_BANK(r)][ENC_REG_ADDR(r)];
}
/* 16-bit register pair, low byte at r. */
static inline uint16_t reg_get16(const struct enc_model *m, enc_reg_t lo)
{
	const uint8_t *p = &m->regs[ENC_REG_BANK(lo)][ENC_REG_ADDR(lo)];
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline void reg_set16(struct enc_model *m, enc_reg_t lo, uint16_t v)
{
	uint8_t *p = &m->regs[ENC_REG_BANK(lo)][ENC_REG_ADDR(lo)];
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* model.c */
void model_set_timer(struct enc_model *m, enum model_timer t, uint64_t when);
void model_run_timers(struct enc_model *m);
void model_chip_reset(struct enc_model *m, enum reset_kind kind, uint64_t now);
void model_clock_stop(struct enc_model *m);
void model_clock_start(struct enc_model *m, uint64_t now);

/* Advance lazily: one comparison when nothing is due. */
static inline void model_tick(struct enc_model *m, uint64_t now)
{
	if (now > m->now)
		m->now = now;
	if (m->next_deadline <= m->now)
		model_run_timers(m);
}

/* regs.c */
bool model_reg_is_macmii(uint8_t bank, uint8_t addr);
uint8_t model_reg_read(struct enc_model *m, uint8_t bank, uint8_t addr);
void model_reg_write(struct enc_model *m, uint8_t bank, uint8_t addr, uint8_t v, enum spi_state op);
void model_regs_reset(struct enc_model *m, enum reset_kind kind);

/* spi.c: buffer access */
uint8_t model_buf_read(struct enc_model *m);
void model_buf_write(struct enc_model *m, uint8_t v);
bool model_in_rx_ring(const struct enc_model *m, uint16_t a);
uint16_t model_ring_next(const struct enc_model *m, uint16_t a);

/* rx.c */
void model_rx_pktdec(struct enc_model *m);
void model_rx_update_pktif(struct enc_model *m);
void model_rx_reset(struct enc_model *m);
void model_rx_check_rdpt(struct enc_model *m);

/* filter.c */
bool model_rx_filter(const struct enc_model *m, const uint8_t *f, size_t len);
void model_mac_addr(const struct enc_model *m, uint8_t mac[6]);
unsigned model_hash_index(const uint8_t dest[6]);

/* tx.c */
void model_tx_request(struct enc_model *m, uint64_t now);
void model_tx_cancel(struct enc_model *m, uint64_t now);
void model_tx_reset(struct enc_model *m);
void model_tx_complete(struct enc_model *m, uint64_t t);

/* dma.c */
void model_dma_start(struct enc_model *m, uint64_t now);
void model_dma_abort(struct enc_model *m);
void model_dma_complete(struct enc_model *m, uint64_t t);
uint16_t model_checksum(const uint8_t *p, size_t n);

/* bist.c */
void model_bist_start(struct enc_model *m, uint64_t now);
void model_bist_stop(struct enc_model *m);
void model_bist_complete(struct enc_model *m, uint64_t t);

/* phy.c */
void model_phy_reset(struct enc_model *m);
void model_mii_start_read(struct enc_model *m, uint64_t now);
void model_mii_start_write(struct enc_model *m, uint64_t now);
void model_mii_start_scan(struct enc_model *m, uint64_t now);
void model_mii_complete(struct enc_model *m, uint64_t t);
void model_phy_link(struct enc_model *m, bool up, uint64_t t);
void model_mii_sync(struct enc_model *m, uint64_t t);
void model_mii_rearm(struct enc_model *m);

/* model.c: INT pin */
void model_irq_update(struct enc_model *m, uint64_t t);

/* checker.c */
void model_diag(struct enc_model *m, enum model_rule r, uint16_t reg, uint16_t value);
void model_diag_spi(struct enc_model *m, enum model_rule r, uint8_t op, uint16_t reg, uint16_t value);
void model_check_duplex(struct enc_model *m);
void model_check_tx_span(struct enc_model *m);

/* fault.c */
uint64_t model_rand(struct enc_model *m);
bool model_chance_ppm(struct enc_model *m, uint32_t ppm);

#endif /* MODEL_INTERNAL_H */
