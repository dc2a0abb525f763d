/*
 * fw_status.c - the one-line status report both images print at boot, on a
 * link change and every FW_STATUS_PERIOD_S seconds, built from the driver's
 * counters. Small number printers stand in for printf to keep flash for
 * the stack.
 */
#include "fw_status.h"

void fw_put_dec(const struct fw_board *b, uint32_t v)
{
	char buf[11];
	uint8_t i = sizeof buf - 1u;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + (char)(v % 10u));
		v /= 10u;
	} while (v != 0u);
	b->puts(&buf[i]);
}

static char hex_digit(uint8_t v)
{
	return v < 10u ? (char)('0' + v) : (char)('a' + v - 10);
}

void fw_put_hex8(const struct fw_board *b, uint8_t v)
{
	char buf[3] = {hex_digit((uint8_t)(v >> 4)), hex_digit(v & 0x0fu), '\0'};

	b->puts(buf);
}

void fw_status_line(const struct fw_board *b, const struct enc_dev *d, const uint8_t mac[6])
{
	const struct enc_stats *s = &d->stats;
	uint32_t err = s->rx_bad_status + s->rx_bad_length + s->rx_overflows + s->tx_aborts;

	b->puts(b->name);
	b->puts_rom(FW_ROM(": enc rev 0x"));
	fw_put_hex8(b, d->revid);
	b->puts_rom(FW_ROM(" mac "));
	for (uint8_t i = 0; i < 6u; i++) {
		if (i != 0u) {
			b->puts_rom(FW_ROM(":"));
		}
		fw_put_hex8(b, mac[i]);
	}
	if (enc_link_is_up(d)) {
		b->puts_rom(FW_ROM(" link up rx "));
	} else {
		b->puts_rom(FW_ROM(" link down rx "));
	}
	fw_put_dec(b, s->rx_frames);
	b->puts_rom(FW_ROM(" tx "));
	fw_put_dec(b, s->tx_frames);
	b->puts_rom(FW_ROM(" err "));
	fw_put_dec(b, err);
	b->puts_rom(FW_ROM("\r\n"));
}
