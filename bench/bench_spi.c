/*
 * bench_spi.c - SPI throughput through the real driver and the chip model.
 *
 * One simulated board, no firmware loop: the driver is called directly on
 * the board's HAL, as a firmware pass would. Three workloads:
 *   register reads   enc_read_reg() of a bank-0 register (2 SPI bytes each,
 *                    plus bank selects when the bank changes);
 *   PHY reads        enc_phy_read() (MII handshake, BUSY polled in virtual
 *                    time);
 *   buffer bursts    enc_mem_read()/enc_mem_write() of 1 KB in spare memory.
 * Wall time comes from clock_gettime (a benchmark may read the wall clock;
 * the simulator never does). Figures only, no pass/fail.
 *
 * usage: bench_spi [iterations-scale]   (default 1)
 */
#define _POSIX_C_SOURCE 199309L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "board.h"
#include "enc28j60.h"
#include "sim.h"

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void report(const char *what, uint64_t ops, uint64_t bytes, double secs, uint64_t vns)
{
	printf("%-16s %10" PRIu64 " ops in %.3f s: %12.0f ops/s, %6.1f M SPI bytes/s, "
	       "%.0f virtual ns/op\n",
	       what, ops, secs, (double)ops / secs, (double)bytes / secs / 1e6, (double)vns / (double)ops);
}

int main(int argc, char **argv)
{
	uint64_t scale = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
	if (scale == 0)
		scale = 1;
	struct sim s;
	struct sim_board b;
	struct sim_board_config bc = {.name = "bench", .model = {.link_up = true}};
	if (sim_init(&s, 1, 0) != 0 || sim_board_init(&b, &s, &bc) != 0) {
		fprintf(stderr, "bench_spi: setup failed\n");
		return 1;
	}
	struct enc_dev d;
	struct enc_config ec = {.mac = {2, 0, 0, 0, 0, 1}, .full_duplex = true};
	int rc = enc_init(&d, sim_board_hal(&b), &ec);
	if (rc != ENC_OK) {
		fprintf(stderr, "bench_spi: enc_init failed: %d\n", rc);
		return 1;
	}

	/* Register reads. */
	uint64_t n = 2000000u * scale;
	uint64_t b0 = b.stats.spi_bytes, v0 = b.cpu_now;
	unsigned sink = 0;
	double t0 = wall();
	for (uint64_t i = 0; i < n; i++)
		sink += enc_read_reg(&d, ERDPTL);
	double t1 = wall();
	report("register reads", n, b.stats.spi_bytes - b0, t1 - t0, b.cpu_now - v0);

	/* PHY reads. */
	n = 200000u * scale;
	b0 = b.stats.spi_bytes;
	v0 = b.cpu_now;
	t0 = wall();
	for (uint64_t i = 0; i < n; i++) {
		uint16_t v = 0;
		(void)enc_phy_read(&d, PHSTAT2, &v);
		sink += v;
	}
	t1 = wall();
	report("PHY reads", n, b.stats.spi_bytes - b0, t1 - t0, b.cpu_now - v0);

	/* Buffer bursts in spare memory. */
	static uint8_t buf[1024];
	uint16_t at = enc_spare_start(&d);
	n = 20000u * scale;
	b0 = b.stats.spi_bytes;
	v0 = b.cpu_now;
	t0 = wall();
	for (uint64_t i = 0; i < n; i++) {
		buf[0] = (uint8_t)i;
		enc_mem_write(&d, at, buf, sizeof buf);
		enc_mem_read(&d, at, buf, sizeof buf);
		sink += buf[0];
	}
	t1 = wall();
	report("1 KB bursts", 2 * n, b.stats.spi_bytes - b0, t1 - t0, b.cpu_now - v0);

	printf("checker diagnostics: %u (sink %u)\n", model_diag_count(b.model), sink & 1u);
	sim_free(&s);
	sim_board_free(&b);
	return 0;
}
