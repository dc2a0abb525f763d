/*
 * test_prng.c - seeded random streams: reference values, determinism,
 * independence of named streams, unbiased ranges and ppm rates.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

START_TEST(test_splitmix64_reference_values)
{
	/* First outputs for state 0 (Vigna's reference splitmix64.c). */
	uint64_t st = 0;
	ck_assert_uint_eq(sim_splitmix64(&st), 0xE220A8397B1DCDAFull);
	ck_assert_uint_eq(sim_splitmix64(&st), 0x6E789E6AA1B965F4ull);
	ck_assert_uint_eq(sim_splitmix64(&st), 0x06C45D188009454Full);
}
END_TEST

START_TEST(test_same_seed_same_stream)
{
	struct sim_rng a, b;
	sim_rng_seed(&a, 42, 7);
	sim_rng_seed(&b, 42, 7);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(sim_rng_next(&a), sim_rng_next(&b));
}
END_TEST

START_TEST(test_different_seed_or_stream_differs)
{
	struct sim_rng a, b, c;
	sim_rng_seed(&a, 42, 7);
	sim_rng_seed(&b, 43, 7);
	sim_rng_seed(&c, 42, 8);
	int same_b = 0, same_c = 0;
	for (int i = 0; i < 100; i++) {
		uint64_t x = sim_rng_next(&a);
		same_b += x == sim_rng_next(&b);
		same_c += x == sim_rng_next(&c);
	}
	ck_assert_int_eq(same_b, 0);
	ck_assert_int_eq(same_c, 0);
}
END_TEST

START_TEST(test_named_streams_are_independent_of_other_consumers)
{
	/* Drawing from "link0/loss" must not change what "board-b" sees. */
	struct sim s;
	sim_init(&s, 1234, 0);
	struct sim_rng x1, y1, x2;
	sim_rng_stream(&s, &x1, "board-b");
	uint64_t first[16];
	for (int i = 0; i < 16; i++)
		first[i] = sim_rng_next(&x1);
	sim_rng_stream(&s, &y1, "link0/loss");
	for (int i = 0; i < 1000; i++)
		(void)sim_rng_next(&y1);
	sim_rng_stream(&s, &x2, "board-b");
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(sim_rng_next(&x2), first[i]);
	ck_assert_uint_ne(sim_hash_name("board-a"), sim_hash_name("board-b"));
	sim_free(&s);
}
END_TEST

START_TEST(test_below_stays_in_range_and_covers_it)
{
	struct sim_rng r;
	sim_rng_seed(&r, 9, 0);
	unsigned hist[10] = {0};
	for (int i = 0; i < 100000; i++) {
		uint64_t v = sim_rng_below(&r, 10);
		ck_assert_uint_lt(v, 10);
		hist[v]++;
	}
	for (int i = 0; i < 10; i++) {
		ck_assert_uint_gt(hist[i], 9500);
		ck_assert_uint_lt(hist[i], 10500);
	}
	ck_assert_uint_eq(sim_rng_below(&r, 0), 0);
	ck_assert_uint_eq(sim_rng_below(&r, 1), 0);
}
END_TEST

START_TEST(test_ppm_rate_and_edges)
{
	struct sim_rng r, untouched;
	sim_rng_seed(&r, 5, 1);
	untouched = r;
	for (int i = 0; i < 100; i++)
		ck_assert(!sim_rng_ppm(&r, 0));
	ck_assert_mem_eq(&r, &untouched, sizeof r); /* 0 ppm draws nothing */
	for (int i = 0; i < 100; i++)
		ck_assert(sim_rng_ppm(&r, 1000000));
	unsigned hits = 0;
	for (int i = 0; i < 1000000; i++)
		hits += sim_rng_ppm(&r, 50000); /* 5 % */
	ck_assert_uint_gt(hits, 49000);
	ck_assert_uint_lt(hits, 51000);
}
END_TEST

static Suite *prng_suite(void)
{
	Suite *s = suite_create("sim_prng");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_splitmix64_reference_values);
	tcase_add_test(tc, test_same_seed_same_stream);
	tcase_add_test(tc, test_different_seed_or_stream_differs);
	tcase_add_test(tc, test_named_streams_are_independent_of_other_consumers);
	tcase_add_test(tc, test_below_stays_in_range_and_covers_it);
	tcase_add_test(tc, test_ppm_rate_and_edges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(prng_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
