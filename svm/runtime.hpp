// The Solana runtime core: from a sanitized transaction to its outcome, as Agave's svm crate
// (transaction_processor, account_loader) and program-runtime (message_processor, invoke_context,
// the BPF loader's execution path) do it: compute budget, fee payer checks and fee, account
// loading, instruction execution (builtins, BPF programs, CPI), rent-state and balance checks.
//
//   Runtime rt;                                   // knows the compute budget program
//   rt.add_builtin(ids::system_program, "system_program", 150, system_entry);
//   RuntimeEnv env;  env.slot = 42;  ...
//   TransactionOutcome out = rt.execute(tx, accounts_of_the_node, env);
//   if (out.processed) store(out.post_accounts);  // failures still charge the fee payer
//
// The runtime is pure: it reads accounts through AccountSource and returns what changed.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "svm/account.hpp"
#include "svm/alt.hpp"
#include "svm/compute_budget.hpp"
#include "svm/invoke.hpp"
#include "svm/nonce.hpp"
#include "svm/transaction.hpp"

namespace lumio::svm {

// What the node implements over its state. Accounts with 0 lamports do not exist.
class AccountSource {
 public:
  virtual ~AccountSource() = default;
  virtual std::optional<Account> get(const Pubkey& key) const = 0;
};

// solana-epoch-schedule EpochSchedule (mainnet: 432000 slots, no warmup).
struct EpochSchedule {
  uint64_t slots_per_epoch = 432'000;
  uint64_t leader_schedule_slot_offset = 432'000;
  bool warmup = false;
  uint64_t first_normal_epoch = 0;
  uint64_t first_normal_slot = 0;
  std::vector<uint8_t> encode() const;  // bincode (33 bytes)
};

// The bank-level facts a transaction executes against. The runtime generates the sysvar
// accounts (owner Sysvar1111..., rent-exempt lamports) from these.
struct RuntimeEnv {
  uint64_t slot = 0;
  uint64_t epoch = 0;
  int64_t unix_timestamp = 0;
  int64_t epoch_start_timestamp = 0;
  uint64_t leader_schedule_epoch = 1;
  Rent rent;
  EpochSchedule epoch_schedule;
  uint64_t lamports_per_signature = 5000;
  std::vector<std::pair<uint64_t, Hash>> slot_hashes;  // newest first (<= 512)
  std::vector<Hash> recent_blockhashes;                // newest first (<= 150)
  uint64_t last_restart_slot = 0;
  size_t max_account_locks = kMaxTxAccountLocks;

  // Sysvar account data (bincode), as Agave's sysvar cache serves it.
  std::vector<uint8_t> clock_data() const;
  std::vector<uint8_t> slot_hashes_data() const;
  std::vector<uint8_t> recent_blockhashes_data() const;
  std::vector<uint8_t> last_restart_slot_data() const;
  // id -> data for clock, rent, epoch_schedule, slot_hashes, recent_blockhashes,
  // last_restart_slot (the instructions sysvar is built per transaction).
  std::map<Pubkey, std::vector<uint8_t>> sysvars() const;
};

// v0 transactions: LoadedAddresses (svm/alt.hpp) are the addresses the lookup tables resolved to,
// appended after the static keys: writable first, then read-only.

// An instruction a program invoked (CPI), as RPC's innerInstructions lists it.
struct InnerInstruction {
  CompiledInstruction instruction;  // indexes into the transaction's account keys
  uint32_t stack_height = 2;
};

struct TransactionOutcome {
  // false: the transaction was dropped before fees (e.g. AccountNotFound, InsufficientFundsForFee,
  // sanitize/lock errors): nothing to commit. true: commit post_accounts, record the result.
  bool processed = false;
  // true when the instructions ran (false for fee-only failures such as ProgramAccountNotFound).
  bool executed = false;
  std::optional<TransactionError> err;
  uint64_t fee = 0;
  uint64_t compute_units_consumed = 0;
  std::vector<std::string> logs;
  std::optional<std::pair<Pubkey, std::vector<uint8_t>>> return_data;  // non-empty data only
  std::vector<std::vector<InnerInstruction>> inner_instructions;       // per top-level instruction
  std::vector<Pubkey> account_keys;                                    // static, then loaded
  std::vector<uint64_t> pre_balances, post_balances;                   // per account key
  // Accounts to store: every writable account when executed successfully; on failure only the
  // fee payer (after the fee). Accounts left with 0 lamports are to be deleted.
  std::vector<std::pair<Pubkey, Account>> post_accounts;
  LoadedAddresses loaded_addresses;
};

// A builtin program's entrypoint; the runtime charges `compute_units` before calling it
// (Agave declare_process_instruction!).
using BuiltinFn = std::function<InstructionResult(InvokeContext&)>;
struct Builtin {
  std::string name;
  uint64_t compute_units = 0;
  BuiltinFn entry;
};

class Executable;
struct Loader;

class Runtime {
 public:
  Runtime();  // registers the compute budget program (150 CU, no-op at execution)
  ~Runtime();
  // Registers (or replaces) a builtin. For bpf_loader_upgradeable this is the management
  // instruction processor (Agave charges 2370 CU); executing BPF programs is the runtime's own.
  void add_builtin(const Pubkey& program_id, std::string name, uint64_t compute_units, BuiltinFn entry);
  const Builtin* builtin(const Pubkey& program_id) const;

  // Executes one transaction. `loaded` holds the v0 lookup-table addresses (empty for legacy).
  // The transaction must already be decoded and sanitized, its signatures and blockhash checked
  // (the node's job). For a durable-nonce transaction pass check_durable_nonce()'s result: if the
  // transaction fails, the advanced nonce account is committed with the fee payer (Agave
  // RollbackAccounts).
  TransactionOutcome execute(const Transaction& tx, const AccountSource& accounts, const RuntimeEnv& env,
                             const LoadedAddresses& loaded = {}, const NonceInfo* nonce = nullptr);

  // Program cache (Agave ProgramCache): the verified executable of a program id, reused while
  // its deployment slot and ELF bytes are unchanged. Used by the BPF loader path.
  struct CachedProgram;
  std::shared_ptr<const CachedProgram> cached_program(const Pubkey& program_id, uint64_t slot,
                                                      std::span<const uint8_t> elf, std::string* error);
  void store_program(const Pubkey& program_id, std::shared_ptr<const CachedProgram> p);
  const Loader& loader() const;

 private:
  std::map<Pubkey, Builtin> builtins_;
  std::unique_ptr<Loader> loader_;
  std::mutex cache_mu_;
  std::map<Pubkey, std::shared_ptr<const CachedProgram>> cache_;
};

}  // namespace lumio::svm
