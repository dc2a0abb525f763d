#!/bin/bash
# packetdrill-so.sh - run packetdrill scripts with YOUR packetdrill binary
# against synack's simulated device (libsynack_packetdrill.so, virtual
# time), count pass / fail / unsupported with the reasons grouped, and
# check them against `synack run` on the same scripts.
#
#   scripts/packetdrill-so.sh [options] PACKETDRILL SCRIPT|DIR...
#
#   PACKETDRILL      a packetdrill binary (google/packetdrill; synack neither
#                    ships nor builds it)
#   SCRIPT|DIR       .pkt files, or directories searched for them (e.g.
#                    conformance/suites/packetdrill-linux, or a checkout's
#                    gtests/net/tcp)
#
# options:
#   --so PATH        the library (default: $SYNACK_PACKETDRILL_SO, the build
#                    tree's, or the one installed next to synack)
#   --dut SPEC       sim (default), board:PATH.so or avr:IMAGE.elf, as --so_flags dut=
#   --so-flags STR   more --so_flags items for every script (seed=7 ...)
#   --synack PATH    the synack binary to compare with (default: $SYNACK_BIN,
#                    the build tree's, or synack on PATH); --no-compare skips it
#   --ip-version V   packetdrill's --ip_version: ipv4 (default) or ipv4-mapped-ipv6
#                    (AF_INET6 sockets, IPv4 packets); the DUT speaks IPv4 only
#   --strip-shell    run scripts with their `shell command` lines removed
#                    (counted apart: "pass (shell lines removed)")
#   --timeout S      wall-clock limit per script (default 120)
#   -v               one line per script, with its wall time
#
# Each script runs in its own directory (gtests scripts name ../common/...),
# as `packetdrill --so_filename=LIB --so_flags="dut=... profile=..." --ip_version=V X.pkt`;
# the RFC profile items of its `//! profile:` header become profile=.
#
# A script with a `shell command` line is reported unsupported and NOT run:
# packetdrill runs such lines on this host (sysctl, tc, ip), where they
# would change the machine and say nothing about the DUT; `synack run`
# reports the same lines unsupported. With --strip-shell they are removed.
#
# Verdicts: exit 0 = pass; a "synack-packetdrill: unsupported:" line =
# unsupported (the library cannot emulate a call); a packetdrill parse
# error = unsupported (not packetdrill syntax: synack statements, or syntax
# this packetdrill lacks); anything else = fail, with packetdrill's (or the
# library's) first error line as the reason.
#
# Exit status: 0 when every script that passes with `synack run` passes
# through packetdrill too (or no comparison was made); 1 when one does not
# (listed under "differences"); 2 for usage errors.
set -u

usage() {
	sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"
	exit 2
}

die() {
	echo "packetdrill-so.sh: $*" >&2
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
so="${SYNACK_PACKETDRILL_SO:-}"
synack="${SYNACK_BIN:-}"
compare=1
dut=sim
extra=""
strip=0
wall=120
verbose=0
ipv=ipv4
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--so) [ $# -ge 2 ] || die "--so needs a path"; so=$2; shift 2 ;;
	--so=*) so=${1#--so=}; shift ;;
	--dut) [ $# -ge 2 ] || die "--dut needs sim, board:PATH.so or avr:IMAGE.elf"; dut=$2; shift 2 ;;
	--dut=*) dut=${1#--dut=}; shift ;;
	--so-flags) [ $# -ge 2 ] || die "--so-flags needs a value"; extra=$2; shift 2 ;;
	--so-flags=*) extra=${1#--so-flags=}; shift ;;
	--synack) [ $# -ge 2 ] || die "--synack needs a path"; synack=$2; shift 2 ;;
	--synack=*) synack=${1#--synack=}; shift ;;
	--no-compare) compare=0; shift ;;
	--strip-shell) strip=1; shift ;;
	--ip-version) [ $# -ge 2 ] || die "--ip-version needs ipv4 or ipv4-mapped-ipv6"; ipv=$2; shift 2 ;;
	--ip-version=*) ipv=${1#--ip-version=}; shift ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs seconds"; wall=$2; shift 2 ;;
	--timeout=*) wall=${1#--timeout=}; shift ;;
	-v) verbose=1; shift ;;
	-h | --help) usage ;;
	--) shift; args+=("$@"); break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) args+=("$1"); shift ;;
	esac
done
[ ${#args[@]} -ge 2 ] || { echo "usage: packetdrill-so.sh [options] PACKETDRILL SCRIPT|DIR... (--help)" >&2; exit 2; }
[[ "$wall" =~ ^[0-9]+$ ]] && [ "$wall" -gt 0 ] || die "--timeout: expected whole seconds > 0, got '$wall'"
case "$dut" in sim | board:?* | avr:?*) ;; *) die "--dut: expected sim, board:PATH.so or avr:IMAGE.elf, got '$dut'" ;; esac
case "$ipv" in ipv4 | ipv4-mapped-ipv6) ;; *) die "--ip-version: expected ipv4 or ipv4-mapped-ipv6, got '$ipv'" ;; esac
pd=${args[0]}
[ -x "$pd" ] && [ -f "$pd" ] || die "$pd: not an executable file (the packetdrill binary comes first)"
pd=$(cd "$(dirname "$pd")" && pwd)/$(basename "$pd")
case "$dut" in board:* | avr:*)
	kind=${dut%%:*}
	fw=${dut#*:}
	[ -f "$fw" ] || die "--dut $dut: no such file"
	dut="$kind:$(cd "$(dirname "$fw")" && pwd)/$(basename "$fw")" ;;
esac

# The library.
if [ -z "$so" ]; then
	for c in "$repo/build/conformance/packetdrill_so/libsynack_packetdrill.so" \
		"$here"/../../../lib*/libsynack_packetdrill.so \
		"$(dirname "$(command -v synack 2>/dev/null || echo /nonexistent/x)")"/../lib*/libsynack_packetdrill.so; do
		[ -f "$c" ] && { so=$c; break; }
	done
fi
[ -n "$so" ] || die "libsynack_packetdrill.so not found: build synack (cmake --build --preset default) or pass --so PATH"
[ -f "$so" ] || die "--so $so: no such file"
so=$(cd "$(dirname "$so")" && pwd)/$(basename "$so")

# synack, to compare with.
if [ $compare = 1 ] && [ -z "$synack" ]; then
	if [ -x "$repo/build/conformance/synack" ]; then
		synack="$repo/build/conformance/synack"
	else
		synack=$(command -v synack 2>/dev/null || true)
	fi
fi
[ $compare = 0 ] || [ -z "$synack" ] || [ -x "$synack" ] || die "--synack $synack: not executable"
[ -n "$synack" ] || compare=0

# The scripts, in sorted order.
scripts=()
for a in "${args[@]:1}"; do
	if [ -d "$a" ]; then
		while IFS= read -r f; do scripts+=("$f"); done < <(find "$a" -name '*.pkt' -type f | LC_ALL=C sort)
	elif [ -f "$a" ]; then
		scripts+=("$a")
	else
		die "$a: no such script or directory"
	fi
done
[ ${#scripts[@]} -gt 0 ] || die "no .pkt scripts in ${args[*]:1}"

work=$(mktemp -d "${TMPDIR:-/tmp}/packetdrill-so.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# A shell command line: `...` at the start, after an optional time.
has_shell() { grep -Eq '^[[:space:]]*([0-9.+*~]+[[:space:]]+)?`' "$1"; }
first_shell() { grep -Em1 '^[[:space:]]*([0-9.+*~]+[[:space:]]+)?`' "$1" | sed 's/^[[:space:]]*//' | cut -c1-60; }
# The script without its shell command lines (a command may span lines).
strip_shell() {
	awk '
		inside { if (index($0, "`")) inside = 0; next }
		/^[[:space:]]*([0-9.+*~]+[[:space:]]+)?`/ {
			rest = substr($0, index($0, "`") + 1)
			if (!index(rest, "`")) inside = 1
			next
		}
		{ print }' "$1"
}
# rfc5961=on,rfc1337=off from the //! profile: header (behaviour names are
# synack run's business).
profile_of() {
	grep -m1 '^//! profile:' "$1" | tr ' \t' '\n\n' | grep -E '^(rfc5961|rfc1337|timewait-recycle)=(on|off)$' | paste -sd, -
}
# A reason for grouping: no path and line, numbers as N.
normalize() { sed -E 's/\b0x[0-9a-fA-F]+\b/0xN/g; s/\b[0-9]+(\.[0-9]+)?\b/N/g' | cut -c1-160; }
# packetdrill's "x.pkt:13: " prefix off a message.
unprefix() { sed -E 's/^[^ :]*\.pkt:[0-9]+: //'; }
# ... and the path and line it names, as this run knows the script.
where_of() { printf '%s\n' "$2" | grep -Eo '^[^ :]*\.pkt:[0-9]+' | head -1 | sed -E "s|^[^:]*|$1|"; }

# What packetdrill says when it cannot run a script at all (its parser,
# its checks of names and addresses before anything runs).
cannot='parse error|syntax error|semantic error|: unknown option|Unknown system call|bad IPv[46] address|invalid (IPv[46] )?address'
declare -A verdict reason where wall_s synack_v unparsed
n_pass=0 n_fail=0 n_unsup=0 n_strip_pass=0
t_start=$(date +%s.%N)
for f in "${scripts[@]}"; do
	dir=$(dirname "$f")
	base=$(basename "$f")
	prof=$(profile_of "$f")
	flags="dut=$dut${prof:+ profile=$prof}${extra:+ $extra}"
	run=$f
	stripped=0
	if has_shell "$f"; then
		if [ $strip = 0 ]; then
			verdict[$f]=unsupported
			reason[$f]="a shell command line: packetdrill would run it on this host, not on the DUT (--strip-shell removes such lines)"
			where[$f]="$f: $(first_shell "$f")"
			n_unsup=$((n_unsup + 1))
			[ $verbose = 1 ] && printf 'UNSUPPORTED  %s (shell command)\n' "$f"
			continue
		fi
		stripped=1
		run="$dir/.packetdrill-so.$$.$base"
		strip_shell "$f" > "$run" || die "cannot write $run"
	fi
	t0=$(date +%s.%N)
	out=$(cd "$dir" && timeout "$wall" "$pd" --so_filename="$so" --so_flags="$flags" --ip_version="$ipv" \
		"$(basename "$run")" 2>&1)
	rc=$?
	t1=$(date +%s.%N)
	[ $stripped = 1 ] && rm -f "$run"
	wall_s[$f]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	err=$(printf '%s\n' "$out" | grep -m1 'synack-packetdrill: unsupported:' || true)
	if [ $rc = 0 ]; then
		verdict[$f]=pass
		if [ $stripped = 1 ]; then
			verdict[$f]="pass (shell lines removed)"
			n_strip_pass=$((n_strip_pass + 1))
		fi
		n_pass=$((n_pass + 1))
	elif [ -n "$err" ]; then
		verdict[$f]=unsupported
		reason[$f]=${err#*unsupported: }
		n_unsup=$((n_unsup + 1))
	elif [ $rc = 124 ]; then
		verdict[$f]=fail
		reason[$f]="no end within the wall-clock limit of $wall s"
		n_fail=$((n_fail + 1))
	elif printf '%s\n' "$out" | grep -Eq "$cannot"; then
		msg=$(printf '%s\n' "$out" | grep -Em1 "$cannot")
		verdict[$f]=unsupported
		unparsed[$f]=1
		where[$f]=$(where_of "$f" "$msg")
		reason[$f]="packetdrill cannot run it: $(printf '%s\n' "$msg" | unprefix)"
		n_unsup=$((n_unsup + 1))
	else
		msg=$(printf '%s\n' "$out" | grep -Em1 '^(\S*\.pkt:[0-9]+: |synack-packetdrill: (timeout|error): )' || true)
		[ -n "$msg" ] || msg=$(printf '%s\n' "$out" | grep -v '^\s*$' | tail -1)
		[ -n "$msg" ] || msg="exit status $rc with no message"
		verdict[$f]=fail
		where[$f]=$(where_of "$f" "$msg")
		reason[$f]=$(printf '%s\n' "$msg" | unprefix)
		n_fail=$((n_fail + 1))
	fi
	[ -n "${where[$f]:-}" ] || where[$f]=$f
	if [ $verbose = 1 ]; then
		v=${verdict[$f]}
		printf '%-12s %6.3f s  %s\n' "$(echo "${v%% *}" | tr a-z A-Z)" "${wall_s[$f]}" "$f"
	fi
done
t_end=$(date +%s.%N)

total=${#scripts[@]}
echo "packetdrill-so: $total scripts through $pd"
echo "  library $so, --so_flags dut=$dut${extra:+ $extra}, --ip_version=$ipv; $(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }') s wall"
printf '  %-12s %5d' passed "$n_pass"
[ $n_strip_pass -gt 0 ] && printf '   (%d with shell lines removed)' "$n_strip_pass"
printf '\n  %-12s %5d\n  %-12s %5d\n' failed "$n_fail" unsupported "$n_unsup"

groups() { # verdict label
	local v=$1 f r
	for f in "${scripts[@]}"; do
		[ "${verdict[$f]}" = "$v" ] || continue
		r=$(printf '%s\n' "${reason[$f]}" | normalize)
		printf '%s\t%s\n' "$r" "${where[$f]}"
	done | awk -F'\t' '{ n[$1]++; if (!($1 in ex)) ex[$1] = $2 }
		END { for (r in n) printf "%6d  %s\n        e.g. %s\n", n[r], r, ex[r] }' |
		paste - - | sort -t$'\t' -k1,1nr | tr '\t' '\n'
}
if [ $n_fail -gt 0 ]; then
	echo
	echo "failed, by reason:"
	groups fail
fi
if [ $n_unsup -gt 0 ]; then
	echo
	echo "unsupported, by reason:"
	groups unsupported
fi

[ $compare = 1 ] || exit 0

# The same scripts through synack run (same DUT, same RFC profile).
for f in "${scripts[@]}"; do
	prof=$(profile_of "$f")
	v=$("$synack" run --json --dut "$dut" ${prof:+--profile "$prof"} "$f" 2>/dev/null | head -1 |
		sed -nE 's/.*"verdict":"([a-z]+)".*/\1/p')
	synack_v[$f]=${v:-error}
done
both=0 only_synack=() only_pd=()
n_synack=0 n_synack_unparsed=0
for f in "${scripts[@]}"; do
	sv=${synack_v[$f]}
	pv=${verdict[$f]}
	[ "$sv" = pass ] && n_synack=$((n_synack + 1))
	if [ "$sv" = pass ] && [ "$pv" = pass ]; then
		both=$((both + 1))
	elif [ "$sv" = pass ] && [ -n "${unparsed[$f]:-}" ]; then
		n_synack_unparsed=$((n_synack_unparsed + 1)) # synack's own statements: not packetdrill's
	elif [ "$sv" = pass ]; then
		only_synack+=("$f")
	elif [ "${pv%% *}" = pass ]; then
		only_pd+=("$f")
	fi
done
echo
echo "compared with $synack run --dut $dut:"
echo "  $n_synack pass there: $both pass here too, $n_synack_unparsed are not packetdrill syntax (synack's statements)"
if [ ${#only_pd[@]} -gt 0 ]; then
	echo "  pass here, not with synack run (${#only_pd[@]}; synack run's verdict in brackets):"
	for f in "${only_pd[@]}"; do echo "    [${synack_v[$f]}] $f"; done
fi
if [ ${#only_synack[@]} -gt 0 ]; then
	echo "  differences: pass with synack run, not through packetdrill (${#only_synack[@]}):"
	for f in "${only_synack[@]}"; do echo "    [${verdict[$f]}] $f: ${reason[$f]:-}"; done
	exit 1
fi
echo "  differences: none"
exit 0
