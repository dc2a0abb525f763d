#!/usr/bin/python3
"""Regenerates wire_frames.h: real frames for the core/wire/ codec tests,
built by scapy (an encoder independent of ours). Run:
    /usr/bin/python3 core/tests/wire_frames.py > core/tests/wire_frames.h
The first three frames retell the seed capture (seed/000_648aa07549c524ab.txt)
on Ethernet: the Linux client's SYN, the device's SYN-ACK acking 0 (padded to
the 60-byte Ethernet minimum), and the client's RST with seq 0."""
from scapy.all import Ether, IP, IPOption_Router_Alert, TCP, UDP, ICMP, ARP, Padding, Raw, raw
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment

HOST_MAC, DEV_MAC = "3c:97:0e:12:34:56", "00:04:a3:01:02:03"
HOST_IP, DEV_IP = "192.168.1.10", "192.168.1.200"
h2d = Ether(dst=DEV_MAC, src=HOST_MAC)
d2h = Ether(dst=HOST_MAC, src=DEV_MAC)
hip = dict(src=HOST_IP, dst=DEV_IP, ttl=64, flags="DF")
HOST_IP6, DEV_IP6 = "2001:db8::10", "2001:db8::c8"
h2d6 = Ether(dst=DEV_MAC, src=HOST_MAC, type=0x86DD)
dip = dict(src=DEV_IP, dst=HOST_IP, ttl=64, flags=0)

FRAMES = [
    ("seed_syn",
     "Ether/IP(id=0x4e2b, DF)/TCP(51486->8888, S, seq=1240744644, win=64240, "
     "opts MSS 1460, SAckOK, TS 2095798637/0, NOP, WScale 7)",
     h2d / IP(id=0x4e2b, **hip) / TCP(sport=51486, dport=8888, flags="S", seq=1240744644,
          window=64240, options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (2095798637, 0)),
                                 ("NOP", None), ("WScale", 7)])),
    ("seed_synack",
     "Ether/IP(id=1)/TCP(8888->51486, SA, seq=4039242319, ack=0, win=64240)/Padding(6 x 00)",
     d2h / IP(id=1, **dip) / TCP(sport=8888, dport=51486, flags="SA", seq=4039242319, ack=0,
          window=64240) / Padding(load=b"\x00" * 6)),
    ("seed_rst",
     "Ether/IP(id=0, DF)/TCP(51486->8888, R, seq=0, ack=0, win=0)/Padding(6 x 00)",
     h2d / IP(id=0, **hip) / TCP(sport=51486, dport=8888, flags="R", seq=0, ack=0, window=0)
     / Padding(load=b"\x00" * 6)),
    ("tcp_data_ts",
     "Ether/IP(id=0x4e2c, DF)/TCP(51486->8888, PA, seq=1240744645, ack=4039242320, "
     "win=502, opts NOP NOP TS 2095798650/1000)/'GET / HTTP/1.0\\r\\n\\r\\nX' (19 bytes, odd)",
     h2d / IP(id=0x4e2c, **hip) / TCP(sport=51486, dport=8888, flags="PA", seq=1240744645,
          ack=4039242320, window=502,
          options=[("NOP", None), ("NOP", None), ("Timestamp", (2095798650, 1000))])
     / Raw(b"GET / HTTP/1.0\r\n\r\nX")),
    ("tcp_sack",
     "Ether/IP(id=0x4e2d, DF)/TCP(51486->8888, A, seq=1240744664, ack=4039243780, win=501, "
     "opts NOP NOP TS 2095798700/1050, NOP NOP SACK 4039245240-4039246700 4039248160-4039249620)",
     h2d / IP(id=0x4e2d, **hip) / TCP(sport=51486, dport=8888, flags="A", seq=1240744664,
          ack=4039243780, window=501,
          options=[("NOP", None), ("NOP", None), ("Timestamp", (2095798700, 1050)),
                   ("NOP", None), ("NOP", None),
                   ("SAck", (4039245240, 4039246700, 4039248160, 4039249620))])),
    ("tcp_syn_nots",
     "Ether/IP(id=0x1234, DF)/TCP(40000->80, S, seq=0xfffffff0, win=29200, "
     "opts MSS 1460, NOP NOP SAckOK, NOP WScale 14) - Linux layout without timestamps, ISN near 2^32",
     h2d / IP(id=0x1234, **hip) / TCP(sport=40000, dport=80, flags="S", seq=0xFFFFFFF0,
          window=29200, options=[("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""),
                                 ("NOP", None), ("WScale", 14)])),
    ("tcp_finack_urg",
     "Ether/IP(id=7)/TCP(8888->51486, FA|U|P|E|C, seq=4039242320, ack=1240744664, win=1024, urg=3)/'bye'",
     d2h / IP(id=7, **dip) / TCP(sport=8888, dport=51486, flags="FAUPEC", seq=4039242320,
          ack=1240744664, window=1024, urgptr=3) / Raw(b"bye")),
    ("ipv4_opt_icmp",
     "Ether/IP(id=0x99, tos=0xb8, Router Alert option, IHL 6)/ICMP echo-request(id=0x1d2c, seq=2)/'abcdefg'",
     h2d / IP(id=0x99, tos=0xB8, options=[IPOption_Router_Alert()], **hip)
     / ICMP(type=8, id=0x1D2C, seq=2) / Raw(b"abcdefg")),
    ("ipv4_frag",
     "Ether/IP(id=0x5555, MF, frag=0)/UDP(5000->6000) first fragment: 8+24 of a longer datagram",
     h2d / IP(id=0x5555, src=HOST_IP, dst=DEV_IP, ttl=64, flags="MF", frag=0)
     / UDP(sport=5000, dport=6000, len=100, chksum=0x1234) / Raw(b"F" * 24)),
    ("icmp_echo_req",
     "Ether/IP(id=0x7d1a, DF)/ICMP echo-request(id=0x0d2f, seq=1)/56 bytes as Linux ping",
     h2d / IP(id=0x7D1A, proto=1, **hip) / ICMP(type=8, id=0x0D2F, seq=1)
     / Raw(bytes.fromhex("5f4a3b6500000000e1c5060000000000") + bytes(range(0x10, 0x38)))),
    ("icmp_echo_reply",
     "Ether/IP(id=2)/ICMP echo-reply(id=0x0d2f, seq=1)/same 56 bytes",
     d2h / IP(id=2, **dip) / ICMP(type=0, id=0x0D2F, seq=1)
     / Raw(bytes.fromhex("5f4a3b6500000000e1c5060000000000") + bytes(range(0x10, 0x38)))),
    ("icmp_port_unreach",
     "Ether/IP(id=3)/ICMP dest-unreach port/quoted IP(id=0x2222)/UDP(33000->9) header",
     d2h / IP(id=3, **dip) / ICMP(type=3, code=3)
     / Raw(raw(IP(id=0x2222, **hip) / UDP(sport=33000, dport=9) / Raw(b"ping"))[:28])),
    ("udp_odd",
     "Ether/IP(id=0x0bad, DF)/UDP(33000->7)/'hello' (odd length, checksum set)",
     h2d / IP(id=0x0BAD, **hip) / UDP(sport=33000, dport=7) / Raw(b"hello")),
    ("udp_nocsum",
     "Ether/IP(id=0x0bae, DF)/UDP(68->67, chksum=0)/'abcd'/Padding(14 x 00)",
     h2d / IP(id=0x0BAE, **hip) / UDP(sport=68, dport=67, chksum=0) / Raw(b"abcd")
     / Padding(load=b"\x00" * 14)),
    ("ipv6_tcp_syn",
     "Ether/IPv6(2001:db8::10 > 2001:db8::c8, hlim 64, flow 0x12345)/TCP(51486->8888, S, "
     "seq=1240744644, win=64800, opts MSS 1440, SAckOK)",
     h2d6 / IPv6(src=HOST_IP6, dst=DEV_IP6, hlim=64, fl=0x12345) / TCP(sport=51486, dport=8888,
          flags="S", seq=1240744644, window=64800, options=[("MSS", 1440), ("SAckOK", b"")])),
    ("ipv6_ext_rst",
     "Ether/IPv6/HopByHop(pad)/DestOpt(pad)/TCP(8888->51486, RA, seq=0, ack=1240744645, win=0)",
     h2d6 / IPv6(src=DEV_IP6, dst=HOST_IP6, hlim=255) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()
     / TCP(sport=8888, dport=51486, flags="RA", seq=0, ack=1240744645, window=0)),
    ("ipv6_frag",
     "Ether/IPv6/Fragment(offset 0, M, id 7)/TCP header start: first fragment",
     h2d6 / IPv6(src=HOST_IP6, dst=DEV_IP6) / IPv6ExtHdrFragment(offset=0, m=1, id=7, nh=6)
     / Raw(b"T" * 24)),
    ("arp_request",
     "Ether(bcast)/ARP who-has 192.168.1.200 tell 192.168.1.10 /Padding(18 x 00)",
     Ether(dst="ff:ff:ff:ff:ff:ff", src=HOST_MAC) / ARP(op=1, hwsrc=HOST_MAC, psrc=HOST_IP,
          hwdst="00:00:00:00:00:00", pdst=DEV_IP) / Padding(load=b"\x00" * 18)),
    ("arp_reply",
     "Ether/ARP 192.168.1.200 is-at 00:04:a3:01:02:03",
     d2h / ARP(op=2, hwsrc=DEV_MAC, psrc=DEV_IP, hwdst=HOST_MAC, pdst=HOST_IP)),
]

print("/* wire_frames.h - GENERATED by core/tests/wire_frames.py (scapy); do not edit.")
print(" * Real frames for the core/wire/ codec tests, Ethernet header first, no FCS.")
print(" * host = %s %s (Linux), dev = %s %s (ENC28J60). */" % (HOST_IP, HOST_MAC, DEV_IP, DEV_MAC))
print("#ifndef WIRE_FRAMES_H\n#define WIRE_FRAMES_H\n\n#include <stdint.h>\n")
print("#define WF_UNUSED __attribute__((unused))")
print("#define WF_HOST_IP 0x%08xu" % int.from_bytes(bytes(map(int, HOST_IP.split("."))), "big"))
print("#define WF_DEV_IP 0x%08xu\n" % int.from_bytes(bytes(map(int, DEV_IP.split("."))), "big"))
for name, desc, pkt in FRAMES:
    b = raw(pkt)
    print("/* %s\n * %d bytes */" % (desc, len(b)))
    print("static const uint8_t wf_%s[%d] WF_UNUSED = {" % (name, len(b)))
    for i in range(0, len(b), 12):
        print("\t" + " ".join("0x%02x," % x for x in b[i:i + 12]))
    print("};\n")
print("#endif")
