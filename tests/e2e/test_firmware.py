"""End-to-end tests of the firmware images, `synack verify` and the
`synack flash` gate.

The images are the ones the build made: $SYNACK_AVR_ELF / $SYNACK_STM32_ELF,
else the firmware_images CTest fixture's (build/tests/firmware/...), else
the presets' build-avr/ and build-stm32/. Each test copies them into its own
directory, so the record `synack verify` writes lands there.

Independent oracles (STYLE.md 21): hashlib for every SHA-256 the record
claims, Python's json for the record, tcpdump for the AVR run's capture, a
stand-in programmer (a shell script on PATH) for the command `synack flash`
runs. The gate is checked the way CI must: an image changed by one byte is
refused, and so is an image whose record failed.
"""
import hashlib
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import REPO

TIMEOUT = 600


def image(env, board):
    candidates = [os.environ.get(env)] if os.environ.get(env) else []
    candidates += [REPO / "build" / "tests" / "firmware" / f"build-{board}" / "firmware" / board / f"synack-{board}.elf",
                   REPO / f"build-{board}" / "firmware" / board / f"synack-{board}.elf"]
    for c in candidates:
        p = pathlib.Path(c)
        if p.is_file():
            return p
    pytest.skip(f"no {board} image: build it (cmake --preset {board} && cmake --build --preset {board}) "
                f"or set {env}")


def sha256(p):
    return hashlib.sha256(pathlib.Path(p).read_bytes()).hexdigest()


def copy_image(src, dst_dir):
    """The .elf, .hex and .bin of an image, copied into dst_dir."""
    for ext in (".elf", ".hex", ".bin"):
        shutil.copy(src.with_suffix(ext), dst_dir / (src.stem + ext))
    return dst_dir / (src.stem + ".elf")


def synack(synack_bin, *args, cwd, env=None, timeout=TIMEOUT):
    return subprocess.run([str(synack_bin), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module")
def verified_avr(synack_bin, tmp_path_factory):
    """The AVR image, verified once against every suite (all profiles)."""
    d = tmp_path_factory.mktemp("avr")
    elf = copy_image(image("SYNACK_AVR_ELF", "avr"), d)
    r = synack(synack_bin, "verify", elf, "-j", "2", cwd=d)
    return d, elf, r


# ---- the image under simavr ----

def test_suites_pass_against_the_avr_image_as_against_sim(synack_bin, tmp_path):
    elf = image("SYNACK_AVR_ELF", "avr")
    a = synack(synack_bin, "run", "--dut", f"avr:{elf}", "--json", "-j", "2", cwd=tmp_path)
    s = synack(synack_bin, "run", "--json", "-j", "2", cwd=tmp_path)
    assert a.returncode == 0, a.stdout[-3000:] + a.stderr
    verdicts = [{json.loads(l)["script"]: json.loads(l)["verdict"]
                 for l in out.stdout.splitlines() if l.startswith('{"script"')} for out in (a, s)]
    assert verdicts[0] == verdicts[1]
    assert sum(v == "pass" for v in verdicts[0].values()) > 150


def test_avr_run_is_deterministic_and_tcpdump_reads_its_capture(synack_bin, tmp_path, tcpdump):
    elf = image("SYNACK_AVR_ELF", "avr")
    caps = []
    for k, seed in enumerate((3, 3, 4)):
        d = tmp_path / f"f{k}"
        # --mutate makes the DUT fail the script, so the capture is kept.
        r = synack(synack_bin, "run", "smoke/refused.pkt", "--dut", f"avr:{elf}", "--seed", seed,
                   "--mutate", "rst-seq+1", "--pcap-dir", d, cwd=tmp_path)
        assert r.returncode == 1, r.stdout
        caps.append((d / "smoke-refused.pcap").read_bytes())
    assert caps[0] == caps[1]          # same seed, byte-identical capture
    assert caps[0] != caps[2]          # another seed: other ISN and port
    out = subprocess.run([tcpdump, "-nn", "-S", "-r", str(tmp_path / "f0" / "smoke-refused.pcap")],
                         capture_output=True, text=True, check=True).stdout
    assert "Flags [S], seq" in out and "Flags [R.]" in out


def test_unknown_avr_image_is_an_input_error(run_synack, tmp_path):
    (tmp_path / "x.elf").write_bytes(b"not an elf")
    r = run_synack("run", "smoke", "--dut", "avr:x.elf")
    assert r.returncode == 2
    assert "x.elf: not an ELF file" in r.stderr
    r = run_synack("run", "smoke", "--dut", "avr:missing.elf")
    assert r.returncode == 2 and "missing.elf: No such file or directory" in r.stderr


# ---- synack verify ----

def test_verify_writes_a_passing_record_with_the_hashes(verified_avr):
    d, elf, r = verified_avr
    assert r.returncode == 0, r.stdout + r.stderr
    rec = json.loads((d / "synack-avr.verify.json").read_text())
    assert rec["format"] == "synack-verification 1"
    assert rec["passed"] is True
    assert rec["target"] == "avr"
    assert rec["image"]["file"] == "synack-avr.elf"
    assert rec["image"]["sha256"] == sha256(elf)
    # The AVR's flash has no gaps: its bytes are exactly the .bin's.
    assert rec["image"]["flash_sha256"] == sha256(d / "synack-avr.bin")
    files = {f["file"]: f for f in rec["files"]}
    assert files["synack-avr.hex"]["sha256"] == sha256(d / "synack-avr.hex")
    assert files["synack-avr.bin"]["sha256"] == sha256(d / "synack-avr.bin")
    assert all(f["same_flash_as_elf"] for f in files.values())
    assert "simavr" in rec["suites_ran_on"] and rec["harness"]["simavr"]
    assert rec["image"]["compiler"].startswith("GCC")
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert len(rec["harness"]["commit"]) == 40
        assert len(rec["image"]["built_from"]["commit"]) == 40
    # Every profile combination ran, every script that ran passed, and what
    # never ran says why (it needs Linux: --dut tap).
    profiles = {run["profile"] for run in rec["runs"]}
    assert {"rfc5961=on,rfc1337=off", "rfc5961=off,rfc1337=off", "rfc5961=on,rfc1337=on"} <= profiles
    assert all(run["failed"] == 0 and run["errors"] == 0 for run in rec["runs"])
    assert {s["verdict"] for s in rec["scripts"]} == {"pass"}
    assert all("skipped" in n["reason"] for n in rec["not_run"])


def test_verify_record_is_reproducible(synack_bin, verified_avr, tmp_path):
    d, elf, _ = verified_avr
    e2 = copy_image(elf, tmp_path)
    r = synack(synack_bin, "verify", e2, "-j", "2", cwd=tmp_path)
    assert r.returncode == 0
    a = json.loads((d / "synack-avr.verify.json").read_text())
    b = json.loads((tmp_path / "synack-avr.verify.json").read_text())
    # The same image, tree and seed give the same record (it names no
    # wall-clock time); only the image's path in the commands differs.
    for rec in (a, b):
        for run in rec["runs"]:
            run["command"] = run["command"].replace(str(d), "X").replace(str(tmp_path), "X")
        for s in rec["scripts"] + rec["not_run"]:
            s.update({k: v.replace(str(d), "X").replace(str(tmp_path), "X") for k, v in s.items()})
    assert a == b


def test_verify_rejects_a_non_elf_and_bad_usage(run_synack, tmp_path):
    (tmp_path / "a.hex").write_text(":00000001FF\n")
    r = run_synack("verify", "a.hex")
    assert r.returncode == 2 and "expected the image's .elf" in r.stderr
    r = run_synack("verify")
    assert r.returncode == 2 and "expected IMAGE.elf" in r.stderr
    assert not list(tmp_path.glob("*.verify.json"))


@pytest.fixture
def failed_avr(synack_bin, tmp_path):
    """The AVR image with a record that failed: one script expects what
    our stack does not do (the SYN-ACK to acknowledge 0)."""
    elf = copy_image(image("SYNACK_AVR_ELF", "avr"), tmp_path)
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "wrong.pkt").write_text("0 listen 8080\n+0 < S 0:0(0) win 8192\n+0 > S. 0:0(0) ack 0! <...>\n")
    r = synack(synack_bin, "verify", elf, suite, cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    return tmp_path, elf


def test_verify_writes_a_failed_record_when_a_script_fails(failed_avr):
    d, _ = failed_avr
    rec = json.loads((d / "synack-avr.verify.json").read_text())
    assert rec["passed"] is False
    bad = [s for s in rec["scripts"] if s["verdict"] != "pass"]
    assert bad and bad[0]["verdict"] == "fail" and "tcp ack" in bad[0]["message"]


def test_verify_stm32_runs_the_host_build_and_says_so(synack_bin, tmp_path):
    elf = copy_image(image("SYNACK_STM32_ELF", "stm32"), tmp_path)
    r = synack(synack_bin, "verify", elf, "smoke", "seed", cwd=tmp_path)
    rec = json.loads((tmp_path / "synack-stm32.verify.json").read_text())
    assert rec["target"] == "stm32"
    assert rec["suites_ran_on"].startswith("sim: the host build of core/ at commit")
    assert "no STM32 emulator" in rec["suites_ran_on"]
    assert rec["image"]["sha256"] == sha256(elf)
    same = rec["image"]["built_from"]["commit"] == rec["harness"]["commit"]
    assert rec["passed"] is same and (r.returncode == 0) is same
    if not same:
        assert "they say nothing about it" in rec["reason"]


# ---- synack flash ----

@pytest.fixture
def programmer(tmp_path):
    """Stand-in avrdude, st-flash and openocd on PATH: each records its
    arguments, one per line, and exits with $FAKE_STATUS (default 0)."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    log = tmp_path / "programmer.log"
    for name in ("avrdude", "st-flash", "openocd"):
        p = bindir / name
        p.write_text(f'#!/bin/sh\necho "$(basename "$0")" > "{log}"\n'
                     f'for a in "$@"; do echo "$a" >> "{log}"; done\nexit "${{FAKE_STATUS:-0}}"\n')
        p.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}")
    return env, log


def test_flash_dry_run_prints_the_avrdude_command(synack_bin, verified_avr):
    d, _, _ = verified_avr
    r = synack(synack_bin, "flash", "avr", "synack-avr.hex", "--port", "/dev/ttyUSB0", "--dry-run", cwd=d)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == ("avrdude -p atmega328p -c arduino -P /dev/ttyUSB0 -b 115200 -D "
                                         "-U flash:w:synack-avr.hex:i")
    r = synack(synack_bin, "flash", "avr", "synack-avr.elf", "--port", "/dev/ttyACM0", "--baud", "57600",
               "--dry-run", cwd=d)
    assert r.stdout.splitlines()[-1].endswith("-P /dev/ttyACM0 -b 57600 -D -U flash:w:synack-avr.elf:e")


def test_flash_runs_the_programmer_on_a_verified_image(synack_bin, verified_avr, programmer):
    d, _, _ = verified_avr
    env, log = programmer
    r = synack(synack_bin, "flash", "avr", "synack-avr.hex", "--port", "/dev/ttyUSB0", cwd=d, env=env)
    assert r.returncode == 0, r.stderr
    assert log.read_text().split("\n")[:-1] == ["avrdude", "-p", "atmega328p", "-c", "arduino", "-P", "/dev/ttyUSB0",
                                                 "-b", "115200", "-D", "-U", "flash:w:synack-avr.hex:i"]
    # The programmer's failure is ours.
    env["FAKE_STATUS"] = "3"
    r = synack(synack_bin, "flash", "avr", "synack-avr.hex", "--port", "/dev/ttyUSB0", cwd=d, env=env)
    assert r.returncode == 1 and "avrdude exited with status 3" in r.stderr


@pytest.mark.parametrize("ext", [".hex", ".bin", ".elf"])
def test_flash_refuses_an_image_changed_by_one_byte(synack_bin, verified_avr, programmer, tmp_path, ext):
    d, _, _ = verified_avr
    env, log = programmer
    for f in d.glob("synack-avr.*"):
        shutil.copy(f, tmp_path / f.name)
    img = tmp_path / f"synack-avr{ext}"
    data = bytearray(img.read_bytes())
    data[len(data) // 2] ^= 0x01
    img.write_bytes(bytes(data))
    r = synack(synack_bin, "flash", "avr", img.name, "--port", "/dev/ttyUSB0", cwd=tmp_path, env=env)
    assert r.returncode == 1
    assert f"refused: modified image: synack-avr{ext} has sha256 {sha256(img)}" in r.stderr
    assert not log.exists()  # the programmer never ran
    # --force programs it anyway, loudly.
    r = synack(synack_bin, "flash", "avr", img.name, "--port", "/dev/ttyUSB0", "--force", cwd=tmp_path, env=env)
    assert r.returncode == 0
    assert "WARNING: --force: programming an unverified image: modified image" in r.stderr
    assert log.read_text().startswith("avrdude\n")


def test_flash_refuses_an_image_whose_record_failed(synack_bin, failed_avr, programmer):
    d, _ = failed_avr
    env, log = programmer
    r = synack(synack_bin, "flash", "avr", "synack-avr.hex", "--port", "/dev/ttyUSB0", cwd=d, env=env)
    assert r.returncode == 1
    assert "refused: failed record: synack-avr.verify.json says the image FAILED verification" in r.stderr
    assert not log.exists()
    r = synack(synack_bin, "flash", "avr", "synack-avr.hex", "--port", "/dev/ttyUSB0", "--dry-run", cwd=d)
    assert r.returncode == 1  # a dry run passes the gate too, or says why not


def test_flash_refuses_an_image_with_no_record(synack_bin, programmer, tmp_path):
    env, log = programmer
    copy_image(image("SYNACK_AVR_ELF", "avr"), tmp_path)
    r = synack(synack_bin, "flash", "avr", "synack-avr.hex", "--port", "/dev/ttyUSB0", cwd=tmp_path, env=env)
    assert r.returncode == 1
    assert "refused: no verification record: synack-avr.verify.json" in r.stderr
    assert not log.exists()


def test_flash_refuses_a_record_for_the_other_target(synack_bin, verified_avr):
    d, _, _ = verified_avr
    r = synack(synack_bin, "flash", "stm32", "synack-avr.bin", "--dry-run", cwd=d)
    assert r.returncode == 1 and "the record is for an avr image, not stm32" in r.stderr


def test_flash_stm32_commands(synack_bin, tmp_path, programmer):
    env, log = programmer
    elf = copy_image(image("SYNACK_STM32_ELF", "stm32"), tmp_path)
    # A record is needed even for a dry run: --force stands in for one here
    # (the verify test above covers the record).
    r = synack(synack_bin, "flash", "stm32", "synack-stm32.bin", "--force", "--dry-run", cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout.splitlines()[-1] == "st-flash --reset write synack-stm32.bin 0x08000000"
    r = synack(synack_bin, "flash", "stm32", "synack-stm32.hex", "--force", "--dry-run", cwd=tmp_path)
    assert r.stdout.splitlines()[-1] == "st-flash --reset --format ihex write synack-stm32.hex"
    r = synack(synack_bin, "flash", "stm32", elf.name, "--programmer", "openocd", "--force", cwd=tmp_path, env=env)
    assert r.returncode == 0
    assert log.read_text().split("\n")[:-1] == ["openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f1x.cfg",
                                                 "-c", "program synack-stm32.elf verify reset exit"]
    r = synack(synack_bin, "flash", "stm32", elf.name, "--force", "--dry-run", cwd=tmp_path)
    assert r.returncode == 2 and "st-flash writes .bin or .hex files" in r.stderr


def test_flash_usage_errors(run_synack, tmp_path):
    (tmp_path / "a.hex").write_text(":00000001FF\n")
    for args, msg in [(["flash"], "expected the target, avr or stm32"),
                      (["flash", "pic", "a.hex"], "expected the target, avr or stm32, got 'pic'"),
                      (["flash", "avr", "a.hex"], "--port is required"),
                      (["flash", "avr", "a.hex", "--port", "p", "--programmer", "st-flash"],
                       "--programmer: expected avrdude"),
                      (["flash", "stm32", "a.hex", "--port", "p"], "--port and --baud are for avr"),
                      (["flash", "avr", "a.txt", "--port", "p"], "expected a .elf, .hex or .bin file"),
                      (["flash", "avr", "gone.hex", "--port", "p"], "gone.hex: No such file or directory")]:
        r = run_synack(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert msg in r.stderr, (args, r.stderr)


def tiny_avr_elf(code):
    """A minimal AVR executable: one PT_LOAD of `code` at flash address 0."""
    import struct
    ehdr = struct.pack("<4sBBBB8xHHIIIIIHHHHHH", b"\x7fELF", 1, 1, 1, 0, 2, 83, 1, 0, 52, 0, 0, 52, 32, 1, 0, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 84, 0, 0, len(code), len(code), 5, 2)
    return ehdr + phdr + code


def test_avr_results_carry_the_checker_diagnostics(synack_bin, tmp_path):
    elf = image("SYNACK_AVR_ELF", "avr")
    r = synack(synack_bin, "run", "smoke", "--dut", f"avr:{elf}", "--json", cwd=tmp_path)
    results = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{"script"')]
    assert results and all(res["diagnostics"] == [] for res in results)  # our driver breaks no rule


def test_an_image_whose_cpu_stops_is_an_error_that_says_why(synack_bin, tmp_path):
    # cli; sleep: the CPU sleeps with interrupts off and never wakes.
    (tmp_path / "stop.elf").write_bytes(tiny_avr_elf(bytes([0xF8, 0x94, 0x88, 0x95])))
    r = synack(synack_bin, "run", "smoke/refused.pkt", "--dut", "avr:stop.elf", "--json", cwd=tmp_path)
    res = json.loads(r.stdout.splitlines()[0])
    assert res["verdict"] == "error"
    assert "the image's agent did not say '! ready 2 ...' within 2 s of power-on" in res["messages"][0]
    assert "SLEEP with interrupts off" in res["messages"][0]
    assert any(d.startswith("cpu: ") for d in res["diagnostics"])
