"""End-to-end robustness of the `synack` command line and its output files.

What a user meets when things go wrong around the tool rather than inside
the scripts: a full disk (simulated with RLIMIT_FSIZE, under which a write
past the limit fails with EFBIG instead of raising SIGXFSZ, or with
/dev/full, where every write fails with ENOSPC), an interrupt in the middle
of a run, an output path that names an input, malformed numbers, odd
directory trees. Every case must end with a message naming the place and
exit status 2 (130 after SIGINT), and no output file may be left behind
half-written: a file either holds the whole result (checked with scapy,
ElementTree) or does not exist under its name.
"""
import os
import pathlib
import resource
import signal
import subprocess
import time

import pytest
from scapy.all import rdpcap

REPO = pathlib.Path(__file__).resolve().parents[2]
SEED_SCRIPT = REPO / "conformance" / "suites" / "seed" / "server-acks-irs-plus-1.pkt"
FSIZE_LIMIT = 64 * 1024


def limited_fsize(limit=FSIZE_LIMIT):
    """preexec_fn: files may not grow past `limit` bytes (a full disk)."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def run(synack_bin, *args, cwd, preexec_fn=None, stdout=subprocess.PIPE):
    return subprocess.run([str(synack_bin), *map(str, args)], cwd=cwd, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=300, preexec_fn=preexec_fn)


def leftovers(d):
    """Temporary files an interrupted or failed write could leave in d."""
    return sorted(p.name for p in d.iterdir() if p.name.startswith("."))


# ---- item 26: pair --pcap checks every write ----

def test_pair_pcap_full_disk_exits_2_naming_the_file(synack_bin, tmp_path):
    pcap = tmp_path / "big.pcap"
    res = run(synack_bin, "pair", "--frames", "10000", "--pcap", pcap, cwd=tmp_path,
              preexec_fn=limited_fsize())
    assert res.returncode == 2, res.stdout + res.stderr
    assert f"synack pair: --pcap: {pcap}: write failed: File too large" in res.stderr
    # The summary does not announce a capture that was cut short.
    assert "capture:" not in res.stdout


def test_pair_pcap_dev_full_exits_2(synack_bin, tmp_path):
    res = run(synack_bin, "pair", "--frames", "100", "--pcap", "/dev/full", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "/dev/full: write failed: No space left on device" in res.stderr


# ---- item 27: outputs are complete or absent ----

def test_pair_pcap_full_disk_leaves_no_file(synack_bin, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    res = run(synack_bin, "pair", "--frames", "10000", "--pcap", out / "big.pcap", cwd=tmp_path,
              preexec_fn=limited_fsize())
    assert res.returncode == 2, res.stderr
    assert list(out.iterdir()) == []


def test_junit_full_disk_keeps_the_old_file(synack_bin, tmp_path):
    junit = tmp_path / "j.xml"
    junit.write_text("old\n")
    res = run(synack_bin, "run", "smoke", "--junit", junit, cwd=tmp_path, preexec_fn=limited_fsize(512))
    assert res.returncode == 2, res.stdout + res.stderr
    assert f"synack run: --junit: {junit}: write failed: File too large" in res.stderr
    assert junit.read_text() == "old\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("limit", [100, 300])
def test_pcap_dir_full_disk_leaves_only_whole_files(synack_bin, tmp_path, limit, jobs):
    # Under the seed's bug every seed script fails; its capture is ~150
    # bytes and its ladder ~560: at 300 bytes the captures fit and the
    # ladders do not, at 100 neither does.
    d = tmp_path / "fails"
    res = run(synack_bin, "run", "-j", jobs, "seed", "--mutate", "synack-ack0", "--pcap-dir", d, cwd=tmp_path,
              preexec_fn=limited_fsize(limit))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "write failed: File too large" in res.stderr
    assert leftovers(d) == []
    names = sorted(p.name for p in d.iterdir())
    for name in names:
        assert name.endswith(".pcap"), names  # no ladder fits
        assert len(rdpcap(str(d / name))) >= 2
    for line in res.stderr.splitlines():
        if "write failed" in line:
            path = line.split("--pcap-dir: ", 1)[1].split(": write failed", 1)[0]
            assert not (tmp_path / path).exists() and not (d / path).exists(), path
    assert (len(names) == 0) == (limit == 100)


def children(pid):
    path = f"/proc/{pid}/task/{pid}/children"
    if not os.path.exists(path):
        pytest.skip("this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): "
                    "the workers cannot be listed")
    with open(path) as f:
        return [int(x) for x in f.read().split()]


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(predicate, what, proc, bound=120.0):
    """Polls until predicate() holds; the bound only keeps a broken build
    from hanging the suite (it is not a timing assertion)."""
    end = time.monotonic() + bound
    while not predicate():
        assert proc.poll() is None, f"exited ({proc.returncode}) before {what}"
        assert time.monotonic() < end, f"never saw {what}"
        time.sleep(0.01)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_run_j2_stops_workers_and_leaves_no_partial_file(synack_bin, tmp_path, sig):
    # 4000 copies of a seed script, each failing under the seed's bug and
    # writing a capture and a ladder: far more work than happens before the
    # signal, so the run is always interrupted in the middle.
    text = SEED_SCRIPT.read_text()
    s = tmp_path / "s"
    s.mkdir()
    for i in range(4000):
        (s / f"c{i:04d}.pkt").write_text(text)
    d = tmp_path / "fails"
    junit = tmp_path / "j.xml"
    proc = subprocess.Popen([str(synack_bin), "run", "-j2", "--mutate", "synack-ack0", "--pcap-dir", str(d),
                             "--junit", str(junit), str(s)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers = []
    try:
        wait_for(lambda: d.is_dir() and len(os.listdir(d)) >= 20, "failure files", proc)
        workers = children(proc.pid)
        assert len(workers) == 2
        proc.send_signal(sig)  # the parent alone, not the process group
        proc.wait(timeout=120)
        assert [w for w in workers if alive(w)] == [], "a worker outlived the run"
        assert proc.returncode == 128 + sig, proc.stderr.read()
    finally:
        for w in workers:
            if alive(w):
                os.kill(w, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert not junit.exists()
    assert leftovers(d) == [] and leftovers(tmp_path) == []
    # Every file is whole: all captures are the same bytes (same script,
    # same seed), and each ladder is the first one with its script's name.
    pcaps = sorted(d.glob("*.pcap"))
    ladders = sorted(d.glob("*.ladder.txt"))
    assert pcaps and ladders
    ref = pcaps[0].read_bytes()
    assert len(rdpcap(str(pcaps[0]))) >= 2
    assert all(p.read_bytes() == ref for p in pcaps)
    ref_name = ladders[0].name.split(".")[0].split("-")[-1]
    ref_text = ladders[0].read_text()
    for lad in ladders:
        name = lad.name.split(".")[0].split("-")[-1]
        assert lad.read_text() == ref_text.replace(ref_name, name), lad.name


def test_sigint_during_pair_leaves_no_capture(synack_bin, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([str(synack_bin), "pair", "--frames", "10000000", "--pcap", str(out / "x.pcap")],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: any(p.stat().st_size > 1000 for p in out.iterdir()), "a capture being written", proc)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert proc.returncode == 130
    assert list(out.iterdir()) == []


# ---- item 28: an output may not overwrite an input ----

@pytest.mark.parametrize("how", ["same", "link", "in-dir"])
def test_junit_that_is_an_input_is_refused(synack_bin, tmp_path, how):
    d = tmp_path / "scripts"
    d.mkdir()
    script = d / "x.pkt"
    script.write_text(SEED_SCRIPT.read_text())
    before = script.read_bytes()
    if how == "same":
        junit, inputs = script, [script]
    elif how == "link":
        junit = tmp_path / "report.xml"
        junit.symlink_to(script)
        inputs = [script]
    else:
        junit, inputs = script, [d]
    res = run(synack_bin, "run", "--junit", junit, *inputs, cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert f"synack run: --junit: '{junit}' is the script '" in res.stderr
    assert "refusing to overwrite an input" in res.stderr
    assert res.stdout == ""  # refused before anything ran
    assert script.read_bytes() == before


def test_failure_file_linked_to_the_script_is_refused(synack_bin, tmp_path):
    # A --pcap-dir file name that is a link to the failing script itself:
    # writing the capture would replace the script (links are followed).
    script = tmp_path / "x.pkt"
    script.write_text(SEED_SCRIPT.read_text())
    before = script.read_bytes()
    d = tmp_path / "fails"
    d.mkdir()
    (d / "x.pcap").symlink_to(script)
    res = run(synack_bin, "run", "x.pkt", "--mutate", "synack-ack0", "--pcap-dir", "fails", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert ("synack run: --pcap-dir: x.pkt: refusing to overwrite the script with its own failure report"
            in res.stderr)
    assert script.read_bytes() == before


# ---- item 29: --shard is parsed like every other number ----

@pytest.mark.parametrize("value", ["-1/-1", "1/4294967297", "4294967296/4294967296", "0/1", "2/1", "1/0",
                                   " 1/2", "1/2 ", "+1/2", "1/+2", "1/2/3", "1", "/", "1/", "/2", "1.5/2",
                                   "1/99999999999999999999", ""])
def test_bad_shard_exits_2(synack_bin, tmp_path, value):
    res = run(synack_bin, "run", "smoke", "--dry-run", "--shard", value, cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr == ("synack run: --shard: expected I/N with 1 <= I <= N <= 4294967295, "
                          f"got '{value}'\n")
    assert res.stdout == ""


def test_largest_shard_count_is_accepted(synack_bin, tmp_path):
    # Shard 1 of 2^32-1 holds the first script, shard 2 nothing but runs.
    one = run(synack_bin, "run", "smoke", "--dry-run", "--shard", "1/4294967295", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert one.stdout.count("PARSED") == 1
    two = run(synack_bin, "run", "smoke", "--dry-run", "--shard", "4294967295/4294967295", cwd=tmp_path)
    assert two.returncode == 0, two.stderr
    assert two.stdout.count("PARSED") == 0


# ---- item 30: a write error on stdout is an error, for every verb ----

def verbs(synack_bin):
    out = subprocess.run([str(synack_bin), "--help"], capture_output=True, text=True, check=True).stdout
    listed = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in listed.splitlines() if line.strip()]


def to_dev_full(synack_bin, *args, cwd):
    with open("/dev/full", "w") as full:
        return run(synack_bin, *args, cwd=cwd, stdout=full)


def test_every_verb_help_to_dev_full_exits_2(synack_bin, tmp_path):
    vs = verbs(synack_bin)
    assert {"pair", "run"} <= set(vs)
    for argv in [["--help"], ["-h"], ["--version"], ["help"]] + [["help", v] for v in vs] + \
            [[v, "--help"] for v in vs]:
        res = to_dev_full(synack_bin, *argv, cwd=tmp_path)
        assert res.returncode == 2, argv
        assert res.stderr == "synack: error writing standard output: No space left on device\n", argv


@pytest.mark.parametrize("argv", [["run", "smoke"], ["run", "smoke", "--json"], ["run", "smoke", "-j2"],
                                  ["pair", "--frames", "10"]])
def test_verb_output_to_dev_full_exits_2(synack_bin, tmp_path, argv):
    res = to_dev_full(synack_bin, *argv, cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.endswith("synack: error writing standard output: No space left on device\n")


def test_closed_stdout_exits_2(synack_bin, tmp_path):
    res = subprocess.run([str(synack_bin), "--version"], stdout=None, stderr=subprocess.PIPE, text=True,
                         cwd=tmp_path, preexec_fn=lambda: os.close(1))
    assert res.returncode == 2
    assert res.stderr == "synack: error writing standard output: Bad file descriptor\n"


# ---- item 33: unknown names, empty arguments, symlink loops ----

@pytest.mark.parametrize("extra", [[], ["--dry-run"], ["--dut", "tap"]])
def test_unknown_counter_is_an_input_error_on_every_dut(synack_bin, tmp_path, extra):
    (tmp_path / "c.pkt").write_text("0 listen 8080\n+0 counter rst_out_of_windw == 1\n")
    res = run(synack_bin, "run", "c.pkt", *extra, cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert ("c.pkt:2:12: unknown counter 'rst_out_of_windw' (did you mean 'rst_out_of_window'?)"
            in res.stderr)


def test_unknown_errno_is_a_parse_error(synack_bin, tmp_path):
    (tmp_path / "e.pkt").write_text("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                                    "+0 connect(3, ..., ...) = -1 EFROB\n")
    res = run(synack_bin, "run", "e.pkt", "--dry-run", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "e.pkt:2:30: unknown errno name 'EFROB'" in res.stderr


@pytest.mark.parametrize("args", [[""], ["smoke", ""], ["", "--dry-run"]])
def test_empty_argument_runs_nothing(synack_bin, tmp_path, args):
    res = run(synack_bin, "run", *args, cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stdout == ""
    assert res.stderr == "synack run: '' is not a script, a directory or a suite (an empty name)\n"


def test_symlink_loop_is_searched_once(synack_bin, tmp_path):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "a.pkt").write_text("0 listen 8080\n")
    (d / "sub" / "b.pkt").write_text("0 listen 8080\n")
    (d / "loop").symlink_to(".")             # d/loop -> d
    (d / "sub" / "up").symlink_to("..")      # d/sub/up -> d
    (d / "again").symlink_to("sub")          # a second name for d/sub
    res = run(synack_bin, "run", "--dry-run", "d", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("PARSED") == 2, res.stdout
    assert "PARSED      d/a.pkt\n" in res.stdout
    assert "PARSED      d/again/b.pkt\n" in res.stdout or "PARSED      d/sub/b.pkt\n" in res.stdout
    assert "directory already searched" in res.stderr

