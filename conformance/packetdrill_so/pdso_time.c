/*
 * pdso_time.c - the library's virtual clock and everything that moves it:
 * gettimeofday, usleep, netdev_send, netdev_receive, and blocking calls on
 * either of packetdrill's threads.
 *
 *   gettimeofday: returns the clock, then moves it on by one tick (1 us):
 *                 packetdrill spins on it for waits under 20 us
 *   usleep(us):   runs the DUT to now + us (its timers fire on the way)
 *   netdev_send:  runs the DUT to now, translates the addresses, injects
 *   netdev_receive: the oldest datagram the DUT sent; with none waiting the
 *                 DUT runs event to event (dut_ops.advance jumps to the next
 *                 deadline), so an RTO, a TIME-WAIT or a keepalive costs no
 *                 wall time; after `timeout` (600 s) of virtual time with
 *                 nothing sent, the library says so and exits 1
 *
 * The clock (vnow, ns since the DUT's time 0) may run ahead of the DUT by
 * the ticks of clock reads: the DUT is run up to it lazily, before anything
 * happens at "now" (pdso_sync), so a read costs nothing.
 *
 * Threads. Only the driver (packetdrill's main thread, which called init)
 * moves time. A call that blocks on packetdrill's system-call thread waits
 * on the condition variable (so packetdrill, which watches that thread's
 * state in /proc, sees it sleeping); whenever the driver's progress makes
 * it ready, the driver marks it woken and then *hands over the clock*: it
 * moves time no further until the woken thread has read the clock once,
 * which packetdrill does right after the call returns to stamp its end
 * time. Without the hand-over the driver, whose usleep costs no wall time,
 * would be far ahead before the woken thread ran, and every blocking call
 * would seem to return late. A hand-over the woken thread does not take
 * within 2 s of wall time is abandoned with a warning (nothing deadlocks).
 * A call that blocks on the driver itself runs the DUT until it is ready,
 * as time would pass under a blocked call on a kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pdso.h"
#include "wire/wire.h"

bool pdso_is_driver(const struct pdso *p)
{
	return pthread_equal(pthread_self(), p->driver) != 0;
}

static uint64_t dut_now(struct pdso *p)
{
	return p->ops->now(&p->dut);
}

static void catch_up(struct pdso *p)
{
	uint64_t d = dut_now(p);
	if (d > p->vnow)
		p->vnow = d;
}

double pdso_script_s(const struct pdso *p)
{
	return p->started ? (double)(p->vnow - p->t_script0) / 1e9 : 0.0;
}

/* This thread was woken from a blocking call and now reads the clock:
 * the hand-over it owed is done. */
static void settle_owed(struct pdso *p)
{
	pthread_t self = pthread_self();
	for (size_t i = 0; i < p->n_owed; i++) {
		if (!pthread_equal(p->owed[i], self))
			continue;
		p->owed[i] = p->owed[--p->n_owed];
		if (p->handoffs > 0)
			p->handoffs--;
		pthread_cond_broadcast(&p->cv);
		return;
	}
}

static void wait_handoffs(struct pdso *p)
{
	if (p->handoffs == 0 || !pdso_is_driver(p))
		return;
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += PDSO_HANDOFF_WALL_MS / 1000;
	dl.tv_nsec += (long)(PDSO_HANDOFF_WALL_MS % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	while (p->handoffs > 0) {
		if (pthread_cond_timedwait(&p->cv, &p->mu, &dl) == ETIMEDOUT) {
			if (!p->handoff_warned)
				pdso_say("warning: a blocking call woken at %.6f s did not return within %d ms of wall "
					 "time; the clock moves on without it",
					 pdso_script_s(p), PDSO_HANDOFF_WALL_MS);
			p->handoff_warned = true;
			p->handoffs = 0;
			p->n_owed = 0;
			break;
		}
	}
}

void pdso_enter(struct pdso *p, enum pdso_call kind)
{
	pthread_mutex_lock(&p->mu);
	settle_owed(p);
	if (kind != PDSO_CALL_RECV)
		p->recv_waiting = false;
	wait_handoffs(p);
	if (kind != PDSO_CALL_CLOCK && !p->started) {
		/* packetdrill runs its first event (time 0) right after spinning
		 * on the clock up to the script's start: this is it. */
		p->started = true;
		p->t_script0 = p->vnow;
	}
}

void pdso_leave(struct pdso *p)
{
	pthread_mutex_unlock(&p->mu);
}

/* ---- events and waiters ---- */

static void wake_check(struct pdso *p)
{
	bool any = false;
	pthread_t self = pthread_self();
	for (struct pdso_waiter *w = p->waiters; w != NULL; w = w->next) {
		if (w->woken)
			continue;
		bool ready = w->ready(p, w->arg);
		if (!ready && p->vnow < w->deadline)
			continue;
		w->woken = true;
		any = true;
		if (!pthread_equal(w->thread, self))
			p->handoffs++;
	}
	if (any)
		pthread_cond_broadcast(&p->cv);
}

void pdso_drain(struct pdso *p)
{
	if (!p->dut_open)
		return;
	for (;;) {
		enum dut_app_event ev = p->ops->app_event(&p->dut);
		if (ev == DUT_EV_NONE)
			break;
		pdso_conn_event(p, ev);
	}
}

void pdso_settle(struct pdso *p)
{
	pdso_drain(p);
	catch_up(p);
	wake_check(p);
}

/* ---- address translation ---- */

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 32-bit field m -> m'
 * covered by the checksum. An incremental update keeps a checksum the
 * script made wrong on purpose wrong. */
static uint16_t csum_replace32(uint16_t hc, uint32_t m, uint32_t m2)
{
	uint32_t s = (uint16_t)~hc;
	s += (uint16_t)~(m >> 16);
	s += (uint16_t)~(m & 0xffffu);
	s += m2 >> 16;
	s += m2 & 0xffffu;
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)~s;
}

/* Rewrites the address at `off` (12 source, 16 destination) and the
 * checksums that cover it: the IPv4 header's, and TCP's or UDP's through
 * the pseudo-header (RFC 9293 §3.1, RFC 768). */
static void rewrite(uint8_t *ip, size_t len, size_t off, uint32_t to)
{
	uint32_t from = wire_get32(ip + off);
	if (from == to)
		return;
	wire_put32(ip + off, to);
	wire_put16(ip + 10, csum_replace32(wire_get16(ip + 10), from, to));
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4u;
	bool first_fragment = (wire_get16(ip + 6) & 0x1fffu) == 0;
	if (!first_fragment)
		return;
	if (ip[9] == 6 && len >= ihl + 18)
		wire_put16(ip + ihl + 16, csum_replace32(wire_get16(ip + ihl + 16), from, to));
	else if (ip[9] == 17 && len >= ihl + 8 && wire_get16(ip + ihl + 6) != 0) {
		uint16_t c = csum_replace32(wire_get16(ip + ihl + 6), from, to);
		wire_put16(ip + ihl + 6, c == 0 ? 0xffffu : c); /* RFC 768: 0 means none */
	}
}

void pdso_learn_local(struct pdso *p, uint32_t ip)
{
	if (!p->have_local && ip != 0) {
		p->pd_local = ip;
		p->have_local = true;
	}
}

void pdso_learn_remote(struct pdso *p, uint32_t ip)
{
	if (!p->have_remote && ip != 0) {
		p->pd_remote = ip;
		p->have_remote = true;
	}
}

static void nat_in(struct pdso *p, uint8_t *ip, size_t len)
{
	pdso_learn_local(p, wire_get32(ip + 16));
	pdso_learn_remote(p, wire_get32(ip + 12));
	if (wire_get32(ip + 16) == p->pd_local)
		rewrite(ip, len, 16, p->fl.dut_ip);
	if (wire_get32(ip + 12) == p->pd_remote)
		rewrite(ip, len, 12, p->fl.peer_ip);
}

static void nat_out(struct pdso *p, uint8_t *ip, size_t len)
{
	/* Before packetdrill named an address, the DUT's own is the one it
	 * will learn (from a connect()'s SYN). */
	pdso_learn_local(p, p->fl.dut_ip);
	pdso_learn_remote(p, p->fl.peer_ip);
	if (wire_get32(ip + 12) == p->fl.dut_ip)
		rewrite(ip, len, 12, p->pd_local);
	if (wire_get32(ip + 16) == p->fl.peer_ip)
		rewrite(ip, len, 16, p->pd_remote);
}

/* The IPv4 address an IPv6 address field holds, if it holds one: mapped
 * (::ffff:a.b.c.d), or a.b.c.d followed by twelve zero bytes, which is
 * what packetdrill (2c4001c) writes into the RST that ends a script run
 * with --ip_version=ipv4-mapped-ipv6 for an active socket (it copies the
 * IPv4 address learnt from the DUT's SYN into the IPv6 header). */
static bool v4_in_v6(const uint8_t *a, uint8_t out[4])
{
	static const uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t ZEROS[12] = {0};
	if (memcmp(a, MAPPED, 12) == 0) {
		memcpy(out, a + 12, 4);
		return true;
	}
	if (memcmp(a + 4, ZEROS, 12) == 0 && memcmp(a, ZEROS, 4) != 0) {
		memcpy(out, a, 4);
		return true;
	}
	return false;
}

/* An IPv6 datagram between IPv4 addresses (above), TCP right after the
 * fixed header, as IPv4 (RFC 7915 §5.1: traffic class to TOS, hop limit to
 * TTL). The TCP checksum stays as it is: either form of address adds only
 * 0x0000 or 0xffff words to the pseudo-header sum, which leave a one's
 * complement sum unchanged. Returns the IPv4 length, 0 if the datagram is
 * not of that kind. */
static size_t from_v4_in_v6(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	uint8_t src[4], dst[4];
	if (n < 40 || (in[0] >> 4) != 6 || in[6] != 6 || !v4_in_v6(in + 8, src) || !v4_in_v6(in + 24, dst))
		return 0;
	size_t payload = wire_get16(in + 4);
	if (payload + 40 > n || payload + 20 > cap)
		return 0;
	memset(out, 0, 20);
	out[0] = 0x45;
	out[1] = (uint8_t)(((in[0] & 0x0f) << 4) | (in[1] >> 4));
	wire_put16(out + 2, (uint16_t)(20 + payload));
	wire_put16(out + 6, 0x4000); /* DF */
	out[8] = in[7];
	out[9] = 6;
	memcpy(out + 12, src, 4);
	memcpy(out + 16, dst, 4);
	struct wire_csum c;
	wire_csum_init(&c);
	wire_csum_add(&c, out, 20);
	wire_put16(out + 10, wire_csum_fold(&c));
	memcpy(out + 20, in + 40, payload);
	return 20 + payload;
}

/* ---- running the DUT ---- */

static void enqueue(struct pdso *p, struct dut_packet *pkt)
{
	if (pkt->len >= 20)
		nat_out(p, pkt->data, pkt->len);
	if (p->oq_len == PDSO_OUTQ) {
		p->oq_head = (p->oq_head + 1) % PDSO_OUTQ;
		p->oq_len--;
		p->oq_dropped++;
	}
	p->outq[(p->oq_head + p->oq_len++) % PDSO_OUTQ] = *pkt;
}

/* One dut_ops.advance: up to `until`, the next datagram or the next
 * application event, whichever is first. */
static void step(struct pdso *p, uint64_t until)
{
	struct dut_packet *pkt = &p->scratch;
	int rc = p->ops->advance(&p->dut, until, pkt);
	if (rc < 0)
		pdso_fatal(p, 1, "error: the %s DUT failed while running (%d) at %.6f s", p->dut_label, rc,
			   pdso_script_s(p));
	if (rc == 1)
		enqueue(p, pkt);
	pdso_settle(p);
}

/* Where to stop short of `target`: a blocked call's deadline in between
 * must see the clock at exactly that time. */
static uint64_t next_stop(const struct pdso *p, uint64_t now, uint64_t target)
{
	for (const struct pdso_waiter *w = p->waiters; w != NULL; w = w->next)
		if (!w->woken && w->deadline > now && w->deadline < target)
			target = w->deadline;
	return target;
}

static void drive_to(struct pdso *p, uint64_t target)
{
	for (;;) {
		wait_handoffs(p);
		uint64_t dn = dut_now(p);
		if (dn >= target)
			break;
		step(p, next_stop(p, dn, target));
	}
	if (target > p->vnow)
		p->vnow = target;
	wake_check(p);
}

void pdso_sync(struct pdso *p)
{
	drive_to(p, p->vnow);
}

static const char *conn_state(struct pdso *p)
{
	const char *name = NULL;
	if (p->ops->tcp_state == NULL || p->ops->tcp_state(&p->dut, &name) != 0 || name == NULL)
		return "unknown";
	return name;
}

bool pdso_block(struct pdso *p, bool (*ready)(struct pdso *p, void *arg), void *arg, uint64_t deadline,
		const char *what)
{
	pdso_sync(p);
	if (ready(p, arg))
		return true;
	if (p->vnow >= deadline)
		return false;
	if (pdso_is_driver(p)) {
		uint64_t limit = p->vnow + p->fl.timeout_ns;
		uint64_t from = p->vnow;
		for (;;) {
			wait_handoffs(p);
			uint64_t dn = dut_now(p);
			if (dn >= deadline) {
				if (deadline > p->vnow)
					p->vnow = deadline;
				return false;
			}
			if (dn >= limit)
				pdso_fatal(p, 1,
					   "timeout: %s blocked packetdrill's main thread for %.3f s of virtual time "
					   "(from %.6f s) and nothing ended it (the DUT's connection is %s): packetdrill "
					   "runs a call on its other thread only when the script gives its end time "
					   "(`+0...0.5 accept(...)`); --so_flags timeout=SECONDS changes the limit",
					   what, (double)(dn - from) / 1e9, ((double)from - (double)p->t_script0) / 1e9,
					   conn_state(p));
			step(p, next_stop(p, dn, deadline < limit ? deadline : limit));
			if (ready(p, arg))
				return true;
		}
	}
	struct pdso_waiter w;
	memset(&w, 0, sizeof w);
	w.ready = ready;
	w.arg = arg;
	w.deadline = deadline;
	w.thread = pthread_self();
	w.next = p->waiters;
	p->waiters = &w;
	pdso_log(p, "%s blocks", what);
	while (!w.woken)
		pthread_cond_wait(&p->cv, &p->mu);
	for (struct pdso_waiter **pp = &p->waiters; *pp != NULL; pp = &(*pp)->next)
		if (*pp == &w) {
			*pp = w.next;
			break;
		}
	/* The driver counted a hand-over: this thread's next clock read ends it. */
	if (p->n_owed < PDSO_MAX_OWED)
		p->owed[p->n_owed++] = pthread_self();
	pdso_log(p, "%s wakes", what);
	return ready(p, arg);
}

/* ---- the table's clock and packet functions ---- */

int pdso_gettimeofday(void *ud, struct timeval *tv, struct timezone *tz)
{
	struct pdso *p = ud;
	pdso_enter(p, PDSO_CALL_CLOCK);
	uint64_t t = p->vnow;
	p->vnow += p->fl.tick_ns;
	pdso_leave(p);
	if (tv != NULL) {
		uint64_t us = PDSO_EPOCH_S * 1000000ull + t / 1000u;
		tv->tv_sec = (time_t)(us / 1000000u);
		tv->tv_usec = (suseconds_t)(us % 1000000u);
	}
	if (tz != NULL)
		memset(tz, 0, 2 * sizeof(int)); /* struct timezone: minutes west, DST kind */
	return 0;
}

int pdso_usleep(void *ud, pdso_useconds_t usec)
{
	struct pdso *p = ud;
	pdso_enter(p, PDSO_CALL_CLOCK);
	drive_to(p, p->vnow + (uint64_t)usec * 1000u);
	pdso_leave(p);
	return 0;
}

int pdso_netdev_send(void *ud, const void *buf, size_t count)
{
	struct pdso *p = ud;
	uint8_t ip[DUT_MAX_PKT];
	const uint8_t *in = buf;
	pdso_enter(p, PDSO_CALL_OTHER);
	int rc = -1;
	size_t n4 = count > 0 && (in[0] >> 4) == 6 ? from_v4_in_v6(in, count, ip, sizeof ip) : 0;
	if (n4 > 0) {
		in = ip;
		count = n4;
	}
	if (count < 1 || (in[0] >> 4) != 4) {
		pdso_unsupported(p, "an inbound IPv%u datagram: the DUT speaks IPv4 only (run packetdrill with "
				    "--ip_version=ipv4 or ipv4-mapped-ipv6)",
				 count > 0 ? (unsigned)(in[0] >> 4) : 0u);
		goto out;
	}
	if (count < 20 || count < (size_t)(in[0] & 0x0f) * 4u || count > DUT_MAX_PKT - 14u) {
		pdso_say("error: netdev_send: an IPv4 datagram of %zu bytes (the DUT takes 20 to %u)", count,
			 DUT_MAX_PKT - 14u);
		goto out;
	}
	if (in != ip)
		memcpy(ip, in, count);
	pdso_sync(p);
	nat_in(p, ip, count);
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4u;
	if (ip[9] == 6 && count >= ihl + 14 && (ip[ihl + 13] & 0x12) == 0x02)
		p->last_syn_sport = wire_get16(ip + ihl);
	pdso_log(p, "< IPv4 %zu bytes (protocol %u)", count, ip[9]);
	rc = p->ops->inject(&p->dut, ip, count) == 0 ? 0 : -1;
	pdso_settle(p);
out:
	pdso_leave(p);
	return rc;
}

int pdso_netdev_receive(void *ud, void *buf, size_t *count, long long *time_usecs)
{
	struct pdso *p = ud;
	pdso_enter(p, PDSO_CALL_RECV);
	if (!p->recv_waiting) {
		p->recv_waiting = true;
		p->recv_from = p->vnow;
		p->recv_given = 0;
	}
	pdso_sync(p);
	while (p->oq_len == 0) {
		wait_handoffs(p);
		uint64_t dn = dut_now(p);
		uint64_t limit = p->recv_from + p->fl.timeout_ns;
		if (dn >= limit) {
			char also[96] = "";
			if (p->recv_given > 0)
				snprintf(also, sizeof also, " (only %llu datagrams packetdrill passed over)",
					 (unsigned long long)p->recv_given);
			pdso_fatal(p, 1,
				   "timeout: the script waits for a packet the %s DUT did not send: nothing came%s "
				   "for %.3f s of virtual time (from %.6f s to %.6f s of the script; the DUT's "
				   "connection is %s); --so_flags timeout=SECONDS changes the limit",
				   p->dut_label, also, (double)p->fl.timeout_ns / 1e9,
				   ((double)p->recv_from - (double)p->t_script0) / 1e9, pdso_script_s(p), conn_state(p));
		}
		step(p, next_stop(p, dn, limit));
	}
	struct dut_packet *pkt = &p->outq[p->oq_head];
	p->oq_head = (p->oq_head + 1) % PDSO_OUTQ;
	p->oq_len--;
	size_t n = pkt->len < *count ? pkt->len : *count;
	memcpy(buf, pkt->data, n);
	*count = n;
	*time_usecs = (long long)(PDSO_EPOCH_S * 1000000ull + pkt->t / 1000u);
	p->recv_given++;
	pdso_log(p, "> IPv4 %zu bytes sent at %.6f s", n, ((double)pkt->t - (double)p->t_script0) / 1e9);
	pdso_leave(p);
	return 0;
}
