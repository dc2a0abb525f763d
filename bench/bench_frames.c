/*
 * bench_frames.c - end-to-end frame rate: driver -> SPI -> model -> link ->
 * model -> SPI -> driver, on one core.
 *
 * Runs the `synack pair` scenario (sim/pair.h) with minimum-size frames
 * (60 bytes + FCS) and no capture. Every echo is two frames end to end (A to
 * B, B back to A), each through both drivers and both chip models. Prints
 * wall-clock frames per second and the virtual-time rate (virtual seconds
 * simulated per wall second). Issue 15's goal is >= 1,000,000 frames/s on
 * one core; this program reports, it does not gate.
 *
 * usage: bench_frames [echoes] [size]   (default 200000, 60)
 */
#define _POSIX_C_SOURCE 199309L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pair.h"

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	struct sim_pair_config cfg = {.seed = 1, .frames = 200000, .size = 60};
	if (argc > 1)
		cfg.frames = (uint32_t)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		cfg.size = (uint16_t)strtoul(argv[2], NULL, 10);
	struct sim_pair *p = calloc(1, sizeof *p);
	char err[256];
	if (p == NULL || sim_pair_init(p, &cfg, err, sizeof err) != 0) {
		fprintf(stderr, "bench_frames: setup failed: %s\n", p ? err : "out of memory");
		return 1;
	}
	double t0 = wall();
	bool ok = sim_pair_run(p);
	double secs = wall() - t0;
	uint64_t frames = (uint64_t)p->na.echoed * 2u;
	double vsecs = (double)sim_now(&p->sim) * 1e-9;
	uint64_t spi = p->a.stats.spi_bytes + p->b.stats.spi_bytes;
	printf("bench_frames: %" PRIu32 " echoes of %u-byte frames (%" PRIu64 " frames end to end), %s\n",
	       p->na.echoed, (unsigned)cfg.size, frames, ok ? "all checked" : "RUN FAILED");
	printf("  wall %.3f s: %.0f frames/s end to end (%.0f echoes/s), goal >= 1000000 frames/s\n", secs,
	       (double)frames / secs, (double)p->na.echoed / secs);
	printf("  SPI: %" PRIu64 " bytes, %.0f per frame, %.1f M bytes/s; events %" PRIu64 " (%.1f per frame)\n",
	       spi, (double)spi / (double)frames, (double)spi / secs / 1e6, p->sim.events_run,
	       (double)p->sim.events_run / (double)frames);
	printf("  virtual %.6f s: %.0f frames per virtual second; %.1f virtual s per wall s\n", vsecs,
	       (double)frames / vsecs, vsecs / secs);
	sim_pair_free(p, NULL, 0);
	free(p);
	return ok ? 0 : 1;
}
