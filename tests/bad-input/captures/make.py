#!/usr/bin/env python3
"""Writes the malformed captures of the bad-input corpus (committed; run
again only to change them). Each is the smallest file that shows its fault.
The extension is .cap: the reader goes by content, not by name."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def hdr(linktype=1, snap=65535, magic=0xA1B2C3D4):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snap, linktype)


def rec(data, ts=0, caplen=None, wirelen=None):
    caplen = len(data) if caplen is None else caplen
    return struct.pack("<IIII", ts, 0, caplen, len(data) if wirelen is None else wirelen) + data


def ipv4(total, proto=6, ihl=5, payload=b""):
    h = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, 0, 64, proto, 0, bytes([192, 168, 0, 1]),
                    bytes([192, 0, 2, 1]))
    return h + b"\0" * (ihl * 4 - 20) + payload


def eth(payload, ethertype=0x0800):
    return b"\x02\0\0\0\0\xfe\x02\0\0\0\0\x01" + struct.pack(">H", ethertype) + payload


def tcp(sport=8080, dport=54321, flags=0x02, seq=0, off=5):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, 0, off << 4, flags, 8192, 0, 0)


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


write("empty.cap", b"")
write("truncated-file-header.cap", hdr()[:10])
write("unknown-magic.cap", b"NOTAPCAP" * 3)
write("unsupported-linktype.cap", hdr(linktype=105) + rec(b"\0" * 24))
write("truncated-record-header.cap", hdr() + rec(eth(ipv4(40, payload=tcp())))[:8])
write("truncated-record-data.cap", hdr() + rec(eth(ipv4(40, payload=tcp())))[:16 + 20])

good = eth(ipv4(40, payload=tcp()))
write("ip-total-length-past-record.cap", hdr() + rec(good) + rec(eth(ipv4(1500, payload=tcp(seq=1)))))
write("ip-header-too-short.cap", hdr() + rec(good) + rec(eth(ipv4(40, ihl=3, payload=tcp()))))
write("tcp-data-offset-past-datagram.cap", hdr() + rec(eth(ipv4(40, payload=tcp(off=15)))))
# pcapng: a section header, an interface, then a block type nobody
# defines (0x00000BAD would be the custom block).
shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
idb = struct.pack("<IIHHI", 1, 20, 1, 0, 65535) + struct.pack("<I", 20)
odd = struct.pack("<II", 0x00000BEF, 16) + b"\0" * 4 + struct.pack("<I", 16)
write("pcapng-unknown-block.cap", shb + idb + odd)
# Only ARP: no TCP conversation for pcap2script and replay.
arp = eth(struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, b"\x02\0\0\0\0\x01", bytes([192, 168, 0, 1]),
                      b"\0" * 6, bytes([192, 0, 2, 1])) + b"\0" * 18, 0x0806)
write("no-tcp.cap", hdr() + rec(arp))
# A conversation seen only after its handshake.
write("midstream.cap", hdr() + rec(eth(ipv4(40, payload=tcp(flags=0x10, seq=5)))) +
      rec(eth(ipv4(40, payload=tcp(sport=54321, dport=8080, flags=0x10, seq=9))), ts=1))
