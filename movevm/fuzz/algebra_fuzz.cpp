// libFuzzer target for the crypto_algebra decoders: the first byte picks a (structure, format)
// pair, the rest is decoded. Any input decodes or is rejected cleanly; what decodes
// re-serializes to the same bytes, and points go through a pairing / scalar multiplication.
#include <cstdlib>

#include "movevm/natives_algebra.hpp"
#include "movevm/natives_aptos.hpp"

using namespace lumio;
using namespace lumio::movevm;

namespace {

struct Pair {
  const char* structure;
  const char* format;
};
const Pair kPairs[] = {
    {"0x1::bls12381_algebra::Fr", "0x1::bls12381_algebra::FormatFrLsb"},
    {"0x1::bls12381_algebra::Fr", "0x1::bls12381_algebra::FormatFrMsb"},
    {"0x1::bls12381_algebra::Fq12", "0x1::bls12381_algebra::FormatFq12LscLsb"},
    {"0x1::bls12381_algebra::G1", "0x1::bls12381_algebra::FormatG1Compr"},
    {"0x1::bls12381_algebra::G1", "0x1::bls12381_algebra::FormatG1Uncompr"},
    {"0x1::bls12381_algebra::G2", "0x1::bls12381_algebra::FormatG2Compr"},
    {"0x1::bls12381_algebra::G2", "0x1::bls12381_algebra::FormatG2Uncompr"},
    {"0x1::bls12381_algebra::Gt", "0x1::bls12381_algebra::FormatGt"},
    {"0x1::bn254_algebra::Fr", "0x1::bn254_algebra::FormatFrLsb"},
    {"0x1::bn254_algebra::Fq", "0x1::bn254_algebra::FormatFqMsb"},
    {"0x1::bn254_algebra::Fq12", "0x1::bn254_algebra::FormatFq12LscLsb"},
    {"0x1::bn254_algebra::G1", "0x1::bn254_algebra::FormatG1Compr"},
    {"0x1::bn254_algebra::G1", "0x1::bn254_algebra::FormatG1Uncompr"},
    {"0x1::bn254_algebra::G2", "0x1::bn254_algebra::FormatG2Compr"},
    {"0x1::bn254_algebra::G2", "0x1::bn254_algebra::FormatG2Uncompr"},
    {"0x1::bn254_algebra::Gt", "0x1::bn254_algebra::FormatGt"},
};

// Struct types named by index (the natives only ask for their tags); both curves enabled.
class Context final : public NativeContext, public ResourceAccess {
 public:
  Context() {
    FeatureFlags f;
    f.bits.assign(8, 0);
    f.bits[13 / 8] |= 1 << (13 % 8);
    f.bits[43 / 8] |= 1 << (43 % 8);
    ext_.add(std::make_shared<FeatureFlags>(f));
  }
  Type type(const char* name) {
    Type t;
    t.kind = TypeKind::Struct;
    t.index = uint16_t(names_.size());
    names_.push_back(name);
    return t;
  }
  GasMeter& gas() override { return meter_; }
  NativeExtensions& extensions() override { return ext_; }
  ResourceAccess& resources() override { return *this; }
  Expected<TypeLayout> layout_of(const Type&) override { return fail(); }
  Expected<TypeTag> type_tag_of(const Type& t) override { return *parse_type_tag(names_.at(t.index)); }
  Expected<Type> type_of(const TypeTag&) override { return fail(); }
  Expected<bool> exists(const AccountAddress&, const Type&) override { return false; }
  Expected<Value> borrow_global(const AccountAddress&, const Type&, bool) override { return fail(); }
  std::optional<VMError> move_to(const AccountAddress&, const Type&, Value) override { return fail(); }
  Expected<Value> move_from(const AccountAddress&, const Type&) override { return fail(); }

 private:
  static VMError fail() { return VMError{StatusCode::MISSING_DATA, "", {}, {}}; }
  std::vector<std::string> names_;
  UnmeteredGasMeter meter_;
  NativeExtensions ext_;
};

const NativeRegistry& registry() {
  static const GasParameters gas{GasSchedule{}};
  static const NativeRegistry r = [] {
    NativeRegistry r;
    if (register_all_natives(r, gas)) std::abort();
    return r;
  }();
  return r;
}

Expected<NativeResult> call(Context& ctx, const char* name, std::vector<Type> tys, std::vector<Value> args) {
  const NativeFunction* f = registry().find(address_from_u64(1), "crypto_algebra", name);
  if (!f) std::abort();
  return (*f)(ctx, tys, args);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Pair& p = kPairs[data[0] % (sizeof kPairs / sizeof kPairs[0])];
  Bytes in(data + 1, data + size);
  Context ctx;
  Type s = ctx.type(p.structure), f = ctx.type(p.format);
  auto r = call(ctx, "deserialize_internal", {s, f}, {make_vec_u8(in)});
  if (!r || r->aborted || r->values.size() != 2) std::abort();
  if (!r->values[0].b) return 0;
  uint64_t h = r->values[1].u64;
  // Encodings need not be canonical (arkworks ignores the sign flag of an uncompressed BN254
  // point, and the x of an infinity): re-encoding decodes to the same element and is stable.
  auto out = call(ctx, "serialize_internal", {s, f}, {Value::u64v(h)});
  if (!out || out->aborted) std::abort();
  Bytes canonical = out->values.at(0).c->bytes;
  auto again = call(ctx, "deserialize_internal", {s, f}, {make_vec_u8(canonical)});
  if (!again || again->aborted || !again->values.at(0).b) std::abort();
  auto equal = call(ctx, "eq_internal", {s}, {Value::u64v(h), again->values.at(1)});
  if (!equal || equal->aborted || !equal->values.at(0).b) std::abort();
  auto out2 = call(ctx, "serialize_internal", {s, f}, {again->values.at(1)});
  if (!out2 || out2->values.at(0).c->bytes != canonical) std::abort();
  // Group elements: [2]x == x + x.
  auto dbl = call(ctx, "double_internal", {s}, {Value::u64v(h)});
  if (dbl && !dbl->aborted) {
    auto sum = call(ctx, "add_internal", {s}, {Value::u64v(h), Value::u64v(h)});
    if (!sum || sum->aborted) std::abort();
    auto same = call(ctx, "eq_internal", {s}, {dbl->values.at(0), sum->values.at(0)});
    if (!same || !same->values.at(0).b) std::abort();
  }
  return 0;
}
