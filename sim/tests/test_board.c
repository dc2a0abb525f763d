/*
 * test_board.c - a board: SPI bytes and delays cost virtual time on the
 * board's cursor, firmware passes run after boot, at requested deadlines and
 * on INT, frames go out to and come in from the link with their FCS, and a
 * firmware that never clears INT cannot spin the simulation forever.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "enc28j60.h"
#include "link.h"

static const uint8_t MAC[6] = {0x02, 0, 0, 0, 0, 0x11};

struct fw {
	struct enc_dev dev;
	int init_rc;
	unsigned runs;
	uint64_t run_at[16];
	uint64_t period;      /* deadline step; 0 = INT only */
	unsigned max_runs;
	bool drain;           /* receive frames (clears PKTIF) */
	bool send_at_boot;
	unsigned got;
	uint16_t got_len;
};

static void fw_boot(void *ctx, struct sim_board *b)
{
	struct fw *f = ctx;
	struct enc_config c = {.full_duplex = true};
	memcpy(c.mac, MAC, 6);
	f->init_rc = enc_init(&f->dev, sim_board_hal(b), &c);
	if (f->send_at_boot) {
		uint8_t fr[60];
		memset(fr, 0xA5, sizeof fr);
		memset(fr, 0xFF, 6);
		memcpy(fr + 6, MAC, 6);
		fr[12] = 0x88;
		fr[13] = 0xB5;
		ck_assert_int_eq(enc_send(&f->dev, fr, sizeof fr), ENC_OK);
	}
}

static uint64_t fw_run(void *ctx, struct sim_board *b, uint64_t now)
{
	struct fw *f = ctx;
	if (f->runs < 16)
		f->run_at[f->runs] = now;
	f->runs++;
	if (f->drain) {
		uint8_t buf[1600];
		(void)enc_poll(&f->dev);
		uint16_t n;
		while ((n = enc_recv(&f->dev, buf, sizeof buf)) > 0) {
			f->got++;
			f->got_len = n;
		}
	}
	if (f->period && f->runs < f->max_runs)
		return sim_board_now(b) + f->period;
	return SIM_NEVER;
}

static const struct sim_firmware FW = {fw_boot, fw_run};

struct endpoint {
	unsigned n;
	size_t len;
	uint8_t frame[1600];
	uint64_t at;
};

static void ep_deliver(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct endpoint *e = ctx;
	e->n++;
	e->len = len;
	e->at = now;
	memcpy(e->frame, frame, len);
}

START_TEST(test_spi_bytes_and_delays_cost_virtual_time)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_board b;
	struct sim_board_config bc = {.name = "b", .spi_ns_per_byte = 125, .model = {.link_up = true}};
	ck_assert_int_eq(sim_board_init(&b, &s, &bc), 0);
	const struct enc_spi_hal *h = sim_board_hal(&b);
	uint64_t t0 = sim_board_now(&b);
	h->select(h->ctx);
	(void)h->xfer(h->ctx, 0x00); /* RCR ERDPTL */
	(void)h->xfer(h->ctx, 0x00);
	h->deselect(h->ctx);
	ck_assert_uint_eq(sim_board_now(&b) - t0, 250);
	uint8_t buf[10];
	h->select(h->ctx);
	h->read_burst(h->ctx, buf, sizeof buf);
	h->deselect(h->ctx);
	ck_assert_uint_eq(sim_board_now(&b) - t0, 250 + 1250);
	h->delay_us(h->ctx, 7);
	ck_assert_uint_eq(sim_board_now(&b) - t0, 250 + 1250 + 7000);
	ck_assert_uint_eq(b.stats.spi_bytes, 12);
	ck_assert_uint_eq(model_get_stats(b.model)->spi_bytes, 12);
	sim_free(&s);
	sim_board_free(&b);
}
END_TEST

START_TEST(test_boot_then_runs_at_requested_deadlines)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_board b;
	struct sim_board_config bc = {.name = "b", .model = {.link_up = true}};
	sim_board_init(&b, &s, &bc);
	struct fw f = {.period = NET_MS(1), .max_runs = 4};
	sim_board_start(&b, &FW, &f, NET_US(10));
	ck_assert_int_eq(sim_run_until_idle(&s, SIM_NEVER, 100000), SIM_IDLE);
	ck_assert_int_eq(f.init_rc, ENC_OK);
	ck_assert_uint_eq(f.runs, 4);
	/* enc_init waits out CLKRDY (300 us) in virtual time. */
	ck_assert_uint_gt(f.run_at[0], NET_US(10) + NET_US(300));
	for (unsigned i = 1; i < 4; i++)
		ck_assert_uint_ge(f.run_at[i], f.run_at[i - 1] + NET_MS(1));
	ck_assert_uint_eq(b.stats.boots, 1);
	ck_assert_uint_eq(b.stats.runs, 4);
	ck_assert_uint_eq(model_diag_count(b.model), 0);
	sim_free(&s);
	sim_board_free(&b);
}
END_TEST

struct exec_probe {
	struct fw *f;
	uint64_t at;          /* `now` the exec function saw */
	uint64_t want_again;  /* deadline it returns (absolute) */
	bool was_running;
	uint8_t eir;
};

static uint64_t exec_fn(void *ctx, struct sim_board *b, uint64_t now)
{
	struct exec_probe *x = ctx;
	x->at = now;
	x->was_running = b->running;
	x->eir = enc_read_reg(&x->f->dev, EIR); /* SPI works: the cursor moves */
	return x->want_again;
}

/* sim_board_exec(): a pass from outside the event loop, at the
 * simulation's current time; its deadline joins the firmware's. */
START_TEST(test_exec_runs_a_pass_now_and_keeps_its_deadline)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_board b;
	struct sim_board_config bc = {.name = "b", .model = {.link_up = true}};
	sim_board_init(&b, &s, &bc);
	struct fw f = {0};
	sim_board_start(&b, &FW, &f, 0);
	sim_run_until(&s, NET_MS(5), 0);
	ck_assert_uint_eq(f.runs, 1); /* the pass after boot; INT only since */
	struct exec_probe x = {.f = &f, .want_again = NET_MS(8)};
	uint64_t spi0 = b.stats.spi_bytes;
	sim_board_exec(&b, exec_fn, &x);
	ck_assert(x.was_running);
	ck_assert_uint_eq(x.at, NET_MS(5));
	ck_assert_uint_gt(b.stats.spi_bytes, spi0);
	ck_assert_uint_gt(sim_board_now(&b), NET_MS(5));
	ck_assert_uint_eq(b.stats.execs, 1);
	ck_assert(!b.running);
	/* The firmware runs at the deadline the exec asked for. */
	sim_run_until(&s, NET_MS(10), 0);
	ck_assert_uint_eq(f.runs, 2);
	ck_assert_uint_eq(f.run_at[1], NET_MS(8));
	ck_assert_uint_eq(model_diag_count(b.model), 0);
	sim_free(&s);
	sim_board_free(&b);
}
END_TEST

START_TEST(test_frame_out_with_fcs_and_in_on_int)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_link l;
	struct sim_link_config lc = {.latency_ns = 1000};
	sim_link_init(&l, &s, &lc);
	struct sim_board b;
	struct sim_board_config bc = {.name = "b", .model = {.link_up = true}};
	sim_board_init(&b, &s, &bc);
	sim_board_connect(&b, &l);
	struct endpoint e = {0};
	struct sim_port *ep = sim_link_attach(&l, ep_deliver, &e);
	struct fw f = {.drain = true, .send_at_boot = true};
	sim_board_start(&b, &FW, &f, 0);
	ck_assert_int_eq(sim_run_until_idle(&s, SIM_NEVER, 100000), SIM_IDLE);
	ck_assert_int_eq(f.init_rc, ENC_OK);

	/* Out: 60 bytes + FCS, a good CRC (residue check). */
	ck_assert_uint_eq(e.n, 1);
	ck_assert_uint_eq(e.len, 64);
	uint32_t fcs = (uint32_t)e.frame[60] | (uint32_t)e.frame[61] << 8 | (uint32_t)e.frame[62] << 16 |
		       (uint32_t)e.frame[63] << 24;
	ck_assert_uint_eq(model_crc32(e.frame, 60), fcs);
	ck_assert_uint_eq(b.stats.frames_out, 1);

	/* In: a frame to the board's MAC wakes the firmware through INT. */
	uint8_t fr[64];
	memset(fr, 0x5A, sizeof fr);
	memcpy(fr, MAC, 6);
	memset(fr + 6, 0x02, 6);
	fr[12] = 0x88;
	fr[13] = 0xB5;
	uint32_t crc = model_crc32(fr, 60);
	for (int i = 0; i < 4; i++)
		fr[60 + i] = (uint8_t)(crc >> (8 * i));
	unsigned runs_before = f.runs;
	uint64_t t = sim_now(&s) + NET_MS(1);
	sim_link_send(ep, fr, sizeof fr, t, 0);
	ck_assert_int_eq(sim_run_until_idle(&s, SIM_NEVER, 100000), SIM_IDLE);
	ck_assert_uint_eq(f.got, 1);
	ck_assert_uint_eq(f.got_len, 60);
	ck_assert_uint_gt(f.runs, runs_before);
	ck_assert_uint_ge(b.stats.runs_int, 1);
	ck_assert_uint_ge(f.run_at[f.runs - 1], t + 64 * 800 + 1000);
	ck_assert_int_eq(b.int_level, false);
	ck_assert_uint_eq(model_diag_count(b.model), 0);
	sim_free(&s);
	sim_link_free(&l);
	sim_board_free(&b);
}
END_TEST

START_TEST(test_int_never_cleared_does_not_spin)
{
	struct sim s;
	sim_init(&s, 1, 0);
	struct sim_link l;
	sim_link_init(&l, &s, NULL);
	struct sim_board b;
	struct sim_board_config bc = {.name = "b", .model = {.link_up = true}, .int_storm_limit = 50};
	sim_board_init(&b, &s, &bc);
	sim_board_connect(&b, &l);
	struct endpoint e = {0};
	struct sim_port *ep = sim_link_attach(&l, ep_deliver, &e);
	struct fw f = {.drain = false};
	sim_board_start(&b, &FW, &f, 0);
	sim_run_until_idle(&s, SIM_NEVER, 100000);
	uint8_t fr[64] = {0};
	memcpy(fr, MAC, 6);
	uint32_t crc = model_crc32(fr, 60);
	for (int i = 0; i < 4; i++)
		fr[60 + i] = (uint8_t)(crc >> (8 * i));
	sim_link_send(ep, fr, sizeof fr, sim_now(&s), 0);
	ck_assert_int_eq(sim_run_until_idle(&s, SIM_NEVER, 100000), SIM_IDLE);
	ck_assert(b.int_level);
	ck_assert_uint_eq(b.stats.int_storms, 1);
	ck_assert_uint_le(b.stats.runs_int, 51);
	sim_free(&s);
	sim_link_free(&l);
	sim_board_free(&b);
}
END_TEST

static Suite *board_suite(void)
{
	Suite *s = suite_create("sim_board");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_spi_bytes_and_delays_cost_virtual_time);
	tcase_add_test(tc, test_boot_then_runs_at_requested_deadlines);
	tcase_add_test(tc, test_frame_out_with_fcs_and_in_on_int);
	tcase_add_test(tc, test_int_never_cleared_does_not_spin);
	tcase_add_test(tc, test_exec_runs_a_pass_now_and_keeps_its_deadline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(board_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
