// Solana's transaction wire format (legacy and v0 messages), the message sanitize rules, and
// ed25519 signature verification. Layouts and error kinds follow solana-message / solana-transaction
// (Message, v0::Message, VersionedMessage, VersionedTransaction, short_vec) and Agave's
// SanitizedTransaction checks; no code was copied.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "svm/program.hpp"
#include "svm/sbpf.hpp"

namespace lumio::svm {

using Signature = std::array<uint8_t, 64>;
using Hash = std::array<uint8_t, 32>;

// Largest transaction Solana accepts (PACKET_DATA_SIZE: 1280 IPv6 MTU - 48 header bytes).
inline constexpr size_t kPacketDataSize = 1232;

struct MessageHeader {
  uint8_t num_required_signatures = 0;
  uint8_t num_readonly_signed_accounts = 0;
  uint8_t num_readonly_unsigned_accounts = 0;
  bool operator==(const MessageHeader&) const = default;
};

struct CompiledInstruction {
  uint8_t program_id_index = 0;
  std::vector<uint8_t> accounts;  // indexes into the message's account keys
  std::vector<uint8_t> data;
  bool operator==(const CompiledInstruction&) const = default;
};

// v0 only: accounts loaded from an address lookup table account.
struct AddressTableLookup {
  Pubkey account_key{};
  std::vector<uint8_t> writable_indexes;
  std::vector<uint8_t> readonly_indexes;
  bool operator==(const AddressTableLookup&) const = default;
};

struct Message {
  bool v0 = false;  // false: legacy; true: version 0 (prefix byte 0x80)
  MessageHeader header;
  std::vector<Pubkey> account_keys;  // static keys
  Hash recent_blockhash{};
  std::vector<CompiledInstruction> instructions;
  std::vector<AddressTableLookup> address_table_lookups;  // always empty for legacy
  bool operator==(const Message&) const = default;
};

struct Transaction {
  std::vector<Signature> signatures;
  Message message;
  std::vector<uint8_t> message_bytes;  // the serialized message: exactly what each signer signed
};

// Why bytes are not a transaction (bincode + short_vec deserialization failures).
enum class DecodeError : uint8_t {
  UnexpectedEnd,            // bincode "io error: unexpected end of file"
  ShortVecAlias,            // compact-u16 with a redundant zero continuation byte
  ShortVecOverflow,         // compact-u16 value above u16::MAX
  ShortVecByteThreeContinues,  // third compact-u16 byte has its continuation bit set
  InvalidMessageVersion,    // version prefix other than 0x80 (v0)
  TrailingBytes,            // bytes left after the transaction
  TooLarge,                 // more than kPacketDataSize bytes
};
const char* name(DecodeError e);

// solana_sanitize::SanitizeError. Display texts: "index out of bounds", "value out of bounds",
// "invalid value".
enum class SanitizeError : uint8_t { IndexOutOfBounds, ValueOutOfBounds, InvalidValue };
const char* name(SanitizeError e);
const char* message(SanitizeError e);

// solana_instruction::error::InstructionError, variants in Agave's order (the order is the bincode
// tag). Custom carries the program's u32 code.
struct InstructionError {
  enum Kind : uint8_t {
    GenericError, InvalidArgument, InvalidInstructionData, InvalidAccountData, AccountDataTooSmall,
    InsufficientFunds, IncorrectProgramId, MissingRequiredSignature, AccountAlreadyInitialized,
    UninitializedAccount, UnbalancedInstruction, ModifiedProgramId, ExternalAccountLamportSpend,
    ExternalAccountDataModified, ReadonlyLamportChange, ReadonlyDataModified, DuplicateAccountIndex,
    ExecutableModified, RentEpochModified, NotEnoughAccountKeys, AccountDataSizeChanged,
    AccountNotExecutable, AccountBorrowFailed, AccountBorrowOutstanding, DuplicateAccountOutOfSync,
    Custom, InvalidError, ExecutableDataModified, ExecutableLamportChange,
    ExecutableAccountNotRentExempt, UnsupportedProgramId, CallDepth, MissingAccount,
    ReentrancyNotAllowed, MaxSeedLengthExceeded, InvalidSeeds, InvalidRealloc,
    ComputationalBudgetExceeded, PrivilegeEscalation, ProgramEnvironmentSetupFailure,
    ProgramFailedToComplete, ProgramFailedToCompile, Immutable, IncorrectAuthority, BorshIoError,
    AccountNotRentExempt, InvalidAccountOwner, ArithmeticOverflow, UnsupportedSysvar, IllegalOwner,
    MaxAccountsDataAllocationsExceeded, MaxAccountsExceeded, MaxInstructionTraceLengthExceeded,
    BuiltinProgramsMustConsumeComputeUnits,
  };
  InstructionError(Kind k = GenericError, uint32_t code = 0) : kind(k), custom(code) {}
  Kind kind;
  uint32_t custom = 0;  // Custom only
  bool operator==(const InstructionError& o) const { return kind == o.kind && (kind != Custom || custom == o.custom); }

  const char* name() const;     // variant name, e.g. "InvalidArgument", "Custom"
  std::string message() const;  // Display, e.g. "custom program error: 0x1"
  std::string to_json() const;  // serde shape: "InvalidArgument" or {"Custom":1}
  // A program's non-zero return value (r0) as Agave converts it (solana-program-error
  // builtin codes `n << 32`; other values with the upper half set -> InvalidError).
  static InstructionError from_return_code(uint64_t r0);
  // Looks a variant up by name (unit variants only); nullopt if none has that name.
  static std::optional<InstructionError> from_name(std::string_view name);
};

// solana_transaction_error::TransactionError, variants in Agave's order. `index` is the
// instruction index of InstructionError / DuplicateInstruction and the account_index of
// InsufficientFundsForRent / ProgramExecutionTemporarilyRestricted.
struct TransactionError {
  enum Kind : uint8_t {
    AccountInUse, AccountLoadedTwice, AccountNotFound, ProgramAccountNotFound,
    InsufficientFundsForFee, InvalidAccountForFee, AlreadyProcessed, BlockhashNotFound,
    InstructionError, CallChainTooDeep, MissingSignatureForFee, InvalidAccountIndex,
    SignatureFailure, InvalidProgramForExecution, SanitizeFailure, ClusterMaintenance,
    AccountBorrowOutstanding, WouldExceedMaxBlockCostLimit, UnsupportedVersion,
    InvalidWritableAccount, WouldExceedMaxAccountCostLimit, WouldExceedAccountDataBlockLimit,
    TooManyAccountLocks, AddressLookupTableNotFound, InvalidAddressLookupTableOwner,
    InvalidAddressLookupTableData, InvalidAddressLookupTableIndex, InvalidRentPayingAccount,
    WouldExceedMaxVoteCostLimit, WouldExceedAccountDataTotalLimit, DuplicateInstruction,
    InsufficientFundsForRent, MaxLoadedAccountsDataSizeExceeded,
    InvalidLoadedAccountsDataSizeLimit, ResanitizationNeeded, ProgramExecutionTemporarilyRestricted,
    UnbalancedTransaction, ProgramCacheHitMaxLimit, CommitCancelled,
  };
  TransactionError(Kind k = AccountInUse, uint8_t i = 0) : kind(k), index(i) {}
  TransactionError(uint8_t instruction_index, svm::InstructionError e)
      : kind(InstructionError), index(instruction_index), instruction(e) {}
  Kind kind;
  uint8_t index = 0;
  svm::InstructionError instruction;  // InstructionError only
  bool operator==(const TransactionError& o) const {
    return kind == o.kind && index == o.index && (kind != InstructionError || instruction == o.instruction);
  }
  // JSON as Solana's RPC prints it (serde externally tagged): "AccountNotFound",
  // {"InstructionError":[0,{"Custom":1}]}, {"DuplicateInstruction":2},
  // {"InsufficientFundsForRent":{"account_index":1}}.
  std::string to_json() const;
  // Looks a variant without payload up by name; nullopt if none has that name.
  static std::optional<TransactionError> from_name(std::string_view name);
};
const char* name(const TransactionError& e);     // variant name
std::string message(const TransactionError& e);  // Solana's Display text

// Wire encoding (bincode with short_vec lengths). Encoding is canonical: decode(encode(x)) == x,
// and decoding rejects every non-canonical form, so encode(decode(b)) == b.
std::vector<uint8_t> encode_message(const Message& m);
std::vector<uint8_t> encode_transaction(const Transaction& tx);  // uses tx.message, not message_bytes
Expected<Message, DecodeError> decode_message(std::span<const uint8_t> bytes);
// Whole input must be one transaction of at most kPacketDataSize bytes.
// `allow_trailing`: ignore bytes after the transaction, as Agave's RPC decoder does (bincode
// allow_trailing_bytes); the node stores the canonical re-encoding.
Expected<Transaction, DecodeError> decode_transaction(std::span<const uint8_t> bytes, bool allow_trailing = false);

// Message::sanitize (legacy) / v0::Message::sanitize: header vs keys, program id and account
// index rules, lookup table rules.
std::optional<SanitizeError> sanitize(const Message& m);
// VersionedTransaction::sanitize: the message, then signature count vs header and static keys.
std::optional<SanitizeError> sanitize(const Transaction& tx);
// Any static account key listed twice (lookup-table keys need the table contents: not checked).
bool has_duplicates(const Message& m);

// ed25519 over message_bytes for every signature i against account key i (libsodium, which like
// Solana's verify_strict rejects non-canonical S and small-order R/A). Call only after sanitize.
bool verify_signatures(const Transaction& tx);

// Most accounts one transaction may lock (MAX_TX_ACCOUNT_LOCKS); a bank may set a lower limit.
inline constexpr size_t kMaxTxAccountLocks = 128;

// Agave's validate_account_locks, run before execution: more keys (static + lookup indexes) than
// `limit` -> TooManyAccountLocks, then duplicate static keys -> AccountLoadedTwice.
std::optional<TransactionError> validate_account_locks(const Message& m,
                                                       size_t limit = kMaxTxAccountLocks);

// Checks in Agave's order for a transaction arriving over RPC: sanitize -> SanitizeFailure,
// duplicate keys -> AccountLoadedTwice, signatures -> SignatureFailure.
std::optional<TransactionError> validate(const Transaction& tx);

}  // namespace lumio::svm
