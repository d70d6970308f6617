// Runs a block's Solana transactions: per transaction the age and status checks a bank makes
// before loading (blockhash within the last 150 or a durable nonce; signature not already
// processed), lookup-table resolution, the runtime, then its account writes go into the block
// overlay through a TxView and its outcome becomes a Solana receipt (exec/svm_state.hpp).
// Transactions the runtime does not process (no fee could be charged) are dropped from the
// block, as a Solana leader drops them.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "exec/block.hpp"
#include "exec/svm_state.hpp"
#include "state/overlay.hpp"
#include "svm/runtime.hpp"

namespace lumio::exec {

// A Solana transaction as admitted: decoded, sanitized, signatures verified.
struct SvmTx {
  svm::Transaction tx;
  Bytes wire;
  Hash32 hash;            // sha256(first signature): its id in the pool and the block record
  svm::Signature signature{};
};

struct SvmBlockContext {
  svm::RuntimeEnv env;             // the slot's bank: clock, sysvars, fees
  svm::Hash last_blockhash{};      // newest blockhash (a durable nonce must differ from it)
  // How many blockhashes are newer than `h` (0: the newest); none if `h` is not a blockhash.
  std::function<std::optional<uint64_t>(const svm::Hash& h)> blockhash_age;
  // Whether the signature is in a committed block (the status cache).
  std::function<bool(const svm::Signature&)> processed;
};

inline constexpr uint64_t kSvmMaxProcessingAge = 150;

// The outcome of one transaction over `view`, with its account writes applied to the view
// when processed. `err` set and `processed` false: nothing may be committed.
struct SvmTxRun {
  bool processed = false;
  std::optional<svm::TransactionError> err;
  SvmReceipt receipt;
  std::vector<svm::Pubkey> account_keys;  // static, then loaded
  std::vector<svm::Pubkey> written;       // accounts this transaction stored
};
// check_age: apply the blockhash/nonce and status checks (false for simulations that replace
// the blockhash).
SvmTxRun run_svm_tx(svm::Runtime& rt, const svm::Transaction& tx, const SvmBlockContext& ctx,
                    state::TxView& view, bool check_age = true);

// Just the pre-load checks (admission): BlockhashNotFound or AlreadyProcessed.
std::optional<svm::TransactionError> check_svm_age(const svm::Transaction& tx, const SvmBlockContext& ctx,
                                                   const state::StateReader& state);

struct SvmBlockOutcome {
  std::vector<TxRecord> txs;
  std::vector<Bytes> receipts;        // encoded, one per included transaction
  std::vector<SvmTxRun> runs;         // one per included transaction
  std::vector<std::pair<Hash32, svm::TransactionError>> dropped;
};
SvmBlockOutcome execute_svm_block(svm::Runtime& rt, const std::vector<std::shared_ptr<const SvmTx>>& txs,
                                  const SvmBlockContext& ctx, state::BlockOverlay& overlay);

// Receipt error <-> runtime error.
SvmTxError to_receipt_error(const svm::TransactionError& e);

}  // namespace lumio::exec
