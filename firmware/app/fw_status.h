/*
 * fw_status.h - the status line both images print on their UART, and the
 * identity (MAC, IPv4 address) they come up with. No printf: on the
 * ATmega328P avr-libc's vfprintf alone costs more flash than the driver.
 */
#ifndef FIRMWARE_FW_STATUS_H
#define FIRMWARE_FW_STATUS_H

#include <stdint.h>

#include "enc28j60.h"
#include "fw_board.h"

/* Locally administered MAC 02:53:4e:41:43:4b ("SNACK"); override per board
 * with -DFW_MAC=... so two boards on one LAN differ. */
#ifndef FW_MAC
#define FW_MAC {0x02, 0x53, 0x4e, 0x41, 0x43, 0x4b}
#endif
/* IPv4 configuration of the stack image, as host-order integers. */
#ifndef FW_IP
#define FW_IP FW_IPV4(192, 168, 1, 200)
#endif
#ifndef FW_NETMASK
#define FW_NETMASK FW_IPV4(255, 255, 255, 0)
#endif
#ifndef FW_GATEWAY
#define FW_GATEWAY FW_IPV4(192, 168, 1, 1) /* 0 = none */
#endif
#define FW_IPV4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
/* TCP port of the echo service. */
#ifndef FW_ECHO_PORT
#define FW_ECHO_PORT 8888u
#endif
#ifndef FW_STATUS_PERIOD_S
#define FW_STATUS_PERIOD_S 10u /* seconds between status lines */
#endif

void fw_put_dec(const struct fw_board *b, uint32_t v);
void fw_put_hex8(const struct fw_board *b, uint8_t v);
/* "<board>: enc rev 0x06 mac 02:53:... link up rx 3 tx 3 err 0\r\n" */
void fw_status_line(const struct fw_board *b, const struct enc_dev *d, const uint8_t mac[6]);

#endif /* FIRMWARE_FW_STATUS_H */
