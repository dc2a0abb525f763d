/*
 * packet.c - segments between script space and the wire, for the runner,
 * the verifier and the ladder.
 *
 *   engine_build_inbound()  `<` event -> IPv4 + TCP datagram (core/wire codecs,
 *                           real checksums, options in the order written)
 *   engine_parse_seg()      datagram the DUT sent -> engine_seg (core/wire)
 *   engine_describe()       datagram -> "S. 0:0(0) ack 1 win 1024 <mss 536>"
 *
 * udp and icmp lines are built and parsed here too: an inbound ICMP error
 * quotes the IPv4 header and first 8 bytes (RFC 792) of a datagram the DUT
 * sent on the current connection, with the connection's addresses and
 * ports and, for TCP, the script's sequence number mapped onto the DUT's
 * ISN, as packetdrill's map_inbound_icmp_tcp_packet() does (Linux ignores
 * an ICMP error whose quoted sequence number is outside SND.UNA..SND.NXT).
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
				} else if (m->peer_isn_known) {
					/* The DUT's blocks are the peer's numbers, counted
					 * from the peer's ISN as its ack is (verify.c), as
					 * packetdrill maps an outbound SACK's blocks with
					 * the ack's offset. */
					l += m->peer_isn;
					r += m->peer_isn;
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

/* The IPv4 header of an inbound line: the script's addresses or the
 * peer -> DUT defaults, its tos / ttl / ECN codepoint. */
static int emit_ipv4(const struct script_packet *p, const struct engine_map *m, uint16_t ip_id, uint8_t proto,
		     size_t total, uint8_t *out, size_t cap)
{
	struct ipv4_repr ip;
	memset(&ip, 0, sizeof ip);
	ip.src = p->ip.has_addrs ? p->ip.src_addr : m->peer_ip;
	ip.dst = p->ip.has_addrs ? p->ip.dst_addr : m->dut_ip;
	ip.proto = proto;
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
	return ipv4_emit(&ip, out, cap) == (int)IPV4_HDR_MIN ? 0 : -1;
}

static int build_udp(const struct script_packet *p, const struct engine_map *m, uint16_t ip_id, uint8_t *out,
		     size_t cap, char *err, size_t errcap)
{
	size_t total = IPV4_HDR_MIN + UDP_HDR_LEN + p->len;
	if (total > cap) {
		snprintf(err, errcap, "datagram of %zu bytes does not fit the DUT's MTU", total);
		return -1;
	}
	uint8_t *dg = out + IPV4_HDR_MIN;
	memset(dg + UDP_HDR_LEN, 0, p->len); /* packetdrill's payloads are zeros */
	struct udp_repr u = {p->ip.has_ports ? p->ip.src_port : m->peer_port,
			     p->ip.has_ports ? p->ip.dst_port : m->dut_port, (uint16_t)(UDP_HDR_LEN + p->len), 0};
	uint32_t src = p->ip.has_addrs ? p->ip.src_addr : m->peer_ip;
	uint32_t dst = p->ip.has_addrs ? p->ip.dst_addr : m->dut_ip;
	if (udp_emit(&u, dg, cap - IPV4_HDR_MIN, src, dst) != (int)UDP_HDR_LEN ||
	    emit_ipv4(p, m, ip_id, IPV4_PROTO_UDP, total, out, cap) != 0) {
		snprintf(err, errcap, "cannot encode the UDP datagram");
		return -1;
	}
	return (int)total;
}

/* RFC 792: type, code, checksum, 4 bytes (RFC 1191 §4: the next-hop MTU
 * in the low half for "fragmentation needed"; echo: identifier,
 * sequence), then the quoted IPv4 header and the first 64 bits of the
 * datagram, or `raw (N)`: N bytes of message, all zero past the header. */
static int build_icmp(const struct script_packet *p, const struct engine_map *m, uint16_t ip_id, uint8_t *out,
		      size_t cap, char *err, size_t errcap)
{
	const struct script_icmp *ic = &p->icmp;
	size_t data = ic->echoed == SCRIPT_ICMP_ECHO_RAW ? (size_t)ic->echoed_len - ICMP_HDR_LEN
							 : IPV4_HDR_MIN + 8u;
	size_t total = IPV4_HDR_MIN + ICMP_HDR_LEN + data;
	if (total > cap) {
		snprintf(err, errcap, "ICMP message of %zu bytes does not fit the DUT's MTU", total);
		return -1;
	}
	uint8_t *msg = out + IPV4_HDR_MIN;
	uint8_t *q = msg + ICMP_HDR_LEN;
	memset(q, 0, data);
	if (ic->echoed != SCRIPT_ICMP_ECHO_RAW) {
		bool tcp = ic->echoed == SCRIPT_ICMP_ECHO_TCP;
		struct ipv4_repr qip;
		memset(&qip, 0, sizeof qip);
		/* The DUT's datagram to its peer, whoever sends the error (an
		 * "ipv4 ROUTER > DUT:" prefix names the outer header only). */
		qip.src = m->dut_ip;
		qip.dst = m->peer_ip;
		qip.proto = tcp ? IPV4_PROTO_TCP : IPV4_PROTO_UDP;
		qip.ttl = 64;
		qip.frag = IPV4_FLAG_DF;
		qip.total_len = (uint16_t)(IPV4_HDR_MIN + (tcp ? TCP_HDR_MIN : UDP_HDR_LEN) + ic->echoed_len);
		if (ipv4_emit(&qip, q, IPV4_HDR_MIN) != (int)IPV4_HDR_MIN) {
			snprintf(err, errcap, "cannot encode the quoted IPv4 header");
			return -1;
		}
		wire_put16(q + IPV4_HDR_MIN, m->dut_port);
		wire_put16(q + IPV4_HDR_MIN + 2, m->peer_port);
		if (tcp)
			wire_put32(q + IPV4_HDR_MIN + 4, ic->echoed_seq + (m->dut_isn_known ? m->dut_isn : 0));
		else
			wire_put16(q + IPV4_HDR_MIN + 4, (uint16_t)(UDP_HDR_LEN + ic->echoed_len));
	}
	struct icmp_repr r;
	memset(&r, 0, sizeof r);
	r.type = ic->type;
	r.code = ic->code;
	if (ic->has_mtu)
		r.seq = (uint16_t)ic->mtu;
	if (ic->has_id)
		r.ident = ic->id;
	r.data = q;
	r.data_len = (uint16_t)data;
	if (icmp_emit(&r, msg, cap - IPV4_HDR_MIN) != (int)(ICMP_HDR_LEN + data) ||
	    emit_ipv4(p, m, ip_id, IPV4_PROTO_ICMP, total, out, cap) != 0) {
		snprintf(err, errcap, "cannot encode the ICMP message");
		return -1;
	}
	return (int)total;
}

int engine_build_inbound(const struct script_packet *p, const struct engine_map *m, uint16_t ip_id,
			 uint8_t *out, size_t cap, char *err, size_t errcap)
{
	if (p->proto == SCRIPT_PROTO_UDP)
		return build_udp(p, m, ip_id, out, cap, err, errcap);
	if (p->proto == SCRIPT_PROTO_ICMP)
		return build_icmp(p, m, ip_id, out, cap, err, errcap);
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

	tcp_checksum(seg, tcp_len, p->ip.has_addrs ? p->ip.src_addr : m->peer_ip,
		     p->ip.has_addrs ? p->ip.dst_addr : m->dut_ip);
	if (emit_ipv4(p, m, ip_id, IPV4_PROTO_TCP, total, out, cap) != 0) {
		snprintf(err, errcap, "cannot encode the IPv4 header");
		return -1;
	}
	return (int)total;
}

/* A UDP datagram or ICMP message the DUT sent (s->ip already parsed). */
static int parse_other(const uint8_t *d, struct engine_seg *s)
{
	const uint8_t *l4 = d + s->ip.hdr_len;
	size_t n = (size_t)s->ip.total_len - s->ip.hdr_len;
	if (s->ip.proto == IPV4_PROTO_UDP) {
		int rc = udp_parse(l4, n, &s->udp);
		if (rc != WIRE_OK && rc != WIRE_ERR_CHECKSUM)
			return s->err = rc;
		s->tcp_csum_ok = udp_verify(l4, n, s->ip.src, s->ip.dst) == WIRE_OK;
		s->payload_len = (uint16_t)(s->udp.len - UDP_HDR_LEN);
		return 0;
	}
	int rc = icmp_parse(l4, n, &s->icmp);
	s->tcp_csum_ok = rc == WIRE_OK;
	if (rc == WIRE_ERR_CHECKSUM) {
		if (n < ICMP_HDR_LEN)
			return s->err = WIRE_ERR_MALFORMED;
		s->icmp.type = l4[0];
		s->icmp.code = l4[1];
		s->icmp.ident = wire_get16(l4 + 4);
		s->icmp.seq = wire_get16(l4 + 6);
		s->icmp.data = l4 + ICMP_HDR_LEN;
		s->icmp.data_len = (uint16_t)(n - ICMP_HDR_LEN);
	} else if (rc != WIRE_OK) {
		return s->err = rc;
	}
	s->payload_len = s->icmp.data_len;
	const uint8_t *q = s->icmp.data;
	if (s->icmp.data_len >= IPV4_HDR_MIN + 8u && (q[0] >> 4) == 4u) {
		size_t qh = (size_t)(q[0] & 0x0fu) * 4u;
		if (qh >= IPV4_HDR_MIN && qh + 8u <= s->icmp.data_len) {
			s->icmp_quote = true;
			s->quote_proto = q[IPV4_OFF_PROTO];
			s->quote_src = wire_get32(q + IPV4_OFF_SRC);
			s->quote_dst = wire_get32(q + IPV4_OFF_DST);
			s->quote_sport = wire_get16(q + qh);
			s->quote_dport = wire_get16(q + qh + 2);
			s->quote_seq = wire_get32(q + qh + 4);
		}
	}
	return 0;
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
	if (s->ip.proto == IPV4_PROTO_UDP || s->ip.proto == IPV4_PROTO_ICMP)
		return parse_other(d, s);
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
		snprintf(buf, cap, "(not an IPv4 TCP, UDP or ICMP datagram: error %d)", s->err);
		return;
	}
	if (s->ip.proto == IPV4_PROTO_UDP) {
		appendf(buf, cap, &w, "udp %u>%u (%u)", s->udp.src_port, s->udp.dst_port, s->payload_len);
		if (!s->tcp_csum_ok)
			appendf(buf, cap, &w, " [bad udp checksum]");
		return;
	}
	if (s->ip.proto == IPV4_PROTO_ICMP) {
		const char *tn = script_icmp_type_name(m->icmp6, s->icmp.type);
		const char *cn = script_icmp_code_name(m->icmp6, s->icmp.type, s->icmp.code);
		if (tn != NULL)
			appendf(buf, cap, &w, "icmp %s", tn);
		else
			appendf(buf, cap, &w, "icmp type_%u", s->icmp.type);
		if (cn != NULL)
			appendf(buf, cap, &w, " %s", cn);
		else if (s->icmp.code != 0)
			appendf(buf, cap, &w, " code_%u", s->icmp.code);
		if (!m->icmp6 && s->icmp.type == ICMP_DEST_UNREACH && s->icmp.code == 4)
			appendf(buf, cap, &w, " mtu %u", s->icmp.seq);
		else if (m->icmp6 && s->icmp.type == 2u) /* ICMPv6 Packet Too Big: a 32-bit MTU */
			appendf(buf, cap, &w, " mtu %u", (unsigned)s->icmp.ident << 16 | s->icmp.seq);
		if (s->icmp_quote && s->quote_proto == IPV4_PROTO_TCP)
			appendf(buf, cap, &w, " [%u:%u(0)]", s->quote_seq - (m->dut_isn_known ? m->dut_isn : 0),
				s->quote_seq - (m->dut_isn_known ? m->dut_isn : 0));
		else if (s->icmp_quote && s->quote_proto == IPV4_PROTO_UDP)
			appendf(buf, cap, &w, " [udp %u>%u]", s->quote_sport, s->quote_dport);
		if (!s->tcp_csum_ok)
			appendf(buf, cap, &w, " [bad icmp checksum]");
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
