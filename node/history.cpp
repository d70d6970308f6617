#include "node/history.hpp"

#include <rocksdb/write_batch.h>

#include "common/rlp.hpp"

namespace lumio::node {
namespace {

Bytes undo_key(uint64_t n) {
  Bytes k = {'u', 'n', 'd', 'o'};
  for (int s = 56; s >= 0; s -= 8) k.push_back(uint8_t(n >> s));
  return k;
}

BytesView view(const rocksdb::Slice& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Collects the full keys a batch writes (ranges are expanded by scanning the store).
struct KeyCollector : rocksdb::WriteBatch::Handler {
  const state::Store& store;
  std::vector<Bytes>& keys;
  KeyCollector(const state::Store& s, std::vector<Bytes>& k) : store(s), keys(k) {}
  void Put(const rocksdb::Slice& k, const rocksdb::Slice&) override { add(k); }
  void Delete(const rocksdb::Slice& k) override { add(k); }
  void SingleDelete(const rocksdb::Slice& k) override { add(k); }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice& b,
                                const rocksdb::Slice& e) override {
    // Range tombstones in our batches are always whole prefixes within one space.
    BytesView begin = view(b), end = view(e);
    size_t common = 0;
    while (common < begin.size() && common < end.size() && begin[common] == end[common]) ++common;
    BytesView prefix = begin.subspan(0, common);
    if (prefix.empty()) return rocksdb::Status::OK();
    store.scan(state::Space(prefix[0]), prefix.subspan(1), [&](BytesView key, BytesView) {
      Bytes full{prefix[0]};
      append(full, key);
      if (std::lexicographical_compare(full.begin(), full.end(), end.begin(), end.end()))
        keys.push_back(std::move(full));
      return true;
    });
    return rocksdb::Status::OK();
  }
  void add(const rocksdb::Slice& k) { keys.emplace_back(view(k).begin(), view(k).end()); }
};

bool is_new_record(const Bytes& full_key) {
  auto s = state::space_of(full_key);
  return s == state::Space::Block || s == state::Space::BlockHash ||
         s == state::Space::Receipt || s == state::Space::TxIndex;
}

}  // namespace

void History::record(uint64_t number, state::WriteBatch& batch) {
  if (!keep_) return;
  std::vector<Bytes> keys;
  KeyCollector collector(store_, keys);
  batch.rep().Iterate(&collector);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // Chain records of a new block (its block, hash, receipts and tx index entries) never
  // existed before it (a rollback erases them), so only the other keys need a read.
  // Commitment nodes are not recorded: a rollback re-derives them from the restored state.
  std::erase_if(keys, [](const Bytes& k) { return state::space_of(k) == state::Space::TrieNode; });
  std::vector<Bytes> lookup;
  for (const Bytes& k : keys)
    if (!is_new_record(k)) lookup.push_back(k);
  auto found = store_.multi_get(lookup);
  rlp::Encoder e;
  e.begin_list();
  for (size_t i = 0, j = 0; i < keys.size(); ++i) {
    const Bytes& k = keys[i];
    std::optional<Bytes> old;
    if (!is_new_record(k)) old = std::move(found[j++]);
    e.begin_list().add(k);
    if (old) e.add_uint(1).add(*old); else e.add_uint(0).add(BytesView{});
    e.end_list();
  }
  e.end_list();
  batch.put(state::Space::Meta, undo_key(number), e.bytes());
  if (number > keep_) batch.erase(state::Space::Meta, undo_key(number - keep_));
}

std::optional<History::Undo> History::load(uint64_t number) const {
  auto raw = store_.get(state::Space::Meta, undo_key(number));
  if (!raw) return std::nullopt;
  Undo u;
  for (const auto& it : rlp::decode_list(*raw)) {
    auto f = rlp::list_items(it);
    if (f.size() != 3) throw rlp::Error("undo: bad entry");
    u[rlp::to_bytes(f[0])] =
        rlp::to_uint64(f[1]) ? std::optional<Bytes>(rlp::to_bytes(f[2])) : std::nullopt;
  }
  return u;
}

bool History::rollback(uint64_t head, uint64_t target, state::Commitment& commitment) {
  if (target >= head) return true;
  // Apply undos newest first; a key's final value is its oldest recorded previous value.
  Undo merged;
  for (uint64_t n = target + 1; n <= head; ++n) {
    auto u = load(n);
    if (!u) return false;
    merged.insert(u->begin(), u->end());  // earliest block wins: insert keeps existing keys
  }
  state::WriteBatch batch;
  for (const auto& [k, v] : merged) {
    if (v) batch.put(state::space_of(k), state::key_of(k), *v);
    else batch.erase(state::space_of(k), state::key_of(k));
  }
  for (uint64_t n = target + 1; n <= head; ++n) batch.erase(state::Space::Meta, undo_key(n));
  // The trie is path-keyed and canonical: applying the restored values to it yields exactly
  // the commitment nodes of the target block.
  commitment.apply(merged, batch);
  store_.write(batch, true);
  return true;
}

namespace {

class PastReader final : public state::StateReader {
 public:
  PastReader(const state::Store& store, std::map<state::StateKey, std::optional<Bytes>> undo)
      : store_(store), undo_(std::move(undo)) {}
  std::optional<Bytes> get(state::Space s, BytesView key) const override {
    auto it = undo_.find(state::make_key(s, key));
    if (it != undo_.end()) return it->second;
    return store_.get(s, key);
  }

 private:
  const state::Store& store_;
  std::map<state::StateKey, std::optional<Bytes>> undo_;
};

}  // namespace

std::unique_ptr<state::StateReader> History::reader_at(uint64_t number, uint64_t head) const {
  if (number > head) return nullptr;
  Undo merged;
  for (uint64_t n = number + 1; n <= head; ++n) {
    auto u = load(n);
    if (!u) return nullptr;
    merged.insert(u->begin(), u->end());
  }
  return std::make_unique<PastReader>(store_, std::move(merged));
}

}  // namespace lumio::node
