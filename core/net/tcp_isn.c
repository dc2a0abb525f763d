/*
 * tcp_isn.c - initial sequence numbers and ephemeral ports (RFC 6528).
 *
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 *
 * with F = SipHash-2-4 keyed by cfg->isn_key (HalfSipHash-2-4 keyed by its
 * 8 bytes, NET_ISN_KEY_LEN, when NET_ISN_HALFSIPHASH, the AVR default; supplied by the HAL; in
 * simulation derived from the run's seed, so a seed reproduces a run) and
 * M a clock ticking every 4.096 us (now >> 12: a shift instead of a 64-bit
 * division by 4000, close to RFC 6528's 4 us); with 32-bit microseconds
 * (NET_TIME_BITS 32) every 4 us, from the milliseconds (whose 32 bits do
 * not wrap with the microseconds') and the microseconds since. Ephemeral ports are the same
 * keyed hash over the remote endpoint and an attempt counter, so they differ
 * after every reboot with a new key (cf. EthernetENC #56) and are not
 * guessable without the key. Tests can force an ISS through cfg->isn_hook.
 *
 * Called by tcp_in.c (passive open) and tcp.c (tcp_connect).
 */
#include "net_internal.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t get64le(const uint8_t *p)
{
	uint64_t v = 0;
	int8_t i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

/* SipHash-2-4 (Aumasson & Bernstein) of msg[0..len), len < 256. */
uint64_t net_siphash(const uint8_t key[16], const uint8_t *msg, uint8_t len)
{
	uint64_t k0 = get64le(key), k1 = get64le(key + 8), m, v[4];
	uint8_t i, left = len, tail[8] = {0};

	v[0] = k0 ^ 0x736f6d6570736575ull;
	v[1] = k1 ^ 0x646f72616e646f6dull;
	v[2] = k0 ^ 0x6c7967656e657261ull;
	v[3] = k1 ^ 0x7465646279746573ull;
	for (; left >= 8; left = (uint8_t)(left - 8), msg += 8) {
		m = get64le(msg);
		v[3] ^= m;
		sipround(v);
		sipround(v);
		v[0] ^= m;
	}
	for (i = 0; i < left; i++)
		tail[i] = msg[i];
	tail[7] = len;
	m = get64le(tail);
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Written for size, not speed (one hash per connection or port pick): a
 * rotate loop and one add-rotate-xor step called with its operands, rather
 * than four unrolled rounds of fixed rotates, which cost ~0.4 KB more on
 * an 8-bit AVR. */
static uint32_t rotl32(uint32_t x, uint8_t b)
{
	while (b--)
		x = (x << 1) | (x >> 31);
	return x;
}

/* One quarter of a HalfSipHash round: v[a] += v[b]; v[b] = ROTL(v[b], r)
 * ^ v[a]; v[a] = ROTL(v[a], ra). */
static NET_NOINLINE void arx(uint32_t v[4], uint8_t a, uint8_t b, uint8_t r, uint8_t ra)
{
	uint32_t x = v[a] + v[b];

	v[b] = rotl32(v[b], r) ^ x;
	v[a] = rotl32(x, ra);
}

static void hrounds(uint32_t v[4], uint8_t n)
{
	while (n--) {
		arx(v, 0, 1, 5, 16);
		arx(v, 2, 3, 8, 0);
		arx(v, 0, 3, 7, 0);
		arx(v, 2, 1, 13, 16);
	}
}

/* Little-endian word at p (key words and message blocks: one copy). */
static NET_NOINLINE uint32_t get32le(const uint8_t *p)
{
	uint32_t w = 0;
	uint8_t i;

	for (i = 4; i-- > 0;)
		w = (w << 8) | p[i];
	return w;
}

/* HalfSipHash-2-4 with a 32-bit result (Aumasson; 32-bit words, 64-bit
 * key): the same construction on 32-bit words, several times smaller and
 * faster on an 8-bit AVR than SipHash-2-4's 64-bit arithmetic. Selected by
 * NET_ISN_HALFSIPHASH (default on AVR). The message goes in as
 * little-endian words; the last one (possibly 0 bytes) carries len in its
 * top byte. */
uint32_t net_halfsiphash(const uint8_t key[8], const uint8_t *msg, uint8_t len)
{
	uint32_t k0 = get32le(key), k1 = get32le(key + 4), v[4], m;
	uint8_t off = 0, i, w[4];
	bool last;

	v[0] = k0;
	v[1] = k1;
	v[2] = k0 ^ 0x6c796765u;
	v[3] = k1 ^ 0x74656462u;
	do {
		last = (uint8_t)(len - off) < 4u;
		for (i = 0; i < 4; i++, off++)
			w[i] = off < len ? msg[off] : 0u;
		if (last)
			w[3] = (uint8_t)(w[3] | len);
		m = get32le(w);
		v[3] ^= m;
		hrounds(v, 2);
		v[0] ^= m;
	} while (!last);
	v[2] ^= 0xff;
	hrounds(v, 4);
	return v[1] ^ v[3];
}

/* The hash input: our address, remote address, ports, and a counter. */
static uint32_t hash_tuple(const struct net_stack *s, uint32_t rip, uint16_t lport, uint16_t rport, uint16_t extra)
{
	uint8_t m[14];

	wire_put32(m, s->cfg->ip);
	wire_put32(m + 4, rip);
	wire_put16(m + 8, lport);
	wire_put16(m + 10, rport);
	wire_put16(m + 12, extra);
#if NET_ISN_HALFSIPHASH
	return net_halfsiphash(s->cfg->isn_key, m, sizeof(m));
#else
	return (uint32_t)net_siphash(s->cfg->isn_key, m, sizeof(m));
#endif
}

uint32_t tcp_isn(struct net_stack *s, uint32_t rip, uint16_t lport, uint16_t rport)
{
	if (s->cfg->isn_hook)
		return s->cfg->isn_hook(s->cfg->isn_ctx, s->cfg->ip, lport, rip, rport);
#if NET_TIME_BITS == 32
	/* The same clock from the milliseconds (250 ticks of 4 us each, exact
	 * mod 2^32 where the microseconds wrap) and the microseconds since. */
	return hash_tuple(s, rip, lport, rport, 0) + s->ms * 250u + ((s->now - s->ms_base) >> 2);
#else
	return hash_tuple(s, rip, lport, rport, 0) + (uint32_t)(s->now >> 12);
#endif
}

/* A port in 49152..65535 (RFC 6335 dynamic range) not used towards this
 * remote endpoint nor listening; 0 if eight keyed guesses all collide. */
uint16_t tcp_ephemeral_port(struct net_stack *s, uint32_t rip, uint16_t rport)
{
	uint16_t last = (uint16_t)(s->port_seq + 8u); /* eight tries: the counter is the loop's */

	while (s->port_seq != last) {
		uint16_t p = (uint16_t)(0xC000u | ((uint16_t)hash_tuple(s, rip, 0, rport, ++s->port_seq) & 0x3FFFu));

		if (!tcp_pcb_find(s, rip, p, rport) && !tcp_listener_find(s, p))
			return p;
	}
	return 0;
}
