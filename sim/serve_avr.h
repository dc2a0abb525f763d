/*
 * serve_avr.h - an AVR image in simavr as the board of `synack serve`
 * (--firmware IMAGE.elf): sim/avr_host.h runs the exact ELF with the
 * ENC28J60 model on its pins, and this file speaks to the image's UART test
 * agent (firmware/README.md) only to give it serve's address.
 *
 *   serve_board_open(SERVE_BOARD_AVR) -> serve_avr_open: the ELF, power-on
 *   serve_board_run_until -> serve_avr_run_until -> sim_avr_run_until
 *     uart: "! ready 2 ..." -> "ip 10.0.2.15 255.255.255.0 10.0.2.2" -> "ok"
 *
 * The image keeps its own services (echo on 8888, HTTP on 80) and its own
 * MAC (a build option; serve reads it back from the chip's MAADR). It is
 * ready to serve once the agent took the address and the chip receives.
 * The agent counts what it receives instead of keeping it (a 2 KB part has
 * no room for a socket buffer), so serve's --connect client, which checks
 * every byte that comes back, cannot run on it.
 */
#ifndef SIM_SERVE_AVR_H
#define SIM_SERVE_AVR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc28j60_model.h"
#include "link.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

struct serve_avr;

/* Read the ELF and power it on at the simulation's current time, its wire
 * on link l. NULL with the reason in err (no such file, not an AVR ELF,
 * this synack built without simavr). */
struct serve_avr *serve_avr_open(struct sim *s, struct sim_link *l, const char *path, uint32_t ip,
				 uint32_t netmask, uint32_t gateway, char *err, size_t errcap);
void serve_avr_free(struct serve_avr *a); /* after sim_free() */

/* Run the image and the simulation to absolute time `until`. Returns 0, or
 * -1 when the CPU stopped or the agent refused the address (why: the
 * reason). */
int serve_avr_run_until(struct serve_avr *a, uint64_t until);
/* The agent took serve's address. */
bool serve_avr_configured(const struct serve_avr *a);
/* Why it stopped ("" while it runs). */
const char *serve_avr_why(const struct serve_avr *a);
struct enc_model *serve_avr_model(struct serve_avr *a);
struct sim_port *serve_avr_port(struct serve_avr *a);

#ifdef __cplusplus
}
#endif
#endif /* SIM_SERVE_AVR_H */
