/*
 * test_link.c - the Ethernet segment: latency and 10 Mbit/s serialisation
 * arithmetic on both sides, hub fan-out, taps in wire order, and the rate,
 * determinism and shape of each seeded impairment (loss, duplication,
 * reordering, corruption).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

#define MAXREC 256

struct sink {
	unsigned n;
	uint64_t at[MAXREC];
	uint32_t seq[MAXREC];
	size_t len[MAXREC];
	uint8_t last[SIM_LINK_MAX_FRAME];
	unsigned total;
	unsigned out_of_order;
	unsigned damaged;
	uint32_t max_seq;
};

static uint32_t get_seq(const uint8_t *f)
{
	return (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 | (uint32_t)f[16] << 8 | f[17];
}

static void make_frame(uint8_t *f, size_t len, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(i * 7u + seq);
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
}

static void deliver(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct sink *k = ctx;
	uint32_t seq = get_seq(frame);
	uint8_t want[SIM_LINK_MAX_FRAME];
	make_frame(want, len, seq);
	if (memcmp(want, frame, len) != 0)
		k->damaged++;
	if (k->total > 0 && seq < k->max_seq)
		k->out_of_order++;
	if (seq > k->max_seq)
		k->max_seq = seq;
	if (k->n < MAXREC) {
		k->at[k->n] = now;
		k->seq[k->n] = seq;
		k->len[k->n] = len;
		k->n++;
	}
	memcpy(k->last, frame, len);
	k->total++;
}

struct taprec {
	unsigned n;
	uint64_t start[MAXREC];
	unsigned port[MAXREC];
};

static void tap(void *ctx, const uint8_t *frame, size_t len, uint64_t start, unsigned port)
{
	struct taprec *t = ctx;
	(void)frame;
	(void)len;
	if (t->n < MAXREC) {
		t->start[t->n] = start;
		t->port[t->n] = port;
		t->n++;
	}
}

START_TEST(test_latency_and_serialisation)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_link l;
	struct sim_link_config cfg = {.latency_ns = 1000};
	ck_assert_int_eq(sim_link_init(&l, &s, &cfg), 0);
	struct sink a = {0}, b = {0};
	struct sim_port *pa = sim_link_attach(&l, deliver, &a);
	struct sim_port *pb = sim_link_attach(&l, deliver, &b);
	uint8_t f[64];
	make_frame(f, sizeof f, 1);
	sim_link_send(pa, f, 64, 0, 0); /* end computed: 64 * 800 */
	make_frame(f, sizeof f, 2);
	sim_link_send(pa, f, 64, 10000, 0); /* overlaps the first: deferred */
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_uint_eq(b.n, 2);
	ck_assert_uint_eq(a.n, 0); /* a hub never echoes to the sender */
	ck_assert_uint_eq(b.at[0], 51200 + 1000);
	ck_assert_uint_eq(b.at[1], 2 * 51200 + 1000);
	ck_assert_uint_eq(l.stats.tx_deferred, 1);
	ck_assert_uint_eq(l.stats.rx_deferred, 0);
	ck_assert_uint_eq(pb->rx_frames, 2);
	ck_assert_uint_eq(sim_link_wire_ns(64), 51200);
	sim_link_free(&l);
	sim_free(&s);
}
END_TEST

/* A chip model reports a frame once its last bit has left: start in the
 * past, end = now. It must arrive at end + latency, stamped with its real
 * start, not be sent a second time from now. */
static void send_reported_frame(void *ctx, uint64_t now)
{
	struct sim_port *p = ctx;
	uint8_t f[64];
	make_frame(f, sizeof f, 7);
	sim_link_send(p, f, 64, now - 51200, now);
}

START_TEST(test_frame_reported_after_it_left_arrives_at_its_end)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_link l;
	struct sim_link_config cfg = {.latency_ns = 1000};
	ck_assert_int_eq(sim_link_init(&l, &s, &cfg), 0);
	struct sink a = {0}, b = {0};
	struct taprec t = {0};
	struct sim_port *pa = sim_link_attach(&l, deliver, &a);
	(void)sim_link_attach(&l, deliver, &b);
	ck_assert_int_eq(sim_link_add_tap(&l, tap, &t), 0);
	sim_at(&s, 100000, send_reported_frame, pa);
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_uint_eq(b.at[0], 100000 + 1000);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.start[0], 100000 - 51200);
	ck_assert_uint_eq(l.stats.tx_deferred, 0);
	sim_link_free(&l);
	sim_free(&s);
}
END_TEST

START_TEST(test_receiver_takes_one_frame_at_a_time_and_taps_see_wire_order)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_link l;
	sim_link_init(&l, &s, NULL);
	struct sink a = {0}, b = {0}, c = {0};
	struct taprec t = {0};
	struct sim_port *pa = sim_link_attach(&l, deliver, &a);
	struct sim_port *pb = sim_link_attach(&l, deliver, &b);
	struct sim_port *pc = sim_link_attach(&l, deliver, &c);
	ck_assert_int_eq(sim_link_add_tap(&l, tap, &t), 0);
	(void)pb;
	uint8_t f[100];
	make_frame(f, sizeof f, 1);
	sim_link_send(pa, f, 100, 5000, 5000 + 80000); /* explicit end */
	make_frame(f, sizeof f, 2);
	sim_link_send(pc, f, 100, 1000, 0); /* offered later, starts earlier */
	sim_run_until_idle(&s, SIM_NEVER, 0);
	/* b takes frames in the order they were offered: a's ends at 85000;
	 * c's would end at 81000, overlapping it, so it completes one frame
	 * time after a's. (A board running ahead of the clock can offer a
	 * frame "late"; the link serialises rather than reorders.) */
	ck_assert_uint_eq(b.n, 2);
	ck_assert_uint_eq(b.seq[0], 1);
	ck_assert_uint_eq(b.at[0], 85000);
	ck_assert_uint_eq(b.seq[1], 2);
	ck_assert_uint_eq(b.at[1], 165000);
	ck_assert_uint_eq(l.stats.rx_deferred, 1);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_uint_eq(c.n, 1);
	/* Taps: in start order, with the sending port. */
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.start[0], 1000);
	ck_assert_uint_eq(t.port[0], 2);
	ck_assert_uint_eq(t.start[1], 5000);
	ck_assert_uint_eq(t.port[1], 0);

	/* Now a true overlap at b: both end at the same time. */
	uint64_t t0 = sim_now(&s) + 1000000;
	make_frame(f, sizeof f, 3);
	sim_link_send(pa, f, 100, t0, 0);
	make_frame(f, sizeof f, 4);
	sim_link_send(pc, f, 100, t0, 0);
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_uint_eq(b.n, 4);
	ck_assert_uint_eq(b.at[2], t0 + 80000);
	ck_assert_uint_eq(b.at[3], t0 + 160000);
	ck_assert_uint_eq(l.stats.rx_deferred, 2);
	sim_link_free(&l);
	sim_free(&s);
}
END_TEST

struct run_result {
	struct sim_link_stats st;
	struct sink b;
};

/* Send n frames a -> b, one per 100 us, under cfg and seed. */
static void run_impaired(struct run_result *r, uint64_t seed, const struct sim_link_config *cfg, unsigned n)
{
	struct sim s;
	sim_init(&s, seed, 0);
	struct sim_link l;
	ck_assert_int_eq(sim_link_init(&l, &s, cfg), 0);
	memset(r, 0, sizeof *r);
	struct sink a = {0};
	struct sim_port *pa = sim_link_attach(&l, deliver, &a);
	sim_link_attach(&l, deliver, &r->b);
	uint8_t f[64];
	for (unsigned i = 1; i <= n; i++) {
		make_frame(f, sizeof f, i);
		sim_link_send(pa, f, sizeof f, sim_now(&s), 0);
		sim_run_until(&s, sim_now(&s) + 100000, 0);
	}
	sim_run_until_idle(&s, SIM_NEVER, 0);
	r->st = l.stats;
	sim_link_free(&l);
	sim_free(&s);
}

#define N 100000u

START_TEST(test_loss_rate_and_determinism)
{
	struct sim_link_config cfg = {.loss_ppm = 20000}; /* 2 % */
	static struct run_result r1, r2, r3;
	run_impaired(&r1, 7, &cfg, N);
	run_impaired(&r2, 7, &cfg, N);
	run_impaired(&r3, 8, &cfg, N);
	ck_assert_uint_gt(r1.st.dropped_loss, 1800);
	ck_assert_uint_lt(r1.st.dropped_loss, 2200);
	ck_assert_uint_eq(r1.b.total + r1.st.dropped_loss, N);
	ck_assert_uint_eq(r1.st.dropped_loss, r2.st.dropped_loss);
	ck_assert_uint_eq(r1.b.total, r2.b.total);
	ck_assert_uint_ne(r1.st.dropped_loss, r3.st.dropped_loss);
	ck_assert_uint_eq(r1.b.damaged, 0);
	ck_assert_uint_eq(r1.b.out_of_order, 0);
}
END_TEST

START_TEST(test_duplicate_rate)
{
	struct sim_link_config cfg = {.dup_ppm = 10000};
	static struct run_result r;
	run_impaired(&r, 11, &cfg, N);
	ck_assert_uint_gt(r.st.duplicated, 900);
	ck_assert_uint_lt(r.st.duplicated, 1100);
	ck_assert_uint_eq(r.b.total, N + r.st.duplicated);
	ck_assert_uint_eq(r.st.frames_delivered, N + r.st.duplicated);
	ck_assert_uint_eq(r.b.damaged, 0);
}
END_TEST

START_TEST(test_reorder_rate_and_effect)
{
	/* Frames every 100 us; hold back by 250 us: two later frames overtake. */
	struct sim_link_config cfg = {.reorder_ppm = 5000, .reorder_delay_ns = 250000};
	static struct run_result r;
	run_impaired(&r, 12, &cfg, N);
	ck_assert_uint_gt(r.st.reordered, 400);
	ck_assert_uint_lt(r.st.reordered, 600);
	ck_assert_uint_eq(r.b.total, N);
	ck_assert_uint_eq(r.b.out_of_order, r.st.reordered);
}
END_TEST

START_TEST(test_corruption_flips_one_byte)
{
	struct sim_link_config cfg = {.corrupt_ppm = 30000};
	static struct run_result r;
	run_impaired(&r, 13, &cfg, N);
	ck_assert_uint_gt(r.st.corrupted, 2700);
	ck_assert_uint_lt(r.st.corrupted, 3300);
	ck_assert_uint_eq(r.b.total, N);
	/* A damaged sequence field can hide a damaged frame from the check,
	 * never invent one. */
	ck_assert_uint_le(r.b.damaged, r.st.corrupted);
	ck_assert_uint_gt(r.b.damaged, r.st.corrupted * 9 / 10);
}
END_TEST

START_TEST(test_one_knob_does_not_shift_another)
{
	struct sim_link_config c1 = {.loss_ppm = 20000};
	struct sim_link_config c2 = {.loss_ppm = 20000, .corrupt_ppm = 100000};
	static struct run_result r1, r2;
	run_impaired(&r1, 21, &c1, 20000);
	run_impaired(&r2, 21, &c2, 20000);
	ck_assert_uint_eq(r1.st.dropped_loss, r2.st.dropped_loss);
	ck_assert_uint_gt(r2.st.corrupted, 0);
}
END_TEST

START_TEST(test_slots_exhausted_and_oversize_counted)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_link l;
	struct sim_link_config cfg = {.slots = 4};
	sim_link_init(&l, &s, &cfg);
	struct sink a = {0}, b = {0};
	struct sim_port *pa = sim_link_attach(&l, deliver, &a);
	sim_link_attach(&l, deliver, &b);
	uint8_t f[SIM_LINK_MAX_FRAME + 1];
	make_frame(f, 64, 0);
	for (int i = 0; i < 6; i++)
		sim_link_send(pa, f, 64, 0, 0);
	sim_link_send(pa, f, sizeof f, 0, 0);
	sim_run_until_idle(&s, SIM_NEVER, 0);
	ck_assert_uint_eq(b.total, 4);
	ck_assert_uint_eq(l.stats.dropped_no_slot, 2);
	ck_assert_uint_eq(l.stats.dropped_oversize, 1);
	sim_link_free(&l);
	sim_free(&s);
}
END_TEST

START_TEST(test_nofcs_endpoint_gets_fcs_and_corruption_breaks_it)
{
	struct sim s;
	sim_init(&s, 3, 0);
	struct sim_link l;
	struct sim_link_config cfg = {.corrupt_ppm = 500000};
	sim_link_init(&l, &s, &cfg);
	struct sink a = {0}, b = {0};
	struct sim_port *pa = sim_link_attach(&l, deliver, &a);
	sim_link_attach(&l, deliver, &b);
	uint8_t f[60];
	unsigned good = 0, bad = 0;
	for (uint32_t i = 0; i < 200; i++) {
		make_frame(f, sizeof f, i);
		sim_link_send_nofcs(pa, f, sizeof f, sim_now(&s));
		sim_run_until_idle(&s, SIM_NEVER, 0);
		ck_assert_uint_eq(b.len[b.n - 1], 64);
		if (sim_frame_fcs_ok(b.last, 64))
			good++;
		else
			bad++;
	}
	/* Every corrupted frame fails the FCS check, every other one passes. */
	ck_assert_uint_eq(bad, l.stats.corrupted);
	ck_assert_uint_eq(good + bad, 200);
	ck_assert_uint_gt(bad, 50);
	ck_assert(!sim_frame_fcs_ok(f, 3));
	sim_link_free(&l);
	sim_free(&s);
}
END_TEST

static Suite *link_suite(void)
{
	Suite *s = suite_create("sim_link");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_latency_and_serialisation);
	tcase_add_test(tc, test_receiver_takes_one_frame_at_a_time_and_taps_see_wire_order);
	tcase_add_test(tc, test_frame_reported_after_it_left_arrives_at_its_end);
	tcase_add_test(tc, test_loss_rate_and_determinism);
	tcase_add_test(tc, test_duplicate_rate);
	tcase_add_test(tc, test_reorder_rate_and_effect);
	tcase_add_test(tc, test_corruption_flips_one_byte);
	tcase_add_test(tc, test_one_knob_does_not_shift_another);
	tcase_add_test(tc, test_slots_exhausted_and_oversize_counted);
	tcase_add_test(tc, test_nofcs_endpoint_gets_fcs_and_corruption_breaks_it);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(link_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
