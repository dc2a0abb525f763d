/*
 * fuzz_script.c - the script parser, with the round-trip check: whatever
 * parses is dumped, the dump must parse again, and its dump must be the
 * same text (conformance/script/dump.c promises this fixed point). A parse
 * error is a normal outcome; the message must then name the place
 * ("path:line:col: ...").
 */
#include <string.h>

#include "fuzz.h"
#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script *s = NULL, *s2 = NULL;
	struct script_error e;
	if (size > SCRIPT_MAX_BYTES + 16u)
		return 0;
	enum script_status st = script_parse_string("in.pkt", (const char *)data, size, &s, &e);
	if (st != SCRIPT_OK) {
		FUZZ_CHECK(st == SCRIPT_ERR_PARSE, "status %d", (int)st);
		FUZZ_CHECK(strncmp(e.text, "in.pkt:", 7) == 0 && e.loc.line >= 0, "message '%s'", e.text);
		return 0;
	}
	char *d1 = script_dump(s);
	FUZZ_CHECK(d1 != NULL, "dump failed");
	st = script_parse_string("dump.pkt", d1, strlen(d1), &s2, &e);
	FUZZ_CHECK(st == SCRIPT_OK, "the dump does not parse: %s\n--- dump:\n%s", e.text, d1);
	char *d2 = script_dump(s2);
	FUZZ_CHECK(d2 != NULL, "second dump failed");
	FUZZ_CHECK(strcmp(d1, d2) == 0, "the dump is not a fixed point\n--- dump 1:\n%s--- dump 2:\n%s", d1, d2);
	FUZZ_CHECK(s->n_events == s2->n_events && s->n_options == s2->n_options, "%zu/%zu events, %zu/%zu options",
		   s->n_events, s2->n_events, s->n_options, s2->n_options);
	free(d1);
	free(d2);
	script_free(s);
	script_free(s2);
	return 0;
}
