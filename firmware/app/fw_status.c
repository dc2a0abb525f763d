/*
 * fw_status.c - the UART text helpers and the status line (fw_status.h),
 * built from the driver's counters. Small number printers stand in for
 * printf to keep flash for the stack.
 */
#include "fw_status.h"

void fw_puts(const struct fw_board *b, const char *s)
{
	while (*s)
		b->putc(*s++);
}

void fw_puts_rom(const struct fw_board *b, const char *s)
{
	char c;

	while ((c = (char)FW_ROM_BYTE(s++)) != '\0')
		b->putc(c);
}

void fw_put_dec(const struct fw_board *b, uint32_t v)
{
	char buf[11];
	uint8_t i = sizeof buf - 1u;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + (char)(v % 10u));
		v /= 10u;
	} while (v != 0u);
	fw_puts(b, &buf[i]);
}

static char hex_digit(uint8_t v)
{
	return v < 10u ? (char)('0' + v) : (char)('a' + v - 10);
}

void fw_put_hex8(const struct fw_board *b, uint8_t v)
{
	b->putc(hex_digit((uint8_t)(v >> 4)));
	b->putc(hex_digit(v & 0x0fu));
}

void fw_put_ip(const struct fw_board *b, uint32_t ip)
{
	for (uint8_t i = 0; i < 4u; i++) {
		if (i != 0u)
			b->putc('.');
		fw_put_dec(b, (uint8_t)(ip >> (24u - 8u * i)));
	}
}

void fw_status_line(const struct fw_board *b, const struct enc_dev *d, const uint8_t mac[6])
{
	const struct enc_stats *s = &d->stats;
	uint32_t err = s->rx_bad_status + s->rx_bad_length + s->rx_overflows + s->tx_aborts;

	fw_puts(b, b->name);
	fw_puts_rom(b, FW_ROM(": enc rev 0x"));
	fw_put_hex8(b, d->revid);
	fw_puts_rom(b, FW_ROM(" mac "));
	for (uint8_t i = 0; i < 6u; i++) {
		if (i != 0u)
			b->putc(':');
		fw_put_hex8(b, mac[i]);
	}
	fw_puts_rom(b, enc_link_is_up(d) ? FW_ROM(" link up rx ") : FW_ROM(" link down rx "));
	fw_put_dec(b, s->rx_frames);
	fw_puts_rom(b, FW_ROM(" tx "));
	fw_put_dec(b, s->tx_frames);
	fw_puts_rom(b, FW_ROM(" err "));
	fw_put_dec(b, err);
	fw_puts_rom(b, FW_ROM("\r\n"));
}
