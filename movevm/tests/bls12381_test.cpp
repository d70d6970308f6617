// 0x1::bls12381 natives: known answers from Aptos's own Move tests, keys and signatures made
// here (sk * H(m) over our RFC 9380 hash), malformed and non-subgroup encodings, Aptos's gas
// steps, and the genuine v10 framework's bls12381 module running on the VM.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>

#include "common/ff/hash_to_curve.hpp"
#include "common/hash.hpp"
#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/genesis_chain.hpp"

namespace lumio::movevm {
namespace {

namespace bls = ff::bls12_381;
constexpr std::string_view kSigDst = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
constexpr std::string_view kPopDst = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

BytesView sv(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
Bytes hx(std::string_view h) { return *from_hex(h); }
Bytes str(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Signing as aptos-crypto does (blst's sign with the PoP scheme's DSTs): pk = sk*G1,
// sig = sk*H(m), pop = sk*H(compressed pk).
struct Key {
  Bytes sk;  // 32 bytes, big-endian
  Bytes pk() const {
    Bytes out(48);
    bls::g1_compress(bls::g1_generator().mul(sk.data(), sk.size()), out.data());
    return out;
  }
  Bytes sign(BytesView msg, std::string_view dst = kSigDst) const {
    Bytes out(96);
    bls::g2_compress(bls::hash_to_g2(msg, sv(dst)).mul(sk.data(), sk.size()), out.data());
    return out;
  }
  Bytes pop() const { return sign(pk(), kPopDst); }
};
Key key(uint8_t seed) {
  Hash32 h = sha256(Bytes{seed, 'k'});
  h.bytes[0] &= 0x3f;  // below r
  return {Bytes(h.bytes.begin(), h.bytes.end())};
}

// A meter with a fixed balance (natives read remaining() to stop early, as Aptos's charges do).
class BudgetMeter final : public GasMeter {
 public:
  explicit BudgetMeter(uint64_t balance) : balance_(balance) {}
  bool charge_simple(Opcode) override { return true; }
  bool charge_instr(const InstrCharge&) override { return true; }
  bool charge_native(uint64_t) override { return true; }
  bool charge_load_resource(uint64_t) override { return true; }
  uint64_t consumed() const override { return 0; }
  uint64_t remaining() const override { return balance_; }

 private:
  uint64_t balance_;
};

class NoContext final : public NativeContext {
 public:
  explicit NoContext(GasMeter* meter = nullptr) : gas_(meter ? meter : &meter_) {}
  GasMeter& gas() override { return *gas_; }
  NativeExtensions& extensions() override { return ext_; }
  ResourceAccess& resources() override { throw std::logic_error("bls12381 natives use no storage"); }
  Expected<TypeLayout> layout_of(const Type&) override { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "", {}, {}}; }
  Expected<TypeTag> type_tag_of(const Type&) override { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "", {}, {}}; }
  Expected<Type> type_of(const TypeTag&) override { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "", {}, {}}; }

 private:
  UnmeteredGasMeter meter_;
  GasMeter* gas_;
  NativeExtensions ext_;
};

Value bytes(const Bytes& b) { return make_vec_u8(b); }
Value structs(const std::vector<Bytes>& items) {  // vector<PublicKeyWithPoP> / vector<Signature>
  std::vector<Value> v;
  for (auto& b : items) v.push_back(make_struct({make_vec_u8(b)}));
  return make_vector(std::move(v));
}
Value byte_vectors(const std::vector<Bytes>& items) {
  std::vector<Value> v;
  for (auto& b : items) v.push_back(make_vec_u8(b));
  return make_vector(std::move(v));
}

class Bls12381 : public test_util::V10Suite {
 protected:
  NativeResult call(const char* name, std::vector<Value> args, GasMeter* meter = nullptr) {
    const NativeFunction* f = registry_->find(account_address(1), "bls12381", name);
    EXPECT_TRUE(f) << name;
    if (!f) return {};
    NoContext ctx(meter);
    auto r = (*f)(ctx, {}, args);
    EXPECT_TRUE(r.ok()) << name;
    if (!r.ok()) return {};
    EXPECT_FALSE(r->aborted);
    return *r;
  }
  bool flag(const char* name, std::vector<Value> args) {
    auto r = call(name, std::move(args));
    EXPECT_EQ(r.values.size(), 1u);
    return !r.values.empty() && r.values[0].b;
  }
  uint64_t cost(const char* name, std::vector<Value> args) { return call(name, std::move(args)).cost; }
  // (bytes, ok) of the aggregation natives.
  std::pair<Bytes, bool> aggregate(const char* name, const std::vector<Bytes>& items) {
    auto r = call(name, {structs(items)});
    EXPECT_EQ(r.values.size(), 2u);
    if (r.values.size() != 2) return {};
    return {r.values[0].c->bytes, r.values[1].b};
  }
  bool verify_normal(const Bytes& sig, const Bytes& pk, const Bytes& msg) {
    return flag("verify_normal_signature_internal", {bytes(sig), bytes(pk), bytes(msg)});
  }
  bool verify_share(const Bytes& sig, const Bytes& pk, const Bytes& msg) {
    return flag("verify_signature_share_internal", {bytes(sig), bytes(pk), bytes(msg)});
  }
  bool verify_multi(const Bytes& sig, const Bytes& apk, const Bytes& msg) {
    return flag("verify_multisignature_internal", {bytes(sig), bytes(apk), bytes(msg)});
  }
  bool verify_aggregate(const Bytes& sig, const std::vector<Bytes>& pks, const std::vector<Bytes>& msgs) {
    return flag("verify_aggregate_signature_internal", {bytes(sig), structs(pks), byte_vectors(msgs)});
  }
  bool verify_pop(const Bytes& pk, const Bytes& pop) {
    return flag("verify_proof_of_possession_internal", {bytes(pk), bytes(pop)});
  }
  bool validate_pk(const Bytes& pk) { return flag("validate_pubkey_internal", {bytes(pk)}); }
  bool sig_subgroup(const Bytes& sig) { return flag("signature_subgroup_check_internal", {bytes(sig)}); }
  uint64_t p(const char* name) { return params_->native(std::string("aptos_framework.bls12381.") + name); }
};

// Known answers: aptos-core aptos-move/framework/aptos-stdlib/sources/cryptography/bls12381.move
// (its #[test] functions and RANDOM_* constants, generated by aptos-crypto); data only.
TEST_F(Bls12381, AptosKnownAnswers) {
  // test_verify_normal_and_verify_sigshare: SK 077c8a56... signs "Hello Aptos!".
  Key k{hx("077c8a56f26259215a4a245373ab6ddf328ac6e00e5ea38d8700efa361bdc58d")};
  Bytes pk = hx("94209a296b739577cb076d3bfb1ca8ee936f29b69b7dae436118c4dd1cc26fd43dcd16249476a006b8b949bf022a7858");
  Bytes sig = hx("b01ce4632e94d8c611736e96aa2ad8e0528a02f927a81a92db8047b002a8c71dc2d6bfb94729d0973790c10b6ece446817e4b7543afd7ca9a17c75de301ae835d66231c26a003f11ae26802b98d90869a9e73788c38739f7ac9d52659e1f7cf7");
  Bytes msg = str("Hello Aptos!");
  EXPECT_EQ(k.pk(), pk);
  EXPECT_EQ(k.sign(msg), sig);  // pins hash-to-G2 and the signature DST
  EXPECT_TRUE(validate_pk(pk));
  EXPECT_TRUE(verify_normal(sig, pk, msg));
  EXPECT_TRUE(verify_share(sig, pk, msg));
  Bytes bad_sig = sig;
  bad_sig[0] = 0xa0;
  const std::pair<Bytes, Bytes> negatives[] = {
      {pk, bad_sig},
      {hx("ae4851bb9e7782027437ed0e2c026dd63b77a972ddf4bd9f72bcc218e327986568317e3aa9f679c697a2cb7cebf992f3"), sig},
      {hx("82ed7bb5528303a2e306775040a7309e0bd597b70d9949d8c6198a01a7be0b00079320ebfeaf7bbd5bfe86809940d252"), sig}};
  for (auto& [npk, nsig] : negatives) {
    EXPECT_TRUE(validate_pk(npk));
    EXPECT_FALSE(verify_normal(nsig, npk, msg));
    EXPECT_FALSE(verify_share(nsig, npk, msg));
  }
  EXPECT_FALSE(verify_normal(sig, pk, str("Bello Aptos!")));

  // RANDOM_PK / RANDOM_SIGNATURE (SK 07416693..., "Hello Aptos!").
  Key rk{hx("07416693b6b32c84abe45578728e2379f525729e5b94762435a31e65ecc728da")};
  Bytes random_pk = hx("8a53e7ae5270e3e765cd8a4032c2e77c6f7e87a44ebb85bf28a4d7865565698f975346714262f9e47c6f3e0d5d951660");
  Bytes random_sig = hx("a01a65854f987d3434149b7f08f70730e30b241984e8712bc2aca885d632aafced4c3f661209debb6b1c8601326623cc16ca2f6c9edc53b7b88b7435fb6b05ddece418d2c34dc6aca2f5a11a79e67774582c14084a01dcb7820e4cb4bad0ea8d");
  EXPECT_EQ(rk.pk(), random_pk);
  EXPECT_EQ(rk.sign(msg), random_sig);
  EXPECT_TRUE(sig_subgroup(random_sig));
  EXPECT_TRUE(verify_normal(random_sig, random_pk, msg));

  // test_pubkey_validation: two points outside G1, one valid key.
  EXPECT_FALSE(validate_pk(hx("ae3cd9403b69c20a0d455fd860e977fe6ee7140a7f091f26c860f2caccd3e0a7a7365798ac10df776675b3a67db8faa0")));
  EXPECT_FALSE(validate_pk(hx("928d4862a40439a67fd76a9c7560e2ff159e770dcf688ff7b2dd165792541c88ee76c82eb77dd6e9e72c89cbf1a56a68")));
  EXPECT_TRUE(validate_pk(hx("b3e4921277221e01ed71284be5e3045292b26c7f465a6fcdba53ee47edd39ec5160da3b229a73c75671024dcb36de091")));
}

TEST_F(Bls12381, AptosAggregationAndMultisigVectors) {
  // test_pubkey_aggregation / test_verify_multisig ("Hello, Aptoverse!").
  std::vector<Bytes> pks = {
      hx("92e201a806af246f805f460fbdc6fc90dd16a18d6accc236e85d3578671d6f6690dde22134d19596c58ce9d63252410a"),
      hx("ab9df801c6f96ade1c0490c938c87d5bcc2e52ccb8768e1b5d14197c5e8bfa562783b96711b702dda411a1a9f08ebbfa"),
      hx("b698c932cf7097d99c17bd6e9c9dc4eeba84278c621700a8f80ec726b1daa11e3ab55fc045b4dbadefbeef05c4182494"),
      hx("934706a8b876d47a996d427e1526ce52c952d5ec0858d49cd262efb785b62b1972d06270b0a7adda1addc98433ad1843"),
      hx("a4cd352daad3a0651c1998dfbaa7a748e08d248a54347544bfedd51a197e016bb6008e9b8e45a744e1a030cc3b27d2da")};
  std::vector<Bytes> agg_pks = {
      hx("92e201a806af246f805f460fbdc6fc90dd16a18d6accc236e85d3578671d6f6690dde22134d19596c58ce9d63252410a"),
      hx("b79ad47abb441d7eda9b220a626df2e4e4910738c5f777947f0213398ecafae044ec0c20d552d1348347e9abfcf3eca1"),
      hx("b5f5eb6153ab5388a1a76343d714e4a2dcf224c5d0722d1e8e90c6bcead05c573fffe986460bd4000645a655bf52bc60"),
      hx("b922006ec14c183572a8864c31dc6632dccffa9f9c86411796f8b1b5a93a2457762c8e2f5ef0a2303506c4bca9a4e0bf"),
      hx("b53df1cfee2168f59e5792e710bf22928dc0553e6531dae5c7656c0a66fc12cb82fbb04863938c953dc901a5a79cc0f3")};
  std::vector<Bytes> multisigs = {
      hx("ade45c67bff09ae57e0575feb0be870f2d351ce078e8033d847615099366da1299c69497027b77badb226ff1708543cd062597030c3f1553e0aef6c17e7af5dd0de63c1e4f1f9da68c966ea6c1dcade2cdc646bd5e8bcd4773931021ec5be3fd"),
      hx("964af3d83436f6a9a382f34590c0c14e4454dc1de536af205319ce1ed417b87a2374863d5df7b7d5ed900cf91dffa7a105d3f308831d698c0d74fb2259d4813434fb86425db0ded664ae8f85d02ec1d31734910317d4155cbf69017735900d4d"),
      hx("b523a31813e771e55aa0fc99a48db716ecc1085f9899ccadb64e759ecb481a2fb1cdcc0b266f036695f941361de773081729311f6a1bca9d47393f5359c8c87dc34a91f5dae335590aacbff974076ad1f910dd81750553a72ccbcad3c8cc0f07"),
      hx("a945f61699df58617d37530a85e67bd1181349678b89293951ed29d1fb7588b5c12ebb7917dfc9d674f3f4fde4d062740b85a5f4927f5a4f0091e46e1ac6e41bbd650a74dd49e91445339d741e3b10bdeb9bc8bba46833e0011ff91fa5c77bd2"),
      hx("b627b2cfd8ae59dcf5e58cc6c230ae369985fd096e1bc3be38da5deafcbed7d939f07cccc75383539940c56c6b6453db193f563f5b6e4fe54915afd9e1baea40a297fa7eda74abbdcd4cc5c667d6db3b9bd265782f7693798894400f2beb4637")};
  for (size_t i = 0; i < pks.size(); ++i) {
    auto [apk, ok] = aggregate("aggregate_pubkeys_internal", std::vector<Bytes>(pks.begin(), pks.begin() + i + 1));
    EXPECT_TRUE(ok);
    EXPECT_EQ(apk, agg_pks[i]) << i;
    EXPECT_TRUE(validate_pk(apk));
    EXPECT_TRUE(verify_multi(multisigs[i], agg_pks[i], str("Hello, Aptoverse!"))) << i;
    EXPECT_FALSE(verify_multi(multisigs[i], agg_pks[i], str("Hello, Aptoverse?"))) << i;
  }

  // test_signature_aggregation: multisig prefixes of five shares.
  std::vector<Bytes> sigs = {
      hx("a55ac2d64b4c1d141b15d876d3e54ad1eea07ee488e8287cce7cdf3eec551458ab5795ab196f8c112590346f7bc7c97e0053cd5be0f9bd74b93a87cd44458e98d125d6d5c6950ea5e62666beb34422ead79121f8cb0815dae41a986688d03eaf"),
      hx("90a639a44491191c46379a843266c293de3a46197714ead2ad3886233dd5c2b608b6437fa32fbf9d218b20f1cbfa7970182663beb9c148e2e9412b148e16abf283ffa51b8a536c0e55d61b2e5c849edc49f636c0ef07cb99f125cbcf602e22bb"),
      hx("9527d81aa15863ef3a3bf96bea6d58157d5063a93a6d0eb9d8b4f4bbda3b31142ec4586cb519da2cd7600941283d1bad061b5439703fd584295b44037a969876962ae1897dcc7cadf909d06faae213c4fef8e015dfb33ec109af02ab0c3f6833"),
      hx("a54d264f5cab9654b1744232c4650c42b29adf2b19bd00bbdaf4a4d792ee4dfd40a1fe1b067f298bcfd8ae4fdc8250660a2848bd4a80d96585afccec5c6cfa617033dd7913c9acfdf98a72467e8a5155d4cad589a72d6665be7cb410aebc0068"),
      hx("8d22876bdf73e6ad36ed98546018f6258cd47e45904b87c071e774a6ef4b07cac323258cb920b2fe2b07cca1f2b24bcb0a3194ec76f32edb92391ed2c39e1ada8919f8ea755c5e39873d33ff3a8f4fba21b1261c1ddb9d1688c2b40b77e355d1")};
  std::vector<Bytes> agg_sigs = {
      hx("a55ac2d64b4c1d141b15d876d3e54ad1eea07ee488e8287cce7cdf3eec551458ab5795ab196f8c112590346f7bc7c97e0053cd5be0f9bd74b93a87cd44458e98d125d6d5c6950ea5e62666beb34422ead79121f8cb0815dae41a986688d03eaf"),
      hx("8f1949a06b95c3cb62898d861f889350c0d2cb740da513bfa195aa0ab8fa006ea2efe004a7bbbd9bb363637a279aed20132efd0846f520e7ee0e8ed847a1c6969bb986ad2239bcc9af561b6c2aa6d3016e1c722146471f1e28313de189fe7ebc"),
      hx("ab5ad42bb8f350f8a6b4ae897946a05dbe8f2b22db4f6c37eff6ff737aebd6c5d75bd1abdfc99345ac8ec38b9a449700026f98647752e1c99f69bb132340f063b8a989728e0a3d82a753740bf63e5d8f51e413ebd9a36f6acbe1407a00c4b3e7"),
      hx("ae307a0d055d3ba55ad6ec7094adef27ed821bdcf735fb509ab2c20b80952732394bc67ea1fd8c26ea963540df7448f8102509f7b8c694e4d75f30a43c455f251b6b3fd8b580b9228ffeeb9039834927aacefccd3069bef4b847180d036971cf"),
      hx("8284e4e3983f29cb45020c3e2d89066df2eae533a01cb6ca2c4d466b5e02dd22467f59640aa120db2b9cc49e931415c3097e3d54ff977fd9067b5bc6cfa1c885d9d8821aef20c028999a1d97e783ae049d8fa3d0bbac36ce4ca8e10e551d3461")};
  for (size_t i = 0; i < sigs.size(); ++i) {
    auto [agg, ok] = aggregate("aggregate_signatures_internal", std::vector<Bytes>(sigs.begin(), sigs.begin() + i + 1));
    EXPECT_TRUE(ok);
    EXPECT_EQ(agg, agg_sigs[i]) << i;
    EXPECT_TRUE(sig_subgroup(agg));
  }

  // test_verify_aggsig: "Hello, Aptos <i>!" under five keys, aggregate prefixes.
  std::vector<Bytes> msgs, agg_pks2 = {
      hx("b93d6aabb2b83e52f4b8bda43c24ea920bbced87a03ffc80f8f70c814a8b3f5d69fbb4e579ca76ee008d61365747dbc6"),
      hx("b45648ceae3a983bcb816a96db599b5aef3b688c5753fa20ce36ac7a4f2c9ed792ab20af6604e85e42dab746398bb82c"),
      hx("b3e4921277221e01ed71284be5e3045292b26c7f465a6fcdba53ee47edd39ec5160da3b229a73c75671024dcb36de091"),
      hx("8463b8671c9775a7dbd98bf76d3deba90b5a90535fc87dc8c13506bb5c7bbd99be4d257e60c548140e1e30b107ff5822"),
      hx("a79e3d0e9d04587a3b27d05efe5717da05fd93485dc47978c866dc70a01695c2efd247d1dd843a011a4b6b24079d7384")};
  std::vector<Bytes> aggsigs = {
      hx("a2bc8bdebe6215ba74b5b53c5ed2aa0c68221a4adf868989ccdcfb62bb0eecc6537def9ee686a7960169c5917d25e5220177ed1c5e95ecfd68c09694062e76efcb00759beac874e4f9a715fd144210883bf9bb272f156b0a1fa15d0e9460f01f"),
      hx("a523aa3c3f1f1074d968ffecf017c7b93ae5243006bf0abd2e45c036ddbec99302984b650ebe5ba306cda4071d281ba50a99ef0e66c3957fab94163296f9d673fc58a36de4276f82bfb1d9180b591df93b5c2804d40dd68cf0f72cd92f86442e"),
      hx("abed10f464de74769121fc09715e59a3ac96a5054a43a9d43cc890a2d4d332614c74c7fb4cceef6d25f85c65dee337330f062f89f23fec9ecf7ce3193fbba2c886630d753be6a4513a4634428904b767af2f230c5cadbcb53a451dd9c7d977f6"),
      hx("8362871631ba822742a31209fa4abce6dc94b741ac4725995459da2951324b51efbbf6bc3ab4681e547ebfbadd80e0360dc078c04188198f0acea26c12645ace9107a4a23cf8db46abc7a402637f16a0477c72569fc9966fe804ef4dc0e5e758"),
      hx("a44d967935fbe63a763ce2dd2b16981f967ecd31e20d3266eef5517530cdc233c8a18273b6d9fd7f61dd39178826e3f115df4e7b304f2de17373a95ea0c9a14293dcfd6f0ef416e06fa23f6a3c850d638e4d8f97ab4562ef55d49a96a50baa13")};
  for (size_t i = 0; i < 5; ++i) {
    msgs.push_back(str("Hello, Aptos " + std::to_string(i + 1) + "!"));
    std::vector<Bytes> sub(agg_pks2.begin(), agg_pks2.begin() + i + 1);
    EXPECT_TRUE(verify_aggregate(aggsigs[i], sub, msgs)) << i;
    if (i > 0) {
      std::vector<Bytes> swapped = msgs;
      std::swap(swapped[0], swapped[i]);
      EXPECT_FALSE(verify_aggregate(aggsigs[i], sub, swapped)) << i;
    }
  }
  // Mismatched or empty inputs.
  Bytes random_sig = aggsigs[0];
  EXPECT_FALSE(verify_aggregate(random_sig, {}, {}));
  EXPECT_FALSE(verify_aggregate(random_sig, {agg_pks2[0]}, {}));
  EXPECT_FALSE(verify_aggregate(random_sig, {}, {hx("ab")}));
  EXPECT_FALSE(verify_aggregate(random_sig, {agg_pks2[0]}, {hx("cd"), hx("ef")}));

  // test_verify_pop
  std::vector<Bytes> pop_pks = {
      hx("808864c91ae7a9998b3f5ee71f447840864e56d79838e4785ff5126c51480198df3d972e1e0348c6da80d396983e42d7"),
      hx("8843843c76d167c02842a214c21277bad0bfd83da467cb5cf2d3ee67b2dcc7221b9fafa6d430400164012580e0c34d27"),
      hx("a23b524d4308d46e43ee8cbbf57f3e1c20c47061ad9c3f915212334ea6532451dd5c01d3d3ada6bea10fe180b2c3b450"),
      hx("a2aaa3eae1df3fc36365491afa1da5181acbb03801afd1430f04bb3b3eb18036f8b756b3508e4caee04beff50d455d1c"),
      hx("84985b7e983dbdaddfca1f0b7dad9660bb39fff660e329acec15f69ac48c75dfa5d2df9f0dc320e4e7b7658166e0ac1c")};
  std::vector<Bytes> pops = {
      hx("ab42afff92510034bf1232a37a0d31bc8abfc17e7ead9170d2d100f6cf6c75ccdcfedbd31699a112b4464a06fd636f3f190595863677d660b4c5d922268ace421f9e86e3a054946ee34ce29e1f88c1a10f27587cf5ec528d65ba7c0dc4863364"),
      hx("a6da5f2bc17df70ce664cff3e3a3e09d17162e47e652032b9fedc0c772fd5a533583242cba12095602e422e579c5284b1735009332dbdd23430bbcf61cc506ae37e41ff9a1fc78f0bc0d99b6bc7bf74c8f567dfb59079a035842bdc5fa3a0464"),
      hx("b8eef236595e2eab34d3c1abdab65971f5cfa1988c731ef62bd63c9a9ad3dfc9259f4f183bfffbc8375a38ba62e1c41a11173209705996ce889859bcbb3ddd7faa3c4ea3d8778f30a9ff814fdcfea1fb163d745c54dfb4dcc5a8cee092ee0070"),
      hx("a03a12fab68ad59d85c15dd1528560eff2c89250070ad0654ba260fda4334da179811d2ecdaca57693f80e9ce977d62011e3b1ee7bb4f7e0eb9b349468dd758f10fc35d54e0d0b8536ca713a77a301944392a5c192b6adf2a79ae2b38912dc98"),
      hx("8899b294f3c066e6dfb59bc0843265a1ccd6afc8f0f38a074d45ded8799c39d25ee0376cd6d6153b0d4d2ff8655e578b140254f1287b9e9df4e2aecc5b049d8556a4ab07f574df68e46348fd78e5298b7913377cf5bb3cf4796bfc755902bfdd")};
  for (size_t i = 0; i < pops.size(); ++i) EXPECT_TRUE(verify_pop(pop_pks[i], pops[i])) << i;
  Bytes mod_pk = pop_pks[0], mod_pop = pops[0];
  mod_pk[0] = 0xa0;
  mod_pop[0] = 0xbb;
  EXPECT_FALSE(verify_pop(mod_pk, pops[0]));
  EXPECT_FALSE(verify_pop(pop_pks[0], mod_pop));
}

TEST_F(Bls12381, OwnKeysSignAggregateAndPoP) {
  Bytes msg = str("lumio bls");
  std::vector<Key> keys;
  std::vector<Bytes> pks, sigs, msgs, shares;
  for (uint8_t i = 0; i < 4; ++i) {
    keys.push_back(key(i));
    pks.push_back(keys.back().pk());
    msgs.push_back(str("message " + std::to_string(i)));
    sigs.push_back(keys.back().sign(msgs.back()));
    shares.push_back(keys.back().sign(msg));
    EXPECT_TRUE(validate_pk(pks.back()));
    EXPECT_TRUE(verify_pop(pks.back(), keys.back().pop()));
    EXPECT_FALSE(verify_pop(pks.back(), keys.back().sign(pks.back())));  // signature DST, not PoP's
    EXPECT_TRUE(verify_normal(sigs.back(), pks.back(), msgs.back()));
    EXPECT_FALSE(verify_normal(sigs.back(), pks.back(), msg));
    EXPECT_TRUE(verify_share(shares.back(), pks.back(), msg));
  }
  EXPECT_FALSE(verify_pop(pks[0], keys[1].pop()));
  // Multisignature on one message under the aggregate key.
  auto [apk, ok1] = aggregate("aggregate_pubkeys_internal", pks);
  auto [multisig, ok2] = aggregate("aggregate_signatures_internal", shares);
  ASSERT_TRUE(ok1 && ok2);
  EXPECT_TRUE(verify_multi(multisig, apk, msg));
  EXPECT_FALSE(verify_multi(multisig, apk, str("lumio BLS")));
  EXPECT_FALSE(verify_multi(multisig, pks[0], msg));
  // Aggregate signature on distinct messages.
  auto [aggsig, ok3] = aggregate("aggregate_signatures_internal", sigs);
  ASSERT_TRUE(ok3);
  EXPECT_TRUE(verify_aggregate(aggsig, pks, msgs));
  std::vector<Bytes> wrong = msgs;
  wrong[3] = str("message 4");
  EXPECT_FALSE(verify_aggregate(aggsig, pks, wrong));
  EXPECT_FALSE(verify_aggregate(aggsig, {pks[0], pks[1], pks[2]}, {msgs[0], msgs[1], msgs[2]}));
  // Empty aggregations return (empty, false).
  EXPECT_EQ(aggregate("aggregate_pubkeys_internal", {}), (std::pair<Bytes, bool>{{}, false}));
  EXPECT_EQ(aggregate("aggregate_signatures_internal", {}), (std::pair<Bytes, bool>{{}, false}));
}

// blst's from_bytes also takes the uncompressed forms (96 / 192 bytes, flags clear); a PoP
// signs the key's compressed bytes whichever form was given.
TEST_F(Bls12381, UncompressedEncodingsAreAccepted) {
  Key k = key(9);
  Bytes msg = str("uncompressed");
  auto pk_point = bls::g1_generator().mul(k.sk.data(), k.sk.size());
  auto sig_point = bls::hash_to_g2(msg, sv(kSigDst)).mul(k.sk.data(), k.sk.size());
  Bytes pk_un(96), sig_un(192);
  bls::F x, y;
  pk_point.to_affine(x, y);
  x.to_bytes(pk_un.data());
  y.to_bytes(pk_un.data() + 48);
  bls::E2 x2, y2;
  sig_point.to_affine(x2, y2);
  x2.c1.to_bytes(sig_un.data());
  x2.c0.to_bytes(sig_un.data() + 48);
  y2.c1.to_bytes(sig_un.data() + 96);
  y2.c0.to_bytes(sig_un.data() + 144);
  EXPECT_TRUE(validate_pk(pk_un));
  EXPECT_TRUE(sig_subgroup(sig_un));
  EXPECT_TRUE(verify_normal(sig_un, pk_un, msg));
  EXPECT_TRUE(verify_pop(pk_un, k.pop()));
  auto [apk, ok] = aggregate("aggregate_pubkeys_internal", {pk_un});
  EXPECT_TRUE(ok);
  EXPECT_EQ(apk, k.pk());  // aggregation re-serializes compressed
  pk_un[0] |= 0x20;  // a flag bit on an uncompressed point
  EXPECT_FALSE(validate_pk(pk_un));
}

TEST_F(Bls12381, MalformedIdentityAndNonSubgroupInputs) {
  Key k = key(7);
  Bytes msg = str("m"), pk = k.pk(), sig = k.sign(msg);
  Bytes pk_inf(48, 0), sig_inf(96, 0);
  pk_inf[0] = sig_inf[0] = 0xc0;
  // Points on the curves outside the prime-order subgroups.
  auto u1 = bls::hash_to_fp(msg, sv("NOT-IN-G1"));
  auto u2 = bls::hash_to_fp2(msg, sv("NOT-IN-G2"));
  Bytes pk_bad(48), sig_bad(96);
  bls::g1_compress(bls::map_to_curve_g1(u1[0]), pk_bad.data());
  bls::g2_compress(bls::map_to_curve_g2(u2[0]) + *bls::g2_from_bytes(sig), sig_bad.data());

  // Identity public keys: never valid (Aptos's validate_pubkey, blst's PK_IS_INFINITY).
  EXPECT_FALSE(validate_pk(pk_inf));
  EXPECT_FALSE(verify_normal(sig_inf, pk_inf, msg));
  EXPECT_FALSE(verify_share(sig_inf, pk_inf, msg));
  EXPECT_FALSE(verify_multi(sig_inf, pk_inf, msg));
  EXPECT_FALSE(verify_pop(pk_inf, sig_inf));
  EXPECT_FALSE(verify_aggregate(sig, {pk, pk_inf}, {msg, msg}));
  // pk + (-pk) aggregates to the identity: serialized as 0xc0..., and it verifies nothing.
  auto neg = -*bls::g1_from_bytes(pk);
  Bytes pk_neg(48);
  bls::g1_compress(neg, pk_neg.data());
  auto [apk, ok] = aggregate("aggregate_pubkeys_internal", {pk, pk_neg});
  EXPECT_TRUE(ok);
  EXPECT_EQ(apk, pk_inf);
  EXPECT_FALSE(verify_multi(sig_inf, apk, msg));
  // Identity signatures: deserialize and aggregate, fail the subgroup check and verification.
  EXPECT_FALSE(sig_subgroup(sig_inf));
  EXPECT_FALSE(verify_normal(sig_inf, pk, msg));
  auto [agg, ok2] = aggregate("aggregate_signatures_internal", {sig, sig_inf});
  EXPECT_TRUE(ok2);
  EXPECT_EQ(agg, sig);

  // Outside the subgroups.
  EXPECT_FALSE(validate_pk(pk_bad));
  EXPECT_FALSE(verify_normal(sig, pk_bad, msg));
  EXPECT_FALSE(verify_pop(pk_bad, k.pop()));
  EXPECT_FALSE(sig_subgroup(sig_bad));
  EXPECT_FALSE(verify_normal(sig_bad, pk, msg));
  EXPECT_FALSE(verify_share(sig_bad, pk, msg));
  EXPECT_TRUE(aggregate("aggregate_signatures_internal", {sig_bad}).second);  // no check when aggregating
  EXPECT_TRUE(aggregate("aggregate_pubkeys_internal", {pk_bad}).second);

  // Malformed bytes: wrong sizes, missing compression flag, x >= p, not on the curve.
  Bytes no_flag = pk, big_x(48, 0xff), off_curve = pk, short_pk(pk.begin(), pk.end() - 1);
  no_flag[0] &= 0x7f;
  big_x[0] = 0x9f;
  for (int i = 0; off_curve == pk || bls::g1_from_bytes(off_curve); ++i) off_curve[47] = uint8_t(pk[47] + i);
  for (const Bytes& b : {Bytes{}, short_pk, no_flag, big_x, off_curve, Bytes(49, 0x80)}) {
    EXPECT_FALSE(validate_pk(b));
    EXPECT_FALSE(verify_normal(sig, b, msg));
    EXPECT_FALSE(verify_share(sig, b, msg));
    EXPECT_FALSE(verify_pop(b, k.pop()));
    EXPECT_FALSE(aggregate("aggregate_pubkeys_internal", {pk, b}).second);
    EXPECT_FALSE(verify_aggregate(sig, {b}, {msg}));
  }
  Bytes sig_short(sig.begin(), sig.end() - 1), sig_no_flag = sig;
  sig_no_flag[0] &= 0x7f;
  for (const Bytes& b : {Bytes{}, sig_short, sig_no_flag, Bytes(96, 0xff)}) {
    EXPECT_FALSE(sig_subgroup(b));
    EXPECT_FALSE(verify_normal(b, pk, msg));
    EXPECT_FALSE(verify_pop(pk, b));
    EXPECT_FALSE(aggregate("aggregate_signatures_internal", {sig, b}).second);
  }
  // A shape the Move types cannot produce is an invariant violation, not a crash.
  NoContext ctx;
  std::vector<Value> wrong{Value::boolean(true)};
  EXPECT_FALSE((*registry_->find(account_address(1), "bls12381", "validate_pubkey_internal"))(ctx, {}, wrong).ok());
}

TEST_F(Bls12381, GasFollowsAptosSteps) {
  for (const char* n : {"base", "per_pubkey_deserialize", "per_pubkey_aggregate", "per_sig_deserialize",
                        "per_sig_aggregate", "per_sig_subgroup_check", "per_sig_verify", "per_pop_verify",
                        "per_pairing", "per_msg_hashing", "per_byte_hashing"})
    EXPECT_GT(p(n), 0u) << n;
  Key k = key(3);
  Bytes msg = str("gas!"), pk = k.pk(), sig = k.sign(msg), bad(48, 0);
  uint64_t base = p("base"), pkd = p("per_pubkey_deserialize"), sigd = p("per_sig_deserialize");
  uint64_t verify = p("per_sig_verify") + p("per_msg_hashing") + p("per_byte_hashing") * msg.size();
  EXPECT_EQ(cost("validate_pubkey_internal", {bytes(pk)}), base + 2 * pkd);  // subgroup check billed as pkd
  EXPECT_EQ(cost("validate_pubkey_internal", {bytes(bad)}), base + pkd);
  EXPECT_EQ(cost("verify_normal_signature_internal", {bytes(sig), bytes(pk), bytes(msg)}), base + 2 * pkd + sigd + verify);
  EXPECT_EQ(cost("verify_normal_signature_internal", {bytes(sig), bytes(bad), bytes(msg)}), base + pkd);
  EXPECT_EQ(cost("verify_signature_share_internal", {bytes(sig), bytes(pk), bytes(msg)}), base + pkd + sigd + verify);
  EXPECT_EQ(cost("verify_multisignature_internal", {bytes(Bytes(96, 0)), bytes(pk), bytes(msg)}), base + pkd + sigd);
  EXPECT_EQ(cost("verify_proof_of_possession_internal", {bytes(pk), bytes(k.pop())}),
            base + pkd + sigd + p("per_pop_verify"));
  EXPECT_EQ(cost("signature_subgroup_check_internal", {bytes(sig)}), base + sigd + p("per_sig_subgroup_check"));
  EXPECT_EQ(cost("aggregate_pubkeys_internal", {structs({pk, pk, pk})}), base + 3 * pkd + 3 * p("per_pubkey_aggregate"));
  EXPECT_EQ(cost("aggregate_pubkeys_internal", {structs({pk, bad, pk})}), base + 2 * pkd);
  EXPECT_EQ(cost("aggregate_signatures_internal", {structs({sig, sig})}), base + 2 * sigd + 2 * p("per_sig_aggregate"));
  EXPECT_EQ(cost("aggregate_signatures_internal", {structs({})}), base);
  std::vector<Bytes> msgs = {str("a"), str("bcd")};
  EXPECT_EQ(cost("verify_aggregate_signature_internal", {bytes(sig), structs({pk, pk}), byte_vectors(msgs)}),
            base + 2 * pkd + sigd + 3 * p("per_pairing") + 2 * p("per_msg_hashing") + 4 * p("per_byte_hashing"));
  EXPECT_EQ(cost("verify_aggregate_signature_internal", {bytes(sig), structs({pk}), byte_vectors(msgs)}), base);
}

// With too little gas left a native stops at the step whose charge does not fit (Aptos's
// SafeNativeContext::charge), before the work; the VM then fails with OUT_OF_GAS.
TEST_F(Bls12381, StopsAtTheChargeThatExceedsTheBalance) {
  Key k = key(4);
  Bytes msg = str("budget"), pk = k.pk(), sig = k.sign(msg);
  uint64_t base = p("base"), pkd = p("per_pubkey_deserialize"), sigd = p("per_sig_deserialize");
  BudgetMeter tight(base + pkd);  // room for one key
  auto r = call("verify_aggregate_signature_internal", {bytes(sig), structs({pk, pk, pk}), byte_vectors({msg, msg, msg})},
                &tight);
  EXPECT_EQ(r.cost, base + 2 * pkd);
  BudgetMeter before_verify(base + 2 * pkd + sigd);
  auto start = std::chrono::steady_clock::now();
  r = call("verify_normal_signature_internal", {bytes(sig), bytes(pk), bytes(msg)}, &before_verify);
  EXPECT_GT(r.cost, before_verify.remaining());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  BudgetMeter enough(base + 2 * pkd + sigd + p("per_sig_verify") + p("per_msg_hashing") + p("per_byte_hashing") * msg.size());
  r = call("verify_normal_signature_internal", {bytes(sig), bytes(pk), bytes(msg)}, &enough);
  EXPECT_EQ(r.cost, enough.remaining());
  EXPECT_TRUE(r.values.at(0).b);
  BudgetMeter none(0);
  EXPECT_EQ(call("aggregate_signatures_internal", {structs({sig})}, &none).cost, base);
}

// The genuine 0x1::bls12381 module of the v10 framework, executed by the VM.
TEST_F(Bls12381, FrameworkModuleThroughTheVM) {
  using test_util::bcs_bytes;  // vector<u8> (and one-field structs over it)
  auto bcs_vec = [&](const std::vector<Bytes>& items) {
    Bytes out{uint8_t(items.size())};
    for (auto& b : items) {
      Bytes e = bcs_bytes(b);
      out.insert(out.end(), e.begin(), e.end());
    }
    return out;
  };
  Session session(*state_, *registry_);
  UnmeteredGasMeter gas;
  auto run = [&](const char* fn, std::vector<Bytes> args) {
    return session.execute_function(account_address(1), "bls12381", fn, {}, {}, args, gas);
  };
  auto result = [](const auto& out) -> const std::vector<Value>& {
    EXPECT_TRUE(std::holds_alternative<ExecutionResult>(out));
    static const std::vector<Value> none;
    return std::holds_alternative<ExecutionResult>(out) ? std::get<ExecutionResult>(out).return_values : none;
  };
  // Option<T { bytes }>: a struct over a vector before the framework made Option an enum
  // (None / Some(T)), a variant since.
  auto option_bytes = [](const Value& opt) -> std::optional<Bytes> {
    const auto& items = opt.c->kind == ContainerKind::Variant ? opt.c->values : opt.c->values.at(0).c->values;
    if (items.empty()) return std::nullopt;
    return items.at(0).c->values.at(0).c->bytes;
  };

  Key k1 = key(21), k2 = key(22);
  Bytes msg = str("through the VM");
  // public_key_from_bytes_with_pop: Some with a valid PoP, None with another key's PoP.
  auto with_pop = run("public_key_from_bytes_with_pop", {bcs_bytes(k1.pk()), bcs_bytes(k1.pop())});
  ASSERT_EQ(result(with_pop).size(), 1u);
  EXPECT_EQ(option_bytes(result(with_pop)[0]), std::optional<Bytes>(k1.pk()));
  auto wrong_pop = run("public_key_from_bytes_with_pop", {bcs_bytes(k1.pk()), bcs_bytes(k2.pop())});
  ASSERT_EQ(result(wrong_pop).size(), 1u);
  EXPECT_EQ(option_bytes(result(wrong_pop)[0]), std::nullopt);
  // public_key_from_bytes rejects the identity.
  Bytes inf(48, 0);
  inf[0] = 0xc0;
  auto from_inf = run("public_key_from_bytes", {bcs_bytes(inf)});
  ASSERT_EQ(result(from_inf).size(), 1u);
  EXPECT_EQ(option_bytes(result(from_inf)[0]), std::nullopt);
  // verify_normal_signature(&Signature, &PublicKey, message)
  auto ok = run("verify_normal_signature", {bcs_bytes(k1.sign(msg)), bcs_bytes(k1.pk()), bcs_bytes(msg)});
  ASSERT_EQ(result(ok).size(), 1u);
  EXPECT_TRUE(result(ok)[0].b);
  auto bad = run("verify_normal_signature", {bcs_bytes(k1.sign(msg)), bcs_bytes(k2.pk()), bcs_bytes(msg)});
  ASSERT_EQ(result(bad).size(), 1u);
  EXPECT_FALSE(result(bad)[0].b);
  // aggregate_pubkeys + verify_multisignature over the aggregate.
  auto apk = run("aggregate_pubkeys", {bcs_vec({k1.pk(), k2.pk()})});
  ASSERT_EQ(result(apk).size(), 1u);
  Bytes apk_bytes = result(apk)[0].c->values.at(0).c->bytes;
  auto [expect_apk, agg_ok] = aggregate("aggregate_pubkeys_internal", {k1.pk(), k2.pk()});
  EXPECT_EQ(apk_bytes, expect_apk);
  auto multisig = aggregate("aggregate_signatures_internal", {k1.sign(msg), k2.sign(msg)}).first;
  auto multi_ok = run("verify_multisignature", {bcs_bytes(multisig), bcs_bytes(apk_bytes), bcs_bytes(msg)});
  ASSERT_EQ(result(multi_ok).size(), 1u);
  EXPECT_TRUE(result(multi_ok)[0].b);
  // aggregate_pubkeys of nothing aborts with invalid_argument(EZERO_PUBKEYS) = 0x10001.
  auto empty = run("aggregate_pubkeys", {Bytes{0}});
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(empty));
  EXPECT_EQ(std::get<ExecutionError>(empty).error.status, StatusCode::ABORTED);
  EXPECT_EQ(std::get<ExecutionError>(empty).sub_status, std::optional<uint64_t>(0x10001));
  // aggr_or_multi_signature_from_bytes aborts with invalid_argument(EWRONG_SIZE) = 0x10002.
  auto wrong_size = run("aggr_or_multi_signature_from_bytes", {bcs_bytes(Bytes(95, 0))});
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(wrong_size));
  EXPECT_EQ(std::get<ExecutionError>(wrong_size).sub_status, std::optional<uint64_t>(0x10002));
}

// Wall time is printed too, but on a shared machine the thread's CPU time is the figure to read.
TEST_F(Bls12381, VerifyTime) {
  Key k = key(5);
  Bytes msg(100, 'x'), pk = k.pk(), sig = k.sign(msg);
  auto cpu_ms = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  };
  constexpr int kRuns = 20;
  auto wall_start = std::chrono::steady_clock::now();
  double cpu_start = cpu_ms();
  int verified = 0;
  for (int i = 0; i < kRuns; ++i) verified += verify_normal(sig, pk, msg);
  double cpu = (cpu_ms() - cpu_start) / kRuns;
  double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_start).count() / kRuns;
  EXPECT_EQ(verified, kRuns);
  std::printf("verify_normal_signature_internal (100-byte message): %.2f ms CPU, %.2f ms wall per call\n", cpu, wall);
  EXPECT_LT(cpu, 50.0);  // generous for unoptimized builds; Release is far below
}

}  // namespace
}  // namespace lumio::movevm
