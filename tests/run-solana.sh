#!/usr/bin/env bash
# Runs the Solana end-to-end suites (tests/solana/*.test.js: @solana/web3.js v1, @solana/kit,
# @solana/spl-token, and the step-by-step comparison with litesvm) against a Lumio node:
#   LUMIO_BIN=…/lumio tests/run-solana.sh           each test file starts `lumio dev` on free ports
#   LUMIO_SOL_URL=http://127.0.0.1:8899 tests/run-solana.sh   an already running node
# Prints one `solana-e2e: N passed, N failed, N skipped` line last.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${LUMIO_SOL_URL:-}" && -z "${LUMIO_BIN:-}" ]]; then
  echo "run-solana: set LUMIO_BIN=/path/to/lumio or LUMIO_SOL_URL=http://host:port" >&2
  exit 2
fi
"$ROOT/scripts/install-js.sh" >/dev/null || exit 1
# The genuine program images the comparison deploys (and `lumio dev` loads at genesis).
export LUMIO_SPL_DIR="${LUMIO_SPL_DIR:-$HOME/.cache/lumio/spl}"
"$ROOT/scripts/extract-spl.sh" "$LUMIO_SPL_DIR" >/dev/null || exit 1
# Hand-made hostile sBPF programs (hostile.test.js), written by the build's lumio-sbpf-progs.
PROGS_BIN="$(dirname "${LUMIO_BIN:-.}")/../tools/sbpf-progs/lumio-sbpf-progs"
if [[ -z "${LUMIO_SBPF_PROGS:-}" && -x "$PROGS_BIN" ]]; then
  export LUMIO_SBPF_PROGS="$HOME/.cache/lumio/sbpf-progs"
  "$PROGS_BIN" "$LUMIO_SBPF_PROGS" >/dev/null || exit 1
fi
cd "$ROOT/tests/solana"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
node --test --test-concurrency=1 --test-reporter=tap ./*.test.js 2>&1 | tee "$OUT"
RC=${PIPESTATUS[0]}
num() { grep -Eo "$1" "$OUT" | grep -Eo '[0-9]+' | tail -1; }
pass=$(num '^# pass [0-9]+'); fail=$(num '^# fail [0-9]+'); skip=$(num '^# skipped [0-9]+'); cancel=$(num '^# cancelled [0-9]+')
failed=$(( ${fail:-0} + ${cancel:-0} ))
if (( RC != 0 && failed == 0 )); then failed=1; fi
echo "solana-e2e: ${pass:-0} passed, $failed failed, ${skip:-0} skipped"
(( failed == 0 && RC == 0 ))
