/*
 * rules.c - the rules `synack explain` cites: a stable id (the JSON `rule`
 * field), the JSON `kind` it produces, and the clauses that write it down.
 * observe.c, observe_tx.c and observe_rx.c look rules up by id; README.md in this folder
 * lists the same table, and a test checks that the two agree.
 *
 * Kinds: rst, challenge-ack, ack-unacceptable, ignored, retransmission,
 * unexplained (the ones the issue names), plus unacceptable (a segment its
 * receiver must reject, the cause of one of the answers above),
 * bad-checksum, zero-window, keepalive and window-probe.
 */
#include <string.h>

#include "explain.h"

#define R9293(s) "RFC 9293 " s
#define G1 "RFC 793 reset generation group 1"
#define G2 "RFC 793 reset generation group 2"
#define G3 "RFC 793 reset generation group 3"

static const struct xp_rule RULES[] = {
	/* Resets, by the state of their sender. */
	{"closed.no-listener", "rst", {R9293("§3.10.7.1"), R9293("§3.5.2"), G1},
	 "RST to a SYN for a port with no listener: connection refused"},
	{"closed.ack", "rst", {R9293("§3.10.7.1"), R9293("§3.5.2"), G1},
	 "RST to an ACK-bearing segment for a connection that does not exist"},
	{"closed.no-ack", "rst", {R9293("§3.10.7.1"), R9293("§3.5.2"), G1},
	 "RST to a segment without ACK for a connection that does not exist"},
	{"listen.ack", "rst", {R9293("§3.10.7.2"), R9293("§3.5.2"), G2},
	 "RST answering an ACK-bearing segment in LISTEN"},
	{"syn-sent.unacceptable-ack", "rst", {R9293("§3.10.7.3"), R9293("§3.5.2"), G2},
	 "RST answering an unacceptable ACK in SYN-SENT"},
	{"syn-received.unacceptable-ack", "rst", {R9293("§3.10.7.4"), R9293("§3.5.2"), G2},
	 "RST answering an unacceptable ACK in SYN-RECEIVED"},
	{"synchronized.syn-rfc793", "rst", {R9293("§3.10.7.4"), "RFC 793 §3.9", G3},
	 "RST answering an in-window SYN in a synchronized state (RFC 793, without RFC 5961)"},
	{"rst-rfc793.in-window", "rst", {R9293("§3.10.7.4"), "RFC 793 §3.4"},
	 "an in-window RST taken as a reset (RFC 793, without RFC 5961)"},
	{"abort", "rst", {R9293("§3.10.5"), R9293("§3.6.1"), "RFC 2525 §2.17"},
	 "abortive close: ABORT (SO_LINGER 0), or CLOSE with received data unread"},
	{"data-after-close", "rst", {R9293("§3.6.1"), "RFC 2525 §2.17"},
	 "RST answering data that arrived after the application closed the connection"},
	/* Answers to unacceptable segments. */
	{"rst.in-window", "challenge-ack", {"RFC 5961 §3.2", R9293("§3.10.7.4")},
	 "challenge ACK for an in-window RST that is not exactly RCV.NXT"},
	{"syn.synchronized", "challenge-ack", {"RFC 5961 §4.2", R9293("§3.10.7.4")},
	 "challenge ACK for a SYN in a synchronized state"},
	{"seq.unacceptable", "ack-unacceptable", {R9293("§3.10.7.4"), R9293("§3.5.2"), G3},
	 "ACK answering a segment outside the receive window"},
	{"keepalive.ack", "ack-unacceptable", {R9293("§3.8.4"), R9293("§3.10.7.4")},
	 "ACK answering a keep-alive probe"},
	{"window.probe-ack", "ack-unacceptable", {R9293("§3.8.6.1 (MUST-36)"), R9293("§3.10.7.4")},
	 "ACK answering a zero-window probe, with the current window"},
	{"seq.old-duplicate", "ack-unacceptable", {R9293("§3.10.7.4")},
	 "ACK answering a retransmission of data already received"},
	{"time-wait.fin", "ack-unacceptable", {R9293("§3.10.7.4")},
	 "ACK of a retransmitted FIN in TIME-WAIT"},
	{"ack.unsent", "ack-unacceptable", {R9293("§3.10.7.4"), "RFC 5961 §5.2"},
	 "ACK answering a segment that acknowledges data never sent"},
	{"ack.too-old", "ack-unacceptable", {"RFC 5961 §5.2", R9293("§3.10.7.4 (MAY-12)")},
	 "ACK answering a segment whose ACK is older than SND.UNA - MAX.SND.WND"},
	/* The segments that draw those answers. */
	{"synack.bad-ack", "unacceptable", {R9293("§3.10.7.2"), R9293("§3.10.7.3"), R9293("§3.4")},
	 "a SYN-ACK whose ACK is not the client's ISS+1"},
	{"segment.bad-ack", "unacceptable", {R9293("§3.10.7.3"), R9293("§3.10.7.4")},
	 "a segment whose ACK its receiver, not yet synchronized, cannot accept"},
	{"segment.ack-in-listen", "unacceptable", {R9293("§3.10.7.2"), R9293("§3.10.7.1")},
	 "an ACK-bearing segment for a connection its receiver does not have"},
	{"segment.no-connection", "unacceptable", {R9293("§3.10.7.1")},
	 "a segment without ACK for a connection its receiver does not have"},
	{"segment.out-of-window", "unacceptable", {R9293("§3.10.7.4")},
	 "a segment outside its receiver's window"},
	{"segment.ack-unsent", "unacceptable", {R9293("§3.10.7.4"), "RFC 5961 §5.2"},
	 "a segment acknowledging data its receiver never sent"},
	{"segment.ack-too-old", "unacceptable", {"RFC 5961 §5.2"},
	 "a segment whose ACK is older than its receiver's SND.UNA - MAX.SND.WND"},
	{"segment.syn-in-synchronized", "unacceptable", {"RFC 5961 §4.2", R9293("§3.10.7.4")},
	 "a SYN arriving in a synchronized state"},
	{"segment.rst-in-window", "unacceptable", {"RFC 5961 §3.2", R9293("§3.10.7.4")},
	 "a RST inside the window but not at RCV.NXT"},
	/* Segments dropped without an answer. */
	{"rst.out-of-window", "ignored", {"RFC 5961 §3.2", R9293("§3.10.7.4")},
	 "a RST outside the receive window, silently dropped"},
	{"rst.in-listen", "ignored", {R9293("§3.10.7.2")}, "a RST in LISTEN, ignored"},
	{"rst.no-connection", "ignored", {R9293("§3.10.7.1")}, "a RST for a connection that does not exist, discarded"},
	{"rst.syn-sent-bad-ack", "ignored", {R9293("§3.10.7.3")},
	 "a RST in SYN-SENT whose ACK does not acknowledge the SYN, dropped"},
	{"rst.syn-sent-no-ack", "ignored", {R9293("§3.10.7.3")}, "a RST without ACK in SYN-SENT, dropped"},
	{"syn-sent.no-syn", "ignored", {R9293("§3.10.7.3")},
	 "a segment with neither SYN nor RST in SYN-SENT, dropped"},
	{"segment.no-ack", "ignored", {R9293("§3.10.7.4")}, "a segment without ACK in a synchronized state, dropped"},
	{"text.after-fin", "ignored", {R9293("§3.10.7.4")},
	 "data after the peer's FIN (CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT), ignored"},
	/* Checksums and windows. */
	{"checksum.tcp", "bad-checksum", {R9293("§3.1 (MUST-2, MUST-3)")},
	 "a TCP checksum that does not verify: the receiver discards the segment"},
	{"checksum.ip", "bad-checksum", {"RFC 791 §3.1", "RFC 1122 §3.2.1.2"},
	 "an IPv4 header checksum that does not verify: the receiver discards the datagram"},
	{"segment.keepalive", "keepalive", {R9293("§3.8.4")},
	 "a keep-alive probe: SEG.SEQ = RCV.NXT-1, sent to draw an ACK"},
	{"segment.window-probe", "window-probe", {R9293("§3.8.6.1 (MUST-36)")},
	 "a zero-window probe: data at RCV.NXT while the receive window is 0"},
	{"window.zero", "zero-window", {R9293("§3.8.6.1 (MUST-36, MUST-37)"), R9293("§3.4 (MUST-66)")},
	 "a zero receive window: the other end must probe it"},
	/* Retransmissions. */
	{"retransmission.syn", "retransmission", {R9293("§3.8.1"), "RFC 6298 §5"}, "a SYN sent again"},
	{"retransmission.syn-after-bad-synack", "retransmission", {R9293("§3.10.7.3"), "RFC 6298 §5"},
	 "a SYN sent again because the SYN-ACK was unacceptable and discarded"},
	{"retransmission.synack", "retransmission", {R9293("§3.8.1"), "RFC 6298 §5"}, "a SYN-ACK sent again"},
	{"retransmission.data", "retransmission", {R9293("§3.8.1"), "RFC 6298 §5", "RFC 5681 §3.2"},
	 "data sent again"},
	{"retransmission.fin", "retransmission", {R9293("§3.8.1")}, "a FIN sent again"},
	/* Nothing fits. */
	{"unexplained", "unexplained", {R9293("§3.5.2")}, "a RST that fits no rule"},
};

#define NRULES (sizeof RULES / sizeof RULES[0])

const struct xp_rule *xp_rule_find(const char *id)
{
	for (size_t i = 0; i < NRULES; i++)
		if (strcmp(RULES[i].id, id) == 0)
			return &RULES[i];
	return NULL;
}

const struct xp_rule *xp_rules(size_t *n)
{
	*n = NRULES;
	return RULES;
}

const char *xp_state_name(enum xp_state s)
{
	switch (s) {
	case XP_ST_UNKNOWN:
		return "unknown";
	case XP_ST_CLOSED:
		return "CLOSED";
	case XP_ST_LISTEN:
		return "LISTEN";
	case XP_ST_SYN_SENT:
		return "SYN-SENT";
	case XP_ST_SYN_RECEIVED:
		return "SYN-RECEIVED";
	case XP_ST_ESTABLISHED:
		return "ESTABLISHED";
	case XP_ST_FIN_WAIT_1:
		return "FIN-WAIT-1";
	case XP_ST_FIN_WAIT_2:
		return "FIN-WAIT-2";
	case XP_ST_CLOSE_WAIT:
		return "CLOSE-WAIT";
	case XP_ST_CLOSING:
		return "CLOSING";
	case XP_ST_LAST_ACK:
		return "LAST-ACK";
	case XP_ST_TIME_WAIT:
		return "TIME-WAIT";
	}
	return "unknown";
}
