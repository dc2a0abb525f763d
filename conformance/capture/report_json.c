/*
 * report_json.c - `synack explain --json`: JSON Lines, streamed.
 *
 * Three kinds of object, told apart by "record":
 *   "segment"       one per explained segment, as soon as it is explained:
 *                   frame, conversation, sender, receiver, kind, rule, refs,
 *                   caused_by (a frame or null), state, field, text, also
 *                   (further rules for the same segment), expected (what the
 *                   sender should have sent, for a fault of its stack)
 *   "conversation"  one per TCP conversation, when it ends
 *   "summary"       the last line: the file, the traffic that is not TCP,
 *                   where the capture was taken, and the error that stopped
 *                   the reading (or null)
 * The schema is documented in conformance/capture/README.md; its field
 * names and the rule ids are stable.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "report.h"

struct report_json {
	FILE *out;
	struct report_file f;
};

void report_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void refs(FILE *out, const struct xp_rule *r)
{
	fputc('[', out);
	for (int i = 0; i < XP_MAX_REFS && r->refs[i]; i++) {
		if (i)
			fputc(',', out);
		report_json_str(out, r->refs[i]);
	}
	fputc(']', out);
}

static void caused(FILE *out, uint64_t f)
{
	if (f)
		fprintf(out, "%" PRIu64, f);
	else
		fputs("null", out);
}

static void j_note(void *ctx, const struct xp_conv_info *c, const struct xp_note *n)
{
	struct report_json *j = ctx;
	FILE *o = j->out;
	(void)c;
	fprintf(o, "{\"record\":\"segment\",\"frame\":%" PRIu64 ",\"conversation\":%u,\"sender\":", n->frame, n->conv);
	report_json_str(o, n->sender);
	fputs(",\"receiver\":", o);
	report_json_str(o, n->receiver);
	fputs(",\"kind\":", o);
	report_json_str(o, n->rule->kind);
	fputs(",\"rule\":", o);
	report_json_str(o, n->rule->id);
	fputs(",\"refs\":", o);
	refs(o, n->rule);
	fputs(",\"caused_by\":", o);
	caused(o, n->caused_by);
	fputs(",\"state\":", o);
	report_json_str(o, n->state);
	fputs(",\"field\":", o);
	if (n->field)
		report_json_str(o, n->field);
	else
		fputs("null", o);
	fputs(",\"text\":", o);
	report_json_str(o, n->text);
	fputs(",\"also\":[", o);
	for (size_t i = 0; i < n->n_also; i++) {
		const struct xp_note *a = &n->also[i];
		fputs(i ? ",{\"kind\":" : "{\"kind\":", o);
		report_json_str(o, a->rule->kind);
		fputs(",\"rule\":", o);
		report_json_str(o, a->rule->id);
		fputs(",\"refs\":", o);
		refs(o, a->rule);
		fputs(",\"caused_by\":", o);
		caused(o, a->caused_by);
		fputs(",\"text\":", o);
		report_json_str(o, a->text);
		fputc('}', o);
	}
	fputs("],\"expected\":", o);
	if (n->has_expected) {
		char fl[12];
		engine_flags_str(n->exp_flags, fl);
		fputs("{\"flags\":", o);
		report_json_str(o, fl);
		fprintf(o, ",\"seq\":%u,\"ack\":%u}", n->exp_seq, n->exp_ack);
	} else {
		fputs("null", o);
	}
	fputs("}\n", o);
}

static void j_conv_end(void *ctx, const struct xp_conv_info *c)
{
	struct report_json *j = ctx;
	FILE *o = j->out;
	fprintf(o, "{\"record\":\"conversation\",\"conversation\":%u,\"endpoints\":[", c->id);
	report_json_str(o, c->name[0]);
	fputc(',', o);
	report_json_str(o, c->name[1]);
	fputs("],\"client\":", o);
	if (c->client >= 0)
		report_json_str(o, c->name[c->client]);
	else
		fputs("null", o);
	fputs(",\"server\":", o);
	if (c->client >= 0)
		report_json_str(o, c->name[1 - c->client]);
	else
		fputs("null", o);
	fprintf(o, ",\"first_frame\":%" PRIu64 ",\"last_frame\":%" PRIu64 ",\"frames\":%" PRIu64
		",\"midstream\":%s,\"states\":[",
		c->first_frame, c->last_frame, c->frames, c->midstream ? "true" : "false");
	report_json_str(o, xp_state_name(c->state[0]));
	fputc(',', o);
	report_json_str(o, xp_state_name(c->state[1]));
	fputs("],\"unknowns\":", o);
	if (c->unknowns)
		report_json_str(o, c->unknowns);
	else
		fputs("null", o);
	fputs("}\n", o);
}

static const struct xp_sink JSON_SINK = {NULL, NULL, j_note, j_conv_end};

const struct xp_sink *report_json_sink(void)
{
	return &JSON_SINK;
}

struct report_json *report_json_new(FILE *out, const struct report_file *f)
{
	struct report_json *j = calloc(1, sizeof *j);
	if (j == NULL)
		return NULL;
	j->out = out;
	j->f = *f;
	return j;
}

void report_json_finish(struct report_json *j, const struct xp_summary *s, const char *error)
{
	FILE *o = j->out;
	fputs("{\"record\":\"summary\",\"file\":", o);
	report_json_str(o, j->f.path);
	fputs(",\"format\":", o);
	report_json_str(o, j->f.format);
	fputs(",\"linktype\":", o);
	report_json_str(o, j->f.linktype);
	fprintf(o,
		",\"nanoseconds\":%s,\"frames\":%" PRIu64 ",\"tcp\":%" PRIu64 ",\"arp\":%" PRIu64 ",\"udp\":%" PRIu64
		",\"icmp\":%" PRIu64 ",\"fragments\":%" PRIu64 ",\"ip_other\":%" PRIu64 ",\"non_ip\":%" PRIu64
		",\"conversations\":%" PRIu64 ",\"explained\":%" PRIu64 ",\"open_max\":%" PRIu64
		",\"checksum_offload\":%" PRIu64 ",\"capture_point\":",
		j->f.nanoseconds ? "true" : "false", s->frames, s->tcp, s->arp, s->udp, s->icmp, s->fragments,
		s->ip_other, s->non_ip, s->conversations, s->notes, s->open_max, s->csum_offload);
	report_json_str(o, s->capture_point);
	fputs(",\"error\":", o);
	if (error)
		report_json_str(o, error);
	else
		fputs("null", o);
	fputs("}\n", o);
}

void report_json_free(struct report_json *j)
{
	free(j);
}
