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

/* Virtual or real time in nanoseconds, as passed into stack entry points.
 * UINT64_MAX means "no deadline". */
typedef uint64_t net_time_t;
#define NET_TIME_NEVER UINT64_MAX
#define NET_US(x) ((net_time_t)(x) * 1000u)
#define NET_MS(x) ((net_time_t)(x) * 1000000u)
#define NET_S(x) ((net_time_t)(x) * 1000000000u)

#ifdef __cplusplus
}
#endif
#endif /* CORE_NET_TIME_H */
