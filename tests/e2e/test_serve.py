"""End-to-end tests of `synack serve`: real clients talk to the simulated
board.

Through libslirp (no privileges): a host client on 127.0.0.1 reaches the
board through `--forward`, echoes 1 MB and compares hashes, fetches the
status page with curl, opens 50 connections at once, all of which must
complete; the capture is read by tcpdump and scapy, never by synack. In
deterministic mode the device connects out to a guest forward inside slirp
and two runs write the same bytes (one of them in a network namespace with
no interface up, which shows no host socket is involved).

The AVR image (`--firmware`, the exact ELF in simavr) serves its own
echo and HTTP the same way, through slirp and through the TAP; a file that
is not an AVR ELF is refused, and so is --connect, which its agent cannot
serve (it counts received bytes instead of keeping them).

Through a TAP device in serve's own network namespace (root only, skipped
with the reason otherwise): the same, with clients entered into the
namespace by nsenter; the namespace's name and the TAP are gone after ^C;
without CAP_NET_ADMIN serve says so. The seed, live: the seed stack
answers the kernel's SYN with a SYN-ACK acknowledging 0, the kernel sends
RST seq 0, and `synack explain` on serve's capture gives the seed's
diagnosis; our stack in the same set-up connects and echoes.

Traffic stays on 127.0.0.1 and inside the namespaces serve creates.
"""
import hashlib
import json
import os
import pty
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
from scapy.all import IP, TCP, Raw, rdpcap

from conftest import REPO
from test_board import installed_synack, prefix, seed_so  # noqa: F401  (fixtures)

DEVICE = "10.0.2.15"
MB = 1 << 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need(tool):
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    return path


class Serve:
    """`synack serve ARGS` in the background, ready once it says so."""

    def __init__(self, binary, *args, cwd, stderr=subprocess.PIPE):
        self.p = subprocess.Popen([str(binary), "serve", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                                  stderr=stderr, text=True)
        self.lines = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.ready.wait(20):
            self.p.kill()
            out, err = self.p.communicate()
            pytest.fail(f"serve did not become ready: {''.join(self.lines)}{out}{err}")
        self.pid = self.p.pid

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line)
            if line.startswith("synack serve: ready"):
                self.ready.set()
        self.ready.set()

    def stop(self, sig=signal.SIGINT, timeout=30):
        """Signal it and return (status, stdout, stderr)."""
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            pytest.fail("serve did not stop on " + str(sig))
        self.reader.join(5)
        err = self.p.stderr.read() if self.p.stderr else ""
        return self.p.returncode, "".join(self.lines), err

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


@pytest.fixture
def serve(synack_bin, tmp_path):
    started = []

    def start(*args, **kw):
        s = Serve(synack_bin, *args, cwd=tmp_path, **kw)
        started.append(s)
        return s
    yield start
    for s in started:
        s.kill()


# ---- clients (run here, or inside serve's namespace with nsenter) ----

ECHO_CLIENT = r"""
import hashlib, json, random, socket, sys, threading
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = random.Random(7).randbytes(n)
s = socket.create_connection((host, port), timeout=120)
got = bytearray()
def reader():
    while True:
        b = s.recv(65536)
        if not b:
            break
        got.extend(b)
t = threading.Thread(target=reader)
t.start()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join()
print(json.dumps({"sent": hashlib.sha256(data).hexdigest(), "got": hashlib.sha256(got).hexdigest(),
                  "len": len(got)}))
"""

CONCURRENT_CLIENT = r"""
import json, socket, sys, threading
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ok, bad = [], []
start = threading.Barrier(n)
def one(i):
    msg = (f"connection {i} says hello\n" * 3).encode()
    try:
        start.wait()
        s = socket.create_connection((host, port), timeout=60)
        s.sendall(msg)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            got += b
        s.close()
        (ok if got == msg else bad).append(i)
    except Exception as e:
        bad.append(f"{i}: {e!r}")
th = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in th:
    t.start()
for t in th:
    t.join()
print(json.dumps({"ok": len(ok), "bad": bad}))
"""

PYTHON = "/usr/bin/python3"


def client(script, *args, ns_pid=None, timeout=180):
    cmd = [PYTHON, "-c", script, *map(str, args)]
    if ns_pid is not None:
        cmd = ["nsenter", "-t", str(ns_pid), "-n", *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def tcpdump_lines(tcpdump, path):
    r = subprocess.run([tcpdump, "-nn", "-r", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def summary_value(out, pattern):
    m = re.search(pattern, out)
    assert m, f"{pattern!r} not in:\n{out}"
    return m.group(1)


# ---- through libslirp ----

def test_slirp_echo_1mb_hashes_match(serve, tmp_path):
    port = free_port()
    s = serve("--forward", f"tcp:127.0.0.1:{port}-:8888", "--pcap", tmp_path / "echo.pcap")
    r = client(ECHO_CLIENT, "127.0.0.1", port, MB)
    assert r["len"] == MB and r["got"] == r["sent"]
    rc, out, err = s.stop()
    assert rc == 0, out + err
    assert "echo 1 connections, 1048576 bytes" in out


def test_slirp_http_get_with_curl(serve):
    curl = need("curl")
    port = free_port()
    s = serve("--forward", f"tcp:127.0.0.1:{port}-:80")
    r = subprocess.run([curl, "-sS", "--max-time", "30", "-w", "\n%{http_code}", f"http://127.0.0.1:{port}/"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    body, code = r.stdout.rsplit("\n", 1)
    assert code == "200"
    assert body.startswith("synack\n") and "tcp.conns " in body
    rc, out, err = s.stop()
    assert rc == 0 and "http 1 pages" in out, out + err


def test_slirp_50_concurrent_connections_all_complete(serve):
    port = free_port()
    s = serve("--forward", f"tcp:127.0.0.1:{port}-:8888")
    r = client(CONCURRENT_CLIENT, "127.0.0.1", port, 50)
    assert r == {"ok": 50, "bad": []}
    rc, out, err = s.stop()
    assert rc == 0, out + err
    assert summary_value(out, r"tcp: (\d+) connections") == "50"
    assert "echo 50 connections" in out
    # slirp accepted them as the device had blocks free: none of its SYNs
    # was dropped (each would have cost slirp's 6 s retransmission timeout)
    assert "SYNs dropped with every block taken 0" in out


def test_slirp_capture_read_by_tcpdump_after_sigint(serve, tmp_path, tcpdump):
    port = free_port()
    cap = tmp_path / "wire.pcap"
    s = serve("--forward", f"tcp:127.0.0.1:{port}-:8888", "--pcap", cap)
    client(ECHO_CLIENT, "127.0.0.1", port, 20000)
    assert not cap.exists(), "the capture appears under its name only when complete"
    rc, out, err = s.stop(signal.SIGINT)
    assert rc == 0, out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wire.pcap"], "no temporary file left"
    lines = tcpdump_lines(tcpdump, cap)
    frames = int(summary_value(out, r"capture: \S+ \((\d+) frames\)"))
    assert len(lines) == frames
    # the handshake as tcpdump sees it: slirp's SYN, the device's SYN-ACK
    assert any(re.search(rf"10\.0\.2\.2\.\d+ > {DEVICE}\.8888: Flags \[S\]", l) for l in lines)
    assert any(re.search(rf"{DEVICE}\.8888 > 10\.0\.2\.2\.\d+: Flags \[S\.\]", l) for l in lines)
    # and the echo, by scapy: what went to the device came back from it
    to_dev = b"".join(bytes(p[Raw]) for p in rdpcap(str(cap))
                      if TCP in p and Raw in p and p[IP].dst == DEVICE and p[TCP].dport == 8888)
    assert len(to_dev) >= 20000


def test_slirp_sigterm_also_writes_the_capture(serve, tmp_path, tcpdump):
    cap = tmp_path / "t.pcap"
    s = serve("--pcap", cap)
    time.sleep(0.3)
    rc, out, err = s.stop(signal.SIGTERM)
    assert rc == 0, out + err
    assert "ARP" in "\n".join(tcpdump_lines(tcpdump, cap))  # the device's gratuitous ARP


def test_slirp_device_connects_out_through_the_nat(run_synack):
    """--connect 10.0.2.2:PORT: slirp's NAT takes the device to 127.0.0.1:PORT."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen = []

    def echo_once():
        c, _ = listener.accept()
        with c:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                seen.append(b)
                c.sendall(b)
    t = threading.Thread(target=echo_once, daemon=True)
    t.start()
    r = run_synack("serve", "--connect", f"10.0.2.2:{port}", "--send", "50000")
    t.join(10)
    listener.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"".join(seen) == pattern(50000)
    assert "received 50000, the same bytes" in r.stdout and "the client finished" in r.stdout


def test_slirp_restrict_keeps_the_device_off_the_host(run_synack):
    """--restrict: slirp refuses what is not its own address or a forward."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        r = run_synack("serve", "--restrict", "--connect", f"10.0.2.2:{port}", "--send", "1000")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAILED: the connection was refused (RST)" in r.stdout


def test_slirp_forward_port_in_use_is_an_error(run_synack):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run_synack("serve", "--forward", f"tcp:127.0.0.1:{port}-:8888", "--duration", "1")
    assert r.returncode == 2
    assert f"127.0.0.1:{port}: Address already in use" in r.stderr


# ---- deterministic: slirp as a TCP peer in virtual time ----

DET = ["--deterministic", "--guestfwd", "tcp:10.0.2.100:7-echo", "--connect", "10.0.2.100:7",
       "--send", "100000"]


def pattern(n):
    return bytes(ord("a") + i % 26 for i in range(n))


def stream(pkts, src, sport):
    """The bytes src:sport sent, in sequence order, each once."""
    segs = {}
    for p in pkts:
        if TCP in p and p[IP].src == src and p[TCP].sport == sport and Raw in p:
            segs.setdefault(p[TCP].seq, bytes(p[Raw]))
    if not segs:
        return b""
    out, nxt = bytearray(), min(segs)
    for seq in sorted(segs):
        data = segs[seq]
        if seq + len(data) <= nxt:
            continue
        out += data[nxt - seq:]
        nxt = seq + len(data)
    return bytes(out)


def unshare_net():
    """A prefix that runs a command in a network namespace of its own, or None."""
    for cmd in (["unshare", "-n"], ["unshare", "-rn"]):
        if shutil.which(cmd[0]) and subprocess.run(cmd + ["true"], capture_output=True).returncode == 0:
            return cmd
    return None


def test_deterministic_guest_forward_is_byte_identical(synack_bin, tmp_path, tcpdump):
    iso = unshare_net()
    outs = []
    for i, prefix_cmd in enumerate([[], iso or []]):
        cap = tmp_path / f"run{i}.pcap"
        r = subprocess.run(prefix_cmd + [str(synack_bin), "serve", *DET, "--pcap", str(cap)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "received 100000, the same bytes" in r.stdout
        outs.append(r.stdout.replace(cap.name, "CAP"))
    a, b = (tmp_path / "run0.pcap").read_bytes(), (tmp_path / "run1.pcap").read_bytes()
    assert a == b, "same flags, same capture"
    assert outs[0] == outs[1]
    assert tcpdump_lines(tcpdump, tmp_path / "run0.pcap")
    pkts = rdpcap(str(tmp_path / "run0.pcap"))
    syn = next(p for p in pkts if TCP in p and p[TCP].flags == "S")
    assert (syn[IP].src, syn[IP].dst, syn[TCP].dport) == (DEVICE, "10.0.2.100", 7)
    sent = stream(pkts, DEVICE, syn[TCP].sport)
    back = stream(pkts, "10.0.2.100", 7)
    assert sent == pattern(100000) and back == sent
    if iso is None:
        pytest.skip("the second run was not isolated: unshare -n is not available here")


def test_deterministic_seed_changes_the_device_isn(synack_bin, tmp_path):
    caps = []
    for seed in (1, 2):
        cap = tmp_path / f"s{seed}.pcap"
        r = subprocess.run([str(synack_bin), "serve", *DET, "--seed", str(seed), "--pcap", str(cap)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        caps.append(next(p[TCP].seq for p in rdpcap(str(cap)) if TCP in p and p[TCP].flags == "S"))
    assert caps[0] != caps[1]


# ---- errors and output ----

@pytest.mark.parametrize("args, message", [
    (["--net", "ethernet"], "--net: expected slirp or tap"),
    (["--forward", "tcp:127.0.0.1:80"], "--forward: expected tcp:[HOSTIP]:HOSTPORT-[GUESTIP]:GUESTPORT"),
    (["--forward", "tcp::1-192.168.1.1:80"], "GUESTIP in 10.0.2.0/24"),
    (["--guestfwd", "tcp:10.0.2.100:7-chargen"], "--guestfwd: expected tcp:IP:PORT-echo"),
    (["--guestfwd", "tcp:10.0.2.2:7-echo", "--duration", "1"], "a guest forward needs a free address"),
    (["--deterministic"], "give --connect"),
    (["--deterministic", "--forward", "tcp::18888-:8888", "--duration", "1"], "--deterministic uses none"),
    (["--net", "tap", "--forward", "tcp::18888-:8888"], "--forward is for --net slirp"),
    (["--netns", "x"], "--netns is for --net tap"),
    (["--dut", "tap"], "use --net tap"),
    (["--dut", "board:/nonexistent/fw.so"], "No such file or directory"),
    (["--firmware", "fw.elf", "--dut", "sim"], "give one"),
    (["--duration", "0"], "--duration: expected seconds"),
    (["--connect", "10.0.2.100"], "--connect: expected IP:PORT"),
    (["--bogus"], "unknown option '--bogus'"),
])
def test_bad_flags_exit_2_with_the_reason(run_synack, args, message):
    r = run_synack("serve", *args)
    assert r.returncode == 2
    assert message in r.stderr, r.stderr


def test_connect_needs_the_firmwares_connect(run_synack, seed_so):  # noqa: F811
    r = run_synack("serve", "--dut", f"board:{seed_so}", "--deterministic", *DET[1:])
    assert r.returncode == 2
    assert "does not implement connect (synack_board_app.connect is NULL)" in r.stderr


AVR_ELF = REPO / "build-avr" / "firmware" / "avr" / "synack-avr.elf"


def avr_image(synack_bin):
    """The AVR image, or a skip saying why it cannot be served here."""
    if not AVR_ELF.is_file():
        pytest.skip(f"no AVR image at {AVR_ELF} (cmake --preset avr && cmake --build --preset avr)")
    probe = subprocess.run([str(synack_bin), "serve", "--firmware", str(AVR_ELF), "--deterministic",
                            "--duration", "0.01"], capture_output=True, text=True, timeout=60)
    if "built without simavr" in probe.stderr:
        pytest.skip("this synack was built without simavr: " + probe.stderr.strip())
    assert probe.returncode == 0, probe.stdout + probe.stderr
    return AVR_ELF


def test_firmware_that_is_not_an_avr_elf_is_refused(run_synack, tmp_path):
    bad = tmp_path / "image.elf"
    bad.write_bytes(b"not an ELF at all")
    r = run_synack("serve", "--firmware", bad)
    assert r.returncode == 2
    assert r.stderr.startswith("synack serve: --firmware") and str(bad) in r.stderr, r.stderr
    r = run_synack("serve", "--firmware", tmp_path / "missing.elf")
    assert r.returncode == 2 and "missing.elf" in r.stderr, r.stderr


def test_avr_image_through_slirp_echo_and_http(synack_bin, serve, tmp_path, tcpdump):
    elf = avr_image(synack_bin)
    curl = need("curl")
    echo, http = free_port(), free_port()
    s = serve("--firmware", elf, "--forward", f"tcp:127.0.0.1:{echo}-:8888", "--forward",
              f"tcp:127.0.0.1:{http}-:80", "--pcap", tmp_path / "avr.pcap")
    banner = "".join(s.lines)
    # the image's own MAC (its build option), read back from the chip
    assert f"AVR image {elf}" in banner and "MAC 02:53:4e:41:43:4b" in banner, banner
    r = client(ECHO_CLIENT, "127.0.0.1", echo, 64 * 1024)
    assert r["len"] == 64 * 1024 and r["got"] == r["sent"]
    r = subprocess.run([curl, "-sS", "--max-time", "30", "-w", "\n%{http_code}", f"http://127.0.0.1:{http}/"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    body, code = r.stdout.rsplit("\n", 1)
    assert code == "200" and body.startswith("synack\n"), body
    rc, out, err = s.stop()
    assert rc == 0, out + err
    assert summary_value(out, r"tcp: (\d+) connections") == "2"
    assert "checker: 0 diagnostics" in out
    lines = tcpdump_lines(tcpdump, tmp_path / "avr.pcap")
    assert any(f"{DEVICE}.8888 >" in l for l in lines) and any(f"{DEVICE}.80 >" in l for l in lines)


def test_avr_image_cannot_run_the_connect_client(run_synack, synack_bin):
    elf = avr_image(synack_bin)
    r = run_synack("serve", "--firmware", elf, *DET)
    assert r.returncode == 2
    assert "counts the bytes it receives instead of keeping them" in r.stderr, r.stderr


def test_live_counters_only_on_a_tty(synack_bin, tmp_path):
    quiet = subprocess.run([str(synack_bin), "serve", "--duration", "1.2"], capture_output=True, text=True,
                           timeout=60)
    assert quiet.returncode == 0 and quiet.stderr == ""
    master, slave = pty.openpty()
    p = subprocess.Popen([str(synack_bin), "serve", "--duration", "1.2"], stdout=subprocess.PIPE,
                         stderr=slave, text=True)
    os.close(slave)
    out = p.communicate(timeout=60)[0]
    tty = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        tty += chunk
    os.close(master)
    assert p.returncode == 0, out
    lines = tty.decode().split("\r")
    assert any(re.search(r"\d+\.\d s  frames \d+ in, \d+ out  tcp \d+ conns, resets \d+ sent, \d+ received  "
                         r"drops \d+  checker \d+", l) for l in lines), tty


# ---- through a TAP device in serve's namespace ----

def tap_skip_reason(synack_bin):
    if shutil.which("nsenter") is None:
        return "nsenter is not installed (util-linux)"
    r = subprocess.run([str(synack_bin), "serve", "--net", "tap", "--duration", "0.05"], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        return "--net tap cannot run here: " + r.stderr.strip()
    return None


@pytest.fixture(scope="module")
def tap_ok(synack_bin):
    why = tap_skip_reason(synack_bin)
    if why:
        pytest.skip(why)


def test_tap_echo_1mb_hashes_match(serve, tap_ok):
    s = serve("--net", "tap")
    assert f"nsenter -t {s.pid} -n" in "".join(s.lines)
    r = client(ECHO_CLIENT, DEVICE, 8888, MB, ns_pid=s.pid)
    assert r["len"] == MB and r["got"] == r["sent"]
    rc, out, err = s.stop()
    assert rc == 0 and "echo 1 connections, 1048576 bytes" in out, out + err


def test_tap_http_get_with_curl(serve, tap_ok):
    curl = need("curl")
    s = serve("--net", "tap")
    r = subprocess.run(["nsenter", "-t", str(s.pid), "-n", curl, "-sS", "--max-time", "30", "-w", "\n%{http_code}",
                        f"http://{DEVICE}/"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    body, code = r.stdout.rsplit("\n", 1)
    assert code == "200" and body.startswith("synack\n")
    rc, out, err = s.stop()
    assert rc == 0, out + err


def test_tap_50_concurrent_connections_all_complete(serve, tap_ok):
    s = serve("--net", "tap")
    r = client(CONCURRENT_CLIENT, DEVICE, 8888, 50, ns_pid=s.pid)
    assert r == {"ok": 50, "bad": []}
    rc, out, err = s.stop()
    assert rc == 0 and "echo 50 connections" in out, out + err


def test_tap_avr_image_echoes(serve, tap_ok, synack_bin):
    elf = avr_image(synack_bin)
    s = serve("--firmware", elf, "--net", "tap")
    r = client(ECHO_CLIENT, DEVICE, 8888, 32 * 1024, ns_pid=s.pid)
    assert r["len"] == 32 * 1024 and r["got"] == r["sent"]
    rc, out, err = s.stop()
    assert rc == 0 and "checker: 0 diagnostics" in out, out + err


def test_tap_named_namespace_is_removed_on_sigint(serve, tap_ok, tmp_path, tcpdump):
    name = f"synack-test-{os.getpid()}"
    path = f"/run/netns/{name}"
    cap = tmp_path / "tap.pcap"
    s = serve("--net", "tap", "--netns", name, "--pcap", cap)
    assert f"ip netns exec {name}" in "".join(s.lines)
    assert os.path.exists(path)
    ns = os.stat(path).st_ino
    assert ns == os.stat(f"/proc/{s.pid}/ns/net").st_ino
    if shutil.which("ip"):
        r = subprocess.run(["ip", "netns", "exec", name, "ip", "-o", "link", "show", "synack0"],
                           capture_output=True, text=True)
        assert r.returncode == 0 and "synack0" in r.stdout, r.stderr
    client(ECHO_CLIENT, DEVICE, 8888, 5000, ns_pid=s.pid)
    rc, out, err = s.stop(signal.SIGINT)
    assert rc == 0, out + err
    assert not os.path.exists(path), "the namespace's name is removed"
    lines = tcpdump_lines(tcpdump, cap)
    assert any(re.search(rf"10\.0\.2\.2\.\d+ > {DEVICE}\.8888: Flags \[S\]", l) for l in lines)
    # the kernel's side had the options Linux sends, which slirp's have not
    assert any("sackOK" in l for l in lines)


def test_tap_needs_cap_net_admin_and_says_so(synack_bin):
    cmd = [str(synack_bin), "serve", "--net", "tap", "--duration", "1"]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv (util-linux) is needed to drop CAP_NET_ADMIN as root")
        cmd = ["setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-all"] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "--net tap needs CAP_NET_ADMIN" in r.stderr and "missing CAP_NET_ADMIN" in r.stderr, r.stderr
    assert "--net slirp" in r.stderr


# ---- the seed, live ----

CONNECT_ONCE = r"""
import socket, sys
s = socket.socket()
s.settimeout(float(sys.argv[3]))
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    s.sendall(b"hello, device\n")
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        b = s.recv(100)
        if not b:
            break
        got += b
    print("echoed" if got == b"hello, device\n" else "wrong echo " + repr(got))
except OSError as e:
    print("no connection: " + type(e).__name__)
"""


def test_seed_live_through_tap(serve, tap_ok, seed_so, tmp_path, run_synack):  # noqa: F811
    cap = tmp_path / "seed-live.pcap"
    s = serve("--net", "tap", "--dut", f"board:{seed_so}", "--pcap", cap)
    r = subprocess.run(["nsenter", "-t", str(s.pid), "-n", PYTHON, "-c", CONNECT_ONCE, DEVICE, "8888", "1.5"],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "no connection: TimeoutError", r.stdout + r.stderr
    rc, out, err = s.stop()
    assert rc == 0, out + err
    pkts = [p for p in rdpcap(str(cap)) if TCP in p]
    synack = next(i for i, p in enumerate(pkts) if p[TCP].flags == "SA")
    assert pkts[synack][TCP].ack == 0, "the seed's SYN-ACK acknowledges 0"
    rst = next(p for p in pkts[synack:] if p[TCP].flags == "R")
    assert (rst[IP].src, rst[TCP].seq) == ("10.0.2.2", 0), "the kernel answers RST seq 0"
    e = run_synack("explain", "--json", cap)
    assert e.returncode == 0, e.stderr
    segs = [json.loads(x) for x in e.stdout.splitlines()]
    segs = [o for o in segs if o["record"] == "segment"]
    rsts = [o for o in segs if o["kind"] == "rst"]
    assert rsts, segs
    first = rsts[0]
    assert first["rule"] == "syn-sent.unacceptable-ack"
    cause = next(o for o in segs if o["frame"] == first["caused_by"])
    assert cause["rule"] == "synack.bad-ack" and cause["sender"] == f"{DEVICE}:8888"
    assert "did not set ACK = IRS+1" in first["text"]


def test_ours_live_through_tap_connects_and_echoes(serve, tap_ok, tmp_path):
    cap = tmp_path / "ours-live.pcap"
    s = serve("--net", "tap", "--pcap", cap)
    r = subprocess.run(["nsenter", "-t", str(s.pid), "-n", PYTHON, "-c", CONNECT_ONCE, DEVICE, "8888", "10"],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "echoed", r.stdout + r.stderr
    rc, out, err = s.stop()
    assert rc == 0, out + err
    pkts = [p for p in rdpcap(str(cap)) if TCP in p]
    syn = next(p for p in pkts if p[TCP].flags == "S")
    synack = next(p for p in pkts if p[TCP].flags == "SA")
    assert synack[TCP].ack == syn[TCP].seq + 1
    assert not [p for p in pkts if "R" in str(p[TCP].flags)], "no reset"
