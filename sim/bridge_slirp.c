/*
 * bridge_slirp.c - libslirp on the device's link port (see bridge_slirp.h).
 *
 *   link -> port_deliver: FCS checked and stripped -> slirp_input()
 *   slirp -> cb_send_packet: padded to 60 bytes -> sim_link_send_nofcs(now)
 *   slirp's clock (cb_clock_ns) is the simulation's; its timers
 *   (timer_new_opaque / timer_mod) are simulation timers that call
 *   slirp_handle_timer(); its sockets are polled by serve.c (wall clock)
 *   or never (virtual clock), and its TCP timers run from
 *   slirp_pollfds_poll(): at the deadline slirp_pollfds_fill() returns,
 *   after serve.c's poll() (wall) or as the `tick` event (virtual).
 *
 * libslirp reads its clock only inside slirp_pollfds_poll() and when it
 * queues a frame for ARP resolution, and both follow the simulation here,
 * so with the virtual clock every retransmission and delayed ACK of
 * slirp's TCP falls at a virtual time fixed by the inputs alone.
 *
 * A guest forward's service runs here: libslirp hands what the device
 * sent to gfwd_write() from inside its input processing; an echo is queued
 * and given back with slirp_socket_recv() once that processing has
 * returned (flush_guestfwd), as much as slirp_socket_can_recv() allows.
 */
#define _GNU_SOURCE
#include "bridge_slirp.h"

#include <errno.h>
#include <libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PACE_SYN_NS 20000000ull /* hold accepts at most this long for the device's answer */
#define FD_KINDS 4096
#define FD_UNKNOWN 0u
#define FD_LISTENER 1u
#define FD_OTHER 2u

struct slirp_timer {
	struct sim_timer t;
	struct bridge_slirp *b;
	SlirpTimerId id;
	void *cb_opaque;
	bool freed;              /* slirp freed it; kept until sim_free() */
	struct slirp_timer *next;
};

struct guestfwd {
	struct bridge_slirp *b;
	uint32_t ip;
	uint16_t port;
	enum bridge_slirp_service svc;
	uint8_t *pend;           /* echo bytes not yet handed back */
	size_t pend_len, pend_cap;
};

struct bridge_slirp {
	struct sim *sim;
	struct sim_port *port;
	struct bridge_slirp_config cfg;
	SlirpCb cb;              /* libslirp keeps the pointer */
	Slirp *slirp;
	struct sim_timer tick;   /* virtual clock: slirp_pollfds_poll() */
	struct slirp_timer *timers;
	struct guestfwd gfwd[BRIDGE_SLIRP_MAX_GUESTFWD];
	unsigned ngfwd;
	struct pollfd *fds;
	size_t nfds, capfds;
	bool fill_failed;        /* the poll set could not grow */
	/* Pacing host connections. */
	unsigned (*free_conns)(void *ctx);
	void *pace_ctx;
	uint64_t syn_at;         /* slirp's last SYN to the device, unanswered; SIM_NEVER = none */
	bool held;               /* a listener is being held back now */
	uint8_t fd_kind[FD_KINDS];
	struct bridge_slirp_stats stats;
};

/* ---- frames ---- */

static void note_from_slirp(struct bridge_slirp *b, const uint8_t *frame, size_t len)
{
	struct bridge_tcp t;
	if (bridge_frame_tcp(frame, len, &t) && (t.tcp.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		b->syn_at = sim_now(b->sim);
}

static void note_from_device(struct bridge_slirp *b, const uint8_t *frame, size_t len)
{
	struct bridge_tcp t;
	if (b->syn_at == SIM_NEVER || !bridge_frame_tcp(frame, len, &t))
		return;
	/* The device answered a SYN: a SYN-ACK, or a RST (no listener). */
	if ((t.tcp.flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) || (t.tcp.flags & TCP_RST))
		b->syn_at = SIM_NEVER;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct bridge_slirp *b = opaque;
	uint8_t frame[SIM_LINK_MAX_FRAME];
	if (len + 4u > SIM_LINK_MAX_FRAME) {
		b->stats.wire.dropped_in++;
		return (ssize_t)len; /* dropped, as a switch would: TCP resends smaller or not at all */
	}
	memcpy(frame, buf, len);
	size_t n = bridge_pad(frame, len);
	note_from_slirp(b, frame, n);
	b->stats.wire.to_device++;
	sim_link_send_nofcs(b->port, frame, n, sim_now(b->sim));
	return (ssize_t)len;
}

static void arm_tick(struct bridge_slirp *b);
static void flush_guestfwd(struct bridge_slirp *b);

static void port_deliver(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct bridge_slirp *b = ctx;
	(void)now;
	if (len < 4 || !sim_frame_fcs_ok(frame, len)) {
		b->stats.wire.dropped_out++;
		return;
	}
	len -= 4;
	b->stats.wire.from_device++;
	note_from_device(b, frame, len);
	slirp_input(b->slirp, frame, (int)len);
	flush_guestfwd(b);
	if (b->cfg.virtual_clock)
		arm_tick(b); /* the input may want a delayed ACK (2 ms) */
}

/* ---- callbacks: clock, timers, errors ---- */

static void cb_guest_error(const char *msg, void *opaque)
{
	struct bridge_slirp *b = opaque;
	b->stats.guest_errors++;
	snprintf(b->stats.last_guest_error, sizeof b->stats.last_guest_error, "%s", msg);
}

static int64_t cb_clock_ns(void *opaque)
{
	struct bridge_slirp *b = opaque;
	return (int64_t)sim_now(b->sim);
}

static void timer_fire(void *ctx, uint64_t now)
{
	struct slirp_timer *t = ctx;
	(void)now;
	if (!t->freed)
		slirp_handle_timer(t->b->slirp, t->id, t->cb_opaque);
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct bridge_slirp *b = opaque;
	struct slirp_timer *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->b = b;
	t->id = id;
	t->cb_opaque = cb_opaque;
	sim_timer_init(&t->t, timer_fire, t);
	t->next = b->timers;
	b->timers = t;
	return t;
}

/* The event queue may still hold the timer: it is released with the
 * bridge, after sim_free(). */
static void cb_timer_free(void *timer, void *opaque)
{
	struct bridge_slirp *b = opaque;
	struct slirp_timer *t = timer;
	if (t == NULL)
		return;
	t->freed = true;
	sim_timer_cancel(b->sim, &t->t);
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct bridge_slirp *b = opaque;
	struct slirp_timer *t = timer;
	if (t == NULL || t->freed)
		return;
	uint64_t when = expire_ms < 0 ? 0 : (uint64_t)expire_ms * 1000000u;
	sim_timer_arm(b->sim, &t->t, when);
}

static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque; /* the poll set is rebuilt by every slirp_pollfds_fill() */
}

static void cb_notify(void *opaque)
{
	struct bridge_slirp *b = opaque;
	/* A guest forward can take more: hand back what waits, from a fresh
	 * event (not from inside slirp's processing). */
	if (b->cfg.virtual_clock)
		sim_timer_arm(b->sim, &b->tick, sim_now(b->sim));
}

static void cb_init_completed(Slirp *slirp, void *opaque)
{
	struct bridge_slirp *b = opaque;
	b->slirp = slirp;
}

/* ---- guest forwards ---- */

static ssize_t gfwd_write(const void *buf, size_t len, void *opaque)
{
	struct guestfwd *g = opaque;
	g->b->stats.guestfwd_bytes_in += len;
	if (g->svc == BRIDGE_SLIRP_DISCARD)
		return (ssize_t)len;
	if (g->pend_len + len > g->pend_cap) {
		size_t cap = g->pend_cap ? g->pend_cap : 65536u;
		while (cap < g->pend_len + len)
			cap *= 2;
		uint8_t *p = realloc(g->pend, cap);
		if (p == NULL)
			return -1;
		g->pend = p;
		g->pend_cap = cap;
	}
	memcpy(g->pend + g->pend_len, buf, len);
	g->pend_len += len;
	return (ssize_t)len;
}

static void flush_guestfwd(struct bridge_slirp *b)
{
	for (unsigned i = 0; i < b->ngfwd; i++) {
		struct guestfwd *g = &b->gfwd[i];
		struct in_addr a = {htonl(g->ip)};
		while (g->pend_len > 0) {
			size_t room = slirp_socket_can_recv(b->slirp, a, g->port);
			if (room == 0)
				break;
			size_t n = room < g->pend_len ? room : g->pend_len;
			if (n > 65536u)
				n = 65536u;
			slirp_socket_recv(b->slirp, a, g->port, g->pend, (int)n);
			memmove(g->pend, g->pend + n, g->pend_len - n);
			g->pend_len -= n;
			b->stats.guestfwd_bytes_out += n;
		}
	}
}

/* ---- polling ---- */

static bool is_listener(struct bridge_slirp *b, int fd)
{
	if (fd < 0 || fd >= FD_KINDS)
		return false;
	if (b->fd_kind[fd] == FD_UNKNOWN) {
		int v = 0;
		socklen_t n = sizeof v;
		bool lis = getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &n) == 0 && v != 0;
		b->fd_kind[fd] = lis ? FD_LISTENER : FD_OTHER;
		/* Clients that wait while accepts are paced queue in the kernel,
		 * not in SYN retransmissions: slirp listens with a backlog of 1. */
		if (lis)
			(void)listen(fd, SOMAXCONN);
	}
	return b->fd_kind[fd] == FD_LISTENER;
}

static bool pace_holds(struct bridge_slirp *b)
{
	uint64_t now = sim_now(b->sim);
	if (b->syn_at != SIM_NEVER && now - b->syn_at < PACE_SYN_NS)
		return true;
	b->syn_at = SIM_NEVER;
	return b->free_conns != NULL && b->free_conns(b->pace_ctx) == 0;
}

static short to_poll(int ev)
{
	short e = 0;
	if (ev & SLIRP_POLL_IN)
		e |= POLLIN;
	if (ev & SLIRP_POLL_OUT)
		e |= POLLOUT;
	if (ev & SLIRP_POLL_PRI)
		e |= POLLPRI;
	if (ev & SLIRP_POLL_ERR)
		e |= POLLERR;
	if (ev & SLIRP_POLL_HUP)
		e |= POLLHUP;
	return e;
}

static int add_poll(int fd, int events, void *opaque)
{
	struct bridge_slirp *b = opaque;
	if (b->cfg.virtual_clock) {
		b->stats.host_sockets_ignored++;
		return -1;
	}
	if ((events & SLIRP_POLL_IN) && is_listener(b, fd) && pace_holds(b)) {
		if (!b->held)
			b->stats.accept_pauses++;
		b->held = true;
		return -1;
	}
	if (b->nfds == b->capfds) {
		size_t cap = b->capfds ? 2 * b->capfds : 64;
		struct pollfd *p = realloc(b->fds, cap * sizeof *p);
		if (p == NULL) {
			b->fill_failed = true;
			return -1;
		}
		b->fds = p;
		b->capfds = cap;
	}
	b->fds[b->nfds].fd = fd;
	b->fds[b->nfds].events = to_poll(events);
	b->fds[b->nfds].revents = 0;
	return (int)b->nfds++;
}

static int get_revents(int idx, void *opaque)
{
	struct bridge_slirp *b = opaque;
	if (idx < 0 || (size_t)idx >= b->nfds)
		return 0;
	short r = b->fds[idx].revents;
	int ev = 0;
	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & (POLLERR | POLLNVAL))
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

size_t bridge_slirp_fill(struct bridge_slirp *b, struct pollfd **fds, uint64_t *timeout_ns)
{
	uint32_t t = UINT32_MAX;
	b->nfds = 0;
	b->held = false;
	flush_guestfwd(b);
	slirp_pollfds_fill(b->slirp, &t, add_poll, b);
	if (b->held && t > 1)
		t = 1; /* look at the gate again soon */
	*fds = b->fds;
	*timeout_ns = (uint64_t)t * 1000000u;
	return b->nfds;
}

void bridge_slirp_poll(struct bridge_slirp *b, bool error)
{
	slirp_pollfds_poll(b->slirp, error ? 1 : 0, get_revents, b);
	flush_guestfwd(b);
}

/* Virtual clock: one slirp_pollfds_poll() at the time slirp asked for,
 * then the next deadline. */
static void arm_tick(struct bridge_slirp *b)
{
	uint32_t t = UINT32_MAX;
	slirp_pollfds_fill(b->slirp, &t, add_poll, b);
	uint64_t when = sim_now(b->sim) + (uint64_t)t * 1000000u;
	if (!sim_timer_armed(&b->tick) || when < b->tick.when)
		sim_timer_arm(b->sim, &b->tick, when);
}

static void on_tick(void *ctx, uint64_t now)
{
	struct bridge_slirp *b = ctx;
	(void)now;
	slirp_pollfds_poll(b->slirp, 0, get_revents, b);
	flush_guestfwd(b);
	arm_tick(b);
}

/* ---- set-up ---- */

static struct in_addr in4(uint32_t host_order)
{
	struct in_addr a;
	a.s_addr = htonl(host_order);
	return a;
}

struct bridge_slirp *bridge_slirp_new(struct sim *s, struct sim_link *l, const struct bridge_slirp_config *cfg,
				      char *err, size_t errcap)
{
	struct bridge_slirp *b = calloc(1, sizeof *b);
	if (b == NULL) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	b->sim = s;
	b->cfg = *cfg;
	b->syn_at = SIM_NEVER;
	if (b->cfg.virtual_clock)
		b->cfg.restricted = true;
	sim_timer_init(&b->tick, on_tick, b);
	b->port = sim_link_attach(l, port_deliver, b);
	if (b->port == NULL) {
		snprintf(err, errcap, "no port left on the device's link");
		free(b);
		return NULL;
	}
	b->cb.send_packet = cb_send_packet;
	b->cb.guest_error = cb_guest_error;
	b->cb.clock_get_ns = cb_clock_ns;
	b->cb.timer_free = cb_timer_free;
	b->cb.timer_mod = cb_timer_mod;
	b->cb.register_poll_fd = cb_register_poll_fd;
	b->cb.unregister_poll_fd = cb_register_poll_fd;
	b->cb.notify = cb_notify;
	b->cb.init_completed = cb_init_completed;
	b->cb.timer_new_opaque = cb_timer_new_opaque;

	SlirpConfig sc;
	memset(&sc, 0, sizeof sc);
	sc.version = 4; /* timer_new_opaque and disable_dhcp: libslirp 4.7 */
	sc.restricted = b->cfg.restricted ? 1 : 0;
	sc.in_enabled = true;
	sc.vnetwork = in4(BRIDGE_NET);
	sc.vnetmask = in4(BRIDGE_NETMASK);
	sc.vhost = in4(BRIDGE_GATEWAY);
	sc.vdhcp_start = in4(BRIDGE_DEVICE);
	sc.vnameserver = in4(BRIDGE_DNS);
	sc.in6_enabled = false; /* the device is IPv4 only: no router advertisements */
	sc.vhostname = "synack";
	/* DNS is forwarded to the host's resolvers: not with the virtual clock. */
	sc.disable_dns = b->cfg.virtual_clock;
	sc.disable_dhcp = false;
	Slirp *sl = slirp_new(&sc, &b->cb, b);
	if (sl == NULL) {
		snprintf(err, errcap, "libslirp %s refused the configuration", slirp_version_string());
		free(b);
		return NULL;
	}
	b->slirp = sl;
	if (b->cfg.virtual_clock)
		arm_tick(b);
	return b;
}

void bridge_slirp_free(struct bridge_slirp *b)
{
	if (b == NULL)
		return;
	if (b->slirp != NULL)
		slirp_cleanup(b->slirp);
	while (b->timers != NULL) {
		struct slirp_timer *t = b->timers;
		b->timers = t->next;
		free(t);
	}
	for (unsigned i = 0; i < b->ngfwd; i++)
		free(b->gfwd[i].pend);
	free(b->fds);
	free(b);
}

int bridge_slirp_forward(struct bridge_slirp *b, bool udp, uint32_t host_ip, uint16_t host_port, uint32_t guest_ip,
			 uint16_t guest_port, char *err, size_t errcap)
{
	char hs[16];
	if (b->cfg.virtual_clock) {
		snprintf(err, errcap, "host forwards need host sockets, which the virtual clock leaves out");
		return -1;
	}
	errno = 0;
	if (slirp_add_hostfwd(b->slirp, udp ? 1 : 0, in4(host_ip), host_port, in4(guest_ip), guest_port) != 0) {
		snprintf(err, errcap, "%s:%u: %s", bridge_ip_str(host_ip, hs), (unsigned)host_port,
			 errno ? strerror(errno) : "libslirp refused the forward");
		return -1;
	}
	return 0;
}

int bridge_slirp_guestfwd(struct bridge_slirp *b, uint32_t ip, uint16_t port, enum bridge_slirp_service svc,
			  char *err, size_t errcap)
{
	char is[16];
	if (b->ngfwd == BRIDGE_SLIRP_MAX_GUESTFWD) {
		snprintf(err, errcap, "at most %u guest forwards", BRIDGE_SLIRP_MAX_GUESTFWD);
		return -1;
	}
	if ((ip & BRIDGE_NETMASK) != BRIDGE_NET || ip == BRIDGE_GATEWAY || ip == BRIDGE_DNS || ip == BRIDGE_DEVICE ||
	    (ip & ~BRIDGE_NETMASK) == 0 || (ip & ~BRIDGE_NETMASK) == 0xFFu) {
		snprintf(err, errcap,
			 "%s: a guest forward needs a free address of 10.0.2.0/24 (not the network, the broadcast, "
			 "the gateway 10.0.2.2, the DNS 10.0.2.3 or the device 10.0.2.15)",
			 bridge_ip_str(ip, is));
		return -1;
	}
	struct guestfwd *g = &b->gfwd[b->ngfwd];
	memset(g, 0, sizeof *g);
	g->b = b;
	g->ip = ip;
	g->port = port;
	g->svc = svc;
	struct in_addr a = in4(ip);
	if (slirp_add_guestfwd(b->slirp, gfwd_write, g, &a, port) != 0) {
		snprintf(err, errcap, "%s:%u: libslirp refused the guest forward (already forwarded?)",
			 bridge_ip_str(ip, is), (unsigned)port);
		return -1;
	}
	b->ngfwd++;
	return 0;
}

void bridge_slirp_pace(struct bridge_slirp *b, unsigned (*free_conns)(void *ctx), void *ctx)
{
	b->free_conns = free_conns;
	b->pace_ctx = ctx;
}

const struct bridge_slirp_stats *bridge_slirp_stats(const struct bridge_slirp *b)
{
	return &b->stats;
}

char *bridge_slirp_connections(struct bridge_slirp *b)
{
	return slirp_connection_info(b->slirp);
}

const char *bridge_slirp_version(void)
{
	return slirp_version_string();
}
