/*
 * test_model_spi.c - SPI port: every opcode, chip-select framing, the dummy
 * byte of MAC/MII reads, SRC swallowing the rest of the frame, unused
 * opcodes, and BFS/BFC on MAC registers (DS39662E 4.2).
 */
#include "model_test.h"

static struct harness H;

static void ready(void)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000); /* past CLKRDY */
}

START_TEST(test_rcr_eth_returns_value_on_second_byte)
{
	ready();
	h_cs(&H, true);
	h_x(&H, (uint8_t)(ENC_OP_RCR | ENC_REG_ADDR(ECON2)));
	ck_assert_uint_eq(h_x(&H, 0), ENC_RESET_ECON2);
	ck_assert_uint_eq(h_x(&H, 0), ENC_RESET_ECON2); /* clocking on re-reads */
	h_cs(&H, false);
}
END_TEST

START_TEST(test_rcr_mac_clocks_dummy_byte_first)
{
	ready();
	h_wcr(&H, MACLCON2, 0x2A);
	h_cs(&H, true);
	h_x(&H, (uint8_t)(ENC_OP_RCR | ENC_REG_ADDR(MACLCON2)));
	ck_assert_uint_eq(h_x(&H, 0), 0x00); /* dummy */
	ck_assert_uint_eq(h_x(&H, 0), 0x2A);
	h_cs(&H, false);
	/* MISTAT in bank 3 has a dummy too; EREVID next to it has none. */
	h_bank(&H, MISTAT);
	h_cs(&H, true);
	h_x(&H, (uint8_t)(ENC_OP_RCR | ENC_REG_ADDR(EREVID)));
	ck_assert_uint_eq(h_x(&H, 0), ENC_EREVID_B7);
	h_cs(&H, false);
	ck_assert_uint_eq(h_rcr(&H, MISTAT), 0);
}
END_TEST

START_TEST(test_wcr_bfs_bfc)
{
	ready();
	h_wcr(&H, EIE, 0x41);
	ck_assert_uint_eq(h_rcr(&H, EIE), 0x41);
	h_bfs(&H, EIE, 0x88);
	ck_assert_uint_eq(h_rcr(&H, EIE), 0xC9);
	h_bfc(&H, EIE, 0x41);
	ck_assert_uint_eq(h_rcr(&H, EIE), 0x88);
	/* Only one data byte per WCR: the next byte is ignored. */
	h_cs(&H, true);
	h_x(&H, (uint8_t)(ENC_OP_WCR | ENC_REG_ADDR(EIE)));
	h_x(&H, 0x01);
	h_x(&H, 0x02);
	h_cs(&H, false);
	ck_assert_uint_eq(h_rcr(&H, EIE), 0x01);
}
END_TEST

START_TEST(test_bfs_on_mac_register_is_applied)
{
	ready();
	/* EtherCard/UIPEthernet set MACON3 bits with BFS. */
	h_bfs(&H, MACON3, MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN);
	ck_assert_uint_eq(h_rcr(&H, MACON3), 0x32);
	h_bfc(&H, MACON3, MACON3_FRMLNEN);
	ck_assert_uint_eq(h_rcr(&H, MACON3), 0x30);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_BITOP_ON_MACMII), 2);
}
END_TEST

START_TEST(test_wbm_rbm_stream_until_cs_high)
{
	ready();
	uint8_t in[5] = {1, 2, 3, 4, 5}, out[5] = {0};
	h_wbm(&H, 0x1000, in, 5);
	ck_assert_uint_eq(h_rd16(&H, EWRPTL), 0x1005);
	h_rbm(&H, 0x1000, out, 5);
	ck_assert_mem_eq(in, out, 5);
	ck_assert_uint_eq(h_rd16(&H, ERDPTL), 0x1005);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1004), 5);
}
END_TEST

START_TEST(test_src_ignores_rest_of_frame)
{
	ready();
	h_wcr(&H, EIE, 0x55);
	h_cs(&H, true);
	h_x(&H, ENC_OP_SRC);
	/* A WCR in the same CS frame must not be executed. */
	h_x(&H, (uint8_t)(ENC_OP_WCR | ENC_REG_ADDR(EIE)));
	h_x(&H, 0x77);
	h_cs(&H, false);
	ck_assert_uint_eq(model_peek_reg(H.m, 0, ENC_REG_ADDR(EIE)), 0x00);
	ck_assert_uint_eq(model_peek_reg(H.m, 0, ENC_REG_ADDR(ECON2)), ENC_RESET_ECON2);
}
END_TEST

START_TEST(test_unused_opcode_and_deselected_bytes_ignored)
{
	ready();
	h_wcr(&H, EIE, 0x11);
	h_cs(&H, true);
	h_x(&H, 0xC0 | ENC_REG_ADDR(EIE)); /* opcode 110 */
	h_x(&H, 0xFF);
	h_cs(&H, false);
	h_cs(&H, true);
	h_x(&H, 0x20); /* 001 with an argument other than 0x1A */
	h_x(&H, 0xFF);
	h_cs(&H, false);
	ck_assert_uint_eq(h_rcr(&H, EIE), 0x11);
	/* CS high: MISO floats high and nothing is decoded. */
	ck_assert_uint_eq(h_x(&H, (uint8_t)(ENC_OP_WCR | ENC_REG_ADDR(EIE))), 0xFF);
	ck_assert_uint_eq(h_x(&H, 0x99), 0xFF);
	ck_assert_uint_eq(h_rcr(&H, EIE), 0x11);
}
END_TEST

START_TEST(test_bank_select_and_common_registers)
{
	ready();
	h_wcr(&H, EPMM3, 0xAB); /* bank 1 addr 0x0B */
	h_wcr(&H, ERXNDL, 0x34); /* bank 0 addr 0x0A */
	ck_assert_uint_eq(model_peek_reg(H.m, 1, 0x0B), 0xAB);
	ck_assert_uint_eq(model_peek_reg(H.m, 0, 0x0A), 0x34);
	/* The common registers answer in every bank. */
	for (uint8_t b = 0; b < 4; b++) {
		h_op2(&H, (uint8_t)(ENC_OP_WCR | ENC_REG_ADDR(ECON1)), b);
		h_cs(&H, true);
		h_x(&H, (uint8_t)(ENC_OP_RCR | ENC_REG_ADDR(ECON1)));
		ck_assert_uint_eq(h_x(&H, 0), b);
		h_cs(&H, false);
	}
	ck_assert_uint_gt(model_get_stats(H.m)->spi_bytes, 10);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_spi");
	TCase *tc = tcase_create("spi");
	tcase_add_test(tc, test_rcr_eth_returns_value_on_second_byte);
	tcase_add_test(tc, test_rcr_mac_clocks_dummy_byte_first);
	tcase_add_test(tc, test_wcr_bfs_bfc);
	tcase_add_test(tc, test_bfs_on_mac_register_is_applied);
	tcase_add_test(tc, test_wbm_rbm_stream_until_cs_high);
	tcase_add_test(tc, test_src_ignores_rest_of_frame);
	tcase_add_test(tc, test_unused_opcode_and_deselected_bytes_ignored);
	tcase_add_test(tc, test_bank_select_and_common_registers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
