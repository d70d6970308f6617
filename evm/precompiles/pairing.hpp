// Optimal ate pairings for BN and BLS12 curves whose G2 lives on a sextic twist.
// BLS12: f_{|x|,Q}(P); BN: f_{6u+2,Q}(P) * l_{T,pi(Q)}(P) * l_{T+pi(Q),-pi^2(Q)}(P); both raised
// to (p^12-1)/r. A negative loop parameter only inverts the pairing, which cannot change whether
// a product of pairings is 1 (the only question asked here).
#pragma once
#include <gmp.h>

#include <vector>

#include "evm/precompiles/field.hpp"

namespace lumio::evm::precompiles::ff {

inline std::vector<uint64_t> to_limbs(const mpz_t z) {
  std::vector<uint64_t> out((mpz_sizeinbase(z, 2) + 63) / 64);
  mpz_export(out.data(), nullptr, -1, 8, 0, 0, z);
  return out;
}

// C provides: F (base field), kXi0, kDType (D-type twist y^2 = x^3 + b/xi, else M-type
// y^2 = x^3 + b*xi), kLoop (the loop parameter as u64 limbs, kLoopLimbs of them), kBN (add the
// two Frobenius lines of the BN optimal ate pairing), kOrderHex (r).
template <class C>
struct Pairing {
  using F = typename C::F;
  using E2 = Fp2<C>;
  using E6 = Fp6<C>;
  using E12 = Fp12<C>;
  using G2 = Jacobian<E2>;
  struct G1Affine {
    F x, y;
  };
  struct G2Affine {
    E2 x, y;
  };

  struct Consts {
    E2 gamma[6];
    // (p^4 - p^2 + 1) / r = sum hard[i] p^i: the hard part becomes a 4-way multi-exponentiation
    // of g, g^p, g^(p^2), g^(p^3) with exponents about the size of p.
    std::vector<uint64_t> hard[4];
  };
  static const Consts& consts() {
    static const Consts c = [] {
      Consts c;
      mpz_t p, r, e;
      mpz_inits(p, r, e, nullptr);
      mpz_import(p, F::N, -1, 8, 0, 0, C::Tag::M.p.data());
      mpz_set_str(r, C::kOrderHex, 16);
      mpz_sub_ui(e, p, 1);
      mpz_divexact_ui(e, e, 6);
      auto e_limbs = to_limbs(e);
      E2 xi = E2::one().mul_xi();
      E2 g1 = xi.pow(e_limbs.data(), e_limbs.size());
      c.gamma[0] = E2::one();
      for (int i = 1; i < 6; ++i) c.gamma[i] = c.gamma[i - 1] * g1;
      mpz_pow_ui(e, p, 4);
      mpz_t p2;
      mpz_init(p2);
      mpz_pow_ui(p2, p, 2);
      mpz_sub(e, e, p2);
      mpz_add_ui(e, e, 1);
      mpz_divexact(e, e, r);
      for (auto& digit : c.hard) {
        mpz_fdiv_qr(e, p2, e, p);
        digit = to_limbs(p2);
        digit.resize(F::N);
      }
      mpz_clears(p, r, e, p2, nullptr);
      return c;
    }();
    return c;
  }

  // The line through the untwisted points, evaluated at P and scaled by an Fp2 factor (which
  // the final exponentiation removes): a*yP + b*xP*(w or v) + c, placed per twist type.
  struct Line {
    E2 a, b, c;
  };
  // f * line, using that the line has three non-zero Fp2 coefficients (13 Fp2 multiplications
  // instead of 18).
  static E6 mul_by_01(const E6& x, const E2& y0, const E2& y1) {  // x * (y0 + y1 v)
    E2 t0 = x.c0 * y0, t1 = x.c1 * y1;
    return {t0 + (x.c2 * y1).mul_xi(), (x.c0 + x.c1) * (y0 + y1) - t0 - t1, x.c2 * y0 + t1};
  }
  static E6 mul_by_1(const E6& x, const E2& y1) {  // x * (y1 v)
    return {(x.c2 * y1).mul_xi(), x.c0 * y1, x.c1 * y1};
  }
  static E6 mul_by_0(const E6& x, const E2& y0) { return {x.c0 * y0, x.c1 * y0, x.c2 * y0}; }
  static E12 mul_line(const E12& f, const Line& l) {
    if constexpr (C::kDType) {  // line = a + (b + c v) w
      E6 t0 = mul_by_0(f.c0, l.a), t1 = mul_by_01(f.c1, l.b, l.c);
      E6 c1 = mul_by_01(f.c0 + f.c1, l.a + l.b, l.c) - t0 - t1;
      return {t0 + t1.mul_v(), c1};
    } else {  // line = (c + b v) + (a v) w
      E6 t0 = mul_by_01(f.c0, l.c, l.b), t1 = mul_by_1(f.c1, l.a);
      E6 c1 = mul_by_01(f.c0 + f.c1, l.c, l.b + l.a) - t0 - t1;
      return {t0 + t1.mul_v(), c1};
    }
  }
  static Line line(const E2& a, const E2& b, const E2& c) { return {a, b, c}; }
  // Tangent at T (Jacobian X,Y,Z): slope 3X^2/(2YZ); everything scaled by 2YZ^3.
  static Line dbl_line(const G2& t, const G1Affine& p) {
    E2 x2 = t.x.sqr(), z2 = t.z.sqr();
    E2 x2_3 = x2.dbl() + x2;
    E2 a = (t.y * t.z * z2).dbl() * p.y;
    E2 b = -(x2_3 * z2) * p.x;
    E2 c = x2_3 * t.x - t.y.sqr().dbl();
    return line(a, b, c);
  }
  // Chord through T and affine Q: slope R/(Z*H), H = xQ Z^2 - X, R = yQ Z^3 - Y; scaled by Z*H.
  static Line add_line(const G2& t, const G2Affine& q, const G1Affine& p) {
    E2 z2 = t.z.sqr();
    E2 h = q.x * z2 - t.x;
    E2 r = q.y * z2 * t.z - t.y;
    E2 zh = t.z * h;
    return line(zh * p.y, -r * p.x, r * q.x - q.y * zh);
  }

  // The p-power Frobenius of the untwisted point, mapped back to the (D-type) twist:
  // (x w^2)^p = conj(x) gamma_2 w^2 and (y w^3)^p = conj(y) gamma_3 w^3.
  static G2Affine frobenius(const G2Affine& q, const Consts& c) {
    static_assert(C::kDType);
    return {q.x.conj() * c.gamma[2], q.y.conj() * c.gamma[3]};
  }

  static E12 miller_loop(const std::vector<std::pair<G1Affine, G2Affine>>& pairs) {
    std::vector<G2> t;
    for (auto& [p, q] : pairs) t.push_back(G2::from_affine(q.x, q.y));
    E12 f = E12::one();
    int top = C::kLoopLimbs * 64 - 1;
    while (!((C::kLoop[top / 64] >> (top % 64)) & 1)) --top;
    for (int bit = top - 1; bit >= 0; --bit) {
      f = f.sqr();
      for (size_t i = 0; i < pairs.size(); ++i) {
        f = mul_line(f, dbl_line(t[i], pairs[i].first));
        t[i] = t[i].dbl();
      }
      if ((C::kLoop[bit / 64] >> (bit % 64)) & 1)
        for (size_t i = 0; i < pairs.size(); ++i) {
          f = mul_line(f, add_line(t[i], pairs[i].second, pairs[i].first));
          t[i] = t[i] + G2::from_affine(pairs[i].second.x, pairs[i].second.y);
        }
    }
    if constexpr (C::kBN) {
      const Consts& c = consts();
      for (size_t i = 0; i < pairs.size(); ++i) {
        G2Affine q1 = frobenius(pairs[i].second, c), q2 = frobenius(q1, c);
        q2.y = -q2.y;
        f = mul_line(f, add_line(t[i], q1, pairs[i].first));
        t[i] = t[i] + G2::from_affine(q1.x, q1.y);
        f = mul_line(f, add_line(t[i], q2, pairs[i].first));
      }
    }
    return f;
  }

  static E12 final_exponentiation(const E12& f) {
    const Consts& c = consts();
    E12 g = f.conj() * f.inv();                      // ^(p^6 - 1)
    g = g.frobenius(c.gamma).frobenius(c.gamma) * g;  // ^(p^2 + 1)
    // table[m] = prod over set bits i of m of g^(p^i)
    E12 table[16];
    table[0] = E12::one();
    table[1] = g;
    for (int i = 1; i < 4; ++i) {
      int bit = 1 << i;
      table[bit] = table[bit >> 1].frobenius(c.gamma);
      for (int m = 1; m < bit; ++m) table[bit | m] = table[bit] * table[m];
    }
    E12 r = E12::one();
    for (int bit = int(F::N) * 64 - 1; bit >= 0; --bit) {
      r = r.sqr();
      int m = 0;
      for (int i = 0; i < 4; ++i) m |= int((c.hard[i][bit / 64] >> (bit % 64)) & 1) << i;
      if (m) r = r * table[m];
    }
    return r;
  }

  // prod e(P_i, Q_i) == 1; pairs with a point at infinity contribute 1 and must be left out.
  static bool product_is_one(const std::vector<std::pair<G1Affine, G2Affine>>& pairs) {
    if (pairs.empty()) return true;
    return final_exponentiation(miller_loop(pairs)).is_one();
  }
};

}  // namespace lumio::evm::precompiles::ff
