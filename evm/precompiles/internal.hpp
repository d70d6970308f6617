// Per-precompile entry points, shared between the implementation files.
#pragma once
#include <cstring>

#include "evm/precompiles/precompiles.hpp"

namespace lumio::evm::precompiles {

Result modexp(BytesView in, uint64_t gas);
Result bn254_add(BytesView in, uint64_t gas);
Result bn254_mul(BytesView in, uint64_t gas);
Result bn254_pairing(BytesView in, uint64_t gas);
Result blake2f(BytesView in, uint64_t gas);
Result point_evaluation(BytesView in, uint64_t gas);

}  // namespace lumio::evm::precompiles
