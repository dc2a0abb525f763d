/*
 * test_model_tx.c - transmission (DS39662E 7.1): exact TSV bytes, wire time
 * at 10 Mbit/s with preamble/SFD/IFG, the frame handed to the link,
 * padding/CRC per MACON3 and per-packet control byte, MAMXFL, TXRST and
 * cancellation.
 */
#include "model_test.h"

static struct harness H;
static uint8_t F[2048];

static void ready(void)
{
	h_init(&H, NULL);
	h_driver_init(&H); /* MACON3 = PADCFG0 | TXCRCEN | FRMLNEN */
}

static void tsv(uint16_t etxnd, uint8_t out[7])
{
	for (unsigned i = 0; i < 7; i++)
		out[i] = model_peek_mem(H.m, (uint16_t)(etxnd + 1 + i));
}

static uint32_t fcs_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(test_tsv_and_timing_exact)
{
	ready();
	size_t n = h_frame(F, h_peer, h_mac, 0x0800, 46) - 4; /* 60 bytes, no FCS */
	h_tx_send(&H, 0x00, F, n);
	uint64_t t0 = H.t;
	uint64_t end = t0 + (64u + 20u) * 800u;
	ck_assert_uint_eq(model_next_deadline(H.m), end);
	H.t = end - 1;
	ck_assert_uint_eq(h_rcr(&H, ECON1) & ECON1_TXRTS, ECON1_TXRTS);
	ck_assert_uint_eq(H.ntx, 0);
	H.t = end;
	ck_assert_uint_eq(h_rcr(&H, ECON1) & ECON1_TXRTS, 0);
	ck_assert_uint_eq(h_rcr(&H, EIR) & (EIR_TXIF | EIR_TXERIF), EIR_TXIF);
	ck_assert_uint_eq(H.ntx, 1);
	ck_assert_uint_eq(H.tx[0].len, 64);
	ck_assert_uint_eq(H.tx[0].start, t0);
	ck_assert_uint_eq(H.tx[0].end, end);
	ck_assert_mem_eq(H.tx[0].data, F, 60);
	ck_assert_uint_eq(fcs_at(H.tx[0].data + 60), model_crc32(F, 60));
	uint8_t t[7];
	tsv((uint16_t)(H_TXST + n), t);
	const uint8_t want[7] = {0x40, 0x00, 0xC0, 0x00, 0x40, 0x00, 0x00};
	ck_assert_mem_eq(t, want, 7);
	ck_assert_uint_eq(model_get_stats(H.m)->tx_frames, 1);
}
END_TEST

START_TEST(test_short_broadcast_padded_to_60)
{
	ready();
	size_t n = h_frame(F, h_bcast, h_mac, 0x0806, 28) - 4; /* 42 */
	h_tx_send(&H, 0x00, F, n);
	h_wait(&H, 100000);
	ck_assert_uint_eq(H.ntx, 1);
	ck_assert_uint_eq(H.tx[0].len, 64);
	for (unsigned i = 42; i < 60; i++)
		ck_assert_uint_eq(H.tx[0].data[i], 0);
	ck_assert_uint_eq(fcs_at(H.tx[0].data + 60), model_crc32(H.tx[0].data, 60));
	uint8_t t[7];
	tsv((uint16_t)(H_TXST + n), t);
	ck_assert_uint_eq(t[3], ENC_TSV_B3_BROADCAST);
}
END_TEST

static size_t send_len(uint8_t macon3, uint8_t ctrl, uint16_t type)
{
	ready();
	h_wcr(&H, MACON3, macon3);
	size_t n = h_frame(F, h_peer, h_mac, type, 28) - 4; /* 42 */
	h_tx_send(&H, ctrl, F, n);
	h_wait(&H, 200000);
	ck_assert_uint_eq(H.ntx, 1);
	return H.tx[0].len;
}

START_TEST(test_padding_modes)
{
	ck_assert_uint_eq(send_len(0x00, 0, 0x0800), 42);                   /* no pad, no CRC */
	ck_assert_uint_eq(send_len(MACON3_TXCRCEN, 0, 0x0800), 46);         /* CRC only */
	ck_assert_uint_eq(send_len(0x20 | MACON3_TXCRCEN, 0, 0x0800), 64);  /* 001: 60 */
	ck_assert_uint_eq(send_len(0x60 | MACON3_TXCRCEN, 0, 0x0800), 68);  /* 011: 64 */
	ck_assert_uint_eq(send_len(0xE0 | MACON3_TXCRCEN, 0, 0x0800), 68);  /* 111: 64 */
	ck_assert_uint_eq(send_len(0xA0 | MACON3_TXCRCEN, 0, 0x0800), 64);  /* 101: auto */
	ck_assert_uint_eq(send_len(0xA0 | MACON3_TXCRCEN, 0, 0x8100), 68);  /* 101: VLAN */
	ck_assert_uint_eq(send_len(0x40 | MACON3_TXCRCEN, 0, 0x0800), 46);  /* 010: none */
	/* The control byte overrides MACON3. */
	ck_assert_uint_eq(send_len(0x20 | MACON3_TXCRCEN, ENC_TXCTRL_POVERRIDE, 0x0800), 42);
	ck_assert_uint_eq(send_len(0x00,
				   ENC_TXCTRL_POVERRIDE | ENC_TXCTRL_PPADEN | ENC_TXCTRL_PCRCEN, 0x0800),
			  64);
	ck_assert_uint_eq(send_len(0x00, ENC_TXCTRL_POVERRIDE | ENC_TXCTRL_PCRCEN, 0x0800), 46);
}
END_TEST

START_TEST(test_host_fcs_checked)
{
	ready();
	h_wcr(&H, MACON3, 0); /* host supplies the FCS */
	size_t n = h_frame(F, h_peer, h_mac, 0x0800, 46);
	F[n - 1] ^= 1;
	h_tx_send(&H, 0, F, n);
	h_wait(&H, 200000);
	ck_assert_uint_eq(H.ntx, 1);
	ck_assert_uint_eq(H.tx[0].len, 64);
	uint8_t t[7];
	tsv((uint16_t)(H_TXST + n), t);
	ck_assert_uint_eq(t[2] & ENC_TSV_B2_CRCERR, ENC_TSV_B2_CRCERR);
}
END_TEST

START_TEST(test_giant_aborts_unless_huge)
{
	ready(); /* MAMXFL 1518 */
	size_t n = h_frame(F, h_peer, h_mac, 0x0800, 1501) - 4; /* 1515 + CRC */
	h_tx_send(&H, 0, F, n);
	h_wait(&H, 2000000);
	ck_assert_uint_eq(H.ntx, 0);
	ck_assert_uint_eq(h_rcr(&H, EIR) & (EIR_TXIF | EIR_TXERIF), EIR_TXERIF);
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_TXABRT, ESTAT_TXABRT);
	uint8_t t[7];
	tsv((uint16_t)(H_TXST + n), t);
	ck_assert_uint_eq(t[2] & ENC_TSV_B2_DONE, 0);
	ck_assert_uint_eq(t[3] & ENC_TSV_B3_GIANT, ENC_TSV_B3_GIANT);
	ck_assert_uint_eq(model_get_stats(H.m)->tx_aborted, 1);
	/* Per-packet huge-frame enable sends it whole. */
	h_tx_send(&H, ENC_TXCTRL_POVERRIDE | ENC_TXCTRL_PHUGEEN | ENC_TXCTRL_PCRCEN, F, n);
	h_wait(&H, 2000000);
	ck_assert_uint_eq(H.ntx, 1);
	ck_assert_uint_eq(H.tx[0].len, 1519);
}
END_TEST

START_TEST(test_txrst_drops_pending_frame)
{
	ready();
	size_t n = h_frame(F, h_peer, h_mac, 0x0800, 46) - 4;
	h_tx_send(&H, 0, F, n);
	h_bfs(&H, ECON1, ECON1_TXRST);
	ck_assert_uint_eq(h_rcr(&H, ECON1) & ECON1_TXRTS, 0);
	h_bfc(&H, ECON1, ECON1_TXRST);
	h_wait(&H, 1000000);
	ck_assert_uint_eq(H.ntx, 0);
	ck_assert_uint_eq(h_rcr(&H, EIR) & (EIR_TXIF | EIR_TXERIF), 0);
}
END_TEST

START_TEST(test_clearing_txrts_cancels)
{
	ready();
	size_t n = h_frame(F, h_peer, h_mac, 0x0800, 46) - 4;
	h_tx_send(&H, 0, F, n);
	h_bfc(&H, ECON1, ECON1_TXRTS);
	h_wait(&H, 1000000);
	ck_assert_uint_eq(H.ntx, 0);
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_TXABRT, ESTAT_TXABRT);
	/* The host clears TXABRT; a TXRST-first send then works. */
	h_bfc(&H, ESTAT, ESTAT_TXABRT);
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_TXABRT, 0);
	h_tx_send(&H, 0, F, n);
	h_wait(&H, 1000000);
	ck_assert_uint_eq(H.ntx, 1);
	ck_assert_uint_eq(model_diag_count(H.m), 0);
}
END_TEST

START_TEST(test_back_to_back_frames)
{
	ready();
	size_t n = h_frame(F, h_peer, h_mac, 0x0800, 46) - 4;
	for (unsigned i = 0; i < 5; i++) {
		h_tx_send(&H, 0, F, n);
		while (h_rcr(&H, ECON1) & ECON1_TXRTS)
			H.t += 1000;
	}
	ck_assert_uint_eq(H.ntx, 5);
	for (unsigned i = 1; i < 5; i++)
		ck_assert_uint_ge(H.tx[i].start, H.tx[i - 1].end);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_tx");
	TCase *tc = tcase_create("tx");
	tcase_add_test(tc, test_tsv_and_timing_exact);
	tcase_add_test(tc, test_short_broadcast_padded_to_60);
	tcase_add_test(tc, test_padding_modes);
	tcase_add_test(tc, test_host_fcs_checked);
	tcase_add_test(tc, test_giant_aborts_unless_huge);
	tcase_add_test(tc, test_txrst_drops_pending_frame);
	tcase_add_test(tc, test_clearing_txrts_cancels);
	tcase_add_test(tc, test_back_to_back_frames);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
