/*
 * net.c - the stack instance: configuration defaults, init, the main-loop
 * call net_poll() and the Ethernet dispatch.
 *
 * net_poll(s, now) is the only entry point a board's main loop needs: it
 * watches the link (gratuitous ARP when it comes up), pulls at most
 * NET_POLL_BUDGET frames out of the device, hands each to arp_input() or
 * ip_input(), runs the ARP and TCP timers and returns the earliest deadline.
 * Frames are never copied whole: each layer reads the header bytes it needs
 * at an offset of the open frame (struct net_rx carries the offsets down).
 */
#include <string.h>

#include "net_internal.h"
#include "wire/eth.h"

void net_config_defaults(struct net_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->profile = NET_PROFILE_RFC5961;
	cfg->max_retries = 8;
	cfg->syn_retries = 7;    /* 183 s: MUST-23, see net.h */
	cfg->synack_retries = 5; /* 63 s */
	cfg->challenge_ack_limit = 10;
	cfg->challenge_ack_interval_ms = 1000;
	cfg->rto_initial_ms = 1000; /* RFC 6298 §2.1 */
	cfg->rto_min_ms = 1000;     /* RFC 6298 §2.4 */
	cfg->rto_max_ms = 60000;
	cfg->time_wait_ms = 60000;
	cfg->fin_wait2_timeout_ms = 60000;
	cfg->arp_max_age_ms = 300000;
	cfg->arp_retry_ms = 1000;
	cfg->rcv_wnd = NET_TCP_RCV_WND;
	cfg->rcv_mss = NET_TCP_RCV_MSS;
	cfg->delack_ms = NET_TCP_DELACK_MS;
	cfg->fast_rtx = 1;
}

#if NET_TIME_BITS == 32
/* now in whole milliseconds, and where that millisecond starts in
 * microseconds (for the deadline net_poll returns), counted on from the
 * last call: the microseconds since the start of the last millisecond
 * (below 2^32 while calls come at least every 71 minutes, which the
 * deadlines net_poll returns ask for) in one 32-bit division. ms stays
 * exact across the wrap of the microsecond clock. net_init starts from
 * ms = ms_base = 0, so ms begins as now / 1000. */
static NET_NOINLINE void set_time(struct net_stack *s, net_time_t now)
{
	uint32_t d = now - s->ms_base, r = d % 1000u;

	/* One __udivmodsi4 gives both; ms_base + (d - r) is now - r. */
	s->now = now;
	s->ms += d / 1000u;
	s->ms_base = now - r;
	s->ms_frac = r != 0u;
}
#else
/* The one 64-bit division: now in whole milliseconds, and where that
 * millisecond starts in nanoseconds (for the deadline net_poll returns). */
static NET_NOINLINE void set_time(struct net_stack *s, net_time_t now)
{
	net_time_t q = now / 1000000u;

	/* now - q * 1000000 is below 2^32, so its low 32 bits say all of it:
	 * a 32-bit multiply where q * 1000000 would link a 64-bit one on an
	 * AVR (-0.2 KB). */
	uint32_t rem = (uint32_t)now - (uint32_t)q * 1000000u;

	s->now = now;
	s->ms = (uint32_t)q;
	s->ms_base = now - rem;
	s->ms_frac = rem != 0u;
}
#endif

void net_init(struct net_stack *s, const struct net_config *cfg, const struct netdev *dev, net_time_t now)
{
	const struct netdev_ops *o = dev->ops;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->dev = *dev;
	set_time(s, now);
	s->profile = cfg->profile;
	/* Unacknowledged data lives in device memory when the device has some
	 * (the ENC28J60's spare buffer RAM): the MCU then keeps no copy. */
	if (o->mem_size && o->mem_write && o->mem_read && o->tx_copy_from_mem) {
		uint16_t mem = o->mem_size(dev->dev);
		uint16_t share = (uint16_t)(mem / NET_TCP_CONNS);

		s->use_devmem = share > 0;
		s->snd_buf = share < NET_TCP_SND_BUF ? share : (uint16_t)NET_TCP_SND_BUF;
#if NET_ARP_HOLD
		/* The ARP pending-frame slots (arp.c) after the send rings, if
		 * what the rings leave holds them (so TCP keeps its rings);
		 * else they are in RAM (NET_ARP_HOLD_RAM). */
		share = (uint16_t)(NET_TCP_CONNS * s->snd_buf);
		if (s->use_devmem && (uint16_t)(mem - share) >= NET_ARP_ENTRIES * NET_ARP_HOLD)
			s->hold_base = share;
#endif
	}
	if (!s->use_devmem)
		s->snd_buf = NET_TCP_RAM_SND_BUF;
}

void net_set_profile(struct net_stack *s, uint8_t profile)
{
	s->profile = profile;
}

NET_STAT_T net_stat(const struct net_stack *s, enum net_stat_id id)
{
	return id < NET_STAT_COUNT ? s->stats[id] : 0;
}

const char *net_stat_name(enum net_stat_id id)
{
#if NET_NAMES
	static const char *const names[] = {
#define NET_STAT_NAME(id, name, doc) name,
		NET_STATS(NET_STAT_NAME)
#undef NET_STAT_NAME
	};
	return id < NET_STAT_COUNT ? names[id] : "?";
#else
	(void)id;
	return "?";
#endif
}

NET_NOINLINE void net_count(struct net_stack *s, enum net_stat_id id)
{
	s->stats[id]++;
}

void net_eth_header(const struct net_stack *s, uint8_t *f, const uint8_t *dst, uint16_t ethertype)
{
	/* NULL: broadcast (a constant all-ones address would be 6 B of AVR
	 * RAM, where avr-libc keeps constants). Written in place, the layout
	 * of eth_emit(): a repr to copy from costs more than it shares. The
	 * destination last, so the memset call ends the function. */
	memcpy(f + ETH_OFF_SRC, s->cfg->mac, ETH_ADDR_LEN);
	wire_put16(f + ETH_OFF_TYPE, ethertype);
	if (dst)
		memcpy(f + ETH_OFF_DST, dst, ETH_ADDR_LEN);
	else
		memset(f + ETH_OFF_DST, 0xff, ETH_ADDR_LEN);
}

uint32_t net_deadline(const struct net_stack *s, uint32_t delay)
{
	return s->ms + delay + s->ms_frac;
}

void net_rx_read(struct net_stack *s, uint16_t off, uint8_t *buf, uint16_t n)
{
	s->dev.ops->rx_read(s->dev.dev, off, buf, n);
}

void net_tx_write(struct net_stack *s, const uint8_t *p, uint16_t n)
{
#if NET_ARP_HOLD || NET_ARP_HOLD_RAM
	if (s->hold) {
		arp_hold_write(s, p, n);
		return;
	}
#endif
	s->dev.ops->tx_write(s->dev.dev, p, n);
}

#if NET_HW_CSUM
/* A block's sum as if it started on an even byte: swapped when the
 * checksum is at an odd position (one's-complement sums are byte-order
 * independent up to that swap, RFC 1071 §2(B)); an odd length flips the
 * position. */
void net_csum_add_partial(struct wire_csum *c, uint16_t sum, uint16_t n)
{
	wire_csum_add16(c, sum);
	if (n & 1u)
		c->odd = (uint8_t)!c->odd;
}
#endif

void net_rx_csum(struct net_stack *s, struct wire_csum *c, uint16_t off, uint16_t n)
{
	uint8_t buf[32];
#if NET_HW_CSUM
	uint16_t sum;

	if (n >= NET_HW_CSUM_MIN && s->dev.ops->rx_csum && s->dev.ops->rx_csum(s->dev.dev, off, n, &sum)) {
		net_csum_add_partial(c, sum, n);
		return;
	}
#endif

	while (n) {
		uint16_t k = n < sizeof(buf) ? n : (uint16_t)sizeof(buf);

		net_rx_read(s, off, buf, k);
		wire_csum_add(c, buf, k);
		off = (uint16_t)(off + k);
		n = (uint16_t)(n - k);
	}
}

/* One received frame: Ethernet header, then ARP or IPv4. The device's
 * filter already passed only our unicast, broadcast (and multicast, if
 * enabled); which one it was matters for MUST-57. */
static void eth_input(struct net_stack *s, uint16_t len)
{
	uint8_t h[ETH_HDR_LEN];
	struct net_rx rx;
	uint16_t type;

	NET_INC(s, ETH_RX);
	if (len < ETH_HDR_LEN) {
		NET_INC(s, ETH_RUNT);
		return;
	}
	net_rx_read(s, 0, h, ETH_HDR_LEN);
	memset(&rx, 0, sizeof(rx));
	rx.frame_len = len;
	memcpy(rx.src_mac, h + ETH_OFF_SRC, ETH_ADDR_LEN);
	rx.mcast = eth_is_multicast(h + ETH_OFF_DST);
	rx.ip_off = ETH_HDR_LEN;
	type = wire_get16(h + ETH_OFF_TYPE);
	if (type == ETH_TYPE_ARP)
		arp_input(s, &rx);
	else if (type == ETH_TYPE_IPV4)
		ip_input(s, &rx);
	else
		NET_INC(s, ETH_TYPE);
}

net_time_t net_poll(struct net_stack *s, net_time_t now)
{
	const struct netdev_ops *o = s->dev.ops;
	uint32_t left, t;
	bool up;
	int n;

	set_time(s, now);
	tcp_rebase(s); /* timers started by API calls since the last poll */
	s->in_poll = true;
	up = o->link_up ? o->link_up(s->dev.dev) : true;
	if (up && !s->link_up)
		arp_gratuitous(s); /* announce ourselves (RFC 5227 §3) */
	s->link_up = up;

	for (n = 0; n < NET_POLL_BUDGET; n++) {
		uint16_t len = o->rx_begin(s->dev.dev);

		if (len == 0)
			break;
		eth_input(s, len);
		o->rx_end(s->dev.dev);
	}
	if (n == NET_POLL_BUDGET) {
		s->in_poll = false;
		return now; /* frames may still be waiting */
	}
	left = arp_timers(s);
	t = tcp_timers(s);
	s->in_poll = false;
	if (t < left)
		left = t;
#if NET_TIME_BITS == 32
	/* At most NET_TIME_MAX_MS ahead, "never" included: the next call must
	 * come before the microsecond clock wraps (set_time). Waking early
	 * costs one empty poll, as does a deadline that falls on the value
	 * the board takes as "none", moved 1 us early. */
	if (left > NET_TIME_MAX_MS)
		left = NET_TIME_MAX_MS;
	if (left == 0)
		return now;
	now = s->ms_base + NET_MS(left);
	return now == NET_TIME_NEVER ? now - 1u : now;
#else
	if (left == NET_MS_NEVER)
		return NET_TIME_NEVER;
	return left == 0 ? now : s->ms_base + NET_MS(left);
#endif
}
