/*
 * script.h - the parsed form of a synack conformance script.
 *
 * A script is text in packetdrill's language plus synack's extensions
 * (conformance/README.md). The pipeline follows packetdrill (STYLE.md 9):
 * lexer.c turns text into tokens, parser.c / parse_packet.c / parse_syscall.c
 * build the event list below, and nothing else happens at parse time: the
 * runner walks `script->events` in order, the verifier compares packets, and
 * DUT adapters decide what they can honour (shell commands, Python blocks and
 * system calls an embedded stack cannot run are still parsed, so the runner can
 * name the exact line when it marks a script unsupported).
 *
 * Numbers are kept as written: sequence numbers stay in script space (relative
 * to each side's ISN unless marked absolute), times stay in the frame they were
 * written in (absolute, relative, any, range), in nanoseconds. Every event and
 * expression carries its source location for `file:line:col:` messages.
 *
 * All memory of a parsed script belongs to one arena released by
 * script_free(); consumers never free parts of it.
 */
#ifndef SYNACK_SCRIPT_H
#define SYNACK_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Limits the parser enforces; a script past one of them is malformed. */
#define SCRIPT_MAX_BYTES        (1024u * 1024u) /* whole script */
#define SCRIPT_MAX_LINE         4096u   /* characters per line */
#define SCRIPT_MAX_NESTING      32u     /* ( [ { depth in expressions */
#define SCRIPT_MAX_LIST         256u    /* items in one [..] / {..} / (..) */
#define SCRIPT_MAX_TCP_OPTIONS  40u     /* option bytes in a TCP header */
#define SCRIPT_MAX_SACK_BLOCKS  4u
#define SCRIPT_MAX_HEX_BLOB     38u     /* bytes in md5 / FO cookie blobs: packetdrill's
                                         * longest cookie, 40 option bytes less kind and
                                         * length */
#define SCRIPT_MAX_TIME_S       1000000000LL /* times stay below 10^9 s */

enum script_status {
	SCRIPT_OK = 0,
	SCRIPT_ERR_PARSE,   /* malformed script; err->text says where */
	SCRIPT_ERR_IO,      /* file could not be read */
	SCRIPT_ERR_NOMEM,
};

struct script_loc {
	int line; /* 1-based; 0 when not tied to a place in the file */
	int col;  /* 1-based byte column; a tab counts as one */
};

#define SCRIPT_ERROR_TEXT 512
struct script_error {
	struct script_loc loc;
	char message[256];             /* "what is wrong" alone */
	char text[SCRIPT_ERROR_TEXT];  /* "file:line:col: what is wrong" */
};

/* ---- time ------------------------------------------------------------- */

enum script_time_kind {
	SCRIPT_TIME_NONE,      /* init / cleanup command without a time */
	SCRIPT_TIME_ABS,       /* 0.100        lo = hi = 100 ms after start */
	SCRIPT_TIME_REL,       /* +0.1         lo = hi = 100 ms after previous */
	SCRIPT_TIME_ANY,       /* *            no timing check */
	SCRIPT_TIME_ABS_RANGE, /* 0.9~1.1      lo..hi after start */
	SCRIPT_TIME_REL_RANGE, /* +0~+0.04     lo..hi after previous */
};

struct script_time {
	enum script_time_kind kind;
	int64_t lo_ns;
	int64_t hi_ns; /* == lo_ns unless a range */
};

/* ---- packets ---------------------------------------------------------- */

/* TCP header flag bits, as on the wire (RFC 9293 §3.1). */
#define SCRIPT_TCP_FIN 0x01u
#define SCRIPT_TCP_SYN 0x02u
#define SCRIPT_TCP_RST 0x04u
#define SCRIPT_TCP_PSH 0x08u
#define SCRIPT_TCP_ACK 0x10u
#define SCRIPT_TCP_URG 0x20u
#define SCRIPT_TCP_ECE 0x40u
#define SCRIPT_TCP_CWR 0x80u

enum script_direction {
	SCRIPT_INBOUND,  /* '<'  the script injects it into the DUT */
	SCRIPT_OUTBOUND, /* '>'  the DUT must send it */
};

enum script_seq_mode {
	SCRIPT_SEQ_RELATIVE, /* 1:1001(1000)   relative to the sender's ISN */
	SCRIPT_SEQ_ABSOLUTE, /* 1:1001(1000)!  the number on the wire */
	SCRIPT_SEQ_IGNORE,   /* ...(1000)      outbound only: seq unchecked */
};

enum script_tcp_option_kind {
	SCRIPT_OPT_EOL,
	SCRIPT_OPT_NOP,
	SCRIPT_OPT_MSS,
	SCRIPT_OPT_WSCALE,
	SCRIPT_OPT_SACK_PERMITTED,
	SCRIPT_OPT_SACK,
	SCRIPT_OPT_TIMESTAMP,
	SCRIPT_OPT_MD5,
	SCRIPT_OPT_FASTOPEN,
	SCRIPT_OPT_FASTOPEN_EXP,
};

struct script_sack_block {
	uint32_t left, right; /* relative to the DUT's ISN, like ack */
};

struct script_tcp_option {
	enum script_tcp_option_kind kind;
	struct script_loc loc;
	const char *blob_name; /* md5 / FO written as a name no define gave a value
	                        * (TFO_COOKIE), or "valid" (nplab's md5 valid) */
	union {
		uint16_t mss;
		uint8_t wscale;
		struct {
			uint32_t val, ecr;
		} ts;
		struct {
			uint8_t n;
			struct script_sack_block block[SCRIPT_MAX_SACK_BLOCKS];
		} sack;
		struct {
			uint8_t len;
			uint8_t bytes[SCRIPT_MAX_HEX_BLOB];
		} blob; /* md5 digest, fast open cookie */
	} u;
};

enum script_ecn {
	SCRIPT_ECN_UNCHECKED, /* no ECN codepoint given */
	SCRIPT_ECN_NOT_ECT,   /* [noecn] */
	SCRIPT_ECN_ECT1,      /* [ect1] */
	SCRIPT_ECN_ECT0,      /* [ect0] */
	SCRIPT_ECN_CE,        /* [ce] */
	SCRIPT_ECN_ECT01,     /* [ect01] outbound: either ECT codepoint */
};

struct script_ip_info {
	bool has_tos;
	uint8_t tos;
	bool has_ttl;
	uint8_t ttl;
	enum script_ecn ecn;
	bool has_addrs;        /* "ipv4 A > B:" prefix */
	uint32_t src_addr;     /* host byte order, a.b.c.d = a<<24|... */
	uint32_t dst_addr;
	bool has_ports;        /* "SRC>DST" before the flags */
	uint16_t src_port, dst_port;
};

enum script_proto {
	SCRIPT_PROTO_TCP = 0,
	SCRIPT_PROTO_UDP,    /* "udp [SRC>DST] (LEN)" */
	SCRIPT_PROTO_ICMP,   /* "icmp TYPE [CODE] [mtu N] [id N] [[echoed]]" */
};

/* What an ICMP error quotes (RFC 792: the IP header and 64 bits of the
 * datagram that caused it). */
enum script_icmp_echoed {
	SCRIPT_ICMP_ECHO_TCP = 0, /* "[seq:end(len)]" or nothing: a TCP header */
	SCRIPT_ICMP_ECHO_UDP,     /* "[udp (LEN)]" */
	SCRIPT_ICMP_ECHO_RAW,     /* "[raw (LEN)]": LEN zero bytes, no quote */
};

struct script_icmp {
	const char *type_name;    /* as written: "unreachable", "type_3" */
	const char *code_name;    /* as written, or NULL (code 0) */
	uint8_t type, code;       /* on the wire, for the script's IP version */
	bool v6;                  /* resolved with ICMPv6's table */
	bool has_mtu;             /* "mtu N" (frag_needed / packet_too_big) */
	uint32_t mtu;
	bool has_id;              /* "id N" (echo) */
	uint16_t id;
	enum script_icmp_echoed echoed;
	bool echoed_given;        /* a [..] part was written */
	uint32_t echoed_seq;      /* TCP: the quoted sequence number (the DUT's, relative) */
	uint16_t echoed_len;      /* payload of the quoted datagram (TCP, UDP) / RAW bytes */
	bool echoed_encap;        /* "[seq/udp(S > D)]" (nplab) */
	uint16_t echoed_encap_src, echoed_encap_dst;
};

struct script_packet {
	enum script_direction dir;
	uint8_t flags;              /* SCRIPT_TCP_* bits; '-' is 0 */
	enum script_seq_mode seq_mode;
	uint32_t seq_start;         /* unused when SCRIPT_SEQ_IGNORE */
	uint32_t seq_end;           /* seq_start + len (mod 2^32) */
	uint16_t len;               /* payload bytes */
	bool has_ack;
	bool ack_absolute;          /* "ack N!" */
	uint32_t ack;
	bool has_win;               /* omitted: the window is not checked */
	uint16_t win;
	bool has_urg;
	uint16_t urg;
	bool options_any;           /* "<...>": options not checked */
	uint8_t n_options;          /* 0 and !options_any: no options */
	struct script_tcp_option *options; /* n_options entries */
	struct script_ip_info ip;
	/* --- Added for udp / icmp packets and IPv6 (packetdrill's grammar). --- */
	enum script_proto proto;    /* TCP unless "udp" or "icmp" was written */
	struct script_icmp icmp;    /* proto ICMP */
	bool udp_encap;             /* TCP over UDP: ".../udp(SRC > DST)" (nplab) */
	uint16_t encap_src_port, encap_dst_port;
	bool ipv6;                  /* "ipv6 A > B:" prefix: src6/dst6 hold it */
	uint8_t src6[16], dst6[16];
	bool has_flowlabel;         /* "(flowlabel 0x12345)" IPv6 field */
	uint32_t flowlabel;
	bool md5_valid;             /* "md5 valid": the digest is the signer's (nplab) */
};

/* ---- system calls ----------------------------------------------------- */

enum script_expr_kind {
	SCRIPT_EXPR_ELLIPSIS, /* ...            any value */
	SCRIPT_EXPR_INT,      /* 3, -1, 0x10 */
	SCRIPT_EXPR_WORD,     /* SOCK_STREAM, AF_INET, a define's name */
	SCRIPT_EXPR_STRING,   /* "text" (with_ellipsis: "text"...) */
	SCRIPT_EXPR_LIST,     /* [a, b]         children */
	SCRIPT_EXPR_STRUCT,   /* {a, b=c}       children */
	SCRIPT_EXPR_CALL,     /* htons(8080)    text = name, children = args */
	SCRIPT_EXPR_OR,       /* a|b            lhs, rhs */
	SCRIPT_EXPR_ASSIGN,   /* name=value     lhs (word or call), rhs */
};

struct script_expr {
	enum script_expr_kind kind;
	struct script_loc loc;
	int64_t num;          /* INT */
	bool hex;             /* INT written in hex */
	bool with_ellipsis;   /* STRING followed by ... */
	const char *text;     /* WORD, STRING (unescaped), CALL name */
	struct script_expr *lhs, *rhs;
	struct script_expr *child; /* first child of LIST/STRUCT/CALL */
	struct script_expr *next;  /* next sibling */
	size_t n_children;
};

struct script_syscall {
	const char *name;
	struct script_expr *args;   /* first argument, linked by ->next */
	size_t n_args;
	struct script_expr *result; /* expected return value */
	const char *errno_name;     /* "EINPROGRESS" or NULL */
	const char *note;           /* "(Operation now in progress)" text or NULL */
	bool blocking;              /* "...t" given */
	int64_t end_ns;             /* return time, same frame as the start */
};

/* ---- synack extensions ------------------------------------------------ */

enum script_cmp {
	SCRIPT_CMP_EQ, SCRIPT_CMP_NE, SCRIPT_CMP_LT,
	SCRIPT_CMP_LE, SCRIPT_CMP_GT, SCRIPT_CMP_GE,
};

enum script_app_op {
	SCRIPT_APP_LISTEN,  /* listen [PORT] */
	SCRIPT_APP_CONNECT, /* connect [ADDR:]PORT | connect */
	SCRIPT_APP_SEND,    /* send N       queue N bytes */
	SCRIPT_APP_RECV,    /* recv N       read up to N bytes, expecting exactly N;
	                     * recv <=N     ... expecting 1 to N (what arrived);
	                     * recv >=N     read what is there, expecting at least N */
	SCRIPT_APP_CLOSE,   /* close        orderly close (FIN) */
	SCRIPT_APP_ABORT,   /* abort        abortive close (RST) */
	SCRIPT_APP_RCVBUF,  /* rcvbuf N     the application's receive buffer holds N bytes */
	SCRIPT_APP_SHUTDOWN, /* shutdown [wr|rd|rdwr]  shutdown(2): SHUT_WR (the default: FIN
	                     * after the data, receiving goes on), SHUT_RD, SHUT_RDWR */
};

/* script_app_action.shut: the sides shutdown closes. */
#define SCRIPT_SHUT_RD 0x1u
#define SCRIPT_SHUT_WR 0x2u

struct script_app_action {
	enum script_app_op op;
	bool has_addr;
	uint32_t addr;       /* connect: host byte order */
	bool has_port;
	uint16_t port;       /* listen / connect */
	uint32_t bytes;      /* send / recv / rcvbuf */
	enum script_cmp bytes_cmp; /* recv: EQ (N), LE (<=N) or GE (>=N); send: EQ */
	unsigned shut;       /* shutdown: SCRIPT_SHUT_RD | SCRIPT_SHUT_WR */
};

enum script_app_event {
	SCRIPT_APPEV_CONNECTED, /* active open completed */
	SCRIPT_APPEV_ACCEPTED,  /* passive open completed */
	SCRIPT_APPEV_REFUSED,   /* connect answered by RST */
	SCRIPT_APPEV_RESET,     /* established connection reset by peer */
	SCRIPT_APPEV_CLOSED,    /* connection fully closed */
	SCRIPT_APPEV_TIMEOUT,   /* user timeout / retransmissions exhausted */
	SCRIPT_APPEV_EOF,       /* peer's FIN delivered to the application */
	SCRIPT_APPEV_URGENT,    /* the peer's urgent pointer is new or advanced (MUST-32) */
};

/* RFC 9293 §3.3.2 state names. */
enum script_tcp_state {
	SCRIPT_STATE_CLOSED,
	SCRIPT_STATE_LISTEN,
	SCRIPT_STATE_SYN_SENT,
	SCRIPT_STATE_SYN_RECEIVED,
	SCRIPT_STATE_ESTABLISHED,
	SCRIPT_STATE_FIN_WAIT_1,
	SCRIPT_STATE_FIN_WAIT_2,
	SCRIPT_STATE_CLOSE_WAIT,
	SCRIPT_STATE_CLOSING,
	SCRIPT_STATE_LAST_ACK,
	SCRIPT_STATE_TIME_WAIT,
};

struct script_counter_assert {
	const char *name;  /* checked with script_check_counters(), read by the runner */
	struct script_loc name_loc;
	enum script_cmp cmp;
	uint32_t value;
};

/* ---- events ----------------------------------------------------------- */

enum script_event_kind {
	SCRIPT_EV_PACKET,      /* < or > TCP segment */
	SCRIPT_EV_SYSCALL,     /* strace-style socket call */
	SCRIPT_EV_SHELL,       /* `command` */
	SCRIPT_EV_CODE,        /* %{ python }% */
	SCRIPT_EV_NOTHING,     /* > nothing      no segment until this time */
	SCRIPT_EV_APP_ACTION,  /* listen / connect / send / recv / close / abort */
	SCRIPT_EV_APP_EVENT,   /* event connected ... */
	SCRIPT_EV_STATE,       /* state SYN-RECEIVED */
	SCRIPT_EV_COUNTER,     /* counter NAME == N */
};

struct script_event {
	enum script_event_kind kind;
	struct script_time time;
	struct script_loc loc;     /* the event's first token (its time) */
	struct script_event *next;
	union {
		struct script_packet packet;
		struct script_syscall syscall;
		const char *shell;     /* command line, between the backquotes */
		const char *code;      /* snippet, blanks trimmed at both ends */
		struct script_app_action app;
		enum script_app_event app_event;
		enum script_tcp_state state;
		struct script_counter_assert counter;
	} u;
};

/* ---- header, options, script ------------------------------------------ */

enum script_profile_value {
	SCRIPT_PROFILE_ANY = 0, /* not stated: the script holds either way */
	SCRIPT_PROFILE_ON,
	SCRIPT_PROFILE_OFF,
};

/* Named behaviour profiles: where RFC 9293, RFC 5961, RFC 1337 and the
 * reference stacks legitimately differ in something other than the two
 * switchable RFC profiles. A closed list (conformance/README.md, "The
 * header"); a DUT adapter says which of them it follows. */
enum script_behaviour {
	SCRIPT_BEH_SYNACK_PARAMS = 0, /* numbers from our stack's configuration */
	SCRIPT_BEH_RFC9293_STRICT,    /* RFC 9293 where Linux deviates */
	SCRIPT_BEH_LINUX_WIRE,        /* Linux's exact SYN options, window, timers */
	SCRIPT_BEH_LINUX_PARAMS,      /* numbers from Linux's configuration (RCV.WND 64240) */
	SCRIPT_BEH_LINUX_RIGHT_EDGE,  /* Linux: RCV.NXT+RCV.WND is inside the window */
	SCRIPT_BEH_COUNT
};

/* "synack-params", "rfc9293-strict", "linux-wire", "linux-params",
 * "linux-right-edge" (index: enum script_behaviour) and a one-line reason
 * for each. */
extern const char *const script_behaviour_names[SCRIPT_BEH_COUNT];
extern const char *const script_behaviour_reasons[SCRIPT_BEH_COUNT];
/* Index of a behaviour profile name, or -1. */
int script_behaviour_find(const char *name);

struct script_header {
	const char *title;
	const char *rfc[8];        /* "//! rfc:" lines, in order */
	size_t n_rfc;
	enum script_profile_value rfc5961;
	enum script_profile_value rfc1337;
	enum script_profile_value timewait_recycle; /* "timewait-recycle" */
	/* Behaviour profiles: ON = the script needs a DUT that follows it
	 * (`name` or `name=on`), OFF = one that does not (`name=off`). */
	enum script_profile_value behaviour[SCRIPT_BEH_COUNT];
	bool has_local, has_remote;
	uint32_t local_addr, remote_addr;   /* 0 when only a port was given */
	uint16_t local_port, remote_port;   /* 0 when not given */
	struct script_loc loc;     /* first header line */
};

struct script_option {
	bool is_define;            /* --define=N=V or -D N=V */
	const char *name;          /* "tolerance_usecs" or the define's name */
	const char *value;         /* NULL for a bare --flag */
	struct script_loc loc;
	struct script_option *next;
};

struct script {
	const char *path;          /* as given to the parser, for messages */
	struct script_header header;
	struct script_option *options;
	size_t n_options;
	struct script_event *init_command;    /* SHELL event, time NONE, or NULL */
	struct script_event *events;
	size_t n_events;
	struct script_event *cleanup_command; /* SHELL event, time NONE, or NULL */
	void *arena_;              /* private: owns every byte above */
};

/* Defines (packetdrill's -D NAME=VALUE / --define NAME=VALUE): a word of
 * the script that is a define's name and not one of packetdrill's
 * keywords is read as its value: "..." a string, `...` a command, an
 * integer an integer, anything else a word. `#ifdef NAME` ... `#endif`
 * (nplab's packetdrill) keeps its lines when NAME is defined, with or
 * without a value. The caller's defines override the script's own
 * `--define` lines, as packetdrill's command line does. */
struct script_define {
	const char *name;
	const char *value;         /* NULL: defined without a value */
};

struct script_parse_config {
	const struct script_define *defines;
	size_t n_defines;
	/* packetdrill's --ip_version given to the run ("ipv4", "ipv6",
	 * "ipv4-mapped-ipv6"), over the script's own line; NULL: the script's.
	 * It picks the ICMP or ICMPv6 names of icmp lines. */
	const char *ip_version;
};

/* As script_parse_string / script_parse_file, with defines (cfg may be NULL). */
enum script_status script_parse_string_cfg(const char *path, const char *text, size_t len,
					   const struct script_parse_config *cfg,
					   struct script **out, struct script_error *err);
enum script_status script_parse_file_cfg(const char *path, const struct script_parse_config *cfg,
					 struct script **out, struct script_error *err);
/* packetdrill's IP version of a parsed script: its --ip_version line
 * ("ipv4", "ipv6", "ipv4-mapped-ipv6"), "ipv4" when none. */
const char *script_ip_version(const struct script *s);

enum script_status script_parse_string(const char *path, const char *text,
				       size_t len, struct script **out,
				       struct script_error *err);
enum script_status script_parse_file(const char *path, struct script **out,
				     struct script_error *err);
void script_free(struct script *script);

/* Canonical text of a parsed script; parsing it again gives the same AST.
 * script_dump returns a malloc'd string (NULL on allocation failure). */
char *script_dump(const struct script *script);
int script_dump_file(const struct script *script, FILE *f);
void script_dump_event(const struct script_event *ev, FILE *f);

/* Counter names are not the language's: they belong to the stacks under
 * test, so the caller supplies them. `problem` returns NULL for a name it
 * knows, else a message ("unknown counter 'x' (did you mean 'y'?)") in buf.
 * script_check_counters() applies it to every `counter` statement and
 * reports the first problem as "file:line:col: message" (SCRIPT_ERR_PARSE),
 * so an unknown name is an input error before any run, on any DUT. */
typedef const char *(*script_counter_problem)(const char *name, char *buf, size_t cap, void *ctx);
enum script_status script_check_counters(const struct script *s, script_counter_problem problem,
					 void *ctx, struct script_error *err);

/* Whether `name` is a Linux errno name ("ECONNRESET"); the parser accepts
 * no other after a system call's result. */
bool script_errno_known(const char *name);

/* packetdrill's name of an ICMP (v6: ICMPv6) type, or of a code of a
 * type, or NULL when it has none ("unreachable", "frag_needed"). */
const char *script_icmp_type_name(bool v6, uint8_t type);
const char *script_icmp_code_name(bool v6, uint8_t type, uint8_t code);

/* Names used by the dump and by runner messages. */
const char *script_event_kind_name(enum script_event_kind kind);
const char *script_state_name(enum script_tcp_state state);
const char *script_app_op_name(enum script_app_op op);
const char *script_app_event_name(enum script_app_event ev);
const char *script_cmp_name(enum script_cmp cmp);

#endif /* SYNACK_SCRIPT_H */
