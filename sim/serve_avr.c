/*
 * serve_avr.c - the AVR image as serve's board (see serve_avr.h).
 *
 * The only agent traffic is the address: the image boots with the one it
 * was built with (192.168.1.200/24 by default), and serve's networks are
 * slirp's 10.0.2.0/24, so once the agent says "! ready" the host sends
 * "ip A.B.C.D MASK GW" and waits for its "ok". Everything after that is
 * the image's own business: its echo and HTTP services answer whoever
 * connects through the bridge.
 */
#include "serve_avr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avr_host.h"
#include "fw_image.h"

#define AGENT_VERSION "2" /* firmware/README.md: "! ready 2 BOARD NCOUNTERS" */
#define LINE_CAP 128u

enum agent_phase {
	PHASE_BOOTING,   /* waiting for "! ready" */
	PHASE_ADDRESS,   /* "ip ..." sent, waiting for its reply */
	PHASE_SERVING,
	PHASE_FAILED,
};

struct serve_avr {
	struct fw_image img;
	bool img_loaded;
	struct sim_avr *avr;
	uint32_t ip, netmask, gateway;
	enum agent_phase phase;
	char line[LINE_CAP];
	size_t line_len;
	bool line_long;
	char why[256];
};

static void ip_text(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xffu, (ip >> 8) & 0xffu, ip & 0xffu);
}

static void fail(struct serve_avr *a, const char *fmt, const char *detail)
{
	a->phase = PHASE_FAILED;
	snprintf(a->why, sizeof a->why, fmt, detail);
	sim_avr_stop(a->avr);
}

static void send_address(struct serve_avr *a)
{
	char ip[16], mask[16], gw[16], cmd[64];
	ip_text(a->ip, ip);
	ip_text(a->netmask, mask);
	ip_text(a->gateway, gw);
	int n = snprintf(cmd, sizeof cmd, "ip %s %s %s\n", ip, mask, gw);
	if (n < 0 || (size_t)n >= sizeof cmd || sim_avr_uart_send(a->avr, (const uint8_t *)cmd, (size_t)n) != 0) {
		fail(a, "%s", "cannot send the address to the image's agent");
		return;
	}
	a->phase = PHASE_ADDRESS;
}

static void agent_line(struct serve_avr *a, const char *l)
{
	switch (a->phase) {
	case PHASE_BOOTING:
		if (strncmp(l, "! ready ", 8) == 0) {
			char ver[8] = "";
			if (sscanf(l + 8, "%7s", ver) != 1 || strcmp(ver, AGENT_VERSION) != 0) {
				fail(a, "the image's agent speaks protocol '%s', this synack " AGENT_VERSION
					" (rebuild the image from this tree)", ver);
				return;
			}
			send_address(a);
		}
		return;
	case PHASE_ADDRESS:
		if (strncmp(l, "ok", 2) == 0) {
			a->phase = PHASE_SERVING;
			sim_avr_stop(a->avr);
		} else if (strncmp(l, "err", 3) == 0) {
			fail(a, "the image's agent refused serve's address: %s", l);
		}
		return;
	case PHASE_SERVING:
	case PHASE_FAILED:
		return; /* events and status lines: nobody waits for them */
	}
}

static void uart_out(void *ctx, uint8_t b, uint64_t now)
{
	struct serve_avr *a = ctx;
	(void)now;
	if (b == '\r')
		return;
	if (b != '\n') {
		if (a->line_len < sizeof a->line - 1)
			a->line[a->line_len++] = (char)b;
		else
			a->line_long = true;
		return;
	}
	a->line[a->line_len] = '\0';
	if (!a->line_long)
		agent_line(a, a->line);
	a->line_len = 0;
	a->line_long = false;
}

struct serve_avr *serve_avr_open(struct sim *s, struct sim_link *l, const char *path, uint32_t ip,
				 uint32_t netmask, uint32_t gateway, char *err, size_t errcap)
{
	struct serve_avr *a = calloc(1, sizeof *a);
	if (a == NULL) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	a->ip = ip;
	a->netmask = netmask;
	a->gateway = gateway;
	char why[256];
	if (fw_image_read_elf(path, &a->img, why, sizeof why) != 0) {
		snprintf(err, errcap, "--firmware: %s", why);
		free(a);
		return NULL;
	}
	a->img_loaded = true;
	struct sim_avr_config ac;
	memset(&ac, 0, sizeof ac);
	ac.name = "serve";
	ac.model.link_up = true;
	ac.uart_out = uart_out;
	ac.ctx = a;
	a->avr = sim_avr_new(s, &a->img, &ac, why, sizeof why);
	if (a->avr == NULL) {
		snprintf(err, errcap, "--firmware %s: %s", path, why);
		serve_avr_free(a);
		return NULL;
	}
	if (sim_avr_connect(a->avr, l) != 0) {
		snprintf(err, errcap, "cannot attach the image's chip to the link");
		serve_avr_free(a);
		return NULL;
	}
	return a;
}

void serve_avr_free(struct serve_avr *a)
{
	if (a == NULL)
		return;
	if (a->avr != NULL)
		sim_avr_free(a->avr);
	if (a->img_loaded)
		fw_image_free(&a->img);
	free(a);
}

int serve_avr_run_until(struct serve_avr *a, uint64_t until)
{
	while (a->phase != PHASE_FAILED && sim_avr_now(a->avr) < until) {
		if (sim_avr_run_until(a->avr, until) != 0) {
			fail(a, "the image stopped: %s", sim_avr_error(a->avr));
			break;
		}
	}
	return a->phase == PHASE_FAILED ? -1 : 0;
}

bool serve_avr_configured(const struct serve_avr *a)
{
	return a->phase == PHASE_SERVING;
}

const char *serve_avr_why(const struct serve_avr *a)
{
	return a->why;
}

struct enc_model *serve_avr_model(struct serve_avr *a)
{
	return sim_avr_model(a->avr);
}

struct sim_port *serve_avr_port(struct serve_avr *a)
{
	return sim_avr_port(a->avr);
}
