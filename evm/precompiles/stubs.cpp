#include "evm/precompiles/internal.hpp"

namespace lumio::evm::precompiles {
// Not implemented yet: fail (burns all gas).
Result point_evaluation(BytesView, uint64_t) { return {false, 0, {}}; }
void set_trusted_setup_path(std::string) {}
}  // namespace lumio::evm::precompiles
