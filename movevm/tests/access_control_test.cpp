// Resource access control: functions carrying access specifiers (attached to IR-compiled
// modules by hand; Move IR has no syntax for them) may only touch the resources they declare,
// intersected with their callers' declarations; a denied access fails with ACCESS_DENIED at the
// global-storage instruction. Without VMLimits::resource_access_control (Aptos production)
// specifiers are not enforced.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "movevm/framework.hpp"
#include "movevm/ir_compiler.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/genesis_chain.hpp"

using namespace lumio;
using namespace lumio::movevm;

namespace {

AccountAddress addr(uint64_t v) { return address_from_u64(v); }
using test_util::bcs_u64;
Bytes addr_bcs(uint64_t v) {
  AccountAddress a = addr(v);
  return Bytes(a.bytes.begin(), a.bytes.end());
}

std::shared_ptr<const CompiledModule> signer_module() {
  static const auto m = [] {
    std::ifstream in(std::filesystem::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis" / "v6_2024-10-04" /
                         "modules" / "0x1__signer.mv",
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    auto d = deserialize_module(BytesView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    EXPECT_TRUE(d.ok()) << "0x1::signer of the v6 genesis";
    return std::make_shared<const CompiledModule>(std::move(*d));
  }();
  return m;
}

constexpr const char* kModule = R"(module 0x42.AC {
    import 0x1.signer;
    struct R has key { v: u64 }
    struct S has key { v: u64 }
    public put(s: &signer, v: u64) {
    label b0:
        move_to<R>(copy(s), R { v: copy(v) });
        move_to<S>(move(s), S { v: move(v) });
        return;
    }
    public put_r(s: &signer, v: u64) {
    label b0:
        move_to<R>(move(s), R { v: move(v) });
        return;
    }
    public who(s: &signer): address {
    label b0:
        return signer.address_of(move(s));
    }
    public read_r(a: address): u64 acquires R {
    label b0:
        return *&borrow_global<R>(move(a)).R::v;
    }
    public read_s(a: address): u64 acquires S {
    label b0:
        return *&borrow_global<S>(move(a)).S::v;
    }
    public bump_r(a: address) acquires R {
    label b0:
        *&mut borrow_global_mut<R>(move(a)).R::v = 9;
        return;
    }
    public has_r(a: address): bool {
    label b0:
        return exists<R>(move(a));
    }
    public read_r_at(a: address, b: address): u64 acquires R {
    label b0:
        return *&borrow_global<R>(move(b)).R::v;
    }
    public outer(a: address): u64 acquires S {
    label b0:
        return Self.read_s(move(a));
    }
})";

struct Module {
  CompiledModule m;
  Module() {
    auto parsed = ir::parse_module(kModule);
    EXPECT_TRUE(std::holds_alternative<ir::Module>(parsed));
    auto compiled = ir::compile_module(std::get<ir::Module>(parsed), {signer_module().get()});
    EXPECT_TRUE(std::holds_alternative<CompiledModule>(compiled)) << std::get<ir::CompileError>(compiled).message;
    m = std::get<CompiledModule>(compiled);
    m.version = 8;
  }
  TableIndex function(const std::string& name) const {
    for (size_t i = 0; i < m.function_handles.size(); ++i)
      if (m.identifiers[m.function_handles[i].name] == name) return TableIndex(i);
    ADD_FAILURE() << name;
    return 0;
  }
  TableIndex struct_handle(const std::string& name) const {
    for (size_t i = 0; i < m.struct_handles.size(); ++i)
      if (m.identifiers[m.struct_handles[i].name] == name) return TableIndex(i);
    ADD_FAILURE() << name;
    return 0;
  }
  TableIndex address(uint64_t a) {
    for (size_t i = 0; i < m.address_identifiers.size(); ++i)
      if (m.address_identifiers[i] == addr(a)) return TableIndex(i);
    m.address_identifiers.push_back(addr(a));
    return TableIndex(m.address_identifiers.size() - 1);
  }
  // `kind R(...)` on a struct of this module.
  AccessSpecifier on(AccessKind kind, const std::string& resource, bool negated = false) const {
    AccessSpecifier s;
    s.kind = kind;
    s.negated = negated;
    s.resource = ResourceSpecifierKind::Resource;
    s.resource_index = struct_handle(resource);
    return s;
  }
  void specify(const std::string& fn, std::vector<AccessSpecifier> specs) {
    m.function_handles[function(fn)].access_specifiers = std::move(specs);
  }
  // Offset of the first instruction `op` in the body of `fn`, and its definition index.
  std::pair<uint16_t, uint16_t> where(const std::string& fn, Opcode op) const {
    TableIndex h = function(fn);
    for (size_t d = 0; d < m.function_defs.size(); ++d) {
      if (m.function_defs[d].function != h) continue;
      const auto& code = m.function_defs[d].code->code;
      for (size_t i = 0; i < code.size(); ++i)
        if (code[i].op == op) return {uint16_t(d), uint16_t(i)};
    }
    ADD_FAILURE() << fn;
    return {0, 0};
  }
};

struct AcRun {
  EmptyStateView state;
  NativeRegistry natives;
  GasParameters gas_params{GasSchedule{}};
  UnmeteredGasMeter gas;
  std::unique_ptr<Session> session;

  AcRun(const Module& mod, bool enforce = true) {
    EXPECT_FALSE(register_all_natives(natives, gas_params));
    VMLimits limits;
    limits.resource_access_control = enforce;
    session = std::make_unique<Session>(state, natives, limits);
    session->loader().add_module(signer_module());
    session->loader().add_module(std::make_shared<const CompiledModule>(mod.m));
    // R and S at 0xA and 0xB.
    for (uint64_t a : {0xA, 0xB}) EXPECT_TRUE(ok(call("put", {bcs_u64(a)}, {addr(a)})));
  }
  Outcome<ExecutionResult> call(const std::string& fn, std::vector<Bytes> args, std::vector<AccountAddress> signers = {}) {
    return session->execute_function(addr(0x42), "AC", fn, {}, signers, args, gas);
  }
  static bool ok(const Outcome<ExecutionResult>& r) {
    if (auto* e = std::get_if<ExecutionError>(&r)) {
      ADD_FAILURE() << status_name(e->error.status) << " " << e->error.message;
      return false;
    }
    return true;
  }
};

void expect_denied(const Outcome<ExecutionResult>& r, std::pair<uint16_t, uint16_t> at) {
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(r));
  const auto& e = std::get<ExecutionError>(r);
  EXPECT_EQ(e.error.status, StatusCode::ACCESS_DENIED) << status_name(e.error.status) << " " << e.error.message;
  EXPECT_EQ(e.location, ErrorLocation::Module);
  EXPECT_EQ(e.module_name, "AC");
  ASSERT_EQ(e.error.offsets.size(), 1u);
  EXPECT_EQ(e.error.offsets[0], at);
}

}  // namespace

TEST(AccessControl, ReadsAndWritesOfDeclaredResources) {
  Module mod;
  mod.specify("read_r", {mod.on(AccessKind::Reads, "R")});
  mod.specify("read_s", {mod.on(AccessKind::Reads, "R")});   // reads S while declaring R
  mod.specify("bump_r", {mod.on(AccessKind::Reads, "R")});   // writes R while declaring reads
  mod.specify("has_r", {mod.on(AccessKind::Writes, "R")});   // `writes` includes reads
  AcRun run(mod);
  auto r = run.call("read_r", {addr_bcs(0xA)});
  ASSERT_TRUE(AcRun::ok(r));
  EXPECT_EQ(std::get<ExecutionResult>(r).return_values[0].u64, 0xAu);
  EXPECT_TRUE(AcRun::ok(run.call("has_r", {addr_bcs(0xA)})));
  expect_denied(run.call("read_s", {addr_bcs(0xA)}), mod.where("read_s", Opcode::ImmBorrowGlobal));
  expect_denied(run.call("bump_r", {addr_bcs(0xA)}), mod.where("bump_r", Opcode::MutBorrowGlobal));

  // The same code without enforcement (Aptos production: the feature is off).
  AcRun off(mod, false);
  EXPECT_TRUE(AcRun::ok(off.call("read_s", {addr_bcs(0xA)})));
  EXPECT_TRUE(AcRun::ok(off.call("bump_r", {addr_bcs(0xA)})));
}

TEST(AccessControl, AddressesFromLiteralsAndParameters) {
  Module mod;
  auto at_literal = mod.on(AccessKind::Reads, "R");
  at_literal.address = AddressSpecifierKind::Literal;
  at_literal.address_index = mod.address(0xA);
  mod.specify("read_r", {at_literal});
  auto at_param = mod.on(AccessKind::Reads, "R");
  at_param.address = AddressSpecifierKind::Parameter;
  at_param.address_index = 0;  // reads R(a), reads at b
  mod.specify("read_r_at", {at_param});
  // writes R(signer::address_of(s))
  auto of_signer = mod.on(AccessKind::Writes, "R");
  of_signer.address = AddressSpecifierKind::Parameter;
  of_signer.address_index = 0;
  mod.m.function_instantiations.push_back(Instantiation{mod.function("address_of"), 0});
  for (size_t i = 0; i < mod.m.signatures.size(); ++i)
    if (mod.m.signatures[i].empty()) mod.m.function_instantiations.back().type_parameters = TableIndex(i);
  of_signer.address_function = TableIndex(mod.m.function_instantiations.size() - 1);
  mod.specify("put_r", {of_signer});
  AcRun run(mod);
  EXPECT_TRUE(AcRun::ok(run.call("read_r", {addr_bcs(0xA)})));
  expect_denied(run.call("read_r", {addr_bcs(0xB)}), mod.where("read_r", Opcode::ImmBorrowGlobal));
  EXPECT_TRUE(AcRun::ok(run.call("read_r_at", {addr_bcs(0xB), addr_bcs(0xB)})));
  expect_denied(run.call("read_r_at", {addr_bcs(0xA), addr_bcs(0xB)}), mod.where("read_r_at", Opcode::ImmBorrowGlobal));
  // put_r moves to the signer's own address: allowed (then exists there already).
  auto again = run.call("put_r", {bcs_u64(1)}, {addr(0xC)});
  EXPECT_TRUE(AcRun::ok(again));
}

TEST(AccessControl, ModuleAddressAndNegatedSpecifiers) {
  Module mod;
  AccessSpecifier in_module;
  in_module.kind = AccessKind::Writes;
  in_module.resource = ResourceSpecifierKind::DeclaredInModule;
  in_module.resource_index = mod.m.self_module_handle_idx;
  mod.specify("bump_r", {in_module});
  AccessSpecifier at_other;
  at_other.kind = AccessKind::Reads;
  at_other.resource = ResourceSpecifierKind::DeclaredAtAddress;
  at_other.resource_index = mod.address(0x43);
  mod.specify("read_r", {at_other});
  // Only exclusions: everything but reading S.
  mod.specify("has_r", {mod.on(AccessKind::Reads, "S", true)});
  mod.specify("read_s", {mod.on(AccessKind::Reads, "S", true)});
  // `!writes R`: reading stays allowed, writing is excluded.
  auto any = AccessSpecifier{};
  mod.specify("read_r_at", {any, mod.on(AccessKind::Writes, "R", true)});
  AcRun run(mod);
  EXPECT_TRUE(AcRun::ok(run.call("bump_r", {addr_bcs(0xA)})));
  expect_denied(run.call("read_r", {addr_bcs(0xA)}), mod.where("read_r", Opcode::ImmBorrowGlobal));
  EXPECT_TRUE(AcRun::ok(run.call("has_r", {addr_bcs(0xA)})));
  expect_denied(run.call("read_s", {addr_bcs(0xA)}), mod.where("read_s", Opcode::ImmBorrowGlobal));
  EXPECT_TRUE(AcRun::ok(run.call("read_r_at", {addr_bcs(0xA), addr_bcs(0xA)})));
}

TEST(AccessControl, CalleesInheritTheCallersRestriction) {
  Module mod;
  mod.specify("outer", {mod.on(AccessKind::Reads, "R")});
  AcRun run(mod);
  // outer declares reads R; read_s (no specifiers of its own) reads S inside it.
  expect_denied(run.call("outer", {addr_bcs(0xA)}), mod.where("read_s", Opcode::ImmBorrowGlobal));
  // Called directly, read_s is unrestricted; and after the denied call the stack is balanced.
  EXPECT_TRUE(AcRun::ok(run.call("read_s", {addr_bcs(0xA)})));
  Module both;
  both.specify("outer", {both.on(AccessKind::Reads, "S")});
  both.specify("read_s", {AccessSpecifier{}});  // reads * inside reads S: still S only
  AcRun run2(both);
  EXPECT_TRUE(AcRun::ok(run2.call("outer", {addr_bcs(0xA)})));
}

// The feature flag ENABLE_RESOURCE_ACCESS_CONTROL (75) in the shipped genesis sets: Aptos's
// default feature list set it (v8 genesis) until the feature was removed (v10 genesis: clear;
// the current verifier rejects access specifiers with FEATURE_NOT_ENABLED). A bare session keeps
// enforcement off; the framework's sessions take it from the state (vm_limits_for, below).
TEST(AccessControl, GenesisFeatureFlag) {
  EXPECT_TRUE(read_features(test_util::GenesisChain::get("v8_2025-10-02").state).enabled(75));
  EXPECT_FALSE(read_features(test_util::GenesisChain::get("v10_2026-07-16").state).enabled(75));
  EXPECT_FALSE(VMLimits{}.resource_access_control);
}

// A script's own specifiers (v8 scripts carry them) restrict everything it calls.
TEST(AccessControl, ScriptSpecifiers) {
  Module mod;
  AcRun run(mod);
  auto script_with = [&](std::optional<std::vector<AccessSpecifier>> specs) {
    auto parsed = ir::parse_script("import 0x42.AC; main(a: address) { label b0: _ = AC.read_r(move(a)); return; }");
    EXPECT_TRUE(std::holds_alternative<ir::Script>(parsed));
    auto compiled = ir::compile_script(std::get<ir::Script>(parsed), {signer_module().get(), &mod.m});
    EXPECT_TRUE(std::holds_alternative<CompiledScript>(compiled)) << std::get<ir::CompileError>(compiled).message;
    CompiledScript s = std::get<CompiledScript>(compiled);
    s.version = 8;
    if (specs) {
      // Handles of 0x42::AC::R and S in the script (it names them only in its specifiers).
      TableIndex ac = 0;
      for (size_t i = 0; i < s.module_handles.size(); ++i)
        if (s.identifiers[s.module_handles[i].name] == "AC") ac = TableIndex(i);
      for (const char* name : {"R", "S"}) {
        s.identifiers.push_back(name);
        s.struct_handles.push_back(StructHandle{ac, TableIndex(s.identifiers.size() - 1), kAbilityKey, {}});
      }
      for (auto& spec : *specs) spec.resource_index = TableIndex(s.struct_handles.size() - 2 + spec.resource_index);
    }
    s.access_specifiers = std::move(specs);
    return std::make_shared<const CompiledScript>(std::move(s));
  };
  AccessSpecifier reads_r, reads_s;
  reads_r.resource = reads_s.resource = ResourceSpecifierKind::Resource;
  reads_r.resource_index = 0;  // placeholders: 0 = R, 1 = S (mapped above)
  reads_s.resource_index = 1;
  auto exec = [&](std::shared_ptr<const CompiledScript> s) {
    return run.session->execute_script(s, {}, {}, {addr_bcs(0xA)}, run.gas);
  };
  EXPECT_TRUE(AcRun::ok(exec(script_with(std::nullopt))));
  EXPECT_TRUE(AcRun::ok(exec(script_with(std::vector<AccessSpecifier>{reads_r}))));
  expect_denied(exec(script_with(std::vector<AccessSpecifier>{reads_s})), mod.where("read_r", Opcode::ImmBorrowGlobal));
}

// The framework's sessions take the limits from the state's features: on the v8 genesis (flag
// 75 set) a view calling a function whose specifiers exclude what it reads is denied; on v10
// (clear) the same call reads the resource.
TEST(AccessControl, FrameworkSessionsFollowTheStateFeatures) {
  for (const auto& [snapshot, enforced] : {std::pair<std::string, bool>{"v8_2025-10-02", true}, {"v10_2026-07-16", false}}) {
    SCOPED_TRACE(snapshot);
    const auto& chain = test_util::GenesisChain::get(snapshot);
    FeatureFlags features = read_features(chain.state);
    EXPECT_EQ(features.enabled(kFeatureEnableResourceAccessControl), enforced);
    EXPECT_TRUE(features.enabled(kFeatureSignerNativeFormatFix));
    EXPECT_EQ(vm_limits_for(features).resource_access_control, enforced);
    EXPECT_EQ(verifier_config_for(features).enable_resource_access_control, enforced);

    Module mod;
    mod.specify("read_r", {mod.on(AccessKind::Reads, "S")});
    MoveState state = chain.state;
    state.set_module(addr(0x42), "AC", *serialize_module(mod.m));
    state.set_resource(addr(0xA), struct_tag_bcs(StructTag{addr(0x42), "AC", "R", {}}), bcs_u64(7));
    EntryCall call;
    call.module_address = addr(0x42);
    call.module = "AC";
    call.function = "read_r";
    call.args = {addr_bcs(0xA)};
    call.pass_signer = false;
    CallOutput out = execute_view(state, chain.natives, call);
    if (enforced) {
      ASSERT_TRUE(out.error);
      EXPECT_EQ(out.error->error.status, StatusCode::ACCESS_DENIED) << status_name(out.error->error.status);
      ASSERT_EQ(out.error->error.offsets.size(), 1u);
      EXPECT_EQ(out.error->error.offsets[0], mod.where("read_r", Opcode::ImmBorrowGlobal));
    } else {
      ASSERT_FALSE(out.error) << status_name(out.error->error.status) << " " << out.error->error.message;
      ASSERT_EQ(out.returns.size(), 1u);
      EXPECT_EQ(out.returns[0].u64, 7u);
    }
  }
}

// Aptos's feature pass: without ENABLE_RESOURCE_ACCESS_CONTROL a module or script whose function
// handles carry access specifiers is rejected (FEATURE_NOT_ENABLED at the handle) right after
// the bounds check; with it, the unit verifies.
TEST(AccessControl, VerifierRejectsSpecifiersWithoutTheFeature) {
  const FeatureFlags v8 = read_features(test_util::GenesisChain::get("v8_2025-10-02").state);
  const FeatureFlags v10 = read_features(test_util::GenesisChain::get("v10_2026-07-16").state);
  Module mod;
  EXPECT_FALSE(verify_module(mod.m, verifier_config_for(v10)).error);
  mod.specify("read_s", {mod.on(AccessKind::Reads, "S")});
  auto accepted = verify_module(mod.m, verifier_config_for(v8));
  EXPECT_TRUE(accepted.complete);
  EXPECT_FALSE(accepted.error) << accepted.error->message;
  auto rejected = verify_module(mod.m, verifier_config_for(v10));
  ASSERT_TRUE(rejected.error);
  EXPECT_TRUE(rejected.complete);
  EXPECT_TRUE(rejected.located_in_unit);
  EXPECT_EQ(rejected.error->status, StatusCode::FEATURE_NOT_ENABLED);
  EXPECT_EQ(rejected.error->message, "resource access control feature not enabled");
  ASSERT_EQ(rejected.error->indices.size(), 1u);
  EXPECT_EQ(rejected.error->indices[0], std::make_pair(IndexKind::FunctionHandle, uint16_t(mod.function("read_s"))));

  // A script calling a handle that carries specifiers.
  auto parsed = ir::parse_script("import 0x42.AC; main(a: address) { label b0: _ = AC.read_r(move(a)); return; }");
  ASSERT_TRUE(std::holds_alternative<ir::Script>(parsed));
  auto compiled = ir::compile_script(std::get<ir::Script>(parsed), {signer_module().get(), &mod.m});
  ASSERT_TRUE(std::holds_alternative<CompiledScript>(compiled));
  CompiledScript script = std::get<CompiledScript>(compiled);
  script.version = 8;
  EXPECT_FALSE(verify_script(script, verifier_config_for(v10)).error);
  ASSERT_EQ(script.function_handles.size(), 1u);
  script.function_handles[0].access_specifiers = std::vector<AccessSpecifier>{};
  EXPECT_FALSE(verify_script(script, verifier_config_for(v8)).error);
  auto r = verify_script(script, verifier_config_for(v10));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, StatusCode::FEATURE_NOT_ENABLED);
  EXPECT_EQ(r.error->indices, (std::vector<std::pair<IndexKind, uint16_t>>{{IndexKind::FunctionHandle, 0}}));
}
