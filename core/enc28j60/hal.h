/*
 * hal.h - the hardware abstraction contract between core/ and its three
 * homes: the simulator (sim/board.c wires these calls to the chip model),
 * the AVR image (SPI registers) and the STM32 image (SPI1).
 *
 * The driver only speaks SPI through struct enc_spi_hal. Nothing in core/
 * reads a clock: a busy wait is asked of the HAL (delay_us), and the stack's
 * entry points take the current time as an argument. That time type is the
 * stack's (core/net/net_time.h), repeated below word for word so that the
 * homes and the board ABI have it without including the stack; C11 lets a
 * file include both only while the two agree (see net_time.h).
 *
 * On the host, each SPI byte and each delay advances the board's virtual
 * time, so a polling loop in the driver costs exactly the simulated time it
 * would cost on silicon.
 */
#ifndef CORE_HAL_H
#define CORE_HAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct enc_spi_hal {
	/* Drive chip select low / high. Every SPI command is framed by one
	 * select/deselect pair. */
	void (*select)(void *ctx);
	void (*deselect)(void *ctx);
	/* Clock one byte out on MOSI and return the byte clocked in on MISO. */
	uint8_t (*xfer)(void *ctx, uint8_t out);
	/* Optional bursts (NULL = the driver loops over xfer). read_burst clocks
	 * out n filler bytes (0x00) and stores what comes back; write_burst
	 * discards what comes back. */
	void (*read_burst)(void *ctx, uint8_t *in, size_t n);
	void (*write_burst)(void *ctx, const uint8_t *out, size_t n);
	/* Busy-wait at least `us` microseconds. */
	void (*delay_us)(void *ctx, uint32_t us);
	void *ctx;
};

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
#endif /* CORE_HAL_H */
