// Signature natives: ed25519 over libsodium, secp256k1::ecdsa_recover_internal over
// libsecp256k1 (common/secp256k1), with Aptos's charging order (a failed deserialization
// returns false before the later steps are charged).
//
// libsodium's checks versus ed25519-dalek's verify_strict as Aptos uses it: both reject a
// non-canonical S, small-order R and A, and verify cofactorless; libsodium also rejects a
// non-canonical encoding of A, and its point validation (public_key_validate) also requires
// the prime-order subgroup, so a mixed-order key that Aptos accepts is rejected here.
// multi_ed25519 (aptos-crypto's layout): keys k_1..k_n ‖ threshold byte (1 <= t <= n <= 32);
// signatures s_1..s_m ‖ 4-byte bitmap (MSB first), signature j verified against the key of the
// j-th set bit, at least t of them.
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

namespace {

bool valid_key(const uint8_t* k) { return crypto_core_ed25519_is_valid_point(k) == 1; }

// MultiEd25519PublicKey::try_from: number of keys, or nullopt.
std::optional<size_t> multi_keys(const Bytes& pk) {
  if (pk.empty() || (pk.size() - 1) % 32 != 0) return std::nullopt;
  size_t n = (pk.size() - 1) / 32;
  uint8_t t = pk.back();
  if (n == 0 || n > 32 || t == 0 || t > n) return std::nullopt;
  for (size_t i = 0; i < n; ++i)
    if (!valid_key(pk.data() + 32 * i)) return std::nullopt;
  return n;
}

bool multi_verify(const Bytes& sig, const Bytes& pk, size_t n, const Bytes& msg) {
  size_t m = (sig.size() - 4) / 64;
  const uint8_t* bitmap = sig.data() + sig.size() - 4;
  size_t j = 0;
  for (size_t i = 0; i < 32; ++i) {
    if (!(bitmap[i / 8] & (0x80 >> (i % 8)))) continue;
    if (i >= n || j >= m) return false;  // a bit past the last key
    if (crypto_sign_verify_detached(sig.data() + 64 * j, msg.data(), msg.size(), pk.data() + 32 * i) != 0) return false;
    ++j;
  }
  return j == m && m >= pk.back();
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

  // multi_ed25519: validation stops at the first bad sub-key, charging each one tried.
  auto count_valid = [=](const Bytes& pk, uint64_t& cost) {
    size_t valid = 0;
    for (size_t i = 0; i + 32 <= pk.size(); i += 32) {
      cost += pk_deser + small_order;
      if (!valid_key(pk.data() + i)) break;
      ++valid;
    }
    return valid;
  };
  r.add(1, "multi_ed25519", "public_key_validate_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* pk = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!pk) return invariant("multi_ed25519 public_key_validate_internal argument");
    uint64_t cost = ed_base;
    size_t n = pk->size() / 32;
    if (n > 32) return NativeResult::ok({Value::boolean(false)}, cost);
    bool ok = count_valid(*pk, cost) == n;
    return NativeResult::ok({Value::boolean(ok)}, cost);
  });
  r.add(1, "multi_ed25519", "public_key_validate_v2_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* pk = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!pk) return invariant("multi_ed25519 public_key_validate_v2_internal argument");
    uint64_t cost = ed_base;
    bool shape = !pk->empty() && (pk->size() - 1) % 32 == 0 && pk->size() > 1 && (pk->size() - 1) / 32 <= 32 &&
                 pk->back() != 0 && pk->back() <= (pk->size() - 1) / 32;
    if (!shape) return NativeResult::ok({Value::boolean(false)}, cost);
    bool ok = count_valid(*pk, cost) == (pk->size() - 1) / 32;
    return NativeResult::ok({Value::boolean(ok)}, cost);
  });
  r.add(1, "multi_ed25519", "signature_verify_strict_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* s = a.size() == 3 ? bytes_of(a[0]) : nullptr;
    const Bytes* pk = a.size() == 3 ? bytes_of(a[1]) : nullptr;
    const Bytes* msg = a.size() == 3 ? bytes_of(a[2]) : nullptr;
    if (!s || !pk || !msg) return invariant("multi_ed25519 signature_verify_strict_internal arguments");
    uint64_t num_pks = pk->size() / 32, num_sigs = s->size() / 64;
    uint64_t cost = ed_base + pk_deser * num_pks;
    auto n = multi_keys(*pk);
    if (!n) return NativeResult::ok({Value::boolean(false)}, cost);
    cost += sig_deser * num_sigs;
    // MultiEd25519Signature::try_from: m * 64 + 4 bytes, m = popcount(bitmap) <= 32, canonical S.
    bool shape = s->size() >= 4 && (s->size() - 4) % 64 == 0 && (s->size() - 4) / 64 <= 32;
    if (shape) {
      size_t m = (s->size() - 4) / 64, bits = 0;
      for (size_t i = 0; i < 4; ++i) bits += size_t(__builtin_popcount((*s)[s->size() - 4 + i]));
      shape = bits == m;
      for (size_t j = 0; shape && j < m; ++j) shape = canonical_s(s->data() + 64 * j + 32);
    }
    if (!shape) return NativeResult::ok({Value::boolean(false)}, cost);
    cost += (verify + hash_base + hash_byte * msg->size()) * num_sigs;
    return NativeResult::ok({Value::boolean(multi_verify(*s, *pk, *n, *msg))}, cost);
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
