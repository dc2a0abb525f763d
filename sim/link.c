/*
 * link.c - the Ethernet segment (see link.h for its semantics).
 *
 * sim_link_send() is called by a port (usually a board, from its chip
 * model's tx_frame callback). It works out, for every other port, when the
 * frame arrives and which impairments hit it, copies the bytes into a slot
 * from a fixed pool and schedules one delivery event per copy; taps get
 * their own slot, delivered at the frame's start time so captures come out
 * in wire order even when boards run ahead of the global clock.
 *
 * Slots come from a free list allocated at sim_link_init(): nothing is
 * allocated per frame.
 */
#include "link.h"

#include <stdlib.h>
#include <string.h>

#include "enc28j60_model.h" /* model_crc32: the FCS as the chip computes it */

struct sim_link_slot {
	struct sim_link *link;
	struct sim_link_slot *next_free;
	struct sim_port *dst;    /* NULL: a tap record */
	uint64_t start;
	unsigned src;
	uint32_t len;
	uint8_t data[SIM_LINK_MAX_FRAME];
};

#define DEFAULT_SLOTS 256u
#define DEFAULT_REORDER_NS (3u * (1518u + SIM_LINK_OVERHEAD_BYTES) * SIM_LINK_NS_PER_BYTE)

int sim_link_init(struct sim_link *l, struct sim *s, const struct sim_link_config *cfg)
{
	memset(l, 0, sizeof *l);
	l->sim = s;
	if (cfg)
		l->cfg = *cfg;
	if (l->cfg.slots == 0)
		l->cfg.slots = DEFAULT_SLOTS;
	if (l->cfg.reorder_delay_ns == 0)
		l->cfg.reorder_delay_ns = DEFAULT_REORDER_NS;
	const char *name = l->cfg.name ? l->cfg.name : "link";
	l->cfg.name = NULL; /* don't keep a pointer we don't own */

	/* One stream per impairment: turning one knob on leaves the others'
	 * draws where they were. */
	char buf[96];
	static const char *const kinds[4] = {"loss", "dup", "reorder", "corrupt"};
	struct sim_rng *rngs[4] = {&l->rng_loss, &l->rng_dup, &l->rng_reorder, &l->rng_corrupt};
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(name);
		if (n > sizeof buf - 16)
			n = sizeof buf - 16;
		memcpy(buf, name, n);
		buf[n] = '/';
		strcpy(buf + n + 1, kinds[i]);
		sim_rng_stream(s, rngs[i], buf);
	}

	l->slots = calloc(l->cfg.slots, sizeof *l->slots);
	if (l->slots == NULL)
		return -1;
	for (unsigned i = 0; i < l->cfg.slots; i++) {
		l->slots[i].link = l;
		l->slots[i].next_free = i + 1 < l->cfg.slots ? &l->slots[i + 1] : NULL;
	}
	l->free_slots = &l->slots[0];
	return 0;
}

void sim_link_free(struct sim_link *l)
{
	free(l->slots);
	l->slots = NULL;
	l->free_slots = NULL;
}

struct sim_port *sim_link_attach(struct sim_link *l, sim_deliver_fn deliver, void *ctx)
{
	if (l->nports >= SIM_LINK_MAX_PORTS)
		return NULL;
	struct sim_port *p = &l->ports[l->nports];
	memset(p, 0, sizeof *p);
	p->link = l;
	p->index = l->nports++;
	p->deliver = deliver;
	p->ctx = ctx;
	return p;
}

int sim_link_add_tap(struct sim_link *l, sim_tap_fn fn, void *ctx)
{
	if (l->ntaps >= SIM_LINK_MAX_TAPS)
		return -1;
	l->taps[l->ntaps].fn = fn;
	l->taps[l->ntaps].ctx = ctx;
	l->ntaps++;
	return 0;
}

static struct sim_link_slot *slot_get(struct sim_link *l)
{
	struct sim_link_slot *sl = l->free_slots;
	if (sl == NULL) {
		l->stats.dropped_no_slot++;
		return NULL;
	}
	l->free_slots = sl->next_free;
	return sl;
}

static void slot_put(struct sim_link_slot *sl)
{
	struct sim_link *l = sl->link;
	sl->next_free = l->free_slots;
	l->free_slots = sl;
}

static void tap_event(void *ctx, uint64_t now)
{
	struct sim_link_slot *sl = ctx;
	struct sim_link *l = sl->link;
	(void)now;
	for (unsigned i = 0; i < l->ntaps; i++)
		l->taps[i].fn(l->taps[i].ctx, sl->data, sl->len, sl->start, sl->src);
	slot_put(sl);
}

static void deliver_event(void *ctx, uint64_t now)
{
	struct sim_link_slot *sl = ctx;
	struct sim_port *p = sl->dst;
	sl->link->stats.frames_delivered++;
	p->rx_frames++;
	p->deliver(p->ctx, sl->data, sl->len, now);
	slot_put(sl);
}

/* Queue one copy of frame for port dst, arriving at `at`. */
static void queue_copy(struct sim_link *l, struct sim_port *dst, const uint8_t *frame, size_t len,
		       uint64_t at, bool corrupt)
{
	struct sim_link_slot *sl = slot_get(l);
	if (sl == NULL)
		return;
	memcpy(sl->data, frame, len);
	sl->len = (uint32_t)len;
	sl->dst = dst;
	if (corrupt && len > 0) {
		/* One byte XORed with a non-zero value: CRC-32 detects every
		 * error burst up to 32 bits, so the receiver's FCS check fails. */
		size_t off = (size_t)sim_rng_below(&l->rng_corrupt, len);
		sl->data[off] ^= (uint8_t)(1u + sim_rng_below(&l->rng_corrupt, 255));
		l->stats.corrupted++;
	}
	if (sim_at(l->sim, at, deliver_event, sl) != 0)
		slot_put(sl);
}

void sim_link_send(struct sim_port *p, const uint8_t *frame, size_t len, uint64_t start, uint64_t end)
{
	struct sim_link *l = p->link;
	if (len > SIM_LINK_MAX_FRAME) {
		l->stats.dropped_oversize++;
		return;
	}
	uint64_t dur = end > start ? end - start : sim_link_wire_ns(len);
	uint64_t now = sim_now(l->sim);
	/* A chip model hands a frame over when its last bit has left: start
	 * is in the past and end is now. Keep that start, so the frame
	 * arrives at end + latency and not one frame time later; only a
	 * frame that would already have ended is moved to end now. */
	if (start + dur < now)
		start = now - dur;
	if (start < p->tx_free) {
		l->stats.tx_deferred++;
		start = p->tx_free;
	}
	end = start + dur;
	p->tx_free = end;
	p->tx_frames++;
	l->stats.frames_sent++;
	l->stats.bytes_sent += len;

	if (l->ntaps > 0) {
		struct sim_link_slot *sl = slot_get(l);
		if (sl) {
			memcpy(sl->data, frame, len);
			sl->len = (uint32_t)len;
			sl->dst = NULL;
			sl->start = start;
			sl->src = p->index;
			if (sim_at(l->sim, start, tap_event, sl) != 0)
				slot_put(sl);
		}
	}

	for (unsigned i = 0; i < l->nports; i++) {
		struct sim_port *dst = &l->ports[i];
		if (dst == p)
			continue;
		if (sim_rng_ppm(&l->rng_loss, l->cfg.loss_ppm)) {
			l->stats.dropped_loss++;
			continue;
		}
		/* The receiver takes one frame at a time. */
		uint64_t at = end + l->cfg.latency_ns;
		if (at < dst->rx_free + dur) {
			l->stats.rx_deferred++;
			at = dst->rx_free + dur;
		}
		dst->rx_free = at;
		bool dup = sim_rng_ppm(&l->rng_dup, l->cfg.dup_ppm);
		if (sim_rng_ppm(&l->rng_reorder, l->cfg.reorder_ppm)) {
			l->stats.reordered++;
			at += l->cfg.reorder_delay_ns;
		}
		queue_copy(l, dst, frame, len, at, sim_rng_ppm(&l->rng_corrupt, l->cfg.corrupt_ppm));
		if (dup) {
			uint64_t again = at + dur + SIM_LINK_OVERHEAD_BYTES * (uint64_t)SIM_LINK_NS_PER_BYTE;
			l->stats.duplicated++;
			if (again > dst->rx_free)
				dst->rx_free = again;
			queue_copy(l, dst, frame, len, again, sim_rng_ppm(&l->rng_corrupt, l->cfg.corrupt_ppm));
		}
	}
}

void sim_link_send_nofcs(struct sim_port *p, const uint8_t *frame, size_t len, uint64_t start)
{
	uint8_t buf[SIM_LINK_MAX_FRAME];
	if (len + 4u > sizeof buf) {
		p->link->stats.dropped_oversize++;
		return;
	}
	memcpy(buf, frame, len);
	uint32_t crc = model_crc32(frame, len);
	for (unsigned i = 0; i < 4; i++)
		buf[len + i] = (uint8_t)(crc >> (8 * i)); /* least significant byte first */
	sim_link_send(p, buf, len + 4u, start, 0);
}

bool sim_frame_fcs_ok(const uint8_t *frame, size_t len)
{
	if (len < 4)
		return false;
	const uint8_t *f = frame + len - 4;
	uint32_t fcs = (uint32_t)f[0] | (uint32_t)f[1] << 8 | (uint32_t)f[2] << 16 | (uint32_t)f[3] << 24;
	return model_crc32(frame, len - 4) == fcs;
}
