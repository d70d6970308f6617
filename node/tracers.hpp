// geth's debug_traceTransaction tracers over evm::Tracer: the default struct logger and
// the callTracer, producing geth's JSON shapes.
#pragma once
#include <nlohmann/json.hpp>

#include "evm/evm.hpp"

namespace lumio::node {

// The opcode's mnemonic ("PUSH1", "SSTORE"; "opcode 0xef not defined" style for unknowns).
std::string opcode_name(uint8_t op);

struct StructLoggerOptions {
  bool enable_memory = false;
  bool disable_stack = false;
  bool disable_storage = false;
  bool enable_return_data = false;
  uint64_t limit = 0;  // 0: no limit on the number of steps
};

class StructLogger final : public evm::Tracer {
 public:
  explicit StructLogger(StructLoggerOptions o) : opts_(o) {}
  void on_step(const evm::StepInfo& step, evm::State& state) override;
  void on_cost(uint64_t cost) override;
  void on_fault(evm::Status status) override;
  void on_exit(BytesView output, uint64_t gas_used, evm::Status status, int depth) override;
  // {"gas", "failed", "returnValue", "structLogs"}
  nlohmann::json result(const evm::TxResult& r, uint64_t gas_used) const;

 private:
  StructLoggerOptions opts_;
  nlohmann::json logs_ = nlohmann::json::array();
  // Storage seen per contract so far (geth shows the accumulated map at SLOAD/SSTORE).
  std::map<Address, std::map<std::string, std::string>> storage_;
};

class CallTracer final : public evm::Tracer {
 public:
  explicit CallTracer(bool only_top_call = false, bool with_log = false)
      : only_top_(only_top_call), with_log_(with_log) {}
  void on_enter(evm::CallKind kind, const Address& from, const Address& to, const uint256& value,
                uint64_t gas, BytesView input, int depth) override;
  void on_exit(BytesView output, uint64_t gas_used, evm::Status status, int depth) override;
  void on_step(const evm::StepInfo& step, evm::State& state) override;
  // The top call frame; gas and gasUsed of the top frame are the transaction's.
  nlohmann::json result(const evm::Transaction* tx, uint64_t gas_used) const;

 private:
  bool only_top_, with_log_;
  std::vector<nlohmann::json> stack_;  // open frames
  nlohmann::json root_;
};

}  // namespace lumio::node
