/*
 * dut_sockerr.h - the socket an application on a stack without sockets
 * would see, for the DUT adapters that have none (sim, board): the one
 * pending error of a connection and the order in which read, write and
 * getsockopt(SO_ERROR) report it, as Linux's socket layer does. The tap
 * adapter needs none of this: its answers are the kernel's own.
 *
 *   adapter: connect / accepted ──> dut_sockerr_open
 *            application events ──> dut_sockerr_event (EOF, RESET, ...)
 *            shutdown / close    ──> dut_sockerr_shutdown
 *            DUT_APP_RECV        ──> dut_sockerr_recv(bytes it read)
 *            DUT_APP_SEND        ──> dut_sockerr_send
 *            dut_ops.so_error    ──> dut_sockerr_pop
 *
 * Linux (net/ipv4/tcp_input.c tcp_reset, tcp.c tcp_recvmsg and
 * tcp_sendmsg, net/core/stream.c sk_stream_error): a RST sets the
 * socket's error (ECONNREFUSED in SYN-SENT, EPIPE in CLOSE-WAIT,
 * ECONNRESET otherwise), a give-up sets ETIMEDOUT, and the connection's
 * both directions are shut. The first call that looks at the error takes
 * it: read returns buffered data first, then 0 if the peer's FIN was read
 * before the reset, else the error; write returns the error; SO_ERROR
 * returns it. After that read returns 0 and write EPIPE.
 */
#ifndef CONFORMANCE_DUT_SOCKERR_H
#define CONFORMANCE_DUT_SOCKERR_H

#include <stdbool.h>

#include "dut.h"

struct dut_sockerr {
	bool open;     /* a connection was opened (connect issued, or accepted) */
	bool peer_fin; /* the peer's FIN reached the application (Linux: SOCK_DONE) */
	bool shut_wr;  /* the application closed its sending side */
	bool gone;     /* the connection is over: reset, refused, timed out, closed */
	int err;       /* the pending error (an errno value), 0 = none */
};

/* A new current connection (connect issued, or one accepted). */
void dut_sockerr_open(struct dut_sockerr *s);
/* An application event of the current connection. */
void dut_sockerr_event(struct dut_sockerr *s, enum dut_app_event ev);
/* The application closed its sending side (shutdown(SHUT_WR), close). */
void dut_sockerr_shutdown(struct dut_sockerr *s);
/* The result of DUT_APP_RECV (dut.h) when the adapter read `got` bytes. */
int dut_sockerr_recv(struct dut_sockerr *s, int got);
/* 0 when DUT_APP_SEND may queue bytes, else its result (a negative errno). */
int dut_sockerr_send(struct dut_sockerr *s);
/* getsockopt(SO_ERROR): the pending error, which it clears (0 = none). */
int dut_sockerr_pop(struct dut_sockerr *s);

#endif /* CONFORMANCE_DUT_SOCKERR_H */
