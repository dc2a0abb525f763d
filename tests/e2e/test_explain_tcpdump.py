"""A capture tcpdump took of the Linux kernel's own TCP, explained.

Two network namespaces joined by a veth pair; Python sockets in them make
the kernel refuse a connection, abort one with SO_LINGER 0, close one with
unread data and close one cleanly, while tcpdump captures on the client's
veth (Ethernet, and the kernel's outgoing segments still carry the
pseudo-header sum its checksum offload leaves). `synack explain` must
explain every reset by its rule and take the offloaded checksums as
valid. Traffic stays inside the namespaces the test creates."""
import json
import os
import shutil
import subprocess
import textwrap
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(
    not (os.geteuid() == 0 and shutil.which("ip") and shutil.which("tcpdump")),
    reason="needs root (network namespaces), ip and tcpdump")

PY = "/usr/bin/python3"


def sh(*args, check=True, **kw):
    return subprocess.run(list(map(str, args)), check=check, capture_output=True, text=True, **kw)


@pytest.fixture
def netns_pair():
    tag = uuid.uuid4().hex[:6]
    a, b = f"synack-a-{tag}", f"synack-b-{tag}"
    try:
        sh("ip", "netns", "add", a)
        sh("ip", "netns", "add", b)
        sh("ip", "link", "add", f"va{tag}", "netns", a, "type", "veth", "peer", "name", f"vb{tag}", "netns", b)
        for ns, dev, addr in ((a, f"va{tag}", "10.199.0.1/24"), (b, f"vb{tag}", "10.199.0.2/24")):
            sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
    except subprocess.CalledProcessError as e:
        for ns in (a, b):
            sh("ip", "netns", "del", ns, check=False)
        pytest.skip(f"cannot create network namespaces here: {e.stderr.strip()}")
    yield a, b, f"va{tag}"
    for ns in (a, b):
        sh("ip", "netns", "del", ns, check=False)


SERVER = textwrap.dedent("""
    import socket, sys, time
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.199.0.2", 8080)); s.listen(8)
    print("ready", flush=True)
    # 1: the client aborts; 2: we close with its request unread; 3: clean
    for i in range(3):
        c, _ = s.accept()
        if i == 1:
            time.sleep(0.2); c.close()
            continue
        try:
            while c.recv(4096): pass
        except ConnectionResetError:
            pass
        c.close()
    """)

CLIENT = textwrap.dedent("""
    import socket, struct, time
    try:
        socket.create_connection(("10.199.0.2", 8081), timeout=2)
    except ConnectionRefusedError:
        pass
    c = socket.create_connection(("10.199.0.2", 8080)); c.sendall(b"x" * 100); time.sleep(0.1)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
    c = socket.create_connection(("10.199.0.2", 8080)); c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n"); time.sleep(0.5)
    c.close()
    c = socket.create_connection(("10.199.0.2", 8080)); c.sendall(b"bye"); c.shutdown(socket.SHUT_WR)
    c.recv(10); c.close()
    time.sleep(0.3)
    """)


def test_tcpdump_capture_of_the_kernel_is_explained(netns_pair, tmp_path, run_synack):
    a, b, dev = netns_pair
    cap = tmp_path / "kernel.pcap"
    dump = subprocess.Popen(["ip", "netns", "exec", a, "tcpdump", "-i", dev, "-w", str(cap), "-U", "--immediate-mode", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    srv = subprocess.Popen(["ip", "netns", "exec", b, PY, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline().strip() == "ready"
        time.sleep(0.5)  # tcpdump is listening by now
        sh("ip", "netns", "exec", a, PY, "-c", CLIENT, timeout=30)
        srv.wait(timeout=30)
    finally:
        srv.kill()
        time.sleep(0.3)
        dump.terminate()
        dump.wait(timeout=10)
    r = run_synack("explain", "--json", cap)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    notes = [o for o in recs if o["record"] == "segment"]
    rules = [o["rule"] for o in notes]
    assert recs[-1]["linktype"] == "Ethernet (1)"
    assert "closed.no-listener" in rules, rules
    assert rules.count("abort") >= 2, rules  # SO_LINGER 0, and close with unread data
    assert "checksum.tcp" not in rules and "checksum.ip" not in rules, rules
    assert "unexplained" not in rules, [o["text"] for o in notes if o["rule"] == "unexplained"]
    unread = [o for o in notes if o["rule"] == "abort" and "had received 18 bytes" in o["text"]]
    assert unread, [o["text"] for o in notes]
    convs = [o for o in recs if o["record"] == "conversation"]
    assert len(convs) == 4, convs
    clean = convs[3]
    assert clean["states"] in (["TIME-WAIT", "CLOSED"], ["CLOSED", "TIME-WAIT"]), clean
    assert not [o for o in notes if o["conversation"] == clean["conversation"]]
