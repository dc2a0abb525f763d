/*
 * link.h - an Ethernet segment joining two or more ports.
 *
 * A port is anything that can take a frame: a board (its chip model's wire
 * RX), and later a libslirp peer, a TAP device or the conformance engine.
 * Each port supplies one callback, deliver(ctx, frame, len, now), and sends
 * with sim_link_send(). Frames on the link carry their 4-byte FCS; endpoints
 * that have none use sim_link_send_nofcs() and sim_frame_fcs_ok().
 *
 * Semantics: a hub. Every frame goes to every other port; the receiving
 * chip's filters drop what isn't theirs. Time at 10 Mbit/s (800 ns a byte
 * plus 20 bytes of preamble, SFD and inter-frame gap):
 *   - a port never has two frames on the wire at once: a frame offered while
 *     the previous one is still going out starts when it ends (tx_deferred);
 *   - a receiver takes one frame at a time: a frame that would overlap the
 *     previous arrival at that port completes one frame time after it
 *     (rx_deferred). Collisions are not modelled (a switched full-duplex
 *     segment, which is how ENC28J60 boards are normally run).
 *   - arrival = end of transmission + latency.
 *
 * Impairments, drawn per (frame, receiver) from the run seed, each from its
 * own random stream, rates in parts per million:
 *   loss       the frame never arrives;
 *   duplicate  it arrives twice, the copy one frame time later;
 *   reorder    it is held back by reorder_delay_ns so later frames overtake;
 *   corrupt    one byte is XORed with a non-zero value: the receiver's FCS
 *              check catches it.
 * Every impairment has a counter.
 *
 * Taps (e.g. the pcap writer) see every frame once, as sent, stamped with
 * the time its first bit went on the wire. A frame offered ahead of time
 * is tapped at that time; a frame a chip model hands over once its last
 * bit has left is tapped then, with its true start: two ports talking at
 * once (full duplex) may give stamps that step back by less than a frame.
 */
#ifndef SIM_LINK_H
#define SIM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_LINK_MAX_PORTS 8u
#define SIM_LINK_MAX_TAPS 4u
#define SIM_LINK_MAX_FRAME 1536u     /* 1518 + slack; longer frames are dropped */
#define SIM_LINK_NS_PER_BYTE 800u    /* 10 Mbit/s */
#define SIM_LINK_OVERHEAD_BYTES 20u  /* preamble + SFD (8) + IFG (12) */

typedef void (*sim_deliver_fn)(void *ctx, const uint8_t *frame, size_t len, uint64_t now);
typedef void (*sim_tap_fn)(void *ctx, const uint8_t *frame, size_t len, uint64_t start, unsigned port);

struct sim_link_config {
	uint64_t latency_ns;        /* propagation + PHY latency; default 0 */
	uint32_t loss_ppm;
	uint32_t dup_ppm;
	uint32_t reorder_ppm;
	uint32_t corrupt_ppm;
	uint64_t reorder_delay_ns;  /* 0 = three maximum-size frame times */
	unsigned slots;             /* frames in flight; 0 = 256 */
	const char *name;           /* names the random streams; NULL = "link" */
};

struct sim_link_stats {
	uint64_t frames_sent;       /* offered by ports */
	uint64_t frames_delivered;  /* handed to a receiver (duplicates too) */
	uint64_t bytes_sent;
	uint64_t dropped_loss;
	uint64_t duplicated;
	uint64_t reordered;
	uint64_t corrupted;
	uint64_t dropped_oversize;  /* longer than SIM_LINK_MAX_FRAME */
	uint64_t dropped_no_slot;   /* more frames in flight than slots */
	uint64_t tx_deferred;       /* a port's frame waited for its previous one */
	uint64_t rx_deferred;       /* a receiver was still taking a frame */
};

struct sim_port {
	struct sim_link *link;
	unsigned index;
	sim_deliver_fn deliver;
	void *ctx;
	uint64_t tx_free;           /* when this port's transmitter is idle */
	uint64_t rx_free;           /* when this port's receiver is idle */
	uint64_t tx_frames;
	uint64_t rx_frames;
};

struct sim_link_slot;

struct sim_link {
	struct sim *sim;
	struct sim_link_config cfg;
	struct sim_port ports[SIM_LINK_MAX_PORTS];
	unsigned nports;
	struct {
		sim_tap_fn fn;
		void *ctx;
	} taps[SIM_LINK_MAX_TAPS];
	unsigned ntaps;
	struct sim_rng rng_loss, rng_dup, rng_reorder, rng_corrupt;
	struct sim_link_slot *slots;
	struct sim_link_slot *free_slots;
	struct sim_link_stats stats;
};

/* Set up a link on simulation s. Allocates the frame slots (setup time).
 * Returns 0 or -1 (out of memory). */
int sim_link_init(struct sim_link *l, struct sim *s, const struct sim_link_config *cfg);
void sim_link_free(struct sim_link *l);

/* Attach a port. Returns it, or NULL when SIM_LINK_MAX_PORTS are in use. */
struct sim_port *sim_link_attach(struct sim_link *l, sim_deliver_fn deliver, void *ctx);
/* Add a tap; returns 0 or -1 when SIM_LINK_MAX_TAPS are in use. */
int sim_link_add_tap(struct sim_link *l, sim_tap_fn fn, void *ctx);

/* Offer a frame (with FCS) from port p. start is when its first bit goes
 * out, end when its last bit has left (end <= start: computed from len at
 * 10 Mbit/s). start may lie in the past (a chip model reports a frame when
 * it has left, end = now): the frame then arrives at end + latency. A frame
 * that would have ended before the link's clock is moved to end now, and
 * one that overlaps the port's previous frame waits for it. The frame is
 * copied; the caller keeps its buffer. */
void sim_link_send(struct sim_port *p, const uint8_t *frame, size_t len, uint64_t start, uint64_t end);

/* For endpoints that deal in frames without FCS (a libslirp peer, a TAP
 * device, the conformance engine): append the IEEE 802.3 FCS, then send as
 * above. len + 4 must not exceed SIM_LINK_MAX_FRAME (else dropped_oversize). */
void sim_link_send_nofcs(struct sim_port *p, const uint8_t *frame, size_t len, uint64_t start);
/* True when the last 4 bytes of frame are its correct FCS. */
bool sim_frame_fcs_ok(const uint8_t *frame, size_t len);

/* Wire time of a frame of len bytes (with FCS), without the overhead. */
static inline uint64_t sim_link_wire_ns(size_t len) { return (uint64_t)len * SIM_LINK_NS_PER_BYTE; }

#ifdef __cplusplus
}
#endif
#endif /* SIM_LINK_H */
