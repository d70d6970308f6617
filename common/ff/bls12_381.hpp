// BLS12-381 groups beyond the pairing: the ZCash point encodings as blst reads and writes them,
// prime-order subgroup checks, the psi endomorphism and cofactor clearing, and a pairing-product
// check. Shared by the EVM's point evaluation precompile and the Move VM's bls12381 natives.
//
// Decoding follows blst (the library behind Aptos and c-kzg) exactly, because which inputs count
// as "malformed" is consensus-relevant: compressed points need the compression flag, an
// infinity point must be all zero besides its 0x40 flag (and has no sign bit), coordinates must
// be canonical (< p), and a point with x = 0 is rejected outright (blst's BLST_POINT_NOT_IN_GROUP
// at decode time). Subgroup membership is a separate, explicit check.
#pragma once
#include <cstring>
#include <optional>
#include <span>

#include "common/ff/curves.hpp"

namespace lumio::ff::bls12_381 {

using F = Curve::F;
using P = Pairing<Curve>;
using E2 = P::E2;
using G1 = Jacobian<F>;
using G2 = Jacobian<E2>;

constexpr size_t kG1Compressed = 48, kG1Uncompressed = 96;
constexpr size_t kG2Compressed = 96, kG2Uncompressed = 192;
constexpr Limbs<4> kOrder = parse_hex<4>(Curve::kOrderHex);  // r

inline const F& b1() {  // E1: y^2 = x^3 + 4
  static const F b = F::from_u64(4);
  return b;
}
inline const E2& b2() {  // E2 (M-type twist): y^2 = x^3 + 4(1 + u)
  static const E2 b = E2{F::from_u64(4), F::zero()}.mul_xi();
  return b;
}

// "Lexicographically largest" as the ZCash encoding's sign bit: Fp2 compares c1 first.
inline bool is_large(const F& y) { return y.is_large(); }
inline bool is_large(const E2& y) { return y.c1.is_zero() ? y.c0.is_large() : y.c1.is_large(); }

namespace detail {

inline bool all_zero(const uint8_t* p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= p[i];
  return acc == 0;
}
// Big-endian field elements of a coordinate (Fp: one, Fp2: c1 then c0); the top three bits of
// the first byte are masked off (they carry the flags).
inline std::optional<F> read(const uint8_t* in, bool mask, F*) {
  uint8_t buf[48];
  std::memcpy(buf, in, 48);
  if (mask) buf[0] &= 0x1f;
  return F::from_bytes(buf);
}
inline std::optional<E2> read(const uint8_t* in, bool mask, E2*) {
  auto c1 = read(in, mask, static_cast<F*>(nullptr)), c0 = read(in + 48, false, static_cast<F*>(nullptr));
  if (!c0 || !c1) return std::nullopt;
  return E2{*c0, *c1};
}
inline void write(const F& x, uint8_t* out) { x.to_bytes(out); }
inline void write(const E2& x, uint8_t* out) {
  x.c1.to_bytes(out);
  x.c0.to_bytes(out + 48);
}
inline const F& curve_b(F*) { return b1(); }
inline const E2& curve_b(E2*) { return b2(); }

// blst's *_Uncompress_Z (kBytes = 48 per coordinate times the extension degree).
template <class Fq>
std::optional<Jacobian<Fq>> uncompress(const uint8_t* in) {
  constexpr size_t n = sizeof(Fq) / sizeof(F) * 48;
  uint8_t flags = in[0];
  if (!(flags & 0x80)) return std::nullopt;
  if (flags & 0x40) {
    if ((flags & 0x3f) || !all_zero(in + 1, n - 1)) return std::nullopt;
    return Jacobian<Fq>::infinity();
  }
  auto x = read(in, true, static_cast<Fq*>(nullptr));
  if (!x) return std::nullopt;
  auto y = (x->sqr() * *x + curve_b(static_cast<Fq*>(nullptr))).sqrt();
  if (!y) return std::nullopt;
  if (is_large(*y) != bool(flags & 0x20)) *y = -*y;
  if (x->is_zero()) return std::nullopt;
  return Jacobian<Fq>::from_affine(*x, *y);
}
// blst's *_Deserialize_Z: uncompressed (x, y) when the top three bits are clear, the 0x40
// infinity encoding, or a compressed point.
template <class Fq>
std::optional<Jacobian<Fq>> deserialize(const uint8_t* in) {
  constexpr size_t n = sizeof(Fq) / sizeof(F) * 48;
  uint8_t flags = in[0];
  if (flags & 0x80) return uncompress<Fq>(in);
  if ((flags & 0xe0) == 0) {
    auto x = read(in, true, static_cast<Fq*>(nullptr)), y = read(in + n, false, static_cast<Fq*>(nullptr));
    if (!x || !y || !on_curve(*x, *y, curve_b(static_cast<Fq*>(nullptr))) || x->is_zero()) return std::nullopt;
    return Jacobian<Fq>::from_affine(*x, *y);
  }
  if ((flags & 0x40) && !(flags & 0x3f) && all_zero(in + 1, 2 * n - 1)) return Jacobian<Fq>::infinity();
  return std::nullopt;
}
template <class Fq>
void compress(const Jacobian<Fq>& p, uint8_t* out) {
  constexpr size_t n = sizeof(Fq) / sizeof(F) * 48;
  if (p.is_infinity()) {
    std::memset(out, 0, n);
    out[0] = 0xc0;
    return;
  }
  Fq x, y;
  p.to_affine(x, y);
  write(x, out);
  out[0] |= 0x80 | (is_large(y) ? 0x20 : 0);
}

}  // namespace detail

// Compressed (48 bytes) / either form by length (48 compressed or 96 uncompressed, as blst's
// from_bytes): a point on E1, not subgroup-checked.
inline std::optional<G1> g1_uncompress(const uint8_t* in) { return detail::uncompress<F>(in); }
inline std::optional<G1> g1_from_bytes(std::span<const uint8_t> in) {
  if (in.size() == kG1Compressed && (in[0] & 0x80)) return detail::uncompress<F>(in.data());
  if (in.size() == kG1Uncompressed && !(in[0] & 0x80)) return detail::deserialize<F>(in.data());
  return std::nullopt;
}
inline void g1_compress(const G1& p, uint8_t out[kG1Compressed]) { detail::compress(p, out); }

// The same for E2 (96 compressed / 192 uncompressed), not subgroup-checked.
inline std::optional<G2> g2_uncompress(const uint8_t* in) { return detail::uncompress<E2>(in); }
inline std::optional<G2> g2_from_bytes(std::span<const uint8_t> in) {
  if (in.size() == kG2Compressed && (in[0] & 0x80)) return detail::uncompress<E2>(in.data());
  if (in.size() == kG2Uncompressed && !(in[0] & 0x80)) return detail::deserialize<E2>(in.data());
  return std::nullopt;
}
inline void g2_compress(const G2& p, uint8_t out[kG2Compressed]) { detail::compress(p, out); }

inline const G1& g1_generator() {
  static const G1 g = *g1_uncompress(
      std::array<uint8_t, 48>{0x97, 0xf1, 0xd3, 0xa7, 0x31, 0x97, 0xd7, 0x94, 0x26, 0x95, 0x63, 0x8c,
                              0x4f, 0xa9, 0xac, 0x0f, 0xc3, 0x68, 0x8c, 0x4f, 0x97, 0x74, 0xb9, 0x05,
                              0xa1, 0x4e, 0x3a, 0x3f, 0x17, 0x1b, 0xac, 0x58, 0x6c, 0x55, 0xe8, 0x3f,
                              0xf9, 0x7a, 0x1a, 0xef, 0xfb, 0x3a, 0xf0, 0x0a, 0xdb, 0x22, 0xc6, 0xbb}
          .data());
  return g;
}
inline const G2& g2_generator() {
  static const G2 g = *g2_uncompress(
      std::array<uint8_t, 96>{
          0x93, 0xe0, 0x2b, 0x60, 0x52, 0x71, 0x9f, 0x60, 0x7d, 0xac, 0xd3, 0xa0, 0x88, 0x27, 0x4f, 0x65,
          0x59, 0x6b, 0xd0, 0xd0, 0x99, 0x20, 0xb6, 0x1a, 0xb5, 0xda, 0x61, 0xbb, 0xdc, 0x7f, 0x50, 0x49,
          0x33, 0x4c, 0xf1, 0x12, 0x13, 0x94, 0x5d, 0x57, 0xe5, 0xac, 0x7d, 0x05, 0x5d, 0x04, 0x2b, 0x7e,
          0x02, 0x4a, 0xa2, 0xb2, 0xf0, 0x8f, 0x0a, 0x91, 0x26, 0x08, 0x05, 0x27, 0x2d, 0xc5, 0x10, 0x51,
          0xc6, 0xe4, 0x7a, 0xd4, 0xfa, 0x40, 0x3b, 0x02, 0xb4, 0x51, 0x0b, 0x64, 0x7a, 0xe3, 0xd1, 0x77,
          0x0b, 0xac, 0x03, 0x26, 0xa8, 0x05, 0xbb, 0xef, 0xd4, 0x80, 0x56, 0xc8, 0xc1, 0x21, 0xbd, 0xb8}
          .data());
  return g;
}

// [|x|]P for the curve parameter x = -0xd201000000010000.
template <class Fq>
Jacobian<Fq> mul_by_abs_x(const Jacobian<Fq>& p) {
  return p.mul(&Curve::kParam, 1);
}

// G1 membership: sigma(P) == [-x^2]P with sigma(x, y) = (beta x, y), beta a cube root of unity.
// Sound for any curve point: sigma^2 + sigma + 1 = 0, so sigma(P) = [l]P implies
// [l^2 + l + 1]P = O, and l = -x^2 gives l^2 + l + 1 = x^4 - x^2 + 1 = r.
namespace detail {
inline bool sigma_check(const F& beta, const G1& p) {
  if (p.is_infinity()) return true;
  G1 m = -mul_by_abs_x(mul_by_abs_x(p));
  // sigma in Jacobian coordinates scales X only.
  return m == G1{p.x * beta, p.y, p.z};
}
}  // namespace detail
inline const F& beta() {
  static const F b = [] {
    // A primitive cube root of unity g^((p-1)/3) for a non-cube g; of the two roots, the one
    // whose sigma acts as -x^2 on G1.
    mpz_t p, e;
    mpz_inits(p, e, nullptr);
    mpz_import(p, 6, -1, 8, 0, 0, Tag::M.p.data());
    mpz_sub_ui(e, p, 1);
    mpz_divexact_ui(e, e, 3);
    auto limbs = to_limbs(e);
    mpz_clears(p, e, nullptr);
    F root = F::one();
    for (uint64_t g = 2; root == F::one(); ++g) root = F::from_u64(g).pow(limbs.data(), limbs.size());
    return detail::sigma_check(root, g1_generator()) ? root : root.sqr();
  }();
  return b;
}
inline bool g1_in_subgroup(const G1& p) { return detail::sigma_check(beta(), p); }

// psi = untwist o Frobenius o twist on E2 (M-type): psi(x, y) = (c1 conj(x), c2 conj(y)) with
// c1 = 1/(1+u)^((p-1)/3), c2 = 1/(1+u)^((p-1)/2) (RFC 9380 section 8.8.2's constants).
// In Jacobian coordinates Z is conjugated too.
inline G2 psi(const G2& q) {
  static const E2 c1 = P::consts().gamma[2].inv(), c2 = P::consts().gamma[3].inv();
  return {q.x.conj() * c1, q.y.conj() * c2, q.z.conj()};
}
// G2 membership (Scott, "A note on group membership tests for G1, G2 and GT on BLS
// pairing-friendly curves"): psi(Q) == [x]Q.
inline bool g2_in_subgroup(const G2& q) {
  if (q.is_infinity()) return true;
  return psi(q) == -mul_by_abs_x(q);
}
// Reference check [r]Q == O (for tests).
template <class Fq>
bool in_subgroup_by_order(const Jacobian<Fq>& q) {
  return q.mul(kOrder.data(), kOrder.size()).is_infinity();
}

// h_eff * P for the RFC 9380 suites: G1's h_eff = 1 - x; G2 by Budroni-Pintore
// ([x^2 - x - 1]P + [x - 1]psi(P) + psi^2(2P)), RFC 9380 section 8.8.2.
inline G1 clear_cofactor_g1(const G1& p) {
  constexpr uint64_t h_eff = 0xd201000000010001;
  return p.mul(&h_eff, 1);
}
inline G2 clear_cofactor_g2(const G2& p) {
  G2 t1 = -mul_by_abs_x(p);  // c1 * P, c1 = x < 0
  G2 t2 = psi(p);
  G2 t3 = psi(psi(p.dbl()));
  t3 = t3 + -t2;
  t2 = -mul_by_abs_x(t1 + t2);
  t3 = t3 + t2;
  t3 = t3 + -t1;
  return t3 + -p;
}

// prod e(P_i, Q_i) == 1 (the BLS12 pairing here is a fixed power of the true pairing coprime to
// r, which cannot change the answer). Points at infinity contribute 1.
inline bool pairing_product_is_one(std::span<const std::pair<G1, G2>> pairs) {
  std::vector<P::Prepared> prepared;
  std::vector<P::G1Affine> g1s;
  prepared.reserve(pairs.size());
  g1s.reserve(pairs.size());
  for (auto& [p, q] : pairs) {
    if (p.is_infinity() || q.is_infinity()) continue;
    P::G1Affine a;
    P::G2Affine b;
    p.to_affine(a.x, a.y);
    q.to_affine(b.x, b.y);
    g1s.push_back(a);
    prepared.push_back(P::prepare(b));
  }
  std::vector<std::pair<P::G1Affine, const P::Prepared*>> in;
  for (size_t i = 0; i < g1s.size(); ++i) in.push_back({g1s[i], &prepared[i]});
  return P::product_is_one(in);
}

}  // namespace lumio::ff::bls12_381
