"""End-to-end tests of packetdrill's language on `synack run`: defines
(-D / --define, the scripts' own --define lines, #ifdef), --ip-version,
udp and icmp lines on the sim DUT, option lines that make a run
unsupported, --json keeping a multi-line message as one entry, and
scripts/parse-corpus.sh counting a folder of scripts.

The scripts are written into a temporary directory; the datagrams the
engine built are decoded with scapy from the failure capture, not with
the project's decoders (STYLE.md 21).
"""
import json
import os
import shutil
import subprocess

import pytest
from conftest import REPO
from scapy.all import ICMP, IP, UDP, rdpcap

# Our stack answers a datagram to a closed UDP port with a port
# unreachable (RFC 1122 4.1.3.1), quoting it.
UDP_ICMP = """0 < udp 5000>9 (10)
+0 > icmp unreachable CODE [udp (10)]
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def json_items(out):
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"script"')]


def test_define_on_the_command_line(run_synack, tmp_path):
    script = write(tmp_path, "u.pkt", UDP_ICMP)
    r = run_synack("run", "-D", "CODE=port_unreachable", script)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("PASS")
    r = run_synack("run", "--define=CODE=host_unreachable", script)
    assert r.returncode == 1
    assert f"{script}:2: icmp code: expected 1 vs actual 3" in r.stdout
    r = run_synack("run", "-DCODE=port_unreachable", script)
    assert r.returncode == 0, r.stdout
    # Without the define, CODE is a word, not a code of `unreachable`.
    r = run_synack("run", script)
    assert r.returncode == 2
    assert f"{script}:2:23: unknown ICMP code 'CODE' for type unreachable" in r.stdout
    for bad in (["-D", "=1"], ["-D", "1X=2"], ["--define", "NOEQUALS"], ["-D"]):
        r = run_synack("run", *bad, script)
        assert r.returncode == 2, bad
        assert r.stderr.startswith("synack run: "), r.stderr


def test_script_define_and_command_line_override(run_synack, tmp_path):
    script = write(tmp_path, "d.pkt", "--define=CODE=host_unreachable\n" + UDP_ICMP)
    assert run_synack("run", script).returncode == 1
    assert run_synack("run", "-D", "CODE=port_unreachable", script).returncode == 0


def test_ifdef_selects_lines(run_synack, tmp_path):
    script = write(tmp_path, "i.pkt", """0 < udp 5000>9 (10)
#ifdef WRONG
+0 > icmp echo_reply
#endif
+0 > icmp unreachable port_unreachable
""")
    assert run_synack("run", script).returncode == 0
    r = run_synack("run", "-D", "WRONG=", script)
    assert r.returncode == 1
    assert f"{script}:3: icmp type: expected 0 vs actual 3" in r.stdout


def test_icmp_quote_decoded_by_scapy(run_synack, tmp_path):
    """A failing run's capture holds the ICMP error the engine built: its
    quote is the DUT's own segment (DUT -> peer, the connection's ports,
    the script's sequence number on the DUT's ISN)."""
    script = write(tmp_path, "q.pkt", """0 listen 8080
+0 < S 0:0(0) win 8192 <mss 536>
+0 > S. 0:0(0) ack 1 <...>
+.01 < . 1:1(0) ack 1 win 8192
+0 event accepted
+0 < icmp unreachable frag_needed mtu 576 [1:1(0)]
+0 > F. 1:1(0) ack 1 <...>
""")
    r = run_synack("run", "--pcap-dir", tmp_path / "f", script)
    assert r.returncode == 1, r.stdout
    (pcap,) = (tmp_path / "f").glob("*q.pcap")
    pkts = rdpcap(str(pcap))
    synack = next(p for p in pkts if p[IP].src == "192.168.0.1")
    icmp = next(p for p in pkts if ICMP in p)
    assert icmp[ICMP].type == 3 and icmp[ICMP].code == 4
    assert icmp[ICMP].nexthopmtu == 576
    quoted = icmp[ICMP].payload
    assert quoted.src == "192.168.0.1" and quoted.dst == "192.0.2.1"
    raw = bytes(quoted)
    assert int.from_bytes(raw[20:22], "big") == 8080
    assert int.from_bytes(raw[22:24], "big") == 54321
    assert int.from_bytes(raw[24:28], "big") == (synack["TCP"].seq + 1) % 2**32


def test_udp_line_decoded_by_scapy(run_synack, tmp_path):
    script = write(tmp_path, "v.pkt", "0 < udp 5000>9 (10)\n+0 > udp (10)\n")
    r = run_synack("run", "--pcap-dir", tmp_path / "f", script)
    assert r.returncode == 1
    assert f"{script}:2: ip protocol: expected udp vs actual icmp" in r.stdout
    (pcap,) = (tmp_path / "f").glob("*v.pcap")
    pkts = rdpcap(str(pcap))
    udp = pkts[0]
    assert udp[UDP].sport == 5000 and udp[UDP].dport == 9 and len(udp[UDP].payload) == 10


def test_unsupported_constructs_name_their_line(run_synack, tmp_path):
    cases = {
        "--ip_version=ipv6\n0 < udp 5000>9 (10)\n":
            ":1: --ip_version=ipv6: the sim DUT runs IPv4 only",
        "--mtu=9000\n0 < udp 5000>9 (10)\n": ":1: --mtu=9000: the DUT's link MTU is 1500",
        "0 < udp 5000>9 (10)\n+0 < S 0:0(0) win 1/udp(1 > 9811)\n":
            ":2: TCP over UDP ('/udp(SRC > DST)') is not supported",
    }
    for i, (text, msg) in enumerate(cases.items()):
        script = write(tmp_path, f"n{i}.pkt", text)
        r = run_synack("run", script)
        assert r.returncode == 0, r.stdout
        assert r.stdout.startswith("UNSUPPORTED"), r.stdout
        assert f"{script}{msg}" in r.stdout
    script = write(tmp_path, "ok.pkt", "0 < udp 5000>9 (10)\n+0 > icmp unreachable port_unreachable\n")
    r = run_synack("run", "--ip-version", "ipv6", script)
    assert "UNSUPPORTED" in r.stdout and "--ip-version ipv6" in r.stdout
    assert run_synack("run", "--ip-version", "ipv4-mapped-ipv6", script).returncode == 0
    assert run_synack("run", "--ip-version", "ipv5", script).returncode == 2


def test_json_keeps_a_multiline_message_whole(run_synack, tmp_path):
    script = write(tmp_path, "m.pkt", "0 < udp 5000>9 (10)\n+0 `echo one\necho two`\n")
    r = run_synack("run", "--json", script)
    (item,) = json_items(r.stdout)
    assert item["verdict"] == "unsupported"
    assert len(item["messages"]) == 1, item["messages"]
    assert item["messages"][0].startswith(f"{script}:2: ")
    assert "`echo one\necho two`" in item["messages"][0]
    # Two messages stay two entries.
    script = write(tmp_path, "two.pkt", "0 < udp 5000>9 (10)\n+0 > icmp echo_reply\n")
    (item,) = json_items(run_synack("run", "--json", script).stdout)
    assert item["verdict"] == "fail"
    assert len(item["messages"]) == 2, item["messages"]
    assert all(m.startswith(f"{script}:2: ") for m in item["messages"])


def test_parse_corpus_counts(synack_bin, tmp_path):
    corpus = tmp_path / "tests"
    (corpus / "a").mkdir(parents=True)
    write(corpus / "a", "ok-v4.pkt", "0 < S. 0:0(0) ack 1 win 1 <FO 0203040506070809101112>\n")
    write(corpus / "a", "cookie.pkt", "0 < S. 0:0(0) ack 1 win 1 <FO TFO_COOKIE>\n")
    write(corpus / "a", "bad.pkt", "0 < S 0:0(0) win 1 frob\n")
    write(corpus / "a", "x-v6.pkt", "0 < icmp packet_too_big mtu 1280\n")
    write(corpus / "a", "own6.pkt", "--ip_version=ipv6\n0 < icmp packet_too_big mtu 1280\n")
    env = dict(os.environ, SYNACK_BIN=str(synack_bin))
    r = subprocess.run([str(REPO / "scripts" / "parse-corpus.sh"), str(corpus)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"{corpus}: 5 scripts"
    assert lines[1] == "IPv4 scripts: 3, parse: 2, do not parse: 1"
    assert lines[2].strip().startswith(f"{corpus}/a/bad.pkt:1:20: ")
    assert lines[3] == "IPv6 scripts: 2, parse: 2, do not parse: 0"
    r = subprocess.run([str(REPO / "scripts" / "parse-corpus.sh"), str(tmp_path / "nope")],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "usage" in r.stderr


def tap_ok():
    return os.geteuid() == 0 and os.path.exists("/dev/net/tun") and shutil.which("ip") is not None


# RFC 1191 section 4: the next-hop MTU in a "fragmentation needed"; Linux
# takes it only when the quoted sequence number is one it sent, and then
# sends the lost segment again at once, cut to what the new MTU holds (1200
# less 40 bytes of headers). The tap device is packetdrill's tun0 with TSO,
# so that retransmission reaches the script as one 1400-byte segment (its
# GSO size is the new MSS), as packetdrill itself would see it: the test is
# that it comes at once (+0, within the tolerance) after the error, where
# without the error the next copy would wait for the retransmission timer
# (at least 200 ms). The second script shows the same error with a
# sequence number Linux never sent changes nothing.
PMTU = """0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
+0  < S 0:0(0) win 65535 <mss 1460>
*   > S. 0:0(0) ack 1 <...>
+.01 < . 1:1(0) ack 1 win 65535
+0  accept(3, ..., ...) = 4
+0  write(4, ..., 1400) = 1400
*   > P. 1:1401(1400) ack 1 <...>
+.01 < icmp unreachable frag_needed mtu 1200 [1:1401(1400)]
+0  > P. 1:1401(1400) ack 1 <...>
"""


@pytest.mark.skipif(not tap_ok(), reason="the tap DUT needs root (CAP_NET_ADMIN) and /dev/net/tun")
def test_icmp_frag_needed_on_linux(run_synack, tmp_path):
    script = write(tmp_path, "pmtu.pkt", PMTU)
    r = run_synack("run", "--dut", "tap", "--tolerance-usecs", "50000", script)
    assert r.returncode == 0, r.stdout + r.stderr
    # The same error quoting a sequence number Linux never sent is ignored:
    # the next 1400 bytes still go in one segment.
    wrong = PMTU.replace("[1:1401(1400)]", "[5000:5000(0)]").replace(
        "+0  > P. 1:1401(1400) ack 1 <...>\n",
        "+0  < . 1:1(0) ack 1401 win 65535\n+0  write(4, ..., 1400) = 1400\n"
        "*   > P. 1401:2801(1400) ack 1 <...>\n")
    script = write(tmp_path, "pmtu-wrong.pkt", wrong)
    r = run_synack("run", "--dut", "tap", "--tolerance-usecs", "50000", script)
    assert r.returncode == 0, r.stdout + r.stderr
