/*
 * net.c - the seed stack (see net.h): Ethernet, ARP, IPv4 and TCP, parsed
 * by hand out of one frame buffer.
 *
 *   seed_net_poll -> seed_enc_receive -> eth_input -> arp_input / ip_input
 *                                                        -> tcp_input -> send_tcp
 *
 * Replies go back to the MAC the request came from, so there is no ARP
 * cache. The TCP side serves one connection on one port: SYN -> SYN-ACK,
 * ACK -> ESTABLISHED, data is acknowledged and kept for the application,
 * FIN and RST end it. No retransmission, no options, one constant ISS.
 */
#include "net.h"

#include <string.h>

#define ETH_HLEN 14
#define ETYPE_ARP 0x0806
#define ETYPE_IP 0x0800
#define IP_HLEN 20
#define TCP_HLEN 20
#define PROTO_TCP 6

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define SEED_ISS 4039242319u /* the one in the capture */
#define SEED_WINDOW 64240u
#define SEED_MSS 1024u

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t sum(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += get16(p + i);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xFFFF) + (acc >> 16);
	return (uint16_t)~acc;
}

static void notify(struct seed_net *n, enum seed_event ev)
{
	if (n->event)
		n->event(n->event_ctx, ev);
}

/* ---- ARP ---- */

static void arp_input(struct seed_net *n, uint8_t *f, uint16_t len)
{
	uint8_t *a = f + ETH_HLEN;
	if (len < ETH_HLEN + 28 || get16(a + 6) != 1 || get32(a + 24) != n->ip)
		return; /* not a request for us */
	memcpy(f, f + 6, 6); /* back to the sender */
	memcpy(f + 6, n->mac, 6);
	put16(a + 6, 2); /* reply */
	memcpy(a + 18, a + 8, 10); /* target = the asker */
	memcpy(a + 8, n->mac, 6);
	put32(a + 14, n->ip);
	seed_enc_send(&n->enc, f, ETH_HLEN + 28);
}

/* ---- TCP out ---- */

static void send_tcp(struct seed_net *n, uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *data,
		     uint16_t len)
{
	uint8_t *f = n->frame;
	uint8_t *ip = f + ETH_HLEN;
	uint8_t *tcp = ip + IP_HLEN;
	uint16_t total = (uint16_t)(IP_HLEN + TCP_HLEN + len);

	memcpy(f, n->peer_mac, 6);
	memcpy(f + 6, n->mac, 6);
	put16(f + 12, ETYPE_IP);

	memset(ip, 0, IP_HLEN);
	ip[0] = 0x45;
	put16(ip + 2, total);
	put16(ip + 4, n->ip_id++);
	ip[8] = 64;
	ip[9] = PROTO_TCP;
	put32(ip + 12, n->ip);
	put32(ip + 16, n->peer_ip);
	put16(ip + 10, fold(sum(ip, IP_HLEN, 0)));

	memset(tcp, 0, TCP_HLEN);
	put16(tcp, n->port);
	put16(tcp + 2, n->peer_port);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (TCP_HLEN / 4) << 4;
	tcp[13] = flags;
	put16(tcp + 14, SEED_WINDOW);
	if (len)
		memcpy(tcp + TCP_HLEN, data, len);
	uint32_t acc = sum(ip + 12, 8, 0) + PROTO_TCP + (uint32_t)(TCP_HLEN + len);
	put16(tcp + 16, fold(sum(tcp, (size_t)TCP_HLEN + len, acc)));

	seed_enc_send(&n->enc, f, (uint16_t)(ETH_HLEN + total));
}

static void back_to_listen(struct seed_net *n)
{
	n->state = SEED_LISTEN;
	n->rx_len = 0;
}

/* ---- TCP in ---- */

static void tcp_input(struct seed_net *n, const uint8_t *f, const uint8_t *ip, const uint8_t *tcp, uint16_t tcp_len)
{
	uint16_t dport = get16(tcp + 2);
	uint32_t seq = get32(tcp + 4);
	uint32_t ack = get32(tcp + 8);
	uint8_t flags = tcp[13];
	uint16_t hlen = (uint16_t)((tcp[12] >> 4) * 4);
	if (dport != n->port || hlen < TCP_HLEN || hlen > tcp_len)
		return;
	const uint8_t *data = tcp + hlen;
	uint16_t dlen = (uint16_t)(tcp_len - hlen);

	if (n->state != SEED_LISTEN &&
	    (get32(ip + 12) != n->peer_ip || get16(tcp) != n->peer_port))
		return; /* busy with someone else */

	if (flags & TCP_RST) {
		/* Only a reset at the next expected byte counts. */
		if (n->state != SEED_LISTEN && seq == n->rcv_nxt) {
			if (n->state != SEED_SYN_RECEIVED)
				notify(n, SEED_EV_RESET);
			back_to_listen(n);
		}
		return;
	}

	if (flags & TCP_SYN) {
		if (n->state != SEED_LISTEN && !(n->state == SEED_SYN_RECEIVED && seq + 1 == n->rcv_nxt))
			return;
		/* A new connection, or the client sent its SYN again. */
		memcpy(n->peer_mac, f + 6, 6);
		n->peer_ip = get32(ip + 12);
		n->peer_port = get16(tcp);
		n->rcv_nxt = seq + 1;
		n->iss = SEED_ISS;
		n->snd_nxt = n->iss + 1;
		n->state = SEED_SYN_RECEIVED;
		send_tcp(n, TCP_SYN | TCP_ACK, n->iss, ack, NULL, 0);
		return;
	}

	if (!(flags & TCP_ACK))
		return;

	switch (n->state) {
	case SEED_CLOSED:
	case SEED_LISTEN:
		return;
	case SEED_SYN_RECEIVED:
		if (ack != n->snd_nxt)
			return;
		n->state = SEED_ESTABLISHED;
		notify(n, SEED_EV_ACCEPTED);
		break;
	case SEED_LAST_ACK:
		if (ack == n->snd_nxt) {
			back_to_listen(n);
			notify(n, SEED_EV_CLOSED);
		}
		return;
	case SEED_FIN_WAIT_1:
		if (ack == n->snd_nxt)
			n->state = SEED_FIN_WAIT_2;
		break;
	case SEED_ESTABLISHED:
	case SEED_CLOSE_WAIT:
	case SEED_FIN_WAIT_2:
		break;
	}

	if (dlen > 0) {
		if (seq == n->rcv_nxt && n->rx_len + dlen <= SEED_RX_BUF) {
			memcpy(n->rx + n->rx_len, data, dlen);
			n->rx_len = (uint16_t)(n->rx_len + dlen);
			n->rcv_nxt += dlen;
		}
		send_tcp(n, TCP_ACK, n->snd_nxt, n->rcv_nxt, NULL, 0);
	}
	if ((flags & TCP_FIN) && seq + dlen == n->rcv_nxt) {
		n->rcv_nxt++;
		send_tcp(n, TCP_ACK, n->snd_nxt, n->rcv_nxt, NULL, 0);
		if (n->state == SEED_FIN_WAIT_1 || n->state == SEED_FIN_WAIT_2) {
			/* No TIME-WAIT here: the port is free at once. */
			back_to_listen(n);
			notify(n, SEED_EV_CLOSED);
		} else {
			n->state = SEED_CLOSE_WAIT;
			notify(n, SEED_EV_EOF);
		}
	}
}

/* ---- IPv4 and Ethernet ---- */

static void ip_input(struct seed_net *n, uint8_t *f, uint16_t len)
{
	const uint8_t *ip = f + ETH_HLEN;
	if (len < ETH_HLEN + IP_HLEN || (ip[0] >> 4) != 4)
		return;
	uint16_t ihl = (uint16_t)((ip[0] & 0x0F) * 4);
	uint16_t total = get16(ip + 2);
	if (ihl < IP_HLEN || total < ihl || ETH_HLEN + total > len)
		return;
	if (fold(sum(ip, ihl, 0)) != 0 || get32(ip + 16) != n->ip || ip[9] != PROTO_TCP)
		return;
	const uint8_t *tcp = ip + ihl;
	uint16_t tcp_len = (uint16_t)(total - ihl);
	uint32_t acc = sum(ip + 12, 8, 0) + PROTO_TCP + tcp_len;
	if (tcp_len < TCP_HLEN || fold(sum(tcp, tcp_len, acc)) != 0)
		return;
	tcp_input(n, f, ip, tcp, tcp_len);
}

void seed_net_poll(struct seed_net *n)
{
	uint16_t len;
	while ((len = seed_enc_receive(&n->enc, n->frame, sizeof n->frame)) > 0) {
		if (len < ETH_HLEN)
			continue;
		uint16_t type = get16(n->frame + 12);
		if (type == ETYPE_ARP)
			arp_input(n, n->frame, len);
		else if (type == ETYPE_IP)
			ip_input(n, n->frame, len);
	}
}

int seed_net_init(struct seed_net *n, const struct enc_spi_hal *spi, const uint8_t mac[6], uint32_t ip)
{
	memcpy(n->mac, mac, 6);
	n->ip = ip;
	n->ip_id = 1;
	n->port = 8888;
	n->state = SEED_LISTEN;
	return seed_enc_init(&n->enc, spi, mac);
}

/* ---- the application ---- */

void seed_net_listen(struct seed_net *n, uint16_t port)
{
	n->port = port;
	back_to_listen(n);
}

int seed_net_send(struct seed_net *n, const uint8_t *data, uint16_t len)
{
	if (n->state != SEED_ESTABLISHED && n->state != SEED_CLOSE_WAIT)
		return -1;
	if (len > SEED_MSS)
		len = SEED_MSS;
	send_tcp(n, TCP_PSH | TCP_ACK, n->snd_nxt, n->rcv_nxt, data, len);
	n->snd_nxt += len;
	return len;
}

uint16_t seed_net_recv(struct seed_net *n, uint8_t *buf, uint16_t max)
{
	uint16_t k = n->rx_len < max ? n->rx_len : max;
	memcpy(buf, n->rx, k);
	memmove(n->rx, n->rx + k, n->rx_len - k);
	n->rx_len = (uint16_t)(n->rx_len - k);
	return k;
}

int seed_net_close(struct seed_net *n)
{
	if (n->state != SEED_ESTABLISHED && n->state != SEED_CLOSE_WAIT)
		return -1;
	send_tcp(n, TCP_FIN | TCP_ACK, n->snd_nxt, n->rcv_nxt, NULL, 0);
	n->snd_nxt++;
	n->state = n->state == SEED_ESTABLISHED ? SEED_FIN_WAIT_1 : SEED_LAST_ACK;
	return 0;
}

int seed_net_abort(struct seed_net *n)
{
	if (n->state == SEED_LISTEN || n->state == SEED_CLOSED)
		return -1;
	send_tcp(n, TCP_RST | TCP_ACK, n->snd_nxt, n->rcv_nxt, NULL, 0);
	back_to_listen(n);
	return 0;
}

const char *seed_net_state_name(const struct seed_net *n)
{
	static const char *const names[] = {"CLOSED",      "LISTEN",    "SYN-RECEIVED", "ESTABLISHED",
					    "CLOSE-WAIT",  "LAST-ACK",  "FIN-WAIT-1",   "FIN-WAIT-2"};
	return names[n->state];
}
