/*
 * dut_mutate.c - a DUT adapter that wraps another one and rewrites the
 * datagrams the DUT emits before the runner sees them: the suites' power
 * check (`synack run --mutate NAME`). A suite that still passes against a
 * deliberately broken DUT proves nothing; with a mutation on, the scripts
 * that check the mutated field must fail, naming it.
 *
 *   runner -> dut_mutate_ops.advance -> inner->advance -> rewrite -> runner
 *
 * Everything else is forwarded unchanged. Mutations (closed list):
 *   synack-ack0   every SYN-ACK the DUT sends carries ack 0
 *   rst-seq+1     every RST the DUT sends has seq + 1
 *   rtx-stop      the DUT's retransmissions stop after two: a data or FIN
 *                 segment sent a third time (or more) from the same seq
 *                 is dropped (`synack diff`'s resend timer bounds must
 *                 find it)
 * The TCP checksum is recomputed, so the verifier sees a well-formed
 * segment with one wrong field. No fault hooks in core/: the stack under
 * test is untouched.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

enum mutation {
	MUT_SYNACK_ACK0,
	MUT_RST_SEQ_PLUS1,
	MUT_RTX_STOP,
};

static const char *const MUTATION_NAMES[] = {
	[MUT_SYNACK_ACK0] = "synack-ack0",
	[MUT_RST_SEQ_PLUS1] = "rst-seq+1",
	[MUT_RTX_STOP] = "rtx-stop",
};

/* rtx-stop: how often each start seq was sent, since the DUT opened. */
#define RTX_SEEN 64
static struct {
	size_t n;
	struct { uint32_t seq; unsigned count; } s[RTX_SEEN];
} g_rtx;

struct mutate_ops {
	struct dut_ops ops;            /* first: d->ops points here */
	const struct dut_ops *inner;
	enum mutation kind;
	char name[64];
};

static struct mutate_ops g_wrap;   /* one wrapper per process */

static const struct mutate_ops *wrap_of(const struct dut *d)
{
	return (const struct mutate_ops *)(const void *)d->ops;
}

static struct dut *inner_of(struct dut *d)
{
	return (struct dut *)d->priv;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1u)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

/* Recomputes the TCP checksum of an IPv4 datagram (header length ihl). */
static void tcp_fix_checksum(uint8_t *ip, size_t ihl, size_t tcp_len)
{
	uint8_t *tcp = ip + ihl;
	uint8_t pseudo[12];
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = (uint8_t)(tcp_len >> 8);
	pseudo[11] = (uint8_t)tcp_len;
	tcp[16] = tcp[17] = 0;
	uint32_t acc = sum16(tcp, tcp_len, sum16(pseudo, sizeof pseudo, 0));
	while (acc >> 16)
		acc = (acc & 0xffffu) + (acc >> 16);
	uint16_t c = (uint16_t)~acc;
	tcp[16] = (uint8_t)(c >> 8);
	tcp[17] = (uint8_t)c;
}

#define TCP_FLAG_RST 0x04u
#define TCP_FLAG_SYN 0x02u
#define TCP_FLAG_ACK 0x10u

/* Returns false when the datagram is to be dropped. */
static bool mutate(enum mutation kind, struct dut_packet *p)
{
	if (p->len < 20 || (p->data[0] >> 4) != 4 || p->data[9] != 6)
		return true;
	size_t ihl = (size_t)(p->data[0] & 0x0fu) * 4u;
	size_t total = (size_t)p->data[2] << 8 | p->data[3];
	if (total > p->len)
		total = p->len;
	if (ihl < 20 || total < ihl + 20)
		return true;
	uint8_t *tcp = p->data + ihl;
	uint8_t flags = tcp[13];
	bool changed = false;
	switch (kind) {
	case MUT_SYNACK_ACK0:
		if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == (TCP_FLAG_SYN | TCP_FLAG_ACK)) {
			put32(tcp + 8, 0);
			changed = true;
		}
		break;
	case MUT_RST_SEQ_PLUS1:
		if (flags & TCP_FLAG_RST) {
			put32(tcp + 4, get32(tcp + 4) + 1u);
			changed = true;
		}
		break;
	case MUT_RTX_STOP: {
		size_t doff = (size_t)(tcp[12] >> 4) * 4u;
		bool carries = total > ihl + doff || (flags & 0x01u);
		if (!carries || (flags & (TCP_FLAG_RST | TCP_FLAG_SYN)))
			break;
		uint32_t seq = get32(tcp + 4);
		size_t i = 0;
		while (i < g_rtx.n && g_rtx.s[i].seq != seq)
			i++;
		if (i == g_rtx.n) {
			if (g_rtx.n == RTX_SEEN)
				break;
			g_rtx.s[g_rtx.n].seq = seq;
			g_rtx.s[g_rtx.n++].count = 0;
		}
		if (++g_rtx.s[i].count > 3)
			return false;
		break;
	}
	}
	if (changed)
		tcp_fix_checksum(p->data, ihl, total - ihl);
	return true;
}

static int m_open(struct dut *d, const struct dut_config *cfg, char err[DUT_ERR_LEN])
{
	const struct mutate_ops *w = wrap_of(d);
	struct dut *in = calloc(1, sizeof *in);
	d->priv = in;
	if (in == NULL) {
		snprintf(err, DUT_ERR_LEN, "out of memory");
		return -1;
	}
	in->ops = w->inner;
	g_rtx.n = 0;
	return w->inner->open(in, cfg, err);
}

static void m_close(struct dut *d)
{
	struct dut *in = inner_of(d);
	if (in == NULL)
		return;
	in->ops->close(in);
	free(in);
	d->priv = NULL;
}

static uint64_t m_now(struct dut *d)
{
	struct dut *in = inner_of(d);
	return in->ops->now(in);
}

static int m_inject(struct dut *d, const uint8_t *ip, size_t len)
{
	struct dut *in = inner_of(d);
	return in->ops->inject(in, ip, len);
}

static int m_advance(struct dut *d, uint64_t until, struct dut_packet *out)
{
	struct dut *in = inner_of(d);
	int rc;
	while ((rc = in->ops->advance(in, until, out)) == 1 && !mutate(wrap_of(d)->kind, out))
		; /* dropped: the next one */
	return rc;
}

static int m_app(struct dut *d, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN])
{
	struct dut *in = inner_of(d);
	return in->ops->app(in, cmd, err);
}

static enum dut_app_event m_app_event(struct dut *d)
{
	struct dut *in = inner_of(d);
	return in->ops->app_event(in);
}

static int m_tcp_state(struct dut *d, const char **name)
{
	struct dut *in = inner_of(d);
	return in->ops->tcp_state(in, name);
}

static int m_counter(struct dut *d, const char *name, uint64_t *val)
{
	struct dut *in = inner_of(d);
	return in->ops->counter(in, name, val);
}

static int m_sockopt(struct dut *d, struct dut_sockopt *o, char err[DUT_ERR_LEN])
{
	struct dut *in = inner_of(d);
	return in->ops->sockopt(in, o, err);
}

static int m_sysctl(struct dut *d, const char *name, const char *value, char err[DUT_ERR_LEN])
{
	struct dut *in = inner_of(d);
	return in->ops->sysctl(in, name, value, err);
}

static int m_so_error(struct dut *d, int conn)
{
	struct dut *in = inner_of(d);
	return in->ops->so_error(in, conn);
}

static size_t m_diagnostics(struct dut *d, char *buf, size_t cap)
{
	struct dut *in = inner_of(d);
	if (in == NULL) {
		if (cap > 0)
			buf[0] = '\0';
		return 0;
	}
	return in->ops->diagnostics(in, buf, cap);
}

const char *engine_mutations(void)
{
	return "synack-ack0, rst-seq+1, rtx-stop";
}

const struct dut_ops *dut_mutate_wrap(const struct dut_ops *inner, const char *mutation, char *err, size_t errcap)
{
	size_t k;
	for (k = 0; k < sizeof MUTATION_NAMES / sizeof MUTATION_NAMES[0]; k++)
		if (strcmp(mutation, MUTATION_NAMES[k]) == 0)
			break;
	if (k == sizeof MUTATION_NAMES / sizeof MUTATION_NAMES[0]) {
		snprintf(err, errcap, "unknown mutation '%s' (known: %s)", mutation, engine_mutations());
		return NULL;
	}
	struct mutate_ops *w = &g_wrap;
	memset(w, 0, sizeof *w);
	w->inner = inner;
	w->kind = (enum mutation)k;
	/* The DUT keeps its name (messages, profiles) and everything it
	 * declares; only the datagrams it emits change. */
	w->ops = *inner;
	snprintf(w->name, sizeof w->name, "%s", inner->name);
	w->ops.name = w->name;
	w->ops.open = m_open;
	w->ops.close = m_close;
	w->ops.now = m_now;
	w->ops.inject = m_inject;
	w->ops.advance = m_advance;
	w->ops.app = m_app;
	w->ops.app_event = m_app_event;
	w->ops.tcp_state = inner->tcp_state ? m_tcp_state : NULL;
	w->ops.counter = inner->counter ? m_counter : NULL;
	w->ops.sockopt = inner->sockopt ? m_sockopt : NULL;
	w->ops.sysctl = inner->sysctl ? m_sysctl : NULL;
	w->ops.diagnostics = inner->diagnostics ? m_diagnostics : NULL;
	w->ops.so_error = inner->so_error ? m_so_error : NULL;
	return &w->ops;
}
