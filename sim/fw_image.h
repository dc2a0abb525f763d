/*
 * fw_image.h - firmware image files as the tools that run, verify and flash
 * them see them: the bytes that end up in the MCU's flash, wherever they
 * come from, and their SHA-256.
 *
 *   ELF   (what the build links, simavr runs and `synack verify` checks):
 *         the PT_LOAD segments at their load (physical) addresses, .data's
 *         initial values included, plus the .synack_build note the
 *         firmware build embeds (firmware/build_info.cmake);
 *   HEX   (Intel HEX, what avrdude writes): the data records;
 *   BIN   (raw, what st-flash writes): the bytes from a base address.
 *
 * All three become one struct fw_image: a flash range [base, base+size)
 * with the bytes no file defines left at 0xFF (erased flash), so an ELF
 * and the HEX made from it by objcopy compare equal, and a record written
 * from the ELF can vouch for the HEX a programmer is given. Bad input
 * (truncated headers, segments outside the file, HEX checksum errors) is an
 * error naming the file and the place, never a crash.
 *
 * Used by sim/avr_host.c (loading an ELF into simavr) and by the CLI's
 * verify and flash verbs. Plain C, no libelf.
 */
#ifndef SIM_FW_IMAGE_H
#define SIM_FW_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FW_EM_AVR 83u  /* ELF e_machine */
#define FW_EM_ARM 40u
/* Largest file read (an ELF with debug info for a 64 KB part is < 1 MB). */
#define FW_IMAGE_MAX_FILE (64u * 1024u * 1024u)
/* Largest flash range (the biggest parts we know have 2 MB). */
#define FW_IMAGE_MAX_FLASH (4u * 1024u * 1024u)

#define FW_IMAGE_MAX_SEGS 16u

struct fw_image {
	uint16_t machine;   /* FW_EM_*; 0 for HEX and BIN (unknown) */
	uint32_t entry;     /* ELF entry point */
	uint32_t base;      /* lowest flash address defined */
	uint32_t size;      /* bytes from base to the highest defined byte + 1 */
	uint8_t *data;      /* size bytes; 0xFF where no segment/record is */
	char *build;        /* .synack_build text ("synack-build 1\ncommit ...\n"), or NULL */
	char *comment;      /* ELF: the first string of .comment (the compiler, "GCC: (GNU) 5.4.0"), or NULL */
	/* ELF only: the loaded segments, so a comparison knows the gaps. */
	struct {
		uint32_t addr, len;
	} seg[FW_IMAGE_MAX_SEGS];
	unsigned nseg;
};

/* Read an ELF32 little-endian executable. For AVR, only segments below the
 * data space (0x800000) are flash; the others (RAM, EEPROM at 0x810000,
 * fuses) are left out. Returns 0, or -1 with "FILE: why" in err. */
int fw_image_read_elf(const char *path, struct fw_image *img, char *err, size_t errcap);
/* Read an Intel HEX file (record types 00, 01, 02, 03, 04, 05). */
int fw_image_read_hex(const char *path, struct fw_image *img, char *err, size_t errcap);
/* Read a raw binary loaded at `base`. */
int fw_image_read_bin(const char *path, uint32_t base, struct fw_image *img, char *err, size_t errcap);
/* By file name: ".elf", ".hex"/".ihex", ".bin"; `bin_base` for a .bin. */
int fw_image_read(const char *path, uint32_t bin_base, struct fw_image *img, char *err, size_t errcap);
void fw_image_free(struct fw_image *img);

/* Whether two images program the same flash bytes: the same defined range
 * after trailing 0xFF is ignored, byte for byte. A BIN from objcopy fills
 * gaps between segments with 0x00 where an ELF leaves 0xFF: with
 * `gaps_either` set, a byte that is 0xFF in one and 0x00 in the other
 * counts as equal when it lies in a gap of the ELF (a). */
bool fw_image_same_flash(const struct fw_image *a, const struct fw_image *b, bool gaps_either);

/* A "key value" line of the .synack_build note into out ("" if absent);
 * returns true when found. */
bool fw_image_build_field(const struct fw_image *img, const char *key, char *out, size_t cap);

/* SHA-256 (FIPS 180-4). */
struct fw_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t fill;
};
void fw_sha256_init(struct fw_sha256 *c);
void fw_sha256_update(struct fw_sha256 *c, const void *p, size_t n);
void fw_sha256_final(struct fw_sha256 *c, uint8_t out[32]);
/* Lower-case hex of the digest of p[0..n), NUL-terminated. */
void fw_sha256_hex(const void *p, size_t n, char hex[65]);
/* The digest of a whole file. Returns 0, or -1 with "FILE: why". */
int fw_sha256_file(const char *path, char hex[65], char *err, size_t errcap);

#ifdef __cplusplus
}
#endif
#endif /* SIM_FW_IMAGE_H */
