#!/usr/bin/env bash
# Call-setup rate: SIPp's built-in uac (INVITE/200/ACK/BYE/200) against our sip-test-ua and,
# in the same run, against Kamailio as a stateless responder. For each rate, SIPp places
# rate*DURATION calls; the highest rate with zero failed calls is reported for both.
#   infra/bench/sip-call-rate.sh [duration-seconds] [rates...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
duration="${1:-5}"; shift || true
rates=("${@:-200 400 800 1200 1600 2000 3000}")
read -r -a rates <<< "${rates[*]}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

ua="${SIP_TEST_UA:-}"
if [ -z "$ua" ]; then
  swift build -c release --product sip-test-ua --scratch-path "$root/.build-bench" >/dev/null
  ua="$root/.build-bench/release/sip-test-ua"
fi

run_sipp() { # port rate -> prints "ok failed"
  local port=$1 rate=$2 calls=$(( $2 * duration ))
  sipp -sn uac "127.0.0.1:$port" -i 127.0.0.1 -p $(( 40000 + RANDOM % 20000 )) -r "$rate" -m "$calls" -l $(( rate * 4 )) \
       -timeout "$(( duration * 4 + 30 ))s" -nostdin >"$work/sipp.out" 2>&1 || true
  local ok failed
  ok=$(grep -E "Successful call" "$work/sipp.out" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  failed=$(grep -E "Failed call" "$work/sipp.out" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  achieved=$(grep -E "Call Rate" "$work/sipp.out" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); sub(/cps/,"",$3); print $3}')
  echo "${ok:-0} ${failed:-?} ${achieved:-?}"
}

# Polls a readiness check for up to 10 s (startup, not ordering); on failure shows the log and stops.
wait_for() { # name log command...
  local name=$1 log=$2; shift 2
  for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done
  echo "$name did not start; its log:" >&2; cat "$log" >&2; exit 1
}

best_ours=0; best_kam=0
# "achieved" is SIPp's cumulative call rate: above SIPp's own limit it falls below the asked rate.
printf "%-8s %-32s %-32s\n" rate "sip-test-ua ok/failed@achieved" "kamailio ok/failed@achieved"
for rate in "${rates[@]}"; do
  port=$(( 20000 + RANDOM % 20000 ))
  "$ua" --port "$port" --no-tcp --no-ring >"$work/ua.log" 2>&1 &
  uapid=$!
  wait_for "sip-test-ua" "$work/ua.log" grep -q READY "$work/ua.log"
  read -r ok_u failed_u cps_u <<< "$(run_sipp "$port" "$rate")"
  kill "$uapid"; wait "$uapid" 2>/dev/null || true

  kport=$(( 20000 + RANDOM % 20000 ))
  sed "s/BENCH_PORT/$kport/" "$root/infra/bench/kamailio-stateless-responder.cfg" > "$work/k.cfg"
  kamailio -f "$work/k.cfg" -DD -E -P "$work/k.pid" >"$work/k.log" 2>&1 &
  kpid=$!
  wait_for "kamailio" "$work/k.log" bash -c "ss -lun | grep -q ':$kport '"
  read -r ok_k failed_k cps_k <<< "$(run_sipp "$kport" "$rate")"
  kill "$kpid"; wait "$kpid" 2>/dev/null || true

  printf "%-8s %-32s %-32s\n" "$rate" "$ok_u/$failed_u@${cps_u}cps" "$ok_k/$failed_k@${cps_k}cps"
  # The best is the highest rate SIPp achieved in a run without failures.
  if [ "$failed_u" = "0" ] && [ "$ok_u" -gt 0 ]; then best_ours=$(awk -v a="$best_ours" -v b="$cps_u" 'BEGIN { print (b > a ? b : a) }'); fi
  if [ "$failed_k" = "0" ] && [ "$ok_k" -gt 0 ]; then best_kam=$(awk -v a="$best_kam" -v b="$cps_k" 'BEGIN { print (b > a ? b : a) }'); fi
done
echo "highest achieved zero-failure rate: sip-test-ua=${best_ours} cps, kamailio-stateless=${best_kam} cps"
if awk -v b="$best_kam" 'BEGIN { exit !(b > 0) }'; then awk -v a="$best_ours" -v b="$best_kam" 'BEGIN { printf "ratio ours/kamailio = %.2f\n", a/b }'; fi
