#include "node/tracers.hpp"

#include <stdexcept>

namespace lumio::node {
namespace {

using json = nlohmann::json;

std::string qty(uint64_t v) { return uint256(v).to_hex_quantity(); }

}  // namespace

json struct_logger_json(const evm::StructLogger& t, uint64_t limit, bool with_stack) {
  json logs = json::array();
  for (const auto& e : t.entries()) {
    if (limit && logs.size() >= limit) break;
    json l = {{"pc", e.pc}, {"op", evm::op_name(e.op)}, {"gas", e.gas}, {"gasCost", e.gas_cost},
              {"depth", e.depth}};
    if (e.refund) l["refund"] = e.refund;
    if (e.error) l["error"] = *e.error;
    if (with_stack) {
      json st = json::array();
      for (const uint256& v : e.stack) st.push_back(v.to_hex_quantity());
      l["stack"] = std::move(st);
    }
    if (e.memory) {
      json mem = json::array();
      for (size_t i = 0; i + 32 <= e.memory->size(); i += 32)
        mem.push_back(to_hex(BytesView(*e.memory).subspan(i, 32), false));
      l["memory"] = std::move(mem);
    }
    if (e.storage) {
      json st = json::object();
      for (const auto& [k, v] : *e.storage) st[to_hex(k, false)] = to_hex(v, false);
      l["storage"] = std::move(st);
    }
    logs.push_back(std::move(l));
  }
  return {{"gas", t.gas_used()},
          {"failed", t.failed()},
          {"returnValue", to_hex(t.return_value(), false)},
          {"structLogs", std::move(logs)}};
}

json call_frame_json(const evm::CallTracer::Frame& f) {
  json j = {{"type", evm::call_kind_name(f.kind)}, {"from", to_hex(f.from)},
            {"gas", qty(f.gas)}, {"gasUsed", qty(f.gas_used)}, {"input", to_hex(f.input)}};
  if (f.to) j["to"] = to_hex(*f.to);
  if (f.value) j["value"] = f.value->to_hex_quantity();
  if (!f.output.empty()) j["output"] = to_hex(f.output);  // geth: omitempty
  if (f.error) j["error"] = *f.error;
  if (f.revert_reason) j["revertReason"] = *f.revert_reason;
  if (!f.logs.empty()) {
    json logs = json::array();
    for (size_t i = 0; i < f.logs.size(); ++i) {
      const evm::Log& l = f.logs[i];
      json topics = json::array();
      for (const auto& t : l.topics) topics.push_back(to_hex(t));
      logs.push_back({{"address", to_hex(l.address)},
                      {"topics", topics},
                      {"data", to_hex(l.data)},
                      {"position", qty(i < f.log_positions.size() ? f.log_positions[i] : 0)}});
    }
    j["logs"] = std::move(logs);
  }
  if (!f.calls.empty()) {
    json calls = json::array();
    for (const auto& c : f.calls) calls.push_back(call_frame_json(c));
    j["calls"] = std::move(calls);
  }
  return j;
}

json run_tracer(const json& config, const std::function<evm::TxResult(evm::Tracer*)>& run) {
  std::string name = config.is_object() ? config.value("tracer", "") : "";
  json tc = config.is_object() && config.contains("tracerConfig") ? config["tracerConfig"]
                                                                     : json::object();
  if (name == "callTracer") {
    evm::CallTracer t(tc.value("onlyTopCall", false), tc.value("withLog", false));
    run(&t);
    return call_frame_json(t.result());
  }
  if (!name.empty()) throw std::invalid_argument("tracer not found");
  evm::StructLogger::Config c;
  uint64_t limit = 0;
  if (config.is_object()) {
    c.enable_memory = config.value("enableMemory", false);
    c.disable_stack = config.value("disableStack", false);
    c.disable_storage = config.value("disableStorage", false);
    limit = config.value("limit", uint64_t(0));
  }
  evm::StructLogger t(c);
  run(&t);
  return struct_logger_json(t, limit, !c.disable_stack);
}

}  // namespace lumio::node
