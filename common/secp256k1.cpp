#include "common/secp256k1.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <stdexcept>

#include "common/hash.hpp"

namespace lumio::secp256k1 {
namespace {

// One context for the whole process: libsecp256k1 contexts are safe to share for
// read-only operations once created.
const secp256k1_context* ctx() {
  static secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_SIGN |
                                                         SECP256K1_CONTEXT_VERIFY);
  return c;
}

const Hash32 kHalfN = *fixed_from_hex<32>(
    "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");

}  // namespace

bool is_low_s(const Hash32& s) { return s <= kHalfN; }

std::optional<FixedBytes<64>> recover_pubkey(const Hash32& msg, const Hash32& r, const Hash32& s,
                                             int recid) {
  if (recid < 0 || recid > 3) return std::nullopt;
  uint8_t compact[64];
  std::memcpy(compact, r.data(), 32);
  std::memcpy(compact + 32, s.data(), 32);
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx(), &sig, compact, recid))
    return std::nullopt;
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recover(ctx(), &pub, &sig, msg.data())) return std::nullopt;
  uint8_t out[65];
  size_t len = sizeof out;
  secp256k1_ec_pubkey_serialize(ctx(), out, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  return FixedBytes<64>::from(BytesView(out + 1, 64));
}

Address pubkey_to_address(const FixedBytes<64>& pub) {
  Hash32 h = keccak256(pub.view());
  return *Address::from(BytesView(h.data() + 12, 20));
}

std::optional<Address> recover_address(const Hash32& msg, const Hash32& r, const Hash32& s,
                                       int recid) {
  auto pub = recover_pubkey(msg, r, s, recid);
  if (!pub) return std::nullopt;
  return pubkey_to_address(*pub);
}

Signature sign(const Hash32& msg, const Hash32& secret) {
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_sign_recoverable(ctx(), &sig, msg.data(), secret.data(), nullptr, nullptr))
    throw std::invalid_argument("secp256k1: invalid secret key");
  uint8_t compact[64];
  Signature out;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx(), compact, &out.recid, &sig);
  std::memcpy(out.r.data(), compact, 32);
  std::memcpy(out.s.data(), compact + 32, 32);
  return out;
}

Address address_of(const Hash32& secret) {
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(ctx(), &pub, secret.data()))
    throw std::invalid_argument("secp256k1: invalid secret key");
  uint8_t out[65];
  size_t len = sizeof out;
  secp256k1_ec_pubkey_serialize(ctx(), out, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  return pubkey_to_address(*FixedBytes<64>::from(BytesView(out + 1, 64)));
}

FixedBytes<33> compressed_pubkey(const Hash32& secret) {
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(ctx(), &pub, secret.data()))
    throw std::invalid_argument("secp256k1: invalid secret key");
  FixedBytes<33> out;
  size_t len = 33;
  secp256k1_ec_pubkey_serialize(ctx(), out.data(), &len, &pub, SECP256K1_EC_COMPRESSED);
  return out;
}

std::optional<Hash32> seckey_tweak_add(const Hash32& secret, const Hash32& tweak) {
  Hash32 out = secret;
  if (!secp256k1_ec_seckey_tweak_add(ctx(), out.data(), tweak.data())) return std::nullopt;
  return out;
}

}  // namespace lumio::secp256k1
