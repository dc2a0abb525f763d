#!/bin/bash
# bench_packetdrill_so.sh - wall time per script of real packetdrill driving
# the sim DUT through libsynack_packetdrill.so (virtual time), next to the
# same packetdrill against this machine's kernel (real time), in one run.
#
#   bench/bench_packetdrill_so.sh PACKETDRILL [--so PATH] [--runs N] [SCRIPT...]
#
# Default scripts: handshake, reset and RTO scripts of
# conformance/suites/packetdrill-linux that pass on both (their options are
# `<...>` where Linux and our stack differ). The kernel runs are packetdrill's
# own local mode in a network namespace of their own (`unshare -n`, root
# only; a TUN device inside it), as packetdrill's suite runs, with
# --tolerance_usecs=50000; without root they are reported n/a. Each script
# runs N times (default 5) each way, interleaved; the median is printed,
# with the script's own scripted time (the DUT's virtual time in synack run)
# and packetdrill's fixed cost (a one-line script). Prints figures only: it
# never passes or fails on time.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bench_packetdrill_so.sh PACKETDRILL [--so PATH] [--runs N] [SCRIPT...]" >&2; exit 2; }
pd=$1
shift
[ -x "$pd" ] && [ -f "$pd" ] || { echo "bench_packetdrill_so: $pd: not an executable" >&2; exit 2; }
pd=$(cd "$(dirname "$pd")" && pwd)/$(basename "$pd")
so=${SYNACK_PACKETDRILL_SO:-$here/build/conformance/packetdrill_so/libsynack_packetdrill.so}
synack=${SYNACK_BIN:-$here/build/conformance/synack}
runs=5
scripts=()
while [ $# -gt 0 ]; do
	case "$1" in
	--so) so=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	*) scripts+=("$1"); shift ;;
	esac
done
[ -f "$so" ] || { echo "bench_packetdrill_so: $so: no library (build synack, or --so PATH)" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench_packetdrill_so: --runs: expected a count, got '$runs'" >&2; exit 2; }
if [ ${#scripts[@]} -eq 0 ]; then
	s=$here/conformance/suites/packetdrill-linux
	scripts=("$s/connect-nonblocking.pkt" "$s/seed-server-synack.pkt" "$s/closed-port-rst.pkt"
		"$s/connect-refused.pkt" "$s/seed-client-synack-ack0.pkt" "$s/syn-retransmission.pkt")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-pdso.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n' > "$work/one-line.pkt"

kernel=1
why=""
if [ "$(id -u)" != 0 ]; then
	kernel=0; why="not root"
elif ! command -v unshare >/dev/null || ! unshare -n true 2>/dev/null; then
	kernel=0; why="no network namespaces (unshare -n)"
elif [ ! -c /dev/net/tun ]; then
	kernel=0; why="no /dev/net/tun"
fi

now() { date +%s%N; }
# One run; prints "seconds verdict".
run_lib() {
	local t0 t1 rc
	t0=$(now)
	(cd "$(dirname "$1")" && "$pd" --so_filename="$so" --ip_version=ipv4 "$(basename "$1")" >/dev/null 2>&1)
	rc=$?
	t1=$(now)
	awk -v a="$t0" -v b="$t1" -v rc="$rc" 'BEGIN { printf "%.4f %s\n", (b - a) / 1e9, rc == 0 ? "pass" : "FAIL" }'
}
run_kernel() {
	local t0 t1 rc
	t0=$(now)
	(cd "$(dirname "$1")" && unshare -n sh -c 'ip link set lo up && exec "$0" --tolerance_usecs=50000 "$1"' \
		"$pd" "$(basename "$1")" >/dev/null 2>&1)
	rc=$?
	t1=$(now)
	awk -v a="$t0" -v b="$t1" -v rc="$rc" 'BEGIN { printf "%.4f %s\n", (b - a) / 1e9, rc == 0 ? "pass" : "FAIL" }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "packetdrill $pd, $runs runs each (median wall time; verdicts of all runs)"
echo "library $so (dut=sim, virtual time)"
[ $kernel = 1 ] && echo "kernel: $(uname -r), packetdrill local mode in a private network namespace" ||
	echo "kernel: n/a ($why)"
printf '\n%-44s %9s   %-18s %-18s %7s\n' script scripted "library (sim)" "kernel" ratio
all=("$work/one-line.pkt" "${scripts[@]}")
tot_l=0 tot_k=0
for f in "${all[@]}"; do
	[ -f "$f" ] || { echo "bench_packetdrill_so: $f: no such script" >&2; exit 2; }
	: > "$work/l"; : > "$work/k"
	for _ in $(seq "$runs"); do
		run_lib "$f" >> "$work/l"
		[ $kernel = 1 ] && run_kernel "$f" >> "$work/k"
	done
	ml=$(cut -d' ' -f1 "$work/l" | median)
	vl=$(cut -d' ' -f2 "$work/l" | sort | uniq -c | awk '{ printf "%s%s", (NR > 1 ? "," : ""), ($1 == '"$runs"' ? $2 : $1 "x" $2) }')
	if [ $kernel = 1 ]; then
		mk=$(cut -d' ' -f1 "$work/k" | median)
		vk=$(cut -d' ' -f2 "$work/k" | sort | uniq -c | awk '{ printf "%s%s", (NR > 1 ? "," : ""), ($1 == '"$runs"' ? $2 : $1 "x" $2) }')
	else
		mk=n/a vk=""
	fi
	# The scripted time: what the DUT's clock covers in synack run.
	st=n/a
	if [ -x "$synack" ] && [ "$f" != "$work/one-line.pkt" ]; then
		vns=$("$synack" run --json --ignore=options,win "$f" 2>/dev/null | head -1 | sed -nE 's/.*"virtual_ns":([0-9]+).*/\1/p')
		[ -n "$vns" ] && st=$(awk -v n="$vns" 'BEGIN { printf "%.3f", n / 1e9 }')
	fi
	[ "$f" = "$work/one-line.pkt" ] && name="(one line: packetdrill's fixed cost)" || name=${f#"$here"/conformance/suites/}
	ratio=""
	[ "$mk" != n/a ] && ratio=$(awk -v a="$mk" -v b="$ml" 'BEGIN { printf "%.1fx", a / b }')
	printf '%-44s %8s s   %7s s %-8s %7s s %-8s %7s\n' "$name" "$st" "$ml" "$vl" "$mk" "$vk" "$ratio"
	if [ "$f" != "$work/one-line.pkt" ]; then
		tot_l=$(awk -v a="$tot_l" -v b="$ml" 'BEGIN { print a + b }')
		[ "$mk" != n/a ] && tot_k=$(awk -v a="$tot_k" -v b="$mk" 'BEGIN { print a + b }')
	fi
done
printf '%-44s %9s   %7.3f s %-8s ' "total (medians)" "" "$tot_l" ""
[ $kernel = 1 ] && printf '%7.3f s\n' "$tot_k" || printf '    n/a\n'
