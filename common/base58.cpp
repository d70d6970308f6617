#include "common/base58.hpp"

#include <cstdio>

namespace lumio {
namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// The character as Rust's char Debug prints it inside '...'.
std::string rust_char_debug(unsigned char c) {
  switch (c) {
    case '\'': return "\\'";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    case 0: return "\\0";
  }
  if (c < 0x20 || c == 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u{%x}", c);
    return buf;
  }
  return std::string(1, char(c));
}

}  // namespace

std::string base58_encode(BytesView data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  std::vector<uint8_t> digits;  // base-58 digits, little-endian
  for (size_t i = zeros; i < data.size(); ++i) {
    uint32_t carry = data[i];
    for (auto& d : digits) {
      carry += uint32_t(d) << 8;
      d = uint8_t(carry % 58);
      carry /= 58;
    }
    while (carry) {
      digits.push_back(uint8_t(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += kAlphabet[*it];
  return out;
}

std::optional<Bytes> base58_decode(std::string_view text, std::string* err) {
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  Bytes bytes;  // little-endian base-256
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    size_t digit = c ? kAlphabet.find(char(c)) : std::string_view::npos;
    if (digit == std::string_view::npos) {
      if (err)
        *err = c >= 0x80 ? "NonAsciiCharacter { index: " + std::to_string(i) + " }"
                         : "InvalidCharacter { character: '" + rust_char_debug(c) + "', index: " + std::to_string(i) + " }";
      return std::nullopt;
    }
    if (i < zeros) continue;
    uint32_t carry = uint32_t(digit);
    for (auto& b : bytes) {
      carry += uint32_t(b) * 58;
      b = uint8_t(carry);
      carry >>= 8;
    }
    while (carry) {
      bytes.push_back(uint8_t(carry));
      carry >>= 8;
    }
  }
  Bytes out(zeros, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

}  // namespace lumio
