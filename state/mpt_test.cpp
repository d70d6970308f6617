#include "state/mpt.hpp"

#include <gtest/gtest.h>

#include "common/hash.hpp"
#include "common/rlp.hpp"

using namespace lumio;
using lumio::state::trie_root;

namespace {
Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }
Hash32 h(std::string_view hex) { return *fixed_from_hex<32>(hex); }
}  // namespace

TEST(Mpt, EmptyIsEmptyTrieRoot) {
  EXPECT_EQ(trie_root({}), kEmptyTrieRoot);
  EXPECT_EQ(trie_root({{b("a"), {}}}), kEmptyTrieRoot);  // empty value = absent
}

TEST(Mpt, HexPrefix) {
  EXPECT_EQ(state::hex_prefix(Bytes{1, 2, 3, 4, 5}, false), (Bytes{0x11, 0x23, 0x45}));
  EXPECT_EQ(state::hex_prefix(Bytes{0, 1, 2, 3, 4, 5}, false), (Bytes{0x00, 0x01, 0x23, 0x45}));
  EXPECT_EQ(state::hex_prefix(Bytes{0, 15, 1, 12, 11, 8}, true), (Bytes{0x20, 0x0f, 0x1c, 0xb8}));
  EXPECT_EQ(state::hex_prefix(Bytes{15, 1, 12, 11, 8}, true), (Bytes{0x3f, 0x1c, 0xb8}));
}

// Vectors from ethereum/tests TrieTests (trieanyorder.json, trietest.json).
TEST(Mpt, KnownVectors) {
  EXPECT_EQ(trie_root({{b("doe"), b("reindeer")}, {b("dog"), b("puppy")}, {b("dogglesworth"), b("cat")}}),
            h("0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3"));
  EXPECT_EQ(trie_root({{b("do"), b("verb")}, {b("horse"), b("stallion")}, {b("doge"), b("coin")}, {b("dog"), b("puppy")}}),
            h("0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"));
  EXPECT_EQ(trie_root({{b("foo"), b("bar")}, {b("food"), b("bass")}}),
            h("0x17beaa1648bafa633cda809c90c04af50fc8aed3cb40d16efbddee6fdf63c4c3"));
  EXPECT_EQ(trie_root({{b("be"), b("e")}, {b("dog"), b("puppy")}, {b("bed"), b("d")}}),
            h("0x3f67c7a47520f79faa29255d2d3c084a7a6df0453116ed7232ff10277a8be68b"));
  EXPECT_EQ(trie_root({{b("test"), b("test")}, {b("te"), b("testy")}}),
            h("0x8452568af70d8d140f58d941338542f645fcca50094b20f3c3d8c3df49337928"));
  EXPECT_EQ(trie_root({{*from_hex("0x0045"), *from_hex("0x0123456789")}, {*from_hex("0x4500"), *from_hex("0x9876543210")}}),
            h("0x285505fcabe84badc8aa310e2aae17eddc7d120aabec8a476902c8184b3a3503"));
  EXPECT_EQ(trie_root({{b("A"), b("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")}}),
            h("0xd23786fb4a010da3ce639d66d5e904a11dbc02746d1ce25029e53290cabf28ab"));
}

TEST(Mpt, LaterEntriesReplaceAndEmptyDeletes) {
  // trietest.json "emptyValues" and "branch-value-update".
  EXPECT_EQ(trie_root({{b("do"), b("verb")}, {b("ether"), b("wookiedoo")}, {b("horse"), b("stallion")},
                       {b("shaman"), b("horse")}, {b("doge"), b("coin")}, {b("ether"), {}},
                       {b("dog"), b("puppy")}, {b("shaman"), {}}}),
            h("0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"));
  EXPECT_EQ(trie_root({{b("abc"), b("123")}, {b("abcd"), b("abcd")}, {b("abc"), b("abc")}}),
            h("0x7a320748f780ad9ad5b0837302075ce0eeba6c26e3d8562c67ccc0f1b273298a"));
}

// Mainnet block 1's transactionsRoot/receiptsRoot are empty; a one-item trie with key RLP(0)
// must equal keccak of the leaf [0x20 || 0x80, value] built by hand.
TEST(Mpt, SingleLeafMatchesHandEncoding) {
  Bytes key = rlp::encode_string({});  // 0x80
  Bytes value(40, 0xab);
  Bytes leaf = rlp::Encoder().begin_list().add(Bytes{0x20, 0x80}).add(value).end_list().take();
  EXPECT_EQ(trie_root({{key, value}}), keccak256(leaf));
}
