/*
 * fw_agent.h - the test agent on the UART: a small line protocol through
 * which a host drives the image's application, the way the conformance
 * engine drives `--dut sim` through struct dut_ops (listen, connect, send,
 * recv, close, abort, state, counters, profile). The engine's
 * `--dut avr:IMAGE.elf` adapter speaks it to the image running in simavr;
 * the same protocol tests a real board on a bench over a USB serial cable.
 * The protocol is documented in firmware/README.md ("The test agent").
 *
 *   main loop -> fw_agent_poll -> one complete line -> command -> tcp_* (core/tcp.h)
 *   net_poll -> agent_tcp (TCP events) -> "! event" lines, greedy reads, sends
 *
 * Like the sim DUT's application, the agent is greedy: it reads every byte
 * the current connection receives at once (so the stack acknowledges it)
 * and counts it for `recv`; `send N` queues N bytes of the pattern
 * 'a'..'z' and pushes them as the send ring frees. Received bytes are
 * counted, not kept: a 2 KB part has no room for a socket buffer.
 */
#ifndef FIRMWARE_FW_AGENT_H
#define FIRMWARE_FW_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "enc28j60.h"
#include "fw_board.h"
#include "net.h"

#define FW_AGENT_VERSION 2u
#ifndef FW_AGENT_LINE
#define FW_AGENT_LINE 40u /* longest command: "connect 255.255.255.255 65535" */
#endif

/* Turns the image's own services (echo, HTTP) on or off. */
typedef void (*fw_services_fn)(struct net_stack *s, bool on);

struct fw_agent {
	const struct fw_board *b;
	struct net_stack *s;
	struct net_config *cfg;      /* the stack keeps a pointer: `ip` edits it */
	const struct enc_dev *dev;   /* for `status` */
	fw_services_fn services;
	struct tcp_pcb *conn;        /* the current connection */
	uint32_t rx_count;           /* bytes read, not yet taken by `recv` */
	uint16_t rx_cap;             /* `rcvbuf`: the application's buffer */
	uint16_t dflt_wnd;           /* the stack's own receive window */
	bool rcvbuf_set;             /* else the buffer is unbounded */
	uint32_t send_pending;       /* bytes `send` asked for, not yet in the ring */
	uint8_t send_phase;          /* pattern position, 0..25 */
	uint8_t len;                 /* bytes in line[] */
	bool overlong;               /* the line being received did not fit */
	char line[FW_AGENT_LINE];
};

/* Says "! ready ..." on the UART; call once the stack is up. */
void fw_agent_init(struct fw_agent *a, const struct fw_board *b, struct net_stack *s, struct net_config *cfg,
		   const struct enc_dev *dev, fw_services_fn services);
/* Takes what the UART received and runs every complete command line. Call
 * from the main loop, outside net_poll(); returns true when a command ran
 * (poll the stack again before sleeping: it may have queued output). */
bool fw_agent_poll(struct fw_agent *a);

#endif /* FIRMWARE_FW_AGENT_H */
