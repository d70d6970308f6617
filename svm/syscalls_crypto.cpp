// Crypto syscalls: sol_blake3, curve25519 (sol_curve_validate_point / _group_op /
// _multiscalar_mul), alt_bn128 (sol_alt_bn128_group_op, sol_alt_bn128_compression),
// sol_big_mod_exp, sol_poseidon and sol_get_epoch_stake, with Agave's costs (SVMTransactionExecutionCost),
// argument order of memory translation and result codes (syscalls/src/lib.rs, solana-curve25519,
// solana-bn254, solana-big-mod-exp). Mainnet features assumed active: abort_on_invalid_curve,
// simplify_alt_bn128_syscall_error_codes (every bn128 failure returns 1),
// fix_alt_bn128_pairing_length_check, alt_bn128_little_endian (SIMD-0284),
// enable_alt_bn128_g2_syscalls (SIMD-0302: G2 add 4, G2 mul 6).
#include <fmt/format.h>
#include <gmp.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>

#include "common/blake3.hpp"
#include "common/ff/curves.hpp"
#include "svm/precompiles.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {
namespace {

using Result = Expected<uint64_t, EbpfError>;

EbpfError syscall_error(const char* kind) { return EbpfError::from_syscall(kind, kind); }

// --- Edwards25519 with curve25519-dalek's semantics -----------------------------------------------
// libsodium's Edwards API rejects points outside the prime-order subgroup and non-canonical
// encodings, which dalek (and so Solana) accepts; so the arithmetic here is our own: GF(2^255-19)
// in five 51-bit limbs, extended twisted Edwards coordinates (complete formulas, a = -1).
namespace ed {

constexpr uint64_t kMask = (uint64_t{1} << 51) - 1;
struct Fe {
  uint64_t v[5];
};
using u128 = unsigned __int128;

inline uint64_t load64(const uint8_t* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}
Fe carry(Fe a) {
  for (int i = 0; i < 4; ++i) { a.v[i + 1] += a.v[i] >> 51; a.v[i] &= kMask; }
  a.v[0] += 19 * (a.v[4] >> 51);
  a.v[4] &= kMask;
  a.v[1] += a.v[0] >> 51;
  a.v[0] &= kMask;
  return a;
}
Fe operator+(const Fe& a, const Fe& b) {
  Fe r;
  for (int i = 0; i < 5; ++i) r.v[i] = a.v[i] + b.v[i];
  return carry(r);
}
Fe operator-(const Fe& a, const Fe& b) {  // a + 2p - b (limbs of b are < 2^52)
  Fe r;
  r.v[0] = a.v[0] + 0xFFFFFFFFFFFDAull - b.v[0];
  for (int i = 1; i < 5; ++i) r.v[i] = a.v[i] + 0xFFFFFFFFFFFFEull - b.v[i];
  return carry(r);
}
Fe operator-(const Fe& a) { return Fe{{0, 0, 0, 0, 0}} - a; }
Fe operator*(const Fe& a, const Fe& b) {
  const uint64_t *x = a.v, *y = b.v;
  uint64_t y19[5];
  for (int i = 0; i < 5; ++i) y19[i] = 19 * y[i];
  u128 r0 = (u128)x[0] * y[0] + (u128)x[1] * y19[4] + (u128)x[2] * y19[3] + (u128)x[3] * y19[2] + (u128)x[4] * y19[1];
  u128 r1 = (u128)x[0] * y[1] + (u128)x[1] * y[0] + (u128)x[2] * y19[4] + (u128)x[3] * y19[3] + (u128)x[4] * y19[2];
  u128 r2 = (u128)x[0] * y[2] + (u128)x[1] * y[1] + (u128)x[2] * y[0] + (u128)x[3] * y19[4] + (u128)x[4] * y19[3];
  u128 r3 = (u128)x[0] * y[3] + (u128)x[1] * y[2] + (u128)x[2] * y[1] + (u128)x[3] * y[0] + (u128)x[4] * y19[4];
  u128 r4 = (u128)x[0] * y[4] + (u128)x[1] * y[3] + (u128)x[2] * y[2] + (u128)x[3] * y[1] + (u128)x[4] * y[0];
  r1 += uint64_t(r0 >> 51); r2 += uint64_t(r1 >> 51); r3 += uint64_t(r2 >> 51); r4 += uint64_t(r3 >> 51);
  Fe r{{uint64_t(r0) & kMask, uint64_t(r1) & kMask, uint64_t(r2) & kMask, uint64_t(r3) & kMask, uint64_t(r4) & kMask}};
  r.v[0] += 19 * uint64_t(r4 >> 51);
  r.v[1] += r.v[0] >> 51;
  r.v[0] &= kMask;
  return r;
}
Fe from_u64(uint64_t x) { return carry(Fe{{x, 0, 0, 0, 0}}); }
// Bit 255 ignored; values >= p are accepted and reduced (as dalek's FieldElement::from_bytes).
Fe from_bytes(const uint8_t* b) {
  return Fe{{load64(b) & kMask, (load64(b + 6) >> 3) & kMask, (load64(b + 12) >> 6) & kMask,
             (load64(b + 19) >> 1) & kMask, (load64(b + 24) >> 12) & kMask}};
}
Point32 to_bytes(Fe a) {  // canonical
  a = carry(carry(a));
  uint64_t q = (a.v[0] + 19) >> 51;
  for (int i = 1; i < 5; ++i) q = (a.v[i] + q) >> 51;  // 1 iff a >= p
  a.v[0] += 19 * q;
  for (int i = 0; i < 4; ++i) { a.v[i + 1] += a.v[i] >> 51; a.v[i] &= kMask; }
  a.v[4] &= kMask;
  Point32 out{};
  uint64_t w[4] = {a.v[0] | a.v[1] << 51, a.v[1] >> 13 | a.v[2] << 38, a.v[2] >> 26 | a.v[3] << 25,
                   a.v[3] >> 39 | a.v[4] << 12};
  std::memcpy(out.data(), w, 32);
  return out;
}
bool is_negative(const Fe& a) { return to_bytes(a)[0] & 1; }
bool operator==(const Fe& a, const Fe& b) { return to_bytes(a) == to_bytes(b); }
// a^e, e as 32 little-endian bytes.
Fe pow(const Fe& a, const uint8_t* e) {
  Fe r = from_u64(1);
  for (int i = 255; i >= 0; --i) {
    r = r * r;
    if ((e[i / 8] >> (i % 8)) & 1) r = r * a;
  }
  return r;
}
constexpr uint8_t kPMinus2[32] = {0xeb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
Fe inv(const Fe& a) { return pow(a, kPMinus2); }
Fe pow_p58(const Fe& a) {  // a^((p-5)/8) = a^(2^252 - 3)
  uint8_t e[32];
  std::memset(e, 0xff, 32);
  e[0] = 0xfd, e[31] = 0x0f;
  return pow(a, e);
}
const Fe& sqrt_m1() {  // 2^((p-1)/4)
  static const Fe s = [] {
    uint8_t e[32];
    std::memset(e, 0xff, 32);
    e[0] = 0xfb, e[31] = 0x1f;
    return pow(from_u64(2), e);
  }();
  return s;
}
const Fe& d() {  // -121665/121666
  static const Fe v = -from_u64(121665) * inv(from_u64(121666));
  return v;
}
const Fe& d2() {
  static const Fe v = d() + d();
  return v;
}

// dalek's FieldElement::sqrt_ratio_i: (u/v is a square, the non-negative root of u/v or of i*u/v).
std::pair<bool, Fe> sqrt_ratio_i(const Fe& u, const Fe& v) {
  Fe v3 = v * v * v, v7 = v3 * v3 * v;
  Fe r = u * v3 * pow_p58(u * v7);
  Fe check = v * r * r;
  bool correct = check == u, flipped = check == -u, flipped_i = check == -u * sqrt_m1();
  if (flipped || flipped_i) r = r * sqrt_m1();
  if (is_negative(r)) r = -r;
  return {correct || flipped, r};
}

struct Point {
  Fe x, y, z, t;
};
Point identity() { return {from_u64(0), from_u64(1), from_u64(1), from_u64(0)}; }
Point add(const Point& p, const Point& q) {
  Fe a = (p.y - p.x) * (q.y - q.x), b = (p.y + p.x) * (q.y + q.x);
  Fe c = p.t * d2() * q.t, dd = p.z * q.z;
  dd = dd + dd;
  Fe e = b - a, f = dd - c, g = dd + c, h = b + a;
  return {e * f, g * h, f * g, e * h};
}
Point dbl(const Point& p) {
  Fe a = p.x * p.x, b = p.y * p.y, c = p.z * p.z;
  c = c + c;
  Fe xy = p.x + p.y;
  Fe e = xy * xy - a - b, g = b - a, f = g - c, h = -a - b;
  return {e * f, g * h, f * g, e * h};
}
Point neg(const Point& p) { return {-p.x, p.y, p.z, -p.t}; }
// CompressedEdwardsY::decompress.
std::optional<Point> decompress(const uint8_t* s) {
  Fe y = from_bytes(s), one = from_u64(1);
  Fe yy = y * y;
  auto [ok, x] = sqrt_ratio_i(yy - one, d() * yy + one);
  if (!ok) return std::nullopt;
  if (s[31] >> 7) x = -x;
  return Point{x, y, one, x * y};
}
Point32 compress(const Point& p) {
  Fe zi = inv(p.z);
  Fe x = p.x * zi, y = p.y * zi;
  Point32 out = to_bytes(y);
  out[31] ^= uint8_t(is_negative(x) << 7);
  return out;
}
// [k]P for a 32-byte little-endian scalar, 4-bit fixed window (variable time: inputs are public).
Point mul(const uint8_t* k, const Point& p) {
  Point table[16];
  table[0] = identity();
  for (int i = 1; i < 16; ++i) table[i] = add(table[i - 1], p);
  Point r = identity();
  for (int i = 63; i >= 0; --i) {
    r = dbl(dbl(dbl(dbl(r))));
    int nib = (k[i / 2] >> (4 * (i % 2))) & 15;
    if (nib) r = add(r, table[nib]);
  }
  return r;
}

}  // namespace ed

// Scalar::from_canonical_bytes: s < l = 2^252 + 27742317777372353535851937790883648493.
bool is_canonical_scalar(const uint8_t* s) {
  static constexpr uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                     0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                     0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  for (int i = 31; i >= 0; --i)
    if (s[i] != kL[i]) return s[i] < kL[i];
  return false;
}

// --- BN254 (alt_bn128) over the EVM precompiles' field/curve/pairing templates -----------------
namespace bn {
namespace ff = lumio::ff;
using namespace ff;
using Curve = ff::bn254::Curve;
using F = Curve::F;
using P = Pairing<Curve>;
using E2 = P::E2;
using G1 = Jacobian<F>;
using G2 = Jacobian<E2>;

const F& b1() {
  static const F b = F::from_u64(3);
  return b;
}
const E2& b2() {  // twist: y^2 = x^3 + 3/(9+u)
  static const E2 b = E2{F::from_u64(3), F::zero()} * E2::one().mul_xi().inv();
  return b;
}

// arkworks' SWFlags in the top two bits of a big-endian field element: 0x40 point at infinity,
// 0x80 "y is negative" (ignored for uncompressed points), both: invalid.
enum class Flag { None, Infinity, Negative, Invalid };
Flag take_flag(uint8_t* be) {
  uint8_t f = be[0] >> 6;
  be[0] &= 0x3f;
  return f == 0 ? Flag::None : f == 1 ? Flag::Infinity : f == 2 ? Flag::Negative : Flag::Invalid;
}
std::optional<F> fe(const uint8_t* be) { return F::from_bytes(be); }
std::optional<E2> fe2(const uint8_t* be) {  // (c1, c0) big-endian, as EIP-197
  auto c1 = F::from_bytes(be), c0 = F::from_bytes(be + 32);
  if (!c0 || !c1) return std::nullopt;
  return E2{*c0, *c1};
}
// y > -y in arkworks' order (extension fields compare the highest coefficient first).
bool is_large(const F& y) { return y.is_large(); }
bool is_large(const E2& y) { return y.c1.is_zero() ? y.c0.is_large() : y.c1.is_large(); }

// PodG1 -> G1Affine (solana-bn254): all-zero is the identity; otherwise arkworks' uncompressed
// deserialization (canonical coordinates, flags in y) with on-curve validation.
struct G1Read {
  bool ok = false;
  G1 p = G1::infinity();
};
G1Read read_g1(const uint8_t* in) {
  static const uint8_t zero[64] = {};
  if (std::memcmp(in, zero, 64) == 0) return {true, G1::infinity()};
  uint8_t buf[64];
  std::memcpy(buf, in, 64);
  Flag flag = take_flag(buf + 32);
  auto x = fe(buf), y = fe(buf + 32);
  if (!x || !y || flag == Flag::Invalid) return {};
  if (flag == Flag::Infinity) return {true, G1::infinity()};
  if (!on_curve(*x, *y, b1())) return {};
  return {true, G1::from_affine(*x, *y)};
}
struct G2Read {
  bool ok = false;
  G2 p = G2::infinity();
};
G2Read read_g2(const uint8_t* in, bool subgroup_check = true) {
  static const uint8_t zero[128] = {};
  if (std::memcmp(in, zero, 128) == 0) return {true, G2::infinity()};
  uint8_t buf[128];
  std::memcpy(buf, in, 128);
  Flag flag = take_flag(buf + 64);
  auto x = fe2(buf), y = fe2(buf + 64);
  if (!x || !y || flag == Flag::Invalid) return {};
  if (flag == Flag::Infinity) return {true, G2::infinity()};
  if (!on_curve(*x, *y, b2())) return {};
  G2 q = G2::from_affine(*x, *y);
  if (!subgroup_check) return {true, q};
  // Subgroup check (as the EVM precompile): [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q).
  G2 uq = q.mul(&ff::bn254::kU, 1);
  G2 lhs = uq + q + P::frobenius(uq) + P::frobenius(P::frobenius(uq));
  G2 rhs = P::frobenius(P::frobenius(P::frobenius(uq.dbl())));
  if (!(lhs == rhs)) return {};
  return {true, q};
}
Bytes write_g1(const G1& p) {
  Bytes out(64, 0);
  if (p.is_infinity()) return out;
  F x, y;
  p.to_affine(x, y);
  x.to_bytes(out.data());
  y.to_bytes(out.data() + 32);
  return out;
}
void write_fe2(const E2& v, uint8_t* out) {
  v.c1.to_bytes(out);
  v.c0.to_bytes(out + 32);
}
Bytes write_g2(const G2& p) {
  Bytes out(128, 0);
  if (p.is_infinity()) return out;
  E2 x, y;
  p.to_affine(x, y);
  write_fe2(x, out.data());
  write_fe2(y, out.data() + 64);
  return out;
}

}  // namespace bn

// --- Poseidon (light-poseidon / circom, BN254 scalar field, x^5) --------------------------------
// The round constants and MDS matrices are not tabulated: they are regenerated exactly as the
// Poseidon reference script (generate_parameters_grain.sage) does, which is where circomlib's come
// from: a Grain LFSR seeded with (field=1, sbox=0, n=254, t, R_F=8, R_P); constants by rejection
// sampling; the MDS matrix is the Cauchy matrix 1/(x_i + y_j) of the next 2t values (mod r).
namespace pos {
namespace ff = lumio::ff;
struct FrTag {
  static constexpr size_t N = 4;
  static constexpr ff::Modulus<4> M =
      ff::make_modulus<4>("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
};
using Fr = ff::Fp<FrTag>;
constexpr int kFullRounds = 8;
constexpr int kPartialRounds[12] = {56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65};  // t = 2..13

class Grain {
 public:
  Grain(int t, int partial) {
    uint64_t fields[6][2] = {{1, 2}, {0, 4}, {254, 12}, {uint64_t(t), 12}, {kFullRounds, 10},
                             {uint64_t(partial), 10}};
    int n = 0;
    for (auto& [v, w] : fields)
      for (int b = int(w) - 1; b >= 0; --b) bits_[n++] = (v >> b) & 1;
    while (n < 80) bits_[n++] = 1;
    for (int i = 0; i < 160; ++i) step();
  }
  // Self-shrinking output: bit pairs (a, b) give b when a is 1.
  int next() {
    for (;;) {
      int a = step(), b = step();
      if (a) return b;
    }
  }
  // n bits, most significant first, as 32 big-endian bytes.
  std::array<uint8_t, 32> bits(int n) {
    std::array<uint8_t, 32> out{};
    for (int i = 0; i < n; ++i) {
      int pos = 256 - n + i;
      out[pos / 8] |= uint8_t(next() << (7 - pos % 8));
    }
    return out;
  }

 private:
  int step() {
    auto at = [&](int i) { return bits_[(head_ + i) % 80]; };
    int nb = at(62) ^ at(51) ^ at(38) ^ at(23) ^ at(13) ^ at(0);
    bits_[head_] = uint8_t(nb);  // the oldest bit leaves, the new one enters at the end
    head_ = (head_ + 1) % 80;
    return nb;
  }
  uint8_t bits_[80];
  int head_ = 0;
};

struct Params {
  int t, partial;
  std::vector<Fr> c, m;  // (R_F + R_P) * t round constants; t x t MDS, row-major
};

Fr reduced(const std::array<uint8_t, 32>& be) {  // < 2^254 < 2r: at most one subtraction
  if (auto f = Fr::from_bytes(be.data())) return *f;
  static const Hash32 mod =
      *fixed_from_hex<32>("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
  std::array<uint8_t, 32> r{};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int v = int(be[i]) - mod.bytes[i] - borrow;
    borrow = v < 0;
    r[i] = uint8_t(v + (borrow ? 256 : 0));
  }
  return *Fr::from_bytes(r.data());
}

Params make_params(int t) {
  Params p{t, kPartialRounds[t - 2], {}, {}};
  Grain g(t, p.partial);
  size_t n = size_t(kFullRounds + p.partial) * t;
  while (p.c.size() < n)
    if (auto f = Fr::from_bytes(g.bits(254).data())) p.c.push_back(*f);
  std::vector<Fr> xy;
  for (int i = 0; i < 2 * t; ++i) xy.push_back(reduced(g.bits(254)));
  for (int i = 0; i < t; ++i)
    for (int j = 0; j < t; ++j) p.m.push_back((xy[i] + xy[t + j]).inv());
  return p;
}

const Params& params(int t) {  // built on first use of each width
  static std::once_flag once[12];
  static Params all[12];
  std::call_once(once[t - 2], [t] { all[t - 2] = make_params(t); });
  return all[t - 2];
}

Fr pow5(const Fr& x) {
  Fr x2 = x.sqr();
  return x2.sqr() * x;
}

}  // namespace pos

// Costs Agave charges (SVMTransactionExecutionCost defaults) beyond ExecutionCost's.
constexpr uint64_t kEdValidate = 159, kEdAdd = 473, kEdSub = 475, kEdMul = 2177,
                   kEdMsmBase = 2273, kEdMsmInc = 758;
constexpr uint64_t kRiValidate = 169, kRiAdd = 521, kRiSub = 519, kRiMul = 2208,
                   kRiMsmBase = 2303, kRiMsmInc = 788;
constexpr uint64_t kBnAdd = 334, kBnMul = 3840, kBnPairFirst = 36364, kBnPairOther = 12121,
                   kBnG2Add = 535, kBnG2Mul = 15670;
constexpr uint64_t kBnG1Compress = 30, kBnG1Decompress = 398, kBnG2Compress = 86,
                   kBnG2Decompress = 13610;
constexpr uint64_t kModExpBase = 190, kModExpDivisor = 2;

// --- sol_blake3: SyscallHash<Blake3Hasher>, sha256's cost and slice limit ---------------------

Result sol_blake3(SyscallContext& ctx, uint64_t vals, uint64_t count, uint64_t result, uint64_t, uint64_t) {
  if (count > ctx.cost.sha256_max_slices) {
    ctx.log(fmt::format("Blake3 Hashing {} sequences in one syscall is over the limit {}", count,
                        ctx.cost.sha256_max_slices));
    return EbpfError::from_syscall("TooManySlices", "Hashing too many sequences");
  }
  if (auto e = ctx.consume_checked(ctx.cost.sha256_base_cost)) return *e;
  auto out = ctx.translate(AccessType::Store, result, 32);
  if (!out) return out.error();
  blake3::Hasher h;
  if (count > 0) {
    if (count > uint64_t(INT64_MAX) / 16) return syscall_error("InvalidLength");
    auto list = ctx.translate(AccessType::Load, vals, count * 16, 8);
    if (!list) return list.error();
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t ptr, len;
      std::memcpy(&ptr, *list + i * 16, 8);
      std::memcpy(&len, *list + i * 16 + 8, 8);
      auto bytes = ctx.translate(AccessType::Load, ptr, len);
      if (!bytes) return bytes.error();
      uint64_t cost = std::max(ctx.cost.mem_op_base_cost, ctx.cost.sha256_byte_cost * (len / 2));
      if (auto e = ctx.consume_checked(cost)) return *e;
      h.update(BytesView(*bytes, len));
    }
  }
  Hash32 d = h.finalize();
  std::memcpy(*out, d.data(), 32);
  return uint64_t{0};
}

// --- curve25519 --------------------------------------------------------------------------------

constexpr uint64_t kEdwards = 0, kRistretto = 1;
constexpr uint64_t kOpAdd = 0, kOpSub = 1, kOpMul = 2;

Result curve_validate_point(SyscallContext& ctx, uint64_t curve, uint64_t point, uint64_t, uint64_t, uint64_t) {
  if (curve != kEdwards && curve != kRistretto) return syscall_error("InvalidAttribute");
  if (auto e = ctx.consume_checked(curve == kEdwards ? kEdValidate : kRiValidate)) return *e;
  auto p = ctx.translate(AccessType::Load, point, 32);
  if (!p) return p.error();
  bool ok = curve == kEdwards ? ed25519::validate(*p) : ristretto255::validate(*p);
  return uint64_t{ok ? 0u : 1u};
}

Result curve_group_op(SyscallContext& ctx, uint64_t curve, uint64_t op, uint64_t left, uint64_t right,
                      uint64_t result) {
  if ((curve != kEdwards && curve != kRistretto) || op > kOpMul) return syscall_error("InvalidAttribute");
  static constexpr uint64_t kCost[2][3] = {{kEdAdd, kEdSub, kEdMul}, {kRiAdd, kRiSub, kRiMul}};
  if (auto e = ctx.consume_checked(kCost[curve][op])) return *e;
  auto a = ctx.translate(AccessType::Load, left, 32);  // a scalar for MUL
  if (!a) return a.error();
  auto b = ctx.translate(AccessType::Load, right, 32);
  if (!b) return b.error();
  std::optional<Point32> r;
  if (curve == kEdwards)
    r = op == kOpAdd ? ed25519::add(*a, *b) : op == kOpSub ? ed25519::sub(*a, *b) : ed25519::mul(*a, *b);
  else
    r = op == kOpAdd ? ristretto255::add(*a, *b)
                     : op == kOpSub ? ristretto255::sub(*a, *b) : ristretto255::mul(*a, *b);
  if (!r) return uint64_t{1};
  auto out = ctx.translate(AccessType::Store, result, 32);
  if (!out) return out.error();
  std::memcpy(*out, r->data(), 32);
  return uint64_t{0};
}

Result curve_multiscalar_mul(SyscallContext& ctx, uint64_t curve, uint64_t scalars_addr, uint64_t points_addr,
                             uint64_t n, uint64_t result) {
  if (n > 512) return syscall_error("InvalidLength");
  if (curve != kEdwards && curve != kRistretto) return syscall_error("InvalidAttribute");
  uint64_t extra = n == 0 ? 0 : n - 1;
  uint64_t cost = curve == kEdwards ? kEdMsmBase + kEdMsmInc * extra : kRiMsmBase + kRiMsmInc * extra;
  if (auto e = ctx.consume_checked(cost)) return *e;
  auto s = ctx.translate(AccessType::Load, scalars_addr, n * 32);
  if (!s) return s.error();
  auto p = ctx.translate(AccessType::Load, points_addr, n * 32);
  if (!p) return p.error();
  auto r = curve == kEdwards ? ed25519::multiscalar_mul(*s, *p, n) : ristretto255::multiscalar_mul(*s, *p, n);
  if (!r) return uint64_t{1};
  auto out = ctx.translate(AccessType::Store, result, 32);
  if (!out) return out.error();
  std::memcpy(*out, r->data(), 32);
  return uint64_t{0};
}

// --- alt_bn128 ---------------------------------------------------------------------------------

constexpr uint64_t kBnOpAdd = 0, kBnOpMul = 2, kBnOpPairing = 3, kBnOpG2Add = 4, kBnOpG2Mul = 6,
                   kLeFlag = 0x80;

// SIMD-0284 little-endian variants (op | 0x80): arkworks' native layout, i.e. every 32-byte field
// element reversed, with G2 coordinates (c0, c1) -- reversing each 64-byte Fq2 maps it to EIP-197's
// (c1, c0) big-endian form. Conversions are involutions.
Bytes reverse_chunks(BytesView in, size_t chunk) {
  Bytes out(in.begin(), in.end());
  for (size_t at = 0; at + chunk <= out.size(); at += chunk) std::reverse(out.begin() + at, out.begin() + at + chunk);
  return out;
}
Bytes pairing_le_to_be(BytesView in) {  // per 192-byte element: G1 (2 x 32), G2 (2 x 64)
  Bytes out(in.begin(), in.end());
  for (size_t at = 0; at + 192 <= out.size(); at += 192) {
    std::reverse(out.begin() + at, out.begin() + at + 32);
    std::reverse(out.begin() + at + 32, out.begin() + at + 64);
    std::reverse(out.begin() + at + 64, out.begin() + at + 128);
    std::reverse(out.begin() + at + 128, out.begin() + at + 192);
  }
  return out;
}

std::optional<Bytes> alt_bn128_le(uint64_t op, BytesView in) {
  switch (op) {
    case kBnOpAdd: {  // little-endian inputs must be exactly 128 / 96 bytes (no zero padding)
      if (in.size() != 128) return std::nullopt;
      auto r = bn254::g1_add(reverse_chunks(in, 32));
      return r ? std::optional(reverse_chunks(*r, 32)) : std::nullopt;
    }
    case kBnOpMul: {
      if (in.size() != 96) return std::nullopt;
      auto r = bn254::g1_mul(reverse_chunks(in, 32));
      return r ? std::optional(reverse_chunks(*r, 32)) : std::nullopt;
    }
    case kBnOpG2Add: {  // two G2 points, each (x, y) as little-endian (c0, c1)
      if (in.size() != 256) return std::nullopt;
      auto r = bn254::g2_add(reverse_chunks(in, 64));
      return r ? std::optional(reverse_chunks(*r, 64)) : std::nullopt;
    }
    case kBnOpG2Mul: {
      if (in.size() != 160) return std::nullopt;
      Bytes be = reverse_chunks(in.first(128), 64), k = reverse_chunks(in.subspan(128), 32);
      be.insert(be.end(), k.begin(), k.end());
      auto r = bn254::g2_mul(be);
      return r ? std::optional(reverse_chunks(*r, 64)) : std::nullopt;
    }
    default: {
      if (in.size() % 192) return std::nullopt;
      auto r = bn254::pairing(pairing_le_to_be(in));
      return r ? std::optional(reverse_chunks(*r, 32)) : std::nullopt;
    }
  }
}

Result alt_bn128_group_op(SyscallContext& ctx, uint64_t op, uint64_t input_addr, uint64_t input_size,
                          uint64_t result, uint64_t) {
  const bool le = op & kLeFlag;
  const uint64_t base = op & ~kLeFlag;
  uint64_t cost, out_len;
  if (base == kBnOpAdd) {
    cost = kBnAdd, out_len = 64;
  } else if (base == kBnOpMul) {
    cost = kBnMul, out_len = 64;
  } else if (base == kBnOpPairing) {
    uint64_t pairs = input_size / 192;  // Agave's sums saturate
    unsigned __int128 c = (unsigned __int128)kBnPairOther * (pairs == 0 ? 0 : pairs - 1) + kBnPairFirst +
                          ctx.cost.sha256_base_cost + input_size + 32;
    cost = c > UINT64_MAX ? UINT64_MAX : uint64_t(c);
    out_len = 32;
  } else if (base == kBnOpG2Add) {
    cost = kBnG2Add, out_len = 128;
  } else if (base == kBnOpG2Mul) {
    cost = kBnG2Mul, out_len = 128;
  } else {  // G1/G2 SUB (1, 5), anything else
    return syscall_error("InvalidAttribute");
  }
  if (auto e = ctx.consume_checked(cost)) return *e;
  auto out = ctx.translate(AccessType::Store, result, out_len);
  if (!out) return out.error();
  auto in = ctx.translate(AccessType::Load, input_addr, input_size);
  if (!in) return in.error();
  BytesView input(*in, input_size);
  std::optional<Bytes> r;
  if (le) r = alt_bn128_le(base, input);
  else if (base == kBnOpAdd) r = bn254::g1_add(input);
  else if (base == kBnOpMul) r = bn254::g1_mul(input);
  else if (base == kBnOpG2Add) r = bn254::g2_add(input);
  else if (base == kBnOpG2Mul) r = bn254::g2_mul(input);
  else r = bn254::pairing(input);
  if (!r) return uint64_t{1};
  std::memcpy(*out, r->data(), out_len);
  return uint64_t{0};
}

Result alt_bn128_compression(SyscallContext& ctx, uint64_t op, uint64_t input_addr, uint64_t input_size,
                             uint64_t result, uint64_t) {
  static constexpr uint64_t kCost[4] = {kBnG1Compress, kBnG1Decompress, kBnG2Compress, kBnG2Decompress};
  static constexpr uint64_t kOut[4] = {32, 64, 64, 128};
  const bool le = op & kLeFlag;
  const uint64_t base = op & ~kLeFlag;
  if (base > 3) return syscall_error("InvalidAttribute");
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost + kCost[base])) return *e;
  auto out = ctx.translate(AccessType::Store, result, kOut[base]);
  if (!out) return out.error();
  auto in = ctx.translate(AccessType::Load, input_addr, input_size);
  if (!in) return in.error();
  const size_t chunk = base < 2 ? 32 : 64;  // field element (G1) or Fq2 (G2)
  Bytes input = le ? reverse_chunks({*in, input_size}, chunk) : Bytes(*in, *in + input_size);
  std::optional<Bytes> r;
  switch (base) {
    case 0: r = bn254::g1_compress(input); break;
    case 1: r = bn254::g1_decompress(input); break;
    case 2: r = bn254::g2_compress(input); break;
    default: r = bn254::g2_decompress(input); break;
  }
  if (!r) return uint64_t{1};
  if (le) *r = reverse_chunks(*r, chunk);
  std::memcpy(*out, r->data(), kOut[base]);
  return uint64_t{0};
}

// --- sol_big_mod_exp ---------------------------------------------------------------------------

// BigModExpParams (repr C): base ptr, base_len, exponent ptr, exponent_len, modulus ptr, modulus_len.
Result sol_big_mod_exp(SyscallContext& ctx, uint64_t params_addr, uint64_t result, uint64_t, uint64_t, uint64_t) {
  auto pp = ctx.translate(AccessType::Load, params_addr, 48, 8);
  if (!pp) return pp.error();
  uint64_t f[6];
  std::memcpy(f, *pp, 48);
  if (f[1] > 512 || f[3] > 512 || f[5] > 512) return syscall_error("InvalidLength");
  uint64_t n = std::max({f[1], f[3], f[5]});
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost + n * n / kModExpDivisor + kModExpBase)) return *e;
  auto base = ctx.translate(AccessType::Load, f[0], f[1]);
  if (!base) return base.error();
  auto exp = ctx.translate(AccessType::Load, f[2], f[3]);
  if (!exp) return exp.error();
  auto mod = ctx.translate(AccessType::Load, f[4], f[5]);
  if (!mod) return mod.error();
  Bytes value = big_mod_exp({*base, f[1]}, {*exp, f[3]}, {*mod, f[5]});
  auto out = ctx.translate(AccessType::Store, result, f[5]);
  if (!out) return out.error();
  if (!value.empty()) std::memcpy(*out, value.data(), value.size());
  return uint64_t{0};
}

// --- sol_get_epoch_stake (SIMD-0133) -----------------------------------------------------------

// Lumio's single sequencer has no stake: every vote account has 0 active stake and so does the
// cluster (Agave returns 0 for unknown vote accounts too).
Result sol_get_epoch_stake(SyscallContext& ctx, uint64_t vote_addr, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (vote_addr == 0) {
    if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost)) return *e;
    return uint64_t{0};
  }
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost + 32 / ctx.cost.cpi_bytes_per_unit +
                                   ctx.cost.mem_op_base_cost))
    return *e;
  auto v = ctx.translate(AccessType::Load, vote_addr, 32);
  if (!v) return v.error();
  return uint64_t{0};
}

// --- sol_poseidon --------------------------------------------------------------------------------

// r1 parameters (0 = Bn254X5), r2 endianness (0 big, 1 little), r3/r4 the input slices, r5 the
// 32-byte result. Cost 61 n^2 + 542; any hashing failure returns 1.
Result sol_poseidon(SyscallContext& ctx, uint64_t parameters, uint64_t endianness, uint64_t vals, uint64_t n,
                    uint64_t result) {
  if (parameters != 0) return EbpfError::from_syscall("InvalidParameters", "Invalid parameters.");
  if (endianness > 1) return EbpfError::from_syscall("InvalidEndianness", "Invalid endianness.");
  if (n > 12) {
    ctx.log(fmt::format("Poseidon hashing {} sequences is not supported", n));
    return syscall_error("InvalidLength");
  }
  if (auto e = ctx.consume_checked(61 * n * n + 542)) return *e;
  auto out = ctx.translate(AccessType::Store, result, 32);
  if (!out) return out.error();
  std::vector<BytesView> inputs;
  if (n > 0) {
    auto list = ctx.translate(AccessType::Load, vals, n * 16, 8);
    if (!list) return list.error();
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t ptr, len;
      std::memcpy(&ptr, *list + i * 16, 8);
      std::memcpy(&len, *list + i * 16 + 8, 8);
      auto bytes = ctx.translate(AccessType::Load, ptr, len);
      if (!bytes) return bytes.error();
      inputs.emplace_back(*bytes, len);
    }
  }
  auto h = poseidon(inputs, endianness == 0);
  if (!h) return uint64_t{1};
  std::memcpy(*out, h->data(), 32);
  return uint64_t{0};
}

}  // namespace

namespace ed25519 {
bool validate(const uint8_t* p) { return ed::decompress(p).has_value(); }
std::optional<Point32> add(const uint8_t* a, const uint8_t* b) {
  auto p = ed::decompress(a), q = ed::decompress(b);
  if (!p || !q) return std::nullopt;
  return ed::compress(ed::add(*p, *q));
}
std::optional<Point32> sub(const uint8_t* a, const uint8_t* b) {
  auto p = ed::decompress(a), q = ed::decompress(b);
  if (!p || !q) return std::nullopt;
  return ed::compress(ed::add(*p, ed::neg(*q)));
}
std::optional<Point32> mul(const uint8_t* scalar, const uint8_t* point) {
  auto p = ed::decompress(point);
  if (!p || !is_canonical_scalar(scalar)) return std::nullopt;
  return ed::compress(ed::mul(scalar, *p));
}
std::optional<Point32> multiscalar_mul(const uint8_t* scalars, const uint8_t* points, size_t n) {
  ed::Point acc = ed::identity();
  for (size_t i = 0; i < n; ++i) {
    if (!is_canonical_scalar(scalars + 32 * i)) return std::nullopt;
    auto p = ed::decompress(points + 32 * i);
    if (!p) return std::nullopt;
    acc = ed::add(acc, ed::mul(scalars + 32 * i, *p));
  }
  return ed::compress(acc);
}
}  // namespace ed25519

// Ristretto decoding is canonical by definition, so libsodium and dalek agree on what decodes.
// libsodium's scalar multiplication reports an identity result as failure; we return it.
namespace ristretto255 {
bool validate(const uint8_t* p) { return crypto_core_ristretto255_is_valid_point(p) == 1; }
std::optional<Point32> add(const uint8_t* a, const uint8_t* b) {
  Point32 r;
  if (crypto_core_ristretto255_add(r.data(), a, b) != 0) return std::nullopt;
  return r;
}
std::optional<Point32> sub(const uint8_t* a, const uint8_t* b) {
  Point32 r;
  if (crypto_core_ristretto255_sub(r.data(), a, b) != 0) return std::nullopt;
  return r;
}
std::optional<Point32> mul(const uint8_t* scalar, const uint8_t* point) {
  if (!is_canonical_scalar(scalar) || !validate(point)) return std::nullopt;
  Point32 r{};
  int rc = crypto_scalarmult_ristretto255(r.data(), scalar, point);  // -1 only for the identity: r = 0
  (void)rc;
  return r;
}
std::optional<Point32> multiscalar_mul(const uint8_t* scalars, const uint8_t* points, size_t n) {
  Point32 acc{};  // identity
  for (size_t i = 0; i < n; ++i) {
    auto t = mul(scalars + 32 * i, points + 32 * i);
    if (!t) return std::nullopt;
    crypto_core_ristretto255_add(acc.data(), acc.data(), t->data());
  }
  return acc;
}
}  // namespace ristretto255

namespace bn254 {
using namespace bn;

std::optional<Bytes> g1_add(BytesView in) {
  if (in.size() > 128) return std::nullopt;
  uint8_t buf[128] = {};
  if (!in.empty()) std::memcpy(buf, in.data(), in.size());
  auto a = read_g1(buf), b = read_g1(buf + 64);
  if (!a.ok || !b.ok) return std::nullopt;
  return write_g1(a.p + b.p);
}

std::optional<Bytes> g1_mul(BytesView in) {
  if (in.size() > 96) return std::nullopt;
  uint8_t buf[96] = {};
  if (!in.empty()) std::memcpy(buf, in.data(), in.size());
  auto a = read_g1(buf);
  if (!a.ok) return std::nullopt;
  return write_g1(a.p.mul(buf + 64, 32));  // any 256-bit scalar (arkworks mul_bigint)
}

// SIMD-0302: G2 addition checks the curve equation only (no subgroup check, as solana-bn254's
// into_affine_unchecked); G2 multiplication checks subgroup membership. Exact input lengths.
std::optional<Bytes> g2_add(BytesView in) {
  if (in.size() != 256) return std::nullopt;
  auto a = read_g2(in.data(), false), b = read_g2(in.data() + 128, false);
  if (!a.ok || !b.ok) return std::nullopt;
  return write_g2(a.p + b.p);
}

std::optional<Bytes> g2_mul(BytesView in) {
  if (in.size() != 160) return std::nullopt;
  auto a = read_g2(in.data());
  if (!a.ok) return std::nullopt;
  return write_g2(a.p.mul(in.data() + 128, 32));
}

std::optional<Bytes> pairing(BytesView in) {
  if (in.size() % 192) return std::nullopt;
  std::vector<P::G1Affine> ps;
  std::vector<P::Prepared> qs;
  for (size_t at = 0; at < in.size(); at += 192) {
    auto p = read_g1(in.data() + at);
    auto q = read_g2(in.data() + at + 64);
    if (!p.ok || !q.ok) return std::nullopt;
    if (p.p.is_infinity() || q.p.is_infinity()) continue;  // e(O, Q) = e(P, O) = 1
    F px, py;
    p.p.to_affine(px, py);
    E2 qx, qy;
    q.p.to_affine(qx, qy);
    ps.push_back({px, py});
    qs.push_back(P::prepare({qx, qy}));
  }
  std::vector<std::pair<P::G1Affine, const P::Prepared*>> pairs;
  for (size_t i = 0; i < ps.size(); ++i) pairs.push_back({ps[i], &qs[i]});
  Bytes out(32, 0);
  out[31] = P::product_is_one(pairs) ? 1 : 0;
  return out;
}

// Compression as arkworks' compressed serialization, big-endian: x with 0x80 set when y is the
// larger root, 0x40 for infinity; no curve or subgroup checks (Validate::No), as solana-bn254.
std::optional<Bytes> g1_compress(BytesView in) {
  if (in.size() != 64) return std::nullopt;
  Bytes out(32, 0);
  static const uint8_t zero[64] = {};
  if (std::memcmp(in.data(), zero, 64) == 0) return out;
  uint8_t buf[64];
  std::memcpy(buf, in.data(), 64);
  Flag flag = take_flag(buf + 32);
  auto x = fe(buf), y = fe(buf + 32);
  if (!x || !y || flag == Flag::Invalid) return std::nullopt;
  if (flag == Flag::Infinity) {
    out[0] = 0x40;
    return out;
  }
  x->to_bytes(out.data());
  if (is_large(*y)) out[0] |= 0x80;
  return out;
}

std::optional<Bytes> g1_decompress(BytesView in) {
  if (in.size() != 32) return std::nullopt;
  Bytes out(64, 0);
  static const uint8_t zero[32] = {};
  if (std::memcmp(in.data(), zero, 32) == 0) return out;
  uint8_t buf[32];
  std::memcpy(buf, in.data(), 32);
  Flag flag = take_flag(buf);
  auto x = fe(buf);
  if (!x || flag == Flag::Invalid) return std::nullopt;
  if (flag == Flag::Infinity) return out;
  auto y = (x->sqr() * *x + b1()).sqrt();
  if (!y) return std::nullopt;
  if (is_large(*y) != (flag == Flag::Negative)) *y = -*y;
  x->to_bytes(out.data());
  y->to_bytes(out.data() + 32);
  return out;
}

std::optional<Bytes> g2_compress(BytesView in) {
  if (in.size() != 128) return std::nullopt;
  Bytes out(64, 0);
  static const uint8_t zero[128] = {};
  if (std::memcmp(in.data(), zero, 128) == 0) return out;
  uint8_t buf[128];
  std::memcpy(buf, in.data(), 128);
  Flag flag = take_flag(buf + 64);
  auto x = fe2(buf), y = fe2(buf + 64);
  if (!x || !y || flag == Flag::Invalid) return std::nullopt;
  if (flag == Flag::Infinity) {
    out[0] = 0x40;
    return out;
  }
  write_fe2(*x, out.data());
  if (is_large(*y)) out[0] |= 0x80;
  return out;
}

std::optional<Bytes> g2_decompress(BytesView in) {
  if (in.size() != 64) return std::nullopt;
  Bytes out(128, 0);
  static const uint8_t zero[64] = {};
  if (std::memcmp(in.data(), zero, 64) == 0) return out;
  uint8_t buf[64];
  std::memcpy(buf, in.data(), 64);
  Flag flag = take_flag(buf);
  auto x = fe2(buf);
  if (!x || flag == Flag::Invalid) return std::nullopt;
  if (flag == Flag::Infinity) return out;
  auto y = (x->sqr() * *x + b2()).sqrt();
  if (!y) return std::nullopt;
  if (is_large(*y) != (flag == Flag::Negative)) *y = -*y;
  write_fe2(*x, out.data());
  write_fe2(*y, out.data() + 64);
  return out;
}
}  // namespace bn254

std::optional<Hash32> poseidon(std::span<const BytesView> inputs, bool big_endian) {
  using pos::Fr;
  if (inputs.empty() || inputs.size() > 12) return std::nullopt;
  const int t = int(inputs.size()) + 1;
  std::vector<Fr> s(t, Fr::zero());  // s[0]: the capacity element (domain tag 0)
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].size() != 32) return std::nullopt;  // poseidon_enforce_padding: exactly 32 bytes
    uint8_t be[32];
    for (int k = 0; k < 32; ++k) be[k] = big_endian ? inputs[i][k] : inputs[i][31 - k];
    auto f = Fr::from_bytes(be);
    if (!f) return std::nullopt;  // >= r
    s[i + 1] = *f;
  }
  const pos::Params& p = pos::params(t);
  const int rounds = pos::kFullRounds + p.partial, half = pos::kFullRounds / 2;
  std::vector<Fr> next(t);
  for (int r = 0; r < rounds; ++r) {
    for (int i = 0; i < t; ++i) s[i] = s[i] + p.c[size_t(r) * t + i];
    if (r < half || r >= half + p.partial)
      for (auto& x : s) x = pos::pow5(x);
    else
      s[0] = pos::pow5(s[0]);
    for (int i = 0; i < t; ++i) {
      Fr acc = Fr::zero();
      for (int j = 0; j < t; ++j) acc = acc + p.m[size_t(i) * t + j] * s[j];
      next[i] = acc;
    }
    s.swap(next);
  }
  Hash32 out;
  s[0].to_bytes(out.data());
  if (!big_endian) std::reverse(out.bytes.begin(), out.bytes.end());
  return out;
}

Bytes big_mod_exp(BytesView base, BytesView exponent, BytesView modulus) {
  Bytes out(modulus.size(), 0);
  mpz_t b, e, m, r;
  mpz_inits(b, e, m, r, nullptr);
  if (!base.empty()) mpz_import(b, base.size(), 1, 1, 0, 0, base.data());
  if (!exponent.empty()) mpz_import(e, exponent.size(), 1, 1, 0, 0, exponent.data());
  if (!modulus.empty()) mpz_import(m, modulus.size(), 1, 1, 0, 0, modulus.data());
  if (mpz_cmp_ui(m, 1) > 0) {  // modulus 0 or 1: all zeros
    mpz_powm(r, b, e, m);
    size_t n = (mpz_sizeinbase(r, 2) + 7) / 8;
    if (mpz_sgn(r) != 0) mpz_export(out.data() + out.size() - n, nullptr, 1, 1, 0, 0, r);
  }
  mpz_clears(b, e, m, r, nullptr);
  return out;
}

void register_crypto_syscalls(Loader& loader) {
  if (sodium_init() < 0) std::abort();  // ristretto255 uses libsodium; init is idempotent
  loader.register_syscall("sol_blake3", sol_blake3);
  loader.register_syscall("sol_curve_validate_point", curve_validate_point);
  loader.register_syscall("sol_curve_group_op", curve_group_op);
  loader.register_syscall("sol_curve_multiscalar_mul", curve_multiscalar_mul);
  loader.register_syscall("sol_alt_bn128_group_op", alt_bn128_group_op);
  loader.register_syscall("sol_alt_bn128_compression", alt_bn128_compression);
  loader.register_syscall("sol_big_mod_exp", sol_big_mod_exp);
  loader.register_syscall("sol_get_epoch_stake", sol_get_epoch_stake);
  loader.register_syscall("sol_poseidon", sol_poseidon);
}

}  // namespace lumio::svm
