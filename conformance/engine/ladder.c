/*
 * ladder.c - a failed scenario, explained: the exchange as a ladder
 * diagram (peer on the left, DUT on the right, one row per segment, in
 * script notation with relative numbers) with the verifier's marks under
 * the offending segment. The same exchange as a pcap: pcap_out.c.
 *
 *       time (s)  peer 192.0.2.1:54321                  DUT 192.168.0.1:8080
 *       0.000000  S 0:0(0) win 8192 <mss 536>   ---->                          line 4
 *       0.000271                                <----   S. 0:0(0) ack 0 ...    line 5
 *                                                       ^^^ ack: expected 1 vs 0
 */
#define _POSIX_C_SOURCE 200809L /* inet_ntop */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

#define COL 46

static void ip_str(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xffu, (ip >> 8) & 0xffu, ip & 0xffu);
}

/* Prints s then trims trailing blanks. */
static void row(FILE *out, const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	fprintf(out, "%.*s\n", (int)n, s);
}

void engine_ladder_rows(FILE *out, const char *left, const char *right, const struct engine_ladder_row *rows,
			size_t n)
{
	char line[1400], tbuf[32];
	snprintf(line, sizeof line, "%12s  %-*s        %s", "time (s)", COL, left, right);
	row(out, line);
	for (size_t i = 0; i < n; i++) {
		const struct engine_ladder_row *lr = &rows[i];
		snprintf(tbuf, sizeof tbuf, "%llu.%06llu", (unsigned long long)(lr->t / 1000000000u),
			 (unsigned long long)((lr->t % 1000000000u) / 1000u));
		const char *tag = lr->tag ? lr->tag : "";
		if (lr->plain) {
			snprintf(line, sizeof line, "%12s  %*s%s", "", COL / 2, "", lr->desc);
			row(out, line);
			continue;
		}
		if (lr->right)
			snprintf(line, sizeof line, "%12s  %-*s  <----  %-*s  %s", tbuf, COL, "", COL, lr->desc, tag);
		else
			snprintf(line, sizeof line, "%12s  %-*s  ---->  %-*s  %s", tbuf, COL, lr->desc, COL, "", tag);
		row(out, line);
		/* One row per mark line, under the segment's column. */
		const char *p = lr->marks;
		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t k = nl ? (size_t)(nl - p) : strlen(p);
			if (lr->right)
				snprintf(line, sizeof line, "%12s  %-*s         %.*s", "", COL, "", (int)k, p);
			else
				snprintf(line, sizeof line, "%12s  %.*s", "", (int)k, p);
			row(out, line);
			p += k + (nl ? 1 : 0);
		}
	}
	if (n == 0)
		row(out, "             (no segments were exchanged)");
}

/* The numbers of log entry i are relative to its connection's ISNs; a
 * connection whose DUT ISN no line learned is shown relative to its first
 * SYN in the log, as a script would write it. */
static void entry_map(const struct engine_result *r, size_t i, struct engine_map *m)
{
	memset(m, 0, sizeof *m);
	m->icmp6 = r->ipv6;
	m->peer_isn_known = true;
	int c = r->log[i].conn;
	if (c < 0 || (size_t)c >= r->n_conns || r->conns == NULL) {
		m->dut_isn_known = r->dut_isn_known;
		m->dut_isn = r->dut_isn;
		m->peer_isn = r->peer_isn;
		c = -1;
	} else {
		m->dut_isn_known = r->conns[c].dut_isn_known;
		m->dut_isn = r->conns[c].dut_isn;
		m->peer_isn = r->conns[c].peer_isn_known ? r->conns[c].peer_isn : 0;
	}
	for (size_t k = 0; k < r->n_log && !m->dut_isn_known; k++) {
		struct engine_seg seg;
		if (r->log[k].outbound && (c < 0 || r->log[k].conn == c) &&
		    engine_parse_seg(r->log[k].data, r->log[k].len, &seg) == 0 && (seg.tcp.flags & TCP_SYN)) {
			m->dut_isn_known = true;
			m->dut_isn = seg.tcp.seq;
		}
	}
}

void engine_ladder(const struct engine_result *r, const struct script *s, FILE *out)
{
	char a[16], b[16];
	(void)s;
	/* Endpoints from the first segment. */
	char peer_hdr[64] = "peer", dut_hdr[64] = "DUT";
	for (size_t i = 0; i < r->n_log; i++) {
		struct engine_seg seg;
		if (engine_parse_seg(r->log[i].data, r->log[i].len, &seg) != 0)
			continue;
		uint32_t pip = r->log[i].outbound ? seg.ip.dst : seg.ip.src;
		uint32_t dip = r->log[i].outbound ? seg.ip.src : seg.ip.dst;
		uint16_t pp = r->log[i].outbound ? seg.tcp.dst_port : seg.tcp.src_port;
		uint16_t dp = r->log[i].outbound ? seg.tcp.src_port : seg.tcp.dst_port;
		ip_str(pip, a);
		ip_str(dip, b);
		snprintf(peer_hdr, sizeof peer_hdr, "peer %s:%u", a, pp);
		snprintf(dut_hdr, sizeof dut_hdr, "DUT %s:%u", b, dp);
		if (r->ipv6) {
			char a6[INET6_ADDRSTRLEN], b6[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, r->ip6.peer_ip6, a6, sizeof a6);
			inet_ntop(AF_INET6, r->ip6.dut_ip6, b6, sizeof b6);
			snprintf(peer_hdr, sizeof peer_hdr, "peer [%s]:%u", a6, pp);
			snprintf(dut_hdr, sizeof dut_hdr, "DUT [%s]:%u", b6, dp);
		}
		break;
	}
	struct engine_ladder_row *rows = calloc(r->n_log ? r->n_log : 1, sizeof *rows);
	char (*desc)[512] = calloc(r->n_log ? r->n_log : 1, sizeof *desc);
	char (*tag)[24] = calloc(r->n_log ? r->n_log : 1, sizeof *tag);
	if (rows == NULL || desc == NULL || tag == NULL) {
		free(rows);
		free(desc);
		free(tag);
		return;
	}
	for (size_t i = 0; i < r->n_log; i++) {
		const struct engine_log_entry *le = &r->log[i];
		struct engine_seg seg;
		struct engine_map m;
		entry_map(r, i, &m);
		engine_parse_seg(le->data, le->len, &seg);
		engine_describe(&seg, &m, le->outbound, desc[i], sizeof desc[i]);
		if (le->line)
			snprintf(tag[i], sizeof tag[i], "line %d", le->line);
		rows[i].t = le->t;
		rows[i].right = le->outbound;
		rows[i].desc = desc[i];
		rows[i].tag = tag[i];
		rows[i].marks = le->mark;
	}
	engine_ladder_rows(out, peer_hdr, dut_hdr, rows, r->n_log);
	free(rows);
	free(desc);
	free(tag);
}
