/*
 * test_model_filters.c - receive filters (DS39662E 8.0): promiscuous,
 * unicast, broadcast, multicast, AND/OR, CRC, pattern match as EtherCard
 * programs it for ARP, hash table (bits 28:23 of the destination CRC) and
 * magic packet.
 */
#include "model_test.h"

static struct harness H;
static uint8_t F[2048];
static const uint8_t mcast[6] = {0x01, 0x00, 0x5E, 0x01, 0x02, 0x03};

static void ready(uint8_t erxfcon)
{
	h_init(&H, NULL);
	h_driver_init(&H);
	h_wcr(&H, ERXFCON, erxfcon);
}

static bool rx(const uint8_t *dst, uint16_t type, size_t payload)
{
	size_t n = h_frame(F, dst, h_peer, type, payload);
	return model_wire_rx(H.m, F, n, H.t);
}

START_TEST(test_promiscuous)
{
	ready(0);
	ck_assert(rx(h_peer, 0x0800, 46));
	ck_assert(rx(mcast, 0x0800, 46));
	ck_assert(rx(h_mac, 0x0800, 46));
}
END_TEST

START_TEST(test_default_unicast_broadcast)
{
	ready(ENC_RESET_ERXFCON); /* UCEN | CRCEN | BCEN */
	ck_assert(rx(h_mac, 0x0800, 46));
	ck_assert(rx(h_bcast, 0x0806, 46));
	ck_assert(!rx(h_peer, 0x0800, 46));
	ck_assert(!rx(mcast, 0x0800, 46));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_filter, 2);
}
END_TEST

START_TEST(test_multicast_filter)
{
	ready(ERXFCON_MCEN);
	ck_assert(rx(mcast, 0x0800, 46));
	ck_assert(rx(h_bcast, 0x0800, 46)); /* LSb of the first byte is set */
	ck_assert(!rx(h_mac, 0x0800, 46));
}
END_TEST

START_TEST(test_and_mode)
{
	ready(ERXFCON_ANDOR | ERXFCON_UCEN | ERXFCON_BCEN);
	ck_assert(!rx(h_mac, 0x0800, 46));
	ck_assert(!rx(h_bcast, 0x0800, 46));
	ready(ERXFCON_ANDOR | ERXFCON_MCEN | ERXFCON_BCEN);
	ck_assert(rx(h_bcast, 0x0800, 46));
	ck_assert(!rx(mcast, 0x0800, 46));
}
END_TEST

/* EtherCard/UIPEthernet: EPMM0 = 0x3F, EPMM1 = 0x30, EPMCS = 0xF7F9: the
 * broadcast destination (bytes 0-5) plus EtherType 0x0806 (bytes 12-13). */
static void ethercard_pattern(void)
{
	h_wr16(&H, EPMOL, 0);
	h_wcr(&H, EPMM0, 0x3F);
	h_wcr(&H, EPMM1, 0x30);
	for (enc_reg_t r = EPMM2; r <= EPMM7; r++)
		h_wcr(&H, r, 0);
	h_wr16(&H, EPMCSL, 0xF7F9);
}

START_TEST(test_pattern_match_accepts_arp_broadcast)
{
	ready(ERXFCON_UCEN | ERXFCON_CRCEN | ERXFCON_PMEN);
	ethercard_pattern();
	ck_assert(rx(h_bcast, 0x0806, 28)); /* 42-byte ARP, padded to 60 */
	ck_assert(!rx(h_bcast, 0x0800, 28)); /* IPv4 broadcast */
	ck_assert(!rx(h_peer, 0x0806, 28));  /* ARP for someone else */
	ck_assert(rx(h_mac, 0x0800, 46));    /* unicast still accepted (OR) */
	/* A window that runs past the end of the CRC never matches. */
	h_wr16(&H, EPMOL, 8);
	ck_assert(!rx(h_bcast, 0x0806, 28));
}
END_TEST

/* Independent oracle for the hash: the MSB-first CRC register, data bits
 * fed LSB first, no final inversion; index = bits 28:23. */
static unsigned oracle_hash(const uint8_t *d)
{
	uint32_t crc = 0xFFFFFFFFu;
	for (unsigned i = 0; i < 6; i++)
		for (unsigned j = 0; j < 8; j++)
			crc = (((crc >> 31) ^ (d[i] >> j)) & 1u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	return (crc >> 23) & 0x3Fu;
}

/* The FCS: IEEE 802.3 CRC-32, reflected, bit by bit (an oracle for the
 * table and slicing code in filter.c), over every length that exercises
 * the eight-byte slices and the byte tail, and the standard check value. */
static uint32_t oracle_crc32(const uint8_t *d, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		crc ^= d[i];
		for (unsigned j = 0; j < 8; j++)
			crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
	}
	return ~crc;
}

START_TEST(test_fcs_crc32)
{
	uint8_t d[200];
	uint32_t x = 12345u;
	for (size_t i = 0; i < sizeof d; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (uint8_t)(x >> 16);
	}
	for (size_t n = 0; n <= sizeof d - 3; n++)
		for (size_t off = 0; off < 3; off++)
			ck_assert_uint_eq(model_crc32(d + off, n), oracle_crc32(d + off, n));
	ck_assert_uint_eq(model_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
}
END_TEST

START_TEST(test_hash_table)
{
	ready(ERXFCON_HTEN);
	unsigned h = oracle_hash(mcast);
	ck_assert(!rx(mcast, 0x0800, 46));
	h_wcr(&H, (enc_reg_t)(EHT0 + h / 8), (uint8_t)(1u << (h % 8)));
	ck_assert(rx(mcast, 0x0800, 46));
	/* Another address, hashed elsewhere, is not accepted. */
	uint8_t other[6] = {0x01, 0x00, 0x5E, 0x7F, 0x00, 0x00};
	for (uint8_t k = 0; oracle_hash(other) == h; k++)
		other[5] = k;
	ck_assert(!rx(other, 0x0800, 46));
	for (enc_reg_t r = EHT0; r <= EHT7; r++)
		h_wcr(&H, r, 0xFF);
	ck_assert(rx(other, 0x0800, 46));
	ck_assert(rx(h_peer, 0x0800, 46));
}
END_TEST

START_TEST(test_magic_packet)
{
	ready(ERXFCON_MPEN);
	size_t n = h_frame(F, h_mac, h_peer, 0x0842, 120);
	memset(F + 14 + 7, 0xFF, 6);
	for (unsigned r = 0; r < 16; r++)
		memcpy(F + 14 + 13 + 6 * r, h_mac, 6);
	h_put_le32(F + n - 4, model_crc32(F, n - 4));
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	F[14 + 13 + 6 * 15] ^= 1; /* break the last repeat */
	h_put_le32(F + n - 4, model_crc32(F, n - 4));
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
}
END_TEST

START_TEST(test_crcen_filters_before_others)
{
	ready(ERXFCON_CRCEN);
	size_t n = h_frame(F, h_peer, h_peer, 0x0800, 46);
	ck_assert(model_wire_rx(H.m, F, n, H.t)); /* CRCEN alone: promiscuous */
	F[n - 1] ^= 1;
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_crc, 1);
}
END_TEST

START_TEST(test_control_frames_need_passall)
{
	ready(0);
	static const uint8_t pause_dst[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01};
	size_t n = h_frame(F, pause_dst, h_peer, 0x8808, 46);
	F[14] = 0x00;
	F[15] = 0x01;
	h_put_le32(F + n - 4, model_crc32(F, n - 4));
	ck_assert(!model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_get_stats(H.m)->rx_dropped_control, 1);
	h_bfs(&H, MACON1, MACON1_PASSALL);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(model_peek_mem(H.m, 5) & 0x18u, 0x18u); /* control + pause (bits 27, 28) */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_filters");
	TCase *tc = tcase_create("filters");
	tcase_add_test(tc, test_promiscuous);
	tcase_add_test(tc, test_default_unicast_broadcast);
	tcase_add_test(tc, test_multicast_filter);
	tcase_add_test(tc, test_and_mode);
	tcase_add_test(tc, test_pattern_match_accepts_arp_broadcast);
	tcase_add_test(tc, test_hash_table);
	tcase_add_test(tc, test_magic_packet);
	tcase_add_test(tc, test_crcen_filters_before_others);
	tcase_add_test(tc, test_fcs_crc32);
	tcase_add_test(tc, test_control_frames_need_passall);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
