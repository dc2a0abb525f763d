/*
 * soak.h - many TCP connections between two of our stacks (sim/node.h) on
 * an impaired link, each checked end to end: the soak behind bench/soak
 * and sim/tests/test_soak.c.
 *
 * Node A (10.0.0.1) opens `connections` connections to node B (10.0.0.2),
 * one after another. Each carries a random number of bytes (0..max_bytes)
 * each way, generated from the run seed and the connection number; each
 * side hashes what it receives (FNV-1a 64) and the hash and length must
 * match what the other side sent. Who closes first is drawn per connection
 * (A, B, or both as soon as their data is queued). The link loses,
 * duplicates, reorders and corrupts frames, each at impair_ppm; with
 * chip_faults every ENC28J60 erratum switch is on, the chips run half
 * duplex (erratum 13's false late collisions need it), and the models
 * inject receive overflows, receive FCS errors and late collisions at
 * fault_ppm plus armed transmit aborts, transmit stalls and link flaps.
 *
 * A connection passes when both applications see TCP_EV_CLOSED and both
 * directions' bytes arrived intact. It is wedged if it has not reached a
 * final event (CLOSED, RESET, REFUSED, TIMEOUT) on both sides within
 * bound_ns, derived from the stack configuration (soak.c). At the end
 * every connection block must be free again within release_bound_ns of
 * the last final event, and every frame lost must be one the link or a
 * chip model was told to lose (the frame accounting in struct soak_result).
 */
#ifndef SIM_SOAK_H
#define SIM_SOAK_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct soak_config {
	uint64_t seed;
	uint32_t connections;
	uint32_t impair_ppm;  /* loss, duplication, reordering and corruption, each */
	uint32_t max_bytes;   /* per direction; 0 = 3000 */
	bool chip_faults;     /* every erratum switch and fault injection on */
	uint32_t fault_ppm;   /* seeded chip faults when chip_faults; 0 = 10000 */
	/* Overrides of the derived TIME-WAIT / FIN-WAIT-2 (0 = derived, soak.c):
	 * to show what a shorter one does (a late FIN draws a RST). */
	uint32_t time_wait_ms, fin_wait2_ms;
	const char *pcap_path; /* capture the link there; NULL = none */
	uint32_t stop_after;  /* debugging: stop after the first failure if nonzero */
};

struct soak_frames {
	/* Offered and received. */
	uint64_t sent;          /* frames the chips put on the link */
	uint64_t duplicated;    /* extra copies the link made */
	uint64_t received;      /* frames the stacks received (eth.rx) */
	/* Lost, by the injection that explains them. */
	uint64_t link_lost;     /* link: loss */
	uint64_t link_corrupt;  /* link: corrupted copies (the chip's FCS check drops them) */
	uint64_t chip_crc_injected; /* chip: FCS faults injected */
	uint64_t chip_crc_drops;    /* chip: frames dropped on a bad FCS */
	uint64_t chip_overflow; /* chip: injected receive overflow */
	uint64_t chip_link_down; /* chip: arrived while an injected flap held the link down */
	/* Lost without an injection (each must be 0). */
	uint64_t unexplained;   /* ring full, filter, runt, too long, no link slot, driver refusals */
	/* Transmit side. */
	uint64_t tx_aborts_injected; /* armed aborts + false late collisions the chips raised */
	uint64_t tx_latecol_retries; /* driver retransmissions (erratum 13) */
	uint64_t tx_aborts;     /* frames the drivers gave up on (never on the link) */
	uint64_t tx_stalls;     /* stuck transmissions recovered with TXRST */
	uint64_t flaps;         /* link flaps injected */
	uint64_t diagnostics;   /* datasheet/errata checker findings (must be 0) */
	bool balanced;          /* sent + duplicated - received == every injected loss, crc drops explained */
};

struct soak_result {
	uint32_t started, passed, wedged;
	uint32_t reset, timeout, refused, bad_data, stray;
	uint64_t bytes;           /* payload bytes verified, both directions */
	uint64_t retransmits;     /* tcp.retransmits, both stacks */
	uint64_t challenge_acks;
	uint64_t worst_ns;        /* connect to both final events, worst connection */
	uint64_t bound_ns;        /* the wedge bound (soak.c derives it) */
	uint64_t release_ns;      /* last final event to every block free */
	uint64_t release_bound_ns;
	unsigned leaked;          /* blocks in a state other than TIME-WAIT after a connection's final
				   * events, or still in use after release_bound_ns */
	uint64_t virtual_ns;
	struct soak_frames frames;
	char first_failure[256];
};

/* The stack configuration the soak uses and the bounds it implies, so the
 * bench and the test print the same derivation. */
struct soak_bounds {
	uint32_t rto_initial_ms, rto_max_ms, retries;
	uint32_t stall_ms;        /* G: longest a side waits without progress before it gives up */
	uint32_t time_wait_ms, fin_wait2_ms;
	uint64_t bound_ms, release_bound_ms;
};
void soak_bounds(struct soak_bounds *b);

/* Run one soak. Returns true when every connection passed, no block
 * leaked and the frame accounting balanced. */
bool soak_run(const struct soak_config *cfg, struct soak_result *r);

#ifdef __cplusplus
}
#endif
#endif /* SIM_SOAK_H */
