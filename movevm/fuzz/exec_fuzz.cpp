// libFuzzer target for executing unverified code. Seed it with genuine modules
// (../shared/aptos-genesis/*/modules/*.mv) and IR-compiled test modules
// (`lumio-movetest --dump-modules DIR`). Every input that deserializes (with bounds checks, as
// Aptos publishes) is published WITHOUT the bytecode verifier next to the genuine 0x1 modules
// of a genesis snapshot and all natives, and each of its functions is called with default
// arguments under a small step budget; so are a few instruction-level mutations of it (which
// byte-level mutation rarely produces). Nothing may crash, hang or leak: only the
// interpreter's runtime checks stand between this code and the VM.
// Second mode: a unit that passes the verifier (with linking against the stdlib) must never
// raise UNKNOWN_INVARIANT_VIOLATION_ERROR when run: that is a VM bug, so the target aborts.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "movevm/binary_format.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/verifier.hpp"
#include "tools/movetest/probe.hpp"

using namespace lumio::movevm;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kSteps = 20000;  // per call: keeps each input in milliseconds

struct EmptyState : StateView {
  std::optional<lumio::Bytes> get_resource(const AccountAddress&, const StructTag&) const override {
    return std::nullopt;
  }
  std::optional<lumio::Bytes> get_module(const AccountAddress&, std::string_view) const override {
    return std::nullopt;
  }
};

struct Env {
  std::map<std::string, std::shared_ptr<const CompiledModule>> stdlib;  // "addr::name"
  std::vector<lumio::Bytes> stdlib_bytes;  // their binaries: bases for inputs that are no module
  std::vector<std::shared_ptr<const CompiledModule>> stdlib_models;  // parallel to stdlib_bytes
  GasParameters gas{GasSchedule{}};
  NativeRegistry natives;
  EmptyState state;
};

std::string id_of(const CompiledModule& m) {
  const auto& h = m.module_handles[m.self_module_handle_idx];
  return lumio::to_hex(m.address_identifiers[h.address].view(), false) + "::" + m.identifiers[h.name];
}

Env& env() {
  static Env* e = [] {
    auto* e = new Env;
    // The fixtures sit next to the repository: <repo>/../shared.
    fs::path dir = fs::path(__FILE__).parent_path() / ".." / ".." / ".." / "shared" / "aptos-genesis" /
                   "v6_2024-10-04" / "modules";
    if (const char* d = std::getenv("LUMIO_MOVE_STDLIB")) dir = d;
    for (const auto& f : fs::directory_iterator(dir)) {
      if (f.path().filename().string().rfind("0x1__", 0) != 0) continue;
      std::ifstream in(f.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string b = ss.str();
      auto m = deserialize_module(lumio::BytesView(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
      if (m) {
        e->stdlib_bytes.emplace_back(b.begin(), b.end());
        auto shared = std::make_shared<const CompiledModule>(std::move(*m));
        e->stdlib_models.push_back(shared);
        e->stdlib[id_of(*shared)] = shared;
      }
    }
    if (e->stdlib.empty()) {
      std::fprintf(stderr, "exec_fuzz: no stdlib modules under %s\n", dir.c_str());
      std::abort();
    }
    if (register_all_natives(e->natives, e->gas)) std::abort();
    return e;
  }();
  return *e;
}

struct Resolver : ModuleResolver {
  const std::map<std::string, std::shared_ptr<const CompiledModule>>* stdlib;
  const CompiledModule* self;
  const CompiledModule* find(const lumio::FixedBytes<32>& a, std::string_view n) const override {
    std::string id = lumio::to_hex(a.view(), false) + "::" + std::string(n);
    if (id == id_of(*self)) return self;
    auto it = stdlib->find(id);
    return it == stdlib->end() ? nullptr : it->second.get();
  }
};

// Does the module pass what publishing checks (compatibility with a genuine module it
// replaces, the verifier, linking)? Only then is an invariant violation a bug.
bool publishable_verified(const CompiledModule& m) {
  Env& e = env();
  auto genuine = e.stdlib.find(id_of(m));
  if (genuine != e.stdlib.end() && check_compatibility(*genuine->second, m, CompatibilityCheck{})) return false;
  auto local = verify_module(m, VerifierConfig::aptos_prod());
  if (local.error || !local.complete) return false;
  Resolver r;
  r.stdlib = &e.stdlib;
  r.self = &m;
  auto linked = verify_module_with_dependencies(m, r, VerifierConfig::aptos_prod());
  return !linked.error && linked.complete;
}

void run_module(const CompiledModule& compiled) {
  Env& e = env();
  auto m = std::make_shared<const CompiledModule>(compiled);
  bool verified = publishable_verified(*m);
  auto loader = std::make_shared<Loader>(e.state, e.natives);
  for (const auto& [id, sm] : e.stdlib) loader->add_module(sm);
  loader->add_module(m);  // replaces a genuine module of the same id
  const auto& h = m->module_handles[m->self_module_handle_idx];
  const AccountAddress& address = m->address_identifiers[h.address];
  const std::string& name = m->identifiers[h.name];
  // Every function, with fabricated arguments: whatever happens must be a status.
  (void)lumio::movetest::probe_module(e.state, nullptr, loader, address, name, kSteps);
  if (!verified) return;
  // Verified code called as a transaction could: an invariant violation is a VM bug. (Natives
  // and functions taking structs are left out: fabricated structs break the framework's own
  // invariants, e.g. an Aggregator no native created.)
  auto fresh = std::make_shared<Loader>(e.state, e.natives);
  for (const auto& [id, sm] : e.stdlib) fresh->add_module(sm);
  fresh->add_module(m);
  for (const auto& r : lumio::movetest::probe_module(e.state, nullptr, fresh, address, name, kSteps, VMLimits{},
                                                     /*transaction_only=*/true)) {
    // Natives' own precondition failures ("native: ...", e.g. event::emit<u64>) are their
    // contract with the framework (Aptos raises invariant violations there too), not the VM's.
    if (r.error && r.error->error.status == StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR &&
        r.error->error.message.rfind("native: ", 0) != 0) {
      std::fprintf(stderr, "verified module %s: %s raised UNKNOWN_INVARIANT_VIOLATION_ERROR: %s\n", id_of(*m).c_str(),
                   r.function.c_str(), r.error->error.message.c_str());
      std::abort();
    }
  }
}

void run_script(const CompiledScript& compiled) {
  Env& e = env();
  auto loader = std::make_shared<Loader>(e.state, e.natives);
  for (const auto& [id, sm] : e.stdlib) loader->add_module(sm);
  auto script = std::make_shared<const CompiledScript>(compiled);
  auto unit = loader->load_script(script);
  if (!unit || (*unit)->functions.empty()) return;
  const LoadedFunction& fn = *(*unit)->functions[0];
  std::vector<TypeTag> type_args(fn.type_params.size(), TypeTag{TagKind::U64, nullptr, nullptr});
  Type u64_type;
  u64_type.kind = TypeKind::U64;
  std::vector<Type> type_arg_types(fn.type_params.size(), u64_type);
  std::vector<AccountAddress> signers;
  std::vector<lumio::Bytes> args;
  bool leading = true;
  for (const auto& p : fn.params) {
    const Type& target = p.is_reference() && !p.args.empty() ? p.args[0] : p;
    if (leading && target.kind == TypeKind::Signer) {
      signers.emplace_back();
      continue;
    }
    leading = false;
    auto layout = loader->layout_of(Loader::instantiate(target, type_arg_types));
    auto bytes = layout ? lumio::movetest::default_bcs(*layout) : std::nullopt;
    if (!bytes) return;
    args.push_back(std::move(*bytes));
  }
  Session session(e.state, loader);
  add_session_extensions(session.extensions(), TransactionContext{}, nullptr);
  lumio::movetest::StepMeter gas(kSteps);
  (void)session.execute_script(script, type_args, signers, args, gas);
  (void)session.change_set();
}

// Runs the module and a few instruction-level mutations of it.
void run_module_and_mutations(const CompiledModule& m, const uint8_t* data, size_t size, bool run_original = true) {
  if (run_original) run_module(m);
  // Instruction-level mutations: the input's bytes pick (function, offset, change); the
  // result must still pass the bounds checker, as anything published does.
  uint64_t seed = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) seed = (seed ^ data[i]) * 0x100000001b3ull;
  for (int round = 0; round < 3 && !m.function_defs.empty(); ++round) {
    CompiledModule mutated = m;
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    auto& fd = mutated.function_defs[(seed >> 33) % mutated.function_defs.size()];
    if (!fd.code || fd.code->code.empty()) continue;
    auto& code = fd.code->code;
    size_t at = (seed >> 17) % code.size();
    switch (seed % 5) {
      case 0: code[at].op = Opcode(1 + (seed >> 40) % kOpcodeMax); break;
      case 1: code[at].index = uint16_t(code[at].index + ((seed >> 40) % 5) - 2); break;
      case 2: code.erase(code.begin() + long(at)); break;
      case 3: {
        Instruction copy = code[(seed >> 45) % code.size()];
        code.insert(code.begin() + long(at), copy);
        break;
      }
      default: std::swap(code[at], code[(seed >> 45) % code.size()]); break;
    }
    if (!check_bounds(mutated)) run_module(mutated);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lumio::BytesView input(data, size);
  if (auto m = deserialize_module(input)) {
    run_module_and_mutations(*m, data, size);
  } else if (size >= 2) {
    // Not a module: a recipe over a genuine one (so that even an empty corpus, as in CI,
    // reaches execution). Bytes 0-1 pick the module; then (offset16, value) triples overwrite
    // its bytes; whatever still deserializes runs, with instruction-level mutations.
    // If the edits break it, the genuine module's instruction-level mutations still run.
    Env& e = env();
    size_t pick = (size_t(data[0]) << 8 | data[1]) % e.stdlib_bytes.size();
    lumio::Bytes base = e.stdlib_bytes[pick];
    for (size_t i = 2; i + 2 < size; i += 3) base[(size_t(data[i]) << 8 | data[i + 1]) % base.size()] = data[i + 2];
    if (auto g = deserialize_module(base)) run_module_and_mutations(*g, data, size);
    else run_module_and_mutations(*e.stdlib_models[pick], data, size, /*run_original=*/false);
  }
  if (auto s = deserialize_script(input)) run_script(*s);
  return 0;
}
