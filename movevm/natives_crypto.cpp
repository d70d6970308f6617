// Signature natives: ed25519 over libsodium, secp256k1::ecdsa_recover_internal over
// libsecp256k1 (common/secp256k1), with Aptos's charging order (a failed deserialization
// returns false before the later steps are charged).
//
// libsodium's checks versus ed25519-dalek's verify_strict as Aptos uses it: both reject a
// non-canonical S, small-order R and A, and verify cofactorless; libsodium also rejects a
// non-canonical encoding of A, and its point validation (public_key_validate) also requires
// the prime-order subgroup, so a mixed-order key that Aptos accepts is rejected here.
// multi_ed25519 is not registered yet (a call reports MISSING_DEPENDENCY).
#include <sodium.h>

#include <cstring>

#include "common/secp256k1.hpp"
#include "movevm/natives_internal.hpp"

namespace lumio::movevm::natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

constexpr uint64_t kDeserialize = 0x01'0001;  // NFE_DESERIALIZE of aptos secp256k1 natives

// S < L (the group order), little-endian: Ed25519Signature's malleability check.
bool canonical_s(const uint8_t* s) {
  static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  for (int i = 31; i >= 0; --i)
    if (s[i] != L[i]) return s[i] < L[i];
  return false;
}

}  // namespace

void register_crypto(Registrar& r, const GasParameters& g) {
  if (sodium_init() < 0) {
    r.error = invariant("libsodium failed to initialise");
    return;
  }
  auto sig = [&](const char* n) { return g.native(std::string("aptos_framework.signature.") + n); };
  uint64_t ed_base = sig("base"), pk_deser = sig("per_pubkey_deserialize"), small_order = sig("per_pubkey_small_order_check");
  uint64_t sig_deser = sig("per_sig_deserialize"), verify = sig("per_sig_strict_verify");
  uint64_t hash_base = sig("per_msg_hashing_base"), hash_byte = sig("per_msg_byte_hashing");
  // public_key_validate_internal(bytes): a valid point of large order.
  r.add(1, "ed25519", "public_key_validate_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* pk = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!pk) return invariant("public_key_validate_internal argument");
    uint64_t cost = ed_base + pk_deser;
    if (pk->size() != crypto_sign_PUBLICKEYBYTES) return NativeResult::ok({Value::boolean(false)}, cost);
    bool ok = crypto_core_ed25519_is_valid_point(pk->data()) == 1;
    return NativeResult::ok({Value::boolean(ok)}, cost + small_order);
  });
  // signature_verify_strict_internal(signature, public_key, message)
  r.add(1, "ed25519", "signature_verify_strict_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* s = a.size() == 3 ? bytes_of(a[0]) : nullptr;
    const Bytes* pk = a.size() == 3 ? bytes_of(a[1]) : nullptr;
    const Bytes* msg = a.size() == 3 ? bytes_of(a[2]) : nullptr;
    if (!s || !pk || !msg) return invariant("signature_verify_strict_internal arguments");
    uint64_t cost = ed_base + pk_deser;
    if (pk->size() != crypto_sign_PUBLICKEYBYTES || crypto_core_ed25519_is_valid_point(pk->data()) != 1)
      return NativeResult::ok({Value::boolean(false)}, cost);
    cost += sig_deser;
    if (s->size() != crypto_sign_BYTES || !canonical_s(s->data() + 32)) return NativeResult::ok({Value::boolean(false)}, cost);
    cost += verify + hash_base + hash_byte * msg->size();
    bool ok = crypto_sign_verify_detached(s->data(), msg->data(), msg->size(), pk->data()) == 0;
    return NativeResult::ok({Value::boolean(ok)}, cost);
  });

  uint64_t base = g.native("aptos_framework.secp256k1.base");
  uint64_t recover = g.native("aptos_framework.secp256k1.ecdsa_recover");
  // ecdsa_recover_internal(message: vector<u8>, recovery_id: u8, signature: vector<u8>): (vector<u8>, bool)
  r.add(1, "secp256k1", "ecdsa_recover_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* msg = a.size() == 3 ? bytes_of(a[0]) : nullptr;
    auto recid = a.size() == 3 ? u64_of(a[1]) : std::nullopt;
    const Bytes* sig = a.size() == 3 ? bytes_of(a[2]) : nullptr;
    if (!msg || !recid || !sig) return invariant("ecdsa_recover_internal arguments");
    if (msg->size() != 32) return NativeResult::abort(kDeserialize, base);
    if (sig->size() != 64) return NativeResult::abort(kDeserialize, base);
    if (*recid > 3) return NativeResult::abort(kDeserialize, base);
    uint64_t cost = base + recover;
    auto h = Hash32::from(*msg);
    auto rr = Hash32::from(BytesView(*sig).first(32));
    auto ss = Hash32::from(BytesView(*sig).subspan(32));
    std::optional<FixedBytes<64>> pk;
    if (*recid < 2) pk = secp256k1::recover_pubkey(*h, *rr, *ss, int(*recid));
    if (!pk) return NativeResult::ok({make_vec_u8({}), Value::boolean(false)}, cost);
    return NativeResult::ok({make_vec_u8(Bytes(pk->bytes.begin(), pk->bytes.end())), Value::boolean(true)}, cost);
  });
}

}  // namespace lumio::movevm::natives
