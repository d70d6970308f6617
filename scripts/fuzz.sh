#!/usr/bin/env bash
# Builds every libFuzzer target with clang (-DLUMIO_FUZZ=ON) and runs each for SECONDS
# (default 30). Usage: scripts/fuzz.sh [SECONDS] [TARGET-NAME-FILTER]
set -euo pipefail
source "$(dirname "$0")/env.sh"
secs=${1:-30}
filter=${2:-}
build=$build-fuzz  # per checkout, next to its regular build tree
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DLUMIO_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# The fuzzer executables: linked targets whose name says fuzz (not libraries or phony aliases).
targets=$(ninja -C "$build" -t targets all |
  sed -nE 's#^([A-Za-z0-9_]+/)*([A-Za-z0-9_]*fuzz[A-Za-z0-9_]*): CXX_EXECUTABLE_LINKER.*#\2#p' | sort -u)
status=0
for t in $targets; do
  [[ -n "$filter" && "$t" != *"$filter"* ]] && continue
  ninja -C "$build" "$t" >/dev/null
  bin=$(find "$build" -type f -name "$t" -perm -u+x | head -1)
  corpus="$HOME/.cache/lumio/fuzz-corpus/$t"
  mkdir -p "$corpus"
  echo "== $t (${secs}s)"
  # Crashes are kept (with their stack) under ~/.cache/lumio/fuzz-crashes, never in the checkout.
  crashes="$HOME/.cache/lumio/fuzz-crashes/$t"
  mkdir -p "$crashes"
  if ! "$bin" "$corpus" -max_total_time="$secs" -max_len=65536 -artifact_prefix="$crashes/" \
      > "$crashes/last.log" 2>&1; then
    status=1
    grep -E "ERROR|SUMMARY|#[0-9]+ 0x.* in " "$crashes/last.log" | head -30
  fi
  tail -1 "$crashes/last.log"
done
exit $status
