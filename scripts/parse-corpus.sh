#!/bin/sh
# parse-corpus.sh [--sim] TESTS_DIR - how much of a folder of packetdrill
# scripts synack reads: every *.pkt under TESTS_DIR (google/packetdrill's
# gtests/net/tcp, freebsd-net/tcp-testsuite, your own) goes through
# `synack run --dry-run`, and the counts are printed for IPv4 and IPv6
# scripts, with every script that does not parse and why.
#
# A script is IPv6 when its name ends in v6.pkt (packetdrill's run_all.py
# runs those over IPv6 only) or its own --ip_version line says ipv6; the
# others are IPv4. Each class gets run_all.py's defines for its variant
# (-D TFO_COOKIE=..., CODE, CMSG_LEVEL_IP, CMSG_TYPE_RECVERR) and IPv6
# scripts --ip-version ipv6, as packetdrill gets them.
#
# --sim also runs the IPv4 scripts on the sim DUT with --ignore=options,win
# and prints the verdicts and how many were unsupported for each reason
# (the construct that stopped them).
#
# The folder is the user's: this script never fetches or builds anything.
# synack is $SYNACK_BIN, else build/conformance/synack beside this script.
# Exit status: 0 with the counts printed, 2 on bad usage.
set -eu

sim=0
if [ "${1:-}" = "--sim" ]; then
	sim=1
	shift
fi
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 [--sim] TESTS_DIR (a folder of packetdrill *.pkt scripts)" >&2
	exit 2
fi
dir=$1
here=$(cd "$(dirname "$0")/.." && pwd)
synack=${SYNACK_BIN:-$here/build/conformance/synack}
if [ ! -x "$synack" ]; then
	echo "$0: no synack binary at $synack (build it, or set SYNACK_BIN)" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
find "$dir" -name '*.pkt' -type f | LC_ALL=C sort >"$tmp/all"
: >"$tmp/v4"
: >"$tmp/v6"
while IFS= read -r f; do
	case $f in
	*v6.pkt) echo "$f" >>"$tmp/v6" ;;
	*)
		if grep -q '^[[:space:]]*--ip_version=ipv6' "$f"; then
			echo "$f" >>"$tmp/v6"
		else
			echo "$f" >>"$tmp/v4"
		fi
		;;
	esac
done <"$tmp/all"

V4_DEFS="-D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable -D CMSG_LEVEL_IP=SOL_IP -D CMSG_TYPE_RECVERR=IP_RECVERR"
V6_DEFS="-D TFO_COOKIE=c1d1e9742a47a9bc -D CMSG_LEVEL_IP=SOL_IPV6 -D CMSG_TYPE_RECVERR=IPV6_RECVERR"

# run LIST OUT ARGS...: synack run over the scripts in LIST, JSON lines in OUT.
run() {
	list=$1
	out=$2
	shift 2
	: >"$out"
	[ -s "$list" ] || return 0
	# shellcheck disable=SC2046 # one argument per script path
	xargs -d '\n' "$synack" run --json "$@" <"$list" >"$out" 2>/dev/null || true
}

# report NAME JSON: the count of scripts and how many parse.
report() {
	n=$(grep -c '^{"script"' "$2" || true)
	bad=$(grep '^{"script"' "$2" | grep -c '"verdict":"error"' || true)
	echo "$1 scripts: $n, parse: $((n - bad)), do not parse: $bad"
	grep '^{"script"' "$2" | grep '"verdict":"error"' |
		sed 's/.*"messages":\["\([^"]*\)".*/    \1/' || true
}

# shellcheck disable=SC2086 # the defines are separate arguments
run "$tmp/v4" "$tmp/v4.json" --dry-run $V4_DEFS
# shellcheck disable=SC2086
run "$tmp/v6" "$tmp/v6.json" --dry-run --ip-version ipv6 $V6_DEFS
echo "$dir: $(wc -l <"$tmp/all") scripts"
report IPv4 "$tmp/v4.json"
report IPv6 "$tmp/v6.json"

if [ "$sim" -eq 1 ]; then
	# shellcheck disable=SC2086
	run "$tmp/v4" "$tmp/sim.json" --dut sim --ignore=options,win --pcap-dir "$tmp/failures" $V4_DEFS
	echo "IPv4 scripts on --dut sim --ignore=options,win:"
	for v in pass fail unsupported skipped error; do
		echo "    $v: $(grep -c "\"verdict\":\"$v\"" "$tmp/sim.json" || true)"
	done
	echo "    unsupported, by reason (a quoted command shown as \`...\`):"
	# shellcheck disable=SC2016 # backquotes in the text, not in the shell
	grep '"verdict":"unsupported"' "$tmp/sim.json" |
		sed 's/.*"messages":\["[^"]*\.pkt:[0-9]*: \([^"]*\)".*/\1/' |
		sed 's/`.*`/`...`/' | cut -c1-90 | sort | uniq -c | sort -rn | sed 's/^/    /'
fi
exit 0
