// 0x1::bls12381 natives: BLS signatures over BLS12-381 in the minimal-pubkey-size variant (public
// keys in G1, signatures in G2), as aptos-crypto's bls12381 module implements them over blst.
//
// Semantics that matter for consensus (aptos-move/framework natives bls12381.rs, aptos-crypto
// bls12381_{keys,sigs,pop}.rs, blst bindings/rust):
// - Keys and signatures decode with blst's from_bytes: compressed (48 / 96 bytes, flag 0x80) or
//   uncompressed (96 / 192 bytes, flag clear); on the curve, x != 0; NOT subgroup-checked.
// - Messages hash with DST "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_" (the PoP scheme's
//   signature DST); proofs of possession sign the key's compressed bytes with
//   "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_".
// - Verification always subgroup-checks the signature (infinity allowed there, it simply fails
//   the pairing check) and rejects an infinite public key; keys are subgroup-checked only where
//   Aptos asks (normal signatures, PoPs, validate_pubkey).
// - Gas is charged step by step and stops where Aptos's early returns stop; the public-key
//   subgroup check is charged per_pubkey_deserialize, as Aptos does. A step that exceeds the
//   meter's remaining balance ends the native before its work (Aptos's failing charge): the VM
//   then reports OUT_OF_GAS when it charges the returned cost.
#include <span>
#include <type_traits>

#include "common/ff/hash_to_curve.hpp"
#include "movevm/natives_internal.hpp"

namespace lumio::movevm::natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;
namespace bls = ff::bls12_381;

constexpr std::string_view kSigDst = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
constexpr std::string_view kPopDst = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

BytesView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// blst's aggregate_verify with sig_groupcheck = true: prod e(pk_i, H(m_i)) == e(g1, sig).
bool aggregate_verify(const bls::G2& sig, std::span<const bls::G1> pks, std::span<const BytesView> msgs,
                      std::string_view dst, bool pk_validate) {
  if (pks.empty() || pks.size() != msgs.size()) return false;
  for (auto& pk : pks)
    if (pk.is_infinity() || (pk_validate && !bls::g1_in_subgroup(pk))) return false;
  if (!bls::g2_in_subgroup(sig)) return false;
  std::vector<std::pair<bls::G1, bls::G2>> pairs;
  pairs.reserve(pks.size() + 1);
  pairs.push_back({-bls::g1_generator(), sig});
  for (size_t i = 0; i < pks.size(); ++i) pairs.push_back({pks[i], bls::hash_to_g2(msgs[i], as_bytes(dst))});
  return bls::pairing_product_is_one(pairs);
}

bool valid_pubkey(const bls::G1& pk) { return !pk.is_infinity() && bls::g1_in_subgroup(pk); }

// vector<T> where T's first field is the vector<u8> `bytes` (PublicKeyWithPoP, Signature).
std::optional<std::vector<const Bytes*>> struct_bytes(const Value& v) {
  Container* c = container_of(v);
  if (!c || c->kind != ContainerKind::Vector) return std::nullopt;
  std::vector<const Bytes*> out;
  for (auto& e : c->values) {
    Container* s = container_of(e);
    if (!s || s->kind != ContainerKind::Struct || s->values.empty()) return std::nullopt;
    const Bytes* b = bytes_of(s->values[0]);
    if (!b) return std::nullopt;
    out.push_back(b);
  }
  return out;
}
// vector<vector<u8>>
std::optional<std::vector<BytesView>> vec_of_bytes(const Value& v) {
  Container* c = container_of(v);
  if (!c || c->kind != ContainerKind::Vector) return std::nullopt;
  std::vector<BytesView> out;
  for (auto& e : c->values) {
    const Bytes* b = bytes_of(e);
    if (!b) return std::nullopt;
    out.push_back(*b);
  }
  return out;
}

struct Gas {
  uint64_t base, pk_deser, pk_aggregate, pk_subgroup, sig_deser, sig_aggregate, sig_subgroup, sig_verify,
      pop_verify, pairing, msg_hashing, byte_hashing;
};

// The native's running cost against the meter's balance.
struct Charges {
  uint64_t budget, cost = 0;
  explicit Charges(NativeContext& ctx) : budget(ctx.gas().remaining()) {}
  // False once the cost exceeds the balance: stop (the VM's charge then fails with OUT_OF_GAS).
  bool add(uint64_t units) {
    cost = units > UINT64_MAX - cost ? UINT64_MAX : cost + units;
    return cost <= budget;
  }
};
NativeResult boolean(bool b, const Charges& c) { return NativeResult::ok({Value::boolean(b)}, c.cost); }
NativeResult bytes_and_flag(Bytes b, bool ok, const Charges& c) {
  return NativeResult::ok({make_vec_u8(std::move(b)), Value::boolean(ok)}, c.cost);
}

// verify_{normal_signature,multisignature,signature_share}_internal(sig, pk, msg).
NativeFunction verify_signature(const Gas& g, bool check_pk_subgroup) {
  return [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* s = a.size() == 3 ? bytes_of(a[0]) : nullptr;
    const Bytes* pkb = a.size() == 3 ? bytes_of(a[1]) : nullptr;
    const Bytes* msg = a.size() == 3 ? bytes_of(a[2]) : nullptr;
    if (!s || !pkb || !msg) return invariant("bls12381 verify arguments");
    Charges c(ctx);
    if (!c.add(g.base) || !c.add(g.pk_deser)) return boolean(false, c);
    auto pk = bls::g1_from_bytes(*pkb);
    if (!pk) return boolean(false, c);
    // sic: Aptos charges the key's subgroup check as another deserialization.
    if (check_pk_subgroup && (!c.add(g.pk_deser) || !valid_pubkey(*pk))) return boolean(false, c);
    if (!c.add(g.sig_deser)) return boolean(false, c);
    auto sig = bls::g2_from_bytes(*s);
    if (!sig) return boolean(false, c);
    if (!c.add(g.sig_verify + g.msg_hashing + g.byte_hashing * msg->size())) return boolean(false, c);
    BytesView m = *msg;
    return boolean(aggregate_verify(*sig, std::span(&*pk, 1), std::span(&m, 1), kSigDst, false), c);
  };
}

// aggregate_{pubkeys,signatures}_internal: the compressed sum, (empty, false) for no input or
// an input that does not decode. No subgroup checks (PoPs / verification cover them).
template <class Point>
NativeFunction aggregate(uint64_t base, uint64_t per_deser, uint64_t per_add) {
  return [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    auto items = a.size() == 1 ? struct_bytes(a[0]) : std::nullopt;
    if (!items) return invariant("bls12381 aggregate argument");
    constexpr bool g1 = std::is_same_v<Point, bls::G1>;
    Charges c(ctx);
    if (!c.add(base) || items->empty()) return bytes_and_flag({}, false, c);
    Point sum = Point::infinity();
    for (const Bytes* b : *items) {
      if (!c.add(per_deser)) return bytes_and_flag({}, false, c);
      std::optional<Point> p;
      if constexpr (g1) p = bls::g1_from_bytes(*b);
      else p = bls::g2_from_bytes(*b);
      if (!p) return bytes_and_flag({}, false, c);
      sum = sum + *p;
    }
    if (!c.add(per_add * items->size())) return bytes_and_flag({}, false, c);
    Bytes out(g1 ? bls::kG1Compressed : bls::kG2Compressed);
    if constexpr (g1) bls::g1_compress(sum, out.data());
    else bls::g2_compress(sum, out.data());
    return bytes_and_flag(std::move(out), true, c);
  };
}

}  // namespace

void register_bls12381(Registrar& r, const GasParameters& gp) {
  auto p = [&](const char* n) { return gp.native(std::string("aptos_framework.bls12381.") + n); };
  const Gas g{p("base"),          p("per_pubkey_deserialize"), p("per_pubkey_aggregate"), p("per_pubkey_subgroup_check"),
              p("per_sig_deserialize"), p("per_sig_aggregate"), p("per_sig_subgroup_check"), p("per_sig_verify"),
              p("per_pop_verify"), p("per_pairing"),          p("per_msg_hashing"),      p("per_byte_hashing")};

  r.add(1, "bls12381", "aggregate_pubkeys_internal", aggregate<bls::G1>(g.base, g.pk_deser, g.pk_aggregate));
  r.add(1, "bls12381", "aggregate_signatures_internal", aggregate<bls::G2>(g.base, g.sig_deser, g.sig_aggregate));
  // signature_subgroup_check_internal(vector<u8>): not the identity, in G2.
  r.add(1, "bls12381", "signature_subgroup_check_internal", [g](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* s = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!s) return invariant("signature_subgroup_check_internal argument");
    Charges c(ctx);
    if (!c.add(g.base) || !c.add(g.sig_deser)) return boolean(false, c);
    auto sig = bls::g2_from_bytes(*s);
    if (!sig || !c.add(g.sig_subgroup)) return boolean(false, c);
    return boolean(!sig->is_infinity() && bls::g2_in_subgroup(*sig), c);
  });
  // validate_pubkey_internal(vector<u8>): not the identity, in G1.
  r.add(1, "bls12381", "validate_pubkey_internal", [g](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* k = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!k) return invariant("validate_pubkey_internal argument");
    Charges c(ctx);
    if (!c.add(g.base) || !c.add(g.pk_deser)) return boolean(false, c);
    auto pk = bls::g1_from_bytes(*k);
    if (!pk || !c.add(g.pk_deser)) return boolean(false, c);  // sic (see verify_signature)
    return boolean(valid_pubkey(*pk), c);
  });
  // verify_aggregate_signature_internal(aggsig, vector<PublicKeyWithPoP>, vector<vector<u8>>)
  r.add(1, "bls12381", "verify_aggregate_signature_internal",
        [g](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
          const Bytes* s = a.size() == 3 ? bytes_of(a[0]) : nullptr;
          auto keys = a.size() == 3 ? struct_bytes(a[1]) : std::nullopt;
          auto msgs = a.size() == 3 ? vec_of_bytes(a[2]) : std::nullopt;
          if (!s || !keys || !msgs) return invariant("verify_aggregate_signature_internal arguments");
          Charges c(ctx);
          if (!c.add(g.base) || keys->size() != msgs->size()) return boolean(false, c);
          std::vector<bls::G1> pks;
          for (const Bytes* k : *keys) {
            if (!c.add(g.pk_deser)) return boolean(false, c);
            auto pk = bls::g1_from_bytes(*k);
            if (!pk) return boolean(false, c);
            pks.push_back(*pk);
          }
          if (!c.add(g.sig_deser)) return boolean(false, c);
          auto sig = bls::g2_from_bytes(*s);
          if (!sig) return boolean(false, c);
          uint64_t total = 0;
          for (auto m : *msgs) total += m.size();
          if (!c.add(g.pairing * (msgs->size() + 1) + g.msg_hashing * msgs->size() + g.byte_hashing * total))
            return boolean(false, c);
          return boolean(aggregate_verify(*sig, pks, *msgs, kSigDst, false), c);
        });
  r.add(1, "bls12381", "verify_multisignature_internal", verify_signature(g, false));
  r.add(1, "bls12381", "verify_normal_signature_internal", verify_signature(g, true));
  r.add(1, "bls12381", "verify_signature_share_internal", verify_signature(g, false));
  // verify_proof_of_possession_internal(pk, pop): the PoP signs the key's compressed bytes; the
  // key is validated (not the identity, in G1).
  r.add(1, "bls12381", "verify_proof_of_possession_internal",
        [g](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
          const Bytes* k = a.size() == 2 ? bytes_of(a[0]) : nullptr;
          const Bytes* s = a.size() == 2 ? bytes_of(a[1]) : nullptr;
          if (!k || !s) return invariant("verify_proof_of_possession_internal arguments");
          Charges c(ctx);
          if (!c.add(g.base) || !c.add(g.pk_deser)) return boolean(false, c);
          auto pk = bls::g1_from_bytes(*k);
          if (!pk || !c.add(g.sig_deser)) return boolean(false, c);
          auto pop = bls::g2_from_bytes(*s);
          if (!pop || !c.add(g.pop_verify)) return boolean(false, c);
          uint8_t compressed[bls::kG1Compressed];
          bls::g1_compress(*pk, compressed);
          BytesView m(compressed, sizeof compressed);
          return boolean(aggregate_verify(*pop, std::span(&*pk, 1), std::span(&m, 1), kPopDst, true), c);
        });
}

}  // namespace lumio::movevm::natives
