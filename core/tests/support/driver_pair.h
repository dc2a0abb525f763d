/*
 * driver_pair.h - test support for the driver suites (test_driver_*.c): two
 * boards, each a chip model driven by the real driver, wired back to back
 * over model_hal.h, plus frames that carry a sequence number and a payload
 * pattern the receiver can verify.
 */
#ifndef TEST_DRIVER_PAIR_H
#define TEST_DRIVER_PAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "enc28j60.h"
#include "model_hal.h"

struct driver_pair {
	struct model_clock clk;
	struct model_board a, b;
	struct enc_dev da, db;
	struct enc_config ca, cb;
};

extern const uint8_t driver_mac_a[6];
extern const uint8_t driver_mac_b[6];

/* Power both models on (mcfg NULL = defaults with link up), then enc_init
 * both drivers; returns the first non-zero enc_init() result, or 0. */
int driver_pair_setup(struct driver_pair *p, const struct model_config *mcfg,
                      bool full_duplex, bool bursts);
void driver_pair_teardown(struct driver_pair *p);
/* Time on the wire for a frame of len bytes (without FCS), with margin. */
uint64_t driver_wire_ns(uint16_t len);

/* Frame of len bytes (>= 20): dst, src, EtherType 0x88B5, seq (BE32), len
 * (BE16), then a pattern derived from seq. */
void driver_frame(uint8_t *buf, uint16_t len, const uint8_t dst[6], const uint8_t src[6],
                  uint32_t seq);
/* Verify a frame built by driver_frame(); stores its seq. */
bool driver_frame_ok(const uint8_t *buf, uint16_t len, uint32_t *seq);

/* Send one frame a -> b and let the wire carry it; returns enc_send(). */
int driver_pair_send(struct driver_pair *p, struct enc_dev *from, const uint8_t *frame,
                     uint16_t len);

#endif /* TEST_DRIVER_PAIR_H */
