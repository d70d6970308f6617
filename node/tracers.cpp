#include "node/tracers.hpp"

#include <cstdio>

#include "common/hash.hpp"

namespace lumio::node {
namespace {

using json = nlohmann::json;

std::string word_hex(const uint256& v) { return to_hex(v.to_be(), false); }

std::string qty(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Solidity's Error(string) revert payload, decoded.
std::optional<std::string> revert_reason(BytesView out) {
  if (out.size() < 68 || out[0] != 0x08 || out[1] != 0xc3 || out[2] != 0x79 || out[3] != 0xa0)
    return std::nullopt;
  uint256 off = uint256::from_be(out.subspan(4, 32));
  if (!off.fits_u64() || off.low64() + 36 + 32 > out.size()) return std::nullopt;
  uint64_t o = 4 + off.low64();
  uint256 len = uint256::from_be(out.subspan(o, 32));
  if (!len.fits_u64() || o + 32 + len.low64() > out.size()) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(out.data() + o + 32), len.low64());
}

}  // namespace

std::string opcode_name(uint8_t op) {
  static const char* const names[256] = {
      "STOP", "ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "ADDMOD", "MULMOD", "EXP",
      "SIGNEXTEND", nullptr, nullptr, nullptr, nullptr,
      "LT", "GT", "SLT", "SGT", "EQ", "ISZERO", "AND", "OR", "XOR", "NOT", "BYTE", "SHL", "SHR",
      "SAR", nullptr, nullptr,
      "KECCAK256", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
      nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
      "ADDRESS", "BALANCE", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATALOAD", "CALLDATASIZE",
      "CALLDATACOPY", "CODESIZE", "CODECOPY", "GASPRICE", "EXTCODESIZE", "EXTCODECOPY",
      "RETURNDATASIZE", "RETURNDATACOPY", "EXTCODEHASH",
      "BLOCKHASH", "COINBASE", "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID",
      "SELFBALANCE", "BASEFEE", "BLOBHASH", "BLOBBASEFEE", nullptr, nullptr, nullptr, nullptr,
      nullptr,
      "POP", "MLOAD", "MSTORE", "MSTORE8", "SLOAD", "SSTORE", "JUMP", "JUMPI", "PC", "MSIZE", "GAS",
      "JUMPDEST", "TLOAD", "TSTORE", "MCOPY", "PUSH0"};
  if (op < 0x60 && names[op]) return names[op];
  char buf[48];
  if (op >= 0x60 && op <= 0x7f) std::snprintf(buf, sizeof buf, "PUSH%d", op - 0x5f);
  else if (op >= 0x80 && op <= 0x8f) std::snprintf(buf, sizeof buf, "DUP%d", op - 0x7f);
  else if (op >= 0x90 && op <= 0x9f) std::snprintf(buf, sizeof buf, "SWAP%d", op - 0x8f);
  else if (op >= 0xa0 && op <= 0xa4) std::snprintf(buf, sizeof buf, "LOG%d", op - 0xa0);
  else {
    switch (op) {
      case 0xf0: return "CREATE";
      case 0xf1: return "CALL";
      case 0xf2: return "CALLCODE";
      case 0xf3: return "RETURN";
      case 0xf4: return "DELEGATECALL";
      case 0xf5: return "CREATE2";
      case 0xfa: return "STATICCALL";
      case 0xfd: return "REVERT";
      case 0xfe: return "INVALID";
      case 0xff: return "SELFDESTRUCT";
    }
    std::snprintf(buf, sizeof buf, "opcode 0x%x not defined", op);
  }
  return buf;
}

void StructLogger::on_step(const evm::StepInfo& s, evm::State& state) {
  if (opts_.limit && logs_.size() >= opts_.limit) return;
  json l = {{"pc", s.pc}, {"op", opcode_name(s.op)}, {"gas", s.gas}, {"gasCost", s.cost},
            {"depth", s.depth}};
  if (s.refund) l["refund"] = s.refund;
  if (!opts_.disable_stack) {
    json st = json::array();
    for (const uint256& v : s.stack) st.push_back(v.to_hex_quantity());
    l["stack"] = std::move(st);
  }
  if (opts_.enable_memory) {
    json mem = json::array();
    for (size_t i = 0; i + 32 <= s.memory.size(); i += 32)
      mem.push_back(to_hex(s.memory.subspan(i, 32), false));
    l["memory"] = std::move(mem);
  }
  if (!opts_.disable_storage && (s.op == 0x54 || s.op == 0x55) && !s.stack.empty()) {
    auto& seen = storage_[s.address];
    uint256 key = s.stack[s.stack.size() - 1];
    if (s.op == 0x54) {
      seen[word_hex(key)] = word_hex(state.storage(s.address, key));
    } else if (s.stack.size() >= 2) {
      seen[word_hex(key)] = word_hex(s.stack[s.stack.size() - 2]);
    }
    l["storage"] = seen;
  }
  logs_.push_back(std::move(l));
}

void StructLogger::on_cost(uint64_t cost) {
  if (!logs_.empty()) logs_.back()["gasCost"] = cost;
}

void StructLogger::on_fault(evm::Status status) {
  if (!logs_.empty()) logs_.back()["error"] = evm::status_message(status);
}

void StructLogger::on_exit(BytesView, uint64_t, evm::Status, int) {}

json StructLogger::result(const evm::TxResult& r, uint64_t gas_used) const {
  return {{"gas", gas_used},
          {"failed", r.status != evm::Status::Success},
          {"returnValue", to_hex(r.output, false)},
          {"structLogs", logs_}};
}

void CallTracer::on_enter(evm::CallKind kind, const Address& from, const Address& to,
                          const uint256& value, uint64_t gas, BytesView input, int depth) {
  json f = {{"type", evm::call_kind_name(kind)}, {"from", to_hex(from)}, {"to", to_hex(to)},
            {"gas", qty(gas)}, {"gasUsed", "0x0"}, {"input", to_hex(input)}};
  if (kind != evm::CallKind::StaticCall && kind != evm::CallKind::DelegateCall)
    f["value"] = value.to_hex_quantity();
  stack_.push_back(std::move(f));
}

void CallTracer::on_exit(BytesView output, uint64_t gas_used, evm::Status status, int depth) {
  if (stack_.empty()) return;
  json f = std::move(stack_.back());
  stack_.pop_back();
  f["gasUsed"] = qty(gas_used);
  if (status == evm::Status::Success || status == evm::Status::Revert) {
    if (!output.empty() || status == evm::Status::Success) f["output"] = to_hex(output);
  }
  if (status != evm::Status::Success) {
    f["error"] = evm::status_message(status);
    if (status == evm::Status::Revert) {
      f["output"] = to_hex(output);
      if (auto why = revert_reason(output)) f["revertReason"] = *why;
    }
    std::string type = f["type"];
    if (type == "CREATE" || type == "CREATE2") f.erase("to");
  }
  if (stack_.empty()) {
    root_ = std::move(f);
  } else if (!only_top_) {
    stack_.back()["calls"].push_back(std::move(f));
  }
}

void CallTracer::on_step(const evm::StepInfo& s, evm::State&) {
  if (!with_log_ || s.op < 0xa0 || s.op > 0xa4 || stack_.empty()) return;
  size_t n = s.op - 0xa0, sz = s.stack.size();
  if (sz < 2 + n) return;
  uint256 off = s.stack[sz - 1], len = s.stack[sz - 2];
  json topics = json::array();
  for (size_t i = 0; i < n; ++i) topics.push_back(to_hex(s.stack[sz - 3 - i].to_be()));
  Bytes data;
  if (off.fits_u64() && len.fits_u64() && off.low64() + len.low64() <= s.memory.size())
    data.assign(s.memory.begin() + off.low64(), s.memory.begin() + off.low64() + len.low64());
  stack_.back()["logs"].push_back(
      {{"address", to_hex(s.address)}, {"topics", topics}, {"data", to_hex(data)}});
}

json CallTracer::result(const evm::Transaction* tx, uint64_t gas_used) const {
  json r = root_;
  if (tx) r["gas"] = qty(tx->gas_limit);
  r["gasUsed"] = qty(gas_used);
  return r;
}

}  // namespace lumio::node
