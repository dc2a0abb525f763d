/*
 * dut_sockerr.c - the pending error of an emulated socket, reported in
 * Linux's order (see dut_sockerr.h). Used by dut_sim.c and dut_board.c,
 * whose stacks tell the application of a reset only through an event.
 */
#include <errno.h>
#include <string.h>

#include "dut_sockerr.h"

void dut_sockerr_open(struct dut_sockerr *s)
{
	memset(s, 0, sizeof *s);
	s->open = true;
}

void dut_sockerr_event(struct dut_sockerr *s, enum dut_app_event ev)
{
	switch (ev) {
	case DUT_EV_EOF:
		s->peer_fin = true;
		break;
	case DUT_EV_RESET:
		/* tcp_reset(): EPIPE in CLOSE-WAIT (the peer had closed and the
		 * application had not), ECONNRESET in the other states. */
		s->err = s->peer_fin && !s->shut_wr ? EPIPE : ECONNRESET;
		s->gone = true;
		break;
	case DUT_EV_REFUSED:
		s->err = ECONNREFUSED;
		s->gone = true;
		break;
	case DUT_EV_TIMEOUT:
		s->err = ETIMEDOUT;
		s->gone = true;
		break;
	case DUT_EV_CLOSED:
		s->gone = true;
		break;
	case DUT_EV_NONE:
	case DUT_EV_CONNECTED:
	case DUT_EV_ACCEPTED:
	case DUT_EV_DATA:
	case DUT_EV_URGENT:
		break;
	}
}

void dut_sockerr_shutdown(struct dut_sockerr *s)
{
	s->shut_wr = true;
}

int dut_sockerr_pop(struct dut_sockerr *s)
{
	int e = s->err;
	s->err = 0;
	return e;
}

/* tcp_recvmsg with nothing copied: SOCK_DONE (the FIN was read) comes
 * before the error, the error before the shut receive side, and a socket
 * that never connected says ENOTCONN. */
int dut_sockerr_recv(struct dut_sockerr *s, int got)
{
	if (got > 0)
		return got;
	if (s->peer_fin)
		return 0;
	if (s->err != 0)
		return -dut_sockerr_pop(s);
	if (s->gone)
		return 0;
	return s->open ? -EAGAIN : -ENOTCONN;
}

/* tcp_sendmsg: the error first (sk_stream_error), then EPIPE for a
 * socket shut for sending, reset, closed or never connected. */
int dut_sockerr_send(struct dut_sockerr *s)
{
	if (s->err != 0)
		return -dut_sockerr_pop(s);
	if (s->shut_wr || s->gone || !s->open)
		return -EPIPE;
	return 0;
}
