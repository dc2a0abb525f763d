/*
 * kernel.c - the event queue and the virtual clock (see sim.h).
 *
 * A binary min-heap of (when, seq) keys. seq is a run-wide insertion counter,
 * so ties on `when` break FIFO and two runs with the same inputs execute the
 * same events in the same order. Timers are re-armed by pushing a new entry
 * with a new generation; the old entry stays in the heap and is skipped when
 * it reaches the top. When stale entries outnumber live ones the heap is
 * compacted in one linear pass plus a heapify, so a timer re-armed on every
 * pass of a busy loop never grows the queue without bound.
 *
 * The heap grows by doubling (realloc); a simulation sized by initial_cap
 * never allocates while it runs.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_CAP 64u
#define COMPACT_MIN 256u

static bool key_less(const struct sim_heap_entry *a, const struct sim_heap_entry *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void sift_up(struct sim_heap_entry *h, size_t i)
{
	struct sim_heap_entry e = h[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!key_less(&e, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

static void sift_down(struct sim_heap_entry *h, size_t len, size_t i)
{
	struct sim_heap_entry e = h[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= len)
			break;
		if (c + 1 < len && key_less(&h[c + 1], &h[c]))
			c++;
		if (!key_less(&h[c], &e))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

static bool entry_stale(const struct sim_heap_entry *e)
{
	return e->timer != NULL && (e->timer->gen != e->gen || e->timer->when != e->when);
}

/* Drop every stale entry and rebuild the heap. Order among live entries is
 * fully determined by their (when, seq) keys, so this changes nothing
 * observable. */
static void compact(struct sim *s)
{
	size_t j = 0;
	for (size_t i = 0; i < s->len; i++)
		if (!entry_stale(&s->heap[i]))
			s->heap[j++] = s->heap[i];
	s->len = j;
	s->stale = 0;
	for (size_t i = j / 2; i-- > 0;)
		sift_down(s->heap, s->len, i);
	s->compactions++;
}

static int grow(struct sim *s)
{
	if (s->stale > COMPACT_MIN / 2 && s->stale * 2 >= s->len) {
		compact(s);
		if (s->len < s->cap)
			return 0;
	}
	size_t ncap = s->cap ? s->cap * 2 : DEFAULT_CAP;
	struct sim_heap_entry *nh = realloc(s->heap, ncap * sizeof *nh);
	if (nh == NULL) {
		s->alloc_failed = true;
		return -1;
	}
	s->heap = nh;
	s->cap = ncap;
	return 0;
}

static int push(struct sim *s, uint64_t when, sim_event_fn fn, void *ctx, struct sim_timer *t)
{
	if (s->len == s->cap && grow(s) != 0)
		return -1;
	struct sim_heap_entry *e = &s->heap[s->len];
	e->when = when < s->now ? s->now : when;
	e->seq = s->next_seq++;
	e->fn = fn;
	e->ctx = ctx;
	e->timer = t;
	e->gen = t ? t->gen : 0;
	sift_up(s->heap, s->len++);
	return 0;
}

static void pop(struct sim *s)
{
	s->heap[0] = s->heap[--s->len];
	if (s->len > 0)
		sift_down(s->heap, s->len, 0);
}

/* Remove stale entries from the top; afterwards heap[0] (if any) is live. */
static void skim(struct sim *s)
{
	while (s->len > 0 && entry_stale(&s->heap[0])) {
		pop(s);
		if (s->stale > 0)
			s->stale--;
		s->events_stale++;
	}
}

int sim_init(struct sim *s, uint64_t seed, size_t initial_cap)
{
	memset(s, 0, sizeof *s);
	s->seed = seed;
	s->cap = initial_cap ? initial_cap : DEFAULT_CAP;
	s->heap = malloc(s->cap * sizeof *s->heap);
	if (s->heap == NULL) {
		s->cap = 0;
		return -1;
	}
	return 0;
}

void sim_free(struct sim *s)
{
	free(s->heap);
	s->heap = NULL;
	s->len = s->cap = 0;
}

int sim_at(struct sim *s, uint64_t when, sim_event_fn fn, void *ctx)
{
	return push(s, when, fn, ctx, NULL);
}

int sim_after(struct sim *s, uint64_t delay, sim_event_fn fn, void *ctx)
{
	uint64_t when = delay > SIM_NEVER - s->now ? SIM_NEVER : s->now + delay;
	return push(s, when, fn, ctx, NULL);
}

void sim_timer_init(struct sim_timer *t, sim_event_fn fn, void *ctx)
{
	t->fn = fn;
	t->ctx = ctx;
	t->when = SIM_NEVER;
	t->gen = 0;
}

int sim_timer_arm(struct sim *s, struct sim_timer *t, uint64_t when)
{
	if (when < s->now)
		when = s->now;
	if (t->when == when)
		return 0; /* already queued at this deadline: keep its place */
	if (t->when != SIM_NEVER)
		s->stale++;
	t->gen++;
	t->when = when;
	if (when == SIM_NEVER)
		return 0;
	if (push(s, when, NULL, NULL, t) != 0) {
		t->when = SIM_NEVER;
		return -1;
	}
	return 0;
}

void sim_timer_cancel(struct sim *s, struct sim_timer *t)
{
	if (t->when == SIM_NEVER)
		return;
	t->gen++;
	t->when = SIM_NEVER;
	s->stale++;
}

uint64_t sim_next_event(struct sim *s)
{
	skim(s);
	return s->len ? s->heap[0].when : SIM_NEVER;
}

/* Pop and run the top entry (which skim() has made live). */
static void run_top(struct sim *s)
{
	struct sim_heap_entry e = s->heap[0];
	pop(s);
	s->now = e.when;
	s->events_run++;
	if (e.timer) {
		struct sim_timer *t = e.timer;
		t->when = SIM_NEVER; /* fired: the callback may re-arm */
		t->fn(t->ctx, e.when);
	} else {
		e.fn(e.ctx, e.when);
	}
}

uint64_t sim_run_until(struct sim *s, uint64_t until, uint64_t budget)
{
	uint64_t n = 0;
	for (;;) {
		skim(s);
		if (s->len == 0 || s->heap[0].when > until)
			break;
		if (budget && n >= budget)
			return n;
		run_top(s);
		n++;
	}
	if (until != SIM_NEVER && until > s->now)
		s->now = until;
	return n;
}

enum sim_idle_result sim_run_until_idle(struct sim *s, uint64_t limit, uint64_t budget)
{
	uint64_t n = 0;
	for (;;) {
		skim(s);
		if (s->len == 0)
			return SIM_IDLE;
		if (s->heap[0].when > limit)
			return SIM_DEADLINE;
		if (budget && n >= budget)
			return SIM_BUDGET_SPENT;
		run_top(s);
		n++;
	}
}
