/*
 * fake_netdev.c - in-memory frame queues behind struct netdev_ops, for the
 * stack tests. See fake_netdev.h.
 */
#include "fake_netdev.h"

#include <check.h>
#include <string.h>

#define MIN_FRAME 60u

static uint16_t rx_begin(void *dev)
{
	struct fake_netdev *f = dev;

	ck_assert_msg(!f->rx_open, "rx_begin with a frame still open");
	if (f->rx_count == 0)
		return 0;
	f->rx_open = true;
	return f->rx[f->rx_head].len;
}

static void rx_read(void *dev, uint16_t off, uint8_t *buf, uint16_t n)
{
	struct fake_netdev *f = dev;
	const struct fake_frame *fr = &f->rx[f->rx_head];

	ck_assert_msg(f->rx_open, "rx_read without an open frame");
	ck_assert_msg((unsigned)off + n <= fr->len, "rx_read past the frame: off %u n %u len %u", off, n, fr->len);
	memcpy(buf, fr->b + off, n);
}

static void rx_end(void *dev)
{
	struct fake_netdev *f = dev;

	ck_assert_msg(f->rx_open, "rx_end without an open frame");
	f->rx_open = false;
	f->rx_head = (f->rx_head + 1) % FAKE_QLEN;
	f->rx_count--;
}

static int tx_begin(void *dev)
{
	struct fake_netdev *f = dev;

	ck_assert_msg(!f->tx_open, "tx_begin with a frame still open");
	f->tx_open = true;
	f->cur.len = 0;
	return 0;
}

static void tx_write(void *dev, const uint8_t *p, uint16_t n)
{
	struct fake_netdev *f = dev;

	ck_assert_msg(f->tx_open, "tx_write without tx_begin");
	ck_assert_msg((unsigned)f->cur.len + n <= FAKE_FRAME_MAX, "frame too long");
	memcpy(f->cur.b + f->cur.len, p, n);
	f->cur.len = (uint16_t)(f->cur.len + n);
}

static void tx_write_at(void *dev, uint16_t off, const uint8_t *p, uint16_t n)
{
	struct fake_netdev *f = dev;

	ck_assert_msg(f->tx_open && (unsigned)off + n <= f->cur.len, "tx_write_at out of the frame");
	memcpy(f->cur.b + off, p, n);
}

static int tx_send(void *dev)
{
	struct fake_netdev *f = dev;
	struct fake_frame *q;

	ck_assert_msg(f->tx_open, "tx_send without tx_begin");
	ck_assert_msg(f->tx_count < FAKE_QLEN, "tx queue overflow: test does not pop");
	f->tx_open = false;
	if (f->cur.len < MIN_FRAME) { /* the chip pads (PADCFG) */
		memset(f->cur.b + f->cur.len, 0, MIN_FRAME - f->cur.len);
		f->cur.len = MIN_FRAME;
	}
	q = &f->tx[(f->tx_head + f->tx_count) % FAKE_QLEN];
	*q = f->cur;
	f->tx_count++;
	f->tx_total++;
	return 0;
}

static uint16_t mem_size(void *dev)
{
	(void)dev;
	return FAKE_MEM_SIZE;
}

static void mem_write(void *dev, uint16_t addr, const uint8_t *p, uint16_t n)
{
	struct fake_netdev *f = dev;

	ck_assert_msg((unsigned)addr + n <= FAKE_MEM_SIZE, "mem_write out of range");
	memcpy(f->mem + addr, p, n);
	f->mem_writes++;
}

static void mem_read(void *dev, uint16_t addr, uint8_t *p, uint16_t n)
{
	struct fake_netdev *f = dev;

	ck_assert_msg((unsigned)addr + n <= FAKE_MEM_SIZE, "mem_read out of range");
	memcpy(p, f->mem + addr, n);
}

static void tx_copy_from_mem(void *dev, uint16_t addr, uint16_t n)
{
	struct fake_netdev *f = dev;

	ck_assert_msg((unsigned)addr + n <= FAKE_MEM_SIZE, "tx_copy_from_mem out of range");
	f->mem_copies++;
	tx_write(dev, f->mem + addr, n);
}

static bool link_up(void *dev)
{
	return ((struct fake_netdev *)dev)->link;
}

static const struct netdev_ops ops_mem = {
	.rx_begin = rx_begin, .rx_read = rx_read, .rx_end = rx_end,
	.tx_begin = tx_begin, .tx_write = tx_write, .tx_write_at = tx_write_at, .tx_send = tx_send,
	.mem_size = mem_size, .mem_write = mem_write, .mem_read = mem_read,
	.tx_copy_from_mem = tx_copy_from_mem, .link_up = link_up,
};

static const struct netdev_ops ops_nomem = {
	.rx_begin = rx_begin, .rx_read = rx_read, .rx_end = rx_end,
	.tx_begin = tx_begin, .tx_write = tx_write, .tx_write_at = tx_write_at, .tx_send = tx_send,
	.link_up = link_up,
};

void fake_netdev_init(struct fake_netdev *f, bool with_mem)
{
	memset(f, 0, sizeof(*f));
	f->nd.ops = with_mem ? &ops_mem : &ops_nomem;
	f->nd.dev = f;
	f->link = true;
}

void fake_inject_raw(struct fake_netdev *f, const uint8_t *frame, uint16_t len)
{
	struct fake_frame *q;

	ck_assert_msg(f->rx_count < FAKE_QLEN, "rx queue full");
	ck_assert_msg(len <= FAKE_FRAME_MAX, "frame too long");
	q = &f->rx[(f->rx_head + f->rx_count) % FAKE_QLEN];
	memcpy(q->b, frame, len);
	q->len = len;
	f->rx_count++;
}

void fake_inject(struct fake_netdev *f, const uint8_t *frame, uint16_t len)
{
	uint8_t b[FAKE_FRAME_MAX];

	memcpy(b, frame, len);
	if (len < MIN_FRAME) {
		memset(b + len, 0, MIN_FRAME - len);
		len = MIN_FRAME;
	}
	fake_inject_raw(f, b, len);
}

uint16_t fake_pop(struct fake_netdev *f, uint8_t *buf)
{
	struct fake_frame *q;

	if (f->tx_count == 0)
		return 0;
	q = &f->tx[f->tx_head];
	memcpy(buf, q->b, q->len);
	f->tx_head = (f->tx_head + 1) % FAKE_QLEN;
	f->tx_count--;
	return q->len;
}
