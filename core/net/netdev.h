/*
 * netdev.h - the device boundary of the stack: a small function table
 * (STYLE.md 6). The ENC28J60 driver implements it in enc28j60_netdev.c; a
 * test implements it over in-memory frames; a user's own driver can
 * implement it too.
 *
 * Frames are streamed so that an MCU with 2 KB of RAM never holds a whole
 * frame: the stack reads the headers it needs at offsets and writes replies
 * into the device's transmit buffer piece by piece.
 */
#ifndef CORE_NETDEV_H
#define CORE_NETDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "net_opts.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netdev_ops {
	/* Receive: open the next frame (length without FCS, 0 = none), read
	 * bytes from it at an offset, release it. */
	uint16_t (*rx_begin)(void *dev);
	void (*rx_read)(void *dev, uint16_t off, uint8_t *buf, uint16_t n);
	void (*rx_end)(void *dev);
	/* Transmit: start a frame (returns 0 or a negative error), append,
	 * patch at an offset from the frame start, send. */
	int (*tx_begin)(void *dev);
	void (*tx_write)(void *dev, const uint8_t *p, uint16_t n);
	void (*tx_write_at)(void *dev, uint16_t off, const uint8_t *p, uint16_t n);
	int (*tx_send)(void *dev);
	/* Optional (NULL when absent): device memory the stack may use to keep
	 * data awaiting acknowledgment, and a way to append it to the frame
	 * being built without passing it through MCU RAM. */
	uint16_t (*mem_size)(void *dev); /* bytes available at address 0.. */
	void (*mem_write)(void *dev, uint16_t addr, const uint8_t *p, uint16_t n);
	void (*mem_read)(void *dev, uint16_t addr, uint8_t *p, uint16_t n);
	void (*tx_copy_from_mem)(void *dev, uint16_t addr, uint16_t n);
#if NET_HW_CSUM
	/* Optional (NULL when absent): the one's-complement sum (not
	 * complemented) of n bytes of the open received frame at off, or of
	 * device memory at addr, as 16-bit big-endian words from the first
	 * byte, an odd tail padded with zero - computed by the device (the
	 * ENC28J60's DMA checksum) so the bytes need not cross the bus. Returns
	 * false when it could not; the stack then reads and sums the bytes. */
	bool (*rx_csum)(void *dev, uint16_t off, uint16_t n, uint16_t *sum);
	bool (*mem_csum)(void *dev, uint16_t addr, uint16_t n, uint16_t *sum);
#endif
	/* Link state, polled (NULL = always up). */
	bool (*link_up)(void *dev);
};

struct netdev {
	const struct netdev_ops *ops;
	void *dev;
};

#ifdef __cplusplus
}
#endif
#endif /* CORE_NETDEV_H */
