// A fixed 256-bit unsigned integer for the EVM and for Ethereum quantities (balances, fees).
// Four 64-bit limbs, least significant first. Arithmetic wraps modulo 2^256 like the EVM;
// division by zero yields zero (EVM semantics) rather than trapping.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"

namespace lumio {

struct uint256 {
  uint64_t w[4] = {0, 0, 0, 0};  // w[0] is the least significant limb

  constexpr uint256() = default;
  constexpr uint256(uint64_t v) : w{v, 0, 0, 0} {}  // NOLINT: implicit on purpose
  constexpr uint256(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) : w{w0, w1, w2, w3} {}

  static constexpr uint256 max() { return {~0ull, ~0ull, ~0ull, ~0ull}; }

  // Big-endian bytes; a shorter input is right-aligned, a longer one keeps its last 32 bytes.
  static uint256 from_be(const uint8_t* p, size_t n) {
    uint256 r;
    if (n > 32) {
      p += n - 32;
      n = 32;
    }
    for (size_t i = 0; i < n; ++i) {
      size_t bit = (n - 1 - i) * 8;
      r.w[bit / 64] |= uint64_t(p[i]) << (bit % 64);
    }
    return r;
  }
  static uint256 from_be(BytesView v) { return from_be(v.data(), v.size()); }
  static uint256 from_be(const FixedBytes<32>& v) { return from_be(v.data(), 32); }
  // Exactly 32 bytes at p.
  static uint256 load_be32(const uint8_t* p) {
    // Built in registers: limb-wise stores read back as a vector stall store forwarding.
    return {__builtin_bswap64(load64(p + 24)), __builtin_bswap64(load64(p + 16)),
            __builtin_bswap64(load64(p + 8)), __builtin_bswap64(load64(p))};
  }
  void store_be(uint8_t* out) const {  // writes exactly 32 bytes
    for (int i = 0; i < 4; ++i) {
      uint64_t v = __builtin_bswap64(w[3 - i]);
      std::memcpy(out + 8 * i, &v, 8);
    }
  }
  FixedBytes<32> to_be() const {
    FixedBytes<32> r;
    store_be(r.data());
    return r;
  }
  // Minimal big-endian bytes (zero -> empty), as RLP encodes integers.
  Bytes to_be_trimmed() const {
    auto be = to_be();
    size_t skip = 32 - byte_length();
    return Bytes(be.bytes.begin() + ptrdiff_t(skip), be.bytes.end());
  }

  constexpr bool is_zero() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }
  constexpr explicit operator bool() const { return !is_zero(); }
  constexpr bool fits_u64() const { return (w[1] | w[2] | w[3]) == 0; }
  constexpr uint64_t low64() const { return w[0]; }
  // Number of significant bits / bytes (0 for zero).
  constexpr unsigned bit_length() const {
    for (int i = 3; i >= 0; --i)
      if (w[i]) return unsigned(i * 64 + 64 - __builtin_clzll(w[i]));
    return 0;
  }
  constexpr unsigned byte_length() const { return (bit_length() + 7) / 8; }
  constexpr bool is_negative() const { return w[3] >> 63; }  // two's-complement view

  // "0x0", "0x1f": an Ethereum JSON-RPC quantity.
  std::string to_hex_quantity() const;
  std::string to_dec_string() const;
  // "0x..." hex (up to 64 digits) or decimal; nullopt on bad digits, empty input or overflow.
  static std::optional<uint256> from_string(std::string_view s);

  // --- arithmetic -------------------------------------------------------------------------
  // Results are assembled in registers and returned whole: writing limbs one by one and
  // reading the value back as vectors stalls store forwarding in the interpreter.
  friend constexpr uint256 operator+(const uint256& a, const uint256& b) {
    unsigned __int128 t = (unsigned __int128)a.w[0] + b.w[0];
    uint64_t r0 = uint64_t(t);
    t = (unsigned __int128)a.w[1] + b.w[1] + uint64_t(t >> 64);
    uint64_t r1 = uint64_t(t);
    t = (unsigned __int128)a.w[2] + b.w[2] + uint64_t(t >> 64);
    uint64_t r2 = uint64_t(t);
    uint64_t r3 = a.w[3] + b.w[3] + uint64_t(t >> 64);
    return {r0, r1, r2, r3};
  }
  friend constexpr uint256 operator-(const uint256& a, const uint256& b) {
    uint64_t r0 = a.w[0] - b.w[0];
    uint64_t c = a.w[0] < b.w[0];
    uint64_t d1 = a.w[1] - b.w[1];
    uint64_t r1 = d1 - c;
    c = (a.w[1] < b.w[1]) | (d1 < c);
    uint64_t d2 = a.w[2] - b.w[2];
    uint64_t r2 = d2 - c;
    c = (a.w[2] < b.w[2]) | (d2 < c);
    uint64_t r3 = a.w[3] - b.w[3] - c;
    return {r0, r1, r2, r3};
  }
  friend constexpr uint256 operator-(const uint256& a) { return uint256() - a; }
  friend constexpr uint256 operator*(const uint256& a, const uint256& b) {
    using u128 = unsigned __int128;
    u128 p = u128(a.w[0]) * b.w[0];
    uint64_t r0 = uint64_t(p), c = uint64_t(p >> 64);
    p = u128(a.w[0]) * b.w[1] + c;
    uint64_t r1 = uint64_t(p);
    c = uint64_t(p >> 64);
    p = u128(a.w[0]) * b.w[2] + c;
    uint64_t r2 = uint64_t(p);
    uint64_t r3 = a.w[0] * b.w[3] + uint64_t(p >> 64);
    p = u128(a.w[1]) * b.w[0] + r1;
    r1 = uint64_t(p);
    c = uint64_t(p >> 64);
    p = u128(a.w[1]) * b.w[1] + r2 + c;
    r2 = uint64_t(p);
    r3 += a.w[1] * b.w[2] + uint64_t(p >> 64);
    p = u128(a.w[2]) * b.w[0] + r2;
    r2 = uint64_t(p);
    r3 += a.w[2] * b.w[1] + uint64_t(p >> 64);
    r3 += a.w[3] * b.w[0];
    return {r0, r1, r2, r3};
  }
  friend uint256 operator/(const uint256& a, const uint256& b) {
    uint256 q, r;
    divmod(a, b, q, r);
    return q;
  }
  friend uint256 operator%(const uint256& a, const uint256& b) {
    uint256 q, r;
    divmod(a, b, q, r);
    return r;
  }
  uint256& operator+=(const uint256& b) { return *this = *this + b; }
  uint256& operator-=(const uint256& b) { return *this = *this - b; }
  uint256& operator*=(const uint256& b) { return *this = *this * b; }
  uint256& operator/=(const uint256& b) { return *this = *this / b; }
  uint256& operator%=(const uint256& b) { return *this = *this % b; }

  friend constexpr uint256 operator&(const uint256& a, const uint256& b) {
    return {a.w[0] & b.w[0], a.w[1] & b.w[1], a.w[2] & b.w[2], a.w[3] & b.w[3]};
  }
  friend constexpr uint256 operator|(const uint256& a, const uint256& b) {
    return {a.w[0] | b.w[0], a.w[1] | b.w[1], a.w[2] | b.w[2], a.w[3] | b.w[3]};
  }
  friend constexpr uint256 operator^(const uint256& a, const uint256& b) {
    return {a.w[0] ^ b.w[0], a.w[1] ^ b.w[1], a.w[2] ^ b.w[2], a.w[3] ^ b.w[3]};
  }
  friend constexpr uint256 operator~(const uint256& a) { return {~a.w[0], ~a.w[1], ~a.w[2], ~a.w[3]}; }
  uint256& operator&=(const uint256& b) { return *this = *this & b; }
  uint256& operator|=(const uint256& b) { return *this = *this | b; }
  uint256& operator^=(const uint256& b) { return *this = *this ^ b; }

  friend constexpr uint256 operator<<(const uint256& a, uint64_t n) {
    if (n >= 256) return {};
    uint256 r;
    unsigned limbs = unsigned(n / 64), bits = unsigned(n % 64);
    for (int i = 3; i >= int(limbs); --i) {
      uint64_t v = a.w[i - limbs] << bits;
      if (bits && i - int(limbs) - 1 >= 0) v |= a.w[i - limbs - 1] >> (64 - bits);
      r.w[i] = v;
    }
    return r;
  }
  friend constexpr uint256 operator>>(const uint256& a, uint64_t n) {
    if (n >= 256) return {};
    uint256 r;
    unsigned limbs = unsigned(n / 64), bits = unsigned(n % 64);
    for (unsigned i = 0; i + limbs < 4; ++i) {
      uint64_t v = a.w[i + limbs] >> bits;
      if (bits && i + limbs + 1 < 4) v |= a.w[i + limbs + 1] << (64 - bits);
      r.w[i] = v;
    }
    return r;
  }
  uint256& operator<<=(uint64_t n) { return *this = *this << n; }
  uint256& operator>>=(uint64_t n) { return *this = *this >> n; }

  friend constexpr bool operator==(const uint256& a, const uint256& b) {
    return ((a.w[0] ^ b.w[0]) | (a.w[1] ^ b.w[1]) | (a.w[2] ^ b.w[2]) | (a.w[3] ^ b.w[3])) == 0;
  }
  friend constexpr bool operator<(const uint256& a, const uint256& b) {
    // Subtract with borrow; the final borrow is a < b.
    uint64_t borrow = 0;
    for (int i = 0; i < 4; ++i) {
      uint64_t d = a.w[i] - b.w[i];
      uint64_t b1 = a.w[i] < b.w[i];
      borrow = b1 | (d < borrow);
    }
    return borrow;
  }
  friend constexpr bool operator>(const uint256& a, const uint256& b) { return b < a; }
  friend constexpr bool operator<=(const uint256& a, const uint256& b) { return !(b < a); }
  friend constexpr bool operator>=(const uint256& a, const uint256& b) { return !(a < b); }

  // Quotient and remainder; b == 0 gives q = r = 0.
  static void divmod(const uint256& a, const uint256& b, uint256& q, uint256& r);

 private:
  static uint64_t load64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
};

// a + b with the carry out (for overflow checks on balances).
inline uint256 add_overflow(const uint256& a, const uint256& b, bool& overflow) {
  uint256 r = a + b;
  overflow = r < a;
  return r;
}
// a * b, flagging a product that does not fit in 256 bits.
bool mul_overflows(const uint256& a, const uint256& b);

// --- EVM helpers (yellow paper semantics; x/0 = 0) --------------------------------------
uint256 sdiv(const uint256& a, const uint256& b);
uint256 smod(const uint256& a, const uint256& b);
uint256 addmod(const uint256& a, const uint256& b, const uint256& m);
uint256 mulmod(const uint256& a, const uint256& b, const uint256& m);
uint256 exp(uint256 base, uint256 exponent);
// SIGNEXTEND: extends the sign bit of byte `b` (0 = least significant) of x.
uint256 signextend(const uint256& b, const uint256& x);
uint256 sar(const uint256& shift, const uint256& x);
// BYTE: the i-th byte of x counting from the most significant (i >= 32 -> 0).
uint256 byte(const uint256& i, const uint256& x);
inline bool slt(const uint256& a, const uint256& b) {
  bool na = a.is_negative(), nb = b.is_negative();
  if (na != nb) return na;
  return a < b;
}
inline bool sgt(const uint256& a, const uint256& b) { return slt(b, a); }

}  // namespace lumio
