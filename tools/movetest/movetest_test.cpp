// The runner against Aptos's expected outputs. Files whose tasks still need the rest of the
// verifier or the interpreter cannot pass yet; every task we do run must print exactly what
// Aptos prints, so a mismatch anywhere fails these tests.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "tools/movetest/movetest.hpp"

namespace fs = std::filesystem;

namespace {

fs::path shared() { return fs::path(LUMIO_SOURCE_DIR) / ".." / "shared"; }

struct Tally {
  size_t passed = 0, waiting = 0, mismatched = 0;
};

Tally run_suite(const fs::path& dir) {
  lumio::movetest::Runner runner(
      lumio::movetest::Runner::load_stdlib(shared() / "aptos-genesis" / "v6_2024-10-04" / "modules"));
  Tally t;
  for (const auto& f : fs::recursive_directory_iterator(dir)) {
    if (f.path().extension() != ".mvir") continue;
    auto r = runner.run_file(f.path());
    if (r.passed()) {
      ++t.passed;
    } else if (r.mismatched_tasks.empty() && r.unsupported) {
      ++t.waiting;
    } else {
      ++t.mismatched;
      ADD_FAILURE() << f.path() << "\n--- got ---\n" << r.output << "--- expected ---\n" << r.expected;
    }
  }
  std::cout << dir.filename() << ": " << t.passed << " passed, " << t.waiting << " waiting, "
            << t.mismatched << " failed\n";
  return t;
}

}  // namespace

TEST(MoveTest, IrCompilerSuite) {
  Tally t = run_suite(shared() / "move-tests" / "move-ir-compiler");
  EXPECT_GE(t.passed, 23u);
  EXPECT_EQ(t.mismatched, 0u);
}

TEST(MoveTest, DuplicationSuite) {
  Tally t = run_suite(shared() / "move-tests" / "move-bytecode-verifier" / "check_duplication");
  EXPECT_GE(t.passed, 4u);
  EXPECT_EQ(t.mismatched, 0u);
}

TEST(MoveTest, TypeSafetySuite) {
  Tally t = run_suite(shared() / "move-tests" / "move-bytecode-verifier" / "type_safety");
  EXPECT_GE(t.passed, 67u);
  EXPECT_EQ(t.mismatched, 0u);
}

TEST(MoveTest, LocalsSafetySuite) {
  Tally t = run_suite(shared() / "move-tests" / "move-bytecode-verifier" / "locals_safety");
  EXPECT_GE(t.passed, 20u);
  EXPECT_EQ(t.mismatched, 0u);
}

TEST(MoveTest, WholeCorpusHasNoMismatch) {
  Tally t = run_suite(shared() / "move-tests");
  EXPECT_GE(t.passed, 507u);
  EXPECT_GT(t.passed + t.waiting, 500u);
  EXPECT_EQ(t.mismatched, 0u);
}

TEST(MoveTest, LoaderErrorsRenderLikeAptos) {
  // A publish rejected by the bounds checker prints Aptos's VMError block verbatim.
  fs::path f = shared() / "move-tests" / "move-bytecode-verifier" / "check_bounds" / "too_few_type_actuals.mvir";
  lumio::movetest::Runner runner({});
  auto r = runner.run_file(f);
  EXPECT_TRUE(r.passed()) << r.output << "--- expected ---\n" << r.expected;
}

TEST(MoveTest, WholeCorpusWithoutVerifier) {
  // --no-verify over the whole corpus, in process: every task the verifier accepts prints
  // exactly what Aptos prints; every task it rejects is published/run anyway, and its calls end
  // in a status (a crash or hang fails this test). Counts recorded on 2026-11-26.
  lumio::movetest::RunnerOptions options;
  options.no_verify = true;
  lumio::movetest::Runner runner(
      lumio::movetest::Runner::load_stdlib(shared() / "aptos-genesis" / "v6_2024-10-04" / "modules"), options);
  lumio::movetest::NoVerifyTally tally;
  size_t passed = 0;
  for (const auto& f : fs::recursive_directory_iterator(shared() / "move-tests")) {
    if (f.path().extension() != ".mvir") continue;
    auto r = runner.run_file(f.path());
    tally.add(r);
    if (r.passed()) ++passed;
    else ADD_FAILURE() << f.path() << " tasks differing: " << r.mismatched_tasks.size() << " "
                       << r.unsupported_reason << "\n--- got ---\n" << r.output << "--- expected ---\n" << r.expected;
  }
  std::cout << tally.summary() << passed << " passed\n";
  EXPECT_GE(passed, 507u);
  EXPECT_GE(tally.rejected, 550u);
  // Rejected code that reached the interpreter was stopped by its runtime checks this often.
  EXPECT_GE(tally.caught, 380u);
  EXPECT_GE(tally.calls, 600u);
  EXPECT_LE(tally.diverged, 8u);
}

TEST(MoveTest, PublishNoVerifyLeavesBadCodeToTheRuntimeChecks) {
  // `f` returns a bool where its signature says u64: the verifier rejects the module; with
  // --no-verify it is published and the interpreter's checks stop the call instead.
  std::string body = "module 0x42.M {\npublic f(): u64 {\nlabel b0:\n    return true;\n}\n}\n";
  fs::path dir = fs::temp_directory_path() / ("movetest_noverify_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  lumio::movetest::Runner runner(
      lumio::movetest::Runner::load_stdlib(shared() / "aptos-genesis" / "v6_2024-10-04" / "modules"));
  for (bool skip : {false, true}) {
    fs::path f = dir / (skip ? "skip.mvir" : "verify.mvir");
    std::ofstream(f) << (skip ? "//# publish --no-verify\n" : "//# publish\n") << body << "\n//# run 0x42::M::f\n";
    auto r = runner.run_file(f);
    EXPECT_FALSE(r.unsupported) << r.unsupported_reason;
    if (skip) {
      EXPECT_EQ(r.output.find("Unable to publish"), std::string::npos) << r.output;
      EXPECT_NE(r.output.find("Function execution failed with VMError: {\n    major_status: UNKNOWN_INVARIANT_VIOLATION_ERROR"),
                std::string::npos) << r.output;
    } else {
      EXPECT_NE(r.output.find("Unable to publish module"), std::string::npos) << r.output;
      EXPECT_NE(r.output.find("major_status: LINKER_ERROR"), std::string::npos) << r.output;
    }
  }
  fs::remove_all(dir);
}
