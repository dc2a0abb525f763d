/*
 * check.c - checks of a parsed script against what the parser cannot know
 * by itself: the counter names a `counter` statement may use belong to the
 * stacks under test (our stack's core/net/net_stats.h, the tap adapter's own,
 * the Linux kernel's MIB), so the script layer takes them from its caller
 * (engine_check_options() -> engine_counter_problem()) instead of
 * depending on any of them.
 *
 *   script_parse_*() -> script_check_counters(s, problem, ctx, err)
 *                         -> problem(name) per counter statement
 */
#include <stdio.h>

#include "script.h"

enum script_status script_check_counters(const struct script *s, script_counter_problem problem,
					 void *ctx, struct script_error *err)
{
	for (const struct script_event *ev = s->events; ev != NULL; ev = ev->next) {
		if (ev->kind != SCRIPT_EV_COUNTER)
			continue;
		const struct script_counter_assert *c = &ev->u.counter;
		char buf[sizeof err->message];
		const char *why = problem(c->name, buf, sizeof buf, ctx);
		if (why == NULL)
			continue;
		err->loc = c->name_loc;
		snprintf(err->message, sizeof err->message, "%s", why);
		snprintf(err->text, sizeof err->text, "%s:%d:%d: %s", s->path, c->name_loc.line,
			 c->name_loc.col, err->message);
		return SCRIPT_ERR_PARSE;
	}
	return SCRIPT_OK;
}
