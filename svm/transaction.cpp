#include "svm/transaction.hpp"

#include <sodium.h>

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace lumio::svm {

const char* name(DecodeError e) {
  switch (e) {
    case DecodeError::UnexpectedEnd: return "UnexpectedEnd";
    case DecodeError::ShortVecAlias: return "ShortVecAlias";
    case DecodeError::ShortVecOverflow: return "ShortVecOverflow";
    case DecodeError::ShortVecByteThreeContinues: return "ShortVecByteThreeContinues";
    case DecodeError::InvalidMessageVersion: return "InvalidMessageVersion";
    case DecodeError::TrailingBytes: return "TrailingBytes";
    case DecodeError::TooLarge: return "TooLarge";
  }
  return "?";
}

const char* name(SanitizeError e) {
  switch (e) {
    case SanitizeError::IndexOutOfBounds: return "IndexOutOfBounds";
    case SanitizeError::ValueOutOfBounds: return "ValueOutOfBounds";
    case SanitizeError::InvalidValue: return "InvalidValue";
  }
  return "?";
}

const char* message(SanitizeError e) {
  switch (e) {
    case SanitizeError::IndexOutOfBounds: return "index out of bounds";
    case SanitizeError::ValueOutOfBounds: return "value out of bounds";
    case SanitizeError::InvalidValue: return "invalid value";
  }
  return "?";
}

namespace {

struct ErrorText {
  const char* name;
  const char* message;
};

constexpr ErrorText kInstructionErrors[] = {
    {"GenericError", "generic instruction error"},
    {"InvalidArgument", "invalid program argument"},
    {"InvalidInstructionData", "invalid instruction data"},
    {"InvalidAccountData", "invalid account data for instruction"},
    {"AccountDataTooSmall", "account data too small for instruction"},
    {"InsufficientFunds", "insufficient funds for instruction"},
    {"IncorrectProgramId", "incorrect program id for instruction"},
    {"MissingRequiredSignature", "missing required signature for instruction"},
    {"AccountAlreadyInitialized", "instruction requires an uninitialized account"},
    {"UninitializedAccount", "instruction requires an initialized account"},
    {"UnbalancedInstruction", "sum of account balances before and after instruction do not match"},
    {"ModifiedProgramId", "instruction illegally modified the program id of an account"},
    {"ExternalAccountLamportSpend", "instruction spent from the balance of an account it does not own"},
    {"ExternalAccountDataModified", "instruction modified data of an account it does not own"},
    {"ReadonlyLamportChange", "instruction changed the balance of a read-only account"},
    {"ReadonlyDataModified", "instruction modified data of a read-only account"},
    {"DuplicateAccountIndex", "instruction contains duplicate accounts"},
    {"ExecutableModified", "instruction changed executable bit of an account"},
    {"RentEpochModified", "instruction modified rent epoch of an account"},
    {"NotEnoughAccountKeys", "insufficient account keys for instruction"},
    {"AccountDataSizeChanged", "program other than the account's owner changed the size of the account data"},
    {"AccountNotExecutable", "instruction expected an executable account"},
    {"AccountBorrowFailed", "instruction tries to borrow reference for an account which is already borrowed"},
    {"AccountBorrowOutstanding", "instruction left account with an outstanding borrowed reference"},
    {"DuplicateAccountOutOfSync", "instruction modifications of multiply-passed account differ"},
    {"Custom", "custom program error"},
    {"InvalidError", "program returned invalid error code"},
    {"ExecutableDataModified", "instruction changed executable accounts data"},
    {"ExecutableLamportChange", "instruction changed the balance of an executable account"},
    {"ExecutableAccountNotRentExempt", "executable accounts must be rent exempt"},
    {"UnsupportedProgramId", "Unsupported program id"},
    {"CallDepth", "Cross-program invocation call depth too deep"},
    {"MissingAccount", "An account required by the instruction is missing"},
    {"ReentrancyNotAllowed", "Cross-program invocation reentrancy not allowed for this instruction"},
    {"MaxSeedLengthExceeded", "Length of the seed is too long for address generation"},
    {"InvalidSeeds", "Provided seeds do not result in a valid address"},
    {"InvalidRealloc", "Failed to reallocate account data"},
    {"ComputationalBudgetExceeded", "Computational budget exceeded"},
    {"PrivilegeEscalation", "Cross-program invocation with unauthorized signer or writable account"},
    {"ProgramEnvironmentSetupFailure", "Failed to create program execution environment"},
    {"ProgramFailedToComplete", "Program failed to complete"},
    {"ProgramFailedToCompile", "Program failed to compile"},
    {"Immutable", "Account is immutable"},
    {"IncorrectAuthority", "Incorrect authority provided"},
    {"BorshIoError", "Failed to serialize or deserialize account data"},
    {"AccountNotRentExempt", "An account does not have enough lamports to be rent-exempt"},
    {"InvalidAccountOwner", "Invalid account owner"},
    {"ArithmeticOverflow", "Program arithmetic overflowed"},
    {"UnsupportedSysvar", "Unsupported sysvar"},
    {"IllegalOwner", "Provided owner is not allowed"},
    {"MaxAccountsDataAllocationsExceeded", "Accounts data allocations exceeded the maximum allowed per transaction"},
    {"MaxAccountsExceeded", "Max accounts exceeded"},
    {"MaxInstructionTraceLengthExceeded", "Max instruction trace length exceeded"},
    {"BuiltinProgramsMustConsumeComputeUnits", "Builtin programs must consume compute units"},
};
static_assert(std::size(kInstructionErrors) == InstructionError::BuiltinProgramsMustConsumeComputeUnits + 1);

constexpr ErrorText kTransactionErrors[] = {
    {"AccountInUse", "Account in use"},
    {"AccountLoadedTwice", "Account loaded twice"},
    {"AccountNotFound", "Attempt to debit an account but found no record of a prior credit."},
    {"ProgramAccountNotFound", "Attempt to load a program that does not exist"},
    {"InsufficientFundsForFee", "Insufficient funds for fee"},
    {"InvalidAccountForFee", "This account may not be used to pay transaction fees"},
    {"AlreadyProcessed", "This transaction has already been processed"},
    {"BlockhashNotFound", "Blockhash not found"},
    {"InstructionError", "Error processing Instruction"},
    {"CallChainTooDeep", "Loader call chain is too deep"},
    {"MissingSignatureForFee", "Transaction requires a fee but has no signature present"},
    {"InvalidAccountIndex", "Transaction contains an invalid account reference"},
    {"SignatureFailure", "Transaction did not pass signature verification"},
    {"InvalidProgramForExecution", "This program may not be used for executing instructions"},
    {"SanitizeFailure", "Transaction failed to sanitize accounts offsets correctly"},
    {"ClusterMaintenance", "Transactions are currently disabled due to cluster maintenance"},
    {"AccountBorrowOutstanding", "Transaction processing left an account with an outstanding borrowed reference"},
    {"WouldExceedMaxBlockCostLimit", "Transaction would exceed max Block Cost Limit"},
    {"UnsupportedVersion", "Transaction version is unsupported"},
    {"InvalidWritableAccount", "Transaction loads a writable account that cannot be written"},
    {"WouldExceedMaxAccountCostLimit", "Transaction would exceed max account limit within the block"},
    {"WouldExceedAccountDataBlockLimit", "Transaction would exceed account data limit within the block"},
    {"TooManyAccountLocks", "Transaction locked too many accounts"},
    {"AddressLookupTableNotFound", "Transaction loads an address table account that doesn't exist"},
    {"InvalidAddressLookupTableOwner", "Transaction loads an address table account with an invalid owner"},
    {"InvalidAddressLookupTableData", "Transaction loads an address table account with invalid data"},
    {"InvalidAddressLookupTableIndex", "Transaction address table lookup uses an invalid index"},
    {"InvalidRentPayingAccount", "Transaction leaves an account with a lower balance than rent-exempt minimum"},
    {"WouldExceedMaxVoteCostLimit", "Transaction would exceed max Vote Cost Limit"},
    {"WouldExceedAccountDataTotalLimit", "Transaction would exceed total account data limit"},
    {"DuplicateInstruction", "Transaction contains a duplicate instruction"},
    {"InsufficientFundsForRent", "Transaction results in an account"},
    {"MaxLoadedAccountsDataSizeExceeded", "Transaction exceeded max loaded accounts data size cap"},
    {"InvalidLoadedAccountsDataSizeLimit", "LoadedAccountsDataSizeLimit set for transaction must be greater than 0."},
    {"ResanitizationNeeded", "ResanitizationNeeded"},
    {"ProgramExecutionTemporarilyRestricted", "Execution of the program referenced by account at index"},
    {"UnbalancedTransaction", "Sum of account balances before and after transaction do not match"},
    {"ProgramCacheHitMaxLimit", "Program cache hit max limit"},
    {"CommitCancelled", "CommitCancelled"},
};
static_assert(std::size(kTransactionErrors) == TransactionError::CommitCancelled + 1);

}  // namespace

const char* InstructionError::name() const { return kInstructionErrors[kind].name; }

std::string InstructionError::message() const {
  if (kind == Custom) return fmt::format("custom program error: {:#x}", custom);
  return kInstructionErrors[kind].message;
}

std::string InstructionError::to_json() const {
  if (kind == Custom) return fmt::format("{{\"Custom\":{}}}", custom);
  return fmt::format("\"{}\"", name());
}

InstructionError InstructionError::from_return_code(uint64_t r0) {
  // solana-program-error: builtin errors are `n << 32`; 1 << 32 is Custom(0).
  static constexpr Kind kBuiltin[] = {
      GenericError /*0: unused*/, Custom /*1: CUSTOM_ZERO*/, InvalidArgument, InvalidInstructionData,
      InvalidAccountData, AccountDataTooSmall, InsufficientFunds, IncorrectProgramId,
      MissingRequiredSignature, AccountAlreadyInitialized, UninitializedAccount,
      NotEnoughAccountKeys, AccountBorrowFailed, MaxSeedLengthExceeded, InvalidSeeds, BorshIoError,
      AccountNotRentExempt, UnsupportedSysvar, IllegalOwner, MaxAccountsDataAllocationsExceeded,
      InvalidRealloc, MaxInstructionTraceLengthExceeded, BuiltinProgramsMustConsumeComputeUnits,
      InvalidAccountOwner, ArithmeticOverflow, Immutable, IncorrectAuthority};
  uint64_t hi = r0 >> 32;
  if (hi == 0) return InstructionError(Custom, uint32_t(r0));
  if ((r0 & 0xffffffffu) == 0 && hi >= 1 && hi < std::size(kBuiltin)) return InstructionError(kBuiltin[hi]);
  return InstructionError(InvalidError);
}

std::optional<InstructionError> InstructionError::from_name(std::string_view n) {
  for (size_t i = 0; i < std::size(kInstructionErrors); ++i)
    if (i != Custom && n == kInstructionErrors[i].name) return InstructionError(Kind(i));
  return std::nullopt;
}

std::optional<TransactionError> TransactionError::from_name(std::string_view n) {
  for (size_t i = 0; i < std::size(kTransactionErrors); ++i)
    if (n == kTransactionErrors[i].name) {
      TransactionError e{Kind(i)};
      if (e.kind == InstructionError || e.kind == DuplicateInstruction || e.kind == InsufficientFundsForRent ||
          e.kind == ProgramExecutionTemporarilyRestricted)
        return std::nullopt;  // variants with a payload
      return e;
    }
  return std::nullopt;
}

const char* name(const TransactionError& e) { return kTransactionErrors[e.kind].name; }

std::string message(const TransactionError& e) {
  switch (e.kind) {
    case TransactionError::InstructionError:
      return fmt::format("Error processing Instruction {}: {}", e.index, e.instruction.message());
    case TransactionError::DuplicateInstruction:
      return fmt::format("Transaction contains a duplicate instruction ({}) that is not allowed", e.index);
    case TransactionError::InsufficientFundsForRent:
      return fmt::format("Transaction results in an account ({}) with insufficient funds for rent", e.index);
    case TransactionError::ProgramExecutionTemporarilyRestricted:
      return fmt::format("Execution of the program referenced by account at index {} is temporarily restricted.", e.index);
    default: return kTransactionErrors[e.kind].message;
  }
}

std::string TransactionError::to_json() const {
  switch (kind) {
    case InstructionError: return fmt::format("{{\"InstructionError\":[{},{}]}}", index, instruction.to_json());
    case DuplicateInstruction: return fmt::format("{{\"DuplicateInstruction\":{}}}", index);
    case InsufficientFundsForRent:
    case ProgramExecutionTemporarilyRestricted:
      return fmt::format("{{\"{}\":{{\"account_index\":{}}}}}", kTransactionErrors[kind].name, index);
    default: return fmt::format("\"{}\"", kTransactionErrors[kind].name);
  }
}

namespace {

// ---- encoding ----

void put_len(std::vector<uint8_t>& out, size_t n) {  // compact-u16: 7 bits per byte, LSB first
  auto v = static_cast<uint16_t>(n);
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

template <size_t N>
void put_fixed(std::vector<uint8_t>& out, const std::array<uint8_t, N>& a) {
  out.insert(out.end(), a.begin(), a.end());
}

void put_bytes(std::vector<uint8_t>& out, const std::vector<uint8_t>& v) {
  put_len(out, v.size());
  out.insert(out.end(), v.begin(), v.end());
}

// ---- decoding ----

struct Reader {
  explicit Reader(std::span<const uint8_t> b) : in(b) {}
  std::span<const uint8_t> in;
  size_t pos = 0;
  std::optional<DecodeError> err;

  bool fail(DecodeError e) {
    if (!err) err = e;
    return false;
  }
  bool u8(uint8_t& v) {
    if (pos >= in.size()) return fail(DecodeError::UnexpectedEnd);
    v = in[pos++];
    return true;
  }
  template <size_t N>
  bool fixed(std::array<uint8_t, N>& a) {
    if (in.size() - pos < N) return fail(DecodeError::UnexpectedEnd);
    std::copy_n(in.begin() + pos, N, a.begin());
    pos += N;
    return true;
  }
  // short_vec length: at most 3 bytes, canonical (no zero continuation byte), fits u16.
  bool len(size_t& n) {
    uint32_t v = 0;
    for (int i = 0;; ++i) {
      uint8_t b;
      if (!u8(b)) return false;
      if (b == 0 && i > 0) return fail(DecodeError::ShortVecAlias);
      if (i == 2 && (b & 0x80)) return fail(DecodeError::ShortVecByteThreeContinues);
      v |= uint32_t(b & 0x7f) << (7 * i);
      if (v > 0xffff) return fail(DecodeError::ShortVecOverflow);
      if (!(b & 0x80)) break;
    }
    n = v;
    return true;
  }
  // Element count plus a cheap bound: n elements need at least n * min_size bytes, so hostile
  // counts fail before any allocation.
  bool count(size_t& n, size_t min_size) {
    if (!len(n)) return false;
    if (n * min_size > in.size() - pos) return fail(DecodeError::UnexpectedEnd);
    return true;
  }
  bool bytes(std::vector<uint8_t>& v) {
    size_t n;
    if (!count(n, 1)) return false;
    v.assign(in.begin() + pos, in.begin() + pos + n);
    pos += n;
    return true;
  }
  template <size_t N>
  bool fixed_vec(std::vector<std::array<uint8_t, N>>& v) {
    size_t n;
    if (!count(n, N)) return false;
    v.resize(n);
    for (auto& a : v) fixed(a);
    return true;
  }
};

bool read_message(Reader& r, Message& m) {
  uint8_t first;
  if (!r.u8(first)) return false;
  // A legacy message starts with num_required_signatures (< 128); a set top bit marks a version.
  if (first & 0x80) {
    if ((first & 0x7f) != 0) return r.fail(DecodeError::InvalidMessageVersion);
    m.v0 = true;
    if (!r.u8(m.header.num_required_signatures)) return false;
  } else {
    m.header.num_required_signatures = first;
  }
  if (!r.u8(m.header.num_readonly_signed_accounts) || !r.u8(m.header.num_readonly_unsigned_accounts) ||
      !r.fixed_vec(m.account_keys) || !r.fixed(m.recent_blockhash))
    return false;
  size_t n;
  if (!r.count(n, 3)) return false;  // program index + two empty lengths
  m.instructions.resize(n);
  for (auto& ix : m.instructions)
    if (!r.u8(ix.program_id_index) || !r.bytes(ix.accounts) || !r.bytes(ix.data)) return false;
  if (!m.v0) return true;
  if (!r.count(n, 34)) return false;  // key + two empty lengths
  m.address_table_lookups.resize(n);
  for (auto& l : m.address_table_lookups)
    if (!r.fixed(l.account_key) || !r.bytes(l.writable_indexes) || !r.bytes(l.readonly_indexes))
      return false;
  return true;
}

}  // namespace

std::vector<uint8_t> encode_message(const Message& m) {
  std::vector<uint8_t> out;
  if (m.v0) out.push_back(0x80);
  out.push_back(m.header.num_required_signatures);
  out.push_back(m.header.num_readonly_signed_accounts);
  out.push_back(m.header.num_readonly_unsigned_accounts);
  put_len(out, m.account_keys.size());
  for (auto& k : m.account_keys) put_fixed(out, k);
  put_fixed(out, m.recent_blockhash);
  put_len(out, m.instructions.size());
  for (auto& ix : m.instructions) {
    out.push_back(ix.program_id_index);
    put_bytes(out, ix.accounts);
    put_bytes(out, ix.data);
  }
  if (m.v0) {
    put_len(out, m.address_table_lookups.size());
    for (auto& l : m.address_table_lookups) {
      put_fixed(out, l.account_key);
      put_bytes(out, l.writable_indexes);
      put_bytes(out, l.readonly_indexes);
    }
  }
  return out;
}

std::vector<uint8_t> encode_transaction(const Transaction& tx) {
  std::vector<uint8_t> out;
  put_len(out, tx.signatures.size());
  for (auto& s : tx.signatures) put_fixed(out, s);
  auto msg = encode_message(tx.message);
  out.insert(out.end(), msg.begin(), msg.end());
  return out;
}

Expected<Message, DecodeError> decode_message(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  Message m;
  if (!read_message(r, m)) return *r.err;
  if (r.pos != bytes.size()) return DecodeError::TrailingBytes;
  return m;
}

Expected<Transaction, DecodeError> decode_transaction(std::span<const uint8_t> bytes, bool allow_trailing) {
  if (bytes.size() > kPacketDataSize) return DecodeError::TooLarge;
  Reader r(bytes);
  Transaction tx;
  if (!r.fixed_vec(tx.signatures)) return *r.err;
  size_t msg_start = r.pos;
  if (!read_message(r, tx.message)) return *r.err;
  if (r.pos != bytes.size() && !allow_trailing) return DecodeError::TrailingBytes;
  tx.message_bytes.assign(bytes.begin() + msg_start, bytes.begin() + r.pos);
  return tx;
}

std::optional<SanitizeError> sanitize(const Message& m) {
  const auto& h = m.header;
  size_t num_static = m.account_keys.size();
  // Signing and read-only unsigned areas must not overlap.
  if (size_t(h.num_required_signatures) + h.num_readonly_unsigned_accounts > num_static)
    return SanitizeError::IndexOutOfBounds;
  // At least one writable signer: the fee payer.
  if (h.num_readonly_signed_accounts >= h.num_required_signatures)
    return m.v0 ? SanitizeError::InvalidValue : SanitizeError::IndexOutOfBounds;
  size_t num_accounts = num_static;  // static keys + lookup-table keys
  for (auto& l : m.address_table_lookups) {
    size_t n = l.writable_indexes.size() + l.readonly_indexes.size();
    if (n == 0) return SanitizeError::InvalidValue;  // every table must load an account
    num_accounts += n;
  }
  if (m.v0) {
    if (num_static == 0) return SanitizeError::InvalidValue;
    if (num_accounts > 256) return SanitizeError::IndexOutOfBounds;  // indexes are u8
  }
  for (auto& ix : m.instructions) {
    // Program ids come from static keys only (v0: never from lookup tables); the payer is no program.
    if (ix.program_id_index >= num_static || ix.program_id_index == 0)
      return SanitizeError::IndexOutOfBounds;
    for (uint8_t a : ix.accounts)
      if (a >= num_accounts) return SanitizeError::IndexOutOfBounds;
  }
  return std::nullopt;
}

std::optional<SanitizeError> sanitize(const Transaction& tx) {
  if (auto e = sanitize(tx.message)) return e;
  size_t required = tx.message.header.num_required_signatures, n = tx.signatures.size();
  if (required > n) return SanitizeError::IndexOutOfBounds;
  if (required < n) return SanitizeError::InvalidValue;
  // Signatures are checked before lookup tables load, so every signer is a static key.
  if (n > tx.message.account_keys.size()) return SanitizeError::IndexOutOfBounds;
  return std::nullopt;
}

bool has_duplicates(const Message& m) {
  std::vector<Pubkey> keys = m.account_keys;
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

std::optional<TransactionError> validate_account_locks(const Message& m, size_t limit) {
  size_t n = m.account_keys.size();
  for (auto& l : m.address_table_lookups) n += l.writable_indexes.size() + l.readonly_indexes.size();
  if (n > limit) return TransactionError::TooManyAccountLocks;
  if (has_duplicates(m)) return TransactionError::AccountLoadedTwice;
  return std::nullopt;
}

bool verify_signatures(const Transaction& tx) {
  if (sodium_init() < 0) return false;
  if (tx.signatures.size() > tx.message.account_keys.size()) return false;
  for (size_t i = 0; i < tx.signatures.size(); ++i)
    if (crypto_sign_verify_detached(tx.signatures[i].data(), tx.message_bytes.data(),
                                    tx.message_bytes.size(), tx.message.account_keys[i].data()) != 0)
      return false;
  return true;
}

std::optional<TransactionError> validate(const Transaction& tx) {
  if (sanitize(tx)) return TransactionError::SanitizeFailure;
  if (has_duplicates(tx.message)) return TransactionError::AccountLoadedTwice;
  if (!verify_signatures(tx)) return TransactionError::SignatureFailure;
  return std::nullopt;
}

}  // namespace lumio::svm
