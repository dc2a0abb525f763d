/*
 * test_model_regs_reset.c - reset values after power-on and after SRC
 * (DS39662E Table 3-2/3-3), CLKRDY timing, pointer widths, self-clearing
 * bits, the ERXRDPT latch and the ERXST -> ERXWRPT reload.
 */
#include "model_test.h"

static struct harness H;

static uint8_t peek(enc_reg_t r)
{
	return model_peek_reg(H.m, ENC_REG_BANK(r), ENC_REG_ADDR(r));
}
static uint16_t peek16(enc_reg_t r)
{
	return (uint16_t)(peek(r) | peek((enc_reg_t)(r + 1)) << 8);
}

static void check_defaults(void)
{
	ck_assert_uint_eq(peek(ECON1), 0x00);
	ck_assert_uint_eq(peek(ECON2), 0x80);
	ck_assert_uint_eq(peek(EIE), 0x00);
	ck_assert_uint_eq(peek(EIR), 0x00);
	ck_assert_uint_eq(peek(ERXFCON), 0xA1);
	ck_assert_uint_eq(peek16(MAMXFLL), 0x0600);
	ck_assert_uint_eq(peek16(ERDPTL), 0x05FA);
	ck_assert_uint_eq(peek16(ERXSTL), 0x05FA);
	ck_assert_uint_eq(peek16(ERXRDPTL), 0x05FA);
	ck_assert_uint_eq(peek16(ERXNDL), 0x1FFF);
	ck_assert_uint_eq(peek16(EWRPTL), 0x0000);
	ck_assert_uint_eq(peek16(ETXSTL), 0x0000);
	ck_assert_uint_eq(peek(MACLCON1), 0x0F);
	ck_assert_uint_eq(peek(MACLCON2), 0x37);
	ck_assert_uint_eq(peek16(EPAUSL), 0x1000);
	ck_assert_uint_eq(peek(EPKTCNT), 0);
	ck_assert_uint_eq(peek(MACON1), 0);
	ck_assert_uint_eq(peek(MACON3), 0);
	ck_assert_uint_eq(peek(MISTAT), 0);
	ck_assert_uint_eq(peek(EREVID), 0x06);
}

START_TEST(test_power_on_defaults)
{
	h_init(&H, NULL);
	check_defaults();
	ck_assert_uint_eq(peek(ECOCON), 0x04);
	ck_assert_uint_eq(model_peek_phy(H.m, PHID1), 0x0083);
	ck_assert_uint_eq(model_peek_phy(H.m, PHID2), 0x1400);
	ck_assert_uint_eq(model_peek_phy(H.m, PHLCON), 0x3422);
	ck_assert_uint_eq(model_peek_phy(H.m, PHCON1), 0);
	ck_assert_uint_eq(model_peek_phy(H.m, PHCON2), 0);
	ck_assert_uint_eq(model_peek_phy(H.m, PHSTAT1) & 0x1800, 0x1800);
	ck_assert_uint_eq(model_peek_phy(H.m, PHSTAT2) & PHSTAT2_LSTAT, PHSTAT2_LSTAT);
	ck_assert(!model_int_asserted(H.m));
}
END_TEST

START_TEST(test_clkrdy_after_300us)
{
	h_init(&H, NULL);
	ck_assert_uint_eq(model_next_deadline(H.m), 300000);
	H.t = 299999;
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_CLKRDY, 0);
	H.t = 300000;
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_CLKRDY, ESTAT_CLKRDY);
	ck_assert_uint_eq(model_next_deadline(H.m), MODEL_TIME_NEVER);
}
END_TEST

START_TEST(test_src_restores_defaults)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wr16(&H, ERXSTL, 0);
	h_wr16(&H, ERXNDL, 0x0BFF);
	h_wcr(&H, ERXFCON, 0);
	h_wcr(&H, MACON1, 0x0D);
	h_wr16(&H, MAMXFLL, 1518);
	h_wcr(&H, EIE, 0xC0);
	h_wcr(&H, ECOCON, 0x01);
	h_phy_write(&H, PHLCON, 0x0476);
	h_src(&H);
	check_defaults();
	ck_assert_uint_eq(peek(ECOCON), 0x01);                  /* kept by SRC */
	ck_assert_uint_eq(model_peek_phy(H.m, PHLCON), 0x0476); /* PHY untouched */
	ck_assert_uint_eq(peek(ESTAT) & ESTAT_CLKRDY, 0);
	h_wait(&H, 300000);
	ck_assert_uint_eq(peek(ESTAT) & ESTAT_CLKRDY, ESTAT_CLKRDY);
}
END_TEST

START_TEST(test_revid_configurable)
{
	struct model_config cfg = {.revid = 0x05, .link_up = true};
	h_init(&H, &cfg);
	ck_assert_uint_eq(peek(EREVID), 0x05);
}
END_TEST

START_TEST(test_pointer_high_bytes_are_5_bits)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wr16(&H, ETXSTL, 0xFFFF);
	ck_assert_uint_eq(h_rd16(&H, ETXSTL), 0x1FFF);
	h_wr16(&H, EDMACSL, 0xFFFF); /* a checksum, not a pointer */
	ck_assert_uint_eq(h_rd16(&H, EDMACSL), 0xFFFF);
	h_wr16(&H, EPMOL, 0xFFFF);
	ck_assert_uint_eq(h_rd16(&H, EPMOL), 0x1FFF);
}
END_TEST

START_TEST(test_erxrdpt_latches_until_high_byte)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wcr(&H, ERXRDPTL, 0x33);
	ck_assert_uint_eq(h_rd16(&H, ERXRDPTL), 0x05FA); /* not yet */
	h_wcr(&H, ERXRDPTH, 0x01);
	ck_assert_uint_eq(h_rd16(&H, ERXRDPTL), 0x0133);
}
END_TEST

START_TEST(test_erxst_reloads_erxwrpt)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wr16(&H, ERXSTL, 0x0100);
	ck_assert_uint_eq(h_rd16(&H, ERXWRPTL), 0x0100);
	/* ERXWRPT is read-only. */
	h_wr16(&H, ERXWRPTL, 0x0222);
	ck_assert_uint_eq(h_rd16(&H, ERXWRPTL), 0x0100);
}
END_TEST

START_TEST(test_pktdec_self_clears)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_bfs(&H, ECON2, ECON2_PKTDEC);
	ck_assert_uint_eq(h_rcr(&H, ECON2), ECON2_AUTOINC);
}
END_TEST

START_TEST(test_time_is_clamped)
{
	h_init(&H, NULL);
	model_advance(H.m, 500000);
	/* An earlier `now` counts as the latest one seen: CLKRDY stays set. */
	H.t = 10;
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_CLKRDY, ESTAT_CLKRDY);
}
END_TEST

START_TEST(test_reset_pin_holds_chip)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wcr(&H, EIE, 0x40);
	model_reset_pin(H.m, true, H.t);
	ck_assert_uint_eq(h_x(&H, 0), 0xFF);
	h_wait(&H, 1000000);
	ck_assert_uint_eq(peek(ESTAT) & ESTAT_CLKRDY, 0); /* OST does not run */
	model_reset_pin(H.m, false, H.t);
	check_defaults();
	h_wait(&H, 300000);
	ck_assert_uint_eq(peek(ESTAT) & ESTAT_CLKRDY, ESTAT_CLKRDY);
}
END_TEST

START_TEST(test_power_save_stops_clock_and_src)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wcr(&H, EIE, 0x40);
	h_bfs(&H, ECON2, ECON2_PWRSV);
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_CLKRDY, 0);
	h_src(&H); /* erratum 19: ignored in power save */
	ck_assert_uint_eq(h_rcr(&H, EIE), 0x40);
	h_bfc(&H, ECON2, ECON2_PWRSV);
	uint64_t t0 = H.t;
	H.t = t0 + 299999;
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_CLKRDY, 0);
	H.t = t0 + 300000;
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_CLKRDY, ESTAT_CLKRDY);
}
END_TEST

START_TEST(test_erxnd_write_also_reloads_erxwrpt)
{
	static uint8_t f[128];
	h_init(&H, NULL);
	h_driver_init(&H);
	size_t n = h_frame(f, h_mac, h_peer, 0x0800, 46);
	ck_assert(model_wire_rx(H.m, f, n, H.t));
	ck_assert_uint_eq(h_rd16(&H, ERXWRPTL), 0x0046);
	h_bfc(&H, ECON1, ECON1_RXEN);
	h_wr16(&H, ERXNDL, 0x0BFF); /* DS80349 erratum 5: reloads from ERXST */
	ck_assert_uint_eq(h_rd16(&H, ERXWRPTL), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_regs_reset");
	TCase *tc = tcase_create("regs");
	tcase_add_test(tc, test_power_on_defaults);
	tcase_add_test(tc, test_clkrdy_after_300us);
	tcase_add_test(tc, test_src_restores_defaults);
	tcase_add_test(tc, test_revid_configurable);
	tcase_add_test(tc, test_pointer_high_bytes_are_5_bits);
	tcase_add_test(tc, test_erxrdpt_latches_until_high_byte);
	tcase_add_test(tc, test_erxst_reloads_erxwrpt);
	tcase_add_test(tc, test_pktdec_self_clears);
	tcase_add_test(tc, test_time_is_clamped);
	tcase_add_test(tc, test_reset_pin_holds_chip);
	tcase_add_test(tc, test_power_save_stops_clock_and_src);
	tcase_add_test(tc, test_erxnd_write_also_reloads_erxwrpt);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
