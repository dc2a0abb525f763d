/*
 * gen_model_seeds.c - records the real driver's SPI traffic (core/enc28j60/)
 * against the chip model as fuzz_model.c's operation stream, so the model
 * harness starts from what a working driver does: bring-up, receive,
 * transmit, link changes, overflow, and one hand-built stream of malformed
 * SPI commands. Each scenario is one seed file; the
 * recording is exact (the same model, the same times), so replaying a seed
 * drives the model through the states the driver reached.
 *
 *   gen_model_seeds OUT_DIR     writes OUT_DIR/<scenario>
 *
 * Not a test, not installed: `cmake --build build --target gen_model_seeds`.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc28j60.h"
#include "enc28j60_model.h"

#define BYTE_NS 1000u /* 8 MHz SPI */

struct rec {
	struct enc_model *m;
	uint64_t now, pending; /* time not yet written to the stream */
	uint8_t out[1 << 16];
	size_t n;
};

static void put(struct rec *r, uint8_t b)
{
	if (r->n < sizeof r->out)
		r->out[r->n++] = b;
}

/* Time passes in the stream as op 10: 16 bits shifted left by the op's
 * high nibble. The recorder moves its own clock by what the stream says. */
static void flush_time(struct rec *r)
{
	while (r->pending > 0) {
		unsigned s = 0;
		while ((r->pending >> s) > 0xFFFFu && s < 15u)
			s++;
		uint64_t amount = r->pending >> s;
		if (amount > 0xFFFFu)
			amount = 0xFFFFu;
		if (amount == 0)
			break;
		put(r, (uint8_t)(10u | s << 4));
		put(r, (uint8_t)(amount >> 8));
		put(r, (uint8_t)amount);
		r->now += amount << s;
		r->pending -= amount << s;
		model_advance(r->m, r->now);
	}
}

static void h_select(void *c)
{
	struct rec *r = c;
	flush_time(r);
	put(r, 0);
	model_spi_select(r->m, true, r->now);
}

static void h_deselect(void *c)
{
	struct rec *r = c;
	put(r, 1);
	model_spi_select(r->m, false, r->now);
}

static uint8_t h_xfer(void *c, uint8_t b)
{
	struct rec *r = c;
	put(r, 2);
	put(r, b);
	uint8_t v = model_spi_xfer(r->m, b, r->now);
	r->pending += BYTE_NS;
	return v;
}

static void h_delay(void *c, uint32_t us)
{
	struct rec *r = c;
	r->pending += (uint64_t)us * 1000u;
	flush_time(r);
}

static void wire(struct rec *r, const uint8_t *f, uint16_t len)
{
	flush_time(r);
	put(r, 12);
	put(r, (uint8_t)(len >> 8));
	put(r, (uint8_t)len);
	for (unsigned i = 0; i < len; i++)
		put(r, f[i]);
	uint8_t buf[1600];
	memcpy(buf, f, len);
	uint32_t fcs = model_crc32(buf, len);
	for (unsigned i = 0; i < 4; i++)
		buf[len + i] = (uint8_t)(fcs >> (8u * i));
	model_wire_rx(r->m, buf, len + 4u, r->now);
}

static void pass(struct rec *r, uint64_t ns)
{
	r->pending += ns;
	flush_time(r);
}

static void link(struct rec *r, bool up)
{
	flush_time(r);
	put(r, (uint8_t)(13u | (up ? 0x10u : 0u)));
	model_set_link(r->m, up, r->now);
}

static const uint8_t MAC[6] = {0x02, 0, 0, 0, 0, 0x01};

static uint16_t frame(uint8_t *f, uint16_t len, uint8_t fill)
{
	memcpy(f, MAC, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\xfe", 6);
	f[12] = 0x08;
	f[13] = 0x00;
	for (unsigned i = 14; i < len; i++)
		f[i] = (uint8_t)(fill + i);
	return len;
}

static void scenario(const char *dir, const char *name, uint8_t c0, bool full_duplex, int what)
{
	static struct rec r;
	static void *mem;
	if (mem == NULL && (mem = malloc(model_sizeof())) == NULL)
		exit(1);
	memset(&r, 0, sizeof r);
	struct model_config mc;
	memset(&mc, 0, sizeof mc);
	mc.errata = c0 & 0x1Fu;
	mc.link_up = (c0 & 0x20u) == 0;
	struct model_ops ops = {NULL, NULL, NULL};
	r.m = model_init(mem, &mc, &ops, 0);
	put(&r, c0);
	put(&r, 0);
	struct enc_spi_hal hal = {h_select, h_deselect, h_xfer, NULL, NULL, h_delay, &r};
	struct enc_config ec;
	memset(&ec, 0, sizeof ec);
	memcpy(ec.mac, MAC, 6);
	ec.full_duplex = full_duplex;
	ec.promiscuous = what == 3;
	struct enc_dev d;
	if (enc_init(&d, &hal, &ec) != 0) {
		fprintf(stderr, "gen_model_seeds: %s: enc_init failed\n", name);
		exit(1);
	}
	uint8_t f[1514], in[1600];
	for (int round = 0; round < (what == 2 ? 1 : 3); round++) {
		enc_poll(&d);
		if (what == 1 && round == 1) {
			link(&r, false);
			pass(&r, 2000000);
			enc_poll(&d);
			link(&r, true);
		}
		int frames = what == 2 ? 20 : 2;
		for (int k = 0; k < frames; k++)
			wire(&r, f, frame(f, (uint16_t)(what == 2 ? 400 : 60 + 200 * k), (uint8_t)k));
		pass(&r, 100000);
		enc_poll(&d);
		while (enc_recv(&d, in, sizeof in) > 0)
			;
		enc_send(&d, f, frame(f, (uint16_t)(64 + 500 * round), 7));
		pass(&r, 2000000);
		enc_poll(&d);
		uint16_t sum;
		enc_mem_write(&d, enc_spare_start(&d), f, 100);
		enc_mem_checksum(&d, enc_spare_start(&d), 100, &sum);
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *o = fopen(path, "wb");
	if (o == NULL || fwrite(r.out, 1, r.n, o) != r.n || fclose(o) != 0) {
		fprintf(stderr, "gen_model_seeds: cannot write %s\n", path);
		exit(1);
	}
	printf("%s: %zu bytes, %u diagnostics\n", path, r.n, model_diag_count(r.m));
}

/* Hand-built: each malformed SPI stream the checker names (DS39662E 4.1,
 * 4.2, Table 4-1), after a reset and CLKRDY. */
static void malformed_spi(const char *dir)
{
	static const uint8_t ops[] = {
		0, 0,                   /* config: no errata, link up */
		9,                      /* SRC */
		10 | 11u << 4, 0x01, 0x00, /* 256 << 11 ns: past CLKRDY */
		0, 2, 0xE5, 2, 0x11, 1,  /* unknown opcode 111, then a byte */
		0, 2, 0x5F, 1,           /* WCR ECON1 cut after the opcode */
		0, 2, 0x9F, 1,           /* BFS cut after the opcode */
		2, 0x55,                 /* a byte with CS high */
		0, 2, 0xFF, 2, 0x12, 1,  /* a byte after SRC in the same frame */
		0, 2, 0xFF, 2, 0xFF, 1,  /* a repeated 0xFF after SRC: benign */
		14 | 0x10u, 2, 0x40, 2, 0x41, 14, /* bytes while RESET is held */
		10 | 11u << 4, 0x01, 0x00, /* CLKRDY again after the reset */
		4, 0x80 | 0x00,          /* RCR with the dummy byte */
		3, 0x1F, 0x03,           /* ECON1: bank 3 */
		4, 0x12,                 /* EREVID */
		3, 0x1F, 0x02, 3, 0x14, 0x01, /* bank 2: MIREGADR = PHSTAT1 */
		3, 0x12, 0x01, 4, 0x80 | 0x18, /* MICMD.MIIRD, then MIRD while busy */
		11, 4, 0x80 | 0x18,
	};
	char path[4096];
	snprintf(path, sizeof path, "%s/spi-malformed", dir);
	FILE *o = fopen(path, "wb");
	if (o == NULL || fwrite(ops, 1, sizeof ops, o) != sizeof ops || fclose(o) != 0) {
		fprintf(stderr, "gen_model_seeds: cannot write %s\n", path);
		exit(1);
	}
	printf("%s: %zu bytes (hand-built)\n", path, sizeof ops);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_model_seeds OUT_DIR\n");
		return 2;
	}
	scenario(argv[1], "driver-rx-tx", 0, true, 0);
	scenario(argv[1], "driver-half-duplex", 0, false, 0);
	scenario(argv[1], "driver-link-flap", 0, true, 1);
	scenario(argv[1], "driver-overflow", 0, true, 2);
	scenario(argv[1], "driver-promiscuous", 0, true, 3);
	scenario(argv[1], "driver-errata", MODEL_ERRATUM_PKTIF_UNRELIABLE | MODEL_ERRATUM_TX_ABORT_STALL |
				      MODEL_ERRATUM_CLKRDY_EARLY | MODEL_ERRATUM_EVEN_ERXRDPT, true, 0);
	scenario(argv[1], "driver-latecol", MODEL_ERRATUM_FALSE_LATECOL, false, 0);
	malformed_spi(argv[1]);
	return 0;
}
