// Undo records: for each committed block, the previous value of every store key its batch
// wrote (state, block records, head pointer alike; commitment nodes are re-derived from the
// restored state instead, which halves the cost of recording). They give the devnet
// evm_snapshot/evm_revert (roll the whole store back to an earlier block, atomically) and
// historical reads (eth_call, balances, traces at a recent block) without an archive.
// Records older than `keep_blocks` are pruned.
#pragma once
#include <map>
#include <memory>

#include "state/commitment.hpp"
#include "state/overlay.hpp"
#include "state/store.hpp"

namespace lumio::node {

class History {
 public:
  History(state::Store& store, uint64_t keep_blocks) : store_(store), keep_(keep_blocks) {}

  // Reads the old value of every key `batch` writes and adds block `number`'s undo record
  // (and the pruning of the record that falls out of the window) to the same batch.
  void record(uint64_t number, state::WriteBatch& batch);
  // Rolls the store back from `head` to the end of block `target` in one atomic write.
  // False when a needed record was pruned.
  // `commitment` brings the trie nodes along in the same write.
  bool rollback(uint64_t head, uint64_t target, state::Commitment& commitment);
  // The state as it was at the end of block `number` (head = current head); null when the
  // records needed are pruned or `number` > head.
  std::unique_ptr<state::StateReader> reader_at(uint64_t number, uint64_t head) const;
  bool enabled() const { return keep_ > 0; }

 private:
  using Undo = std::map<state::StateKey, std::optional<Bytes>>;
  std::optional<Undo> load(uint64_t number) const;

  state::Store& store_;
  uint64_t keep_;
};

}  // namespace lumio::node
