/*
 * http_status.c - demo HTTP status page on the synack stack.
 *
 * On the first data of a connection it discards the request, writes a
 * short text/plain page with a few counters (tcp.rx, tcp.rst_sent,
 * tcp.retransmits, connections in use) and closes (FIN after the page).
 * Data arriving after that is read and dropped. The page must fit the
 * connection's send ring (it is well under 256 bytes).
 */
#include "http_status.h"

#include <string.h>

static const char head[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nsynack\n";

/* Appends "label value\n" to p; returns the new end. */
static char *line(char *p, const char *label, uint32_t v)
{
	char d[10];
	uint8_t n = 0;

	while (*label)
		*p++ = *label++;
	do {
		d[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	while (n)
		*p++ = d[--n];
	*p++ = '\n';
	return p;
}

static void http_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct http_status *h = ctx;
	uint8_t sink[32];
	char body[96], *p = body;

	if (ev != TCP_EV_DATA) {
		if (ev == TCP_EV_PEER_CLOSED && tcp_state(c) == TCP_CLOSE_WAIT)
			tcp_close(s, c);
		return;
	}
	while (n) { /* the request is not looked at */
		uint16_t k = tcp_recv(s, c, sink, n < sizeof(sink) ? n : (uint16_t)sizeof(sink));

		n = (uint16_t)(n - k);
	}
	if (tcp_state(c) != TCP_ESTABLISHED)
		return; /* already answered */
	p = line(p, "tcp.rx ", net_stat(s, NET_STAT_TCP_RX));
	p = line(p, "tcp.rst_sent ", net_stat(s, NET_STAT_TCP_RST_SENT));
	p = line(p, "tcp.retransmits ", net_stat(s, NET_STAT_TCP_RETRANSMITS));
	p = line(p, "tcp.conns ", tcp_pcbs_in_use(s));
	tcp_write(s, c, head, (uint16_t)(sizeof(head) - 1));
	tcp_write(s, c, body, (uint16_t)(p - body));
	tcp_close(s, c);
	h->served++;
}

int http_status_start(struct http_status *h, struct net_stack *s, uint16_t port)
{
	h->served = 0;
	return tcp_listen(s, port, http_cb, h);
}
