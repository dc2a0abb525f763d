"""What the tap DUT's end-to-end tests share: running the CLI, and the check
that the machine can run the tap DUT at all (root, /dev/net/tun, and what
the caller's scripts need), made by running one of the caller's passing
scripts. A test module calls `require_tap` from its module fixture."""
import os
import subprocess

import pytest


def run(synack_bin, *args, cwd):
    return subprocess.run([str(synack_bin), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def require_tap(synack_bin, tmp, probe, *args, python=False, ipv6=False):
    """Skips the module, with the reason, where the tap DUT cannot run;
    `probe` is a script that passes, run once with `args`."""
    if os.geteuid() != 0:
        pytest.skip("the tap DUT needs root (a network namespace and a TAP device)")
    if not os.path.exists("/dev/net/tun"):
        pytest.skip("the tap DUT needs /dev/net/tun")
    if ipv6 and not os.path.exists("/proc/sys/net/ipv6"):
        pytest.skip("IPv6 runs need a kernel with IPv6 (/proc/sys/net/ipv6)")
    if python and not os.access("/usr/bin/python3", os.X_OK):
        pytest.skip("%{ }% blocks need /usr/bin/python3")
    res = run(synack_bin, "run", "--dut", "tap", *args, "--pcap-dir", tmp, probe, cwd=tmp)
    if "did not start" in res.stdout + res.stderr:
        pytest.skip("the tap DUT cannot open a network namespace here: " + res.stdout.strip())
    return tmp
