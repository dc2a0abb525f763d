/*
 * serve_ours.h - our driver and stack as the board `synack serve` runs by
 * default: the demo echo server on 8888 and the HTTP status page on 80,
 * behind the board ABI (synack_board.h) so the serve loop drives it exactly
 * as it drives a user's firmware.
 *
 *   serve_board.c -> serve_ours_entry() -> .fw: create / boot / run / destroy
 *                                          .fw->app: connect, send, recv ... (--connect)
 *                                          .free_conns, .counters (the live line)
 *
 * The code behind it (serve_fw_ours.c plus every core/ source) is compiled
 * a second time with a serving pool (SERVE_OURS_TCP_CONNS connection
 * blocks instead of the default 2, which is sized for the ATmega328P's
 * 2 KB of RAM) and linked into one object whose only global symbol is
 * serve_ours_entry (sim/CMakeLists.txt: ld -r, objcopy --localize-hidden),
 * so it sits beside the default-sized core in the same binary. Nothing of
 * that build's net.h leaks through this header.
 */
#ifndef SIM_SERVE_OURS_H
#define SIM_SERVE_OURS_H

#include <stdint.h>

#include "synack_board.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Connection blocks and listeners of the serving build. 16 blocks split the
 * chip's 4 KB of spare buffer memory into 256-byte send rings; 16 lets 50
 * clients that connect at once through the kernel (--net tap) all get in
 * within Linux's SYN retries (1, 3, 7 s), where 2 blocks would admit about
 * 14 before the clients give up. */
#define SERVE_OURS_TCP_CONNS 16u
#define SERVE_OURS_TCP_LISTENERS 4u
/* The receive window a connection starts with, the size of its send ring:
 * the echo server offers no more than its ring can take back, and a SYN-ACK
 * offering the default 1024 would be followed by a window shrunk to 256
 * (RFC 9293 SHLD-14), after which a BSD-derived peer such as libslirp
 * sends its ACKs beyond the zero window and they are not accepted. */
#define SERVE_OURS_RCV_WND 256u
/* Segments of half the ring, so the ring (and the window) holds two: a
 * receiver acknowledges every second full-sized segment at once (RFC 1122
 * 4.2.3.2, RFC 9293 SHLD-19), where one segment alone waits for its
 * delayed-ACK timer - 40 ms in Linux, 2 ms in libslirp - and the echo
 * server, whose window reopens only on that ACK, would echo 256 bytes per
 * timer (about 10 KiB/s through the TAP instead of about 100). */
#define SERVE_OURS_MSS 128u
#define SERVE_OURS_ECHO_PORT 8888u
#define SERVE_OURS_HTTP_PORT 80u

struct serve_ours_counters {
	uint32_t echo_accepted;     /* connections the echo server took */
	uint32_t echo_bytes;        /* bytes echoed */
	uint32_t http_served;       /* status pages sent */
	uint32_t conns_in_use;      /* connection blocks not CLOSED */
	uint32_t listen_full;       /* SYNs dropped: every block taken */
	uint32_t rst_sent;
	uint32_t retransmits;
	uint32_t timewait_recycled;
};

struct serve_ours {
	const struct synack_board_firmware *fw;
	/* Blocks a new passive open can take now (free, or TIME-WAIT, which
	 * the serving profile recycles). */
	unsigned (*free_conns)(void *fw);
	void (*counters)(void *fw, struct serve_ours_counters *c);
};

SYNACK_BOARD_EXPORT const struct serve_ours *serve_ours_entry(void);

#ifdef __cplusplus
}
#endif
#endif /* SIM_SERVE_OURS_H */
