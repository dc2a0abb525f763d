"""The bad-input corpus (tests/bad-input/cases.txt): malformed command
lines, scripts and captures for every verb. Each case must

  - exit with the status it states (2), by exit() and not by a signal;
  - print a message holding its fragment, which names the place
    (file:line:col, frame N, the flag or the path);
  - report nothing from a sanitizer (the asan build can be SYNACK_BIN);
  - create or change no file in its working directory, except the ones
    it lists, which must then be whole (a page that ends, a capture scapy
    reads, XML that parses, a script that parses again).

Nothing is skipped: every case runs, every input file of the corpus is
used by a case, and every verb has cases (test_corpus_* below).
"""
import hashlib
import os
import pathlib
import shlex
import subprocess
import xml.etree.ElementTree as ET

import pytest
from scapy.all import rdpcap

REPO = pathlib.Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "bad-input"
VERBS = ["run", "explain", "replay", "pcap2script", "pair", "serve", "verify", "flash", "diff"]
SANITIZER = ("runtime error:", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer")


def load_cases():
    cases = []
    for n, line in enumerate((CORPUS / "cases.txt").read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        assert len(parts) in (4, 5), f"cases.txt:{n}: expected 4 or 5 fields: {line}"
        cid, status, args, fragment = parts[:4]
        leaves = parts[4].split() if len(parts) == 5 else []
        cases.append(pytest.param(int(status), shlex.split(args), fragment, leaves, id=cid))
    return cases


CASES = load_cases()


def snapshot(d):
    """Every file under d (links not followed) with its content hash."""
    out = {}
    for root, dirs, files in os.walk(d):
        for name in dirs + files:
            p = pathlib.Path(root) / name
            if p.is_symlink():
                out[str(p.relative_to(d))] = "link"
            elif p.is_file():
                out[str(p.relative_to(d))] = hashlib.sha1(p.read_bytes()).hexdigest()
            else:
                out[str(p.relative_to(d))] = "dir"
    return out


def inputs_digest():
    return {str(p.relative_to(CORPUS)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in CORPUS.rglob("*") if p.is_file()}


def check_whole(path, synack_bin, cwd):
    """A file a failing case may leave must hold a whole result."""
    data = path.read_bytes()
    if path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>"), f"{path.name} is cut short"
    elif path.suffix == ".xml":
        ET.fromstring(data)
    elif path.suffix == ".pcap":
        rdpcap(str(path))
    elif path.suffix == ".pkt":
        r = subprocess.run([str(synack_bin), "run", "--dry-run", str(path)], cwd=cwd, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
    else:
        pytest.fail(f"no check for {path.name}: say in the test how to tell it is whole")


@pytest.mark.parametrize("status,argv,fragment,leaves", CASES)
def test_bad_input(synack_bin, tmp_path, status, argv, fragment, leaves):
    (tmp_path / "in").symlink_to(CORPUS)
    (tmp_path / "suites").symlink_to(REPO / "conformance" / "suites")
    (tmp_path / "captures").symlink_to(REPO / "conformance" / "captures")
    before, before_inputs = snapshot(tmp_path), inputs_digest()
    r = subprocess.run([str(synack_bin), *argv], cwd=tmp_path, capture_output=True, text=True,
                       errors="replace", timeout=120, stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    assert r.returncode >= 0, f"killed by signal {-r.returncode}:\n{out}"
    assert not any(s in out for s in SANITIZER), out
    assert r.returncode == status, f"exit {r.returncode}, expected {status}:\n{out}"
    assert fragment in out, f"message does not say '{fragment}':\n{out}"
    after = snapshot(tmp_path)
    new = sorted(set(after) - set(before))
    changed = sorted(k for k in before if after.get(k) != before[k])
    assert changed == [], f"changed: {changed}"
    assert sorted(n for n in new if n not in leaves) == [], f"left behind: {new}\n{out}"
    for name in new:
        check_whole(tmp_path / name, synack_bin, tmp_path)
    assert inputs_digest() == before_inputs, "an input of the corpus was modified"


def test_corpus_every_input_is_used():
    text = (CORPUS / "cases.txt").read_text()
    unused = [str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
              if p.is_file() and p.parent != CORPUS and p.suffix in (".pkt", ".cap", ".elf")
              and f"in/{p.relative_to(CORPUS)}" not in text]
    assert unused == [], f"inputs no case uses: {unused}"


def test_corpus_covers_every_verb():
    first = {p.values[1][0] for p in CASES}
    assert sorted(set(VERBS) - first) == []
    assert len(CASES) >= 60


def test_corpus_ids_are_unique():
    ids = [p.id for p in CASES]
    assert len(ids) == len(set(ids))
