"""The conformance suites as files: names, generated scripts, headers.

Static checks that need no DUT (the runs are in test_suites.py):
* the generated scripts are what scripts/gen_reset_matrix.py writes;
* a file name carries exactly the RFC profiles its `//! profile:` names
  (conformance/suites/README.md "Naming"), and no two files differ only in
  an RFC profile while holding the same script: such a pair is one file
  without the suffix.
"""
import subprocess

import pytest

from suite_headers import REPO, SUITES, all_scripts, name_suffix, profiles

ALL = all_scripts()


def events(script):
    """The script without its comments and header: what it does."""
    return [l.split("//", 1)[0].rstrip() for l in (SUITES / script).read_text().splitlines()
            if l.split("//", 1)[0].strip()]


def test_generated_scripts_are_in_sync():
    res = subprocess.run(["/usr/bin/python3", "scripts/gen_reset_matrix.py", "--check"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.strip().endswith(", 0 differ"), res.stdout


@pytest.mark.parametrize("script", ALL)
def test_name_carries_the_header_rfc_profiles(script):
    rfc, _ = profiles(script)
    assert name_suffix(script) == list(rfc.items()), \
        f"{script}: the header names {rfc or 'no RFC profile'}; the name must say the same"


def test_no_profile_pair_holds_the_same_script():
    """A cell that gives the same answer under both values of an RFC profile
    is one file that must pass under both (the suites' README), not two."""
    same = []
    for script in ALL:
        for name, value in name_suffix(script):
            if value != "on":
                continue
            twin = script.replace(f".{name}-on", f".{name}-off")
            if (SUITES / twin).exists() and events(script) == events(twin):
                same.append((script, twin))
    assert not same, f"{len(same)} pairs hold the same script, e.g. {same[:3]}"
