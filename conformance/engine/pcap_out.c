/*
 * pcap_out.c - a failed scenario's exchange as a pcap file, for
 * `synack run --pcap-dir` (cli_run.c -> engine_write_pcap).
 *
 * The file holds the IPv4 datagrams as the runner injected and received
 * them (LINKTYPE_RAW; in an IPv6 run, as IPv6, ip6_xlate.c), stamped with the DUT clock in nanoseconds, so
 * tcpdump, tshark and scapy read it and two runs give the same bytes.
 * It is written through a sim_outfile (sim/outfile.h): a temporary file,
 * every record checked (pcap_dump() itself reports nothing), renamed into
 * place only after a clean flush, so a full disk or a signal never leaves
 * a capture cut short under its name.
 */
#define _DEFAULT_SOURCE /* libpcap's headers use the BSD u_int/u_char types */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "outfile.h"

int engine_write_pcap(const struct engine_result *r, const char *path, char *err, size_t errcap)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535, PCAP_TSTAMP_PRECISION_NANO);
	if (p == NULL) {
		snprintf(err, errcap, "%s: cannot open a pcap handle", path);
		return -1;
	}
	struct sim_outfile o;
	if (sim_outfile_open(&o, path, err, errcap) != 0) {
		pcap_close(p);
		return -1;
	}
	pcap_dumper_t *d = pcap_dump_fopen(p, o.f);
	if (d == NULL) {
		snprintf(err, errcap, "%s: cannot write capture: %s", path, pcap_geterr(p));
		sim_outfile_discard(&o);
		pcap_close(p);
		return -1;
	}
	bool ok = true;
	uint8_t *v6 = r->ipv6 ? malloc(DUT_MAX_SUPER_PKT + 64u) : NULL;
	for (size_t i = 0; i < r->n_log && ok; i++) {
		const uint8_t *data = r->log[i].data;
		size_t len = r->log[i].len;
		int k = v6 != NULL ? ip6_xlate_to6(&r->ip6, data, len, v6, DUT_MAX_SUPER_PKT + 64u) : -1;
		if (k > 0) {
			data = v6;
			len = (size_t)k;
		}
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof h);
		h.ts.tv_sec = (time_t)(r->log[i].t / 1000000000u);
		h.ts.tv_usec = (suseconds_t)(r->log[i].t % 1000000000u); /* ns: nano precision */
		h.caplen = h.len = (bpf_u_int32)len;
		errno = 0;
		pcap_dump((u_char *)d, &h, data);
		ok = sim_outfile_ok(&o);
	}
	free(v6);
	errno = 0;
	if (ok && pcap_dump_flush(d) != 0)
		ok = sim_outfile_ok(&o);
	/* Flush and fsync while the stream is ours; libpcap then closes it and
	 * the outfile only renames (or removes the temporary). */
	int rc = sim_outfile_sync(&o, err, errcap);
	pcap_dump_close(d);
	pcap_close(p);
	o.f = NULL;
	if (rc != 0 || !ok) {
		if (rc == 0)
			snprintf(err, errcap, "%s: write failed: %s", path, strerror(o.err_no ? o.err_no : EIO));
		sim_outfile_discard(&o);
		return -1;
	}
	return sim_outfile_commit(&o, err, errcap);
}
