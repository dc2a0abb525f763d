/*
 * fw_echo.c - the driver-only application: bring the ENC28J60 up and send
 * back every frame addressed to our MAC with ethertype 0x88B5 (IEEE 802
 * "local experimental"), source and destination swapped. It exercises the
 * SPI HAL, receive ring, transmit path and errata workarounds on silicon
 * without the stack, and its image is the linked "driver alone" size.
 *
 * Only that ethertype is echoed: reflecting ARP or IP traffic back onto a
 * LAN would confuse the hosts on it. The payload streams from the receive
 * buffer to the transmit buffer in small chunks, so no 1.5 KB frame buffer
 * is needed on a 2 KB part. Between frames the board sleeps until INT.
 */
#include <string.h>

#include "fw_config.h"
#include "fw_status.h"
#include "wire/eth.h"

#define ECHO_ETHERTYPE 0x88B5u
#define ECHO_CHUNK 32u

/* The application's driver instance (core/ itself keeps no state). */
static struct enc_dev echo_dev;

static void echo_one(struct enc_dev *d, const uint8_t mac[ETH_ADDR_LEN])
{
	uint8_t hdr[ETH_HDR_LEN];
	uint8_t chunk[ECHO_CHUNK];
	uint16_t len = enc_rx_begin(d);

	if (len == 0u) {
		return;
	}
	if (len < ETH_HDR_LEN) {
		enc_rx_end(d);
		return;
	}
	enc_rx_read(d, 0, hdr, ETH_HDR_LEN);
	if (memcmp(&hdr[ETH_OFF_DST], mac, ETH_ADDR_LEN) != 0 ||
	    wire_get16(&hdr[ETH_OFF_TYPE]) != ECHO_ETHERTYPE || enc_tx_begin(d) != ENC_OK) {
		enc_rx_end(d);
		return;
	}
	memcpy(&hdr[ETH_OFF_DST], &hdr[ETH_OFF_SRC], ETH_ADDR_LEN);
	memcpy(&hdr[ETH_OFF_SRC], mac, ETH_ADDR_LEN);
	enc_tx_write(d, hdr, ETH_HDR_LEN);
	for (uint16_t off = ETH_HDR_LEN; off < len;) {
		uint16_t n = (uint16_t)(len - off);
		if (n > ECHO_CHUNK) {
			n = ECHO_CHUNK;
		}
		enc_rx_read(d, off, chunk, n);
		enc_tx_write(d, chunk, n);
		off = (uint16_t)(off + n);
	}
	enc_rx_end(d);
	(void)enc_tx_send(d);
}

void fw_app_run(const struct fw_board *b)
{
	static const struct enc_config cfg = {
		.mac = FW_MAC,
		.full_duplex = true,
	};
	struct enc_dev *d = &echo_dev;
	bool link;
	int rc;

	fw_puts(b, b->name);
	fw_puts_rom(b, FW_ROM(": synack ethernet echo (ethertype 0x88b5)\r\n"));
	while ((rc = enc_init(d, b->spi, &cfg)) != ENC_OK) {
		/* No chip, or it never came out of reset: say so and retry, the
		 * board may be powering the module up late. */
		fw_puts(b, b->name);
		fw_puts_rom(b, FW_ROM(": enc_init failed, enum enc_err -"));
		fw_put_dec(b, (uint32_t)-rc);
		fw_puts_rom(b, FW_ROM("\r\n"));
		b->sleep_until(b->now() + NET_S(1));
	}
	link = enc_link_is_up(d);
	fw_status_line(b, d, cfg.mac);
	for (;;) {
		/* enc_poll() collects TX completion and clears the flags that
		 * hold INT; with no frame waiting, sleep until INT again. */
		while (b->getc() >= 0) {
			/* no commands here: what arrives would keep the board awake */
		}
		if (b->chip_int() && enc_poll(d))
			echo_one(d, cfg.mac);
		else if (!b->chip_int())
			b->sleep_until(NET_TIME_NEVER);
		if (enc_link_is_up(d) != link) {
			link = enc_link_is_up(d);
			fw_status_line(b, d, cfg.mac);
		}
	}
}
