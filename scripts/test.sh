#!/usr/bin/env bash
# Every test: installs what is missing, builds the host preset and the
# ASan+UBSan preset (warnings are errors in both) and both firmware images
# (the avr and stm32 presets), runs the Check suites and the firmware size
# ceiling under CTest in both host presets, verifies the AVR image (every
# suite against the exact ELF in simavr: build-avr/.../synack-avr.verify.json
# is the record), then the end-to-end pytest suite against the host build
# and those images (it checks the flash gate: an image changed by one byte,
# or whose record failed, is refused), a short libFuzzer run of every fuzz/
# harness (when clang is there) and the suites under valgrind memcheck.
# The last line is one summary over all of them: "total: N passed, N
# failed, N skipped".
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

# JUnit for the steps below: junit FILE SUITE, then one "name status seconds
# log" line per case on stdin (status pass, fail or skip; the log's tail is
# the failure's text).
junit() {
  local out=$1 suite=$2 name st secs log body="" n=0 f=0 s=0
  while read -r name st secs log; do
    n=$((n + 1))
    local inner=""
    if [ "$st" = fail ]; then
      f=$((f + 1))
      inner="<failure message=\"$name failed\">$(tail -n 30 "$log" | tr -cd '\11\12\40-\176' | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')</failure>"
    elif [ "$st" = skip ]; then
      s=$((s + 1))
      inner="<skipped message=\"$(sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/"/\&quot;/g' "$log")\"/>"
    fi
    body+="<testcase classname=\"$suite\" name=\"$name\" time=\"$secs\">$inner</testcase>"$'\n'
  done
  printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="%s" tests="%d" failures="%d" skipped="%d">\n%s</testsuite>\n' \
    "$suite" "$n" "$f" "$s" "$body" >"$out"
}

# libFuzzer (fuzz/): every harness from its seeds for a fixed number of runs
# (-seed=1: the same inputs every time), ASan + UBSan, no recovery; the
# corpus replays under the asan preset are CTest tests (fuzz_replay_*).
# Runs per harness: about ten seconds each on a shared two-core machine
# (a model or capture input costs more than a script).
declare -A FUZZ_RUNS=([script]=20000 [model]=3000 [stack]=20000 [engine]=10000 [capture]=15000)
fuzz_cases() {
  local h tmp log t0 rc
  if ! command -v clang >/dev/null; then
    echo "clang is not installed (scripts/install-deps.sh installs it)" >"$RESULTS/fuzz.skip"
    for h in script model stack engine capture; do echo "fuzz_$h skip 0 $RESULTS/fuzz.skip"; done
    return
  fi
  if ! { cmake --preset fuzz >"$RESULTS/fuzz-build.log" 2>&1 &&
         cmake --build --preset fuzz --target fuzz_script fuzz_model fuzz_stack fuzz_engine fuzz_capture \
           >>"$RESULTS/fuzz-build.log" 2>&1; }; then
    for h in script model stack engine capture; do echo "fuzz_$h fail 0 $RESULTS/fuzz-build.log"; done
    return
  fi
  for h in script model stack engine capture; do
    tmp=$(mktemp -d) log="$RESULTS/fuzz_$h.log" t0=$SECONDS
    seeds=("$ROOT/fuzz/corpus/$h")
    case $h in script | engine) seeds+=("$ROOT/conformance/suites") ;; esac
    "$ROOT/build-fuzz/fuzz/fuzz_$h" -runs="${SYNACK_FUZZ_RUNS:-${FUZZ_RUNS[$h]}}" -seed=1 -timeout=20 -print_final_stats=1 \
      -artifact_prefix="$RESULTS/fuzz_$h-" "$tmp" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    rm -rf "$tmp"
    echo "fuzz_$h $([ $rc -eq 0 ] && echo pass || echo fail) $((SECONDS - t0)) $log"
  done
}
fuzz_cases | junit "$RESULTS/fuzz.xml" fuzz
grep -q 'failures="0"' "$RESULTS/fuzz.xml" || fail=1

# valgrind memcheck once over the suites on sim: any error or leak fails.
vg_case() {
  local log="$RESULTS/valgrind.log" t0=$SECONDS
  if ! command -v valgrind >/dev/null; then
    echo "valgrind is not installed (scripts/install-deps.sh installs it)" >"$log"
    echo "valgrind_suites_sim skip 0 $log"
    return
  fi
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
    --show-leak-kinds=definite,indirect,possible --trace-children=yes \
    "$ROOT/build/conformance/synack" run --dut sim "$ROOT/conformance/suites" >"$log" 2>&1
  echo "valgrind_suites_sim $([ $? -eq 0 ] && echo pass || echo fail) $((SECONDS - t0)) $log"
}
vg_case | junit "$RESULTS/valgrind.xml" valgrind
grep -q 'failures="0"' "$RESULTS/valgrind.xml" || fail=1

"$PY" scripts/junit_total.py "$RESULTS"/*.xml || fail=1
exit $fail
