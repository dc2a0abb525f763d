/*
 * arp.c - ARP (RFC 826) for Ethernet/IPv4: answer requests for our own
 * address, keep a small aged cache, resolve next hops for output, announce
 * ourselves on link up.
 *
 * Called by net.c (arp_input for every ARP frame, arp_timers from net_poll,
 * arp_gratuitous on link up) and by ipv4.c (arp_resolve from
 * ip_output_begin).
 *
 * Pending frames: each unresolved next hop (a PENDING entry) holds one
 * frame (RFC 1122 §2.3.2.2 SHOULD "save at least one"), the newest: UDP
 * output to it goes into the entry's slot instead of the device (ipv4.c
 * ip_output_begin -> arp_hold_begin, net_tx_write -> arp_hold_write,
 * ip_output_end -> arp_hold_end), a newer frame replaces it
 * (arp.hold_replaced), the reply sends it with the learned link address
 * (arp.hold_sent), and an entry that expires unanswered drops it
 * (arp.hold_expired). The slots (NET_ARP_HOLD bytes per entry) are in the
 * netdev's device memory after the send rings when there is room
 * (net_init), so a held frame goes out by the device's DMA
 * (tx_copy_from_mem) without crossing the MCU; otherwise they are
 * NET_ARP_HOLD_RAM bytes of RAM per entry (0: nothing is held). A
 * frame too big for its slot is dropped (arp.pending_drop). ICMP replies go
 * to the link address of the frame they answer and never wait here.
 * TCP holds nothing: its frames are rebuilt from connection state (better:
 * no stale copy). The connection is marked TF_ARP_WAIT and, when the reply
 * arrives, tcp_arp_resolved() sends again from SND.UNA (SYN, SYN-ACK, data
 * or FIN: everything needed is in the TCB and the send ring).
 */
#include <string.h>

#include "net_internal.h"
#include "wire/arp.h"
#include "wire/eth.h"

#define ARP_MAX_TRIES 3u

static NET_NOINLINE struct arp_entry *find(struct net_stack *s, uint32_t ip)
{
	struct arp_entry *e;

	for (e = s->arp; e < s->arp + NET_ARP_ENTRIES; e++)
		if (e->state != ARP_FREE && e->ip == ip)
			return e;
	return NULL;
}

/* A free entry, else the resolved one closest to expiry. Pending entries
 * are not evicted: a request is in flight for them. */
static struct arp_entry *victim(struct net_stack *s)
{
	struct arp_entry *best = NULL;
	uint8_t i;

	for (i = 0; i < NET_ARP_ENTRIES; i++) {
		struct arp_entry *e = &s->arp[i];

		if (e->state == ARP_FREE)
			return e;
		if (e->state == ARP_VALID && (!best || ms_before(e->expires, best->expires)))
			best = e;
	}
	return best;
}

/* Sends an ARP packet: op, target hardware/protocol address; Ethernet
 * destination is tha for replies, broadcast for requests. */
static void send_arp(struct net_stack *s, uint16_t op, const uint8_t *tha, uint32_t tpa)
{
	uint8_t f[ETH_HDR_LEN + ARP_LEN];
	struct arp_repr a;
	const struct netdev_ops *o = s->dev.ops;

	a.op = op;
	memcpy(a.sha, s->cfg->mac, ETH_ADDR_LEN);
	a.spa = s->cfg->ip;
	if (op == ARP_OP_REPLY)
		memcpy(a.tha, tha, ETH_ADDR_LEN);
	else
		memset(a.tha, 0, ETH_ADDR_LEN);
	a.tpa = tpa;
	net_eth_header(s, f, op == ARP_OP_REPLY ? tha : NULL, ETH_TYPE_ARP);
	arp_emit(&a, f + ETH_HDR_LEN, ARP_LEN);
	if (o->tx_begin(s->dev.dev) != 0) {
		NET_INC(s, IP_TX_FAIL);
		return;
	}
	o->tx_write(s->dev.dev, f, sizeof(f));
	if (o->tx_send(s->dev.dev) != 0)
		NET_INC(s, IP_TX_FAIL);
}

#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
/* e's index in the cache. Out of line: the pointer difference is a
 * division by the entry size (a multiply sequence on AVR). */
static NET_NOINLINE uint8_t slot(const struct net_stack *s, const struct arp_entry *e)
{
	return (uint8_t)(e - s->arp);
}

/* Slot size of the entry being held for (device memory or RAM). */
static uint16_t hold_size(const struct net_stack *s)
{
	return s->hold_base ? (uint16_t)NET_ARP_HOLD : (uint16_t)NET_ARP_HOLD_RAM;
}

bool arp_hold_begin(struct net_stack *s, uint32_t next_hop, uint16_t len)
{
	struct arp_entry *e = find(s, next_hop);

	if (!e || e->state != ARP_PENDING || len > hold_size(s))
		return false;
	if (e->held)
		NET_INC(s, ARP_HOLD_REPLACED);
	e->held = 0; /* until the new frame is complete */
	s->hold = (uint8_t)(slot(s, e) + 1u);
	s->hold_off = 0;
	return true;
}

void arp_hold_write(struct net_stack *s, const uint8_t *p, uint16_t n)
{
	uint8_t i = (uint8_t)(s->hold - 1u);

	if (s->hold_base)
		s->dev.ops->mem_write(s->dev.dev, (uint16_t)(s->hold_base + i * NET_ARP_HOLD + s->hold_off), p, n);
#if NET_ARP_HOLD_RAM
	else
		memcpy(s->hold_ram[i] + s->hold_off, p, n);
#endif
	s->hold_off = (uint16_t)(s->hold_off + n);
}

void arp_hold_end(struct net_stack *s)
{
	s->arp[s->hold - 1u].held = s->hold_off;
	s->hold = 0;
}

/* The entry resolved: its held frame goes out with the learned address. */
static NET_NOINLINE void hold_send(struct net_stack *s, struct arp_entry *e)
{
	const struct netdev_ops *o = s->dev.ops;
	uint8_t i = slot(s, e);
	uint16_t n = e->held;

	if (n == 0)
		return;
	e->held = 0;
	if (o->tx_begin(s->dev.dev) != 0) {
		NET_INC(s, IP_TX_FAIL);
		return;
	}
	o->tx_write(s->dev.dev, e->mac, ETH_ADDR_LEN);
	n = (uint16_t)(n - ETH_ADDR_LEN);
	if (s->hold_base)
		o->tx_copy_from_mem(s->dev.dev, (uint16_t)(s->hold_base + i * NET_ARP_HOLD + ETH_ADDR_LEN), n);
#if NET_ARP_HOLD_RAM
	else
		o->tx_write(s->dev.dev, s->hold_ram[i] + ETH_ADDR_LEN, n);
#endif
	NET_INC(s, ARP_HOLD_SENT);
	ip_output_end(s);
}
#endif

/* The entry now maps to mac, for arp_max_age_ms. */
static NET_NOINLINE void learn(struct net_stack *s, struct arp_entry *e, const uint8_t *mac)
{
	memcpy(e->mac, mac, ETH_ADDR_LEN);
	e->state = ARP_VALID;
	e->expires = net_deadline(s, s->cfg->arp_max_age_ms);
}

/* We are the target, and the sender doesn't claim our own address. Out
 * of line: arp_input then keeps no 32-bit value in registers it must
 * save, and gets the shared prologue. */
static NET_NOINLINE bool for_us(const struct net_stack *s, const struct arp_repr *a)
{
	return a->tpa == s->cfg->ip && a->spa != s->cfg->ip;
}

/* RFC 826 "packet reception": merge the sender into an existing entry;
 * if we are the target, add it and answer a request. Requests for other
 * addresses are not answered (proxy ARP is not ours to do). */
void arp_input(struct net_stack *s, const struct net_rx *rx)
{
	uint8_t b[ARP_LEN];
	struct arp_repr a;
	struct arp_entry *e;
	bool was_pending = false;

	NET_INC(s, ARP_RX);
	if (rx->frame_len < ETH_HDR_LEN + ARP_LEN) {
		NET_INC(s, ETH_RUNT);
		return;
	}
	net_rx_read(s, ETH_HDR_LEN, b, ARP_LEN);
	if (arp_parse(b, ARP_LEN, &a) != WIRE_OK || a.spa == 0 || eth_is_multicast(a.sha)) {
		NET_INC(s, ARP_MALFORMED);
		return;
	}
	e = find(s, a.spa);
	if (e) {
		was_pending = e->state == ARP_PENDING;
		learn(s, e, a.sha);
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
		hold_send(s, e);
#endif
	}
	if (!for_us(s, &a)) {
		NET_INC(s, ARP_NOT_US);
		if (was_pending)
			tcp_arp_resolved(s, a.spa);
		return;
	}
	if (!e) {
		e = victim(s);
		if (e) {
			e->ip = a.spa;
			e->tries = 0;
			learn(s, e, a.sha);
		}
	}
	if (a.op == ARP_OP_REQUEST) {
		send_arp(s, ARP_OP_REPLY, a.sha, a.spa);
		NET_INC(s, ARP_REPLIES);
	}
	if (was_pending)
		tcp_arp_resolved(s, a.spa);
}

/* Link address of next_hop, or NULL: then a request is (or already was)
 * sent and the caller drops its frame. */
const uint8_t *arp_resolve(struct net_stack *s, uint32_t next_hop)
{
	struct arp_entry *e = find(s, next_hop);

	if (e && e->state == ARP_VALID)
		return e->mac;
	if (!e) {
		e = victim(s);
		if (!e)
			return NULL; /* every entry pending: try again later */
		memset(e, 0, sizeof(*e));
		e->ip = next_hop;
		e->state = ARP_PENDING;
		e->tries = 1;
		e->expires = net_deadline(s, s->cfg->arp_retry_ms);
		send_arp(s, ARP_OP_REQUEST, NULL, next_hop);
		NET_INC(s, ARP_REQUESTS);
	}
	return NULL;
}

/* Ageing and request retries; returns ms until the next ARP deadline. */
uint32_t arp_timers(struct net_stack *s)
{
	uint32_t next = NET_MS_NEVER, left;
	uint8_t i;

	for (i = 0; i < NET_ARP_ENTRIES; i++) {
		struct arp_entry *e = &s->arp[i];

		if (e->state == ARP_FREE)
			continue;
		if (ms_due(s->ms, e->expires)) {
			if (e->state == ARP_PENDING && e->tries < ARP_MAX_TRIES) {
				e->tries++;
				e->expires = net_deadline(s, s->cfg->arp_retry_ms);
				send_arp(s, ARP_OP_REQUEST, NULL, e->ip);
				NET_INC(s, ARP_REQUESTS);
			} else {
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
				if (e->held) {
					e->held = 0;
					NET_INC(s, ARP_HOLD_EXPIRED);
				}
#endif
				e->state = ARP_FREE;
				NET_INC(s, ARP_EXPIRED);
				continue;
			}
		}
		left = ms_left(s->ms, e->expires);
		if (left < next)
			next = left;
	}
	return next;
}

/* Gratuitous ARP request: sender and target are our address (RFC 5227
 * announcement), so neighbours refresh a stale entry for us. */
void arp_gratuitous(struct net_stack *s)
{
	if (s->cfg->ip == 0)
		return;
	send_arp(s, ARP_OP_REQUEST, NULL, s->cfg->ip);
	NET_INC(s, ARP_GRATUITOUS);
}

unsigned arp_entries_in_use(const struct net_stack *s)
{
	unsigned n = 0;
	uint8_t i;

	for (i = 0; i < NET_ARP_ENTRIES; i++)
		n += s->arp[i].state != ARP_FREE;
	return n;
}

void arp_flush(struct net_stack *s)
{
	memset(s->arp, 0, sizeof(s->arp));
}
