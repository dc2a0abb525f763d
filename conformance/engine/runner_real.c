/*
 * runner_real.c - a script's system calls, shell lines and %{ }% blocks
 * run for real by an adapter with a kernel (dut.h syscall_*, shell,
 * tcp_info_vars; tap), the way packetdrill runs them (its run.c,
 * run_system_call.c, run_command.c, code.c):
 *
 *   a call without `...`   made at its time; the script waits for it to
 *                          return (packetdrill's main thread makes it), the
 *                          DUT still runs meanwhile (its segments are
 *                          timed as they come)
 *   a call with `...END`   a blocking call: made at its time on the
 *                          adapter's thread; once it is asleep in the
 *                          kernel (or done) the script goes on, and it must
 *                          return at END within the tolerance,
 *                          max(tolerance_usecs, tolerance_percent of its
 *                          duration); the next call waits up to 1 s for it
 *                          ("blocking system call while another blocking
 *                          system call is already in progress")
 *   result, errno, out arguments   compared by the adapter (its finish)
 *   `shell`                /bin/sh in the DUT, from the script's folder; a
 *                          non-zero exit fails the script
 *   %{ code }%             the socket's TCP_INFO taken at its time; all
 *                          blocks run at the end in one /usr/bin/python3,
 *                          each after its tcpi_* assignments; a non-zero
 *                          exit (an assert) fails the script
 *
 * The mode is per script (engine_real_mode): a script that also uses
 * synack's statements (listen, event, state, counter) or carries a `//!`
 * header (synack's suites, written to synack's sequence-number model)
 * keeps the mapped path of runner_sys.c, whose events come from the
 * adapter's sockets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_internal.h"

#define ENGINE_CALL_MAX_NS (10LL * 1000000000LL) /* a call without `...` that never returns */
#define ENGINE_AWAIT_IDLE_NS 1000000000LL        /* packetdrill's await_idle_thread() */

bool engine_real_mode(const struct script *s, const struct dut_ops *ops)
{
	/* A `//!` header makes it one of synack's scripts, whose numbers
	 * follow synack's model (conformance/README.md), not packetdrill's. */
	if (ops->syscall_start == NULL || s->header.loc.line > 0)
		return false;
	for (const struct script_event *ev = s->events; ev; ev = ev->next)
		switch (ev->kind) {
		case SCRIPT_EV_APP_ACTION:
		case SCRIPT_EV_APP_EVENT:
		case SCRIPT_EV_STATE:
		case SCRIPT_EV_COUNTER:
			return false;
		case SCRIPT_EV_PACKET:
		case SCRIPT_EV_SYSCALL:
		case SCRIPT_EV_SHELL:
		case SCRIPT_EV_CODE:
		case SCRIPT_EV_NOTHING:
			break;
		}
	return true;
}

bool engine_script_has_shell(const struct script *s)
{
	if (s->init_command != NULL || s->cleanup_command != NULL)
		return true;
	for (const struct script_event *ev = s->events; ev; ev = ev->next)
		if (ev->kind == SCRIPT_EV_SHELL)
			return true;
	return false;
}

static uint64_t dnow(struct engine_run *e)
{
	return e->dut.ops->now(&e->dut);
}

static void fmt(uint64_t ns, char out[32])
{
	snprintf(out, 32, "%" PRIu64 ".%06" PRIu64, ns / 1000000000u, (ns % 1000000000u) / 1000u);
}

/* Runs the DUT a little (its segments queued with their times). */
static void tick(struct engine_run *e)
{
	engine_advance_to(e, dnow(e) + 1000000u);
}

static void finish(struct engine_run *e, const struct script_event *ev, bool check_time, uint64_t t_end)
{
	struct engine_pending *p = &e->pending;
	char msg[DUT_ERR_LEN * 2];
	p->active = false;
	if (check_time && ev->time.kind != SCRIPT_TIME_ANY) {
		uint64_t start = p->end - (uint64_t)ev->u.syscall.end_ns + (uint64_t)ev->time.lo_ns;
		(void)start;
		uint64_t tol = engine_tolerance(e, (uint64_t)ev->u.syscall.end_ns - (uint64_t)ev->time.lo_ns);
		uint64_t early = p->end > tol ? p->end - tol : 0;
		if (t_end < early || t_end > p->end + tol) {
			char a[32], b[32];
			fmt(p->end, a);
			fmt(t_end, b);
			/* The outcome, too: it tells whether it blocked at all. */
			int rc = e->dut.ops->syscall_finish(&e->dut, msg, sizeof msg);
			engine_fail(e, ev, "%s(): timing error: expected system call return at %s s but happened at %s s%s%s",
				    ev->u.syscall.name, a, b, rc != 0 ? "; " : "", rc != 0 ? msg : "");
			return;
		}
	}
	int rc = e->dut.ops->syscall_finish(&e->dut, msg, sizeof msg);
	if (rc > 0)
		engine_fail(e, ev, "%s", msg);
	else if (rc < 0)
		engine_unsupported(e, ev, "%s", msg);
}

/* The latest a pending call may return: its end time and the tolerance
 * of its duration, max(tolerance_usecs, tolerance_percent of it), which
 * finish() checks it against (packetdrill's end-time check of a blocking
 * call). A later line before then does not wait for it, as packetdrill's
 * main thread goes on with the script while its system-call thread
 * blocks. */
uint64_t engine_pending_late(const struct engine_run *e)
{
	const struct engine_pending *p = &e->pending;
	if (p->kind != ENGINE_PEND_REAL || p->ev == NULL)
		return p->end + engine_tolerance(e, 0);
	return p->end + engine_tolerance(e, (uint64_t)p->ev->u.syscall.end_ns - (uint64_t)p->ev->time.lo_ns);
}

void engine_real_poll(struct engine_run *e, bool final)
{
	struct engine_pending *p = &e->pending;
	if (!p->active || p->kind != ENGINE_PEND_REAL || e->in_poll || e->stop)
		return;
	uint64_t t_end = 0;
	if (e->dut.ops->syscall_state(&e->dut, &t_end) == DUT_SYS_DONE) {
		e->in_poll = true;
		finish(e, p->ev, true, t_end);
		e->in_poll = false;
		return;
	}
	if (final) {
		char a[32];
		uint64_t tol = engine_tolerance(e, (uint64_t)p->ev->u.syscall.end_ns - (uint64_t)p->ev->time.lo_ns);
		fmt(p->end + tol, a);
		p->active = false;
		engine_fail(e, p->ev, "%s(): blocking call did not return by %s s", p->ev->u.syscall.name, a);
	}
}

static bool mentions(const struct script_expr *x, const char *word)
{
	for (; x; x = x->next) {
		if ((x->kind == SCRIPT_EXPR_WORD && strcmp(x->text, word) == 0) || mentions(x->lhs, word) ||
		    mentions(x->rhs, word) || mentions(x->child, word))
			return true;
	}
	return false;
}

void engine_real_run(struct engine_run *e, const struct script_event *ev, uint64_t t)
{
	const struct script_syscall *sc = &ev->u.syscall;
	struct engine_pending *p = &e->pending;
	char err[DUT_ERR_LEN];
	uint64_t t_end = 0;
	engine_advance_to(e, t);
	if (e->stop)
		return;
	if (p->active) {
		uint64_t limit = dnow(e) + ENGINE_AWAIT_IDLE_NS;
		while (!e->stop && p->active && dnow(e) < limit &&
		       e->dut.ops->syscall_state(&e->dut, &t_end) != DUT_SYS_DONE)
			tick(e);
		if (e->stop)
			return;
		if (p->active && e->dut.ops->syscall_state(&e->dut, &t_end) != DUT_SYS_DONE) {
			engine_fail(e, ev, "%s(): blocking system call while another blocking system call is already in "
				    "progress (line %d)", sc->name, p->ev->loc.line);
			return;
		}
		engine_real_poll(e, false);
		if (e->stop)
			return;
	}
	/* An active open starts a new connection: its SYN sets the DUT's ISN. */
	if (strcmp(sc->name, "connect") == 0 || mentions(sc->args, "MSG_FASTOPEN"))
		engine_conn_connecting(e);
	/* A new socket is packetdrill's socket under test from now on. An
	 * inbound SYN makes a child connection (a new peer port) only while
	 * it listens: packetdrill's handle_listen_for_script_packet() takes
	 * a SYN as a new connection only for a socket in
	 * SOCKET_PASSIVE_LISTENING, which listen() sets; a SYN to a
	 * connecting socket (a simultaneous open) goes to its own tuple. */
	if (strcmp(sc->name, "socket") == 0) {
		e->sut_known = false;
		e->sut_listening = false;
	}
	if (strcmp(sc->name, "listen") == 0)
		e->sut_listening = true;
	struct dut_syscall_ctx ctx = {
		.bind_ip = e->map.dut_ip,
		.connect_ip = e->map.peer_ip,
		.bind_port = e->map.dut_port,
		.connect_port = e->map.peer_port,
		.options = e->s->options,
		.tolerance_ns = engine_tolerance(e, 0),
		.ip_version = e->ipver,
	};
	memcpy(ctx.bind_ip6, e->dut_ip6, 16);
	memcpy(ctx.connect_ip6, e->peer_ip6, 16);
	int rc = e->dut.ops->syscall_start(&e->dut, sc, &ctx, err);
	if (rc == -2) {
		engine_fail(e, ev, "runtime error in %s call: %s", sc->name, err);
		return;
	}
	if (rc != 0) {
		engine_unsupported(e, ev, "%s", err);
		return;
	}
	p->active = true;
	p->ev = ev;
	p->kind = ENGINE_PEND_REAL;
	p->derived = e->now_derived;
	p->end = sc->blocking ? (ev->time.kind == SCRIPT_TIME_ABS ? (uint64_t)sc->end_ns
								 : t - (uint64_t)ev->time.lo_ns + (uint64_t)sc->end_ns)
			      : t;
	uint64_t limit = dnow(e) + ENGINE_CALL_MAX_NS;
	e->in_poll = true; /* drain_events() must not finish it under us */
	for (;;) {
		int st = e->dut.ops->syscall_state(&e->dut, &t_end);
		if (st == DUT_SYS_DONE)
			break;
		if (sc->blocking && st == DUT_SYS_BLOCKED) {
			e->in_poll = false;
			return; /* pending: later lines run while it sleeps */
		}
		if (e->stop || dnow(e) >= limit) {
			e->in_poll = false;
			p->active = false;
			if (!e->stop)
				engine_fail(e, ev, "%s(): the call blocked and never returned (packetdrill makes a call "
					    "written without '...' on its main thread, which would hang here)", sc->name);
			return;
		}
		tick(e);
	}
	e->in_poll = false;
	finish(e, ev, sc->blocking, t_end);
}

/* ---- %{ }% blocks ------------------------------------------------------------ */

void engine_code_event(struct engine_run *e, const struct script_event *ev, uint64_t t)
{
	engine_advance_to(e, t);
	if (e->stop)
		return;
	if (e->code == NULL) {
		e->code = open_memstream(&e->codebuf, &e->codelen);
		if (e->code == NULL) {
			engine_fail(e, ev, "out of memory for the Python code");
			return;
		}
	}
	enum { VARS = 16384 };
	char *vars = malloc(VARS);
	if (vars == NULL) {
		engine_fail(e, ev, "out of memory for the Python code");
		return;
	}
	if (e->dut.ops->tcp_info_vars(&e->dut, vars, VARS) != 0) {
		/* packetdrill: "runtime error in code: ..." exits non-zero. */
		engine_fail(e, ev, "runtime error in code: %s", vars);
		free(vars);
		return;
	}
	fprintf(e->code, "%s\n_file = '%s'\n_line = %d\n%s\n\n", vars, e->s->path, ev->loc.line, ev->u.code);
	free(vars);
}

/* Runs argv with stdout and stderr into out (NUL-terminated, cut at cap);
 * its exit status, or -1. */
static int run_capture(char *const argv[], char *out, size_t cap)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	char sink[512];
	while ((r = read(fds[0], n + 1 < cap ? out + n : sink, n + 1 < cap ? cap - n - 1 : sizeof sink)) > 0)
		if (n + 1 < cap)
			n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* packetdrill's preamble: an uncaught exception names the block. */
static const char PREAMBLE[] =
	"import sys\n"
	"import traceback\n"
	"def excepthook(etype, value, tb):\n"
	"  sys.stderr.write('%s:%d: error in Python code\\n' % (_file, _line))\n"
	"  traceback.print_exception(etype, value, tb)\n"
	"sys.excepthook = excepthook\n\n";

static void run_code(struct engine_run *e)
{
	fflush(e->code);
	char path[] = "/tmp/synack-code-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		engine_fail(e, NULL, "cannot write the Python code to a temp file: %s", strerror(errno));
		return;
	}
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(path);
		engine_fail(e, NULL, "cannot write the Python code: %s", strerror(errno));
		return;
	}
	fputs(PREAMBLE, f);
	fwrite(e->codebuf, 1, e->codelen, f);
	fclose(f);
	char out[2048];
	char *argv[] = {(char *)"/usr/bin/python3", path, NULL};
	int rc = run_capture(argv, out, sizeof out);
	unlink(path);
	if (rc == 127 || rc < 0)
		engine_unsupported(e, NULL, "%%{ }%% blocks need /usr/bin/python3, which could not be run");
	else if (rc != 0)
		engine_fail(e, NULL, "error executing code: '/usr/bin/python3' returned non-zero status %d:\n%s", rc,
			    out);
}

void engine_real_finish(struct engine_run *e)
{
	if (!e->stop && e->s->cleanup_command != NULL)
		engine_shell_run(e, e->s->cleanup_command);
	if (e->code != NULL && !e->stop)
		run_code(e);
	if (e->code != NULL) {
		fclose(e->code);
		e->code = NULL;
		free(e->codebuf);
		e->codebuf = NULL;
	}
}

/* packetdrill's --ip_version: IPv6 between the script's (or run_all.py's)
 * IPv6 addresses at run_all.py's MTU, the runner's IPv4 addresses their
 * stand-ins (dut.h); v4-mapped: AF_INET6 sockets over IPv4. */
void engine_run_ip_version(struct engine_run *e, struct dut_config *cfg)
{
	const char *v = e->o->ip_version != NULL ? e->o->ip_version : script_ip_version(e->s);
	if (strcmp(v, "ipv6") == 0) {
		e->ipver = DUT_IP_V6;
		if (e->o->has_dut_ip6)
			memcpy(e->dut_ip6, e->o->dut_ip6, 16);
		else
			(void)inet_pton(AF_INET6, ENGINE_DEFAULT_DUT_IP6, e->dut_ip6);
		if (e->o->has_peer_ip6)
			memcpy(e->peer_ip6, e->o->peer_ip6, 16);
		else
			(void)inet_pton(AF_INET6, ENGINE_DEFAULT_PEER_IP6, e->peer_ip6);
		cfg->mtu = ENGINE_IPV6_MTU;
	} else if (strcmp(v, "ipv4-mapped-ipv6") == 0) {
		e->ipver = DUT_IP_MAPPED;
	}
	cfg->ip_version = e->ipver;
	e->map.icmp6 = e->r->ipv6 = e->ipver == DUT_IP_V6;
	e->r->ip6.dut_ip = e->map.dut_ip;
	e->r->ip6.peer_ip = e->map.peer_ip;
	memcpy(e->r->ip6.dut_ip6, e->dut_ip6, 16);
	memcpy(e->r->ip6.peer_ip6, e->peer_ip6, 16);
	memcpy(cfg->dut_ip6, e->dut_ip6, 16);
	memcpy(cfg->peer_ip6, e->peer_ip6, 16);
}

/* An IPv6 run needs the real calls: synack's statements drive the
 * adapter's IPv4 sockets. False (the verdict set) when it cannot run. */
bool engine_ipv6_runs(struct engine_run *e)
{
	const char *ipv = e->o->ip_version != NULL ? e->o->ip_version : script_ip_version(e->s);
	if (e->real_sys || strcmp(ipv, "ipv6") != 0)
		return true;
	fprintf(e->msgs, "%s: --ip-version ipv6: only a script in packetdrill's language alone runs over IPv6 "
		"(its calls are made for real); synack's statements drive the %s DUT's IPv4 sockets\n",
		e->s->path, e->o->dut_ops->name);
	e->r->verdict = ENGINE_UNSUPPORTED;
	return false;
}
