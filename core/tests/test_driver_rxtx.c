/*
 * test_driver_rxtx.c - frames between two boards, driver to driver through
 * two chip models: round trips of every size, the receive ring wrapping many
 * times with several frames queued, short frames padded, frames read at
 * offsets, bad frames dropped and counted, a corrupt ring header recovered.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "driver_pair.h"
#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "model_hal.h"

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* Receive everything waiting at b, checking each frame; returns the count
 * and checks sequence numbers arrive in order from *next_seq. */
static unsigned drain(struct enc_dev *d, uint32_t *next_seq)
{
	uint8_t buf[ENC_TX_MAX_FRAME];
	unsigned n = 0;
	uint16_t len;

	(void)enc_poll(d);
	while ((len = enc_recv(d, buf, sizeof(buf))) != 0) {
		uint32_t seq = 0;

		ck_assert_msg(driver_frame_ok(buf, len, &seq), "frame %u (len %u) corrupt",
		              *next_seq, len);
		ck_assert_uint_eq(seq, *next_seq);
		(*next_seq)++;
		n++;
	}
	return n;
}

/* Let a's frame in flight (and any retry of it) finish. */
static void flush_tx(struct driver_pair *p)
{
	for (int i = 0; i < 10 && (i == 0 || p->da.tx_pending); i++) {
		model_hal_run(&p->a, 2000000u);
		(void)enc_poll(&p->da);
	}
	ck_assert(!p->da.tx_pending);
}

static void round_trip_many(bool bursts, uint16_t rx_end, unsigned frames, uint32_t errata)
{
	struct driver_pair p;
	struct model_config mc;
	uint8_t frame[ENC_TX_MAX_FRAME];
	uint32_t rnd = 0x1234u, seq = 0, rx_seq = 0;
	uint32_t bytes = 0;
	unsigned got = 0;
	uint16_t ring = (uint16_t)(rx_end + 1u);

	memset(&mc, 0, sizeof(mc));
	mc.link_up = true;
	mc.errata = errata;
	/* Erratum 13 (false late collisions) exists only in half duplex, so
	 * a run with it switched on is a half-duplex run. */
	ck_assert_int_eq(driver_pair_setup(&p, &mc, (errata & MODEL_ERRATUM_FALSE_LATECOL) == 0, bursts),
	                 ENC_OK);
	if (rx_end != 0) {
		/* Re-init b with a smaller ring to wrap it more often. */
		p.cb.rx_end = rx_end;
		ck_assert_int_eq(enc_init(&p.db, &p.b.hal, &p.cb), ENC_OK);
	} else {
		ring = ENC_RX_END_DEFAULT + 1u;
	}
	while (seq < frames) {
		/* A batch of frames queued in the ring before b reads them,
		 * keeping well inside the ring. */
		uint32_t queued = 0;

		do {
			uint16_t len = (uint16_t)(20u + lcg(&rnd) % (ENC_TX_MAX_FRAME - 20u + 1u));

			if (seq % 50u == 0u)
				len = ENC_TX_MAX_FRAME;
			if (seq % 50u == 1u)
				len = 20u;
			if (queued + len + 12u > ring / 2u && queued != 0)
				break;
			driver_frame(frame, len, driver_mac_b, driver_mac_a, seq);
			ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, len), ENC_OK);
			queued += len + 12u;
			bytes += len + 12u;
			seq++;
		} while (seq < frames);
		/* The batch's last frame is collected lazily; a retry of it
		 * (erratum 13) must land in this batch, not on top of the
		 * next one. */
		flush_tx(&p);
		got += drain(&p.db, &rx_seq);
	}
	flush_tx(&p);
	got += drain(&p.db, &rx_seq);
	ck_assert_uint_eq(got, frames);
	ck_assert_uint_eq(p.da.stats.tx_frames, frames);
	ck_assert_uint_eq(p.da.stats.tx_aborts, 0);
	/* The model's false late collisions strike a few percent of the
	 * longer frames (a link pulse past the first 64 bytes); each is
	 * retried and goes through. */
	if ((errata & MODEL_ERRATUM_FALSE_LATECOL) != 0) {
		ck_assert_uint_gt(p.da.stats.tx_latecol_retries, 0u);
		ck_assert_uint_lt(p.da.stats.tx_latecol_retries, frames / 10u);
	} else {
		ck_assert_uint_eq(p.da.stats.tx_latecol_retries, 0u);
	}
	ck_assert_uint_eq(p.db.stats.rx_frames, frames);
	ck_assert_uint_eq(p.db.stats.rx_bad_status + p.db.stats.rx_bad_length +
	                      p.db.stats.rx_resets + p.db.stats.rx_overflows,
	                  0);
	/* The ring wrapped many times. */
	ck_assert_uint_gt(bytes / ring, 10u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}

START_TEST(test_rxtx_ring_wraps_with_bursts)
{
	round_trip_many(true, 0, 300, 0);
}
END_TEST

START_TEST(test_rxtx_ring_wraps_without_bursts)
{
	round_trip_many(false, 0, 120, 0);
}
END_TEST

START_TEST(test_rxtx_small_ring_wraps)
{
	/* The smallest ring that holds one largest frame. */
	round_trip_many(true, 0x05FF, 200, 0);
}
END_TEST

/* Every erratum switched on, in half duplex: PKTIF lies (the driver never
 * asks it), even ERXRDPT would corrupt (the driver never writes one),
 * aborts would stall (TXRST before every frame), and at the erratum's own
 * rate some attempts end in a false late collision (retried). */
START_TEST(test_rxtx_ring_wraps_with_all_errata)
{
	round_trip_many(true, 0, 200,
	                MODEL_ERRATUM_PKTIF_UNRELIABLE | MODEL_ERRATUM_FALSE_LATECOL |
	                    MODEL_ERRATUM_TX_ABORT_STALL | MODEL_ERRATUM_EVEN_ERXRDPT |
	                    MODEL_ERRATUM_CLKRDY_EARLY);
}
END_TEST

/* Every length from 1 to 59 arrives as 60 bytes, zero padded; b is
 * promiscuous because such frames can't carry b's address in full. */
START_TEST(test_rxtx_short_frames_padded_to_60)
{
	struct driver_pair p;
	uint8_t frame[64], buf[ENC_TX_MAX_FRAME];
	uint16_t len, i;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	p.cb.promiscuous = true;
	ck_assert_int_eq(enc_init(&p.db, &p.b.hal, &p.cb), ENC_OK);
	for (len = 1; len < 60u; len++) {
		uint16_t got;

		for (i = 0; i < len; i++)
			frame[i] = (uint8_t)(0xA0u + len + i);
		ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, len), ENC_OK);
		ck_assert_uint_eq(p.a.last_tx_len, 64u); /* 60 + FCS on the wire */
		got = enc_recv(&p.db, buf, sizeof(buf));
		ck_assert_uint_eq(got, 60u);
		ck_assert_mem_eq(buf, frame, len);
		for (i = len; i < 60u; i++)
			ck_assert_uint_eq(buf[i], 0u);
	}
	/* Length 0 and oversized frames are refused outright. */
	ck_assert_int_eq(enc_send(&p.da, frame, 0), ENC_ERR_ARG);
	ck_assert_int_eq(enc_send(&p.da, buf, ENC_TX_MAX_FRAME + 1u), ENC_ERR_ARG);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* Streaming: read headers at offsets across the ring end, patch a field
 * after writing it, build a frame in pieces. */
START_TEST(test_rxtx_streaming_offsets_across_ring_end)
{
	struct driver_pair p;
	uint8_t frame[ENC_TX_MAX_FRAME], piece[64];
	unsigned k;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	for (k = 0; k < 40u; k++) {
		uint16_t len = (uint16_t)(300u + k * 31u), got, off;
		uint8_t patch[2] = {0xDE, 0xAD};

		driver_frame(frame, len, driver_mac_b, driver_mac_a, k);
		/* Build it in three pieces, with a placeholder patched later. */
		ck_assert_int_eq(enc_tx_begin(&p.da), ENC_OK);
		enc_tx_write(&p.da, frame, 100);
		enc_tx_write(&p.da, frame + 100, 1);
		enc_tx_write(&p.da, frame + 101, (uint16_t)(len - 101u));
		enc_tx_write_at(&p.da, 200, patch, 2);
		ck_assert_int_eq(enc_tx_send(&p.da), ENC_OK);
		model_hal_run(&p.a, driver_wire_ns(len));
		frame[200] = 0xDE;
		frame[201] = 0xAD;

		got = enc_rx_begin(&p.db);
		ck_assert_uint_eq(got, len);
		for (off = 0; off + 64u <= len; off = (uint16_t)(off + 61u)) {
			enc_rx_read(&p.db, off, piece, 64);
			ck_assert_mem_eq(piece, frame + off, 64);
		}
		enc_rx_read(&p.db, (uint16_t)(len - 3u), piece, 3);
		ck_assert_mem_eq(piece, frame + len - 3u, 3);
		/* Out-of-frame reads are refused (zeroed), not served. */
		memset(piece, 0x77, sizeof(piece));
		enc_rx_read(&p.db, (uint16_t)(len - 2u), piece, 3);
		ck_assert_uint_eq(piece[0], 0u);
		enc_rx_end(&p.db);
	}
	ck_assert_uint_eq(p.db.stats.rx_frames, 40u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* With CRCEN off the chip stores frames with a bad FCS and says so in the
 * status vector; the driver drops and counts them. With CRCEN on (the
 * default), the chip drops them itself. */
START_TEST(test_rxtx_bad_status_dropped_and_counted)
{
	struct driver_pair p;
	uint8_t frame[200];
	uint32_t next = 0, seq;
	unsigned got = 0, i;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	enc_bit_clear(&p.db, ERXFCON, ERXFCON_CRCEN);
	model_fault_rx_crc(p.b.m, 2);
	for (seq = 0; seq < 6u; seq++) {
		uint8_t buf[256];
		uint16_t len;

		driver_frame(frame, sizeof(frame), driver_mac_b, driver_mac_a, seq);
		ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
		len = enc_recv(&p.db, buf, sizeof(buf));
		if (len != 0) {
			ck_assert(driver_frame_ok(buf, len, &next));
			got++;
		}
	}
	ck_assert_uint_eq(got, 4u);
	ck_assert_uint_eq(p.db.stats.rx_bad_status, 2u);
	ck_assert_uint_eq(p.db.stats.rx_frames, 4u);

	/* CRCEN back on: the chip filters, the driver never sees them. */
	enc_bit_set(&p.db, ERXFCON, ERXFCON_CRCEN);
	model_fault_rx_crc(p.b.m, 3);
	for (i = 0; i < 5u; i++) {
		uint8_t buf[256];

		driver_frame(frame, sizeof(frame), driver_mac_b, driver_mac_a, i);
		ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
		if (enc_recv(&p.db, buf, sizeof(buf)) != 0)
			got++;
	}
	ck_assert_uint_eq(got, 6u);
	ck_assert_uint_eq(p.db.stats.rx_bad_status, 2u);
	ck_assert_uint_eq(model_get_stats(p.b.m)->rx_dropped_crc, 3u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* A receive header that can't be right (next pointer odd, outside the
 * ring, or disagreeing with the byte count) resets the receive logic;
 * reception carries on with the next frame. */
START_TEST(test_rxtx_corrupt_header_resets_rx)
{
	static const uint16_t bad_next[3] = {0x0101, 0x1F00, 0x0200};
	struct driver_pair p;
	uint8_t frame[100], buf[256];
	uint32_t seq = 0;
	unsigned k;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	for (k = 0; k < 3u; k++) {
		uint16_t at = p.db.next_pkt;

		driver_frame(frame, sizeof(frame), driver_mac_b, driver_mac_a, 100u + k);
		ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
		model_poke_mem(p.b.m, at, (uint8_t)bad_next[k]);
		model_poke_mem(p.b.m, (uint16_t)(at + 1u), (uint8_t)(bad_next[k] >> 8));
		ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), 0u);
		ck_assert_uint_eq(p.db.stats.rx_resets, k + 1u);
		ck_assert_uint_eq(p.db.next_pkt, 0u);

		driver_frame(frame, sizeof(frame), driver_mac_b, driver_mac_a, k);
		ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
		ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), sizeof(frame));
		ck_assert(driver_frame_ok(buf, sizeof(frame), &seq));
		ck_assert_uint_eq(seq, k);
	}
	/* The third corruption (0x0200: even, in the ring, wrong) is a byte
	 * count that disagrees with the pointer. */
	ck_assert_uint_eq(p.db.stats.rx_bad_length, 1u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

START_TEST(test_rxtx_recv_truncates_and_counts)
{
	struct driver_pair p;
	uint8_t frame[300], buf[100];

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	driver_frame(frame, sizeof(frame), driver_mac_b, driver_mac_a, 7);
	ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), sizeof(buf));
	ck_assert_mem_eq(buf, frame, sizeof(buf));
	ck_assert_uint_eq(p.db.stats.rx_truncated, 1u);
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), 0u);
	driver_pair_teardown(&p);
}
END_TEST

/* The receive filters init programs: unicast to us and broadcast (which
 * carries ARP requests) pass; another station's unicast and multicast
 * don't reach the driver. */
START_TEST(test_rxtx_filters_unicast_and_broadcast)
{
	static const uint8_t other[6] = {0x02, 0x00, 0x5E, 0x10, 0x00, 0x0C};
	static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
	struct driver_pair p;
	uint8_t frame[100], buf[200];

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	driver_frame(frame, sizeof(frame), other, driver_mac_a, 1);
	ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), 0u);
	driver_frame(frame, sizeof(frame), mcast, driver_mac_a, 2);
	ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), 0u);
	driver_frame(frame, sizeof(frame), bcast, driver_mac_a, 3);
	ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), sizeof(frame));
	ck_assert_mem_eq(buf, frame, sizeof(frame));
	driver_frame(frame, sizeof(frame), driver_mac_b, driver_mac_a, 4);
	ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
	ck_assert_uint_eq(enc_recv(&p.db, buf, sizeof(buf)), sizeof(frame));
	ck_assert_uint_eq(model_get_stats(p.b.m)->rx_dropped_filter, 2u);
	driver_pair_teardown(&p);
}
END_TEST

static Suite *driver_rxtx_suite(void)
{
	Suite *s = suite_create("driver_rxtx");
	TCase *tc = tcase_create("rxtx");

	tcase_add_test(tc, test_rxtx_ring_wraps_with_bursts);
	tcase_add_test(tc, test_rxtx_ring_wraps_without_bursts);
	tcase_add_test(tc, test_rxtx_small_ring_wraps);
	tcase_add_test(tc, test_rxtx_ring_wraps_with_all_errata);
	tcase_add_test(tc, test_rxtx_short_frames_padded_to_60);
	tcase_add_test(tc, test_rxtx_streaming_offsets_across_ring_end);
	tcase_add_test(tc, test_rxtx_bad_status_dropped_and_counted);
	tcase_add_test(tc, test_rxtx_corrupt_header_resets_rx);
	tcase_add_test(tc, test_rxtx_recv_truncates_and_counts);
	tcase_add_test(tc, test_rxtx_filters_unicast_and_broadcast);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(driver_rxtx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
