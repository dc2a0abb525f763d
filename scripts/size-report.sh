#!/usr/bin/env bash
# size-report.sh - flash and static RAM of the firmware, per layer of core/
# and per image, for the AVR (ATmega328P) and STM32F103 builds.
#
# Configures and builds the "avr" and "stm32" presets (incrementally, so a
# second run costs a few make checks), then prints Berkeley text/data/bss
# for:
#   driver               core/enc28j60/*.c objects
#   driver+codecs        ... plus core/wire/*.c objects
#   driver+codecs+stack  ... plus core/net/*.c objects (the stack)
#   image <name>.elf     each linked firmware image
#   core/ as linked      core/'s share of that image, from its link map,
#                        then (for each image but the echo one) the same
#                        per source file of core/, largest first, and
#                        the compiler's and C library's routines the
#                        image links (64-bit arithmetic, say), which
#                        core/ and the board code share; and the same
#                        without core/apps/ (the driver + stack figure
#                        of issue 15's 8 KB goal), and the driver and
#                        stack's static RAM (instances + core/ constants)
# "core/ as linked" counts all of libsynack_core.a, so the stack image's
# row includes the echo service it runs (core/apps/echo_server.c, ~0.25 KB
# on AVR); the object rows leave core/apps/ out.
# Object rows are as compiled, every function counted, before the link's
# --gc-sections: an upper bound on what an image pulls in. Image rows are
# exact. On AVR, const data sits in RAM too (avr-libc copies .rodata with
# .data), so object RAM there adds .rodata to data+bss.
#
# With --max-flash/--max-ram it is also the size ceiling check CTest runs
# (tests/CMakeLists.txt): the text+data that core/ (driver, codecs, stack)
# contributes to the AVR stack image must fit --max-flash, and that image's
# data+bss (instances, buffers and constants: everything static) must fit
# --max-ram, and the whole image's text+data (what is flashed) must fit
# --max-image-flash. While core/ has no stack yet, the echo image stands in.
#
# Exit status: 0 fine, 1 a ceiling is exceeded, 2 bad usage or a failed
# build, 77 (CTest's skip) when no requested toolchain is installed or a
# ceiling was asked for but avr-gcc is missing.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/size-report.sh [options]
  --targets LIST     comma-separated, from: avr,stm32 (default: avr,stm32)
  --build-root DIR   build in DIR/build-avr, DIR/build-stm32
                     (default: the presets' own dirs in the source tree)
  --no-build         report on the existing build dirs as they are
  --max-flash BYTES  fail if core/'s text+data in the AVR stack image exceeds BYTES
  --max-ram BYTES    fail if the AVR stack image's data+bss exceeds BYTES
  --max-image-flash BYTES  fail if the AVR stack image's text+data exceeds BYTES
  --max-stack-ram BYTES  fail if the driver and stack's static RAM in the AVR
                     stack image exceeds BYTES: the instances named by
                     --stack-ram-symbols plus what core/'s driver, codecs
                     and stack sources keep in RAM (data, bss, .rodata)
  --stack-ram-symbols LIST  the image's driver and stack instances, comma-
                     separated (default fw_stack,fw_cfg,fw_dev,fw_netdev:
                     struct net_stack, struct net_config, struct enc_dev,
                     struct netdev in firmware/app/fw_stack.c)
  -h, --help         this text
EOF
}

die() {
	echo "size-report: $*" >&2
	exit 2
}

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
targets=avr,stm32
build_root=$src
do_build=1
max_flash=
max_ram=
max_image_flash=
max_stack_ram=
stack_ram_symbols=fw_stack,fw_cfg,fw_dev,fw_netdev

while [ $# -gt 0 ]; do
	case $1 in
	--targets) [ $# -ge 2 ] || die "--targets needs a value"; targets=$2; shift 2 ;;
	--build-root) [ $# -ge 2 ] || die "--build-root needs a value"; build_root=$2; shift 2 ;;
	--no-build) do_build=0; shift ;;
	--max-flash) [ $# -ge 2 ] || die "--max-flash needs a value"; max_flash=$2; shift 2 ;;
	--max-ram) [ $# -ge 2 ] || die "--max-ram needs a value"; max_ram=$2; shift 2 ;;
	--max-image-flash) [ $# -ge 2 ] || die "--max-image-flash needs a value"; max_image_flash=$2; shift 2 ;;
	--max-stack-ram) [ $# -ge 2 ] || die "--max-stack-ram needs a value"; max_stack_ram=$2; shift 2 ;;
	--stack-ram-symbols) [ $# -ge 2 ] || die "--stack-ram-symbols needs a value"; stack_ram_symbols=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[[ $stack_ram_symbols =~ ^[A-Za-z_][A-Za-z0-9_]*(,[A-Za-z_][A-Za-z0-9_]*)*$ ]] ||
	die "--stack-ram-symbols '$stack_ram_symbols' is not a comma-separated list of C identifiers"
for n in "$max_flash" "$max_ram" "$max_image_flash" "$max_stack_ram"; do
	[[ -z $n || $n =~ ^[0-9]+$ ]] || die "ceiling '$n' is not a byte count"
done
checking=0
if [ -n "$max_flash" ] || [ -n "$max_ram" ] || [ -n "$max_image_flash" ] || [ -n "$max_stack_ram" ]; then
	checking=1
	[[ ,$targets, == *,avr,* ]] || die "the ceilings are for AVR: add avr to --targets"
fi

# The binutils/gcc prefix of a (validated) target.
tool_prefix() {
	case $1 in
	avr) echo avr- ;;
	stm32) echo arm-none-eabi- ;;
	esac
}

# build <target> <dir>: configure from the preset (cheap when nothing
# changed, and it repairs a dir whose last configure failed), then build.
# The output is kept out of the report unless the build fails.
build() {
	local t=$1 dir=$2 log
	log=$(mktemp)
	# The host's CFLAGS (say, -fsanitize from the asan build that runs the
	# ceiling test) must not leak into a cross compiler's first configure.
	if env -u CFLAGS -u CPPFLAGS -u LDFLAGS cmake --preset "$t" -S "$src" -B "$dir" >"$log" 2>&1 &&
		cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" >>"$log" 2>&1; then
		rm -f "$log"
		return 0
	fi
	cat "$log" >&2
	rm -f "$log"
	die "$t: build in $dir failed (output above)"
}

# berkeley <size-tool> <files...>: "text data bss" summed over the files.
berkeley() {
	local size=$1
	shift
	if [ $# -eq 0 ]; then
		echo "0 0 0"
		return
	fi
	"$size" --format=berkeley --totals "$@" | awk 'END { print $1, $2, $3 }'
}

# rodata <size-tool> <files...>: bytes in .rodata* sections (AVR objects).
rodata() {
	local size=$1
	shift
	if [ $# -eq 0 ]; then
		echo 0
		return
	fi
	"$size" -A "$@" | awk '$1 ~ /^\.rodata/ { s += $2 } END { print s + 0 }'
}

# ro <target> <size-tool> <objects...>: RAM that const data costs besides
# data+bss: all of .rodata on AVR, nothing on ARM (it stays in flash).
ro() {
	local t=$1 size=$2
	shift 2
	if [ "$t" = avr ]; then rodata "$size" "$@"; else echo 0; fi
}

# linked <target> <map>: "text data bss" of what core/ (libsynack_core.a)
# contributes to a linked image, from the input sections the linker kept
# (the map's memory map; discarded sections are listed before it). Counted
# by input section name: .rodata is flash on ARM but data on AVR, where the
# startup copies it to RAM with .data.
linked() {
	local t=$1 map=$2 lib=${3:-'libsynack_core\\.a\\('}
	awk -v avr="$([ "$t" = avr ] && echo 1 || echo 0)" -v lib="$lib" '
	function hex(s,   i, v) {
		s = tolower(substr(s, 3)); v = 0
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function add(name, size, file) {
		if (file !~ lib) return
		if (name ~ /^\.(text|progmem)/) text += hex(size)
		else if (name ~ /^\.rodata/) { if (avr) data += hex(size); else text += hex(size) }
		else if (name ~ /^\.data/) data += hex(size)
		else if (name ~ /^\.bss/ || name == "COMMON") bss += hex(size)
	}
	/^Linker script and memory map/ { on = 1; next }
	!on { next }
	/^ [.A-Za-z]/ { name = $1; if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) add(name, $3, $4); next }
	/^ +0x[0-9a-fA-F]+ +0x[0-9a-fA-F]+ +[^ ]/ { add(name, $2, $3) }
	END { print text + 0, data + 0, bss + 0 }' "$map"
}

# modules <target> <size-tool> <map> <objdir> <objects...>: one row per
# core/ source file, what the image kept of it (text data bss, flash, RAM
# as in the rows above), largest first. The map names a member of
# libsynack_core.a by its file name only (net/arp.c and wire/arp.c are both
# arp.c.obj), so a kept input section is matched to its object by member
# and section name together (one section per function and object: the
# names are the functions'); a pair two objects share is reported. Sizes
# are the map's, after the linker's relaxation.
modules() {
	local t=$1 size=$2 map=$3 objdir=$4
	shift 4
	local o
	for o in "$@"; do
		echo "@obj ${o#"$objdir"/}"
		"$size" -A "$o"
	done | awk -v avr="$([ "$t" = avr ] && echo 1 || echo 0)" -v tgt="$t" '
	function hex(s,   i, v) {
		s = tolower(substr(s, 3)); v = 0
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function kind(name) {
		if (name ~ /^\.(text|progmem)/) return "t"
		if (name ~ /^\.rodata/) return avr ? "d" : "t"
		if (name ~ /^\.data/) return "d"
		if (name ~ /^\.bss/ || name == "COMMON") return "b"
		return ""
	}
	function kept(name, size, file,   m, key, c, o) {
		if (file !~ /libsynack_core\.a\(/ || kind(name) == "" || size == 0) return
		m = file; sub(/.*\(/, "", m); sub(/\).*/, "", m)
		key = m SUBSEP name
		if (!(key in owner)) {
			print "size-report: " name " of " m " matches no object" > "/dev/stderr"
			return
		}
		o = owner[key]; c = kind(name)
		if (c == "t") tx[o] += size; else if (c == "d") dt[o] += size; else bs[o] += size
	}
	FNR == NR {
		if ($1 == "@obj") { obj = $2; mem = obj; sub(/.*\//, "", mem); order[++nobj] = obj; next }
		if (NF == 3 && $2 ~ /^[0-9]+$/ && kind($1) != "" && $2 > 0) {
			key = mem SUBSEP $1
			if (key in owner && owner[key] != obj)
				print "size-report: " $1 " is in both " owner[key] " and " obj ": counted as the first" > "/dev/stderr"
			else
				owner[key] = obj
		}
		next
	}
	/^Linker script and memory map/ { on = 1; next }
	!on { next }
	/^ [.A-Za-z]/ { name = $1; if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) kept(name, hex($3), $4); next }
	/^ +0x[0-9a-fA-F]+ +0x[0-9a-fA-F]+ +[^ ]/ { kept(name, hex($2), $3) }
	END {
		for (k = 1; k <= nobj; k++) {
			obj = order[k]
			if (tx[obj] + dt[obj] + bs[obj] == 0) continue
			label = obj; sub(/\.obj$/, "", label)
			printf "%d\t%-6s %-36s %7d %6d %6d %7d %6d\n", tx[obj] + dt[obj], tgt, "    " label,
				tx[obj], dt[obj], bs[obj], tx[obj] + dt[obj], dt[obj] + bs[obj]
		}
	}' - "$map" | sort -t "$(printf '\t')" -k1,1nr -s | cut -f2-
}

# stack_ram <target> <elf> <module rows>: "total instances core-constants
# sym=size..." for the driver and stack's static RAM: the sizes of the
# --stack-ram-symbols objects in the image (its symbol table) plus the RAM
# column of the driver, codecs and stack module rows (core/apps/ left out:
# the demo services are not the stack). A symbol the image lacks counts 0
# and is named "sym=absent".
stack_ram() {
	local t=$1 elf=$2 mods=$3 nm list
	nm=$(tool_prefix "$t")nm
	list=$("$nm" -S -t d "$elf" | awk -v want="$stack_ram_symbols" '
		BEGIN { n = split(want, w, ","); for (i = 1; i <= n; i++) size[w[i]] = -1 }
		NF == 4 && ($4 in size) && $3 ~ /^[bBdD]$/ { size[$4] = $2 + 0 }
		END {
			for (i = 1; i <= n; i++) {
				if (size[w[i]] < 0) { out = out " " w[i] "=absent"; continue }
				inst += size[w[i]]; out = out " " w[i] "=" size[w[i]]
			}
			print inst + 0 out
		}')
	local inst=${list%% *} syms=${list#* } consts
	[ "$syms" != "$list" ] || syms=
	consts=$(printf '%s\n' "$mods" | awk '$2 !~ /^apps\// && NF >= 7 { s += $NF } END { print s + 0 }')
	echo "$((inst + consts)) $inst $consts $syms"
}

# print_stack_ram <target> <stack_ram output>
print_stack_ram() {
	local t=$1 total inst consts syms
	read -r total inst consts syms <<<"$2"
	printf '%-6s %-36s %7s %6s %6s %7s %6d\n' "$t" "  driver+stack RAM (instances+core/)" "" "" "" "" "$total"
	echo "$t       = instances $inst B ($syms) + core/ driver, codecs, stack constants $consts B"
}

# The last row printed, for the ceiling check.
row_text=0 row_data=0 row_bss=0 row_flash=0 row_ram=0

# print_row <target> <label> <extra-ram>, from row_text/row_data/row_bss.
print_row() {
	row_flash=$((row_text + row_data))
	row_ram=$((row_data + row_bss + $3))
	printf '%-6s %-36s %7d %6d %6d %7d %6d\n' "$1" "$2" \
		"$row_text" "$row_data" "$row_bss" "$row_flash" "$row_ram"
}

# row <target> <label> <size-tool> <extra-ram> <files...>: Berkeley sums.
row() {
	local t=$1 label=$2 size=$3 extra=$4
	shift 4
	read -r row_text row_data row_bss < <(berkeley "$size" "$@")
	print_row "$t" "$label" "$extra"
}

avr_core_flash=
avr_image_ram=
avr_image_flash=
avr_image_name=
avr_stack_ram=
avr_stack_absent=
missing=()

# Build everything first so the table comes out in one piece.
IFS=, read -r -a tlist <<<"$targets"
for t in "${tlist[@]}"; do
	case $t in avr | stm32) ;; *) die "unknown target '$t' (want avr or stm32)" ;; esac
done
present=()
for t in "${tlist[@]}"; do
	prefix=$(tool_prefix "$t")
	if ! command -v "${prefix}gcc" >/dev/null 2>&1 || ! command -v "${prefix}size" >/dev/null 2>&1; then
		echo "size-report: $t skipped: ${prefix}gcc or ${prefix}size not found" >&2
		missing+=("$t")
		continue
	fi
	present+=("$t")
	if [ "$do_build" -eq 1 ]; then
		build "$t" "$build_root/build-$t"
	fi
	[ -d "$build_root/build-$t/core/CMakeFiles/synack_core.dir" ] ||
		die "$t: no core objects in $build_root/build-$t (build first, or drop --no-build)"
done

if [ ${#present[@]} -eq 0 ]; then
	echo "size-report: SKIP: no cross toolchain for $targets (scripts/install-deps.sh)"
	exit 77
fi
printf '%-6s %-36s %7s %6s %6s %7s %6s\n' target what text data bss flash RAM
for t in "${present[@]}"; do
	size=$(tool_prefix "$t")size
	dir=$build_root/build-$t
	objdir=$dir/core/CMakeFiles/synack_core.dir

	shopt -s nullglob
	driver=("$objdir"/enc28j60/*.obj)
	codecs=("$objdir"/wire/*.obj)
	stack=("$objdir"/net/*.obj)
	apps=("$objdir"/apps/*.obj)
	images=("$dir"/firmware/*/*.elf)
	shopt -u nullglob

	row "$t" "driver (objects)" "$size" "$(ro "$t" "$size" "${driver[@]}")" "${driver[@]}"
	row "$t" "driver+codecs (objects)" "$size" "$(ro "$t" "$size" "${driver[@]}" "${codecs[@]}")" \
		"${driver[@]}" "${codecs[@]}"
	if [ ${#stack[@]} -gt 0 ]; then
		row "$t" "driver+codecs+stack (objects)" "$size" \
			"$(ro "$t" "$size" "${driver[@]}" "${codecs[@]}" "${stack[@]}")" \
			"${driver[@]}" "${codecs[@]}" "${stack[@]}"
	else
		echo "$t     (no stack objects in core/net/ yet)"
	fi
	for elf in "${images[@]}"; do
		name=${elf##*/}
		row "$t" "image $name" "$size" 0 "$elf"
		img_ram=$row_ram
		img_flash=$row_flash
		map=${elf%.elf}.map
		if [ -f "$map" ]; then
			read -r row_text row_data row_bss < <(linked "$t" "$map")
			print_row "$t" "  core/ as linked in it" 0
			if [[ $name != *-echo.elf ]]; then
				local_flash=$row_flash
				mods=$(modules "$t" "$size" "$map" "$objdir" "${driver[@]}" "${codecs[@]}" "${stack[@]}" "${apps[@]}")
				[ -z "$mods" ] || printf '%s\n' "$mods"
				# The goal's figure: driver, codecs and stack without
				# the demo services of core/apps/.
				read -r row_text row_data row_bss < <(printf '%s\n' "$mods" |
					awk '$2 !~ /^apps\// && NF >= 7 { t += $3; d += $4; b += $5 } END { print t + 0, d + 0, b + 0 }')
				print_row "$t" "  driver+codecs+stack (no apps/)" 0
				stack_ram=$(stack_ram "$t" "$elf" "$mods")
				print_stack_ram "$t" "$stack_ram"
				read -r row_text row_data row_bss < <(linked "$t" "$map" '/lib(gcc|c|m)\.a\(')
				print_row "$t" "  libgcc, libc as linked in it" 0
				row_flash=$local_flash
			fi
		fi
		# The ceilings apply to the stack image, or the echo image while
		# there is no stack.
		if [ "$t" = avr ] && { [ -z "$avr_image_name" ] || [[ $name != *-echo.elf ]]; }; then
			avr_image_name=$name
			avr_image_ram=$img_ram
			avr_image_flash=$img_flash
			avr_core_flash=
			avr_stack_ram=
			[ -f "$map" ] && avr_core_flash=$row_flash
			if [ -f "$map" ] && [[ $name != *-echo.elf ]]; then
				avr_stack_ram=${stack_ram%% *}
				avr_stack_absent=$(tr ' ' '\n' <<<"$stack_ram" | sed -n 's/=absent$//p' | tr '\n' ' ')
			fi
		fi
	done
	[ ${#images[@]} -gt 0 ] || echo "$t     (no firmware images were built)"
done
echo "flash = text+data; RAM = data+bss (+ .rodata for AVR objects, which avr-libc keeps in RAM)."
echo "Object rows count every function before --gc-sections; image rows are what is linked;"
echo "\"core/ as linked\" is the driver, codecs and stack sections the image kept (from its map)."

[ "$checking" -eq 1 ] || exit 0
if [[ " ${missing[*]} " == *" avr "* ]]; then
	echo "size-report: SKIP: avr-gcc not installed, AVR ceilings not checked (scripts/install-deps.sh)"
	exit 77
fi
status=0
check() {
	local what=$1 got=$2 max=$3
	if [ -z "$max" ]; then
		return
	fi
	if [ -z "$got" ]; then
		echo "ceiling: $what: nothing to measure" >&2
		status=1
	elif [ "$got" -le "$max" ]; then
		echo "ceiling: $what $got <= $max bytes: ok"
	else
		echo "ceiling: $what $got > $max bytes: EXCEEDED" >&2
		status=1
	fi
}
check "avr core/ (driver+codecs+stack) flash linked in ${avr_image_name:-the image} (text+data)" \
	"$avr_core_flash" "$max_flash"
check "avr static RAM of ${avr_image_name:-the image} (data+bss)" "$avr_image_ram" "$max_ram"
check "avr flash of ${avr_image_name:-the image} (text+data)" "$avr_image_flash" "$max_image_flash"
if [ -n "$max_stack_ram" ] && [ -n "$avr_stack_absent" ]; then
	# A renamed instance would drop out of the sum unnoticed.
	echo "ceiling: ${avr_image_name:-the image} has no symbol ${avr_stack_absent% } of --stack-ram-symbols" >&2
	status=1
fi
check "avr driver+stack static RAM in ${avr_image_name:-the image} (instances + core/ constants)" \
	"$avr_stack_ram" "$max_stack_ram"
exit $status
