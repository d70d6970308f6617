// 0x06..0x08: alt_bn128 (BN254) addition, scalar multiplication and pairing check
// (EIP-196, EIP-197) with EIP-1108 gas.
#include "evm/precompiles/internal.hpp"
#include "common/ff/curves.hpp"

namespace lumio::evm::precompiles {
namespace {
using namespace ff;

using BnCurve = bn254::Curve;
using bn254::kU;
using F = BnCurve::F;
using P = Pairing<BnCurve>;
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

Result fail() { return {false, 0, {}}; }

// (x, y) as two 32-byte words; (0, 0) is infinity. nullopt: not canonical or not on the curve.
std::optional<G1> read_g1(const uint8_t* in) {
  auto x = F::from_bytes(in), y = F::from_bytes(in + 32);
  if (!x || !y) return std::nullopt;
  if (x->is_zero() && y->is_zero()) return G1::infinity();
  if (!on_curve(*x, *y, b1())) return std::nullopt;
  return G1::from_affine(*x, *y);  // cofactor 1: every curve point is in G1
}

// Each Fp2 coordinate is (imaginary, real). All zero is infinity. Must be in the r-torsion.
std::optional<G2> read_g2(const uint8_t* in) {
  auto xi = F::from_bytes(in), xr = F::from_bytes(in + 32);
  auto yi = F::from_bytes(in + 64), yr = F::from_bytes(in + 96);
  if (!xi || !xr || !yi || !yr) return std::nullopt;
  E2 x{*xr, *xi}, y{*yr, *yi};
  if (x.is_zero() && y.is_zero()) return G2::infinity();
  if (!on_curve(x, y, b2())) return std::nullopt;
  // G2 membership (El Housni, Guillevic, Piellard 2022): [u+1]Q + psi([u]Q) + psi^2([u]Q) ==
  // psi^3([2u]Q). Complete since psi acts as p on G2 and u+1 + up + up^2 - 2up^3 = 0 mod r;
  // sound since the norm of that element of Z[psi] is coprime to the cofactor 2p - r, so it
  // has no kernel outside G2 (checked when choosing it).
  G2 q = G2::from_affine(x, y);
  G2 uq = q.mul(&kU, 1);
  G2 lhs = uq + q + P::frobenius(uq) + P::frobenius(P::frobenius(uq));
  G2 rhs = P::frobenius(P::frobenius(P::frobenius(uq.dbl())));
  if (!(lhs == rhs)) return std::nullopt;
  return q;
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

template <size_t L>
std::array<uint8_t, L> padded(BytesView in) {
  std::array<uint8_t, L> buf{};
  if (!in.empty()) std::memcpy(buf.data(), in.data(), std::min(L, in.size()));
  return buf;
}

}  // namespace

Result bn254_add(BytesView in, uint64_t gas) {
  if (gas < 150) return fail();
  auto buf = padded<128>(in);
  auto a = read_g1(buf.data()), b = read_g1(buf.data() + 64);
  if (!a || !b) return fail();
  return {true, 150, write_g1(*a + *b)};
}

Result bn254_mul(BytesView in, uint64_t gas) {
  if (gas < 6000) return fail();
  auto buf = padded<96>(in);
  auto a = read_g1(buf.data());
  if (!a) return fail();
  return {true, 6000, write_g1(a->mul(buf.data() + 64, 32))};
}

Result bn254_pairing(BytesView in, uint64_t gas) {
  if (in.size() % 192) return fail();
  uint64_t k = in.size() / 192;
  if (k > (gas - std::min<uint64_t>(gas, 45000)) / 34000 || gas < 45000) return fail();
  uint64_t cost = 45000 + 34000 * k;
  std::vector<P::G1Affine> ps;
  std::vector<P::Prepared> qs;
  for (uint64_t i = 0; i < k; ++i) {
    auto p = read_g1(in.data() + 192 * i);
    auto q = read_g2(in.data() + 192 * i + 64);
    if (!p || !q) return fail();
    if (p->is_infinity() || q->is_infinity()) continue;
    ps.push_back({p->x, p->y});  // both still affine (z = 1)
    qs.push_back(P::prepare({q->x, q->y}));
  }
  std::vector<std::pair<P::G1Affine, const P::Prepared*>> pairs;
  for (size_t i = 0; i < ps.size(); ++i) pairs.push_back({ps[i], &qs[i]});
  Bytes out(32, 0);
  out[31] = P::product_is_one(pairs) ? 1 : 0;
  return {true, cost, std::move(out)};
}

}  // namespace lumio::evm::precompiles
