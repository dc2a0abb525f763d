/*
 * dut_tap_v6.h - the tap DUT's IPv6 runs (dut_tap_v6.c): set-up inside the
 * namespace and the translation between the runner's IPv4 datagrams
 * (stand-in addresses, dut.h) and IPv6 on tun0.
 */
#ifndef CONFORMANCE_DUT_TAP_V6_H
#define CONFORMANCE_DUT_TAP_V6_H

#include <stddef.h>
#include <stdint.h>

#include "dut_tap_priv.h"

#ifndef ETH_TYPE_IPV6
#define ETH_TYPE_IPV6 0x86ddu
#endif

/* Inside the namespace, before tun0 exists: IPv6 on, without DAD, router
 * solicitations, RAs or a link-local address. 0 or -errno. */
int dut_tap_v6_setup_pre(struct dut_tap *t, const char **step);
/* Inside the namespace, tun0 up: its IPv6 address and default route. */
int dut_tap_v6_setup(struct dut_tap *t, const char **step);
/* The runner's IPv4 datagram as the IPv6 one for the wire: its length, or
 * -EINVAL (not IPv4) / -EMSGSIZE (does not fit cap). */
int dut_tap_v6_in(const struct dut_tap *t, const uint8_t *ip4, size_t len, uint8_t *out, size_t cap);
/* An IPv6 datagram of the DUT as the runner's IPv4 one: its length, or 0
 * when it has no IPv4 form (an address outside the run, a fragment). */
int dut_tap_v6_out(const struct dut_tap *t, const uint8_t *ip6, size_t len, uint8_t *out, size_t cap);
/* One Ethernet frame of type IPv6 from the DUT: 1 with *out filled (its
 * time is the caller's), 0 consumed here (ND answered, MLD, multicast). */
int dut_tap_v6_frame(struct dut_tap *t, const uint8_t *frame, size_t len, struct dut_packet *out);

#endif /* CONFORMANCE_DUT_TAP_V6_H */
