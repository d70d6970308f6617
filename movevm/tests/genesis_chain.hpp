// A genesis snapshot of ../shared/aptos-genesis loaded once per test binary: the state, its
// on-chain gas schedule and every native registered with it (what natives/framework tests
// run the genuine framework on).
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/tests/test_util.hpp"

namespace lumio::movevm::test_util {

struct GenesisChain {
  MoveState state;
  std::unique_ptr<GasParameters> gas;
  NativeRegistry natives;

  // e.g. "v10_2026-07-16"; throws when the snapshot is missing or malformed.
  static const GenesisChain& get(const std::string& snapshot) {
    static std::map<std::string, std::unique_ptr<GenesisChain>> chains;
    auto& c = chains[snapshot];
    if (!c) c = std::make_unique<GenesisChain>(snapshot);
    return *c;
  }

  explicit GenesisChain(const std::string& snapshot) {
    namespace fs = std::filesystem;
    std::string blob = slurp(fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis" / snapshot / "genesis.blob");
    auto s = MoveState::from_genesis(as_view(blob));
    if (!s) throw std::runtime_error("genesis " + snapshot + ": " + s.error().message);
    state = std::move(*s);
    auto schedule = GasSchedule::from_state(state);
    if (!schedule) throw std::runtime_error("genesis " + snapshot + ": no gas schedule");
    gas = std::make_unique<GasParameters>(*schedule);
    if (auto e = register_all_natives(natives, *gas)) throw std::runtime_error(e->message);
  }
};

// The genuine 0x1 modules of the v6 genesis (signer, vector, ...), loaded once: the library
// that IR-compiled test modules link against.
inline const std::vector<std::shared_ptr<const CompiledModule>>& v6_stdlib() {
  static const auto* mods = [] {
    auto* r = new std::vector<std::shared_ptr<const CompiledModule>>;
    namespace fs = std::filesystem;
    fs::path dir = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis" / "v6_2024-10-04" / "modules";
    for (const auto& f : fs::directory_iterator(dir)) {
      if (f.path().filename().string().rfind("0x1__", 0) != 0) continue;
      std::string bytes = slurp(f.path());
      auto m = deserialize_module(as_view(bytes));
      if (m) r->push_back(std::make_shared<const CompiledModule>(std::move(*m)));
    }
    return r;
  }();
  return *mods;
}

// Base of test suites over the v10 framework: the shared chain's state, gas parameters and
// natives, set once per suite.
class V10Suite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto& chain = GenesisChain::get("v10_2026-07-16");
    state_ = &chain.state;
    params_ = chain.gas.get();
    registry_ = &chain.natives;
  }
  static inline const MoveState* state_ = nullptr;
  static inline const GasParameters* params_ = nullptr;
  static inline const NativeRegistry* registry_ = nullptr;
};

}  // namespace lumio::movevm::test_util
