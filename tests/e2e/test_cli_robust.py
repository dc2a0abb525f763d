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
import resource
import signal
import subprocess

import pytest
from scapy.all import rdpcap

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
