#!/usr/bin/env bash
# The README's first command: install what is missing, build the host
# preset, then run the main job on the built-in defaults:
#   1. the seed capture explained: why did the client send RST? Then the
#      capture replayed against our stack (it departs where the seed's
#      stack was wrong) and against a DUT with the seed's bug (it
#      reproduces the capture), and kept as a regression script;
#   2. two simulated boards (real driver on the ENC28J60 model) exchanging
#      frames over a virtual wire, captured to out/pair.pcap;
#   3. every conformance suite against our stack and driver on the model,
#      under the default profile and then under each other profile
#      combination the scripts' headers need (the commands the default
#      run's summary names for the scripts it skipped);
#   4. the seed's scripts, then the same scripts against a DUT whose
#      SYN-ACK acknowledges 0 (the seed's bug), to show the report.
# Exits non-zero if a step's result is not the expected one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
SYNACK=./build/conformance/synack
SEED=conformance/captures/seed.pcap
mkdir -p out

expect() { # expect STATUS command...: run it, and fail unless it exits STATUS
  local want=$1
  shift
  set +e
  "$@"
  local rc=$?
  set -e
  if [ "$rc" -ne "$want" ]; then
    echo "quickstart: expected exit status $want from '$*', got $rc" >&2
    exit 1
  fi
}

echo "== 1. the seed capture: why did the client send RST? =="
"$SYNACK" explain "$SEED" --html out/seed.html
echo
echo "-- replayed against our stack as the server (it departs at frame 63; exit status 1 is expected):"
expect 1 "$SYNACK" replay "$SEED"
echo
echo "-- replayed against a DUT with the seed's bug (--mutate synack-ack0): the capture is reproduced:"
expect 0 "$SYNACK" replay "$SEED" --mutate synack-ack0
echo
echo "-- kept as a regression script, which our stack passes:"
"$SYNACK" pcap2script "$SEED" -o out/seed-capture.pkt
"$SYNACK" run out/seed-capture.pkt

echo
echo "== 2. synack pair: two boards, real driver, ENC28J60 model, virtual wire =="
"$SYNACK" pair --pcap out/pair.pcap
echo "-- first frames, decoded by tcpdump:"
tcpdump -nn -e -c 2 -r out/pair.pcap 2>/dev/null

echo
echo "== 3. synack run: every suite against our stack on the model (--dut sim) =="
"$SYNACK" run --pcap-dir out/failures --junit out/suites.xml | tee out/suites.txt | tail -n 30
# The summary ends with one command per group of skipped scripts; the sim
# ones (no --dut) are the other profile combinations the headers need.
grep -E '^ +[0-9]+  synack run --profile [a-z0-9=,-]+$' out/suites.txt | while read -r _ _ _ _ prof; do
  echo
  echo "-- synack run --profile $prof"
  "$SYNACK" run --profile "$prof" --pcap-dir out/failures --junit "out/suites.$prof.xml" | grep '^total'
done

echo
echo "== 4. the seed's scripts: a Linux client's SYN, our SYN-ACK, and the seed's bug =="
"$SYNACK" run seed --pcap-dir out/failures
echo
echo "-- the same scripts against a DUT whose SYN-ACK acknowledges 0 (--mutate synack-ack0);"
echo "-- this is what the seed's author would have seen (exit status 1 is expected here):"
expect 1 "$SYNACK" run seed --mutate synack-ack0 --pcap-dir out/seed-bug
echo
echo "Reports: out/seed.html (the seed capture's ladder), out/seed-capture.pkt (its script),"
echo "out/pair.pcap, out/seed-bug/*.pcap (ladders beside them); JUnit: out/suites*.xml"
