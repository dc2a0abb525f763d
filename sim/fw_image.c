/*
 * fw_image.c - firmware image files (fw_image.h): ELF32 program headers,
 * Intel HEX records and raw binaries into one flash range, and SHA-256.
 *
 *   fw_image_read -> read_file -> parse_elf | parse_hex | bin -> place()
 *
 * Every offset and length read from a file is checked against the file's
 * size before it is used; a malformed file is an error with the reason.
 */
#define _POSIX_C_SOURCE 200809L
#include "fw_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AVR_DATA_SPACE 0x800000u /* avr-gcc's RAM/EEPROM/fuse address offsets start here */

/* ---- files ---- */

static int read_file(const char *path, uint8_t **out, size_t *len, char *err, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf != NULL) {
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
		if (n == cap) {
			if (cap >= FW_IMAGE_MAX_FILE) {
				snprintf(err, errcap, "%s: larger than %u bytes: not a firmware image", path,
					 FW_IMAGE_MAX_FILE);
				free(buf);
				fclose(f);
				return -1;
			}
			uint8_t *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	bool bad = buf == NULL || ferror(f);
	int e = errno;
	fclose(f);
	if (bad) {
		snprintf(err, errcap, "%s: %s", path, buf == NULL ? "out of memory" : strerror(e));
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Puts n bytes at addr into img, growing its range (gaps 0xFF). */
static int place(struct fw_image *img, uint32_t addr, const uint8_t *p, uint32_t n, const char *path, char *err,
		 size_t errcap)
{
	if (n == 0)
		return 0;
	uint64_t end = (uint64_t)addr + n;
	uint32_t lo = img->data ? img->base : addr;
	uint64_t hi = img->data ? (uint64_t)img->base + img->size : end;
	if (addr < lo)
		lo = addr;
	if (end > hi)
		hi = end;
	if (hi - lo > FW_IMAGE_MAX_FLASH) {
		snprintf(err, errcap, "%s: the image spans 0x%08x..0x%08llx, more than %u bytes of flash", path, lo,
			 (unsigned long long)hi, FW_IMAGE_MAX_FLASH);
		return -1;
	}
	if (img->data == NULL || lo != img->base || hi != (uint64_t)img->base + img->size) {
		uint8_t *nd = malloc((size_t)(hi - lo));
		if (nd == NULL) {
			snprintf(err, errcap, "%s: out of memory", path);
			return -1;
		}
		memset(nd, 0xFF, (size_t)(hi - lo));
		if (img->data)
			memcpy(nd + (img->base - lo), img->data, img->size);
		free(img->data);
		img->data = nd;
		img->base = lo;
		img->size = (uint32_t)(hi - lo);
	}
	memcpy(img->data + (addr - img->base), p, n);
	return 0;
}

/* ---- ELF32 ---- */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* A copy of a section's bytes as a string (cut at its first NUL). */
static char *section_text(const uint8_t *f, uint32_t off, uint32_t size)
{
	char *t = malloc((size_t)size + 1);
	if (t != NULL) {
		memcpy(t, f + off, size);
		t[size] = '\0';
	}
	return t;
}

/* The .synack_build and .comment sections' text, if the ELF has them. */
static int build_note(const uint8_t *f, size_t len, struct fw_image *img, const char *path, char *err,
		      size_t errcap)
{
	uint32_t shoff = le32(f + 32);
	uint16_t shentsize = le16(f + 46), shnum = le16(f + 48), shstrndx = le16(f + 50);
	if (shoff == 0 || shnum == 0)
		return 0;
	if (shentsize < 40 || shstrndx >= shnum || (uint64_t)shoff + (uint64_t)shnum * shentsize > len) {
		snprintf(err, errcap, "%s: section headers lie outside the file", path);
		return -1;
	}
	const uint8_t *strh = f + shoff + (size_t)shstrndx * shentsize;
	uint32_t stroff = le32(strh + 16), strsize = le32(strh + 20);
	if ((uint64_t)stroff + strsize > len) {
		snprintf(err, errcap, "%s: the section name table lies outside the file", path);
		return -1;
	}
	for (uint16_t i = 0; i < shnum; i++) {
		const uint8_t *sh = f + shoff + (size_t)i * shentsize;
		uint32_t name = le32(sh), off = le32(sh + 16), size = le32(sh + 20);
		char **dst = NULL;
		const char *n = (const char *)f + stroff + name;
		if (name >= strsize || memchr(n, '\0', strsize - name) == NULL)
			continue;
		if (strcmp(n, ".synack_build") == 0)
			dst = &img->build;
		else if (strcmp(n, ".comment") == 0)
			dst = &img->comment;
		if (dst == NULL || *dst != NULL)
			continue;
		if ((uint64_t)off + size > len || size > 4096) {
			snprintf(err, errcap, "%s: the %s section lies outside the file", path, n);
			return -1;
		}
		if ((*dst = section_text(f, off, size)) == NULL) {
			snprintf(err, errcap, "%s: out of memory", path);
			return -1;
		}
	}
	return 0;
}

static int parse_elf(const uint8_t *f, size_t len, struct fw_image *img, const char *path, char *err,
		     size_t errcap)
{
	if (len < 52 || memcmp(f, "\177ELF", 4) != 0) {
		snprintf(err, errcap, "%s: not an ELF file", path);
		return -1;
	}
	if (f[4] != 1 || f[5] != 1) {
		snprintf(err, errcap, "%s: not a 32-bit little-endian ELF (class %u, data %u)", path, f[4], f[5]);
		return -1;
	}
	if (le16(f + 16) != 2) {
		snprintf(err, errcap, "%s: not an executable (ELF type %u)", path, le16(f + 16));
		return -1;
	}
	img->machine = le16(f + 18);
	img->entry = le32(f + 24);
	uint32_t phoff = le32(f + 28);
	uint16_t phentsize = le16(f + 42), phnum = le16(f + 44);
	if (phnum == 0 || phentsize < 32 || (uint64_t)phoff + (uint64_t)phnum * phentsize > len) {
		snprintf(err, errcap, "%s: program headers missing or outside the file", path);
		return -1;
	}
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + (size_t)i * phentsize;
		uint32_t type = le32(ph), off = le32(ph + 4), paddr = le32(ph + 12), filesz = le32(ph + 16);
		if (type != 1 || filesz == 0) /* PT_LOAD with bytes to program */
			continue;
		if (img->machine == FW_EM_AVR && paddr >= AVR_DATA_SPACE)
			continue; /* EEPROM, fuses, lock bits: not flash */
		if ((uint64_t)off + filesz > len) {
			snprintf(err, errcap, "%s: segment %u (0x%x bytes at file offset 0x%x) lies outside the file",
				 path, i, filesz, off);
			return -1;
		}
		if (img->nseg == FW_IMAGE_MAX_SEGS) {
			snprintf(err, errcap, "%s: more than %u loadable segments", path, FW_IMAGE_MAX_SEGS);
			return -1;
		}
		img->seg[img->nseg].addr = paddr;
		img->seg[img->nseg].len = filesz;
		img->nseg++;
		if (place(img, paddr, f + off, filesz, path, err, errcap) != 0)
			return -1;
	}
	if (img->data == NULL) {
		snprintf(err, errcap, "%s: no loadable segment: nothing to program", path);
		return -1;
	}
	return build_note(f, len, img, path, err, errcap);
}

/* ---- Intel HEX ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex(const uint8_t *f, size_t len, struct fw_image *img, const char *path, char *err,
		     size_t errcap)
{
	uint32_t upper = 0; /* from type 02 (segment << 4) or 04 (linear << 16) */
	bool eof = false;
	unsigned line = 0;
	size_t i = 0;
	while (i < len && !eof) {
		line++;
		size_t start = i;
		while (i < len && f[i] != '\n')
			i++;
		size_t end = i;
		if (i < len)
			i++;
		while (end > start && (f[end - 1] == '\r' || f[end - 1] == ' ' || f[end - 1] == '\t'))
			end--;
		if (end == start)
			continue;
		const uint8_t *r = f + start;
		size_t n = end - start;
		if (r[0] != ':' || n < 11 || (n - 1) % 2 != 0) {
			snprintf(err, errcap, "%s:%u: not an Intel HEX record", path, line);
			return -1;
		}
		uint8_t rec[260];
		size_t k = (n - 1) / 2;
		if (k > sizeof rec) {
			snprintf(err, errcap, "%s:%u: record longer than 255 data bytes", path, line);
			return -1;
		}
		for (size_t j = 0; j < k; j++) {
			int hi = hexval(r[1 + 2 * j]), lo = hexval(r[2 + 2 * j]);
			if (hi < 0 || lo < 0) {
				snprintf(err, errcap, "%s:%u: '%c%c' is not a hex byte", path, line, r[1 + 2 * j],
					 r[2 + 2 * j]);
				return -1;
			}
			rec[j] = (uint8_t)(hi << 4 | lo);
		}
		uint8_t count = rec[0], type = rec[3], sum = 0;
		if (k != (size_t)count + 5) {
			snprintf(err, errcap, "%s:%u: byte count %u but the record holds %zu", path, line, count,
				 k >= 5 ? k - 5 : 0);
			return -1;
		}
		for (size_t j = 0; j < k; j++)
			sum = (uint8_t)(sum + rec[j]);
		if (sum != 0) {
			snprintf(err, errcap, "%s:%u: checksum error (record sums to 0x%02x, not 0)", path, line, sum);
			return -1;
		}
		uint16_t off = (uint16_t)(rec[1] << 8 | rec[2]);
		switch (type) {
		case 0x00:
			if (place(img, upper + off, rec + 4, count, path, err, errcap) != 0)
				return -1;
			break;
		case 0x01:
			eof = true;
			break;
		case 0x02:
		case 0x04:
			if (count != 2) {
				snprintf(err, errcap, "%s:%u: an address record needs 2 bytes, has %u", path, line, count);
				return -1;
			}
			upper = type == 0x02 ? (uint32_t)(rec[4] << 8 | rec[5]) << 4 : (uint32_t)(rec[4] << 8 | rec[5]) << 16;
			break;
		case 0x03:
		case 0x05:
			break; /* start address: nothing to program */
		default:
			snprintf(err, errcap, "%s:%u: unknown record type 0x%02x", path, line, type);
			return -1;
		}
	}
	if (!eof) {
		snprintf(err, errcap, "%s: no end-of-file record (truncated?)", path);
		return -1;
	}
	if (img->data == NULL) {
		snprintf(err, errcap, "%s: no data records: nothing to program", path);
		return -1;
	}
	return 0;
}

/* ---- entry points ---- */

static int read_kind(const char *path, int kind, uint32_t bin_base, struct fw_image *img, char *err,
		     size_t errcap)
{
	uint8_t *f;
	size_t len;
	memset(img, 0, sizeof *img);
	if (read_file(path, &f, &len, err, errcap) != 0)
		return -1;
	int rc;
	if (kind == 'e') {
		rc = parse_elf(f, len, img, path, err, errcap);
	} else if (kind == 'h') {
		rc = parse_hex(f, len, img, path, err, errcap);
	} else if (len == 0) {
		snprintf(err, errcap, "%s: empty: nothing to program", path);
		rc = -1;
	} else if (len > FW_IMAGE_MAX_FLASH) {
		snprintf(err, errcap, "%s: %zu bytes, more than %u bytes of flash", path, len, FW_IMAGE_MAX_FLASH);
		rc = -1;
	} else {
		rc = place(img, bin_base, f, (uint32_t)len, path, err, errcap);
	}
	free(f);
	if (rc != 0)
		fw_image_free(img);
	return rc;
}

int fw_image_read_elf(const char *path, struct fw_image *img, char *err, size_t errcap)
{
	return read_kind(path, 'e', 0, img, err, errcap);
}

int fw_image_read_hex(const char *path, struct fw_image *img, char *err, size_t errcap)
{
	return read_kind(path, 'h', 0, img, err, errcap);
}

int fw_image_read_bin(const char *path, uint32_t base, struct fw_image *img, char *err, size_t errcap)
{
	return read_kind(path, 'b', base, img, err, errcap);
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

int fw_image_read(const char *path, uint32_t bin_base, struct fw_image *img, char *err, size_t errcap)
{
	if (ends_with(path, ".elf"))
		return fw_image_read_elf(path, img, err, errcap);
	if (ends_with(path, ".hex") || ends_with(path, ".ihex"))
		return fw_image_read_hex(path, img, err, errcap);
	if (ends_with(path, ".bin"))
		return fw_image_read_bin(path, bin_base, img, err, errcap);
	memset(img, 0, sizeof *img);
	snprintf(err, errcap, "%s: expected a .elf, .hex or .bin file", path);
	return -1;
}

void fw_image_free(struct fw_image *img)
{
	free(img->data);
	free(img->build);
	free(img->comment);
	memset(img, 0, sizeof *img);
}

static bool in_segment(const struct fw_image *a, uint32_t addr)
{
	for (unsigned i = 0; i < a->nseg; i++)
		if (addr >= a->seg[i].addr && addr - a->seg[i].addr < a->seg[i].len)
			return true;
	return false;
}

static uint8_t byte_at(const struct fw_image *x, uint32_t addr)
{
	return addr >= x->base && addr - x->base < x->size ? x->data[addr - x->base] : 0xFF;
}

bool fw_image_same_flash(const struct fw_image *a, const struct fw_image *b, bool gaps_either)
{
	if (a->data == NULL || b->data == NULL)
		return false;
	uint32_t lo = a->base < b->base ? a->base : b->base;
	uint64_t ea = (uint64_t)a->base + a->size, eb = (uint64_t)b->base + b->size;
	uint64_t hi = ea > eb ? ea : eb;
	for (uint64_t addr = lo; addr < hi; addr++) {
		uint8_t x = byte_at(a, (uint32_t)addr), y = byte_at(b, (uint32_t)addr);
		if (x == y)
			continue;
		if (gaps_either && a->nseg > 0 && !in_segment(a, (uint32_t)addr) && (x == 0x00 || x == 0xFF) &&
		    (y == 0x00 || y == 0xFF))
			continue;
		return false;
	}
	return true;
}

bool fw_image_build_field(const struct fw_image *img, const char *key, char *out, size_t cap)
{
	size_t k = strlen(key);
	out[0] = '\0';
	for (const char *p = img->build; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > k && strncmp(p, key, k) == 0 && p[k] == ' ') {
			size_t v = n - k - 1;
			if (v >= cap)
				v = cap - 1;
			memcpy(out, p + k + 1, v);
			out[v] = '\0';
			return true;
		}
		p += n + (nl ? 1 : 0);
	}
	return false;
}

/* ---- SHA-256 (FIPS 180-4 §6.2) ---- */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32u - n));
}

static void block(struct fw_sha256 *c, const uint8_t *p)
{
	uint32_t w[64], v[8];
	for (unsigned i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (unsigned i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, c->h, sizeof v);
	for (unsigned i = 0; i < 64; i++) {
		uint32_t s1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + s1 + ch + K[i] + w[i];
		uint32_t s0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		uint32_t t2 = s0 + maj;
		memmove(v + 1, v, 7 * sizeof v[0]);
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (unsigned i = 0; i < 8; i++)
		c->h[i] += v[i];
}

void fw_sha256_init(struct fw_sha256 *c)
{
	static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, H0, sizeof H0);
	c->len = 0;
	c->fill = 0;
}

void fw_sha256_update(struct fw_sha256 *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	c->len += n;
	while (n > 0) {
		size_t k = 64 - c->fill < n ? 64 - c->fill : n;
		memcpy(c->buf + c->fill, p, k);
		c->fill += k;
		p += k;
		n -= k;
		if (c->fill == 64) {
			block(c, c->buf);
			c->fill = 0;
		}
	}
}

void fw_sha256_final(struct fw_sha256 *c, uint8_t out[32])
{
	uint64_t bits = c->len * 8u;
	uint8_t pad = 0x80;
	fw_sha256_update(c, &pad, 1);
	pad = 0;
	while (c->fill != 56)
		fw_sha256_update(c, &pad, 1);
	uint8_t l[8];
	for (unsigned i = 0; i < 8; i++)
		l[i] = (uint8_t)(bits >> (56 - 8 * i));
	fw_sha256_update(c, l, 8);
	for (unsigned i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

static void to_hex(const uint8_t d[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

void fw_sha256_hex(const void *p, size_t n, char hex[65])
{
	struct fw_sha256 c;
	uint8_t d[32];
	fw_sha256_init(&c);
	fw_sha256_update(&c, p, n);
	fw_sha256_final(&c, d);
	to_hex(d, hex);
}

int fw_sha256_file(const char *path, char hex[65], char *err, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct fw_sha256 c;
	uint8_t buf[65536], d[32];
	size_t k;
	fw_sha256_init(&c);
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		fw_sha256_update(&c, buf, k);
	bool bad = ferror(f);
	int e = errno;
	fclose(f);
	if (bad) {
		snprintf(err, errcap, "%s: %s", path, strerror(e));
		return -1;
	}
	fw_sha256_final(&c, d);
	to_hex(d, hex);
	return 0;
}
