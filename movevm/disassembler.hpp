// Text form of compiled units, in the layout of Aptos's move-disassembler without a source
// map (parameters Arg0.., locals loc0.., type parameters Ty0..): what the transactional
// tests' `print-bytecode` task prints.
#pragma once
#include <string>

#include "movevm/binary_format.hpp"

namespace lumio::movevm {

// Units that fail check_bounds yield "Error: <STATUS>" instead of a listing.
std::string disassemble(const CompiledModule& module);
std::string disassemble(const CompiledScript& script);

}  // namespace lumio::movevm
