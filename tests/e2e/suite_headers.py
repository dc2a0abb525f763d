"""The `//! profile:` headers of the conformance suites, read as text.

Used by test_suites.py and test_suite_layout.py to know, from the scripts
themselves, which RFC profiles exist, which combinations the scripts need
and which behaviour profiles they name. Deliberately not synack's parser:
the tests compare what synack does with what the files say.

Header syntax (conformance/README.md "The header"): `//! profile:` followed
by items separated by blanks or commas; an item is `name=on|off` or a bare
`name` (= on). RFC profiles always carry a value.
"""
import itertools
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
SUITES = REPO / "conformance" / "suites"
RFC_PROFILES = ("rfc5961", "rfc1337", "timewait-recycle")   # the switches `--profile` sets
DEFAULT = {"rfc5961": "on", "rfc1337": "off", "timewait-recycle": "off"}   # `synack run` without --profile
SUFFIX = re.compile(r"\.(rfc5961|rfc1337|timewait-recycle)-(on|off)$")


def all_scripts():
    """Every script, as a path relative to conformance/suites/, sorted."""
    return sorted(p.relative_to(SUITES).as_posix() for p in SUITES.rglob("*.pkt"))


def profiles(script):
    """(rfc, behaviour) of a script: two dicts name -> 'on'|'off', in the
    order the header names them."""
    rfc, beh = {}, {}
    for line in (SUITES / script).read_text().splitlines():
        if not line.startswith("//! profile:"):
            continue
        for item in re.split(r"[\s,]+", line[len("//! profile:"):].strip()):
            if not item:
                continue
            name, _, value = item.partition("=")
            (rfc if name in RFC_PROFILES else beh)[name] = value or "on"
    return rfc, beh


def name_suffix(script):
    """The RFC profiles a file name carries: [('rfc5961', 'on'), ...] in order."""
    stem = script[:-len(".pkt")]
    out = []
    while True:
        m = SUFFIX.search(stem)
        if not m:
            return out[::-1]
        out.append((m.group(1), m.group(2)))
        stem = stem[:m.start()]


def combo(values):
    """{'rfc5961': 'on', 'rfc1337': 'off'} -> 'rfc5961=on,rfc1337=off'.
    timewait-recycle is named only when on (off is synack's default, and a
    DUT such as tap cannot be set to on), as `synack run` names it."""
    return ",".join(f"{n}={values[n]}" for n in RFC_PROFILES
                    if n != "timewait-recycle" or values.get(n) == "on")


def every_combination():
    """All values of the RFC profiles the headers use, combined."""
    used = [n for n in RFC_PROFILES if any(n in profiles(s)[0] for s in all_scripts())]
    out = []
    for vals in itertools.product(("on", "off"), repeat=len(used)):
        c = dict(DEFAULT)
        c.update(zip(used, vals))
        out.append(combo(c))
    return sorted(set(out), key=lambda c: (c != combo(DEFAULT), c))


def needed_combination(script):
    """The combination a script asks for: what its header names, synack's
    default for the rest."""
    c = dict(DEFAULT)
    c.update(profiles(script)[0])
    return combo(c)


def allows(script, comb):
    """Whether a script's RFC profiles allow the combination `comb`."""
    want = profiles(script)[0]
    have = dict(kv.split("=") for kv in comb.split(","))
    return all(have.get(n, DEFAULT[n]) == v for n, v in want.items())
