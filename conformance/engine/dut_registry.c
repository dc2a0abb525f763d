/*
 * dut_registry.c - the DUT adapters `synack run --dut NAME` can choose.
 *
 * One line per built-in adapter. Adapters live in
 * conformance/engine/dut_<name>.c and export `const struct dut_ops
 * dut_<name>_ops`. `board:PATH.so` is not a fixed adapter: it loads a
 * user's firmware (dut_board.c) and names the adapter after it;
 * `avr:IMAGE.elf` runs a firmware image in simavr (dut_avr.c).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"

extern const struct dut_ops dut_sim_ops;
extern const struct dut_ops dut_tap_ops;

static const struct dut_ops *const ADAPTERS[] = {
	&dut_sim_ops,
	&dut_tap_ops,
};

#define BOARD_PREFIX "board:"
#define AVR_PREFIX "avr:"

const struct dut_ops *engine_dut_lookup(const char *spec, char *err, size_t errcap)
{
	if (strncmp(spec, BOARD_PREFIX, strlen(BOARD_PREFIX)) == 0)
		return dut_board_load(spec + strlen(BOARD_PREFIX), err, errcap);
	if (strncmp(spec, AVR_PREFIX, strlen(AVR_PREFIX)) == 0) {
#ifdef SYNACK_HAVE_AVR
		return dut_avr_load(spec + strlen(AVR_PREFIX), err, errcap);
#else
		snprintf(err, errcap, "%s: this synack was built without simavr (install libsimavr-dev and rebuild)", spec);
		return NULL;
#endif
	}
	for (size_t i = 0; i < sizeof ADAPTERS / sizeof ADAPTERS[0]; i++)
		if (strcmp(ADAPTERS[i]->name, spec) == 0)
			return ADAPTERS[i];
	snprintf(err, errcap, "expected one of %s, got '%s'", engine_dut_names(), spec);
	return NULL;
}

/* Finds, never loads: loading a firmware first unloads the one running, so
 * asking for the running board's adapter by its name ("board:libfw.so")
 * must hand that adapter back rather than reload it. */
const struct dut_ops *engine_find_dut(const char *name)
{
	for (size_t i = 0; i < sizeof ADAPTERS / sizeof ADAPTERS[0]; i++)
		if (strcmp(ADAPTERS[i]->name, name) == 0)
			return ADAPTERS[i];
	return dut_board_loaded(name);
}

const struct dut_ops *engine_dut_at(size_t i)
{
	return i < sizeof ADAPTERS / sizeof ADAPTERS[0] ? ADAPTERS[i] : NULL;
}

const char *engine_dut_names(void)
{
	return "sim, tap, board:PATH.so, avr:IMAGE.elf";
}
