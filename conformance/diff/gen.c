/*
 * gen.c - random scenarios for `synack diff`, and the model that puts
 * their numbers on the edges.
 *
 * A scenario is an open (passive or active) and then up to
 * DIFF_MAX_STEPS steps: a segment from the peer (SYN, ACK, data, FIN, RST
 * and their combinations), or an application action (send, recv, close,
 * abort, rcvbuf), each after a gap (mostly 0.3 s; sometimes a jump across
 * the retransmission timer, the zero-window probe timer, or 2 MSL).
 *
 * Segment numbers are symbolic (enum dedge plus a small offset) and the
 * model below resolves them step by step from what the peer and the
 * application did so far, assuming the DUT takes every acceptable
 * segment: RCV.NXT, RCV.NXT + RCV.WND (for each DUT's window, so both
 * right edges are probed), SND.UNA, SND.NXT, SND.UNA - MAX.SND.WND and
 * far out. The model is only there to choose numbers; what the DUTs did
 * is judged from their own traces (compare.c), so a wrong guess costs a
 * less interesting scenario, never a false report. Resolving at render
 * time keeps a shrunk scenario on its edges after steps are dropped.
 *
 * Everything follows from the seed (splitmix64), nothing else.
 */
#include <string.h>

#include "diff.h"

static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(next(s) % n);
}

const char *diff_edge_name(enum dedge e)
{
	static const char *const names[E_NEDGES] = {
		"RCV.NXT", "RCV.NXT+WND(a)", "RCV.NXT+WND(b)", "RCV.NXT+2^30", "RCV.NXT-2^20",
		"SND.UNA", "SND.NXT", "SND.UNA-MAX.SND.WND", "SND.NXT+2^30",
	};
	return (unsigned)e < E_NEDGES ? names[e] : "?";
}

/* ---- the model ---------------------------------------------------------- */

struct model {
	uint32_t rcv_nxt, snd_una, snd_nxt, app_end;
	uint32_t peer_wnd, max_wnd, unread, rcvbuf;
	bool closed;      /* close: the socket is gone (Linux: an orphan) */
	bool fin_req;     /* close or shutdown(SHUT_WR): the FIN follows the data */
	bool rd_shut;     /* shutdown(SHUT_RD) */
	bool fin_sent, peer_fin, peer_fin_first, dead;
};

static const char *state_of(const struct model *m)
{
	if (m->dead)
		return "CLOSED";
	bool fin_acked = m->fin_sent && m->snd_una == m->snd_nxt;
	if (!m->fin_req)
		return m->peer_fin ? "CLOSE-WAIT" : "ESTABLISHED";
	if (!m->peer_fin)
		return fin_acked ? "FIN-WAIT-2" : "FIN-WAIT-1";
	if (m->peer_fin_first)
		return "LAST-ACK";
	return fin_acked ? "TIME-WAIT" : "CLOSING";
}

static uint32_t wnd_of(const struct model *m, uint32_t win)
{
	uint32_t w = win;
	if (m->rcvbuf != 0 && m->rcvbuf < w)
		w = m->rcvbuf;
	return m->unread >= w ? 0 : w - m->unread;
}

static uint32_t edge_value(const struct model *m, const struct dscen *sc, uint8_t e)
{
	switch ((enum dedge)e) {
	case E_RCV_NXT:
		return m->rcv_nxt;
	case E_RCV_RIGHT_A:
		return m->rcv_nxt + wnd_of(m, sc->win_a);
	case E_RCV_RIGHT_B:
		return m->rcv_nxt + wnd_of(m, sc->win_b);
	case E_RCV_FAR:
		return m->rcv_nxt + (1u << 30);
	case E_RCV_OLD:
		return m->rcv_nxt - (1u << 20);
	case E_SND_UNA:
		return m->snd_una;
	case E_SND_NXT:
		return m->snd_nxt;
	case E_SND_MAXWND:
		return m->snd_una - m->max_wnd;
	case E_SND_FAR:
		return m->snd_nxt + (1u << 30);
	case E_NEDGES:
		break;
	}
	return 0;
}

/* What the DUT sends of its queue: as far as the peer's window lets it,
 * then its FIN. */
static void push_out(struct model *m)
{
	uint32_t lim = m->snd_una + m->peer_wnd;
	uint32_t hi = m->app_end;
	if ((int32_t)(hi - lim) > 0)
		hi = lim;
	if ((int32_t)(hi - m->snd_nxt) > 0)
		m->snd_nxt = hi;
	if (m->fin_req && !m->fin_sent && m->snd_nxt == m->app_end && !m->dead) {
		m->fin_sent = true;
		m->snd_nxt++;
	}
}

static void apply(struct model *m, const struct dscen *sc, const struct dstep *st, uint32_t seq, uint32_t ack)
{
	(void)sc;
	switch ((enum dstep_kind)st->kind) {
	case D_SEG: {
		uint8_t f = st->flags;
		if (m->dead)
			return;
		if (f & SCRIPT_TCP_RST) {
			if (seq == m->rcv_nxt)
				m->dead = true;
			return;
		}
		if ((f & SCRIPT_TCP_SYN) || !(f & SCRIPT_TCP_ACK))
			return; /* challenge ACK / dropped: no change */
		/* RFC 9293 §3.10.7.4 first check, in the smaller window: an
		 * unacceptable segment is answered and dropped, ACK and all. */
		uint32_t w = wnd_of(m, sc->win_a < sc->win_b ? sc->win_a : sc->win_b);
		int32_t d = (int32_t)(seq - m->rcv_nxt);
		uint32_t slen = st->len + ((f & SCRIPT_TCP_FIN) ? 1u : 0u);
		bool acceptable = d >= 0 ? (uint32_t)d < (w ? w : 1u) : (int64_t)d + (int64_t)slen > 0;
		if (!acceptable)
			return;
		/* RFC 9293 §3.10.7.4 fifth: an ACK beyond SND.NXT is answered
		 * and dropped, one below SND.UNA - MAX.SND.WND too (RFC 5961
		 * §5.2); an old one in between is ignored, the text taken. */
		if ((int32_t)(ack - m->snd_nxt) > 0 || (int32_t)(ack - (m->snd_una - m->max_wnd)) < 0)
			return;
		if ((int32_t)(ack - m->snd_una) > 0)
			m->snd_una = ack;
		m->peer_wnd = st->win;
		if (st->win > m->max_wnd)
			m->max_wnd = st->win;
		/* A segment straddling RCV.NXT: only its new part counts
		 * (RFC 9293 §3.10.7.4 "only the new parts are processed"). */
		uint32_t len = st->len;
		if (d < 0 && (int64_t)d + (int64_t)slen > 0) {
			uint32_t old = (uint32_t)-d;
			len = old < len ? len - old : 0;
			seq = m->rcv_nxt;
		}
		if (seq == m->rcv_nxt && !m->peer_fin) {
			uint32_t room = wnd_of(m, sc->win_a);
			uint32_t take = len <= room ? len : 0;
			m->rcv_nxt += take;
			m->unread += take;
			if ((f & SCRIPT_TCP_FIN) && take == len) {
				m->rcv_nxt++;
				m->peer_fin = true;
				m->peer_fin_first = !m->fin_req;
			}
		}
		push_out(m);
		return;
	}
	case D_SEND:
		if (!m->fin_req && !m->dead) {
			m->app_end += st->len;
			push_out(m);
		}
		return;
	case D_RECV:
		m->unread = 0;
		return;
	case D_CLOSE:
		m->closed = true;
		if (!m->fin_req) {
			m->fin_req = true;
			push_out(m);
		}
		return;
	case D_SHUT_RD:
	case D_SHUT_WR:
	case D_SHUT_RDWR:
		if (m->dead)
			return;
		if (st->kind != D_SHUT_WR)
			m->rd_shut = true;
		if (st->kind != D_SHUT_RD && !m->fin_req) {
			m->fin_req = true;
			push_out(m);
		}
		return;
	case D_ABORT:
		m->dead = true;
		return;
	case D_RCVBUF:
		m->rcvbuf = st->len;
		return;
	}
}

/* Whether a timer may be running in the DUT before a step: something
 * unacknowledged (retransmission), something queued behind the peer's
 * window (zero-window probe), or the application closed (FIN-WAIT-2,
 * TIME-WAIT). With none, a long jump in time crosses nothing (no
 * keep-alive; a delayed ACK is within DIFF_SHORT_GAP_NS) and only costs
 * wall time on a real-time DUT, so the gap before the step is cut to
 * DIFF_SHORT_GAP_NS. As with the numbers, a wrong guess of the model
 * costs a less interesting scenario, never a false report: both DUTs run
 * the same script. */
static bool timer_pending(const struct model *m)
{
	if (m->dead)
		return false;
	return m->snd_una != m->snd_nxt || m->app_end != m->snd_nxt || m->fin_req;
}

void diff_resolve(const struct dscen *sc, struct dresolved *out)
{
	struct model m;
	memset(&m, 0, sizeof m);
	m.rcv_nxt = m.snd_una = m.snd_nxt = m.app_end = 1;
	m.peer_wnd = m.max_wnd = 65535;
	for (size_t i = 0; i < sc->n; i++) {
		const struct dstep *st = &sc->s[i];
		struct dresolved *r = &out[i];
		r->rcv_nxt = m.rcv_nxt;
		r->snd_una = m.snd_una;
		r->snd_nxt = m.snd_nxt;
		r->peer_wnd = m.peer_wnd;
		r->closed = m.closed;
		r->shut_wr = m.fin_req;
		r->shut_rd = m.rd_shut;
		r->peer_fin = m.peer_fin;
		r->state = state_of(&m);
		r->seq = edge_value(&m, sc, st->seq_edge) + (uint32_t)st->seq_off;
		r->ack = edge_value(&m, sc, st->ack_edge) + (uint32_t)st->ack_off;
		r->gap_ns = st->gap_ns;
		if (r->gap_ns > DIFF_SHORT_GAP_NS && !timer_pending(&m))
			r->gap_ns = DIFF_SHORT_GAP_NS;
		apply(&m, sc, st, r->seq, r->ack);
	}
}

/* ---- the generator ------------------------------------------------------- */

#define F_A SCRIPT_TCP_ACK
#define F_S SCRIPT_TCP_SYN
#define F_F SCRIPT_TCP_FIN
#define F_R SCRIPT_TCP_RST
#define F_P SCRIPT_TCP_PSH

/* Segment shapes, weighted: what the peer sends most is ACKs and data. */
static const struct {
	uint8_t flags;
	bool data;
	unsigned weight;
} SHAPES[] = {
	{F_A, false, 20},       {F_A | F_P, true, 18}, {F_A | F_F, false, 8}, {F_A | F_F | F_P, true, 4},
	{F_R, false, 8},        {F_R | F_A, false, 5}, {F_S, false, 5},       {F_S | F_A, false, 3},
	{F_S | F_F, false, 2},  {F_P, true, 2},        {F_F, false, 2},       {F_R | F_F, false, 1},
	{F_S | F_R, false, 1},
};

static uint8_t pick_seq_edge(uint64_t *r)
{
	static const struct {
		uint8_t e;
		unsigned w;
	} T[] = {{E_RCV_NXT, 60}, {E_RCV_RIGHT_A, 12}, {E_RCV_RIGHT_B, 12}, {E_RCV_FAR, 4}, {E_RCV_OLD, 4}};
	unsigned tot = 0, x;
	for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
		tot += T[i].w;
	x = below(r, tot);
	for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
		if (x < T[i].w)
			return T[i].e;
		x -= T[i].w;
	}
	return E_RCV_NXT;
}

static uint8_t pick_ack_edge(uint64_t *r)
{
	static const struct {
		uint8_t e;
		unsigned w;
	} T[] = {{E_SND_NXT, 55}, {E_SND_UNA, 25}, {E_SND_MAXWND, 10}, {E_SND_FAR, 5}};
	unsigned tot = 0, x;
	for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
		tot += T[i].w;
	x = below(r, tot);
	for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
		if (x < T[i].w)
			return T[i].e;
		x -= T[i].w;
	}
	return E_SND_NXT;
}

static int32_t pick_off(uint64_t *r, uint8_t edge)
{
	unsigned x = below(r, 10);
	if (edge == E_RCV_NXT || edge == E_SND_NXT || edge == E_SND_UNA)
		return x < 6 ? 0 : x < 8 ? -1 : 1;
	return x < 4 ? 0 : x < 7 ? -1 : 1;
}

static uint64_t pick_gap(uint64_t *r)
{
	unsigned x = below(r, 1000);
	if (x < 880)
		return DIFF_SHORT_GAP_NS; /* past a delayed ACK, short of any RTO */
	if (x < 960)
		return 1500000000ull; /* past the first retransmission (RTO 1 s) */
	if (x < 990)
		return 4000000000ull; /* a few backoffs; zero-window probes */
	if (x < 997)
		return 12000000000ull;
	return 61000000000ull;        /* past 2 MSL (60 s): TIME-WAIT ends */
}

unsigned diff_lacking(const struct dut_ops *d)
{
	static const struct {
		enum dut_app_kind k;
		unsigned bit;
	} MAP[] = {
		{DUT_APP_SEND, 1u << D_SEND},   {DUT_APP_RECV, 1u << D_RECV},     {DUT_APP_CLOSE, 1u << D_CLOSE},
		{DUT_APP_ABORT, 1u << D_ABORT}, {DUT_APP_RCVBUF, 1u << D_RCVBUF}, {DUT_APP_CONNECT, DIFF_NO_CONNECT},
		{DUT_APP_SHUTDOWN_WR, (1u << D_SHUT_WR) | (1u << D_SHUT_RDWR)},
		{DUT_APP_SHUTDOWN_RD, (1u << D_SHUT_RD) | (1u << D_SHUT_RDWR)},
	};
	unsigned lacking = 0;
	char buf[200];
	for (size_t i = 0; d->app_unsupported != NULL && i < sizeof MAP / sizeof MAP[0]; i++)
		if (d->app_unsupported(MAP[i].k, buf, sizeof buf) != NULL)
			lacking |= MAP[i].bit;
	return lacking;
}

void diff_generate(uint64_t seed, uint32_t win_a, uint32_t win_b, unsigned lacking, struct dscen *sc)
{
	uint64_t r = seed;
	memset(sc, 0, sizeof *sc);
	sc->seed = seed;
	sc->win_a = win_a;
	sc->win_b = win_b;
	sc->active = below(&r, 3) == 0 && !(lacking & DIFF_NO_CONNECT);
	size_t n = 3 + below(&r, 16);
	unsigned wtot = 0;
	for (size_t i = 0; i < sizeof SHAPES / sizeof SHAPES[0]; i++)
		wtot += SHAPES[i].weight;
	bool closed = false, gone = false;
	for (size_t i = 0; i < n; i++) {
		struct dstep *st = &sc->s[i];
		memset(st, 0, sizeof *st);
		st->gap_ns = pick_gap(&r);
		unsigned x = below(&r, 100);
		if (x < 62) {
			unsigned y = below(&r, wtot);
			size_t k = 0;
			while (y >= SHAPES[k].weight) {
				y -= SHAPES[k].weight;
				k++;
			}
			st->kind = D_SEG;
			st->flags = SHAPES[k].flags;
			st->len = SHAPES[k].data ? (below(&r, 8) == 0 ? 900 + below(&r, 200) : 1 + below(&r, 300)) : 0;
			st->seq_edge = pick_seq_edge(&r);
			st->seq_off = pick_off(&r, st->seq_edge);
			st->ack_edge = pick_ack_edge(&r);
			st->ack_off = pick_off(&r, st->ack_edge);
			unsigned w = below(&r, 20);
			st->win = w < 16 ? 65535 : w < 18 ? 0 : 500;
		} else if (gone || (closed && (x < 94 || x >= 97))) {
			/* The application let go (Linux: its descriptor is
			 * gone): only the peer speaks now. */
			i--;
			continue;
		} else if (x < 74) {
			st->kind = D_SEND;
			st->len = below(&r, 6) == 0 ? 1000 : 1 + below(&r, 400);
		} else if (x < 83) {
			st->kind = D_RECV;
		} else if (x < 89) {
			st->kind = D_CLOSE;
			closed = true;
		} else if (x < 94) {
			/* shutdown(2): SHUT_WR is RFC 9293 CLOSE with the socket
			 * kept (Linux receives on, as RFC CLOSE and our stack do);
			 * SHUT_RD and SHUT_RDWR add the end of reading. */
			unsigned y = below(&r, 4);
			st->kind = y < 2 ? D_SHUT_WR : y == 2 ? D_SHUT_RD : D_SHUT_RDWR;
		} else if (x < 97) {
			st->kind = D_ABORT;
			gone = true;
		} else {
			st->kind = D_RCVBUF;
			st->len = 100 + below(&r, 900);
		}
		if (st->kind != D_SEG && (lacking & (1u << st->kind))) {
			if (st->kind == D_CLOSE)
				closed = false;
			if (st->kind == D_ABORT)
				gone = false;
			i--; /* the DUT cannot: draw again */
		}
	}
	sc->n = n;
}
