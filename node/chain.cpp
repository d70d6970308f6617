#include "node/chain.hpp"

#include "common/hash.hpp"
#include "common/rlp.hpp"

namespace lumio::node {
namespace {

const Bytes kHeadKey = {'h', 'e', 'a', 'd'};

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

Bytes receipt_key(uint64_t block, uint32_t index) {
  Bytes k = be64(block);
  for (int s = 24; s >= 0; s -= 8) k.push_back(uint8_t(index >> s));
  return k;
}

}  // namespace

Chain::Chain(std::unique_ptr<state::Store> store, uint64_t history_blocks)
    : store_(std::move(store)),
      latest_reader_(*store_),
      commitment_(std::make_unique<state::Commitment>(*store_)),
      history_(*store_, history_blocks) {
  head_ = load_head();
}

std::shared_ptr<const exec::Block> Chain::load_head() {
  auto h = store_->get(state::Space::Meta, kHeadKey);
  if (!h) return nullptr;
  return block(read_be64(*h));
}

std::shared_ptr<const exec::Block> Chain::commit(
    exec::Block block, std::vector<exec::Receipt> receipts, const state::BlockOverlay& overlay,
    const std::function<void(const exec::Block&)>& before_visible,
    const std::vector<Hash32>& settled, const CommitExtras& extras) {
  std::lock_guard lock(mu_);
  exec::BlockHeader& h = block.header;
  state::WriteBatch batch = overlay.to_batch();
  state::StateRoots roots = commitment_->apply(overlay.writes(), batch);
  h.state_commitment = roots.global;
  h.evm_state_root = roots.evm;

  std::vector<Bytes> tx_items, receipt_items;
  std::vector<exec::Log> all_logs;
  h.gas_used = 0;
  // EVM transactions come first in a block and `receipts` holds theirs; Solana receipts
  // (extras.svm_receipts) follow in the same order as the block's Vm::Svm records.
  for (size_t i = 0; i < block.txs.size() && i < receipts.size(); ++i) {
    const exec::TxRecord& t = block.txs[i];
    const exec::Receipt& r = receipts[i];
    if (t.vm == exec::Vm::Evm) {
      tx_items.push_back(t.raw);
      receipt_items.push_back(r.eth_consensus_rlp());
      all_logs.insert(all_logs.end(), r.logs.begin(), r.logs.end());
    }
    h.gas_used += r.gas_used;
  }
  h.transactions_root = exec::ordered_root(tx_items);
  h.receipts_root = exec::ordered_root(receipt_items);
  h.logs_bloom = exec::logs_bloom(all_logs);

  Hash32 hash = h.hash();
  batch.put(state::Space::Block, be64(h.number), exec::encode_block(block));
  batch.put(state::Space::BlockHash, hash.view(), be64(h.number));
  size_t svm_i = 0;
  for (size_t i = 0; i < block.txs.size(); ++i) {
    Bytes loc = receipt_key(h.number, uint32_t(i));
    const exec::TxRecord& t = block.txs[i];
    if (t.vm == exec::Vm::Svm) {
      auto sig = exec::svm_first_signature(t.raw);
      if (sig) batch.put(state::Space::TxIndex, BytesView(sig->data(), 64), loc);
      if (svm_i < extras.svm_receipts.size())
        batch.put(state::Space::Receipt, loc, extras.svm_receipts[svm_i]);
      ++svm_i;
      continue;
    }
    batch.put(state::Space::TxIndex, t.hash.view(), loc);
    if (i < receipts.size()) batch.put(state::Space::Receipt, loc, exec::encode_receipt(receipts[i]));
  }
  if (extras.index) extras.index(block, batch);
  batch.put(state::Space::Meta, kHeadKey, be64(h.number));
  history_.record(h.number, batch);
  // Not part of the undo record: a rollback must not bring abandoned transactions back.
  for (const Hash32& t : settled) batch.erase(state::Space::Pool, t.view());
  if (before_visible) before_visible(block);
  // Without fsync: a killed process loses nothing the WAL holds (it is in the page cache).
  try {
    store_->write(batch, false);
  } catch (...) {
    commitment_ = std::make_unique<state::Commitment>(*store_);  // its cache ran ahead
    throw;
  }
  head_ = std::make_shared<const exec::Block>(std::move(block));
  return head_;
}

void Chain::persist_pending(const Hash32& tx_hash, BytesView record) {
  state::WriteBatch b;
  b.put(state::Space::Pool, tx_hash.view(), record);
  store_->write(b, false);
}

void Chain::forget_pending(const std::vector<Hash32>& tx_hashes) {
  if (tx_hashes.empty()) return;
  state::WriteBatch b;
  for (const Hash32& t : tx_hashes) b.erase(state::Space::Pool, t.view());
  store_->write(b, false);
}

std::vector<Bytes> Chain::pending_records() const {
  std::vector<Bytes> out;
  store_->scan(state::Space::Pool, {}, [&](BytesView, BytesView v) {
    out.emplace_back(v.begin(), v.end());
    return true;
  });
  return out;
}

void Chain::write_state(const state::BlockOverlay& overlay) {
  std::lock_guard lock(mu_);
  state::WriteBatch batch = overlay.to_batch();
  commitment_->apply(overlay.writes(), batch);
  store_->write(batch, false);
}

std::shared_ptr<const exec::Block> Chain::head() const {
  std::lock_guard lock(mu_);
  return head_;
}

std::shared_ptr<const exec::Block> Chain::block(uint64_t number) const {
  auto raw = store_->get(state::Space::Block, be64(number));
  if (!raw) return nullptr;
  return std::make_shared<const exec::Block>(exec::decode_block(*raw));
}

std::optional<uint64_t> Chain::number_of(const Hash32& block_hash) const {
  auto raw = store_->get(state::Space::BlockHash, block_hash.view());
  if (!raw) return std::nullopt;
  return read_be64(*raw);
}

std::optional<TxLocation> Chain::locate(const Hash32& tx_hash) const {
  return locate_signature(tx_hash.view());
}

std::optional<TxLocation> Chain::locate_signature(BytesView key) const {
  auto raw = store_->get(state::Space::TxIndex, key);
  if (!raw || raw->size() != 12) return std::nullopt;
  uint32_t index = 0;
  for (size_t i = 8; i < 12; ++i) index = (index << 8) | (*raw)[i];
  return TxLocation{read_be64(*raw), index};
}

std::optional<exec::Receipt> Chain::receipt(uint64_t block, uint32_t index) const {
  auto raw = store_->get(state::Space::Receipt, receipt_key(block, index));
  if (!raw || exec::is_svm_receipt(*raw)) return std::nullopt;
  return exec::decode_receipt(*raw);
}

std::optional<exec::SvmReceipt> Chain::svm_receipt(uint64_t block, uint32_t index) const {
  auto raw = store_->get(state::Space::Receipt, receipt_key(block, index));
  if (!raw || !exec::is_svm_receipt(*raw)) return std::nullopt;
  return exec::decode_svm_receipt(*raw);
}

std::vector<exec::Receipt> Chain::receipts(uint64_t block) const {
  std::vector<exec::Receipt> out;
  store_->scan(state::Space::Receipt, be64(block), [&](BytesView, BytesView v) {
    if (!exec::is_svm_receipt(v)) out.push_back(exec::decode_receipt(v));
    return true;
  });
  return out;
}

std::unique_ptr<state::StateReader> Chain::state_at(uint64_t number) const {
  std::lock_guard lock(mu_);
  if (!head_) return nullptr;
  return history_.reader_at(number, head_->header.number);
}

state::StateRoots Chain::roots() const {
  std::lock_guard lock(mu_);
  return commitment_->roots();
}

bool Chain::rollback(uint64_t target) {
  std::lock_guard lock(mu_);
  if (!head_ || target > head_->header.number) return false;
  if (!history_.rollback(head_->header.number, target, *commitment_)) return false;
  // Cached trie nodes describe the abandoned blocks.
  commitment_ = std::make_unique<state::Commitment>(*store_);
  head_ = load_head();
  return true;
}

}  // namespace lumio::node
