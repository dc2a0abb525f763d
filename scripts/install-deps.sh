#!/usr/bin/env bash
# Installs the Debian 12 packages synack builds and tests with, and only the
# ones that are missing. Idempotent and non-interactive: safe in CI (no
# stdin) and on a developer machine. Needs root or sudo when something is
# missing; prints what it would install otherwise.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  check libpcap-dev libslirp-dev libglib2.0-dev
  simavr libsimavr-dev libelf-dev
  gcc-avr avr-libc binutils-avr
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
  avrdude stlink-tools openocd
  tcpdump tshark curl
  python3-pytest python3-scapy
  clang libclang-rt-14-dev llvm-14 valgrind
  iproute2
  chromium
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
echo "install-deps: done"
