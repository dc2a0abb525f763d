/*
 * bist.c - the built-in self-test controller (DS39662E 15.0, Register 15-1).
 *
 * Setting EBSTCON.BISTST with EBSTCON.TME set (regs.c) calls
 * model_bist_start(): the controller fills all 8 KB of buffer memory in the
 * mode EBSTCON.TMSEL selects and sums what it wrote into EBSTCSH:EBSTCSL
 * with the DMA's checksum (one's complement of the one's complement sum of
 * big-endian words, DS 13.2). It writes at the rate the DMA reads (DS 15.0:
 * the DMA checksum may be started any time after the BIST), so it takes
 * 8192 DMA byte times; at that deadline model_bist_complete() writes the
 * memory and EBSTCS and clears BISTST. The host then runs the DMA checksum
 * over 0x0000..0x1FFF (EDMAST 0, EDMAND and ERXND 0x1FFF) and compares
 * EDMACS with EBSTCS; both agree when the memory holds what was written.
 *
 * Modes (TMSEL):
 *   00 random fill: pseudo-random bytes from the seed in EBSTSD. The
 *      silicon's generator is not published; the model's is its own
 *      (deterministic per seed), so only EDMACS == EBSTCS can be checked,
 *      which is what drivers check;
 *   01 address fill: each byte holds the low byte of its address, so the
 *      checksum is always 0xF807 (EtherCard's doBIST expects exactly that);
 *   10 pattern shift fill: EBSTSD at 0x0000, and before each further byte
 *      the pattern is shifted left by EBSTCON.PSV bits, the bits leaving bit
 *      7 coming back at bit 0;
 *   11 reserved in DS39662E (older sheets: random fill with race): filled
 *      as random fill.
 * EBSTCON.PSEL swaps the DMA's and the BIST's memory ports, which changes
 * nothing a host can see. Without TME, BISTST does not start a test and
 * reads 0. Clearing BISTST by hand stops a test before it writes anything.
 */
#include "model_internal.h"

#define TMSEL_RANDOM 0u
#define TMSEL_ADDRESS 1u
#define TMSEL_PATTERN 2u

static uint8_t rotl8(uint8_t v, unsigned n)
{
	n &= 7u;
	if (n == 0)
		return v;
	return (uint8_t)((unsigned)(v << n) | (unsigned)(v >> (8u - n)));
}

/* The fill of the mode in EBSTCON, written into the buffer. */
static void fill(struct enc_model *m, uint8_t ebstcon, uint8_t seed)
{
	unsigned tmsel = (ebstcon & EBSTCON_TMSEL_MASK) >> 2;
	unsigned psv = (ebstcon & EBSTCON_PSV_MASK) >> 5;
	uint16_t lcg = (uint16_t)(seed * 257u + 1u); /* the model's generator */
	uint8_t pattern = seed;
	for (uint32_t a = 0; a < ENC_BUFFER_SIZE; a++) {
		switch (tmsel) {
		case TMSEL_ADDRESS:
			m->mem[a] = (uint8_t)a;
			break;
		case TMSEL_PATTERN:
			m->mem[a] = pattern;
			pattern = rotl8(pattern, psv);
			break;
		case TMSEL_RANDOM:
		default:
			lcg = (uint16_t)(lcg * 25173u + 13849u);
			m->mem[a] = (uint8_t)(lcg >> 8);
			break;
		}
	}
}

void model_bist_start(struct enc_model *m, uint64_t now)
{
	uint64_t per = m->cfg.dma_ns_per_byte ? m->cfg.dma_ns_per_byte : MODEL_DEFAULT_DMA_NS_PER_BYTE;
	m->bist_seed = reg_get(m, EBSTSD);
	model_set_timer(m, TMR_BIST, now + per * ENC_BUFFER_SIZE);
}

/* The host cleared BISTST while the test ran. */
void model_bist_stop(struct enc_model *m)
{
	model_set_timer(m, TMR_BIST, MODEL_TIME_NEVER);
}

void model_bist_complete(struct enc_model *m, uint64_t t)
{
	(void)t;
	uint8_t *con = reg_ptr(m, EBSTCON);
	fill(m, *con, m->bist_seed);
	uint16_t cs = model_checksum(m->mem, ENC_BUFFER_SIZE);
	*reg_ptr(m, EBSTCSH) = (uint8_t)(cs >> 8);
	*reg_ptr(m, EBSTCSL) = (uint8_t)cs;
	*con &= (uint8_t)~EBSTCON_BISTST;
}
