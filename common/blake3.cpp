#include "common/blake3.hpp"

#include <algorithm>
#include <cstring>

namespace lumio::blake3 {
namespace {

constexpr uint32_t kIv[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                             0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};
constexpr uint8_t kPerm[16] = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
constexpr uint32_t kChunkStart = 1, kChunkEnd = 2, kParent = 4, kRoot = 8;
constexpr size_t kChunkLen = 1024, kBlockLen = 64;

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
inline uint32_t load32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

inline void g(uint32_t* s, int a, int b, int c, int d, uint32_t x, uint32_t y) {
  s[a] += s[b] + x; s[d] = rotr(s[d] ^ s[a], 16);
  s[c] += s[d];     s[b] = rotr(s[b] ^ s[c], 12);
  s[a] += s[b] + y; s[d] = rotr(s[d] ^ s[a], 8);
  s[c] += s[d];     s[b] = rotr(s[b] ^ s[c], 7);
}

// The compression function: all 16 output words (the first 8 are the new chaining value).
void compress(const uint32_t cv[8], const uint8_t block[64], uint8_t block_len, uint64_t counter,
              uint32_t flags, uint32_t out[16]) {
  uint32_t m[16], s[16];
  for (int i = 0; i < 16; ++i) m[i] = load32(block + 4 * i);
  for (int i = 0; i < 8; ++i) s[i] = cv[i];
  for (int i = 0; i < 4; ++i) s[8 + i] = kIv[i];
  s[12] = uint32_t(counter); s[13] = uint32_t(counter >> 32); s[14] = block_len; s[15] = flags;
  for (int r = 0; r < 7; ++r) {
    g(s, 0, 4, 8, 12, m[0], m[1]);   g(s, 1, 5, 9, 13, m[2], m[3]);
    g(s, 2, 6, 10, 14, m[4], m[5]);  g(s, 3, 7, 11, 15, m[6], m[7]);
    g(s, 0, 5, 10, 15, m[8], m[9]);  g(s, 1, 6, 11, 12, m[10], m[11]);
    g(s, 2, 7, 8, 13, m[12], m[13]); g(s, 3, 4, 9, 14, m[14], m[15]);
    uint32_t p[16];
    for (int i = 0; i < 16; ++i) p[i] = m[kPerm[i]];
    std::memcpy(m, p, sizeof m);
  }
  for (int i = 0; i < 8; ++i) { out[i] = s[i] ^ s[i + 8]; out[i + 8] = s[i + 8] ^ cv[i]; }
}

// Inputs of the last compression of a node; compressing it with ROOT gives the output stream.
struct Output {
  uint32_t cv[8];
  uint8_t block[64];
  uint8_t block_len;
  uint64_t counter;
  uint32_t flags;
  void chaining_value(uint32_t out[8]) const {
    uint32_t w[16];
    compress(cv, block, block_len, counter, flags, w);
    std::memcpy(out, w, 32);
  }
};

Output parent_output(const uint32_t left[8], const uint32_t right[8]) {
  Output o;
  std::memcpy(o.cv, kIv, 32);
  for (int i = 0; i < 8; ++i) {
    for (int b = 0; b < 4; ++b) {
      o.block[4 * i + b] = uint8_t(left[i] >> (8 * b));
      o.block[32 + 4 * i + b] = uint8_t(right[i] >> (8 * b));
    }
  }
  o.block_len = 64; o.counter = 0; o.flags = kParent;
  return o;
}

}  // namespace

Hasher::Hasher() { reset_chunk(0); }

void Hasher::reset_chunk(uint64_t counter) {
  chunk_ = Chunk{};
  std::memcpy(chunk_.cv, kIv, 32);
  chunk_.counter = counter;
}

// Merges completed subtrees: after chunk number total_chunks - 1 completes, pop one CV per
// trailing zero bit of total_chunks (the lazy merge of the reference implementation).
void Hasher::push_cv(const uint32_t cv[8], uint64_t total_chunks) {
  uint32_t cur[8];
  std::memcpy(cur, cv, 32);
  while ((total_chunks & 1) == 0) {
    parent_output(stack_[--stack_len_], cur).chaining_value(cur);
    total_chunks >>= 1;
  }
  std::memcpy(stack_[stack_len_++], cur, 32);
}

void Hasher::update(BytesView data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n > 0) {
    // A full chunk is only finished once more input arrives (the last chunk may be the root).
    if (chunk_.blocks_done * kBlockLen + chunk_.block_len == kChunkLen) {
      uint32_t w[16];
      compress(chunk_.cv, chunk_.block, kBlockLen, chunk_.counter,
               kChunkEnd | (chunk_.blocks_done == 0 ? kChunkStart : 0), w);
      uint64_t next = chunk_.counter + 1;
      push_cv(w, next);
      reset_chunk(next);
    }
    if (chunk_.block_len == kBlockLen) {  // a full block with more input after it: compress it
      uint32_t w[16];
      compress(chunk_.cv, chunk_.block, kBlockLen, chunk_.counter,
               chunk_.blocks_done == 0 ? kChunkStart : 0, w);
      std::memcpy(chunk_.cv, w, 32);
      ++chunk_.blocks_done;
      chunk_.block_len = 0;
      std::memset(chunk_.block, 0, kBlockLen);
    }
    size_t take = std::min(n, kBlockLen - chunk_.block_len);
    std::memcpy(chunk_.block + chunk_.block_len, p, take);
    chunk_.block_len = uint8_t(chunk_.block_len + take);
    p += take;
    n -= take;
  }
}

void Hasher::finalize_xof(uint8_t* out, size_t len) const {
  Output o;
  std::memcpy(o.cv, chunk_.cv, 32);
  std::memcpy(o.block, chunk_.block, 64);
  o.block_len = chunk_.block_len;
  o.counter = chunk_.counter;
  o.flags = kChunkEnd | (chunk_.blocks_done == 0 ? kChunkStart : 0);
  for (int i = stack_len_ - 1; i >= 0; --i) {
    uint32_t cv[8];
    o.chaining_value(cv);
    o = parent_output(stack_[i], cv);
  }
  for (uint64_t block = 0; len > 0; ++block) {
    uint32_t w[16];
    compress(o.cv, o.block, o.block_len, block, o.flags | kRoot, w);
    for (size_t i = 0; i < 64 && len > 0; ++i, --len) *out++ = uint8_t(w[i / 4] >> (8 * (i % 4)));
  }
}

Hash32 Hasher::finalize() const {
  Hash32 h;
  finalize_xof(h.data(), 32);
  return h;
}

Hash32 hash(BytesView data) {
  Hasher h;
  h.update(data);
  return h.finalize();
}

}  // namespace lumio::blake3
