/*
 * test_model_bist.c - the built-in self-test (DS39662E 15.0): BISTST clears
 * when the fill is done, EBSTCS is the checksum of what was written, and a
 * driver's self-test (EtherCard's doBIST order, and the datasheet's, with
 * the DMA checksum started alongside) terminates with EDMACS == EBSTCS, 0xF807
 * for the address fill. The fills are checked byte by byte and the checksums
 * against the test's own sum.
 */
#include "model_test.h"

static struct harness H;

#define TMSEL_RANDOM 0x00u
#define TMSEL_ADDRESS 0x04u
#define TMSEL_PATTERN 0x08u
#define POLL_MAX 100000u

/* RFC 1071 style sum over the whole buffer, big-endian words, written here
 * rather than taken from the model. */
static uint16_t oracle_sum(void)
{
	uint32_t sum = 0;
	for (uint32_t a = 0; a < ENC_BUFFER_SIZE; a += 2)
		sum += (uint32_t)model_peek_mem(H.m, (uint16_t)a) << 8 | model_peek_mem(H.m, (uint16_t)(a + 1));
	while (sum > 0xFFFFu)
		sum = (sum & 0xFFFFu) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Spin on a register bit like a driver with no timeout, 1 us a poll;
 * returns the polls it took (POLL_MAX = it never cleared). */
static unsigned spin(enc_reg_t r, uint8_t bit)
{
	unsigned n = 0;
	while ((h_rcr(&H, r) & bit) && n < POLL_MAX) {
		H.t += 1000;
		n++;
	}
	return n;
}

/* EtherCard's doBIST order: SRC, 2 ms, CLKRDY; DMA pointers over the whole
 * buffer; start the test and wait for BISTST; clear TME; then the DMA
 * checksum. Returns EDMACS and EBSTCS. */
static void ethercard_style(uint8_t ebstcon, uint8_t seed, uint16_t *dma, uint16_t *bist)
{
	h_src(&H);
	H.t += 2000000;
	while (!(h_rcr(&H, ESTAT) & ESTAT_CLKRDY))
		H.t += 10000;
	h_wcr(&H, ECON1, 0);
	h_wr16(&H, EDMASTL, 0);
	h_wr16(&H, EDMANDL, 0x1FFF);
	h_wr16(&H, ERXNDL, 0x1FFF);
	h_wcr(&H, EBSTSD, seed);
	h_wcr(&H, EBSTCON, (uint8_t)(EBSTCON_TME | EBSTCON_BISTST | ebstcon));
	ck_assert_uint_lt(spin(EBSTCON, EBSTCON_BISTST), POLL_MAX);
	h_bfc(&H, EBSTCON, EBSTCON_TME);
	h_bfs(&H, ECON1, ECON1_DMAST | ECON1_CSUMEN);
	ck_assert_uint_lt(spin(ECON1, ECON1_DMAST), POLL_MAX);
	*dma = h_rd16(&H, EDMACSL);
	*bist = h_rd16(&H, EBSTCSL);
}

START_TEST(test_ethercard_self_test_terminates_with_f807)
{
	struct model_config cfg = {.link_up = true, .dma_ns_per_byte = 100};
	h_init(&H, &cfg);
	uint16_t dma, bist;
	ethercard_style(TMSEL_ADDRESS, 0, &dma, &bist);
	ck_assert_uint_eq(bist, 0xF807);
	ck_assert_uint_eq(dma, 0xF807);
	ck_assert_uint_eq(oracle_sum(), 0xF807);
	/* Then random data with the ports swapped (PSEL), seed 0xAA. */
	ethercard_style(EBSTCON_PSEL | TMSEL_RANDOM, 0xAA, &dma, &bist);
	ck_assert_uint_eq(dma, bist);
	ck_assert_uint_eq(bist, oracle_sum());
	ck_assert_uint_eq(model_diag_count(H.m), 0);
}
END_TEST

/* BISTST stays set for 8192 DMA byte times, then clears. */
START_TEST(test_bistst_clears_after_the_fill)
{
	struct model_config cfg = {.link_up = true, .dma_ns_per_byte = 100};
	h_init(&H, &cfg);
	h_wait(&H, 1000000);
	h_wcr(&H, EBSTCON, EBSTCON_TME | EBSTCON_BISTST | TMSEL_ADDRESS);
	uint64_t t0 = H.t;
	ck_assert_uint_eq(model_next_deadline(H.m), t0 + 8192u * 100u);
	H.t = t0 + 8192u * 100u - 1u;
	ck_assert_uint_eq(h_rcr(&H, EBSTCON) & EBSTCON_BISTST, EBSTCON_BISTST);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1234), 0x00); /* not written yet */
	H.t = t0 + 8192u * 100u;
	ck_assert_uint_eq(h_rcr(&H, EBSTCON), EBSTCON_TME | TMSEL_ADDRESS);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1234), 0x34);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1FFF), 0xFF);
}
END_TEST

/* The datasheet's order (DS 15.0): CSUMEN, seed, start the test, and start
 * the DMA checksum at once, without waiting for BISTST. */
START_TEST(test_datasheet_order_dma_alongside)
{
	struct model_config cfg = {.link_up = true, .dma_ns_per_byte = 100};
	h_init(&H, &cfg);
	h_wait(&H, 1000000);
	h_wr16(&H, EDMASTL, 0);
	h_wr16(&H, EDMANDL, 0x1FFF);
	h_wr16(&H, ERXNDL, 0x1FFF);
	h_bfs(&H, ECON1, ECON1_CSUMEN);
	h_wcr(&H, EBSTSD, 0x3C);
	h_wcr(&H, EBSTCON, EBSTCON_TME | TMSEL_RANDOM);
	h_bfs(&H, EBSTCON, EBSTCON_BISTST);
	h_bfs(&H, ECON1, ECON1_DMAST);
	ck_assert_uint_lt(spin(ECON1, ECON1_DMAST), POLL_MAX);
	ck_assert_uint_eq(h_rcr(&H, EBSTCON) & EBSTCON_BISTST, 0);
	ck_assert_uint_eq(h_rd16(&H, EDMACSL), h_rd16(&H, EBSTCSL));
	ck_assert_uint_eq(h_rd16(&H, EBSTCSL), oracle_sum());
}
END_TEST

/* Pattern shift (Register 15-1): EBSTSD at 0, then shifted left by PSV
 * before each byte, bit 7 wrapping to bit 0. */
START_TEST(test_pattern_shift_fill)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wcr(&H, EBSTSD, 0x81);
	h_wcr(&H, EBSTCON, (uint8_t)((3u << 5) | EBSTCON_TME | EBSTCON_BISTST | TMSEL_PATTERN));
	ck_assert_uint_lt(spin(EBSTCON, EBSTCON_BISTST), POLL_MAX);
	uint8_t want = 0x81;
	for (uint32_t a = 0; a < ENC_BUFFER_SIZE; a++) {
		ck_assert_uint_eq(model_peek_mem(H.m, (uint16_t)a), want);
		want = (uint8_t)((want << 3) | (want >> 5));
	}
	ck_assert_uint_eq(model_peek_mem(H.m, 1), 0x0C);
	ck_assert_uint_eq(h_rd16(&H, EBSTCSL), oracle_sum());
}
END_TEST

/* The random fill depends on the seed only. */
static uint16_t random_sum(uint8_t seed)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wcr(&H, EBSTSD, seed);
	h_wcr(&H, EBSTCON, EBSTCON_TME | EBSTCON_BISTST | TMSEL_RANDOM);
	ck_assert_uint_lt(spin(EBSTCON, EBSTCON_BISTST), POLL_MAX);
	ck_assert_uint_eq(h_rd16(&H, EBSTCSL), oracle_sum());
	return h_rd16(&H, EBSTCSL);
}

START_TEST(test_random_fill_follows_the_seed)
{
	uint16_t a = random_sum(0xAA), b = random_sum(0xAA), c = random_sum(0x55);
	ck_assert_uint_eq(a, b);
	ck_assert_uint_ne(a, c);
	unsigned distinct = 0;
	bool seen[256] = {false};
	for (uint32_t k = 0; k < 512; k++) {
		uint8_t v = model_peek_mem(H.m, (uint16_t)k);
		if (!seen[v]) {
			seen[v] = true;
			distinct++;
		}
	}
	ck_assert_uint_gt(distinct, 128); /* not a constant or a short cycle */
}
END_TEST

/* Without TME the test does not start (BISTST reads 0, memory untouched);
 * clearing BISTST stops a running one before it writes. */
START_TEST(test_bistst_needs_tme_and_can_be_stopped)
{
	struct model_config cfg = {.link_up = true, .dma_ns_per_byte = 100};
	h_init(&H, &cfg);
	h_wait(&H, 1000000);
	model_poke_mem(H.m, 0x0010, 0x5A);
	h_wcr(&H, EBSTCON, EBSTCON_BISTST | TMSEL_ADDRESS);
	ck_assert_uint_eq(h_rcr(&H, EBSTCON) & EBSTCON_BISTST, 0);
	ck_assert_uint_eq(model_next_deadline(H.m), MODEL_TIME_NEVER);
	h_wcr(&H, EBSTCON, EBSTCON_TME | EBSTCON_BISTST | TMSEL_ADDRESS);
	h_bfc(&H, EBSTCON, EBSTCON_BISTST);
	h_wait(&H, 2000000);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x0010), 0x5A);
	ck_assert_uint_eq(model_next_deadline(H.m), MODEL_TIME_NEVER);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_bist");
	TCase *tc = tcase_create("bist");
	tcase_add_test(tc, test_ethercard_self_test_terminates_with_f807);
	tcase_add_test(tc, test_bistst_clears_after_the_fill);
	tcase_add_test(tc, test_datasheet_order_dma_alongside);
	tcase_add_test(tc, test_pattern_shift_fill);
	tcase_add_test(tc, test_random_fill_follows_the_seed);
	tcase_add_test(tc, test_bistst_needs_tme_and_can_be_stopped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
