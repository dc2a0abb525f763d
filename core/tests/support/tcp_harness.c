/*
 * tcp_harness.c - see tcp_harness.h. Builds frames with the project's wire
 * codecs (core/wire), feeds them through the fake netdev and checks what
 * the stack sends, with messages in the packetdrill manner:
 *   test_x.c:42: tcp ack: expected 1 (abs 1240744645) vs actual 0
 */
#include "tcp_harness.h"

#include <stdio.h>
#include <string.h>

#include "wire/arp.h"
#include "wire/eth.h"

struct harness H;

static const uint8_t our_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x10};

static uint32_t h_isn(void *ctx, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	(void)ctx; (void)lip; (void)lport; (void)rip; (void)rport;
	return H.forced_iss;
}

void h_poll(void)
{
	if (H.force_iss)
		H.cfg.isn_hook = h_isn;
	net_poll(&H.st, H.now);
}

void h_advance(net_time_t dt)
{
	H.now += dt;
	h_poll();
}

net_time_t h_next_deadline(void)
{
	return net_poll(&H.st, H.now);
}

void h_setup_bare(bool devmem)
{
	memset(&H, 0, sizeof(H));
	fake_netdev_init(&H.dev, devmem);
	memcpy(H.our_mac, our_mac, 6);
	memcpy(H.peer_mac, peer_mac, 6);
	H.peer_ip = H_PEER_IP;
	H.peer_win = H_PEER_WIN;
	H.peer_iss = 1240744644u; /* the seed's client ISN */
	net_config_defaults(&H.cfg);
	H.cfg.delack_ms = 0; /* every segment acknowledged at once, as the tests expect; the delayed-ACK tests set it */
	memcpy(H.cfg.mac, our_mac, 6);
	H.cfg.ip = H_OUR_IP;
	H.cfg.netmask = 0xFFFFFF00u;
	H.cfg.gateway = H_GW_IP;
	memcpy(H.cfg.isn_key, "synack-test-key!", 16);
#if NET_TIME_BITS == 32
	/* A whole millisecond 5.0 s before the microsecond clock wraps, so
	 * the suites built with 32-bit time (test_stack_time32) take every
	 * timer across the wrap. */
	H.now = NET_MS(4289967u);
#else
	H.now = NET_S(1000);
#endif
	net_init(&H.st, &H.cfg, &H.dev.nd, H.now);
}

static void prime_arp(void)
{
	uint8_t f[ETH_HDR_LEN + ARP_LEN], b[1514];
	struct eth_repr e;
	struct arp_repr a;
	uint16_t n;

	memset(e.dst, 0xff, 6);
	memcpy(e.src, peer_mac, 6);
	e.ethertype = ETH_TYPE_ARP;
	a.op = ARP_OP_REQUEST;
	memcpy(a.sha, peer_mac, 6);
	a.spa = H_PEER_IP;
	memset(a.tha, 0, 6);
	a.tpa = H_OUR_IP;
	eth_emit(&e, f, sizeof(f));
	arp_emit(&a, f + ETH_HDR_LEN, ARP_LEN);
	h_inject(f, sizeof(f));
	n = h_pop_frame(b);
	ck_assert_msg(n >= ETH_HDR_LEN + ARP_LEN && wire_get16(b + ETH_OFF_TYPE) == ETH_TYPE_ARP,
		      "setup: no ARP reply");
}

static void setup(bool devmem)
{
	uint8_t b[1514];

	h_setup_bare(devmem);
	h_poll(); /* link up: gratuitous ARP */
	ck_assert_msg(h_pop_frame(b) > 0, "setup: no gratuitous ARP");
	prime_arp();
}

void h_setup(void)
{
	setup(true);
}

void h_setup_nomem(void)
{
	setup(false);
}

void h_inject(const uint8_t *f, uint16_t len)
{
	fake_inject(&H.dev, f, len);
	h_poll();
}

uint16_t h_pop_frame(uint8_t *buf)
{
	return fake_pop(&H.dev, buf);
}

uint16_t h_build_ip(uint8_t *f, const uint8_t *eth_dst, uint32_t src, uint32_t dst, uint8_t proto,
		    const uint8_t *l4, uint16_t l4len)
{
	struct eth_repr e;
	struct ipv4_repr ip;

	memcpy(e.dst, eth_dst ? eth_dst : our_mac, 6);
	memcpy(e.src, peer_mac, 6);
	e.ethertype = ETH_TYPE_IPV4;
	memset(&ip, 0, sizeof(ip));
	ip.src = src;
	ip.dst = dst;
	ip.proto = proto;
	ip.ttl = 64;
	ip.id = 0x1234;
	ip.total_len = (uint16_t)(IPV4_HDR_MIN + l4len);
	eth_emit(&e, f, ETH_HDR_LEN);
	ipv4_emit(&ip, f + ETH_HDR_LEN, IPV4_HDR_MIN);
	memcpy(f + ETH_HDR_LEN + IPV4_HDR_MIN, l4, l4len);
	return (uint16_t)(ETH_HDR_LEN + IPV4_HDR_MIN + l4len);
}

void h_seg_in(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, const struct tcp_options *opt,
	      const void *data, uint16_t len)
{
	uint8_t seg[1500], f[1514];
	struct tcp_repr r;
	int hl;

	memset(&r, 0, sizeof(r));
	r.src_port = H.rport;
	r.dst_port = H.lport;
	r.seq = seq;
	r.ack = (flags & TCP_ACK) ? ack : 0;
	r.flags = flags;
	r.window = win;
	r.urg = (flags & TCP_URG) ? H.peer_urg : 0;
	if (opt)
		r.opt = *opt;
	hl = tcp_emit(&r, seg, sizeof(seg));
	ck_assert_int_gt(hl, 0);
	if (len)
		memcpy(seg + hl, data, len);
	tcp_checksum(seg, (size_t)hl + len, H.peer_ip, H_OUR_IP);
	h_inject(f, h_build_ip(f, NULL, H.peer_ip, H_OUR_IP, IPV4_PROTO_TCP, seg, (uint16_t)(hl + len)));
}

static void flags_str(uint8_t fl, char *out)
{
	static const char names[] = "FSRPAUEC";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (fl & (1u << i))
			out[n++] = names[i];
	out[n] = 0;
}

/* Pops and decodes the next frame as Ethernet/IPv4/TCP; false if none. */
static bool pop_seg(const char *file, int line, struct h_seg *s)
{
	uint8_t b[1514];
	uint16_t n = h_pop_frame(b), l4;
	struct eth_repr e;

	if (n == 0)
		return false;
	memset(s, 0, sizeof(*s));
	ck_assert_msg(eth_parse(b, n, &e) == WIRE_OK, "%s:%d: bad Ethernet frame", file, line);
	memcpy(s->eth_dst, e.dst, 6);
	memcpy(s->eth_src, e.src, 6);
	s->ethertype = e.ethertype;
	ck_assert_msg(e.ethertype == ETH_TYPE_IPV4, "%s:%d: expected IPv4, got ethertype 0x%04x", file, line,
		      e.ethertype);
	ck_assert_msg(ipv4_parse(b + ETH_HDR_LEN, (size_t)(n - ETH_HDR_LEN), &s->ip) == WIRE_OK,
		      "%s:%d: bad IPv4 header", file, line);
	ck_assert_msg(s->ip.proto == IPV4_PROTO_TCP, "%s:%d: expected TCP, got protocol %u", file, line, s->ip.proto);
	l4 = (uint16_t)(s->ip.total_len - s->ip.hdr_len);
	ck_assert_msg(tcp_verify(b + ETH_HDR_LEN + s->ip.hdr_len, l4, s->ip.src, s->ip.dst) == WIRE_OK,
		      "%s:%d: bad TCP checksum", file, line);
	ck_assert_msg(tcp_parse(b + ETH_HDR_LEN + s->ip.hdr_len, l4, &s->tcp) == WIRE_OK, "%s:%d: bad TCP header",
		      file, line);
	s->plen = (uint16_t)(l4 - s->tcp.hdr_len);
	memcpy(s->payload, b + ETH_HDR_LEN + s->ip.hdr_len + s->tcp.hdr_len, s->plen);
	return true;
}

void h_expect_seg(const char *file, int line, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t plen,
		  enum h_mode mode)
{
	struct h_seg *s = &H.last;
	char ef[9], af[9];
	uint32_t es, ea;

	flags_str(flags, ef);
	ck_assert_msg(pop_seg(file, line, s), "%s:%d: expected a segment [%s] but nothing was sent", file, line, ef);
	flags_str(s->tcp.flags, af);
	if ((s->tcp.flags & TCP_SYN) && !H.iss_known) {
		H.our_iss = s->tcp.seq;
		H.iss_known = true;
		if (H.lport == 0)
			H.lport = s->tcp.src_port;
	}
	ck_assert_msg(s->ip.src == H_OUR_IP && s->ip.dst == H.peer_ip, "%s:%d: ip addresses", file, line);
	ck_assert_msg(memcmp(s->eth_dst, H.peer_mac, 6) == 0, "%s:%d: eth dst is not the peer", file, line);
	ck_assert_msg(s->tcp.src_port == H.lport && s->tcp.dst_port == H.rport,
		      "%s:%d: tcp ports: expected %u>%u vs actual %u>%u", file, line, H.lport, H.rport,
		      s->tcp.src_port, s->tcp.dst_port);
	ck_assert_msg(s->tcp.flags == flags, "%s:%d: tcp flags: expected [%s] vs actual [%s]", file, line, ef, af);
	es = mode == H_REL ? H.our_iss + seq : seq;
	ea = mode == H_REL ? H.peer_iss + ack : ack;
	ck_assert_msg(s->tcp.seq == es, "%s:%d: tcp seq: expected %d (abs %u) vs actual %d (abs %u)", file, line,
		      (int)(es - H.our_iss), es, (int)(s->tcp.seq - H.our_iss), s->tcp.seq);
	if (flags & TCP_ACK)
		ck_assert_msg(s->tcp.ack == ea, "%s:%d: tcp ack: expected %d (abs %u) vs actual %d (abs %u)", file, line,
			      (int)(ea - H.peer_iss), ea, (int)(s->tcp.ack - H.peer_iss), s->tcp.ack);
	ck_assert_msg(s->plen == plen, "%s:%d: tcp payload: expected %u vs actual %u bytes", file, line, plen,
		      s->plen);
}

void h_expect_nothing(const char *file, int line)
{
	struct h_seg s;
	char af[9];

	if (H.dev.tx_count == 0)
		return;
	if (pop_seg(file, line, &s)) {
		flags_str(s.tcp.flags, af);
		ck_abort_msg("%s:%d: expected nothing, but the stack sent [%s] seq %d ack %d len %u", file, line, af,
			     (int)(s.tcp.seq - H.our_iss), (int)(s.tcp.ack - H.peer_iss), s.plen);
	}
}

void h_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	(void)ctx;
	ck_assert_msg(H.ev_count < H_MAX_EVENTS, "too many events");
	H.ev[H.ev_count] = ev;
	H.ev_n[H.ev_count++] = n;
	switch (ev) {
	case TCP_EV_CONNECTED:
		H.conn = c;
		break;
	case TCP_EV_DATA: {
		uint16_t want = n, k;

		switch (H.policy) {
		case H_READ_NONE:
			want = 0;
			break;
		case H_READ_LIMIT:
			want = n < H.read_limit ? n : H.read_limit;
			break;
		case H_CLOSE_UNREAD:
			tcp_close(s, c);
			if (H.conn == c)
				H.conn = NULL;
			return;
		case H_READ_ALL:
		case H_ECHO:
			break;
		}
		ck_assert_msg(H.rx_len + want <= sizeof(H.rx), "harness rx buffer full");
		k = tcp_recv(s, c, H.rx + H.rx_len, want);
		ck_assert_uint_eq(k, want);
		if (H.policy == H_ECHO)
			tcp_send(s, c, H.rx + H.rx_len, k);
		H.rx_len += k;
		break;
	}
	case TCP_EV_SENT:
	case TCP_EV_PEER_CLOSED:
	case TCP_EV_URGENT:
		break;
	case TCP_EV_CLOSED:
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		if (H.conn == c)
			H.conn = NULL;
		break;
	}
}

void h_expect_event(const char *file, int line, enum tcp_event ev)
{
	ck_assert_msg(H.ev_read < H.ev_count, "%s:%d: expected event %s, none left", file, line, tcp_event_name(ev));
	ck_assert_msg(H.ev[H.ev_read] == ev, "%s:%d: event: expected %s vs actual %s", file, line,
		      tcp_event_name(ev), tcp_event_name(H.ev[H.ev_read]));
	H.ev_read++;
}

void h_expect_no_event(const char *file, int line)
{
	ck_assert_msg(H.ev_read == H.ev_count, "%s:%d: unexpected event %s", file, line,
		      tcp_event_name(H.ev[H.ev_read]));
}

struct tcp_pcb *h_pcb(void)
{
	return tcp_pcb_find(&H.st, H.peer_ip, H.lport, H.rport);
}

enum tcp_state h_state(void)
{
	struct tcp_pcb *c = h_pcb();

	return c ? tcp_state(c) : TCP_CLOSED;
}

void h_teardown(void)
{
	uint8_t b[1514];
	net_time_t next;
	unsigned i;

	ck_assert_msg(H.dev.tx_count == 0, "teardown: %u frame(s) sent that the test did not check",
		      H.dev.tx_count);
	ck_assert_msg(H.dev.rx_count == 0 && !H.dev.rx_open, "teardown: frames left unread by the stack");
	/* The application lets go of what it holds... */
	if (H.conn && tcp_state(H.conn) != TCP_CLOSED)
		tcp_abort(&H.st, H.conn);
	H.conn = NULL;
	for (i = 0; i < NET_TCP_LISTENERS; i++)
		if (H.st.listeners[i].port)
			tcp_unlisten(&H.st, H.st.listeners[i].port);
#if NET_UDP_PORTS
	for (i = 0; i < NET_UDP_PORTS; i++)
		if (H.st.udp[i].port)
			udp_unbind(&H.st, H.st.udp[i].port);
#endif
	/* ...then every timer runs out: half-open connections give up,
	 * TIME-WAIT ends, ARP entries age. */
	for (i = 0; i < 1000; i++) {
		while (h_pop_frame(b))
			;
		next = h_next_deadline();
		if (next == NET_TIME_NEVER)
			break;
		H.now = NET_TIME_BEFORE(H.now, next) ? next : H.now + 1;
	}
	while (h_pop_frame(b))
		;
	ck_assert_msg(tcp_pcbs_in_use(&H.st) == 0, "teardown: %u connection block(s) leaked",
		      tcp_pcbs_in_use(&H.st));
	ck_assert_msg(arp_entries_in_use(&H.st) == 0, "teardown: ARP entries never aged out");
	ck_assert_msg(H.st.rx_pcb == NULL && H.st.rx_left == 0, "teardown: receive reader left open");
}

/* ---- connections in each state ---- */

static const struct tcp_options syn_opts = {.present = TCP_OPTF_MSS, .mss = 1460};

void h_listen(void)
{
	H.lport = H_SERVER_PORT;
	H.rport = H_CLIENT_PORT;
	ck_assert_int_eq(tcp_listen(&H.st, H_SERVER_PORT, h_cb, &H), TCP_OK);
}

void h_to_syn_received(void)
{
	h_listen();
	h_seg_in(TCP_SYN, H.peer_iss, 0, H.peer_win, &syn_opts, NULL, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	STATE_IS(TCP_SYN_RECEIVED);
}

void h_to_established(void)
{
	h_to_syn_received();
	IN(TCP_ACK, 1, 1);
	OUT_NOTHING();
	EVENT(TCP_EV_CONNECTED);
	STATE_IS(TCP_ESTABLISHED);
}

void h_to_syn_sent(void)
{
	H.lport = 0;
	H.rport = H_SERVER_PORT;
	H.conn = tcp_connect(&H.st, H.peer_ip, H_SERVER_PORT, h_cb, &H);
	ck_assert_ptr_nonnull(H.conn);
	h_poll(); /* a main loop polls after acting: timers count from here */
	OUT(TCP_SYN, 0, 0);
	STATE_IS(TCP_SYN_SENT);
}

void h_to_established_active(void)
{
	h_to_syn_sent();
	h_seg_in(TCP_SYN | TCP_ACK, H.peer_iss, H.our_iss + 1, H.peer_win, &syn_opts, NULL, 0);
	OUT(TCP_ACK, 1, 1);
	EVENT(TCP_EV_CONNECTED);
	STATE_IS(TCP_ESTABLISHED);
}

void h_to_fin_wait_1(void)
{
	h_to_established();
	ck_assert_int_eq(tcp_close(&H.st, H.conn), TCP_OK);
	h_poll(); /* timers count from the poll after the call */
	OUT(TCP_FIN | TCP_ACK, 1, 1);
	STATE_IS(TCP_FIN_WAIT_1);
}

void h_to_fin_wait_2(void)
{
	h_to_fin_wait_1();
	IN(TCP_ACK, 1, 2);
	OUT_NOTHING();
	STATE_IS(TCP_FIN_WAIT_2);
}

void h_to_close_wait(void)
{
	h_to_established();
	IN(TCP_FIN | TCP_ACK, 1, 1);
	OUT(TCP_ACK, 1, 2);
	EVENT(TCP_EV_PEER_CLOSED);
	STATE_IS(TCP_CLOSE_WAIT);
}

void h_to_last_ack(void)
{
	h_to_close_wait();
	ck_assert_int_eq(tcp_close(&H.st, H.conn), TCP_OK);
	h_poll(); /* timers count from the poll after the call */
	OUT(TCP_FIN | TCP_ACK, 1, 2);
	STATE_IS(TCP_LAST_ACK);
}

void h_to_closing(void)
{
	h_to_fin_wait_1();
	IN(TCP_FIN | TCP_ACK, 1, 1); /* crosses our FIN: does not ack it */
	OUT(TCP_ACK, 2, 2);
	EVENT(TCP_EV_PEER_CLOSED);
	STATE_IS(TCP_CLOSING);
}

void h_to_time_wait(void)
{
	h_to_fin_wait_2();
	IN(TCP_FIN | TCP_ACK, 1, 2);
	OUT(TCP_ACK, 2, 2);
	EVENT(TCP_EV_CLOSED);
	STATE_IS(TCP_TIME_WAIT);
}
