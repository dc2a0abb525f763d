#!/bin/sh
# bench_corpus.sh - the public corpus on the sim DUT, one core: our own
# suites plus what runs of packetdrill's gtests/net/tcp and of the FreeBSD
# tcp-testsuite (issue 15, goal 5).
#
#   bench/bench_corpus.sh [--bin SYNACK] [PACKETDRILL_TREE [FREEBSD_TREE]]
#
# PACKETDRILL_TREE is a checkout of github.com/google/packetdrill (its
# gtests/net/tcp is run), FREEBSD_TREE one of
# github.com/freebsd-net/tcp-testsuite (all of it); either may be left out
# or given as "-". Neither ships with synack: bring your own.
#
# Our suites run as `synack run` does by default. The foreign scripts run
# with --skip-shell (their sysctl and ../common/defaults.sh lines set
# another kernel's knobs, which the sim DUT cannot take: the stack keeps
# its own settings) and --ignore=options,win (they expect Linux's or
# FreeBSD's SYN options and windows), so what runs is what the sim can
# carry: IPv4, no Python tcp_info blocks, socket calls it can emulate.
# A foreign script that fails is a difference between that kernel and our
# stack, not a fault of the run.
#
# Prints, per corpus and in all: scripts, run (passed + failed), wall
# seconds, scripts run per second, and the virtual time the runs covered.
# packetdrill runs a script in real time, so that virtual time is a lower
# bound on what packetdrill itself would take on the same scripts, and
# virtual over wall time a lower bound on the speed-up. Malformed foreign
# scripts (an undefined word, a typo) are counted under "skip" with the
# profile skips, and their parse errors printed.
# Prints figures only, never passes or fails on time.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SYNACK_BIN:-$here/build/conformance/synack}
if [ "${1:-}" = --bin ]; then
	[ $# -ge 2 ] || { echo "bench_corpus: --bin needs a path" >&2; exit 2; }
	bin=$2
	shift 2
fi
pd=${1:--}
fb=${2:--}
[ $# -le 2 ] || { echo "bench_corpus: at most two trees (packetdrill, FreeBSD tcp-testsuite)" >&2; exit 2; }
[ -x "$bin" ] || { echo "bench_corpus: synack binary not found at $bin (build it, or --bin PATH)" >&2; exit 2; }
if [ "$pd" != - ] && [ ! -d "$pd/gtests/net/tcp" ]; then
	echo "bench_corpus: $pd: no gtests/net/tcp in it (a packetdrill checkout?)" >&2
	exit 2
fi
if [ "$fb" != - ] && [ ! -d "$fb/state-event-engine" ]; then
	echo "bench_corpus: $fb: no state-event-engine/ in it (a tcp-testsuite checkout?)" >&2
	exit 2
fi
cd "$here" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

# corpus NAME ARGS...: one `synack run` on one core; appends a line
# "name scripts passed failed unsupported skipped errors virtual_ns wall_ns"
corpus() {
	name=$1
	shift
	t0=$(date +%s%N)
	$pin "$bin" run --dut sim -j 1 --json --pcap-dir "$tmp/failures-$name" "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
	rc=$?
	t1=$(date +%s%N)
	if [ $rc -ge 2 ]; then
		echo "bench_corpus: $name: synack run exited $rc:" >&2
		head -5 "$tmp/$name.err" >&2
	fi
	s=$(grep '"summary"' "$tmp/$name.json")
	s=${s%%\"rerun\"*}
	num() { v=$(printf '%s\n' "$s" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"); echo "${v:-0}"; }
	echo "$name $(num scripts) $(num passed) $(num failed) $(num unsupported) $(num skipped) $(num errors)" \
		"$(num virtual_ns) $((t1 - t0))" >>"$tmp/rows"
}

corpus ours
[ "$pd" = - ] || corpus gtests-net-tcp --skip-shell --ignore=options,win "$pd/gtests/net/tcp"
[ "$fb" = - ] || corpus freebsd-tcp-testsuite --skip-shell --ignore=options,win "$fb"

awk 'BEGIN {
	printf "bench_corpus: the public corpus on sim, one core (-j 1)\n"
	printf "  %-22s %7s %5s %6s %6s %5s %5s %8s %10s %10s %9s\n", "corpus", "scripts", "run", "passed",
	       "failed", "unsup", "skip", "wall s", "run/s", "virtual s", "virt/wall"
}
function row(n, sc, p, f, u, k, e, v, w,   run) {
	run = p + f
	printf "  %-22s %7d %5d %6d %6d %5d %5d %8.3f %10.0f %10.1f %8.0fx\n", n, sc, run, p, f, u, k + e,
	       w / 1e9, (w > 0 ? run / (w / 1e9) : 0), v / 1e9, (w > 0 ? v / w : 0)
}
{
	row($1, $2, $3, $4, $5, $6, $7, $8, $9)
	for (i = 2; i <= 9; i++) t[i] += $i
}
END {
	row("all", t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9])
	printf "  wall time, all       %.3f s (goal < 1 s)\n", t[9] / 1e9
	printf "  run = passed + failed; unsup: needs what the sim cannot carry (IPv6, tcp_info, ...);\n"
	printf "  skip: profile conflicts and malformed scripts; virt/wall: DUT time covered per wall\n"
	printf "  second. packetdrill runs a script in real time, so for the two foreign corpora\n"
	printf "  virt/wall is a lower bound on how much faster than packetdrill the same runs are.\n"
}' "$tmp/rows"
