#include "node/node.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "exec/evm_backend.hpp"
#include "node/sol_genesis.hpp"
#include "state/commitment.hpp"

namespace lumio::node {
namespace {

constexpr size_t kMaxTxBytes = 128 * 1024;  // geth's txMaxSize
const Bytes kChainIdKey = {'c', 'h', 'a', 'i', 'n', 'i', 'd'};
// Pending-record tag of Solana transactions (EVM records are RLP lists, first byte >= 0xc0).
constexpr uint8_t kSolPendingTag = 0x02;

uint64_t now_seconds() {
  return uint64_t(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

uint64_t wall_ms() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count());
}

// How long after the last Solana request or transaction idle blocks keep slots ticking.
constexpr int64_t kSolanaActiveMs = 10 * 60 * 1000;

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
  pool_ = std::make_unique<sequencer::Mempool>(limits, [this](sequencer::Vm vm, const Bytes& s) -> uint64_t {
    if (vm != sequencer::Vm::Evm) return 0;  // Solana: no nonces (each tx is its own "sender")
    auto a = read_account(chain_->latest(), *Address::from(s));
    return a ? a->nonce : 0;
  });
  if (cfg_.solana) {
    sol_ = std::make_unique<SolLedger>(chain_->store(), cfg_.slot_ms);
    sol_runtime_ = make_sol_runtime();
  }

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
  if (sol_ && !chain_->store().get(state::Space::Meta, SolLedger::genesis_ms_key()))
    throw std::runtime_error("data dir " + cfg_.data_dir +
                             " was created without Solana: start with --fresh, or with --no-solana");
  if (sol_) sol_->load();

  sequencer::Producer::Options popts;
  popts.interval = std::chrono::milliseconds(cfg_.block_time_ms);
  popts.max_gas = cfg_.block_gas_limit;
  if (sol_) {
    // Idle blocks just after each slot boundary (slot 0 began at the genesis wall time).
    popts.idle_interval = std::chrono::milliseconds(cfg_.slot_ms);
    int64_t since_genesis = int64_t(wall_ms()) - int64_t(sol_->genesis_ms());
    popts.idle_epoch = std::chrono::steady_clock::now() - std::chrono::milliseconds(since_genesis);
    popts.idle_wanted = [this] { return want_idle_block(); };
  }
  producer_ = std::make_unique<sequencer::Producer>(
      popts, *pool_, [this](const sequencer::Producer::Batch& b) { build_block(b); });
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
    if (!rec.empty() && rec[0] == kSolPendingTag) {
      Bytes wire(rec.begin() + 1, rec.end());
      Hash32 id;
      auto sig = exec::svm_first_signature(wire);
      if (sig) id = sha256(BytesView(sig->data(), 64));
      auto tx = svm::decode_transaction(wire);
      try {
        if (!sol_ || !tx.ok()) throw SolAdmissionError(svm::TransactionError::SanitizeFailure);
        submit_solana(std::move(*tx));
        ++restored;
      } catch (const SolAdmissionError&) {
        if (sig) chain_->forget_pending({id});  // e.g. processed meanwhile, or expired
      }
      continue;
    }
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
  uint64_t genesis_ms = wall_ms();
  h.timestamp = genesis_ms / 1000;
  h.gas_limit = cfg_.block_gas_limit;
  h.base_fee = uint256(cfg_.initial_base_fee);
  CommitExtras extras;
  if (sol_) {
    SolGenesisParams sp;
    sp.spl_dir = cfg_.spl_dir.empty() ? default_spl_dir() : cfg_.spl_dir;
    sp.dev_accounts = cfg_.solana_dev_accounts;
    sp.dev_lamports = cfg_.solana_dev_lamports;
    sp.unix_timestamp = int64_t(h.timestamp);
    write_sol_genesis(overlay, sp);  // throws when an image is missing or wrong
    Bytes ms;
    for (int s = 56; s >= 0; s -= 8) ms.push_back(uint8_t(genesis_ms >> s));
    overlay.put(state::Space::Meta, SolLedger::genesis_ms_key(), ms);
    // Slot 0 is opened by the genesis block.
    extras.index = [this](const exec::Block& b, state::WriteBatch& batch) {
      SolSlotRecord r;
      Hash32 bh = sha256(b.header.hash().view());
      std::memcpy(r.blockhash.data(), bh.bytes.data(), 32);
      sol_->write_record(r, batch);
    };
  }
  chain_->commit(std::move(genesis), {}, overlay, nullptr, {}, extras);
}

void Node::note_solana_activity() {
  sol_active_until_ms_.store(steady_ms() + kSolanaActiveMs, std::memory_order_relaxed);
}

bool Node::want_idle_block() {
  return cfg_.slot_ticks_always || steady_ms() < sol_active_until_ms_.load(std::memory_order_relaxed);
}

void Node::open_slot(state::BlockOverlay& overlay, uint64_t slot, uint64_t timestamp,
                     const SolSlotRecord& parent) {
  auto key = [](const char* id) { return exec::svm_pubkey(id); };
  auto data_of = [&](const exec::SvmPubkey& k) {
    auto a = exec::read_svm_account(overlay, k);
    return a ? a->data : Bytes{};
  };
  auto put = [&](const exec::SvmPubkey& k, Bytes data) {
    exec::write_svm_account(overlay, k, exec::sysvar_account(std::move(data)));
  };
  exec::SvmPubkey clock_id = key("SysvarC1ock11111111111111111111111111111111");
  exec::SvmClock c;
  Bytes old = data_of(clock_id);
  uint64_t old_epoch = 0;
  int64_t epoch_start = int64_t(timestamp);
  if (old.size() == 40) {
    for (int i = 7; i >= 0; --i) old_epoch = (old_epoch << 8) | old[16 + i];
    uint64_t ts = 0;
    for (int i = 7; i >= 0; --i) ts = (ts << 8) | old[8 + i];
    epoch_start = int64_t(ts);
  }
  c.slot = slot;
  c.epoch = slot / exec::kSlotsPerEpoch;
  c.leader_schedule_epoch = c.epoch + 1;
  c.unix_timestamp = int64_t(timestamp);
  c.epoch_start_timestamp = c.epoch == old_epoch ? epoch_start : int64_t(timestamp);
  put(clock_id, exec::sysvar_clock_data(c));

  exec::SvmPubkey sh_id = key("SysvarS1otHashes111111111111111111111111111");
  auto hashes = exec::parse_slot_hashes(data_of(sh_id));
  hashes.insert(hashes.begin(), {parent.slot, parent.blockhash});
  put(sh_id, exec::sysvar_slot_hashes_data(hashes));

  exec::SvmPubkey rb_id = key("SysvarRecentB1ockHashes11111111111111111111");
  auto recent = exec::parse_recent_blockhashes(data_of(rb_id));
  recent.insert(recent.begin(), parent.blockhash);
  put(rb_id, exec::sysvar_recent_blockhashes_data(recent));
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
  h.slot = head->header.slot;
  std::optional<SolSlotRecord> opening;  // this block opens a new slot
  if (sol_) {
    SolSlotRecord parent = sol_->tip();
    h.slot = std::max(h.slot, sol_->clock_slot());
    if (h.slot != head->header.slot)
      opening = SolSlotRecord{h.slot, h.number, parent.slot, parent.height + 1, {}};
  }

  state::BlockOverlay overlay(chain_->latest());
  if (opening) open_slot(overlay, h.slot, h.timestamp, sol_->tip());
  if (extra) extra(overlay);
  {
    std::lock_guard lock(mu_);
    for (const auto& p : batch) in_flight_.insert(p->hash);
  }
  // EVM transactions first, then Solana ones, each in arrival order. The VMs share no state
  // (yet), so this order gives the same results as arrival order across VMs.
  std::vector<std::shared_ptr<const exec::EvmTx>> txs;
  std::vector<std::shared_ptr<const exec::SvmTx>> sol_txs;
  txs.reserve(batch.size());
  for (const auto& p : batch) {
    if (p->vm == sequencer::Vm::Svm) sol_txs.push_back(std::static_pointer_cast<const exec::SvmTx>(p->payload));
    else txs.push_back(std::static_pointer_cast<const exec::EvmTx>(p->payload));
  }
  exec::BlockOutcome out = exec::execute_evm_block(txs, block_env(h), overlay, &chain_->store());
  for (const auto& [hash, why] : out.dropped)
    spdlog::debug("dropped tx {}: {}", to_hex(hash), why);
  b.txs = std::move(out.txs);
  exec::SvmBlockOutcome sol_out;
  if (sol_ && (!sol_txs.empty() || opening)) {
    SolSlotRecord tip = sol_->tip();
    if (!sol_txs.empty())
      sol_out = exec::execute_svm_block(*sol_runtime_, sol_txs, sol_block_context(overlay, tip.height), overlay);
    for (const auto& [hash, err] : sol_out.dropped)
      spdlog::debug("dropped Solana tx {}: {}", to_hex(hash), svm::name(err));
    for (auto& t : sol_out.txs) b.txs.push_back(std::move(t));
  }
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
  CommitExtras extras;
  extras.svm_receipts = std::move(sol_out.receipts);
  if (opening || !sol_out.runs.empty())
    extras.index = [&](const exec::Block& blk, state::WriteBatch& wb) {
      if (opening) {
        Hash32 bh = sha256(blk.header.hash().view());
        std::memcpy(opening->blockhash.data(), bh.bytes.data(), 32);
        sol_->write_record(*opening, wb);
      }
      if (sol_out.runs.empty()) return;
      sol_->count_transactions(sol_out.runs.size(), wb);
      size_t first = blk.txs.size() - sol_out.runs.size();  // Solana records come last
      for (size_t i = 0; i < sol_out.runs.size(); ++i) {
        auto sig = exec::svm_first_signature(blk.txs[first + i].raw);
        if (!sig) continue;
        for (const auto& key : sol_out.runs[i].account_keys)
          sol_->index_address(key, blk.header.number, uint32_t(first + i), blk.header.slot,
                              BytesView(sig->data(), 64), wb);
      }
    };
  auto committed = chain_->commit(
      std::move(b), out.receipts, overlay,
      [&](const exec::Block& blk) {
        for (auto& fn : prepared) fn(blk, out.receipts);
      },
      settled, extras);
  if (opening) sol_->set_tip(*opening);
  if (!sol_out.runs.empty()) sol_->add_transactions(sol_out.runs.size());
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
  if (sol_) {
    std::vector<std::function<void(const SolBlockEvent&)>> sol_listeners;
    {
      std::lock_guard lock(mu_);
      sol_listeners = sol_block_listeners_;
    }
    if (!sol_listeners.empty()) {
      SolBlockEvent ev{committed, std::move(sol_out.runs), opening};
      for (auto& fn : sol_listeners) fn(ev);
    }
  }
}

exec::SvmBlockContext Node::sol_block_context(const state::StateReader& state, uint64_t newest_height) {
  exec::SvmBlockContext ctx;
  svm::RuntimeEnv& env = ctx.env;
  auto sysvar = [&](const char* id) {
    auto a = exec::read_svm_account(state, exec::svm_pubkey(id));
    return a ? a->data : Bytes{};
  };
  Bytes clock = sysvar("SysvarC1ock11111111111111111111111111111111");
  auto u64 = [&](size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | clock[at + i];
    return v;
  };
  if (clock.size() >= 40) {
    env.slot = u64(0);
    env.epoch_start_timestamp = int64_t(u64(8));
    env.epoch = u64(16);
    env.leader_schedule_epoch = u64(24);
    env.unix_timestamp = int64_t(u64(32));
  }
  env.lamports_per_signature = exec::kLamportsPerSignature;
  for (const auto& [slot, hash] : exec::parse_slot_hashes(sysvar("SysvarS1otHashes111111111111111111111111111")))
    env.slot_hashes.emplace_back(slot, hash);
  for (const auto& h : exec::parse_recent_blockhashes(sysvar("SysvarRecentB1ockHashes11111111111111111111")))
    env.recent_blockhashes.push_back(h);
  // The bank's blockhash as the system program sees it (durable nonce rules): the newest entry
  // of RecentBlockhashes, i.e. the parent slot's.
  ctx.last_blockhash = env.recent_blockhashes.empty() ? sol_->tip().blockhash : env.recent_blockhashes.front();
  SolLedger* ledger = sol_.get();
  ctx.blockhash_age = [ledger, newest_height](const svm::Hash& h) -> std::optional<uint64_t> {
    auto r = ledger->blockhash_record(h);
    if (!r || r->height > newest_height) return std::nullopt;
    return newest_height - r->height;
  };
  Chain* chain = chain_.get();
  ctx.processed = [chain](const svm::Signature& sig) {
    return chain->locate_signature(BytesView(sig.data(), sig.size())).has_value();
  };
  return ctx;
}

exec::SvmBlockContext Node::sol_context(const state::StateReader& state) {
  return sol_block_context(state, sol_->tip().height);
}

svm::Signature Node::submit_solana(svm::Transaction tx) {
  if (!sol_) throw SolAdmissionError(svm::TransactionError::UnsupportedVersion);
  auto fail = [&](svm::TransactionError e) -> svm::Signature {
    metrics_.txs_rejected++;
    throw SolAdmissionError(e);
  };
  if (auto e = svm::validate(tx)) return fail(*e);
  if (auto e = svm::validate_account_locks(tx.message)) return fail(*e);
  auto payload = std::make_shared<exec::SvmTx>();
  payload->wire = svm::encode_transaction(tx);
  if (payload->wire.size() > svm::kPacketDataSize) return fail(svm::TransactionError::SanitizeFailure);
  payload->signature = tx.signatures[0];
  payload->hash = sha256(BytesView(payload->signature.data(), 64));
  {
    // Against the latest bank: the blockhash (or durable nonce) and the status cache.
    exec::SvmBlockContext ctx = sol_context(chain_->latest());
    if (auto e = exec::check_svm_age(tx, ctx, chain_->latest())) return fail(*e);
  }
  payload->tx = std::move(tx);
  note_solana_activity();

  sequencer::PoolTx p;
  p.vm = sequencer::Vm::Svm;
  p.hash = payload->hash;
  p.sender = Bytes(payload->signature.begin(), payload->signature.end());  // no nonces: unique
  p.size = payload->wire.size();
  Bytes rec{kSolPendingTag};
  append(rec, payload->wire);
  chain_->persist_pending(p.hash, rec);
  svm::Signature sig = payload->signature;
  Hash32 hash = p.hash;
  p.payload = std::move(payload);
  auto r = pool_->add(std::move(p));
  if (!r.ok() && r.error != "already known") {
    chain_->forget_pending({hash});
    metrics_.txs_rejected++;
    throw AdmissionError(r.error);  // the pool is full
  }
  std::vector<std::function<void(const svm::Signature&)>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = sol_pending_listeners_;
  }
  for (auto& fn : listeners) fn(sig);
  producer_->notify();
  return sig;
}

void Node::on_sol_block(std::function<void(const SolBlockEvent&)> fn) {
  std::lock_guard lock(mu_);
  sol_block_listeners_.push_back(std::move(fn));
}

void Node::on_sol_pending(std::function<void(const svm::Signature&)> fn) {
  std::lock_guard lock(mu_);
  sol_pending_listeners_.push_back(std::move(fn));
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
    if (ok && sol_) sol_->reload_tip();
    if (ok) {
      pool_->clear();
      std::vector<Hash32> abandoned;
      for (const Bytes& rec : chain_->pending_records()) {
        if (!rec.empty() && rec[0] == kSolPendingTag) {
          if (auto sig = exec::svm_first_signature(BytesView(rec).subspan(1)))
            abandoned.push_back(sha256(BytesView(sig->data(), 64)));
          continue;
        }
        abandoned.push_back(keccak256(rlp::to_bytes(rlp::decode_list(rec).at(0))));
      }
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
