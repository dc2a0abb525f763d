/*
 * enc28j60_rx.c - the receive ring: opening, reading and releasing frames.
 *
 * The chip stores each accepted frame in the ring ENC_RX_START..rx_end as a
 * 6-byte header (next-packet pointer, byte count with FCS, status vector
 * bits 16..31) followed by the frame, each record starting on an even
 * address. The driver follows the chain with d->next_pkt:
 *
 *   enc_rx_begin  EPKTCNT (erratum 6) -> header -> sanity -> status
 *                 bad header: reset the receive logic (rx_reset_logic)
 *                 bad status: release and count, try the next frame
 *   enc_rx_read   random access into the open frame, split at the ring end
 *   enc_rx_end    ERXRDPT odd (erratum 14), then ECON2.PKTDEC
 *   enc_recv      the three above for callers with a whole-frame buffer
 *
 * Only the register and buffer layers of enc28j60_spi.c are used.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_priv.h"

/* A frame shorter than an Ethernet header plus FCS is of no use to anyone. */
#define RX_MIN_COUNT (14u + ENC_ETH_FCS_LEN)
/* EPKTCNT is 8 bits: no more bad frames than that can be in the ring. */
#define RX_SKIP_MAX 256u

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}

/* a + n inside the ring, for a in the ring and n no larger than it. */
static uint16_t ring_add(const struct enc_dev *d, uint16_t a, uint16_t n)
{
	uint16_t s = (uint16_t)(a + n);

	if (s > d->rx_end)
		s = (uint16_t)(s - (d->rx_end + 1u - ENC_RX_START));
	return s;
}

/* Read n bytes starting at ring address addr, in two pieces when they
 * straddle ERXND, so correctness never rests on the RBM wrap. */
__attribute__((noinline)) static void ring_read(struct enc_dev *d, uint16_t addr, uint8_t *p, uint16_t n)
{
	while (n > 0u) {
		uint16_t room = (uint16_t)(d->rx_end + 1u - addr);
		uint16_t chunk = n < room ? n : room;

		enc_buf_read(d, addr, p, chunk);
		p += chunk;
		n = (uint16_t)(n - chunk);
		addr = ENC_RX_START;
	}
}

/* Erratum 14 (DS80349): an even value in ERXRDPT can corrupt the ring. The
 * chip writes up to but not including ERXRDPT, so free up to next - 1
 * (odd, since records start even), or ERXND when next is the ring start. */
static void erratum14_erxrdpt(struct enc_dev *d, uint16_t next)
{
	uint16_t rdpt = next == ENC_RX_START ? d->rx_end : (uint16_t)(next - 1u);

	enc_write_reg16(d, ERXRDPTL, rdpt);
}

/* Empty ring: ERXST (which also reloads ERXWRPT), ERXND, and ERXRDPT odd
 * at the end of the ring. RXEN must be clear. */
void enc_rx_ring_init(struct enc_dev *d)
{
	enc_write_reg16(d, ERXSTL, ENC_RX_START);
	enc_write_reg16(d, ERXNDL, d->rx_end);
	erratum14_erxrdpt(d, ENC_RX_START);
	d->rx_known = 0;
	d->next_pkt = ENC_RX_START;
	d->cur_pkt = ENC_RX_START;
	d->cur_len = 0;
}

/* Erratum 6 (DS80349): trust EPKTCNT, not EIR.PKTIF. */
static uint8_t erratum6_pending_frames(struct enc_dev *d)
{
	d->rx_known = enc_read_reg(d, EPKTCNT);
	return d->rx_known;
}

/* Frames waiting, for enc_poll(). EPKTCNT only falls by our own PKTDEC,
 * so frames it counted and we have not released are still there: while
 * rx_known says so, the register (in bank 1, everything else the driver
 * touches per frame is in bank 0 or common) is not read again. */
uint8_t enc_rx_pending(struct enc_dev *d)
{
	if (d->rx_known == 0u)
		(void)erratum6_pending_frames(d);
	return d->rx_known;
}

/* Hand the record's space back to the chip and move to the next one. */
static void release(struct enc_dev *d, uint16_t next)
{
	d->next_pkt = next;
	erratum14_erxrdpt(d, next);
	enc_bit_set(d, ECON2, ECON2_PKTDEC);
	if (d->rx_known != 0u)
		d->rx_known--;
	d->cur_len = 0;
}

/* The header can't be trusted (a glitch on MISO, a chip gone astray):
 * reset the receive logic and start over with an empty ring. Frames in
 * the ring are lost; the counters say so. */
static void rx_reset_logic(struct enc_dev *d)
{
	uint8_t n;

	enc_count(&d->stats.rx_resets);
	enc_bit_clear(d, ECON1, ECON1_RXEN);
	enc_bit_set(d, ECON1, ECON1_RXRST);
	enc_bit_clear(d, ECON1, ECON1_RXRST);
	enc_rx_ring_init(d);
	/* The datasheet does not promise that RXRST zeroes EPKTCNT; if it
	 * didn't, stale counts would point into the empty ring. */
	for (n = erratum6_pending_frames(d); n > 0u; n--)
		enc_bit_set(d, ECON2, ECON2_PKTDEC);
	d->rx_known = 0; /* (enc_rx_ring_init's zero was overwritten by the read) */
	enc_bit_set(d, ECON1, ECON1_RXEN);
}

/* Where the record after one at cur with this byte count must start: the
 * header, the bytes, one pad byte to keep records even, wrapped. */
static uint16_t expected_next(const struct enc_dev *d, uint16_t cur, uint16_t count)
{
	uint16_t len = (uint16_t)(ENC_RXHDR_LEN + count + (count & 1u));

	return ring_add(d, cur, len);
}

static bool status_good(uint16_t status)
{
	return (status & ENC_RSV_RXOK) != 0u &&
	       (status & (ENC_RSV_CRCERR | ENC_RSV_LENCHECKERR)) == 0u;
}

/* Open the next good frame; returns its length without FCS, or 0 if none.
 * Frames with a bad status vector are released and counted, not returned.
 * A frame still open is released first. */
uint16_t enc_rx_begin(struct enc_dev *d)
{
	uint8_t hdr[ENC_RXHDR_LEN];
	unsigned skipped;

	if (d->cur_len != 0u)
		enc_rx_end(d);
	for (skipped = 0; skipped < RX_SKIP_MAX; skipped++) {
		uint16_t next, count, status;

		if (enc_rx_pending(d) == 0u)
			return 0;
		ring_read(d, d->next_pkt, hdr, ENC_RXHDR_LEN);
		next = le16(&hdr[ENC_RXHDR_NEXT]);
		count = le16(&hdr[ENC_RXHDR_COUNT]);
		status = le16(&hdr[ENC_RXHDR_STATUS]);

		if ((next & 1u) != 0u || next > d->rx_end) {
			rx_reset_logic(d);
			return 0;
		}
		if (count > ENC_ETH_MAX_FRAME || next != expected_next(d, d->next_pkt, count)) {
			enc_count(&d->stats.rx_bad_length);
			rx_reset_logic(d);
			return 0;
		}
		if (!status_good(status)) {
			enc_count(&d->stats.rx_bad_status);
			release(d, next);
			continue;
		}
		if (count < RX_MIN_COUNT) {
			enc_count(&d->stats.rx_bad_length);
			release(d, next);
			continue;
		}
		d->cur_pkt = d->next_pkt;
		d->next_pkt = next;
		d->cur_len = (uint16_t)(count - ENC_ETH_FCS_LEN);
		enc_count(&d->stats.rx_frames);
		return d->cur_len;
	}
	return 0;
}

/* Copy n bytes at offset off of the open frame (off+n <= length). Reads
 * outside the frame are refused and leave buf zeroed. */
/* Ring address of byte off of the open frame (for the DMA checksum). */
uint16_t enc_rx_addr(const struct enc_dev *d, uint16_t off)
{
	return ring_add(d, d->cur_pkt, (uint16_t)(ENC_RXHDR_LEN + off));
}

void enc_rx_read(struct enc_dev *d, uint16_t off, uint8_t *buf, uint16_t n)
{
	if (d->cur_len == 0u || off > d->cur_len || n > d->cur_len - off) {
		memset(buf, 0, n);
		return;
	}
	ring_read(d, ring_add(d, d->cur_pkt, (uint16_t)(ENC_RXHDR_LEN + off)), buf, n);
}

/* Release the open frame: ERXRDPT odd (erratum 14), then PKTDEC. */
void enc_rx_end(struct enc_dev *d)
{
	if (d->cur_len == 0u)
		return;
	release(d, d->next_pkt);
}

/* Whole frame: returns its length (at most cap; longer frames are truncated
 * and counted), or 0 if none is waiting. */
uint16_t enc_recv(struct enc_dev *d, uint8_t *buf, uint16_t cap)
{
	uint16_t len = enc_rx_begin(d);

	if (len == 0u)
		return 0;
	if (len > cap) {
		enc_count(&d->stats.rx_truncated);
		len = cap;
	}
	enc_rx_read(d, 0, buf, len);
	enc_rx_end(d);
	return len;
}
