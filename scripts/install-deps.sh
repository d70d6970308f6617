#!/usr/bin/env bash
# Installs every Debian package Lumio needs to build and test. Idempotent; run as root.
set -euo pipefail
PKGS=(cmake ninja-build g++ clang ccache pkg-config git
  libsecp256k1-dev libsodium-dev librocksdb-dev libboost-dev libboost-system-dev
  nlohmann-json3-dev libfmt-dev libspdlog-dev libgmp-dev libtbb-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcrypto++-dev libtomlplusplus-dev
  libzstd-dev libssl-dev libmimalloc-dev bc curl)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Node.js 20 + npm come with the machine image; Debian's own nodejs (18) is too old for our JS clients.
command -v node >/dev/null || { echo "node (>=20) is required" >&2; exit 1; }
