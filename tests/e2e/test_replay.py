"""`synack replay` and `synack pcap2script` on the seed capture and on
captures scapy built: which side is the DUT, where it departs, exit
statuses, the scripts `synack run` replays, and bad input."""
import json
import os
import shutil

import pytest

import captures as C
from conftest import REPO

SEED = REPO / "conformance" / "captures" / "seed.pcap"
CLIENT = "192.168.1.10:51486"


def tap_ok():
    return os.geteuid() == 0 and os.path.exists("/dev/net/tun") and shutil.which("ip") is not None


needs_tap = pytest.mark.skipif(not tap_ok(), reason="the tap DUT needs root (CAP_NET_ADMIN) and /dev/net/tun")


def replay_json(run_synack, *args):
    r = run_synack("replay", *args, "--json")
    recs = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    return r, {o["frame"]: o for o in recs if o["record"] == "frame"}, recs[-1] if recs else None


# ---- the seed ------------------------------------------------------------------

def test_seed_our_stack_as_server_departs_at_63(run_synack):
    r, frames, res = replay_json(run_synack, SEED)
    assert r.returncode == 1, r.stderr
    assert res["reproduced"] is False and res["first_departure"] == 63
    assert res["dut_side"] == "192.168.1.200:8888"
    assert frames[62]["status"] == "injected"
    f63 = frames[63]
    assert f63["status"] == "departs" and f63["capture_rule"] == "synack.bad-ack"
    assert "ack 1240744645" in f63["dut"]
    assert "tcp ack: captured" in f63["differences"]
    assert "sends exactly that" in f63["text"]
    f64 = frames[64]
    assert f64["status"] == "not-replayed" and "cannot follow" in f64["text"]
    text = run_synack("replay", SEED)
    assert text.returncode == 1 and "departs from the capture at frame 63" in text.stdout


def test_seed_our_stack_as_client_reproduces_the_reset(run_synack):
    r, frames, res = replay_json(run_synack, SEED, "--dut-side", CLIENT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert res["reproduced"] is True
    assert frames[64]["status"] == "matched" and frames[64]["dut"].startswith("R 0:0(0)")
    assert frames[64]["dut_rule"] == "syn-sent.unacceptable-ack"


@needs_tap
def test_seed_linux_as_client_reproduces_the_reset(run_synack):
    r, frames, res = replay_json(run_synack, SEED, "--dut-side", CLIENT, "--dut", "tap",
                                 "--tolerance-usecs", "50000")
    assert r.returncode == 0, r.stdout + r.stderr
    assert frames[64]["status"] == "matched" and frames[64]["dut"].startswith("R 0:0(0)")


def test_seed_bug_as_server_reproduces_the_capture(run_synack):
    r, frames, res = replay_json(run_synack, SEED, "--mutate", "synack-ack0")
    assert r.returncode == 0, r.stdout + r.stderr
    assert [frames[n]["status"] for n in (62, 63, 64)] == ["injected", "matched", "injected"]


def test_replay_pcap_and_script_outputs(run_synack, tmp_path, tcpdump):
    import subprocess
    r = run_synack("replay", SEED, "--pcap", tmp_path / "x.pcap", "--script", tmp_path / "x.pkt")
    assert r.returncode == 1
    d = subprocess.run([tcpdump, "-nn", "-r", str(tmp_path / "x.pcap")], capture_output=True, text=True)
    assert d.returncode == 0 and len(d.stdout.splitlines()) == 2  # the SYN and the DUT's SYN-ACK
    assert "listen 8888" in (tmp_path / "x.pkt").read_text()


# ---- pcap2script --------------------------------------------------------------------

def test_pcap2script_rfc_version_passes_on_our_stack(run_synack, tmp_path):
    out = tmp_path / "seed.pkt"
    r = run_synack("pcap2script", SEED, "-o", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "frame 63" in text and "ack 1\n" in text.replace(" <...>", "\n").replace("ack 1 ", "ack 1\n")
    assert "frame 64" in text and "left out" in text
    run = run_synack("run", out)
    assert run.returncode == 0, run.stdout
    bug = run_synack("run", out, "--mutate", "synack-ack0")
    assert bug.returncode == 1 and "tcp ack" in bug.stdout


def test_pcap2script_as_captured_fails_on_our_stack_and_passes_on_the_bug(run_synack, tmp_path):
    out = tmp_path / "seed-as-captured.pkt"
    assert run_synack("pcap2script", SEED, "--as-captured", "-o", out).returncode == 0
    run = run_synack("run", out)
    assert run.returncode == 1 and "tcp ack: expected 3054222652 (abs 0) vs actual 1 (abs 1240744645)" in run.stdout
    bug = run_synack("run", out, "--mutate", "synack-ack0")
    assert bug.returncode == 0, bug.stdout


@needs_tap
def test_pcap2script_passes_against_linux(run_synack, tmp_path):
    out = tmp_path / "seed.pkt"
    assert run_synack("pcap2script", SEED, "-o", out).returncode == 0
    run = run_synack("run", out, "--dut", "tap", "--tolerance-usecs", "50000")
    assert run.returncode == 0, run.stdout
    client = tmp_path / "client.pkt"
    assert run_synack("pcap2script", SEED, "--dut-side", CLIENT, "-o", client).returncode == 0
    assert run_synack("run", client, "--dut", "tap", "--tolerance-usecs", "50000").returncode == 0


def test_pcap2script_output_is_atomic_and_never_the_capture(run_synack, tmp_path):
    cap = C.write(tmp_path / "c.pcap", C.seed())
    before = cap.read_bytes()
    r = run_synack("pcap2script", cap, "-o", cap)
    assert r.returncode == 2 and "capture itself" in r.stderr and cap.read_bytes() == before
    r = run_synack("pcap2script", cap, "-o", tmp_path / "nodir" / "x.pkt")
    assert r.returncode == 2 and "x.pkt" in r.stderr
    assert not (tmp_path / "nodir").exists()


# ---- crafted conversations -------------------------------------------------------------

def clean_exchange():
    """A Linux-like client talks to an echo-less server: handshake, 100
    bytes, the server ACKs, the client closes, the server closes."""
    f = C.Flow(cip="192.168.1.10", cport=40123, sip="192.168.1.200", sport=8888)
    return [f.c(0, "S", 1000, win=64240, options=[("MSS", 1460)]),
            f.s(0.0005, "SA", 7000, 1001, win=1024, options=[("MSS", 1024)]),
            f.c(0.001, "A", 1001, 7001, win=502),
            f.c(0.01, "PA", 1001, 7001, win=502, load=b"q" * 100),
            f.s(0.0105, "A", 7001, 1101, win=1024),
            f.c(0.02, "FA", 1101, 7001, win=502),
            f.s(0.0205, "A", 7001, 1102, win=1024),
            f.s(0.03, "FA", 7001, 1102, win=1024),
            f.c(0.0305, "A", 1102, 7002, win=502)]


def test_clean_exchange_is_reproduced_by_our_stack(run_synack, tmp_path):
    cap = C.write(tmp_path / "clean.pcap", clean_exchange())
    r, frames, res = replay_json(run_synack, cap)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(frames) == 9 and all(f["status"] in ("injected", "matched") for f in frames.values())


def test_refused_connection_is_reproduced_without_listening(run_synack, tmp_path):
    cap = C.write(tmp_path / "refused.pcap", C.refused())
    r, frames, _ = replay_json(run_synack, cap)
    assert r.returncode == 0, r.stdout + r.stderr
    assert frames[2]["status"] == "matched"


def test_ipv6_conversation_is_replayed_over_ipv4(run_synack, tmp_path):
    f = C.Flow(cip="2001:db8::10", sip="2001:db8::c8")
    cap = C.write(tmp_path / "v6.pcap", C.seed(f)[:3])
    r = run_synack("replay", cap, "--dut-side", "[2001:db8::10]:51486")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "IPv6 replayed over IPv4" in r.stdout


def test_replay_errors(run_synack, tmp_path):
    mid = C.write(tmp_path / "mid.pcap", C.midstream())
    r = run_synack("replay", mid)
    assert r.returncode == 2 and "cannot be replayed" in r.stderr
    r = run_synack("replay", SEED, "--dut-side", "10.9.9.9:1")
    assert r.returncode == 2 and "10.9.9.9:1" in r.stderr
    r = run_synack("replay", SEED, "--dut-side", "nonsense")
    assert r.returncode == 2 and "IP:PORT" in r.stderr
    r = run_synack("replay", SEED, "--conversation", "7")
    assert r.returncode == 2 and "no conversation 7" in r.stderr
    r = run_synack("replay", SEED, "--dut", "frob")
    assert r.returncode == 2
    r = run_synack("replay", tmp_path / "none.pcap")
    assert r.returncode == 2 and "none.pcap" in r.stderr
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(SEED.read_bytes()[:100])
    r = run_synack("replay", bad)
    assert r.returncode == 2 and "frame" in r.stderr
