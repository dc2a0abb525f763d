/*
 * runner_shell.c - what the runner decides before a script runs, and the
 * one kind of shell line it can honour.
 *
 * engine_prescan() walks the script once: a Python block (tcp_info), a
 * system call the socket emulation cannot map (runner_sys.c), or a shell
 * line makes the script *unsupported* at that line before anything runs,
 * so such a script is never reported as passed or failed. So does an
 * application action or event the adapter says it lacks
 * (dut_ops.app_unsupported / event_unsupported: a user's firmware without
 * an application interface), whether written as a synack statement
 * (`listen`, `event accepted`) or as the system call that maps onto it.
 *
 * A script whose calls the adapter makes for real (runner_real.c: tap,
 * a script in packetdrill's language only) runs every shell line with
 * /bin/sh inside the DUT (dut_ops.shell), from the script's folder, and
 * a non-zero exit fails the script, as packetdrill's safe_system() does;
 * its system calls only need the adapter's syscall_check().
 *
 * Otherwise: a back-quoted line that only sets sysctls
 * (`sysctl -q net.ipv4.tcp_rfc1337=1`, several name=value pairs allowed)
 * runs through the adapter's sysctl() hook when it has one (tap: the
 * namespace's own net.* settings). The init command runs right after the
 * adapter opens; a cleanup command needs nothing (the DUT is discarded).
 *
 * With --skip-shell (engine_options.skip_shell) any other shell line is
 * passed over instead: the script runs with the DUT's own settings, and
 * its result carries one note naming how many lines were skipped and the
 * first of them (engine_shell_note), so a failure that follows from a
 * setting the DUT never got is not mistaken for a plain one.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

#define MAX_SYSCTLS 8

struct sysctl_set {
	char buf[512];
	const char *name[MAX_SYSCTLS];
	const char *value[MAX_SYSCTLS];
	size_t n;
};

/* Parses "sysctl [-q] [-w] [-e] a.b=c ..." ; false for anything else. */
static bool parse_sysctl(const char *cmd, struct sysctl_set *s)
{
	if (strlen(cmd) >= sizeof s->buf)
		return false;
	strcpy(s->buf, cmd);
	s->n = 0;
	char *save = NULL;
	char *tok = strtok_r(s->buf, " \t\n", &save);
	if (tok == NULL || strcmp(tok, "sysctl") != 0)
		return false;
	while ((tok = strtok_r(NULL, " \t\n", &save)) != NULL) {
		if (strcmp(tok, "-q") == 0 || strcmp(tok, "-w") == 0 || strcmp(tok, "-e") == 0)
			continue;
		char *eq = strchr(tok, '=');
		if (eq == NULL || eq == tok || s->n == MAX_SYSCTLS)
			return false;
		for (const char *p = tok; p < eq; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
			      *p == '/'))
				return false;
		*eq = '\0';
		s->name[s->n] = tok;
		s->value[s->n++] = eq + 1;
	}
	return s->n > 0;
}

/* Whether the DUT itself can carry out the shell line. */
static bool shell_runs(const struct engine_run *e, const struct script_event *ev)
{
	struct sysctl_set s;
	if (e->real_sys && e->o->dut_ops->shell != NULL)
		return true;
	return e->o->dut_ops->sysctl != NULL && parse_sysctl(ev->u.shell, &s);
}

static bool shell_ok(const struct engine_run *e, const struct script_event *ev)
{
	return shell_runs(e, ev) || e->o->skip_shell;
}

void engine_shell_note(struct engine_run *e)
{
	const struct script_event *ev = e->shell_first_skipped;
	if (e->shell_skipped == 0 || ev == NULL || e->msgs == NULL)
		return;
	fprintf(e->msgs, "%s:%d: note: %u shell line%s skipped (--skip-shell), the first `%s`: the %s DUT ran "
		"with its own settings\n",
		e->s->path, ev->loc.line, e->shell_skipped, e->shell_skipped == 1 ? "" : "s", ev->u.shell,
		e->o->dut_ops->name);
}

/* The folder of the script's path ("." without one), where packetdrill
 * runs its commands (run_all.py starts it in the script's folder). */
static void script_dir(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

void engine_shell_run(struct engine_run *e, const struct script_event *ev)
{
	struct sysctl_set s;
	char err[DUT_ERR_LEN] = "";
	if (!shell_runs(e, ev) && e->o->skip_shell) {
		if (e->shell_skipped++ == 0)
			e->shell_first_skipped = ev;
		return;
	}
	if (e->real_sys && e->dut.ops->shell != NULL) {
		char dir[1024];
		script_dir(e->s->path, dir, sizeof dir);
		int rc = e->dut.ops->shell(&e->dut, ev->u.shell, dir, err);
		if (rc < 0)
			engine_unsupported(e, ev, "shell command `%s` could not be run on the %s DUT: %s", ev->u.shell,
					   e->dut.ops->name, err);
		else if (rc != 0)
			engine_fail(e, ev, "error executing `%s` command: non-zero status %d", ev->u.shell, rc);
		return;
	}
	if (e->dut.ops->sysctl == NULL || !parse_sysctl(ev->u.shell, &s)) {
		engine_unsupported(e, ev, "shell command `%s` cannot run on the %s DUT", ev->u.shell,
				   e->dut.ops->name);
		return;
	}
	for (size_t i = 0; i < s.n && !e->stop; i++) {
		int rc = e->dut.ops->sysctl(&e->dut, s.name[i], s.value[i], err);
		if (rc != 0)
			engine_unsupported(e, ev, "sysctl %s=%s: the %s DUT refused: %s", s.name[i], s.value[i],
					   e->dut.ops->name, err);
	}
}

static enum dut_app_kind action_kind(enum script_app_op op)
{
	switch (op) {
	case SCRIPT_APP_LISTEN:
		return DUT_APP_LISTEN;
	case SCRIPT_APP_CONNECT:
		return DUT_APP_CONNECT;
	case SCRIPT_APP_SEND:
		return DUT_APP_SEND;
	case SCRIPT_APP_RECV:
		return DUT_APP_RECV;
	case SCRIPT_APP_CLOSE:
		return DUT_APP_CLOSE;
	case SCRIPT_APP_ABORT:
		return DUT_APP_ABORT;
	case SCRIPT_APP_RCVBUF:
		return DUT_APP_RCVBUF;
	case SCRIPT_APP_SHUTDOWN:
		return DUT_APP_SHUTDOWN_WR; /* SHUT_RD: app_lacking asks for it too */
	}
	return DUT_APP_CLOSE;
}

/* The application action a system call becomes (runner_sys.c), and the
 * event it waits for; false for calls that need neither. */
static bool syscall_needs(const char *name, bool *act, enum dut_app_kind *kind, bool *evt,
			  enum dut_app_event *ev)
{
	static const struct {
		const char *name;
		int kind;      /* enum dut_app_kind, or -1 */
		int ev;        /* enum dut_app_event, or -1 */
	} MAP[] = {
		{"listen", DUT_APP_LISTEN, -1},   {"connect", DUT_APP_CONNECT, DUT_EV_CONNECTED},
		{"accept", -1, DUT_EV_ACCEPTED},  {"read", DUT_APP_RECV, -1},
		{"recv", DUT_APP_RECV, -1},       {"write", DUT_APP_SEND, -1},
		{"send", DUT_APP_SEND, -1},       {"shutdown", DUT_APP_SHUTDOWN_WR, -1},
		{"close", DUT_APP_CLOSE, -1},
	};
	for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++) {
		if (strcmp(name, MAP[i].name) != 0)
			continue;
		*act = MAP[i].kind >= 0;
		*kind = (enum dut_app_kind)(MAP[i].kind >= 0 ? MAP[i].kind : 0);
		*evt = MAP[i].ev >= 0;
		*ev = (enum dut_app_event)(MAP[i].ev >= 0 ? MAP[i].ev : 0);
		return true;
	}
	return false;
}

/* What of the application this event needs and the adapter lacks, or NULL. */
static const char *app_lacking(const struct engine_run *e, const struct script_event *ev, char *buf, size_t cap)
{
	const struct dut_ops *ops = e->o->dut_ops;
	bool act = false, evt = false;
	enum dut_app_kind kind = DUT_APP_LISTEN;
	enum dut_app_event dev = DUT_EV_NONE;
	switch (ev->kind) {
	case SCRIPT_EV_APP_ACTION:
		act = true;
		kind = action_kind(ev->u.app.op);
		break;
	case SCRIPT_EV_APP_EVENT:
		evt = true;
		dev = engine_dut_event(ev->u.app_event);
		break;
	case SCRIPT_EV_SYSCALL:
		if (engine_sys_rcvbuf(ev, ops)) {
			act = true;
			kind = DUT_APP_RCVBUF;
			break;
		}
		if (!syscall_needs(ev->u.syscall.name, &act, &kind, &evt, &dev))
			return NULL;
		break;
	case SCRIPT_EV_PACKET:
	case SCRIPT_EV_NOTHING:
	case SCRIPT_EV_STATE:
	case SCRIPT_EV_COUNTER:
	case SCRIPT_EV_SHELL:
	case SCRIPT_EV_CODE:
		return NULL;
	}
	const char *why = NULL;
	if (act && ops->app_unsupported != NULL)
		why = ops->app_unsupported(kind, buf, cap);
	if (why == NULL && act && ev->kind == SCRIPT_EV_APP_ACTION && ev->u.app.op == SCRIPT_APP_SHUTDOWN &&
	    (ev->u.app.shut & SCRIPT_SHUT_RD) && ops->app_unsupported != NULL)
		why = ops->app_unsupported(DUT_APP_SHUTDOWN_RD, buf, cap);
	if (why == NULL && evt && ops->event_unsupported != NULL)
		why = ops->event_unsupported(dev, buf, cap);
	return why;
}

bool engine_prescan(struct engine_run *e)
{
	char why[400];
	const char *dut = e->o->dut_ops->name;
	if (e->s->init_command && !shell_ok(e, e->s->init_command)) {
		engine_unsupported(e, e->s->init_command, "shell command `%s` cannot run on the %s DUT",
				   e->s->init_command->u.shell, dut);
		return false;
	}
	for (const struct script_event *ev = e->s->events; ev; ev = ev->next) {
		if (app_lacking(e, ev, why, sizeof why) != NULL) {
			engine_unsupported(e, ev, "%s", why);
			return false;
		}
		switch (ev->kind) {
		case SCRIPT_EV_SHELL:
			if (shell_ok(e, ev))
				break;
			engine_unsupported(e, ev, "shell command `%s` cannot run on the %s DUT", ev->u.shell, dut);
			return false;
		case SCRIPT_EV_CODE:
			if (e->real_sys && e->o->dut_ops->tcp_info_vars != NULL)
				break;
			engine_unsupported(e, ev, "python block (tcp_info) cannot run on the %s DUT%s", dut,
					   e->o->dut_ops->tcp_info_vars != NULL
						   ? " in a script that also uses synack statements"
						   : " (no kernel TCP_INFO to take its tcpi_* values from)");
			return false;
		case SCRIPT_EV_SYSCALL:
			if (e->real_sys) {
				struct dut_syscall_ctx ctx = {.options = e->s->options};
				if (e->o->dut_ops->syscall_check(&ev->u.syscall, &ctx, why, sizeof why) != NULL) {
					engine_unsupported(e, ev, "%s", why);
					return false;
				}
				break;
			}
			if (engine_sys_unsupported(ev, e->o->dut_ops, why, sizeof why) != NULL) {
				engine_unsupported(e, ev, "%s", why);
				return false;
			}
			break;
		case SCRIPT_EV_PACKET:
		case SCRIPT_EV_NOTHING:
		case SCRIPT_EV_APP_ACTION:
		case SCRIPT_EV_APP_EVENT:
		case SCRIPT_EV_STATE:
		case SCRIPT_EV_COUNTER:
			break;
		}
	}
	if (e->s->cleanup_command && !shell_ok(e, e->s->cleanup_command)) {
		engine_unsupported(e, e->s->cleanup_command, "shell command `%s` cannot run on the %s DUT",
				   e->s->cleanup_command->u.shell, dut);
		return false;
	}
	return true;
}
