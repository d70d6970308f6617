// Lumio blocks, transactions and receipts as the chain stores them, and their Ethereum
// views. One Lumio block orders transactions of every VM; the Ethereum view of a block is
// its header in Ethereum's shape, whose keccak is the block hash every client sees.
#pragma once
#include <optional>
#include <vector>

#include "common/bloom.hpp"
#include "common/bytes.hpp"
#include "common/uint256.hpp"

namespace lumio::exec {

enum class Vm : uint8_t { Evm = 1, Svm = 2, Move = 3 };

using lumio::Bloom;

struct Log {
  Address address;
  std::vector<Hash32> topics;
  Bytes data;
};

struct BlockHeader {
  uint64_t number = 0;
  Hash32 parent_hash;
  uint64_t timestamp = 0;
  Address coinbase;
  uint64_t gas_limit = 0;
  uint64_t gas_used = 0;
  uint256 base_fee;
  Hash32 prev_randao;
  Hash32 state_commitment;  // one commitment over every VM's state (state/commitment.hpp)
  Hash32 evm_state_root;    // the Ethereum MPT root of the EVM accounts
  Hash32 transactions_root;
  Hash32 receipts_root;
  Bloom logs_bloom;
  // The Solana slot this block belongs to (node/README: slots). Part of the storage encoding
  // only, not of the Ethereum header: a slot is a clock reading, not consensus data of the
  // Ethereum view, and leaving it out keeps Ethereum block hashes as they were.
  uint64_t slot = 0;

  // Ethereum (Cancun) header RLP: the state commitment rides in extraData, so the Ethereum
  // block hash commits to every VM's state.
  Bytes eth_rlp() const;
  Hash32 hash() const;  // keccak256(eth_rlp())
};

struct TxRecord {
  Vm vm = Vm::Evm;
  Hash32 hash;
  Bytes raw;     // the transaction in its ecosystem's wire format
  Bytes sender;  // the account key in its VM's format
};

struct Receipt {
  uint8_t tx_type = 0;  // EVM envelope type
  bool success = false;
  uint64_t gas_used = 0;
  uint64_t cumulative_gas_used = 0;
  std::vector<Log> logs;
  std::optional<Address> contract_address;
  uint256 effective_gas_price;
  Bytes output;  // return or revert data (not part of the consensus encoding)
  uint32_t first_log_index = 0;  // block-wide index of this receipt's first log

  // Ethereum consensus encoding: type || RLP[status, cumulativeGas, bloom, logs].
  Bytes eth_consensus_rlp() const;
  Bloom bloom() const;
};

struct Block {
  BlockHeader header;
  std::vector<TxRecord> txs;
};

Bloom logs_bloom(const std::vector<Log>& logs);

// Storage encodings (RLP). decode_* throw rlp::Error on corrupt data. A block is
// [number, parent, ..., logs_bloom, txs, slot]; blocks written before slots existed have no
// trailing slot and decode with slot 0.
Bytes encode_block(const Block& b);
Block decode_block(BytesView raw);
Bytes encode_receipt(const Receipt& r);
Receipt decode_receipt(BytesView raw);

// Ethereum roots of a block's EVM part: MPT over RLP(index) -> item.
Hash32 ordered_root(const std::vector<Bytes>& items);

}  // namespace lumio::exec
