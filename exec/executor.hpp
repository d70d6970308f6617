// The block executor: runs a block's transactions in order, each against its own TxView
// over the block overlay (so its read and write sets are recorded for a later optimistic
// parallel executor), and turns each outcome into a receipt. Invalid transactions (nonce,
// funds, fee cap...) are dropped from the block, as geth's miner does.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "evm/evm.hpp"
#include "exec/block.hpp"
#include "state/overlay.hpp"

namespace lumio::exec {

// An Ethereum transaction as admitted: decoded, sender recovered, wire bytes kept.
struct EvmTx {
  evm::Transaction tx;
  Address sender;
  Hash32 hash;
  Bytes raw;
};

struct BlockOutcome {
  std::vector<TxRecord> txs;
  std::vector<Receipt> receipts;
  std::vector<std::pair<Hash32, std::string>> dropped;  // hash, reason
};

// gas price actually paid per gas: min(fee cap, base fee + tip); legacy: gas price.
uint256 effective_gas_price(const evm::Transaction& tx, const uint256& base_fee);

// Executes `txs` into `overlay`. `store` (optional) serves EIP-7610's storage check.
BlockOutcome execute_evm_block(const std::vector<std::shared_ptr<const EvmTx>>& txs,
                               const evm::BlockEnv& env, state::BlockOverlay& overlay,
                               const state::Store* store);

// Converts an execution result into a receipt (cumulative gas filled by the caller).
Receipt make_receipt(const evm::Transaction& tx, const evm::TxResult& r, const uint256& base_fee);

}  // namespace lumio::exec
