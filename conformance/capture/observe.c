/*
 * observe.c - the observer's main loop (explain.h): the conversation
 * table, and for every TCP segment the sender's side of the story.
 *
 *   xp_packet(p)
 *     non-TCP: counted in the summary
 *     TCP: find or open the conversation (a new SYN on a used 4-tuple
 *          starts a new one), then for segment P from end S to end R:
 *       1. checksums           a bad one: R drops P (note), R's side is skipped
 *       2. does P answer something S owed?  a RST, an empty ACK or a SYN-ACK
 *          matched against S's expectations (struct xp_expect), else the
 *          abort / unexplained rules for a RST
 *       3. retransmission, zero window (S's own behaviour)
 *       4. S's variables and state move as its own segment shows
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

static void exp_clear(struct xp_expect *e)
{
	free(e->why);
	memset(e, 0, sizeof *e);
}

static void conv_free(struct xp_conv *c)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < XP_EXPECT; j++)
			exp_clear(&c->e[i].exp[j]);
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
	exp_clear(slot);
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

static void consume_group(struct xp_end *e, uint32_t group)
{
	for (int i = 0; i < XP_EXPECT; i++)
		if (e->exp[i].used && e->exp[i].group == group)
			exp_clear(&e->exp[i]);
}

/* The newest expectation of `kind` that fits test(). */
static struct xp_expect *find_exp(struct xp_end *e, enum xp_exp_kind kind, bool (*test)(const struct xp_expect *,
											const struct cap_pkt *),
				  const struct cap_pkt *p)
{
	struct xp_expect *best = NULL;
	for (int i = 0; i < XP_EXPECT; i++) {
		struct xp_expect *x = &e->exp[i];
		if (x->used && x->kind == kind && (test == NULL || test(x, p)) && (best == NULL || x->frame > best->frame))
			best = x;
	}
	return best;
}

static bool rst_fits(const struct xp_expect *x, const struct cap_pkt *p)
{
	uint8_t f = p->tcp.flags & (TCP_RST | TCP_ACK);
	if (x->seq_any)
		return true;
	if (p->tcp.seq != x->seq)
		return false;
	if (x->flags & TCP_ACK)
		return f == (TCP_RST | TCP_ACK) && p->tcp.ack == x->ack;
	return true; /* <SEQ=SEG.ACK><CTL=RST>: an ACK bit on it does no harm */
}

/* ---- the sender's side ------------------------------------------------------ */

static const char *seq_rel(uint32_t v, const struct xp_end *e, char *buf, size_t cap)
{
	if (!e->iss_known)
		snprintf(buf, cap, "%u", v);
	else if (v == e->iss)
		snprintf(buf, cap, "%u (ISS)", v);
	else if (seq_gt(v, e->iss) && v - e->iss < 0x40000000u)
		snprintf(buf, cap, "%u (ISS+%u)", v, v - e->iss);
	else
		snprintf(buf, cap, "%u", v);
	return buf;
}

static void sender_rst(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	char who[96], b1[48];
	xp_end_label(k, k->s, who, sizeof who);
	bool has_ack = (p->tcp.flags & TCP_ACK) != 0;
	struct xp_expect *x = find_exp(s, EXP_RST, rst_fits, p);
	if (x != NULL) {
		struct xp_pending_note *n =
			xp_note_add(k, x->rule->id, k->s, x->frame, "%s In %s %s", x->why ? x->why : "",
				    xp_state_name(x->st_before), who);
		if (x->seq_any)
			xp_note_append(n, " answers with a reset; frame %" PRIu64 " is that reset (seq %u%s).",
				       p->frame, p->tcp.seq, has_ack ? "" : ", no ACK bit");
		else if (x->flags & TCP_ACK)
			xp_note_append(n, " must answer <SEQ=%u><ACK=%u><CTL=RST,ACK>, and frame %" PRIu64
				       " is exactly that, which confirms it.",
				       x->seq, x->ack, p->frame);
		else
			xp_note_append(n, " must answer <SEQ=SEG.ACK><CTL=RST> = <SEQ=%u><CTL=RST>; frame %" PRIu64
				       "'s seq %u equals frame %" PRIu64 "'s ACK%s, which confirms it.",
				       x->seq, p->frame, p->tcp.seq, x->frame, has_ack ? "" : " and it has no ACK bit");
		if (x->st_after == x->st_before && x->st_before != XP_ST_CLOSED && x->st_before != XP_ST_LISTEN &&
		    x->st_before != XP_ST_UNKNOWN)
			xp_note_append(n, " The reset leaves %s in %s (RFC 9293 §3.5.2: in a non-synchronized state "
				       "an unacceptable ACK draws a reset and the state does not change).",
				       who, xp_state_name(x->st_before));
		n->n.field = "seq";
		if (x->flags & TCP_ACK)
			snprintf(n->mark, sizeof n->mark, "^^^ RST seq %u ack %u: <SEQ=0><ACK=SEG.SEQ+SEG.LEN> for frame %" PRIu64,
				 p->tcp.seq, p->tcp.ack, x->frame);
		else if (!x->seq_any)
			snprintf(n->mark, sizeof n->mark, "^^^ RST seq %u = frame %" PRIu64 "'s ACK: <SEQ=SEG.ACK><CTL=RST>",
				 p->tcp.seq, x->frame);
		s->st = x->st_after;
		if (x->if_no_tcb && k->c->info.midstream) {
			/* Not mid-stream after all: the end had no connection. */
			k->c->info.midstream = false;
			free(k->c->unknowns);
			k->c->unknowns = NULL;
			if (asprintf(&k->c->unknowns, "the conversation's first segment (frame %" PRIu64 ") is not a SYN, "
				     "and %s answered it with a reset: it had no connection for it",
				     k->c->info.first_frame, k->c->info.name[k->s]) < 0)
				k->c->unknowns = NULL;
		}
		if (strcmp(x->rule->id, "closed.no-listener") == 0)
			xp_port_set(k->x, &k->c->info.addr[k->s], k->c->info.port[k->s], XP_PORT_CLOSED);
		consume_group(s, x->group);
		return;
	}
	/* A reset no received segment calls for. */
	struct xp_expect *near = find_exp(s, EXP_RST, NULL, p);
	bool synced = s->st == XP_ST_ESTABLISHED || s->st == XP_ST_FIN_WAIT_1 || s->st == XP_ST_FIN_WAIT_2 ||
		      s->st == XP_ST_CLOSE_WAIT || s->st == XP_ST_CLOSING || s->st == XP_ST_LAST_ACK ||
		      s->st == XP_ST_SYN_RECEIVED || s->st == XP_ST_SYN_SENT ||
		      (s->st == XP_ST_UNKNOWN && k->c->info.midstream);
	bool at_nxt = s->nxt_known && (p->tcp.seq == s->snd_nxt ||
				       (s->una_known && seq_ge(p->tcp.seq, s->snd_una) && seq_le(p->tcp.seq, s->snd_nxt)));
	if (near == NULL && synced && at_nxt) {
		struct xp_pending_note *n = xp_note_add(
			k, "abort", k->s, 0,
			"No segment %s received calls for this reset: %s sends it from %s with seq %s%s, as an abort "
			"does (RFC 9293 §3.10.5: ABORT sends <SEQ=SND.NXT><CTL=RST>). The application aborted the "
			"connection (close() with SO_LINGER on and a linger time of 0), or closed it with received "
			"data it had not read (RFC 9293 §3.6.1, SHLD-3; RFC 2525 §2.17); on the wire the two look "
			"the same.",
			who, who, xp_state_name(s->st), seq_rel(p->tcp.seq, s, b1, sizeof b1),
			s->nxt_known && p->tcp.seq == s->snd_nxt ? " = SND.NXT" : "");
		if (s->bytes_rcvd > 0)
			xp_note_append(n, " %s had received %" PRIu64 " bytes (the last in frame %" PRIu64
				       "); if the application had not read them all, close() resets.",
				       who, s->bytes_rcvd, s->last_rcvd_data_frame);
		/* A bare RST right after the peer's segment, at its ACK: an end
		 * that lost the connection (a reboot, a TCB timed out) answers
		 * the same way. */
		const struct xp_end *r = &k->c->e[k->r];
		if (!has_ack && r->last_frame && (r->last_seg_ack == p->tcp.seq) && p->ts_ns >= r->last_ns &&
		    p->ts_ns - r->last_ns < 1000000000ull)
			xp_note_append(n, " It also matches an end that has lost the connection (it rebooted, or its "
				       "connection timed out) answering frame %" PRIu64 " as an end without one must, "
				       "<SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.1): the same reset.",
				       r->last_frame);
		s->st = XP_ST_CLOSED;
		return;
	}
	struct xp_pending_note *n = xp_note_add(k, "unexplained", k->s, near ? near->frame : 0,
						"Unexplained: no rule accounts for this reset from %s (state %s, seq "
						"%u%s).",
						who, xp_state_name(s->st), p->tcp.seq, has_ack ? "" : ", no ACK bit");
	if (!s->spoke)
		xp_note_append(n, " The capture shows nothing %s sent before it, so neither an abort nor an "
			       "answer to a segment can be told apart from a reset injected by a third party.",
			       who);
	if (near != NULL) {
		if (near->seq_any || !(near->flags & TCP_ACK))
			xp_note_append(n, " The nearest rule, %s (answering frame %" PRIu64 "), gives seq %u, not %u.",
				       near->rule->id, near->frame, near->seq, p->tcp.seq);
		else
			xp_note_append(n, " The nearest rule, %s (answering frame %" PRIu64
				       "), gives <SEQ=%u><ACK=%u><CTL=RST,ACK>, not seq %u ack %u.",
				       near->rule->id, near->frame, near->seq, near->ack, p->tcp.seq, p->tcp.ack);
		n->n.field = "seq";
	} else if (s->nxt_known) {
		xp_note_append(n, " An abort would carry SND.NXT = %u.", s->snd_nxt);
		n->n.field = "seq";
	}
	/* Whose reset was it? If the end keeps sending, not its own; if it
	 * then answers like an end with no connection, it was. */
	s->maybe_closed = true;
	s->maybe_closed_frame = p->frame;
}

/* An empty ACK: does it answer an unacceptable segment? Only when its ack
 * does not move past what this end acknowledged before (a fresh ACK of new
 * data is just an ACK). */
static void sender_ack(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	struct xp_expect *x = find_exp(s, EXP_ACK, NULL, p);
	if (x == NULL)
		return;
	if (s->rcv_known && seq_gt(p->tcp.ack, s->last_ack) && x->rule && strcmp(x->rule->id, "time-wait.fin") != 0)
		return;
	char who[96];
	xp_end_label(k, k->s, who, sizeof who);
	struct xp_pending_note *n = xp_note_add(k, x->rule->id, k->s, x->frame, "%s", x->why ? x->why : "");
	xp_note_append(n, " %s answers <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>: frame %" PRIu64 " carries seq %u, ack %u.",
		       who, p->frame, p->tcp.seq, p->tcp.ack);
	consume_group(s, x->group);
}

/* A SYN-ACK: the answer to the other end's SYN. Its ack must be IRS+1. */
static void sender_synack(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	struct xp_expect *x = find_exp(s, EXP_SYNACK, NULL, p);
	if (x == NULL)
		return;
	if (p->tcp.ack != x->ack) {
		k->fault_ack = true;
		k->fault_exp_ack = x->ack;
	}
	consume_group(s, x->group);
}

static void sent_ring_add(struct xp_end *e, const struct cap_pkt *p, uint32_t seglen)
{
	struct xp_sent *r = &e->sent[e->sent_head++ % XP_SENT_RING];
	r->seq = p->tcp.seq;
	r->end = p->tcp.seq + seglen;
	r->frame = p->frame;
	r->ts_ns = p->ts_ns;
	r->flags = p->tcp.flags;
}

static const struct xp_sent *sent_find(const struct xp_end *e, uint32_t seq, uint32_t end)
{
	const struct xp_sent *best = NULL;
	for (unsigned i = 0; i < XP_SENT_RING; i++) {
		const struct xp_sent *r = &e->sent[i];
		if (r->frame == 0 || r->seq == r->end)
			continue;
		bool overlap = seq_lt(seq, r->end) && seq_lt(r->seq, end);
		if (overlap && (best == NULL || r->frame < best->frame))
			best = r;
	}
	return best;
}

static void fmt_dt(uint64_t ns, char *buf, size_t cap)
{
	if (ns >= 1000000000u)
		snprintf(buf, cap, "%.3f s", (double)ns / 1e9);
	else if (ns >= 1000000u)
		snprintf(buf, cap, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, cap, "%" PRIu64 " us", ns / 1000u);
}

static void sender_retransmission(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	uint8_t f = p->tcp.flags;
	if (k->seglen == 0 || !s->nxt_known || !seq_lt(p->tcp.seq, s->snd_nxt) || (f & TCP_RST))
		return;
	/* A keep-alive probe (SND.NXT-1, at most one byte) is not a
	 * retransmission; the receiver's side explains it. */
	if (!(f & (TCP_SYN | TCP_FIN)) && p->payload_len <= 1 && p->tcp.seq + 1u == s->snd_nxt)
		return;
	char who[96], dt[32];
	xp_end_label(k, k->s, who, sizeof who);
	uint32_t end = p->tcp.seq + k->seglen;
	const struct xp_sent *o = sent_find(s, p->tcp.seq, end);
	uint64_t ofr = o ? o->frame : 0;
	fmt_dt(o ? p->ts_ns - o->ts_ns : 0, dt, sizeof dt);
	if ((f & TCP_SYN) && !(f & TCP_ACK)) {
		if (s->bad_synack_frame) {
			xp_note_add(k, "retransmission.syn-after-bad-synack", k->s, s->bad_synack_frame,
				    "%s sends its SYN (seq %u) again, %s after frame %" PRIu64 ": the SYN-ACK of frame %" PRIu64
				    " was unacceptable and discarded, so the SYN is still unacknowledged and the "
				    "retransmission timer fires (RFC 9293 §3.10.7.3, RFC 6298 §5).",
				    who, p->tcp.seq, dt, ofr, s->bad_synack_frame);
		} else {
			xp_note_add(k, "retransmission.syn", k->s, 0,
				    "%s sends its SYN (seq %u) again, %s after frame %" PRIu64
				    ": no acceptable SYN-ACK arrived in time.",
				    who, p->tcp.seq, dt, ofr);
		}
		return;
	}
	if ((f & TCP_SYN) && (f & TCP_ACK)) {
		struct xp_pending_note *n = xp_note_add(k, "retransmission.synack", k->s, s->ignored_rst_frame,
							"%s sends its SYN-ACK again, %s after frame %" PRIu64
							": the handshake's ACK has not arrived.",
							who, dt, ofr);
		if (s->ignored_rst_frame)
			xp_note_append(n, " The RST of frame %" PRIu64 " was outside the window and dropped, so %s is "
				       "still in SYN-RECEIVED.",
				       s->ignored_rst_frame, who);
		return;
	}
	if (p->payload_len == 0 && (f & TCP_FIN)) {
		xp_note_add(k, "retransmission.fin", k->s, 0, "%s sends its FIN (seq %u) again, %s after frame %" PRIu64
			    ": it has not been acknowledged.",
			    who, p->tcp.seq, dt, ofr);
		return;
	}
	bool partial = seq_gt(end, s->snd_nxt);
	struct xp_pending_note *n =
		xp_note_add(k, "retransmission.data", k->s, 0,
			    "%s sends bytes %u..%u again%s%s", who, p->tcp.seq, end - 1, partial ? " (in part)" : "",
			    ofr ? "" : ".");
	if (ofr)
		xp_note_append(n, ": first sent in frame %" PRIu64 ", %s earlier%s.", ofr, dt,
			       s->dupacks >= 3 ? ", after three duplicate ACKs (fast retransmit, RFC 5681 §3.2)"
					       : ", without an ACK covering them in between (a retransmission timeout)");
}

static void sender_window(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_end *s = &k->c->e[k->s];
	if (p->tcp.flags & (TCP_RST | TCP_SYN))
		return;
	if (p->tcp.window != 0) {
		s->zero_win = false;
		return;
	}
	if (s->zero_win)
		return;
	s->zero_win = true;
	char who[96], other[96];
	xp_end_label(k, k->s, who, sizeof who);
	xp_end_label(k, k->r, other, sizeof other);
	xp_note_add(k, "window.zero", k->s, 0,
		    "%s advertises a zero window at ack %u: its receive buffer is full. %s must stop sending new "
		    "data and probe the window until it opens (RFC 9293 §3.8.6.1, MUST-36); a zero window does "
		    "not close the connection (MUST-37), and ACKs, RSTs and URG are still processed (MUST-66).",
		    who, p->tcp.ack, other);
}

/* The sender's variables and state, from its own segment. */
static void update_sender(struct xp_pkt_ctx *k)
{
	const struct cap_pkt *p = k->p;
	struct xp_conv *c = k->c;
	struct xp_end *s = &c->e[k->s];
	uint8_t f = p->tcp.flags;
	uint32_t end = p->tcp.seq + k->seglen;
	s->spoke = true;
	s->last_frame = p->frame;
	s->last_ns = p->ts_ns;
	s->last_seg_ack = (f & TCP_ACK) ? p->tcp.ack : 0;
	if (!s->ttl_known) {
		s->ttl = p->ttl;
		s->ttl_known = true;
	}
	/* A SYN belongs to this end's handshake only before it is
	 * synchronized; a SYN later is a stray the receiver deals with. */
	bool fresh = (s->st == XP_ST_UNKNOWN && !c->info.midstream) || s->st == XP_ST_CLOSED ||
		     s->st == XP_ST_LISTEN;
	bool in_handshake = fresh || s->st == XP_ST_SYN_SENT || s->st == XP_ST_SYN_RECEIVED;
	if ((f & TCP_SYN) && in_handshake) {
		if (!s->iss_known || p->tcp.seq != s->iss) {
			s->iss = p->tcp.seq;
			s->iss_known = true;
			s->snd_una = s->iss;
			s->una_known = true;
			s->snd_nxt = end;
			s->nxt_known = true;
			s->syn_frame = p->frame;
			s->syn_ns = p->ts_ns;
			s->syn_ackfield = p->tcp.ack;
		}
		s->ws_offered = (p->tcp.opt.present & TCP_OPTF_WSCALE) != 0;
		s->ws = p->tcp.opt.wscale > 14 ? 14 : p->tcp.opt.wscale; /* RFC 7323 §2.3 */
		s->mss = (p->tcp.opt.present & TCP_OPTF_MSS) ? p->tcp.opt.mss : 0;
		if (!(f & TCP_ACK)) {
			if (fresh)
				s->st = XP_ST_SYN_SENT;
		} else if (s->st == XP_ST_SYN_SENT) {
			s->st = XP_ST_SYN_RECEIVED; /* simultaneous open */
			s->passive = false;
		} else if (fresh) {
			s->st = XP_ST_SYN_RECEIVED;
			s->passive = true;
			xp_port_set(k->x, &c->info.addr[k->s], c->info.port[k->s], XP_PORT_LISTENS);
		}
		c->ws_on = c->e[0].ws_offered && c->e[1].ws_offered;
	}
	/* SND.NXT moves with what the end sends, but not for a segment that
	 * could not be its own: one past anything the other end's window
	 * allows (a blind injection, a stray SYN) is left to the receiver's
	 * checks. */
	const struct xp_end *peer = &c->e[k->r];
	uint32_t reach = (peer->max_wnd > 65535u ? peer->max_wnd : 65535u) + 1u;
	if (!s->nxt_known) {
		s->snd_nxt = end;
		s->nxt_known = true;
	} else if (seq_gt(end, s->snd_nxt) && end - s->snd_nxt <= reach && !((f & TCP_SYN) && !in_handshake)) {
		s->snd_nxt = end;
	}
	if (k->seglen > 0)
		sent_ring_add(s, p, k->seglen);
	if (f & TCP_RST)
		return; /* sender_rst() set the state; its ack and window mean nothing */
	/* It has the connection after all: the "no connection" answers go. */
	s->maybe_closed = false;
	for (int i = 0; i < XP_EXPECT; i++)
		if (s->exp[i].used && s->exp[i].if_no_tcb)
			exp_clear(&s->exp[i]);
	if (f & TCP_ACK) {
		/* Its ACK is its RCV.NXT, unless it is the seed's fault (a
		 * SYN-ACK acknowledging something else): keep the model's. */
		if (!k->fault_ack) {
			s->rcv_nxt = p->tcp.ack;
			s->rcv_known = true;
		}
		s->last_ack = p->tcp.ack;
	}
	uint32_t w = p->tcp.window;
	if (!(f & TCP_SYN) && c->ws_on)
		w <<= s->ws; /* RFC 7323 §2.2: never scaled on a SYN */
	s->rcv_wnd = w;
	s->wnd_known = !(c->info.midstream && !(f & TCP_SYN)) || w == 0;
	if (w > s->max_wnd)
		s->max_wnd = w;
	if ((f & TCP_FIN) && !s->fin_sent) {
		s->fin_sent = true;
		s->fin_seq = p->tcp.seq + p->payload_len + ((f & TCP_SYN) ? 1u : 0u);
		if (s->st == XP_ST_ESTABLISHED || s->st == XP_ST_SYN_RECEIVED || s->st == XP_ST_UNKNOWN)
			s->st = XP_ST_FIN_WAIT_1;
		else if (s->st == XP_ST_CLOSE_WAIT)
			s->st = XP_ST_LAST_ACK;
	}
	if (c->info.midstream && s->st == XP_ST_UNKNOWN)
		s->st = XP_ST_ESTABLISHED;
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
		sender_rst(&k);
	else if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		sender_synack(&k);
	else if ((f & TCP_ACK) && k.seglen == 0)
		sender_ack(&k);
	/* 3. its own behaviour */
	sender_retransmission(&k);
	sender_window(&k);
	/* duplicate ACKs received by the other end, for fast retransmit */
	struct xp_end *r = &c->e[k.r];
	if ((f & TCP_ACK) && k.seglen == 0 && s->last_ack == p->tcp.ack)
		r->dupacks++;
	else if (f & TCP_ACK)
		r->dupacks = 0;
	/* 4. */
	update_sender(&k);
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
