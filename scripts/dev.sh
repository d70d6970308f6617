#!/usr/bin/env bash
# Fresh Debian machine -> a running devnet: installs dependencies, builds, starts `lumio dev`.
# Extra arguments go to `lumio dev` (e.g. --fresh, --data-dir DIR, --eth-port N).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh" lumio
exec "${LUMIO_BUILD_DIR:-$HOME/.cache/lumio/build}/node/lumio" dev "$@"
