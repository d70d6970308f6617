// Generic prime fields (Montgomery form, N x 64-bit limbs), the Fp2/Fp6/Fp12 tower used by
// BN254 and BLS12-381, short-Weierstrass points in Jacobian coordinates and an ate pairing.
// Inputs of the precompiles are public, so nothing here tries to be constant-time.
#pragma once
#include <gmp.h>

#include <array>
#include <cstdint>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <cstring>
#include <optional>
#include <vector>

namespace lumio::ff {

using u128 = unsigned __int128;
template <size_t N>
using Limbs = std::array<uint64_t, N>;  // little-endian limbs

constexpr int hex_digit(char c) {
  return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
template <size_t N>
constexpr Limbs<N> parse_hex(const char* s) {
  Limbs<N> r{};
  size_t len = 0;
  while (s[len]) ++len;
  for (size_t i = 0; i < len; ++i)
    r[i / 16] |= uint64_t(hex_digit(s[len - 1 - i])) << (4 * (i % 16));
  return r;
}
template <size_t N>
constexpr bool geq(const Limbs<N>& a, const Limbs<N>& b) {
  for (size_t i = N; i-- > 0;)
    if (a[i] != b[i]) return a[i] > b[i];
  return true;
}
// Carry chains: x86-64 gets adc/sbb through the intrinsics (GCC's code for the portable u128
// form is several times longer); constant evaluation and other targets use the portable form.
template <size_t N>
constexpr uint64_t add_limbs(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b) {
#if defined(__x86_64__)
  if (!std::is_constant_evaluated()) {
    unsigned char c = 0;
    for (size_t i = 0; i < N; ++i)
      c = _addcarry_u64(c, a[i], b[i], reinterpret_cast<unsigned long long*>(&r[i]));
    return c;
  }
#endif
  uint64_t c = 0;
  for (size_t i = 0; i < N; ++i) {
    u128 s = u128(a[i]) + b[i] + c;
    r[i] = uint64_t(s);
    c = uint64_t(s >> 64);
  }
  return c;
}
template <size_t N>
constexpr uint64_t sub_limbs(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b) {
#if defined(__x86_64__)
  if (!std::is_constant_evaluated()) {
    unsigned char c = 0;
    for (size_t i = 0; i < N; ++i)
      c = _subborrow_u64(c, a[i], b[i], reinterpret_cast<unsigned long long*>(&r[i]));
    return c;
  }
#endif
  uint64_t borrow = 0;
  for (size_t i = 0; i < N; ++i) {
    u128 d = u128(a[i]) - b[i] - borrow;
    r[i] = uint64_t(d);
    borrow = uint64_t(d >> 64) & 1;
  }
  return borrow;
}

// Every modulus used here is below 2^(64N-1): sums of two reduced values fit in N limbs.
template <size_t N>
constexpr Limbs<N> shr(const Limbs<N>& a, int k) {  // 0 < k < 64
  Limbs<N> r{};
  for (size_t i = 0; i < N; ++i) r[i] = (a[i] >> k) | (i + 1 < N ? a[i + 1] << (64 - k) : 0);
  return r;
}

template <size_t N>
struct Modulus {
  Limbs<N> p{}, one{}, r2{}, r3{}, p_minus_2{};
  uint64_t n0 = 0;  // -p^-1 mod 2^64
};
template <size_t N>
constexpr Modulus<N> make_modulus(const char* hex) {
  Modulus<N> m;
  m.p = parse_hex<N>(hex);
  uint64_t inv = m.p[0];  // correct to 3 bits for odd p; each Newton step doubles that
  for (int i = 0; i < 6; ++i) inv *= 2 - m.p[0] * inv;
  m.n0 = 0 - inv;
  Limbs<N> x{};
  x[0] = 1;
  for (size_t i = 0; i < 3 * 64 * N; ++i) {  // x = 2^(64N), 2^(128N), 2^(192N) mod p
    uint64_t top = x[N - 1] >> 63;
    for (size_t j = N; j-- > 1;) x[j] = (x[j] << 1) | (x[j - 1] >> 63);
    x[0] <<= 1;
    if (top || geq(x, m.p)) sub_limbs(x, x, m.p);
    if (i == 64 * N - 1) m.one = x;
    if (i == 2 * 64 * N - 1) m.r2 = x;
  }
  m.r3 = x;
  Limbs<N> two{};
  two[0] = 2;
  sub_limbs(m.p_minus_2, m.p, two);
  return m;
}

// Tag provides `static constexpr size_t N` and `static constexpr Modulus<N> M`.
template <class Tag>
struct Fp {
  static constexpr size_t N = Tag::N;
  static constexpr size_t kBytes = N * 8;
  Limbs<N> v{};  // Montgomery form, always < p

  static Fp zero() { return {}; }
  static Fp one() { return {Tag::M.one}; }
  bool is_zero() const {
    uint64_t acc = 0;
    for (auto x : v) acc |= x;
    return acc == 0;
  }
  bool operator==(const Fp& o) const { return v == o.v; }

  // Branch-free: compute both candidates and select (p < 2^(64N-1), so a + b never carries out).
  friend Fp operator+(const Fp& a, const Fp& b) {
    Fp r, t;
    add_limbs(r.v, a.v, b.v);
    uint64_t keep = 0 - sub_limbs(t.v, r.v, Tag::M.p);  // all ones when r < p
    for (size_t i = 0; i < N; ++i) r.v[i] = (r.v[i] & keep) | (t.v[i] & ~keep);
    return r;
  }
  friend Fp operator-(const Fp& a, const Fp& b) {
    Fp r;
    uint64_t mask = 0 - sub_limbs(r.v, a.v, b.v);  // all ones on borrow: add p back
    Limbs<N> pm;
    for (size_t i = 0; i < N; ++i) pm[i] = Tag::M.p[i] & mask;
    add_limbs(r.v, r.v, pm);
    return r;
  }
  Fp operator-() const { return zero() - *this; }
  Fp dbl() const { return *this + *this; }

  // Montgomery multiplication, product scanning with the reduction interleaved (FIPS): each
  // output column accumulates a[i]b[k-i] and m[i]p[k-i] into a 192-bit accumulator. GCC keeps
  // this in registers better than the operand-scanning (CIOS) loop. Needs p < 2^(64N-2).
  friend Fp operator*(const Fp& a, const Fp& b) {
    static_assert(Tag::M.p[N - 1] < (uint64_t{1} << 62));
    const auto& p = Tag::M.p;
    uint64_t m[N], t[N];
    u128 acc = 0;
    uint64_t top = 0;
    auto mac = [&](uint64_t x, uint64_t y) {
      u128 pr = u128(x) * y;
      acc += pr;
      top += acc < pr;
    };
    auto next_column = [&] {
      acc = (acc >> 64) | (u128(top) << 64);
      top = 0;
    };
    for (size_t k = 0; k < N; ++k) {
      for (size_t i = 0; i < k; ++i) {
        mac(a.v[i], b.v[k - i]);
        mac(m[i], p[k - i]);
      }
      mac(a.v[k], b.v[0]);
      m[k] = uint64_t(acc) * Tag::M.n0;  // makes this column's low word 0
      mac(m[k], p[0]);
      next_column();
    }
    for (size_t k = N; k < 2 * N; ++k) {
      for (size_t i = k - N + 1; i < N; ++i) {
        mac(a.v[i], b.v[k - i]);
        mac(m[i], p[k - i]);
      }
      t[k - N] = uint64_t(acc);
      next_column();
    }
    Fp r, d;
    for (size_t i = 0; i < N; ++i) r.v[i] = t[i];
    // t < 2p
    uint64_t keep = 0 - sub_limbs(d.v, r.v, p);
    for (size_t i = 0; i < N; ++i) r.v[i] = (r.v[i] & keep) | (d.v[i] & ~keep);
    return r;
  }
  Fp sqr() const { return *this * *this; }

  // Exponent as little-endian limbs.
  Fp pow(const uint64_t* e, size_t n) const {
    Fp r = one();
    for (size_t i = n; i-- > 0;)
      for (int b = 63; b >= 0; --b) {
        r = r.sqr();
        if ((e[i] >> b) & 1) r = r * *this;
      }
    return r;
  }
  // Inverse (0 for 0). GMP's extended gcd is several times faster than a^(p-2): x = aR is
  // inverted as an integer, then Montgomery-multiplied by R^3 to give a^-1 R.
  Fp inv() const {
    if (is_zero()) return *this;
    mpz_t x, m;
    mpz_inits(x, m, nullptr);
    mpz_import(x, N, -1, 8, 0, 0, v.data());
    mpz_import(m, N, -1, 8, 0, 0, Tag::M.p.data());
    mpz_invert(x, x, m);
    Fp r;
    mpz_export(r.v.data(), nullptr, -1, 8, 0, 0, x);
    mpz_clears(x, m, nullptr);
    return r * Fp{Tag::M.r3};
  }
  Fp inv_by_pow() const { return pow(Tag::M.p_minus_2.data(), N); }  // reference for tests

  // For p = 3 mod 4: a^((p+1)/4) is a square root of a when one exists.
  std::optional<Fp> sqrt() const {
    static_assert((Tag::M.p[0] & 3) == 3);
    static constexpr Limbs<N> e = [] {  // (p+1)/4 = (p >> 2) + 1
      Limbs<N> r = shr(Tag::M.p, 2), one{};
      one[0] = 1;
      add_limbs(r, r, one);
      return r;
    }();
    Fp y = pow(e.data(), N);
    if (!(y.sqr() == *this)) return std::nullopt;
    return y;
  }

  static Fp from_u64(uint64_t x) {
    Fp r;
    r.v[0] = x;
    return r * Fp{Tag::M.r2};
  }
  // Big-endian kBytes bytes; nullopt unless the value is < p (canonical).
  static std::optional<Fp> from_bytes(const uint8_t* b) {
    Fp r;
    for (size_t i = 0; i < N; ++i)
      for (size_t j = 0; j < 8; ++j) r.v[N - 1 - i] = (r.v[N - 1 - i] << 8) | b[i * 8 + j];
    if (geq(r.v, Tag::M.p)) return std::nullopt;
    return r * Fp{Tag::M.r2};
  }
  // Plain (non-Montgomery) integer value.
  Limbs<N> to_integer() const {
    Fp raw;
    raw.v[0] = 1;
    return (*this * raw).v;
  }
  void to_bytes(uint8_t* b) const {
    auto x = to_integer();
    for (size_t i = 0; i < N; ++i)
      for (size_t j = 0; j < 8; ++j) b[i * 8 + j] = uint8_t(x[N - 1 - i] >> (56 - 8 * j));
  }
  // "Lexicographically largest" as in the ZCash serialization: value > (p-1)/2.
  bool is_large() const {
    auto x = to_integer();
    Limbs<N> twice{};
    add_limbs(twice, x, x);  // p < 2^(64N-1) for both curves: no carry out
    return geq(twice, Tag::M.p) && twice != Tag::M.p;  // 2x >= p+1 <=> x > (p-1)/2
  }
};

// Fp2 = Fp[u]/(u^2 + 1); C provides `using F` and `static constexpr uint64_t kXi0` with
// xi = kXi0 + u the cubic/sextic non-residue of the tower.
template <class C>
struct Fp2 {
  using F = typename C::F;
  F c0, c1;

  static Fp2 zero() { return {}; }
  static Fp2 one() { return {F::one(), F::zero()}; }
  bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  bool operator==(const Fp2& o) const { return c0 == o.c0 && c1 == o.c1; }
  friend Fp2 operator+(const Fp2& a, const Fp2& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
  friend Fp2 operator-(const Fp2& a, const Fp2& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
  Fp2 operator-() const { return {-c0, -c1}; }
  Fp2 dbl() const { return *this + *this; }
  friend Fp2 operator*(const Fp2& a, const Fp2& b) {
    F t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
    return {t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
  }
  friend Fp2 operator*(const Fp2& a, const F& s) { return {a.c0 * s, a.c1 * s}; }
  Fp2 sqr() const { return {(c0 + c1) * (c0 - c1), (c0 * c1).dbl()}; }
  Fp2 conj() const { return {c0, -c1}; }
  Fp2 inv() const {
    F t = (c0.sqr() + c1.sqr()).inv();
    return {c0 * t, -(c1 * t)};
  }
  static F mul_small(F a, uint64_t k) {  // k >= 1
    F r = a;
    for (int b = 62 - __builtin_clzll(k); b >= 0; --b) {
      r = r.dbl();
      if ((k >> b) & 1) r = r + a;
    }
    return r;
  }
  // Multiplication by xi = kXi0 + u.
  Fp2 mul_xi() const {
    if constexpr (C::kXi0 == 1) return {c0 - c1, c0 + c1};
    return {mul_small(c0, C::kXi0) - c1, c0 + mul_small(c1, C::kXi0)};
  }
  // Square root for p = 3 mod 4 (Adj & Rodriguez-Henriquez, "Square root computation over even
  // extension fields", algorithm 9).
  std::optional<Fp2> sqrt() const {
    static constexpr auto p = C::Tag::M.p;
    static_assert((p[0] & 3) == 3);
    static constexpr auto e1 = shr(p, 2);  // (p-3)/4
    static constexpr auto e2 = shr(p, 1);  // (p-1)/2
    Fp2 a1 = pow(e1.data(), e1.size());
    Fp2 x0 = a1 * *this;
    Fp2 alpha = a1 * x0;
    Fp2 x = alpha == -one() ? Fp2{-x0.c1, x0.c0}  // u * x0
                            : (one() + alpha).pow(e2.data(), e2.size()) * x0;
    if (!(x.sqr() == *this)) return std::nullopt;
    return x;
  }
  Fp2 pow(const uint64_t* e, size_t n) const {
    Fp2 r = one();
    for (size_t i = n; i-- > 0;)
      for (int b = 63; b >= 0; --b) {
        r = r.sqr();
        if ((e[i] >> b) & 1) r = r * *this;
      }
    return r;
  }
};

// Fp6 = Fp2[v]/(v^3 - xi).
template <class C>
struct Fp6 {
  using E = Fp2<C>;
  E c0, c1, c2;

  static Fp6 zero() { return {}; }
  static Fp6 one() { return {E::one(), E::zero(), E::zero()}; }
  bool operator==(const Fp6& o) const = default;
  friend Fp6 operator+(const Fp6& a, const Fp6& b) { return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2}; }
  friend Fp6 operator-(const Fp6& a, const Fp6& b) { return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2}; }
  Fp6 operator-() const { return {-c0, -c1, -c2}; }
  friend Fp6 operator*(const Fp6& a, const Fp6& b) {
    E t0 = a.c0 * b.c0, t1 = a.c1 * b.c1, t2 = a.c2 * b.c2;
    return {t0 + ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mul_xi(),
            (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mul_xi(),
            (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1};
  }
  Fp6 mul_v() const { return {c2.mul_xi(), c0, c1}; }
  Fp6 inv() const {
    E a = c0.sqr() - (c1 * c2).mul_xi();
    E b = c2.sqr().mul_xi() - c0 * c1;
    E c = c1.sqr() - c0 * c2;
    E f = (c0 * a + (c2 * b + c1 * c).mul_xi()).inv();
    return {a * f, b * f, c * f};
  }
};

// Fp12 = Fp6[w]/(w^2 - v); so w^6 = xi.
template <class C>
struct Fp12 {
  using E6 = Fp6<C>;
  using E2 = Fp2<C>;
  E6 c0, c1;

  static Fp12 one() { return {E6::one(), E6::zero()}; }
  bool operator==(const Fp12& o) const = default;
  bool is_one() const { return *this == one(); }
  friend Fp12 operator*(const Fp12& a, const Fp12& b) {
    E6 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
    return {t0 + t1.mul_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
  }
  Fp12 sqr() const {
    E6 t = c0 * c1;
    E6 c = (c0 + c1) * (c0 + c1.mul_v()) - t - t.mul_v();
    return {c, t + t};
  }
  Fp12 conj() const { return {c0, -c1}; }
  // Squaring in the cyclotomic subgroup (x^(p^6+1)(p^2-1)... = 1), after Granger and Scott:
  // view x = A + B w + C w^2 over Fp4 = Fp2[s]/(s^2 - xi), s = w^3; then
  // x^2 = (3A^2 - 2 conj A) + (3 s C^2 + 2 conj B) w + (3B^2 - 2 conj C) w^2.
  Fp12 cyclotomic_sqr() const {
    // A = c0.c0 + c1.c1 s, B = c1.c0 + c0.c2 s, C = c0.c1 + c1.c2 s
    auto fp4_sqr = [](const E2& a, const E2& b, E2& r0, E2& r1) {
      E2 t0 = a.sqr(), t1 = b.sqr();
      r0 = t0 + t1.mul_xi();
      r1 = (a + b).sqr() - t0 - t1;
    };
    E2 a0, a1, b0, b1, d0, d1;
    fp4_sqr(c0.c0, c1.c1, a0, a1);
    fp4_sqr(c1.c0, c0.c2, b0, b1);
    fp4_sqr(c0.c1, c1.c2, d0, d1);
    auto three = [](const E2& x) { return x.dbl() + x; };
    Fp12 r;
    r.c0.c0 = three(a0) - c0.c0.dbl();        // A'
    r.c1.c1 = three(a1) + c1.c1.dbl();
    r.c1.c0 = three(d1.mul_xi()) + c1.c0.dbl();  // B' = 3 s C^2 + 2 conj B
    r.c0.c2 = three(d0) - c0.c2.dbl();
    r.c0.c1 = three(b0) - c0.c1.dbl();        // C'
    r.c1.c2 = three(b1) + c1.c2.dbl();
    return r;
  }
  Fp12 inv() const {
    E6 t = (c0 * c0 - (c1 * c1).mul_v()).inv();
    return {c0 * t, -(c1 * t)};
  }
  // x -> x^p, with gamma[i] = xi^(i(p-1)/6) so that (w^i)^p = gamma[i] w^i.
  Fp12 frobenius(const E2* gamma) const {
    return {{c0.c0.conj(), c0.c1.conj() * gamma[2], c0.c2.conj() * gamma[4]},
            {c1.c0.conj() * gamma[1], c1.c1.conj() * gamma[3], c1.c2.conj() * gamma[5]}};
  }
  Fp12 pow(const std::vector<uint64_t>& e) const {
    Fp12 r = one();
    for (size_t i = e.size(); i-- > 0;)
      for (int b = 63; b >= 0; --b) {
        r = r.sqr();
        if ((e[i] >> b) & 1) r = r * *this;
      }
    return r;
  }
};

// A point on y^2 = x^3 + b in Jacobian coordinates (x = X/Z^2, y = Y/Z^3); Z = 0 is infinity.
template <class Fq>
struct Jacobian {
  Fq x, y, z;

  static Jacobian infinity() { return {Fq::one(), Fq::one(), Fq::zero()}; }
  static Jacobian from_affine(const Fq& x, const Fq& y) { return {x, y, Fq::one()}; }
  bool is_infinity() const { return z.is_zero(); }

  Jacobian dbl() const {
    if (is_infinity()) return *this;
    Fq a = x.sqr(), b = y.sqr(), c = b.sqr();
    Fq d = ((x + b).sqr() - a - c).dbl();
    Fq e = a.dbl() + a, f = e.sqr();
    Fq x3 = f - d.dbl();
    Fq c8 = c.dbl().dbl().dbl();
    return {x3, e * (d - x3) - c8, (y * z).dbl()};
  }
  friend Jacobian operator+(const Jacobian& p, const Jacobian& q) {
    if (p.is_infinity()) return q;
    if (q.is_infinity()) return p;
    bool q_affine = q.z == Fq::one();  // mixed addition: common (base points are affine)
    Fq z1z1 = p.z.sqr(), z2z2 = q_affine ? q.z : q.z.sqr();
    Fq u1 = q_affine ? p.x : p.x * z2z2, u2 = q.x * z1z1;
    Fq s1 = q_affine ? p.y : p.y * q.z * z2z2, s2 = q.y * p.z * z1z1;
    Fq h = u2 - u1, rr = s2 - s1;
    if (h.is_zero()) return rr.is_zero() ? p.dbl() : infinity();
    Fq i = h.dbl().sqr(), j = h * i;
    rr = rr.dbl();
    Fq v = u1 * i;
    Fq x3 = rr.sqr() - j - v.dbl();
    Fq z3 = q_affine ? (p.z * h).dbl() : ((p.z + q.z).sqr() - z1z1 - z2z2) * h;
    return {x3, rr * (v - x3) - (s1 * j).dbl(), z3};
  }
  Jacobian operator-() const { return {x, -y, z}; }
  // Scalar as big-endian bytes.
  Jacobian mul(const uint8_t* k, size_t n) const {
    Jacobian r = infinity();
    for (size_t i = 0; i < n; ++i)
      for (int b = 7; b >= 0; --b) {
        r = r.dbl();
        if ((k[i] >> b) & 1) r = r + *this;
      }
    return r;
  }
  // [k1]p + [k2]q with one shared doubling chain (Shamir's trick); scalars big-endian, n bytes.
  static Jacobian mul2(const Jacobian& p, const uint8_t* k1, const Jacobian& q, const uint8_t* k2,
                       size_t n) {
    const Jacobian table[4] = {infinity(), p, q, p + q};
    Jacobian r = infinity();
    for (size_t i = 0; i < n; ++i)
      for (int b = 7; b >= 0; --b) {
        r = r.dbl();
        int idx = ((k1[i] >> b) & 1) | (((k2[i] >> b) & 1) << 1);
        if (idx) r = r + table[idx];
      }
    return r;
  }
  Jacobian mul(const uint64_t* k, size_t n) const {  // little-endian limbs
    Jacobian r = infinity();
    for (size_t i = n; i-- > 0;)
      for (int b = 63; b >= 0; --b) {
        r = r.dbl();
        if ((k[i] >> b) & 1) r = r + *this;
      }
    return r;
  }
  bool operator==(const Jacobian& o) const {
    if (is_infinity() || o.is_infinity()) return is_infinity() == o.is_infinity();
    Fq z1 = z.sqr(), z2 = o.z.sqr();
    return x * z2 == o.x * z1 && y * z2 * o.z == o.y * z1 * z;
  }
  // Whether this equals the finite affine point (ax, ay).
  bool equals_affine(const Fq& ax, const Fq& ay) const {
    if (is_infinity()) return false;
    Fq z2 = z.sqr();
    return x == ax * z2 && y == ay * z2 * z;
  }
  // Affine (x, y); only for finite points.
  void to_affine(Fq& ax, Fq& ay) const {
    Fq zi = z.inv(), zi2 = zi.sqr();
    ax = x * zi2;
    ay = y * zi2 * zi;
  }
};

template <class Fq>
bool on_curve(const Fq& x, const Fq& y, const Fq& b) {
  return y.sqr() == x.sqr() * x + b;
}

}  // namespace lumio::ff
