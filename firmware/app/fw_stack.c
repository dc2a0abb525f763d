/*
 * fw_stack.c - the stack application: the ENC28J60 driver under the
 * synack TCP/IP stack (core/net/net.h), serving TCP echo on FW_ECHO_PORT
 * (8888) and the HTTP status page on FW_HTTP_PORT (80), answering ARP and
 * ping, with the test agent (fw_agent.h) on the UART. This is the image
 * the conformance suites run under simavr (`--dut avr:IMAGE.elf`) and the
 * one `synack flash` programs.
 *
 * Call chain: main.c -> fw_app_run() -> loop { net_poll() -> netdev ->
 * driver -> board SPI HAL; fw_agent_poll(); sleep_until(deadline) }. The
 * loop sleeps until the chip's INT, a UART byte or the stack's next
 * deadline, and polls the stack only for INT or the deadline: no busy
 * polling, so an idle board (and its simulation) costs almost nothing, and
 * a command arriving byte by byte costs no stack passes. The services are core/apps/, the same ones the host
 * tests run.
 */
#include "apps/echo_server.h"
#include "apps/http_status.h"
#include "enc28j60_netdev.h"
#include "fw_agent.h"
#include "fw_config.h"
#include "fw_status.h"
#include "net.h"

/* The application's instances: core/ itself keeps no state. */
static struct enc_dev fw_dev;
static struct netdev fw_netdev;
static struct net_config fw_cfg;
static struct net_stack fw_stack;
static struct echo_server fw_echo;
#if FW_HTTP
static struct http_status fw_http;
#endif
static struct fw_agent fw_agent;

static void services(struct net_stack *s, bool on)
{
	if (on) {
		(void)echo_server_start(&fw_echo, s, FW_ECHO_PORT);
#if FW_HTTP
		(void)http_status_start(&fw_http, s, FW_HTTP_PORT);
#endif
	} else {
		(void)tcp_unlisten(s, FW_ECHO_PORT);
#if FW_HTTP
		(void)tcp_unlisten(s, FW_HTTP_PORT);
#endif
	}
}

void fw_app_run(const struct fw_board *b)
{
	static const uint8_t mac[6] = FW_MAC;
	struct enc_config ecfg = {.full_duplex = true};
	bool link;
	int rc;

	fw_puts(b, b->name);
	fw_puts_rom(b, FW_ROM(": synack tcp echo, http, agent\r\n"));
	for (uint8_t i = 0; i < sizeof mac; i++)
		ecfg.mac[i] = mac[i];
	while ((rc = enc_init(&fw_dev, b->spi, &ecfg)) != ENC_OK) {
		/* No chip, or it never came out of reset: say so and retry, the
		 * board may be powering the module up late. */
		fw_puts(b, b->name);
		fw_puts_rom(b, FW_ROM(": enc_init failed, enum enc_err -"));
		fw_put_dec(b, (uint32_t)-rc);
		fw_puts_rom(b, FW_ROM("\r\n"));
		b->sleep_until(b->now() + NET_S(1));
	}
	enc_netdev_bind(&fw_netdev, &fw_dev);

	net_config_defaults(&fw_cfg);
	for (uint8_t i = 0; i < sizeof mac; i++)
		fw_cfg.mac[i] = mac[i];
	fw_cfg.ip = FW_IP;
	fw_cfg.netmask = FW_NETMASK;
	fw_cfg.gateway = FW_GATEWAY;
	for (uint8_t i = 0; i < sizeof fw_cfg.isn_key; i++)
		fw_cfg.isn_key[i] = b->isn_key[i];
	net_init(&fw_stack, &fw_cfg, &fw_netdev, b->now());
	services(&fw_stack, true);

	link = enc_link_is_up(&fw_dev);
	fw_status_line(b, &fw_dev, mac);
	fw_agent_init(&fw_agent, b, &fw_stack, &fw_cfg, &fw_dev, services);
	for (net_time_t next = b->now();;) {
		net_time_t now = b->now();

		/* The stack runs when the chip asks (INT), when its deadline has
		 * come, or after a command; a wake-up for a UART byte alone only
		 * feeds the agent. net_poll() also services the chip: it
		 * collects TX completion and clears the flags that hold INT. */
		if (b->chip_int() || !NET_TIME_BEFORE(now, next))
			next = net_poll(&fw_stack, now);
		if (fw_agent_poll(&fw_agent))
			next = now; /* what a command queued goes out on the next pass */
		if (enc_link_is_up(&fw_dev) != link) {
			link = enc_link_is_up(&fw_dev);
			fw_status_line(b, &fw_dev, mac);
			next = now; /* the stack announces the new link on its next pass */
		}
		if (NET_TIME_BEFORE(now, next))
			b->sleep_until(next);
	}
}

