/*
 * render.c - a scenario as a script in the packetdrill language (with
 * synack's application statements), which `synack run` replays.
 *
 * The open asserts the DUT's SYN or SYN-ACK (`<...>`: any options), the
 * only `>` line of a recording run: the engine learns the DUT's ISN from
 * it, so the peer's ACK numbers are relative to it. Every step after it
 * is a `<` line or an application action at an absolute time; `recv >=0`
 * reads whatever is there. With a trace, the DUT's segments (all of them,
 * retransmissions included) follow as `>` lines at the times that DUT
 * sent them: the reproducer, which passes on that DUT and fails on the
 * other where they differ.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

#define OPEN_ACK_NS 50000000ull /* the peer's third segment, 50 ms after the SYN */

void diff_step_times(const struct dscen *sc, uint64_t *t, uint64_t *t_open)
{
	struct dresolved rs[DIFF_MAX_STEPS];
	diff_resolve(sc, rs);
	uint64_t now = OPEN_ACK_NS;
	*t_open = now;
	for (size_t i = 0; i < sc->n; i++) {
		now += rs[i].gap_ns;
		t[i] = now;
	}
}

uint64_t diff_end_time(const struct dscen *sc)
{
	uint64_t t[DIFF_MAX_STEPS], t_open;
	diff_step_times(sc, t, &t_open);
	return (sc->n ? t[sc->n - 1] : t_open) + DIFF_SETTLE_NS;
}

static void flags_str(uint8_t f, char out[8])
{
	size_t n = 0;
	if (f & SCRIPT_TCP_SYN)
		out[n++] = 'S';
	if (f & SCRIPT_TCP_FIN)
		out[n++] = 'F';
	if (f & SCRIPT_TCP_RST)
		out[n++] = 'R';
	if (f & SCRIPT_TCP_PSH)
		out[n++] = 'P';
	if (f & SCRIPT_TCP_ACK)
		out[n++] = '.';
	out[n] = '\0';
}

static void tstr(uint64_t ns, char out[32])
{
	snprintf(out, 32, "%" PRIu64 ".%06" PRIu64, ns / 1000000000u, (ns % 1000000000u) / 1000u);
}

/* A segment's time is written down to the millisecond, never before the
 * step it follows: the engine never lets a segment come early, so a script
 * that kept the recording's microseconds would fail as soon as the DUT
 * answers a little faster (a driver that spends fewer SPI bytes), while the
 * tolerance still bounds how late it may come. */
static void raw_line(FILE *f, const struct draw *r, uint64_t after)
{
	char fl[8], t[32];
	flags_str(r->flags, fl);
	uint64_t w = r->t - r->t % 1000000u;
	tstr(w > after ? w : after, t);
	fprintf(f, "%-10s > %s %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")%s", t, fl, r->seq, r->seq + r->len, r->len,
		r->abs_seq ? "!" : "");
	if (r->flags & SCRIPT_TCP_ACK)
		fprintf(f, " ack %" PRIu32, r->ack);
	if (r->flags & SCRIPT_TCP_SYN)
		fputs(" <...>", f);
	fputc('\n', f);
}

static void step_line(FILE *f, const struct dstep *st, const struct dresolved *rs, uint64_t t)
{
	char ts[32], fl[8];
	tstr(t, ts);
	fprintf(f, "%-10s ", ts);
	switch ((enum dstep_kind)st->kind) {
	case D_SEG:
		flags_str(st->flags, fl);
		fprintf(f, "< %s %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")", fl, rs->seq, rs->seq + st->len, st->len);
		if (st->flags & SCRIPT_TCP_ACK)
			fprintf(f, " ack %" PRIu32, rs->ack);
		fprintf(f, " win %" PRIu32, st->win);
		if (st->flags & SCRIPT_TCP_SYN)
			fputs(" <mss 1460>", f);
		fprintf(f, "   // seq %s%+d", diff_edge_name((enum dedge)st->seq_edge), (int)st->seq_off);
		if (st->flags & SCRIPT_TCP_ACK)
			fprintf(f, ", ack %s%+d", diff_edge_name((enum dedge)st->ack_edge), (int)st->ack_off);
		fprintf(f, "; model: %s", rs->state);
		break;
	case D_SEND:
		fprintf(f, "send %" PRIu32, st->len);
		break;
	case D_RECV:
		fputs("recv >=0", f);
		break;
	case D_CLOSE:
		fputs("close", f);
		break;
	case D_ABORT:
		fputs("abort", f);
		break;
	case D_RCVBUF:
		fprintf(f, "rcvbuf %" PRIu32, st->len);
		break;
	case D_SHUT_RD:
		fputs("shutdown rd", f);
		break;
	case D_SHUT_WR:
		fputs("shutdown wr", f);
		break;
	case D_SHUT_RDWR:
		fputs("shutdown rdwr", f);
		break;
	}
	fputc('\n', f);
}

char *diff_render(const struct dscen *sc, const struct dtrace *trace, const char *header, bool realtime)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	uint64_t t[DIFF_MAX_STEPS], t_open;
	struct dresolved rs[DIFF_MAX_STEPS];
	diff_step_times(sc, t, &t_open);
	diff_resolve(sc, rs);

	fprintf(f, "//! title: synack diff scenario %016" PRIx64 "\n", sc->seed);
	if (header != NULL)
		fputs(header, f);
	if (realtime)
		fputs("--tolerance_usecs=50000\n", f);
	if (sc->active) {
		fputs("0          connect\n", f);
		fputs("0          > S 0:0(0) <...>\n", f);
		fputs("0.050000   < S. 0:0(0) ack 1 win 65535 <mss 1460>\n", f);
	} else {
		fputs("0          listen 8080\n", f);
		fputs("0          < S 0:0(0) win 65535 <mss 1460>\n", f);
		fputs("0          > S. 0:0(0) ack 1 <...>\n", f);
		fputs("0.050000   < . 1:1(0) ack 1 win 65535\n", f);
	}
	/* The DUT's segments after its SYN / SYN-ACK, merged in time order;
	 * one sent at a step's time answers it and follows it. */
	size_t ri = 0;
	if (trace != NULL)
		while (ri < trace->n_raw && (trace->raw[ri].flags & SCRIPT_TCP_SYN) && trace->raw[ri].epoch == 0)
			ri++;
	uint64_t after = 0; /* the last step written */
	for (size_t i = 0; i <= sc->n; i++) {
		uint64_t until = i < sc->n ? t[i] : UINT64_MAX;
		while (trace != NULL && ri < trace->n_raw && trace->raw[ri].t < until)
			raw_line(f, &trace->raw[ri++], after);
		if (i < sc->n) {
			step_line(f, &sc->s[i], &rs[i], t[i]);
			after = t[i];
		}
	}
	/* The last line lets the DUT answer the last step, and (reproducer)
	 * says it sends nothing more. */
	char te[32];
	tstr(diff_end_time(sc), te);
	fprintf(f, "%-10s > nothing\n", te);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
