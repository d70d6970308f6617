// Curve parameters for the Pairing template: BN254 (alt_bn128, EIP-196/197) and BLS12-381
// (EIP-4844 KZG).
#pragma once
#include "common/ff/pairing.hpp"

namespace lumio::ff {

namespace bn254 {
struct Tag {
  static constexpr size_t N = 4;
  static constexpr Modulus<4> M =
      make_modulus<4>("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
};
constexpr uint64_t kU = 4965661367192848881ull;  // the BN parameter
constexpr u128 kAteLoop = u128(kU) * 6 + 2;      // optimal ate loop 6u + 2
struct Curve {
  using Tag = bn254::Tag;
  using F = Fp<Tag>;
  static constexpr uint64_t kXi0 = 9;  // xi = 9 + u
  static constexpr bool kDType = true;
  static constexpr bool kBN = true;
  static constexpr uint64_t kParam = kU;
  static constexpr int kLoopLimbs = 2;
  static constexpr uint64_t kLoop[2] = {uint64_t(kAteLoop), uint64_t(kAteLoop >> 64)};
  static constexpr const char* kOrderHex =
      "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
};
}  // namespace bn254

namespace bls12_381 {
struct Tag {
  static constexpr size_t N = 6;
  static constexpr Modulus<6> M = make_modulus<6>(
      "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffff"
      "aaab");
};
struct Curve {
  using Tag = bls12_381::Tag;
  using F = Fp<Tag>;
  static constexpr uint64_t kXi0 = 1;  // xi = 1 + u
  static constexpr bool kDType = false;
  static constexpr bool kBN = false;
  static constexpr uint64_t kParam = 0xd201000000010000;  // |x|, x < 0
  static constexpr int kLoopLimbs = 1;
  static constexpr uint64_t kLoop[1] = {kParam};
  static constexpr const char* kOrderHex =
      "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
};
}  // namespace bls12_381

}  // namespace lumio::ff
