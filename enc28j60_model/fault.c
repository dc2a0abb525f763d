/*
 * fault.c - seeded randomness and explicit fault injection.
 *
 * The PRNG is splitmix64 kept in the instance (no globals), seeded from
 * config.seed, so a seed reproduces every injected fault and every random
 * erratum exactly. The explicit calls arm counters that rx.c and tx.c
 * consume frame by frame; the link flap arms two timer slots.
 */
#include "model_internal.h"

uint64_t model_rand(struct enc_model *m)
{
	uint64_t z = (m->rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* True with probability ppm / 1e6. Draws nothing when ppm is 0, so turning
 * one fault on does not shift the random stream of the others' absence. */
bool model_chance_ppm(struct enc_model *m, uint32_t ppm)
{
	if (ppm == 0)
		return false;
	return model_rand(m) % 1000000u < ppm;
}

/* Drop the next n frames that would have been stored, as if the ring were
 * full (RXERIF is set). */
void model_fault_rx_overflow(struct enc_model *m, unsigned frames)
{
	m->rx_fault_overflow += frames;
}

/* Flip one bit of the next n frames so they arrive with a bad FCS. */
void model_fault_rx_crc(struct enc_model *m, unsigned frames)
{
	m->rx_fault_crc += frames;
}

/* Abort the next n transmissions (excessive collisions: TXERIF, TXABRT). */
void model_fault_tx_abort(struct enc_model *m, unsigned frames)
{
	m->tx_fault_abort += frames;
}

/* The next transmission never completes: TXRTS stays set, no TXIF/TXERIF,
 * until the host pulses ECON1.TXRST (RIOT #9043, EtherEncLib #10). */
void model_fault_tx_stall(struct enc_model *m)
{
	m->tx_fault_stall = true;
}

/* Link goes down at down_at and comes back at up_at (virtual time). */
void model_fault_link_flap(struct enc_model *m, uint64_t down_at, uint64_t up_at)
{
	model_set_timer(m, TMR_LINK_DOWN, down_at);
	if (up_at > down_at)
		model_set_timer(m, TMR_LINK_UP, up_at);
}
