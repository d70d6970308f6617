// secp256k1 ECDSA over libsecp256k1: Ethereum's signature scheme.
#pragma once
#include "common/bytes.hpp"

namespace lumio::secp256k1 {

struct Signature {
  Hash32 r, s;
  int recid = 0;  // 0 or 1 (the y parity of R)
};

// Recovers the 64-byte uncompressed public key (x||y, no 0x04 prefix). Accepts any r, s
// in [1, n): the low-s rule for transactions is the caller's check.
std::optional<FixedBytes<64>> recover_pubkey(const Hash32& msg, const Hash32& r, const Hash32& s,
                                             int recid);
// keccak256(pubkey)[12:]
Address pubkey_to_address(const FixedBytes<64>& pub);
std::optional<Address> recover_address(const Hash32& msg, const Hash32& r, const Hash32& s,
                                       int recid);

// Deterministic (RFC 6979) signature with low s. Throws on an invalid key.
Signature sign(const Hash32& msg, const Hash32& secret);
Address address_of(const Hash32& secret);

// For BIP-32 key derivation.
FixedBytes<33> compressed_pubkey(const Hash32& secret);
// (secret + tweak) mod n; nullopt when the result is invalid (probability ~2^-128).
std::optional<Hash32> seckey_tweak_add(const Hash32& secret, const Hash32& tweak);

// true when s <= n/2 (EIP-2).
bool is_low_s(const Hash32& s);

}  // namespace lumio::secp256k1
