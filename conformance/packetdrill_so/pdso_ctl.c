/*
 * pdso_ctl.c - the socket calls that set, read and wait on a socket's
 * state rather than move data: setsockopt, getsockopt, fcntl, ioctl and
 * poll (pdso_sock.c has the rest).
 *
 *   packetdrill -> table.setsockopt(userdata, fd, level, name, ...)
 *     -> pdso_enter -> what the library keeps (SO_LINGER {1, 0}, the options
 *        synack run accepts, O_NONBLOCK), SO_ERROR from the connection's
 *        pending error, or dut_ops.sockopt when the adapter has the hook
 *
 * poll() computes revents as Linux's tcp_poll() does from what the library
 * knows of the connection (an unconnected socket is POLLOUT|POLLHUP, a reset
 * or refused one IN|OUT|ERR|HUP), and with a timeout blocks in virtual time
 * like any other call (pdso_block). What has no counterpart on the DUT
 * says "unsupported" and fails with ENOSYS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "pdso.h"

struct opt_name {
	int level, name;
	const char *text;
};

static const struct opt_name OPTS[] = {
	{SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"},   {SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"},
	{SOL_SOCKET, SO_LINGER, "SO_LINGER"},         {SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF"},
	{SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF"},         {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"},
	{SOL_SOCKET, SO_ERROR, "SO_ERROR"},           {SOL_SOCKET, SO_TYPE, "SO_TYPE"},
	{SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN"},         {SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL"},
	{SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN"}, {SOL_SOCKET, SO_RCVLOWAT, "SO_RCVLOWAT"},
	{SOL_SOCKET, SO_SNDLOWAT, "SO_SNDLOWAT"},     {SOL_SOCKET, SO_TIMESTAMP, "SO_TIMESTAMP"},
	{IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"},    {IPPROTO_TCP, TCP_MAXSEG, "TCP_MAXSEG"},
	{IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"},  {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"},
	{IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"},    {IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"},
	{IPPROTO_TCP, TCP_SYNCNT, "TCP_SYNCNT"},      {IPPROTO_TCP, TCP_CORK, "TCP_CORK"},
	{IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK"},  {IPPROTO_TCP, TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT"},
	{IPPROTO_TCP, TCP_INFO, "TCP_INFO"},          {IPPROTO_TCP, TCP_CONGESTION, "TCP_CONGESTION"},
	{IPPROTO_TCP, TCP_FASTOPEN, "TCP_FASTOPEN"},  {IPPROTO_TCP, TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT"},
	{IPPROTO_IP, IP_TTL, "IP_TTL"},               {IPPROTO_IP, IP_TOS, "IP_TOS"},
	{IPPROTO_IP, IP_MTU_DISCOVER, "IP_MTU_DISCOVER"}, {IPPROTO_IP, IP_FREEBIND, "IP_FREEBIND"},
	{SOL_SOCKET, SO_MARK, "SO_MARK"},             {SOL_SOCKET, SO_TIMESTAMPING, "SO_TIMESTAMPING"},
	/* Linux numbers glibc may not name yet (include/uapi/linux/tcp.h, socket.h) */
	{IPPROTO_TCP, 30, "TCP_FASTOPEN_CONNECT"},    {IPPROTO_TCP, 33, "TCP_FASTOPEN_KEY"},
	{IPPROTO_TCP, 36, "TCP_INQ"},                 {SOL_SOCKET, 60, "SO_ZEROCOPY"},
};

static const char *opt_text(int level, int name, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof OPTS / sizeof OPTS[0]; i++)
		if (OPTS[i].level == level && OPTS[i].name == name)
			return OPTS[i].text;
	snprintf(buf, cap, "level %d option %d", level, name);
	return buf;
}

static bool get_int(const void *val, socklen_t len, int *out)
{
	if (val == NULL || len < (socklen_t)sizeof(int))
		return false;
	memcpy(out, val, sizeof *out);
	return true;
}

static int put_int(void *val, socklen_t *len, int v)
{
	if (val == NULL || len == NULL || *len < (socklen_t)sizeof(int))
		return EINVAL;
	memcpy(val, &v, sizeof v);
	*len = sizeof v;
	return 0;
}

/* Through the adapter's sockopt hook, when it has one (dut.h). Returns 0,
 * an errno, or ENOSYS after saying it cannot. */
static int adapter_opt(struct pdso *p, const char *call, const char *name, bool set, int64_t *val)
{
	if (p->ops->sockopt != NULL) {
		struct dut_sockopt o = {-1, name, set, set ? *val : 0};
		char e[DUT_ERR_LEN] = "";
		int rc = p->ops->sockopt(&p->dut, &o, e);
		if (rc == 0) {
			*val = o.val;
			return 0;
		}
		if (rc != -ENOPROTOOPT)
			return EINVAL;
	}
	pdso_unsupported(p, "%s(%s): the %s DUT cannot %s it", call, name, p->dut_label, set ? "set" : "read");
	return ENOSYS;
}

static int sk_setsockopt(void *ud, int fd, int level, int name, const void *val, socklen_t len)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd);
	char buf[48];
	const char *text = opt_text(level, name, buf, sizeof buf);
	int v = 0;
	if (s == NULL) {
		err = EBADF;
	} else if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger lg;
		if (val == NULL || len < (socklen_t)sizeof lg)
			err = EINVAL;
		else {
			memcpy(&lg, val, sizeof lg);
			if (lg.l_onoff && lg.l_linger != 0) {
				pdso_unsupported(p, "setsockopt(SO_LINGER) with a linger time of %d s: only {1, 0}, the "
						    "abortive close",
						 lg.l_linger);
				err = ENOSYS;
			} else
				s->linger0 = lg.l_onoff != 0;
		}
	} else if ((level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_REUSEPORT)) ||
		   (level == IPPROTO_TCP && name == TCP_NODELAY)) {
		/* Accepted without effect, as synack run does: the DUT has no bind
		 * conflicts to relax and sends segments as soon as it can. */
		if (!get_int(val, len, &v))
			err = EINVAL;
		else if (name == SO_REUSEADDR)
			s->opt_reuseaddr = v != 0;
		else if (name == SO_REUSEPORT)
			s->opt_reuseport = v != 0;
		else
			s->opt_nodelay = v != 0;
	} else if (!get_int(val, len, &v)) {
		pdso_unsupported(p, "setsockopt(%s): not an integer option", text);
		err = ENOSYS;
	} else {
		int64_t x = v;
		err = adapter_opt(p, "setsockopt", text, true, &x);
	}
	RETURN(p, 0);
}

static int sk_getsockopt(void *ud, int fd, int level, int name, void *val, socklen_t *len)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd);
	char buf[48];
	const char *text = opt_text(level, name, buf, sizeof buf);
	struct pdso_conn *c = s != NULL ? pdso_conn_of(p, s) : NULL;
	if (s == NULL) {
		err = EBADF;
	} else if (level == SOL_SOCKET && name == SO_ERROR) {
		pdso_sync(p);
		int e = c != NULL ? c->err : 0;
		if ((err = put_int(val, len, e)) == 0 && c != NULL)
			c->err = 0;
	} else if (level == SOL_SOCKET && name == SO_TYPE) {
		err = put_int(val, len, SOCK_STREAM);
	} else if (level == SOL_SOCKET && name == SO_DOMAIN) {
		err = put_int(val, len, s->domain);
	} else if (level == SOL_SOCKET && name == SO_PROTOCOL) {
		err = put_int(val, len, IPPROTO_TCP);
	} else if (level == SOL_SOCKET && name == SO_ACCEPTCONN) {
		err = put_int(val, len, s->kind == PDSO_SOCK_LISTEN);
	} else if (level == SOL_SOCKET && name == SO_REUSEADDR) {
		err = put_int(val, len, s->opt_reuseaddr);
	} else if (level == SOL_SOCKET && name == SO_REUSEPORT) {
		err = put_int(val, len, s->opt_reuseport);
	} else if (level == IPPROTO_TCP && name == TCP_NODELAY) {
		err = put_int(val, len, s->opt_nodelay);
	} else if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger lg = {s->linger0, 0};
		if (val == NULL || len == NULL || *len < (socklen_t)sizeof lg)
			err = EINVAL;
		else {
			memcpy(val, &lg, sizeof lg);
			*len = sizeof lg;
		}
	} else if (level == IPPROTO_TCP && name == TCP_INFO) {
		pdso_unsupported(p, "getsockopt(TCP_INFO): the DUT's application interface reports no TCP_INFO "
				    "(nor the tcpi_ fields a %%{ }%% block reads)");
		err = ENOSYS;
	} else {
		int64_t x = 0;
		if ((err = adapter_opt(p, "getsockopt", text, false, &x)) == 0)
			err = put_int(val, len, (int)x);
	}
	RETURN(p, 0);
}

static int sk_fcntl(void *ud, int fd, int cmd, ...)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd);
	int rc = 0;
	va_list ap;
	va_start(ap, cmd);
	if (s == NULL)
		err = EBADF;
	else if (cmd == F_GETFL)
		rc = O_RDWR | (s->nonblock ? O_NONBLOCK : 0);
	else if (cmd == F_SETFL)
		s->nonblock = (va_arg(ap, int) & O_NONBLOCK) != 0;
	else if (cmd == F_GETFD)
		rc = s->cloexec ? FD_CLOEXEC : 0;
	else if (cmd == F_SETFD)
		s->cloexec = (va_arg(ap, int) & FD_CLOEXEC) != 0;
	else {
		pdso_unsupported(p, "fcntl(%d, command %d): only F_GETFL, F_SETFL, F_GETFD and F_SETFD", fd, cmd);
		err = ENOSYS;
	}
	va_end(ap);
	RETURN(p, rc);
}

static int sk_ioctl(void *ud, int fd, unsigned long req, ...)
{
	ENTER(p);
	struct pdso_sock *s = pdso_lookup(p, fd);
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (s == NULL) {
		err = EBADF;
	} else if (req == FIONREAD) { /* = SIOCINQ on Linux */
		struct pdso_conn *c = pdso_conn_of(p, s);
		int n = 0;
		if (s->kind == PDSO_SOCK_LISTEN)
			err = EINVAL;
		else if (c != NULL) {
			pdso_sync(p);
			pdso_pull(p);
			n = c->rx_avail > INT32_MAX ? INT32_MAX : (int)c->rx_avail;
		}
		if (err == 0 && arg != NULL)
			memcpy(arg, &n, sizeof n);
	} else if (req == FIONBIO) {
		int on = 0;
		if (arg != NULL)
			memcpy(&on, arg, sizeof on);
		s->nonblock = on != 0;
	} else {
		pdso_unsupported(p, "ioctl(%d, 0x%lx): only FIONREAD (SIOCINQ) and FIONBIO", fd, req);
		err = ENOSYS;
	}
	RETURN(p, 0);
}

/* ---- poll ---- */

/* Linux's tcp_poll() for what the library knows of the socket. */
static short poll_mask(struct pdso *p, struct pdso_sock *s)
{
	if (s->kind == PDSO_SOCK_LISTEN) {
		bool q = p->conn.used && p->conn.queued && p->conn.listen_fd == s->fd;
		return q ? (short)(POLLIN | POLLRDNORM) : 0;
	}
	struct pdso_conn *c = pdso_conn_of(p, s);
	if (c == NULL) /* never connected: TCP_CLOSE with nothing shut down */
		return (short)(POLLOUT | POLLWRNORM | POLLHUP);
	pdso_pull(p);
	short m = 0;
	bool rcv_shut = c->eof || c->rd_shut || c->dead;
	bool snd_shut = c->wr_shut || c->dead;
	if ((rcv_shut && snd_shut) || c->dead)
		m |= POLLHUP;
	if (rcv_shut)
		m |= (short)(POLLIN | POLLRDNORM | POLLRDHUP);
	if (!c->connecting) {
		if (c->rx_avail > 0)
			m |= (short)(POLLIN | POLLRDNORM);
		m |= (short)(POLLOUT | POLLWRNORM); /* the DUT adapter takes every write */
	}
	if (c->err != 0)
		m |= POLLERR;
	return m;
}

struct poll_req {
	struct pollfd *fds;
	nfds_t n;
	int ready;
};

static int poll_fill(struct pdso *p, struct pollfd *fds, nfds_t n)
{
	int ready = 0;
	for (nfds_t i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		struct pdso_sock *s = pdso_lookup(p, fds[i].fd);
		if (s == NULL)
			fds[i].revents = POLLNVAL;
		else
			fds[i].revents = (short)(poll_mask(p, s) & (fds[i].events | POLLERR | POLLHUP));
		ready += fds[i].revents != 0;
	}
	return ready;
}

static bool poll_ready(struct pdso *p, void *arg)
{
	struct poll_req *r = arg;
	r->ready = poll_fill(p, r->fds, r->n);
	return r->ready > 0;
}

static int sk_poll(void *ud, struct pollfd *fds, nfds_t n, int timeout)
{
	ENTER(p);
	struct poll_req r = {fds, n, 0};
	if (fds == NULL && n > 0)
		err = EFAULT;
	else {
		pdso_sync(p);
		uint64_t deadline = timeout < 0 ? UINT64_MAX : p->vnow + (uint64_t)timeout * 1000000u;
		if (!poll_ready(p, &r) && timeout != 0)
			pdso_block(p, poll_ready, &r, deadline, "poll()");
		r.ready = poll_fill(p, fds, n);
	}
	RETURN(p, r.ready);
}

void pdso_ctl_table(struct packetdrill_interface *t)
{
	t->fcntl = sk_fcntl;
	t->ioctl = sk_ioctl;
	t->getsockopt = sk_getsockopt;
	t->setsockopt = sk_setsockopt;
	t->poll = sk_poll;
}
