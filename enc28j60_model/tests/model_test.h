/*
 * model_test.h - helpers shared by the model's Check suites: a harness that
 * owns a model instance in static storage, records INT edges and transmitted
 * frames, and talks to the chip only through raw SPI bytes
 * (model_spi_select/model_spi_xfer), the way a driver does.
 *
 * Everything is static inline so each suite compiles it on its own.
 */
#ifndef MODEL_TEST_H
#define MODEL_TEST_H

#include <check.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "enc28j60_model.h"

#define H_MAX_TX 16
#define H_RXEND 0x0BFFu /* receive ring 0x0000..0x0BFF; TX after it */
#define H_TXST 0x0C00u

struct h_tx {
	uint8_t data[1600];
	size_t len;
	uint64_t start, end;
};

struct harness {
	alignas(16) uint8_t mem[200000];
	struct enc_model *m;
	uint64_t t;
	unsigned int_edges; /* assertions (falling edges) */
	unsigned int_changes;
	bool int_level;
	uint64_t int_t;
	unsigned ntx;
	struct h_tx tx[H_MAX_TX];
};

static inline void h_int_cb(void *ctx, bool asserted, uint64_t now)
{
	struct harness *h = ctx;
	h->int_changes++;
	if (asserted)
		h->int_edges++;
	h->int_level = asserted;
	h->int_t = now;
}

static inline void h_tx_cb(void *ctx, const uint8_t *frame, size_t len, uint64_t start, uint64_t now)
{
	struct harness *h = ctx;
	if (h->ntx < H_MAX_TX) {
		struct h_tx *x = &h->tx[h->ntx];
		memcpy(x->data, frame, len < sizeof(x->data) ? len : sizeof(x->data));
		x->len = len;
		x->start = start;
		x->end = now;
	}
	h->ntx++;
}

static inline struct enc_model *h_init(struct harness *h, const struct model_config *cfg)
{
	ck_assert_uint_le(model_sizeof(), sizeof(h->mem));
	struct model_config def = {.link_up = true};
	struct model_ops ops = {.int_changed = h_int_cb, .tx_frame = h_tx_cb, .ctx = h};
	h->t = 0;
	h->int_edges = h->int_changes = 0;
	h->int_level = false;
	h->ntx = 0;
	h->m = model_init(h->mem, cfg ? cfg : &def, &ops, 0);
	return h->m;
}

/* ---- raw SPI, as a driver does it ---- */
static inline void h_cs(struct harness *h, bool on)
{
	model_spi_select(h->m, on, h->t);
}
static inline uint8_t h_x(struct harness *h, uint8_t b)
{
	return model_spi_xfer(h->m, b, h->t);
}
static inline void h_op2(struct harness *h, uint8_t op, uint8_t arg)
{
	h_cs(h, true);
	h_x(h, op);
	h_x(h, arg);
	h_cs(h, false);
}
static inline void h_bank(struct harness *h, enc_reg_t r)
{
	if (ENC_REG_IS_COMMON(r))
		return;
	h_op2(h, (uint8_t)(ENC_OP_BFC | ENC_REG_ADDR(ECON1)), ECON1_BSEL_MASK);
	if (ENC_REG_BANK(r))
		h_op2(h, (uint8_t)(ENC_OP_BFS | ENC_REG_ADDR(ECON1)), ENC_REG_BANK(r));
}
static inline uint8_t h_rcr(struct harness *h, enc_reg_t r)
{
	h_bank(h, r);
	h_cs(h, true);
	h_x(h, (uint8_t)(ENC_OP_RCR | ENC_REG_ADDR(r)));
	if (ENC_REG_IS_MACMII(r))
		h_x(h, 0);
	uint8_t v = h_x(h, 0);
	h_cs(h, false);
	return v;
}
static inline void h_wcr(struct harness *h, enc_reg_t r, uint8_t v)
{
	h_bank(h, r);
	h_op2(h, (uint8_t)(ENC_OP_WCR | ENC_REG_ADDR(r)), v);
}
static inline void h_bfs(struct harness *h, enc_reg_t r, uint8_t v)
{
	h_bank(h, r);
	h_op2(h, (uint8_t)(ENC_OP_BFS | ENC_REG_ADDR(r)), v);
}
static inline void h_bfc(struct harness *h, enc_reg_t r, uint8_t v)
{
	h_bank(h, r);
	h_op2(h, (uint8_t)(ENC_OP_BFC | ENC_REG_ADDR(r)), v);
}
static inline uint16_t h_rd16(struct harness *h, enc_reg_t lo)
{
	uint8_t l = h_rcr(h, lo);
	return (uint16_t)(l | (h_rcr(h, (enc_reg_t)(lo + 1)) << 8));
}
static inline void h_wr16(struct harness *h, enc_reg_t lo, uint16_t v)
{
	h_wcr(h, lo, (uint8_t)v);
	h_wcr(h, (enc_reg_t)(lo + 1), (uint8_t)(v >> 8));
}
static inline void h_src(struct harness *h)
{
	h_cs(h, true);
	h_x(h, ENC_OP_SRC);
	h_cs(h, false);
}
static inline void h_wbm(struct harness *h, uint16_t at, const uint8_t *p, size_t n)
{
	h_wr16(h, EWRPTL, at);
	h_cs(h, true);
	h_x(h, ENC_OP_WBM);
	for (size_t i = 0; i < n; i++)
		h_x(h, p[i]);
	h_cs(h, false);
}
static inline void h_rbm(struct harness *h, uint16_t at, uint8_t *p, size_t n)
{
	h_wr16(h, ERDPTL, at);
	h_cs(h, true);
	h_x(h, ENC_OP_RBM);
	for (size_t i = 0; i < n; i++)
		p[i] = h_x(h, 0);
	h_cs(h, false);
}
static inline void h_wait(struct harness *h, uint64_t ns)
{
	h->t += ns;
	model_advance(h->m, h->t);
}
/* PHY through MII, polling BUSY in 1 us steps like a careful driver. */
static inline uint16_t h_phy_read(struct harness *h, uint8_t reg)
{
	h_wcr(h, MIREGADR, reg);
	h_wcr(h, MICMD, MICMD_MIIRD); /* WCR: BFS/BFC are for ETH registers */
	while (h_rcr(h, MISTAT) & MISTAT_BUSY)
		h->t += 1000;
	h_wcr(h, MICMD, 0);
	uint8_t lo = h_rcr(h, MIRDL);
	return (uint16_t)(lo | (h_rcr(h, MIRDH) << 8));
}
static inline void h_phy_write(struct harness *h, uint8_t reg, uint16_t v)
{
	h_wcr(h, MIREGADR, reg);
	h_wcr(h, MIWRL, (uint8_t)v);
	h_wcr(h, MIWRH, (uint8_t)(v >> 8));
	while (h_rcr(h, MISTAT) & MISTAT_BUSY)
		h->t += 1000;
}

static const uint8_t h_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t h_peer[6] = {0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE};
static const uint8_t h_bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* A careful driver's bring-up: SRC, wait 2 ms (erratum 2), ring at 0
 * (erratum 5), odd ERXRDPT (erratum 14), MAC set up, RX enabled. */
static inline void h_driver_init(struct harness *h)
{
	h_src(h);
	h->t += 2000000;
	while (!(h_rcr(h, ESTAT) & ESTAT_CLKRDY))
		h->t += 10000;
	h_wr16(h, ERXSTL, 0);
	h_wr16(h, ERXNDL, H_RXEND);
	h_wr16(h, ERXRDPTL, H_RXEND);
	h_wr16(h, ETXSTL, H_TXST);
	h_wcr(h, MACON1, MACON1_MARXEN | MACON1_TXPAUS | MACON1_RXPAUS);
	h_wcr(h, MACON3, MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN);
	h_wr16(h, MAMXFLL, ENC_ETH_MAX_FRAME);
	h_wcr(h, MAADR1, h_mac[0]);
	h_wcr(h, MAADR2, h_mac[1]);
	h_wcr(h, MAADR3, h_mac[2]);
	h_wcr(h, MAADR4, h_mac[3]);
	h_wcr(h, MAADR5, h_mac[4]);
	h_wcr(h, MAADR6, h_mac[5]);
	h_phy_write(h, PHCON2, PHCON2_HDLDIS);
	h_bfs(h, ECON1, ECON1_RXEN);
}

static inline void h_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Ethernet frame dst|src|type|payload(i & 0xFF pattern)|FCS; returns length
 * including the FCS. payload_len is not padded. */
static inline size_t h_frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, uint16_t type,
			     size_t payload_len)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = (uint8_t)(type >> 8);
	buf[13] = (uint8_t)type;
	for (size_t i = 0; i < payload_len; i++)
		buf[14 + i] = (uint8_t)(i + 1);
	size_t n = 14 + payload_len;
	h_put_le32(buf + n, model_crc32(buf, n));
	return n + 4;
}

/* Read the packet at ptr (header + frame) from the ring via RBM. Returns the
 * next packet pointer. */
static inline uint16_t h_rx_read(struct harness *h, uint16_t ptr, uint16_t *count, uint16_t *status,
				 uint8_t *buf)
{
	uint8_t hdr[6];
	h_rbm(h, ptr, hdr, 6);
	*count = (uint16_t)(hdr[2] | hdr[3] << 8);
	*status = (uint16_t)(hdr[4] | hdr[5] << 8);
	if (buf) {
		h_cs(h, true);
		h_x(h, ENC_OP_RBM);
		for (unsigned i = 0; i < *count; i++)
			buf[i] = h_x(h, 0);
		h_cs(h, false);
	}
	return (uint16_t)(hdr[0] | hdr[1] << 8);
}

/* Release a packet the erratum-14 way and decrement EPKTCNT. */
static inline void h_rx_release(struct harness *h, uint16_t next)
{
	uint16_t rd = next == 0 ? H_RXEND : (uint16_t)(next - 1);
	h_wr16(h, ERXRDPTL, rd);
	h_bfs(h, ECON2, ECON2_PKTDEC);
}

/* Queue a frame at H_TXST (control byte ctrl) and set TXRTS the errata-12
 * way (TXRST pulse first). */
static inline void h_tx_send(struct harness *h, uint8_t ctrl, const uint8_t *f, size_t n)
{
	uint8_t c = ctrl;
	h_wbm(h, H_TXST, &c, 1);
	h_cs(h, true);
	h_x(h, ENC_OP_WBM);
	for (size_t i = 0; i < n; i++)
		h_x(h, f[i]);
	h_cs(h, false);
	h_wr16(h, ETXSTL, H_TXST);
	h_wr16(h, ETXNDL, (uint16_t)(H_TXST + n));
	h_bfs(h, ECON1, ECON1_TXRST);
	h_bfc(h, ECON1, ECON1_TXRST);
	h_bfc(h, EIR, EIR_TXIF | EIR_TXERIF);
	h_bfs(h, ECON1, ECON1_TXRTS);
}

static inline int h_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif /* MODEL_TEST_H */
