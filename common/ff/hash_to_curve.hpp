// RFC 9380 hashing to BLS12-381: expand_message_xmd (SHA-256), hash_to_field, the simplified
// SWU map on the isogenous curves E1' / E2', the 11- and 3-isogeny maps, and cofactor clearing:
// the suites BLS12381G1_XMD:SHA-256_SSWU_RO_ and BLS12381G2_XMD:SHA-256_SSWU_RO_ (the DST is
// the caller's). Inputs are public (messages to verify), so nothing here is constant-time.
#pragma once
#include <optional>

#include "common/bytes.hpp"
#include "common/ff/bls12_381.hpp"

namespace lumio::ff::bls12_381 {

// expand_message_xmd with SHA-256 (RFC 9380 section 5.3.1); a DST over 255 bytes is first
// hashed as section 5.3.3 prescribes. nullopt when len_in_bytes > 65535 or needs > 255 blocks.
std::optional<Bytes> expand_message_xmd(BytesView msg, BytesView dst, size_t len_in_bytes);

// hash_to_field with count = 2, L = 64 (section 5.2).
std::array<F, 2> hash_to_fp(BytesView msg, BytesView dst);
std::array<E2, 2> hash_to_fp2(BytesView msg, BytesView dst);

// map_to_curve (simplified SWU on E' followed by the isogeny), not cofactor-cleared.
G1 map_to_curve_g1(const F& u);
G2 map_to_curve_g2(const E2& u);

// hash_to_curve: clear_cofactor(map(u0) + map(u1)); a point of the prime-order subgroup.
G1 hash_to_g1(BytesView msg, BytesView dst);
G2 hash_to_g2(BytesView msg, BytesView dst);

// An element of Fp from a 64-byte big-endian integer, reduced mod p (OS2IP(tv) mod p).
F fp_from_64_bytes(const uint8_t* b);

}  // namespace lumio::ff::bls12_381
