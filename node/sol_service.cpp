#include "node/sol_service.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cstring>

#include "common/hash.hpp"
#include "node/sol_genesis.hpp"
#include "svm/compute_budget.hpp"

namespace lumio::node {
namespace {

using rpc::Commitment;

std::optional<rpc::SolTxError> to_rpc(const std::optional<exec::SvmTxError>& e) {
  if (!e) return std::nullopt;
  return rpc::SolTxError{e->kind, e->index, e->instruction_error, e->custom, e->borsh_message};
}

rpc::SolTxError to_rpc(const svm::TransactionError& e) { return *to_rpc(exec::to_receipt_error(e)); }

rpc::SolAccount to_rpc(const svm::Account& a) {
  return rpc::SolAccount{a.lamports, a.data, a.owner, a.executable, a.rent_epoch};
}

std::optional<rpc::SolAccount> read_account(const state::StateReader& r, const rpc::SolPubkey& k) {
  auto a = exec::read_svm_account(r, k);
  if (!a || a->lamports == 0) return std::nullopt;
  return to_rpc(*a);
}

rpc::SolTxMeta to_meta(const exec::SvmReceipt& r) {
  rpc::SolTxMeta m;
  m.err = to_rpc(r.err);
  m.fee = r.fee;
  m.pre_balances = r.pre_balances;
  m.post_balances = r.post_balances;
  auto tokens = [](const std::vector<exec::SvmTokenBalance>& v) {
    std::vector<rpc::SolTokenBalance> out;
    for (const auto& t : v) out.push_back({t.account_index, t.mint, t.owner, t.program_id, t.amount, t.decimals});
    return out;
  };
  m.pre_token_balances = tokens(r.pre_token_balances);
  m.post_token_balances = tokens(r.post_token_balances);
  std::vector<rpc::SolInnerInstructions> inner;
  for (const auto& g : r.inner_instructions) {
    rpc::SolInnerInstructions out{g.index, {}};
    for (const auto& i : g.instructions)
      out.instructions.push_back({i.program_id_index, std::vector<uint8_t>(i.accounts.begin(), i.accounts.end()),
                                  i.data, i.stack_height ? std::optional<uint32_t>(i.stack_height) : std::nullopt});
    inner.push_back(std::move(out));
  }
  m.inner_instructions = std::move(inner);
  m.log_messages = r.logs;
  m.loaded_writable = r.loaded_writable;
  m.loaded_readonly = r.loaded_readonly;
  if (r.return_data) m.return_data = rpc::SolReturnData{r.return_data->first, r.return_data->second};
  m.compute_units_consumed = r.compute_units;
  return m;
}

}  // namespace

SolService::SolService(Node& node) : node_(node) {
  node_.on_sol_block([this](const Node::SolBlockEvent& ev) { on_block(ev); });
  node_.on_sol_pending([this](const svm::Signature& sig) {
    std::vector<rpc::SolApi*> apis;
    {
      std::lock_guard lock(mu_);
      apis = apis_;
    }
    uint64_t s = node_.sol_ledger()->tip().slot;
    for (auto* api : apis) api->notify_signature_received(sig, s);
  });
}

SolService::~SolService() {
  std::lock_guard lock(mu_);
  apis_.clear();
}

void SolService::attach(rpc::SolApi& api) {
  std::lock_guard lock(mu_);
  apis_.push_back(&api);
}

SolService::Bank SolService::bank(Commitment c) {
  node_.note_solana_activity();
  SolLedger& l = *node_.sol_ledger();
  SolSlotRecord tip = l.tip();
  uint64_t head = node_.chain().head()->header.number;
  if (c == Commitment::kProcessed || tip.slot == 0) return {tip, head};
  auto parent = l.record(tip.parent_slot);
  if (!parent) return {tip, head};
  return {*parent, tip.first_block - 1};
}

std::unique_ptr<state::StateReader> SolService::reader_at(const Bank& b) {
  if (b.last_block < node_.chain().head()->header.number)
    if (auto r = node_.chain().state_at(b.last_block)) return r;
  return std::make_unique<state::SnapshotReader>(node_.chain().store().snapshot());
}

uint64_t SolService::slot(Commitment c) { return bank(c).record.slot; }
uint64_t SolService::block_height(Commitment c) { return bank(c).record.height; }
uint64_t SolService::transaction_count(Commitment) {
  node_.note_solana_activity();
  return node_.sol_ledger()->transaction_count();
}

rpc::SolAtSlot<std::optional<rpc::SolAccount>> SolService::account(const rpc::SolPubkey& key, Commitment c) {
  Bank b = bank(c);
  auto r = reader_at(b);
  return {b.record.slot, read_account(*r, key)};
}

rpc::SolAtSlot<std::vector<std::optional<rpc::SolAccount>>> SolService::accounts(
    std::span<const rpc::SolPubkey> keys, Commitment c) {
  Bank b = bank(c);
  auto r = reader_at(b);
  rpc::SolAtSlot<std::vector<std::optional<rpc::SolAccount>>> out{b.record.slot, {}};
  for (const auto& k : keys) out.value.push_back(read_account(*r, k));
  return out;
}

uint64_t SolService::scan_program_accounts(
    const rpc::SolPubkey& program, Commitment c, std::span<const rpc::SolAccountFilter>,
    const std::function<void(const rpc::SolPubkey&, const rpc::SolAccount&)>& visit) {
  // No owner index: one pass over the accounts of a consistent snapshot (the processed bank,
  // whatever the commitment; a dev chain's account set is small).
  Bank b = bank(c);
  auto snap = node_.chain().store().snapshot();
  snap->scan(state::Space::SvmAccount, {}, [&](BytesView k, BytesView v) {
    if (k.size() != 32 || v.size() < 49 || std::memcmp(v.data() + 8, program.data(), 32) != 0) return true;
    auto a = exec::decode_svm_account(v);
    if (!a || a->lamports == 0) return true;
    rpc::SolPubkey key;
    std::memcpy(key.data(), k.data(), 32);
    visit(key, to_rpc(*a));
    return true;
  });
  return b.record.slot;
}

rpc::SolAtSlot<rpc::SolBlockhash> SolService::latest_blockhash(Commitment c) {
  Bank b = bank(c);
  return {b.record.slot, {b.record.blockhash, b.record.height + kMaxProcessingAge}};
}

rpc::SolAtSlot<bool> SolService::is_blockhash_valid(const rpc::SolHash& h, Commitment c) {
  Bank b = bank(c);
  auto r = node_.sol_ledger()->blockhash_record(h);
  return {b.record.slot, r && r->height <= b.record.height && b.record.height - r->height <= kMaxProcessingAge};
}

rpc::SolAtSlot<std::optional<uint64_t>> SolService::fee_for_message(const svm::Message& m, Commitment c) {
  auto valid = is_blockhash_valid(m.recent_blockhash, c);
  if (!valid.value) return {valid.slot, std::nullopt};
  auto limits = svm::compute_budget_limits(m);
  if (!limits.ok()) return {valid.slot, std::nullopt};
  return {valid.slot, svm::calculate_fee(m, m.header.num_required_signatures, exec::kLamportsPerSignature, *limits)};
}

std::optional<rpc::SolTxWithMeta> SolService::tx_at(const exec::Block& b, uint32_t index) {
  if (index >= b.txs.size() || b.txs[index].vm != exec::Vm::Svm) return std::nullopt;
  auto r = node_.chain().svm_receipt(b.header.number, index);
  if (!r) return std::nullopt;
  return rpc::SolTxWithMeta{b.txs[index].raw, to_meta(*r)};
}

std::optional<rpc::SolBlock> SolService::block(uint64_t slot, Commitment c) {
  Bank b = bank(c);
  if (slot > b.record.slot) return std::nullopt;
  SolLedger& l = *node_.sol_ledger();
  auto rec = l.record(slot);
  if (!rec) return std::nullopt;
  rpc::SolBlock out;
  out.blockhash = rec->blockhash;
  out.parent_slot = rec->parent_slot;
  auto parent = slot == 0 ? rec : l.record(rec->parent_slot);
  out.previous_blockhash = parent ? parent->blockhash : rec->blockhash;
  out.block_height = rec->height;
  // The Lumio blocks of the slot: from the one that opened it while their slot stays the same.
  uint64_t head = node_.chain().head()->header.number;
  for (uint64_t n = rec->first_block; n <= head; ++n) {
    auto blk = node_.chain().block(n);
    if (!blk || blk->header.slot != slot) break;
    if (n == rec->first_block) out.block_time = int64_t(blk->header.timestamp);
    for (uint32_t i = 0; i < blk->txs.size(); ++i)
      if (auto t = tx_at(*blk, i)) out.transactions.push_back(std::move(*t));
  }
  return out;
}

std::vector<uint64_t> SolService::blocks(uint64_t start, uint64_t end, Commitment c) {
  Bank b = bank(c);
  return node_.sol_ledger()->slots_in(start, std::min(end, b.record.slot), 500'000);
}

std::optional<int64_t> SolService::block_time(uint64_t slot) {
  auto rec = node_.sol_ledger()->record(slot);
  if (!rec) return std::nullopt;
  auto blk = node_.chain().block(rec->first_block);
  if (!blk) return std::nullopt;
  return int64_t(blk->header.timestamp);
}

std::vector<std::optional<rpc::SolSignatureStatus>> SolService::signature_statuses(
    std::span<const rpc::SolSignature> sigs, bool) {
  SolSlotRecord tip = node_.sol_ledger()->tip();
  node_.note_solana_activity();
  std::vector<std::optional<rpc::SolSignatureStatus>> out;
  for (const auto& sig : sigs) {
    auto loc = node_.chain().locate_signature(BytesView(sig.data(), sig.size()));
    auto blk = loc ? node_.chain().block(loc->block) : nullptr;
    auto r = blk ? node_.chain().svm_receipt(loc->block, loc->index) : std::nullopt;
    if (!r) {
      out.push_back(std::nullopt);
      continue;
    }
    rpc::SolSignatureStatus s;
    s.slot = blk->header.slot;
    s.err = to_rpc(r->err);
    if (s.slot < tip.slot) {
      s.confirmation_status = Commitment::kFinalized;  // rooted: confirmations null
    } else {
      s.confirmation_status = Commitment::kProcessed;
      s.confirmations = 0;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<rpc::SolSignatureInfo> SolService::signatures_for_address(
    const rpc::SolPubkey& address, std::optional<rpc::SolSignature> before,
    std::optional<rpc::SolSignature> until, size_t limit, Commitment c) {
  Bank b = bank(c);
  std::vector<rpc::SolSignatureInfo> out;
  bool started = !before;
  node_.sol_ledger()->scan_address(address, [&](uint64_t slot, uint64_t block, uint32_t index, BytesView sig) {
    if (!started) {
      started = std::equal(sig.begin(), sig.end(), before->begin());
      return true;
    }
    if (until && std::equal(sig.begin(), sig.end(), until->begin())) return false;
    if (slot > b.record.slot) return true;
    rpc::SolSignatureInfo info;
    std::memcpy(info.signature.data(), sig.data(), 64);
    info.slot = slot;
    if (auto r = node_.chain().svm_receipt(block, index)) info.err = to_rpc(r->err);
    info.block_time = block_time(slot);
    info.confirmation_status = c == Commitment::kProcessed && slot == b.record.slot ? Commitment::kProcessed
                                                                                     : Commitment::kFinalized;
    out.push_back(std::move(info));
    return out.size() < limit;
  });
  return out;
}

std::optional<rpc::SolConfirmedTx> SolService::transaction(const rpc::SolSignature& sig, Commitment c) {
  Bank b = bank(c);
  auto loc = node_.chain().locate_signature(BytesView(sig.data(), sig.size()));
  if (!loc) return std::nullopt;
  auto blk = node_.chain().block(loc->block);
  if (!blk || blk->header.slot > b.record.slot) return std::nullopt;
  auto t = tx_at(*blk, loc->index);
  if (!t) return std::nullopt;
  return rpc::SolConfirmedTx{blk->header.slot, block_time(blk->header.slot), std::move(*t)};
}

void SolService::send_transaction(const svm::Transaction& tx, std::optional<size_t>) {
  try {
    node_.submit_solana(tx);
  } catch (const SolAdmissionError& e) {
    // As a preflight failure: the client sees Solana's error and nothing was admitted.
    rpc::json data = {{"err", rpc::json::parse(e.error.to_json())}, {"logs", rpc::json::array()},
                      {"accounts", nullptr}, {"unitsConsumed", 0}, {"returnData", nullptr}};
    throw rpc::RpcError(rpc::sol_code::kSendTransactionPreflightFailure,
                        "Transaction simulation failed: " + svm::message(e.error), data);
  } catch (const AdmissionError& e) {
    throw rpc::RpcError(rpc::code::kServer, e.what());
  }
}

rpc::SolSimulation SolService::simulate_transaction(const svm::Transaction& in, const rpc::SolSimulateOptions& opts) {
  Bank b = bank(Commitment::kProcessed);  // simulations run on the newest bank
  rpc::SolSimulation sim;
  sim.slot = b.record.slot;
  svm::Transaction tx = in;
  if (opts.replace_recent_blockhash) {
    tx.message.recent_blockhash = b.record.blockhash;
    sim.replacement_blockhash = rpc::SolBlockhash{b.record.blockhash, b.record.height + kMaxProcessingAge};
  }
  auto snap = std::make_unique<state::SnapshotReader>(node_.chain().store().snapshot());
  state::BlockOverlay overlay(*snap);
  exec::SvmBlockContext ctx = node_.sol_context(*snap);
  state::TxView view(overlay);
  exec::SvmTxRun run = exec::run_svm_tx(node_.sol_runtime(), tx, ctx, view, !opts.replace_recent_blockhash);
  if (run.err) sim.err = to_rpc(*run.err);
  if (!run.processed) {
    sim.units_consumed = 0;
    return sim;
  }
  const exec::SvmReceipt& r = run.receipt;
  sim.logs = r.logs;
  sim.units_consumed = r.compute_units;
  sim.fee = r.fee;
  sim.pre_balances = r.pre_balances;
  sim.post_balances = r.post_balances;
  if (r.return_data) sim.return_data = rpc::SolReturnData{r.return_data->first, r.return_data->second};
  if (opts.inner_instructions) sim.inner_instructions = to_meta(r).inner_instructions;
  for (const auto& k : opts.accounts) sim.accounts.push_back(read_account(view, k));
  return sim;
}

rpc::SolSignature SolService::request_airdrop(const rpc::SolPubkey& to, uint64_t lamports, Commitment) {
  // A genuine system transfer from the faucet, signed here, admitted like any transaction.
  SolKeypair faucet = sol_faucet_keypair();
  svm::Transaction tx;
  svm::Message& m = tx.message;
  m.header = {1, 0, 1};
  m.account_keys = {faucet.pubkey, to, svm::ids::system_program};
  m.recent_blockhash = node_.sol_ledger()->tip().blockhash;
  svm::CompiledInstruction ix;
  ix.program_id_index = 2;
  ix.accounts = {0, 1};
  ix.data = {2, 0, 0, 0};  // SystemInstruction::Transfer
  for (int i = 0; i < 8; ++i) ix.data.push_back(uint8_t(lamports >> (8 * i)));
  m.instructions.push_back(std::move(ix));
  tx.message_bytes = svm::encode_message(m);
  svm::Signature sig;
  crypto_sign_detached(sig.data(), nullptr, tx.message_bytes.data(), tx.message_bytes.size(), faucet.secret.data());
  tx.signatures.push_back(sig);
  try {
    return node_.submit_solana(std::move(tx));
  } catch (const std::exception& e) {
    throw rpc::RpcError(rpc::code::kInternal, std::string("airdrop failed: ") + e.what());
  }
}

rpc::SolHash SolService::genesis_hash() {
  auto g = node_.chain().block(0);
  Hash32 h = sha256(g->header.hash().view());
  rpc::SolHash out;
  std::memcpy(out.data(), h.bytes.data(), 32);
  return out;
}

rpc::SolPubkey SolService::identity() { return sol_identity_keypair().pubkey; }

void SolService::on_block(const Node::SolBlockEvent& ev) {
  std::vector<rpc::SolApi*> apis;
  std::vector<rpc::SolTxEvent> ended_txs;
  std::vector<rpc::SolAccountChange> ended_accounts;
  std::vector<rpc::SolTxEvent> txs;
  std::map<rpc::SolPubkey, rpc::SolAccount> changed;
  uint64_t slot = ev.block->header.slot;
  {
    // Processed: this block's transactions and the accounts they wrote.
    auto snap = node_.chain().store().snapshot();
    state::SnapshotReader r(std::move(snap));
    size_t first = ev.block->txs.size() - ev.runs.size();
    for (size_t i = 0; i < ev.runs.size(); ++i) {
      const auto& run = ev.runs[i];
      rpc::SolTxEvent t;
      if (auto sig = exec::svm_first_signature(ev.block->txs[first + i].raw)) t.signature = *sig;
      t.slot = slot;
      t.err = to_rpc(run.receipt.err);
      t.logs = run.receipt.logs;
      t.mentioned = run.account_keys;
      txs.push_back(std::move(t));
      for (const auto& k : run.written) {
        auto a = exec::read_svm_account(r, k);
        changed[k] = a ? to_rpc(*a) : rpc::SolAccount{};
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    apis = apis_;
    if (ev.opened) {
      ended_txs = std::move(slot_txs_);
      for (auto& [k, a] : slot_accounts_) ended_accounts.push_back({k, std::move(a)});
      slot_txs_.clear();
      slot_accounts_.clear();
    }
    slot_txs_.insert(slot_txs_.end(), txs.begin(), txs.end());
    for (auto& [k, a] : changed) slot_accounts_[k] = a;
  }
  std::vector<rpc::SolAccountChange> changes;
  for (auto& [k, a] : changed) changes.push_back({k, a});
  for (auto* api : apis) {
    if (ev.opened) {
      // The parent slot ended: its transactions and accounts are confirmed and final.
      uint64_t parent = ev.opened->parent_slot;
      api->notify_slot(slot, parent, parent);
      api->notify_root(parent);
      for (Commitment c : {Commitment::kConfirmed, Commitment::kFinalized}) {
        if (!ended_txs.empty()) api->notify_transactions(ended_txs, c);
        if (!ended_accounts.empty()) api->notify_accounts(parent, ended_accounts, c);
      }
    }
    if (!txs.empty()) api->notify_transactions(txs, Commitment::kProcessed);
    if (!changes.empty()) api->notify_accounts(slot, changes, Commitment::kProcessed);
  }
}

}  // namespace lumio::node
