/*
 * packet.c - segments between script space and the wire, for the runner,
 * the verifier and the ladder.
 *
 *   engine_build_inbound()  `<` event -> IPv4 + TCP datagram (core/wire codecs,
 *                           real checksums, options in the order written)
 *   engine_parse_seg()      datagram the DUT sent -> engine_seg (core/wire)
 *   engine_describe()       datagram -> "S. 0:0(0) ack 1 win 1024 <mss 536>"
 *
 * core/wire's tcp_emit() lays options out the Linux way, which is what the
 * stack wants; a script may write any order (and NOP, EOL, MD5, Fast Open),
 * so the option block here is encoded by hand from the script's list and
 * spliced behind a header emitted by tcp_emit().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

#define OPT_MD5 19u
#define OPT_FASTOPEN 34u
#define OPT_EXP 254u
#define FASTOPEN_EXP_MAGIC 0xF989u

static uint32_t to_wire_ack(const struct engine_map *m, uint32_t v, bool absolute)
{
	return (absolute || !m->dut_isn_known) ? v : v + m->dut_isn;
}

int engine_encode_options(const struct script_packet *p, const struct engine_map *m, bool inbound,
			  uint8_t out[SCRIPT_MAX_TCP_OPTIONS])
{
	size_t n = 0;
	memset(out, 0, SCRIPT_MAX_TCP_OPTIONS);
	for (uint8_t i = 0; i < p->n_options; i++) {
		const struct script_tcp_option *o = &p->options[i];
		uint8_t tmp[SCRIPT_MAX_TCP_OPTIONS];
		size_t k = 0;
		switch (o->kind) {
		case SCRIPT_OPT_EOL:
			tmp[k++] = TCP_OPT_EOL;
			break;
		case SCRIPT_OPT_NOP:
			tmp[k++] = TCP_OPT_NOP;
			break;
		case SCRIPT_OPT_MSS:
			tmp[k++] = TCP_OPT_MSS;
			tmp[k++] = 4;
			wire_put16(tmp + k, o->u.mss);
			k += 2;
			break;
		case SCRIPT_OPT_WSCALE:
			tmp[k++] = TCP_OPT_WSCALE;
			tmp[k++] = 3;
			tmp[k++] = o->u.wscale;
			break;
		case SCRIPT_OPT_SACK_PERMITTED:
			tmp[k++] = TCP_OPT_SACK_PERM;
			tmp[k++] = 2;
			break;
		case SCRIPT_OPT_SACK:
			/* At most 4 blocks fit in 40 option bytes (the parser caps
			 * it too; checked here so the copy below is bounded). */
			if (o->u.sack.n > (SCRIPT_MAX_TCP_OPTIONS - 2u) / 8u)
				return -1;
			tmp[k++] = TCP_OPT_SACK;
			tmp[k++] = (uint8_t)(2u + 8u * o->u.sack.n);
			for (uint8_t b = 0; b < o->u.sack.n && k + 8u <= sizeof tmp; b++) {
				uint32_t l = o->u.sack.block[b].left, r = o->u.sack.block[b].right;
				if (inbound) {
					l = to_wire_ack(m, l, false);
					r = to_wire_ack(m, r, false);
				}
				wire_put32(tmp + k, l);
				wire_put32(tmp + k + 4, r);
				k += 8;
			}
			break;
		case SCRIPT_OPT_TIMESTAMP:
			tmp[k++] = TCP_OPT_TS;
			tmp[k++] = 10;
			wire_put32(tmp + k, o->u.ts.val);
			wire_put32(tmp + k + 4, o->u.ts.ecr);
			k += 8;
			break;
		case SCRIPT_OPT_MD5:
			if (o->blob_name != NULL && o->u.blob.len == 0)
				return -1;
			tmp[k++] = OPT_MD5;
			tmp[k++] = 18;
			memcpy(tmp + k, o->u.blob.bytes, 16);
			k += 16;
			break;
		case SCRIPT_OPT_FASTOPEN:
			if (o->blob_name != NULL && o->u.blob.len == 0)
				return -1;
			tmp[k++] = OPT_FASTOPEN;
			tmp[k++] = (uint8_t)(2u + o->u.blob.len);
			memcpy(tmp + k, o->u.blob.bytes, o->u.blob.len);
			k += o->u.blob.len;
			break;
		case SCRIPT_OPT_FASTOPEN_EXP:
			if (o->blob_name != NULL && o->u.blob.len == 0)
				return -1;
			tmp[k++] = OPT_EXP;
			tmp[k++] = (uint8_t)(4u + o->u.blob.len);
			wire_put16(tmp + k, FASTOPEN_EXP_MAGIC);
			k += 2;
			memcpy(tmp + k, o->u.blob.bytes, o->u.blob.len);
			k += o->u.blob.len;
			break;
		}
		if (n + k > SCRIPT_MAX_TCP_OPTIONS)
			return -1;
		memcpy(out + n, tmp, k);
		n += k;
	}
	while (n % 4u)
		out[n++] = TCP_OPT_EOL;
	return (int)n;
}

int engine_build_inbound(const struct script_packet *p, const struct engine_map *m, uint16_t ip_id,
			 uint8_t *out, size_t cap, char *err, size_t errcap)
{
	uint8_t opts[SCRIPT_MAX_TCP_OPTIONS];
	int ol = engine_encode_options(p, m, true, opts);
	if (ol < 0) {
		snprintf(err, errcap, "TCP option given by a define's name cannot be encoded");
		return -1;
	}
	struct tcp_repr t;
	memset(&t, 0, sizeof t);
	t.src_port = p->ip.has_ports ? p->ip.src_port : m->peer_port;
	t.dst_port = p->ip.has_ports ? p->ip.dst_port : m->dut_port;
	bool abs_seq = p->seq_mode == SCRIPT_SEQ_ABSOLUTE;
	t.seq = (abs_seq || !m->peer_isn_known) ? p->seq_start : p->seq_start + m->peer_isn;
	t.ack = p->has_ack ? to_wire_ack(m, p->ack, p->ack_absolute) : 0;
	t.flags = p->flags;
	t.window = p->has_win ? p->win : 0;
	t.urg = p->has_urg ? p->urg : 0;
	size_t tcp_len = TCP_HDR_MIN + (size_t)ol + p->len;
	size_t total = IPV4_HDR_MIN + tcp_len;
	if (total > cap) {
		snprintf(err, errcap, "segment of %zu bytes does not fit the DUT's MTU", total);
		return -1;
	}
	uint8_t *seg = out + IPV4_HDR_MIN;
	if (tcp_emit(&t, seg, cap - IPV4_HDR_MIN) != (int)TCP_HDR_MIN) {
		snprintf(err, errcap, "cannot encode the TCP header");
		return -1;
	}
	seg[TCP_OFF_DOFF] = (uint8_t)(((TCP_HDR_MIN + (unsigned)ol) / 4u) << 4);
	memcpy(seg + TCP_HDR_MIN, opts, (size_t)ol);
	/* Payload: a recognisable pattern, its byte i = (seq + i) & 0xff. */
	for (size_t i = 0; i < p->len; i++)
		seg[TCP_HDR_MIN + (size_t)ol + i] = (uint8_t)(t.seq + 1u * (uint32_t)i);

	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = p->ip.has_addrs ? p->ip.src_addr : m->peer_ip;
	ip.dst = p->ip.has_addrs ? p->ip.dst_addr : m->dut_ip;
	ip.proto = IPV4_PROTO_TCP;
	ip.ttl = p->ip.has_ttl ? p->ip.ttl : 64;
	ip.tos = p->ip.has_tos ? p->ip.tos : 0;
	switch (p->ip.ecn) {
	case SCRIPT_ECN_UNCHECKED:
	case SCRIPT_ECN_NOT_ECT:
	case SCRIPT_ECN_ECT01:
		break;
	case SCRIPT_ECN_ECT1:
		ip.tos = (uint8_t)((ip.tos & ~3u) | 1u);
		break;
	case SCRIPT_ECN_ECT0:
		ip.tos = (uint8_t)((ip.tos & ~3u) | 2u);
		break;
	case SCRIPT_ECN_CE:
		ip.tos = (uint8_t)(ip.tos | 3u);
		break;
	}
	ip.id = ip_id;
	ip.frag = IPV4_FLAG_DF;
	ip.total_len = (uint16_t)total;
	tcp_checksum(seg, tcp_len, ip.src, ip.dst);
	if (ipv4_emit(&ip, out, cap) != (int)IPV4_HDR_MIN) {
		snprintf(err, errcap, "cannot encode the IPv4 header");
		return -1;
	}
	return (int)total;
}

int engine_parse_seg(const uint8_t *d, size_t len, struct engine_seg *s)
{
	memset(s, 0, sizeof *s);
	int rc = ipv4_parse(d, len, &s->ip);
	s->ip_csum_ok = rc != WIRE_ERR_CHECKSUM;
	if (rc == WIRE_ERR_CHECKSUM) {
		/* Parse again without the checksum so the fields can be shown. */
		if (len < IPV4_HDR_MIN)
			return s->err = rc;
		s->ip.hdr_len = (uint8_t)((d[IPV4_OFF_VHL] & 0x0fu) * 4u);
		s->ip.total_len = wire_get16(d + IPV4_OFF_LEN);
		s->ip.proto = d[IPV4_OFF_PROTO];
		s->ip.ttl = d[IPV4_OFF_TTL];
		s->ip.tos = d[IPV4_OFF_TOS];
		s->ip.src = wire_get32(d + IPV4_OFF_SRC);
		s->ip.dst = wire_get32(d + IPV4_OFF_DST);
		if (s->ip.hdr_len < IPV4_HDR_MIN || s->ip.total_len > len || s->ip.total_len < s->ip.hdr_len)
			return s->err = WIRE_ERR_MALFORMED;
	} else if (rc != WIRE_OK) {
		return s->err = rc;
	}
	if (s->ip.proto != IPV4_PROTO_TCP)
		return s->err = WIRE_ERR_UNSUPPORTED;
	const uint8_t *seg = d + s->ip.hdr_len;
	size_t seg_len = (size_t)s->ip.total_len - s->ip.hdr_len;
	rc = tcp_parse(seg, seg_len, &s->tcp);
	if (rc != WIRE_OK && !(rc == WIRE_ERR_MALFORMED && seg_len >= TCP_HDR_MIN)) {
		return s->err = rc;
	}
	if (rc != WIRE_OK) {
		/* Malformed options: keep the fixed header for the verifier. */
		s->tcp.src_port = wire_get16(seg + TCP_OFF_SPORT);
		s->tcp.dst_port = wire_get16(seg + TCP_OFF_DPORT);
		s->tcp.seq = wire_get32(seg + TCP_OFF_SEQ);
		s->tcp.ack = wire_get32(seg + TCP_OFF_ACK);
		s->tcp.flags = seg[TCP_OFF_FLAGS];
		s->tcp.window = wire_get16(seg + TCP_OFF_WIN);
		s->tcp.urg = wire_get16(seg + TCP_OFF_URG);
		s->tcp.hdr_len = (uint8_t)((seg[TCP_OFF_DOFF] >> 4) * 4u);
		if (s->tcp.hdr_len < TCP_HDR_MIN || s->tcp.hdr_len > seg_len)
			return s->err = WIRE_ERR_MALFORMED;
	}
	s->opt = seg + TCP_HDR_MIN;
	s->opt_len = (uint8_t)(s->tcp.hdr_len - TCP_HDR_MIN);
	s->payload_len = (uint16_t)(seg_len - s->tcp.hdr_len);
	s->tcp_csum_ok = tcp_verify(seg, seg_len, s->ip.src, s->ip.dst) == WIRE_OK;
	return 0;
}

void engine_flags_str(uint8_t flags, char out[12])
{
	static const struct {
		uint8_t bit;
		char c;
	} order[] = {
		{TCP_SYN, 'S'}, {TCP_FIN, 'F'}, {TCP_RST, 'R'}, {TCP_PSH, 'P'},
		{TCP_URG, 'U'}, {TCP_ECE, 'E'}, {TCP_CWR, 'W'},
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (flags & order[i].bit)
			out[n++] = order[i].c;
	if (flags & TCP_ACK)
		out[n++] = '.';
	if (n == 0)
		out[n++] = '-';
	out[n] = '\0';
}

static void appendf(char *buf, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void appendf(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	if (*n >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n += (size_t)k < cap - *n ? (size_t)k : cap - *n - 1;
}

size_t engine_options_used(const uint8_t *o, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (o[i] == TCP_OPT_EOL) {
			size_t k = i;
			while (k < n && o[k] == TCP_OPT_EOL)
				k++;
			if (k == n)
				return i; /* EOL padding to the end */
			i++;
			continue;
		}
		if (o[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2)
			return n;
		i += o[i + 1];
	}
	return n;
}

void engine_options_str(const uint8_t *o, size_t n, char *buf, size_t cap)
{
	size_t w = 0;
	buf[0] = '\0';
	n = engine_options_used(o, n); /* trailing EOL padding is not shown */
	if (n == 0)
		return;
	appendf(buf, cap, &w, "<");
	for (size_t i = 0; i < n;) {
		const char *sep = i ? "," : "";
		uint8_t kind = o[i];
		if (kind == TCP_OPT_EOL || kind == TCP_OPT_NOP) {
			appendf(buf, cap, &w, "%s%s", sep, kind == TCP_OPT_EOL ? "eol" : "nop");
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n) {
			appendf(buf, cap, &w, "%s?%u", sep, kind);
			break;
		}
		uint8_t l = o[i + 1];
		const uint8_t *v = o + i + 2;
		if (kind == TCP_OPT_MSS && l == 4)
			appendf(buf, cap, &w, "%smss %u", sep, wire_get16(v));
		else if (kind == TCP_OPT_WSCALE && l == 3)
			appendf(buf, cap, &w, "%swscale %u", sep, v[0]);
		else if (kind == TCP_OPT_SACK_PERM && l == 2)
			appendf(buf, cap, &w, "%ssackOK", sep);
		else if (kind == TCP_OPT_TS && l == 10)
			appendf(buf, cap, &w, "%sTS val %u ecr %u", sep, wire_get32(v), wire_get32(v + 4));
		else if (kind == TCP_OPT_SACK && (l - 2) % 8 == 0) {
			appendf(buf, cap, &w, "%ssack", sep);
			for (unsigned b = 0; b + 8u <= (unsigned)l - 2u; b += 8)
				appendf(buf, cap, &w, " %u:%u", wire_get32(v + b), wire_get32(v + b + 4));
		} else {
			appendf(buf, cap, &w, "%skind%u len%u", sep, kind, l);
		}
		i += l;
	}
	appendf(buf, cap, &w, ">");
}

void engine_describe(const struct engine_seg *s, const struct engine_map *m, bool outbound, char *buf,
		     size_t cap)
{
	size_t w = 0;
	char fl[12], opts[200];
	if (s->err) {
		snprintf(buf, cap, "(not an IPv4 TCP segment: error %d)", s->err);
		return;
	}
	uint32_t seq_off = outbound ? (m->dut_isn_known ? m->dut_isn : 0) : (m->peer_isn_known ? m->peer_isn : 0);
	uint32_t ack_off = outbound ? (m->peer_isn_known ? m->peer_isn : 0) : (m->dut_isn_known ? m->dut_isn : 0);
	uint32_t seq = s->tcp.seq - seq_off;
	engine_flags_str(s->tcp.flags, fl);
	appendf(buf, cap, &w, "%s %u:%u(%u)", fl, seq, seq + s->payload_len, s->payload_len);
	if (s->tcp.flags & TCP_ACK)
		appendf(buf, cap, &w, " ack %u", s->tcp.ack - ack_off);
	appendf(buf, cap, &w, " win %u", s->tcp.window);
	if (s->tcp.flags & TCP_URG)
		appendf(buf, cap, &w, " urg %u", s->tcp.urg);
	engine_options_str(s->opt, s->opt_len, opts, sizeof opts);
	if (opts[0])
		appendf(buf, cap, &w, " %s", opts);
	if (!s->ip_csum_ok)
		appendf(buf, cap, &w, " [bad ip checksum]");
	if (!s->tcp_csum_ok)
		appendf(buf, cap, &w, " [bad tcp checksum]");
}
