/*
 * avr_host_test.c - the AVR firmware image (the ELF the build makes, as
 * $SYNACK_AVR_ELF) in simavr through sim/avr_host.h: it boots and its
 * agent says ready; SPI bytes take the time SPCR/SPSR select, not
 * simavr 1.6's 100 us; it sleeps when idle; it serves TCP echo on 8888
 * and the HTTP page on 80 to our own stack on the same link; its agent
 * refuses bad commands by name; the same seed gives the same wire bytes
 * and another seed other ISNs; a stopped CPU is reported.
 *
 * Skipped (77) when the image was not built (no avr-gcc): tests/CMakeLists
 * builds it in the firmware_images fixture.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avr_host.h"
#include "net.h"
#include "node.h"
#include "wire/arp.h"
#include "wire/eth.h"

#define MS 1000000ull
#define CLIENT_IP 0xC0A80101u /* 192.168.1.1, on the image's default /24 */

static struct fw_image g_img;

/* ---- one board and what its UART said ---- */

struct board {
	struct sim sim;
	struct sim_link link;
	struct sim_avr *avr;
	char uart[16384];
	size_t uart_len;
	unsigned lines;
	bool stop_on_line;
	/* a raw port on the link */
	struct sim_port *probe;
	uint64_t probe_rx_at;
	uint8_t probe_rx[128];
	size_t probe_rx_len;
	/* the link's bytes, hashed (FNV-1a) with their start times */
	uint64_t wire_hash;
	unsigned wire_frames;
};

static void uart_out(void *ctx, uint8_t b, uint64_t now)
{
	struct board *w = ctx;
	(void)now;
	if (w->uart_len + 1 < sizeof w->uart)
		w->uart[w->uart_len++] = (char)b;
	w->uart[w->uart_len] = '\0';
	if (b == '\n') {
		w->lines++;
		if (w->stop_on_line)
			sim_avr_stop(w->avr);
	}
}

static void probe_in(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct board *w = ctx;
	if (w->probe_rx_len == 0 && len <= sizeof w->probe_rx) {
		memcpy(w->probe_rx, frame, len);
		w->probe_rx_len = len;
		w->probe_rx_at = now;
	}
}

static void wire_tap(void *ctx, const uint8_t *frame, size_t len, uint64_t start, unsigned port)
{
	struct board *w = ctx;
	uint64_t h = w->wire_hash ? w->wire_hash : 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ frame[i]) * 1099511628211ull;
	for (unsigned i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(start >> (8 * i))) * 1099511628211ull;
	h = (h ^ port) * 1099511628211ull;
	w->wire_hash = h;
	w->wire_frames++;
}

static struct board *board_new_image(uint64_t seed, const struct fw_image *img)
{
	struct board *w = calloc(1, sizeof *w);
	char err[256];
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(sim_init(&w->sim, seed, 256), 0);
	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	lc.name = "link";
	ck_assert_int_eq(sim_link_init(&w->link, &w->sim, &lc), 0);
	ck_assert_int_eq(sim_link_add_tap(&w->link, wire_tap, w), 0);
	struct sim_avr_config c;
	memset(&c, 0, sizeof c);
	c.name = "dut";
	c.model.link_up = true;
	c.uart_out = uart_out;
	c.ctx = w;
	w->avr = sim_avr_new(&w->sim, img, &c, err, sizeof err);
	ck_assert_msg(w->avr != NULL, "%s", err);
	ck_assert_int_eq(sim_avr_connect(w->avr, &w->link), 0);
	w->probe = sim_link_attach(&w->link, probe_in, w);
	ck_assert_ptr_nonnull(w->probe);
	return w;
}

static struct board *board_new(uint64_t seed)
{
	return board_new_image(seed, &g_img);
}

static void board_free(struct board *w)
{
	sim_free(&w->sim);
	sim_avr_free(w->avr);
	sim_link_free(&w->link);
	free(w);
}

/* Runs until the UART has said `text` (true) or `limit` ns passed. */
static bool run_until_said(struct board *w, const char *text, uint64_t limit)
{
	w->stop_on_line = true;
	while (strstr(w->uart, text) == NULL && sim_avr_now(w->avr) < limit)
		ck_assert_msg(sim_avr_run_until(w->avr, limit) == 0, "%s", sim_avr_error(w->avr));
	w->stop_on_line = false;
	return strstr(w->uart, text) != NULL;
}

/* One agent command; returns its reply line (static buffer). */
static const char *agent(struct board *w, const char *cmd)
{
	static char reply[256];
	size_t mark = w->uart_len;
	char line[128];
	snprintf(line, sizeof line, "%s\n", cmd);
	ck_assert_int_eq(sim_avr_uart_send(w->avr, (const uint8_t *)line, strlen(line)), 0);
	uint64_t limit = sim_avr_now(w->avr) + 500 * MS;
	w->stop_on_line = true;
	for (;;) {
		const char *p = w->uart + mark;
		const char *ok = strstr(p, "ok"), *er = strstr(p, "err");
		const char *hit = ok && (!er || ok < er) ? ok : er;
		if (hit && strchr(hit, '\n')) {
			size_t n = (size_t)(strchr(hit, '\n') - hit);
			snprintf(reply, sizeof reply, "%.*s", (int)n, hit);
			w->stop_on_line = false;
			return reply;
		}
		ck_assert_msg(sim_avr_now(w->avr) < limit, "no reply to '%s'; UART: %s", cmd, w->uart + mark);
		ck_assert_int_eq(sim_avr_run_until(w->avr, limit), 0);
	}
}

static void boot(struct board *w)
{
	ck_assert_msg(run_until_said(w, "! ready ", 200 * MS), "no ready line; UART: %s", w->uart);
}

/* ---- tests ---- */

START_TEST(test_boots_and_agent_is_ready)
{
	struct board *w = board_new(1);
	boot(w);
	char want[64];
	snprintf(want, sizeof want, "! ready 2 avr %u\n", (unsigned)NET_STAT_COUNT);
	ck_assert_msg(strstr(w->uart, want) != NULL, "UART: %s", w->uart);
	ck_assert_msg(strstr(w->uart, "link up") != NULL, "UART: %s", w->uart);
	/* The image announced itself (gratuitous ARP) once the link was up. */
	ck_assert_uint_ge(sim_avr_get_stats(w->avr)->frames_out, 1);
	board_free(w);
}
END_TEST

/* An ARP request answered within 3 ms: the image moves ~300 SPI bytes for
 * it (the frame in and out, registers, the TX status), 16 cycles (1 us)
 * each at fosc/2. With simavr 1.6's fixed 100 us a byte it took 30 ms. */
START_TEST(test_spi_bytes_take_their_true_time)
{
	struct board *w = board_new(1);
	boot(w);
	const char *ip = agent(w, "ip");
	unsigned a, b, c, d;
	ck_assert_msg(sscanf(ip, "ok %u.%u.%u.%u", &a, &b, &c, &d) == 4, "%s", ip);
	struct arp_repr r;
	memset(&r, 0, sizeof r);
	static const uint8_t pmac[6] = {0x02, 0, 0, 0, 0, 0x77};
	r.op = ARP_OP_REQUEST;
	memcpy(r.sha, pmac, 6);
	r.spa = CLIENT_IP;
	r.tpa = a << 24 | b << 16 | c << 8 | d;
	uint8_t frame[60];
	memset(frame, 0, sizeof frame);
	struct eth_repr e;
	memset(e.dst, 0xff, 6);
	memcpy(e.src, pmac, 6);
	e.ethertype = ETH_TYPE_ARP;
	eth_emit(&e, frame, sizeof frame);
	arp_emit(&r, frame + ETH_HDR_LEN, sizeof frame - ETH_HDR_LEN);
	uint64_t spi0 = sim_avr_get_stats(w->avr)->spi_bytes;
	w->probe_rx_len = 0;
	uint64_t sent = sim_avr_now(w->avr);
	sim_link_send_nofcs(w->probe, frame, sizeof frame, sent);
	ck_assert_int_eq(sim_avr_run_until(w->avr, sent + 50 * MS), 0);
	ck_assert_uint_gt(w->probe_rx_len, ETH_HDR_LEN);
	struct arp_repr reply;
	ck_assert_int_eq(arp_parse(w->probe_rx + ETH_HDR_LEN, w->probe_rx_len - ETH_HDR_LEN - 4, &reply), WIRE_OK);
	ck_assert_uint_eq(reply.op, ARP_OP_REPLY);
	ck_assert_uint_eq(reply.spa, r.tpa);
	uint64_t took = w->probe_rx_at - sent;
	uint64_t spi = sim_avr_get_stats(w->avr)->spi_bytes - spi0;
	ck_assert_msg(took < 3 * MS, "the ARP reply took %llu ns (%llu SPI bytes)", (unsigned long long)took,
		      (unsigned long long)spi);
	ck_assert_uint_gt(spi, 100); /* and the image did talk to the chip */
	board_free(w);
}
END_TEST

/* Idle, the image sleeps: ten seconds cost a few thousand instructions
 * (Timer1 overflows once a second), not 160 million cycles of polling. */
START_TEST(test_sleeps_until_int_or_deadline)
{
	struct board *w = board_new(1);
	boot(w);
	const struct sim_avr_stats *st = sim_avr_get_stats(w->avr);
	uint64_t i0 = st->instructions, c0 = st->cycles, s0 = st->sleep_cycles;
	ck_assert_int_eq(sim_avr_run_until(w->avr, sim_avr_now(w->avr) + 10000 * MS), 0);
	uint64_t instr = st->instructions - i0, cycles = st->cycles - c0, slept = st->sleep_cycles - s0;
	ck_assert_uint_ge(cycles, 160000000ull - 16);
	ck_assert_msg(instr < 100000, "%llu instructions in 10 s idle", (unsigned long long)instr);
	ck_assert_msg(slept > cycles / 100 * 99, "slept %llu of %llu cycles", (unsigned long long)slept,
		      (unsigned long long)cycles);
	board_free(w);
}
END_TEST

START_TEST(test_agent_refuses_bad_commands_by_name)
{
	struct board *w = board_new(1);
	boot(w);
	ck_assert_str_eq(agent(w, "bogus"), "err ENOSYS unknown command");
	ck_assert_str_eq(agent(w, "listen 0"), "err EINVAL usage: listen PORT");
	ck_assert_str_eq(agent(w, "listen 65536"), "err EINVAL usage: listen PORT");
	ck_assert_str_eq(agent(w, "listen 8888"), "err EADDRINUSE port taken or no free listener");
	ck_assert_str_eq(agent(w, "connect 1.2.3 80"), "err EINVAL usage: connect A.B.C.D PORT");
	ck_assert_str_eq(agent(w, "connect 1.2.3.256 80"), "err EINVAL usage: connect A.B.C.D PORT");
	ck_assert_str_eq(agent(w, "send 5"), "err ENOTCONN no connection");
	ck_assert_str_eq(agent(w, "close"), "err ENOTCONN no connection");
	ck_assert_str_eq(agent(w, "counter 999"), "err ENOENT no such counter");
	ck_assert_str_eq(agent(w, "profile 8"),
			 "err EINVAL usage: profile BITS (1 rfc5961, 2 rfc1337, 4 timewait-recycle)");
	ck_assert_str_eq(agent(w, "a b c d e"), "err E2BIG too many words");
	ck_assert_str_eq(agent(w, "listen 12345678901234567890123456789012345678901234567890"),
			 "err E2BIG line too long");
	/* ... and does what the good ones say. */
	ck_assert_str_eq(agent(w, "profile 3"), "ok");
	ck_assert_str_eq(agent(w, "profile"), "ok 3");
	ck_assert_str_eq(agent(w, "state"), "ok 1"); /* echo and HTTP listen: LISTEN */
	ck_assert_str_eq(agent(w, "services 0"), "ok");
	ck_assert_str_eq(agent(w, "state"), "ok 0"); /* CLOSED */
	ck_assert_str_eq(agent(w, "listen 8888"), "ok");
	ck_assert_str_eq(agent(w, "recv 10"), "ok 0");
	ck_assert_str_eq(agent(w, "ip 10.0.0.5 255.0.0.0 10.0.0.1"), "ok");
	ck_assert_str_eq(agent(w, "ip"), "ok 10.0.0.5 255.0.0.0 10.0.0.1");
	const char *all = agent(w, "counters");
	unsigned n = 0;
	ck_assert_int_eq(sscanf(all, "ok %u", &n), 1);
	ck_assert_uint_eq(n, NET_STAT_COUNT);
	board_free(w);
}
END_TEST

/* ---- echo and HTTP, served to our own stack on the same link ---- */

#define ECHO_BYTES 3000u

struct client {
	struct tcp_pcb *c;
	uint32_t sent, got, bad;
	bool connected, closed, reset;
	char http[512];
	size_t http_len;
	bool http_mode;
	uint32_t iss_seen;
};

static void client_push(struct net_stack *s, struct client *cl)
{
	uint8_t chunk[256];
	while (cl->sent < ECHO_BYTES) {
		uint16_t n = (uint16_t)(ECHO_BYTES - cl->sent < sizeof chunk ? ECHO_BYTES - cl->sent : sizeof chunk);
		for (uint16_t i = 0; i < n; i++)
			chunk[i] = (uint8_t)(cl->sent + i);
		uint16_t k = tcp_write(s, cl->c, chunk, n);
		cl->sent += k;
		if (k < n)
			break;
	}
	tcp_flush(s, cl->c);
}

static void client_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct client *cl = ctx;
	uint8_t buf[256];
	switch (ev) {
	case TCP_EV_CONNECTED:
		cl->connected = true;
		if (cl->http_mode) {
			static const char req[] = "GET / HTTP/1.0\r\n\r\n";
			tcp_write(s, c, req, sizeof req - 1);
			tcp_flush(s, c);
		} else {
			client_push(s, cl);
		}
		break;
	case TCP_EV_DATA:
		while (n > 0) {
			uint16_t k = tcp_recv(s, c, buf, n < sizeof buf ? n : (uint16_t)sizeof buf);
			if (k == 0)
				break;
			for (uint16_t i = 0; i < k; i++) {
				if (cl->http_mode) {
					if (cl->http_len + 1 < sizeof cl->http)
						cl->http[cl->http_len++] = (char)buf[i];
				} else if (buf[i] != (uint8_t)(cl->got + i)) {
					cl->bad++;
				}
			}
			if (!cl->http_mode)
				cl->got += k;
			n = (uint16_t)(n - k);
		}
		if (!cl->http_mode && cl->got == ECHO_BYTES)
			tcp_close(s, c);
		break;
	case TCP_EV_SENT:
		if (!cl->http_mode)
			client_push(s, cl);
		break;
	case TCP_EV_PEER_CLOSED:
		if (cl->http_mode)
			tcp_close(s, c);
		break;
	case TCP_EV_CLOSED:
		cl->closed = true;
		break;
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		cl->reset = true;
		break;
	case TCP_EV_URGENT:
		break;
	}
}

struct connect_call {
	struct client *cl;
	uint32_t ip;
	uint16_t port;
};

static void do_connect(struct sim_node *n, void *ctx)
{
	struct connect_call *x = ctx;
	x->cl->c = tcp_connect(&n->stack, x->ip, x->port, client_cb, x->cl);
	ck_assert_ptr_nonnull(x->cl->c);
}

/* The client node, booted on the board's link. */
static void client_node(struct board *w, struct sim_node *n)
{
	struct sim_node_config nc;
	sim_node_config_defaults(&nc, &w->sim, "client", 1);
	nc.net.ip = CLIENT_IP;
	nc.net.netmask = 0xFFFFFF00u;
	ck_assert_int_eq(sim_node_init(n, &w->sim, &nc), 0);
	ck_assert_int_eq(sim_node_start(n, &w->link, sim_now(&w->sim)), 0);
}

/* Echo 3000 bytes through the image, then fetch its HTTP page; returns
 * the link's hash (for the determinism test) and the throughput. */
static uint64_t echo_and_http(uint64_t seed, double *goodput)
{
	struct board *w = board_new(seed);
	struct sim_node n;
	struct client echo, http;
	boot(w);
	const char *ip = agent(w, "ip");
	unsigned a, b, c, d;
	ck_assert_int_eq(sscanf(ip, "ok %u.%u.%u.%u", &a, &b, &c, &d), 4);
	uint32_t dut = a << 24 | b << 16 | c << 8 | d;
	client_node(w, &n);
	memset(&echo, 0, sizeof echo);
	memset(&http, 0, sizeof http);
	http.http_mode = true;
	ck_assert_int_eq(sim_avr_run_until(w->avr, sim_avr_now(w->avr) + 10 * MS), 0);
	ck_assert(n.booted);

	struct connect_call x = {&echo, dut, 8888};
	uint64_t t0 = sim_avr_now(w->avr);
	sim_node_exec(&n, do_connect, &x);
	uint64_t limit = t0 + 10000 * MS;
	while (!(echo.closed || echo.reset) && sim_avr_now(w->avr) < limit)
		ck_assert_int_eq(sim_avr_run_until(w->avr, sim_avr_now(w->avr) + 10 * MS), 0);
	uint64_t t1 = sim_avr_now(w->avr);
	ck_assert_msg(echo.closed && !echo.reset, "echo: connected %d sent %u got %u closed %d reset %d",
		      echo.connected, echo.sent, echo.got, echo.closed, echo.reset);
	ck_assert_uint_eq(echo.got, ECHO_BYTES);
	ck_assert_uint_eq(echo.bad, 0);
	*goodput = (double)ECHO_BYTES / ((double)(t1 - t0) / 1e9);

	x.cl = &http;
	x.port = 80;
	sim_node_exec(&n, do_connect, &x);
	limit = sim_avr_now(w->avr) + 10000 * MS;
	while (!(http.closed || http.reset) && sim_avr_now(w->avr) < limit)
		ck_assert_int_eq(sim_avr_run_until(w->avr, sim_avr_now(w->avr) + 10 * MS), 0);
	http.http[http.http_len] = '\0';
	ck_assert_msg(http.closed && strncmp(http.http, "HTTP/1.0 200 OK\r\n", 17) == 0, "HTTP: '%s'", http.http);
	ck_assert_msg(strstr(http.http, "\r\n\r\nsynack\n") != NULL, "HTTP: '%s'", http.http);
	ck_assert_msg(strstr(http.http, "tcp.conns ") != NULL, "HTTP: '%s'", http.http);
	uint64_t h = w->wire_hash;
	sim_free(&w->sim);
	sim_node_free(&n);
	sim_avr_free(w->avr);
	sim_link_free(&w->link);
	free(w);
	return h;
}

START_TEST(test_serves_echo_and_http)
{
	double goodput;
	(void)echo_and_http(1, &goodput);
	/* An ATmega328P with an ENC28J60 at 8 MHz SPI echoes several KB/s;
	 * the bound only says it is not stalling. */
	ck_assert_msg(goodput > 2000.0, "echo goodput %.0f B/s", goodput);
}
END_TEST

START_TEST(test_same_seed_same_wire_other_seed_other_isns)
{
	double g;
	uint64_t a = echo_and_http(5, &g), b = echo_and_http(5, &g), c = echo_and_http(6, &g);
	ck_assert_uint_eq(a, b);
	ck_assert_uint_ne(a, c);
}
END_TEST

/* The image built with -DSYNACK_FW_MAC=02:11:22:33:44:55
 * -DSYNACK_FW_IP=10.9.8.7 (the firmware_image_options fixture) announces
 * that MAC and address when its link comes up, and its agent reports them. */
START_TEST(test_build_options_set_mac_and_ip)
{
	const char *elf = getenv("SYNACK_AVR_ELF_OPTIONS");
	struct fw_image img;
	char err[512];
	ck_assert_msg(elf != NULL && fw_image_read_elf(elf, &img, err, sizeof err) == 0,
		      "the firmware_image_options fixture built no image: %s", elf ? err : "SYNACK_AVR_ELF_OPTIONS unset");
	struct board *w = board_new_image(1, &img);
	boot(w);
	ck_assert_uint_gt(w->probe_rx_len, ETH_HDR_LEN);
	struct eth_repr e;
	struct arp_repr a;
	ck_assert_int_eq(eth_parse(w->probe_rx, w->probe_rx_len - 4, &e), WIRE_OK);
	ck_assert_uint_eq(e.ethertype, ETH_TYPE_ARP);
	ck_assert_int_eq(arp_parse(w->probe_rx + ETH_HDR_LEN, w->probe_rx_len - ETH_HDR_LEN - 4, &a), WIRE_OK);
	static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	ck_assert_mem_eq(e.src, mac, 6);
	ck_assert_mem_eq(a.sha, mac, 6);
	ck_assert_uint_eq(a.spa, 0x0A090807u);
	ck_assert_uint_eq(a.tpa, 0x0A090807u); /* gratuitous: asks for itself */
	ck_assert_str_eq(agent(w, "ip"), "ok 10.9.8.7 255.255.0.0 0.0.0.0");
	ck_assert_msg(strstr(w->uart, "mac 02:11:22:33:44:55") != NULL, "UART: %s", w->uart);
	board_free(w);
	fw_image_free(&img);
}
END_TEST

/* ---- the host's own checks ---- */

START_TEST(test_stopped_cpu_is_reported)
{
	/* cli; sleep: the CPU sleeps with interrupts off and never wakes. */
	static uint8_t code[] = {0xF8, 0x94, 0x88, 0x95};
	struct fw_image img;
	memset(&img, 0, sizeof img);
	img.machine = FW_EM_AVR;
	img.data = code;
	img.size = sizeof code;
	struct sim sim;
	char err[256];
	ck_assert_int_eq(sim_init(&sim, 1, 16), 0);
	struct sim_avr *a = sim_avr_new(&sim, &img, NULL, err, sizeof err);
	ck_assert_msg(a != NULL, "%s", err);
	ck_assert_int_eq(sim_avr_run_until(a, 10 * MS), -1);
	ck_assert_msg(strstr(sim_avr_error(a), "SLEEP with interrupts off") != NULL, "%s", sim_avr_error(a));
	sim_free(&sim);
	sim_avr_free(a);
}
END_TEST

START_TEST(test_not_an_avr_image_is_refused)
{
	static uint8_t code[] = {0};
	struct fw_image img;
	memset(&img, 0, sizeof img);
	img.machine = FW_EM_ARM;
	img.data = code;
	img.size = 1;
	struct sim sim;
	char err[256];
	ck_assert_int_eq(sim_init(&sim, 1, 16), 0);
	ck_assert_ptr_null(sim_avr_new(&sim, &img, NULL, err, sizeof err));
	ck_assert_str_eq(err, "not an AVR image (ELF machine 40, AVR is 83)");
	sim_free(&sim);
}
END_TEST

int main(void)
{
	const char *elf = getenv("SYNACK_AVR_ELF");
	char err[512];
	if (elf == NULL || fw_image_read_elf(elf, &g_img, err, sizeof err) != 0) {
		printf("SKIP: no AVR image (%s): build it with the firmware_images test (avr-gcc)\n",
		       elf ? err : "SYNACK_AVR_ELF is not set");
		return 77;
	}
	Suite *s = suite_create("avr_host");
	TCase *tc = tcase_create("avr_host");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_boots_and_agent_is_ready);
	tcase_add_test(tc, test_spi_bytes_take_their_true_time);
	tcase_add_test(tc, test_sleeps_until_int_or_deadline);
	tcase_add_test(tc, test_agent_refuses_bad_commands_by_name);
	tcase_add_test(tc, test_serves_echo_and_http);
	tcase_add_test(tc, test_same_seed_same_wire_other_seed_other_isns);
	tcase_add_test(tc, test_build_options_set_mac_and_ip);
	tcase_add_test(tc, test_stopped_cpu_is_reported);
	tcase_add_test(tc, test_not_an_avr_image_is_refused);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fw_image_free(&g_img);
	return failed ? 1 : 0;
}
