/*
 * dut.h - the device-under-test adapter interface of the conformance
 * engine. The runner plays the peer at the IP level: it injects IPv4
 * datagrams and collects the IPv4 datagrams the DUT emits; the adapter
 * handles everything below (Ethernet framing, ARP for the peer address,
 * the wire) and above (mapping application actions onto the DUT's API).
 *
 * Adapters:
 *   sim   our stack + driver on the ENC28J60 model (virtual time, exact)
 *   tap   the Linux kernel in a network namespace behind a TAP device
 *         (real time; the runner applies a tolerance)
 *   board:PATH.so  a user's firmware (driver + stack) built against
 *         sim/synack_board.h, on the ENC28J60 model (virtual time)
 *   avr:IMAGE.elf  a firmware image in simavr with the model on its SPI
 *         pins, driven through its UART agent (virtual time: AVR cycles)
 *   A mutation adapter wraps another adapter and rewrites frames.
 *
 * Time: dut_now() is the DUT's clock in ns since the scenario started.
 * dut_advance(until) lets the DUT run until `until` or until it emits a
 * datagram, whichever is first; a virtual-time DUT jumps, a real-time DUT
 * waits.
 */
#ifndef CONFORMANCE_DUT_H
#define CONFORMANCE_DUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DUT_MAX_PKT 1600u         /* an Ethernet-sized datagram: what sim, board, avr carry */
/* The largest datagram any adapter hands over: a TCP super-segment of a
 * DUT with segmentation offload (tap: TSO on, as packetdrill's tun), up
 * to IPv4's 65535 bytes. dut_ops.max_pkt says what one adapter takes. */
#define DUT_MAX_SUPER_PKT 65536u
#define DUT_ERR_LEN 256u

/* Profiles a DUT follows (bits), matched against a script's //! profile. */
#define DUT_PROFILE_RFC5961 0x01u
#define DUT_PROFILE_RFC1337 0x02u
/* A full connection pool takes a TIME-WAIT block for a new connection
 * (core/net/net.h NET_PROFILE_TW_RECYCLE); off: TIME-WAIT lingers 2*MSL. */
#define DUT_PROFILE_TW_RECYCLE 0x04u

struct dut_config {
	uint32_t dut_ip, peer_ip;      /* host order */
	uint16_t dut_port;             /* where listen/connect default to */
	uint16_t peer_port;
	uint8_t profile;               /* DUT_PROFILE_* requested */
	uint64_t seed;                 /* sim: the run's seed */
	const char *pcap_path;         /* NULL = no capture */
	/* The bytes DUT_APP_SEND emits: false, the adapter's a..z pattern;
	 * true, zeros, which is what packetdrill writes (zero-filled buffers)
	 * and compares outbound payloads with (conformance/packetdrill_so). */
	bool send_zeros;
	/* tap: keep a fresh namespace's sysctls, as packetdrill's namespace
	 * has them (a script with shell lines sets its own, defaults.sh);
	 * false: tcp_rmem/tcp_wmem and SYN backoff pinned to Linux's classic
	 * defaults, the same on every host. */
	bool fresh_sysctls;
	/* inbound_gso adapters: packetdrill's --mss, the gso_size of every
	 * inbound TCP datagram (0: none). */
	uint16_t gso_mss;
	/* --- Added for IPv6 (issue 11); zero: IPv4. --- packetdrill's
	 * --ip_version. DUT_IP_V6: the wire is IPv6 between dut_ip6 and
	 * peer_ip6, while the runner keeps speaking IPv4 with dut_ip and
	 * peer_ip as stand-ins: the adapter translates each datagram (TCP and
	 * UDP with the IPv6 pseudo-header, ICMP messages as ICMPv6 with the
	 * type and code numbers the script gave; dut_ops.ipv6). DUT_IP_MAPPED:
	 * IPv4 on the wire, AF_INET6 sockets with v4-mapped addresses. mtu:
	 * the link's (0: 1500; packetdrill's run_all.py gives IPv6 1520, so the
	 * MSS is IPv4's 1460). */
	uint8_t ip_version;
	uint8_t dut_ip6[16], peer_ip6[16];
	uint16_t mtu;
};
#define DUT_IP_V4 0u
#define DUT_IP_V6 1u
#define DUT_IP_MAPPED 2u

struct dut_packet {
	uint64_t t;                    /* DUT clock when it left the DUT */
	size_t len;
	uint8_t data[DUT_MAX_SUPER_PKT]; /* IPv4 datagram */
};

enum dut_app_kind {
	DUT_APP_LISTEN,   /* port; 0 = one the DUT picks (a socket never bound): result that port */
	DUT_APP_CONNECT,  /* ip, port */
	DUT_APP_SEND,     /* n bytes; result n queued, or an error */
	DUT_APP_RECV,     /* up to n bytes; result the count read, 0 at the end, or an error */
	DUT_APP_CLOSE,
	DUT_APP_ABORT,
	DUT_APP_SHUTDOWN_WR,
	/* The application's receive buffer holds n bytes, for the current
	 * connection and those made after: what it has not read (RECV) fills
	 * it, and the DUT advertises what is left, down to a zero window.
	 * sim: exactly n (at most 64 KiB, the window at most the stack's);
	 * tap: SO_RCVBUF n (Linux doubles it and keeps room for overhead). */
	DUT_APP_RCVBUF,
	/* shutdown(SHUT_RD): the application will read no more. What comes
	 * is still taken (Linux queues and acknowledges it, and recv still
	 * returns what is there, then 0 instead of EAGAIN); on the wire the
	 * difference shows later: Linux resets a connection whose FIN it has
	 * sent when new text arrives after SHUT_RD (RFC 1122 §4.2.2.13). */
	DUT_APP_SHUTDOWN_RD,
};

struct dut_app_cmd {
	enum dut_app_kind kind;
	uint32_t ip;
	uint16_t port;
	uint32_t n;
	int conn;                      /* connection handle; -1 = the current one,
	                                * DUT_CONN_LISTENER = the listener on `port`
	                                * (CLOSE / SHUTDOWN_WR on it: stop listening).
	                                * An adapter that keeps several connections
	                                * apart (tap) numbers them from 0 in the order
	                                * they are made: each successful LISTEN and
	                                * CONNECT, each ACCEPTED event; the runner
	                                * counts the same way. Others may ignore it. */
};

/* Additive (engine): conn value naming the listening socket on cmd.port. */
#define DUT_CONN_LISTENER (-2)

enum dut_app_event {
	DUT_EV_NONE = 0,
	DUT_EV_CONNECTED,
	DUT_EV_ACCEPTED,
	DUT_EV_DATA,
	DUT_EV_EOF,        /* peer closed */
	DUT_EV_CLOSED,     /* both FINs through: LAST-ACK ended or TIME-WAIT entered */
	DUT_EV_RESET,
	DUT_EV_REFUSED,
	DUT_EV_TIMEOUT,
	DUT_EV_URGENT,     /* the peer's urgent pointer is new or advanced (RFC 9293 MUST-32) */
};

/* A socket option, as packetdrill scripts use setsockopt/getsockopt.
 * name: "SO_REUSEADDR", "SO_LINGER", "SO_RCVBUF", "SO_SNDBUF",
 * "SO_KEEPALIVE", "SO_ERROR" (read only), "TCP_NODELAY", "TCP_MAXSEG",
 * "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_USER_TIMEOUT",
 * "TCP_SYNCNT", "TCP_CORK", "TCP_QUICKACK", "TCP_DEFER_ACCEPT", "IP_TTL",
 * "IP_TOS". SO_LINGER's val is the linger time in seconds, < 0 = off
 * (so "linger 0", the abortive close, is val 0). A set with no socket to
 * apply it to (before listen/connect) is kept and applied to the next
 * socket the adapter creates. */
struct dut_sockopt {
	int conn;                      /* -1 = the current one */
	const char *name;
	bool set;                      /* true: set to val; false: read into val */
	int64_t val;
};

/* Real system calls (issue 11): what a `...` sockaddr stands for. bind:
 * the DUT's address and the port the script listens on; connect, sendto
 * and sendmsg with MSG_FASTOPEN: the peer's. Host order. */
struct script_option;
struct dut_syscall_ctx {
	uint32_t bind_ip, connect_ip;
	uint16_t bind_port, connect_port;
	/* DUT_IP_* of the run: V6, a `...` sockaddr is a sockaddr_in6 with
	 * bind_ip6 / connect_ip6 and `socket(..., ...)` is AF_INET6; MAPPED,
	 * the same with the IPv4 addresses v4-mapped (::ffff:a.b.c.d). */
	uint8_t ip_version;
	uint8_t bind_ip6[16], connect_ip6[16];
	/* The script's options: a name that is no constant may be one of its
	 * defines (-D NAME=VALUE, --define), whose value is a number or a
	 * constant. NULL = none. */
	const struct script_option *options;
	/* The run's timing tolerance (tolerance_usecs), for times a call
	 * returns in its out-arguments: recvmsg's scm_timestamping. */
	uint64_t tolerance_ns;
};
#define DUT_SYS_RUNNING 0  /* started, not (yet) asleep in the kernel */
#define DUT_SYS_BLOCKED 1  /* asleep in the kernel: a blocking call blocked */
#define DUT_SYS_DONE 2     /* returned; syscall_finish() tells how */

struct script_syscall;
struct dut;

struct dut_ops {
	const char *name;
	uint8_t profiles_supported;    /* DUT_PROFILE_* bits it can be set to */
	bool virtual_time;
	int (*open)(struct dut *d, const struct dut_config *cfg, char err[DUT_ERR_LEN]);
	void (*close)(struct dut *d);
	uint64_t (*now)(struct dut *d);
	/* Inject one IPv4 datagram from the peer at the current time. */
	int (*inject)(struct dut *d, const uint8_t *ip, size_t len);
	/* Run until `until` or the next emitted datagram. Returns 1 with *out
	 * filled, 0 when `until` was reached with nothing emitted, <0 error.
	 * An adapter may also return 0 before `until` when an application
	 * event became pending (the runner reads now() and app_event()). */
	int (*advance)(struct dut *d, uint64_t until, struct dut_packet *out);
	/* Application actions; returns 0 or a negative errno-like value.
	 * DUT_APP_SEND returns n (the bytes are queued and go out as the
	 * window allows). DUT_APP_RECV takes what the application has
	 * received, up to n, without waiting: the count (> 0); 0 at the end
	 * of the stream (the peer's FIN read, or the connection over and its
	 * error reported); -EAGAIN when nothing is there yet; -ENOTCONN with
	 * no connection. Both report the connection's pending error once, in
	 * Linux's order (dut_sockerr.h: a reset is -ECONNRESET, -EPIPE in
	 * CLOSE-WAIT; -ECONNREFUSED, -ETIMEDOUT), and SEND then -EPIPE. The
	 * tap adapter's answers are the kernel's; sim and board emulate them
	 * with dut_sockerr.c. */
	int (*app)(struct dut *d, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN]);
	/* Pop the oldest application event not yet consumed (DUT_EV_NONE if
	 * none). */
	enum dut_app_event (*app_event)(struct dut *d);
	/* Optional (NULL = unsupported): the current connection's TCP state
	 * name ("SYN-RECEIVED", RFC 9293 spelling), a counter by name. */
	int (*tcp_state)(struct dut *d, const char **name);
	int (*counter)(struct dut *d, const char *name, uint64_t *val);

	/* --- Added for the tap adapter; all optional (0 / NULL). --- */
	/* Profile bits that are always on and cannot be cleared (Linux:
	 * RFC 5961). A config whose profile lacks one of them is refused by
	 * open(). */
	uint8_t profiles_fixed;
	/* Set or read a socket option by its C name (see struct dut_sockopt).
	 * Returns 0 or a negative errno-like value; -ENOPROTOOPT for a name
	 * the adapter does not know. */
	int (*sockopt)(struct dut *d, struct dut_sockopt *o, char err[DUT_ERR_LEN]);
	/* Set a sysctl inside the DUT ("net.ipv4.tcp_sack", "0"), the way a
	 * packetdrill script's back-quoted shell line does. Only names the DUT
	 * keeps per instance are allowed (tap: net.*, per namespace). */
	int (*sysctl)(struct dut *d, const char *name, const char *value, char err[DUT_ERR_LEN]);

	/* --- Added for behaviour profiles; optional (NULL = follows none). ---
	 * The named behaviour profiles (script.h script_behaviour_names:
	 * "synack-params", "rfc9293-strict", "linux-wire", "linux-params",
	 * "linux-right-edge") the DUT follows,
	 * NULL-terminated. A script whose `//! profile:` needs one the DUT
	 * does not follow (or excludes one it follows) is skipped with the
	 * reason. Exception made by the engine: "linux-wire" counts as
	 * followed by any DUT when the run ignores options and win. */
	const char *const *behaviours;

	/* --- Added for the board adapter; all optional (NULL). --- */
	/* Why the DUT cannot perform application action `kind`, or deliver
	 * application event `ev`, written into buf and returned; NULL when it
	 * can. The engine asks before a script runs (no dut instance yet), so
	 * a script needing what the DUT lacks is unsupported with the reason.
	 * NULL hook: everything is supported. */
	const char *(*app_unsupported)(enum dut_app_kind kind, char *buf, size_t cap);
	const char *(*event_unsupported)(enum dut_app_event ev, char *buf, size_t cap);
	/* The chip model's checker diagnostics for the DUT's driver (rule id,
	 * datasheet or errata reference, first occurrence, count), one line
	 * each, NUL-terminated in buf (cut at cap); returns the length
	 * written. Called before close(), also after a failed open(). NULL:
	 * the DUT has no chip model (tap). */
	size_t (*diagnostics)(struct dut *d, char *buf, size_t cap);

	/* --- Added for the avr adapter; optional (0 = the engine's default,
	 * ENGINE_DEFAULT_TOLERANCE_NS). --- How late this DUT may send when
	 * neither --tolerance-usecs nor the script's --tolerance_usecs says.
	 * A virtual-time DUT whose CPU is modelled (an ATmega328P at 16 MHz)
	 * spends real, simulated milliseconds answering, where sim's answers
	 * take microseconds; it is still never allowed early. */
	int64_t tolerance_ns;

	/* --- Added for the socket errors (issue 8); optional (NULL: the
	 * runner derives SO_ERROR from the application events). ---
	 * getsockopt(SO_ERROR) on connection `conn` (-1 = the current one):
	 * its pending error, which this clears, as read and write would
	 * (0 = none). */
	int (*so_error)(struct dut *d, int conn);

	/* --- Added for real system calls (issue 11); all optional (NULL: the
	 * runner maps calls onto app()). --- An adapter with a kernel (tap)
	 * makes a script's system calls for real, one at a time, on a thread
	 * of its own, so results, errno and blocking are the kernel's.
	 * syscall_check: before a run, NULL when the call's shape can be made,
	 * else why not (in buf). syscall_start: 0; -1 with err, the call
	 * cannot be made (unsupported); -2 with err, the script is wrong for
	 * this run (an fd it never opened: packetdrill's runtime error, a
	 * failure). syscall_state: DUT_SYS_*; *t_end is the DUT clock
	 * when it returned. syscall_finish: after DONE, compares result, errno
	 * and out arguments with the script: 0 as expected, 1 different, -1
	 * cannot be checked (msg says why). */
	const char *(*syscall_check)(const struct script_syscall *sc, const struct dut_syscall_ctx *ctx, char *buf,
				     size_t cap);
	int (*syscall_start)(struct dut *d, const struct script_syscall *sc, const struct dut_syscall_ctx *ctx,
			     char err[DUT_ERR_LEN]);
	int (*syscall_state)(struct dut *d, uint64_t *t_end);
	int (*syscall_finish)(struct dut *d, char *msg, size_t cap);
	/* A back-quoted shell command run with /bin/sh inside the DUT, from
	 * directory dir: its exit status (0 = success), or <0 with err when it
	 * could not be run. */
	int (*shell)(struct dut *d, const char *cmd, const char *dir, char err[DUT_ERR_LEN]);
	/* Python assignments (`tcpi_snd_cwnd = 10`) of the TCP_INFO of the
	 * socket the last socket()/accept() made, as packetdrill gives a
	 * %{ }% block; 0, or <0 with why in buf. */
	int (*tcp_info_vars)(struct dut *d, char *buf, size_t cap);
	/* The largest datagram inject() takes (0: DUT_MAX_PKT). */
	size_t max_pkt;
	/* inject() hands TCP datagrams to the kernel as GSO packets of
	 * dut_config.gso_mss-byte segments (packetdrill's --mss). */
	bool inbound_gso;
	/* --- Added for IPv6 (issue 11). --- The adapter runs
	 * dut_config.ip_version DUT_IP_V6 and DUT_IP_MAPPED (false: IPv4
	 * only, and such a run is unsupported with the reason). */
	bool ipv6;
};

struct dut {
	const struct dut_ops *ops;
	void *priv;
};

#ifdef __cplusplus
}
#endif
#endif /* CONFORMANCE_DUT_H */
