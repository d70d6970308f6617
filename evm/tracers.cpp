#include "evm/tracers.hpp"

namespace lumio::evm {

void StructLogger::on_step(const StepInfo& s, State& state) {
  Entry e;
  e.pc = s.pc;
  e.op = s.op;
  e.gas = s.gas;
  e.gas_cost = s.cost;
  e.depth = s.depth;
  e.refund = s.refund;
  if (!cfg_.disable_stack) e.stack.assign(s.stack.begin(), s.stack.end());
  if (cfg_.enable_memory) e.memory = Bytes(s.memory.begin(), s.memory.end());
  if (!cfg_.disable_storage) {
    size_t n = s.stack.size();
    // As geth: SLOAD records the slot's current value, SSTORE the value being written.
    if (s.op == 0x54 && n >= 1) {
      const uint256& key = s.stack[n - 1];
      storage_[s.address][key.to_be()] = state.storage(s.address, key).to_be();
      e.storage = storage_[s.address];
    } else if (s.op == 0x55 && n >= 2) {
      storage_[s.address][s.stack[n - 1].to_be()] = s.stack[n - 2].to_be();
      e.storage = storage_[s.address];
    }
  }
  entries_.push_back(std::move(e));
}

void StructLogger::on_cost(uint64_t cost) {
  if (!entries_.empty()) entries_.back().gas_cost = cost;
}

void StructLogger::on_fault(Status status) {
  if (!entries_.empty()) entries_.back().error = status_message(status);
}

void StructLogger::on_tx_end(const TxResult& r) {
  gas_used_ = r.gas_used;
  failed_ = r.status != Status::Success;
  output_ = r.output;
}

void CallTracer::on_tx_start(const Transaction& tx, const Address&) { tx_gas_ = tx.gas_limit; }

void CallTracer::on_enter(CallKind kind, const Address& from, const Address& to,
                          const uint256& value, uint64_t gas, BytesView input, int depth) {
  Frame f;
  f.kind = kind;
  f.from = from;
  f.to = to;
  if (kind != CallKind::StaticCall) f.value = value;  // DELEGATECALL: the caller's value
  f.gas = gas;
  f.input.assign(input.begin(), input.end());
  if (depth == 0) {
    if (tx_gas_) f.gas = *tx_gas_;
    root_ = std::move(f);
    stack_.assign(1, &root_);
    return;
  }
  if (only_top_ || stack_.empty()) {
    ++ignored_depth_;
    return;
  }
  Frame* parent = stack_.back();
  parent->calls.push_back(std::move(f));
  stack_.push_back(&parent->calls.back());
}

namespace {
void clear_logs(CallTracer::Frame& f) {
  f.logs.clear();
  f.log_positions.clear();
  for (auto& c : f.calls) clear_logs(c);
}
}  // namespace

void CallTracer::on_exit(BytesView output, uint64_t gas_used, Status status, int depth) {
  if (depth > 0 && ignored_depth_ > 0) {
    --ignored_depth_;
    return;
  }
  if (stack_.empty()) return;
  Frame& f = *stack_.back();
  f.gas_used = gas_used;
  if (status == Status::Success) {
    f.output.assign(output.begin(), output.end());
  } else {
    f.error = status_message(status);
    if (f.kind == CallKind::Create || f.kind == CallKind::Create2) f.to.reset();
    if (status == Status::Revert) {
      f.output.assign(output.begin(), output.end());
      f.revert_reason = decode_revert_reason(output);
    }
    clear_logs(f);
  }
  stack_.pop_back();
}

void CallTracer::on_log(const Log& log) {
  if (with_logs_ && !stack_.empty() && ignored_depth_ == 0) {
    stack_.back()->logs.push_back(log);
    stack_.back()->log_positions.push_back(stack_.back()->calls.size());
  }
}

void CallTracer::on_tx_end(const TxResult& r) { root_.gas_used = r.gas_used; }

std::optional<std::string> decode_revert_reason(BytesView out) {
  static const uint8_t kSelector[4] = {0x08, 0xc3, 0x79, 0xa0};  // Error(string)
  if (out.size() < 4 + 64 || std::memcmp(out.data(), kSelector, 4) != 0) return std::nullopt;
  BytesView body = out.subspan(4);
  uint256 off = uint256::load_be32(body.data());
  if (!off.fits_u64() || off.low64() > body.size() - 32) return std::nullopt;
  uint256 len = uint256::load_be32(body.data() + off.low64());
  uint64_t start = off.low64() + 32;
  if (!len.fits_u64() || len.low64() > body.size() - start) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(body.data() + start), size_t(len.low64()));
}

}  // namespace lumio::evm
