/*
 * enc28j60.h - the ENC28J60 driver: public interface.
 *
 * The driver speaks only SPI (struct enc_spi_hal) and keeps all of its state
 * in struct enc_dev, so many instances can run in one process. It never
 * allocates and never reads a clock.
 *
 * Buffer memory plan (8 KB, all addresses inclusive):
 *   0x0000 .. rx_end        receive ring (starts at 0: erratum 5)
 *   rx_end+1 .. tx_end      one transmit frame: control byte, frame, TSV
 *   tx_end+1 .. 0x1FFF      spare: free for the stack (e.g. retransmit data),
 *                           reached with enc_mem_read()/enc_mem_write()
 *
 * Frames are streamed, not copied: a stack on an 2 KB MCU reads the headers
 * it needs with enc_rx_read() and builds replies in place with
 * enc_tx_write(). enc_recv()/enc_send() are whole-frame conveniences.
 */
#ifndef CORE_ENC28J60_H
#define CORE_ENC28J60_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ENC_RX_END_DEFAULT
#if defined(__AVR__)
#define ENC_RX_END_DEFAULT 0x0FFFu /* 4 KB receive ring */
#else
/* 2.5 KB receive ring: with the 1.5 KB transmit buffer it leaves 4 KB spare
 * for the stack's two 2 KB send rings (net_opts.h NET_TCP_SND_BUF), three
 * segments each at the default MSS. The ring holds one connection's
 * default window (2048 B in three 682-byte segments: 2,226 B with their
 * headers); two connections receiving full windows at once can overflow
 * it (the chip drops the frame, RXERIF counts it, TCP resends). Raise it
 * (enc_config.rx_end) with rcv_wnd. */
#define ENC_RX_END_DEFAULT 0x09FFu
#endif
#endif
#ifndef ENC_TX_MAX_FRAME
#define ENC_TX_MAX_FRAME 1514u /* without FCS; the chip appends it */
#endif
#ifndef ENC_TX_RETRIES
#define ENC_TX_RETRIES 16u /* erratum 13: late-collision retries */
#endif
#ifndef ENC_TX_TIMEOUT_US
#define ENC_TX_TIMEOUT_US 5000u /* stuck TXRTS (erratum 12) after this */
#endif
#ifndef ENC_MII_POLL_MAX
#define ENC_MII_POLL_MAX 100u /* bounded MISTAT.BUSY poll */
#endif

enum enc_err {
	ENC_OK = 0,
	ENC_ERR_ARG = -1,      /* bad argument (length, range) */
	ENC_ERR_NOCHIP = -2,   /* EREVID reads 0x00 or 0xFF */
	ENC_ERR_TIMEOUT = -3,  /* CLKRDY, MII BUSY or TXRTS never settled */
	ENC_ERR_TX = -4,       /* frame aborted after all retries */
	ENC_ERR_BUSY = -5,     /* previous transmit still in progress */
};

struct enc_config {
	uint8_t mac[6];     /* mac[0] is the first octet on the wire */
	uint16_t rx_end;    /* last byte of the receive ring; 0 = default */
	bool full_duplex;   /* MAC and PHY full duplex; false = half duplex with HDLDIS (erratum 9) */
	bool promiscuous;   /* ERXFCON = CRCEN only */
};

/* Every frame the driver refuses or recovers from is counted. ENC_STAT_T is
 * the counters' type: 32-bit by default; firmware/avr/CMakeLists.txt makes
 * it 16-bit on the ATmega328P, as the stack's NET_STAT_T (11 counters:
 * 22 B of its 2 KB of RAM; a 16-bit counter wraps, as a 32-bit one does). */
#ifndef ENC_STAT_T
#define ENC_STAT_T uint32_t
#endif
struct enc_stats {
	ENC_STAT_T rx_frames;        /* handed to the caller */
	ENC_STAT_T rx_bad_status;    /* RSV without RXOK, or CRC/length error */
	ENC_STAT_T rx_bad_length;    /* byte count impossible for the ring */
	ENC_STAT_T rx_overflows;     /* EIR.RXERIF seen: frames lost by the chip */
	ENC_STAT_T rx_resets;        /* receive logic reset after a bad pointer */
	ENC_STAT_T rx_truncated;     /* enc_recv() buffer smaller than the frame */
	ENC_STAT_T tx_frames;        /* transmitted and reported done */
	ENC_STAT_T tx_latecol_retries; /* erratum 13 retransmissions */
	ENC_STAT_T tx_aborts;        /* TXERIF after all retries (or stalled twice) */
	ENC_STAT_T tx_stalls;        /* TXRTS stuck: recovered with TXRST */
	ENC_STAT_T link_changes;     /* PHIR.PLNKIF seen */
};

struct enc_dev {
	const struct enc_spi_hal *hal;
	uint8_t bank;          /* cached ECON1.BSEL; 0xFF = unknown */
	uint8_t revid;
	uint16_t rx_end;
	uint16_t tx_start;     /* control byte address */
	uint16_t next_pkt;     /* start of the next unread frame */
	uint16_t cur_pkt;      /* start of the frame between rx_begin/rx_end */
	uint16_t cur_len;      /* its length without FCS; 0 = none open */
	uint16_t tx_len;       /* frame length of the frame in the TX buffer */
	uint16_t tx_fill;      /* bytes written since enc_tx_begin() */
	bool tx_pending;       /* TXRTS set and completion not yet collected */
	bool link_up;
	struct enc_stats stats;
	/* Private: caches and transmit bookkeeping. */
	uint16_t erdpt;        /* known ERDPT, 0xFFFF = unknown */
	uint16_t ewrpt;        /* known EWRPT, 0xFFFF = unknown */
	uint16_t etxnd;        /* known ETXND (ETXST = tx_start with it), 0xFFFF = unknown */
	uint8_t rx_known;      /* frames EPKTCNT counted that are not yet released */
	bool tx_reset_due;     /* an abort or stall since the last TXRST (erratum 12) */
	uint8_t tx_tries;      /* late-collision retries of the frame in flight */
	bool tx_restarted;     /* frame in flight is the one retransmit after a stall */
	bool tx_open;          /* between enc_tx_begin() and enc_tx_send() */
	bool tx_overrun;       /* the open frame outgrew ENC_TX_MAX_FRAME */
};

/* Bring the chip up: soft reset, wait out CLKRDY (erratum 2), receive ring at
 * 0 (erratum 5), MAC address, filters, duplex, LEDs, then enable receive. */
int enc_init(struct enc_dev *d, const struct enc_spi_hal *hal, const struct enc_config *cfg);

/* Service the chip: collect transmit completion, clear RXERIF, follow the
 * link. Cheap; call it from the main loop or on INT. Returns true when a
 * frame is waiting (EPKTCNT > 0; erratum 6 says PKTIF can't be trusted). */
bool enc_poll(struct enc_dev *d);
bool enc_link_is_up(const struct enc_dev *d);

/* ---- Receive, streaming ---- */
/* Open the next good frame; returns its length without FCS, or 0 if none.
 * Frames with a bad status vector are released and counted, not returned. */
uint16_t enc_rx_begin(struct enc_dev *d);
/* Copy n bytes at offset off of the open frame (off+n <= length). */
void enc_rx_read(struct enc_dev *d, uint16_t off, uint8_t *buf, uint16_t n);
/* Release the open frame: ERXRDPT odd (erratum 14), then PKTDEC. */
void enc_rx_end(struct enc_dev *d);
/* Whole frame: returns its length (at most cap; longer frames are truncated
 * and counted), or 0 if none is waiting. */
uint16_t enc_recv(struct enc_dev *d, uint8_t *buf, uint16_t cap);

/* ---- Transmit, streaming ---- */
/* Wait for the previous frame (retrying on late collision, erratum 13;
 * recovering a stuck TXRTS, erratum 12), then start a new one. */
int enc_tx_begin(struct enc_dev *d);
void enc_tx_write(struct enc_dev *d, const uint8_t *p, uint16_t n);
/* Overwrite bytes already written (e.g. a checksum), off from frame start. */
void enc_tx_write_at(struct enc_dev *d, uint16_t off, const uint8_t *p, uint16_t n);
/* Start transmission of the tx_fill bytes written; the chip pads and adds
 * the FCS. Returns at once; completion is collected by the next
 * enc_tx_begin() or enc_poll(). */
int enc_tx_send(struct enc_dev *d);
/* Whole frame (without FCS). */
int enc_send(struct enc_dev *d, const uint8_t *frame, uint16_t len);

/* ---- Spare buffer memory for the stack ---- */
uint16_t enc_spare_start(const struct enc_dev *d);
void enc_mem_write(struct enc_dev *d, uint16_t addr, const uint8_t *p, uint16_t n);
void enc_mem_read(struct enc_dev *d, uint16_t addr, uint8_t *p, uint16_t n);
/* Append n bytes of spare memory at addr to the frame being built (used to
 * retransmit data kept in chip memory without passing it through the MCU). */
void enc_tx_copy_from_mem(struct enc_dev *d, uint16_t addr, uint16_t n);

/* ---- Checksums by the chip's DMA engine (enc28j60_csum.c) ---- */
/* One's-complement sum (not complemented) of n >= 2 bytes of the open
 * frame at off, or of spare memory at addr. False when the DMA was not used
 * (a frame being received, erratum 17; bad range; timeout): sum over SPI. */
bool enc_rx_checksum(struct enc_dev *d, uint16_t off, uint16_t n, uint16_t *sum);
bool enc_mem_checksum(struct enc_dev *d, uint16_t addr, uint16_t n, uint16_t *sum);

/* ---- Low layers, exposed for tests and for users' own drivers ---- */
uint8_t enc_read_reg(struct enc_dev *d, uint8_t reg);
void enc_write_reg(struct enc_dev *d, uint8_t reg, uint8_t val);
void enc_bit_set(struct enc_dev *d, uint8_t reg, uint8_t mask);
void enc_bit_clear(struct enc_dev *d, uint8_t reg, uint8_t mask);
int enc_phy_read(struct enc_dev *d, uint8_t phreg, uint16_t *val);
int enc_phy_write(struct enc_dev *d, uint8_t phreg, uint16_t val);

#ifdef __cplusplus
}
#endif
#endif /* CORE_ENC28J60_H */
