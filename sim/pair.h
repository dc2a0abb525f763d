/*
 * pair.h - the two-board echo scenario behind `synack pair` and
 * bench_frames.
 *
 * Board A and board B each run the real ENC28J60 driver (core/enc28j60/enc28j60.h)
 * on their own chip model, joined by a link. A sends `frames` frames of
 * EtherType 0x88B5 (IEEE 802 local experimental 1) to B, one at a time; B
 * swaps the MAC addresses and sends each back; A checks every echo byte for
 * byte. An echo that doesn't come back within echo_timeout_ns is counted
 * lost and A moves on, so with link loss the run still ends and the
 * accounting can be checked: sent == echoed + lost, and every loss is
 * explained by a link drop or a frame the receiving chip refused.
 *
 * Frame layout (without FCS, `size` bytes, 60..1514):
 *   0   dst MAC          (A -> B: B's MAC; echo: A's MAC)
 *   6   src MAC
 *   12  EtherType 0x88B5
 *   14  sequence number, 32-bit big-endian, from 0
 *   18  pattern: byte at frame offset k is (seq + k) & 0xFF
 */
#ifndef SIM_PAIR_H
#define SIM_PAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "enc28j60.h"
#include "link.h"
#include "pcap_tap.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_PAIR_ETHERTYPE 0x88B5u
#define SIM_PAIR_MIN_SIZE 60u
#define SIM_PAIR_MAX_SIZE 1514u
#define SIM_PAIR_HDR 18u /* MACs, type, sequence number */

struct sim_pair_config {
	uint64_t seed;
	uint32_t frames;          /* to send */
	uint16_t size;            /* frame size without FCS */
	uint32_t loss_ppm;        /* link loss */
	uint32_t corrupt_ppm;     /* link corruption (caught by the FCS) */
	uint64_t latency_ns;
	uint64_t echo_timeout_ns; /* 0 = 10 ms + twice the worst round trip */
	uint32_t spi_ns_per_byte; /* 0 = 1000 (8 MHz) */
	const char *pcap_path;    /* NULL = no capture */
	uint64_t event_budget;    /* 0 = unlimited */
};

struct sim_pair_node {
	struct sim_board *board;
	struct enc_dev dev;
	struct enc_config ecfg;
	uint8_t peer[6];
	bool pinger;
	int init_rc;               /* enc_init() result */
	/* Pinger. */
	const struct sim_pair_config *cfg;
	uint32_t next_seq;         /* next to send */
	bool waiting;              /* an echo for next_seq - 1 is due */
	uint64_t deadline;
	uint32_t sent;
	uint32_t echoed;
	uint32_t lost;
	uint32_t bad_echoes;       /* wrong length, addresses or bytes */
	uint32_t stray;            /* good echoes not awaited (late, duplicate) */
	uint32_t first_bad_seq;
	/* Echoer. */
	uint32_t echoes_sent;
	uint32_t ignored;          /* not ours */
	uint32_t send_errors;      /* enc_send() failed */
	uint8_t buf[SIM_PAIR_MAX_SIZE + 4];
};

struct sim_pair {
	struct sim_pair_config cfg;
	struct sim sim;
	struct sim_link link;
	struct sim_board a, b;
	struct sim_pair_node na, nb;
	struct sim_pcap pcap;
	bool have_pcap;
	enum sim_idle_result end;  /* how the run stopped */
};

/* Set everything up (allocates; call once). err gets a message for people
 * on failure (e.g. the capture can't be written). Returns 0 or -1. */
int sim_pair_init(struct sim_pair *p, const struct sim_pair_config *cfg, char *err, size_t errcap);
/* Run to completion. Returns true when the run passed: every frame sent,
 * sent == echoed + lost, no bad echo, every loss explained by the link or
 * the receiving chip, both chips initialised, no checker diagnostic. */
bool sim_pair_run(struct sim_pair *p);
/* Total losses the link and the chips can explain. */
uint64_t sim_pair_explained_losses(const struct sim_pair *p);
unsigned sim_pair_diag_count(const struct sim_pair *p);
/* Close the capture, if one is open, so its result is known before a
 * summary is printed. Returns 0, or -1 with err naming the file. The frame
 * count in p->pcap stays readable. */
int sim_pair_close_pcap(struct sim_pair *p, char *err, size_t errcap);
/* Close the capture if still open (err on failure: returns -1) and free. */
int sim_pair_free(struct sim_pair *p, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif
#endif /* SIM_PAIR_H */
