/*
 * tap_syscall.h - the tap DUT's real system calls (issue 11): a script's
 * strace-style call, in packetdrill's syntax, made for real by a thread
 * that lives in the DUT's network namespace, so the return value, errno
 * and blocking are the kernel's (tap_syscall.c). The symbolic constants
 * come from this machine's headers (tap_syscall_sym.c).
 *
 * One call at a time: start() prepares the arguments (script fds mapped
 * onto live ones, `...` sockaddrs filled with the live addresses, buffers
 * allocated) and hands the call to the thread; state() says whether it
 * is still running, asleep in the kernel (a blocking call that blocks),
 * or done; finish() compares what it returned (result, errno, out
 * arguments) with the script, as packetdrill's end_syscall() does, and
 * keeps the fd map up to date.
 */
#ifndef CONFORMANCE_TAP_SYSCALL_H
#define CONFORMANCE_TAP_SYSCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dut.h"

struct script_syscall;
struct tap_sys;

/* The thread enters the namespace ns_fd; t0 is the DUT clock's origin
 * (CLOCK_MONOTONIC ns). NULL with err on failure. */
struct tap_sys *tap_sys_new(int ns_fd, uint64_t t0, char err[DUT_ERR_LEN]);
/* Closes every live fd the script opened and stops the thread (a call
 * still blocked is interrupted by closing its fds, then cancelled). */
void tap_sys_free(struct tap_sys *s);

/* Before the run: NULL when the call's shape is one this file can make,
 * else why not (the call and the construct). */
const char *tap_sys_check(const struct script_syscall *sc, const struct dut_syscall_ctx *ctx, char *buf,
			  size_t cap);

/* Returns 0, or -1 with the reason in err (unsupported). */
int tap_sys_start(struct tap_sys *s, const struct script_syscall *sc, const struct dut_syscall_ctx *ctx,
		  char err[DUT_ERR_LEN]);
/* DUT_SYS_RUNNING, DUT_SYS_BLOCKED or DUT_SYS_DONE (then *t_end). */
int tap_sys_state(struct tap_sys *s, uint64_t *t_end);
/* 0 as the script expects, 1 a difference (msg), -1 cannot be checked
 * (msg: unsupported). */
int tap_sys_finish(struct tap_sys *s, char *msg, size_t cap);
/* Python assignments of the socket under test's TCP_INFO (tcpi_* and the
 * TCP_* / TCP_CA_* / TCPI_OPT_* names), as packetdrill emits them. 0, or
 * -1 with why in buf. */
int tap_sys_tcp_info(struct tap_sys *s, char *buf, size_t cap);

/* The DUT clock's new origin (after the init command). */
void tap_sys_set_t0(struct tap_sys *s, uint64_t t0);
/* The live fd of the socket the last socket()/accept() made, -1 = none. */
int tap_sys_under_test(const struct tap_sys *s);

/* tap_syscall_sym.c */
bool tap_sym(const char *name, int64_t *v);
bool tap_errno(const char *name, int *e);
const char *tap_errno_name(int e);

#endif /* CONFORMANCE_TAP_SYSCALL_H */
