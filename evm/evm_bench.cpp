// Throughput of the transaction path (validation, fees, execution, diff) on an in-memory
// backend: plain transfers, a storage-writing call and an arithmetic loop.
#include <benchmark/benchmark.h>

#include <unordered_map>

#include "evm/evm.hpp"

using namespace lumio;
using namespace lumio::evm;

namespace {

struct Backend : StateBackend {
  std::unordered_map<Address, AccountInfo, AddressHash> accounts;
  std::unordered_map<Hash32, Bytes> codes;
  std::optional<AccountInfo> account(const Address& a) override {
    auto it = accounts.find(a);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  uint256 storage(const Address&, const uint256&) override { return {}; }
  Bytes code(const Hash32& h) override { return codes[h]; }
};

Address addr(uint32_t i) {
  Address a;
  std::memcpy(a.data(), &i, 4);
  a.bytes[19] = 0x11;
  return a;
}

Transaction make_tx(const Address& to, uint64_t nonce, uint64_t gas) {
  Transaction tx;
  tx.type = 2;
  tx.chain_id = 1;
  tx.nonce = nonce;
  tx.gas_price = 100;
  tx.max_priority_fee_per_gas = 1;
  tx.gas_limit = gas;
  tx.to = to;
  tx.value = 1;
  return tx;
}

// One State per block of 100 transactions, diff taken at the end (as the node does).
void run_block(benchmark::State& bs, const Address& to, uint64_t gas, Bytes code) {
  Backend backend;
  const int kSenders = 1000;
  for (int i = 0; i < kSenders; ++i)
    backend.accounts[addr(uint32_t(i))] = AccountInfo{0, uint256(1) << 100, kEmptyKeccak};
  AccountInfo target;
  if (!code.empty()) {
    target.code_hash = keccak256(code);
    backend.codes[target.code_hash] = code;
  }
  backend.accounts[to] = target;
  BlockEnv env;
  env.base_fee = 7;
  env.coinbase = addr(999999);
  std::vector<uint64_t> nonces(kSenders, 0);
  uint64_t n = 0;
  for (auto _ : bs) {
    State state(backend);
    for (int k = 0; k < 100; ++k, ++n) {
      int s = int(n % kSenders);
      auto r = execute_transaction(state, env, make_tx(to, nonces[size_t(s)]++, gas),
                                   addr(uint32_t(s)));
      if (r.invalid || r.status != Status::Success) bs.SkipWithError("tx failed");
    }
    auto diff = state.take_diff();
    for (auto& d : diff.accounts) backend.accounts[d.address] = d.info;
    benchmark::DoNotOptimize(diff);
  }
  bs.SetItemsProcessed(int64_t(n));
}

void BM_Transfer(benchmark::State& bs) { run_block(bs, addr(5000), 21000, {}); }
BENCHMARK(BM_Transfer);

// CALLER PUSH1 0 SSTORE STOP: a cold storage write per transaction.
void BM_StorageWrite(benchmark::State& bs) {
  run_block(bs, addr(6000), 100000, {0x33, 0x60, 0x00, 0x55, 0x00});
}
BENCHMARK(BM_StorageWrite);

// PUSH2 10000 JUMPDEST PUSH1 1 SWAP1 SUB DUP1 PUSH1 3 JUMPI STOP: 10k loop iterations.
void BM_ArithmeticLoop(benchmark::State& bs) {
  run_block(bs, addr(7000), 10'000'000,
            {0x61, 0x27, 0x10, 0x5b, 0x60, 0x01, 0x90, 0x03, 0x80, 0x60, 0x03, 0x57, 0x00});
}
BENCHMARK(BM_ArithmeticLoop);

}  // namespace

BENCHMARK_MAIN();
