"""End-to-end tests of `synack run`.

Runs the CLI on small scripts written into a temporary directory and on the
smoke suite, then checks exit statuses (0 pass, 1 fail, 2 bad input), the
exact verifier message, the JUnit XML (parsed with ElementTree), JSON lines,
sharding, and the failure capture decoded with scapy, not with the
project's decoder (STYLE.md 21). Determinism: same scripts and seed give
byte-identical stdout and captures, with or without -j.
"""
import json
import xml.etree.ElementTree as ET

import pytest
from scapy.all import IP, TCP, rdpcap

PASSIVE = """//! title: passive open
0     listen 8080
+0    < S 0:0(0) win 8192 <mss 536>
+0    > S. 0:0(0) ack 1 <...>
+.01  < . 1:1(0) ack 1 win 8192
+0    event accepted
+0    state ESTABLISHED
"""

# The seed scenario with a deliberately wrong expectation: ack 2.
WRONG_ACK = """//! local: 192.168.0.1:8888
//! remote: 192.0.2.1:51486
0  listen 8888
+0 < S 1240744644:1240744644(0)! win 64240 <mss 1460,sackOK,TS val 2095798637 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 2 <...>
"""

UNSUPPORTED = """0 listen 8080
+0 `sysctl -q net.ipv4.tcp_rfc1337=1`
"""

SKIPPED = """//! profile: rfc1337=on
0 listen 8080
"""

MALFORMED = """0 listen 8080
+0 < S 0:10(5) win 100
"""


def write(dirpath, name, text):
    p = dirpath / name
    p.write_text(text)
    return p


@pytest.fixture
def scripts(tmp_path):
    d = tmp_path / "scripts"
    d.mkdir()
    return d


def test_pass_exit_0(run_synack, scripts):
    write(scripts, "passive.pkt", PASSIVE)
    res = run_synack("run", scripts / "passive.pkt")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("PASS ")
    assert "total" in res.stdout


def test_smoke_suite_passes(run_synack):
    res = run_synack("run", "smoke")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "FAIL" not in res.stdout
    assert res.stdout.count("PASS ") >= 4


def test_failure_message_pcap_and_ladder(run_synack, scripts, tmp_path):
    write(scripts, "wrong_ack.pkt", WRONG_ACK)
    res = run_synack("run", "scripts/wrong_ack.pkt", "--pcap-dir", "fails")
    assert res.returncode == 1, res.stdout + res.stderr
    assert ("scripts/wrong_ack.pkt:5: tcp ack: expected 2 (abs 1240744646) "
            "vs actual 1 (abs 1240744645)") in res.stdout
    assert "^^^ ack: expected 2 vs 1" in res.stdout
    pcap = tmp_path / "fails" / "scripts-wrong_ack.pcap"
    ladder = tmp_path / "fails" / "scripts-wrong_ack.ladder.txt"
    assert pcap.is_file() and ladder.is_file()
    assert "^^^ ack: expected 2 vs 1" in ladder.read_text()
    pkts = rdpcap(str(pcap))
    assert len(pkts) == 2
    syn, synack = pkts[0], pkts[1]
    assert syn[IP].src == "192.0.2.1" and syn[TCP].dport == 8888
    assert syn[TCP].seq == 1240744644 and syn[TCP].flags == "S"
    # The offending segment: the DUT's SYN-ACK, which (correctly) acks IRS+1.
    assert synack[IP].src == "192.168.0.1" and synack[TCP].sport == 8888
    assert synack[TCP].flags == "SA"
    assert synack[TCP].ack == 1240744645
    assert synack.time >= syn.time


def test_unsupported_and_skipped_exit_0(run_synack, scripts):
    write(scripts, "shell.pkt", UNSUPPORTED)
    write(scripts, "profile.pkt", SKIPPED)
    res = run_synack("run", scripts)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "UNSUPPORTED" in res.stdout
    assert "shell.pkt:2: shell command `sysctl -q net.ipv4.tcp_rfc1337=1` cannot run" in res.stdout
    assert "SKIP" in res.stdout and "profile rfc1337=on, the DUT runs rfc1337=off" in res.stdout
    res = run_synack("run", scripts, "--profile", "rfc1337=on")
    assert "SKIP" not in res.stdout.split("\n\n")[0]


def test_profile_a_dut_cannot_run_exit_2(run_synack):
    """--profile names what the DUT cannot run; checked before any DUT opens
    (no root needed). Linux never recycles a TIME-WAIT, and always does RFC
    5961."""
    for prof, item in [("rfc5961=on,timewait-recycle=on", "timewait-recycle=on"),
                       ("rfc5961=off", "rfc5961=off")]:
        res = run_synack("run", "--dut", "tap", "--profile", prof, "smoke")
        assert res.returncode == 2, res.stdout + res.stderr
        assert f"--profile: the tap DUT cannot run {item}" in res.stderr
    res = run_synack("run", "--profile", "timewait-recycle=maybe", "smoke")
    assert res.returncode == 2 and "--profile: expected e.g." in res.stderr
    res = run_synack("run", "--profile", "rfc5961=on,timewait-recycle=on", "smoke")
    assert res.returncode == 0, res.stdout + res.stderr


def test_malformed_script_exit_2(run_synack, scripts):
    write(scripts, "bad.pkt", MALFORMED)
    res = run_synack("run", "scripts/bad.pkt")
    assert res.returncode == 2
    assert "scripts/bad.pkt:2:8: inconsistent sequence numbers: 0:10 is not 5 bytes long" in res.stderr


@pytest.mark.parametrize("text,msg", [
    ("//! profile: linux-wired\n0 listen 8080\n",
     "bad.pkt:1:14: unknown profile 'linux-wired' (known: rfc5961, rfc1337, timewait-recycle, "
     "synack-params, rfc9293-strict, linux-wire, linux-params, linux-right-edge)"),
    ("//! profile: synack-params=maybe\n0 listen 8080\n",
     "bad.pkt:1:28: profile value 'maybe' must be 'on' or 'off'"),
    ("//! profile: rfc5961\n0 listen 8080\n",
     "bad.pkt:1:14: profile item 'rfc5961' needs name=on|off"),
    ("//! profile: rfc9293-strict rfc9293-strict\n0 listen 8080\n",
     "bad.pkt:1:29: profile 'rfc9293-strict' given twice"),
    ("//! colour: red\n0 listen 8080\n",
     "bad.pkt:1:5: unknown header key 'colour'"),
])
def test_malformed_header_file_line_col_exit_2(run_synack, scripts, text, msg):
    write(scripts, "bad.pkt", text)
    res = run_synack("run", "scripts/bad.pkt")
    assert res.returncode == 2
    assert "scripts/" + msg in res.stderr


@pytest.mark.parametrize("args,msg", [
    (["--frobnicate"], "unknown option '--frobnicate'"),
    (["--shard", "3/2"], "--shard: expected I/N"),
    (["--dut", "nope"], "--dut: expected one of"),
    (["no-such-suite"], "'no-such-suite' is not a script"),
    (["--mutate", "synack-ack1"], "--mutate: unknown mutation 'synack-ack1'"),
])
def test_usage_errors_exit_2(run_synack, args, msg):
    res = run_synack("run", *args)
    assert res.returncode == 2
    assert msg in res.stderr


def test_unknown_option_line_exit_2(run_synack, scripts):
    write(scripts, "opt.pkt", "--frobnicate=1\n" + PASSIVE)
    res = run_synack("run", "scripts/opt.pkt")
    assert res.returncode == 2
    assert "scripts/opt.pkt:1: unknown option --frobnicate" in res.stderr


def test_junit_and_json(run_synack, scripts, tmp_path):
    write(scripts, "a_pass.pkt", PASSIVE)
    write(scripts, "b_fail.pkt", WRONG_ACK)
    write(scripts, "c_shell.pkt", UNSUPPORTED)
    res = run_synack("run", scripts, "--junit", tmp_path / "r.xml", "--json")
    assert res.returncode == 1
    root = ET.parse(tmp_path / "r.xml").getroot()
    assert root.tag == "testsuites"
    assert root.get("tests") == "3" and root.get("failures") == "1"
    cases = root.findall(".//testcase")
    assert len(cases) == 3
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 1 and "tcp ack: expected 2" in failed[0].find("failure").get("message")
    assert sum(c.find("skipped") is not None for c in cases) == 1
    lines = [json.loads(l) for l in res.stdout.splitlines()]
    assert [l.get("verdict") for l in lines[:3]] == ["pass", "fail", "unsupported"]
    assert lines[3]["summary"]["failed"] == 1


def test_shards_partition_the_suite(run_synack):
    def names(*extra):
        res = run_synack("run", "smoke", "--json", *extra)
        return [json.loads(l)["script"] for l in res.stdout.splitlines() if l.startswith('{"script"')]
    every = names()
    parts = [names("--shard", f"{i}/3") for i in (1, 2, 3)]
    assert sorted(sum(parts, [])) == sorted(every)
    assert sum(len(p) for p in parts) == len(every)


def test_deterministic_output_and_pcap(run_synack, scripts, tmp_path):
    write(scripts, "a_pass.pkt", PASSIVE)
    write(scripts, "b_fail.pkt", WRONG_ACK)
    outs = []
    for i, extra in enumerate([[], [], ["-j", "2"]]):
        res = run_synack("run", "scripts", "--seed", "7", "--pcap-dir", f"f{i}", *extra)
        assert res.returncode == 1
        outs.append((res.stdout.replace(f"f{i}/", "fX/"),
                     (tmp_path / f"f{i}" / "scripts-b_fail.pcap").read_bytes()))
    assert outs[0] == outs[1] == outs[2]
    # Another seed draws another ISN: different bytes.
    res = run_synack("run", "scripts", "--seed", "8", "--pcap-dir", "f9")
    assert (tmp_path / "f9" / "scripts-b_fail.pcap").read_bytes() != outs[0][1]


# A FreeBSD tcp-testsuite preamble: a sysctl no DUT of ours can run, then
# the passive open.
FOREIGN_SHELL = """0 `sysctl -w net.inet.tcp.sack.enable=1`
+0 `../common/defaults.sh`
""" + PASSIVE.replace("//! title: passive open\n", "")


def test_skip_shell_runs_past_lines_the_dut_cannot_run(run_synack, scripts):
    """Without --skip-shell a shell line the sim DUT cannot run makes the
    script unsupported at that line; with it the script runs, and its
    result says how many lines were passed over and which came first, in
    the text and in the JSON."""
    write(scripts, "foreign.pkt", FOREIGN_SHELL)
    res = run_synack("run", "scripts/foreign.pkt")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "UNSUPPORTED" in res.stdout
    assert "foreign.pkt:1: shell command `sysctl -w net.inet.tcp.sack.enable=1` cannot run on the sim DUT" \
        in res.stdout
    res = run_synack("run", "scripts/foreign.pkt", "--skip-shell")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("PASS        scripts/foreign.pkt"), res.stdout
    note = ("scripts/foreign.pkt:1: note: 2 shell lines skipped (--skip-shell), the first "
            "`sysctl -w net.inet.tcp.sack.enable=1`: the sim DUT ran with its own settings")
    assert note in res.stdout
    res = run_synack("run", "scripts/foreign.pkt", "--skip-shell", "--json")
    first = json.loads(res.stdout.splitlines()[0])
    assert first["verdict"] == "pass"
    assert any("note: 2 shell lines skipped" in m for m in first["messages"]), first


def test_skip_shell_failure_keeps_the_note(run_synack, scripts):
    """A failure after skipped lines still fails (exit 1) and carries the
    note beside the verifier's message."""
    head, body = WRONG_ACK.split("0  listen", 1)
    write(scripts, "foreign_fail.pkt", head + "0 `sysctl -w net.inet.tcp.delacktime=40`\n+0 listen" + body)
    res = run_synack("run", "scripts/foreign_fail.pkt", "--skip-shell")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "tcp ack: expected 2" in res.stdout
    assert "note: 1 shell line skipped (--skip-shell)" in res.stdout


def test_skip_shell_takes_no_value(run_synack, scripts):
    write(scripts, "passive.pkt", PASSIVE)
    res = run_synack("run", "scripts/passive.pkt", "--skip-shell=yes")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "--skip-shell" in res.stderr and res.stdout == ""
