/*
 * pcap_tap.c - the link capture (see pcap_tap.h).
 *
 * libpcap writes the file: pcap_open_dead_with_tstamp_precision() gives a
 * handle with DLT_EN10MB and nanosecond precision (magic 0xa1b23c4d), and
 * pcap_dump() writes records whose ts.tv_usec field then holds nanoseconds.
 * The link calls tap() at each frame's start time, so records come out in
 * non-decreasing time order.
 *
 * pcap_dump() returns nothing, so each record is checked through the
 * stream's error flag (ferror on pcap_dump_file()), and the flush at the
 * end through pcap_dump_flush(): a full disk ends the capture at the
 * first failed write and sim_pcap_close() names the file and the reason.
 * The stream is a sim_outfile (outfile.h), so the capture appears under its
 * name only when complete; after a failure or a signal no part of it does.
 */
/* libpcap's headers use the BSD u_int/u_char types. */
#define _DEFAULT_SOURCE

#include "pcap_tap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#define FCS_LEN 4u

int sim_pcap_open(struct sim_pcap *c, const char *path, char *err, size_t errcap)
{
	memset(c, 0, sizeof *c);
	c->strip_fcs = true;
	snprintf(c->path, sizeof c->path, "%s", path);
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, SIM_PCAP_SNAPLEN,
							 PCAP_TSTAMP_PRECISION_NANO);
	if (p == NULL) {
		snprintf(err, errcap, "cannot create a pcap handle (out of memory)");
		return -1;
	}
	/* The message names the file: "x.pcap: cannot create: ...". */
	if (sim_outfile_open(&c->out, path, err, errcap) != 0) {
		pcap_close(p);
		return -1;
	}
	pcap_dumper_t *d = pcap_dump_fopen(p, c->out.f);
	if (d == NULL) {
		snprintf(err, errcap, "%s: cannot write capture: %s", path, pcap_geterr(p));
		sim_outfile_discard(&c->out);
		pcap_close(p);
		return -1;
	}
	c->pcap = p;
	c->dumper = d;
	return 0;
}

static void tap(void *ctx, const uint8_t *frame, size_t len, uint64_t start, unsigned port)
{
	(void)port;
	sim_pcap_write(ctx, frame, len, start);
}

int sim_pcap_attach(struct sim_pcap *c, struct sim_link *l)
{
	return sim_link_add_tap(l, tap, c);
}

/* Records the first write error: the stream's errno is the one left by the
 * fwrite/fflush that failed, read before anything else can change it. */
static void note_error(struct sim_pcap *c, int e)
{
	if (!c->failed)
		c->write_errno = e ? e : EIO;
	c->failed = true;
}

void sim_pcap_write(struct sim_pcap *c, const uint8_t *frame, size_t len, uint64_t t_ns)
{
	if (c->dumper == NULL || c->failed)
		return;
	if (c->strip_fcs) {
		if (len >= FCS_LEN)
			len -= FCS_LEN;
		else
			c->short_frames++;
	}
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	h.ts.tv_sec = (time_t)(t_ns / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(t_ns % 1000000000u); /* ns: nano precision */
	h.caplen = (bpf_u_int32)(len > SIM_PCAP_SNAPLEN ? SIM_PCAP_SNAPLEN : len);
	h.len = (bpf_u_int32)len;
	errno = 0;
	pcap_dump((u_char *)c->dumper, &h, frame);
	if (ferror(pcap_dump_file(c->dumper))) {
		note_error(c, errno);
		return;
	}
	c->frames++;
	c->bytes += len;
}

int sim_pcap_close(struct sim_pcap *c, char *err, size_t errcap)
{
	int rc = 0;
	char buf[320];
	if (c->dumper) {
		pcap_dumper_t *d = c->dumper;
		errno = 0;
		if (!c->failed && (pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d))))
			note_error(c, errno);
		if (!c->failed && sim_outfile_sync(&c->out, buf, sizeof buf) != 0) {
			c->failed = true;
			c->write_errno = 0;
		} else if (c->failed) {
			snprintf(buf, sizeof buf, "%s: write failed: %s", c->path, strerror(c->write_errno));
		}
		/* libpcap closes the stream; the outfile then only renames (or
		 * removes the temporary after a failure). */
		pcap_dump_close(d);
		c->out.f = NULL;
		if (c->failed) {
			sim_outfile_discard(&c->out);
			rc = -1;
		} else if (sim_outfile_commit(&c->out, buf, sizeof buf) != 0) {
			rc = -1;
		}
		if (rc != 0 && err)
			snprintf(err, errcap, "%s", buf);
	}
	if (c->pcap)
		pcap_close(c->pcap);
	c->dumper = NULL;
	c->pcap = NULL;
	return rc;
}
