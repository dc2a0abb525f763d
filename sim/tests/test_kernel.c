/*
 * test_kernel.c - the event queue and the virtual clock: ordering by time
 * then FIFO, timer re-arm and cancel, run-until and run-until-idle with an
 * event budget, compaction of stale timer entries.
 */
#include <check.h>
#include <stdlib.h>

#include "sim.h"

struct rec {
	struct sim *s;
	int log[64];
	uint64_t at[64];
	int n;
};

struct tag {
	struct rec *r;
	int id;
};

static void note(void *ctx, uint64_t now)
{
	struct tag *t = ctx;
	ck_assert_uint_eq(now, sim_now(t->r->s));
	t->r->at[t->r->n] = now;
	t->r->log[t->r->n++] = t->id;
}

START_TEST(test_events_run_in_time_order_then_fifo)
{
	struct sim s;
	ck_assert_int_eq(sim_init(&s, 1, 2), 0); /* tiny: forces growth */
	struct rec r = {.s = &s};
	struct tag tags[8];
	static const uint64_t when[8] = {50, 10, 50, 10, 0, 50, 30, 10};
	for (int i = 0; i < 8; i++) {
		tags[i] = (struct tag){&r, i};
		ck_assert_int_eq(sim_at(&s, when[i], note, &tags[i]), 0);
	}
	ck_assert_int_eq(sim_run_until_idle(&s, SIM_NEVER, 0), SIM_IDLE);
	static const int want[8] = {4, 1, 3, 7, 6, 0, 2, 5};
	ck_assert_int_eq(r.n, 8);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(r.log[i], want[i]);
	ck_assert_uint_eq(s.now, 50);
	ck_assert_uint_eq(s.events_run, 8);
	sim_free(&s);
}
END_TEST

struct chain {
	struct rec r;
	struct tag t;
};

static void schedule_same_time(void *ctx, uint64_t now)
{
	struct tag *t = ctx;
	note(ctx, now);
	if (t->id < 5) {
		t->id++;
		sim_at(t->r->s, now, schedule_same_time, t); /* runs after others due now */
	}
}

START_TEST(test_event_scheduled_at_now_runs_after_queued_peers)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct rec r = {.s = &s};
	struct tag a = {&r, 0}, b = {&r, 100};
	sim_at(&s, 7, schedule_same_time, &a);
	sim_at(&s, 7, note, &b);
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_int_eq(r.n, 7);
	ck_assert_int_eq(r.log[0], 0);
	ck_assert_int_eq(r.log[1], 100);
	ck_assert_int_eq(r.log[6], 5);
	sim_free(&s);
}
END_TEST

START_TEST(test_past_time_clamps_to_now)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct rec r = {.s = &s};
	struct tag a = {&r, 1};
	sim_run_until(&s, 1000, 0);
	ck_assert_uint_eq(s.now, 1000);
	sim_at(&s, 5, note, &a);
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_uint_eq(r.at[0], 1000);
	sim_free(&s);
}
END_TEST

START_TEST(test_timer_rearm_moves_and_cancel_removes)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct rec r = {.s = &s};
	struct tag a = {&r, 1}, b = {&r, 2};
	struct sim_timer ta, tb;
	sim_timer_init(&ta, note, &a);
	sim_timer_init(&tb, note, &b);
	sim_timer_arm(&s, &ta, 100);
	sim_timer_arm(&s, &tb, 200);
	ck_assert(sim_timer_armed(&ta));
	sim_timer_arm(&s, &ta, 300); /* later */
	sim_timer_arm(&s, &tb, 50);  /* earlier */
	ck_assert_uint_eq(sim_next_event(&s), 50);
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(r.log[0], 2);
	ck_assert_uint_eq(r.at[0], 50);
	ck_assert_int_eq(r.log[1], 1);
	ck_assert_uint_eq(r.at[1], 300);
	ck_assert(!sim_timer_armed(&ta));
	ck_assert_uint_eq(s.events_stale, 2);

	sim_timer_arm(&s, &ta, 400);
	sim_timer_cancel(&s, &ta);
	ck_assert(!sim_timer_armed(&ta));
	ck_assert_uint_eq(sim_next_event(&s), SIM_NEVER);
	ck_assert_int_eq(sim_run_until_idle(&s, SIM_NEVER, 0), SIM_IDLE);
	ck_assert_int_eq(r.n, 2);
	sim_free(&s);
}
END_TEST

START_TEST(test_timer_rearm_same_deadline_keeps_fifo_place)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct rec r = {.s = &s};
	struct tag a = {&r, 1}, b = {&r, 2};
	struct sim_timer ta;
	sim_timer_init(&ta, note, &a);
	sim_timer_arm(&s, &ta, 10);
	sim_at(&s, 10, note, &b);
	sim_timer_arm(&s, &ta, 10); /* no-op */
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_int_eq(r.log[0], 1);
	ck_assert_int_eq(r.log[1], 2);
	sim_free(&s);
}
END_TEST

START_TEST(test_many_rearms_compact_the_heap)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct rec r = {.s = &s};
	struct tag a = {&r, 1};
	struct sim_timer t;
	sim_timer_init(&t, note, &a);
	for (uint64_t i = 0; i < 100000; i++)
		sim_timer_arm(&s, &t, 1000000 - i);
	ck_assert_uint_lt(s.cap, 4096);
	ck_assert_uint_gt(s.compactions, 0);
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.at[0], 1000000 - 99999);
	sim_free(&s);
}
END_TEST

static void forever(void *ctx, uint64_t now)
{
	struct sim *s = ctx;
	sim_at(s, now + 10, forever, s);
}

START_TEST(test_run_until_and_budget)
{
	struct sim s;
	sim_init(&s, 1, 0);
	sim_at(&s, 0, forever, &s);
	ck_assert_uint_eq(sim_run_until(&s, 95, 0), 10); /* 0,10,...,90 */
	ck_assert_uint_eq(s.now, 95);
	ck_assert_int_eq(sim_run_until_idle(&s, SIM_NEVER, 5), SIM_BUDGET_SPENT);
	ck_assert_uint_eq(s.now, 140);
	ck_assert_int_eq(sim_run_until_idle(&s, 175, 0), SIM_DEADLINE);
	ck_assert_uint_eq(s.now, 170);
	ck_assert_uint_eq(sim_run_until(&s, 1000, 3), 3);
	ck_assert_uint_eq(s.now, 200);
	sim_free(&s);
}
END_TEST

static Suite *kernel_suite(void)
{
	Suite *s = suite_create("sim_kernel");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_events_run_in_time_order_then_fifo);
	tcase_add_test(tc, test_event_scheduled_at_now_runs_after_queued_peers);
	tcase_add_test(tc, test_past_time_clamps_to_now);
	tcase_add_test(tc, test_timer_rearm_moves_and_cancel_removes);
	tcase_add_test(tc, test_timer_rearm_same_deadline_keeps_fifo_place);
	tcase_add_test(tc, test_many_rearms_compact_the_heap);
	tcase_add_test(tc, test_run_until_and_budget);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kernel_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
