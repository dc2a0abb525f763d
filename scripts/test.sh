#!/usr/bin/env bash
# Every test: installs what is missing, builds the host preset and the
# ASan+UBSan preset (warnings are errors in both), runs the Check suites and
# the firmware size ceiling under CTest in both, then the end-to-end pytest
# suite against the host build. The last line is one summary over all of
# them: "total: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RESULTS="$ROOT/build/test-results"
PY=/usr/bin/python3 # Debian's interpreter has pytest and scapy; pyenv's may not

bash scripts/install-deps.sh || exit 2

fail=0
build() {
  cmake --preset "$1" >"$ROOT/build-$1.configure.log" 2>&1 || { cat "$ROOT/build-$1.configure.log"; return 1; }
  cmake --build --preset "$1" || return 1
}
build default || { echo "test.sh: host build failed"; exit 1; }
if [ "${SYNACK_SKIP_ASAN:-0}" != 1 ]; then
  build asan || { echo "test.sh: sanitizer build failed"; exit 1; }
fi

rm -rf "$RESULTS" && mkdir -p "$RESULTS"
ctest --preset default --output-junit "$RESULTS/ctest-default.xml" || fail=1
if [ "${SYNACK_SKIP_ASAN:-0}" != 1 ]; then
  ctest --preset asan --output-junit "$RESULTS/ctest-asan.xml" || fail=1
fi

SYNACK_BIN="$ROOT/build/conformance/synack" "$PY" -m pytest tests/e2e -q -p no:cacheprovider \
  --junitxml="$RESULTS/pytest.xml"
rc=$?
if [ $rc -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure"
  fail=1
elif [ $rc -ne 0 ]; then
  fail=1
fi

"$PY" scripts/junit_total.py "$RESULTS"/*.xml || fail=1
exit $fail
