// The runner reproduces the expected outputs of the suites that need only the parser,
// compiler, loader and disassembler (the Move IR compiler suite), verbatim.
#include <gtest/gtest.h>

#include "tools/movetest/movetest.hpp"

namespace fs = std::filesystem;

TEST(MoveTest, IrCompilerSuitePasses) {
  fs::path shared = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared";
  lumio::movetest::Runner runner(
      lumio::movetest::Runner::load_stdlib(shared / "aptos-genesis" / "v6_2024-10-04" / "modules"));
  // Files whose publishes still need the bytecode verifier cannot pass yet; every task we can
  // run must nonetheless print exactly what Aptos prints.
  size_t passed = 0, failed = 0, waiting = 0;
  for (const auto& f : fs::recursive_directory_iterator(shared / "move-tests" / "move-ir-compiler")) {
    if (f.path().extension() != ".mvir") continue;
    auto r = runner.run_file(f.path());
    if (r.passed()) {
      ++passed;
    } else if (r.mismatched_tasks.empty() && r.unsupported) {
      ++waiting;
    } else {
      ++failed;
      ADD_FAILURE() << f.path() << "\n--- got ---\n" << r.output << "--- expected ---\n" << r.expected;
    }
  }
  std::cout << passed << " passed, " << waiting << " need the verifier, " << failed << " failed\n";
  EXPECT_GE(passed, 19u);
  EXPECT_EQ(failed, 0u);
}

TEST(MoveTest, LoaderErrorsRenderLikeAptos) {
  // A publish rejected by the bounds checker prints Aptos's VMError block verbatim.
  fs::path f = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "move-tests" / "move-bytecode-verifier" /
               "check_bounds" / "too_few_type_actuals.mvir";
  lumio::movetest::Runner runner({});
  auto r = runner.run_file(f);
  EXPECT_TRUE(r.passed()) << r.output << "--- expected ---\n" << r.expected;
}
