// libFuzzer target for common/ff/bls12_381.hpp and hash_to_curve: any bytes decode as G1/G2
// points or fail cleanly; a compressed point that decodes re-encodes to the same bytes; the fast
// subgroup checks agree with [r]P == O; hashing any (message, DST) lands in the subgroups.
#include <cstdlib>

#include "common/ff/hash_to_curve.hpp"

using namespace lumio;
using namespace lumio::ff::bls12_381;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  BytesView in(data, size);
  if (auto p = g1_from_bytes(in)) {
    if (g1_in_subgroup(*p) != in_subgroup_by_order(*p)) std::abort();
    uint8_t out[kG1Compressed];
    g1_compress(*p, out);
    if (size == kG1Compressed && !std::equal(out, out + size, data)) std::abort();
  }
  if (auto q = g2_from_bytes(in)) {
    if (g2_in_subgroup(*q) != in_subgroup_by_order(*q)) std::abort();
    uint8_t out[kG2Compressed];
    g2_compress(*q, out);
    if (size == kG2Compressed && !std::equal(out, out + size, data)) std::abort();
  }
  size_t split = size ? data[0] % (size + 1) : 0;
  BytesView msg = in.subspan(0, split), dst = in.subspan(split);
  if (!g1_in_subgroup(hash_to_g1(msg, dst)) || !g2_in_subgroup(hash_to_g2(msg, dst))) std::abort();
  return 0;
}
