// Ethereum transactions: the legacy (type 0, with or without EIP-155), EIP-2930 (type 1),
// EIP-1559 (type 2) and EIP-4844 (type 3) envelopes, their signing hashes and sender recovery.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/uint256.hpp"

namespace lumio::evm {

struct AccessListEntry {
  Address address;
  std::vector<Hash32> storage_keys;
};
using AccessList = std::vector<AccessListEntry>;

struct Transaction {
  uint8_t type = 0;                  // 0, 1, 2 or 3
  std::optional<uint64_t> chain_id;  // absent only for pre-EIP-155 legacy transactions
  uint64_t nonce = 0;
  uint256 gas_price;                 // legacy and type 1; for type 2/3 equals max_fee_per_gas
  uint256 max_priority_fee_per_gas;  // type 2/3; for legacy and type 1 equals gas_price
  uint64_t gas_limit = 0;
  std::optional<Address> to;         // absent: contract creation
  uint256 value;
  Bytes data;
  AccessList access_list;
  uint256 max_fee_per_blob_gas;      // type 3
  std::vector<Hash32> blob_versioned_hashes;  // type 3
  // Signature: y parity (0/1) for typed transactions; for legacy the raw v (27/28 or
  // chain_id*2+35/36).
  uint256 v;
  Hash32 r, s;

  uint256 max_fee_per_gas() const { return gas_price; }
};

struct DecodeError {
  std::string message;  // geth's wording, e.g. "rlp: ...", "transaction type not supported"
};

// Decodes the network form (what eth_sendRawTransaction carries): a legacy RLP list or
// type-byte || RLP payload. Strict: trailing bytes, non-canonical RLP and wrong field
// counts are errors.
std::optional<Transaction> decode_transaction(BytesView raw, DecodeError* err = nullptr);
Bytes encode_transaction(const Transaction& tx);
// keccak256 of the network form.
Hash32 transaction_hash(const Transaction& tx);
// The hash that the sender signed.
Hash32 signing_hash(const Transaction& tx);
// Recovers the sender; nullopt for an invalid signature (incl. high s, bad v).
std::optional<Address> recover_sender(const Transaction& tx);
// Fills v, r, s (and, for legacy with chain_id, EIP-155 v).
void sign_transaction(Transaction& tx, const Hash32& secret);

// Intrinsic gas (Cancun): 21000 (+32000 for creation), calldata bytes 4/16, EIP-2930 access
// list costs, EIP-3860 initcode words. Saturates instead of overflowing.
uint64_t intrinsic_gas(const Transaction& tx);

}  // namespace lumio::evm
