/*
 * test_engine_timing.c - the runner's timing rules against a stub DUT whose
 * answer time the test chooses: a SYN is answered by a SYN-ACK `delay` ns
 * later, and the application is told `eof` `lead` ns before that answer
 * leaves (as on the sim DUT, where the stack tells the application before
 * its segment has crossed the modelled wire). Real-time DUTs get
 * packetdrill's symmetric tolerance (max(tolerance_usecs,
 * tolerance_percent of the gap)); virtual-time DUTs are never early and
 * late only by the tolerance, except for times counted from an observed
 * moment; `*` and windows accept any time inside them.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

struct stub {
	uint64_t now;
	int64_t delay;     /* answer SYNs this long after the injection */
	int64_t lead;      /* the `eof` event comes this long before the answer */
	bool pending;
	struct dut_packet reply;
	bool ev_pending;
	uint64_t ev_t;
};

/* The stub takes its answer delay from the run's seed (ns, low 40 bits)
 * and the event's lead from its high bits (us). */
static int stub_open(struct dut *d, const struct dut_config *cfg, char err[DUT_ERR_LEN])
{
	(void)err;
	struct stub *s = calloc(1, sizeof *s);
	s->delay = (int64_t)(cfg->seed & ((1ull << 40) - 1u));
	s->lead = (int64_t)(cfg->seed >> 40) * 1000;
	d->priv = s;
	return 0;
}

static void stub_close(struct dut *d)
{
	free(d->priv);
	d->priv = NULL;
}

static uint64_t stub_now(struct dut *d)
{
	return ((struct stub *)d->priv)->now;
}

static int stub_inject(struct dut *d, const uint8_t *ip, size_t len)
{
	struct stub *s = d->priv;
	struct ipv4_repr i;
	struct tcp_repr t, r;
	ck_assert_int_eq(ipv4_parse(ip, len, &i), WIRE_OK);
	ck_assert_int_eq(tcp_parse(ip + i.hdr_len, len - i.hdr_len, &t), WIRE_OK);
	if (!(t.flags & TCP_SYN))
		return 0;
	memset(&r, 0, sizeof r);
	r.src_port = t.dst_port;
	r.dst_port = t.src_port;
	r.seq = 5000;
	r.ack = t.seq + 1;
	r.flags = TCP_SYN | TCP_ACK;
	r.window = 1000;
	uint8_t *seg = s->reply.data + IPV4_HDR_MIN;
	int hl = tcp_emit(&r, seg, DUT_MAX_PKT - IPV4_HDR_MIN);
	tcp_checksum(seg, (size_t)hl, i.dst, i.src);
	struct ipv4_repr o = {.src = i.dst, .dst = i.src, .proto = IPV4_PROTO_TCP, .ttl = 64,
			      .total_len = (uint16_t)(IPV4_HDR_MIN + (unsigned)hl)};
	ipv4_emit(&o, s->reply.data, DUT_MAX_PKT);
	s->reply.len = o.total_len;
	s->reply.t = (uint64_t)((int64_t)s->now + s->delay);
	s->pending = true;
	s->ev_pending = s->lead > 0 && s->lead <= s->delay;
	s->ev_t = s->reply.t - (uint64_t)s->lead;
	return 0;
}

static int stub_advance(struct dut *d, uint64_t until, struct dut_packet *out)
{
	struct stub *s = d->priv;
	if (s->ev_pending && s->ev_t > s->now && s->ev_t <= until) {
		s->now = s->ev_t; /* stop there: an application event (dut.h) */
		return 0;
	}
	if (s->pending && s->reply.t <= until) {
		s->pending = false;
		if (s->reply.t > s->now)
			s->now = s->reply.t;
		*out = s->reply;
		return 1;
	}
	if (until > s->now)
		s->now = until;
	return 0;
}

static int stub_app(struct dut *d, const struct dut_app_cmd *cmd, char err[DUT_ERR_LEN])
{
	(void)d;
	(void)cmd;
	(void)err;
	return 0;
}

static enum dut_app_event stub_event(struct dut *d)
{
	struct stub *s = d->priv;
	if (!s->ev_pending || s->now < s->ev_t)
		return DUT_EV_NONE;
	s->ev_pending = false;
	return DUT_EV_EOF;
}

static enum engine_verdict run_lead(bool virtual_time, uint64_t delay, uint64_t lead_us, const char *text,
				    char *msg, size_t cap)
{
	const struct dut_ops ops = {
		.name = "stub", .virtual_time = virtual_time, .open = stub_open, .close = stub_close,
		.now = stub_now, .inject = stub_inject, .advance = stub_advance, .app = stub_app,
		.app_event = stub_event,
	};
	struct script *s;
	struct script_error err;
	ck_assert_msg(script_parse_string("t.pkt", text, strlen(text), &s, &err) == SCRIPT_OK, "%s", err.text);
	struct engine_options o;
	engine_options_defaults(&o);
	o.dut_ops = &ops;
	o.seed = delay | lead_us << 40;
	ck_assert(engine_check_options(s, &o, msg, cap));
	struct engine_result r;
	engine_run(s, &o, &r);
	snprintf(msg, cap, "%s", r.messages);
	enum engine_verdict v = r.verdict;
	engine_result_free(&r);
	script_free(s);
	return v;
}

static enum engine_verdict run(bool virtual_time, uint64_t delay, const char *text, char *msg, size_t cap)
{
	return run_lead(virtual_time, delay, 0, text, msg, cap);
}

#define MS 1000000u
#define SYN "0 < S 0:0(0) win 1000\n"
#define AT_0_1 "0.1 < S 0:0(0) win 1000\n"

START_TEST(test_real_time_symmetric_tolerance)
{
	char m[512];
	/* default 4 ms: 3 ms late passes, 5 ms late fails */
	ck_assert_int_eq(run(false, 3 * MS, SYN "+0 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_PASS);
	ck_assert_int_eq(run(false, 5 * MS, SYN "+0 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_FAIL);
	ck_assert_str_eq(m, "t.pkt:2: timing error: expected the segment at 0.000000 s (tolerance 0.004000 s) "
			    "but it was sent at 0.005000 s\n");
	/* early by 3 ms is fine for a real-time DUT */
	ck_assert_int_eq(run(false, 7 * MS, SYN "+.01 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_PASS);
	/* the script's tolerance_usecs */
	ck_assert_int_eq(run(false, 9 * MS, "--tolerance_usecs=10000\n" SYN "+0 > S. 0:0(0) ack 1\n", m, sizeof m),
			 ENGINE_PASS);
}
END_TEST

START_TEST(test_tolerance_percent_of_the_gap)
{
	char m[512];
	/* gap 1 s, 1 % = 10 ms beats the 4 ms floor */
	const char *t = "--tolerance_percent=1\n0 < . 0:0(0) ack 0 win 1\n+1 < S 0:0(0) win 1000\n"
			"+0 > S. 0:0(0) ack 1\n";
	ck_assert_int_eq(run(false, 8 * MS, t, m, sizeof m), ENGINE_FAIL); /* gap from the SYN is 0 */
	t = "--tolerance_percent=1\n0 < S 0:0(0) win 1000\n+1 > S. 0:0(0) ack 1\n";
	ck_assert_int_eq(run(false, 1008 * MS, t, m, sizeof m), ENGINE_PASS);
	ck_assert_int_eq(run(false, 1012 * MS, t, m, sizeof m), ENGINE_FAIL);
}
END_TEST

START_TEST(test_virtual_time_never_early)
{
	char m[512];
	ck_assert_int_eq(run(true, 3 * MS, SYN "+0 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_PASS);
	ck_assert_int_eq(run(true, 7 * MS, SYN "+.01 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_FAIL);
	ck_assert_str_eq(m, "t.pkt:2: timing error: expected the segment at 0.010000 s (tolerance 0.004000 s) "
			    "but it was sent at 0.007000 s\n");
}
END_TEST

START_TEST(test_any_time_and_windows)
{
	char m[512];
	ck_assert_int_eq(run(true, 30000 * MS, SYN "* > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_PASS);
	ck_assert_int_eq(run(true, 50 * MS, SYN "+.04~+.06 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_PASS);
	ck_assert_int_eq(run(true, 30 * MS, SYN "+.04~+.06 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_FAIL);
	/* after a window, relative time counts from the observation */
	ck_assert_int_eq(run(true, 50 * MS, AT_0_1 "+.04~+.06 > S. 0:0(0) ack 1\n+0 > nothing\n", m, sizeof m),
			 ENGINE_PASS);
	/* late: reported with the time it came */
	ck_assert_int_eq(run(true, 80 * MS, SYN "+.04~+.06 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_FAIL);
	ck_assert_str_eq(m, "t.pkt:2: timing error: expected the segment between 0.040000 and 0.060000 s "
			    "(tolerance 0.004000 s) but it was sent at 0.080000 s\n");
	/* nothing sent by the end of the window (plus tolerance and grace) */
	ck_assert_int_eq(run(true, 2000 * MS, SYN "+.04~+.06 > S. 0:0(0) ack 1\n", m, sizeof m), ENGINE_FAIL);
	ck_assert_str_eq(m, "t.pkt:2: expected '+0.04~+0.06 > S. 0:0(0) ack 1' but the DUT sent nothing by "
			    "0.064000 s\n");
}
END_TEST

/* After a window, relative time counts from the observation (packetdrill;
 * packetdrill-linux/syn-retransmission.pkt relies on it). That moment is
 * the DUT's: what is timed from it gets the tolerance both ways on every
 * DUT, so an event told just before the observed segment left is on
 * time, on a virtual-time DUT too. Times the script fixes stay exact. */
START_TEST(test_times_counted_from_an_observation)
{
	char m[512];
	const char *t = SYN "+.04~+.06 > S. 0:0(0) ack 1\n+0 event eof\n";
	ck_assert_int_eq(run_lead(true, 50 * MS, 200, t, m, sizeof m), ENGINE_PASS);
	ck_assert_str_eq(m, "");
	ck_assert_int_eq(run_lead(false, 50 * MS, 200, t, m, sizeof m), ENGINE_PASS);
	/* beyond the tolerance it is still early */
	ck_assert_int_eq(run_lead(true, 50 * MS, 10000, t, m, sizeof m), ENGINE_FAIL);
	ck_assert_str_eq(m, "t.pkt:3: timing error: event eof expected at 0.050000 s but it happened at 0.040000 s\n");
	/* the chain of relative times keeps counting from the observation */
	t = SYN "+.04~+.06 > S. 0:0(0) ack 1\n+0 < . 1:1(0) ack 1 win 1000\n+0 event eof\n";
	ck_assert_int_eq(run_lead(true, 50 * MS, 200, t, m, sizeof m), ENGINE_PASS);
	/* an absolute time is the script's again: exact on a virtual-time DUT */
	t = SYN "+.04~+.06 > S. 0:0(0) ack 1\n0.05 event eof\n";
	ck_assert_int_eq(run_lead(true, 50 * MS, 200, t, m, sizeof m), ENGINE_FAIL);
	ck_assert_str_eq(m, "t.pkt:3: timing error: event eof expected at 0.050000 s but it happened at 0.049800 s\n");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("engine_timing");
	TCase *tc = tcase_create("stub");
	tcase_add_test(tc, test_real_time_symmetric_tolerance);
	tcase_add_test(tc, test_tolerance_percent_of_the_gap);
	tcase_add_test(tc, test_virtual_time_never_early);
	tcase_add_test(tc, test_any_time_and_windows);
	tcase_add_test(tc, test_times_counted_from_an_observation);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
