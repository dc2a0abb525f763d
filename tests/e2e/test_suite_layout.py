"""The conformance suites as files: names, generated scripts, headers.

Static checks that need no DUT (the runs are in test_suites.py):
* the generated scripts are what scripts/gen_reset_matrix.py writes;
* a file name carries exactly the RFC profiles its `//! profile:` names
  (conformance/suites/README.md "Naming"), and no two files differ only in
  an RFC profile while holding the same script: such a pair is one file
  without the suffix;
* packetdrill-linux/ is packetdrill's syntax only (and, where packetdrill
  is installed, packetdrill accepts and passes every script);
* the README's commands, and the default run's summary, cover every
  combination of RFC profiles the headers need on each DUT (computed from
  the headers; which scripts a DUT can run at all is asked from synack
  with --dry-run, which needs no DUT).
"""
import json
import os
import re
import shutil
import subprocess

import pytest

from suite_headers import (DEFAULT, REPO, SUITES, all_scripts, combo, every_combination, name_suffix,
                           needed_combination, profiles)

ALL = all_scripts()


def events(script):
    """The script without its comments and header: what it does."""
    return [l.split("//", 1)[0].rstrip() for l in (SUITES / script).read_text().splitlines()
            if l.split("//", 1)[0].strip()]


def test_generated_scripts_are_in_sync():
    res = subprocess.run(["/usr/bin/python3", "scripts/gen_reset_matrix.py", "--check"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.strip().endswith(", 0 differ"), res.stdout


@pytest.mark.parametrize("script", ALL)
def test_name_carries_the_header_rfc_profiles(script):
    rfc, _ = profiles(script)
    assert name_suffix(script) == list(rfc.items()), \
        f"{script}: the header names {rfc or 'no RFC profile'}; the name must say the same"


def test_no_profile_pair_holds_the_same_script():
    """A cell that gives the same answer under both values of an RFC profile
    is one file that must pass under both (the suites' README), not two."""
    same = []
    for script in ALL:
        for name, value in name_suffix(script):
            if value != "on":
                continue
            twin = script.replace(f".{name}-on", f".{name}-off")
            if (SUITES / twin).exists() and events(script) == events(twin):
                same.append((script, twin))
    assert not same, f"{len(same)} pairs hold the same script, e.g. {same[:3]}"


# ---------------------------------------------------------------- profile combinations

def dry_run(synack_bin, dut, prof):
    """{script: verdict} of a --dry-run over every suite, or None when the
    DUT cannot run that profile at all (exit 2)."""
    res = subprocess.run([str(synack_bin), "run", "--dry-run", "--json", "--dut", dut, "--profile", prof,
                          str(SUITES)], cwd=REPO, capture_output=True, text=True, timeout=300)
    if res.returncode == 2 and "cannot run" in res.stderr:
        return None
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr
    out = {}
    for line in res.stdout.splitlines():
        rec = json.loads(line)
        if "script" in rec:
            out[rec["script"].split("conformance/suites/", 1)[-1]] = rec["verdict"]
    return out


def needed(synack_bin, dut):
    """The combinations the headers need on this DUT: each script's own
    (its header's RFC profiles, the default for the rest), for every
    script the DUT runs under some combination."""
    runs = {c: dry_run(synack_bin, dut, c) for c in every_combination()}
    runnable = {s for v in runs.values() if v for s, verdict in v.items() if verdict != "skipped"}
    want = {needed_combination(s) for s in runnable}
    assert all(runs[c] is not None for c in want), f"{dut} cannot run {want}"
    return want


def documented(dut):
    """The --profile values of the suites' README commands for this DUT
    (the default when a command has none)."""
    text = (SUITES / "README.md").read_text()
    out = set()
    for line in re.findall(r"^synack run .*$", text, re.M):
        argv = line.split("#", 1)[0].split()
        on = argv[argv.index("--dut") + 1] if "--dut" in argv else "sim"
        if on != dut or "--mutate" in argv or any(a.startswith("--ignore") for a in argv):
            continue
        out.add(argv[argv.index("--profile") + 1] if "--profile" in argv else combo(DEFAULT))
    return out


@pytest.mark.parametrize("dut", ["sim", "tap"])
def test_readme_commands_cover_every_combination_the_scripts_need(synack_bin, dut):
    """Issue 8 item 13: a script whose combination no documented command
    runs is never run. The dry run needs no root, so this holds anywhere."""
    want = needed(synack_bin, dut)
    assert want, dut
    missing = want - documented(dut)
    assert not missing, f"conformance/suites/README.md runs no {dut} command with --profile {missing}"


def test_default_summary_names_a_command_for_every_skipped_group(synack_bin):
    """`synack run` (every suite, default profile) ends with the commands
    that run what it skipped; the sim ones are the other combinations the
    headers need (scripts/quickstart.sh runs them from this list)."""
    res = subprocess.run([str(synack_bin), "run", "--dry-run", "--json"], cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    summary = json.loads(res.stdout.splitlines()[-1])["summary"]
    assert sum(r["scripts"] for r in summary["rerun"]) == summary["skipped"] > 0
    sim = {c["command"].split("--profile ")[1].split()[0] for c in summary["rerun"]
           if c["command"] and " --dut " not in c["command"]}
    assert needed(synack_bin, "sim") == sim | {combo(DEFAULT)}
    assert all(c["command"] for c in summary["rerun"]), "a skipped script no adapter runs"


# ---------------------------------------------------------------- window edges against Linux

SIM_EDGES = [s for s in ALL if "/window-edge/" in s and profiles(s)[0].get("rfc5961") != "off"]
OPPOSITE = {("linux-right-edge", "on"): ("linux-right-edge", "off"),
            ("rfc9293-strict", "off"): ("rfc9293-strict", "on")}


@pytest.mark.parametrize("script", SIM_EDGES)
def test_every_window_edge_has_a_linux_twin(script):
    """Issue 8 item 15: each edge the sim DUT checks with its window of 1024
    is also checked against Linux with Linux's window (test_suites.py runs
    the twins on tap); where Linux is not RFC 9293 the twin names the
    divergence and the sim script names the opposite."""
    twin = script.replace("/window-edge/", "/window-edge-linux/")
    assert (SUITES / twin).exists(), f"no Linux twin {twin}"
    rfc, beh = profiles(script)
    trfc, tbeh = profiles(twin)
    assert trfc == rfc and tbeh.get("linux-params") == "on" and "synack-params" not in tbeh
    text = (SUITES / twin).read_text()
    assert "win 64240" in text and f"Linux twin of {script}" in text
    for (name, value), (oname, ovalue) in OPPOSITE.items():
        assert (tbeh.get(name) == value) == (beh.get(oname) == ovalue), (name, tbeh, beh)
        if tbeh.get(name) == value:
            assert f"// Linux differs here: {twin}." in (SUITES / script).read_text()


def test_the_right_edge_is_named_where_linux_takes_it_inside():
    """RCV.NXT+RCV.WND is outside the window in RFC 9293 and inside in Linux
    (measured on the tap DUT): every RST twin at outside-right names
    linux-right-edge, and the one a byte further is dropped as the RFC says."""
    edges = [s for s in ALL if "/window-edge-linux/" in s and "/rst-outside-right" in s
             and "/time-wait/" not in s]
    assert len(edges) == 8
    for s in edges:
        assert profiles(s)[1].get("linux-right-edge") == "on", s
        beyond = s.split("/rst-")[0] + "/rst-beyond-right.pkt"
        assert (SUITES / beyond).exists() and "linux-right-edge" not in profiles(beyond)[1], beyond


# ---------------------------------------------------------------- SYN retransmission timing

def syn_windows(script):
    """The time specs of the DUT's SYN lines (`> S ...`), in order."""
    return [l.split()[0] for l in (SUITES / script).read_text().splitlines()
            if re.match(r"^\s*\S+\s+>\s+S\s", l)]


def inside(spec, prev, t, tol):
    """Whether a SYN seen at t matches `spec` (packetdrill / synack times:
    absolute, +relative to the previous SYN as seen, or a window of
    either), with the script's tolerance."""
    lo, _, hi = spec.partition("~")
    hi = hi or lo
    base = prev if lo.startswith("+") else 0.0
    return base + float(lo) - tol <= t <= base + float(hi) + tol


@pytest.mark.parametrize("gaps", [(1, 1), (1, 2)], ids=["linear-6.5", "doubling"])
@pytest.mark.parametrize("late", [0.0, 0.256])
def test_syn_retransmission_windows_hold_for_a_late_linux_timer(gaps, late):
    """Issue 8 item 16: the third SYN's window ended exactly at its nominal
    3 s, so any lateness failed it. Model Linux's SYN timer: the gaps after
    each SYN (1 s then 1 s with tcp_syn_linear_timeouts, 1 s then 2 s with
    doubling), each firing up to one timer-wheel slot late (256 ms at
    HZ=250); every SYN must match its line with the script's own
    tolerance, no more."""
    script = "packetdrill-linux/syn-retransmission.pkt"
    text = (SUITES / script).read_text()
    tol = int(re.search(r"--tolerance_usecs=(\d+)", text).group(1)) / 1e6
    specs = syn_windows(script)
    assert len(specs) == 3
    seen, prev = [0.0], 0.0
    for gap in gaps:
        prev += gap + late
        seen.append(prev)
    prev = 0.0
    for spec, t in zip(specs, seen):
        assert inside(spec, prev, t, tol), f"a SYN at {t:.3f} s does not match '{spec}'"
        prev = t


# ---------------------------------------------------------------- packetdrill-linux is packetdrill

PACKETDRILL_LINUX = [s for s in ALL if s.startswith("packetdrill-linux/")]
SYNACK_ONLY = [
    (re.compile(r">\s+nothing\b"), "`> nothing` (synack's silence)"),
    (re.compile(r"[\d)]!"), "a `!` number (nplab's / synack's absolute numbers)"),
    (re.compile(r"^\s*\S+\s+(listen|connect|send|recv|close|abort|event|state|counter)\b(?!\s*\()"),
     "a synack statement"),
    (re.compile(r"sa_family|sin_port|inet_addr"), "a sockaddr struct (packetdrill takes `...`)"),
    (re.compile(r"l_onoff|l_linger"), "struct linger members (packetdrill: {onoff=N, linger=N})"),
]
OPTION_LEN = {"mss": 4, "sackOK": 2, "TS": 10, "nop": 1, "wscale": 3, "eol": 1}


@pytest.mark.parametrize("script", PACKETDRILL_LINUX)
def test_packetdrill_linux_uses_only_packetdrill_syntax(script):
    """Issue 8 item 17: what packetdrill itself rejected in these scripts,
    each a parse or run-time error there (test_packetdrill_accepts checks
    against packetdrill where it is installed)."""
    first_syn = True
    for line in events(script):
        for pattern, what in SYNACK_ONLY:
            assert not pattern.search(line), f"{script}: {what}: {line}"
        m = re.match(r"^\s*\S+\s+<\s+(\S+)\s+(\d+):", line)
        if not m:
            continue
        assert re.search(r"\bwin \d+", line), f"{script}: an inbound segment without win: {line}"
        opts = re.search(r"<([^<>]*)>\s*$", line)
        if opts:
            size = sum(OPTION_LEN[o.split()[0]] for o in opts.group(1).split(","))
            assert size % 4 == 0, f"{script}: options of {size} bytes, not padded to 4: {line}"
        if "S" in m.group(1) and first_syn:
            # packetdrill numbers a segment without SYN from the peer's
            # first SYN, synack as written: the two agree when it is at 0.
            assert m.group(2) == "0", f"{script}: the peer's first SYN must start at 0: {line}"
            first_syn = False


def packetdrill():
    path = os.environ.get("PACKETDRILL") or shutil.which("packetdrill")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("packetdrill not found: set PACKETDRILL=/path/to/packetdrill (built from "
                    "github.com/google/packetdrill) to check packetdrill-linux against it")
    return path


@pytest.mark.parametrize("script", PACKETDRILL_LINUX)
def test_packetdrill_accepts(script):
    """The independent oracle: packetdrill parses each script (--dry_run)
    and, as root with `unshare`, runs it against this kernel in a network
    namespace of its own, as packetdrill's own suite does (once more on a
    failure: load, not behaviour; 50 ms tolerance as for the tap DUT)."""
    pd = packetdrill()
    path = SUITES / script
    res = subprocess.run([pd, "--dry_run", str(path)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return
    cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" --tolerance_usecs=50000 "$1"',
           pd, str(path)]
    for _ in range(2):
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if res.returncode == 0:
            break
    assert res.returncode == 0, res.stdout + res.stderr
