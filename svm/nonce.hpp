// Durable nonce accounts (solana-nonce: state::{Versions, State, Data, DurableNonce}) and the
// transaction-age rule that lets a transaction use a nonce account's stored value instead of a
// recent blockhash (Agave check_transactions / validate_transaction_nonce_and_fee_payer).
#pragma once
#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "svm/alt.hpp"
#include "svm/program.hpp"
#include "svm/sbpf.hpp"
#include "svm/transaction.hpp"

namespace lumio::svm {

// DurableNonce::from_blockhash: sha256("DURABLE_NONCE" || blockhash).
Hash durable_nonce_from_blockhash(const Hash& blockhash);

struct NonceData {
  Pubkey authority{};
  Hash durable_nonce{};
  uint64_t lamports_per_signature = 0;  // FeeCalculator
  bool operator==(const NonceData&) const = default;
};

// Versions { Legacy(State), Current(State) }, State { Uninitialized, Initialized(Data) }.
// bincode: u32 version tag, u32 state tag, then Data (32 + 32 + 8). Always 80 bytes on chain.
struct NonceVersions {
  bool legacy = false;
  std::optional<NonceData> data;  // nullopt = Uninitialized
  bool operator==(const NonceVersions&) const = default;
};
inline constexpr size_t kNonceStateSize = 80;

// Account data -> state (bincode, trailing bytes allowed); nullopt = InvalidAccountData.
std::optional<NonceVersions> decode_nonce(std::span<const uint8_t> data);
std::vector<uint8_t> encode(const NonceVersions& v);  // 8 bytes when Uninitialized, 80 when Initialized

// Versions::upgrade: Legacy(Initialized) -> Current with the durable nonce re-derived from the
// stored (legacy, raw blockhash) value; anything else -> nullopt (the instruction fails with
// InvalidArgument).
std::optional<NonceVersions> upgrade(const NonceVersions& v);

// Versions::verify_recent_blockhash: only Current(Initialized) nonces whose durable nonce equals
// the message's recent_blockhash are usable.
std::optional<NonceData> verify_recent_blockhash(const NonceVersions& v, const Hash& recent_blockhash);

// The instruction a durable-nonce transaction must start with: index 0 must invoke the System
// Program with AdvanceNonceAccount (tag 4, at least 4 data bytes) and name at least one account;
// returns the nonce account's message index (Agave SVMMessage::get_durable_nonce). Agave also
// requires that account to be writable (the caller checks with its writability rules).
std::optional<uint8_t> durable_nonce_account_index(const Message& m);

// Agave check_load_and_advance_message_nonce_account, used when a message's recent_blockhash is
// not in the blockhash queue. The message qualifies if its recent_blockhash is not the durable
// nonce of the current bank (`last_blockhash`), instruction 0 advances a writable, system-owned,
// Current+Initialized nonce account whose stored nonce equals the message's recent_blockhash,
// and the nonce authority signs instruction 0. The advanced state (next durable nonce, current
// lamports_per_signature) is committed even if the transaction then fails.
// nullopt -> TransactionError::BlockhashNotFound.
struct NonceInfo {
  uint8_t index = 0;            // the nonce account's position in the message keys
  Pubkey address{};
  NonceData previous;           // as stored (previous.lamports_per_signature prices the fee)
  std::vector<uint8_t> advanced_data;  // the account's new data (same length as before)
};
std::optional<NonceInfo> check_durable_nonce(const Message& m, const std::function<bool(size_t)>& is_writable,
                                             const TableAccountSource& accounts, const Hash& last_blockhash,
                                             uint64_t lamports_per_signature);

}  // namespace lumio::svm
