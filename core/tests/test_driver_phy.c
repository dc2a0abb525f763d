/*
 * test_driver_phy.c - the PHY over MII: identity, reads and writes landing
 * in the model's PHY, a bounded BUSY poll, and link changes seen through
 * PHIR/EIR.LINKIF by enc_poll().
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "driver_pair.h"
#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "model_hal.h"

START_TEST(test_phy_identity_and_write)
{
	struct driver_pair p;
	uint16_t v = 0;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	ck_assert_int_eq(enc_phy_read(&p.da, PHID1, &v), ENC_OK);
	ck_assert_uint_eq(v, ENC_RESET_PHID1);
	ck_assert_int_eq(enc_phy_read(&p.da, PHID2, &v), ENC_OK);
	ck_assert_uint_eq(v & 0xFC00u, ENC_RESET_PHID2 & 0xFC00u);
	ck_assert_int_eq(enc_phy_write(&p.da, PHLCON, 0x3A92u), ENC_OK);
	ck_assert_uint_eq(model_peek_phy(p.a.m, PHLCON), 0x3A92u);
	ck_assert_int_eq(enc_phy_read(&p.da, PHLCON, &v), ENC_OK);
	ck_assert_uint_eq(v, 0x3A92u);
	ck_assert_int_eq(enc_phy_read(&p.da, PHCON1, &v), ENC_OK);
	ck_assert_uint_eq(v & PHCON1_PDPXMD, PHCON1_PDPXMD);
	ck_assert_int_eq(enc_phy_read(&p.da, PHSTAT2, &v), ENC_OK);
	ck_assert_uint_eq(v & PHSTAT2_LSTAT, PHSTAT2_LSTAT);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

START_TEST(test_phy_link_change_seen_via_phir)
{
	struct driver_pair p;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	ck_assert(enc_link_is_up(&p.da));
	(void)enc_poll(&p.da);
	ck_assert_uint_eq(p.da.stats.link_changes, 0u);

	model_set_link(p.a.m, false, p.clk.now);
	model_hal_run(&p.a, 1000u);
	ck_assert(p.a.int_asserted);
	(void)enc_poll(&p.da);
	ck_assert(!enc_link_is_up(&p.da));
	ck_assert_uint_eq(p.da.stats.link_changes, 1u);
	/* PHIR read cleared it: a second poll sees nothing new. */
	(void)enc_poll(&p.da);
	ck_assert_uint_eq(p.da.stats.link_changes, 1u);

	model_set_link(p.a.m, true, p.clk.now);
	model_hal_run(&p.a, 1000u);
	(void)enc_poll(&p.da);
	ck_assert(enc_link_is_up(&p.da));
	ck_assert_uint_eq(p.da.stats.link_changes, 2u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

START_TEST(test_phy_link_flap_fault)
{
	struct driver_pair p;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	model_fault_link_flap(p.a.m, p.clk.now + 1000000u, p.clk.now + 3000000u);
	model_hal_run(&p.a, 2000000u);
	(void)enc_poll(&p.da);
	ck_assert(!enc_link_is_up(&p.da));
	model_hal_run(&p.a, 2000000u);
	(void)enc_poll(&p.da);
	ck_assert(enc_link_is_up(&p.da));
	ck_assert_uint_eq(p.da.stats.link_changes, 2u);
	driver_pair_teardown(&p);
}
END_TEST

/* MII BUSY that never clears: the poll gives up, bounded, and init says so. */
START_TEST(test_phy_busy_stuck_times_out)
{
	struct model_clock clk = {0};
	struct model_board b;
	struct model_config mc;
	struct enc_config cfg;
	struct enc_dev d;
	uint16_t v = 0;
	uint64_t t0;

	memset(&mc, 0, sizeof(mc));
	mc.mii_busy_ns = 10ull * 1000000000u;
	model_hal_init(&b, &clk, &mc, true);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(enc_init(&d, &b.hal, &cfg), ENC_ERR_TIMEOUT);
	t0 = clk.now;
	ck_assert_int_eq(enc_phy_read(&d, PHID1, &v), ENC_ERR_TIMEOUT);
	ck_assert_uint_lt(clk.now - t0, 10ull * 1000000u);
	model_hal_free(&b);
}
END_TEST

static Suite *driver_phy_suite(void)
{
	Suite *s = suite_create("driver_phy");
	TCase *tc = tcase_create("phy");

	tcase_add_test(tc, test_phy_identity_and_write);
	tcase_add_test(tc, test_phy_link_change_seen_via_phir);
	tcase_add_test(tc, test_phy_link_flap_fault);
	tcase_add_test(tc, test_phy_busy_stuck_times_out);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(driver_phy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
