#!/bin/sh
# bench_suite.sh - how fast the default conformance suite runs on the sim DUT.
#
#   bench/bench_suite.sh [SYNACK_BIN] [extra `synack run` arguments...]
#
# Runs `synack run` (the default set: every suite, linux-wire scripts
# skipped) against --dut sim on one core (-j 1), and prints the scripts
# (scenarios) run per second, the wall time of the whole suite and the
# virtual time it covered (the TIME-WAIT, RTO and SYN give-up scripts span
# minutes of DUT time each). Prints figures only: it never passes or fails
# on time (STYLE: benchmarks print, tests don't time). The suite's own exit
# status is shown, not returned.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${SYNACK_BIN:-$here/build/conformance/synack}}
[ $# -gt 0 ] && shift
if [ ! -x "$bin" ]; then
	echo "bench_suite: synack binary not found at $bin (build it, or pass its path)" >&2
	exit 2
fi
cd "$here" || exit 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# taskset pins to one CPU where it exists; -j 1 keeps the runner in one process.
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
t0=$(date +%s%N)
$pin "$bin" run --dut sim -j 1 --json --pcap-dir "${TMPDIR:-/tmp}/bench-suite-failures" "$@" >"$out"
rc=$?
t1=$(date +%s%N)
summary=$(grep '"summary"' "$out")
summary=${summary%%\"rerun\"*} # the rerun list repeats "scripts": keep the totals only
num() { printf '%s\n' "$summary" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
scripts=$(num scripts)
passed=$(num passed)
failed=$(num failed)
skipped=$(num skipped)
vns=$(num virtual_ns)
awk -v w0="$t0" -v w1="$t1" -v n="${scripts:-0}" -v ran="$((${scripts:-0} - ${skipped:-0}))" \
    -v p="${passed:-0}" -v f="${failed:-0}" -v s="${skipped:-0}" -v v="${vns:-0}" -v rc="$rc" 'BEGIN {
	wall = (w1 - w0) / 1e9
	printf "bench_suite: default suite on sim, one core (-j 1)\n"
	printf "  scripts          %d (%d run: %d passed, %d failed; %d skipped)\n", n, ran, p, f, s
	printf "  wall time        %.3f s (goal < 1 s)\n", wall
	printf "  scenarios/s      %.0f (scripts run per wall second)\n", (wall > 0 ? ran / wall : 0)
	printf "  virtual time     %.1f s of DUT time (%.0fx real time)\n", v / 1e9, (wall > 0 ? v / 1e9 / wall : 0)
	printf "  synack exit      %d\n", rc
}'
