/*
 * enc28j60_priv.h - seams between the driver's own files, not for users.
 *
 * The driver is split by role: enc28j60_spi.c (SPI ops, bank cache,
 * registers, PHY, buffer memory), enc28j60.c (init, poll, link),
 * enc28j60_rx.c (receive ring) and enc28j60_tx.c (transmit, spare memory).
 * The few helpers one file lends another are declared here; they carry the
 * enc_ prefix because they are not static, but they are not part of the
 * public contract in enc28j60.h and may change without notice.
 */
#ifndef CORE_ENC28J60_PRIV_H
#define CORE_ENC28J60_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "enc28j60.h"
#include "enc28j60_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Cached ECON1.BSEL / ERDPT / EWRPT value meaning "not known, write it". */
#define ENC_BANK_UNKNOWN 0xFFu
#define ENC_PTR_UNKNOWN 0xFFFFu

/* Receive ring start. Erratum 5 (DS80349): the receive buffer must start at
 * 0x0000, or the chip may corrupt the ring; the transmit buffer goes after
 * the ring instead. */
#define ENC_RX_START 0x0000u

/* The transmit buffer at rx_end + 1: the per-packet control byte, the
 * largest frame, and the 7-byte status vector the chip writes after it. */
#define ENC_TX_AREA_LEN (1u + ENC_TX_MAX_FRAME + ENC_TSV_LEN)

/* ---- enc28j60_spi.c ---- */
/* One more in a counter of d->stats. A call: an inline increment of a
 * struct field costs twice its bytes on AVR, at 13 places. */
void enc_count(ENC_STAT_T *counter);
/* SRC, and forget every cached value the reset invalidated. */
void enc_soft_reset(struct enc_dev *d);
/* 16-bit register pair: low byte first (the chip latches ERXRDPT on the
 * high-byte write), then the high byte at the next address. */
uint16_t enc_read_reg16(struct enc_dev *d, uint8_t reg_low);
void enc_write_reg16(struct enc_dev *d, uint8_t reg_low, uint16_t val);
/* Buffer memory over RBM/WBM with AUTOINC; no range checks. The caller
 * keeps a read inside one side of ERXND (see enc_ring_read). */
void enc_buf_read(struct enc_dev *d, uint16_t addr, uint8_t *p, uint16_t n);
void enc_buf_write(struct enc_dev *d, uint16_t addr, const uint8_t *p, uint16_t n);
/* Busy-wait through the HAL (the driver never waits 65 ms at once: a
 * 16-bit argument is two registers fewer per call on AVR). */
void enc_delay_us(struct enc_dev *d, uint16_t us);

/* ---- enc28j60_rx.c ---- */
/* Program ERXST/ERXND/ERXRDPT for an empty ring; RXEN must be clear. */
void enc_rx_ring_init(struct enc_dev *d);
/* Frames waiting in the ring: EPKTCNT, never EIR.PKTIF (erratum 6). */
uint8_t enc_rx_pending(struct enc_dev *d);
/* Ring address of byte off (from the frame start) of the open frame. */
uint16_t enc_rx_addr(const struct enc_dev *d, uint16_t off);

/* ---- enc28j60_tx.c ---- */
/* Collect the completion of the frame in flight. With wait, poll TXRTS for
 * up to ENC_TX_TIMEOUT_US and recover a stall; without, return ENC_ERR_BUSY
 * at once while it is still on the wire. ENC_OK when nothing is pending.
 * When it read EIR to settle a frame, *eir_seen gets that value less the
 * TXIF/TXERIF it cleared; else it is left alone. */
int enc_tx_collect(struct enc_dev *d, bool wait, uint8_t *eir_seen);

#ifdef __cplusplus
}
#endif
#endif /* CORE_ENC28J60_PRIV_H */
