#include "node/node.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "exec/evm_backend.hpp"
#include "state/commitment.hpp"

namespace lumio::node {
namespace {

constexpr size_t kMaxTxBytes = 128 * 1024;  // geth's txMaxSize
const Bytes kChainIdKey = {'c', 'h', 'a', 'i', 'n', 'i', 'd'};

uint64_t now_seconds() {
  return uint64_t(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

uint64_t micros_since(std::chrono::steady_clock::time_point t) {
  return uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - t)
                      .count());
}

std::optional<state::EvmAccount> read_account(const state::StateReader& r, const Address& a) {
  auto raw = r.get(state::Space::EvmAccount, a.view());
  if (!raw) return std::nullopt;
  return state::EvmAccount::decode(*raw);
}

}  // namespace

void Metrics::observe_latency(uint64_t us) {
  size_t i = 0;
  while (i < std::size(kLatencyBucketsMs) && double(us) > kLatencyBucketsMs[i] * 1000) ++i;
  latency_buckets[i]++;
  latency_us_total += us;
  latency_count++;
}

Node::Node(Config cfg) : cfg_(std::move(cfg)) {}

Node::~Node() { stop(); }

void Node::start() {
  namespace fs = std::filesystem;
  if (cfg_.fresh) fs::remove_all(cfg_.data_dir);
  fs::create_directories(cfg_.data_dir);
  dev_accounts_ = derive_dev_accounts(cfg_.mnemonic, cfg_.dev_accounts);
  chain_ = std::make_unique<Chain>(state::Store::open(cfg_.data_dir + "/db"), cfg_.history_blocks);

  sequencer::MempoolLimits limits;
  pool_ = std::make_unique<sequencer::Mempool>(limits, [this](sequencer::Vm, const Bytes& s) {
    auto a = read_account(chain_->latest(), *Address::from(s));
    return a ? a->nonce : 0;
  });
  sequencer::Producer::Options popts;
  popts.interval = std::chrono::milliseconds(cfg_.block_time_ms);
  popts.max_gas = cfg_.block_gas_limit;
  producer_ = std::make_unique<sequencer::Producer>(
      popts, *pool_, [this](const sequencer::Producer::Batch& b) { build_block(b); });

  if (chain_->empty()) {
    write_genesis();
  } else if (auto id = chain_->store().get(state::Space::Meta, kChainIdKey)) {
    uint64_t stored = 0;
    for (uint8_t b : *id) stored = (stored << 8) | b;
    if (stored != cfg_.chain_id)
      spdlog::warn("data dir was created with chain id {}; using it (start with --fresh to change)",
                   stored);
    cfg_.chain_id = stored;
  }
  restore_pending();
  auto head = chain_->head();
  spdlog::info("chain id {}, head block {} ({}), state commitment {}", cfg_.chain_id,
               head->header.number, to_hex(head->header.hash()),
               to_hex(head->header.state_commitment));
  producer_->start();
}

void Node::restore_pending() {
  size_t restored = 0;
  for (const Bytes& rec : chain_->pending_records()) {
    try {
      auto f = rlp::decode_list(rec);
      Bytes raw = rlp::to_bytes(f.at(0));
      auto tx = evm::decode_transaction(raw);
      if (!tx) throw rlp::Error("undecodable");
      try {
        submit(std::move(*tx), rlp::to_fixed<20>(f.at(1)));
        ++restored;
      } catch (const AdmissionError&) {
        chain_->forget_pending({keccak256(raw)});  // e.g. mined meanwhile: nonce too low
      }
    } catch (const std::exception& e) {
      spdlog::warn("dropping unreadable pending transaction record: {}", e.what());
    }
  }
  if (restored) spdlog::info("restored {} pending transactions", restored);
}

void Node::stop() {
  if (producer_) producer_->stop();
}

void Node::write_genesis() {
  if (cfg_.bench_accounts) {
    // Bulk prefill in chunks, each with its own commitment update, to bound memory.
    state::EvmAccount acct;
    acct.balance = (*uint256::from_string("1000000000000000000000")).to_be();
    Bytes value = acct.encode();
    constexpr uint64_t kChunk = 100'000;
    for (uint64_t start = 0; start < cfg_.bench_accounts; start += kChunk) {
      state::BlockOverlay chunk(chain_->latest());
      for (uint64_t i = start; i < std::min(cfg_.bench_accounts, start + kChunk); ++i)
        chunk.put(state::Space::EvmAccount, bench_address(i).view(), value);
      chain_->write_state(chunk);
    }
    chain_->flush();  // a restart then replays no log for the prefill
    spdlog::info("funded {} benchmark accounts", cfg_.bench_accounts);
  }
  state::BlockOverlay overlay(chain_->latest());
  uint256 balance = *uint256::from_string(cfg_.dev_balance_wei);
  for (const DevAccount& a : dev_accounts_) {
    state::EvmAccount acct;
    acct.balance = balance.to_be();
    overlay.put(state::Space::EvmAccount, a.address.view(), acct.encode());
  }
  overlay.put(state::Space::Meta, kChainIdKey, be_trimmed(cfg_.chain_id));
  exec::Block genesis;
  exec::BlockHeader& h = genesis.header;
  h.number = 0;
  h.timestamp = now_seconds();
  h.gas_limit = cfg_.block_gas_limit;
  h.base_fee = uint256(cfg_.initial_base_fee);
  chain_->commit(std::move(genesis), {}, overlay);
}

uint256 Node::next_base_fee() const {
  // EIP-1559 with the floor `min_base_fee`.
  const exec::BlockHeader& p = chain_->head()->header;
  uint64_t target = p.gas_limit / 2;
  uint256 fee = p.base_fee;
  if (target == 0) return fee;
  if (p.gas_used > target) {
    uint256 delta = p.base_fee * uint256(p.gas_used - target) / uint256(target) / uint256(8);
    fee = p.base_fee + (delta.is_zero() ? uint256(1) : delta);
  } else if (p.gas_used < target) {
    uint256 delta = p.base_fee * uint256(target - p.gas_used) / uint256(target) / uint256(8);
    fee = p.base_fee - delta;
  }
  uint256 floor(cfg_.min_base_fee);
  return fee < floor ? floor : fee;
}

Hash32 Node::block_hash(uint64_t n) {
  auto b = chain_->block(n);
  return b ? b->header.hash() : Hash32{};
}

evm::BlockEnv Node::block_env(const exec::BlockHeader& h) {
  evm::BlockEnv env;
  env.number = h.number;
  env.timestamp = h.timestamp;
  env.coinbase = h.coinbase;
  env.gas_limit = h.gas_limit;
  env.base_fee = h.base_fee;
  env.prev_randao = h.prev_randao;
  env.chain_id = cfg_.chain_id;
  env.blob_base_fee = uint256(1);
  env.block_hash = [this](uint64_t n) { return block_hash(n); };
  return env;
}

evm::BlockEnv Node::next_block_env() {
  auto head = chain_->head();
  exec::BlockHeader h;
  h.number = head->header.number + 1;
  {
    std::lock_guard lock(mu_);
    h.timestamp = std::max<uint64_t>(head->header.timestamp, uint64_t(int64_t(now_seconds()) + time_offset_));
  }
  h.gas_limit = cfg_.block_gas_limit;
  h.base_fee = next_base_fee();
  h.prev_randao = keccak256(head->header.hash().view());
  return block_env(h);
}

uint64_t Node::next_timestamp(uint64_t parent_ts) {
  std::lock_guard lock(mu_);
  uint64_t now = now_seconds();
  if (next_timestamp_) {
    uint64_t ts = *next_timestamp_;
    next_timestamp_.reset();
    time_offset_ = int64_t(ts) - int64_t(now);
    bump_timestamp_ = false;
    return ts;
  }
  // Blocks come every few milliseconds, so consecutive blocks may share a second (as on
  // Arbitrum); dev-mined blocks (evm_mine, anvil_mine) step past their parent like
  // Hardhat's and anvil's do.
  uint64_t floor = bump_timestamp_ ? parent_ts + 1 : parent_ts;
  bump_timestamp_ = false;
  return std::max<uint64_t>(floor, uint64_t(int64_t(now) + time_offset_));
}

void Node::build_block(const sequencer::Producer::Batch& batch,
                       const std::function<void(state::BlockOverlay&)>& extra,
                       std::optional<uint64_t> timestamp) {
  auto t0 = std::chrono::steady_clock::now();
  auto head = chain_->head();
  exec::Block b;
  exec::BlockHeader& h = b.header;
  h.number = head->header.number + 1;
  h.parent_hash = head->header.hash();
  h.timestamp = timestamp ? *timestamp : next_timestamp(head->header.timestamp);
  h.gas_limit = cfg_.block_gas_limit;
  h.base_fee = next_base_fee();
  h.prev_randao = keccak256(h.parent_hash.view());

  state::BlockOverlay overlay(chain_->latest());
  if (extra) extra(overlay);
  {
    std::lock_guard lock(mu_);
    for (const auto& p : batch) in_flight_.insert(p->hash);
  }
  std::vector<std::shared_ptr<const exec::EvmTx>> txs;
  txs.reserve(batch.size());
  for (const auto& p : batch)
    txs.push_back(std::static_pointer_cast<const exec::EvmTx>(p->payload));
  exec::BlockOutcome out = exec::execute_evm_block(txs, block_env(h), overlay, &chain_->store());
  for (const auto& [hash, why] : out.dropped)
    spdlog::debug("dropped tx {}: {}", to_hex(hash), why);
  b.txs = std::move(out.txs);
  uint64_t exec_us = micros_since(t0);
  auto t1 = std::chrono::steady_clock::now();
  std::vector<std::function<void(const exec::Block&, const std::vector<exec::Receipt>&)>> prepared;
  {
    std::lock_guard lock(mu_);
    prepared = prepared_listeners_;
  }
  std::vector<Hash32> settled;
  settled.reserve(batch.size());
  for (const auto& p : batch) settled.push_back(p->hash);
  auto committed = chain_->commit(
      std::move(b), out.receipts, overlay,
      [&](const exec::Block& blk) {
        for (auto& fn : prepared) fn(blk, out.receipts);
      },
      settled);
  uint64_t commit_us = micros_since(t1);
  {
    std::lock_guard lock(mu_);
    for (const auto& p : batch) in_flight_.erase(p->hash);
  }
  block_done_.notify_all();

  auto now = std::chrono::steady_clock::now();
  for (const auto& p : batch)
    metrics_.observe_latency(uint64_t(
        std::chrono::duration_cast<std::chrono::microseconds>(now - p->admitted_at).count()));
  metrics_.blocks++;
  metrics_.txs += committed->txs.size();
  metrics_.txs_dropped += out.dropped.size();
  metrics_.last_block_exec_us = exec_us;
  metrics_.last_block_commit_us = commit_us;
  metrics_.block_exec_us_total += exec_us;
  metrics_.block_commit_us_total += commit_us;

  std::vector<std::function<void(const std::shared_ptr<const exec::Block>&,
                                 const std::vector<exec::Receipt>&)>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = block_listeners_;
  }
  for (auto& fn : listeners) fn(committed, out.receipts);
}

Hash32 Node::submit_raw(BytesView raw) {
  if (raw.size() > kMaxTxBytes) throw AdmissionError("oversized data");
  evm::DecodeError derr;
  auto tx = evm::decode_transaction(raw, &derr);
  if (!tx) throw AdmissionError(derr.message);
  if (tx->type == 3) throw AdmissionError("transaction type not supported");
  if (tx->chain_id && *tx->chain_id != cfg_.chain_id)
    throw AdmissionError("invalid chain id for signer: have " + std::to_string(*tx->chain_id) +
                         " want " + std::to_string(cfg_.chain_id));
  auto sender = evm::recover_sender(*tx);
  if (!sender) throw AdmissionError("invalid sender");
  return submit(std::move(*tx), *sender);
}

Hash32 Node::submit(evm::Transaction tx, const Address& sender) {
  auto fail = [&](const std::string& m) -> Hash32 {
    metrics_.txs_rejected++;
    throw AdmissionError(m);
  };
  if (tx.gas_limit > cfg_.block_gas_limit) return fail("exceeds block gas limit");
  uint64_t intrinsic = evm::intrinsic_gas(tx);
  if (tx.gas_limit < intrinsic)
    return fail("intrinsic gas too low: gas " + std::to_string(tx.gas_limit) +
                ", minimum needed " + std::to_string(intrinsic));
  if (!tx.to && tx.data.size() > 49152)
    return fail("max initcode size exceeded: code size " + std::to_string(tx.data.size()) +
                ", limit 49152");
  if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas())
    return fail("max priority fee per gas higher than max fee per gas: address " +
                to_hex(sender) + ", maxPriorityFeePerGas: " +
                tx.max_priority_fee_per_gas.to_dec_string() +
                ", maxFeePerGas: " + tx.max_fee_per_gas().to_dec_string());
  uint256 base_fee = next_base_fee();
  if (tx.max_fee_per_gas() < base_fee)
    return fail("max fee per gas less than block base fee: address " + to_hex(sender) +
                ", maxFeePerGas: " + tx.max_fee_per_gas().to_dec_string() +
                ", baseFee: " + base_fee.to_dec_string());
  auto acct = read_account(chain_->latest(), sender);
  uint64_t nonce = acct ? acct->nonce : 0;
  if (tx.nonce < nonce)
    return fail("nonce too low: address " + to_hex(sender) + ", tx: " + std::to_string(tx.nonce) +
                " state: " + std::to_string(nonce));
  if (tx.nonce == UINT64_MAX) return fail("nonce has max value");
  uint256 have = acct ? uint256::from_be(acct->balance) : uint256();
  uint256 want = tx.max_fee_per_gas() * uint256(tx.gas_limit) + tx.value;
  if (have < want)
    return fail("insufficient funds for gas * price + value: address " + to_hex(sender) +
                " have " + have.to_dec_string() + " want " + want.to_dec_string());

  auto payload = std::make_shared<exec::EvmTx>();
  payload->raw = evm::encode_transaction(tx);
  payload->hash = keccak256(payload->raw);
  payload->sender = sender;
  payload->tx = std::move(tx);

  sequencer::PoolTx p;
  p.vm = sequencer::Vm::Evm;
  p.hash = payload->hash;
  p.sender = Bytes(sender.view().begin(), sender.view().end());
  p.nonce = payload->tx.nonce;
  p.fee_cap = payload->tx.max_fee_per_gas();
  p.tip = payload->tx.max_priority_fee_per_gas;
  p.gas_limit = payload->tx.gas_limit;
  p.size = payload->raw.size();
  Hash32 hash = payload->hash;
  // Durable before it is acknowledged: the record is erased by the block that settles it.
  rlp::Encoder rec;
  rec.begin_list().add(payload->raw).add(sender).end_list();
  chain_->persist_pending(hash, rec.bytes());
  std::shared_ptr<const exec::EvmTx> admitted = payload;
  p.payload = std::move(payload);
  auto r = pool_->add(std::move(p));
  if (!r.ok()) {
    if (r.error != "already known") chain_->forget_pending({hash});
    return fail(r.error);
  }
  if (r.replaced) chain_->forget_pending({*r.replaced});
  // Listeners get the transaction itself: the producer may take it from the pool at any time.
  std::vector<std::function<void(const exec::EvmTx&)>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = pending_listeners_;
  }
  for (auto& fn : listeners) fn(*admitted);
  producer_->notify();
  return hash;
}

void Node::dev_write(const std::function<void(state::BlockOverlay&)>& fn) {
  producer_->exclusive([&] { build_block({}, fn); });
}

void Node::mine(uint64_t blocks, std::optional<uint64_t> timestamp) {
  for (uint64_t i = 0; i < blocks; ++i) {
    if (timestamp && i == 0) set_next_timestamp(*timestamp);
    {
      std::lock_guard lock(mu_);
      bump_timestamp_ = true;
    }
    producer_->mine_now();
  }
}

uint64_t Node::snapshot() {
  std::lock_guard lock(mu_);
  uint64_t id = next_snapshot_++;
  snapshots_[id] = chain_->head()->header.number;
  return id;
}

bool Node::revert(uint64_t id) {
  uint64_t target;
  {
    std::lock_guard lock(mu_);
    auto it = snapshots_.find(id);
    if (it == snapshots_.end()) return false;
    target = it->second;
    snapshots_.erase(it, snapshots_.end());
  }
  bool ok = false;
  producer_->exclusive([&] {
    ok = chain_->rollback(target);
    if (ok) {
      pool_->clear();
      std::vector<Hash32> abandoned;
      for (const Bytes& rec : chain_->pending_records())
        abandoned.push_back(keccak256(rlp::to_bytes(rlp::decode_list(rec).at(0))));
      chain_->forget_pending(abandoned);
    }
  });
  return ok;
}

int64_t Node::increase_time(int64_t seconds) {
  std::lock_guard lock(mu_);
  time_offset_ += seconds;
  return time_offset_;
}

void Node::set_next_timestamp(uint64_t ts) {
  uint64_t head_ts = chain_->head()->header.timestamp;
  if (ts <= head_ts)
    throw AdmissionError("Timestamp " + std::to_string(ts) +
                         " is lower than or equal to previous block's timestamp " +
                         std::to_string(head_ts));
  std::lock_guard lock(mu_);
  next_timestamp_ = ts;
}

void Node::impersonate(const Address& a, bool on) {
  std::lock_guard lock(mu_);
  if (on) impersonated_.insert(a); else impersonated_.erase(a);
}

bool Node::impersonated(const Address& a) {
  std::lock_guard lock(mu_);
  return impersonated_.count(a) != 0;
}

void Node::wait_until_settled(const Hash32& hash, std::chrono::milliseconds max) {
  auto deadline = std::chrono::steady_clock::now() + max;
  std::unique_lock lock(mu_);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!in_flight_.count(hash) && !pool_->is_ready(hash)) return;
    block_done_.wait_until(lock, deadline);
  }
}

void Node::on_block(std::function<void(const std::shared_ptr<const exec::Block>&,
                                       const std::vector<exec::Receipt>&)> fn) {
  std::lock_guard lock(mu_);
  block_listeners_.push_back(std::move(fn));
}

void Node::on_block_prepared(
    std::function<void(const exec::Block&, const std::vector<exec::Receipt>&)> fn) {
  std::lock_guard lock(mu_);
  prepared_listeners_.push_back(std::move(fn));
}

void Node::on_pending(std::function<void(const exec::EvmTx&)> fn) {
  std::lock_guard lock(mu_);
  pending_listeners_.push_back(std::move(fn));
}

}  // namespace lumio::node
