/*
 * explain.h - a passive observer of TCP conversations: it follows both
 * ends of every conversation in a capture, models the RFC 9293 state and
 * sequence variables each end must have, and explains every reset,
 * challenge ACK and answer to an unacceptable segment by the rule that
 * calls for it, with the arithmetic, plus the segments a receiver must
 * drop, retransmissions, zero windows and bad checksums.
 *
 *   cap_next() ──> xp_packet() ──> observe.c   (the table; order of the sides)
 *                                    ├── observe_tx.c (sender side: does this
 *                                    │           segment answer something?)
 *                                    ├── observe_rx.c (receiver side: what
 *                                    │           must the other end do?)
 *                                    └── struct xp_sink: row() per TCP segment,
 *                                        note() per explanation, conv_end()
 *   report_text.c / report_json.c / report_html.c are sinks; pcap2script and
 *   replay read the notes too.
 *
 * Memory is bounded by the conversations open at once, not by the packets:
 * a conversation is handed to conv_end() and freed when both ends are
 * closed (after a short grace period for late retransmissions), when its
 * 4-tuple is reused by a new SYN, or when it has been idle for
 * XP_IDLE_NS of capture time.
 *
 * The JSON field names and the rule ids are a stable interface, listed in
 * conformance/capture/README.md.
 */
#ifndef CAPTURE_EXPLAIN_H
#define CAPTURE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

#define XP_IDLE_NS (300ull * 1000000000ull)   /* 5 minutes without a segment */
#define XP_GRACE_NS (5ull * 1000000000ull)    /* kept after both ends closed */
#define XP_MAX_REFS 4

/* RFC 9293 state names; XP_ST_UNKNOWN for an end the capture cannot place
 * (mid-stream, or the passive end before it answered). */
enum xp_state {
	XP_ST_UNKNOWN = 0,
	XP_ST_CLOSED,
	XP_ST_LISTEN,
	XP_ST_SYN_SENT,
	XP_ST_SYN_RECEIVED,
	XP_ST_ESTABLISHED,
	XP_ST_FIN_WAIT_1,
	XP_ST_FIN_WAIT_2,
	XP_ST_CLOSE_WAIT,
	XP_ST_CLOSING,
	XP_ST_LAST_ACK,
	XP_ST_TIME_WAIT,
};
const char *xp_state_name(enum xp_state s);

/* One rule: a stable id, the JSON kind it produces, and where it is
 * written down. The table is in rules.c. */
struct xp_rule {
	const char *id;
	const char *kind;
	const char *refs[XP_MAX_REFS];
	const char *title;
};
const struct xp_rule *xp_rule_find(const char *id);
/* The whole table, NULL-terminated by id, for the documentation test. */
const struct xp_rule *xp_rules(size_t *n);

/* One explanation of one segment. */
struct xp_note {
	uint64_t frame;
	uint32_t conv;
	char sender[64], receiver[64];  /* "ip:port" */
	const struct xp_rule *rule;
	uint64_t caused_by;             /* 0 = no received segment caused it */
	const char *state;              /* the sender's state when it sent the segment */
	const char *text;               /* the explanation with its arithmetic */
	const char *mark;               /* short "^^^" line for the ladder, or NULL */
	const char *field;              /* the offending field ("ack", "seq", "flags", ...) or NULL */
	/* What the sender should have sent instead, when the note is a fault
	 * of the sender's own stack (pcap2script writes this). */
	bool has_expected;
	uint8_t exp_flags;
	uint32_t exp_seq, exp_ack;
	/* Further explanations of the same segment (another rule applies to
	 * it too, e.g. the reset a client sends that its server drops). The
	 * note itself is the one that matters most for "why". */
	const struct xp_note *also;
	size_t n_also;
};
/* Order of importance of kinds, for choosing the primary note of a
 * segment: rst, challenge-ack, ack-unacceptable, bad-checksum,
 * unacceptable, ignored, retransmission, unexplained, zero-window. */
int xp_kind_rank(const char *kind);

/* One TCP segment of a conversation, as the ladder shows it. */
struct xp_row {
	uint64_t frame, ts_ns;
	int from;                       /* sending end: 0 or 1 (see struct xp_conv_info) */
	const char *desc;               /* "S 1240744644:1240744644(0) win 64240 <mss 1460,...>" */
	const char *state_before[2];
	const char *state_after[2];
	uint32_t trailer;               /* bytes after the datagram */
	bool bad_checksum;
};

struct xp_conv_info {
	uint32_t id;                    /* from 1, in order of first frame */
	struct cap_addr addr[2];
	uint16_t port[2];
	char name[2][64];               /* "ip:port" */
	int client;                     /* the end that sent the first SYN, or -1 */
	bool midstream;                 /* the capture starts after the handshake */
	uint64_t first_frame, last_frame, frames;
	uint64_t first_ns;
	enum xp_state state[2];         /* at the end of the capture (or of the conversation) */
	bool iss_known[2];
	uint32_t iss[2];
	const char *unknowns;           /* what the capture could not show, or NULL */
};

struct xp_sink {
	void (*conv_begin)(void *ctx, const struct xp_conv_info *c);
	void (*row)(void *ctx, const struct xp_conv_info *c, const struct xp_row *r);
	void (*note)(void *ctx, const struct xp_conv_info *c, const struct xp_note *n);
	void (*conv_end)(void *ctx, const struct xp_conv_info *c);
};

/* Traffic that is not TCP, and where the capture was taken. */
struct xp_summary {
	uint64_t frames, tcp, arp, udp, icmp, fragments, ip_other, non_ip;
	uint64_t conversations, notes;
	uint64_t first_ns, last_ns;
	uint64_t open_max;              /* most conversations open at once */
	uint64_t csum_offload;          /* TCP checksums taken as offloaded (valid on the wire) */
	char capture_point[400];        /* "on 192.168.1.10 (the client): ..." */
};

struct explain;

struct explain *xp_new(const struct xp_sink *sink, void *ctx);
void xp_packet(struct explain *x, const struct cap_pkt *p);
/* Ends every open conversation (conv_end for each) and fills the summary. */
void xp_finish(struct explain *x);
const struct xp_summary *xp_summary(const struct explain *x);
void xp_free(struct explain *x);

#endif /* CAPTURE_EXPLAIN_H */
