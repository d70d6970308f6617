// BLAKE3 (default hash mode, extendable output). Debian ships no libblake3, so this is our own
// portable implementation of the BLAKE3 specification: 1 KiB chunks, binary Merkle tree of
// chaining values, root flag on the last compression.
#pragma once
#include <cstdint>

#include "common/bytes.hpp"

namespace lumio::blake3 {

class Hasher {
 public:
  Hasher();
  void update(BytesView data);
  Hash32 finalize() const;
  // Extended output: `len` bytes of the root output stream (the first 32 are finalize()).
  void finalize_xof(uint8_t* out, size_t len) const;

 private:
  struct Chunk {
    uint32_t cv[8];
    uint64_t counter = 0;
    uint8_t block[64] = {};
    uint8_t block_len = 0, blocks_done = 0;
  };
  void reset_chunk(uint64_t counter);
  void push_cv(const uint32_t cv[8], uint64_t total_chunks);
  Chunk chunk_;
  uint32_t stack_[54][8];  // one chaining value per tree level (2^54 chunks max)
  uint8_t stack_len_ = 0;
};

Hash32 hash(BytesView data);

}  // namespace lumio::blake3
