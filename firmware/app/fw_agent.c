/*
 * fw_agent.c - the test agent's line protocol (fw_agent.h; the protocol is
 * documented in firmware/README.md).
 *
 *   fw_agent_poll: UART bytes -> line[] -> run_line -> one command -> reply
 *   agent_tcp: the stack's events -> "! <event>" lines, greedy reads, sends
 *
 * The application mirrors the sim DUT's (conformance/engine/dut_sim.c) so a
 * script drives the firmware exactly as it drives `--dut sim`: the same
 * current-connection rule, the same greedy reader (a `close` with bytes
 * the host never took with `recv` aborts, RFC 9293 SHLD-3, as Linux does),
 * the same send pattern. Every command gets exactly one reply line, "ok"
 * with its values or "err <errno name> <why>"; events are lines that
 * start with "!", sent when they happen.
 */
#include "fw_agent.h"

#include <string.h>

#include "fw_config.h"
#include "fw_status.h"

#define SEND_CHUNK 32u
#define MAX_ARGS 4u

/* ---- output ---- */

/* Flash data outside a FW_ROM() literal (const data stays in flash off AVR). */
#ifdef __AVR__
#define FW_ROM_DATA PROGMEM
#else
#define FW_ROM_DATA
#endif

static const char no_conn[] FW_ROM_DATA = "ENOTCONN no connection"; /* said by three commands */

static void ok_value(struct fw_agent *a, uint32_t v)
{
	fw_puts_rom(a->b, FW_ROM("ok "));
	fw_put_dec(a->b, v);
	a->b->putc('\n');
}

static void ok(struct fw_agent *a)
{
	fw_puts_rom(a->b, FW_ROM("ok\n"));
}

/* One reply or event line, "PREFIX TEXT\n", both in flash: err, usage
 * and event below share it. */
static __attribute__((noinline)) void say(struct fw_agent *a, const char *prefix, const char *text)
{
	fw_puts_rom(a->b, prefix);
	fw_puts_rom(a->b, text);
	a->b->putc('\n');
}

/* "err NAME why": NAME is an errno name the host maps back. */
static void err(struct fw_agent *a, const char *name_why)
{
	say(a, FW_ROM("err "), name_why);
}

/* "err EINVAL usage: WHAT": the prefix kept once in flash, not in each
 * of the eight usage texts. */
static void usage(struct fw_agent *a, const char *what)
{
	say(a, FW_ROM("err EINVAL usage: "), what);
}

static void event(struct fw_agent *a, const char *name)
{
	say(a, FW_ROM("! "), name);
}

/* ---- the application (as dut_sim.c's) ---- */

/* Offers what `send` still holds; the ring takes what fits. The pattern
 * is kept as a phase, not a byte count modulo 26: a 32-bit division a
 * byte made 1000 bytes cost an AVR 20 ms. */
static void push_send(struct fw_agent *a)
{
	uint8_t chunk[SEND_CHUNK];

	while (a->send_pending > 0u && a->conn != NULL) {
		uint8_t n = a->send_pending < SEND_CHUNK ? (uint8_t)a->send_pending : (uint8_t)SEND_CHUNK;
		uint8_t phase = a->send_phase;
		uint16_t took;

		for (uint8_t i = 0; i < n; i++) {
			chunk[i] = (uint8_t)('a' + phase);
			if (++phase == 26u)
				phase = 0;
		}
		took = tcp_write(a->s, a->conn, chunk, n);
		a->send_pending -= took;
		for (uint16_t i = 0; i < took; i++)
			if (++a->send_phase == 26u)
				a->send_phase = 0;
		if (took < n)
			break; /* the ring is full; TCP_EV_SENT brings us back */
	}
	if (a->conn != NULL)
		tcp_flush(a->s, a->conn);
}

/* With `rcvbuf`, the window offers what the application's buffer still
 * has room for (as dut_sim.c's set_window): never more than the stack's
 * own window, and never shrunk below what is already offered, less the
 * `taken` bytes just read (RFC 9293 3.8.6, SHLD-14). */
static void set_window(struct fw_agent *a, struct tcp_pcb *c, uint16_t taken)
{
	uint32_t room, want, keep;

	if (!a->rcvbuf_set || c == NULL)
		return;
	room = a->rx_cap > a->rx_count ? a->rx_cap - a->rx_count : 0u;
	want = room < a->dflt_wnd ? room : a->dflt_wnd;
	keep = c->rcv_wnd > taken ? (uint32_t)(c->rcv_wnd - taken) : 0u;
	if (want < keep)
		want = keep;
	if (want != c->rcv_wnd)
		tcp_set_rcv_wnd(a->s, c, (uint16_t)want);
}

static void agent_tcp(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct fw_agent *a = ctx;
	uint8_t sink[SEND_CHUNK];

	switch (ev) {
	case TCP_EV_CONNECTED:
		if (a->conn == NULL || a->conn == c) {
			event(a, a->conn == c ? FW_ROM("connected") : FW_ROM("accepted"));
			a->conn = c;
			push_send(a);
		}
		break;
	case TCP_EV_DATA: {
		/* Greedy: everything that fits the application's buffer is read
		 * now, so the stack acknowledges it; `recv` takes from the count. */
		uint16_t took = 0;

		if (a->rcvbuf_set) {
			uint32_t room = a->rx_cap > a->rx_count ? a->rx_cap - a->rx_count : 0u;

			if (room < n)
				n = (uint16_t)room;
		}
		while (n > 0u) {
			uint16_t k = tcp_recv(s, c, sink, n < sizeof sink ? n : (uint16_t)sizeof sink);

			if (k == 0u)
				break;
			a->rx_count += k;
			took = (uint16_t)(took + k);
			n = (uint16_t)(n - k);
		}
		set_window(a, c, took);
		break;
	}
	case TCP_EV_SENT:
		push_send(a);
		break;
	case TCP_EV_URGENT:
		/* Told, as MUST-32 asks; the bytes are read in-line with the rest. */
		event(a, FW_ROM("urgent"));
		break;
	case TCP_EV_PEER_CLOSED:
		event(a, FW_ROM("eof"));
		break;
	case TCP_EV_CLOSED:
		event(a, FW_ROM("closed"));
		goto gone;
	case TCP_EV_RESET:
		event(a, FW_ROM("reset"));
		goto gone;
	case TCP_EV_REFUSED:
		event(a, FW_ROM("refused"));
		goto gone;
	case TCP_EV_TIMEOUT:
		event(a, FW_ROM("timeout"));
		goto gone;
	}
	return;
gone:
	if (a->conn == c)
		a->conn = NULL;
}

/* The current connection's state; before the application has one (a
 * passive open still in SYN-RECEIVED) the block that is in use; else
 * LISTEN or CLOSED. As a number, enum tcp_state (RFC 9293 order). */
static uint8_t current_state(const struct fw_agent *a)
{
	const struct net_stack *s = a->s;

	if (a->conn != NULL && tcp_state(a->conn) != TCP_CLOSED)
		return (uint8_t)tcp_state(a->conn);
	for (uint8_t i = 0; i < NET_TCP_CONNS; i++)
		if (s->tcp[i].state != TCP_CLOSED)
			return s->tcp[i].state;
	for (uint8_t i = 0; i < NET_TCP_LISTENERS; i++)
		if (s->listeners[i].port != 0u)
			return TCP_LISTEN;
	return TCP_CLOSED;
}

/* ---- parsing ---- */

/* Whether RAM token t equals FW_ROM word w. */
static bool is(const char *t, const char *w)
{
	char c;

	do {
		c = (char)FW_ROM_BYTE(w++);
		if (*t++ != c)
			return false;
	} while (c != '\0');
	return true;
}

/* Decimal number of at most 9 digits, at most max; false if t is not one.
 * (Nine digits cannot overflow 32 bits, so no division is needed to check:
 * a 32-bit division costs an AVR ~300 instructions a digit.) */
static bool number(const char *t, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	uint8_t digits = 0;

	for (; *t; t++, digits++) {
		if (*t < '0' || *t > '9' || digits == 9u)
			return false;
		v = v * 10u + (uint32_t)(*t - '0');
	}
	*out = v;
	return digits > 0u && v <= max;
}

/* Dotted quad into a host-order address. */
static bool address(const char *t, uint32_t *ip)
{
	char part[4];
	uint32_t v = 0, octet;

	for (uint8_t i = 0; i < 4u; i++) {
		uint8_t n = 0;

		while (*t != '\0' && *t != '.' && n < 3u)
			part[n++] = *t++;
		part[n] = '\0';
		if (!number(part, 255u, &octet) || *t != (i < 3u ? '.' : '\0'))
			return false;
		if (i < 3u)
			t++;
		v = (v << 8) | octet;
	}
	*ip = v;
	return true;
}

/* ---- commands ---- */

static void cmd_connect(struct fw_agent *a, char **arg)
{
	uint32_t ip, port;

	if (!address(arg[1], &ip) || !number(arg[2], 65535u, &port) || port == 0u) {
		usage(a, FW_ROM("connect A.B.C.D PORT"));
		return;
	}
	a->conn = tcp_connect(a->s, ip, (uint16_t)port, agent_tcp, a);
	if (a->conn == NULL)
		err(a, FW_ROM("ENOBUFS no free connection block"));
	else
		ok(a);
}

static void cmd_close(struct fw_agent *a, bool shutdown)
{
	if (a->conn == NULL) {
		err(a, no_conn);
		return;
	}
	if (!shutdown && a->rx_count > 0u) {
		/* Closing with data the application never took loses it:
		 * reset (RFC 9293 SHLD-3), as Linux does. */
		tcp_abort(a->s, a->conn);
		a->conn = NULL;
		a->rx_count = 0;
		ok(a);
		return;
	}
	/* shutdown keeps the half-closed connection (no FIN-WAIT-2 timeout);
	 * close lets go of it, also after a shutdown. */
	if ((shutdown ? tcp_shutdown(a->s, a->conn) : tcp_close(a->s, a->conn)) == TCP_OK)
		ok(a);
	else
		err(a, FW_ROM("EINVAL cannot close in this state"));
}

static void cmd_counters(struct fw_agent *a)
{
	fw_puts_rom(a->b, FW_ROM("ok "));
	fw_put_dec(a->b, NET_STAT_COUNT);
	for (uint8_t i = 0; i < (uint8_t)NET_STAT_COUNT; i++) {
		a->b->putc(' ');
		fw_put_dec(a->b, net_stat(a->s, (enum net_stat_id)i));
	}
	a->b->putc('\n');
}

static void cmd_ip(struct fw_agent *a, char **arg, uint8_t argc)
{
	uint32_t ip, mask, gw;

	if (argc == 1u) {
		fw_puts_rom(a->b, FW_ROM("ok "));
		fw_put_ip(a->b, a->cfg->ip);
		a->b->putc(' ');
		fw_put_ip(a->b, a->cfg->netmask);
		a->b->putc(' ');
		fw_put_ip(a->b, a->cfg->gateway);
		a->b->putc('\n');
		return;
	}
	if (argc != 4u || !address(arg[1], &ip) || !address(arg[2], &mask) || !address(arg[3], &gw)) {
		usage(a, FW_ROM("ip ADDRESS NETMASK GATEWAY"));
		return;
	}
	a->cfg->ip = ip;
	a->cfg->netmask = mask;
	a->cfg->gateway = gw;
	arp_flush(a->s); /* next hops may have changed */
	ok(a);
}

/* The command words, in enum cmd's order, each ended by a NUL. */
enum cmd {
	CMD_LISTEN, CMD_UNLISTEN, CMD_CONNECT, CMD_SEND, CMD_RECV, CMD_RCVBUF, CMD_CLOSE, CMD_SHUTDOWN,
	CMD_ABORT, CMD_STATE, CMD_COUNTER, CMD_COUNTERS, CMD_PROFILE, CMD_IP, CMD_SERVICES, CMD_STATUS,
	CMD_NONE
};
static const char commands[] FW_ROM_DATA = "listen\0unlisten\0connect\0send\0recv\0rcvbuf\0close\0shutdown\0"
					   "abort\0state\0counter\0counters\0profile\0ip\0services\0status";

/* Word t's place in commands[], or CMD_NONE. */
static enum cmd lookup(const char *t)
{
	const char *w = commands;
	uint8_t i;

	for (i = 0; i < (uint8_t)CMD_NONE; i++) {
		if (is(t, w))
			break;
		while (FW_ROM_BYTE(w++) != '\0')
			;
	}
	return (enum cmd)i;
}

/* One command line, split into words. */
static void run_line(struct fw_agent *a, char *line)
{
	char *arg[MAX_ARGS + 1u];
	uint8_t argc = 0;
	uint32_t v;

	for (char *p = line; *p != '\0' && argc <= MAX_ARGS;) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		arg[argc++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
	}
	if (argc == 0u)
		return; /* an empty line is no command */
	if (argc > MAX_ARGS) {
		err(a, FW_ROM("E2BIG too many words"));
		return;
	}
	for (uint8_t i = argc; i <= MAX_ARGS; i++)
		arg[i] = (char *)"";

	/* One switch on the word's place in the command table, rather than
	 * a chain of string compares (each a call with two pointers). */
	bool un = false;
	switch (lookup(arg[0])) {
	case CMD_UNLISTEN:
		un = true;
		/* fall through */
	case CMD_LISTEN:
		if (!number(arg[1], 65535u, &v) || v == 0u)
			usage(a, FW_ROM("listen PORT"));
		else if (un ? tcp_unlisten(a->s, (uint16_t)v) != TCP_OK
			    : tcp_listen(a->s, (uint16_t)v, agent_tcp, a) != TCP_OK)
			err(a, un ? FW_ROM("EINVAL not listening") : FW_ROM("EADDRINUSE port taken or no free listener"));
		else
			ok(a);
		break;
	case CMD_CONNECT:
		cmd_connect(a, arg);
		break;
	case CMD_SEND:
		if (!number(arg[1], 999999999u, &v)) {
			usage(a, FW_ROM("send N (N < 10^9)"));
		} else if (a->conn == NULL) {
			err(a, no_conn);
		} else {
			a->send_pending += v;
			push_send(a);
			ok_value(a, v);
		}
		break;
	case CMD_RECV:
		if (!number(arg[1], 999999999u, &v)) {
			usage(a, FW_ROM("recv N (N < 10^9)"));
		} else {
			if (v > a->rx_count)
				v = a->rx_count;
			a->rx_count -= v;
			set_window(a, a->conn, 0);
			ok_value(a, v);
		}
		break;
	case CMD_RCVBUF:
		/* The application's buffer: the window of this connection and
		 * of the ones to come (the stack keeps a pointer to cfg). */
		if (!number(arg[1], 65535u, &v)) {
			usage(a, FW_ROM("rcvbuf N (N < 65536)"));
		} else {
			a->rx_cap = (uint16_t)v;
			a->rcvbuf_set = true;
			a->cfg->rcv_wnd = (uint16_t)(v < a->dflt_wnd ? v : a->dflt_wnd);
			set_window(a, a->conn, 0);
			ok(a);
		}
		break;
	case CMD_SHUTDOWN:
		un = true;
		/* fall through */
	case CMD_CLOSE:
		cmd_close(a, un);
		break;
	case CMD_ABORT:
		if (a->conn == NULL) {
			err(a, no_conn);
		} else {
			tcp_abort(a->s, a->conn);
			a->conn = NULL;
			ok(a);
		}
		break;
	case CMD_STATE:
		ok_value(a, current_state(a));
		break;
	case CMD_COUNTER:
		if (!number(arg[1], NET_STAT_COUNT - 1u, &v))
			err(a, FW_ROM("ENOENT no such counter"));
		else
			ok_value(a, net_stat(a->s, (enum net_stat_id)v));
		break;
	case CMD_COUNTERS:
		cmd_counters(a);
		break;
	case CMD_PROFILE:
		if (argc == 1u) {
			ok_value(a, a->s->profile);
		} else if (!number(arg[1], NET_PROFILE_RFC5961 | NET_PROFILE_RFC1337 | NET_PROFILE_TW_RECYCLE, &v)) {
			usage(a, FW_ROM("profile BITS (1 rfc5961, 2 rfc1337, 4 timewait-recycle)"));
		} else {
			net_set_profile(a->s, (uint8_t)v);
			ok(a);
		}
		break;
	case CMD_IP:
		cmd_ip(a, arg, argc);
		break;
	case CMD_SERVICES:
		if (!number(arg[1], 1u, &v)) {
			usage(a, FW_ROM("services 0|1"));
		} else {
			a->services(a->s, v != 0u);
			ok(a);
		}
		break;
	case CMD_STATUS:
		fw_status_line(a->b, a->dev, a->cfg->mac);
		ok(a);
		break;
	case CMD_NONE:
	default:
		err(a, FW_ROM("ENOSYS unknown command"));
		break;
	}
}

/* ---- entry points ---- */

void fw_agent_init(struct fw_agent *a, const struct fw_board *b, struct net_stack *s, struct net_config *cfg,
		   const struct enc_dev *dev, fw_services_fn services)
{
	memset(a, 0, sizeof *a);
	a->b = b;
	a->s = s;
	a->cfg = cfg;
	a->dev = dev;
	a->services = services;
	a->dflt_wnd = cfg->rcv_wnd;
	fw_puts_rom(b, FW_ROM("! ready "));
	fw_put_dec(b, FW_AGENT_VERSION);
	b->putc(' ');
	fw_puts(b, b->name);
	b->putc(' ');
	fw_put_dec(b, NET_STAT_COUNT);
	b->putc('\n');
}

bool fw_agent_poll(struct fw_agent *a)
{
	bool ran = false;
	int ch;

	while ((ch = a->b->getc()) >= 0) {
		if (ch == '\r')
			continue;
		if (ch != '\n') {
			if (a->len < sizeof a->line - 1u)
				a->line[a->len++] = (char)ch;
			else
				a->overlong = true;
			continue;
		}
		a->line[a->len] = '\0';
		if (a->overlong)
			err(a, FW_ROM("E2BIG line too long"));
		else
			run_line(a, a->line);
		a->len = 0;
		a->overlong = false;
		ran = true;
	}
	return ran;
}
