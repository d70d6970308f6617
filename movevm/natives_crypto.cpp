// Signature natives. secp256k1::ecdsa_recover_internal over libsecp256k1 (common/secp256k1).
// ed25519 / multi_ed25519 need point decompression and the small-order checks of
// ed25519-dalek's verify_strict, which Lumio's linked libraries do not expose to the Move VM
// yet: they are not registered, so a call reports MISSING_DEPENDENCY instead of a guess.
#include "common/secp256k1.hpp"
#include "movevm/natives_internal.hpp"

namespace lumio::movevm::natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

constexpr uint64_t kDeserialize = 0x01'0001;  // NFE_DESERIALIZE of aptos secp256k1 natives

}  // namespace

void register_crypto(Registrar& r, const GasParameters& g) {
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
