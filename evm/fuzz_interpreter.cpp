// libFuzzer target: arbitrary bytecode (and calldata) run as a contract call; the interpreter
// must neither crash nor hang, and gas accounting must stay within the limit.
#include <cstdlib>
#include <unordered_map>

#include "evm/evm.hpp"

using namespace lumio;
using namespace lumio::evm;

namespace {
struct Backend : StateBackend {
  std::unordered_map<Address, AccountInfo> accounts;
  std::unordered_map<Hash32, Bytes> codes;
  std::optional<AccountInfo> account(const Address& a) override {
    auto it = accounts.find(a);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  uint256 storage(const Address&, const uint256& k) override { return k; }
  Bytes code(const Hash32& h) override { return codes[h]; }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // First byte: calldata length; the rest: code then calldata.
  if (size == 0) return 0;
  size_t cd = std::min<size_t>(data[0], size - 1);
  Bytes code(data + 1, data + size - cd), input(data + size - cd, data + size);
  Backend backend;
  Address contract, caller;
  contract.bytes[19] = 0xcc;
  caller.bytes[19] = 0xca;
  AccountInfo info{1, 1000, keccak256(code)};
  backend.codes[info.code_hash] = code;
  backend.accounts[contract] = info;
  backend.accounts[caller] = AccountInfo{0, uint256(1) << 80, kEmptyKeccak};
  BlockEnv env;
  env.block_hash = [](uint64_t n) { return keccak256(std::to_string(n)); };
  State state(backend);
  CallParams p;
  p.from = caller;
  p.to = contract;
  p.gas = 1'000'000;
  p.data = input;
  auto r = call(state, env, p);
  if (!r.invalid && r.gas_used > p.gas) std::abort();
  state.take_diff();
  return 0;
}
