#include <gtest/gtest.h>

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "common/secp256k1.hpp"

using namespace lumio;

TEST(Hex, RoundTrip) {
  auto b = from_hex("0xDEADbeef");
  ASSERT_TRUE(b);
  EXPECT_EQ(to_hex(*b), "0xdeadbeef");
  EXPECT_FALSE(from_hex("0x123"));
  EXPECT_FALSE(from_hex("zz"));
}

TEST(Hash, KnownVectors) {
  EXPECT_EQ(to_hex(keccak256(std::string_view(""))),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(to_hex(sha256(as_view("abc"))),
            "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(ripemd160(as_view("abc"))), "0x8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  EXPECT_EQ(keccak256(rlp::encode_string({})), kEmptyTrieRoot);
}

TEST(Rlp, EncodeDecode) {
  rlp::Encoder e;
  e.begin_list().add(std::string_view("cat")).add(std::string_view("dog")).end_list();
  EXPECT_EQ(to_hex(e.bytes()), "0xc88363617483646f67");
  auto items = rlp::decode_list(e.bytes());
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(rlp::to_bytes(items[1]), Bytes({'d', 'o', 'g'}));
  rlp::Encoder n;
  n.add_uint(0).add_uint(15).add_uint(1024);
  EXPECT_EQ(to_hex(n.bytes()), "0x800f820400");
  Bytes long_str(60, 'a');
  auto enc = rlp::encode_string(long_str);
  EXPECT_EQ(enc[0], 0xb8);
  EXPECT_EQ(rlp::decode_exact(enc).payload.size(), 60u);
}

TEST(Rlp, RejectsNonCanonical) {
  EXPECT_THROW(rlp::decode_exact(*from_hex("8105")), rlp::Error);    // single byte wrapped
  EXPECT_THROW(rlp::decode_exact(*from_hex("b80100")), rlp::Error);  // long form, short len
  EXPECT_THROW(rlp::decode_exact(*from_hex("83aabb")), rlp::Error);  // truncated
  EXPECT_THROW(rlp::decode_exact(*from_hex("0000")), rlp::Error);    // trailing
  EXPECT_THROW(rlp::to_uint64(rlp::decode_exact(*from_hex("820001"))), rlp::Error);
}

TEST(Secp256k1, SignRecoverDevAccount) {
  // Account #0 of the "test test ... junk" mnemonic.
  auto sk = *fixed_from_hex<32>("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  EXPECT_EQ(to_hex(secp256k1::address_of(sk)), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  Hash32 msg = keccak256(std::string_view("hello"));
  auto sig = secp256k1::sign(msg, sk);
  EXPECT_TRUE(secp256k1::is_low_s(sig.s));
  auto who = secp256k1::recover_address(msg, sig.r, sig.s, sig.recid);
  ASSERT_TRUE(who);
  EXPECT_EQ(*who, secp256k1::address_of(sk));
  EXPECT_NE(*secp256k1::recover_address(msg, sig.r, sig.s, sig.recid ^ 1), *who);
}
