"""The tap DUT making a packetdrill script's system calls for real (issue 11).

The scripts in tests/e2e/tap_real/ are in packetdrill's language only, so
on --dut tap their calls run on a thread inside the DUT's namespace, their
shell lines run there with /bin/sh from the script's folder, and their
%{ }% blocks run with /usr/bin/python3 over the kernel's TCP_INFO. A script
named *.fail.pkt must fail, with the message given below (the kernel's
answer differs from what it says); the others must pass. Each construct
has one of each, so a construct that stops working, or stops being
checked, turns a test red.

The same scripts on sim: the shell lines and Python blocks, which need a
kernel, are unsupported with their reason; nothing is a parse error.

Needs root and /dev/net/tun (skipped with the reason otherwise). Real
time: --tolerance-usecs 50000 for a loaded machine; no assertion is about
how long anything took.
"""
import pathlib
import subprocess

import pytest

from tap_probe import require_tap, run

HERE = pathlib.Path(__file__).resolve().parent / "tap_real"
SCRIPTS = sorted(p.name for p in HERE.glob("*.pkt"))
TOL = "50000"

# What each failing script's message must say.
FAIL_MESSAGES = {
    "blocking-read-wrong-end.fail.pkt": "read(): timing error: expected system call return at 0.3",
    "wrong-errno.fail.pkt": "read(): expected errno ECONNRESET (Connection reset by peer) but got EAGAIN",
    "wrong-ioctl.fail.pkt": "ioctl(): expected value 499 but got 500",
    "shell-exit.fail.pkt": "error executing `exit 3` command: non-zero status 3",
    "python-assert.fail.pkt": "AssertionError: 1000",
    "ts-ecr-unknown.fail.pkt": "unable to infer live TS ecr for script TS ecr 555",
    "unknown-fd.fail.pkt": "runtime error in read call: read(): unable to find fd with script fd 7",
    "zerocopy-errqueue.fail.pkt": "recvmsg(): control message 0: expected ee_data 7 but got 0",
}


@pytest.fixture(scope="module")
def tap(synack_bin, tmp_path_factory):
    return require_tap(synack_bin, tmp_path_factory.mktemp("taprun"), HERE / "blocking-read.pkt", "--tolerance-usecs", TOL, python=True)


def first_run(synack_bin, tmp, name):
    res = run(synack_bin, "run", "--dut", "tap", "--tolerance-usecs", TOL, "--pcap-dir", tmp, HERE / name,
              cwd=tmp)
    verdict = res.stdout.split(None, 1)[0] if res.stdout.strip() else ""
    return res, verdict


@pytest.mark.parametrize("name", SCRIPTS)
def test_tap_real(synack_bin, tap, name):
    res, verdict = first_run(synack_bin, tap, name)
    want = "FAIL" if name.endswith(".fail.pkt") else "PASS"
    if verdict != want and want == "PASS" and "timing error" in res.stdout:
        res, verdict = first_run(synack_bin, tap, name)  # load, once (tests/e2e/test_suites.py)
    assert verdict == want, res.stdout + res.stderr
    if want == "FAIL":
        assert FAIL_MESSAGES[name] in res.stdout, res.stdout
        assert res.returncode == 1
    else:
        assert res.returncode == 0, res.stdout + res.stderr


def test_every_failing_script_has_its_message():
    assert sorted(FAIL_MESSAGES) == sorted(n for n in SCRIPTS if n.endswith(".fail.pkt"))


@pytest.mark.parametrize("name", ["python.pkt", "shell.pkt", "shell-exit.fail.pkt"])
def test_sim_says_why_not(synack_bin, tmp_path, name):
    """On sim a Python block or a shell line that is not only sysctls is
    unsupported, with the construct named; never a parse error."""
    res = run(synack_bin, "run", "--dut", "sim", "--ignore=options,win", HERE / name, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("UNSUPPORTED"), res.stdout
    why = "python block (tcp_info) cannot run on the sim DUT" if name == "python.pkt" else \
        "cannot run on the sim DUT"
    assert why in res.stdout, res.stdout


def test_parity_script_bad_usage(tmp_path):
    """scripts/packetdrill-parity.sh: a wrong argument is named, exit 2
    (the project never ships packetdrill: the user gives a binary)."""
    script = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "packetdrill-parity.sh"
    res = subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "usage:" in res.stderr, res.stderr
    missing = tmp_path / "no-packetdrill"
    res = subprocess.run(["sh", str(script), str(missing), str(tmp_path)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 2 and f"{missing}: not an executable packetdrill binary" in res.stderr, res.stderr
    fake = tmp_path / "packetdrill"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    res = subprocess.run(["sh", str(script), str(fake), str(tmp_path / "nowhere")], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2 and "nowhere: not a folder" in res.stderr, res.stderr
