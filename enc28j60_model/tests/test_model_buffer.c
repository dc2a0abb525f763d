/*
 * test_model_buffer.c - buffer memory wrap rules (DS39662E 3.2.3, 4.2.2,
 * 4.2.4): RBM wraps ERXND -> ERXST inside the ring and 0x1FFF -> 0
 * elsewhere; WBM wraps only 0x1FFF -> 0; no movement without AUTOINC.
 */
#include "model_test.h"

static struct harness H;

static void ready(void)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wr16(&H, ERXSTL, 0x0000);
	h_wr16(&H, ERXNDL, 0x0BFF);
}

START_TEST(test_rbm_wraps_erxnd_to_erxst)
{
	ready();
	model_poke_mem(H.m, 0x0BFE, 0xA1);
	model_poke_mem(H.m, 0x0BFF, 0xA2);
	model_poke_mem(H.m, 0x0000, 0xA3);
	model_poke_mem(H.m, 0x0C00, 0xEE);
	uint8_t b[3];
	h_rbm(&H, 0x0BFE, b, 3);
	ck_assert_uint_eq(b[0], 0xA1);
	ck_assert_uint_eq(b[1], 0xA2);
	ck_assert_uint_eq(b[2], 0xA3);
	ck_assert_uint_eq(h_rd16(&H, ERDPTL), 0x0001);
}
END_TEST

START_TEST(test_rbm_wraps_end_of_memory_outside_ring)
{
	ready();
	model_poke_mem(H.m, 0x1FFF, 0x5A);
	model_poke_mem(H.m, 0x0000, 0x5B);
	uint8_t b[2];
	h_rbm(&H, 0x1FFF, b, 2);
	ck_assert_uint_eq(b[0], 0x5A);
	ck_assert_uint_eq(b[1], 0x5B);
	ck_assert_uint_eq(h_rd16(&H, ERDPTL), 0x0001);
}
END_TEST

START_TEST(test_rbm_with_ring_at_end_of_memory)
{
	h_init(&H, NULL);
	h_wait(&H, 1000000);
	h_wr16(&H, ERXSTL, 0x1000);
	h_wr16(&H, ERXNDL, 0x1FFF);
	uint8_t b[2];
	h_rbm(&H, 0x1FFF, b, 2);
	ck_assert_uint_eq(h_rd16(&H, ERDPTL), 0x1001); /* ERXND wins over 0x1FFF */
}
END_TEST

START_TEST(test_wbm_ignores_ring_wraps_at_end)
{
	ready();
	uint8_t d[3] = {1, 2, 3};
	h_wbm(&H, 0x0BFF, d, 2); /* RX disabled: allowed */
	ck_assert_uint_eq(model_peek_mem(H.m, 0x0C00), 2);
	ck_assert_uint_eq(h_rd16(&H, EWRPTL), 0x0C01);
	h_wbm(&H, 0x1FFF, d, 3);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x1FFF), 1);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x0000), 2);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x0001), 3);
	ck_assert_uint_eq(h_rd16(&H, EWRPTL), 0x0002);
}
END_TEST

START_TEST(test_no_autoinc_no_movement)
{
	ready();
	h_bfc(&H, ECON2, ECON2_AUTOINC);
	uint8_t d[3] = {7, 8, 9}, b[2];
	h_wbm(&H, 0x0100, d, 3);
	ck_assert_uint_eq(model_peek_mem(H.m, 0x0100), 9); /* same byte, overwritten */
	ck_assert_uint_eq(model_peek_mem(H.m, 0x0101), 0);
	h_rbm(&H, 0x0100, b, 2);
	ck_assert_uint_eq(b[0], 9);
	ck_assert_uint_eq(b[1], 9);
	ck_assert_uint_eq(h_rd16(&H, ERDPTL), 0x0100);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_buffer");
	TCase *tc = tcase_create("buffer");
	tcase_add_test(tc, test_rbm_wraps_erxnd_to_erxst);
	tcase_add_test(tc, test_rbm_wraps_end_of_memory_outside_ring);
	tcase_add_test(tc, test_rbm_with_ring_at_end_of_memory);
	tcase_add_test(tc, test_wbm_ignores_ring_wraps_at_end);
	tcase_add_test(tc, test_no_autoinc_no_movement);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
