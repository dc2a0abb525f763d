/*
 * test_model_dma.c - DMA copy and checksum (DS39662E 13.0): the datasheet's
 * checksum example, copy with the source wrapping ERXND -> ERXST, DMAIF and
 * DMAST self-clearing, configurable duration, abort.
 */
#include "model_test.h"

static struct harness H;

static void ready(const struct model_config *cfg)
{
	h_init(&H, cfg);
	h_driver_init(&H);
	h_bfc(&H, ECON1, ECON1_RXEN); /* keep the checker quiet about WBM */
}

START_TEST(test_checksum_datasheet_example)
{
	ready(NULL);
	const uint8_t d[3] = {0x89, 0xAB, 0xCD};
	h_wbm(&H, 0x1000, d, 3);
	h_wr16(&H, EDMASTL, 0x1000);
	h_wr16(&H, EDMANDL, 0x1002);
	h_bfs(&H, ECON1, ECON1_CSUMEN);
	h_bfs(&H, ECON1, ECON1_DMAST);
	while (h_rcr(&H, ECON1) & ECON1_DMAST)
		H.t += 1000;
	ck_assert_uint_eq(h_rd16(&H, EDMACSL), 0xA953);
	ck_assert_uint_eq(h_rcr(&H, EDMACSH), 0xA9);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_DMAIF, EIR_DMAIF);
	/* Checksum mode writes nothing. */
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1003), 0);
}
END_TEST

START_TEST(test_copy_wraps_source_in_ring)
{
	ready(NULL);
	/* Ring 0..0x0BFF: copy 0x0BFE..0x0001 (4 bytes) to 0x1800. */
	model_poke_mem(H.m, 0x0BFE, 0x11);
	model_poke_mem(H.m, 0x0BFF, 0x22);
	model_poke_mem(H.m, 0x0000, 0x33);
	model_poke_mem(H.m, 0x0001, 0x44);
	model_poke_mem(H.m, 0x0C00, 0xEE);
	h_wr16(&H, EDMASTL, 0x0BFE);
	h_wr16(&H, EDMANDL, 0x0001);
	h_wr16(&H, EDMADSTL, 0x1800);
	h_bfc(&H, ECON1, ECON1_CSUMEN);
	h_bfs(&H, EIE, EIE_INTIE | EIE_DMAIE);
	h_bfs(&H, ECON1, ECON1_DMAST);
	/* Default timing: done by the next access. */
	ck_assert_uint_eq(h_rcr(&H, ECON1) & ECON1_DMAST, 0);
	ck_assert(model_int_asserted(H.m));
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1800), 0x11);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1801), 0x22);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1802), 0x33);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1803), 0x44);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1804), 0x00);
}
END_TEST

START_TEST(test_timed_dma_and_abort)
{
	struct model_config cfg = {.link_up = true, .dma_ns_per_byte = 100};
	ready(&cfg);
	model_poke_mem(H.m, 0x1000, 0x5A);
	h_wr16(&H, EDMASTL, 0x1000);
	h_wr16(&H, EDMANDL, 0x1009); /* 10 bytes: 1 us */
	h_wr16(&H, EDMADSTL, 0x1100);
	h_bfs(&H, ECON1, ECON1_DMAST);
	uint64_t t0 = H.t;
	ck_assert_uint_eq(model_next_deadline(H.m), t0 + 1000);
	H.t = t0 + 999;
	ck_assert_uint_eq(h_rcr(&H, ECON1) & ECON1_DMAST, ECON1_DMAST);
	H.t = t0 + 1000;
	ck_assert_uint_eq(h_rcr(&H, ECON1) & ECON1_DMAST, 0);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1100), 0x5A);
	/* Clearing DMAST aborts: no copy, no DMAIF. */
	h_bfc(&H, EIR, EIR_DMAIF);
	h_wr16(&H, EDMADSTL, 0x1200);
	h_bfs(&H, ECON1, ECON1_DMAST);
	h_bfc(&H, ECON1, ECON1_DMAST);
	h_wait(&H, 10000);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1200), 0);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_DMAIF, 0);
}
END_TEST

START_TEST(test_checksum_of_received_ip_header)
{
	ready(NULL);
	/* A valid IPv4 header sums to 0. */
	const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x54, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x01,
				0x9b, 0xe7, 0xc0, 0xa8, 0x00, 0x64, 0xc0, 0xa8, 0x00, 0xc7};
	/* Start two bytes before ERXND so the source wraps mid-header. */
	for (unsigned i = 0; i < 20; i++)
		model_poke_mem(H.m, (uint16_t)((0x0BFE + i) > 0x0BFF ? i - 2 : 0x0BFE + i), ip[i]);
	h_wr16(&H, EDMASTL, 0x0BFE);
	h_wr16(&H, EDMANDL, 17);
	h_bfs(&H, ECON1, ECON1_CSUMEN | ECON1_DMAST);
	ck_assert_uint_eq(h_rd16(&H, EDMACSL), 0x0000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_dma");
	TCase *tc = tcase_create("dma");
	tcase_add_test(tc, test_checksum_datasheet_example);
	tcase_add_test(tc, test_copy_wraps_source_in_ring);
	tcase_add_test(tc, test_timed_dma_and_abort);
	tcase_add_test(tc, test_checksum_of_received_ip_header);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
