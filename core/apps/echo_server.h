/*
 * echo_server.h - demo: TCP echo server (port 8888 in the seed) on the
 * synack stack. Everything received is sent back; the server closes when
 * the peer does.
 */
#ifndef APPS_ECHO_SERVER_H
#define APPS_ECHO_SERVER_H

#include <stdint.h>

#include "net.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ECHO_PORT 8888u

struct echo_server {
	uint32_t bytes;    /* echoed so far */
	uint16_t accepted; /* connections accepted */
	uint16_t resets;   /* connections reset by peers */
};

int echo_server_start(struct echo_server *e, struct net_stack *s, uint16_t port);

#ifdef __cplusplus
}
#endif
#endif
