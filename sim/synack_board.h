/*
 * synack_board.h - the C ABI between synack and a user's firmware built as
 * a shared object, run with `synack run --dut board:PATH.so`.
 *
 *   synack (conformance/engine/dut_board.c)
 *     dlopen(PATH.so) -> synack_board_entry() -> struct synack_board_firmware
 *     per scenario: create(env) -> boot(now) -> run(now)... -> destroy()
 *                        |
 *     env->spi: struct enc_spi_hal (core/enc28j60/hal.h) wired to the ENC28J60 model
 *     on a simulated board (sim/board.h), in virtual time
 *
 * The firmware is the code that would run on the MCU: its ENC28J60 driver
 * talks to the chip only through env->spi (select, deselect, xfer, optional
 * bursts, delay_us), exactly as on silicon, and the chip model's checker
 * records every datasheet or errata rule the driver breaks (printed with
 * each script's result). Everything above the chip - ARP, IPv4, TCP - is the
 * firmware's own. It needs no synack library: this header and core/enc28j60/hal.h
 * are all it includes (both installed; `pkg-config --cflags synack`, or the
 * CMake target synack::headers).
 *
 * Time. Nothing reads a clock. boot() and run() receive the board's CPU
 * time in nanoseconds; every SPI byte (1 us at 8 MHz) and every delay_us()
 * advances it, so env->now() read later in the same call is later. run()
 * returns the absolute time it wants to be called again, or
 * SYNACK_BOARD_NEVER to sleep until the chip's INT line is asserted
 * (EIE.INTIE plus a source such as EIE.PKTIE). INT is level-triggered: a
 * pass that leaves it asserted is called again at once, so clear the source
 * (read the packets, PKTDEC, clear EIR flags) as on silicon.
 *
 * The application interface (struct synack_board_app) is optional. Without
 * it the firmware runs on its own (a server listening from boot, say) and
 * every script that performs an application action (listen, connect, send,
 * recv, close, abort) or expects an application event is reported
 * unsupported, with the reason; so is an action whose function pointer is
 * NULL, and a `state` line when tcp_state is NULL. The harness calls these
 * functions inside a firmware pass (the SPI bus is usable) and calls run()
 * right after each, so a function may just set a flag for the main loop.
 * They act on "the current connection": the one the last connect() opened or
 * the last accepted one. Results are 0 or a negative errno value; send()
 * and recv() return a byte count.
 *
 * Versioning. SYNACK_BOARD_ABI_VERSION changes whenever any struct below
 * changes layout or meaning; the harness refuses a firmware whose
 * abi_version differs from its own, and says which it speaks.
 *
 * Minimal firmware:
 *
 *   #include "synack_board.h"
 *   static void *create(const struct synack_board_env *env) { ... keep env ... }
 *   static void boot(void *fw, uint64_t now) { ... ENC28J60 init over env->spi ... }
 *   static uint64_t run(void *fw, uint64_t now) { ... poll; return SYNACK_BOARD_NEVER; }
 *   static void destroy(void *fw) { ... }
 *   static const struct synack_board_firmware FW = {
 *       SYNACK_BOARD_ABI_VERSION, "my-stack", create, boot, run, destroy, NULL, NULL};
 *   SYNACK_BOARD_EXPORT const struct synack_board_firmware *synack_board_entry(void) { return &FW; }
 */
#ifndef SYNACK_BOARD_H
#define SYNACK_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "hal.h"

#define SYNACK_BOARD_ABI_VERSION 1u
/* The one symbol the harness looks up (dlsym). */
#define SYNACK_BOARD_ENTRY_NAME "synack_board_entry"
#define SYNACK_BOARD_NEVER UINT64_MAX

/* Mark the entry point visible even when the firmware is built with
 * -fvisibility=hidden. */
#if defined(__GNUC__)
#define SYNACK_BOARD_EXPORT __attribute__((visibility("default")))
#else
#define SYNACK_BOARD_EXPORT
#endif

/* RFC behaviour the run asks for (synack run --profile), in env->profile.
 * A firmware that cannot switch may ignore it; scripts needing the other
 * behaviour then fail, which is the right verdict for that firmware. */
#define SYNACK_BOARD_PROFILE_RFC5961 0x01u /* challenge ACKs, RFC 5961 §3-§5 */
#define SYNACK_BOARD_PROFILE_RFC1337 0x02u /* RST ignored in TIME-WAIT */

/* Application events the firmware reports through env->event(). */
enum synack_board_event {
	SYNACK_BOARD_EV_ACCEPTED = 1, /* a passive open completed (ESTABLISHED) */
	SYNACK_BOARD_EV_CONNECTED,    /* an active open completed */
	SYNACK_BOARD_EV_EOF,          /* the peer's FIN arrived */
	SYNACK_BOARD_EV_RESET,        /* the connection was reset by the peer */
	SYNACK_BOARD_EV_REFUSED,      /* connect() answered by RST */
	SYNACK_BOARD_EV_CLOSED,       /* the connection is fully closed */
	SYNACK_BOARD_EV_TIMEOUT,      /* given up after retransmissions */
};

/* What the harness gives the firmware. Filled before create() and valid
 * until destroy() returns (keep the pointer). */
struct synack_board_env {
	uint32_t abi_version;          /* the harness's SYNACK_BOARD_ABI_VERSION */
	const struct enc_spi_hal *spi; /* the board's SPI bus, ENC28J60 on it */
	uint8_t mac[6];                /* the MAC to program into MAADR1..6 */
	uint32_t ip;                   /* the IPv4 address, host order (192.168.0.1 = 0xC0A80001) */
	uint32_t netmask;              /* host order; 0 = every address is on-link */
	uint32_t gateway;              /* host order; 0 = none */
	uint32_t profile;              /* SYNACK_BOARD_PROFILE_* bits asked for */
	uint64_t seed;                 /* the run's seed (ISNs); same seed, same run */
	/* The board's CPU time in nanoseconds, advanced by SPI and delays. */
	uint64_t (*now)(void *ctx);
	/* Report an application event (only meaningful with an app interface). */
	void (*event)(void *ctx, enum synack_board_event ev);
	void *ctx;                     /* first argument of now() and event() */
};

/* Optional application interface; any member may be NULL (unsupported). */
struct synack_board_app {
	/* Listen on `port` (the firmware may already listen from boot). */
	int (*listen)(void *fw, uint64_t now, uint16_t port);
	/* Open a connection to ip:port (host order). */
	int (*connect)(void *fw, uint64_t now, uint32_t ip, uint16_t port);
	/* Queue up to n bytes on the current connection; returns how many were
	 * taken (>= 0). The harness offers the rest again after each pass. */
	int (*send)(void *fw, uint64_t now, const uint8_t *data, size_t n);
	/* Take up to n received bytes, without waiting; returns how many. */
	int (*recv)(void *fw, uint64_t now, uint8_t *buf, size_t n);
	/* Close the current connection (FIN), or abort it (RST). */
	int (*close)(void *fw, uint64_t now);
	int (*abort)(void *fw, uint64_t now);
	/* The current connection's state in RFC 9293 spelling ("LISTEN",
	 * "SYN-RECEIVED", "ESTABLISHED", "TIME-WAIT", "CLOSED" ...). */
	const char *(*tcp_state)(void *fw);
	/* Half close the current connection: send FIN, keep receiving
	 * (shutdown(SHUT_WR)). Optional like the rest. */
	int (*shutdown)(void *fw, uint64_t now);
};

struct synack_board_firmware {
	uint32_t abi_version;          /* SYNACK_BOARD_ABI_VERSION it was built with */
	const char *name;              /* for messages */
	/* One instance per scenario; NULL = could not start (out of memory). */
	void *(*create)(const struct synack_board_env *env);
	/* Power on: bring the chip up (soft reset, CLKRDY, buffers, MAC, PHY,
	 * RXEN). The scenario starts once ECON1.RXEN is set. */
	void (*boot)(void *fw, uint64_t now);
	/* One main-loop pass; returns the next time to run, or
	 * SYNACK_BOARD_NEVER (wait for INT). */
	uint64_t (*run)(void *fw, uint64_t now);
	void (*destroy)(void *fw);
	const struct synack_board_app *app;  /* NULL = no application interface */
	/* Behaviour profiles it follows (conformance/README.md: "synack-params",
	 * "rfc9293-strict", "linux-wire"), NULL-terminated; NULL = none, so
	 * scripts written for one of them are skipped with the reason. */
	const char *const *behaviours;
};

/* The entry point every firmware exports (C linkage). */
typedef const struct synack_board_firmware *(*synack_board_entry_fn)(void);

#ifdef __cplusplus
extern "C" {
#endif
SYNACK_BOARD_EXPORT const struct synack_board_firmware *synack_board_entry(void);
#ifdef __cplusplus
}
#endif

#endif /* SYNACK_BOARD_H */
