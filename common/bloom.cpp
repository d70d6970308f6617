#include "common/bloom.hpp"

#include "common/hash.hpp"

namespace lumio {

static Bloom bits_of(BytesView item) {
  Bloom b;
  Hash32 h = keccak256(item);
  for (int i = 0; i < 6; i += 2) {
    unsigned bit = ((unsigned(h.bytes[i]) << 8) | h.bytes[i + 1]) & 2047;
    b.bytes[255 - bit / 8] |= uint8_t(1u << (bit % 8));
  }
  return b;
}

void bloom_add(Bloom& bloom, BytesView item) {
  Bloom b = bits_of(item);
  for (size_t i = 0; i < b.bytes.size(); ++i) bloom.bytes[i] |= b.bytes[i];
}

bool bloom_may_contain(const Bloom& bloom, BytesView item) {
  Bloom b = bits_of(item);
  for (size_t i = 0; i < b.bytes.size(); ++i)
    if ((bloom.bytes[i] & b.bytes[i]) != b.bytes[i]) return false;
  return true;
}

}  // namespace lumio
