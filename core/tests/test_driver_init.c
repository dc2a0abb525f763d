/*
 * test_driver_init.c - enc_init() against the chip model: the datasheet and
 * errata checker stays silent (also with every erratum switched on), a
 * missing chip is recognised, and the registers end up as the memory plan
 * and the datasheet say (MAC in datasheet order, ring at 0, ERXRDPT odd).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "driver_pair.h"
#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "model_hal.h"

#define ALL_ERRATA                                                                           \
	(MODEL_ERRATUM_PKTIF_UNRELIABLE | MODEL_ERRATUM_FALSE_LATECOL |                      \
	 MODEL_ERRATUM_TX_ABORT_STALL | MODEL_ERRATUM_EVEN_ERXRDPT | MODEL_ERRATUM_CLKRDY_EARLY)

static uint16_t peek16(const struct enc_model *m, uint8_t bank, uint8_t addr)
{
	return (uint16_t)(model_peek_reg(m, bank, addr) |
	                  (uint16_t)(model_peek_reg(m, bank, (uint8_t)(addr + 1u)) << 8));
}

static void init_one(uint32_t errata, bool full_duplex, bool bursts)
{
	struct model_clock clk = {0};
	struct model_board b;
	struct model_config mc;
	struct enc_config cfg;
	struct enc_dev d;
	int rc;

	memset(&mc, 0, sizeof(mc));
	mc.link_up = true;
	mc.errata = errata;
	model_hal_init(&b, &clk, &mc, bursts);
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.mac, driver_mac_a, 6);
	cfg.full_duplex = full_duplex;
	rc = enc_init(&d, &b.hal, &cfg);
	ck_assert_int_eq(rc, ENC_OK);
	/* Let anything the init started settle, then poll once. */
	model_hal_run(&b, 1000000u);
	(void)enc_poll(&d);
	ck_assert_uint_eq(model_hal_dump_diags(&b, "init"), 0);
	ck_assert(enc_link_is_up(&d));
	model_hal_free(&b);
}

START_TEST(test_init_no_diagnostics)
{
	init_one(0, true, true);
}
END_TEST

START_TEST(test_init_no_diagnostics_all_errata)
{
	init_one(ALL_ERRATA, true, true);
	init_one(ALL_ERRATA, true, false);
}
END_TEST

START_TEST(test_init_half_duplex_no_diagnostics)
{
	init_one(ALL_ERRATA, false, true);
}
END_TEST

START_TEST(test_init_registers_follow_memory_plan)
{
	struct driver_pair p;
	const struct enc_model *m;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	m = p.a.m;
	/* MAC in datasheet order: MAADR1 (bank 3, 0x04) is the first octet. */
	ck_assert_uint_eq(model_peek_reg(m, 3, 0x04), driver_mac_a[0]);
	ck_assert_uint_eq(model_peek_reg(m, 3, 0x05), driver_mac_a[1]);
	ck_assert_uint_eq(model_peek_reg(m, 3, 0x02), driver_mac_a[2]);
	ck_assert_uint_eq(model_peek_reg(m, 3, 0x03), driver_mac_a[3]);
	ck_assert_uint_eq(model_peek_reg(m, 3, 0x00), driver_mac_a[4]);
	ck_assert_uint_eq(model_peek_reg(m, 3, 0x01), driver_mac_a[5]);
	/* Ring at 0 (erratum 5), ERXND = default, ERXRDPT odd (erratum 14). */
	ck_assert_uint_eq(peek16(m, 0, ENC_REG_ADDR(ERXSTL)), 0);
	ck_assert_uint_eq(peek16(m, 0, ENC_REG_ADDR(ERXNDL)), ENC_RX_END_DEFAULT);
	ck_assert_uint_eq(peek16(m, 0, ENC_REG_ADDR(ERXRDPTL)) & 1u, 1u);
	ck_assert_uint_eq(peek16(m, 0, ENC_REG_ADDR(ETXSTL)), ENC_RX_END_DEFAULT + 1u);
	ck_assert_uint_eq(enc_spare_start(&p.da), ENC_RX_END_DEFAULT + 1u + 1u + ENC_TX_MAX_FRAME + 7u);
	/* Filters, MAC and PHY configuration. */
	ck_assert_uint_eq(model_peek_reg(m, 1, ENC_REG_ADDR(ERXFCON)),
	                  ERXFCON_UCEN | ERXFCON_CRCEN | ERXFCON_BCEN);
	ck_assert_uint_eq(model_peek_reg(m, 2, ENC_REG_ADDR(MACON3)),
	                  MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN | MACON3_FULDPX);
	ck_assert_uint_eq(model_peek_reg(m, 2, ENC_REG_ADDR(MACON1)) & MACON1_MARXEN, MACON1_MARXEN);
	ck_assert_uint_eq(model_peek_reg(m, 2, ENC_REG_ADDR(MABBIPG)), 0x15);
	ck_assert_uint_eq(peek16(m, 2, ENC_REG_ADDR(MAMXFLL)), ENC_ETH_MAX_FRAME);
	ck_assert_uint_eq(model_peek_phy(m, PHCON1) & PHCON1_PDPXMD, PHCON1_PDPXMD);
	ck_assert_uint_eq(model_peek_phy(m, PHCON2) & PHCON2_HDLDIS, PHCON2_HDLDIS);
	ck_assert_uint_eq(model_peek_phy(m, PHIE), PHIE_PGEIE | PHIE_PLNKIE);
	ck_assert_uint_eq(model_peek_reg(m, 0, ENC_REG_ADDR(ECON1)) & ECON1_RXEN, ECON1_RXEN);
	ck_assert_uint_eq(model_peek_reg(m, 0, ENC_REG_ADDR(ECON2)) & ECON2_AUTOINC, ECON2_AUTOINC);
	ck_assert_uint_eq(p.da.revid, ENC_EREVID_B7);
	driver_pair_teardown(&p);
}
END_TEST

/* A chip held in reset answers nothing: MISO idles high, EREVID reads
 * 0xFF. (The model's config revid can't produce 0x00 or 0xFF: EREVID is a
 * 5-bit register and revid 0 means "default B7".) */
START_TEST(test_init_chip_in_reset_is_nochip)
{
	struct model_clock clk = {0};
	struct model_board b;
	struct enc_config cfg;
	struct enc_dev d;

	model_hal_init(&b, &clk, NULL, true);
	model_reset_pin(b.m, true, clk.now);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(enc_init(&d, &b.hal, &cfg), ENC_ERR_NOCHIP);
	/* Released, the same board comes up. */
	model_reset_pin(b.m, false, clk.now);
	ck_assert_int_eq(enc_init(&d, &b.hal, &cfg), ENC_OK);
	ck_assert_uint_eq(d.revid, ENC_EREVID_B7);
	model_hal_free(&b);
}
END_TEST

/* Another revision ID is accepted and reported. */
START_TEST(test_init_reports_revid)
{
	struct model_clock clk = {0};
	struct model_board b;
	struct model_config mc;
	struct enc_config cfg;
	struct enc_dev d;

	memset(&mc, 0, sizeof(mc));
	mc.revid = 0x04; /* B5 */
	model_hal_init(&b, &clk, &mc, true);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(enc_init(&d, &b.hal, &cfg), ENC_OK);
	ck_assert_uint_eq(d.revid, 0x04);
	model_hal_free(&b);
}
END_TEST

/* No chip on the bus: MISO stuck at one level. The model can't report
 * EREVID 0x00 (config revid 0 means "default B7"), so the bus is faked. */
struct stuck_bus {
	uint8_t level;
	uint32_t delayed_us;
};

static void stuck_select(void *ctx)
{
	(void)ctx;
}

static uint8_t stuck_xfer(void *ctx, uint8_t out)
{
	(void)out;
	return ((struct stuck_bus *)ctx)->level;
}

static void stuck_delay(void *ctx, uint32_t us)
{
	((struct stuck_bus *)ctx)->delayed_us += us;
}

START_TEST(test_init_stuck_miso_is_nochip)
{
	static const uint8_t levels[2] = {0x00, 0xFF};
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct stuck_bus bus = {levels[i], 0};
		struct enc_spi_hal hal = {stuck_select, stuck_select, stuck_xfer, NULL, NULL,
		                          stuck_delay, &bus};
		struct enc_config cfg;
		struct enc_dev d;

		memset(&cfg, 0, sizeof(cfg));
		ck_assert_int_eq(enc_init(&d, &hal, &cfg), ENC_ERR_NOCHIP);
		/* Erratum 2: at least 1 ms after the reset, and bounded. */
		ck_assert_uint_ge(bus.delayed_us, 1000u);
		ck_assert_uint_le(bus.delayed_us, 20000u);
	}
}
END_TEST

START_TEST(test_init_clkrdy_never_times_out)
{
	struct model_clock clk = {0};
	struct model_board b;
	struct model_config mc;
	struct enc_config cfg;
	struct enc_dev d;

	memset(&mc, 0, sizeof(mc));
	mc.clkrdy_ns = 10ull * 1000000000u; /* 10 s */
	model_hal_init(&b, &clk, &mc, true);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(enc_init(&d, &b.hal, &cfg), ENC_ERR_TIMEOUT);
	ck_assert_uint_lt(clk.now, 50ull * 1000000u);
	model_hal_free(&b);
}
END_TEST

START_TEST(test_init_slow_clkrdy_is_waited_for)
{
	struct model_clock clk = {0};
	struct model_board b;
	struct model_config mc;
	struct enc_config cfg;
	struct enc_dev d;

	memset(&mc, 0, sizeof(mc));
	mc.clkrdy_ns = 4000000u; /* 4 ms, past the fixed 1 ms wait */
	mc.link_up = true;
	model_hal_init(&b, &clk, &mc, true);
	memset(&cfg, 0, sizeof(cfg));
	cfg.full_duplex = true;
	ck_assert_int_eq(enc_init(&d, &b.hal, &cfg), ENC_OK);
	ck_assert_uint_eq(model_hal_dump_diags(&b, "slow-clkrdy"), 0);
	model_hal_free(&b);
}
END_TEST

START_TEST(test_init_rejects_bad_rx_end)
{
	static const uint16_t bad[4] = {0x0FFE, 0x0101, 0x1F00, 0x1FFF};
	struct model_clock clk = {0};
	struct model_board b;
	struct enc_config cfg;
	struct enc_dev d;
	unsigned i;

	model_hal_init(&b, &clk, NULL, true);
	memset(&cfg, 0, sizeof(cfg));
	for (i = 0; i < 4; i++) {
		cfg.rx_end = bad[i];
		ck_assert_int_eq(enc_init(&d, &b.hal, &cfg), ENC_ERR_ARG);
	}
	cfg.rx_end = 0x19FF;
	ck_assert_int_eq(enc_init(&d, &b.hal, &cfg), ENC_OK);
	ck_assert_uint_eq(enc_spare_start(&d), 0x1A00u + 1u + ENC_TX_MAX_FRAME + 7u);
	model_hal_free(&b);
}
END_TEST

/* Erratum 19: an MCU reset while the chip sleeps (PWRSV) would have its SRC
 * ignored; init wakes the chip first, so the reset really happens. */
START_TEST(test_init_wakes_chip_from_power_save)
{
	struct driver_pair p;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	enc_write_reg(&p.da, EPMM0, 0x55); /* not written by init; SRC clears it */
	enc_bit_clear(&p.da, ECON1, ECON1_RXEN);
	enc_bit_set(&p.da, ECON2, ECON2_PWRSV);
	ck_assert_int_eq(enc_init(&p.da, &p.a.hal, &p.ca), ENC_OK);
	ck_assert_uint_eq(model_peek_reg(p.a.m, 0, ENC_REG_ADDR(ECON2)) & ECON2_PWRSV, 0);
	ck_assert_uint_eq(model_peek_reg(p.a.m, 1, ENC_REG_ADDR(EPMM0)), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* The public low layer: bit operations on a MAC register are done by
 * read-modify-write (BFS/BFC are for ETH registers only), and a user
 * switching banks behind the driver's back doesn't fool its cache. */
START_TEST(test_low_layer_bitops_and_bank_cache)
{
	struct driver_pair p;
	uint8_t macon3;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	macon3 = enc_read_reg(&p.da, MACON3);
	enc_bit_clear(&p.da, MACON3, MACON3_FRMLNEN);
	ck_assert_uint_eq(enc_read_reg(&p.da, MACON3), macon3 & ~MACON3_FRMLNEN);
	enc_bit_set(&p.da, MACON3, MACON3_FRMLNEN);
	ck_assert_uint_eq(model_peek_reg(p.a.m, 2, ENC_REG_ADDR(MACON3)), macon3);
	ck_assert_uint_eq(model_diag_count_rule(p.a.m, MODEL_RULE_BITOP_ON_MACMII), 0);

	(void)enc_read_reg(&p.da, EPKTCNT); /* driver now believes bank 1 */
	enc_bit_set(&p.da, ECON1, ECON1_BSEL1); /* user: bank 3 */
	ck_assert_uint_eq(enc_read_reg(&p.da, ERXFCON),
	                  ERXFCON_UCEN | ERXFCON_CRCEN | ERXFCON_BCEN);
	enc_bit_clear(&p.da, ECON1, ECON1_BSEL0); /* user: bank 0 */
	ck_assert_uint_eq(enc_read_reg(&p.da, MACON3), macon3);
	ck_assert_uint_eq(enc_read_reg(&p.da, ERXNDH), ENC_RX_END_DEFAULT >> 8);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

static Suite *driver_init_suite(void)
{
	Suite *s = suite_create("driver_init");
	TCase *tc = tcase_create("init");

	tcase_add_test(tc, test_init_no_diagnostics);
	tcase_add_test(tc, test_init_no_diagnostics_all_errata);
	tcase_add_test(tc, test_init_half_duplex_no_diagnostics);
	tcase_add_test(tc, test_init_registers_follow_memory_plan);
	tcase_add_test(tc, test_init_chip_in_reset_is_nochip);
	tcase_add_test(tc, test_init_reports_revid);
	tcase_add_test(tc, test_init_stuck_miso_is_nochip);
	tcase_add_test(tc, test_init_clkrdy_never_times_out);
	tcase_add_test(tc, test_init_slow_clkrdy_is_waited_for);
	tcase_add_test(tc, test_init_rejects_bad_rx_end);
	tcase_add_test(tc, test_low_layer_bitops_and_bank_cache);
	tcase_add_test(tc, test_init_wakes_chip_from_power_save);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(driver_init_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
