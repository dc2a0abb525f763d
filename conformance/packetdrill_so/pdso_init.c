/*
 * pdso_init.c - the entry point packetdrill looks up, the DUT it opens,
 * and the library's messages.
 *
 *   packetdrill: so_instance_init -> packetdrill_interface_init(so_flags, &table)
 *     pdso_flags_parse -> engine_dut_lookup(dut=) [-> dut_mutate_wrap] -> ops->open
 *     table = {userdata = the struct pdso, the socket calls (pdso_sock.c),
 *              netdev / clock (pdso_time.c), free}
 *   packetdrill: so_instance_free -> table.free(userdata) -> pdso_finish -> ops->close
 *
 * The DUT is whatever the engine's registry names (dut_registry.c), so
 * the library runs what `synack run --dut NAME` runs: `sim` (our stack and
 * driver on the ENC28J60 model), `board:PATH.so` (a user's firmware on the
 * model) and `avr:IMAGE.elf` (the AVR image itself in simavr, where the
 * build has simavr): the registry's adapters run here unchanged.
 * Only virtual-time DUTs are accepted (the library's clock is the DUT's).
 *
 * packetdrill gives init no way to fail, so a bad --so_flags or a DUT that
 * does not start is reported here and the process exits 2. A script
 * failing on packetdrill's side exits through packetdrill's die(), which
 * skips free: the destructor below still closes the DUT, so a capture
 * asked for with pcap= is complete for failed scripts too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "pdso.h"

/* The one instance, for the exit-time destructor only (packetdrill makes
 * one per process and exits on failure without calling free). */
static struct pdso *g_live;

void pdso_say(const char *fmt, ...)
{
	char line[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, PDSO_PREFIX "%s\n", line);
	fflush(stderr);
}

void pdso_unsupported(struct pdso *p, const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pdso_say("unsupported: %s (on %s; the call fails with ENOSYS)", line, p->dut_label);
}

void pdso_log(struct pdso *p, const char *fmt, ...)
{
	if (!p->fl.verbose)
		return;
	char line[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pdso_say("[%.6f s] %s", pdso_script_s(p), line);
}

void pdso_finish(struct pdso *p)
{
	if (atomic_exchange(&p->finished, true))
		return;
	if (!p->dut_open)
		return;
	if (p->ops->diagnostics != NULL) {
		char diag[4096];
		diag[0] = '\0';
		p->ops->diagnostics(&p->dut, diag, sizeof diag);
		for (char *line = strtok(diag, "\n"); line != NULL; line = strtok(NULL, "\n"))
			pdso_say("checker: %s", line);
	}
	p->ops->close(&p->dut);
	p->dut_open = false;
	if (p->oq_dropped > 0)
		pdso_say("warning: %llu datagrams the DUT sent were dropped (more than %u waiting for netdev_receive)",
			 (unsigned long long)p->oq_dropped, PDSO_OUTQ);
}

_Noreturn void pdso_fatal(struct pdso *p, int status, const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pdso_say("%s", line);
	if (p != NULL)
		pdso_finish(p);
	exit(status);
}

/* Runs at exit (packetdrill's die() paths): close the DUT so the capture
 * is renamed into place. Skipped if the mutex is held (an exit from inside
 * the library, which finished first) or the run already freed. The mutex
 * stays locked: packetdrill's other thread must not touch the closed DUT
 * in the moments before the process ends. */
__attribute__((destructor)) static void pdso_at_exit(void)
{
	struct pdso *p = g_live;
	if (p == NULL || atomic_load(&p->finished))
		return;
	for (int i = 0; i < 200; i++) {
		if (pthread_mutex_trylock(&p->mu) == 0) {
			pdso_finish(p);
			return;
		}
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
	}
}

static void pdso_free(void *ud)
{
	struct pdso *p = ud;
	pthread_mutex_lock(&p->mu);
	pdso_sock_free_all(p);
	pdso_finish(p);
	pthread_mutex_unlock(&p->mu);
	if (g_live == p)
		g_live = NULL;
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->outq);
	free(p);
}

/* Unsupported calls: the whole family fails the same way. */
static int no_epoll_create(void *ud, int size)
{
	struct pdso *p = ud;
	(void)size;
	pdso_enter(p, PDSO_CALL_OTHER);
	pdso_unsupported(p, "epoll_create(): the DUT's application interface has no epoll");
	pdso_leave(p);
	errno = ENOSYS;
	return -1;
}

static int no_epoll_ctl(void *ud, int epfd, int op, int fd, struct epoll_event *ev)
{
	struct pdso *p = ud;
	(void)op, (void)ev;
	pdso_enter(p, PDSO_CALL_OTHER);
	pdso_unsupported(p, "epoll_ctl(%d, ..., %d): the DUT's application interface has no epoll", epfd, fd);
	pdso_leave(p);
	errno = ENOSYS;
	return -1;
}

static int no_epoll_wait(void *ud, int epfd, struct epoll_event *ev, int max, int timeout)
{
	struct pdso *p = ud;
	(void)ev, (void)max, (void)timeout;
	pdso_enter(p, PDSO_CALL_OTHER);
	pdso_unsupported(p, "epoll_wait(%d): the DUT's application interface has no epoll", epfd);
	pdso_leave(p);
	errno = ENOSYS;
	return -1;
}

static int no_pipe(void *ud, int fds[2])
{
	struct pdso *p = ud;
	(void)fds;
	pdso_enter(p, PDSO_CALL_OTHER);
	pdso_unsupported(p, "pipe(): the DUT has no pipes");
	pdso_leave(p);
	errno = ENOSYS;
	return -1;
}

static int no_splice(void *ud, int in, pdso_loff_t *off_in, int out, pdso_loff_t *off_out, size_t len,
		     unsigned int flags)
{
	struct pdso *p = ud;
	(void)off_in, (void)off_out, (void)len, (void)flags;
	pdso_enter(p, PDSO_CALL_OTHER);
	pdso_unsupported(p, "splice(%d, %d): the DUT has no pipes", in, out);
	pdso_leave(p);
	errno = ENOSYS;
	return -1;
}

static const char *file_part(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Opens the DUT the flags name; exits 2 with the reason if it cannot. */
static void open_dut(struct pdso *p)
{
	char err[1400];
	const char *spec = p->fl.dut;
	const struct dut_ops *ops = engine_dut_lookup(spec, err, sizeof err);
	if (ops == NULL) {
		pdso_fatal(NULL, 2, "--so_flags: dut=%s: %s", spec, err);
	}
	if (!ops->virtual_time)
		pdso_fatal(NULL, 2,
			   "--so_flags: dut=%s: not a virtual-time DUT; this library's clock is the DUT's (use sim or "
			   "board:PATH.so), and packetdrill without --so_filename tests the kernel itself",
			   spec);
	if (p->fl.mutate[0] != '\0') {
		ops = dut_mutate_wrap(ops, p->fl.mutate, err, sizeof err);
		if (ops == NULL)
			pdso_fatal(NULL, 2, "--so_flags: mutate=%s: %s", p->fl.mutate, err);
	}
	uint8_t bad = (uint8_t)((p->fl.profile & ~ops->profiles_supported) | (ops->profiles_fixed & ~p->fl.profile));
	if (bad != 0)
		pdso_fatal(NULL, 2, "--so_flags: profile=: the %s DUT cannot run %s (bits 0x%02x)", ops->name,
			   (bad & DUT_PROFILE_RFC5961)   ? "rfc5961 as asked"
			   : (bad & DUT_PROFILE_RFC1337) ? "rfc1337 as asked"
							 : "timewait-recycle as asked",
			   bad);
	if (strncmp(spec, "board:", 6) == 0)
		snprintf(p->dut_label, sizeof p->dut_label, "board:%s", file_part(spec + 6));
	else
		snprintf(p->dut_label, sizeof p->dut_label, "%s", ops->name);

	struct dut_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.dut_ip = p->fl.dut_ip;
	cfg.peer_ip = p->fl.peer_ip;
	cfg.dut_port = ENGINE_DEFAULT_DUT_PORT;
	cfg.peer_port = ENGINE_DEFAULT_PEER_PORT;
	cfg.profile = p->fl.profile;
	cfg.seed = p->fl.seed;
	cfg.pcap_path = p->fl.pcap[0] != '\0' ? p->fl.pcap : NULL;
	cfg.send_zeros = true; /* packetdrill writes zero-filled buffers and compares payloads */
	p->ops = ops;
	p->dut.ops = ops;
	char derr[DUT_ERR_LEN] = "";
	if (ops->open(&p->dut, &cfg, derr) != 0) {
		if (ops->diagnostics != NULL) {
			char diag[2048] = "";
			ops->diagnostics(&p->dut, diag, sizeof diag);
			for (char *line = strtok(diag, "\n"); line != NULL; line = strtok(NULL, "\n"))
				pdso_say("checker: %s", line);
		}
		ops->close(&p->dut);
		pdso_fatal(NULL, 2, "the %s DUT did not start: %s", p->dut_label, derr);
	}
	p->dut_open = true;
}

void packetdrill_interface_init(const char *flags, struct packetdrill_interface *t)
{
	struct pdso *p = calloc(1, sizeof *p);
	if (p == NULL || (p->outq = calloc(PDSO_OUTQ, sizeof *p->outq)) == NULL)
		pdso_fatal(NULL, 2, "out of memory");
	pdso_flags_defaults(&p->fl);
	char err[1400];
	if (pdso_flags_parse(flags, &p->fl, err, sizeof err) != 0)
		pdso_fatal(NULL, 2, "%s", err);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->driver = pthread_self();
	p->next_ephemeral = 40000;
	p->conn.fd = -1;
	atomic_init(&p->finished, false);
	open_dut(p);
	g_live = p;

	memset(t, 0, sizeof *t);
	t->userdata = p;
	t->free = pdso_free;
	pdso_sock_table(t);
	t->netdev_send = pdso_netdev_send;
	t->netdev_receive = pdso_netdev_receive;
	t->usleep = pdso_usleep;
	t->gettimeofday = pdso_gettimeofday;
	t->epoll_create = no_epoll_create;
	t->epoll_ctl = no_epoll_ctl;
	t->epoll_wait = no_epoll_wait;
	t->pipe = no_pipe;
	t->splice = no_splice;
	pdso_log(p, "dut=%s seed=%llu profile=0x%02x%s%s", p->dut_label, (unsigned long long)p->fl.seed,
		 p->fl.profile, p->fl.pcap[0] ? " pcap=" : "", p->fl.pcap);
}
