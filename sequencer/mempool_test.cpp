#include "sequencer/mempool.hpp"

#include <gtest/gtest.h>

using namespace lumio;
using namespace lumio::sequencer;

namespace {

struct Fixture {
  std::map<Bytes, uint64_t> nonces;
  Mempool pool{MempoolLimits{.max_txs = 100, .max_bytes = 1 << 20, .max_per_sender = 8,
                             .max_nonce_gap = 4, .price_bump_percent = 10},
               [this](Vm, const Bytes& s) { return nonces[s]; }};
};

PoolTx tx(uint8_t sender, uint64_t nonce, uint64_t fee = 10, uint64_t gas = 21000) {
  PoolTx t;
  t.sender = Bytes(20, sender);
  t.nonce = nonce;
  t.fee_cap = uint256(fee);
  t.tip = uint256(fee);
  t.gas_limit = gas;
  t.size = 100;
  t.hash.bytes[0] = sender;
  t.hash.bytes[1] = uint8_t(nonce);
  t.hash.bytes[2] = uint8_t(fee);
  return t;
}

}  // namespace

TEST(Mempool, FifoAcrossSendersNonceOrderWithinSender) {
  Fixture f;
  ASSERT_TRUE(f.pool.add(tx(1, 1)).ok());  // gapped: waits
  ASSERT_TRUE(f.pool.add(tx(2, 0)).ok());
  EXPECT_EQ(f.pool.ready_count(), 1u);
  ASSERT_TRUE(f.pool.add(tx(1, 0)).ok());  // fills the gap: both of sender 1 ready
  EXPECT_EQ(f.pool.ready_count(), 3u);
  EXPECT_EQ(f.pool.pending_nonce(Vm::Evm, Bytes(20, 1)), 2u);
  auto got = f.pool.take(10, 1'000'000);
  ASSERT_EQ(got.size(), 3u);
  // Sender 2's tx became ready first; sender 1's nonce-1 tx arrived earliest but is
  // ready only once its nonce 0 is, and runs after it.
  EXPECT_EQ(got[0]->sender, Bytes(20, 2));
  EXPECT_EQ(got[1]->sender, Bytes(20, 1));
  EXPECT_EQ(got[1]->nonce, 0u);
  EXPECT_EQ(got[2]->nonce, 1u);
}

TEST(Mempool, NonceErrorsAndLimits) {
  Fixture f;
  f.nonces[Bytes(20, 1)] = 5;
  EXPECT_NE(f.pool.add(tx(1, 4)).error.find("nonce too low"), std::string::npos);
  EXPECT_NE(f.pool.add(tx(1, 10)).error.find("nonce too high"), std::string::npos);
  EXPECT_TRUE(f.pool.add(tx(1, 9)).ok());
  EXPECT_EQ(f.pool.add(tx(1, 9)).error, "already known");
  EXPECT_EQ(f.pool.ready_count(), 0u);
}

TEST(Mempool, ReplacementNeedsFeeBump) {
  Fixture f;
  ASSERT_TRUE(f.pool.add(tx(1, 0, 100)).ok());
  EXPECT_EQ(f.pool.add(tx(1, 0, 105)).error, "replacement transaction underpriced");
  auto r = f.pool.add(tx(1, 0, 110));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.replaced);
  EXPECT_EQ(f.pool.size(), 1u);
  auto got = f.pool.take(10, 1'000'000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->fee_cap, uint256(110));
}

TEST(Mempool, CommitResyncsFromStateAndReopensGaps) {
  Fixture f;
  for (uint64_t n = 0; n < 3; ++n) ASSERT_TRUE(f.pool.add(tx(1, n)).ok());
  auto got = f.pool.take(1, 1'000'000);  // takes nonce 0 only
  ASSERT_EQ(got.size(), 1u);
  // While in flight, nonce 0 is "too low"; pending nonce counts it.
  EXPECT_NE(f.pool.add(tx(1, 0, 50)).error.find("nonce too low"), std::string::npos);
  EXPECT_EQ(f.pool.pending_nonce(Vm::Evm, Bytes(20, 1)), 3u);
  // The block failed to include it: state nonce stays 0, so 1 and 2 wait again.
  f.pool.committed();
  EXPECT_EQ(f.pool.ready_count(), 0u);
  EXPECT_EQ(f.pool.pending_nonce(Vm::Evm, Bytes(20, 1)), 0u);
  ASSERT_TRUE(f.pool.add(tx(1, 0, 50)).ok());
  EXPECT_EQ(f.pool.ready_count(), 3u);
  got = f.pool.take(10, 1'000'000);
  f.nonces[Bytes(20, 1)] = 3;
  f.pool.committed();
  EXPECT_EQ(f.pool.size(), 0u);
}

TEST(Mempool, GasBudgetAndCapacity) {
  Fixture f;
  for (uint8_t s = 1; s <= 5; ++s) ASSERT_TRUE(f.pool.add(tx(s, 0, 10, 30000)).ok());
  EXPECT_EQ(f.pool.take(10, 100000).size(), 3u);
  for (uint64_t n = 0; n < 8; ++n) ASSERT_TRUE(f.pool.add(tx(9, n)).ok());
  EXPECT_EQ(f.pool.add(tx(9, 8)).error, "txpool is full");
}

#include "sequencer/producer.hpp"

TEST(Producer, CutsBlocksOnIntervalAndOnDemand) {
  Fixture f;
  std::mutex mu;
  std::vector<size_t> blocks;
  Producer p({.interval = std::chrono::milliseconds(5), .max_txs = 2}, f.pool,
             [&](const Producer::Batch& b) {
               std::lock_guard l(mu);
               blocks.push_back(b.size());
               for (auto& tx : b) f.nonces[tx->sender] = tx->nonce + 1;
             });
  p.start();
  for (uint64_t n = 0; n < 5; ++n) ASSERT_TRUE(f.pool.add(tx(1, n)).ok());
  p.notify();
  for (int i = 0; i < 200 && f.pool.size() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  p.mine_now();  // an empty block on request
  p.stop();
  std::lock_guard l(mu);
  ASSERT_EQ(blocks.size(), 4u);  // 2 + 2 + 1 (max_txs 2), then the empty one
  EXPECT_EQ(blocks[0], 2u);
  EXPECT_EQ(blocks[2], 1u);
  EXPECT_EQ(blocks[3], 0u);
  EXPECT_EQ(f.pool.pending_nonce(Vm::Evm, Bytes(20, 1)), 5u);
}
