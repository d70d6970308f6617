#!/usr/bin/env bash
# Fresh Debian machine -> a running devnet: installs dependencies, builds, starts `lumio dev`.
# Extra arguments go to `lumio dev` (e.g. --fresh, --data-dir DIR, --eth-port N).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh" lumio
exec "$build/node/lumio" dev "$@"
