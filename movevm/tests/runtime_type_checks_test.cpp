// Paranoid runtime type checks: hostile modules published without the verifier (Move IR
// compiled straight to bytecode, or hand-built CompiledModules), one per check family. Each
// must fail with Aptos's status (UNKNOWN_INVARIANT_VIOLATION_ERROR with EPARANOID_FAILURE, or
// EMPTY_VALUE_STACK) at the instruction that breaks the rule, never crash.
#include <gtest/gtest.h>

#include "movevm/ir_compiler.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/runtime_type_checks.hpp"
#include "movevm/tests/genesis_chain.hpp"

using namespace lumio;
using namespace lumio::movevm;

namespace {

AccountAddress addr(uint64_t v) { return address_from_u64(v); }

struct Vm {
  EmptyStateView state;
  GasParameters native_gas{GasSchedule{}};
  NativeRegistry natives;
  std::vector<std::shared_ptr<const CompiledModule>> modules;
  std::unique_ptr<Session> session;
  UnmeteredGasMeter gas;

  explicit Vm(VMLimits limits = {}) {
    EXPECT_FALSE(register_stdlib_natives(natives, native_gas));
    session = std::make_unique<Session>(state, natives, limits);
    EXPECT_GT(test_util::v6_stdlib().size(), 50u);
    for (const auto& m : test_util::v6_stdlib()) {
      modules.push_back(m);
      session->loader().add_module(m);
    }
  }

  // Compiles Move IR without verifying it (the IR compiler does no type checking).
  void publish(const std::string& src) {
    auto parsed = ir::parse_module(src);
    ASSERT_TRUE(std::holds_alternative<ir::Module>(parsed)) << std::get<ir::ParseError>(parsed).describe();
    std::vector<const CompiledModule*> deps;
    for (const auto& m : modules) deps.push_back(m.get());
    auto compiled = ir::compile_module(std::get<ir::Module>(parsed), deps);
    ASSERT_TRUE(std::holds_alternative<CompiledModule>(compiled)) << std::get<ir::CompileError>(compiled).message;
    publish_compiled(std::get<CompiledModule>(compiled));
  }
  // Test bodies stop when a publish failed (its ASSERTs only leave the helper).
#define PUBLISH(vm, src) \
  do {                   \
    (vm).publish(src);   \
    if (::testing::Test::HasFatalFailure()) return; \
  } while (0)
  void publish_compiled(const CompiledModule& m) {
    auto shared = std::make_shared<const CompiledModule>(m);
    modules.push_back(shared);
    auto bytes = serialize_module(m);
    session->publish_module(shared, bytes ? *bytes : Bytes{});
  }
  Outcome<ExecutionResult> script(const std::string& src) {
    auto parsed = ir::parse_script(src);
    EXPECT_TRUE(std::holds_alternative<ir::Script>(parsed)) << std::get<ir::ParseError>(parsed).describe();
    if (!std::holds_alternative<ir::Script>(parsed)) return ExecutionError{};
    std::vector<const CompiledModule*> deps;
    for (const auto& m : modules) deps.push_back(m.get());
    auto compiled = ir::compile_script(std::get<ir::Script>(parsed), deps);
    EXPECT_TRUE(std::holds_alternative<CompiledScript>(compiled));
    if (!std::holds_alternative<CompiledScript>(compiled)) return ExecutionError{};
    return session->execute_script(std::make_shared<const CompiledScript>(std::get<CompiledScript>(compiled)), {},
                                   {}, {}, gas);
  }
  Outcome<ExecutionResult> call(uint64_t a, const std::string& m, const std::string& f,
                                std::vector<AccountAddress> signers = {}) {
    return session->execute_function(addr(a), m, f, {}, signers, {}, gas);
  }
  const CompiledModule* module(uint64_t a, const std::string& name) const {
    for (const auto& m : modules) {
      const auto& h = m->module_handles[m->self_module_handle_idx];
      if (m->address_identifiers[h.address] == addr(a) && m->identifiers[h.name] == name) return m.get();
    }
    return nullptr;
  }
};

Instruction op(Opcode o, uint16_t index = 0, uint64_t value = 0) { return Instruction{o, index, value, {}}; }
SignatureToken tok(TokenKind k) { return SignatureToken{k, 0, 0, 0, {}}; }

// 0x1::M::f() with the given code and locals (returns `returns`).
CompiledModule module_with(uint32_t version, Signature returns, Signature locals, std::vector<Instruction> code) {
  CompiledModule m = test_util::tiny_module(version);
  m.signatures = {{}, {}, std::move(returns), std::move(locals)};
  m.function_handles[0].parameters = 1;
  m.function_handles[0].return_ = 2;
  m.function_defs[0].code = CodeUnit{3, std::move(code)};
  return m;
}

// The run failed with `status` (and EPARANOID_FAILURE for invariant violations) in module
// (a, name), function `fn`, at an instruction `expected_op`.
void expect_check(Vm& vm, const Outcome<ExecutionResult>& r, uint64_t a, const std::string& name,
                  const std::string& fn, Opcode expected_op,
                  StatusCode status = StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR) {
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(r)) << "expected an error";
  const ExecutionError& e = std::get<ExecutionError>(r);
  EXPECT_EQ(e.error.status, status) << status_name(e.error.status) << " " << e.error.message;
  if (status == StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR) {
    EXPECT_EQ(e.sub_status, std::optional<uint64_t>(kParanoidFailure)) << e.error.message;
  }
  EXPECT_EQ(e.location, ErrorLocation::Module);
  EXPECT_EQ(e.module_address, addr(a));
  EXPECT_EQ(e.module_name, name);
  ASSERT_FALSE(e.error.offsets.empty());
  const CompiledModule* m = vm.module(a, name);
  ASSERT_TRUE(m);
  auto [def, pc] = e.error.offsets[0];
  ASSERT_LT(def, m->function_defs.size());
  EXPECT_EQ(m->identifiers[m->function_handles[m->function_defs[def].function].name], fn);
  ASSERT_TRUE(m->function_defs[def].code);
  ASSERT_LT(pc, m->function_defs[def].code->code.size());
  EXPECT_EQ(opcode_name(m->function_defs[def].code->code[pc].op), opcode_name(expected_op))
      << "failed at " << pc << ": " << e.error.message;
}

void expect_hand_built(std::vector<Instruction> code, Signature locals, uint16_t pc,
                       StatusCode status = StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, uint32_t version = 6,
                       Signature returns = {}) {
  Vm vm;
  Opcode at = code.at(pc).op;
  vm.publish_compiled(module_with(version, std::move(returns), std::move(locals), std::move(code)));
  auto r = vm.call(1, "M", "f");
  expect_check(vm, r, 1, "M", "f", at, status);
  if (auto* e = std::get_if<ExecutionError>(&r)) {
    ASSERT_FALSE(e->error.offsets.empty());
    EXPECT_EQ(e->error.offsets[0].second, pc);
  }
}

}  // namespace

TEST(RuntimeTypeChecks, OperandTypesOfArithmeticComparisonBitwiseShift) {
  expect_hand_built({op(Opcode::LdU64, 0, 1), op(Opcode::LdU8, 0, 1), op(Opcode::Add), op(Opcode::Pop), op(Opcode::Ret)}, {}, 2);
  expect_hand_built({op(Opcode::LdU64, 0, 1), op(Opcode::LdU128), op(Opcode::Lt), op(Opcode::Pop), op(Opcode::Ret)}, {}, 2);
  expect_hand_built({op(Opcode::LdU8, 0, 1), op(Opcode::LdU64, 0, 1), op(Opcode::BitOr), op(Opcode::Pop), op(Opcode::Ret)}, {}, 2);
  // The shift amount must be a u8.
  expect_hand_built({op(Opcode::LdU64, 0, 1), op(Opcode::LdU64, 0, 1), op(Opcode::Shl), op(Opcode::Pop), op(Opcode::Ret)}, {}, 2);
  // Operands missing: the type stack is empty.
  expect_hand_built({op(Opcode::Add), op(Opcode::Ret)}, {}, 0, StatusCode::EMPTY_VALUE_STACK);
  expect_hand_built({op(Opcode::LdU64, 0, 1), op(Opcode::Mul), op(Opcode::Ret)}, {}, 1, StatusCode::EMPTY_VALUE_STACK);
}

TEST(RuntimeTypeChecks, BoolOperands) {
  expect_hand_built({op(Opcode::LdU64, 0, 1), op(Opcode::BrTrue, 0), op(Opcode::Ret)}, {}, 1);
  expect_hand_built({op(Opcode::LdU8, 0, 0), op(Opcode::BrFalse, 0), op(Opcode::Ret)}, {}, 1);
  expect_hand_built({op(Opcode::LdU64, 0, 1), op(Opcode::Not), op(Opcode::Pop), op(Opcode::Ret)}, {}, 1);
  expect_hand_built({op(Opcode::LdTrue), op(Opcode::LdU64, 0, 1), op(Opcode::Or), op(Opcode::Pop), op(Opcode::Ret)}, {}, 2);
}

TEST(RuntimeTypeChecks, LocalsAndAbilities) {
  // A u64 stored into a bool local.
  expect_hand_built({op(Opcode::LdU64, 0, 1), op(Opcode::StLoc, 0), op(Opcode::Ret)}, {tok(TokenKind::Bool)}, 1);
  // Local index out of range.
  expect_hand_built({op(Opcode::MoveLoc, 7), op(Opcode::Ret)}, {}, 0);
  Vm vm;
  PUBLISH(vm, R"(module 0x42.L {
    struct R { x: u64 }
    public copy_it() {
        let r: Self.R;
    label b0:
        r = R { x: 1 };
        _ = copy(r);
        return;
    }
    public overwrite() {
        let r: Self.R;
        let y: u64;
    label b0:
        r = R { x: 1 };
        r = R { x: 2 };
        R { x: y } = move(r);
        return;
    }
    public leak() {
        let r: Self.R;
    label b0:
        r = R { x: 1 };
        return;
    }
    public pop_it() {
    label b0:
        _ = R { x: 1 };
        return;
    }
    public eq_it(): bool {
    label b0:
        return R { x: 1 } == R { x: 1 };
    }
  })");
  expect_check(vm, vm.call(0x42, "L", "copy_it"), 0x42, "L", "copy_it", Opcode::CopyLoc);
  expect_check(vm, vm.call(0x42, "L", "overwrite"), 0x42, "L", "overwrite", Opcode::StLoc);
  expect_check(vm, vm.call(0x42, "L", "leak"), 0x42, "L", "leak", Opcode::Ret);
  expect_check(vm, vm.call(0x42, "L", "pop_it"), 0x42, "L", "pop_it", Opcode::Pop);
  expect_check(vm, vm.call(0x42, "L", "eq_it"), 0x42, "L", "eq_it", Opcode::Eq);
}

TEST(RuntimeTypeChecks, CallArgumentsReturnsAndVisibility) {
  Vm vm;
  PUBLISH(vm, R"(module 0x42.A {
    friend 0x42.C;
    g(x: u64) {
    label b0:
        return;
    }
    public(friend) h() {
    label b0:
        return;
    }
    public takes(x: u64) {
    label b0:
        return;
    }
    public wrong_ret(): u64 {
    label b0:
        return true;
    }
    public two_rets(): u64 {
    label b0:
        return 1, 2;
    }
    public bad_arg() {
    label b0:
        Self.takes(true);
        return;
    }
  })");
  PUBLISH(vm, R"(module 0x42.B {
    import 0x42.A;
    public call_private() {
    label b0:
        A.g(1);
        return;
    }
    public call_friend() {
    label b0:
        A.h();
        return;
    }
  })");
  expect_check(vm, vm.call(0x42, "A", "bad_arg"), 0x42, "A", "bad_arg", Opcode::Call);
  expect_check(vm, vm.call(0x42, "A", "wrong_ret"), 0x42, "A", "wrong_ret", Opcode::Ret);
  // One value too many at Ret: the stack-balance check (an invariant violation, no paranoid sub status).
  auto two = vm.call(0x42, "A", "two_rets");
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(two));
  EXPECT_EQ(std::get<ExecutionError>(two).error.status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
  EXPECT_EQ(std::get<ExecutionError>(two).error.offsets.at(0).second, 2);  // LdU64, LdU64, Ret
  auto priv = vm.call(0x42, "B", "call_private");
  expect_check(vm, priv, 0x42, "B", "call_private", Opcode::Call);
  EXPECT_EQ(std::get<ExecutionError>(priv).error.message, "Function 0x42::A::g cannot be called because it is private");
  auto fr = vm.call(0x42, "B", "call_friend");
  expect_check(vm, fr, 0x42, "B", "call_friend", Opcode::Call);
  EXPECT_NE(std::get<ExecutionError>(fr).error.message.find("friend visibility"), std::string::npos);
}

TEST(RuntimeTypeChecks, PackUnpackFieldsAndAbilities) {
  Vm vm;
  PUBLISH(vm, R"(module 0x42.P {
    struct R has drop { x: u64 }
    struct S has drop { y: bool }
    struct N has drop { v: u64 }
    struct K has key { n: Self.N }
    public wrong_field() {
    label b0:
        _ = R { x: true };
        return;
    }
    public wrong_unpack(): u64 {
        let a: u64;
    label b0:
        R { x: a } = S { y: true };
        return move(a);
    }
    public key_field(s: &signer) {
    label b0:
        move_to<K>(move(s), K { n: N { v: 1 } });
        return;
    }
  })");
  expect_check(vm, vm.call(0x42, "P", "wrong_field"), 0x42, "P", "wrong_field", Opcode::Pack);
  expect_check(vm, vm.call(0x42, "P", "wrong_unpack"), 0x42, "P", "wrong_unpack", Opcode::Unpack);
  // K has key: its fields need store, N has only drop.
  expect_check(vm, vm.call(0x42, "P", "key_field", {addr(7)}), 0x42, "P", "key_field", Opcode::Pack);
}

TEST(RuntimeTypeChecks, VariantsPackTestAndBorrow) {
  // enum E has drop { A { x: u64 }, B }: PackVariant A with a bool; TestVariant on a u64 ref.
  auto build = [](std::vector<Instruction> code, Signature locals) {
    CompiledModule m = test_util::enum_module();
    m.signatures = {{}, std::move(locals)};
    m.function_defs[0].code = CodeUnit{1, std::move(code)};
    return m;
  };
  {
    Vm vm;
    vm.publish_compiled(build({op(Opcode::LdTrue), op(Opcode::PackVariant, 0), op(Opcode::Pop), op(Opcode::Ret)}, {}));
    expect_check(vm, vm.call(1, "M", "f"), 1, "M", "f", Opcode::PackVariant);
  }
  {
    Vm vm;
    vm.publish_compiled(build({op(Opcode::LdU64, 0, 1), op(Opcode::StLoc, 0), op(Opcode::ImmBorrowLoc, 0),
                               op(Opcode::TestVariant, 0), op(Opcode::Pop), op(Opcode::Ret)},
                              {tok(TokenKind::U64)}));
    // &u64 is not &E.
    auto r = vm.call(1, "M", "f");
    expect_check(vm, r, 1, "M", "f", Opcode::TestVariant);
  }
  {
    // Variant field borrow through an immutable reference asking for a mutable one.
    Vm vm;
    vm.publish_compiled(build({op(Opcode::LdU64, 0, 3), op(Opcode::PackVariant, 0), op(Opcode::StLoc, 0),
                               op(Opcode::ImmBorrowLoc, 0), op(Opcode::MutBorrowVariantField, 0), op(Opcode::Pop),
                               op(Opcode::Ret)},
                              {SignatureToken{TokenKind::Struct, 0, 0, 0, {}}}));
    expect_check(vm, vm.call(1, "M", "f"), 1, "M", "f", Opcode::MutBorrowVariantField);
  }
}

TEST(RuntimeTypeChecks, References) {
  Vm vm;
  PUBLISH(vm, R"(module 0x42.F {
    struct R { x: u64 }
    struct C has copy, drop { x: u64 }
    public write_imm() {
        let x: u64;
        let r: &u64;
    label b0:
        x = 1;
        r = &x;
        *move(r) = 2;
        return;
    }
    public mut_from_imm() {
        let c: Self.C;
        let r: &Self.C;
        let m: &mut u64;
    label b0:
        c = C { x: 1 };
        r = &c;
        m = &mut move(r).C::x;
        *move(m) = 2;
        return;
    }
    public freeze_imm() {
        let x: u64;
        let r: &u64;
    label b0:
        x = 1;
        r = freeze(&x);
        _ = move(r);
        return;
    }
    public read_no_copy() {
        let v: Self.R;
        let r: &Self.R;
    label b0:
        v = R { x: 1 };
        r = &v;
        _ = *move(r);
        return;
    }
    public write_no_drop() {
        let v: Self.R;
        let r: &mut Self.R;
        let y: u64;
    label b0:
        v = R { x: 1 };
        r = &mut v;
        *move(r) = R { x: 2 };
        R { x: y } = move(v);
        return;
    }
    public read_value() {
    label b0:
        _ = *1;
        return;
    }
  })");
  expect_check(vm, vm.call(0x42, "F", "write_imm"), 0x42, "F", "write_imm", Opcode::WriteRef);
  expect_check(vm, vm.call(0x42, "F", "mut_from_imm"), 0x42, "F", "mut_from_imm", Opcode::MutBorrowField);
  expect_check(vm, vm.call(0x42, "F", "freeze_imm"), 0x42, "F", "freeze_imm", Opcode::FreezeRef);
  expect_check(vm, vm.call(0x42, "F", "read_no_copy"), 0x42, "F", "read_no_copy", Opcode::ReadRef);
  expect_check(vm, vm.call(0x42, "F", "write_no_drop"), 0x42, "F", "write_no_drop", Opcode::WriteRef);
  expect_check(vm, vm.call(0x42, "F", "read_value"), 0x42, "F", "read_value", Opcode::ReadRef);
}

TEST(RuntimeTypeChecks, GlobalStorage) {
  Vm vm;
  PUBLISH(vm, R"(module 0x42.G {
    struct NoKey has store { x: u64 }
    struct C has key { x: u64 }
    public no_key(s: &signer) {
    label b0:
        move_to<NoKey>(move(s), NoKey { x: 1 });
        return;
    }
    public exists_bool(): bool {
    label b0:
        return exists<C>(true);
    }
    public borrow_no_key(a: address) {
    label b0:
        _ = borrow_global<NoKey>(move(a));
        return;
    }
    public wrong_resource(s: &signer) {
    label b0:
        move_to<C>(move(s), NoKey { x: 1 });
        return;
    }
  })");
  expect_check(vm, vm.call(0x42, "G", "no_key", {addr(7)}), 0x42, "G", "no_key", Opcode::MoveTo);
  expect_check(vm, vm.call(0x42, "G", "exists_bool"), 0x42, "G", "exists_bool", Opcode::Exists);
  auto r = vm.session->execute_function(addr(0x42), "G", "borrow_no_key", {}, {}, {Bytes(32, 7)}, vm.gas);
  expect_check(vm, r, 0x42, "G", "borrow_no_key", Opcode::ImmBorrowGlobal);
  expect_check(vm, vm.call(0x42, "G", "wrong_resource", {addr(7)}), 0x42, "G", "wrong_resource", Opcode::MoveTo);
  // Nothing was written.
  auto cs = vm.session->change_set();
  ASSERT_TRUE(std::holds_alternative<ChangeSet>(cs));
  EXPECT_TRUE(std::get<ChangeSet>(cs).resources.empty());
}

TEST(RuntimeTypeChecks, VectorElementTypes) {
  Vm vm;
  PUBLISH(vm, R"(module 0x42.V {
    public push_bool() {
        let v: vector<u64>;
    label b0:
        v = vec_pack_0<u64>();
        vec_push_back<u64>(&mut v, true);
        return;
    }
    public len_other(): u64 {
        let v: vector<u64>;
    label b0:
        v = vec_pack_0<u64>();
        return vec_len<u8>(&v);
    }
    public pack_mixed() {
    label b0:
        _ = vec_pack_2<u64>(1, true);
        return;
    }
    public push_imm() {
        let v: vector<u64>;
    label b0:
        v = vec_pack_0<u64>();
        vec_push_back<u64>(&v, 1);
        return;
    }
    public index_u8(): u64 {
        let v: vector<u64>;
    label b0:
        v = vec_pack_1<u64>(5);
        return *vec_imm_borrow<u64>(&v, 0u8);
    }
  })");
  expect_check(vm, vm.call(0x42, "V", "push_bool"), 0x42, "V", "push_bool", Opcode::VecPushBack);
  expect_check(vm, vm.call(0x42, "V", "len_other"), 0x42, "V", "len_other", Opcode::VecLen);
  expect_check(vm, vm.call(0x42, "V", "pack_mixed"), 0x42, "V", "pack_mixed", Opcode::VecPack);
  expect_check(vm, vm.call(0x42, "V", "push_imm"), 0x42, "V", "push_imm", Opcode::VecPushBack);
  expect_check(vm, vm.call(0x42, "V", "index_u8"), 0x42, "V", "index_u8", Opcode::VecImmBorrow);
}

TEST(RuntimeTypeChecks, AbortCode) {
  Vm vm;
  PUBLISH(vm, R"(module 0x42.X {
    public f() {
    label b0:
        abort true;
    }
  })");
  expect_check(vm, vm.call(0x42, "X", "f"), 0x42, "X", "f", Opcode::Abort);
}

TEST(RuntimeTypeChecks, Closures) {
  // g(a: u64, b: u64): u64; f packs g capturing `captured` and calls it with `arg`.
  auto build = [](Instruction captured, Instruction arg, SignatureToken call_type) {
    CompiledModule m = test_util::tiny_module(8);
    m.identifiers.push_back("g");
    SignatureToken u64 = tok(TokenKind::U64);
    m.signatures = {{}, {u64}, {u64, u64}, {call_type}};
    m.function_handles[0].return_ = 1;
    FunctionHandle gh;
    gh.module = 0;
    gh.name = 2;
    gh.parameters = 2;
    gh.return_ = 1;
    m.function_handles.push_back(gh);
    m.function_defs[0].code =
        CodeUnit{0, {arg, captured, op(Opcode::PackClosure, 1, 0b01), op(Opcode::CallClosure, 3), op(Opcode::Ret)}};
    FunctionDefinition g;
    g.function = 1;
    g.code = CodeUnit{0, {op(Opcode::MoveLoc, 0), op(Opcode::MoveLoc, 1), op(Opcode::Add), op(Opcode::Ret)}};
    m.function_defs.push_back(g);
    return m;
  };
  SignatureToken u64 = tok(TokenKind::U64);
  SignatureToken fn{TokenKind::Function, 0, kAbilityDrop | kAbilityCopy, 1, {u64, u64}};
  {
    Vm vm;
    vm.publish_compiled(build(op(Opcode::LdU64, 0, 4), op(Opcode::LdU64, 0, 2), fn));
    auto r = vm.call(1, "M", "f");
    ASSERT_TRUE(std::holds_alternative<ExecutionResult>(r));
    EXPECT_EQ(display_value(std::get<ExecutionResult>(r).return_values.at(0)), "6");
  }
  {  // captured bool for a u64 parameter
    Vm vm;
    vm.publish_compiled(build(op(Opcode::LdTrue), op(Opcode::LdU64, 0, 2), fn));
    expect_check(vm, vm.call(1, "M", "f"), 1, "M", "f", Opcode::PackClosure);
  }
  {  // called with a bool argument
    Vm vm;
    vm.publish_compiled(build(op(Opcode::LdU64, 0, 4), op(Opcode::LdTrue), fn));
    expect_check(vm, vm.call(1, "M", "f"), 1, "M", "f", Opcode::CallClosure);
  }
  {  // the closure's type is not the one CallClosure names (|u64|bool)
    Vm vm;
    SignatureToken other{TokenKind::Function, 0, kAbilityDrop, 1, {u64, tok(TokenKind::Bool)}};
    vm.publish_compiled(build(op(Opcode::LdU64, 0, 4), op(Opcode::LdU64, 0, 2), other));
    expect_check(vm, vm.call(1, "M", "f"), 1, "M", "f", Opcode::CallClosure);
  }
  {  // a closure of a private function may not be stored: |u64|u64 has store is not assignable
    Vm vm;
    SignatureToken stored{TokenKind::Function, 0, kAbilityDrop | kAbilityStore, 1, {u64, u64}};
    vm.publish_compiled(build(op(Opcode::LdU64, 0, 4), op(Opcode::LdU64, 0, 2), stored));
    expect_check(vm, vm.call(1, "M", "f"), 1, "M", "f", Opcode::CallClosure);
  }
}

// Memory safety of references that unverified code can leave dangling: the value model holds
// containers by shared ownership and bounds-checks slots, so these end in invariant
// violations (not crashes, not stale reads).
TEST(RuntimeTypeChecks, DanglingReferencesAreSafe) {
  Vm vm;
  PUBLISH(vm, R"(module 0x42.D {
    public moved_local(): u64 {
        let x: u64;
        let r: &u64;
    label b0:
        x = 1;
        r = &x;
        _ = move(x);
        return *move(r);
    }
    public popped_element(): u64 {
        let v: vector<u64>;
        let r: &mut u64;
    label b0:
        v = vec_pack_1<u64>(5);
        r = vec_mut_borrow<u64>(&mut v, 0);
        _ = vec_pop_back<u64>(&mut v);
        *copy(r) = 7;
        return *move(r);
    }
    ref_to_local(): &u64 {
        let x: u64;
    label b0:
        x = 1;
        return &x;
    }
    public returned_frame_ref(): u64 {
    label b0:
        return *Self.ref_to_local();
    }
  })");
  for (const char* f : {"moved_local", "popped_element", "returned_frame_ref"}) {
    auto r = vm.call(0x42, "D", f);
    ASSERT_TRUE(std::holds_alternative<ExecutionError>(r)) << f;
    const auto& e = std::get<ExecutionError>(r);
    EXPECT_EQ(e.error.status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR) << f << ": " << e.error.message;
    EXPECT_EQ(e.location, ErrorLocation::Module) << f;
  }
}

TEST(RuntimeTypeChecks, VerifiedCodeRunsAndTheFlagTurnsChecksOff) {
  const char* src = R"(module 0x42.Q {
    struct S has copy, drop { a: u64, b: vector<u8> }
    public ok(): u64 * bool {
        let s: Self.S;
        let r: &mut Self.S;
        let v: vector<u64>;
        let n: u64;
    label b0:
        s = S { a: 5, b: vec_pack_1<u8>(1u8) };
        r = &mut s;
        *&mut copy(r).S::a = *&copy(r).S::a + 1;
        n = *&move(r).S::a;
        v = vec_pack_2<u64>(1, 2);
        vec_push_back<u64>(&mut v, 3);
        return move(n) + vec_len<u64>(&v), copy(s) == copy(s);
    }
    public ill_typed(): u64 {
    label b0:
        return 1 + 2u8;
    }
  })";
  Vm on;
  PUBLISH(on, src);
  auto r = on.call(0x42, "Q", "ok");
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(r)) << status_name(std::get<ExecutionError>(r).error.status)
                                                          << std::get<ExecutionError>(r).error.message;
  EXPECT_EQ(display_value(std::get<ExecutionResult>(r).return_values.at(0)), "9");
  expect_check(on, on.call(0x42, "Q", "ill_typed"), 0x42, "Q", "ill_typed", Opcode::Add);
  // With paranoid_type_checks off the value-level checks still refuse the mismatch (no sub status).
  VMLimits off_limits;
  off_limits.paranoid_type_checks = false;
  Vm off(off_limits);
  PUBLISH(off, src);
  auto e = off.call(0x42, "Q", "ill_typed");
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(e));
  EXPECT_EQ(std::get<ExecutionError>(e).error.status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
  EXPECT_EQ(std::get<ExecutionError>(e).sub_status, std::nullopt);
}

TEST(RuntimeTypeChecks, GenericInstantiations) {
  Vm vm;
  PUBLISH(vm, R"(module 0x42.T {
    struct Box<T> has drop { v: T }
    public id<T>(x: T): T {
    label b0:
        return move(x);
    }
    public ok(): u64 {
        let b: Self.Box<u64>;
    label b0:
        b = Box<u64> { v: Self.id<u64>(7) };
        return *&(&b).Box<u64>::v;
    }
    public bad_arg(): u64 {
    label b0:
        return Self.id<u64>(true);
    }
    public bad_field() {
    label b0:
        _ = Box<u64> { v: true };
        return;
    }
  })");
  auto ok = vm.call(0x42, "T", "ok");
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(ok)) << std::get<ExecutionError>(ok).error.message;
  EXPECT_EQ(display_value(std::get<ExecutionResult>(ok).return_values.at(0)), "7");
  expect_check(vm, vm.call(0x42, "T", "bad_arg"), 0x42, "T", "bad_arg", Opcode::CallGeneric);
  expect_check(vm, vm.call(0x42, "T", "bad_field"), 0x42, "T", "bad_field", Opcode::PackGeneric);
}

TEST(RuntimeTypeChecks, AbortMsgNeedsBytes) {
  // v10: AbortMsg pops a vector<u8> message over a u64 code; here the message is a u64.
  expect_hand_built({op(Opcode::LdU64, 0, 1), op(Opcode::LdU64, 0, 2), op(Opcode::AbortMsg)}, {}, 2,
                    StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, 10);
}

TEST(RuntimeTypeChecks, VecUnpackOfAHugeCountFailsOnLength) {
  // vector<u64>[] unpacked as 2^64-1 elements: the length check fails first (Aptos's order).
  CompiledModule m = module_with(6, {}, {}, {op(Opcode::VecPack, 4, 0), op(Opcode::VecUnpack, 4, ~uint64_t(0)), op(Opcode::Ret)});
  m.signatures.push_back({tok(TokenKind::U64)});
  Vm vm;
  vm.publish_compiled(m);
  auto r = vm.call(1, "M", "f");
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(r));
  EXPECT_EQ(std::get<ExecutionError>(r).error.status, StatusCode::VECTOR_OPERATION_ERROR);
  EXPECT_EQ(std::get<ExecutionError>(r).sub_status, std::optional<uint64_t>(3));
  EXPECT_EQ(std::get<ExecutionError>(r).error.offsets.at(0).second, 1);
}

// Cached types are keyed by loaded functions and structs: scripts (freed after their run) and
// republished modules must not leave stale entries behind for a later unit at the same address.
TEST(RuntimeTypeChecks, ScriptsAndRepublishedModulesInOneSession) {
  Vm vm;
  for (int i = 0; i < 20; ++i) {
    auto a = vm.script("main() { let x: u64; label b0: x = 1; _ = move(x) + 2; return; }");
    ASSERT_TRUE(std::holds_alternative<ExecutionResult>(a)) << i << " " << std::get<ExecutionError>(a).error.message;
    auto b = vm.script("main() { let y: bool; let z: u8; label b0: y = true; z = 3u8; _ = move(y) && true; _ = move(z); return; }");
    ASSERT_TRUE(std::holds_alternative<ExecutionResult>(b)) << i << " " << std::get<ExecutionError>(b).error.message;
  }
  for (int i = 0; i < 5; ++i) {
    std::string t = i % 2 ? "bool" : "u64";
    std::string v = i % 2 ? "true" : "7";
    if (const CompiledModule* old = vm.module(0x42, "R"))  // not a dependency of its own next version
      std::erase_if(vm.modules, [&](const auto& m) { return m.get() == old; });
    PUBLISH(vm, "module 0x42.R { struct S has drop { f: " + t + " } public g(): " + t +
                    " { let s: Self.S; label b0: s = S { f: " + v + " }; return *&(&s).S::f; } }");
    auto r = vm.call(0x42, "R", "g");
    ASSERT_TRUE(std::holds_alternative<ExecutionResult>(r)) << i << " " << std::get<ExecutionError>(r).error.message;
    EXPECT_EQ(display_value(std::get<ExecutionResult>(r).return_values.at(0)), v);
  }
}

// A local referring to another local of its frame, then an abort: the frame's locals are
// cleared on the error path as on Ret (no shared_ptr cycle left behind; LeakSanitizer-checked).
TEST(RuntimeTypeChecks, SelfReferencingFrameOnAbort) {
  Vm vm;
  auto r = vm.script("main() { let v: u64; let r: &u64; label b0: v = 5; r = &v; abort 7; }");
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(r));
  EXPECT_EQ(std::get<ExecutionError>(r).error.status, StatusCode::ABORTED);
  EXPECT_EQ(std::get<ExecutionError>(r).sub_status, std::optional<uint64_t>(7));
}
