// Optimal ate pairings for BN and BLS12 curves whose G2 lives on a sextic twist.
// BLS12: f_{|x|,Q}(P); BN: f_{6u+2,Q}(P) * l_{T,pi(Q)}(P) * l_{T+pi(Q),-pi^2(Q)}(P); both raised
// to (p^12-1)/r. A negative loop parameter only inverts the pairing, which cannot change whether
// a product of pairings is 1 (the only question asked here).
#pragma once
#include <gmp.h>

#include <vector>

#include "common/ff/field.hpp"

namespace lumio::ff {

inline std::vector<uint64_t> to_limbs(const mpz_t z) {
  std::vector<uint64_t> out((mpz_sizeinbase(z, 2) + 63) / 64);
  mpz_export(out.data(), nullptr, -1, 8, 0, 0, z);
  return out;
}

// C provides: F (base field), kXi0, kDType (D-type twist y^2 = x^3 + b/xi, else M-type
// y^2 = x^3 + b*xi), kLoop (the loop parameter as u64 limbs, kLoopLimbs of them), kBN (add the
// two Frobenius lines of the BN optimal ate pairing), kParam (|u| of BN, |x| of BLS12 (x < 0)).
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
    E2 gamma[6];  // xi^(i(p-1)/6): the Frobenius constants
  };
  static const Consts& consts() {
    static const Consts c = [] {
      Consts c;
      mpz_t p, e;
      mpz_inits(p, e, nullptr);
      mpz_import(p, F::N, -1, 8, 0, 0, C::Tag::M.p.data());
      mpz_sub_ui(e, p, 1);
      mpz_divexact_ui(e, e, 6);
      auto e_limbs = to_limbs(e);
      E2 g1 = E2::one().mul_xi().pow(e_limbs.data(), e_limbs.size());
      c.gamma[0] = E2::one();
      for (int i = 1; i < 6; ++i) c.gamma[i] = c.gamma[i - 1] * g1;
      mpz_clears(p, e, nullptr);
      return c;
    }();
    return c;
  }

  // A line through untwisted points evaluated at P = (xP, yP) is a*yP + b*xP*(w or v) + c
  // (times an Fp2 factor, which the final exponentiation removes), placed per twist type.
  // a, b, c depend only on the G2 side, so they can be computed once per G2 point.
  struct Line {
    E2 a, b, c;
  };
  // The G2 half of a Miller loop: every line, in loop order.
  struct Prepared {
    std::vector<Line> lines;
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
  static E12 mul_line(const E12& f, const Line& l, const G1Affine& p) {
    E2 a = l.a * p.y, b = l.b * p.x;
    if constexpr (C::kDType) {  // line = a + (b + c v) w
      E6 t0 = mul_by_0(f.c0, a), t1 = mul_by_01(f.c1, b, l.c);
      E6 c1 = mul_by_01(f.c0 + f.c1, a + b, l.c) - t0 - t1;
      return {t0 + t1.mul_v(), c1};
    } else {  // line = (c + b v) + (a v) w
      E6 t0 = mul_by_01(f.c0, l.c, b), t1 = mul_by_1(f.c1, a);
      E6 c1 = mul_by_01(f.c0 + f.c1, l.c, b + a) - t0 - t1;
      return {t0 + t1.mul_v(), c1};
    }
  }
  // Tangent at T (Jacobian X,Y,Z): slope 3X^2/(2YZ); everything scaled by 2YZ^3.
  static Line dbl_line(const G2& t) {
    E2 x2 = t.x.sqr(), z2 = t.z.sqr();
    E2 x2_3 = x2.dbl() + x2;
    return {(t.y * t.z * z2).dbl(), -(x2_3 * z2), x2_3 * t.x - t.y.sqr().dbl()};
  }
  // Chord through T and affine Q: slope R/(Z*H), H = xQ Z^2 - X, R = yQ Z^3 - Y; scaled by Z*H.
  static Line add_line(const G2& t, const G2Affine& q) {
    E2 z2 = t.z.sqr();
    E2 h = q.x * z2 - t.x;
    E2 r = q.y * z2 * t.z - t.y;
    E2 zh = t.z * h;
    return {zh, -r, r * q.x - q.y * zh};
  }

  // psi = untwist o Frobenius o twist on the (D-type) twist:
  // (x w^2)^p = conj(x) gamma_2 w^2 and (y w^3)^p = conj(y) gamma_3 w^3.
  static G2Affine frobenius(const G2Affine& q) {
    static_assert(C::kDType);
    const Consts& c = consts();
    return {q.x.conj() * c.gamma[2], q.y.conj() * c.gamma[3]};
  }

  static G2 frobenius(const G2& q) {  // the same map in Jacobian coordinates
    const Consts& c = consts();
    return {q.x.conj() * c.gamma[2], q.y.conj() * c.gamma[3], q.z.conj()};
  }

  static int loop_top_bit() {
    int top = C::kLoopLimbs * 64 - 1;
    while (!((C::kLoop[top / 64] >> (top % 64)) & 1)) --top;
    return top;
  }
  static bool loop_bit(int bit) { return (C::kLoop[bit / 64] >> (bit % 64)) & 1; }

  static Prepared prepare(const G2Affine& q) {
    Prepared out;
    G2 t = G2::from_affine(q.x, q.y), qj = t;
    for (int bit = loop_top_bit() - 1; bit >= 0; --bit) {
      out.lines.push_back(dbl_line(t));
      t = t.dbl();
      if (loop_bit(bit)) {
        out.lines.push_back(add_line(t, q));
        t = t + qj;
      }
    }
    if constexpr (C::kBN) {  // + pi(Q), then - pi^2(Q)
      G2Affine q1 = frobenius(q), q2 = frobenius(q1);
      q2.y = -q2.y;
      out.lines.push_back(add_line(t, q1));
      t = t + G2::from_affine(q1.x, q1.y);
      out.lines.push_back(add_line(t, q2));
    }
    return out;
  }

  static E12 miller_loop(const std::vector<std::pair<G1Affine, const Prepared*>>& pairs) {
    E12 f = E12::one();
    size_t k = 0;  // index into every pair's lines
    auto apply = [&] {
      for (auto& [p, q] : pairs) f = mul_line(f, q->lines[k], p);
      ++k;
    };
    for (int bit = loop_top_bit() - 1; bit >= 0; --bit) {
      f = f.sqr();
      apply();
      if (loop_bit(bit)) apply();
    }
    if constexpr (C::kBN) apply(), apply();
    return f;
  }

  // g^|param| (u for BN, x for BLS12), g in the cyclotomic subgroup.
  static E12 pow_param(const E12& g) {
    E12 r = g;
    for (int b = 62 - __builtin_clzll(C::kParam); b >= 0; --b) {
      r = r.cyclotomic_sqr();
      if ((C::kParam >> b) & 1) r = r * g;
    }
    return r;
  }
  static E12 pow_small(const E12& g, unsigned k) {  // k >= 1, g cyclotomic
    E12 r = g;
    for (int b = 30 - __builtin_clz(k); b >= 0; --b) {
      r = r.cyclotomic_sqr();
      if ((k >> b) & 1) r = r * g;
    }
    return r;
  }

  // f^((p^12 - 1)/r), or a power of it coprime to r: enough to decide "== 1".
  static E12 final_exponentiation(const E12& f) {
    const Consts& c = consts();
    E12 g = f.conj() * f.inv();                      // ^(p^6 - 1)
    g = g.frobenius(c.gamma).frobenius(c.gamma) * g;  // ^(p^2 + 1)
    // g is now in the cyclotomic subgroup, where inversion is conjugation.
    auto frob = [&](const E12& x) { return x.frobenius(c.gamma); };
    if constexpr (C::kBN) {
      // (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + p^3 with l2 = 6u^2 + 1,
      // l1 = -36u^3 - 18u^2 - 12u + 1, l0 = -36u^3 - 30u^2 - 18u - 2.
      E12 a = pow_param(g), b = pow_param(a), cu = pow_param(b);  // g^u, g^u^2, g^u^3
      E12 c36 = pow_small(cu, 36), b6 = pow_small(b, 6), b18 = pow_small(b6, 3);
      E12 a6 = pow_small(a, 6), a12 = a6.sqr(), a18 = a12 * a6;
      E12 l0 = (c36 * b18 * b6.sqr() * a18 * g.sqr()).conj();
      E12 l1 = (c36 * b18 * a12).conj() * g;
      E12 l2 = b6 * g;
      return l0 * frob(l1) * frob(frob(l2)) * frob(frob(frob(g)));
    } else {
      // 3 (p^4 - p^2 + 1)/r = (x-1)^2 (x+p) (x^2+p^2-1) + 3, with x < 0: g^x = conj(g^|x|).
      auto pow_x = [](const E12& y) { return pow_param(y).conj(); };
      E12 a = pow_x(g) * g.conj();                    // g^(x-1)
      E12 b = pow_x(a) * a.conj();                    // g^((x-1)^2)
      E12 d = pow_x(b) * frob(b);                     // ^(x+p)
      E12 e = pow_x(pow_x(d)) * frob(frob(d)) * d.conj();  // ^(x^2+p^2-1)
      return e * g.sqr() * g;
    }
  }

  // prod e(P_i, Q_i) == 1; pairs with a point at infinity contribute 1 and must be left out.
  static bool product_is_one(const std::vector<std::pair<G1Affine, const Prepared*>>& pairs) {
    if (pairs.empty()) return true;
    return final_exponentiation(miller_loop(pairs)).is_one();
  }
};

}  // namespace lumio::ff
