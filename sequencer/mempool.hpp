// The mempool: admitted transactions of every VM, waiting to be ordered into a block.
//
// Ordering is first-come-first-served among *ready* transactions (the L2 sequencer's
// fairness rule): a transaction becomes ready when every lower nonce of its sender is
// already included or ready. Transactions with a nonce gap wait in a per-sender queue,
// up to `max_nonce_gap` ahead. A transaction with the same sender and nonce as a waiting
// one replaces it only with a fee bump of at least `price_bump_percent` on both the fee
// cap and the tip (geth's rule). Thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/bytes.hpp"
#include "common/uint256.hpp"

namespace lumio::sequencer {

enum class Vm : uint8_t { Evm = 1, Svm = 2, Move = 3 };

struct PoolTx {
  Vm vm = Vm::Evm;
  Hash32 hash;
  Bytes sender;    // the account key in its VM's own format
  uint64_t nonce = 0;
  uint256 fee_cap, tip;  // per gas unit
  uint64_t gas_limit = 0;
  uint64_t size = 0;     // encoded bytes, for the pool's byte limit
  std::shared_ptr<const void> payload;  // the decoded transaction, owned by its VM's code
  uint64_t arrival = 0;    // admission sequence number, set by the pool
  std::chrono::steady_clock::time_point admitted_at;  // set by the pool
  uint64_t ready_seq = 0;  // position in the ready line (0: not ready), set by the pool
};

struct MempoolLimits {
  size_t max_txs = 200'000;
  size_t max_bytes = 256u << 20;
  size_t max_per_sender = 1024;
  uint64_t max_nonce_gap = 64;
  unsigned price_bump_percent = 10;
};

// Admission result: empty error on success; otherwise geth's message.
struct AddResult {
  std::string error;
  std::optional<Hash32> replaced;  // the hash this transaction displaced
  bool ok() const { return error.empty(); }
};

class Mempool {
 public:
  // `state_nonce(vm, sender)` gives the next nonce of the committed state.
  using NonceFn = std::function<uint64_t(Vm, const Bytes&)>;
  Mempool(MempoolLimits limits, NonceFn state_nonce);

  AddResult add(PoolTx tx);
  // Takes up to `max_txs` ready transactions with total gas <= `max_gas`, in arrival order.
  // Taken transactions leave the pool; the caller reports the outcome by `committed`.
  std::vector<std::shared_ptr<const PoolTx>> take(size_t max_txs, uint64_t max_gas);
  // After the block holding the taken transactions committed: the senders' nonces are
  // re-read from the state, stale entries dropped and queued ones promoted. Taken
  // transactions that were not included (invalid at execution) leave a gap, and their
  // sender's later transactions go back to waiting.
  void committed();
  // Forgets everything (evm_revert, restart).
  void clear();

  // Next nonce including ready transactions (eth_getTransactionCount "pending").
  uint64_t pending_nonce(Vm vm, const Bytes& sender);
  std::shared_ptr<const PoolTx> find(const Hash32& hash) const;
  bool is_ready(const Hash32& hash) const;  // waiting, with no nonce gap before it
  size_t size() const;
  size_t ready_count() const;

 private:
  struct SenderKey {
    Vm vm;
    Bytes sender;
    bool operator==(const SenderKey&) const = default;
  };
  struct SenderKeyHash {
    size_t operator()(const SenderKey& k) const noexcept;
  };
  struct Account {
    uint64_t next_ready = 0;  // nonce after the last ready (or taken) transaction
    size_t in_flight = 0;     // taken, block not yet committed
    std::map<uint64_t, std::shared_ptr<PoolTx>> waiting;  // nonce -> tx (ready and queued)
  };

  void promote(Account& acct);
  void make_ready(const std::shared_ptr<PoolTx>& tx);
  void make_unready(PoolTx& tx);
  void unlink(const PoolTx& tx);

  MempoolLimits limits_;
  NonceFn state_nonce_;
  mutable std::mutex mu_;
  uint64_t arrival_ = 0;
  size_t bytes_ = 0;
  std::unordered_map<SenderKey, Account, SenderKeyHash> accounts_;
  std::unordered_map<Hash32, std::shared_ptr<PoolTx>> by_hash_;
  // Ready transactions in the order they became ready: within one sender that is nonce
  // order, across senders first come, first served.
  std::map<uint64_t, std::shared_ptr<PoolTx>> ready_;
  uint64_t ready_seq_ = 0;
  std::vector<SenderKey> touched_;  // senders with transactions in flight
};

}  // namespace lumio::sequencer
