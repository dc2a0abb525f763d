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
#include "ip6_xlate.h"

#ifndef ETH_TYPE_IPV6
#define ETH_TYPE_IPV6 0x86ddu
#endif

/* Inside the namespace, before tun0 exists: IPv6 on, without DAD, router
 * solicitations, RAs or a link-local address. 0 or -errno. The runner's
 * datagrams are translated with t->v6map (ip6_xlate.h). */
int dut_tap_v6_setup_pre(struct dut_tap *t, const char **step);
/* Inside the namespace, tun0 up: its IPv6 address and default route. */
int dut_tap_v6_setup(struct dut_tap *t, const char **step);
/* One Ethernet frame of type IPv6 from the DUT: 1 with *out filled (its
 * time is the caller's), 0 consumed here (ND answered, MLD, multicast). */
int dut_tap_v6_frame(struct dut_tap *t, const uint8_t *frame, size_t len, struct dut_packet *out);

#endif /* CONFORMANCE_DUT_TAP_V6_H */
