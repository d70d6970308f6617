#include "common/base64.hpp"

namespace lumio {
namespace {

constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int symbol_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string base64_encode(BytesView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t len = data.size();
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = uint32_t(data[i]) << 16 | (i + 1 < len ? uint32_t(data[i + 1]) << 8 : 0) |
                 (i + 2 < len ? data[i + 2] : 0);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < len ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < len ? kAlphabet[v & 63] : '=';
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view s, std::string* err) {
  auto fail = [&](std::string e) -> std::optional<Bytes> {
    if (err) *err = std::move(e);
    return std::nullopt;
  };
  // Payload symbols, then up to two '=' at the very end.
  size_t n = s.size();
  while (n > 0 && s[n - 1] == '=' && s.size() - n < 2) --n;
  for (size_t i = 0; i < n; ++i)
    if (symbol_value(s[i]) < 0)
      return fail("InvalidByte(" + std::to_string(i) + ", " + std::to_string(uint8_t(s[i])) + ")");
  if (n % 4 == 1) return fail("InvalidLength(" + std::to_string(n) + ")");
  if (s.size() % 4 != 0) return fail("InvalidPadding");
  Bytes out;
  out.reserve(n / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc = acc << 6 | uint32_t(symbol_value(s[i]));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
    }
  }
  // Canonical: the bits left over after the last byte must be zero.
  if (bits && (acc & ((1u << bits) - 1)))
    return fail("InvalidLastSymbol(" + std::to_string(n - 1) + ", " + std::to_string(uint8_t(s[n - 1])) + ")");
  return out;
}

}  // namespace lumio
