// 0x05 modexp: EIP-198 with EIP-2565 gas. Lengths may be declared far beyond the input (or
// beyond 2^64): gas is computed with saturating 128-bit arithmetic before anything is allocated.
#include <gmp.h>

#include <algorithm>

#include "evm/precompiles/internal.hpp"

namespace lumio::evm::precompiles {
namespace {

using u128 = unsigned __int128;
constexpr uint64_t kHuge = ~uint64_t{0};

// 32-byte big-endian word at `off` (zero-padded), clamped to 2^64-1.
uint64_t read_len(BytesView in, size_t off) {
  uint8_t w[32] = {};
  if (off < in.size()) std::memcpy(w, in.data() + off, std::min<size_t>(32, in.size() - off));
  for (int i = 0; i < 24; ++i)
    if (w[i]) return kHuge;
  uint64_t v = 0;
  for (int i = 24; i < 32; ++i) v = (v << 8) | w[i];
  return v;
}

// Input bytes [off, off+len) where off/len may be huge; missing bytes read as zero.
void read_field(BytesView in, uint64_t off, uint64_t len, uint8_t* out) {
  if (len == 0) return;
  std::memset(out, 0, len);
  if (off >= in.size()) return;
  std::memcpy(out, in.data() + off, std::min<uint64_t>(len, in.size() - off));
}

u128 sat_add(u128 a, u128 b) { return a + b < a ? ~u128{0} : a + b; }
u128 sat_mul(u128 a, u128 b) {
  if (a && b > ~u128{0} / a) return ~u128{0};
  return a * b;
}

void import(mpz_t z, const uint8_t* p, size_t n) { mpz_import(z, n, 1, 1, 1, 0, p); }

}  // namespace

Result modexp(BytesView in, uint64_t gas) {
  uint64_t blen = read_len(in, 0), elen = read_len(in, 32), mlen = read_len(in, 64);
  // Offsets past the input are all zero; clamp them so nothing overflows.
  auto off = [](uint64_t a, uint64_t b) { return (a > kHuge - b) ? kHuge : a + b; };
  uint64_t eoff = off(96, blen), moff = off(eoff, elen);

  // EIP-2565 gas.
  uint8_t ehead[32];
  uint64_t ehead_len = std::min<uint64_t>(elen, 32);
  read_field(in, eoff, ehead_len, ehead);
  int head_bits = 0;
  for (uint64_t i = 0; i < ehead_len; ++i)
    if (ehead[i]) {
      head_bits = int(ehead_len - i) * 8 - __builtin_clz(ehead[i]) + 24;
      break;
    }
  u128 iters = head_bits > 0 ? u128(head_bits - 1) : 0;
  if (elen > 32) iters = sat_add(iters, sat_mul(8, elen - 32));
  iters = std::max<u128>(iters, 1);
  u128 w = (u128(std::max(blen, mlen)) + 7) / 8;
  u128 cost = sat_mul(sat_mul(w, w), iters) / 3;
  cost = std::max<u128>(cost, 200);
  if (cost > gas) return {false, 0, {}};
  Result r{true, uint64_t(cost), {}};
  if (mlen == 0) return r;

  // Paid for: every length is now bounded by the gas (a byte length L costs >= (L/8)^2/3,
  // an exponent length >= 8*(L-32)/3), except the exponent when base and modulus are empty,
  // which returns above. Only the exponent bytes present in the input are read; missing
  // trailing bytes are a shift.
  Bytes buf(std::max(blen, mlen));
  mpz_t b, e, m, out;
  mpz_inits(b, e, m, out, nullptr);
  read_field(in, 96, blen, buf.data());
  import(b, buf.data(), blen);
  read_field(in, moff, mlen, buf.data());
  import(m, buf.data(), mlen);
  if (mpz_cmp_ui(m, 1) > 0 && mpz_cmp_ui(b, 1) <= 0) {
    // 0^e and 1^e: no need to expand a long exponent.
    bool e_zero = true;
    for (uint64_t i = 0; eoff < in.size() && i < std::min<uint64_t>(elen, in.size() - eoff); ++i)
      e_zero = e_zero && in[eoff + i] == 0;
    mpz_set_ui(out, mpz_sgn(b) == 0 && !e_zero ? 0 : 1);
  } else if (mpz_cmp_ui(m, 1) > 0) {
    uint64_t present = eoff < in.size() ? std::min<uint64_t>(elen, in.size() - eoff) : 0;
    import(e, in.data() + (present ? eoff : 0), present);
    if (mpz_sgn(e) != 0 && present < elen) mpz_mul_2exp(e, e, (elen - present) * 8);
    mpz_powm(out, b, e, m);  // 0^0 = 1 (mod m), matching the reference big-int semantics
  }
  r.output.assign(mlen, 0);
  size_t n = (mpz_sizeinbase(out, 2) + 7) / 8;
  if (mpz_sgn(out) != 0) mpz_export(r.output.data() + mlen - n, nullptr, 1, 1, 1, 0, out);
  mpz_clears(b, e, m, out, nullptr);
  return r;
}

}  // namespace lumio::evm::precompiles
