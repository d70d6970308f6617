// What a program sees while it runs (Agave transaction-context + program-runtime invoke_context):
// the transaction's accounts, the instruction stack/trace, BorrowedAccount with every check Agave
// applies to account modifications, and InvokeContext — the handle builtin programs get.
//
// Result convention: `InstructionResult` is std::nullopt on success, else the InstructionError.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "svm/account.hpp"
#include "svm/errors.hpp"
#include "svm/sbpf.hpp"
#include "svm/transaction.hpp"

namespace lumio::svm {

using InstructionResult = std::optional<InstructionError>;
using IndexOfAccount = uint16_t;

// Limits (Agave execution_budget.rs / transaction-context).
inline constexpr size_t kMaxInstructionStackDepth = 5;    // CallDepth beyond this
inline constexpr size_t kMaxInstructionTraceLength = 64;  // MaxInstructionTraceLengthExceeded
inline constexpr int64_t kMaxAccountsDataAllocationsPerTransaction = 20 * 1024 * 1024;  // 2 x 10 MiB

// solana-instruction Instruction / AccountMeta: what a CPI or native_invoke asks for.
struct AccountMeta {
  Pubkey pubkey{};
  bool is_signer = false;
  bool is_writable = false;
};
struct Instruction {
  Pubkey program_id{};
  std::vector<AccountMeta> accounts;
  std::vector<uint8_t> data;
};

// One account of an instruction (Agave InstructionAccount).
struct InstructionAccountRef {
  IndexOfAccount index_in_transaction = 0;
  IndexOfAccount index_in_caller = 0;  // position in the caller's instruction (CPI)
  IndexOfAccount index_in_callee = 0;  // first position of the same account in this instruction
  bool is_signer = false;
  bool is_writable = false;
};

// One entry of the instruction trace (Agave InstructionContext).
struct InstructionFrame {
  IndexOfAccount program_account = 0;  // index in the transaction of the program being run
  std::vector<InstructionAccountRef> accounts;
  std::vector<uint8_t> data;
  size_t nesting_level = 0;            // 0 = top level; stack height = nesting_level + 1
  unsigned __int128 lamport_sum = 0;   // sum over unique accounts when pushed
  bool is_duplicate(size_t i) const { return accounts[i].index_in_callee != i; }
};

class TransactionContext;

// A writable view of one transaction account through one instruction (Agave BorrowedAccount).
// Every mutator enforces Agave's rules and returns the InstructionError Agave returns.
// Move-only; holding one marks the account borrowed (a second borrow -> AccountBorrowFailed).
class BorrowedAccount {
 public:
  BorrowedAccount(BorrowedAccount&& o) noexcept;
  BorrowedAccount& operator=(BorrowedAccount&&) = delete;
  BorrowedAccount(const BorrowedAccount&) = delete;
  ~BorrowedAccount();

  const Pubkey& key() const;
  const Pubkey& owner() const;
  uint64_t lamports() const;
  std::span<const uint8_t> data() const;
  bool executable() const;
  uint64_t rent_epoch() const;
  IndexOfAccount index_in_transaction() const { return index_; }
  bool is_signer() const { return signer_; }
  bool is_writable() const { return writable_; }
  bool is_owned_by_current_program() const;

  InstructionResult set_owner(const Pubkey& owner);
  InstructionResult set_lamports(uint64_t lamports);
  InstructionResult checked_add_lamports(uint64_t n);
  InstructionResult checked_sub_lamports(uint64_t n);
  Expected<std::span<uint8_t>, InstructionError> data_mut();  // can_data_be_changed + touch
  InstructionResult set_data_from_slice(std::span<const uint8_t> data);
  InstructionResult set_data_length(size_t len);
  InstructionResult set_executable(bool executable);
  InstructionResult can_data_be_changed() const;
  InstructionResult can_data_be_resized(size_t new_len) const;

 private:
  friend class TransactionContext;
  BorrowedAccount(TransactionContext* tx, IndexOfAccount index, const Pubkey& current_program,
                  bool signer, bool writable);
  Account& acc() const;
  TransactionContext* tx_;
  IndexOfAccount index_;
  Pubkey program_;  // the program whose instruction borrowed the account
  bool signer_, writable_;
};

// The accounts of one transaction and its instruction stack/trace (Agave TransactionContext).
class TransactionContext {
 public:
  TransactionContext(std::vector<std::pair<Pubkey, Account>> accounts, Rent rent,
                     size_t stack_capacity = kMaxInstructionStackDepth,
                     size_t trace_capacity = kMaxInstructionTraceLength);

  size_t num_accounts() const { return keys_.size(); }
  const Pubkey& key(IndexOfAccount i) const { return keys_[i]; }
  const Account& account(IndexOfAccount i) const { return accounts_[i]; }
  std::optional<IndexOfAccount> find_index(const Pubkey& key) const;
  const Rent& rent() const { return rent_; }
  bool touched(IndexOfAccount i) const { return touched_[i]; }
  bool borrowed(IndexOfAccount i) const { return borrowed_[i]; }
  Account& account_mut(IndexOfAccount i) { return accounts_[i]; }  // runtime use (sysvar index)

  // Instruction trace and stack. configure_next() fills the frame push() will activate.
  InstructionFrame& configure_next() { return trace_.back(); }
  InstructionResult push();
  InstructionResult pop();
  size_t stack_height() const { return stack_.size(); }
  const InstructionFrame& current() const { return trace_[stack_.back()]; }
  const InstructionFrame& frame_at_level(size_t level) const { return trace_[stack_[level]]; }
  const std::vector<InstructionFrame>& trace() const { return trace_; }  // last entry: next frame
  const Pubkey& program_key(const InstructionFrame& f) const { return keys_[f.program_account]; }

  // Borrows instruction account `i` of the current frame.
  Expected<BorrowedAccount, InstructionError> borrow_instruction_account(size_t i);
  Expected<BorrowedAccount, InstructionError> borrow_program_account();

  std::pair<Pubkey, std::vector<uint8_t>>& return_data() { return return_data_; }
  int64_t accounts_resize_delta() const { return resize_delta_; }
  // Lamports over the unique accounts of a frame (Agave instruction_accounts_lamport_sum).
  unsigned __int128 lamport_sum(const InstructionFrame& f) const;

  std::vector<std::pair<Pubkey, Account>> take_accounts();

 private:
  friend class BorrowedAccount;
  std::vector<Pubkey> keys_;
  std::vector<Account> accounts_;
  std::vector<uint8_t> borrowed_, touched_;
  Rent rent_;
  size_t stack_capacity_, trace_capacity_;
  std::vector<InstructionFrame> trace_;
  std::vector<size_t> stack_;
  std::pair<Pubkey, std::vector<uint8_t>> return_data_;
  int64_t resize_delta_ = 0;
};

class SyscallContext;
class AccountSource;
struct RuntimeEnv;
class Runtime;

// The handle a builtin program gets (Agave InvokeContext): the current instruction, its
// accounts, the compute meter, the log, sysvars, native_invoke and program deployment.
class InvokeContext {
 public:
  TransactionContext& tx;
  SyscallContext& vm;  // tx-wide compute meter, logs and return data buffer
  const RuntimeEnv& env;

  InvokeContext(TransactionContext& t, SyscallContext& s, const RuntimeEnv& e, Runtime& r)
      : tx(t), vm(s), env(e), runtime_(r) {}

  // Current instruction.
  const InstructionFrame& instruction() const { return tx.current(); }
  const Pubkey& program_id() const { return tx.program_key(tx.current()); }
  std::span<const uint8_t> instruction_data() const { return tx.current().data; }
  size_t num_instruction_accounts() const { return tx.current().accounts.size(); }
  InstructionResult check_number_of_instruction_accounts(size_t n) const;  // NotEnoughAccountKeys
  Expected<BorrowedAccount, InstructionError> borrow_instruction_account(size_t i) {
    return tx.borrow_instruction_account(i);
  }
  const Pubkey* key_of_instruction_account(size_t i) const;  // nullptr: NotEnoughAccountKeys
  bool is_instruction_account_signer(size_t i) const;
  bool is_instruction_account_writable(size_t i) const;
  size_t stack_height() const { return tx.stack_height(); }

  // Compute meter and log.
  uint64_t remaining() const;
  InstructionResult consume_checked(uint64_t units);  // ComputationalBudgetExceeded
  void log(std::string msg);                          // appends a raw log line
  // Sysvar account data (bincode) by id, as the sysvar cache holds it; nullptr if unknown.
  const std::vector<uint8_t>* sysvar(const Pubkey& id) const;

  // Agave InvokeContext::native_invoke: runs `ix` as a CPI from the current (builtin) program;
  // `signers` are PDAs the caller signs for.
  InstructionResult native_invoke(const Instruction& ix, std::span<const Pubkey> signers);
  // Agave deploy_program!: loads `elf` with the deployment rules (reject_broken_elfs), verifies
  // it, then makes it the executable for `program_id` from the next slot (failures log the error
  // and return InvalidAccountData).
  InstructionResult deploy_program(const Pubkey& program_id, std::span<const uint8_t> elf, uint64_t slot);

  Runtime& runtime() { return runtime_; }

  // ---- runtime internals (message processor, BPF loader, CPI) ----
  // Agave prepare_next_instruction: resolves `ix`'s accounts against the current instruction
  // (MissingAccount), merges duplicates, rejects PrivilegeEscalation, finds the callee program
  // among the caller's accounts; fills tx.configure_next().
  InstructionResult prepare_instruction(const Instruction& ix, std::span<const Pubkey> signers);
  // push (ReentrancyNotAllowed, CallDepth, ...), run the program, pop (UnbalancedInstruction).
  InstructionResult process_instruction(uint64_t* compute_units_consumed);

  uint32_t heap_size = 32 * 1024;              // RequestHeapFrame
  const AccountSource* accounts = nullptr;     // the node's state (ProgramData of programs)
  std::vector<Pubkey> deployed_in_tx;          // programs (re)deployed by this transaction
  // Per running BPF frame: each instruction account's data length when serialized.
  std::vector<std::vector<uint64_t>> serialized_lens;

 private:
  Runtime& runtime_;
};

// The CPI syscalls (svm/cpi.cpp), registered by make_loader_v1. Outside a Runtime (no
// InvokeContext in SyscallContext::user) they fail with SyscallError "InvokeContextBorrowFailed".
Expected<uint64_t, EbpfError> sol_invoke_signed_rust(SyscallContext&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
Expected<uint64_t, EbpfError> sol_invoke_signed_c(SyscallContext&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
Expected<uint64_t, EbpfError> sol_get_processed_sibling_instruction(SyscallContext&, uint64_t, uint64_t, uint64_t,
                                                                   uint64_t, uint64_t);

}  // namespace lumio::svm
