// TransactionContext / BorrowedAccount (Agave transaction-context), InvokeContext's instruction
// processing (program-runtime invoke_context.rs) and the BPF loader's execution path
// (programs/bpf_loader: execute, serialization.rs deserialize_parameters).
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "svm/invoke_internal.hpp"
#include "svm/serialize.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {

// ---------------------------------------------------------------- BorrowedAccount

BorrowedAccount::BorrowedAccount(TransactionContext* tx, IndexOfAccount index, const Pubkey& program,
                                 bool signer, bool writable)
    : tx_(tx), index_(index), program_(program), signer_(signer), writable_(writable) {
  tx_->borrowed_[index_] = 1;
}
BorrowedAccount::BorrowedAccount(BorrowedAccount&& o) noexcept
    : tx_(o.tx_), index_(o.index_), program_(o.program_), signer_(o.signer_), writable_(o.writable_) {
  o.tx_ = nullptr;
}
BorrowedAccount::~BorrowedAccount() {
  if (tx_) tx_->borrowed_[index_] = 0;
}

Account& BorrowedAccount::acc() const { return tx_->accounts_[index_]; }
const Pubkey& BorrowedAccount::key() const { return tx_->keys_[index_]; }
const Pubkey& BorrowedAccount::owner() const { return acc().owner; }
uint64_t BorrowedAccount::lamports() const { return acc().lamports; }
std::span<const uint8_t> BorrowedAccount::data() const { return acc().data; }
bool BorrowedAccount::executable() const { return acc().executable; }
uint64_t BorrowedAccount::rent_epoch() const { return acc().rent_epoch; }
bool BorrowedAccount::is_owned_by_current_program() const { return acc().owner == program_; }

InstructionResult BorrowedAccount::set_owner(const Pubkey& owner) {
  using E = InstructionError;
  if (!is_owned_by_current_program()) return E(E::ModifiedProgramId);
  if (!is_writable()) return E(E::ModifiedProgramId);
  if (std::any_of(acc().data.begin(), acc().data.end(), [](uint8_t b) { return b != 0; }))
    return E(E::ModifiedProgramId);
  if (acc().owner == owner) return std::nullopt;
  tx_->touched_[index_] = 1;
  acc().owner = owner;
  return std::nullopt;
}

InstructionResult BorrowedAccount::set_lamports(uint64_t lamports) {
  using E = InstructionError;
  if (!is_owned_by_current_program() && lamports < acc().lamports) return E(E::ExternalAccountLamportSpend);
  if (!is_writable()) return E(E::ReadonlyLamportChange);
  if (acc().lamports == lamports) return std::nullopt;
  tx_->touched_[index_] = 1;
  acc().lamports = lamports;
  return std::nullopt;
}

InstructionResult BorrowedAccount::checked_add_lamports(uint64_t n) {
  if (acc().lamports > UINT64_MAX - n) return InstructionError(InstructionError::ArithmeticOverflow);
  return set_lamports(acc().lamports + n);
}
InstructionResult BorrowedAccount::checked_sub_lamports(uint64_t n) {
  if (acc().lamports < n) return InstructionError(InstructionError::ArithmeticOverflow);
  return set_lamports(acc().lamports - n);
}

InstructionResult BorrowedAccount::can_data_be_changed() const {
  using E = InstructionError;
  if (!is_writable()) return E(E::ReadonlyDataModified);
  if (!is_owned_by_current_program()) return E(E::ExternalAccountDataModified);
  return std::nullopt;
}

InstructionResult BorrowedAccount::can_data_be_resized(size_t new_len) const {
  using E = InstructionError;
  size_t old_len = acc().data.size();
  if (new_len != old_len && !is_owned_by_current_program()) return E(E::AccountDataSizeChanged);
  if (new_len > kMaxPermittedDataLength) return E(E::InvalidRealloc);
  int64_t delta = int64_t(new_len) - int64_t(old_len);
  if (tx_->resize_delta_ + delta > kMaxAccountsDataAllocationsPerTransaction)
    return E(E::MaxAccountsDataAllocationsExceeded);
  return can_data_be_changed();
}

Expected<std::span<uint8_t>, InstructionError> BorrowedAccount::data_mut() {
  if (auto e = can_data_be_changed()) return *e;
  tx_->touched_[index_] = 1;
  return std::span<uint8_t>(acc().data);
}

InstructionResult BorrowedAccount::set_data_from_slice(std::span<const uint8_t> data) {
  if (auto e = can_data_be_resized(data.size())) return e;
  tx_->touched_[index_] = 1;
  tx_->resize_delta_ += int64_t(data.size()) - int64_t(acc().data.size());
  acc().data.assign(data.begin(), data.end());
  return std::nullopt;
}

InstructionResult BorrowedAccount::set_data_length(size_t len) {
  if (auto e = can_data_be_resized(len)) return e;
  if (acc().data.size() == len) return std::nullopt;
  tx_->touched_[index_] = 1;
  tx_->resize_delta_ += int64_t(len) - int64_t(acc().data.size());
  acc().data.resize(len, 0);
  return std::nullopt;
}

InstructionResult BorrowedAccount::set_executable(bool executable) {
  using E = InstructionError;
  if (!tx_->rent_.is_exempt(acc().lamports, acc().data.size())) return E(E::ExecutableAccountNotRentExempt);
  if (!is_owned_by_current_program()) return E(E::ExecutableModified);
  if (!is_writable()) return E(E::ExecutableModified);
  if (acc().executable == executable) return std::nullopt;
  tx_->touched_[index_] = 1;
  acc().executable = executable;
  return std::nullopt;
}

// ---------------------------------------------------------------- TransactionContext

TransactionContext::TransactionContext(std::vector<std::pair<Pubkey, Account>> accounts, Rent rent,
                                       size_t stack_capacity, size_t trace_capacity)
    : rent_(rent), stack_capacity_(stack_capacity), trace_capacity_(trace_capacity) {
  for (auto& [k, a] : accounts) {
    keys_.push_back(k);
    accounts_.push_back(std::move(a));
  }
  borrowed_.assign(keys_.size(), 0);
  touched_.assign(keys_.size(), 0);
  trace_.emplace_back();
}

std::optional<IndexOfAccount> TransactionContext::find_index(const Pubkey& key) const {
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return IndexOfAccount(i);
  return std::nullopt;
}

unsigned __int128 TransactionContext::lamport_sum(const InstructionFrame& f) const {
  unsigned __int128 sum = 0;
  for (size_t i = 0; i < f.accounts.size(); ++i)
    if (!f.is_duplicate(i)) sum += accounts_[f.accounts[i].index_in_transaction].lamports;
  return sum;
}

InstructionResult TransactionContext::push() {
  const size_t nesting_level = stack_.size();
  const unsigned __int128 callee_sum = lamport_sum(trace_.back());
  if (!stack_.empty()) {
    const InstructionFrame& caller = current();
    if (caller.lamport_sum != lamport_sum(caller)) return InstructionError(InstructionError::UnbalancedInstruction);
  }
  trace_.back().nesting_level = nesting_level;
  trace_.back().lamport_sum = callee_sum;
  const size_t index_in_trace = trace_.size() - 1;
  if (index_in_trace >= trace_capacity_) return InstructionError(InstructionError::MaxInstructionTraceLengthExceeded);
  trace_.emplace_back();
  if (nesting_level >= stack_capacity_) return InstructionError(InstructionError::CallDepth);
  stack_.push_back(index_in_trace);
  return std::nullopt;
}

InstructionResult TransactionContext::pop() {
  if (stack_.empty()) return InstructionError(InstructionError::CallDepth);
  std::optional<InstructionError> err;
  const InstructionFrame& f = current();
  if (borrowed_[f.program_account]) err = InstructionError(InstructionError::AccountBorrowOutstanding);
  else if (f.lamport_sum != lamport_sum(f)) err = InstructionError(InstructionError::UnbalancedInstruction);
  stack_.pop_back();
  return err;
}

Expected<BorrowedAccount, InstructionError> TransactionContext::borrow_instruction_account(size_t i) {
  if (stack_.empty()) return InstructionError(InstructionError::CallDepth);
  const InstructionFrame& f = current();
  if (i >= f.accounts.size()) return InstructionError(InstructionError::NotEnoughAccountKeys);
  const auto& ref = f.accounts[i];
  if (borrowed_[ref.index_in_transaction]) return InstructionError(InstructionError::AccountBorrowFailed);
  return BorrowedAccount(this, ref.index_in_transaction, keys_[f.program_account], ref.is_signer, ref.is_writable);
}

Expected<BorrowedAccount, InstructionError> TransactionContext::borrow_program_account() {
  if (stack_.empty()) return InstructionError(InstructionError::CallDepth);
  const InstructionFrame& f = current();
  if (borrowed_[f.program_account]) return InstructionError(InstructionError::AccountBorrowFailed);
  return BorrowedAccount(this, f.program_account, keys_[f.program_account], false, false);
}

std::vector<std::pair<Pubkey, Account>> TransactionContext::take_accounts() {
  std::vector<std::pair<Pubkey, Account>> out;
  for (size_t i = 0; i < keys_.size(); ++i) out.emplace_back(keys_[i], std::move(accounts_[i]));
  return out;
}

// ---------------------------------------------------------------- InvokeContext basics

InstructionResult InvokeContext::check_number_of_instruction_accounts(size_t n) const {
  if (num_instruction_accounts() < n) return InstructionError(InstructionError::NotEnoughAccountKeys);
  return std::nullopt;
}
const Pubkey* InvokeContext::key_of_instruction_account(size_t i) const {
  if (i >= num_instruction_accounts()) return nullptr;
  return &tx.key(instruction().accounts[i].index_in_transaction);
}
bool InvokeContext::is_instruction_account_signer(size_t i) const {
  return i < num_instruction_accounts() && instruction().accounts[i].is_signer;
}
bool InvokeContext::is_instruction_account_writable(size_t i) const {
  return i < num_instruction_accounts() && instruction().accounts[i].is_writable;
}
uint64_t InvokeContext::remaining() const { return vm.remaining; }
InstructionResult InvokeContext::consume_checked(uint64_t units) {
  bool exceeded = vm.remaining < units;
  vm.consume(units);
  if (exceeded) return InstructionError(InstructionError::ComputationalBudgetExceeded);
  return std::nullopt;
}
void InvokeContext::log(std::string msg) { vm.log(std::move(msg)); }
const std::vector<uint8_t>* InvokeContext::sysvar(const Pubkey& id) const {
  auto it = vm.sysvars.find(id);
  return it == vm.sysvars.end() ? nullptr : &it->second;
}

InstructionResult InvokeContext::prepare_instruction(const Instruction& ix, std::span<const Pubkey> signers) {
  using E = InstructionError;
  const InstructionFrame& caller = tx.current();
  auto find_in_caller = [&](const Pubkey& key) -> std::optional<IndexOfAccount> {
    for (size_t i = 0; i < caller.accounts.size(); ++i)
      if (tx.key(caller.accounts[i].index_in_transaction) == key) return IndexOfAccount(i);
    return std::nullopt;
  };
  std::vector<InstructionAccountRef> dedup;
  std::vector<size_t> positions;
  for (size_t i = 0; i < ix.accounts.size(); ++i) {
    const AccountMeta& meta = ix.accounts[i];
    auto in_tx = tx.find_index(meta.pubkey);
    if (!in_tx) {
      log(fmt::format("Instruction references an unknown account {}", base58(meta.pubkey.data(), 32)));
      return E(E::MissingAccount);
    }
    auto dup = std::find_if(dedup.begin(), dedup.end(),
                            [&](const InstructionAccountRef& r) { return r.index_in_transaction == *in_tx; });
    if (dup != dedup.end()) {
      positions.push_back(size_t(dup - dedup.begin()));
      dup->is_signer |= meta.is_signer;
      dup->is_writable |= meta.is_writable;
      continue;
    }
    auto in_caller = find_in_caller(meta.pubkey);
    if (!in_caller) {
      log(fmt::format("Instruction references an unknown account {}", base58(meta.pubkey.data(), 32)));
      return E(E::MissingAccount);
    }
    positions.push_back(dedup.size());
    dedup.push_back({*in_tx, *in_caller, IndexOfAccount(i), meta.is_signer, meta.is_writable});
  }
  for (const auto& r : dedup) {
    const auto& caller_ref = caller.accounts[r.index_in_caller];
    const Pubkey& key = tx.key(r.index_in_transaction);
    if (tx.borrowed(r.index_in_transaction)) return E(E::AccountBorrowFailed);
    if (r.is_writable && !caller_ref.is_writable) {
      log(fmt::format("{}'s writable privilege escalated", base58(key.data(), 32)));
      return E(E::PrivilegeEscalation);
    }
    if (r.is_signer && !(caller_ref.is_signer || std::find(signers.begin(), signers.end(), key) != signers.end())) {
      log(fmt::format("{}'s signer privilege escalated", base58(key.data(), 32)));
      return E(E::PrivilegeEscalation);
    }
  }
  auto program_in_caller = find_in_caller(ix.program_id);
  if (!program_in_caller) {
    log(fmt::format("Unknown program {}", base58(ix.program_id.data(), 32)));
    return E(E::MissingAccount);
  }
  const IndexOfAccount program_index = caller.accounts[*program_in_caller].index_in_transaction;
  if (tx.borrowed(program_index)) return E(E::AccountBorrowFailed);
  // remove_accounts_executable_flag_checks: the executable flag is not consulted.
  InstructionFrame& next = tx.configure_next();
  next = InstructionFrame{};
  next.program_account = program_index;
  for (size_t p : positions) next.accounts.push_back(dedup[p]);
  next.data = ix.data;
  return std::nullopt;
}

// ---------------------------------------------------------------- BPF execution

namespace {

struct Failure {
  InstructionError error;
  std::string text;  // what "Program <id> failed: <text>" shows
};
using RunResult = std::optional<Failure>;

Failure fail(InstructionError e) { return {e, e.message()}; }

// A syscall error -> the InstructionError Agave ends up with. Errors a syscall raises as
// InstructionError (budget, CPI) keep their kind; other syscall errors and VM faults become
// ProgramFailedToComplete, logged with their own text.
Failure error_of_vm(const EbpfError& e) {
  if (e.kind == EbpfError::SyscallError) {
    if (e.syscall.kind == "Custom") return fail(InstructionError(InstructionError::Custom, uint32_t(e.addr)));
    if (e.syscall.kind != "ArithmeticOverflow")
      if (auto ie = InstructionError::from_name(e.syscall.kind)) return fail(*ie);
    return {InstructionError(InstructionError::ProgramFailedToComplete), e.syscall.message};
  }
  return {InstructionError(InstructionError::ProgramFailedToComplete), e.message()};
}

uint64_t heap_cost(uint32_t heap_size) {
  const uint64_t page = 32 * 1024;
  uint64_t pages = (uint64_t(heap_size) + page - 1) / page;
  return (pages ? pages - 1 : 0) * kHeapCostPer32KiB;
}

uint64_t rd64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Agave deserialize_parameters (without direct mapping): applies what the program left in its
// input region through BorrowedAccount, account by account: lamports, data, then owner.
// `lens` are the data lengths at serialization (the layout); CPIs may have resized since.
InstructionResult deserialize(InvokeContext& ic, std::span<const uint8_t> in, bool aligned,
                              const std::vector<uint64_t>& lens) {
  using E = InstructionError;
  const InstructionFrame& f = ic.instruction();
  size_t at = 8;
  auto need = [&](size_t n) { return at + n <= in.size(); };
  for (size_t i = 0; i < f.accounts.size(); ++i) {
    if (f.is_duplicate(i)) {
      at += aligned ? 8 : 1;
      continue;
    }
    auto acc = ic.borrow_instruction_account(i);
    if (!acc.ok()) return acc.error();
    const size_t pre_len = lens[i];
    if (aligned) {
      at += 1 + 1 + 1 + 1 + 4 + 32;
      if (!need(32 + 8 + 8)) return E(E::InvalidArgument);
      Pubkey owner;
      std::memcpy(owner.data(), in.data() + at, 32);
      at += 32;
      uint64_t lamports = rd64(in.data() + at);
      at += 8;
      if (acc->lamports() != lamports)
        if (auto e = acc->set_lamports(lamports)) return e;
      uint64_t post_len = rd64(in.data() + at);
      at += 8;
      if ((post_len > pre_len && post_len - pre_len > kMaxPermittedDataIncrease) || post_len > kMaxPermittedDataLength)
        return E(E::InvalidRealloc);
      if (!need(post_len)) return E(E::InvalidArgument);
      std::span<const uint8_t> data = in.subspan(at, post_len);
      auto check = acc->can_data_be_resized(post_len);
      if (!check) {
        if (auto e = acc->set_data_from_slice(data)) return e;
      } else if (!std::equal(data.begin(), data.end(), acc->data().begin(), acc->data().end())) {
        return check;
      }
      at += pre_len + kMaxPermittedDataIncrease;
      at += (8 - at % 8) % 8;  // BPF_ALIGN_OF_U128 padding (the region starts aligned)
      at += 8;                 // rent_epoch
      if (acc->owner() != owner)
        if (auto e = acc->set_owner(owner)) return e;
    } else {
      at += 1 + 1 + 1 + 32;
      if (!need(16 + pre_len)) return E(E::InvalidArgument);
      uint64_t lamports = rd64(in.data() + at);
      at += 8;
      if (acc->lamports() != lamports)
        if (auto e = acc->set_lamports(lamports)) return e;
      at += 8;
      std::span<const uint8_t> data = in.subspan(at, pre_len);
      auto check = acc->can_data_be_resized(pre_len);
      if (!check) {
        if (auto e = acc->set_data_from_slice(data)) return e;
      } else if (!std::equal(data.begin(), data.end(), acc->data().begin(), acc->data().end())) {
        return check;
      }
      at += pre_len + 32 + 1 + 8;
    }
  }
  return std::nullopt;
}

// Agave bpf_loader execute(): serialize, run, log consumption and return data, deserialize.
RunResult execute_bpf(InvokeContext& ic, const Executable& exe, const Loader& loader, bool deprecated) {
  const InstructionFrame& f = ic.instruction();
  const Pubkey program_id = ic.program_id();
  std::vector<InstructionAccount> list(f.accounts.size());
  std::vector<uint64_t> lens(f.accounts.size());
  for (size_t i = 0; i < f.accounts.size(); ++i) {
    const auto& r = f.accounts[i];
    const Account& a = ic.tx.account(r.index_in_transaction);
    lens[i] = a.data.size();
    if (f.is_duplicate(i)) {
      list[i].duplicate_of = r.index_in_callee;
      continue;
    }
    list[i].key = ic.tx.key(r.index_in_transaction);
    list[i].owner = a.owner;
    list[i].lamports = a.lamports;
    list[i].data = a.data;
    list[i].rent_epoch = a.rent_epoch;
    list[i].is_signer = r.is_signer;
    list[i].is_writable = r.is_writable;
    list[i].executable = a.executable;
  }
  std::vector<uint8_t> input = deprecated ? serialize_unaligned(list, f.data, program_id)
                                          : serialize_aligned(list, f.data, program_id);
  list.clear();

  const uint64_t meter_before = ic.remaining();
  if (auto e = ic.consume_checked(heap_cost(ic.heap_size))) {
    ic.log(fmt::format("Failed to create SBF VM: {}", e->message()));
    return fail(InstructionError(InstructionError::ProgramEnvironmentSetupFailure));
  }
  // The syscall context is shared by nested (CPI) runs: save what a run changes.
  SyscallContext& ctx = ic.vm;
  const auto* saved_memory = ctx.memory;
  const uint64_t saved_heap = ctx.heap_len, saved_alloc = ctx.alloc_pos, saved_height = ctx.stack_height;
  const bool saved_aligned = ctx.check_aligned;
  const Pubkey saved_program = ctx.program_id;
  ctx.program_id = program_id;
  ctx.check_aligned = !deprecated;
  ctx.stack_height = ic.stack_height();
  ic.serialized_lens.push_back(lens);
  ExecResult r;
  {
    VmMemory mem(loader.config, ic.heap_size);
    Vm vm(exe, loader, ctx, mem, input);
    r = vm.run();
  }
  ic.serialized_lens.pop_back();
  ctx.memory = saved_memory;
  ctx.heap_len = saved_heap;
  ctx.alloc_pos = saved_alloc;
  ctx.stack_height = saved_height;
  ctx.check_aligned = saved_aligned;
  ctx.program_id = saved_program;

  const std::string id = base58(program_id.data(), 32);
  // sbpf execute_program counts from the VM's start (after the heap charge); "of" is the meter
  // before the heap charge.
  ic.log(fmt::format("Program {} consumed {} of {} compute units", id, r.instruction_count, meter_before));
  if (!ctx.return_data.empty())
    ic.log(fmt::format("Program return: {} {}", id, base64(ctx.return_data.data(), ctx.return_data.size())));
  if (!r.result.ok()) {
    const EbpfError& e = r.result.error();
    // deplete_cu_meter_on_vm_failure: a fault inside the VM (not a syscall) burns the rest.
    if (e.kind != EbpfError::SyscallError) ctx.remaining = 0;
    return error_of_vm(e);
  }
  if (r.result.value() != 0) return fail(InstructionError::from_return_code(r.result.value()));
  if (auto e = deserialize(ic, input, !deprecated, lens)) return fail(*e);
  return std::nullopt;
}

uint64_t rd_le(std::span<const uint8_t> d, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(d[at + i]) << (8 * i);
  return v;
}

// The BPF loaders' entrypoint (Agave process_instruction_inner).
RunResult run_loader(InvokeContext& ic, const Builtin* upgradeable_management) {
  const InstructionFrame& f = ic.instruction();
  const Account& program = ic.tx.account(f.program_account);
  const Pubkey& program_id = ic.program_id();
  if (program.owner == ids::native_loader) {  // management instruction of the loader itself
    if (program_id == ids::bpf_loader_upgradeable) {
      if (auto e = ic.consume_checked(upgradeable_management ? upgradeable_management->compute_units : 2370))
        return fail(*e);
      if (!upgradeable_management) return fail(InstructionError(InstructionError::UnsupportedProgramId));
      if (auto e = upgradeable_management->entry(ic)) return fail(*e);
      return std::nullopt;
    }
    if (program_id == ids::bpf_loader) {
      if (auto e = ic.consume_checked(570)) return fail(*e);
      ic.log("BPF loader management instructions are no longer supported");
    } else if (program_id == ids::bpf_loader_deprecated) {
      if (auto e = ic.consume_checked(1140)) return fail(*e);
      ic.log("Deprecated loader is no longer supported");
    } else {
      ic.log("Invalid BPF loader id");
    }
    return fail(InstructionError(InstructionError::UnsupportedProgramId));
  }

  // Program invocation: find (or load) the executable.
  auto not_deployed = [&]() -> RunResult {
    ic.log("Program is not deployed");
    return fail(InstructionError(InstructionError::UnsupportedProgramId));
  };
  std::span<const uint8_t> elf;
  uint64_t slot = 0;
  std::optional<Account> programdata;
  if (std::find(ic.deployed_in_tx.begin(), ic.deployed_in_tx.end(), program_id) != ic.deployed_in_tx.end())
    return not_deployed();
  if (program.owner == ids::bpf_loader_upgradeable) {
    // UpgradeableLoaderState::Program { programdata_address } -> ProgramData { slot, authority } + ELF.
    if (program.data.size() < 36 || rd_le(program.data, 0, 4) != 2) return not_deployed();
    Pubkey pd_key;
    std::memcpy(pd_key.data(), program.data.data() + 4, 32);
    if (auto i = ic.tx.find_index(pd_key)) programdata = ic.tx.account(*i);
    else if (ic.accounts) programdata = ic.accounts->get(pd_key);
    constexpr size_t kMeta = 45;
    if (!programdata || programdata->lamports == 0 || programdata->data.size() < kMeta ||
        rd_le(programdata->data, 0, 4) != 3)
      return not_deployed();
    slot = rd_le(programdata->data, 4, 8);
    if (slot >= ic.env.slot) return not_deployed();  // DELAY_VISIBILITY_SLOT_OFFSET
    elf = std::span<const uint8_t>(programdata->data).subspan(kMeta);
  } else if (program.owner == ids::bpf_loader || program.owner == ids::bpf_loader_deprecated) {
    elf = program.data;
  } else {
    return fail(InstructionError(InstructionError::UnsupportedProgramId));  // loader v4: not enabled
  }
  std::string error;
  auto entry = ic.runtime().cached_program(program_id, slot, elf, &error);
  if (!entry || !entry->exe) return not_deployed();
  return execute_bpf(ic, *entry->exe, ic.runtime().loader(), program.owner == ids::bpf_loader_deprecated);
}

}  // namespace

InstructionResult InvokeContext::process_instruction(uint64_t* consumed) {
  using E = InstructionError;
  *consumed = 0;
  // Agave InvokeContext::push: reentrancy is only allowed directly (a program calling itself).
  {
    const Pubkey& callee = tx.program_key(tx.configure_next());
    const size_t height = tx.stack_height();
    if (height != 0) {
      bool contains = false;
      for (size_t level = 0; level < height; ++level)
        if (tx.program_key(tx.frame_at_level(level)) == callee) contains = true;
      bool is_last = tx.program_key(tx.current()) == callee;
      if (contains && !is_last) return E(E::ReentrancyNotAllowed);
    }
  }
  if (auto e = tx.push()) return e;

  // process_executable_chain
  InstructionResult result;
  {
    const InstructionFrame& f = tx.current();
    const Account& program = tx.account(f.program_account);
    const Pubkey program_id = tx.key(f.program_account);
    // Native-loader programs run themselves; others run through their loader (any other
    // owner: UnsupportedProgramId, before anything is logged).
    const Pubkey builtin_id = program.owner == ids::native_loader ? program_id : program.owner;
    const bool loader = builtin_id == ids::bpf_loader || builtin_id == ids::bpf_loader_deprecated ||
                        builtin_id == ids::bpf_loader_upgradeable;
    const Builtin* builtin = runtime_.builtin(builtin_id);
    if ((program.owner != ids::native_loader && !is_bpf_loader(program.owner)) || (!loader && !builtin)) {
      result = E(E::UnsupportedProgramId);
    } else {
      vm.return_data_program = program_id;
      vm.return_data.clear();
      const std::string id = base58(program_id.data(), 32);
      log(fmt::format("Program {} invoke [{}]", id, tx.stack_height()));
      const uint64_t before = vm.remaining;
      RunResult run;
      if (loader) {
        run = run_loader(*this, builtin);
      } else if (auto e = consume_checked(builtin->compute_units)) {
        run = fail(*e);
      } else if (auto e2 = builtin->entry(*this)) {
        run = fail(*e2);
      }
      if (run) log(fmt::format("Program {} failed: {}", id, run->text));
      else log(fmt::format("Program {} success", id));
      *consumed = before - vm.remaining;
      if (run) result = run->error;
      else if (builtin_id == program_id && *consumed == 0) result = E(E::BuiltinProgramsMustConsumeComputeUnits);
    }
  }
  auto popped = tx.pop();
  return result ? result : popped;
}

InstructionResult InvokeContext::native_invoke(const Instruction& ix, std::span<const Pubkey> signers) {
  if (auto e = prepare_instruction(ix, signers)) return e;
  uint64_t consumed = 0;
  return process_instruction(&consumed);
}

InstructionResult InvokeContext::deploy_program(const Pubkey& program_id, std::span<const uint8_t> elf, uint64_t) {
  Loader deploy = make_loader_v1(true);
  auto exe = Executable::load(elf, deploy);
  if (!exe.ok()) {
    log(exe.error().message());
    return InstructionError(InstructionError::InvalidAccountData);
  }
  if (auto v = verify(exe->text(), exe->version())) {
    log(v->message());
    return InstructionError(InstructionError::InvalidAccountData);
  }
  // Visible from the next slot (DELAY_VISIBILITY_SLOT_OFFSET); this transaction sees it as not
  // deployed. The cache reloads from the ProgramData account when it is next invoked.
  deployed_in_tx.push_back(program_id);
  return std::nullopt;
}

}  // namespace lumio::svm
