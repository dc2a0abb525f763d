/*
 * enc28j60_model.h - a register-level model of the Microchip ENC28J60.
 *
 * The model is a struct with named ports, in the simavr way:
 *
 *   SPI   model_spi_select(), model_spi_xfer()   <- the driver's HAL
 *   INT   ops.int_changed(level)                 -> the board (active low)
 *   wire  ops.tx_frame(frame)                    -> the link
 *         model_wire_rx(frame)                   <- the link
 *   PHY   model_set_link()                       <- the test or the link
 *   pin   model_reset_pin()                      <- RESET
 *
 * Time is an input: every entry point takes `now` (virtual nanoseconds, never
 * decreasing; an earlier value is treated as the latest seen). Anything that
 * takes time in silicon (CLKRDY after reset, MISTAT.BUSY, a transmission at
 * 10 Mbit/s, a DMA) completes at a deadline. The host asks
 * model_next_deadline() and calls model_advance() when that time comes; SPI
 * accesses advance the model lazily as well, so a driver polling a busy bit
 * sees it clear at the right virtual time.
 *
 * A datasheet and errata checker records a diagnostic whenever the driver
 * breaks a rule; errata switches reproduce known silicon bugs; seeded fault
 * injection drops, corrupts and flaps.
 *
 * Depends on core/enc28j60/enc28j60_hw.h and the C library only. No globals.
 */
#ifndef ENC28J60_MODEL_H
#define ENC28J60_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MODEL_TIME_NEVER UINT64_MAX

/* Silicon timings, in nanoseconds (configurable per instance). */
#define MODEL_DEFAULT_CLKRDY_NS 300000u   /* oscillator start-up timer */
#define MODEL_DEFAULT_MII_BUSY_NS 10240u  /* MISTAT.BUSY per MII access */
#define MODEL_DEFAULT_DMA_NS_PER_BYTE 0u  /* DMA completes at the next access */
#define MODEL_WIRE_NS_PER_BYTE 800u       /* 10 Mbit/s */
#define MODEL_WIRE_OVERHEAD_BYTES 20u     /* preamble+SFD (8) + IFG (12) */

/* Errata switches: each reproduces one silicon bug (DS80349). */
enum model_erratum {
	MODEL_ERRATUM_PKTIF_UNRELIABLE = 1u << 0, /* #6: PKTIF may stay clear */
	MODEL_ERRATUM_FALSE_LATECOL = 1u << 1,    /* #13: spurious late collision (half duplex) */
	MODEL_ERRATUM_TX_ABORT_STALL = 1u << 2,   /* #12: TX stalls after an abort */
	MODEL_ERRATUM_EVEN_ERXRDPT = 1u << 3,     /* #14: even ERXRDPT corrupts RX */
	MODEL_ERRATUM_CLKRDY_EARLY = 1u << 4,     /* #2: CLKRDY set too early */
};

/* Datasheet/errata checker rules. */
enum model_rule {
	MODEL_RULE_ERXRDPT_EVEN,       /* erratum 14 */
	MODEL_RULE_RXST_NOT_ZERO,      /* erratum 5 */
	MODEL_RULE_MIRD_WHILE_BUSY,    /* DS 3.3.1 */
	MODEL_RULE_RESERVED_ADDRESS,   /* reserved/unimplemented in this bank */
	MODEL_RULE_READ_ONLY_WRITE,    /* ERXWRPT, EPKTCNT, EREVID, PHSTATx ... */
	MODEL_RULE_TX_WITHOUT_TXRST,   /* erratum 12 */
	MODEL_RULE_PKTDEC_AT_ZERO,     /* DS 7.2.4 */
	MODEL_RULE_TX_WRITE_INTO_RX,   /* buffer write inside the receive ring */
	MODEL_RULE_ACCESS_BEFORE_CLKRDY, /* erratum 2 / DS 2.2 */
	MODEL_RULE_RX_CONFIG_WHILE_RXEN, /* ERXST/ERXND changed with RXEN set */
	MODEL_RULE_BITOP_ON_MACMII,    /* BFS/BFC on a MAC/MII register (works, but out of spec) */
	MODEL_RULE_ERXRDPT_OUTSIDE_RING, /* DS 6.1, 7.2.4: ERXRDPT not in ERXST..ERXND */
	MODEL_RULE_DUPLEX_MISMATCH,    /* DS 6.6: MACON3.FULDPX != PHCON1.PDPXMD at RXEN/TXRTS */
	MODEL_RULE_MII_WHILE_BUSY,     /* DS 3.3: MII read/write/scan started with MISTAT.BUSY set */
	MODEL_RULE_TX_OVERLAPS_RX,     /* DS 3.2, 7.1: ETXST..ETXND+7 (with the TSV) in the ring */
	/* Malformed SPI byte streams (DS39662E 4.1, 4.2, Table 4-1). The
	 * offending command byte is in model_diag.op. */
	MODEL_RULE_SPI_UNKNOWN_OPCODE, /* not one of the seven commands: ignored until CS rises */
	MODEL_RULE_SPI_TRUNCATED,      /* CS rose before RCR/WCR/BFS/BFC was complete */
	MODEL_RULE_SPI_BYTES_AFTER_SRC, /* a byte other than 0xFF after SRC, same CS frame */
	MODEL_RULE_SPI_NOT_SELECTED,   /* byte clocked with CS high (select() forgotten) */
	MODEL_RULE_SPI_IN_RESET,       /* byte clocked while the RESET pin is held */
	MODEL_RULE_COUNT
};

struct model_diag {
	enum model_rule rule;
	const char *id;     /* short stable id, e.g. "erxrdpt-even" */
	const char *ref;    /* e.g. "DS80349C erratum 14" */
	uint64_t t_ns;      /* virtual time */
	uint16_t reg;       /* register (packed enc_reg_t or PHY addr | 0x100), or buffer address */
	uint16_t value;     /* value written, where relevant; SPI rules: see below */
	/* SPI rules only (0 otherwise): the command byte (opcode | argument)
	 * the diagnostic is about. For spi-truncated, reg is the register and
	 * value the number of bytes clocked after the opcode; for
	 * spi-bytes-after-src, spi-not-selected and spi-in-reset, value is the
	 * offending MOSI byte and op the SRC (0xFF) or 0. */
	uint8_t op;
};

#ifndef MODEL_DIAG_MAX
#define MODEL_DIAG_MAX 64u /* recorded in full; later ones are only counted */
#endif

struct model_ops {
	/* INT pin changed; asserted == true means the pin is driven low. */
	void (*int_changed)(void *ctx, bool asserted, uint64_t now);
	/* A frame left the chip. frame includes the FCS when the chip appended
	 * one; `start` is when the first bit went on the wire, `now` when the
	 * last bit left. */
	void (*tx_frame)(void *ctx, const uint8_t *frame, size_t len, uint64_t start, uint64_t now);
	void *ctx;
};

struct model_config {
	uint8_t revid;              /* EREVID; 0 = ENC_EREVID_B7 */
	uint32_t errata;            /* enum model_erratum bits */
	uint64_t clkrdy_ns;         /* 0 = default */
	uint64_t mii_busy_ns;       /* 0 = default */
	bool link_up;               /* PHY link at power on */
	uint64_t seed;              /* for errata with random behaviour and faults */
	/* Seeded fault injection, probabilities in parts per million per frame. */
	uint32_t fault_rx_overflow_ppm; /* drop as if the ring were full */
	uint32_t fault_rx_crc_ppm;      /* flip a bit: arrives with a bad FCS */
	/* With MODEL_ERRATUM_FALSE_LATECOL, in half duplex: a fixed rate per
	 * attempt; 0 = the erratum's own rate, from the frame's length (a link
	 * pulse every 16 ms landing past its first 64 bytes: 7.3 % at 1518). */
	uint32_t fault_tx_latecol_ppm;
	/* Added by the model: */
	uint64_t dma_ns_per_byte;       /* 0 = MODEL_DEFAULT_DMA_NS_PER_BYTE */
};

struct enc_model; /* opaque; see model_internal.h */

/* Size of struct enc_model, for callers who place it without malloc. */
size_t model_sizeof(void);
/* Power-on reset into caller memory of model_sizeof() bytes. */
struct enc_model *model_init(void *mem, const struct model_config *cfg, const struct model_ops *ops, uint64_t now);

/* SPI port. select(true) is CS low. xfer returns the MISO byte. */
void model_spi_select(struct enc_model *m, bool selected, uint64_t now);
uint8_t model_spi_xfer(struct enc_model *m, uint8_t mosi, uint64_t now);
/* n bytes clocked back to back, byte i at t0 + (i + 1) * ns_per_byte:
 * the same as n model_spi_xfer() calls (MOSI 0x00 for the read; the MISO
 * bytes of the write are discarded), only faster for a buffer read or
 * write that no deadline interrupts. Returns the time of the last byte. */
uint64_t model_spi_read_burst(struct enc_model *m, uint8_t *in, size_t n, uint64_t t0, uint64_t ns_per_byte);
uint64_t model_spi_write_burst(struct enc_model *m, const uint8_t *out, size_t n, uint64_t t0,
			       uint64_t ns_per_byte);
/* RESET pin (active low): asserted == true holds the chip in reset. */
void model_reset_pin(struct enc_model *m, bool asserted, uint64_t now);

/* Time. */
uint64_t model_next_deadline(const struct enc_model *m);
void model_advance(struct enc_model *m, uint64_t now);

/* Wire. A frame arriving from the link, including its 4-byte FCS, complete at
 * `now`. Returns true when it was stored in the receive ring. */
bool model_wire_rx(struct enc_model *m, const uint8_t *frame, size_t len, uint64_t now);
/* PHY link up/down (raises PHIR.PLNKIF and EIR.LINKIF when enabled). */
void model_set_link(struct enc_model *m, bool up, uint64_t now);
bool model_int_asserted(const struct enc_model *m);

/* Checker. */
unsigned model_diag_count(const struct enc_model *m);            /* all recorded */
unsigned model_diag_count_rule(const struct enc_model *m, enum model_rule r);
const struct model_diag *model_diag_get(const struct enc_model *m, unsigned i);
const char *model_rule_id(enum model_rule r);
const char *model_rule_ref(enum model_rule r);
void model_diag_clear(struct enc_model *m);
/* Format one diagnostic as "t=...ns rule-id (ref): reg 0x..: detail". */
int model_diag_format(const struct model_diag *d, char *buf, size_t cap);

/* Explicit fault injection (in addition to the seeded probabilities). */
void model_fault_rx_overflow(struct enc_model *m, unsigned frames); /* drop next n */
void model_fault_rx_crc(struct enc_model *m, unsigned frames);      /* corrupt next n */
void model_fault_tx_abort(struct enc_model *m, unsigned frames);    /* abort next n TX */
void model_fault_tx_stall(struct enc_model *m);                     /* next TX never completes until TXRST */
void model_fault_link_flap(struct enc_model *m, uint64_t down_at, uint64_t up_at);

/* Counters the tests read. */
struct model_stats {
	uint32_t rx_frames_stored;
	uint32_t rx_dropped_filter;
	uint32_t rx_dropped_full;     /* ring full or EPKTCNT == 255 */
	uint32_t rx_dropped_disabled; /* RXEN clear */
	uint32_t rx_dropped_toolong;  /* above MAMXFL */
	uint32_t rx_dropped_crc;      /* CRCEN and a bad FCS */
	uint32_t rx_dropped_fault;    /* injected overflow */
	uint32_t tx_frames;
	uint32_t tx_aborted;
	uint32_t spi_bytes;
	/* Added by the model: */
	uint32_t rx_dropped_runt;     /* shorter than 18 bytes incl. FCS: no header to filter */
	uint32_t rx_dropped_control;  /* MAC control frame (0x8808) without MACON1.PASSALL */
	uint32_t rx_stored_unguarded; /* stored with ERXRDPT outside the ring: may overwrite unread frames */
	uint32_t rx_pktif_hidden;     /* erratum 6: PKTIF left clear with frames waiting (store or PKTDEC) */
	uint32_t rx_fault_crc;        /* good frames given a bad FCS by injection (seeded or armed) */
};
const struct model_stats *model_get_stats(const struct enc_model *m);

/* Direct inspection for tests (no side effects, no checker). While
 * MICMD.MIISCAN runs, MIRD is brought up to date lazily: by SPI reads of
 * MIRD/MISTAT and by model_advance(); call model_advance(now) before
 * peeking at it. */
uint8_t model_peek_reg(const struct enc_model *m, uint8_t bank, uint8_t addr);
uint16_t model_peek_phy(const struct enc_model *m, uint8_t phreg);
uint8_t model_peek_mem(const struct enc_model *m, uint16_t addr);
void model_poke_mem(struct enc_model *m, uint16_t addr, uint8_t v);

/* IEEE 802.3 CRC-32 as the chip computes the FCS (reflected, ~ on output). */
uint32_t model_crc32(const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* ENC28J60_MODEL_H */
