/*
 * test_model_spi_errors.c - malformed SPI byte streams. Each one is fed as
 * raw bytes; the model must ignore it the way silicon does (no register or
 * buffer changes) and the checker must name it: rule id, reference, command
 * byte, register, byte count and time. Well-formed streams, including the
 * Linux driver's two-byte SRC and zero-length RBM/WBM, raise nothing.
 */
#include <stdio.h>

#include "model_test.h"

static struct harness H;

/* A snapshot of everything a stray byte could change. */
struct snap {
	uint8_t regs[4][32];
	uint8_t mem[64];
};

static void take(struct snap *s, uint16_t mem_at)
{
	for (uint8_t b = 0; b < 4; b++)
		for (uint8_t a = 0; a < 32; a++)
			s->regs[b][a] = model_peek_reg(H.m, b, a);
	for (unsigned k = 0; k < sizeof(s->mem); k++)
		s->mem[k] = model_peek_mem(H.m, (uint16_t)(mem_at + k));
}

static void same(const struct snap *a, const struct snap *b)
{
	for (unsigned bank = 0; bank < 4; bank++)
		for (unsigned addr = 0; addr < 32; addr++) {
			if (a->regs[bank][addr] != b->regs[bank][addr])
				fprintf(stderr, "changed: bank %u addr 0x%02x 0x%02x -> 0x%02x\n", bank, addr,
					a->regs[bank][addr], b->regs[bank][addr]);
			ck_assert_uint_eq(a->regs[bank][addr], b->regs[bank][addr]);
		}
	ck_assert_mem_eq(a->mem, b->mem, sizeof(a->mem));
}

/* The last diagnostic, checked field by field. */
static const struct model_diag *last_is(enum model_rule r, const char *id, const char *ref, uint8_t op,
					uint16_t reg, uint16_t value, uint64_t t)
{
	unsigned n = model_diag_count(H.m);
	ck_assert_uint_gt(n, 0);
	const struct model_diag *d = model_diag_get(H.m, n - 1);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->rule, r);
	ck_assert_str_eq(d->id, id);
	ck_assert_str_eq(d->ref, ref);
	ck_assert_str_eq(model_rule_id(r), id);
	ck_assert_str_eq(model_rule_ref(r), ref);
	ck_assert_uint_eq(d->op, op);
	ck_assert_uint_eq(d->reg, reg);
	ck_assert_uint_eq(d->value, value);
	ck_assert_uint_eq(d->t_ns, t);
	return d;
}

static void show(const struct model_diag *d, const char *must)
{
	char line[256];
	int n = model_diag_format(d, line, sizeof(line));
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, (int)sizeof(line));
	fprintf(stderr, "  %s\n", line);
	ck_assert(strncmp(line, "t=", 2) == 0);
	ck_assert_ptr_nonnull(strstr(line, d->id));
	ck_assert_ptr_nonnull(strstr(line, d->ref));
	ck_assert_ptr_nonnull(strstr(line, must));
}

/* A chip brought up by a careful driver, clock ready, RX enabled. */
static void ready(void)
{
	h_init(&H, NULL);
	h_driver_init(&H);
	ck_assert_uint_eq(model_diag_count(H.m), 0);
}

static void no_diags(void)
{
	for (unsigned k = 0; k < model_diag_count(H.m) && k < 5; k++) {
		char line[256];
		model_diag_format(model_diag_get(H.m, k), line, sizeof(line));
		fprintf(stderr, "unexpected: %s\n", line);
	}
	ck_assert_uint_eq(model_diag_count(H.m), 0);
}

/* Every byte that is not one of the seven commands: 110 aaaaa, 001/011 with
 * an argument other than 11010, 111 other than 11111. The bytes after it
 * would be a write if they were decoded; nothing changes. */
START_TEST(test_unknown_opcodes_recorded_and_ignored)
{
	ready();
	h_wr16(&H, EWRPTL, H_TXST); /* bank 0 selected from here on */
	h_bank(&H, ECON1);
	uint8_t ops[32 + 31 + 31 + 31];
	unsigned n = 0;
	for (unsigned k = 0xC0; k <= 0xDF; k++)
		ops[n++] = (uint8_t)k;
	for (unsigned a = 0; a < 32; a++) {
		if (a != (ENC_OP_RBM & ENC_ARG_MASK)) {
			ops[n++] = (uint8_t)(0x20 | a); /* 001 aaaaa, not RBM */
			ops[n++] = (uint8_t)(0x60 | a); /* 011 aaaaa, not WBM */
		}
		if (a != (ENC_OP_SRC & ENC_ARG_MASK))
			ops[n++] = (uint8_t)(0xE0 | a); /* 111 aaaaa, not SRC */
	}
	ck_assert_uint_le(n, sizeof(ops));
	struct snap before, after;
	take(&before, H_TXST);
	for (unsigned k = 0; k < n; k++) {
		model_diag_clear(H.m); /* n > MODEL_DIAG_MAX: check one at a time */
		H.t += 100;
		h_cs(&H, true);
		ck_assert_uint_eq(h_x(&H, ops[k]), 0x00);
		/* What would be "WCR ECON1, TXRTS|RXEN" then a WBM burst. */
		ck_assert_uint_eq(h_x(&H, ENC_OP_WCR | ENC_REG_ADDR(ECON1)), 0x00);
		ck_assert_uint_eq(h_x(&H, 0xFF), 0x00);
		ck_assert_uint_eq(h_x(&H, ENC_OP_WBM), 0x00);
		ck_assert_uint_eq(h_x(&H, 0x55), 0x00);
		h_cs(&H, false);
		ck_assert_uint_eq(model_diag_count(H.m), 1);
		const struct model_diag *d = last_is(MODEL_RULE_SPI_UNKNOWN_OPCODE, "spi-unknown-opcode",
						     "DS39662E 4.2, Table 4-1", ops[k], 0, 0, H.t);
		if (k == 0)
			show(d, "opcode 0xc0 (110 00000; opcode 110 is unused)");
		if (ops[k] == 0x3B)
			show(d, "opcode 0x3b (001 11011; RBM is 0x3a)");
		if (ops[k] == 0xFE)
			show(d, "opcode 0xfe (111 11110; SRC is 0xff)");
	}
	ck_assert_uint_eq(n, 125); /* 32 + 3 * 31 */
	take(&after, H_TXST);
	same(&before, &after);
	/* The next frame decodes normally. */
	model_diag_clear(H.m);
	h_wcr(&H, ERDPTL, 0x34);
	ck_assert_uint_eq(h_rcr(&H, ERDPTL), 0x34);
	no_diags();
}
END_TEST

/* WCR/BFS/BFC cut short before the data byte write nothing, on ETH and
 * MAC registers alike; the diagnostic names the register and says 0 bytes
 * followed the opcode. */
START_TEST(test_truncated_writes_change_nothing)
{
	ready();
	struct {
		enc_reg_t reg;
		uint8_t op;
	} cases[] = {
		{EWRPTL, ENC_OP_WCR}, {ECON1, ENC_OP_BFC}, {ECON1, ENC_OP_BFS},
		{EIE, ENC_OP_WCR},    {MACON3, ENC_OP_WCR}, {MAADR1, ENC_OP_WCR},
		{EPKTCNT, ENC_OP_WCR}, /* even a read-only target: truncation comes first */
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		h_bank(&H, cases[k].reg);
		model_diag_clear(H.m);
		struct snap before, after;
		take(&before, 0);
		H.t += 1000;
		uint8_t op = (uint8_t)(cases[k].op | ENC_REG_ADDR(cases[k].reg));
		h_cs(&H, true);
		h_x(&H, op);
		H.t += 250; /* CS rises later than the opcode */
		h_cs(&H, false);
		take(&after, 0);
		same(&before, &after);
		ck_assert_uint_eq(model_diag_count(H.m), 1);
		const struct model_diag *d = last_is(MODEL_RULE_SPI_TRUNCATED, "spi-truncated",
						     "DS39662E 4.2, Table 4-1", op, cases[k].reg, 0, H.t);
		if (k == 0)
			show(d, "WCR 0x42 reg 0x02 (bank 0 addr 0x02): 0 of 1 byte after the opcode");
		if (cases[k].reg == MACON3)
			show(d, "WCR 0x42 reg 0xc2 (bank 2 addr 0x02): 0 of 1 byte after the opcode");
	}
	/* The decoder is back to normal: a complete WCR still writes. */
	model_diag_clear(H.m);
	h_wcr(&H, EIE, EIE_INTIE);
	ck_assert_uint_eq(h_rcr(&H, EIE), EIE_INTIE);
	no_diags();
}
END_TEST

/* RCR cut short: ETH register with nothing after the opcode; MAC/MII
 * register with nothing, or with only the dummy byte. A complete RCR, and
 * one clocked on to re-read, are fine. Reads have no side effects here, so
 * nothing changes either way. */
START_TEST(test_truncated_reads)
{
	ready();
	h_bank(&H, MACON1);
	struct snap before, after;
	take(&before, 0);

	H.t += 1000;
	h_cs(&H, true);
	h_x(&H, ENC_OP_RCR | ENC_REG_ADDR(EIR));
	h_cs(&H, false);
	show(last_is(MODEL_RULE_SPI_TRUNCATED, "spi-truncated", "DS39662E 4.2, Table 4-1",
		     ENC_OP_RCR | ENC_REG_ADDR(EIR), EIR, 0, H.t),
	     "RCR 0x1c reg 0x1c (bank 0 addr 0x1c): 0 of 1 byte after the opcode");

	H.t += 1000;
	h_cs(&H, true);
	h_x(&H, ENC_OP_RCR | ENC_REG_ADDR(MACON1));
	h_cs(&H, false);
	last_is(MODEL_RULE_SPI_TRUNCATED, "spi-truncated", "DS39662E 4.2, Table 4-1",
		ENC_OP_RCR | ENC_REG_ADDR(MACON1), MACON1, 0, H.t);

	H.t += 1000;
	h_cs(&H, true);
	h_x(&H, ENC_OP_RCR | ENC_REG_ADDR(MACON1));
	h_x(&H, 0); /* the dummy byte, then CS rises */
	h_cs(&H, false);
	show(last_is(MODEL_RULE_SPI_TRUNCATED, "spi-truncated", "DS39662E 4.2, Table 4-1",
		     ENC_OP_RCR | ENC_REG_ADDR(MACON1), MACON1, 1, H.t),
	     "1 of 2 bytes after the opcode");
	ck_assert_uint_eq(model_diag_count(H.m), 3);

	/* Complete reads, and a read clocked on (re-reads the register). */
	model_diag_clear(H.m);
	ck_assert_uint_eq(h_rcr(&H, MACON1), before.regs[2][ENC_REG_ADDR(MACON1)]);
	h_cs(&H, true);
	h_x(&H, ENC_OP_RCR | ENC_REG_ADDR(MACON1));
	h_x(&H, 0);
	uint8_t v1 = h_x(&H, 0), v2 = h_x(&H, 0);
	h_cs(&H, false);
	ck_assert_uint_eq(v1, v2);
	h_cs(&H, true);
	h_x(&H, ENC_OP_RCR | ENC_REG_ADDR(ESTAT));
	h_x(&H, 0);
	h_x(&H, 0);
	h_cs(&H, false);
	no_diags();
	take(&after, 0);
	same(&before, &after);
}
END_TEST

/* Zero-length RBM/WBM move nothing and are legal; a CS pulse with no byte
 * is harmless. None is a diagnostic. */
START_TEST(test_empty_commands_not_flagged)
{
	ready();
	uint16_t rd = h_rd16(&H, ERDPTL), wr = h_rd16(&H, EWRPTL);
	h_cs(&H, true);
	h_x(&H, ENC_OP_RBM);
	h_cs(&H, false);
	h_cs(&H, true);
	h_x(&H, ENC_OP_WBM);
	h_cs(&H, false);
	h_cs(&H, true);
	h_cs(&H, false);
	ck_assert_uint_eq(h_rd16(&H, ERDPTL), rd);
	ck_assert_uint_eq(h_rd16(&H, EWRPTL), wr);
	no_diags();
}
END_TEST

/* SRC is one byte. The Linux driver sends it as 0xFF 0xFF (a write op with
 * SRC as both opcode and data): benign, not flagged, however many 0xFF. Any
 * other byte in the frame is flagged once per frame, with the byte. */
START_TEST(test_bytes_after_src)
{
	ready();
	h_cs(&H, true);
	h_x(&H, ENC_OP_SRC);
	h_x(&H, ENC_OP_SRC);
	h_x(&H, ENC_OP_SRC);
	h_cs(&H, false);
	no_diags();
	/* The SRC did reset the chip. */
	ck_assert_uint_eq(model_peek_reg(H.m, 0, ENC_REG_ADDR(ECON1)) & ECON1_RXEN, 0);
	H.t += 2000000;
	model_advance(H.m, H.t);

	H.t += 100;
	h_cs(&H, true);
	h_x(&H, ENC_OP_SRC);
	uint64_t t_bad = H.t + 10;
	H.t = t_bad;
	h_x(&H, ENC_OP_WCR | ENC_REG_ADDR(ECON1)); /* not a new command */
	H.t += 10;
	h_x(&H, ECON1_RXEN);
	h_x(&H, ENC_OP_SRC);
	h_cs(&H, false);
	ck_assert_uint_eq(model_diag_count(H.m), 1);
	show(last_is(MODEL_RULE_SPI_BYTES_AFTER_SRC, "spi-bytes-after-src", "DS39662E 4.2.7, Table 4-1", ENC_OP_SRC,
		     0, ENC_OP_WCR | ENC_REG_ADDR(ECON1), t_bad),
	     "byte 0x5f after SRC 0xff");
	ck_assert_uint_eq(model_peek_reg(H.m, 0, ENC_REG_ADDR(ECON1)) & ECON1_RXEN, 0);
	/* Once per frame: the next frame flags again. */
	H.t += 100;
	h_cs(&H, true);
	h_x(&H, ENC_OP_SRC);
	h_x(&H, 0x00);
	h_cs(&H, false);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_SPI_BYTES_AFTER_SRC), 2);
	/* SRC in power save is ignored (erratum 19) but still a one-byte
	 * command: the rule applies the same way. */
	H.t += 2000000;
	model_advance(H.m, H.t);
	model_diag_clear(H.m);
	h_bfs(&H, ECON2, ECON2_PWRSV);
	h_cs(&H, true);
	h_x(&H, ENC_OP_SRC);
	h_x(&H, 0x12);
	h_cs(&H, false);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_SPI_BYTES_AFTER_SRC), 1);
	ck_assert_uint_eq(model_diag_count(H.m), 1);
}
END_TEST

/* Bytes with CS high: ignored (MISO floats, 0xFF), recorded once per
 * CS-high period (a driver that forgot select() sends many). After the next
 * deselect a stray byte is flagged again. */
START_TEST(test_bytes_while_not_selected)
{
	ready();
	h_bank(&H, ECON1);
	struct snap before, after;
	take(&before, H_TXST);
	H.t += 1000;
	uint64_t t0 = H.t;
	/* "WCR EIE, 0xFF" and a WBM without select(). */
	ck_assert_uint_eq(h_x(&H, ENC_OP_WCR | ENC_REG_ADDR(EIE)), 0xFF);
	H.t += 100;
	ck_assert_uint_eq(h_x(&H, 0xFF), 0xFF);
	ck_assert_uint_eq(h_x(&H, ENC_OP_WBM), 0xFF);
	ck_assert_uint_eq(h_x(&H, 0xAA), 0xFF);
	take(&after, H_TXST);
	same(&before, &after);
	ck_assert_uint_eq(model_diag_count(H.m), 1);
	show(last_is(MODEL_RULE_SPI_NOT_SELECTED, "spi-not-selected", "DS39662E 4.1", 0,
		     0, ENC_OP_WCR | ENC_REG_ADDR(EIE), t0),
	     "byte 0x5b: byte clocked with CS high");
	/* A proper command in between, then another stray run. */
	h_wcr(&H, EIE, EIE_INTIE);
	H.t += 1000;
	h_x(&H, 0x00);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_SPI_NOT_SELECTED), 2);
	last_is(MODEL_RULE_SPI_NOT_SELECTED, "spi-not-selected", "DS39662E 4.1", 0, 0, 0x00, H.t);
	ck_assert_uint_eq(model_diag_count(H.m), 2);
	ck_assert_uint_eq(h_rcr(&H, EIE), EIE_INTIE);
}
END_TEST

/* Bytes while RESET is held: ignored, once per hold, whether or not CS is
 * low, and never also reported as spi-not-selected. */
START_TEST(test_bytes_while_in_reset)
{
	ready();
	H.t += 1000;
	model_reset_pin(H.m, true, H.t);
	struct snap before, after;
	take(&before, 0);
	H.t += 500;
	uint64_t t0 = H.t;
	h_cs(&H, true);
	ck_assert_uint_eq(h_x(&H, ENC_OP_WCR | ENC_REG_ADDR(ECON1)), 0xFF);
	ck_assert_uint_eq(h_x(&H, ECON1_RXEN), 0xFF);
	h_cs(&H, false);
	H.t += 500;
	ck_assert_uint_eq(h_x(&H, 0x00), 0xFF); /* CS high too: still the reset */
	take(&after, 0);
	same(&before, &after);
	ck_assert_uint_eq(model_diag_count(H.m), 1);
	show(last_is(MODEL_RULE_SPI_IN_RESET, "spi-in-reset", "DS39662E 11.0", 0, 0,
		     ENC_OP_WCR | ENC_REG_ADDR(ECON1), t0),
	     "byte 0x5f: SPI while RESET is held low");
	/* Released: stray bytes are the other rule again. */
	H.t += 1000;
	model_reset_pin(H.m, false, H.t);
	h_x(&H, 0x00);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_SPI_NOT_SELECTED), 1);
	/* A second hold reports again, once. */
	H.t += 1000;
	model_reset_pin(H.m, true, H.t);
	h_x(&H, 0x01);
	h_x(&H, 0x02);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_SPI_IN_RESET), 2);
	last_is(MODEL_RULE_SPI_IN_RESET, "spi-in-reset", "DS39662E 11.0", 0, 0, 0x01, H.t);
	ck_assert_uint_eq(model_diag_count(H.m), 3);
	/* CS held low across the release: the chip waits for a new falling
	 * edge, silently; a fresh select works. */
	h_cs(&H, true);
	H.t += 1000;
	model_reset_pin(H.m, false, H.t);
	h_x(&H, 0x00);
	h_cs(&H, false);
	ck_assert_uint_eq(model_diag_count(H.m), 3);
	H.t += 2000000;
	model_advance(H.m, H.t);
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_CLKRDY, ESTAT_CLKRDY);
}
END_TEST

/* A careful stream that uses every command, the Linux two-byte SRC and
 * streaming RCR raises nothing. */
START_TEST(test_careful_stream_silent)
{
	h_init(&H, NULL);
	h_cs(&H, true);
	h_x(&H, ENC_OP_SRC);
	h_x(&H, ENC_OP_SRC);
	h_cs(&H, false);
	h_driver_init(&H);
	uint8_t buf[32], back[32];
	for (unsigned k = 0; k < sizeof(buf); k++)
		buf[k] = (uint8_t)(k * 7);
	h_wbm(&H, H_TXST, buf, sizeof(buf));
	h_rbm(&H, H_TXST, back, sizeof(back));
	ck_assert_mem_eq(buf, back, sizeof(buf));
	h_bfs(&H, EIE, EIE_INTIE);
	h_bfc(&H, EIE, EIE_INTIE);
	(void)h_phy_read(&H, PHSTAT2);
	(void)h_rcr(&H, MACON1);
	no_diags();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_spi_errors");
	TCase *tc = tcase_create("spi_errors");
	tcase_add_test(tc, test_unknown_opcodes_recorded_and_ignored);
	tcase_add_test(tc, test_truncated_writes_change_nothing);
	tcase_add_test(tc, test_truncated_reads);
	tcase_add_test(tc, test_empty_commands_not_flagged);
	tcase_add_test(tc, test_bytes_after_src);
	tcase_add_test(tc, test_bytes_while_not_selected);
	tcase_add_test(tc, test_bytes_while_in_reset);
	tcase_add_test(tc, test_careful_stream_silent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
