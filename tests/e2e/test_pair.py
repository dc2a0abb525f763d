"""End-to-end tests of `synack pair`.

Runs the CLI, then reads its capture with tcpdump and scapy and checks the
frames: count, EtherType 0x88B5, MAC addresses, sequence numbers and payload
pattern, nanosecond timestamps. Also the exact messages and exit status for
bad flags, and determinism (same seed -> byte-identical capture and output).
No assertion depends on wall-clock time.
"""
import re
import shutil
import subprocess

import pytest
from scapy.all import Ether, RawPcapReader, rdpcap

MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"
ETHERTYPE = 0x88B5


def pair(run_synack, tmp_path, *args, name="pair.pcap"):
    pcap = tmp_path / name
    res = run_synack("pair", "--pcap", pcap, *args)
    return res, pcap


def counts(stdout):
    m = re.search(r"sent (\d+) echoed (\d+) lost (\d+) \(link and chips explain (\d+)\)", stdout)
    assert m, stdout
    return tuple(int(x) for x in m.groups())


def raw_records(pcap):
    """(ns timestamp, bytes) per record, straight from the pcap headers."""
    out = []
    r = RawPcapReader(str(pcap))
    try:
        assert r.nano, "expected a nanosecond pcap"
        for data, meta in r:
            out.append((meta.sec * 1_000_000_000 + meta.usec, data))
    finally:
        r.close()
    return out


# ---- top-level CLI ----

def test_help_lists_pair(run_synack):
    res = run_synack("--help")
    assert res.returncode == 0
    assert re.search(r"^  pair\s", res.stdout, re.M)
    assert res.stderr == ""


def test_version(run_synack):
    res = run_synack("--version")
    assert res.returncode == 0
    assert re.fullmatch(r"synack \d+\.\d+\.\d+\n", res.stdout)


def test_help_pair_shows_flags(run_synack):
    res = run_synack("help", "pair")
    assert res.returncode == 0
    for flag in ("--frames", "--size", "--seed", "--loss", "--pcap", "--quiet"):
        assert flag in res.stdout
    assert run_synack("pair", "--help").stdout == res.stdout


@pytest.mark.parametrize("args,msg", [
    ((), None),
    (("frobnicate",), "synack: unknown command 'frobnicate' (see 'synack --help')"),
    (("help", "frobnicate"), "synack: unknown command 'frobnicate' (see 'synack --help')"),
    (("--frobnicate",), "synack: unknown option '--frobnicate' (see 'synack --help')"),
])
def test_bad_commands_exit_2(run_synack, args, msg):
    res = run_synack(*args)
    assert res.returncode == 2
    assert res.stdout == ""
    if msg:
        assert res.stderr == msg + "\n"
    else:
        assert res.stderr.startswith("usage: synack")


# ---- pair: frames on the wire ----

def test_pair_passes_and_capture_decodes(run_synack, tmp_path, tcpdump):
    res, pcap = pair(run_synack, tmp_path, "--frames", 20, "--seed", 7)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert counts(res.stdout) == (20, 20, 0, 0)
    assert "checker: 0 diagnostics" in res.stdout
    assert res.stdout.endswith("PASS\n")

    # tcpdump, with link-level headers and nanosecond timestamps.
    td = subprocess.run([tcpdump, "-nn", "-e", "-tt", "--time-stamp-precision=nano", "-r",
                         str(pcap)], capture_output=True, text=True, check=True)
    # One line per frame; tcpdump adds a hex dump (tab-indented) of payloads
    # of an EtherType it doesn't know.
    lines = [ln for ln in td.stdout.splitlines() if not ln.startswith("\t")]
    assert len(lines) == 40
    stamps = []
    for i, line in enumerate(lines):
        src, dst = (MAC_A, MAC_B) if i % 2 == 0 else (MAC_B, MAC_A)
        assert f"{src} > {dst}, ethertype Unknown (0x88b5), length 60" in line, line
        stamps.append(line.split()[0])
    assert all(re.fullmatch(r"\d+\.\d{9}", s) for s in stamps)

    # scapy: addresses, sequence numbers, payload pattern.
    pkts = rdpcap(str(pcap))
    assert len(pkts) == 40
    for i, p in enumerate(pkts):
        eth = p[Ether]
        assert eth.type == ETHERTYPE
        assert (eth.src, eth.dst) == ((MAC_A, MAC_B) if i % 2 == 0 else (MAC_B, MAC_A))
        raw = bytes(p)
        assert len(raw) == 60  # no FCS in the capture
        seq = int.from_bytes(raw[14:18], "big")
        assert seq == i // 2
        assert raw[18:] == bytes((seq + k) & 0xFF for k in range(18, 60))

    # Timestamps: exact ns from the record headers, strictly increasing,
    # and the same figures tcpdump printed.
    recs = raw_records(pcap)
    ns = [t for t, _ in recs]
    assert all(b > a for a, b in zip(ns, ns[1:]))
    assert [f"{t // 10**9}.{t % 10**9:09d}" for t in ns] == stamps
    # An echo can't start before its request has fully arrived: 64 bytes
    # (with FCS) at 10 Mbit/s is 51.2 us.
    for k in range(0, 40, 2):
        assert ns[k + 1] - ns[k] >= 51_200


def test_capture_reads_in_tshark(run_synack, tmp_path):
    tshark = shutil.which("tshark")
    if tshark is None:
        pytest.skip("tshark not installed (tcpdump and scapy still checked the capture)")
    res, pcap = pair(run_synack, tmp_path, "--frames", 3)
    assert res.returncode == 0, res.stderr
    out = subprocess.run([tshark, "-r", str(pcap), "-T", "fields", "-e", "frame.time_epoch",
                          "-e", "eth.src", "-e", "eth.dst", "-e", "eth.type", "-e", "frame.len"],
                         capture_output=True, text=True, check=True).stdout
    rows = [ln.split("\t") for ln in out.splitlines()]
    assert len(rows) == 6
    ns = [t for t, _ in raw_records(pcap)]
    for i, (t, src, dst, etype, flen) in enumerate(rows):
        assert (src, dst) == ((MAC_A, MAC_B) if i % 2 == 0 else (MAC_B, MAC_A))
        assert int(etype, 16) == ETHERTYPE and flen == "60"
        sec, frac = t.split(".")
        assert int(sec) * 10**9 + int(frac.ljust(9, "0")[:9]) == ns[i]


def test_pair_max_size_frames(run_synack, tmp_path):
    res, pcap = pair(run_synack, tmp_path, "--frames", 5, "--size", 1514)
    assert res.returncode == 0, res.stderr
    pkts = rdpcap(str(pcap))
    assert len(pkts) == 10
    assert {len(bytes(p)) for p in pkts} == {1514}
    raw = bytes(pkts[9])
    assert raw[18:] == bytes((4 + k) & 0xFF for k in range(18, 1514))


def test_pair_without_pcap_writes_nothing(run_synack, tmp_path):
    res = run_synack("pair", "--frames", 3, "--quiet")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "" and res.stderr == ""
    assert list(tmp_path.iterdir()) == []


# ---- pair: impairments and accounting ----

def test_pair_with_loss_balances(run_synack, tmp_path):
    res, pcap = pair(run_synack, tmp_path, "--frames", 300, "--loss", 50, "--seed", 3)
    assert res.returncode == 0, res.stdout + res.stderr
    sent, echoed, lost, explained = counts(res.stdout)
    assert sent == 300 and lost > 0 and sent == echoed + lost and lost == explained
    # The capture shows frames as sent: every request, and the echoes of
    # the requests that arrived.
    pkts = rdpcap(str(pcap))
    requests = [p for p in pkts if p[Ether].src == MAC_A]
    echoes = [p for p in pkts if p[Ether].src == MAC_B]
    assert len(requests) == 300
    assert echoed <= len(echoes) <= 300


def test_pair_with_corruption_balances(run_synack, tmp_path):
    res, _ = pair(run_synack, tmp_path, "--frames", 300, "--corrupt", 30, "--seed", 4)
    assert res.returncode == 0, res.stdout + res.stderr
    sent, echoed, lost, explained = counts(res.stdout)
    assert lost > 0 and lost == explained and sent == echoed + lost
    assert re.search(r"drop-crc [1-9]", res.stdout)


# ---- determinism ----

def test_same_seed_identical_capture_and_output(run_synack, tmp_path):
    r1, p1 = pair(run_synack, tmp_path, "--frames", 100, "--loss", 20, "--seed", 42, name="a.pcap")
    r2, p2 = pair(run_synack, tmp_path, "--frames", 100, "--loss", 20, "--seed", 42, name="b.pcap")
    assert r1.returncode == r2.returncode == 0
    assert p1.read_bytes() == p2.read_bytes()
    assert r1.stdout.replace("a.pcap", "X") == r2.stdout.replace("b.pcap", "X")


def test_different_seed_with_loss_differs(run_synack, tmp_path):
    _, p1 = pair(run_synack, tmp_path, "--frames", 100, "--loss", 50, "--seed", 1, name="a.pcap")
    _, p2 = pair(run_synack, tmp_path, "--frames", 100, "--loss", 50, "--seed", 2, name="b.pcap")
    assert p1.read_bytes() != p2.read_bytes()


# ---- bad flags: precise messages, exit 2 ----

@pytest.mark.parametrize("args,msg", [
    (("--frames", "x"), "--frames: expected a positive integer, got 'x'"),
    (("--frames", "0"), "--frames: expected a positive integer, got '0'"),
    (("--frames", "-3"), "--frames: expected a positive integer, got '-3'"),
    (("--frames", "1e3"), "--frames: expected a positive integer, got '1e3'"),
    (("--frames=",), "--frames: expected a positive integer, got ''"),
    (("--frames",), "--frames: missing value"),
    (("--size", "59"), "--size: expected a frame size in bytes, 60..1514, got '59'"),
    (("--size", "1515"), "--size: expected a frame size in bytes, 60..1514, got '1515'"),
    (("--seed", "18446744073709551616"),
     "--seed: expected an unsigned 64-bit integer, got '18446744073709551616'"),
    (("--loss", "1000.5"), "--loss: expected a per-mille value 0..1000, got '1000.5'"),
    (("--loss", "0.0001"), "--loss: expected a per-mille value 0..1000, got '0.0001'"),
    (("--loss", "abc"), "--loss: expected a per-mille value 0..1000, got 'abc'"),
    (("--corrupt", "-1"), "--corrupt: expected a per-mille value 0..1000, got '-1'"),
    (("--latency", "x"), "--latency: expected microseconds 0..1000000, got 'x'"),
    (("--pcap", ""), "--pcap: expected a file name, got ''"),
    (("--quiet=yes",), "--quiet: takes no value, got 'yes'"),
    (("--bogus",), "unknown option '--bogus' (see 'synack help pair')"),
    (("extra",), "unexpected argument 'extra' (see 'synack help pair')"),
])
def test_bad_flag_exits_2_with_message(run_synack, args, msg):
    res = run_synack("pair", *args)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == f"synack pair: {msg}\n"


def test_unwritable_capture_exits_2(run_synack, tmp_path):
    bad = tmp_path / "no-such-dir" / "x.pcap"
    res = run_synack("pair", "--frames", 1, "--pcap", bad)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == f"synack pair: --pcap: {bad}: cannot create: No such file or directory\n"
