/*
 * to_script.c - a conversation of a capture as a conformance script (see
 * to_script.h). Two passes over the file: the first finds the
 * conversations and picks one and its DUT end; the second runs the
 * observer again (conversation ids are the same on every run), keeps that
 * conversation's segments and their explanations, and writes the lines.
 *
 * Numbers. The other end (the peer, which the script plays) keeps its
 * capture numbers: when its SYN is in the capture the SYN is written
 * absolute (`S 1240744644:1240744644(0)!`) and later numbers relative to
 * it; otherwise every peer number is absolute. What the peer acknowledges
 * of the DUT is written relative to the DUT's ISN in the capture, so the
 * run remaps it onto whatever ISN the DUT picks (a value that would be
 * "behind" the ISN stays absolute). The DUT's own sequence numbers are
 * relative to its ISN.
 *
 * Times. The peer's segments go in at the capture's times, counted from
 * the conversation's first frame. A DUT segment is expected any time from
 * the previous line to its captured time plus SLACK (at least half a
 * second, or the gap since the previous frame): a DUT answers at its own
 * pace, and the script's job is the order and the fields.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "to_script.h"

#define SLACK_MIN_NS 500000000ull

/* ---- pass 1: the conversations ---------------------------------------- */

struct p1_conv {
	struct xp_conv_info info;
	bool has_rst;
};

struct pass1 {
	struct p1_conv *v;
	size_t n, cap;
};

static void p1_end(void *ctx, const struct xp_conv_info *c)
{
	struct pass1 *p = ctx;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].info.id == c->id) {
			p->v[i].info = *c;
			p->v[i].info.unknowns = NULL;
			return;
		}
}

static void p1_begin(void *ctx, const struct xp_conv_info *c)
{
	struct pass1 *p = ctx;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct p1_conv *v = realloc(p->v, cap * sizeof *v);
		if (v == NULL)
			return;
		p->v = v;
		p->cap = cap;
	}
	memset(&p->v[p->n], 0, sizeof p->v[p->n]);
	p->v[p->n++].info = *c;
}

static void p1_note(void *ctx, const struct xp_conv_info *c, const struct xp_note *n)
{
	struct pass1 *p = ctx;
	bool rst = strcmp(n->rule->kind, "rst") == 0 || strcmp(n->rule->kind, "unexplained") == 0;
	for (size_t i = 0; rst && i < p->n; i++)
		if (p->v[i].info.id == c->id)
			p->v[i].has_rst = true;
}

static const struct xp_sink P1_SINK = {p1_begin, NULL, p1_note, p1_end};

/* ---- pass 2: one conversation's segments and notes ------------------------ */

struct seg {
	uint64_t frame, ts_ns;
	bool from_dut;
	uint8_t flags;
	uint32_t seq, ack, payload;
	uint16_t win;
	uint8_t opt[40], opt_len;
	bool bad_csum;
	char desc[400];
};

struct pass2 {
	uint32_t id;
	struct seg *s;
	size_t n, cap;
	struct xs_frame *f;          /* parallel to s */
};

static void p2_note(void *ctx, const struct xp_conv_info *c, const struct xp_note *n)
{
	struct pass2 *p = ctx;
	if (c->id != p->id || p->n == 0 || p->s[p->n - 1].frame != n->frame)
		return;
	struct xs_frame *f = &p->f[p->n - 1];
	free(f->note);
	if (asprintf(&f->note, "%s (%s): %s", n->rule->id, n->rule->kind, n->text) < 0)
		f->note = NULL;
	f->rule = n->rule;
	f->caused_by = n->caused_by;
	f->has_expected = n->has_expected;
	f->exp_ack = n->exp_ack;
	f->exp_seq = n->exp_seq;
	f->exp_flags = n->exp_flags;
}

static const struct xp_sink P2_SINK = {NULL, NULL, p2_note, NULL};

static bool same_conv(const struct xp_conv_info *c, const struct cap_pkt *p, int *from)
{
	if (p->kind != CAP_TCP || p->frame < c->first_frame || p->frame > c->last_frame)
		return false;
	for (int i = 0; i < 2; i++)
		if (cap_addr_eq(&c->addr[i], &p->src) && c->port[i] == p->tcp.src_port &&
		    cap_addr_eq(&c->addr[1 - i], &p->dst) && c->port[1 - i] == p->tcp.dst_port) {
			*from = i;
			return true;
		}
	return false;
}

/* Runs the observer over the whole file; with `keep`, also collects that
 * conversation's segments, the DUT being end `dut`. */
static int read_all(const char *path, const struct xp_sink *sink, void *ctx, const struct xp_conv_info *keep,
		    int dut, struct pass2 *p2, struct cap_error *err)
{
	struct cap_reader *r;
	if (cap_open(&r, path, err) != 0)
		return -1;
	struct explain *x = xp_new(sink, ctx);
	if (x == NULL) {
		cap_close(r);
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	struct cap_pkt p;
	memset(&p, 0, sizeof p);
	int rc, from;
	while ((rc = cap_next(r, &p, err)) == 1) {
		if (keep && same_conv(keep, &p, &from)) {
			if (p2->n == p2->cap) {
				size_t cap = p2->cap ? p2->cap * 2 : 32;
				struct seg *s = realloc(p2->s, cap * sizeof *s);
				struct xs_frame *f = realloc(p2->f, cap * sizeof *f);
				if (s)
					p2->s = s;
				if (f)
					p2->f = f;
				if (s == NULL || f == NULL) {
					rc = -1;
					snprintf(err->msg, sizeof err->msg, "out of memory");
					break;
				}
				p2->cap = cap;
			}
			struct seg *s = &p2->s[p2->n];
			struct xs_frame *f = &p2->f[p2->n];
			memset(s, 0, sizeof *s);
			memset(f, 0, sizeof *f);
			s->frame = f->frame = p.frame;
			s->ts_ns = f->ts_ns = p.ts_ns;
			s->from_dut = f->from_dut = from == dut;
			s->flags = p.tcp.flags;
			s->seq = p.tcp.seq;
			s->ack = p.tcp.ack;
			s->win = p.tcp.window;
			s->payload = p.payload_len;
			s->opt_len = (uint8_t)(p.tcp.hdr_len - TCP_HDR_MIN);
			memcpy(s->opt, p.tcp_opt, s->opt_len);
			/* Bad on the wire too, unless the sender left it to its
			 * card (offload: the capture saw it first). */
			s->bad_csum = !p.ip_csum_ok ||
				      (p.tcp_csum_known && !p.tcp_csum_ok && !p.tcp_csum_partial && p.dir != CAP_DIR_OUT);
			cap_describe(&p, s->desc, sizeof s->desc);
			memcpy(f->desc, s->desc, sizeof f->desc);
			p2->n++;
		}
		xp_packet(x, &p);
	}
	xp_finish(x);
	xp_free(x);
	cap_close(r);
	return rc < 0 ? -1 : 0;
}

/* ---- writing the script ------------------------------------------------------ */

struct writer {
	FILE *f;
	int line;                 /* lines written so far */
};

static void wl(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wl(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(w->f, fmt, ap);
	va_end(ap);
	fputc('\n', w->f);
	w->line++;
}

/* A comment, wrapped at 96 columns, every line "// ". */
static void comment(struct writer *w, const char *s)
{
	while (*s) {
		size_t n = strlen(s), take = n;
		if (n > 92) {
			take = 92;
			while (take > 20 && s[take] != ' ')
				take--;
		}
		wl(w, "// %.*s", (int)take, s);
		s += take;
		while (*s == ' ')
			s++;
	}
}

static void fmt_t(uint64_t ns, char *buf, size_t cap)
{
	snprintf(buf, cap, "%" PRIu64 ".%06" PRIu64, ns / 1000000000u, (ns % 1000000000u + 500u) / 1000u);
	/* (rounded to microseconds: a 9-digit fraction reads worse and buys
	 * nothing at these tolerances) */
	if ((ns % 1000000000u + 500u) / 1000u >= 1000000u)
		snprintf(buf, cap, "%" PRIu64 ".000000", ns / 1000000000u + 1u);
}

/* The options as script text; returns false if one cannot be written. */
static bool opts_text(const struct seg *s, uint32_t dut_iss, bool dut_known, char *buf, size_t cap)
{
	size_t w = 0;
	buf[0] = '\0';
	size_t n = engine_options_used(s->opt, s->opt_len);
	if (n == 0)
		return true;
	w += (size_t)snprintf(buf + w, cap - w, "<");
	for (size_t i = 0; i < n && w < cap;) {
		const char *sep = i ? "," : "";
		uint8_t k = s->opt[i];
		if (k == TCP_OPT_EOL || k == TCP_OPT_NOP) {
			w += (size_t)snprintf(buf + w, cap - w, "%s%s", sep, k == TCP_OPT_EOL ? "eol" : "nop");
			i++;
			continue;
		}
		if (i + 1 >= n || s->opt[i + 1] < 2 || i + s->opt[i + 1] > n)
			return false;
		uint8_t l = s->opt[i + 1];
		const uint8_t *v = s->opt + i + 2;
		if (k == TCP_OPT_MSS && l == 4)
			w += (size_t)snprintf(buf + w, cap - w, "%smss %u", sep, wire_get16(v));
		else if (k == TCP_OPT_WSCALE && l == 3)
			w += (size_t)snprintf(buf + w, cap - w, "%swscale %u", sep, v[0]);
		else if (k == TCP_OPT_SACK_PERM && l == 2)
			w += (size_t)snprintf(buf + w, cap - w, "%ssackOK", sep);
		else if (k == TCP_OPT_TS && l == 10)
			w += (size_t)snprintf(buf + w, cap - w, "%sTS val %u ecr %u", sep, wire_get32(v), wire_get32(v + 4));
		else if (k == TCP_OPT_SACK && l >= 10 && (l - 2) % 8 == 0 && dut_known) {
			w += (size_t)snprintf(buf + w, cap - w, "%ssack", sep);
			for (unsigned b = 0; b + 8u <= (unsigned)l - 2u; b += 8)
				w += (size_t)snprintf(buf + w, cap - w, " %u:%u", wire_get32(v + b) - dut_iss,
						      wire_get32(v + b + 4) - dut_iss);
		} else
			return false;
		i += l;
	}
	if (w < cap)
		snprintf(buf + w, cap - w, ">");
	return true;
}

/* A number the other end of `space` owns, written relative to its ISN when
 * that is known and the value is not behind it, else absolute. */
static void num(char *buf, size_t cap, uint32_t v, bool rel, uint32_t isn)
{
	if (rel && v - isn < 0x80000000u)
		snprintf(buf, cap, "%u", v - isn);
	else
		snprintf(buf, cap, "%u!", v);
}

static void endpoint_v4(const struct cap_addr *a, uint32_t *ip)
{
	*ip = wire_get32(a->a);
}

int xs_build(const char *capture, const struct xs_options *o, struct xs_result *r, struct cap_error *err)
{
	memset(r, 0, sizeof *r);
	memset(err, 0, sizeof *err);
	struct pass1 p1;
	memset(&p1, 0, sizeof p1);
	if (read_all(capture, &P1_SINK, &p1, NULL, 0, NULL, err) != 0) {
		free(p1.v);
		return -1;
	}
	/* Which conversation, which end. */
	struct cap_addr want;
	uint16_t want_port = 0;
	if (o->dut_side && !cap_endpoint_parse(o->dut_side, &want, &want_port)) {
		snprintf(err->msg, sizeof err->msg, "--dut-side: expected IP:PORT (or [IPv6]:PORT), got '%s'",
			 o->dut_side);
		free(p1.v);
		return -1;
	}
	const struct p1_conv *pick = NULL;
	for (int pass = 0; pass < 2 && pick == NULL; pass++)
		for (size_t i = 0; i < p1.n && pick == NULL; i++) {
			const struct p1_conv *c = &p1.v[i];
			if (o->conversation && c->info.id != o->conversation)
				continue;
			bool has_side = false;
			for (int e = 0; o->dut_side && e < 2; e++)
				has_side |= cap_addr_eq(&c->info.addr[e], &want) && c->info.port[e] == want_port;
			if (o->dut_side && !has_side)
				continue;
			if (pass == 0 && !c->has_rst && !o->conversation)
				continue;
			pick = c;
		}
	if (pick == NULL) {
		if (p1.n == 0)
			snprintf(err->msg, sizeof err->msg, "%s: the capture has no TCP conversation", capture);
		else if (o->conversation)
			snprintf(err->msg, sizeof err->msg, "%s: no conversation %u%s%s (it has %zu)", capture,
				 o->conversation, o->dut_side ? " with " : "", o->dut_side ? o->dut_side : "", p1.n);
		else
			snprintf(err->msg, sizeof err->msg, "%s: no conversation has the endpoint %s", capture,
				 o->dut_side);
		free(p1.v);
		return -1;
	}
	r->conv = pick->info;
	int dut;
	if (o->dut_side) {
		dut = cap_addr_eq(&pick->info.addr[0], &want) && pick->info.port[0] == want_port ? 0 : 1;
		snprintf(r->why_dut, sizeof r->why_dut, "chosen with --dut-side%s",
			 pick->info.client < 0 ? "" : dut == pick->info.client ? ": the client" : ": the server");
	} else if (pick->info.client >= 0) {
		dut = 1 - pick->info.client;
		snprintf(r->why_dut, sizeof r->why_dut, "the server: it received the SYN");
	} else {
		dut = pick->info.port[0] < pick->info.port[1] ? 0 : 1;
		snprintf(r->why_dut, sizeof r->why_dut, "the end with the lower port (the capture has no SYN)");
	}
	r->dut = dut;
	free(p1.v);

	struct pass2 p2;
	memset(&p2, 0, sizeof p2);
	p2.id = r->conv.id;
	if (read_all(capture, &P2_SINK, &p2, &r->conv, dut, &p2, err) != 0) {
		for (size_t i = 0; i < p2.n; i++)
			free(p2.f[i].note);
		free(p2.s);
		free(p2.f);
		return -1;
	}
	r->frames = p2.f;
	r->n_frames = p2.n;

	/* The ISNs: the DUT's from its first SYN; the peer's when its SYN
	 * (without ACK) is a frame the script injects. */
	bool dut_isn_known = false, peer_rel = false;
	uint32_t dut_iss = 0, peer_iss = 0;
	for (size_t i = 0; i < p2.n; i++) {
		const struct seg *s = &p2.s[i];
		if (s->from_dut && (s->flags & TCP_SYN) && !dut_isn_known) {
			dut_isn_known = true;
			dut_iss = s->seq;
		}
		if (!s->from_dut && (s->flags & TCP_SYN) && !(s->flags & TCP_ACK) && !peer_rel && i == 0) {
			peer_rel = true;
			peer_iss = s->seq;
		}
	}
	if (p2.n == 0) {
		snprintf(err->msg, sizeof err->msg, "%s: conversation %u has no segments", capture, r->conv.id);
		free(p2.s);
		return -1;
	}
	const struct seg *first_dut = NULL;
	for (size_t i = 0; i < p2.n && first_dut == NULL; i++)
		if (p2.s[i].from_dut)
			first_dut = &p2.s[i];
	if (r->conv.midstream || (first_dut && !dut_isn_known && !(first_dut->flags & TCP_RST))) {
		snprintf(err->msg, sizeof err->msg,
			 "%s: conversation %u starts after its handshake (frame %" PRIu64 " is not a SYN): without the "
			 "DUT's SYN its sequence numbers cannot be remapped, so it cannot be replayed",
			 capture, r->conv.id, r->conv.first_frame);
		free(p2.s);
		return -1;
	}
	/* A script's times only grow and stay below SCRIPT_MAX_TIME_S; a
	 * DUT line's window reaches twice its frame's time. */
	for (size_t i = 1; i < p2.n; i++) {
		const char *bad = NULL;
		if (p2.s[i].ts_ns < p2.s[i - 1].ts_ns)
			bad = "its timestamp is earlier than the frame before it in the conversation";
		else if (p2.s[i].ts_ns - p2.s[0].ts_ns >= (uint64_t)SCRIPT_MAX_TIME_S / 2u * 1000000000u)
			bad = "it is too long after the conversation's first frame for a script";
		if (bad != NULL) {
			snprintf(err->msg, sizeof err->msg,
				 "%s: frame %" PRIu64 ": %s; a script needs the conversation in time order, "
				 "within %lld s",
				 capture, p2.s[i].frame, bad, (long long)SCRIPT_MAX_TIME_S / 2);
			free(p2.s);
			return -1;
		}
	}
	bool dut_client = r->conv.client == dut;
	if (dut_client && !(p2.s[0].from_dut && (p2.s[0].flags & TCP_SYN))) {
		snprintf(err->msg, sizeof err->msg,
			 "%s: the DUT %s is the client, but the capture does not start with its SYN", capture,
			 r->conv.name[dut]);
		free(p2.s);
		return -1;
	}
	/* Addresses: the capture's, or IPv4 stand-ins for IPv6. */
	int peer = 1 - dut;
	r->dut_port = r->conv.port[dut];
	r->peer_port = r->conv.port[peer];
	if (r->dut_port == 0 || r->peer_port == 0) {
		/* A script header takes ports 1..65535 only. */
		snprintf(err->msg, sizeof err->msg,
			 "%s: frame %" PRIu64 ": conversation %u uses TCP port 0, which no script can name: it "
			 "cannot be replayed",
			 capture, r->conv.first_frame, r->conv.id);
		free(p2.s);
		return -1;
	}
	if (r->conv.addr[dut].v == 6) {
		r->v6_mapped = true;
		r->dut_ip = ENGINE_DEFAULT_DUT_IP;
		r->peer_ip = ENGINE_DEFAULT_PEER_IP;
	} else {
		endpoint_v4(&r->conv.addr[dut], &r->dut_ip);
		endpoint_v4(&r->conv.addr[peer], &r->peer_ip);
	}

	char *text = NULL;
	size_t tlen = 0;
	struct writer w = {open_memstream(&text, &tlen), 0};
	if (w.f == NULL) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		free(p2.s);
		return -1;
	}
	char ipd[16], ipp[16], t1[32], t2[32], b1[48], b2[48], opts[300];
	struct in_addr ia;
	ia.s_addr = htonl(r->dut_ip);
	inet_ntop(AF_INET, &ia, ipd, sizeof ipd);
	ia.s_addr = htonl(r->peer_ip);
	inet_ntop(AF_INET, &ia, ipp, sizeof ipp);
	const char *src = o->source_name ? o->source_name : capture;
	const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	wl(&w, "//! title: %s, conversation %u, %s as the device under test", base, r->conv.id, r->conv.name[dut]);
	/* The clauses the explained frames cite, each once. */
	const char *rfc[8];
	size_t nrfc = 0;
	for (size_t i = 0; i < p2.n; i++) {
		const struct xp_rule *ru = p2.f[i].rule;
		for (int k = 0; ru && k < XP_MAX_REFS && ru->refs[k] && nrfc < 8; k++) {
			bool seen = false;
			for (size_t j = 0; j < nrfc; j++)
				seen |= strcmp(rfc[j], ru->refs[k]) == 0;
			if (!seen)
				rfc[nrfc++] = ru->refs[k];
		}
	}
	for (size_t i = 0; i < nrfc; i++)
		wl(&w, "//! rfc: %s", rfc[i]);
	wl(&w, "//! local: %s:%u", ipd, r->dut_port);
	wl(&w, "//! remote: %s:%u", ipp, r->peer_port);
	char line[900];
	snprintf(line, sizeof line,
		 "Made by synack pcap2script from %s: conversation %u, frames %" PRIu64 "-%" PRIu64
		 ", with %s as the DUT (%s) and %s as the peer this script plays.",
		 base, r->conv.id, r->conv.first_frame, r->conv.last_frame, r->conv.name[dut], r->why_dut,
		 r->conv.name[peer]);
	comment(&w, line);
	comment(&w, "Times count from the conversation's first frame. The peer's segments are injected as "
		    "captured; the DUT's are expected by the captured time plus slack, seq relative to its ISN, "
		    "windows and options not compared" );
	if (o->strict)
		comment(&w, "(--strict: windows and options are compared too).");
	if (r->v6_mapped) {
		snprintf(line, sizeof line,
			 "The capture's IPv6 addresses (%s, %s) are replayed over IPv4 as %s and %s: the DUT adapters "
			 "speak IPv4, and the rules do not depend on the IP version.",
			 r->conv.name[dut], r->conv.name[peer], ipd, ipp);
		comment(&w, line);
	}
	if (!o->as_captured)
		comment(&w, "Where the capture shows a fault of the DUT's stack, the line expects what the RFC requires "
			    "(--as-captured keeps the capture's segment).");
	uint64_t t0 = p2.s[0].ts_ns, prev = 0;
	uint64_t sent_to = 0;    /* DUT payload bytes already asked for with send */
	bool dut_closed = false;
	uint64_t rcvd = 0;       /* peer payload the DUT acknowledged */
	uint64_t peer_bytes = 0; /* peer payload injected so far */
	uint32_t peer_data_seq0 = peer_rel ? peer_iss + 1u : 0;
	/* The server side listens from the start, unless its first answer
	 * says nothing listened (a reset to the SYN). */
	if (!dut_client) {
		bool refused = first_dut && (first_dut->flags & TCP_RST) && !dut_isn_known;
		if (!refused) {
			wl(&w, "0 listen %u", r->dut_port);
		} else {
			comment(&w, "The DUT answers the SYN with a reset: nothing listens on its port, so the script "
				    "does not listen either.");
		}
	}
	for (size_t i = 0; i < p2.n; i++) {
		struct seg *s = &p2.s[i];
		struct xs_frame *f = &p2.f[i];
		uint64_t t = s->ts_ns - t0;
		fmt_t(t, t1, sizeof t1);
		if (r->stop_frame) {
			f->fate = XS_LEFT_OUT;
			continue;
		}
		char head[600];
		snprintf(head, sizeof head, "frame %" PRIu64 " (%s s): %s %s", s->frame, t1,
			 s->from_dut ? "the DUT sends" : "the peer sends", s->desc);
		comment(&w, head);
		if (f->note)
			comment(&w, f->note);
		if (!s->from_dut) {
			if (s->bad_csum) {
				f->fate = XS_SKIPPED;
				comment(&w, "Not injected: its checksum is bad, so the DUT would drop it unanswered.");
				continue;
			}
			char fl[12], ack[64] = "";
			engine_flags_str(s->flags, fl);
			bool rel = peer_rel && !(i == 0);
			if (i == 0 && peer_rel)
				snprintf(b1, sizeof b1, "%u:%u(%u)!", s->seq, s->seq + s->payload, s->payload);
			else if (rel && s->seq - peer_iss < 0x80000000u)
				snprintf(b1, sizeof b1, "%u:%u(%u)", s->seq - peer_iss, s->seq - peer_iss + s->payload,
					 s->payload);
			else
				snprintf(b1, sizeof b1, "%u:%u(%u)!", s->seq, s->seq + s->payload, s->payload);
			if (s->flags & TCP_ACK) {
				num(b2, sizeof b2, s->ack, dut_isn_known, dut_iss);
				snprintf(ack, sizeof ack, " ack %s", b2);
			}
			if (!opts_text(s, dut_iss, dut_isn_known, opts, sizeof opts)) {
				comment(&w, "(an option synack cannot write is left out)");
				opts[0] = '\0';
			}
			wl(&w, "%s < %s %s%s win %u%s%s", t1, fl, b1, ack, s->win, opts[0] ? " " : "", opts);
			if (peer_rel && s->payload > 0 && s->seq + s->payload - peer_data_seq0 < 0x80000000u &&
			    s->seq + s->payload - peer_data_seq0 > peer_bytes)
				peer_bytes = s->seq + s->payload - peer_data_seq0;
			f->fate = XS_LINE;
			f->line = w.line;
			prev = t;
			continue;
		}
		/* A DUT segment: the actions that make it happen, then the line. */
		bool fault = f->has_expected && !o->as_captured;
		uint8_t flags = fault ? f->exp_flags : s->flags;
		uint32_t ackv = fault ? f->exp_ack : s->ack;
		const char *rid = f->rule ? f->rule->id : "";
		fmt_t(prev, t2, sizeof t2);
		if (dut_client && i == 0) {
			wl(&w, "%s connect %s:%u", t2, ipp, r->peer_port);
		}
		if (s->payload > 0 && strcmp(rid, "retransmission.data") != 0) {
			/* Data on a SYN starts after it, at ISN + 1; bytes the
			 * capture shows before ISN + 1 (a segment ahead of the
			 * SYN) are no application data: the offset is signed. */
			uint32_t first = s->seq + ((s->flags & TCP_SYN) ? 1u : 0u);
			int64_t upto = (int64_t)(int32_t)(first - dut_iss - 1u) + s->payload;
			if (upto > 0 && (uint64_t)upto > sent_to) {
				wl(&w, "%s send %" PRIu64, t2, (uint64_t)upto - sent_to);
				sent_to = (uint64_t)upto;
			}
		}
		if ((s->flags & TCP_RST) && strcmp(rid, "abort") == 0) {
			wl(&w, "%s abort", t2);
			dut_closed = true;
		} else if ((s->flags & TCP_FIN) && !dut_closed) {
			if (rcvd > 0)
				wl(&w, "%s recv %" PRIu64, t2, rcvd);
			rcvd = 0;
			wl(&w, "%s close", t2);
			dut_closed = true;
		}
		char fl[12], seqs[48], ack[64] = "";
		engine_flags_str(flags, fl);
		/* Relative to the DUT's ISN; a value behind it is not an offset
		 * (the seed's RST carries the literal 0 it was acknowledged),
		 * so it stays absolute, as the peer's ACK that caused it does. */
		if (dut_isn_known && (flags & TCP_SYN))
			snprintf(seqs, sizeof seqs, "0:%u(%u)", s->payload, s->payload);
		else if (dut_isn_known && s->seq - dut_iss < 0x80000000u)
			snprintf(seqs, sizeof seqs, "%u:%u(%u)", s->seq - dut_iss, s->seq - dut_iss + s->payload, s->payload);
		else
			snprintf(seqs, sizeof seqs, "%u:%u(%u)%s", s->seq, s->seq + s->payload, s->payload,
				 dut_isn_known ? "!" : "");
		if (flags & TCP_ACK) {
			num(b2, sizeof b2, ackv, peer_rel, peer_iss);
			snprintf(ack, sizeof ack, " ack %s", b2);
		}
		uint64_t gap = t - prev, slack = gap > SLACK_MIN_NS ? gap : SLACK_MIN_NS;
		fmt_t(t + slack, t1, sizeof t1);
		char tail[340] = " <...>";
		if (o->strict) {
			if (!opts_text(s, 0, false, opts, sizeof opts))
				snprintf(tail, sizeof tail, " win %u <...>", s->win);
			else
				snprintf(tail, sizeof tail, " win %u%s%s", s->win, opts[0] ? " " : "", opts);
		}
		if (fault) {
			snprintf(line, sizeof line,
				 "The capture shows ack %u here, a fault of the DUT's stack; the line expects what the RFC "
				 "requires, ack %u.",
				 s->ack, f->exp_ack);
			comment(&w, line);
		}
		wl(&w, "%s~%s > %s %s%s%s", t2, t1, fl, seqs, ack, tail);
		f->fate = fault ? XS_CORRECTED : XS_LINE;
		f->line = w.line;
		prev = t;
		/* What the DUT acknowledged of the peer's data (not its FIN), for
		 * the recv before a close. */
		if ((s->flags & TCP_ACK) && peer_rel && s->ack - peer_data_seq0 < 0x80000000u) {
			uint64_t a = s->ack - peer_data_seq0;
			if (a > peer_bytes)
				a = peer_bytes;
			if (a > rcvd)
				rcvd = a;
		}
		if (fault) {
			/* The rest followed from the fault: it cannot be replayed
			 * against a stack that does what the RFC says. */
			if (i + 1 < p2.n) {
				r->stop_frame = p2.s[i + 1].frame;
				size_t k = (size_t)snprintf(r->stop_reason, sizeof r->stop_reason,
							    "after frame %" PRIu64 ", corrected to what the RFC requires, "
							    "the capture cannot be followed:",
							    s->frame);
				for (size_t j = i + 1; j < p2.n && k < sizeof r->stop_reason; j++) {
					const struct xs_frame *g = &p2.f[j];
					if (g->caused_by == s->frame && g->rule)
						k += (size_t)snprintf(r->stop_reason + k, sizeof r->stop_reason - k,
								      " frame %" PRIu64 " (%s) answered frame %" PRIu64
								      "'s fault and would not be sent;",
								      g->frame, g->rule->id, s->frame);
				}
				if (k < sizeof r->stop_reason)
					snprintf(r->stop_reason + k, sizeof r->stop_reason - k,
						 " the frames from %" PRIu64 " on are left out.", r->stop_frame);
				comment(&w, r->stop_reason);
			}
		}
	}
	fclose(w.f);
	r->script = text;
	free(p2.s);
	return 0;
}

void xs_result_free(struct xs_result *r)
{
	for (size_t i = 0; i < r->n_frames; i++)
		free(r->frames[i].note);
	free(r->frames);
	free(r->script);
	memset(r, 0, sizeof *r);
}

const struct xs_frame *xs_frame_of_line(const struct xs_result *r, int line)
{
	for (size_t i = 0; i < r->n_frames; i++)
		if (r->frames[i].line == line && line > 0)
			return &r->frames[i];
	return NULL;
}
