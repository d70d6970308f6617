#include "common/hash.hpp"

#include <cryptopp/keccak.h>
#include <cryptopp/ripemd.h>
#include <cryptopp/sha.h>

namespace lumio {

Hash32 keccak256(BytesView data) {
  Hash32 h;
  CryptoPP::Keccak_256 k;
  k.CalculateDigest(h.data(), data.data(), data.size());
  return h;
}

Hash32 sha256(BytesView data) {
  Hash32 h;
  CryptoPP::SHA256 k;
  k.CalculateDigest(h.data(), data.data(), data.size());
  return h;
}

FixedBytes<20> ripemd160(BytesView data) {
  FixedBytes<20> h;
  CryptoPP::RIPEMD160 k;
  k.CalculateDigest(h.data(), data.data(), data.size());
  return h;
}

const Hash32 kEmptyKeccak = keccak256(BytesView{});
const Hash32 kEmptyTrieRoot = *fixed_from_hex<32>(
    "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

}  // namespace lumio
