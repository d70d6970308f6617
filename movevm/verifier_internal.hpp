// Passes of the verifier, shared between verifier.cpp and the pass files.
#pragma once
#include <optional>

#include "movevm/binary_format.hpp"

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
CodeVerdict verify_code_units(const CompiledModule& module);
// Type safety of one code unit whose control flow and stack usage are verified. `known` is
// false where the unit uses bytecode the pass does not model yet (then `error` is empty).
// Abilities of a type in a context of type-parameter constraints (BinaryIndexedView::abilities).
AbilitySet type_abilities(const CommonTables& unit, const SignatureToken& t, const std::vector<AbilitySet>& type_params);
// Locals safety of a type-safe code unit (locals_safety/): the first error in Aptos's walk.
std::optional<VMError> verify_locals_safety(const CommonTables& unit, uint16_t function, const CodeUnit& code,
                                            const Signature& params, const std::vector<AbilitySet>& type_params);
struct TypeSafetyVerdict {
  std::optional<VMError> error;
  bool known = true;
};
TypeSafetyVerdict verify_type_safety(const CommonTables& unit, const CompiledModule* module, uint16_t function,
                                     const CodeUnit& code, const Signature& params, const Signature& returns,
                                     const std::vector<AbilitySet>& type_params);
CodeVerdict verify_code_units(const CompiledScript& script);

}  // namespace lumio::movevm::internal
