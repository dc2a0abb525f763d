/*
 * net_time.h - time as the stack takes it: nanoseconds, passed into every
 * stack entry point (net_init, net_poll) by the caller, never read from a
 * clock (STYLE 4).
 *
 * The stack's own header, so that core/net/ builds without the driver's
 * folder (the stack sees the driver only through netdev.h). hal.h, the
 * contract between the driver and its homes, repeats these definitions
 * word for word, so the homes and the board ABI (sim/synack_board.h) have
 * them without the stack. A file that includes both gets each definition
 * twice, which C11 allows only when the two are the same (6.7p3 for the
 * typedef, 6.10.3p2 for the macros): the compiler checks they agree there,
 * as in sim/node.h and tests/cxx/public_headers.cpp.
 */
#ifndef CORE_NET_TIME_H
#define CORE_NET_TIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Time as passed into stack entry points. By default nanoseconds in 64
 * bits, where UINT64_MAX means "no deadline". NET_TIME_BITS 32 (the AVR
 * default: every 64-bit operation there is a libgcc call) makes it
 * microseconds in 32 bits that wrap every 71.6 minutes: times are then
 * compared wrap-safe (NET_TIME_BEFORE), the caller must pass a new time
 * at least that often, and net_poll() asks for that itself (it returns
 * a deadline at most NET_TIME_MAX_MS ahead, never NET_TIME_NEVER). */
#ifndef NET_TIME_BITS
#if defined(__AVR__)
#define NET_TIME_BITS 32
#else
#define NET_TIME_BITS 64
#endif
#endif
#if NET_TIME_BITS == 32
typedef uint32_t net_time_t;
#define NET_TIME_NEVER UINT32_MAX
#define NET_US(x) ((net_time_t)(x))
#define NET_MS(x) ((net_time_t)(x) * 1000u)
#define NET_S(x) ((net_time_t)(x) * 1000000u)
#define NET_TIME_BEFORE(a, b) ((int32_t)((net_time_t)(a) - (net_time_t)(b)) < 0)
#define NET_TIME_MAX_MS 1800000u /* 30 min, half the wrap and some */
#elif NET_TIME_BITS == 64
typedef uint64_t net_time_t;
#define NET_TIME_NEVER UINT64_MAX
#define NET_US(x) ((net_time_t)(x) * 1000u)
#define NET_MS(x) ((net_time_t)(x) * 1000000u)
#define NET_S(x) ((net_time_t)(x) * 1000000000u)
#define NET_TIME_BEFORE(a, b) ((net_time_t)(a) < (net_time_t)(b))
#else
#error "NET_TIME_BITS must be 32 or 64"
#endif

#ifdef __cplusplus
}
#endif
#endif /* CORE_NET_TIME_H */
