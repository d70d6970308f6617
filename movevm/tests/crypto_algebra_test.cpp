// 0x1::crypto_algebra natives: field and group laws, arkworks encodings (published generator
// encodings, Aptos's Gt generators and orders), pairing bilinearity, Aptos's abort codes and
// gas, the element-memory limit; then the genuine framework on the v10 genesis.
#include <gmp.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives_algebra.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/genesis_chain.hpp"

namespace lumio::movevm {
namespace {

constexpr uint64_t kNotImplemented = 0x0C'0001;

Bytes hex(std::string_view h) { return *from_hex(h); }

// A context whose struct types are named by index (the natives only ask for type tags), with
// the algebra feature flags set as a test chooses.
class AlgebraContext final : public NativeContext, public ResourceAccess {
 public:
  // `flags` false: no FeatureFlags extension, so the natives look for 0x1::features::Features
  // in the state, which this context does not have (every structure is then disabled).
  explicit AlgebraContext(bool bls = true, bool bn = true, bool flags = true) {
    if (!flags) return;
    FeatureFlags f;
    f.bits.assign(8, 0);
    if (bls) f.bits[13 / 8] |= 1 << (13 % 8);
    if (bn) f.bits[43 / 8] |= 1 << (43 % 8);
    ext_.add(std::make_shared<FeatureFlags>(f));
  }
  Type type(const std::string& name) {
    Type t;
    t.kind = TypeKind::Struct;
    t.index = uint16_t(names_.size());
    names_.push_back(name);
    return t;
  }
  GasMeter& gas() override { return meter_; }
  NativeExtensions& extensions() override { return ext_; }
  ResourceAccess& resources() override { return *this; }
  Expected<TypeLayout> layout_of(const Type&) override { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "", {}, {}}; }
  Expected<TypeTag> type_tag_of(const Type& t) override {
    if (t.kind == TypeKind::U64) return *parse_type_tag("u64");
    return *parse_type_tag(names_.at(t.index));
  }
  Expected<Type> type_of(const TypeTag&) override { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "", {}, {}}; }
  Expected<bool> exists(const AccountAddress&, const Type&) override { return false; }
  Expected<Value> borrow_global(const AccountAddress&, const Type&, bool) override { return VMError{StatusCode::MISSING_DATA, "", {}, {}}; }
  std::optional<VMError> move_to(const AccountAddress&, const Type&, Value) override { return std::nullopt; }
  Expected<Value> move_from(const AccountAddress&, const Type&) override { return VMError{StatusCode::MISSING_DATA, "", {}, {}}; }

 private:
  std::vector<std::string> names_;
  UnmeteredGasMeter meter_;
  NativeExtensions ext_;
};

class CryptoAlgebra : public test_util::V10Suite {
 protected:
  AlgebraContext ctx_;
  std::map<std::string, Type> types_;

  Type T(const std::string& s) {
    std::string full = s.find("::") == std::string::npos ? "0x1::bls12381_algebra::" + s : s;
    auto it = types_.find(full);
    if (it == types_.end()) it = types_.emplace(full, ctx_.type(full)).first;
    return it->second;
  }
  static std::string bn(const std::string& s) { return "0x1::bn254_algebra::" + s; }

  Expected<NativeResult> call(const char* name, std::vector<Type> tys, std::vector<Value> args, NativeContext* c = nullptr) {
    const NativeFunction* f = registry_->find(address_from_u64(1), "crypto_algebra", name);
    if (!f) return VMError{StatusCode::MISSING_DEPENDENCY, name, {}, {}};
    return (*f)(c ? *c : ctx_, tys, args);
  }
  // A native that returns one handle.
  uint64_t h(const char* name, std::vector<Type> tys, std::vector<Value> args = {}) {
    auto r = call(name, std::move(tys), std::move(args));
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return ~0ull;
    EXPECT_FALSE(r->aborted) << name << " aborted " << r->abort_code;
    if (r->aborted || r->values.empty()) return ~0ull;
    return r->values.back().u64;
  }
  static Value u(uint64_t v) { return Value::u64v(v); }
  static Value handles(std::vector<uint64_t> v) {
    std::vector<Value> e;
    for (auto x : v) e.push_back(u(x));
    return make_vector(std::move(e));
  }
  uint64_t from_u64(const std::string& s, uint64_t v) { return h("from_u64_internal", {T(s)}, {u(v)}); }
  bool eq(const std::string& s, uint64_t a, uint64_t b) {
    auto r = call("eq_internal", {T(s)}, {u(a), u(b)});
    EXPECT_TRUE(r.ok() && !r->aborted);
    return r.ok() && !r->aborted && r->values.at(0).b;
  }
  Bytes ser(const std::string& s, const std::string& fmt, uint64_t a) {
    auto r = call("serialize_internal", {T(s), T(fmt)}, {u(a)});
    EXPECT_TRUE(r.ok() && !r->aborted);
    if (!r.ok() || r->aborted) return {};
    return r->values.at(0).c->bytes;
  }
  std::optional<uint64_t> deser(const std::string& s, const std::string& fmt, const Bytes& b) {
    auto r = call("deserialize_internal", {T(s), T(fmt)}, {make_vec_u8(b)});
    EXPECT_TRUE(r.ok() && !r->aborted);
    if (!r.ok() || r->aborted || !r->values.at(0).b) return std::nullopt;
    return r->values.at(1).u64;
  }
  uint64_t abort_code(const char* name, std::vector<Type> tys, std::vector<Value> args = {}, NativeContext* c = nullptr) {
    auto r = call(name, std::move(tys), std::move(args), c);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.ok() && r->aborted) << name;
    return r.ok() && r->aborted ? r->abort_code : 0;
  }
  uint64_t p(const std::string& name) { return params_->native("aptos_framework.algebra." + name); }
};

// Published encodings: BLS12-381 generators (ZCash), BN254 generators (arkworks, little-endian).
const char* kBlsG1Compr = "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
const char* kBlsG1Uncompr =
    "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"
    "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1";
const char* kBlsG2Compr =
    "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
    "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";
const char* kBlsG2Uncompr =
    "13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
    "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
    "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be"
    "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801";
// Aptos's orders (little-endian): BLS12-381 r and q^12, BN254 q^12.
const char* kBlsR = "01000000fffffffffe5bfeff02a4bd5305d8a10908d83933487d9d2953a7ed73";
const char* kBlsQ12 =
    "1175f55da544c7625f8ccb1360e2b1d3ca40747811c8f5ed04440afe232b476c0215676aec05f2a44ac2da6b6d1b7cff075e7b2a587e0a"
    "ab601a8d3db4f0d29906e5e4d0d78119f396d5a59f0f8d1ca8bca62540be6ab9c12d0ca00de1f311f106278d000e55a393c9766a74e0d0"
    "8a298450f60d7e666575e3354bf14b8731f4e721c0c180a5ed55c2f8f51f815baecbf96b5fc717eb58ac161a27d1d5f2bdc1a079609b9d"
    "6449165b2466b32a01eac7992a1ea0cac2f223cde1d56f9bbccc67afe44621daf858df3fc0eb837818f3e42ab3e131ce4e492efa63c108"
    "e6ef91c29ed63b3045baebcb0ab8d203c7f558beaffccba31b12aca7f54b58d0c28340e4fdb3c7c94fe9c4fef9d640ff2fcff02f174841"
    "6cbed0981fbff49f0e39eaf8a30273e67ed851944d33d6a593ef5ddcd62da84568822a6045b633bf6a513b3cfe8f9de13e76f8dcbd9159"
    "80dec205eab6a5c0c72dcebd9afff1d25509ddbf33f8e24131fbd74cda93336514340cf8036b66b09ed9e6a6ac37e22fb3ac407e321bea"
    "e8cd9fe74c8aaeb4edaa9a7272848fc623f6fe835a2e647379f547fc5ec6371318a85bfa60009cb20ccbb8a467492988a87633c14c0324"
    "ba0d0c3e1798ed29c8494cea35023746da05e35d184b4a301d5b2238d665495c6318b5af8653758008952d06cb9e62487b196d64383c73"
    "c06d6e1cccdf9b3ce8f95679e7050d949004a55f4ccf95b2552880ae36d1f7e09504d2338316d87d14a064511a295d768113e301bdf9d4"
    "383a8be32192d3f2f3b2de14181c73839a7cb4af5301";
const char* kBnQ12 =
    "21f186cad2e2d4c1dbaf8a066b0ebf41f734e3f859b1c523a6c1f4d457413fdbe3cd44add090135d3ae519acc30ee3bdb6bfac6573b767"
    "e975b18a77d53cdcddebf3672c74da9d1409d51b2b2db7ff000d59e3aa7cf09220159f925c86b65459ca6558c4eaa703bf45d85030ff85"
    "cc6a879c7e2c4034f7045faf20e4d3dcfffac5eb6634c3e7b939b69b2be70bdf6b9a4680297839b4e3a48cd746bd4d0ea82749ffb7e71b"
    "d9b3fb10aa684d71e6adab1250b1d8604d91b51c76c256a50b60ddba2f52b6cc853ac926c6ea86d09d400b2f2330e5c8e92e38905ba50a"
    "50c9e11cd979c284bf1327ccdc051a6da1a4a7eac5cec16757a27a1a2311bedd108a9b21ac0814269e7523a5dd3a1f5f4767ffe504a6cb"
    "3994fb0ec98d5cd5da00b9cb1188a85f2aa871ecb8a0f9d64141f1ccd2699c138e0ef9ac4d8d6a692b29db0f38b60eb08426ab46109fba"
    "b9a5221bb44dd338aafebcc4e6c10dd933597f3ff44ba41d04e82871447f3a759cfa9397c22c0c77f13618dfb65adc8aacf008";

TEST_F(CryptoAlgebra, FieldLaws) {
  for (std::string f : {std::string("Fr"), std::string("Fq12"), bn("Fr"), bn("Fq"), bn("Fq12")}) {
    SCOPED_TRACE(f);
    uint64_t a = from_u64(f, 7), b = from_u64(f, 5), zero = h("zero_internal", {T(f)}), one = h("one_internal", {T(f)});
    EXPECT_TRUE(eq(f, h("add_internal", {T(f)}, {u(a), u(b)}), from_u64(f, 12)));
    EXPECT_TRUE(eq(f, h("sub_internal", {T(f)}, {u(a), u(b)}), from_u64(f, 2)));
    EXPECT_TRUE(eq(f, h("mul_internal", {T(f)}, {u(a), u(b)}), from_u64(f, 35)));
    EXPECT_TRUE(eq(f, h("sqr_internal", {T(f)}, {u(a)}), from_u64(f, 49)));
    EXPECT_TRUE(eq(f, h("add_internal", {T(f)}, {u(a), u(h("neg_internal", {T(f)}, {u(a)}))}), zero));
    EXPECT_TRUE(eq(f, from_u64(f, 1), one));
    EXPECT_FALSE(eq(f, a, b));
    // b - a = -(a - b); (a / b) * b = a; a * a^-1 = 1.
    EXPECT_TRUE(eq(f, h("sub_internal", {T(f)}, {u(b), u(a)}), h("neg_internal", {T(f)}, {u(from_u64(f, 2))})));
    uint64_t q = h("div_internal", {T(f)}, {u(a), u(b)});
    EXPECT_TRUE(eq(f, h("mul_internal", {T(f)}, {u(q), u(b)}), a));
    EXPECT_TRUE(eq(f, h("mul_internal", {T(f)}, {u(a), u(h("inv_internal", {T(f)}, {u(a)}))}), one));
    // Division by zero and the inverse of zero: (false, 0), charged the eq / inv step only.
    auto d = call("div_internal", {T(f)}, {u(a), u(zero)});
    ASSERT_TRUE(d.ok() && !d->aborted);
    EXPECT_FALSE(d->values.at(0).b);
    auto i = call("inv_internal", {T(f)}, {u(zero)});
    ASSERT_TRUE(i.ok() && !i->aborted);
    EXPECT_FALSE(i->values.at(0).b);
    // Group operations a field does not have.
    EXPECT_EQ(abort_code("double_internal", {T(f)}, {u(a)}), kNotImplemented);
  }
}

TEST_F(CryptoAlgebra, GroupLaws) {
  for (auto [g, fr] : {std::pair{std::string("G1"), std::string("Fr")}, {std::string("G2"), std::string("Fr")},
                       {std::string("Gt"), std::string("Fr")}, {bn("G1"), bn("Fr")}, {bn("G2"), bn("Fr")},
                       {bn("Gt"), bn("Fr")}}) {
    SCOPED_TRACE(g);
    uint64_t gen = h("one_internal", {T(g)}), zero = h("zero_internal", {T(g)});
    auto times = [&](uint64_t k) { return h("scalar_mul_internal", {T(g), T(fr)}, {u(gen), u(from_u64(fr, k))}); };
    EXPECT_TRUE(eq(g, h("add_internal", {T(g)}, {u(gen), u(gen)}), times(2)));
    EXPECT_TRUE(eq(g, h("double_internal", {T(g)}, {u(gen)}), times(2)));
    EXPECT_TRUE(eq(g, h("add_internal", {T(g)}, {u(times(3)), u(times(4))}), times(7)));
    EXPECT_TRUE(eq(g, h("sub_internal", {T(g)}, {u(times(3)), u(times(5))}), h("neg_internal", {T(g)}, {u(times(2))})));
    EXPECT_TRUE(eq(g, h("add_internal", {T(g)}, {u(gen), u(zero)}), gen));
    EXPECT_TRUE(eq(g, h("add_internal", {T(g)}, {u(gen), u(h("neg_internal", {T(g)}, {u(gen)}))}), zero));
    EXPECT_FALSE(eq(g, gen, zero));
    // [r]G = 0: r - 1 as a scalar is -1.
    uint64_t minus_one = h("neg_internal", {T(fr)}, {u(from_u64(fr, 1))});
    EXPECT_TRUE(eq(g, h("scalar_mul_internal", {T(g), T(fr)}, {u(gen), u(minus_one)}), h("neg_internal", {T(g)}, {u(gen)})));
    // Field-only operations abort.
    EXPECT_EQ(abort_code("mul_internal", {T(g)}, {u(gen), u(gen)}), kNotImplemented);
    EXPECT_EQ(abort_code("from_u64_internal", {T(g)}, {u(1)}), kNotImplemented);
    EXPECT_EQ(abort_code("inv_internal", {T(g)}, {u(gen)}), kNotImplemented);
    if (g.find("Gt") == std::string::npos) {
      // MSM = sum of scalar products.
      uint64_t msm = h("multi_scalar_mul_internal", {T(g), T(fr)},
                       {handles({gen, times(2), zero}), handles({from_u64(fr, 3), from_u64(fr, 5), from_u64(fr, 9)})});
      EXPECT_TRUE(eq(g, msm, times(13)));
      // 40 entries (window 6) with full-size scalars: the sum of the products.
      std::vector<uint64_t> xs, ks;
      uint64_t expect = zero, k = h("neg_internal", {T(fr)}, {u(from_u64(fr, 12345))});
      for (uint64_t i = 0; i < 40; ++i) {
        xs.push_back(times(i + 1));
        k = h("mul_internal", {T(fr)}, {u(k), u(k)});
        ks.push_back(i == 7 ? from_u64(fr, 0) : k);
        expect = h("add_internal", {T(g)}, {u(expect), u(h("scalar_mul_internal", {T(g), T(fr)}, {u(xs.back()), u(ks.back())}))});
      }
      EXPECT_TRUE(eq(g, h("multi_scalar_mul_internal", {T(g), T(fr)}, {handles(xs), handles(ks)}), expect));
      EXPECT_EQ(abort_code("multi_scalar_mul_internal", {T(g), T(fr)}, {handles({gen}), handles({})}), 0x01'0002u);
    } else {
      EXPECT_EQ(abort_code("multi_scalar_mul_internal", {T(g), T(fr)}, {handles({gen}), handles({minus_one})}),
                kNotImplemented);
    }
  }
  // A scalar of the other curve.
  EXPECT_EQ(abort_code("scalar_mul_internal", {T("G1"), T(bn("Fr"))}, {u(0), u(0)}), kNotImplemented);
}

TEST_F(CryptoAlgebra, Encodings) {
  // Generators as published (ZCash for BLS12-381; arkworks little-endian for BN254).
  uint64_t g1 = h("one_internal", {T("G1")}), g2 = h("one_internal", {T("G2")});
  EXPECT_EQ(to_hex(ser("G1", "FormatG1Compr", g1), false), kBlsG1Compr);
  EXPECT_EQ(to_hex(ser("G1", "FormatG1Uncompr", g1), false), kBlsG1Uncompr);
  EXPECT_EQ(to_hex(ser("G2", "FormatG2Compr", g2), false), kBlsG2Compr);
  EXPECT_EQ(to_hex(ser("G2", "FormatG2Uncompr", g2), false), kBlsG2Uncompr);
  Bytes bn_g1(64, 0);
  bn_g1[0] = 1, bn_g1[32] = 2;
  uint64_t n1 = h("one_internal", {T(bn("G1"))});
  EXPECT_EQ(ser(bn("G1"), bn("FormatG1Uncompr"), n1), bn_g1);
  EXPECT_EQ(ser(bn("G1"), bn("FormatG1Compr"), n1), Bytes(bn_g1.begin(), bn_g1.begin() + 32));
  // -G has the larger y: the flag bit (BN254: 0x80 in the last byte; uncompressed too).
  uint64_t neg = h("neg_internal", {T(bn("G1"))}, {u(n1)});
  Bytes c = ser(bn("G1"), bn("FormatG1Compr"), neg);
  EXPECT_EQ(c.back(), 0x80);
  EXPECT_EQ(ser(bn("G1"), bn("FormatG1Uncompr"), neg).back() & 0xc0, 0x80);
  // Infinity.
  Bytes inf_c(48, 0), inf_u(96, 0);
  inf_c[0] = 0xc0, inf_u[0] = 0x40;
  EXPECT_EQ(ser("G1", "FormatG1Compr", h("zero_internal", {T("G1")})), inf_c);
  EXPECT_EQ(ser("G1", "FormatG1Uncompr", h("zero_internal", {T("G1")})), inf_u);
  Bytes bn_inf(32, 0);
  bn_inf[31] = 0x40;
  EXPECT_EQ(ser(bn("G1"), bn("FormatG1Compr"), h("zero_internal", {T(bn("G1"))})), bn_inf);

  // Round trips in every format, for several multiples (both signs of y).
  struct Case { std::string s, fr; std::vector<std::string> fmts; };
  std::vector<Case> cases = {
      {"G1", "Fr", {"FormatG1Compr", "FormatG1Uncompr"}},
      {"G2", "Fr", {"FormatG2Compr", "FormatG2Uncompr"}},
      {"Gt", "Fr", {"FormatGt"}},
      {bn("G1"), bn("Fr"), {bn("FormatG1Compr"), bn("FormatG1Uncompr")}},
      {bn("G2"), bn("Fr"), {bn("FormatG2Compr"), bn("FormatG2Uncompr")}},
      {bn("Gt"), bn("Fr"), {bn("FormatGt")}}};
  for (const auto& cs : cases) {
    uint64_t gen = h("one_internal", {T(cs.s)});
    for (uint64_t k : {0ull, 1ull, 2ull, 12345ull, 0xffffffffffffffffull}) {
      uint64_t x = h("scalar_mul_internal", {T(cs.s), T(cs.fr)}, {u(gen), u(from_u64(cs.fr, k))});
      x = h("neg_internal", {T(cs.s)}, {u(k % 2 ? x : h("neg_internal", {T(cs.s)}, {u(x)}))});
      for (const auto& f : cs.fmts) {
        SCOPED_TRACE(cs.s + " " + f + " " + std::to_string(k));
        Bytes b = ser(cs.s, f, x);
        auto back = deser(cs.s, f, b);
        ASSERT_TRUE(back);
        EXPECT_TRUE(eq(cs.s, *back, x));
        EXPECT_EQ(ser(cs.s, f, *back), b);
        // Wrong lengths are rejected before parsing, free of charge.
        Bytes longer = b;
        longer.push_back(0);
        auto r = call("deserialize_internal", {T(cs.s), T(f)}, {make_vec_u8(longer)});
        ASSERT_TRUE(r.ok() && !r->aborted);
        EXPECT_FALSE(r->values.at(0).b);
        EXPECT_EQ(r->cost, 0u);
      }
    }
  }

  // Fields: little-endian, Msb reversed; the modulus itself is not canonical.
  uint64_t x = from_u64("Fr", 0x0102);
  Bytes lsb = ser("Fr", "FormatFrLsb", x), msb = ser("Fr", "FormatFrMsb", x);
  EXPECT_EQ(lsb.size(), 32u);
  EXPECT_EQ(lsb[0], 0x02);
  EXPECT_EQ(lsb[1], 0x01);
  EXPECT_EQ(Bytes(msb.rbegin(), msb.rend()), lsb);
  EXPECT_FALSE(deser("Fr", "FormatFrLsb", hex(kBlsR)));
  Bytes r_minus_1 = hex(kBlsR);
  r_minus_1[0] = 0;
  auto m1 = deser("Fr", "FormatFrLsb", r_minus_1);
  ASSERT_TRUE(m1);
  EXPECT_TRUE(eq("Fr", *m1, h("neg_internal", {T("Fr")}, {u(from_u64("Fr", 1))})));
  Bytes fq12_one(576, 0);
  fq12_one[0] = 1;
  EXPECT_EQ(ser("Fq12", "FormatFq12LscLsb", h("one_internal", {T("Fq12")})), fq12_one);
  EXPECT_EQ(ser(bn("Fq"), bn("FormatFqMsb"), from_u64(bn("Fq"), 3)).back(), 3);
  // A structure/format mismatch aborts.
  EXPECT_EQ(abort_code("serialize_internal", {T("G1"), T("FormatG2Compr")}, {u(g1)}), kNotImplemented);
  EXPECT_EQ(abort_code("deserialize_internal", {T("Fr"), T(bn("FormatFrLsb"))}, {make_vec_u8(lsb)}), kNotImplemented);
}

TEST_F(CryptoAlgebra, InvalidEncodingsRejected) {
  Bytes g1c = hex(kBlsG1Compr), g1u = hex(kBlsG1Uncompr);
  EXPECT_TRUE(deser("G1", "FormatG1Compr", g1c));
  EXPECT_TRUE(deser("G1", "FormatG1Uncompr", g1u));
  Bytes b = g1c;
  b[0] &= 0x7f;  // compressed bytes without the compression flag
  EXPECT_FALSE(deser("G1", "FormatG1Compr", b));
  b = g1u;
  b[0] |= 0x80;  // uncompressed with the compression flag
  EXPECT_FALSE(deser("G1", "FormatG1Uncompr", b));
  b = g1u;
  b[0] |= 0x20;  // sort flag on an uncompressed point
  EXPECT_FALSE(deser("G1", "FormatG1Uncompr", b));
  b = g1u;
  b[95] ^= 1;  // off the curve
  EXPECT_FALSE(deser("G1", "FormatG1Uncompr", b));
  Bytes inf(48, 0);
  inf[0] = 0xe0;  // infinity with the sort flag
  EXPECT_FALSE(deser("G1", "FormatG1Compr", inf));
  inf[0] = 0xc0, inf[47] = 1;  // infinity with a non-zero x
  EXPECT_FALSE(deser("G1", "FormatG1Compr", inf));
  inf[47] = 0;
  EXPECT_TRUE(deser("G1", "FormatG1Compr", inf));
  // (0, 2) is on y^2 = x^3 + 4 but has order 3: not in G1.
  Bytes order3(96, 0);
  order3[95] = 2;
  EXPECT_FALSE(deser("G1", "FormatG1Uncompr", order3));
  Bytes x0(48, 0);
  x0[0] = 0x80;
  EXPECT_FALSE(deser("G1", "FormatG1Compr", x0));
  x0[0] = 0xa0;
  EXPECT_FALSE(deser("G1", "FormatG1Compr", x0));
  // x = p is not canonical.
  Bytes xp = hex("9a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab");
  EXPECT_FALSE(deser("G1", "FormatG1Compr", xp));
  // BN254: both flags set; a non-canonical x; a point off the curve.
  Bytes n(32, 0);
  n[0] = 1, n[31] = 0xc0;
  EXPECT_FALSE(deser(bn("G1"), bn("FormatG1Compr"), n));
  Bytes nu(64, 0);
  nu[0] = 1, nu[32] = 3;
  EXPECT_FALSE(deser(bn("G1"), bn("FormatG1Uncompr"), nu));
  nu[32] = 2;
  EXPECT_TRUE(deser(bn("G1"), bn("FormatG1Uncompr"), nu));
  nu[31] = 0x80;  // top bit of x (EmptyFlags)
  EXPECT_FALSE(deser(bn("G1"), bn("FormatG1Uncompr"), nu));
  // Gt: an Fq12 element outside the r-torsion.
  uint64_t two = from_u64("Fq12", 2);
  Bytes not_gt = ser("Fq12", "FormatFq12LscLsb", two);
  EXPECT_FALSE(deser("Gt", "FormatGt", not_gt));
  EXPECT_TRUE(deser("Fq12", "FormatFq12LscLsb", not_gt));
  Bytes bad = not_gt;
  bad[575] = 0xff;  // a coefficient >= p
  EXPECT_FALSE(deser("Fq12", "FormatFq12LscLsb", bad));
}

TEST_F(CryptoAlgebra, PairingMatchesAptosGeneratorsAndIsBilinear) {
  for (std::string c : {std::string("0x1::bls12381_algebra::"), std::string("0x1::bn254_algebra::")}) {
    SCOPED_TRACE(c);
    auto t = [&](const char* s) { return T(c + s); };
    uint64_t p = h("one_internal", {t("G1")}), q = h("one_internal", {t("G2")});
    uint64_t e = h("pairing_internal", {t("G1"), t("G2"), t("Gt")}, {u(p), u(q)});
    // one<Gt>() is Aptos's constant e(G1, G2).
    EXPECT_TRUE(eq(c + "Gt", e, h("one_internal", {t("Gt")})));
    EXPECT_FALSE(eq(c + "Gt", e, h("zero_internal", {t("Gt")})));
    auto fr = [&](uint64_t v) { return from_u64(c + "Fr", v); };
    uint64_t a = fr(1234567), b = fr(7654321);
    uint64_t ap = h("scalar_mul_internal", {t("G1"), t("Fr")}, {u(p), u(a)});
    uint64_t bq = h("scalar_mul_internal", {t("G2"), t("Fr")}, {u(q), u(b)});
    uint64_t lhs = h("pairing_internal", {t("G1"), t("G2"), t("Gt")}, {u(ap), u(bq)});
    uint64_t ab = h("mul_internal", {t("Fr")}, {u(a), u(b)});
    uint64_t rhs = h("scalar_mul_internal", {t("Gt"), t("Fr")}, {u(e), u(ab)});
    EXPECT_TRUE(eq(c + "Gt", lhs, rhs));
    // e(P, 0) = 1; multi_pairing = product; e(aP, Q) e(-P, aQ) = 1.
    uint64_t z = h("pairing_internal", {t("G1"), t("G2"), t("Gt")}, {u(p), u(h("zero_internal", {t("G2")}))});
    EXPECT_TRUE(eq(c + "Gt", z, h("zero_internal", {t("Gt")})));
    uint64_t m = h("multi_pairing_internal", {t("G1"), t("G2"), t("Gt")}, {handles({p, ap}), handles({q, bq})});
    EXPECT_TRUE(eq(c + "Gt", m, h("add_internal", {t("Gt")}, {u(e), u(lhs)})));
    uint64_t aq = h("scalar_mul_internal", {t("G2"), t("Fr")}, {u(q), u(a)});
    uint64_t one = h("multi_pairing_internal", {t("G1"), t("G2"), t("Gt")},
                     {handles({ap, h("neg_internal", {t("G1")}, {u(p)})}), handles({q, aq})});
    EXPECT_TRUE(eq(c + "Gt", one, h("zero_internal", {t("Gt")})));
    EXPECT_EQ(abort_code("multi_pairing_internal", {t("G1"), t("G2"), t("Gt")}, {handles({p}), handles({})}), 0x01'0002u);
    // The Gt element is in Fq12 (upcast keeps the handle); downcast checks the r-torsion.
    auto up = call("upcast_internal", {t("Gt"), t("Fq12")}, {u(e)});
    ASSERT_TRUE(up.ok() && !up->aborted);
    EXPECT_EQ(up->values.at(0).u64, e);
    auto down = call("downcast_internal", {t("Fq12"), t("Gt")}, {u(e)});
    ASSERT_TRUE(down.ok() && !down->aborted);
    EXPECT_TRUE(down->values.at(0).b);
    auto bad = call("downcast_internal", {t("Fq12"), t("Gt")}, {u(from_u64(c + "Fq12", 2))});
    ASSERT_TRUE(bad.ok() && !bad->aborted);
    EXPECT_FALSE(bad->values.at(0).b);
  }
  // Mixed curves.
  EXPECT_EQ(abort_code("pairing_internal", {T("G1"), T(bn("G2")), T("Gt")}, {u(0), u(0)}), kNotImplemented);
}

TEST_F(CryptoAlgebra, OrdersAndGas) {
  auto order = [&](const std::string& s) {
    auto r = call("order_internal", {T(s)}, {});
    EXPECT_TRUE(r.ok() && !r->aborted);
    return to_hex(r->values.at(0).c->bytes, false);
  };
  EXPECT_EQ(order("Fr"), kBlsR);
  EXPECT_EQ(order("G2"), kBlsR);
  EXPECT_EQ(order("Fq12"), kBlsQ12);
  EXPECT_EQ(order(bn("Fq12")), kBnQ12);
  EXPECT_EQ(order(bn("Fr")), "010000f093f5e1439170b97948e833285d588181b64550b829a031e1724e6430");
  EXPECT_EQ(order(bn("Fq")), "47fd7cd8168c203c8dca7168916a81975d588181b64550b829a031e1724e6430");
  // Costs as the schedule names them.
  uint64_t a = from_u64("Fr", 1);
  auto r = call("add_internal", {T("Fr")}, {u(a), u(a)});
  EXPECT_EQ(r->cost, p("ark_bls12_381_fr_add"));
  r = call("add_internal", {T("Gt")}, {u(h("one_internal", {T("Gt")})), u(h("one_internal", {T("Gt")}))});
  EXPECT_EQ(r->cost, p("ark_bls12_381_fq12_mul"));
  r = call("serialize_internal", {T("G1"), T("FormatG1Compr")}, {u(h("one_internal", {T("G1")}))});
  EXPECT_EQ(r->cost, p("ark_bls12_381_g1_proj_to_affine") + p("ark_bls12_381_g1_affine_serialize_comp"));
  r = call("pairing_internal", {T(bn("G1")), T(bn("G2")), T(bn("Gt"))},
           {u(h("one_internal", {T(bn("G1"))})), u(h("one_internal", {T(bn("G2"))}))});
  EXPECT_EQ(r->cost, p("ark_bn254_g1_proj_to_affine") + p("ark_bn254_g2_proj_to_affine") + p("ark_bn254_pairing"));
  EXPECT_GT(r->cost, 0u);
  // MSM of 2 entries: window 3, 85 windows, 8 buckets.
  uint64_t g = h("one_internal", {T("G1")});
  r = call("multi_scalar_mul_internal", {T("G1"), T("Fr")}, {handles({g, g}), handles({a, a})});
  EXPECT_EQ(r->cost, 2 * p("ark_bls12_381_g1_proj_to_affine") + p("ark_bls12_381_g1_proj_add") * (11 * 85) +
                         p("ark_bls12_381_g1_proj_double") * (8 * 85));
}

TEST_F(CryptoAlgebra, UnsupportedAndGatedAndBadHandles) {
  // Not an algebra structure.
  EXPECT_EQ(abort_code("zero_internal", {T("0x1::string::String")}), kNotImplemented);
  EXPECT_EQ(abort_code("order_internal", {T("0x1::bls12381_algebra::FormatFrLsb")}), kNotImplemented);
  // Structures whose feature is off.
  AlgebraContext no_bn(true, false);
  Type bn_fr = no_bn.type(bn("Fr")), bls_fr = no_bn.type("0x1::bls12381_algebra::Fr");
  EXPECT_EQ(abort_code("zero_internal", {bn_fr}, {}, &no_bn), kNotImplemented);
  auto ok = call("zero_internal", {bls_fr}, {}, &no_bn);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->aborted);
  AlgebraContext no_features(true, true, false);
  Type g1_type = no_features.type("0x1::bls12381_algebra::G1");
  EXPECT_EQ(abort_code("one_internal", {g1_type}, {}, &no_features), kNotImplemented);
  // A handle that does not exist, or holds another structure: invariant violation.
  auto r = call("neg_internal", {T("Fr")}, {u(999999)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
  uint64_t g1 = h("one_internal", {T("G1")});
  r = call("neg_internal", {T("Fr")}, {u(g1)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
}

TEST_F(CryptoAlgebra, MemoryLimit) {
  // 1 MiB of arkworks-sized elements: Fq12 is 576 bytes, so the 1821st allocation fails.
  size_t made = 0;
  for (;; ++made) {
    auto r = call("zero_internal", {T("Fq12")}, {});
    ASSERT_TRUE(r.ok());
    if (r->aborted) {
      EXPECT_EQ(r->abort_code, 0x09'0003u);
      EXPECT_EQ(r->cost, p("ark_bls12_381_fq12_zero"));
      EXPECT_EQ(r->abort_message, std::optional<std::string>("Algebra context memory 1048576-byte limit exceeded: "
                                                             "currently using 1048320 bytes; was asked for 1048896 bytes"));
      break;
    }
    ASSERT_LT(made, 5000u);
  }
  EXPECT_EQ(made, (size_t(1) << 20) / 576);
  // Still full for a 32-byte scalar? 1820 * 576 = 1048320: 256 bytes left, room for 8 scalars.
  for (int i = 0; i < 8; ++i) EXPECT_FALSE(call("zero_internal", {T("Fr")}, {})->aborted);
  EXPECT_TRUE(call("zero_internal", {T("Fr")}, {})->aborted);
}

TEST_F(CryptoAlgebra, HashToCurve) {
  // RFC 9380 J.9.1 / J.10.1: BLS12381G1_XMD:SHA-256_SSWU_RO_, msg "" .
  std::string dst1 = "QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_";
  uint64_t p1 = h("hash_to_internal", {T("G1"), T("HashG1XmdSha256SswuRo")},
                  {make_vec_u8(Bytes(dst1.begin(), dst1.end())), make_vec_u8({})});
  Bytes enc = ser("G1", "FormatG1Uncompr", p1);
  EXPECT_EQ(to_hex(BytesView(enc).first(48), false),
            "052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1");
  std::string dst2 = "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";
  uint64_t p2 = h("hash_to_internal", {T("G2"), T("HashG2XmdSha256SswuRo")},
                  {make_vec_u8(Bytes(dst2.begin(), dst2.end())), make_vec_u8({})});
  Bytes enc2 = ser("G2", "FormatG2Uncompr", p2);  // x.c1 first
  EXPECT_EQ(to_hex(BytesView(enc2).subspan(48, 48), false),
            "0141ebfbdca40eb85b87142e130ab689c673cf60f1a3e98d69335266f30d9b8d4ac44c1038e9dcdd5393faf5c41fb78a");
  auto r = call("hash_to_internal", {T("G1"), T("HashG1XmdSha256SswuRo")},
                {make_vec_u8(Bytes(300, 'd')), make_vec_u8(Bytes(10, 'm'))});
  EXPECT_EQ(r->cost, params_->native("move_stdlib.hash.sha2_256.base") +
                         params_->native("move_stdlib.hash.sha2_256.per_byte") * 317 +
                         p("ark_h2c_bls12381g1_xmd_sha256_sswu_base") + p("ark_h2c_bls12381g1_xmd_sha256_sswu_per_msg_byte") * 10);
  EXPECT_EQ(abort_code("hash_to_internal", {T("G2"), T("HashG1XmdSha256SswuRo")}, {make_vec_u8({}), make_vec_u8({})}),
            kNotImplemented);
}

// Groth16 (eprint 2016/260, 3.2) over the natives, as aptos-move/move-examples/groth16_example
// verifies: e(A, B) = e(alpha, beta) + e(sum a_i [vk_i], gamma) + e(C, delta) in Gt.
class Groth16 : public CryptoAlgebra {
 protected:
  bool verify(const std::string& c, uint64_t alpha, uint64_t beta, uint64_t gamma, uint64_t delta,
              std::vector<uint64_t> abc, std::vector<uint64_t> inputs, uint64_t a, uint64_t b, uint64_t cc) {
    auto t = [&](const char* s) { return T(c + s); };
    auto pair = [&](uint64_t x, uint64_t y) { return h("pairing_internal", {t("G1"), t("G2"), t("Gt")}, {u(x), u(y)}); };
    uint64_t left = pair(a, b);
    inputs.insert(inputs.begin(), from_u64(c + "Fr", 1));
    uint64_t acc = h("multi_scalar_mul_internal", {t("G1"), t("Fr")}, {handles(abc), handles(inputs)});
    uint64_t right = h("zero_internal", {t("Gt")});
    for (uint64_t e : {pair(alpha, beta), pair(acc, gamma), pair(cc, delta)})
      right = h("add_internal", {t("Gt")}, {u(right), u(e)});
    return eq(c + "Gt", left, right);
  }
  uint64_t must(std::optional<uint64_t> h) {
    EXPECT_TRUE(h);
    return h.value_or(~0ull);
  }
  // snarkjs decimals as arkworks' little-endian 32-byte coordinates.
  static Bytes le(const char* decimal) {
    mpz_t z;
    mpz_init_set_str(z, decimal, 10);
    Bytes b(32, 0);
    size_t n = 0;
    mpz_export(b.data(), &n, -1, 1, 0, 0, z);
    mpz_clear(z);
    return b;
  }
  static Bytes cat(std::initializer_list<const char*> parts) {
    Bytes out;
    for (auto p : parts) {
      Bytes b = le(p);
      out.insert(out.end(), b.begin(), b.end());
    }
    return out;
  }
};

// arkworks' groth16 MiMC test proof (BLS12-381), as groth16_example.move embeds it.
TEST_F(Groth16, Bls12381MimcProof) {
  uint64_t alpha = must(deser("G1", "FormatG1Compr", hex("9819f632fa8d724e351d25081ea31ccf379991ac25c90666e07103fffb042ed91c76351cd5a24041b40e26d231a5087e")));
  uint64_t beta = must(deser("G2", "FormatG2Compr", hex("871f36a996c71a89499ffe99aa7d3f94decdd2ca8b070dbb467e42d25aad918af6ec94d61b0b899c8f724b2b549d99fc1623a0e51b6cfbea220e70e7da5803c8ad1144a67f98934a6bf2881ec6407678fd52711466ad608d676c60319a299824")));
  uint64_t gamma = must(deser("G2", "FormatG2Compr", hex("96750d8445596af8d679487c7267ae9734aeac584ace191d225680a18ecff8ebae6dd6a5fd68e4414b1611164904ee120363c2b49f33a873d6cfc26249b66327a0de03e673b8139f79809e8b641586cde9943fa072ee5ed701c81b3fd426c220")));
  uint64_t delta = must(deser("G2", "FormatG2Compr", hex("8d3ac832f2508af6f01872ada87ea66d2fb5b099d34c5bac81e7482c956276dfc234c8d2af5fd2394b5440d0708a2c9f124a53c0755e9595cf9f8adade5deefcb8a574a67debd3b74d08c49c23ddc14cd6d48b65dce500c8a5d330e760fe85bb")));
  std::vector<uint64_t> abc = {
      must(deser("G1", "FormatG1Compr", hex("b0df760d0f2d67fdff69d0ed3a0653dd8808df3c407ea4d0e27f8612c3fbb748cb4372d33cac512ee5ef4ee1683c3fe5"))),
      must(deser("G1", "FormatG1Compr", hex("96ec80d6b1050bbfc209f727678acce8788c05475771daffdd444ad8786c7a40195d859850fe2e72be3054e9fb8ce805")))};
  uint64_t input = must(deser("Fr", "FormatFrLsb", hex("0ee291cfc951388c3c7f7c85ff2dfd42bbc66a6b4acaef9a5a51ce955125a74f")));
  uint64_t a = must(deser("G1", "FormatG1Compr", hex("8a7c7364403d91bfa5c723ce93b920c8d2e559ea5e7e34eb68cea437aa4f26bf56ba22d9400988a86f2943c79401e959")));
  uint64_t b = must(deser("G2", "FormatG2Compr", hex("9352f8a2f9ff60d390e363d063354e9728adf39c91294499575855e803dd80eeaa1488cd24d1b80eb1b2625011e22a5d139e24f2c7ac3508874ec4bdb9c71ddf109e7853d641d23ed27bef265248d78eabe9137c03b088d8adbdf39e10f87eab")));
  uint64_t c = must(deser("G1", "FormatG1Compr", hex("896f68b438e076d3017e64aa47621fcd69b45f49a7038e2b1b9ed4f2de9b8eb8e0a76785a39a08f024435811a73a6818")));
  const std::string bls = "0x1::bls12381_algebra::";
  EXPECT_TRUE(verify(bls, alpha, beta, gamma, delta, abc, {input}, a, b, c));
  EXPECT_FALSE(verify(bls, alpha, beta, gamma, delta, abc, {from_u64("Fr", 1)}, a, b, c));
  EXPECT_FALSE(verify(bls, alpha, beta, gamma, delta, abc, {input}, c, b, a));

  // The prepared key's e(alpha, beta), serialized by arkworks as a Gt element: our pairing
  // gives exactly that value (the convention, and the Gt format, match).
  Bytes pvk = hex(
      "15cee98b42f8d158f421bce13983e23597123817a3b19b006294b9145f3f382686706ad9161d6234661fb1a32da19d0e2a9e672901fe4abe9efd4da96bcdb8324459b93aa48a8abb92ddd28ef053f118e190eddd6c6212bc09428ea05e709104290e37f320a3aac1dcf96f66efd9f5826b69cd075b72801ef54ccb740a0947bb3f73174e5d2fdc04292f58841ad9cc0d0c25021dfd8d592943b5e61c97f1ba68dcabd7de970ecc347c04bbaf9a062d9d49476f0b5bc77b2b9c7222781c53b713c0aae7a4cc57ff8cfb433d27fb1328d0c5453dbb97f3a70e9ce3b1da52cee2047cad225410b6dacb28e7b6876795d005cf0aefb7f25350d0197a5c2aa7369a5e06a210580bba1cc1941e1871a465cf68c84f32a29e6e898e4961a2b1fd5f8f03f03b1e1a0e191becdc8f01fb15adeb7cb6cc39e686edfcf7d65e952cf5e19a477fb5f6d2dab61a4d6c07777c1842150646c8b6fcb5989d9e524a97e7bf8b7be6b12983205970f16aeaccbdbe6cd565fa570dc45b0ad8f51c46e1f05e9f3f230dcf7567db5fc9a59a55c39139c7b357103c26bca9b70032cccff2345b76f596901ea81dc28f1d490a129501cf02204e00e8b59770188d69379144629239933523a8ec71ce6f91fbd01b2b9c411f89948183fea3949d89919e239a4aadb2347803e97ae8f7f20ade26da001f803cd61eb9bf8a67356f7cf6ec1744720b078eb992529f5c219bf16d5ef2e233a04572730e7c9572eadd9aa63c69c9f7dcf3423b1dc4c9b2032c8a7bbe91505283163a85413ecf0a0095fe1899b29f60011226f009");
  uint64_t ab = must(deser("Gt", "FormatGt", pvk));
  uint64_t e = h("pairing_internal", {T("G1"), T("G2"), T("Gt")}, {u(alpha), u(beta)});
  EXPECT_TRUE(eq("Gt", ab, e));
  EXPECT_EQ(ser("Gt", "FormatGt", e), pvk);
  // verify_proof_prepared: one multi-pairing against -gamma, -delta (their encodings: flag 0x20 flipped).
  uint64_t gamma_neg = must(deser("G2", "FormatG2Compr", hex("b6750d8445596af8d679487c7267ae9734aeac584ace191d225680a18ecff8ebae6dd6a5fd68e4414b1611164904ee120363c2b49f33a873d6cfc26249b66327a0de03e673b8139f79809e8b641586cde9943fa072ee5ed701c81b3fd426c220")));
  uint64_t delta_neg = must(deser("G2", "FormatG2Compr", hex("ad3ac832f2508af6f01872ada87ea66d2fb5b099d34c5bac81e7482c956276dfc234c8d2af5fd2394b5440d0708a2c9f124a53c0755e9595cf9f8adade5deefcb8a574a67debd3b74d08c49c23ddc14cd6d48b65dce500c8a5d330e760fe85bb")));
  EXPECT_TRUE(eq("G2", gamma_neg, h("neg_internal", {T("G2")}, {u(gamma)})));
  uint64_t acc = h("multi_scalar_mul_internal", {T("G1"), T("Fr")}, {handles(abc), handles({from_u64("Fr", 1), input})});
  uint64_t m = h("multi_pairing_internal", {T("G1"), T("G2"), T("Gt")}, {handles({a, acc, c}), handles({b, gamma_neg, delta_neg})});
  EXPECT_TRUE(eq("Gt", ab, m));
}

// A circom/snarkjs proof over BN254 with 8 public inputs (groth16_example.move's test).
TEST_F(Groth16, Bn254CircomProof) {
  const std::string c = "0x1::bn254_algebra::";
  auto g1 = [&](const char* x, const char* y) { return must(deser(c + "G1", c + "FormatG1Uncompr", cat({x, y}))); };
  auto g2 = [&](const char* x0, const char* x1, const char* y0, const char* y1) {
    return must(deser(c + "G2", c + "FormatG2Uncompr", cat({x0, x1, y0, y1})));
  };
  uint64_t a = g1("9291141442484249183824149917322150275993152355313319552386216014158050680949",
                  "4751084799539532208179359846086616641767957505361605807745261011239799367574");
  uint64_t b = g2("4154738608741966676660560127107026081842675422117462672893103452342068780854",
                  "4513470140932917342403349901925141325820502953664313447973655116956106256795",
                  "15981382089229198179693168711034036915586021039523535710774744447138572769902",
                  "11691946641863119124627852663455054061430853487917262585560660740296157381098");
  uint64_t cc = g1("19416574444268205378069689424519026208317515867624593374135746889327790637883",
                   "9387724931669771435449663200581094189180308746057595118467671565223418773035");
  uint64_t alpha = g1("20491192805390485299153009773594534940189261866228447918068658471970481763042",
                      "9383485363053290200918347156157836566562967994039712273449902621266178545958");
  uint64_t beta = g2("6375614351688725206403948262868962793625744043794305715222011528459656738731",
                     "4252822878758300859123897981450591353533073413197771768651442665752259397132",
                     "10505242626370262277552901082094356697409835680220590971873171140371331206856",
                     "21847035105528745403288232691147584728191162732299865338377159692350059136679");
  uint64_t gamma = g2("10857046999023057135944570762232829481370756359578518086990519993285655852781",
                      "11559732032986387107991004021392285783925812861821192530917403151452391805634",
                      "8495653923123431417604973247489272438418190587263600148770280649306958101930",
                      "4082367875863433681332203403145435568316851327593401208105741076214120093531");
  EXPECT_TRUE(eq(c + "G2", gamma, h("one_internal", {T(c + "G2")})));  // snarkjs's gamma is the generator
  uint64_t delta = g2("11733257046589851891850695012146277477007262722187040969185039828348964552798",
                      "4027038803827470819590008730534113934894139311083936102089700708335772383417",
                      "4501048010313692533367858190733760821904297928029128233318781536412685771070",
                      "7929485975251451284651333169168875690528578182699769192928243180764480545757");
  std::vector<uint64_t> abc = {
      g1("9301933260370907965380929235907744187309044275532228633956723711236164592702",
         "16430819258686105004298644553325509170608676387027348203797023622583733864344"),
      g1("15788660278421993534955189104796829710153510462607851239961905416961864489081",
         "15949953543860974252716711139898663592700226282992131841266708887108944899694"),
      g1("2752114278074204756951480614592040829268118205913128303990769829555505490153",
         "73756394237398953482375632482393116165824820760002925371208078608366682284"),
      g1("6831852747912655055472532439405874457935232091421568713540315004023659266911",
         "17612881006477748801680400530139134796116043408186867599538777507587075595161"),
      g1("17635013362332631023685688861083101650289128874790189338507065664254475202088",
         "6682655906896444146648448177201874759860197304706943082757442475451670349909"),
      g1("9475873236009016297956856337772183876551495716493352835259515853844766276811",
         "354515196483384658424215379959670593913045973021122448612086705709310867552"),
      g1("7739081130943509516619482455397124703705394954310688728375429231271874275446",
         "20649108686175166181372170979134000369449535282768431130801436273782009562466"),
      g1("19048468636913770448398586085397679668705519948654488617907272996340406724088",
         "16091090919051613132321664644473341983081123954146774949203587504747978913249"),
      g1("15589510145441310638849264936668688491890711017850837908639714876170500087371",
         "160324255716095477979225131314833211463231522810162446268019950262710535809")};
  std::vector<uint64_t> inputs;
  for (const char* v : {"0", "7714357208561315320836530795186262204499958856333073618293621003566744654598",
                        "91557130945874", "34458076785421617", "2800000", "5591876", "5591876", "751199308"})
    inputs.push_back(must(deser(c + "Fr", c + "FormatFrLsb", le(v))));
  EXPECT_TRUE(verify(c, alpha, beta, gamma, delta, abc, inputs, a, b, cc));
  inputs[4] = from_u64(c + "Fr", 2800001);
  EXPECT_FALSE(verify(c, alpha, beta, gamma, delta, abc, inputs, a, b, cc));
}

// The genuine framework: 0x1::crypto_algebra's public functions with bls12381_algebra and
// bn254_algebra types on the v10 genesis (its features enable the module and both curves).
TEST_F(CryptoAlgebra, FrameworkPathOnV10Genesis) {
  Session session(*state_, *registry_);
  add_session_extensions(session.extensions(), TransactionContext{}, state_);
  UnmeteredGasMeter gas;
  auto tag = [](const std::string& s) { return *parse_type_tag(s); };
  auto run = [&](const char* fn, std::vector<TypeTag> tys, std::vector<Bytes> args) {
    auto r = session.execute_function(address_from_u64(1), "crypto_algebra", fn, tys, {}, args, gas);
    EXPECT_TRUE(std::holds_alternative<ExecutionResult>(r)) << fn;
    return std::holds_alternative<ExecutionResult>(r) ? std::get<ExecutionResult>(r).return_values : std::vector<Value>{};
  };
  auto handle_bcs = [](const Value& element) {
    Bytes b(8);
    uint64_t v = element.c->values.at(0).u64;
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
    return b;
  };
  TypeTag g1 = tag("0x1::bls12381_algebra::G1"), g2 = tag("0x1::bls12381_algebra::G2"), gt = tag("0x1::bls12381_algebra::Gt");
  auto one1 = run("one", {g1}, {});
  ASSERT_EQ(one1.size(), 1u);

  auto bytes = run("serialize", {g1, tag("0x1::bls12381_algebra::FormatG1Compr")}, {handle_bcs(one1[0])});
  ASSERT_EQ(bytes.size(), 1u);
  EXPECT_EQ(to_hex(bytes[0].c->bytes, false), kBlsG1Compr);
  // deserialize returns Option<Element>: some for the generator, none for garbage.
  Bytes enc = hex(kBlsG2Compr);
  Bytes vec_arg{uint8_t(enc.size())};
  vec_arg.insert(vec_arg.end(), enc.begin(), enc.end());
  auto q = run("deserialize", {g2, tag("0x1::bls12381_algebra::FormatG2Compr")}, {vec_arg});
  ASSERT_EQ(q.size(), 1u);
  // 0x1::option::Option is an enum in v10: Some = variant 1 with the element.
  ASSERT_EQ(q[0].c->variant, 1);
  Value q_elem = q[0].c->values.at(0);
  vec_arg[1] ^= 0x01;
  auto none = run("deserialize", {g2, tag("0x1::bls12381_algebra::FormatG2Compr")}, {vec_arg});
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].c->variant, 0);
  // pairing(one<G1>, deserialized G2) == one<Gt>.
  auto e = run("pairing", {g1, g2, gt}, {handle_bcs(one1[0]), handle_bcs(q_elem)});
  auto gen = run("one", {gt}, {});
  ASSERT_EQ(e.size(), 1u);
  ASSERT_EQ(gen.size(), 1u);
  auto same = run("eq", {gt}, {handle_bcs(e[0]), handle_bcs(gen[0])});
  ASSERT_EQ(same.size(), 1u);
  EXPECT_TRUE(same[0].b);
  // Unsupported combination through the framework: mul on G1 aborts in crypto_algebra.
  auto bad = session.execute_function(address_from_u64(1), "crypto_algebra", "mul", {g1}, {},
                                      {handle_bcs(one1[0]), handle_bcs(one1[0])}, gas);
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(bad));
  EXPECT_EQ(std::get<ExecutionError>(bad).sub_status, std::optional<uint64_t>(kNotImplemented));
  // BN254 is enabled on this genesis too.
  auto bn1 = run("one", {tag("0x1::bn254_algebra::G1")}, {});
  auto bn_bytes = run("serialize", {tag("0x1::bn254_algebra::G1"), tag("0x1::bn254_algebra::FormatG1Uncompr")},
                      {handle_bcs(bn1.at(0))});
  ASSERT_EQ(bn_bytes.size(), 1u);
  EXPECT_EQ(bn_bytes[0].c->bytes.at(0), 1);
  EXPECT_EQ(bn_bytes[0].c->bytes.at(32), 2);
}

}  // namespace
}  // namespace lumio::movevm
