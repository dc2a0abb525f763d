/*
 * dut_tap_diag.c - what the kernel says about the sockets in the tap DUT's
 * namespace: NETLINK_SOCK_DIAG lookups (a socket the application has
 * closed is followed there, request sockets included) and SOCK_DESTROY
 * (the kernel's own abort of such a socket), the TCP state a script's
 * `state` line reads, and the kernel's MIB counters. The application side
 * (dut_tap_sock.c) calls into it; dut_tap_priv.h holds the state.
 */
#define _GNU_SOURCE

#include "dut_tap_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const dut_tap_state_names[] = {
	"CLOSED", "ESTABLISHED", "SYN-SENT", "SYN-RECEIVED", "FIN-WAIT-1",
	"FIN-WAIT-2", "TIME-WAIT", "CLOSED", "CLOSE-WAIT", "LAST-ACK",
	"LISTEN", "CLOSING", "SYN-RECEIVED",
};

static const char *state_name(int s)
{
	if (s < 0 || (size_t)s >= sizeof dut_tap_state_names / sizeof dut_tap_state_names[0])
		return "CLOSED";
	return dut_tap_state_names[s];
}

/* ---- sock_diag: the kernel's view of every TCP socket in the ns ---- */

static void diag_match(struct dut_tap_diag_query *q, const struct inet_diag_msg *m)
{
	uint16_t sport = ntohs(m->id.idiag_sport), dport = ntohs(m->id.idiag_dport);
	uint32_t dst = ntohl(m->id.idiag_dst[0]);
	if (m->idiag_state == LX_LISTEN)
		return;
	if (q->peer_only ? dst != q->rip
			 : sport != q->lport || dport != q->rport || dst != q->rip)
		return;
	/* Prefer a full socket over a request socket for the same port. */
	if (q->state < 0 || q->state == LX_NEW_SYN_RECV)
		q->state = m->idiag_state;
}

int dut_tap_diag_lookup(struct dut_tap *t, struct dut_tap_diag_query *q)
{
	q->state = -1;
	if (t->diag_fd < 0)
		return -ENOTSUP;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	memset(&req, 0, sizeof req);
	req.nlh.nlmsg_len = sizeof req;
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_INET;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = 0xffffffffu;
	if (!q->peer_only) {
		/* One 4-tuple: the kernel's exact lookup (inet_diag_find_one_icsk:
		 * full, request and time-wait sockets, then a listener, which
		 * diag_match ignores) instead of a dump. A dump walks every bucket
		 * of the TCP hash the namespaces share, each call: at -j 64 that
		 * was 60 % of the machine (perf, tcp_diag_dump), scanned every
		 * 10 ms for each closed connection. */
		req.nlh.nlmsg_flags = NLM_F_REQUEST;
		req.r.id.idiag_sport = htons(q->lport);
		req.r.id.idiag_dport = htons(q->rport);
		req.r.id.idiag_src[0] = htonl(q->lip ? q->lip : t->cfg.dut_ip);
		req.r.id.idiag_dst[0] = htonl(q->rip);
		req.r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
		req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	}
	struct sockaddr_nl nl;
	memset(&nl, 0, sizeof nl);
	nl.nl_family = AF_NETLINK;
	if (sendto(t->diag_fd, &req, sizeof req, 0, (struct sockaddr *)&nl, sizeof nl) < 0)
		return -errno;
	/* Keep the buffer aligned for struct nlmsghdr. */
	long buf[8192 / sizeof(long)];
	for (;;) {
		ssize_t n = recv(t->diag_fd, buf, sizeof buf, 0);
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				/* The exact lookup's "no such socket". */
				const struct nlmsgerr *ne = NLMSG_DATA(h);
				bool none = !q->peer_only && h->nlmsg_len >= NLMSG_LENGTH(sizeof *ne) &&
					    ne->error == -ENOENT;
				return none ? 0 : -EIO;
			}
			if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				diag_match(q, NLMSG_DATA(h));
			if (!q->peer_only)
				return 0; /* the exact lookup's one answer */
		}
	}
}

/* SOCK_DESTROY through sock_diag: the kernel's own ABORT (tcp_abort) of
 * the socket with c's 4-tuple, which the application no longer holds: a
 * RST in the states that can still lose data (ESTABLISHED, CLOSE-WAIT,
 * FIN-WAIT-1/2, SYN-RECEIVED), silence in CLOSING, LAST-ACK and TIME-WAIT,
 * as RFC 9293 §3.10.5 says. Needs CONFIG_INET_DIAG_DESTROY: -EOPNOTSUPP
 * without it. */
int dut_tap_diag_destroy(struct dut_tap *t, const struct dut_tap_conn *c)
{
	if (t->diag_fd < 0)
		return -EOPNOTSUPP;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	memset(&req, 0, sizeof req);
	req.nlh.nlmsg_len = sizeof req;
	req.nlh.nlmsg_type = SOCK_DESTROY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.r.sdiag_family = AF_INET;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = 0xffffffffu;
	req.r.id.idiag_sport = htons(c->lport);
	req.r.id.idiag_dport = htons(c->rport);
	req.r.id.idiag_src[0] = htonl(c->lip ? c->lip : t->cfg.dut_ip);
	req.r.id.idiag_dst[0] = htonl(c->rip);
	req.r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	struct sockaddr_nl nl;
	memset(&nl, 0, sizeof nl);
	nl.nl_family = AF_NETLINK;
	if (sendto(t->diag_fd, &req, sizeof req, 0, (struct sockaddr *)&nl, sizeof nl) < 0)
		return -errno;
	long buf[1024 / sizeof(long)];
	ssize_t n = recv(t->diag_fd, buf, sizeof buf, 0);
	if (n < 0)
		return -errno;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		return -EIO;
	const struct nlmsgerr *ne = NLMSG_DATA(h);
	return ne->error;
}

/* ---- state and counters ---- */

/* As the sim adapter answers: the current connection's state; failing
 * that (a passive open still in SYN-RECEIVED has no socket yet, an aborted
 * one is gone) whatever connection the kernel has with the peer, through
 * sock_diag, which lists request sockets too; else LISTEN or CLOSED. */
int dut_tap_tcp_state(struct dut *d, const char **name)
{
	struct dut_tap *t = d->priv;
	dut_tap_scan(t);
	const struct dut_tap_conn *c = t->cur < 0 ? NULL : &t->conns[t->cur];
	if (c && (c->role == DUT_TAP_CONNECTING || c->role == DUT_TAP_OPEN)) {
		struct tcp_info ti;
		socklen_t l = sizeof ti;
		if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
			return -errno;
		if (ti.tcpi_state != LX_CLOSE) {
			*name = state_name(ti.tcpi_state);
			return 0;
		}
	}
	if (c && c->role == DUT_TAP_ORPHAN && c->last_state > 0) {
		*name = state_name(c->last_state);
		return 0;
	}
	struct dut_tap_diag_query q = {.rip = t->cfg.peer_ip, .peer_only = true};
	if (dut_tap_diag_lookup(t, &q) == 0 && q.state >= 0) {
		*name = state_name(q.state);
		return 0;
	}
	*name = "CLOSED";
	for (int i = 0; i < DUT_TAP_MAX_CONNS; i++)
		if (t->conns[i].role == DUT_TAP_LISTENER)
			*name = "LISTEN";
	return 0;
}

/* Find `name` ("TcpExt.TCPChallengeACK", or bare "TCPChallengeACK") in a
 * /proc/net/{snmp,netstat} style file: header line, value line, repeat. */
static int mib_lookup(const char *path, const char *name, uint64_t *val)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	const char *dot = strchr(name, '.');
	char hdr[16384], vals[16384]; /* TcpExt: ~130 fields */
	int rc = -ENOENT;
	while (rc != 0 && fgets(hdr, sizeof hdr, f) && fgets(vals, sizeof vals, f)) {
		char *hs, *vs;
		char *h = strtok_r(hdr, " \n", &hs);
		char *v = strtok_r(vals, " \n", &vs);
		if (h == NULL || v == NULL)
			continue;
		/* h is "Tcp:" — match the prefix when the name has one. */
		if (dot && (strncmp(h, name, (size_t)(dot - name)) != 0 ||
			    h[dot - name] != ':'))
			continue;
		const char *field = dot ? dot + 1 : name;
		while ((h = strtok_r(NULL, " \n", &hs)) && (v = strtok_r(NULL, " \n", &vs)))
			if (strcmp(h, field) == 0) {
				*val = strtoull(v, NULL, 10);
				rc = 0;
				break;
			}
	}
	fclose(f);
	return rc;
}

int dut_tap_counter(struct dut *d, const char *name, uint64_t *val)
{
	struct dut_tap *t = d->priv;
	static const struct {
		const char *name;
		size_t off;
	} own[] = {
		{"tap.frames_in", offsetof(struct dut_tap, frames_in)},
		{"tap.frames_out", offsetof(struct dut_tap, frames_out)},
		{"tap.arp_replies", offsetof(struct dut_tap, arp_replies)},
		{"tap.nd_replies", offsetof(struct dut_tap, nd_replies)},
		{"tap.noise_dropped", offsetof(struct dut_tap, noise_dropped)},
		{"tap.events_lost", offsetof(struct dut_tap, events_lost)},
	};
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (strcmp(name, own[i].name) == 0) {
			memcpy(val, (const uint8_t *)t + own[i].off, sizeof *val);
			return 0;
		}
	/* The sim adapter's names (core/net/net_stats.h) where Linux counts the
	 * same thing; the others (rst_accepted, rst_out_of_window, ...) have
	 * no Linux equivalent and stay unsupported rather than approximated. */
	static const struct {
		const char *sim, *linux_name;
	} alias[] = {
		{"challenge_acks", "TcpExt.TCPChallengeACK"},
		{"tcp.challenge_acks", "TcpExt.TCPChallengeACK"},
	};
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (strcmp(name, alias[i].sim) == 0)
			name = alias[i].linux_name;
	/* The kernel's MIB counters, as nstat names them, read from inside
	 * the namespace (/proc/thread-self/net follows the thread's ns). */
	int saved;
	int rc = dut_tap_ns_enter(t, &saved);
	if (rc < 0)
		return rc;
	rc = mib_lookup("/proc/thread-self/net/snmp", name, val);
	if (rc < 0)
		rc = mib_lookup("/proc/thread-self/net/netstat", name, val);
	dut_tap_ns_leave(saved);
	return rc;
}
