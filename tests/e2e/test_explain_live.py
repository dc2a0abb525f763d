"""Real kernel traffic, explained: each crafted scenario is replayed with
the Linux kernel (the tap DUT, in a network namespace of its own) as the
server, the exchange the kernel really had is written with --pcap, and
`synack explain` must explain the kernel's own answers by the same rules
as in the crafted captures."""
import json
import os
import shutil

import pytest

import captures as C

pytestmark = pytest.mark.skipif(
    not (os.geteuid() == 0 and os.path.exists("/dev/net/tun") and shutil.which("ip")),
    reason="live captures need the tap DUT: root (CAP_NET_ADMIN) and /dev/net/tun")

# scenario -> (frame, kind, rule, caused_by) the kernel's capture must show
CASES = {
    "refused": (2, "rst", "closed.no-listener", 1),
    "ack_no_connection": (2, "rst", "closed.ack", 1),
    "rst_in_window": (5, "challenge-ack", "rst.in-window", 4),
    "syn_in_established": (5, "challenge-ack", "syn.synchronized", 4),
    "out_of_window_data": (5, "ack-unacceptable", "seq.unacceptable", 4),
    "ack_of_unsent": (5, "ack-unacceptable", "ack.unsent", 4),
    "rst_out_of_window": (4, "ignored", "rst.out-of-window", None),
    "data_after_close": (7, "rst", "data-after-close", 6),
    "abort": (6, "rst", "abort", None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_kernel_answers_are_explained(run_synack, tmp_path, name):
    cap = C.write(tmp_path / "crafted.pcap", getattr(C, name)())
    live = tmp_path / "kernel.pcap"
    last = None
    for _ in range(2):  # real time: one retry alone tells load from behaviour
        r = run_synack("replay", cap, "--dut", "tap", "--tolerance-usecs", "50000", "--pcap", live)
        last = r
        if r.returncode == 0:
            break
    assert last.returncode == 0, last.stdout + last.stderr
    e = run_synack("explain", "--json", live)
    assert e.returncode == 0, e.stderr
    recs = [json.loads(x) for x in e.stdout.splitlines()]
    assert recs[-1]["linktype"] == "raw IP (101)"
    segs = {o["frame"]: o for o in recs if o["record"] == "segment"}
    frame, kind, rule, caused = CASES[name]
    assert frame in segs, (name, segs)
    got = segs[frame]
    assert (got["kind"], got["rule"], got["caused_by"]) == (kind, rule, caused), got["text"]
