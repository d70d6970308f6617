#include "evm/precompiles/internal.hpp"

namespace lumio::evm::precompiles {
// Not implemented yet: fail (burns all gas).
Result modexp(BytesView, uint64_t) { return {false, 0, {}}; }
Result bn254_add(BytesView, uint64_t) { return {false, 0, {}}; }
Result bn254_mul(BytesView, uint64_t) { return {false, 0, {}}; }
Result bn254_pairing(BytesView, uint64_t) { return {false, 0, {}}; }
Result blake2f(BytesView, uint64_t) { return {false, 0, {}}; }
Result point_evaluation(BytesView, uint64_t) { return {false, 0, {}}; }
void set_trusted_setup_path(std::string) {}
}  // namespace lumio::evm::precompiles
