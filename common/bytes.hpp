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
  // Mixes every byte: contracts choose addresses and slots (0x..01, 0x..02), so a hash of
  // only the leading bytes would put them all in one bucket.
  size_t operator()(const lumio::FixedBytes<N>& v) const noexcept {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ N;
    size_t i = 0;
    for (; i + 8 <= N; i += 8) {
      uint64_t w;
      std::memcpy(&w, v.bytes.data() + i, 8);
      h = (h ^ w) * 0xff51afd7ed558ccdull;
      h ^= h >> 32;
    }
    for (; i < N; ++i) h = (h ^ v.bytes[i]) * 0xc4ceb9fe1a85ec53ull;
    return size_t(h ^ (h >> 29));
  }
};
