// 0x1::ristretto255 natives and the Bulletproofs verifier: RFC 9496 vectors, invalid
// encodings, scalar identities, the per-session handle limit, Aptos's gas, Keccak/Merlin
// vectors, Aptos's published range proofs (valid, tampered, wrong commitment / bits / DST),
// proofs from a small prover written here, and genuine framework functions run by the VM on
// the v10 genesis state.
#include <gtest/gtest.h>

#include <sodium.h>

#include <cstring>
#include <filesystem>

#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/natives_internal.hpp"
#include "movevm/ristretto_internal.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/genesis_chain.hpp"

namespace lumio::movevm {
namespace {

namespace rs = ristretto;
namespace bp = bulletproofs;


Bytes hx(std::string_view s) {
  auto b = from_hex(s);
  if (!b) throw std::runtime_error("bad hex in test");
  return *b;
}
rs::Point point_hx(std::string_view s) {
  Bytes b = hx(s);
  rs::Point p;
  std::copy(b.begin(), b.end(), p.begin());
  return p;
}
rs::Scalar scalar_hx(std::string_view s) { return point_hx(s); }
std::string hex(BytesView b) { return to_hex(b, false); }
std::string hex(const rs::Point& p) { return to_hex(BytesView(p.data(), 32), false); }

// Aptos's test vectors (aptos-stdlib sources/cryptography/ristretto255_bulletproofs.move):
// commitments to A_VALUE / B_VALUE with blinders A_BLINDER / B_BLINDER under (basepoint,
// hash_to_point_base), a 64-bit range proof for A_COMM and a 64-bit batch proof for
// [A_COMM, B_COMM], all with DST "AptosBulletproofs". Used as data.
const char* kDst = "AptosBulletproofs";
const char* kAValue = "870c2fa1b2e9ac45000000000000000000000000000000000000000000000000";
const char* kBValue = "bb9d99fb7f9e572b000000000000000000000000000000000000000000000000";
const char* kABlinder = "e7c7b42b75503bfc7b1932783786d227ebf88f79da752b68f6b865a9c179640c";
const char* kBBlinder = "ce224fe5e1111a394fc254ee503aa2406706ef606efac6e2d0332711c7a7bc06";
const char* kAComm = "0a665260a4e42e575882c2cdcb3d0febd6cf168834f6de1e9e61e7b2e53dbf14";
const char* kBComm = "748c244d880a1de3970a3d01670a04db6b74b9741bfec8732e512312384a6515";
const char* kAProof =
    "d8d422d3fb9511d1942b78e3ec1a8c82fe1c01a0a690c55a4761e7e825633a753cca816667d2cbb716fe04a9c199cad748c2d4e59de4ed04fe"
    "df5f04f4341a74ae75b63c1997fd65d5fb3a8c03ad8771abe2c0a4f65d19496c11d948d6809503eac4d996f2c6be4e64ebe2df31102c96f10669"
    "5bdf489dc9290c93b4d4b5411fb6298d0c33afa57e2e1948c38ef567268a661e7b1c099272e29591e717930a06a2c6e0e2d56aedea3078fd5933"
    "4634f1a4543069865409eba074278f191039083102a9a0621791a9be09212a847e22061e083d7a712b05bca7274b25e4cb1201c679c4957f0842"
    "d7661fa1d3f5456a651e89112628b456026f8ad3a7abeaba3fec8031ec8b0392c0aa6c96205f7b21b0c2d6b5d064bd5bd1a1d91c41625d910688"
    "fa0dca35ec0f0e31a45792f8d6a330be970a22e1e0773111a083de893c89419ee7de97295978de90bcdf873a2826746809e64f9143417dbed09f"
    "a1c124e673febfed65c137cc45fabda963c96b64645802d1440cba5e58717e539f55f3321ab0c0f60410fba70070c5db500fee874265a343a2a5"
    "9773fd150bcae09321a5166062e176e2e76bef0e3dd1a9250bcb7f4c971c10f0b24eb2a94e009b72c1fc21ee4267881e27b4edba8bed627ddf37"
    "e0c53cd425bc279d0c50d154d136503e54882e9541820d6394bd52ca2b438fd8c517f186fec0649c4846c4e43ce845d80e503dee157ce5539218"
    "8039a7efc78719107ab989db8d9363b9dfc1946f01a84dbca5e742ed5f30b07ac61cf17ce2cf2c6a49d799ed3968a63a3ccb90d9a0e50960d959"
    "f17f202dd5cf0f2c375a8a702e063d339e48c0227e7cf710157f63f13136d8c3076c672ea2c1028fc1825366a145a4311de6c2cc46d3144ae3d2"
    "bc5808819b9817be3fce1664ecb60f74733e75e97ca8e567d1b81bdd4c56c7a340ba00";
const char* kABProof =
    "103086c56ead10712514d2807c5605cb5f3a090566196549b5f03bedd7c1f450b4619bca9b00f87b2e039e844c24f9f2512901eea7f8f322f218"
    "f58c37186e1bd40ae74942f69b18f6806a536b2ab0793ab8e646eafc6e31d5219545dfcbb21334230c4e063e682d1f37fdfe7258d1735af1ba47"
    "64ca182803ef4566ddd386143550b83b8d686514988ee05bb7b4180f3b296a0a9711976365b678b537e2190c49cecded1d209ecec733e5cb85d5"
    "427f1f2ef1a44ebac41fdbf822692bd68b012515065faab0611aaabe87c1facbe68e648f2e2a0de6e5e81490dfa178546d0e1ec7a7c7ee6eb1e7"
    "2f0e62b6a81abf23d4e4f946e5c5b28ca287d7ee30c72667ec1203ea9314a4ef182e3ed8a49700cb2452c3765fd29611e2abb5d8aa1970387452"
    "cd473383707a0b8e2eb46ba6826654e03ba5f73b56a0ae30012dc723576e76b280339600decef76eda350232ee9e53b373d745b958a19c8b4e71"
    "33f4b846727dab188441bb7d2484a73a9a83c1c94e7bea0ea0253418d3d5a751e63f940106e597772d169a01d93b495d10c08725c5d8cdef2430"
    "6a164a2e1fa1b19eb0217239bbc661e0f1ead2bf3ecc3f178b6b49c61aa2c45f4832ba9ebc2744b79b413081e824b0978cab1934d29760f77751"
    "450e409da17941ff693b7dbc0b45d0659aeca05e1e92572fcd4c4d5846e7963e25cce6d54fc4a963da031747695a8e2000469e22e682e1b3f141"
    "891121d189504db63b4ab40e0d4c59f0b945b8188b79f0eb4916723a757bcfc787863ff28c5555c8ad93df81bba7b2ff9c164e180331a8b24cff"
    "4a9de0d2a8b71f73d24521781f0ced1a064698af138c00160c87eb7ffca5ab1d9a1bec5144c648c5f51a6093dbe8ed88a2fcaab4d5412c60ebb2"
    "5827d8cab48787f705c5781e2ecd82939d3b3f864c21701fcecbc57b196db7c055273e86ac654a24016abd8ba7c6e87610a0e1b70ff57378992b"
    "2d5d45c963829b0aa9323b0dde3f02382e583cb3733c187b46903ed629820ec8043a8c18df42dc0a";

// PedersenGens::default()'s blinding base: hash_from_bytes::<Sha3_512>(basepoint encoding),
// what 0x1::ristretto255::hash_to_point_base() returns.
rs::Point pedersen_h() {
  Bytes h = natives::sha3_512(BytesView(rs::kBasepoint.data(), 32));
  return rs::from_uniform_bytes(h.data());
}

// A native context with only extensions (the ristretto natives need nothing else).
class Ctx final : public NativeContext, public ResourceAccess {
 public:
  GasMeter& gas() override { return meter_; }
  NativeExtensions& extensions() override { return ext_; }
  ResourceAccess& resources() override { return *this; }
  Expected<TypeLayout> layout_of(const Type&) override { return err(); }
  Expected<TypeTag> type_tag_of(const Type&) override { return err(); }
  Expected<Type> type_of(const TypeTag&) override { return err(); }
  Expected<bool> exists(const AccountAddress&, const Type&) override { return err(); }
  Expected<Value> borrow_global(const AccountAddress&, const Type&, bool) override { return err(); }
  std::optional<VMError> move_to(const AccountAddress&, const Type&, Value) override { return err(); }
  Expected<Value> move_from(const AccountAddress&, const Type&) override { return err(); }

 private:
  static VMError err() { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "test context", {}, {}}; }
  UnmeteredGasMeter meter_;
  NativeExtensions ext_;
};

Value vec(const Bytes& b) { return make_vec_u8(b); }
Value vec(const rs::Point& p) { return make_vec_u8(Bytes(p.begin(), p.end())); }
Value point_ref(uint64_t handle) { return Value::container_ref(make_struct({Value::u64v(handle)}).c); }

using test_util::bcs_bytes;
using test_util::bcs_u64;

class Ristretto : public test_util::V10Suite {
 protected:
  Expected<NativeResult> call(const char* module, const char* name, std::vector<Value> args,
                              std::vector<Type> tys = {}) {
    const NativeFunction* f = registry_->find(account_address(1), module, name);
    if (!f) return VMError{StatusCode::MISSING_DEPENDENCY, std::string("no native ") + name, {}, {}};
    return (*f)(ctx_, tys, args);
  }
  NativeResult ok(Expected<NativeResult> r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return {};
    EXPECT_FALSE(r->aborted) << r->abort_code;
    return *r;
  }
  uint64_t handle(Expected<NativeResult> r) { return ok(std::move(r)).values.at(0).u64; }
  Bytes bytes(Expected<NativeResult> r) { return ok(std::move(r)).values.at(0).c->bytes; }
  rs::Point compress(uint64_t h) {
    Bytes b = bytes(call("ristretto255", "point_compress_internal", {point_ref(h)}));
    rs::Point p{};
    if (b.size() == 32) std::copy(b.begin(), b.end(), p.begin());
    return p;
  }
  uint64_t gas(const char* name) { return params_->native(std::string("aptos_framework.") + name); }
  Ctx ctx_;
};

// ---------------------------------------------------------------------------------------------
// Ristretto255

const char* kMultiples[16] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
    "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
    "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
    "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
    "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
    "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
    "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
    "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
    "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
    "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
    "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
};

// RFC 9496 A.1: k*B by basepoint_mul, by repeated point_add, and by point_mul; each decodes.
TEST_F(Ristretto, Rfc9496MultiplesOfTheBasepoint) {
  uint64_t base = handle(call("ristretto255", "point_decompress_internal", {vec(rs::kBasepoint)}));
  uint64_t acc = handle(call("ristretto255", "point_identity_internal", {}));
  for (uint64_t k = 0; k < 16; ++k) {
    EXPECT_EQ(hex(compress(acc)), kMultiples[k]) << "sum " << k;
    uint64_t bm = handle(call("ristretto255", "basepoint_mul_internal", {vec(rs::scalar_from_u64(k))}));
    EXPECT_EQ(hex(compress(bm)), kMultiples[k]) << "basepoint_mul " << k;
    uint64_t pm = handle(call("ristretto255", "point_mul_internal",
                              {point_ref(base), vec(rs::scalar_from_u64(k)), Value::boolean(false)}));
    EXPECT_EQ(hex(compress(pm)), kMultiples[k]) << "point_mul " << k;
    auto dec = ok(call("ristretto255", "point_decompress_internal", {vec(hx(kMultiples[k]))}));
    EXPECT_TRUE(dec.values.at(1).b);
    EXPECT_TRUE(ok(call("ristretto255", "point_is_canonical_internal", {vec(hx(kMultiples[k]))})).values.at(0).b);
    EXPECT_TRUE(ok(call("ristretto255", "point_equals", {point_ref(dec.values[0].u64), point_ref(bm)})).values[0].b);
    // in place: acc += base keeps the handle
    EXPECT_EQ(handle(call("ristretto255", "point_add_internal", {point_ref(acc), point_ref(base), Value::boolean(true)})), acc);
  }
}

// Our multi-scalar multiplication (own field arithmetic, bucket method) equals libsodium's
// per-term sum, across the window sizes, with identity points, zero and l - 1 scalars; invalid
// encodings are refused.
TEST(RistrettoMsm, AgreesWithLibsodium) {
  auto rnd_point = [] {
    uint8_t w[64];
    randombytes_buf(w, sizeof w);
    return rs::from_uniform_bytes(w);
  };
  auto rnd_scalar = [] {
    uint8_t w[64];
    randombytes_buf(w, sizeof w);
    return rs::scalar_reduce64(w);
  };
  for (size_t n : {0, 1, 2, 3, 7, 8, 9, 63, 64, 65, 300, 600}) {
    std::vector<rs::Scalar> sc(n);
    std::vector<rs::Point> pt(n);
    for (size_t i = 0; i < n; ++i) sc[i] = rnd_scalar(), pt[i] = rnd_point();
    if (n > 2) {
      pt[1] = rs::kIdentity;
      sc[2] = rs::kZero;
      sc[0] = scalar_hx("ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    }
    auto ours = rs::multi_scalar_mul_vartime(sc, pt);
    ASSERT_TRUE(ours) << n;
    EXPECT_EQ(hex(*ours), hex(rs::multi_scalar_mul_sodium(sc, pt))) << n;
  }
  // P + (-P) = identity; RFC multiples: sum_{k} 1 * kB = (0+1+...+15) B = 120 B = 8 * 15B
  std::vector<rs::Point> mult;
  for (const char* h : kMultiples) mult.push_back(point_hx(h));
  std::vector<rs::Scalar> ones(16, rs::kOne);
  EXPECT_EQ(*rs::multi_scalar_mul_vartime(ones, mult), rs::mul(point_hx(kMultiples[15]), rs::scalar_from_u64(8)));
  rs::Point p = rnd_point();
  std::vector<rs::Point> pp{p, rs::neg(p)};
  std::vector<rs::Scalar> s2{rs::kOne, rs::kOne};
  EXPECT_EQ(*rs::multi_scalar_mul_vartime(s2, pp), rs::kIdentity);
  std::vector<rs::Point> bad{point_hx("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")};
  std::vector<rs::Scalar> one{rs::kOne};
  EXPECT_FALSE(rs::multi_scalar_mul_vartime(one, bad));
  Bytes top = hx(kMultiples[3]);
  top[31] |= 0x80;
  bad[0] = point_hx(hex(top));
  EXPECT_FALSE(rs::multi_scalar_mul_vartime(one, bad));
}

// RFC 9496 A.2: every invalid encoding is rejected (is_canonical false, decompress (MAX, false)).
TEST_F(Ristretto, Rfc9496InvalidEncodings) {
  const char* bad[] = {
      // non-canonical field encodings
      "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      // negative field elements
      "0100000000000000000000000000000000000000000000000000000000000000",
      "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516c77d7f060",
      // non-square x^2
      "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
      "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
      "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
      "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
      "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
      "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
      "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
      "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
      // negative x*y
      "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
      "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
      "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
      "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
      "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
      "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
      "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
      "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
      // s = -1 (y = 0)
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  size_t before = rs::point_store(ctx_.extensions()).points.size();
  for (const char* h : bad) {
    EXPECT_FALSE(ok(call("ristretto255", "point_is_canonical_internal", {vec(hx(h))})).values.at(0).b) << h;
    auto r = ok(call("ristretto255", "point_decompress_internal", {vec(hx(h))}));
    ASSERT_EQ(r.values.size(), 2u);
    EXPECT_EQ(r.values[0].u64, UINT64_MAX);
    EXPECT_FALSE(r.values[1].b);
    EXPECT_EQ(r.cost, gas("ristretto255.point_decompress"));
  }
  // wrong lengths and a set top bit on a valid encoding
  Bytes top = hx(kMultiples[1]);
  top[31] |= 0x80;
  for (const Bytes& b : {Bytes{}, Bytes(31, 0), Bytes(33, 0), top})
    EXPECT_FALSE(ok(call("ristretto255", "point_is_canonical_internal", {vec(b)})).values.at(0).b);
  EXPECT_EQ(rs::point_store(ctx_.extensions()).points.size(), before);  // nothing stored
}

// RFC 9496 A.3: from_uniform_bytes (new_point_from_64_uniform_bytes), and SHA-512 hashing.
TEST_F(Ristretto, Rfc9496HashToGroup) {
  const char* in[7] = {
      "5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c14d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6",
      "f116b34b8f17ceb56e8732a60d913dd10cce47a6d53bee9204be8b44f6678b270102a56902e2488c46120e9276cfe54638286b9e4b3cdb470b542d46c2068d38",
      "8422e1bbdaab52938b81fd602effb6f89110e1e57208ad12d9ad767e2e25510c27140775f9337088b982d83d7fcf0b2fa1edffe51952cbe7365e95c86eaf325c",
      "ac22415129b61427bf464e17baee8db65940c233b98afce8d17c57beeb7876c2150d15af1cb1fb824bbd14955f2b57d08d388aab431a391cfc33d5bafb5dbbaf",
      "165d697a1ef3d5cf3c38565beefcf88c0f282b8e7dbd28544c483432f1cec7675debea8ebb4e5fe7d6f6e5db15f15587ac4d4d4a1de7191e0c1ca6664abcc413",
      "a836e6c9a9ca9f1e8d486273ad56a78c70cf18f0ce10abb1c7172ddd605d7fd2979854f47ae1ccf204a33102095b4200e5befc0465accc263175485f0e17ea5c",
      "2cdc11eaeb95daf01189417cdddbf95952993aa9cb9c640eb5058d09702c74622c9965a697a3b345ec24ee56335b556e677b30e6f90ac77d781064f866a3c982",
  };
  const char* out[7] = {
      "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46",
      "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b",
      "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826",
      "f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a",
      "ae81e7dedf20a497e10c304a765c1767a42d6e06029758d2d7e8ef7cc4c41179",
      "e2705652ff9f5e44d3e841bf1c251cf7dddb77d140870d1ab2ed64f1a9ce8628",
      "80bd07262511cdde4863f8a7434cef696750681cb9510eea557088f76d9e5065",
  };
  for (int i = 0; i < 7; ++i) {
    auto r = ok(call("ristretto255", "new_point_from_64_uniform_bytes_internal", {vec(hx(in[i]))}));
    EXPECT_EQ(r.cost, gas("ristretto255.point_from_64_uniform_bytes"));
    EXPECT_EQ(hex(compress(r.values.at(0).u64)), out[i]);
  }
  for (const char* conv : {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff1200000000000000000000000000000000000000000000000000000000000000",
                           "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                           "0000000000000000000000000000000000000000000000000000000000000080ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                           "00000000000000000000000000000000000000000000000000000000000000001200000000000000000000000000000000000000000000000000000000000080"})
    EXPECT_EQ(hex(compress(handle(call("ristretto255", "new_point_from_64_uniform_bytes_internal", {vec(hx(conv))})))),
              "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f");
  // new_point_from_sha512 = from_uniform_bytes(SHA-512(msg)), charged per byte.
  Bytes msg = hx("deadbeef");
  auto r = ok(call("ristretto255", "new_point_from_sha512_internal", {vec(msg)}));
  uint8_t h[64];
  crypto_hash_sha512(h, msg.data(), msg.size());
  EXPECT_EQ(compress(r.values.at(0).u64), rs::from_uniform_bytes(h));
  EXPECT_EQ(r.cost, gas("ristretto255.point_from_64_uniform_bytes") + gas("ristretto255.scalar_sha512_per_hash") +
                        4 * gas("ristretto255.scalar_sha512_per_byte"));
  // Wrong length: the type error Aptos reports for a bad argument (Move checks the length first).
  auto bad = call("ristretto255", "new_point_from_64_uniform_bytes_internal", {vec(Bytes(63, 1))});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, StatusCode::INTERNAL_TYPE_ERROR);
}

TEST_F(Ristretto, PointArithmetic) {
  auto pt = [&](const char* h) { return handle(call("ristretto255", "point_decompress_internal", {vec(hx(h))})); };
  uint64_t p2 = pt(kMultiples[2]), p3 = pt(kMultiples[3]), p5 = pt(kMultiples[5]);
  auto bin = [&](const char* f, uint64_t a, uint64_t b) {
    return handle(call("ristretto255", f, {point_ref(a), point_ref(b), Value::boolean(false)}));
  };
  EXPECT_EQ(hex(compress(bin("point_add_internal", p2, p3))), kMultiples[5]);
  EXPECT_EQ(hex(compress(bin("point_sub_internal", p5, p2))), kMultiples[3]);
  EXPECT_EQ(hex(compress(bin("point_sub_internal", p2, p2))), kMultiples[0]);
  uint64_t n2 = handle(call("ristretto255", "point_neg_internal", {point_ref(p2), Value::boolean(false)}));
  EXPECT_EQ(hex(compress(bin("point_add_internal", p5, n2))), kMultiples[3]);
  // in-place neg twice is the identity map; sub in place
  EXPECT_EQ(handle(call("ristretto255", "point_neg_internal", {point_ref(n2), Value::boolean(true)})), n2);
  EXPECT_EQ(hex(compress(n2)), kMultiples[2]);
  EXPECT_EQ(handle(call("ristretto255", "point_sub_internal", {point_ref(p5), point_ref(p3), Value::boolean(true)})), p5);
  EXPECT_EQ(hex(compress(p5)), kMultiples[2]);
  // clone is a new handle with the same point
  uint64_t c = handle(call("ristretto255", "point_clone_internal", {Value::u64v(p3)}));
  EXPECT_NE(c, p3);
  EXPECT_EQ(hex(compress(c)), kMultiples[3]);
  // 3 * (2B) = 6B; in place
  EXPECT_EQ(handle(call("ristretto255", "point_mul_internal", {point_ref(p2), vec(rs::scalar_from_u64(3)), Value::boolean(true)})), p2);
  EXPECT_EQ(hex(compress(p2)), kMultiples[6]);
  // basepoint_double_mul(a, P, b) = a*P + b*B: 2*(3B) + 5*B = 11B
  uint64_t d = handle(call("ristretto255", "basepoint_double_mul_internal",
                           {vec(rs::scalar_from_u64(2)), point_ref(p3), vec(rs::scalar_from_u64(5))}));
  EXPECT_EQ(hex(compress(d)), kMultiples[11]);
  // double_scalar_mul(P1, P2, s1, s2) by raw handles: 4*(3B) + 1*(6B) = 18B = 15B + 3B
  uint64_t e = handle(call("ristretto255", "double_scalar_mul_internal",
                           {Value::u64v(p3), Value::u64v(p2), vec(rs::scalar_from_u64(4)), vec(rs::kOne)}));
  EXPECT_EQ(compress(e), rs::add(point_hx(kMultiples[15]), point_hx(kMultiples[3])));
  // multi_scalar_mul over &vector<RistrettoPoint>, &vector<Scalar>: 1*3B + 2*6B + 0*3B = 15B
  std::vector<Value> pts, scs;
  for (uint64_t h : {p3, p2, c}) pts.push_back(make_struct({Value::u64v(h)}));
  for (uint64_t s : {1, 2, 0}) scs.push_back(make_struct({vec(rs::scalar_from_u64(s))}));
  Type any;
  auto m = ok(call("ristretto255", "multi_scalar_mul_internal",
                   {Value::container_ref(make_vector(pts).c), Value::container_ref(make_vector(scs).c)}, {any, any}));
  EXPECT_EQ(hex(compress(m.values.at(0).u64)), kMultiples[15]);
  // gas: parse args per element and point_mul * (n / floor(log2(n + 1))) = 3 / 2 = 1
  EXPECT_EQ(m.cost, 3 * gas("ristretto255.point_parse_arg") + 3 * gas("ristretto255.scalar_parse_arg") +
                        1 * gas("ristretto255.point_mul"));
  // equals
  EXPECT_TRUE(ok(call("ristretto255", "point_equals", {point_ref(p5), point_ref(pt(kMultiples[2]))})).values[0].b);
  EXPECT_FALSE(ok(call("ristretto255", "point_equals", {point_ref(p5), point_ref(p3)})).values[0].b);
  // per-native constant gas
  EXPECT_EQ(ok(call("ristretto255", "point_add_internal", {point_ref(p3), point_ref(p3), Value::boolean(false)})).cost,
            gas("ristretto255.point_add"));
  EXPECT_EQ(ok(call("ristretto255", "point_clone_internal", {Value::u64v(p3)})).cost, gas("ristretto255.point_clone"));
  EXPECT_EQ(ok(call("ristretto255", "double_scalar_mul_internal",
                    {Value::u64v(p3), Value::u64v(p2), vec(rs::kOne), vec(rs::kOne)})).cost,
            gas("ristretto255.point_double_mul"));
  // an unknown handle is an invariant violation, not a crash
  EXPECT_FALSE(call("ristretto255", "point_compress_internal", {point_ref(1u << 30)}).ok());
  EXPECT_FALSE(call("ristretto255", "point_clone_internal", {Value::u64v(UINT64_MAX)}).ok());
}

TEST_F(Ristretto, ScalarArithmetic) {
  const char* L = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
  const char* L_minus_1 = "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
  auto canon = [&](const Bytes& b) { return ok(call("ristretto255", "scalar_is_canonical_internal", {vec(b)})).values.at(0).b; };
  EXPECT_TRUE(canon(hx(L_minus_1)));
  EXPECT_TRUE(canon(Bytes(32, 0)));
  EXPECT_FALSE(canon(hx(L)));
  EXPECT_FALSE(canon(Bytes(32, 0xff)));
  EXPECT_FALSE(canon(Bytes(31, 0)));
  EXPECT_FALSE(canon(Bytes(33, 0)));
  EXPECT_EQ(ok(call("ristretto255", "scalar_is_canonical_internal", {vec(Bytes(32, 0))})).cost,
            gas("ristretto255.scalar_is_canonical"));

  auto s2 = [&](const char* f, const rs::Scalar& a, const rs::Scalar& b) {
    Bytes r = bytes(call("ristretto255", f, {vec(a), vec(b)}));
    rs::Scalar s{};
    std::copy(r.begin(), r.end(), s.begin());
    return s;
  };
  auto s1 = [&](const char* f, const rs::Scalar& a) {
    Bytes r = bytes(call("ristretto255", f, {vec(a)}));
    rs::Scalar s{};
    std::copy(r.begin(), r.end(), s.begin());
    return s;
  };
  rs::Scalar a = scalar_hx(kABlinder), b = scalar_hx(kBBlinder), lm1 = scalar_hx(L_minus_1);
  EXPECT_EQ(s2("scalar_sub_internal", s2("scalar_add_internal", a, b), b), a);
  EXPECT_EQ(s2("scalar_add_internal", lm1, rs::kOne), rs::kZero);  // (l - 1) + 1 = 0
  EXPECT_EQ(s2("scalar_sub_internal", rs::kZero, rs::kOne), lm1);
  EXPECT_EQ(s1("scalar_neg_internal", rs::kOne), lm1);
  EXPECT_EQ(s2("scalar_add_internal", a, s1("scalar_neg_internal", a)), rs::kZero);
  EXPECT_EQ(s2("scalar_mul_internal", a, s1("scalar_invert_internal", a)), rs::kOne);
  EXPECT_EQ(s2("scalar_mul_internal", lm1, lm1), rs::kOne);  // (-1)^2
  EXPECT_EQ(s2("scalar_mul_internal", a, b), s2("scalar_mul_internal", b, a));
  EXPECT_EQ(s1("scalar_invert_internal", lm1), lm1);
  // from u64 / u128 (little-endian)
  EXPECT_EQ(hex(bytes(call("ristretto255", "scalar_from_u64_internal", {Value::u64v(5020644638028926087ULL)}))), kAValue);
  unsigned __int128 big = ((unsigned __int128)0x0102030405060708ULL << 64) | 0x090a0b0c0d0e0f10ULL;
  EXPECT_EQ(hex(bytes(call("ristretto255", "scalar_from_u128_internal", {Value::u128v(big)}))),
            "100f0e0d0c0b0a090807060504030201" + std::string(32, '0'));
  // reduced from 32 bytes: l -> 0, l + 1 -> 1, 2^256 - 1 mod l
  EXPECT_EQ(hex(bytes(call("ristretto255", "scalar_reduced_from_32_bytes_internal", {vec(hx(L))}))), std::string(64, '0'));
  Bytes l_plus_1 = hx(L);
  l_plus_1[0] += 1;
  EXPECT_EQ(bytes(call("ristretto255", "scalar_reduced_from_32_bytes_internal", {vec(l_plus_1)})), Bytes(rs::kOne.begin(), rs::kOne.end()));
  // 2^256 mod l = 2^256 - 16 * l ... checked as (2^256 - 1) + 1 == 2^256 mod l via uniform_from_64
  Bytes all_ones(32, 0xff);
  rs::Scalar r32 = s1("scalar_reduced_from_32_bytes_internal", scalar_hx(hex(all_ones)));
  Bytes wide(64, 0);
  wide[32] = 1;  // 2^256
  rs::Scalar r64{};
  {
    Bytes r = bytes(call("ristretto255", "scalar_uniform_from_64_bytes_internal", {vec(wide)}));
    std::copy(r.begin(), r.end(), r64.begin());
  }
  EXPECT_EQ(rs::scalar_add(r32, rs::kOne), r64);
  EXPECT_TRUE(rs::is_canonical_scalar(r64.data()));
  // from sha512: SHA-512 reduced mod l, charged per byte
  Bytes msg = hx("68656c6c6f2072616e646f6d20776f726c64");  // "hello random world"
  auto sh = ok(call("ristretto255", "scalar_from_sha512_internal", {vec(msg)}));
  uint8_t h[64];
  crypto_hash_sha512(h, msg.data(), msg.size());
  rs::Scalar want = rs::scalar_reduce64(h);
  EXPECT_EQ(sh.values.at(0).c->bytes, Bytes(want.begin(), want.end()));
  EXPECT_EQ(sh.cost, gas("ristretto255.scalar_uniform_from_64_bytes") + gas("ristretto255.scalar_sha512_per_hash") +
                         msg.size() * gas("ristretto255.scalar_sha512_per_byte"));
  // A non-canonical scalar argument is an invariant violation (Move never builds one); its
  // high bit is cleared first, as Scalar::from_bits.
  auto bad = call("ristretto255", "scalar_neg_internal", {vec(hx(L))});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
  Bytes high = Bytes(rs::kOne.begin(), rs::kOne.end());
  high[31] |= 0x80;
  EXPECT_EQ(s1("scalar_neg_internal", scalar_hx(hex(high))), lm1);
  auto short_scalar = call("ristretto255", "scalar_add_internal", {vec(Bytes(31, 0)), vec(rs::kOne)});
  ASSERT_FALSE(short_scalar.ok());
  EXPECT_EQ(short_scalar.error().status, StatusCode::INTERNAL_TYPE_ERROR);
}

// NUM_POINTS_LIMIT: 10000 points per session, then resource_exhausted(4) with the gas charged;
// in-place operations and non-allocating natives still work; a new session starts empty.
TEST_F(Ristretto, HandleLimit) {
  for (uint64_t i = 0; i < rs::PointStore::kMaxPoints; ++i) {
    auto r = call("ristretto255", "point_identity_internal", {});
    ASSERT_TRUE(r.ok() && !r->aborted) << i;
    ASSERT_EQ(r->values.at(0).u64, i);
  }
  auto over = call("ristretto255", "point_identity_internal", {});
  ASSERT_TRUE(over.ok());
  EXPECT_TRUE(over->aborted);
  EXPECT_EQ(over->abort_code, 0x09'0004u);
  EXPECT_EQ(over->cost, gas("ristretto255.point_identity"));
  auto dec = call("ristretto255", "point_decompress_internal", {vec(rs::kBasepoint)});
  ASSERT_TRUE(dec.ok());
  EXPECT_TRUE(dec->aborted);
  EXPECT_EQ(dec->abort_code, 0x09'0004u);
  EXPECT_TRUE(call("ristretto255", "basepoint_mul_internal", {vec(rs::kOne)})->aborted);
  EXPECT_EQ(handle(call("ristretto255", "point_add_internal", {point_ref(7), point_ref(8), Value::boolean(true)})), 7u);
  EXPECT_EQ(compress(7), rs::kIdentity);
  Ctx fresh;
  const NativeFunction* f = registry_->find(account_address(1), "ristretto255", "point_identity_internal");
  std::vector<Value> none;
  auto first = (*f)(fresh, {}, none);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->values.at(0).u64, 0u);
}

// ---------------------------------------------------------------------------------------------
// Keccak-f[1600], STROBE and Merlin

TEST(Merlin, KeccakPermutationGivesSha3) {
  // SHA3-256 as a sponge over our permutation (rate 136, pad 0x06 .. 0x80) vs Crypto++.
  for (size_t len : {0, 3, 135, 136, 137, 500}) {
    Bytes msg(len);
    for (size_t i = 0; i < len; ++i) msg[i] = uint8_t(i * 7 + 1);
    uint64_t st[25] = {};
    Bytes padded = msg;
    padded.push_back(0x06);
    while (padded.size() % 136) padded.push_back(0);
    padded.back() |= 0x80;
    for (size_t off = 0; off < padded.size(); off += 136) {
      for (size_t i = 0; i < 136; ++i) st[i / 8] ^= uint64_t(padded[off + i]) << (8 * (i % 8));
      merlin::keccak_f1600(st);
    }
    Bytes out(32);
    for (size_t i = 0; i < 32; ++i) out[i] = uint8_t(st[i / 8] >> (8 * (i % 8)));
    Hash32 want = natives::sha3_256(msg);
    EXPECT_EQ(hex(out), hex(want.view())) << len;
  }
}

TEST(Merlin, PublishedTranscriptVector) {
  // merlin's test: "test protocol" / "some label" = "some data" / 32-byte "challenge".
  merlin::Transcript t(BytesView(reinterpret_cast<const uint8_t*>("test protocol"), 13));
  t.append_message("some label", BytesView(reinterpret_cast<const uint8_t*>("some data"), 9));
  uint8_t c[32];
  t.challenge_bytes("challenge", c, 32);
  EXPECT_EQ(hex(BytesView(c, 32)), "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
}

// ---------------------------------------------------------------------------------------------
// Bulletproofs

BytesView dst_view() { return BytesView(reinterpret_cast<const uint8_t*>(kDst), 17); }

TEST(Bulletproofs, AptosPedersenCommitments) {
  rs::Point H = pedersen_h();
  auto commit = [&](const char* v, const char* r) {
    return rs::add(rs::basepoint_mul(scalar_hx(v)), rs::mul(H, scalar_hx(r)));
  };
  EXPECT_EQ(hex(commit(kAValue, kABlinder)), kAComm);
  EXPECT_EQ(hex(commit(kBValue, kBBlinder)), kBComm);
}

TEST(Bulletproofs, AptosProofsVerify) {
  rs::Point H = pedersen_h();
  auto proof = bp::RangeProof::from_bytes(hx(kAProof));
  ASSERT_TRUE(proof);
  EXPECT_EQ(proof->L.size(), 6u);
  EXPECT_EQ(hex(proof->to_bytes()), kAProof);
  std::vector<Bytes> a{hx(kAComm)}, b{hx(kBComm)}, ab{hx(kAComm), hx(kBComm)}, ba{hx(kBComm), hx(kAComm)};
  EXPECT_TRUE(bp::verify(*proof, a, rs::kBasepoint, H, 64, dst_view()));
  EXPECT_FALSE(bp::verify(*proof, b, rs::kBasepoint, H, 64, dst_view()));
  EXPECT_FALSE(bp::verify(*proof, a, rs::kBasepoint, H, 32, dst_view()));
  EXPECT_FALSE(bp::verify(*proof, a, H, rs::kBasepoint, 64, dst_view()));
  EXPECT_FALSE(bp::verify(*proof, a, rs::kBasepoint, H, 64, BytesView(reinterpret_cast<const uint8_t*>("AptosBulletproof"), 16)));
  auto batch = bp::RangeProof::from_bytes(hx(kABProof));
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->L.size(), 7u);
  EXPECT_TRUE(bp::verify(*batch, ab, rs::kBasepoint, H, 64, dst_view()));
  EXPECT_FALSE(bp::verify(*batch, ba, rs::kBasepoint, H, 64, dst_view()));
  EXPECT_FALSE(bp::verify(*batch, a, rs::kBasepoint, H, 64, dst_view()));
}

// Every single-byte change of a valid proof fails (or no longer parses).
TEST(Bulletproofs, TamperedBytesFail) {
  rs::Point H = pedersen_h();
  Bytes good = hx(kAProof);
  std::vector<Bytes> a{hx(kAComm)};
  for (size_t pos = 0; pos < good.size(); pos += 7) {
    Bytes bad = good;
    bad[pos] ^= uint8_t(1 << (pos % 8));
    auto p = bp::RangeProof::from_bytes(bad);
    if (p) {
      EXPECT_FALSE(bp::verify(*p, a, rs::kBasepoint, H, 64, dst_view())) << pos;
    }
  }
  for (size_t cut : {size_t(0), size_t(32), size_t(7 * 32), good.size() - 1, good.size() - 32}) {
    auto p = bp::RangeProof::from_bytes(BytesView(good).first(cut));
    if (p) {
      EXPECT_FALSE(bp::verify(*p, a, rs::kBasepoint, H, 64, dst_view())) << cut;
    }
  }
}

class BulletproofNatives : public Ristretto {
 protected:
  uint64_t store(const rs::Point& p) {
    auto& s = rs::point_store(ctx_.extensions());
    s.points.push_back(p);
    return s.points.size() - 1;
  }
};

TEST_F(BulletproofNatives, AbortCodesAndGas) {
  uint64_t g = store(rs::kBasepoint), h = store(pedersen_h());
  Bytes proof = hx(kAProof);
  auto single = [&](const Bytes& com, const Bytes& pf, uint64_t bits, const char* dst = kDst) {
    return call("ristretto255_bulletproofs", "verify_range_proof_internal",
                {vec(com), point_ref(g), point_ref(h), vec(pf), Value::u64v(bits),
                 vec(Bytes(dst, dst + std::strlen(dst)))});
  };
  auto r = ok(single(hx(kAComm), proof, 64));
  EXPECT_TRUE(r.values.at(0).b);
  EXPECT_EQ(r.cost, gas("bulletproofs.base") + proof.size() * gas("bulletproofs.per_byte_rangeproof_deserialize") +
                        64 * gas("bulletproofs.per_bit_rangeproof_verify"));
  EXPECT_FALSE(ok(single(hx(kBComm), proof, 64)).values.at(0).b);
  EXPECT_FALSE(ok(single(hx(kAComm), proof, 64, "other dst")).values.at(0).b);
  // 32 bits: deserializes, fails to verify (the proof has 64-bit length)
  EXPECT_FALSE(ok(single(hx(kAComm), proof, 32)).values.at(0).b);
  for (uint64_t bits : {0, 7, 10, 65, 128}) {
    auto bad = single(hx(kAComm), proof, bits);
    ASSERT_TRUE(bad.ok());
    EXPECT_TRUE(bad->aborted);
    EXPECT_EQ(bad->abort_code, 0x01'0003u) << bits;
  }
  auto empty = single(hx(kAComm), {}, 64);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->aborted);
  EXPECT_EQ(empty->abort_code, 0x01'0001u);
  EXPECT_EQ(empty->cost, gas("bulletproofs.base"));
  Bytes bad_scalar = proof;
  std::fill(bad_scalar.begin() + 4 * 32, bad_scalar.begin() + 5 * 32, 0xff);  // t_x not canonical
  EXPECT_EQ(single(hx(kAComm), bad_scalar, 64)->abort_code, 0x01'0001u);

  auto batch = [&](const char* module, std::vector<Bytes> comms, const Bytes& pf, uint64_t bits) {
    std::vector<Value> cs;
    for (auto& c : comms) cs.push_back(vec(c));
    return call(module, "verify_batch_range_proof_internal",
                {make_vector(cs), point_ref(g), point_ref(h), vec(pf), Value::u64v(bits), vec(Bytes(kDst, kDst + 17))});
  };
  Bytes ab = hx(kABProof);
  for (const char* module : {"ristretto255_bulletproofs", "confidential_range_proofs"}) {
    auto v = ok(batch(module, {hx(kAComm), hx(kBComm)}, ab, 64));
    EXPECT_TRUE(v.values.at(0).b) << module;
    EXPECT_EQ(v.cost, gas("bulletproofs.verify.base_batch_2_bits_64"));
    EXPECT_FALSE(ok(batch(module, {hx(kBComm), hx(kAComm)}, ab, 64)).values.at(0).b);
    Bytes tampered = ab;
    tampered[ab.size() / 2] += 1;
    EXPECT_FALSE(ok(batch(module, {hx(kAComm), hx(kBComm)}, tampered, 64)).values.at(0).b);
    EXPECT_EQ(batch(module, {hx(kAComm), hx(kBComm)}, ab, 10)->abort_code, 0x01'0003u);
    EXPECT_EQ(batch(module, {hx(kAComm), hx(kBComm), hx(kAComm)}, ab, 64)->abort_code, 0x01'0004u);
    EXPECT_EQ(batch(module, {}, ab, 64)->abort_code, 0x01'0004u);
    auto e = batch(module, {hx(kAComm)}, {}, 64);
    EXPECT_EQ(e->abort_code, 0x01'0001u);
    EXPECT_EQ(e->cost, gas("bulletproofs.verify.base_batch_1_bits_64"));
  }
}


// A Bulletproofs prover (dalek's RangeProof::prove_multiple with the dealer and parties folded
// into one), to produce valid proofs for every supported (bits, batch size) pair.
rs::Scalar random_scalar() {
  uint8_t wide[64];
  randombytes_buf(wide, sizeof wide);
  return rs::scalar_reduce64(wide);
}
rs::Scalar inner(const std::vector<rs::Scalar>& a, const std::vector<rs::Scalar>& b) {
  rs::Scalar acc = rs::kZero;
  for (size_t i = 0; i < a.size(); ++i) acc = rs::scalar_add(acc, rs::scalar_mul(a[i], b[i]));
  return acc;
}
BytesView label(const char* s) { return BytesView(reinterpret_cast<const uint8_t*>(s), std::strlen(s)); }

struct Proved {
  Bytes proof;
  std::vector<Bytes> commitments;
};
Proved prove(const std::vector<uint64_t>& values, size_t n, const rs::Point& B, const rs::Point& Bb, BytesView dst) {
  const size_t m = values.size(), nm = n * m;
  merlin::Transcript t(dst);
  t.append_message("dom-sep", label("rangeproof v1"));
  t.append_u64("n", n);
  t.append_u64("m", m);
  Proved out;
  std::vector<rs::Scalar> gamma(m);
  for (size_t j = 0; j < m; ++j) {
    gamma[j] = random_scalar();
    rs::Point V = rs::add(rs::mul(B, rs::scalar_from_u64(values[j])), rs::mul(Bb, gamma[j]));
    out.commitments.emplace_back(V.begin(), V.end());
    t.append_message("V", out.commitments.back());
  }
  std::vector<rs::Point> G(nm), H(nm);
  for (size_t i = 0; i < nm; ++i) G[i] = bp::gen_G(i / n, i % n), H[i] = bp::gen_H(i / n, i % n);
  std::vector<rs::Scalar> aL(nm), aR(nm), sL(nm), sR(nm);
  rs::Scalar minus_one = rs::scalar_neg(rs::kOne);
  for (size_t i = 0; i < nm; ++i) {
    bool bit = (values[i / n] >> (i % n)) & 1;
    aL[i] = bit ? rs::kOne : rs::kZero;
    aR[i] = bit ? rs::kZero : minus_one;
    sL[i] = random_scalar();
    sR[i] = random_scalar();
  }
  rs::Scalar alpha = random_scalar(), rho = random_scalar();
  auto vector_commit = [&](const rs::Scalar& blind, const std::vector<rs::Scalar>& l, const std::vector<rs::Scalar>& r) {
    std::vector<rs::Scalar> sc{blind};
    std::vector<rs::Point> pt{Bb};
    for (size_t i = 0; i < nm; ++i) sc.push_back(l[i]), pt.push_back(G[i]), sc.push_back(r[i]), pt.push_back(H[i]);
    return rs::multi_scalar_mul(sc, pt);
  };
  rs::Point A = vector_commit(alpha, aL, aR), S = vector_commit(rho, sL, sR);
  t.append_message("A", BytesView(A.data(), 32));
  t.append_message("S", BytesView(S.data(), 32));
  rs::Scalar y = t.challenge_scalar("y"), z = t.challenge_scalar("z"), zz = rs::scalar_mul(z, z);
  // l(X) = l0 + l1 X, r(X) = r0 + r1 X
  std::vector<rs::Scalar> l0(nm), l1 = sL, r0(nm), r1(nm);
  rs::Scalar y_pow = rs::kOne, z_pow = rs::kOne;
  for (size_t j = 0; j < m; ++j) {
    rs::Scalar two_pow = rs::kOne;
    for (size_t k = 0; k < n; ++k) {
      size_t i = j * n + k;
      l0[i] = rs::scalar_sub(aL[i], z);
      r0[i] = rs::scalar_add(rs::scalar_mul(y_pow, rs::scalar_add(aR[i], z)), rs::scalar_mul(rs::scalar_mul(zz, z_pow), two_pow));
      r1[i] = rs::scalar_mul(y_pow, sR[i]);
      y_pow = rs::scalar_mul(y_pow, y);
      two_pow = rs::scalar_add(two_pow, two_pow);
    }
    z_pow = rs::scalar_mul(z_pow, z);
  }
  rs::Scalar t1 = rs::scalar_add(inner(l0, r1), inner(l1, r0)), t2 = inner(l1, r1);
  rs::Scalar tau1 = random_scalar(), tau2 = random_scalar();
  rs::Point T1 = rs::add(rs::mul(B, t1), rs::mul(Bb, tau1)), T2 = rs::add(rs::mul(B, t2), rs::mul(Bb, tau2));
  t.append_message("T_1", BytesView(T1.data(), 32));
  t.append_message("T_2", BytesView(T2.data(), 32));
  rs::Scalar x = t.challenge_scalar("x");
  std::vector<rs::Scalar> l(nm), r(nm);
  for (size_t i = 0; i < nm; ++i) l[i] = rs::scalar_add(l0[i], rs::scalar_mul(l1[i], x)), r[i] = rs::scalar_add(r0[i], rs::scalar_mul(r1[i], x));
  rs::Scalar t_x = inner(l, r);
  rs::Scalar t_x_blinding = rs::scalar_add(rs::scalar_mul(tau1, x), rs::scalar_mul(tau2, rs::scalar_mul(x, x)));
  z_pow = rs::kOne;
  for (size_t j = 0; j < m; ++j) {
    t_x_blinding = rs::scalar_add(t_x_blinding, rs::scalar_mul(rs::scalar_mul(zz, z_pow), gamma[j]));
    z_pow = rs::scalar_mul(z_pow, z);
  }
  rs::Scalar e_blinding = rs::scalar_add(alpha, rs::scalar_mul(rho, x));
  t.append_message("t_x", BytesView(t_x.data(), 32));
  t.append_message("t_x_blinding", BytesView(t_x_blinding.data(), 32));
  t.append_message("e_blinding", BytesView(e_blinding.data(), 32));
  rs::Scalar w = t.challenge_scalar("w");
  rs::Point Q = rs::mul(B, w);
  // Inner-product argument over (G, H') with H'_i = y^-i H_i, folded round by round.
  rs::Scalar y_inv = rs::scalar_invert(y), f = rs::kOne;
  for (size_t i = 0; i < nm; ++i) H[i] = rs::mul(H[i], f), f = rs::scalar_mul(f, y_inv);
  t.append_message("dom-sep", label("ipp v1"));
  t.append_u64("n", nm);
  bp::RangeProof pf;
  std::vector<rs::Scalar> a = l, b = r;
  for (size_t k = nm / 2; k >= 1; k /= 2) {
    rs::Scalar cL{}, cR{};
    std::vector<rs::Scalar> aL_(a.begin(), a.begin() + k), aR_(a.begin() + k, a.end());
    std::vector<rs::Scalar> bL_(b.begin(), b.begin() + k), bR_(b.begin() + k, b.end());
    cL = inner(aL_, bR_);
    cR = inner(aR_, bL_);
    std::vector<rs::Scalar> ls, rsc;
    std::vector<rs::Point> lp, rp;
    for (size_t i = 0; i < k; ++i) {
      ls.push_back(aL_[i]), lp.push_back(G[k + i]), ls.push_back(bR_[i]), lp.push_back(H[i]);
      rsc.push_back(aR_[i]), rp.push_back(G[i]), rsc.push_back(bL_[i]), rp.push_back(H[k + i]);
    }
    ls.push_back(cL), lp.push_back(Q), rsc.push_back(cR), rp.push_back(Q);
    rs::Point L = rs::multi_scalar_mul(ls, lp), R = rs::multi_scalar_mul(rsc, rp);
    pf.L.push_back(L);
    pf.R.push_back(R);
    t.append_message("L", BytesView(L.data(), 32));
    t.append_message("R", BytesView(R.data(), 32));
    rs::Scalar u = t.challenge_scalar("u"), u_inv = rs::scalar_invert(u);
    for (size_t i = 0; i < k; ++i) {
      a[i] = rs::scalar_add(rs::scalar_mul(a[i], u), rs::scalar_mul(u_inv, a[k + i]));
      b[i] = rs::scalar_add(rs::scalar_mul(b[i], u_inv), rs::scalar_mul(u, b[k + i]));
      G[i] = rs::add(rs::mul(G[i], u_inv), rs::mul(G[k + i], u));
      H[i] = rs::add(rs::mul(H[i], u), rs::mul(H[k + i], u_inv));
    }
    a.resize(k), b.resize(k), G.resize(k), H.resize(k);
  }
  pf.A = A, pf.S = S, pf.T1 = T1, pf.T2 = T2;
  pf.t_x = t_x, pf.t_x_blinding = t_x_blinding, pf.e_blinding = e_blinding;
  pf.a = a[0], pf.b = b[0];
  out.proof = pf.to_bytes();
  return out;
}

// Proofs from the prover above verify for every bit length and batch size, through the native;
// a wrong bit length, swapped commitments, a value outside the range or another DST fail.
TEST_F(BulletproofNatives, OwnProverEveryShape) {
  uint64_t g = store(rs::kBasepoint), h = store(pedersen_h());
  auto verify = [&](const Proved& p, uint64_t bits, BytesView dst) {
    std::vector<Value> cs;
    for (auto& c : p.commitments) cs.push_back(vec(c));
    return ok(call("ristretto255_bulletproofs", "verify_batch_range_proof_internal",
                   {make_vector(cs), point_ref(g), point_ref(h), vec(p.proof), Value::u64v(bits),
                    vec(Bytes(dst.begin(), dst.end()))}));
  };
  BytesView dst = label("lumio test");
  struct Shape { size_t bits, m; };
  for (Shape sh : {Shape{8, 1}, Shape{16, 2}, Shape{32, 4}, Shape{8, 16}, Shape{64, 8}, Shape{16, 16}}) {
    std::vector<uint64_t> values;
    for (size_t j = 0; j < sh.m; ++j) values.push_back(sh.bits == 64 ? ~uint64_t(j) : ((uint64_t(1) << sh.bits) - 1 - j * 3));
    Proved p = prove(values, sh.bits, rs::kBasepoint, pedersen_h(), dst);
    EXPECT_EQ(p.proof.size(), (9 + 2 * size_t(__builtin_ctzll(sh.bits * sh.m))) * 32);
    auto r = verify(p, sh.bits, dst);
    EXPECT_TRUE(r.values.at(0).b) << sh.bits << "x" << sh.m;
    EXPECT_EQ(r.cost, gas(("bulletproofs.verify.base_batch_" + std::to_string(sh.m) + "_bits_" + std::to_string(sh.bits)).c_str()));
    EXPECT_FALSE(verify(p, sh.bits, label("lumio tesT")).values.at(0).b);
    if (sh.bits < 64) {
      EXPECT_FALSE(verify(p, sh.bits * 2, dst).values.at(0).b);
    }
    if (sh.m > 1) {
      Proved swapped = p;
      std::swap(swapped.commitments[0], swapped.commitments[1]);
      EXPECT_FALSE(verify(swapped, sh.bits, dst).values.at(0).b);
    }
    if (sh.m == 1) {  // the single-proof native accepts the same proof
      auto single = ok(call("ristretto255_bulletproofs", "verify_range_proof_internal",
                            {vec(p.commitments[0]), point_ref(g), point_ref(h), vec(p.proof), Value::u64v(sh.bits),
                             vec(Bytes(dst.begin(), dst.end()))}));
      EXPECT_TRUE(single.values.at(0).b);
    }
  }
  // A value of 2^8 proven as 8 bits (the prover's bits are then wrong) does not verify.
  Proved over = prove({256}, 8, rs::kBasepoint, pedersen_h(), dst);
  EXPECT_FALSE(verify(over, 8, dst).values.at(0).b);
}

// ---------------------------------------------------------------------------------------------
// Genuine framework code on the v10 genesis state.

class FrameworkRistretto : public Ristretto {
 protected:
  void SetUp() override {
    session_ = std::make_unique<Session>(*state_, *registry_);
    state_->preload_modules(session_->loader());
    TransactionContext txn;
    add_session_extensions(session_->extensions(), txn, state_);
  }
  Outcome<ExecutionResult> run(const std::string& module, const std::string& fn, std::vector<Bytes> args) {
    UnmeteredGasMeter meter;
    return session_->execute_function(account_address(1), module, fn, {}, {}, args, meter);
  }
  static Value result(const Outcome<ExecutionResult>& r) {
    if (auto* e = std::get_if<ExecutionError>(&r)) {
      ADD_FAILURE() << status_name(e->error.status) << " " << e->error.message << " abort "
                    << (e->sub_status ? *e->sub_status : 0);
      return Value::boolean(false);
    }
    return std::get<ExecutionResult>(r).return_values.at(0);
  }
  uint64_t store(const rs::Point& p) {
    auto& s = rs::point_store(session_->extensions());
    s.points.push_back(p);
    return s.points.size() - 1;
  }
  std::unique_ptr<Session> session_;
};

TEST_F(FrameworkRistretto, PedersenAndScalarsThroughTheFramework) {
  // hash_to_point_base() is PedersenGens::default()'s blinding base.
  uint64_t hb = result(run("ristretto255", "hash_to_point_base", {})).c->values.at(0).u64;
  EXPECT_EQ(rs::point_store(session_->extensions()).points.at(hb), pedersen_h());
  // ristretto255_pedersen::new_commitment_for_bulletproof(&v, &r) reproduces A_COMM.
  Value c = result(run("ristretto255_pedersen", "new_commitment_for_bulletproof",
                       {bcs_bytes(hx(kAValue)), bcs_bytes(hx(kABlinder))}));
  uint64_t ch = c.c->values.at(0).c->values.at(0).u64;  // Commitment { point: RistrettoPoint { handle } }
  EXPECT_EQ(hex(rs::point_store(session_->extensions()).points.at(ch)), kAComm);
  // new_scalar_from_bytes: Some for canonical, None for l (Option is an enum in v10).
  Value some = result(run("ristretto255", "new_scalar_from_bytes", {bcs_bytes(hx(kABlinder))}));
  ASSERT_EQ(some.c->kind, ContainerKind::Variant);
  ASSERT_EQ(some.c->values.size(), 1u);
  EXPECT_EQ(hex(some.c->values[0].c->values.at(0).c->bytes), kABlinder);
  Value none = result(run("ristretto255", "new_scalar_from_bytes",
                          {bcs_bytes(hx("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"))}));
  EXPECT_EQ(none.c->values.size(), 0u);
  // new_compressed_point_from_bytes rejects an RFC 9496 bad encoding.
  Value bad = result(run("ristretto255", "new_compressed_point_from_bytes",
                         {bcs_bytes(hx("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))}));
  EXPECT_EQ(bad.c->values.size(), 0u);
  // scalar_invert(&s) * s == 1 through the framework (the Scalar struct passed by reference).
  Value inv = result(run("ristretto255", "scalar_invert", {bcs_bytes(hx(kABlinder))}));
  ASSERT_EQ(inv.c->values.size(), 1u);
  const Bytes& inv_bytes = inv.c->values.at(0).c->values.at(0).c->bytes;
  rs::Scalar i{};
  std::copy(inv_bytes.begin(), inv_bytes.end(), i.begin());
  EXPECT_EQ(rs::scalar_mul(i, scalar_hx(kABlinder)), rs::kOne);
}

TEST_F(FrameworkRistretto, RangeProofsThroughTheFramework) {
  uint64_t a = store(point_hx(kAComm)), b = store(point_hx(kBComm));
  Bytes dst(kDst, kDst + 17);
  // verify_range_proof_pedersen(&Commitment, &RangeProof, num_bits, dst)
  auto single = [&](uint64_t com, const Bytes& proof, uint64_t bits) {
    return run("ristretto255_bulletproofs", "verify_range_proof_pedersen",
               {bcs_u64(com), bcs_bytes(proof), bcs_u64(bits), bcs_bytes(dst)});
  };
  EXPECT_TRUE(result(single(a, hx(kAProof), 64)).b);
  EXPECT_FALSE(result(single(b, hx(kAProof), 64)).b);
  Bytes tampered = hx(kAProof);
  tampered[tampered.size() / 2] += 1;
  EXPECT_FALSE(result(single(a, tampered, 64)).b);
  auto unsupported = single(a, hx(kAProof), 10);
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(unsupported));
  EXPECT_EQ(std::get<ExecutionError>(unsupported).sub_status, std::optional<uint64_t>(0x01'0003));
  // v10's public batch wrappers in ristretto255_bulletproofs abort with
  // error::unavailable(E_NATIVE_FUN_NOT_AVAILABLE) before reaching the native.
  Bytes comms{2};
  for (uint64_t h : {a, b}) {
    Bytes u = bcs_u64(h);
    comms.insert(comms.end(), u.begin(), u.end());
  }
  auto batch = run("ristretto255_bulletproofs", "verify_batch_range_proof_pedersen",
                   {comms, bcs_bytes(hx(kABProof)), bcs_u64(64), bcs_bytes(dst)});
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(batch));
  EXPECT_EQ(std::get<ExecutionError>(batch).sub_status, std::optional<uint64_t>(0x0D'0007));
  // confidential_range_proofs::verify_batch_range_proof(&vector<CompressedRistretto>, &val_base,
  // &rand_base, &RangeProof, num_bits, dst)
  uint64_t g = store(rs::kBasepoint), h = store(pedersen_h());
  Bytes compressed{2};
  for (const char* c : {kAComm, kBComm}) {
    Bytes e = bcs_bytes(hx(c));
    compressed.insert(compressed.end(), e.begin(), e.end());
  }
  auto conf = run("confidential_range_proofs", "verify_batch_range_proof",
                  {compressed, bcs_u64(g), bcs_u64(h), bcs_bytes(hx(kABProof)), bcs_u64(64), bcs_bytes(dst)});
  EXPECT_TRUE(result(conf).b);
  auto conf_swapped = run("confidential_range_proofs", "verify_batch_range_proof",
                          {compressed, bcs_u64(h), bcs_u64(g), bcs_bytes(hx(kABProof)), bcs_u64(64), bcs_bytes(dst)});
  EXPECT_FALSE(result(conf_swapped).b);
  auto conf_long_dst = run("confidential_range_proofs", "verify_batch_range_proof",
                           {compressed, bcs_u64(g), bcs_u64(h), bcs_bytes(hx(kABProof)), bcs_u64(64), bcs_bytes(Bytes(257, 1))});
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(conf_long_dst));
  EXPECT_EQ(std::get<ExecutionError>(conf_long_dst).sub_status, std::optional<uint64_t>(0x01'0003));  // E_DST_TOO_LONG
}

}  // namespace
}  // namespace lumio::movevm
