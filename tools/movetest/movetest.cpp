#include "tools/movetest/movetest.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <map>
#include <optional>
#include <sstream>

#include "movevm/disassembler.hpp"
#include "movevm/ir_compiler.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/verifier.hpp"
#include "tools/movetest/probe.hpp"

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
std::string render_vm_error(const VMError& e, const std::string& location, bool verbose = false) {
  std::string indices, offsets;
  for (size_t i = 0; i < e.indices.size(); ++i)
    indices += std::string(i ? ", " : "") + "(" + index_kind_debug(e.indices[i].first) + ", " +
               std::to_string(e.indices[i].second) + ")";
  for (size_t i = 0; i < e.offsets.size(); ++i)
    offsets += std::string(i ? ", " : "") + "(FunctionDefinitionIndex(" +
               std::to_string(e.offsets[i].first) + "), " + std::to_string(e.offsets[i].second) + ")";
  return "VMError: {\n" + (verbose && !e.message.empty() ? "    message: " + e.message + ",\n" : std::string()) +
         "    major_status: " + std::string(status_name(e.status)) + ",\n    sub_status: None,\n    location: " +
         location + ",\n    indices: [" + indices + "],\n    offsets: [" + offsets + "],\n" +
         (verbose ? "    exec_state: None,\n" : "") + "}";
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

// Words of a command line; `<...>` groups stay together ("0x1::M::Ex<bool, u64>").
std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> r;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') quoted = !quoted;
    if (!quoted) {
      if (ch == '<') ++depth;
      if (ch == '>') --depth;
    }
    if (ch == ' ' && depth == 0 && !quoted) {
      if (!cur.empty()) r.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) r.push_back(cur);
  return r;
}

std::optional<AccountAddress> parse_address(std::string s) {
  if (s.rfind("0x", 0) != 0 || s.size() < 3 || s.size() > 66) return std::nullopt;
  std::string hex = s.substr(2);
  hex = std::string(64 - hex.size(), '0') + hex;
  return fixed_from_hex<32>(hex);
}

// BCS of a transactional-test argument: 7 / 7u8..7u256 (untyped: u64), true, @0x1, b"..", x"..".
std::optional<Bytes> parse_arg(const std::string& a) {
  Bytes out;
  auto uleb = [&](uint64_t v) {
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      out.push_back(b | (v ? 0x80 : 0));
    } while (v);
  };
  if (a == "true" || a == "false") return Bytes{uint8_t(a == "true")};
  if (a[0] == '@') {
    auto addr = parse_address(a.substr(1));
    if (!addr) return std::nullopt;
    return Bytes(addr->bytes.begin(), addr->bytes.end());
  }
  if (a.size() >= 3 && (a[0] == 'b' || a[0] == 'x') && a[1] == '"' && a.back() == '"') {
    std::string body = a.substr(2, a.size() - 3);
    Bytes bytes;
    if (a[0] == 'b') {
      bytes.assign(body.begin(), body.end());
    } else {
      auto h = from_hex(body);
      if (!h) return std::nullopt;
      bytes = *h;
    }
    uleb(bytes.size());
    out.insert(out.end(), bytes.begin(), bytes.end());
    return out;
  }
  size_t digits = 0;
  while (digits < a.size() && isdigit(uint8_t(a[digits]))) ++digits;
  if (digits == 0) return std::nullopt;
  std::string suffix = a.substr(digits);
  int width = suffix.empty() ? 64 : suffix == "u8" ? 8 : suffix == "u16" ? 16 : suffix == "u32" ? 32
              : suffix == "u64" ? 64 : suffix == "u128" ? 128 : suffix == "u256" ? 256 : 0;
  if (!width) return std::nullopt;
  // Decimal → little-endian bytes of `width` bits.
  std::vector<uint32_t> limbs(8, 0);
  for (size_t i = 0; i < digits; ++i) {
    uint64_t carry = uint64_t(a[i] - '0');
    for (auto& l : limbs) {
      uint64_t x = uint64_t(l) * 10 + carry;
      l = uint32_t(x);
      carry = x >> 32;
    }
    if (carry) return std::nullopt;
  }
  for (int i = 0; i < width / 8; ++i) out.push_back(uint8_t(limbs[i / 4] >> (8 * (i % 4))));
  for (int i = width / 8; i < 32; ++i)
    if (uint8_t(limbs[i / 4] >> (8 * (i % 4)))) return std::nullopt;
  return out;
}

std::string render_execution_error(const ExecutionError& e, bool verbose) {
  std::string location = e.location == ErrorLocation::Script ? "script"
                         : e.location == ErrorLocation::Module ? short_hex(e.module_address) + "::" + e.module_name
                                                               : "undefined";
  std::string offsets;
  for (size_t i = 0; i < e.error.offsets.size(); ++i)
    offsets += std::string(i ? ", " : "") + "(FunctionDefinitionIndex(" + std::to_string(e.error.offsets[i].first) +
               "), " + std::to_string(e.error.offsets[i].second) + ")";
  std::string indices;
  for (size_t i = 0; i < e.error.indices.size(); ++i)
    indices += std::string(i ? ", " : "") + "(" + index_kind_debug(e.error.indices[i].first) + ", " +
               std::to_string(e.error.indices[i].second) + ")";
  std::string r = "VMError: {\n";
  if (verbose && !e.error.message.empty()) r += "    message: " + e.error.message + ",\n";
  r += "    major_status: " + std::string(status_name(e.error.status)) + ",\n";
  r += "    sub_status: " + (e.sub_status ? "Some(" + std::to_string(*e.sub_status) + ")" : std::string("None")) + ",\n";
  r += "    location: " + location + ",\n    indices: [" + indices + "],\n    offsets: [" + offsets + "],\n";
  if (verbose) {
    if (!e.has_exec_state) {
      r += "    exec_state: None,\n";
    } else {
      std::string trace;
      for (size_t i = 0; i < e.stack_trace.size(); ++i) {
        const auto& t = e.stack_trace[i];
        std::string m = t.module ? "Some(ModuleId { address: " + to_hex(t.module->first.view(), false) +
                                       ", name: Identifier(\"" + t.module->second + "\") })"
                                 : "None";
        trace += std::string(i ? ", " : "") + "(" + m + ", FunctionDefinitionIndex(" + std::to_string(t.function) +
                 "), " + std::to_string(t.pc) + ")";
      }
      r += "    exec_state: Some(ExecutionState { stack_trace: [" + trace + "] }),\n";
    }
  }
  return r + "}";
}

// Chain state of one test file: resources written by earlier tasks.
class FileState : public StateView {
 public:
  std::map<std::pair<AccountAddress, Bytes>, Bytes> resources;
  std::optional<Bytes> get_resource(const AccountAddress& a, const StructTag& tag) const override {
    Bytes key;
    tag.serialize(key);
    auto it = resources.find({a, key});
    if (it == resources.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Bytes> get_module(const AccountAddress&, std::string_view) const override { return std::nullopt; }
  void apply(const ChangeSet& cs) {
    for (const auto& [k, v] : cs.resources) {
      Bytes key;
      k.second.serialize(key);
      if (v) resources[{k.first, key}] = *v;
      else resources.erase({k.first, key});
    }
  }
};

// Published modules by id, for the verifier's linking checks.
class VisibleModules : public ModuleResolver {
 public:
  explicit VisibleModules(const std::map<std::string, const CompiledModule*>& v) : v_(v) {}
  const CompiledModule* find(const FixedBytes<32>& address, std::string_view name) const override {
    auto it = v_.find(to_hex(address.view(), false) + "::" + std::string(name));
    return it == v_.end() ? nullptr : it->second;
  }

 private:
  const std::map<std::string, const CompiledModule*>& v_;
};

}  // namespace

bool FileResult::passed() const {
  // --no-verify: only the compared tasks count (rejected and diverged ones are reported apart).
  if (!unverified.empty() || !diverged_tasks.empty()) return !unsupported && mismatched_tasks.empty();
  return !unsupported && trim_right(output) == trim_right(expected);
}

void NoVerifyTally::add(const FileResult& r) {
  diverged += r.diverged_tasks.size();
  for (const auto& u : r.unverified) {
    ++rejected;
    calls += u.calls.size();
    for (const auto& c : u.calls) ++call_statuses[c.substr(c.rfind(": ") + 2)];
    bool invariant = std::any_of(u.statuses.begin(), u.statuses.end(), [](StatusCode s) {
      return uint64_t(s) >= 2000 && uint64_t(s) < 3000;
    });
    if (u.calls.empty()) ++not_called;
    else if (invariant) ++caught;
    else ++executed;
  }
}

std::string NoVerifyTally::summary() const {
  std::string s = "verifier rejections run anyway: " + std::to_string(rejected) + " tasks; caught at run time " +
                  "(invariant violation): " + std::to_string(caught) + ", executed without one: " +
                  std::to_string(executed) + ", nothing callable: " + std::to_string(not_called) + "\n";
  s += "calls made with rejected units: " + std::to_string(calls) + " (";
  bool first = true;
  for (const auto& [status, n] : call_statuses) {
    s += std::string(first ? "" : ", ") + status + " " + std::to_string(n);
    first = false;
  }
  s += ")\ntasks diverging after an unverified publish: " + std::to_string(diverged) + "\n";
  return s;
}

Runner::Runner(std::vector<std::unique_ptr<CompiledModule>> stdlib, RunnerOptions options)
    : options_(options), native_gas_(std::make_unique<GasParameters>(GasSchedule{})), natives_(std::make_unique<NativeRegistry>()) {
  for (auto& m : stdlib) stdlib_.push_back(std::shared_ptr<const CompiledModule>(std::move(m)));
  if (auto e = register_all_natives(*natives_, *native_gas_))
    throw std::runtime_error("native registration failed: " + e->message);
}

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
  std::map<std::string, std::shared_ptr<const CompiledModule>> code;  // what sessions load
  // Modules whose dependencies were republished without the linking checks: Aptos re-links
  // them when they are next loaded (UNEXPECTED_VERIFIER_ERROR if that fails).
  std::set<std::string> stale;
  auto relink_closure = [&](const CommonTables& unit, const std::string& self) -> std::optional<std::string> {
    std::set<std::string> seen;
    std::function<std::optional<std::string>(const CommonTables&, const std::string&)> walk =
        [&](const CommonTables& u, const std::string& id) -> std::optional<std::string> {
      for (const auto& h : u.module_handles) {
        std::string dep = to_hex(u.address_identifiers.at(h.address).view(), false) + "::" + u.identifiers.at(h.name);
        if (dep == id || !seen.insert(dep).second) continue;
        auto it = visible.find(dep);
        if (it == visible.end()) continue;
        if (stale.count(dep)) {
          VisibleModules resolver(visible);
          auto v = verify_module_with_dependencies(*it->second, resolver);
          if (v.error) {
            VMError e = *v.error;
            e.status = StatusCode::UNEXPECTED_VERIFIER_ERROR;
            e.offsets.clear();
            return render_vm_error(e, module_location(*it->second));
          }
        }
        if (auto r = walk(*it->second, dep)) return r;
      }
      return std::nullopt;
    };
    return walk(unit, self);
  };
  for (const auto& m : stdlib_) {
    visible[module_id(*m)] = m.get();
    code[module_id(*m)] = m;
  }
  FileState state;
  // Set once a publish could not be judged: what later tasks run against is then unknown.
  bool state_uncertain = false;

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

  // --no-verify: names of modules published although the verifier rejects them (and of
  // modules published after them that mention them); a later task that mentions one may
  // legitimately print something else than Aptos (the module exists now).
  std::set<std::string> unverified_names;
  auto mentions_unverified = [&](const std::string& text) {
    for (const auto& n : unverified_names)
      for (size_t p = text.find(n); p != std::string::npos; p = text.find(n, p + 1)) {
        auto word = [](char c) { return isalnum(uint8_t(c)) || c == '_'; };
        if ((p == 0 || !word(text[p - 1])) && (p + n.size() == text.size() || !word(text[p + n.size()]))) return true;
      }
    return false;
  };
  // Probes the functions of a module the verifier rejected (fresh loader over this file's code).
  auto probe = [&](const CompiledModule& m, UnverifiedTask& rec) {
    auto loader = std::make_shared<Loader>(state, *natives_);
    for (const auto& [id, cm] : code) loader->add_module(cm);
    const auto& h = m.module_handles[m.self_module_handle_idx];
    for (auto& r : probe_module(state, nullptr, loader, m.address_identifiers[h.address], m.identifiers[h.name],
                                options_.probe_steps)) {
      std::string st = r.error ? std::string(status_name(r.error->error.status)) : "ok";
      rec.calls.push_back(r.function + ": " + st);
      if (r.error) rec.statuses.push_back(r.error->error.status);
    }
  };

  auto dump = [&](const Bytes& bytes, size_t task) {
    if (options_.dump_units.empty()) return;
    std::ofstream(options_.dump_units / (mvir.stem().string() + "." + std::to_string(task) + ".mv"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  };
  auto tasks = split(slurp(mvir));
  std::string out = "processed " + std::to_string(tasks.size()) + (tasks.size() == 1 ? " task" : " tasks") + "\n";
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    std::optional<std::string> text;  // this task's output, if any
    std::optional<UnverifiedTask> rejected;  // --no-verify: the verifier's rejection, ignored
    bool tainted = options_.no_verify && mentions_unverified(t.body + "\n" + t.command);
    try {
      std::vector<const CompiledModule*> deps;
      for (const auto& [id, m] : visible) deps.push_back(m);
      auto w = words(t.command.substr(3));
      bool no_verify = false, verbose_publish = false, skip_friend = false, skip_pub = false;
      for (const auto& x : w) {
        if (x == "--no-verify" || x == "--skip-verify") no_verify = true;
        if (x == "--verbose") verbose_publish = true;
        if (x == "--skip-check-friend-linking") skip_friend = true;
        if (x == "--skip-check-struct-and-pub-function-linking") skip_pub = true;
      }
      // The task's own --no-verify skips the verifier; the runner-wide mode still runs it to
      // classify the task, then ignores its rejection.
      bool skip_verifier = no_verify;
      bool ignore_rejection = options_.no_verify;
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
            dump(*bytes, i);
            auto loaded = deserialize_module(*bytes);
            if (!loaded)
              throw "Error: Unable to publish module '" + module_id(m) + "'. Got " +
                  render_vm_error(loaded.error(), "undefined");
            bool republish = visible.count(module_id(*loaded)) != 0;
            if (republish) {  // Aptos checks compatibility before verifying
              CompatibilityCheck check;
              check.friend_linking = !skip_friend;
              check.struct_and_pub_function_linking = !skip_pub;
              if (auto e = check_compatibility(*visible[module_id(*loaded)], *loaded, check))
                throw "Error: Unable to publish module '" + module_id(m) + "'. Got " +
                    render_vm_error(*e, "undefined", verbose_publish);
            }
            VisibleModules resolver(visible);
            VerificationResult verdict;
            verdict.complete = true;
            if (!skip_verifier) verdict = verify_module_with_dependencies(*loaded, resolver);
            if (verdict.error && ignore_rejection) {
              rejected = UnverifiedTask{i, t.kind, std::string(status_name(verdict.error->status)), {}, {}};
              verdict.error.reset();
            }
            if (verdict.error)
              throw "Error: Unable to publish module '" + module_id(m) + "'. Got " +
                  render_vm_error(*verdict.error, verdict.located_in_unit ? module_location(m) : "undefined",
                                  verbose_publish);
            // Publishing succeeds for sure only when the verifier (with linking) ran completely
            // and there is no earlier version of the module to be compatible with.
            // Skipping a compatibility check leaves dependents that Aptos re-verifies later.
            if (republish && (skip_friend || skip_pub)) {
              std::string id = module_id(*loaded);
              for (const auto& [other, om] : visible) {
                if (other == id) continue;
                for (const auto& h : om->module_handles)
                  if (to_hex(om->address_identifiers.at(h.address).view(), false) + "::" + om->identifiers.at(h.name) == id)
                    stale.insert(other);
              }
            }
            bool certain = verdict.complete;
            auto shared = std::make_shared<const CompiledModule>(std::move(*loaded));
            visible[module_id(*shared)] = shared.get();  // later tasks see it
            code[module_id(*shared)] = shared;
            if (rejected || tainted) {
              const auto& h = shared->module_handles[shared->self_module_handle_idx];
              unverified_names.insert(shared->identifiers[h.name]);
            }
            if (rejected) probe(*shared, *rejected);
            if (!certain) {
              state_uncertain = true;
              throw Unsupported{"rest of the bytecode verifier"};
            }
          }
        }
      } else if (t.kind == "run" || t.kind == "view") {
        if (state_uncertain) throw Unsupported{"state after an unjudged publish"};
        // Options.
        std::vector<AccountAddress> signers;
        std::vector<Bytes> args;
        std::vector<TypeTag> type_args;
        std::optional<std::string> target;
        bool verbose = false;
        std::string mode;
        std::optional<AccountAddress> view_address;
        std::optional<StructTag> view_resource;
        // --gas-budget: Move's test gas schedule is not modelled, so only outcomes decided
        // before execution starts (loading, linking, verification) are judged.
        bool metered = false;
        for (size_t k = 1; k < w.size(); ++k) {
          const std::string& x = w[k];
          if (x == "--signers" || x == "--args" || x == "--type-args") {
            mode = x;
          } else if (x == "--verbose") {
            verbose = true;
            mode.clear();
          } else if (t.kind == "view" && (x == "--address" || x == "--resource")) {
            mode = x;
          } else if (x.rfind("--", 0) == 0) {
            if (x != "--gas-budget") throw Unsupported{"option " + x};
            metered = true;  // the budget value follows
            mode = x;
          } else if (mode == "--gas-budget") {
            mode.clear();
          } else if (mode == "--signers") {
            auto a = parse_address(x);
            if (!a) throw Unsupported{"named signer " + x};
            signers.push_back(*a);
          } else if (mode == "--args") {
            auto b = parse_arg(x);
            if (!b) throw Unsupported{"argument " + x};
            args.push_back(*b);
          } else if (mode == "--type-args") {
            auto tt = parse_type_tag(x);
            if (!tt) throw Unsupported{"type argument " + x};
            type_args.push_back(*tt);
          } else if (mode == "--address") {
            auto a = parse_address(x);
            if (!a) throw Unsupported{"named address " + x};
            view_address = *a;
          } else if (mode == "--resource") {
            auto tt = parse_type_tag(x);
            if (!tt || tt->kind != TagKind::Struct) throw Unsupported{"resource " + x};
            view_resource = *tt->struct_tag;
          } else if (!target && mode.empty()) {
            target = x;
          } else {
            throw Unsupported{"run syntax"};
          }
        }
        if (t.kind == "view") {
          // Only absence has a known rendering; a present resource is not judged.
          if (!view_address || !view_resource) throw Unsupported{"view syntax"};
          auto bytes = state.get_resource(*view_address, *view_resource);
          if (!bytes) throw std::string("[No Resource Exists]");
          // A resource of primitive fields renders as `key 0x1::M::R {\n    x: false\n}`.
          Session session(state, *natives_);
          for (const auto& [id, m] : code) session.loader().add_module(m);
          auto ty = session.loader().type_of_tag(TypeTag{TagKind::Struct, nullptr, std::make_shared<StructTag>(*view_resource)});
          if (!ty || ty->struct_info->is_enum) throw Unsupported{"view of this resource"};
          auto layout = session.loader().layout_of(*ty);
          auto value = layout ? deserialize_value(*bytes, *layout) : std::nullopt;
          if (!value) throw Unsupported{"view of this resource"};
          std::string r = "key " + view_resource->to_string() + " {\n";
          for (size_t k = 0; k < value->c->values.size(); ++k) {
            if (value->c->values[k].kind == ValueKind::Container) throw Unsupported{"view of nested values"};
            r += "    " + ty->struct_info->field_names.at(k) + ": " + display_value(value->c->values[k]) + "\n";
          }
          throw r + "}";
        }
        Session session(state, *natives_);
        for (const auto& [id, m] : code) session.loader().add_module(m);
        // Code run unverified (or next to unverified code) may loop: a step budget bounds it.
        UnmeteredGasMeter unmetered;
        StepMeter steps(options_.probe_steps);
        GasMeter& gas = options_.no_verify && tainted ? static_cast<GasMeter&>(steps) : unmetered;
        Outcome<ExecutionResult> outcome = ExecutionResult{};
        std::string what;
        if (t.has_code) {
          if (target) throw Unsupported{"run syntax"};
          auto parsed = ir::parse_script(t.body);
          if (auto* e = std::get_if<ir::ParseError>(&parsed)) throw "Error: " + e->describe();
          auto compiled = ir::compile_script(std::get<ir::Script>(parsed), deps);
          if (auto* e = std::get_if<ir::CompileError>(&compiled)) throw "Error: " + e->message;
          auto bytes = serialize_script(std::get<CompiledScript>(compiled));
          if (!bytes) throw "Error: " + bytes.error().message;
          dump(*bytes, i);
          auto loaded = deserialize_script(*bytes);
          if (!loaded) {
            VMError e{StatusCode::CODE_DESERIALIZATION_ERROR, {}, {}, {}};  // how the VM reports it
            throw "Error: Script execution failed with " + render_vm_error(e, "script");
          }
          VisibleModules resolver(visible);
          VerificationResult verdict;
          verdict.complete = true;
          if (!skip_verifier) verdict = verify_script_with_dependencies(*loaded, resolver);
          if (verdict.error && ignore_rejection) {
            rejected = UnverifiedTask{i, t.kind, std::string(status_name(verdict.error->status)), {}, {}};
            verdict.error.reset();
          }
          if (verdict.error)
            throw "Error: Script execution failed with " +
                render_vm_error(*verdict.error, verdict.located_in_unit ? "script" : "undefined");
          if (!verdict.complete) throw Unsupported{"rest of the bytecode verifier"};
          what = "Script";
          if (auto e = relink_closure(*loaded, "")) {
            if (!ignore_rejection) throw "Error: Script execution failed with " + *e;
            if (!rejected) rejected = UnverifiedTask{i, t.kind, "UNEXPECTED_VERIFIER_ERROR", {}, {}};
          }
          outcome = session.execute_script(std::make_shared<const CompiledScript>(std::move(*loaded)), type_args,
                                           signers, args, rejected ? static_cast<GasMeter&>(steps) : gas);
        } else {
          if (!target) throw Unsupported{"run without a script"};
          // 0x42::M::f
          size_t p2 = target->rfind("::");
          size_t p1 = p2 == std::string::npos ? std::string::npos : target->rfind("::", p2 - 1);
          if (p1 == std::string::npos) throw Unsupported{"run target " + *target};
          auto addr = parse_address(target->substr(0, p1));
          if (!addr) throw Unsupported{"named address in " + *target};
          what = "Function";
          {
            std::string id = to_hex(addr->view(), false) + "::" + target->substr(p1 + 2, p2 - p1 - 2);
            auto it = visible.find(id);
            if (it != visible.end() && stale.count(id)) {
              // The entry module itself: re-link it, then its dependencies.
              VisibleModules resolver(visible);
              auto v = verify_module_with_dependencies(*it->second, resolver);
              if (v.error && ignore_rejection) {
                rejected = UnverifiedTask{i, t.kind, "UNEXPECTED_VERIFIER_ERROR", {}, {}};
              } else if (v.error) {
                VMError e = *v.error;
                e.status = StatusCode::UNEXPECTED_VERIFIER_ERROR;
                e.offsets.clear();
                throw "Error: Function execution failed with " + render_vm_error(e, module_location(*it->second));
              }
            }
            if (it != visible.end() && !rejected)
              if (auto e = relink_closure(*it->second, id)) {
                if (!ignore_rejection) throw "Error: Function execution failed with " + *e;
                rejected = UnverifiedTask{i, t.kind, "UNEXPECTED_VERIFIER_ERROR", {}, {}};
              }
          }
          outcome = session.execute_function(*addr, target->substr(p1 + 2, p2 - p1 - 2), target->substr(p2 + 2),
                                             type_args, signers, args,
                                             rejected ? static_cast<GasMeter&>(steps) : gas);
        }
        if (rejected) {
          auto* e = std::get_if<ExecutionError>(&outcome);
          std::string st = e ? std::string(status_name(e->error.status)) : "ok";
          rejected->calls.push_back(what + ": " + st);
          if (e) rejected->statuses.push_back(e->error.status);
        }
        if (auto* e = std::get_if<ExecutionError>(&outcome); metered && (!e || e->has_exec_state))
          throw Unsupported{"gas metering"};
        if (auto* e = std::get_if<ExecutionError>(&outcome))
          throw "Error: " + what + " execution failed with " + render_execution_error(*e, verbose);
        auto cs = session.change_set();
        if (auto* e = std::get_if<ExecutionError>(&cs))
          throw "Error: " + what + " execution failed with " + render_execution_error(*e, verbose);
        state.apply(std::get<ChangeSet>(cs));
        const auto& r = std::get<ExecutionResult>(outcome);
        std::string lines;
        if (what == "Function" && !r.mutable_outputs.empty()) {
          lines += "mutable inputs after call: ";
          for (size_t k = 0; k < r.mutable_outputs.size(); ++k)
            lines += std::string(k ? ", " : "") + "local#" + std::to_string(std::get<0>(r.mutable_outputs[k])) + ": " +
                     display_value(std::get<1>(r.mutable_outputs[k]));
        }
        if (!r.return_values.empty()) {
          if (!lines.empty()) lines += "\n";
          lines += "return values: ";
          for (size_t k = 0; k < r.return_values.size(); ++k)
            lines += std::string(k ? ", " : "") + display_value(r.return_values[k]);
        }
        if (!lines.empty()) text = lines;
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
    if (options_.no_verify && (rejected || tainted) && !supported) {
      // Not judgeable, and not expected to match: undo the unsupported mark of this task.
      if (result.unsupported_reason.find("(task " + std::to_string(i) + ")") != std::string::npos) {
        result.unsupported = false;
        result.unsupported_reason.clear();
      }
      supported = true;
    }
    if (rejected) {
      result.unverified.push_back(*rejected);
    } else if (supported) {
      auto e = expected_tasks.find(i);
      std::string want = e == expected_tasks.end() ? "" : trim_right(e->second);
      if (want != trim_right(text.value_or("")))
        (tainted ? result.diverged_tasks : result.mismatched_tasks).push_back(i);
    }
    if (text)
      out += "\ntask " + std::to_string(i) + " '" + t.kind + "'. lines " + std::to_string(t.first_line) + "-" +
             std::to_string(t.last_line) + ":\n" + *text + "\n";
  }
  result.output = out;
  return result;
}

}  // namespace lumio::movetest
