/*
 * tcp_icmp.c - ICMP errors about our TCP segments (RFC 1122 §4.2.3.9,
 * RFC 9293 §3.9.2.2, RFC 5927 §4.1, RFC 6633).
 *
 * RFC 1122 §4.2.3.9: "TCP MUST act on an ICMP error message passed up from
 * the IP layer, directing it to the connection that created the error";
 * the quoted IP header and the first 8 bytes of our segment (ports and
 * sequence number) name the connection. What acting means here:
 *
 *   - the quoted sequence number must lie in SND.UNA =< SEQ < SND.MAX
 *     (RFC 5927 §4.1: an off-path attacker who does not know it cannot
 *     reset a connection with a forged error); anything else, or an error
 *     quoting no connection of ours, is dropped as icmp.unhandled;
 *   - a hard error aborts a connection that is not yet synchronized
 *     (SYN-SENT, SYN-RECEIVED): "Destination Unreachable -- codes 2-4:
 *     These are hard error conditions, so TCP SHOULD abort the
 *     connection." Code 4 is left out: we always send with DF (ipv4.c),
 *     where fragmentation needed is RFC 1191's path MTU signal, not a
 *     verdict on the connection (we keep no path MTU, so it changes
 *     nothing). Codes 9, 10 and 13 (communication administratively
 *     prohibited, RFC 1812 §5.2.7.1) are hard as in Linux and FreeBSD:
 *     retrying cannot succeed. The application sees TCP_EV_REFUSED, as
 *     for a RST in those states;
 *   - in a synchronized state a hard error is taken as soft (RFC 5461
 *     §4, which Linux and FreeBSD follow; RFC 9293 §3.9.2.2 allows it):
 *     a forged or stale error must not end a working connection;
 *   - soft errors, "Destination Unreachable -- codes 0, 1, 5" and Time
 *     Exceeded and Parameter Problem, handled the same way: "TCP MUST NOT
 *     abort the connection"; counted (tcp.icmp_errors). Their SHOULD,
 *     making the information available to the application, is not
 *     implemented: the event interface has no place for it.
 *
 * Source Quench is not passed here: RFC 6633 §2 says a TCP implementation
 * MUST silently discard it (icmp.c counts it as unhandled).
 *
 * Called by icmp.c (icmp_input) for types 3, 11 and 12.
 */
#include "net_internal.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

#if NET_TCP_ICMP

/* The datagram an error quotes is one we sent: a 20-byte IPv4 header (we
 * send no IP options) and the first 8 bytes of our TCP header. */
#define QUOTE_LEN (IPV4_HDR_MIN + 8u)

static bool hard_error(uint8_t type, uint8_t code)
{
	if (type != ICMP_DEST_UNREACH)
		return false;
	switch (code) {
	case ICMP_UNREACH_PROTO:
	case ICMP_UNREACH_PORT:
	case 9u:  /* network administratively prohibited */
	case 10u: /* host administratively prohibited */
	case 13u: /* communication administratively prohibited */
		return true;
	default:
		return false;
	}
}

enum net_stat_id tcp_icmp_error(struct net_stack *s, const struct net_rx *rx, uint8_t type, uint8_t code)
{
	uint8_t q[QUOTE_LEN];
	struct tcp_pcb *c;
	uint32_t seq;

	if (rx->l4_len < ICMP_HDR_LEN + QUOTE_LEN)
		return NET_STAT_ICMP_UNHANDLED;
	net_rx_read(s, (uint16_t)(rx->l4_off + ICMP_HDR_LEN), q, QUOTE_LEN);
	if (q[IPV4_OFF_VHL] != 0x45u || q[IPV4_OFF_PROTO] != IPV4_PROTO_TCP ||
	    wire_get32(q + IPV4_OFF_SRC) != s->cfg->ip)
		return NET_STAT_ICMP_UNHANDLED;
	c = tcp_pcb_find(s, wire_get32(q + IPV4_OFF_DST), wire_get16(q + IPV4_HDR_MIN),
			 wire_get16(q + IPV4_HDR_MIN + 2u));
	seq = wire_get32(q + IPV4_HDR_MIN + 4u);
	/* RFC 5927 §4.1: SND.UNA =< SEQ < SND.MAX, in one unsigned compare. */
	if (c == NULL || seq - c->snd_una >= c->snd_max - c->snd_una)
		return NET_STAT_ICMP_UNHANDLED;
	NET_INC(s, TCP_ICMP_ERRORS);
	if (hard_error(type, code) && (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED))
		tcp_finish(s, c, TCP_EV_REFUSED);
	return NET_STAT_COUNT;
}
#endif
