#!/usr/bin/env python3
"""Builds the seeds of the stack and capture harnesses from the suites.

Each script chosen runs on the sim DUT (fuzz_link_pcap, built from
fuzz/link_pcap.c) and leaves its whole-link capture. From it:

  stack    the frames the peer sent to the DUT, as fuzz_stack.c's records:
           time between frames, the peer's frames with their acks (and SACK
           blocks) moved from the DUT's ISN in the capture to the harness's
           fixed ISS (checksums redone), and the application's actions the
           DUT's own frames imply (an active open before its SYN, a send
           before new data, a close before its FIN); and a few built by hand
           (ARP, ICMP, UDP, IP options, a fragment), which the suites lack;
  capture  the capture itself, and a few in other link types and formats
           (pcapng, raw IPv4, Linux cooked, BSD loopback, 802.1Q, IPv6).

The output goes to OUT/stack and OUT/capture (one file per input, named by
its SHA-1). libFuzzer's merge then keeps those that add coverage:

  build-fuzz/fuzz/fuzz_stack -merge=1 fuzz/corpus/stack OUT/stack
  build-fuzz/fuzz/fuzz_capture -merge=1 fuzz/corpus/capture OUT/capture

usage: gen_seeds.py BUILD_DIR OUT [SCRIPT_OR_DIR...]   (default: all suites)
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

from scapy.all import (ARP, ICMP, IP, IPv6, TCP, UDP, Ether, CookedLinux, Loopback, Dot1Q,
                       rdpcap, wrpcap, raw, conf)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ_ISS = 0x10000000  # fuzz_stack.c
DUT_MAC = "02:00:00:00:00:01"
DUT_IP = "192.168.0.1"
MASK = 0xFFFFFFFF


def scripts(args):
    found = []
    for a in args or [os.path.join(ROOT, "conformance", "suites")]:
        if os.path.isdir(a):
            for d, _, fs in os.walk(a):
                found += [os.path.join(d, f) for f in fs if f.endswith(".pkt")]
        else:
            found.append(a)
    return sorted(found)


def link_pcaps(build, paths, tmp):
    tool = os.path.join(build, "fuzz", "fuzz_link_pcap")
    subprocess.run(["cmake", "--build", build, "--target", "fuzz_link_pcap"], check=True,
                   stdout=subprocess.DEVNULL)
    out = []
    for i in range(0, len(paths), 50):
        chunk = paths[i:i + 50]
        r = subprocess.run([tool, tmp] + chunk, check=True, capture_output=True, text=True)
        for line in r.stdout.splitlines():
            n, verdict, _ = line.split(" ", 2)
            p = os.path.join(tmp, n + ".pcap")
            if verdict != "skipped" and os.path.exists(p):
                dst = os.path.join(tmp, "%d.link.pcap" % (i + int(n)))
                os.rename(p, dst)
                out.append(dst)
    return out


def save(folder, data):
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def app(op, port, arg):
    return struct.pack(">BHH", 2 | (op << 5), port & 0xFFFF, arg & 0xFFFF)


def stack_seed(pkts):
    out = bytearray([0])  # flags 0: the sim DUT's profile and netdev
    isn = {}  # (dut port, peer port) -> the DUT's ISN in the capture
    sent_max = {}
    fin_sent = set()
    last_t = None
    arp_mark = None  # where an active open would have asked for ARP
    for p in pkts:
        t = float(p.time)
        if last_t is not None and t - last_t >= 0.001:
            ms = int((t - last_t) * 1000)
            while ms > 0:
                step = min(ms, 0xFFFF)
                out += struct.pack(">BH", 1, step)
                ms -= step
        last_t = t
        from_dut = p.src == DUT_MAC
        if from_dut:
            if p.haslayer("ARP") and p["ARP"].op == 1 and p["ARP"].pdst != DUT_IP:
                arp_mark = len(out)
            if not p.haslayer(TCP):
                continue
            tcp = p[TCP]
            key = (tcp.sport, tcp.dport)
            if tcp.flags.S and not tcp.flags.A and key not in isn:
                rec = app(5, tcp.dport, tcp.dport)
                at = arp_mark if arp_mark is not None else len(out)
                out[at:at] = rec
            arp_mark = None
            if tcp.flags.S:
                isn[key] = tcp.seq
                sent_max[key] = (tcp.seq + 1) & MASK
                continue
            ip = p[IP]
            n = ip.len - ip.ihl * 4 - tcp.dataofs * 4  # not the Ethernet padding
            if key in isn and n:
                end = (tcp.seq + n) & MASK
                if ((end - sent_max[key]) & MASK) < 0x80000000 and end != sent_max[key]:
                    out += app(0, tcp.dport, (end - sent_max[key]) & MASK)
                    sent_max[key] = end
            if tcp.flags.F and key not in fin_sent and key in isn:
                fin_sent.add(key)
                out += app(1, tcp.dport, 0)
            continue
        if p.haslayer(TCP) and p.haslayer(IP):
            tcp = p[TCP]
            key = (tcp.dport, tcp.sport)
            if key in isn:
                d = (FUZZ_ISS - isn[key]) & MASK
                if tcp.flags.A:
                    tcp.ack = (tcp.ack + d) & MASK
                opts = []
                for k, v in tcp.options:
                    if k == "SAck":
                        v = tuple((x + d) & MASK for x in v)
                    opts.append((k, v))
                tcp.options = opts
                del tcp.chksum
        frame = raw(p)
        out += struct.pack(">BH", 0, len(frame)) + frame
    return bytes(out)


def hand_built_stack_seeds(folder):
    """What the suites never send: ARP, ICMP and UDP (echo on port 7, a
    closed port, no checksum, a broadcast), IP options, a fragment."""
    peer = dict(src="02:00:00:00:00:fe", dst=DUT_MAC)
    ip = dict(src="192.0.2.1", dst=DUT_IP)
    frames = [
        Ether(dst="ff:ff:ff:ff:ff:ff", src=peer["src"]) / ARP(op=1, hwsrc=peer["src"], psrc="192.0.2.1",
                                                              pdst=DUT_IP),
        Ether(**peer) / IP(**ip) / ICMP(type=8, id=7, seq=1) / (b"ping" * 8),
        Ether(**peer) / IP(**ip) / UDP(sport=5000, dport=7) / b"echo me",
        Ether(**peer) / IP(**ip) / UDP(sport=5000, dport=9) / b"closed",
        Ether(**peer) / IP(**ip) / UDP(sport=5000, dport=7, chksum=0) / b"no checksum",
        Ether(dst="ff:ff:ff:ff:ff:ff", src=peer["src"]) / IP(src="192.0.2.1", dst="255.255.255.255") /
        UDP(sport=5000, dport=9) / b"broadcast",
        Ether(**peer) / IP(options=[b"\x01\x01\x01\x00"], **ip) / TCP(sport=40000, dport=8080, flags="S"),
        Ether(**peer) / IP(flags="MF", **ip) / UDP(sport=5000, dport=7) / (b"x" * 24),
    ]
    for i in range(len(frames)):
        out = bytearray([0])
        for f in frames[:i + 1]:
            b = raw(f)
            out += struct.pack(">BH", 0, len(b)) + b + struct.pack(">BH", 1, 5)
        save(folder, bytes(out))


def capture_variants(pkts, path, folder):
    with open(path, "rb") as f:
        save(folder, f.read())
    tcp = [p for p in pkts if p.haslayer(IP)]
    if not tcp:
        return
    with tempfile.TemporaryDirectory() as d:
        def write(name, ps, **kw):
            q = os.path.join(d, name)
            wrpcap(q, ps, **kw)
            with open(q, "rb") as f:
                save(folder, f.read())
        write("raw.pcap", [IP(raw(p[IP])) for p in tcp], linktype=101)
        write("sll.pcap", [CookedLinux(pkttype=0 if p.dst == DUT_MAC else 4, proto=0x800) / IP(raw(p[IP]))
                           for p in tcp])
        write("null.pcap", [Loopback(type=2) / IP(raw(p[IP])) for p in tcp])
        write("vlan.pcap", [Ether(src=p.src, dst=p.dst) / Dot1Q(vlan=7) / IP(raw(p[IP])) for p in tcp])
        six = []
        for p in tcp:
            ip = p[IP]
            if not ip.haslayer(TCP):
                continue
            t = ip[TCP].copy()
            del t.chksum
            six.append(Ether(src=p.src, dst=p.dst) / IPv6(src="2001:db8::%d" % (ip.src == DUT_IP),
                                                          dst="2001:db8::%d" % (ip.dst == DUT_IP)) / t)
        if six:
            write("v6.pcap", six)
        q = os.path.join(d, "ng.pcapng")
        subprocess.run(["editcap", "-F", "pcapng", path, q], check=True)
        with open(q, "rb") as f:
            save(folder, f.read())


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    build, out = argv[1], argv[2]
    conf.verb = 0
    with tempfile.TemporaryDirectory() as tmp:
        caps = link_pcaps(build, scripts(argv[3:]), tmp)
        for c in caps:
            pkts = rdpcap(c)
            save(os.path.join(out, "stack"), stack_seed(list(pkts)))
            capture_variants(rdpcap(c), c, os.path.join(out, "capture"))
    hand_built_stack_seeds(os.path.join(out, "stack"))
    print("gen_seeds: %d captures -> %s/stack, %s/capture" % (len(caps), out, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
