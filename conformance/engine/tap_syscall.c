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
 * The arguments' syntax and the fd map: tap_syscall_args.c.
 *
 * Script fds are the script's numbers; a live fd the kernel returns is
 * kept against the number the script expected (socket, accept, open,
 * epoll_create, pipe), so a script's `3` is whatever the kernel gave.
 */
#define _GNU_SOURCE
#include "tap_syscall_priv.h"

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

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
	tap_cur_options = ctx ? ctx->options : NULL;
	bool ok = tap_prepare(NULL, &j, sc, NULL, why, sizeof why);
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
	tap_cur_options = ctx ? ctx->options : NULL;
	s->script_error = false;
	if (!tap_prepare(s, &s->job, sc, ctx, why, sizeof why)) {
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
	if (tap_is_ellipsis(sc->result))
		return 0;
	if (!tap_eval(sc->result, &want, why, sizeof why)) {
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

/* A struct scm_timestamping control message, compared as packetdrill
 * does (run_system_call.c): its software timestamp (ts[0], CLOCK_REALTIME)
 * must lie within the run's tolerance of the script's time, counted from
 * the script's time 0 (the DUT clock's 0); an expected 0 is not compared.
 * The kernel's timestamp is put onto the DUT clock through the offset
 * between CLOCK_REALTIME and CLOCK_MONOTONIC taken now. */
static bool scm_timestamping_ok(const struct tap_sys *s, const struct job *j, int i, const struct cmsghdr *c,
				char *msg, size_t cap)
{
	struct scm_timestamping got;
	if (c->cmsg_level != j->cm_level[i] || c->cmsg_type != j->cm_type[i] ||
	    c->cmsg_len != CMSG_LEN(sizeof got)) {
		snprintf(msg, cap, "recvmsg(): control message %d: expected level %d type %d len %zu (scm_timestamping) "
			 "but got level %d type %d len %zu", i, j->cm_level[i], j->cm_type[i],
			 (size_t)CMSG_LEN(sizeof got), c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
		return false;
	}
	if (j->cm_tsv[i] == 0)
		return true;
	memcpy(&got, CMSG_DATA(c), sizeof got);
	struct timespec rt, mt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	int64_t real_minus_mono = ((int64_t)rt.tv_sec - (int64_t)mt.tv_sec) * 1000000000 + (rt.tv_nsec - mt.tv_nsec);
	int64_t at = (int64_t)got.ts[0].tv_sec * 1000000000 + got.ts[0].tv_nsec - real_minus_mono - (int64_t)s->t0;
	int64_t off = at - j->cm_tsv[i];
	if (off < -(int64_t)j->cm_tol_ns || off > (int64_t)j->cm_tol_ns) {
		snprintf(msg, cap, "recvmsg(): control message %d: expected scm_timestamping at %.6f s but got %.6f s "
			 "(off by %.6f s, tolerance %.6f s)", i, (double)j->cm_tsv[i] / 1e9, (double)at / 1e9,
			 (double)off / 1e9, (double)j->cm_tol_ns / 1e9);
		return false;
	}
	return true;
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
		bool numbered = tap_eval(j->sc->result, &want, why, sizeof why) && want >= 0;
		switch ((int)j->call) { /* int: only the calls that touch the map */
		case C_SOCKET:
		case C_ACCEPT:
		case C_OPEN:
		case C_EPOLL_CREATE:
			tap_map_add(s, numbered ? (int)want : 1000 + (int)j->ret, (int)j->ret);
			if (j->call == C_SOCKET || j->call == C_ACCEPT)
				s->under_test = (int)j->ret;
			break;
		case C_PIPE:
			tap_map_add(s, j->want_pipe[0], j->pipefd[0]);
			tap_map_add(s, j->want_pipe[1], j->pipefd[1]);
			break;
		case C_CLOSE:
			if (s->under_test == tap_live_of(s, j->script_fd))
				s->under_test = -1;
			tap_map_close(s, j->script_fd);
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
			if (j->want_fd_given && tap_script_of(s, j->ev[0].data.fd) != j->want_fd) {
				snprintf(msg, cap, "epoll_wait(): expected fd %d but got fd %d", j->want_fd,
					 tap_script_of(s, j->ev[0].data.fd));
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
				if (i < j->n_cmsg && j->cm_ts[i]) {
					if (!scm_timestamping_ok(s, j, i, c, msg, cap))
						return 1;
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
