/*
 * test_dut_board.c - the board:PATH.so adapter (dut_board.c) with the
 * test firmwares of board_fw.c: loading refuses a missing file, a library
 * without the entry point and another ABI version, with a message naming
 * the cause; our own stack behind the board ABI passes the handshake
 * scripts the sim DUT passes, with the same bytes for the same seed; a
 * firmware without an application interface serves packets, but scripts
 * needing the application are unsupported with the reason; the checker's
 * diagnostics for the driver reach the result (and are empty for a driver
 * that breaks no rule, on board and on sim).
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "synack_board.h"

extern const struct dut_ops dut_sim_ops;

struct run {
	struct script *s;
	struct engine_result r;
};

static void run_on(struct run *x, const struct dut_ops *ops, const char *text)
{
	struct script_error err;
	ck_assert_ptr_nonnull(ops);
	enum script_status st = script_parse_string("t.pkt", text, strlen(text), &x->s, &err);
	ck_assert_msg(st == SCRIPT_OK, "parse: %s", err.text);
	struct engine_options o;
	engine_options_defaults(&o);
	o.dut_ops = ops;
	char msg[256];
	ck_assert_msg(engine_check_options(x->s, &o, msg, sizeof msg), "%s", msg);
	engine_run(x->s, &o, &x->r);
}

static void run_free(struct run *x)
{
	engine_result_free(&x->r);
	script_free(x->s);
}

static const struct dut_ops *load(const char *path)
{
	char err[1200];
	const struct dut_ops *ops = dut_board_load(path, err, sizeof err);
	ck_assert_msg(ops != NULL, "%s", err);
	return ops;
}

#define HANDSHAKE                                                       \
	"0     listen 8080\n"                                            \
	"+0    < S 0:0(0) win 8192 <mss 536>\n"                          \
	"+0    > S. 0:0(0) ack 1 <...>\n"                                \
	"+0    state SYN-RECEIVED\n"                                     \
	"+.01  < . 1:1(0) ack 1 win 8192\n"                              \
	"+0    event accepted\n"                                         \
	"+0    state ESTABLISHED\n"

START_TEST(test_load_missing_file_names_it)
{
	char err[1200];
	ck_assert_ptr_null(dut_board_load("/nonexistent/libfw.so", err, sizeof err));
	ck_assert_str_eq(err, "board:/nonexistent/libfw.so: No such file or directory");
	ck_assert_ptr_null(engine_dut_lookup("board:", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "expected board:PATH.so"));
	ck_assert_ptr_null(engine_dut_lookup("bogus", err, sizeof err));
	ck_assert_str_eq(err, "expected one of sim, tap, board:PATH.so, avr:IMAGE.elf, got 'bogus'");
	ck_assert_ptr_eq(engine_dut_lookup("sim", err, sizeof err), &dut_sim_ops);
}
END_TEST

START_TEST(test_load_without_entry_point_is_refused)
{
	char err[1200];
	ck_assert_ptr_null(dut_board_load(BOARD_FW_NOENTRY, err, sizeof err));
	ck_assert_msg(strstr(err, "the library has no entry point synack_board_entry()") != NULL, "%s", err);
}
END_TEST

START_TEST(test_load_other_abi_version_is_refused)
{
	char err[1200], want[200];
	ck_assert_ptr_null(dut_board_load(BOARD_FW_BADABI, err, sizeof err));
	snprintf(want, sizeof want, "built for board ABI version %u, this synack speaks version %u",
		 SYNACK_BOARD_ABI_VERSION + 1u, SYNACK_BOARD_ABI_VERSION);
	ck_assert_msg(strstr(err, want) != NULL, "%s", err);
}
END_TEST

START_TEST(test_load_not_a_shared_object_is_refused)
{
	char err[1200];
	ck_assert_ptr_null(dut_board_load("/etc/hostname", err, sizeof err));
	ck_assert_msg(strstr(err, "board:/etc/hostname: cannot load: ") == err, "%s", err);
}
END_TEST

START_TEST(test_ours_passive_open_and_data_pass)
{
	struct run x;
	const struct dut_ops *ops = load(BOARD_FW_OURS);
	ck_assert_str_eq(ops->name, "board:libboard_fw_ours.so");
	/* Finding the running firmware's adapter by its name (the run summary
	 * does) hands it back; it neither reloads nor unloads it. */
	ck_assert_ptr_eq(engine_find_dut("board:libboard_fw_ours.so"), ops);
	ck_assert_str_eq(ops->name, "board:libboard_fw_ours.so");
	ck_assert_ptr_null(engine_find_dut("board:other.so"));
	ck_assert_ptr_eq(engine_find_dut("sim"), &dut_sim_ops);
	run_on(&x, ops,
	       HANDSHAKE "+.01  < P. 1:11(10) ack 1 win 8192\n"
			 "+0    > . 1:1(0) ack 11 <...>\n"
			 "+0    recv 10\n"
			 "+.01  send 20\n"
			 "+0    > P. 1:21(20) ack 11 <...>\n"
			 "+.01  < . 11:11(0) ack 21 win 8192\n"
			 "+.01  close\n"
			 "+0    > F. 21:21(0) ack 11 <...>\n"
			 "+0    state FIN-WAIT-1\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	ck_assert_ptr_nonnull(x.r.diagnostics);
	ck_assert_str_eq(x.r.diagnostics, ""); /* our driver breaks no rule */
	run_free(&x);
}
END_TEST

START_TEST(test_ours_active_open_and_refused)
{
	struct run x;
	const struct dut_ops *ops = load(BOARD_FW_OURS);
	run_on(&x, ops,
	       "0     connect\n"
	       "+0    > S 0:0(0) <...>\n"
	       "+0    state SYN-SENT\n"
	       "+.01  < S. 0:0(0) ack 1 win 8192 <mss 536>\n"
	       "+0    > . 1:1(0) ack 1\n"
	       "+0    event connected\n"
	       "+0    state ESTABLISHED\n"
	       "+.01  abort\n"
	       "+0    > R. 1:1(0) ack 1\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
	run_on(&x, ops,
	       "0     connect\n"
	       "+0    > S 0:0(0) <...>\n"
	       "+.01  < R. 0:0(0) ack 1 win 0\n"
	       "+0    event refused\n");
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
}
END_TEST

/* Virtual time and a seeded board: the same bytes twice. */
/* The board's stack tells of a reset only by an event; the socket calls
 * still report it as Linux does: ECONNRESET once, then 0 and EPIPE. The
 * same lines on sim give the same answers. */
#define RESET_THEN_READ                                                 \
	"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                 \
	"+0 bind(3, ..., ...) = 0\n"                                     \
	"+0 listen(3, 1) = 0\n"                                          \
	"+0 < S 0:0(0) win 8192 <mss 536>\n"                             \
	"+0 > S. 0:0(0) ack 1 <...>\n"                                   \
	"+.01 < . 1:1(0) ack 1 win 8192\n"                               \
	"+0 accept(3, ..., ...) = 4\n"                                   \
	"+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"                  \
	"+0 read(4, ..., 100) = -1 EAGAIN\n"                             \
	"+.01 < R 1:1(0) win 0\n"                                        \
	"+0 read(4, ..., 100) = -1 ECONNRESET\n"                         \
	"+0 read(4, ..., 100) = 0\n"                                     \
	"+0 write(4, ..., 10) = -1 EPIPE\n"

START_TEST(test_ours_reset_reaches_read_and_write)
{
	struct run x;
	run_on(&x, load(BOARD_FW_OURS), RESET_THEN_READ);
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
	run_on(&x, &dut_sim_ops, RESET_THEN_READ);
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	run_free(&x);
}
END_TEST

/* What the board ABI cannot express is unsupported, with the reason. */
START_TEST(test_ours_rcvbuf_and_urgent_are_unsupported)
{
	struct run x;
	run_on(&x, load(BOARD_FW_OURS), "0 rcvbuf 100\n+0 listen 8080\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_str_eq(x.r.messages, "t.pkt:1: the board ABI (version 1) cannot size the firmware's receive buffer or "
				       "window (rcvbuf)\n");
	run_free(&x);
	run_on(&x, load(BOARD_FW_OURS), HANDSHAKE "+0 event urgent\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_str_eq(x.r.messages, "t.pkt:8: the board ABI (version 1) reports no urgent data (synack_board_event "
				       "has no such event)\n");
	run_free(&x);
}
END_TEST

START_TEST(test_ours_same_seed_same_exchange)
{
	struct run a, b;
	const struct dut_ops *ops = load(BOARD_FW_OURS);
	run_on(&a, ops, HANDSHAKE "+0.5 < . 1:1(0) ack 99 win 8192\n");
	run_on(&b, ops, HANDSHAKE "+0.5 < . 1:1(0) ack 99 win 8192\n");
	ck_assert_str_eq(a.r.messages, b.r.messages);
	ck_assert_uint_eq(a.r.n_log, b.r.n_log);
	ck_assert_uint_eq(a.r.virtual_ns, b.r.virtual_ns);
	for (size_t i = 0; i < a.r.n_log; i++) {
		ck_assert_uint_eq(a.r.log[i].t, b.r.log[i].t);
		ck_assert_uint_eq(a.r.log[i].len, b.r.log[i].len);
		ck_assert_mem_eq(a.r.log[i].data, b.r.log[i].data, a.r.log[i].len);
	}
	run_free(&a);
	run_free(&b);
}
END_TEST

START_TEST(test_ours_counter_line_is_unsupported)
{
	struct run x;
	run_on(&x, load(BOARD_FW_OURS), HANDSHAKE "+0 counter rst_sent == 0\n");
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_int_eq(x.r.line, 8);
	ck_assert_str_eq(x.r.messages, "t.pkt:8: the board:libboard_fw_ours.so DUT has no counters\n");
	run_free(&x);
}
END_TEST

/* Without an application interface: each way of needing the application
 * is unsupported before anything runs, naming the line and the reason. */
START_TEST(test_bare_application_lines_are_unsupported)
{
	static const char *const SCRIPTS[] = {
		"0 < S 0:0(0) win 8192 <mss 536>\n+0 > S. 0:0(0) ack 1 <...>\n+0 listen 8080\n",
		"0 < S 0:0(0) win 8192 <mss 536>\n+0 > S. 0:0(0) ack 1 <...>\n+0 event accepted\n",
		"0 `true`\n", /* not ours: the shell line's own reason */
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n",
	};
	static const int LINE[] = {3, 3, 1, 3};
	const struct dut_ops *ops = load(BOARD_FW_BARE);
	for (size_t i = 0; i < sizeof SCRIPTS / sizeof SCRIPTS[0]; i++) {
		struct run x;
		run_on(&x, ops, SCRIPTS[i]);
		ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
		ck_assert_int_eq(x.r.line, LINE[i]);
		ck_assert_uint_eq(x.r.n_log, 0); /* found before the run */
		if (i != 2)
			ck_assert_msg(strstr(x.r.messages, "the firmware libboard_fw_bare.so exports no application "
							   "interface") != NULL,
				      "%s", x.r.messages);
		run_free(&x);
	}
}
END_TEST

/* The firmware listens by itself; packets alone pass, and the checker's
 * line for its even ERXRDPT comes with the result. */
START_TEST(test_bare_serves_and_reports_the_checker)
{
	struct run x;
	run_on(&x, load(BOARD_FW_BARE),
	       "0     < S 0:0(0) win 8192 <mss 536>\n"
	       "+0    > S. 0:0(0) ack 1 <...>\n"
	       "+0    state SYN-RECEIVED\n");
	/* No tcp_state without an application interface. */
	ck_assert_int_eq(x.r.verdict, ENGINE_UNSUPPORTED);
	ck_assert_str_eq(x.r.messages, "t.pkt:3: the board:libboard_fw_bare.so DUT cannot report its TCP state\n");
	ck_assert_ptr_nonnull(x.r.diagnostics);
	ck_assert_msg(strstr(x.r.diagnostics, "erxrdpt-even (DS80349C erratum 14): ") != NULL, "%s",
		      x.r.diagnostics);
	ck_assert_msg(strstr(x.r.diagnostics, "times") == NULL, "once only: %s", x.r.diagnostics);
	ck_assert_ptr_eq(strchr(x.r.diagnostics, '\n'), x.r.diagnostics + strlen(x.r.diagnostics) - 1);
	run_free(&x);
}
END_TEST

START_TEST(test_sim_has_empty_diagnostics)
{
	struct run x;
	run_on(&x, &dut_sim_ops, HANDSHAKE);
	ck_assert_msg(x.r.verdict == ENGINE_PASS, "%s", x.r.messages);
	ck_assert_ptr_nonnull(x.r.diagnostics);
	ck_assert_str_eq(x.r.diagnostics, "");
	run_free(&x);
}
END_TEST

static Suite *board_suite(void)
{
	Suite *s = suite_create("dut_board");
	TCase *tc = tcase_create("board");
	tcase_add_test(tc, test_load_missing_file_names_it);
	tcase_add_test(tc, test_load_without_entry_point_is_refused);
	tcase_add_test(tc, test_load_other_abi_version_is_refused);
	tcase_add_test(tc, test_load_not_a_shared_object_is_refused);
	tcase_add_test(tc, test_ours_passive_open_and_data_pass);
	tcase_add_test(tc, test_ours_active_open_and_refused);
	tcase_add_test(tc, test_ours_same_seed_same_exchange);
	tcase_add_test(tc, test_ours_reset_reaches_read_and_write);
	tcase_add_test(tc, test_ours_rcvbuf_and_urgent_are_unsupported);
	tcase_add_test(tc, test_ours_counter_line_is_unsupported);
	tcase_add_test(tc, test_bare_application_lines_are_unsupported);
	tcase_add_test(tc, test_bare_serves_and_reports_the_checker);
	tcase_add_test(tc, test_sim_has_empty_diagnostics);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(board_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
