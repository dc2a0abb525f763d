/*
 * engine.h - the conformance engine: run one parsed script against a DUT
 * adapter, verify what the DUT sends, and explain a failure.
 *
 *   script_parse_file() ──> engine_run() ──> runner.c  (event loop, timing)
 *                                             ├── packet.c  (build inbound, describe)
 *                                             ├── verify.c  (field-by-field compare)
 *                                             ├── runner_sys.c (socket calls -> app actions)
 *                                             ├── runner_shell.c (prescan, sysctl lines)
 *                                             ├── runner_conn.c (connections, their ISNs)
 *                                             ├── options.c (option lines, profiles)
 *                                             └── dut->ops  (sim, tap ...; tap's IPv6
 *                                                  runs: ip6_xlate.c, dut_tap_v6.c)
 *   engine_result ──> ladder.c (ladder diagram), pcap_out.c (failure pcap)
 *
 * Sequence numbers follow packetdrill (conformance/README.md), per
 * connection (4-tuple; an active open starts a new one): the DUT's ISN is
 * learned from its first SYN or SYN-ACK on it; the peer's numbers are as
 * the script writes them. One synack generalisation: when the script
 * injects a connection's first SYN with an absolute number
 * (`< S 1240744644:1240744644(0)!`), that number becomes the peer's ISN and
 * later relative peer numbers count from it, so a capture's real ISN can be
 * kept while the rest of the script stays relative. Messages print both
 * forms: `expected 1 (abs 1240744645)`.
 *
 * Everything the engine prints depends only on the script, the options and
 * the DUT's behaviour: no wall clock, no pointers. A virtual-time DUT thus
 * gives byte-identical reports and captures for the same seed.
 */
#ifndef CONFORMANCE_ENGINE_H
#define CONFORMANCE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dut.h"
#include "ip6_xlate.h"
#include "script.h"

#define ENGINE_DEFAULT_TOLERANCE_NS 4000000LL /* packetdrill: 4000 us */
#define ENGINE_DEFAULT_TOLERANCE_PCT 0        /* per mille is too fine; percent */
#define ENGINE_LATE_GRACE_NS 1000000000LL /* a late segment is still reported as late */
#define ENGINE_ANY_HORIZON_NS (600LL * 1000000000LL) /* `*` waits at most 10 min */
#define ENGINE_DEFAULT_DUT_IP 0xC0A80001u     /* 192.168.0.1 */
#define ENGINE_DEFAULT_PEER_IP 0xC0000201u    /* 192.0.2.1 */
/* IPv6 runs (--ip-version ipv6): packetdrill's run_all.py's addresses
 * (its TFO_COOKIE define is the server cookie for them) and its MTU. */
#define ENGINE_DEFAULT_DUT_IP6 "fd3d:a0b:17d6::1"
#define ENGINE_DEFAULT_PEER_IP6 "fd3d:fa7b:d17d::1"
#define ENGINE_IPV6_MTU 1520u
#define ENGINE_DEFAULT_DUT_PORT 8080u
#define ENGINE_DEFAULT_PEER_PORT 54321u

enum engine_verdict {
	ENGINE_PASS = 0,
	ENGINE_FAIL,
	ENGINE_UNSUPPORTED, /* asks for something the DUT cannot honour */
	ENGINE_SKIPPED,     /* profile conflict */
	ENGINE_ERROR,       /* bad option line, adapter would not start */
};

struct engine_options {
	const struct dut_ops *dut_ops;
	uint8_t profile;          /* DUT_PROFILE_* the DUT runs */
	uint64_t seed;
	bool ignore_options;      /* --ignore=options */
	bool ignore_win;          /* --ignore=win */
	/* --skip-shell: a shell line this DUT cannot run (another kernel's
	 * sysctl, packetdrill's `../common/defaults.sh`) is passed over with
	 * a note instead of making the script unsupported. */
	bool skip_shell;
	int64_t tolerance_ns;     /* <0: script option or the default */
	int tolerance_pct;        /* <0: script option or 0 */
	const char *adapter_pcap; /* the adapter's own capture (sim: whole link) */
	uint32_t dut_ip, peer_ip; /* 0: header or default */
	uint16_t dut_port, peer_port;
	const char *ip_version;   /* --ip-version, over the script's line; NULL: the script's */
	/* --local-ip / --remote-ip: over the script's --local_ip/--remote_ip
	 * lines, as packetdrill's command line is (engine_check_options);
	 * NULL: the script's. */
	const char *cli_local_ip, *cli_remote_ip;
	uint16_t gso_mss;         /* the script's --mss (engine_check_options); 0: none */
	/* IPv6 addresses of an IPv6 run (a script's --local_ip=fd3d::1 line
	 * or the caller's); not set: ENGINE_DEFAULT_*_IP6. */
	bool has_dut_ip6, has_peer_ip6;
	uint8_t dut_ip6[16], peer_ip6[16];
};

/* One datagram of the exchange, for the ladder and the failure pcap. */
struct engine_log_entry {
	uint64_t t;
	bool outbound;            /* DUT -> peer */
	int line;                 /* the script line it matched or was injected by; 0 = none */
	int conn;                 /* its connection, an index into engine_result.conns; -1 = none */
	char *mark;               /* "^^^ ack: expected 1 vs 0" lines, or NULL */
	size_t len;
	uint8_t *data;            /* IPv4 datagram */
};

struct engine_result {
	enum engine_verdict verdict;
	int line;                 /* first failing / unsupported line; 0 = none */
	char *messages;           /* one line each, "file:line: ..." (malloc'd, may be empty) */
	uint64_t virtual_ns;      /* DUT time covered */
	struct engine_log_entry *log;
	size_t n_log, cap_log;
	uint32_t dut_isn, peer_isn; /* the first connection's, as in conns[0] */
	bool dut_isn_known;
	/* Each connection's ISNs, for relative numbers in the ladder (malloc'd). */
	struct engine_result_conn {
		uint32_t dut_isn, peer_isn;
		bool dut_isn_known, peer_isn_known;
	} *conns;
	size_t n_conns;
	/* The chip model's checker diagnostics for the DUT's driver, one line
	 * each (dut_ops.diagnostics; malloc'd, "" when none), or NULL when the
	 * DUT has no model (tap) or never opened. */
	char *diagnostics;
	/* An IPv6 run (dut.h DUT_IP_V6): the log's IPv4 addresses stand for
	 * these, and its ICMP messages carry ICMPv6 numbers. */
	bool ipv6;
	struct ip6_map ip6;
};

void engine_options_defaults(struct engine_options *o);

/* Checks the script's option lines and its counter names (any DUT's:
 * engine_counter_problem); returns false with a message in err
 * ("file:line: unknown option --foo", "file:line:col: unknown counter
 * 'x' (did you mean 'y'?)") when one is not accepted. Also fills the
 * tolerance the script asks for. */
bool engine_check_options(const struct script *s, struct engine_options *o, char *err, size_t errcap);

/* The first option line of the script that synack accepts but does not
 * honour ("--mtu=9000: the DUT's link MTU is 1500"), with its line, or
 * NULL. ops: the DUT (--mss is honoured by an inbound_gso one), or NULL. */
const char *engine_option_unsupported(const struct script *s, const struct dut_ops *ops, int *line, char *buf,
				      size_t cap);

/* support.c: the first construct of the script that no DUT of this engine
 * can carry (IPv6, TCP over UDP, md5 valid, an option above), as
 * "file:line: construct: reason", or NULL. Checked before a run. */
const char *engine_construct_unsupported(const struct script *s, const struct engine_options *o, int *line,
					 char *buf, size_t cap);

/* counters.c: NULL when a script may name counter `name` (our stack's
 * core/net/net_stats.h names, unambiguous short forms, tap.* and Linux MIB
 * names), else a message for people in buf. A script_counter_problem. */
const char *engine_counter_problem(const char *name, char *buf, size_t cap);

/* "--ignore=options,win" value; false on an unknown field name. */
bool engine_parse_ignore(const char *v, bool *options, bool *win);

/* "rfc5961=on,rfc1337=off,timewait-recycle=on" (items split on commas or
 * spaces) into DUT_PROFILE_* bits on top of *prof; false on an unknown
 * name or a value other than on/off. An empty value is accepted as is. */
bool engine_parse_profile(const char *v, uint8_t *prof);

/* Returns the reason a script is skipped for the DUT's profile, or NULL. */
const char *engine_profile_conflict(const struct script *s, uint8_t profile, char *buf, size_t cap);

/* Whether the DUT follows behaviour profile `beh` (enum script_behaviour)
 * in a run with these options. */
bool engine_dut_follows(const struct engine_options *o, int beh);

/* Returns why a script is skipped on this DUT and run (an RFC profile it
 * does not run, a behaviour profile it does not follow), or NULL:
 * "needs profile synack-params (...); tap does not follow it". */
const char *engine_skip_reason(const struct script *s, const struct engine_options *o, char *buf, size_t cap);

/* dut_mutate.c: an adapter wrapping `inner` that rewrites what the DUT
 * emits ("synack-ack0", "rst-seq+1"; see engine_mutations). Returns NULL
 * with a message in err for an unknown mutation. One wrapper per process. */
const struct dut_ops *dut_mutate_wrap(const struct dut_ops *inner, const char *mutation, char *err, size_t errcap);
/* "synack-ack0, rst-seq+1", for usage messages. */
const char *engine_mutations(void);

/* Runs the script. Always fills *r (free it with engine_result_free). */
void engine_run(const struct script *s, const struct engine_options *o, struct engine_result *r);
void engine_result_free(struct engine_result *r);
const char *engine_verdict_name(enum engine_verdict v);

/* ladder.c: a two-column ladder diagram, one row per segment, the
 * "^^^" marks under the segment they concern. The engine's failures and
 * the capture tools draw with it. */
struct engine_ladder_row {
	uint64_t t;           /* ns, printed as seconds with 6 decimals */
	bool right;           /* sent by the right-hand end: the arrow points left */
	const char *desc;     /* the segment in script notation */
	const char *tag;      /* last column ("line 14", "frame 63"), or NULL */
	const char *marks;    /* newline-separated mark lines, or NULL */
	bool plain;           /* no arrow: a note across the diagram ("... 12 segments not shown ...") */
};
void engine_ladder_rows(FILE *out, const char *left, const char *right, const struct engine_ladder_row *rows,
			size_t n);
/* The engine's exchange as a ladder: the peer on the left, the DUT on
 * the right, numbers relative to each side's ISN. */
void engine_ladder(const struct engine_result *r, const struct script *s, FILE *out);
/* pcap_out.c: the exchange as a pcap (raw IPv4, ns timestamps from the DUT
 * clock), complete or absent (sim/outfile.h). Returns 0, or -1 with a
 * message naming the file in err. */
int engine_write_pcap(const struct engine_result *r, const char *path, char *err, size_t errcap);

/* packet.c: segment fields in script notation, for every tool that shows
 * segments (the ladder, the capture tools). Flags as a script writes
 * them ("S.", "R", "FP.", "-" for none). */
void engine_flags_str(uint8_t flags, char out[12]);
/* Option bytes up to trailing EOL padding. */
size_t engine_options_used(const uint8_t *o, size_t n);
/* Options as text, "<mss 536,nop,wscale 7>" ("" when none). */
void engine_options_str(const uint8_t *o, size_t n, char *buf, size_t cap);

/* dut_registry.c */
/* The adapter `spec` names: "sim", "tap", "board:PATH.so" (which loads
 * the firmware) or "avr:IMAGE.elf" (which reads the image). Returns NULL with the reason in err: an unknown name, or
 * why the firmware cannot be used (dut_board_load). */
const struct dut_ops *engine_dut_lookup(const char *spec, char *err, size_t errcap);
/* An adapter already available, by its name: a built-in one, or the loaded
 * firmware's ("board:libfw.so"); NULL otherwise. Never loads a firmware. */
const struct dut_ops *engine_find_dut(const char *name);
/* The i-th registered adapter (sim first), NULL past the last. */
const struct dut_ops *engine_dut_at(size_t i);
/* Comma separated names, for usage messages. */
const char *engine_dut_names(void);

/* dut_board.c: loads a firmware shared object (sim/synack_board.h) and
 * returns the adapter that runs it on a simulated board, or NULL with the
 * reason in err. One firmware per process; a later call replaces it. */
const struct dut_ops *dut_board_load(const char *path, char *err, size_t errcap);
/* The firmware the last successful dut_board_load() loaded, or NULL: for
 * code that runs it on a board of its own (synack serve). */
struct synack_board_firmware;
const struct synack_board_firmware *dut_board_firmware(void);
/* dut_avr.c: reads an ATmega328P firmware ELF and returns the adapter that
 * runs it in simavr with the chip model (sim/avr_host.h), driven through
 * its UART agent, or NULL with the reason. One image per process. */
const struct dut_ops *dut_avr_load(const char *path, char *err, size_t errcap);
/* The loaded firmware's adapter when `name` is its name, else NULL. */
const struct dut_ops *dut_board_loaded(const char *name);

/* diag.c: the checker's diagnostics of a chip model as text, one line per
 * rule broken: its first occurrence as model_diag_format() words it, and
 * how often it happened. Returns the length written into buf (cut at cap,
 * always NUL-terminated when cap > 0). */
struct enc_model;
size_t engine_model_diagnostics(const struct enc_model *m, char *buf, size_t cap);

#endif /* CONFORMANCE_ENGINE_H */
