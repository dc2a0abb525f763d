/*
 * wire.c - the Internet checksum (RFC 1071) for every codec in core/wire/.
 *
 * The sum is kept in 32 bits and carries are folded back in at the end
 * (RFC 1071 §4.1 "deferred carries"); the loop also folds whenever the top
 * bit is set, so any amount of data can be fed. Data may arrive in chunks of
 * any length: `odd` remembers that the last chunk ended after the high byte
 * of a 16-bit word, and the next chunk's first byte becomes its low byte.
 * Callers: ipv4.c (header), icmp.c, udp.c and tcp.c (with the pseudo-header
 * from ipv4_pseudo_csum()), and the driver/conformance code for whole frames.
 */
#include "wire.h"

/* Folds carries above bit 15 back in; the result fits in 17 bits. */
__attribute__((noinline)) static uint32_t fold_once(uint32_t s)
{
	return (s & 0xFFFFu) + (s >> 16);
}

void wire_csum_init(struct wire_csum *c)
{
	c->sum = 0;
	c->odd = 0;
}

/* Adds n bytes that follow whatever was added before. */
void wire_csum_add(struct wire_csum *c, const uint8_t *p, size_t n)
{
	uint32_t s = c->sum;

	if (n == 0)
		return;
	if (c->odd) {
		s += p[0]; /* low byte of the word the previous chunk began */
		p++;
		n--;
		c->odd = 0;
	}
	while (n >= 2) {
		s += wire_get16(p);
		if (s & 0x80000000u)
			s = fold_once(s);
		p += 2;
		n -= 2;
	}
	if (n) {
		s += (uint16_t)((unsigned)p[0] << 8); /* a 16-bit add on AVR */
		c->odd = 1;
	}
	c->sum = fold_once(s);
}

/* Adds v as its two big-endian bytes. At an odd offset the bytes straddle
 * two words, which in one's-complement arithmetic is the same as adding v
 * byte-swapped (RFC 1071 §2(B), byte-order independence). */
void wire_csum_add16(struct wire_csum *c, uint16_t v)
{
	if (c->odd)
		v = (uint16_t)((unsigned)(v >> 8) | ((unsigned)(v & 0xFFu) << 8));
	c->sum = fold_once(c->sum + v);
}

/* Returns the value for the checksum field (write it with wire_put16). Over
 * data that includes a correct checksum field it returns 0. */
uint16_t wire_csum_fold(const struct wire_csum *c)
{
	uint32_t s = fold_once(c->sum);

	s = fold_once(s);
	return (uint16_t)~s;
}

/* One-shot checksum of p[0..n). */
uint16_t wire_checksum(const uint8_t *p, size_t n)
{
	struct wire_csum c;

	wire_csum_init(&c);
	wire_csum_add(&c, p, n);
	return wire_csum_fold(&c);
}
