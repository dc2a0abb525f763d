/*
 * pcap_tap.h - a capture of everything on a link, written with libpcap.
 *
 * Attach a struct sim_pcap to a link with sim_pcap_attach(): every frame is
 * recorded once, as sent, stamped with the virtual time its first bit went
 * on the wire, in a nanosecond-resolution pcap (DLT_EN10MB). The 4-byte FCS
 * that frames carry on the link is stripped, so tcpdump, tshark and scapy
 * decode the capture as they would one from a Linux interface.
 *
 * Same seed, same inputs: a byte-identical file (pcap file headers carry no
 * wall time). The file is complete or absent (outfile.h).
 */
#ifndef SIM_PCAP_TAP_H
#define SIM_PCAP_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link.h"
#include "outfile.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_PCAP_SNAPLEN 65535

struct sim_pcap {
	void *pcap;          /* pcap_t * (dead handle) */
	void *dumper;        /* pcap_dumper_t * */
	uint64_t frames;     /* records written (none after a write error) */
	uint64_t bytes;
	uint64_t short_frames; /* shorter than the FCS: written as they are */
	bool strip_fcs;
	bool failed;         /* a write failed; nothing more is written */
	int write_errno;     /* the errno of the first failed write */
	char path[256];      /* for messages (truncated if longer) */
	struct sim_outfile out; /* temporary file, renamed at a clean close */
};

/* Open path for writing: a temporary file next to it, renamed over it by a
 * clean sim_pcap_close() (a device such as /dev/null is written in place).
 * On failure returns -1 and writes a message for people ("x.pcap: cannot
 * create: Permission denied") into err. */
int sim_pcap_open(struct sim_pcap *c, const char *path, char *err, size_t errcap);
/* Record every frame on link l. Returns 0, or -1 if the link has no tap
 * slot left. */
int sim_pcap_attach(struct sim_pcap *c, struct sim_link *l);
/* Write one frame (with FCS when strip_fcs) at virtual time t_ns. Every
 * write is checked: after the first failure (a full disk) the capture
 * stops, `failed` is set and sim_pcap_close() reports it. */
void sim_pcap_write(struct sim_pcap *c, const uint8_t *frame, size_t len, uint64_t t_ns);
/* Flush, close and rename into place. Returns 0, or -1 with err naming the
 * file ("x.pcap: write failed: No space left on device") if any write, the
 * flush or the rename failed; the file is then absent (an older file of
 * that name is left as it was). Safe on a capture that never opened. */
int sim_pcap_close(struct sim_pcap *c, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif
#endif /* SIM_PCAP_TAP_H */
