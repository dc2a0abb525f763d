/*
 * diff.h - differential testing of two DUT adapters (`synack diff`).
 *
 *   gen.c        a seed -> a random scenario (struct dscen): an open, then
 *                segments with seq/ack on the edges, application actions,
 *                time jumps; the edges are symbolic and resolved by a
 *                small model of the connection when the scenario is
 *                written out as a script (so a shrunk scenario stays valid)
 *   render.c     a scenario -> script text in the packetdrill language;
 *                with a trace, the DUT's segments as `>` lines (the
 *                reproducer that `synack run` replays)
 *   trace.c      a script -> engine_run on one DUT -> what it sent, split
 *                into epochs (one per scripted moment), retransmissions
 *                and window probes taken out (normalised)
 *   compare.c    two traces -> agree, a named profile difference
 *                (KNOWN.md), or a divergence at an epoch
 *   shrink.c     a diverging scenario -> a smaller one that still diverges
 *
 * The engine (conformance/engine) does the running and verifying; this
 * layer only writes scripts and reads the engine's exchange logs.
 */
#ifndef CONFORMANCE_DIFF_H
#define CONFORMANCE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Copies src into dst[cap], cut to fit, always terminated. */
static inline void diff_copy(char *dst, size_t cap, const char *src)
{
	size_t n = 0;
	while (src[n] != '\0' && n + 1 < cap)
		n++;
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
	dst[n] = '\0';
}

#define DIFF_MAX_STEPS 40
#define DIFF_MAX_KEYS 16
#define DIFF_MAX_EPOCHS (DIFF_MAX_STEPS + 4)

/* Symbolic places for a number (gen.c resolves them, render.c writes). */
enum dedge {
	E_RCV_NXT,        /* what the DUT expects next from the peer */
	E_RCV_RIGHT_A,    /* RCV.NXT + the DUT A's window */
	E_RCV_RIGHT_B,    /* RCV.NXT + the DUT B's window */
	E_RCV_FAR,        /* RCV.NXT + 2^30 */
	E_RCV_OLD,        /* RCV.NXT - 2^20 */
	E_SND_UNA,        /* the DUT's oldest unacknowledged byte */
	E_SND_NXT,        /* the DUT's next byte */
	E_SND_MAXWND,     /* SND.UNA - MAX.SND.WND (the largest window the peer offered) */
	E_SND_FAR,        /* SND.NXT + 2^30 */
	E_NEDGES
};

enum dstep_kind {
	D_SEG,            /* the peer sends a segment */
	D_SEND,           /* application: send n */
	D_RECV,           /* application: read what is there */
	D_CLOSE,
	D_ABORT,
	D_RCVBUF,         /* application: receive buffer n */
	D_SHUT_RD,        /* application: shutdown(SHUT_RD) */
	D_SHUT_WR,        /* application: shutdown(SHUT_WR): RFC 9293 CLOSE, the socket kept */
	D_SHUT_RDWR,      /* application: shutdown(SHUT_RDWR) */
};

struct dstep {
	uint8_t kind;     /* enum dstep_kind */
	uint8_t flags;    /* D_SEG: TCP flags (script.h TCP_*) */
	uint8_t seq_edge, ack_edge; /* enum dedge */
	int32_t seq_off, ack_off;
	uint32_t len;     /* D_SEG payload, D_SEND / D_RCVBUF bytes */
	uint32_t win;     /* D_SEG window */
	uint64_t gap_ns;  /* time since the previous step */
};

struct dscen {
	uint64_t seed;
	bool active;      /* the DUT connects (else it listens) */
	uint32_t win_a, win_b; /* the DUTs' receive windows (from their SYN-ACKs) */
	size_t n;
	struct dstep s[DIFF_MAX_STEPS];
};

/* gen.c */
/* `lacking`: bits (1u << enum dstep_kind) of actions a DUT cannot
 * perform (dut_ops.app_unsupported), never generated; DIFF_NO_CONNECT:
 * no active opens. */
#define DIFF_NO_CONNECT 0x10000u
void diff_generate(uint64_t seed, uint32_t win_a, uint32_t win_b, unsigned lacking, struct dscen *sc);
/* The `lacking` bits of one adapter. */
unsigned diff_lacking(const struct dut_ops *d);
const char *diff_edge_name(enum dedge e);
/* The numbers of step i's segment as the model resolves them. */
struct dresolved {
	uint32_t seq, ack;
	uint32_t rcv_nxt, snd_una, snd_nxt;
	uint32_t peer_wnd;    /* the window the peer last offered */
	bool closed;          /* the application closed its socket before this step
	                       * (close: in Linux an orphan from there on) */
	bool shut_wr;         /* ... or asked for its FIN (close, shutdown SHUT_WR) */
	bool shut_rd;         /* shutdown(SHUT_RD) or SHUT_RDWR before this step */
	bool peer_fin;        /* the peer's FIN was taken before this step */
	const char *state;    /* the model's guess: "ESTABLISHED", "FIN-WAIT-2", ... */
	uint64_t gap_ns;      /* the time before the step as run: the step's gap,
	                       * cut to DIFF_SHORT_GAP_NS where the model sees no
	                       * timer running (gen.c timer_pending) */
};
/* The usual gap between steps: past a delayed ACK, short of any RTO. */
#define DIFF_SHORT_GAP_NS 300000000ull
void diff_resolve(const struct dscen *sc, struct dresolved *out /* [sc->n] */);

/* One normalised segment the DUT sent (or an application failure). */
struct dkey {
	uint8_t flags;    /* without PSH */
	uint32_t seq, ack; /* relative to the DUT's / the peer's ISN */
	uint32_t len;
	uint64_t t;       /* when (DUT clock), the first of a merged run */
	char err[96];     /* non-empty: the application action failed (engine message) */
};

struct depoch {
	size_t n;
	struct dkey k[DIFF_MAX_KEYS];
	bool overflow;
};

struct dtrace {
	bool ok;          /* ran (verdict pass or fail, not error/unsupported) */
	char error[300];  /* else why */
	uint32_t win;     /* the window of the DUT's SYN or SYN-ACK, 0 = none seen */
	size_t n_epochs;  /* epoch 0: the open, epoch i: after step i-1 */
	struct depoch e[DIFF_MAX_EPOCHS];
	/* The raw segments, for the reproducer. */
	size_t n_raw;
	struct draw {
		uint64_t t;
		uint8_t flags;
		uint32_t seq, ack, len;
		size_t epoch;
		bool abs_seq;     /* seq is the wire's (a RST at 0), not relative */
	} raw[128];
};

struct dconfig {
	const struct dut_ops *a, *b;
	const char *a_name, *b_name;  /* as the user wrote them */
	uint8_t profile;
	uint64_t seed;
	int64_t tolerance_ns;         /* for real-time DUTs */
};

/* render.c: the scenario as a script. With trace != NULL the DUT's
 * segments are `>` lines at their times (the reproducer); `header` is
 * put before the events as comment lines (may be NULL). malloc'd. */
char *diff_render(const struct dscen *sc, const struct dtrace *trace, const char *header, bool realtime);
/* The final `> nothing` line: this long after the last step. */
#define DIFF_SETTLE_NS 500000000ull
uint64_t diff_end_time(const struct dscen *sc);
/* The scripted time of each step (ns), epoch boundaries. */
void diff_step_times(const struct dscen *sc, uint64_t *t /* [sc->n] */, uint64_t *t_open);

/* trace.c: runs the scenario on one DUT and fills *tr. */
void diff_trace(const struct dconfig *c, const struct dut_ops *dut, const struct dscen *sc, struct dtrace *tr);

/* compare.c */
enum dverdict {
	DV_AGREE,
	DV_EXPLAINED,     /* a named profile difference (KNOWN.md) */
	DV_DIVERGED,
	DV_ERROR,         /* a DUT could not run the scenario */
};
struct dcompare {
	enum dverdict v;
	const char *profile;  /* DV_EXPLAINED: its name */
	size_t epoch;         /* first differing epoch */
	char what[560];       /* one line: what differs */
	char sig[160];        /* what kind of step, in which state: groups divergences */
};
/* Which profile differences may explain a difference: none between two
 * instances of one stack (sim against sim with a mutation: every
 * difference is a divergence). */
#define DIFF_ALLOW_STACKS 0x1u /* the DUTs are different stacks: windows, probes */
#define DIFF_ALLOW_LINUX 0x2u  /* one of them is Linux (follows linux-wire): the linux-* profiles */
#define DIFF_LINUX_IS_B 0x4u   /* ... and it is DUT_B (else DUT_A) */
unsigned diff_allowed(const struct dconfig *c);
void diff_compare(const struct dscen *sc, const struct dtrace *ta, const struct dtrace *tb, unsigned allow,
		  struct dcompare *out);
/* The profile names compare.c knows, NULL-terminated (KNOWN.md lists them). */
extern const char *const diff_profiles[];

/* One scenario both ways. */
void diff_one(const struct dconfig *c, const struct dscen *sc, struct dtrace *ta, struct dtrace *tb,
	      struct dcompare *out);

/* shrink.c: makes *sc smaller while it still diverges (at most
 * max_tries runs of the pair); returns the number of runs used. */
unsigned diff_shrink(const struct dconfig *c, struct dscen *sc, unsigned max_tries);

#endif /* CONFORMANCE_DIFF_H */
