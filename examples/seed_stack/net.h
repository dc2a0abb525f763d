/*
 * net.h - the seed stack: ARP, IPv4 and one TCP connection at a time on
 * one listening port, over the driver in enc.c. Small on purpose: no
 * retransmission, no options, no window management, a constant ISS.
 */
#ifndef SEED_NET_H
#define SEED_NET_H

#include <stddef.h>
#include <stdint.h>

#include "enc.h"

enum seed_tcp_state {
	SEED_CLOSED,
	SEED_LISTEN,
	SEED_SYN_RECEIVED,
	SEED_ESTABLISHED,
	SEED_CLOSE_WAIT,
	SEED_LAST_ACK,
	SEED_FIN_WAIT_1,
	SEED_FIN_WAIT_2,
};

/* What the application hears about. */
enum seed_event { SEED_EV_ACCEPTED, SEED_EV_EOF, SEED_EV_RESET, SEED_EV_CLOSED };

#define SEED_RX_BUF 2048u

struct seed_net {
	struct seed_enc enc;
	uint8_t mac[6];
	uint32_t ip;
	uint16_t ip_id;
	uint8_t frame[1518];

	/* The one connection. */
	enum seed_tcp_state state;
	uint16_t port;                 /* listening port */
	uint8_t peer_mac[6];
	uint32_t peer_ip;
	uint16_t peer_port;
	uint32_t iss, snd_nxt;         /* our sequence numbers */
	uint32_t rcv_nxt;              /* the next byte we expect */
	uint8_t rx[SEED_RX_BUF];       /* received, not yet read by the app */
	uint16_t rx_len;

	void (*event)(void *ctx, enum seed_event ev);
	void *event_ctx;
};

int seed_net_init(struct seed_net *n, const struct enc_spi_hal *spi, const uint8_t mac[6], uint32_t ip);
/* Handle every frame the chip holds. */
void seed_net_poll(struct seed_net *n);
/* The application side. */
void seed_net_listen(struct seed_net *n, uint16_t port);
int seed_net_send(struct seed_net *n, const uint8_t *data, uint16_t len);
uint16_t seed_net_recv(struct seed_net *n, uint8_t *buf, uint16_t max);
int seed_net_close(struct seed_net *n);
int seed_net_abort(struct seed_net *n);
const char *seed_net_state_name(const struct seed_net *n);

#endif
