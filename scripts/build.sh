#!/usr/bin/env bash
# Configures and builds Lumio (see scripts/env.sh for where). Arguments: ninja targets.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j"$(nproc)" "$@"
