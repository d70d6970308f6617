#include "node/eth_service.hpp"

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "exec/evm_backend.hpp"
#include "node/tracers.hpp"
#include "state/commitment.hpp"

namespace lumio::node {
namespace {

using rpc::RpcError;
const Hash32 kEmptyOmmers = *fixed_from_hex<32>(
    "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
const uint256 kSuggestedTip(1'000'000'000);  // 1 gwei, as anvil suggests

uint256 word(const Hash32& h) { return uint256::from_be(h); }

rpc::EthTx to_eth_tx(const evm::Transaction& tx, const Hash32& hash, const Address& from) {
  rpc::EthTx t;
  t.type = tx.type;
  t.hash = hash;
  t.from = from;
  t.to = tx.to;
  t.nonce = tx.nonce;
  t.gas = tx.gas_limit;
  t.value = tx.value;
  t.input = tx.data;
  t.gas_price = tx.gas_price;
  t.max_fee_per_gas = tx.gas_price;
  t.max_priority_fee_per_gas = tx.max_priority_fee_per_gas;
  t.max_fee_per_blob_gas = tx.max_fee_per_blob_gas;
  t.blob_versioned_hashes = tx.blob_versioned_hashes;
  for (const auto& e : tx.access_list) t.access_list.push_back({e.address, e.storage_keys});
  t.chain_id = tx.chain_id;
  t.v = tx.v;
  t.r = word(tx.r);
  t.s = word(tx.s);
  return t;
}

evm::Transaction decode_stored(const exec::TxRecord& r) {
  auto tx = evm::decode_transaction(r.raw);
  if (!tx) throw RpcError(rpc::code::kInternal, "corrupt stored transaction");
  return *tx;
}

Address sender_of(const exec::TxRecord& r) { return Address::right_aligned(r.sender); }

bool bloom_may_match(const exec::Bloom& bloom, const rpc::LogFilter& f) {
  if (!f.addresses.empty()) {
    bool any = false;
    for (const Address& a : f.addresses) any = any || bloom_may_contain(bloom, a.view());
    if (!any) return false;
  }
  for (const auto& alts : f.topics) {
    if (alts.empty()) continue;
    bool any = false;
    for (const Hash32& t : alts) any = any || bloom_may_contain(bloom, t.view());
    if (!any) return false;
  }
  return true;
}

rpc::EthLog eth_log(const exec::Log& l, const exec::BlockHeader& h, const Hash32& block_hash,
                    const Hash32& tx_hash, uint64_t tx_index, uint64_t log_index) {
  rpc::EthLog e;
  e.address = l.address;
  e.topics = l.topics;
  e.data = l.data;
  e.block_number = h.number;
  e.block_hash = block_hash;
  e.block_timestamp = h.timestamp;
  e.tx_hash = tx_hash;
  e.tx_index = tx_index;
  e.log_index = log_index;
  return e;
}

// Applies eth_call state overrides on top of a backend.
class OverrideBackend final : public evm::StateBackend {
 public:
  OverrideBackend(evm::StateBackend& base, const rpc::StateOverrides& ov) : base_(base) {
    for (const auto& [addr, o] : ov) {
      overrides_[addr] = &o;
      if (o.code) codes_[keccak256(*o.code)] = *o.code;
    }
  }
  std::optional<evm::AccountInfo> account(const Address& a) override {
    auto info = base_.account(a);
    auto it = overrides_.find(a);
    if (it == overrides_.end()) return info;
    const rpc::AccountOverride& o = *it->second;
    evm::AccountInfo r = info.value_or(evm::AccountInfo{});
    if (o.balance) r.balance = *o.balance;
    if (o.nonce) r.nonce = *o.nonce;
    if (o.code) r.code_hash = o.code->empty() ? kEmptyKeccak : keccak256(*o.code);
    return r;
  }
  uint256 storage(const Address& a, const uint256& key) override {
    auto it = overrides_.find(a);
    if (it != overrides_.end()) {
      const rpc::AccountOverride& o = *it->second;
      Hash32 k = key.to_be();
      auto find = [&](const std::vector<std::pair<Hash32, Hash32>>& m) -> std::optional<uint256> {
        for (const auto& [slot, v] : m)
          if (slot == k) return word(v);
        return std::nullopt;
      };
      if (o.state) return find(*o.state).value_or(uint256());
      if (auto v = find(o.state_diff)) return *v;
    }
    return base_.storage(a, key);
  }
  Bytes code(const Hash32& h) override {
    auto it = codes_.find(h);
    return it != codes_.end() ? it->second : base_.code(h);
  }
  bool has_storage(const Address& a) override { return base_.has_storage(a); }

 private:
  evm::StateBackend& base_;
  std::unordered_map<Address, const rpc::AccountOverride*> overrides_;
  std::unordered_map<Hash32, Bytes> codes_;
};

evm::CallParams call_params(const rpc::CallRequest& req, uint64_t gas_cap) {
  evm::CallParams p;
  p.from = req.from.value_or(Address{});
  p.to = req.to;
  p.gas = req.gas ? std::min(*req.gas, gas_cap) : gas_cap;
  p.gas_price = req.gas_price ? *req.gas_price : req.max_fee_per_gas.value_or(uint256());
  p.value = req.value.value_or(uint256());
  p.data = req.input.value_or(Bytes{});
  if (req.access_list)
    for (const auto& e : *req.access_list) p.access_list.push_back({e.address, e.storage_keys});
  p.blob_hashes = req.blob_versioned_hashes;
  return p;
}

rpc::CallResult to_call_result(const evm::TxResult& r) {
  rpc::CallResult c;
  c.output = r.output;
  c.gas_used = r.gas_used;
  if (r.invalid) {
    c.status = rpc::CallResult::Status::kError;
    c.error = *r.invalid;
  } else if (r.status == evm::Status::Success) {
    c.status = rpc::CallResult::Status::kSuccess;
  } else if (r.status == evm::Status::Revert) {
    c.status = rpc::CallResult::Status::kRevert;
  } else {
    c.status = rpc::CallResult::Status::kError;
    c.error = evm::status_message(r.status);
  }
  return c;
}

}  // namespace

struct EthService::Reader {
  std::unique_ptr<state::StateReader> owned;
  const state::StateReader* reader = nullptr;
  const state::StateReader& get() const { return *reader; }
};

EthService::EthService(Node& node, rpc::Server& server) : node_(node) {
  rpc::EthApiOptions opts;
  opts.max_logs_block_range = node.config().logs_block_range_limit;
  api_ = std::make_unique<rpc::EthApi>(server, *this, opts);
  // Filters before the block is readable, subscriptions after (see EthApi::update_filters).
  node_.on_block_prepared([this](const exec::Block& b, const std::vector<exec::Receipt>& receipts) {
    api_->update_filters(to_eth_block(b, false), block_logs(b, receipts));
  });
  node_.on_block([this](const std::shared_ptr<const exec::Block>& b,
                        const std::vector<exec::Receipt>& receipts) {
    api_->publish_block(to_eth_block(*b, false), block_logs(*b, receipts));
  });
  node_.on_pending([this](const exec::EvmTx& t) {
    api_->notify_pending_transaction(to_eth_tx(t.tx, t.hash, t.sender));
  });
}

EthService::~EthService() = default;

EthService::Reader EthService::reader_at(rpc::StateRef at) {
  Reader r;
  uint64_t head = node_.chain().head()->header.number;
  if (at.pending || at.number >= head) {
    r.reader = &node_.chain().latest();
    return r;
  }
  r.owned = node_.chain().state_at(at.number);
  if (!r.owned)
    throw RpcError(rpc::code::kServer, "historical state not available for block " +
                                           std::to_string(at.number));
  r.reader = r.owned.get();
  return r;
}

evm::BlockEnv EthService::env_at(rpc::StateRef at) {
  if (at.pending) return node_.next_block_env();
  auto b = node_.chain().block(at.number);
  if (!b) throw RpcError(rpc::code::kServer, "header not found");
  return node_.block_env(b->header);
}

uint64_t EthService::chain_id() { return node_.config().chain_id; }
uint64_t EthService::block_number() { return node_.chain().head()->header.number; }

rpc::EthBlock EthService::to_eth_block(const exec::Block& b, bool full_txs) {
  const exec::BlockHeader& h = b.header;
  rpc::EthBlock e;
  e.number = h.number;
  e.hash = h.hash();
  e.parent_hash = h.parent_hash;
  e.sha3_uncles = kEmptyOmmers;
  e.miner = h.coinbase;
  e.state_root = h.evm_state_root;
  e.transactions_root = h.transactions_root;
  e.receipts_root = h.receipts_root;
  e.logs_bloom = h.logs_bloom;
  e.gas_limit = h.gas_limit;
  e.gas_used = h.gas_used;
  e.timestamp = h.timestamp;
  e.extra_data = Bytes(h.state_commitment.view().begin(), h.state_commitment.view().end());
  e.mix_hash = h.prev_randao;
  e.base_fee_per_gas = h.base_fee;
  e.withdrawals_root = kEmptyTrieRoot;
  e.blob_gas_used = 0;
  e.excess_blob_gas = 0;
  e.parent_beacon_block_root = Hash32{};
  // RLP size of [header, transactions, ommers, withdrawals].
  rlp::Encoder enc;
  enc.begin_list().add_raw(h.eth_rlp()).begin_list();
  uint64_t index = 0;
  for (const exec::TxRecord& r : b.txs) {
    if (r.vm != exec::Vm::Evm) continue;
    if (!r.raw.empty() && r.raw[0] >= 0xc0) enc.add_raw(r.raw); else enc.add(r.raw);
    rpc::EthTx t;
    if (full_txs) t = to_eth_tx(decode_stored(r), r.hash, sender_of(r));
    t.hash = r.hash;
    t.block_number = h.number;
    t.block_hash = e.hash;
    t.index = index++;
    t.block_base_fee = h.base_fee;
    e.transactions.push_back(std::move(t));
  }
  enc.end_list().begin_list().end_list().begin_list().end_list().end_list();
  e.size = enc.bytes().size();
  return e;
}

std::vector<rpc::EthLog> EthService::block_logs(const exec::Block& b,
                                                const std::vector<exec::Receipt>& receipts) {
  std::vector<rpc::EthLog> out;
  Hash32 hash = b.header.hash();
  for (size_t i = 0; i < receipts.size() && i < b.txs.size(); ++i) {
    const exec::Receipt& r = receipts[i];
    for (size_t j = 0; j < r.logs.size(); ++j) {
      const exec::Log& l = r.logs[j];
      out.push_back(eth_log(l, b.header, hash, b.txs[i].hash, i, r.first_log_index + j));
    }
  }
  return out;
}

std::optional<rpc::EthBlock> EthService::block_by_number(uint64_t number, bool full_txs) {
  auto b = node_.chain().block(number);
  if (!b) return std::nullopt;
  return to_eth_block(*b, full_txs);
}

std::optional<rpc::EthBlock> EthService::block_by_hash(const Hash32& hash, bool full_txs) {
  auto n = node_.chain().number_of(hash);
  if (!n) return std::nullopt;
  return block_by_number(*n, full_txs);
}

std::optional<rpc::EthTx> EthService::transaction_by_hash(const Hash32& hash) {
  if (auto loc = node_.chain().locate(hash)) {
    auto b = node_.chain().block(loc->block);
    if (!b || loc->index >= b->txs.size()) return std::nullopt;
    const exec::TxRecord& r = b->txs[loc->index];
    rpc::EthTx t = to_eth_tx(decode_stored(r), r.hash, sender_of(r));
    t.block_number = loc->block;
    t.block_hash = b->header.hash();
    t.index = loc->index;
    t.block_base_fee = b->header.base_fee;
    return t;
  }
  if (auto p = node_.pool().find(hash)) {
    auto e = std::static_pointer_cast<const exec::EvmTx>(p->payload);
    return to_eth_tx(e->tx, e->hash, e->sender);
  }
  return std::nullopt;
}

std::optional<rpc::EthReceipt> EthService::receipt(const Hash32& tx_hash) {
  auto loc = node_.chain().locate(tx_hash);
  if (!loc) {
    // Sent but not yet in a block: the receipt is at most one block interval away.
    node_.wait_until_settled(
        tx_hash, std::chrono::milliseconds(4 * node_.config().block_time_ms + 1000));
    loc = node_.chain().locate(tx_hash);
  }
  if (!loc) return std::nullopt;
  auto b = node_.chain().block(loc->block);
  auto r = node_.chain().receipt(loc->block, loc->index);
  if (!b || !r || loc->index >= b->txs.size()) return std::nullopt;
  const exec::TxRecord& rec = b->txs[loc->index];
  rpc::EthReceipt e;
  e.type = r->tx_type;
  e.tx_hash = rec.hash;
  e.tx_index = loc->index;
  e.block_hash = b->header.hash();
  e.block_number = loc->block;
  e.from = sender_of(rec);
  evm::Transaction tx = decode_stored(rec);
  e.to = tx.to;
  e.contract_address = r->contract_address;
  if (!tx.to && !e.contract_address) e.contract_address = evm::create_address(e.from, tx.nonce);
  e.cumulative_gas_used = r->cumulative_gas_used;
  e.gas_used = r->gas_used;
  e.effective_gas_price = r->effective_gas_price;
  e.status = r->success;
  for (size_t j = 0; j < r->logs.size(); ++j)
    e.logs.push_back(
        eth_log(r->logs[j], b->header, e.block_hash, rec.hash, loc->index, r->first_log_index + j));
  return e;
}

std::optional<std::vector<rpc::EthReceipt>> EthService::block_receipts(uint64_t number) {
  auto b = node_.chain().block(number);
  if (!b) return std::nullopt;
  std::vector<rpc::EthReceipt> out;
  for (const exec::TxRecord& r : b->txs)
    if (r.vm == exec::Vm::Evm)
      if (auto e = receipt(r.hash)) out.push_back(std::move(*e));
  return out;
}

std::vector<rpc::EthLog> EthService::logs(uint64_t from, uint64_t to,
                                          const rpc::LogFilter& filter) {
  std::vector<rpc::EthLog> out;
  for (uint64_t n = from; n <= to; ++n) {
    auto b = node_.chain().block(n);
    if (!b) break;
    if (b->header.logs_bloom.is_zero() || !bloom_may_match(b->header.logs_bloom, filter)) continue;
    for (auto& l : block_logs(*b, node_.chain().receipts(n)))
      if (filter.matches(l)) out.push_back(std::move(l));
  }
  return out;
}

uint256 EthService::balance(const Address& a, rpc::StateRef at) {
  Reader r = reader_at(at);
  exec::EvmBackend b(r.get());
  auto info = b.account(a);
  return info ? info->balance : uint256();
}

uint64_t EthService::nonce(const Address& a, rpc::StateRef at) {
  if (at.pending)
    return node_.pool().pending_nonce(sequencer::Vm::Evm, Bytes(a.view().begin(), a.view().end()));
  Reader r = reader_at(at);
  exec::EvmBackend b(r.get());
  auto info = b.account(a);
  return info ? info->nonce : 0;
}

Bytes EthService::code(const Address& a, rpc::StateRef at) {
  Reader r = reader_at(at);
  exec::EvmBackend b(r.get());
  auto info = b.account(a);
  return info ? b.code(info->code_hash) : Bytes{};
}

Hash32 EthService::storage(const Address& a, const Hash32& slot, rpc::StateRef at) {
  Reader r = reader_at(at);
  exec::EvmBackend b(r.get());
  return b.storage(a, word(slot)).to_be();
}

rpc::CallResult EthService::call(const rpc::CallRequest& req, rpc::StateRef at,
                                 const rpc::StateOverrides& ov, const rpc::BlockOverrides& bo) {
  Reader r = reader_at(at);
  evm::BlockEnv env = env_at(at);
  if (bo.number) env.number = *bo.number;
  if (bo.time) env.timestamp = *bo.time;
  if (bo.gas_limit) env.gas_limit = *bo.gas_limit;
  if (bo.coinbase) env.coinbase = *bo.coinbase;
  if (bo.prev_randao) env.prev_randao = *bo.prev_randao;
  if (bo.base_fee) env.base_fee = *bo.base_fee;
  // geth: a call without any gas price runs with a zero base fee.
  if (!req.gas_price && !req.max_fee_per_gas && !req.max_priority_fee_per_gas)
    env.base_fee = uint256();
  exec::EvmBackend eb(r.get(), &node_.chain().store());
  OverrideBackend ob(eb, ov);
  evm::State st(ob);
  return to_call_result(evm::call(st, env, call_params(req, std::max(env.gas_limit, uint64_t(50'000'000)))));
}

rpc::CallResult EthService::estimate_gas(const rpc::CallRequest& req, rpc::StateRef at,
                                         const rpc::StateOverrides& ov) {
  Reader r = reader_at(at);
  evm::BlockEnv env = env_at(at);
  if (!req.gas_price && !req.max_fee_per_gas && !req.max_priority_fee_per_gas)
    env.base_fee = uint256();
  uint64_t cap = req.gas ? *req.gas : env.gas_limit;
  auto run = [&](uint64_t gas) {
    exec::EvmBackend eb(r.get(), &node_.chain().store());
    OverrideBackend ob(eb, ov);
    evm::State st(ob);
    evm::CallParams p = call_params(req, cap);
    p.gas = gas;
    return evm::call(st, env, p);
  };
  evm::TxResult top = run(cap);
  if (!top.success()) {
    rpc::CallResult c = to_call_result(top);
    if (c.status == rpc::CallResult::Status::kError && top.status == evm::Status::OutOfGas)
      c.error = "gas required exceeds allowance (" + std::to_string(cap) + ")";
    return c;
  }
  // Binary search for the smallest limit that succeeds: it is at least the gas used.
  uint64_t lo = top.gas_used > 0 ? top.gas_used - 1 : 0, hi = cap;
  if (run(top.gas_used).success()) hi = top.gas_used;
  while (lo + 1 < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (run(mid).success()) hi = mid; else lo = mid;
  }
  rpc::CallResult c;
  c.gas_used = hi;
  return c;
}

uint256 EthService::gas_price() { return node_.next_base_fee() + kSuggestedTip; }
uint256 EthService::max_priority_fee_per_gas() { return kSuggestedTip; }
uint256 EthService::next_base_fee() { return node_.next_base_fee(); }

Hash32 EthService::send_raw_transaction(BytesView raw) {
  try {
    return node_.submit_raw(raw);
  } catch (const AdmissionError& e) {
    throw RpcError(rpc::code::kServer, e.what());
  }
}

Hash32 EthService::send_transaction(const rpc::CallRequest& req) {
  if (!req.from) throw RpcError(rpc::code::kServer, "from: missing sender address");
  const Address from = *req.from;
  const DevAccount* dev = nullptr;
  for (const auto& a : node_.dev_accounts())
    if (a.address == from) dev = &a;
  if (!dev && !node_.impersonated(from)) throw RpcError(rpc::code::kServer, "unknown account");

  evm::Transaction tx;
  tx.chain_id = node_.config().chain_id;
  if (req.gas_price) {
    tx.type = req.access_list ? 1 : 0;
    tx.gas_price = tx.max_priority_fee_per_gas = *req.gas_price;
  } else {
    tx.type = 2;
    tx.max_priority_fee_per_gas = req.max_priority_fee_per_gas.value_or(kSuggestedTip);
    tx.gas_price = req.max_fee_per_gas.value_or(node_.next_base_fee() * uint256(2) +
                                                tx.max_priority_fee_per_gas);
  }
  tx.nonce = req.nonce ? *req.nonce : nonce(from, rpc::StateRef{0, true});
  tx.to = req.to;
  tx.value = req.value.value_or(uint256());
  tx.data = req.input.value_or(Bytes{});
  if (req.access_list)
    for (const auto& e : *req.access_list) tx.access_list.push_back({e.address, e.storage_keys});
  if (req.gas) {
    tx.gas_limit = *req.gas;
  } else {
    rpc::CallResult est = estimate_gas(req, rpc::StateRef{0, true}, {});
    if (est.status == rpc::CallResult::Status::kRevert) throw rpc::EthApi::revert_error(est.output);
    if (est.status == rpc::CallResult::Status::kError) throw RpcError(rpc::code::kServer, est.error);
    tx.gas_limit = est.gas_used;
  }
  try {
    if (dev) {
      evm::sign_transaction(tx, dev->secret);
      return node_.submit_raw(evm::encode_transaction(tx));
    }
    return node_.submit(std::move(tx), from);  // impersonated: no signature
  } catch (const AdmissionError& e) {
    throw RpcError(rpc::code::kServer, e.what());
  }
}

std::vector<Address> EthService::accounts() {
  std::vector<Address> out;
  for (const auto& a : node_.dev_accounts()) out.push_back(a.address);
  return out;
}

namespace {

// geth's tracer config in, its JSON out; a bad tracer name is a -32000 error.
rpc::json run_traced(const rpc::json& config,
                     const std::function<evm::TxResult(evm::Tracer*)>& run) {
  try {
    return run_tracer(config, run);
  } catch (const std::invalid_argument& e) {
    throw RpcError(rpc::code::kServer, e.what());
  }
}

}  // namespace

rpc::json EthService::trace_transaction(const Hash32& tx_hash, const rpc::json& config) {
  auto loc = node_.chain().locate(tx_hash);
  if (!loc) throw RpcError(rpc::code::kServer, "transaction " + to_hex(tx_hash) + " not found");
  auto b = node_.chain().block(loc->block);
  if (!b || loc->block == 0) throw RpcError(rpc::code::kServer, "genesis is not traceable");
  auto base = node_.chain().state_at(loc->block - 1);
  if (!base) throw RpcError(rpc::code::kServer, "historical state not available for block " +
                                                    std::to_string(loc->block - 1));
  state::BlockOverlay overlay(*base);
  evm::BlockEnv env = node_.block_env(b->header);
  for (uint32_t i = 0; i < loc->index; ++i) {
    const exec::TxRecord& rec = b->txs[i];
    state::TxView view(overlay);
    exec::EvmBackend eb(view);
    evm::State st(eb);
    evm::execute_transaction(st, env, decode_stored(rec), sender_of(rec));
    exec::apply_evm_diff(st.take_diff(), view);
    overlay.commit(view);
  }
  const exec::TxRecord& rec = b->txs[loc->index];
  evm::Transaction tx = decode_stored(rec);
  return run_traced(config, [&](evm::Tracer* t) {
    state::TxView view(overlay);
    exec::EvmBackend eb(view);
    evm::State st(eb);
    return evm::execute_transaction(st, env, tx, sender_of(rec), t);
  });
}

rpc::json EthService::trace_call(const rpc::CallRequest& req, rpc::StateRef at,
                                 const rpc::json& config) {
  Reader r = reader_at(at);
  evm::BlockEnv env = env_at(at);
  if (!req.gas_price && !req.max_fee_per_gas) env.base_fee = uint256();
  return run_traced(config, [&](evm::Tracer* t) {
    exec::EvmBackend eb(r.get());
    evm::State st(eb);
    return evm::call(st, env, call_params(req, env.gas_limit), t);
  });
}

uint64_t EthService::snapshot() { return node_.snapshot(); }
bool EthService::revert(uint64_t id) { return node_.revert(id); }

void EthService::mine(uint64_t blocks, std::optional<uint64_t> timestamp, uint64_t interval) {
  // anvil_mine/hardhat_mine: with an interval, each block is `interval` s after the previous.
  try {
    for (uint64_t i = 0; i < blocks; ++i) {
      if (timestamp) node_.set_next_timestamp(*timestamp + i * interval);
      else if (interval) node_.set_next_timestamp(node_.chain().head()->header.timestamp + interval);
      node_.mine(1);
    }
  } catch (const AdmissionError& e) {
    throw RpcError(rpc::code::kServer, e.what());
  }
}

uint64_t EthService::increase_time(uint64_t seconds) {
  return uint64_t(node_.increase_time(int64_t(seconds)));
}

void EthService::set_next_block_timestamp(uint64_t ts) {
  try {
    node_.set_next_timestamp(ts);
  } catch (const AdmissionError& e) {
    throw RpcError(rpc::code::kServer, e.what());
  }
}

namespace {

state::EvmAccount load_account(const state::StateReader& r, const Address& a) {
  auto raw = r.get(state::Space::EvmAccount, a.view());
  if (raw)
    if (auto acct = state::EvmAccount::decode(*raw)) return *acct;
  return state::EvmAccount{};
}

}  // namespace

void EthService::set_balance(const Address& a, const uint256& v) {
  node_.dev_write([&](state::BlockOverlay& o) {
    state::EvmAccount acct = load_account(o, a);
    acct.balance = v.to_be();
    o.put(state::Space::EvmAccount, a.view(), acct.encode());
  });
}

void EthService::set_code(const Address& a, const Bytes& code) {
  node_.dev_write([&](state::BlockOverlay& o) {
    state::EvmAccount acct = load_account(o, a);
    acct.code_hash = code.empty() ? kEmptyKeccak : keccak256(code);
    if (!code.empty()) o.put(state::Space::EvmCode, acct.code_hash.view(), code);
    o.put(state::Space::EvmAccount, a.view(), acct.encode());
  });
}

void EthService::set_nonce(const Address& a, uint64_t n) {
  node_.dev_write([&](state::BlockOverlay& o) {
    state::EvmAccount acct = load_account(o, a);
    acct.nonce = n;
    o.put(state::Space::EvmAccount, a.view(), acct.encode());
  });
}

void EthService::set_storage_at(const Address& a, const Hash32& slot, const Hash32& value) {
  node_.dev_write([&](state::BlockOverlay& o) {
    // The account must exist for its storage to be part of the state trie.
    state::EvmAccount acct = load_account(o, a);
    o.put(state::Space::EvmAccount, a.view(), acct.encode());
    Bytes key = state::evm_storage_key(a, slot);
    if (value.is_zero()) o.erase(state::Space::EvmStorage, key);
    else o.put(state::Space::EvmStorage, key, word(value).to_be_trimmed());
  });
}

void EthService::impersonate(const Address& a, bool on) { node_.impersonate(a, on); }

}  // namespace lumio::node
