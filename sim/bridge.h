/*
 * bridge.h - what the real-network bridges of `synack serve` share: the
 * addresses of the network the device sits on, the frame helpers, and
 * their counters.
 *
 *   bridge_slirp.c   the device's link port is a libslirp instance: NAT to
 *                    the host's sockets, host forwards, guest forwards
 *   bridge_tap.c     the device's link port is a TAP device in a network
 *                    namespace of its own: the Linux kernel is its peer
 *
 * A bridge is one port on the device's sim link (sim/link.h): frames from
 * the outside are padded to Ethernet's 60-byte minimum, given an FCS and
 * sent on the link at the current virtual time; frames from the device
 * arrive through the port's deliver callback, FCS checked and stripped.
 *
 * Addresses: libslirp has none of its own; every host of it (QEMU,
 * slirp4netns) uses the same plan, and so do both bridges, so a firmware
 * configured once works on either:
 *   10.0.2.0/24   the network
 *   10.0.2.2      the gateway: slirp's host alias, or the kernel's side of the TAP
 *   10.0.2.3      slirp's DNS forwarder
 *   10.0.2.15     the first address slirp's DHCP server hands out: the
 *                 device's static address (the stacks here have no DHCP client)
 */
#ifndef SIM_BRIDGE_H
#define SIM_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/tcp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRIDGE_NET 0x0A000200u     /* 10.0.2.0 */
#define BRIDGE_NETMASK 0xFFFFFF00u /* /24 */
#define BRIDGE_GATEWAY 0x0A000202u /* 10.0.2.2 */
#define BRIDGE_DNS 0x0A000203u     /* 10.0.2.3 */
#define BRIDGE_DEVICE 0x0A00020Fu  /* 10.0.2.15 */
#define BRIDGE_MIN_FRAME 60u       /* without FCS */

struct bridge_stats {
	uint64_t to_device;      /* frames from the outside put on the device's link */
	uint64_t from_device;    /* frames the device sent that left through the bridge */
	uint64_t dropped_in;     /* from the outside, not delivered (too long) */
	uint64_t dropped_out;    /* from the device, not delivered (bad FCS, queue full) */
};

/* One IPv4 TCP segment in a frame without FCS. */
struct bridge_tcp {
	uint32_t src, dst;       /* host order */
	struct tcp_repr tcp;
	uint32_t payload;        /* bytes of data */
};

/* True when frame (without FCS) is an unfragmented IPv4 TCP segment with a
 * valid IP header; fills *out. */
bool bridge_frame_tcp(const uint8_t *frame, size_t len, struct bridge_tcp *out);
/* Pads a frame shorter than BRIDGE_MIN_FRAME with zeros in buf (which must
 * hold BRIDGE_MIN_FRAME bytes) and returns the new length; longer frames
 * are left as they are. */
size_t bridge_pad(uint8_t *buf, size_t len);
/* "10.0.2.15" into buf (16 bytes). */
const char *bridge_ip_str(uint32_t ip, char buf[16]);

#ifdef __cplusplus
}
#endif
#endif /* SIM_BRIDGE_H */
