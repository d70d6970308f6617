// Ready-made tracers matching geth's debug_trace* outputs, as plain data (the RPC layer turns
// them into JSON): the struct logger (the default tracer) and callTracer.
#pragma once
#include <map>
#include <memory>

#include "evm/evm.hpp"

namespace lumio::evm {

// geth's logger.StructLogger (default config: stack and storage on, memory off).
class StructLogger : public Tracer {
 public:
  struct Config {
    bool enable_memory = false;
    bool disable_stack = false;
    bool disable_storage = false;
  };
  struct Entry {
    uint64_t pc = 0;
    uint8_t op = 0;
    uint64_t gas = 0;
    uint64_t gas_cost = 0;
    int depth = 0;
    int64_t refund = 0;
    std::optional<std::string> error;
    std::vector<uint256> stack;  // bottom first
    std::optional<Bytes> memory;
    // The executing contract's storage slots touched so far (after SLOAD/SSTORE steps).
    std::optional<std::map<Hash32, Hash32>> storage;
  };

  StructLogger() = default;
  explicit StructLogger(Config c) : cfg_(c) {}

  const std::vector<Entry>& entries() const { return entries_; }
  // Filled at on_tx_end: geth's "gas", "failed" and "returnValue".
  uint64_t gas_used() const { return gas_used_; }
  bool failed() const { return failed_; }
  const Bytes& return_value() const { return output_; }

  void on_step(const StepInfo& s, State& state) override;
  void on_cost(uint64_t cost) override;
  void on_fault(Status status) override;
  void on_tx_end(const TxResult& r) override;

 private:
  Config cfg_;
  std::vector<Entry> entries_;
  std::map<Address, std::map<Hash32, Hash32>> storage_;
  uint64_t gas_used_ = 0;
  bool failed_ = false;
  Bytes output_;
};

// geth's callTracer: a tree of call frames.
class CallTracer : public Tracer {
 public:
  struct Frame {
    CallKind kind = CallKind::Call;
    Address from;
    std::optional<Address> to;
    std::optional<uint256> value;  // absent for STATICCALL and DELEGATECALL
    uint64_t gas = 0;
    uint64_t gas_used = 0;
    Bytes input;
    Bytes output;  // set on success and revert
    std::optional<std::string> error;          // "execution reverted", "out of gas", ...
    std::optional<std::string> revert_reason;  // decoded Error(string)
    std::vector<Frame> calls;
    std::vector<Log> logs;  // only with_logs; logs of reverted frames are dropped
    std::vector<uint64_t> log_positions;  // per log: subcalls made before it in this frame
  };

  explicit CallTracer(bool only_top_call = false, bool with_logs = false)
      : only_top_(only_top_call), with_logs_(with_logs) {}
  // The root frame (valid after the transaction ran).
  const Frame& result() const { return root_; }

  void on_tx_start(const Transaction& tx, const Address& sender) override;
  void on_tx_end(const TxResult& r) override;
  void on_enter(CallKind kind, const Address& from, const Address& to, const uint256& value,
                uint64_t gas, BytesView input, int depth) override;
  void on_exit(BytesView output, uint64_t gas_used, Status status, int depth) override;
  void on_log(const Log& log) override;

 private:
  bool only_top_, with_logs_;
  Frame root_;
  std::vector<Frame*> stack_;  // open frames, root first
  std::optional<uint64_t> tx_gas_;
  int ignored_depth_ = 0;  // frames below the top one when only_top_
};

// Decodes Error(string) revert data ("execution reverted: <reason>" in geth messages).
std::optional<std::string> decode_revert_reason(BytesView output);

}  // namespace lumio::evm
