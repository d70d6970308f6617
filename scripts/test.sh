#!/usr/bin/env bash
# Fresh Debian machine -> every test: installs dependencies, builds, runs the unit and
# conformance tests (CTest), then the end-to-end tests with the ecosystems' own clients.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
status=0
echo "== unit and conformance tests (ctest)"
(cd "$build" && ctest --output-on-failure -j"$(nproc)" --timeout 1200) || status=1
if [ -f "$root/tests/run-e2e.sh" ]; then
  echo "== end-to-end tests against lumio"
  bash "$root/scripts/install-js.sh"
  LUMIO_BIN="$build/node/lumio" bash "$root/tests/run-e2e.sh" lumio || status=1
fi
if [ -f "$root/tests/run-solana.sh" ]; then
  echo "== Solana end-to-end tests against lumio (web3.js, kit, spl-token, litesvm comparison)"
  LUMIO_BIN="$build/node/lumio" bash "$root/tests/run-solana.sh" || status=1
fi
# Every libFuzzer target (decoders, verifiers, loaders), briefly: a smoke run, not a campaign.
echo "== fuzz targets, ${LUMIO_FUZZ_SECS:-10}s each (clang, ASan/UBSan)"
bash "$root/scripts/fuzz.sh" "${LUMIO_FUZZ_SECS:-10}" || status=1
exit $status
