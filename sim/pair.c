/*
 * pair.c - the two-board echo scenario (see pair.h).
 *
 * Two firmwares on the struct sim_firmware interface, both built on the real
 * driver:
 *   pinger (board A): boot = enc_init; each pass drains received frames and
 *     checks them, gives up on an echo after the timeout, and sends the next
 *     frame when nothing is outstanding. It asks to run again at the echo
 *     deadline; INT (PKTIF, TXIF) wakes it earlier.
 *   echoer (board B): boot = enc_init; each pass drains received frames and
 *     sends each of ours back with the MAC addresses swapped. INT only.
 * Stop-and-wait keeps the accounting exact: at most one frame of ours is on
 * the link at any time, so each loss costs exactly one timeout.
 */
#include "pair.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_TIMEOUT_NS 10000000u /* slack over the round trip */

static const uint8_t MAC_A[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t MAC_B[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool is_ours(const uint8_t *f, uint16_t len, const uint8_t *dst)
{
	return len >= SIM_PAIR_HDR && memcmp(f, dst, 6) == 0 && f[12] == (SIM_PAIR_ETHERTYPE >> 8) &&
	       f[13] == (SIM_PAIR_ETHERTYPE & 0xFFu);
}

static void build(uint8_t *f, uint16_t size, uint32_t seq, const uint8_t *dst, const uint8_t *src)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(SIM_PAIR_ETHERTYPE >> 8);
	f[13] = (uint8_t)(SIM_PAIR_ETHERTYPE & 0xFFu);
	put32(f + 14, seq);
	for (uint16_t k = SIM_PAIR_HDR; k < size; k++)
		f[k] = (uint8_t)(seq + k);
}

/* ---- Firmware ---- */

static void node_boot(void *fw, struct sim_board *b)
{
	struct sim_pair_node *n = fw;
	n->init_rc = enc_init(&n->dev, sim_board_hal(b), &n->ecfg);
}

static void check_echo(struct sim_pair_node *n, uint16_t len)
{
	const uint8_t *f = n->buf;
	uint32_t seq = get32(f + 14);
	uint8_t want[SIM_PAIR_MAX_SIZE];
	build(want, n->cfg->size, seq, n->ecfg.mac, n->peer);
	if (len != n->cfg->size || memcmp(f, want, len) != 0) {
		if (n->bad_echoes++ == 0)
			n->first_bad_seq = seq;
		return;
	}
	if (n->waiting && seq + 1 == n->next_seq) {
		n->waiting = false;
		n->echoed++;
	} else {
		n->stray++;
	}
}

static uint64_t pinger_run(void *fw, struct sim_board *b, uint64_t now)
{
	struct sim_pair_node *n = fw;
	(void)now;
	if (n->init_rc != ENC_OK)
		return SIM_NEVER;
	/* enc_poll() says whether EPKTCNT counts a frame: when not, enc_recv()
	 * would only read it again. */
	uint16_t len;
	if (enc_poll(&n->dev))
		while ((len = enc_recv(&n->dev, n->buf, sizeof n->buf)) > 0)
			if (is_ours(n->buf, len, n->ecfg.mac))
				check_echo(n, len);
	if (n->waiting && sim_board_now(b) >= n->deadline) {
		n->waiting = false;
		n->lost++;
	}
	if (!n->waiting && n->next_seq < n->cfg->frames) {
		uint8_t *f = n->buf;
		build(f, n->cfg->size, n->next_seq, n->peer, n->ecfg.mac);
		if (enc_send(&n->dev, f, n->cfg->size) == ENC_OK) {
			n->sent++;
		} else {
			n->send_errors++;
		}
		n->next_seq++;
		n->waiting = true;
		n->deadline = sim_board_now(b) + n->cfg->echo_timeout_ns;
	}
	return n->waiting ? n->deadline : SIM_NEVER;
}

static uint64_t echoer_run(void *fw, struct sim_board *b, uint64_t now)
{
	struct sim_pair_node *n = fw;
	(void)b;
	(void)now;
	if (n->init_rc != ENC_OK)
		return SIM_NEVER;
	if (!enc_poll(&n->dev))
		return SIM_NEVER; /* nothing counted in EPKTCNT (a transmit completion, a link change) */
	uint16_t len;
	while ((len = enc_recv(&n->dev, n->buf, sizeof n->buf)) > 0) {
		if (!is_ours(n->buf, len, n->ecfg.mac)) {
			n->ignored++;
			continue;
		}
		memcpy(n->buf, n->buf + 6, 6);
		memcpy(n->buf + 6, n->ecfg.mac, 6);
		if (enc_send(&n->dev, n->buf, len) == ENC_OK)
			n->echoes_sent++;
		else
			n->send_errors++;
	}
	return SIM_NEVER;
}

static const struct sim_firmware PINGER = {node_boot, pinger_run};
static const struct sim_firmware ECHOER = {node_boot, echoer_run};

/* ---- Scenario ---- */

static int setup_board(struct sim_pair *p, struct sim_board *b, struct sim_pair_node *n, const char *name,
		       const uint8_t *mac, const uint8_t *peer)
{
	struct sim_board_config bc;
	memset(&bc, 0, sizeof bc);
	bc.name = name;
	bc.spi_ns_per_byte = p->cfg.spi_ns_per_byte;
	bc.model.link_up = true;
	if (sim_board_init(b, &p->sim, &bc) != 0 || sim_board_connect(b, &p->link) != 0)
		return -1;
	memset(n, 0, sizeof *n);
	n->board = b;
	n->cfg = &p->cfg;
	memcpy(n->ecfg.mac, mac, 6);
	memcpy(n->peer, peer, 6);
	n->ecfg.full_duplex = true;
	n->init_rc = ENC_OK;
	return 0;
}

int sim_pair_init(struct sim_pair *p, const struct sim_pair_config *cfg, char *err, size_t errcap)
{
	memset(p, 0, sizeof *p);
	p->cfg = *cfg;
	if (p->cfg.echo_timeout_ns == 0) {
		/* 10 ms of slack over a generous round trip: the frame crosses
		 * SPI four times and the wire twice, plus latency both ways. */
		uint64_t spi = p->cfg.spi_ns_per_byte ? p->cfg.spi_ns_per_byte : 1000u;
		p->cfg.echo_timeout_ns = DEFAULT_TIMEOUT_NS + 2u * p->cfg.latency_ns +
					 8u * (uint64_t)p->cfg.size * (spi + SIM_LINK_NS_PER_BYTE);
	}
	if (p->cfg.size < SIM_PAIR_MIN_SIZE || p->cfg.size > SIM_PAIR_MAX_SIZE) {
		snprintf(err, errcap, "frame size %u outside %u..%u", p->cfg.size, SIM_PAIR_MIN_SIZE,
			 SIM_PAIR_MAX_SIZE);
		return -1;
	}
	struct sim_link_config lc;
	memset(&lc, 0, sizeof lc);
	lc.latency_ns = p->cfg.latency_ns;
	lc.loss_ppm = p->cfg.loss_ppm;
	lc.corrupt_ppm = p->cfg.corrupt_ppm;
	lc.slots = 64;
	lc.name = "link0";
	if (sim_init(&p->sim, p->cfg.seed, 256) != 0 || sim_link_init(&p->link, &p->sim, &lc) != 0 ||
	    setup_board(p, &p->a, &p->na, "board-a", MAC_A, MAC_B) != 0 ||
	    setup_board(p, &p->b, &p->nb, "board-b", MAC_B, MAC_A) != 0) {
		snprintf(err, errcap, "out of memory setting up the simulation");
		return -1;
	}
	p->na.pinger = true;
	if (p->cfg.pcap_path) {
		if (sim_pcap_open(&p->pcap, p->cfg.pcap_path, err, errcap) != 0)
			return -1;
		p->have_pcap = true;
		sim_pcap_attach(&p->pcap, &p->link);
	}
	/* B boots first so it listens before A's first frame; A boots 1 us
	 * later (both wait out CLKRDY anyway). */
	sim_board_start(&p->b, &ECHOER, &p->nb, 0);
	sim_board_start(&p->a, &PINGER, &p->na, NET_US(1));
	return 0;
}

uint64_t sim_pair_explained_losses(const struct sim_pair *p)
{
	const struct model_stats *ma = model_get_stats(p->a.model);
	const struct model_stats *mb = model_get_stats(p->b.model);
	return p->link.stats.dropped_loss + p->link.stats.dropped_no_slot + ma->rx_dropped_crc +
	       mb->rx_dropped_crc + ma->rx_dropped_full + mb->rx_dropped_full + ma->rx_dropped_fault +
	       mb->rx_dropped_fault + p->na.dev.stats.rx_bad_status + p->nb.dev.stats.rx_bad_status;
}

unsigned sim_pair_diag_count(const struct sim_pair *p)
{
	return model_diag_count(p->a.model) + model_diag_count(p->b.model);
}

bool sim_pair_run(struct sim_pair *p)
{
	p->end = sim_run_until_idle(&p->sim, SIM_NEVER, p->cfg.event_budget);
	const struct sim_pair_node *a = &p->na;
	return p->end == SIM_IDLE && a->init_rc == ENC_OK && p->nb.init_rc == ENC_OK &&
	       a->next_seq == p->cfg.frames && a->sent == p->cfg.frames && !a->waiting &&
	       a->sent == a->echoed + a->lost && a->bad_echoes == 0 && a->send_errors == 0 &&
	       p->nb.send_errors == 0 && a->lost == sim_pair_explained_losses(p) &&
	       sim_pair_diag_count(p) == 0;
}

int sim_pair_close_pcap(struct sim_pair *p, char *err, size_t errcap)
{
	int rc = 0;
	if (p->have_pcap)
		rc = sim_pcap_close(&p->pcap, err, errcap);
	p->have_pcap = false;
	return rc;
}

int sim_pair_free(struct sim_pair *p, char *err, size_t errcap)
{
	int rc = sim_pair_close_pcap(p, err, errcap);
	/* The kernel first: its queue may still name the boards' timers. */
	sim_free(&p->sim);
	sim_link_free(&p->link);
	sim_board_free(&p->a);
	sim_board_free(&p->b);
	return rc;
}
