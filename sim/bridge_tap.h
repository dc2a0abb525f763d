/*
 * bridge_tap.h - the Linux kernel as the device's peer: a TAP device in a
 * network namespace of its own, so processes in that namespace reach the
 * simulated device through the kernel's own ARP, IPv4 and TCP.
 *
 *   bridge_tap_new: unshare(CLONE_NEWNET) for the calling thread (the
 *     process's main thread: `nsenter -t PID -n` then enters it), lo up,
 *     IPv6 off (no router solicitations or MLD on the device's wire), TAP
 *     synack0 with a fixed MAC, 10.0.2.2/24 on it, up; with a name, the
 *     namespace is also bind-mounted on /run/netns/NAME as `ip netns add`
 *     does, for `ip netns exec NAME ...`.
 *   kernel -> TAP queue -> bridge_tap_read(): padded, FCS added, on the link
 *   device -> link -> port deliver: FCS checked, stripped, write() to the TAP
 *   bridge_tap_free: the TAP fd closed (the kernel deletes the device), the
 *     thread back in its namespace, the name unmounted and removed; the
 *     namespace itself goes when its last process leaves it.
 *
 * Needs CAP_NET_ADMIN (TAP, addresses) and CAP_SYS_ADMIN (the namespace)
 * and /dev/net/tun; bridge_tap_missing() says which is absent. The host's
 * own network is never touched: everything happens inside the new
 * namespace, which has no route anywhere but 10.0.2.0/24.
 */
#ifndef SIM_BRIDGE_TAP_H
#define SIM_BRIDGE_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge.h"
#include "link.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRIDGE_TAP_IFNAME "synack0"

struct bridge_tap_config {
	const char *netns;   /* NULL: unnamed; else the name for /run/netns */
	uint32_t host_ip;    /* the kernel's address on the TAP (BRIDGE_GATEWAY) */
	uint32_t netmask;
};

struct bridge_tap;

/* NULL when --net tap can run here; else why not, in buf. */
const char *bridge_tap_missing(char *buf, size_t cap);
/* Namespace, TAP, addresses, and a port on link l. NULL with the step that
 * failed and why in err. */
struct bridge_tap *bridge_tap_new(struct sim *s, struct sim_link *l, const struct bridge_tap_config *cfg, char *err,
				  size_t errcap);
void bridge_tap_free(struct bridge_tap *b);
/* The TAP queue, for poll(POLLIN). */
int bridge_tap_fd(const struct bridge_tap *b);
/* Take every frame the kernel has queued. Returns 0, or -1 when the TAP
 * is gone (read error other than EAGAIN). */
int bridge_tap_read(struct bridge_tap *b);
/* /run/netns/NAME, or NULL when unnamed. */
const char *bridge_tap_netns_path(const struct bridge_tap *b);
const struct bridge_stats *bridge_tap_stats(const struct bridge_tap *b);
/* From a signal handler: unmount and remove the namespace's name (only
 * async-signal-safe calls). */
void bridge_tap_emergency_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif /* SIM_BRIDGE_TAP_H */
