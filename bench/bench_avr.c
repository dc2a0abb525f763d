/*
 * bench_avr.c - the ATmega328P image in simavr (sim/avr_host.h): how fast
 * it boots, how fast it echoes TCP data, and what simulating it costs.
 *
 *   bench_avr [IMAGE.elf] [BYTES]      (default build-avr/.../synack-avr.elf, 65536)
 *
 * Our own stack (sim/node.h) on the same link connects to the image's echo
 * service on 8888, sends BYTES and reads them back; the figures are in the
 * image's simulated time (AVR cycles at 16 MHz, so what the board would do
 * on a bench with an 8 MHz SPI ENC28J60 and a 10 Mbit/s link) and in wall
 * time for the simulation. Prints figures only: never passes or fails on
 * time (STYLE: benchmarks print, tests don't time).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avr_host.h"
#include "node.h"

#define MS 1000000ull

struct bench {
	struct sim sim;
	struct sim_link link;
	struct sim_avr *avr;
	struct sim_node client;
	bool ready;
	uint32_t total, sent, got, bad;
	bool done, failed;
	struct tcp_pcb *c;
};

static void uart_out(void *ctx, uint8_t b, uint64_t now)
{
	static char line[128];
	static size_t n;
	struct bench *w = ctx;
	(void)now;
	if (b != '\n') {
		if (n + 1 < sizeof line)
			line[n++] = (char)b;
		return;
	}
	line[n] = '\0';
	n = 0;
	if (strncmp(line, "! ready ", 8) == 0) {
		w->ready = true;
		sim_avr_stop(w->avr);
	}
}

static void push(struct net_stack *s, struct bench *w)
{
	uint8_t chunk[512];
	while (w->sent < w->total) {
		uint16_t k = (uint16_t)(w->total - w->sent < sizeof chunk ? w->total - w->sent : sizeof chunk);
		for (uint16_t i = 0; i < k; i++)
			chunk[i] = (uint8_t)(w->sent + i);
		uint16_t took = tcp_write(s, w->c, chunk, k);
		w->sent += took;
		if (took < k)
			break;
	}
	tcp_flush(s, w->c);
}

static void on_tcp(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct bench *w = ctx;
	uint8_t buf[512];
	switch (ev) {
	case TCP_EV_CONNECTED:
	case TCP_EV_SENT:
		push(s, w);
		break;
	case TCP_EV_DATA:
		while (n > 0) {
			uint16_t k = tcp_recv(s, c, buf, n < sizeof buf ? n : (uint16_t)sizeof buf);
			if (k == 0)
				break;
			for (uint16_t i = 0; i < k; i++)
				w->bad += buf[i] != (uint8_t)(w->got + i);
			w->got += k;
			n = (uint16_t)(n - k);
		}
		if (w->got == w->total) {
			w->done = true;
			sim_avr_stop(w->avr);
		}
		break;
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		w->failed = true;
		sim_avr_stop(w->avr);
		break;
	case TCP_EV_PEER_CLOSED:
	case TCP_EV_CLOSED:
	case TCP_EV_URGENT:
		break;
	}
}

static void do_connect(struct sim_node *n, void *ctx)
{
	struct bench *w = ctx;
	w->c = tcp_connect(&n->stack, 0xC0A801C8u /* 192.168.1.200, the image's default */, 8888, on_tcp, w);
}

static double wall(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build-avr/firmware/avr/synack-avr.elf";
	uint32_t total = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 65536u;
	struct fw_image img;
	char err[512];
	if (fw_image_read_elf(path, &img, err, sizeof err) != 0) {
		fprintf(stderr, "bench_avr: %s\n", err);
		return 2;
	}
	static struct bench w;
	w.total = total;
	sim_init(&w.sim, 1, 256);
	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	sim_link_init(&w.link, &w.sim, &lc);
	struct sim_avr_config c;
	memset(&c, 0, sizeof c);
	c.name = "dut";
	c.model.link_up = true;
	c.uart_out = uart_out;
	c.ctx = &w;
	w.avr = sim_avr_new(&w.sim, &img, &c, err, sizeof err);
	if (w.avr == NULL) {
		fprintf(stderr, "bench_avr: %s\n", err);
		return 2;
	}
	sim_avr_connect(w.avr, &w.link);
	double t0 = wall();
	while (!w.ready && sim_avr_now(w.avr) < 2000 * MS)
		if (sim_avr_run_until(w.avr, 2000 * MS) != 0)
			break;
	double t_boot = wall() - t0;
	uint64_t v_boot = sim_avr_now(w.avr);
	if (!w.ready) {
		fprintf(stderr, "bench_avr: the image did not say ready: %s\n", sim_avr_error(w.avr));
		return 1;
	}
	struct sim_node_config nc;
	sim_node_config_defaults(&nc, &w.sim, "client", 1);
	nc.net.ip = 0xC0A80101u;
	nc.net.netmask = 0xFFFFFF00u;
	sim_node_init(&w.client, &w.sim, &nc);
	sim_node_start(&w.client, &w.link, sim_now(&w.sim));
	sim_avr_run_until(w.avr, sim_avr_now(w.avr) + 10 * MS);

	const struct sim_avr_stats *st = sim_avr_get_stats(w.avr);
	uint64_t c0 = st->cycles, i0 = st->instructions, s0 = st->sleep_cycles, spi0 = st->spi_bytes;
	uint64_t f0 = st->frames_in + st->frames_out;
	uint64_t v0 = sim_avr_now(w.avr);
	double t1 = wall();
	sim_node_exec(&w.client, do_connect, &w);
	uint64_t limit = v0 + 600000 * MS;
	while (!w.done && !w.failed && sim_avr_now(w.avr) < limit)
		if (sim_avr_run_until(w.avr, limit) != 0)
			break;
	double t_echo = wall() - t1;
	uint64_t v_echo = sim_avr_now(w.avr) - v0;
	uint64_t cycles = st->cycles - c0, instr = st->instructions - i0, slept = st->sleep_cycles - s0;
	uint64_t frames = st->frames_in + st->frames_out - f0;

	printf("bench_avr: %s in simavr %s, ATmega328P at 16 MHz, ENC28J60 on 8 MHz SPI\n", path,
	       sim_avr_simavr_version());
	printf("  boot to '! ready'   %.3f ms simulated, %.1f ms wall\n", (double)v_boot / 1e6, t_boot * 1e3);
	if (!w.done) {
		printf("  echo                FAILED after %u of %u bytes back (%s)\n", w.got, total,
		       w.failed ? "connection reset" : "time limit");
		return 1;
	}
	printf("  echo %u bytes     %.3f s simulated: %.0f B/s goodput each way (%.1f kbit/s), %u bytes wrong\n",
	       total, (double)v_echo / 1e9, (double)total / ((double)v_echo / 1e9),
	       (double)total * 8 / ((double)v_echo / 1e9) / 1e3, w.bad);
	printf("  CPU                 %.1f%% busy (%llu instructions, %llu of %llu cycles asleep), %llu SPI bytes\n",
	       100.0 * (double)(cycles - slept) / (double)cycles, (unsigned long long)instr,
	       (unsigned long long)slept, (unsigned long long)cycles, (unsigned long long)(st->spi_bytes - spi0));
	printf("  frames              %llu on the image's wire, %.0f cycles of CPU each\n", (unsigned long long)frames,
	       (double)(cycles - slept) / (double)(frames ? frames : 1));
	printf("  simulation          %.3f s wall: %.1fx real time, %.1f M instructions/s\n", t_echo,
	       ((double)v_echo / 1e9) / t_echo, (double)instr / t_echo / 1e6);
	sim_free(&w.sim);
	sim_node_free(&w.client);
	sim_avr_free(w.avr);
	sim_link_free(&w.link);
	fw_image_free(&img);
	return 0;
}
