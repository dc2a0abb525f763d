/*
 * dut_tap_priv.h - state shared by the parts of the tap DUT adapter:
 * dut_tap.c (namespace, TAP device, link layer, clock, capture),
 * dut_tap_sock.c (application actions as socket calls, the events they
 * produce, socket options) and dut_tap_diag.c (sock_diag lookups and
 * SOCK_DESTROY, TCP state, kernel counters).
 *
 * Everything lives in one struct dut_tap hung off dut->priv, so a process
 * may run several tap DUTs side by side, each in its own network
 * namespace. One thing is the process's: SIGURG, which reaches whichever
 * open tap DUT reads it first (dut_tap_urg_start).
 */
#ifndef CONFORMANCE_DUT_TAP_PRIV_H
#define CONFORMANCE_DUT_TAP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "dut.h"
#include "ip6_xlate.h"
#include "pcap_tap.h"

#define DUT_TAP_MAX_CONNS 64
#define DUT_TAP_MAX_EVENTS 64
#define DUT_TAP_MAX_PENDING_OPTS 16
/* packetdrill's device name: its scripts' shell lines name it
 * (defaults.sh: `tc qdisc add dev tun0 root pfifo`). */
#define DUT_TAP_IFNAME "tun0"

enum dut_tap_role {
	DUT_TAP_FREE = 0,
	DUT_TAP_LISTENER,
	DUT_TAP_CONNECTING,   /* connect() in progress: SYN-SENT */
	DUT_TAP_OPEN,         /* connected or accepted, the app holds the fd */
	DUT_TAP_ORPHAN,       /* the app closed it; the kernel may still run it */
};

/* One socket the application side knows about. Handles given to the
 * runner are indexes into dut_tap.conns, assigned in creation order. */
struct dut_tap_conn {
	enum dut_tap_role role;
	bool used;               /* handle taken (never reused within a run) */
	int fd;                  /* -1 once the app closed it */
	bool dead;               /* reset/refused/timed out: no more events */
	bool eof_seen;
	bool closed_seen;        /* CLOSED reported: both FINs through (or gone) */
	int inq_seen;            /* unread bytes when DATA was last reported */
	uint64_t send_pending;   /* bytes of a SEND the socket buffer refused */
	uint64_t send_seq;       /* bytes sent so far: the payload pattern */
	uint32_t lip, rip;       /* host order; 0 until known */
	uint16_t lport, rport;
	int last_state;          /* Linux TCP_* state last seen (orphans) */
	int inj_state;           /* state before the segment being injected, -1 = not its */
};

struct dut_tap_opt {
	int level, name;
	int64_t val;
};

struct dut_tap {
	struct dut_config cfg;
	int ns_fd;               /* the namespace; holding it keeps it alive */
	int tap_fd;              /* the TAP queue: frames to and from Linux */
	int ctl_fd;              /* AF_INET datagram socket in the ns, for ioctls */
	int diag_fd;             /* NETLINK_SOCK_DIAG socket in the ns */
	int ifindex;
	uint64_t t0;             /* CLOCK_MONOTONIC at open, ns */
	uint8_t dut_mac[6], peer_mac[6];
	struct sim_pcap pcap;
	bool pcap_on;

	struct dut_tap_conn conns[DUT_TAP_MAX_CONNS];
	int cur;                 /* the "current" connection, -1 = none */
	struct dut_tap_opt pending[DUT_TAP_MAX_PENDING_OPTS];
	unsigned n_pending;      /* options set before any socket existed */
	int rcvbuf;              /* DUT_APP_RCVBUF for every socket made after it, 0 = none */

	/* SIGURG (Linux's urgent-data signal, sk_send_sigurg) for the sockets
	 * this process owns (F_SETOWN), read through a signalfd while the
	 * adapter is open; -1 = not available. */
	int urg_fd;
	bool urg_was_blocked;

	enum dut_app_event ev[DUT_TAP_MAX_EVENTS];
	unsigned ev_head, ev_n;

	/* Real system calls (tap_syscall.c) and the frame buffer (a
	 * virtio header, Ethernet, a super-segment of up to 64 KiB). */
	struct tap_sys *sys;
	uint8_t *frame;
	bool started;            /* a segment injected or a call made */

	/* adapter counters, readable through counter("tap.<name>") */
	uint64_t frames_in, frames_out, arp_replies, noise_dropped, events_lost;
	struct ip6_map v6map;    /* IPv6 runs: the runner's addresses and the wire's */
	uint64_t nd_replies;     /* IPv6 runs: neighbour advertisements sent (dut_tap_v6.c) */
};

/* dut_tap.c: run the calling thread inside the DUT's namespace between
 * enter and leave (socket creation, sysctls, /proc/thread-self/net). */
int dut_tap_ns_enter(const struct dut_tap *t, int *saved);
void dut_tap_ns_leave(int saved);
uint64_t dut_tap_clock(const struct dut_tap *t);
/* Writes an Ethernet frame to the adapter's capture, when it has one. */
void dut_tap_capture(struct dut_tap *t, const uint8_t *frame, size_t len);
/* The virtio-net header in front of each TAP frame (IFF_VNET_HDR). */
#define VNET_HDR_LEN 10u
/* Writes value to /proc/sys/<name with dots as slashes>; caller is inside
 * the namespace. Returns 0 or -errno. */
int dut_tap_write_sysctl_in_ns(const char *name, const char *value);

/* Linux's TCP_* state numbers (include/net/tcp_states.h). */
#define LX_SYN_SENT 2
#define LX_TIME_WAIT 6
#define LX_CLOSE 7
#define LX_LISTEN 10
#define LX_NEW_SYN_RECV 12

/* dut_tap_diag.c: a socket of the namespace as sock_diag lists it. */
struct dut_tap_diag_query {
	uint16_t lport, rport;
	uint32_t lip, rip;       /* lip 0: the DUT's address */
	bool peer_only;          /* any non-listening socket with rip */
	int state;               /* out: Linux state, -1 = not found */
};
/* Fills q->state (-1 = no such socket); returns 0 or -errno. */
int dut_tap_diag_lookup(struct dut_tap *t, struct dut_tap_diag_query *q);
/* SOCK_DESTROY of c's 4-tuple: 0, -ENOENT, -EOPNOTSUPP (no
 * CONFIG_INET_DIAG_DESTROY), or another -errno. */
int dut_tap_diag_destroy(struct dut_tap *t, const struct dut_tap_conn *c);

/* dut_tap_sock.c */
void dut_tap_sock_init(struct dut_tap *t);
/* Starts reporting urgent data (SIGURG through a signalfd). */
void dut_tap_urg_start(struct dut_tap *t);
void dut_tap_sock_close_all(struct dut_tap *t);
void dut_tap_scan(struct dut_tap *t);
/* Around inject()'s TAP write: the states of the segment's connections
 * before it, and the ones it ended after it (RESET, REFUSED). */
void dut_tap_injecting(struct dut_tap *t, const uint8_t *ip, size_t len);
void dut_tap_injected(struct dut_tap *t, const uint8_t *ip, size_t len);
int dut_tap_app(struct dut *d, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN]);
enum dut_app_event dut_tap_app_event(struct dut *d);
int dut_tap_tcp_state(struct dut *d, const char **name);
int dut_tap_counter(struct dut *d, const char *name, uint64_t *val);
int dut_tap_sockopt(struct dut *d, struct dut_sockopt *o, char err[DUT_ERR_LEN]);
int dut_tap_so_error(struct dut *d, int conn);

#endif /* CONFORMANCE_DUT_TAP_PRIV_H */
