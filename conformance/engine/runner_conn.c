/*
 * runner_conn.c - the connections a script talks to, and each one's pair
 * of ISNs: sequence numbers in a script are relative per connection, as
 * packetdrill's are per socket (conformance/README.md "The
 * sequence-number model").
 *
 *   runner.c do_inbound  -> engine_conn_inbound  (the line's 4-tuple; its SYN
 *                                                 sets the peer's ISN)
 *   runner.c do_outbound -> engine_conn_outbound (the segment's 4-tuple; the
 *                                                 DUT's SYN or SYN-ACK sets
 *                                                 the DUT's ISN)
 *   connect (statement or call) -> engine_conn_connecting
 *   -> engine_conn_map: the engine_map packet.c and verify.c work with
 *
 * A connection is a 4-tuple (the DUT's port, the peer's address and
 * port; the DUT has one address). A line that writes ports
 * (`40001>8080`) talks to that tuple; one that does not, to the current
 * connection: the header's tuple at first, then the latest active open
 * (whose tuple the DUT's SYN tells). An active open is a new connection
 * even on a tuple used before (an adapter may bind the same port again):
 * its SYN sets the DUT's ISN afresh. Lines on a tuple a connection
 * already used belong to it, so a retransmitted SYN keeps the numbers.
 */
#include <string.h>

#include "engine_internal.h"

static int find(const struct engine_run *e, uint16_t dut_port, uint32_t peer_ip, uint16_t peer_port)
{
	for (size_t i = 0; i < e->n_conns; i++)
		if (e->conns[i].dut_port == dut_port && e->conns[i].peer_ip == peer_ip &&
		    e->conns[i].peer_port == peer_port)
			return (int)i;
	return -1;
}

/* The connection of a tuple, a new one when it is new (or -1 when the
 * table is full: numbers then stand as written). */
static int find_or_add(struct engine_run *e, uint16_t dut_port, uint32_t peer_ip, uint16_t peer_port)
{
	int i = find(e, dut_port, peer_ip, peer_port);
	if (i >= 0 || e->n_conns == ENGINE_CONNS)
		return i;
	struct engine_conn *c = &e->conns[e->n_conns];
	memset(c, 0, sizeof *c);
	c->dut_port = dut_port;
	c->peer_ip = peer_ip;
	c->peer_port = peer_port;
	return (int)e->n_conns++;
}

void engine_conn_map(const struct engine_run *e, int conn, struct engine_map *m)
{
	*m = e->map;
	m->dut_isn_known = m->peer_isn_known = false;
	m->dut_isn = m->peer_isn = 0;
	if (conn < 0)
		return;
	const struct engine_conn *c = &e->conns[conn];
	m->dut_isn_known = c->dut_isn_known;
	m->dut_isn = c->dut_isn;
	m->peer_isn_known = c->peer_isn_known;
	m->peer_isn = c->peer_isn;
	m->dut_port = c->dut_port;
	m->peer_ip = c->peer_ip;
	m->peer_port = c->peer_port;
}

int engine_conn_inbound(struct engine_run *e, const struct script_packet *p)
{
	/* An ICMP error is about the current connection, whoever sends it. */
	bool icmp = p->proto == SCRIPT_PROTO_ICMP;
	uint16_t dut_port = p->ip.has_ports && !icmp ? p->ip.dst_port : e->map.dut_port;
	uint16_t peer_port = p->ip.has_ports && !icmp ? p->ip.src_port : e->map.peer_port;
	uint32_t peer_ip = p->ip.has_addrs && !icmp ? p->ip.src_addr : e->map.peer_ip;
	int i = find_or_add(e, dut_port, peer_ip, peer_port);
	if (i < 0)
		return i;
	struct engine_conn *c = &e->conns[i];
	/* The peer's ISN: 0, or the number of a SYN written absolute (a
	 * capture's real ISN), so later relative numbers count from it. */
	/* packetdrill (real calls): any SYN's number is the peer's ISN, sent
	 * as written (runner.c), and later numbers count from it. */
	if (e->real_sys && (p->flags & TCP_SYN) && !c->peer_isn_known) {
		c->peer_isn_known = true;
		c->peer_isn = p->seq_start;
		return i;
	}
	if ((p->flags & TCP_SYN) && !(p->flags & TCP_ACK) && !c->peer_isn_known) {
		c->peer_isn_known = true;
		c->peer_isn = p->seq_mode == SCRIPT_SEQ_ABSOLUTE ? p->seq_start : 0;
	}
	return i;
}

void engine_conn_connecting(struct engine_run *e)
{
	e->fresh_syn = true;
}

/* packetdrill sniffs only the socket under test's segments (its
 * find_socket_for_live_packet): the child of the latest inbound SYN, or
 * the latest socket(), whose SYN tells its tuple (runner_real.c forgets
 * the old one at socket()). A segment of another
 * connection the script has talked to is passed over; one of a tuple never
 * seen (a RST from a closed port) is still matched. */
void engine_sut_set(struct engine_run *e, uint16_t dut_port, uint32_t peer_ip, uint16_t peer_port)
{
	e->sut_known = true;
	e->sut_dut_port = dut_port;
	e->sut_peer_ip = peer_ip;
	e->sut_peer_port = peer_port;
}

void engine_conn_new_child(struct engine_run *e)
{
	while (find(e, e->map.dut_port, e->map.peer_ip, e->map.peer_port) >= 0)
		e->map.peer_port = (uint16_t)(e->map.peer_port == 65535 ? 1024 : e->map.peer_port + 1);
}

bool engine_sut_segment(struct engine_run *e, const struct engine_seg *seg)
{
	if (seg->err != 0)
		return true;
	uint16_t dp = seg->tcp.src_port, pp = seg->tcp.dst_port;
	uint32_t pip = seg->ip.dst;
	if (e->sut_known)
		return (dp == e->sut_dut_port && pip == e->sut_peer_ip && pp == e->sut_peer_port) ||
		       find(e, dp, pip, pp) < 0;
	if ((seg->tcp.flags & TCP_SYN) && !(seg->tcp.flags & TCP_ACK)) {
		engine_sut_set(e, dp, pip, pp);
		return true;
	}
	return find(e, dp, pip, pp) < 0;
}

int engine_conn_outbound(struct engine_run *e, const struct engine_seg *seg, const struct script_packet *p)
{
	if (seg->err != 0 || seg->ip.proto != IPV4_PROTO_TCP) /* udp / icmp: no connection of their own */
		return e->n_conns > 0 ? 0 : -1;
	bool syn = (seg->tcp.flags & TCP_SYN) != 0, ack = (seg->tcp.flags & TCP_ACK) != 0;
	int i = find_or_add(e, seg->tcp.src_port, seg->ip.dst, seg->tcp.dst_port);
	if (i < 0)
		return i;
	struct engine_conn *c = &e->conns[i];
	if (syn && !ack && e->fresh_syn) {
		/* The SYN of an active open: a new connection, whatever its
		 * tuple was used for before, and the current one from now on. */
		e->fresh_syn = false;
		c->dut_isn_known = c->peer_isn_known = false;
		c->ts_first_known = false;
		e->map.dut_port = c->dut_port;
		e->map.peer_ip = c->peer_ip;
		e->map.peer_port = c->peer_port;
	}
	if (syn && !c->dut_isn_known) {
		c->dut_isn_known = true;
		c->dut_isn = seg->tcp.seq - (p->seq_mode == SCRIPT_SEQ_RELATIVE ? p->seq_start : 0);
		if (!ack)
			e->map.dut_port = c->dut_port;
	}
	return i;
}

int engine_conn_of(const struct engine_run *e, const struct engine_seg *seg)
{
	if (seg->err != 0 || seg->ip.proto != IPV4_PROTO_TCP)
		return -1;
	return find(e, seg->tcp.src_port, seg->ip.dst, seg->tcp.dst_port);
}
