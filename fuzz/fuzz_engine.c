/*
 * fuzz_engine.c - a whole script through the conformance engine against
 * the sim DUT (our stack and driver on the chip model, virtual time), as
 * `synack run --dut sim` runs it: parse, check the option lines and
 * counter names, pick the RFC profiles the script's header asks for, run,
 * and draw the ladder of a failure. A script that does not parse or whose
 * options are refused is a normal outcome; the message must name the place.
 *
 * Checked: the engine always produces a verdict; a failing or unsupported
 * script says why ("file:line: ..."); the ladder of any result draws.
 */
#include <string.h>

#include "engine.h"
#include "fuzz.h"
#include "script.h"

static uint8_t profile_for(const struct script *s)
{
	uint8_t p = DUT_PROFILE_RFC5961;
	const enum script_profile_value v[3] = {s->header.rfc5961, s->header.rfc1337, s->header.timewait_recycle};
	const uint8_t bit[3] = {DUT_PROFILE_RFC5961, DUT_PROFILE_RFC1337, DUT_PROFILE_TW_RECYCLE};
	for (int i = 0; i < 3; i++) {
		if (v[i] == SCRIPT_PROFILE_ON)
			p = (uint8_t)(p | bit[i]);
		else if (v[i] == SCRIPT_PROFILE_OFF)
			p = (uint8_t)(p & ~bit[i]);
	}
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
		return 0;
	if (size > 64u * 1024u)
		return 0; /* the engine's cost grows with the script: keep runs short */
	struct script *s = NULL;
	struct script_error e;
	if (script_parse_string("in.pkt", (const char *)data, size, &s, &e) != SCRIPT_OK) {
		FUZZ_CHECK(strncmp(e.text, "in.pkt:", 7) == 0, "parse message '%s'", e.text);
		return 0;
	}
	struct engine_options o;
	engine_options_defaults(&o);
	o.dut_ops = engine_find_dut("sim");
	FUZZ_CHECK(o.dut_ops != NULL, "no sim adapter");
	o.profile = profile_for(s);
	char err[600];
	if (!engine_check_options(s, &o, err, sizeof err)) {
		FUZZ_CHECK(strncmp(err, "in.pkt:", 7) == 0, "option message '%s'", err);
		script_free(s);
		return 0;
	}
	char why[400];
	if (engine_skip_reason(s, &o, why, sizeof why) != NULL) {
		script_free(s);
		return 0;
	}
	struct engine_result r;
	engine_run(s, &o, &r);
	FUZZ_CHECK(r.verdict >= ENGINE_PASS && r.verdict <= ENGINE_ERROR, "verdict %d", (int)r.verdict);
	if (r.verdict == ENGINE_FAIL || r.verdict == ENGINE_UNSUPPORTED)
		FUZZ_CHECK(r.messages != NULL && r.messages[0] != '\0', "%s without a message",
			   engine_verdict_name(r.verdict));
	engine_ladder(&r, s, sink);
	engine_result_free(&r);
	script_free(s);
	return 0;
}
