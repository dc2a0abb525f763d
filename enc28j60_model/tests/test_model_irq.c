/*
 * test_model_irq.c - the INT pin (DS39662E 12.0): level follows
 * INTIE && (EIE & EIR), ESTAT.INT mirrors it, each change is reported with
 * its time, and re-enabling INTIE with flags pending asserts again.
 */
#include "model_test.h"

static struct harness H;
static uint8_t F[256];

static void ready(void)
{
	h_init(&H, NULL);
	h_driver_init(&H);
}

START_TEST(test_pktif_asserts_int)
{
	ready();
	h_wcr(&H, EIE, EIE_INTIE | EIE_PKTIE);
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46);
	H.t += 5000;
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert(H.int_level);
	ck_assert_uint_eq(H.int_edges, 1);
	ck_assert_uint_eq(H.int_t, H.t);
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_INT, ESTAT_INT);
	/* Releasing the packet deasserts. */
	h_rx_release(&H, 0x46);
	ck_assert(!H.int_level);
	ck_assert_uint_eq(h_rcr(&H, ESTAT) & ESTAT_INT, 0);
}
END_TEST

START_TEST(test_intie_reenable_reasserts)
{
	ready();
	h_wcr(&H, EIE, EIE_INTIE | EIE_PKTIE);
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert_uint_eq(H.int_edges, 1);
	/* Linux-style handler: clear INTIE, work, set INTIE again. */
	h_bfc(&H, EIE, EIE_INTIE);
	ck_assert(!H.int_level);
	ck_assert(model_wire_rx(H.m, F, n, H.t)); /* flag set while masked */
	ck_assert(!H.int_level);
	h_bfs(&H, EIE, EIE_INTIE);
	ck_assert(H.int_level);
	ck_assert_uint_eq(H.int_edges, 2);
}
END_TEST

START_TEST(test_disabled_sources_do_not_assert)
{
	ready();
	h_wcr(&H, EIE, EIE_INTIE | EIE_TXIE);
	size_t n = h_frame(F, h_mac, h_peer, 0x0800, 46);
	ck_assert(model_wire_rx(H.m, F, n, H.t));
	ck_assert(!H.int_level);
	/* TX completion asserts at the completion time. */
	h_tx_send(&H, 0, F, n - 4);
	uint64_t end = model_next_deadline(H.m);
	h_wait(&H, 1000000);
	ck_assert(H.int_level);
	ck_assert_uint_eq(H.int_t, end);
	h_bfc(&H, EIR, EIR_TXIF);
	ck_assert(!H.int_level);
	ck_assert_uint_eq(H.int_changes, 2);
}
END_TEST

START_TEST(test_software_can_clear_flags_only_where_allowed)
{
	ready();
	h_wcr(&H, EIR, 0xFF);
	/* PKTIF and LINKIF are not host-writable. */
	ck_assert_uint_eq(h_rcr(&H, EIR), EIR_DMAIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF);
	h_wcr(&H, EIR, 0);
	ck_assert_uint_eq(h_rcr(&H, EIR), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_irq");
	TCase *tc = tcase_create("irq");
	tcase_add_test(tc, test_pktif_asserts_int);
	tcase_add_test(tc, test_intie_reenable_reasserts);
	tcase_add_test(tc, test_disabled_sources_do_not_assert);
	tcase_add_test(tc, test_software_can_clear_flags_only_where_allowed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_run(suite());
}
