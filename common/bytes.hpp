// Byte strings and fixed-size byte arrays shared by every subsystem.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lumio {

using Bytes = std::vector<uint8_t>;
using BytesView = std::span<const uint8_t>;

inline BytesView as_view(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A fixed-size big-endian byte array: hashes, addresses, public keys.
template <size_t N>
struct FixedBytes {
  std::array<uint8_t, N> bytes{};

  static constexpr size_t size() { return N; }
  uint8_t* data() { return bytes.data(); }
  const uint8_t* data() const { return bytes.data(); }
  BytesView view() const { return {bytes.data(), N}; }
  bool is_zero() const {
    for (auto b : bytes)
      if (b) return false;
    return true;
  }
  // Copies exactly N bytes; returns nullopt when the length differs.
  static std::optional<FixedBytes> from(BytesView v) {
    if (v.size() != N) return std::nullopt;
    FixedBytes r;
    std::memcpy(r.bytes.data(), v.data(), N);
    return r;
  }
  // Right-aligns a shorter value (big-endian), e.g. an RLP-trimmed integer.
  static FixedBytes right_aligned(BytesView v) {
    FixedBytes r;
    size_t n = v.size() < N ? v.size() : N;
    std::memcpy(r.bytes.data() + N - n, v.data() + v.size() - n, n);
    return r;
  }
  auto operator<=>(const FixedBytes&) const = default;
  bool operator==(const FixedBytes&) const = default;
};

using Hash32 = FixedBytes<32>;
using Address = FixedBytes<20>;

// Lower-case hex with a 0x prefix (or without).
std::string to_hex(BytesView v, bool prefix = true);
template <size_t N>
std::string to_hex(const FixedBytes<N>& v, bool prefix = true) {
  return to_hex(v.view(), prefix);
}
// Accepts an optional 0x/0X prefix and an even number of hex digits.
std::optional<Bytes> from_hex(std::string_view s);
// Same, for exactly N bytes.
template <size_t N>
std::optional<FixedBytes<N>> fixed_from_hex(std::string_view s) {
  auto b = from_hex(s);
  if (!b) return std::nullopt;
  return FixedBytes<N>::from(*b);
}

// Big-endian minimal encoding of an integer (zero -> empty), as RLP and Ethereum use.
Bytes be_trimmed(uint64_t v);
void append(Bytes& out, BytesView v);

}  // namespace lumio

template <size_t N>
struct std::hash<lumio::FixedBytes<N>> {
  size_t operator()(const lumio::FixedBytes<N>& v) const noexcept {
    // Inputs are hashes or addresses: their leading bytes are already well mixed.
    size_t h;
    std::memcpy(&h, v.bytes.data(), sizeof h < N ? sizeof h : N);
    return h;
  }
};
