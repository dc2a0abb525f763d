/*
 * tcp_seq.h - wrap-safe sequence-number arithmetic (RFC 9293 §3.4; RFC 1982
 * style). Every comparison of sequence or acknowledgment numbers in the stack
 * goes through these helpers (STYLE 12): a plain `<` on uint32_t breaks when
 * the ISN sits just below 2^32, which is exactly what the tests force.
 */
#ifndef CORE_TCP_SEQ_H
#define CORE_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Signed distance a - b, valid while |a - b| < 2^31. The conversion of an
 * out-of-range uint32_t to int32_t is implementation-defined in C11; every
 * supported compiler (gcc, avr-gcc, arm-none-eabi-gcc) takes it modulo 2^32. */
static inline int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }
static inline bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }
/* lo <= x < lo + wnd, modulo 2^32 (false for wnd == 0). */
static inline bool seq_in_window(uint32_t x, uint32_t lo, uint32_t wnd) { return (uint32_t)(x - lo) < wnd; }
/* lo < x <= hi, modulo 2^32 (the SYN-SENT / SYN-RECEIVED ACK test). */
static inline bool seq_in_range_open_closed(uint32_t x, uint32_t lo, uint32_t hi)
{
	return seq_gt(x, lo) && seq_le(x, hi);
}
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }

#ifdef __cplusplus
}
#endif
#endif /* CORE_TCP_SEQ_H */
