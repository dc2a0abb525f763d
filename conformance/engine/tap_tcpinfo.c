/*
 * tap_tcpinfo.c - the tcpi_* variables of a %{ }% block, as packetdrill's
 * code.c writes them for Python: the kernel's TCP_INFO of the socket
 * under test (the one the last socket() or accept() made), one
 * `name = value` line per field, after the symbolic names of the states
 * (TCP_ESTABLISHED ...), congestion states (TCP_CA_Open ...) and option
 * bits (TCPI_OPT_*).
 *
 * Its own file: <linux/tcp.h> (this machine's uapi struct tcp_info) does
 * not mix with glibc's <netinet/tcp.h>. Fields newer than these headers
 * are read at their uapi offsets when the kernel returns them.
 */
#define _GNU_SOURCE
#include "tap_syscall.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#ifndef TCPI_OPT_USEC_TS
#define TCPI_OPT_USEC_TS 64 /* Linux uapi: usec timestamps */
#endif
#ifndef TCPI_OPT_TFO_CHILD
#define TCPI_OPT_TFO_CHILD 128 /* Linux uapi: child of a Fast Open server */
#endif

struct out {
	char *buf;
	size_t cap, n;
};

static void var(struct out *o, const char *name, unsigned long long v)
{
	if (o->n >= o->cap)
		return;
	int w = snprintf(o->buf + o->n, o->cap - o->n, "%s = %llu\n", name, v);
	if (w > 0)
		o->n += (size_t)w;
}

/* Linux's TCP_* state numbers (include/net/tcp_states.h). */
static const struct {
	const char *name;
	int v;
} STATES[] = {
	{"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2}, {"TCP_SYN_RECV", 3}, {"TCP_FIN_WAIT1", 4},
	{"TCP_FIN_WAIT2", 5},   {"TCP_TIME_WAIT", 6}, {"TCP_CLOSE", 7},  {"TCP_CLOSE_WAIT", 8},
	{"TCP_LAST_ACK", 9},    {"TCP_LISTEN", 10},   {"TCP_CLOSING", 11},
};

/* A u32 or u16 past the end of this machine's struct tcp_info. */
static void tail32(struct out *o, const unsigned char *raw, socklen_t len, size_t off, const char *name)
{
	uint32_t v;
	if (off + sizeof v <= len) {
		memcpy(&v, raw + off, sizeof v);
		var(o, name, v);
	}
}

static void tail16(struct out *o, const unsigned char *raw, socklen_t len, size_t off, const char *name)
{
	uint16_t v;
	if (off + sizeof v <= len) {
		memcpy(&v, raw + off, sizeof v);
		var(o, name, v);
	}
}

int tap_sys_tcp_info(struct tap_sys *s, char *buf, size_t cap)
{
	int fd = tap_sys_under_test(s);
	if (fd < 0) {
		snprintf(buf, cap, "no socket to use for code");
		return -1;
	}
	union {
		struct tcp_info ti;
		unsigned char raw[512];
	} u;
	memset(&u, 0, sizeof u);
	socklen_t len = sizeof u;
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &u, &len) < 0) {
		snprintf(buf, cap, "can't find getsockopt to get TCP info: %s", strerror(errno));
		return -1;
	}
	struct out o = {buf, cap, 0};
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof STATES / sizeof STATES[0]; i++)
		var(&o, STATES[i].name, (unsigned long long)STATES[i].v);
	var(&o, "TCP_CA_Open", TCP_CA_Open);
	var(&o, "TCP_CA_Disorder", TCP_CA_Disorder);
	var(&o, "TCP_CA_CWR", TCP_CA_CWR);
	var(&o, "TCP_CA_Recovery", TCP_CA_Recovery);
	var(&o, "TCP_CA_Loss", TCP_CA_Loss);
	var(&o, "TCPI_OPT_TIMESTAMPS", TCPI_OPT_TIMESTAMPS);
	var(&o, "TCPI_OPT_SACK", TCPI_OPT_SACK);
	var(&o, "TCPI_OPT_WSCALE", TCPI_OPT_WSCALE);
	var(&o, "TCPI_OPT_ECN", TCPI_OPT_ECN);
	var(&o, "TCPI_OPT_ECN_SEEN", TCPI_OPT_ECN_SEEN);
	var(&o, "TCPI_OPT_SYN_DATA", TCPI_OPT_SYN_DATA);
	var(&o, "TCPI_OPT_USEC_TS", TCPI_OPT_USEC_TS);
	var(&o, "TCPI_OPT_TFO_CHILD", TCPI_OPT_TFO_CHILD);
	const struct tcp_info *t = &u.ti;
#define F(f) var(&o, #f, (unsigned long long)t->f)
	F(tcpi_state); F(tcpi_ca_state); F(tcpi_retransmits); F(tcpi_probes); F(tcpi_backoff);
	F(tcpi_options); F(tcpi_snd_wscale); F(tcpi_rcv_wscale); F(tcpi_delivery_rate_app_limited);
	F(tcpi_rto); F(tcpi_ato); F(tcpi_snd_mss); F(tcpi_rcv_mss); F(tcpi_unacked); F(tcpi_sacked);
	F(tcpi_lost); F(tcpi_retrans); F(tcpi_fackets); F(tcpi_last_data_sent); F(tcpi_last_ack_sent);
	F(tcpi_last_data_recv); F(tcpi_last_ack_recv); F(tcpi_pmtu); F(tcpi_rcv_ssthresh); F(tcpi_rtt);
	F(tcpi_rttvar); F(tcpi_snd_ssthresh); F(tcpi_snd_cwnd); F(tcpi_advmss); F(tcpi_reordering);
	F(tcpi_total_retrans); F(tcpi_pacing_rate); F(tcpi_max_pacing_rate); F(tcpi_rcv_rtt);
	F(tcpi_rcv_space); F(tcpi_bytes_acked); F(tcpi_bytes_received); F(tcpi_segs_out); F(tcpi_segs_in);
	F(tcpi_notsent_bytes); F(tcpi_min_rtt); F(tcpi_data_segs_in); F(tcpi_data_segs_out);
	F(tcpi_delivery_rate); F(tcpi_busy_time); F(tcpi_rwnd_limited); F(tcpi_sndbuf_limited);
	F(tcpi_delivered); F(tcpi_delivered_ce); F(tcpi_bytes_sent); F(tcpi_bytes_retrans);
	F(tcpi_dsack_dups); F(tcpi_reord_seen); F(tcpi_rcv_ooopack); F(tcpi_snd_wnd);
#undef F
	/* Linux uapi after tcpi_snd_wnd: rcv_wnd, rehash (u32), total_rto,
	 * total_rto_recoveries (u16), total_rto_time (u32). */
	size_t end = offsetof(struct tcp_info, tcpi_snd_wnd) + sizeof t->tcpi_snd_wnd;
	tail32(&o, u.raw, len, end, "tcpi_rcv_wnd");
	tail32(&o, u.raw, len, end + 4, "tcpi_rehash");
	tail16(&o, u.raw, len, end + 8, "tcpi_total_rto");
	tail16(&o, u.raw, len, end + 10, "tcpi_total_rto_recoveries");
	tail32(&o, u.raw, len, end + 12, "tcpi_total_rto_time");
	if (o.n >= cap) {
		snprintf(buf, cap, "the tcp_info variables do not fit in %zu bytes", cap);
		return -1;
	}
	return 0;
}
