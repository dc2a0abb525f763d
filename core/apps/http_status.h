/*
 * http_status.h - demo: a tiny HTTP/1.0 status page on port 80 showing a
 * few of the stack's counters. Any request gets the page, then FIN.
 */
#ifndef APPS_HTTP_STATUS_H
#define APPS_HTTP_STATUS_H

#include <stdint.h>

#include "net.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HTTP_PORT 80u

struct http_status {
	uint16_t served;
};

int http_status_start(struct http_status *h, struct net_stack *s, uint16_t port);

#ifdef __cplusplus
}
#endif
#endif
