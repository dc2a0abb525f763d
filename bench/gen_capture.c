/*
 * gen_capture.c - a large capture for bench_explain: N conversations
 * (default 12,000), 64 at a time, interleaved packet by packet, on
 * Ethernet with nanosecond timestamps, each of one kind in turn:
 *
 *   transfer      handshake, D data segments each ACKed, FIN both ways
 *   refused       SYN, RST/ACK (no listener)
 *   abort         handshake, data, RST from the server
 *   seed          SYN, SYN-ACK acking 0, RST seq 0, SYN again, handshake, FIN
 *   rst-outside   handshake, a RST outside the window, data, FIN
 *   rst-inside    handshake, a RST inside the window, challenge ACK, FIN
 *   syn-estab     handshake, a SYN, challenge ACK, FIN
 *   retransmit    handshake, data lost and sent again, zero window, FIN
 *
 *   gen_capture OUT.pcap [CONVERSATIONS] [DATA_SEGMENTS]
 *
 * Written through libpcap with the core/wire codecs; the same arguments
 * give the same bytes.
 */
#define _DEFAULT_SOURCE
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define PAR 64u

enum kind { K_TRANSFER, K_REFUSED, K_ABORT, K_SEED, K_RST_OUT, K_RST_IN, K_SYN_ESTAB, K_RETRANS, K_KINDS };

struct conv {
	bool live;
	enum kind kind;
	uint32_t cip, sip;
	uint16_t cport, sport;
	uint32_t ciss, siss;
	unsigned step, data;
	uint32_t cnxt, snxt;
};

struct gen {
	pcap_dumper_t *d;
	uint64_t t, packets;
	unsigned dsegs;
};

static void seg(struct gen *g, const struct conv *c, bool from_client, uint8_t flags, uint32_t seq, uint32_t ack,
		uint16_t win, uint16_t len)
{
	uint8_t f[14 + 20 + 24 + 1460];
	struct eth_repr e;
	static const uint8_t cm[6] = {0x02, 0, 0, 0, 0, 1}, sm[6] = {0x02, 0, 0, 0, 0, 2};
	memcpy(e.src, from_client ? cm : sm, 6);
	memcpy(e.dst, from_client ? sm : cm, 6);
	e.ethertype = ETH_TYPE_IPV4;
	eth_emit(&e, f, sizeof f);
	struct tcp_repr t;
	memset(&t, 0, sizeof t);
	t.src_port = from_client ? c->cport : c->sport;
	t.dst_port = from_client ? c->sport : c->cport;
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.window = win;
	if (flags & TCP_SYN) {
		t.opt.present = TCP_OPTF_MSS;
		t.opt.mss = 1460;
	}
	uint8_t *tcp = f + 14 + 20;
	int hl = tcp_emit(&t, tcp, 24);
	memset(tcp + hl, 'x', len);
	uint32_t src = from_client ? c->cip : c->sip, dst = from_client ? c->sip : c->cip;
	tcp_checksum(tcp, (size_t)hl + len, src, dst);
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = src;
	ip.dst = dst;
	ip.proto = IPV4_PROTO_TCP;
	ip.ttl = 64;
	ip.frag = IPV4_FLAG_DF;
	ip.id = (uint16_t)g->packets;
	ip.total_len = (uint16_t)(20 + hl + len);
	ipv4_emit(&ip, f + 14, 20);
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	g->t += 7919; /* ~8 us apart */
	h.ts.tv_sec = (time_t)(1700000000u + g->t / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(g->t % 1000000000u);
	h.caplen = h.len = (bpf_u_int32)(14 + 20 + hl + len);
	if (h.len < 60) { /* Ethernet padding, as on the wire */
		memset(f + h.len, 0, 60 - h.len);
		h.caplen = h.len = 60;
	}
	pcap_dump((u_char *)g->d, &h, f);
	g->packets++;
}

#define C_(fl, s, a, w, l) seg(g, c, true, fl, s, a, w, l)
#define S_(fl, s, a, w, l) seg(g, c, false, fl, s, a, w, l)
#define A TCP_ACK

/* One more packet of conversation c; false when it is done. */
static bool step(struct gen *g, struct conv *c)
{
	unsigned s = c->step++;
	uint32_t ci = c->ciss, si = c->siss;
	/* Every kind but refused and seed starts with the same handshake. */
	bool hs = c->kind != K_REFUSED && c->kind != K_SEED;
	if (hs && s < 3) {
		if (s == 0)
			C_(TCP_SYN, ci, 0, 64240, 0);
		else if (s == 1)
			S_(TCP_SYN | A, si, ci + 1, 64240, 0);
		else
			C_(A, ci + 1, si + 1, 502, 0);
		c->cnxt = ci + 1;
		c->snxt = si + 1;
		return true;
	}
	unsigned k = hs ? s - 3 : s;
	switch (c->kind) {
	case K_TRANSFER:
		if (k < 2 * g->dsegs) {
			if (k % 2 == 0) {
				C_(TCP_PSH | A, c->cnxt, c->snxt, 502, 1000);
				c->cnxt += 1000;
			} else {
				S_(A, c->snxt, c->cnxt, 64240, 0);
			}
			return true;
		}
		k -= 2 * g->dsegs;
		break;
	case K_REFUSED:
		if (k == 0)
			C_(TCP_SYN, ci, 0, 64240, 0);
		else
			S_(TCP_RST | A, 0, ci + 1, 0, 0);
		return k == 0;
	case K_ABORT:
		if (k == 0) {
			C_(TCP_PSH | A, c->cnxt, c->snxt, 502, 300);
			c->cnxt += 300;
		} else if (k == 1) {
			S_(A, c->snxt, c->cnxt, 64240, 0);
		} else {
			S_(TCP_RST | A, c->snxt, c->cnxt, 0, 0);
		}
		return k < 2;
	case K_SEED:
		switch (k) {
		case 0:
			C_(TCP_SYN, ci, 0, 64240, 0);
			return true;
		case 1:
			S_(TCP_SYN | A, si, 0, 64240, 0);
			return true;
		case 2:
			C_(TCP_RST, 0, 0, 0, 0);
			return true;
		case 3:
			C_(TCP_SYN, ci, 0, 64240, 0);
			return true;
		case 4:
			S_(TCP_SYN | A, si, ci + 1, 64240, 0);
			return true;
		case 5:
			C_(A, ci + 1, si + 1, 502, 0);
			c->cnxt = ci + 1;
			c->snxt = si + 1;
			return true;
		default:
			k -= 6;
			break;
		}
		break;
	case K_RST_OUT:
		if (k == 0) {
			C_(TCP_RST, c->cnxt + 5000000u, 0, 0, 0);
			return true;
		}
		k--;
		break;
	case K_RST_IN:
		if (k == 0) {
			C_(TCP_RST, c->cnxt + 100u, 0, 0, 0);
			return true;
		}
		if (k == 1) {
			S_(A, c->snxt, c->cnxt, 64240, 0);
			return true;
		}
		k -= 2;
		break;
	case K_SYN_ESTAB:
		if (k == 0) {
			C_(TCP_SYN, ci + 77777u, 0, 64240, 0);
			return true;
		}
		if (k == 1) {
			S_(A, c->snxt, c->cnxt, 64240, 0);
			return true;
		}
		k -= 2;
		break;
	case K_RETRANS:
		if (k == 0) {
			C_(TCP_PSH | A, c->cnxt, c->snxt, 502, 500);
			return true;
		}
		if (k == 1) { /* the same bytes again: the first copy was lost */
			C_(TCP_PSH | A, c->cnxt, c->snxt, 502, 500);
			c->cnxt += 500;
			return true;
		}
		if (k == 2) {
			S_(A, c->snxt, c->cnxt, 0, 0); /* zero window */
			return true;
		}
		if (k == 3) {
			S_(A, c->snxt, c->cnxt, 64240, 0);
			return true;
		}
		k -= 4;
		break;
	case K_KINDS:
		return false;
	}
	/* The close: FIN, ACK, FIN, ACK. */
	switch (k) {
	case 0:
		C_(TCP_FIN | A, c->cnxt, c->snxt, 502, 0);
		return true;
	case 1:
		S_(A, c->snxt, c->cnxt + 1, 64240, 0);
		return true;
	case 2:
		S_(TCP_FIN | A, c->snxt, c->cnxt + 1, 64240, 0);
		return true;
	default:
		C_(A, c->cnxt + 1, c->snxt + 1, 502, 0);
		return false;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s OUT.pcap [CONVERSATIONS] [DATA_SEGMENTS]\n", argv[0]);
		return 2;
	}
	unsigned total = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 12000u;
	unsigned dsegs = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 300u;
	char err[400];
	struct sim_outfile o;
	if (sim_outfile_open(&o, argv[1], err, sizeof err) != 0) {
		fprintf(stderr, "gen_capture: %s\n", err);
		return 2;
	}
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	struct gen g = {pcap_dump_fopen(p, o.f), 0, 0, dsegs};
	struct conv slots[PAR];
	memset(slots, 0, sizeof slots);
	unsigned started = 0, live = 0;
	uint32_t rnd = 12345u;
	do {
		for (unsigned i = 0; i < PAR; i++) {
			struct conv *c = &slots[i];
			if (!c->live && started < total) {
				memset(c, 0, sizeof *c);
				c->live = true;
				c->kind = (enum kind)(started % K_KINDS);
				c->cip = 0x0A010000u | (started / 30000u) << 8 | (started % 200u);
				c->sip = 0x0A020001u;
				c->cport = (uint16_t)(10000u + started % 30000u);
				c->sport = (uint16_t)(80u + started % 4u);
				rnd = rnd * 1103515245u + 12345u;
				c->ciss = rnd;
				rnd = rnd * 1103515245u + 12345u;
				c->siss = rnd;
				started++;
				live++;
			}
			if (c->live && !step(&g, c)) {
				c->live = false;
				live--;
			}
		}
	} while (live > 0 || started < total);
	pcap_dump_flush(g.d);
	if (sim_outfile_sync(&o, err, sizeof err) != 0) {
		fprintf(stderr, "gen_capture: %s\n", err);
		sim_outfile_discard(&o);
		return 2;
	}
	pcap_dump_close(g.d);
	o.f = NULL;
	pcap_close(p);
	if (sim_outfile_commit(&o, err, sizeof err) != 0) {
		fprintf(stderr, "gen_capture: %s\n", err);
		return 2;
	}
	printf("gen_capture: %s: %llu packets, %u conversations\n", argv[1], (unsigned long long)g.packets, total);
	return 0;
}
