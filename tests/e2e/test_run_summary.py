"""The end of `synack run`'s summary: how many scripts it skipped and the
command that runs each group of them (conformance/cli_run_report.c).

The commands must be real: each printed `synack run` line for the sim DUT
is run here and must run (not skip) the scripts the first run skipped.
"""
import json
import re
import shlex

import pytest

LISTEN = "0 listen 8080\n+0 < S 0:0(0) win 8192 <mss 536>\n+0 > S. 0:0(0) ack 1 <...>\n"
SCRIPTS = {
    "plain.pkt": "//! title: no profile\n" + LISTEN,
    "tw1337.rfc1337-on.pkt": "//! profile: rfc1337=on\n" + LISTEN,
    "rfc793.rfc5961-off.pkt": "//! profile: rfc5961=off\n" + LISTEN,
    "both.rfc5961-off.rfc1337-on.pkt": "//! profile: rfc5961=off rfc1337=on\n" + LISTEN,
    "linux.pkt": "//! profile: linux-wire\n" + LISTEN,
    "nowhere.rfc5961-off.pkt": "//! profile: rfc5961=off linux-wire\n" + LISTEN,
}
SUMMARY = re.compile(r"^skipped (\d+) of (\d+) scripts \(the reason is under each\); "
                     r"these commands run them:$", re.M)
COMMAND = re.compile(r"^  +(\d+)  (.*)$", re.M)


@pytest.fixture
def suite(tmp_path):
    d = tmp_path / "my suite"  # a blank: the printed command must quote it
    d.mkdir()
    for name, text in SCRIPTS.items():
        (d / name).write_text(text)
    return d


def commands(stdout):
    tail = stdout[SUMMARY.search(stdout).end():]
    return [(int(n), cmd) for n, cmd in COMMAND.findall(tail)]


def test_default_run_says_what_it_skipped_and_how_to_run_it(run_synack, suite, tmp_path):
    res = run_synack("run", "my suite", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    m = SUMMARY.search(res.stdout)
    assert m and (int(m.group(1)), int(m.group(2))) == (5, 6), res.stdout
    assert commands(res.stdout) == [
        (1, "synack run --profile rfc5961=off,rfc1337=off 'my suite'"),
        (1, "synack run --profile rfc5961=off,rfc1337=on 'my suite'"),
        (1, "synack run --profile rfc5961=on,rfc1337=on 'my suite'"),
        (1, "synack run --dut tap --profile rfc5961=on,rfc1337=off --tolerance-usecs 50000 'my suite'"),
        (1, "(no adapter here runs them)"),
    ], res.stdout


def test_nothing_skipped_no_commands(run_synack, suite, tmp_path):
    res = run_synack("run", suite / "plain.pkt", cwd=tmp_path)
    assert res.returncode == 0 and not SUMMARY.search(res.stdout), res.stdout


def test_json_summary_lists_the_commands(run_synack, suite, tmp_path):
    res = run_synack("run", "my suite", "--json", cwd=tmp_path)
    summary = json.loads(res.stdout.splitlines()[-1])["summary"]
    assert summary["skipped"] == sum(r["scripts"] for r in summary["rerun"]) == 5
    assert summary["rerun"][-1] == {"scripts": 1, "command": None}
    assert summary["rerun"][0]["command"] == "synack run --profile rfc5961=off,rfc1337=off 'my suite'"


def test_printed_sim_commands_run_the_skipped_scripts(run_synack, suite, tmp_path):
    first = run_synack("run", "my suite", "--json", cwd=tmp_path)
    recs = [json.loads(l) for l in first.stdout.splitlines()]
    skipped = {r["script"] for r in recs if r.get("verdict") == "skipped"}
    ran = set()
    for group in recs[-1]["summary"]["rerun"]:
        argv = shlex.split(group["command"] or "")
        if not argv or "--dut" in argv:
            continue  # tap: test_suites.py runs the suites there
        res = run_synack(*argv[1:], "--json", cwd=tmp_path)
        again = [json.loads(l) for l in res.stdout.splitlines() if '"script"' in l]
        passed = {r["script"] for r in again if r["verdict"] == "pass"}
        assert len(passed & skipped) >= group["scripts"], res.stdout
        ran |= passed & skipped
    assert skipped - ran == {"my suite/linux.pkt", "my suite/nowhere.rfc5961-off.pkt"}


def test_tap_run_points_back_to_sim(run_synack, suite, tmp_path):
    """The skip decision needs no DUT, so --dry-run shows it on any machine."""
    res = run_synack("run", "--dut", "tap", "--dry-run", "my suite", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    cmds = dict((c, n) for n, c in commands(res.stdout))
    assert cmds["synack run --profile rfc5961=off,rfc1337=off 'my suite'"] == 1
    assert cmds["synack run --profile rfc5961=off,rfc1337=on 'my suite'"] == 1
    assert cmds["synack run --dut tap --profile rfc5961=on,rfc1337=on --tolerance-usecs 50000 "
                "'my suite'"] == 1
