// Execution overlays. A block's transactions read the committed store through a BlockOverlay
// that holds the block's pending writes; each transaction runs against its own TxView, which
// records what it read (with the values seen) and what it wrote. Committing a TxView into the
// overlay makes its writes visible to later transactions; the overlay finally becomes one
// atomic WriteBatch. The read/write sets are what an optimistic parallel executor (Block-STM)
// validates: a transaction is valid if every value in its read set is still what the overlay
// returns for that key.
#pragma once
#include <functional>
#include <map>
#include <optional>

#include "state/store.hpp"

namespace lumio::state {

// Keys in read/write sets are full store keys: space byte || key (see make_key), so one
// ordered map covers every space and iterates in on-disk order.
using StateKey = Bytes;
// key -> value written (nullopt = erased).
using WriteSet = std::map<StateKey, std::optional<Bytes>>;
// key -> value observed the first time it was read from below (nullopt = absent).
using ReadSet = std::map<StateKey, std::optional<Bytes>>;

inline Space space_of(const StateKey& k) { return Space(k[0]); }
inline BytesView key_of(const StateKey& k) { return BytesView(k).subspan(1); }

// fn(key without the space byte, value) -> continue?
using ScanFn = std::function<bool(BytesView key, BytesView value)>;

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual std::optional<Bytes> get(Space s, BytesView key) const = 0;
  // Keys of `s` starting with `prefix`, in key order, as this view sees them (pending writes
  // merged over the base). Readers that cannot iterate throw std::logic_error.
  virtual void scan(Space s, BytesView prefix, const ScanFn& fn) const;
};

// Reads the committed store.
class StoreReader final : public StateReader {
 public:
  explicit StoreReader(const Store& store) : store_(store) {}
  std::optional<Bytes> get(Space s, BytesView key) const override { return store_.get(s, key); }
  void scan(Space s, BytesView prefix, const ScanFn& fn) const override { store_.scan(s, prefix, fn); }

 private:
  const Store& store_;
};

// Reads a store snapshot (consistent across keys while blocks keep committing).
class SnapshotReader final : public StateReader {
 public:
  explicit SnapshotReader(std::unique_ptr<Snapshot> snap) : snap_(std::move(snap)) {}
  std::optional<Bytes> get(Space s, BytesView key) const override { return snap_->get(s, key); }
  void scan(Space s, BytesView prefix, const ScanFn& fn) const override { snap_->scan(s, prefix, fn); }
  const Snapshot& snapshot() const { return *snap_; }

 private:
  std::unique_ptr<Snapshot> snap_;
};

class TxView;

// Pending writes of one block over a base (normally the committed store). get() is safe to call
// from many threads as long as no commit() runs at the same time.
class BlockOverlay final : public StateReader {
 public:
  explicit BlockOverlay(const StateReader& base) : base_(base) {}
  std::optional<Bytes> get(Space s, BytesView key) const override;
  void scan(Space s, BytesView prefix, const ScanFn& fn) const override;
  void put(Space s, BytesView key, BytesView value);  // direct writes (system updates)
  void erase(Space s, BytesView key);
  // Makes the transaction's writes part of the block (later writes win).
  void commit(const TxView& tx);
  const WriteSet& writes() const { return writes_; }
  // The block's writes as one batch; the caller adds blocks, receipts and commitment nodes.
  WriteBatch to_batch() const;
  void clear() { writes_.clear(); }

 private:
  const StateReader& base_;
  WriteSet writes_;
};

// One transaction's view. Not thread-safe; one per executing transaction.
class TxView final : public StateReader {
 public:
  explicit TxView(const StateReader& base) : base_(base) {}
  // Own writes first, then the base; a base read is recorded once, with the value seen.
  std::optional<Bytes> get(Space s, BytesView key) const override;
  // Records every base key/value it passes in the read set (catches changed values, not keys
  // inserted into the range later: a parallel executor must re-validate scans as a whole).
  void scan(Space s, BytesView prefix, const ScanFn& fn) const override;
  void put(Space s, BytesView key, BytesView value);
  void erase(Space s, BytesView key);

  // Nested-call snapshots: revert_to(checkpoint()) undoes the writes made since.
  size_t checkpoint() const { return journal_.size(); }
  void revert_to(size_t checkpoint);

  const ReadSet& reads() const { return reads_; }
  const WriteSet& writes() const { return writes_; }

 private:
  void set(StateKey k, std::optional<Bytes> v);

  const StateReader& base_;
  mutable ReadSet reads_;
  WriteSet writes_;
  // Undo log: key and its previous write-set entry (outer nullopt = had no entry).
  std::vector<std::pair<StateKey, std::optional<std::optional<Bytes>>>> journal_;
};

}  // namespace lumio::state
