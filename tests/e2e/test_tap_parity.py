"""packetdrill's rules the tap DUT follows so that packetdrill's own tests
get packetdrill's verdicts (issue 11; docs/packetdrill-parity.md).

Each script in tests/e2e/tap_parity/ is in packetdrill's language only, so
its calls run for real on --dut tap. A script that passes shows one rule
followed; the *.fail.pkt next to it breaks the same rule and must fail
with the message below, so a rule that stops working, or stops being
checked, turns a test red:

  local-ip                 the run's --local-ip wins over the script's line
  scm-timestamping         struct scm_timestamping compared with the tolerance
  blocking-own-tolerance   a blocking call's tolerance is 12.5% of its duration
  simultaneous-open        a SYN to a connecting socket; SACK blocks mapped
  ts-ecr-scaled            --tcp_ts_ecr_scaled maps an unknown TS ecr
  zerocopy-frags           iovec entries apart: one MSG_ZEROCOPY frag each
  gso-mss                  --mss honoured on tap, unsupported on sim

Needs root and /dev/net/tun (skipped with the reason otherwise). Real time:
--tolerance-usecs 50000 for a loaded machine; no assertion is about how
long anything took.
"""
import pathlib

import pytest

from tap_probe import require_tap, run

HERE = pathlib.Path(__file__).resolve().parent / "tap_parity"
SCRIPTS = sorted(p.name for p in HERE.glob("*.pkt"))
TOL = "50000"
# What the parity script passes (run_all.py's addresses); local-ip.pkt
# names another one for the DUT.
ADDRS = ["--local-ip=192.168.0.1", "--remote-ip=192.0.2.1"]

FAIL_MESSAGES = {
    "scm-timestamping.fail.pkt": "scm-timestamping.fail.pkt:19: recvmsg(): control message 0: expected "
                                 "scm_timestamping at 2.500000 s but got",
    "blocking-own-tolerance.fail.pkt": "blocking-own-tolerance.fail.pkt:12: poll(): blocking call did not "
                                       "return by",
    "simultaneous-open.fail.pkt": "simultaneous-open.fail.pkt:11: tcp options: expected <nop,nop,sack "
                                  "2468:2469> vs actual <nop,nop,sack 1234:1235>",
    "ts-ecr-scaled.fail.pkt": "ts-ecr-scaled.fail.pkt:12: unable to infer live TS ecr for script TS ecr 699",
    "zerocopy-frags.fail.pkt": "zerocopy-frags.fail.pkt:14:",
}


@pytest.fixture(scope="module")
def tap(synack_bin, tmp_path_factory):
    return require_tap(synack_bin, tmp_path_factory.mktemp("tapparity"), HERE / "gso-mss.pkt", "--tolerance-usecs", TOL)


def tap_run(synack_bin, tmp, name, *extra):
    res = run(synack_bin, "run", "--dut", "tap", "--tolerance-usecs", TOL, "--pcap-dir", tmp, *extra,
              HERE / name, cwd=tmp)
    verdict = res.stdout.split(None, 1)[0] if res.stdout.strip() else ""
    return res, verdict


@pytest.mark.parametrize("name", SCRIPTS)
def test_tap_parity(synack_bin, tap, name):
    res, verdict = tap_run(synack_bin, tap, name, *ADDRS)
    want = "FAIL" if name.endswith(".fail.pkt") else "PASS"
    if verdict != want and want == "PASS" and "timing error" in res.stdout:
        res, verdict = tap_run(synack_bin, tap, name, *ADDRS)  # load, once (tests/e2e/test_suites.py)
    assert verdict == want, res.stdout + res.stderr
    if want == "FAIL":
        assert FAIL_MESSAGES[name] in res.stdout, res.stdout
        assert res.returncode == 1
    else:
        assert res.returncode == 0, res.stdout + res.stderr


def test_every_failing_script_has_its_message():
    assert sorted(FAIL_MESSAGES) == sorted(n for n in SCRIPTS if n.endswith(".fail.pkt"))


def test_script_address_without_the_flag(synack_bin, tap):
    """Without --local-ip the script's own --local_ip=192.168.0.9 is the
    DUT's, and local-ip.pkt's shell check for 192.168.0.1 fails."""
    res, verdict = tap_run(synack_bin, tap, "local-ip.pkt")
    assert verdict == "FAIL", res.stdout + res.stderr
    assert "local-ip.pkt:8: error executing" in res.stdout and "non-zero status 1" in res.stdout, res.stdout


def test_gso_mss_unsupported_on_sim(synack_bin, tmp_path):
    """sim writes no virtio header: --mss stays unsupported there, named
    with its line."""
    res = run(synack_bin, "run", "--dut", "sim", "--ignore=options,win", HERE / "gso-mss.pkt", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("UNSUPPORTED"), res.stdout
    assert "gso-mss.pkt:5: --mss=1000: synack does not support inbound segments coalesced into GSO packets" \
        in res.stdout, res.stdout
