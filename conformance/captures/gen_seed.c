/*
 * gen_seed.c - writes seed.pcap: the capture from the seed report
 * (seed/000_648aa07549c524ab.txt) rebuilt as the author's Wireshark saw it.
 *
 *   gen_seed_capture OUT.pcap
 *
 * The report shows three frames of a Linux cooked capture ("any"
 * interface) taken on the Linux client:
 *   62  24.622012890  51486 -> 8888 [SYN] Seq=1240744644 Win=64240 MSS=1460
 *                     SACK_PERM TSval=2095798637 TSecr=0 WS=128      76 bytes
 *   63  24.627320274  8888 -> 51486 [SYN, ACK] Seq=4039242319 Ack=0
 *                     Win=64240, 6 trailing bytes (Wireshark: "VSS-Monitoring
 *                     ethernet trailer, Source Port: 0")             62 bytes
 *   64  24.627364199  51486 -> 8888 [RST] Seq=0 Win=0               56 bytes
 * The addresses were blanked in the report; the ones here are a plausible
 * LAN (the Linux host 192.168.1.10, the ENC28J60 board 192.168.1.200 with a
 * Microchip MAC, the router 192.168.1.1). Frames 1-61 are the background a
 * capture on the "any" interface shows in the 24.6 s before: the ARP
 * exchange the author mentions, pings the board does not answer (its stack
 * has only ARP and TCP), DNS, NTP, mDNS and SSDP. They are what makes the
 * three frames come out numbered 62, 63 and 64, as in the report, in
 * Wireshark, tshark and synack alike. Every record is built with the
 * core/wire codecs and written by libpcap at nanosecond precision; the
 * output is the same bytes on every run.
 */
#define _DEFAULT_SOURCE
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "wire/arp.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

#define T0_SEC 1618052400u /* 2021-04-10 11:00:00 UTC, frame 1 */
#define SLL_LEN 16u

static const uint8_t HOST_MAC[6] = {0x3c, 0x97, 0x0e, 0x12, 0x34, 0x56};
static const uint8_t DEV_MAC[6] = {0x00, 0x04, 0xa3, 0x01, 0x02, 0x03};
static const uint8_t GW_MAC[6] = {0x50, 0xc7, 0xbf, 0x0a, 0x0b, 0x0c};
static const uint8_t PEER_MAC[6] = {0xb8, 0x27, 0xeb, 0x44, 0x55, 0x66};
#define HOST_IP 0xC0A8010Au  /* 192.168.1.10 */
#define DEV_IP 0xC0A801C8u   /* 192.168.1.200 */
#define GW_IP 0xC0A80101u    /* 192.168.1.1 */
#define PEER_IP 0xC0A80123u  /* 192.168.1.35, another host on the LAN */
#define MDNS_IP 0xE00000FBu  /* 224.0.0.251 */
#define SSDP_IP 0xEFFFFFFAu  /* 239.255.255.250 */

enum { OUTGOING = 4, HOST = 0, BROADCAST = 1, MULTICAST = 2 };

struct gen {
	pcap_dumper_t *d;
	unsigned frames;
};

static void put(struct gen *g, uint64_t t_ns, unsigned pkttype, const uint8_t *mac, uint16_t proto,
		const uint8_t *body, size_t n)
{
	uint8_t rec[2048];
	memset(rec, 0, SLL_LEN);
	wire_put16(rec, (uint16_t)pkttype);
	wire_put16(rec + 2, 1); /* ARPHRD_ETHER */
	wire_put16(rec + 4, 6);
	memcpy(rec + 6, mac, 6);
	wire_put16(rec + 14, proto);
	memcpy(rec + SLL_LEN, body, n);
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	uint64_t abs = (uint64_t)T0_SEC * 1000000000u + t_ns;
	h.ts.tv_sec = (time_t)(abs / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(abs % 1000000000u);
	h.caplen = h.len = (bpf_u_int32)(SLL_LEN + n);
	pcap_dump((u_char *)g->d, &h, rec);
	g->frames++;
}

/* An IPv4 datagram around l4[0..n) with the given fields; returns length. */
static size_t ip(uint8_t *out, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, bool df, uint8_t ttl,
		 const uint8_t *l4, size_t n)
{
	struct ipv4_repr r;
	memset(&r, 0, sizeof r);
	r.src = src;
	r.dst = dst;
	r.proto = proto;
	r.id = id;
	r.frag = df ? IPV4_FLAG_DF : 0;
	r.ttl = ttl;
	r.total_len = (uint16_t)(IPV4_HDR_MIN + n);
	ipv4_emit(&r, out, IPV4_HDR_MIN);
	memcpy(out + IPV4_HDR_MIN, l4, n);
	return IPV4_HDR_MIN + n;
}

static void arp(struct gen *g, uint64_t t, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha,
		uint32_t tpa, unsigned pkttype, bool pad)
{
	struct arp_repr a;
	uint8_t b[64];
	memset(b, 0, sizeof b);
	a.op = op;
	memcpy(a.sha, sha, 6);
	a.spa = spa;
	memcpy(a.tha, tha, 6);
	a.tpa = tpa;
	arp_emit(&a, b, sizeof b);
	/* Received frames keep the Ethernet padding to 46 bytes of payload. */
	put(g, t, pkttype, sha, 0x0806, b, pad ? 46u : ARP_LEN);
}

static void udp(struct gen *g, uint64_t t, unsigned pkttype, const uint8_t *mac, uint32_t src, uint16_t sport,
		uint32_t dst, uint16_t dport, uint16_t id, uint8_t ttl, const char *payload, size_t plen)
{
	uint8_t l4[600], d[700];
	struct udp_repr u;
	memcpy(l4 + UDP_HDR_LEN, payload, plen);
	u.src_port = sport;
	u.dst_port = dport;
	u.len = (uint16_t)(UDP_HDR_LEN + plen);
	u.checksum = 0;
	udp_emit(&u, l4, UDP_HDR_LEN + plen, src, dst);
	size_t n = ip(d, src, dst, IPV4_PROTO_UDP, id, true, ttl, l4, UDP_HDR_LEN + plen);
	put(g, t, pkttype, mac, 0x0800, d, n);
}

static void ping(struct gen *g, uint64_t t, uint16_t seq)
{
	uint8_t l4[64], d[128];
	struct icmp_repr r;
	uint8_t data[56];
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i < 16 ? 0x20 + i : i);
	memset(&r, 0, sizeof r);
	r.type = ICMP_ECHO_REQUEST;
	r.ident = 0x5d3e;
	r.seq = seq;
	r.data = data;
	r.data_len = sizeof data;
	int n = icmp_emit(&r, l4, sizeof l4);
	size_t len = ip(d, HOST_IP, DEV_IP, IPV4_PROTO_ICMP, (uint16_t)(0x7d10 + seq), true, 64, l4, (size_t)n);
	put(g, t, OUTGOING, HOST_MAC, 0x0800, d, len);
}

/* A DNS query/answer, just enough bytes to be one. */
static size_t dns(char *b, uint16_t id, bool answer, const char *name)
{
	size_t n = 0;
	b[n++] = (char)(id >> 8);
	b[n++] = (char)id;
	b[n++] = (char)(answer ? 0x81 : 0x01);
	b[n++] = (char)(answer ? 0x80 : 0x00);
	const char counts[8] = {0, 1, 0, (char)(answer ? 1 : 0), 0, 0, 0, 0};
	memcpy(b + n, counts, 8);
	n += 8;
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		b[n++] = (char)l;
		memcpy(b + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	b[n++] = 0;
	const char qt[4] = {0, 1, 0, 1};
	memcpy(b + n, qt, 4);
	n += 4;
	if (answer) {
		const char rr[16] = {(char)0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 93, (char)184, (char)216, 34};
		memcpy(b + n, rr, 16);
		n += 16;
	}
	return n;
}

static void tcp(struct gen *g, uint64_t t, unsigned pkttype, const uint8_t *mac, uint32_t src, uint32_t dst,
		const struct tcp_repr *r, uint16_t id, bool df, size_t trailer)
{
	uint8_t l4[80], d[128];
	int hl = tcp_emit(r, l4, sizeof l4);
	tcp_checksum(l4, (size_t)hl, src, dst);
	size_t n = ip(d, src, dst, IPV4_PROTO_TCP, id, df, 64, l4, (size_t)hl);
	memset(d + n, 0, trailer); /* Ethernet padding, kept by the capture */
	put(g, t, pkttype, mac, 0x0800, d, n + trailer);
}

static void background(struct gen *g)
{
	static const uint8_t zero[6] = {0};
	char b[300];
	size_t n;
	uint64_t s = 1000000000u;
	/* 1-2: the ARP exchange the author mentions. */
	arp(g, 0, ARP_OP_REQUEST, HOST_MAC, HOST_IP, zero, DEV_IP, OUTGOING, false);
	arp(g, 1843211, ARP_OP_REPLY, DEV_MAC, DEV_IP, HOST_MAC, HOST_IP, HOST, true);
	/* 3-6: pings the board does not answer. */
	for (uint16_t i = 1; i <= 4; i++)
		ping(g, s * i / 2 + 2103377u * i, i);
	/* 7-58: what a Linux desktop's "any" capture shows meanwhile. */
	uint64_t t = 3 * s;
	const char *names[] = {"connectivity-check.ubuntu.com", "api.snapcraft.io", "ntp.ubuntu.com",
			       "archive.ubuntu.com", "motd.ubuntu.com", "security.ubuntu.com"};
	for (unsigned i = 0; i < 6; i++) {
		n = dns(b, (uint16_t)(0x1a2b + i), false, names[i]);
		udp(g, t, OUTGOING, HOST_MAC, HOST_IP, (uint16_t)(40211 + 17 * i), GW_IP, 53, (uint16_t)(0x3301 + i), 64, b,
		    n);
		n = dns(b, (uint16_t)(0x1a2b + i), true, names[i]);
		udp(g, t + 11803441u, HOST, GW_MAC, GW_IP, 53, HOST_IP, (uint16_t)(40211 + 17 * i), (uint16_t)(0x9a00 + i), 64,
		    b, n);
		t += 1100000000u + 37u * i * 1000000u;
	}
	for (unsigned i = 0; i < 2; i++) { /* NTP, 48-byte client packets */
		memset(b, 0, 48);
		b[0] = (char)0x23;
		udp(g, t, OUTGOING, HOST_MAC, HOST_IP, 123, GW_IP, 123, (uint16_t)(0x4400 + i), 64, b, 48);
		b[0] = (char)0x24;
		udp(g, t + 2104499u, HOST, GW_MAC, GW_IP, 123, HOST_IP, 123, (uint16_t)(0x0a10 + i), 64, b, 48);
		t += 700000000u;
	}
	for (unsigned i = 0; i < 36; i++) { /* mDNS and SSDP chatter on the LAN */
		static const char mdns[] = "\0\0\0\0\0\1\0\0\0\0\0\0\x05_ipps\x04_tcp\x05local\0\0\x0c\0\1";
		static const char ssdp[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\""
					   "\r\nMX: 1\r\nST: urn:dial-multicast:google-com:service:dial:1\r\n\r\n";
		if (i % 3 == 2)
			udp(g, t, MULTICAST, PEER_MAC, PEER_IP, 50123, SSDP_IP, 1900, (uint16_t)(0x2000 + i), 1, ssdp,
			    sizeof ssdp - 1);
		else
			udp(g, t, i % 3 ? MULTICAST : OUTGOING, i % 3 ? PEER_MAC : HOST_MAC, i % 3 ? PEER_IP : HOST_IP, 5353,
			    MDNS_IP, 5353, 0, 255, mdns, sizeof mdns - 1);
		t += 250000000u + 1u * i * 1000000u;
	}
	/* 59-61: the host refreshes its ARP entry for the board shortly before
	 * connecting (the board answers: it has ARP). */
	arp(g, t + 100000000u, ARP_OP_REQUEST, HOST_MAC, HOST_IP, DEV_MAC, DEV_IP, OUTGOING, false);
	arp(g, t + 103519007u, ARP_OP_REPLY, DEV_MAC, DEV_IP, HOST_MAC, HOST_IP, HOST, true);
	n = dns(b, 0x7c7c, false, "wpad.lan");
	udp(g, t + 2400000000u, OUTGOING, HOST_MAC, HOST_IP, 52871, GW_IP, 53, 0x33aa, 64, b, n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.pcap\n", argv[0]);
		return 2;
	}
	char err[400];
	struct sim_outfile o;
	if (sim_outfile_open(&o, argv[1], err, sizeof err) != 0) {
		fprintf(stderr, "gen_seed_capture: %s\n", err);
		return 2;
	}
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_LINUX_SLL, 262144, PCAP_TSTAMP_PRECISION_NANO);
	struct gen g = {pcap_dump_fopen(p, o.f), 0};
	if (g.d == NULL) {
		fprintf(stderr, "gen_seed_capture: %s\n", pcap_geterr(p));
		sim_outfile_discard(&o);
		return 2;
	}
	background(&g);
	if (g.frames != 61) {
		fprintf(stderr, "gen_seed_capture: %u background frames, not 61\n", g.frames);
		return 1;
	}
	/* 62: the Linux client's SYN (its option layout). */
	struct tcp_repr syn;
	memset(&syn, 0, sizeof syn);
	syn.src_port = 51486;
	syn.dst_port = 8888;
	syn.seq = 1240744644u;
	syn.flags = TCP_SYN;
	syn.window = 64240;
	syn.opt.present = TCP_OPTF_MSS | TCP_OPTF_SACK_PERM | TCP_OPTF_TS | TCP_OPTF_WSCALE;
	syn.opt.mss = 1460;
	syn.opt.ts_val = 2095798637u;
	syn.opt.wscale = 7;
	tcp(&g, 24622012890ull, OUTGOING, HOST_MAC, HOST_IP, DEV_IP, &syn, 0x4e2b, true, 0);
	/* 63: the board's SYN-ACK, acknowledging 0, padded to 60 bytes. */
	struct tcp_repr sa;
	memset(&sa, 0, sizeof sa);
	sa.src_port = 8888;
	sa.dst_port = 51486;
	sa.seq = 4039242319u;
	sa.ack = 0;
	sa.flags = TCP_SYN | TCP_ACK;
	sa.window = 64240;
	tcp(&g, 24627320274ull, HOST, DEV_MAC, DEV_IP, HOST_IP, &sa, 1, false, 6);
	/* 64: Linux's reset, <SEQ=SEG.ACK><CTL=RST>. */
	struct tcp_repr rst;
	memset(&rst, 0, sizeof rst);
	rst.src_port = 51486;
	rst.dst_port = 8888;
	rst.seq = 0;
	rst.flags = TCP_RST;
	tcp(&g, 24627364199ull, OUTGOING, HOST_MAC, HOST_IP, DEV_IP, &rst, 0, true, 0);
	pcap_dump_flush(g.d);
	if (sim_outfile_sync(&o, err, sizeof err) != 0) {
		fprintf(stderr, "gen_seed_capture: %s\n", err);
		sim_outfile_discard(&o);
		return 2;
	}
	pcap_dump_close(g.d); /* closes o.f */
	o.f = NULL;
	pcap_close(p);
	if (sim_outfile_commit(&o, err, sizeof err) != 0) {
		fprintf(stderr, "gen_seed_capture: %s\n", err);
		return 2;
	}
	return 0;
}
