/*
 * dut_tap_sock.c - the application side of the tap DUT adapter: the
 * runner's application actions become socket calls on sockets created
 * inside the DUT's namespace, and what those sockets report becomes
 * application events.
 *
 * Sockets are non-blocking. dut_tap_scan() (called from advance(),
 * app_event() and tcp_state()) polls each one with a zero timeout:
 *   listener readable       -> accept4() -> ACCEPTED (becomes current)
 *   connect finished        -> CONNECTED
 *   the connection is over (TCP_INFO says CLOSE) with POLLERR, and no
 *   segment we injected ended it -> TIMEOUT (retransmissions exhausted)
 *   more unread bytes       -> DATA (SIOCINQ grew), then POLLRDHUP -> EOF
 *   both FINs through: the socket in CLOSE without an error, or, once the
 *   application closed it, in TIME-WAIT or no longer listed by sock_diag
 *                           -> CLOSED (as the sim DUT's stack says it)
 * An ABORT after CLOSE is the kernel's own abort of the orphan
 * (SOCK_DESTROY), so `abort` means the same as on sim (dut_tap_app).
 * A reset is seen where it happens: a TAP write is processed by the
 * kernel before write() returns, so dut_tap_injected() looks at the
 * connections the injected segment belongs to, and one it ended is
 * REFUSED (in SYN-SENT) or RESET. Nothing here reads SO_ERROR: the
 * socket's pending error stays the kernel's, for the application's own
 * read, write or getsockopt(SO_ERROR) (dut_tap_so_error) to take (Linux
 * reports it once: EPIPE for a RST in CLOSE-WAIT, ECONNRESET elsewhere).
 * After close() the app has no fd, so the connection is followed through
 * NETLINK_SOCK_DIAG (dut_tap_diag.c, which also answers tcp_state() and
 * the counters).
 */
#define _GNU_SOURCE

#include "dut_tap_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define SEND_CHUNK 4096u
#define RECV_MAX 65536u
#define LISTEN_BACKLOG 16


void dut_tap_sock_init(struct dut_tap *t)
{
	for (int i = 0; i < DUT_TAP_MAX_CONNS; i++) {
		memset(&t->conns[i], 0, sizeof t->conns[i]);
		t->conns[i].fd = -1;
	}
	t->cur = -1;
	t->urg_fd = -1;
}

/* Linux tells a socket's owner of a new urgent pointer with SIGURG
 * (tcp_check_urg -> sk_send_sigurg), before the urgent byte itself can be
 * read: RFC 9293 MUST-32's signal, also at a zero window (MUST-66). The
 * signal is blocked and read from a signalfd, so nothing is interrupted;
 * a process-wide signal, it is put down to the current connection. */
void dut_tap_urg_start(struct dut_tap *t)
{
	sigset_t urg, old;
	sigemptyset(&urg);
	sigaddset(&urg, SIGURG);
	if (sigprocmask(SIG_BLOCK, &urg, &old) < 0)
		return;
	t->urg_was_blocked = sigismember(&old, SIGURG) == 1;
	t->urg_fd = signalfd(-1, &urg, SFD_NONBLOCK | SFD_CLOEXEC);
}

static bool urg_pending(struct dut_tap *t)
{
	struct signalfd_siginfo si;
	bool got = false;
	while (t->urg_fd >= 0 && read(t->urg_fd, &si, sizeof si) == (ssize_t)sizeof si)
		got = true;
	return got;
}

/* The application's sockets are this process's: SIGURG comes here. */
static void own(int fd)
{
	(void)fcntl(fd, F_SETOWN, getpid());
}

void dut_tap_sock_close_all(struct dut_tap *t)
{
	for (int i = 0; i < DUT_TAP_MAX_CONNS; i++)
		if (t->conns[i].fd >= 0) {
			close(t->conns[i].fd);
			t->conns[i].fd = -1;
		}
	if (t->urg_fd >= 0) {
		(void)urg_pending(t); /* taken: not delivered once unblocked */
		close(t->urg_fd);
		t->urg_fd = -1;
		if (!t->urg_was_blocked) {
			sigset_t urg;
			sigemptyset(&urg);
			sigaddset(&urg, SIGURG);
			(void)sigprocmask(SIG_UNBLOCK, &urg, NULL);
		}
	}
}

static void push_event(struct dut_tap *t, enum dut_app_event ev)
{
	if (t->ev_n == DUT_TAP_MAX_EVENTS) {
		t->events_lost++;
		return;
	}
	t->ev[(t->ev_head + t->ev_n) % DUT_TAP_MAX_EVENTS] = ev;
	t->ev_n++;
}

/* Handles are never reused within a run, so a script's numbering stays
 * stable: the next free slot after the highest one used. */
static int new_slot(struct dut_tap *t)
{
	int next = 0;
	for (int i = 0; i < DUT_TAP_MAX_CONNS; i++)
		if (t->conns[i].used)
			next = i + 1;
	return next < DUT_TAP_MAX_CONNS ? next : -1;
}

static void fill_names(struct dut_tap_conn *c)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	if (getsockname(c->fd, (struct sockaddr *)&a, &al) == 0) {
		c->lip = ntohl(a.sin_addr.s_addr);
		c->lport = ntohs(a.sin_port);
	}
	al = sizeof a;
	if (getpeername(c->fd, (struct sockaddr *)&a, &al) == 0) {
		c->rip = ntohl(a.sin_addr.s_addr);
		c->rport = ntohs(a.sin_port);
	}
}

/* ---- scanning sockets for events ---- */

static short poll_one(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	return p.revents;
}

/* The kernel's TCP state of a socket (TCP_INFO; it does not touch the
 * socket's pending error), or -1. */
static int conn_state(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof ti;
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
		return -1;
	return ti.tcpi_state;
}

/* SEND's bytes are 'a'..'z' repeating, counted over the connection, as
 * the sim adapter writes them: one script, the same payload on every DUT.
 * Returns 0, or the kernel's error for a send it refused outright. */
static int flush_send(struct dut_tap_conn *c)
{
	uint8_t chunk[SEND_CHUNK];
	while (c->send_pending > 0) {
		size_t n = c->send_pending > SEND_CHUNK ? SEND_CHUNK : (size_t)c->send_pending;
		for (size_t i = 0; i < n; i++)
			chunk[i] = (uint8_t)('a' + (c->send_seq + i) % 26u);
		ssize_t w = send(c->fd, chunk, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
		if (w == 0)
			return 0;
		c->send_pending -= (uint64_t)w;
		c->send_seq += (uint64_t)w;
	}
	return 0;
}

static void scan_listener(struct dut_tap *t, struct dut_tap_conn *l)
{
	for (;;) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		int i = new_slot(t);
		if (i < 0) {
			close(fd); /* out of handles: Linux sees the close */
			t->events_lost++;
			continue;
		}
		struct dut_tap_conn *c = &t->conns[i];
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->used = true;
		c->role = DUT_TAP_OPEN;
		fill_names(c);
		own(fd);
		t->cur = i;
		push_event(t, DUT_EV_ACCEPTED);
		/* Reset while it waited in the accept queue (accept still
		 * returns it, its error pending). */
		if (conn_state(fd) == LX_CLOSE) {
			c->dead = true;
			push_event(t, DUT_EV_RESET);
		}
	}
}

static void scan_conn(struct dut_tap *t, struct dut_tap_conn *c)
{
	short want = POLLIN | POLLRDHUP;
	if (c->role == DUT_TAP_CONNECTING || c->send_pending > 0)
		want = (short)(want | POLLOUT);
	short re = poll_one(c->fd, want);
	if (re == 0)
		return;
	if (c->role == DUT_TAP_CONNECTING) {
		if (!(re & (POLLOUT | POLLERR | POLLHUP)))
			return;
		int st = conn_state(c->fd);
		if (st == LX_SYN_SENT)
			return;
		if (st == LX_CLOSE) {
			/* Not a RST (dut_tap_injected would have seen it): the
			 * SYN retries ran out. */
			c->dead = true;
			push_event(t, DUT_EV_TIMEOUT);
			return;
		}
		c->role = DUT_TAP_OPEN;
		fill_names(c);
		push_event(t, DUT_EV_CONNECTED);
	}
	if ((re & (POLLERR | POLLHUP)) && conn_state(c->fd) == LX_CLOSE) {
		/* Over without a segment of ours ending it: with an error, the
		 * retransmissions ran out; without, both FINs are through (the
		 * kernel has moved it to TIME-WAIT, or LAST-ACK ended). */
		c->dead = true;
		c->closed_seen = !(re & POLLERR);
		push_event(t, c->closed_seen ? DUT_EV_CLOSED : DUT_EV_TIMEOUT);
		return;
	}
	if (re & POLLIN) {
		int inq = 0;
		if (ioctl(c->fd, SIOCINQ, &inq) == 0 && inq > c->inq_seen)
			push_event(t, DUT_EV_DATA);
		c->inq_seen = inq;
	}
	if ((re & POLLRDHUP) && !c->eof_seen) {
		c->eof_seen = true;
		push_event(t, DUT_EV_EOF);
	}
	if (c->send_pending > 0 && (re & POLLOUT))
		flush_send(c);
}

/* The application is told CLOSED when both FINs are through: the
 * connection is gone, or lingers in TIME-WAIT (as the sim DUT's stack
 * tells it on entering TIME-WAIT). It is followed on for tcp_state(). */
static void scan_orphan(struct dut_tap *t, struct dut_tap_conn *c)
{
	struct dut_tap_diag_query q = {.lport = c->lport, .rport = c->rport, .lip = c->lip, .rip = c->rip};
	if (dut_tap_diag_lookup(t, &q) < 0)
		return;
	if ((q.state < 0 || q.state == LX_TIME_WAIT) && !c->closed_seen) {
		c->closed_seen = true;
		push_event(t, DUT_EV_CLOSED);
	}
	if (q.state < 0) {
		c->role = DUT_TAP_FREE; /* c->used stays: handles are not reused */
		c->last_state = 0;
		return;
	}
	c->last_state = q.state;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Whether c is a live connection to peer rip, our port lport, its rport. */
static bool live_conn(const struct dut_tap_conn *c, uint32_t rip, uint16_t lport, uint16_t rport)
{
	return (c->role == DUT_TAP_OPEN || c->role == DUT_TAP_CONNECTING) && !c->dead && c->fd >= 0 &&
	       c->lport == lport && c->rport == rport && c->rip == rip;
}

/* The live connections of an injected segment's 4-tuple (the peer's
 * address and port, our port). An ICMP error (destination unreachable,
 * time exceeded, parameter problem) names the connection by the segment
 * it quotes, which went the other way: our port is its source, the peer
 * its destination. */
static bool for_segment(const struct dut_tap_conn *c, const uint8_t *ip, size_t len)
{
	if (len < 24 || (ip[0] >> 4) != 4)
		return false;
	size_t ihl = (size_t)(ip[0] & 0x0fu) * 4u;
	if (ip[9] == IPPROTO_ICMP) {
		if (len < ihl + 8 + 20 || (ip[ihl] != 3 && ip[ihl] != 11 && ip[ihl] != 12))
			return false;
		const uint8_t *q = ip + ihl + 8;
		size_t qihl = (size_t)(q[0] & 0x0fu) * 4u;
		if ((q[0] >> 4) != 4 || q[9] != IPPROTO_TCP || qihl < 20 || len < ihl + 8 + qihl + 4)
			return false;
		return live_conn(c, get32(q + 16), (uint16_t)(q[qihl] << 8 | q[qihl + 1]),
				 (uint16_t)(q[qihl + 2] << 8 | q[qihl + 3]));
	}
	if (ip[9] != IPPROTO_TCP || len < ihl + 4)
		return false;
	return live_conn(c, get32(ip + 12), (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]),
			 (uint16_t)(ip[ihl] << 8 | ip[ihl + 1]));
}

void dut_tap_injecting(struct dut_tap *t, const uint8_t *ip, size_t len)
{
	for (int i = 0; i < DUT_TAP_MAX_CONNS; i++) {
		struct dut_tap_conn *c = &t->conns[i];
		c->inj_state = for_segment(c, ip, len) ? conn_state(c->fd) : -1;
	}
}

/* After the TAP write of the peer's segment, which the kernel has
 * processed by now: a connection it ended was refused if it was in
 * SYN-SENT (tcp_reset: ECONNREFUSED; for an ICMP error, tcp_v4_err's
 * errno of the code, which the event interface folds into refused), else
 * reset. */
void dut_tap_injected(struct dut_tap *t, const uint8_t *ip, size_t len)
{
	for (int i = 0; i < DUT_TAP_MAX_CONNS; i++) {
		struct dut_tap_conn *c = &t->conns[i];
		if (c->inj_state < 0 || !for_segment(c, ip, len) || conn_state(c->fd) != LX_CLOSE)
			continue;
		c->dead = true;
		push_event(t, c->inj_state == LX_SYN_SENT ? DUT_EV_REFUSED : DUT_EV_RESET);
	}
}

void dut_tap_scan(struct dut_tap *t)
{
	if (urg_pending(t))
		push_event(t, DUT_EV_URGENT);
	for (int i = 0; i < DUT_TAP_MAX_CONNS; i++) {
		struct dut_tap_conn *c = &t->conns[i];
		switch (c->role) {
		case DUT_TAP_LISTENER:
			scan_listener(t, c);
			break;
		case DUT_TAP_CONNECTING:
		case DUT_TAP_OPEN:
			if (!c->dead)
				scan_conn(t, c);
			break;
		case DUT_TAP_ORPHAN:
			scan_orphan(t, c);
			break;
		case DUT_TAP_FREE:
			break;
		}
	}
}

enum dut_app_event dut_tap_app_event(struct dut *d)
{
	struct dut_tap *t = d->priv;
	dut_tap_scan(t);
	if (t->ev_n == 0)
		return DUT_EV_NONE;
	enum dut_app_event ev = t->ev[t->ev_head];
	t->ev_head = (t->ev_head + 1) % DUT_TAP_MAX_EVENTS;
	t->ev_n--;
	return ev;
}

/* ---- socket options ---- */

enum opt_kind { OPT_INT, OPT_LINGER, OPT_READONLY };

struct opt_def {
	const char *name;
	int level, optname;
	enum opt_kind kind;
};

static const struct opt_def dut_tap_opts[] = {
	{"SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, OPT_INT},
	{"SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, OPT_INT},
	{"SO_LINGER", SOL_SOCKET, SO_LINGER, OPT_LINGER},
	{"SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, OPT_INT},
	{"SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, OPT_INT},
	{"SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, OPT_INT},
	{"SO_ERROR", SOL_SOCKET, SO_ERROR, OPT_READONLY},
	{"TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, OPT_INT},
	{"TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, OPT_INT},
	{"TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT},
	{"TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT},
	{"TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, OPT_INT},
	{"TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT, OPT_INT},
	{"TCP_SYNCNT", IPPROTO_TCP, TCP_SYNCNT, OPT_INT},
	{"TCP_CORK", IPPROTO_TCP, TCP_CORK, OPT_INT},
	{"TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, OPT_INT},
	{"TCP_DEFER_ACCEPT", IPPROTO_TCP, TCP_DEFER_ACCEPT, OPT_INT},
	{"IP_TTL", IPPROTO_IP, IP_TTL, OPT_INT},
	{"IP_TOS", IPPROTO_IP, IP_TOS, OPT_INT},
};

static const struct opt_def *find_opt(const char *name)
{
	for (size_t i = 0; i < sizeof dut_tap_opts / sizeof dut_tap_opts[0]; i++)
		if (strcmp(dut_tap_opts[i].name, name) == 0)
			return &dut_tap_opts[i];
	return NULL;
}

static int set_opt(int fd, int level, int optname, int64_t val)
{
	if (level == SOL_SOCKET && optname == SO_LINGER) {
		struct linger lg = {val >= 0, val >= 0 ? (int)val : 0};
		return setsockopt(fd, level, optname, &lg, sizeof lg) < 0 ? -errno : 0;
	}
	int v = (int)val;
	return setsockopt(fd, level, optname, &v, sizeof v) < 0 ? -errno : 0;
}

/* Resolve a handle to an index: -1 = the current one, DUT_CONN_LISTENER =
 * the listener on `port` (0 = dut_port). */
static int resolve(const struct dut_tap *t, int conn, uint16_t port)
{
	if (conn == DUT_CONN_LISTENER) {
		uint16_t p = port ? port : t->cfg.dut_port;
		for (int k = 0; k < DUT_TAP_MAX_CONNS; k++)
			if (t->conns[k].role == DUT_TAP_LISTENER && t->conns[k].lport == p)
				return k;
		return -1;
	}
	int i = conn < 0 ? t->cur : conn;
	if (i < 0 || i >= DUT_TAP_MAX_CONNS)
		return -1;
	return i;
}

int dut_tap_sockopt(struct dut *d, struct dut_sockopt *o, char err[DUT_ERR_LEN])
{
	struct dut_tap *t = d->priv;
	const struct opt_def *def = find_opt(o->name);
	if (def == NULL) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: unknown socket option '%s'", o->name);
		return -ENOPROTOOPT;
	}
	int i = resolve(t, o->conn, 0);
	int fd = i < 0 ? -1 : t->conns[i].fd;
	if (fd < 0) {
		if (o->set && o->conn < 0 && def->kind != OPT_READONLY &&
		    t->n_pending < DUT_TAP_MAX_PENDING_OPTS) {
			t->pending[t->n_pending++] = (struct dut_tap_opt){def->level, def->optname, o->val};
			return 0;
		}
		snprintf(err, DUT_ERR_LEN, "tap DUT: %s: no open socket for handle %d", o->name, o->conn);
		return -EBADF;
	}
	int rc;
	if (o->set) {
		if (def->kind == OPT_READONLY) {
			snprintf(err, DUT_ERR_LEN, "tap DUT: %s is read-only", o->name);
			return -EINVAL;
		}
		rc = set_opt(fd, def->level, def->optname, o->val);
	} else if (def->kind == OPT_LINGER) {
		struct linger lg;
		socklen_t l = sizeof lg;
		rc = getsockopt(fd, def->level, def->optname, &lg, &l) < 0 ? -errno : 0;
		o->val = lg.l_onoff ? lg.l_linger : -1;
	} else {
		int v = 0;
		socklen_t l = sizeof v;
		rc = getsockopt(fd, def->level, def->optname, &v, &l) < 0 ? -errno : 0;
		o->val = v;
	}
	if (rc < 0)
		snprintf(err, DUT_ERR_LEN, "tap DUT: %ssockopt %s: %s", o->set ? "set" : "get",
			 o->name, strerror(-rc));
	return rc;
}

/* getsockopt(SO_ERROR) of the application's socket: the kernel's own
 * answer (which it clears), since nothing here reads it before. */
int dut_tap_so_error(struct dut *d, int conn)
{
	struct dut_tap *t = d->priv;
	dut_tap_scan(t);
	int i = resolve(t, conn, 0);
	if (i < 0 || t->conns[i].fd < 0)
		return 0;
	int e = 0;
	socklen_t l = sizeof e;
	if (getsockopt(t->conns[i].fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		return errno;
	return e;
}

/* ---- application actions ---- */

/* A TCP socket in the DUT's namespace with the pending options applied. */
static int new_socket(struct dut_tap *t, char err[DUT_ERR_LEN])
{
	int saved;
	int rc = dut_tap_ns_enter(t, &saved);
	if (rc < 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: cannot enter the namespace: %s", strerror(-rc));
		return rc;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	rc = fd < 0 ? -errno : 0;
	dut_tap_ns_leave(saved);
	if (rc < 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: socket: %s", strerror(-rc));
		return rc;
	}
	for (unsigned k = 0; k < t->n_pending; k++) {
		rc = set_opt(fd, t->pending[k].level, t->pending[k].name, t->pending[k].val);
		if (rc < 0) {
			snprintf(err, DUT_ERR_LEN, "tap DUT: setsockopt: %s", strerror(-rc));
			close(fd);
			return rc;
		}
	}
	t->n_pending = 0;
	own(fd);
	if (t->rcvbuf > 0 && (rc = set_opt(fd, SOL_SOCKET, SO_RCVBUF, t->rcvbuf)) < 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: setsockopt SO_RCVBUF: %s", strerror(-rc));
		close(fd);
		return rc;
	}
	return fd;
}

static int bind_to(int fd, uint32_t ip, uint16_t port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(ip);
	a.sin_port = htons(port);
	return bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ? -errno : 0;
}

/* Listens on cmd->port, or with port 0 on the port Linux picks when
 * listen() finds the socket unbound (inet_autobind), which it returns. */
static int app_listen(struct dut_tap *t, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN])
{
	uint16_t port = cmd->port;
	int i = new_slot(t);
	if (i < 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: out of connection handles");
		return -EMFILE;
	}
	int fd = new_socket(t, err);
	if (fd < 0)
		return fd;
	int one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	int rc = port != 0 ? bind_to(fd, 0, port) : 0;
	if (rc == 0 && listen(fd, LISTEN_BACKLOG) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: listen on port %u: %s", port, strerror(-rc));
		close(fd);
		return rc;
	}
	bool picked = port == 0;
	if (picked) {
		struct sockaddr_in a;
		socklen_t al = sizeof a;
		if (getsockname(fd, (struct sockaddr *)&a, &al) == 0)
			port = ntohs(a.sin_port);
	}
	struct dut_tap_conn *c = &t->conns[i];
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->used = true;
	c->role = DUT_TAP_LISTENER;
	c->lip = t->cfg.dut_ip;
	c->lport = port;
	t->cur = i;
	return picked ? port : 0;
}

/* The application's receive buffer: SO_RCVBUF on the connection's socket
 * (or listener, whose connections inherit it) and on every socket made
 * after. Linux doubles the value and advertises about half of it, what is
 * left after its overhead; unread data then closes the window. */
static int app_rcvbuf(struct dut_tap *t, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN])
{
	t->rcvbuf = cmd->n > INT32_MAX / 2 ? INT32_MAX / 2 : (int)cmd->n;
	int i = resolve(t, cmd->conn, cmd->port);
	if (i < 0 || t->conns[i].fd < 0)
		return 0;
	int rc = set_opt(t->conns[i].fd, SOL_SOCKET, SO_RCVBUF, t->rcvbuf);
	if (rc < 0)
		snprintf(err, DUT_ERR_LEN, "tap DUT: setsockopt SO_RCVBUF: %s", strerror(-rc));
	return rc;
}

/* Active open from dut_ip:dut_port (an ephemeral port if that is taken),
 * so the SYN's source port is the one the script names. */
static int app_connect(struct dut_tap *t, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN])
{
	uint32_t ip = cmd->ip ? cmd->ip : t->cfg.peer_ip;
	uint16_t port = cmd->port ? cmd->port : t->cfg.peer_port;
	int i = new_slot(t);
	if (i < 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: out of connection handles");
		return -EMFILE;
	}
	int fd = new_socket(t, err);
	if (fd < 0)
		return fd;
	if (t->cfg.dut_port != 0 && bind_to(fd, t->cfg.dut_ip, t->cfg.dut_port) < 0)
		(void)bind_to(fd, t->cfg.dut_ip, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(ip);
	a.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
		int rc = -errno;
		snprintf(err, DUT_ERR_LEN, "tap DUT: connect: %s", strerror(-rc));
		close(fd);
		return rc;
	}
	struct dut_tap_conn *c = &t->conns[i];
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->used = true;
	c->role = DUT_TAP_CONNECTING;
	fill_names(c);
	c->rip = ip;
	c->rport = port;
	t->cur = i;
	return 0;
}

/* An action on a connection the application has closed (the kernel may
 * still run it): ABORT is the kernel's tcp_abort of it until both FINs
 * are through, as an RFC ABORT after CLOSE; a second CLOSE is RFC 9293's
 * "error: connection closing" (EINVAL, as on sim); there is nothing to
 * send or receive on it any more. */
static int app_after_close(struct dut_tap *t, struct dut_tap_conn *c, enum dut_app_kind kind,
			   char err[DUT_ERR_LEN])
{
	bool open = c->role == DUT_TAP_ORPHAN && !c->closed_seen;
	int rc;
	switch (kind) {
	case DUT_APP_ABORT:
		if (!open) {
			rc = -ENOTCONN;
			break;
		}
		rc = dut_tap_diag_destroy(t, c);
		if (rc == 0 || rc == -ENOENT) {
			rc = rc == 0 ? 0 : -ENOTCONN;
			c->role = DUT_TAP_FREE;
			c->closed_seen = true;
		} else if (rc == -EOPNOTSUPP) {
			snprintf(err, DUT_ERR_LEN,
				 "tap DUT: this kernel cannot abort a socket the application has closed "
				 "(SOCK_DESTROY needs CONFIG_INET_DIAG_DESTROY)");
			return rc;
		}
		break;
	case DUT_APP_CLOSE:
	case DUT_APP_SHUTDOWN_WR:
	case DUT_APP_SHUTDOWN_RD:
		rc = open ? -EINVAL : -ENOTCONN;
		break;
	case DUT_APP_SEND:
	case DUT_APP_RECV:
	case DUT_APP_LISTEN:
	case DUT_APP_CONNECT:
	case DUT_APP_RCVBUF:
	default:
		rc = -EBADF;
		break;
	}
	if (rc < 0)
		snprintf(err, DUT_ERR_LEN, "tap DUT: %s", strerror(-rc));
	return rc;
}

int dut_tap_app(struct dut *d, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN])
{
	struct dut_tap *t = d->priv;
	dut_tap_scan(t);
	switch (cmd->kind) {
	case DUT_APP_LISTEN:
		return app_listen(t, cmd, err);
	case DUT_APP_CONNECT:
		return app_connect(t, cmd, err);
	case DUT_APP_RCVBUF:
		return app_rcvbuf(t, cmd, err);
	case DUT_APP_SEND:
	case DUT_APP_RECV:
	case DUT_APP_CLOSE:
	case DUT_APP_ABORT:
	case DUT_APP_SHUTDOWN_WR:
	case DUT_APP_SHUTDOWN_RD:
		break;
	}
	int i = resolve(t, cmd->conn, cmd->port);
	struct dut_tap_conn *c = i < 0 ? NULL : &t->conns[i];
	if (c != NULL && c->fd < 0 && c->lport != 0)
		return app_after_close(t, c, cmd->kind, err);
	if (c == NULL || c->fd < 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: no open connection for handle %d", cmd->conn);
		return -EBADF;
	}
	/* A connection already over (reset, refused, timed out, or both FINs
	 * through): CLOSE and ABORT let the descriptor go and say so, RFC
	 * 9293 §3.10.4-5 "error: connection does not exist", as on sim. */
	bool over = c->role != DUT_TAP_LISTENER && (c->dead || c->closed_seen);
	int rc = 0;
	switch (cmd->kind) {
	case DUT_APP_LISTEN:
	case DUT_APP_CONNECT:
	case DUT_APP_RCVBUF:
		break;
	case DUT_APP_SEND: {
		/* What the socket buffer refuses now goes out as it drains
		 * (dut_tap_scan), like a blocking write() finishing later; a
		 * send the kernel refuses outright (the connection's error,
		 * EPIPE) is the answer. */
		bool queued = c->send_pending > 0;
		c->send_pending += cmd->n;
		rc = flush_send(c);
		if (rc < 0 && !queued)
			c->send_pending = 0;
		else
			rc = (int)cmd->n;
		break;
	}
	case DUT_APP_RECV: {
		/* MSG_TRUNC on TCP discards the bytes: no buffer needed. The
		 * kernel's answer as it stands: 0 at the end, -EAGAIN, or the
		 * socket's error. */
		size_t want = cmd->n > RECV_MAX ? RECV_MAX : cmd->n;
		ssize_t r = recv(c->fd, NULL, want, MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0)
			rc = errno == EWOULDBLOCK ? -EAGAIN : -errno;
		else
			rc = (int)r;
		int inq = 0;
		if (ioctl(c->fd, SIOCINQ, &inq) == 0)
			c->inq_seen = inq;
		break;
	}
	case DUT_APP_SHUTDOWN_WR:
		rc = shutdown(c->fd, SHUT_WR) < 0 ? -errno : 0;
		break;
	case DUT_APP_SHUTDOWN_RD:
		rc = shutdown(c->fd, SHUT_RD) < 0 ? -errno : 0;
		break;
	case DUT_APP_ABORT: {
		/* SO_LINGER 0 + close: Linux sends RST and frees the socket. */
		struct linger lg = {1, 0};
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(c->fd);
		c->fd = -1;
		c->role = DUT_TAP_FREE;
		rc = over ? -ENOTCONN : 0;
		break;
	}
	case DUT_APP_CLOSE:
		close(c->fd);
		c->fd = -1;
		/* A listener or a dead connection is gone at once; a live one
		 * runs on in the kernel (FIN-WAIT, LAST-ACK, TIME-WAIT) and is
		 * followed through sock_diag until it disappears. */
		if (c->role == DUT_TAP_LISTENER || c->dead || c->lport == 0)
			c->role = DUT_TAP_FREE;
		else
			c->role = DUT_TAP_ORPHAN;
		rc = over ? -ENOTCONN : 0;
		break;
	}
	/* The kernel reported the connection's end to this very call (a timer
	 * fired since the scan): the event, too, if no scan saw it yet. */
	if ((cmd->kind == DUT_APP_RECV || cmd->kind == DUT_APP_SEND) && !c->dead && c->fd >= 0 &&
	    (rc == -ETIMEDOUT || rc == -ECONNRESET || rc == -ECONNREFUSED) && conn_state(c->fd) == LX_CLOSE) {
		c->dead = true;
		push_event(t, rc == -ETIMEDOUT ? DUT_EV_TIMEOUT : rc == -ECONNREFUSED ? DUT_EV_REFUSED : DUT_EV_RESET);
	}
	if (rc < 0)
		snprintf(err, DUT_ERR_LEN, "tap DUT: %s", strerror(-rc));
	return rc;
}
