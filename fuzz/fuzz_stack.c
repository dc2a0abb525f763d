/*
 * fuzz_stack.c - Ethernet frames into the stack's receive path (core/net/),
 * through a netdev that aborts on any breach of the netdev.h contract.
 *
 * The stack is configured as the sim DUT configures it (sim_node defaults
 * for "dut" with seed 1: its MAC, its ISN key, hence its ephemeral ports;
 * 192.168.0.1, every address on-link), listens on 8080 and 8888 and echoes
 * UDP on 7. One thing differs: the ISS is fixed (FUZZ_ISS, the ISN hook),
 * so the seeds, taken from the suites' link captures with the acks of the
 * peer rewritten to that ISS (fuzz/gen_stack_seeds.py), complete their
 * handshakes and reach TCP's data, close and reset paths.
 *
 * Input:
 *   byte 0      profile bits (RFC 5961, RFC 1337, TIME-WAIT recycling),
 *               device memory on/off, checksum hooks on/off, the
 *               application reads data / greets and closes back
 *   then records, the type in the low 2 bits of a byte:
 *     0 frame: 16-bit length, the bytes (Ethernet header on, no FCS)
 *     1 time: 16-bit milliseconds pass (timers run)
 *     2 application (byte >> 5): send, close, abort, read, window, a new
 *       active open (to the port given), flush; then 16 bits naming the
 *       connection by its remote or local port, 16 bits of argument
 *     3 PHY link down / up
 *
 * Checked: the netdev contract (one frame open at a time, reads and writes
 * within the frame and device memory, frames at most 1514 bytes); every
 * frame the stack sends has our MAC as its source and, when IPv4, a right
 * header checksum, a total length within the frame and a right TCP, UDP or
 * ICMP checksum; after aborting every connection no block stays in use.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "net.h"
#include "node.h"
#include "sim.h"

#define FUZZ_ISS 0x10000000u
#define FRAME_MAX 1514u
#define MEM_SIZE 4096u
#define MAX_RECORDS 4000u
#define PEER_IP 0xC0000201u /* 192.0.2.1, the engine's peer */

struct dev {
	const uint8_t *rx;
	uint16_t rx_len;
	bool rx_pending, rx_open;
	bool tx_open;
	uint16_t tx_len;
	uint8_t tx[FRAME_MAX];
	uint8_t mem[MEM_SIZE];
	bool link;
	uint8_t mac[6];
	unsigned sent;
};

static uint16_t rx_begin(void *d)
{
	struct dev *v = d;
	FUZZ_CHECK(!v->rx_open, "rx_begin with a frame open");
	if (!v->rx_pending)
		return 0;
	v->rx_pending = false;
	v->rx_open = true;
	return v->rx_len;
}

static void rx_read(void *d, uint16_t off, uint8_t *buf, uint16_t n)
{
	struct dev *v = d;
	FUZZ_CHECK(v->rx_open, "rx_read with no frame open");
	FUZZ_CHECK((unsigned)off + n <= v->rx_len, "rx_read of %u at %u past the %u-byte frame", n, off, v->rx_len);
	memcpy(buf, v->rx + off, n);
}

static void rx_end(void *d)
{
	struct dev *v = d;
	FUZZ_CHECK(v->rx_open, "rx_end with no frame open");
	v->rx_open = false;
}

static int tx_begin(void *d)
{
	struct dev *v = d;
	FUZZ_CHECK(!v->tx_open, "tx_begin with a frame being built");
	v->tx_open = true;
	v->tx_len = 0;
	return 0;
}

static void tx_write(void *d, const uint8_t *p, uint16_t n)
{
	struct dev *v = d;
	FUZZ_CHECK(v->tx_open, "tx_write outside tx_begin/tx_send");
	FUZZ_CHECK((unsigned)v->tx_len + n <= FRAME_MAX, "frame grows to %u bytes", v->tx_len + n);
	memcpy(v->tx + v->tx_len, p, n);
	v->tx_len = (uint16_t)(v->tx_len + n);
}

static void tx_write_at(void *d, uint16_t off, const uint8_t *p, uint16_t n)
{
	struct dev *v = d;
	FUZZ_CHECK(v->tx_open, "tx_write_at outside tx_begin/tx_send");
	FUZZ_CHECK((unsigned)off + n <= v->tx_len, "tx_write_at of %u at %u past the %u bytes written", n, off,
		   v->tx_len);
	memcpy(v->tx + off, p, n);
}

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1u)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xFFFFu) + (acc >> 16);
	return (uint16_t)acc;
}

/* What leaves the stack must be a well-formed frame. */
static void check_sent(const struct dev *v)
{
	const uint8_t *f = v->tx;
	FUZZ_CHECK(v->tx_len >= 14, "a %u-byte frame", v->tx_len);
	FUZZ_CHECK(memcmp(f + 6, v->mac, 6) == 0, "source MAC is not ours");
	if (f[12] != 0x08 || f[13] != 0x00)
		return;
	const uint8_t *ip = f + 14;
	size_t room = v->tx_len - 14u;
	FUZZ_CHECK(room >= 20 && ip[0] >> 4 == 4, "IPv4 frame without an IPv4 header");
	size_t ihl = (size_t)(ip[0] & 15u) * 4u, tot = (size_t)ip[2] << 8 | ip[3];
	FUZZ_CHECK(ihl >= 20 && tot >= ihl && tot <= room, "IHL %zu, total length %zu, %zu bytes", ihl, tot, room);
	FUZZ_CHECK(fold(sum16(0, ip, ihl)) == 0xFFFFu, "bad IPv4 header checksum");
	if ((ip[6] & 0x3Fu) != 0 || ip[7] != 0)
		return; /* a fragment: not ours to send, but not checked further */
	uint8_t proto = ip[9];
	const uint8_t *l4 = ip + ihl;
	size_t l4len = tot - ihl;
	if (proto == 1) {
		FUZZ_CHECK(fold(sum16(0, l4, l4len)) == 0xFFFFu, "bad ICMP checksum");
	} else if (proto == 6 || proto == 17) {
		uint32_t ph = sum16(0, ip + 12, 8) + proto + (uint32_t)l4len;
		FUZZ_CHECK(l4len >= (proto == 6 ? 20u : 8u), "%zu-byte %s header", l4len, proto == 6 ? "TCP" : "UDP");
		if (proto == 6)
			FUZZ_CHECK(((size_t)(l4[12] >> 4) * 4u) >= 20 && ((size_t)(l4[12] >> 4) * 4u) <= l4len,
				   "TCP data offset %u in %zu bytes", l4[12] >> 4, l4len);
		if (proto == 17)
			FUZZ_CHECK(((size_t)l4[4] << 8 | l4[5]) == l4len, "UDP length");
		FUZZ_CHECK(fold(sum16(ph, l4, l4len)) == 0xFFFFu, "bad %s checksum", proto == 6 ? "TCP" : "UDP");
	}
}

static int trace = -1; /* FUZZ_STACK_TRACE=1: how far an input got (seed checks) */

static int tx_send(void *d)
{
	struct dev *v = d;
	FUZZ_CHECK(v->tx_open, "tx_send without tx_begin");
	v->tx_open = false;
	check_sent(v);
	v->sent++;
	if (trace > 0 && v->tx_len >= 54 && v->tx[23] == 6) {
		const uint8_t *t = v->tx + 14 + (v->tx[14] & 15u) * 4u;
		fprintf(stderr, "  sent flags %02x seq %08x ack %08x\n", t[13],
			(unsigned)t[4] << 24 | (unsigned)t[5] << 16 | (unsigned)t[6] << 8 | t[7],
			(unsigned)t[8] << 24 | (unsigned)t[9] << 16 | (unsigned)t[10] << 8 | t[11]);
	}
	return 0;
}

static uint16_t mem_size(void *d)
{
	(void)d;
	return MEM_SIZE;
}

static void mem_write(void *d, uint16_t addr, const uint8_t *p, uint16_t n)
{
	struct dev *v = d;
	FUZZ_CHECK((unsigned)addr + n <= MEM_SIZE, "mem_write of %u at %u", n, addr);
	memcpy(v->mem + addr, p, n);
}

static void mem_read(void *d, uint16_t addr, uint8_t *p, uint16_t n)
{
	struct dev *v = d;
	FUZZ_CHECK((unsigned)addr + n <= MEM_SIZE, "mem_read of %u at %u", n, addr);
	memcpy(p, v->mem + addr, n);
}

static void tx_copy_from_mem(void *d, uint16_t addr, uint16_t n)
{
	struct dev *v = d;
	FUZZ_CHECK((unsigned)addr + n <= MEM_SIZE, "tx_copy_from_mem of %u at %u", n, addr);
	tx_write(d, v->mem + addr, n);
}

#if NET_HW_CSUM
static bool rx_csum(void *d, uint16_t off, uint16_t n, uint16_t *sum)
{
	struct dev *v = d;
	FUZZ_CHECK(v->rx_open, "rx_csum with no frame open");
	FUZZ_CHECK((unsigned)off + n <= v->rx_len, "rx_csum of %u at %u past the %u-byte frame", n, off, v->rx_len);
	*sum = fold(sum16(0, v->rx + off, n));
	return true;
}

static bool mem_csum(void *d, uint16_t addr, uint16_t n, uint16_t *sum)
{
	struct dev *v = d;
	FUZZ_CHECK((unsigned)addr + n <= MEM_SIZE, "mem_csum of %u at %u", n, addr);
	*sum = fold(sum16(0, v->mem + addr, n));
	return true;
}
#endif

static bool link_up(void *d)
{
	return ((struct dev *)d)->link;
}

static const struct netdev_ops ops_full = {
	.rx_begin = rx_begin, .rx_read = rx_read, .rx_end = rx_end,
	.tx_begin = tx_begin, .tx_write = tx_write, .tx_write_at = tx_write_at, .tx_send = tx_send,
	.mem_size = mem_size, .mem_write = mem_write, .mem_read = mem_read, .tx_copy_from_mem = tx_copy_from_mem,
#if NET_HW_CSUM
	.rx_csum = rx_csum, .mem_csum = mem_csum,
#endif
	.link_up = link_up,
};

static const struct netdev_ops ops_mem = {
	.rx_begin = rx_begin, .rx_read = rx_read, .rx_end = rx_end,
	.tx_begin = tx_begin, .tx_write = tx_write, .tx_write_at = tx_write_at, .tx_send = tx_send,
	.mem_size = mem_size, .mem_write = mem_write, .mem_read = mem_read, .tx_copy_from_mem = tx_copy_from_mem,
	.link_up = link_up,
};

static const struct netdev_ops ops_ram = {
	.rx_begin = rx_begin, .rx_read = rx_read, .rx_end = rx_end,
	.tx_begin = tx_begin, .tx_write = tx_write, .tx_write_at = tx_write_at, .tx_send = tx_send,
	.link_up = link_up,
};

static uint32_t fixed_iss(void *ctx, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	(void)ctx, (void)lip, (void)lport, (void)rip, (void)rport;
	return FUZZ_ISS;
}

struct app {
	bool reads, greets;
	unsigned connected, read;
	uint8_t buf[2048];
};

static void on_tcp(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	struct app *a = ctx;
	switch (ev) {
	case TCP_EV_CONNECTED:
		a->connected++;
		if (a->greets)
			tcp_send(s, c, "hello\r\n", 7);
		break;
	case TCP_EV_DATA:
		if (a->reads) {
			uint16_t got = tcp_recv(s, c, a->buf, n < sizeof a->buf ? n : (uint16_t)sizeof a->buf);
			FUZZ_CHECK(got <= n, "tcp_recv gave %u of %u", got, n);
			a->read += got;
		}
		break;
	case TCP_EV_PEER_CLOSED:
		if (a->greets)
			tcp_close(s, c);
		break;
	case TCP_EV_URGENT:
		FUZZ_CHECK(tcp_urgent_left(c) <= 65535u, "urgent left");
		break;
	case TCP_EV_SENT:
	case TCP_EV_CLOSED:
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		break;
	}
}

static void on_udp(struct net_stack *s, const struct udp_dgram *d, void *ctx)
{
	struct app *a = ctx;
	uint16_t got = udp_recv(s, a->buf, sizeof a->buf);
	FUZZ_CHECK(got <= d->len, "udp_recv gave %u of %u", got, d->len);
	udp_sendto(s, d->dst_port, d->src_ip, d->src_port, a->buf, got);
}

/* The connection an application record is about: the one with that
 * remote or local port, else a block chosen by it. */
static struct tcp_pcb *pcb_of(struct net_stack *s, uint16_t port)
{
	for (unsigned i = 0; i < NET_TCP_CONNS; i++)
		if (tcp_state(&s->tcp[i]) != TCP_CLOSED && (s->tcp[i].rport == port || s->tcp[i].lport == port))
			return &s->tcp[i];
	return &s->tcp[port % NET_TCP_CONNS];
}

/* The sim DUT's stack configuration, computed once. */
static struct net_config base_cfg;

static void init_once(void)
{
	static bool done;
	if (done)
		return;
	struct sim sim;
	struct sim_node_config nc;
	FUZZ_CHECK(sim_init(&sim, 1, 16) == 0, "sim_init");
	sim_node_config_defaults(&nc, &sim, "dut", 1);
	sim_free(&sim);
	base_cfg = nc.net;
	base_cfg.ip = 0xC0A80001u; /* 192.168.0.1 */
	base_cfg.netmask = 0;
	base_cfg.gateway = 0;
	done = true;
}

static net_time_t poll_until(struct net_stack *s, net_time_t now)
{
	/* Each call handles at most NET_POLL_BUDGET frames and timers due by
	 * now; a deadline of `now` asks for another call. */
	for (unsigned i = 0; i < 64; i++) {
		net_time_t next = net_poll(s, now);
		if (next > now)
			return next;
	}
	return now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct net_stack st;
	static struct dev dev;
	static struct app app;
	init_once();
	if (trace < 0)
		trace = getenv("FUZZ_STACK_TRACE") != NULL;
	struct fuzz_in in = {data, size, 0};
	uint8_t flags = fuzz_u8(&in);
	struct net_config cfg = base_cfg;
	cfg.profile = (uint8_t)((flags & 7u) ^ NET_PROFILE_RFC5961); /* 0: the sim's default profile */
	cfg.isn_hook = fixed_iss;
	memset(&dev, 0, sizeof dev);
	memcpy(dev.mac, cfg.mac, 6);
	dev.link = true;
	app.connected = app.read = 0;
	app.reads = (flags & 0x20u) == 0;
	app.greets = (flags & 0x40u) != 0;
	/* 0: device memory and checksum hooks, as the ENC28J60's netdev has */
	struct netdev nd = {(flags & 0x08u) ? &ops_ram : ((flags & 0x10u) ? &ops_mem : &ops_full), &dev};
	net_time_t now = NET_MS(1);
	net_init(&st, &cfg, &nd, now);
	FUZZ_CHECK(tcp_listen(&st, 8080, on_tcp, &app) == TCP_OK, "listen 8080");
	FUZZ_CHECK(tcp_listen(&st, 8888, on_tcp, &app) == TCP_OK, "listen 8888");
#if NET_UDP_PORTS
	FUZZ_CHECK(udp_bind(&st, 7, on_udp, &app) == 0, "udp 7");
#else
	(void)on_udp;
#endif
	poll_until(&st, now);

	for (unsigned r = 0; r < MAX_RECORDS && !fuzz_in_done(&in); r++) {
		uint8_t t = fuzz_u8(&in);
		switch (t & 3u) {
		case 0: {
			const uint8_t *p;
			size_t len = fuzz_bytes(&in, &p, fuzz_u16(&in) % (FRAME_MAX + 1u));
			if (len == 0)
				break; /* rx_begin's 0 means "no frame" */
			dev.rx = p;
			dev.rx_len = (uint16_t)len;
			dev.rx_pending = true;
			poll_until(&st, now);
			FUZZ_CHECK(!dev.rx_pending && !dev.rx_open, "frame left unread or open");
			break;
		}
		case 1: {
			net_time_t until = now + NET_MS(fuzz_u16(&in));
			while (now < until) {
				net_time_t next = poll_until(&st, now);
				now = next == NET_TIME_NEVER || next > until ? until : (next > now ? next : now + 1);
			}
			poll_until(&st, now);
			break;
		}
		case 2: {
			uint16_t port = fuzz_u16(&in), arg = fuzz_u16(&in);
			struct tcp_pcb *c = pcb_of(&st, port);
			bool live = tcp_state(c) != TCP_CLOSED;
			switch ((t >> 5) & 7u) {
			case 0:
				if (live) {
					static uint8_t junk[1024];
					uint16_t k = (uint16_t)(arg % sizeof junk);
					FUZZ_CHECK(tcp_send(&st, c, junk, k) <= k, "tcp_send took more than given");
				}
				break;
			case 1:
				if (live)
					tcp_close(&st, c);
				break;
			case 2:
				if (live)
					tcp_abort(&st, c);
				break;
			case 3:
				if (live) {
					uint16_t got = tcp_recv(&st, c, app.buf, (uint16_t)(arg % sizeof app.buf));
					FUZZ_CHECK(got == 0, "tcp_recv outside a DATA event gave %u", got);
				}
				break;
			case 4:
				if (live)
					tcp_set_rcv_wnd(&st, c, arg);
				break;
			case 5:
				tcp_connect(&st, PEER_IP, arg ? arg : 1, on_tcp, &app);
				break;
			default:
				if (live)
					tcp_flush(&st, c);
				break;
			}
			poll_until(&st, now);
			break;
		}
		default:
			dev.link = (t & 4u) != 0;
			poll_until(&st, now);
			break;
		}
		FUZZ_CHECK(!dev.tx_open, "a frame left half built");
	}
	if (trace) {
		fprintf(stderr,
			"fuzz_stack: %u frames sent, %u connected, %u bytes read, %u bad acks, %u rejected, "
			"%u RSTs sent, states",
			dev.sent, app.connected, app.read,
			(unsigned)(net_stat(&st, NET_STAT_TCP_SYNRCVD_BAD_ACK) + net_stat(&st, NET_STAT_TCP_SYNSENT_BAD_ACK)),
			(unsigned)net_stat(&st, NET_STAT_TCP_SEQ_REJECT), (unsigned)net_stat(&st, NET_STAT_TCP_RST_SENT));
		for (unsigned i = 0; i < NET_TCP_CONNS; i++)
			fprintf(stderr, " %s", tcp_state_name(tcp_state(&st.tcp[i])));
		fputc('\n', stderr);
	}
	for (unsigned i = 0; i < NET_TCP_CONNS; i++)
		if (tcp_state(&st.tcp[i]) != TCP_CLOSED)
			tcp_abort(&st, &st.tcp[i]);
	FUZZ_CHECK(tcp_pcbs_in_use(&st) == 0, "%u blocks in use after aborting all", tcp_pcbs_in_use(&st));
	return 0;
}
