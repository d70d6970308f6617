#include "common/uint256.hpp"

#include <algorithm>

namespace lumio {
namespace {

using u128 = unsigned __int128;

int significant_limbs(const uint64_t* v, int n) {
  while (n > 0 && v[n - 1] == 0) --n;
  return n;
}

// Knuth, TAOCP vol. 2, 4.3.1 algorithm D with 64-bit digits. u has m limbs, v has n
// significant limbs (v[n-1] != 0), m >= n. q gets m-n+1 limbs, r gets n limbs.
void knuth_divmod(const uint64_t* u, int m, const uint64_t* v, int n, uint64_t* q, uint64_t* r) {
  if (n == 1) {
    u128 rem = 0;
    for (int i = m - 1; i >= 0; --i) {
      u128 cur = (rem << 64) | u[i];
      q[i] = uint64_t(cur / v[0]);
      rem = cur % v[0];
    }
    r[0] = uint64_t(rem);
    return;
  }
  int s = __builtin_clzll(v[n - 1]);
  uint64_t vn[4], un[9];
  for (int i = n - 1; i > 0; --i) vn[i] = (v[i] << s) | (s ? v[i - 1] >> (64 - s) : 0);
  vn[0] = v[0] << s;
  un[m] = s ? u[m - 1] >> (64 - s) : 0;
  for (int i = m - 1; i > 0; --i) un[i] = (u[i] << s) | (s ? u[i - 1] >> (64 - s) : 0);
  un[0] = u[0] << s;

  for (int j = m - n; j >= 0; --j) {
    u128 num = (u128(un[j + n]) << 64) | un[j + n - 1];
    u128 qhat = num / vn[n - 1];
    u128 rhat = num % vn[n - 1];
    while (qhat >> 64 || qhat * vn[n - 2] > ((rhat << 64) | un[j + n - 2])) {
      --qhat;
      rhat += vn[n - 1];
      if (rhat >> 64) break;
    }
    // un[j..j+n] -= qhat * vn
    uint64_t borrow = 0, carry = 0;
    for (int i = 0; i < n; ++i) {
      u128 p = qhat * vn[i] + carry;
      carry = uint64_t(p >> 64);
      uint64_t lo = uint64_t(p);
      uint64_t t = un[i + j] - lo;
      uint64_t b1 = un[i + j] < lo;
      un[i + j] = t - borrow;
      borrow = b1 | (t < borrow);
    }
    uint64_t t = un[j + n] - carry;
    uint64_t b1 = un[j + n] < carry;
    un[j + n] = t - borrow;
    bool negative = b1 | (t < borrow);
    if (negative) {  // qhat was one too large: add v back
      --qhat;
      u128 c = 0;
      for (int i = 0; i < n; ++i) {
        c += u128(un[i + j]) + vn[i];
        un[i + j] = uint64_t(c);
        c >>= 64;
      }
      un[j + n] += uint64_t(c);
    }
    q[j] = uint64_t(qhat);
  }
  for (int i = 0; i < n - 1; ++i) r[i] = (un[i] >> s) | (s ? un[i + 1] << (64 - s) : 0);
  r[n - 1] = un[n - 1] >> s;
}

// Remainder of a 512-bit number (8 limbs) by a nonzero 256-bit modulus.
uint256 mod512(const uint64_t* u8, const uint256& m) {
  int un = significant_limbs(u8, 8);
  int vn = significant_limbs(m.w, 4);
  uint256 r;
  if (un < vn) {
    for (int i = 0; i < un; ++i) r.w[i] = u8[i];
    return r;
  }
  uint64_t q[8] = {}, rem[4] = {};
  knuth_divmod(u8, un, m.w, vn, q, rem);
  for (int i = 0; i < vn; ++i) r.w[i] = rem[i];
  return r;
}

}  // namespace

void uint256::divmod(const uint256& a, const uint256& b, uint256& q, uint256& r) {
  q = uint256();
  r = uint256();
  int vn = significant_limbs(b.w, 4);
  if (vn == 0) return;
  if (a < b) {
    r = a;
    return;
  }
  if (vn == 1 && a.fits_u64()) {
    q = uint256(a.w[0] / b.w[0]);
    r = uint256(a.w[0] % b.w[0]);
    return;
  }
  int un = significant_limbs(a.w, 4);
  uint64_t qq[4] = {}, rr[4] = {};
  knuth_divmod(a.w, un, b.w, vn, qq, rr);
  for (int i = 0; i < 4; ++i) {
    q.w[i] = qq[i];
    r.w[i] = rr[i];
  }
}

bool mul_overflows(const uint256& a, const uint256& b) {
  if (a.is_zero() || b.is_zero()) return false;
  return a.bit_length() + b.bit_length() > 257 || uint256::max() / b < a;
}

uint256 sdiv(const uint256& a, const uint256& b) {
  if (b.is_zero()) return {};
  bool na = a.is_negative(), nb = b.is_negative();
  uint256 q = (na ? -a : a) / (nb ? -b : b);
  return na != nb ? -q : q;
}

uint256 smod(const uint256& a, const uint256& b) {
  if (b.is_zero()) return {};
  bool na = a.is_negative();
  uint256 r = (na ? -a : a) % (b.is_negative() ? -b : b);
  return na ? -r : r;
}

uint256 addmod(const uint256& a, const uint256& b, const uint256& m) {
  if (m.is_zero()) return {};
  uint64_t u[8] = {};
  u128 c = 0;
  for (int i = 0; i < 4; ++i) {
    c += u128(a.w[i]) + b.w[i];
    u[i] = uint64_t(c);
    c >>= 64;
  }
  u[4] = uint64_t(c);
  return mod512(u, m);
}

uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) {
  if (m.is_zero()) return {};
  uint64_t u[8] = {};
  for (int i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (int j = 0; j < 4; ++j) {
      u128 p = u128(a.w[i]) * b.w[j] + u[i + j] + carry;
      u[i + j] = uint64_t(p);
      carry = uint64_t(p >> 64);
    }
    u[i + 4] = carry;
  }
  return mod512(u, m);
}

uint256 exp(uint256 base, uint256 exponent) {
  uint256 result = 1;
  while (!exponent.is_zero()) {
    if (exponent.w[0] & 1) result *= base;
    exponent >>= 1;
    if (!exponent.is_zero()) base *= base;
  }
  return result;
}

uint256 signextend(const uint256& b, const uint256& x) {
  if (!b.fits_u64() || b.w[0] >= 31) return x;
  unsigned bit = unsigned(b.w[0]) * 8 + 7;
  uint256 mask = (uint256(1) << bit) - 1;  // bits below the sign bit
  bool neg = !((x >> bit) & 1).is_zero();
  return neg ? (x | ~mask) : (x & mask);
}

uint256 sar(const uint256& shift, const uint256& x) {
  bool neg = x.is_negative();
  if (!shift.fits_u64() || shift.w[0] >= 256) return neg ? uint256::max() : uint256();
  uint64_t n = shift.w[0];
  uint256 r = x >> n;
  if (neg && n) r |= ~(uint256::max() >> n);
  return r;
}

uint256 byte(const uint256& i, const uint256& x) {
  if (!i.fits_u64() || i.w[0] >= 32) return {};
  unsigned shift = unsigned(31 - i.w[0]) * 8;
  return uint256((x.w[shift / 64] >> (shift % 64)) & 0xff);
}

std::string uint256::to_hex_quantity() const {
  static const char* kDigits = "0123456789abcdef";
  if (is_zero()) return "0x0";
  std::string s = "0x";
  unsigned nibbles = (bit_length() + 3) / 4;
  for (int i = int(nibbles) - 1; i >= 0; --i) s += kDigits[(w[i / 16] >> ((i % 16) * 4)) & 0xf];
  return s;
}

std::string uint256::to_dec_string() const {
  if (is_zero()) return "0";
  std::string s;
  uint256 v = *this;
  const uint256 ten19 = uint256(10000000000000000000ull);
  while (!v.is_zero()) {
    uint256 q, r;
    divmod(v, ten19, q, r);
    uint64_t chunk = r.w[0];
    for (int i = 0; i < 19; ++i) {
      s += char('0' + chunk % 10);
      chunk /= 10;
      if (q.is_zero() && chunk == 0) break;
    }
    v = q;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

std::optional<uint256> uint256::from_string(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    if (s.empty()) return std::nullopt;
    while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
    if (s.size() > 64) return std::nullopt;
    uint256 r;
    for (char c : s) {
      unsigned d;
      if (c >= '0' && c <= '9') d = unsigned(c - '0');
      else if (c >= 'a' && c <= 'f') d = unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = unsigned(c - 'A' + 10);
      else return std::nullopt;
      r = (r << 4) | uint256(d);
    }
    return r;
  }
  if (s.empty()) return std::nullopt;
  uint256 r;
  const uint256 limit = uint256::max() / uint256(10);
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (r > limit) return std::nullopt;
    uint256 next = r * uint256(10) + uint256(uint64_t(c - '0'));
    if (next < r * uint256(10)) return std::nullopt;
    r = next;
  }
  return r;
}

}  // namespace lumio
