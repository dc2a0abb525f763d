/*
 * fw_status.h - text output on the board's UART without printf (on the
 * ATmega328P avr-libc's vfprintf alone costs more flash than the driver),
 * and the one-line status report both images print at boot, on a link
 * change and when the agent is asked (`status`).
 */
#ifndef FIRMWARE_FW_STATUS_H
#define FIRMWARE_FW_STATUS_H

#include <stdint.h>

#include "enc28j60.h"
#include "fw_board.h"

/* A RAM string, a FW_ROM() string. */
void fw_puts(const struct fw_board *b, const char *s);
void fw_puts_rom(const struct fw_board *b, const char *s);
void fw_put_dec(const struct fw_board *b, uint32_t v);
void fw_put_hex8(const struct fw_board *b, uint8_t v);
/* "a.b.c.d" of a host-order address. */
void fw_put_ip(const struct fw_board *b, uint32_t ip);
/* "<board>: enc rev 0x06 mac 02:53:... link up rx 3 tx 3 err 0\r\n" */
void fw_status_line(const struct fw_board *b, const struct enc_dev *d, const uint8_t mac[6]);

#endif /* FIRMWARE_FW_STATUS_H */
