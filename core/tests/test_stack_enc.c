/*
 * test_stack_enc.c - the stack on the real ENC28J60 driver (through
 * enc_netdev_bind) and the register-level chip model: two boards back to
 * back (support/driver_pair.h), an echo server on B, a client on A echoing
 * 20 KB, with and without frames corrupted on the wire (the chip drops
 * them on a bad FCS). Unacknowledged data lives in the chips' spare buffer
 * memory and goes out through the chip's DMA copy.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/echo_server.h"
#include "driver_pair.h"
#include "enc28j60_netdev.h"
#include "model_hal.h"
#include "net.h"

#define ENC_BYTES 20000u

static struct driver_pair P;
static struct netdev NA, NB;
static struct net_config CA, CB;
static struct net_stack SA, SB;
static struct echo_server ECHO;

struct client {
	uint32_t sent, got;
	bool closed, bad, dead;
};
static struct client CL;

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 7u + (i >> 9));
}

static void push(struct net_stack *s, struct tcp_pcb *c)
{
	uint8_t buf[100];

	while (CL.sent < ENC_BYTES) {
		uint16_t k = tcp_send_space(s, c), i;

		if (k > sizeof(buf))
			k = sizeof(buf);
		if (k > ENC_BYTES - CL.sent)
			k = (uint16_t)(ENC_BYTES - CL.sent);
		if (k == 0)
			break;
		for (i = 0; i < k; i++)
			buf[i] = pattern(CL.sent + i);
		CL.sent += tcp_write(s, c, buf, k);
	}
}

static void client_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	uint8_t buf[128];

	(void)ctx;
	switch (ev) {
	case TCP_EV_CONNECTED:
	case TCP_EV_SENT:
		push(s, c);
		break;
	case TCP_EV_DATA:
		while (n) {
			uint16_t k = tcp_recv(s, c, buf, n < sizeof(buf) ? n : (uint16_t)sizeof(buf)), i;

			for (i = 0; i < k; i++)
				CL.bad |= buf[i] != pattern(CL.got + i);
			CL.got += k;
			n = (uint16_t)(n - k);
		}
		if (CL.got == ENC_BYTES)
			tcp_close(s, c);
		break;
	case TCP_EV_PEER_CLOSED:
	case TCP_EV_URGENT:
		break;
	case TCP_EV_CLOSED:
		CL.closed = true;
		break;
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		CL.dead = true;
		break;
	}
}

static void stack_init(struct net_stack *s, struct net_config *cfg, struct netdev *nd, const uint8_t *mac,
		       uint32_t ip, const char *key)
{
	net_config_defaults(cfg);
	memcpy(cfg->mac, mac, 6);
	cfg->ip = ip;
	cfg->netmask = 0xFFFFFF00u;
	memcpy(cfg->isn_key, key, 16);
	net_init(s, cfg, nd, P.clk.now);
}

static void run_echo(uint32_t crc_ppm)
{
	struct model_config m;
	uint64_t start;
	unsigned steps;

	memset(&m, 0, sizeof(m));
	m.link_up = true;
	m.seed = 42;
	m.fault_rx_crc_ppm = crc_ppm;
	memset(&CL, 0, sizeof(CL));
	ck_assert_int_eq(driver_pair_setup(&P, &m, true, true), ENC_OK);
	enc_netdev_bind(&NA, &P.da);
	enc_netdev_bind(&NB, &P.db);
	stack_init(&SA, &CA, &NA, driver_mac_a, 0xC0A80101u, "enc-test-key-A..");
	stack_init(&SB, &CB, &NB, driver_mac_b, 0xC0A80102u, "enc-test-key-B..");
	ck_assert(SA.use_devmem && SB.use_devmem);
	ck_assert_int_eq(echo_server_start(&ECHO, &SB, ECHO_PORT), TCP_OK);
	net_poll(&SA, P.clk.now);
	net_poll(&SB, P.clk.now);
	ck_assert_ptr_nonnull(tcp_connect(&SA, CB.ip, ECHO_PORT, client_cb, NULL));
	start = P.clk.now;
	for (steps = 0; steps < 2000000 && !CL.closed && !CL.dead; steps++) {
		net_time_t na, nb, next;

		model_hal_run(&P.a, NET_US(50));
		na = net_poll(&SA, P.clk.now);
		nb = net_poll(&SB, P.clk.now);
		next = na < nb ? na : nb;
		if (model_next_deadline(P.a.m) < next)
			next = model_next_deadline(P.a.m);
		if (model_next_deadline(P.b.m) < next)
			next = model_next_deadline(P.b.m);
		/* Nothing for either chip or stack to do before `next`: jump. */
		if (next != NET_TIME_NEVER && next > P.clk.now + NET_US(50) && !model_int_asserted(P.a.m) &&
		    !model_int_asserted(P.b.m))
			model_hal_run(&P.a, next - P.clk.now - NET_US(50));
	}
	if (getenv("ENC_STATS"))
		fprintf(stderr, "enc echo crc_ppm %u: virtual %.3f s, A rtx %u B rtx %u, A devmem copies via DMA\n",
			crc_ppm, (double)(P.clk.now - start) / 1e9, (unsigned)SA.stats[NET_STAT_TCP_RETRANSMITS],
			(unsigned)SB.stats[NET_STAT_TCP_RETRANSMITS]);
	if (getenv("ENC_STATS")) {
		int i;

		for (i = 0; i < NET_STAT_COUNT; i++)
			if (SA.stats[i] || SB.stats[i])
				fprintf(stderr, "%-28s A %6u  B %6u\n", net_stat_name((enum net_stat_id)i),
					(unsigned)SA.stats[i], (unsigned)SB.stats[i]);
		fprintf(stderr, "driver A: rx %u bad %u ovf %u tx %u; B: rx %u bad %u ovf %u tx %u\n",
			(unsigned)P.da.stats.rx_frames, (unsigned)P.da.stats.rx_bad_status,
			(unsigned)P.da.stats.rx_overflows, (unsigned)P.da.stats.tx_frames,
			(unsigned)P.db.stats.rx_frames, (unsigned)P.db.stats.rx_bad_status,
			(unsigned)P.db.stats.rx_overflows, (unsigned)P.db.stats.tx_frames);
	}
	ck_assert_msg(CL.closed, "echo over the chip model did not finish: sent %u got %u dead %d", CL.sent, CL.got,
		      CL.dead);
	ck_assert(!CL.bad);
	ck_assert_uint_eq(ECHO.bytes, ENC_BYTES);
	ck_assert_uint_eq(net_stat(&SA, NET_STAT_TCP_CHECKSUM) + net_stat(&SB, NET_STAT_TCP_CHECKSUM), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&P.a, "a"), 0);
	ck_assert_uint_eq(model_hal_dump_diags(&P.b, "b"), 0);
	driver_pair_teardown(&P);
}

START_TEST(test_enc_pair_echo_20k)
{
	run_echo(0);
}
END_TEST

START_TEST(test_enc_pair_echo_20k_corrupted_frames)
{
	run_echo(20000); /* 2% of frames arrive with a bad FCS and are dropped by the chip */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack_enc");
	TCase *t = tcase_create("enc");
	SRunner *sr;
	int failed;

	tcase_add_test(t, test_enc_pair_echo_20k);
	tcase_add_test(t, test_enc_pair_echo_20k_corrupted_frames);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
