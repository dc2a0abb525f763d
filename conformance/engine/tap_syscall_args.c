/*
 * tap_syscall_args.c - a script's system call, in packetdrill's syntax,
 * made into a job for the call thread (tap_syscall.c): integers, symbolic
 * constants (tap_syscall_sym.c) and the script's defines joined with '|',
 * htons()/htonl(), `[N]` for an int passed by pointer, `...` for a buffer
 * of the call's count (zeros when written, as packetdrill's calloc'd
 * buffers) or for a sockaddr (bind: the DUT's address and the script's
 * port; connect, sendto: the peer's), `{l_onoff=1, l_linger=0}`,
 * `{tv_sec=.., tv_usec=..}`, "strings", iovecs `[{..., 1000}, ...]`,
 * msghdrs `{msg_name(...)=..., msg_iov(1)=[...], msg_control=[...],
 * msg_flags=0}`, pollfds `[{fd=4, events=POLLIN, revents=0}]`, epoll
 * events `{events=EPOLLIN, fd=4}` and pipes `[5, 6]`; and the script fds
 * mapped onto the live ones the kernel gave.
 */
#define _GNU_SOURCE
#include "tap_syscall_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- expressions ---------------------------------------------------------- */

static const struct script_expr *nth(const struct script_syscall *sc, size_t i)
{
	const struct script_expr *x = sc->args;
	while (x && i--)
		x = x->next;
	return x;
}

bool tap_is_ellipsis(const struct script_expr *x)
{
	return x && x->kind == SCRIPT_EXPR_ELLIPSIS;
}

/* The script's options while a call is prepared or checked (defines). */
_Thread_local const struct script_option *tap_cur_options;

/* A define's value: a number, or a constant's name. */
static bool define_value(const char *name, int64_t *v)
{
	for (const struct script_option *o = tap_cur_options; o; o = o->next) {
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
bool tap_eval(const struct script_expr *x, int64_t *v, char *why, size_t cap)
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
		if (!tap_eval(x->lhs, &l, why, cap) || !tap_eval(x->rhs, &r, why, cap))
			return false;
		*v = l | r;
		return true;
	case SCRIPT_EXPR_CALL:
		if (x->n_children == 1 && tap_eval(x->child, &l, why, cap)) {
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
		return tap_eval(x->child, v, why, cap);
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
int tap_live_of(const struct tap_sys *s, int64_t script_fd)
{
	for (int i = 0; i < s->n_map; i++)
		if (s->map_script[i] == script_fd)
			return s->map_live[i];
	return -2;
}

void tap_map_add(struct tap_sys *s, int script_fd, int live_fd)
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
void tap_map_close(struct tap_sys *s, int script_fd)
{
	for (int i = 0; i < s->n_map; i++)
		if (s->map_script[i] == script_fd) {
			s->map_closed[i] = true;
			s->map_live[i] = -1;
			return;
		}
}

int tap_script_of(const struct tap_sys *s, int live_fd)
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
	if (!tap_eval(x, &v, why, cap))
		return false;
	int live = s ? tap_live_of(s, v) : 0;
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

/* The sockaddr a `...` stands for in this run (dut_syscall_ctx): IPv4,
 * or packetdrill's sockaddr_in6 in an IPv6 run (its address) or a
 * v4-mapped one (::ffff:a.b.c.d, RFC 4291 2.5.5.2). */
static void fill_sa(struct job *j, const struct dut_syscall_ctx *ctx, bool bind, uint16_t port)
{
	uint32_t ip = bind ? ctx->bind_ip : ctx->connect_ip;
	if (ctx->ip_version != DUT_IP_V6 && ctx->ip_version != DUT_IP_MAPPED) {
		fill_sin(j, ip, port);
		return;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&j->sa;
	memset(&j->sa, 0, sizeof j->sa);
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	if (ctx->ip_version == DUT_IP_V6) {
		memcpy(&s6->sin6_addr, bind ? ctx->bind_ip6 : ctx->connect_ip6, 16);
	} else {
		s6->sin6_addr.s6_addr[10] = 0xff;
		s6->sin6_addr.s6_addr[11] = 0xff;
		uint32_t n = htonl(ip);
		memcpy(&s6->sin6_addr.s6_addr[12], &n, 4);
	}
	j->salen = sizeof *s6;
}

/* `...`, or {sa_family=AF_INET, sin_port=htons(P), sin_addr=inet_addr("A")}:
 * packetdrill's one form, whose family may be AF_INET6 with an IPv6
 * address in inet_addr() (its parser.y: a sockaddr_in6). */
static bool sockaddr_arg(struct job *j, const struct script_expr *x, const struct dut_syscall_ctx *ctx, bool bind,
			 char *why, size_t cap)
{
	uint16_t port = bind ? ctx->bind_port : ctx->connect_port;
	if (tap_is_ellipsis(x)) {
		fill_sa(j, ctx, bind, port);
		return true;
	}
	if (x && x->kind == SCRIPT_EXPR_STRUCT) {
		const struct script_expr *p = member(x, "sin_port"), *a = member(x, "sin_addr");
		const struct script_expr *f = member(x, "sa_family");
		int64_t v = htons(port), fam = AF_INET;
		if ((p && !tap_eval(p, &v, why, cap)) || (f && !tap_eval(f, &fam, why, cap)))
			return false;
		bool six = fam == AF_INET6;
		if (six) {
			struct dut_syscall_ctx c6 = *ctx;
			c6.ip_version = DUT_IP_V6;
			fill_sa(j, &c6, bind, 0);
			((struct sockaddr_in6 *)&j->sa)->sin6_port = (in_port_t)v;
		} else {
			fill_sin(j, bind ? ctx->bind_ip : ctx->connect_ip, 0);
			((struct sockaddr_in *)&j->sa)->sin_port = (in_port_t)v;
		}
		if (a && a->kind == SCRIPT_EXPR_CALL && strcmp(a->text, "inet_addr") == 0 && a->child &&
		    a->child->kind == SCRIPT_EXPR_STRING) {
			void *dst = six ? (void *)&((struct sockaddr_in6 *)&j->sa)->sin6_addr
					: (void *)&((struct sockaddr_in *)&j->sa)->sin_addr;
			if (inet_pton(six ? AF_INET6 : AF_INET, a->child->text, dst) != 1) {
				snprintf(why, cap, "inet_addr(\"%s\") is not an %s address", a->child->text,
					 six ? "IPv6" : "IPv4");
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
	if (tap_is_ellipsis(x) || *null)
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
		if (!tap_eval(l, &len[n], why, cap) || len[n] < 0)
			return false;
		total += len[n];
	}
	/* Each entry its own stretch with a gap after it, as packetdrill
	 * allocates each one apart (its iovec_new): contiguous entries would
	 * let MSG_ZEROCOPY's pinned pages merge into one frag, where apart
	 * each one is a frag of its own (zerocopy/maxfrags counts them). */
	enum { IOV_GAP = 16 };
	if (!alloc_buf(j, total + (int64_t)n * IOV_GAP, why, cap))
		return false;
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		j->iov[i].iov_base = (char *)j->buf + off;
		j->iov[i].iov_len = (size_t)len[i];
		off += (size_t)len[i] + IOV_GAP;
	}
	j->iovcnt = n;
	return true;
}

/* recvmsg's expected control messages: [{cmsg_level=L, cmsg_type=T,
 * cmsg_data=N}, ...] with an int payload each (TCP_CM_INQ, ...), a
 * struct sock_extended_err {ee_errno=...} or a struct scm_timestamping
 * {scm_sec=S,scm_nsec=N} (its first timestamp, the software one, in the
 * script's time). */
static bool cmsg_expect(struct job *j, const struct script_expr *x, const struct dut_syscall_ctx *ctx, char *why,
			size_t cap)
{
	j->cm_tol_ns = ctx ? ctx->tolerance_ns : 0;
	if (x == NULL || x->kind != SCRIPT_EXPR_LIST || x->n_children > MAX_VEC) {
		snprintf(why, cap, "expected msg_control=[{cmsg_level=..., cmsg_type=..., cmsg_data=...}]");
		return false;
	}
	j->n_cmsg = 0;
	for (const struct script_expr *c = x->child; c; c = c->next) {
		int64_t l, t, d;
		const struct script_expr *data = member(c, "cmsg_data");
		if (!tap_eval(member(c, "cmsg_level"), &l, why, cap) || !tap_eval(member(c, "cmsg_type"), &t, why, cap))
			return false;
		j->cm_ee[j->n_cmsg] = false;
		j->cm_ts[j->n_cmsg] = false;
		if (data && data->kind == SCRIPT_EXPR_STRUCT && member(data, "scm_sec")) {
			int64_t sec, nsec;
			if (!tap_eval(member(data, "scm_sec"), &sec, why, cap) ||
			    !tap_eval(member(data, "scm_nsec"), &nsec, why, cap))
				return false;
			if (sec < 0 || sec > 1000000 || nsec < 0 || nsec >= 1000000000) {
				snprintf(why, cap, "scm_timestamping {scm_sec=%" PRId64 ",scm_nsec=%" PRId64
					 "}: not a time of the script", sec, nsec);
				return false;
			}
			j->cm_tsv[j->n_cmsg] = sec * 1000000000 + nsec;
			j->cm_ts[j->n_cmsg] = true;
			d = 0;
		} else if (data && data->kind == SCRIPT_EXPR_STRUCT && member(data, "ee_errno")) {
			/* struct sock_extended_err (MSG_ERRQUEUE: zerocopy, errors) */
			static const char *const EE[6] = {"ee_errno", "ee_origin", "ee_type",
							  "ee_code", "ee_info", "ee_data"};
			for (int k = 0; k < 6; k++) {
				int64_t f;
				if (!tap_eval(member(data, EE[k]), &f, why, cap))
					return false;
				j->cm_eev[j->n_cmsg][k] = (uint32_t)f;
			}
			j->cm_ee[j->n_cmsg] = true;
			d = 0;
		} else if (data == NULL || data->kind == SCRIPT_EXPR_STRUCT || data->kind == SCRIPT_EXPR_LIST) {
			snprintf(why, cap, "control messages whose data is this kind of struct (cmsg_data={...}): "
				 "only int data, sock_extended_err and scm_timestamping are compared");
			return false;
		} else if (!tap_eval(data, &d, why, cap)) {
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
				fill_sa(j, ctx, false, ctx->connect_port);
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
			if (!tap_eval(c->rhs, &v, why, cap))
				return false;
			j->check_msg_flags = true;
			j->want_msg_flags = (int)v;
		} else if (strcmp(n, "msg_control") == 0 && !tap_is_ellipsis(c->rhs)) {
			if (j->call != C_RECVMSG) {
				snprintf(why, cap, "control messages sent with sendmsg()");
				return false;
			}
			if (!cmsg_expect(j, c->rhs, ctx, why, cap))
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
		if (!tap_eval(linger_part(v, true), &n, why, cap) || !tap_eval(linger_part(v, false), &l, why, cap))
			return false;
		j->lg.l_onoff = (int)n;
		j->lg.l_linger = (int)l;
		j->a[3] = (long)&j->lg;
		n = sizeof j->lg;
	} else if (v && v->kind == SCRIPT_EXPR_STRUCT && member(v, "tv_sec")) {
		if (!tap_eval(member(v, "tv_sec"), &n, why, cap) || !tap_eval(member(v, "tv_usec"), &l, why, cap))
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
	if (!tap_eval(len, &l, why, cap))
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
	if (tap_is_ellipsis(v))
		return true;
	if (v && v->kind == SCRIPT_EXPR_LIST) {
		if (!bracketed(v, &n, why, cap))
			return false;
		j->check_int = true;
		j->want_int = (int)n;
		return true;
	}
	if (v && v->kind == SCRIPT_EXPR_STRUCT && linger_part(v, true)) {
		if (!tap_eval(linger_part(v, true), &n, why, cap) || !tap_eval(linger_part(v, false), &l, why, cap))
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
	if (x == NULL || x->kind != SCRIPT_EXPR_STRUCT || !tap_eval(member(x, "events"), &v, why, cap)) {
		snprintf(why, cap, "expected an epoll event {events=..., fd=N}");
		return false;
	}
	memset(j->ev, 0, sizeof j->ev);
	j->ev[0].events = (uint32_t)v;
	j->want_events = (uint32_t)v;
	j->check_ev = true;
	const struct script_expr *d;
	if ((d = member(x, "fd")) != NULL) {
		if (!tap_eval(d, &v, why, cap))
			return false;
		j->want_fd_given = true;
		j->want_fd = (int)v;
		int live = s ? tap_live_of(s, v) : 0;
		if (s && live == -2 && !wait) {
			s->script_error = true;
			snprintf(why, cap, "epoll event fd %lld is not one the script opened", (long long)v);
			return false;
		}
		j->ev[0].data.fd = live;
	} else if ((d = member(x, "ptr")) != NULL || (d = member(x, "u64")) != NULL) {
		if (!tap_eval(d, &v, why, cap))
			return false;
		j->ev[0].data.u64 = (uint64_t)v;
	} else if ((d = member(x, "u32")) != NULL) {
		if (!tap_eval(d, &v, why, cap))
			return false;
		j->ev[0].data.u32 = (uint32_t)v;
	} else {
		snprintf(why, cap, "an epoll event without fd=, ptr=, u32= or u64=");
		return false;
	}
	return true;
}

/* Fills j from the script's call; s NULL = the static check (no fds). */
bool tap_prepare(struct tap_sys *s, struct job *j, const struct script_syscall *sc,
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
		if (!tap_eval(a0, &v, why, cap))
			return false;
		j->script_fd = (int)v;
		if (!fd_arg(s, a0, &j->a[0], why, cap))
			return false;
	}
	switch (j->call) {
	case C_SOCKET:
		/* socket(..., ...): the run's address family, AF_INET6 in IPv6
		 * and v4-mapped runs (packetdrill's config socket_domain). */
		v = ctx->ip_version == DUT_IP_V6 || ctx->ip_version == DUT_IP_MAPPED ? AF_INET6 : AF_INET;
		if ((!tap_is_ellipsis(a0) && !tap_eval(a0, &v, why, cap)) || !tap_eval(a1, &w, why, cap))
			return false;
		j->a[0] = (long)v;
		j->a[1] = (long)w;
		if (!tap_eval(a2, &v, why, cap))
			return false;
		j->a[2] = (long)v;
		return true;
	case C_BIND:
		if (!sockaddr_arg(j, a1, ctx, true, why, cap))
			return false;
		return tap_is_ellipsis(a2) || tap_eval(a2, &v, why, cap);
	case C_CONNECT:
		if (a1 && a1->kind != SCRIPT_EXPR_ELLIPSIS && a1->kind != SCRIPT_EXPR_STRUCT) {
			/* connect(fd, AF_UNSPEC, ...): disconnect. */
			if (!tap_eval(a1, &v, why, cap))
				return false;
			memset(&j->sa, 0, sizeof j->sa);
			j->sa.ss_family = (sa_family_t)v;
			j->salen = sizeof(struct sockaddr_in);
			return true;
		}
		return sockaddr_arg(j, a1, ctx, false, why, cap);
	case C_LISTEN:
		if (!tap_eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		return true;
	case C_ACCEPT:
		j->salen = sizeof j->sa;
		return true;
	case C_READ:
	case C_WRITE:
		if (!buffer_arg(a1, &null, why, cap) || !tap_eval(a2, &v, why, cap) || !alloc_buf(j, v, why, cap))
			return false;
		j->a[1] = null ? 0 : (long)j->buf;
		j->a[2] = (long)v;
		return true;
	case C_RECV:
	case C_SEND:
	case C_RECVFROM:
	case C_SENDTO:
		if (!buffer_arg(a1, &null, why, cap) || !tap_eval(a2, &v, why, cap) || !alloc_buf(j, v, why, cap) ||
		    !tap_eval(a3, &w, why, cap))
			return false;
		j->a[1] = null ? 0 : (long)j->buf;
		j->a[2] = (long)v;
		j->a[3] = (long)w;
		if (j->call == C_SENDTO) {
			if (a4 && (a4->kind == SCRIPT_EXPR_WORD || a4->kind == SCRIPT_EXPR_INT)) {
				/* sendto(..., AF_UNSPEC, ...): an address of that family. */
				if (!tap_eval(a4, &v, why, cap))
					return false;
				memset(&j->sa, 0, sizeof j->sa);
				j->sa.ss_family = (sa_family_t)v;
				j->salen = sizeof(struct sockaddr_in);
				return true;
			}
			if (!sockaddr_arg(j, a4, ctx, false, why, cap))
				return false;
			return tap_is_ellipsis(a5) || tap_eval(a5, &v, why, cap);
		}
		if (j->call == C_RECVFROM)
			j->salen = sizeof j->sa;
		return true;
	case C_READV:
	case C_WRITEV:
		if (!iovec_arg(j, a1, why, cap) || !tap_eval(a2, &v, why, cap))
			return false;
		j->a[2] = (long)v;
		return true;
	case C_RECVMSG:
	case C_SENDMSG:
		if (!tap_eval(a2, &v, why, cap))
			return false;
		j->a[2] = (long)v;
		return msghdr_arg(j, a1, (v & MSG_FASTOPEN) != 0, ctx, why, cap);
	case C_FCNTL:
		if (!tap_eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		if (a2 && !tap_eval(a2, &v, why, cap))
			return false;
		j->a[2] = a2 ? (long)v : 0;
		return true;
	case C_IOCTL:
		if (!tap_eval(a1, &v, why, cap))
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
		if (!tap_eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		return true;
	case C_GETSOCKOPT:
	case C_SETSOCKOPT:
		if (!tap_eval(a1, &v, why, cap) || !tap_eval(a2, &w, why, cap))
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
			if (!tap_eval(member(p, "fd"), &fd, why, cap) || !tap_eval(member(p, "events"), &ev, why, cap) ||
			    !tap_eval(member(p, "revents"), &rev, why, cap))
				return false;
			int live = s ? tap_live_of(s, fd) : 0;
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
		if (!tap_eval(a1, &v, why, cap) || !tap_eval(a2, &w, why, cap))
			return false;
		j->a[1] = (long)v;
		j->a[2] = (long)w;
		return true;
	}
	case C_EPOLL_CREATE:
		if (!tap_eval(a0, &v, why, cap))
			return false;
		j->a[0] = (long)v;
		return true;
	case C_EPOLL_CTL:
		if (!tap_eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		if (!fd_arg(s, a2, &j->a[2], why, cap))
			return false;
		if (!epoll_event_arg(s, j, a3, false, why, cap))
			return false;
		j->check_ev = false;
		return true;
	case C_EPOLL_WAIT:
		if (!epoll_event_arg(s, j, a1, true, why, cap) || !tap_eval(a2, &v, why, cap) || !tap_eval(a3, &w, why, cap))
			return false;
		if (v < 0 || v > MAX_VEC)
			v = MAX_VEC;
		j->a[2] = (long)v;
		j->a[3] = (long)w;
		return true;
	case C_PIPE:
		if (a0 == NULL || a0->kind != SCRIPT_EXPR_LIST || a0->n_children != 2 ||
		    !tap_eval(a0->child, &v, why, cap) || !tap_eval(a0->child->next, &w, why, cap)) {
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
		if (!tap_eval(a4, &len, why, cap) || !tap_eval(a5, &fl, why, cap))
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
		if (!tap_eval(a1, &v, why, cap))
			return false;
		j->a[1] = (long)v;
		if (a2 && !tap_eval(a2, &v, why, cap))
			return false;
		j->a[2] = a2 ? (long)v : 0;
		return true;
	case C_SENDFILE: {
		/* sendfile(out, in, [offset], count) */
		int64_t off, n;
		if (!fd_arg(s, a1, &j->a[1], why, cap) || !bracketed(a2, &off, why, cap) || !tap_eval(a3, &n, why, cap))
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
