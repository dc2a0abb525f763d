/*
 * checker.c - the datasheet and errata checker.
 *
 * Other files call model_diag() at the moment a driver breaks a rule; this
 * file records it with the virtual time, keeps per-rule counts, and turns a
 * record into a line a person can act on. The first MODEL_DIAG_MAX records
 * are kept in full; later ones are only counted. Each rule cites where the
 * rule comes from (DS39662E datasheet section or DS80349 erratum).
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
};

void model_diag(struct enc_model *m, enum model_rule r, uint16_t reg, uint16_t value)
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
	}
	m->diag_total++;
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

/* "t=<ns>ns <id> (<ref>): reg 0x..: value 0x....: <what>". reg is a packed
 * enc_reg_t, a PHY address | 0x100, or a buffer address (tx-write-into-rx).
 * Returns what snprintf returns. */
int model_diag_format(const struct model_diag *d, char *buf, size_t cap)
{
	unsigned r = (unsigned)d->rule;
	const char *what = r < MODEL_RULE_COUNT ? rules[r].what : "";
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
