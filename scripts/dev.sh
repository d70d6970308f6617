#!/usr/bin/env bash
# Fresh Debian machine -> a running devnet: installs dependencies, builds, extracts the genuine
# Solana program images the Solana genesis needs, starts `lumio dev` (Ethereum JSON-RPC on :8545,
# Solana JSON-RPC on :8899 and PubSub on :8900).
# Extra arguments go to `lumio dev` (e.g. --fresh, --data-dir DIR, --eth-port N, --no-solana).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh" lumio
spl="${LUMIO_SPL_DIR:-$HOME/.cache/lumio/spl}"
bash "$root/scripts/extract-spl.sh" "$spl" >/dev/null
exec "$build/node/lumio" dev --spl-dir "$spl" "$@"
