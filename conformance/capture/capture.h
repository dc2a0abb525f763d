/*
 * capture.h - reading captures: libpcap opens pcap and pcapng files and
 * hands over records; this layer numbers them from 1 (as Wireshark and
 * tshark do), strips the link header and decodes IP and TCP with the
 * core/wire codecs into one struct cap_pkt per frame.
 *
 *   cap_open(path) ──> cap_next() ──> struct cap_pkt  (explain.c, to_script.c, replay.c)
 *                        ├── reader.c: libpcap, link types, pcapng block check
 *                        └── decode.c: link header -> IPv4/IPv6 -> TCP (core/wire)
 *
 * Link types: Ethernet (1, with 802.1Q/802.1ad tags), Linux cooked v1 (113)
 * and v2 (276), raw IP (101 and 12, 228 for IPv4, 229 for IPv6) and BSD
 * loopback (0 in the writer's byte order, 108 in network order).
 * Timestamps are read at nanosecond precision whatever the file holds.
 *
 * A datagram's length is its IP header's (total length / payload length);
 * bytes after it are a trailer (Ethernet padding, or a monitoring trailer),
 * never payload. A datagram longer than the record is an error unless the
 * record itself says it was cut at the snapshot length.
 *
 * Errors name the frame: every problem with the file is reported as
 * "FILE: frame N: what is wrong" and cap_next() returns -1; what was read
 * before it stays valid.
 */
#ifndef CAPTURE_CAPTURE_H
#define CAPTURE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/tcp.h"

#define CAP_ERR_LEN 320u

struct cap_error {
	uint64_t frame;          /* the frame it concerns (0 = none: the file itself) */
	char msg[CAP_ERR_LEN];   /* "frame 3: IP total length 1500 exceeds the 60 captured bytes" */
};

/* An endpoint address: IPv4 in a[0..3] (network order), IPv6 in a[0..15]. */
struct cap_addr {
	uint8_t v;               /* 4 or 6 */
	uint8_t a[16];
};

/* Direction from a Linux cooked header's packet type (the capturing host's
 * view), or unknown for every other link type. */
enum cap_dir {
	CAP_DIR_UNKNOWN = 0,
	CAP_DIR_IN,              /* to us, broadcast, multicast */
	CAP_DIR_OUT,             /* sent by us */
	CAP_DIR_OTHERHOST,       /* seen in promiscuous mode */
};

enum cap_kind {
	CAP_NON_IP = 0,          /* neither IP nor ARP */
	CAP_ARP,
	CAP_TCP,
	CAP_UDP,
	CAP_ICMP,                /* ICMP or ICMPv6 */
	CAP_FRAGMENT,            /* an IP fragment other than a whole datagram */
	CAP_IP_OTHER,            /* IP carrying another protocol */
};

struct cap_pkt {
	uint64_t frame;          /* 1-based, as Wireshark numbers them */
	uint64_t ts_ns;          /* capture timestamp, ns since the epoch */
	uint32_t caplen, wirelen;
	enum cap_dir dir;
	enum cap_kind kind;
	uint16_t ethertype;      /* as found, 0 for raw IP */
	/* IP (kinds >= CAP_TCP) */
	struct cap_addr src, dst;
	uint8_t ttl;             /* TTL or hop limit */
	uint8_t ip_proto;
	bool ip_csum_ok;         /* IPv4 header checksum (always true for IPv6) */
	uint32_t ip_len;         /* datagram length from the IP header */
	uint32_t trailer;        /* bytes after the datagram in the record */
	bool snapped;            /* the record was cut at the snapshot length */
	const uint8_t *ip;       /* the datagram (valid until the next cap_next) */
	uint32_t ip_hdr_len;     /* IP header plus IPv6 extension headers */
	/* TCP (kind CAP_TCP) */
	struct tcp_repr tcp;
	const uint8_t *tcp_opt;  /* option bytes, tcp.hdr_len - 20 of them */
	uint32_t payload_len;    /* from the IP length, not the record */
	bool tcp_csum_known;     /* false when the record was snapped */
	bool tcp_csum_ok;
	/* A wrong checksum that holds the pseudo-header's sum: the sending
	 * host left the rest to its network card (checksum offload), and the
	 * capture saw the segment before the card filled it in. */
	bool tcp_csum_partial;
};

struct cap_reader;

/* Opens a pcap or pcapng file ("-" is standard input). Returns 0, or -1
 * with err filled ("FILE: before frame 1: truncated file header"). */
int cap_open(struct cap_reader **r, const char *path, struct cap_error *err);
/* Reads and decodes the next frame: 1 with *p filled, 0 at the end of the
 * file, -1 with err filled. */
int cap_next(struct cap_reader *r, struct cap_pkt *p, struct cap_error *err);
void cap_close(struct cap_reader *r);

/* "Linux cooked v1 (113)". */
const char *cap_linktype_desc(const struct cap_reader *r);
int cap_linktype(const struct cap_reader *r);
/* "pcap" or "pcapng"; nanosecond or microsecond timestamps in the file. */
const char *cap_format(const struct cap_reader *r);
bool cap_file_nanoseconds(const struct cap_reader *r);
const char *cap_path(const struct cap_reader *r);

/* Decodes one record of link type `dlt` (decode.c; the reader calls it,
 * tests and the replay engine call it directly). Returns 0, or -1 with
 * err->msg set (err->frame is left to the caller). */
int cap_decode(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, struct cap_pkt *p,
	       struct cap_error *err);

/* A TCP segment in script notation with the capture's absolute numbers:
 * "S. 4039242319:4039242319(0) ack 0 win 64240 <mss 1460>". */
void cap_describe(const struct cap_pkt *p, char *buf, size_t cap);

/* "192.168.1.10" or "2001:db8::10"; "ip:port" ("[2001:db8::10]:80"). */
void cap_addr_str(const struct cap_addr *a, char *buf, size_t cap);
void cap_endpoint_str(const struct cap_addr *a, uint16_t port, char *buf, size_t cap);
/* Parses "ip:port" (IPv4 or [IPv6]:port). Returns false if malformed. */
bool cap_endpoint_parse(const char *s, struct cap_addr *a, uint16_t *port);
bool cap_addr_eq(const struct cap_addr *x, const struct cap_addr *y);

#endif /* CAPTURE_CAPTURE_H */
