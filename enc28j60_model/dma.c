/*
 * dma.c - the DMA controller: buffer-to-buffer copy and IP checksum
 * (DS39662E 13.0, 13.1, 13.2).
 *
 * ECON1.DMAST (regs.c) calls model_dma_start(); the work is done at the
 * completion deadline (config dma_ns_per_byte per byte, default 0: at the
 * next access), then DMAST clears and EIR.DMAIF sets. The source pointer
 * follows the receive ring (ERXND -> ERXST) and the 0x1FFF -> 0 wrap; the
 * destination wraps only at 0x1FFF. The copy ends after the byte at EDMAND;
 * if EDMAND is never reached (it lies outside the path the source walks) the
 * DMA never completes, as in silicon. Clearing DMAST aborts.
 */
#include "model_internal.h"

/* Bytes the source walks from EDMAST through EDMAND inclusive, or 0 when
 * EDMAND is unreachable. */
static uint32_t dma_length(const struct enc_model *m)
{
	uint16_t a = reg_get16(m, EDMASTL), nd = reg_get16(m, EDMANDL);
	uint16_t st = reg_get16(m, ERXSTL), rnd = reg_get16(m, ERXNDL);
	if (st <= rnd && model_in_rx_ring(m, a) && model_in_rx_ring(m, nd)) {
		uint32_t size = (uint32_t)(rnd - st) + 1u;
		return (uint32_t)((nd - a + size) % size) + 1u;
	}
	for (uint32_t n = 1; n <= ENC_BUFFER_SIZE; n++) {
		if (a == nd)
			return n;
		a = model_ring_next(m, a);
	}
	return 0;
}

/* One's complement sum of big-endian 16-bit words, an odd tail padded with
 * 0x00, complemented (DS 13.2). {0x89, 0xAB, 0xCD} gives 0xA953. */
uint16_t model_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1u < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1u)
		sum += (uint32_t)p[n - 1u] << 8;
	while (sum >> 16)
		sum = (sum & 0xFFFFu) + (sum >> 16);
	return (uint16_t)~sum;
}

void model_dma_start(struct enc_model *m, uint64_t now)
{
	uint32_t n = dma_length(m);
	m->dma_active = true;
	if (n == 0) {
		model_set_timer(m, TMR_DMA, MODEL_TIME_NEVER);
		return;
	}
	uint64_t start = now;
	if (m->tx_active && m->deadline[TMR_TX] > start)
		start = m->deadline[TMR_TX]; /* shares the memory port with TX */
	uint64_t per = m->cfg.dma_ns_per_byte ? m->cfg.dma_ns_per_byte : MODEL_DEFAULT_DMA_NS_PER_BYTE;
	model_set_timer(m, TMR_DMA, start + per * n);
}

void model_dma_abort(struct enc_model *m)
{
	m->dma_active = false;
	model_set_timer(m, TMR_DMA, MODEL_TIME_NEVER);
}

void model_dma_complete(struct enc_model *m, uint64_t t)
{
	uint32_t n = dma_length(m);
	uint16_t a = reg_get16(m, EDMASTL);
	if (reg_get(m, ECON1) & ECON1_CSUMEN) {
		uint32_t sum = 0;
		for (uint32_t i = 0; i < n; i++) {
			sum += (i & 1u) ? m->mem[a] : (uint32_t)m->mem[a] << 8;
			a = model_ring_next(m, a);
		}
		while (sum >> 16)
			sum = (sum & 0xFFFFu) + (sum >> 16);
		uint16_t cs = (uint16_t)~sum;
		*reg_ptr(m, EDMACSH) = (uint8_t)(cs >> 8);
		*reg_ptr(m, EDMACSL) = (uint8_t)cs;
	} else {
		uint16_t d = reg_get16(m, EDMADSTL);
		for (uint32_t i = 0; i < n; i++) {
			m->mem[d] = m->mem[a];
			a = model_ring_next(m, a);
			d = (uint16_t)((d + 1u) & ENC_PTR_MASK);
		}
	}
	m->dma_active = false;
	*reg_ptr(m, ECON1) &= (uint8_t)~ECON1_DMAST;
	*reg_ptr(m, EIR) |= EIR_DMAIF;
	model_irq_update(m, t);
}
