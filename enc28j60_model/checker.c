/*
 * checker.c - the datasheet and errata checker.
 *
 * Other files call model_diag() at the moment a driver breaks a rule; this
 * file records it with the virtual time, keeps per-rule counts, and turns a
 * record into a line a person can act on. The first MODEL_DIAG_MAX records
 * are kept in full; later ones are only counted. Each rule cites where the
 * rule comes from (DS39662E datasheet section or DS80349 erratum). Rules
 * that look at several registers at once (duplex, the transmit buffer
 * against the ring) are checked here, when the other files ask.
 */
#include <inttypes.h>
#include <stdio.h>

#include "model_internal.h"

struct rule_info {
	const char *id;
	const char *ref;
	const char *what;
};

static const struct rule_info rules[MODEL_RULE_COUNT] = {
	[MODEL_RULE_ERXRDPT_EVEN] = {"erxrdpt-even", "DS80349C erratum 14",
				     "ERXRDPT written with an even value; write NextPacketPtr-1 (or ERXND)"},
	[MODEL_RULE_RXST_NOT_ZERO] = {"rxst-not-zero", "DS80349C erratum 5",
				      "RXEN set with a receive buffer that does not start at 0x0000"},
	[MODEL_RULE_MIRD_WHILE_BUSY] = {"mird-while-busy", "DS39662E 3.3.1",
					"MIRD read while MISTAT.BUSY is set"},
	[MODEL_RULE_RESERVED_ADDRESS] = {"reserved-address", "DS39662E Table 3-1",
					 "access to a reserved address in the selected bank (wrong bank?)"},
	[MODEL_RULE_READ_ONLY_WRITE] = {"read-only-write", "DS39662E Table 3-2",
					"write to a read-only register (wrong bank?)"},
	[MODEL_RULE_TX_WITHOUT_TXRST] = {"tx-without-txrst", "DS80349C erratum 12",
					 "TXRTS set after a transmit abort without pulsing TXRST"},
	[MODEL_RULE_PKTDEC_AT_ZERO] = {"pktdec-at-zero", "DS39662E 7.2.4",
				       "ECON2.PKTDEC set while EPKTCNT is 0"},
	[MODEL_RULE_TX_WRITE_INTO_RX] = {"tx-write-into-rx", "DS39662E 3.2.1",
					 "WBM into the receive ring while RXEN is set"},
	[MODEL_RULE_ACCESS_BEFORE_CLKRDY] = {"access-before-clkrdy", "DS39662E 2.2, DS80349C erratum 2",
					     "MAC/MII/PHY access, RXEN or TXRTS before the clock is ready"},
	[MODEL_RULE_RX_CONFIG_WHILE_RXEN] = {"rx-config-while-rxen", "DS39662E 6.1",
					     "ERXST/ERXND changed while RXEN is set"},
	[MODEL_RULE_BITOP_ON_MACMII] = {"bitop-on-macmii", "DS39662E 4.2.5",
					"BFS/BFC on a MAC/MII register (ETH registers only; applied anyway)"},
	[MODEL_RULE_ERXRDPT_OUTSIDE_RING] = {"erxrdpt-outside-ring", "DS39662E 6.1, 7.2.4",
					     "ERXRDPT outside ERXST..ERXND with RXEN set: the ring no longer "
					     "guards unread frames, new ones overwrite them"},
	[MODEL_RULE_DUPLEX_MISMATCH] = {"duplex-mismatch", "DS39662E 6.6",
					"MACON3.FULDPX does not match PHCON1.PDPXMD (value: PHCON1) at RXEN "
					"or TXRTS"},
	[MODEL_RULE_MII_WHILE_BUSY] = {"mii-while-busy", "DS39662E 3.3.1, 3.3.2, 3.3.3",
				       "MII read, write or scan started while MISTAT.BUSY is set; the one in "
				       "progress is lost"},
	[MODEL_RULE_TX_OVERLAPS_RX] = {"tx-overlaps-rx", "DS39662E 3.2, 7.1",
				       "transmit buffer or its status vector (ETXST..ETXND+7) inside the "
				       "receive ring at TXRTS (value: first shared address)"},
	[MODEL_RULE_SPI_UNKNOWN_OPCODE] = {"spi-unknown-opcode", "DS39662E 4.2, Table 4-1",
					   "not an SPI command; ignored with every byte until CS rises"},
	[MODEL_RULE_SPI_TRUNCATED] = {"spi-truncated", "DS39662E 4.2, Table 4-1",
				      "CS rose mid-command; nothing read or written"},
	[MODEL_RULE_SPI_BYTES_AFTER_SRC] = {"spi-bytes-after-src", "DS39662E 4.2.7, Table 4-1",
					    "SRC is one byte; other bytes in its CS frame are ignored "
					    "(a repeated 0xFF is benign)"},
	[MODEL_RULE_SPI_NOT_SELECTED] = {"spi-not-selected", "DS39662E 4.1",
					 "byte clocked with CS high (missing select?); ignored, MISO floats"},
	[MODEL_RULE_SPI_IN_RESET] = {"spi-in-reset", "DS39662E 11.0",
				     "SPI while RESET is held low; ignored, reported once per hold"},
};

void model_diag(struct enc_model *m, enum model_rule r, uint16_t reg, uint16_t value)
{
	model_diag_spi(m, r, 0, reg, value);
}

/* The same with the SPI command byte the diagnostic is about. */
void model_diag_spi(struct enc_model *m, enum model_rule r, uint8_t op, uint16_t reg, uint16_t value)
{
	if ((unsigned)r >= MODEL_RULE_COUNT)
		return;
	m->rule_count[r]++;
	if (m->diag_total < MODEL_DIAG_MAX) {
		struct model_diag *d = &m->diag[m->diag_total];
		d->rule = r;
		d->id = rules[r].id;
		d->ref = rules[r].ref;
		d->t_ns = m->t_event != MODEL_TIME_NEVER ? m->t_event : m->now;
		d->reg = reg;
		d->value = value;
		d->op = op;
	}
	m->diag_total++;
}

/* DS39662E 6.6: the MAC and the PHY do not negotiate duplex; MACON3.FULDPX
 * must match PHCON1.PDPXMD, or one end sees collisions the other ignores.
 * A driver sets the two a few MII transactions apart, so the rule is
 * checked when they take effect: RXEN or TXRTS set (regs.c). Once until
 * either register is written again. */
void model_check_duplex(struct enc_model *m)
{
	bool mac_full = (reg_get(m, MACON3) & MACON3_FULDPX) != 0;
	bool phy_full = (m->phy[PHCON1] & PHCON1_PDPXMD) != 0;
	if (mac_full == phy_full || m->duplex_flagged)
		return;
	m->duplex_flagged = true;
	model_diag(m, MODEL_RULE_DUPLEX_MISMATCH, MACON3, m->phy[PHCON1]);
}

/* First of lo..hi (no wrap) inside a..b, or -1. */
static int32_t overlap(uint32_t lo, uint32_t hi, uint32_t a, uint32_t b)
{
	if (hi < a || lo > b)
		return -1;
	return (int32_t)(lo > a ? lo : a);
}

/* DS39662E 3.2 (Figure 3-2), 7.1: the transmit buffer is the control byte
 * at ETXST, the frame to ETXND, and the 7-byte status vector the chip
 * writes after it (wrapping 0x1FFF -> 0, where the ring starts, erratum
 * 5). Any of it inside ERXST..ERXND while receiving is overwritten by
 * frames, or overwrites them. Checked at TXRTS with RXEN set. */
void model_check_tx_span(struct enc_model *m)
{
	uint16_t st = reg_get16(m, ERXSTL), nd = reg_get16(m, ERXNDL);
	uint32_t a = reg_get16(m, ETXSTL);
	uint32_t len = ((uint32_t)(reg_get16(m, ETXNDL) - a) & ENC_PTR_MASK) + 1u + ENC_TSV_LEN;
	if (len > ENC_BUFFER_SIZE)
		len = ENC_BUFFER_SIZE;
	while (len) {
		uint32_t seg = ENC_BUFFER_SIZE - a < len ? ENC_BUFFER_SIZE - a : len;
		uint32_t lo = a, hi = a + seg - 1u;
		int32_t hit;
		if (st <= nd) {
			hit = overlap(lo, hi, st, nd);
		} else { /* a ring that wraps 0x1FFF: 0..nd comes first */
			hit = overlap(lo, hi, 0, nd);
			if (hit < 0)
				hit = overlap(lo, hi, st, ENC_PTR_MASK);
		}
		if (hit >= 0) {
			model_diag(m, MODEL_RULE_TX_OVERLAPS_RX, ETXSTL, (uint16_t)hit);
			return;
		}
		len -= seg;
		a = 0;
	}
}

/* Number of diagnostics raised, including those only counted. */
unsigned model_diag_count(const struct enc_model *m)
{
	return m->diag_total;
}

unsigned model_diag_count_rule(const struct enc_model *m, enum model_rule r)
{
	return (unsigned)r < MODEL_RULE_COUNT ? m->rule_count[r] : 0u;
}

/* The i-th recorded diagnostic, or NULL beyond the recorded ones. */
const struct model_diag *model_diag_get(const struct enc_model *m, unsigned i)
{
	if (i >= m->diag_total || i >= MODEL_DIAG_MAX)
		return NULL;
	return &m->diag[i];
}

const char *model_rule_id(enum model_rule r)
{
	return (unsigned)r < MODEL_RULE_COUNT ? rules[r].id : "unknown";
}

const char *model_rule_ref(enum model_rule r)
{
	return (unsigned)r < MODEL_RULE_COUNT ? rules[r].ref : "";
}

void model_diag_clear(struct enc_model *m)
{
	m->diag_total = 0;
	for (unsigned i = 0; i < MODEL_RULE_COUNT; i++)
		m->rule_count[i] = 0;
}

static const char *const opnames[8] = {"RCR", "RBM", "WCR", "WBM", "BFS", "BFC", "110", "SRC"};

static bool is_spi_rule(enum model_rule r)
{
	switch (r) {
	case MODEL_RULE_SPI_UNKNOWN_OPCODE:
	case MODEL_RULE_SPI_TRUNCATED:
	case MODEL_RULE_SPI_BYTES_AFTER_SRC:
	case MODEL_RULE_SPI_NOT_SELECTED:
	case MODEL_RULE_SPI_IN_RESET:
		return true;
	case MODEL_RULE_ERXRDPT_EVEN:
	case MODEL_RULE_RXST_NOT_ZERO:
	case MODEL_RULE_MIRD_WHILE_BUSY:
	case MODEL_RULE_RESERVED_ADDRESS:
	case MODEL_RULE_READ_ONLY_WRITE:
	case MODEL_RULE_TX_WITHOUT_TXRST:
	case MODEL_RULE_PKTDEC_AT_ZERO:
	case MODEL_RULE_TX_WRITE_INTO_RX:
	case MODEL_RULE_ACCESS_BEFORE_CLKRDY:
	case MODEL_RULE_RX_CONFIG_WHILE_RXEN:
	case MODEL_RULE_BITOP_ON_MACMII:
	case MODEL_RULE_ERXRDPT_OUTSIDE_RING:
	case MODEL_RULE_DUPLEX_MISMATCH:
	case MODEL_RULE_MII_WHILE_BUSY:
	case MODEL_RULE_TX_OVERLAPS_RX:
	case MODEL_RULE_COUNT:
	default:
		return false;
	}
}

/* The SPI rules: what was on the wire, then the rule's explanation. */
static int format_spi(const struct model_diag *d, const char *what, char *buf, size_t cap)
{
	const char *id = d->id ? d->id : "?", *ref = d->ref ? d->ref : "?";
	const char *name = opnames[d->op >> 5];
	switch (d->rule) {
	case MODEL_RULE_SPI_UNKNOWN_OPCODE: {
		/* "0xfe (111 11110; SRC is 0xff)": the bits, and the nearest command. */
		static const char *const near[8] = {"", "RBM is 0x3a", "", "WBM is 0x7a", "", "",
						    "opcode 110 is unused", "SRC is 0xff"};
		char bits[10];
		for (unsigned b = 0, k = 0; b < 8; b++) {
			bits[k++] = (char)('0' + ((d->op >> (7u - b)) & 1u));
			if (b == 2)
				bits[k++] = ' ';
		}
		bits[9] = '\0';
		return snprintf(buf, cap, "t=%" PRIu64 "ns %s (%s): opcode 0x%02x (%s; %s): %s", d->t_ns, id, ref,
				d->op, bits, near[d->op >> 5], what);
	}
	case MODEL_RULE_SPI_TRUNCATED: {
		/* RCR of a MAC/MII register: dummy + data; else one data byte. */
		unsigned need = (d->op & ENC_OP_MASK) == ENC_OP_RCR && (d->reg & ENC_REG_MACMII) ? 2u : 1u;
		return snprintf(buf, cap,
				"t=%" PRIu64 "ns %s (%s): %s 0x%02x reg 0x%02x (bank %u addr 0x%02x): "
				"%u of %u byte%s after the opcode: %s",
				d->t_ns, id, ref, name, d->op, d->reg, ENC_REG_BANK(d->reg), ENC_REG_ADDR(d->reg),
				(unsigned)d->value, need, need == 1u ? "" : "s", what);
	}
	case MODEL_RULE_SPI_BYTES_AFTER_SRC:
		return snprintf(buf, cap, "t=%" PRIu64 "ns %s (%s): byte 0x%02x after SRC 0xff: %s", d->t_ns, id, ref,
				(unsigned)d->value, what);
	case MODEL_RULE_SPI_NOT_SELECTED:
	case MODEL_RULE_SPI_IN_RESET:
	case MODEL_RULE_ERXRDPT_EVEN:
	case MODEL_RULE_RXST_NOT_ZERO:
	case MODEL_RULE_MIRD_WHILE_BUSY:
	case MODEL_RULE_RESERVED_ADDRESS:
	case MODEL_RULE_READ_ONLY_WRITE:
	case MODEL_RULE_TX_WITHOUT_TXRST:
	case MODEL_RULE_PKTDEC_AT_ZERO:
	case MODEL_RULE_TX_WRITE_INTO_RX:
	case MODEL_RULE_ACCESS_BEFORE_CLKRDY:
	case MODEL_RULE_RX_CONFIG_WHILE_RXEN:
	case MODEL_RULE_BITOP_ON_MACMII:
	case MODEL_RULE_ERXRDPT_OUTSIDE_RING:
	case MODEL_RULE_DUPLEX_MISMATCH:
	case MODEL_RULE_MII_WHILE_BUSY:
	case MODEL_RULE_TX_OVERLAPS_RX:
	case MODEL_RULE_COUNT:
	default:
		return snprintf(buf, cap, "t=%" PRIu64 "ns %s (%s): byte 0x%02x: %s", d->t_ns, id, ref,
				(unsigned)d->value, what);
	}
}

/* "t=<ns>ns <id> (<ref>): reg 0x..: value 0x....: <what>". reg is a packed
 * enc_reg_t, a PHY address | 0x100, or a buffer address (tx-write-into-rx).
 * The SPI rules name the command byte instead:
 *   spi-unknown-opcode: "opcode 0xc5 (110 00101; opcode 110 is unused): ..."
 *   spi-truncated:      "WCR 0x44 reg 0x04 (bank 0 addr 0x04): 0 of 1 byte after the opcode: ..."
 *   spi-bytes-after-src: "byte 0x12 after SRC 0xff: ..."
 *   spi-not-selected, spi-in-reset: "byte 0x40: ..."
 * Returns what snprintf returns. */
int model_diag_format(const struct model_diag *d, char *buf, size_t cap)
{
	unsigned r = (unsigned)d->rule;
	const char *what = r < MODEL_RULE_COUNT ? rules[r].what : "";
	if (is_spi_rule(d->rule))
		return format_spi(d, what, buf, cap);
	const char *kind = d->rule == MODEL_RULE_TX_WRITE_INTO_RX ? "addr" :
			   (d->reg & 0x100u) ? "phy" : "reg";
	unsigned shown = (d->reg & 0x100u) && d->rule != MODEL_RULE_TX_WRITE_INTO_RX ? d->reg & 0xFFu : d->reg;
	if (d->rule != MODEL_RULE_TX_WRITE_INTO_RX && !(d->reg & 0x100u))
		return snprintf(buf, cap, "t=%" PRIu64 "ns %s (%s): reg 0x%02x (bank %u addr 0x%02x) value 0x%04x: %s",
				d->t_ns, d->id ? d->id : "?", d->ref ? d->ref : "?", d->reg,
				ENC_REG_BANK(d->reg), ENC_REG_ADDR(d->reg), d->value, what);
	return snprintf(buf, cap, "t=%" PRIu64 "ns %s (%s): %s 0x%04x value 0x%04x: %s", d->t_ns,
			d->id ? d->id : "?", d->ref ? d->ref : "?", kind, shown, d->value, what);
}
