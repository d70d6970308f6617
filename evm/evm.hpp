// Lumio's Cancun EVM: transaction processing and message calls over an evm::State.
// Knows nothing of RPC or storage engines: callers supply a StateBackend and apply the
// resulting StateDiff themselves.
#pragma once
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "evm/state.hpp"
#include "evm/transaction.hpp"

namespace lumio::evm {

struct BlockEnv {
  uint64_t number = 0;
  uint64_t timestamp = 0;
  Address coinbase;
  uint64_t gas_limit = 30'000'000;
  uint256 base_fee;
  Hash32 prev_randao;
  uint64_t chain_id = 1;
  uint256 blob_base_fee = 1;  // see blob_base_fee_from_excess()
  std::function<Hash32(uint64_t)> block_hash;  // hash of block n (called for n in [number-256, number))
};

// EIP-4844 blob base fee from a block's excess blob gas.
uint256 blob_base_fee_from_excess(uint64_t excess_blob_gas);

enum class Status : uint8_t {
  Success,
  Revert,
  OutOfGas,
  StackUnderflow,
  StackOverflow,
  InvalidOpcode,
  InvalidJump,
  StaticViolation,
  ReturnDataOutOfBounds,
  CallDepth,          // only as a frame result; callers see a failed CALL
  InsufficientBalance,
  CreateCollision,
  CodeSizeExceeded,   // EIP-170
  InvalidCodePrefix,  // EIP-3541
  InitcodeSizeExceeded,  // EIP-3860
  NonceOverflow,
  PrecompileFailure,
};
// geth's error string for a status ("execution reverted", "out of gas", ...); "" for Success.
const char* status_message(Status s);

struct TxResult {
  // Set when the transaction is invalid: nothing was executed and the state is untouched.
  std::optional<std::string> invalid;
  Status status = Status::Success;
  uint64_t gas_used = 0;  // after refunds
  std::vector<Log> logs;
  Bytes output;  // return data, or revert data
  std::optional<Address> created;  // contract address for a successful creation
  bool success() const { return !invalid && status == Status::Success; }
};

// SelfDestruct is reported to tracers as a zero-gas frame (geth's callTracer does the same).
enum class CallKind : uint8_t { Call, CallCode, DelegateCall, StaticCall, Create, Create2, SelfDestruct };
const char* call_kind_name(CallKind k);  // "CALL", "DELEGATECALL", "CREATE2", "SELFDESTRUCT"...
// Mnemonic of an opcode ("PUSH1", "SSTORE"); "opcode 0xef not defined" style for others.
std::string op_name(uint8_t op);

struct StepInfo {
  uint64_t pc;
  uint8_t op;
  uint64_t gas;   // before the instruction
  uint64_t cost;  // static part; on_cost() reports the full cost once known
  int depth;      // 1 for the transaction's frame (geth's numbering)
  int64_t refund;
  std::span<const uint256> stack;  // bottom first
  BytesView memory;
  const Address& address;  // the executing account (storage context)
};

// Optional observer (geth's struct logger and callTracer build on it). A null tracer costs
// one branch per instruction.
class Tracer {
 public:
  virtual ~Tracer() = default;
  virtual void on_tx_start(const Transaction& tx, const Address& sender) {}
  virtual void on_tx_end(const TxResult& result) {}
  // Before each instruction; `state` lets a logger read storage (SLOAD/SSTORE slots).
  virtual void on_step(const StepInfo& step, State& state) {}
  // The full gas cost of the instruction last passed to on_step (incl. memory expansion and
  // the gas handed to a callee), reported before any nested call starts.
  virtual void on_cost(uint64_t cost) {}
  // The executing frame halted with an error (out of gas, invalid opcode, ...).
  virtual void on_fault(Status status) {}
  virtual void on_enter(CallKind kind, const Address& from, const Address& to,
                        const uint256& value, uint64_t gas, BytesView input, int depth) {}
  // A LOG instruction of the current frame (reverted later if the frame fails).
  virtual void on_log(const Log& log) {}
  // gas_used by the callee frame; status Success, Revert or an error.
  virtual void on_exit(BytesView output, uint64_t gas_used, Status status, int depth) {}
};

// Validates and executes one transaction (Cancun). On an invalid transaction returns
// `invalid` in geth's wording and leaves the state untouched. Otherwise the state holds
// the transaction's effects (fees, value, execution, refunds, coinbase tip) with finish_tx()
// already applied; call state.take_diff() whenever the caller wants the changes.
TxResult execute_transaction(State& state, const BlockEnv& env, const Transaction& tx,
                             const Address& sender, Tracer* tracer = nullptr);

// eth_call / eth_estimateGas: runs a message without nonce, fee or balance checks for gas
// (value must still be covered). No fees are charged. The state keeps the effects; callers
// that only read use a throwaway State.
struct CallParams {
  Address from;
  std::optional<Address> to;  // absent: creation
  uint64_t gas = 30'000'000;
  uint256 gas_price;
  uint256 value;
  Bytes data;
  AccessList access_list;
  std::vector<Hash32> blob_hashes;
};
TxResult call(State& state, const BlockEnv& env, const CallParams& params,
              Tracer* tracer = nullptr);

// CREATE / CREATE2 addresses.
Address create_address(const Address& sender, uint64_t nonce);
Address create2_address(const Address& sender, const Hash32& salt, BytesView initcode);

}  // namespace lumio::evm
