// Session state of the natives in natives_dispatch.cpp that others read: the native position
// writes of 0x7::native_position (Aptos's NativePositionContext), staged per session and turned
// into state writes by the embedder when the transaction commits.
#pragma once
#include <map>
#include <optional>
#include <tuple>

#include "movevm/value.hpp"

namespace lumio::movevm {

struct NativePositionWrites {
  // (exchange, account, market) -> BCS of aptos-types' NativePosition, nullopt: deleted.
  std::map<std::tuple<AccountAddress, AccountAddress, AccountAddress>, std::optional<Bytes>> writes;

  // The state key Aptos stores a position under: StateKeyTag::TradingNative (2),
  // TradingNativeKeyTag::Position (0), then exchange, account, market.
  static Bytes state_key(const AccountAddress& exchange, const AccountAddress& account, const AccountAddress& market);
};

// Modules loaded through 0x1::function_info::load_function_impl in this session: Aptos's
// traversal context "visited" set, which the dispatching natives require of their targets.
struct DispatchVisited {
  std::map<std::pair<AccountAddress, std::string>, bool> modules;
};

// 0x1::consensus_config::validator_txn_enabled_internal: whether the BCS bytes of an
// OnChainConsensusConfig enable validator transactions (V3..V5 with ValidatorTxnConfig::V1);
// bytes that do not decode exactly count as Aptos's default config (disabled).
bool consensus_validator_txn_enabled(BytesView config);

}  // namespace lumio::movevm
