/*
 * test_isn_key.c - in simulation the RFC 6528 secret comes from the run's
 * seed (sim_node_config_defaults: the stream "<name>.isn"), so a seed
 * reproduces a run and another seed gives other ISNs and ports. Seen on
 * the wire: the SYN node A sends to node B, captured by a link tap.
 *
 * RFC 6528 §3: "F() MUST NOT be computable from the outside" - the key is
 * what makes it so; were it fixed (or zero), every board and every run
 * would open with the same ISNs.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "node.h"

struct syn {
	uint32_t seq;
	uint16_t sport;
	bool seen;
};

static void tap(void *ctx, const uint8_t *f, size_t len, uint64_t start, unsigned port)
{
	struct syn *s = ctx;
	(void)start;
	(void)port;
	/* Ethernet + IPv4 (IHL 5) + TCP with SYN only. */
	if (s->seen || len < 54 || f[12] != 0x08 || f[13] != 0x00 || f[23] != 6 || f[47] != 0x02)
		return;
	s->sport = (uint16_t)(f[34] << 8 | f[35]);
	s->seq = (uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 | (uint32_t)f[40] << 8 | f[41];
	s->seen = true;
}

static void app(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	(void)s;
	(void)c;
	(void)ev;
	(void)n;
	(void)ctx;
}

static void connect_b(struct sim_node *n, void *ctx)
{
	(void)ctx;
	ck_assert_ptr_nonnull(tcp_connect(&n->stack, 0x0A000002u, 80, app, NULL));
}

/* A's first SYN in a run with this seed; its key through *key. */
static struct syn first_syn(uint64_t seed, uint8_t key[16])
{
	struct sim *sim = calloc(1, sizeof *sim);
	struct sim_link *l = calloc(1, sizeof *l);
	struct sim_node *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	struct sim_node_config ca, cb;
	struct syn s = {0};

	ck_assert(sim && l && a && b);
	ck_assert_int_eq(sim_init(sim, seed, 64), 0);
	ck_assert_int_eq(sim_link_init(l, sim, NULL), 0);
	ck_assert_int_eq(sim_link_add_tap(l, tap, &s), 0);
	sim_node_config_defaults(&ca, sim, "node-a", 1);
	sim_node_config_defaults(&cb, sim, "node-b", 2);
	memcpy(key, ca.net.isn_key, 16);
	ck_assert_int_eq(sim_node_init(a, sim, &ca), 0);
	ck_assert_int_eq(sim_node_init(b, sim, &cb), 0);
	ck_assert_int_eq(sim_node_start(b, l, 0), 0);
	ck_assert_int_eq(sim_node_start(a, l, NET_US(1)), 0);
	sim_run_until(sim, NET_MS(20), 0);
	sim_node_exec(a, connect_b, NULL);
	sim_run_until(sim, NET_MS(40), 0);
	ck_assert_msg(s.seen, "no SYN on the link");
	sim_free(sim);
	sim_link_free(l);
	sim_node_free(a);
	sim_node_free(b);
	free(sim);
	free(l);
	free(a);
	free(b);
	return s;
}

START_TEST(test_key_from_seed)
{
	uint8_t k1[16], k1b[16], k2[16], zero[16] = {0};
	struct syn s1 = first_syn(1, k1), s1b = first_syn(1, k1b), s2 = first_syn(2, k2);

	ck_assert_mem_ne(k1, zero, 16);
	ck_assert_mem_eq(k1, k1b, 16);
	ck_assert_mem_ne(k1, k2, 16);
	/* Same seed, same time: the same SYN (a run replays). */
	ck_assert_uint_eq(s1.seq, s1b.seq);
	ck_assert_uint_eq(s1.sport, s1b.sport);
	/* Another seed: another ISN and another port, at the same instant. */
	ck_assert_uint_ne(s1.seq, s2.seq);
	ck_assert_uint_ne(s1.sport, s2.sport);
}
END_TEST

/* Two boards of one run have different keys (their streams are named
 * after them). */
START_TEST(test_keys_differ_per_node)
{
	struct sim sim;
	struct sim_node_config ca, cb;
	ck_assert_int_eq(sim_init(&sim, 42, 16), 0);
	sim_node_config_defaults(&ca, &sim, "node-a", 1);
	sim_node_config_defaults(&cb, &sim, "node-b", 2);
	ck_assert_mem_ne(ca.net.isn_key, cb.net.isn_key, 16);
	sim_free(&sim);
}
END_TEST

static Suite *isn_key_suite(void)
{
	Suite *s = suite_create("sim_isn_key");
	TCase *tc = tcase_create("seed");
	tcase_add_test(tc, test_key_from_seed);
	tcase_add_test(tc, test_keys_differ_per_node);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(isn_key_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
