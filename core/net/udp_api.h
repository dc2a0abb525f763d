/*
 * udp_api.h - the minimal UDP service interface (enough for an echo
 * service): bind a port to a callback, read the datagram in the callback,
 * send a datagram. Implemented in udp.c.
 */
#ifndef CORE_UDP_API_H
#define CORE_UDP_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct net_stack;

/* The datagram being delivered. Read its payload with udp_recv() inside
 * the callback. */
struct udp_dgram {
	uint32_t src_ip;
	uint16_t src_port, dst_port;
	uint16_t len; /* payload bytes */
};

typedef void (*udp_recv_fn)(struct net_stack *s, const struct udp_dgram *d, void *ctx);

struct udp_binding {
	uint16_t port; /* 0 = free */
	udp_recv_fn cb;
	void *ctx;
};

int udp_bind(struct net_stack *s, uint16_t port, udp_recv_fn cb, void *ctx);
int udp_unbind(struct net_stack *s, uint16_t port);
/* Reads up to len payload bytes of the datagram being delivered. */
uint16_t udp_recv(struct net_stack *s, void *buf, uint16_t len);
/* Sends one datagram; 0 on success (also when the next hop is being
 * resolved: the datagram waits in its ARP entry and goes out on the reply,
 * replacing one that waited there, arp.c), negative if it cannot wait
 * (larger than the slot, NET_ARP_HOLD; dropped and counted) or the device
 * refused. */
int udp_sendto(struct net_stack *s, uint16_t sport, uint32_t dst, uint16_t dport, const void *data, uint16_t len);

#ifdef __cplusplus
}
#endif
#endif /* CORE_UDP_API_H */
