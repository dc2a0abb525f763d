/*
 * wire.h - byte-order helpers and the Internet checksum, shared by every
 * codec in core/wire/. Codecs use named offsets and these helpers, never
 * packed structs (unaligned access faults on Cortex-M0 and trips UBSan).
 */
#ifndef WIRE_WIRE_H
#define WIRE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every parse function. */
enum wire_err {
	WIRE_OK = 0,
	WIRE_ERR_TRUNCATED = -1, /* buffer shorter than the header says */
	WIRE_ERR_MALFORMED = -2, /* a field is impossible (length, version...) */
	WIRE_ERR_CHECKSUM = -3,  /* checksum does not verify */
	WIRE_ERR_UNSUPPORTED = -4, /* valid but not something we handle */
};

/* The casts to unsigned matter on AVR: int is 16 bits there, and a uint8_t
 * promotes to (signed) int, so p[0] << 8 would overflow for p[0] >= 0x80. */
static inline uint16_t wire_get16(const uint8_t *p) { return (uint16_t)(((unsigned)p[0] << 8) | p[1]); }
static inline uint32_t wire_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's-complement sum, continued over several calls (RFC 1071). Feed bytes
 * in order; `odd` tracks whether the previous chunk ended mid-word. */
struct wire_csum {
	uint32_t sum;
	uint8_t odd;
};
void wire_csum_init(struct wire_csum *c);
void wire_csum_add(struct wire_csum *c, const uint8_t *p, size_t n);
void wire_csum_add16(struct wire_csum *c, uint16_t v); /* as two bytes, at any offset */
uint16_t wire_csum_fold(const struct wire_csum *c);  /* final ~sum, big-endian value */
/* Checksum of a single buffer. */
uint16_t wire_checksum(const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* WIRE_WIRE_H */
