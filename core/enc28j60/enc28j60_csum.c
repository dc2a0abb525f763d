/*
 * enc28j60_csum.c - Internet checksums computed by the chip's DMA engine
 * (DS39662E §13.2), so the MCU does not read the bytes over SPI to sum
 * them: a received frame's TCP segment, or data the stack keeps in spare
 * memory (its send ring).
 *
 *   enc_rx_checksum   bytes of the open received frame (the DMA source
 *                     follows the ERXND -> ERXST wrap, so one DMA suffices)
 *   enc_mem_checksum  bytes of spare memory (linear)
 *
 * Both return the one's-complement sum (not complemented) of the bytes as
 * big-endian 16-bit words from the first byte, an odd tail padded with a
 * zero low byte - what a software sum starting at an even offset gives - or
 * false when the DMA must not or could not be used; the caller then sums
 * over SPI. Called through the netdev (enc28j60_netdev.c) by the stack's
 * net_rx_csum() and its send-ring checksum (tcp_out.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_priv.h"

/* The DMA runs at the chip's clock (a 1.5 KB checksum takes tens of µs);
 * this bound only catches a hang. */
#define CSUM_POLL_STEP_US 5u
#define CSUM_POLL_MAX 100u

/* Erratum 17 (DS80349): a DMA checksum aborts a frame the chip is
 * receiving while it runs. Guard: start only while ESTAT.RXBUSY is clear,
 * i.e. no frame is being received at that moment. What it covers: a frame
 * already arriving is never hurt. What it does not: a frame whose first
 * bit arrives during the DMA (a window of the DMA's run time, tens of µs
 * for a full segment) may still be aborted - lost like a frame dropped on
 * the wire, never delivered corrupt (the chip discards it), and recovered
 * by TCP retransmission or an ARP retry. A board that cannot accept that
 * loss builds with ENC_DMA_CSUM 0 (SPI reads only). */
static bool erratum17_rx_idle(struct enc_dev *d)
{
	return (enc_read_reg(d, ESTAT) & ESTAT_RXBUSY) == 0u;
}

/* DMA checksum of n >= 2 bytes from chip address start to end (inclusive,
 * on the path the DMA source walks). EDMAST == EDMAND is illegal (DS 13.0),
 * hence n >= 2. */
static bool dma_checksum(struct enc_dev *d, uint16_t start, uint16_t end, uint16_t *sum)
{
	unsigned i;

	if (!erratum17_rx_idle(d))
		return false;
	enc_write_reg16(d, EDMASTL, start);
	enc_write_reg16(d, EDMANDL, end);
	/* One BFS sets both: the DMA starts in checksum mode (DS 13.2). */
	enc_bit_set(d, ECON1, ECON1_CSUMEN | ECON1_DMAST);
	for (i = 0; i < CSUM_POLL_MAX; i++) {
		if ((enc_read_reg(d, ECON1) & ECON1_DMAST) == 0u) {
			/* EIR.DMAIF is left set: DMAIE is never enabled, so it
			 * asserts nothing, and DMAST is what is polled. */
			*sum = (uint16_t)~enc_read_reg16(d, EDMACSL);
			return true;
		}
		enc_delay_us(d, CSUM_POLL_STEP_US);
	}
	enc_bit_clear(d, ECON1, ECON1_DMAST); /* abort */
	enc_bit_clear(d, EIR, EIR_DMAIF);
	return false;
}

/* Sum of n bytes at offset off of the open frame (see the file comment). */
bool enc_rx_checksum(struct enc_dev *d, uint16_t off, uint16_t n, uint16_t *sum)
{
	if (d->cur_len == 0u || n < 2u || off > d->cur_len || n > d->cur_len - off)
		return false;
	return dma_checksum(d, enc_rx_addr(d, off), enc_rx_addr(d, (uint16_t)(off + n - 1u)), sum);
}

/* Sum of n bytes of spare memory at addr (false outside the spare area). */
bool enc_mem_checksum(struct enc_dev *d, uint16_t addr, uint16_t n, uint16_t *sum)
{
	if (n < 2u || addr < enc_spare_start(d) || addr > ENC_BUFFER_LAST || n > ENC_BUFFER_SIZE - addr)
		return false;
	return dma_checksum(d, addr, (uint16_t)(addr + n - 1u), sum);
}
