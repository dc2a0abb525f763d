/*
 * fw_board.c - board-independent helpers over struct fw_board: widening
 * the board's 32-bit millisecond tick into the 64-bit nanosecond time that
 * core/ entry points take.
 */
#include "fw_board.h"

net_time_t fw_now(const struct fw_board *b)
{
	/* Application state, not core/ state: one board per image. */
	static uint32_t last_ms;
	static uint32_t wraps;
	uint32_t ms = b->millis();

	if (ms < last_ms) {
		wraps++;
	}
	last_ms = ms;
	return NET_MS(((uint64_t)wraps << 32) | ms);
}
