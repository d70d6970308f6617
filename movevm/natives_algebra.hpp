// 0x1::crypto_algebra natives (Aptos's generic algebra over BLS12-381 and BN254): elements
// live in a per-session store as handles (u64 indices), as in Aptos's AlgebraContext.
//
// Structures are gated by on-chain features (BLS12_381_STRUCTURES = 13, BN254_STRUCTURES =
// 43). The framework's sessions carry a FeatureFlags extension read from the state before the
// call (framework.hpp read_features, unmetered); a bare session without one makes the natives
// read 0x1::features::Features from the session's state once (the first algebra call).
#pragma once
#include <cstdint>
#include <vector>

#include "movevm/gas_schedule.hpp"

namespace lumio::movevm {

// The bit vector of 0x1::features::Features.
struct FeatureFlags {
  std::vector<uint8_t> bits;
  bool enabled(uint64_t flag) const { return flag / 8 < bits.size() && ((bits[flag / 8] >> (flag % 8)) & 1); }
};

namespace natives {
struct Registrar;
void register_algebra(Registrar& r, const GasParameters& gas);
}  // namespace natives

}  // namespace lumio::movevm
