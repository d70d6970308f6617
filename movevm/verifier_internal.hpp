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
CodeVerdict verify_code_units(const CompiledScript& script);

}  // namespace lumio::movevm::internal
