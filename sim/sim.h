/*
 * sim.h - the discrete-event kernel: a virtual nanosecond clock, an event
 * queue, cancellable timers and seeded random streams.
 *
 * Everything that happens in a simulation is an event at a virtual time.
 * The queue is a binary heap ordered by (time, insertion sequence), so events
 * due at the same nanosecond run in the order they were scheduled: a run is a
 * pure function of its inputs and its seed. The clock only jumps from one
 * event to the next, so a two-minute TIME-WAIT costs no wall time.
 *
 * Timers (struct sim_timer) are owned by their user and re-armed or cancelled
 * in O(log n) without searching the heap: every arm bumps a generation
 * counter and heap entries carrying an older generation are skipped when
 * they surface (and compacted away when they pile up).
 *
 * Random numbers come from named streams derived from the run seed
 * (splitmix64 seeding xoshiro256**). A consumer's stream depends only on the
 * seed and its own name, so adding a consumer never perturbs the others.
 *
 * No wall clock and no globals: all state lives in struct sim.
 *
 * Lifetime: the queue keeps pointers to timers (and to one-shot contexts)
 * until their entries surface, even after a cancel. Free a simulation's
 * users after sim_free(), or drain the queue first.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_NEVER UINT64_MAX

/* An event callback: ctx as given when scheduled, now = the event's time. */
typedef void (*sim_event_fn)(void *ctx, uint64_t now);

/* A re-armable timer. Zero-initialise with sim_timer_init(); owned by its
 * user (embed it in the user's struct). */
struct sim_timer {
	sim_event_fn fn;
	void *ctx;
	uint64_t when;   /* armed deadline; SIM_NEVER when idle */
	uint32_t gen;    /* bumped on every arm/cancel; stale heap entries skip */
};

struct sim_heap_entry {
	uint64_t when;
	uint64_t seq;
	sim_event_fn fn;       /* one-shot callback (timer == NULL) */
	void *ctx;
	struct sim_timer *timer;
	uint32_t gen;
};

struct sim {
	uint64_t now;
	uint64_t seed;
	uint64_t next_seq;
	struct sim_heap_entry *heap;
	size_t len;
	size_t cap;
	size_t stale;          /* heap entries known to be cancelled */
	bool alloc_failed;     /* the heap could not grow: an event was lost */
	/* Counters. */
	uint64_t events_run;
	uint64_t events_stale; /* cancelled entries skipped */
	uint64_t compactions;
};

/* ---- Kernel ---- */
/* Start at time 0 with the given run seed. initial_cap events are reserved
 * up front (0 = a small default); the heap doubles when full. */
int sim_init(struct sim *s, uint64_t seed, size_t initial_cap);
void sim_free(struct sim *s);
static inline uint64_t sim_now(const struct sim *s) { return s->now; }

/* Schedule a one-shot callback at absolute time `when` (clamped to now).
 * Returns 0, or -1 if the queue could not grow. */
int sim_at(struct sim *s, uint64_t when, sim_event_fn fn, void *ctx);
/* Same, `delay` nanoseconds from now. */
int sim_after(struct sim *s, uint64_t delay, sim_event_fn fn, void *ctx);

/* Timers. */
void sim_timer_init(struct sim_timer *t, sim_event_fn fn, void *ctx);
/* (Re-)arm at absolute time `when` (clamped to now); a previous arming is
 * cancelled. Arming again at the same deadline keeps its queue position. */
int sim_timer_arm(struct sim *s, struct sim_timer *t, uint64_t when);
void sim_timer_cancel(struct sim *s, struct sim_timer *t);
static inline bool sim_timer_armed(const struct sim_timer *t) { return t->when != SIM_NEVER; }

/* Time of the next live event, or SIM_NEVER. */
uint64_t sim_next_event(struct sim *s);

/* Run every event due at or before `until`, then set the clock to `until`
 * (never backwards). At most `budget` events run (0 = unlimited). Returns
 * the number of events run. */
uint64_t sim_run_until(struct sim *s, uint64_t until, uint64_t budget);

enum sim_idle_result {
	SIM_IDLE = 0,        /* the queue emptied */
	SIM_BUDGET_SPENT,    /* `budget` events ran and more are queued */
	SIM_DEADLINE,        /* the next event lies beyond `limit` */
};
/* Run until nothing is queued, at most `budget` events (0 = unlimited) and
 * never past virtual time `limit` (SIM_NEVER = no limit). */
enum sim_idle_result sim_run_until_idle(struct sim *s, uint64_t limit, uint64_t budget);

/* ---- Random streams (prng.c) ---- */
struct sim_rng {
	uint64_t s[4];
};

/* splitmix64 step: the seeding generator. */
uint64_t sim_splitmix64(uint64_t *state);
/* A stream from a seed and a stream id. */
void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream);
/* A stream named `name` (FNV-1a of the name is the stream id) of the run. */
void sim_rng_stream(const struct sim *s, struct sim_rng *r, const char *name);
/* xoshiro256** next value. */
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, n), unbiased (Lemire); n == 0 returns 0. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);
/* True with probability ppm / 1,000,000. 0 never draws (so a knob at 0
 * leaves the stream untouched), >= 1,000,000 always true. */
bool sim_rng_ppm(struct sim_rng *r, uint32_t ppm);
/* FNV-1a 64 of a string, used to name streams. */
uint64_t sim_hash_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* SIM_SIM_H */
