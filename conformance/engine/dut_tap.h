/*
 * dut_tap.h - the tap DUT adapter: the Linux kernel's TCP/IP stack in a
 * private network namespace, reached through a TAP device (see dut_tap.c).
 *
 * Needs CAP_NET_ADMIN and CAP_SYS_ADMIN (root) and /dev/net/tun; open()
 * fails with "tap DUT needs CAP_NET_ADMIN and /dev/net/tun: ..." otherwise.
 * Real time (virtual_time = false). Profiles: RFC 5961 fixed on, RFC 1337
 * settable (net.ipv4.tcp_rfc1337 in the namespace).
 *
 * Connection handles (dut_app_cmd.conn, dut_sockopt.conn) are numbered in
 * the order sockets are created: listen, connect and each accepted
 * connection take the next number from 0, and each becomes "current".
 * SEND writes n bytes ('a'..'z', as the sim adapter does); RECV returns
 * the kernel's answer: the bytes read, 0 at the end of the stream, -EAGAIN,
 * or the socket's pending error, which the adapter never reads itself
 * (dut_tap_sock.c), so read, write and SO_ERROR see it as Linux reports it.
 */
#ifndef CONFORMANCE_DUT_TAP_H
#define CONFORMANCE_DUT_TAP_H

#include "dut.h"

extern const struct dut_ops dut_tap_ops;

#endif /* CONFORMANCE_DUT_TAP_H */
