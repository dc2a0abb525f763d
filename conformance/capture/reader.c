/*
 * reader.c - capture files through libpcap (pcap and pcapng, microsecond
 * or nanosecond timestamps, read at nanosecond precision), one numbered
 * frame at a time, decoded by decode.c.
 *
 * libpcap does the reading. Two checks are added around it:
 *   - the link type must be one decode.c knows (else "frame 1: link type
 *     147 (USER0) is not supported");
 *   - pcapng blocks libpcap skips silently: the pcapng specification lets
 *     a reader skip block types it does not know, but a block we cannot
 *     read may be a packet we would then never explain. So every block
 *     between two records is looked at (by offset, with pread on the same
 *     file; libpcap's stream position says where each record ended), and
 *     one of a type not in the registry is an error naming the frame it
 *     precedes. Known non-packet blocks (interface statistics, name
 *     resolution, decryption secrets, journal export, custom) are skipped.
 * Standard input cannot be re-read, so "-" gets libpcap's reading only.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_BOM 0x1A2B3C4Du
#define PCAP_MAGIC_US 0xA1B2C3D4u
#define PCAP_MAGIC_NS 0xA1B23C4Du

struct cap_reader {
	pcap_t *p;
	int dlt;
	char *path;
	uint64_t frame;
	bool pcapng, nano;
	int fd;                 /* our own descriptor for the block check; -1 = none */
	long pos;               /* where libpcap's stream stood after the last record */
	bool swapped;           /* the current pcapng section is byte-swapped */
};

static uint32_t rd32(const uint8_t *b, bool swapped)
{
	uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	if (swapped)
		v = (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
	return v;
}

static const char *block_name(uint32_t t)
{
	switch (t) {
	case PCAPNG_SHB:
		return "section header";
	case 0x00000001u:
		return "interface description";
	case 0x00000002u:
		return "packet (obsolete)";
	case 0x00000003u:
		return "simple packet";
	case 0x00000004u:
		return "name resolution";
	case 0x00000005u:
		return "interface statistics";
	case 0x00000006u:
		return "enhanced packet";
	case 0x00000009u:
		return "systemd journal export";
	case 0x0000000Au:
		return "decryption secrets";
	case 0x00000BADu:
	case 0x40000BADu:
		return "custom";
	default:
		return NULL;
	}
}

static void set_err(struct cap_error *err, uint64_t frame, const struct cap_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_err(struct cap_error *err, uint64_t frame, const struct cap_reader *r, const char *fmt, ...)
{
	int n = snprintf(err->msg, sizeof err->msg, "%s: ", r ? r->path : "?");
	err->frame = frame;
	if (n < 0 || (size_t)n >= sizeof err->msg)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Walks the pcapng blocks in [from, to) and fails on an unknown type.
 * `next_frame` is the frame the blocks precede (for the message). */
static int check_blocks(struct cap_reader *r, long from, long to, uint64_t next_frame, struct cap_error *err)
{
	uint8_t h[12];
	long o = from;
	while (o + 12 <= to) {
		if (pread(r->fd, h, sizeof h, o) != (ssize_t)sizeof h)
			return 0; /* libpcap read it; we could not: leave it to libpcap */
		uint32_t type = rd32(h, false);
		if (type == PCAPNG_SHB) {
			uint32_t bom = rd32(h + 8, false);
			r->swapped = bom != PCAPNG_BOM;
		} else if (r->swapped) {
			type = rd32(h, true);
		}
		uint32_t len = rd32(h + 4, r->swapped);
		if (block_name(type) == NULL) {
			/* At the end of a file without frames it is where frame 1
			 * would be: there is no frame 0 to be after. */
			bool before = next_frame != 0 || r->frame == 0;
			uint64_t at = next_frame ? next_frame : r->frame ? r->frame : 1u;
			set_err(err, at, r,
				"%s frame %llu: pcapng block of unknown type 0x%08x (%u bytes at file offset %ld); "
				"synack does not skip blocks it cannot read",
				before ? "before" : "after", (unsigned long long)at, type, len, o);
			return -1;
		}
		if (len < 12 || len % 4 != 0)
			return 0; /* libpcap reports a bad length itself */
		o += (long)len;
	}
	return 0;
}

static const char *dlt_desc(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
		return "Ethernet (1)";
	case DLT_LINUX_SLL:
		return "Linux cooked v1 (113)";
	case DLT_LINUX_SLL2:
		return "Linux cooked v2 (276)";
	case DLT_RAW:
		return "raw IP (101)";
	case DLT_IPV4:
		return "raw IPv4 (228)";
	case DLT_IPV6:
		return "raw IPv6 (229)";
	case DLT_NULL:
		return "BSD loopback (0)";
	case DLT_LOOP:
		return "OpenBSD loopback (108)";
	default:
		return NULL;
	}
}

int cap_open(struct cap_reader **out, const char *path, struct cap_error *err)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	struct cap_reader *r = calloc(1, sizeof *r);
	*out = NULL;
	memset(err, 0, sizeof *err);
	if (r == NULL || (r->path = strdup(path)) == NULL) {
		free(r);
		snprintf(err->msg, sizeof err->msg, "%s: out of memory", path);
		return -1;
	}
	r->fd = -1;
	struct stat st;
	if (strcmp(path, "-") != 0) {
		if (stat(path, &st) != 0) {
			set_err(err, 0, r, "cannot open: %s", strerror(errno));
			cap_close(r);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			set_err(err, 0, r, "is a directory, not a capture file");
			cap_close(r);
			return -1;
		}
	}
	r->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (r->p == NULL) {
		/* libpcap says "truncated dump file; tried to read 24 file header
		 * bytes, only got 10" or "unknown file format". */
		set_err(err, 0, r, "before frame 1: cannot read the file header: %s", eb);
		cap_close(r);
		return -1;
	}
	r->dlt = pcap_datalink(r->p);
	if (dlt_desc(r->dlt) == NULL) {
		const char *name = pcap_datalink_val_to_name(r->dlt);
		set_err(err, 1, r,
			"frame 1: link type %d (%s) is not supported; supported: Ethernet (1), Linux cooked v1 (113) "
			"and v2 (276), raw IP (101, 12, 228, 229), BSD loopback (0, 108)",
			r->dlt, name ? name : "unknown");
		cap_close(r);
		return -1;
	}
	if (strcmp(path, "-") != 0 && S_ISREG(st.st_mode)) {
		uint8_t magic[4];
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd >= 0 && pread(r->fd, magic, 4, 0) == 4) {
			uint32_t m = rd32(magic, false);
			r->pcapng = m == PCAPNG_SHB;
			r->nano = m == PCAP_MAGIC_NS || rd32(magic, true) == PCAP_MAGIC_NS;
		}
		r->pos = 0;
	}
	if (r->pcapng)
		r->nano = true; /* if_tsresol is per interface; libpcap converts it */
	*out = r;
	return 0;
}

int cap_next(struct cap_reader *r, struct cap_pkt *p, struct cap_error *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(r->p, &h, &data);
	uint64_t frame = r->frame + 1;
	if (r->pcapng && r->fd >= 0) {
		FILE *f = pcap_file(r->p);
		long now = f ? ftell(f) : -1;
		if (now >= 0) {
			long until = now;
			if (rc == PCAP_ERROR_BREAK) {
				struct stat st;
				until = fstat(r->fd, &st) == 0 ? (long)st.st_size : now;
			}
			if (check_blocks(r, r->pos, until, rc == 1 ? frame : 0, err) != 0)
				return -1;
			r->pos = now;
		}
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		set_err(err, frame, r, "frame %llu: %s", (unsigned long long)frame, pcap_geterr(r->p));
		return -1;
	}
	r->frame = frame;
	p->frame = frame;
	p->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
	struct cap_error de;
	memset(&de, 0, sizeof de);
	if (cap_decode(r->dlt, data, h->caplen, h->len, p, &de) != 0) {
		set_err(err, frame, r, "frame %llu: %s", (unsigned long long)frame, de.msg);
		return -1;
	}
	return 1;
}

void cap_close(struct cap_reader *r)
{
	if (r == NULL)
		return;
	if (r->p)
		pcap_close(r->p);
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	free(r);
}

const char *cap_linktype_desc(const struct cap_reader *r)
{
	const char *d = dlt_desc(r->dlt);
	return d ? d : "unknown";
}

int cap_linktype(const struct cap_reader *r)
{
	return r->dlt;
}

const char *cap_format(const struct cap_reader *r)
{
	return r->pcapng ? "pcapng" : "pcap";
}

bool cap_file_nanoseconds(const struct cap_reader *r)
{
	return r->nano;
}

const char *cap_path(const struct cap_reader *r)
{
	return r->path;
}
