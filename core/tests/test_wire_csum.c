/*
 * test_wire_csum.c - the Internet checksum in core/wire/wire.c: RFC 1071's
 * worked example, odd lengths, incremental sums equal to the one-shot sum
 * at every split point, add16 at odd offsets, and carry folding over long
 * inputs (against a plain 64-bit reference sum).
 */
#include <check.h>

#include "wire/wire.h"
#include "wire_check.h"
#include "wire_frames.h"

/* Reference: sum 16-bit big-endian words in 64 bits, pad an odd tail with
 * zero, fold, complement. Slow and obvious. */
static uint16_t ref_checksum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint64_t)((p[i] << 8) | p[i + 1]);
	if (n & 1)
		s += (uint64_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

/* Deterministic bytes (LCG) for the property tests. */
static void fill_lcg(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

START_TEST(test_rfc1071_example)
{
	/* RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (with the
	 * carries folded), so the checksum is ~ddf2 = 220d. */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(wire_checksum(b, sizeof b), 0x220d);
	ck_assert_uint_eq(wire_checksum(b, sizeof b), ref_checksum(b, sizeof b));
}
END_TEST

START_TEST(test_rfc1071_example_with_checksum_verifies_to_zero)
{
	uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0x22, 0x0d };

	ck_assert_uint_eq(wire_checksum(b, sizeof b), 0);
	b[3] ^= 0x10;
	ck_assert_uint_ne(wire_checksum(b, sizeof b), 0);
}
END_TEST

START_TEST(test_empty_and_zero)
{
	static const uint8_t z[4] = { 0 };

	ck_assert_uint_eq(wire_checksum(z, 0), 0xFFFF);
	ck_assert_uint_eq(wire_checksum(z, sizeof z), 0xFFFF);
}
END_TEST

START_TEST(test_odd_lengths_pad_with_zero)
{
	/* RFC 1071 §4.1: a trailing odd byte is the high byte of a word. */
	static const uint8_t one[] = { 0x01 };
	static const uint8_t three[] = { 0x00, 0x01, 0xf2 };
	static const uint8_t three_padded[] = { 0x00, 0x01, 0xf2, 0x00 };
	uint8_t buf[257];
	size_t n;

	ck_assert_uint_eq(wire_checksum(one, 1), 0xFEFF);
	ck_assert_uint_eq(wire_checksum(three, 3), 0x0DFE);
	ck_assert_uint_eq(wire_checksum(three, 3), wire_checksum(three_padded, 4));
	fill_lcg(buf, sizeof buf, 7);
	for (n = 0; n <= sizeof buf; n++)
		ck_assert_uint_eq(wire_checksum(buf, n), ref_checksum(buf, n));
}
END_TEST

START_TEST(test_ipv4_header_of_seed_syn)
{
	/* scapy wrote 0x686e into the seed SYN's IPv4 header checksum. */
	uint8_t h[20];

	memcpy(h, wf_seed_syn + WC_ETH, sizeof h);
	ck_assert_uint_eq(wire_checksum(h, sizeof h), 0);
	h[10] = h[11] = 0;
	ck_assert_uint_eq(wire_checksum(h, sizeof h), 0x686e);
}
END_TEST

START_TEST(test_incremental_equals_oneshot_every_split)
{
	const uint8_t *f = wf_icmp_echo_req;
	size_t n = sizeof wf_icmp_echo_req, i, j;
	uint16_t want = wire_checksum(f, n);
	struct wire_csum c;

	for (i = 0; i <= n; i++) {
		wire_csum_init(&c);
		wire_csum_add(&c, f, i);
		wire_csum_add(&c, f + i, n - i);
		ck_assert_msg(wire_csum_fold(&c) == want, "split at %zu", i);
	}
	/* three chunks: every pair of split points (covers odd-odd chains) */
	for (i = 0; i <= n; i++) {
		for (j = i; j <= n; j++) {
			wire_csum_init(&c);
			wire_csum_add(&c, f, i);
			wire_csum_add(&c, f + i, j - i);
			wire_csum_add(&c, f + j, n - j);
			ck_assert_msg(wire_csum_fold(&c) == want, "splits at %zu, %zu", i, j);
		}
	}
	/* one byte at a time */
	wire_csum_init(&c);
	for (i = 0; i < n; i++)
		wire_csum_add(&c, f + i, 1);
	ck_assert_uint_eq(wire_csum_fold(&c), want);
}
END_TEST

START_TEST(test_incremental_odd_total_every_split)
{
	uint8_t b[101];
	size_t i;
	struct wire_csum c;

	fill_lcg(b, sizeof b, 42);
	for (i = 0; i <= sizeof b; i++) {
		wire_csum_init(&c);
		wire_csum_add(&c, b, i);
		wire_csum_add(&c, b + i, sizeof b - i);
		ck_assert_msg(wire_csum_fold(&c) == ref_checksum(b, sizeof b), "split at %zu", i);
	}
}
END_TEST

START_TEST(test_add16_at_even_and_odd_offsets)
{
	static const uint8_t pre[3] = { 0x12, 0x34, 0x56 };
	static const uint8_t v[2] = { 0xc0, 0xa8 };
	size_t k;

	for (k = 0; k <= sizeof pre; k++) {
		struct wire_csum a, b;

		wire_csum_init(&a);
		wire_csum_add(&a, pre, k);
		wire_csum_add(&a, v, 2);
		wire_csum_init(&b);
		wire_csum_add(&b, pre, k);
		wire_csum_add16(&b, 0xc0a8);
		ck_assert_msg(wire_csum_fold(&a) == wire_csum_fold(&b), "prefix %zu", k);
		ck_assert_uint_eq(a.odd, b.odd);
	}
}
END_TEST

START_TEST(test_long_input_folds_carries)
{
	/* 4 MiB of 0xff and of random bytes: the 32-bit sum would overflow
	 * without the in-loop fold. */
	enum { CHUNK = 4096, ROUNDS = 1024 };
	uint8_t b[CHUNK];
	uint64_t s = 0;
	struct wire_csum c;
	size_t r, i;

	memset(b, 0xFF, CHUNK);
	wire_csum_init(&c);
	for (r = 0; r < ROUNDS; r++)
		wire_csum_add(&c, b, CHUNK);
	ck_assert_uint_eq(wire_csum_fold(&c), 0); /* 0xffff words sum to -0 */

	fill_lcg(b, CHUNK, 99);
	wire_csum_init(&c);
	for (r = 0; r < ROUNDS; r++) {
		wire_csum_add(&c, b, CHUNK - 1); /* odd chunks: alternate byte lanes */
		for (i = 0; i + 1 < CHUNK - 1; i += 2)
			s += (r & 1) ? (uint64_t)((b[i] | (b[i + 1] << 8))) : (uint64_t)((b[i] << 8) | b[i + 1]);
		s += (r & 1) ? (uint64_t)b[CHUNK - 2] : (uint64_t)b[CHUNK - 2] << 8;
	}
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	ck_assert_uint_eq(wire_csum_fold(&c), (uint16_t)~s);
}
END_TEST

static Suite *csum_suite(void)
{
	Suite *s = suite_create("wire_csum");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rfc1071_example);
	tcase_add_test(tc, test_rfc1071_example_with_checksum_verifies_to_zero);
	tcase_add_test(tc, test_empty_and_zero);
	tcase_add_test(tc, test_odd_lengths_pad_with_zero);
	tcase_add_test(tc, test_ipv4_header_of_seed_syn);
	tcase_add_test(tc, test_incremental_equals_oneshot_every_split);
	tcase_add_test(tc, test_incremental_odd_total_every_split);
	tcase_add_test(tc, test_add16_at_even_and_odd_offsets);
	tcase_add_test(tc, test_long_input_folds_carries);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wc_run(csum_suite());
}
