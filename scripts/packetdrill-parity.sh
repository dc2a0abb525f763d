#!/bin/sh
# packetdrill-parity.sh PACKETDRILL_BINARY TESTS_DIR
#
# Runs every IPv4 and IPv6 script under TESTS_DIR (google/packetdrill's
# gtests/net/tcp, which the user provides, as the binary: the project
# neither ships nor builds packetdrill) twice: with packetdrill in a fresh
# network namespace, with the arguments its run_all.py gives (per variant:
# ipv4 for scripts not named *v6.pkt, ipv6 for those not named *v4.pkt),
# and with `synack run --dut tap` with the same tolerance. Then prints a
# table: both pass, both fail, and each kind of disagreement, with counts
# and the scripts.
#
# Environment:
#   SYNACK            the synack binary (default: build/conformance/synack
#                     next to this script's repository)
#   TOLERANCE_USECS   given to both (default 20000: a shared, loaded host)
#   PARITY_TIMEOUT    seconds per run (default 180, run_all.py's)
#   PARITY_FILTER     only scripts whose path contains this string
#   PARITY_LOG        a folder that keeps each run's output (default: a
#                     temp folder, removed at the end)
#   PARITY_TIMES      1: also print the mean wall time per run of each tool
#                     (each run's start to its exit, namespace set-up
#                     included), after the table
#   PARITY_VARIANTS   the variants to run (default "ipv4 ipv6", run_all.py's
#                     default); "ipv4-mapped-ipv6" adds its --ipv4mappedv6
#                     variant (scripts not named *v6.pkt)
#
# Needs root (network namespaces, /dev/net/tun), unshare(1) and ip(8).
# Exit status: 0 the table was printed; 2 bad usage.
set -u

usage() {
	echo "usage: $0 PACKETDRILL_BINARY TESTS_DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
PD=$1
DIR=$2
[ -x "$PD" ] || { echo "$0: $PD: not an executable packetdrill binary" >&2; exit 2; }
[ -d "$DIR" ] || { echo "$0: $DIR: not a folder" >&2; exit 2; }
PD=$(cd "$(dirname "$PD")" && pwd)/$(basename "$PD")
DIR=$(cd "$DIR" && pwd)
HERE=$(cd "$(dirname "$0")/.." && pwd)
SYNACK=${SYNACK:-$HERE/build/conformance/synack}
[ -x "$SYNACK" ] || { echo "$0: $SYNACK: no synack binary (build it, or set SYNACK)" >&2; exit 2; }
SYNACK=$(cd "$(dirname "$SYNACK")" && pwd)/$(basename "$SYNACK")
TOL=${TOLERANCE_USECS:-20000}
TMO=${PARITY_TIMEOUT:-180}
FILTER=${PARITY_FILTER:-}
VARIANTS=${PARITY_VARIANTS:-ipv4 ipv6}
for v in $VARIANTS; do
	case "$v" in ipv4|ipv6|ipv4-mapped-ipv6) ;; *)
		echo "$0: PARITY_VARIANTS: '$v' is not ipv4, ipv6 or ipv4-mapped-ipv6" >&2; exit 2 ;;
	esac
done
want() { case " $VARIANTS " in *" $1 "*) return 0 ;; esac; return 1; }
if [ "$(id -u)" != 0 ]; then
	echo "$0: needs root (network namespaces and /dev/net/tun)" >&2
	exit 2
fi
command -v unshare >/dev/null 2>&1 || { echo "$0: needs unshare(1)" >&2; exit 2; }

if [ -n "${PARITY_LOG:-}" ]; then
	LOG=$PARITY_LOG
	mkdir -p "$LOG" || exit 2
	KEEP=1
else
	LOG=$(mktemp -d /tmp/packetdrill-parity.XXXXXX) || exit 2
	KEEP=0
fi
RES=$LOG/results.txt
: >"$RES"

# run_all.py's arguments per variant.
V4="--ip_version=ipv4 --local_ip=192.168.0.1 --gateway_ip=192.168.0.1 --netmask_ip=255.255.0.0 --remote_ip=192.0.2.1 -D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable -D CMSG_LEVEL_IP=SOL_IP -D CMSG_TYPE_RECVERR=IP_RECVERR"
V4M="--ip_version=ipv4-mapped-ipv6 --local_ip=192.168.0.1 --gateway_ip=192.168.0.1 --netmask_ip=255.255.0.0 --remote_ip=192.0.2.1 -D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable -D CMSG_LEVEL_IP=SOL_IPV6 -D CMSG_TYPE_RECVERR=IPV6_RECVERR"
V6="--ip_version=ipv6 --mtu=1520 --local_ip=fd3d:0a0b:17d6::1 --gateway_ip=fd3d:0a0b:17d6:8888::1 --remote_ip=fd3d:fa7b:d17d::1 -D TFO_COOKIE=c1d1e9742a47a9bc -D CMSG_LEVEL_IP=SOL_IPV6 -D CMSG_TYPE_RECVERR=IPV6_RECVERR"

# What synack's `run` accepts of them (-D, --ip-version, --local-ip and
# --remote-ip): only those options are passed on.
HELP=$("$SYNACK" help run 2>&1)
synack_args() { # variant
	args=""
	case "$HELP" in *--define*|*"-D NAME"*)
		if [ "$1" = ipv4 ]; then
			args="-D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable -D CMSG_LEVEL_IP=SOL_IP -D CMSG_TYPE_RECVERR=IP_RECVERR"
		elif [ "$1" = ipv4-mapped-ipv6 ]; then
			args="-D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable -D CMSG_LEVEL_IP=SOL_IPV6 -D CMSG_TYPE_RECVERR=IPV6_RECVERR"
		else
			args="-D TFO_COOKIE=c1d1e9742a47a9bc -D CMSG_LEVEL_IP=SOL_IPV6 -D CMSG_TYPE_RECVERR=IPV6_RECVERR"
		fi ;;
	esac
	# The addresses, which win over a script's own lines on both.
	case "$HELP" in *--local-ip*)
		if [ "$1" = ipv4 ]; then
			args="$args --local-ip=192.168.0.1 --remote-ip=192.0.2.1"
		else
			args="$args --local-ip=fd3d:0a0b:17d6::1 --remote-ip=fd3d:fa7b:d17d::1"
		fi ;;
	esac
	case "$HELP" in *--ip-version*)
		args="$args --ip-version=$1" ;;
	*--ip_version*)
		args="$args --ip_version=$1" ;;
	esac
	echo "$args"
}

run_one() { # script variant
	f=$1
	v=$2
	d=$(dirname "$f")
	b=$(basename "$f")
	tag=$(echo "${f#"$DIR"/}" | tr '/' '_').$v
	case "$v" in ipv4) pdargs=$V4 ;; ipv4-mapped-ipv6) pdargs=$V4M ;; *) pdargs=$V6 ;; esac
	# packetdrill: a fresh namespace with lo up, as run_all.py's in_netns.sh.
	t0=$(date +%s%N)
	(cd "$d" && timeout "$TMO" unshare -n sh -c "ip link set lo up && exec \"\$0\" \"\$@\"" \
		"$PD" --send_omit_free $pdargs --tolerance_usecs="$TOL" "$b") >"$LOG/$tag.pd" 2>&1
	pd_rc=$?
	t1=$(date +%s%N)
	if [ $pd_rc -eq 0 ]; then pd=pass; else pd=fail; fi
	# synack: IPv6 only when it accepts --ip_version.
	sargs=$(synack_args "$v")
	if [ "$v" != ipv4 ] && ! echo "$sargs" | grep -q ip.version; then
		echo "UNSUPPORTED $b (synack run has no --ip_version: $v not run)" >"$LOG/$tag.synack"
		sy=unsupported
	else
		t2=$(date +%s%N)
		(cd "$d" && timeout "$TMO" "$SYNACK" run --dut tap $sargs --tolerance-usecs "$TOL" \
			--pcap-dir "$LOG/pcap" "$b") >"$LOG/$tag.synack" 2>"$LOG/$tag.synack.err"
		sy_rc=$?
		echo "$((t1 - t0)) $(($(date +%s%N) - t2))" >>"$LOG/times.txt"
		first=$(head -n 1 "$LOG/$tag.synack" | awk '{print $1}')
		case "$first" in
		PASS) sy=pass ;;
		FAIL) sy=fail ;;
		UNSUPPORTED|SKIPPED|SKIP) sy=unsupported ;;
		*) if [ $sy_rc -eq 2 ]; then sy=error; elif [ $sy_rc -ge 124 ]; then sy=fail; else sy=error; fi ;;
		esac
	fi
	echo "$pd $sy $v ${f#"$DIR"/}" >>"$RES"
}

find "$DIR" -name '*.pkt' | sort | while read -r f; do
	case "$f" in *"$FILTER"*) ;; *) continue ;; esac
	case "$f" in *v6.pkt) ;; *) want ipv4 && run_one "$f" ipv4 ;; esac
	case "$f" in *v6.pkt) ;; *) want ipv4-mapped-ipv6 && run_one "$f" ipv4-mapped-ipv6 ;; esac
	case "$f" in *v4.pkt) ;; *) want ipv6 && run_one "$f" ipv6 ;; esac
done

total=$(wc -l <"$RES")
same=$(awk '$1 == $2' "$RES" | wc -l)
echo "packetdrill parity: $total runs of the scripts under $DIR (tolerance $TOL us)"
echo
printf '%-40s %6s\n' "packetdrill / synack --dut tap" "runs"
for k in "pass pass" "fail fail" "pass fail" "fail pass" "pass unsupported" "fail unsupported" "pass error" "fail error"; do
	n=$(awk -v a="${k% *}" -v b="${k#* }" '$1 == a && $2 == b' "$RES" | wc -l)
	printf '%-40s %6d\n' "${k% *} / ${k#* }" "$n"
done
for v in ipv4 ipv4-mapped-ipv6 ipv6; do
	t=$(awk -v v=$v '$3 == v' "$RES" | wc -l)
	s=$(awk -v v=$v '$3 == v && $1 == $2' "$RES" | wc -l)
	[ "$t" -gt 0 ] && echo "$v: same verdict on $s of $t"
done
[ "$total" -gt 0 ] && echo "same verdict: $same of $total ($(awk -v s="$same" -v t="$total" 'BEGIN {printf "%.1f", 100 * s / t}')%)"
echo
for k in "pass fail" "fail pass" "pass unsupported" "fail unsupported" "pass error" "fail error"; do
	n=$(awk -v a="${k% *}" -v b="${k#* }" '$1 == a && $2 == b' "$RES" | wc -l)
	[ "$n" -eq 0 ] && continue
	echo "packetdrill ${k% *}, synack ${k#* }:"
	awk -v a="${k% *}" -v b="${k#* }" '$1 == a && $2 == b {print "  " $4 " (" $3 ")"}' "$RES"
done
if [ "${PARITY_TIMES:-0}" = 1 ] && [ -s "$LOG/times.txt" ]; then
	awk '{p += $1; s += $2; n++} END {printf "\nwall time per run (%d runs): packetdrill %.3f s, synack --dut tap %.3f s\n", n, p / n / 1e9, s / n / 1e9}' "$LOG/times.txt"
fi
if [ $KEEP -eq 0 ]; then
	rm -rf "$LOG"
else
	echo
	echo "each run's output: $LOG"
fi
exit 0
