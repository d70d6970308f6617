// The Ethereum JSON-RPC namespace (eth_, net_, web3_, debug_trace*, and the Hardhat/Anvil dev
// methods) with geth's result shapes and error texts, served over an abstract EthBackend.
//
// The RPC layer parses and validates parameters, resolves block tags, formats results
// (quantities "0x0"/"0x1f", data "0x…", null for missing), filters logs, and runs filters and
// WebSocket subscriptions. The backend (implemented by node/) answers plain questions in
// plain structs and never sees JSON, except for tracer output which is JSON by nature.
//
// Threading: handlers run on the server's worker threads, so every EthBackend method may be
// called concurrently from several threads. notify_*() may be called from any thread.
//
// Errors: a backend method may throw RpcError (e.g. {-32000, "nonce too low"}); it reaches
// the client as is. Any other exception becomes -32603 with its what().
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bloom.hpp"
#include "common/bytes.hpp"
#include "common/uint256.hpp"
#include "rpc/server.hpp"

namespace lumio::rpc {

using lumio::Bloom;

struct EthAccessTuple {
  Address address;
  std::vector<Hash32> storage_keys;
};

struct EthAuthorization {  // EIP-7702
  uint256 chain_id;
  Address address;
  uint64_t nonce = 0;
  uint8_t y_parity = 0;
  uint256 r, s;
};

// A log as stored with its receipt. Positions are block-wide (log_index) and in-block
// (tx_index), as in Ethereum.
struct EthLog {
  Address address;
  std::vector<Hash32> topics;
  Bytes data;
  uint64_t block_number = 0;
  Hash32 block_hash;
  uint64_t block_timestamp = 0;  // shown as "blockTimestamp" (geth >= 1.16)
  Hash32 tx_hash;
  uint64_t tx_index = 0;
  uint64_t log_index = 0;
  bool removed = false;
};

// A transaction, signed. For type 0/1 `gas_price` is the price; for type 2/3/4 the fee caps
// apply and `gas_price` is ignored (the RPC layer derives geth's "gasPrice": the effective
// price when mined, max_fee_per_gas while pending).
struct EthTx {
  uint8_t type = 0;
  Hash32 hash;
  Address from;
  std::optional<Address> to;  // none: contract creation
  uint64_t nonce = 0;
  uint64_t gas = 0;
  uint256 value;
  Bytes input;
  uint256 gas_price;
  uint256 max_fee_per_gas, max_priority_fee_per_gas;
  uint256 max_fee_per_blob_gas;
  std::vector<Hash32> blob_versioned_hashes;
  std::vector<EthAccessTuple> access_list;
  std::vector<EthAuthorization> authorization_list;
  std::optional<uint64_t> chain_id;  // none only for pre-EIP-155 legacy transactions
  uint256 v;                         // legacy: 27/28 or chain_id*2+35/36; typed: y parity
  uint256 r, s;
  // Inclusion. Unset while pending. Inside an EthBlock the RPC layer fills these itself.
  std::optional<uint64_t> block_number;
  Hash32 block_hash;
  uint64_t index = 0;
  std::optional<uint256> block_base_fee;  // needed for the effective gasPrice of type >= 2
};

struct EthReceipt {
  uint8_t type = 0;
  Hash32 tx_hash;
  uint64_t tx_index = 0;
  Hash32 block_hash;
  uint64_t block_number = 0;
  Address from;
  std::optional<Address> to;
  std::optional<Address> contract_address;  // set for a successful or failed creation
  uint64_t cumulative_gas_used = 0;
  uint64_t gas_used = 0;
  uint256 effective_gas_price;
  bool status = true;
  std::vector<EthLog> logs;  // logsBloom is computed from these
  std::optional<uint64_t> blob_gas_used;  // type 3 only
  std::optional<uint256> blob_gas_price;
};

// A block header plus its transactions. When a backend is asked for a block without full
// transactions it may fill only EthTx::hash of each transaction.
struct EthBlock {
  uint64_t number = 0;
  Hash32 hash, parent_hash;
  Hash32 sha3_uncles;  // keccak(RLP([])) for every post-merge block
  Address miner;
  Hash32 state_root, transactions_root, receipts_root;
  Bloom logs_bloom;
  uint256 difficulty;
  uint64_t gas_limit = 0, gas_used = 0, timestamp = 0;
  Bytes extra_data;
  Hash32 mix_hash;
  uint64_t nonce = 0;  // 8-byte header nonce
  std::optional<uint256> base_fee_per_gas;
  std::optional<Hash32> withdrawals_root;  // when set, "withdrawals": [] is shown too
  std::optional<uint64_t> blob_gas_used, excess_blob_gas;
  std::optional<Hash32> parent_beacon_block_root;
  std::optional<Hash32> requests_hash;
  uint64_t size = 0;  // RLP size of the block in bytes
  std::vector<EthTx> transactions;
};

// A state to read: a mined block, or the pending state on top of the latest block (for
// nonces: including the mempool's ready transactions).
struct StateRef {
  uint64_t number = 0;
  bool pending = false;
};

// geth's TransactionArgs, as given to eth_call, eth_estimateGas and eth_sendTransaction.
// Unset fields keep geth's defaults, which the backend applies (from = zero address,
// gas = block gas limit or cap, fees = 0 for calls, nonce = the account's).
struct CallRequest {
  std::optional<Address> from, to;
  std::optional<uint64_t> gas;
  std::optional<uint256> gas_price, max_fee_per_gas, max_priority_fee_per_gas;
  std::optional<uint256> max_fee_per_blob_gas;
  std::optional<uint256> value;
  std::optional<uint64_t> nonce;
  std::optional<Bytes> input;  // "input" or (legacy) "data"
  std::optional<std::vector<EthAccessTuple>> access_list;
  std::vector<Hash32> blob_versioned_hashes;
  std::vector<EthAuthorization> authorization_list;
  std::optional<uint64_t> chain_id;
  std::optional<uint8_t> type;
};

// Per-account overrides for eth_call/eth_estimateGas. `state` replaces all storage,
// `state_diff` patches it (never both: the RPC layer rejects that).
struct AccountOverride {
  std::optional<uint256> balance;
  std::optional<uint64_t> nonce;
  std::optional<Bytes> code;
  std::optional<std::vector<std::pair<Hash32, Hash32>>> state;
  std::vector<std::pair<Hash32, Hash32>> state_diff;
};
using StateOverrides = std::vector<std::pair<Address, AccountOverride>>;

// Optional block-context overrides (eth_call's 4th parameter).
struct BlockOverrides {
  std::optional<uint64_t> number, time, gas_limit;
  std::optional<Address> coinbase;
  std::optional<Hash32> prev_randao;
  std::optional<uint256> base_fee;
};

struct CallResult {
  enum class Status { kSuccess, kRevert, kError } status = Status::kSuccess;
  Bytes output;          // return data, or revert data
  uint64_t gas_used = 0; // eth_estimateGas: the estimate
  std::string error;     // kError: geth's text, e.g. "out of gas", "insufficient funds for ..."
};

// The address-and-topics part of a log query. Empty `addresses` matches any; topics[i]
// empty matches any topic at i; otherwise any of the listed (OR).
struct LogFilter {
  std::vector<Address> addresses;
  std::vector<std::vector<Hash32>> topics;
  bool matches(const EthLog& log) const;
};

class EthBackend {
 public:
  virtual ~EthBackend() = default;

  // ---- chain ----
  virtual uint64_t chain_id() = 0;
  virtual uint64_t block_number() = 0;  // latest committed block
  virtual uint64_t finalized_block_number() { return block_number(); }  // "safe", "finalized"
  virtual uint64_t earliest_block_number() { return 0; }
  virtual std::optional<EthBlock> block_by_number(uint64_t number, bool full_txs) = 0;
  virtual std::optional<EthBlock> block_by_hash(const Hash32& hash, bool full_txs) = 0;
  // A mined transaction (with block_number/hash/index/base fee set) or a pending one.
  virtual std::optional<EthTx> transaction_by_hash(const Hash32& hash) = 0;
  virtual std::optional<EthReceipt> receipt(const Hash32& tx_hash) = 0;
  virtual std::optional<std::vector<EthReceipt>> block_receipts(uint64_t number) = 0;
  // Logs of blocks [from, to] (both <= block_number()), in order. May return a superset of
  // what `filter` matches (e.g. a bloom false positive); the RPC layer filters again.
  virtual std::vector<EthLog> logs(uint64_t from, uint64_t to, const LogFilter& filter) = 0;

  // ---- state ----
  virtual uint256 balance(const Address& a, StateRef at) = 0;
  virtual uint64_t nonce(const Address& a, StateRef at) = 0;
  virtual Bytes code(const Address& a, StateRef at) = 0;
  virtual Hash32 storage(const Address& a, const Hash32& slot, StateRef at) = 0;

  // ---- execution ----
  virtual CallResult call(const CallRequest& req, StateRef at, const StateOverrides& state,
                          const BlockOverrides& block) = 0;
  // The smallest gas limit that lets the call succeed; kRevert/kError as for call().
  virtual CallResult estimate_gas(const CallRequest& req, StateRef at,
                                  const StateOverrides& state) = 0;

  // ---- fees ----
  virtual uint256 gas_price() = 0;
  virtual uint256 max_priority_fee_per_gas() = 0;
  // Base fee of the block after the latest (eth_feeHistory's last entry).
  virtual uint256 next_base_fee() = 0;
  virtual uint256 blob_base_fee() { return uint256(1); }  // eth_blobBaseFee

  // ---- transactions ----
  // Decodes, verifies and admits a signed transaction; returns its hash. Rejections throw
  // RpcError with geth's text (e.g. -32000 "nonce too low", "already known").
  virtual Hash32 send_raw_transaction(BytesView raw) = 0;
  // Fills defaults, signs for a dev or impersonated `from` and admits; returns the hash.
  // Unknown sender: throw RpcError(-32000, "unknown account").
  virtual Hash32 send_transaction(const CallRequest& req) = 0;
  virtual std::vector<Address> accounts() = 0;
  // Signs a 32-byte digest with a dev account's key: 65 bytes r || s || v (v = 27/28).
  // Not a dev account: throw RpcError(-32000, "unknown account"). (eth_sign, personal_sign)
  virtual Bytes sign_hash(const Address& account, const Hash32& digest) {
    unsupported("eth_sign");
  }
  virtual Address coinbase() { return Address{}; }
  virtual bool mining() { return false; }

  // ---- tracing: geth's tracer config in, tracer output out (struct logger, callTracer) ----
  // Unknown transaction: throw RpcError(-32000, "transaction 0x… not found").
  virtual json trace_transaction(const Hash32& tx_hash, const json& config) {
    unsupported("debug_traceTransaction");
  }
  virtual json trace_call(const CallRequest& req, StateRef at, const json& config) {
    unsupported("debug_traceCall");
  }

  // ---- dev node (Hardhat/Anvil); only registered when EthApiOptions::dev_methods ----
  // Defaults answer "method not available", so a node may implement only some.
  virtual uint64_t snapshot() { unsupported("evm_snapshot"); }  // id of the new snapshot
  virtual bool revert(uint64_t snapshot_id) { unsupported("evm_revert"); }
  // Mines `blocks` blocks now; the first at `timestamp` if given, then `interval` s apart.
  virtual void mine(uint64_t blocks, std::optional<uint64_t> timestamp, uint64_t interval) {
    unsupported("evm_mine");
  }
  virtual uint64_t increase_time(uint64_t seconds) { unsupported("evm_increaseTime"); }  // total offset
  // A timestamp not after the latest block's: throw RpcError(-32000, reason).
  virtual void set_next_block_timestamp(uint64_t timestamp) {
    unsupported("evm_setNextBlockTimestamp");
  }
  virtual void set_balance(const Address& a, const uint256& v) { unsupported("setBalance"); }
  virtual void set_code(const Address& a, const Bytes& code) { unsupported("setCode"); }
  virtual void set_nonce(const Address& a, uint64_t nonce) { unsupported("setNonce"); }
  virtual void set_storage_at(const Address& a, const Hash32& slot, const Hash32& value) {
    unsupported("setStorageAt");
  }
  virtual void impersonate(const Address& a, bool on) { unsupported("impersonateAccount"); }

 protected:
  [[noreturn]] static void unsupported(const char* what) {
    throw RpcError(code::kMethodNotFound,
                   std::string("the method ") + what + " does not exist/is not available");
  }
};

struct EthApiOptions {
  std::string client_version = "Lumio/v0.1.0";
  bool dev_methods = true;                 // evm_*, anvil_*, hardhat_*
  uint64_t max_logs_block_range = 10'000;  // eth_getLogs; 0: unlimited
  size_t max_log_query_terms = 1000;       // addresses, or topics at one position
  uint64_t filter_timeout_s = 300;         // filters not polled for this long are removed
  size_t max_filters = 10'000;             // live polling filters, all clients together
  uint64_t max_fee_history_blocks = 1024;
};

// Registers the methods on `server` (before server.start()) and fans out chain events to
// filters and subscriptions. Must outlive the server's running period.
class EthApi {
 public:
  EthApi(Server& server, EthBackend& backend, EthApiOptions opts = {});
  ~EthApi();

  // After a block committed, in block order. `block` may carry only tx hashes; `logs` are
  // all its logs in order.
  void notify_new_block(const EthBlock& block, const std::vector<EthLog>& logs);
  // The two halves of notify_new_block, for a node that orders them around the moment the
  // block becomes readable: polled filters are fed before (so a client that saw a receipt
  // also sees its logs in eth_getFilterChanges), subscriptions are pushed after (so a client
  // told of a block can read it at once).
  void update_filters(const EthBlock& block, const std::vector<EthLog>& logs);
  void publish_block(const EthBlock& block, const std::vector<EthLog>& logs);
  // After a transaction entered the mempool.
  void notify_pending_transaction(const EthTx& tx);

  // Geth's JSON shapes, public for the node and tests.
  static json block_json(const EthBlock& b, bool full_txs);
  static json header_json(const EthBlock& b);  // newHeads
  static json tx_json(const EthTx& tx);
  static json receipt_json(const EthReceipt& r);
  static json log_json(const EthLog& l);
  // "execution reverted[: reason]" with the reason decoded from Error(string)/Panic(uint256).
  static RpcError revert_error(BytesView revert_data);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumio::rpc
