/* wire_check.h - helpers shared by the core/wire/ codec suites
 * (test_wire_*.c): the 0xA5-filled emit buffer (STYLE 19: a field emit
 * forgot to write shows up as 0xA5) and frame offsets for wire_frames.h. */
#ifndef WIRE_CHECK_H
#define WIRE_CHECK_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WC_FILL 0xA5u
#define WC_ETH 14u /* every frame in wire_frames.h starts with Ethernet II */

static inline void wc_fill(uint8_t *buf, size_t n)
{
	memset(buf, WC_FILL, n);
}

/* Asserts buf[from..n) still holds the fill byte. */
static inline void wc_untouched(const uint8_t *buf, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < n; i++)
		ck_assert_msg(buf[i] == WC_FILL, "byte %zu written past the end: 0x%02x", i, buf[i]);
}

/* Runs one suite, returns the process exit status (Check prints its
 * closing summary line). */
static inline int wc_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif
