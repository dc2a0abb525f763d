/*
 * fuzz_capture.c - a capture file through the reader (libpcap, the link
 * and IP/TCP decoding of conformance/capture/) and `explain` (the passive
 * observer with its text, JSON and HTML reports), then through
 * pcap2script's builder. The input is the whole file, pcap or pcapng; it
 * is handed over as a memory file (memfd) so the reader opens it by path
 * as the CLI does.
 *
 * Checked: every error names the frame ("frame N: ..." or "before/after
 * frame N"); pcap2script says why it cannot build; frames are numbered 1, 2, 3 ... in order; a decoded TCP
 * segment lies within its record; a script pcap2script builds parses.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"
#include "explain.h"
#include "fuzz.h"
#include "report.h"
#include "script.h"
#include "to_script.h"

static void check_err(const struct cap_error *e)
{
	FUZZ_CHECK(strstr(e->msg, "frame ") != NULL || strstr(e->msg, "cannot open") != NULL, "error without a place: '%s'",
		   e->msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64], html[256];
	static FILE *sink;
	if (fd < 0) {
		fd = memfd_create("capture", 0);
		FUZZ_CHECK(fd >= 0, "memfd_create");
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		/* The page is written as the CLI writes it (temporary file,
		 * fsync, rename): on tmpfs, where fsync costs nothing. */
		const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
		snprintf(html, sizeof html, "%s/synack-fuzz-%d.html", tmp ? tmp : "/tmp", (int)getpid());
		sink = fopen("/dev/null", "w");
		FUZZ_CHECK(sink != NULL, "/dev/null");
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "memfd write");

	struct cap_reader *r;
	struct cap_error err;
	if (cap_open(&r, path, &err) != 0) {
		check_err(&err);
		return 0;
	}
	struct report_file rf = {"in.pcap", cap_format(r), cap_linktype_desc(r), cap_file_nanoseconds(r), 0, false};
	struct cap_pkt p;
	memset(&p, 0, sizeof p);
	int rc = cap_next(r, &p, &err);
	if (rc == 1) {
		rf.t0_ns = p.ts_ns;
		rf.have_t0 = true;
	}
	struct report_fanout fan;
	memset(&fan, 0, sizeof fan);
	struct report_text *rt = report_text_new(sink, &rf);
	struct report_json *rj = report_json_new(sink, &rf);
	struct report_html *rh = report_html_new(&rf);
	FUZZ_CHECK(rt && rj && rh, "out of memory");
	fan.sink[0] = report_text_sink();
	fan.ctx[0] = rt;
	fan.sink[1] = report_json_sink();
	fan.ctx[1] = rj;
	fan.sink[2] = report_html_sink();
	fan.ctx[2] = rh;
	fan.n = 3;
	struct explain *x = xp_new(report_fanout_sink(), &fan);
	FUZZ_CHECK(x != NULL, "out of memory");
	uint64_t expect = 1;
	while (rc == 1) {
		FUZZ_CHECK(p.frame == expect, "frame %llu where %llu was next", (unsigned long long)p.frame,
			   (unsigned long long)expect);
		expect++;
		if (p.kind == CAP_TCP) {
			FUZZ_CHECK(p.ip != NULL && p.ip_hdr_len + p.tcp.hdr_len <= p.ip_len, "TCP header past the datagram");
			FUZZ_CHECK(p.snapped || p.ip_len + p.trailer <= p.caplen, "datagram past the record");
		}
		xp_packet(x, &p);
		rc = cap_next(r, &p, &err);
	}
	if (rc < 0)
		check_err(&err);
	xp_finish(x);
	const struct xp_summary *sum = xp_summary(x);
	const char *stop = rc < 0 ? err.msg : NULL;
	report_json_finish(rj, sum, stop);
	report_text_finish(rt, sum, stop);
	char e[400];
	if (report_html_write(rh, html, sum, stop, e, sizeof e) == 0)
		unlink(html);
	xp_free(x);
	report_text_free(rt);
	report_json_free(rj);
	report_html_free(rh);
	cap_close(r);

	/* pcap2script: whatever it builds must be a script. */
	struct xs_options xo;
	memset(&xo, 0, sizeof xo);
	xo.source_name = "in.pcap";
	struct xs_result xr;
	memset(&xr, 0, sizeof xr);
	if (xs_build(path, &xo, &xr, &err) == 0) {
		struct script *s = NULL;
		struct script_error se;
		FUZZ_CHECK(script_parse_string("out.pkt", xr.script, strlen(xr.script), &s, &se) == SCRIPT_OK,
			   "pcap2script wrote a script that does not parse: %s\n%s", se.text, xr.script);
		script_free(s);
	} else {
		/* a capture error names its frame; "no TCP conversation" and the
		 * like name the capture */
		FUZZ_CHECK(err.msg[0] != '\0', "pcap2script failed without a message");
	}
	xs_result_free(&xr); /* what it built before failing, too (as the CLI does) */
	return 0;
}
