// The Solana JSON-RPC and PubSub API (Agave's rpc.rs / rpc_pubsub.rs) over an abstract
// SolBackend.
//
// The RPC layer owns everything JSON: parameter parsing with Agave's messages, commitment and
// minContextSlot handling, account encodings (base58/base64/base64+zstd/jsonParsed, dataSlice),
// transaction encodings (json/jsonParsed/base58/base64) and meta shapes, the
// {"context":{"apiVersion","slot"},"value":…} wrapping, error codes, the preflight check of
// sendTransaction, the SPL token queries (served from the program-accounts scan) and the
// WebSocket subscriptions. The backend (node/) answers plain questions in plain structs.
//
// Threading: handlers run on the server's worker threads, so every SolBackend method may be
// called concurrently from several threads. notify_*() may be called from any thread.
//
// Errors: a backend method may throw RpcError with a Solana code (sol_code below, e.g.
// sol_error::block_not_available(slot)); it reaches the client as is. Any other exception
// becomes -32603 with its what().
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "rpc/server.hpp"
#include "svm/transaction.hpp"

namespace lumio::rpc {

using SolPubkey = std::array<uint8_t, 32>;  // == svm::Pubkey
using SolHash = std::array<uint8_t, 32>;    // blockhashes
using SolSignature = std::array<uint8_t, 64>;

// Agave's JSON-RPC error codes (rpc-client-types/src/custom_error.rs).
namespace sol_code {
constexpr int kBlockCleanedUp = -32001;
constexpr int kSendTransactionPreflightFailure = -32002;
constexpr int kTransactionSignatureVerificationFailure = -32003;
constexpr int kBlockNotAvailable = -32004;
constexpr int kNodeUnhealthy = -32005;
constexpr int kTransactionPrecompileVerificationFailure = -32006;
constexpr int kSlotSkipped = -32007;
constexpr int kNoSnapshot = -32008;
constexpr int kLongTermStorageSlotSkipped = -32009;
constexpr int kKeyExcludedFromSecondaryIndex = -32010;
constexpr int kTransactionHistoryNotAvailable = -32011;
constexpr int kScanError = -32012;
constexpr int kTransactionSignatureLenMismatch = -32013;
constexpr int kBlockStatusNotAvailableYet = -32014;
constexpr int kUnsupportedTransactionVersion = -32015;
constexpr int kMinContextSlotNotReached = -32016;
constexpr int kEpochRewardsPeriodActive = -32017;
constexpr int kSlotNotEpochBoundary = -32018;
constexpr int kLongTermStorageUnreachable = -32019;
}  // namespace sol_code

// Agave's texts for the errors a backend is most likely to raise.
namespace sol_error {
RpcError block_not_available(uint64_t slot);        // "Block not available for slot N"
RpcError slot_skipped(uint64_t slot);               // "Slot N was skipped, or missing due to ..."
RpcError long_term_storage_slot_skipped(uint64_t slot);
RpcError block_cleaned_up(uint64_t slot, uint64_t first_available);
RpcError invalid_params(std::string message);       // -32602, message as given
}  // namespace sol_error

enum class Commitment : uint8_t { kProcessed, kConfirmed, kFinalized };

// An account as stored. `rent_epoch` is u64::MAX for rent-exempt accounts on current Solana.
struct SolAccount {
  uint64_t lamports = 0;
  Bytes data;
  SolPubkey owner{};
  bool executable = false;
  uint64_t rent_epoch = 0;
};

// A value read at one bank: `slot` is the bank's slot (the response's context.slot).
template <class T>
struct SolAtSlot {
  uint64_t slot = 0;
  T value;
};

// getProgramAccounts filters (RpcFilterType). The backend may use them to narrow its scan;
// the RPC layer applies them again to what the backend returns.
struct SolAccountFilter {
  enum class Kind : uint8_t { kDataSize, kMemcmp, kTokenAccountState } kind = Kind::kDataSize;
  uint64_t data_size = 0;  // kDataSize
  size_t offset = 0;       // kMemcmp
  Bytes bytes;             // kMemcmp
  bool matches(const SolAccount& a) const;
};

// solana TransactionError (and InstructionError inside it), as data. The RPC layer renders
// serde's shapes: "AccountNotFound", {"InstructionError":[0,{"Custom":1}]},
// {"InstructionError":[1,"InvalidArgument"]}, {"DuplicateInstruction":2},
// {"InsufficientFundsForRent":{"account_index":3}}.
struct SolTxError {
  std::string kind;                     // TransactionError variant name
  uint8_t index = 0;                    // InstructionError's instruction index; the u8 of
                                        // DuplicateInstruction / InsufficientFundsForRent /
                                        // ProgramExecutionTemporarilyRestricted
  std::string instruction_error;        // InstructionError: its variant, e.g. "Custom"
  uint32_t custom = 0;                  // InstructionError::Custom(n)
  std::string borsh_message;            // InstructionError::BorshIoError(String) when non-empty
  bool operator==(const SolTxError&) const = default;
};

struct SolReturnData {
  SolPubkey program_id{};
  Bytes data;
};

// A CPI made while executing the top-level instruction `index` (solana InnerInstructions).
struct SolInnerInstruction {
  uint8_t program_id_index = 0;
  std::vector<uint8_t> accounts;  // indexes into the transaction's account keys (incl. loaded)
  Bytes data;
  std::optional<uint32_t> stack_height;
};
struct SolInnerInstructions {
  uint8_t index = 0;
  std::vector<SolInnerInstruction> instructions;
};

// An SPL token account balance before/after a transaction.
struct SolTokenBalance {
  uint8_t account_index = 0;
  SolPubkey mint{};
  std::optional<SolPubkey> owner;
  std::optional<SolPubkey> program_id;
  uint64_t amount = 0;
  uint8_t decimals = 0;
};

struct SolTxMeta {
  std::optional<SolTxError> err;
  uint64_t fee = 0;
  std::vector<uint64_t> pre_balances, post_balances;
  std::optional<std::vector<SolTokenBalance>> pre_token_balances, post_token_balances;
  std::optional<std::vector<SolInnerInstructions>> inner_instructions;  // none: not recorded
  std::optional<std::vector<std::string>> log_messages;                 // none: not recorded
  std::vector<SolPubkey> loaded_writable, loaded_readonly;  // v0 lookup-table addresses
  std::optional<SolReturnData> return_data;
  std::optional<uint64_t> compute_units_consumed;
  std::optional<uint64_t> cost_units;
};

// A committed transaction: its wire bytes (the RPC layer decodes and re-encodes them) and meta.
struct SolTxWithMeta {
  Bytes wire;
  SolTxMeta meta;
};

struct SolBlock {
  SolHash blockhash{}, previous_blockhash{};
  uint64_t parent_slot = 0;
  std::optional<uint64_t> block_height;
  std::optional<int64_t> block_time;  // unix seconds
  std::vector<SolTxWithMeta> transactions;
};

struct SolConfirmedTx {
  uint64_t slot = 0;
  std::optional<int64_t> block_time;
  SolTxWithMeta tx;
};

struct SolBlockhash {
  SolHash blockhash{};
  uint64_t last_valid_block_height = 0;
};

struct SolEpochSchedule {
  uint64_t slots_per_epoch = 432'000;
  uint64_t leader_schedule_slot_offset = 432'000;
  bool warmup = false;
  uint64_t first_normal_epoch = 0;
  uint64_t first_normal_slot = 0;
};

struct SolSignatureStatus {
  uint64_t slot = 0;
  std::optional<uint64_t> confirmations;  // none: rooted (finalized)
  std::optional<SolTxError> err;
  Commitment confirmation_status = Commitment::kProcessed;
};

struct SolSignatureInfo {  // getSignaturesForAddress
  SolSignature signature{};
  uint64_t slot = 0;
  std::optional<SolTxError> err;
  std::optional<std::string> memo;
  std::optional<int64_t> block_time;
  Commitment confirmation_status = Commitment::kFinalized;
};

struct SolPerfSample {
  uint64_t slot = 0;
  uint64_t num_transactions = 0;
  uint64_t num_non_vote_transactions = 0;
  uint64_t num_slots = 0;
  uint16_t sample_period_secs = 60;
};

struct SolPrioritizationFee {
  uint64_t slot = 0;
  uint64_t prioritization_fee = 0;  // micro-lamports per CU
};

struct SolInflationGovernor {
  double initial = 0.08, terminal = 0.015, taper = 0.15, foundation = 0.05,
         foundation_term = 7.0;
};

// Result of executing a transaction without committing it (simulateTransaction, and the
// preflight of sendTransaction).
struct SolSimulation {
  uint64_t slot = 0;  // the bank it ran on (context.slot)
  std::optional<SolTxError> err;
  std::vector<std::string> logs;
  std::vector<std::optional<SolAccount>> accounts;  // post state of SimulateOptions::accounts
  std::optional<uint64_t> units_consumed;
  std::optional<uint64_t> loaded_accounts_data_size;
  std::optional<SolReturnData> return_data;
  std::optional<std::vector<SolInnerInstructions>> inner_instructions;
  std::optional<SolBlockhash> replacement_blockhash;  // when replace_recent_blockhash
  std::optional<uint64_t> fee;
  std::vector<uint64_t> pre_balances, post_balances;
};

struct SolSimulateOptions {
  Commitment commitment = Commitment::kFinalized;
  bool replace_recent_blockhash = false;  // run with the latest blockhash instead
  std::vector<SolPubkey> accounts;        // return these accounts' post state
  bool inner_instructions = false;        // record CPIs
};

struct SolVersion {
  std::string solana_core = "2.2.0";
  uint32_t feature_set = 0;
};

class SolBackend {
 public:
  virtual ~SolBackend() = default;

  // ---- banks ----
  // The slot of the bank a commitment reads (processed >= confirmed >= finalized).
  virtual uint64_t slot(Commitment c) = 0;
  virtual uint64_t block_height(Commitment c) = 0;
  virtual uint64_t transaction_count(Commitment c) = 0;
  virtual SolEpochSchedule epoch_schedule() { return {}; }

  // ---- accounts ----
  // The account at the commitment's bank; value none when it does not exist (zero lamports).
  virtual SolAtSlot<std::optional<SolAccount>> account(const SolPubkey& key, Commitment c) = 0;
  // All of them read from one bank.
  virtual SolAtSlot<std::vector<std::optional<SolAccount>>> accounts(
      std::span<const SolPubkey> keys, Commitment c) {
    SolAtSlot<std::vector<std::optional<SolAccount>>> out;
    for (auto& k : keys) {
      auto a = account(k, c);
      out.slot = a.slot;
      out.value.push_back(std::move(a.value));
    }
    return out;
  }
  // Calls `visit` for each account owned by `program` at the commitment's bank (a superset of
  // those matching `filters` is fine) and returns the bank's slot.
  virtual uint64_t scan_program_accounts(
      const SolPubkey& program, Commitment c, std::span<const SolAccountFilter> filters,
      const std::function<void(const SolPubkey&, const SolAccount&)>& visit) = 0;
  // Rent::default().minimum_balance unless the chain's rent differs.
  virtual uint64_t minimum_balance_for_rent_exemption(uint64_t data_len) {
    return (128 + data_len) * 3480 * 2;
  }

  // ---- blockhashes and fees ----
  virtual SolAtSlot<SolBlockhash> latest_blockhash(Commitment c) = 0;
  virtual SolAtSlot<bool> is_blockhash_valid(const SolHash& h, Commitment c) = 0;
  // Fee the bank would charge for `m`; value none when its blockhash is unknown/expired.
  virtual SolAtSlot<std::optional<uint64_t>> fee_for_message(const svm::Message& m,
                                                             Commitment c) = 0;
  // Recent per-slot minimum prioritization fees of transactions locking any of `accounts`
  // (all transactions when empty), oldest first.
  virtual std::vector<SolPrioritizationFee> recent_prioritization_fees(
      std::span<const SolPubkey> accounts) {
    return {};
  }

  // ---- blocks ----
  // The block at `slot` if it is known at the commitment. None when not (the RPC layer
  // answers BlockNotAvailable above the commitment's slot, BlockCleanedUp below
  // first_available_block(), SlotSkipped otherwise).
  virtual std::optional<SolBlock> block(uint64_t slot, Commitment c) = 0;
  // Slots that have blocks in [start, end] (end already clamped to the commitment's slot).
  virtual std::vector<uint64_t> blocks(uint64_t start, uint64_t end, Commitment c) = 0;
  virtual std::optional<int64_t> block_time(uint64_t slot) = 0;
  virtual uint64_t first_available_block() { return 0; }
  virtual uint64_t minimum_ledger_slot() { return first_available_block(); }

  // ---- transactions ----
  // One entry per signature; none when unknown. Without `search_history` only recent
  // statuses (the status cache) need be consulted.
  virtual std::vector<std::optional<SolSignatureStatus>> signature_statuses(
      std::span<const SolSignature> sigs, bool search_history) = 0;
  // Newest first, starting after `before` (exclusive), stopping at `until` (exclusive), at
  // most `limit`, at the commitment (confirmed or finalized).
  virtual std::vector<SolSignatureInfo> signatures_for_address(
      const SolPubkey& address, std::optional<SolSignature> before,
      std::optional<SolSignature> until, size_t limit, Commitment c) = 0;
  virtual std::optional<SolConfirmedTx> transaction(const SolSignature& sig, Commitment c) = 0;

  // Admits a transaction the RPC layer has decoded, sanitized and (unless skipPreflight)
  // signature-checked and simulated. Rejections: throw RpcError.
  virtual void send_transaction(const svm::Transaction& tx, std::optional<size_t> max_retries) = 0;
  // Executes without committing. The RPC layer checks signatures itself when sigVerify.
  virtual SolSimulation simulate_transaction(const svm::Transaction& tx,
                                             const SolSimulateOptions& opts) = 0;
  // Funds `to` from a faucet; returns the airdrop transaction's signature.
  virtual SolSignature request_airdrop(const SolPubkey& to, uint64_t lamports, Commitment c) {
    throw RpcError(-32600, "Invalid request");
  }

  // ---- node ----
  virtual SolHash genesis_hash() = 0;
  virtual SolPubkey identity() = 0;
  virtual SolPubkey slot_leader(Commitment c) { return identity(); }
  virtual SolVersion version() { return {}; }
  // Empty when healthy; otherwise the number of slots behind (NodeUnhealthy).
  virtual std::optional<uint64_t> unhealthy_slots_behind() { return std::nullopt; }
  virtual std::vector<SolPerfSample> performance_samples(size_t limit) { return {}; }
  virtual SolInflationGovernor inflation_governor(Commitment c) { return {}; }
};

// ---- events pushed by the node (PubSub) ----

// A transaction that reached a commitment level.
struct SolTxEvent {
  SolSignature signature{};
  uint64_t slot = 0;
  std::optional<SolTxError> err;
  std::vector<std::string> logs;
  std::vector<SolPubkey> mentioned;  // every account key of the transaction (incl. loaded)
  bool is_vote = false;
};

struct SolAccountChange {
  SolPubkey pubkey{};
  SolAccount account;  // post state (zero lamports and no data once closed)
};

struct SolApiOptions {
  std::string api_version = "2.2.0";              // context.apiVersion
  size_t max_multiple_accounts = 100;             // getMultipleAccounts
  size_t max_signature_statuses = 256;            // getSignatureStatuses
  size_t max_signatures_for_address = 1000;       // getSignaturesForAddress limit
  uint64_t max_block_range = 500'000;             // getBlocks / getBlocksWithLimit
  size_t max_prioritization_fee_accounts = 128;   // getRecentPrioritizationFees
  size_t max_perf_samples = 720;                  // getRecentPerformanceSamples
  uint64_t max_airdrop_lamports = 0;              // 0: any amount (the backend decides)
  bool full_api = true;                           // Agave's --full-rpc-api method set
};

// Registers the methods on `server` (before server.start()) and fans out node events to
// WebSocket subscriptions. Must outlive the server's running period.
class SolApi {
 public:
  SolApi(Server& server, SolBackend& backend, SolApiOptions opts = {});
  ~SolApi();

  // The events below go to subscribers whose commitment is `reached`. A node whose
  // blocks are final at once may use the overloads without a commitment (all levels).
  // A new bank (slotSubscribe: {parent, root, slot}); call in slot order.
  void notify_slot(uint64_t slot, uint64_t parent, uint64_t root);
  // A new root (rootSubscribe).
  void notify_root(uint64_t root);
  // Transactions of `slot` (signatureSubscribe, logsSubscribe).
  void notify_transactions(std::span<const SolTxEvent> txs, Commitment reached);
  void notify_transactions(std::span<const SolTxEvent> txs);
  // Accounts written at `slot` (accountSubscribe, programSubscribe).
  void notify_accounts(uint64_t slot, std::span<const SolAccountChange> changes,
                       Commitment reached);
  void notify_accounts(uint64_t slot, std::span<const SolAccountChange> changes);
  // A transaction entered the node (signatureSubscribe with enableReceivedNotification).
  void notify_signature_received(const SolSignature& sig, uint64_t slot);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumio::rpc
