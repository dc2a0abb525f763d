/*
 * cli_run.c - `synack run`: run conformance scripts against a DUT adapter
 * and report. This file holds the help, the flags, finding the scripts and
 * the main flow; running them is cli_run_exec.c, reporting cli_run_report.c.
 *
 *   arguments -> script list (files, directories searched for *.pkt, suite
 *   names under conformance/suites/), sorted, de-duplicated, sharded
 *   -> per script: parse (script/), check options and profile, engine_run
 *      (engine/), on failure write <pcap-dir>/<name>.pcap and .ladder.txt
 *   -> -j N: N forked workers, each sending its records through a pipe;
 *      the parent reads them all and prints in sorted order
 *   -> text blocks or JSON lines, a summary table, JUnit XML
 *
 * Same scripts, flags and seed: byte-identical stdout, JUnit and captures.
 * Wall time goes to stderr, and only on a terminal.
 * Exit: 0 all passed (skipped/unsupported allowed), 1 a script failed,
 * 2 bad usage or a malformed script / bad option line.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_run.h"
#include "engine.h"
#include "outfile.h"

#define VERB "run"
#ifndef SYNACK_SUITES_DIR
#define SYNACK_SUITES_DIR "conformance/suites"
#endif
/* The installed suites relative to the binary's directory (CMake passes
 * the install layout's: ../share/synack/suites). */
#ifndef SYNACK_SUITES_REL
#define SYNACK_SUITES_REL "../share/synack/suites"
#endif

void cli_run_help(FILE *out)
{
	fprintf(out,
		"usage: synack run [SCRIPT|DIR|SUITE]... [options]\n"
		"\n"
		"Runs conformance scripts (packetdrill's language plus synack's statements,\n"
		"see conformance/README.md) against a device under test. A DIR is searched\n"
		"for *.pkt; a SUITE is a directory (or script) under conformance/suites/\n"
		"('seed', 'rfc9293/handshake'; 'all', the default, runs every suite).\n"
		"Scripts run in sorted path order.\n"
		"\n"
		"options:\n"
		"  --dut NAME          adapter: %s\n"
		"                      (default sim: our stack on the ENC28J60 model, in\n"
		"                      virtual time; board:PATH.so: your own firmware, built\n"
		"                      against synack_board.h, on the same model)\n"
		"  --profile SPEC      e.g. rfc5961=on,rfc1337=off,timewait-recycle=on (default\n"
		"                      rfc5961=on, rfc1337=off, timewait-recycle=off);\n"
		"                      scripts asking otherwise are skipped\n"
		"  --seed N            run seed (default 1): ISNs, the model's randomness\n"
		"  -j, --jobs N        run in N worker processes (output order unchanged)\n"
		"  --shard I/N         run only the I-th of N deterministic parts (1 <= I <= N)\n"
		"  --junit FILE        also write JUnit XML\n"
		"  --json              JSON lines instead of text\n"
		"  --pcap-dir DIR      where failures' captures and ladders go\n"
		"                      (default synack-failures)\n"
		"  --ignore=LIST       options,win: fields not compared (Linux-written scripts;\n"
		"                      with both, linux-wire scripts run on sim)\n"
		"  --skip-shell        a shell line the DUT cannot run (another kernel's\n"
		"                      sysctl, `../common/defaults.sh`) is passed over\n"
		"                      instead of making the script unsupported; the\n"
		"                      result notes how many (the DUT keeps its own\n"
		"                      settings, so a failure may follow from one)\n"
		"  --mutate NAME       power check: rewrite what the DUT emits before it is\n"
		"                      verified (%s): synack-ack0 sets the ack\n"
		"                      of every SYN-ACK to 0, rst-seq+1 adds one to the seq\n"
		"                      of every RST; the scripts checking them must fail\n"
		"  --tolerance-usecs N timing tolerance (default: the script's, else 4000)\n"
		"  --ip-version V      ipv4, ipv6 or ipv4-mapped-ipv6, as packetdrill's\n"
		"                      --ip_version (over the scripts' own lines); ipv6 runs\n"
		"                      on tap (AF_INET6 sockets, IPv6 on tun0 with MTU 1520,\n"
		"                      fd3d:a0b:17d6::1 and peer fd3d:fa7b:d17d::1 unless\n"
		"                      --local-ip/--remote-ip or the script's lines say),\n"
		"                      not on sim\n"
		"  --local-ip A, --remote-ip A\n"
		"                      the DUT's and the peer's addresses, as packetdrill's\n"
		"                      --local_ip/--remote_ip: over the scripts' own lines\n"
		"  -D, --define NAME=VALUE\n"
		"                      as packetdrill's: a word NAME in the scripts reads as\n"
		"                      VALUE (\"..\" a string, `..` a command, a number, a\n"
		"                      word); NAME= defines it for #ifdef only; overrides\n"
		"                      the scripts' own --define lines\n"
		"  --dry-run           parse and check the scripts, run nothing\n"
		"  -h, --help          this help\n"
		"\n"
		"A script whose //! profile: names a behaviour profile the DUT does not\n"
		"follow is skipped with the reason: sim follows synack-params and\n"
		"rfc9293-strict; tap follows linux-wire, linux-params and\n"
		"linux-right-edge (see conformance/README.md).\n"
		"On sim and board: the chip model's checker lines (rule, datasheet or\n"
		"errata reference) follow each script's result.\n"
		"\n"
		"exit status: 0 no script failed; 1 a script failed; 2 bad usage, a\n"
		"malformed script (file:line:col: message), an unknown option line or\n"
		"counter, or an output file that could not be written (it is then absent);\n"
		"128 + the signal after SIGINT/SIGTERM (no worker or partial file is left).\n",
		engine_dut_names(), engine_mutations());
}


static int vec_push(struct cli_run_paths *s, const char *str)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **n = realloc(s->v, cap * sizeof *n);
		if (n == NULL)
			return -1;
		s->v = n;
		s->cap = cap;
	}
	if ((s->v[s->n] = strdup(str)) == NULL)
		return -1;
	s->n++;
	return 0;
}

static void vec_free(struct cli_run_paths *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Directories already searched in one argument's tree, by device and
 * inode: a symlink loop (d/loop -> d) or a second name for a directory
 * is searched once instead of until the path is 40 links deep. */
struct visited {
	struct {
		dev_t dev;
		ino_t ino;
	} *v;
	size_t n, cap;
};

/* Returns 1 when dir was searched already, 0 after recording it, -1 on
 * error (reported). */
static int visit(struct visited *seen, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		cli_error(VERB, "%s: cannot read directory: %s", dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < seen->n; i++)
		if (seen->v[i].dev == st.st_dev && seen->v[i].ino == st.st_ino)
			return 1;
	if (seen->n == seen->cap) {
		size_t cap = seen->cap ? 2 * seen->cap : 32;
		void *n = realloc(seen->v, cap * sizeof *seen->v);
		if (n == NULL) {
			cli_error(VERB, "out of memory");
			return -1;
		}
		seen->v = n;
		seen->cap = cap;
	}
	seen->v[seen->n].dev = st.st_dev;
	seen->v[seen->n].ino = st.st_ino;
	seen->n++;
	return 0;
}

/* Adds dir's *.pkt files, recursively. Returns 0, or -1 after reporting. */
static int find_pkts(const char *dir, struct cli_run_paths *out, struct visited *seen)
{
	int v = visit(seen, dir);
	if (v != 0) {
		if (v > 0)
			cli_error(VERB, "%s: directory already searched (a symlink loop or a second name), skipped",
				  dir);
		return v > 0 ? 0 : -1;
	}
	DIR *d = opendir(dir);
	if (d == NULL) {
		cli_error(VERB, "%s: cannot read directory: %s", dir, strerror(errno));
		return -1;
	}
	/* Sorted entries, so which of two names for a directory is searched
	 * (and reported) does not depend on the file system's order. */
	struct cli_run_paths names = {0};
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && vec_push(&names, de->d_name) != 0)
			rc = -1;
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof names.v[0], cmp_str);
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		size_t n = strlen(dir) + strlen(names.v[i]) + 2;
		char *p = malloc(n);
		if (p == NULL) {
			rc = -1;
			break;
		}
		snprintf(p, n, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", names.v[i]);
		if (is_dir(p))
			rc = find_pkts(p, out, seen);
		else if (ends_with(p, ".pkt") && is_file(p) && vec_push(out, p) != 0)
			rc = -1;
		free(p);
	}
	vec_free(&names);
	return rc;
}

/* One tree, its own record of visited directories. */
static int find_tree(const char *dir, struct cli_run_paths *out)
{
	struct visited seen = {0};
	int rc = find_pkts(dir, out, &seen);
	free(seen.v);
	return rc;
}

/* Where the suites are: conformance/suites under the working directory (a
 * checkout), then beside an installed binary (PREFIX/bin/synack ->
 * PREFIX/share/synack/suites, found through /proc/self/exe, so an installed
 * synack needs no source tree), then the source tree it was built from. A
 * binary in the build tree has no share/ beside it and keeps using its
 * source tree. */
static const char *suites_dir(void)
{
	static char installed[2048 + sizeof SYNACK_SUITES_REL + 1];
	if (is_dir("conformance/suites"))
		return "conformance/suites";
	char dir[2048];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n > 0) {
		dir[n] = '\0';
		/* The binary's directory, then one level up per leading "../",
		 * so reports say PREFIX/share/..., not PREFIX/bin/../share/... */
		const char *rel = SYNACK_SUITES_REL;
		char *slash = strrchr(dir, '/');
		if (slash != NULL)
			*slash = '\0';
		while (slash != NULL && strncmp(rel, "../", 3) == 0 && (slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			rel += 3;
		}
		if (slash != NULL) {
			snprintf(installed, sizeof installed, "%s/%s", dir, rel);
			if (is_dir(installed))
				return installed;
		}
	}
	if (is_dir(SYNACK_SUITES_DIR))
		return SYNACK_SUITES_DIR;
	return NULL;
}

/* Adds the scripts an argument names; returns false after reporting. */
static bool collect(const char *arg, struct cli_run_paths *out)
{
	/* "" would name the suites directory itself ("suites/"): every
	 * suite, which is not what an empty name asks for. */
	if (arg[0] == '\0') {
		cli_error(VERB, "'' is not a script, a directory or a suite (an empty name)");
		return false;
	}
	if (is_file(arg))
		return vec_push(out, arg) == 0;
	if (is_dir(arg))
		return find_tree(arg, out) == 0;
	const char *sd = suites_dir();
	if (sd == NULL) {
		cli_error(VERB, "'%s' is not a file or directory, and no conformance/suites/ was found", arg);
		return false;
	}
	if (strcmp(arg, "all") == 0)
		return find_tree(sd, out) == 0;
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", sd, arg);
	/* A suite may be nested ("rfc9293/handshake") or one script in it. */
	if (arg[0] != '/' && strstr(arg, "..") == NULL && is_dir(p))
		return find_tree(p, out) == 0;
	if (arg[0] != '/' && strstr(arg, "..") == NULL && ends_with(p, ".pkt") && is_file(p))
		return vec_push(out, p) == 0;
	cli_error(VERB, "'%s' is not a script, a directory or a suite under %s", arg, sd);
	return false;
}

/* "name=on|off" for the first profile bit in `bits`, as prof sets it. */
const char *cli_profile_item(uint8_t bits, uint8_t prof)
{
	static const struct { uint8_t bit; const char *on, *off; } items[] = {
		{DUT_PROFILE_RFC5961, "rfc5961=on", "rfc5961=off"},
		{DUT_PROFILE_RFC1337, "rfc1337=on", "rfc1337=off"},
		{DUT_PROFILE_TW_RECYCLE, "timewait-recycle=on", "timewait-recycle=off"},
	};
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		if (bits & items[i].bit)
			return (prof & items[i].bit) ? items[i].on : items[i].off;
	return "?";
}

/* -D / --define NAME=VALUE: NAME a C identifier (packetdrill's words),
 * VALUE anything, empty for a name #ifdef sees with no value to substitute. */
static bool add_define(struct cli_run_opts *o, const char *flag, const char *v)
{
	const char *eq = v ? strchr(v, '=') : NULL;
	bool ok = eq != NULL && eq != v;
	for (const char *c = v; ok && c < eq; c++)
		ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' ||
		     (c > v && *c >= '0' && *c <= '9');
	if (!ok) {
		cli_error(VERB, "%s: expected NAME=VALUE, got '%s'", flag, v ? v : "");
		return false;
	}
	size_t n = (size_t)(eq - v);
	size_t i = 0;
	while (i < o->n_defines && (strlen(o->defines[i].name) != n || strncmp(o->defines[i].name, v, n) != 0))
		i++;
	if (i == o->n_defines) {
		if (o->n_defines == sizeof o->defines / sizeof o->defines[0]) {
			cli_error(VERB, "%s: more than %zu defines", flag, sizeof o->defines / sizeof o->defines[0]);
			return false;
		}
		o->defines[o->n_defines++].name = strndup(v, n);
	}
	o->defines[i].value = eq[1] != '\0' ? eq + 1 : NULL;
	return o->defines[i].name != NULL;
}

/* Returns CLI_OK or CLI_USAGE after reporting. Positional arguments go to
 * inputs. */
static int parse_args(struct cli_run_opts *o, struct cli_run_paths *inputs, int argc, char **argv)
{
	struct cli_args a;
	const char *flag, *v;
	bool bad = false;
	uint64_t n;
	memset(o, 0, sizeof *o);
	o->dut = engine_find_dut("sim");
	o->profile = DUT_PROFILE_RFC5961;
	o->seed = 1;
	o->jobs = 1;
	o->pcap_dir = "synack-failures";
	o->tolerance_ns = -1;
	cli_args_init(&a, VERB, argc, argv);
	for (;;) {
		if (a.i < a.argc && (a.argv[a.i][0] != '-' || strcmp(a.argv[a.i], "-") == 0)) {
			if (vec_push(inputs, a.argv[a.i++]) != 0)
				return CLI_USAGE;
			continue;
		}
		if (a.i < a.argc && strncmp(a.argv[a.i], "-j", 2) == 0) {
			const char *jv = a.argv[a.i][2] ? a.argv[a.i] + 2 : (a.i + 1 < a.argc ? a.argv[a.i + 1] : NULL);
			a.i += a.argv[a.i][2] ? 1 : 2;
			if (jv == NULL) {
				cli_error(VERB, "-j: missing value");
				return CLI_USAGE;
			}
			if (!cli_parse_u64(VERB, "-j", jv, 1, 256, "a number of jobs (1..256)", &n))
				return CLI_USAGE;
			o->jobs = (unsigned)n;
			continue;
		}
		if (a.i < a.argc && strncmp(a.argv[a.i], "-D", 2) == 0) {
			/* -D NAME=VALUE or -DNAME=VALUE, as packetdrill's getopt takes it */
			const char *dv = a.argv[a.i][2] ? a.argv[a.i] + 2 : (a.i + 1 < a.argc ? a.argv[a.i + 1] : NULL);
			a.i += a.argv[a.i][2] ? 1 : 2;
			if (dv == NULL) {
				cli_error(VERB, "-D: missing NAME=VALUE");
				return CLI_USAGE;
			}
			if (!add_define(o, "-D", dv))
				return CLI_USAGE;
			continue;
		}
		if ((flag = cli_args_next(&a, &bad)) == NULL)
			break;
		if (strcmp(flag, "--help") == 0) {
			o->help = true;
		} else if (strcmp(flag, "--skip-shell") == 0) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			o->skip_shell = true;
		} else if (strcmp(flag, "--json") == 0 || strcmp(flag, "--dry-run") == 0) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			if (flag[3] == 's')
				o->json = true;
			else
				o->dry_run = true;
		} else if (strcmp(flag, "--dut") == 0) {
			if ((v = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
			char derr[1200];
			if ((o->dut = engine_dut_lookup(v, derr, sizeof derr)) == NULL) {
				cli_error(VERB, "--dut: %s", derr);
				return CLI_USAGE;
			}
			o->dut_spec = v;
		} else if (strcmp(flag, "--profile") == 0) {
			if ((v = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
			if (!engine_parse_profile(v, &o->profile)) {
				cli_error(VERB, "--profile: expected e.g. rfc5961=on,rfc1337=off, got '%s'", v);
				return CLI_USAGE;
			}
		} else if (strcmp(flag, "--seed") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, v, 0, UINT64_MAX, "a non-negative integer", &o->seed))
				return CLI_USAGE;
		} else if (strcmp(flag, "--jobs") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, "-j", v, 1, 256, "a number of jobs (1..256)", &n))
				return CLI_USAGE;
			o->jobs = (unsigned)n;
		} else if (strcmp(flag, "--shard") == 0) {
			uint64_t si, sn;
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_fraction(VERB, flag, v, UINT32_MAX, "I/N with 1 <= I <= N <= 4294967295", &si,
						&sn))
				return CLI_USAGE;
			o->shard_i = (unsigned)si;
			o->shard_n = (unsigned)sn;
		} else if (strcmp(flag, "--junit") == 0) {
			if ((o->junit = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else if (strcmp(flag, "--pcap-dir") == 0) {
			if ((o->pcap_dir = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else if (strcmp(flag, "--ignore") == 0) {
			if ((v = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
			if (!engine_parse_ignore(v, &o->ignore_options, &o->ignore_win)) {
				cli_error(VERB, "--ignore: expected a list of options,win, got '%s'", v);
				return CLI_USAGE;
			}
		} else if (strcmp(flag, "--mutate") == 0) {
			if ((o->mutate = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else if (strcmp(flag, "--ip-version") == 0) {
			if ((v = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
			if (strcmp(v, "ipv4") != 0 && strcmp(v, "ipv6") != 0 && strcmp(v, "ipv4-mapped-ipv6") != 0) {
				cli_error(VERB, "--ip-version: expected ipv4, ipv6 or ipv4-mapped-ipv6, got '%s'", v);
				return CLI_USAGE;
			}
			o->ip_version = v;
		} else if (strcmp(flag, "--local-ip") == 0 || strcmp(flag, "--remote-ip") == 0) {
			unsigned char a46[16];
			if ((v = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
			if (inet_pton(AF_INET, v, a46) != 1 && inet_pton(AF_INET6, v, a46) != 1) {
				cli_error(VERB, "%s: expected an IPv4 or IPv6 address, got '%s'", flag, v);
				return CLI_USAGE;
			}
			if (flag[2] == 'l')
				o->local_ip = v;
			else
				o->remote_ip = v;
		} else if (strcmp(flag, "--define") == 0) {
			if ((v = cli_args_value(&a)) == NULL || !add_define(o, flag, v))
				return CLI_USAGE;
		} else if (strcmp(flag, "--tolerance-usecs") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, v, 0, 1000000000, "microseconds", &n))
				return CLI_USAGE;
			o->tolerance_ns = (int64_t)n * 1000;
		} else {
			cli_error(VERB, "unknown option '%s' (see 'synack help run')", flag);
			return CLI_USAGE;
		}
	}
	if (!bad && o->mutate != NULL) {
		char err[200];
		if ((o->dut = dut_mutate_wrap(o->dut, o->mutate, err, sizeof err)) == NULL) {
			cli_error(VERB, "--mutate: %s", err);
			return CLI_USAGE;
		}
	}
	return bad ? CLI_USAGE : CLI_OK;
}

int cli_run_main(int argc, char **argv)
{
	struct cli_run_opts o;
	struct cli_run_paths inputs = {0}, all = {0}, scripts = {0};
	int status = CLI_USAGE;
	struct cli_run_item *items = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cli_signals_install();

	if (parse_args(&o, &inputs, argc, argv) != CLI_OK)
		goto out;
	if (o.help) {
		cli_run_help(stdout);
		status = CLI_OK;
		goto out;
	}
	uint8_t bad = (uint8_t)((o.profile & ~o.dut->profiles_supported) | (o.dut->profiles_fixed & ~o.profile));
	if (bad) {
		cli_error(VERB, "--profile: the %s DUT cannot run %s", o.dut->name, cli_profile_item(bad, o.profile));
		goto out;
	}
	if (inputs.n == 0 && !collect("all", &all))
		goto out;
	for (size_t i = 0; i < inputs.n; i++)
		if (!collect(inputs.v[i], &all))
			goto out;
	/* Checked before the sort: qsort's base must not be NULL, even for
	 * zero elements. */
	if (all.n == 0) {
		cli_error(VERB, "no scripts found");
		goto out;
	}
	qsort(all.v, all.n, sizeof all.v[0], cmp_str);
	for (size_t i = 0, k = 0; i < all.n; i++) {
		if (i > 0 && strcmp(all.v[i], all.v[i - 1]) == 0)
			continue;
		if ((o.shard_n == 0 || k++ % o.shard_n == o.shard_i - 1u) && vec_push(&scripts, all.v[i]) != 0) {
			cli_error(VERB, "out of memory");
			goto out;
		}
	}
	/* An output that is also an input would be overwritten by the run's
	 * report (--junit x.pkt x.pkt): refused before anything runs. */
	for (size_t i = 0; o.junit != NULL && i < all.n; i++)
		if (sim_same_file(o.junit, all.v[i])) {
			cli_error(VERB, "--junit: '%s' is the script '%s'; refusing to overwrite an input", o.junit,
				  all.v[i]);
			goto out;
		}
	items = calloc(scripts.n ? scripts.n : 1, sizeof *items);
	if (items == NULL)
		goto out;
	bool tty = isatty(STDERR_FILENO) != 0;
	if (o.jobs > 1 && scripts.n > 1) {
		for (size_t i = 0; i < scripts.n; i++) {
			items[i].path = strdup(scripts.v[i]);
			items[i].suite = cli_run_suite_of(scripts.v[i]);
			items[i].verdict = CLI_RUN_ERROR;
		}
		if (cli_run_parallel(&o, &scripts, items) != 0)
			cli_error(VERB, "a worker process failed");
	} else {
		for (size_t i = 0; i < scripts.n; i++) {
			if (tty)
				fprintf(stderr, "\r\033[K[%zu/%zu] %s", i + 1, scripts.n, scripts.v[i]);
			cli_run_one(&o, scripts.v[i], &items[i]);
		}
		if (tty)
			fprintf(stderr, "\r\033[K");
	}
	bool any_fail = false, any_error = false;
	for (size_t i = 0; i < scripts.n; i++) {
		if (o.json)
			cli_run_json(stdout, &items[i]);
		else
			cli_run_text(stdout, &items[i], o.dut->virtual_time ? "virtual" : "real time");
		any_fail |= items[i].verdict == CLI_RUN_FAIL;
		any_error |= items[i].verdict == CLI_RUN_ERROR;
		if (items[i].verdict == CLI_RUN_ERROR && items[i].messages)
			fputs(items[i].messages, stderr);
		if (items[i].write_failed) {
			/* The last line of the detail says which file and why. */
			const char *d = items[i].detail ? items[i].detail : "";
			size_t n = strlen(d);
			while (n > 0 && d[n - 1] == '\n')
				n--;
			const char *last = d + n;
			while (last > d && last[-1] != '\n')
				last--;
			cli_error(VERB, "--pcap-dir: %.*s", (int)(d + n - last), last);
			any_error = true;
		}
	}
	struct cli_run_context ctx = {o.dut, o.dut_spec, o.profile, o.tolerance_ns, inputs.v, inputs.n};
	cli_run_summary(stdout, items, scripts.n, o.json, &ctx);
	char jerr[600];
	if (o.junit && cli_run_junit(o.junit, items, scripts.n, jerr, sizeof jerr) != 0) {
		cli_error(VERB, "--junit: %s", jerr);
		any_error = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (tty)
		fprintf(stderr, "wall time %.3f s\n",
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	status = any_error ? CLI_USAGE : any_fail ? CLI_FAIL : CLI_OK;
out:
	for (size_t i = 0; items && i < scripts.n; i++)
		cli_run_item_free(&items[i]);
	free(items);
	vec_free(&inputs);
	vec_free(&all);
	vec_free(&scripts);
	return status;
}
