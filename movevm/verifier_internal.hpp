// Passes of the verifier, shared between verifier.cpp and the pass files.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>

#include "movevm/binary_format.hpp"
#include "movevm/verifier.hpp"

namespace lumio::movevm::internal {

struct SignatureVerdict {
  std::optional<VMError> error;
  bool located_in_unit = true;  // false: Aptos reports it at an undefined location
};
SignatureVerdict verify_signatures(const CompiledModule& module);
SignatureVerdict verify_signatures(const CompiledScript& script);

std::optional<VMError> verify_instruction_consistency(const CompiledModule& module);
std::optional<VMError> verify_instruction_consistency(const CompiledScript& script);
std::optional<VMError> verify_constants(const CommonTables& unit);
std::optional<VMError> verify_friends(const CompiledModule& module);
std::optional<VMError> verify_struct_recursion(const CompiledModule& module);
std::optional<VMError> verify_instantiation_loops(const CompiledModule& module);

// Code units: `error` when one is certain; `complete` when every later pass is known to pass.
struct CodeVerdict {
  std::optional<VMError> error;
  bool complete = false;
};
CodeVerdict verify_code_units(const CompiledModule& module, const VerifierConfig& config);
// Type safety of one code unit whose control flow and stack usage are verified. `known` is
// false where the unit uses bytecode the pass does not model yet (then `error` is empty).
// Abilities of a type in a context of type-parameter constraints (BinaryIndexedView::abilities).
AbilitySet type_abilities(const CommonTables& unit, const SignatureToken& t, const std::vector<AbilitySet>& type_params);
// Locals safety of a type-safe code unit (locals_safety/): the first error in Aptos's walk.
std::optional<VMError> verify_locals_safety(const CommonTables& unit, uint16_t function, const CodeUnit& code,
                                            const Signature& params, const std::vector<AbilitySet>& type_params,
                                            class Meter& meter);
struct TypeSafetyVerdict {
  std::optional<VMError> error;
  bool known = true;
};
TypeSafetyVerdict verify_type_safety(const CommonTables& unit, const CompiledModule* module, uint16_t function,
                                     const CodeUnit& code, const Signature& params, const Signature& returns,
                                     const std::vector<AbilitySet>& type_params, class Meter& meter);
CodeVerdict verify_code_units(const CompiledScript& script, const VerifierConfig& config);

// VMControlFlowGraph as the abstract interpreter walks it (absint.rs): block ids are start
// offsets, successors ascending, traversal order = reverse post-order of an iterative DFS,
// back edges = edges to a block still on the DFS path.
struct AbsintCfg {
  std::map<uint16_t, uint16_t> exit;  // block -> last offset (every block, reachable or not)
  std::map<uint16_t, std::vector<uint16_t>> successors;
  std::map<uint16_t, uint16_t> next;  // traversal order
  std::map<uint16_t, size_t> rank;    // position in the traversal order
  std::map<uint16_t, std::set<uint16_t>> back_edges;  // loop head -> sources
  size_t num_back_edges = 0;
  explicit AbsintCfg(const std::vector<Instruction>& code);
};

// Control flow (control_flow.rs): v6+ fall-through and reducibility (loop_summary.rs, Tarjan;
// INVALID_LOOP_SPLIT at the offending block, LOOP_MAX_DEPTH_REACHED); v5 and older the
// structured-loop rules of control_flow_v5.rs.
std::optional<VMError> verify_control_flow(uint32_t version, uint16_t function, const std::vector<Instruction>& code,
                                           const VerifierConfig& config);

// The verifier's complexity meter (meter.rs BoundMeter): a function scope and a module scope.
// Aptos bounds both by `max_per_fun_meter_units` (the module bound is never consulted).
class Meter {
 public:
  explicit Meter(const VerifierConfig& c) : max_(c.max_per_fun_meter_units) {}
  void enter_function(std::string name) { fun_name_ = std::move(name), fun_ = 0; }
  std::optional<VMError> add_function(unsigned __int128 units) { return add(fun_, fun_name_, units); }
  std::optional<VMError> add_items(unsigned __int128 per_item, size_t items) {
    if (items == 0) return std::nullopt;
    return add_function(per_item * items);
  }
  std::optional<VMError> add_items_with_growth(unsigned __int128 per_item, size_t items, float growth) {
    for (size_t i = 0; i < items; ++i) {
      if (auto e = add_function(per_item)) return e;
      per_item = (unsigned __int128)(growth * float(per_item));
    }
    return std::nullopt;
  }
  std::optional<VMError> transfer_to_module() { return add(mod_, mod_name_, fun_); }

 private:
  std::optional<VMError> add(unsigned __int128& units, const std::string& name, unsigned __int128 n);
  std::optional<uint64_t> max_;
  unsigned __int128 fun_ = 0, mod_ = 0;
  std::string fun_name_ = "<unknown>", mod_name_ = "<unknown>";
};

// Reference safety (reference_safety/): borrow-graph abstract interpretation; the first error
// in Aptos's walk, or a meter error. `acquires(handle)` lists the struct definitions a call
// acquires (empty for scripts and for other modules' functions).
std::optional<VMError> verify_reference_safety(const CommonTables& unit, const CompiledModule* module,
                                               uint16_t function, const CodeUnit& code, const Signature& params,
                                               const Signature& returns, Meter& meter);

}  // namespace lumio::movevm::internal
