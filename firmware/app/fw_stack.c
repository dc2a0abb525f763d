/*
 * fw_stack.c - the stack application: the ENC28J60 driver under the
 * synack TCP/IP stack (core/net/net.h), serving a TCP echo on port 8888 (and
 * answering ARP and ping on the way). This is the image the conformance
 * suites' "avr" adapter runs under simavr and the one that gets flashed.
 *
 * Call chain: main.c -> fw_app_run() -> net_poll() -> enc28j60_netdev.c ->
 * driver -> board SPI HAL. The echo service is core/apps/echo_server.c,
 * the same one the host tests run: it reads only as many received bytes as
 * the send ring has room for and shrinks the receive window to match, so
 * the peer is flow-controlled instead of retransmitting.
 */
#include "apps/echo_server.h"
#include "enc28j60_netdev.h"
#include "fw_status.h"
#include "net.h"

/* The application's instances: core/ itself keeps no state. */
static struct enc_dev fw_dev;
static struct netdev fw_netdev;
static struct net_config fw_cfg;
static struct net_stack fw_stack;
static struct echo_server fw_echo;

void fw_app_run(const struct fw_board *b)
{
	static const uint8_t mac[6] = FW_MAC;
	struct enc_config ecfg = {.full_duplex = true};
	net_time_t next_status;
	bool link;
	int rc;

	b->puts(b->name);
	b->puts_rom(FW_ROM(": synack tcp echo\r\n"));
	for (uint8_t i = 0; i < sizeof mac; i++) {
		ecfg.mac[i] = mac[i];
	}
	while ((rc = enc_init(&fw_dev, b->spi, &ecfg)) != ENC_OK) {
		/* No chip, or it never came out of reset: say so and retry, the
		 * board may be powering the module up late. */
		b->puts(b->name);
		b->puts_rom(FW_ROM(": enc_init failed, enum enc_err -"));
		fw_put_dec(b, (uint32_t)-rc);
		b->puts_rom(FW_ROM("\r\n"));
		b->spi->delay_us(b->spi->ctx, 1000000u);
	}
	enc_netdev_bind(&fw_netdev, &fw_dev);

	net_config_defaults(&fw_cfg);
	for (uint8_t i = 0; i < sizeof mac; i++) {
		fw_cfg.mac[i] = mac[i];
	}
	fw_cfg.ip = FW_IP;
	fw_cfg.netmask = FW_NETMASK;
	fw_cfg.gateway = FW_GATEWAY;
	for (uint8_t i = 0; i < sizeof fw_cfg.isn_key; i++) {
		fw_cfg.isn_key[i] = b->isn_key[i];
	}
	net_init(&fw_stack, &fw_cfg, &fw_netdev, fw_now(b));
	(void)echo_server_start(&fw_echo, &fw_stack, FW_ECHO_PORT);

	link = enc_link_is_up(&fw_dev);
	fw_status_line(b, &fw_dev, mac);
	next_status = fw_now(b) + NET_S(FW_STATUS_PERIOD_S);
	for (;;) {
		/* Busy polling: net_poll() also services the chip. Its returned
		 * deadline would let a low-power build sleep until then or INT. */
		net_time_t now = fw_now(b);

		(void)net_poll(&fw_stack, now);
		if (enc_link_is_up(&fw_dev) != link || now >= next_status) {
			link = enc_link_is_up(&fw_dev);
			fw_status_line(b, &fw_dev, mac);
			next_status = now + NET_S(FW_STATUS_PERIOD_S);
		}
	}
}
