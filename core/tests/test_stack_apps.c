/*
 * test_stack_apps.c - the demo applications (core/apps/) against the
 * scripted peer, and two synack stacks talking to each other over a lossy
 * in-memory link (echo of 100 KB with 5% deterministic loss each way).
 */
#include "tcp_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/echo_server.h"
#include "apps/http_status.h"
#include "wire/eth.h"

/* ---------- demos against the scripted peer ---------- */

START_TEST(test_echo_server_echoes_and_closes)
{
	static struct echo_server e;

	ck_assert_int_eq(echo_server_start(&e, &H.st, ECHO_PORT), TCP_OK);
	H.lport = ECHO_PORT;
	H.rport = H_CLIENT_PORT;
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	IN(TCP_ACK, 1, 1);
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, "hello synack", 12);
	OUT_DATA(TCP_ACK | TCP_PSH, 1, 13, 12);
	ck_assert_mem_eq(H.last.payload, "hello synack", 12);
	IN(TCP_FIN | TCP_ACK, 13, 13);
	OUT(TCP_ACK | TCP_FIN, 13, 14); /* ACK of its FIN carries ours */
	IN(TCP_ACK, 14, 14);
	STATE_IS(TCP_CLOSED);
	ck_assert_uint_eq(e.bytes, 12);
	ck_assert_uint_eq(e.accepted, 1);
}
END_TEST

START_TEST(test_http_status_serves_page)
{
	static struct http_status hs;
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";

	ck_assert_int_eq(http_status_start(&hs, &H.st, HTTP_PORT), TCP_OK);
	H.lport = HTTP_PORT;
	H.rport = H_CLIENT_PORT;
	IN(TCP_SYN, 0, 0);
	OUT(TCP_SYN | TCP_ACK, 0, 1);
	IN(TCP_ACK, 1, 1);
	IN_DATA(TCP_ACK | TCP_PSH, 1, 1, req, sizeof(req) - 1);
	ck_assert_uint_gt(H.dev.tx_count, 0);
	h_expect_seg(__FILE__, __LINE__, TCP_ACK | TCP_PSH | TCP_FIN, 1, sizeof(req), H.dev.tx[H.dev.tx_head].len - 54,
		     H_REL);
	ck_assert(memcmp(H.last.payload, "HTTP/1.0 200 OK\r\n", 17) == 0);
	H.last.payload[H.last.plen] = 0;
	ck_assert_ptr_nonnull(strstr((const char *)H.last.payload, "tcp.conns 1\n"));
	IN(TCP_FIN | TCP_ACK, sizeof(req), 1 + H.last.plen + 1);
	OUT(TCP_ACK, 1 + H.last.plen + 1, sizeof(req) + 1);
	STATE_IS(TCP_TIME_WAIT);
	ck_assert_uint_eq(hs.served, 1);
}
END_TEST

/* ---------- two stacks on a lossy link ---------- */

#define PAIR_BYTES 100000u

struct node {
	struct fake_netdev dev;
	struct net_stack st;
	struct net_config cfg;
};

static struct node A, B;
static struct echo_server echo;
static uint32_t rng = 12345u;

struct client {
	struct tcp_pcb *c;
	uint32_t sent, got;
	bool closed, bad, connected;
	enum tcp_event last;
};
static struct client cl;

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 31u + (i >> 8));
}

static void client_push(struct net_stack *s, struct tcp_pcb *c)
{
	uint8_t buf[128];

	while (cl.sent < PAIR_BYTES) {
		uint16_t k = tcp_send_space(s, c), i;

		if (k > sizeof(buf))
			k = sizeof(buf);
		if (k > PAIR_BYTES - cl.sent)
			k = (uint16_t)(PAIR_BYTES - cl.sent);
		if (k == 0)
			break;
		for (i = 0; i < k; i++)
			buf[i] = pattern(cl.sent + i);
		cl.sent += tcp_write(s, c, buf, k);
	}
}

static void client_cb(struct net_stack *s, struct tcp_pcb *c, enum tcp_event ev, uint16_t n, void *ctx)
{
	uint8_t buf[256];

	(void)ctx;
	cl.last = ev;
	switch (ev) {
	case TCP_EV_CONNECTED:
		cl.connected = true;
		client_push(s, c);
		break;
	case TCP_EV_SENT:
		client_push(s, c);
		break;
	case TCP_EV_DATA:
		while (n) {
			uint16_t k = tcp_recv(s, c, buf, n < sizeof(buf) ? n : (uint16_t)sizeof(buf)), i;

			for (i = 0; i < k; i++)
				if (buf[i] != pattern(cl.got + i))
					cl.bad = true;
			cl.got += k;
			n = (uint16_t)(n - k);
		}
		if (cl.got == PAIR_BYTES)
			tcp_close(s, c);
		break;
	case TCP_EV_PEER_CLOSED:
	case TCP_EV_URGENT:
		break;
	case TCP_EV_CLOSED:
		cl.closed = true;
		cl.c = NULL;
		break;
	case TCP_EV_RESET:
	case TCP_EV_REFUSED:
	case TCP_EV_TIMEOUT:
		cl.c = NULL;
		break;
	}
}

static void node_init(struct node *n, uint8_t id, net_time_t now)
{
	fake_netdev_init(&n->dev, id == 1);
	net_config_defaults(&n->cfg);
	memcpy(n->cfg.mac, (const uint8_t[6]){0x02, 0, 0, 0, 0, id}, 6);
	n->cfg.ip = 0xC0A80100u + id;
	n->cfg.netmask = 0xFFFFFF00u;
	memcpy(n->cfg.isn_key, id == 1 ? "key-of-node-A..." : "key-of-node-B...", 16);
	net_init(&n->st, &n->cfg, &n->dev.nd, now);
}

/* Moves frames from one node to the other, dropping ~5%. */
static unsigned carry(struct node *from, struct node *to, unsigned *dropped)
{
	uint8_t b[1514];
	uint16_t n;
	unsigned moved = 0;

	while ((n = fake_pop(&from->dev, b)) != 0) {
		rng = rng * 1103515245u + 12345u;
		if (((rng >> 16) % 100u) < 5u) {
			(*dropped)++;
			continue;
		}
		fake_inject_raw(&to->dev, b, n);
		moved++;
	}
	return moved;
}

START_TEST(test_pair_echo_100k_with_loss)
{
	net_time_t now = NET_S(10), na, nb, next;
	unsigned dropped = 0, steps;

	memset(&cl, 0, sizeof(cl));
	node_init(&A, 1, now);
	node_init(&B, 2, now);
	ck_assert_int_eq(echo_server_start(&echo, &B.st, ECHO_PORT), TCP_OK);
	net_poll(&A.st, now);
	net_poll(&B.st, now);
	cl.c = tcp_connect(&A.st, B.cfg.ip, ECHO_PORT, client_cb, NULL);
	ck_assert_ptr_nonnull(cl.c);
	for (steps = 0; steps < 200000 && !cl.closed; steps++) {
		unsigned moved = carry(&A, &B, &dropped) + carry(&B, &A, &dropped);

		now += NET_US(100); /* link latency */
		na = net_poll(&A.st, now);
		nb = net_poll(&B.st, now);
		if (!moved && A.dev.tx_count == 0 && B.dev.tx_count == 0) {
			next = na < nb ? na : nb;
			if (next == NET_TIME_NEVER)
				break;
			if (next > now)
				now = next;
		}
		if (!cl.c && !cl.closed)
			break;
	}
	if (getenv("PAIR_STATS") || !cl.closed) {
		int i;

		for (i = 0; i < NET_STAT_COUNT; i++)
			if (A.st.stats[i] || B.st.stats[i])
				fprintf(stderr, "%-28s A %6u  B %6u\n", net_stat_name((enum net_stat_id)i),
					(unsigned)A.st.stats[i], (unsigned)B.st.stats[i]);
	}
	ck_assert_msg(cl.closed, "echo did not complete: sent %u got %u last event %s", cl.sent, cl.got,
		      tcp_event_name(cl.last));
	ck_assert(!cl.bad);
	ck_assert_uint_eq(cl.got, PAIR_BYTES);
	ck_assert_uint_eq(echo.bytes, PAIR_BYTES);
	ck_assert_uint_gt(dropped, 0);
	if (getenv("PAIR_STATS"))
		fprintf(stderr, "pair: %u dropped, virtual %.1f s, A rtx %u B rtx %u\n", dropped, (double)(now - NET_S(10)) / 1e9, (unsigned)A.st.stats[NET_STAT_TCP_RETRANSMITS], (unsigned)B.st.stats[NET_STAT_TCP_RETRANSMITS]);
	/* both sides settle: TIME-WAIT ends, every block is free */
	for (steps = 0; steps < 1000; steps++) {
		carry(&A, &B, &dropped);
		carry(&B, &A, &dropped);
		na = net_poll(&A.st, now);
		nb = net_poll(&B.st, now);
		next = na < nb ? na : nb;
		if (tcp_pcbs_in_use(&A.st) == 0 && tcp_pcbs_in_use(&B.st) == 0)
			break;
		now = next == NET_TIME_NEVER ? now + NET_S(1) : (next > now ? next : now + 1);
	}
	ck_assert_uint_eq(tcp_pcbs_in_use(&A.st), 0);
	ck_assert_uint_eq(tcp_pcbs_in_use(&B.st), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack_apps");
	TCase *t = tcase_create("demos");
	TCase *p = tcase_create("pair");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, h_setup, h_teardown);
	tcase_add_test(t, test_echo_server_echoes_and_closes);
	tcase_add_test(t, test_http_status_serves_page);
	suite_add_tcase(s, t);
	tcase_add_test(p, test_pair_echo_100k_with_loss);
	tcase_set_timeout(p, 60);
	suite_add_tcase(s, p);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
