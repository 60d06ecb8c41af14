#!/usr/bin/env bash
# Kept for old notes: the SIP message target of infra/fuzz/run.sh.
#   infra/fuzz/run-sip-message-fuzz.sh [seconds]
exec "$(dirname "$0")/run.sh" sip-message "${1:-600}"
