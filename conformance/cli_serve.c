/*
 * cli_serve.c - `synack serve`: the simulated board on a real network,
 * for real clients (through libslirp) or for the Linux kernel (through a
 * TAP device in a network namespace of its own).
 *
 *   parse flags -> board (our stack | board:PATH.so via dut_board_load |
 *   --firmware) -> serve_open (sim/serve.h) -> serve_boot -> banner ->
 *   serve_run until a signal, --duration or the client's end ->
 *   serve_close_capture -> summary -> serve_free
 *
 * Signals: the first SIGINT, SIGTERM or SIGHUP only asks the loop to stop,
 * so the capture is flushed and renamed into place and the TAP device and
 * the namespace are removed as on any other stop; a second one while that
 * happens removes the capture's temporary file and the namespace's name
 * and exits 128 + the signal at once, as the other verbs do on the first.
 */
#define _GNU_SOURCE /* memrchr */
#include <arpa/inet.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "outfile.h"
#include "serve.h"

#define VERB "serve"

void cli_serve_help(FILE *out)
{
	fprintf(out,
		"usage: synack serve [options]\n"
		"\n"
		"Run a simulated board (an MCU and the ENC28J60 model) with its wire on a real\n"
		"network, until ^C. Our stack serves TCP echo on 8888 and an HTTP status page on\n"
		"80 at 10.0.2.15 (gateway 10.0.2.2, DNS 10.0.2.3: the libslirp network plan).\n"
		"\n"
		"the board:\n"
		"  --dut sim              our driver and stack (the default)\n"
		"  --dut board:PATH.so    your firmware, built against synack_board.h\n"
		"  --firmware IMAGE.elf   an AVR image in simavr (its own echo and HTTP; no --connect)\n"
		"\n"
		"the network:\n"
		"  --net slirp            (default) libslirp, no privileges: the device reaches\n"
		"                         the host and beyond through slirp's NAT; virtual time\n"
		"                         follows the wall clock\n"
		"  --forward tcp:[HOST]:PORT-[GUEST]:PORT\n"
		"                         slirp: HOST:PORT on this machine reaches the device's\n"
		"                         port (HOST defaults to 127.0.0.1, GUEST to the device;\n"
		"                         udp: too); repeatable, e.g. tcp:127.0.0.1:18888-:8888\n"
		"  --guestfwd tcp:IP:PORT-echo|discard\n"
		"                         slirp: the device connecting to IP:PORT (a free address\n"
		"                         of 10.0.2.0/24) reaches a service inside synack\n"
		"  --restrict             slirp: no NAT, only slirp's addresses and the forwards\n"
		"  --deterministic        slirp: virtual time runs free of the wall clock, no host\n"
		"                         socket is used (no --forward); with the same flags the\n"
		"                         capture and the summary are the same bytes every run\n"
		"  --net tap              a TAP device (the kernel at 10.0.2.2) in a network\n"
		"                         namespace of its own; needs CAP_NET_ADMIN and\n"
		"                         CAP_SYS_ADMIN; enter it with the nsenter line printed\n"
		"  --netns NAME           tap: also name the namespace (ip netns exec NAME ...)\n"
		"\n"
		"the application (needs connect/send/recv/close in the firmware):\n"
		"  --connect IP:PORT      once booted, connect out, send --send bytes, expect them\n"
		"                         back, close; serve then stops (exit 1 if that failed)\n"
		"  --send BYTES           bytes for --connect to send (default 65536)\n"
		"\n"
		"output:\n"
		"  --pcap FILE            the device's wire (pcap, ns timestamps), complete when\n"
		"                         serve stops, even on ^C\n"
		"  --duration SECONDS     stop after this much serving (default: until ^C)\n"
		"  --seed N               run seed (default 1): the device's ISNs\n"
		"  -h, --help             this help\n"
		"\n"
		"On a terminal a line of counters (frames, connections, resets, drops, checker\n"
		"diagnostics) is kept up to date on stderr; otherwise only the banner and the\n"
		"summary are printed.\n"
		"\n"
		"exit status: 0 served and stopped (^C, SIGTERM, --duration) or the client got\n"
		"every byte back; 1 the client failed, or the firmware never started receiving;\n"
		"2 bad usage, missing privileges, a port in use, or the capture could not be\n"
		"written. A second ^C while stopping exits 128 + the signal at once.\n");
}

struct serve_opts {
	struct serve_config cfg;
	const char *dut;
	const char *firmware;
	bool help;
};

/* "10.0.2.15" into host order. */
static bool parse_ip(const char *s, size_t len, uint32_t *ip)
{
	char buf[16];
	struct in_addr a;
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	*ip = ntohl(a.s_addr);
	return true;
}

static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	uint32_t v = 0;
	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10u + (uint32_t)(s[i] - '0');
	}
	if (v == 0 || v > 65535u)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* "[IP]:PORT" (IP optional, else *ip = dflt); "IP:PORT" when !optional. */
static bool parse_endpoint(const char *s, size_t len, bool optional, uint32_t dflt, uint32_t *ip, uint16_t *port)
{
	const char *colon = memrchr(s, ':', len);
	if (colon == NULL)
		return false;
	size_t il = (size_t)(colon - s);
	if (il == 0) {
		if (!optional)
			return false;
		*ip = dflt;
	} else if (!parse_ip(s, il, ip)) {
		return false;
	}
	return parse_port(colon + 1, len - il - 1, port);
}

static bool parse_forward(const char *v, struct serve_forward *f)
{
	memset(f, 0, sizeof *f);
	if (strncmp(v, "tcp:", 4) == 0)
		f->udp = false;
	else if (strncmp(v, "udp:", 4) == 0)
		f->udp = true;
	else
		return false;
	const char *host = v + 4, *dash = strchr(host, '-');
	if (dash == NULL)
		return false;
	if (!parse_endpoint(host, (size_t)(dash - host), true, 0x7F000001u, &f->host_ip, &f->host_port))
		return false;
	const char *guest = dash + 1;
	return parse_endpoint(guest, strlen(guest), true, 0, &f->guest_ip, &f->guest_port) &&
	       (f->guest_ip == 0 || (f->guest_ip & BRIDGE_NETMASK) == BRIDGE_NET);
}

static bool parse_guestfwd(const char *v, struct serve_guestfwd *g)
{
	if (strncmp(v, "tcp:", 4) != 0)
		return false;
	const char *addr = v + 4, *dash = strrchr(addr, '-');
	if (dash == NULL || !parse_endpoint(addr, (size_t)(dash - addr), false, 0, &g->ip, &g->port))
		return false;
	if (strcmp(dash + 1, "echo") == 0)
		g->svc = BRIDGE_SLIRP_ECHO;
	else if (strcmp(dash + 1, "discard") == 0)
		g->svc = BRIDGE_SLIRP_DISCARD;
	else
		return false;
	return true;
}

static bool flag_is(const char *flag, const char *name)
{
	return strcmp(flag, name) == 0;
}

/* Returns CLI_OK, or CLI_USAGE after reporting. */
static int parse(struct serve_opts *o, int argc, char **argv)
{
	struct cli_args a;
	const char *flag, *v;
	bool bad = false;
	uint64_t n;

	memset(o, 0, sizeof *o);
	o->cfg.net = SERVE_NET_SLIRP;
	o->cfg.seed = 1;
	o->cfg.send_bytes = 65536;
	cli_args_init(&a, VERB, argc, argv);
	while ((flag = cli_args_next(&a, &bad)) != NULL) {
		if (flag_is(flag, "--help") || flag_is(flag, "--deterministic") || flag_is(flag, "--restrict")) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			if (flag[2] == 'h')
				o->help = true;
			else if (flag[2] == 'd')
				o->cfg.deterministic = true;
			else
				o->cfg.restricted = true;
			continue;
		}
		if (!flag_is(flag, "--net") && !flag_is(flag, "--dut") && !flag_is(flag, "--firmware") &&
		    !flag_is(flag, "--forward") && !flag_is(flag, "--guestfwd") && !flag_is(flag, "--netns") &&
		    !flag_is(flag, "--pcap") && !flag_is(flag, "--duration") && !flag_is(flag, "--connect") &&
		    !flag_is(flag, "--send") && !flag_is(flag, "--seed")) {
			cli_error(VERB, "unknown option '%s' (see 'synack help serve')", flag);
			return CLI_USAGE;
		}
		if ((v = cli_args_value(&a)) == NULL)
			return CLI_USAGE;
		if (flag_is(flag, "--net")) {
			if (strcmp(v, "slirp") == 0)
				o->cfg.net = SERVE_NET_SLIRP;
			else if (strcmp(v, "tap") == 0)
				o->cfg.net = SERVE_NET_TAP;
			else {
				cli_error(VERB, "--net: expected slirp or tap, got '%s'", v);
				return CLI_USAGE;
			}
		} else if (flag_is(flag, "--dut")) {
			if (strcmp(v, "tap") == 0) {
				cli_error(VERB, "--dut tap is the Linux kernel itself; to serve the board to the kernel, "
						"use --net tap");
				return CLI_USAGE;
			}
			if (strcmp(v, "sim") != 0 && strncmp(v, "board:", 6) != 0) {
				cli_error(VERB, "--dut: expected sim or board:PATH.so, got '%s'", v);
				return CLI_USAGE;
			}
			o->dut = v;
		} else if (flag_is(flag, "--firmware")) {
			if (v[0] == '\0') {
				cli_error(VERB, "--firmware: expected an AVR image (ELF), got ''");
				return CLI_USAGE;
			}
			o->firmware = v;
		} else if (flag_is(flag, "--forward")) {
			if (o->cfg.nfwd == SERVE_MAX_FORWARDS) {
				cli_error(VERB, "--forward: at most %u", SERVE_MAX_FORWARDS);
				return CLI_USAGE;
			}
			if (!parse_forward(v, &o->cfg.fwd[o->cfg.nfwd])) {
				cli_error(VERB,
					  "--forward: expected tcp:[HOSTIP]:HOSTPORT-[GUESTIP]:GUESTPORT (or udp:...; "
					  "GUESTIP in 10.0.2.0/24), e.g. tcp:127.0.0.1:18888-:8888, got '%s'",
					  v);
				return CLI_USAGE;
			}
			o->cfg.nfwd++;
		} else if (flag_is(flag, "--guestfwd")) {
			if (o->cfg.ngfwd == BRIDGE_SLIRP_MAX_GUESTFWD) {
				cli_error(VERB, "--guestfwd: at most %u", BRIDGE_SLIRP_MAX_GUESTFWD);
				return CLI_USAGE;
			}
			if (!parse_guestfwd(v, &o->cfg.gfwd[o->cfg.ngfwd])) {
				cli_error(VERB, "--guestfwd: expected tcp:IP:PORT-echo or tcp:IP:PORT-discard, e.g. "
						"tcp:10.0.2.100:7-echo, got '%s'", v);
				return CLI_USAGE;
			}
			o->cfg.ngfwd++;
		} else if (flag_is(flag, "--netns")) {
			o->cfg.netns = v;
		} else if (flag_is(flag, "--pcap")) {
			if (v[0] == '\0') {
				cli_error(VERB, "--pcap: expected a file name, got ''");
				return CLI_USAGE;
			}
			o->cfg.pcap_path = v;
		} else if (flag_is(flag, "--duration")) {
			if (!cli_parse_fixed(VERB, flag, v, 3, 1, 1000000000u, "seconds (0.001 and up, 3 decimals)", &n))
				return CLI_USAGE;
			o->cfg.duration_ns = n * 1000000u;
		} else if (flag_is(flag, "--connect")) {
			if (!parse_endpoint(v, strlen(v), false, 0, &o->cfg.connect_ip, &o->cfg.connect_port)) {
				cli_error(VERB, "--connect: expected IP:PORT, e.g. 10.0.2.100:7, got '%s'", v);
				return CLI_USAGE;
			}
			o->cfg.connect = true;
		} else if (flag_is(flag, "--send")) {
			if (!cli_parse_u64(VERB, flag, v, 1, UINT64_C(1) << 40, "a byte count, 1 or more", &n))
				return CLI_USAGE;
			o->cfg.send_bytes = n;
		} else if (!cli_parse_u64(VERB, flag, v, 0, UINT64_MAX, "an unsigned 64-bit integer", &n)) {
			return CLI_USAGE; /* --seed */
		} else {
			o->cfg.seed = n;
		}
	}
	return bad ? CLI_USAGE : CLI_OK;
}

/* The board the flags ask for; CLI_USAGE after reporting. */
static int choose_board(struct serve_opts *o)
{
	struct serve_board_config *b = &o->cfg.board;
	if (o->firmware != NULL && o->dut != NULL) {
		cli_error(VERB, "--firmware and --dut both name the board: give one");
		return CLI_USAGE;
	}
	if (o->firmware != NULL) {
		b->kind = SERVE_BOARD_AVR;
		b->label = o->firmware;
		return CLI_OK;
	}
	if (o->dut == NULL || strcmp(o->dut, "sim") == 0) {
		b->kind = SERVE_BOARD_OURS;
		return CLI_OK;
	}
	char err[1200];
	if (dut_board_load(o->dut + 6, err, sizeof err) == NULL) {
		cli_error(VERB, "--dut: %s", err);
		return CLI_USAGE;
	}
	b->kind = SERVE_BOARD_LIBRARY;
	b->fw = dut_board_firmware();
	const char *base = strrchr(o->dut, '/');
	b->label = base ? base + 1 : o->dut + 6;
	return CLI_OK;
}

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	if (g_stop == 0) {
		g_stop = sig;
		return;
	}
	serve_emergency_cleanup();
	sim_outfile_cleanup_all();
	_exit(128 + sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: ppoll() returns at once */
	sigfillset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A reader of stdout that goes away is an output error at the end,
	 * not a reason to leave a namespace's name behind. */
	signal(SIGPIPE, SIG_IGN);
}

int cli_serve_main(int argc, char **argv)
{
	struct serve_opts o;
	install_signals();
	int rc = parse(&o, argc, argv);
	if (rc != CLI_OK)
		return rc;
	if (o.help) {
		cli_serve_help(stdout);
		return CLI_OK;
	}
	if ((rc = choose_board(&o)) != CLI_OK)
		return rc;
	char err[1400];
	struct serve *s = serve_open(&o.cfg, err, sizeof err);
	if (s == NULL) {
		cli_error(VERB, "%s", err);
		return CLI_USAGE; /* a flag, a port in use, missing privileges */
	}
	enum serve_stop why = SERVE_STOP_BOOT;
	if (serve_boot(s)) {
		serve_describe(s, stdout);
		why = serve_run(s, &g_stop, isatty(STDERR_FILENO) ? stderr : NULL);
	}
	bool capture_ok = serve_close_capture(s, err, sizeof err) == 0;
	serve_summary(s, why, stdout);
	bool ok = serve_ok(s, why);
	serve_free(s);
	if (!capture_ok) {
		cli_error(VERB, "--pcap: %s", err);
		return CLI_USAGE;
	}
	return ok ? CLI_OK : CLI_FAIL;
}
