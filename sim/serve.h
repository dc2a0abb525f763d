/*
 * serve.h - `synack serve`: a simulated board whose wire is attached to a
 * real network back end, run until stopped.
 *
 *   serve_open:  sim + link (+ capture) + board (serve_board.h) + bridge
 *                (bridge_slirp.h or bridge_tap.h)
 *   serve_boot:  virtual time until the chip receives
 *   serve_run:
 *                  wall clock   virtual time follows CLOCK_MONOTONIC: the
 *                               simulation runs every event up to "now",
 *                               then sleeps in ppoll() on the bridge's
 *                               descriptors until its next event, slirp's
 *                               deadline or the next counter line;
 *                  virtual      (--deterministic, slirp only) events run
 *                               back to back, no descriptor is polled;
 *                until a stop is asked for (a signal sets *stop), the
 *                duration passes, or the client (--connect) has finished
 *   serve_close_capture: the capture flushed, checked and renamed into place
 *   serve_free:  the TAP and namespace removed, everything freed
 *
 * Counters are kept from the wire (a link tap sees every frame): frames
 * each way, TCP connections the device opened or accepted (its SYN or
 * SYN-ACK with a new initial sequence number), resets each way; drops on
 * the link, in the chip and in the bridge; the chip checker's diagnostics.
 * With a TTY they are printed twice a second on one line (serve_run's
 * `live` stream).
 */
#ifndef SIM_SERVE_H
#define SIM_SERVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bridge_slirp.h"
#include "serve_board.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SERVE_MAX_FORWARDS 16u

enum serve_net {
	SERVE_NET_SLIRP = 0,
	SERVE_NET_TAP,
};

struct serve_forward {
	bool udp;
	uint32_t host_ip;
	uint16_t host_port;
	uint32_t guest_ip;       /* 0 = the device */
	uint16_t guest_port;
};

struct serve_guestfwd {
	uint32_t ip;
	uint16_t port;
	enum bridge_slirp_service svc;
};

struct serve_config {
	enum serve_net net;
	struct serve_board_config board;    /* kind, firmware; addresses are filled by serve_open */
	bool deterministic;                 /* virtual clock: slirp, no forwards */
	bool restricted;                    /* slirp: no NAT beyond its own addresses */
	struct serve_forward fwd[SERVE_MAX_FORWARDS];
	unsigned nfwd;
	struct serve_guestfwd gfwd[BRIDGE_SLIRP_MAX_GUESTFWD];
	unsigned ngfwd;
	const char *netns;                  /* tap: a name for /run/netns, or NULL */
	const char *pcap_path;              /* NULL = no capture */
	uint64_t duration_ns;               /* 0 = until stopped */
	bool connect;
	uint32_t connect_ip;
	uint16_t connect_port;
	uint64_t send_bytes;
	uint64_t seed;
};

enum serve_stop {
	SERVE_STOP_SIGNAL = 0,
	SERVE_STOP_DURATION,
	SERVE_STOP_CLIENT,                  /* the client finished (and 1 s more passed) */
	SERVE_STOP_BRIDGE,                  /* the TAP went away, poll failed */
	SERVE_STOP_BOOT,                    /* the firmware never enabled reception */
	SERVE_STOP_BOARD,                   /* the board stopped (an AVR CPU crashed) */
};

struct serve;

/* Everything set up; the board is built but not yet booted. NULL with the
 * reason in err (flags that cannot go together, a forward's port in use,
 * missing capabilities, a capture that cannot be created ...). */
struct serve *serve_open(const struct serve_config *cfg, char *err, size_t errcap);
/* Boot in virtual time until the chip receives (ECON1.RXEN) plus 10 ms,
 * then start the client. False when the firmware never enabled reception
 * within 2 s. */
bool serve_boot(struct serve *s);
/* Where the device is and how to reach it, for people; ends with the line
 * "synack serve: ready". */
void serve_describe(struct serve *s, FILE *out);
/* Run until a stop (see above). `live`: a TTY for the counter line, or
 * NULL. Returns why it stopped. */
enum serve_stop serve_run(struct serve *s, volatile sig_atomic_t *stop, FILE *live);
/* Totals, the client's result, the checker's diagnostics, the clocks. */
void serve_summary(struct serve *s, enum serve_stop why, FILE *out);
/* True when nothing failed: the firmware booted, the bridge stayed up,
 * and the client (if any) is DONE with what came back equal to what it
 * sent, all of it or (a discard service) none. */
bool serve_ok(struct serve *s, enum serve_stop why);
/* Flush, check and rename the capture into place: 0, or -1 with err
 * naming the file (a full disk); the summary then names it with its
 * frame count. */
int serve_close_capture(struct serve *s, char *err, size_t errcap);
/* Everything else: the bridge (TAP and namespace), the board, the
 * simulation. A capture still open is closed first. */
void serve_free(struct serve *s);
/* For a second signal while stopping: remove what would outlive the
 * process (the namespace's name). Async-signal-safe. */
void serve_emergency_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif /* SIM_SERVE_H */
