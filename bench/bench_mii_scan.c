/*
 * bench_mii_scan.c - what MICMD.MIISCAN costs the simulation.
 *
 * One simulated board runs our driver, which starts a PHY scan of PHSTAT2
 * (DS39662E 3.3.3: the chip re-reads the register every 10.24 us), masks
 * the chip's interrupts and sleeps. The link flaps every 10 s of virtual
 * time; the scan follows it in MIRD. The board's
 * counters say how many model deadlines the kernel served (model_advances),
 * the kernel's how many events it ran; the wall clock says what that cost.
 * A scan computed per read would cost one event per 10.24 us, about
 * 9.8 million per 100 s.
 *
 * usage: bench_mii_scan [virtual-seconds]   (default 100)
 */
#define _POSIX_C_SOURCE 199309L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "board.h"
#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "sim.h"

struct fw {
	struct enc_dev dev;
	int rc;
};

static void fw_boot(void *ctx, struct sim_board *b)
{
	struct fw *f = ctx;
	struct enc_config ec = {.mac = {2, 0, 0, 0, 0, 1}, .full_duplex = true};
	f->rc = enc_init(&f->dev, sim_board_hal(b), &ec);
	enc_write_reg(&f->dev, EIE, 0);
	enc_write_reg(&f->dev, MIREGADR, PHSTAT2);
	enc_write_reg(&f->dev, MICMD, MICMD_MIISCAN);
}

static uint64_t fw_run(void *ctx, struct sim_board *b, uint64_t now)
{
	(void)ctx;
	(void)b;
	(void)now;
	return SIM_NEVER;
}

static const struct sim_firmware FW = {fw_boot, fw_run};

/* Link down for 5 ms every 10 s. */
static void flap(void *ctx, uint64_t now)
{
	struct sim_board *b = ctx;
	bool up = !(model_peek_phy(b->model, PHSTAT2) & PHSTAT2_LSTAT);
	model_set_link(b->model, up, now);
	sim_board_model_changed(b);
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	uint64_t secs = argc > 1 ? strtoull(argv[1], NULL, 10) : 100u;
	if (secs == 0)
		secs = 100;
	struct sim s;
	struct sim_board b;
	struct fw f = {0};
	struct sim_board_config bc = {.name = "scan", .model = {.link_up = true}};
	if (sim_init(&s, 1, 0) != 0 || sim_board_init(&b, &s, &bc) != 0 ||
	    sim_board_start(&b, &FW, &f, 0) != 0) {
		fprintf(stderr, "bench_mii_scan: setup failed\n");
		return 1;
	}
	for (uint64_t t = 10; t < secs; t += 10) {
		sim_at(&s, NET_S(t), flap, &b);
		sim_at(&s, NET_S(t) + NET_MS(5), flap, &b);
	}
	double t0 = wall();
	sim_run_until(&s, NET_S(secs), 0);
	double t1 = wall();
	model_advance(b.model, sim_now(&s)); /* bring MIRD up to date for the peek */
	if (f.rc != ENC_OK || !(model_peek_reg(b.model, 3, ENC_REG_ADDR(MISTAT)) & MISTAT_SCAN)) {
		fprintf(stderr, "bench_mii_scan: the scan did not run (enc_init %d)\n", f.rc);
		return 1;
	}
	printf("MIISCAN for %" PRIu64 " s virtual (%" PRIu64 " link changes): %.6f s wall, %" PRIu64
	       " model deadlines served, %" PRIu64 " kernel events, MIRDH 0x%02x\n",
	       secs, 2 * ((secs - 1) / 10), t1 - t0, b.stats.model_advances, s.events_run,
	       model_peek_reg(b.model, 2, ENC_REG_ADDR(MIRDH)));
	sim_free(&s);
	sim_board_free(&b);
	return 0;
}
