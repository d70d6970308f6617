#include "exec/block.hpp"

#include <gtest/gtest.h>

#include "common/hash.hpp"
#include "common/rlp.hpp"

using namespace lumio;
using namespace lumio::exec;

TEST(Block, StorageRoundTrip) {
  Block b;
  b.header.number = 7;
  b.header.timestamp = 1700000000;
  b.header.base_fee = uint256(1000000000);
  b.header.gas_limit = 30000000;
  b.header.slot = 4242;
  b.txs.push_back({Vm::Evm, keccak256(std::string_view("t")), Bytes{1, 2, 3}, Bytes(20, 9)});
  Block d = decode_block(encode_block(b));
  EXPECT_EQ(d.header.hash(), b.header.hash());
  ASSERT_EQ(d.txs.size(), 1u);
  EXPECT_EQ(d.txs[0].raw, (Bytes{1, 2, 3}));
  EXPECT_EQ(d.header.slot, 4242u);
  // The slot is storage-only: it does not change the Ethereum block hash.
  BlockHeader no_slot = b.header;
  no_slot.slot = 0;
  EXPECT_EQ(no_slot.hash(), b.header.hash());
  EXPECT_THROW(decode_block(Bytes{0xc0}), rlp::Error);
}

TEST(Block, ReceiptEncodingAndBloom) {
  Receipt r;
  r.tx_type = 2;
  r.success = true;
  r.gas_used = r.cumulative_gas_used = 21000;
  r.logs.push_back({Address{}, {keccak256(std::string_view("Transfer"))}, Bytes{0xaa}});
  r.contract_address = Address{};
  Receipt d = decode_receipt(encode_receipt(r));
  EXPECT_EQ(d.logs.size(), 1u);
  EXPECT_TRUE(d.contract_address);
  EXPECT_EQ(d.eth_consensus_rlp(), r.eth_consensus_rlp());
  EXPECT_EQ(r.eth_consensus_rlp()[0], 2);
  // Three bits per item, two items.
  int bits = 0;
  for (uint8_t byte : r.bloom().bytes) bits += __builtin_popcount(byte);
  EXPECT_GE(bits, 2);
  EXPECT_LE(bits, 6);
}

TEST(Block, EmptyRootsMatchEthereum) {
  EXPECT_EQ(ordered_root({}), kEmptyTrieRoot);
  // Header RLP is the 20-field Cancun shape.
  BlockHeader h;
  EXPECT_EQ(rlp::decode_list(h.eth_rlp()).size(), 20u);
}
