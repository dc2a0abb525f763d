"""The conformance suites (conformance/suites/) end to end.

* sim: every script, under every RFC profile combination (computed from
  the headers, suite_headers.py), passes or is skipped for a stated profile
  reason; a script that does not name an RFC profile passes under both of
  its values (suites README "Naming"). The scripts failing on known stack
  bugs are xfail(strict=True): the test flips when core/ is fixed.
* tap (the Linux kernel in a network namespace, the reference DUT): where
  the machine can (root, /dev/net/tun, a netns the adapter can open), every
  profile-compatible script passes, and every script whose profiles Linux
  follows (the window-edge twins with Linux's window among them) is run; a
  script Linux fails must be tagged with a behaviour profile naming the
  reason (conformance/README.md "Profiles").
  The packetdrill-linux set passes there exactly, with no --ignore.
* packetdrill-linux on sim with --ignore=options,win: runs; exit 0, or 1
  with a per-field verifier message for each difference, which the test
  prints as "ours:" lines (our behavioural differences from Linux).
* mutations (--mutate, conformance/engine/dut_mutate.c): the suites fail
  against a DUT whose SYN-ACKs ack 0, or whose RSTs carry seq+1, naming
  the field.
* `synack run` with no argument: the set expected to pass on sim.

The tap runs are real time; they use --tolerance-usecs 50000 (Linux's timer
wheel, a loaded machine), and a script that fails in the parallel run is run
again once on its own before it counts as failed (load, not behaviour; the
verdict of the second run is the one asserted). No assertion here is about
how long anything took.
"""
import json
import os
import re
import subprocess

import pytest

from suite_headers import DEFAULT, RFC_PROFILES, REPO, SUITES, all_scripts, every_combination, profiles

ALL = all_scripts()
LINUX_WIRE = [s for s in ALL if s.startswith("packetdrill-linux/")]
# The behaviour profiles each adapter follows (conformance/README.md
# "Profiles"; `synack help run` says the same).
FOLLOWS = {"sim": {"synack-params", "rfc9293-strict"},
           "tap": {"linux-wire", "linux-params", "linux-right-edge"}}


def runs_on(dut, script):
    """Whether the script's behaviour profiles let `dut` run it (under some
    RFC profile combination; tap never runs rfc5961=off)."""
    rfc, beh = profiles(script)
    if dut == "tap" and rfc.get("rfc5961") == "off":
        return False
    return all((v == "on") == (n in FOLLOWS[dut]) for n, v in beh.items())

# Scripts expected to fail on the sim DUT because of a known stack bug, with
# the reason (xfail, strict: a fix turns them into failures until the entry
# goes). Empty: the suites pass on our stack.
KNOWN_STACK_BUGS = {}

SIM_PROFILES = every_combination()  # the sim DUT runs each of them
# Linux always runs RFC 5961: the combinations the tap adapter accepts
# (tap_profiles() asks synack; a --dry-run needs no root).
TAP_TOLERANCE = "50000"


def synack(synack_bin, *args, cwd, timeout=600):
    return subprocess.run([str(synack_bin), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def records(res):
    """{script relative to suites/: record} from --json output."""
    out = {}
    for line in res.stdout.splitlines():
        rec = json.loads(line)
        if "script" in rec:
            out[rec["script"].split("conformance/suites/", 1)[-1]] = rec
    return out


def run_json(synack_bin, tmp, *args, timeout=600):
    res = synack(synack_bin, "run", *args, "--json", "--pcap-dir", tmp / "failures",
                 cwd=REPO, timeout=timeout)
    assert res.returncode in (0, 1), res.stdout[-2000:] + res.stderr
    return res, records(res)


def script_param(name, known_bugs):
    marks = []
    if name in known_bugs:
        marks.append(pytest.mark.xfail(strict=True, reason=known_bugs[name]))
    return pytest.param(name, marks=marks, id=name)


# ---------------------------------------------------------------- sim

@pytest.fixture(scope="session")
def sim_results(synack_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sim")
    out = {}
    for prof in SIM_PROFILES:
        _, out[prof] = run_json(synack_bin, tmp, "--dut", "sim", "--profile", prof, "-j", "2",
                                SUITES)
    return out


@pytest.mark.parametrize("script", [script_param(s, KNOWN_STACK_BUGS) for s in ALL])
def test_sim(sim_results, script):
    ran = False
    for prof, recs in sim_results.items():
        rec = recs[script]
        msgs = "\n".join(rec["messages"])
        assert rec["verdict"] in ("pass", "skipped"), f"--profile {prof}: {rec['verdict']}\n{msgs}"
        if rec["verdict"] == "skipped":
            assert "skipped: " in msgs and "profile" in msgs, msgs
        ran |= rec["verdict"] == "pass"
    if script in LINUX_WIRE:
        assert not ran, "a linux-wire script ran on sim without --ignore=options,win"
        msgs = "\n".join(sim_results[SIM_PROFILES[0]][script]["messages"])
        assert "needs profile linux-wire" in msgs and "sim does not follow it" in msgs, msgs
        return
    if not runs_on("sim", script):  # Linux's own numbers or behaviour: the tap DUT's
        assert not ran, f"{script} names a profile sim does not follow, yet ran on sim"
        msgs = "\n".join(m for recs in sim_results.values() for m in recs[script]["messages"])
        assert re.search(r"skipped: (needs )?profile [a-z0-9=-]+ \(.+\); sim (does not )?follows? it",
                         msgs), msgs
        return
    assert ran, f"{script} is skipped under every profile the sim DUT runs"
    # A script that leaves an RFC profile open holds under both of its values.
    rfc, _ = profiles(script)
    for name in RFC_PROFILES:
        if name in rfc:
            continue
        passed = {dict(kv.split("=") for kv in prof.split(",")).get(name, DEFAULT[name])
                  for prof, recs in sim_results.items() if recs[script]["verdict"] == "pass"}
        assert passed == {"on", "off"}, \
            f"{script} names no {name} profile but passed only with {name}={passed}"


def test_sim_skip_reasons_name_the_profile(synack_bin, tmp_path):
    res, recs = run_json(synack_bin, tmp_path, "--dut", "sim", SUITES)
    skips = {s: r for s, r in recs.items() if r["verdict"] == "skipped"}
    assert skips
    for script, rec in skips.items():
        msg = rec["messages"][0]
        assert (re.search(r"skipped: needs profile [a-z0-9-]+ \(.+\); sim does not follow it", msg)
                or re.search(r"skipped: profile [a-z0-9-]+=off \(.+\); sim follows it", msg)
                or re.search(r"skipped: profile (rfc5961|rfc1337|timewait-recycle)=(on|off), the DUT runs", msg)), msg


# ---------------------------------------------------------------- tap

def tap_unavailable(synack_bin, tmp):
    """Why the tap DUT cannot run here, or None."""
    if os.geteuid() != 0:
        return "the tap DUT needs root (a network namespace and a TAP device)"
    if not os.path.exists("/dev/net/tun"):
        return "the tap DUT needs /dev/net/tun"
    res = synack(synack_bin, "run", "--dut", "tap", "smoke/refused.pkt", "--pcap-dir",
                 tmp / "probe", "--tolerance-usecs", TAP_TOLERANCE, cwd=REPO, timeout=120)
    if "did not start" in res.stdout + res.stderr:
        line = [l for l in (res.stdout + res.stderr).splitlines() if "did not start" in l]
        return "the tap DUT cannot open a network namespace here: " + line[0].strip()
    if res.returncode != 0:
        return "the tap DUT does not run the smoke script here:\n" + res.stdout + res.stderr
    return None


@pytest.fixture(scope="session")
def tap_ok(synack_bin, tmp_path_factory):
    why = tap_unavailable(synack_bin, tmp_path_factory.mktemp("tapprobe"))
    if why:
        pytest.skip(why)
    return True


def tap_profiles(synack_bin):
    return [p for p in SIM_PROFILES
            if synack(synack_bin, "run", "--dut", "tap", "--dry-run", "--profile", p, "smoke",
                      cwd=REPO).returncode != 2]


@pytest.fixture(scope="session")
def tap_results(synack_bin, tmp_path_factory, tap_ok):
    tmp = tmp_path_factory.mktemp("tap")
    out = {}
    for prof in tap_profiles(synack_bin):
        _, recs = run_json(synack_bin, tmp, "--dut", "tap", "--profile", prof, "-j", "4",
                           "--tolerance-usecs", TAP_TOLERANCE, SUITES, timeout=1800)
        for script, rec in recs.items():
            if rec["verdict"] == "fail":  # once more on its own: load, not behaviour
                _, again = run_json(synack_bin, tmp, "--dut", "tap", "--profile", prof,
                                    "--tolerance-usecs", TAP_TOLERANCE, SUITES / script)
                recs[script] = next(iter(again.values()))
        out[prof] = recs
    return out


@pytest.mark.parametrize("script", ALL)
def test_tap(tap_results, script):
    """Linux passes every script whose profiles it follows; the others are
    skipped, each with the profile that names the reason."""
    ran = False
    for prof, recs in tap_results.items():
        rec = recs[script]
        msgs = "\n".join(rec["messages"])
        assert rec["verdict"] in ("pass", "skipped"), f"--profile {prof}: {rec['verdict']}\n{msgs}"
        if rec["verdict"] == "skipped":
            assert (re.search(r"skipped: needs profile (synack-params|rfc9293-strict) \(.+\); "
                              r"tap does not follow it", msgs)
                    or re.search(r"skipped: profile (linux-[a-z-]+)=off \(.+\); tap follows it", msgs)
                    or "skipped: profile rfc5961=off, the DUT runs rfc5961=on" in msgs
                    or re.search(r"skipped: profile (rfc1337|timewait-recycle)=(on|off), the DUT runs", msgs)), msgs
        ran |= rec["verdict"] == "pass"
    # Every script Linux can run was run: the window-edge twins
    # (linux-params) check the edge arithmetic against a real stack.
    assert ran == runs_on("tap", script), f"{script}: ran on tap {ran}, expected {runs_on('tap', script)}"


def test_tap_packetdrill_linux_exact(synack_bin, tmp_path, tap_ok):
    """The Linux-written scripts pass on Linux as packetdrill would: no field
    ignored, none skipped."""
    res, recs = run_json(synack_bin, tmp_path, "--dut", "tap", "--tolerance-usecs", TAP_TOLERANCE,
                         "packetdrill-linux", timeout=900)
    failed = [s for s, r in recs.items() if r["verdict"] != "pass"]
    for script in failed:  # once more on its own: load, not behaviour
        _, again = run_json(synack_bin, tmp_path, "--dut", "tap", "--tolerance-usecs",
                            TAP_TOLERANCE, SUITES / script)
        recs[script] = next(iter(again.values()))
    assert sorted(recs) == LINUX_WIRE
    bad = {s: r["messages"] for s, r in recs.items() if r["verdict"] != "pass"}
    assert not bad, bad


# ---------------------------------------------------------------- packetdrill-linux on sim

FIELD_MSG = re.compile(r"\.pkt:\d+: (tcp|ip) [a-z ]+: expected .* vs actual |"
                       r"\.pkt:\d+: (expected|unexpected|timing error|event|state|syscall|"
                       r"[a-z_]+\(\))")


def test_packetdrill_linux_on_sim_with_ignore(synack_bin, tmp_path):
    """Decision (documented in conformance/suites/README.md): with
    --ignore=options,win the Linux-written scripts all run on sim (none
    skipped); the run exits 0, or 1 when a script finds a behavioural
    difference of ours, each stated by a per-field verifier message. The
    differences are printed here as "ours:" lines; today there are none."""
    res, recs = run_json(synack_bin, tmp_path, "--dut", "sim", "--ignore=options,win",
                         "packetdrill-linux")
    assert sorted(recs) == LINUX_WIRE
    assert all(r["verdict"] in ("pass", "fail") for r in recs.values()), recs
    failed = {s: r for s, r in recs.items() if r["verdict"] == "fail"}
    assert res.returncode == (1 if failed else 0)
    for script, rec in sorted(failed.items()):
        assert rec["messages"] and all(FIELD_MSG.search(m) for m in rec["messages"]), rec
        for m in rec["messages"]:
            print("ours:", m)
    if not failed:
        print("ours: none: every packetdrill-linux script passes on sim with --ignore=options,win")
    # Without the ignore, sim does not follow linux-wire: all skipped, reason printed.
    res = synack(synack_bin, "run", "--dut", "sim", "packetdrill-linux", cwd=REPO)
    assert res.returncode == 0
    assert res.stdout.count("skipped: needs profile linux-wire") == len(LINUX_WIRE)


# ---------------------------------------------------------------- mutations

SYNACK_OUT = re.compile(r"^\s*\S+\s+>\s+S\.\s", re.M)
RST_OUT = re.compile(r"^\s*\S+\s+>\s+R\.?\s", re.M)


def test_mutation_synack_ack0(synack_bin, tmp_path):
    """A DUT whose SYN-ACKs acknowledge 0: every handshake and seed script
    that expects a SYN-ACK fails, and says so about the ack field."""
    res, recs = run_json(synack_bin, tmp_path, "--dut", "sim", "--mutate", "synack-ack0",
                         "seed", "smoke", "rfc9293/handshake")
    assert res.returncode == 1
    checked = 0
    for script, rec in recs.items():
        if rec["verdict"] == "skipped" or not SYNACK_OUT.search((SUITES / script).read_text()):
            continue
        checked += 1
        msgs = "\n".join(rec["messages"])
        assert rec["verdict"] == "fail", script
        assert re.search(r"tcp ack: expected \d+ \(abs \d+\) vs actual \d+ \(abs 0\)", msgs), msgs
    assert checked >= 8
    assert "passive-open.pkt:6: tcp ack: expected 1 (abs 1) vs actual 0 (abs 0)" in res.stdout


def test_mutation_rst_seq_plus_1(synack_bin, tmp_path):
    """A DUT whose RSTs carry seq+1: every reset script that expects a RST
    fails on the seq field."""
    res, recs = run_json(synack_bin, tmp_path, "--dut", "sim", "--mutate", "rst-seq+1",
                         "rfc9293/reset", "rfc9293/syn-sent", "seed")
    assert res.returncode == 1
    checked = 0
    for script, rec in recs.items():
        if script in KNOWN_STACK_BUGS or rec["verdict"] == "skipped":
            continue
        if not RST_OUT.search((SUITES / script).read_text()):
            continue
        checked += 1
        msgs = "\n".join(rec["messages"])
        assert rec["verdict"] == "fail", script
        assert re.search(r"tcp seq: expected \d+ \(abs \d+\) vs actual \d+", msgs), msgs
    assert checked >= 30
    assert "closed/ack.pkt:8: tcp seq: expected 5000 (abs 5000) vs actual 5001 (abs 5001)" in res.stdout


def test_mutation_usage(synack_bin):
    res = synack(synack_bin, "run", "--mutate", "nope", "smoke", cwd=REPO)
    assert res.returncode == 2
    assert "--mutate: unknown mutation 'nope' (known: synack-ack0, rst-seq+1, rtx-stop)" in res.stderr
    res = synack(synack_bin, "help", "run", cwd=REPO)
    assert res.returncode == 0 and "--mutate NAME" in res.stdout and "rst-seq+1" in res.stdout


# ---------------------------------------------------------------- the default set

def test_default_run_is_the_sim_set(synack_bin, tmp_path):
    """`synack run` with no argument: every suite on sim, linux-wire scripts
    skipped with the reason; only the known stack bugs may fail."""
    res = synack(synack_bin, "run", "--pcap-dir", tmp_path, "--json", cwd=REPO)
    recs = records(res)
    assert sorted(recs) == ALL
    failed = sorted(s for s, r in recs.items() if r["verdict"] != "pass" and r["verdict"] != "skipped")
    assert set(failed) <= set(KNOWN_STACK_BUGS), failed
    assert res.returncode == (1 if failed else 0), res.stderr
    for s in LINUX_WIRE:
        assert recs[s]["verdict"] == "skipped" and "needs profile linux-wire" in recs[s]["messages"][0]
