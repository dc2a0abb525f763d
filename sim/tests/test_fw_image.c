/*
 * test_fw_image.c - firmware image files (sim/fw_image.h): SHA-256 against
 * FIPS 180-4's examples; an ELF written here byte by byte (two load
 * segments with a gap, a RAM segment, the .synack_build and .comment
 * sections) read back as its flash bytes; Intel HEX with address records
 * and every kind of damage named by line; raw binaries; and which of them
 * program the same flash.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw_image.h"

static char dir[64];

static const char *path_of(const char *name)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(path_of(name), "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/synack-fwimg-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- SHA-256 ---- */

START_TEST(test_sha256_fips_examples)
{
	char hex[65];
	fw_sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	fw_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	fw_sha256_hex(two, sizeof two - 1, hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* A million 'a', fed in uneven pieces across block boundaries. */
	struct fw_sha256 c;
	uint8_t d[32], a[997];
	memset(a, 'a', sizeof a);
	fw_sha256_init(&c);
	for (size_t left = 1000000; left > 0;) {
		size_t k = left < sizeof a ? left : sizeof a;
		fw_sha256_update(&c, a, k);
		left -= k;
	}
	fw_sha256_final(&c, d);
	static const uint8_t want[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
					 0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
					 0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
	ck_assert_mem_eq(d, want, 32);
	write_file("abc", "abc", 3);
	char err[256];
	ck_assert_int_eq(fw_sha256_file(path_of("abc"), hex, err, sizeof err), 0);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(fw_sha256_file(path_of("missing"), hex, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

/* ---- ELF ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An AVR executable: .text 8 bytes at 0, .data's 4 initial bytes at 0x10
 * (loaded after a gap of 8 bytes; run at 0x800100), a .bss segment with
 * no file bytes, an EEPROM segment at 0x810000, and the two notes. */
static size_t make_elf(uint8_t *f, uint16_t machine)
{
	static const uint8_t text[8] = {1, 2, 3, 4, 5, 6, 7, 8}, data[4] = {0xd0, 0xd1, 0xd2, 0xd3};
	static const char build[] = "synack-build 1\ncommit 0123abc\ndirty 0\nboard avr\n";
	static const char comment[] = "GCC: (GNU) 5.4.0";
	static const char names[] = "\0.shstrtab\0.synack_build\0.comment";
	memset(f, 0, 1024);
	memcpy(f, "\177ELF", 4);
	f[4] = 1; /* 32-bit */
	f[5] = 1; /* little-endian */
	f[6] = 1;
	put16(f + 16, 2); /* ET_EXEC */
	put16(f + 18, machine);
	put32(f + 20, 1);
	put32(f + 28, 52);  /* phoff */
	put16(f + 40, 52);
	put16(f + 42, 32);  /* phentsize */
	put16(f + 44, 4);   /* phnum */
	/* the segments' bytes at 0x100.. */
	memcpy(f + 0x100, text, sizeof text);
	memcpy(f + 0x108, data, sizeof data);
	memcpy(f + 0x10c, build, sizeof build);
	memcpy(f + 0x180, comment, sizeof comment);
	memcpy(f + 0x1a0, names, sizeof names);
	static const uint8_t ee[2] = {0xee, 0xee};
	memcpy(f + 0x1d0, ee, 2);
	const uint32_t ph[4][6] = {
		/* type, offset, vaddr, paddr, filesz, memsz */
		{1, 0x100, 0x000000, 0x000000, 8, 8},
		{1, 0x108, 0x800100, 0x000010, 4, 4},
		{1, 0x000, 0x800104, 0x000014, 0, 16}, /* .bss */
		{1, 0x1d0, 0x810000, 0x810000, 2, 2},  /* .eeprom */
	};
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 6; k++)
			put32(f + 52 + 32 * i + (k < 5 ? 4 * k : 20), ph[i][k]);
	/* section headers at 0x200: null, .shstrtab, .synack_build, .comment */
	put32(f + 32, 0x200);
	put16(f + 46, 40);
	put16(f + 48, 4);
	put16(f + 50, 1);
	uint8_t *sh = f + 0x200;
	put32(sh + 40 + 0, 1);       /* .shstrtab */
	put32(sh + 40 + 16, 0x1a0);
	put32(sh + 40 + 20, sizeof names);
	put32(sh + 80 + 0, 11);      /* .synack_build */
	put32(sh + 80 + 16, 0x10c);
	put32(sh + 80 + 20, sizeof build);
	put32(sh + 120 + 0, 25);     /* .comment */
	put32(sh + 120 + 16, 0x180);
	put32(sh + 120 + 20, sizeof comment);
	return 0x200 + 4 * 40;
}

START_TEST(test_elf_flash_bytes_and_notes)
{
	uint8_t f[1024];
	size_t n = make_elf(f, FW_EM_AVR);
	write_file("a.elf", f, n);
	struct fw_image img;
	char err[256], v[64];
	ck_assert_msg(fw_image_read(path_of("a.elf"), 0, &img, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(img.machine, FW_EM_AVR);
	ck_assert_uint_eq(img.base, 0);
	ck_assert_uint_eq(img.size, 0x14); /* .text, gap, .data: not .bss, not EEPROM */
	static const uint8_t want[0x14] = {1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xd0, 0xd1, 0xd2, 0xd3};
	ck_assert_mem_eq(img.data, want, sizeof want);
	ck_assert_uint_eq(img.nseg, 2);
	ck_assert(fw_image_build_field(&img, "commit", v, sizeof v));
	ck_assert_str_eq(v, "0123abc");
	ck_assert(fw_image_build_field(&img, "dirty", v, sizeof v));
	ck_assert_str_eq(v, "0");
	ck_assert(!fw_image_build_field(&img, "nothing", v, sizeof v));
	ck_assert_str_eq(img.comment, "GCC: (GNU) 5.4.0");
	fw_image_free(&img);
}
END_TEST

START_TEST(test_elf_damage_is_named)
{
	uint8_t f[1024];
	size_t n = make_elf(f, FW_EM_AVR);
	struct fw_image img;
	char err[256];
	write_file("cut.elf", f, 0x10a); /* the .data segment's bytes run past the end */
	ck_assert_int_eq(fw_image_read_elf(path_of("cut.elf"), &img, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "segment 1 (0x4 bytes at file offset 0x108) lies outside the file") != NULL, "%s", err);
	write_file("tiny.elf", f, 20);
	ck_assert_int_eq(fw_image_read_elf(path_of("tiny.elf"), &img, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an ELF file"));
	f[4] = 2;
	write_file("64.elf", f, n);
	ck_assert_int_eq(fw_image_read_elf(path_of("64.elf"), &img, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a 32-bit little-endian ELF"));
	f[4] = 1;
	put32(f + 32, 0xfff0); /* section headers beyond the end */
	write_file("sh.elf", f, n);
	ck_assert_int_eq(fw_image_read_elf(path_of("sh.elf"), &img, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "section headers lie outside the file"));
	ck_assert_int_eq(fw_image_read(path_of("a.txt"), 0, &img, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "expected a .elf, .hex or .bin file"));
}
END_TEST

/* ---- Intel HEX and raw binaries ---- */

START_TEST(test_hex_records_and_same_flash)
{
	uint8_t f[1024];
	write_file("a.elf", f, make_elf(f, FW_EM_AVR));
	/* The ELF's flash as objcopy writes it: .text at 0, .data at 0x10. */
	static const char hex[] = ":080000000102030405060708D4\n"
				  ":04001000D0D1D2D3A6\r\n"
				  ":00000001FF\n";
	write_file("a.hex", hex, sizeof hex - 1);
	struct fw_image elf, h, b;
	char err[256];
	ck_assert_int_eq(fw_image_read(path_of("a.elf"), 0, &elf, err, sizeof err), 0);
	ck_assert_msg(fw_image_read(path_of("a.hex"), 0, &h, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(h.base, 0);
	ck_assert_uint_eq(h.size, 0x14);
	ck_assert(fw_image_same_flash(&elf, &h, false));
	/* objcopy -O binary fills the gap with zeros: equal only as a .bin. */
	static const uint8_t bin[0x14] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0xd0, 0xd1, 0xd2, 0xd3};
	write_file("a.bin", bin, sizeof bin);
	ck_assert_int_eq(fw_image_read(path_of("a.bin"), 0, &b, err, sizeof err), 0);
	ck_assert(fw_image_same_flash(&elf, &b, true));
	ck_assert(!fw_image_same_flash(&elf, &b, false));
	/* One byte changed: not the same flash, however read. */
	b.data[17] ^= 1;
	ck_assert(!fw_image_same_flash(&elf, &b, true));
	fw_image_free(&b);
	static const uint8_t bin2[0x14] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0xd0, 0xd1, 0xd2, 0xd4};
	write_file("b.bin", bin2, sizeof bin2);
	ck_assert_int_eq(fw_image_read(path_of("b.bin"), 0, &b, err, sizeof err), 0);
	ck_assert(!fw_image_same_flash(&elf, &b, true));
	fw_image_free(&b);
	fw_image_free(&h);
	/* Extended linear address (04: 0x10000) and segment (02: 0x1000 << 4)
	 * records. */
	static const char high[] = ":020000040001F9\n:040000001122334452\n:020000021000EC\n:01000500AA50\n:00000001FF\n";
	write_file("high.hex", high, sizeof high - 1);
	ck_assert_msg(fw_image_read_hex(path_of("high.hex"), &h, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(h.base, 0x00010000);
	ck_assert_uint_eq(h.size, 6);
	ck_assert_uint_eq(h.data[0], 0x11);
	ck_assert_uint_eq(h.data[4], 0xff);
	ck_assert_uint_eq(h.data[5], 0xaa);
	fw_image_free(&h);
	fw_image_free(&elf);
}
END_TEST

START_TEST(test_hex_damage_is_named_by_line)
{
	struct fw_image h;
	char err[256];
	static const struct {
		const char *text, *want;
	} CASES[] = {
		{":040000001122334453\n:00000001FF\n", "bad.hex:1: checksum error (record sums to 0x01, not 0)"},
		{":040000001122334452\n", "bad.hex: no end-of-file record (truncated?)"},
		{":040000001122334452\nxyz\n:00000001FF\n", "bad.hex:2: not an Intel HEX record"},
		{":04000000112233GGEE\n:00000001FF\n", "bad.hex:1: 'GG' is not a hex byte"},
		{":0500000011223344EE\n:00000001FF\n", "bad.hex:1: byte count 5 but the record holds 4"},
		{":04000006112233444C\n:00000001FF\n", "bad.hex:1: unknown record type 0x06"},
		{":00000001FF\n", "bad.hex: no data records: nothing to program"},
	};
	for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
		write_file("bad.hex", CASES[i].text, strlen(CASES[i].text));
		ck_assert_int_eq(fw_image_read_hex(path_of("bad.hex"), &h, err, sizeof err), -1);
		ck_assert_msg(strstr(err, CASES[i].want) != NULL, "case %zu: %s", i, err);
	}
	write_file("empty.bin", "", 0);
	ck_assert_int_eq(fw_image_read_bin(path_of("empty.bin"), 0, &h, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty: nothing to program"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fw_image");
	TCase *tc = tcase_create("fw_image");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sha256_fips_examples);
	tcase_add_test(tc, test_elf_flash_bytes_and_notes);
	tcase_add_test(tc, test_elf_damage_is_named);
	tcase_add_test(tc, test_hex_records_and_same_flash);
	tcase_add_test(tc, test_hex_damage_is_named_by_line);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
