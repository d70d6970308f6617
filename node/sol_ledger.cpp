#include "node/sol_ledger.hpp"

#include <chrono>
#include <cstring>

#include "common/rlp.hpp"

namespace lumio::node {
namespace {

const Bytes kSlotPrefix = {'s', 'o', 'l', '/', 's', 'l', 'o', 't', '/'};
const Bytes kHashPrefix = {'s', 'o', 'l', '/', 'b', 'h', '/'};
const Bytes kTipKey = {'s', 'o', 'l', '/', 't', 'i', 'p'};
const Bytes kAddrPrefix = {'s', 'o', 'l', '/', 's', 'a', '/'};
const Bytes kTxCountKey = {'s', 'o', 'l', '/', 't', 'x', 'c', 'o', 'u', 'n', 't'};

Bytes be64(uint64_t n) {
  Bytes k;
  for (int s = 56; s >= 0; s -= 8) k.push_back(uint8_t(n >> s));
  return k;
}
uint64_t read_be64(BytesView v) {
  uint64_t n = 0;
  for (size_t i = 0; i < 8 && i < v.size(); ++i) n = (n << 8) | v[i];
  return n;
}
Bytes slot_key(uint64_t slot) {
  Bytes k = kSlotPrefix;
  append(k, be64(slot));
  return k;
}

Bytes encode(const SolSlotRecord& r) {
  rlp::Encoder e;
  e.begin_list().add_uint(r.slot).add_uint(r.first_block).add_uint(r.parent_slot).add_uint(r.height)
      .add(BytesView(r.blockhash.data(), 32)).end_list();
  return e.take();
}
SolSlotRecord decode(BytesView raw) {
  auto f = rlp::decode_list(raw);
  if (f.size() != 5) throw rlp::Error("slot record: bad field count");
  SolSlotRecord r{rlp::to_uint64(f[0]), rlp::to_uint64(f[1]), rlp::to_uint64(f[2]), rlp::to_uint64(f[3]), {}};
  auto h = rlp::to_fixed<32>(f[4]);
  std::memcpy(r.blockhash.data(), h.bytes.data(), 32);
  return r;
}

uint64_t now_ms() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

SolLedger::SolLedger(const state::Store& store, unsigned slot_ms) : store_(store), slot_ms_(slot_ms) {}

Bytes SolLedger::genesis_ms_key() { return {'s', 'o', 'l', '/', 'g', 'e', 'n', 'e', 's', 'i', 's'}; }

void SolLedger::load() {
  if (auto g = store_.get(state::Space::Meta, genesis_ms_key())) genesis_ms_ = read_be64(*g);
  else genesis_ms_ = now_ms();
  reload_tip();
}

void SolLedger::reload_tip() {
  SolSlotRecord r;
  if (auto t = store_.get(state::Space::Meta, kTipKey)) r = decode(*t);
  uint64_t count = 0;
  if (auto c = store_.get(state::Space::Meta, kTxCountKey)) count = read_be64(*c);
  std::lock_guard lock(mu_);
  tip_ = r;
  tx_count_ = count;
}

uint64_t SolLedger::transaction_count() const {
  std::lock_guard lock(mu_);
  return tx_count_;
}

void SolLedger::count_transactions(uint64_t n, state::WriteBatch& batch) const {
  batch.put(state::Space::Meta, kTxCountKey, be64(transaction_count() + n));
}

void SolLedger::add_transactions(uint64_t n) {
  std::lock_guard lock(mu_);
  tx_count_ += n;
}

uint64_t SolLedger::clock_slot() const {
  uint64_t now = now_ms();
  return now <= genesis_ms_ ? 0 : (now - genesis_ms_) / slot_ms_;
}

SolSlotRecord SolLedger::tip() const {
  std::lock_guard lock(mu_);
  return tip_;
}

std::optional<SolSlotRecord> SolLedger::record(uint64_t slot) const {
  auto raw = store_.get(state::Space::Meta, slot_key(slot));
  if (!raw) return std::nullopt;
  return decode(*raw);
}

std::vector<uint64_t> SolLedger::slots_in(uint64_t start, uint64_t end, size_t limit) const {
  std::vector<uint64_t> out;
  if (start > end || limit == 0) return out;
  // Scan the longest key prefix start and end share, keep what falls in range.
  Bytes a = be64(start), b = be64(end);
  size_t common = 0;
  while (common < 8 && a[common] == b[common]) ++common;
  Bytes prefix = kSlotPrefix;
  prefix.insert(prefix.end(), a.begin(), a.begin() + common);
  store_.scan(state::Space::Meta, prefix, [&](BytesView k, BytesView) {
    uint64_t s = read_be64(k.subspan(kSlotPrefix.size()));
    if (s > end) return false;
    if (s >= start) out.push_back(s);
    return out.size() < limit;
  });
  return out;
}

std::optional<SolSlotRecord> SolLedger::blockhash_record(const exec::SvmPubkey& h) const {
  Bytes k = kHashPrefix;
  k.insert(k.end(), h.begin(), h.end());
  auto raw = store_.get(state::Space::Meta, k);
  if (!raw) return std::nullopt;
  return record(read_be64(*raw));
}

void SolLedger::write_record(const SolSlotRecord& r, state::WriteBatch& batch) const {
  Bytes enc = encode(r);
  batch.put(state::Space::Meta, slot_key(r.slot), enc);
  batch.put(state::Space::Meta, kTipKey, enc);
  Bytes k = kHashPrefix;
  k.insert(k.end(), r.blockhash.begin(), r.blockhash.end());
  batch.put(state::Space::Meta, k, be64(r.slot));
}

void SolLedger::index_address(const exec::SvmPubkey& address, uint64_t block, uint32_t index, uint64_t slot,
                              BytesView signature, state::WriteBatch& batch) const {
  // Inverted block/index: a forward scan yields the newest first.
  Bytes k = kAddrPrefix;
  k.insert(k.end(), address.begin(), address.end());
  append(k, be64(~block));
  for (int s = 24; s >= 0; s -= 8) k.push_back(uint8_t(~index >> s));
  Bytes v(signature.begin(), signature.end());
  append(v, be64(slot));
  batch.put(state::Space::Meta, k, v);
}

void SolLedger::scan_address(const exec::SvmPubkey& address,
                             const std::function<bool(uint64_t, uint64_t, uint32_t, BytesView)>& fn) const {
  Bytes prefix = kAddrPrefix;
  prefix.insert(prefix.end(), address.begin(), address.end());
  store_.scan(state::Space::Meta, prefix, [&](BytesView k, BytesView v) {
    if (k.size() != prefix.size() + 12 || v.size() != 72) return true;
    uint64_t block = ~read_be64(k.subspan(prefix.size()));
    uint32_t index = 0;
    for (size_t i = 0; i < 4; ++i) index = (index << 8) | k[prefix.size() + 8 + i];
    return fn(read_be64(v.subspan(64)), block, ~index, v.subspan(0, 64));
  });
}

void SolLedger::set_tip(const SolSlotRecord& r) {
  std::lock_guard lock(mu_);
  tip_ = r;
}

}  // namespace lumio::node
