#!/usr/bin/env bash
# Installs the JS test dependencies (tests/e2e, tests/hardhat, tests/solana) from their package-lock.json with `npm ci`.
# Idempotent and fast: a directory whose node_modules was installed from the same lock file is skipped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v npm >/dev/null || { echo "install-js: npm (Node.js >= 20) is required" >&2; exit 1; }
for dir in tests/e2e tests/hardhat tests/solana; do
  cd "$ROOT/$dir"
  stamp=node_modules/.lumio-install-stamp
  want="$(sha256sum package-lock.json | cut -d' ' -f1) node-$(node --version)"
  if [[ -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
    echo "install-js: $dir up to date"
    continue
  fi
  echo "install-js: npm ci in $dir"
  # npm 11 leaves other platforms' optional packages (litesvm-darwin-*) out of the lock and
  # then refuses `npm ci`; `npm install` from the same lock installs the same versions.
  npm ci --no-audit --no-fund --loglevel=silent 2>/dev/null ||
    npm install --no-save --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
done
