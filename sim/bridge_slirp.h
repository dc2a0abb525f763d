/*
 * bridge_slirp.h - libslirp as the device's peer: a user-mode TCP/IP stack
 * on the device's link port that NATs the device to the host's sockets,
 * needs no privileges, and is what QEMU's `-net user` is.
 *
 *   device ──link──> port deliver ──> slirp_input()
 *   device <──link── sim_link_send_nofcs() <── send_packet callback
 *   host sockets (hostfwd listeners, NAT'd connections) polled by serve.c
 *   through bridge_slirp_fill() / bridge_slirp_poll()
 *
 * Two clocks:
 *   wall     (the default) slirp's clock is the simulation's, which serve.c
 *            keeps on the wall clock; host forwards (tcp:127.0.0.1:18888-:8888)
 *            let host programs reach the device, and the device reaches
 *            the host and beyond through slirp's NAT.
 *   virtual  (--deterministic) nothing outside the process takes part:
 *            slirp's clock is the virtual clock and its poll runs as a
 *            simulation event at the deadline slirp asks for; the network
 *            is restricted (slirp answers only its own addresses and the
 *            guest forwards), DNS forwarding is off, and a host socket
 *            slirp would open is never polled (counted). The device
 *            connects out to a guest forward served inside this file
 *            (echo or discard), so the run is a function of its seed.
 *
 * Host forwards and the device's pool: slirp accepts a host connection,
 * then opens one to the device, which drops the SYN when its connection
 * blocks are all taken and is only asked again after slirp's 6 s
 * retransmission timeout. So the bridge lets slirp accept one connection
 * at a time: not while its last SYN to the device is unanswered (up to
 * 20 ms), nor while the board says it has no block free; the other clients
 * wait in the host kernel's listen queue, raised from slirp's 1 to
 * SOMAXCONN. Each host connection is still its own connection to the
 * device; only their setup is paced.
 *
 * Guest forwards: one connection at a time each (libslirp finds a guest
 * forward's connection by address), and libslirp has no way to close its
 * side, so the device's close ends in FIN-WAIT-2.
 */
#ifndef SIM_BRIDGE_SLIRP_H
#define SIM_BRIDGE_SLIRP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge.h"
#include "link.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRIDGE_SLIRP_MAX_GUESTFWD 8u

enum bridge_slirp_service {
	BRIDGE_SLIRP_ECHO = 0, /* what the device sends comes back */
	BRIDGE_SLIRP_DISCARD,  /* what the device sends is dropped */
};

struct bridge_slirp_config {
	bool virtual_clock;  /* --deterministic */
	bool restricted;     /* only slirp's own addresses and the forwards (forced with virtual_clock) */
};

struct bridge_slirp_stats {
	struct bridge_stats wire;
	uint64_t accept_pauses;   /* times slirp's listeners were paused for the device */
	uint64_t guest_errors;    /* slirp's complaints about the device's frames */
	uint64_t host_sockets_ignored; /* virtual clock: host sockets never polled */
	uint64_t guestfwd_bytes_in, guestfwd_bytes_out;
	char last_guest_error[128];
};

struct bridge_slirp;

/* A slirp instance with the bridge.h addresses on a new port of link l.
 * NULL with the reason in err. One per process (libslirp's clock is
 * process-wide). */
struct bridge_slirp *bridge_slirp_new(struct sim *s, struct sim_link *l, const struct bridge_slirp_config *cfg,
				      char *err, size_t errcap);
/* Free after sim_free() (its timers are simulation timers). */
void bridge_slirp_free(struct bridge_slirp *b);

/* hostfwd: host_ip:host_port on the host reaches guest_ip:guest_port.
 * Returns 0, or -1 with the reason ("127.0.0.1:18888: Address already in
 * use"). Not with the virtual clock. */
int bridge_slirp_forward(struct bridge_slirp *b, bool udp, uint32_t host_ip, uint16_t host_port, uint32_t guest_ip,
			 uint16_t guest_port, char *err, size_t errcap);
/* guestfwd: a device connecting to ip:port (in 10.0.2.0/24) reaches the
 * service. Returns 0 or -1 with the reason. */
int bridge_slirp_guestfwd(struct bridge_slirp *b, uint32_t ip, uint16_t port, enum bridge_slirp_service svc,
			  char *err, size_t errcap);
/* Pace host connections by the board's free connection blocks
 * (UINT32_MAX = unknown: pace by the unanswered SYN only). */
void bridge_slirp_pace(struct bridge_slirp *b, unsigned (*free_conns)(void *ctx), void *ctx);

/* Wall clock: the descriptors slirp wants polled (*fds, valid until the
 * next call) and the longest wait slirp allows, in ns. Returns the count. */
size_t bridge_slirp_fill(struct bridge_slirp *b, struct pollfd **fds, uint64_t *timeout_ns);
/* After poll() on those descriptors (error: poll itself failed): slirp
 * reads, writes, accepts and runs its timers; frames for the device go on
 * the link at the simulation's current time. */
void bridge_slirp_poll(struct bridge_slirp *b, bool error);

const struct bridge_slirp_stats *bridge_slirp_stats(const struct bridge_slirp *b);
/* The libslirp version linked in ("4.7.0"). */
const char *bridge_slirp_version(void);
/* slirp's own table of connections, for messages (free() the result). */
char *bridge_slirp_connections(struct bridge_slirp *b);

#ifdef __cplusplus
}
#endif
#endif /* SIM_BRIDGE_SLIRP_H */
