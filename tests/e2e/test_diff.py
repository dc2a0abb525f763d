"""`synack diff`: differential campaigns between two DUTs.

* sim against sim: one stack twice, so every scenario agrees;
* sim against sim with a mutation (--mutate wraps DUT_B, engine/dut_mutate.c):
  the campaign must find it, shrink it, and write a script that passes on
  sim and fails on the mutated sim -- the proof the tool can see a
  difference at all;
* the same seed gives byte-identical output and files, with -j or without,
  straight through or stopped and resumed;
* bad flags, DUT names and --out states exit 2 with a message;
* sim against tap (Linux) where the machine allows it (root, /dev/net/tun,
  a namespace): a short campaign with a fixed seed, whose every divergence
  script replays on both DUTs as it says.
"""
import json
import os
import pathlib
import re
import signal
import subprocess
import time

import pytest

from test_suites import tap_unavailable

SEED = "11"


def diff(synack_bin, *args, cwd, timeout=300):
    return subprocess.run([str(synack_bin), "diff", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def totals(stdout):
    m = re.search(r": (\d+) scenarios\n  agree +(\d+)\n  explained +(\d+)\n  diverged +(\d+)\n  errors +(\d+)",
                  stdout)
    assert m, stdout
    return dict(zip(("n", "agree", "explained", "diverged", "errors"), map(int, m.groups())))


def tree(d):
    return {p.name: p.read_bytes() for p in sorted(pathlib.Path(d).iterdir())}


# ------------------------------------------------------------------ usage

@pytest.mark.parametrize("args,msg", [
    ((), "expected two DUTs"),
    (("sim",), "expected two DUTs"),
    (("sim", "sim", "sim"), "unexpected argument 'sim'"),
    (("sim", "nosuch"), "DUT_B 'nosuch'"),
    (("bogus", "sim"), "DUT_A 'bogus'"),
    (("-n", "0", "sim", "sim"), "-n: expected a count"),
    (("-n", "x", "sim", "sim"), "-n: expected a count"),
    (("-j", "0", "sim", "sim"), "-j: expected a number of jobs"),
    (("-j257", "sim", "sim"), "-j: expected a number of jobs"),
    (("--seed", "-1", "sim", "sim"), "--seed: expected a number"),
    (("--frobnicate", "sim", "sim"), "unknown option '--frobnicate'"),
    (("--mutate", "nosuch", "sim", "sim"), "--mutate"),
    (("--profile", "rfc5961=maybe", "sim", "sim"), "--profile"),
    (("--resume=yes", "sim", "sim"), "--resume: takes no value"),
    (("--out",), "--out: missing value"),
])
def test_usage_errors(synack_bin, tmp_path, args, msg):
    res = diff(synack_bin, *args, cwd=tmp_path)
    assert res.returncode == 2, res
    assert msg in res.stderr, res.stderr
    assert res.stderr.startswith("synack diff: "), res.stderr


def test_help(synack_bin, tmp_path):
    res = diff(synack_bin, "--help", cwd=tmp_path)
    assert res.returncode == 0
    assert "usage: synack diff" in res.stdout and "--resume" in res.stdout
    listed = subprocess.run([str(synack_bin), "--help"], capture_output=True, text=True).stdout
    assert re.search(r"^  diff ", listed, re.M), listed


def test_out_dir_states(synack_bin, tmp_path):
    res = diff(synack_bin, "--resume", "--out", "c", "sim", "sim", cwd=tmp_path)
    assert res.returncode == 2 and "no campaign to resume" in res.stderr, res.stderr
    assert diff(synack_bin, "-n", "5", "--out", "c", "sim", "sim", cwd=tmp_path).returncode == 0
    res = diff(synack_bin, "-n", "5", "--out", "c", "sim", "sim", cwd=tmp_path)
    assert res.returncode == 2 and "holds a campaign already" in res.stderr, res.stderr
    res = diff(synack_bin, "--seed", "2", "--resume", "--out", "c", "sim", "sim", cwd=tmp_path)
    assert res.returncode == 2 and "resume it with the same seed" in res.stderr, res.stderr
    (tmp_path / "f").write_text("x")
    res = diff(synack_bin, "--out", "f/sub", "sim", "sim", cwd=tmp_path)
    assert res.returncode == 2 and "--out f/sub: cannot create" in res.stderr, res.stderr


# ------------------------------------------------------------------ sim

def test_sim_against_itself_agrees(synack_bin, tmp_path):
    res = diff(synack_bin, "--seed", SEED, "-n", "300", "--out", "c", "sim", "sim", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    t = totals(res.stdout)
    assert t == {"n": 300, "agree": 300, "explained": 0, "diverged": 0, "errors": 0}
    assert res.stderr == ""  # progress only on a terminal
    assert (tmp_path / "c" / "summary.txt").read_text() == res.stdout
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("mutation", ["rst-seq+1", "synack-ack0"])
def test_mutation_is_found_and_shrunk(synack_bin, tmp_path, mutation):
    res = diff(synack_bin, "--seed", SEED, "-n", "300", "--mutate", mutation, "--out", "c", "sim", "sim",
               cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    t = totals(res.stdout)
    assert t["diverged"] > 0 and t["explained"] == 0 and t["errors"] == 0, res.stdout
    assert t["agree"] + t["diverged"] == 300
    files = sorted((tmp_path / "c").glob("div-*.pkt"))
    assert files, res.stdout
    for f in files:
        text = f.read_text()
        assert "// replayed on A: pass" in text, text
        assert "// replayed on B: fail" in text, text
        steps = int(re.search(r"shrunk from \d+ to (\d+) steps", text).group(1))
        assert steps <= 4, text
        # What the file says, `synack run` does: pass on sim, fail on the mutated sim.
        ok = subprocess.run([str(synack_bin), "run", "--dut", "sim", str(f), "--pcap-dir", "pa"],
                            cwd=tmp_path, capture_output=True, text=True)
        assert ok.returncode == 0, ok.stdout
        bad = subprocess.run([str(synack_bin), "run", "--dut", "sim", "--mutate", mutation, str(f),
                              "--pcap-dir", "pb"], cwd=tmp_path, capture_output=True, text=True)
        assert bad.returncode == 1, bad.stdout


def test_resend_timer_bounds_find_a_stack_that_stops_resending(synack_bin, tmp_path):
    """Retransmissions are normalised out of the comparison, but their timing
    is checked within stated bounds (trace.c check_rtx, KNOWN.md): a DUT whose
    resends stop after two (the rtx-stop mutation) breaks "it goes on", and
    only that is reported."""
    res = diff(synack_bin, "--seed", "1", "-n", "3000", "--mutate", "rtx-stop", "--out", "c", "sim", "sim",
               cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    t = totals(res.stdout)
    assert t["diverged"] > 0 and t["errors"] == 0, res.stdout
    firsts = re.findall(r"^scenario \d+: diverged (?!, like).*$", res.stdout, re.M)
    assert firsts and all("rtx timer: not resent" in line for line in firsts), res.stdout
    for f in sorted((tmp_path / "c").glob("div-*.pkt")):
        text = f.read_text()
        assert "// replayed on A: pass" in text and "// replayed on B: fail" in text, text
        bad = subprocess.run([str(synack_bin), "run", "--dut", "sim", "--mutate", "rtx-stop", str(f),
                              "--pcap-dir", "pb"], cwd=tmp_path, capture_output=True, text=True)
        assert bad.returncode == 1, bad.stdout


def test_generator_draws_shutdowns_and_skips_idle_waits(synack_bin, tmp_path):
    """Scenarios carry shutdown wr/rd/rdwr; and after an abort (no timer can
    run: the model's connection is gone) no step waits longer than 0.3 s,
    so a real-time DUT is not kept waiting for nothing (gen.c timer_pending)."""
    seen = set()
    for i in range(300):
        res = diff(synack_bin, "--seed", SEED, "--print", str(i), "sim", "sim", cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        times, after_abort = [], False
        for line in res.stdout.splitlines():
            m = re.match(r"^(\d+\.\d+|0)\s+(.*)$", line)
            if not m or m.group(2).startswith(">"):
                continue
            t, what = float(m.group(1)), m.group(2)
            seen.update(re.findall(r"^shutdown (wr|rd|rdwr)$", what))
            if after_abort:
                assert t - times[-1] <= 0.3 + 1e-9, res.stdout
            times.append(t)
            after_abort = after_abort or what == "abort"
    assert seen == {"wr", "rd", "rdwr"}, seen


def test_seed_reproduces_the_campaign(synack_bin, tmp_path):
    args = ("--seed", SEED, "-n", "200", "--mutate", "rst-seq+1")
    one = diff(synack_bin, *args, "--out", "one", "sim", "sim", cwd=tmp_path)
    two = diff(synack_bin, *args, "-j", "3", "--out", "two", "sim", "sim", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    norm = lambda s, d: s.replace(d + "/", "OUT/")
    assert norm(one.stdout, "one") == norm(two.stdout, "two")
    a, b = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert a.keys() == b.keys()
    for name in a:
        assert norm(a[name].decode(), "one") == norm(b[name].decode(), "two"), name
    other = diff(synack_bin, "--seed", "12", *args[2:], "--out", "three", "sim", "sim", cwd=tmp_path)
    assert norm(other.stdout, "three") != norm(one.stdout, "one")


def test_resume_continues_where_it_stood(synack_bin, tmp_path):
    args = ("--seed", SEED, "--mutate", "rst-seq+1")
    straight = diff(synack_bin, *args, "-n", "150", "--out", "s", "sim", "sim", cwd=tmp_path)
    first = diff(synack_bin, *args, "-n", "40", "--out", "r", "sim", "sim", cwd=tmp_path)
    rest = diff(synack_bin, *args, "-n", "150", "--resume", "--out", "r", "sim", "sim", cwd=tmp_path)
    assert straight.returncode == rest.returncode == 1
    assert first.returncode in (0, 1)
    # The scenario lines of both parts are the straight run's, and so is every file.
    lines = lambda s: [l for l in s.splitlines() if l.startswith(("scenario ", "  -> "))]
    assert [l.replace("r/", "s/") for l in lines(first.stdout) + lines(rest.stdout)] == lines(straight.stdout)
    assert rest.stdout.replace("r/", "s/").split("synack diff --seed")[-1] == \
        straight.stdout.split("synack diff --seed")[-1]
    a, b = tree(tmp_path / "s"), tree(tmp_path / "r")
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].decode().replace("r/", "s/") == b[name].decode().replace("r/", "s/"), name


def test_sigint_keeps_a_resumable_state(synack_bin, tmp_path):
    p = subprocess.Popen([str(synack_bin), "diff", "--seed", SEED, "-n", "100000000", "-j", "2", "--out", "c",
                          "sim", "sim"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = tmp_path / "c" / "state"
    deadline = time.monotonic() + 60
    while not state.exists() and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 128 + signal.SIGINT, (out, err)
    left = [x.name for x in (tmp_path / "c").iterdir()]
    assert left == ["state"], left  # no temporary file, no summary of an unfinished campaign
    text = state.read_text()
    done = int(re.search(r"^done (\d+)$", text, re.M).group(1))
    counts = [int(x) for x in re.search(r"^totals (\d+) (\d+) (\d+) (\d+)$", text, re.M).groups()]
    assert done > 0 and sum(counts) == done, text
    res = diff(synack_bin, "--seed", SEED, "-n", done + 10, "--resume", "-j", "2", "--out", "c", "sim", "sim",
               cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert totals(res.stdout) == {"n": done + 10, "agree": done + 10, "explained": 0, "diverged": 0,
                                  "errors": 0}


# ------------------------------------------------------------------ tap

@pytest.fixture(scope="module")
def tap_ok(synack_bin, tmp_path_factory):
    why = tap_unavailable(synack_bin, tmp_path_factory.mktemp("tapprobe"))
    if why:
        pytest.skip(why)


def test_sim_against_tap(synack_bin, tmp_path, tap_ok):
    """A short campaign against Linux (real time: 8 scenarios, 4 namespaces
    at once, about 20 s). Whatever it finds is explained by a profile of
    KNOWN.md or written as a script that replays as it says."""
    res = diff(synack_bin, "--seed", "3", "-n", "8", "-j", "4", "--shrink-tries", "4", "--out", "c", "sim", "tap",
               cwd=tmp_path, timeout=600)
    assert res.returncode in (0, 1), res.stdout + res.stderr
    t = totals(res.stdout)
    assert t["errors"] == 0, res.stdout
    assert t["agree"] + t["explained"] + t["diverged"] == 8
    assert t["agree"] > 0, res.stdout
    known = set(re.findall(r"^\| `([a-z0-9-]+)` \|",
                           (pathlib.Path(__file__).parents[2] / "conformance/diff/KNOWN.md").read_text(), re.M))
    for name in re.findall(r"^  profile (\S+)", res.stdout, re.M):
        assert name in known, name
    for f in (tmp_path / "c").glob("div-*.pkt"):
        text = f.read_text()
        assert "// replayed on A: pass" in text and "// replayed on B: fail" in text, text


def test_mutated_tap_is_found(synack_bin, tmp_path, tap_ok):
    """The same campaign with Linux's RSTs rewritten (seq + 1): the scenarios
    that agreed above now diverge, and no profile explains a RST whose
    number is wrong (not shrunk: a shrink on tap costs a run per try)."""
    res = diff(synack_bin, "--seed", "3", "-n", "8", "-j", "4", "--shrink-tries", "0", "--mutate", "rst-seq+1",
               "--out", "c", "sim", "tap", cwd=tmp_path, timeout=600)
    assert res.returncode == 1, res.stdout + res.stderr
    t = totals(res.stdout)
    assert t["diverged"] > 0 and t["agree"] == 0 and t["errors"] == 0, res.stdout
    for f in (tmp_path / "c").glob("div-*.pkt"):
        # Not shrunk, a scenario may go on past an action that fails on
        # sim itself (a `send` after a reset): its replay stops there too.
        text = f.read_text()
        assert re.search(r"^// replayed on A: (pass|fail: \S+: \w+: the DUT refused: )", text, re.M), text
        assert "// replayed on B: fail" in text, text


FOUND = pathlib.Path(__file__).parents[2] / "conformance" / "diff" / "found"


def test_found_scripts_pass_on_sim(synack_bin, tmp_path):
    """The divergences the tap campaigns found, shrunk: the `>` lines are
    what sim sent, so sim passes every one."""
    scripts = sorted(FOUND.glob("*.pkt"))
    assert len(scripts) >= 10
    res = subprocess.run([str(synack_bin), "run", "--dut", "sim", str(FOUND), "--pcap-dir", "p"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout
    known = set(re.findall(r"^\| `([a-z0-9-]+)` \|", (FOUND.parent / "KNOWN.md").read_text(), re.M))
    for f in scripts:
        name = re.search(r"profile `([a-z0-9-]+)`", f.read_text()).group(1)
        assert name in known, f


def test_found_scripts_fail_on_tap(synack_bin, tmp_path, tap_ok):
    """... and Linux differs from it in every one (a wrong field, a
    segment it did not send, or one more)."""
    res = subprocess.run([str(synack_bin), "run", "--dut", "tap", "-j", "4", "--json", str(FOUND), "--pcap-dir",
                          "p"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert res.returncode == 1, res.stdout + res.stderr
    verdicts = [json.loads(l)["verdict"] for l in res.stdout.splitlines() if l.startswith("{") and '"verdict"' in l]
    assert len(verdicts) == len(list(FOUND.glob("*.pkt"))), res.stdout
    assert set(verdicts) == {"fail"}, res.stdout


def test_campaign_scenario_is_classified(synack_bin, tmp_path, tap_ok):
    """Seed 1402's scenario 70092 (FIN at sim's right edge, data from one
    below RCV.NXT): a SYN or FIN counts in SEG.LEN, so the segment ends past
    sim's window and inside Linux's: `window-size`, not a divergence."""
    res = diff(synack_bin, "--seed", "1402", "--only", "70092", "-v", "--out", "c", "sim", "tap", cwd=tmp_path,
               timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "scenario 70092: window-size:" in res.stdout, res.stdout


@pytest.mark.parametrize("scenario,profile", [
    (1407, "linux-synrecv-synfin-dup"), (19830, "linux-orphan-ack"), (20286, "linux-rst-after-fin"),
    (24182, "linux-rst-after-fin"), (26390, "linux-timewait-data-ack"),
    (39316, "window-size"), (47997, "window-size"), (49277, "window-size"), (59065, "linux-orphan-rst"),
    (98780, "linux-rst-after-fin"),
])
def test_campaign_leftover_is_classified(synack_bin, tmp_path, tap_ok, scenario, profile):
    """Seed 1402's last unexplained divergences (issue 14): each is a known
    profile or a consequence of one (KNOWN.md names the scenario)."""
    res = diff(synack_bin, "--seed", "1402", "--only", str(scenario), "-v", "--out", "c", "sim", "tap", cwd=tmp_path,
               timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"scenario {scenario}: {profile}:" in res.stdout, res.stdout
