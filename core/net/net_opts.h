/*
 * net_opts.h - compile-time sizes of the stack (lwIP opt.h style). Every
 * value can be overridden per target with -D or a header included first.
 * Nothing here allocates: these sizes dimension the static pools inside
 * struct net_stack (net.h).
 */
#ifndef CORE_NET_OPTS_H
#define CORE_NET_OPTS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Target defaults: on AVR (2 KB RAM) unacknowledged data must live in the
 * ENC28J60's buffer memory (no RAM send ring), counters are 16-bit and the
 * diagnostic name tables are left out. Each can still be overridden. */
#if defined(__AVR__)
#ifndef NET_TCP_RAM_SND_BUF
#define NET_TCP_RAM_SND_BUF 0u
#endif
#ifndef NET_STAT_T
#define NET_STAT_T uint16_t
#endif
#ifndef NET_NAMES
#define NET_NAMES 0
#endif
#ifndef NET_ARP_ENTRIES
#define NET_ARP_ENTRIES 2
#endif
#ifndef NET_ISN_HALFSIPHASH
#define NET_ISN_HALFSIPHASH 1
#endif
#ifndef NET_HW_CSUM
#define NET_HW_CSUM 0 /* ~500 B of flash the size ceiling has no room for */
#endif
#ifndef NET_TCP_SND_BUF
#define NET_TCP_SND_BUF 1024u /* with the driver's 4 KB receive ring there */
#endif
#endif

/* TCP connection blocks (passive and active, TIME-WAIT included). */
#ifndef NET_TCP_CONNS
#define NET_TCP_CONNS 2
#endif
/* Listening ports. A listener is a port + callback, not a full PCB. */
#ifndef NET_TCP_LISTENERS
#define NET_TCP_LISTENERS 2
#endif
/* Bound UDP ports. 0 compiles UDP delivery out (closed ports still get
 * ICMP port-unreachable). */
#ifndef NET_UDP_PORTS
#define NET_UDP_PORTS 1
#endif
/* ICMP errors we receive, acted on by the TCP connection they name
 * (RFC 1122 §4.2.3.9 MUST; tcp_icmp.c). */
#ifndef NET_TCP_ICMP
#define NET_TCP_ICMP 1
#endif
/* ICMP errors we send (RFC 1122 §3.2.2.1, §4.1.3.1 SHOULD: destination
 * unreachable for an unknown protocol or a closed UDP port, quoting the
 * datagram). 0 compiles them out for a small image: the datagram is still
 * dropped and counted (ip.proto, udp.no_port), nothing is sent back. */
#ifndef NET_ICMP_ERRORS
#define NET_ICMP_ERRORS 1
#endif
/* ARP cache entries. */
#ifndef NET_ARP_ENTRIES
#define NET_ARP_ENTRIES 4
#endif
/* ARP pending frame (RFC 1122 §2.3.2.2): while a next hop is unresolved
 * its entry holds the newest UDP frame for it (a newer one replaces it,
 * arp.hold_replaced) and sends it when the reply arrives (arp.hold_sent),
 * or drops it when the entry expires unanswered (arp.hold_expired). A slot
 * of NET_ARP_HOLD bytes per entry (whole frame, Ethernet header included;
 * a larger frame is dropped, arp.pending_drop) lives in the netdev's
 * device memory after the send rings when the rings leave room for the
 * slots (they keep their size: TCP goodput is unchanged). TCP holds
 * nothing: it rebuilds from the TCB (arp.c). 0 compiles this out. */
#ifndef NET_ARP_HOLD
#define NET_ARP_HOLD 128u
#endif
/* The same slots in MCU RAM, used only when the netdev has no device
 * memory or the send rings leave no room for them (the ENC28J60's default
 * split outside AVR: 2 x 2 KB rings in 4 KB). 0 = no RAM fallback (AVR:
 * its 2 x 1 KB rings leave room in the chip). */
#ifndef NET_ARP_HOLD_RAM
#if defined(__AVR__)
#define NET_ARP_HOLD_RAM 0u
#else
#define NET_ARP_HOLD_RAM 128u
#endif
#endif
/* Per-connection send (retransmit) ring in device memory, in bytes. The
 * stack splits the netdev's mem_size() evenly and uses at most this much
 * per connection. It also caps the send MSS. Twice the peer's window lets
 * the application write the next data while a segment is in flight (the
 * ENC28J60 driver's default memory split leaves 2 x 2 KB outside AVR). */
#ifndef NET_TCP_SND_BUF
#define NET_TCP_SND_BUF 2048u
#endif
/* Per-connection send ring in MCU RAM, used only when the netdev has no
 * device memory. 0 compiles the RAM fallback out (AVR builds with the
 * ENC28J60 do that: unacknowledged data lives in the chip). */
#ifndef NET_TCP_RAM_SND_BUF
#define NET_TCP_RAM_SND_BUF 256u
#endif
/* Largest segment we send or accept (advertised MSS is min of this and the
 * receive window). 1460 = Ethernet MTU - 40. */
#ifndef NET_TCP_MSS
#define NET_TCP_MSS 1460u
#endif
/* Default receive window advertised per connection. The application reads
 * straight from the received frame, so the window is what may wait in the
 * device's receive ring, unread; the MSS we advertise (NET_TCP_RCV_MSS) is
 * how much one segment may hand the application at once.
 * Outside AVR: 2048 B in segments of at most 682 B, three segments to a
 * window (and to the 2 KB send ring of a sender like us), so one can be
 * written into the sender's chip, one be on the wire and one be read out
 * of ours at the same time: with one or two the two SPI buses take turns
 * (bench_tcp, issue 15). Three such frames with their headers (2,226 B)
 * fit the driver's 2.5 KB receive ring. The AVR image keeps 1024 B in one
 * segment (its 1 KB send rings hold no more). */
#ifndef NET_TCP_RCV_WND
#if defined(__AVR__)
#define NET_TCP_RCV_WND 1024u
#else
#define NET_TCP_RCV_WND 2048u
#endif
#endif
/* Default MSS we advertise (net_config.rcv_mss); 0 = the receive window,
 * at most NET_TCP_MSS (one segment fills the window). */
#ifndef NET_TCP_RCV_MSS
#if defined(__AVR__)
#define NET_TCP_RCV_MSS 0u
#else
#define NET_TCP_RCV_MSS 682u
#endif
#endif
/* Delayed ACK (RFC 9293 §3.8.6.3 SHLD-18/19, MUST-40): compiled in with
 * NET_TCP_DELACK 1 (not on AVR: flash), on at run time when
 * net_config.delack_ms is nonzero. The default is 0, every segment
 * acknowledged at once, by measurement: bench_tcp's default transfer
 * (three 682-byte segments to the sender's 2 KB ring) falls from 81.8% to
 * 47.9% of the pipelined SPI bound with a 40 ms delayed ACK, because an
 * ACK for every second segment leaves the sender one segment in flight
 * while it writes the next two. It pays where the receiver is the
 * bottleneck and the sender has a deep window (half the ACK frames). */
#ifndef NET_TCP_DELACK
#if defined(__AVR__)
#define NET_TCP_DELACK 0
#else
#define NET_TCP_DELACK 1
#endif
#endif
#ifndef NET_TCP_DELACK_MS
#define NET_TCP_DELACK_MS 0u
#endif
/* The sender's SWS override timeout (RFC 9293 §3.8.6.2.1: "the override
 * timeout should be in the range 0.1 - 1.0 seconds"; tcp_out.c sws_hold):
 * how long new data shorter than a segment waits for a window of at
 * least a segment, all of it, or half the largest the peer offered. */
#ifndef NET_TCP_SWS_OVERRIDE_MS
#define NET_TCP_SWS_OVERRIDE_MS 200u
#endif
/* Fast retransmit and recovery (RFC 5681 §3.2, with RFC 6582's "recover"
 * and the early-retransmit threshold of RFC 5827 for windows of fewer than
 * four segments; tcp_in.c ack_recovery): compiled in with 1, on at
 * run time while net_config.fast_rtx is nonzero (the default; 0 = RTO
 * only). */
#ifndef NET_TCP_FAST_RTX
#define NET_TCP_FAST_RTX 1
#endif
/* Frames handled per net_poll() before returning (then the deadline is
 * "now"), so one call has a bounded run time. */
#ifndef NET_POLL_BUDGET
#define NET_POLL_BUDGET 8
#endif
/* RFC 6528 hash: SipHash-2-4 (0) or HalfSipHash-2-4 (1, 32-bit words,
 * much smaller on 8-bit cores). */
#ifndef NET_ISN_HALFSIPHASH
#define NET_ISN_HALFSIPHASH 0
#endif
/* The RFC 6528 key: HalfSipHash-2-4 takes 64 bits, SipHash-2-4 128
 * (on AVR, 8 B of RAM that HalfSipHash never read). */
#ifndef NET_ISN_KEY_LEN
#define NET_ISN_KEY_LEN (NET_ISN_HALFSIPHASH ? 8 : 16)
#endif
/* Counter width: 32 bits on the host, uint16_t saves RAM on AVR. */
#ifndef NET_STAT_T
#define NET_STAT_T uint32_t
#endif
/* Counter and state names as strings (diagnostics). Costs flash. */
#ifndef NET_NAMES
#define NET_NAMES 1
#endif
/* Checksums computed by the device (netdev rx_csum / mem_csum, the
 * ENC28J60's DMA engine) instead of reading the bytes over SPI: a payload
 * byte then crosses SPI once per side instead of twice. 0 compiles the
 * hooks out. Only runs of at least NET_HW_CSUM_MIN bytes use them (below
 * that the SPI read costs less than setting up the DMA). */
#ifndef NET_HW_CSUM
#define NET_HW_CSUM 1
#endif
#ifndef NET_HW_CSUM_MIN
#define NET_HW_CSUM_MIN 64u
#endif
/* Bytes of the header scratch buffer on the C stack during input: the
 * largest header we must hold at once (IPv4 or TCP header with options). */
#define NET_SCRATCH 60u

#ifdef __cplusplus
}
#endif
#endif /* CORE_NET_OPTS_H */
