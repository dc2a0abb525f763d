/*
 * fake_netdev.h - an in-memory netdev for the stack's packet-in/packet-out
 * tests (test_stack_*.c). Frames the test injects wait in an RX queue;
 * frames the stack sends land in a TX queue the test pops and checks.
 * It behaves like the ENC28J60 where the stack can tell: transmitted frames
 * are padded to 60 bytes, one frame is open for reading at a time, and it
 * can offer device memory (mem_* and tx_copy_from_mem) so the stack's
 * retransmit-data-in-the-chip path is exercised, or none (RAM fallback).
 * Every access is bounds-checked with ck_assert.
 */
#ifndef FAKE_NETDEV_H
#define FAKE_NETDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "netdev.h"

#define FAKE_QLEN 32u
#define FAKE_FRAME_MAX 1514u
#define FAKE_MEM_SIZE 3072u

struct fake_frame {
	uint16_t len;
	uint8_t b[FAKE_FRAME_MAX];
};

struct fake_netdev {
	struct netdev nd;
	struct fake_frame rx[FAKE_QLEN];
	unsigned rx_head, rx_count;
	bool rx_open;
	struct fake_frame cur; /* frame being built */
	bool tx_open;
	struct fake_frame tx[FAKE_QLEN];
	unsigned tx_head, tx_count;
	uint8_t mem[FAKE_MEM_SIZE];
	bool link;
	unsigned tx_total, mem_copies, mem_writes;
};

/* with_mem: offer device memory (FAKE_MEM_SIZE bytes). */
void fake_netdev_init(struct fake_netdev *f, bool with_mem);
/* Queue a received frame (padded to 60 bytes like a real wire). */
void fake_inject(struct fake_netdev *f, const uint8_t *frame, uint16_t len);
/* Queue a frame without padding (exact length). */
void fake_inject_raw(struct fake_netdev *f, const uint8_t *frame, uint16_t len);
/* Pop the oldest transmitted frame into buf; returns its length or 0. */
uint16_t fake_pop(struct fake_netdev *f, uint8_t *buf);

#endif
