#!/usr/bin/env python3
"""Sum JUnit XML reports (CTest's and pytest's) into one closing line:
'total: N passed, N failed, N skipped'. Exits 1 if anything failed or no
test ran at all."""
import sys
import xml.etree.ElementTree as ET


def counts(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    t = f = s = 0
    for su in suites:
        t += int(su.get("tests", 0))
        f += int(su.get("failures", 0)) + int(su.get("errors", 0))
        s += int(su.get("skipped", su.get("disabled", 0)) or 0)
    return t, f, s


def main(paths):
    total = failed = skipped = 0
    for p in paths:
        try:
            t, f, s = counts(p)
        except (OSError, ET.ParseError) as e:
            print(f"junit_total: {p}: {e}", file=sys.stderr)
            failed += 1
            continue
        print(f"  {p.rsplit('/', 1)[-1]}: {t - f - s} passed, {f} failed, {s} skipped")
        total, failed, skipped = total + t, failed + f, skipped + s
    passed = total - failed - skipped
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
