/*
 * inject.h - an off-path attacker against our stack (RFC 5961): the
 * experiment behind bench/inject and sim/tests/test_inject.c.
 *
 * Node A (10.0.0.1) holds an established connection to node B (10.0.0.2,
 * port 7002). A third port on the link, the attacker, knows the addresses
 * and ports (the 4-tuple, as RFC 5961 §1 assumes) but not the sequence
 * numbers, and sends B segments that claim to come from A: RSTs, SYNs, or
 * data (ACK + PSH, data_len bytes) with a random SEQ (and a random ACK for
 * data). It reads nothing of the connection's traffic.
 *
 * A success is a connection the segment reset (RST, SYN) or data the
 * application at B was handed (data). After a success the connection is
 * opened again and the flood goes on.
 *
 * space_bits scales the experiment: 32 is the blind attack; with fewer
 * bits the SEQ (and for data the ACK) is drawn from 2^space_bits values
 * centred on the victim's current RCV.NXT (SND.NXT for the ACK), as if the
 * attacker knew the upper 32 - space_bits bits. Success rates then grow
 * by 2^(32 - space_bits) and can be measured with few segments.
 */
#ifndef SIM_INJECT_H
#define SIM_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum inject_kind { INJECT_RST, INJECT_SYN, INJECT_DATA };

struct inject_config {
	uint64_t seed;
	enum inject_kind kind;
	bool rfc5961;          /* the victim's profile: RFC 5961 on, or RFC 793 rules */
	uint64_t count;        /* segments to send */
	unsigned space_bits;   /* 1..32; 0 = 32 (blind) */
	uint32_t rate;         /* segments per second; 0 = 1000 (a board at 8 MHz SPI keeps up with ~2000) */
	uint16_t rcv_wnd;      /* the victim's receive window; 0 = the stack default */
	uint16_t data_len;     /* INJECT_DATA payload; 0 = 64 */
	bool in_window_only;   /* RST/SYN: SEQ uniform in the window, never RCV.NXT itself */
};

struct inject_result {
	uint64_t sent;
	uint64_t reached;       /* segments the victim's TCP examined (tcp.rx; the rest the chip dropped, ring full) */
	uint64_t successes;
	double theory;          /* expected success probability per segment */
	uint64_t challenge_acks;    /* the victim's tcp.challenge_acks */
	uint64_t challenge_limited; /* the victim's tcp.challenge_limited */
	uint64_t acks_out;      /* every segment the victim sent during the flood */
	uint32_t chack_max_1s;  /* most challenge ACKs in any 1 s sliding window */
	uint32_t chack_limit;   /* the configured limit per interval */
	uint32_t chack_interval_ms;
	double seconds;         /* virtual duration of the flood */
	uint64_t reconnects;
	bool healthy_after;     /* the last connection still carries data both ways afterwards */
	char error[160];
};

/* Runs one flood. Returns false only if the experiment itself broke (a
 * connection could not be opened); the figures are in r. */
bool inject_run(const struct inject_config *cfg, struct inject_result *r);

#ifdef __cplusplus
}
#endif
#endif /* SIM_INJECT_H */
