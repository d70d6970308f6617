// Solana state as the chain stores it: accounts in Space::SvmAccount (pubkey -> encoded
// account), the sysvar accounts the node rewrites as slots open, and the Solana "receipt" of an
// executed transaction. The encodings are Lumio's own (not bincode); sysvar *data* is bincode,
// byte for byte what Solana programs read.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.hpp"
#include "state/overlay.hpp"
#include "svm/account.hpp"

namespace lumio::exec {

using SvmPubkey = std::array<uint8_t, 32>;

// Pubkey from its base58 text; aborts on a bad literal (for well-known ids only).
SvmPubkey svm_pubkey(std::string_view base58);

using SvmAccountData = svm::Account;

// lamports(u64 LE) || owner(32) || executable(1) || rent_epoch(u64 LE) || data.
Bytes encode_svm_account(const SvmAccountData& a);
std::optional<SvmAccountData> decode_svm_account(BytesView raw);  // none when malformed
std::optional<SvmAccountData> read_svm_account(const state::StateReader& r, const SvmPubkey& key);
void write_svm_account(state::BlockOverlay& o, const SvmPubkey& key, const SvmAccountData& a);

// Rent::default(): 3480 lamports per byte-year, exemption at 2 years, 128 bytes overhead.
inline uint64_t rent_exempt_minimum(uint64_t data_len) { return (128 + data_len) * 3480 * 2; }

// ---- sysvars ----
struct SvmClock {
  uint64_t slot = 0;
  int64_t epoch_start_timestamp = 0;
  uint64_t epoch = 0;
  uint64_t leader_schedule_epoch = 0;
  int64_t unix_timestamp = 0;
};
inline constexpr uint64_t kSlotsPerEpoch = 432'000;   // EpochSchedule without warmup
inline constexpr size_t kMaxSlotHashes = 512;          // slot_hashes::MAX_ENTRIES
inline constexpr size_t kMaxRecentBlockhashes = 150;   // recent_blockhashes::MAX_ENTRIES
inline constexpr uint64_t kLamportsPerSignature = 5000;

Bytes sysvar_clock_data(const SvmClock& c);
Bytes sysvar_rent_data();
Bytes sysvar_epoch_schedule_data();
Bytes sysvar_last_restart_slot_data(uint64_t slot);
Bytes sysvar_epoch_rewards_data();
Bytes sysvar_stake_history_data();
// Newest first. Data is the sysvar's fixed account size (20488 / 6008 bytes), zero-padded.
Bytes sysvar_slot_hashes_data(const std::vector<std::pair<uint64_t, SvmPubkey>>& entries);
std::vector<std::pair<uint64_t, SvmPubkey>> parse_slot_hashes(BytesView data);
Bytes sysvar_recent_blockhashes_data(const std::vector<SvmPubkey>& newest_first);
std::vector<SvmPubkey> parse_recent_blockhashes(BytesView data);

// A sysvar account (owner Sysvar1111..., rent-exempt lamports) holding `data`.
SvmAccountData sysvar_account(Bytes data);

// ---- receipts ----
struct SvmTxError {  // solana TransactionError (InstructionError inside), as data
  std::string kind;
  uint8_t index = 0;
  std::string instruction_error;
  uint32_t custom = 0;
  std::string borsh_message;
  bool operator==(const SvmTxError&) const = default;
};
struct SvmInnerInstruction {
  uint8_t program_id_index = 0;
  Bytes accounts;
  Bytes data;
  uint32_t stack_height = 0;  // 0: not recorded
};
struct SvmInnerInstructions {
  uint8_t index = 0;
  std::vector<SvmInnerInstruction> instructions;
};
struct SvmTokenBalance {
  uint8_t account_index = 0;
  SvmPubkey mint{}, owner{}, program_id{};
  uint64_t amount = 0;
  uint8_t decimals = 0;
};
struct SvmReceipt {
  std::optional<SvmTxError> err;
  uint64_t fee = 0;
  uint64_t compute_units = 0;
  std::vector<uint64_t> pre_balances, post_balances;
  std::vector<SvmTokenBalance> pre_token_balances, post_token_balances;
  std::vector<SvmInnerInstructions> inner_instructions;
  std::vector<std::string> logs;
  std::vector<SvmPubkey> loaded_writable, loaded_readonly;
  std::optional<std::pair<SvmPubkey, Bytes>> return_data;
};

// Stored next to EVM receipts (Space::Receipt): 0x02 || RLP list. EVM receipts are RLP lists
// (first byte >= 0xc0), so a reader tells them apart by the first byte.
inline constexpr uint8_t kSvmReceiptTag = 0x02;
Bytes encode_svm_receipt(const SvmReceipt& r);
SvmReceipt decode_svm_receipt(BytesView raw);  // throws rlp::Error
inline bool is_svm_receipt(BytesView raw) { return !raw.empty() && raw[0] == kSvmReceiptTag; }

// The first signature of a Solana wire transaction (its id), or none when malformed.
std::optional<std::array<uint8_t, 64>> svm_first_signature(BytesView wire);

}  // namespace lumio::exec
