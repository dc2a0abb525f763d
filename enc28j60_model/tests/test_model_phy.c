/*
 * test_model_phy.c - PHY over MII (DS39662E 3.3): MISTAT.BUSY for 10.24 us
 * of virtual time, reads and writes, PRST, LLSTAT latching low, PHIR read
 * clears, link changes raising PLNKIF and EIR.LINKIF.
 */
#include "model_test.h"

static struct harness H;

static void ready(void)
{
	h_init(&H, NULL);
	h_driver_init(&H);
}

START_TEST(test_busy_timing_on_read)
{
	ready();
	h_wcr(&H, MIREGADR, PHID1);
	h_wcr(&H, MICMD, MICMD_MIIRD);
	uint64_t t0 = H.t;
	H.t = t0 + 10000;
	ck_assert_uint_eq(h_rcr(&H, MISTAT) & MISTAT_BUSY, MISTAT_BUSY);
	H.t = t0 + 10239;
	ck_assert_uint_eq(h_rcr(&H, MISTAT) & MISTAT_BUSY, MISTAT_BUSY);
	H.t = t0 + 10240;
	ck_assert_uint_eq(h_rcr(&H, MISTAT) & MISTAT_BUSY, 0);
	h_wcr(&H, MICMD, 0);
	ck_assert_uint_eq(h_rd16(&H, MIRDL), 0x0083);
}
END_TEST

START_TEST(test_busy_timing_on_write)
{
	ready();
	h_wcr(&H, MIREGADR, PHLCON);
	h_wcr(&H, MIWRL, 0x76);
	ck_assert_uint_eq(h_rcr(&H, MISTAT) & MISTAT_BUSY, 0); /* MIWRL alone does nothing */
	h_wcr(&H, MIWRH, 0x34);
	uint64_t t0 = H.t;
	ck_assert_uint_eq(model_next_deadline(H.m), t0 + 10240);
	ck_assert_uint_eq(model_peek_phy(H.m, PHLCON), 0x3422); /* not yet */
	H.t = t0 + 10000;
	ck_assert_uint_eq(h_rcr(&H, MISTAT) & MISTAT_BUSY, MISTAT_BUSY);
	H.t = t0 + 10240;
	ck_assert_uint_eq(h_rcr(&H, MISTAT) & MISTAT_BUSY, 0);
	ck_assert_uint_eq(model_peek_phy(H.m, PHLCON), 0x3476);
}
END_TEST

START_TEST(test_ids_and_prst)
{
	ready();
	ck_assert_uint_eq(h_phy_read(&H, PHID1), 0x0083);
	ck_assert_uint_eq(h_phy_read(&H, PHID2), 0x1400);
	ck_assert_uint_eq(h_phy_read(&H, PHCON2), PHCON2_HDLDIS);
	h_phy_write(&H, PHCON1, PHCON1_PDPXMD);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT2) & PHSTAT2_DPXSTAT, PHSTAT2_DPXSTAT);
	h_phy_write(&H, PHCON1, PHCON1_PRST);
	ck_assert_uint_eq(h_phy_read(&H, PHCON1), 0); /* PRST self-clears */
	ck_assert_uint_eq(h_phy_read(&H, PHCON2), 0);
	ck_assert_uint_eq(h_phy_read(&H, PHLCON), 0x3422);
}
END_TEST

/* DS39662E Table 3-3 (PHSTAT1): the reset value is 0x1800, PFDPX and
 * PHDPX with LLSTAT at 0. LLSTAT latches low (IEEE 802.3
 * 22.2.4.2.13): it reads 0 until a read re-arms it, so the first read after
 * power-on says 0x1800 even with the link up, and the second 0x1804. The
 * same after a PHY reset (PHCON1.PRST). */
START_TEST(test_phstat1_first_read_after_power_on_is_0x1800)
{
	ready();
	ck_assert_uint_eq(model_peek_phy(H.m, PHSTAT1), 0x1800);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1), 0x1800);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1), 0x1804);
	h_phy_write(&H, PHCON1, PHCON1_PRST);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1), 0x1800);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1), 0x1804);
	/* Link down at power-on: 0x1800 on every read until it comes up. */
	struct model_config down = {.link_up = false};
	h_init(&H, &down);
	h_driver_init(&H);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1), 0x1800);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1), 0x1800);
	model_set_link(H.m, true, H.t);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1), 0x1800); /* latched since power-on */
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1), 0x1804);
}
END_TEST

START_TEST(test_llstat_latches_low)
{
	ready();
	(void)h_phy_read(&H, PHSTAT1); /* the first read re-arms the latch */
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1) & PHSTAT1_LLSTAT, PHSTAT1_LLSTAT);
	model_set_link(H.m, false, H.t);
	model_set_link(H.m, true, H.t + 1000);
	/* The link is up again, but it was down since the last read. */
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT2) & PHSTAT2_LSTAT, PHSTAT2_LSTAT);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1) & PHSTAT1_LLSTAT, 0);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT1) & PHSTAT1_LLSTAT, PHSTAT1_LLSTAT);
	model_set_link(H.m, false, H.t);
	ck_assert_uint_eq(h_phy_read(&H, PHSTAT2) & PHSTAT2_LSTAT, 0);
	/* EtherCard reads only MIRDH and tests bit 2 (LSTAT). */
	h_phy_read(&H, PHSTAT2);
	ck_assert_uint_eq(h_rcr(&H, MIRDH) & 0x04, 0);
}
END_TEST

START_TEST(test_link_change_raises_linkif)
{
	ready();
	h_phy_write(&H, PHIE, PHIE_PGEIE | PHIE_PLNKIE);
	h_wcr(&H, EIE, EIE_INTIE | EIE_LINKIE);
	ck_assert(!model_int_asserted(H.m));
	model_set_link(H.m, false, H.t);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_LINKIF, EIR_LINKIF);
	ck_assert(model_int_asserted(H.m));
	/* BFC cannot clear LINKIF; reading PHIR does. */
	h_bfc(&H, EIR, EIR_LINKIF);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_LINKIF, EIR_LINKIF);
	ck_assert_uint_eq(h_phy_read(&H, PHIR), PHIR_PLNKIF | PHIR_PGIF);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_LINKIF, 0);
	ck_assert(!model_int_asserted(H.m));
	ck_assert_uint_eq(h_phy_read(&H, PHIR), 0);
}
END_TEST

START_TEST(test_link_change_without_phie_sets_only_plnkif)
{
	ready();
	model_set_link(H.m, false, H.t);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_LINKIF, 0);
	ck_assert_uint_eq(h_phy_read(&H, PHIR), PHIR_PLNKIF);
}
END_TEST

START_TEST(test_mii_scan_refreshes_mird)
{
	ready();
	h_wcr(&H, MIREGADR, PHSTAT2);
	h_wcr(&H, MICMD, MICMD_MIISCAN);
	uint64_t t0 = H.t;
	ck_assert_uint_eq(h_rcr(&H, MISTAT), MISTAT_SCAN | MISTAT_NVALID | MISTAT_BUSY);
	H.t = t0 + 10240;
	ck_assert_uint_eq(h_rcr(&H, MISTAT), MISTAT_SCAN | MISTAT_BUSY);
	ck_assert_uint_eq(h_rcr(&H, MIRDH) & 0x04, 0x04); /* LSTAT */
	model_set_link(H.m, false, H.t);
	H.t = t0 + 2 * 10240;
	ck_assert_uint_eq(h_rcr(&H, MIRDH) & 0x04, 0);
	h_wcr(&H, MICMD, 0);
	H.t = t0 + 3 * 10240;
	ck_assert_uint_eq(h_rcr(&H, MISTAT), 0);
	ck_assert_uint_eq(model_next_deadline(H.m), MODEL_TIME_NEVER);
	ck_assert_uint_eq(model_diag_count(H.m), 0); /* MIRD reads while scanning are fine */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_phy");
	TCase *tc = tcase_create("phy");
	tcase_add_test(tc, test_busy_timing_on_read);
	tcase_add_test(tc, test_busy_timing_on_write);
	tcase_add_test(tc, test_ids_and_prst);
	tcase_add_test(tc, test_phstat1_first_read_after_power_on_is_0x1800);
	tcase_add_test(tc, test_llstat_latches_low);
	tcase_add_test(tc, test_link_change_raises_linkif);
	tcase_add_test(tc, test_link_change_without_phie_sets_only_plnkif);
	tcase_add_test(tc, test_mii_scan_refreshes_mird);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
