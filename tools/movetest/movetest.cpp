#include "tools/movetest/movetest.hpp"

#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "movevm/disassembler.hpp"
#include "movevm/ir_compiler.hpp"
#include "movevm/verifier.hpp"

namespace fs = std::filesystem;

namespace lumio::movetest {
namespace {

using namespace lumio::movevm;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> r;
  std::stringstream ss(s);
  for (std::string l; std::getline(ss, l);) r.push_back(l);
  return r;
}

std::string trim_right(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r' || s.back() == '\t'))
    s.pop_back();
  return s;
}

bool blank(const std::string& l) { return l.find_first_not_of(" \t\r") == std::string::npos; }

std::string module_id(const CompiledModule& m) {
  const auto& h = m.module_handles[m.self_module_handle_idx];
  return to_hex(m.address_identifiers[h.address].view(), false) + "::" + m.identifiers[h.name];
}

// "0x42::M", how a module location is printed.
std::string module_location(const CompiledModule& m) {
  const auto& h = m.module_handles[m.self_module_handle_idx];
  std::string hex = to_hex(m.address_identifiers[h.address].view(), false);
  size_t nz = hex.find_first_not_of('0');
  return "0x" + (nz == std::string::npos ? std::string("0") : hex.substr(nz)) + "::" + m.identifiers[h.name];
}

std::string index_kind_debug(IndexKind k) {
  static const char* kNames[] = {
      "ModuleHandle", "StructHandle", "FunctionHandle", "FieldHandle", "FriendDeclaration",
      "FunctionInstantiation", "FieldInstantiation", "StructDefinition", "StructDefInstantiation",
      "FunctionDefinition", "FieldDefinition", "Signature", "Identifier", "AddressIdentifier",
      "ConstantPool", "LocalPool", "CodeDefinition", "TypeParameter", "MemberCount",
      "VariantDefinition", "VariantFieldHandle", "VariantFieldInstantiation",
      "StructVariantHandle", "StructVariantInstantiation"};
  return kNames[size_t(k)];
}

// The `VMError: { ... }` block of Aptos's runner output.
std::string render_vm_error(const VMError& e, const std::string& location) {
  std::string indices, offsets;
  for (size_t i = 0; i < e.indices.size(); ++i)
    indices += std::string(i ? ", " : "") + "(" + index_kind_debug(e.indices[i].first) + ", " +
               std::to_string(e.indices[i].second) + ")";
  for (size_t i = 0; i < e.offsets.size(); ++i)
    offsets += std::string(i ? ", " : "") + "(FunctionDefinitionIndex(" +
               std::to_string(e.offsets[i].first) + "), " + std::to_string(e.offsets[i].second) + ")";
  return "VMError: {\n    major_status: " + std::string(status_name(e.status)) +
         ",\n    sub_status: None,\n    location: " + location + ",\n    indices: [" + indices +
         "],\n    offsets: [" + offsets + "],\n}";
}

struct Task {
  std::string command;
  std::string kind;
  size_t first_line = 0, last_line = 0;  // 1-based; trailing blank lines excluded
  std::string body;
  bool has_code = false;  // anything besides the command line, blanks and comments
};

std::vector<Task> split(const std::string& text) {
  std::vector<Task> tasks;
  auto lines = lines_of(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    bool command = lines[i].rfind("//#", 0) == 0;
    if (command) {
      Task t;
      t.command = lines[i];
      std::istringstream cmd(lines[i].substr(3));
      cmd >> t.kind;
      t.first_line = t.last_line = i + 1;
      tasks.push_back(t);
    }
    if (tasks.empty()) continue;
    Task& t = tasks.back();
    t.body += lines[i] + "\n";
    if (!blank(lines[i])) t.last_line = i + 1;
    size_t p = lines[i].find_first_not_of(" \t\r");
    if (!command && p != std::string::npos && lines[i].compare(p, 2, "//") != 0) t.has_code = true;
  }
  return tasks;
}

struct Unsupported {
  std::string reason;
};

}  // namespace

bool FileResult::passed() const { return !unsupported && trim_right(output) == trim_right(expected); }

Runner::Runner(std::vector<std::unique_ptr<CompiledModule>> stdlib) : stdlib_(std::move(stdlib)) {}

std::vector<std::unique_ptr<CompiledModule>> Runner::load_stdlib(const fs::path& modules_dir) {
  std::vector<std::unique_ptr<CompiledModule>> r;
  for (const auto& f : fs::directory_iterator(modules_dir)) {
    if (f.path().filename().string().rfind("0x1__", 0) != 0) continue;
    std::string bytes = slurp(f.path());
    auto m = deserialize_module(BytesView(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    if (m) r.push_back(std::make_unique<CompiledModule>(std::move(*m)));
  }
  return r;
}

FileResult Runner::run_file(const fs::path& mvir) const {
  FileResult result;
  fs::path exp = mvir;
  exp.replace_extension(".exp");
  if (fs::exists(exp)) result.expected = slurp(exp);

  std::map<std::string, const CompiledModule*> visible;  // module id -> published module
  for (const auto& m : stdlib_) visible[module_id(*m)] = m.get();
  std::vector<std::unique_ptr<CompiledModule>> published;

  // Expected output per task index.
  std::map<size_t, std::string> expected_tasks;
  {
    long current = -1;
    for (const auto& l : lines_of(result.expected)) {
      if (l.rfind("task ", 0) == 0 && l.find("'. lines ") != std::string::npos) {
        current = long(std::stoul(l.substr(5)));
        expected_tasks[size_t(current)];
        continue;
      }
      if (current >= 0) expected_tasks[size_t(current)] += l + "\n";
    }
  }

  auto tasks = split(slurp(mvir));
  std::string out = "processed " + std::to_string(tasks.size()) + (tasks.size() == 1 ? " task" : " tasks") + "\n";
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    std::optional<std::string> text;  // this task's output, if any
    try {
      std::vector<const CompiledModule*> deps;
      for (const auto& [id, m] : visible) deps.push_back(m);
      bool module_input = t.kind == "publish" || t.command.find("--input=module") != std::string::npos;
      if (t.kind == "print-bytecode" || t.kind == "publish") {
        if (!module_input) {
          auto parsed = ir::parse_script(t.body);
          if (auto* e = std::get_if<ir::ParseError>(&parsed)) throw "Error: " + e->describe();
          auto compiled = ir::compile_script(std::get<ir::Script>(parsed), deps);
          if (auto* e = std::get_if<ir::CompileError>(&compiled)) throw "Error: " + e->message;
          auto bytes = serialize_script(std::get<CompiledScript>(compiled));
          if (!bytes) throw "Error: " + bytes.error().message;
          text = disassemble(std::get<CompiledScript>(compiled));
        } else {
          auto parsed = ir::parse_module(t.body);
          if (auto* e = std::get_if<ir::ParseError>(&parsed)) throw "Error: " + e->describe();
          auto compiled = ir::compile_module(std::get<ir::Module>(parsed), deps);
          if (auto* e = std::get_if<ir::CompileError>(&compiled)) throw "Error: " + e->message;
          CompiledModule& m = std::get<CompiledModule>(compiled);
          auto bytes = serialize_module(m);
          if (!bytes) throw "Error: " + bytes.error().message;
          if (t.kind == "print-bytecode") {
            text = disassemble(m);
          } else {
            auto loaded = deserialize_module(*bytes);
            if (!loaded)
              throw "Error: Unable to publish module '" + module_id(m) + "'. Got " +
                  render_vm_error(loaded.error(), "undefined");
            auto verdict = verify_module(*loaded);
            if (verdict.error)
              throw "Error: Unable to publish module '" + module_id(m) + "'. Got " +
                  render_vm_error(*verdict.error, verdict.located_in_unit ? module_location(m) : "undefined");
            // Publishing succeeds for sure only when the verifier ran completely and the
            // adapter's publishing checks cannot object: no dependencies or friends to link
            // and no earlier version of the module to be compatible with.
            bool standalone = loaded->module_handles.size() == 1 && loaded->friend_decls.empty();
            bool republish = visible.count(module_id(*loaded)) != 0;
            bool certain = verdict.complete && standalone && !republish;
            published.push_back(std::make_unique<CompiledModule>(std::move(*loaded)));
            visible[module_id(*published.back())] = published.back().get();  // later tasks see it
            if (!certain) throw Unsupported{"rest of the bytecode verifier"};
          }
        }
      } else if (t.kind == "run") {
        if (t.has_code) {
          auto parsed = ir::parse_script(t.body);
          if (auto* e = std::get_if<ir::ParseError>(&parsed)) throw "Error: " + e->describe();
          auto compiled = ir::compile_script(std::get<ir::Script>(parsed), deps);
          if (auto* e = std::get_if<ir::CompileError>(&compiled)) throw "Error: " + e->message;
          auto bytes = serialize_script(std::get<CompiledScript>(compiled));
          if (!bytes) throw "Error: " + bytes.error().message;
          auto loaded = deserialize_script(*bytes);
          if (!loaded) {
            VMError e{StatusCode::CODE_DESERIALIZATION_ERROR, {}, {}, {}};  // how the VM reports it
            throw "Error: Script execution failed with " + render_vm_error(e, "script");
          }
          auto verdict = verify_script(*loaded);
          if (verdict.error)
            throw "Error: Script execution failed with " +
                render_vm_error(*verdict.error, verdict.located_in_unit ? "script" : "undefined");
        }
        throw Unsupported{"interpreter"};
      } else if (t.kind == "init" && t.command.find("--") == std::string::npos) {
        // Plain `init`: the default setup (standard library at 0x1) is already in place.
      } else {
        throw Unsupported{"task kind '" + t.kind + "'"};
      }
    } catch (const std::string& error_text) {
      text = error_text;
    } catch (const Unsupported& u) {
      if (!result.unsupported) result.unsupported_reason = u.reason + " (task " + std::to_string(i) + ")";
      result.unsupported = true;
      text = "<unsupported: " + u.reason + ">";
    }
    bool supported = !(text && text->rfind("<unsupported", 0) == 0);
    if (supported) {
      auto e = expected_tasks.find(i);
      std::string want = e == expected_tasks.end() ? "" : trim_right(e->second);
      if (want != trim_right(text.value_or(""))) result.mismatched_tasks.push_back(i);
    }
    if (text)
      out += "\ntask " + std::to_string(i) + " '" + t.kind + "'. lines " + std::to_string(t.first_line) + "-" +
             std::to_string(t.last_line) + ":\n" + *text + "\n";
  }
  result.output = out;
  return result;
}

}  // namespace lumio::movetest
