/*
 * tap_syscall_priv.h - what the parts of the tap DUT's real system calls
 * share: tap_syscall_args.c turns a script's call into a job (arguments
 * evaluated, fds mapped, buffers made, the expected out-arguments kept),
 * tap_syscall.c runs jobs on the call thread and checks their outcome.
 */
#ifndef CONFORMANCE_TAP_SYSCALL_PRIV_H
#define CONFORMANCE_TAP_SYSCALL_PRIV_H

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "script.h"
#include "tap_syscall.h"

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
	/* struct scm_timestamping: ts[0] in script time (ns), 0 = not compared,
	 * as packetdrill ignores a zero one; within cm_tol_ns of it. */
	bool cm_ts[MAX_VEC];
	int64_t cm_tsv[MAX_VEC];
	uint64_t cm_tol_ns;
	/* Aligned as a cmsghdr, without holding one: glibc's has a flexible
	 * array member, which may not sit in the middle of a struct. */
	struct {
		_Alignas(struct cmsghdr) char buf[1024];
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


/* tap_syscall_args.c */
/* The script's options while a call is prepared or checked (defines). */
extern _Thread_local const struct script_option *tap_cur_options;
bool tap_is_ellipsis(const struct script_expr *x);
/* An integer expression: numbers, constants, a|b, htons(), htonl(). */
bool tap_eval(const struct script_expr *x, int64_t *v, char *why, size_t cap);
/* The fd map: live fd of a script fd (-1 closed, -2 never opened), and back. */
int tap_live_of(const struct tap_sys *s, int64_t script_fd);
int tap_script_of(const struct tap_sys *s, int live_fd);
void tap_map_add(struct tap_sys *s, int script_fd, int live_fd);
void tap_map_close(struct tap_sys *s, int script_fd);
/* Fills j from the script's call; s NULL = the static check (no fds). */
bool tap_prepare(struct tap_sys *s, struct job *j, const struct script_syscall *sc, const struct dut_syscall_ctx *ctx,
		 char *why, size_t cap);

#endif /* CONFORMANCE_TAP_SYSCALL_PRIV_H */
