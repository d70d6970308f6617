// Precompile programs: Agave's own offset/error cases (precompiles crate tests: one precompile
// instruction pointing into a 100-byte zero instruction), real signatures, the C2SP/CCTV
// small-order-R ed25519 vector, and RFC 6979's P-256 "sample" signature (low-S form).
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>

#include "common/hash.hpp"
#include "common/secp256k1.hpp"
#include "svm/precompiles.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {
namespace {

using Datas = std::vector<std::span<const uint8_t>>;
using E = PrecompileError;

Bytes hex(std::string_view s) {
  auto b = from_hex(s);
  EXPECT_TRUE(b) << s;
  return b ? *b : Bytes{};
}
void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = uint8_t(v);
  b[at + 1] = uint8_t(v >> 8);
}

// Ed25519SignatureOffsets / Secp256r1SignatureOffsets (all u16).
struct Offsets16 {
  uint16_t sig = 0, sig_ix = 0, pk = 0, pk_ix = 0, msg = 0, msg_size = 0, msg_ix = 0;
  void write(Bytes& b, size_t at) const {
    uint16_t v[7] = {sig, sig_ix, pk, pk_ix, msg, msg_size, msg_ix};
    for (int i = 0; i < 7; ++i) put16(b, at + 2 * i, v[i]);
  }
};
// SecpSignatureOffsets (bincode: u16, u8, u16, u8, u16, u16, u8).
struct SecpOffsets {
  uint16_t sig = 0;
  uint8_t sig_ix = 0;
  uint16_t eth = 0;
  uint8_t eth_ix = 0;
  uint16_t msg = 0, msg_size = 0;
  uint8_t msg_ix = 0;
  void write(Bytes& b, size_t at) const {
    put16(b, at, sig), b[at + 2] = sig_ix, put16(b, at + 3, eth), b[at + 5] = eth_ix;
    put16(b, at + 6, msg), put16(b, at + 8, msg_size), b[at + 10] = msg_ix;
  }
};

const Bytes kZeros(100, 0);

std::optional<E> ed_case(const Offsets16& o) {
  Bytes data(16, 0);
  data[0] = 1;
  o.write(data, 2);
  Datas all{kZeros};
  return verify_precompile(ed25519_program_id(), data, all);
}
std::optional<E> secp_case(const SecpOffsets& o, uint8_t count = 1) {
  Bytes data(12, 0);
  data[0] = count;
  o.write(data, 1);
  Datas all{kZeros};
  return verify_precompile(secp256k1_program_id(), data, all);
}

TEST(SvmPrecompiles, Ids) {
  EXPECT_EQ(base58(ed25519_program_id().data(), 32), "Ed25519SigVerify111111111111111111111111111");
  EXPECT_EQ(base58(secp256k1_program_id().data(), 32), "KeccakSecp256k11111111111111111111111111111");
  EXPECT_EQ(base58(secp256r1_program_id().data(), 32), "Secp256r1SigVerify1111111111111111111111111");
  EXPECT_TRUE(is_precompile(secp256r1_program_id()));
  Pubkey system{};
  EXPECT_FALSE(is_precompile(system));
  EXPECT_EQ(precompile_signature_count(Bytes{3, 0}), 3u);
  EXPECT_EQ(precompile_signature_count(Bytes{}), 0u);
  EXPECT_STREQ(name(E::InvalidDataOffsets), "InvalidDataOffsets");
  EXPECT_EQ(uint32_t(E::InvalidInstructionDataSize), 4u);  // InstructionError::Custom(4)
}

// Agave ed25519.rs tests: test_invalid_offsets, test_message_data_offsets, test_pubkey_offset,
// test_signature_offset.
TEST(SvmPrecompiles, Ed25519AgaveOffsetCases) {
  Bytes trunc(15, 0);
  trunc[0] = 1;
  Datas all{kZeros};
  EXPECT_EQ(verify_precompile(ed25519_program_id(), trunc, all), E::InvalidInstructionDataSize);
  EXPECT_EQ(ed_case({.sig_ix = 1}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.msg_ix = 1}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.pk_ix = 1}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.msg = 99, .msg_size = 1}), E::InvalidSignature);  // zero key decodes (small order)
  EXPECT_EQ(ed_case({.msg = 100, .msg_size = 1}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.msg = 100, .msg_size = 1000}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.msg = 0xffff, .msg_size = 0xffff}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.pk = 0xffff}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.pk = 100 - 32 + 1}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.sig = 0xffff}), E::InvalidDataOffsets);
  EXPECT_EQ(ed_case({.sig = 100 - 64 + 1}), E::InvalidDataOffsets);
  EXPECT_EQ(verify_precompile(ed25519_program_id(), Bytes{0}, all), E::InvalidInstructionDataSize);
  EXPECT_EQ(verify_precompile(ed25519_program_id(), Bytes{0, 0}, all), std::nullopt);  // no signatures
  EXPECT_EQ(verify_precompile(ed25519_program_id(), Bytes{0, 0, 0}, all), E::InvalidInstructionDataSize);
}

// One signature, everything inline (offsets index 0xffff = this instruction), as
// new_ed25519_instruction_with_signature builds it: [1, 0, offsets, pubkey, signature, message].
Bytes ed_instruction(const uint8_t* pk, const uint8_t* sig, BytesView msg) {
  Bytes d(16, 0);
  d[0] = 1;
  Offsets16{.sig = 48, .sig_ix = 0xffff, .pk = 16, .pk_ix = 0xffff, .msg = 112,
            .msg_size = uint16_t(msg.size()), .msg_ix = 0xffff}
      .write(d, 2);
  d.insert(d.end(), pk, pk + 32);
  d.insert(d.end(), sig, sig + 64);
  d.insert(d.end(), msg.begin(), msg.end());
  return d;
}

TEST(SvmPrecompiles, Ed25519Signatures) {
  ASSERT_GE(sodium_init(), 0);
  uint8_t pk[32], sk[64], sig[64];
  crypto_sign_keypair(pk, sk);
  BytesView msg = as_view("hello");
  crypto_sign_detached(sig, nullptr, msg.data(), msg.size(), sk);
  Bytes d = ed_instruction(pk, sig, msg);
  Datas all{d};
  EXPECT_EQ(verify_precompile(ed25519_program_id(), d, all), std::nullopt);
  for (size_t i : {0ul, 2ul, 16ul, 50ul, 113ul}) {  // any byte but the padding byte 1 matters
    Bytes bad = d;
    bad[i] += 12;
    Datas b{bad};
    EXPECT_TRUE(verify_precompile(ed25519_program_id(), bad, b).has_value()) << i;
  }
  Bytes pad = d;
  pad[1] = 7;
  EXPECT_EQ(verify_precompile(ed25519_program_id(), pad, Datas{pad}), std::nullopt);
  // A public key that does not decompress (y = 2).
  uint8_t bad_pk[32] = {2};
  Bytes d2 = ed_instruction(bad_pk, sig, msg);
  EXPECT_EQ(verify_precompile(ed25519_program_id(), d2, Datas{d2}), E::InvalidPublicKey);
  // C2SP/CCTV ed25519 vector 5 (R is the identity): verify_strict rejects it.
  Bytes cpk = hex("10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f");
  Bytes csig = hex("0000000000000000000000000000000000000000000000000000000000000000"
                   "9472a69cd9a701a50d130ed52189e2455b23767db52cacb8716fb896ffeeac09");
  Bytes d3 = ed_instruction(cpk.data(), csig.data(), as_view("ed25519vectors 3"));
  EXPECT_EQ(verify_precompile(ed25519_program_id(), d3, Datas{d3}), E::InvalidSignature);
  // Signature data in another instruction (index 1).
  Bytes other(pk, pk + 32);
  other.insert(other.end(), sig, sig + 64);
  other.insert(other.end(), msg.begin(), msg.end());
  Bytes d4(16, 0);
  d4[0] = 1;
  Offsets16{.sig = 32, .sig_ix = 1, .pk = 0, .pk_ix = 1, .msg = 96, .msg_size = 5, .msg_ix = 1}.write(d4, 2);
  EXPECT_EQ(verify_precompile(ed25519_program_id(), d4, Datas{d4, other}), std::nullopt);
}

// Agave secp256k1.rs tests.
TEST(SvmPrecompiles, Secp256k1AgaveOffsetCases) {
  Bytes trunc(11, 0);
  trunc[0] = 1;
  Datas all{kZeros};
  EXPECT_EQ(verify_precompile(secp256k1_program_id(), trunc, all), E::InvalidInstructionDataSize);
  EXPECT_EQ(secp_case({.sig_ix = 1}), E::InvalidInstructionDataSize);
  EXPECT_EQ(secp_case({.msg_ix = 1}), E::InvalidDataOffsets);
  EXPECT_EQ(secp_case({.eth_ix = 1}), E::InvalidDataOffsets);
  EXPECT_EQ(secp_case({.msg = 99, .msg_size = 1}), E::InvalidSignature);
  EXPECT_EQ(secp_case({.msg = 100, .msg_size = 1}), E::InvalidSignature);
  EXPECT_EQ(secp_case({.msg = 100, .msg_size = 1000}), E::InvalidSignature);
  EXPECT_EQ(secp_case({.msg = 0xffff, .msg_size = 0xffff}), E::InvalidSignature);
  EXPECT_EQ(secp_case({.eth = 0xffff}), E::InvalidSignature);
  EXPECT_EQ(secp_case({.eth = 100 - 20 + 1}), E::InvalidSignature);
  EXPECT_EQ(secp_case({.sig = 0xffff}), E::InvalidSignature);
  EXPECT_EQ(secp_case({.sig = 100 - 64 + 1}), E::InvalidSignature);
  EXPECT_EQ(secp_case({}, 0), E::InvalidInstructionDataSize);  // count 0 with offsets present
  EXPECT_EQ(verify_precompile(secp256k1_program_id(), Bytes{}, all), E::InvalidInstructionDataSize);
  EXPECT_EQ(verify_precompile(secp256k1_program_id(), Bytes{0}, all), std::nullopt);
}

// [1, offsets(11), eth address(20), signature(64), recovery id, message], as
// new_secp256k1_instruction_with_signature lays it out.
Bytes secp_instruction(const Address& eth, const secp256k1::Signature& sig, BytesView msg) {
  Bytes d(12, 0);
  d[0] = 1;
  SecpOffsets{.sig = 32, .sig_ix = 0, .eth = 12, .eth_ix = 0, .msg = 97, .msg_size = uint16_t(msg.size()),
              .msg_ix = 0}
      .write(d, 1);
  d.insert(d.end(), eth.bytes.begin(), eth.bytes.end());
  d.insert(d.end(), sig.r.bytes.begin(), sig.r.bytes.end());
  d.insert(d.end(), sig.s.bytes.begin(), sig.s.bytes.end());
  d.push_back(uint8_t(sig.recid));
  d.insert(d.end(), msg.begin(), msg.end());
  return d;
}

TEST(SvmPrecompiles, Secp256k1Signatures) {
  Hash32 secret = *fixed_from_hex<32>("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  BytesView msg = as_view("hello world");
  auto sig = secp256k1::sign(keccak256(msg), secret);
  Address eth = secp256k1::address_of(secret);
  Bytes d = secp_instruction(eth, sig, msg);
  EXPECT_EQ(verify_precompile(secp256k1_program_id(), d, Datas{d}), std::nullopt);
  Bytes wrong_addr = d;
  wrong_addr[12] ^= 1;
  EXPECT_EQ(verify_precompile(secp256k1_program_id(), wrong_addr, Datas{wrong_addr}), E::InvalidSignature);
  Bytes bad_recid = d;
  bad_recid[96] = 4;
  EXPECT_EQ(verify_precompile(secp256k1_program_id(), bad_recid, Datas{bad_recid}), E::InvalidRecoveryId);
  Bytes high_r = d;
  std::memset(high_r.data() + 32, 0xff, 32);  // r >= n: parse_standard fails before the recovery id
  high_r[96] = 9;
  EXPECT_EQ(verify_precompile(secp256k1_program_id(), high_r, Datas{high_r}), E::InvalidSignature);
  // High-s (malleated) signatures are accepted, as libsecp256k1's recover does.
  static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  auto mall = sig;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int v = int(n[i]) - sig.s.bytes[i] - borrow;
    borrow = v < 0;
    mall.s.bytes[i] = uint8_t(v + (borrow ? 256 : 0));
  }
  mall.recid ^= 1;
  Bytes dm = secp_instruction(eth, mall, msg);
  EXPECT_EQ(verify_precompile(secp256k1_program_id(), dm, Datas{dm}), std::nullopt);
}

// RFC 6979 A.2.5: P-256, SHA-256, message "sample"; s replaced by n - s (Solana demands low S).
Bytes r1_instruction(BytesView pk, BytesView sig, BytesView msg) {
  Bytes d(16, 0);
  d[0] = 1;
  Offsets16{.sig = 49, .sig_ix = 0xffff, .pk = 16, .pk_ix = 0xffff, .msg = 113,
            .msg_size = uint16_t(msg.size()), .msg_ix = 0xffff}
      .write(d, 2);
  d.insert(d.end(), pk.begin(), pk.end());
  d.insert(d.end(), sig.begin(), sig.end());
  d.insert(d.end(), msg.begin(), msg.end());
  return d;
}

TEST(SvmPrecompiles, Secp256r1Rfc6979) {
  Bytes pk = hex("0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6");
  const std::string r = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716";
  Bytes low = hex(r + "0834e36ad29a83bf2bc9385e491d6099c8fdf9d1ed67aa7ea5f51f93782857a9");
  Bytes high = hex(r + "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
  BytesView msg = as_view("sample");
  Bytes d = r1_instruction(pk, low, msg);
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), d, Datas{d}), std::nullopt);
  Bytes dh = r1_instruction(pk, high, msg);
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), dh, Datas{dh}), E::InvalidSignature);  // high S
  Bytes dm = r1_instruction(pk, low, as_view("samplf"));
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), dm, Datas{dm}), E::InvalidSignature);
  Bytes bad_pk = pk;
  bad_pk[0] = 0x04;  // not a compressed encoding
  Bytes dp = r1_instruction(bad_pk, low, msg);
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), dp, Datas{dp}), E::InvalidPublicKey);
  Bytes zero_r = low;
  std::memset(zero_r.data(), 0, 32);
  Bytes dz = r1_instruction(pk, zero_r, msg);
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), dz, Datas{dz}), E::InvalidSignature);
  // Zero signatures, more than 8, truncated offsets.
  Datas none{};
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), Bytes{0, 0}, none), E::InvalidInstructionDataSize);
  Bytes nine(2 + 9 * 14, 0);
  nine[0] = 9;
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), nine, none), E::InvalidInstructionDataSize);
  Bytes short_data(15, 0);
  short_data[0] = 1;
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), short_data, none), E::InvalidInstructionDataSize);
  Bytes far = d;
  put16(far, 2 + 2, 3);  // signature in instruction 3 of 1
  EXPECT_EQ(verify_precompile(secp256r1_program_id(), far, Datas{far}), E::InvalidDataOffsets);
}

}  // namespace
}  // namespace lumio::svm
