/*
 * pdso_sock.c - packetdrill's 22 socket calls, with POSIX and Linux
 * semantics, on the DUT's application interface (dut.h: listen, connect,
 * send N, recv N, close, abort, shutdown; events back).
 *
 *   packetdrill (either thread) -> table.accept(userdata, fd, ...)
 *     -> pdso_enter: lock -> pdso_sync: the DUT runs up to now
 *     -> ready? act : EAGAIN (non-blocking) | pdso_block (blocking)
 *     -> dut_ops.app(LISTEN / CONNECT / SEND / RECV / CLOSE / ABORT / SHUTDOWN_WR)
 *
 * What the application sees follows what `synack run` makes of the same
 * system calls (conformance/engine/runner_sys.c), so a script passes or
 * fails the same way through either path; where packetdrill needs more (a
 * real descriptor, blocking, poll, errno values) it follows Linux:
 *   - every socket is a real descriptor (/dev/null, close-on-exec):
 *     packetdrill closes the sockets still open at the end of a script
 *     with the kernel's close(), and dies if that fails;
 *   - read() returns the count the DUT received and fills the buffer with
 *     zeros (the DUT's interface carries counts, as a script does: it
 *     never names the bytes); write() hands the count to the DUT, which
 *     takes all of it (the DUT adapter keeps what does not fit yet);
 *   - data first, then a pending error (ECONNRESET ...), then EOF (0), as
 *     Linux's tcp_recvmsg; SO_ERROR reads and clears the pending error;
 *   - close() with received bytes unread aborts (RST; RFC 9293 SHLD-3, as
 *     Linux and the sim DUT do), and so does SO_LINGER {1, 0};
 * Options, fcntl, ioctl and poll are in pdso_ctl.c.
 * A call, option or flag with no counterpart on the DUT prints
 * "unsupported: ..." and fails with ENOSYS. One connection at a time: the
 * DUT's interface names "the current connection".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pdso.h"

#define PULL_CHUNK 65536u

/* ---- descriptors ---- */

struct pdso_sock *pdso_lookup(struct pdso *p, int fd)
{
	for (int i = 0; i < PDSO_MAX_SOCKS; i++)
		if (p->socks[i].kind != PDSO_FREE && p->socks[i].fd == fd)
			return &p->socks[i];
	return NULL;
}

static struct pdso_sock *sock_new(struct pdso *p, int domain, int *err)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	/* A socket of ours with this number was closed behind our back (by
	 * packetdrill's own close() at the end of a script): forget it. */
	struct pdso_sock *stale = pdso_lookup(p, fd);
	if (stale != NULL) {
		if (p->conn.fd == fd)
			p->conn.fd = -1;
		memset(stale, 0, sizeof *stale);
	}
	for (int i = 0; i < PDSO_MAX_SOCKS; i++) {
		struct pdso_sock *s = &p->socks[i];
		if (s->kind != PDSO_FREE)
			continue;
		memset(s, 0, sizeof *s);
		s->kind = PDSO_SOCK_NEW;
		s->fd = fd;
		s->domain = domain;
		struct stat st;
		if (fstat(fd, &st) == 0) {
			s->fd_dev = (uint64_t)st.st_dev;
			s->fd_ino = (uint64_t)st.st_ino;
		}
		return s;
	}
	close(fd);
	*err = EMFILE;
	return NULL;
}

/* Closes the descriptor if it is still the one we opened: packetdrill may
 * have closed it already (its own close() at the end of a script) and the
 * number may since name another file of the process. */
static void sock_release(struct pdso_sock *s)
{
	struct stat st;
	if (fstat(s->fd, &st) == 0 && (uint64_t)st.st_dev == s->fd_dev && (uint64_t)st.st_ino == s->fd_ino)
		close(s->fd);
	memset(s, 0, sizeof *s);
}

void pdso_sock_free_all(struct pdso *p)
{
	for (int i = 0; i < PDSO_MAX_SOCKS; i++)
		if (p->socks[i].kind != PDSO_FREE)
			sock_release(&p->socks[i]);
	p->conn.fd = -1;
}

static uint16_t ephemeral(struct pdso *p)
{
	uint16_t port = p->next_ephemeral++;
	if (p->next_ephemeral == 0 || p->next_ephemeral > 60999)
		p->next_ephemeral = 40000;
	return port;
}

/* ---- addresses ---- */

/* The IPv4 address (host order, 0 = any) and port of a sockaddr_in, or of
 * a sockaddr_in6 holding an IPv4-mapped address (packetdrill's
 * --ip_version=ipv4-mapped-ipv6). Returns 0 or an errno; ENOSYS after
 * saying that a real IPv6 address cannot be served. */
static int sa_get(struct pdso *p, const struct pdso_sock *s, const char *call, const struct sockaddr *sa,
		  socklen_t len, uint32_t *ip, uint16_t *port)
{
	if (sa == NULL)
		return EFAULT;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		*ip = ntohl(in->sin_addr.s_addr);
		*port = ntohs(in->sin_port);
		return s->domain == AF_INET ? 0 : EAFNOSUPPORT;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6) && s->domain == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		*port = ntohs(in6->sin6_port);
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr)) {
			*ip = 0;
			return 0;
		}
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			uint32_t a;
			memcpy(&a, &in6->sin6_addr.s6_addr[12], 4);
			*ip = ntohl(a);
			return 0;
		}
		pdso_unsupported(p, "%s(): an IPv6 address; the DUT speaks IPv4 only (use packetdrill's "
				    "--ip_version=ipv4 or ipv4-mapped-ipv6)",
				 call);
		return ENOSYS;
	}
	return sa->sa_family == AF_INET || sa->sa_family == AF_INET6 ? EINVAL : EAFNOSUPPORT;
}

static void sa_put(const struct pdso_sock *s, uint32_t ip, uint16_t port, struct sockaddr *sa, socklen_t *len)
{
	if (sa == NULL || len == NULL)
		return;
	struct sockaddr_storage st;
	socklen_t full;
	memset(&st, 0, sizeof st);
	if (s->domain == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&st;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		in6->sin6_addr.s6_addr[10] = 0xff;
		in6->sin6_addr.s6_addr[11] = 0xff;
		uint32_t a = htonl(ip);
		memcpy(&in6->sin6_addr.s6_addr[12], &a, 4);
		full = sizeof *in6;
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&st;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(ip);
		full = sizeof *in;
	}
	memcpy(sa, &st, *len < full ? *len : full);
	*len = full;
}

/* ---- the DUT's application interface ---- */

/* One action on the DUT. Says "unsupported" (and returns -ENOSYS) when
 * the DUT cannot do it at all (a firmware without that function). */
static int app(struct pdso *p, const char *call, enum dut_app_kind kind, uint32_t ip, uint16_t port, uint32_t n,
	       int conn)
{
	char why[400];
	if (p->ops->app_unsupported != NULL && p->ops->app_unsupported(kind, why, sizeof why) != NULL) {
		pdso_unsupported(p, "%s(): %s", call, why);
		return -ENOSYS;
	}
	struct dut_app_cmd c;
	memset(&c, 0, sizeof c);
	c.kind = kind;
	c.ip = ip;
	c.port = port;
	c.n = n;
	c.conn = conn;
	char err[DUT_ERR_LEN] = "";
	int rc = p->ops->app(&p->dut, &c, err);
	pdso_drain(p);
	return rc;
}

/* Takes what the DUT received into rx_avail (dut_ops RECV never waits). */
void pdso_pull(struct pdso *p)
{
	struct pdso_conn *c = &p->conn;
	if (!c->used || c->queued || c->connecting)
		return;
	char why[400];
	if (p->ops->app_unsupported != NULL && p->ops->app_unsupported(DUT_APP_RECV, why, sizeof why) != NULL)
		return;
	for (;;) {
		struct dut_app_cmd cmd;
		memset(&cmd, 0, sizeof cmd);
		cmd.kind = DUT_APP_RECV;
		cmd.n = PULL_CHUNK;
		cmd.conn = -1;
		char err[DUT_ERR_LEN] = "";
		int rc = p->ops->app(&p->dut, &cmd, err);
		if (rc <= 0)
			break;
		c->rx_avail += (uint64_t)rc;
		if ((uint32_t)rc < PULL_CHUNK)
			break;
	}
	pdso_drain(p);
}

void pdso_conn_event(struct pdso *p, enum dut_app_event ev)
{
	struct pdso_conn *c = &p->conn;
	switch (ev) {
	case DUT_EV_NONE:
	case DUT_EV_DATA: /* read() asks the DUT, as synack run's recv does */
	case DUT_EV_URGENT: /* packetdrill has no signal for it; the bytes stay in-line */
		break;
	case DUT_EV_CONNECTED:
		if (c->used && c->active && c->connecting)
			c->connecting = false;
		break;
	case DUT_EV_ACCEPTED: {
		if (c->used && !c->dead && c->fd >= 0) {
			pdso_say("warning: the DUT accepted a connection while descriptor %d still has one; the "
				 "library follows one connection at a time",
				 c->fd);
			break;
		}
		int listen_fd = -1;
		uint16_t lport = 0;
		for (int i = 0; i < PDSO_MAX_SOCKS; i++)
			if (p->socks[i].kind == PDSO_SOCK_LISTEN) {
				listen_fd = p->socks[i].fd;
				lport = p->socks[i].port;
				break;
			}
		memset(c, 0, sizeof *c);
		c->used = true;
		c->queued = true;
		c->fd = -1;
		c->listen_fd = listen_fd;
		c->local_port = lport;
		c->peer_ip = p->pd_remote;
		c->peer_port = p->last_syn_sport;
		break;
	}
	case DUT_EV_EOF:
		c->eof = true;
		break;
	case DUT_EV_CLOSED:
		c->dead = true;
		c->connecting = false;
		break;
	case DUT_EV_RESET:
		/* A RST answering our SYN is a refusal (RFC 9293 §3.10.7.3). */
		c->err = c->active && c->connecting ? ECONNREFUSED : ECONNRESET;
		c->dead = true;
		c->connecting = false;
		break;
	case DUT_EV_REFUSED:
		c->err = ECONNREFUSED;
		c->dead = true;
		c->connecting = false;
		break;
	case DUT_EV_TIMEOUT:
		c->err = ETIMEDOUT;
		c->dead = true;
		c->connecting = false;
		break;
	}
}

/* The connection a socket owns, or NULL. */
struct pdso_conn *pdso_conn_of(struct pdso *p, const struct pdso_sock *s)
{
	if (s->kind != PDSO_SOCK_CONN || !p->conn.used || p->conn.fd != s->fd)
		return NULL;
	return &p->conn;
}

/* ---- socket, bind, listen, accept, connect ---- */

static int sk_socket(void *ud, int domain, int type, int protocol)
{
	ENTER(p);
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct pdso_sock *s = NULL;
	if (domain != AF_INET && domain != AF_INET6) {
		pdso_unsupported(p, "socket(domain %d): the DUT speaks IPv4 (AF_INET, or AF_INET6 with IPv4-mapped "
				    "addresses)",
				 domain);
		err = ENOSYS;
	} else if (base != SOCK_STREAM || (protocol != 0 && protocol != IPPROTO_TCP)) {
		pdso_unsupported(p, "socket(type %d, protocol %d): only TCP (SOCK_STREAM) sockets; the DUT's "
				    "application interface has no UDP or raw sockets",
				 base, protocol);
		err = ENOSYS;
	} else if ((s = sock_new(p, domain, &err)) != NULL) {
		s->nonblock = (type & SOCK_NONBLOCK) != 0;
		s->cloexec = (type & SOCK_CLOEXEC) != 0;
		pdso_log(p, "socket() = %d", s->fd);
	}
	RETURN(p, s->fd);
}

static int sk_bind(void *ud, int fd, const struct sockaddr *sa, socklen_t len)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd);
	uint32_t ip = 0;
	uint16_t port = 0;
	if (s == NULL)
		err = EBADF;
	else if (s->kind != PDSO_SOCK_NEW || s->bound)
		err = EINVAL;
	else if ((err = sa_get(p, s, "bind", sa, len, &ip, &port)) == 0) {
		pdso_learn_local(p, ip);
		s->bound = true;
		s->port = port != 0 ? port : ephemeral(p);
		pdso_log(p, "bind(%d, port %u)", fd, s->port);
	}
	RETURN(p, 0);
}

static int sk_listen(void *ud, int fd, int backlog)
{
	ENTER(p);
	(void)backlog;
	struct pdso_sock *s = pdso_lookup(p, fd);
	if (s == NULL)
		err = EBADF;
	else if (s->kind == PDSO_SOCK_CONN)
		err = EINVAL;
	else if (s->kind == PDSO_SOCK_NEW) {
		if (!s->bound) {
			s->bound = true;
			s->port = ephemeral(p);
		}
		pdso_sync(p);
		int rc = app(p, "listen", DUT_APP_LISTEN, 0, s->port, 0, -1);
		if (rc == -ENOSYS)
			err = ENOSYS;
		else if (rc < 0)
			err = EADDRINUSE;
		else
			s->kind = PDSO_SOCK_LISTEN;
		pdso_log(p, "listen(%d, port %u) = %d", fd, s->port, rc);
	}
	RETURN(p, 0);
}

static bool accept_ready(struct pdso *p, void *arg)
{
	const struct pdso_sock *s = arg;
	return s->kind != PDSO_SOCK_LISTEN || (p->conn.used && p->conn.queued && p->conn.listen_fd == s->fd);
}

static int sk_accept(void *ud, int fd, struct sockaddr *sa, socklen_t *len)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd), *n = NULL;
	if (s == NULL)
		err = EBADF;
	else if (s->kind != PDSO_SOCK_LISTEN)
		err = EINVAL;
	else {
		pdso_sync(p);
		if (!accept_ready(p, s) && s->nonblock)
			err = EAGAIN;
		else if (!pdso_block(p, accept_ready, s, UINT64_MAX, "accept()") || s->kind != PDSO_SOCK_LISTEN)
			err = EINVAL;
		else if ((n = sock_new(p, s->domain, &err)) != NULL) {
			n->kind = PDSO_SOCK_CONN;
			n->bound = true;
			n->port = p->conn.local_port;
			n->linger0 = s->linger0;
			p->conn.queued = false;
			p->conn.fd = n->fd;
			sa_put(n, p->conn.peer_ip, p->conn.peer_port, sa, len);
			pdso_log(p, "accept(%d) = %d", fd, n->fd);
		}
	}
	RETURN(p, n->fd);
}

static bool connect_done(struct pdso *p, void *arg)
{
	const struct pdso_sock *s = arg;
	return pdso_conn_of(p, s) == NULL || !p->conn.connecting;
}

static int sk_connect(void *ud, int fd, const struct sockaddr *sa, socklen_t len)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd);
	struct pdso_conn *c;
	uint32_t ip = 0;
	uint16_t port = 0;
	if (s == NULL) {
		err = EBADF;
	} else if (s->kind == PDSO_SOCK_LISTEN) {
		err = EINVAL;
	} else if (s->kind == PDSO_SOCK_CONN) {
		c = pdso_conn_of(p, s);
		if (c != NULL && c->connecting)
			err = EALREADY;
		else if (c != NULL && c->err != 0) {
			err = c->err;
			c->err = 0;
		} else
			err = EISCONN;
	} else if ((err = sa_get(p, s, "connect", sa, len, &ip, &port)) != 0) {
		/* reported */
	} else if (ip == 0 || port == 0) {
		err = ip == 0 ? ENETUNREACH : ECONNREFUSED;
	} else if (p->conn.used && !p->conn.dead && (p->conn.fd >= 0 || p->conn.queued)) {
		pdso_unsupported(p, "connect(%d): a second connection while descriptor %d has one; the DUT's "
				    "application interface follows one connection at a time",
				 fd, p->conn.fd);
		err = ENOSYS;
	} else {
		pdso_learn_remote(p, ip);
		if (ip != p->pd_remote) {
			pdso_unsupported(p, "connect(%d): a second peer address; the library translates one", fd);
			err = ENOSYS;
			RETURN(p, 0);
		}
		if (!s->bound) {
			s->bound = true;
			s->port = 0; /* the DUT picks its own port */
		}
		pdso_sync(p);
		c = &p->conn;
		memset(c, 0, sizeof *c);
		c->used = true;
		c->active = true;
		c->connecting = true;
		c->fd = fd;
		c->listen_fd = -1;
		c->peer_ip = ip;
		c->peer_port = port;
		s->kind = PDSO_SOCK_CONN;
		int rc = app(p, "connect", DUT_APP_CONNECT, p->fl.peer_ip, port, 0, -1);
		pdso_log(p, "connect(%d, port %u) = %d", fd, port, rc);
		if (rc < 0) {
			memset(c, 0, sizeof *c);
			c->fd = -1;
			s->kind = PDSO_SOCK_NEW;
			err = rc == -ENOSYS ? ENOSYS : -rc;
		} else if (s->nonblock) {
			err = EINPROGRESS;
		} else {
			pdso_block(p, connect_done, s, UINT64_MAX, "connect()");
			c = pdso_conn_of(p, s);
			if (c == NULL || c->dead) {
				err = c != NULL && c->err != 0 ? c->err : ECONNREFUSED;
				if (c != NULL)
					c->err = 0;
			}
		}
	}
	RETURN(p, 0);
}

/* ---- reading and writing ---- */

static bool readable(struct pdso *p, void *arg)
{
	const struct pdso_sock *s = arg;
	struct pdso_conn *c = pdso_conn_of(p, s);
	if (c == NULL)
		return true;
	pdso_pull(p);
	return c->rx_avail > 0 || c->eof || c->dead || c->err != 0 || c->rd_shut;
}

/* MSG_WAITALL: the whole request, or the end of what can come. */
struct want_all {
	const struct pdso_sock *s;
	size_t want;
};

static bool have_all(struct pdso *p, void *arg)
{
	const struct want_all *w = arg;
	struct pdso_conn *c = pdso_conn_of(p, w->s);
	if (c == NULL)
		return true;
	pdso_pull(p);
	return c->rx_avail >= w->want || c->eof || c->dead || c->err != 0 || c->rd_shut;
}

static size_t iov_total(const struct iovec *iov, int n)
{
	size_t t = 0;
	for (int i = 0; i < n && iov != NULL; i++)
		t += iov[i].iov_len;
	return t;
}

static void iov_zero(const struct iovec *iov, int n, size_t bytes)
{
	for (int i = 0; i < n && bytes > 0; i++) {
		size_t k = iov[i].iov_len < bytes ? iov[i].iov_len : bytes;
		if (iov[i].iov_base != NULL)
			memset(iov[i].iov_base, 0, k);
		bytes -= k;
	}
}

/* The common body of read, readv, recv, recvfrom and recvmsg. */
static ssize_t do_recv(struct pdso *p, int fd, const struct iovec *iov, int iovcnt, int flags, const char *call,
		       int *err)
{
	struct pdso_sock *s = pdso_lookup(p, fd);
	const int known = MSG_DONTWAIT | MSG_PEEK | MSG_WAITALL | MSG_NOSIGNAL | MSG_CMSG_CLOEXEC;
	if (s == NULL) {
		*err = EBADF;
		return -1;
	}
	if (flags & ~known) {
		pdso_unsupported(p, "%s(%d, flags 0x%x): only MSG_DONTWAIT, MSG_PEEK and MSG_WAITALL", call, fd,
				 (unsigned)flags);
		*err = ENOSYS;
		return -1;
	}
	struct pdso_conn *c = pdso_conn_of(p, s);
	if (c == NULL) {
		*err = ENOTCONN;
		return -1;
	}
	char why[400];
	if (p->ops->app_unsupported != NULL && p->ops->app_unsupported(DUT_APP_RECV, why, sizeof why) != NULL) {
		pdso_unsupported(p, "%s(): %s", call, why);
		*err = ENOSYS;
		return -1;
	}
	size_t want = iov_total(iov, iovcnt);
	if (want == 0)
		return 0;
	if (c->connecting && (s->nonblock || (flags & MSG_DONTWAIT))) {
		*err = EAGAIN;
		return -1;
	}
	pdso_sync(p);
	if (!readable(p, s)) {
		if (s->nonblock || (flags & MSG_DONTWAIT)) {
			*err = EAGAIN;
			return -1;
		}
		pdso_block(p, readable, s, UINT64_MAX, call);
		c = pdso_conn_of(p, s);
		if (c == NULL) {
			*err = EBADF;
			return -1;
		}
	}
	if ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) && !s->nonblock && !(flags & MSG_DONTWAIT)) {
		struct want_all w = {s, want};
		pdso_block(p, have_all, &w, UINT64_MAX, call);
		if ((c = pdso_conn_of(p, s)) == NULL) {
			*err = EBADF;
			return -1;
		}
	}
	if (c->rx_avail > 0) {
		size_t k = c->rx_avail < want ? (size_t)c->rx_avail : want;
		iov_zero(iov, iovcnt, k);
		if (!(flags & MSG_PEEK))
			c->rx_avail -= k;
		return (ssize_t)k;
	}
	if (c->err != 0) {
		*err = c->err;
		c->err = 0;
		return -1;
	}
	return 0; /* EOF, shut down, or closed */
}

static ssize_t sk_read(void *ud, int fd, void *buf, size_t count)
{
	ENTER(p);
	struct iovec v = {buf, count};
	ssize_t rc = do_recv(p, fd, &v, 1, 0, "read", &err);
	RETURN(p, rc);
}

static ssize_t sk_readv(void *ud, int fd, const struct iovec *iov, int iovcnt)
{
	ENTER(p);
	ssize_t rc = do_recv(p, fd, iov, iovcnt, 0, "readv", &err);
	RETURN(p, rc);
}

static ssize_t sk_recv(void *ud, int fd, void *buf, size_t len, int flags)
{
	ENTER(p);
	struct iovec v = {buf, len};
	ssize_t rc = do_recv(p, fd, &v, 1, flags, "recv", &err);
	RETURN(p, rc);
}

static ssize_t sk_recvfrom(void *ud, int fd, void *buf, size_t len, int flags, struct sockaddr *sa, socklen_t *salen)
{
	ENTER(p);
	(void)sa;
	struct iovec v = {buf, len};
	ssize_t rc = do_recv(p, fd, &v, 1, flags, "recvfrom", &err);
	if (rc >= 0 && salen != NULL)
		*salen = 0; /* a TCP socket names no source (Linux) */
	RETURN(p, rc);
}

static ssize_t sk_recvmsg(void *ud, int fd, struct msghdr *msg, int flags)
{
	ENTER(p);
	ssize_t rc = -1;
	if (msg == NULL)
		err = EFAULT;
	else {
		rc = do_recv(p, fd, msg->msg_iov, (int)msg->msg_iovlen, flags, "recvmsg", &err);
		if (rc >= 0) {
			msg->msg_namelen = 0;
			msg->msg_controllen = 0;
			msg->msg_flags = 0;
		}
	}
	RETURN(p, rc);
}

static bool connected_or_dead(struct pdso *p, void *arg)
{
	return connect_done(p, arg);
}

static bool iov_zeros(const struct iovec *iov, int n)
{
	for (int i = 0; i < n; i++) {
		const uint8_t *b = iov[i].iov_base;
		for (size_t k = 0; b != NULL && k < iov[i].iov_len; k++)
			if (b[k] != 0)
				return false;
	}
	return true;
}

/* The common body of write, writev, send, sendto and sendmsg. */
static ssize_t do_send(struct pdso *p, int fd, const struct iovec *iov, int iovcnt, int flags, const char *call,
		       int *err)
{
	struct pdso_sock *s = pdso_lookup(p, fd);
	size_t n = iov_total(iov, iovcnt);
	const int known = MSG_DONTWAIT | MSG_NOSIGNAL;
	if (s == NULL) {
		*err = EBADF;
		return -1;
	}
	if (flags & ~known) {
		pdso_unsupported(p, "%s(%d, flags 0x%x): only MSG_DONTWAIT and MSG_NOSIGNAL (no MSG_MORE, MSG_OOB, "
				    "MSG_ZEROCOPY, MSG_FASTOPEN)",
				 call, fd, (unsigned)flags);
		*err = ENOSYS;
		return -1;
	}
	struct pdso_conn *c = pdso_conn_of(p, s);
	if (c == NULL) {
		*err = EPIPE; /* Linux: a socket that is not connected (sk_stream_wait_connect) */
		return -1;
	}
	pdso_sync(p);
	if (c->connecting) {
		if (s->nonblock || (flags & MSG_DONTWAIT)) {
			*err = EAGAIN;
			return -1;
		}
		pdso_block(p, connected_or_dead, s, UINT64_MAX, call);
		if ((c = pdso_conn_of(p, s)) == NULL) {
			*err = EPIPE;
			return -1;
		}
	}
	if (c->err != 0) {
		*err = c->err;
		c->err = 0;
		return -1;
	}
	if (c->dead || c->wr_shut) {
		*err = EPIPE;
		return -1;
	}
	if (n == 0)
		return 0;
	if (!iov_zeros(iov, iovcnt)) {
		/* The DUT's interface carries a count; its adapter sends zeros,
		 * which is what packetdrill writes and expects on the wire. */
		pdso_unsupported(p, "%s(%d): bytes other than zeros; the DUT sends zero bytes, as packetdrill "
				    "writes them",
				 call, fd);
		*err = ENOSYS;
		return -1;
	}
	if (n > UINT32_MAX / 2)
		n = UINT32_MAX / 2;
	int rc = app(p, call, DUT_APP_SEND, 0, 0, (uint32_t)n, -1);
	if (rc < 0) {
		*err = rc == -ENOSYS ? ENOSYS : EPIPE;
		return -1;
	}
	pdso_log(p, "%s(%d, %zu) = %d", call, fd, n, rc);
	return rc;
}

static ssize_t sk_write(void *ud, int fd, const void *buf, size_t count)
{
	ENTER(p);
	struct iovec v = {(void *)(uintptr_t)buf, count};
	ssize_t rc = do_send(p, fd, &v, 1, 0, "write", &err);
	RETURN(p, rc);
}

static ssize_t sk_writev(void *ud, int fd, const struct iovec *iov, int iovcnt)
{
	ENTER(p);
	ssize_t rc = do_send(p, fd, iov, iovcnt, 0, "writev", &err);
	RETURN(p, rc);
}

static ssize_t sk_send(void *ud, int fd, const void *buf, size_t len, int flags)
{
	ENTER(p);
	struct iovec v = {(void *)(uintptr_t)buf, len};
	ssize_t rc = do_send(p, fd, &v, 1, flags, "send", &err);
	RETURN(p, rc);
}

static ssize_t sk_sendto(void *ud, int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa,
			 socklen_t salen)
{
	ENTER(p);
	(void)salen;
	struct iovec v = {(void *)(uintptr_t)buf, len};
	struct pdso_sock *s = pdso_lookup(p, fd);
	ssize_t rc = -1;
	if (sa != NULL && s != NULL && pdso_conn_of(p, s) == NULL) {
		pdso_unsupported(p, "sendto(%d) with an address on an unconnected socket (TCP Fast Open)", fd);
		err = ENOSYS;
	} else
		rc = do_send(p, fd, &v, 1, flags, "sendto", &err); /* a connected TCP socket ignores the address */
	RETURN(p, rc);
}

static ssize_t sk_sendmsg(void *ud, int fd, const struct msghdr *msg, int flags)
{
	ENTER(p);
	ssize_t rc = -1;
	if (msg == NULL)
		err = EFAULT;
	else if (msg->msg_controllen > 0) {
		pdso_unsupported(p, "sendmsg(%d) with control messages", fd);
		err = ENOSYS;
	} else
		rc = do_send(p, fd, msg->msg_iov, (int)msg->msg_iovlen, flags, "sendmsg", &err);
	RETURN(p, rc);
}

/* ---- close, shutdown ---- */

static int sk_close(void *ud, int fd)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd);
	if (s == NULL) {
		err = EBADF;
		RETURN(p, 0);
	}
	pdso_sync(p);
	struct pdso_conn *c = &p->conn;
	if (s->kind == PDSO_SOCK_LISTEN) {
		app(p, "close", DUT_APP_CLOSE, 0, s->port, 0, DUT_CONN_LISTENER);
		/* Linux resets the connections still in the accept queue. */
		if (c->used && c->queued && c->listen_fd == fd && !c->dead) {
			app(p, "close", DUT_APP_ABORT, 0, 0, 0, -1);
			c->dead = true;
			c->queued = false;
		}
	} else if (pdso_conn_of(p, s) != NULL) {
		if (!c->dead) {
			/* Bytes received and never read are lost: RST, not FIN (RFC 9293
			 * §3.6.1 SHLD-3; the sim DUT decides so for what it still holds). */
			bool abort = s->linger0 || c->rx_avail > 0;
			app(p, "close", abort ? DUT_APP_ABORT : DUT_APP_CLOSE, 0, 0, 0, -1);
			if (abort)
				c->dead = true;
		}
		c->fd = -1;
		c->rx_avail = 0;
	}
	pdso_log(p, "close(%d)", fd);
	sock_release(s);
	RETURN(p, 0);
}

static int sk_shutdown(void *ud, int fd, int how)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd);
	struct pdso_conn *c = s != NULL ? pdso_conn_of(p, s) : NULL;
	if (s == NULL)
		err = EBADF;
	else if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		err = EINVAL;
	else if (c == NULL || c->connecting || c->queued)
		err = ENOTCONN;
	else {
		pdso_sync(p);
		if ((how == SHUT_WR || how == SHUT_RDWR) && !c->wr_shut && !c->dead) {
			int rc = app(p, "shutdown", DUT_APP_SHUTDOWN_WR, 0, 0, 0, -1);
			if (rc == -ENOSYS)
				err = ENOSYS;
			else
				c->wr_shut = true;
		}
		if (how == SHUT_RD || how == SHUT_RDWR)
			c->rd_shut = true; /* Linux sends nothing for SHUT_RD; reads return 0 */
	}
	RETURN(p, 0);
}

void pdso_sock_table(struct packetdrill_interface *t)
{
	t->socket = sk_socket;
	t->bind = sk_bind;
	t->listen = sk_listen;
	t->accept = sk_accept;
	t->connect = sk_connect;
	t->read = sk_read;
	t->readv = sk_readv;
	t->recv = sk_recv;
	t->recvfrom = sk_recvfrom;
	t->recvmsg = sk_recvmsg;
	t->write = sk_write;
	t->writev = sk_writev;
	t->send = sk_send;
	t->sendto = sk_sendto;
	t->sendmsg = sk_sendmsg;
	t->close = sk_close;
	t->shutdown = sk_shutdown;
	pdso_ctl_table(t);
}
