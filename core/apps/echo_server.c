/*
 * echo_server.c - demo TCP echo server on the synack stack.
 *
 * Event-driven, no buffer of its own beyond a 64-byte bounce on the C
 * stack: on TCP_EV_DATA it reads only as much as fits in the connection's
 * send ring and writes it back (tcp_write; the stack sends it with the ACK
 * when the callback returns). What it cannot take now stays unacknowledged
 * and the peer sends it again; to keep that from happening the server
 * advertises a receive window no larger than the free space of its send
 * ring (tcp_set_rcv_wnd), so the peer sends only what can be echoed.
 */
#include "echo_server.h"

static void echo_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct echo_server *e = ctx;
	uint8_t buf[64];

	switch (ev) {
	case TCP_EV_CONNECTED:
		e->accepted++;
		tcp_set_rcv_wnd(s, c, tcp_send_space(s, c));
		break;
	case TCP_EV_DATA:
		while (n) {
			uint16_t k = tcp_send_space(s, c);

			if (k > n)
				k = n;
			if (k > sizeof(buf))
				k = sizeof(buf);
			if (k == 0)
				break;
			k = tcp_recv(s, c, buf, k);
			tcp_write(s, c, buf, k);
			e->bytes += k;
			n = (uint16_t)(n - k);
		}
		/* Offer no more than the send ring can take back. */
		tcp_set_rcv_wnd(s, c, tcp_send_space(s, c));
		break;
	case TCP_EV_SENT:
		tcp_set_rcv_wnd(s, c, tcp_send_space(s, c));
		break;
	case TCP_EV_PEER_CLOSED:
		tcp_close(s, c);
		break;
	case TCP_EV_RESET:
		e->resets++;
		break;
	case TCP_EV_CLOSED:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
	case TCP_EV_URGENT: /* urgent bytes are echoed in-line like the rest */
		break;
	}
}

int echo_server_start(struct echo_server *e, struct net_stack *s, uint16_t port)
{
	e->bytes = 0;
	e->accepted = 0;
	e->resets = 0;
	return tcp_listen(s, port, echo_cb, e);
}
