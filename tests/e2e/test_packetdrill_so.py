"""End-to-end tests of libsynack_packetdrill.so, the library real packetdrill
loads with --so_filename, and of scripts/packetdrill-so.sh.

Without packetdrill: the installed library (cmake --install) exports one
symbol (nm, an independent reader of the ELF), loads with packetdrill's
dlopen flags (ctypes), and exits 2 naming the key for bad --so_flags; the
harness refuses bad arguments with exit 2.

With packetdrill (PACKETDRILL=/path/to/packetdrill, built from
github.com/google/packetdrill; skipped otherwise): packetdrill-sim passes
through packetdrill as with `synack run` (the harness's "differences:
none"); a blocking call returns at the time its segment arrives and a
wrong end time is a timing error; a script expecting a packet that never
comes ends with the library's message; epoll is unsupported with the
reason; the capture of a failed script is read back with tcpdump; the
example seed stack, built against the install as a user builds it, fails
the seed's handshake through packetdrill on the ack of its SYN-ACK, with the
chip model's checker line for its driver.
"""
import ctypes
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SUITES = REPO / "conformance" / "suites"
HARNESS = REPO / "scripts" / "packetdrill-so.sh"
LIB_NAME = "libsynack_packetdrill.so"


def sh(*args, cwd=None, env=None, timeout=600):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def prefix(synack_bin, tmp_path_factory):
    """The build under test, installed as a user installs it."""
    if shutil.which("cmake") is None:
        pytest.skip("cmake is not installed")
    build = synack_bin.parent.parent
    pfx = tmp_path_factory.mktemp("pdso-prefix")
    res = sh("cmake", "--install", build, "--prefix", pfx)
    assert res.returncode == 0, res.stdout + res.stderr
    return pfx


@pytest.fixture(scope="session")
def lib(prefix):
    hits = list(prefix.glob(f"lib*/{LIB_NAME}"))
    assert len(hits) == 1, f"{LIB_NAME} not installed under {prefix}/lib: {hits}"
    return hits[0]


@pytest.fixture(scope="session")
def packetdrill():
    path = os.environ.get("PACKETDRILL") or shutil.which("packetdrill")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("packetdrill not found: set PACKETDRILL=/path/to/packetdrill (built from "
                    "github.com/google/packetdrill, gtests/net/packetdrill)")
    return path


def test_installed_library_exports_only_the_entry_point(lib):
    if shutil.which("nm") is None:
        pytest.skip("nm (binutils) is not installed")
    res = sh("nm", "-D", "--defined-only", lib)
    assert res.returncode == 0, res.stderr
    names = {line.split()[-1] for line in res.stdout.splitlines() if line.strip()}
    names -= {"_init", "_fini"}
    assert names == {"packetdrill_interface_init"}, names


LOADER = r"""
import ctypes, os, sys
mode = os.RTLD_NOW | os.RTLD_LOCAL | os.RTLD_NODELETE | os.RTLD_DEEPBIND   # packetdrill's so_testing.c
so = ctypes.CDLL(sys.argv[1], mode=mode)
table = (ctypes.c_void_p * 33)()
so.packetdrill_interface_init(sys.argv[2].encode() if len(sys.argv) > 2 else None, table)
print(sum(1 for p in table if p))
"""


def load(lib, *flags):
    return sh(sys.executable, "-c", LOADER, lib, *flags, timeout=60)


def test_packetdrills_dlopen_fills_all_33_members(lib):
    res = load(lib, "dut=sim seed=2")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "33"


@pytest.mark.parametrize("flags, message", [
    ("seed=1 colour=red", "--so_flags: unknown key 'colour' (expected dut, seed, profile"),
    ("timeout=0", "--so_flags: timeout=: expected seconds of virtual time > 0"),
    ("dut=tap", "dut=tap: not a virtual-time DUT"),
    ("dut=board:/nonexistent/libfw.so", "board:/nonexistent/libfw.so: No such file or directory"),
    ("dut=avr:/nonexistent/fw.elf", "--so_flags: dut=avr:/nonexistent/fw.elf: "),
    ("profile=rfc5961=maybe", "--so_flags: profile=: expected e.g. rfc5961=on"),
])
def test_bad_so_flags_exit_2_naming_the_place(lib, flags, message):
    res = load(lib, flags)
    assert res.returncode == 2, res.stdout + res.stderr
    assert f"synack-packetdrill: " in res.stderr and message in res.stderr, res.stderr


def test_harness_usage_errors_exit_2(tmp_path):
    res = sh(HARNESS)
    assert res.returncode == 2 and "usage: packetdrill-so.sh" in res.stderr
    res = sh(HARNESS, tmp_path / "nope", SUITES / "packetdrill-sim")
    assert res.returncode == 2 and "not an executable file" in res.stderr, res.stderr
    res = sh(HARNESS, "--dut", "tap", "/bin/true", SUITES / "packetdrill-sim")
    assert res.returncode == 2 and "--dut: expected sim, board:PATH.so or avr:IMAGE.elf" in res.stderr, res.stderr
    res = sh(HARNESS, "/bin/true", tmp_path / "missing.pkt")
    assert res.returncode == 2 and "no such script or directory" in res.stderr, res.stderr


# ------------------------------------------------------------------ with packetdrill

def test_packetdrill_sim_passes_through_packetdrill_as_with_synack_run(packetdrill, lib, synack_bin):
    res = sh(HARNESS, "--so", lib, "--synack", synack_bin, packetdrill, SUITES / "packetdrill-sim",
             SUITES / "packetdrill-linux")
    assert res.returncode == 0, res.stdout + res.stderr
    n = len(list((SUITES / "packetdrill-sim").glob("*.pkt")))
    assert f"{n} pass there: {n} pass here too" in res.stdout, res.stdout
    assert "differences: none" in res.stdout, res.stdout
    # Linux's options are what the packetdrill-linux failures are about.
    assert "live packet field ipv4_total_length" in res.stdout, res.stdout


def run_pd(packetdrill, lib, script, tmp_path, flags="", text=None):
    if text is not None:
        script = tmp_path / script
        script.write_text(text)
    return sh(packetdrill, f"--so_filename={lib}", f"--so_flags={flags}", "--ip_version=ipv4", script,
              cwd=tmp_path, timeout=120)


def test_blocking_accept_and_read_return_when_their_segments_arrive(packetdrill, lib, tmp_path):
    src = (SUITES / "packetdrill-sim" / "blocking-accept-read.pkt").read_text()
    res = run_pd(packetdrill, lib, "ok.pkt", tmp_path, text=src)
    assert res.returncode == 0, res.stdout + res.stderr
    late = src.replace("+0...0.100 read(4, ..., 500) = 500", "+0...0.150 read(4, ..., 500) = 500")
    assert late != src
    res = run_pd(packetdrill, lib, "late.pkt", tmp_path, text=late)
    assert res.returncode == 1
    assert "timing error: expected system call return at" in res.stderr, res.stderr


NEVER = """\
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0 bind(3, ..., ...) = 0
   +0 listen(3, 1) = 0
   +0 < S 0:0(0) win 8192 <mss 1000>
   +0 > S. 0:0(0) ack 1 win 1024 <mss 1024>
 +.01 < . 1:1(0) ack 1 win 8192
   +0 > . 1:1(0) ack 1 win 1024
"""


def test_a_packet_that_never_comes_ends_with_the_librarys_message(packetdrill, lib, tmp_path):
    res = run_pd(packetdrill, lib, "never.pkt", tmp_path, flags="timeout=3600", text=NEVER)
    assert res.returncode == 1, res.stdout + res.stderr
    assert ("synack-packetdrill: timeout: the script waits for a packet the sim DUT did not send: "
            "nothing came for 3600.000 s of virtual time") in res.stderr, res.stderr


def test_epoll_is_unsupported_with_the_reason(packetdrill, lib, tmp_path):
    res = run_pd(packetdrill, lib, "epoll.pkt", tmp_path, text="0 epoll_create(1) = 3\n")
    assert res.returncode == 1
    assert ("synack-packetdrill: unsupported: epoll_create(): the DUT's application interface has no epoll"
            in res.stderr), res.stderr
    script = tmp_path / "epoll.pkt"
    res = sh(HARNESS, "--so", lib, "--no-compare", packetdrill, script)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "unsupported      1" in res.stdout and "epoll_create(): the DUT's application interface" in res.stdout


def test_the_capture_of_a_failed_script_is_complete(packetdrill, lib, tmp_path):
    tcpdump = shutil.which("tcpdump") or "/usr/bin/tcpdump"
    src = (SUITES / "packetdrill-sim" / "passive-open-data.pkt").read_text()
    bad = src.replace("> . 1:1(0) ack 101 win 1024", "> . 1:1(0) ack 100 win 1024")
    assert bad != src
    pcap = tmp_path / "bad.pcap"
    res = run_pd(packetdrill, lib, "bad.pkt", tmp_path, flags=f"pcap={pcap} seed=4", text=bad)
    assert res.returncode == 1
    assert "tcp_ack_seq: expected: 100 (0x64) vs actual: 101 (0x65)" in res.stderr, res.stderr
    out = sh(tcpdump, "-nr", pcap, "tcp")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # The DUT's SYN-ACK with our options, and the ACK of the 100 bytes the
    # script got wrong: on the wire it acknowledged 101.
    assert any("192.168.0.1.8080 >" in l and "Flags [S.]" in l and "mss 1024" in l for l in lines), lines
    assert any("192.168.0.1.8080 >" in l and "Flags [.], ack 101" in l for l in lines), lines


def test_a_users_firmware_under_packetdrill_shows_the_seed_bug(packetdrill, lib, prefix, tmp_path):
    if shutil.which("cmake") is None:
        pytest.skip("cmake is not installed")
    src = tmp_path / "seed_stack"
    shutil.copytree(REPO / "examples" / "seed_stack", src)
    res = sh("cmake", "-S", src, "-B", tmp_path / "build", f"-DCMAKE_PREFIX_PATH={prefix}")
    assert res.returncode == 0, res.stdout + res.stderr
    res = sh("cmake", "--build", tmp_path / "build")
    assert res.returncode == 0, res.stdout + res.stderr
    fw = tmp_path / "build" / "libseed_stack.so"
    script = SUITES / "packetdrill-linux" / "seed-server-synack.pkt"
    res = sh(packetdrill, f"--so_filename={lib}", f"--so_flags=dut=board:{fw}", script, cwd=tmp_path, timeout=120)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "tcp_ack_seq: expected: 1 (0x1) vs actual: 0 (0x0)" in res.stderr, res.stderr
    assert "synack-packetdrill: checker: " in res.stderr and "erxrdpt-even (DS80349C erratum 14)" in res.stderr
