#!/usr/bin/env bash
# Fuzzes the SIP message parser with libFuzzer for a given time (default 600 s).
#   infra/fuzz/run-sip-message-fuzz.sh [seconds]
# Seeds: the RFC 4475 torture messages (../shared/testdata/sip-torture). Crash inputs are copied
# to Tests/SIPMessageTests/FuzzRegressions/, which SIPMessageTests replays on every run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-600}"
work="$root/.build-fuzz"
torture="${SIP_TORTURE_DIR:-$root/../shared/testdata/sip-torture}"
mkdir -p "$work/module" "$work/corpus" "$work/artifacts"

# The parser is compiled as its own module (no dependencies) with coverage and ASan.
swiftc -module-name SIPMessageFuzzed -emit-module -emit-module-path "$work/module/SIPMessageFuzzed.swiftmodule" \
  -parse-as-library -O -sanitize=fuzzer,address -emit-object -wmo \
  -o "$work/SIPMessageFuzzed.o" "$root"/MediaNode/SIPMessage/*.swift
swiftc -parse-as-library -O -sanitize=fuzzer,address -I "$work/module" \
  "$root/infra/fuzz/SIPMessageFuzzTarget.swift" "$work/SIPMessageFuzzed.o" -o "$work/sip-message-fuzz"

if [ -d "$torture" ]; then cp "$torture"/valid/*.dat "$torture"/invalid/*.dat "$work/corpus/" 2>/dev/null || true; fi

status=0
"$work/sip-message-fuzz" "$work/corpus" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 || status=$?

shopt -s nullglob
crashes=("$work"/artifacts/crash-* "$work"/artifacts/timeout-* "$work"/artifacts/oom-*)
if [ ${#crashes[@]} -gt 0 ]; then
  mkdir -p "$root/Tests/SIPMessageTests/FuzzRegressions"
  cp "${crashes[@]}" "$root/Tests/SIPMessageTests/FuzzRegressions/"
  echo "fuzzer found ${#crashes[@]} failing input(s); copied to Tests/SIPMessageTests/FuzzRegressions/" >&2
  exit 1
fi
exit $status
