/*
 * dut_registry.c - the DUT adapters `synack run --dut NAME` can choose.
 *
 * One line per adapter. Adapters live in conformance/engine/dut_<name>.c
 * and export `const struct dut_ops dut_<name>_ops` (declared in
 * dut_<name>.h). The tap adapter (the Linux kernel in a network namespace)
 * is listed when its header is in the tree.
 */
#include <stddef.h>
#include <string.h>

#include "engine.h"

extern const struct dut_ops dut_sim_ops;
extern const struct dut_ops dut_tap_ops;

static const struct dut_ops *const ADAPTERS[] = {
	&dut_sim_ops,
	&dut_tap_ops,
};

const struct dut_ops *engine_find_dut(const char *name)
{
	for (size_t i = 0; i < sizeof ADAPTERS / sizeof ADAPTERS[0]; i++)
		if (strcmp(ADAPTERS[i]->name, name) == 0)
			return ADAPTERS[i];
	return NULL;
}

const struct dut_ops *engine_dut_at(size_t i)
{
	return i < sizeof ADAPTERS / sizeof ADAPTERS[0] ? ADAPTERS[i] : NULL;
}

const char *engine_dut_names(void)
{
	return "sim, tap";
}
