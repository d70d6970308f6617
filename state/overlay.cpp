#include "state/overlay.hpp"

#include <stdexcept>

namespace lumio::state {

void StateReader::scan(Space, BytesView, const ScanFn&) const {
  throw std::logic_error("this state reader cannot iterate");
}

namespace {

bool has_prefix(const StateKey& k, const Bytes& prefix) {
  return k.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), k.begin());
}

// Merges `writes` (pending, nullopt = erased) over base.scan(), in key order. `seen` is called
// for each base entry passed (the TxView records it).
void merged_scan(const StateReader& base, const WriteSet& writes, Space s, BytesView prefix,
                 const ScanFn& fn, const std::function<void(BytesView, BytesView)>& seen) {
  Bytes start = make_key(s, prefix);
  auto it = writes.lower_bound(start);
  auto in_range = [&] { return it != writes.end() && has_prefix(it->first, start); };
  bool stopped = false;
  // Emits pending entries below `bound` (all remaining when null); false when fn stopped.
  auto flush_below = [&](const Bytes* bound) {
    for (; in_range() && (!bound || it->first < *bound); ++it)
      if (it->second && !fn(key_of(it->first), *it->second)) return false;
    return true;
  };
  base.scan(s, prefix, [&](BytesView k, BytesView v) {
    if (seen) seen(k, v);
    Bytes full = make_key(s, k);
    if (!flush_below(&full)) return !(stopped = true);
    if (in_range() && it->first == full) {
      auto w = it++;
      if (!w->second) return true;  // erased in the overlay
      if (!fn(k, *w->second)) return !(stopped = true);
      return true;
    }
    if (!fn(k, v)) return !(stopped = true);
    return true;
  });
  if (!stopped) flush_below(nullptr);
}

}  // namespace

void BlockOverlay::scan(Space s, BytesView prefix, const ScanFn& fn) const {
  merged_scan(base_, writes_, s, prefix, fn, nullptr);
}

void TxView::scan(Space s, BytesView prefix, const ScanFn& fn) const {
  merged_scan(base_, writes_, s, prefix, fn, [&](BytesView k, BytesView v) {
    reads_.emplace(make_key(s, k), Bytes(v.begin(), v.end()));
  });
}

std::optional<Bytes> BlockOverlay::get(Space s, BytesView key) const {
  if (auto it = writes_.find(make_key(s, key)); it != writes_.end()) return it->second;
  return base_.get(s, key);
}

void BlockOverlay::put(Space s, BytesView key, BytesView value) {
  writes_.insert_or_assign(make_key(s, key), Bytes(value.begin(), value.end()));
}

void BlockOverlay::erase(Space s, BytesView key) {
  writes_.insert_or_assign(make_key(s, key), std::nullopt);
}

void BlockOverlay::commit(const TxView& tx) {
  for (const auto& [k, v] : tx.writes()) writes_.insert_or_assign(k, v);
}

WriteBatch BlockOverlay::to_batch() const {
  WriteBatch b;
  for (const auto& [k, v] : writes_) {
    if (v) b.put(space_of(k), key_of(k), *v);
    else b.erase(space_of(k), key_of(k));
  }
  return b;
}

std::optional<Bytes> TxView::get(Space s, BytesView key) const {
  StateKey k = make_key(s, key);
  if (auto it = writes_.find(k); it != writes_.end()) return it->second;
  if (auto it = reads_.find(k); it != reads_.end()) return it->second;
  auto v = base_.get(s, key);
  reads_.emplace(std::move(k), v);
  return v;
}

void TxView::set(StateKey k, std::optional<Bytes> v) {
  auto it = writes_.find(k);
  if (it == writes_.end()) {
    journal_.emplace_back(k, std::nullopt);
    writes_.emplace(std::move(k), std::move(v));
  } else {
    journal_.emplace_back(k, std::move(it->second));
    it->second = std::move(v);
  }
}

void TxView::put(Space s, BytesView key, BytesView value) {
  set(make_key(s, key), Bytes(value.begin(), value.end()));
}

void TxView::erase(Space s, BytesView key) { set(make_key(s, key), std::nullopt); }

void TxView::revert_to(size_t checkpoint) {
  while (journal_.size() > checkpoint) {
    auto& [k, prev] = journal_.back();
    if (prev) writes_.insert_or_assign(k, std::move(*prev));
    else writes_.erase(k);
    journal_.pop_back();
  }
}

}  // namespace lumio::state
