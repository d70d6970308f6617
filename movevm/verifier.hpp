// Bytecode verifier, pass by pass in Aptos's order (move-bytecode-verifier verifier.rs):
// bounds → features → limits → duplication → signatures → instruction consistency → constants →
// friends → recursive structs → instantiation loops → code units → script signature.
// All passes exist; `complete` says the verdict is final (an error, or every pass ran), so a
// caller never mistakes "no error found yet" for "verified". Linking against already published
// modules (publish time) is `verify_module_with_dependencies`.
#pragma once
#include <optional>

#include "movevm/binary_format.hpp"

namespace lumio::movevm {

// The limit part of Aptos's VerifierConfig (None = unlimited). Features (enums, function
// values, resource access control) are taken as enabled, which makes the feature pass a no-op.
struct VerifierConfig {
  std::optional<size_t> max_generic_instantiation_length;
  std::optional<size_t> max_function_parameters;
  std::optional<size_t> max_function_return_values;
  std::optional<size_t> max_type_nodes;
  std::optional<size_t> max_type_depth;
  std::optional<size_t> max_function_definitions;
  std::optional<size_t> max_struct_definitions;
  std::optional<size_t> max_fields_in_struct;
  std::optional<size_t> max_struct_variants;
  // Code units (code_unit_verifier.rs, control_flow.rs, meter.rs).
  std::optional<size_t> max_loop_depth;
  std::optional<size_t> max_basic_blocks;
  std::optional<size_t> max_basic_blocks_in_script;
  std::optional<size_t> max_back_edges_per_function;
  std::optional<size_t> max_back_edges_per_module;
  std::optional<uint64_t> max_per_fun_meter_units;
  std::optional<uint64_t> max_per_mod_meter_units;  // carried like Aptos's; its meter never reads it

  static VerifierConfig production();  // Aptos's VerifierConfig::production() limits
  // The configuration the Aptos chain publishes with (aptos_prod_verifier_config with function
  // values enabled): no struct/field/function count limits, a 80M-unit meter.
  static VerifierConfig aptos_prod();
};

struct VerificationResult {
  std::optional<VMError> error;
  // Where Aptos attributes the error: bounds failures are "undefined", later passes name the
  // module (or "script").
  bool located_in_unit = false;
  bool complete = false;  // false: a pass could not judge the unit (see README), no verdict
};

VerificationResult verify_module(const CompiledModule& module, const VerifierConfig& config = {});
VerificationResult verify_script(const CompiledScript& script, const VerifierConfig& config = {});

}  // namespace lumio::movevm
