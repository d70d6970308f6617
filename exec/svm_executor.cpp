#include "exec/svm_executor.hpp"

#include <cstring>
#include <set>

#include "svm/nonce.hpp"

namespace lumio::exec {
namespace {

BytesView kv(const svm::Pubkey& k) { return {k.data(), k.size()}; }

// The node's accounts as the runtime reads them: zero lamports = absent.
class ViewAccounts final : public svm::AccountSource {
 public:
  explicit ViewAccounts(const state::StateReader& r) : r_(r) {}
  std::optional<svm::Account> get(const svm::Pubkey& key) const override {
    auto a = read_svm_account(r_, key);
    if (!a || a->lamports == 0) return std::nullopt;
    return a;
  }

 private:
  const state::StateReader& r_;
};

svm::TableAccountSource table_source(const state::StateReader& r,
                                     std::vector<std::shared_ptr<svm::Account>>& keep) {
  return [&r, &keep](const svm::Pubkey& k) -> std::optional<svm::TableAccountView> {
    auto a = read_svm_account(r, k);
    if (!a || a->lamports == 0) return std::nullopt;
    keep.push_back(std::make_shared<svm::Account>(std::move(*a)));
    const auto& held = *keep.back();
    return svm::TableAccountView{held.owner, held.lamports, held.data};
  };
}

// Agave's message writability (static header ranges, then loaded writable), with reserved
// accounts demoted. Only the durable-nonce check needs it here; the runtime has its own.
bool is_writable(const svm::Message& m, size_t i, const svm::LoadedAddresses& loaded,
                 const std::vector<svm::Pubkey>& keys) {
  const auto& h = m.header;
  size_t n_static = m.account_keys.size();
  bool w;
  if (i < h.num_required_signatures) w = i < size_t(h.num_required_signatures - h.num_readonly_signed_accounts);
  else if (i < n_static) w = i < n_static - h.num_readonly_unsigned_accounts;
  else w = i - n_static < loaded.writable.size();
  return w && i < keys.size() && !svm::is_reserved_account(keys[i]);
}

bool is_token_program(const svm::Pubkey& k) {
  static const svm::Pubkey kToken = svm::pubkey_from_base58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
  static const svm::Pubkey kToken2022 = svm::pubkey_from_base58("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
  return k == kToken || k == kToken2022;
}

// SPL token account balances of the transaction's accounts (RPC's pre/postTokenBalances).
std::vector<SvmTokenBalance> token_balances(const state::StateReader& r, const std::vector<svm::Pubkey>& keys) {
  std::vector<SvmTokenBalance> out;
  for (size_t i = 0; i < keys.size() && i < 256; ++i) {
    auto a = read_svm_account(r, keys[i]);
    if (!a || a->lamports == 0 || !is_token_program(a->owner)) continue;
    const Bytes& d = a->data;
    // An initialized token account: 165 bytes (Token-2022 extensions: account type 2 at 165).
    if (d.size() < 165 || (d.size() > 165 && d[165] != 2) || d[108] == 0) continue;
    SvmTokenBalance b;
    b.account_index = uint8_t(i);
    std::memcpy(b.mint.data(), d.data(), 32);
    std::memcpy(b.owner.data(), d.data() + 32, 32);
    b.program_id = a->owner;
    for (int k = 7; k >= 0; --k) b.amount = (b.amount << 8) | d[64 + k];
    if (auto mint = read_svm_account(r, b.mint); mint && mint->data.size() >= 45) b.decimals = mint->data[44];
    out.push_back(b);
  }
  return out;
}

}  // namespace

SvmTxError to_receipt_error(const svm::TransactionError& e) {
  SvmTxError out;
  out.kind = svm::name(e);
  out.index = e.index;
  if (e.kind == svm::TransactionError::InstructionError) {
    out.instruction_error = e.instruction.name();
    out.custom = e.instruction.custom;
  }
  return out;
}

std::optional<svm::TransactionError> check_svm_age(const svm::Transaction& tx, const SvmBlockContext& ctx,
                                                   const state::StateReader& state) {
  const svm::Message& m = tx.message;
  auto age = ctx.blockhash_age ? ctx.blockhash_age(m.recent_blockhash) : std::nullopt;
  if (!age || *age > kSvmMaxProcessingAge) {
    std::vector<std::shared_ptr<svm::Account>> keep;
    svm::LoadedAddresses none;
    std::vector<svm::Pubkey> keys = m.account_keys;
    auto nonce = svm::check_durable_nonce(
        m, [&](size_t i) { return is_writable(m, i, none, keys); }, table_source(state, keep),
        ctx.last_blockhash, ctx.env.lamports_per_signature);
    if (!nonce) return svm::TransactionError(svm::TransactionError::BlockhashNotFound);
  }
  if (ctx.processed && !tx.signatures.empty() && ctx.processed(tx.signatures[0]))
    return svm::TransactionError(svm::TransactionError::AlreadyProcessed);
  return std::nullopt;
}

SvmTxRun run_svm_tx(svm::Runtime& rt, const svm::Transaction& tx, const SvmBlockContext& ctx,
                    state::TxView& view, bool check_age) {
  SvmTxRun run;
  const svm::Message& m = tx.message;
  if (auto e = svm::validate_account_locks(m, ctx.env.max_account_locks)) {
    run.err = *e;
    return run;
  }
  std::optional<svm::NonceInfo> nonce;
  if (check_age) {
    if (auto e = check_svm_age(tx, ctx, view)) {
      run.err = *e;
      return run;
    }
    auto age = ctx.blockhash_age ? ctx.blockhash_age(m.recent_blockhash) : std::nullopt;
    if (!age || *age > kSvmMaxProcessingAge) {
      std::vector<std::shared_ptr<svm::Account>> keep;
      svm::LoadedAddresses none;
      nonce = svm::check_durable_nonce(
          m, [&](size_t i) { return is_writable(m, i, none, m.account_keys); }, table_source(view, keep),
          ctx.last_blockhash, ctx.env.lamports_per_signature);
    }
  }
  svm::LoadedAddresses loaded;
  if (m.v0 && !m.address_table_lookups.empty()) {
    std::vector<std::shared_ptr<svm::Account>> keep;
    svm::SlotHashes sh{ctx.env.slot_hashes};
    auto r = svm::resolve_address_lookups(m, table_source(view, keep), ctx.env.slot, sh);
    if (!r.ok()) {
      using TE = svm::TransactionError;
      switch (r.error()) {
        case svm::AddressLookupError::LookupTableAccountNotFound: run.err = TE(TE::AddressLookupTableNotFound); break;
        case svm::AddressLookupError::InvalidAccountOwner: run.err = TE(TE::InvalidAddressLookupTableOwner); break;
        case svm::AddressLookupError::InvalidAccountData: run.err = TE(TE::InvalidAddressLookupTableData); break;
        case svm::AddressLookupError::InvalidLookupIndex: run.err = TE(TE::InvalidAddressLookupTableIndex); break;
        default: run.err = TE(TE::AccountNotFound); break;
      }
      return run;
    }
    loaded = *r;
  }
  run.account_keys = svm::loaded_account_keys(m, loaded);
  auto pre_tokens = token_balances(view, run.account_keys);

  ViewAccounts accounts(view);
  svm::TransactionOutcome out = rt.execute(tx, accounts, ctx.env, loaded);
  run.err = out.err;
  if (!out.processed) return run;
  run.processed = true;
  for (const auto& [key, acct] : out.post_accounts) {
    if (acct.lamports == 0) view.erase(state::Space::SvmAccount, kv(key));
    else view.put(state::Space::SvmAccount, kv(key), encode_svm_account(acct));
    run.written.push_back(key);
  }
  // A failed durable-nonce transaction still advances its nonce (Agave commits it with the fee).
  if (nonce && out.err) {
    if (auto a = read_svm_account(view, nonce->address)) {
      a->data = nonce->advanced_data;
      view.put(state::Space::SvmAccount, kv(nonce->address), encode_svm_account(*a));
      run.written.push_back(nonce->address);
    }
  }

  SvmReceipt& r = run.receipt;
  if (out.err) r.err = to_receipt_error(*out.err);
  r.fee = out.fee;
  r.compute_units = out.compute_units_consumed;
  r.pre_balances = out.pre_balances;
  r.post_balances = out.post_balances;
  r.pre_token_balances = std::move(pre_tokens);
  r.post_token_balances = token_balances(view, run.account_keys);
  for (size_t i = 0; i < out.inner_instructions.size(); ++i) {
    if (out.inner_instructions[i].empty()) continue;
    SvmInnerInstructions group{uint8_t(i), {}};
    for (const auto& ii : out.inner_instructions[i])
      group.instructions.push_back({ii.instruction.program_id_index, ii.instruction.accounts,
                                    ii.instruction.data, ii.stack_height});
    r.inner_instructions.push_back(std::move(group));
  }
  r.logs = std::move(out.logs);
  r.loaded_writable = loaded.writable;
  r.loaded_readonly = loaded.readonly;
  r.return_data = out.return_data;
  return run;
}

SvmBlockOutcome execute_svm_block(svm::Runtime& rt, const std::vector<std::shared_ptr<const SvmTx>>& txs,
                                  const SvmBlockContext& ctx, state::BlockOverlay& overlay) {
  SvmBlockOutcome out;
  std::set<svm::Signature> seen;  // the status cache of this block
  for (const auto& t : txs) {
    if (!seen.insert(t->signature).second) {
      out.dropped.push_back({t->hash, svm::TransactionError(svm::TransactionError::AlreadyProcessed)});
      continue;
    }
    state::TxView view(overlay);
    SvmTxRun run = run_svm_tx(rt, t->tx, ctx, view);
    if (!run.processed) {
      out.dropped.push_back({t->hash, run.err.value_or(svm::TransactionError())});
      continue;
    }
    overlay.commit(view);
    out.txs.push_back({Vm::Svm, t->hash, t->wire,
                       Bytes(t->tx.message.account_keys[0].begin(), t->tx.message.account_keys[0].end())});
    out.receipts.push_back(encode_svm_receipt(run.receipt));
    out.runs.push_back(std::move(run));
  }
  return out;
}

}  // namespace lumio::exec
