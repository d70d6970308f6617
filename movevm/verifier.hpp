// Bytecode verifier, pass by pass in Aptos's order (move-bytecode-verifier verifier.rs):
// bounds → features → limits → duplication → signatures → instruction consistency → constants →
// friends → recursive structs → instantiation loops → code units → script signature.
// All passes exist; `complete` says the verdict is final (an error, or every pass ran), so a
// caller never mistakes "no error found yet" for "verified". Linking against already published
// modules (publish time) is `verify_module_with_dependencies`.
#pragma once
#include <optional>
#include <string_view>

#include "movevm/binary_format.hpp"

namespace lumio::movevm {

// Aptos's VerifierConfig: limits (None = unlimited) and feature gates. Enums and function
// values are taken as enabled; resource access control is gated as in Aptos's feature pass
// (features.rs): disabled, a function handle with access specifiers is FEATURE_NOT_ENABLED.
struct VerifierConfig {
  bool enable_resource_access_control = true;
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
  std::optional<size_t> max_push_size;  // pushes per basic block (VALUE_STACK_PUSH_OVERFLOW)
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

// Already published modules, as the loader sees them at publish time (storage plus the modules
// of the bundle being published). nullptr: no such module.
class ModuleResolver {
 public:
  virtual ~ModuleResolver() = default;
  virtual const CompiledModule* find(const FixedBytes<32>& address, std::string_view name) const = 0;
};

// Publishing a module as the Move loader does: the verifier above, then its dependencies
// (transitively) must exist (else LINKER_ERROR, unlocated), its imports must link
// (dependencies.rs: MISSING_DEPENDENCY, LOOKUP_FAILED, TYPE_MISMATCH with the handle index),
// its friends must exist, and neither dependencies nor friends may be cyclic or overlap
// (cyclic_dependencies.rs). `complete` as for verify_module. The module itself is never looked
// up (republishing and its compatibility rules are the adapter's).
VerificationResult verify_module_with_dependencies(const CompiledModule& module, const ModuleResolver& published,
                                                   const VerifierConfig& config = {});
// Republishing: the new version of a module must stay compatible with the published one
// (Compatibility::legacy_check over normalized modules). Aptos runs it before the verifier;
// failures are BACKWARD_INCOMPATIBLE_MODULE_UPDATE with Aptos's message, located "undefined".
struct CompatibilityCheck {
  bool struct_and_pub_function_linking = true;  // --skip-check-struct-and-pub-function-linking
  bool struct_layout = true;                    // --skip-check-struct-layout
  bool friend_linking = true;                   // --skip-check-friend-linking
  bool treat_entry_as_public = false;           // Aptos's transactional tests leave it off
};
std::optional<VMError> check_compatibility(const CompiledModule& old_module, const CompiledModule& new_module,
                                           const CompatibilityCheck& check = {});

// Loading a script: the verifier, then its dependencies must exist and link.
VerificationResult verify_script_with_dependencies(const CompiledScript& script, const ModuleResolver& published,
                                                   const VerifierConfig& config = {});

}  // namespace lumio::movevm
