/*
 * irq_driver.h - a second, small ENC28J60 driver, written in another style
 * than core/'s, to show that a driver which is not ours runs on the model
 * through sim/spi_glue.h. Test code, not product.
 *
 * Its style is the one of many third-party drivers (RIOT's among them): it
 * is interrupt-driven, it reads frames when EIR.PKTIF says there are some
 * (then drains while EPKTCNT > 0), it selects the bank on every access
 * instead of caching it, and it reaches the chip only through four C
 * functions of its platform, declared here and defined by whoever runs it:
 *
 *   spi_select()  spi_transfer(byte)  spi_deselect()  delay_us(us)
 *
 * (plus spi_transfer_buf() for buffer memory). It keeps the rules a careful
 * driver keeps (ring at 0, odd ERXRDPT, CLKRDY waited out, one MII access
 * at a time, MAC and PHY both full duplex), so the model's checker stays
 * silent; what it does not do is the erratum 6 workaround: it trusts PKTIF.
 * irqdrv_poll_rx() is that workaround, for comparison.
 */
#ifndef SIM_TESTS_IRQ_DRIVER_H
#define SIM_TESTS_IRQ_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The platform calls the driver needs (sim/spi_glue.h provides them). */
void spi_select(void);
void spi_deselect(void);
uint8_t spi_transfer(uint8_t out);
void spi_transfer_buf(const uint8_t *out, uint8_t *in, size_t n);
void delay_us(uint32_t us);

#define IRQDRV_RX_END 0x17FFu   /* receive ring 0x0000..0x17FF (odd end, erratum 14) */
#define IRQDRV_TX_START 0x1800u /* transmit buffer after it */
#define IRQDRV_MAX_FRAME 1514u  /* without FCS */

struct irqdrv;
typedef void (*irqdrv_frame_fn)(struct irqdrv *d, const uint8_t *frame, uint16_t len);

struct irqdrv {
	uint8_t mac[6];
	irqdrv_frame_fn on_frame;   /* called from irqdrv_isr() per frame */
	void *ctx;
	uint16_t next;              /* next packet in the ring */
	bool tx_busy;               /* TXRTS set, TXIF/TXERIF not yet seen */
	/* Counters. */
	uint32_t isr_runs;
	uint32_t rx_frames;
	uint32_t rx_bad;            /* RSV without RXOK, or too long */
	uint32_t rx_overflows;      /* RXERIF seen */
	uint32_t tx_done;           /* TXIF seen */
	uint32_t tx_errors;         /* TXERIF seen */
	uint32_t tx_refused;        /* irqdrv_send() while busy */
	uint32_t link_changes;      /* LINKIF seen */
	uint8_t buf[IRQDRV_MAX_FRAME + 4];
};

/* Reset and configure the chip; returns 0, or -1 when CLKRDY never came. */
int irqdrv_init(struct irqdrv *d, const uint8_t mac[6]);
/* The interrupt handler: call while the INT pin is asserted. */
void irqdrv_isr(struct irqdrv *d);
/* Queue one frame (no FCS); -1 while the previous one is still going. */
int irqdrv_send(struct irqdrv *d, const uint8_t *frame, uint16_t len);
/* Read every waiting frame by EPKTCNT, whatever PKTIF says (erratum 6's
 * workaround, called from a timer). */
void irqdrv_poll_rx(struct irqdrv *d);

#endif /* SIM_TESTS_IRQ_DRIVER_H */
