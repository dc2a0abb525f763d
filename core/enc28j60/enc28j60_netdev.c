/*
 * enc28j60_netdev.c - the driver as a struct netdev (STYLE.md 6).
 *
 * Each operation is a thin call into enc28j60_rx.c / _tx.c; rx_begin also
 * services the chip (enc_poll), and device memory addresses are translated. The stack sees 0..mem_size-1; the
 * driver's spare area starts after the receive ring and the transmit
 * buffer, at enc_spare_start(). Call chain:
 *
 *   stack -> nd->ops->rx_begin(nd->dev) -> enc_rx_begin(d) -> SPI HAL
 *
 * The ops table is const and shared; all state is in the struct enc_dev the
 * netdev points at.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_netdev.h"
#include "enc28j60_priv.h"
#include "netdev.h"

/* The stack looks for frames from its main loop, and the netdev table has
 * no other service hook: this is where the chip is serviced (transmit
 * completion, RXERIF, link) before the ring is read. */
static uint16_t nd_rx_begin(void *dev)
{
	if (!enc_poll(dev))
		return 0;
	return enc_rx_begin(dev);
}

static void nd_rx_read(void *dev, uint16_t off, uint8_t *buf, uint16_t n)
{
	enc_rx_read(dev, off, buf, n);
}

static void nd_rx_end(void *dev)
{
	enc_rx_end(dev);
}

static int nd_tx_begin(void *dev)
{
	return enc_tx_begin(dev);
}

static void nd_tx_write(void *dev, const uint8_t *p, uint16_t n)
{
	enc_tx_write(dev, p, n);
}

static void nd_tx_write_at(void *dev, uint16_t off, const uint8_t *p, uint16_t n)
{
	enc_tx_write_at(dev, off, p, n);
}

static int nd_tx_send(void *dev)
{
	return enc_tx_send(dev);
}

/* Spare memory, from enc_spare_start() to the end of the 8 KB buffer. */
static uint16_t nd_mem_size(void *dev)
{
	return (uint16_t)(ENC_BUFFER_SIZE - enc_spare_start(dev));
}

/* Stack address -> chip address of the n bytes there, or 0xFFFF unless
 * all of them are in the spare area: past the buffer, which the driver's
 * own range checks refuse. So mem_write and mem_read need no second check
 * and go to the buffer layer directly (enc_mem_write's and enc_mem_read's
 * check would pass exactly the addresses this returns). */
__attribute__((noinline)) static uint16_t to_chip(void *dev, uint16_t addr, uint16_t n)
{
	uint16_t base = enc_spare_start(dev), size = (uint16_t)(ENC_BUFFER_SIZE - base);

	return addr < size && n <= size - addr ? (uint16_t)(base + addr) : (uint16_t)0xFFFFu;
}

static void nd_mem_write(void *dev, uint16_t addr, const uint8_t *p, uint16_t n)
{
	uint16_t a = to_chip(dev, addr, n);

	if (a != 0xFFFFu)
		enc_buf_write(dev, a, p, n);
}

static void nd_mem_read(void *dev, uint16_t addr, uint8_t *p, uint16_t n)
{
	uint16_t a = to_chip(dev, addr, n);

	if (a != 0xFFFFu)
		enc_buf_read(dev, a, p, n);
}

static void nd_tx_copy_from_mem(void *dev, uint16_t addr, uint16_t n)
{
	enc_tx_copy_from_mem(dev, to_chip(dev, addr, n), n);
}

#if NET_HW_CSUM
static bool nd_rx_csum(void *dev, uint16_t off, uint16_t n, uint16_t *sum)
{
	return enc_rx_checksum(dev, off, n, sum);
}

static bool nd_mem_csum(void *dev, uint16_t addr, uint16_t n, uint16_t *sum)
{
	return enc_mem_checksum(dev, to_chip(dev, addr, n), n, sum);
}
#endif

/* As of the last service in nd_rx_begin(). */
static bool nd_link_up(void *dev)
{
	return enc_link_is_up(dev);
}

static const struct netdev_ops enc_netdev_ops = {
	.rx_begin = nd_rx_begin,
	.rx_read = nd_rx_read,
	.rx_end = nd_rx_end,
	.tx_begin = nd_tx_begin,
	.tx_write = nd_tx_write,
	.tx_write_at = nd_tx_write_at,
	.tx_send = nd_tx_send,
	.mem_size = nd_mem_size,
	.mem_write = nd_mem_write,
	.mem_read = nd_mem_read,
	.tx_copy_from_mem = nd_tx_copy_from_mem,
#if NET_HW_CSUM
	.rx_csum = nd_rx_csum,
	.mem_csum = nd_mem_csum,
#endif
	.link_up = nd_link_up,
};

/* Point nd at the driver instance d (see enc28j60_netdev.h). */
void enc_netdev_bind(struct netdev *nd, struct enc_dev *d)
{
	nd->ops = &enc_netdev_ops;
	nd->dev = d;
}
