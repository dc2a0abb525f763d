"""End-to-end tests of `--dut board:PATH.so` and of the installed synack.

As a user would: `cmake --install` the build under test into a temporary
prefix, build examples/seed_stack out of tree against it with
find_package(synack) (and once with pkg-config), and run the installed CLI
with no source checkout in the working directory. The seed suite fails on
the example, naming `tcp ack`, and the failure capture, decoded by scapy
(not by synack), holds the seed's SYN-ACK acknowledging 0. The one-line
diff in the example's README, applied with patch(1), makes the handshake
scripts pass. Bad firmware (no such file, no entry point, another ABI
version) is exit 2 with the cause; a firmware without an application
interface gets the application's scripts reported unsupported, with the
reason. The chip model's checker lines come with every result, in text
and JSON, on board: and on sim.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
from scapy.all import IP, TCP, rdpcap

from conftest import REPO

EXAMPLE = REPO / "examples" / "seed_stack"
SEED_ISS = 4039242319          # the SYN-ACK's seq in the seed capture
CLIENT_ISN = 1240744644        # the client's SYN
FIXED_PASS = [                 # what the fixed example must pass
    "seed/server-acks-irs-plus-1.pkt",
    "seed/server-rst-seq0-ignored.pkt",
    "rfc9293/handshake/passive-open.pkt",
    "rfc9293/handshake/syn-with-data.pkt",
]


def sh(*args, cwd=None, env=None, timeout=300):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def need(tool):
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    return path


@pytest.fixture(scope="session")
def prefix(synack_bin, tmp_path_factory):
    """The build under test, installed into a temporary prefix."""
    need("cmake")
    build = synack_bin.parent.parent
    if not (build / "CMakeCache.txt").is_file():
        pytest.fail(f"{synack_bin} is not in a CMake build tree ({build}/CMakeCache.txt missing): "
                    "cannot run cmake --install")
    pfx = tmp_path_factory.mktemp("prefix")
    res = sh("cmake", "--install", build, "--prefix", pfx)
    assert res.returncode == 0, res.stdout + res.stderr
    return pfx


@pytest.fixture(scope="session")
def installed_synack(prefix):
    return prefix / "bin" / "synack"


def build_example(src, prefix, build):
    """Configure and build a copy of the example against the install."""
    res = sh("cmake", "-S", src, "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_C_FLAGS=-Werror")
    assert res.returncode == 0, res.stdout + res.stderr
    res = sh("cmake", "--build", build)
    assert res.returncode == 0, res.stdout + res.stderr
    so = build / "libseed_stack.so"
    assert so.is_file()
    return so


@pytest.fixture(scope="session")
def seed_so(prefix, tmp_path_factory):
    work = tmp_path_factory.mktemp("seed")
    shutil.copytree(EXAMPLE, work / "seed_stack")
    return build_example(work / "seed_stack", prefix, work / "build")


@pytest.fixture(scope="session")
def fixed_so(prefix, tmp_path_factory):
    """The example with exactly the README's diff applied by patch(1)."""
    need("patch")
    work = tmp_path_factory.mktemp("fixed")
    src = work / "seed_stack"
    shutil.copytree(EXAMPLE, src)
    readme = (src / "README.md").read_text()
    blocks = re.findall(r"```diff\n(.*?)```", readme, re.S)
    assert len(blocks) == 1, "the README shows one diff"
    diff = blocks[0]
    removed = [l for l in diff.splitlines() if l.startswith("-") and not l.startswith("---")]
    added = [l for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert len(removed) == 1 and len(added) == 1, f"a one-line fix: {removed} -> {added}"
    (src / "fix.diff").write_text(diff)
    res = sh("patch", "-p1", "-i", "fix.diff", cwd=src)
    assert res.returncode == 0, res.stdout + res.stderr
    return build_example(src, prefix, work / "build")


def run_installed(installed_synack, cwd, *args):
    """The installed CLI, in a directory with no conformance/ in it."""
    assert not (pathlib.Path(cwd) / "conformance").exists()
    return sh(installed_synack, *args, cwd=cwd)


def records(stdout):
    return {r["script"]: r for r in map(json.loads, stdout.splitlines()) if "script" in r}


def by_suffix(recs, suffix):
    hits = [r for s, r in recs.items() if s.endswith(suffix)]
    assert len(hits) == 1, f"{suffix}: {sorted(recs)}"
    return hits[0]


def test_install_layout(prefix):
    for rel in ["bin/synack", "include/synack/hal.h", "include/synack/enc28j60_hw.h",
                "include/synack/synack_board.h", "include/synack/enc28j60_model.h",
                "include/synack/board.h", "include/synack/wire/tcp.h",
                "lib/libsynack_sim.a", "lib/libsynack_model.a", "lib/libsynack_core.a",
                "lib/pkgconfig/synack.pc", "lib/cmake/synack/synackConfig.cmake",
                "lib/cmake/synack/synackTargets.cmake", "share/synack/suites/seed/server-acks-irs-plus-1.pkt",
                "share/synack/examples/seed_stack/README.md"]:
        assert (prefix / rel).is_file(), rel
    # Private headers stay in the tree.
    assert not (prefix / "include/synack/enc28j60_priv.h").exists()
    assert not (prefix / "include/synack/model_internal.h").exists()


def test_installed_cli_finds_its_own_suites(installed_synack, prefix, tmp_path):
    res = run_installed(installed_synack, tmp_path, "run", "seed", "--dry-run")
    assert res.returncode == 0, res.stderr
    suites = prefix / "share" / "synack" / "suites"
    listed = [l.split()[1] for l in res.stdout.splitlines() if l.startswith("PARSED")]
    assert listed == [str(suites / "seed" / n) for n in
                      ["client-resets-synack-ack0.pkt", "server-acks-irs-plus-1.pkt",
                       "server-rst-seq0-ignored.pkt"]]


def test_seed_stack_fails_the_seed_suite_naming_tcp_ack(installed_synack, seed_so, tmp_path):
    res = run_installed(installed_synack, tmp_path, "run", "seed", "--dut", f"board:{seed_so}")
    assert res.returncode == 1, res.stdout + res.stderr
    out = res.stdout
    assert re.search(r"server-acks-irs-plus-1\.pkt:14: tcp ack: expected 1 \(abs 1240744645\) "
                     r"vs actual \d+ \(abs 0\)", out), out
    assert re.search(r"UNSUPPORTED +\S+client-resets-synack-ack0\.pkt\n +\S+:14: the firmware "
                     r"libseed_stack\.so does not implement connect \(synack_board_app\.connect is NULL\)",
                     out), out
    # The checker's line for the driver, with the errata reference.
    assert re.search(r"\n    checker: t=\d+ns erxrdpt-even \(DS80349C erratum 14\): ", out), out

    # What went over the wire, decoded by scapy: the seed's SYN-ACK.
    pcap = tmp_path / "synack-failures" / "seed-server-acks-irs-plus-1.pcap"
    synacks = [p for p in rdpcap(str(pcap)) if TCP in p and p[TCP].flags == "SA"]
    assert len(synacks) == 1
    sa = synacks[0]
    assert (sa[TCP].sport, sa[TCP].seq, sa[TCP].ack, sa[TCP].window) == (8888, SEED_ISS, 0, 64240)
    assert sa[TCP].options == []


def test_seed_stack_json_carries_the_diagnostics(installed_synack, seed_so, tmp_path):
    res = run_installed(installed_synack, tmp_path, "run", "seed", "--json", "--dut", f"board:{seed_so}")
    assert res.returncode == 1, res.stderr
    recs = records(res.stdout)
    rec = by_suffix(recs, "seed/server-acks-irs-plus-1.pkt")
    assert rec["verdict"] == "fail"
    assert "tcp ack: expected 1 (abs 1240744645)" in rec["messages"][0]
    assert len(rec["diagnostics"]) == 1
    assert "erxrdpt-even (DS80349C erratum 14)" in rec["diagnostics"][0]
    # Unsupported before the board ever started: nothing to report.
    assert "diagnostics" not in by_suffix(recs, "seed/client-resets-synack-ack0.pkt")


def test_readme_fix_makes_the_handshake_scripts_pass(installed_synack, prefix, fixed_so, tmp_path):
    suites = prefix / "share" / "synack" / "suites"
    res = run_installed(installed_synack, tmp_path, "run", *[suites / s for s in FIXED_PASS], "--json",
                        "--dut", f"board:{fixed_so}")
    assert res.returncode == 0, res.stdout + res.stderr
    recs = records(res.stdout)
    assert sorted(r["verdict"] for r in recs.values()) == ["pass"] * len(FIXED_PASS), res.stdout
    # The rest of the two suites is what this stack is, each with its reason.
    res = run_installed(installed_synack, tmp_path, "run", "seed", "rfc9293/handshake", "--json",
                        "--dut", f"board:{fixed_so}")
    recs = records(res.stdout)
    assert by_suffix(recs, "handshake/syn-ack-retransmission.pkt")["verdict"] == "fail"  # no retransmission
    active = by_suffix(recs, "handshake/active-open.pkt")
    assert active["verdict"] == "unsupported" and "does not implement connect" in active["messages"][0]
    assert by_suffix(recs, "handshake/syn-retransmission.pkt")["verdict"] == "skipped"
    for s in FIXED_PASS:
        assert by_suffix(recs, s)["verdict"] == "pass"


def test_pkg_config_and_cmake_package_serve_a_user_project(prefix, tmp_path):
    need("pkg-config")
    cc = need("cc")
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    cflags = sh("pkg-config", "--cflags", "synack", env=env)
    assert cflags.returncode == 0, cflags.stderr
    assert cflags.stdout.split() == [f"-I{prefix}/lib/pkgconfig/../../include/synack"]
    # The firmware with pkg-config alone.
    so = tmp_path / "libseed_pc.so"
    res = sh(cc, "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", *cflags.stdout.split(), "-o", so,
             *[EXAMPLE / f for f in ("board.c", "enc.c", "net.c")])
    assert res.returncode == 0, res.stderr
    res = sh(prefix / "bin" / "synack", "run", "seed/server-acks-irs-plus-1.pkt", "--dut", f"board:{so}",
             cwd=tmp_path)
    assert res.returncode == 1 and "tcp ack: expected 1 (abs 1240744645)" in res.stdout, res.stdout
    # A program on the simulator libraries: with pkg-config, then find_package(synack).
    main = tmp_path / "main.c"
    main.write_text('#include <stdio.h>\n#include "board.h"\n'
                    "int main(void) {\n"
                    "    struct sim s; struct sim_board b;\n"
                    "    if (sim_init(&s, 1, 0) || sim_board_init(&b, &s, NULL)) return 1;\n"
                    '    printf("EREVID %u\\n", model_peek_reg(sim_board_model(&b), 3, 0x12));\n'
                    "    sim_board_free(&b); sim_free(&s); return 0;\n}\n")
    libs = sh("pkg-config", "--libs", "synack", env=env).stdout.split()
    res = sh(cc, "-o", tmp_path / "pc", main, *cflags.stdout.split(), *libs)
    assert res.returncode == 0, res.stderr
    assert sh(tmp_path / "pc").stdout == "EREVID 6\n"
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(user C)\nfind_package(synack 0.1 REQUIRED)\n"
        "add_executable(user main.c)\ntarget_link_libraries(user PRIVATE synack::sim)\n")
    res = sh("cmake", "-S", tmp_path, "-B", tmp_path / "b", f"-DCMAKE_PREFIX_PATH={prefix}")
    assert res.returncode == 0, res.stdout + res.stderr
    res = sh("cmake", "--build", tmp_path / "b")
    assert res.returncode == 0, res.stdout + res.stderr
    assert sh(tmp_path / "b" / "user").stdout == "EREVID 6\n"


# ---- bad firmware, and firmware without an application interface ----

NO_ENTRY = "int not_the_entry(void) { return 0; }\n"

# Brings the chip up just enough (soft reset, CLKRDY, RXEN) and serves
# nothing: no application interface. abi_version is filled from -DABI.
BARE = r"""
#include "synack_board.h"
#include "enc28j60_hw.h"
struct fw { const struct synack_board_env *env; };
static struct fw one;
static void op(const struct enc_spi_hal *h, unsigned char a, unsigned char b, int two)
{ h->select(h->ctx); h->xfer(h->ctx, a); if (two) h->xfer(h->ctx, b); h->deselect(h->ctx); }
static void *create(const struct synack_board_env *env) { one.env = env; return &one; }
static void boot(void *p, uint64_t now)
{
    const struct enc_spi_hal *h = ((struct fw *)p)->env->spi;
    (void)now;
    op(h, ENC_OP_SRC, 0, 0);
    h->delay_us(h->ctx, 2000);
    op(h, ENC_OP_BFS | ENC_REG_ADDR(ECON1), ECON1_RXEN, 1);
}
static uint64_t run(void *p, uint64_t now) { (void)p; (void)now; return SYNACK_BOARD_NEVER; }
static void destroy(void *p) { (void)p; }
static const struct synack_board_firmware FW = {ABI, "bare", create, boot, run, destroy, 0, 0};
SYNACK_BOARD_EXPORT const struct synack_board_firmware *synack_board_entry(void) { return &FW; }
"""


def compile_so(tmp_path, name, source, prefix, *defines):
    cc = need("cc")
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    so = tmp_path / f"lib{name}.so"
    res = sh(cc, "-shared", "-fPIC", "-Wall", "-Werror", f"-I{prefix}/include/synack", *defines, "-o", so, src)
    assert res.returncode == 0, res.stderr
    return so


def test_nonexistent_firmware_is_exit_2(installed_synack, tmp_path):
    res = run_installed(installed_synack, tmp_path, "run", "seed", "--dut", "board:/nonexistent/libfw.so")
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == "synack run: --dut: board:/nonexistent/libfw.so: No such file or directory\n"


def test_library_without_the_entry_point_is_exit_2(installed_synack, prefix, tmp_path):
    so = compile_so(tmp_path, "noentry", NO_ENTRY, prefix)
    res = run_installed(installed_synack, tmp_path, "run", "seed", "--dut", f"board:{so}")
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == (f"synack run: --dut: board:{so}: the library has no entry point "
                          "synack_board_entry() (export it; see synack_board.h)\n")


def test_not_a_shared_object_is_exit_2(installed_synack, tmp_path):
    bogus = tmp_path / "libbogus.so"
    bogus.write_text("not an ELF file\n")
    res = run_installed(installed_synack, tmp_path, "run", "seed", "--dut", "board:libbogus.so")
    assert res.returncode == 2
    assert res.stderr.startswith("synack run: --dut: board:libbogus.so: cannot load: "), res.stderr


def test_other_abi_version_is_exit_2(installed_synack, prefix, tmp_path):
    so = compile_so(tmp_path, "abi9", BARE, prefix, "-DABI=9")
    res = run_installed(installed_synack, tmp_path, "run", "seed", "--dut", f"board:{so}")
    assert res.returncode == 2
    assert "the firmware was built for board ABI version 9, this synack speaks version 1" in res.stderr


def test_without_an_application_interface_scripts_are_unsupported(installed_synack, prefix, tmp_path):
    so = compile_so(tmp_path, "bare", BARE, prefix, "-DABI=SYNACK_BOARD_ABI_VERSION")
    res = run_installed(installed_synack, tmp_path, "run", "seed", "--json", "--dut", f"board:{so}")
    assert res.returncode == 0, res.stdout + res.stderr  # unsupported fails nothing
    recs = records(res.stdout)
    assert len(recs) == 3
    for rec in recs.values():
        assert rec["verdict"] == "unsupported"
        assert rec["messages"][0].endswith(": the firmware libbare.so exports no application interface "
                                           "(synack_board_firmware.app is NULL; see synack_board.h)")
    # The line named is the first application line: `listen 8888` or `connect`.
    assert by_suffix(recs, "seed/server-acks-irs-plus-1.pkt")["line"] == 12


def test_sim_results_carry_an_empty_checker_list(run_synack):
    res = run_synack("run", "seed", "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    recs = records(res.stdout)
    assert len(recs) == 3
    assert all(r["diagnostics"] == [] for r in recs.values())
    text = run_synack("run", "seed")
    assert "checker:" not in text.stdout


def test_our_stack_behind_the_board_abi_matches_sim(synack_bin, run_synack):
    """Our own driver and stack as a board firmware (the test firmware of
    conformance/engine/tests/board_fw.c) get the same verdict as the sim
    DUT on every script, except where the board ABI lacks what the script
    uses (`counter` lines, shutdown(), `rcvbuf`, `event urgent`), which is
    unsupported with that reason: the adapter itself adds and loses nothing."""
    fw = synack_bin.parent / "engine" / "tests" / "libboard_fw_ours.so"
    if not fw.is_file():
        pytest.skip(f"{fw} not built (configure with SYNACK_TESTS=ON)")
    sim = records(run_synack("run", "all", "-j", "2", "--json").stdout)
    res = run_synack("run", "all", "-j", "2", "--json", "--dut", f"board:{fw}")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    board = records(res.stdout)
    assert sorted(board) == sorted(sim) and len(sim) > 250
    differ = {s for s in sim if sim[s]["verdict"] != board[s]["verdict"]}
    for s in differ:
        assert board[s]["verdict"] == "unsupported", s
        assert board[s]["messages"][0].endswith((f"the board:{fw.name} DUT has no counters",
                                                 "the board ABI (version 1) has no half close (shutdown)",
                                                 "cannot size the firmware's receive buffer or window (rcvbuf)",
                                                 "reports no urgent data (synack_board_event has no such event)")), \
            board[s]
    assert len(differ) < len(sim) // 4
    assert all(r.get("diagnostics", []) == [] for r in board.values() if r["verdict"] != "skipped")


SEED_PCAP = REPO / "conformance" / "captures" / "seed.pcap"


def test_replay_of_the_seed_capture_with_the_seed_stack_reproduces_it(installed_synack, seed_so, tmp_path):
    r = run_installed(installed_synack, tmp_path, "replay", SEED_PCAP, "--dut", f"board:{seed_so}", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    frames = {o["frame"]: o for o in map(json.loads, r.stdout.splitlines()) if o.get("record") == "frame"}
    assert [frames[n]["status"] for n in (62, 63, 64)] == ["injected", "matched", "injected"]
    assert "ack 0 " in frames[63]["dut"]


def test_replay_with_the_fixed_seed_stack_departs_at_the_synack(installed_synack, fixed_so, tmp_path):
    r = run_installed(installed_synack, tmp_path, "replay", SEED_PCAP, "--dut", f"board:{fixed_so}", "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    frames = {o["frame"]: o for o in map(json.loads, r.stdout.splitlines()) if o.get("record") == "frame"}
    assert frames[63]["status"] == "departs" and "ack 1240744645" in frames[63]["dut"]
    assert frames[64]["status"] == "not-replayed"
