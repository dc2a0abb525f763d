/*
 * cli_signal.c - what a verb does on SIGINT, SIGTERM or SIGHUP: stop its
 * worker processes, remove the temporary files of outputs still being
 * written, and exit 128 + the signal number (130 after ^C).
 *
 *   cli_signals_install()            verbs that write files (run, pair, explain,
 *                                    replay, pcap2script)
 *   cli_signals_fork()               instead of fork() for a worker: the
 *                                    parent lists the child, the child
 *                                    dies with its parent
 *   handler: kill(workers, SIGTERM), waitpid each, sim_outfile_cleanup_all(),
 *            _exit(128 + sig)
 *
 * Outputs are sim_outfiles (sim/outfile.h), so a file is either complete
 * under its name or was never there; the handler only has to unlink the
 * temporaries. A worker is told to stop twice over: by the parent's
 * handler, and by the kernel through PR_SET_PDEATHSIG when the parent dies
 * any other way (SIGKILL included), so no worker outlives the run and keeps
 * writing. The parent waits for its workers before exiting, so when its
 * exit status is seen, no worker is left. Everything in the handler is
 * async-signal-safe (kill, waitpid, unlink, _exit).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "outfile.h"

#define MAX_WORKERS 256

static volatile pid_t workers[MAX_WORKERS];

static void on_signal(int sig)
{
	int saved = errno;
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i] > 0)
			kill(workers[i], SIGTERM);
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i] > 0) {
			while (waitpid(workers[i], NULL, 0) < 0 && errno == EINTR)
				;
			workers[i] = 0;
		}
	sim_outfile_cleanup_all();
	errno = saved;
	_exit(128 + sig);
}

static const int SIGNALS[] = {SIGINT, SIGTERM, SIGHUP};

void cli_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask); /* one handler at a time */
	for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
		sigaction(SIGNALS[i], &sa, NULL);
}

pid_t cli_signals_fork(void)
{
	sigset_t all, old;
	sigfillset(&all);
	/* No signal between fork() and the bookkeeping on either side: the
	 * parent always knows its workers, a child always dies with it. */
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < MAX_WORKERS; i++)
			workers[i] = 0;
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent) /* the parent died before prctl() */
			_exit(128 + SIGTERM);
	} else if (pid > 0) {
		int i = 0;
		while (i < MAX_WORKERS && workers[i] > 0)
			i++;
		if (i < MAX_WORKERS)
			workers[i] = pid;
		/* else: untracked, still stopped by PR_SET_PDEATHSIG */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

void cli_signals_reaped(pid_t pid)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i] == pid)
			workers[i] = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}
