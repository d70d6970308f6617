// Move IR -> bytecode. Produces the same CompiledModule/CompiledScript as Aptos's
// move-ir-to-bytecode (bytecode version 6, pools in first-use order, identical instruction
// sequences), so code offsets and table indices in expected test outputs line up.
#pragma once
#include <string>
#include <variant>
#include <vector>

#include "movevm/binary_format.hpp"
#include "movevm/ir.hpp"

namespace lumio::movevm::ir {

struct CompileError {
  std::string message;  // Aptos's wording, e.g. "Unbound module alias M"
};

template <class T>
using CompileResult = std::variant<T, CompileError>;

// `dependencies`: already published modules the unit may import (functions and structs of
// imported modules are resolved against them).
CompileResult<CompiledModule> compile_module(const Module& module,
                                             const std::vector<const CompiledModule*>& dependencies);
CompileResult<CompiledScript> compile_script(const Script& script,
                                             const std::vector<const CompiledModule*>& dependencies);

// "0000…0042.M": how Aptos prints a module id in compiler errors.
std::string module_id_string(const std::array<uint8_t, 32>& address, const std::string& name);

}  // namespace lumio::movevm::ir
