"""Shared fixtures for the end-to-end tests of the `synack` CLI.

The binary under test is $SYNACK_BIN, or build/conformance/synack in the
repository. Tests run it as a user would (subprocess, in a temporary working
directory) and decode what it wrote with independent tools -- tcpdump and
scapy -- never with the project's own decoders (STYLE.md 21).
"""
import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def synack_bin():
    env = os.environ.get("SYNACK_BIN")
    path = (pathlib.Path(env) if env else REPO / "build" / "conformance" / "synack").resolve()
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"synack binary not found at {path}: build it (cmake --build build) "
                    "or set SYNACK_BIN")
    return path


@pytest.fixture
def run_synack(synack_bin, tmp_path):
    """Run synack with the given arguments in tmp_path; returns CompletedProcess."""
    def run(*args, cwd=None):
        return subprocess.run([str(synack_bin), *map(str, args)], cwd=cwd or tmp_path,
                              capture_output=True, text=True, timeout=120)
    return run


@pytest.fixture(scope="session")
def tcpdump():
    path = shutil.which("tcpdump") or "/usr/bin/tcpdump"
    if not os.access(path, os.X_OK):
        pytest.fail("tcpdump is required for the end-to-end tests")
    return path
