// The state commitment: one trie per VM family, updated incrementally from a block's write set.
//
// EVM: the standard Ethereum state trie, so the EVM root equals what geth would compute.
//   Store encoding (Space::EvmAccount): address(20) -> RLP[nonce, balance, codeHash]
//     (balance big-endian trimmed; the storage root is not stored there, the trie holds it).
//   Store encoding (Space::EvmStorage): address(20) || slot(32) -> value big-endian trimmed;
//     zero is absent (erase, or an empty value).
//   Code (Space::EvmCode): codeHash -> code (not part of the trie beyond codeHash).
//   Account trie: keccak(address) -> RLP[nonce, balance, storageRoot, codeHash].
//   Storage trie of an account: keccak(slot) -> RLP(trimmed value).
//   Erasing an account erases its whole storage (store and trie).
// SVM:  keccak(pubkey) -> keccak(account bytes)                     over Space::SvmAccount
// Move: keccak(space byte || key) -> keccak(value)                  over MoveResource/Module/Table
// Sys:  keccak(key) -> keccak(value)                                over Space::Sys
// Global commitment = keccak(evm_root || svm_root || move_root || sys_root) (see README.md).
// Chain history (Meta, Block, Receipt, TxIndex) is not state and is not committed here.
#pragma once
#include <array>
#include <optional>

#include "state/overlay.hpp"
#include "state/trie.hpp"

namespace lumio::state {

struct EvmAccount {
  uint64_t nonce = 0;
  FixedBytes<32> balance;  // big-endian 256-bit
  Hash32 code_hash;        // kEmptyKeccak for accounts without code

  EvmAccount();
  Bytes encode() const;                                  // store value
  static std::optional<EvmAccount> decode(BytesView v);  // nullopt when malformed
};

Bytes evm_storage_key(const Address& a, const Hash32& slot);  // address || slot
Bytes evm_storage_value(const Hash32& v);                      // trimmed; empty for zero

struct StateRoots {
  Hash32 evm, svm, move, sys;
  Hash32 global;  // keccak(evm || svm || move || sys)
};

class Commitment {
 public:
  explicit Commitment(const Store& store, size_t cache_entries = 1 << 17);

  // Roots of the committed state. The const readers below are thread-safe and may run while
  // another thread is in apply() (they see the last written batch).
  StateRoots roots() const;
  Hash32 evm_storage_root(const Address& a) const;
  // eth_getProof: account proof and storage proof nodes, root first.
  std::vector<Bytes> prove_account(const Address& a) const;
  std::vector<Bytes> prove_storage(const Address& a, const Hash32& slot) const;

  // Recomputes every root from the key spaces alone (full scan, in-memory tries), ignoring the
  // stored trie nodes: an integrity check of the incremental commitment. O(state).
  StateRoots recompute() const;

  // Brings every trie up to date with a block's writes and returns the new roots (storage tries
  // in parallel, then the four top-level tries in parallel, on TBB's pool). Node puts
  // and erases are appended to `batch`; call it after the write set itself went into `batch`
  // (BlockOverlay::to_batch), since account erasure appends a range erase of the storage.
  // The batch must be written before the next apply().
  StateRoots apply(const WriteSet& writes, WriteBatch& batch);

  const TrieStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }

 private:
  void add_stats(const TrieStats& s);

  const Store& store_;
  std::array<NodeCache, 4> caches_;  // evm accounts, svm, move, sys
  TrieStats stats_;
};

}  // namespace lumio::state
