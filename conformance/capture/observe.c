/*
 * observe.c - the observer's main loop (explain.h): the conversation
 * table, the notes and expectations, and for every TCP segment the order
 * in which the sender's side (observe_tx.c) and the receiver's side
 * (observe_rx.c) are told.
 *
 *   xp_packet(p)
 *     non-TCP: counted in the summary
 *     TCP: find or open the conversation (a new SYN on a used 4-tuple
 *          starts a new one), then for segment P from end S to end R:
 *       1. checksums           a bad one: R drops P (note), R's side is skipped
 *       2. does P answer something S owed?  a RST, an empty ACK or a SYN-ACK
 *          matched against S's expectations (struct xp_expect), else the
 *          abort / unexplained rules for a RST              (observe_tx.c)
 *       3. retransmission, zero window (S's own behaviour)  (observe_tx.c)
 *       4. S's variables and state move as its own segment shows
 *                                                           (observe_tx.c)
 *       5. xp_receive() (observe_rx.c): what R must do with P, which
 *          becomes R's expectations and R's new state
 *       6. the ladder row and the notes go to the sink
 *     conversations closed for XP_GRACE_NS or idle for XP_IDLE_NS are ended
 *
 * The numbers in every text are the capture's own, absolute, with the
 * arithmetic modulo 2^32 written out.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "observe.h"

#define NBUCKETS0 4096u

/* ---- the conversation table ---------------------------------------------- */

static int ep_cmp(const struct cap_addr *a, uint16_t pa, const struct cap_addr *b, uint16_t pb)
{
	int c = memcmp(a->a, b->a, a->v == 6 ? 16u : 4u);
	if (c != 0)
		return c;
	return pa < pb ? -1 : pa > pb ? 1 : 0;
}

static uint64_t mix(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull; /* FNV-1a */
	}
	return h;
}

/* Hash of the unordered endpoint pair. */
static uint64_t conv_hash(const struct cap_pkt *p)
{
	const struct cap_addr *a = &p->src, *b = &p->dst;
	uint16_t pa = p->tcp.src_port, pb = p->tcp.dst_port;
	if (ep_cmp(a, pa, b, pb) > 0) {
		const struct cap_addr *t = a;
		a = b;
		b = t;
		uint16_t tp = pa;
		pa = pb;
		pb = tp;
	}
	size_t n = a->v == 6 ? 16u : 4u;
	uint8_t ports[4] = {(uint8_t)(pa >> 8), (uint8_t)pa, (uint8_t)(pb >> 8), (uint8_t)pb};
	uint64_t h = mix(0xcbf29ce484222325ull, a->a, n);
	h = mix(h, b->a, n);
	return mix(h, ports, 4);
}

/* Which end of c sent p: 0, 1, or -1 if p is not c's. */
static int end_of(const struct xp_conv *c, const struct cap_pkt *p)
{
	for (int i = 0; i < 2; i++)
		if (cap_addr_eq(&c->info.addr[i], &p->src) && c->info.port[i] == p->tcp.src_port &&
		    cap_addr_eq(&c->info.addr[1 - i], &p->dst) && c->info.port[1 - i] == p->tcp.dst_port)
			return i;
	return -1;
}

static struct xp_conv **head_of(struct explain *x, const struct xp_conv *c)
{
	return c->in_closed ? &x->c_oldest : &x->oldest;
}

static struct xp_conv **tail_of(struct explain *x, const struct xp_conv *c)
{
	return c->in_closed ? &x->c_newest : &x->newest;
}

static void list_unlink(struct explain *x, struct xp_conv *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		*head_of(x, c) = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		*tail_of(x, c) = c->prev;
	c->prev = c->next = NULL;
}

/* Appends c to the open list, or to the closed list with `closed`. */
static void list_push(struct explain *x, struct xp_conv *c, bool closed)
{
	c->in_closed = closed;
	struct xp_conv **tail = tail_of(x, c);
	c->prev = *tail;
	c->next = NULL;
	if (*tail)
		(*tail)->next = c;
	else
		*head_of(x, c) = c;
	*tail = c;
}

void xp_exp_clear(struct xp_expect *e)
{
	free(e->why);
	memset(e, 0, sizeof *e);
}

static void conv_free(struct xp_conv *c)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < XP_EXPECT; j++)
			xp_exp_clear(&c->e[i].exp[j]);
	free(c->unknowns);
	free(c);
}

static void conv_end(struct explain *x, struct xp_conv *c)
{
	for (int i = 0; i < 2; i++) {
		c->info.state[i] = c->e[i].st;
		c->info.iss_known[i] = c->e[i].iss_known;
		c->info.iss[i] = c->e[i].iss;
	}
	c->info.unknowns = c->unknowns;
	if (x->sink->conv_end)
		x->sink->conv_end(x->ctx, &c->info);
	struct xp_conv **pp = &x->table[c->hash % x->nbuckets];
	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	list_unlink(x, c);
	x->open--;
	conv_free(c);
}

static void grow(struct explain *x)
{
	size_t n = x->nbuckets * 2;
	struct xp_conv **t = calloc(n, sizeof *t);
	if (t == NULL)
		return; /* keep the longer chains */
	for (size_t i = 0; i < x->nbuckets; i++) {
		struct xp_conv *c = x->table[i];
		while (c) {
			struct xp_conv *nx = c->hnext;
			c->hnext = t[c->hash % n];
			t[c->hash % n] = c;
			c = nx;
		}
	}
	free(x->table);
	x->table = t;
	x->nbuckets = n;
}

static struct xp_conv *conv_open(struct explain *x, const struct cap_pkt *p, uint64_t h)
{
	struct xp_conv *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	if (x->open + 1 > x->nbuckets)
		grow(x);
	c->hash = h;
	c->info.id = ++x->next_id;
	c->info.addr[0] = p->src;
	c->info.port[0] = p->tcp.src_port;
	c->info.addr[1] = p->dst;
	c->info.port[1] = p->tcp.dst_port;
	for (int i = 0; i < 2; i++)
		cap_endpoint_str(&c->info.addr[i], c->info.port[i], c->info.name[i], sizeof c->info.name[i]);
	c->info.client = -1;
	c->info.first_frame = p->frame;
	c->info.first_ns = p->ts_ns;
	uint8_t f = p->tcp.flags;
	if ((f & TCP_SYN) && !(f & TCP_ACK)) {
		c->info.client = 0;
	} else if ((f & TCP_SYN) && (f & TCP_ACK)) {
		c->info.client = 1;
		/* The client must be in SYN-SENT; its ISS is taken to be what the
		 * SYN-ACK acknowledges, less one. */
		struct xp_end *cl = &c->e[1];
		cl->st = XP_ST_SYN_SENT;
		cl->iss = p->tcp.ack - 1u;
		cl->iss_known = cl->nxt_known = cl->una_known = true;
		cl->snd_nxt = p->tcp.ack;
		cl->snd_una = cl->iss;
		if (asprintf(&c->unknowns,
			     "the capture starts with the SYN-ACK (frame %" PRIu64 "): the client's SYN, and so its "
			     "ISS and options, were not captured",
			     p->frame) < 0)
			c->unknowns = NULL;
	} else {
		c->info.midstream = true;
		if (asprintf(&c->unknowns,
			     "the capture starts mid-stream (frame %" PRIu64 " is not a SYN): the ISNs, the window "
			     "scale and the MSS are unknown, both ends are taken to be synchronized, and windows are "
			     "checked only where the scale cannot matter",
			     p->frame) < 0)
			c->unknowns = NULL;
	}
	c->hnext = x->table[h % x->nbuckets];
	x->table[h % x->nbuckets] = c;
	list_push(x, c, false);
	x->open++;
	x->sum.conversations++;
	if (x->open > x->sum.open_max)
		x->sum.open_max = x->open;
	if (x->sink->conv_begin)
		x->sink->conv_begin(x->ctx, &c->info);
	return c;
}

/* ---- listeners seen ---------------------------------------------------------- */

static size_t port_slot(const struct cap_addr *a, uint16_t port)
{
	uint8_t pb[2] = {(uint8_t)(port >> 8), (uint8_t)port};
	uint64_t h = mix(mix(0xcbf29ce484222325ull, a->a, a->v == 6 ? 16u : 4u), pb, 2);
	return (size_t)(h % XP_PORTS);
}

enum xp_port_state xp_port_get(struct explain *x, const struct cap_addr *a, uint16_t port)
{
	if (x->ports == NULL)
		return XP_PORT_UNKNOWN;
	for (size_t i = port_slot(a, port), n = 0; n < XP_PORTS; i = (i + 1) % XP_PORTS, n++) {
		struct xp_port *s = &x->ports[i];
		if (s->st == XP_PORT_UNKNOWN)
			return XP_PORT_UNKNOWN;
		if (s->port == port && cap_addr_eq(&s->a, a))
			return (enum xp_port_state)s->st;
	}
	return XP_PORT_UNKNOWN;
}

void xp_port_set(struct explain *x, const struct cap_addr *a, uint16_t port, enum xp_port_state st)
{
	if (x->ports == NULL && (x->ports = calloc(XP_PORTS, sizeof *x->ports)) == NULL)
		return;
	for (size_t i = port_slot(a, port), n = 0; n < XP_PORTS; i = (i + 1) % XP_PORTS, n++) {
		struct xp_port *s = &x->ports[i];
		if (s->st == XP_PORT_UNKNOWN || (s->port == port && cap_addr_eq(&s->a, a))) {
			s->a = *a;
			s->port = port;
			s->st = (uint8_t)st;
			return;
		}
	}
}

/* ---- notes and expectations ---------------------------------------------- */

const char *xp_end_name(const struct xp_pkt_ctx *k, int who)
{
	return k->c->info.name[who];
}

void xp_end_label(const struct xp_pkt_ctx *k, int who, char *buf, size_t cap)
{
	int cl = k->c->info.client;
	if (cl < 0)
		snprintf(buf, cap, "%s", k->c->info.name[who]);
	else
		snprintf(buf, cap, "the %s (%s)", who == cl ? "client" : "server", k->c->info.name[who]);
}

void xp_end_poss(const struct xp_pkt_ctx *k, int who, char *buf, size_t cap)
{
	int cl = k->c->info.client;
	if (cl < 0)
		snprintf(buf, cap, "%s's", k->c->info.name[who]);
	else
		snprintf(buf, cap, "the %s's", who == cl ? "client" : "server");
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

struct xp_pending_note *xp_note_add(struct xp_pkt_ctx *k, const char *rule_id, int sender, uint64_t caused_by,
				    const char *fmt, ...)
{
	if (k->n_notes == XP_PKT_NOTES)
		return NULL;
	struct xp_pending_note *n = &k->notes[k->n_notes++];
	memset(n, 0, sizeof *n);
	n->n.rule = xp_rule_find(rule_id);
	n->n.frame = k->p->frame;
	n->n.caused_by = caused_by;
	n->st_sender = (uint8_t)k->st_before[sender];
	n->n.state = xp_state_name(k->st_before[sender]);
	snprintf(n->n.sender, sizeof n->n.sender, "%s", k->c->info.name[sender]);
	snprintf(n->n.receiver, sizeof n->n.receiver, "%s", k->c->info.name[1 - sender]);
	va_list ap;
	va_start(ap, fmt);
	n->text = vformat(fmt, ap);
	va_end(ap);
	return n;
}

void xp_note_append(struct xp_pending_note *n, const char *fmt, ...)
{
	if (n == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *add = vformat(fmt, ap);
	va_end(ap);
	if (add == NULL)
		return;
	size_t a = n->text ? strlen(n->text) : 0, b = strlen(add);
	char *t = realloc(n->text, a + b + 1);
	if (t != NULL) {
		memcpy(t + a, add, b + 1);
		n->text = t;
	}
	free(add);
}

struct xp_expect *xp_expect_add(struct xp_pkt_ctx *k, int who, enum xp_exp_kind kind, const char *rule_id,
				uint32_t group)
{
	struct xp_end *e = &k->c->e[who];
	struct xp_expect *slot = NULL;
	for (int i = 0; i < XP_EXPECT && slot == NULL; i++)
		if (!e->exp[i].used)
			slot = &e->exp[i];
	if (slot == NULL) { /* drop the oldest */
		slot = &e->exp[0];
		for (int i = 1; i < XP_EXPECT; i++)
			if (e->exp[i].frame < slot->frame)
				slot = &e->exp[i];
	}
	xp_exp_clear(slot);
	slot->used = true;
	slot->kind = kind;
	slot->group = group ? group : ++e->next_group;
	slot->frame = k->p->frame;
	slot->ts_ns = k->p->ts_ns;
	slot->rule = xp_rule_find(rule_id);
	slot->st_before = e->st;
	slot->st_after = e->st;
	return slot;
}

void xp_expect_why(struct xp_expect *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(e->why);
	e->why = vformat(fmt, ap);
	va_end(ap);
}


/* ---- the ladder row ------------------------------------------------------- */

/* ---- one TCP segment -------------------------------------------------------- */

static bool both_closed(const struct xp_conv *c)
{
	for (int i = 0; i < 2; i++)
		if (c->e[i].st != XP_ST_CLOSED && c->e[i].st != XP_ST_TIME_WAIT && c->e[i].st != XP_ST_LISTEN)
			return false;
	return true;
}

static void emit(struct explain *x, struct xp_pkt_ctx *k)
{
	struct xp_conv *c = k->c;
	char desc[400];
	cap_describe(k->p, desc, sizeof desc);
	struct xp_row row;
	memset(&row, 0, sizeof row);
	row.frame = k->p->frame;
	row.ts_ns = k->p->ts_ns;
	row.from = k->s;
	row.desc = desc;
	row.trailer = k->p->trailer;
	row.bad_checksum = k->drop;
	for (int i = 0; i < 2; i++) {
		/* A passive end that has not answered yet is in LISTEN, or CLOSED
		 * if nothing listens: "LISTEN?" until its answer tells. */
		bool guess = !c->info.midstream && !c->e[i].spoke;
		row.state_before[i] = guess && k->st_before[i] == XP_ST_UNKNOWN ? "LISTEN?" : xp_state_name(k->st_before[i]);
		row.state_after[i] = guess && c->e[i].st == XP_ST_UNKNOWN ? "LISTEN?" : xp_state_name(c->e[i].st);
	}
	c->info.last_frame = k->p->frame;
	c->info.frames++;
	for (int i = 0; i < 2; i++)
		c->info.state[i] = c->e[i].st;
	if (x->sink->row)
		x->sink->row(x->ctx, &c->info, &row);
	if (k->n_notes == 0)
		return;
	/* One note per segment: the most important first, the rest under it. */
	struct xp_note all[XP_PKT_NOTES];
	int order[XP_PKT_NOTES];
	for (int i = 0; i < k->n_notes; i++)
		order[i] = i;
	for (int i = 1; i < k->n_notes; i++) /* insertion sort, stable */
		for (int j = i; j > 0 && xp_kind_rank(k->notes[order[j]].n.rule->kind) <
					       xp_kind_rank(k->notes[order[j - 1]].n.rule->kind); j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int i = 0; i < k->n_notes; i++) {
		struct xp_pending_note *n = &k->notes[order[i]];
		n->n.conv = c->info.id;
		if (n->text && n->text[0] >= 'a' && n->text[0] <= 'z')
			n->text[0] = (char)(n->text[0] - 'a' + 'A');
		n->n.text = n->text ? n->text : "";
		/* The sender's state as it sent the segment: a passive end that
		 * answers has already left "no connection" (RFC 9293 §3.10.7.2). */
		if (k->st_before[k->s] == XP_ST_UNKNOWN && !c->info.midstream)
			n->n.state = xp_state_name(c->e[k->s].st);
		n->n.mark = n->mark[0] ? n->mark : NULL;
		all[i] = n->n;
	}
	all[0].also = k->n_notes > 1 ? &all[1] : NULL;
	all[0].n_also = (size_t)k->n_notes - 1u;
	if (all[0].mark == NULL)
		for (int i = 1; i < k->n_notes && all[0].mark == NULL; i++)
			all[0].mark = all[i].mark;
	x->sum.notes++;
	if (x->sink->note)
		x->sink->note(x->ctx, &c->info, &all[0]);
	for (int i = 0; i < k->n_notes; i++)
		free(k->notes[i].text);
}

int xp_kind_rank(const char *kind)
{
	static const char *const ORDER[] = {"rst",	    "challenge-ack",  "ack-unacceptable",
					    "bad-checksum", "unacceptable",   "ignored",
					    "retransmission", "unexplained", "zero-window",
					    "keepalive",   "window-probe"};
	for (int i = 0; i < (int)(sizeof ORDER / sizeof ORDER[0]); i++)
		if (strcmp(kind, ORDER[i]) == 0)
			return i;
	return 99;
}

static void expire(struct explain *x, uint64_t now)
{
	while (x->oldest && now > x->oldest->last_ns && now - x->oldest->last_ns > XP_IDLE_NS)
		conv_end(x, x->oldest);
	while (x->c_oldest && now > x->c_oldest->closed_ns && now - x->c_oldest->closed_ns > XP_GRACE_NS)
		conv_end(x, x->c_oldest);
}

/* Hosts seen to offload TCP checksums (their bad ones were accepted). */
static bool offloads(const struct explain *x, const struct cap_addr *a)
{
	for (unsigned i = 0; i < x->n_offload; i++)
		if (cap_addr_eq(&x->offload[i], a))
			return true;
	return false;
}

static void offload_add(struct explain *x, const struct cap_addr *a)
{
	if (!offloads(x, a) && x->n_offload < sizeof x->offload / sizeof x->offload[0])
		x->offload[x->n_offload++] = *a;
}

static void tcp_segment(struct explain *x, const struct cap_pkt *p)
{
	uint64_t h = conv_hash(p);
	struct xp_conv *c = x->table[h % x->nbuckets];
	while (c && (c->hash != h || end_of(c, p) < 0))
		c = c->hnext;
	uint8_t f = p->tcp.flags;
	/* A SYN with a new ISN on a 4-tuple that is done with: a new
	 * conversation (RFC 9293 §3.6.1, MAY-2 allows it even in TIME-WAIT). */
	if (c != NULL && (f & TCP_SYN) && !(f & TCP_ACK)) {
		int s = end_of(c, p);
		if (c->e[s].iss_known && p->tcp.seq != c->e[s].iss &&
		    (both_closed(c) || c->e[1 - s].st == XP_ST_TIME_WAIT || c->e[s].st == XP_ST_CLOSED)) {
			conv_end(x, c);
			c = NULL;
		}
	}
	if (c == NULL && (c = conv_open(x, p, h)) == NULL)
		return;
	c->last_ns = p->ts_ns;

	struct xp_pkt_ctx k;
	memset(&k, 0, sizeof k);
	k.x = x;
	k.p = p;
	k.c = c;
	k.s = end_of(c, p);
	k.r = 1 - k.s;
	k.seglen = tcp_seg_len(f, p->payload_len);
	k.st_before[0] = c->e[0].st;
	k.st_before[1] = c->e[1].st;
	struct xp_end *s = &c->e[k.s];
	char who[96];

	/* 1. checksums. A capture taken on the sending host sees segments
	 * before the network card fills their checksums in (offload): those
	 * are valid on the wire. Offload shows as the pseudo-header sum in the
	 * field, as a frame marked outgoing, or as a host whose "bad"
	 * segments its peer went on to acknowledge. */
	bool bad_ip = !p->ip_csum_ok, bad_tcp = p->tcp_csum_known && !p->tcp_csum_ok;
	if (!bad_ip && bad_tcp && (p->tcp_csum_partial || p->dir == CAP_DIR_OUT || offloads(x, &p->src))) {
		x->sum.csum_offload++;
	} else if (bad_ip || bad_tcp) {
		xp_end_label(&k, k.r, who, sizeof who);
		xp_note_add(&k, bad_ip ? "checksum.ip" : "checksum.tcp", k.s, 0,
			    "The %s checksum does not verify, so %s discards the segment without answering (RFC 9293 "
			    "§3.1: the receiver MUST check it, MUST-3). If %s acknowledges it all the same, the "
			    "checksum was wrong only in the capture: it was taken on the sender, before its network "
			    "card filled the checksum in (offload).",
			    bad_ip ? "IPv4 header" : "TCP", who, who);
		k.drop = true;
		s->bad_csum_end = p->tcp.seq + k.seglen;
		s->bad_csum_pending = k.seglen > 0;
	}
	/* A segment dropped for its checksum that the peer acknowledges was
	 * fine on the wire: its sender offloads checksums. */
	struct xp_end *peer_end = &c->e[k.r];
	if ((f & TCP_ACK) && !(f & TCP_RST) && peer_end->bad_csum_pending && seq_ge(p->tcp.ack, peer_end->bad_csum_end)) {
		peer_end->bad_csum_pending = false;
		offload_add(x, &c->info.addr[k.r]);
	}
	/* 2. answers */
	if (f & TCP_RST)
		xp_sender_rst(&k);
	else if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		xp_sender_synack(&k);
	else if ((f & TCP_ACK) && k.seglen == 0)
		xp_sender_ack(&k);
	/* 3. its own behaviour */
	xp_sender_retransmission(&k);
	xp_sender_window(&k);
	/* duplicate ACKs received by the other end, for fast retransmit */
	struct xp_end *r = &c->e[k.r];
	if ((f & TCP_ACK) && k.seglen == 0 && s->last_ack == p->tcp.ack)
		r->dupacks++;
	else if (f & TCP_ACK)
		r->dupacks = 0;
	/* 4. */
	xp_update_sender(&k);
	/* 5. */
	if (!k.drop)
		xp_receive(&k);
	/* handshake response times for the capture point */
	/* Handshake answer times: the server's from the SYN to its SYN-ACK,
	 * the client's from the SYN-ACK to its next segment. */
	if (c->await_ns[k.s] && c->resp_ns[k.s] == 0 && p->ts_ns >= c->await_ns[k.s])
		c->resp_ns[k.s] = p->ts_ns - c->await_ns[k.s] + 1;
	c->await_ns[k.s] = 0;
	if ((f & TCP_SYN) && c->resp_ns[k.r] == 0)
		c->await_ns[k.r] = p->ts_ns;
	if (!x->loc.have && c->resp_ns[0] && c->resp_ns[1]) {
		x->loc.have = true;
		for (int i = 0; i < 2; i++) {
			memcpy(x->loc.name[i], c->info.name[i], sizeof x->loc.name[i]);
			x->loc.resp[i] = c->resp_ns[i];
			x->loc.ttl[i] = c->e[i].ttl;
		}
	}
	emit(x, &k);
	/* Keep the lists in order: open ones by last activity, closed ones
	 * by the time they closed (a late segment restarts the grace). */
	list_unlink(x, c);
	bool closed = both_closed(c);
	c->closed_ns = closed ? p->ts_ns : 0;
	list_push(x, c, closed);
}

/* ---- the public interface --------------------------------------------------- */

struct explain *xp_new(const struct xp_sink *sink, void *ctx)
{
	struct explain *x = calloc(1, sizeof *x);
	if (x == NULL)
		return NULL;
	x->sink = sink;
	x->ctx = ctx;
	x->nbuckets = NBUCKETS0;
	x->table = calloc(x->nbuckets, sizeof *x->table);
	if (x->table == NULL) {
		free(x);
		return NULL;
	}
	return x;
}

void xp_packet(struct explain *x, const struct cap_pkt *p)
{
	struct xp_summary *s = &x->sum;
	if (s->frames == 0)
		s->first_ns = p->ts_ns;
	s->frames++;
	s->last_ns = p->ts_ns;
	xp_locate_packet(x, p);
	switch (p->kind) {
	case CAP_TCP:
		s->tcp++;
		tcp_segment(x, p);
		break;
	case CAP_ARP:
		s->arp++;
		break;
	case CAP_UDP:
		s->udp++;
		break;
	case CAP_ICMP:
		s->icmp++;
		break;
	case CAP_FRAGMENT:
		s->fragments++;
		break;
	case CAP_IP_OTHER:
		s->ip_other++;
		break;
	case CAP_NON_IP:
		s->non_ip++;
		break;
	}
	expire(x, p->ts_ns);
}

static int by_first_frame(const void *a, const void *b)
{
	const struct xp_conv *x = *(struct xp_conv *const *)a, *y = *(struct xp_conv *const *)b;
	return x->info.first_frame < y->info.first_frame ? -1 : x->info.first_frame > y->info.first_frame;
}

void xp_finish(struct explain *x)
{
	if (x->finished)
		return;
	x->finished = true;
	xp_locate(x);
	/* What is still open ends in order of first frame, so reports read
	 * top to bottom. */
	size_t n = x->open, i = 0;
	struct xp_conv **all = n ? calloc(n, sizeof *all) : NULL;
	if (all == NULL) {
		while (x->oldest)
			conv_end(x, x->oldest);
		while (x->c_oldest)
			conv_end(x, x->c_oldest);
		return;
	}
	for (struct xp_conv *c = x->oldest; c && i < n; c = c->next)
		all[i++] = c;
	for (struct xp_conv *c = x->c_oldest; c && i < n; c = c->next)
		all[i++] = c;
	qsort(all, i, sizeof *all, by_first_frame);
	for (size_t j = 0; j < i; j++)
		conv_end(x, all[j]);
	free(all);
}

const struct xp_summary *xp_summary(const struct explain *x)
{
	return &x->sum;
}

void xp_free(struct explain *x)
{
	if (x == NULL)
		return;
	while (x->oldest) {
		struct xp_conv *c = x->oldest;
		list_unlink(x, c);
		conv_free(c);
	}
	while (x->c_oldest) {
		struct xp_conv *c = x->c_oldest;
		list_unlink(x, c);
		conv_free(c);
	}
	free(x->table);
	free(x->ports);
	free(x);
}
