// The EIP-4844 point-evaluation cases of the shared ethereum/tests fixtures, run directly.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "evm/precompiles/precompiles.hpp"

using namespace lumio;
namespace pc = lumio::evm::precompiles;

namespace {

Address addr(uint8_t n) {
  Address a;
  a.bytes[19] = n;
  return a;
}

}  // namespace

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
