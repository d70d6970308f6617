// libFuzzer target: arbitrary bytes through the precompile verifiers and the crypto syscall
// primitives (curve25519, alt_bn128, Poseidon, big_mod_exp). Every input ends in a result or a
// clean failure; a point that alt_bn128 accepts must survive compress -> decompress unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "svm/precompiles.hpp"

using namespace lumio;
using namespace lumio::svm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t op = data[0];
  BytesView in(data + 1, size - 1);
  std::vector<std::span<const uint8_t>> all{in, in.subspan(in.size() / 2)};
  switch (op % 12) {
    case 0: (void)verify_precompile(ed25519_program_id(), in, all); break;
    case 1: (void)verify_precompile(secp256k1_program_id(), in, all); break;
    case 2: (void)verify_precompile(secp256r1_program_id(), in, all); break;
    case 3:
    case 4: {
      auto p = op % 12 == 3 ? bn254::g1_add(in) : bn254::g1_mul(in);
      if (p) {
        auto c = bn254::g1_compress(*p);
        auto d = c ? bn254::g1_decompress(*c) : std::nullopt;
        if (!d || *d != *p) std::abort();
      }
      break;
    }
    case 5:
      if (in.size() <= 192 * 3) (void)bn254::pairing(in);
      break;
    case 6: (void)bn254::g1_decompress(in); (void)bn254::g1_compress(in); break;
    case 7: (void)bn254::g2_decompress(in); (void)bn254::g2_compress(in); break;
    case 8: {
      std::vector<BytesView> parts;
      for (size_t at = 0; at < in.size() && parts.size() < 12; at += 32)
        parts.push_back(in.subspan(at, std::min<size_t>(32, in.size() - at)));
      (void)poseidon(parts, op & 0x80);
      break;
    }
    case 9:
    case 10:
      if (in.size() >= 64) {
        const uint8_t *a = in.data(), *b = in.data() + 32;
        bool ed = op % 12 == 9;
        (void)(ed ? ed25519::validate(a) : ristretto255::validate(a));
        (void)(ed ? ed25519::add(a, b) : ristretto255::add(a, b));
        (void)(ed ? ed25519::sub(a, b) : ristretto255::sub(a, b));
        (void)(ed ? ed25519::mul(a, b) : ristretto255::mul(a, b));
        size_t n = std::min<size_t>((in.size() - 32) / 32, 4);
        (void)(ed ? ed25519::multiscalar_mul(a, a + 32, n - (n > 0)) : ristretto255::multiscalar_mul(a, a + 32, n - (n > 0)));
      }
      break;
    default: {
      size_t n = in.size() / 3;
      if (n <= 512) (void)big_mod_exp(in.first(n), in.subspan(n, n), in.subspan(2 * n));
    }
  }
  return 0;
}
