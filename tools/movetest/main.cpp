// lumio-movetest: runs Move transactional tests (.mvir) and compares with their .exp files.
//   lumio-movetest [--verbose] [--no-verify] [--dump-modules DIR] [PATH...]
//   (default PATH: ../shared/move-tests; --dump-modules writes every compiled unit to DIR)
// --no-verify: every publish and script skips the bytecode verifier; tasks it would reject run
// anyway (reported per file, summarized), every other task must print what Aptos prints.
// Last line: "N passed, N failed" (--no-verify: passed = every compared task identical).
#include <algorithm>
#include <iostream>

#include "tools/movetest/movetest.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  bool verbose = false;
  lumio::movetest::RunnerOptions options;
  std::vector<fs::path> roots;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--verbose" || a == "-v") verbose = true;
    else if (a == "--no-verify") options.no_verify = true;
    else if (a == "--dump-modules" && i + 1 < argc) options.dump_units = argv[++i];
    else roots.emplace_back(a);
  }
  fs::path shared = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared";
  if (roots.empty()) roots.push_back(shared / "move-tests");
  lumio::movetest::Runner runner(
      lumio::movetest::Runner::load_stdlib(shared / "aptos-genesis" / "v6_2024-10-04" / "modules"), options);
  lumio::movetest::NoVerifyTally tally;

  std::vector<fs::path> files;
  for (const auto& root : roots) {
    if (fs::is_regular_file(root)) {
      files.push_back(root);
      continue;
    }
    if (!fs::exists(root)) {
      std::cerr << "no such path: " << root << "\n";
      return 2;
    }
    for (const auto& f : fs::recursive_directory_iterator(root))
      if (f.path().extension() == ".mvir") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  size_t passed = 0, failed = 0;
  for (const auto& f : files) {
    if (verbose) std::cout << "RUN " << f.string() << std::endl;
    auto r = runner.run_file(f);
    tally.add(r);
    for (const auto& u : r.unverified) {
      std::cout << "UNVERIFIED " << f.string() << " task " << u.task << " (" << u.kind << ", verifier: "
                << u.verifier_status << "):";
      if (u.calls.empty()) std::cout << " nothing callable";
      size_t shown = 0;
      for (const auto& c : u.calls) {
        if (!verbose && ++shown > 6) {
          std::cout << " ... (" << u.calls.size() << " calls)";
          break;
        }
        std::cout << (shown > 1 || verbose ? ", " : " ") << c;
      }
      std::cout << "\n";
    }
    for (size_t d : r.diverged_tasks)
      std::cout << "DIVERGED " << f.string() << " task " << d << " (mentions a module published unverified)\n";
    bool ok = r.passed();
    (ok ? passed : failed)++;
    if (!ok) {
      std::cout << "FAIL " << f.string();
      if (r.unsupported) std::cout << "  [needs " << r.unsupported_reason << "]";
      std::cout << "\n";
      if (verbose && !r.unsupported) std::cout << "--- got ---\n" << r.output << "--- expected ---\n" << r.expected << "\n";
    } else if (verbose) {
      std::cout << "PASS " << f.string() << "\n";
    }
    std::cout.flush();
  }
  if (options.no_verify) std::cout << tally.summary();
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
