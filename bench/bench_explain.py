#!/usr/bin/python3
"""bench_explain.py - `synack explain --json` against tshark's expert
analysis (`tshark -r FILE -q -z expert`) on the same large capture, in
the same run: packets per second, the throughput ratio, and the peak RSS
of each (from wait4's rusage). Prints figures only; never passes or fails
on time.

    bench/bench_explain.py [--conversations N] [--segments D] [--keep FILE]

The capture comes from build/bench/gen_capture (12,000 conversations of
eight kinds - transfers, refused, aborts, the seed's bad SYN-ACK, RSTs
outside and inside the window, SYNs in ESTABLISHED, retransmissions with a
zero window - 64 open at a time, about a million packets).
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def measure(cmd):
    """Runs cmd with stdout to /dev/null; returns (wall s, peak RSS MB, exit)."""
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=null, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.stderr.close()
    return wall, ru.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=12000)
    ap.add_argument("--segments", type=int, default=300, help="data segments per transfer")
    ap.add_argument("--keep", help="keep the capture at this path")
    ap.add_argument("--synack", default=str(ROOT / "build" / "conformance" / "synack"))
    a = ap.parse_args()
    gen = ROOT / "build" / "bench" / "gen_capture"
    for f in (gen, pathlib.Path(a.synack)):
        if not f.exists():
            sys.exit(f"bench_explain: {f} is not built (cmake --build --preset default)")
    tmp = tempfile.mkdtemp(prefix="bench-explain-")
    cap = a.keep or os.path.join(tmp, "big.pcap")
    out = subprocess.run([str(gen), cap, str(a.conversations), str(a.segments)], capture_output=True, text=True,
                         check=True).stdout.strip()
    packets = int(out.split(": ")[2].split()[0])
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    sw, srss, src = measure(pin + [a.synack, "explain", "--json", cap])
    tshark = shutil.which("tshark")
    print(f"bench_explain: {packets} packets, {a.conversations} conversations ({os.path.getsize(cap) >> 20} MiB)")
    print(f"  synack explain --json  {sw:8.3f} s  {packets / sw:12.0f} packets/s  peak RSS {srss:7.1f} MB  "
          f"(exit {src})")
    if tshark:
        tw, trss, trc = measure(pin + [tshark, "-r", cap, "-q", "-z", "expert"])
        print(f"  tshark -q -z expert    {tw:8.3f} s  {packets / tw:12.0f} packets/s  peak RSS {trss:7.1f} MB  "
              f"(exit {trc})")
        print(f"  throughput ratio       {tw / sw:8.1f}x tshark (goal >= 10x)")
        print(f"  memory                 synack {srss:.1f} MB (goal <= 50 MB), tshark {trss:.1f} MB")
    else:
        print("  tshark not installed: no comparison")
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
