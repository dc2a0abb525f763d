// public_headers.cpp - every public header of synack, included from one C++
// translation unit, and the C libraries called through them.
//
// C++ ENC28J60 drivers (EtherCard, UIPEthernet) and C++ test benches include
// the model, the simulator and the core headers directly. Each header wraps
// its declarations in extern "C", so the calls below link against the C
// libraries; without the guard the names would be mangled and the link
// would fail. The program then checks that the calls work: the chip model
// answers on raw SPI, a checksum, a simulated pair of boards running our
// driver, a node running our stack with the echo server. Exit status 0 =
// all well.
#include <cstdio>
#include <memory>
#include <string_view>
#include <vector>

#include "enc28j60_model.h"

#include "enc28j60.h"
#include "enc28j60_hw.h"
#include "enc28j60_netdev.h"
#include "enc28j60_priv.h"
#include "hal.h"
#include "net.h"
#include "net_internal.h"
#include "net_opts.h"
#include "net_stats.h"
#include "net_time.h"
#include "netdev.h"
#include "tcp.h"
#include "tcp_seq.h"
#include "udp_api.h"

#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"
#include "wire/wire.h"

#include "apps/echo_server.h"
#include "apps/http_status.h"

#include "board.h"
#include "link.h"
#include "node.h"
#include "outfile.h"
#include "pair.h"
#include "pcap_tap.h"
#include "sim.h"
#include "spi_glue.h"

#include "dut.h"

static int failures;

static void check(bool ok, const char *what)
{
	if (!ok) {
		std::fprintf(stderr, "public_headers: FAIL: %s\n", what);
		failures++;
	}
}

// Raw SPI to the model, as a C++ driver would clock it.
static uint8_t rcr(enc_model *m, uint8_t addr, uint64_t t)
{
	model_spi_select(m, true, t);
	model_spi_xfer(m, static_cast<uint8_t>(ENC_OP_RCR | addr), t);
	uint8_t v = model_spi_xfer(m, 0, t);
	model_spi_select(m, false, t);
	return v;
}

static void wcr(enc_model *m, uint8_t addr, uint8_t v, uint64_t t)
{
	model_spi_select(m, true, t);
	model_spi_xfer(m, static_cast<uint8_t>(ENC_OP_WCR | addr), t);
	model_spi_xfer(m, v, t);
	model_spi_select(m, false, t);
}

extern "C" {
static void start_echo(sim_node *n, void *ctx)
{
	check(echo_server_start(static_cast<echo_server *>(ctx), &n->stack, ECHO_PORT) == 0, "echo_server_start");
}
}

int main()
{
	// The model alone: EREVID in bank 3 once the oscillator is ready.
	std::vector<unsigned char> mem(model_sizeof());
	model_config mc{};
	mc.link_up = true;
	enc_model *m = model_init(mem.data(), &mc, nullptr, 0);
	check(m != nullptr, "model_init");
	wcr(m, ENC_REG_ADDR(ECON1), 3, NET_MS(1));
	check(rcr(m, ENC_REG_ADDR(EREVID), NET_MS(1)) == ENC_EREVID_B7, "EREVID reads B7");
	check(model_diag_count(m) == 0, "no checker diagnostics");

	// A codec: the datasheet's checksum example (DS39662E 13.2).
	const uint8_t bytes[3] = {0x89, 0xAB, 0xCD};
	check(wire_checksum(bytes, sizeof bytes) == 0xA953u, "wire_checksum");

	// Two boards running our driver over a link, frames echoed.
	auto pair = std::make_unique<sim_pair>();
	sim_pair_config pc{};
	pc.seed = 1;
	pc.frames = 50;
	pc.size = 100;
	char err[256] = "";
	check(sim_pair_init(pair.get(), &pc, err, sizeof err) == 0, "sim_pair_init");
	check(sim_pair_run(pair.get()), "sim_pair_run passes");
	check(pair->na.echoed == 50, "50 frames echoed");
	check(sim_pair_free(pair.get(), err, sizeof err) == 0, "sim_pair_free");

	// A node running our stack and the echo server boots on a link.
	sim s{};
	check(sim_init(&s, 7, 0) == 0, "sim_init");
	sim_link link{};
	check(sim_link_init(&link, &s, nullptr) == 0, "sim_link_init");
	auto node = std::make_unique<sim_node>();
	echo_server echo{};
	sim_node_config nc{};
	sim_node_config_defaults(&nc, &s, "cxx", 2);
	nc.on_boot = start_echo;
	nc.app_ctx = &echo;
	check(sim_node_init(node.get(), &s, &nc) == 0, "sim_node_init");
	check(sim_node_start(node.get(), &link, 0) == 0, "sim_node_start");
	sim_run_until(&s, NET_MS(50), 0);
	check(node->booted && node->init_rc == ENC_OK, "node booted");
	// The foreign-driver glue over the node's board: its CPU clock has run
	// through the driver's bring-up (its 1 ms wait after the reset at least).
	sim_spi_glue glue{};
	sim_spi_glue_init(&glue, &node->board);
	check(sim_spi_glue_micros(&glue) >= 1000u, "the board's clock through the glue");
	check(std::string_view(tcp_state_name(TCP_LISTEN)).size() > 0, "tcp_state_name");
	sim_free(&s);
	sim_node_free(node.get());
	sim_link_free(&link);

	// A DUT adapter can be declared from C++.
	dut_ops ops{};
	ops.name = "cxx";
	check(ops.virtual_time == false, "dut_ops value-initialised");

	if (failures == 0)
		std::printf("public_headers: all public headers usable from C++\n");
	return failures == 0 ? 0 : 1;
}
