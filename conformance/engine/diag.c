/*
 * diag.c - the chip model's checker diagnostics as the report prints them.
 *
 *   dut_sim / dut_board .diagnostics -> engine_model_diagnostics(model)
 *     -> engine_run keeps the text in engine_result.diagnostics
 *     -> synack run prints it under the script's result ("checker: ...")
 *
 * A driver that breaks a rule usually breaks it on every frame (an even
 * ERXRDPT after each packet, say), so the text has one line per rule: the
 * first occurrence in the checker's own words (virtual time, rule id,
 * datasheet or errata reference, register, what to do instead) and the
 * count. Rules are listed in the order they were first broken. The model
 * keeps the first MODEL_DIAG_MAX records in full and only counts the rest,
 * so a rule first broken after that is listed by id, reference and count.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "enc28j60_model.h"

/* Appends one line; returns the new length (cut at cap). */
static size_t put_line(char *buf, size_t cap, size_t len, const char *line, unsigned times)
{
	if (len + 1 >= cap)
		return len;
	int n = times > 1 ? snprintf(buf + len, cap - len, "%s (%u times)\n", line, times)
			  : snprintf(buf + len, cap - len, "%s\n", line);
	if (n < 0)
		return len;
	return (size_t)n < cap - len ? len + (size_t)n : cap - 1;
}

size_t engine_model_diagnostics(const struct enc_model *m, char *buf, size_t cap)
{
	bool listed[MODEL_RULE_COUNT] = {false};
	char line[320];
	size_t len = 0;
	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (m == NULL)
		return 0;
	const struct model_diag *d;
	for (unsigned i = 0; (d = model_diag_get(m, i)) != NULL; i++) {
		if ((unsigned)d->rule >= MODEL_RULE_COUNT || listed[d->rule])
			continue;
		listed[d->rule] = true;
		model_diag_format(d, line, sizeof line);
		len = put_line(buf, cap, len, line, model_diag_count_rule(m, d->rule));
	}
	for (unsigned r = 0; r < MODEL_RULE_COUNT; r++) {
		unsigned n = model_diag_count_rule(m, (enum model_rule)r);
		if (listed[r] || n == 0)
			continue;
		snprintf(line, sizeof line, "%s (%s): broken after the first %u diagnostics, not recorded in detail",
			 model_rule_id((enum model_rule)r), model_rule_ref((enum model_rule)r), MODEL_DIAG_MAX);
		len = put_line(buf, cap, len, line, n);
	}
	return len;
}
