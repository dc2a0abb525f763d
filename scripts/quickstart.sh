#!/usr/bin/env bash
# The README's first command: install what is missing, build the host
# preset, then run the main job on the built-in defaults:
#   1. two simulated boards (real driver on the ENC28J60 model) exchanging
#      frames over a virtual wire, captured to out/pair.pcap;
#   2. every conformance suite against our stack and driver on the model,
#      under the default profile and then under each other profile
#      combination the scripts' headers need (the commands the default
#      run's summary names for the scripts it skipped);
#   3. the seed's scenario: the seed suite, then the same scripts against a
#      DUT whose SYN-ACK acknowledges 0 (the seed's bug), to show the report.
# Exits non-zero if step 1 or 2 finds a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
SYNACK=./build/conformance/synack
mkdir -p out

echo
echo "== 1. synack pair: two boards, real driver, ENC28J60 model, virtual wire =="
"$SYNACK" pair --pcap out/pair.pcap
echo "-- first frames, decoded by tcpdump:"
tcpdump -nn -e -c 2 -r out/pair.pcap 2>/dev/null

echo
echo "== 2. synack run: every suite against our stack on the model (--dut sim) =="
"$SYNACK" run --pcap-dir out/failures --junit out/suites.xml | tee out/suites.txt | tail -n 30
# The summary ends with one command per group of skipped scripts; the sim
# ones (no --dut) are the other profile combinations the headers need.
grep -E '^ +[0-9]+  synack run --profile [a-z0-9=,]+$' out/suites.txt | while read -r _ _ _ _ prof; do
  echo
  echo "-- synack run --profile $prof"
  "$SYNACK" run --profile "$prof" --pcap-dir out/failures --junit "out/suites.$prof.xml" | grep '^total'
done

echo
echo "== 3. the seed: a Linux client's SYN, our SYN-ACK, and the seed's bug =="
"$SYNACK" run seed --pcap-dir out/failures
echo
echo "-- the same scripts against a DUT whose SYN-ACK acknowledges 0 (--mutate synack-ack0);"
echo "-- this is what the seed's author would have seen (exit status 1 is expected here):"
set +e
"$SYNACK" run seed --mutate synack-ack0 --pcap-dir out/seed-bug
rc=$?
set -e
if [ "$rc" -ne 1 ]; then
  echo "quickstart: expected the mutated seed run to fail (exit 1), got $rc" >&2
  exit 1
fi
echo
echo "Captures: out/pair.pcap, out/seed-bug/*.pcap (ladders beside them); JUnit: out/suites*.xml"
