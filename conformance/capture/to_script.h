/*
 * to_script.h - one conversation of a capture as a conformance script:
 * what `synack pcap2script` writes and what `synack replay` runs.
 *
 *   capture ──pass 1: observer──> which conversation, which end is the DUT
 *           ──pass 2: observer + packets──> one line per frame:
 *               the other end's frames   `<` at the capture's times, with its
 *                                        own numbers (absolute, or relative to
 *                                        its SYN) and ACKs remapped onto the
 *                                        DUT's ISN
 *               the DUT's frames         `>` in a window from the previous
 *                                        event to the captured time plus slack,
 *                                        seq relative to the DUT's ISN; windows
 *                                        and options only with `strict`
 *               application actions      listen / connect / send / close /
 *                                        abort where the DUT's frames need them
 *
 * When the capture shows a fault of the DUT's own stack (explain gave the
 * segment an `expected` form), the script expects what the RFC requires
 * and stops there, listing the frames the fault caused, unless
 * `as_captured` keeps the capture's segment and everything after it.
 */
#ifndef CAPTURE_TO_SCRIPT_H
#define CAPTURE_TO_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "explain.h"

struct xs_options {
	const char *dut_side;     /* "ip:port", or NULL: the end that listens / sent the SYN-ACK */
	uint32_t conversation;    /* 0: the first conversation with a RST, else the first */
	bool as_captured;         /* keep the DUT's faults as the capture shows them */
	bool strict;              /* compare windows and options too */
	const char *source_name;  /* how the script names the capture (default: its path) */
};

/* What happened to each frame of the conversation in the script. */
enum xs_frame_fate {
	XS_LINE,                  /* became a script line */
	XS_CORRECTED,             /* became a line, with the RFC's values instead of the fault */
	XS_LEFT_OUT,              /* caused by a fault the script corrects: cannot follow */
	XS_SKIPPED,               /* a bad checksum: the receiver drops it anyway */
};

struct xs_frame {
	uint64_t frame, ts_ns;
	bool from_dut;
	enum xs_frame_fate fate;
	int line;                 /* script line, 0 when none */
	char desc[400];           /* as captured, absolute numbers */
	char *note;               /* the explanation (rule: text), or NULL */
	const struct xp_rule *rule;
	uint64_t caused_by;
	bool has_expected;
	uint32_t exp_ack, exp_seq;
	uint8_t exp_flags;
};

struct xs_result {
	char *script;             /* the script text (malloc'd) */
	struct xp_conv_info conv;
	int dut;                  /* the DUT's end in conv */
	char why_dut[160];        /* "the server: it sent the SYN-ACK" */
	bool v6_mapped;           /* IPv6 conversation replayed over IPv4 */
	struct xs_frame *frames;
	size_t n_frames;
	uint64_t stop_frame;      /* first frame left out, 0 = none */
	char stop_reason[600];
	uint32_t dut_ip, peer_ip; /* host order, as the script's header gives them */
	uint16_t dut_port, peer_port;
};

/* Builds the script. Returns 0, or -1 with err filled (a bad capture, no
 * such conversation or endpoint, a conversation that cannot be replayed,
 * e.g. without the DUT's SYN). */
int xs_build(const char *capture, const struct xs_options *o, struct xs_result *r, struct cap_error *err);
void xs_result_free(struct xs_result *r);
/* The frame a script line came from, or NULL. */
const struct xs_frame *xs_frame_of_line(const struct xs_result *r, int line);

#endif /* CAPTURE_TO_SCRIPT_H */
