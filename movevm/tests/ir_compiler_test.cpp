// Move IR compiler over the public transactional tests: every publish / run / print-bytecode
// task compiles exactly when Aptos's compiler does (same error text otherwise), serializes
// (or fails with Aptos's serializer text), and where our bounds checker rejects the result,
// the expected output reports that very status.
#include <gtest/gtest.h>

#include "movevm/tests/test_util.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "movevm/disassembler.hpp"
#include "movevm/ir_compiler.hpp"

namespace fs = std::filesystem;
using namespace lumio;
using namespace lumio::movevm;

namespace {

using test_util::lines_of;
using test_util::slurp;

// task index -> the task's output lines in the .exp file.
std::map<size_t, std::string> expected_outputs(const std::string& exp) {
  std::map<size_t, std::string> r;
  long current = -1;
  for (const auto& l : lines_of(exp)) {
    if (l.rfind("task ", 0) == 0) {
      current = long(std::stoul(l.substr(5)));
      continue;
    }
    if (current >= 0) r[size_t(current)] += l + "\n";
  }
  return r;
}

std::vector<std::unique_ptr<CompiledModule>> stdlib() {
  std::vector<std::unique_ptr<CompiledModule>> r;
  fs::path dir = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis" / "v6_2024-10-04" / "modules";
  for (const auto& f : fs::directory_iterator(dir)) {
    if (f.path().filename().string().rfind("0x1__", 0) != 0) continue;
    std::ifstream in(f.path(), std::ios::binary);
    Bytes b((std::istreambuf_iterator<char>(in)), {});
    auto m = deserialize_module(b);
    if (m) r.push_back(std::make_unique<CompiledModule>(std::move(*m)));
  }
  return r;
}

std::string module_key(const CompiledModule& m) {
  const auto& h = m.module_handles[m.self_module_handle_idx];
  return ir::module_id_string(m.address_identifiers[h.address].bytes, m.identifiers[h.name]);
}

struct Outcome {
  bool ok = true;
  std::string why;
};

}  // namespace

TEST(MoveIrCompiler, TransactionalTestSources) {
  fs::path root = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "move-tests";
  ASSERT_TRUE(fs::exists(root));
  auto std_modules = stdlib();
  ASSERT_GT(std_modules.size(), 20u);
  size_t passed = 0, failed = 0, compiled = 0, bounds_rejected = 0, listings = 0;
  std::vector<fs::path> files;
  for (const auto& f : fs::recursive_directory_iterator(root))
    if (f.path().extension() == ".mvir") files.push_back(f.path());
  std::sort(files.begin(), files.end());

  for (const auto& path : files) {
    fs::path exp_path = path;
    exp_path.replace_extension(".exp");
    auto expected = expected_outputs(fs::exists(exp_path) ? slurp(exp_path) : "");
    // Modules visible to this file: the standard library plus what its tasks published.
    std::map<std::string, const CompiledModule*> visible;
    for (const auto& m : std_modules) visible[module_key(*m)] = m.get();
    std::vector<std::unique_ptr<CompiledModule>> published;

    std::vector<std::pair<std::string, std::string>> tasks;  // (command, body)
    for (const auto& line : lines_of(slurp(path))) {
      if (line.rfind("//#", 0) == 0) tasks.push_back({line, {}});
      if (!tasks.empty()) tasks.back().second += line + "\n";
    }
    for (size_t i = 0; i < tasks.size(); ++i) {
      const auto& [command, body] = tasks[i];
      bool is_publish = command.rfind("//# publish", 0) == 0;
      bool is_run = command.rfind("//# run", 0) == 0;
      bool is_print = command.rfind("//# print-bytecode", 0) == 0;
      if (!is_publish && !is_run && !is_print) continue;
      bool has_code = false;
      for (const auto& l : lines_of(body.substr(command.size() + 1))) {
        size_t p = l.find_first_not_of(" \t\r");
        if (p != std::string::npos && l.compare(p, 2, "//") != 0) has_code = true;
      }
      if (!has_code) continue;
      std::string want = expected.count(i) ? expected[i] : "";
      if (want.rfind("Error: ParserError", 0) == 0) continue;  // the parser test covers these
      bool want_compile_error = want.rfind("Error: ", 0) == 0 &&
                                want.find("VMError") == std::string::npos &&
                                want.find("Unable to publish") == std::string::npos;
      std::vector<const CompiledModule*> deps;
      for (const auto& [k, m] : visible) deps.push_back(m);

      bool as_module = is_publish || command.find("--input=module") != std::string::npos;
      Outcome out;
      std::string error;
      std::optional<Bytes> bytes;
      std::optional<CompiledModule> module;
      std::string listing;  // disassembly, for print-bytecode tasks
      if (as_module) {
        auto parsed = ir::parse_module(body);
        ASSERT_TRUE(std::holds_alternative<ir::Module>(parsed)) << path << " task " << i;
        auto r = ir::compile_module(std::get<ir::Module>(parsed), deps);
        if (auto* e = std::get_if<ir::CompileError>(&r)) {
          error = e->message;
        } else {
          module = std::get<CompiledModule>(r);
          listing = disassemble(*module);
          auto s = serialize_module(*module);
          if (s) bytes = *s;
          else error = s.error().message;
        }
      } else {
        auto parsed = ir::parse_script(body);
        ASSERT_TRUE(std::holds_alternative<ir::Script>(parsed)) << path << " task " << i;
        auto r = ir::compile_script(std::get<ir::Script>(parsed), deps);
        if (auto* e = std::get_if<ir::CompileError>(&r)) {
          error = e->message;
        } else {
          listing = disassemble(std::get<CompiledScript>(r));
          auto s = serialize_script(std::get<CompiledScript>(r));
          if (s) bytes = *s;
          else error = s.error().message;
        }
      }
      if (want_compile_error) {
        std::string first_line = want.substr(0, want.find('\n'));
        if (error.empty()) out = {false, "compiled, expected " + first_line};
        else if ("Error: " + error != first_line) out = {false, "got '" + error + "', expected " + first_line};
      } else if (!error.empty()) {
        out = {false, "compile error '" + error + "', expected success"};
      } else {
        ++compiled;
        if (is_print) {
          std::string expect = want;
          while (!expect.empty() && (expect.back() == '\n' || expect.back() == ' ')) expect.pop_back();
          ++listings;
          if (listing != expect) out = {false, "disassembly differs:\n" + listing + "\n--- expected ---\n" + expect};
        }
        auto status = as_module ? deserialize_module(*bytes).status() : deserialize_script(*bytes).status();
        if (status != StatusCode::EXECUTED) {
          ++bounds_rejected;
          // The VM reports any load failure of a script as CODE_DESERIALIZATION_ERROR.
          StatusCode reported = as_module ? status : StatusCode::CODE_DESERIALIZATION_ERROR;
          std::string needle = "major_status: " + std::string(status_name(reported)) + ",";
          if (want.find(needle) == std::string::npos)
            out = {false, "our loader says " + std::string(status_name(status)) + ", expected:\n" + want};
        }
        // Successful publishes become dependencies of later tasks.
        if (is_publish && module && want.find("Error") == std::string::npos) {
          published.push_back(std::make_unique<CompiledModule>(std::move(*module)));
          visible[module_key(*published.back())] = published.back().get();
        }
      }
      if (!out.ok) ADD_FAILURE() << path.string() << " task " << i << ": " << out.why;
      (out.ok ? passed : failed)++;
    }
  }
  std::cout << compiled << " units compiled, " << bounds_rejected << " rejected by bounds checks, "
            << listings << " disassembled\n";
  EXPECT_GT(listings, 40u);
  std::cout << passed << " passed, " << failed << " failed\n";
  EXPECT_GT(compiled, 1000u);
  EXPECT_EQ(failed, 0u);
}
