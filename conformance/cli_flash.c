/*
 * cli_flash.c - `synack flash avr|stm32 IMAGE`: program a board with a
 * firmware image, but only one whose verification record (written by
 * `synack verify`, cli_verify.c) passed and still matches the image's
 * bytes.
 *
 *   IMAGE (.elf, .hex or .bin) -> <stem>.verify.json (json_read.h)
 *     -> the gate: a record exists, is for this target, says passed, and
 *        lists IMAGE with the SHA-256 IMAGE has now (a .hex or .bin must
 *        also hold the ELF's flash bytes, as verify found)
 *     -> the programmer's command: avrdude (the Arduino bootloader),
 *        st-flash or openocd (--programmer)
 *     -> --dry-run prints it; otherwise it runs (execvp: whatever that name
 *        is on PATH), and its exit status decides ours
 *
 * A refusal says which check failed. --force programs anyway, with a
 * warning naming what the gate found.
 *
 * Exit status: 0 programmed (or, with --dry-run, would be); 1 refused, or
 * the programmer failed; 2 bad usage, or the programmer is not installed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "fw_image.h"
#include "json_read.h"

#define VERB "flash"
#define MAX_ARGV 24
#define STM32_FLASH_BASE "0x08000000"

void cli_flash_help(FILE *out)
{
	fprintf(out,
		"usage: synack flash avr IMAGE --port DEVICE [--baud N] [options]\n"
		"       synack flash stm32 IMAGE [--programmer st-flash|openocd] [options]\n"
		"\n"
		"Programs a board with IMAGE (.elf, .hex or .bin) if, and only if, the\n"
		"verification record beside it (IMAGE.verify.json, from 'synack verify')\n"
		"passed and lists IMAGE with the SHA-256 it has now. An image with no\n"
		"record, a failed record or bytes changed since it was verified is\n"
		"refused, saying which.\n"
		"\n"
		"  avr    avrdude through the Arduino bootloader (-c arduino, ATmega328P),\n"
		"         on --port (e.g. /dev/ttyUSB0) at --baud (default 115200; older\n"
		"         Nanos: 57600)\n"
		"  stm32  st-flash (default; .bin or .hex) or openocd (--programmer\n"
		"         openocd; ST-LINK, any of the three files)\n"
		"\n"
		"options:\n"
		"  --programmer NAME  avrdude (avr); st-flash or openocd (stm32)\n"
		"  --dry-run          check the record and print the exact programmer\n"
		"                     command, run nothing\n"
		"  --force            program even an unverified image (with a warning)\n"
		"  -h, --help         this help\n"
		"\n"
		"The programmers come from Debian: apt install avrdude stlink-tools openocd\n"
		"(scripts/install-deps.sh installs them).\n"
		"\n"
		"exit status: 0 programmed (with --dry-run: would be); 1 refused, or the\n"
		"programmer failed; 2 bad usage, or the programmer is not installed.\n");
}

struct flash_opts {
	const char *target, *image, *port, *programmer, *baud;
	bool dry_run, force, help;
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

/* ---- the gate ---- */

/* Checks IMAGE against its record. Returns true when it may be flashed;
 * otherwise why not is in `why`. */
static bool gate(const struct flash_opts *o, char *why, size_t cap)
{
	char record[4200], sha[65], err[1200];
	if (!cli_record_path(o->image, record, sizeof record)) {
		snprintf(why, cap, "%s: not an .elf, .hex or .bin name, so it has no record", o->image);
		return false;
	}
	if (fw_sha256_file(o->image, sha, err, sizeof err) != 0) {
		snprintf(why, cap, "%s", err);
		return false;
	}
	FILE *f = fopen(record, "rb");
	if (f == NULL) {
		snprintf(why, cap, "no verification record: %s: %s (run 'synack verify' on the image's .elf first)",
			 record, strerror(errno));
		return false;
	}
	char *text = NULL;
	size_t len = 0, cap2 = 0;
	for (;;) {
		if (len + 4096 > cap2) {
			char *n = realloc(text, cap2 ? cap2 * 2 : 65536);
			if (n == NULL)
				break;
			text = n;
			cap2 = cap2 ? cap2 * 2 : 65536;
		}
		size_t k = fread(text + len, 1, cap2 - len, f);
		if (k == 0)
			break;
		len += k;
	}
	fclose(f);
	struct json_value *r = text ? json_parse(text, len, err, sizeof err) : NULL;
	free(text);
	if (r == NULL) {
		snprintf(why, cap, "%s: not a verification record (%s)", record, text ? err : "out of memory");
		return false;
	}
	bool ok = false;
	const struct json_value *img = json_get(r, "image");
	const char *target = json_string(json_get(r, "target"));
	if (strcmp(json_string(json_get(r, "format")) ? json_string(json_get(r, "format")) : "",
		   "synack-verification 1") != 0 || img == NULL || target == NULL) {
		snprintf(why, cap, "%s: not a synack-verification 1 record", record);
	} else if (strcmp(target, o->target) != 0) {
		snprintf(why, cap, "%s: the record is for an %s image, not %s", record, target, o->target);
	} else if (!json_true(json_get(r, "passed"))) {
		const char *reason = json_string(json_get(r, "reason"));
		snprintf(why, cap, "failed record: %s says the image FAILED verification (%s)", record,
			 reason ? reason : "no reason given");
	} else {
		/* The file being flashed: the ELF itself, or one the record lists. */
		const char *want = NULL;
		bool same = true;
		const char *name = base_name(o->image);
		if (strcmp(json_string(json_get(img, "file")) ? json_string(json_get(img, "file")) : "", name) == 0) {
			want = json_string(json_get(img, "sha256"));
		} else {
			const struct json_value *files = json_get(r, "files");
			for (const struct json_value *e = files ? files->child : NULL; e; e = e->next)
				if (strcmp(json_string(json_get(e, "file")) ? json_string(json_get(e, "file")) : "", name) == 0) {
					want = json_string(json_get(e, "sha256"));
					same = json_true(json_get(e, "same_flash_as_elf"));
				}
		}
		if (want == NULL)
			snprintf(why, cap, "%s: the record does not cover %s (it covers the files verify found beside %s)",
				 record, name, json_string(json_get(img, "file")));
		else if (strcmp(want, sha) != 0)
			snprintf(why, cap, "modified image: %s has sha256 %s, the record %s has %s (changed since it was verified)",
				 o->image, sha, record, want);
		else if (!same)
			snprintf(why, cap, "%s does not hold the verified ELF's flash bytes (the record says so): rebuild it",
				 o->image);
		else
			ok = true;
	}
	if (ok)
		snprintf(why, cap, "%s: passed, sha256 %s matches", record, sha);
	json_free(r);
	return ok;
}

/* ---- the programmer ---- */

/* Fills argv (strings in store); returns the count, or 0 after reporting
 * a usage error. */
static size_t command(const struct flash_opts *o, char **argv, char *store, size_t cap)
{
	size_t n = 0, used = 0;
#define ARG(...)                                                                                             \
	do {                                                                                                   \
		int w_ = snprintf(store + used, cap - used, __VA_ARGS__);                                      \
		if (w_ < 0 || (size_t)w_ >= cap - used || n + 1 >= MAX_ARGV)                                   \
			return 0;                                                                              \
		argv[n++] = store + used;                                                                      \
		used += (size_t)w_ + 1;                                                                        \
	} while (0)
	bool elf = ends_with(o->image, ".elf"), bin = ends_with(o->image, ".bin");
	if (strcmp(o->target, "avr") == 0) {
		/* avrdude's file formats: i = Intel HEX, e = ELF, r = raw. -D:
		 * the bootloader erases as it writes. */
		ARG("avrdude");
		ARG("-p");
		ARG("atmega328p");
		ARG("-c");
		ARG("arduino");
		ARG("-P");
		ARG("%s", o->port);
		ARG("-b");
		ARG("%s", o->baud ? o->baud : "115200");
		ARG("-D");
		ARG("-U");
		ARG("flash:w:%s:%c", o->image, elf ? 'e' : bin ? 'r' : 'i');
	} else if (strcmp(o->programmer, "st-flash") == 0) {
		if (elf) {
			cli_error(VERB, "st-flash writes .bin or .hex files, not %s (give the .bin beside it, or "
					"--programmer openocd)", o->image);
			return 0;
		}
		ARG("st-flash");
		ARG("--reset");
		if (!bin) {
			ARG("--format");
			ARG("ihex");
		}
		ARG("write");
		ARG("%s", o->image);
		if (bin)
			ARG(STM32_FLASH_BASE);
	} else {
		ARG("openocd");
		ARG("-f");
		ARG("interface/stlink.cfg");
		ARG("-f");
		ARG("target/stm32f1x.cfg");
		ARG("-c");
		ARG("program %s%s verify reset exit", o->image, bin ? " " STM32_FLASH_BASE : "");
	}
#undef ARG
	argv[n] = NULL;
	return n;
}

/* An argument as a shell would need it: as it is, or in single quotes. */
static void print_arg(FILE *f, const char *arg)
{
	bool plain = *arg != '\0';
	for (const char *p = arg; *p; p++)
		plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=,:+-@%", *p) != NULL;
	if (plain) {
		fputs(arg, f);
		return;
	}
	fputc('\'', f);
	for (const char *p = arg; *p; p++)
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	fputc('\'', f);
}

static int run_programmer(char **argv)
{
	fflush(stdout);
	pid_t pid = cli_signals_fork();
	if (pid < 0) {
		cli_error(VERB, "cannot start %s: %s", argv[0], strerror(errno));
		return CLI_USAGE;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "synack flash: cannot run %s: %s (install it: apt install %s, or scripts/install-deps.sh)\n",
			argv[0], strerror(errno), strcmp(argv[0], "st-flash") == 0 ? "stlink-tools" : argv[0]);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	cli_signals_reaped(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		printf("flash: %s done\n", argv[0]);
		return CLI_OK;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return CLI_USAGE;
	if (WIFEXITED(st))
		cli_error(VERB, "%s exited with status %d: the board may not be programmed", argv[0], WEXITSTATUS(st));
	else
		cli_error(VERB, "%s was killed by signal %d: the board may not be programmed", argv[0], WTERMSIG(st));
	return CLI_FAIL;
}

/* ---- the verb ---- */

static int parse_args(struct flash_opts *o, int argc, char **argv)
{
	struct cli_args a;
	const char *flag;
	bool bad = false;
	cli_args_init(&a, VERB, argc, argv);
	for (;;) {
		if (a.i < a.argc && a.argv[a.i][0] != '-') {
			const char *p = a.argv[a.i++];
			if (o->target == NULL) {
				o->target = p;
			} else if (o->image == NULL) {
				o->image = p;
			} else {
				cli_error(VERB, "unexpected argument '%s' (see 'synack help flash')", p);
				return CLI_USAGE;
			}
			continue;
		}
		if ((flag = cli_args_next(&a, &bad)) == NULL)
			break;
		if (strcmp(flag, "--help") == 0) {
			o->help = true;
		} else if (strcmp(flag, "--dry-run") == 0 || strcmp(flag, "--force") == 0) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			if (flag[2] == 'd')
				o->dry_run = true;
			else
				o->force = true;
		} else if (strcmp(flag, "--port") == 0) {
			if ((o->port = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else if (strcmp(flag, "--programmer") == 0) {
			if ((o->programmer = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
		} else if (strcmp(flag, "--baud") == 0) {
			uint64_t n;
			if ((o->baud = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, o->baud, 300, 4000000, "a baud rate", &n))
				return CLI_USAGE;
		} else {
			cli_error(VERB, "unknown option '%s' (see 'synack help flash')", flag);
			return CLI_USAGE;
		}
	}
	if (bad)
		return CLI_USAGE;
	if (o->help)
		return CLI_OK;
	if (o->target == NULL || (strcmp(o->target, "avr") != 0 && strcmp(o->target, "stm32") != 0)) {
		cli_error(VERB, "expected the target, avr or stm32, got '%s' (see 'synack help flash')",
			  o->target ? o->target : "");
		return CLI_USAGE;
	}
	if (o->image == NULL) {
		cli_error(VERB, "expected IMAGE (.elf, .hex or .bin) after '%s'", o->target);
		return CLI_USAGE;
	}
	bool avr = strcmp(o->target, "avr") == 0;
	if (o->programmer == NULL)
		o->programmer = avr ? "avrdude" : "st-flash";
	if (avr ? strcmp(o->programmer, "avrdude") != 0
		: strcmp(o->programmer, "st-flash") != 0 && strcmp(o->programmer, "openocd") != 0) {
		cli_error(VERB, "--programmer: expected %s, got '%s'", avr ? "avrdude" : "st-flash or openocd",
			  o->programmer);
		return CLI_USAGE;
	}
	if (avr && o->port == NULL) {
		cli_error(VERB, "avr: --port is required (the board's serial port, e.g. /dev/ttyUSB0)");
		return CLI_USAGE;
	}
	if (!avr && (o->port != NULL || o->baud != NULL)) {
		cli_error(VERB, "stm32: --port and --baud are for avr (the ST-LINK is found over USB)");
		return CLI_USAGE;
	}
	if (!ends_with(o->image, ".elf") && !ends_with(o->image, ".hex") && !ends_with(o->image, ".ihex") &&
	    !ends_with(o->image, ".bin")) {
		cli_error(VERB, "%s: expected a .elf, .hex or .bin file", o->image);
		return CLI_USAGE;
	}
	return CLI_OK;
}

int cli_flash_main(int argc, char **argv)
{
	struct flash_opts o;
	memset(&o, 0, sizeof o);
	int rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK || o.help) {
		if (o.help)
			cli_flash_help(stdout);
		return rc;
	}
	char why[6000], store[8192], *pargv[MAX_ARGV];
	if (access(o.image, R_OK) != 0) {
		cli_error(VERB, "%s: %s", o.image, strerror(errno));
		return CLI_USAGE;
	}
	bool ok = gate(&o, why, sizeof why);
	if (!ok && !o.force) {
		cli_error(VERB, "refused: %s", why);
		fprintf(stderr, "synack flash: --force programs it anyway\n");
		return CLI_FAIL;
	}
	if (!ok)
		fprintf(stderr, "synack flash: WARNING: --force: programming an unverified image: %s\n", why);
	else
		printf("flash: %s\n", why);
	if (command(&o, pargv, store, sizeof store) == 0)
		return CLI_USAGE;
	if (o.dry_run) {
		for (size_t i = 0; pargv[i] != NULL; i++) {
			if (i)
				putchar(' ');
			print_arg(stdout, pargv[i]);
		}
		putchar('\n');
		return CLI_OK;
	}
	return run_programmer(pargv);
}
