/*
 * driver_pair.c - two driver-plus-model boards back to back. See
 * driver_pair.h.
 */
#include "driver_pair.h"

#include <string.h>

const uint8_t driver_mac_a[6] = {0x02, 0x00, 0x5E, 0x10, 0x00, 0x0A};
const uint8_t driver_mac_b[6] = {0x02, 0x00, 0x5E, 0x10, 0x00, 0x0B};

#define PATTERN_TYPE 0x88B5u
#define PATTERN_HDR 20u

int driver_pair_setup(struct driver_pair *p, const struct model_config *mcfg,
                      bool full_duplex, bool bursts)
{
	struct model_config def;
	int rc;

	memset(p, 0, sizeof(*p));
	if (mcfg == NULL) {
		memset(&def, 0, sizeof(def));
		def.link_up = true;
		mcfg = &def;
	}
	model_hal_init(&p->a, &p->clk, mcfg, bursts);
	model_hal_init(&p->b, &p->clk, mcfg, bursts);
	model_hal_connect(&p->a, &p->b);
	memcpy(p->ca.mac, driver_mac_a, 6);
	memcpy(p->cb.mac, driver_mac_b, 6);
	p->ca.full_duplex = full_duplex;
	p->cb.full_duplex = full_duplex;
	rc = enc_init(&p->da, &p->a.hal, &p->ca);
	if (rc != 0)
		return rc;
	return enc_init(&p->db, &p->b.hal, &p->cb);
}

void driver_pair_teardown(struct driver_pair *p)
{
	model_hal_free(&p->a);
	model_hal_free(&p->b);
}

uint64_t driver_wire_ns(uint16_t len)
{
	uint64_t bytes = (len < 60u ? 60u : len) + 4u + MODEL_WIRE_OVERHEAD_BYTES;

	return bytes * MODEL_WIRE_NS_PER_BYTE + 20000u;
}

static uint8_t pattern_byte(uint32_t seq, uint16_t i)
{
	return (uint8_t)(seq * 31u + i * 7u + (i >> 8) + 0x5Au);
}

void driver_frame(uint8_t *buf, uint16_t len, const uint8_t dst[6], const uint8_t src[6],
                  uint32_t seq)
{
	uint16_t i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = (uint8_t)(PATTERN_TYPE >> 8);
	buf[13] = (uint8_t)PATTERN_TYPE;
	buf[14] = (uint8_t)(seq >> 24);
	buf[15] = (uint8_t)(seq >> 16);
	buf[16] = (uint8_t)(seq >> 8);
	buf[17] = (uint8_t)seq;
	buf[18] = (uint8_t)(len >> 8);
	buf[19] = (uint8_t)len;
	for (i = PATTERN_HDR; i < len; i++)
		buf[i] = pattern_byte(seq, i);
}

bool driver_frame_ok(const uint8_t *buf, uint16_t len, uint32_t *seq)
{
	uint32_t s;
	uint16_t i, want;

	if (len < PATTERN_HDR)
		return false;
	s = (uint32_t)buf[14] << 24 | (uint32_t)buf[15] << 16 | (uint32_t)buf[16] << 8 | buf[17];
	want = (uint16_t)(buf[18] << 8 | buf[19]);
	/* A frame shorter than 60 arrives padded. */
	if (want != len && !(want < 60u && len == 60u))
		return false;
	for (i = PATTERN_HDR; i < want; i++)
		if (buf[i] != pattern_byte(s, i))
			return false;
	for (; i < len; i++)
		if (buf[i] != 0u)
			return false;
	*seq = s;
	return true;
}

int driver_pair_send(struct driver_pair *p, struct enc_dev *from, const uint8_t *frame,
                     uint16_t len)
{
	struct model_board *b = from == &p->da ? &p->a : &p->b;
	int rc = enc_send(from, frame, len);

	model_hal_run(b, driver_wire_ns(len));
	return rc;
}
