// Ethereum's 2048-bit log bloom (yellow paper, section 4.3.1).
#pragma once
#include "common/bytes.hpp"

namespace lumio {

using Bloom = FixedBytes<256>;

// Sets the three bits that keccak256(item) selects.
void bloom_add(Bloom& bloom, BytesView item);
// Whether all three of item's bits are set (false positives possible, no false negatives).
bool bloom_may_contain(const Bloom& bloom, BytesView item);

}  // namespace lumio
