/*
 * test_model_checker.c - the datasheet/errata checker. A deliberately
 * careless driver, written as raw SPI bytes, breaks every rule once; each
 * diagnostic is checked for rule id, reference, register and time. A careful
 * driver doing the same work raises none.
 */
#include <stdio.h>

#include "model_test.h"

static struct harness H;
static uint8_t F[256];

/* Raw SPI, no bank bookkeeping: the careless driver manages ECON1 itself. */
static void wcr(uint8_t addr, uint8_t v)
{
	model_spi_select(H.m, true, H.t);
	model_spi_xfer(H.m, (uint8_t)(ENC_OP_WCR | addr), H.t);
	model_spi_xfer(H.m, v, H.t);
	model_spi_select(H.m, false, H.t);
}
static void bfs(uint8_t addr, uint8_t v)
{
	model_spi_select(H.m, true, H.t);
	model_spi_xfer(H.m, (uint8_t)(ENC_OP_BFS | addr), H.t);
	model_spi_xfer(H.m, v, H.t);
	model_spi_select(H.m, false, H.t);
}
static uint8_t rcr(uint8_t addr, bool dummy)
{
	model_spi_select(H.m, true, H.t);
	model_spi_xfer(H.m, (uint8_t)(ENC_OP_RCR | addr), H.t);
	if (dummy)
		model_spi_xfer(H.m, 0, H.t);
	uint8_t v = model_spi_xfer(H.m, 0, H.t);
	model_spi_select(H.m, false, H.t);
	return v;
}
static void bank(uint8_t b)
{
	wcr(ENC_REG_ADDR(ECON1), b); /* also clears RXEN/TXRTS, as careless drivers do */
}

static void expect(unsigned i, enum model_rule r, const char *id, const char *ref, uint16_t reg, uint64_t t)
{
	const struct model_diag *d = model_diag_get(H.m, i);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->rule, r);
	ck_assert_str_eq(d->id, id);
	ck_assert_str_eq(d->ref, ref);
	ck_assert_str_eq(model_rule_id(r), id);
	ck_assert_str_eq(model_rule_ref(r), ref);
	ck_assert_uint_eq(d->reg, reg);
	ck_assert_uint_eq(d->t_ns, t);
	ck_assert_uint_eq(model_diag_count_rule(H.m, r), 1);
}

START_TEST(test_careless_driver_breaks_every_rule)
{
	h_init(&H, NULL);
	unsigned i = 0;

	/* 1. MAC register before the oscillator is ready (no wait after POR). */
	H.t = 1000;
	bank(2);
	wcr(ENC_REG_ADDR(MACON1), MACON1_MARXEN);
	expect(i++, MODEL_RULE_ACCESS_BEFORE_CLKRDY, "access-before-clkrdy", "DS39662E 2.2, DS80349C erratum 2",
	       MACON1, 1000);
	ck_assert_uint_eq(model_peek_reg(H.m, 2, ENC_REG_ADDR(MACON1)), 0); /* not applied */

	H.t = 1000000;
	wcr(ENC_REG_ADDR(MACON1), MACON1_MARXEN);
	/* 2. Reserved address in bank 2 (0x01, MACON2 on old silicon). */
	H.t += 100;
	wcr(0x01, 0x00);
	expect(i++, MODEL_RULE_RESERVED_ADDRESS, "reserved-address", "DS39662E Table 3-1", ENC_REG(0x01, 2, 0),
	       H.t);
	/* 3. BFS on a MAC register. */
	H.t += 100;
	bfs(ENC_REG_ADDR(MACON3), MACON3_TXCRCEN);
	expect(i++, MODEL_RULE_BITOP_ON_MACMII, "bitop-on-macmii", "DS39662E 4.2.5", MACON3, H.t);
	/* 4. MIRD read while BUSY. */
	wcr(ENC_REG_ADDR(MIREGADR), PHSTAT2);
	wcr(ENC_REG_ADDR(MICMD), MICMD_MIIRD);
	H.t += 2000; /* far less than 10.24 us */
	rcr(ENC_REG_ADDR(MIRDH), true);
	expect(i++, MODEL_RULE_MIRD_WHILE_BUSY, "mird-while-busy", "DS39662E 3.3.1", MIRDH, H.t);
	H.t += 20000;
	wcr(ENC_REG_ADDR(MICMD), 0);
	/* 5a. Write to a read-only register: EPKTCNT in bank 1. */
	bank(1);
	H.t += 100;
	wcr(ENC_REG_ADDR(EPKTCNT), 0);
	expect(i++, MODEL_RULE_READ_ONLY_WRITE, "read-only-write", "DS39662E Table 3-2", EPKTCNT, H.t);
	/* 6. ERXRDPT even. */
	bank(0);
	H.t += 100;
	wcr(ENC_REG_ADDR(ERXRDPTL), 0x00);
	wcr(ENC_REG_ADDR(ERXRDPTH), 0x08);
	expect(i++, MODEL_RULE_ERXRDPT_EVEN, "erxrdpt-even", "DS80349C erratum 14", ERXRDPTH, H.t);
	ck_assert_uint_eq(model_diag_get(H.m, i - 1)->value, 0x0800);
	/* 7. RX enabled with ERXST still at its reset value 0x05FA. */
	H.t += 100;
	bfs(ENC_REG_ADDR(ECON1), ECON1_RXEN);
	expect(i++, MODEL_RULE_RXST_NOT_ZERO, "rxst-not-zero", "DS80349C erratum 5", ERXSTL, H.t);
	ck_assert_uint_eq(model_diag_get(H.m, i - 1)->value, 0x05FA);
	/* 8. Ring end moved while receiving. */
	H.t += 100;
	wcr(ENC_REG_ADDR(ERXNDL), 0xFE);
	expect(i++, MODEL_RULE_RX_CONFIG_WHILE_RXEN, "rx-config-while-rxen", "DS39662E 6.1", ERXNDL, H.t);
	/* 8b. ERXRDPT below the ring (0x05FA..0x1FFE) while receiving. */
	H.t += 100;
	wcr(ENC_REG_ADDR(ERXRDPTL), 0x01);
	wcr(ENC_REG_ADDR(ERXRDPTH), 0x01);
	expect(i++, MODEL_RULE_ERXRDPT_OUTSIDE_RING, "erxrdpt-outside-ring", "DS39662E 6.1, 7.2.4", ERXRDPTH,
	       H.t);
	ck_assert_uint_eq(model_diag_get(H.m, i - 1)->value, 0x0101);
	/* 9. A transmit buffer inside the receive ring (0x05FA..0x1FFE). */
	wcr(ENC_REG_ADDR(EWRPTL), 0x00);
	wcr(ENC_REG_ADDR(EWRPTH), 0x10);
	H.t += 100;
	model_spi_select(H.m, true, H.t);
	model_spi_xfer(H.m, ENC_OP_WBM, H.t);
	for (unsigned k = 0; k < 8; k++)
		model_spi_xfer(H.m, 0xAA, H.t);
	model_spi_select(H.m, false, H.t);
	expect(i++, MODEL_RULE_TX_WRITE_INTO_RX, "tx-write-into-rx", "DS39662E 3.2.1", 0x1000, H.t);
	/* 10. PKTDEC with nothing to release. */
	H.t += 100;
	bfs(ENC_REG_ADDR(ECON2), ECON2_PKTDEC);
	expect(i++, MODEL_RULE_PKTDEC_AT_ZERO, "pktdec-at-zero", "DS39662E 7.2.4", ECON2, H.t);
	/* 11. Transmit after an abort without TXRST. */
	model_fault_tx_abort(H.m, 1);
	wcr(ENC_REG_ADDR(ETXSTL), 0x00);
	wcr(ENC_REG_ADDR(ETXSTH), 0x00);
	wcr(ENC_REG_ADDR(ETXNDL), 0x40);
	wcr(ENC_REG_ADDR(ETXNDH), 0x00);
	bfs(ENC_REG_ADDR(ECON1), ECON1_TXRTS);
	H.t += 1000000;
	ck_assert_uint_eq(rcr(ENC_REG_ADDR(EIR), false) & EIR_TXERIF, EIR_TXERIF);
	bfs(ENC_REG_ADDR(ECON1), ECON1_TXRTS);
	expect(i++, MODEL_RULE_TX_WITHOUT_TXRST, "tx-without-txrst", "DS80349C erratum 12", ECON1, H.t);
	/* 11b. A transmit buffer inside the receive ring (0x05FA..0x1FFE),
	 * RXEN still set. */
	H.t += 1000000;
	bfs(ENC_REG_ADDR(ECON1), ECON1_TXRST);
	wcr(ENC_REG_ADDR(ECON1), ECON1_RXEN); /* TXRST back to 0, RXEN kept */
	wcr(ENC_REG_ADDR(ETXSTL), 0x00);
	wcr(ENC_REG_ADDR(ETXSTH), 0x1F);
	wcr(ENC_REG_ADDR(ETXNDL), 0x40);
	wcr(ENC_REG_ADDR(ETXNDH), 0x1F);
	bfs(ENC_REG_ADDR(ECON1), ECON1_TXRTS);
	expect(i++, MODEL_RULE_TX_OVERLAPS_RX, "tx-overlaps-rx", "DS39662E 3.2, 7.1", ETXSTL, H.t);
	ck_assert_uint_eq(model_diag_get(H.m, i - 1)->value, 0x1F00);
	/* 11c. MAC in full duplex, PHY left in half duplex, at TXRTS. */
	H.t += 1000000;
	bank(2);
	wcr(ENC_REG_ADDR(MACON3), MACON3_FULDPX);
	H.t += 100;
	bfs(ENC_REG_ADDR(ECON1), ECON1_TXRTS);
	expect(i++, MODEL_RULE_DUPLEX_MISMATCH, "duplex-mismatch", "DS39662E 6.6", MACON3, H.t);
	/* 5b. PHSTAT2 written through MII: counted under read-only-write. */
	H.t += 1000000;
	bank(2);
	wcr(ENC_REG_ADDR(MIREGADR), PHSTAT2);
	wcr(ENC_REG_ADDR(MIWRL), 0);
	wcr(ENC_REG_ADDR(MIWRH), 0);
	uint64_t t_start = H.t;
	H.t += 20000;
	model_advance(H.m, H.t);
	unsigned i_phy = i;
	const struct model_diag *d = model_diag_get(H.m, i++);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->rule, MODEL_RULE_READ_ONLY_WRITE);
	ck_assert_uint_eq(d->reg, 0x100u | PHSTAT2);
	ck_assert_uint_eq(d->t_ns, t_start + 10240);
	/* 5c. An MII write started while a read is still busy. */
	H.t += 1000;
	wcr(ENC_REG_ADDR(MIREGADR), PHLCON);
	wcr(ENC_REG_ADDR(MICMD), MICMD_MIIRD);
	H.t += 1000;
	wcr(ENC_REG_ADDR(MIWRL), 0x22);
	wcr(ENC_REG_ADDR(MIWRH), 0x34);
	expect(i++, MODEL_RULE_MII_WHILE_BUSY, "mii-while-busy", "DS39662E 3.3.1, 3.3.2, 3.3.3", MIWRH, H.t);
	H.t += 20000;
	wcr(ENC_REG_ADDR(MICMD), 0);

	/* Malformed SPI streams (bank 2 is selected). 12. Unused opcode 110:
	 * its bytes are ignored until CS rises. */
	H.t += 1000;
	model_spi_select(H.m, true, H.t);
	model_spi_xfer(H.m, 0xC5, H.t);
	model_spi_xfer(H.m, 0x12, H.t);
	model_spi_select(H.m, false, H.t);
	expect(i++, MODEL_RULE_SPI_UNKNOWN_OPCODE, "spi-unknown-opcode", "DS39662E 4.2, Table 4-1", 0, H.t);
	ck_assert_uint_eq(model_diag_get(H.m, i - 1)->op, 0xC5);
	/* 13. WCR cut short before its data byte: nothing written. */
	uint8_t macon3 = model_peek_reg(H.m, 2, ENC_REG_ADDR(MACON3));
	H.t += 1000;
	model_spi_select(H.m, true, H.t);
	model_spi_xfer(H.m, (uint8_t)(ENC_OP_WCR | ENC_REG_ADDR(MACON3)), H.t);
	H.t += 50;
	model_spi_select(H.m, false, H.t);
	expect(i++, MODEL_RULE_SPI_TRUNCATED, "spi-truncated", "DS39662E 4.2, Table 4-1", MACON3, H.t);
	ck_assert_uint_eq(model_diag_get(H.m, i - 1)->op, ENC_OP_WCR | ENC_REG_ADDR(MACON3));
	ck_assert_uint_eq(model_diag_get(H.m, i - 1)->value, 0);
	ck_assert_uint_eq(model_peek_reg(H.m, 2, ENC_REG_ADDR(MACON3)), macon3);
	/* 14. A byte clocked with CS high. */
	H.t += 1000;
	ck_assert_uint_eq(model_spi_xfer(H.m, 0x5F, H.t), 0xFF);
	expect(i++, MODEL_RULE_SPI_NOT_SELECTED, "spi-not-selected", "DS39662E 4.1", 0, H.t);
	ck_assert_uint_eq(model_diag_get(H.m, i - 1)->value, 0x5F);
	/* 15. Bytes while RESET is held. */
	H.t += 1000;
	model_reset_pin(H.m, true, H.t);
	H.t += 1000;
	model_spi_select(H.m, true, H.t);
	ck_assert_uint_eq(model_spi_xfer(H.m, 0x1F, H.t), 0xFF);
	model_spi_select(H.m, false, H.t);
	expect(i++, MODEL_RULE_SPI_IN_RESET, "spi-in-reset", "DS39662E 11.0", 0, H.t);
	H.t += 1000;
	model_reset_pin(H.m, false, H.t);
	/* 16. SRC followed by a byte that is not 0xFF in the same frame. */
	H.t += 1000;
	model_spi_select(H.m, true, H.t);
	model_spi_xfer(H.m, ENC_OP_SRC, H.t);
	model_spi_xfer(H.m, ENC_OP_SRC, H.t); /* Linux style: benign */
	model_spi_xfer(H.m, 0x00, H.t);
	model_spi_select(H.m, false, H.t);
	expect(i++, MODEL_RULE_SPI_BYTES_AFTER_SRC, "spi-bytes-after-src", "DS39662E 4.2.7, Table 4-1", 0, H.t);

	ck_assert_uint_eq(model_diag_count(H.m), i);
	for (unsigned r = 0; r < MODEL_RULE_COUNT; r++)
		ck_assert_uint_ge(model_diag_count_rule(H.m, (enum model_rule)r), 1);

	char line[256];
	int n = model_diag_format(model_diag_get(H.m, 5), line, sizeof(line));
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(line, "erxrdpt-even"));
	ck_assert_ptr_nonnull(strstr(line, "DS80349C erratum 14"));
	ck_assert_ptr_nonnull(strstr(line, "0x0800"));
	ck_assert(strncmp(line, "t=", 2) == 0);
	model_diag_format(model_diag_get(H.m, i_phy), line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, "phy 0x0011"));

	model_diag_clear(H.m);
	ck_assert_uint_eq(model_diag_count(H.m), 0);
	ck_assert_ptr_null(model_diag_get(H.m, 0));
}
END_TEST

START_TEST(test_careful_driver_raises_nothing)
{
	h_init(&H, NULL);
	h_driver_init(&H);
	h_phy_write(&H, PHIE, PHIE_PGEIE | PHIE_PLNKIE);
	h_wcr(&H, EIE, EIE_INTIE | EIE_PKTIE | EIE_TXIE | EIE_TXERIE | EIE_RXERIE | EIE_LINKIE);
	uint16_t ptr = 0;
	for (unsigned k = 0; k < 100; k++) {
		size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46 + k);
		ck_assert(model_wire_rx(H.m, F, n, H.t));
		while (h_rcr(&H, EPKTCNT)) {
			uint16_t cnt, st;
			uint16_t next = h_rx_read(&H, ptr, &cnt, &st, NULL);
			h_rx_release(&H, next);
			ptr = next;
		}
		h_tx_send(&H, 0, F, n - 4);
		while (!(h_rcr(&H, EIR) & (EIR_TXIF | EIR_TXERIF)))
			H.t += 5000;
		h_phy_read(&H, PHSTAT2);
	}
	/* DMA checksum outside the ring, then link flap handling. */
	h_wr16(&H, EDMASTL, H_TXST);
	h_wr16(&H, EDMANDL, H_TXST + 20);
	h_bfs(&H, ECON1, ECON1_CSUMEN | ECON1_DMAST);
	while (h_rcr(&H, ECON1) & ECON1_DMAST)
		H.t += 1000;
	model_set_link(H.m, false, H.t);
	h_phy_read(&H, PHIR);
	ck_assert_uint_eq(H.ntx, 100);
	for (unsigned k = 0; k < model_diag_count(H.m) && k < 5; k++) {
		char line[256];
		model_diag_format(model_diag_get(H.m, k), line, sizeof(line));
		fprintf(stderr, "unexpected: %s\n", line);
	}
	ck_assert_uint_eq(model_diag_count(H.m), 0);
}
END_TEST

/* DS39662E 6.6: MACON3.FULDPX must match PHCON1.PDPXMD. Checked when it
 * takes effect (RXEN, TXRTS), once per configuration; the driver's own
 * order of writes (MAC first, the PHY a few MII transactions later) is
 * never flagged. */
START_TEST(test_duplex_mismatch_fires_when_it_takes_effect)
{
	h_init(&H, NULL);
	h_driver_init(&H); /* half duplex in both */
	size_t n = h_frame(F, h_peer, h_mac, 0x0800, 46) - 4;
	h_tx_send(&H, 0, F, n);
	h_wait(&H, 1000000);
	ck_assert_uint_eq(model_diag_count(H.m), 0);
	/* The MAC goes full duplex, the PHY is forgotten. */
	h_wcr(&H, MACON3, MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FULDPX);
	ck_assert_uint_eq(model_diag_count(H.m), 0); /* not yet in effect */
	h_tx_send(&H, 0, F, n);
	h_wait(&H, 1000000);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_DUPLEX_MISMATCH), 1);
	const struct model_diag *d = model_diag_get(H.m, 0);
	ck_assert_uint_eq(d->reg, MACON3);
	ck_assert_uint_eq(d->value, 0);
	h_tx_send(&H, 0, F, n); /* same configuration: not again */
	h_wait(&H, 1000000);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_DUPLEX_MISMATCH), 1);
	/* The PHY follows: consistent again. */
	h_phy_write(&H, PHCON1, PHCON1_PDPXMD);
	h_tx_send(&H, 0, F, n);
	h_wait(&H, 1000000);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_DUPLEX_MISMATCH), 1);
	/* PHY half, MAC full once more, now seen at RXEN. */
	h_phy_write(&H, PHCON1, 0);
	h_bfc(&H, ECON1, ECON1_RXEN);
	h_bfs(&H, ECON1, ECON1_RXEN);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_DUPLEX_MISMATCH), 2);
	ck_assert_uint_eq(model_diag_count(H.m), 2);
}
END_TEST

/* DS39662E 3.3: one MII transaction at a time. A write or scan started
 * while a read is busy, or a read while a scan still runs, is flagged. */
START_TEST(test_mii_op_while_busy_fires)
{
	h_init(&H, NULL);
	h_driver_init(&H);
	h_wcr(&H, MIREGADR, PHLCON);
	h_wcr(&H, MICMD, MICMD_MIIRD);
	H.t += 5000;
	h_wcr(&H, MIWRL, 0x22);
	ck_assert_uint_eq(model_diag_count(H.m), 0); /* MIWRL starts nothing */
	h_wcr(&H, MIWRH, 0x34);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_MII_WHILE_BUSY), 1);
	ck_assert_uint_eq(model_diag_get(H.m, 0)->reg, MIWRH);
	H.t += 20000;
	h_wcr(&H, MICMD, 0);
	/* A scan; clearing MIISCAN and reading at once is too early. */
	h_wcr(&H, MICMD, MICMD_MIISCAN);
	H.t += 30000;
	h_wcr(&H, MICMD, 0);
	h_wcr(&H, MICMD, MICMD_MIIRD);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_MII_WHILE_BUSY), 2);
	ck_assert_uint_eq(model_diag_get(H.m, 1)->reg, MICMD);
	ck_assert_uint_eq(model_diag_count(H.m), 2);
	/* Waiting for BUSY each time, as the careful helpers do: nothing. */
	H.t += 30000;
	h_wcr(&H, MICMD, 0);
	H.t += 30000;
	h_phy_write(&H, PHLCON, 0x3476);
	(void)h_phy_read(&H, PHLCON);
	ck_assert_uint_eq(model_diag_count(H.m), 2);
}
END_TEST

/* The transmit buffer with its status vector (ETXST..ETXND+7) against the
 * receive ring (0x0000..0x0BFF), checked at TXRTS while receiving. */
static unsigned tx_at(uint16_t st, uint16_t nd)
{
	h_wr16(&H, ETXSTL, st);
	h_wr16(&H, ETXNDL, nd);
	h_bfs(&H, ECON1, ECON1_TXRST);
	h_bfc(&H, ECON1, ECON1_TXRST);
	h_bfs(&H, ECON1, ECON1_TXRTS);
	h_wait(&H, 2000000);
	return model_diag_count_rule(H.m, MODEL_RULE_TX_OVERLAPS_RX);
}

START_TEST(test_tx_buffer_overlapping_ring_fires)
{
	h_init(&H, NULL);
	h_driver_init(&H);
	ck_assert_uint_eq(tx_at(0x0C00, 0x0C40), 0);  /* right after the ring */
	ck_assert_uint_eq(tx_at(0x1FE0, 0x1FF8), 0);  /* TSV ends at 0x1FFF */
	ck_assert_uint_eq(tx_at(0x0BF0, 0x0C40), 1);  /* frame starts in the ring */
	ck_assert_uint_eq(model_diag_get(H.m, 0)->value, 0x0BF0);
	ck_assert_uint_eq(model_diag_get(H.m, 0)->reg, ETXSTL);
	/* The frame ends at 0x1FFC: its TSV wraps to 0x0000..0x0003, the
	 * start of the ring (erratum 5 puts it at 0). */
	ck_assert_uint_eq(tx_at(0x1FE0, 0x1FFC), 2);
	ck_assert_uint_eq(model_diag_get(H.m, 1)->value, 0x0000);
	/* Not receiving: the ring is not in use, nothing to say. */
	h_bfc(&H, ECON1, ECON1_RXEN);
	ck_assert_uint_eq(tx_at(0x0100, 0x0140), 2);
	ck_assert_uint_eq(model_diag_count(H.m), 2);
}
END_TEST

START_TEST(test_overflow_only_counted)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	for (unsigned k = 0; k < MODEL_DIAG_MAX + 10; k++)
		h_wcr(&H, ENC_REG(0x1A, 0, 0), 0);
	ck_assert_uint_eq(model_diag_count(H.m), MODEL_DIAG_MAX + 10);
	ck_assert_ptr_nonnull(model_diag_get(H.m, MODEL_DIAG_MAX - 1));
	ck_assert_ptr_null(model_diag_get(H.m, MODEL_DIAG_MAX));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_checker");
	TCase *tc = tcase_create("checker");
	tcase_add_test(tc, test_careless_driver_breaks_every_rule);
	tcase_add_test(tc, test_careful_driver_raises_nothing);
	tcase_add_test(tc, test_duplex_mismatch_fires_when_it_takes_effect);
	tcase_add_test(tc, test_mii_op_while_busy_fires);
	tcase_add_test(tc, test_tx_buffer_overlapping_ring_fires);
	tcase_add_test(tc, test_overflow_only_counted);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
