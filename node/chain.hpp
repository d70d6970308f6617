// The chain as stored: blocks, receipts, the transaction index, the head, and the state with
// its commitment. A block is committed in one atomic store write (state, commitment nodes,
// block, receipts, indexes, head pointer and undo record together), so after kill -9 the node
// reopens exactly at the last block whose receipts it could have served.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "exec/block.hpp"
#include "exec/svm_state.hpp"
#include "node/history.hpp"
#include "state/commitment.hpp"
#include "state/overlay.hpp"
#include "state/store.hpp"

namespace lumio::node {

struct TxLocation {
  uint64_t block = 0;
  uint32_t index = 0;
};

// What a block commits besides its EVM part.
struct CommitExtras {
  // One encoded Solana receipt (exec/svm_state.hpp) per Vm::Svm transaction, in block order.
  std::vector<Bytes> svm_receipts;
  // Called with the finished block (its hash final) to add index records (Space::Meta) to the
  // block's batch: they commit, and roll back, with the block.
  std::function<void(const exec::Block&, state::WriteBatch&)> index;
};

class Chain {
 public:
  Chain(std::unique_ptr<state::Store> store, uint64_t history_blocks);

  bool empty() const { return head_ == nullptr; }
  // Commits `block` with the state writes in `overlay` (which reads the committed store).
  // Fills the header's roots, gas used and bloom from the overlay and receipts.
  // `before_visible`, if set, sees the finished block just before it becomes readable.
  std::shared_ptr<const exec::Block> commit(
      exec::Block block, std::vector<exec::Receipt> receipts, const state::BlockOverlay& overlay,
      const std::function<void(const exec::Block&)>& before_visible = nullptr,
      const std::vector<Hash32>& settled = {},  // pending records to erase with the block
      const CommitExtras& extras = {});

  // Admitted transactions survive a restart: one record each (the caller's encoding) until the
  // block that includes it (or drops it) commits. Written through the WAL, not synced.
  void persist_pending(const Hash32& tx_hash, BytesView record);
  void forget_pending(const std::vector<Hash32>& tx_hashes);
  std::vector<Bytes> pending_records() const;

  // Writes state without a block (bulk genesis prefill, before block 0 exists).
  void write_state(const state::BlockOverlay& overlay);
  void flush() { store_->flush(); }

  std::shared_ptr<const exec::Block> head() const;
  std::shared_ptr<const exec::Block> block(uint64_t number) const;
  std::optional<uint64_t> number_of(const Hash32& block_hash) const;
  std::optional<TxLocation> locate(const Hash32& tx_hash) const;
  // Solana transactions are indexed by their first signature (64 bytes, so never mistaken for
  // an Ethereum hash).
  std::optional<TxLocation> locate_signature(BytesView signature) const;
  std::optional<exec::Receipt> receipt(uint64_t block, uint32_t index) const;
  std::vector<exec::Receipt> receipts(uint64_t block) const;  // the EVM receipts
  std::optional<exec::SvmReceipt> svm_receipt(uint64_t block, uint32_t index) const;

  // The committed state (latest), and the state at the end of an earlier block (null when
  // its history was pruned).
  const state::StateReader& latest() const { return latest_reader_; }
  std::unique_ptr<state::StateReader> state_at(uint64_t number) const;
  state::StateRoots roots() const;

  // Rolls the chain back to block `target`. False when history does not reach that far.
  bool rollback(uint64_t target);

  const state::Store& store() const { return *store_; }

 private:
  std::shared_ptr<const exec::Block> load_head();

  std::unique_ptr<state::Store> store_;
  state::StoreReader latest_reader_;
  std::unique_ptr<state::Commitment> commitment_;
  History history_;
  mutable std::mutex mu_;  // guards head_ and commit/rollback
  std::shared_ptr<const exec::Block> head_;
};

}  // namespace lumio::node
