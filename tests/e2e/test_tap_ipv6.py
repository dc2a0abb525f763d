"""IPv6 runs of packetdrill scripts on the tap DUT (issue 11).

`synack run --dut tap --ip-version ipv6` runs a script in packetdrill's
language the way packetdrill's run_all.py runs it with --ip_version=ipv6:
AF_INET6 sockets, a `...` sockaddr a sockaddr_in6 of the run's addresses
(fd3d:a0b:17d6::1 for the DUT, fd3d:fa7b:d17d::1 for the peer), IPv6 on
tun0 with MTU 1520 (so the MSS is 1460, as IPv4's), and `icmp` lines as
ICMPv6. The scripts in tests/e2e/tap_ipv6/ pass (or, named *.fail.pkt,
fail with the message below); under ipv4-mapped-ipv6 the sockets are
AF_INET6 with v4-mapped addresses and the wire is IPv4. On sim an IPv6 run
is unsupported with the reason, never a parse error.

Needs root and /dev/net/tun (skipped with the reason otherwise). Real
time: --tolerance-usecs 50000 for a loaded machine; no assertion is about
how long anything took.
"""
import pathlib

import pytest

from tap_probe import require_tap, run

HERE = pathlib.Path(__file__).resolve().parent / "tap_ipv6"
SCRIPTS = sorted(p.name for p in HERE.glob("*.pkt"))
TOL = "50000"

FAIL_MESSAGES = {
    "wrong-mss.fail.pkt": "tcp options: expected <mss 1440,nop,wscale 7> vs actual <mss 1460,nop,wscale 7>",
    "packet-too-big-ignored.fail.pkt": "AssertionError: 1520",
    "sockaddr6-other.fail.pkt": "bind(): expected result 0 but got -1 EADDRNOTAVAIL",
}


@pytest.fixture(scope="module")
def tap(synack_bin, tmp_path_factory):
    return require_tap(synack_bin, tmp_path_factory.mktemp("tapv6"), HERE / "client.pkt", "--ip-version", "ipv6",
                       "--tolerance-usecs", TOL, python=True, ipv6=True)


def run_tap(synack_bin, tmp, name, version="ipv6"):
    res = run(synack_bin, "run", "--dut", "tap", "--ip-version", version, "--tolerance-usecs", TOL,
              "--pcap-dir", tmp, HERE / name, cwd=tmp)
    verdict = res.stdout.split(None, 1)[0] if res.stdout.strip() else ""
    return res, verdict


def run_retry(synack_bin, tmp, name, want, version="ipv6"):
    res, verdict = run_tap(synack_bin, tmp, name, version)
    if verdict != want and want == "PASS" and "timing error" in res.stdout:
        res, verdict = run_tap(synack_bin, tmp, name, version)  # load, once (tests/e2e/test_suites.py)
    return res, verdict


@pytest.mark.parametrize("name", SCRIPTS)
def test_tap_ipv6(synack_bin, tap, name):
    want = "FAIL" if name.endswith(".fail.pkt") else "PASS"
    res, verdict = run_retry(synack_bin, tap, name, want)
    assert verdict == want, res.stdout + res.stderr
    if want == "FAIL":
        assert FAIL_MESSAGES[name] in res.stdout, res.stdout
        assert res.returncode == 1
    else:
        assert res.returncode == 0, res.stdout + res.stderr


def test_every_failing_script_has_its_message():
    assert sorted(FAIL_MESSAGES) == sorted(n for n in SCRIPTS if n.endswith(".fail.pkt"))


def test_failure_shows_ipv6(synack_bin, tap):
    """A failure's ladder names the IPv6 endpoints and its pcap holds the
    exchange as IPv6 (LINKTYPE_RAW), as it was on tun0."""
    res, verdict = run_tap(synack_bin, tap, "wrong-mss.fail.pkt")
    assert verdict == "FAIL", res.stdout
    assert "peer [fd3d:fa7b:d17d::1]:" in res.stdout and "DUT [fd3d:a0b:17d6::1]:8080" in res.stdout, res.stdout
    pcaps = sorted(pathlib.Path(tap).glob("*wrong-mss.fail.pcap"))
    assert pcaps, list(pathlib.Path(tap).iterdir())
    data = pcaps[-1].read_bytes()
    # pcap header (24 bytes), then records: 16-byte header, a raw datagram.
    first = data[24 + 16]
    assert first >> 4 == 6, data[:64].hex()


def test_ipv4_socket_is_not_ipv6(synack_bin, tap):
    """The same server script over IPv4: its socket is AF_INET, which has
    no IPV6_V6ONLY, so the IPv6 runs' pass above is their AF_INET6 socket's."""
    res, verdict = run_tap(synack_bin, tap, "server.pkt", "ipv4")
    assert verdict == "FAIL", res.stdout
    assert "getsockopt(): expected result 0 but got -1 EOPNOTSUPP" in res.stdout, res.stdout


@pytest.mark.parametrize("name", ["server.pkt", "client.pkt"])
def test_tap_v4_mapped(synack_bin, tap, name):
    """--ip-version ipv4-mapped-ipv6: AF_INET6 sockets (IPV6_V6ONLY is
    there) with v4-mapped addresses, IPv4 on the wire."""
    res, verdict = run_retry(synack_bin, tap, name, "PASS", "ipv4-mapped-ipv6")
    assert verdict == "PASS", res.stdout + res.stderr


def test_synack_statements_over_ipv6_unsupported(synack_bin, tap):
    """A script with synack's own statements drives the tap DUT's IPv4
    sockets: over IPv6 it is unsupported with that reason."""
    script = pathlib.Path(__file__).resolve().parents[2] / "conformance" / "suites" / "smoke" / \
        "active_open_close.pkt"
    res = run(synack_bin, "run", "--dut", "tap", "--ip-version", "ipv6", script, cwd=tap)
    assert res.stdout.startswith("UNSUPPORTED"), res.stdout + res.stderr
    assert "only a script in packetdrill's language alone runs over IPv6" in res.stdout, res.stdout


@pytest.mark.parametrize("name", SCRIPTS)
def test_sim_ipv6_unsupported(synack_bin, tmp_path, name):
    """On sim (an IPv4 stack) an IPv6 run is unsupported, the construct and
    the reason named; not a parse error, not a failure."""
    res = run(synack_bin, "run", "--dut", "sim", "--ip-version", "ipv6", HERE / name, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("UNSUPPORTED"), res.stdout
    assert "--ip-version ipv6: the sim DUT runs IPv4 only" in res.stdout, res.stdout


def test_sim_ipv6_line_unsupported(synack_bin, tmp_path):
    """The script's own --ip_version=ipv6 line is named with its line."""
    script = tmp_path / "v6.pkt"
    script.write_text("--ip_version=ipv6\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n")
    res = run(synack_bin, "run", "--dut", "sim", script, cwd=tmp_path)
    assert res.stdout.startswith("UNSUPPORTED"), res.stdout
    assert "v6.pkt:1: --ip_version=ipv6: the sim DUT runs IPv4 only" in res.stdout, res.stdout
