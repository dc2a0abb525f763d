/*
 * prng.c - seeded random streams for the simulator (see sim.h).
 *
 * xoshiro256** (Blackman and Vigna) seeded through splitmix64, as its
 * authors recommend. A stream's state is derived from the run seed and a
 * stream id (normally the FNV-1a hash of the consumer's name, e.g.
 * "link0/loss"), so every consumer owns an independent sequence: adding a
 * new consumer, or turning one knob on, never shifts anyone else's draws.
 */
#include "sim.h"

uint64_t sim_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint64_t sim_hash_name(const char *name)
{
	uint64_t h = 0xCBF29CE484222325ull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001B3ull;
	}
	return h;
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	/* Mix the stream id through its own splitmix round before combining,
	 * so nearby ids (0, 1, 2 ...) give unrelated states. */
	uint64_t st = stream;
	uint64_t x = seed ^ sim_splitmix64(&st);
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_splitmix64(&x);
	/* xoshiro must not start from all zeros (splitmix64 can't produce four
	 * zeros in a row, but keep the invariant explicit). */
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

void sim_rng_stream(const struct sim *s, struct sim_rng *r, const char *name)
{
	sim_rng_seed(r, s->seed, sim_hash_name(name));
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Lemire's multiply-shift with rejection: unbiased for every n. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	if (n == 0)
		return 0;
	unsigned __int128 m = (unsigned __int128)sim_rng_next(r) * n;
	uint64_t lo = (uint64_t)m;
	if (lo < n) {
		uint64_t threshold = (0 - n) % n;
		while (lo < threshold) {
			m = (unsigned __int128)sim_rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

bool sim_rng_ppm(struct sim_rng *r, uint32_t ppm)
{
	if (ppm == 0)
		return false;
	if (ppm >= 1000000u)
		return true;
	return sim_rng_below(r, 1000000u) < ppm;
}
