#include "evm/precompiles/precompiles.hpp"

#include <algorithm>

#include "common/hash.hpp"
#include "common/secp256k1.hpp"
#include "evm/precompiles/internal.hpp"

namespace lumio::evm::precompiles {
namespace {

uint64_t words(size_t n) { return (uint64_t(n) + 31) / 32; }

// Copies input[off, off+n) into out, zero-padding past the end of input.
void read_padded(BytesView in, size_t off, uint8_t* out, size_t n) {
  std::memset(out, 0, n);
  if (off < in.size()) std::memcpy(out, in.data() + off, std::min(n, in.size() - off));
}

Result fail() { return {false, 0, {}}; }

Result ecrecover(BytesView in, uint64_t gas) {
  constexpr uint64_t kCost = 3000;
  if (gas < kCost) return fail();
  uint8_t buf[128];
  read_padded(in, 0, buf, 128);
  Result ok{true, kCost, {}};
  for (int i = 32; i < 63; ++i)
    if (buf[i]) return ok;
  if (buf[63] != 27 && buf[63] != 28) return ok;
  Hash32 msg, r, s;
  std::memcpy(msg.data(), buf, 32);
  std::memcpy(r.data(), buf + 64, 32);
  std::memcpy(s.data(), buf + 96, 32);
  auto addr = secp256k1::recover_address(msg, r, s, buf[63] - 27);
  if (!addr) return ok;
  ok.output.assign(12, 0);
  ok.output.insert(ok.output.end(), addr->bytes.begin(), addr->bytes.end());
  return ok;
}

Result sha256_pc(BytesView in, uint64_t gas) {
  uint64_t cost = 60 + 12 * words(in.size());
  if (gas < cost) return fail();
  auto h = sha256(in);
  return {true, cost, Bytes(h.bytes.begin(), h.bytes.end())};
}

Result ripemd160_pc(BytesView in, uint64_t gas) {
  uint64_t cost = 600 + 120 * words(in.size());
  if (gas < cost) return fail();
  auto h = ripemd160(in);
  Bytes out(12, 0);
  out.insert(out.end(), h.bytes.begin(), h.bytes.end());
  return {true, cost, std::move(out)};
}

Result identity(BytesView in, uint64_t gas) {
  uint64_t cost = 15 + 3 * words(in.size());
  if (gas < cost) return fail();
  return {true, cost, Bytes(in.begin(), in.end())};
}

}  // namespace

bool is_precompile(const Address& a) {
  for (int i = 0; i < 19; ++i)
    if (a.bytes[i]) return false;
  return a.bytes[19] >= 1 && a.bytes[19] <= 0x0a;
}

Result run(const Address& a, BytesView in, uint64_t gas) {
  if (!is_precompile(a)) return fail();
  switch (a.bytes[19]) {
    case 1: return ecrecover(in, gas);
    case 2: return sha256_pc(in, gas);
    case 3: return ripemd160_pc(in, gas);
    case 4: return identity(in, gas);
    case 5: return modexp(in, gas);
    case 6: return bn254_add(in, gas);
    case 7: return bn254_mul(in, gas);
    case 8: return bn254_pairing(in, gas);
    case 9: return blake2f(in, gas);
    case 10: return point_evaluation(in, gas);
  }
  return fail();
}

}  // namespace lumio::evm::precompiles
