// Arbitrary bytes into the ristretto255 decoder, the uniform-bytes map and the Bulletproofs
// proof parser and verifier: they must never crash, and a parsed proof must re-serialize to its
// input. Layout: byte 0 selects the bit length (8 << (b % 4)), byte 1 the batch size (1 << (b % 5)),
// then m 32-byte commitments, then the proof.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "movevm/ristretto_internal.hpp"

using namespace lumio;
using namespace lumio::movevm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 32) ristretto::decode(BytesView(data, 32));
  if (size >= 64) ristretto::from_uniform_bytes(data);
  if (size < 2) return 0;
  size_t bits = size_t(8) << (data[0] % 4), m = size_t(1) << (data[1] % 5);
  BytesView rest(data + 2, size - 2);
  if (rest.size() < 32 * m) return 0;
  std::vector<Bytes> comms;
  for (size_t j = 0; j < m; ++j) comms.emplace_back(rest.begin() + 32 * j, rest.begin() + 32 * (j + 1));
  BytesView proof = rest.subspan(32 * m);
  auto p = bulletproofs::RangeProof::from_bytes(proof);
  if (!p) return 0;
  if (p->to_bytes() != Bytes(proof.begin(), proof.end())) std::abort();
  static const uint8_t dst[] = "fuzz";
  bulletproofs::verify(*p, comms, ristretto::kBasepoint, ristretto::hash_sha512(BytesView(dst, 4)), bits,
                       BytesView(dst, 4));
  return 0;
}
