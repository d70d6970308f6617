// Arithmetic identities of the field tower, curve groups and pairing (internal headers).
#include <gtest/gtest.h>

#include "common/bytes.hpp"
#include "common/ff/curves.hpp"

using namespace lumio::ff;

namespace {

template <class F>
F from_hex(std::string_view h) {
  auto b = lumio::from_hex(std::string(2 * F::kBytes - h.size(), '0') + std::string(h));
  return *F::from_bytes(b->data());
}

// A deterministic spread of elements (x -> 3x^2 + i + 1 from 7).
template <class F>
std::vector<F> samples() {
  std::vector<F> out;
  F x = F::from_u64(7);
  for (uint64_t i = 0; i < 8; ++i) {
    out.push_back(x + F::from_u64(i));
    x = x * F::from_u64(3) * x + F::from_u64(i + 1);
  }
  return out;
}

template <class C>
void field_identities() {
  using F = typename C::F;
  using E2 = Fp2<C>;
  using E12 = Fp12<C>;
  F minus_one = F::zero() - F::one();
  EXPECT_TRUE((minus_one + F::one()).is_zero());
  EXPECT_EQ(-F::one(), minus_one);
  EXPECT_FALSE(minus_one.sqrt());  // p = 3 mod 4: -1 is not a square
  EXPECT_EQ(minus_one.inv(), minus_one);
  EXPECT_TRUE(F::zero().inv().is_zero());
  uint8_t p_bytes[F::kBytes];
  minus_one.to_bytes(p_bytes);
  p_bytes[F::kBytes - 1] += 1;  // p itself: not canonical
  EXPECT_FALSE(F::from_bytes(p_bytes));
  EXPECT_FALSE(E2::one().mul_xi().sqrt());  // xi is a non-square (the tower needs it)

  auto s = samples<F>();
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    F a = s[i], b = s[i + 1];
    EXPECT_EQ(a * a.inv(), F::one());
    EXPECT_EQ(a.inv(), a.inv_by_pow());
    EXPECT_EQ((a + b) - b, a);
    EXPECT_EQ((a - b) + b, a);
    EXPECT_EQ(*(a * a).sqrt() * *(a * a).sqrt(), a * a);
    uint8_t buf[F::kBytes];
    a.to_bytes(buf);
    EXPECT_EQ(*F::from_bytes(buf), a);
    E2 x{a, b};
    EXPECT_EQ(x * x.inv(), E2::one());
    EXPECT_EQ(x.sqr(), x * x);
    auto r = x.sqr().sqrt();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->sqr(), x.sqr());
  }

  // Fp12: inverse, Frobenius = x^p, cyclotomic squaring after the easy part.
  E12 f;
  auto e2 = [&](size_t i) { return E2{s[i % s.size()], s[(i + 3) % s.size()]}; };
  f.c0 = {e2(0), e2(1), e2(2)};
  f.c1 = {e2(3), e2(4), e2(5)};
  EXPECT_TRUE((f * f.inv()).is_one());
  EXPECT_EQ(f.sqr(), f * f);
  auto& gamma = Pairing<C>::consts().gamma;
  std::vector<uint64_t> p(C::Tag::M.p.begin(), C::Tag::M.p.end());
  EXPECT_EQ(f.frobenius(gamma), f.pow(p));
  E12 g = f.conj() * f.inv();
  g = g.frobenius(gamma).frobenius(gamma) * g;
  EXPECT_EQ(g.cyclotomic_sqr(), g.sqr());
  E12 h = f;
  for (int i = 0; i < 12; ++i) h = h.frobenius(gamma);
  EXPECT_EQ(h, f);
}

}  // namespace

TEST(Field, Bn254) { field_identities<bn254::Curve>(); }
TEST(Field, Bls12_381) { field_identities<bls12_381::Curve>(); }

TEST(Curve, Bn254GroupLaw) {
  using F = bn254::Curve::F;
  using G1 = Jacobian<F>;
  G1 g = G1::from_affine(F::from_u64(1), F::from_u64(2));
  EXPECT_EQ(g + g, g.dbl());
  EXPECT_TRUE((g + -g).is_infinity());
  EXPECT_EQ(g.dbl() + g, g + g.dbl());
  uint8_t three = 3;
  EXPECT_EQ(g.mul(&three, 1), g.dbl() + g);
  uint8_t k1[2] = {0x12, 0x34}, k2[2] = {0xab, 0xcd};
  G1 h = g.dbl().dbl() + g;  // 5G
  EXPECT_EQ(G1::mul2(g, k1, h, k2, 2), g.mul(k1, 2) + h.mul(k2, 2));
  EXPECT_EQ(G1::mul2(g, k1, -g, k1, 2), G1::infinity());
  auto r = parse_hex<4>(bn254::Curve::kOrderHex);
  EXPECT_TRUE(g.mul(r.data(), 4).is_infinity());
}

TEST(Pairing, Bn254Bilinear) {
  using C = bn254::Curve;
  using P = Pairing<C>;
  using F = C::F;
  using E2 = P::E2;
  using G1 = Jacobian<F>;
  using G2 = Jacobian<E2>;
  // The generators (EIP-197).
  P::G1Affine g1{F::from_u64(1), F::from_u64(2)};
  P::G2Affine g2{
      {from_hex<F>("1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"),
       from_hex<F>("198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2")},
      {from_hex<F>("12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"),
       from_hex<F>("090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b")}};
  uint8_t a[2] = {0x12, 0x34}, b[2] = {0x56, 0x78};
  auto g1_mul = [&](const uint8_t* k) {
    P::G1Affine out;
    G1::from_affine(g1.x, g1.y).mul(k, 2).to_affine(out.x, out.y);
    return out;
  };
  auto g2_mul = [&](const uint8_t* k) {
    P::G2Affine out;
    G2::from_affine(g2.x, g2.y).mul(k, 2).to_affine(out.x, out.y);
    return out;
  };
  P::G1Affine neg_g1{g1.x, -g1.y};
  auto q = P::prepare(g2), qa = P::prepare(g2_mul(a)), qb = P::prepare(g2_mul(b));
  // e([a]G1, G2) * e(-G1, [a]G2) == 1
  EXPECT_TRUE(P::product_is_one({{g1_mul(a), &q}, {neg_g1, &qa}}));
  EXPECT_FALSE(P::product_is_one({{g1_mul(a), &q}, {neg_g1, &qb}}));
  // e(G1, G2) != 1 (non-degenerate).
  EXPECT_FALSE(P::product_is_one({{g1, &q}}));
}
