#!/usr/bin/env bash
# Solana benchmark: Lumio and litesvm side by side in one run.
#   tools/bench/sol-bench.sh [TXS]
# 1. In-process, one core: the sBPF interpreter on the genuine SPL Token Transfer (instructions/s,
#    CU/s), and whole SOL / SPL Token transfer transactions (decode, ed25519 verify, execute,
#    commit) — lumio-svmbench — next to litesvm (Agave's runtime) on the same workloads.
# 2. Over RPC: a fresh `lumio dev`, pre-signed SOL and SPL Token transfers sent with
#    sendTransaction by lumio-solgen: sustained TPS and p50/p99 send-to-status latency.
set -euo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
txs=${1:-20000}
bash "$root/scripts/build.sh" lumio lumio-solgen lumio-svmbench >/dev/null
bash "$root/scripts/install-js.sh" >/dev/null
spl="$HOME/.cache/lumio/spl"
bash "$root/scripts/extract-spl.sh" "$spl" >/dev/null
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "== in-process, one core ($txs transactions each)"
"$build/tools/svmbench/lumio-svmbench" "$txs" "$spl/spl_token-3.5.0.so" | tee "$work/lumio.txt"
(cd "$root/tests/solana" && node bench/litesvm-bench.js "$txs" "$spl/spl_token-3.5.0.so") | tee "$work/litesvm.txt"
for kind in sol spl; do
  a=$(awk -v k="$kind" '$1=="lumio" && $2==k {sub("TPS=","",$4); print $4}' "$work/lumio.txt")
  b=$(awk -v k="$kind" '$1=="litesvm" && $2==k {sub("TPS=","",$4); print $4}' "$work/litesvm.txt")
  [ -n "$a" ] && [ -n "$b" ] && echo "ratio lumio/litesvm $kind (per core, in-process): $(echo "scale=2; $a / $b" | bc)x"
done

echo "== over RPC: lumio dev ($txs transactions per workload)"
"$build/node/lumio" dev --fresh --data-dir "$work/lumio" --eth-port 18745 --solana-rpc-port 18899 \
  --solana-ws-port 18900 --spl-dir "$spl" --log-level warn &
pid=$!
for _ in $(seq 1 600); do
  curl -sf -m 1 -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' \
    http://127.0.0.1:18899 >/dev/null 2>&1 && break
  sleep 0.1
done
for kind in sol spl; do
  "$build/tools/loadgen/lumio-solgen" --url http://127.0.0.1:18899 --kind "$kind" --txs "$txs" --senders 200 --conns 8 || true
done
