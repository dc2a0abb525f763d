/*
 * rx.c - frames arriving from the wire into the receive ring
 * (DS39662E 7.2, Figure 7-3, Table 7-3; Equation 7-1).
 *
 * model_wire_rx() is the link's entry point. A frame is complete at `now`
 * and carries its 4-byte FCS. One drop exit per reason, each with a counter
 * (STYLE.md 11). An accepted frame is stored at ERXWRPT behind a 6-byte
 * header (next packet pointer, byte count incl. FCS, RSV bits 16..31), the
 * next packet starts on an even address, the hardware never writes the byte
 * at ERXRDPT, EPKTCNT counts stored frames and EIR.PKTIF follows it.
 *
 * Short frames: a real wire never carries a frame below 64 bytes (60 + FCS);
 * the sender's MAC pads it. Links may hand the model either the padded frame
 * or the unpadded one with an FCS over the unpadded bytes. The model accepts
 * both: a frame shorter than 64 bytes is padded with zeros to 60 bytes and
 * given a fresh FCS over the padded bytes, good if the original FCS was good
 * and deliberately wrong if it was not. Stored frames are thus always
 * >= 64 bytes, as from silicon.
 */
#include <string.h>

#include "model_internal.h"

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void model_rx_update_pktif(struct enc_model *m)
{
	uint8_t *eir = reg_ptr(m, EIR);
	if (reg_get(m, EPKTCNT) != 0 && !m->pktif_suppressed)
		*eir |= EIR_PKTIF;
	else
		*eir &= (uint8_t)~EIR_PKTIF;
}

/* DS80349 erratum 6: PKTIF sometimes does not reflect EPKTCNT. Re-decided on
 * every store and release: one chance in four that PKTIF stays clear while
 * frames are waiting. Drivers that poll EPKTCNT are immune. */
static void pktif_erratum(struct enc_model *m)
{
	if (!(m->cfg.errata & MODEL_ERRATUM_PKTIF_UNRELIABLE))
		return;
	m->pktif_suppressed = (model_rand(m) & 3u) == 0;
	if (m->pktif_suppressed && reg_get(m, EPKTCNT) != 0)
		m->stats.rx_pktif_hidden++; /* a driver waiting for PKTIF waits on */
}

void model_rx_pktdec(struct enc_model *m)
{
	uint8_t *cnt = reg_ptr(m, EPKTCNT);
	if (*cnt == 0) {
		model_diag(m, MODEL_RULE_PKTDEC_AT_ZERO, ECON2, ECON2_PKTDEC);
		return;
	}
	(*cnt)--;
	pktif_erratum(m);
	model_rx_update_pktif(m);
	model_irq_update(m, m->now);
}

/* ECON1.RXRST: the receive logic restarts empty. */
void model_rx_reset(struct enc_model *m)
{
	*reg_ptr(m, EPKTCNT) = 0;
	reg_set16(m, ERXWRPTL, reg_get16(m, ERXSTL));
	m->pktif_suppressed = false;
	model_rx_update_pktif(m);
	model_irq_update(m, m->now);
}

/* DS 6.1, 7.2.4: ERXRDPT must lie in ERXST..ERXND. The receive hardware
 * stops short of ERXRDPT as it walks the ring; a read pointer outside the
 * ring is never met, so nothing guards the unread frames (EtherCard #182:
 * a signed next-packet pointer wrote 0xFFFF, and the ring filled with
 * garbage). Checked when the pointer is written with RXEN set and when RXEN
 * is set (regs.c); a driver moving ERXST/ERXND with RXEN set is flagged by
 * rx-config-while-rxen already. */
void model_rx_check_rdpt(struct enc_model *m)
{
	uint16_t rd = reg_get16(m, ERXRDPTL);
	if (!model_in_rx_ring(m, rd))
		model_diag(m, MODEL_RULE_ERXRDPT_OUTSIDE_RING, ERXRDPTH, rd);
}

/* DS Equation 7-1: room for a new frame without touching ERXRDPT. With
 * ERXRDPT outside the ring, the whole ring: the hardware keeps writing
 * round it, over frames the host has not read (model_rx_check_rdpt). */
static uint32_t free_space(const struct enc_model *m, bool *unguarded)
{
	int32_t st = reg_get16(m, ERXSTL), nd = reg_get16(m, ERXNDL);
	int32_t wr = reg_get16(m, ERXWRPTL), rd = reg_get16(m, ERXRDPTL);
	int32_t f;
	*unguarded = !model_in_rx_ring(m, (uint16_t)rd);
	if (*unguarded)
		return (uint32_t)(nd >= st ? nd - st : nd - st + (int32_t)ENC_BUFFER_SIZE);
	if (wr > rd)
		f = (nd - st) - (wr - rd);
	else if (wr == rd)
		f = nd - st;
	else
		f = rd - wr - 1;
	/* DS80349 erratum 14: with an even ERXRDPT the protection is off by one
	 * and the hardware may write the byte at ERXRDPT itself, corrupting the
	 * oldest unread packet. */
	if ((m->cfg.errata & MODEL_ERRATUM_EVEN_ERXRDPT) && !(rd & 1) && wr != rd)
		f += 1;
	return f > 0 ? (uint32_t)f : 0u;
}

/* Copy n bytes into the ring at a, wrapping ERXND -> ERXST; returns the
 * address after the last byte. */
static uint16_t ring_write(struct enc_model *m, uint16_t a, const uint8_t *src, size_t n)
{
	uint16_t st = reg_get16(m, ERXSTL), nd = reg_get16(m, ERXNDL);
	if (st <= nd && a >= st && a <= nd) {
		while (n) {
			size_t chunk = (size_t)(nd - a) + 1u;
			if (chunk > n)
				chunk = n;
			memcpy(&m->mem[a], src, chunk);
			src += chunk;
			n -= chunk;
			a = (uint16_t)(a + chunk);
			if (a > nd)
				a = st;
		}
		return a;
	}
	/* Misprogrammed ring or pointer outside it: byte by byte like silicon. */
	for (size_t i = 0; i < n; i++) {
		m->mem[a] = src[i];
		a = model_ring_next(m, a);
	}
	return a;
}

static uint16_t ring_advance(const struct enc_model *m, uint16_t a, uint32_t n)
{
	uint32_t st = reg_get16(m, ERXSTL), nd = reg_get16(m, ERXNDL);
	if (st <= nd && a >= st && a <= nd)
		return (uint16_t)(st + (a - st + n) % (nd - st + 1u));
	while (n--)
		a = model_ring_next(m, a);
	return a;
}

/* RSV bits 16..31 for a stored frame (DS Table 7-3). */
static uint16_t rsv_status(struct enc_model *m, const uint8_t *f, size_t len, bool fcs_ok)
{
	uint16_t st = fcs_ok ? ENC_RSV_RXOK : ENC_RSV_CRCERR;
	bool bcast = (f[0] & f[1] & f[2] & f[3] & f[4] & f[5]) == 0xFFu;
	if (bcast)
		st |= ENC_RSV_RXBROADCAST;
	else if (f[0] & 1u)
		st |= ENC_RSV_RXMULTICAST;
	unsigned type = (unsigned)(f[12] << 8 | f[13]);
	if (type > 1500u) {
		/* "type/length field larger than 1500": set for every
		 * Ethernet II frame, as on silicon. */
		st |= ENC_RSV_LENOUTOFRANGE;
	} else {
		size_t data = len - 18u;
		if (type != data && !(data == 46u && type < 46u))
			st |= ENC_RSV_LENCHECKERR;
	}
	if (type == 0x8808u) {
		st |= ENC_RSV_RXCONTROLFRAME;
		st |= (f[14] == 0x00 && f[15] == 0x01) ? ENC_RSV_RXPAUSEFRAME : ENC_RSV_RXUNKNOWNOP;
	}
	if (type == 0x8100u)
		st |= ENC_RSV_RXTYPEVLAN;
	if (m->rx_drop_event) {
		st |= ENC_RSV_LONGEVDROPEV; /* a frame was dropped since the last one */
		m->rx_drop_event = false;
	}
	return st;
}

/* Short-frame padding, see the file comment. Returns the frame to use. */
static const uint8_t *pad_short(struct enc_model *m, const uint8_t *frame, size_t *len)
{
	size_t data = *len - ENC_ETH_FCS_LEN;
	bool good = model_crc32(frame, data) == get_le32(frame + data);
	memmove(m->frame, frame, data); /* frame may be m->frame (TX looped back) */
	memset(m->frame + data, 0, ENC_ETH_MIN_FRAME - data);
	uint32_t fcs = model_crc32(m->frame, ENC_ETH_MIN_FRAME);
	put_le32(m->frame + ENC_ETH_MIN_FRAME, good ? fcs : ~fcs);
	*len = ENC_ETH_MIN_FRAME + ENC_ETH_FCS_LEN;
	return m->frame;
}

static void rx_overflow(struct enc_model *m, uint64_t t)
{
	/* DS 7.2.4 / Register 12-3: RXERIF; ESTAT.BUFER as reported for
	 * receive overruns (UIPEthernet #129). */
	*reg_ptr(m, EIR) |= EIR_RXERIF;
	*reg_ptr(m, ESTAT) |= ESTAT_BUFER;
	m->rx_drop_event = true;
	model_irq_update(m, t);
}

bool model_wire_rx(struct enc_model *m, const uint8_t *frame, size_t len, uint64_t now)
{
	model_tick(m, now);
	uint64_t t = m->now;
	uint8_t econ1 = reg_get(m, ECON1);
	if (m->reset_held || !m->ready || !m->link_up || !(econ1 & ECON1_RXEN) || (econ1 & ECON1_RXRST) ||
	    !(reg_get(m, MACON1) & MACON1_MARXEN) || (reg_get(m, ECON2) & ECON2_PWRSV)) {
		m->stats.rx_dropped_disabled++;
		return false;
	}
	if (len < 14u + ENC_ETH_FCS_LEN) {
		m->stats.rx_dropped_runt++;
		return false;
	}
	const uint8_t *f = frame;
	if (len < ENC_ETH_MIN_FRAME + ENC_ETH_FCS_LEN)
		f = pad_short(m, frame, &len);
	if (len > sizeof(m->frame))
		len = sizeof(m->frame); /* beyond the whole buffer: truncated, dropped below */
	if (m->rx_fault_crc || model_chance_ppm(m, m->cfg.fault_rx_crc_ppm)) {
		if (m->rx_fault_crc)
			m->rx_fault_crc--;
		/* Counted when it turns a good frame bad (one already corrupted
		 * on the wire is dropped for that anyway). */
		if (model_crc32(f, len - ENC_ETH_FCS_LEN) == get_le32(f + len - ENC_ETH_FCS_LEN))
			m->stats.rx_fault_crc++;
		if (f != m->frame)
			memcpy(m->frame, f, len);
		f = m->frame;
		m->frame[len - ENC_ETH_FCS_LEN - 1u] ^= 0x01u; /* last data byte */
	}
	bool fcs_ok = model_crc32(f, len - ENC_ETH_FCS_LEN) == get_le32(f + len - ENC_ETH_FCS_LEN);
	uint8_t fc = reg_get(m, ERXFCON);
	if ((fc & ERXFCON_CRCEN) && !fcs_ok) {
		m->stats.rx_dropped_crc++;
		return false;
	}
	if (!model_rx_filter(m, f, len)) {
		m->stats.rx_dropped_filter++;
		return false;
	}
	if (f[12] == 0x88 && f[13] == 0x08 && !(reg_get(m, MACON1) & MACON1_PASSALL)) {
		/* MAC control frames are consumed by the MAC (Register 6-1). */
		m->stats.rx_dropped_control++;
		return false;
	}
	if (len > reg_get16(m, MAMXFLL) && !(reg_get(m, MACON3) & MACON3_HFRMEN)) {
		m->stats.rx_dropped_toolong++;
		return false;
	}
	if (m->rx_fault_overflow || model_chance_ppm(m, m->cfg.fault_rx_overflow_ppm)) {
		if (m->rx_fault_overflow)
			m->rx_fault_overflow--;
		m->stats.rx_dropped_fault++;
		rx_overflow(m, t);
		return false;
	}
	uint32_t need = (uint32_t)(ENC_RXHDR_LEN + len);
	uint32_t padded = need + (need & 1u); /* next packet starts even */
	uint8_t *cnt = reg_ptr(m, EPKTCNT);
	bool unguarded = false;
	if (*cnt == 255u || padded > free_space(m, &unguarded)) {
		m->stats.rx_dropped_full++;
		rx_overflow(m, t);
		return false;
	}

	uint16_t wr = reg_get16(m, ERXWRPTL);
	uint8_t hdr[ENC_RXHDR_LEN];
	uint16_t status = rsv_status(m, f, len, fcs_ok);
	/* Next packet pointer: after the frame and the pad byte, in the ring. */
	uint16_t next = ring_advance(m, wr, padded);
	hdr[ENC_RXHDR_NEXT] = (uint8_t)next;
	hdr[ENC_RXHDR_NEXT + 1] = (uint8_t)(next >> 8);
	hdr[ENC_RXHDR_COUNT] = (uint8_t)len;
	hdr[ENC_RXHDR_COUNT + 1] = (uint8_t)(len >> 8);
	hdr[ENC_RXHDR_STATUS] = (uint8_t)status;
	hdr[ENC_RXHDR_STATUS + 1] = (uint8_t)(status >> 8);
	uint16_t a = ring_write(m, wr, hdr, ENC_RXHDR_LEN);
	ring_write(m, a, f, len);

	reg_set16(m, ERXWRPTL, next);
	(*cnt)++;
	pktif_erratum(m);
	model_rx_update_pktif(m);
	m->stats.rx_frames_stored++;
	if (unguarded)
		m->stats.rx_stored_unguarded++;
	model_irq_update(m, t);
	return true;
}
