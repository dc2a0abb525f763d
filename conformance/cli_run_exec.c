/*
 * cli_run_exec.c - how `synack run` runs its scripts, once cli_run.c has
 * parsed the flags and listed them: per script, parse (script/), check
 * options and profile, engine_run (engine/), and on failure write
 * <pcap-dir>/<name>.pcap and .ladder.txt; with -j N, N forked workers, each
 * sending its records through a pipe, which the parent reads back into the
 * scripts' sorted order. The records go to cli_run_report.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_run.h"
#include "engine.h"
#include "outfile.h"

/* "conformance/suites/smoke/seed.pkt" -> "smoke-seed". */
static void slug(const char *path, char *out, size_t cap)
{
	const char *p = path;
	const char *sd = strstr(p, "suites/");
	if (sd)
		p = sd + strlen("suites/");
	while (*p == '/' || *p == '.')
		p++;
	size_t n = 0;
	for (; *p && n + 1 < cap; p++)
		out[n++] = (*p == '/') ? '-' : *p;
	out[n] = '\0';
	if (n >= 4 && strcmp(out + n - 4, ".pkt") == 0)
		out[n - 4] = '\0';
}

/* The script's directory: relative to conformance/suites/ when under it
 * ("rfc9293/reset/closing"), else its last component. */
char *cli_run_suite_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return strdup(".");
	const char *start = slash;
	const char *sd = strstr(path, "suites/");
	if (sd != NULL && sd + strlen("suites/") < slash)
		start = sd + strlen("suites/");
	else
		while (start > path && start[-1] != '/')
			start--;
	size_t n = (size_t)(slash - start);
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, start, n);
		s[n] = '\0';
	}
	return s;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* Writes one output file whole: `text` goes to a temporary file renamed
 * over `path` (sim/outfile.h). Returns 0, or -1 with err naming the file. */
static int write_text_file(const char *path, const char *text, size_t len, char *err, size_t errcap)
{
	struct sim_outfile f;
	if (sim_outfile_open(&f, path, err, errcap) != 0)
		return -1;
	errno = 0;
	if (len > 0 && fwrite(text, 1, len, f.f) != len)
		sim_outfile_ok(&f);
	return sim_outfile_commit(&f, err, errcap);
}

/* <pcap-dir>/<name>.pcap and .ladder.txt. A file that cannot be written
 * (a full disk) is absent, and the run reports it and exits 2. */
static void write_failure(const struct cli_run_opts *o, const struct script *s, const struct engine_result *r,
			  struct cli_run_item *it)
{
	char name[1024], pcap[2048], lad[2048], err[2200];
	char *text = NULL, *ltext = NULL;
	size_t len = 0, llen = 0;
	FILE *m = open_memstream(&text, &len);
	if (m == NULL)
		return;
	engine_ladder(r, s, m);
	slug(it->path, name, sizeof name);
	snprintf(pcap, sizeof pcap, "%s/%s.pcap", o->pcap_dir, name);
	snprintf(lad, sizeof lad, "%s/%s.ladder.txt", o->pcap_dir, name);
	FILE *lm = open_memstream(&ltext, &llen);
	if (lm != NULL) {
		fputs(r->messages, lm);
		engine_ladder(r, s, lm);
		fclose(lm);
	}
	if (mkdir(o->pcap_dir, 0777) != 0 && errno != EEXIST) {
		fprintf(m, "%s: cannot create: %s\n", o->pcap_dir, strerror(errno));
		it->write_failed = true;
	} else if (sim_same_file(pcap, it->path) || sim_same_file(lad, it->path)) {
		fprintf(m, "%s: refusing to overwrite the script with its own failure report\n", it->path);
		it->write_failed = true;
	} else if (engine_write_pcap(r, pcap, err, sizeof err) != 0) {
		fprintf(m, "%s\n", err);
		it->write_failed = true;
	} else if (ltext == NULL || write_text_file(lad, ltext, llen, err, sizeof err) != 0) {
		fprintf(m, "pcap: %s\n%s\n", pcap, ltext ? err : "out of memory");
		it->pcap = strdup(pcap);
		it->write_failed = true;
	} else {
		fprintf(m, "pcap: %s\nladder: %s\n", pcap, lad);
		it->pcap = strdup(pcap);
	}
	free(ltext);
	fclose(m);
	it->detail = text;
}

void cli_run_one(const struct cli_run_opts *o, const char *path, struct cli_run_item *it)
{
	struct script *s = NULL;
	struct script_error perr;
	char buf[600];
	memset(it, 0, sizeof *it);
	it->path = strdup(path);
	it->suite = cli_run_suite_of(path);
	struct script_parse_config pcfg = {o->defines, o->n_defines, o->ip_version};
	enum script_status st = script_parse_file_cfg(path, &pcfg, &s, &perr);
	if (st != SCRIPT_OK) {
		it->verdict = CLI_RUN_ERROR;
		it->line = perr.loc.line;
		snprintf(buf, sizeof buf, "%s\n", perr.text);
		it->messages = strdup(buf);
		return;
	}
	struct engine_options eo;
	engine_options_defaults(&eo);
	eo.dut_ops = o->dut;
	eo.profile = o->profile;
	eo.seed = o->seed;
	eo.ignore_options = o->ignore_options;
	eo.ignore_win = o->ignore_win;
	eo.skip_shell = o->skip_shell;
	eo.tolerance_ns = o->tolerance_ns;
	eo.ip_version = o->ip_version;
	eo.cli_local_ip = o->local_ip;
	eo.cli_remote_ip = o->remote_ip;
	if (!engine_check_options(s, &eo, buf, sizeof buf - 1)) {
		strcat(buf, "\n");
		it->verdict = CLI_RUN_ERROR;
		it->messages = strdup(buf);
		script_free(s);
		return;
	}
	char why[400];
	if (engine_skip_reason(s, &eo, why, sizeof why) != NULL) {
		it->verdict = CLI_RUN_SKIPPED;
		snprintf(buf, sizeof buf, "%s: skipped: %s\n", path, why);
		it->messages = strdup(buf);
		script_free(s);
		return;
	}
	if (o->dry_run) {
		it->verdict = CLI_RUN_PASS;
		it->dry_run = true;
		it->messages = dup_or_empty("");
		script_free(s);
		return;
	}
	struct engine_result r;
	engine_run(s, &eo, &r);
	it->line = r.line;
	it->virtual_ns = r.virtual_ns;
	it->messages = dup_or_empty(r.messages);
	it->diagnostics = r.diagnostics; /* the checker's, for the report */
	r.diagnostics = NULL;
	switch (r.verdict) {
	case ENGINE_PASS:
		it->verdict = CLI_RUN_PASS;
		break;
	case ENGINE_FAIL:
		it->verdict = CLI_RUN_FAIL;
		write_failure(o, s, &r, it);
		break;
	case ENGINE_UNSUPPORTED:
		it->verdict = CLI_RUN_UNSUPPORTED;
		break;
	case ENGINE_SKIPPED:
		it->verdict = CLI_RUN_SKIPPED;
		break;
	case ENGINE_ERROR:
		it->verdict = CLI_RUN_ERROR;
		break;
	}
	engine_result_free(&r);
	script_free(s);
}

void cli_run_item_free(struct cli_run_item *it)
{
	free(it->path);
	free(it->suite);
	free(it->messages);
	free(it->detail);
	free(it->pcap);
	free(it->diagnostics);
}

/* ---- worker processes: records through temporary files ---- */

static void put_str(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	fprintf(f, "%zu %d\n", n, s != NULL);
	if (n)
		fwrite(s, 1, n, f);
}

static char *get_str(FILE *f)
{
	size_t n;
	int present;
	if (fscanf(f, "%zu %d", &n, &present) != 2 || fgetc(f) != '\n')
		return NULL;
	if (!present)
		return NULL;
	char *s = malloc(n + 1);
	if (s == NULL || fread(s, 1, n, f) != n) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

static void put_item(FILE *f, size_t idx, const struct cli_run_item *it)
{
	fprintf(f, "%zu %d %d %" PRIu64 " %d %d\n", idx, (int)it->verdict, it->line, it->virtual_ns,
		(int)it->dry_run, (int)it->write_failed);
	put_str(f, it->messages);
	put_str(f, it->detail);
	put_str(f, it->pcap);
	put_str(f, it->diagnostics);
}

static bool get_item(FILE *f, struct cli_run_item *items, size_t n)
{
	size_t idx;
	int v, line, dry, wfail;
	uint64_t ns;
	if (fscanf(f, "%zu %d %d %" SCNu64 " %d %d", &idx, &v, &line, &ns, &dry, &wfail) != 6 ||
	    fgetc(f) != '\n' || idx >= n)
		return false;
	struct cli_run_item *it = &items[idx];
	it->verdict = (enum cli_run_verdict)v;
	it->line = line;
	it->virtual_ns = ns;
	it->dry_run = dry != 0;
	it->write_failed = wfail != 0;
	it->messages = get_str(f);
	it->detail = get_str(f);
	it->pcap = get_str(f);
	it->diagnostics = get_str(f);
	return true;
}

/* Worker w runs scripts w, w + jobs, ... and writes their records to
 * `fd`, a pipe to the parent (no file: a full /tmp cannot cut a record
 * short unnoticed). Exits 0, or 1 when the records could not be sent. */
static _Noreturn void worker(const struct cli_run_opts *o, struct cli_run_paths *scripts, unsigned w, unsigned jobs, int fd)
{
	FILE *f = fdopen(fd, "w");
	if (f == NULL)
		_exit(1);
	for (size_t i = w; i < scripts->n; i += jobs) {
		struct cli_run_item it;
		cli_run_one(o, scripts->v[i], &it);
		put_item(f, i, &it);
		cli_run_item_free(&it);
	}
	_exit(fflush(f) != 0 || ferror(f) ? 1 : 0);
}

/* Reads every worker's pipe to its end, concurrently (a worker blocks
 * when its pipe is full). */
static int drain(int *fds, char **buf, size_t *len, unsigned jobs)
{
	struct pollfd *pf = calloc(jobs, sizeof *pf);
	size_t *cap = calloc(jobs, sizeof *cap);
	unsigned open_fds = jobs;
	int rc = 0;
	if (pf == NULL || cap == NULL) {
		free(pf);
		free(cap);
		return -1;
	}
	for (unsigned w = 0; w < jobs; w++) {
		pf[w].fd = fds[w];
		pf[w].events = POLLIN;
	}
	while (open_fds > 0) {
		if (poll(pf, jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		for (unsigned w = 0; w < jobs; w++) {
			if (pf[w].fd < 0 || pf[w].revents == 0)
				continue;
			if (cap[w] - len[w] < 65536) {
				size_t nc = cap[w] ? 2 * cap[w] : 131072;
				char *nb = realloc(buf[w], nc);
				if (nb == NULL) {
					rc = -1;
					open_fds = 0;
					break;
				}
				buf[w] = nb;
				cap[w] = nc;
			}
			ssize_t n = read(pf[w].fd, buf[w] + len[w], cap[w] - len[w]);
			if (n > 0) {
				len[w] += (size_t)n;
			} else if (n == 0 || errno != EINTR) {
				if (n < 0)
					rc = -1;
				close(pf[w].fd);
				fds[w] = pf[w].fd = -1;
				open_fds--;
			}
		}
	}
	free(pf);
	free(cap);
	return rc;
}

int cli_run_parallel(const struct cli_run_opts *o, struct cli_run_paths *scripts, struct cli_run_item *items)
{
	unsigned jobs = o->jobs < scripts->n ? o->jobs : (unsigned)scripts->n;
	int *fds = calloc(jobs, sizeof *fds);
	pid_t *pids = calloc(jobs, sizeof *pids);
	char **buf = calloc(jobs, sizeof *buf);
	size_t *len = calloc(jobs, sizeof *len);
	int rc = 0;
	if (fds == NULL || pids == NULL || buf == NULL || len == NULL) {
		free(fds);
		free(pids);
		free(buf);
		free(len);
		return -1;
	}
	fflush(NULL);
	for (unsigned w = 0; w < jobs; w++) {
		int p[2];
		if (pipe(p) != 0) {
			rc = -1;
			jobs = w;
			break;
		}
		if ((pids[w] = cli_signals_fork()) < 0) {
			close(p[0]);
			close(p[1]);
			rc = -1;
			jobs = w;
			break;
		}
		if (pids[w] == 0) {
			close(p[0]);
			for (unsigned k = 0; k < w; k++)
				close(fds[k]);
			worker(o, scripts, w, o->jobs < scripts->n ? o->jobs : (unsigned)scripts->n, p[1]);
		}
		close(p[1]);
		fds[w] = p[0];
	}
	if (drain(fds, buf, len, jobs) != 0)
		rc = -1;
	for (unsigned w = 0; w < jobs; w++) {
		int status = 0;
		while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
			;
		cli_signals_reaped(pids[w]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = -1;
		FILE *f = len[w] ? fmemopen(buf[w], len[w], "r") : NULL;
		while (f != NULL && get_item(f, items, scripts->n))
			;
		if (f != NULL)
			fclose(f);
		free(buf[w]);
	}
	free(fds);
	free(pids);
	free(buf);
	free(len);
	return rc;
}
