// geth's debug_traceTransaction / debug_traceCall JSON over the EVM's tracers
// (evm/tracers.hpp): the default struct logger and the callTracer.
#pragma once
#include <nlohmann/json.hpp>

#include "evm/tracers.hpp"

namespace lumio::node {

// Runs `run(tracer)` under the tracer that geth's config names and returns its JSON.
// Unknown tracer names throw std::invalid_argument("tracer not found").
nlohmann::json run_tracer(const nlohmann::json& config,
                          const std::function<evm::TxResult(evm::Tracer*)>& run);

nlohmann::json struct_logger_json(const evm::StructLogger& t, uint64_t limit, bool with_stack);
nlohmann::json call_frame_json(const evm::CallTracer::Frame& f);

}  // namespace lumio::node
