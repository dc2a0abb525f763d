/*
 * pdso.h - the insides of libsynack_packetdrill.so: real packetdrill
 * (--so_filename) driving a simulated device in virtual time.
 *
 *   packetdrill ──(packetdrill_abi.h table)──> pdso_init.c   flags, open/free, messages
 *                                              pdso_time.c   clock, netdev_send/receive,
 *                                                            usleep, blocking, threads
 *                                              pdso_sock.c   the socket calls
 *                                              pdso_ctl.c    options, fcntl, ioctl, poll
 *                                              pdso_flags.c  --so_flags
 *       └──> struct dut_ops (conformance/engine/dut.h): sim, board:PATH.so, [avr:IMAGE.elf]
 *              └──> link ──> ENC28J60 model ──SPI──> driver ──> stack, as `synack run`
 *
 * One struct pdso per packetdrill run, one mutex over all of it: packetdrill
 * calls in from its main thread (every packet, clock read and most system
 * calls: the *driver*, the thread that called init) and from its system
 * call thread (the calls a script marks as blocking with `...`). Only the
 * driver moves virtual time; a call that must block on the other thread
 * waits on the condition variable until the driver's progress makes it
 * ready (and is then handed the clock, see pdso_time.c). A call that
 * blocks on the driver itself moves time on its own, as a kernel would let
 * time pass.
 *
 * The DUT keeps one "current connection" (dut.h), so the library does too:
 * struct pdso_conn mirrors it, attached to the socket that connected or
 * accepted it.
 */
#ifndef SYNACK_PDSO_H
#define SYNACK_PDSO_H

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dut.h"
#include "packetdrill_abi.h"

struct pdso;

#define PDSO_MAX_SOCKS 32
#define PDSO_OUTQ 256u
#define PDSO_MAX_OWED 8u
/* The wall-clock bound on a hand-over (pdso_time.c): a woken call that
 * does not read the clock within it is not waited for any longer. */
#define PDSO_HANDOFF_WALL_MS 2000
/* gettimeofday's epoch: fixed, so two runs print the same times. */
#define PDSO_EPOCH_S 1700000000ull
#define PDSO_PREFIX "synack-packetdrill: "

struct pdso_flags {
	char dut[1100];          /* "sim", "board:PATH.so", "avr:IMAGE.elf" */
	uint64_t seed;
	uint8_t profile;         /* DUT_PROFILE_* */
	char pcap[1024];         /* "" = no capture */
	char mutate[32];         /* "" = none; else dut_mutate_wrap's kinds */
	uint64_t timeout_ns;     /* virtual time a wait may last with nothing happening */
	uint64_t tick_ns;        /* how far each gettimeofday moves the clock */
	uint32_t dut_ip, peer_ip; /* the DUT's own addresses (host order) */
	bool verbose;
};

/* pdso_flags.c: defaults, then --so_flags ("dut=sim seed=7 ..."). Returns
 * 0, or -1 with a message naming the key in err. */
void pdso_flags_defaults(struct pdso_flags *f);
int pdso_flags_parse(const char *s, struct pdso_flags *f, char *err, size_t cap);
/* "dut, seed, profile, ..." for messages. */
const char *pdso_flags_keys(void);

enum pdso_kind {
	PDSO_FREE = 0,
	PDSO_SOCK_NEW,     /* socket(), maybe bound */
	PDSO_SOCK_LISTEN,
	PDSO_SOCK_CONN,    /* owns the connection (connect or accept) */
};

struct pdso_sock {
	enum pdso_kind kind;
	int fd;                  /* a real descriptor (/dev/null), see pdso_sock.c */
	uint64_t fd_dev, fd_ino; /* its identity: closed only while it is still ours */
	int domain;              /* AF_INET or AF_INET6 (v4-mapped addresses) */
	bool nonblock, cloexec;
	bool bound;
	uint16_t port;           /* bound / listening port */
	bool linger0;            /* SO_LINGER {1, 0}: close() aborts */
	int opt_reuseaddr, opt_reuseport, opt_nodelay;
};

/* The DUT's current connection as the application sees it. */
struct pdso_conn {
	bool used;
	bool active;             /* connect(); false = a passive open */
	bool connecting;         /* no CONNECTED / ACCEPTED yet */
	bool queued;             /* passive, established, not yet accept()ed */
	bool dead;               /* closed, reset, refused or timed out in the DUT */
	bool eof;                /* the peer's FIN */
	bool rd_shut, wr_shut;   /* shutdown() by the application */
	int err;                 /* pending socket error (SO_ERROR), 0 = none */
	uint64_t rx_avail;       /* bytes the DUT received that read() has not taken */
	int fd;                  /* the socket it belongs to, -1 = none (closed / queued) */
	int listen_fd;           /* passive: the listener it was accepted on */
	uint16_t local_port;
	uint32_t peer_ip;        /* packetdrill's address of the peer (host order) */
	uint16_t peer_port;
};

/* A call blocked on a thread other than the driver. */
struct pdso_waiter {
	struct pdso_waiter *next;
	bool (*ready)(struct pdso *p, void *arg);
	void *arg;
	uint64_t deadline;       /* virtual ns at which it gives up; UINT64_MAX = never */
	bool woken;
	pthread_t thread;
};

struct pdso {
	pthread_mutex_t mu;
	pthread_cond_t cv;        /* any progress: waiters re-check */
	pthread_t driver;         /* the thread that called init */
	struct pdso_flags fl;
	const struct dut_ops *ops;
	struct dut dut;
	bool dut_open;
	atomic_bool finished;     /* the DUT is closed: nothing more to do */
	char dut_label[80];       /* "sim", "board:libx.so" for messages */

	/* The library's clock, ns since the DUT's time 0 (a booted board). */
	uint64_t vnow;
	bool started;             /* the first call that is not a clock read seen */
	uint64_t t_script0;       /* its time: the script's time 0, near enough */
	bool recv_waiting;        /* in a run of netdev_receive calls */
	uint64_t recv_from;       /* when that run started */
	uint64_t recv_given;      /* datagrams handed over in that run (not the expected one) */

	/* What the DUT sent, not yet handed to netdev_receive. */
	struct dut_packet scratch;  /* advance()'s output */
	struct dut_packet *outq;
	size_t oq_head, oq_len;
	uint64_t oq_dropped;

	struct pdso_sock socks[PDSO_MAX_SOCKS];
	struct pdso_conn conn;
	uint16_t next_ephemeral;

	/* Blocking and the hand-over of the clock (pdso_time.c). */
	struct pdso_waiter *waiters;
	unsigned handoffs;        /* woken calls that have not read the clock yet */
	pthread_t owed[PDSO_MAX_OWED];
	size_t n_owed;
	bool handoff_warned;

	/* Address translation: the DUT has fixed addresses (fl.dut_ip,
	 * fl.peer_ip); packetdrill's (a random --local_ip by default) are
	 * learnt from bind(), connect() and the first inbound datagram. */
	uint32_t pd_local, pd_remote;
	bool have_local, have_remote;
	uint16_t last_syn_sport;  /* peer port of the last SYN injected */
};

/* ---- pdso_init.c ---- */
/* The entry point (packetdrill_abi.h), the library's only exported symbol. */
__attribute__((visibility("default"))) void packetdrill_interface_init(const char *flags,
								      struct packetdrill_interface *t);
/* Message to stderr, prefixed "synack-packetdrill: ". */
void pdso_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "synack-packetdrill: unsupported: ..." for a call or argument the library
 * cannot emulate; the caller then fails it with ENOSYS. */
void pdso_unsupported(struct pdso *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* With --so_flags verbose: one line per call and packet. */
void pdso_log(struct pdso *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Says why, closes the DUT (so a capture is complete) and exits. Called
 * with the mutex held. */
_Noreturn void pdso_fatal(struct pdso *p, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Closes the DUT once: pcap renamed into place, checker lines printed. */
void pdso_finish(struct pdso *p);

/* ---- pdso_time.c ---- */
enum pdso_call { PDSO_CALL_CLOCK, PDSO_CALL_RECV, PDSO_CALL_OTHER };
/* Lock, settle any hand-over owed by this thread, and (on the driver) wait
 * for hand-overs owed to others. Every table function starts with it. */
void pdso_enter(struct pdso *p, enum pdso_call kind);
void pdso_leave(struct pdso *p);
bool pdso_is_driver(const struct pdso *p);
/* Runs the DUT up to the library's clock (before an action at "now"). */
void pdso_sync(struct pdso *p);
/* Drains the DUT's application events into the connection (pdso_drain),
 * and also wakes the waiters whose calls became ready (pdso_settle). */
void pdso_drain(struct pdso *p);
void pdso_settle(struct pdso *p);
/* Blocks the calling thread until ready(p, arg) or virtual time `deadline`
 * (UINT64_MAX = none). Returns true if ready, false at the deadline. On
 * the driver, a wait of more than the timeout with nothing able to end it
 * is fatal with a message naming `what`. */
bool pdso_block(struct pdso *p, bool (*ready)(struct pdso *p, void *arg), void *arg, uint64_t deadline,
		const char *what);
/* Script time of now, for messages (seconds). */
double pdso_script_s(const struct pdso *p);
/* Address translation for connect() and bind(): learn packetdrill's side. */
void pdso_learn_local(struct pdso *p, uint32_t ip);
void pdso_learn_remote(struct pdso *p, uint32_t ip);

int pdso_netdev_send(void *ud, const void *buf, size_t count);
int pdso_netdev_receive(void *ud, void *buf, size_t *count, long long *time_usecs);
int pdso_usleep(void *ud, pdso_useconds_t usec);
int pdso_gettimeofday(void *ud, struct timeval *tv, struct timezone *tz);

/* ---- pdso_sock.c, pdso_ctl.c ---- */
/* Every socket call starts with ENTER (the table's userdata is the struct
 * pdso; `err` collects the errno) and ends with RETURN, which unlocks and
 * sets errno only after the lock is released. */
#define ENTER(p) struct pdso *p = ud; int err = 0; pdso_enter(p, PDSO_CALL_OTHER)
#define RETURN(p, rc)                                                                                             \
	do {                                                                                                      \
		pdso_leave(p);                                                                                    \
		if (err != 0) {                                                                                   \
			errno = err;                                                                              \
			return -1;                                                                                \
		}                                                                                                 \
		return (rc);                                                                                      \
	} while (0)

/* The socket of a descriptor, or NULL. */
struct pdso_sock *pdso_lookup(struct pdso *p, int fd);
/* The connection a socket owns, or NULL. */
struct pdso_conn *pdso_conn_of(struct pdso *p, const struct pdso_sock *s);
/* Takes what the DUT received into rx_avail (dut_ops RECV never waits). */
void pdso_pull(struct pdso *p);
/* Fills fcntl, ioctl, getsockopt, setsockopt and poll (pdso_ctl.c). */
void pdso_ctl_table(struct packetdrill_interface *t);
/* Applies one DUT application event to the connection. */
void pdso_conn_event(struct pdso *p, enum dut_app_event ev);
/* Fills the socket calls of the table. */
void pdso_sock_table(struct packetdrill_interface *t);
/* Closes every descriptor the library opened (at free). */
void pdso_sock_free_all(struct pdso *p);

#endif /* SYNACK_PDSO_H */
