/*
 * enc28j60_tx.c - transmit, and the spare buffer memory the stack may use.
 *
 * One frame at a time lives in the transmit buffer at tx_start (= rx_end +
 * 1): the per-packet control byte, the frame, then the 7-byte status vector
 * (TSV) the chip writes at ETXND + 1 when it is done.
 *
 *   enc_tx_begin     collect the previous frame (enc_tx_collect), then
 *                    write the control byte
 *   enc_tx_write     append; enc_tx_write_at patches (checksums)
 *   enc_tx_copy_from_mem  append from spare memory with the DMA engine
 *   enc_tx_send      ETXST/ETXND, TXRST pulse (erratum 12), TXRTS
 *   enc_tx_collect   TXRTS clear -> TSV -> done, retry on late collision
 *                    (erratum 13) or count the abort; TXRTS stuck past
 *                    ENC_TX_TIMEOUT_US -> TXRST and one retransmission
 *
 * Completion is collected lazily, by the next enc_tx_begin() or by
 * enc_poll(), so the MCU never waits for the wire unless it has another
 * frame to send. Uses the register and buffer layers of enc28j60_spi.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_priv.h"

/* TXRTS is polled every TX_POLL_STEP_US; ENC_TX_TIMEOUT_US of delays with
 * no completion is a stall. */
#define TX_POLL_STEP_US 20u
#define TX_POLL_MAX (ENC_TX_TIMEOUT_US / TX_POLL_STEP_US + 1u)
/* DMA copies run at the chip's clock; this bound only catches a hang. */
#define DMA_POLL_STEP_US 10u
#define DMA_POLL_MAX 100u
/* Chunk for copies through the MCU when the DMA can't be used. */
#define COPY_CHUNK 16u

/* Control byte with POVERRIDE clear: MACON3 decides padding and CRC. */
#define TX_CONTROL 0x00u

/* Erratum 12 (DS80349): a transmit abort can leave the transmit logic
 * stalled. The workaround resets it with ECON1.TXRST before a transmission,
 * "before any packet is transmitted (for simplicity)" or "conditionally
 * ... based on the Transmit Error Interrupt Flag (EIR.TXERIF), which will
 * become set whenever a transmit abort occurs". We take the conditional
 * form: every completion is collected and its EIR read (enc_tx_collect), so
 * an abort - or a stall, or a reset that left the state unknown - sets
 * tx_reset_due and the next kick() pulses TXRST and clears the TXIF/TXERIF
 * left behind. A frame after a clean completion needs neither (that saves
 * three SPI commands per frame). */
static void erratum12_tx_reset(struct enc_dev *d)
{
	enc_bit_set(d, ECON1, ECON1_TXRST);
	enc_bit_clear(d, ECON1, ECON1_TXRST);
	enc_bit_clear(d, EIR, EIR_TXIF | EIR_TXERIF);
	d->tx_reset_due = false;
}

/* Erratum 13 (DS80349): received link pulses can make the chip report a
 * late collision that never happened. The TSV's late-collision bit is bit
 * 29, byte 3 bit 5 (byte 2 bit 5 is the length-check error, a different
 * thing; ESTAT.LATECOL is unreliable, erratum 15). Retransmit, a bounded
 * number of times. */
static bool erratum13_retry(struct enc_dev *d, const uint8_t tsv[ENC_TSV_LEN])
{
	if ((tsv[3] & ENC_TSV_B3_LATECOL) == 0u || d->tx_tries >= ENC_TX_RETRIES)
		return false;
	d->tx_tries++;
	enc_count(&d->stats.tx_latecol_retries);
	return true;
}

/* Start the frame already in the buffer (ETXST/ETXND written). */
static void kick(struct enc_dev *d)
{
	if (d->tx_reset_due)
		erratum12_tx_reset(d);
	enc_bit_set(d, ECON1, ECON1_TXRTS);
	d->tx_pending = true;
}

static bool txrts_clear(struct enc_dev *d)
{
	return (enc_read_reg(d, ECON1) & ECON1_TXRTS) == 0u;
}

/* Has the frame left? With wait, poll for ENC_TX_TIMEOUT_US worth of
 * delays (bounded: a stalled chip must not hang the MCU). */
static bool tx_settled(struct enc_dev *d, bool wait)
{
	unsigned i;

	if (txrts_clear(d))
		return true;
	if (!wait)
		return false;
	for (i = 0; i < TX_POLL_MAX; i++) {
		enc_delay_us(d, TX_POLL_STEP_US);
		if (txrts_clear(d))
			return true;
	}
	return false;
}

/* Collect the completion of the frame in flight (see enc28j60_priv.h). */
int enc_tx_collect(struct enc_dev *d, bool wait, uint8_t *eir_seen)
{
	uint8_t tsv[ENC_TSV_LEN];
	uint8_t eir;

	while (d->tx_pending) {
		if (!tx_settled(d, wait)) {
			if (!wait)
				return ENC_ERR_BUSY;
			/* TXRTS stuck (erratum 12's stall): cancel, reset,
			 * and send the frame once more. */
			enc_count(&d->stats.tx_stalls);
			enc_bit_clear(d, ECON1, ECON1_TXRTS);
			erratum12_tx_reset(d);
			d->tx_reset_due = true; /* and again before the next frame */
			if (!d->tx_restarted) {
				d->tx_restarted = true;
				kick(d);
				continue;
			}
			/* Stalled again: give the frame up, and count it
			 * as lost so tx_frames + tx_aborts = frames sent. */
			enc_count(&d->stats.tx_aborts);
			d->tx_pending = false;
			return ENC_ERR_TIMEOUT;
		}
		eir = enc_read_reg(d, EIR);
		if ((eir & EIR_TXERIF) != 0u) {
			/* The status vector is only needed to tell a false
			 * late collision (erratum 13) from a real abort. */
			d->tx_reset_due = true;
			enc_buf_read(d, (uint16_t)(d->tx_start + d->tx_len + 1u), tsv, ENC_TSV_LEN);
			if (erratum13_retry(d, tsv)) {
				kick(d);
				continue;
			}
			enc_count(&d->stats.tx_aborts);
			d->tx_pending = false;
			/* The TSV told us everything; the sticky ESTAT bits
			 * would only mislead whoever reads them next. */
			enc_bit_clear(d, ESTAT, ESTAT_TXABRT | ESTAT_LATECOL);
			enc_bit_clear(d, EIR, EIR_TXIF | EIR_TXERIF);
			*eir_seen = (uint8_t)(eir & (uint8_t)~(EIR_TXIF | EIR_TXERIF));
			return ENC_ERR_TX;
		}
		enc_count(&d->stats.tx_frames);
		d->tx_pending = false;
		enc_bit_clear(d, EIR, EIR_TXIF);
		*eir_seen = (uint8_t)(eir & (uint8_t)~EIR_TXIF);
	}
	return ENC_OK;
}

/* Wait for the previous frame (retrying on late collision, erratum 13;
 * recovering a stuck TXRTS, erratum 12), then start a new one. The previous
 * frame's fate is in the counters; the new frame always gets the buffer. */
int enc_tx_begin(struct enc_dev *d)
{
	const uint8_t ctrl = TX_CONTROL;
	uint8_t eir;

	(void)enc_tx_collect(d, true, &eir);
	d->tx_open = true;
	d->tx_overrun = false;
	d->tx_fill = 0;
	enc_buf_write(d, d->tx_start, &ctrl, 1u);
	return ENC_OK;
}

/* Append n bytes to the open frame. Writing past ENC_TX_MAX_FRAME spoils
 * the frame: enc_tx_send() then refuses it. */
void enc_tx_write(struct enc_dev *d, const uint8_t *p, uint16_t n)
{
	if (!d->tx_open)
		return;
	if (n > ENC_TX_MAX_FRAME - d->tx_fill) {
		d->tx_overrun = true;
		return;
	}
	enc_buf_write(d, (uint16_t)(d->tx_start + 1u + d->tx_fill), p, n);
	d->tx_fill = (uint16_t)(d->tx_fill + n);
}

/* Overwrite bytes already written (e.g. a checksum), off from frame start. */
void enc_tx_write_at(struct enc_dev *d, uint16_t off, const uint8_t *p, uint16_t n)
{
	if (!d->tx_open || off > d->tx_fill || n > d->tx_fill - off)
		return;
	enc_buf_write(d, (uint16_t)(d->tx_start + 1u + off), p, n);
}

/* Start transmission of the tx_fill bytes written; the chip pads short
 * frames to 60 bytes and appends the FCS (MACON3). Returns ENC_OK at once;
 * completion is collected by the next enc_tx_begin() or enc_poll().
 * ENC_ERR_ARG for an empty or overgrown frame or no enc_tx_begin(). */
int enc_tx_send(struct enc_dev *d)
{
	uint16_t end;

	if (!d->tx_open)
		return d->tx_pending ? ENC_ERR_BUSY : ENC_ERR_ARG;
	d->tx_open = false;
	if (d->tx_fill == 0u || d->tx_overrun)
		return ENC_ERR_ARG;
	d->tx_len = d->tx_fill;
	/* Only the host writes ETXST/ETXND, so they are written only when the
	 * end differs from what the chip holds: same-sized frames (full
	 * segments, ACKs) cost nothing. */
	end = (uint16_t)(d->tx_start + d->tx_len);
	if (d->etxnd != end) {
		enc_write_reg16(d, ETXSTL, d->tx_start);
		enc_write_reg16(d, ETXNDL, end);
		d->etxnd = end;
	}
	d->tx_tries = 0;
	d->tx_restarted = false;
	kick(d);
	return ENC_OK;
}

/* Whole frame (without FCS), 1..ENC_TX_MAX_FRAME bytes. */
int enc_send(struct enc_dev *d, const uint8_t *frame, uint16_t len)
{
	int rc;

	if (frame == NULL || len == 0u || len > ENC_TX_MAX_FRAME)
		return ENC_ERR_ARG;
	rc = enc_tx_begin(d);
	if (rc != ENC_OK)
		return rc;
	enc_tx_write(d, frame, len);
	return enc_tx_send(d);
}

/* ---- Spare buffer memory ---- */

/* First byte after the transmit buffer; the spare area runs to 0x1FFF. */
uint16_t enc_spare_start(const struct enc_dev *d)
{
	return (uint16_t)(d->tx_start + ENC_TX_AREA_LEN);
}

static bool spare_range(const struct enc_dev *d, uint16_t addr, uint16_t n)
{
	return addr >= enc_spare_start(d) && addr <= ENC_BUFFER_LAST &&
	       n <= ENC_BUFFER_SIZE - addr;
}

/* Write n bytes of spare memory at addr (ignored outside the spare area:
 * the ring and the transmit buffer belong to the driver). */
void enc_mem_write(struct enc_dev *d, uint16_t addr, const uint8_t *p, uint16_t n)
{
	if (spare_range(d, addr, n))
		enc_buf_write(d, addr, p, n);
}

/* Read n bytes of spare memory at addr (ignored outside the spare area). */
void enc_mem_read(struct enc_dev *d, uint16_t addr, uint8_t *p, uint16_t n)
{
	if (spare_range(d, addr, n))
		enc_buf_read(d, addr, p, n);
}

/* Copy through the MCU, a chunk at a time. */
__attribute__((noinline)) static void copy_via_spi(struct enc_dev *d, uint16_t src, uint16_t dst, uint16_t n)
{
	uint8_t chunk[COPY_CHUNK];

	while (n > 0u) {
		uint16_t k = n < COPY_CHUNK ? n : (uint16_t)COPY_CHUNK;

		enc_buf_read(d, src, chunk, k);
		enc_buf_write(d, dst, chunk, k);
		src = (uint16_t)(src + k);
		dst = (uint16_t)(dst + k);
		n = (uint16_t)(n - k);
	}
}

/* DMA copy (CSUMEN clear). Only copy mode is used: erratum 17 concerns
 * checksum mode, which can abort a frame being received. Returns false if
 * the DMA did not finish in time; it is then stopped. */
static bool copy_via_dma(struct enc_dev *d, uint16_t src, uint16_t dst, uint16_t n)
{
	unsigned i;

	enc_write_reg16(d, EDMASTL, src);
	enc_write_reg16(d, EDMANDL, (uint16_t)(src + n - 1u));
	enc_write_reg16(d, EDMADSTL, dst);
	enc_bit_clear(d, ECON1, ECON1_CSUMEN);
	enc_bit_set(d, ECON1, ECON1_DMAST);
	for (i = 0; i < DMA_POLL_MAX; i++) {
		if ((enc_read_reg(d, ECON1) & ECON1_DMAST) == 0u)
			return true; /* DMAIF left set, as in enc28j60_csum.c */
		enc_delay_us(d, DMA_POLL_STEP_US);
	}
	enc_bit_clear(d, ECON1, ECON1_DMAST);
	enc_bit_clear(d, EIR, EIR_DMAIF);
	return false;
}

/* Append n bytes of spare memory at addr to the frame being built (used to
 * retransmit data kept in chip memory without passing it through the MCU).
 * A one-byte copy goes through SPI: EDMAST == EDMAND is illegal (DS 13.0). */
void enc_tx_copy_from_mem(struct enc_dev *d, uint16_t addr, uint16_t n)
{
	uint16_t dst;

	if (!d->tx_open || n == 0u || !spare_range(d, addr, n))
		return;
	if (n > ENC_TX_MAX_FRAME - d->tx_fill) {
		d->tx_overrun = true;
		return;
	}
	dst = (uint16_t)(d->tx_start + 1u + d->tx_fill);
	if (n == 1u || !copy_via_dma(d, addr, dst, n))
		copy_via_spi(d, addr, dst, n);
	d->tx_fill = (uint16_t)(d->tx_fill + n);
}
