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

/* ---- MIISCAN against a read-by-read reference ----
 * DS 3.3.3: once MIISCAN is set the chip reads MIREGADR every 10.24 us;
 * MIRD holds the last completed read. The reference below walks the reads
 * one by one (a link change at time c is seen by the reads at b > c; one
 * at exactly b is seen by the next); the model must agree at every
 * observation time, however sparse, and must not need an event per read. */
#define B 10240u
#define NREADS 120u

struct change {
	uint64_t at; /* offset from the MIISCAN write */
	bool up;
};

/* What read k (1-based, at t0 + k * B) returns, for PHSTAT2 or PHSTAT1
 * (latching LLSTAT: clear on link loss, re-armed by a read with the link
 * up; 0 at power-on). */
static void reference(uint8_t reg, const struct change *c, unsigned nc, uint16_t *val)
{
	bool up = true, ll = false;
	unsigned j = 0;
	for (unsigned k = 1; k <= NREADS; k++) {
		uint64_t b = (uint64_t)k * B;
		for (; j < nc && c[j].at < b; j++) {
			up = c[j].up;
			if (!up)
				ll = false;
		}
		if (reg == PHSTAT2) {
			val[k] = up ? PHSTAT2_LSTAT : 0;
		} else {
			val[k] = (uint16_t)(0x1800u | (ll ? PHSTAT1_LLSTAT : 0u));
			if (up)
				ll = true;
		}
	}
}

/* Scan reg; apply the link changes and observe MIRD every `step` ns. */
static void scan_against_reference(uint8_t reg, const struct change *c, unsigned nc, uint64_t step)
{
	uint16_t want[NREADS + 1];
	reference(reg, c, nc, want);
	ready();
	h_wcr(&H, MIREGADR, reg);
	h_wcr(&H, MICMD, MICMD_MIISCAN);
	uint64_t t0 = H.t;
	unsigned j = 0, seen = 0;
	for (uint64_t off = step; off < (uint64_t)NREADS * B; off += step) {
		for (; j < nc && c[j].at <= off; j++)
			model_set_link(H.m, c[j].up, t0 + c[j].at);
		H.t = t0 + off;
		uint16_t got = h_rd16(&H, MIRDL);
		unsigned k = (unsigned)(off / B);
		if (k >= 1) {
			ck_assert_msg(got == want[k], "reg %u at +%llu ns (read %u): MIRD 0x%04x, reference 0x%04x",
				      reg, (unsigned long long)off, k, got, want[k]);
			ck_assert_uint_eq(h_rcr(&H, MISTAT), MISTAT_SCAN | MISTAT_BUSY);
			seen++;
		}
	}
	ck_assert_uint_gt(seen, 0);
	ck_assert_uint_eq(model_diag_count(H.m), 0);
}

static const struct change FLAPS[] = {
	{25 * B + 100, false}, {40 * B, true},          /* up exactly at a read */
	{40 * B + 1, false},   {41 * B - 1, true},      /* a blip between two reads */
	{70 * B, false},       {90 * B + 5000, true},
};

START_TEST(test_mii_scan_phstat2_matches_reference)
{
	scan_against_reference(PHSTAT2, FLAPS, 6, 3777);     /* several per read */
	scan_against_reference(PHSTAT2, FLAPS, 6, 37 * B + 11); /* sparse */
	scan_against_reference(PHSTAT2, FLAPS, 6, B);         /* on the reads */
}
END_TEST

START_TEST(test_mii_scan_phstat1_latch_matches_reference)
{
	scan_against_reference(PHSTAT1, FLAPS, 6, 3777);
	scan_against_reference(PHSTAT1, FLAPS, 6, 29 * B + 7);
}
END_TEST

/* Scanning PHIR with the link interrupt enabled: the read after a link
 * change clears PHIR and EIR.LINKIF, so INT goes high at exactly that read,
 * even with nobody looking in between. */
START_TEST(test_mii_scan_phir_clears_int_at_the_next_read)
{
	ready();
	h_phy_write(&H, PHIE, PHIE_PGEIE | PHIE_PLNKIE);
	h_wcr(&H, EIE, EIE_INTIE | EIE_LINKIE);
	h_wcr(&H, MIREGADR, PHIR);
	h_wcr(&H, MICMD, MICMD_MIISCAN);
	uint64_t t0 = H.t;
	model_set_link(H.m, false, t0 + 5 * B + 300);
	ck_assert(H.int_level);
	ck_assert_uint_eq(H.int_t, t0 + 5 * B + 300);
	h_wait(&H, 50 * B);
	ck_assert(!H.int_level);
	ck_assert_uint_eq(H.int_t, t0 + 6 * B);
	ck_assert_uint_eq(H.int_changes, 2);
	/* A change exactly at a read is seen by the next one. */
	model_set_link(H.m, true, t0 + 60 * B);
	ck_assert(H.int_level);
	H.t = t0 + 60 * B + 5000;
	ck_assert_uint_eq(h_rd16(&H, MIRDL), 0); /* the read at 60 B saw nothing */
	H.t = t0 + 61 * B;
	ck_assert_uint_eq(h_rd16(&H, MIRDL), PHIR_PLNKIF | PHIR_PGIF);
	ck_assert(!H.int_level);
	ck_assert_uint_eq(H.int_t, t0 + 61 * B);
	H.t = t0 + 62 * B;
	ck_assert_uint_eq(h_rd16(&H, MIRDL), 0);
}
END_TEST

/* The point of computing it lazily: a scan whose reads change nothing needs
 * no model deadline at all, so model_advance() is not called once per
 * 10.24 us. (bench_mii_scan prints the figure through a simulated board.) */
START_TEST(test_mii_scan_needs_no_event_per_read)
{
	ready();
	h_wcr(&H, MIREGADR, PHSTAT2);
	h_wcr(&H, MICMD, MICMD_MIISCAN);
	uint64_t t0 = H.t;
	ck_assert_uint_eq(model_next_deadline(H.m), t0 + B); /* the first read (NVALID) */
	h_wait(&H, B);
	ck_assert_uint_eq(model_next_deadline(H.m), MODEL_TIME_NEVER);
	model_set_link(H.m, false, t0 + 1000000);
	ck_assert_uint_eq(model_next_deadline(H.m), MODEL_TIME_NEVER);
	h_wait(&H, 2000000000u); /* 2 s of virtual time, one call */
	ck_assert_uint_eq(model_peek_reg(H.m, 2, ENC_REG_ADDR(MIRDH)) & 0x04, 0);
	ck_assert_uint_eq(h_rcr(&H, MISTAT), MISTAT_SCAN | MISTAT_BUSY);
	/* Stopping: the read in progress is the last, then BUSY clears. */
	h_wcr(&H, MICMD, 0);
	uint64_t next = model_next_deadline(H.m);
	ck_assert_uint_gt(next, H.t);
	ck_assert_uint_le(next, H.t + B);
	ck_assert_uint_eq((next - t0) % B, 0);
	H.t = next;
	ck_assert_uint_eq(h_rcr(&H, MISTAT), 0);
	ck_assert_uint_eq(model_next_deadline(H.m), MODEL_TIME_NEVER);
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
	tcase_add_test(tc, test_mii_scan_phstat2_matches_reference);
	tcase_add_test(tc, test_mii_scan_phstat1_latch_matches_reference);
	tcase_add_test(tc, test_mii_scan_phir_clears_int_at_the_next_read);
	tcase_add_test(tc, test_mii_scan_needs_no_event_per_read);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
