#!/usr/bin/env bash
# Fuzzes one wire-facing parser with libFuzzer (+ AddressSanitizer) for a given time.
#   infra/fuzz/run.sh <target> [seconds]     # default 600 s
#   infra/fuzz/run.sh all [seconds]          # every target in turn (the test command: 10 s each)
#   infra/fuzz/run.sh list
# Targets (entry points infra/fuzz/<Name>FuzzTarget.swift):
#   sip-message  SIP parser, stream framer, typed headers, serialize → parse
#   sdp          SDP parse, serialize → parse, offer/answer both ways (ports, RTCP port, ptime checked)
#   rtp          RTP and RTCP decoding, re-encode → decode, telephone-event blocks and receiver,
#                receive statistics, jitter buffer; WAV decoding of the same bytes
#   sip-digest   Authorization/WWW-Authenticate parsing, nonce checking, digest verification
# Inputs: seeds in infra/fuzz/corpus/<target>/ and every input that ever failed in
# infra/fuzz/regressions/<target>/ (both committed; the target's unit tests replay both on every
# test run). What the fuzzer learns goes to .build-fuzz/corpus/<target>/ (not committed). A crash,
# timeout or out-of-memory input is copied to infra/fuzz/regressions/<target>/ and the run fails:
# commit it with the fix.
# Builds in .build-fuzz; the first build of NIOCore and Crypto takes several minutes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/.build-fuzz"
all_targets=(sip-message sdp rtp sip-digest)

target="${1:-}"
seconds="${2:-600}"
case "$target" in
  list) printf '%s\n' "${all_targets[@]}"; exit 0 ;;
  all)
    status=0
    for t in "${all_targets[@]}"; do "$0" "$t" "$seconds" || status=1; done
    exit $status ;;
  # entry point, the package's modules it fuzzes (in dependency order), the dependencies it needs
  sip-message) entry=SIPMessageFuzzTarget; modules=(SIPMessage:MediaNode/SIPMessage); deps=() ;;
  sdp) entry=SDPFuzzTarget; modules=(SDP:MediaNode/SDP); deps=() ;;
  rtp) entry=RTPFuzzTarget; modules=(RTPCore:MediaNode/RTPCore); deps=(NIOCore) ;;
  sip-digest) entry=SIPDigestFuzzTarget; modules=(SIPMessage:MediaNode/SIPMessage SIPAuth:MediaNode/SIPAuth); deps=(Crypto) ;;
  *) echo "usage: $0 <$(IFS='|'; echo "${all_targets[*]}")|all|list> [seconds]" >&2; exit 2 ;;
esac

# Dependencies (NIOCore, Crypto) are built by SwiftPM, plain release, into .build-fuzz/deps. Our
# modules are compiled here with coverage instrumentation and AddressSanitizer, so the fuzzer
# explores our parsers rather than NIO's. (SwiftPM's --sanitize fuzzer would also link the
# package's build-plugin tools with libFuzzer's main, which fails and rebuilds them every time.)
deps_path="$work/deps"
for d in "${deps[@]}"; do
  swift build -c release --scratch-path "$deps_path" --target "$d" 2>&1 | grep -E "error:" || true
  test -f "$deps_path/release/Modules/$d.swiftmodule" || { echo "building $d for fuzzing failed" >&2; exit 1; }
done
release="$deps_path/release/"
maps=()
if [ -d "$release" ]; then
  while IFS= read -r -d '' m; do maps+=(-Xcc "-fmodule-map-file=$m"); done < <(
    find "$deps_path/checkouts" -path '*/include/module.modulemap' -print0
    find "$release" -mindepth 2 -maxdepth 2 -name module.modulemap -print0)
fi
instrumented="$work/instrumented/$target"
rm -rf "$instrumented"
mkdir -p "$instrumented"
flags=(-O -parse-as-library -swift-version 6 -enable-upcoming-feature ExistentialAny -sanitize=fuzzer,address
  -I "$instrumented" -I "$deps_path/release/Modules")
objects=()
for spec in "${modules[@]}"; do
  name="${spec%%:*}"
  sources=("$root/${spec#*:}"/*.swift)
  swiftc "${flags[@]}" "${maps[@]}" -module-name "$name" -wmo -emit-module \
    -emit-module-path "$instrumented/$name.swiftmodule" -emit-object -o "$instrumented/$name.o" "${sources[@]}"
  objects+=("$instrumented/$name.o")
done
# The dependencies' objects (none for a module without dependencies).
if [ ${#deps[@]} -gt 0 ]; then
  while IFS= read -r -d '' o; do objects+=("$o"); done < <(
    find "$release" -mindepth 2 -name '*.o' -path '*.build/*' \
      ! -path '*-tool.build/*' ! -path '*Tests.build/*' -print0)
fi
binary="$work/$target-fuzz"
rm -f "$binary"
swiftc "${flags[@]}" "${maps[@]}" "$root/infra/fuzz/$entry.swift" "${objects[@]}" -o "$binary" 2>&1 \
  | grep -v "Cannot export local symbol '__asan" || true
test -x "$binary" || { echo "linking $binary failed" >&2; exit 1; }

corpus="$root/infra/fuzz/corpus/$target"
regressions="$root/infra/fuzz/regressions/$target"
learned="$work/corpus/$target"
artifacts="$work/artifacts/$target"
mkdir -p "$corpus" "$regressions" "$learned" "$artifacts"
if [ "$target" = sip-message ]; then
  # The RFC 4475 torture messages are seeds too.
  torture="${SIP_TORTURE_DIR:-$root/../shared/testdata/sip-torture}"
  if [ -d "$torture" ]; then cp "$torture"/valid/*.dat "$torture"/invalid/*.dat "$learned/" 2>/dev/null || true; fi
fi
rm -f "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*

echo "==> fuzzing $target for ${seconds}s"
export SWIFT_BACKTRACE=enable=no  # Swift's backtracer and ASan both want the crash; keep ASan's report
status=0
# -detect_leaks=0: the parsers keep nothing across inputs, and LeakSanitizer trips on Swift's
# runtime caches. -rss_limit_mb bounds what one input may make us allocate.
"$binary" "$learned" "$corpus" "$regressions" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
  -rss_limit_mb=2048 -detect_leaks=0 -artifact_prefix="$artifacts/" -print_final_stats=1 \
  >"$artifacts/log" 2>&1 || status=$?
grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)|^Done|ERROR|panic|Fatal error|SUMMARY" \
  "$artifacts/log" || true

shopt -s nullglob
failures=("$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*)
if [ ${#failures[@]} -gt 0 ]; then
  cp "${failures[@]}" "$regressions/"
  echo "fuzzer found ${#failures[@]} failing input(s) in $target; copied to infra/fuzz/regressions/$target/ (log: $artifacts/log)" >&2
  exit 1
fi
if [ $status -ne 0 ]; then
  tail -30 "$artifacts/log" >&2
  exit $status
fi
