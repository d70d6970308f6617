// Runs the reference vectors in testdata/ (see testdata/SOURCE.md) against run().
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "evm/precompiles/precompiles.hpp"

using namespace lumio;
namespace pc = lumio::evm::precompiles;

namespace {

nlohmann::json load(const std::string& name) {
  std::ifstream f(std::string(LUMIO_PRECOMPILE_TESTDATA) + "/" + name);
  EXPECT_TRUE(f) << name;
  return nlohmann::json::parse(f);
}

Address addr(uint8_t n) {
  Address a;
  a.bytes[19] = n;
  return a;
}

// Every vector: exact output and gas; one gas less must fail.
void run_vectors(const std::string& file, uint8_t precompile) {
  auto vectors = load(file);
  ASSERT_FALSE(vectors.empty());
  for (auto& v : vectors) {
    SCOPED_TRACE(v["Name"].get<std::string>());
    auto in = from_hex(v["Input"].get<std::string>());
    ASSERT_TRUE(in);
    uint64_t gas = v["Gas"];
    auto r = pc::run(addr(precompile), *in, gas);
    ASSERT_TRUE(r.success);
    EXPECT_EQ(r.gas_used, gas);
    EXPECT_EQ(to_hex(r.output, false), v["Expected"].get<std::string>());
    if (gas > 0) {
      EXPECT_FALSE(pc::run(addr(precompile), *in, gas - 1).success);
    }
  }
}

void run_failures(const std::string& file, uint8_t precompile) {
  auto vectors = load(file);
  ASSERT_FALSE(vectors.empty());
  for (auto& v : vectors) {
    SCOPED_TRACE(v["Name"].get<std::string>());
    auto in = from_hex(v["Input"].get<std::string>());
    ASSERT_TRUE(in);
    EXPECT_FALSE(pc::run(addr(precompile), *in, 10'000'000).success);
  }
}

}  // namespace

TEST(Vectors, Ecrecover) { run_vectors("ecRecover.json", 1); }
TEST(Vectors, Modexp) { run_vectors("modexp_eip2565.json", 5); }
TEST(Vectors, Bn254Add) { run_vectors("bn256Add.json", 6); }
TEST(Vectors, Bn254Mul) { run_vectors("bn256ScalarMul.json", 7); }
TEST(Vectors, Bn254Pairing) { run_vectors("bn256Pairing.json", 8); }
TEST(Vectors, Blake2f) { run_vectors("blake2F.json", 9); }
TEST(Vectors, Blake2fFailures) { run_failures("fail-blake2f.json", 9); }
TEST(Vectors, PointEvaluation) {
  pc::set_trusted_setup_path(LUMIO_KZG_SETUP_FILE);
  run_vectors("pointEvaluation.json", 10);
}

// EIP-4844 consensus fixtures (ethereum/tests Pyspecs): each transaction's calldata is forwarded
// verbatim to 0x0a with 50000 gas; the expected outcome is in the test name.
TEST(Fixtures, PointEvaluation) {
  pc::set_trusted_setup_path(LUMIO_KZG_SETUP_FILE);
  const std::string dir = std::string(LUMIO_SHARED_DIR) +
                          "/ethereum-tests/GeneralStateTests/Pyspecs/cancun/eip4844_blobs/";
  int passed = 0, failed = 0;
  for (const char* file : {"point_evaluation_precompile_external_vectors.json",
                           "valid_precompile_calls.json", "invalid_precompile_calls.json",
                           "point_evaluation_precompile_calls.json"}) {
    std::ifstream f(dir + file);
    ASSERT_TRUE(f) << file;
    auto tests = nlohmann::json::parse(f);
    for (auto& [name, t] : tests.items()) {
      bool expect;
      if (name.find("insufficient_gas") != std::string::npos) continue;  // a gas-limit test
      if (name.find("success_True") != std::string::npos ||
          name.find("case_correct_proof") != std::string::npos || name.ends_with("-correct]"))
        expect = true;
      else if (name.find("success_False") != std::string::npos ||
               name.find("case_incorrect_proof") != std::string::npos ||
               name.find("case_invalid_") != std::string::npos || name.ends_with("-incorrect]"))
        expect = false;
      else
        FAIL() << "unclassified fixture " << name;
      auto in = from_hex(t["transaction"]["data"][0].get<std::string>());
      ASSERT_TRUE(in);
      auto r = pc::run(addr(10), *in, 50000);
      bool ok = r.success == expect;
      if (ok && expect)
        ok = to_hex(r.output, false) ==
             "0000000000000000000000000000000000000000000000000000000000001000"
             "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
      EXPECT_TRUE(ok) << name;
      (ok ? passed : failed)++;
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  EXPECT_GT(passed, 130);
}
