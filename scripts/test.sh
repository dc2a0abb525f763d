#!/usr/bin/env bash
# Every test: installs what is missing, builds the host preset and the
# ASan+UBSan preset (warnings are errors in both) and both firmware images
# (the avr and stm32 presets), runs the Check suites and the firmware size
# ceiling under CTest in both host presets, verifies the AVR image (every
# suite against the exact ELF in simavr: build-avr/.../synack-avr.verify.json
# is the record), then the end-to-end pytest suite against the host build
# and those images (it checks the flash gate: an image changed by one byte,
# or whose record failed, is refused). The last line is one summary over
# all of them: "total: N passed, N failed, N skipped".
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
build avr || { echo "test.sh: AVR firmware build failed"; exit 1; }
build stm32 || { echo "test.sh: STM32 firmware build failed"; exit 1; }
AVR_ELF="$ROOT/build-avr/firmware/avr/synack-avr.elf"
STM32_ELF="$ROOT/build-stm32/firmware/stm32/synack-stm32.elf"

rm -rf "$RESULTS" && mkdir -p "$RESULTS"
ctest --preset default --output-junit "$RESULTS/ctest-default.xml" || fail=1
if [ "${SYNACK_SKIP_ASAN:-0}" != 1 ]; then
  ctest --preset asan --output-junit "$RESULTS/ctest-asan.xml" || fail=1
fi

# The suites against the image that would be flashed; the record stays
# beside it. A failure here is a failure of the run (and pytest checks that
# flash refuses a failed record).
"$ROOT/build/conformance/synack" verify "$AVR_ELF" -j 2 || fail=1

SYNACK_BIN="$ROOT/build/conformance/synack" SYNACK_AVR_ELF="$AVR_ELF" SYNACK_STM32_ELF="$STM32_ELF" \
  "$PY" -m pytest tests/e2e -q -p no:cacheprovider \
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
