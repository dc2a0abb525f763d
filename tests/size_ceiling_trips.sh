#!/usr/bin/env bash
# size_ceiling_trips.sh SIZE_REPORT BUILD_ROOT: the driver+stack RAM
# ceiling can fail. Measures the AVR stack image's driver+stack RAM, then
# asks size-report.sh for a ceiling one byte under it, which must be
# refused with exit 1 (77, avr-gcc missing, is passed on as a skip).
set -uo pipefail
report=$1 root=$2
out=$("$report" --targets avr --no-build --build-root "$root" 2>&1)
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { printf '%s\n' "$out"; echo "size_ceiling_trips: the report failed ($rc)"; exit 1; }
got=$(printf '%s\n' "$out" | sed -n 's/^avr *driver+stack RAM (instances+core\/) *//p')
[[ $got =~ ^[0-9]+$ ]] || { printf '%s\n' "$out"; echo "size_ceiling_trips: no driver+stack RAM row"; exit 1; }
"$report" --targets avr --no-build --build-root "$root" --max-stack-ram $((got - 1)) >/dev/null 2>&1
rc=$?
echo "driver+stack RAM $got B; ceiling $((got - 1)) B: exit $rc (want 1)"
[ $rc -eq 1 ]
