// Runtime::execute: Agave's transaction_processor (compute budget, fee payer validation),
// account_loader (loading, program checks, data size limit), message_processor (instruction
// loop, instructions sysvar) and the post-execution rent-state and balance checks.
#include "svm/runtime.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "svm/invoke_internal.hpp"
#include "svm/precompiles.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {

Runtime::Runtime() : loader_(std::make_unique<Loader>(make_loader_v1(false))) {
  // The compute budget program does its work before execution; running it costs 150 CU.
  add_builtin(ids::compute_budget, "compute_budget_program", 150, [](InvokeContext&) -> InstructionResult {
    return std::nullopt;
  });
}
Runtime::~Runtime() = default;

void Runtime::add_builtin(const Pubkey& id, std::string name, uint64_t cu, BuiltinFn entry) {
  builtins_[id] = Builtin{std::move(name), cu, std::move(entry)};
}

const Builtin* Runtime::builtin(const Pubkey& id) const {
  auto it = builtins_.find(id);
  return it == builtins_.end() ? nullptr : &it->second;
}

const Loader& Runtime::loader() const { return *loader_; }

std::shared_ptr<const Runtime::CachedProgram> Runtime::cached_program(const Pubkey& id, uint64_t slot,
                                                                      std::span<const uint8_t> elf,
                                                                      std::string* error) {
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(id);
    if (it != cache_.end() && it->second->slot == slot && std::equal(elf.begin(), elf.end(), it->second->elf.begin(),
                                                                     it->second->elf.end())) {
      if (error) *error = it->second->error;
      return it->second;
    }
  }
  auto entry = std::make_shared<CachedProgram>();
  entry->slot = slot;
  entry->elf.assign(elf.begin(), elf.end());
  auto exe = Executable::load(elf, *loader_);
  if (!exe.ok()) {
    entry->error = exe.error().message();
  } else if (auto v = verify(exe->text(), exe->version())) {
    entry->error = v->message();
  } else {
    entry->exe.emplace(std::move(exe.value()));
  }
  if (error) *error = entry->error;
  store_program(id, entry);
  return entry;
}

void Runtime::store_program(const Pubkey& id, std::shared_ptr<const CachedProgram> p) {
  std::lock_guard lock(cache_mu_);
  cache_[id] = std::move(p);
}

namespace {

enum class RentState : uint8_t { Uninitialized, RentPaying, RentExempt };
struct RentInfo {
  RentState state;
  uint64_t lamports, data_size;
};
RentInfo rent_state(const Account& a, const Rent& rent) {
  if (a.lamports == 0) return {RentState::Uninitialized, 0, 0};
  if (rent.is_exempt(a.lamports, a.data.size())) return {RentState::RentExempt, 0, 0};
  return {RentState::RentPaying, a.lamports, a.data.size()};
}
// RentState::transition_allowed: a rent-paying account may only shrink its balance, same size.
bool transition_allowed(const RentInfo& pre, const RentInfo& post) {
  if (post.state != RentState::RentPaying) return true;
  if (pre.state != RentState::RentPaying) return false;
  return post.data_size == pre.data_size && post.lamports <= pre.lamports;
}

// solana-instructions-sysvar construct_instructions_data: u16 count, u16 offsets, then per
// instruction: u16 account count, (flags u8, pubkey) each, program id, u16 data length, data;
// finally the u16 index of the executing instruction.
std::vector<uint8_t> instructions_sysvar_data(const Message& m, const std::vector<Pubkey>& keys,
                                              const std::vector<bool>& writable) {
  std::vector<uint8_t> out;
  auto u16 = [&](size_t v) {
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
  };
  u16(m.instructions.size());
  const size_t offsets_at = out.size();
  out.resize(out.size() + 2 * m.instructions.size());
  for (size_t i = 0; i < m.instructions.size(); ++i) {
    const auto& ix = m.instructions[i];
    out[offsets_at + 2 * i] = uint8_t(out.size());
    out[offsets_at + 2 * i + 1] = uint8_t(out.size() >> 8);
    u16(ix.accounts.size());
    for (uint8_t a : ix.accounts) {
      uint8_t flags = (a < m.header.num_required_signatures ? 1 : 0) | (writable[a] ? 2 : 0);
      out.push_back(flags);
      out.insert(out.end(), keys[a].begin(), keys[a].end());
    }
    const Pubkey& p = keys[ix.program_id_index];
    out.insert(out.end(), p.begin(), p.end());
    u16(ix.data.size());
    out.insert(out.end(), ix.data.begin(), ix.data.end());
  }
  u16(0);
  return out;
}

// Accounts the bank always has: builtin programs (native-loader owned, data = name) and sysvars.
std::optional<Account> synthesized_account(const Pubkey& key, const Runtime& rt,
                                           const std::map<Pubkey, std::vector<uint8_t>>& sysvars,
                                           const Rent& rent) {
  auto program = [](std::string_view name) {
    Account a;
    a.lamports = 1;
    a.data.assign(name.begin(), name.end());
    a.owner = ids::native_loader;
    a.executable = true;
    a.rent_epoch = kRentExemptRentEpoch;
    return a;
  };
  if (const Builtin* b = rt.builtin(key)) return program(b->name);
  if (key == ids::bpf_loader) return program("solana_bpf_loader_program");
  if (key == ids::bpf_loader_deprecated) return program("solana_bpf_loader_deprecated_program");
  if (key == ids::bpf_loader_upgradeable) return program("solana_bpf_loader_upgradeable_program");
  if (key == ids::ed25519_program) return program("ed25519_program");
  if (key == ids::secp256k1_program) return program("secp256k1_program");
  if (key == ids::secp256r1_program && is_precompile(key)) return program("secp256r1_program");
  if (auto it = sysvars.find(key); it != sysvars.end()) {
    Account a;
    a.data = it->second;
    a.lamports = std::max<uint64_t>(rent.minimum_balance(a.data.size()), 1);
    a.owner = ids::sysvar_owner;
    a.rent_epoch = kRentExemptRentEpoch;
    return a;
  }
  return std::nullopt;
}

}  // namespace

TransactionOutcome Runtime::execute(const Transaction& tx, const AccountSource& source, const RuntimeEnv& env,
                                    const LoadedAddresses& loaded, const NonceInfo* nonce) {
  TransactionOutcome out;
  const Message& m = tx.message;
  out.loaded_addresses = loaded;
  out.account_keys = m.account_keys;
  out.account_keys.insert(out.account_keys.end(), loaded.writable.begin(), loaded.writable.end());
  out.account_keys.insert(out.account_keys.end(), loaded.readonly.begin(), loaded.readonly.end());
  const std::vector<Pubkey>& keys = out.account_keys;
  const size_t n = keys.size();
  auto drop = [&](TransactionError e) {
    out.err = e;
    return out;
  };

  // Indexes must stay inside the keys (the node sanitizes first; this keeps hostile input safe).
  size_t lookup_writable = 0, lookup_readonly = 0;
  for (const auto& l : m.address_table_lookups) {
    lookup_writable += l.writable_indexes.size();
    lookup_readonly += l.readonly_indexes.size();
  }
  if (n == 0 || sanitize(m) || tx.signatures.size() != m.header.num_required_signatures ||
      lookup_writable != loaded.writable.size() || lookup_readonly != loaded.readonly.size())
    return drop(TransactionError::SanitizeFailure);
  for (const auto& ix : m.instructions) {
    if (ix.program_id_index >= n) return drop(TransactionError::SanitizeFailure);
    for (uint8_t a : ix.accounts)
      if (a >= n) return drop(TransactionError::SanitizeFailure);
  }
  if (auto e = validate_account_locks(m, env.max_account_locks)) return drop(*e);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      if (keys[i] == keys[j]) return drop(TransactionError::AccountLoadedTwice);

  // Writability (SanitizedMessage::is_writable): header/lookup position, then demotion of
  // reserved keys and of invoked programs (unless the upgradeable loader is present).
  const size_t num_static = m.account_keys.size();
  bool upgradeable_present =
      std::find(keys.begin(), keys.end(), ids::bpf_loader_upgradeable) != keys.end();
  std::vector<bool> invoked(n, false), writable(n, false);
  for (const auto& ix : m.instructions) invoked[ix.program_id_index] = true;
  for (size_t i = 0; i < n; ++i) {
    bool w;
    if (i < num_static) {
      const auto& h = m.header;
      if (i < h.num_required_signatures) w = i < size_t(h.num_required_signatures - h.num_readonly_signed_accounts);
      else w = i - h.num_required_signatures < num_static - h.num_required_signatures - h.num_readonly_unsigned_accounts;
    } else {
      w = i - num_static < loaded.writable.size();
    }
    writable[i] = w && !is_reserved_account(keys[i]) && !(invoked[i] && !upgradeable_present);
  }

  auto limits = compute_budget_limits(m);
  if (!limits.ok()) return drop(limits.error());
  out.fee = calculate_fee(m, tx.signatures.size(), env.lamports_per_signature, *limits);

  const auto sysvars = env.sysvars();
  auto load = [&](const Pubkey& key) -> std::optional<Account> {
    auto a = source.get(key);
    if (a && a->lamports > 0) return a;
    return synthesized_account(key, *this, sysvars, env.rent);
  };

  // Fee payer (validate_fee_payer).
  auto payer = source.get(keys[0]);
  if (!payer || payer->lamports == 0) return drop(TransactionError::AccountNotFound);
  out.pre_balances.assign(n, 0);
  out.pre_balances[0] = payer->lamports;
  {
    uint64_t min_balance = 0;
    if (payer->owner != ids::system_program) return drop(TransactionError::InvalidAccountForFee);
    if (!payer->data.empty()) {
      // Only an initialized nonce account (80 bytes, Versions::*(Initialized)) may pay.
      bool nonce = payer->data.size() == 80 && payer->data[4] == 1 && payer->data[5] == 0 && payer->data[6] == 0 &&
                   payer->data[7] == 0 && (payer->data[0] == 0 || payer->data[0] == 1) && payer->data[1] == 0 &&
                   payer->data[2] == 0 && payer->data[3] == 0;
      if (!nonce) return drop(TransactionError::InvalidAccountForFee);
      min_balance = env.rent.minimum_balance(80);
    }
    if (payer->executable) return drop(TransactionError::InvalidAccountForFee);
    if (payer->lamports < min_balance || payer->lamports - min_balance < out.fee)
      return drop(TransactionError::InsufficientFundsForFee);
    RentInfo pre = rent_state(*payer, env.rent);
    payer->lamports -= out.fee;
    if (!transition_allowed(pre, rent_state(*payer, env.rent)))
      return drop(TransactionError(TransactionError::InsufficientFundsForRent, 0));
    if (payer->rent_epoch != kRentExemptRentEpoch && env.rent.is_exempt(payer->lamports, payer->data.size()))
      payer->rent_epoch = kRentExemptRentEpoch;
  }
  out.processed = true;
  const Account payer_after_fee = *payer;
  // What a failed transaction commits (Agave RollbackAccounts): the fee payer after the fee and,
  // for a durable-nonce transaction, the advanced nonce account.
  auto rollback = [&](TransactionError e) {
    out.err = e;
    out.post_accounts = {{keys[0], payer_after_fee}};
    if (nonce) {
      if (nonce->address == keys[0]) {
        out.post_accounts[0].second.data = nonce->advanced_data;
      } else if (auto n = source.get(nonce->address)) {
        n->data = nonce->advanced_data;
        out.post_accounts.emplace_back(nonce->address, std::move(*n));
      }
    }
    out.post_balances = out.pre_balances;
    out.post_balances[0] = payer_after_fee.lamports;
    return out;
  };
  auto fees_only = rollback;

  // Load the transaction's accounts. Loaded size (SIMD-0186): 8248 per lookup table, 64 + data
  // per existing account, and the ProgramData of upgradeable programs once.
  std::vector<std::pair<Pubkey, Account>> accounts;
  uint64_t loaded_size = 0;
  auto add_size = [&](uint64_t bytes) {
    loaded_size += bytes;
    return loaded_size <= limits->loaded_accounts_data_size_limit;
  };
  if (!add_size(uint64_t(m.address_table_lookups.size()) * 8248))
    return fees_only(TransactionError::MaxLoadedAccountsDataSizeExceeded);
  std::vector<Pubkey> counted_programdata;
  for (size_t i = 0; i < n; ++i) {
    Account a;
    uint64_t size = 0;
    if (i == 0) {
      a = payer_after_fee;
      size = 64 + a.data.size();
    } else if (keys[i] == ids::sysvar_instructions) {
      a.data = instructions_sysvar_data(m, keys, writable);
      a.owner = ids::sysvar_owner;
    } else if (auto l = load(keys[i])) {
      a = std::move(*l);
      if (writable[i] && a.rent_epoch != kRentExemptRentEpoch && env.rent.is_exempt(a.lamports, a.data.size()))
        a.rent_epoch = kRentExemptRentEpoch;
      out.pre_balances[i] = a.lamports;
      size = 64 + a.data.size();
    } else {
      a.rent_epoch = kRentExemptRentEpoch;
    }
    if (!add_size(size)) return fees_only(TransactionError::MaxLoadedAccountsDataSizeExceeded);
    // UpgradeableLoaderState::Program { programdata_address }
    if (a.owner == ids::bpf_loader_upgradeable && a.data.size() >= 36 && a.data[0] == 2 && a.data[1] == 0 &&
        a.data[2] == 0 && a.data[3] == 0) {
      Pubkey pd;
      std::memcpy(pd.data(), a.data.data() + 4, 32);
      if (std::find(keys.begin(), keys.end(), pd) == keys.end() &&
          std::find(counted_programdata.begin(), counted_programdata.end(), pd) == counted_programdata.end())
        if (auto pda = source.get(pd); pda && pda->lamports > 0) {
          if (!add_size(64 + pda->data.size())) return fees_only(TransactionError::MaxLoadedAccountsDataSizeExceeded);
          counted_programdata.push_back(pd);
        }
    }
    accounts.emplace_back(keys[i], std::move(a));
  }
  // Program accounts must exist and belong to the native loader or a BPF loader.
  for (const auto& ix : m.instructions) {
    const Account& program = accounts[ix.program_id_index].second;
    if (program.lamports == 0) return fees_only(TransactionError::ProgramAccountNotFound);
    if (program.owner != ids::native_loader && !is_bpf_loader(program.owner))
      return fees_only(TransactionError::InvalidProgramForExecution);
  }

  // Execute.
  out.executed = true;
  std::vector<RentInfo> pre_rent(n);
  unsigned __int128 lamports_before = 0;
  for (size_t i = 0; i < n; ++i) {
    pre_rent[i] = rent_state(accounts[i].second, env.rent);
    lamports_before += accounts[i].second.lamports;
  }
  TransactionContext tctx(std::move(accounts), env.rent);
  SyscallContext sctx;
  sctx.remaining = limits->compute_unit_limit;
  sctx.sysvars = sysvars;
  InvokeContext ic(tctx, sctx, env, *this);
  ic.heap_size = limits->heap_size;
  ic.accounts = &source;
  sctx.user = &ic;
  const auto instructions_index = tctx.find_index(ids::sysvar_instructions);

  std::optional<TransactionError> err;
  out.inner_instructions.assign(m.instructions.size(), {});
  for (size_t i = 0; i < m.instructions.size() && !err; ++i) {
    const auto& cix = m.instructions[i];
    if (instructions_index) {
      auto& d = tctx.account_mut(*instructions_index).data;
      if (d.size() >= 2) {
        d[d.size() - 2] = uint8_t(i);
        d[d.size() - 1] = uint8_t(i >> 8);
      }
    }
    InstructionFrame& f = tctx.configure_next();
    f = InstructionFrame{};
    f.program_account = cix.program_id_index;
    for (size_t j = 0; j < cix.accounts.size(); ++j) {
      const uint8_t a = cix.accounts[j];
      size_t first = j;
      for (size_t k = 0; k < j; ++k)
        if (cix.accounts[k] == a) {
          first = k;
          break;
        }
      f.accounts.push_back({a, IndexOfAccount(j), IndexOfAccount(first), a < m.header.num_required_signatures,
                            bool(writable[a])});
    }
    f.data = cix.data;
    const size_t trace_start = tctx.trace().size() - 1;
    InstructionResult r;
    const Pubkey& program_id = keys[cix.program_id_index];
    if (is_precompile(program_id)) {
      // Agave process_precompile: pushed (no logs, no compute), verified, popped; a failure is
      // Custom(PrecompileError).
      r = tctx.push();
      if (!r) {
        std::vector<std::span<const uint8_t>> datas;
        for (const auto& x : m.instructions) datas.emplace_back(x.data);
        if (auto pe = verify_precompile(program_id, cix.data, datas))
          r = InstructionError(InstructionError::Custom, uint32_t(*pe));
        else
          r = tctx.pop();
      }
    } else {
      uint64_t consumed = 0;
      r = ic.process_instruction(&consumed);
    }
    // Inner instructions: trace entries after this top-level one.
    const auto& trace = tctx.trace();
    for (size_t t = trace_start + 1; t + 1 < trace.size(); ++t) {
      InnerInstruction inner;
      inner.instruction.program_id_index = uint8_t(trace[t].program_account);
      for (const auto& a : trace[t].accounts) inner.instruction.accounts.push_back(uint8_t(a.index_in_transaction));
      inner.instruction.data = trace[t].data;
      inner.stack_height = uint32_t(trace[t].nesting_level + 1);
      out.inner_instructions[i].push_back(std::move(inner));
    }
    if (r) err = TransactionError(uint8_t(i), *r);
  }
  out.compute_units_consumed = limits->compute_unit_limit - sctx.remaining;
  out.logs = std::move(sctx.logs);
  if (!sctx.return_data.empty()) out.return_data = {{sctx.return_data_program, sctx.return_data}};
  sctx.user = nullptr;

  auto final_accounts = tctx.take_accounts();
  if (!err) {
    for (size_t i = 0; i < n && !err; ++i)
      if (writable[i] && keys[i] != ids::incinerator &&
          !transition_allowed(pre_rent[i], rent_state(final_accounts[i].second, env.rent)))
        err = TransactionError(TransactionError::InsufficientFundsForRent, uint8_t(i));
  }
  if (!err) {
    unsigned __int128 lamports_after = 0;
    for (auto& [k, a] : final_accounts) lamports_after += a.lamports;
    if (lamports_after != lamports_before) err = TransactionError(TransactionError::UnbalancedTransaction);
  }
  if (err) return rollback(*err);
  // Every writable account is stored, except programs that were only invoked (never passed to
  // an instruction): those cannot have changed (Agave update_accounts_for_successful_tx).
  std::vector<bool> instruction_account(n, false);
  for (const auto& ix : m.instructions)
    for (uint8_t a : ix.accounts) instruction_account[a] = true;
  out.post_balances.resize(n);
  for (size_t i = 0; i < n; ++i) {
    out.post_balances[i] = final_accounts[i].second.lamports;
    if (writable[i] && !(invoked[i] && !instruction_account[i])) out.post_accounts.push_back(std::move(final_accounts[i]));
  }
  return out;
}

}  // namespace lumio::svm
