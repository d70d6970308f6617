#include "evm/precompiles/precompiles.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "common/hash.hpp"

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

namespace {
const std::string kG1 =  // (1, 2), the BN254 G1 generator
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002";
const std::string kBnP = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
const std::string kBnR = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
const std::string kZero32(64, '0');
}  // namespace

TEST(Bn254, AddAndMulAgree) {
  auto add = pc::run(addr(6), hex(kG1 + kG1), 150);
  ASSERT_TRUE(add.success);
  EXPECT_EQ(add.gas_used, 150u);
  EXPECT_EQ(to_hex(add.output, false),
            "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
            "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4");
  auto mul = pc::run(addr(7), hex(kG1 + std::string(63, '0') + "2"), 6000);
  ASSERT_TRUE(mul.success);
  EXPECT_EQ(mul.output, add.output);
  // [r]G = infinity, encoded as zeros; short input is zero-padded (G + 0 = G).
  auto inf = pc::run(addr(7), hex(kG1 + kBnR), 6000);
  ASSERT_TRUE(inf.success);
  EXPECT_EQ(inf.output, Bytes(64, 0));
  auto padded = pc::run(addr(6), hex(kG1), 150);
  ASSERT_TRUE(padded.success);
  EXPECT_EQ(to_hex(padded.output, false), kG1);
  EXPECT_FALSE(pc::run(addr(6), hex(kG1), 149).success);
}

TEST(Bn254, RejectsBadPoints) {
  // Not on the curve.
  EXPECT_FALSE(pc::run(addr(6), hex(std::string(63, '0') + "1" + std::string(63, '0') + "3"), 150)
                   .success);
  // x = p is out of range (field elements must be canonical).
  EXPECT_FALSE(pc::run(addr(7), hex(kBnP + std::string(63, '0') + "2"), 6000).success);
  // y = 2 + p: the generator modulo p, but not canonical.
  EXPECT_FALSE(
      pc::run(addr(6), hex(std::string(63, '0') + "1" + kBnP.substr(0, 63) + "9"), 150).success);
}

TEST(Bn254, PairingInputRules) {
  auto empty = pc::run(addr(8), {}, 45000);
  ASSERT_TRUE(empty.success);
  EXPECT_EQ(empty.gas_used, 45000u);
  EXPECT_EQ(empty.output[31], 1);
  EXPECT_FALSE(pc::run(addr(8), {}, 44999).success);
  EXPECT_FALSE(pc::run(addr(8), Bytes(191, 0), 1'000'000).success);
  // A pair with a point at infinity contributes 1.
  auto inf = pc::run(addr(8), hex(kG1 + std::string(256, '0')), 79000);
  ASSERT_TRUE(inf.success);
  EXPECT_EQ(inf.output[31], 1);
  EXPECT_FALSE(pc::run(addr(8), hex(kG1 + std::string(256, '0')), 78999).success);
  // On the twist but outside the order-r subgroup (x = 2 + u): invalid.
  const std::string off_subgroup =
      "0000000000000000000000000000000000000000000000000000000000000001"
      "0000000000000000000000000000000000000000000000000000000000000002"
      "2b76c179599bb92a963dac85546a005a777f7c13f6a7b75d5918b6b5808f5fde"
      "101f7278419308b95099eca02dcee0c5381f4d26d1d62313f057167f064101ce";
  EXPECT_FALSE(pc::run(addr(8), hex(kG1 + off_subgroup), 79000).success);
  // Not on the twist at all.
  std::string off_curve = off_subgroup;
  off_curve.back() = 'f';
  EXPECT_FALSE(pc::run(addr(8), hex(kG1 + off_curve), 79000).success);
}

TEST(Modexp, HugeDeclaredLengths) {
  auto word = [](std::string_view h) { return std::string(64 - h.size(), '0') + std::string(h); };
  std::string all_f(64, 'f');
  // Empty base and modulus: 200 gas whatever the exponent length, empty output.
  auto r = pc::run(addr(5), hex(word("") + all_f + word("")), 200);
  ASSERT_TRUE(r.success);
  EXPECT_EQ(r.gas_used, 200u);
  EXPECT_TRUE(r.output.empty());
  // A 2^256-1 byte exponent with a 1-byte modulus costs far more than any gas limit.
  EXPECT_FALSE(pc::run(addr(5), hex(word("1") + all_f + word("1") + "0203"), ~uint64_t{0}).success);
  EXPECT_FALSE(pc::run(addr(5), hex(all_f + word("1") + word("1")), ~uint64_t{0}).success);
  EXPECT_FALSE(pc::run(addr(5), hex(word("1") + word("1") + all_f), ~uint64_t{0}).success);
}

TEST(Modexp, SmallCases) {
  auto word = [](std::string_view h) { return std::string(64 - h.size(), '0') + std::string(h); };
  auto call = [&](std::string in) { return pc::run(addr(5), hex(in), 1'000'000); };
  // 3^5 mod 7 = 5.
  auto r = call(word("1") + word("1") + word("1") + "03" + "05" + "07");
  ASSERT_TRUE(r.success);
  EXPECT_EQ(r.gas_used, 200u);
  EXPECT_EQ(to_hex(r.output, false), "05");
  // Modulus 0 -> zero; x^0 mod m -> 1; missing trailing input bytes read as zero (exp = 0x0500).
  EXPECT_EQ(to_hex(call(word("1") + word("1") + word("2") + "03" + "05" + "0000").output, false),
            "0000");
  EXPECT_EQ(to_hex(call(word("1") + word("1") + word("1") + "03" + "00" + "07").output, false), "01");
  r = call(word("1") + word("2") + word("2") + "02" + "05");  // 2^0x0500 mod 0x0000 = 0
  ASSERT_TRUE(r.success);
  EXPECT_EQ(to_hex(r.output, false), "0000");
  // Bases 0 and 1 with a 100000-byte exponent (mostly beyond the input, so zero bytes).
  std::string long_exp = word("1") + word("186a0") + word("1");
  EXPECT_EQ(to_hex(call(long_exp + "01" + "ff" + "07").output, false), "00");  // mod is exp byte
  r = pc::run(addr(5), hex(word("1") + word("186a0") + word("1") + "01" + "ff"), 300'000);
  ASSERT_TRUE(r.success);  // modulus reads as 0 (past the input)
  EXPECT_EQ(to_hex(r.output, false), "00");
  r = pc::run(addr(5), hex(word("1") + word("2") + word("1") + "00" + "0000" + "07"), 1000);
  EXPECT_EQ(to_hex(r.output, false), "01");  // 0^0 = 1
  r = pc::run(addr(5), hex(word("1") + word("2") + word("1") + "00" + "0001" + "07"), 1000);
  EXPECT_EQ(to_hex(r.output, false), "00");  // 0^1 = 0
  r = pc::run(addr(5), hex(word("1") + word("2") + word("1") + "01" + "ffff" + "07"), 1000);
  EXPECT_EQ(to_hex(r.output, false), "01");  // 1^e = 1
  r = call(word("1") + word("2") + word("1") + "02" + "0100" + "0b");  // 2^256 mod 11 = 9
  ASSERT_TRUE(r.success);
  EXPECT_EQ(to_hex(r.output, false), "09");
}

TEST(Blake2f, InputRules) {
  Bytes in(213, 0);
  in[3] = 12;
  EXPECT_TRUE(pc::run(addr(9), in, 12).success);
  EXPECT_FALSE(pc::run(addr(9), in, 11).success);
  in[212] = 2;
  EXPECT_FALSE(pc::run(addr(9), in, 100).success);
  in[212] = 1;
  EXPECT_FALSE(pc::run(addr(9), BytesView(in).first(212), 100).success);
  in.push_back(0);
  EXPECT_FALSE(pc::run(addr(9), in, 100).success);
}

TEST(Bn254, PairingBilinearInG1) {
  // The G2 generator (EIP-197 encoding: x_im, x_re, y_im, y_re).
  const std::string g2 =
      "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
      "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
      "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
      "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
  auto scalar_mul = [&](std::string k_hex) {
    auto r = pc::run(addr(7), hex(kG1 + std::string(64 - k_hex.size(), '0') + k_hex), 6000);
    EXPECT_TRUE(r.success);
    return to_hex(r.output, false);
  };
  // r - 12 and r - 11 (r ends in ...f0000001).
  std::string r_minus_12 = kBnR.substr(0, 56) + "effffff5";
  std::string r_minus_11 = kBnR.substr(0, 56) + "effffff6";
  auto p5 = scalar_mul("5"), p7 = scalar_mul("7");
  auto pairing = [&](const std::string& in) {
    auto r = pc::run(addr(8), hex(in), 45000 + 34000 * 3);
    EXPECT_TRUE(r.success);
    EXPECT_EQ(r.output.size(), 32u);
    return r.output.empty() ? -1 : r.output[31];
  };
  // e(5G, Q) e(7G, Q) e(-12G, Q) = 1, but e(5G, Q) e(7G, Q) e(-11G, Q) != 1.
  EXPECT_EQ(pairing(p5 + g2 + p7 + g2 + scalar_mul(r_minus_12) + g2), 1);
  EXPECT_EQ(pairing(p5 + g2 + p7 + g2 + scalar_mul(r_minus_11) + g2), 0);
}

TEST(Precompiles, EmptyInput) {
  struct Case {
    uint8_t addr;
    bool success;
    uint64_t gas;
    std::string output;
  } cases[] = {
      {1, true, 3000, ""},
      {2, true, 60, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {3, true, 600, "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31"},
      {4, true, 15, ""},
      {5, true, 200, ""},
      {6, true, 150, std::string(128, '0')},
      {7, true, 6000, std::string(128, '0')},
      {8, true, 45000, std::string(63, '0') + "1"},
      {9, false, 0, ""},
      {10, false, 0, ""},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(int(c.addr));
    auto r = pc::run(addr(c.addr), {}, 100000);
    EXPECT_EQ(r.success, c.success);
    if (c.success) {
      EXPECT_EQ(r.gas_used, c.gas);
      EXPECT_EQ(to_hex(r.output, false), c.output);
    }
  }
}

TEST(Precompiles, EcrecoverSignatureRange) {
  const std::string msg = "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c";
  const std::string r = "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f";
  const std::string n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
  auto v = [](int x) { return std::string(62, '0') + (x == 27 ? "1b" : "1c"); };
  auto recover = [&](const std::string& in) {
    auto res = pc::run(addr(1), hex(in), 3000);
    EXPECT_TRUE(res.success);
    return to_hex(res.output, false);
  };
  const std::string expected = "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b";
  // The vector's s is high (> n/2) and accepted; (r, n - s) with the other parity is the same
  // signature's twin and recovers the same address.
  EXPECT_EQ(recover(msg + v(28) + r +
                    "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"),
            expected);
  EXPECT_EQ(recover(msg + v(27) + r +
                    "1146bf4e2fc4de1c94f1b81868960f68bc842490f1b6bc98387ba6b57599fbf8"),
            expected);
  EXPECT_EQ(recover(msg + v(28) + r + n), "");               // s = n
  EXPECT_EQ(recover(msg + v(28) + r + std::string(64, '0')), "");  // s = 0
  EXPECT_EQ(recover(msg + v(28) + n + r), "");               // r = n
  EXPECT_EQ(recover(msg + v(28) + std::string(64, '0') + r), "");  // r = 0
  // v with a non-zero high byte.
  EXPECT_EQ(recover(msg + "01" + v(28).substr(2) + r +
                    "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"),
            "");
}

namespace {
// The point at infinity as commitment and proof: opens to y = 0 at every z.
Bytes infinity_opening() {
  Bytes in(192, 0);
  in[96] = 0xc0;
  in[144] = 0xc0;
  auto h = sha256(BytesView(in).subspan(96, 48));
  h.bytes[0] = 1;  // versioned hash
  std::memcpy(in.data(), h.data(), 32);
  return in;
}
}  // namespace

TEST(PointEvaluation, InfinityOpening) {
  pc::set_trusted_setup_path(LUMIO_KZG_SETUP_FILE);
  Bytes in = infinity_opening();
  auto r = pc::run(addr(10), in, 50000);
  ASSERT_TRUE(r.success);
  EXPECT_EQ(r.gas_used, 50000u);
  EXPECT_EQ(to_hex(r.output, false),
            "0000000000000000000000000000000000000000000000000000000000001000"
            "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
  EXPECT_FALSE(pc::run(addr(10), in, 49999).success);
  in[95] = 1;  // y = 1: wrong
  EXPECT_FALSE(pc::run(addr(10), in, 50000).success);
  in[95] = 0;
  in[191] = 1;  // infinity flag with non-zero bits: bad encoding
  EXPECT_FALSE(pc::run(addr(10), in, 50000).success);
}

// A fresh process (threadsafe death-test style re-executes the binary), so no setup is loaded
// yet: a missing file fails the call cleanly, and a later good path recovers.
TEST(PointEvaluation, MissingSetupFailsCleanly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        unsetenv("LUMIO_KZG_SETUP");
        if (chdir("/") != 0) std::exit(2);  // the relative default does not resolve from /
        pc::set_trusted_setup_path("/nonexistent/trusted_setup.txt");
        bool failed = !pc::run(addr(10), infinity_opening(), 50000).success;
        pc::set_trusted_setup_path(LUMIO_KZG_SETUP_FILE);
        bool recovered = pc::run(addr(10), infinity_opening(), 50000).success;
        std::exit(failed && recovered ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "no valid KZG trusted setup");
}
