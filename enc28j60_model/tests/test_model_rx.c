/*
 * test_model_rx.c - the receive ring (DS39662E 7.2): exact header and RSV
 * bytes, even packet starts, ring wrap, EPKTCNT/PKTDEC/PKTIF, ring full and
 * EPKTCNT 255 (RXERIF), MAMXFL, short-frame padding, disabled receiver.
 */
#include "model_test.h"

static struct harness H;
static uint8_t F[2048];
static uint8_t B[2048];

static void ready(void)
{
	h_init(&H, NULL);
	h_driver_init(&H);
}

START_TEST(test_header_and_rsv_exact_bytes)
{
	ready();
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 50); /* 64 + FCS */
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	/* next = 6 + 68 = 0x004A, count 68 incl. FCS, RSV = RXOK | length
	 * out of range (type field > 1500). */
	const uint8_t hdr[6] = {0x4A, 0x00, 0x44, 0x00, 0xC0, 0x00};
	for (unsigned i = 0; i < 6; i++)
		ck_assert_uint_eq(model_peek_mem(H.m, (uint16_t)i), hdr[i]);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(model_peek_mem(H.m, (uint16_t)(6 + i)), F[i]);
	ck_assert_uint_eq(h_rd16(&H, ERXWRPTL), 0x004A);
	ck_assert_uint_eq(h_rcr(&H, EPKTCNT), 1);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_PKTIF, EIR_PKTIF);
}
END_TEST

START_TEST(test_odd_length_next_packet_even)
{
	ready();
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 51); /* 69 bytes */
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	uint16_t cnt, st;
	uint16_t next = h_rx_read(&H, 0, &cnt, &st, B);
	ck_assert_uint_eq(cnt, 69);
	ck_assert_uint_eq(next, 76); /* 6 + 69 = 75, rounded up */
	ck_assert_mem_eq(B, F, n);
}
END_TEST

START_TEST(test_rsv_broadcast_multicast_length)
{
	ready();
	h_wcr(&H, ERXFCON, 0); /* promiscuous */
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
	struct {
		const uint8_t *dst;
		uint16_t type;
		size_t payload;
		uint16_t rsv;
	} c[] = {
		{h_bcast, 0x0806, 46, 0x02C0},
		{mcast, 0x0800, 46, 0x01C0},
		{h_mac, 46, 46, 0x0080},     /* 802.3 length field that matches */
		{h_mac, 16, 46, 0x0080},     /* short payload, padded to 46 */
		{h_mac, 100, 46, 0x00A0},    /* length check error */
		{h_mac, 0x8100, 46, 0x40C0}, /* VLAN */
	};
	uint16_t ptr = 0;
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t n = h_frame(F, c[i].dst, h_peer, c[i].type, c[i].payload);
		ck_assert(model_wire_rx(H.m, F, n, H.t));
		uint16_t cnt, st;
		ptr = h_rx_read(&H, ptr, &cnt, &st, NULL);
		ck_assert_uint_eq(st, c[i].rsv);
	}
}
END_TEST

START_TEST(test_crc_error_stored_when_crcen_off)
{
	ready();
	h_wcr(&H, ERXFCON, ERXFCON_UCEN);
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46);
	F[20] ^= 0x40;
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	uint16_t cnt, st;
	h_rx_read(&H, 0, &cnt, &st, NULL);
	ck_assert_uint_eq(st, ENC_RSV_CRCERR | ENC_RSV_LENOUTOFRANGE);
	h_wcr(&H, ERXFCON, ERXFCON_UCEN | ERXFCON_CRCEN);
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_crc, 1);
}
END_TEST

START_TEST(test_pktdec_and_pktif)
{
	ready();
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(h_rcr(&H, EPKTCNT), 2);
	uint16_t cnt, st;
	uint16_t next = h_rx_read(&H, 0, &cnt, &st, NULL);
	h_rx_release(&H, next);
	ck_assert_uint_eq(h_rcr(&H, EPKTCNT), 1);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_PKTIF, EIR_PKTIF);
	next = h_rx_read(&H, next, &cnt, &st, NULL);
	h_rx_release(&H, next);
	ck_assert_uint_eq(h_rcr(&H, EPKTCNT), 0);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_PKTIF, 0);
	/* BFC on PKTIF does nothing: it follows EPKTCNT. */
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	h_bfc(&H, EIR, EIR_PKTIF);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_PKTIF, EIR_PKTIF);
}
END_TEST

START_TEST(test_ring_wrap)
{
	ready();
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 50); /* 74-byte slots */
	uint16_t ptr = 0;
	bool wrapped = false;
	for (unsigned i = 0; i < 60; i++) {
		F[20] = (uint8_t)i;
		h_put_le32(F + n - 4, model_crc32(F, n - 4));
		ck_assert(model_wire_rx(H.m, F, n, H.t));
		uint16_t cnt, st;
		uint16_t next = h_rx_read(&H, ptr, &cnt, &st, B);
		ck_assert_uint_eq(cnt, n);
		ck_assert_mem_eq(B, F, n); /* RBM follows the ring wrap */
		ck_assert_uint_eq(next & 1u, 0);
		ck_assert_uint_le(next, H_RXEND);
		if (next < ptr)
			wrapped = true;
		h_rx_release(&H, next);
		ptr = next;
	}
	ck_assert(wrapped);
	ck_assert_uint_eq(model_diag_count(H.m), 0);
}
END_TEST

START_TEST(test_ring_full_sets_rxerif)
{
	ready();
	h_bfs(&H, EIE, EIE_INTIE | EIE_RXERIE);
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 1500); /* 1518 */
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_full, 1);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_RXERIF, EIR_RXERIF);
	ck_assert(model_int_asserted(H.m));
	/* The hardware never wrote into ERXRDPT (0x0BFF). */
	ck_assert_uint_eq(h_rd16(&H, ERXWRPTL), 2 * (6 + 1518));
	/* Free one, the next fits, and its RSV reports the earlier drop. */
	uint16_t cnt, st;
	uint16_t next = h_rx_read(&H, 0, &cnt, &st, NULL);
	h_rx_release(&H, next);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	h_rx_read(&H, 2 * (6 + 1518), &cnt, &st, NULL);
	ck_assert_uint_eq(st & ENC_RSV_LONGEVDROPEV, ENC_RSV_LONGEVDROPEV);
}
END_TEST

/* ERXRDPT outside ERXST..ERXND (EtherCard #182: a signed next-packet
 * pointer wrote 0xFFFF, 0x1FFF on 13 bits). The hardware stops short of
 * ERXRDPT as it walks the ring; a read pointer it never meets never stops
 * it, so frames go on being stored over unread ones. The checker flags the
 * write (and RXEN set with such a pointer). */
START_TEST(test_erxrdpt_outside_ring_flagged_and_unread_frames_overwritten)
{
	ready(); /* ring 0x0000..0x0BFF, RXEN set */
	h_wr16(&H, ERXRDPTL, 0x1FFF);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_ERXRDPT_OUTSIDE_RING), 1);
	const struct model_diag *d = model_diag_get(H.m, 0);
	ck_assert_str_eq(d->id, "erxrdpt-outside-ring");
	ck_assert_uint_eq(d->reg, ERXRDPTH);
	ck_assert_uint_eq(d->value, 0x1FFF);
	/* Nothing is read: three 1518-byte frames (1524-byte slots) in a
	 * 3072-byte ring. All are stored, no RXERIF, and the third lands on
	 * the first, which the driver has not read. */
	for (uint8_t k = 1; k <= 3; k++) {
		size_t n = h_frame(F, h_mac, h_peer, 0x0800, 1500);
		F[14] = k;
		h_put_le32(F + n - 4, model_crc32(F, n - 4));
		ck_assert(model_wire_rx(H.m, F, n, H.t));
	}
	ck_assert_uint_eq(h_rcr(&H, EPKTCNT), 3);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_RXERIF, 0);
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_full, 0);
	ck_assert_uint_eq(model_get_stats(H.m)->rx_stored_unguarded, 3);
	/* The third frame wrapped to 0x0000..: the oldest unread packet's
	 * header now holds the tail of frame 3. */
	uint16_t cnt, st;
	uint16_t next = h_rx_read(&H, 0, &cnt, &st, NULL);
	ck_assert_uint_ne(next, 6 + 1518); /* was 0x05F4 */
	ck_assert_uint_ne(cnt, 1518);
	ck_assert_uint_ne(model_peek_mem(H.m, 6 + 14), 1); /* frame 1's sequence byte */
	ck_assert_uint_eq(model_peek_mem(H.m, 2 * 1524 + 6 + 14), 3);
	/* Setting RXEN with the pointer still outside is flagged too. */
	h_bfc(&H, ECON1, ECON1_RXEN);
	h_bfs(&H, ECON1, ECON1_RXEN);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_ERXRDPT_OUTSIDE_RING), 2);
	/* Back inside the ring: no new diagnostic, and protection returns. */
	h_wr16(&H, ERXRDPTL, H_RXEND);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_ERXRDPT_OUTSIDE_RING), 2);
}
END_TEST

/* The same below the ring (ERXST moved off 0, against erratum 5): the
 * hardware does not stop there either. */
START_TEST(test_erxrdpt_below_ring_does_not_guard)
{
	ready();
	h_bfc(&H, ECON1, ECON1_RXEN);
	h_wr16(&H, ERXSTL, 0x1000);
	h_wr16(&H, ERXNDL, 0x1BFF);
	h_wr16(&H, ERXRDPTL, 0x0101);
	h_bfs(&H, ECON1, ECON1_RXEN);
	ck_assert_uint_eq(model_diag_count_rule(H.m, MODEL_RULE_ERXRDPT_OUTSIDE_RING), 1);
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 1500);
	for (unsigned k = 0; k < 3; k++)
		ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(h_rcr(&H, EPKTCNT), 3);
	ck_assert_uint_eq(model_get_stats(H.m)->rx_stored_unguarded, 3);
}
END_TEST

START_TEST(test_epktcnt_255_drops)
{
	ready();
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46);
	uint16_t ptr = 0;
	for (unsigned i = 0; i < 255; i++) {
		ck_assert(model_wire_rx(H.m, F, n, H.t));
		uint16_t cnt, st;
		ptr = h_rx_read(&H, ptr, &cnt, &st, NULL);
		/* Free the space but never decrement EPKTCNT. */
		h_wr16(&H, ERXRDPTL, ptr == 0 ? H_RXEND : (uint16_t)(ptr - 1));
	}
	ck_assert_uint_eq(h_rcr(&H, EPKTCNT), 255);
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_full, 1);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_RXERIF, EIR_RXERIF);
}
END_TEST

START_TEST(test_mamxfl_enforced)
{
	ready(); /* MAMXFL = 1518 */
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 1500);
	ck_assert_uint_eq(n, 1518);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	n = h_frame(F, h_mac, h_peer, 0x0800, 1501);
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_toolong, 1);
	h_bfs(&H, MACON3, MACON3_HFRMEN);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
}
END_TEST

START_TEST(test_short_frame_is_padded)
{
	ready();
	/* 42-byte ARP request, FCS over the unpadded bytes. */
	size_t n = h_frame(F, h_bcast, h_peer, 0x0806, 28);
	ck_assert_uint_eq(n, 46);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	uint16_t cnt, st;
	uint16_t next = h_rx_read(&H, 0, &cnt, &st, B);
	ck_assert_uint_eq(cnt, 64);
	ck_assert_uint_eq(st & (ENC_RSV_RXOK | ENC_RSV_CRCERR), ENC_RSV_RXOK);
	ck_assert_mem_eq(B, F, 42);
	for (unsigned i = 42; i < 60; i++)
		ck_assert_uint_eq(B[i], 0);
	ck_assert_uint_eq(model_crc32(B, 60),
			  (uint32_t)B[60] | (uint32_t)B[61] << 8 | (uint32_t)B[62] << 16 | (uint32_t)B[63] << 24);
	/* A link that pads itself: stored byte for byte. */
	h_rx_release(&H, next);
	memset(F + 42, 0, 18);
	h_put_le32(F + 60, model_crc32(F, 60));
	ck_assert(model_wire_rx(H.m, F, 64, H.t));
	h_rx_read(&H, next, &cnt, &st, B);
	ck_assert_uint_eq(cnt, 64);
	ck_assert_mem_eq(B, F, 64);
	/* An unpadded frame with a bad FCS stays bad after padding. */
	n = h_frame(F, h_bcast, h_peer, 0x0806, 28);
	F[n - 1] ^= 0xFF;
	h_wcr(&H, ERXFCON, ERXFCON_BCEN | ERXFCON_CRCEN);
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_crc, 1);
	/* Runts without a full header are dropped. */
	ck_assert(!model_wire_rx(H.m, F, 10, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_runt, 1);
}
END_TEST

START_TEST(test_disabled_receiver_drops)
{
	h_init(&H, NULL);
	h_driver_init(&H);
	h_bfc(&H, ECON1, ECON1_RXEN);
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46);
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	h_bfs(&H, ECON1, ECON1_RXEN);
	h_bfc(&H, MACON1, MACON1_MARXEN);
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	h_bfs(&H, MACON1, MACON1_MARXEN);
	model_set_link(H.m, false, H.t);
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	model_set_link(H.m, true, H.t);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_disabled, 3);
	ck_assert_uint_eq(model_get_stats(H.m)->rx_frames_stored, 1);
}
END_TEST

START_TEST(test_rxrst_empties_ring)
{
	ready();
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	h_bfs(&H, ECON1, ECON1_RXRST);
	h_bfc(&H, ECON1, ECON1_RXRST);
	ck_assert_uint_eq(h_rcr(&H, EPKTCNT), 0);
	ck_assert_uint_eq(h_rd16(&H, ERXWRPTL), 0);
	ck_assert_uint_eq(h_rcr(&H, EIR) & EIR_PKTIF, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_rx");
	TCase *tc = tcase_create("rx");
	tcase_add_test(tc, test_header_and_rsv_exact_bytes);
	tcase_add_test(tc, test_odd_length_next_packet_even);
	tcase_add_test(tc, test_rsv_broadcast_multicast_length);
	tcase_add_test(tc, test_crc_error_stored_when_crcen_off);
	tcase_add_test(tc, test_pktdec_and_pktif);
	tcase_add_test(tc, test_ring_wrap);
	tcase_add_test(tc, test_ring_full_sets_rxerif);
	tcase_add_test(tc, test_erxrdpt_outside_ring_flagged_and_unread_frames_overwritten);
	tcase_add_test(tc, test_erxrdpt_below_ring_does_not_guard);
	tcase_add_test(tc, test_epktcnt_255_drops);
	tcase_add_test(tc, test_mamxfl_enforced);
	tcase_add_test(tc, test_short_frame_is_padded);
	tcase_add_test(tc, test_disabled_receiver_drops);
	tcase_add_test(tc, test_rxrst_empties_ring);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
