/*
 * test_pcap.c - the link capture: frames written through libpcap, read back
 * with libpcap at nanosecond precision (exact virtual timestamps, FCS
 * stripped), byte-identical files for the same seed, clear errors.
 */
/* libpcap's headers use the BSD u_int/u_char types. */
#define _DEFAULT_SOURCE

#include <check.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "link.h"
#include "pcap_tap.h"

static void sink(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	(void)ctx;
	(void)frame;
	(void)len;
	(void)now;
}

static void tmpname(char *buf, size_t cap, const char *tag)
{
	snprintf(buf, cap, "/tmp/synack-test-pcap-%ld-%s.pcap", (long)getpid(), tag);
}

/* 20 frames of 60 + 4 bytes, 1 us + i ns apart, 1 % loss (which does not
 * change the capture: taps see frames as sent). */
static void write_capture(const char *path, uint64_t seed, uint64_t base)
{
	struct sim s;
	sim_init(&s, seed, 0);
	struct sim_link l;
	struct sim_link_config cfg = {.latency_ns = 500, .loss_ppm = 10000};
	sim_link_init(&l, &s, &cfg);
	struct sim_port *a = sim_link_attach(&l, sink, NULL);
	sim_link_attach(&l, sink, NULL);
	struct sim_pcap c;
	char err[256];
	ck_assert_int_eq(sim_pcap_open(&c, path, err, sizeof err), 0);
	ck_assert_int_eq(sim_pcap_attach(&c, &l), 0);
	uint8_t f[64];
	uint64_t t = base;
	for (unsigned i = 0; i < 20; i++) {
		memset(f, (int)i, sizeof f);
		f[12] = 0x88;
		f[13] = 0xB5;
		sim_link_send(a, f, sizeof f, t, 0);
		sim_run_until_idle(&s, SIM_NEVER, 0);
		t += 100000 + i; /* > wire time of 64 bytes: never deferred */
	}
	ck_assert_uint_eq(c.frames, 20);
	ck_assert_int_eq(sim_pcap_close(&c, err, sizeof err), 0);
	sim_link_free(&l);
	sim_free(&s);
}

START_TEST(test_written_and_read_back_with_exact_ns)
{
	char path[128];
	tmpname(path, sizeof path, "rb");
	uint64_t base = 3 * 1000000000ull + 123456789ull; /* crosses no second */
	write_capture(path, 1, base);

	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_int_eq(pcap_datalink(p), DLT_EN10MB);
	ck_assert_int_eq(pcap_get_tstamp_precision(p), PCAP_TSTAMP_PRECISION_NANO);
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t t = base;
	unsigned n = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		ck_assert_uint_eq(ts, t);
		ck_assert_uint_eq(h->caplen, 60); /* FCS stripped */
		ck_assert_uint_eq(h->len, 60);
		ck_assert_uint_eq(data[0], n);
		ck_assert_uint_eq(data[12], 0x88);
		ck_assert_uint_eq(data[13], 0xB5);
		t += 100000 + n;
		n++;
	}
	ck_assert_uint_eq(n, 20);
	pcap_close(p);
	unlink(path);
}
END_TEST

static size_t slurp(const char *path, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

START_TEST(test_same_seed_byte_identical)
{
	char p1[128], p2[128];
	tmpname(p1, sizeof p1, "d1");
	tmpname(p2, sizeof p2, "d2");
	write_capture(p1, 99, 0);
	write_capture(p2, 99, 0);
	static unsigned char b1[8192], b2[8192];
	size_t n1 = slurp(p1, b1, sizeof b1), n2 = slurp(p2, b2, sizeof b2);
	ck_assert_uint_eq(n1, 24 + 20 * (16 + 60));
	ck_assert_uint_eq(n1, n2);
	ck_assert_mem_eq(b1, b2, n1);
	/* Nanosecond magic, little-endian on this host. */
	ck_assert_uint_eq(b1[0], 0x4d);
	ck_assert_uint_eq(b1[1], 0x3c);
	ck_assert_uint_eq(b1[2], 0xb2);
	ck_assert_uint_eq(b1[3], 0xa1);
	unlink(p1);
	unlink(p2);
}
END_TEST

START_TEST(test_unwritable_path_is_reported)
{
	struct sim_pcap c;
	char err[256] = "";
	ck_assert_int_eq(sim_pcap_open(&c, "/nonexistent-dir/x.pcap", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.pcap"));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	/* Closing a capture that never opened is harmless. */
	ck_assert_int_eq(sim_pcap_close(&c, err, sizeof err), 0);
	sim_pcap_write(&c, (const uint8_t *)"abcd", 4, 0);
	ck_assert_uint_eq(c.frames, 0);
}
END_TEST

/* A full device: every write fails. The capture stops at the first failed
 * write and close names the file and the reason. */
START_TEST(test_full_disk_is_reported)
{
	struct sim_pcap c;
	char err[256] = "";
	uint8_t frame[1518];
	memset(frame, 0xa5, sizeof frame);
	ck_assert_int_eq(sim_pcap_open(&c, "/dev/full", err, sizeof err), 0);
	for (int i = 0; i < 100; i++)
		sim_pcap_write(&c, frame, sizeof frame, (uint64_t)i * 1000u);
	ck_assert(c.failed);
	ck_assert_uint_lt(c.frames, 100);
	ck_assert_int_eq(sim_pcap_close(&c, err, sizeof err), -1);
	ck_assert_str_eq(err, "/dev/full: write failed: No space left on device");
}
END_TEST

static Suite *pcap_suite(void)
{
	Suite *s = suite_create("sim_pcap");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_written_and_read_back_with_exact_ns);
	tcase_add_test(tc, test_same_seed_byte_identical);
	tcase_add_test(tc, test_unwritable_path_is_reported);
	tcase_add_test(tc, test_full_disk_is_reported);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pcap_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
