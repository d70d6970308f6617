#!/usr/bin/env bash
# Installs the npm packages that embed genuine Solana program images and extracts those images
# (checked by SHA-256) into OUT_DIR. Nothing is written inside the repository.
#   scripts/extract-spl.sh [OUT_DIR]     (default ~/.cache/lumio/spl)
# Env: LUMIO_NPM_CACHE (default ~/.cache/lumio/npm-spl) – where the packages are installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$HOME/.cache/lumio/spl}"
npm_dir="${LUMIO_NPM_CACHE:-$HOME/.cache/lumio/npm-spl}"
pkgs=(litesvm-linux-x64-gnu@1.5.0 solana-bankrun-linux-x64-gnu@0.4.0)

mkdir -p "$npm_dir" "$out"
# A lock dir serialises concurrent runs (e.g. parallel CTest fixtures).
lock="$npm_dir/.lock"
for _ in $(seq 1 300); do mkdir "$lock" 2>/dev/null && break; sleep 1; done
trap 'rmdir "$lock" 2>/dev/null || true' EXIT

need_install=0
for p in "${pkgs[@]}"; do
  name="${p%@*}" ver="${p##*@}"
  meta="$npm_dir/node_modules/$name/package.json"
  if [[ ! -f "$meta" ]] || ! grep -q "\"version\": *\"$ver\"" "$meta"; then need_install=1; fi
done
if (( need_install )); then
  [[ -f "$npm_dir/package.json" ]] || echo '{"name":"lumio-npm-spl","private":true}' > "$npm_dir/package.json"
  # --force: the packages declare os/cpu fields; --ignore-scripts: we only want the files.
  (cd "$npm_dir" && npm install --no-save --ignore-scripts --no-audit --no-fund --force "${pkgs[@]}" >&2)
fi
node "$here/extract-spl.js" "$npm_dir/node_modules" "$out"
