/*
 * serve_board.c - the firmware on serve's simulated board (see
 * serve_board.h): our stack or a user's board:PATH.so behind the board ABI
 * on a struct sim_board, and the client that drives its application
 * interface for --connect.
 *
 *   serve_board_open -> fw->create(env) -> sim_board_start(BOARD_FW)
 *     BOARD_FW.boot -> fw->boot(now)
 *     BOARD_FW.run  -> fw->run(now); then, with a client, client_step()
 *                      (recv, compare, send, close) and run() once more
 *   env.event -> on_event: the client's state
 *
 * As in the board DUT (conformance/engine/dut_board.c), application calls
 * are made inside a firmware pass, where the SPI bus is usable, and run()
 * follows each; what the firmware could not take now is offered again on
 * its next pass (INT on the ACK that frees its ring).
 */
#include "serve_board.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc28j60_hw.h"
#ifdef SYNACK_SERVE_AVR
#include "serve_avr.h"
#endif

#define CHUNK 1024u
#define CLIENT_LINGER_NS 1000000000ull /* after our FIN: FIN-WAIT-2 is as far as a guest forward goes */
#define CLIENT_IDLE_NS 2000000000ull   /* everything sent, nothing back for this long: a discard service */
/* An AVR image keeps its deadlines in its own timer, not in the event
 * kernel: the loop runs it at least this often (a sleeping AVR costs no
 * instructions, so the step only bounds how late a timer is seen). */
#define AVR_STEP_NS 1000000ull

struct serve_board {
	struct serve_board_config cfg;
	char label[160];
	struct sim *sim;
	struct sim_board board;
	bool board_up;
	const struct synack_board_firmware *fw;
	const struct serve_ours *ours; /* SERVE_BOARD_OURS only */
#ifdef SYNACK_SERVE_AVR
	struct serve_avr *avr;         /* SERVE_BOARD_AVR only */
#endif
	struct synack_board_env env;
	void *fw_ctx;
	struct serve_client client;
	uint8_t buf[CHUNK];
};

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)('a' + off % 26u);
}

/* ---- the env the firmware calls ---- */

static uint64_t env_now(void *ctx)
{
	struct serve_board *b = ctx;
	return sim_board_now(&b->board);
}

static void client_fail(struct serve_client *c, uint64_t now, const char *why)
{
	if (c->state == SERVE_CLIENT_DONE || c->state == SERVE_CLIENT_FAILED)
		return;
	c->state = SERVE_CLIENT_FAILED;
	c->finished_at = now;
	snprintf(c->why, sizeof c->why, "%s", why);
}

static void on_event(void *ctx, enum synack_board_event ev)
{
	struct serve_board *b = ctx;
	struct serve_client *c = &b->client;
	uint64_t now = sim_board_now(&b->board);
	switch (ev) {
	case SYNACK_BOARD_EV_CONNECTED:
		if (c->state == SERVE_CLIENT_CONNECTING)
			c->state = SERVE_CLIENT_OPEN;
		return;
	case SYNACK_BOARD_EV_EOF:
		c->peer_closed = true;
		return;
	case SYNACK_BOARD_EV_CLOSED:
		if (c->state == SERVE_CLIENT_OPEN || c->state == SERVE_CLIENT_CLOSING) {
			c->state = SERVE_CLIENT_DONE;
			c->finished_at = now;
		}
		return;
	case SYNACK_BOARD_EV_RESET:
		client_fail(c, now, "the connection was reset by the peer");
		return;
	case SYNACK_BOARD_EV_REFUSED:
		client_fail(c, now, "the connection was refused (RST)");
		return;
	case SYNACK_BOARD_EV_TIMEOUT:
		client_fail(c, now, "the firmware gave up after retransmissions");
		return;
	case SYNACK_BOARD_EV_ACCEPTED:
		return; /* a passive open: not the client's */
	}
}

/* ---- the client, inside a firmware pass ---- */

static bool client_active(const struct serve_client *c)
{
	return c->state == SERVE_CLIENT_OPEN || c->state == SERVE_CLIENT_CLOSING;
}

static void client_read(struct serve_board *b, uint64_t now)
{
	struct serve_client *c = &b->client;
	const struct synack_board_app *app = b->fw->app;
	for (;;) {
		int k = app->recv(b->fw_ctx, now, b->buf, sizeof b->buf);
		if (k <= 0)
			return;
		for (int i = 0; i < k && c->mismatch_at == UINT64_MAX; i++) {
			uint64_t off = c->received + (uint64_t)i;
			if (off >= c->total || b->buf[i] != pattern(off))
				c->mismatch_at = off;
		}
		c->received += (uint64_t)k;
		c->last_activity = now;
		if (c->received >= c->total && c->all_back_at == 0)
			c->all_back_at = now;
	}
}

static void client_write(struct serve_board *b, uint64_t now)
{
	struct serve_client *c = &b->client;
	const struct synack_board_app *app = b->fw->app;
	while (c->sent < c->total) {
		uint64_t left = c->total - c->sent;
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		for (size_t i = 0; i < n; i++)
			b->buf[i] = pattern(c->sent + i);
		int took = app->send(b->fw_ctx, now, b->buf, n);
		if (took <= 0)
			return;
		c->sent += (uint64_t)took < n ? (uint64_t)took : n;
		c->last_activity = now;
		if ((size_t)took < n)
			return;
	}
}

static void client_step(struct serve_board *b, uint64_t now)
{
	struct serve_client *c = &b->client;
	client_read(b, now);
	if (c->state != SERVE_CLIENT_OPEN)
		return;
	client_write(b, now);
	/* Close once everything came back, when the peer has closed, or when
	 * everything went and nothing more comes back. */
	bool idle = c->sent == c->total && now - c->last_activity >= CLIENT_IDLE_NS;
	if ((c->sent == c->total && c->received >= c->total) || c->peer_closed || idle) {
		int rc = b->fw->app->close(b->fw_ctx, now);
		if (rc < 0) {
			char why[96];
			snprintf(why, sizeof why, "close() failed: %s", strerror(-rc));
			client_fail(c, now, why);
			return;
		}
		c->state = SERVE_CLIENT_CLOSING;
		c->closed_at = now;
	}
}

/* ---- the firmware as a struct sim_firmware ---- */

static void sb_boot(void *ctx, struct sim_board *sb)
{
	struct serve_board *b = ctx;
	b->fw->boot(b->fw_ctx, sim_board_now(sb));
}

static uint64_t sb_run(void *ctx, struct sim_board *sb, uint64_t now)
{
	struct serve_board *b = ctx;
	uint64_t next = b->fw->run(b->fw_ctx, now);
	if (client_active(&b->client)) {
		client_step(b, sim_board_now(sb));
		uint64_t again = b->fw->run(b->fw_ctx, sim_board_now(sb));
		next = again < next ? again : next;
	}
	return next;
}

static const struct sim_firmware BOARD_FW = {sb_boot, sb_run};

/* ---- the board ---- */

static struct serve_board *open_avr(struct sim *s, struct sim_link *l, const struct serve_board_config *cfg,
				    char *err, size_t errcap)
{
	const char *path = cfg->label ? cfg->label : "";
#ifdef SYNACK_SERVE_AVR
	struct serve_board *b = calloc(1, sizeof *b);
	if (b == NULL) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	b->cfg = *cfg;
	b->sim = s;
	b->client.mismatch_at = UINT64_MAX;
	snprintf(b->label, sizeof b->label, "AVR image %.100s in simavr (echo on 8888, HTTP on 80)", path);
	b->avr = serve_avr_open(s, l, path, cfg->ip, cfg->netmask, cfg->gateway, err, errcap);
	if (b->avr == NULL) {
		free(b);
		return NULL;
	}
	return b;
#else
	(void)s;
	(void)l;
	snprintf(err, errcap,
		 "--firmware %s: this synack was built without simavr (libsimavr-dev), so it cannot run AVR "
		 "images; serve your own firmware with --dut board:PATH.so, or our stack (the default)",
		 path);
	return NULL;
#endif
}

struct serve_board *serve_board_open(struct sim *s, struct sim_link *l, const struct serve_board_config *cfg,
				     char *err, size_t errcap)
{
	const struct synack_board_firmware *fw = NULL;
	const struct serve_ours *ours = NULL;
	switch (cfg->kind) {
	case SERVE_BOARD_OURS:
		ours = serve_ours_entry();
		fw = ours->fw;
		break;
	case SERVE_BOARD_LIBRARY:
		fw = cfg->fw;
		break;
	case SERVE_BOARD_AVR:
		return open_avr(s, l, cfg, err, errcap);
	}
	if (fw == NULL) {
		snprintf(err, errcap, "no firmware given");
		return NULL;
	}
	struct serve_board *b = calloc(1, sizeof *b);
	if (b == NULL) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	b->cfg = *cfg;
	b->sim = s;
	b->fw = fw;
	b->ours = ours;
	b->client.mismatch_at = UINT64_MAX;
	if (ours != NULL)
		snprintf(b->label, sizeof b->label, "our stack (echo on %u, HTTP on %u)", SERVE_OURS_ECHO_PORT,
			 SERVE_OURS_HTTP_PORT);
	else
		snprintf(b->label, sizeof b->label, "%s (%s)", cfg->label ? cfg->label : "board", fw->name);
	struct sim_board_config bc;
	memset(&bc, 0, sizeof bc);
	bc.name = "serve";
	bc.model.link_up = true;
	if (sim_board_init(&b->board, s, &bc) != 0) {
		snprintf(err, errcap, "cannot set up the board");
		free(b);
		return NULL;
	}
	b->board_up = true;
	b->env.abi_version = SYNACK_BOARD_ABI_VERSION;
	b->env.spi = sim_board_hal(&b->board);
	memcpy(b->env.mac, cfg->mac, 6);
	b->env.ip = cfg->ip;
	b->env.netmask = cfg->netmask;
	b->env.gateway = cfg->gateway;
	b->env.profile = SYNACK_BOARD_PROFILE_RFC5961; /* the project's default profile */
	b->env.seed = cfg->seed;
	b->env.now = env_now;
	b->env.event = on_event;
	b->env.ctx = b;
	if ((b->fw_ctx = fw->create(&b->env)) == NULL) {
		snprintf(err, errcap, "%s: the firmware's create() returned NULL", b->label);
		serve_board_free(b);
		return NULL;
	}
	if (sim_board_connect(&b->board, l) != 0 || sim_board_start(&b->board, &BOARD_FW, b, 0) != 0) {
		snprintf(err, errcap, "cannot attach the board to the link");
		serve_board_free(b);
		return NULL;
	}
	return b;
}

void serve_board_free(struct serve_board *b)
{
	if (b == NULL)
		return;
#ifdef SYNACK_SERVE_AVR
	serve_avr_free(b->avr);
#endif
	if (b->fw_ctx != NULL)
		b->fw->destroy(b->fw_ctx);
	if (b->board_up)
		sim_board_free(&b->board);
	free(b);
}

bool serve_board_receiving(struct serve_board *b)
{
#ifdef SYNACK_SERVE_AVR
	if (b->avr != NULL && !serve_avr_configured(b->avr))
		return false;
#endif
	return (model_peek_reg(serve_board_model(b), 0, ENC_REG_ADDR(ECON1)) & ECON1_RXEN) != 0;
}

struct enc_model *serve_board_model(struct serve_board *b)
{
#ifdef SYNACK_SERVE_AVR
	if (b->avr != NULL)
		return serve_avr_model(b->avr);
#endif
	return sim_board_model(&b->board);
}

unsigned serve_board_port(struct serve_board *b)
{
#ifdef SYNACK_SERVE_AVR
	if (b->avr != NULL)
		return serve_avr_port(b->avr)->index;
#endif
	return b->board.port->index;
}

void serve_board_mac(struct serve_board *b, uint8_t mac[6])
{
	if (b->cfg.kind != SERVE_BOARD_AVR) {
		memcpy(mac, b->cfg.mac, 6);
		return;
	}
	/* The image's own (a build option), as its driver wrote it. */
	static const uint32_t MAADR[6] = {MAADR1, MAADR2, MAADR3, MAADR4, MAADR5, MAADR6};
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)model_peek_reg(serve_board_model(b), 3, ENC_REG_ADDR(MAADR[i]));
}

int serve_board_run_until(struct serve_board *b, uint64_t until)
{
#ifdef SYNACK_SERVE_AVR
	if (b->avr != NULL)
		return serve_avr_run_until(b->avr, until);
#endif
	sim_run_until(b->sim, until, 0);
	return 0;
}

uint64_t serve_board_next_event(struct serve_board *b)
{
	uint64_t next = sim_next_event(b->sim);
#ifdef SYNACK_SERVE_AVR
	if (b->avr != NULL) {
		uint64_t step = sim_now(b->sim) + AVR_STEP_NS;
		return step < next ? step : next;
	}
#endif
	return next;
}

const char *serve_board_stopped(const struct serve_board *b)
{
#ifdef SYNACK_SERVE_AVR
	if (b->avr != NULL && serve_avr_why(b->avr)[0])
		return serve_avr_why(b->avr);
#else
	(void)b;
#endif
	return NULL;
}

const char *serve_board_label(const struct serve_board *b)
{
	return b->label;
}


unsigned serve_board_free_conns(struct serve_board *b)
{
	return b->ours != NULL ? b->ours->free_conns(b->fw_ctx) : UINT32_MAX;
}

bool serve_board_ours_counters(struct serve_board *b, struct serve_ours_counters *c)
{
	if (b->ours == NULL)
		return false;
	b->ours->counters(b->fw_ctx, c);
	return true;
}

const char *serve_board_client_unsupported(const struct serve_board *b, char *buf, size_t cap)
{
	if (b->cfg.kind == SERVE_BOARD_AVR) {
		snprintf(buf, cap,
			 "%s: its UART agent counts the bytes it receives instead of keeping them, so the "
			 "client cannot check the echo; serve our stack or a board:PATH.so for --connect",
			 b->label);
		return buf;
	}
	const struct synack_board_app *app = b->fw->app;
	const char *missing = app == NULL ? NULL
			      : app->connect == NULL ? "connect"
			      : app->send == NULL   ? "send"
			      : app->recv == NULL   ? "recv"
			      : app->close == NULL  ? "close"
						    : NULL;
	if (app == NULL) {
		snprintf(buf, cap, "%s has no application interface (synack_board_firmware.app is NULL)", b->label);
		return buf;
	}
	if (missing != NULL) {
		snprintf(buf, cap, "%s does not implement %s (synack_board_app.%s is NULL)", b->label, missing,
			 missing);
		return buf;
	}
	return NULL;
}

static uint64_t exec_connect(void *ctx, struct sim_board *sb, uint64_t now)
{
	struct serve_board *b = ctx;
	struct serve_client *c = &b->client;
	int rc = b->fw->app->connect(b->fw_ctx, now, c->ip, c->port);
	if (rc < 0) {
		char why[96];
		snprintf(why, sizeof why, "connect() failed: %s", strerror(-rc));
		client_fail(c, now, why);
	}
	return b->fw->run(b->fw_ctx, sim_board_now(sb));
}

void serve_board_client_start(struct serve_board *b, uint32_t ip, uint16_t port, uint64_t bytes)
{
	struct serve_client *c = &b->client;
	memset(c, 0, sizeof *c);
	c->state = SERVE_CLIENT_CONNECTING;
	c->ip = ip;
	c->port = port;
	c->total = bytes;
	c->mismatch_at = UINT64_MAX;
	c->started_at = c->last_activity = sim_now(b->sim);
	sim_board_exec(&b->board, exec_connect, b);
}

const struct serve_client *serve_board_client(const struct serve_board *b)
{
	return &b->client;
}

/* A pass for the idle rule: the firmware may sleep (no deadline) while
 * the client waits for bytes that never come. */
static uint64_t exec_step(void *ctx, struct sim_board *sb, uint64_t now)
{
	struct serve_board *b = ctx;
	client_step(b, now);
	return b->fw->run(b->fw_ctx, sim_board_now(sb));
}

bool serve_board_client_poll(struct serve_board *b)
{
	struct serve_client *c = &b->client;
	if (c->state == SERVE_CLIENT_DONE || c->state == SERVE_CLIENT_FAILED)
		return true;
	if (c->state == SERVE_CLIENT_OPEN && c->sent == c->total &&
	    sim_now(b->sim) - c->last_activity >= CLIENT_IDLE_NS)
		sim_board_exec(&b->board, exec_step, b);
	if (c->state != SERVE_CLIENT_CLOSING || sim_now(b->sim) < c->closed_at + CLIENT_LINGER_NS)
		return false;
	/* Our FIN must have been acknowledged: FIN-WAIT-2 (the peer keeps its
	 * side open), TIME-WAIT or CLOSED. Without a state function, the
	 * linger alone. */
	const char *st = b->fw->app->tcp_state ? b->fw->app->tcp_state(b->fw_ctx) : NULL;
	if (st != NULL && strcmp(st, "FIN-WAIT-2") != 0 && strcmp(st, "TIME-WAIT") != 0 &&
	    strcmp(st, "CLOSED") != 0)
		return false;
	c->state = SERVE_CLIENT_DONE;
	c->half_open = true;
	c->finished_at = sim_now(b->sim);
	return true;
}
