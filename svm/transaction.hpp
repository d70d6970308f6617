// Solana's transaction wire format (legacy and v0 messages), the message sanitize rules, and
// ed25519 signature verification. Layouts and error kinds follow solana-message / solana-transaction
// (Message, v0::Message, VersionedMessage, VersionedTransaction, short_vec) and Agave's
// SanitizedTransaction checks; no code was copied.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
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

// The subset of solana TransactionError this layer can produce.
enum class TransactionError : uint8_t {
  SanitizeFailure, SignatureFailure, AccountLoadedTwice, TooManyAccountLocks,
};
const char* name(TransactionError e);
const char* message(TransactionError e);  // Solana's Display text

// Wire encoding (bincode with short_vec lengths). Encoding is canonical: decode(encode(x)) == x,
// and decoding rejects every non-canonical form, so encode(decode(b)) == b.
std::vector<uint8_t> encode_message(const Message& m);
std::vector<uint8_t> encode_transaction(const Transaction& tx);  // uses tx.message, not message_bytes
Expected<Message, DecodeError> decode_message(std::span<const uint8_t> bytes);
// Whole input must be one transaction of at most kPacketDataSize bytes.
Expected<Transaction, DecodeError> decode_transaction(std::span<const uint8_t> bytes);

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
