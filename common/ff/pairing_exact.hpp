// The pairing as a value of Gt (not only "is the product 1"), for users that store, compare or
// serialize pairing results (the Move VM's crypto_algebra).
//
// Two conventions: `exact` is f^((p^12-1)/r); `arkworks` is the power of it that arkworks'
// final exponentiations produce, and so what Aptos (and its published Gt generators) calls
// e(P, Q): for BLS12-381 the cube (the addition chain of the hard part computes
// 3(p^4-p^2+1)/r; Pairing<C>::final_exponentiation uses the same chain), for BN254 the power
// 2u(6u^2+3u+1) (Fuentes-Castaneda et al.'s hard part). Both are bilinear and non-degenerate;
// they differ by a fixed exponent coprime to r. BLS12-381's x < 0: the Miller loop value is
// conjugated (f_{x,Q} = 1/f_{|x|,Q} up to factors the final exponentiation removes).
#pragma once
#include <gmp.h>

#include <vector>

#include "common/ff/pairing.hpp"

namespace lumio::ff {

template <class C>
struct ExactPairing {
  using P = Pairing<C>;
  using E12 = typename P::E12;

  // Limbs of an exponent mod r: BLS12 3^-1 (exact from the cubed chain), BN 2u(6u^2+3u+1)
  // (arkworks from the exact chain).
  static std::vector<uint64_t> exponent_mod_r(bool inverse_of_three) {
    mpz_t r, t, u;
    mpz_inits(r, t, u, nullptr);
    mpz_set_str(r, C::kOrderHex, 16);
    if (inverse_of_three) {
      mpz_set_ui(t, 3);
      mpz_invert(t, t, r);
    } else {
      mpz_set_ui(u, C::kParam);  // 2u(6u^2 + 3u + 1)
      mpz_mul(t, u, u);
      mpz_mul_ui(t, t, 6);
      mpz_addmul_ui(t, u, 3);
      mpz_add_ui(t, t, 1);
      mpz_mul(t, t, u);
      mpz_mul_ui(t, t, 2);
      mpz_mod(t, t, r);
    }
    auto l = to_limbs(t);
    mpz_clears(r, t, u, nullptr);
    return l;
  }

  static E12 final_exponentiation_exact(const E12& f) {
    static const std::vector<uint64_t> inv3 = exponent_mod_r(true);
    E12 g = P::final_exponentiation(f);
    if constexpr (!C::kBN) g = g.pow(inv3);
    return g;
  }
  static E12 final_exponentiation_arkworks(const E12& f) {
    static const std::vector<uint64_t> m = exponent_mod_r(false);
    E12 g = P::final_exponentiation(f);
    if constexpr (C::kBN) g = g.pow(m);
    return g;
  }

  // prod e(P_i, Q_i) over finite points (pairs with a point at infinity contribute 1 and are
  // left out by the caller), in either convention.
  static E12 multi_pairing(const std::vector<typename P::G1Affine>& g1, const std::vector<typename P::G2Affine>& g2,
                           bool arkworks) {
    std::vector<typename P::Prepared> prepared;
    prepared.reserve(g2.size());
    for (const auto& q : g2) prepared.push_back(P::prepare(q));
    std::vector<std::pair<typename P::G1Affine, const typename P::Prepared*>> pairs;
    for (size_t i = 0; i < g1.size() && i < prepared.size(); ++i) pairs.emplace_back(g1[i], &prepared[i]);
    if (pairs.empty()) return E12::one();
    E12 f = P::miller_loop(pairs);
    if constexpr (!C::kBN) f = f.conj();  // BLS12-381: x < 0
    return arkworks ? final_exponentiation_arkworks(f) : final_exponentiation_exact(f);
  }
};

}  // namespace lumio::ff
