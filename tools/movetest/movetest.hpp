// Runner for Move transactional tests (.mvir + .exp, as in ../shared/move-tests): executes the
// tasks of a file in order and renders their outputs exactly as Aptos's runner prints them,
// so the result can be compared with the expected file verbatim.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "movevm/binary_format.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives.hpp"

namespace lumio::movetest {

// A task the bytecode verifier rejects, run anyway in --no-verify mode.
struct UnverifiedTask {
  size_t task = 0;
  std::string kind;             // "publish", "run"
  std::string verifier_status;  // what the verifier said
  // Per call made with the unit (a script run, or each function of a published module probed
  // with default arguments): "name: STATUS", or "name: ok" for a call that returned.
  std::vector<std::string> calls;
  std::vector<movevm::StatusCode> statuses;  // the error statuses among `calls`
};

struct FileResult {
  std::string output;       // our rendering of the whole file's outputs
  std::string expected;     // contents of the .exp file ("" when missing)
  bool unsupported = false; // a task needs a component that does not exist yet (e.g. `run`)
  std::string unsupported_reason;
  // Tasks we could run whose output differs from the expected one (unsupported tasks are
  // not compared); a file passes only when it is fully supported and identical.
  std::vector<size_t> mismatched_tasks;
  // --no-verify mode: tasks the verifier rejects (not compared: run anyway), and tasks after
  // them that mention a module published unverified and print something else than Aptos.
  std::vector<UnverifiedTask> unverified;
  std::vector<size_t> diverged_tasks;
  bool passed() const;
};

// Totals of a --no-verify run over many files.
struct NoVerifyTally {
  size_t rejected = 0;    // tasks the verifier rejects
  size_t caught = 0;      // ... of which some call ended in an invariant violation (2000-2999)
  size_t executed = 0;    // ... of which calls were made and none hit an invariant violation
  size_t not_called = 0;  // ... of which no call could be made (no function with default arguments)
  size_t calls = 0;       // calls made with rejected units
  std::map<std::string, size_t> call_statuses;  // per outcome ("ok" or a status name): calls
  size_t diverged = 0;    // tasks after an unverified publish whose output differs
  void add(const FileResult& r);
  std::string summary() const;  // several lines, no "passed/failed" line
};

struct RunnerOptions {
  // Every publish and script skips the bytecode verifier (deserialization and bounds checks
  // still run; republishing still checks compatibility), so only the interpreter's runtime
  // checks stand between the code and the VM. The verifier still runs, only to classify: its
  // rejections are published/run anyway and probed (FileResult::unverified); every other task
  // must print exactly what Aptos prints.
  bool no_verify = false;
  uint64_t probe_steps = 200000;  // budget of each probe call (StepMeter units)
  // If set, every module and script compiled from a publish/run task is written there as
  // <file>.<task>.mv (seed corpus of movevm_exec_fuzz).
  std::filesystem::path dump_units;
};

class Runner {
 public:
  // `stdlib`: modules published at 0x1 before each file's first task.
  explicit Runner(std::vector<std::unique_ptr<movevm::CompiledModule>> stdlib, RunnerOptions options = {});

  // Loads the genuine 0x1 modules of an Aptos genesis folder (…/modules/0x1__*.mv).
  static std::vector<std::unique_ptr<movevm::CompiledModule>> load_stdlib(const std::filesystem::path& modules_dir);

  FileResult run_file(const std::filesystem::path& mvir) const;

 private:
  std::vector<std::shared_ptr<const movevm::CompiledModule>> stdlib_;
  RunnerOptions options_;
  // Natives of move-stdlib and the framework; runs are unmetered, so the gas parameters (which
  // natives capture) come from an empty schedule.
  std::unique_ptr<movevm::GasParameters> native_gas_;
  std::unique_ptr<movevm::NativeRegistry> natives_;
};

}  // namespace lumio::movetest
