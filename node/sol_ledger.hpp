// Solana's view of the Lumio block stream: slots, blockhashes, block heights.
//
// The slot clock runs on wall time from the chain's genesis: slot = (now - genesis) / slot_ms.
// Every Lumio block records the slot it was built in (>= its parent's). The first block of a
// slot "opens" it: the node rewrites the per-slot sysvars before executing that block, and the
// block commits the slot's record: blockhash = sha256(that block's hash), parent slot = the
// previous slot with a block, block height = number of slots with a block before it.
// Records live in Space::Meta and commit (and roll back) with their block.
#pragma once
#include <functional>
#include <mutex>
#include <optional>

#include "exec/svm_state.hpp"
#include "state/store.hpp"

namespace lumio::node {

struct SolSlotRecord {
  uint64_t slot = 0;
  uint64_t first_block = 0;  // the Lumio block that opened it
  uint64_t parent_slot = 0;
  uint64_t height = 0;       // block height
  exec::SvmPubkey blockhash{};
};

// Blockhashes stay valid for this many newer blockhashes (MAX_PROCESSING_AGE).
inline constexpr uint64_t kMaxProcessingAge = 150;

class SolLedger {
 public:
  SolLedger(const state::Store& store, unsigned slot_ms);

  // Genesis: the wall-clock start of slot 0, and the record of slot 0 (block 0).
  static Bytes genesis_ms_key();
  void load();  // reads genesis time and the tip (after the chain is open)
  uint64_t genesis_ms() const { return genesis_ms_; }
  unsigned slot_ms() const { return slot_ms_; }
  // The slot the wall clock is in now.
  uint64_t clock_slot() const;

  // The latest slot with a block (the processed bank).
  SolSlotRecord tip() const;
  std::optional<SolSlotRecord> record(uint64_t slot) const;
  // Slots with a block in [start, end], ascending, at most `limit`.
  std::vector<uint64_t> slots_in(uint64_t start, uint64_t end, size_t limit) const;
  // Block height of the slot whose blockhash is `h` (none: never a blockhash here).
  std::optional<SolSlotRecord> blockhash_record(const exec::SvmPubkey& h) const;

  // Writes slot `r`'s records into a block's batch; the tip moves once set_tip() is called
  // after that batch committed.
  void write_record(const SolSlotRecord& r, state::WriteBatch& batch) const;
  void set_tip(const SolSlotRecord& r);
  // getSignaturesForAddress index: (address, newest first) -> signature, slot.
  void index_address(const exec::SvmPubkey& address, uint64_t block, uint32_t index, uint64_t slot,
                     BytesView signature, state::WriteBatch& batch) const;
  // Entries of `address`, newest first, until fn returns false.
  void scan_address(const exec::SvmPubkey& address,
                    const std::function<bool(uint64_t slot, uint64_t block, uint32_t index,
                                             BytesView signature)>& fn) const;

  // Solana transactions in committed blocks (getTransactionCount).
  uint64_t transaction_count() const;
  void count_transactions(uint64_t n, state::WriteBatch& batch) const;  // in the block's batch
  void add_transactions(uint64_t n);                                    // once it committed
  void reload_tip();  // after a rollback

 private:
  const state::Store& store_;
  unsigned slot_ms_;
  uint64_t genesis_ms_ = 0;
  mutable std::mutex mu_;
  SolSlotRecord tip_;
  uint64_t tx_count_ = 0;
};

}  // namespace lumio::node
