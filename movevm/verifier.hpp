// Bytecode verifier, pass by pass in Aptos's order (move-bytecode-verifier verifier.rs):
// bounds → features → limits → duplication → signatures → instruction consistency → constants →
// friends → recursive structs → instantiation loops → code units → script signature.
// Implemented so far: bounds, limits, duplication, signatures, instruction consistency,
// constants, friends, recursive structs, instantiation loops, and of the code units control
// flow, stack usage, type safety, locals safety and acquires (verdicts only where the missing
// reference-safety pass cannot change them). `complete` says whether every pass ran, so a
// caller never mistakes "no error found yet" for "verified".
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

  static VerifierConfig production();  // Aptos's VerifierConfig::production() limits
};

struct VerificationResult {
  std::optional<VMError> error;
  // Where Aptos attributes the error: bounds failures are "undefined", later passes name the
  // module (or "script").
  bool located_in_unit = false;
  bool complete = false;  // false: passes after the implemented ones have not run
};

VerificationResult verify_module(const CompiledModule& module, const VerifierConfig& config = {});
VerificationResult verify_script(const CompiledScript& script, const VerifierConfig& config = {});

}  // namespace lumio::movevm
