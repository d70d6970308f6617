// Hash functions (Crypto++ and libsodium underneath).
#pragma once
#include "common/bytes.hpp"

namespace lumio {

Hash32 keccak256(BytesView data);
inline Hash32 keccak256(std::string_view s) { return keccak256(as_view(s)); }
Hash32 sha256(BytesView data);
FixedBytes<20> ripemd160(BytesView data);

// keccak256 of the empty string and of RLP("") / the empty trie, used everywhere in Ethereum.
extern const Hash32 kEmptyKeccak;
extern const Hash32 kEmptyTrieRoot;

}  // namespace lumio
