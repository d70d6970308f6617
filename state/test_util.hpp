// Helpers shared by the state tests.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <string>

namespace lumio::state::testing {

// A fresh directory removed when the test ends.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag = "state") {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("lumio-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
};

}  // namespace lumio::state::testing
