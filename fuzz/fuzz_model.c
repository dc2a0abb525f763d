/*
 * fuzz_model.c - the ENC28J60 model (enc28j60_model/) fed an arbitrary
 * stream of operations on its ports, decoded from the input:
 *
 *   byte 0..1   errata switches, link at power on, seeded fault rates
 *   then ops    op byte (low nibble) and its arguments:
 *     0/1 CS low / high        2 one raw SPI byte
 *     3 WCR  4 RCR  5 BFS  6 BFC (whole commands, CS framed; the address
 *       byte's bit 7 asks RCR for the MAC/MII dummy byte)
 *     7 WBM of n bytes  8 RBM of n bytes  9 SRC
 *     10 time passes (16-bit amount, scaled by the op's high nibble)
 *     11 time jumps to the model's next deadline
 *     12 a frame from the wire (length, bytes, FCS right or as given)
 *     13 PHY link  14 RESET pin  15 explicit fault injection
 *
 * Invariants checked: a frame offered to the wire is either stored or
 * counted under exactly one drop reason; the INT pin the callback reports
 * is the pin the model reports; frames the chip sends have a sane length
 * and are readable to their end (ASan); every diagnostic formats.
 */
#include <stdbool.h>
#include <string.h>

#include "enc28j60_model.h"
#include "fuzz.h"

#define MAX_OPS 20000u
#define MAX_RX_FRAME 1600u
#define MAX_TX_FRAME (8192u + 4u) /* the whole buffer memory and the FCS */

struct ctx {
	struct enc_model *m;
	uint64_t tx_frames;
	uint32_t tx_sum;
};

static void on_int(void *c, bool asserted, uint64_t now)
{
	struct ctx *x = c;
	(void)now;
	if (x->m != NULL)
		FUZZ_CHECK(asserted == model_int_asserted(x->m), "INT callback %d, pin %d", asserted,
			   model_int_asserted(x->m));
}

static void on_tx(void *c, const uint8_t *frame, size_t len, uint64_t start, uint64_t now)
{
	struct ctx *x = c;
	FUZZ_CHECK(len <= MAX_TX_FRAME, "transmitted frame of %zu bytes", len);
	FUZZ_CHECK(start <= now, "frame started at %llu after it ended at %llu", (unsigned long long)start,
		   (unsigned long long)now);
	for (size_t i = 0; i < len; i++)
		x->tx_sum += frame[i];
	x->tx_frames++;
}

static uint32_t drops(const struct model_stats *s)
{
	return s->rx_dropped_filter + s->rx_dropped_full + s->rx_dropped_disabled + s->rx_dropped_toolong +
	       s->rx_dropped_crc + s->rx_dropped_fault + s->rx_dropped_runt + s->rx_dropped_control;
}

static void cmd2(struct enc_model *m, uint8_t op, uint8_t arg, uint64_t now)
{
	model_spi_select(m, true, now);
	model_spi_xfer(m, op, now);
	model_spi_xfer(m, arg, now);
	model_spi_select(m, false, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *mem;
	static uint8_t frame[MAX_RX_FRAME + 4];
	if (mem == NULL && (mem = malloc(model_sizeof())) == NULL)
		return 0;
	struct fuzz_in in = {data, size, 0};
	struct model_config cfg;
	memset(&cfg, 0, sizeof cfg);
	uint8_t c0 = fuzz_u8(&in), c1 = fuzz_u8(&in);
	cfg.errata = c0 & 0x1Fu;
	cfg.link_up = (c0 & 0x20u) == 0;
	cfg.seed = c1;
	if (c0 & 0x40u) {
		cfg.fault_rx_overflow_ppm = (uint32_t)(c1 & 0x0Fu) * 50000u;
		cfg.fault_rx_crc_ppm = (uint32_t)(c1 >> 4) * 50000u;
	}
	if (c0 & 0x80u)
		cfg.fault_tx_latecol_ppm = 100000u;
	struct ctx x;
	memset(&x, 0, sizeof x);
	struct model_ops ops = {on_int, on_tx, &x};
	uint64_t now = 0;
	struct enc_model *m = model_init(mem, &cfg, &ops, now);
	x.m = m;

	for (unsigned n = 0; n < MAX_OPS && !fuzz_in_done(&in); n++) {
		uint8_t op = fuzz_u8(&in);
		switch (op & 0x0Fu) {
		case 0:
		case 1:
			model_spi_select(m, (op & 0x0Fu) == 0, now);
			break;
		case 2:
			model_spi_xfer(m, fuzz_u8(&in), now);
			break;
		case 3: {
			uint8_t a = fuzz_u8(&in);
			cmd2(m, (uint8_t)(0x40u | (a & 0x1Fu)), fuzz_u8(&in), now);
			break;
		}
		case 4: {
			uint8_t a = fuzz_u8(&in);
			model_spi_select(m, true, now);
			model_spi_xfer(m, a & 0x1Fu, now);
			if (a & 0x80u)
				model_spi_xfer(m, 0, now);
			model_spi_xfer(m, 0, now);
			model_spi_select(m, false, now);
			break;
		}
		case 5:
		case 6: {
			uint8_t a = fuzz_u8(&in);
			cmd2(m, (uint8_t)(((op & 0x0Fu) == 5 ? 0x80u : 0xA0u) | (a & 0x1Fu)), fuzz_u8(&in), now);
			break;
		}
		case 7: {
			const uint8_t *p;
			size_t k = fuzz_bytes(&in, &p, fuzz_u8(&in));
			model_spi_select(m, true, now);
			model_spi_xfer(m, 0x7A, now);
			for (size_t i = 0; i < k; i++)
				model_spi_xfer(m, p[i], now);
			model_spi_select(m, false, now);
			break;
		}
		case 8: {
			unsigned k = (unsigned)fuzz_u8(&in) << (op >> 6);
			model_spi_select(m, true, now);
			model_spi_xfer(m, 0x3A, now);
			for (unsigned i = 0; i < k; i++)
				model_spi_xfer(m, 0, now);
			model_spi_select(m, false, now);
			break;
		}
		case 9:
			model_spi_select(m, true, now);
			model_spi_xfer(m, 0xFF, now);
			model_spi_select(m, false, now);
			break;
		case 10:
			now += (uint64_t)fuzz_u16(&in) << (op >> 4);
			model_advance(m, now);
			break;
		case 11: {
			uint64_t d = model_next_deadline(m);
			if (d != MODEL_TIME_NEVER && d > now && d - now < 1000000000u)
				now = d;
			model_advance(m, now);
			break;
		}
		case 12: {
			size_t len = fuzz_u16(&in) % (MAX_RX_FRAME + 1u);
			const uint8_t *p;
			size_t got = fuzz_bytes(&in, &p, len);
			memcpy(frame, p, got);
			for (size_t i = got; i < len; i++)
				frame[i] = (uint8_t)i; /* short input: a pattern to the length */
			if ((op & 0x10u) == 0) { /* a right FCS, so the frame gets past CRCEN */
				uint32_t fcs = model_crc32(frame, len);
				for (unsigned i = 0; i < 4; i++)
					frame[len + i] = (uint8_t)(fcs >> (8u * i));
				len += 4;
			}
			struct model_stats before = *model_get_stats(m);
			bool stored = model_wire_rx(m, frame, len, now);
			const struct model_stats *after = model_get_stats(m);
			FUZZ_CHECK(after->rx_frames_stored == before.rx_frames_stored + (stored ? 1u : 0u),
				   "stored %d, counter %u -> %u", stored, before.rx_frames_stored,
				   after->rx_frames_stored);
			FUZZ_CHECK(drops(after) == drops(&before) + (stored ? 0u : 1u),
				   "stored %d, drop counters %u -> %u", stored, drops(&before), drops(after));
			break;
		}
		case 13:
			model_set_link(m, (op & 0x10u) != 0, now);
			break;
		case 14:
			model_reset_pin(m, (op & 0x10u) != 0, now);
			break;
		case 15: {
			uint8_t a = fuzz_u8(&in);
			switch (op >> 4) {
			case 0:
				model_fault_rx_overflow(m, a & 7u);
				break;
			case 1:
				model_fault_rx_crc(m, a & 7u);
				break;
			case 2:
				model_fault_tx_abort(m, a & 7u);
				break;
			case 3:
				model_fault_tx_stall(m);
				break;
			case 4:
				model_fault_link_flap(m, now + (uint64_t)a * 100000u, now + (uint64_t)a * 300000u);
				break;
			case 5:
				model_diag_clear(m);
				break;
			default:
				(void)model_peek_reg(m, (uint8_t)(a >> 5 & 3u), a & 0x1Fu);
				(void)model_peek_phy(m, a & 0x1Fu);
				(void)model_peek_mem(m, (uint16_t)(a << 5));
				break;
			}
			break;
		}
		default:
			break;
		}
	}
	unsigned nd = model_diag_count(m);
	for (unsigned i = 0; i < nd && i < MODEL_DIAG_MAX; i++) {
		const struct model_diag *d = model_diag_get(m, i);
		FUZZ_CHECK(d != NULL, "diagnostic %u of %u missing", i, nd);
		char buf[256];
		int len = model_diag_format(d, buf, sizeof buf);
		FUZZ_CHECK(len >= 0 && d->id != NULL && d->ref != NULL, "diagnostic %u does not format", i);
	}
	static int trace = -1; /* FUZZ_MODEL_TRACE=1: the rules an input broke (seed checks) */
	if (trace < 0)
		trace = getenv("FUZZ_MODEL_TRACE") != NULL;
	for (int r = 0; trace > 0 && r < MODEL_RULE_COUNT; r++)
		if (model_diag_count_rule(m, (enum model_rule)r))
			fprintf(stderr, "fuzz_model: %s x%u\n", model_rule_id((enum model_rule)r),
				model_diag_count_rule(m, (enum model_rule)r));
	if (trace > 0)
		fprintf(stderr, "fuzz_model: %llu frames sent, %u stored\n", (unsigned long long)x.tx_frames,
			model_get_stats(m)->rx_frames_stored);
	unsigned by_rule = 0;
	for (int r = 0; r < MODEL_RULE_COUNT; r++)
		by_rule += model_diag_count_rule(m, (enum model_rule)r);
	FUZZ_CHECK(by_rule == nd, "%u by rule, %u in all", by_rule, nd);
	return 0;
}
