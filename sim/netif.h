/*
 * netif.h - the few interface calls both TAP set-ups make inside their
 * network namespace (sim/bridge_tap.c for synack serve, and the tap DUT,
 * conformance/engine/dut_tap.c): an ifreq for a name, an IPv4 address in
 * a sockaddr, an interface brought up, a /proc/sys file written. Linux
 * only; internal, not installed.
 */
#ifndef SIM_NETIF_H
#define SIM_NETIF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ifreq;
struct sockaddr;

/* A zeroed ifreq naming interface `name`. */
void netif_ifreq(struct ifreq *ifr, const char *name);
/* sa = the IPv4 address ip (host order), port 0. */
void netif_sin(struct sockaddr *sa, uint32_t ip);
/* IFF_UP on `name` through the socket ctl; 0 or -errno. */
int netif_up(int ctl, const char *name);
/* Write `value` to a file such as /proc/sys/net/...; 0 or -errno (-EIO
 * for a short write). */
int netif_write_file(const char *path, const char *value);

#ifdef __cplusplus
}
#endif
#endif /* SIM_NETIF_H */
