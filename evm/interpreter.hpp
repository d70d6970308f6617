// Internal: message-call machinery shared by execute_transaction() and call().
#pragma once
#include <memory>

#include "evm/evm.hpp"

namespace lumio::evm::internal {

struct Message {
  CallKind kind = CallKind::Call;
  bool is_static = false;
  int depth = 0;  // 0 for the transaction's frame
  int64_t gas = 0;
  Address recipient;     // storage context (or the new contract for creations)
  Address sender;
  Address code_address;  // whose code runs (differs for CALLCODE/DELEGATECALL)
  uint256 value;         // CALLVALUE (DELEGATECALL inherits the parent's)
  BytesView input;       // calldata, or initcode for creations
  Hash32 salt;           // CREATE2
};

struct CallResult {
  Status status = Status::Success;
  int64_t gas_left = 0;
  Bytes output;
  Address created;
};

struct TxContext {
  Address origin;
  uint256 gas_price;
  const std::vector<Hash32>* blob_hashes = nullptr;
};

// Executes message calls; owns the per-depth stack and memory buffers it reuses.
class Vm {
 public:
  Vm(State& state, const BlockEnv& env, const TxContext& tx, Tracer* tracer);
  ~Vm();
  CallResult call(const Message& msg);    // CALL, CALLCODE, DELEGATECALL, STATICCALL
  CallResult create(const Message& msg);  // CREATE, CREATE2 (msg.input = initcode)

 private:
  struct Buffers;
  struct Analysis;
  CallResult execute(const Message& msg, const Analysis& code);
  std::shared_ptr<const Analysis> analysis_for(const Address& addr);
  Buffers& buffers(int depth);

  State& state_;
  const BlockEnv& env_;
  const TxContext& tx_;
  Tracer* tracer_;
  std::vector<std::unique_ptr<Buffers>> buffers_;
};

}  // namespace lumio::evm::internal
