#include "svm/sbpf.hpp"

namespace lumio::svm {

uint32_t murmur3_32(const uint8_t* data, size_t len, uint32_t seed) {
  constexpr uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  auto rotl = [](uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
  uint32_t h = seed;
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    uint32_t k;
    std::memcpy(&k, data + i, 4);  // little-endian host
    k = rotl(k * c1, 15) * c2;
    h = rotl(h ^ k, 13) * 5 + 0xe6546b64;
  }
  uint32_t k = 0;
  switch (len & 3) {
    case 3: k ^= uint32_t(data[i + 2]) << 16; [[fallthrough]];
    case 2: k ^= uint32_t(data[i + 1]) << 8; [[fallthrough]];
    case 1: k ^= data[i]; h ^= rotl(k * c1, 15) * c2;
  }
  h ^= uint32_t(len);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

}  // namespace lumio::svm
