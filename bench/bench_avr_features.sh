#!/usr/bin/env bash
# bench_avr_features.sh - what each compile-time feature of core/ costs on
# the ATmega328P, and what it buys (issue 15, goal 4).
#
#   bench/bench_avr_features.sh [--keep DIR] [NAME ...]
#
# Builds the AVR stack image once as the default (every feature in), then
# once per variant with one switch of core/net/net_opts.h changed
# (SYNACK_FW_DEFS, firmware/CMakeLists.txt), each in its own build dir
# (a temporary one, or DIR with --keep; later runs there are incremental),
# and prints, from scripts/size-report.sh, the driver + codecs + stack
# flash (core/ without core/apps/), the whole image's flash and static RAM
# and the driver + stack RAM, with the change against the default. NAMEs
# pick variants (default: all). Sizes are exact and repeat; this prints
# figures and never fails on them. Needs avr-gcc (scripts/install-deps.sh).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
keep=
if [ "${1:-}" = --keep ]; then
	[ $# -ge 2 ] || { echo "bench_avr_features: --keep needs a directory" >&2; exit 2; }
	keep=$2
	shift 2
fi
command -v avr-gcc >/dev/null 2>&1 || { echo "bench_avr_features: avr-gcc not found (scripts/install-deps.sh)" >&2; exit 2; }

# name|definitions (;-separated)|what the feature is and buys
variants=(
	"udp|NET_UDP_PORTS=0|UDP delivery to an application (RFC 768 bindings; udp_sendto stays): without it every datagram to us gets port unreachable"
	"icmp-errors|NET_ICMP_ERRORS=0|the ICMP errors we send: protocol and port unreachable (RFC 1122 §3.2.2, §4.1.3.1 SHOULD)"
	"http|FW_HTTP=0|the HTTP status page on port 80 (the demo service; core/apps/, not in the driver + stack figure)"
	"tcp-icmp|NET_TCP_ICMP=0|TCP acting on ICMP errors (RFC 1122 §4.2.3.9 MUST, tcp_icmp.c): a connect answered by port unreachable ends at once, not after three minutes of SYNs"
	"fast-rtx|NET_TCP_FAST_RTX=0|RFC 5681 fast retransmit and recovery: 78.7% of the SPI bound at 1% loss against 8.4% RTO-only (bench_tcp)"
	"arp-hold|NET_ARP_HOLD=0|the frame held while ARP resolves (RFC 1122 §2.3.2.2 SHOULD), so a first SYN-ACK or echo reply is not lost to a cold cache"
	"halfsiphash|NET_ISN_HALFSIPHASH=0|RFC 6528's keyed hash as SipHash-2-4 (64-bit words) instead of HalfSipHash-2-4: the cost of the 8-bit-friendly choice"
	"delack|NET_TCP_DELACK=1|adds delayed ACK (RFC 9293 §3.8.6.3), off on AVR: half the ACK frames when the receiver is the bottleneck"
	"hw-csum|NET_HW_CSUM=1|adds the ENC28J60's DMA checksum for long segments instead of summing in software"
)
want=("$@")
for w in "${want[@]}"; do
	found=0
	for v in "${variants[@]}"; do [ "${v%%|*}" = "$w" ] && found=1; done
	[ $found -eq 1 ] || { echo "bench_avr_features: unknown variant '$w' (known: $(for v in "${variants[@]}"; do printf '%s ' "${v%%|*}"; done))" >&2; exit 2; }
done

root=${keep:-$(mktemp -d)}
[ -n "$keep" ] || trap 'rm -rf "$root"' EXIT
mkdir -p "$root"

# measure NAME DEFS: prints "core image ram stackram" of that build.
measure() {
	local name=$1 defs=$2 dir=$root/$1 log
	log=$root/$name.log
	if ! env -u CFLAGS -u CPPFLAGS -u LDFLAGS cmake --preset avr -S "$src" -B "$dir/build-avr" \
		"-DSYNACK_FW_DEFS=$defs" >"$log" 2>&1 ||
		! cmake --build "$dir/build-avr" --target synack-avr -j 2 >>"$log" 2>&1; then
		echo "bench_avr_features: $name: build failed (log: $log)" >&2
		tail -20 "$log" >&2
		return 1
	fi
	"$src/scripts/size-report.sh" --targets avr --no-build --build-root "$dir" | awk '
		$2 == "image" && $3 ~ /^synack-avr\.elf$/ { img = $7; ram = $8 }
		/driver\+codecs\+stack \(no apps\/\)/ { core = $(NF - 1) }
		/driver\+stack RAM/ { sr = $NF }
		END { print core + 0, img + 0, ram + 0, sr + 0 }'
}

printf 'bench_avr_features: ATmega328P stack image, each variant against the default (bytes)\n'
printf '  %-12s %-24s %8s %6s %8s %6s %5s %5s %6s %4s\n' variant change "drv+stk" "+/-" image "+/-" RAM "+/-" stkRAM "+/-"
read -r c0 i0 r0 s0 < <(measure default "")
printf '  %-12s %-24s %8d %6s %8d %6s %5d %5s %6d %4s\n' default "(every feature in)" "$c0" "" "$i0" "" "$r0" "" "$s0" ""
notes=()
for v in "${variants[@]}"; do
	IFS='|' read -r name defs what <<<"$v"
	if [ ${#want[@]} -gt 0 ]; then
		sel=0
		for w in "${want[@]}"; do [ "$w" = "$name" ] && sel=1; done
		[ $sel -eq 1 ] || continue
	fi
	read -r c i r s < <(measure "$name" "$defs")
	printf '  %-12s %-24s %8d %+6d %8d %+6d %5d %+5d %6d %+4d\n' "$name" "$defs" "$c" $((c - c0)) "$i" $((i - i0)) \
		"$r" $((r - r0)) "$s" $((s - s0))
	notes+=("  $name: $what")
done
echo "drv+stk: driver, codecs and stack as linked (core/ without core/apps/); image: text+data;"
echo "RAM: the image's data+bss; stkRAM: driver and stack instances and constants. What each buys:"
printf '%s\n' "${notes[@]}"
