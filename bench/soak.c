/*
 * soak.c - the full TCP soak (sim/soak.h): connections between two of our
 * stacks on links with seeded loss, duplication, reordering and corruption,
 * then the same with every ENC28J60 erratum switch and fault injection on.
 * Prints the derived bound, the figures per impairment level and the wall
 * time. Exits 1 if any connection fails, wedges or leaks, or the frame
 * accounting does not balance (sim/tests/test_soak.c runs a short version
 * in CI; this is the long one).
 *
 * usage: soak [--connections N] [--seed S] [--max-bytes B] [--level PPM]
 *             [--plain-only | --faults-only] [--pcap FILE] [--stop-on-failure]
 *             [--time-wait-ms MS] [--fin-wait2-ms MS]
 *   N connections in all per mode (default 10000), spread evenly over the
 *   levels 1, 2, 5, 10 and 15 % (or the one --level); both modes (plain,
 *   chip faults) by default. --pcap captures the link (one level only
 *   makes sense); --stop-on-failure ends a level at its first failure.
 *   --time-wait-ms / --fin-wait2-ms replace the derived values (soak.c) to
 *   show what shorter ones do: at 15 % a 2 s TIME-WAIT lets a late FIN
 *   draw a RST, which the soak then counts as a reset.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libgen.h>

#include "soak.h"

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int usage(const char *msg, const char *arg)
{
	fprintf(stderr, "soak: %s%s%s\nusage: soak [--connections N] [--seed S] [--max-bytes B] [--level PPM]\n"
		"            [--plain-only | --faults-only] [--pcap FILE] [--stop-on-failure]\n"
		"            [--time-wait-ms MS] [--fin-wait2-ms MS]\n",
		msg, arg ? ": " : "", arg ? arg : "");
	return 2;
}

static int number(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t conns = 10000, seed = 1, max_bytes = 0, level = 0, tw = 0, fw2 = 0;
	bool plain_only = false, faults_only = false, stop = false;
	const char *pcap = NULL;
	for (int i = 1; i < argc; i++) {
		uint64_t *dst = NULL;
		if (strcmp(argv[i], "--connections") == 0)
			dst = &conns;
		else if (strcmp(argv[i], "--seed") == 0)
			dst = &seed;
		else if (strcmp(argv[i], "--max-bytes") == 0)
			dst = &max_bytes;
		else if (strcmp(argv[i], "--level") == 0)
			dst = &level;
		else if (strcmp(argv[i], "--time-wait-ms") == 0)
			dst = &tw;
		else if (strcmp(argv[i], "--fin-wait2-ms") == 0)
			dst = &fw2;
		else if (strcmp(argv[i], "--plain-only") == 0 || strcmp(argv[i], "--faults-only") == 0 ||
			 strcmp(argv[i], "--stop-on-failure") == 0) {
			plain_only |= argv[i][2] == 'p';
			faults_only |= argv[i][2] == 'f';
			stop |= argv[i][2] == 's';
			continue;
		} else if (strcmp(argv[i], "--pcap") == 0 && i + 1 < argc) {
			pcap = argv[++i];
			continue;
		} else
			return usage("unknown argument", argv[i]);
		if (i + 1 >= argc || number(argv[i + 1], dst) != 0 || *dst > 100000000u)
			return usage("expected a number after", argv[i]);
		i++;
	}
	static const uint32_t all_levels[] = {10000, 20000, 50000, 100000, 150000};
	uint32_t one_level[1] = {(uint32_t)level};
	const uint32_t *levels = level ? one_level : all_levels;
	const unsigned nlev = level ? 1u : (unsigned)(sizeof all_levels / sizeof all_levels[0]);
	bool level_given = false;
	for (int i = 1; i < argc; i++)
		level_given |= strcmp(argv[i], "--level") == 0;
	if (level > 1000000u || (level_given && level == 0))
		return usage("--level is in parts per million, 1 to 1000000", NULL);
	if (conns == 0)
		return usage("--connections must be at least 1", NULL);
	if (max_bytes > 1024u)
		return usage("--max-bytes is at most 1024, the receive window (the bound counts one data segment "
			     "per direction, sim/soak.c)", NULL);
	if (plain_only && faults_only)
		return usage("--plain-only and --faults-only exclude each other", NULL);
	if ((tw && tw >= 0x80000000u) || (fw2 && fw2 >= 0x80000000u))
		return usage("--time-wait-ms and --fin-wait2-ms must stay below 2^31", NULL);
	if (pcap) {
		/* The capture is written to a temporary file beside it and
		 * renamed (sim/outfile.h): its directory must be writable. */
		char copy[4096];
		if (strlen(pcap) >= sizeof copy)
			return usage("--pcap path too long", NULL);
		strcpy(copy, pcap);
		const char *dir = dirname(copy);
		if (access(dir, W_OK) != 0)
			return usage("--pcap: cannot write in the directory of", pcap);
	}
	struct soak_bounds bd;
	soak_bounds(&bd);
	printf("soak: %" PRIu64 " connections per mode over %u impairment levels, seed %" PRIu64 "\n", conns, nlev, seed);
	printf("bound: RTO initial %u ms, max %u ms, %u retries -> stall G = (R+1)*rto_max = %u s;\n"
	       "       6 progress steps (SYN, data, FIN each way) -> final state within %" PRIu64 " s of connect;\n"
	       "       TIME-WAIT %u s (> G: every retransmitted FIN meets TIME-WAIT), FIN-WAIT-2 %u s;\n"
	       "       every block free within TIME-WAIT + G = %" PRIu64 " s of the last final event\n",
	       bd.rto_initial_ms, bd.rto_max_ms, bd.retries, bd.stall_ms / 1000u, bd.bound_ms / 1000u,
	       bd.time_wait_ms / 1000u, bd.fin_wait2_ms / 1000u, bd.release_bound_ms / 1000u);
	int rc = 0;
	double t_all = wall();
	for (int mode = faults_only ? 1 : 0; mode < (plain_only ? 1 : 2); mode++) {
		printf("\n%s\n", mode ? "mode: chip faults (all errata on, half duplex, rx overflow/crc and late collision 1 %, armed tx abort/stall/link flap)"
				      : "mode: plain chips");
		printf("%-6s %6s %6s %6s %10s %8s %9s %9s %9s %7s %7s %8s\n", "level", "conns", "passed", "wedged",
		       "bytes", "rtx", "worst s", "bound s", "release", "frames", "lost", "wall s");
		for (unsigned l = 0; l < nlev; l++) {
			struct soak_config c;
			struct soak_result r;
			memset(&c, 0, sizeof c);
			c.seed = seed * 1000u + l + 100u * (unsigned)mode;
			c.connections = (uint32_t)(conns / nlev + (l < conns % nlev ? 1u : 0u));
			c.impair_ppm = levels[l];
			c.max_bytes = (uint32_t)max_bytes;
			c.chip_faults = mode == 1;
			c.pcap_path = pcap;
			c.time_wait_ms = (uint32_t)tw;
			c.fin_wait2_ms = (uint32_t)fw2;
			c.stop_after = stop;
			double t0 = wall();
			bool ok = soak_run(&c, &r);
			double w = wall() - t0;
			const struct soak_frames *f = &r.frames;
			uint64_t lost = f->sent + f->duplicated - f->received;
			printf("%5.0f%% %6u %6u %6u %10" PRIu64 " %8" PRIu64 " %9.1f %9.0f %9.1f %7" PRIu64 " %7" PRIu64
			       " %8.2f%s\n",
			       (double)levels[l] / 1e4, r.started, r.passed, r.wedged, r.bytes, r.retransmits,
			       (double)r.worst_ns * 1e-9, (double)r.bound_ns * 1e-9, (double)r.release_ns * 1e-9, f->sent,
			       lost, w, ok ? "" : "  FAIL");
			printf("       lost = link loss %" PRIu64 " + FCS drops %" PRIu64 " (link corrupt %" PRIu64
			       " + chip crc %" PRIu64 ") + chip overflow %" PRIu64 " + link down %" PRIu64
			       "; unexplained %" PRIu64 " -> %s\n",
			       f->link_lost, f->chip_crc_drops, f->link_corrupt, f->chip_crc_injected, f->chip_overflow,
			       f->chip_link_down, f->unexplained, f->balanced ? "balanced" : "NOT BALANCED");
			if (mode)
				printf("       tx: aborts injected %" PRIu64 ", late-collision retries %" PRIu64
				       ", frames given up %" PRIu64 ", stalls recovered %" PRIu64 ", flaps %" PRIu64
				       ", checker diagnostics %" PRIu64 "\n",
				       f->tx_aborts_injected, f->tx_latecol_retries, f->tx_aborts, f->tx_stalls, f->flaps,
				       f->diagnostics);
			printf("       resets %u, timeouts %u, refused %u, bad data %u, strays %u, leaked blocks %u, "
			       "challenge ACKs %" PRIu64 ", virtual %.1f h\n",
			       r.reset, r.timeout, r.refused, r.bad_data, r.stray, r.leaked, r.challenge_acks,
			       (double)r.virtual_ns * 1e-9 / 3600.0);
			if (!ok) {
				printf("       first failure: %s\n", r.first_failure);
				rc = 1;
			}
			fflush(stdout);
		}
	}
	printf("\nwall time %.1f s; %s\n", wall() - t_all, rc ? "FAILED" : "all connections passed");
	return rc;
}
