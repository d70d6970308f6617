// The EVM's state backend over Lumio's store key spaces (layout: state/commitment.hpp), and
// the way back: a transaction's StateDiff written into its TxView.
#pragma once
#include "evm/state.hpp"
#include "state/overlay.hpp"

namespace lumio::exec {

class EvmBackend final : public evm::StateBackend {
 public:
  // `store` (optional) answers EIP-7610's "has any storage" from committed state.
  explicit EvmBackend(const state::StateReader& reader, const state::Store* store = nullptr)
      : reader_(reader), store_(store) {}
  std::optional<evm::AccountInfo> account(const Address& addr) override;
  uint256 storage(const Address& addr, const uint256& key) override;
  Bytes code(const Hash32& code_hash) override;
  bool has_storage(const Address& addr) override;

 private:
  const state::StateReader& reader_;
  const state::Store* store_;
};

void apply_evm_diff(const evm::StateDiff& diff, state::TxView& view);
// Same, for direct writes (genesis, dev methods).
void apply_evm_diff(const evm::StateDiff& diff, state::BlockOverlay& overlay);

}  // namespace lumio::exec
