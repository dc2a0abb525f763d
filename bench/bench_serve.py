#!/usr/bin/env python3
"""bench_serve.py - what `synack serve` sustains with real peers. Prints
figures; never passes or fails on time.

  /usr/bin/python3 bench/bench_serve.py [SYNACK] [--mb N] [--conns N] [--burst N]

For each network back end (libslirp; a TAP device in serve's namespace,
when run as root), with our stack on the board:
  echo throughput    a client sends N MiB to the echo port and reads it
                     back (goodput each way, wall clock)
  connection set-up  N connections one after another (connect, one byte
                     echoed, close), and a burst opened at once
  virtual / wall     from serve's own summary: virtual time over wall
                     time while serving (1.0 = it kept up), the share of
                     wall time the simulation was busy, and how late the
                     latest event ran
and, for scale, the deterministic slirp run (the device as the client,
virtual time running free): virtual seconds simulated per wall second.

The board's figures are bounded by the simulated hardware, not by the
bridges: an 8 MHz SPI bus, and our stack's serving build with 16
connection blocks whose 256-byte send rings (the chip's 4 KB of spare
memory split 16 ways) are also its receive window.
"""
import argparse
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
DEVICE = "10.0.2.15"

ECHO = r"""
import socket, sys, threading, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = bytes(i % 251 for i in range(n))
s = socket.create_connection((host, port), timeout=300)
got = bytearray()
def rd():
    while True:
        b = s.recv(65536)
        if not b:
            break
        got.extend(b)
t = threading.Thread(target=rd)
t0 = time.monotonic()
t.start()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join()
dt = time.monotonic() - t0
print(len(got) == n and bytes(got) == data, dt)
"""

SEQUENTIAL = r"""
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ok = 0
t0 = time.monotonic()
for i in range(n):
    s = socket.create_connection((host, port), timeout=60)
    s.sendall(b"x")
    s.shutdown(socket.SHUT_WR)
    ok += s.recv(10) == b"x"
    s.close()
print(ok, time.monotonic() - t0)
"""

BURST = r"""
import socket, sys, threading, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ok = []
go = threading.Barrier(n + 1)
def one():
    go.wait()
    try:
        s = socket.create_connection((host, port), timeout=120)
        s.sendall(b"y")
        s.shutdown(socket.SHUT_WR)
        ok.append(s.recv(10) == b"y")
        s.close()
    except OSError:
        ok.append(False)
th = [threading.Thread(target=one) for _ in range(n)]
for t in th:
    t.start()
go.wait()
t0 = time.monotonic()
for t in th:
    t.join()
print(sum(ok), time.monotonic() - t0)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    def __init__(self, synack, *args):
        self.p = subprocess.Popen([synack, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        self.out = []
        ready = threading.Event()

        def rd():
            for line in self.p.stdout:
                self.out.append(line)
                if line.startswith("synack serve: ready"):
                    ready.set()
            ready.set()
        self.t = threading.Thread(target=rd, daemon=True)
        self.t.start()
        if not ready.wait(20) or self.p.poll() is not None:
            raise SystemExit("serve did not start: " + "".join(self.out) + self.p.stderr.read())

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        self.p.wait(60)
        self.t.join(5)
        return "".join(self.out)


def run_client(script, host, port, n, ns_pid=None):
    cmd = [sys.executable, "-c", script, host, str(port), str(n)]
    if ns_pid is not None:
        cmd = ["nsenter", "-t", str(ns_pid), "-n"] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        raise SystemExit(r.stdout + r.stderr)
    return r.stdout.split()


def clocks(summary):
    m = re.search(r"virtual/wall ([\d.]+)\); the simulation was busy ([\d.]+)% of it; events ran at most "
                  r"([\d.]+) ms late", summary)
    return m.groups() if m else ("?", "?", "?")


def bench_net(synack, name, mb, conns, burst):
    if name == "slirp":
        port = free_port()
        s = Serve(synack, "--forward", f"tcp:127.0.0.1:{port}-:8888")
        host, ns = "127.0.0.1", None
    else:
        port = 8888
        s = Serve(synack, "--net", "tap")
        host, ns = DEVICE, s.p.pid
    n = mb << 20
    ok, dt = run_client(ECHO, host, port, n, ns)
    dt = float(dt)
    print(f"  echo {mb} MiB: {'intact' if ok == 'True' else 'CORRUPTED'}, {dt:.2f} s, "
          f"{n / dt / 1024:.1f} KiB/s each way ({8 * n / dt / 1e6:.3f} Mbit/s)")
    good, dt = run_client(SEQUENTIAL, host, port, conns, ns)
    dt = float(dt)
    print(f"  {conns} connections one after another: {good} echoed, {dt:.2f} s, {conns / dt:.0f} connections/s")
    good, dt = run_client(BURST, host, port, burst, ns)
    dt = float(dt)
    print(f"  {burst} connections at once: {good} echoed, all done in {dt:.2f} s ({burst / dt:.0f} connections/s)")
    summary = s.stop()
    ratio, busy, late = clocks(summary)
    print(f"  virtual/wall {ratio} while serving; simulation busy {busy}% of wall time; events at most {late} ms late")


def bench_deterministic(synack, mb):
    n = mb << 20
    t0 = time.monotonic()
    r = subprocess.run([synack, "serve", "--deterministic", "--guestfwd", "tcp:10.0.2.100:7-echo", "--connect",
                        "10.0.2.100:7", "--send", str(n)], capture_output=True, text=True, timeout=1800)
    wall = time.monotonic() - t0
    m = re.search(r"the same bytes in ([\d.]+) s", r.stdout)
    v = re.search(r"time: virtual ([\d.]+) s", r.stdout)
    if r.returncode != 0 or not m or not v:
        raise SystemExit(r.stdout + r.stderr)
    xfer = float(m.group(1))
    print(f"  device -> guest forward echo, {mb} MiB: {xfer:.3f} s virtual ({n / xfer / 1024:.1f} KiB/s each way); "
          f"{float(v.group(1)):.3f} s virtual simulated in {wall:.3f} s of wall time "
          f"({float(v.group(1)) / wall:.1f} virtual s per wall s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("synack", nargs="?", default=str(REPO / "build" / "conformance" / "synack"))
    ap.add_argument("--mb", type=int, default=2)
    ap.add_argument("--conns", type=int, default=200)
    ap.add_argument("--burst", type=int, default=50)
    a = ap.parse_args()
    print(f"synack serve, our stack on the board ({os.cpu_count()} CPUs here, shared)")
    print("slirp (127.0.0.1 -> --forward -> the device):")
    bench_net(a.synack, "slirp", a.mb, a.conns, a.burst)
    tap = os.geteuid() == 0 and os.path.exists("/dev/net/tun") and shutil.which("nsenter")
    print("tap (the kernel in serve's namespace -> the device):")
    if tap:
        bench_net(a.synack, "tap", a.mb, a.conns, a.burst)
    else:
        print("  skipped: needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN), /dev/net/tun and nsenter")
    print("deterministic slirp (virtual time runs free):")
    bench_deterministic(a.synack, a.mb)


if __name__ == "__main__":
    main()
