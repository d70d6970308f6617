// Ate pairing e(P, Q) = f_{T,Q}(P)^((p^12-1)/r), T = t - 1, for BN and BLS12 curves whose
// G2 lives on a sextic twist. The loop runs over |T|; a negative T only inverts the pairing,
// which cannot change whether a product of pairings is 1 (the only question asked here).
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
// y^2 = x^3 + b*xi), kLoop (|T| as u64 limbs, kLoopLimbs of them), kOrderHex (r).
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
    std::vector<uint64_t> hard;  // (p^4 - p^2 + 1) / r
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
      c.hard = to_limbs(e);
      mpz_clears(p, r, e, p2, nullptr);
      return c;
    }();
    return c;
  }

  // The line through the untwisted points, evaluated at P and scaled by an Fp2 factor (which
  // the final exponentiation removes): a*yP + b*xP*(w or v) + c, placed per twist type.
  static E12 line(const E2& a, const E2& b, const E2& c) {
    if constexpr (C::kDType) return {{a, E2::zero(), E2::zero()}, {b, c, E2::zero()}};
    return {{c, b, E2::zero()}, {E2::zero(), a, E2::zero()}};
  }
  // Tangent at T (Jacobian X,Y,Z): slope 3X^2/(2YZ); everything scaled by 2YZ^3.
  static E12 dbl_line(const G2& t, const G1Affine& p) {
    E2 x2 = t.x.sqr(), z2 = t.z.sqr();
    E2 x2_3 = x2.dbl() + x2;
    E2 a = (t.y * t.z * z2).dbl() * p.y;
    E2 b = -(x2_3 * z2) * p.x;
    E2 c = x2_3 * t.x - t.y.sqr().dbl();
    return line(a, b, c);
  }
  // Chord through T and affine Q: slope R/(Z*H), H = xQ Z^2 - X, R = yQ Z^3 - Y; scaled by Z*H.
  static E12 add_line(const G2& t, const G2Affine& q, const G1Affine& p) {
    E2 z2 = t.z.sqr();
    E2 h = q.x * z2 - t.x;
    E2 r = q.y * z2 * t.z - t.y;
    E2 zh = t.z * h;
    return line(zh * p.y, -r * p.x, r * q.x - q.y * zh);
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
        f = f * dbl_line(t[i], pairs[i].first);
        t[i] = t[i].dbl();
      }
      if ((C::kLoop[bit / 64] >> (bit % 64)) & 1)
        for (size_t i = 0; i < pairs.size(); ++i) {
          f = f * add_line(t[i], pairs[i].second, pairs[i].first);
          t[i] = t[i] + G2::from_affine(pairs[i].second.x, pairs[i].second.y);
        }
    }
    return f;
  }

  static E12 final_exponentiation(const E12& f) {
    const Consts& c = consts();
    E12 g = f.conj() * f.inv();                      // ^(p^6 - 1)
    g = g.frobenius(c.gamma).frobenius(c.gamma) * g;  // ^(p^2 + 1)
    return g.pow(c.hard);
  }

  // prod e(P_i, Q_i) == 1; pairs with a point at infinity contribute 1 and must be left out.
  static bool product_is_one(const std::vector<std::pair<G1Affine, G2Affine>>& pairs) {
    if (pairs.empty()) return true;
    return final_exponentiation(miller_loop(pairs)).is_one();
  }
};

}  // namespace lumio::evm::precompiles::ff
