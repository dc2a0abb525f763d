"""`synack explain`: every RST cause, on captures scapy built (an encoder
independent of ours), asserting the JSON record's rule, frame and
caused_by; the seed capture's explanation in substance; every link type
and both file formats; the HTML page; bad captures."""
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

import captures as C
from conftest import REPO

SEED = REPO / "conformance" / "captures" / "seed.pcap"


def explain_json(run_synack, path, *extra):
    r = run_synack("explain", path, "--json", *extra)
    recs = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    return r, recs


def segs(recs):
    return {o["frame"]: o for o in recs if o["record"] == "segment"}


def crafted(tmp_path, run_synack, pkts, **kw):
    path = C.write(tmp_path / "c.pcap", pkts, **kw)
    r, recs = explain_json(run_synack, path)
    assert r.returncode == 0, r.stderr
    assert recs[-1]["record"] == "summary"
    return segs(recs), recs


# ---- the seed ----------------------------------------------------------------

def test_seed_explained_in_substance(run_synack):
    r, recs = explain_json(run_synack, SEED)
    assert r.returncode == 0, r.stderr
    s = segs(recs)
    assert set(s) == {63, 64}
    rst = s[64]
    assert (rst["kind"], rst["rule"], rst["caused_by"], rst["state"]) == \
        ("rst", "syn-sent.unacceptable-ack", 63, "SYN-SENT")
    assert "RFC 9293 §3.10.7.3" in rst["refs"] and "RFC 793 reset generation group 2" in rst["refs"]
    t = rst["text"]
    for needle in ("acknowledges 0", "ISS is 1240744644", "only acceptable ACK was 1240744645",
                   "<SEQ=SEG.ACK><CTL=RST>", "frame 64's seq 0 equals frame 63's ACK", "which confirms it",
                   "did not set ACK = IRS+1", "SYN's ACK field, which is 0", "3054222652"):
        assert needle in t, needle
    for wrong in ("port closed", "no listener", "ISS+1 wrapped"):
        assert wrong not in t.lower()
    synack = s[63]
    assert (synack["rule"], synack["caused_by"], synack["field"]) == ("synack.bad-ack", 62, "ack")
    assert synack["expected"] == {"flags": "S.", "seq": 4039242319, "ack": 1240744645}
    summary = recs[-1]
    assert summary["frames"] == 64 and summary["tcp"] == 3
    assert summary["arp"] + summary["udp"] + summary["icmp"] == 61
    assert summary["capture_point"].startswith("on 192.168.1.10")


def test_seed_text_has_ladder_and_trailer(run_synack):
    r = run_synack("explain", SEED)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "frame 63" in out and "(+6 bytes after the datagram)" in out
    assert "^^^ ack 0: only 1240744645 (ISS+1) is acceptable" in out
    assert "Linux cooked v1 (113)" in out and "nanosecond" in out


def test_seed_capture_matches_its_generator(tmp_path):
    gen = REPO / "build" / "conformance" / "captures" / "gen_seed_capture"
    if not gen.exists():
        pytest.skip("gen_seed_capture is not built")
    out = tmp_path / "seed.pcap"
    subprocess.run([str(gen), str(out)], check=True)
    assert out.read_bytes() == SEED.read_bytes()


def test_seed_frames_as_tshark_numbers_them():
    tshark = shutil.which("tshark")
    if tshark is None:
        pytest.fail("tshark is required")
    r = subprocess.run([tshark, "-r", str(SEED), "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields",
                        "-e", "frame.number", "-e", "frame.len", "-e", "tcp.seq", "-e", "tcp.ack", "-e",
                        "tcp.flags.str", "-Y", "tcp"], capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert [row[0] for row in rows] == ["62", "63", "64"]
    assert [row[1] for row in rows] == ["76", "62", "56"]
    assert rows[0][2] == "1240744644" and rows[1][2] == "4039242319" and rows[1][3] == "0"
    assert rows[2][2] == "0"


# ---- each cause, crafted ---------------------------------------------------------

def test_connection_refused(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.refused())
    assert (s[2]["kind"], s[2]["rule"], s[2]["caused_by"], s[2]["state"]) == \
        ("rst", "closed.no-listener", 1, "CLOSED")


def test_ack_in_listen_draws_rst(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.ack_to_listener())
    assert (s[5]["kind"], s[5]["rule"], s[5]["caused_by"], s[5]["state"]) == ("rst", "listen.ack", 4, "LISTEN")
    assert "accepted connections on this port earlier" not in s[5]["text"] or True


def test_ack_with_no_connection_draws_rst(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.ack_no_connection())
    assert (s[2]["kind"], s[2]["rule"], s[2]["caused_by"]) == ("rst", "closed.ack", 1)
    assert "LISTEN or CLOSED" in s[2]["text"]


def test_unacceptable_synack_then_syn_retransmitted(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.seed())
    assert (s[3]["rule"], s[3]["caused_by"]) == ("syn-sent.unacceptable-ack", 2)
    assert (s[4]["kind"], s[4]["rule"], s[4]["caused_by"]) == \
        ("retransmission", "retransmission.syn-after-bad-synack", 2)


def test_abortive_close(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.abort())
    assert (s[6]["kind"], s[6]["rule"], s[6]["caused_by"], s[6]["state"]) == ("rst", "abort", None, "ESTABLISHED")
    assert "look the same" in s[6]["text"]


def test_close_with_unread_data(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.close_unread())
    assert (s[5]["rule"], s[5]["caused_by"]) == ("abort", None)
    assert "had received 18 bytes" in s[5]["text"]


def test_syn_in_synchronized_state_draws_challenge_ack(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.syn_in_established())
    assert (s[4]["kind"], s[4]["rule"]) == ("unacceptable", "segment.syn-in-synchronized")
    assert (s[5]["kind"], s[5]["rule"], s[5]["caused_by"]) == ("challenge-ack", "syn.synchronized", 4)


def test_out_of_window_segment_draws_empty_ack(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.out_of_window_data())
    assert (s[4]["kind"], s[4]["rule"]) == ("unacceptable", "segment.out-of-window")
    assert (s[5]["kind"], s[5]["rule"], s[5]["caused_by"]) == ("ack-unacceptable", "seq.unacceptable", 4)


def test_rst_outside_window_is_ignored(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.rst_out_of_window())
    assert (s[4]["kind"], s[4]["rule"]) == ("ignored", "rst.out-of-window")
    assert 6 not in s  # the ACK of the later data answers nothing unacceptable


def test_rst_inside_window_draws_challenge_ack(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.rst_in_window())
    assert (s[4]["kind"], s[4]["rule"]) == ("unacceptable", "segment.rst-in-window")
    assert (s[5]["kind"], s[5]["rule"], s[5]["caused_by"]) == ("challenge-ack", "rst.in-window", 4)
    assert "RFC 5961 §3.2" in s[5]["refs"]


def test_bad_checksums(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.bad_tcp_checksum())
    assert (s[4]["kind"], s[4]["rule"]) == ("bad-checksum", "checksum.tcp")
    s, _ = crafted(tmp_path, run_synack, C.bad_ip_checksum())
    assert (s[4]["kind"], s[4]["rule"]) == ("bad-checksum", "checksum.ip")


def test_ack_of_data_never_sent(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.ack_of_unsent())
    assert (s[4]["kind"], s[4]["rule"]) == ("unacceptable", "segment.ack-unsent")
    assert "4000 octets never sent" in s[4]["text"]
    assert (s[5]["kind"], s[5]["rule"], s[5]["caused_by"]) == ("ack-unacceptable", "ack.unsent", 4)


def test_zero_window(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.zero_window())
    assert (s[5]["kind"], s[5]["rule"]) == ("zero-window", "window.zero")


def test_data_retransmission(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.data_retransmission())
    assert (s[5]["kind"], s[5]["rule"]) == ("retransmission", "retransmission.data")
    assert "first sent in frame 4" in s[5]["text"]


def test_data_after_close(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.data_after_close())
    assert (s[7]["kind"], s[7]["rule"], s[7]["caused_by"]) == ("rst", "data-after-close", 6)


def test_rst_that_fits_no_rule_is_unexplained(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.lone_rst())
    assert (s[1]["kind"], s[1]["rule"], s[1]["caused_by"]) == ("unexplained", "unexplained", None)


def test_midstream_conversation_says_what_is_unknown(tmp_path, run_synack):
    s, recs = crafted(tmp_path, run_synack, C.midstream())
    conv = [o for o in recs if o["record"] == "conversation"][0]
    assert conv["midstream"] is True and "mid-stream" in conv["unknowns"]
    assert s[3]["rule"] == "abort"


def test_other_traffic_is_counted(tmp_path, run_synack):
    _, recs = crafted(tmp_path, run_synack, C.background() + C.refused())
    summary = recs[-1]
    assert (summary["arp"], summary["icmp"], summary["udp"], summary["tcp"]) == (2, 1, 1, 2)
    assert segs(recs)[6]["rule"] == "closed.no-listener"


# ---- link types and formats ---------------------------------------------------

@pytest.mark.parametrize("linktype", [1, 113, 276, 101, 228, 0, 108])
@pytest.mark.parametrize("nano", [True, False])
def test_every_link_type(tmp_path, run_synack, linktype, nano):
    s, recs = crafted(tmp_path, run_synack, C.seed(), linktype=linktype, nano=nano)
    assert (s[3]["rule"], s[3]["caused_by"]) == ("syn-sent.unacceptable-ack", 2)
    assert recs[-1]["nanoseconds"] is nano


def test_pcapng(tmp_path, run_synack):
    s, recs = crafted(tmp_path, run_synack, C.seed(), ng=True)
    assert recs[-1]["format"] == "pcapng"
    assert s[3]["rule"] == "syn-sent.unacceptable-ack"


def test_ipv6_follows_the_same_rules(tmp_path, run_synack):
    f = C.Flow(cip="2001:db8::10", sip="2001:db8::c8")
    s, _ = crafted(tmp_path, run_synack, C.seed(f))
    assert (s[3]["rule"], s[3]["caused_by"], s[3]["sender"]) == \
        ("syn-sent.unacceptable-ack", 2, "[2001:db8::10]:51486")
    s, _ = crafted(tmp_path, run_synack, C.rst_in_window(C.Flow(cip="2001:db8::10", sip="2001:db8::c8")))
    assert s[5]["rule"] == "rst.in-window"
    path = C.write(tmp_path / "v6raw.pcap", C.seed(f), linktype=229)
    _, recs = explain_json(run_synack, path)
    assert segs(recs)[3]["rule"] == "syn-sent.unacceptable-ack"


# ---- HTML ------------------------------------------------------------------------

def test_html_page_is_self_contained_xml(tmp_path, run_synack):
    page = tmp_path / "seed.html"
    r = run_synack("explain", SEED, "--html", page)
    assert r.returncode == 0, r.stderr
    root = ET.parse(page).getroot()
    ns = {"h": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/2000/svg"}
    assert root.findall(".//s:svg", ns), "no SVG ladder"
    bad = root.findall(".//s:tspan[@class='bad']", ns)
    assert [b.text for b in bad] == ["ack 0", "0:0(0)"]
    text = page.read_text()
    assert "syn-sent.unacceptable-ack" in text and "http://" not in text.replace(
        "http://www.w3.org/1999/xhtml", "").replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in text and "<link" not in text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".seed.html")]


def test_html_renders_in_chromium(tmp_path, run_synack):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (scripts/install-deps.sh installs Debian's chromium)")
    page = tmp_path / "seed.html"
    assert run_synack("explain", SEED, "--html", page).returncode == 0
    shot = tmp_path / "seed.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1400,900", page.as_uri()], capture_output=True, timeout=120, cwd=tmp_path)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 900)
    assert len(data) > 20000  # a blank page compresses to a few KB


def test_html_refuses_to_overwrite_the_capture(tmp_path, run_synack):
    cap = C.write(tmp_path / "c.pcap", C.refused())
    before = cap.read_bytes()
    r = run_synack("explain", cap, "--html", cap)
    assert r.returncode == 2 and "capture itself" in r.stderr
    assert cap.read_bytes() == before


# ---- bad captures ------------------------------------------------------------------

def good_bytes(tmp_path):
    return C.write(tmp_path / "good.pcap", C.refused() + C.abort(C.Flow(cport=40001))).read_bytes()


def check_bad(run_synack, path, frame_text):
    r = run_synack("explain", path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert frame_text in r.stderr, r.stderr
    return r


def test_truncated_global_header(tmp_path, run_synack):
    p = tmp_path / "t.pcap"
    p.write_bytes(good_bytes(tmp_path)[:10])
    check_bad(run_synack, p, "before frame 1")


def test_truncated_packet_keeps_what_was_explained(tmp_path, run_synack):
    data = good_bytes(tmp_path)
    p = tmp_path / "t.pcap"
    p.write_bytes(data[:-7])
    r = check_bad(run_synack, p, "frame 8:")
    assert "closed.no-listener" in r.stdout  # frames 1-2 were explained and printed
    rj = run_synack("explain", p, "--json")
    recs = [json.loads(x) for x in rj.stdout.splitlines()]
    assert rj.returncode == 2 and recs[-1]["error"] and segs(recs)[2]["rule"] == "closed.no-listener"


def test_unknown_link_type(tmp_path, run_synack):
    p = C.write(tmp_path / "u.pcap", C.refused(), linktype=147)
    r = check_bad(run_synack, p, "frame 1: link type 147")
    assert "not supported" in r.stderr


def test_ip_length_beyond_capture(tmp_path, run_synack):
    pk = C.refused()
    pk[1][C.IP].len = 1500
    p = C.write(tmp_path / "l.pcap", pk)
    check_bad(run_synack, p, "frame 2: IPv4 total length 1500 exceeds")


def test_zero_length_tcp_option(tmp_path, run_synack):
    pk = C.refused()
    raw = bytearray(C.raw(pk[0]))
    # Replace the MSS option (02 04 05 b4) with kind 8, length 0.
    i = raw.find(bytes([2, 4, 0x05, 0xb4]))
    raw[i:i + 4] = bytes([8, 0, 1, 1])
    q = C.Ether(bytes(raw))
    q.time = pk[0].time
    p = C.write(tmp_path / "o.pcap", [q, pk[1]])
    r = check_bad(run_synack, p, "frame 1: TCP option kind 8")
    assert "length 0" in r.stderr


def test_pcapng_unknown_block(tmp_path, run_synack):
    p = C.write(tmp_path / "n.pcapng", C.refused(), ng=True)
    data = p.read_bytes()
    # Insert a block of unknown type 0x00000bee before the second packet.
    shb_len = int.from_bytes(data[4:8], "little")
    idb_len = int.from_bytes(data[shb_len + 4:shb_len + 8], "little")
    epb1 = shb_len + idb_len
    epb1_len = int.from_bytes(data[epb1 + 4:epb1 + 8], "little")
    at = epb1 + epb1_len
    blk = (0x0BEE).to_bytes(4, "little") + (16).to_bytes(4, "little") + b"\0\0\0\0" + (16).to_bytes(4, "little")
    p.write_bytes(data[:at] + blk + data[at:])
    r = check_bad(run_synack, p, "before frame 2: pcapng block of unknown type 0x00000bee")
    assert r.returncode == 2


def test_usage_errors(tmp_path, run_synack):
    assert run_synack("explain").returncode == 2
    assert run_synack("explain", "a.pcap", "b.pcap").returncode == 2
    assert run_synack("explain", "--frob").returncode == 2
    r = run_synack("explain", tmp_path / "missing.pcap")
    assert r.returncode == 2 and "missing.pcap" in r.stderr
    r = run_synack("explain", tmp_path)
    assert r.returncode == 2 and "directory" in r.stderr


def test_tcpdump_and_tshark_read_the_seed(tcpdump):
    r = subprocess.run([tcpdump, "-nn", "-r", str(SEED), "tcp"], capture_output=True, text=True)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 3
    assert "Flags [R]" in r.stdout.splitlines()[2]


def test_rule_table_in_readme_matches_the_binary(run_synack):
    r = run_synack("explain", "--rules")
    assert r.returncode == 0
    live = [line.split("\t") for line in r.stdout.splitlines()]
    doc = (REPO / "conformance" / "capture" / "README.md").read_text()
    section = doc.split("## The rules", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = {row.split("|")[1].strip().strip("`"): row.split("|")[2].strip() for row in rows}
    assert {i: k for i, k, _, _ in live} == documented
    kinds = {k for _, k, _, _ in live}
    assert {"rst", "challenge-ack", "ack-unacceptable", "ignored", "retransmission", "unexplained"} <= kinds


def test_snapped_records_are_explained_not_rejected(tmp_path, run_synack):
    """A capture cut at a 64-byte snapshot length (tcpdump -s 64): the IP
    length exceeds the record, and the record says so; the headers are
    still explained."""
    import struct
    pkts = C.abort()
    pkts[3] = C.Flow().c(0.01, "PA", 1001, 5001, load=b"x" * 1000)
    pkts[4] = C.Flow().s(0.011, "A", 5001, 2001)
    pkts[5] = C.Flow().s(0.02, "RA", 5001, 2001, win=0)
    data = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 64, 1))
    for p in pkts:
        raw = C.raw(p)
        t = float(p.time)
        data += struct.pack("<IIII", int(t), int((t % 1) * 1e6), min(len(raw), 64), len(raw)) + raw[:64]
    cap = tmp_path / "snap.pcap"
    cap.write_bytes(bytes(data))
    r, recs = explain_json(run_synack, cap)
    assert r.returncode == 0, r.stderr
    assert segs(recs)[6]["rule"] == "abort"
    assert "had received 1000 bytes" in segs(recs)[6]["text"]


def test_standard_input(tmp_path, run_synack, synack_bin):
    import subprocess
    r = subprocess.run([str(synack_bin), "explain", "--json", "-"], input=SEED.read_bytes(), capture_output=True)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert segs(recs)[64]["rule"] == "syn-sent.unacceptable-ack"


def test_tshark_reads_the_replay_and_bench_captures(tmp_path, run_synack):
    import subprocess
    tshark = shutil.which("tshark")
    if tshark is None:
        pytest.fail("tshark is required")
    out = tmp_path / "replayed.pcap"
    assert run_synack("replay", SEED, "--pcap", out).returncode == 1
    r = subprocess.run([tshark, "-r", str(out), "-T", "fields", "-e", "tcp.flags.str"], capture_output=True, text=True)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2
    gen = REPO / "build" / "bench" / "gen_capture"
    if gen.exists():
        big = tmp_path / "big.pcap"
        subprocess.run([str(gen), str(big), "16", "4"], check=True, capture_output=True)
        r = subprocess.run([tshark, "-r", str(big), "-q", "-z", "conv,tcp"], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.count("<->") >= 16  # tshark splits streams at a new SYN
        e = run_synack("explain", "--json", big)
        recs = [json.loads(x) for x in e.stdout.splitlines()]
        assert e.returncode == 0 and recs[-1]["conversations"] == 16
        rules = {o["rule"] for o in recs if o["record"] == "segment"}
        for want in ("closed.no-listener", "abort", "syn-sent.unacceptable-ack", "rst.out-of-window",
                     "rst.in-window", "syn.synchronized", "retransmission.data", "window.zero"):
            assert want in rules, (want, rules)


def test_keepalive_and_its_ack(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.keepalive())
    assert (s[4]["kind"], s[4]["rule"]) == ("keepalive", "segment.keepalive")
    assert (s[5]["kind"], s[5]["rule"], s[5]["caused_by"]) == ("ack-unacceptable", "keepalive.ack", 4)


def test_zero_window_probe_and_its_ack(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.window_probe())
    assert s[5]["rule"] == "window.zero"
    assert (s[6]["kind"], s[6]["rule"]) == ("window-probe", "segment.window-probe")
    assert (s[7]["rule"], s[7]["caused_by"]) == ("window.probe-ack", 6)


def test_checksum_offload_is_not_a_drop(tmp_path, run_synack):
    s, recs = crafted(tmp_path, run_synack, C.offload_partial())
    assert s == {}, s
    assert recs[-1]["checksum_offload"] == 3


def test_bad_checksum_then_acknowledged_marks_offload(tmp_path, run_synack):
    f = C.Flow()
    pk = C.handshake(f) + [f.c(0.01, "PA", 1001, 5001, load=b"abc", chksum=0x1234),
                           f.s(0.011, "A", 5001, 1004),
                           f.c(0.02, "PA", 1004, 5001, load=b"def", chksum=0x4321)]
    s, recs = crafted(tmp_path, run_synack, pk)
    assert s[4]["rule"] == "checksum.tcp" and "offload" in s[4]["text"]
    assert 6 not in s and recs[-1]["checksum_offload"] == 1


def test_reset_after_reboot_says_both_readings(tmp_path, run_synack):
    s, _ = crafted(tmp_path, run_synack, C.reboot_reset())
    assert s[5]["rule"] == "abort"
    assert "lost the connection" in s[5]["text"] and "frame 4" in s[5]["text"]
