"""Captures crafted with scapy, an encoder independent of synack's, for the
capture-tool tests (test_explain.py, test_replay.py).

A Flow builds the segments of one TCP conversation between a client and a
server with absolute numbers; write() puts any list of packets in a pcap or
pcapng file with the link type asked for. The helpers below are the
scenarios the tests explain, each returning (packets, frame numbers worth
asserting on)."""
import struct

from scapy.all import (ARP, ICMP, IP, TCP, UDP, CookedLinux, CookedLinuxV2, Ether, Loopback, Padding, Raw,
                       raw, wrpcap)
from scapy.layers.inet6 import IPv6
from scapy.utils import wrpcapng

CMAC, SMAC = "3c:97:0e:12:34:56", "00:04:a3:01:02:03"


class Flow:
    """One conversation; c() and s() give a segment from the client or the
    server, stamped `t` seconds after the start."""

    def __init__(self, cip="192.168.1.10", cport=51486, sip="192.168.1.200", sport=8888, t0=1700000000.0):
        self.cip, self.cport, self.sip, self.sport, self.t0 = cip, cport, sip, sport, t0
        self.v6 = ":" in cip

    def _ip(self, src, dst, ttl=64):
        if self.v6:
            return IPv6(src=src, dst=dst, hlim=ttl)
        return IP(src=src, dst=dst, ttl=ttl, flags="DF")

    def _seg(self, fromc, t, flags, seq, ack=0, win=64240, load=b"", options=None, ttl=64, **kw):
        src, dst = (self.cip, self.sip) if fromc else (self.sip, self.cip)
        sp, dp = (self.cport, self.sport) if fromc else (self.sport, self.cport)
        e = Ether(src=CMAC if fromc else SMAC, dst=SMAC if fromc else CMAC)
        p = e / self._ip(src, dst, ttl) / TCP(sport=sp, dport=dp, flags=flags, seq=seq % 2**32, ack=ack % 2**32,
                                                 window=win, options=options or [], **kw)
        if load:
            p = p / Raw(load)
        p.time = self.t0 + t
        return p

    def c(self, t, flags, seq, ack=0, **kw):
        return self._seg(True, t, flags, seq, ack, **kw)

    def s(self, t, flags, seq, ack=0, **kw):
        return self._seg(False, t, flags, seq, ack, **kw)


LINUX_SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (2095798637, 0)), ("NOP", None), ("WScale", 7)]


def handshake(f, ciss=1000, siss=5000, t=0.0, win=64240):
    """SYN, SYN-ACK, ACK: returns the three packets."""
    return [f.c(t, "S", ciss, win=win, options=[("MSS", 1460)]),
            f.s(t + 0.001, "SA", siss, ciss + 1, win=win, options=[("MSS", 1460)]),
            f.c(t + 0.002, "A", ciss + 1, siss + 1, win=win)]


def relink(pkts, linktype):
    """The same IP packets under another link header."""
    out = []
    for p in pkts:
        ip = p[IP] if IP in p else p[IPv6]
        fam = 2 if IP in p else 30
        if linktype == 113:
            q = CookedLinux(pkttype=4 if p[Ether].src == CMAC else 0, lladdrtype=1, lladdrlen=6,
                            src=bytes.fromhex(p[Ether].src.replace(":", "")) + b"\0\0",
                            proto=0x0800 if IP in p else 0x86DD) / ip
        elif linktype == 276:
            q = CookedLinuxV2(proto=0x0800 if IP in p else 0x86DD, ifindex=2, lladdrtype=1,
                              pkttype=4 if p[Ether].src == CMAC else 0, lladdrlen=6,
                              src=bytes.fromhex(p[Ether].src.replace(":", "")) + b"\0\0") / ip
        elif linktype in (101, 12, 228, 229):
            q = ip
        elif linktype == 0:  # BSD loopback, family in the writer's (little-endian) order
            q = Raw(struct.pack("<I", fam)) / ip
        elif linktype == 108:  # OpenBSD loopback, network order
            q = Raw(struct.pack(">I", fam)) / ip
        else:
            q = p
        q.time = p.time
        out.append(q)
    return out


def write(path, pkts, linktype=1, nano=True, ng=False):
    pkts = relink(pkts, linktype) if linktype != 1 else pkts
    if ng:
        wrpcapng(str(path), pkts)
    else:
        wrpcap(str(path), pkts, linktype=linktype, nano=nano)
    return path


# ---- the scenarios ----------------------------------------------------------

def seed(f=None):
    """The seed: SYN, a SYN-ACK acknowledging 0, the client's RST seq 0,
    then the client's SYN again 1 s later."""
    f = f or Flow()
    return [f.c(0, "S", 1240744644, win=64240, options=LINUX_SYN_OPTS),
            f.s(0.0053, "SA", 4039242319, 0, win=64240) / Padding(load=b"\0" * 6),
            f.c(0.00534, "R", 0, 0, win=0),
            f.c(1.02, "S", 1240744644, win=64240, options=LINUX_SYN_OPTS)]


def refused(f=None):
    f = f or Flow()
    return [f.c(0, "S", 1000, options=[("MSS", 1460)]), f.s(0.0001, "RA", 0, 1001, win=0)]


def ack_to_listener(f=None):
    """A server that accepted one connection, then a stray ACK on a new
    4-tuple: RST <SEQ=SEG.ACK>."""
    f = f or Flow()
    g = Flow(cport=40000)
    return handshake(f) + [g.c(1, "A", 777, 123456, win=502), g.s(1.0001, "R", 123456, 0, win=0)]


def ack_no_connection(f=None):
    f = f or Flow()
    return [f.c(0, "A", 777, 123456, win=502), f.s(0.0001, "R", 123456, 0, win=0)]


def abort(f=None):
    """Data both ways, then the server aborts: RST at its SND.NXT."""
    f = f or Flow()
    return handshake(f) + [f.c(0.01, "PA", 1001, 5001, load=b"x" * 100),
                           f.s(0.011, "A", 5001, 1101),
                           f.s(0.02, "RA", 5001, 1101, win=0)]


def close_unread(f=None):
    """The client sends data the server's application never reads; the
    server closes and so resets (SHLD-3)."""
    f = f or Flow()
    return handshake(f) + [f.c(0.01, "PA", 1001, 5001, load=b"GET / HTTP/1.0\r\n\r\n"),
                           f.s(0.03, "RA", 5001, 1019, win=0)]


def syn_in_established(f=None):
    f = f or Flow()
    return handshake(f) + [f.c(1, "S", 99999, options=[("MSS", 1460)]), f.s(1.0001, "A", 5001, 1001)]


def out_of_window_data(f=None):
    f = f or Flow()
    return handshake(f, win=1000) + [f.c(0.01, "PA", 1001 + 5000000, 5001, load=b"z" * 10),
                                     f.s(0.0101, "A", 5001, 1001, win=1000)]


def rst_out_of_window(f=None):
    f = f or Flow()
    return handshake(f, win=1000) + [f.c(0.01, "R", 1001 + 100000, 0, win=0), f.c(0.02, "PA", 1001, 5001, load=b"ok"),
                                     f.s(0.021, "A", 5001, 1003, win=1000)]


def rst_in_window(f=None):
    f = f or Flow()
    return handshake(f, win=1000) + [f.c(0.01, "R", 1001 + 100, 0, win=0), f.s(0.0101, "A", 5001, 1001, win=1000)]


def bad_tcp_checksum(f=None):
    f = f or Flow()
    p = f.c(0.01, "PA", 1001, 5001, load=b"abc", chksum=0x1234)
    return handshake(f) + [p]


def bad_ip_checksum(f=None):
    f = f or Flow()
    p = f.c(0.01, "PA", 1001, 5001, load=b"abc")
    p[IP].chksum = 0x4321
    return handshake(f) + [p]


def ack_of_unsent(f=None):
    f = f or Flow()
    return handshake(f) + [f.c(0.01, "A", 1001, 5001 + 4000), f.s(0.0101, "A", 5001, 1001)]


def zero_window(f=None):
    f = f or Flow()
    return handshake(f) + [f.c(0.01, "PA", 1001, 5001, load=b"d" * 500), f.s(0.011, "A", 5001, 1501, win=0)]


def data_retransmission(f=None):
    f = f or Flow()
    return handshake(f) + [f.c(0.01, "PA", 1001, 5001, load=b"r" * 200), f.c(0.21, "PA", 1001, 5001, load=b"r" * 200),
                           f.s(0.211, "A", 5001, 1201)]


def data_after_close(f=None):
    """The server closes (FIN), the client ACKs it and then sends data:
    Linux answers with RST <SEQ=SEG.ACK>."""
    f = f or Flow()
    return handshake(f) + [f.s(0.01, "FA", 5001, 1001), f.c(0.011, "A", 1001, 5002),
                           f.c(0.02, "PA", 1001, 5002, load=b"late"), f.s(0.0201, "R", 5002, 0, win=0)]


def lone_rst(f=None):
    f = f or Flow()
    return [f.c(0, "R", 31337, 0, win=0)]


def midstream(f=None):
    f = f or Flow()
    return [f.c(0, "PA", 20001, 70001, load=b"m" * 10), f.s(0.001, "A", 70001, 20011),
            f.s(0.5, "RA", 70001, 20011, win=0)]


def background():
    """Non-TCP frames: ARP, ICMP echo, UDP."""
    t0 = 1700000000.0
    a = Ether(dst="ff:ff:ff:ff:ff:ff", src=CMAC) / ARP(op=1, hwsrc=CMAC, psrc="192.168.1.10", pdst="192.168.1.200")
    b = Ether(dst=CMAC, src=SMAC) / ARP(op=2, hwsrc=SMAC, psrc="192.168.1.200", hwdst=CMAC, pdst="192.168.1.10")
    c = Ether(src=CMAC, dst=SMAC) / IP(src="192.168.1.10", dst="192.168.1.200") / ICMP() / Raw(b"ping")
    d = Ether(src=CMAC, dst=SMAC) / IP(src="192.168.1.10", dst="192.168.1.1") / UDP(sport=5353, dport=53) / Raw(b"q")
    for i, p in enumerate((a, b, c, d)):
        p.time = t0 - 1 + i * 0.1
    return [a, b, c, d]


def keepalive(f=None):
    f = f or Flow()
    return handshake(f) + [f.c(60, "A", 1000, 5001, load=b"\0"), f.s(60.0001, "A", 5001, 1001)]


def window_probe(f=None):
    f = f or Flow()
    return handshake(f) + [f.c(0.01, "PA", 1001, 5001, load=b"d" * 100), f.s(0.011, "A", 5001, 1101, win=0),
                           f.c(0.3, "A", 1101, 5001, load=b"p"), f.s(0.3001, "A", 5001, 1101, win=0)]


def offload_partial(f=None):
    """The client's segments carry the pseudo-header sum, as Linux leaves
    them for a card that offloads checksums; the server ACKs them."""
    import struct as st
    f = f or Flow()
    pk = handshake(f) + [f.c(0.01, "PA", 1001, 5001, load=b"o" * 50), f.s(0.011, "A", 5001, 1051)]
    out = []
    for p in pk:
        if p[Ether].src == CMAC:
            ip = p[IP]
            tcp_len = len(raw(ip[TCP]))
            s = 0
            for word in (st.unpack(">HH", bytes(map(int, ip.src.split("."))))
                         + st.unpack(">HH", bytes(map(int, ip.dst.split(".")))) + (6, tcp_len)):
                s += word
            while s >> 16:
                s = (s & 0xffff) + (s >> 16)
            p[TCP].chksum = s
        out.append(p)
    return out


def reboot_reset(f=None):
    """The server reboots; the client's next data draws <SEQ=SEG.ACK><CTL=RST>."""
    f = f or Flow()
    return handshake(f) + [f.c(30, "PA", 1001, 5001, load=b"after reboot"), f.s(30.0002, "R", 5001, 0, win=0)]
