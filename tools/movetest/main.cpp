// lumio-movetest: runs Move transactional tests (.mvir) and compares with their .exp files.
//   lumio-movetest [--verbose] [PATH...]   (default: ../shared/move-tests next to the repo)
// Last line: "N passed, N failed".
#include <algorithm>
#include <iostream>

#include "tools/movetest/movetest.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  bool verbose = false;
  std::vector<fs::path> roots;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--verbose" || a == "-v") verbose = true;
    else roots.emplace_back(a);
  }
  fs::path shared = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared";
  if (roots.empty()) roots.push_back(shared / "move-tests");
  lumio::movetest::Runner runner(
      lumio::movetest::Runner::load_stdlib(shared / "aptos-genesis" / "v6_2024-10-04" / "modules"));

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
    auto r = runner.run_file(f);
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
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
