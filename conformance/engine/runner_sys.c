/*
 * runner_sys.c - packetdrill's strace-style socket calls, emulated on the
 * DUT adapter's application actions (dut.h), so scripts written for the
 * Linux kernel run against an embedded stack that has no sockets.
 *
 *   socket = N         a descriptor, nothing on the DUT
 *   setsockopt         SO_REUSEADDR/SO_REUSEPORT/TCP_NODELAY accepted,
 *                      SO_LINGER {1, 0} makes close() an abort
 *   fcntl              F_GETFL / F_SETFL (O_NONBLOCK tracked)
 *   bind, listen       DUT_APP_LISTEN on the bound port; never bound: on a
 *                      port the DUT picks (Linux: inet_autobind)
 *   accept             an `accepted` event; -1 EAGAIN when none
 *   connect            DUT_APP_CONNECT; -1 EINPROGRESS on a non-blocking socket
 *   getsockopt SO_ERROR  the adapter's so_error() (the socket's pending
 *                      error; from the events when it has none)
 *   read/recv, write/send   DUT_APP_RECV / DUT_APP_SEND: the byte counts, or
 *                      the errors as Linux reports them (dut.h): a reset is
 *                      ECONNRESET once (EPIPE in CLOSE-WAIT), then read is 0
 *                      and write EPIPE; nothing to read is EAGAIN on a
 *                      non-blocking socket and waits on a blocking one
 *   shutdown(SHUT_WR/RD/RDWR)  DUT_APP_SHUTDOWN_WR / _RD / both
 *   close                      DUT_APP_CLOSE / ABORT
 *
 * A blocking call written with an end time (`+0...0.3 read(...) = 1000`)
 * stays pending while later lines run, as on packetdrill's second thread,
 * and must complete at its end time. Everything else (poll, epoll, msghdr
 * calls, TCP_INFO, other options) makes the script unsupported, naming the
 * line; the prescan finds those before anything runs.
 *
 * Not used where the adapter makes calls for real (tap, a script in
 * packetdrill's language only): runner_real.c hands each call over.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

static const struct script_expr *arg(const struct script_event *ev, size_t i)
{
	const struct script_expr *x = ev->u.syscall.args;
	while (x && i--)
		x = x->next;
	return x;
}

static bool is_word(const struct script_expr *x, const char *w)
{
	return x && x->kind == SCRIPT_EXPR_WORD && strcmp(x->text, w) == 0;
}

static bool has_word(const struct script_expr *x, const char *w)
{
	if (x == NULL)
		return false;
	if (x->kind == SCRIPT_EXPR_OR)
		return has_word(x->lhs, w) || has_word(x->rhs, w);
	return is_word(x, w);
}

static bool int_of(const struct script_expr *x, int64_t *v)
{
	if (x && x->kind == SCRIPT_EXPR_LIST && x->n_children == 1)
		x = x->child;
	if (x == NULL || x->kind != SCRIPT_EXPR_INT)
		return false;
	*v = x->num;
	return true;
}

/* A struct member `name=value` (or the idx-th plain member). */
static const struct script_expr *member(const struct script_expr *st, const char *name, size_t idx)
{
	if (st == NULL || st->kind != SCRIPT_EXPR_STRUCT)
		return NULL;
	size_t i = 0;
	for (const struct script_expr *c = st->child; c; c = c->next, i++) {
		if (c->kind == SCRIPT_EXPR_ASSIGN && c->lhs && c->lhs->kind == SCRIPT_EXPR_WORD &&
		    strstr(c->lhs->text, name) != NULL)
			return c->rhs;
		if (c->kind != SCRIPT_EXPR_ASSIGN && i == idx)
			return c;
	}
	return NULL;
}

static bool sockaddr_port(const struct script_expr *sa, uint16_t *port)
{
	const struct script_expr *p = member(sa, "sin_port", SIZE_MAX);
	int64_t v;
	if (p && p->kind == SCRIPT_EXPR_CALL && strcmp(p->text, "htons") == 0)
		p = p->child;
	if (!int_of(p, &v) || v <= 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static bool sockaddr_ip(const struct script_expr *sa, uint32_t *ip)
{
	const struct script_expr *a = member(sa, "sin_addr", SIZE_MAX);
	unsigned b0, b1, b2, b3;
	if (a && a->kind == SCRIPT_EXPR_CALL && strcmp(a->text, "inet_addr") == 0)
		a = a->child;
	if (a == NULL || a->kind != SCRIPT_EXPR_STRING ||
	    sscanf(a->text, "%u.%u.%u.%u", &b0, &b1, &b2, &b3) != 4 || b0 > 255 || b1 > 255 || b2 > 255 ||
	    b3 > 255)
		return false;
	*ip = (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
	return true;
}

/* Socket options an adapter with a sockopt() hook may know (dut.h). */
static bool adapter_option(const struct script_expr *o)
{
	static const char *const NAMES[] = {
		"SO_REUSEADDR", "SO_LINGER", "SO_RCVBUF", "SO_SNDBUF", "SO_KEEPALIVE", "TCP_NODELAY",
		"TCP_MAXSEG", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_USER_TIMEOUT",
		"TCP_SYNCNT", "TCP_CORK", "TCP_QUICKACK", "TCP_DEFER_ACCEPT", "IP_TTL", "IP_TOS",
	};
	for (size_t i = 0; o && o->kind == SCRIPT_EXPR_WORD && i < sizeof NAMES / sizeof NAMES[0]; i++)
		if (strcmp(o->text, NAMES[i]) == 0)
			return true;
	return false;
}

bool engine_sys_rcvbuf(const struct script_event *ev, const struct dut_ops *ops)
{
	return ops->sockopt == NULL && strcmp(ev->u.syscall.name, "setsockopt") == 0 &&
	       is_word(arg(ev, 2), "SO_RCVBUF");
}

const char *engine_sys_unsupported(const struct script_event *ev, const struct dut_ops *ops, char *buf,
				   size_t cap)
{
	static const char *const OK[] = {
		"socket", "bind", "listen", "accept", "connect", "read", "recv", "write", "send",
		"close", "shutdown", "setsockopt", "getsockopt", "fcntl",
	};
	const struct script_syscall *sc = &ev->u.syscall;
	bool known = false;
	for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++)
		known |= strcmp(sc->name, OK[i]) == 0;
	int64_t fd;
	if (!known) {
		snprintf(buf, cap, "system call %s() cannot be emulated on a DUT without sockets", sc->name);
		return buf;
	}
	if (strcmp(sc->name, "socket") == 0 && !has_word(arg(ev, 1), "SOCK_STREAM")) {
		snprintf(buf, cap, "socket(): only SOCK_STREAM (TCP) sockets can be emulated");
		return buf;
	}
	if (strcmp(sc->name, "socket") != 0 && (!int_of(arg(ev, 0), &fd) || fd < 0 || fd >= ENGINE_FDS)) {
		snprintf(buf, cap, "%s(): the descriptor must be a number below %d", sc->name, ENGINE_FDS);
		return buf;
	}
	if (strcmp(sc->name, "setsockopt") == 0) {
		const struct script_expr *o = arg(ev, 2);
		if (!(ops->sockopt != NULL && adapter_option(o)) && !is_word(o, "SO_REUSEADDR") && !is_word(o, "SO_REUSEPORT") && !is_word(o, "TCP_NODELAY") &&
		    !is_word(o, "SO_LINGER") && !engine_sys_rcvbuf(ev, ops)) {
			snprintf(buf, cap, "setsockopt(%s) cannot be emulated", o && o->text ? o->text : "?");
			return buf;
		}
	}
	if (strcmp(sc->name, "getsockopt") == 0 && !is_word(arg(ev, 2), "SO_ERROR") &&
	    !(ops->sockopt != NULL && adapter_option(arg(ev, 2)))) {
		const struct script_expr *o = arg(ev, 2);
		snprintf(buf, cap, "getsockopt(%s) cannot be emulated (only SO_ERROR)", o && o->text ? o->text : "?");
		return buf;
	}
	if (strcmp(sc->name, "shutdown") == 0 && !is_word(arg(ev, 1), "SHUT_WR") && !is_word(arg(ev, 1), "SHUT_RD") &&
	    !is_word(arg(ev, 1), "SHUT_RDWR")) {
		snprintf(buf, cap, "shutdown(): only SHUT_WR, SHUT_RD and SHUT_RDWR can be emulated");
		return buf;
	}
	if (strcmp(sc->name, "fcntl") == 0 && !is_word(arg(ev, 1), "F_GETFL") && !is_word(arg(ev, 1), "F_SETFL")) {
		snprintf(buf, cap, "fcntl(): only F_GETFL and F_SETFL can be emulated");
		return buf;
	}
	return NULL;
}

/* The call's expected result: value, or -errno when `= -1 ENAME`. */
static int64_t expected(const struct script_event *ev, bool *any)
{
	const struct script_syscall *sc = &ev->u.syscall;
	int64_t v = 0;
	*any = false;
	if (sc->result == NULL || sc->result->kind == SCRIPT_EXPR_ELLIPSIS || !int_of(sc->result, &v)) {
		*any = true;
		return 0;
	}
	return v;
}

static bool errno_is(const struct script_event *ev, const char *name)
{
	return ev->u.syscall.errno_name && strcmp(ev->u.syscall.errno_name, name) == 0;
}

/* The names of the errors an adapter reports (dut.h). */
static const char *errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} NAMES[] = {
		{0, "0"},
		{ECONNREFUSED, "ECONNREFUSED"},
		{ECONNRESET, "ECONNRESET"},
		{ECONNABORTED, "ECONNABORTED"},
		{ETIMEDOUT, "ETIMEDOUT"},
		{EPIPE, "EPIPE"},
		{ENOTCONN, "ENOTCONN"},
		{EAGAIN, "EAGAIN"},
		{EBADF, "EBADF"},
		{EINVAL, "EINVAL"},
		{EADDRINUSE, "EADDRINUSE"},
		{ENOBUFS, "ENOBUFS"},
		{EMFILE, "EMFILE"},
		{EMSGSIZE, "EMSGSIZE"},
		{EOPNOTSUPP, "EOPNOTSUPP"},
		{EHOSTUNREACH, "EHOSTUNREACH"},
		{ENETUNREACH, "ENETUNREACH"},
	};
	for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
		if (NAMES[i].e == e)
			return NAMES[i].name;
	return "EIO";
}

static void check_result(struct engine_run *e, const struct script_event *ev, int64_t actual, const char *err_actual)
{
	bool any;
	int64_t want = expected(ev, &any);
	const char *en = ev->u.syscall.errno_name;
	if (any)
		return;
	if (want != actual || (en && err_actual && strcmp(en, err_actual) != 0) || (en && !err_actual) ||
	    (!en && err_actual))
		engine_fail(e, ev, "%s(): expected %" PRId64 "%s%s vs actual %" PRId64 "%s%s", ev->u.syscall.name,
			    want, en ? " " : "", en ? en : "", actual, err_actual ? " " : "",
			    err_actual ? err_actual : "");
}

/* For an adapter without so_error(): connection events seen so far turn
 * into the socket's SO_ERROR. */
static void absorb_conn_events(struct engine_run *e, struct engine_fd *f)
{
	uint64_t t;
	if (engine_take_event(e, DUT_EV_REFUSED, 0, &t))
		f->so_error = ECONNREFUSED;
	else if (engine_take_event(e, DUT_EV_RESET, 0, &t))
		f->so_error = ECONNRESET;
	else if (engine_take_event(e, DUT_EV_TIMEOUT, 0, &t))
		f->so_error = ETIMEDOUT;
}

static int app(struct engine_run *e, const struct script_event *ev, enum dut_app_kind k, uint16_t port, uint32_t n,
	       int conn)
{
	struct dut_app_cmd c;
	memset(&c, 0, sizeof c);
	c.kind = k;
	c.port = port;
	c.n = n;
	c.conn = conn;
	c.ip = e->map.peer_ip;
	return engine_app(e, ev, &c);
}

static void start_pending(struct engine_run *e, const struct script_event *ev, enum engine_pending_kind k, int fd,
			  uint32_t n, uint64_t t)
{
	e->pending.active = true;
	e->pending.ev = ev;
	e->pending.kind = k;
	e->pending.fd = fd;
	e->pending.n = n;
	e->pending.derived = e->now_derived;
	e->pending.end = ev->u.syscall.blocking ? (ev->time.kind == SCRIPT_TIME_ABS ? (uint64_t)ev->u.syscall.end_ns
										     : t - (uint64_t)ev->time.lo_ns +
											   (uint64_t)ev->u.syscall.end_ns)
						: t;
	engine_sys_poll(e, false);
	/* Without `...` the call holds the script until it returns, as a
	 * call on packetdrill's main thread does: a DUT that needs a moment
	 * (a modelled 16 MHz CPU still handling the ACK an accept() waits
	 * for) gets up to the tolerance, and the next line runs after it. */
	if (!ev->u.syscall.blocking && e->pending.active)
		engine_wait_pending(e, e->pending.end + engine_tolerance(e, 0));
}

void engine_sys_poll(struct engine_run *e, bool final)
{
	struct engine_pending *p = &e->pending;
	if (p->kind == ENGINE_PEND_REAL) {
		engine_real_poll(e, final);
		return;
	}
	if (!p->active || e->in_poll || e->stop)
		return;
	e->in_poll = true;
	uint64_t t = 0;
	int64_t got = -1;
	const char *err = NULL;
	bool done = false;
	switch (p->kind) {
	case ENGINE_PEND_READ: {
		int rc = app(e, p->ev, DUT_APP_RECV, 0, p->n, e->fds[p->fd].handle);
		if (rc != -EAGAIN) {
			done = true;
			got = rc < 0 ? -1 : rc;
			err = rc < 0 ? errno_name(-rc) : NULL;
		}
		break;
	}
	case ENGINE_PEND_ACCEPT:
		if (engine_take_event(e, DUT_EV_ACCEPTED, 0, &t)) {
			int64_t want = 0;
			bool any;
			want = expected(p->ev, &any);
			if (!any && want >= 0 && want < ENGINE_FDS) {
				memset(&e->fds[want], 0, sizeof e->fds[want]);
				e->fds[want].used = e->fds[want].conn = true;
				e->fds[want].handle = e->taken_handle;
				e->conn_fd = (int)want;
			}
			done = true;
			got = any ? 0 : want;
		}
		break;
	case ENGINE_PEND_CONNECT:
		if (engine_take_event(e, DUT_EV_CONNECTED, 0, &t)) {
			done = true;
			got = 0;
			e->fds[p->fd].conn = true;
		} else if (engine_take_event(e, DUT_EV_REFUSED, 0, &t) ||
			   engine_take_event(e, DUT_EV_TIMEOUT, 0, &t)) {
			/* connect() returns the socket's error, which it takes. */
			int se = e->dut.ops->so_error ? e->dut.ops->so_error(&e->dut, e->fds[p->fd].handle) : 0;
			done = true;
			got = -1;
			err = errno_name(se ? se : ECONNREFUSED);
		}
		break;
	case ENGINE_PEND_REAL: /* runner_real.c, above */
		break;
	}
	e->in_poll = false;
	uint64_t now = e->dut.ops->now(&e->dut);
	uint64_t tol = engine_tolerance(e, 0);
	if (!done) {
		if (final || now > p->end + tol) {
			p->active = false;
			engine_fail(e, p->ev, "%s(): blocking call did not return by %" PRIu64 ".%06" PRIu64 " s",
				    p->ev->u.syscall.name, (p->end + tol) / 1000000000u,
				    ((p->end + tol) % 1000000000u) / 1000u);
		}
		return;
	}
	p->active = false;
	uint64_t early = e->dut.ops->virtual_time && !p->derived ? p->end : (p->end > tol ? p->end - tol : 0);
	if (now < early || now > p->end + tol) {
		engine_fail(e, p->ev, "%s(): timing error: expected to return at %" PRIu64 ".%06" PRIu64
			    " s but returned %" PRId64 "%s%s at %" PRIu64 ".%06" PRIu64 " s",
			    p->ev->u.syscall.name, p->end / 1000000000u, (p->end % 1000000000u) / 1000u, got,
			    err ? " " : "", err ? err : "", now / 1000000000u, (now % 1000000000u) / 1000u);
		return;
	}
	check_result(e, p->ev, got, err);
}

void engine_sys_run(struct engine_run *e, const struct script_event *ev, uint64_t t)
{
	const struct script_syscall *sc = &ev->u.syscall;
	const char *name = sc->name;
	int64_t fdn = -1;
	bool any;
	if (e->real_sys) {
		engine_real_run(e, ev, t);
		return;
	}
	engine_advance_to(e, t);
	if (e->stop)
		return;
	if (e->pending.active) {
		/* One call at a time, as packetdrill's main thread waits for its
		 * system-call thread: the blocking call has until its end time
		 * (and the tolerance) to return before this one starts. */
		engine_wait_pending(e, e->pending.end + engine_tolerance(e, 0));
		if (e->pending.active)
			engine_sys_poll(e, true);
		if (e->stop)
			return;
	}
	if (strcmp(name, "socket") == 0) {
		int64_t want = expected(ev, &any);
		if (any || want < 0 || want >= ENGINE_FDS) {
			engine_unsupported(e, ev, "socket(): the result must be a descriptor below %d", ENGINE_FDS);
			return;
		}
		memset(&e->fds[want], 0, sizeof e->fds[want]);
		e->fds[want].used = true;
		e->fds[want].handle = -1;
		return;
	}
	int_of(arg(ev, 0), &fdn);
	struct engine_fd *f = &e->fds[fdn];
	if (!f->used) {
		check_result(e, ev, -1, "EBADF");
		return;
	}
	if (strcmp(name, "setsockopt") == 0) {
		if (is_word(arg(ev, 2), "SO_LINGER")) {
			int64_t on = 0, lg = 0;
			const struct script_expr *st = arg(ev, 3);
			int_of(member(st, "onoff", 0), &on);
			int_of(member(st, "linger", 1), &lg);
			if (on && lg) {
				engine_unsupported(e, ev, "setsockopt(SO_LINGER) with a non-zero linger time");
				return;
			}
			f->linger0 = on != 0;
		}
		if (engine_sys_rcvbuf(ev, e->dut.ops)) {
			/* No sockets: the application's receive buffer (dut.h). */
			int64_t n = 0;
			if (!int_of(arg(ev, 3), &n) || n < 0 || n > UINT32_MAX) {
				engine_unsupported(e, ev, "setsockopt(SO_RCVBUF): the value must be a byte count");
				return;
			}
			int rc = app(e, ev, DUT_APP_RCVBUF, 0, (uint32_t)n, f->handle);
			check_result(e, ev, rc < 0 ? -1 : 0, rc < 0 ? errno_name(-rc) : NULL);
			return;
		}
		if (e->dut.ops->sockopt != NULL && adapter_option(arg(ev, 2))) {
			struct dut_sockopt so = {f->handle, arg(ev, 2)->text, true, 0};
			char err[DUT_ERR_LEN] = "";
			if (is_word(arg(ev, 2), "SO_LINGER")) {
				int64_t on = 0, lg = 0;
				int_of(member(arg(ev, 3), "onoff", 0), &on);
				int_of(member(arg(ev, 3), "linger", 1), &lg);
				so.val = on ? lg : -1;
			} else if (!int_of(arg(ev, 3), &so.val)) {
				engine_unsupported(e, ev, "setsockopt(%s): the value must be a number", so.name);
				return;
			}
			int rc = e->dut.ops->sockopt(&e->dut, &so, err);
			if (rc == -ENOPROTOOPT) {
				engine_unsupported(e, ev, "setsockopt(%s): the %s DUT cannot set it", so.name,
						   e->dut.ops->name);
				return;
			}
			check_result(e, ev, rc < 0 ? -1 : 0, rc < 0 ? "EINVAL" : NULL);
			return;
		}
		check_result(e, ev, 0, NULL);
	} else if (strcmp(name, "fcntl") == 0) {
		if (is_word(arg(ev, 1), "F_SETFL"))
			f->nonblock = has_word(arg(ev, 2), "O_NONBLOCK");
		if (is_word(arg(ev, 1), "F_SETFL"))
			check_result(e, ev, 0, NULL);
	} else if (strcmp(name, "bind") == 0) {
		uint16_t port;
		f->bound = true;
		f->port = sockaddr_port(arg(ev, 1), &port) ? port : e->map.dut_port;
		check_result(e, ev, 0, NULL);
	} else if (strcmp(name, "listen") == 0) {
		/* Never bound: Linux binds the socket to an ephemeral port of its
		 * choosing first (inet_autobind), so listen() succeeds and the
		 * script's port stays with whoever has it; the adapter picks. */
		uint16_t port = f->bound ? f->port : 0;
		if (f->bound)
			e->map.dut_port = port;
		int rc = app(e, ev, DUT_APP_LISTEN, port, 0, -1);
		if (rc >= 0)
			f->handle = e->handles++;
		f->listener = rc >= 0;
		f->port = rc > 0 ? (uint16_t)rc : port;
		e->listen_fd = (int)fdn;
		check_result(e, ev, rc >= 0 ? 0 : -1, rc >= 0 ? NULL : errno_name(-rc));
	} else if (strcmp(name, "accept") == 0) {
		int64_t want = expected(ev, &any);
		if (!any && want == -1 && errno_is(ev, "EAGAIN")) {
			uint64_t tt;
			if (engine_take_event(e, DUT_EV_ACCEPTED, 0, &tt))
				engine_fail(e, ev, "accept(): expected -1 EAGAIN vs actual a new connection");
			return;
		}
		start_pending(e, ev, ENGINE_PEND_ACCEPT, (int)fdn, 0, t);
	} else if (strcmp(name, "connect") == 0) {
		uint16_t port = e->map.peer_port;
		uint32_t ip = e->map.peer_ip;
		sockaddr_port(arg(ev, 1), &port);
		sockaddr_ip(arg(ev, 1), &ip);
		e->map.peer_port = port;
		e->map.peer_ip = ip;
		struct dut_app_cmd c;
		memset(&c, 0, sizeof c);
		c.kind = DUT_APP_CONNECT;
		c.ip = ip;
		c.port = port;
		c.conn = -1;
		engine_conn_connecting(e);
		int rc = engine_app(e, ev, &c);
		if (rc < 0) {
			check_result(e, ev, -1, "ENOBUFS");
			return;
		}
		f->handle = e->handles++;
		e->conn_fd = (int)fdn;
		if (f->nonblock) {
			f->connecting = true;
			check_result(e, ev, -1, "EINPROGRESS");
		} else {
			start_pending(e, ev, ENGINE_PEND_CONNECT, (int)fdn, 0, t);
		}
	} else if (strcmp(name, "getsockopt") == 0 && !is_word(arg(ev, 2), "SO_ERROR")) {
		struct dut_sockopt so = {f->handle, arg(ev, 2)->text, false, 0};
		char err[DUT_ERR_LEN] = "";
		int64_t want = 0;
		int rc = e->dut.ops->sockopt(&e->dut, &so, err);
		if (rc == -ENOPROTOOPT) {
			engine_unsupported(e, ev, "getsockopt(%s): the %s DUT cannot read it", so.name, e->dut.ops->name);
			return;
		}
		if (rc == 0 && int_of(arg(ev, 3), &want) && want != so.val)
			engine_fail(e, ev, "getsockopt(%s): expected %" PRId64 " vs actual %" PRId64, so.name, want,
				    so.val);
		else
			check_result(e, ev, rc < 0 ? -1 : 0, rc < 0 ? "EINVAL" : NULL);
	} else if (strcmp(name, "getsockopt") == 0) {
		uint64_t tt;
		if (f->listener)
			f->so_error = 0;
		else if (e->dut.ops->so_error != NULL)
			f->so_error = e->dut.ops->so_error(&e->dut, f->handle);
		else
			absorb_conn_events(e, f);
		if (f->connecting && engine_take_event(e, DUT_EV_CONNECTED, 0, &tt)) {
			f->connecting = false;
			f->conn = true;
		}
		const struct script_expr *val = arg(ev, 3);
		if (val && val->kind == SCRIPT_EXPR_LIST && val->n_children == 1)
			val = val->child;
		const char *actual = errno_name(f->so_error);
		bool ok = (val && val->kind == SCRIPT_EXPR_INT && val->num == 0 && f->so_error == 0) ||
			  (val && val->kind == SCRIPT_EXPR_WORD && strcmp(val->text, actual) == 0) ||
			  (val && val->kind == SCRIPT_EXPR_ELLIPSIS);
		if (!ok)
			engine_fail(e, ev, "getsockopt(SO_ERROR): expected %s vs actual %s",
				    val && val->text ? val->text : "0", actual);
		else
			check_result(e, ev, 0, NULL);
		f->so_error = 0;
	} else if (strcmp(name, "read") == 0 || strcmp(name, "recv") == 0) {
		int64_t n = 0;
		int_of(arg(ev, 2), &n);
		if (sc->blocking) {
			start_pending(e, ev, ENGINE_PEND_READ, (int)fdn, (uint32_t)n, t);
			return;
		}
		int rc = app(e, ev, DUT_APP_RECV, 0, (uint32_t)n, f->handle);
		if (rc == -EAGAIN && !f->nonblock) {
			/* A blocking read with nothing there yet returns when
			 * something comes: within the tolerance of its start. */
			start_pending(e, ev, ENGINE_PEND_READ, (int)fdn, (uint32_t)n, t);
			return;
		}
		check_result(e, ev, rc < 0 ? -1 : rc, rc < 0 ? errno_name(-rc) : NULL);
	} else if (strcmp(name, "write") == 0 || strcmp(name, "send") == 0) {
		int64_t n = 0;
		int_of(arg(ev, 2), &n);
		int rc = app(e, ev, DUT_APP_SEND, 0, (uint32_t)n, f->handle);
		check_result(e, ev, rc < 0 ? -1 : rc, rc < 0 ? errno_name(-rc) : NULL);
	} else if (strcmp(name, "shutdown") == 0) {
		/* SHUT_RDWR: SHUT_RD, then SHUT_WR (dut.h DUT_APP_SHUTDOWN_RD). */
		bool rd = is_word(arg(ev, 1), "SHUT_RD") || is_word(arg(ev, 1), "SHUT_RDWR");
		bool wr = !is_word(arg(ev, 1), "SHUT_RD");
		int rc = rd ? app(e, ev, DUT_APP_SHUTDOWN_RD, 0, 0, f->handle) : 0;
		if (rc >= 0 && wr)
			rc = app(e, ev, DUT_APP_SHUTDOWN_WR, 0, 0, f->handle);
		check_result(e, ev, rc < 0 ? -1 : 0, rc < 0 ? "ENOTCONN" : NULL);
	} else if (strcmp(name, "close") == 0) {
		int rc = 0;
		if (f->listener)
			rc = app(e, ev, DUT_APP_CLOSE, f->port, 0, DUT_CONN_LISTENER);
		else if (f->conn || f->connecting)
			rc = app(e, ev, f->linger0 ? DUT_APP_ABORT : DUT_APP_CLOSE, 0, 0, f->handle);
		(void)rc; /* closing a socket the peer already reset still succeeds */
		f->used = false;
		check_result(e, ev, 0, NULL);
	}
}
