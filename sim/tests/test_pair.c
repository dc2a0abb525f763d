/*
 * test_pair.c - the two-board echo scenario end to end in one process: the
 * real driver on two chip models over a link. Every echo checked, loss and
 * corruption accounted for, the checker silent, and the same seed giving a
 * byte-identical capture.
 */
#define _DEFAULT_SOURCE /* getpid() under -std=c11 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pair.h"

static struct sim_pair *run(const struct sim_pair_config *cfg, bool *ok)
{
	struct sim_pair *p = calloc(1, sizeof *p);
	char err[256];
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(sim_pair_init(p, cfg, err, sizeof err) == 0, "%s", err);
	*ok = sim_pair_run(p);
	return p;
}

static void done(struct sim_pair *p)
{
	ck_assert_int_eq(sim_pair_free(p, NULL, 0), 0);
	free(p);
}

START_TEST(test_pair_clean_link_every_echo_back)
{
	struct sim_pair_config cfg = {.seed = 1, .frames = 50, .size = 60};
	bool ok;
	struct sim_pair *p = run(&cfg, &ok);
	ck_assert_uint_eq(p->na.sent, 50);
	ck_assert_uint_eq(p->na.echoed, 50);
	ck_assert_uint_eq(p->na.lost, 0);
	ck_assert_uint_eq(p->na.bad_echoes, 0);
	ck_assert_uint_eq(p->nb.echoes_sent, 50);
	ck_assert_uint_eq(p->link.stats.frames_sent, 100);
	ck_assert_uint_eq(sim_pair_diag_count(p), 0);
	ck_assert(ok);
	done(p);
}
END_TEST

START_TEST(test_pair_max_size)
{
	struct sim_pair_config cfg = {.seed = 1, .frames = 10, .size = 1514};
	bool ok;
	struct sim_pair *p = run(&cfg, &ok);
	ck_assert_uint_eq(p->na.echoed, 10);
	ck_assert(ok);
	done(p);
}
END_TEST

START_TEST(test_pair_loss_and_corruption_accounted)
{
	struct sim_pair_config cfg = {.seed = 5, .frames = 400, .size = 60, .loss_ppm = 30000,
				      .corrupt_ppm = 30000};
	bool ok;
	struct sim_pair *p = run(&cfg, &ok);
	ck_assert_uint_gt(p->na.lost, 0);
	ck_assert_uint_eq(p->na.sent, p->na.echoed + p->na.lost);
	ck_assert_uint_eq(p->na.lost, sim_pair_explained_losses(p));
	ck_assert_uint_gt(p->link.stats.corrupted, 0);
	ck_assert(ok);
	done(p);
}
END_TEST

START_TEST(test_pair_unexplained_loss_fails)
{
	/* B listens on another MAC: its filter drops every request. That is
	 * not link loss, so the run must fail. */
	struct sim_pair_config cfg = {.seed = 1, .frames = 5, .size = 60};
	struct sim_pair *p = calloc(1, sizeof *p);
	char err[256];
	ck_assert_int_eq(sim_pair_init(p, &cfg, err, sizeof err), 0);
	p->nb.ecfg.mac[5] ^= 0x40;
	ck_assert(!sim_pair_run(p));
	ck_assert_uint_eq(p->na.lost, 5);
	ck_assert_uint_eq(sim_pair_explained_losses(p), 0);
	ck_assert_uint_eq(model_get_stats(p->b.model)->rx_dropped_filter, 5);
	done(p);
}
END_TEST

static size_t slurp(const char *path, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

START_TEST(test_pair_same_seed_identical_capture)
{
	char p1[128], p2[128], p3[128];
	snprintf(p1, sizeof p1, "/tmp/synack-test-pair-%ld-1.pcap", (long)getpid());
	snprintf(p2, sizeof p2, "/tmp/synack-test-pair-%ld-2.pcap", (long)getpid());
	snprintf(p3, sizeof p3, "/tmp/synack-test-pair-%ld-3.pcap", (long)getpid());
	struct sim_pair_config cfg = {.seed = 77, .frames = 60, .size = 100, .loss_ppm = 50000};
	bool ok;
	cfg.pcap_path = p1;
	done(run(&cfg, &ok));
	cfg.pcap_path = p2;
	done(run(&cfg, &ok));
	cfg.pcap_path = p3;
	cfg.seed = 78;
	done(run(&cfg, &ok));
	static unsigned char b1[65536], b2[65536], b3[65536];
	size_t n1 = slurp(p1, b1, sizeof b1), n2 = slurp(p2, b2, sizeof b2), n3 = slurp(p3, b3, sizeof b3);
	ck_assert_uint_gt(n1, 24);
	ck_assert_uint_eq(n1, n2);
	ck_assert_mem_eq(b1, b2, n1);
	ck_assert(n1 != n3 || memcmp(b1, b3, n1) != 0);
	unlink(p1);
	unlink(p2);
	unlink(p3);
}
END_TEST

static Suite *pair_suite(void)
{
	Suite *s = suite_create("sim_pair");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pair_clean_link_every_echo_back);
	tcase_add_test(tc, test_pair_max_size);
	tcase_add_test(tc, test_pair_loss_and_corruption_accounted);
	tcase_add_test(tc, test_pair_unexplained_loss_fails);
	tcase_add_test(tc, test_pair_same_seed_identical_capture);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pair_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
