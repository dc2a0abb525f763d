/*
 * engine_internal.h - what the engine's files share: the sequence-number
 * map, a parsed view of one datagram, the packet builder and describer
 * (packet.c), the verifier (verify.c) and the runner's state (runner.c,
 * runner_sys.c). Not for the CLI.
 */
#ifndef CONFORMANCE_ENGINE_INTERNAL_H
#define CONFORMANCE_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dut.h"
#include "engine.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "script.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* Script space <-> wire, for one connection (runner_conn.c): dut_isn is
 * learned from the DUT's first SYN on it; peer_isn is 0 unless the
 * script's first SYN on it was absolute. */
struct engine_map {
	bool dut_isn_known;
	uint32_t dut_isn;
	bool peer_isn_known;
	uint32_t peer_isn;
	uint32_t dut_ip, peer_ip;
	uint16_t dut_port, peer_port;
	bool icmp6;                /* an IPv6 run: ICMP messages carry ICMPv6 numbers (dut.h) */
};

/* One IPv4/TCP datagram, parsed with core/wire. */
struct engine_seg {
	int err;                   /* 0, or why it is not an IPv4 TCP segment */
	struct ipv4_repr ip;
	struct tcp_repr tcp;
	const uint8_t *opt;        /* option bytes inside the datagram */
	uint8_t opt_len;
	uint16_t payload_len;
	bool ip_csum_ok, tcp_csum_ok;
	/* --- Added for udp / icmp datagrams: ip.proto says which; tcp is
	 * zero for them, payload_len is UDP's payload / ICMP's data. --- */
	struct udp_repr udp;
	struct icmp_repr icmp;
	bool icmp_quote;            /* the ICMP data quotes an IPv4 header + 8 bytes */
	uint8_t quote_proto;
	uint32_t quote_src, quote_dst;
	uint16_t quote_sport, quote_dport;
	uint32_t quote_seq;         /* TCP quote */
};

int engine_parse_seg(const uint8_t *d, size_t len, struct engine_seg *s);
/* Encodes the script's option list in the order written, padded with EOL to
 * a multiple of 4. SACK blocks are mapped with the DUT's ISN when inbound.
 * Returns the length, or -1 (a digest or cookie given by name). */
int engine_encode_options(const struct script_packet *p, const struct engine_map *m, bool inbound,
			  uint8_t out[SCRIPT_MAX_TCP_OPTIONS]);
/* Builds the IPv4 datagram of an inbound `<` event. Returns its length, or
 * -1 with a message in err. */
int engine_build_inbound(const struct script_packet *p, const struct engine_map *m, uint16_t ip_id,
			 uint8_t *out, size_t cap, char *err, size_t errcap);
/* The segment in script notation with relative numbers:
 * "S. 0:0(0) ack 1 win 1024 <mss 536>". */
void engine_describe(const struct engine_seg *s, const struct engine_map *m, bool outbound, char *buf,
		     size_t cap);

/* verify.c: compares an outbound segment with its `>` event. Writes one
 * "file:line: field: expected .. vs actual .." line per difference to msgs
 * and a short "^^^ field: expected X vs Y" line per difference to marks.
 * Returns the number of differences. */
struct engine_verify_cfg {
	bool ignore_options, ignore_win;
};
int engine_verify(const struct script *s, const struct script_event *ev, const struct engine_seg *seg,
		  const struct engine_map *m, const struct engine_verify_cfg *cfg, FILE *msgs, FILE *marks);

/* ---- the runner's state ---- */
#define ENGINE_CONNS 16u
#define ENGINE_RECV_ALL 65536u  /* `recv >=N` reads this much: all a socket buffer holds */
#define ENGINE_QLEN 64u
#define ENGINE_EVQ 64u
#define ENGINE_FDS 16

struct engine_fd {
	bool used;
	bool listener;      /* listen() called */
	bool conn;          /* connected / accepted socket */
	bool connecting;    /* connect() returned EINPROGRESS */
	bool nonblock;
	bool linger0;       /* SO_LINGER {1, 0}: close() aborts */
	bool bound;
	uint16_t port;      /* bound / listening port */
	int handle;         /* the adapter's connection handle (dut_app_cmd.conn), -1 = none yet */
	int so_error;       /* errno for getsockopt(SO_ERROR), 0 = none */
};

/* One connection a script talks to (runner_conn.c). */
#define ENGINE_TS_MAP 64u
struct engine_conn {
	uint16_t dut_port, peer_port;
	uint32_t peer_ip;
	bool dut_isn_known, peer_isn_known;
	uint32_t dut_isn, peer_isn;
	/* The DUT's TS vals as the script wrote them and as they were on the
	 * wire, latest ENGINE_TS_MAP (runner_ts.c). */
	uint32_t ts_script[ENGINE_TS_MAP], ts_live[ENGINE_TS_MAP];
	unsigned ts_n, ts_next;
	/* The connection's first such pair, for --tcp_ts_ecr_scaled. */
	bool ts_first_known;
	uint32_t ts_first_script, ts_first_live;
};

struct engine_qpkt {
	struct dut_packet pkt;
	size_t log_index;
};

struct engine_evq {
	enum dut_app_event ev;
	uint64_t t;
	int handle;         /* ACCEPTED: the new connection's handle, else -1 */
};

/* A blocking system call (`+0...0.3 read(...)`) waiting for its
 * condition while the script's later lines run (packetdrill runs it on a
 * second thread). */
enum engine_pending_kind {
	ENGINE_PEND_READ, ENGINE_PEND_ACCEPT, ENGINE_PEND_CONNECT,
	ENGINE_PEND_REAL, /* a call the adapter makes for real (runner_real.c) */
};
struct engine_pending {
	bool active;
	const struct script_event *ev;
	enum engine_pending_kind kind;
	int fd;
	uint32_t n;
	uint64_t end;               /* scripted return time */
	bool derived;               /* counted from an observed moment (runner.c) */
};

struct engine_run {
	const struct script *s;
	const struct engine_options *o;
	struct engine_result *r;
	struct dut dut;
	bool dut_open;
	struct engine_map map;     /* addresses; the ports are the current connection's */
	struct engine_conn conns[ENGINE_CONNS];
	size_t n_conns;
	bool fresh_syn;            /* a connect was issued: its SYN starts a connection */
	struct engine_verify_cfg vcfg;
	FILE *msgs;                /* -> r->messages */
	char *msgbuf;
	size_t msglen;
	int64_t tol_ns;
	int tol_permille;          /* tolerance_percent, in tenths of a percent */
	struct engine_qpkt *q;     /* outbound packets not yet matched */
	size_t q_head, q_len;
	struct engine_evq evq[ENGINE_EVQ];
	size_t n_ev;
	uint64_t prev_t;           /* scripted time of the previous event */
	bool prev_observed;        /* prev_t is (counted from) an observed moment */
	bool now_derived;          /* so is the time of the event running */
	uint16_t ip_id;
	bool stop;                 /* verdict decided */
	struct engine_fd fds[ENGINE_FDS];
	int listen_fd, conn_fd;
	/* The adapter numbers its connections in the order they are made
	 * (listen, connect, each accepted one; dut.h), and so does the runner,
	 * so each descriptor names its own (a tap DUT keeps them apart). */
	int handles;               /* the next handle */
	int taken_handle;          /* of the event engine_take_event() took last */
	struct engine_pending pending;
	bool in_poll;
	/* Real system calls (runner_real.c): the adapter makes the script's
	 * calls itself; shell lines and %{ }% blocks run too. */
	bool real_sys;
	/* --skip-shell: shell lines passed over, and the first of them. */
	unsigned shell_skipped;
	const struct script_event *shell_first_skipped;
	bool prev_inbound;         /* the previous line injected a segment */
	bool sut_listening;        /* socket() since the last inbound SYN */
	bool sut_known;            /* packetdrill's socket under test (runner_conn.c) */
	uint16_t sut_dut_port, sut_peer_port;
	uint32_t sut_peer_ip;
	/* DUT_IP_* of the run and, for DUT_IP_V6, the addresses on the wire
	 * that map.dut_ip and map.peer_ip stand for (dut.h). */
	uint8_t ipver;
	uint8_t dut_ip6[16], peer_ip6[16];
	FILE *code;                /* the Python run at the end (packetdrill's code.c) */
	char *codebuf;
	size_t codelen;
};

/* runner.c helpers for runner_sys.c */
void engine_fail(struct engine_run *e, const struct script_event *ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void engine_unsupported(struct engine_run *e, const struct script_event *ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs the DUT to scripted time t, queueing what it sends. */
void engine_advance_to(struct engine_run *e, uint64_t t);
/* Removes the first pending application event of kind ev (waiting up to
 * `until`); returns true and its time when found. */
bool engine_take_event(struct engine_run *e, enum dut_app_event ev, uint64_t until, uint64_t *t);
int engine_app(struct engine_run *e, const struct script_event *ev, const struct dut_app_cmd *cmd);
/* The adapter's event for a script's `event X`. */
enum dut_app_event engine_dut_event(enum script_app_event ev);
uint64_t engine_tolerance(const struct engine_run *e, uint64_t gap);
/* The latest the pending call may return (runner_real.c). */
uint64_t engine_pending_late(const struct engine_run *e);
/* Runs the DUT until the pending blocking call completes or `limit`. */
void engine_wait_pending(struct engine_run *e, uint64_t limit);

/* runner_conn.c */
/* The connection of an inbound line (created if new; its SYN sets the
 * peer's ISN), or -1. */
int engine_conn_inbound(struct engine_run *e, const struct script_packet *p);
/* The connection of a segment the DUT sent for line p (created if new;
 * its SYN sets the DUT's ISN), or -1. */
int engine_conn_outbound(struct engine_run *e, const struct engine_seg *seg, const struct script_packet *p);
/* packetdrill's socket under test (real calls): set by an inbound SYN
 * or the SYN of an active open; whether a segment the DUT sent is one
 * the script's lines may match. */
void engine_sut_set(struct engine_run *e, uint16_t dut_port, uint32_t peer_ip, uint16_t peer_port);
bool engine_sut_segment(struct engine_run *e, const struct engine_seg *seg);
/* The SYN to a new listening socket makes a new child: from a peer port
 * no earlier connection used (packetdrill's next_ephemeral_port). */
void engine_conn_new_child(struct engine_run *e);
/* The known connection of a segment the DUT sent, or -1. */
int engine_conn_of(const struct engine_run *e, const struct engine_seg *seg);
/* An active open was issued: the DUT's next SYN starts a new connection. */
void engine_conn_connecting(struct engine_run *e);
/* The map of connection conn (-1: none, numbers as written). */
void engine_conn_map(const struct engine_run *e, int conn, struct engine_map *m);

/* runner_shell.c */
/* Finds what the DUT cannot honour before anything runs (reported as
 * unsupported); returns false then. */
bool engine_prescan(struct engine_run *e);
/* --skip-shell: one "file:line: note: N shell lines skipped" message when
 * the run passed over any (runner_shell.c). */
void engine_shell_note(struct engine_run *e);
/* Runs a back-quoted `sysctl name=value ...` line through the adapter. */
void engine_shell_run(struct engine_run *e, const struct script_event *ev);

/* runner_real.c */
/* Whether this script's calls are made for real: the adapter can, and the
 * script is packetdrill's: no `//!` header, no synack statements (whose
 * events and states come from the adapter's own sockets). */
bool engine_real_mode(const struct script *s, const struct dut_ops *ops);
void engine_real_run(struct engine_run *e, const struct script_event *ev, uint64_t t);
void engine_real_poll(struct engine_run *e, bool final);
/* Whether the script has a shell line (it sets up its namespace itself). */
bool engine_script_has_shell(const struct script *s);
/* A %{ }% block: the socket's TCP_INFO now, the code to run at the end. */
void engine_code_event(struct engine_run *e, const struct script_event *ev, uint64_t t);
/* After the last event: the cleanup command, then the Python of the
 * %{ }% blocks (a non-zero exit fails the script, as on packetdrill). */
void engine_real_finish(struct engine_run *e);
/* The run's --ip_version onto e (ipver, the IPv6 addresses, the ICMPv6
 * flag), the result and the DUT's config (dut.h DUT_IP_*, MTU 1520). */
void engine_run_ip_version(struct engine_run *e, struct dut_config *cfg);
/* False (unsupported, the reason written) for an IPv6 run of a script
 * with synack's statements, whose sockets are IPv4. */
bool engine_ipv6_runs(struct engine_run *e);

/* runner_ts.c: packetdrill's TS ecr mapping. An inbound segment's TS ecr
 * is the script's number for one of the DUT's TS vals; it goes out as the
 * TS val the DUT really sent (matched by the `>` line that wrote it). */
void engine_ts_outbound(struct engine_run *e, int conn, const struct script_packet *p, const struct engine_seg *seg);
/* Rewrites the datagram's TS ecr (and its checksum); false when no TS val
 * of the DUT's has that script number (the message is in err). */
bool engine_ts_inbound(struct engine_run *e, int conn, uint8_t *d, size_t len, char *err, size_t cap);

/* runner_agg.c: packetdrill's aggregation of outbound segments. */
bool engine_agg_same_tuple(const struct engine_seg *a, const struct engine_seg *b);
/* next may follow prev (prev_len bytes of payload) in one aggregate. */
bool engine_agg_compatible(const struct engine_seg *prev, const struct engine_seg *next, uint16_t prev_len, bool last);
/* acc := acc joined with next (next's headers, acc's seq and CWR). */
bool engine_agg_join(struct dut_packet *acc, const struct dut_packet *next);

/* runner_sys.c */
/* Static check: can this system call be honoured at all? Returns NULL or
 * the reason it cannot. */
const char *engine_sys_unsupported(const struct script_event *ev, const struct dut_ops *ops, char *buf,
				   size_t cap);
void engine_sys_run(struct engine_run *e, const struct script_event *ev, uint64_t t);
/* Whether the call is setsockopt(SO_RCVBUF) on an adapter without a
 * sockopt hook, which the runner maps onto DUT_APP_RCVBUF. */
bool engine_sys_rcvbuf(const struct script_event *ev, const struct dut_ops *ops);
/* Completes a pending blocking call whose condition holds. With `final`
 * (its deadline passed) a call still pending fails. */
void engine_sys_poll(struct engine_run *e, bool final);

#endif /* CONFORMANCE_ENGINE_INTERNAL_H */
