/*
 * tap_syscall.c - a script's system calls made for real on the tap DUT
 * (tap_syscall.h).
 *
 * The call thread: created with the adapter, it setns()es itself into the
 * DUT's namespace once (network namespaces are per thread), so every
 * socket it creates is the namespace's, then waits for one job at a time.
 * The runner's thread prepares a job (arguments evaluated, script fds
 * mapped onto live fds, buffers allocated), the call thread makes the
 * call and stamps its return with the DUT clock, and the runner's thread
 * checks the outcome. A call that blocks in the kernel leaves the thread
 * asleep ('S' in /proc/self/task/TID/stat), which is how packetdrill's
 * main thread knows a blocking call has blocked.
 *
 * Argument syntax (packetdrill's): integers, symbolic constants
 * (tap_syscall_sym.c) joined with '|', htons()/htonl(), `[N]` for an int
 * passed by pointer, `...` for a buffer of the call's count (zeros when
 * written, as packetdrill's calloc'd buffers) or for a sockaddr (bind:
 * the DUT's address and the script's port; connect, sendto: the peer's),
 * `{l_onoff=1, l_linger=0}`, `{tv_sec=.., tv_usec=..}`, "strings",
 * iovecs `[{..., 1000}, ...]`, msghdrs `{msg_name(...)=..., msg_iov(1)=
 * [...], msg_flags=0}`, pollfds `[{fd=4, events=POLLIN, revents=0}]`,
 * epoll events `{events=EPOLLIN, fd=4}` and pipes `[5, 6]`.
 *
 * Script fds are the script's numbers; a live fd the kernel returns is
 * kept against the number the script expected (socket, accept, open,
 * epoll_create, pipe), so a script's `3` is whatever the kernel gave.
 */
#define _GNU_SOURCE
#include "tap_syscall.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "script.h"

#define MAX_FDS 64
#define MAX_VEC 16
#define MAX_IOV 1024 /* UIO_MAXIOV: a zerocopy test writes more than MAX_SKB_FRAGS */
#define MAX_BUF (16u * 1024u * 1024u)

enum call {
	C_SOCKET, C_BIND, C_LISTEN, C_ACCEPT, C_CONNECT, C_READ, C_READV, C_RECV, C_RECVFROM,
	C_RECVMSG, C_WRITE, C_WRITEV, C_SEND, C_SENDTO, C_SENDMSG, C_FCNTL, C_IOCTL, C_CLOSE,
	C_SHUTDOWN, C_GETSOCKOPT, C_SETSOCKOPT, C_POLL, C_EPOLL_CREATE, C_EPOLL_CTL, C_EPOLL_WAIT,
	C_PIPE, C_SPLICE, C_OPEN, C_SENDFILE, C_COUNT
};

static const char *const CALL_NAMES[C_COUNT] = {
	"socket", "bind", "listen", "accept", "connect", "read", "readv", "recv", "recvfrom",
	"recvmsg", "write", "writev", "send", "sendto", "sendmsg", "fcntl", "ioctl", "close",
	"shutdown", "getsockopt", "setsockopt", "poll", "epoll_create", "epoll_ctl", "epoll_wait",
	"pipe", "splice", "open", "sendfile",
};

/* Argument counts (min, max) as packetdrill checks them. */
static const unsigned char ARGS_MIN[C_COUNT] = {3, 3, 2, 3, 3, 3, 3, 4, 6, 3, 3, 3, 4, 6, 3, 2, 2, 1,
						2, 5, 5, 3, 1, 4, 4, 1, 6, 2, 4};
static const unsigned char ARGS_MAX[C_COUNT] = {3, 3, 2, 3, 3, 3, 3, 4, 6, 3, 3, 3, 4, 6, 3, 3, 3, 1,
						2, 5, 5, 3, 1, 4, 4, 1, 6, 3, 4};

/* What the runner's thread prepared and the call thread fills in. */
struct job {
	enum call call;
	const struct script_syscall *sc;
	long a[6];
	void *buf;
	size_t buflen;
	struct iovec iov[MAX_IOV];
	int iovcnt;
	struct msghdr msg;
	struct sockaddr_storage sa;
	socklen_t salen;
	struct pollfd pfd[MAX_VEC];
	struct epoll_event ev[MAX_VEC];
	int pipefd[2];
	int optint;
	struct linger lg;
	struct timeval tv;
	char optbuf[512];
	socklen_t optlen;
	char path[256];
	off_t off;
	/* Expected out-arguments. */
	bool check_int;            /* getsockopt/ioctl `[N]` */
	int want_int;
	bool check_linger;
	struct linger want_lg;
	bool check_optlen;
	socklen_t want_optlen;
	bool check_str;
	size_t want_strlen;
	char want_str[512];
	bool check_msg_flags;
	int want_msg_flags;
	bool check_cmsg;
	int n_cmsg;
	int cm_level[MAX_VEC], cm_type[MAX_VEC], cm_data[MAX_VEC];
	bool cm_ee[MAX_VEC];
	uint32_t cm_eev[MAX_VEC][6];
	union {
		char buf[1024];
		struct cmsghdr align;
	} cu;
	short want_revents[MAX_VEC];
	bool check_ev;
	uint32_t want_events;
	bool want_fd_given;
	int want_fd;               /* script fd in the epoll data */
	int want_pipe[2];
	int script_fd;             /* arg 0's script number */
	/* Outcome. */
	long ret;
	int err;
	uint64_t t_end;
};

enum phase { P_IDLE, P_QUEUED, P_RUNNING, P_DONE, P_EXIT };

struct tap_sys {
	pthread_t thread;
	bool thread_up;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum phase phase;
	pid_t tid;
	int ns_fd;
	uint64_t t0;
	int setns_err;
	struct job job;
	bool have_job;
	int map_script[MAX_FDS], map_live[MAX_FDS];
	bool map_closed[MAX_FDS];  /* closed by the script: EBADF from now on */
	int n_map;
	bool script_error;         /* the last start() failed on the script, not on us */
	int under_test;            /* live fd of the socket under test, -1 = none */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- expressions ---------------------------------------------------------- */

static const struct script_expr *nth(const struct script_syscall *sc, size_t i)
{
	const struct script_expr *x = sc->args;
	while (x && i--)
		x = x->next;
	return x;
}

static bool is_ellipsis(const struct script_expr *x)
{
	return x && x->kind == SCRIPT_EXPR_ELLIPSIS;
}

/* The script's options while a call is prepared or checked (defines). */
static _Thread_local const struct script_option *cur_options;

/* A define's value: a number, or a constant's name. */
static bool define_value(const char *name, int64_t *v)
{
	for (const struct script_option *o = cur_options; o; o = o->next) {
		if (!o->is_define || o->value == NULL || strcmp(o->name, name) != 0)
			continue;
		char *end;
		long long n = strtoll(o->value, &end, 0);
		if (end != o->value && *end == '\0') {
			*v = n;
			return true;
		}
		return tap_sym(o->value, v);
	}
	return false;
}

/* An integer expression: numbers, constants, a|b, htons(), htonl(). */
static bool eval(const struct script_expr *x, int64_t *v, char *why, size_t cap)
{
	int64_t l, r;
	if (x == NULL) {
		snprintf(why, cap, "a missing argument");
		return false;
	}
	switch (x->kind) {
	case SCRIPT_EXPR_INT:
		*v = x->num;
		return true;
	case SCRIPT_EXPR_WORD:
		if (tap_sym(x->text, v) || define_value(x->text, v))
			return true;
		snprintf(why, cap, "the symbol %s (not in this machine's system headers)", x->text);
		return false;
	case SCRIPT_EXPR_OR:
		if (!eval(x->lhs, &l, why, cap) || !eval(x->rhs, &r, why, cap))
			return false;
		*v = l | r;
		return true;
	case SCRIPT_EXPR_CALL:
		if (x->n_children == 1 && eval(x->child, &l, why, cap)) {
			if (strcmp(x->text, "htons") == 0 || strcmp(x->text, "ntohs") == 0) {
				*v = htons((uint16_t)l);
				return true;
			}
			if (strcmp(x->text, "htonl") == 0 || strcmp(x->text, "ntohl") == 0) {
				*v = htonl((uint32_t)l);
				return true;
			}
		}
		snprintf(why, cap, "the expression %s(...)", x->text);
		return false;
	case SCRIPT_EXPR_ELLIPSIS:
	case SCRIPT_EXPR_STRING:
	case SCRIPT_EXPR_LIST:
	case SCRIPT_EXPR_STRUCT:
	case SCRIPT_EXPR_ASSIGN:
		break;
	}
	snprintf(why, cap, "a %s where a number is expected",
		 x->kind == SCRIPT_EXPR_ELLIPSIS ? "'...'" : x->kind == SCRIPT_EXPR_STRING ? "string"
							   : x->kind == SCRIPT_EXPR_LIST ? "list"
											 : "struct");
	return false;
}

/* `[N]`: an int by pointer. */
static bool bracketed(const struct script_expr *x, int64_t *v, char *why, size_t cap)
{
	if (x && x->kind == SCRIPT_EXPR_LIST && x->n_children == 1)
		return eval(x->child, v, why, cap);
	snprintf(why, cap, "expected [N] for an int passed by pointer");
	return false;
}

/* A struct member `name=value` whose name ends with `name`. */
static const struct script_expr *member(const struct script_expr *st, const char *name)
{
	if (st == NULL || st->kind != SCRIPT_EXPR_STRUCT)
		return NULL;
	for (const struct script_expr *c = st->child; c; c = c->next) {
		if (c->kind != SCRIPT_EXPR_ASSIGN || c->lhs == NULL)
			continue;
		const char *n = c->lhs->text;
		if (n && strcmp(n, name) == 0)
			return c->rhs;
	}
	return NULL;
}

/* {l_onoff=1, l_linger=0} or packetdrill's {onoff=1, linger=0}. */
static const struct script_expr *linger_part(const struct script_expr *st, bool onoff)
{
	const struct script_expr *m = member(st, onoff ? "l_onoff" : "l_linger");
	return m ? m : member(st, onoff ? "onoff" : "linger");
}

/* ---- the fd map ------------------------------------------------------------ */

/* The live fd of a script fd: -1 closed (the kernel's EBADF), -2 never
 * opened. */
static int live_of(const struct tap_sys *s, int64_t script_fd)
{
	for (int i = 0; i < s->n_map; i++)
		if (s->map_script[i] == script_fd)
			return s->map_live[i];
	return -2;
}

static void map_add(struct tap_sys *s, int script_fd, int live_fd)
{
	for (int i = 0; i < s->n_map; i++)
		if (s->map_script[i] == script_fd) {
			s->map_live[i] = live_fd;
			s->map_closed[i] = false;
			return;
		}
	if (s->n_map < MAX_FDS) {
		s->map_script[s->n_map] = script_fd;
		s->map_closed[s->n_map] = false;
		s->map_live[s->n_map++] = live_fd;
	}
}

/* close(): the number stays known, its live fd is no longer ours (the
 * kernel may reuse it), so later calls on it get -1 (EBADF). */
static void map_close(struct tap_sys *s, int script_fd)
{
	for (int i = 0; i < s->n_map; i++)
		if (s->map_script[i] == script_fd) {
			s->map_closed[i] = true;
			s->map_live[i] = -1;
			return;
		}
}

static int script_of(const struct tap_sys *s, int live_fd)
{
	for (int i = 0; i < s->n_map; i++)
		if (s->map_live[i] == live_fd)
			return s->map_script[i];
	return -1;
}

/* A script fd argument: the live fd the script's number stands for, also
 * after close() (the kernel then says EBADF, as on packetdrill, which
 * keeps closed fds). A number the script never opened is packetdrill's
 * runtime error ("unable to find fd"): the script fails. */
static bool fd_arg(struct tap_sys *s, const struct script_expr *x, long *out, char *why, size_t cap)
{
	int64_t v;
	if (!eval(x, &v, why, cap))
		return false;
	int live = s ? live_of(s, v) : 0;
	if (s && live == -2) {
		snprintf(why, cap, "unable to find fd with script fd %lld", (long long)v);
		s->script_error = true;
		return false;
	}
	*out = live;
	return true;
}

/* ---- sockaddrs --------------------------------------------------------------- */

static void fill_sin(struct job *j, uint32_t ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&j->sa;
	memset(&j->sa, 0, sizeof j->sa);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(ip);
	j->salen = sizeof *sin;
}

/* `...`, or {sa_family=AF_INET, sin_port=htons(P), sin_addr=inet_addr("A")}. */
static bool sockaddr_arg(struct job *j, const struct script_expr *x, uint32_t ip, uint16_t port, char *why,
			 size_t cap)
{
	if (is_ellipsis(x)) {
		fill_sin(j, ip, port);
		return true;
	}
	if (x && x->kind == SCRIPT_EXPR_STRUCT) {
		const struct script_expr *p = member(x, "sin_port"), *a = member(x, "sin_addr");
		int64_t v = htons(port);
		if (p && !eval(p, &v, why, cap))
			return false;
		fill_sin(j, ip, 0);
		((struct sockaddr_in *)&j->sa)->sin_port = (in_port_t)v;
		if (a && a->kind == SCRIPT_EXPR_CALL && strcmp(a->text, "inet_addr") == 0 && a->child &&
		    a->child->kind == SCRIPT_EXPR_STRING) {
			if (inet_pton(AF_INET, a->child->text, &((struct sockaddr_in *)&j->sa)->sin_addr) != 1) {
				snprintf(why, cap, "inet_addr(\"%s\") is not an IPv4 address", a->child->text);
				return false;
			}
		}
		return true;
	}
	snprintf(why, cap, "expected ... or {sa_family=AF_INET, sin_port=..., sin_addr=...} for a sockaddr");
	return false;
}

/* ---- buffers ----------------------------------------------------------------- */

static bool alloc_buf(struct job *j, int64_t n, char *why, size_t cap)
{
	if (n < 0 || (uint64_t)n > MAX_BUF) {
		snprintf(why, cap, "a buffer of %lld bytes (at most %u)", (long long)n, MAX_BUF);
		return false;
	}
	free(j->buf);
	j->buf = calloc(1, (size_t)n + 1);
	j->buflen = (size_t)n;
	if (j->buf == NULL) {
		snprintf(why, cap, "out of memory for a %lld-byte buffer", (long long)n);
		return false;
	}
	return true;
}

/* `...` or 0 (NULL) for a buffer. */
static bool buffer_arg(const struct script_expr *x, bool *null, char *why, size_t cap)
{
	*null = x && ((x->kind == SCRIPT_EXPR_INT && x->num == 0) ||
		      (x->kind == SCRIPT_EXPR_WORD && strcmp(x->text, "NULL") == 0));
	if (is_ellipsis(x) || *null)
		return true;
	snprintf(why, cap, "expected ... or NULL for a buffer");
	return false;
}

/* [{..., N}, {iov_base=..., iov_len=N}, ...]: one buffer, cut into iovecs. */
static bool iovec_arg(struct job *j, const struct script_expr *x, char *why, size_t cap)
{
	if (x == NULL || x->kind != SCRIPT_EXPR_LIST || x->n_children > MAX_IOV) {
		snprintf(why, cap, "expected an iovec list [{..., N}, ...] of at most %d entries", MAX_IOV);
		return false;
	}
	static _Thread_local int64_t len[MAX_IOV];
	int64_t total = 0;
	int n = 0;
	for (const struct script_expr *c = x->child; c; c = c->next, n++) {
		const struct script_expr *l = member(c, "iov_len");
		if (l == NULL && c->kind == SCRIPT_EXPR_STRUCT && c->n_children == 2)
			l = c->child->next;
		if (!eval(l, &len[n], why, cap) || len[n] < 0)
			return false;
		total += len[n];
	}
	if (!alloc_buf(j, total, why, cap))
		return false;
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		j->iov[i].iov_base = (char *)j->buf + off;
		j->iov[i].iov_len = (size_t)len[i];
		off += (size_t)len[i];
	}
	j->iovcnt = n;
	return true;
}

/* recvmsg's expected control messages: [{cmsg_level=L, cmsg_type=T,
 * cmsg_data=N}, ...] with an int payload each (TCP_CM_INQ, ...). */
static bool cmsg_expect(struct job *j, const struct script_expr *x, char *why, size_t cap)
{
	if (x == NULL || x->kind != SCRIPT_EXPR_LIST || x->n_children > MAX_VEC) {
		snprintf(why, cap, "expected msg_control=[{cmsg_level=..., cmsg_type=..., cmsg_data=...}]");
		return false;
	}
	j->n_cmsg = 0;
	for (const struct script_expr *c = x->child; c; c = c->next) {
		int64_t l, t, d;
		const struct script_expr *data = member(c, "cmsg_data");
		if (!eval(member(c, "cmsg_level"), &l, why, cap) || !eval(member(c, "cmsg_type"), &t, why, cap))
			return false;
		j->cm_ee[j->n_cmsg] = false;
		if (data && data->kind == SCRIPT_EXPR_STRUCT && member(data, "ee_errno")) {
			/* struct sock_extended_err (MSG_ERRQUEUE: zerocopy, errors) */
			static const char *const EE[6] = {"ee_errno", "ee_origin", "ee_type",
							  "ee_code", "ee_info", "ee_data"};
			for (int k = 0; k < 6; k++) {
				int64_t f;
				if (!eval(member(data, EE[k]), &f, why, cap))
					return false;
				j->cm_eev[j->n_cmsg][k] = (uint32_t)f;
			}
			j->cm_ee[j->n_cmsg] = true;
			d = 0;
		} else if (data == NULL || data->kind == SCRIPT_EXPR_STRUCT || data->kind == SCRIPT_EXPR_LIST) {
			snprintf(why, cap, "control messages whose data is this kind of struct (cmsg_data={...}): "
				 "only int data and sock_extended_err are compared");
			return false;
		} else if (!eval(data, &d, why, cap)) {
			return false;
		}
		j->cm_level[j->n_cmsg] = (int)l;
		j->cm_type[j->n_cmsg] = (int)t;
		j->cm_data[j->n_cmsg++] = (int)d;
	}
	j->check_cmsg = true;
	return true;
}

/* {msg_name(...)=..., msg_iov(N)=[...], msg_control(...)=..., msg_flags=F} */
static bool msghdr_arg(struct job *j, const struct script_expr *x, bool fastopen, const struct dut_syscall_ctx *ctx,
		       char *why, size_t cap)
{
	if (x == NULL || x->kind != SCRIPT_EXPR_STRUCT) {
		snprintf(why, cap, "expected a msghdr {msg_name(...)=..., msg_iov(1)=[...], msg_flags=0}");
		return false;
	}
	memset(&j->msg, 0, sizeof j->msg);
	for (const struct script_expr *c = x->child; c; c = c->next) {
		if (c->kind != SCRIPT_EXPR_ASSIGN || c->lhs == NULL || c->lhs->text == NULL) {
			snprintf(why, cap, "a msghdr member without a name");
			return false;
		}
		const char *n = c->lhs->text;
		if (strcmp(n, "msg_name") == 0) {
			if (fastopen)
				fill_sin(j, ctx->connect_ip, ctx->connect_port);
			else
				j->salen = sizeof j->sa;
			j->msg.msg_name = &j->sa;
			j->msg.msg_namelen = j->salen;
		} else if (strcmp(n, "msg_iov") == 0) {
			if (!iovec_arg(j, c->rhs, why, cap))
				return false;
			j->msg.msg_iov = j->iov;
			j->msg.msg_iovlen = (size_t)j->iovcnt;
		} else if (strcmp(n, "msg_flags") == 0) {
			int64_t v;
			if (!eval(c->rhs, &v, why, cap))
				return false;
			j->check_msg_flags = true;
			j->want_msg_flags = (int)v;
		} else if (strcmp(n, "msg_control") == 0 && !is_ellipsis(c->rhs)) {
			if (j->call != C_RECVMSG) {
				snprintf(why, cap, "control messages sent with sendmsg()");
				return false;
			}
			if (!cmsg_expect(j, c->rhs, why, cap))
				return false;
			j->msg.msg_control = j->cu.buf;
			j->msg.msg_controllen = sizeof j->cu.buf;
		} else if (strcmp(n, "msg_control") == 0 || strcmp(n, "msg_controllen") == 0) {
			/* `...`: not compared */
		} else if (strcmp(n, "msg_namelen") != 0 && strcmp(n, "msg_iovlen") != 0) {
			snprintf(why, cap, "the msghdr member %s", n);
			return false;
		}
	}
	return true;
}

/* ---- preparing each call --------------------------------------------------------- */

static int call_of(const char *name)
{
	for (int i = 0; i < C_COUNT; i++)
		if (strcmp(name, CALL_NAMES[i]) == 0)
			return i;
	return -1;
}

/* setsockopt's value: [N], {l_onoff, l_linger}, {tv_sec, tv_usec}, "str". */
static bool optval_in(struct job *j, const struct script_expr *v, const struct script_expr *len, char *why,
		      size_t cap)
{
	int64_t n = 0, l;
	if (v && v->kind == SCRIPT_EXPR_LIST) {
		if (!bracketed(v, &n, why, cap))
			return false;
		j->optint = (int)n;
		j->a[3] = (long)&j->optint;
		n = sizeof j->optint;
	} else if (v && v->kind == SCRIPT_EXPR_STRUCT && linger_part(v, true)) {
		if (!eval(linger_part(v, true), &n, why, cap) || !eval(linger_part(v, false), &l, why, cap))
			return false;
		j->lg.l_onoff = (int)n;
		j->lg.l_linger = (int)l;
		j->a[3] = (long)&j->lg;
		n = sizeof j->lg;
	} else if (v && v->kind == SCRIPT_EXPR_STRUCT && member(v, "tv_sec")) {
		if (!eval(member(v, "tv_sec"), &n, why, cap) || !eval(member(v, "tv_usec"), &l, why, cap))
			return false;
		j->tv.tv_sec = (time_t)n;
		j->tv.tv_usec = (suseconds_t)l;
		j->a[3] = (long)&j->tv;
		n = sizeof j->tv;
	} else if (v && v->kind == SCRIPT_EXPR_STRING) {
		n = (int64_t)strlen(v->text);
		if ((size_t)n >= sizeof j->optbuf) {
			snprintf(why, cap, "a string option longer than %zu bytes", sizeof j->optbuf - 1);
			return false;
		}
		memcpy(j->optbuf, v->text, (size_t)n + 1);
		j->a[3] = (long)j->optbuf;
	} else if (v && v->kind == SCRIPT_EXPR_INT && v->num == 0) {
		j->a[3] = 0;
	} else {
		snprintf(why, cap, "this kind of option value (expected [N], {l_onoff=..., l_linger=...}, "
			 "{tv_sec=..., tv_usec=...} or \"string\")");
		return false;
	}
	/* The length the script gives is the one passed (packetdrill does). */
	if (!eval(len, &l, why, cap))
		return false;
	j->a[4] = (long)l;
	(void)n;
	return true;
}

/* getsockopt's expected value. */
static bool optval_out(struct job *j, const struct script_expr *v, const struct script_expr *len, char *why,
		       size_t cap)
{
	int64_t n, l;
	if (!bracketed(len, &l, why, cap) || l < 0 || (size_t)l >= sizeof j->optbuf) {
		snprintf(why, cap, "getsockopt's length: expected [N] below %zu", sizeof j->optbuf);
		return false;
	}
	j->optlen = (socklen_t)l;
	j->check_optlen = true;
	j->want_optlen = (socklen_t)l;
	j->a[3] = (long)j->optbuf;
	j->a[4] = (long)&j->optlen;
	if (is_ellipsis(v))
		return true;
	if (v && v->kind == SCRIPT_EXPR_LIST) {
		if (!bracketed(v, &n, why, cap))
			return false;
		j->check_int = true;
		j->want_int = (int)n;
		return true;
	}
	if (v && v->kind == SCRIPT_EXPR_STRUCT && linger_part(v, true)) {
		if (!eval(linger_part(v, true), &n, why, cap) || !eval(linger_part(v, false), &l, why, cap))
			return false;
		j->check_linger = true;
		j->want_lg.l_onoff = (int)n;
		j->want_lg.l_linger = (int)l;
		return true;
	}
	if (v && v->kind == SCRIPT_EXPR_STRING && strlen(v->text) < sizeof j->want_str) {
		j->check_str = true;
		j->want_strlen = strlen(v->text);
		memcpy(j->want_str, v->text, j->want_strlen + 1);
		return true;
	}
	snprintf(why, cap, "this kind of getsockopt value (expected ..., [N], {l_onoff=..., l_linger=...} or "
		 "\"string\")");
	return false;
}

static bool epoll_event_arg(struct tap_sys *s, struct job *j, const struct script_expr *x, bool wait, char *why,
			    size_t cap)
{
	int64_t v;
	if (x == NULL || x->kind != SCRIPT_EXPR_STRUCT || !eval(member(x, "events"), &v, why, cap)) {
		snprintf(why, cap, "expected an epoll event {events=..., fd=N}");
		return false;
	}
	memset(j->ev, 0, sizeof j->ev);
	j->ev[0].events = (uint32_t)v;
	j->want_events = (uint32_t)v;
	j->check_ev = true;
	const struct script_expr *d;
	if ((d = member(x, "fd")) != NULL) {
		if (!eval(d, &v, why, cap))
			return false;
		j->want_fd_given = true;
		j->want_fd = (int)v;
		int live = s ? live_of(s, v) : 0;
		if (s && live == -2 && !wait) {
			s->script_error = true;
			snprintf(why, cap, "epoll event fd %lld is not one the script opened", (long long)v);
			return false;
		}
		j->ev[0].data.fd = live;
	} else if ((d = member(x, "ptr")) != NULL || (d = member(x, "u64")) != NULL) {
		if (!eval(d, &v, why, cap))
			return false;
		j->ev[0].data.u64 = (uint64_t)v;
	} else if ((d = member(x, "u32")) != NULL) {
		if (!eval(d, &v, why, cap))
			return false;
		j->ev[0].data.u32 = (uint32_t)v;
	} else {
		snprintf(why, cap, "an epoll event without fd=, ptr=, u32= or u64=");
		return false;
	}
	return true;
}

/* Fills j from the script's call; s NULL = the static check (no fds). */
static bool prepare(struct tap_sys *s, struct job *j, const struct script_syscall *sc,
		    const struct dut_syscall_ctx *ctx, char *why, size_t cap)
{
	static const struct dut_syscall_ctx none = {0};
	if (ctx == NULL)
		ctx = &none;
	int c = call_of(sc->name);
	if (c < 0) {
		snprintf(why, cap, "system call %s() is not one packetdrill supports", sc->name);
		return false;
	}
	j->call = (enum call)c;
	j->sc = sc;
	if (sc->n_args < ARGS_MIN[c] || sc->n_args > ARGS_MAX[c]) {
		snprintf(why, cap, "%s() takes %u argument(s), not %zu", sc->name, ARGS_MIN[c], sc->n_args);
		return false;
	}
	const struct script_expr *a0 = nth(sc, 0), *a1 = nth(sc, 1), *a2 = nth(sc, 2), *a3 = nth(sc, 3),
				 *a4 = nth(sc, 4), *a5 = nth(sc, 5);
	int64_t v, w;
	bool null;
	bool takes_fd = j->call != C_SOCKET && j->call != C_EPOLL_CREATE && j->call != C_PIPE &&
			j->call != C_OPEN && j->call != C_POLL && j->call != C_SPLICE;
	if (takes_fd) {
		if (!eval(a0, &v, why, cap))
			return false;
		j->script_fd = (int)v;
		if (!fd_arg(s, a0, &j->a[0], why, cap))
			return false;
	}
	switch (j->call) {
	case C_SOCKET:
		/* socket(..., ...): the run's address family (IPv4 here). */
		v = AF_INET;
		if ((!is_ellipsis(a0) && !eval(a0, &v, why, cap)) || !eval(a1, &w, why, cap))
			return false;
		j->a[0] = (long)v;
		j->a[1] = (long)w;
		if (!eval(a2, &v, why, cap))
			return false;
		j->a[2] = (long)v;
		return true;
	case C_BIND:
		if (!sockaddr_arg(j, a1, ctx->bind_ip, ctx->bind_port, why, cap))
			return false;
		return is_ellipsis(a2) || eval(a2, &v, why, cap);
	case C_CONNECT:
		if (a1 && a1->kind != SCRIPT_EXPR_ELLIPSIS && a1->kind != SCRIPT_EXPR_STRUCT) {
			/* connect(fd, AF_UNSPEC, ...): disconnect. */
			if (!eval(a1, &v, why, cap))
				return false;
			memset(&j->sa, 0, sizeof j->sa);
			j->sa.ss_family = (sa_family_t)v;
			j->salen = sizeof(struct sockaddr_in);
			return true;
		}
		return sockaddr_arg(j, a1, ctx->connect_ip, ctx->connect_port, why, cap);
	case C_LISTEN:
		if (!eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		return true;
	case C_ACCEPT:
		j->salen = sizeof j->sa;
		return true;
	case C_READ:
	case C_WRITE:
		if (!buffer_arg(a1, &null, why, cap) || !eval(a2, &v, why, cap) || !alloc_buf(j, v, why, cap))
			return false;
		j->a[1] = null ? 0 : (long)j->buf;
		j->a[2] = (long)v;
		return true;
	case C_RECV:
	case C_SEND:
	case C_RECVFROM:
	case C_SENDTO:
		if (!buffer_arg(a1, &null, why, cap) || !eval(a2, &v, why, cap) || !alloc_buf(j, v, why, cap) ||
		    !eval(a3, &w, why, cap))
			return false;
		j->a[1] = null ? 0 : (long)j->buf;
		j->a[2] = (long)v;
		j->a[3] = (long)w;
		if (j->call == C_SENDTO) {
			if (a4 && (a4->kind == SCRIPT_EXPR_WORD || a4->kind == SCRIPT_EXPR_INT)) {
				/* sendto(..., AF_UNSPEC, ...): an address of that family. */
				if (!eval(a4, &v, why, cap))
					return false;
				memset(&j->sa, 0, sizeof j->sa);
				j->sa.ss_family = (sa_family_t)v;
				j->salen = sizeof(struct sockaddr_in);
				return true;
			}
			if (!sockaddr_arg(j, a4, ctx->connect_ip, ctx->connect_port, why, cap))
				return false;
			return is_ellipsis(a5) || eval(a5, &v, why, cap);
		}
		if (j->call == C_RECVFROM)
			j->salen = sizeof j->sa;
		return true;
	case C_READV:
	case C_WRITEV:
		if (!iovec_arg(j, a1, why, cap) || !eval(a2, &v, why, cap))
			return false;
		j->a[2] = (long)v;
		return true;
	case C_RECVMSG:
	case C_SENDMSG:
		if (!eval(a2, &v, why, cap))
			return false;
		j->a[2] = (long)v;
		return msghdr_arg(j, a1, (v & MSG_FASTOPEN) != 0, ctx, why, cap);
	case C_FCNTL:
		if (!eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		if (a2 && !eval(a2, &v, why, cap))
			return false;
		j->a[2] = a2 ? (long)v : 0;
		return true;
	case C_IOCTL:
		if (!eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		if (a2) {
			if (!bracketed(a2, &v, why, cap))
				return false;
			j->optint = (int)v;
			j->check_int = true;
			j->want_int = (int)v;
			j->a[2] = (long)&j->optint;
		}
		return true;
	case C_CLOSE:
		return true;
	case C_SHUTDOWN:
		if (!eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		return true;
	case C_GETSOCKOPT:
	case C_SETSOCKOPT:
		if (!eval(a1, &v, why, cap) || !eval(a2, &w, why, cap))
			return false;
		j->a[1] = (long)v;
		j->a[2] = (long)w;
		return j->call == C_SETSOCKOPT ? optval_in(j, a3, a4, why, cap) : optval_out(j, a3, a4, why, cap);
	case C_POLL: {
		if (a0 == NULL || a0->kind != SCRIPT_EXPR_LIST || a0->n_children > MAX_VEC) {
			snprintf(why, cap, "expected a pollfd list [{fd=N, events=..., revents=...}]");
			return false;
		}
		int n = 0;
		for (const struct script_expr *p = a0->child; p; p = p->next, n++) {
			int64_t fd, ev, rev;
			if (!eval(member(p, "fd"), &fd, why, cap) || !eval(member(p, "events"), &ev, why, cap) ||
			    !eval(member(p, "revents"), &rev, why, cap))
				return false;
			int live = s ? live_of(s, fd) : 0;
			if (s && live == -2) {
				s->script_error = true;
				snprintf(why, cap, "pollfd fd %lld is not one the script opened", (long long)fd);
				return false;
			}
			j->pfd[n].fd = live;
			j->pfd[n].events = (short)ev;
			j->want_revents[n] = (short)rev;
		}
		j->a[0] = (long)j->pfd;
		if (!eval(a1, &v, why, cap) || !eval(a2, &w, why, cap))
			return false;
		j->a[1] = (long)v;
		j->a[2] = (long)w;
		return true;
	}
	case C_EPOLL_CREATE:
		if (!eval(a0, &v, why, cap))
			return false;
		j->a[0] = (long)v;
		return true;
	case C_EPOLL_CTL:
		if (!eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		if (!fd_arg(s, a2, &j->a[2], why, cap))
			return false;
		if (!epoll_event_arg(s, j, a3, false, why, cap))
			return false;
		j->check_ev = false;
		return true;
	case C_EPOLL_WAIT:
		if (!epoll_event_arg(s, j, a1, true, why, cap) || !eval(a2, &v, why, cap) || !eval(a3, &w, why, cap))
			return false;
		if (v < 0 || v > MAX_VEC)
			v = MAX_VEC;
		j->a[2] = (long)v;
		j->a[3] = (long)w;
		return true;
	case C_PIPE:
		if (a0 == NULL || a0->kind != SCRIPT_EXPR_LIST || a0->n_children != 2 ||
		    !eval(a0->child, &v, why, cap) || !eval(a0->child->next, &w, why, cap)) {
			snprintf(why, cap, "expected pipe([R, W])");
			return false;
		}
		j->want_pipe[0] = (int)v;
		j->want_pipe[1] = (int)w;
		return true;
	case C_SPLICE: {
		int64_t len, fl;
		if (!fd_arg(s, a0, &j->a[0], why, cap) || !fd_arg(s, a2, &j->a[2], why, cap))
			return false;
		if (!buffer_arg(a1, &null, why, cap) || !null || !buffer_arg(a3, &null, why, cap) || !null) {
			snprintf(why, cap, "splice(): only NULL offsets");
			return false;
		}
		if (!eval(a4, &len, why, cap) || !eval(a5, &fl, why, cap))
			return false;
		j->a[4] = (long)len;
		j->a[5] = (long)fl;
		return true;
	}
	case C_OPEN:
		if (a0 == NULL || a0->kind != SCRIPT_EXPR_STRING || strlen(a0->text) >= sizeof j->path) {
			snprintf(why, cap, "open(): expected a \"path\"");
			return false;
		}
		snprintf(j->path, sizeof j->path, "%s", a0->text);
		if (!eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		if (a2 && !eval(a2, &v, why, cap))
			return false;
		j->a[2] = a2 ? (long)v : 0;
		return true;
	case C_SENDFILE: {
		/* sendfile(out, in, [offset], count) */
		int64_t off, n;
		if (!fd_arg(s, a1, &j->a[1], why, cap) || !bracketed(a2, &off, why, cap) || !eval(a3, &n, why, cap))
			return false;
		j->off = (off_t)off;
		j->a[3] = (long)n;
		return true;
	}
	case C_COUNT:
		break;
	}
	return false;
}

/* ---- the call thread ------------------------------------------------------------ */

static long make_call(struct job *j)
{
	long *a = j->a;
	int fd = (int)a[0];
	switch (j->call) {
	case C_SOCKET:
		return socket((int)a[0], (int)a[1], (int)a[2]);
	case C_BIND:
		return bind(fd, (struct sockaddr *)&j->sa, j->salen);
	case C_LISTEN:
		return listen(fd, (int)a[1]);
	case C_ACCEPT:
		return accept(fd, (struct sockaddr *)&j->sa, &j->salen);
	case C_CONNECT:
		return connect(fd, (struct sockaddr *)&j->sa, j->salen);
	case C_READ:
		return read(fd, (void *)a[1], (size_t)a[2]);
	case C_READV:
		return readv(fd, j->iov, (int)a[2]);
	case C_RECV:
		return recv(fd, (void *)a[1], (size_t)a[2], (int)a[3]);
	case C_RECVFROM:
		return recvfrom(fd, (void *)a[1], (size_t)a[2], (int)a[3], (struct sockaddr *)&j->sa, &j->salen);
	case C_RECVMSG:
		return recvmsg(fd, &j->msg, (int)a[2]);
	case C_WRITE:
		return write(fd, (void *)a[1], (size_t)a[2]);
	case C_WRITEV:
		return writev(fd, j->iov, (int)a[2]);
	case C_SEND:
		return send(fd, (void *)a[1], (size_t)a[2], (int)a[3]);
	case C_SENDTO:
		return sendto(fd, (void *)a[1], (size_t)a[2], (int)a[3], (struct sockaddr *)&j->sa, j->salen);
	case C_SENDMSG:
		return sendmsg(fd, &j->msg, (int)a[2]);
	case C_FCNTL:
		return fcntl(fd, (int)a[1], a[2]);
	case C_IOCTL:
		return ioctl(fd, (unsigned long)a[1], (void *)a[2]);
	case C_CLOSE:
		return close(fd);
	case C_SHUTDOWN:
		return shutdown(fd, (int)a[1]);
	case C_GETSOCKOPT:
		return getsockopt(fd, (int)a[1], (int)a[2], (void *)a[3], (socklen_t *)a[4]);
	case C_SETSOCKOPT:
		return setsockopt(fd, (int)a[1], (int)a[2], (void *)a[3], (socklen_t)a[4]);
	case C_POLL:
		return poll(j->pfd, (nfds_t)a[1], (int)a[2]);
	case C_EPOLL_CREATE:
#ifdef SYS_epoll_create
		return syscall(SYS_epoll_create, (int)a[0]);
#else
		if ((int)a[0] <= 0) {
			errno = EINVAL;
			return -1;
		}
		return epoll_create1(0);
#endif
	case C_EPOLL_CTL:
		return epoll_ctl(fd, (int)a[1], (int)a[2], &j->ev[0]);
	case C_EPOLL_WAIT:
		return epoll_wait(fd, j->ev, (int)a[2], (int)a[3]);
	case C_PIPE:
		return pipe(j->pipefd);
	case C_SPLICE:
		return splice(fd, NULL, (int)a[2], NULL, (size_t)a[4], (unsigned)a[5]);
	case C_OPEN:
		return open(j->path, (int)a[1], (mode_t)a[2]);
	case C_SENDFILE:
		return sendfile(fd, (int)a[1], &j->off, (size_t)a[3]);
	case C_COUNT:
		break;
	}
	errno = ENOSYS;
	return -1;
}

static void *call_thread(void *arg)
{
	struct tap_sys *s = arg;
	/* A write on a reset connection raises SIGPIPE at this thread:
	 * blocked, the call returns EPIPE (packetdrill ignores SIGPIPE). */
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	pthread_mutex_lock(&s->mu);
	s->tid = (pid_t)syscall(SYS_gettid);
	if (setns(s->ns_fd, CLONE_NEWNET) < 0)
		s->setns_err = errno;
	pthread_cond_broadcast(&s->cv);
	for (;;) {
		while (s->phase != P_QUEUED && s->phase != P_EXIT)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->phase == P_EXIT)
			break;
		s->phase = P_RUNNING;
		pthread_mutex_unlock(&s->mu);
		errno = 0;
		long r = make_call(&s->job);
		int e = errno;
		uint64_t t = mono_ns() - s->t0;
		pthread_mutex_lock(&s->mu);
		s->job.ret = r;
		s->job.err = r < 0 ? e : 0;
		s->job.t_end = t;
		s->phase = P_DONE;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct tap_sys *tap_sys_new(int ns_fd, uint64_t t0, char err[DUT_ERR_LEN])
{
	struct tap_sys *s = calloc(1, sizeof *s);
	if (s == NULL) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: out of memory");
		return NULL;
	}
	s->ns_fd = ns_fd;
	s->t0 = t0;
	s->under_test = -1;
	s->tid = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	int rc = pthread_create(&s->thread, NULL, call_thread, s);
	if (rc != 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: cannot start the system-call thread: %s", strerror(rc));
		free(s);
		return NULL;
	}
	s->thread_up = true;
	pthread_mutex_lock(&s->mu);
	while (s->tid < 0)
		pthread_cond_wait(&s->cv, &s->mu);
	int e = s->setns_err;
	pthread_mutex_unlock(&s->mu);
	if (e != 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: the system-call thread cannot enter the namespace: %s",
			 strerror(e));
		tap_sys_free(s);
		return NULL;
	}
	return s;
}

void tap_sys_free(struct tap_sys *s)
{
	if (s == NULL)
		return;
	/* shutdown() wakes a call blocked on a socket (close() alone does
	 * not, from another thread); one blocked elsewhere is cancelled. */
	for (int i = 0; i < s->n_map; i++)
		if (!s->map_closed[i])
			(void)shutdown(s->map_live[i], SHUT_RDWR);
	for (int i = 0; i < s->n_map; i++)
		if (!s->map_closed[i])
			close(s->map_live[i]);
	s->n_map = 0;
	if (s->thread_up) {
		pthread_mutex_lock(&s->mu);
		bool busy = s->phase == P_RUNNING || s->phase == P_QUEUED;
		s->phase = busy ? s->phase : P_EXIT;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		if (busy) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_mutex_lock(&s->mu);
			while (s->phase != P_DONE)
				if (pthread_cond_timedwait(&s->cv, &s->mu, &until) != 0)
					break;
			bool done = s->phase == P_DONE;
			s->phase = P_EXIT;
			pthread_cond_broadcast(&s->cv);
			pthread_mutex_unlock(&s->mu);
			if (!done)
				pthread_cancel(s->thread);
		}
		pthread_join(s->thread, NULL);
	}
	free(s->job.buf);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

const char *tap_sys_check(const struct script_syscall *sc, const struct dut_syscall_ctx *ctx, char *buf,
			  size_t cap)
{
	static _Thread_local struct job j;
	char why[200];
	memset(&j, 0, sizeof j);
	cur_options = ctx ? ctx->options : NULL;
	bool ok = prepare(NULL, &j, sc, NULL, why, sizeof why);
	free(j.buf);
	if (ok)
		return NULL;
	snprintf(buf, cap, "%s(): %s", sc->name, why);
	return buf;
}

int tap_sys_start(struct tap_sys *s, const struct script_syscall *sc, const struct dut_syscall_ctx *ctx,
		  char err[DUT_ERR_LEN])
{
	char why[200];
	free(s->job.buf);
	memset(&s->job, 0, sizeof s->job);
	cur_options = ctx ? ctx->options : NULL;
	s->script_error = false;
	if (!prepare(s, &s->job, sc, ctx, why, sizeof why)) {
		snprintf(err, DUT_ERR_LEN, "%s(): %s", sc->name, why);
		free(s->job.buf);
		s->job.buf = NULL;
		return s->script_error ? -2 : -1;
	}
	pthread_mutex_lock(&s->mu);
	s->phase = P_QUEUED;
	s->have_job = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* Whether the thread sleeps in the kernel: state 'S' (or 'D') in
 * /proc/self/task/TID/stat, the field after the parenthesised name. */
static bool thread_sleeping(pid_t tid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return false;
	bool got = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	const char *p = got ? strrchr(line, ')') : NULL;
	return p && (p[2] == 'S' || p[2] == 'D');
}

int tap_sys_state(struct tap_sys *s, uint64_t *t_end)
{
	pthread_mutex_lock(&s->mu);
	enum phase ph = s->phase;
	*t_end = s->job.t_end;
	pthread_mutex_unlock(&s->mu);
	if (ph == P_DONE)
		return DUT_SYS_DONE;
	if (ph == P_RUNNING && thread_sleeping(s->tid)) {
		/* Asleep in the call, unless it finished meanwhile. */
		pthread_mutex_lock(&s->mu);
		ph = s->phase;
		*t_end = s->job.t_end;
		pthread_mutex_unlock(&s->mu);
		return ph == P_DONE ? DUT_SYS_DONE : DUT_SYS_BLOCKED;
	}
	return DUT_SYS_RUNNING;
}

static void describe_ret(const struct job *j, char *buf, size_t cap)
{
	if (j->ret < 0)
		snprintf(buf, cap, "%ld %s (%s)", j->ret, tap_errno_name(j->err), strerror(j->err));
	else
		snprintf(buf, cap, "%ld", j->ret);
}

/* The result and errno, as packetdrill's end_syscall(): for calls that
 * return an fd, any fd when the script expects one. */
static int check_result(struct tap_sys *s, const struct job *j, char *msg, size_t cap)
{
	const struct script_syscall *sc = j->sc;
	int64_t want;
	char why[160], got[160];
	if (is_ellipsis(sc->result))
		return 0;
	if (!eval(sc->result, &want, why, sizeof why)) {
		snprintf(msg, cap, "%s(): the expected result: %s", sc->name, why);
		return -1;
	}
	bool returns_fd = j->call == C_SOCKET || j->call == C_ACCEPT || j->call == C_OPEN ||
			  j->call == C_EPOLL_CREATE;
	describe_ret(j, got, sizeof got);
	if (returns_fd && want >= 0) {
		if (j->ret < 0) {
			snprintf(msg, cap, "%s(): expected a non-negative result but got %s", sc->name, got);
			return 1;
		}
	} else if (j->ret != want) {
		snprintf(msg, cap, "%s(): expected result %lld but got %s", sc->name, (long long)want, got);
		return 1;
	}
	if (sc->errno_name != NULL) {
		int e = 0;
		if (!tap_errno(sc->errno_name, &e)) {
			snprintf(msg, cap, "%s(): errno %s is not defined on this machine", sc->name, sc->errno_name);
			return -1;
		}
		if (j->err != e) {
			snprintf(msg, cap, "%s(): expected errno %s (%s) but got %s", sc->name, sc->errno_name,
				 strerror(e), j->err ? tap_errno_name(j->err) : "none");
			return 1;
		}
	}
	(void)s;
	return 0;
}

int tap_sys_finish(struct tap_sys *s, char *msg, size_t cap)
{
	struct job *j = &s->job;
	pthread_mutex_lock(&s->mu);
	bool done = s->phase == P_DONE;
	if (done)
		s->phase = P_IDLE;
	pthread_mutex_unlock(&s->mu);
	if (!done || !s->have_job) {
		snprintf(msg, cap, "no finished system call");
		return -1;
	}
	s->have_job = false;
	const char *name = j->sc->name;
	int64_t want = -1;
	char why[160];
	/* Keep the fd map whatever the verdict: later cleanup closes them. */
	if (j->ret >= 0) {
		bool numbered = eval(j->sc->result, &want, why, sizeof why) && want >= 0;
		switch ((int)j->call) { /* int: only the calls that touch the map */
		case C_SOCKET:
		case C_ACCEPT:
		case C_OPEN:
		case C_EPOLL_CREATE:
			map_add(s, numbered ? (int)want : 1000 + (int)j->ret, (int)j->ret);
			if (j->call == C_SOCKET || j->call == C_ACCEPT)
				s->under_test = (int)j->ret;
			break;
		case C_PIPE:
			map_add(s, j->want_pipe[0], j->pipefd[0]);
			map_add(s, j->want_pipe[1], j->pipefd[1]);
			break;
		case C_CLOSE:
			if (s->under_test == live_of(s, j->script_fd))
				s->under_test = -1;
			map_close(s, j->script_fd);
			break;
		default:
			break;
		}
	}
	int rc = check_result(s, j, msg, cap);
	if (rc != 0 || j->ret < 0)
		return rc;
	switch ((int)j->call) { /* int: only the calls with out arguments */
	case C_GETSOCKOPT:
		if (j->check_optlen && j->optlen != j->want_optlen) {
			snprintf(msg, cap, "getsockopt(): expected optlen %u but got %u", (unsigned)j->want_optlen,
				 (unsigned)j->optlen);
			return 1;
		}
		if (j->check_int) {
			int got;
			memcpy(&got, j->optbuf, sizeof got);
			if (got != j->want_int) {
				snprintf(msg, cap, "getsockopt(): expected value %d but got %d", j->want_int, got);
				return 1;
			}
		}
		if (j->check_linger) {
			struct linger got;
			memcpy(&got, j->optbuf, sizeof got);
			if (got.l_onoff != j->want_lg.l_onoff || got.l_linger != j->want_lg.l_linger) {
				snprintf(msg, cap, "getsockopt(): expected {l_onoff=%d, l_linger=%d} but got "
					 "{l_onoff=%d, l_linger=%d}", j->want_lg.l_onoff, j->want_lg.l_linger,
					 got.l_onoff, got.l_linger);
				return 1;
			}
		}
		if (j->check_str && (j->optlen != j->want_strlen || memcmp(j->optbuf, j->want_str, j->want_strlen))) {
			snprintf(msg, cap, "getsockopt(): expected \"%s\" but got \"%.*s\"", j->want_str,
				 (int)j->optlen, j->optbuf);
			return 1;
		}
		break;
	case C_IOCTL:
		if (j->check_int && j->optint != j->want_int) {
			snprintf(msg, cap, "ioctl(): expected value %d but got %d", j->want_int, j->optint);
			return 1;
		}
		break;
	case C_POLL:
		for (int i = 0; i < (int)j->a[1] && i < MAX_VEC; i++)
			if (j->pfd[i].revents != j->want_revents[i]) {
				snprintf(msg, cap, "poll(): expected revents 0x%x but got 0x%x for pollfd %d",
					 (unsigned)(unsigned short)j->want_revents[i],
					 (unsigned)(unsigned short)j->pfd[i].revents, i);
				return 1;
			}
		break;
	case C_EPOLL_WAIT:
		if (j->ret >= 1 && j->check_ev) {
			if (j->ev[0].events != j->want_events) {
				snprintf(msg, cap, "epoll_wait(): expected events 0x%x but got 0x%x", j->want_events,
					 j->ev[0].events);
				return 1;
			}
			if (j->want_fd_given && script_of(s, j->ev[0].data.fd) != j->want_fd) {
				snprintf(msg, cap, "epoll_wait(): expected fd %d but got fd %d", j->want_fd,
					 script_of(s, j->ev[0].data.fd));
				return 1;
			}
		}
		break;
	case C_RECVMSG:
		if (j->check_cmsg) {
			int i = 0;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&j->msg); c; c = CMSG_NXTHDR(&j->msg, c), i++) {
				int v = 0;
				if (i < j->n_cmsg && j->cm_ee[i]) {
					struct sock_extended_err ee;
					memset(&ee, 0, sizeof ee);
					if (c->cmsg_len >= CMSG_LEN(sizeof ee))
						memcpy(&ee, CMSG_DATA(c), sizeof ee);
					uint32_t got[6] = {ee.ee_errno, ee.ee_origin, ee.ee_type,
							   ee.ee_code, ee.ee_info, ee.ee_data};
					static const char *const EE[6] = {"ee_errno", "ee_origin", "ee_type",
									  "ee_code", "ee_info", "ee_data"};
					if (c->cmsg_level != j->cm_level[i] || c->cmsg_type != j->cm_type[i]) {
						snprintf(msg, cap, "recvmsg(): control message %d: expected level %d type %d "
							 "but got level %d type %d", i, j->cm_level[i], j->cm_type[i],
							 c->cmsg_level, c->cmsg_type);
						return 1;
					}
					for (int k = 0; k < 6; k++)
						if (got[k] != j->cm_eev[i][k]) {
							snprintf(msg, cap, "recvmsg(): control message %d: expected %s %u but got %u",
								 i, EE[k], j->cm_eev[i][k], got[k]);
							return 1;
						}
					continue;
				}
				if (c->cmsg_len >= CMSG_LEN(sizeof v))
					memcpy(&v, CMSG_DATA(c), sizeof v);
				if (i >= j->n_cmsg || c->cmsg_level != j->cm_level[i] || c->cmsg_type != j->cm_type[i] ||
				    v != j->cm_data[i]) {
					snprintf(msg, cap, "recvmsg(): control message %d: expected level %d type %d data %d "
						 "but got level %d type %d data %d", i, i < j->n_cmsg ? j->cm_level[i] : -1,
						 i < j->n_cmsg ? j->cm_type[i] : -1, i < j->n_cmsg ? j->cm_data[i] : -1,
						 c->cmsg_level, c->cmsg_type, v);
					return 1;
				}
			}
			if (i != j->n_cmsg) {
				snprintf(msg, cap, "recvmsg(): expected %d control message(s) but got %d", j->n_cmsg, i);
				return 1;
			}
		}
		if (j->check_msg_flags && j->msg.msg_flags != j->want_msg_flags) {
			snprintf(msg, cap, "recvmsg(): expected msg_flags 0x%x but got 0x%x", (unsigned)j->want_msg_flags,
				 (unsigned)j->msg.msg_flags);
			return 1;
		}
		break;
	default:
		break;
	}
	(void)name;
	return 0;
}

int tap_sys_under_test(const struct tap_sys *s)
{
	return s->under_test;
}

void tap_sys_set_t0(struct tap_sys *s, uint64_t t0)
{
	pthread_mutex_lock(&s->mu);
	s->t0 = t0;
	pthread_mutex_unlock(&s->mu);
}
