#include "state/overlay.hpp"

namespace lumio::state {

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
