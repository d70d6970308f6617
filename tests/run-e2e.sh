#!/usr/bin/env bash
# Runs the Ethereum end-to-end suites against a target node:
#   tests/run-e2e.sh anvil                       anvil from npm (what everything is validated against today)
#   LUMIO_BIN=build/node/lumio tests/run-e2e.sh lumio    spawns `lumio dev --eth-port P --data-dir D --fresh`
#   LUMIO_RPC_URL=http://127.0.0.1:8545 tests/run-e2e.sh lumio   an already running node (LUMIO_WS_URL optional)
# Runs tests/e2e/*.test.js (node --test, incl. the anvil-vs-target comparison) and tests/hardhat
# (npx hardhat test --network lumio), then prints one `e2e: N passed, N failed, N skipped` line.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${1:-anvil}"
case "$TARGET" in
  anvil) ;;
  lumio)
    if [[ -z "${LUMIO_RPC_URL:-}" && -z "${LUMIO_BIN:-}" ]]; then
      echo "run-e2e: target lumio needs LUMIO_BIN=/path/to/lumio or LUMIO_RPC_URL=http://host:port" >&2
      exit 2
    fi ;;
  *) echo "usage: $0 anvil|lumio" >&2; exit 2 ;;
esac
if [[ "$TARGET" == anvil ]]; then unset LUMIO_RPC_URL LUMIO_WS_URL; fi
export E2E_TARGET="$TARGET" HARDHAT_DISABLE_TELEMETRY_PROMPT=true

"$ROOT/scripts/install-js.sh" || exit 1
cd "$ROOT/tests/e2e"
node lib/compile.js || exit 1

LOG="$(mktemp -d)"
cleanup() {
  if [[ -n "${SERVE_PID:-}" ]]; then kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; fi
  rm -rf "$LOG"
}
trap cleanup EXIT
# Every RPC method the clients call (both suites) is logged and summarised at the end.
export E2E_RPC_LOG="$LOG/rpc.log"

# One file at a time: against a shared node (LUMIO_RPC_URL) files would race on the dev accounts' nonces.
echo "== node --test tests/e2e (target: ${LUMIO_RPC_URL:-$TARGET})"
node --test --test-concurrency=1 --test-reporter=tap ./*.test.js 2>&1 | tee "$LOG/e2e.out"
E2E_RC=${PIPESTATUS[0]}

echo "== hardhat test --network lumio (tests/hardhat)"
# serve.js starts the target (or wraps LUMIO_RPC_URL) behind the RPC recorder.
URL=""
{
  node lib/serve.js > "$LOG/serve.out" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 1 900); do
    grep -q '^URL ' "$LOG/serve.out" 2>/dev/null && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  URL="$(awk '/^URL /{print $2; exit}' "$LOG/serve.out")"
  if [[ -z "$URL" ]]; then echo "run-e2e: could not start the $TARGET node for Hardhat:" >&2; cat "$LOG/serve.out" >&2; fi
}
HH_RC=1
if [[ -n "$URL" ]]; then
  cd "$ROOT/tests/hardhat"
  LUMIO_RPC_URL="$URL" npx hardhat test --network lumio 2>&1 | tee "$LOG/hh.out"
  HH_RC=${PIPESTATUS[0]}
fi

num() { grep -Eo "$1" "$2" 2>/dev/null | grep -Eo '[0-9]+' | tail -1; }
e2e_pass=$(num '^# pass [0-9]+' "$LOG/e2e.out"); e2e_fail=$(num '^# fail [0-9]+' "$LOG/e2e.out")
e2e_skip=$(num '^# skipped [0-9]+' "$LOG/e2e.out"); e2e_cancel=$(num '^# cancelled [0-9]+' "$LOG/e2e.out")
hh_pass=$(num '[0-9]+ passing' "$LOG/hh.out"); hh_fail=$(num '[0-9]+ failing' "$LOG/hh.out")
hh_skip=$(num '[0-9]+ pending' "$LOG/hh.out")
passed=$(( ${e2e_pass:-0} + ${hh_pass:-0} ))
failed=$(( ${e2e_fail:-0} + ${e2e_cancel:-0} + ${hh_fail:-0} ))
skipped=$(( ${e2e_skip:-0} + ${hh_skip:-0} ))
# A suite that crashed before reporting counts as a failure.
if (( E2E_RC != 0 && ${e2e_fail:-0} + ${e2e_cancel:-0} == 0 )); then failed=$((failed + 1)); fi
if (( HH_RC != 0 && ${hh_fail:-0} == 0 )); then failed=$((failed + 1)); fi
echo "== JSON-RPC methods the clients called (transport method [block tag / tx type / subscription]: count)"
sort "$LOG/rpc.log" 2>/dev/null | uniq -c | sort -rn | awk '{c=$1; $1=""; printf "  %s: %d\n", substr($0,2), c}'
echo "node --test: ${e2e_pass:-0} passed, $(( ${e2e_fail:-0} + ${e2e_cancel:-0} )) failed, ${e2e_skip:-0} skipped (rc $E2E_RC)"
echo "hardhat: ${hh_pass:-0} passed, ${hh_fail:-0} failed, ${hh_skip:-0} skipped (rc $HH_RC)"
echo "e2e: $passed passed, $failed failed, $skipped skipped"
(( failed == 0 && E2E_RC == 0 && HH_RC == 0 ))
