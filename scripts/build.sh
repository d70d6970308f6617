#!/usr/bin/env bash
# Configures and builds Lumio into $LUMIO_BUILD_DIR (default ~/.cache/lumio/build):
# build trees live outside the clone so CI runs reuse them (ccache does the rest).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LUMIO_BUILD_DIR:-$HOME/.cache/lumio/build}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/lumio/ccache}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j"$(nproc)" "$@"
