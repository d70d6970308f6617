#include "common/uint256.hpp"

#include <gtest/gtest.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <random>

using namespace lumio;
namespace mp = boost::multiprecision;
using big = mp::cpp_int;

namespace {

const big kMod = big(1) << 256;

big to_big(const uint256& v) {
  big r = 0;
  for (int i = 3; i >= 0; --i) r = (r << 64) | big(v.w[i]);
  return r;
}
uint256 from_big(big v) {
  v %= kMod;
  if (v < 0) v += kMod;
  uint256 r;
  for (int i = 0; i < 4; ++i) {
    r.w[i] = uint64_t(v & big(~0ull));
    v >>= 64;
  }
  return r;
}
big signed_big(const uint256& v) { return v.is_negative() ? to_big(v) - kMod : to_big(v); }

// Values that stress carries and limb boundaries.
uint256 random_value(std::mt19937_64& rng) {
  uint256 r;
  switch (rng() % 6) {
    case 0: return uint256(rng() % 4);
    case 1: return uint256::max() - uint256(rng() % 4);
    case 2: r.w[rng() % 4] = rng(); return r;
    case 3: return uint256(1) << (rng() % 256);
    default:
      for (auto& x : r.w) x = (rng() & 1) ? rng() : (rng() & 1 ? ~0ull : 0);
      return r;
  }
}

}  // namespace

TEST(Uint256, BytesRoundTrip) {
  auto v = *uint256::from_string("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
  auto be = v.to_be();
  EXPECT_EQ(be.bytes[0], 1);
  EXPECT_EQ(be.bytes[31], 0x20);
  EXPECT_EQ(uint256::from_be(be), v);
  EXPECT_EQ(uint256::load_be32(be.data()), v);
  uint8_t short_be[] = {0x12, 0x34};
  EXPECT_EQ(uint256::from_be(BytesView(short_be, 2)), uint256(0x1234));
  EXPECT_EQ(uint256(0x1234).to_be_trimmed(), Bytes({0x12, 0x34}));
  EXPECT_TRUE(uint256().to_be_trimmed().empty());
  EXPECT_EQ(uint256(0x1234).byte_length(), 2u);
  EXPECT_EQ(uint256().byte_length(), 0u);
  EXPECT_EQ(uint256::max().byte_length(), 32u);
}

TEST(Uint256, Strings) {
  EXPECT_EQ(uint256().to_hex_quantity(), "0x0");
  EXPECT_EQ(uint256(31).to_hex_quantity(), "0x1f");
  EXPECT_EQ(uint256::max().to_hex_quantity(), "0x" + std::string(64, 'f'));
  EXPECT_EQ(uint256().to_dec_string(), "0");
  EXPECT_EQ(uint256(10000000000000000000ull).to_dec_string(), "10000000000000000000");
  EXPECT_EQ(uint256::max().to_dec_string(),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  EXPECT_EQ(uint256::from_string("115792089237316195423570985008687907853269984665640564039457584007913129639935"),
            uint256::max());
  EXPECT_FALSE(uint256::from_string("115792089237316195423570985008687907853269984665640564039457584007913129639936"));
  EXPECT_EQ(uint256::from_string("0x00ff"), uint256(255));
  EXPECT_EQ(uint256::from_string("0"), uint256(0));
  EXPECT_EQ(uint256::from_string("0x0"), uint256(0));
  EXPECT_FALSE(uint256::from_string("0x"));
  EXPECT_FALSE(uint256::from_string(""));
  EXPECT_FALSE(uint256::from_string("12a"));
  EXPECT_FALSE(uint256::from_string("0x1" + std::string(64, '0')));
}

TEST(Uint256, EvmEdgeCases) {
  const uint256 m = uint256::max();
  const uint256 min_neg = uint256(1) << 255;
  EXPECT_EQ(uint256(7) / uint256(0), uint256(0));
  EXPECT_EQ(uint256(7) % uint256(0), uint256(0));
  EXPECT_EQ(sdiv(min_neg, m), min_neg);  // -2^255 / -1 overflows back to -2^255
  EXPECT_EQ(sdiv(-uint256(7), uint256(2)), -uint256(3));
  EXPECT_EQ(smod(-uint256(7), uint256(2)), -uint256(1));
  EXPECT_EQ(smod(uint256(7), -uint256(2)), uint256(1));
  EXPECT_EQ(addmod(m, m, uint256(7)), from_big((to_big(m) * 2) % 7));
  EXPECT_EQ(mulmod(m, m, uint256(12)), uint256(9));
  EXPECT_EQ(addmod(m, uint256(1), uint256(0)), uint256(0));
  EXPECT_EQ(exp(uint256(2), uint256(255)), min_neg);
  EXPECT_EQ(exp(uint256(2), uint256(256)), uint256(0));
  EXPECT_EQ(exp(uint256(0), uint256(0)), uint256(1));
  EXPECT_EQ(signextend(uint256(0), uint256(0xff)), m);
  EXPECT_EQ(signextend(uint256(0), uint256(0x7f)), uint256(0x7f));
  EXPECT_EQ(signextend(uint256(31), uint256(0x80)), uint256(0x80));
  EXPECT_EQ(signextend(m, uint256(0x80)), uint256(0x80));
  EXPECT_EQ(sar(uint256(1), min_neg), (uint256(3) << 254));
  EXPECT_EQ(sar(uint256(256), min_neg), m);
  EXPECT_EQ(sar(uint256(256), uint256(5)), uint256(0));
  EXPECT_EQ(sar(m, m), m);
  EXPECT_EQ(byte(uint256(31), uint256(0xab)), uint256(0xab));
  EXPECT_EQ(byte(uint256(0), min_neg), uint256(0x80));
  EXPECT_EQ(byte(uint256(32), m), uint256(0));
  EXPECT_TRUE(slt(m, uint256(0)));
  EXPECT_TRUE(sgt(uint256(1), m));
  EXPECT_FALSE(slt(uint256(1), uint256(1)));
  EXPECT_EQ(uint256(1) << 256, uint256(0));
  EXPECT_EQ(m >> 255, uint256(1));
  EXPECT_TRUE(mul_overflows(min_neg, uint256(2)));
  EXPECT_FALSE(mul_overflows(min_neg, uint256(1)));
}

// Differential test against Boost.Multiprecision on values that stress limb boundaries.
TEST(Uint256, MatchesBoost) {
  std::mt19937_64 rng(12345);
  for (int iter = 0; iter < 20000; ++iter) {
    uint256 a = random_value(rng), b = random_value(rng), c = random_value(rng);
    big A = to_big(a), B = to_big(b), C = to_big(c);
    ASSERT_EQ(a + b, from_big(A + B));
    ASSERT_EQ(a - b, from_big(A - B));
    ASSERT_EQ(a * b, from_big(A * B));
    ASSERT_EQ(a / b, B == 0 ? uint256() : from_big(A / B)) << iter;
    ASSERT_EQ(a % b, B == 0 ? uint256() : from_big(A % B)) << iter;
    ASSERT_EQ(addmod(a, b, c), C == 0 ? uint256() : from_big((A + B) % C));
    ASSERT_EQ(mulmod(a, b, c), C == 0 ? uint256() : from_big((A * B) % C)) << iter;
    ASSERT_EQ(a < b, A < B);
    ASSERT_EQ(a == b, A == B);
    ASSERT_EQ(slt(a, b), signed_big(a) < signed_big(b));
    big SA = signed_big(a), SB = signed_big(b);
    ASSERT_EQ(sdiv(a, b), SB == 0 ? uint256() : from_big(SA / SB));  // C++ truncates like EVM
    ASSERT_EQ(smod(a, b), SB == 0 ? uint256() : from_big(SA % SB));
    unsigned s = unsigned(rng() % 300);
    ASSERT_EQ(a << s, from_big(A << s));
    ASSERT_EQ(a >> s, s >= 256 ? uint256() : from_big(A >> s));
    // Floor division by 2^s, computed on magnitudes (Boost's >> on negatives is not arithmetic).
    ASSERT_EQ(sar(uint256(s), a), from_big(SA >= 0 ? big(SA >> s) : big(-big((-SA - 1) >> s) - 1)));
    ASSERT_EQ(uint256::from_string(a.to_dec_string()), a);
    ASSERT_EQ(uint256::from_string(a.to_hex_quantity()), a);
    ASSERT_EQ(mul_overflows(a, b), A * B >= kMod);
  }
}

TEST(Uint256, ExpMatchesBoost) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 500; ++iter) {
    uint256 a = random_value(rng);
    uint64_t e = rng() % 600;
    ASSERT_EQ(exp(a, uint256(e)), from_big(mp::powm(to_big(a), big(e), kMod)));
  }
}
