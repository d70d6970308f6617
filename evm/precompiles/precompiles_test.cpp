#include "evm/precompiles/precompiles.hpp"

#include <gtest/gtest.h>

using namespace lumio;
namespace pc = lumio::evm::precompiles;

namespace {
Address addr(uint8_t n) {
  Address a;
  a.bytes[19] = n;
  return a;
}
Bytes hex(std::string_view s) { return *from_hex(s); }
}  // namespace

TEST(Precompiles, IsPrecompile) {
  EXPECT_FALSE(pc::is_precompile(addr(0)));
  for (int i = 1; i <= 10; ++i) EXPECT_TRUE(pc::is_precompile(addr(i)));
  EXPECT_FALSE(pc::is_precompile(addr(11)));
  Address a = addr(1);
  a.bytes[0] = 1;
  EXPECT_FALSE(pc::is_precompile(a));
}

TEST(Precompiles, Ecrecover) {
  // The well-known ecrecover vector used by go-ethereum's precompile tests.
  auto in = hex(
      "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"
      "000000000000000000000000000000000000000000000000000000000000001c"
      "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
      "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549");
  auto r = pc::run(addr(1), in, 3000);
  ASSERT_TRUE(r.success);
  EXPECT_EQ(r.gas_used, 3000u);
  EXPECT_EQ(to_hex(r.output), "0x000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b");
  EXPECT_FALSE(pc::run(addr(1), in, 2999).success);
  in[63] = 29;  // bad v: success with empty output
  r = pc::run(addr(1), in, 3000);
  ASSERT_TRUE(r.success);
  EXPECT_TRUE(r.output.empty());
}

TEST(Precompiles, HashesAndIdentity) {
  auto abc = Bytes{'a', 'b', 'c'};
  auto r = pc::run(addr(2), abc, 1000);
  ASSERT_TRUE(r.success);
  EXPECT_EQ(r.gas_used, 72u);
  EXPECT_EQ(to_hex(r.output), "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  r = pc::run(addr(3), abc, 1000);
  ASSERT_TRUE(r.success);
  EXPECT_EQ(r.gas_used, 720u);
  EXPECT_EQ(to_hex(r.output), "0x0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  EXPECT_FALSE(pc::run(addr(3), abc, 719).success);
  Bytes big(33, 7);
  r = pc::run(addr(4), big, 21);
  ASSERT_TRUE(r.success);
  EXPECT_EQ(r.gas_used, 21u);
  EXPECT_EQ(r.output, big);
  EXPECT_FALSE(pc::run(addr(4), big, 20).success);
}
