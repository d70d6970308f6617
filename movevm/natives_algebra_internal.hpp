// Internal to natives_algebra.cpp (and its fuzzer): the element types of 0x1::crypto_algebra's
// structures over common/ff, arkworks' in-memory sizes, and arkworks' wire formats.
//
// Formats: fields little-endian (Msb variants reversed), Fq12 as its 12 Fp coefficients
// c0.c0.c0, c0.c0.c1, ..., c1.c2.c1; BLS12-381 points in the ZCash encoding (big-endian,
// flags compressed 0x80 / infinity 0x40 / larger-y 0x20 in byte 0, x.c1 before x.c0); BN254
// points in arkworks' own: little-endian coordinates, flags in the top bits of the last byte
// (0x80 y is the larger root, 0x40 infinity), uncompressed points carrying the same flags
// (ignored when decoding, as arkworks does). Decoded points must be on the curve and in the
// r-order subgroup.
#pragma once
#include <gmp.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/bytes.hpp"
#include "common/ff/bls12_381.hpp"
#include "common/ff/curves.hpp"

namespace lumio::movevm::natives::algebra {

using namespace lumio::ff;

// ---------------------------------------------------------------------------------------------
// Types.

struct BlsFrTag {  // r < 2^255: five limbs keep the Montgomery product's headroom
  static constexpr size_t N = 5;
  static constexpr Modulus<5> M = make_modulus<5>(bls12_381::Curve::kOrderHex);
};
struct BnFrTag {
  static constexpr size_t N = 4;
  static constexpr Modulus<4> M = make_modulus<4>(bn254::Curve::kOrderHex);
};
using BP = Pairing<bls12_381::Curve>;
using BFq = bls12_381::Curve::F;
using BFr = Fp<BlsFrTag>;
using BE2 = BP::E2;
using BE12 = BP::E12;
using BG1 = Jacobian<BFq>;
using BG2 = Jacobian<BE2>;
using NP = Pairing<bn254::Curve>;
using NFq = bn254::Curve::F;
using NFr = Fp<BnFrTag>;
using NE2 = NP::E2;
using NE12 = NP::E12;
using NG1 = Jacobian<NFq>;
using NG2 = Jacobian<NE2>;

using Element = std::variant<BFr, BE12, BG1, BG2, NFr, NFq, NE12, NG1, NG2>;

// std::mem::size_of of the arkworks type Aptos stores (Fp: limbs; Projective: three coordinates).
template <class T> constexpr size_t ark_size();
template <> inline constexpr size_t ark_size<BFr>() { return 32; }
template <> inline constexpr size_t ark_size<BE12>() { return 576; }
template <> inline constexpr size_t ark_size<BG1>() { return 144; }
template <> inline constexpr size_t ark_size<BG2>() { return 288; }
template <> inline constexpr size_t ark_size<NFr>() { return 32; }
template <> inline constexpr size_t ark_size<NFq>() { return 32; }
template <> inline constexpr size_t ark_size<NE12>() { return 384; }
template <> inline constexpr size_t ark_size<NG1>() { return 96; }
template <> inline constexpr size_t ark_size<NG2>() { return 192; }

template <class T> struct IsPoint : std::false_type {};
template <class F> struct IsPoint<Jacobian<F>> : std::true_type {};
template <class T> struct IsE12 : std::false_type {};
template <class C> struct IsE12<Fp12<C>> : std::true_type {};
template <class T> struct TagOf;
template <class T> struct TagOf<Fp<T>> { using type = T; };

// Fq12 operations the tower does not define.
template <class C> Fp12<C> operator+(const Fp12<C>& a, const Fp12<C>& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
template <class C> Fp12<C> operator-(const Fp12<C>& a, const Fp12<C>& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
template <class C> Fp12<C> operator-(const Fp12<C>& a) { return {-a.c0, -a.c1}; }
template <class C> Fp12<C> e12_zero() { return {Fp6<C>::zero(), Fp6<C>::zero()}; }

template <class T> T zero_of() {
  if constexpr (IsPoint<T>::value) return T::infinity();
  else if constexpr (IsE12<T>::value) return T{{}, {}};
  else return T::zero();
}
template <class T> bool is_zero(const T& x) { return x == zero_of<T>(); }
template <class T> T sqr_of(const T& x) {
  if constexpr (IsPoint<T>::value) return x.dbl();
  else return x.sqr();
}
template <class T> T from_u64_of(uint64_t v) {
  if constexpr (IsE12<T>::value) {
    T r = zero_of<T>();
    r.c0.c0.c0 = decltype(r.c0.c0.c0)::from_u64(v);
    return r;
  } else {
    return T::from_u64(v);
  }
}

// ---------------------------------------------------------------------------------------------
// Encodings.

template <class F> std::optional<F> fp_from_le(const uint8_t* b, size_t len) {
  using Tag = typename TagOf<F>::type;
  Limbs<Tag::N> x{};
  for (size_t i = 0; i < len; ++i) x[i / 8] |= uint64_t(b[i]) << (8 * (i % 8));
  if (geq(x, Tag::M.p)) return std::nullopt;
  return F{x} * F{Tag::M.r2};
}
template <class F> void fp_to_le(const F& f, uint8_t* out, size_t len) {
  auto x = f.to_integer();
  for (size_t i = 0; i < len; ++i) out[i] = uint8_t(x[i / 8] >> (8 * (i % 8)));
}
template <class F> constexpr size_t fp_len() { return std::is_same_v<F, BFq> ? 48 : 32; }

template <class C> void e12_to_le(const Fp12<C>& e, Bytes& out) {
  using F = typename C::F;
  constexpr size_t n = fp_len<F>();
  const F* c[12] = {&e.c0.c0.c0, &e.c0.c0.c1, &e.c0.c1.c0, &e.c0.c1.c1, &e.c0.c2.c0, &e.c0.c2.c1,
                    &e.c1.c0.c0, &e.c1.c0.c1, &e.c1.c1.c0, &e.c1.c1.c1, &e.c1.c2.c0, &e.c1.c2.c1};
  size_t at = out.size();
  out.resize(at + 12 * n);
  for (int i = 0; i < 12; ++i) fp_to_le(*c[i], out.data() + at + i * n, n);
}
template <class C> std::optional<Fp12<C>> e12_from_le(BytesView b) {
  using F = typename C::F;
  constexpr size_t n = fp_len<F>();
  if (b.size() != 12 * n) return std::nullopt;
  Fp12<C> e;
  F* c[12] = {&e.c0.c0.c0, &e.c0.c0.c1, &e.c0.c1.c0, &e.c0.c1.c1, &e.c0.c2.c0, &e.c0.c2.c1,
              &e.c1.c0.c0, &e.c1.c0.c1, &e.c1.c1.c0, &e.c1.c1.c1, &e.c1.c2.c0, &e.c1.c2.c1};
  for (int i = 0; i < 12; ++i) {
    auto f = fp_from_le<F>(b.data() + i * n, n);
    if (!f) return std::nullopt;
    *c[i] = *f;
  }
  return e;
}

// "y > -y" in arkworks' order (Fp2: c1 first, then c0).
template <class F> bool larger(const F& y) { return y.is_large(); }
template <class C> bool larger(const Fp2<C>& y) { return y.c1.is_zero() ? y.c0.is_large() : y.c1.is_large(); }

template <class F> const F& curve_b();
template <> inline const BFq& curve_b<BFq>() { static const BFq b = BFq::from_u64(4); return b; }
template <> inline const BE2& curve_b<BE2>() { static const BE2 b = BE2{BFq::from_u64(4), BFq::zero()}.mul_xi(); return b; }
template <> inline const NFq& curve_b<NFq>() { static const NFq b = NFq::from_u64(3); return b; }
template <> inline const NE2& curve_b<NE2>() {
  static const NE2 b = NE2{NFq::from_u64(3), NFq::zero()} * NE2{NFq::from_u64(9), NFq::one()}.inv();
  return b;
}

template <class F> constexpr const char* order_hex() {
  if constexpr (std::is_same_v<F, BFq> || std::is_same_v<F, BE2>) return bls12_381::Curve::kOrderHex;
  else return bn254::Curve::kOrderHex;
}
template <class F> const Limbs<4>& order_limbs() {
  static const Limbs<4> r = parse_hex<4>(order_hex<F>());
  return r;
}

// On the curve and in the r-order subgroup (BN254's G1 has cofactor 1).
template <class F> bool valid_point(const F& x, const F& y) {
  if (!(y.sqr() == x.sqr() * x + curve_b<F>())) return false;
  if constexpr (std::is_same_v<F, NFq>) return true;
  if constexpr (std::is_same_v<F, BFq>) return bls12_381::g1_in_subgroup(BG1::from_affine(x, y));
  if constexpr (std::is_same_v<F, BE2>) return bls12_381::g2_in_subgroup(BG2::from_affine(x, y));
  return Jacobian<F>::from_affine(x, y).mul(order_limbs<F>().data(), 4).is_infinity();
}
template <class F> std::optional<F> y_from_x(const F& x) { return (x.sqr() * x + curve_b<F>()).sqrt(); }

// ZCash coordinates: an Fp big-endian, an Fp2 as c1 then c0.
inline void coord_to_be(const BFq& f, uint8_t* out) { f.to_bytes(out); }
inline void coord_to_be(const BE2& f, uint8_t* out) { f.c1.to_bytes(out), f.c0.to_bytes(out + 48); }
inline std::optional<BFq> coord_from_be(const uint8_t* b, BFq*) { return BFq::from_bytes(b); }
inline std::optional<BE2> coord_from_be(const uint8_t* b, BE2*) {
  auto c1 = BFq::from_bytes(b), c0 = BFq::from_bytes(b + 48);
  if (!c0 || !c1) return std::nullopt;
  return BE2{*c0, *c1};
}

template <class F> Bytes zcash_serialize(const Jacobian<F>& p, bool compressed) {
  constexpr size_t n = std::is_same_v<F, BFq> ? 48 : 96;
  Bytes out(compressed ? n : 2 * n, 0);
  if (p.is_infinity()) {
    out[0] = compressed ? 0xc0 : 0x40;
    return out;
  }
  F x, y;
  p.to_affine(x, y);
  coord_to_be(x, out.data());
  if (!compressed) coord_to_be(y, out.data() + n);
  if (compressed) out[0] |= 0x80 | (larger(y) ? 0x20 : 0);
  return out;
}
template <class F> std::optional<Jacobian<F>> zcash_deserialize(BytesView in, bool compressed) {
  constexpr size_t n = std::is_same_v<F, BFq> ? 48 : 96;
  uint8_t flags = in[0];
  bool c = flags & 0x80, inf = flags & 0x40, sort = flags & 0x20;
  if (sort && (!c || inf)) return std::nullopt;  // UnexpectedFlags
  if (c != compressed) return std::nullopt;
  Bytes buf(in.begin(), in.end());
  buf[0] &= 0x1f;
  if (inf) {
    for (auto b : buf)
      if (b) return std::nullopt;
    return Jacobian<F>::infinity();
  }
  auto x = coord_from_be(buf.data(), (F*)nullptr);
  if (!x) return std::nullopt;
  std::optional<F> y;
  if (compressed) {
    y = y_from_x(*x);
    if (!y) return std::nullopt;
    if (larger(*y) != sort) *y = -*y;
  } else {
    y = coord_from_be(buf.data() + n, (F*)nullptr);
    if (!y) return std::nullopt;
  }
  if (!valid_point(*x, *y)) return std::nullopt;
  return Jacobian<F>::from_affine(*x, *y);
}

// arkworks' short-Weierstrass encoding (BN254): little-endian, SWFlags in the last byte.
inline void coord_to_le(const NFq& f, uint8_t* out) { fp_to_le(f, out, 32); }
inline void coord_to_le(const NE2& f, uint8_t* out) { fp_to_le(f.c0, out, 32), fp_to_le(f.c1, out + 32, 32); }
// The last byte's top two bits are masked when `flags` (a coordinate carrying SWFlags).
inline std::optional<NFq> coord_from_le(const uint8_t* b, bool flags, NFq*) {
  uint8_t t[32];
  std::memcpy(t, b, 32);
  if (flags) t[31] &= 0x3f;
  else if (t[31] & 0x80) return std::nullopt;  // EmptyFlags
  return fp_from_le<NFq>(t, 32);
}
inline std::optional<NE2> coord_from_le(const uint8_t* b, bool flags, NE2*) {
  auto c0 = coord_from_le(b, false, (NFq*)nullptr), c1 = coord_from_le(b + 32, flags, (NFq*)nullptr);
  if (!c0 || !c1) return std::nullopt;
  return NE2{*c0, *c1};
}

template <class F> Bytes ark_serialize(const Jacobian<F>& p, bool compressed) {
  constexpr size_t n = std::is_same_v<F, NFq> ? 32 : 64;
  Bytes out(compressed ? n : 2 * n, 0);
  if (p.is_infinity()) {
    out.back() = 0x40;
    return out;
  }
  F x, y;
  p.to_affine(x, y);
  coord_to_le(x, out.data());
  if (!compressed) coord_to_le(y, out.data() + n);
  if (larger(y)) out.back() |= 0x80;
  return out;
}
template <class F> std::optional<Jacobian<F>> ark_deserialize(BytesView in, bool compressed) {
  constexpr size_t n = std::is_same_v<F, NFq> ? 32 : 64;
  uint8_t flags = in.back();
  bool negative = flags & 0x80, inf = flags & 0x40;
  if (negative && inf) return std::nullopt;
  std::optional<F> x, y;
  if (compressed) {
    x = coord_from_le(in.data(), true, (F*)nullptr);
    if (!x) return std::nullopt;
    if (inf) return Jacobian<F>::infinity();
    y = y_from_x(*x);
    if (!y) return std::nullopt;
    if (larger(*y) != negative) *y = -*y;
  } else {
    x = coord_from_le(in.data(), false, (F*)nullptr);
    if (!x) return std::nullopt;
    y = coord_from_le(in.data() + n, true, (F*)nullptr);
    if (!y) return std::nullopt;
    if (inf) return Jacobian<F>::infinity();
  }
  if (!valid_point(*x, *y)) return std::nullopt;
  return Jacobian<F>::from_affine(*x, *y);
}

// ---------------------------------------------------------------------------------------------
// Constants.

inline const BG1& bls_g1() {
  static const BG1 g = *zcash_deserialize<BFq>(
      *from_hex("97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"), true);
  return g;
}
inline const BG2& bls_g2() {
  static const BG2 g = *zcash_deserialize<BE2>(
      *from_hex("93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
                "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
      true);
  return g;
}
inline const NG1& bn_g1() {
  static const NG1 g = NG1::from_affine(NFq::from_u64(1), NFq::from_u64(2));
  return g;
}
inline const NG2& bn_g2() {
  static const NG2 g = [] {
    auto f = [](const char* h) { return *NFq::from_bytes(from_hex(h)->data()); };
    return NG2::from_affine(NE2{f("1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"),
                                f("198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2")},
                            NE2{f("12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"),
                                f("090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b")});
  }();
  return g;
}
// Aptos's Gt generators: e(G1 generator, G2 generator), in the Fq12 format.
inline const BE12& bls_gt() {
  static const BE12 g = *e12_from_le<bls12_381::Curve>(*from_hex(
      "b68917caaa0543a808c53908f694d1b6e7b38de90ce9d83d505ca1ef1b442d2727d7d06831d8b2a7920afc71d8eb5012"
      "0f17a0ea982a88591d9f43503e94a8f1abaf2e4589f65aafb7923c484540a868883432a5c60e75860b11e5465b1c9a08"
      "873ec29e844c1c888cb396933057ffdd541b03a5220eda16b2b3a6728ea678034ce39c6839f20397202d7c5c44bb6813"
      "4f93193cec215031b17399577a1de5ff1f5b0666bdd8907c61a7651e4e79e0372951505a07fa73c25788db6eb8023519"
      "a5aa97b51f1cad1d43d8aabbff4dc319c79a58cafc035218747c2f75daf8f2fb7c00c44da85b129113173d4722f5b201"
      "b6b4454062e9ea8ba78c5ca3cadaf7238b47bace5ce561804ae16b8f4b63da4645b8457a93793cbd64a7254f15078101"
      "9de87ee42682940f3e70a88683d512bb2c3fb7b2434da5dedbb2d0b3fb8487c84da0d5c315bdd69c46fb05d23763f219"
      "1aabd5d5c2e12a10b8f002ff681bfd1b2ee0bf619d80d2a795eb22f2aa7b85d5ffb671a70c94809f0dafc5b73ea2fb06"
      "57bae23373b4931bc9fa321e8848ef78894e987bff150d7d671aee30b3931ac8c50e0b3b0868effc38bf48cd24b4b811"
      "a2995ac2a09122bed9fd9fa0c510a87b10290836ad06c8203397b56a78e9a0c61c77e56ccb4f1bc3d3fcaea7550f3503"
      "efe30f2d24f00891cb45620605fcfaa4292687b3a7db7c1c0554a93579e889a121fd8f72649b2402996a084d2381c504"
      "3166673b3849e4fd1e7ee4af24aa8ed443f56dfd6b68ffde4435a92cd7a4ac3bc77e1ad0cb728606cf08bf6386e5410f"));
  return g;
}
inline const NE12& bn_gt() {
  static const NE12 g = *e12_from_le<bn254::Curve>(*from_hex(
      "950e879d73631f5eb5788589eb5f7ef8d63e0a28de1ba00dfe4ca9ed3f252b264a8afb8eb4349db466ed1809ea4d7c39"
      "bdab7938821f1b0a00a295c72c2de002e01dbdfd0254134efcb1ec877395d25f937719b344adb1a58d129be2d6f2a913"
      "2b16a16e8ab030b130e69c69bd20b4c45986e6744a98314b5c1a0f50faa90b04dbaf9ef8aeeee3f50be31c210b598f47"
      "52f073987f9d35be8f6770d83f2ffc0af0d18dd9d2dbcdf943825acc12a7a9ddca45e629d962c6bd64908c3930a5541c"
      "fe2924dcc5580d5cef7a4bfdec90a91b59926f850d4a7923c01a5a5dbf0f5c094a2b9fb9d415820fa6b40c59bb9eade9"
      "c953407b0fc11da350a9d872cad6d3142974ca385854afdf5f583c04231adc5957c8914b6b20dc89660ed7c3bbe7c01d"
      "972be2d53ecdb27a1bcc16ac610db95aa7d237c8ff55a898cb88645a0e32530b23d7ebf5dafdd79b0f9c2ac4ba07ce18"
      "d3d16cf36e47916c4cae5d08d3afa813972c769e8514533e380c9443b3e1ee5c96fa3a0a73f301b626454721527bf900"));
  return g;
}

// Little-endian bytes of an integer given in hex, `len` bytes (0: minimal).
inline Bytes le_bytes(const mpz_t z, size_t len) {
  size_t n = 0;
  Bytes out((mpz_sizeinbase(z, 2) + 7) / 8);
  mpz_export(out.data(), &n, -1, 1, 0, 0, z);
  out.resize(std::max(n, len));
  return out;
}
inline Bytes order_bytes(const char* hex, int power, size_t len) {
  mpz_t z;
  mpz_init_set_str(z, hex, 16);
  mpz_pow_ui(z, z, power);
  Bytes b = le_bytes(z, len);
  mpz_clear(z);
  return b;
}

template <class T> const Limbs<4>& gt_order() {
  if constexpr (std::is_same_v<T, BE12>) return order_limbs<BFq>();
  else return order_limbs<NFq>();
}
template <class T> bool in_gt(const T& x) {
  const auto& r = gt_order<T>();
  return x.pow(std::vector<uint64_t>(r.begin(), r.end())).is_one();
}

}  // namespace lumio::movevm::natives::algebra
