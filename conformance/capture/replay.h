/*
 * replay.h - `synack replay`: one side of a captured conversation played
 * against a DUT, the DUT's segments compared with the captured ones.
 *
 *   capture ──to_script (as captured)──> script ──engine_run (any DUT
 *   adapter)──> result ──> per frame: injected / matched / departs /
 *   not replayed, with explain's reading of the captured frame and the
 *   observer's reading of what the DUT sent instead
 *
 * Reproduced (exit 0) means every captured DUT segment came, in order,
 * with the captured flags, sequence numbers (relative to each ISN),
 * acknowledgments and lengths (windows and options too with strict), and
 * nothing else came.
 */
#ifndef CAPTURE_REPLAY_H
#define CAPTURE_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "to_script.h"

struct rp_options {
	struct xs_options xs;
	const struct dut_ops *dut;
	uint8_t profile;          /* DUT_PROFILE_* */
	uint64_t seed;
	int64_t tolerance_ns;     /* < 0: the engine's default */
	bool json;
	const char *pcap;         /* the replayed exchange as a pcap, or NULL */
	const char *script_out;   /* the script that was run, or NULL */
};

/* Returns 0 reproduced, 1 the DUT departs (the first departing frame is
 * printed), 2 bad input or a DUT that cannot run it (message on stderr). */
int rp_run(const char *capture, const struct rp_options *o, FILE *out);

#endif /* CAPTURE_REPLAY_H */
