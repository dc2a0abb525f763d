/*
 * observe.h - what the observer's files share (not for the reporters):
 * the model of one end of a conversation, the answers an end owes, the
 * per-segment context notes are collected in, and the conversation table.
 *
 * Each end is modelled with the variables RFC 9293 §3.3.1 names, as far
 * as a capture shows them: ISS, SND.UNA, SND.NXT, RCV.NXT, RCV.WND (its
 * last advertised window, scaled), the window scale and MSS from its SYN,
 * its state, and whether it reached SYN-RECEIVED from LISTEN (MUST-11).
 * An end's own segments are the authority for what it has sent and what
 * it acknowledges; the RFC's processing of the other end's segments says
 * how its state moves and what it must answer.
 */
#ifndef CAPTURE_OBSERVE_H
#define CAPTURE_OBSERVE_H

#include <stdio.h>

#include "explain.h"

#define XP_EXPECT 8      /* answers one end may owe at once */
#define XP_SENT_RING 16  /* recent segments per end, for retransmissions */
#define XP_PKT_NOTES 4

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

enum xp_exp_kind {
	EXP_RST,         /* a reset with the numbers given */
	EXP_ACK,         /* an empty ACK <SEQ=SND.NXT><ACK=RCV.NXT> */
	EXP_SYNACK,      /* a SYN-ACK acknowledging `ack` */
};

/* An answer an end owes because of a segment it received. */
struct xp_expect {
	bool used;
	enum xp_exp_kind kind;
	uint32_t group;          /* alternatives share one: the first answer consumes all */
	uint64_t frame, ts_ns;   /* the segment that calls for it */
	uint8_t flags;           /* EXP_RST: TCP_RST or TCP_RST|TCP_ACK */
	bool seq_any;            /* EXP_RST: any sequence number fits (a loose rule) */
	bool if_no_tcb;          /* only if the end turns out to have no connection: dropped once
	                          * it sends anything but a RST */
	uint32_t seq, ack;
	const struct xp_rule *rule;
	enum xp_state st_before, st_after;
	char *why;               /* the arithmetic, quoted by the answer's note (malloc'd) */
};

struct xp_sent {
	uint32_t seq, end;
	uint64_t frame, ts_ns;
	uint8_t flags;
};

struct xp_end {
	enum xp_state st;
	bool passive;            /* SYN-RECEIVED came from LISTEN (MUST-11) */
	bool spoke;              /* sent a segment */
	bool iss_known, nxt_known, una_known, rcv_known, wnd_known;
	uint32_t iss, snd_nxt, snd_una, rcv_nxt, rcv_wnd, max_wnd;
	uint32_t last_ack;       /* the ack field of its last non-RST segment */
	uint64_t last_frame, last_ns;  /* its last segment */
	uint32_t last_seg_ack;   /* that segment's ack field (0 without ACK) */
	bool ws_offered;
	uint8_t ws;
	uint16_t mss;
	bool fin_sent, fin_acked, fin_rcvd;
	uint32_t fin_seq;
	bool zero_win;
	uint64_t bytes_rcvd;     /* payload it accepted from the other end */
	uint64_t last_rcvd_data_frame;
	uint64_t syn_frame;      /* its SYN or SYN-ACK */
	uint64_t syn_ns;
	uint32_t syn_ackfield;   /* the ack field of its SYN (for fault hints) */
	uint64_t bad_synack_frame;   /* an unacceptable SYN-ACK it discarded */
	uint64_t ignored_rst_frame;  /* a RST it dropped as outside the window */
	uint32_t dupacks;        /* dup ACKs it received in a row */
	bool bad_csum_pending;   /* a segment of it was dropped for its checksum ... */
	uint32_t bad_csum_end;   /* ... ending here: an ACK past it means offload */
	bool maybe_closed;       /* sent a RST no rule explains: it may be gone, or the
	                          * RST was not its own (an injection) */
	uint64_t maybe_closed_frame;
	struct xp_expect exp[XP_EXPECT];
	uint32_t next_group;
	struct xp_sent sent[XP_SENT_RING];
	unsigned sent_head;
	uint8_t ttl;
	bool ttl_known;
};

struct xp_conv {
	struct xp_conv *hnext;           /* hash chain */
	struct xp_conv *prev, *next;     /* open list (oldest activity first) or closed list
	                                  * (oldest close first) */
	bool in_closed;
	uint64_t hash;
	struct xp_conv_info info;
	struct xp_end e[2];
	bool ws_on;                      /* both SYNs offered a window scale */
	uint64_t last_ns;
	uint64_t closed_ns;              /* both ends closed since; 0 = open */
	char *unknowns;                  /* malloc'd, or NULL */
	/* handshake timing for the capture-point guess */
	uint64_t resp_ns[2];             /* a response time of each end, 0 = none */
	uint64_t await_ns[2];            /* when an end got a SYN it has not answered yet */
};

/* Notes collected while one segment is processed, emitted together. */
struct xp_pending_note {
	struct xp_note n;
	char *text;                      /* malloc'd */
	char mark[200];
	uint8_t st_sender;
};

struct xp_pkt_ctx {
	struct explain *x;
	const struct cap_pkt *p;
	struct xp_conv *c;
	int s, r;                        /* sender, receiver */
	uint32_t seglen;                 /* SEG.LEN: payload + SYN + FIN */
	enum xp_state st_before[2];
	struct xp_pending_note notes[XP_PKT_NOTES];
	int n_notes;
	bool drop;                       /* the receiver discards it (checksum) */
	bool fault_ack;                  /* the SYN-ACK's ack is not ISS+1 */
	uint32_t fault_exp_ack;
};

/* Evidence of the capture point from the first complete handshake. */
struct xp_locate_ev {
	bool have;
	char name[2][64];
	uint64_t resp[2];                /* each end's answer time + 1 ns */
	uint8_t ttl[2];
};

/* What the capture showed about a port with no connection: a listener
 * (it answered a SYN with a SYN-ACK) or none (it answered with RST). */
enum xp_port_state { XP_PORT_UNKNOWN = 0, XP_PORT_LISTENS, XP_PORT_CLOSED };
struct xp_port {
	struct cap_addr a;
	uint16_t port;
	uint8_t st;
};
#define XP_PORTS 4096u /* open addressing; when full, nothing more is learnt */

struct explain {
	const struct xp_sink *sink;
	void *ctx;
	struct xp_conv **table;
	size_t nbuckets, open;
	struct xp_conv *oldest, *newest;     /* open conversations */
	struct xp_conv *c_oldest, *c_newest; /* closed ones, waiting out the grace period */
	uint32_t next_id;
	struct xp_summary sum;
	/* capture point evidence */
	struct cap_addr out_addr[4];     /* sources seen marked "outgoing" */
	uint64_t out_frames[4];
	unsigned n_out;
	uint64_t dir_frames;             /* frames that had a direction */
	struct xp_locate_ev loc;
	struct xp_port *ports;           /* XP_PORTS slots, allocated on first use */
	struct cap_addr offload[8];      /* hosts whose checksums their card fills in */
	unsigned n_offload;
	bool finished;
};

/* observe.c */
/* Adds a note for the current segment; returns it so the caller can
 * append to its text. fmt builds the text. */
struct xp_pending_note *xp_note_add(struct xp_pkt_ctx *k, const char *rule_id, int sender, uint64_t caused_by,
				    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Appends to a pending note's text. */
void xp_note_append(struct xp_pending_note *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Registers an answer end `who` owes. Returns it for the caller to fill
 * why; group 0 = a new group. */
struct xp_expect *xp_expect_add(struct xp_pkt_ctx *k, int who, enum xp_exp_kind kind, const char *rule_id,
				uint32_t group);
/* Sets an expectation's arithmetic (printf-style). */
void xp_expect_why(struct xp_expect *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *xp_end_name(const struct xp_pkt_ctx *k, int who);
/* "the client (192.168.1.10:51486)" when roles are known, else the
 * address; xp_end_poss: "the client's" / "192.168.1.10:51486's". */
void xp_end_label(const struct xp_pkt_ctx *k, int who, char *buf, size_t cap);
void xp_end_poss(const struct xp_pkt_ctx *k, int who, char *buf, size_t cap);

/* What the capture showed about a listener on an endpoint. */
enum xp_port_state xp_port_get(struct explain *x, const struct cap_addr *a, uint16_t port);
void xp_port_set(struct explain *x, const struct cap_addr *a, uint16_t port, enum xp_port_state st);

/* Frees an expectation's text and marks its slot unused. */
void xp_exp_clear(struct xp_expect *e);

/* observe_tx.c: the sender's side of k->p, called in this order by
 * observe.c: at most one of the three answers (by P's flags), then the
 * sender's own behaviour, then its variables and state. */
void xp_sender_rst(struct xp_pkt_ctx *k);
void xp_sender_synack(struct xp_pkt_ctx *k);
void xp_sender_ack(struct xp_pkt_ctx *k);
void xp_sender_retransmission(struct xp_pkt_ctx *k);
void xp_sender_window(struct xp_pkt_ctx *k);
void xp_update_sender(struct xp_pkt_ctx *k);

/* observe_rx.c: what the receiver of k->p must do, by its state. */
void xp_receive(struct xp_pkt_ctx *k);

/* locate.c: where the capture was taken. */
void xp_locate(struct explain *x);
void xp_locate_packet(struct explain *x, const struct cap_pkt *p);

#endif /* CAPTURE_OBSERVE_H */
