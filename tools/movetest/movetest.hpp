// Runner for Move transactional tests (.mvir + .exp, as in ../shared/move-tests): executes the
// tasks of a file in order and renders their outputs exactly as Aptos's runner prints them,
// so the result can be compared with the expected file verbatim.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "movevm/binary_format.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives.hpp"

namespace lumio::movetest {

struct FileResult {
  std::string output;       // our rendering of the whole file's outputs
  std::string expected;     // contents of the .exp file ("" when missing)
  bool unsupported = false; // a task needs a component that does not exist yet (e.g. `run`)
  std::string unsupported_reason;
  // Tasks we could run whose output differs from the expected one (unsupported tasks are
  // not compared); a file passes only when it is fully supported and identical.
  std::vector<size_t> mismatched_tasks;
  bool passed() const;
};

class Runner {
 public:
  // `stdlib`: modules published at 0x1 before each file's first task.
  explicit Runner(std::vector<std::unique_ptr<movevm::CompiledModule>> stdlib);

  // Loads the genuine 0x1 modules of an Aptos genesis folder (…/modules/0x1__*.mv).
  static std::vector<std::unique_ptr<movevm::CompiledModule>> load_stdlib(const std::filesystem::path& modules_dir);

  FileResult run_file(const std::filesystem::path& mvir) const;

 private:
  std::vector<std::shared_ptr<const movevm::CompiledModule>> stdlib_;
  // Natives of move-stdlib and the framework; runs are unmetered, so the gas parameters (which
  // natives capture) come from an empty schedule.
  std::unique_ptr<movevm::GasParameters> native_gas_;
  std::unique_ptr<movevm::NativeRegistry> natives_;
};

}  // namespace lumio::movetest
