#!/usr/bin/env bash
# Fuzzing campaigns over the harnesses of fuzz/ (libFuzzer, clang; ASan and
# UBSan with no recovery), one harness after the other, then the line
# coverage each campaign's corpus reaches in the harness's target code.
#
#   scripts/fuzz.sh [SECONDS | -runs N] [HARNESS...]
#
# SECONDS (default 60) or N executions per harness; harnesses: script,
# model, stack, engine, capture (default all). Each campaign starts from
# the seeds (fuzz/corpus/<h>, and the suites for script and engine) and
# keeps what it finds in $FUZZ_WORK/<h> (default build-fuzz/campaign/<h>),
# so the next campaign goes on from there; crashes land in
# $FUZZ_WORK/artifacts/<h>/ and end that harness's campaign. New seeds worth
# keeping go into the repository with
#   build-fuzz/fuzz/fuzz_<h> -merge=1 fuzz/corpus/<h> $FUZZ_WORK/<h>
# Environment: FUZZ_SEED (libFuzzer -seed, default: random), FUZZ_NICE
# (default 10), FUZZ_JOBS (parallel libFuzzer workers, default 1),
# FUZZ_MAX_LEN (longest input; default 8192 capture, else 4096).
#
# Coverage: the fuzz-coverage preset builds the replayers with clang's
# source coverage; each replays its campaign's corpus and llvm-cov-14
# reports lines covered / lines in the target code (lines of the sources
# listed for the harness below, all of them, reached or not).
#
# Prints one line per harness:
#   <harness> executions <N> crashes <N> lines <covered>/<total> (<pct>%)
# Exit status: 0 no crash, 1 a crash (its input is named), 2 bad usage or
# a build that failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ALL=(script model stack engine capture)
WORK=${FUZZ_WORK:-$ROOT/build-fuzz/campaign}
NICE=${FUZZ_NICE:-10}
JOBS=${FUZZ_JOBS:-1}

usage() {
  echo "usage: scripts/fuzz.sh [SECONDS | -runs N] [${ALL[*]}]" >&2
  exit 2
}

budget=(-max_total_time=60)
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  budget=(-max_total_time="$1"); shift
elif [ $# -gt 1 ] && [ "$1" = -runs ] && [[ $2 =~ ^[0-9]+$ ]]; then
  budget=(-runs="$2"); shift 2
elif [ $# -gt 0 ] && [[ $1 == -* ]]; then
  usage
fi
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=("${ALL[@]}")
for h in "${harnesses[@]}"; do
  [[ " ${ALL[*]} " == *" $h "* ]] || { echo "fuzz.sh: unknown harness '$h' (${ALL[*]})" >&2; exit 2; }
done
command -v clang >/dev/null || { echo "fuzz.sh: clang is not installed (scripts/install-deps.sh)" >&2; exit 2; }

for p in fuzz fuzz-coverage; do
  prefix=fuzz_
  [ $p = fuzz-coverage ] && prefix=replay_
  mkdir -p "$WORK"
  cmake --preset $p >"$WORK/build-$p.log" 2>&1 &&
    cmake --build --preset $p --target "${harnesses[@]/#/$prefix}" >>"$WORK/build-$p.log" 2>&1 ||
    { tail -30 "$WORK/build-$p.log"; exit 2; }
done

seeds() {
  echo "$ROOT/fuzz/corpus/$1"
  case $1 in script | engine) echo "$ROOT/conformance/suites" ;; esac
}

# The code each harness is about (coverage is reported over these files).
target() {
  case $1 in
    script) ls "$ROOT"/conformance/script/*.c ;;
    model) ls "$ROOT"/enc28j60_model/*.c ;;
    stack) ls "$ROOT"/core/net/*.c "$ROOT"/core/wire/*.c ;;
    # the sim DUT's engine: the tap, board and avr adapters are not its code
    engine) ls "$ROOT"/conformance/engine/*.c | grep -Ev '/dut_(tap|board|avr)' ;;
    capture) ls "$ROOT"/conformance/capture/*.c ;;
  esac
}

status=0
results=()
for h in "${harnesses[@]}"; do
  mkdir -p "$WORK/$h" "$WORK/artifacts/$h"
  log="$WORK/$h.log"
  mapfile -t s < <(seeds "$h")
  # Inputs stay short: a mutation of a short input costs less and reaches
  # as far (the longest seeds are cut to this when mutated).
  case $h in
    capture) extra=(-max_len="${FUZZ_MAX_LEN:-8192}") ;;
    *) extra=(-max_len="${FUZZ_MAX_LEN:-4096}") ;;
  esac
  [ "$JOBS" -gt 1 ] && extra+=(-fork="$JOBS")
  echo "fuzz.sh: $h: ${budget[*]} (log $log)" >&2
  nice -n "$NICE" "$ROOT/build-fuzz/fuzz/fuzz_$h" "${budget[@]}" "${extra[@]}" ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
    -print_final_stats=1 -timeout=20 -rss_limit_mb=2560 -artifact_prefix="$WORK/artifacts/$h/" \
    "$WORK/$h" "${s[@]}" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{n += $2} END {print n + 0}')
  crashes=$(find "$WORK/artifacts/$h" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if [ $rc -ne 0 ] || [ "$crashes" -gt 0 ]; then
    status=1
    grep -E 'invariant broken|ERROR: |SUMMARY|Test unit written' "$log" | head -5 >&2
  fi
  # Coverage of the corpus it leaves.
  prof="$WORK/$h.profdata"
  rm -f "$WORK/$h".*.profraw
  LLVM_PROFILE_FILE="$WORK/$h.%p.profraw" "$ROOT/build-fuzz-cov/fuzz/replay_$h" "$WORK/$h" "${s[@]}" >/dev/null 2>&1
  lines="?"
  if llvm-profdata-14 merge -sparse "$WORK/$h".*.profraw -o "$prof" 2>/dev/null; then
    mapfile -t src < <(target "$h")
    lines=$(llvm-cov-14 report "$ROOT/build-fuzz-cov/fuzz/replay_$h" -instr-profile="$prof" "${src[@]}" 2>/dev/null |
      awk '/^TOTAL/ {total = $8; missed = $9; printf "%d/%d (%.1f%%)", total - missed, total, total ? 100 * (total - missed) / total : 0}')
  fi
  rm -f "$WORK/$h".*.profraw
  line="$h executions $execs crashes $crashes lines $lines"
  results+=("$line")
  echo "$line"
done
exit $status
