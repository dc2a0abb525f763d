/*
 * net_stats.h - the stack's counters. Every way an input frame can be
 * dropped has its own counter (DESIGN "every drop has a reason counter"),
 * so a test asserts *why* a segment was discarded, not just that it was.
 * Read them with net_stat(stack, NET_STAT_...); names for diagnostics with
 * net_stat_name().
 *
 * The list is an X-macro: X(ID, "name", "what it counts").
 */
#ifndef CORE_NET_STATS_H
#define CORE_NET_STATS_H

#ifdef __cplusplus
extern "C" {
#endif

#define NET_STATS(X) \
	X(ETH_RX, "eth.rx", "frames received") \
	X(ETH_RUNT, "eth.runt", "drop: shorter than the header it claims") \
	X(ETH_TYPE, "eth.unknown_type", "drop: neither IPv4 nor ARP") \
	X(ARP_RX, "arp.rx", "ARP packets received") \
	X(ARP_MALFORMED, "arp.malformed", "drop: not Ethernet/IPv4 ARP") \
	X(ARP_NOT_US, "arp.not_for_us", "drop: target is not our address") \
	X(ARP_REPLIES, "arp.replies_sent", "replies to requests for our address") \
	X(ARP_REQUESTS, "arp.requests_sent", "requests we sent") \
	X(ARP_GRATUITOUS, "arp.gratuitous_sent", "gratuitous ARP on link up") \
	X(ARP_PENDING_DROP, "arp.pending_drop", "frames not sent: next hop unresolved, frame not held") \
	X(ARP_HOLD_SENT, "arp.hold_sent", "held frames sent when the next hop resolved") \
	X(ARP_HOLD_REPLACED, "arp.hold_replaced", "held frames replaced by a newer one") \
	X(ARP_HOLD_EXPIRED, "arp.hold_expired", "held frames dropped: next hop never answered") \
	X(ARP_EXPIRED, "arp.expired", "entries aged out or never answered") \
	X(IP_RX, "ip.rx", "IPv4 datagrams received") \
	X(IP_BAD_VERSION, "ip.bad_version", "drop: version is not 4") \
	X(IP_BAD_IHL, "ip.bad_ihl", "drop: IHL below 5") \
	X(IP_BAD_LENGTH, "ip.bad_length", "drop: header or total length beyond the frame, or total length below the header") \
	X(IP_CHECKSUM, "ip.bad_checksum", "drop: header checksum") \
	X(IP_FRAGMENT, "ip.fragment", "drop: fragments are not reassembled") \
	X(IP_NOT_US, "ip.not_for_us", "drop: destination is not us") \
	X(IP_BAD_SRC, "ip.bad_source", "drop: broadcast/multicast source") \
	X(IP_PROTO, "ip.unknown_proto", "drop: protocol not served (ICMP error sent)") \
	X(IP_TX, "ip.tx", "datagrams sent") \
	X(IP_TX_FAIL, "ip.tx_fail", "device refused a frame") \
	X(ICMP_RX, "icmp.rx", "ICMP messages received") \
	X(ICMP_MALFORMED, "icmp.malformed", "drop: short or bad checksum") \
	X(ICMP_BCAST, "icmp.broadcast", "drop: echo to broadcast/multicast not answered") \
	X(ICMP_UNHANDLED, "icmp.unhandled", "drop: type we do not serve, or an error naming no connection of ours or outside SND.UNA..SND.MAX") \
	X(ICMP_ECHO_REPLIES, "icmp.echo_replies", "echo replies sent") \
	X(ICMP_UNREACH_SENT, "icmp.unreach_sent", "destination unreachable sent") \
	X(ICMP_ERR_SUPPRESSED, "icmp.error_suppressed", "no ICMP error: datagram was broadcast/multicast (MUST-57)") \
	X(UDP_RX, "udp.rx", "UDP datagrams received") \
	X(UDP_MALFORMED, "udp.malformed", "drop: length field") \
	X(UDP_CHECKSUM, "udp.bad_checksum", "drop: checksum") \
	X(UDP_NO_PORT, "udp.no_port", "drop: no bound port") \
	X(UDP_DELIVERED, "udp.delivered", "datagrams handed to a bound port") \
	X(TCP_RX, "tcp.rx", "segments received") \
	X(TCP_SHORT, "tcp.short", "drop: shorter than the 20-byte header") \
	X(TCP_BAD_OFFSET, "tcp.bad_offset", "drop: data offset below 5 or past the segment") \
	X(TCP_BAD_OPTION, "tcp.bad_option", "drop: zero/overlong option length") \
	X(TCP_CHECKSUM, "tcp.bad_checksum", "drop: checksum") \
	X(TCP_BCAST, "tcp.broadcast", "drop: broadcast/multicast (MUST-57)") \
	X(TCP_NO_CONN, "tcp.no_conn", "drop: no connection or listener (RST sent)") \
	X(TCP_RST_NO_CONN, "tcp.rst_no_conn", "drop: RST for no connection") \
	X(TCP_LISTEN_RST, "tcp.listen_rst", "drop: RST to a listener") \
	X(TCP_LISTEN_ACK, "tcp.listen_ack", "drop: ACK to a listener (RST sent)") \
	X(TCP_LISTEN_NOSYN, "tcp.listen_nosyn", "drop: no SYN to a listener") \
	X(TCP_LISTEN_FULL, "tcp.listen_full", "drop: SYN but no free connection") \
	X(TCP_SYNSENT_BAD_ACK, "tcp.synsent_bad_ack", "drop: SYN-SENT unacceptable ACK (RST sent)") \
	X(TCP_SYNSENT_RST_IGNORED, "tcp.synsent_rst_ignored", "drop: SYN-SENT RST not acking our SYN") \
	X(TCP_SYNSENT_NOSYN, "tcp.synsent_nosyn", "drop: SYN-SENT neither SYN nor RST") \
	X(TCP_SYN_DATA_IGNORED, "tcp.syn_data_ignored", "data/FIN on a SYN not accepted") \
	X(TCP_SEQ_REJECT, "tcp.seq_reject", "drop: unacceptable sequence (ACK sent)") \
	X(TCP_RST_OUT_OF_WINDOW, "tcp.rst_out_of_window", "drop: RST outside the window") \
	X(TCP_RST_IN_WINDOW, "tcp.rst_in_window", "drop: RST in window, not exact (challenge ACK)") \
	X(TCP_TW_RST_IGNORED, "tcp.timewait_rst_ignored", "drop: RST in TIME-WAIT (RFC 1337)") \
	X(TCP_SYN_IN_SYNC, "tcp.syn_in_sync", "drop: SYN in a synchronized state") \
	X(TCP_SYNRCVD_SYN, "tcp.synrcvd_syn", "drop: SYN in passive SYN-RECEIVED (back to LISTEN)") \
	X(TCP_NO_ACK, "tcp.no_ack", "drop: ACK bit off") \
	X(TCP_SYNRCVD_BAD_ACK, "tcp.synrcvd_bad_ack", "drop: SYN-RECEIVED unacceptable ACK (RST sent)") \
	X(TCP_ACK_UNACCEPTABLE, "tcp.ack_unacceptable", "drop: ACK outside RFC 5961 window (ACK sent)") \
	X(TCP_OOO, "tcp.out_of_order", "drop: data beyond RCV.NXT (no reassembly)") \
	X(TCP_UNREAD, "tcp.unread", "data the application did not read (not acked)") \
	X(TCP_DATA_IGNORED, "tcp.data_ignored", "data after the peer's FIN ignored") \
	X(TCP_RST_ACCEPTED, "tcp.rst_accepted", "connections reset by a valid RST") \
	X(TCP_ICMP_ERRORS, "tcp.icmp_errors", "ICMP errors for a connection, sequence number checked (RFC 5927); hard ones abort SYN-SENT/SYN-RECEIVED") \
	X(TCP_RETURN_LISTEN, "tcp.return_listen", "SYN-RECEIVED returned to LISTEN (MUST-11)") \
	X(TCP_CHALLENGE_ACKS, "tcp.challenge_acks", "challenge ACKs sent (RFC 5961)") \
	X(TCP_CHALLENGE_LIMITED, "tcp.challenge_limited", "challenge ACKs suppressed by the rate limit") \
	X(TCP_RST_SENT, "tcp.rst_sent", "RSTs sent") \
	X(TCP_CLOSE_UNREAD_RST, "tcp.close_unread_rst", "close with unread data: RST (SHLD-3)") \
	X(TCP_SEGS_SENT, "tcp.segs_sent", "segments sent") \
	X(TCP_RETRANSMITS, "tcp.retransmits", "retransmission timeouts") \
	X(TCP_PROBES, "tcp.window_probes", "zero-window probes") \
	X(TCP_FAST_RETRANSMITS, "tcp.fast_retransmits", "losses repaired on duplicate ACKs, before the timer (RFC 5681 3.2)") \
	X(TCP_DELACKED, "tcp.delayed_acks", "ACKs delayed for a second segment (RFC 9293 SHLD-18)") \
	X(TCP_DELACK_TIMEOUTS, "tcp.delayed_ack_timeouts", "delayed ACKs sent when the delay ran out (MUST-40)") \
	X(TCP_TIMEOUTS, "tcp.timeouts", "connections given up after retries") \
	X(TCP_TW_RECYCLED, "tcp.timewait_recycled", "TIME-WAIT cut short: block taken for a new connection (NET_PROFILE_TW_RECYCLE)")

enum net_stat_id {
#define NET_STAT_ENUM(id, name, doc) NET_STAT_##id,
	NET_STATS(NET_STAT_ENUM)
#undef NET_STAT_ENUM
	NET_STAT_COUNT
};

#ifdef __cplusplus
}
#endif
#endif /* CORE_NET_STATS_H */
