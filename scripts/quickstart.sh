#!/usr/bin/env bash
# The README's first command: install what is missing, build the host
# preset, then run the main job on the built-in defaults: two simulated
# boards (real driver on the ENC28J60 model) exchanging frames over a
# virtual wire, captured to out/pair.pcap.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
mkdir -p out
echo
echo "== synack pair: two boards, real driver, ENC28J60 model, virtual wire =="
./build/conformance/synack pair --pcap out/pair.pcap
echo
echo "== the capture, decoded by tcpdump =="
tcpdump -nn -e -r out/pair.pcap 2>/dev/null | head -n 6
echo "(full capture: out/pair.pcap)"
