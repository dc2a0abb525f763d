/*
 * fuzz.h - what every harness in fuzz/ shares.
 *
 * A harness is one LLVMFuzzerTestOneInput() built twice: with libFuzzer
 * (the fuzz preset: clang, -fsanitize=fuzzer,address,undefined) and with
 * replay_main.c, a main() that feeds it every file of the corpus folders
 * it is given (the default and asan presets: one CTest test per harness).
 * A harness aborts through FUZZ_CHECK on any broken invariant, so both
 * libFuzzer and the replay test report it as a crash with the reason.
 */
#ifndef SYNACK_FUZZ_H
#define SYNACK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Reads the input front to back; past its end every read gives zeros, so
 * a decoder never needs to check lengths (and a short input ends soon:
 * fuzz_in_done() tells the caller to stop). */
struct fuzz_in {
	const uint8_t *p;
	size_t n, off;
};

static inline int fuzz_in_done(const struct fuzz_in *in)
{
	return in->off >= in->n;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return in->off < in->n ? in->p[in->off++] : 0;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);
	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t hi = fuzz_u16(in);
	return hi << 16 | fuzz_u16(in);
}

/* Up to n bytes, as many as are left; returns how many. */
static inline size_t fuzz_bytes(struct fuzz_in *in, const uint8_t **p, size_t n)
{
	size_t left = in->n - (in->off < in->n ? in->off : in->n);
	if (n > left)
		n = left;
	*p = in->p + in->off;
	in->off += n;
	return n;
}

#endif /* SYNACK_FUZZ_H */
