/*
 * test_driver_netdev.c - the driver behind struct netdev: a frame built and
 * sent through the table arrives through the table on the other board;
 * device memory reads back and is appended to a frame by the DMA.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "driver_pair.h"
#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_netdev.h"
#include "model_hal.h"
#include "netdev.h"

START_TEST(test_netdev_round_trip)
{
	struct driver_pair p;
	struct netdev na, nb;
	uint8_t frame[600], piece[600];
	uint8_t csum[2] = {0x12, 0x34};
	uint16_t len;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	enc_netdev_bind(&na, &p.da);
	enc_netdev_bind(&nb, &p.db);
	ck_assert_ptr_eq(na.dev, &p.da);
	ck_assert(na.ops->link_up(na.dev));
	ck_assert_uint_eq(nb.ops->rx_begin(nb.dev), 0u);

	driver_frame(frame, sizeof(frame), driver_mac_b, driver_mac_a, 5);
	ck_assert_int_eq(na.ops->tx_begin(na.dev), 0);
	na.ops->tx_write(na.dev, frame, 34);
	na.ops->tx_write(na.dev, frame + 34, sizeof(frame) - 34u);
	na.ops->tx_write_at(na.dev, 24, csum, 2);
	ck_assert_int_eq(na.ops->tx_send(na.dev), 0);
	model_hal_run(&p.a, driver_wire_ns(sizeof(frame)));
	frame[24] = 0x12;
	frame[25] = 0x34;

	len = nb.ops->rx_begin(nb.dev);
	ck_assert_uint_eq(len, sizeof(frame));
	nb.ops->rx_read(nb.dev, 14, piece, 20);
	ck_assert_mem_eq(piece, frame + 14, 20);
	nb.ops->rx_read(nb.dev, 0, piece, len);
	ck_assert_mem_eq(piece, frame, len);
	nb.ops->rx_end(nb.dev);
	ck_assert_uint_eq(nb.ops->rx_begin(nb.dev), 0u);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* Data kept in device memory (as a stack keeps unacknowledged segments)
 * is appended to a frame without passing through the MCU: DMA for long
 * runs, SPI for a single byte. */
START_TEST(test_netdev_mem_and_copy)
{
	struct driver_pair p;
	struct netdev na, nb;
	uint8_t data[1000], back[1000], frame[1100], got[1100];
	uint16_t size, i;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	enc_netdev_bind(&na, &p.da);
	enc_netdev_bind(&nb, &p.db);
	size = na.ops->mem_size(na.dev);
	ck_assert_uint_eq(size, ENC_BUFFER_SIZE - enc_spare_start(&p.da));
	ck_assert_uint_ge(size, 1000u);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13u + 1u);
	na.ops->mem_write(na.dev, 0, data, sizeof(data));
	na.ops->mem_read(na.dev, 0, back, sizeof(back));
	ck_assert_mem_eq(back, data, sizeof(data));
	/* The last byte of the spare area, and out of range refused. */
	na.ops->mem_write(na.dev, (uint16_t)(size - 1u), data, 1);
	na.ops->mem_read(na.dev, (uint16_t)(size - 1u), back, 1);
	ck_assert_uint_eq(back[0], data[0]);
	back[0] = 0xEE;
	na.ops->mem_read(na.dev, (uint16_t)(size - 1u), back, 2);
	ck_assert_uint_eq(back[0], 0xEE);

	/* Header from the MCU, 999 bytes by DMA, 1 byte by SPI. */
	driver_frame(frame, 20, driver_mac_b, driver_mac_a, 0);
	ck_assert_int_eq(na.ops->tx_begin(na.dev), 0);
	na.ops->tx_write(na.dev, frame, 20);
	na.ops->tx_copy_from_mem(na.dev, 0, 999);
	na.ops->tx_copy_from_mem(na.dev, 999, 1);
	ck_assert_int_eq(na.ops->tx_send(na.dev), 0);
	model_hal_run(&p.a, driver_wire_ns(1020));
	memcpy(frame + 20, data, sizeof(data));

	ck_assert_uint_eq(nb.ops->rx_begin(nb.dev), 1020u);
	nb.ops->rx_read(nb.dev, 0, got, 1020);
	ck_assert_mem_eq(got, frame, 1020);
	nb.ops->rx_end(nb.dev);
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	driver_pair_teardown(&p);
}
END_TEST

/* The reference the DMA checksum must match: one's-complement sum of
 * big-endian words from the first byte, an odd tail padded with a zero low
 * byte, not complemented (written here, not taken from core/wire). */
static uint16_t ref_sum(const uint8_t *p, uint16_t n)
{
	uint32_t sum = 0;
	uint16_t i;

	for (i = 0; i + 1u < n; i += 2u)
		sum += (uint32_t)((p[i] << 8) | p[i + 1u]);
	if (n & 1u)
		sum += (uint32_t)p[n - 1u] << 8;
	while (sum >> 16)
		sum = (sum & 0xFFFFu) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum hooks (DMA checksum, DS39662E 13.2) agree with a software
 * sum over device memory at any offset and length, and over received
 * frames, also when a frame straddles the end of the receive ring; a run
 * too short for the DMA (EDMAST == EDMAND is illegal) is refused. */
START_TEST(test_netdev_dma_checksum)
{
	static const uint16_t offs[] = {0, 1, 7, 300};
	static const uint16_t lens[] = {2, 3, 64, 65, 699, 700};
	struct driver_pair p;
	struct netdev na, nb;
	uint8_t data[1000], frame[700], got[700];
	uint16_t i, sum, seq, len;
	unsigned a, b;

	ck_assert_int_eq(driver_pair_setup(&p, NULL, true, true), ENC_OK);
	enc_netdev_bind(&na, &p.da);
	enc_netdev_bind(&nb, &p.db);
	ck_assert_ptr_nonnull(na.ops->mem_csum);
	ck_assert_ptr_nonnull(na.ops->rx_csum);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 151u + 7u);
	na.ops->mem_write(na.dev, 0, data, sizeof(data));
	for (a = 0; a < sizeof(offs) / sizeof(offs[0]); a++)
		for (b = 0; b < sizeof(lens) / sizeof(lens[0]); b++) {
			ck_assert(na.ops->mem_csum(na.dev, offs[a], lens[b], &sum));
			ck_assert_uint_eq(sum, ref_sum(data + offs[a], lens[b]));
		}
	ck_assert(!na.ops->mem_csum(na.dev, 0, 1, &sum));
	ck_assert(!na.ops->mem_csum(na.dev, (uint16_t)(na.ops->mem_size(na.dev) - 1u), 2, &sum));

	/* Enough 700-byte frames to wrap B's receive ring several times. */
	for (seq = 0; seq < 16; seq++) {
		driver_frame(frame, sizeof(frame), driver_mac_b, driver_mac_a, seq);
		ck_assert_int_eq(driver_pair_send(&p, &p.da, frame, sizeof(frame)), ENC_OK);
		len = nb.ops->rx_begin(nb.dev);
		ck_assert_uint_eq(len, sizeof(frame));
		nb.ops->rx_read(nb.dev, 0, got, len);
		ck_assert_mem_eq(got, frame, len);
		for (a = 0; a < sizeof(offs) / sizeof(offs[0]); a++)
			for (b = 0; b < sizeof(lens) / sizeof(lens[0]); b++) {
				if (offs[a] + lens[b] > len)
					continue;
				ck_assert(nb.ops->rx_csum(nb.dev, offs[a], lens[b], &sum));
				ck_assert_uint_eq(sum, ref_sum(frame + offs[a], lens[b]));
			}
		ck_assert(!nb.ops->rx_csum(nb.dev, 0, 1, &sum));
		ck_assert(!nb.ops->rx_csum(nb.dev, 600, 101, &sum));
		nb.ops->rx_end(nb.dev);
	}
	ck_assert(!nb.ops->rx_csum(nb.dev, 0, 20, &sum)); /* no frame open */
	ck_assert_uint_eq(model_hal_dump_diags(&p.a, "a"), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&p.b, "b"), 0);
	driver_pair_teardown(&p);
}
END_TEST

static Suite *driver_netdev_suite(void)
{
	Suite *s = suite_create("driver_netdev");
	TCase *tc = tcase_create("netdev");

	tcase_add_test(tc, test_netdev_round_trip);
	tcase_add_test(tc, test_netdev_mem_and_copy);
	tcase_add_test(tc, test_netdev_dma_checksum);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(driver_netdev_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
