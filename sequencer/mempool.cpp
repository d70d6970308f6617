#include "sequencer/mempool.hpp"

#include <string_view>

namespace lumio::sequencer {

size_t Mempool::SenderKeyHash::operator()(const SenderKey& k) const noexcept {
  return std::hash<std::string_view>()(
             {reinterpret_cast<const char*>(k.sender.data()), k.sender.size()}) ^
         size_t(k.vm);
}

Mempool::Mempool(MempoolLimits limits, NonceFn state_nonce)
    : limits_(limits), state_nonce_(std::move(state_nonce)) {}

static std::string nonce_msg(const char* what, const PoolTx& tx, uint64_t state) {
  return std::string(what) + ": address " + to_hex(tx.sender) + ", tx: " +
         std::to_string(tx.nonce) + " state: " + std::to_string(state);
}

AddResult Mempool::add(PoolTx in) {
  std::lock_guard lock(mu_);
  if (by_hash_.count(in.hash)) return {"already known", {}};
  SenderKey key{in.vm, in.sender};
  auto [it, fresh] = accounts_.try_emplace(key);
  Account& acct = it->second;
  if (fresh) acct.next_ready = state_nonce_(in.vm, in.sender);
  auto drop_if_unused = [&] {
    if (acct.waiting.empty() && acct.in_flight == 0) accounts_.erase(it);
  };

  auto existing = acct.waiting.find(in.nonce);
  if (existing == acct.waiting.end()) {
    // Below next_ready and not waiting: already in the chain or in a block being built.
    if (in.nonce < acct.next_ready) {
      AddResult r{nonce_msg("nonce too low", in, acct.next_ready), {}};
      drop_if_unused();
      return r;
    }
    if (in.nonce > acct.next_ready + limits_.max_nonce_gap) {
      AddResult r{nonce_msg("nonce too high", in, acct.next_ready), {}};
      drop_if_unused();
      return r;
    }
    if (acct.waiting.size() >= limits_.max_per_sender || by_hash_.size() >= limits_.max_txs ||
        bytes_ + in.size > limits_.max_bytes) {
      drop_if_unused();
      return {"txpool is full", {}};
    }
  } else {
    // Replacement: both fee cap and tip must rise by the bump percentage.
    const PoolTx& old = *existing->second;
    uint256 pct(100 + limits_.price_bump_percent);
    if (in.fee_cap * uint256(100) < old.fee_cap * pct || in.tip * uint256(100) < old.tip * pct)
      return {"replacement transaction underpriced", {}};
  }

  auto tx = std::make_shared<PoolTx>(std::move(in));
  tx->arrival = ++arrival_;
  tx->admitted_at = std::chrono::steady_clock::now();
  AddResult result;
  if (existing != acct.waiting.end()) {
    auto old = existing->second;
    result.replaced = old->hash;
    unlink(*old);
    if (old->ready_seq) {
      tx->ready_seq = old->ready_seq;  // keep the replaced transaction's place in line
      ready_[tx->ready_seq] = tx;
    }
    existing->second = tx;
  } else {
    acct.waiting[tx->nonce] = tx;
  }
  by_hash_[tx->hash] = tx;
  bytes_ += tx->size;
  promote(acct);
  return result;
}

void Mempool::promote(Account& acct) {
  for (auto w = acct.waiting.find(acct.next_ready); w != acct.waiting.end() &&
                                                    w->first == acct.next_ready;
       ++w, ++acct.next_ready)
    make_ready(w->second);
}

void Mempool::make_ready(const std::shared_ptr<PoolTx>& tx) {
  if (tx->ready_seq) return;
  tx->ready_seq = ++ready_seq_;
  ready_[tx->ready_seq] = tx;
}

void Mempool::make_unready(PoolTx& tx) {
  if (!tx.ready_seq) return;
  ready_.erase(tx.ready_seq);
  tx.ready_seq = 0;
}

void Mempool::unlink(const PoolTx& tx) {
  by_hash_.erase(tx.hash);
  bytes_ -= tx.size;
}

std::vector<std::shared_ptr<const PoolTx>> Mempool::take(size_t max_txs, uint64_t max_gas) {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const PoolTx>> out;
  uint64_t gas = 0;
  auto it = ready_.begin();
  while (it != ready_.end() && out.size() < max_txs) {
    auto tx = it->second;
    if (tx->gas_limit > max_gas - gas) break;
    gas += tx->gas_limit;
    it = ready_.erase(it);
    tx->ready_seq = 0;
    SenderKey key{tx->vm, tx->sender};
    Account& acct = accounts_[key];
    acct.waiting.erase(tx->nonce);
    if (acct.in_flight++ == 0) touched_.push_back(key);
    unlink(*tx);
    out.push_back(std::move(tx));
  }
  return out;
}

void Mempool::committed() {
  std::lock_guard lock(mu_);
  for (const SenderKey& key : touched_) {
    auto it = accounts_.find(key);
    if (it == accounts_.end()) continue;
    Account& acct = it->second;
    acct.in_flight = 0;
    acct.next_ready = state_nonce_(key.vm, key.sender);
    while (!acct.waiting.empty() && acct.waiting.begin()->first < acct.next_ready) {
      auto stale = acct.waiting.begin()->second;
      make_unready(*stale);
      unlink(*stale);
      acct.waiting.erase(acct.waiting.begin());
    }
    // Re-derive readiness: a transaction dropped at execution leaves a gap.
    uint64_t expect = acct.next_ready;
    for (auto& [nonce, tx] : acct.waiting) {
      if (nonce == expect) {
        make_ready(tx);
        ++expect;
      } else {
        make_unready(*tx);
      }
    }
    acct.next_ready = expect;
    if (acct.waiting.empty()) accounts_.erase(it);
  }
  touched_.clear();
}

void Mempool::clear() {
  std::lock_guard lock(mu_);
  accounts_.clear();
  by_hash_.clear();
  ready_.clear();
  touched_.clear();
  bytes_ = 0;
}

uint64_t Mempool::pending_nonce(Vm vm, const Bytes& sender) {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(SenderKey{vm, sender});
  return it != accounts_.end() ? it->second.next_ready : state_nonce_(vm, sender);
}

std::shared_ptr<const PoolTx> Mempool::find(const Hash32& hash) const {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : it->second;
}

bool Mempool::is_ready(const Hash32& hash) const {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  return it != by_hash_.end() && it->second->ready_seq != 0;
}

size_t Mempool::size() const {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

size_t Mempool::ready_count() const {
  std::lock_guard lock(mu_);
  return ready_.size();
}

}  // namespace lumio::sequencer
