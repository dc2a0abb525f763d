/*
 * shrink.c - make a diverging scenario small.
 *
 * A candidate is kept when the pair still diverges (an unexplained
 * difference, compare.c). In order, each pass until nothing changes or
 * the budget is spent:
 *   1. cut every step after the one the divergence follows; shorten each
 *      time jump to the plain gap (what makes a real-time run long);
 *   2. drop steps, last first (an earlier step dropped re-resolves the
 *      numbers of the later ones: they stay on their edges, gen.c);
 *   3. move numbers towards the edges: offsets to 0, then a far edge to
 *      the near one (RCV.NXT, SND.NXT); payloads to 1 byte; windows to
 *      65535; time jumps to the plain 0.3 s gap.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"

struct budget {
	const struct dconfig *c;
	unsigned used, max;
	uint64_t spent_ns; /* scripted time run on a real-time DUT */
};

/* On a real-time DUT every run takes its scripted time: a divergence in
 * a 66 s scenario would keep its worker (and the campaign's in-order
 * record) half an hour at 30 runs. The shrinker stops once this much
 * scripted time is spent; the steps after the divergence and the time
 * jumps go first, so most runs after the first few are short. */
#define SHRINK_REALTIME_NS 240000000000ull

static bool diverges(struct budget *b, const struct dscen *sc, size_t *epoch)
{
	if (b->used >= b->max || b->spent_ns >= SHRINK_REALTIME_NS)
		return false;
	b->used++;
	if (!b->c->a->virtual_time || !b->c->b->virtual_time)
		b->spent_ns += diff_end_time(sc);
	struct dtrace *ta = malloc(sizeof *ta), *tb = malloc(sizeof *tb);
	bool d = false;
	if (ta != NULL && tb != NULL) {
		struct dcompare cmp;
		diff_one(b->c, sc, ta, tb, &cmp);
		d = cmp.v == DV_DIVERGED;
		if (d && epoch != NULL)
			*epoch = cmp.epoch;
	}
	free(ta);
	free(tb);
	return d;
}

static bool try_step(struct budget *b, struct dscen *sc, size_t i, const struct dstep *cand)
{
	struct dscen t = *sc;
	t.s[i] = *cand;
	if (!diverges(b, &t, NULL))
		return false;
	*sc = t;
	return true;
}

unsigned diff_shrink(const struct dconfig *c, struct dscen *sc, unsigned max_tries)
{
	struct budget b = {c, 0, max_tries, 0};
	size_t ep = 0;
	if (!diverges(&b, sc, &ep))
		return b.used;
	if (ep < sc->n) {
		struct dscen t = *sc;
		t.n = ep; /* epoch ep follows step ep-1 */
		if (diverges(&b, &t, NULL))
			*sc = t;
	}
	/* Time jumps first: on a real-time DUT every later try then runs
	 * in seconds instead of minutes. */
	for (size_t i = 0; i < sc->n && b.used < b.max; i++)
		if (sc->s[i].gap_ns > 300000000ull) {
			struct dstep s = sc->s[i];
			s.gap_ns = 300000000ull;
			try_step(&b, sc, i, &s);
		}
	bool changed = true;
	while (changed && b.used < b.max) {
		changed = false;
		for (size_t i = sc->n; i-- > 0 && b.used < b.max;) {
			struct dscen t = *sc;
			memmove(&t.s[i], &t.s[i + 1], (t.n - i - 1) * sizeof t.s[0]);
			t.n--;
			if (diverges(&b, &t, NULL)) {
				*sc = t;
				changed = true;
			}
		}
		for (size_t i = 0; i < sc->n && b.used < b.max; i++) {
			struct dstep s = sc->s[i];
			if (s.kind == D_SEG && s.seq_off != 0) {
				s.seq_off = 0;
				changed |= try_step(&b, sc, i, &s);
				s = sc->s[i];
			}
			if (s.kind == D_SEG && s.ack_off != 0) {
				s.ack_off = 0;
				changed |= try_step(&b, sc, i, &s);
				s = sc->s[i];
			}
			if (s.kind == D_SEG && (s.seq_edge == E_RCV_FAR || s.seq_edge == E_RCV_OLD)) {
				s.seq_edge = E_RCV_NXT;
				changed |= try_step(&b, sc, i, &s);
				s = sc->s[i];
			}
			if (s.kind == D_SEG && s.ack_edge == E_SND_FAR) {
				s.ack_edge = E_SND_NXT;
				changed |= try_step(&b, sc, i, &s);
				s = sc->s[i];
			}
			if ((s.kind == D_SEG || s.kind == D_SEND) && s.len > 1) {
				s.len = 1;
				changed |= try_step(&b, sc, i, &s);
				s = sc->s[i];
			}
			if (s.kind == D_SEG && s.win != 65535) {
				s.win = 65535;
				changed |= try_step(&b, sc, i, &s);
				s = sc->s[i];
			}
			if (s.gap_ns > 300000000ull) {
				s.gap_ns = 300000000ull;
				changed |= try_step(&b, sc, i, &s);
			}
		}
	}
	return b.used;
}
