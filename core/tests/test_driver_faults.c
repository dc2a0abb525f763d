/*
 * test_driver_faults.c - the driver recovers from what the chip and the
 * wire throw at it, loses exactly the frames the fault took, and says so in
 * its counters: receive overflow (injected and real), transmit abort,
 * transmit stall (erratum 12), false late collisions (erratum 13).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "driver_pair.h"
#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "model_hal.h"

#define FRAME_LEN 400u

/* Send n frames a -> b with sequence numbers first..first+n-1, receiving
 * after each; records which arrived in seen[] and returns the count of
 * distinct ones. */
static unsigned send_and_collect(struct driver_pair *p, uint32_t first, unsigned n, bool *seen)
{
	uint8_t frame[FRAME_LEN], buf[ENC_TX_MAX_FRAME];
	unsigned i, distinct = 0;

	for (i = 0; i < n; i++) {
		uint16_t len;

		driver_frame(frame, FRAME_LEN, driver_mac_b, driver_mac_a, first + i);
		ck_assert_int_eq(driver_pair_send(p, &p->da, frame, FRAME_LEN), ENC_OK);
		/* Give retries and stall recovery time to finish. */
		model_hal_run(&p->a, 20u * driver_wire_ns(FRAME_LEN));
		(void)enc_poll(&p->da);
		(void)enc_poll(&p->db);
		while ((len = enc_recv(&p->db, buf, sizeof(buf))) != 0) {
			uint32_t seq = 0;

			ck_assert(driver_frame_ok(buf, len, &seq));
			ck_assert_uint_ge(seq, first);
			ck_assert_uint_lt(seq, first + n);
			if (!seen[seq - first])
				distinct++;
			seen[seq - first] = true;
		}
	}
	/* Collect the last completion. */
	ck_assert_int_eq(enc_tx_begin(&p->da), ENC_OK);
	return distinct;
}

START_TEST(test_faults_injected_rx_overflow)
{
	struct driver_pair p;
	bool seen[10] = {false};

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	model_fault_rx_overflow(p.b.m, 3);
	ck_assert_uint_eq(send_and_collect(&p, 0, 10, seen), 7u);
	ck_assert_uint_eq(p.db.stats.rx_overflows, 3u);
	ck_assert_uint_eq(p.db.stats.rx_frames, 7u);
	ck_assert_uint_eq(p.da.stats.tx_frames, 10u);
	ck_assert_uint_eq(model_get_stats(p.b.m)->rx_dropped_fault, 3u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* Flood b without reading: the ring fills, the chip drops and raises
 * RXERIF; afterwards every stored frame is intact and stored + dropped
 * equals sent. */
START_TEST(test_faults_real_rx_overflow)
{
	struct driver_pair p;
	uint8_t frame[ENC_TX_MAX_FRAME], buf[ENC_TX_MAX_FRAME];
	uint32_t seq, got = 0, last = 0;
	uint16_t len;
	const struct model_stats *ms;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	for (seq = 0; seq < 12u; seq++) {
		driver_frame(frame, 1000, driver_mac_b, driver_mac_a, seq);
		ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, 1000), ENC_OK);
	}
	ck_assert(enc_poll(&p.db));
	ck_assert_uint_ge(p.db.stats.rx_overflows, 1u);
	while ((len = enc_recv(&p.db, buf, sizeof(buf))) != 0) {
		uint32_t s = 0;

		ck_assert(driver_frame_ok(buf, len, &s));
		ck_assert(got == 0 || s > last);
		last = s;
		got++;
	}
	ms = model_get_stats(p.b.m);
	ck_assert_uint_gt(ms->rx_dropped_full, 0u);
	ck_assert_uint_eq(got + ms->rx_dropped_full, 12u);
	/* And reception goes on. */
	driver_frame(frame, 100, driver_mac_b, driver_mac_a, 99);
	ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, 100), ENC_OK);
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), 100u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

START_TEST(test_faults_tx_abort)
{
	struct driver_pair p;
	bool seen[10] = {false};

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	model_fault_tx_abort(p.a.m, 2);
	ck_assert_uint_eq(send_and_collect(&p, 0, 10, seen), 8u);
	ck_assert_uint_eq(p.da.stats.tx_aborts, 2u);
	ck_assert_uint_eq(p.da.stats.tx_frames, 8u);
	ck_assert_uint_eq(p.da.stats.tx_latecol_retries, 0u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* An abort with erratum 12 on: the transmit logic would stall, but the
 * TXRST pulse before every frame keeps it going. */
START_TEST(test_faults_tx_abort_with_stall_erratum)
{
	struct driver_pair p;
	struct model_config mc;
	bool seen[10] = {false};

	memset(&mc, 0, sizeof(mc));
	mc.link_up = true;
	mc.errata = MODEL_ERRATUM_TX_ABORT_STALL;
	ck_assert_int_eq(driver_pair_setup(&p, &mc, true, true), ENC_OK);
	model_fault_tx_abort(p.a.m, 1);
	ck_assert_uint_eq(send_and_collect(&p, 0, 10, seen), 9u);
	ck_assert_uint_eq(p.da.stats.tx_aborts, 1u);
	ck_assert_uint_eq(p.da.stats.tx_frames, 9u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* TXRTS never clears: after ENC_TX_TIMEOUT_US the driver resets the
 * transmit logic and sends the frame again, so nothing is lost. */
START_TEST(test_faults_tx_stall_recovered)
{
	struct driver_pair p;
	bool seen[6] = {false};
	uint64_t t0;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	model_fault_tx_stall(p.a.m);
	t0 = p.clk.now;
	ck_assert_uint_eq(send_and_collect(&p, 0, 6, seen), 6u);
	ck_assert_uint_eq(p.da.stats.tx_stalls, 1u);
	ck_assert_uint_eq(p.da.stats.tx_frames, 6u);
	ck_assert_uint_eq(p.da.stats.tx_aborts, 0u);
	/* The stall was waited out, in virtual time, about as long as the
	 * timeout says. */
	ck_assert_uint_ge(p.clk.now - t0, (uint64_t)ENC_TX_TIMEOUT_US * 1000u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

static void keep_stalling(struct model_board *b)
{
	model_fault_tx_stall(b->m);
}

/* A frame whose retransmission stalls too is given up (counted as an
 * abort); the driver does not hang and the next frame goes out. */
START_TEST(test_faults_tx_double_stall_gives_up)
{
	struct driver_pair p;
	uint8_t frame[FRAME_LEN], buf[ENC_TX_MAX_FRAME];
	uint32_t seq = 0;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	p.a.on_select = keep_stalling;
	driver_frame(frame, FRAME_LEN, driver_mac_b, driver_mac_a, 1);
	ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, FRAME_LEN), ENC_OK);
	ck_assert_int_eq(enc_tx_begin(&p.da), ENC_OK); /* collects: gives up */
	p.a.on_select = NULL;
	ck_assert_uint_eq(p.da.stats.tx_stalls, 2u);
	ck_assert_uint_eq(p.da.stats.tx_aborts, 1u);
	ck_assert_uint_eq(p.da.stats.tx_frames, 0u);
	/* The stall fault is still armed once: the next frame stalls, is
	 * retransmitted and arrives. */
	driver_frame(frame, FRAME_LEN, driver_mac_b, driver_mac_a, 2);
	enc_tx_write(&p.da, frame, FRAME_LEN);
	ck_assert_int_eq(enc_tx_send(&p.da), ENC_OK);
	ck_assert_int_eq(enc_tx_begin(&p.da), ENC_OK);
	model_hal_run(&p.a, driver_wire_ns(FRAME_LEN));
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), FRAME_LEN);
	ck_assert(driver_frame_ok(buf, FRAME_LEN, &seq));
	ck_assert_uint_eq(seq, 2u);
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), 0u);
	ck_assert_uint_eq(p.da.stats.tx_stalls, 3u);
	ck_assert_uint_eq(p.da.stats.tx_frames + p.da.stats.tx_aborts, 2u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* Erratum 13 in half duplex: spurious late collisions. The driver retries
 * (TSV bit 29) and no frame is lost. A false late collision may still have
 * put the frame on the wire, so duplicates are allowed. */
START_TEST(test_faults_false_late_collision_retried)
{
	struct driver_pair p;
	struct model_config mc;
	bool seen[40] = {false};

	memset(&mc, 0, sizeof(mc));
	mc.link_up = true;
	mc.seed = 42;
	mc.errata = MODEL_ERRATUM_FALSE_LATECOL;
	mc.fault_tx_latecol_ppm = 300000u;
	ck_assert_int_eq(driver_pair_setup(&p, &mc, false, true), ENC_OK);
	ck_assert_uint_eq(send_and_collect(&p, 0, 40, seen), 40u);
	ck_assert_uint_gt(p.da.stats.tx_latecol_retries, 0u);
	ck_assert_uint_eq(p.da.stats.tx_aborts, 0u);
	ck_assert_uint_eq(p.da.stats.tx_frames, 40u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* Every attempt a late collision: the retries run out and the frame is
 * counted as aborted; the next frame starts clean. */
START_TEST(test_faults_late_collision_retries_bounded)
{
	struct driver_pair p;
	struct model_config mc;
	uint8_t frame[FRAME_LEN];

	memset(&mc, 0, sizeof(mc));
	mc.link_up = true;
	mc.errata = MODEL_ERRATUM_FALSE_LATECOL;
	mc.fault_tx_latecol_ppm = 1000000u;
	ck_assert_int_eq(driver_pair_setup(&p, &mc, false, true), ENC_OK);
	driver_frame(frame, FRAME_LEN, driver_mac_b, driver_mac_a, 0);
	ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, FRAME_LEN), ENC_OK);
	ck_assert_int_eq(enc_tx_begin(&p.da), ENC_OK);
	ck_assert_uint_eq(p.da.stats.tx_latecol_retries, ENC_TX_RETRIES);
	ck_assert_uint_eq(p.da.stats.tx_aborts, 1u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* Everything at once, seeded: receive overflows, corrupted frames stored
 * with a bad status (CRCEN off), false late collisions in half duplex,
 * 600 frames of random length. Every frame the driver hands up is intact
 * and in order, and the books balance: what the wire carried was either
 * stored or dropped by a fault, and what was stored was either handed up or
 * counted as bad. */
START_TEST(test_faults_seeded_soak)
{
	struct driver_pair p;
	struct model_config mc;
	uint8_t frame[ENC_TX_MAX_FRAME], buf[ENC_TX_MAX_FRAME];
	uint32_t rnd = 7, seq, last = 0, got = 0;
	const struct model_stats *ms;
	const unsigned n = 600;

	memset(&mc, 0, sizeof(mc));
	mc.link_up = true;
	mc.seed = 2024;
	mc.errata = MODEL_ERRATUM_FALSE_LATECOL | MODEL_ERRATUM_PKTIF_UNRELIABLE |
	            MODEL_ERRATUM_TX_ABORT_STALL;
	mc.fault_tx_latecol_ppm = 100000u;
	mc.fault_rx_overflow_ppm = 50000u;
	mc.fault_rx_crc_ppm = 50000u;
	ck_assert_int_eq(driver_pair_setup(&p, &mc, false, true), ENC_OK);
	enc_bit_clear(&p.db, ERXFCON, ERXFCON_CRCEN);
	for (seq = 0; seq < n; seq++) {
		uint16_t len;

		rnd = rnd * 1103515245u + 12345u;
		len = (uint16_t)(20u + (rnd >> 8) % (ENC_TX_MAX_FRAME - 19u));
		driver_frame(frame, len, driver_mac_b, driver_mac_a, seq);
		ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, len), ENC_OK);
		if (seq % 3u != 2u)
			continue; /* let a few queue up */
		(void)enc_poll(&p.db);
		while ((len = enc_recv(&p.db, buf, sizeof(buf))) != 0) {
			uint32_t s = 0;

			ck_assert(driver_frame_ok(buf, len, &s));
			ck_assert(got == 0 || s > last);
			last = s;
			got++;
		}
	}
	for (seq = 0; seq < 10u && (seq == 0 || p.da.tx_pending); seq++) {
		model_hal_run(&p.a, 4000000u);
		(void)enc_poll(&p.da);
	}
	(void)enc_poll(&p.db);
	while (enc_recv(&p.db, buf, sizeof(buf)) != 0)
		got++;
	ms = model_get_stats(p.b.m);
	ck_assert_uint_eq(p.da.stats.tx_frames + p.da.stats.tx_aborts, n);
	ck_assert_uint_eq(p.da.stats.tx_frames, p.a.wire_tx);
	ck_assert_uint_gt(p.da.stats.tx_latecol_retries, 0u);
	ck_assert_uint_eq(ms->rx_frames_stored + ms->rx_dropped_fault + ms->rx_dropped_full,
	                  p.a.wire_tx);
	ck_assert_uint_eq(got, p.db.stats.rx_frames);
	ck_assert_uint_eq(p.db.stats.rx_frames + p.db.stats.rx_bad_status, ms->rx_frames_stored);
	ck_assert_uint_gt(p.db.stats.rx_bad_status, 0u);
	ck_assert_uint_gt(p.db.stats.rx_overflows, 0u);
	ck_assert_uint_eq(p.db.stats.rx_resets + p.db.stats.rx_bad_length, 0u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

static Suite *driver_faults_suite(void)
{
	Suite *s = suite_create("driver_faults");
	TCase *tc = tcase_create("faults");

	tcase_add_test(tc, test_faults_injected_rx_overflow);
	tcase_add_test(tc, test_faults_real_rx_overflow);
	tcase_add_test(tc, test_faults_tx_abort);
	tcase_add_test(tc, test_faults_tx_abort_with_stall_erratum);
	tcase_add_test(tc, test_faults_tx_stall_recovered);
	tcase_add_test(tc, test_faults_tx_double_stall_gives_up);
	tcase_add_test(tc, test_faults_false_late_collision_retried);
	tcase_add_test(tc, test_faults_late_collision_retries_bounded);
	tcase_add_test(tc, test_faults_seeded_soak);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(driver_faults_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
